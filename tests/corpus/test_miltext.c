/*
** test_miltext.c -- every model.mil of the corpus parses and prints back
** byte for byte.
**
** For each model.mil under corpus/mil-text, corpus/pairs/<pair>/expected
** and corpus/compiled (all written by Apple): mil_parse() it, then
** mil_print() the model with a stamp built from the file's own buildInfo
** versions (stamp_init_any: any version, and none for a file without
** buildInfo) and the specification version its dialect implies (1.0 -> 7,
** 1.3 -> 9), and compare with the file.  Then mil_describe() the model and
** print it again: the FlexibleShapeInformation now synthesized from the
** description must come out the same.  One known exception is tolerated
** and reported: a single "\n" after the final '}' (coremltools' checked-in
** add_model, recorded as hand-edited in docs/spec/mlmodelc.md §4.2).
**
** Then mlcc's own output: every package of corpus/generated (states,
** control flow, every dtype, ...) is compiled with MLCC and each model.mil
** of the bundle must round-trip the same way (without the describe step:
** image inputs are uint8/fp32 tensors in MIL, their description cannot be
** synthesized).
**
** Prints one line per file; ends with "described identical N/M",
** "mlcc-printed identical N/M" and "miltext identical N/M" (the Apple
** files).  Exit 1 unless all three are complete.
**
** usage: test_miltext MLCC
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "bundle/bundle.h"
#include "mil/mil.h"
#include "testkit.h"

struct score {
	size_t ok, total;
};

/* True for the model.mil files of the three Apple-output folders. */
static bool wanted(const char *rel)
{
	size_t n = strlen(rel);

	if (n < 10 || strcmp(rel + n - 10, "/model.mil") != 0)
		return false;
	return strncmp(rel, "mil-text/", 9) == 0 || strncmp(rel, "compiled/", 9) == 0 ||
	       (strncmp(rel, "pairs/", 6) == 0 && strstr(rel, "/expected/"));
}

/* Where 'a' and 'b' first differ, as line:column of 'a'. */
static void first_diff(const unsigned char *a, size_t na, const unsigned char *b, size_t nb,
		       char *out, size_t n)
{
	size_t i = 0, line = 1, col = 1;

	while (i < na && i < nb && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i++;
	}
	snprintf(out, n, "first difference at %zu:%zu (byte %zu; %zu vs %zu bytes)", line, col, i,
		 na, nb);
}

/* Print 'm' into 'w' stamped as 'info' says.  0 or the status. */
static int print(struct model *m, const struct mil_info *info, struct wbuf *w, struct mlcc_diag *d)
{
	struct stamp st;

	if (stamp_init_any(&st, info->coremlc_version, info->coremlc_mil, d))
		return d->status;
	m->spec_version = strcmp(info->dialect, "1.3") == 0 ? 9 : 7;
	struct emit_ctx c = {.model = m, .stamp = &st, .diag = d};
	return mil_print(c.model, c.stamp, w, c.diag);
}

/* Same bytes, or one line naming the first difference in 'why'. */
static bool same_text(const unsigned char *text, size_t len, const struct wbuf *w, char *why,
		      size_t n)
{
	if (w->len == len && memcmp(w->data, text, len) == 0)
		return true;
	first_diff(text, len, w->data, w->len, why, n);
	return false;
}

/* Parse, print, describe, print again; one line for the file.  Counts
** the plain round trip in 'rt' and the described one in 'ds' (if set). */
static void check(const char *path, const char *name, struct score *rt, struct score *ds)
{
	char why[160] = "", dwhy[200] = "";
	struct mlcc_diag d = {0, ""};
	struct mil_info info;
	struct arena a;
	struct model *m;
	struct wbuf w, w2;
	unsigned char *text;
	size_t len;
	bool same = false, dsame = false, noise = false;

	rt->total++;
	if (ds)
		ds->total++;
	text = tk_read(path, &len);
	if (!text) {
		printf("FAIL %s: unreadable\n", name);
		return;
	}
	arena_init(&a);
	wbuf_init(&w);
	wbuf_init(&w2);
	if (mil_parse(&a, name, (const char *)text, len, &m, &info, &d) ||
	    print(m, &info, &w, &d)) {
		printf("FAIL %s: %s\n", name, d.message);
		goto out;
	}
	if (len == w.len + 1 && text[len - 1] == '\n') {
		noise = true;
		len--;
	}
	same = same_text(text, len, &w, why, sizeof why);
	if (!ds) /* mlcc's output: descriptions of images cannot be guessed */
		dsame = true;
	else if (mil_describe(m, &d) || print(m, &info, &w2, &d))
		snprintf(dwhy, sizeof dwhy, "described: %s", d.message);
	else if (!(dsame = same_text(text, len, &w2, why, sizeof why)))
		snprintf(dwhy, sizeof dwhy, "described: %s", why);
	printf("%s %s%s%s%s\n", same && dsame ? "OK  " : "DIFF", name, same && dsame ? "" : ": ",
	       same ? dwhy : why,
	       same && noise ? " (trailing newline after '}' ignored: "
			       "hand-edited file, docs/spec/mlmodelc.md §4.2)"
			     : "");
out:
	rt->ok += same;
	if (ds)
		ds->ok += dsame;
	wbuf_free(&w);
	wbuf_free(&w2);
	arena_free(&a);
	free(text);
}

/* The Apple-written files. */
static void apple_files(const char *corpus, struct score *rt, struct score *ds)
{
	char path[PATH_MAX];
	char **files = tk_list(corpus);

	for (size_t i = 0; files && files[i]; i++) {
		if (!wanted(files[i]))
			continue;
		snprintf(path, sizeof path, "%s/%s", corpus, files[i]);
		check(path, files[i], rt, ds);
	}
	tk_free_list(files);
}

/* Compile one generated package (relative path 'pkg' under 'dir') with
** 'mlcc' and round-trip every model.mil of the bundle. */
static void generated_one(const char *mlcc, const char *dir, const char *pkg, struct score *sc)
{
	char src[PATH_MAX], path[PATH_MAX], name[PATH_MAX];
	char *tmp = tk_tmpdir(), *err = NULL;
	char **files;
	int rc;

	snprintf(src, sizeof src, "%s/%s", dir, pkg);
	const char *argv[] = {mlcc, "compile", src, tmp, NULL};
	rc = tk_run(argv, NULL, &err);
	if (rc != 0) {
		sc->total++;
		printf("FAIL generated/%s: compile exit %d: %s", pkg, rc, err);
	}
	files = tk_list(tmp);
	for (size_t i = 0; rc == 0 && files && files[i]; i++) {
		size_t n = strlen(files[i]);
		if (n < 9 || strcmp(files[i] + n - 9, "model.mil") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", tmp, files[i]);
		snprintf(name, sizeof name, "generated/%s -> %s", pkg, files[i]);
		check(path, name, sc, NULL);
	}
	tk_free_list(files);
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
}

/* mlcc's own output for every package of corpus/generated. */
static void generated(const char *mlcc, const char *corpus, struct score *sc)
{
	char dir[PATH_MAX], pkg[PATH_MAX];
	char **files;

	snprintf(dir, sizeof dir, "%s/generated", corpus);
	files = tk_list(dir);
	for (size_t i = 0; files && files[i]; i++) {
		const char *end = strstr(files[i], ".mlpackage/Manifest.json");
		if (!end || strcmp(end, ".mlpackage/Manifest.json") != 0)
			continue;
		snprintf(pkg, sizeof pkg, "%.*s.mlpackage", (int)(end - files[i]), files[i]);
		generated_one(mlcc, dir, pkg, sc);
	}
	tk_free_list(files);
}

int main(int argc, char **argv)
{
	struct score rt = {0, 0}, ds = {0, 0}, gen = {0, 0};
	const char *corpus;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_miltext MLCC\n");
		return 2;
	}
	corpus = tk_corpus("miltext", &status);
	if (!corpus)
		return status;
	apple_files(corpus, &rt, &ds);
	generated(argv[1], corpus, &gen);
	printf("described identical %zu/%zu\n", ds.ok, ds.total);
	printf("mlcc-printed identical %zu/%zu\n", gen.ok, gen.total);
	printf("miltext identical %zu/%zu\n", rt.ok, rt.total);
	return rt.total > 0 && rt.ok == rt.total && ds.ok == ds.total && gen.ok == gen.total ? 0
											     : 1;
}
