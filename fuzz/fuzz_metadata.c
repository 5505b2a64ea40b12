/* fuzz_metadata.c -- metadata.json text -> what mlcc reads from it. */
#include "bundle/bundle.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bundle_metadata_updatable((const char *)data, size);
	return 0;
}
