/*
** os_input.c -- the one way input files are opened and read.
**
** Every file a command reads (manifest, specification, model.mil,
** metadata.json, coremldata.bin, analytics, weights, files diff compares)
** goes through os_open_input(): the decision is made on a descriptor,
** never on the name, because a name can be swapped (for a symlink, a FIFO)
** between the moment it was listed and the moment it is read.  The name is
** opened O_PATH (nothing is read, a FIFO or device is not opened); its type
** is checked with fstat and its location read back from that descriptor;
** only then is that same file opened for reading (through /proc/self/fd),
** non-blocking so that nothing can make open() wait.
*/
#include "base/os.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"

const char *os_file_kind(mode_t m)
{
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symlink";
	return "not a regular file";
}

/* True when the absolute path 'real' is 'root' or lies below it. */
static bool under(const char *root, const char *real)
{
	size_t n = strlen(root);

	return strncmp(real, root, n) == 0 &&
	       (real[n] == '\0' || real[n] == '/' || (n > 0 && root[n - 1] == '/'));
}

/* True when the file open on 'fd' (fstat 'st', opened as 'path') lies
** inside 'root'.  The kernel says where the descriptor is; without /proc,
** the name's real path must lead to the very inode opened. */
static bool fd_within(int fd, const char *path, const struct stat *st, const char *root)
{
	char link[64], real[PATH_MAX];
	struct stat rs;
	ssize_t n;
	char *r;
	bool ok;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, real, sizeof real - 1);
	if (n > 0 && real[0] == '/') {
		real[n] = '\0';
		return under(root, real);
	}
	r = realpath(path, NULL);
	ok = r && under(root, r) && stat(r, &rs) == 0 && rs.st_dev == st->st_dev &&
	     rs.st_ino == st->st_ino;
	free(r);
	return ok;
}

/* Open for reading the file 'path' that the O_PATH descriptor 'at' (fstat
** 'st') holds: through /proc/self/fd, so it is that very file; without
** /proc by name, accepted only when it is the same inode.  -1 with errno
** set on failure (ESTALE: the name now holds another file). */
static int reopen(int at, const char *path, const struct stat *st)
{
	char link[64];
	struct stat now;
	int f;

	snprintf(link, sizeof link, "/proc/self/fd/%d", at);
	f = open(link, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (f >= 0 || errno != ENOENT)
		return f;
	f = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (f >= 0 &&
	    (fstat(f, &now) != 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino)) {
		close(f);
		errno = ESTALE;
		return -1;
	}
	return f;
}

int os_open_input(const char *root_real, const char *path, uint64_t max, int *fd, struct stat *st,
		  struct mlcc_diag *d)
{
	/* O_PATH: the file is judged before it is opened for reading, so a
	** device is never opened at all (an open can have effects). */
	int at = open(path, O_PATH | O_CLOEXEC), f = -1, rc = MLCC_OK;

	*fd = -1;
	if (at < 0)
		return diag_errno(d, path, "cannot open", errno);
	if (fstat(at, st) != 0)
		rc = diag_errno(d, path, "cannot stat", errno);
	else if (!S_ISREG(st->st_mode))
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: is %s, not a regular file", path,
			       os_file_kind(st->st_mode));
	else if (root_real && !fd_within(at, path, st, root_real))
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: leaves the package (symlink)", path);
	else if (max && (uint64_t)st->st_size > max)
		rc = diag_fail(d, MLCC_E_UNSUPPORTED, "%s: file larger than %llu bytes", path,
			       (unsigned long long)max);
	else if ((f = reopen(at, path, st)) < 0)
		rc = diag_errno(d, path, "cannot open", errno);
	/* Reads of a regular file never block; the flag only guarded open(). */
	else if (fcntl(f, F_SETFL, 0) != 0)
		rc = diag_errno(d, path, "cannot open", errno);
	close(at);
	if (rc) {
		if (f >= 0)
			close(f);
		return rc;
	}
	*fd = f;
	return MLCC_OK;
}

int os_read_file_in(const char *root_real, const char *path, size_t max, uint8_t **buf, size_t *len,
		    struct mlcc_diag *d)
{
	struct stat st;
	size_t got = 0, n;
	uint8_t *p;
	int fd, rc;

	*buf = NULL;
	*len = 0;
	rc = os_open_input(root_real, path, max ? max : SIZE_MAX - 1, &fd, &st, d);
	if (rc)
		return rc;
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

int os_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, struct mlcc_diag *d)
{
	return os_read_file_in(NULL, path, max, buf, len, d);
}
