/*
** os.c -- the operating-system layer: safe paths, walks, temporaries and
** atomic output, streaming copies and clones, whole-file I/O.
*/
#include "base/os.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
		fd = p ? open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
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
** the directory was taken away. */
static int lock_new_temp(const char *p)
{
	struct stat a, b;
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW);

	if (fd < 0)
		return errno == ENOENT ? -2 : -1;
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

int os_temp_create(struct os_temp *t, const char *dir, const char *name, struct mlcc_diag *d)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(dir) + strlen(name) + 32;
	char *p = malloc(n);

	t->path = NULL;
	t->lock = -1;
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
			t->path = p;
			t->lock = lock;
			return MLCC_OK;
		}
		if (errno != EEXIST)
			break;
	}
	diag_errno(d, dir, "cannot write to the output directory", errno);
	free(p);
	return d->status;
}

static void temp_release(struct os_temp *t)
{
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
		os_rm_rf(t->path);
	temp_release(t);
	return rc;
}

void os_temp_discard(struct os_temp *t)
{
	if (t->path)
		os_rm_rf(t->path);
	temp_release(t);
}

int os_output_open(struct os_output *o, const char *outdir, const char *name, struct mlcc_diag *d)
{
	int rc;

	memset(o, 0, sizeof *o);
	o->tmp.lock = -1;
	rc = os_mkdir_p(outdir, &o->made, d);
	if (!rc && !(o->target = os_join(outdir, name)))
		rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", outdir);
	if (!rc)
		rc = os_temp_create(&o->tmp, outdir, name, d);
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

int os_output_close(struct os_output *o, int rc, char **target, struct mlcc_diag *d)
{
	if (!rc && o->tmp.path) {
		rc = os_temp_commit(&o->tmp, o->target, d);
	} else {
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

static int walk(const char *dir, const char *rel, const char *root_real, os_walk_fn fn, void *ctx,
		unsigned depth, struct mlcc_diag *d)
{
	DIR *dp;
	struct dirent *e;
	int rc = MLCC_OK;

	if (depth > MLCC_MAX_DIR_NESTING)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: directories nested too deeply", dir);
	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? MLCC_OK : diag_errno(d, dir, "cannot read", errno);
	while (rc == MLCC_OK && (e = readdir(dp)) != NULL) {
		struct stat st;
		char *abs, *r;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		abs = os_join(dir, e->d_name);
		r = os_join(rel, e->d_name);
		if (!abs || !r)
			rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		else if (root_real && !os_within(root_real, abs))
			rc = diag_fail(d, MLCC_E_CORRUPT, "%s: leaves the package (symlink)", abs);
		else if (stat(abs, &st) != 0)
			rc = diag_errno(d, abs, "cannot read", errno);
		else if (S_ISDIR(st.st_mode))
			rc = walk(abs, r, root_real, fn, ctx, depth + 1, d);
		else
			rc = fn(ctx, abs, r, &st);
		free(abs);
		free(r);
	}
	closedir(dp);
	return rc;
}

int os_walk(const char *dir, const char *rel, const char *root_real, os_walk_fn fn, void *ctx,
	    struct mlcc_diag *d)
{
	return walk(dir, rel, root_real, fn, ctx, 0, d);
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

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

int os_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Streamed copies go in steps of this size, to report progress. */
#define COPY_STEP ((size_t)16 << 20)

/* Stream the rest of 'in' to 'out' through a buffer, from 'done' bytes. */
static int copy_rw(int in, int out, uint64_t done, struct progress *prog)
{
	char *buf = malloc(COPY_BUFFER);
	int rc = 0;

	if (!buf)
		return ENOMEM;
	for (;;) {
		ssize_t n = read(in, buf, COPY_BUFFER);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? errno : 0;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t k = write(out, buf + off, (size_t)(n - off));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = errno;
				goto done;
			}
			off += k;
		}
		done += (uint64_t)n;
		if (!progress_update(prog, done)) {
			rc = ECANCELED;
			break;
		}
	}
done:
	free(buf);
	return rc;
}

/* copy_file_range in steps, else read/write.  Returns 0 or an errno. */
static int copy_stream(int in, int out, off_t size, struct progress *prog)
{
	uint64_t done = 0;

	while (done < (uint64_t)size) {
		uint64_t left = (uint64_t)size - done;
		ssize_t n = copy_file_range(in, NULL, out, NULL,
					    left < COPY_STEP ? (size_t)left : COPY_STEP, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && done == 0 &&
		    (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
			return copy_rw(in, out, 0, prog);
		if (n < 0)
			return errno;
		if (n == 0)
			break; /* the file shrank; copy what there is */
		done += (uint64_t)n;
		if (!progress_update(prog, done))
			return ECANCELED;
	}
	/* Anything appended since fstat() comes along too. */
	return done < (uint64_t)size ? 0 : copy_rw(in, out, done, prog);
}

static int fail_link(struct mlcc_diag *d, const char *src, const char *dst, const char *how,
		     int err, const char *hint)
{
	return diag_fail(d, MLCC_E_IO, "%s: cannot %s %s: %s (%s)", dst, how, src, strerror(err),
			 hint);
}

int os_copy_file(const char *src, const char *dst, enum mlcc_link_mode mode, struct progress *prog,
		 struct os_copy_stats *stats, struct mlcc_diag *d)
{
	struct os_copy_stats none;
	struct stat st;
	int in, out, err;

	if (!stats)
		stats = &none;
	if (mode == MLCC_LINK_HARD) {
		if (link(src, dst) == 0) {
			if (lstat(dst, &st) == 0)
				stats->linked += (uint64_t)st.st_size;
			return MLCC_OK;
		}
		return fail_link(d, src, dst, "hard-link", errno,
				 "--link hard needs the output on the input's file system");
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return diag_errno(d, src, "cannot open", errno);
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return diag_fail(d, MLCC_E_IO, "%s: not a regular file", src);
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

int os_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, struct mlcc_diag *d)
{
	struct stat st;
	size_t got = 0, n;
	uint8_t *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = MLCC_OK;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return diag_errno(d, path, "cannot open", errno);
	if (fstat(fd, &st) != 0) {
		rc = diag_errno(d, path, "cannot stat", errno);
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return S_ISREG(st.st_mode)
			       ? diag_fail(d, MLCC_E_UNSUPPORTED, "%s: file larger than %zu bytes",
					   path, max)
			       : diag_fail(d, MLCC_E_CORRUPT, "%s: not a regular file", path);
	}
	n = (size_t)st.st_size;
	p = malloc(n + 1);
	if (!p) {
		close(fd);
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
	}
	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = k < 0 ? diag_errno(d, path, "read failed", errno)
				   : diag_fail(d, MLCC_E_IO, "%s: file shrank while reading", path);
			break;
		}
		got += (size_t)k;
	}
	close(fd);
	if (rc) {
		free(p);
		return rc;
	}
	p[n] = '\0';
	*buf = p;
	*len = n;
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
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = MLCC_OK;

	*base = NULL;
	*size = 0;
	if (fd < 0)
		return diag_errno(d, path, "cannot open", errno);
	if (fstat(fd, &st) != 0)
		rc = diag_errno(d, path, "cannot stat", errno);
	else if (!S_ISREG(st.st_mode))
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: not a regular file", path);
	else if ((uint64_t)st.st_size > SIZE_MAX)
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
