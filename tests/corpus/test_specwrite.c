/*
** test_specwrite.c -- spec_write is the exact mirror of spec_read.
**
** For every package of the corpus (pairs/<name>/<stem>.mlpackage and every
** .mlpackage under generated/): read it, write it back with pkg_write (its
** weight files as weights_plan lists them), compile the original and the
** written package with the same stamp and compare the two bundles file by
** file.  Everything must be identical except the modelHash of
** analytics/coremldata.bin (SHA-256 of the specification bytes), which is
** blanked in both before comparing.  Also checked for each package: the
** written specification is a fixed point (read back and written again it
** gives the same bytes); for classifiers, the model after classifier
** lowering, written back (classify op re-inserted), compiles to the same
** bundle, and classifier_restore() + spec_write() give the same
** bytes as spec_write() of the lowered model.
** A pair published without weights is checked on a copy with stand-in
** weights (standin.h).  Ends with "specwrite identical N/M".
**
** usage: test_specwrite MLCC   (the library is used directly)
*/
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nettle/base64.h>

#include "model/classifier.h"
#include "package/package.h"
#include "package/pkg_write.h"
#include "spec/spec_read.h"
#include "spec/spec_write.h"
#include "corpus.h"
#include "testkit.h"
#include "package/weights.h"

#define HASH_LEN BASE64_ENCODE_RAW_LENGTH(32)

struct pkglist {
	char **paths;
	size_t n;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add(struct pkglist *l, const char *path)
{
	l->paths = realloc(l->paths, (l->n + 1) * sizeof *l->paths);
	l->paths[l->n++] = strdup(path);
}

static bool is_package(const char *name)
{
	size_t n = strlen(name);

	return n > 10 && strcmp(name + n - 10, ".mlpackage") == 0;
}

/* Every .mlpackage below 'dir' (not looking inside packages). */
static void find_packages(const char *dir, struct pkglist *l)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char p[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (is_package(e->d_name))
			add(l, p);
		else
			find_packages(p, l);
	}
	closedir(d);
}

/* Blank the modelHash value (base64 of 'sha') in analytics bytes. */
static void blank_hash(unsigned char *b, size_t n, const uint8_t sha[32])
{
	char h[HASH_LEN + 1];

	base64_encode_raw(h, 32, sha);
	for (size_t i = 0; i + HASH_LEN <= n; i++)
		if (memcmp(b + i, h, HASH_LEN) == 0)
			memset(b + i, 'X', HASH_LEN);
}

/* Compare bundles 'a' (from a spec hashing to sha_a) and 'b'; on a
** difference write the file at fault into 'why'. */
static bool same_bundles(const char *a, const char *b, const uint8_t sha_a[32],
			 const uint8_t sha_b[32], char *why, size_t nwhy)
{
	char **la = tk_list(a), **lb = tk_list(b);
	bool same = true;
	size_t i;

	for (i = 0; same && la[i] && lb[i]; i++) {
		char pa[PATH_MAX], pb[PATH_MAX];
		unsigned char *x, *y;
		size_t nx = 0, ny = 0;
		if (strcmp(la[i], lb[i]) != 0) {
			snprintf(why, nwhy, "file lists differ at %s / %s", la[i], lb[i]);
			same = false;
			break;
		}
		snprintf(pa, sizeof pa, "%s/%s", a, la[i]);
		snprintf(pb, sizeof pb, "%s/%s", b, lb[i]);
		x = tk_read(pa, &nx);
		y = tk_read(pb, &ny);
		if (x && y && strcmp(la[i], "analytics/coremldata.bin") == 0) {
			blank_hash(x, nx, sha_a);
			blank_hash(y, ny, sha_b);
		}
		if (!x || !y || nx != ny || memcmp(x, y, nx) != 0) {
			snprintf(why, nwhy, "%s differs", la[i]);
			same = false;
		}
		free(x);
		free(y);
	}
	if (same && (la[i] || lb[i])) {
		snprintf(why, nwhy, "file lists differ (%s)", la[i] ? la[i] : lb[i]);
		same = false;
	}
	tk_free_list(la);
	tk_free_list(lb);
	return same;
}

/* Compile 'pkg' into 'outdir'; the bundle path (malloc'd) or NULL. */
static char *compile(const char *pkg, const char *outdir, char *why, size_t n)
{
	struct mlcc_compile_options o;
	struct mlcc_compile_result r;
	struct mlcc_diag d = {0, ""};

	memset(&o, 0, sizeof o);
	o.input = pkg;
	o.output_dir = outdir;
	if (mlcc_compile(&o, &r, &d) != MLCC_OK) {
		snprintf(why, n, "compile %s: %s", pkg, d.message);
		return NULL;
	}
	return r.bundle;
}

/* Lower every classifier of 'm'; true when one was lowered. */
static bool lower_all(struct model *m)
{
	struct mlcc_diag d = {0, ""};
	bool any;

	CHECK(classifier_lower(m, &d) == MLCC_OK);
	any = m->classifier.prob_var != NULL;
	for (size_t i = 0; i < m->nchildren; i++)
		any |= lower_all(m->children[i]);
	return any;
}

/* Read the package at 'path' into 'a': model, spec hash, weight list. */
static int load(struct arena *a, const char *path, struct model **m, uint8_t sha[32],
		struct weight_plan *plan, struct mlcc_diag *d)
{
	struct package pkg;
	int rc = package_open(&pkg, path, d);

	if (!rc)
		rc = spec_read_file(a, pkg.files.origin, m, sha, d);
	if (!rc)
		rc = weights_plan(&pkg.files, *m, NULL, plan, d);
	package_close(&pkg);
	return rc;
}

/* spec_write(m) read back and written again gives the same bytes. */
static bool fixed_point(const struct model *m, char *why, size_t n)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct model *m2 = NULL;
	uint8_t *b1, *b2;
	size_t n1, n2;
	bool ok;

	arena_init(&a);
	ok = spec_write(m, &a, &b1, &n1, &d) == MLCC_OK &&
	     spec_read_bytes(&a, "written", b1, n1, &m2, &d) == MLCC_OK &&
	     spec_write(m2, &a, &b2, &n2, &d) == MLCC_OK && n1 == n2 && memcmp(b1, b2, n1) == 0;
	if (!ok)
		snprintf(why, n, "not a fixed point%s%s", d.message[0] ? ": " : "", d.message);
	arena_free(&a);
	return ok;
}

/* The written package 'pkg' compiles to the same bundle as 'ref'. */
static bool compiles_same(const char *pkg, const char *outdir, const char *ref,
			  const uint8_t ref_sha[32], char *why, size_t n)
{
	struct mlcc_diag d = {0, ""};
	struct package p;
	struct arena a;
	struct model *m;
	uint8_t sha[32];
	char *bundle;
	bool ok;

	arena_init(&a);
	ok = package_open(&p, pkg, &d) == MLCC_OK &&
	     spec_read_file(&a, p.files.origin, &m, sha, &d) == MLCC_OK;
	package_close(&p);
	arena_free(&a);
	if (!ok) {
		snprintf(why, n, "cannot read back %s: %s", pkg, d.message);
		return false;
	}
	if (!(bundle = compile(pkg, outdir, why, n)))
		return false;
	ok = same_bundles(ref, bundle, ref_sha, sha, why, n);
	free(bundle);
	return ok;
}

/* The lowered model, written back, compiles the same; both ways of
** restoring the classifier give the same bytes. */
static int check_classifier(const char *src, const char *tmp, const char *stem, const char *ref,
			    const uint8_t ref_sha[32], char *why, size_t n)
{
	struct mlcc_diag d = {0, ""};
	struct weight_plan plan;
	struct arena a;
	struct model *m;
	uint8_t sha[32], *b1, *b2;
	size_t n1, n2;
	char pkg[PATH_MAX], out[PATH_MAX];
	int ok = -1;

	memset(&plan, 0, sizeof plan);
	arena_init(&a);
	if (load(&a, src, &m, sha, &plan, &d) || !lower_all(m))
		goto done;
	snprintf(pkg, sizeof pkg, "%s/lowered/%s.mlpackage", tmp, stem);
	snprintf(out, sizeof out, "%s/lowered-out", tmp);
	ok = 0;
	if (pkg_write(pkg, m, &plan, &d) != MLCC_OK) {
		snprintf(why, n, "pkg_write (lowered): %s", d.message);
		goto done;
	}
	if (!compiles_same(pkg, out, ref, ref_sha, why, n))
		goto done;
	if (spec_write(m, &a, &b1, &n1, &d) || classifier_restore(m, &d) ||
	    spec_write(m, &a, &b2, &n2, &d) || n1 != n2 || memcmp(b1, b2, n1)) {
		snprintf(why, n, "classifier_restore differs %s", d.message);
		goto done;
	}
	ok = 1;
done:
	weights_free(&plan);
	arena_free(&a);
	return ok;
}

/* One package; 1 identical, 0 not. */
static int check_one(const char *src, int *classifiers, int *restored)
{
	struct mlcc_diag d = {0, ""};
	struct weight_plan plan;
	struct arena a;
	struct model *m;
	uint8_t sha[32];
	char *tmp = tk_tmpdir(), *ref = NULL, why[1200] = "";
	char pkg[PATH_MAX], out[PATH_MAX], stem[NAME_MAX + 1];
	const char *base = strrchr(src, '/') + 1, *label = src;
	int ok = 0, c;

	snprintf(stem, sizeof stem, "%.*s", (int)(strlen(base) - 10), base);
	memset(&plan, 0, sizeof plan);
	arena_init(&a);
	/* A pair whose weights were published on neither side: stand-ins. */
	char exp[PATH_MAX], copy[PATH_MAX];
	snprintf(exp, sizeof exp, "%.*s/expected/%s.mlmodelc", (int)(base - 1 - src), src, stem);
	if (tk_bundle_lacks_weights(exp)) {
		if (tk_standin_copy(src, exp, tmp, copy, sizeof copy) != 0) {
			snprintf(why, sizeof why, "cannot lay out stand-in weights");
			goto done;
		}
		src = copy;
	}
	if (load(&a, src, &m, sha, &plan, &d)) {
		snprintf(why, sizeof why, "cannot read: %s", d.message);
		goto done;
	}
	if (!fixed_point(m, why, sizeof why))
		goto done;
	snprintf(pkg, sizeof pkg, "%s/written/%s.mlpackage", tmp, stem);
	if (pkg_write(pkg, m, &plan, &d) != MLCC_OK) {
		snprintf(why, sizeof why, "pkg_write: %s", d.message);
		goto done;
	}
	snprintf(out, sizeof out, "%s/ref", tmp);
	if (!(ref = compile(src, out, why, sizeof why)))
		goto done;
	snprintf(out, sizeof out, "%s/got", tmp);
	if (!compiles_same(pkg, out, ref, sha, why, sizeof why))
		goto done;
	c = check_classifier(src, tmp, stem, ref, sha, why, sizeof why);
	if (c >= 0) {
		(*classifiers)++;
		*restored += c;
	}
	ok = c != 0;
done:
	printf("%s %s%s%s\n", ok ? "OK  " : "DIFF",
	       strstr(label, "corpus/") ? strstr(label, "corpus/") + 7 : label, ok ? "" : ": ",
	       ok ? "" : why);
	free(ref);
	weights_free(&plan);
	arena_free(&a);
	tk_rm_rf(tmp);
	free(tmp);
	return ok;
}

int main(int argc, char **argv)
{
	struct pkglist l = {NULL, 0};
	char dir[PATH_MAX];
	const char *corpus;
	size_t ok = 0;
	int status = 0, classifiers = 0, restored = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_specwrite MLCC\n");
		return 2;
	}
	(void)argv; /* compiles through the library */
	corpus = tk_corpus("specwrite", &status);
	if (!corpus)
		return status;
	snprintf(dir, sizeof dir, "%s/pairs", corpus);
	find_packages(dir, &l);
	snprintf(dir, sizeof dir, "%s/generated", corpus);
	find_packages(dir, &l);
	if (l.n)
		qsort(l.paths, l.n, sizeof *l.paths, cmp_name);
	for (size_t i = 0; i < l.n; i++) {
		ok += (size_t)check_one(l.paths[i], &classifiers, &restored);
		free(l.paths[i]);
	}
	free(l.paths);
	printf("classifiers restored %d/%d\n", restored, classifiers);
	printf("specwrite identical %zu/%zu\n", ok, l.n);
	return l.n > 0 && ok == l.n ? 0 : 1;
}
