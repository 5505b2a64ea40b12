/*
** corpus.c -- what the corpus tests need to know about an Apple bundle:
** which compiler wrote it and where its weights are missing.
*/
#include "corpus.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "model/model.h"
#include "spec/spec_read.h"
#include "standin.h"
#include "testkit.h"

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The first model.mil of the bundle: its own, else the first child's that
** has one (model0/, model1/, ... recursively). */
static bool first_mil(const char *dir, char *out, size_t n, int depth)
{
	char p[PATH_MAX];

	snprintf(out, n, "%s/model.mil", dir);
	if (exists(out))
		return true;
	for (int i = 0; depth < 8; i++) {
		snprintf(p, sizeof p, "%s/model%d", dir, i);
		if (!exists(p))
			break;
		if (first_mil(p, out, n, depth + 1))
			return true;
	}
	return false;
}

void tk_bundle_stamp(const char *dir, char coremlc[32], char mil[32])
{
	char p[PATH_MAX];

	coremlc[0] = mil[0] = '\0';
	if (first_mil(dir, p, sizeof p, 0)) {
		tk_stamp_of(p, coremlc, mil);
		if (!coremlc[0])
			snprintf(coremlc, 32, "pre-buildinfo");
		return;
	}
	snprintf(p, sizeof p, "%s/metadata.json", dir);
	if (!exists(p))
		snprintf(coremlc, 32, "pre-metadata");
}

bool tk_names_blobs(const char *mil_path)
{
	size_t len;
	char *t = (char *)tk_read(mil_path, &len);
	bool yes = t && strstr(t, "BLOBFILE(") != NULL;

	free(t);
	return yes;
}

/* Call 'fn' for every model directory of the bundle 'dir' whose model.mil
** references blobs (itself, then model0/, model1/, ... recursively),
** with 'lacking' set when it has no weights/.  Stops at the first non-zero
** return and returns it. */
static int each_blob_program(const char *dir, int depth,
			     int (*fn)(void *ctx, const char *dir, const char *mil, bool lacking),
			     void *ctx)
{
	char mil[PATH_MAX], w[PATH_MAX], p[PATH_MAX];
	int rc = 0;

	snprintf(mil, sizeof mil, "%s/model.mil", dir);
	snprintf(w, sizeof w, "%s/weights", dir);
	if (exists(mil) && tk_names_blobs(mil))
		rc = fn(ctx, dir, mil, !exists(w));
	for (int i = 0; rc == 0 && depth < 8; i++) {
		snprintf(p, sizeof p, "%s/model%d", dir, i);
		if (!exists(p))
			break;
		rc = each_blob_program(p, depth + 1, fn, ctx);
	}
	return rc;
}

struct standins {
	const char *root; /* NULL: each directory's own */
	int n;
};

static int standin_one(void *ctx, const char *dir, const char *mil, bool lacking)
{
	struct standins *s = ctx;

	if (!s->root && !lacking)
		return 0;
	s->n++;
	return tk_standin_weights(mil, s->root ? s->root : dir) < 0 ? -1 : 0;
}

int tk_bundle_standins(const char *dir)
{
	struct standins s = {NULL, 0};

	return each_blob_program(dir, 0, standin_one, &s) ? -1 : s.n;
}

int tk_standins_into(const char *bundle, const char *root)
{
	struct standins s = {root, 0};

	return each_blob_program(bundle, 0, standin_one, &s) ? -1 : s.n;
}

static int lacks(void *ctx, const char *dir, const char *mil, bool lacking)
{
	(void)ctx;
	(void)dir;
	(void)mil;
	return lacking;
}

bool tk_bundle_lacks_weights(const char *dir)
{
	return each_blob_program(dir, 0, lacks, NULL) != 0;
}

int tk_standin_copy(const char *src, const char *bundle, const char *dir, char *out, size_t n)
{
	char root[PATH_MAX];

	mkdir(dir, 0777);
	snprintf(out, n, "%s/%s", dir, strrchr(src, '/') ? strrchr(src, '/') + 1 : src);
	snprintf(root, sizeof root, "%s/Data/com.apple.CoreML", out);
	return tk_copy_tree(src, out) == 0 && tk_standins_into(bundle, root) >= 0 ? 0 : -1;
}

int tk_copy_tree(const char *from, const char *to)
{
	const char *cp[] = {"/bin/cp", "-R", from, to, NULL};
	const char *ch[] = {"/bin/chmod", "-R", "u+w", to, NULL};

	return tk_run(cp, NULL, NULL) == 0 && tk_run(ch, NULL, NULL) == 0 ? 0 : -1;
}

bool tk_is_espresso(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s/model.espresso.net", dir);
	return exists(p);
}

int tk_compile(const char *mlcc, const char *src, const char *outdir, const char *coremlc,
	       const char *mil, bool hard_links, char **err)
{
	const char *argv[12];
	int n = 0;

	argv[n++] = mlcc;
	argv[n++] = "compile";
	argv[n++] = src;
	argv[n++] = outdir;
	if (coremlc && *coremlc) {
		argv[n++] = "--coremlc-version";
		argv[n++] = coremlc;
		if (mil && *mil) {
			argv[n++] = "--mil-version";
			argv[n++] = mil;
		}
	}
	if (hard_links) {
		argv[n++] = "--link";
		argv[n++] = "hard";
	}
	argv[n] = NULL;
	return tk_run(argv, NULL, err);
}

void tk_analytics_model_name(const char *bundle, char *out, size_t n)
{
	char p[PATH_MAX];
	size_t len;
	unsigned char *t;

	snprintf(out, n, "model");
	snprintf(p, sizeof p, "%s/analytics/coremldata.bin", bundle);
	if (!(t = tk_read(p, &len)))
		return;
	for (size_t i = 0; i + 9 + 8 <= len; i++) {
		if (memcmp(t + i, "modelName", 9) != 0)
			continue;
		uint64_t l = 0;
		for (int k = 7; k >= 0; k--)
			l = l << 8 | t[i + 9 + (size_t)k];
		if (l < n && i + 17 + l <= len) {
			memcpy(out, t + i + 17, (size_t)l);
			out[l] = '\0';
		}
		break;
	}
	free(t);
}

/* ---- decompiled package == source ---------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
	const CoreML__Specification__Metadata__UserDefinedEntry *x = *(void *const *)a;
	const CoreML__Specification__Metadata__UserDefinedEntry *y = *(void *const *)b;
	return strcmp(x->key, y->key);
}

/* The description packed with its user metadata sorted (Apple's order of
** those entries is random per run); malloc'd. */
static uint8_t *pack_description(const ModelDescription *d, size_t *n)
{
	ModelDescription copy = *d;
	Metadata md;
	void **sorted = NULL;
	uint8_t *buf;

	if (d->metadata) {
		md = *d->metadata;
		sorted = malloc((md.n_userdefined + 1) * sizeof *sorted);
		memcpy(sorted, md.userdefined, md.n_userdefined * sizeof *sorted);
		qsort(sorted, md.n_userdefined, sizeof *sorted, cmp_entry);
		md.userdefined = (void *)sorted;
		copy.metadata = &md;
	}
	*n = core_ml__specification__model_description__get_packed_size(&copy);
	buf = malloc(*n + 1);
	core_ml__specification__model_description__pack(&copy, buf);
	free(sorted);
	return buf;
}

/* The buildInfo entries of 'p' as "k=v;k=v;..." in stored order. */
static void build_info_text(const struct program *p, char *out, size_t n)
{
	const struct mvalue *bi = model_attr(p->attrs, p->nattrs, "buildInfo");
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; bi && bi->kind == VAL_DICT && i < bi->count && used < n; i++) {
		const char *k = model_value_string(bi->items[i]);
		const char *v = model_value_string(bi->values[i]);
		used += (size_t)snprintf(out + used, n - used, "%s=%s;", k ? k : "?", v ? v : "?");
	}
}

/* Compare the source 'a' with the decompiled 'b'; writes the first
** difference into 'why'. */
static bool same_model(const struct model *a, const struct model *b, char *why, size_t n)
{
	size_t la, lb;
	uint8_t *pa, *pb;
	bool same;

	if (a->kind != b->kind || a->type_field != b->type_field ||
	    a->spec_version != b->spec_version || a->nchildren != b->nchildren) {
		snprintf(why, n, "model type/spec version/children %u/%d/%zu vs %u/%d/%zu",
			 a->type_field, (int)a->spec_version, a->nchildren, b->type_field,
			 (int)b->spec_version, b->nchildren);
		return false;
	}
	if ((a->desc->metadata != NULL) != (b->desc->metadata != NULL)) {
		snprintf(why, n, "description metadata %s in the source, %s after decompile",
			 a->desc->metadata ? "present" : "absent",
			 b->desc->metadata ? "present" : "absent");
		return false;
	}
	pa = pack_description(a->desc, &la);
	pb = pack_description(b->desc, &lb);
	same = la == lb && memcmp(pa, pb, la) == 0;
	free(pa);
	free(pb);
	if (!same) {
		snprintf(why, n, "descriptions differ (%zu vs %zu bytes)", la, lb);
		return false;
	}
	if (a->kind == MODEL_ML_PROGRAM) {
		const struct program *x = a->program, *y = b->program;
		char bx[1024], by[1024];
		if (x->nfuncs != y->nfuncs) {
			snprintf(why, n, "%zu vs %zu functions", x->nfuncs, y->nfuncs);
			return false;
		}
		for (size_t f = 0; f < x->nfuncs; f++) {
			const struct function *fa = &x->funcs[f], *fb = &y->funcs[f];
			if (strcmp(fa->name, fb->name) || strcmp(fa->opset, fb->opset) ||
			    fa->ninputs != fb->ninputs) {
				snprintf(why, n,
					 "function %zu: '%s' <%s> %zu inputs vs '%s' <%s> %zu", f,
					 fa->name, fa->opset, fa->ninputs, fb->name, fb->opset,
					 fb->ninputs);
				return false;
			}
			for (size_t i = 0; i < fa->ninputs; i++)
				if (strcmp(fa->inputs[i].name, fb->inputs[i].name) ||
				    !model_same_type(fa->inputs[i].type, fb->inputs[i].type)) {
					snprintf(why, n, "function '%s' input %zu: '%s' vs '%s'",
						 fa->name, i, fa->inputs[i].name,
						 fb->inputs[i].name);
					return false;
				}
		}
		build_info_text(x, bx, sizeof bx);
		build_info_text(y, by, sizeof by);
		if (strcmp(bx, by) != 0) {
			snprintf(why, n, "buildInfo '%s' vs '%s'", bx, by);
			return false;
		}
	}
	for (size_t i = 0; i < a->nchildren; i++)
		if (!same_model(a->children[i], b->children[i], why, n))
			return false;
	return true;
}

/* The spec file of a source (.mlmodel, or a package's model.mlmodel). */
static void spec_file(const char *src, char *out, size_t n)
{
	size_t l = strlen(src);

	if (l > 8 && strcmp(src + l - 8, ".mlmodel") == 0)
		snprintf(out, n, "%s", src);
	else
		snprintf(out, n, "%s/Data/com.apple.CoreML/model.mlmodel", src);
}

bool tk_decompiled_is_source(const char *source, const char *pkg, char *why, size_t n)
{
	char ps[PATH_MAX], pd[PATH_MAX];
	struct arena a;
	struct mlcc_diag d = {0, ""};
	struct model *ms = NULL, *md = NULL;
	uint8_t sha[32];
	bool same = false;

	spec_file(source, ps, sizeof ps);
	spec_file(pkg, pd, sizeof pd);
	arena_init(&a);
	if (spec_read_file(&a, ps, &ms, sha, &d) != MLCC_OK ||
	    spec_read_file(&a, pd, &md, sha, &d) != MLCC_OK)
		snprintf(why, n, "cannot read: %s", d.message);
	else
		same = same_model(ms, md, why, n);
	arena_free(&a);
	return same;
}
