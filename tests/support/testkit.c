/*
** testkit.c -- running programs, reading trees, comparing bundles.
*/
#include "testkit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int tk_failures;

const char *tk_corpus(const char *test, int *status)
{
	static char path[PATH_MAX];
	const char *env = getenv("MLCC_CORPUS");
	const char *ci = getenv("CI");
	struct stat st;

	snprintf(path, sizeof path, "%s", env && *env ? env : MLCC_SOURCE_DIR "/../shared/corpus");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path;
	if (ci && strcmp(ci, "true") == 0) {
		printf("FAIL %s: no corpus at %s (CI=true requires it)\n", test, path);
		*status = 1;
	} else {
		printf("SKIPPED %s: no corpus at %s\n", test, path);
		*status = TK_SKIP;
	}
	return NULL;
}

/* Read everything from two pipes until both close. */
static void drain(int fds[2], char *bufs[2])
{
	size_t len[2] = {0, 0}, cap[2] = {0, 0};
	struct pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
	int open_fds = 2;

	while (open_fds > 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			char tmp[4096];
			ssize_t n;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(p[i].fd, tmp, sizeof tmp);
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			if (len[i] + (size_t)n + 1 > cap[i]) {
				cap[i] = 2 * (len[i] + (size_t)n + 1);
				bufs[i] = realloc(bufs[i], cap[i]);
			}
			memcpy(bufs[i] + len[i], tmp, (size_t)n);
			len[i] += (size_t)n;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (!bufs[i])
			bufs[i] = calloc(1, 1);
		else
			bufs[i][len[i]] = '\0';
	}
}

int tk_run(const char *const argv[], char **out, char **err)
{
	posix_spawn_file_actions_t fa;
	int po[2], pe[2], fds[2], status;
	char *bufs[2] = {NULL, NULL};
	pid_t pid;

	if (pipe(po) || pipe(pe))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addclose(&fa, po[0]);
	posix_spawn_file_actions_addclose(&fa, pe[0]);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	fds[0] = po[0];
	fds[1] = pe[0];
	drain(fds, bufs);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = bufs[0];
	else
		free(bufs[0]);
	if (err)
		*err = bufs[1];
	else
		free(bufs[1]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

unsigned char *tk_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = 2 * (n + 65536 + 1);
			p = realloc(p, cap);
		}
		size_t k = fread(p + n, 1, 65536, f);
		n += k;
		if (k < 65536)
			break;
	}
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

static void list_into(const char *base, const char *rel, char ***list, size_t *n, size_t *cap)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "%s%s%s", base, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char sub[PATH_MAX], full[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		if (snprintf(full, sizeof full, "%s/%s", base, sub) >= (int)sizeof full)
			continue;
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			list_into(base, sub, list, n, cap);
			continue;
		}
		if (*n + 2 > *cap) {
			*cap = 2 * (*n + 2);
			*list = realloc(*list, *cap * sizeof **list);
		}
		(*list)[(*n)++] = strdup(sub);
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tk_list(const char *dir)
{
	char **list = calloc(2, sizeof *list);
	size_t n = 0, cap = 2;

	list_into(dir, "", &list, &n, &cap);
	qsort(list, n, sizeof *list, cmp_str);
	list[n] = NULL;
	return list;
}

char **tk_entries(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = calloc(1, sizeof *v);
	size_t n = 0, sl = strlen(suffix);

	while (d && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix))
			continue;
		v = realloc(v, (n + 2) * sizeof *v);
		v[n++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	qsort(v, n, sizeof *v, cmp_str);
	v[n] = NULL;
	return v;
}

void tk_free_list(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

char *tk_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *p = malloc(PATH_MAX);

	snprintf(p, PATH_MAX, "%s/mlcc-test-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

void tk_rm_rf(const char *path)
{
	if (path)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- normalisation of Apple's run-to-run randomness --------------------- */

static uint64_t varint(const unsigned char *b, size_t len, size_t *i)
{
	uint64_t v = 0;

	for (int s = 0; *i < len && s < 64; s += 7) {
		unsigned char c = b[(*i)++];
		v |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80))
			break;
	}
	return v;
}

struct span {
	const unsigned char *p;
	size_t n;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Sort the field-100 entries inside the Metadata message (field 100) of a
** serialized ModelDescription, in place.  Entries keep their bytes. */
static void sort_user_defined(unsigned char *d, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i;
		uint64_t key = varint(d, len, &i), n;
		if ((key & 7) == 0) {
			varint(d, len, &i);
			continue;
		}
		if ((key & 7) == 1 || (key & 7) == 5) {
			i += (key & 7) == 1 ? 8 : 4;
			continue;
		}
		if ((key & 7) != 2)
			return;
		n = varint(d, len, &i);
		if (n > len - i)
			return;
		if ((key >> 3) == 100) {
			/* Metadata body: collect field-100 entries, move them
			** to the end sorted (others keep their order). */
			unsigned char *body = d + i, *out = malloc(n ? n : 1);
			struct span *ud = calloc(n + 1, sizeof *ud);
			size_t j = 0, o = 0, nud = 0;
			while (j < n) {
				size_t s = j;
				uint64_t k = varint(body, n, &j);
				uint64_t m = (k & 7) == 2 ? varint(body, n, &j) : 0;
				if ((k & 7) == 0)
					varint(body, n, &j);
				j += m;
				if (j > n)
					break;
				if ((k >> 3) == 100)
					ud[nud++] = (struct span){body + s, j - s};
				else {
					memcpy(out + o, body + s, j - s);
					o += j - s;
				}
			}
			qsort(ud, nud, sizeof *ud, cmp_span);
			for (size_t k = 0; k < nud && o + ud[k].n <= n; k++) {
				memcpy(out + o, ud[k].p, ud[k].n);
				o += ud[k].n;
			}
			if (o == n)
				memcpy(body, out, n);
			free(out);
			free(ud);
		}
		i += n;
		(void)start;
	}
}

/* coremldata.bin (ML program or pipeline header): the description. */
static void normalise_coremldata(unsigned char *b, size_t len)
{
	size_t i = 4;

	for (int k = 0; k < 2; k++) {
		uint64_t n;
		if (i + 32 > len)
			return;
		i += 24;
		memcpy(&n, b + i, 8);
		i += 8;
		if (n > len - i)
			return;
		i += n;
	}
	if (i + 8 > len)
		return;
	uint64_t n;
	memcpy(&n, b + i, 8);
	i += 8;
	if (n <= len - i)
		sort_user_defined(b + i, n);
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* metadata.json: sort the lines of every userDefinedMetadata object
** (one entry per line), ignoring their trailing commas. */
static char *normalise_metadata(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(n + 2), *copy = strdup(text), *save = NULL;
	char **block = calloc(n + 1, sizeof *block);
	size_t o = 0, nb = 0;
	int in = 0;

	/* Lines are joined by '\n'; a final newline is kept only if the text
	** had one (Apple's files have none). */
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *t = line;
		while (*t == ' ')
			t++;
		if (in && (strcmp(t, "}") == 0 || strcmp(t, "},") == 0)) {
			qsort(block, nb, sizeof *block, cmp_line);
			for (size_t k = 0; k < nb; k++)
				o += (size_t)sprintf(out + o, "%s%s", o ? "\n" : "", block[k]);
			nb = 0;
			in = 0;
		}
		if (in) {
			size_t l = strlen(line);
			if (l && line[l - 1] == ',')
				line[l - 1] = '\0';
			block[nb++] = line;
			continue;
		}
		o += (size_t)sprintf(out + o, "%s%s", o ? "\n" : "", line);
		if (strstr(line, "\"userDefinedMetadata\" : {") && line[strlen(line) - 1] == '{')
			in = 1;
	}
	if (n && text[n - 1] == '\n')
		out[o++] = '\n';
	out[o] = '\0';
	free(block);
	free(copy);
	return out;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* First difference between two buffers, as a line for text files or a
** byte offset for binary ones. */
static void describe(const char *rel, const unsigned char *e, size_t el, const unsigned char *g,
		     size_t gl, char *why, size_t n)
{
	size_t k = 0, line = 1, ls = 0;

	while (k < el && k < gl && e[k] == g[k]) {
		if (e[k] == '\n') {
			line++;
			ls = k + 1;
		}
		k++;
	}
	if (ends_with(rel, ".mil") || ends_with(rel, ".json")) {
		size_t ee = ls, ge = ls;
		while (ee < el && e[ee] != '\n' && ee - ls < 120)
			ee++;
		while (ge < gl && g[ge] != '\n' && ge - ls < 120)
			ge++;
		snprintf(why, n, "%s line %zu: expected '%.*s' got '%.*s'", rel, line,
			 (int)(ee - ls), (const char *)e + ls, (int)(ge - ls),
			 (const char *)g + ls);
	} else {
		snprintf(why, n, "%s differs at byte %zu (expected %zu bytes, got %zu)", rel, k, el,
			 gl);
	}
}

/* Blank out the value of analytics' modelHash entry (44 base64 chars). */
static void blank_model_hash(unsigned char *b, size_t len)
{
	static const char key[] = "\x09\0\0\0\0\0\0\0modelHash";
	size_t kl = sizeof key - 1;

	for (size_t i = 0; i + kl + 8 <= len; i++)
		if (memcmp(b + i, key, kl) == 0) {
			uint64_t vl;
			memcpy(&vl, b + i + kl, 8);
			if (vl <= len - i - kl - 8)
				memset(b + i + kl + 8, '#', (size_t)vl);
			return;
		}
}

static bool same_file(const char *rel, const char *ep, const char *gp, int flags, char *why,
		      size_t n)
{
	size_t el = 0, gl = 0;
	unsigned char *e = tk_read(ep, &el), *g = tk_read(gp, &gl);
	bool same;

	if (!e || !g) {
		snprintf(why, n, "%s: unreadable", rel);
		free(e);
		free(g);
		return false;
	}
	if (ends_with(rel, "coremldata.bin") && strncmp(rel, "analytics", 9)) {
		normalise_coremldata(e, el);
		normalise_coremldata(g, gl);
	}
	if ((flags & TK_IGNORE_MODEL_HASH) && strcmp(rel, "analytics/coremldata.bin") == 0) {
		blank_model_hash(e, el);
		blank_model_hash(g, gl);
	}
	if ((flags & TK_IGNORE_FINAL_NEWLINE) &&
	    (ends_with(rel, ".mil") || ends_with(rel, ".json")) && el > 0 && e[el - 1] == '\n' &&
	    (gl == 0 || g[gl - 1] != '\n'))
		e[--el] = '\0';
	if (ends_with(rel, "metadata.json")) {
		char *ne = normalise_metadata((char *)e);
		char *ng = normalise_metadata((char *)g);
		free(e);
		free(g);
		e = (unsigned char *)ne;
		g = (unsigned char *)ng;
		el = strlen(ne);
		gl = strlen(ng);
	}
	same = el == gl && memcmp(e, g, el) == 0;
	if (!same)
		describe(rel, e, el, g, gl, why, n);
	free(e);
	free(g);
	return same;
}

bool tk_same_bundle(const char *exp, const char *got, char *why, size_t n)
{
	return tk_same_bundle_ex(exp, got, 0, why, n);
}

bool tk_same_bundle_ex(const char *exp, const char *got, int flags, char *why, size_t n)
{
	char **el = tk_list(exp), **gl = tk_list(got);
	size_t i = 0, j = 0;
	bool same = true;

	while (same && (el[i] || gl[j])) {
		int c = !el[i] ? 1 : !gl[j] ? -1 : strcmp(el[i], gl[j]);
		char ep[PATH_MAX], gp[PATH_MAX];
		const char *rel = c <= 0 ? el[i] : gl[j];
		if ((flags & TK_IGNORE_WEIGHTS) &&
		    (strncmp(rel, "weights/", 8) == 0 || strstr(rel, "/weights/"))) {
			i += c <= 0;
			j += c >= 0;
			continue;
		}
		if (c > 0 && (flags & TK_EXP_FILES_ONLY)) {
			j++;
			continue;
		}
		if (c < 0) {
			snprintf(why, n, "missing %s", el[i]);
			same = false;
		} else if (c > 0) {
			snprintf(why, n, "extra %s", gl[j]);
			same = false;
		} else {
			snprintf(ep, sizeof ep, "%s/%s", exp, el[i]);
			snprintf(gp, sizeof gp, "%s/%s", got, gl[j]);
			same = same_file(el[i], ep, gp, flags, why, n);
			i++;
			j++;
		}
	}
	tk_free_list(el);
	tk_free_list(gl);
	return same;
}

void tk_stamp_of(const char *mil_path, char coremlc[32], char mil[32])
{
	size_t len;
	char *t = (char *)tk_read(mil_path, &len);
	const char *p;

	coremlc[0] = mil[0] = '\0';
	if (!t)
		return;
	if ((p = strstr(t, "\"coremlc-version\", \"")))
		sscanf(p + 20, "%31[0-9.]", coremlc);
	if ((p = strstr(t, "\"coremlc-component-MIL\", \"")))
		sscanf(p + 26, "%31[0-9.]", mil);
	free(t);
}
