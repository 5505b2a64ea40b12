/*
** test_roundtrip.c -- Apple bundle -> decompile -> compile -> same bundle.
**
** For every ML-program bundle Apple compiled in the corpus
** (the expected bundle of every pair and every bundle of compiled/):
**   1. `mlcc decompile` it into a package;
**   2. `mlcc compile` that package with the bundle's own compiler stamp
**      (coremlc and MIL versions from its model.mil);
**   3. compare every file with Apple's, byte for byte.  Allowed: Apple's
**      user-metadata order (as in the golden test), analytics' modelHash
**      (it hashes the source spec file, which is ours now), and a final
**      newline that a repository added to Apple's text files
**      (docs/spec/mlmodelc.md §4.2 calls it noise).
** Ends with "roundtrip identical N/M".  For every golden pair, also checks
** that the decompiled package and the original source compile to the same
** bundle ("pairs source==decompiled N/M").
**
** usage: test_roundtrip MLCC
*/
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of 'dir' ending in 'suffix' (NULL-ended). */
static char **entries(const char *dir, const char *suffix)
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
	qsort(v, n, sizeof *v, cmp_name);
	v[n] = NULL;
	return v;
}

/* Compile 'src' into 'outdir' with the stamp of 'mil_path'. */
static int compile_with_stamp(const char *mlcc, const char *src, const char *outdir,
			      const char *mil_path, char **err)
{
	char coremlc[32], mil[32];

	tk_stamp_of(mil_path, coremlc, mil);
	const char *argv[] = {mlcc,    "compile",	src, outdir, "--coremlc-version",
			      coremlc, "--mil-version", mil, NULL};
	if (!coremlc[0])
		argv[4] = NULL;
	else if (!mil[0])
		argv[6] = NULL;
	return tk_run(argv, NULL, err);
}

/* Round trip of one bundle; 'source' (may be NULL) is the pair's package. */
static int roundtrip(const char *mlcc, const char *label, const char *bundle, const char *name,
		     const char *source, int *src_ok)
{
	char pkg[PATH_MAX], got[PATH_MAX], mil[PATH_MAX], why[700];
	char stem[NAME_MAX + 1];
	char *tmp = tk_tmpdir(), *err = NULL;
	int rc, same = 0;

	snprintf(stem, sizeof stem, "%.*s", (int)(strlen(name) - 9), name);
	snprintf(pkg, sizeof pkg, "%s/pkg/%s.mlpackage", tmp, stem);
	snprintf(mil, sizeof mil, "%s/model.mil", bundle);
	const char *dec[] = {mlcc, "decompile", bundle, pkg, NULL};
	rc = tk_run(dec, NULL, &err);
	if (rc != 0) {
		printf("FAIL %s: decompile exit %d: %s", label, rc, err);
		goto out;
	}
	free(err);
	err = NULL;
	snprintf(got, sizeof got, "%s/out", tmp);
	rc = compile_with_stamp(mlcc, pkg, got, mil, &err);
	if (rc != 0) {
		printf("FAIL %s: compile exit %d: %s", label, rc, err);
		goto out;
	}
	snprintf(got, sizeof got, "%s/out/%s", tmp, name);
	same = tk_same_bundle_ex(bundle, got, TK_IGNORE_MODEL_HASH | TK_IGNORE_FINAL_NEWLINE, why,
				 sizeof why);
	printf("%s %s%s%s\n", same ? "OK  " : "DIFF", label, same ? "" : ": ", same ? "" : why);
	if (source) {
		char orig[PATH_MAX], o2[PATH_MAX];
		snprintf(o2, sizeof o2, "%s/orig", tmp);
		free(err);
		err = NULL;
		rc = compile_with_stamp(mlcc, source, o2, mil, &err);
		snprintf(orig, sizeof orig, "%s/%s", o2, name);
		*src_ok = rc == 0 &&
			  tk_same_bundle_ex(orig, got, TK_IGNORE_MODEL_HASH, why, sizeof why);
		if (!*src_ok)
			printf("DIFF %s: source and decompiled package compile differently: %s\n",
			       label, rc ? "compile failed" : why);
	}
out:
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
	return same;
}

int main(int argc, char **argv)
{
	const char *corpus;
	size_t ok = 0, total = 0, src_ok = 0, src_total = 0;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_roundtrip MLCC\n");
		return 2;
	}
	corpus = tk_corpus("roundtrip", &status);
	if (!corpus)
		return status;
	static const char *const sets[] = {"pairs", "compiled"};
	for (int s = 0; s < 2; s++) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s/%s", corpus, sets[s]);
		char **items = entries(dir, "");
		for (size_t i = 0; items[i]; i++) {
			char where[PATH_MAX], bundle[PATH_MAX], label[PATH_MAX];
			char source[PATH_MAX];
			const char *src = NULL;
			snprintf(where, sizeof where, "%s/%s%s", dir, items[i],
				 s == 0 ? "/expected" : "");
			char **b = entries(where, ".mlmodelc");
			if (s == 0) {
				char pdir[PATH_MAX];
				snprintf(pdir, sizeof pdir, "%s/%s", dir, items[i]);
				char **p = entries(pdir, ".mlpackage");
				if (p[0]) {
					snprintf(source, sizeof source, "%s/%s", pdir, p[0]);
					src = source;
				}
				tk_free_list(p);
			}
			for (size_t k = 0; b[k]; k++) {
				int sok = 0;
				snprintf(bundle, sizeof bundle, "%s/%s", where, b[k]);
				snprintf(label, sizeof label, "%s/%s", sets[s], items[i]);
				total++;
				ok += (size_t)roundtrip(argv[1], label, bundle, b[k], src, &sok);
				if (src) {
					src_total++;
					src_ok += (size_t)sok;
				}
			}
			tk_free_list(b);
		}
		tk_free_list(items);
	}
	printf("pairs source==decompiled %zu/%zu\n", src_ok, src_total);
	printf("roundtrip identical %zu/%zu\n", ok, total);
	return total > 0 && ok == total && src_ok == src_total ? 0 : 1;
}
