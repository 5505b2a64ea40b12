/*
** test_golden.c -- every golden pair of the corpus, byte for byte.
**
** For each corpus/pairs/<name>/ (source <stem>.mlpackage or .mlmodel and
** Apple's expected/<stem>.mlmodelc): compile the source with the compiler
** stamp of the expected bundle (tk_bundle_stamp: its model.mil, a
** pipeline's first child's, or the eras before buildInfo), then compare
** every file.  The only normalisation is Apple's own randomness (user
** metadata order).  Pairs whose weights were published on neither side
** get stand-in weights in a copy of the source (standin.h) and their
** weights are not compared.  Prints one line per pair and ends with
** "golden identical N/M".
**
** usage: test_golden MLCC
*/
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corpus.h"
#include "testkit.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entry of 'dir' ending in one of the suffixes (first match). */
static int find_entry(const char *dir, const char *s1, const char *s2, char *out, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		for (int k = 0; k < 2 && !found; k++) {
			const char *s = k ? s2 : s1;
			size_t sl = s ? strlen(s) : 0;
			if (s && l > sl && strcmp(e->d_name + l - sl, s) == 0) {
				snprintf(out, n, "%s", e->d_name);
				found = 1;
			}
		}
	}
	closedir(d);
	return found;
}

/* Compile one pair; returns 1 identical, 0 different, -1 not a pair. */
static int check_pair(const char *mlcc, const char *pair)
{
	char src[PATH_MAX], expdir[PATH_MAX], name[NAME_MAX + 1];
	char exp[PATH_MAX], got[PATH_MAX], why[600], out[PATH_MAX];
	char coremlc[32], milv[32];
	char *tmp, *err = NULL;
	int rc, same, flags = 0;

	if (!find_entry(pair, ".mlpackage", ".mlmodel", name, sizeof name))
		return -1;
	snprintf(src, sizeof src, "%s/%s", pair, name);
	snprintf(expdir, sizeof expdir, "%s/expected", pair);
	if (!find_entry(expdir, ".mlmodelc", NULL, name, sizeof name))
		return -1;
	snprintf(exp, sizeof exp, "%s/%s", expdir, name);
	tk_bundle_stamp(exp, coremlc, milv);
	tmp = tk_tmpdir();
	snprintf(out, sizeof out, "%s/out", tmp);
	if (tk_bundle_lacks_weights(exp)) {
		/* Weights published on neither side: stand-ins in a copy. */
		char copy[PATH_MAX];
		if (tk_standin_copy(src, exp, tmp, copy, sizeof copy) != 0) {
			printf("FAIL %s: cannot lay out stand-in weights\n",
			       strrchr(pair, '/') + 1);
			tk_rm_rf(tmp);
			free(tmp);
			return 0;
		}
		snprintf(src, sizeof src, "%s", copy);
		flags = TK_IGNORE_WEIGHTS;
	}
	rc = tk_compile(mlcc, src, out, coremlc, milv, flags != 0, &err);
	snprintf(got, sizeof got, "%s/%s", out, name);
	if (rc != 0) {
		printf("FAIL %s: exit %d: %s", strrchr(pair, '/') + 1, rc, err);
		same = 0;
	} else {
		same = tk_same_bundle_ex(exp, got, flags, why, sizeof why);
		printf("%s %s%s%s\n", same ? "OK  " : "DIFF", strrchr(pair, '/') + 1,
		       same ? "" : ": ", same ? "" : why);
	}
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
	return same;
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], pair[PATH_MAX];
	const char *corpus;
	char **names = NULL;
	size_t n = 0, ok = 0, total = 0;
	struct dirent *e;
	int status = 0;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: test_golden MLCC\n");
		return 2;
	}
	corpus = tk_corpus("golden", &status);
	if (!corpus)
		return status;
	snprintf(dir, sizeof dir, "%s/pairs", corpus);
	d = opendir(dir);
	if (!d) {
		printf("FAIL golden: no pairs in %s\n", dir);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_name);
	for (size_t i = 0; i < n; i++) {
		snprintf(pair, sizeof pair, "%s/%s", dir, names[i]);
		int r = check_pair(argv[1], pair);
		if (r >= 0) {
			total++;
			ok += (size_t)r;
		}
		free(names[i]);
	}
	free(names);
	printf("golden identical %zu/%zu\n", ok, total);
	return total > 0 && ok == total ? 0 : 1;
}
