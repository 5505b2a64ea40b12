/*
** lfs.c -- Git LFS pointer detection (lfs.h).
*/
#include "base/lfs.h"

#include <string.h>

bool lfs_pointer(const void *p, size_t n)
{
	/* Pointer files are at most 1024 bytes; the first line names the
	** spec (v1, and the pre-release "hawser" name). */
	static const char *const heads[] = {"version https://git-lfs.github.com/spec/",
					    "version https://hawser.github.com/spec/"};

	if (n > 1024)
		n = 1024;
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		size_t l = strlen(heads[i]);
		if (n >= l && memcmp(p, heads[i], l) == 0)
			return true;
	}
	return false;
}
