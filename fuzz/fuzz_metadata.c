/*
** fuzz_metadata.c -- metadata.json text -> what mlcc reads from it.
** Oracle: isUpdatable is read as 0 or 1, nothing else, whatever the text.
*/
#include "bundle/bundle.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int u = bundle_metadata_updatable((const char *)data, size);

	FUZZ_REQUIRE(u == 0 || u == 1, "isUpdatable neither 0 nor 1");
	return 0;
}
