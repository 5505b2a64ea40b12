/* fuzz_manifest.c -- Manifest.json text -> the root item's path. */
#include <stdlib.h>

#include "fuzz.h"
#include "package/package.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlcc_diag d = {0, ""};
	char *path = NULL;

	fuzz_any(package_manifest_root("Manifest.json", (const char *)data, size, &path, &d));
	free(path);
	return 0;
}
