/*
** fuzz_manifest.c -- Manifest.json text -> the root item's path.
** Oracles: an accepted path never leaves the package; a refusal is one
** line.
*/
#include <stdlib.h>

#include "base/os.h"
#include "fuzz.h"
#include "package/package.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlcc_diag d = {0, ""};
	char *path = NULL;

	if (package_manifest_root("Manifest.json", (const char *)data, size, &path, &d) == 0)
		FUZZ_REQUIRE(path && os_rel_path_safe(path), "accepted path leaves the package");
	else
		FUZZ_MESSAGE_OK(&d);
	free(path);
	return 0;
}
