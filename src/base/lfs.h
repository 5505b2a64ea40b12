/*
** lfs.h -- recognising a Git LFS pointer where a model file should be.
**
** A repository cloned without `git lfs pull` holds, in place of each large
** file, a small text file: "version https://git-lfs.github.com/spec/v1",
** "oid sha256:...", "size N" (the Git LFS specification; the corpus NOTES
** list several bundles published that way).  Readers check for it first,
** so the message says what happened instead of "malformed protobuf".
*/
#ifndef MLCC_LFS_H
#define MLCC_LFS_H

#include <stdbool.h>
#include <stddef.h>

/* True when the 'n' bytes at 'p' (a file's start, or all of it) are a Git
** LFS pointer. */
bool lfs_pointer(const void *p, size_t n);

/* The advice that ends every such message. */
#define LFS_ADVICE "is a Git LFS pointer, not the model: run git lfs pull"

#endif
