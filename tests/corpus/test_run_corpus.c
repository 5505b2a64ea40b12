/*
** test_run_corpus.c -- every ML program of the corpus runs on the CPU
** runtime: each function once, on zero inputs of its declared default
** shapes (flexible dimensions: 1), with zeroed states.
**
** Items:
**   - every bundle Apple compiled (pairs/<n>/expected/, compiled/<n>/);
**   - every source package of a pair (pairs/<n>/<stem>.mlpackage);
**   - every mil-text item: its model.mil assembled into a package;
**   - every package under generated/ (coremltools, ANEMLL converter).
** Weights that were never published get zero stand-ins (standin.h), so the
** values computed are meaningless: the test proves that every op of every
** program is implemented and that nothing crashes or reads out of bounds,
** not that the results are right (the op tests and test_anemll do that).
**
** Pipelines of ML programs run whole; a pipeline with another kind of
** child (NMS, a classic model) has its ML-program children run as models
** of their own (a pipeline package is compiled by mlcc first); the other
** children (NMS, classic models), neural-network (espresso) bundles and
** other models that are not ML programs are reported as "not an ML
** program" and not counted.  A function fails on any error (an op the
** runtime does not support, a failed prediction) and the test fails when
** any function failed -- except a data-dependent refusal of an index
** computed from the zero inputs ("index ... outside ...": a token-id model
** given token 0), listed as REFUSED and counted apart.
**
** Ends with "run corpus: N/M functions ran".
**
** $MLCC_RUN_CORPUS_ONLY=a,b limits the run to items whose label contains
** one of the words (for iterating on one model); $MLCC_RUN_CORPUS_SKIP=a,b
** leaves out items whose label contains one (e.g. the big convolutional
** nets under a sanitizer build, where they take many minutes).
**
** usage: test_run_corpus MLCC
*/
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "corpus.h"
#include "mlcc.h"
#include "standin.h"
#include "testkit.h"

struct tally {
	size_t ran, total;  /* functions */
	size_t refused;	    /* of total: zero inputs outside the model's domain */
	size_t not_program; /* models that are not ML programs (not counted) */
	size_t models;
};

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* True when 'label' contains one of the comma-separated words of 'list'. */
static bool names_any(const char *label, const char *list)
{
	char word[256];

	while (list && *list) {
		size_t n = strcspn(list, ",");
		snprintf(word, sizeof word, "%.*s", (int)(n < 255 ? n : 255), list);
		if (*word && strstr(label, word))
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

/* True when $MLCC_RUN_CORPUS_ONLY is unset or 'label' contains one of its
** words, and 'label' contains none of $MLCC_RUN_CORPUS_SKIP's. */
static bool selected(const char *label)
{
	const char *only = getenv("MLCC_RUN_CORPUS_ONLY");
	const char *skip = getenv("MLCC_RUN_CORPUS_SKIP");

	if (only && *only && !names_any(label, only))
		return false;
	if (skip && *skip && names_any(label, skip)) {
		printf("skipped (MLCC_RUN_CORPUS_SKIP): %s\n", label);
		return false;
	}
	return true;
}

/* ---- one function ------------------------------------------------------------ */

/* Zero tensors for the declared inputs of 'sig' (flexible dimensions 1).
** NULL when out of memory. */
static struct mlcc_tensor *zero_inputs(const struct mlcc_signature *sig)
{
	struct mlcc_tensor *in = calloc(sig->ninputs + 1, sizeof *in);

	for (size_t i = 0; in && i < sig->ninputs; i++) {
		const struct mlcc_feature *f = &sig->inputs[i];
		size_t es = mlcc_dtype_size(f->dtype);
		in[i].name = f->name;
		in[i].dtype = f->dtype;
		in[i].rank = f->rank;
		for (int k = 0; k < f->rank; k++)
			in[i].shape[k] = f->shape[k] < 0 ? 1 : f->shape[k];
		in[i].data = calloc(mlcc_tensor_count(&in[i]) + 1, es ? es : 1);
		if (in[i].data == NULL)
			return NULL; /* the test aborts: leaks do not matter */
	}
	return in;
}

/* True for the runtime's data-dependent refusal of an index computed
** from the inputs (a token id model given token 0, say): the program is
** supported, the zero inputs are outside its domain. */
static bool input_domain(const struct mlcc_diag *d)
{
	return d->status == MLCC_E_CORRUPT && strstr(d->message, ": index ") &&
	       strstr(d->message, " outside ");
}

/* Run function 'fn' of 'model' once; prints a FAIL line when it does not
** ('*refused' set, and "REFUSED" printed, for an input-domain refusal). */
static bool run_function(mlcc_model *model, const char *label, const char *fn, bool *refused)
{
	struct mlcc_diag d = {0};
	struct mlcc_signature sig;
	struct mlcc_prediction pred = {0};
	mlcc_state *state = NULL;
	struct mlcc_tensor *in = NULL;
	bool ok = false;

	if (mlcc_model_signature(model, fn, &sig, &d) != MLCC_OK)
		goto out;
	if ((in = zero_inputs(&sig)) == NULL) {
		snprintf(d.message, sizeof d.message, "out of memory for the inputs");
		goto out;
	}
	if (sig.nstates > 0 && mlcc_state_new(model, fn, &state, &d) != MLCC_OK)
		goto out;
	if (mlcc_predict(model, fn, in, sig.ninputs, state, &pred, &d) != MLCC_OK)
		goto out;
	ok = pred.noutputs == sig.noutputs;
	if (!ok)
		snprintf(d.message, sizeof d.message, "%zu outputs, %zu declared", pred.noutputs,
			 sig.noutputs);
	mlcc_prediction_free(&pred);
out:
	*refused = !ok && input_domain(&d);
	if (!ok)
		printf("%s %s: function '%s': %s\n", *refused ? "REFUSED" : "FAIL", label, fn,
		       d.message);
	for (size_t i = 0; in && i < sig.ninputs; i++)
		free(in[i].data);
	free(in);
	mlcc_state_free(state);
	return ok;
}

/* ---- one model --------------------------------------------------------------- */

static const char *mlcc_bin; /* the mlcc under test */

static void run_model(const char *label, const char *path, struct tally *t);

/* The ML-program children (model0/, model1/, ...) of the pipeline bundle
** 'bundle', each run as a model of its own; the other children (NMS,
** classic models) are not ML programs.  Returns how many ran. */
static size_t run_children(const char *label, const char *bundle, struct tally *t)
{
	size_t n = 0;

	for (int i = 0; i < 16; i++) {
		char child[PATH_MAX * 2], mil[PATH_MAX * 3], cl[PATH_MAX * 2];
		snprintf(child, sizeof child, "%s/model%d", bundle, i);
		snprintf(mil, sizeof mil, "%s/model.mil", child);
		snprintf(cl, sizeof cl, "%s/model%d", label, i);
		if (!exists(child))
			break;
		if (!exists(mil)) {
			printf("not an ML program: %s: a pipeline child without model.mil\n", cl);
			t->not_program++;
			continue;
		}
		run_model(cl, child, t);
		n++;
	}
	return n;
}

/* A pipeline: a bundle's ML-program children run in place; a package is
** compiled first (mlcc compile) and its bundle's children run. */
static void run_pipeline(const char *label, const char *path, struct tally *t)
{
	size_t l = strlen(path);
	char *tmp, *err = NULL, out[PATH_MAX], bundle[PATH_MAX * 2];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (l > 9 && strcmp(path + l - 9, ".mlmodelc") == 0) {
		run_children(label, path, t);
		return;
	}
	tmp = tk_tmpdir();
	snprintf(out, sizeof out, "%s/out", tmp);
	if (tk_compile(mlcc_bin, path, out, "", "", true, &err) != 0) {
		printf("FAIL %s: compile for its pipeline children: %s", label, err ? err : "\n");
		t->total++;
	} else {
		snprintf(bundle, sizeof bundle, "%s/%.*s.mlmodelc", out,
			 (int)(strlen(base) > 10 ? strlen(base) - 10 : strlen(base)), base);
		if (run_children(label, bundle, t) == 0) {
			printf("FAIL %s: no ML-program child in the compiled pipeline\n", label);
			t->total++;
		}
	}
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
}

/* Load 'path' and run each of its functions once. */
static void run_model(const char *label, const char *path, struct tally *t)
{
	struct mlcc_diag d = {0};
	mlcc_model *model = NULL;
	size_t n, ran = 0;
	struct timespec t0, t1;

	if (mlcc_model_load(path, NULL, &model, &d) != MLCC_OK) {
		if (strstr(d.message, "only ML programs can be run (this is a pipeline") ||
		    (strstr(d.message, ": pipeline child ") &&
		     strstr(d.message, " is not an ML program"))) {
			mlcc_model_free(model);
			run_pipeline(label, path, t);
			return;
		}
		if (strstr(d.message, "only ML programs can be run") ||
		    strstr(d.message, ": a classifier: its outputs")) {
			printf("not a tensor program: %s: %s\n", label, d.message);
			t->not_program++;
		} else {
			printf("FAIL %s: load: %s\n", label, d.message);
			t->total++;
		}
		mlcc_model_free(model);
		return;
	}
	t->models++;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = mlcc_model_function_count(model);
	for (size_t i = 0; i < n; i++) {
		bool refused = false;
		t->total++;
		if (run_function(model, label, mlcc_model_function_name(model, i), &refused)) {
			t->ran++;
			ran++;
		}
		t->refused += refused;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ran == n)
		printf("OK   %s (%zu function%s, %.1f s)\n", label, n, n == 1 ? "" : "s",
		       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	mlcc_model_free(model);
}

/* A bundle of Apple's: espresso ones are not ML programs; missing weights
** get stand-ins in a copy. */
static void run_bundle(const char *label, const char *bundle, struct tally *t)
{
	char copy[PATH_MAX];
	char *tmp;

	if (!selected(label))
		return;
	if (tk_is_espresso(bundle)) {
		printf("not an ML program: %s: a neural network (espresso) bundle\n", label);
		t->not_program++;
		return;
	}
	if (!tk_bundle_lacks_weights(bundle)) {
		run_model(label, bundle, t);
		return;
	}
	tmp = tk_tmpdir();
	snprintf(copy, sizeof copy, "%s/%s", tmp, strrchr(bundle, '/') + 1);
	if (tk_copy_tree(bundle, copy) != 0 || tk_bundle_standins(copy) < 0) {
		printf("FAIL %s: cannot lay out stand-in weights\n", label);
		t->total++;
	} else {
		run_model(label, copy, t);
	}
	tk_rm_rf(tmp);
	free(tmp);
}

/* A pair's source package; its weights come from Apple's bundle's
** references when they were not published. */
static void run_source(const char *label, const char *pkg, const char *bundle, struct tally *t)
{
	char copy[PATH_MAX];
	char *tmp;

	if (!selected(label))
		return;
	if (bundle == NULL || !tk_bundle_lacks_weights(bundle)) {
		run_model(label, pkg, t);
		return;
	}
	tmp = tk_tmpdir();
	if (tk_standin_copy(pkg, bundle, tmp, copy, sizeof copy) != 0) {
		printf("FAIL %s: cannot lay out stand-in weights\n", label);
		t->total++;
	} else {
		run_model(label, copy, t);
	}
	tk_rm_rf(tmp);
	free(tmp);
}

/* A mil-text item: model.mil assembled into a package with stand-in
** weights. */
static void run_mil(const char *mlcc, const char *label, const char *dir, struct tally *t)
{
	char mil[PATH_MAX], pkg[PATH_MAX], w[PATH_MAX];
	char *tmp, *err = NULL;
	int rc;

	if (!selected(label))
		return;
	tmp = tk_tmpdir();
	snprintf(mil, sizeof mil, "%s/model.mil", dir);
	snprintf(pkg, sizeof pkg, "%s/model.mlpackage", tmp);
	snprintf(w, sizeof w, "%s/w", tmp);
	rc = tk_standin_weights(mil, w);
	snprintf(w, sizeof w, "%s/w/weights", tmp);
	const char *as[] = {mlcc, "assemble", mil, "-o", pkg, rc > 0 ? "--weights" : NULL, w, NULL};
	rc = rc < 0 ? -1 : tk_run(as, NULL, &err);
	if (rc != 0) {
		printf("FAIL %s: assemble exit %d: %s", label, rc, err ? err : "\n");
		t->total++;
	} else {
		run_model(label, pkg, t);
	}
	free(err);
	tk_rm_rf(tmp);
	free(tmp);
}

/* ---- the sets ------------------------------------------------------------------ */

/* pairs/: Apple's bundle and the source package of each pair. */
static void run_pairs(const char *corpus, struct tally *t)
{
	char dir[PATH_MAX];
	char **items;

	snprintf(dir, sizeof dir, "%s/pairs", corpus);
	items = tk_entries(dir, "");
	for (size_t i = 0; items[i]; i++) {
		char item[PATH_MAX], exp[PATH_MAX], label[PATH_MAX * 2], path[PATH_MAX * 2];
		char first[PATH_MAX * 2] = "";
		snprintf(item, sizeof item, "%s/%s", dir, items[i]);
		snprintf(exp, sizeof exp, "%s/expected", item);
		char **b = tk_entries(exp, ".mlmodelc"), **p = tk_entries(item, ".mlpackage");
		for (size_t k = 0; b[k]; k++) {
			snprintf(path, sizeof path, "%s/%s", exp, b[k]);
			snprintf(label, sizeof label, "pairs/%s/%s", items[i], b[k]);
			if (k == 0)
				snprintf(first, sizeof first, "%s", path);
			run_bundle(label, path, t);
		}
		for (size_t k = 0; p[k]; k++) {
			snprintf(path, sizeof path, "%s/%s", item, p[k]);
			snprintf(label, sizeof label, "pairs/%s/%s", items[i], p[k]);
			run_source(label, path, *first ? first : NULL, t);
		}
		tk_free_list(b);
		tk_free_list(p);
	}
	tk_free_list(items);
}

static void run_compiled(const char *corpus, struct tally *t)
{
	char dir[PATH_MAX];
	char **items;

	snprintf(dir, sizeof dir, "%s/compiled", corpus);
	items = tk_entries(dir, "");
	for (size_t i = 0; items[i]; i++) {
		char item[PATH_MAX], label[PATH_MAX * 2], path[PATH_MAX * 2];
		snprintf(item, sizeof item, "%s/%s", dir, items[i]);
		char **b = tk_entries(item, ".mlmodelc");
		for (size_t k = 0; b[k]; k++) {
			snprintf(path, sizeof path, "%s/%s", item, b[k]);
			snprintf(label, sizeof label, "compiled/%s/%s", items[i], b[k]);
			run_bundle(label, path, t);
		}
		tk_free_list(b);
	}
	tk_free_list(items);
}

static void run_miltext(const char *mlcc, const char *corpus, struct tally *t)
{
	char dir[PATH_MAX];
	char **items;

	snprintf(dir, sizeof dir, "%s/mil-text", corpus);
	items = tk_entries(dir, "");
	for (size_t i = 0; items[i]; i++) {
		char item[PATH_MAX], label[PATH_MAX * 2], f[PATH_MAX * 2];
		snprintf(item, sizeof item, "%s/%s", dir, items[i]);
		snprintf(f, sizeof f, "%s/model.mil", item);
		snprintf(label, sizeof label, "mil-text/%s", items[i]);
		if (exists(f))
			run_mil(mlcc, label, item, t);
	}
	tk_free_list(items);
}

/* Every package under generated/ (two levels: set/pkg, set/subset/pkg). */
static void run_generated(const char *dir, const char *prefix, int depth, struct tally *t)
{
	char **items = tk_entries(dir, "");

	for (size_t i = 0; items[i]; i++) {
		char path[PATH_MAX * 2], label[PATH_MAX * 2];
		size_t l = strlen(items[i]);
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, items[i]);
		snprintf(label, sizeof label, "%s/%s", prefix, items[i]);
		if (l > 10 && strcmp(items[i] + l - 10, ".mlpackage") == 0) {
			if (selected(label))
				run_model(label, path, t);
		} else if (depth > 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			run_generated(path, label, depth - 1, t);
		}
	}
	tk_free_list(items);
}

int main(int argc, char **argv)
{
	struct tally t = {0};
	int status;
	const char *corpus = tk_corpus("test_run_corpus", &status);
	char gen[PATH_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: test_run_corpus MLCC\n");
		return 2;
	}
	if (corpus == NULL)
		return status;
	setvbuf(stdout, NULL, _IOLBF, 0);
	mlcc_bin = argv[1];
	run_pairs(corpus, &t);
	run_compiled(corpus, &t);
	run_miltext(argv[1], corpus, &t);
	snprintf(gen, sizeof gen, "%s/generated", corpus);
	run_generated(gen, "generated", 2, &t);
	printf("not an ML program or a classifier (not counted): %zu\n", t.not_program);
	printf("refused the zero inputs (data-dependent index check, not failures): %zu\n",
	       t.refused);
	printf("run corpus: %zu/%zu functions ran\n", t.ran, t.total);
	return t.total > 0 && t.ran + t.refused == t.total ? 0 : 1;
}
