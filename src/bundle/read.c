/*
** read.c -- a compiled bundle, read back into the in-memory model.
**
** What each file gives (the reverse of compile.c):
**   coremldata.bin   model type, specification version, the description
**                    (it holds the flexibility that model.mil prints as
**                    FlexibleShapeInformation, so that attribute is dropped),
**                    the classifier labels (classifier.c)
**   model.mil        the program (mil/parse.c); its buildInfo the stamp
**   metadata.json    isUpdatable (nothing else is missing elsewhere)
**   analytics        the spec file's name (modelName)
**   weights/         every file, kept at its relative path
** Pipeline children live in model<i>/ and their names in modelNames/;
** neural networks (espresso files) are summarized by nn_read.c.  What
** model.mil's printing lost is restored by rule (restore_*()): the input
** and function orders (from the description), coremltools' buildInfo
** order, and the absence of a Metadata the compiler forced in.
*/
#include "bundle/bundle.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/diag.h"
#include "base/lfs.h"
#include "base/os.h"
#include "mil/flexshape.h"
#include "model/describe.h"
#include "mil/mil.h"

/* Largest model.mil read back (its constants are inline text). */
#define MIL_MAX_BYTES ((size_t)4 << 30)

int bundle_is_compiled(const char *path)
{
	/* No allocation: a predicate cannot report running out of memory. */
	char cd[PATH_MAX + 16];
	struct stat st;
	int n = snprintf(cd, sizeof cd, "%s/coremldata.bin", path);

	return n > 0 && (size_t)n < sizeof cd && stat(cd, &st) == 0 && S_ISREG(st.st_mode);
}

/* An empty model in 'a' read from 'dir' (NULL when out of memory). */
static struct model *new_model(struct arena *a, const char *dir)
{
	struct model *m = arena_alloc(a, sizeof *m);

	if (m) {
		m->arena = a;
		if (!(m->origin = arena_strdup(a, dir)))
			return NULL;
	}
	return m;
}

/* model.mil of an ML-program directory, parsed; the stamp noted once. */
static int read_program(struct arena *a, const char *dir, struct bundle *b, struct model **out,
			struct mlcc_diag *d)
{
	char *path = os_join(dir, "model.mil");
	struct mil_info info;
	uint8_t *text;
	size_t len;
	int rc;

	if (!path)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	rc = os_read_file_in(b->files.root_real, path, MIL_MAX_BYTES, &text, &len, d);
	if (!rc && lfs_pointer(text, len)) {
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s " LFS_ADVICE, path);
		free(text);
	} else if (!rc) {
		const char *origin = arena_strdup(a, path);
		rc = origin ? mil_parse(a, origin, (const char *)text, len, out, &info, d)
			    : diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", path);
		free(text);
	}
	if (!rc && !b->coremlc[0]) {
		snprintf(b->coremlc, sizeof b->coremlc, "%s", info.coremlc_version);
		snprintf(b->mil, sizeof b->mil, "%s", info.coremlc_mil);
	}
	free(path);
	return rc;
}

static int read_model_dir(struct arena *a, const char *dir, struct bundle *b, struct model **out,
			  unsigned depth, struct mlcc_diag *d);

/* Position of input 'name' in the description's order: its inputs, then
** its states; 'n' (after all of them) when it names none. */
static size_t described_rank(const struct func_desc *fd, const char *name, size_t n)
{
	for (size_t i = 0; i < fd->ninputs; i++)
		if (fd->inputs[i] && strcmp(fd->inputs[i]->name, name) == 0)
			return i;
	for (size_t i = 0; i < fd->nstates; i++)
		if (fd->states[i] && strcmp(fd->states[i]->name, name) == 0)
			return fd->ninputs + i;
	return n;
}

/* model.mil prints function inputs sorted; the source order survives in
** the description (coremldata.bin): its inputs, then its states.  Inputs
** the description does not name (none when it is absent) keep the printed
** order, after the described ones.  A stable insertion sort: functions
** have few inputs. */
static void restore_input_order(struct model *m)
{
	for (size_t f = 0; f < m->program->nfuncs; f++) {
		struct function *fn = &m->program->funcs[f];
		struct func_desc fd;
		size_t n = fn->ninputs;
		desc_function(m->desc, fn->name, &fd);
		n += fd.ninputs + fd.nstates;
		for (size_t i = 1; i < fn->ninputs; i++) {
			struct named_type t = fn->inputs[i];
			size_t r = described_rank(&fd, t.name, n), k = i;
			while (k > 0 && described_rank(&fd, fn->inputs[k - 1].name, n) > r) {
				fn->inputs[k] = fn->inputs[k - 1];
				k--;
			}
			fn->inputs[k] = t;
		}
	}
}

/* Rank of function 'name' in the program map as coremltools writes it:
** the reverse of the description's function order (generated/ multi-
** function packages: [third, second, first] for a description [first,
** second, third]; [prefill, infer] for [infer, prefill] -- 4/4 packages;
** LOW: those orders are also reverse-sorted).  Functions the description
** does not list come last. */
static size_t function_rank(const ModelDescription *desc, const char *name)
{
	for (size_t i = 0; i < desc->n_functions; i++)
		if (desc->functions[i] && strcmp(desc->functions[i]->name, name) == 0)
			return desc->n_functions - 1 - i;
	return desc->n_functions;
}

/* model.mil prints functions sorted by name; restore the map order of
** the source (function_rank), stably. */
static void restore_function_order(struct model *m)
{
	struct program *p = m->program;

	for (size_t i = 1; i < p->nfuncs; i++) {
		struct function f = p->funcs[i];
		size_t r = function_rank(m->desc, f.name), k = i;
		while (k > 0 && function_rank(m->desc, p->funcs[k - 1].name) > r) {
			p->funcs[k] = p->funcs[k - 1];
			k--;
		}
		p->funcs[k] = f;
	}
}

/* model.mil prints buildInfo sorted; coremltools writes
** "coremltools-version" first and its other entries after it in sorted
** order (every coremltools-written source of the corpus: pairs/mobius-*,
** pairs/GenAI-Genesis-*, generated/).  Restore that order. */
static void restore_build_info_order(struct program *p)
{
	struct mvalue *bi = (struct mvalue *)model_attr(p->attrs, p->nattrs, "buildInfo");

	if (!bi || bi->kind != VAL_DICT)
		return;
	for (size_t i = 1; i < bi->count; i++) {
		const char *k = model_value_string(bi->items[i]);
		if (!k || strcmp(k, "coremltools-version") != 0)
			continue;
		struct mvalue *key = bi->items[i], *val = bi->values[i];
		memmove(bi->items + 1, bi->items, i * sizeof *bi->items);
		memmove(bi->values + 1, bi->values, i * sizeof *bi->values);
		bi->items[0] = key;
		bi->values[0] = val;
		return;
	}
}

static bool has_program(const struct model *m)
{
	if (m->kind == MODEL_ML_PROGRAM)
		return true;
	for (size_t i = 0; i < m->nchildren; i++)
		if (has_program(m->children[i]))
			return true;
	return false;
}

static bool metadata_empty(const Metadata *md)
{
	return !*md->shortdescription && !*md->versionstring && !*md->author && !*md->license &&
	       md->n_userdefined == 0 && md->base.n_unknown_fields == 0;
}

/* Compilers that force a Metadata into coremldata.bin (struct stamp_rules)
** make an empty one mean "the source had none": drop it, in every model of
** the tree, so that the package is the source again. */
static void restore_absent_metadata(struct model *m, const struct stamp_rules *rules)
{
	if (rules->cd_metadata && m->desc && m->desc->metadata && metadata_empty(m->desc->metadata))
		m->desc->metadata = NULL;
	for (size_t i = 0; i < m->nchildren; i++)
		restore_absent_metadata(m->children[i], rules);
}

static int read_children(struct arena *a, const char *dir, struct bundle *b, struct model *m,
			 unsigned depth, struct mlcc_diag *d)
{
	char name[40], *sub;
	int rc = MLCC_OK;

	m->children = arena_array(a, m->nchildren + 1, sizeof *m->children);
	if (!m->children)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	for (size_t i = 0; i < m->nchildren && !rc; i++) {
		snprintf(name, sizeof name, "model%zu", i);
		if (!(sub = os_join(dir, name)))
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		rc = read_model_dir(a, sub, b, &m->children[i], depth + 1, d);
		free(sub);
	}
	if (!rc) {
		char *names = os_join(dir, "modelNames/coremldata.bin");
		char **list;
		if (!names)
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		rc = cd_read_names(a, b->files.root_real, names, &list, &m->nchild_names, d);
		m->child_names = (const char **)list;
		free(names);
	}
	return rc;
}

static int read_model_dir(struct arena *a, const char *dir, struct bundle *b, struct model **out,
			  unsigned depth, struct mlcc_diag *d)
{
	char *cdp = os_join(dir, "coremldata.bin"), *wd;
	struct cd_file cd;
	struct model *m = NULL;
	int rc;

	if (!cdp)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	if (depth > MLCC_MAX_PIPELINE_NESTING) {
		free(cdp);
		return diag_fail(d, MLCC_E_CORRUPT, "%s: pipelines nested too deeply", dir);
	}
	rc = cd_read(a, b->files.root_real, cdp, &cd, d);
	free(cdp);
	if (rc)
		return rc;
	if (cd.type == 502) {
		rc = read_program(a, dir, b, &m, d);
		if (rc)
			return rc;
		flexshape_drop_attr(m->program);
		restore_build_info_order(m->program);
		if (cd.classifier) {
			m->classifier.prob_var = cd.prob_var;
			m->classifier.int_labels = cd.int_labels;
			m->classifier.nlabels = cd.nlabels;
			m->classifier.labels = (const char *const *)cd.labels;
			m->classifier.int_values = cd.int_values;
		}
		wd = os_join(dir, "weights");
		if (!wd)
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		rc = weights_list_dir(wd, "weights", b->files.root_real, &b->weights, d);
		free(wd);
	} else if (model_is_neural_network(cd.type)) {
		if (!(m = new_model(a, dir)))
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		rc = nn_read_dir(a, b->files.root_real, dir, &cd, m, d);
	} else if (cd.spec) {
		if (!(m = new_model(a, dir)))
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		m->kind = MODEL_SPEC;
		m->spec = cd.spec;
		m->is_updatable = cd.spec->isupdatable;
		if (!cd.desc) {
			if (!(cd.desc = arena_alloc(a, sizeof *cd.desc)))
				return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
			core_ml__specification__model_description__init(cd.desc);
		}
	} else {
		if (!(m = new_model(a, dir)))
			return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
		m->kind = cd.type == 202   ? MODEL_PIPELINE
			  : cd.type == 200 ? MODEL_PIPELINE_CLASSIFIER
					   : MODEL_PIPELINE_REGRESSOR;
		m->type_field = cd.type;
		m->nchildren = (size_t)cd.nchildren;
		if (cd.nchildren > 4096)
			return diag_fail(d, MLCC_E_CORRUPT, "%s: %llu pipeline children", dir,
					 (unsigned long long)cd.nchildren);
		rc = read_children(a, dir, b, m, depth, d);
	}
	if (rc)
		return rc;
	m->spec_version = cd.spec_version;
	m->desc = cd.desc;
	m->type_field = cd.type;
	m->stage = MODEL_LOWERED; /* as the compiler printed it */
	if (m->kind == MODEL_ML_PROGRAM) {
		restore_input_order(m);
		restore_function_order(m);
	}
	*out = m;
	return MLCC_OK;
}

int bundle_metadata_updatable(const char *text, size_t len)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	const char *v = json_string_value(json_object_get(json_array_get(root, 0), "isUpdatable"));
	int yes = v && strcmp(v, "1") == 0;

	json_decref(root);
	return yes;
}

/* isUpdatable, from metadata.json inside 'root': an absent file is false;
** one that cannot be read (a FIFO, a symlink out of the bundle) is an
** error, not a silent false. */
static int read_updatable(const char *root, const char *dir, struct model *m, struct mlcc_diag *d)
{
	char *path = os_join(dir, "metadata.json");
	uint8_t *text;
	size_t len;
	int rc;

	m->is_updatable = false;
	if (!path)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		free(path);
		return MLCC_OK;
	}
	rc = os_read_file_in(root, path, (size_t)64 << 20, &text, &len, d);
	if (!rc) {
		m->is_updatable = bundle_metadata_updatable((const char *)text, len);
		free(text);
	}
	free(path);
	return rc;
}

/* Where @model_path points: the bundle directory, or the first child's
** for a pipeline (every child holds every file). */
static int bundle_files(const char *dir, const struct model *m, struct model_files *f,
			struct mlcc_diag *d)
{
	char *base = m->nchildren ? os_join(dir, "model0") : strdup(dir);

	if (base) {
		f->model_path = base;
		f->origin = os_join(base, "model.mil");
		f->weights_dir = os_join(base, "weights");
	}
	if (!base || !f->origin || !f->weights_dir)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	if (!f->root_real)
		return diag_errno(d, dir, "cannot resolve", errno);
	return MLCC_OK;
}

int bundle_read(struct arena *a, const char *dir, struct bundle *b, struct mlcc_diag *d)
{
	const char *base;
	size_t blen;
	char *an;
	int rc;

	memset(b, 0, sizeof *b);
	/* Every file read is checked to lie inside the bundle. */
	b->files.root_real = realpath(dir, NULL);
	if (!b->files.root_real)
		return diag_errno(d, dir, "cannot resolve", errno);
	rc = read_model_dir(a, dir, b, &b->model, 0, d);
	if (!rc)
		rc = bundle_files(dir, b->model, &b->files, d);
	if (rc)
		return rc;
	/* The compiler that wrote the bundle: its model.mil's buildInfo; a
	** bundle without a program gives no clue, and compiles with the
	** newest stamp. */
	struct stamp st;
	if ((has_program(b->model) ? stamp_init_any(&st, b->coremlc, b->mil, d)
				   : stamp_init(&st, NULL, NULL, d)) != MLCC_OK)
		return d->status;
	restore_absent_metadata(b->model, &st.rules);
	if ((rc = read_updatable(b->files.root_real, dir, b->model, d)) != MLCC_OK)
		return rc;
	base = os_basename(dir, &blen);
	if (blen > 9 && strncmp(base + blen - 9, ".mlmodelc", 9) == 0)
		blen -= 9;
	b->stem = arena_strndup(a, base, blen);
	an = os_join(dir, "analytics/coremldata.bin");
	if (!an || !b->stem)
		rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	else
		rc = cd_read_analytics_name(a, b->files.root_real, an, &b->spec_name, d);
	free(an);
	if (!rc && !b->spec_name)
		b->spec_name = "model";
	return rc;
}

void bundle_free(struct bundle *b)
{
	weights_free(&b->weights);
	model_files_free(&b->files);
}
