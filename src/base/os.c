/*
** os.c -- the operating-system layer: safe paths, walks, temporaries and
** atomic output, streaming copies and clones, whole-file I/O.
*/
#include "base/os.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/progress.h"

#define COPY_BUFFER (1u << 20)

char *os_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	bool slash = la > 0 && a[la - 1] != '/';
	char *p = malloc(la + slash + lb + 1);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	if (slash)
		p[la] = '/';
	memcpy(p + la + slash, b, lb + 1);
	return p;
}

const char *os_basename(const char *path, size_t *len)
{
	size_t end = strlen(path), start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*len = end - start;
	return path + start;
}

bool os_rel_path_safe(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return false;
	while (*p) {
		const char *q = strchr(p, '/');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!q)
			break;
		p = q + 1;
		if (!*p)
			return false; /* trailing slash */
	}
	return true;
}

bool os_within(const char *root_real, const char *path)
{
	char *real = realpath(path, NULL);
	size_t n = strlen(root_real);
	bool ok;

	if (!real)
		return false;
	ok = strncmp(real, root_real, n) == 0 &&
	     (real[n] == '\0' || real[n] == '/' || (n > 0 && root_real[n - 1] == '/'));
	free(real);
	return ok;
}

#define TEMP_TAG ".mlcc-tmp-"

/* Remove every ".<name>.mlcc-tmp-*" in 'dir' whose lock is free: its
** writer died (kill -9, power loss).  Locked ones are being written. */
static void clean_stale(const char *dir, const char *name)
{
	size_t plen = strlen(name) + sizeof TEMP_TAG;
	char *prefix = malloc(plen + 1);
	DIR *dp = prefix ? opendir(dir) : NULL;
	struct dirent *e;

	if (prefix)
		snprintf(prefix, plen + 1, ".%s" TEMP_TAG, name);
	while (dp && (e = readdir(dp)) != NULL) {
		char *p;
		int fd;
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		p = os_join(dir, e->d_name);
		/* Only directories are ours; a FIFO of that name must not block. */
		fd = p ? open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY | O_NONBLOCK) : -1;
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			os_rm_rf(p);
		if (fd >= 0)
			close(fd);
		free(p);
	}
	if (dp)
		closedir(dp);
	free(prefix);
}

/* Lock the directory 'p' just made.  Another run's clean_stale() may have
** seen it unlocked between mkdir() and here and removed it: so wait for the
** lock (a cleaner holds it only while removing), then check that 'p' is
** still the directory locked.  Returns the lock's descriptor; -1 when the
** file system has no flock (the temporary is then unprotected); -2 when
** the directory was taken away; -3 when no descriptor is left. */
static int lock_new_temp(const char *p)
{
	struct stat a, b;
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? -2 : errno == EMFILE || errno == ENFILE ? -3 : -1;
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	if (fstat(fd, &a) != 0 || stat(p, &b) != 0 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev) {
		close(fd);
		return -2;
	}
	return fd;
}

/* os_temp_create(), registered for the signal handlers with 'made'. */
static int temp_create(struct os_temp *t, const char *dir, const char *name, const char *made,
		       struct mlcc_diag *d)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(dir) + strlen(name) + 32;
	char *p = malloc(n);

	t->path = NULL;
	t->lock = -1;
	t->slot = -1;
	if (!p)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	clean_stale(dir, name);
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char r[6];
		char suffix[7];
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
			/* No entropy source: still unique enough with a retry. */
			unsigned long x = (unsigned long)getpid() * 2654435761u +
					  (unsigned long)attempt * 40503u +
					  (unsigned long)time(NULL);
			for (int i = 0; i < 6; i++, x /= 62)
				r[i] = (unsigned char)(x % 62);
		}
		for (int i = 0; i < 6; i++)
			suffix[i] = chars[r[i] % 62];
		suffix[6] = '\0';
		snprintf(p, n, "%s/.%s" TEMP_TAG "%s", dir, name, suffix);
		if (mkdir(p, 0777) == 0) {
			int lock = lock_new_temp(p);
			if (lock == -2)
				continue; /* a cleaner took it: another name */
			if (lock == -3) {
				/* No descriptor to spare: the lock is also the one
				** the removal of a failed run will need. */
				rmdir(p);
				errno = EMFILE;
				break;
			}
			t->path = p;
			t->lock = lock;
			t->slot = os_sig_register(p, made);
			return MLCC_OK;
		}
		if (errno != EEXIST)
			break;
	}
	diag_errno(d, dir, "cannot write to the output directory", errno);
	free(p);
	return d->status;
}

int os_temp_create(struct os_temp *t, const char *dir, const char *name, struct mlcc_diag *d)
{
	return temp_create(t, dir, name, NULL, d);
}

static void temp_release(struct os_temp *t)
{
	if (t->path)
		os_sig_unregister(t->slot);
	t->slot = -1;
	if (t->lock >= 0)
		close(t->lock); /* releases the flock */
	free(t->path);
	t->path = NULL;
	t->lock = -1;
}

int os_temp_commit(struct os_temp *t, const char *target, struct mlcc_diag *d)
{
	int rc = os_replace(t->path, target, d);

	if (rc)
		os_temp_discard(t);
	else
		temp_release(t);
	return rc;
}

void os_temp_discard(struct os_temp *t)
{
	/* The lock's descriptor first: the removal needs one. */
	if (t->lock >= 0)
		close(t->lock);
	t->lock = -1;
	if (t->path)
		os_rm_rf(t->path);
	temp_release(t);
}

int os_output_open(struct os_output *o, const char *outdir, const char *name, struct mlcc_diag *d)
{
	int rc;

	memset(o, 0, sizeof *o);
	o->tmp.lock = -1;
	o->tmp.slot = -1;
	rc = os_mkdir_p(outdir, &o->made, d);
	if (!rc && !(o->target = os_join(outdir, name)))
		rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", outdir);
	if (!rc)
		rc = temp_create(&o->tmp, outdir, name, o->made, d);
	if (rc)
		rc = os_output_close(o, rc, NULL, d); /* still the error */
	return rc;
}

/* Remove the empty directories from 'dir' up to 'top' (both included),
** the ones a failed run created. */
static void remove_made(const char *dir, const char *top)
{
	char *p = strdup(dir);
	size_t n = strlen(top);

	while (p && strlen(p) >= n && rmdir(p) == 0 && strlen(p) > n) {
		char *slash = strrchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	free(p);
}

/* The side file's temporary into place (rc == 0) or removed. */
static int side_close(struct os_output *o, int rc, struct mlcc_diag *d)
{
	if (o->side_tmp && !rc && rename(o->side_tmp, o->side) != 0)
		rc = diag_errno(d, o->side, "cannot write", errno);
	if (o->side_tmp && rc)
		unlink(o->side_tmp);
	if (o->side_tmp)
		os_sig_unregister(o->side_slot);
	free(o->side);
	free(o->side_tmp);
	o->side = o->side_tmp = NULL;
	o->side_slot = -1;
	return rc;
}

int os_output_side(struct os_output *o, const char *path, const void *p, size_t n,
		   struct mlcc_diag *d)
{
	size_t len = strlen(path);
	const char *base = path + len;
	int rc;

	while (base > path && base[-1] != '/')
		base--;
	if (!*path || !*base)
		return diag_fail(d, MLCC_E_USAGE, "'%s': not a file name", path);
	o->side = strdup(path);
	o->side_tmp = malloc(len + sizeof TEMP_TAG + 16);
	if (!o->side || !o->side_tmp)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	for (unsigned attempt = 0;; attempt++) {
		snprintf(o->side_tmp, len + sizeof TEMP_TAG + 16, "%.*s.%s" TEMP_TAG "%u%u",
			 (int)(base - path), path, base, (unsigned)getpid() % 100000u,
			 attempt % 10000u);
		rc = os_write_file(o->side_tmp, p, n, d);
		if (rc == MLCC_OK || attempt > 100 || access(o->side_tmp, F_OK) != 0)
			break;
		diag_clear(d); /* a name left by another run: try the next */
	}
	if (rc) {
		diag_replace(d, o->side_tmp, path);
		free(o->side_tmp);
		o->side_tmp = NULL;
		return rc;
	}
	o->side_slot = os_sig_register(o->side_tmp, NULL);
	return MLCC_OK;
}

int os_output_close(struct os_output *o, int rc, char **target, struct mlcc_diag *d)
{
	if (!rc && o->tmp.path) {
		rc = os_temp_commit(&o->tmp, o->target, d);
		rc = side_close(o, rc, d);
	} else {
		side_close(o, 1, d);
		/* The user knows the target, not our temporary name. */
		if (o->target)
			diag_replace(d, o->tmp.path, o->target);
		os_temp_discard(&o->tmp);
	}
	if (rc && o->made && o->target) {
		char *parent = strdup(o->target), *slash;
		if (parent && (slash = strrchr(parent, '/')) != NULL) {
			*slash = '\0';
			remove_made(parent, o->made);
		}
		free(parent);
	}
	if (!rc && target) {
		*target = o->target;
		o->target = NULL;
	}
	free(o->target);
	free(o->made);
	o->target = o->made = NULL;
	return rc;
}

/* One walk: its callback and the directories listed so far. */
struct walker {
	const char *root_real;
	os_walk_fn fn;
	void *ctx;
	struct mlcc_diag *d;
	struct {
		dev_t dev;
		ino_t ino;
	} * seen;
	size_t nseen, cap;
};

/* Note the directory 'st' as listed; false when it was already (a
** symlink loop, or a second way to it), or out of memory (d set). */
static int note_dir(struct walker *w, const char *dir, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return diag_fail(w->d, MLCC_E_CORRUPT,
					 "%s: leads back to a directory already listed "
					 "(symlink loop)",
					 dir);
	if (w->nseen == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		void *p = realloc(w->seen, cap * sizeof *w->seen);
		if (!p)
			return diag_fail(w->d, MLCC_E_NOMEM, "%s: out of memory", dir);
		w->seen = p;
		w->cap = cap;
	}
	w->seen[w->nseen].dev = st->st_dev;
	w->seen[w->nseen].ino = st->st_ino;
	w->nseen++;
	return MLCC_OK;
}

static int walk(struct walker *w, const char *dir, const char *rel, unsigned depth)
{
	struct mlcc_diag *d = w->d;
	DIR *dp;
	struct dirent *e;
	struct stat st;
	int rc = MLCC_OK;

	if (depth > MLCC_MAX_DIR_NESTING)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: directories nested too deeply", dir);
	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? MLCC_OK : diag_errno(d, dir, "cannot read", errno);
	/* The directory opened, by its descriptor: a loop is caught even when
	** 'dir' was swapped since it was stat'ed. */
	if (fstat(dirfd(dp), &st) != 0)
		rc = diag_errno(d, dir, "cannot read", errno);
	else
		rc = note_dir(w, dir, &st);
	while (rc == MLCC_OK && (e = readdir(dp)) != NULL) {
		char *abs, *r;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		abs = os_join(dir, e->d_name);
		r = os_join(rel, e->d_name);
		/* Only a symlink can lead out of a directory already inside
		** (the files themselves are checked again when opened). */
		if (!abs || !r)
			rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		else if (w->root_real && (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) &&
			 !os_within(w->root_real, abs))
			rc = diag_fail(d, MLCC_E_CORRUPT, "%s: leaves the package (symlink)", abs);
		else if (fstatat(dirfd(dp), e->d_name, &st, 0) != 0)
			rc = diag_errno(d, abs, "cannot read", errno);
		else if (S_ISDIR(st.st_mode))
			rc = walk(w, abs, r, depth + 1);
		else
			rc = w->fn(w->ctx, abs, r, &st);
		free(abs);
		free(r);
	}
	closedir(dp);
	return rc;
}

int os_walk(const char *dir, const char *rel, const char *root_real, os_walk_fn fn, void *ctx,
	    struct mlcc_diag *d)
{
	struct walker w = {root_real, fn, ctx, d, NULL, 0, 0};
	struct stat st;
	int rc;

	/* The top directory itself may be a symlink out. */
	if (root_real && lstat(dir, &st) == 0 && !os_within(root_real, dir))
		return diag_fail(d, MLCC_E_CORRUPT, "%s: leaves the package (symlink)", dir);
	rc = walk(&w, dir, rel, 0);

	free(w.seen);
	return rc;
}

enum os_kind os_kind(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return OS_MISSING;
	return S_ISREG(st.st_mode) ? OS_FILE : S_ISDIR(st.st_mode) ? OS_DIR : OS_OTHER;
}

int os_mkdir_p(const char *path, char **made, struct mlcc_diag *d)
{
	char *p = *path ? strdup(path) : NULL;
	struct stat st;

	if (made)
		*made = NULL;
	if (!*path)
		return diag_fail(d, MLCC_E_USAGE, "empty directory name");
	if (!p)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;
		*s = '\0';
		if (mkdir(p, 0777) == 0) {
			if (made && !*made && !(*made = strdup(p))) {
				free(p);
				return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
			}
		} else if (errno != EEXIST) {
			int rc = diag_errno(d, p, "cannot create directory", errno);
			free(p);
			return rc;
		}
		*s = saved;
		if (!saved)
			break;
	}
	free(p);
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return diag_fail(d, MLCC_E_IO, "%s: not a directory", path);
	return MLCC_OK;
}

/* Streamed copies go in steps of this size, to report progress. */
#define COPY_STEP ((size_t)16 << 20)

/* Copy the bytes [from, to) of 'in' to the same offsets of 'out' through
** a buffer (allocated on first use into '*buf').  Returns 0 or an errno;
** a file that shrank ends the copy early. */
static int copy_range_rw(int in, int out, off_t from, off_t to, char **buf)
{
	if (!*buf && !(*buf = malloc(COPY_BUFFER)))
		return ENOMEM;
	while (from < to) {
		size_t want =
			(uint64_t)(to - from) < COPY_BUFFER ? (size_t)(to - from) : COPY_BUFFER;
		ssize_t n = pread(in, *buf, want, from);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : 0;
		for (ssize_t off = 0; off < n;) {
			ssize_t k = pwrite(out, *buf + off, (size_t)(n - off), from + off);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return errno;
			off += k;
		}
		from += n;
	}
	return 0;
}

/* Copy [from, to): copy_file_range in steps (the kernel moves the bytes),
** else through a buffer.  Progress is 'done' plus what was copied. */
static int copy_range(int in, int out, off_t from, off_t to, char **buf, bool *no_cfr,
		      struct progress *prog)
{
	while (from < to) {
		uint64_t left = (uint64_t)(to - from);
		size_t step = left < COPY_STEP ? (size_t)left : COPY_STEP;
		loff_t ri = from, ro = from;
		ssize_t n = *no_cfr ? -1 : copy_file_range(in, &ri, out, &ro, step, 0);
		int err;
		if (n < 0 && !*no_cfr && errno == EINTR)
			continue;
		if (n < 0 && (*no_cfr || errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
			      errno == EOPNOTSUPP)) {
			*no_cfr = true;
			if ((err = copy_range_rw(in, out, from, from + (off_t)step, buf)) != 0)
				return err;
			n = (ssize_t)step;
		} else if (n < 0) {
			return errno;
		} else if (n == 0) {
			return 0; /* the file shrank; copy what there is */
		}
		from += n;
		if (!progress_update(prog, (uint64_t)from))
			return ECANCELED;
	}
	return 0;
}

/* Copy the data of 'in' (size 'size') to 'out', hole by hole: only the
** ranges SEEK_DATA finds are written, then the size is set, so holes stay
** holes and the bytes written are the data bytes.  Without SEEK_DATA the
** whole file is one data range.  Anything appended since fstat() comes
** along too.  Returns 0 or an errno. */
static int copy_stream(int in, int out, off_t size, struct progress *prog)
{
	char *buf = NULL;
	bool no_cfr = false, dense = false;
	off_t pos = 0, copied = 0; /* 'copied': end of the last range copied */
	struct stat st;
	int err = 0;

	for (;;) {
		while (!err && pos < size) {
			off_t data = dense ? pos : lseek(in, pos, SEEK_DATA), hole;
			if (data < 0 && errno == ENXIO)
				break; /* only a hole is left */
			if (data < 0) {
				dense = true; /* no SEEK_DATA here */
				continue;
			}
			hole = dense ? size : lseek(in, data, SEEK_HOLE);
			if (hole < 0 || hole > size)
				hole = size;
			err = copy_range(in, out, data, hole, &buf, &no_cfr, prog);
			pos = copied = hole;
		}
		if (err || fstat(in, &st) != 0 || st.st_size <= size)
			break;
		size = st.st_size;
	}
	free(buf);
	if (!err && ftruncate(out, size) != 0)
		err = errno;
	/* A file that ends in a hole: progress reaches the end too. */
	if (!err && copied < size && !progress_update(prog, (uint64_t)size))
		err = ECANCELED;
	return err;
}

static int fail_link(struct mlcc_diag *d, const char *src, const char *dst, const char *how,
		     int err, const char *hint)
{
	return diag_fail(d, MLCC_E_IO, "%s: cannot %s %s: %s (%s)", dst, how, src, strerror(err),
			 hint);
}

/* Hard-link the file open on 'in' (opened as 'src') at 'dst': through
** /proc/self/fd, so the link is to the file checked, not to whatever the
** name holds now; by name only without /proc. */
static int link_fd(int in, const char *src, const char *dst)
{
	char p[64];

	snprintf(p, sizeof p, "/proc/self/fd/%d", in);
	if (linkat(AT_FDCWD, p, AT_FDCWD, dst, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != ENOENT || access("/proc/self/fd", F_OK) == 0)
		return -1;
	return link(src, dst);
}

int os_copy_file(const char *root_real, const char *src, const char *dst, enum mlcc_link_mode mode,
		 struct progress *prog, struct os_copy_stats *stats, struct mlcc_diag *d)
{
	struct os_copy_stats none;
	struct stat st;
	int in, out, err, rc;

	if (!stats)
		stats = &none;
	rc = os_open_input(root_real, src, 0, &in, &st, d);
	if (rc)
		return rc;
	if (mode == MLCC_LINK_HARD) {
		err = link_fd(in, src, dst) == 0 ? 0 : errno;
		close(in);
		if (!err) {
			stats->linked += (uint64_t)st.st_size;
			return MLCC_OK;
		}
		return fail_link(d, src, dst, "hard-link", err,
				 "--link hard needs the output on the input's file system");
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (out < 0) {
		err = errno;
		close(in);
		return diag_errno(d, dst, "cannot create", err);
	}
	if (ioctl(out, FICLONE, in) == 0) {
		err = 0;
		stats->cloned += (uint64_t)st.st_size;
	} else if (mode == MLCC_LINK_REFLINK) {
		err = errno;
		close(in);
		close(out);
		return fail_link(d, src, dst, "clone", err,
				 "the file system has no reflinks; use --link copy or hard");
	} else {
		const char *base = strrchr(dst, '/');
		progress_begin(prog, base ? base + 1 : dst, (uint64_t)st.st_size);
		/* As cp does: a larger read-ahead window for cold files. */
		(void)posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
		err = copy_stream(in, out, st.st_size, prog);
		if (!err)
			stats->copied += (uint64_t)st.st_size;
	}
	close(in);
	if (close(out) != 0 && !err)
		err = errno;
	if (err)
		return diag_errno(d, dst, "cannot copy weights", err);
	return MLCC_OK;
}

int os_write_file(const char *path, const void *p, size_t n, struct mlcc_diag *d)
{
	const char *c = p;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	int err = 0;

	if (fd < 0)
		return diag_errno(d, path, "cannot create", errno);
	while (n > 0) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err = errno;
			break;
		}
		c += k;
		n -= (size_t)k;
	}
	if (close(fd) != 0 && !err)
		err = errno;
	if (err)
		return diag_errno(d, path, "write failed", err);
	return MLCC_OK;
}

int os_replace(const char *tmp, const char *target, struct mlcc_diag *d)
{
	struct stat st;
	char *old;

	if (rename(tmp, target) == 0)
		return MLCC_OK;
	if (lstat(target, &st) != 0)
		return diag_errno(d, target, "cannot create bundle", errno);
	/* The target exists: swap it with the new bundle in one step. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) == 0) {
		os_rm_rf(tmp); /* now the old bundle */
		return MLCC_OK;
	}
	if (errno != EINVAL && errno != ENOSYS)
		return diag_errno(d, target, "cannot replace bundle", errno);
	/* No exchange on this file system: move the old one aside first. */
	old = malloc(strlen(tmp) + 5);
	if (!old)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", target);
	sprintf(old, "%s.old", tmp);
	if (rename(target, old) != 0) {
		int rc = diag_errno(d, target, "cannot replace bundle", errno);
		free(old);
		return rc;
	}
	if (rename(tmp, target) != 0) {
		int rc = diag_errno(d, target, "cannot replace bundle", errno);
		rename(old, target); /* put the old bundle back */
		free(old);
		return rc;
	}
	os_rm_rf(old);
	free(old);
	return MLCC_OK;
}

int os_map_file(const char *path, const void **base, size_t *size, struct mlcc_diag *d)
{
	struct stat st;
	void *p;
	int fd, rc;

	*base = NULL;
	*size = 0;
	/* the one safe way in: a FIFO or device is refused before it is read */
	if ((rc = os_open_input(NULL, path, 0, &fd, &st, d)) != MLCC_OK)
		return rc;
	if ((uint64_t)st.st_size > SIZE_MAX)
		rc = diag_fail(d, MLCC_E_UNSUPPORTED, "%s: file too large to map", path);
	else if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			rc = diag_errno(d, path, "cannot map", errno);
		else {
			*base = p;
			*size = (size_t)st.st_size;
		}
	}
	close(fd);
	return rc;
}

void os_unmap_file(const void *base, size_t size)
{
	if (base != NULL && size > 0)
		munmap((void *)base, size);
}

/* The process umask (read by setting it back at once). */
static mode_t current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/* Write all of p[0 .. n) to 'fd'; 0 or an errno value. */
static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

int os_write_file_atomic(const char *path, const void *a, size_t na, const void *b, size_t nb,
			 struct mlcc_diag *d)
{
	size_t len;
	const char *base = os_basename(path, &len);
	size_t dirlen = (size_t)(base - path);
	char *tmp = malloc(dirlen + len + 32);
	int fd, err;

	if (tmp == NULL)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	snprintf(tmp, dirlen + len + 32, "%.*s.%.*s.mlcc-tmp-XXXXXX", (int)dirlen, path, (int)len,
		 base);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		err = diag_errno(d, path, "cannot create", errno);
		free(tmp);
		return err;
	}
	err = write_all(fd, a, na);
	if (!err)
		err = write_all(fd, b, nb);
	if (!err && fchmod(fd, 0666 & ~current_umask()) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err) {
		unlink(tmp);
		free(tmp);
		return diag_errno(d, path, "write failed", err);
	}
	free(tmp);
	return MLCC_OK;
}
