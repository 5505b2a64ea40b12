/*
** os.h -- the operating-system layer: paths, directory walks, temporaries
** and atomic output, copies and clones, whole-file I/O.
**
** The only module that talks to the file system directly.  Every function
** reports failures through 'struct mlcc_diag' with the path at fault, and
** none of them reads a weight file into memory.
*/
#ifndef MLCC_OS_H
#define MLCC_OS_H

#include "mlccint.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "mlcc.h"

/* "a/b": a newly malloc'd join of 'a' and 'b' ('b' relative); NULL when out
** of memory. */
char *os_join(const char *a, const char *b);

/* The last component of 'path' (a pointer into it); trailing slashes are
** ignored by looking only up to 'len' where *len is set to its length. */
const char *os_basename(const char *path, size_t *len);

/* True when 'rel' is a non-empty relative path with no "." or ".."
** component and no empty component (so it cannot leave its base). */
bool os_rel_path_safe(const char *rel);

/* True when the real (symlink-resolved) location of 'path' is 'root_real'
** or lies below it.  False when 'path' cannot be resolved. */
bool os_within(const char *root_real, const char *path);

/* Atomic output: a directory is built as a temporary beside its target,
** then swapped into place.  The temporary is named
** "<dir>/.<name>.mlcc-tmp-XXXXXX" (recognisable, hidden) and locked
** (flock on the directory) for as long as its writer lives, so that a
** later run can tell a temporary left by a killed process (lock free)
** from one still being written (lock held) and remove only the former. */
struct os_temp {
	char *path; /* the temporary directory */
	int lock;   /* descriptor holding the flock, -1 if none */
};

/* Remove the stale temporaries of 'name' in 'dir', then create and lock a
** new one (mode 0777 & ~umask, like any mkdir).  Errors: "<dir>: cannot
** write to the output directory: ...". */
MLCC_MUST_CHECK int os_temp_create(struct os_temp *t, const char *dir, const char *name,
				   struct mlcc_diag *d);

/* Make the temporary appear at 'target' (os_replace) and release it; on
** failure the temporary is removed. */
MLCC_MUST_CHECK int os_temp_commit(struct os_temp *t, const char *target, struct mlcc_diag *d);

/* Remove the temporary and release it.  Safe on a zeroed struct. */
void os_temp_discard(struct os_temp *t);

/* One output directory OUTDIR/NAME written atomically: the parent is
** created if missing (and removed again, as far as this run created it,
** when the output fails), the content is built in a temporary beside the
** target, and the temporary replaces the target on commit. */
struct os_output {
	char *target; /* OUTDIR/NAME */
	char *made;   /* topmost directory this run created, or NULL */
	struct os_temp tmp;
};

/* Create OUTDIR (if needed) and the temporary; o->tmp.path is where to
** write.  On failure nothing is left behind. */
MLCC_MUST_CHECK int os_output_open(struct os_output *o, const char *outdir, const char *name,
				   struct mlcc_diag *d);

/* With 'rc' == 0, make the temporary appear at the target; otherwise, or
** when that fails, remove the temporary and the directories this run
** created, and name the target rather than the temporary in 'd'.  Returns
** the final status.  On success '*target' (if not NULL) takes the target
** path (malloc'd).  Safe on a zeroed struct. */
MLCC_MUST_CHECK int os_output_close(struct os_output *o, int rc, char **target,
				    struct mlcc_diag *d);

/* Called by os_walk for each file; a non-zero return stops the walk and
** is returned by it. */
typedef int (*os_walk_fn)(void *ctx, const char *abs, const char *rel, const struct stat *st);

/* Call 'fn' for every entry below 'dir' that is not a directory, in
** directory order, with its path and its path relative to 'dir' behind
** the prefix 'rel' ("weights" -> "weights/a.bin").  Symlinks are
** followed, but with 'root_real' set an entry whose real location is
** outside that directory is an error ("<path>: leaves the package
** (symlink)").  A missing 'dir' is an empty one.  Nesting is limited. */
MLCC_MUST_CHECK int os_walk(const char *dir, const char *rel, const char *root_real, os_walk_fn fn,
			    void *ctx, struct mlcc_diag *d);

/* What 'path' is (symlinks followed): OS_MISSING (also when it cannot be
** examined), OS_FILE (a regular file), OS_DIR or OS_OTHER. */
enum os_kind { OS_MISSING = 0, OS_FILE, OS_DIR, OS_OTHER };
enum os_kind os_kind(const char *path);

/* mkdir -p with mode 0777 & ~umask.  When 'made' is not NULL it gets the
** topmost directory created (malloc'd), or NULL when all existed. */
MLCC_MUST_CHECK int os_mkdir_p(const char *path, char **made, struct mlcc_diag *d);

/* Remove 'path' recursively; never follows symlinks.  Missing is fine. */
int os_rm_rf(const char *path);

struct progress;

/* Bytes brought by os_copy_file(), by how they were brought. */
struct os_copy_stats {
	uint64_t copied, cloned, linked;
};

/* Bring the regular file 'src' to the new path 'dst' (which must not
** exist) as 'mode' says: MLCC_LINK_COPY/AUTO clone (FICLONE) when the
** file system can, else copy_file_range, else read/write through a fixed
** buffer; REFLINK clones or fails; HARD hard-links or fails.  Memory use
** does not depend on the file size.  'prog' (may be NULL) is told how far
** a streamed copy got; 'stats' (may be NULL) counts the bytes. */
MLCC_MUST_CHECK int os_copy_file(const char *src, const char *dst, enum mlcc_link_mode mode,
				 struct progress *prog, struct os_copy_stats *stats,
				 struct mlcc_diag *d);

/* Read the whole regular file 'path' (at most 'max' bytes) into a malloc'd
** buffer with a NUL after the data.  Errors name the file; a missing file
** is MLCC_E_IO with errno ENOENT's text. */
MLCC_MUST_CHECK int os_read_file(const char *path, size_t max, uint8_t **buf, size_t *len,
				 struct mlcc_diag *d);

/* Write 'n' bytes to the new file 'path'. */
MLCC_MUST_CHECK int os_write_file(const char *path, const void *p, size_t n, struct mlcc_diag *d);

/* Make directory 'tmp' appear at 'target' atomically: if 'target' exists it
** is exchanged (renameat2 RENAME_EXCHANGE, or two renames where that is not
** supported) and the old content removed. */
MLCC_MUST_CHECK int os_replace(const char *tmp, const char *target, struct mlcc_diag *d);

/* Map the regular file 'path' read-only (the runtime's weights: never read
** whole); '*size' is its size (an empty file maps to NULL, 0).  Errors name
** the file.  Release with os_unmap_file(). */
MLCC_MUST_CHECK int os_map_file(const char *path, const void **base, size_t *size,
				struct mlcc_diag *d);
void os_unmap_file(const void *base, size_t size);

/* Write a[0 .. na) then b[0 .. nb) as the file 'path', atomically: a
** temporary beside it, renamed over 'path' at the end (removed on failure).
** Mode 0666 & ~umask. */
MLCC_MUST_CHECK int os_write_file_atomic(const char *path, const void *a, size_t na, const void *b,
					 size_t nb, struct mlcc_diag *d);

#endif
