/*
** test_generated.c -- every package of corpus/generated compiles.
**
** These packages (written by coremltools; see the corpus README) exercise
** features with no Apple-compiled sample: states, multi-function programs,
** iOS18 compression, every dtype, flexible shapes, images, classifiers,
** control flow, pipelines.  There is no expected output, so the test
** checks that mlcc accepts each one and writes a complete bundle
** (coremldata.bin, metadata.json, analytics/coremldata.bin, and model.mil
** for ML programs), and that the bundle round-trips: decompiled and
** compiled again, it comes out byte-identical (analytics' modelHash
** excepted: it hashes the new package's spec file), and the decompiled
** package is the source again (tk_decompiled_is_source: input order,
** buildInfo order, metadata presence, descriptions).  Ends with
** "generated compiled N/M", "generated roundtrip identical N/M" and
** "generated decompile==source N/M".
**
** usage: test_generated MLCC
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

static bool exists(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static size_t same_source;

/* Decompile 'bundle' and compile it again; 1 when identical.  Counts in
** 'same_source' the decompiled packages that are the source 'src'. */
static int roundtrip(const char *mlcc, const char *tmp, const char *bundle, const char *stem,
		     const char *src)
{
	char pkg[PATH_MAX], out[PATH_MAX], again[PATH_MAX], why[700];
	char *err = NULL;
	int rc;

	snprintf(pkg, sizeof pkg, "%s/rt/%s.mlpackage", tmp, stem);
	snprintf(out, sizeof out, "%s/rt-out", tmp);
	const char *dec[] = {mlcc, "decompile", bundle, pkg, NULL};
	const char *com[] = {mlcc, "compile", pkg, out, NULL};
	rc = tk_run(dec, NULL, &err);
	if (rc == 0) {
		free(err);
		rc = tk_run(com, NULL, &err);
	}
	if (rc != 0) {
		printf("DIFF %s: round trip failed (exit %d): %s", stem, rc, err);
		free(err);
		return 0;
	}
	free(err);
	if (tk_decompiled_is_source(src, pkg, why, sizeof why))
		same_source++;
	else
		printf("DIFF %s: decompiled package is not the source: %s\n", stem, why);
	snprintf(again, sizeof again, "%s/%s.mlmodelc", out, stem);
	if (tk_same_bundle_ex(bundle, again, TK_IGNORE_MODEL_HASH, why, sizeof why))
		return 1;
	printf("DIFF %s: round trip: %s\n", stem, why);
	return 0;
}

/* Compile one package; 1 ok, 0 failed; '*rt' set when it round-trips. */
static int compile_one(const char *mlcc, const char *dir, const char *name, int *rt)
{
	char src[PATH_MAX], bundle[PATH_MAX], stem[NAME_MAX + 1];
	char *tmp = tk_tmpdir(), *err = NULL;
	int rc, ok;

	snprintf(src, sizeof src, "%s/%s", dir, name);
	snprintf(stem, sizeof stem, "%.*s", (int)(strlen(name) - 10), name);
	const char *argv[] = {mlcc, "compile", src, tmp, NULL};
	rc = tk_run(argv, NULL, &err);
	snprintf(bundle, sizeof bundle, "%s/%s.mlmodelc", tmp, stem);
	ok = rc == 0 && exists(bundle, "coremldata.bin") && exists(bundle, "metadata.json") &&
	     exists(bundle, "analytics/coremldata.bin") &&
	     (exists(bundle, "model.mil") || exists(bundle, "model0/model.mil"));
	*rt = ok && roundtrip(mlcc, tmp, bundle, stem, src);
	if (ok)
		printf("OK   %s\n", name);
	else
		printf("FAIL %s: exit %d %s", name, rc,
		       err && *err ? err : "(incomplete bundle)\n");
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
	return ok;
}

int main(int argc, char **argv)
{
	static const char *const sets[] = {"generated/coverage", "generated/tiny-llama"};
	const char *corpus;
	size_t ok = 0, total = 0, rt_ok = 0;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_generated MLCC\n");
		return 2;
	}
	corpus = tk_corpus("generated", &status);
	if (!corpus)
		return status;
	for (size_t s = 0; s < 2; s++) {
		char dir[PATH_MAX];
		char **names = NULL;
		size_t n = 0;
		struct dirent *e;
		DIR *d;
		snprintf(dir, sizeof dir, "%s/%s", corpus, sets[s]);
		if (!(d = opendir(dir)))
			continue;
		while ((e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);
			if (l > 10 && strcmp(e->d_name + l - 10, ".mlpackage") == 0) {
				names = realloc(names, (n + 1) * sizeof *names);
				names[n++] = strdup(e->d_name);
			}
		}
		closedir(d);
		qsort(names, n, sizeof *names, cmp_name);
		for (size_t i = 0; i < n; i++) {
			int rt = 0;
			total++;
			ok += (size_t)compile_one(argv[1], dir, names[i], &rt);
			rt_ok += (size_t)rt;
			free(names[i]);
		}
		free(names);
	}
	printf("generated compiled %zu/%zu\n", ok, total);
	printf("generated roundtrip identical %zu/%zu\n", rt_ok, total);
	printf("generated decompile==source %zu/%zu\n", same_source, total);
	return total > 0 && ok == total && rt_ok == total && same_source == total ? 0 : 1;
}
