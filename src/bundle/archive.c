/*
** archive.c -- OArchive primitives.
*/
#include "bundle/archive.h"

#include <string.h>

void archive_u32(struct wbuf *w, uint32_t v)
{
	wbuf_le32(w, v);
}

void archive_u64(struct wbuf *w, uint64_t v)
{
	wbuf_le64(w, v);
}

void archive_bytes(struct wbuf *w, const void *p, size_t n)
{
	wbuf_le64(w, n);
	wbuf_put(w, p, n);
}

void archive_string(struct wbuf *w, const char *s)
{
	archive_bytes(w, s, strlen(s));
}

void archive_version(struct wbuf *w, uint64_t major, uint64_t minor, uint64_t patch,
		     const char *variant)
{
	wbuf_le64(w, major);
	wbuf_le64(w, minor);
	wbuf_le64(w, patch);
	archive_string(w, variant);
}
