/*
** archive.h -- the primitives of Apple's binary archives (OArchive).
**
** coremldata.bin and analytics/coremldata.bin are sequences of these,
** little-endian, back to back, no alignment (docs/spec/mlmodelc.md §2.1):
**   u32, u64            4 / 8 bytes LE
**   string              u64 byte length, then the bytes, no NUL
**   VersionInfo         u64 major, u64 minor, u64 patch, string variant
*/
#ifndef MLCC_ARCHIVE_H
#define MLCC_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/wbuf.h"

void archive_u32(struct wbuf *w, uint32_t v);
void archive_u64(struct wbuf *w, uint64_t v);
void archive_bytes(struct wbuf *w, const void *p, size_t n); /* as string */
void archive_string(struct wbuf *w, const char *s);
void archive_version(struct wbuf *w, uint64_t major, uint64_t minor, uint64_t patch,
		     const char *variant);

#endif
