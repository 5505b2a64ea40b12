/*
** os_guard.c -- output safety: an output never overlaps an input, a
** removal that needs one descriptor, and the signal handlers that remove
** the temporaries of an interrupted run.
**
** The handlers run in signal context, so everything they touch is set up
** beforehand: the registry holds fixed-size copies of the paths, and the
** removal uses only system calls (open, getdents64, unlinkat, rmdir).
*/
#include "base/os.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/diag.h"

/* ---- removal with one descriptor ---------------------------------------- */

struct dent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Remove every non-directory entry of the directory 'path' and copy the
** name of one subdirectory (if any) into 'sub'.  One descriptor, closed on
** return.  Returns 1 when a subdirectory was found, 0 when none, -1 when
** the directory cannot be read. */
static int empty_files(const char *path, char *sub, size_t subcap)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), found = 0;
	long n;

	if (fd < 0)
		return -1;
	while (!found && (n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			struct dent64 *e = (struct dent64 *)(buf + off);
			off += e->reclen;
			if (e->name[0] == '.' &&
			    (!e->name[1] || (e->name[1] == '.' && !e->name[2])))
				continue;
			if (unlinkat(fd, e->name, 0) == 0 || errno == ENOENT)
				continue;
			if (!found && strlen(e->name) < subcap) {
				strcpy(sub, e->name);
				found = 1;
			}
		}
	}
	close(fd);
	return found;
}

/* Remove the tree at the path in 'p' (length 'len', capacity PATH_MAX),
** depth first, one descriptor at a time; 'p' is restored on return. */
static int rm_tree(char *p, size_t len, unsigned depth)
{
	char sub[256];
	int r;

	if (depth > 64)
		return -1;
	while ((r = empty_files(p, sub, sizeof sub)) == 1) {
		size_t sl = strlen(sub);
		if (len + 1 + sl >= PATH_MAX)
			return -1;
		p[len] = '/';
		memcpy(p + len + 1, sub, sl + 1);
		r = rm_tree(p, len + 1 + sl, depth + 1);
		p[len] = '\0';
		if (r != 0)
			return -1;
	}
	return r < 0 ? -1 : rmdir(p);
}

int os_rm_rf(const char *path)
{
	char p[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof p)
		return -1;
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	memcpy(p, path, n + 1);
	return rm_tree(p, n, 0);
}

/* ---- the registry of temporaries ---------------------------------------- */

#define SLOTS 64

struct slot {
	char tmp[PATH_MAX];    /* the temporary */
	char parent[PATH_MAX]; /* its parent, removed up to 'made' ... */
	char made[PATH_MAX];   /* ... the topmost directory the run created, or "" */
};

static struct slot slots[SLOTS];
static atomic_int used[SLOTS]; /* 0 free, 1 being filled, 2 live */
static atomic_int installed;

/* Remove the live temporaries, then die of 'sig' as if not caught. */
static void on_signal(int sig)
{
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];
		size_t n;
		if (atomic_load(&used[i]) != 2)
			continue;
		/* Other threads run on while this one removes (the copier may
		** recreate a directory): remove until it stays gone. */
		for (int k = 0; k < 8 && access(s->tmp, F_OK) == 0; k++)
			os_rm_rf(s->tmp);
		n = strlen(s->made);
		/* The directories made for the run, deepest first. */
		while (n && strlen(s->parent) >= n && rmdir(s->parent) == 0 &&
		       strlen(s->parent) > n) {
			char *slash = strrchr(s->parent, '/');
			if (!slash)
				break;
			*slash = '\0';
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Install on_signal for the signals still at their default action. */
static void install(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	int expected = 0;

	if (!atomic_compare_exchange_strong(&installed, &expected, 1))
		return;
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction old, sa;
		if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigfillset(&sa.sa_mask); /* one cleanup at a time */
		sigaction(sigs[i], &sa, NULL);
	}
}

/* Copy 's' into the fixed buffer 'b' (PATH_MAX); false when too long. */
static bool put(char *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= PATH_MAX)
		return false;
	memcpy(b, s ? s : "", n + 1);
	return true;
}

int os_sig_register(const char *tmp, const char *made)
{
	install();
	for (int i = 0; i < SLOTS; i++) {
		int expected = 0;
		struct slot *s = &slots[i];
		char *slash;
		if (!atomic_compare_exchange_strong(&used[i], &expected, 1))
			continue;
		if (!put(s->tmp, tmp) || !put(s->parent, tmp) || !put(s->made, made)) {
			atomic_store(&used[i], 0);
			return -1;
		}
		slash = strrchr(s->parent, '/');
		if (slash)
			*slash = '\0';
		else
			s->made[0] = '\0';
		atomic_store(&used[i], 2);
		return i;
	}
	return -1; /* full: this temporary is not cleaned on a signal */
}

void os_sig_unregister(int slot)
{
	if (slot >= 0 && slot < SLOTS)
		atomic_store(&used[slot], 0);
}

/* ---- outputs that overlap inputs ---------------------------------------- */

/* The real path of 'path', which may not exist: its deepest existing
** ancestor resolved, the rest appended, into '*out' (malloc'd).  Returns 0,
** ENOMEM when out of memory, or realpath's errno when nothing of it
** resolves. */
static int real_of(const char *path, char **out)
{
	char *p = strdup(path), *real = NULL;
	size_t cut = strlen(path);

	*out = NULL;
	if (!p)
		return ENOMEM;
	while (!(real = realpath(p, NULL))) {
		if (errno == ENOMEM)
			break;
		while (cut > 0 && p[cut - 1] == '/')
			cut--;
		while (cut > 0 && p[cut - 1] != '/')
			cut--;
		if (cut == 0) {
			real = realpath(".", NULL);
			break;
		}
		p[cut - 1] = '\0';
	}
	free(p);
	if (!real)
		return errno ? errno : ENOENT;
	if (!path[cut]) {
		*out = real;
		return 0;
	}
	*out = os_join(real, path + cut);
	free(real);
	return *out ? 0 : ENOMEM;
}

/* True when 'a' is 'b' or lies below it (both real paths). */
static bool inside(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/' || (n && b[n - 1] == '/'));
}

int os_output_guard(const char *target, const char *const *inputs, struct mlcc_diag *d)
{
	char *t;
	struct stat ts, is;
	int rc = MLCC_OK, err = real_of(target, &t);
	bool texists = stat(target, &ts) == 0;

	if (err)
		return diag_errno(d, target, "cannot resolve", err);
	for (size_t i = 0; inputs && inputs[i] && !rc; i++) {
		char *in = realpath(inputs[i], NULL);
		bool same = texists && stat(inputs[i], &is) == 0 && is.st_dev == ts.st_dev &&
			    is.st_ino == ts.st_ino;
		if (same || (in && strcmp(in, t) == 0))
			rc = diag_fail(d, MLCC_E_USAGE, "%s: the output is the input '%s'", target,
				       inputs[i]);
		else if (in && inside(t, in))
			rc = diag_fail(d, MLCC_E_USAGE, "%s: the output lies inside the input '%s'",
				       target, inputs[i]);
		else if (in && inside(in, t))
			rc = diag_fail(d, MLCC_E_USAGE,
				       "%s: the output contains the input '%s', which it would "
				       "replace",
				       target, inputs[i]);
		free(in);
	}
	free(t);
	return rc;
}
