/* fuzz_coremldata.c -- coremldata.bin bytes -> type, versions, description,
** trailers (cd_read.c). */
#include "bundle/bundle.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct cd_file cd;

	arena_init(&a);
	fuzz_any(cd_parse(&a, "coremldata.bin", data, size, &cd, &d));
	arena_free(&a);
	return 0;
}
