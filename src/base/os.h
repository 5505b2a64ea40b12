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

/* What a file of mode 'm' is, for messages: "a directory", "a FIFO",
** "a character device", "a block device", "a socket", "a symlink",
** "a regular file", "not a regular file". */
const char *os_file_kind(mode_t m);

/* The one way an input file is opened (every file of every command).
** 'path' is opened O_PATH (nothing read, a FIFO or a device not opened)
** and judged on that descriptor, never on the name:
**   - fstat: a regular file, else "<path>: is a FIFO, not a regular file"
**     (directory, device, socket alike), MLCC_E_CORRUPT;
**   - with 'root_real' set, the file actually opened must lie inside it:
**     its location is read back from the descriptor (/proc/self/fd; without
**     /proc, the real path of the name must be the same inode), so a file
**     swapped for a symlink after a directory listing cannot bring in its
**     target: "<path>: leaves the package (symlink)", MLCC_E_CORRUPT;
**   - with 'max' != 0, at most 'max' bytes: "<path>: file larger than N
**     bytes", MLCC_E_UNSUPPORTED.
** Then that very file is opened for reading (via /proc/self/fd; without
** /proc by name, and only if it is still the same inode).  On success '*fd'
** is a blocking read-only descriptor (O_CLOEXEC) and '*st' its fstat.
** Symlinks are followed (a package may link inside itself). */
MLCC_MUST_CHECK int os_open_input(const char *root_real, const char *path, uint64_t max, int *fd,
				  struct stat *st, struct mlcc_diag *d);

/* Atomic output: a directory is built as a temporary beside its target,
** then swapped into place.  The temporary is named
** "<dir>/.<name>.mlcc-tmp-XXXXXX" (recognisable, hidden) and locked
** (flock on the directory) for as long as its writer lives, so that a
** later run can tell a temporary left by a killed process (lock free)
** from one still being written (lock held) and remove only the former. */
struct os_temp {
	char *path; /* the temporary directory */
	int lock;   /* descriptor holding the flock, -1 if none */
	int slot;   /* its place in the signal handlers' registry, -1 if none */
};

/* The signal handlers' registry (os_guard.c), for os.c: register the
** temporary 'tmp' (and 'made', the topmost directory its run created, or
** NULL); returns the slot, or -1 when the registry is full or a path too
** long (the temporary is then not removed on a signal). */
int os_sig_register(const char *tmp, const char *made);
void os_sig_unregister(int slot);

/* Remove the stale temporaries of 'name' in 'dir', then create and lock a
** new one (mode 0777 & ~umask, like any mkdir).  While it exists the
** temporary is in a small registry that SIGINT, SIGTERM and SIGHUP
** handlers empty (removing each temporary and the output directories its
** run created) before the signal is raised again with its default action;
** the handlers are installed on first use, only for signals whose action
** is still the default (a host program's own handlers are kept).  Errors: "<dir>: cannot
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
	char *side, *side_tmp; /* a side file and its temporary (os_output_side) */
	int side_slot;	       /* the temporary's registry slot */
};

/* Refuse an output 'target' (which may not exist yet) that is, contains or
** lies inside one of 'inputs' (a NULL-terminated list; the paths as
** given).  Decided on real paths and inodes: the deepest existing ancestor
** of 'target' is resolved, the rest appended.  Errors (MLCC_E_USAGE):
** "<target>: the output is the input '<input>'", "... lies inside the
** input '<input>'", "... contains the input '<input>', which it would
** replace". */
MLCC_MUST_CHECK int os_output_guard(const char *target, const char *const *inputs,
				    struct mlcc_diag *d);

/* Create OUTDIR (if needed) and the temporary; o->tmp.path is where to
** write.  On failure nothing is left behind. */
MLCC_MUST_CHECK int os_output_open(struct os_output *o, const char *outdir, const char *name,
				   struct mlcc_diag *d);

/* A side file committed with the output (the partial Info.plist): 'n'
** bytes written now into a temporary beside 'path', so that a path that
** cannot be written fails before anything is committed; os_output_close()
** renames it into place right after the output (removes it on failure).
** One side file per output. */
MLCC_MUST_CHECK int os_output_side(struct os_output *o, const char *path, const void *p, size_t n,
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
** (symlink)").  A directory reached a second time (its st_dev/st_ino
** already listed: a symlink loop such as "a -> .") is an error
** ("<path>: leads back to a directory already listed (symlink loop)").
** A missing 'dir' is an empty one.  Nesting is limited. */
MLCC_MUST_CHECK int os_walk(const char *dir, const char *rel, const char *root_real, os_walk_fn fn,
			    void *ctx, struct mlcc_diag *d);

/* What 'path' is (symlinks followed): OS_MISSING (also when it cannot be
** examined), OS_FILE (a regular file), OS_DIR or OS_OTHER. */
enum os_kind { OS_MISSING = 0, OS_FILE, OS_DIR, OS_OTHER };
enum os_kind os_kind(const char *path);

/* mkdir -p with mode 0777 & ~umask.  When 'made' is not NULL it gets the
** topmost directory created (malloc'd), or NULL when all existed. */
MLCC_MUST_CHECK int os_mkdir_p(const char *path, char **made, struct mlcc_diag *d);

/* Remove 'path' recursively; never follows symlinks.  Missing is fine.
** Holds one descriptor at a time (works with almost no descriptors left,
** `ulimit -n 5`) and is async-signal-safe (the signal handlers use it). */
int os_rm_rf(const char *path);

struct progress;

/* Bytes brought by os_copy_file(), by how they were brought. */
struct os_copy_stats {
	uint64_t copied, cloned, linked;
};

/* Bring the regular file 'src' (opened by os_open_input() inside
** 'root_real', which may be NULL; the copy reads that descriptor) to the
** new path 'dst' (which must not exist) as 'mode' says: MLCC_LINK_COPY/AUTO clone (FICLONE) when
*the
** file system can, else copy_file_range, else read/write through a fixed
** buffer; REFLINK clones or fails; HARD hard-links (the descriptor's
** file, through /proc/self/fd) or fails.  Memory use does not depend on
** the file size.  Holes stay holes: a streamed copy visits only the data
** (SEEK_DATA/SEEK_HOLE) and sets the size at the end, so the bytes written
** are the data bytes.  'prog' (may be NULL) is told how far
** a streamed copy got; 'stats' (may be NULL) counts the bytes. */
MLCC_MUST_CHECK int os_copy_file(const char *root_real, const char *src, const char *dst,
				 enum mlcc_link_mode mode, struct progress *prog,
				 struct os_copy_stats *stats, struct mlcc_diag *d);

/* Read the whole regular file 'path' (at most 'max' bytes) into a malloc'd
** buffer with a NUL after the data.  Errors name the file; a missing file
** is MLCC_E_IO with errno ENOENT's text.  Opened by os_open_input() with no
** root (type and size checked). */
MLCC_MUST_CHECK int os_read_file(const char *path, size_t max, uint8_t **buf, size_t *len,
				 struct mlcc_diag *d);

/* os_read_file() of a file that must lie inside 'root_real' (may be NULL:
** no such check), checked on the descriptor (os_open_input). */
MLCC_MUST_CHECK int os_read_file_in(const char *root_real, const char *path, size_t max,
				    uint8_t **buf, size_t *len, struct mlcc_diag *d);

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
