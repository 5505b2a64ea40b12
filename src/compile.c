/*
** compile.c -- the compiler pipeline: read -> model -> emit, atomically.
**
**   package_open   where the spec file, @model_path and the stem are
**   spec_read_file the protobuf, parsed into the in-memory model
**   check_model    what mlcc can compile
**   validate_model names, definitions and uses (validate.c)
**   weights_plan   every BLOBFILE reference checked; the files to copy
**   emit_bundle    every file written into a temporary directory beside
**                  the target, which then replaces OUTDIR/<stem>.mlmodelc
**
** On any failure the temporary directory is removed and an existing bundle
** is left untouched.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "classifier.h"
#include "diag.h"
#include "emit.h"
#include "fsutil.h"
#include "package.h"
#include "progress.h"
#include "spec_read.h"
#include "stamp.h"
#include "validate.h"
#include "weights.h"

/* Buffer size for streaming model.mil to disk. */
#define MIL_BUFFER (1u << 20)

static const char *model_type_name(unsigned field)
{
	switch (field) {
	case 200: return "pipelineClassifier";
	case 201: return "pipelineRegressor";
	case 202: return "pipeline";
	case 300: return "glmRegressor";
	case 301: return "supportVectorRegressor";
	case 302: return "treeEnsembleRegressor";
	case 303: return "neuralNetworkRegressor";
	case 400: return "glmClassifier";
	case 401: return "supportVectorClassifier";
	case 402: return "treeEnsembleClassifier";
	case 403: return "neuralNetworkClassifier";
	case 404: return "kNearestNeighborsClassifier";
	case 500: return "neuralNetwork";
	case 501: return "itemSimilarityRecommender";
	case 502: return "mlProgram";
	case 555: return "customModel";
	case 556: return "linkedModel";
	case 3000: return "serializedModel";
	}
	return field >= 2000 && field < 2100 ? "Core ML built-in model"
					      : "unknown model type";
}

/* mlcc compiles ML programs and pipelines made of them. */
static int check_model(const struct model *m, const char *path,
		       struct mlcc_diag *d)
{
	if (m->kind == MODEL_OTHER && m->type_field == 0)
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: no model in the specification (empty or truncated file?)",
				 path);
	if (m->kind == MODEL_OTHER)
		return diag_fail(d, MLCC_E_UNSUPPORTED,
				 "%s: %s models (Model field %u) are not supported; mlcc compiles ML programs",
				 path, model_type_name(m->type_field),
				 m->type_field);
	if (m->kind == MODEL_ML_PROGRAM && m->spec_version < 6)
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: ML program with specificationVersion %d (ML programs need 6 or later)",
				 path, (int)m->spec_version);
	for (size_t i = 0; i < m->nchildren; i++) {
		int rc = check_model(m->children[i], path, d);
		if (rc)
			return rc;
	}
	return MLCC_OK;
}

/* Apple's transformations before printing: classifier lowering, in every
** ML program of the model. */
static int lower_model(struct model *m, struct mlcc_diag *d)
{
	int rc = classifier_lower(m, d);

	for (size_t i = 0; i < m->nchildren && !rc; i++)
		rc = lower_model(m->children[i], d);
	return rc;
}

/* Write one emitter's output, buffered in memory, to 'dir/name'. */
static int write_small(const struct emit_ctx *c, const char *dir,
		       const char *name, const struct model *m,
		       int (*emit)(const struct emit_ctx *, const struct model *,
				   struct wbuf *))
{
	struct wbuf w;
	char *path = fs_join(dir, name);
	int rc;

	if (!path)
		return diag_fail(c->diag, MLCC_E_NOMEM, "out of memory");
	wbuf_init(&w);
	rc = emit(c, m, &w);
	if (!rc && wbuf_error(&w))
		rc = diag_fail(c->diag, MLCC_E_NOMEM, "%s: out of memory", path);
	if (!rc)
		rc = fs_write_file(path, w.data, w.len, c->diag);
	wbuf_free(&w);
	free(path);
	return rc;
}

static int emit_mil_file(const struct emit_ctx *c, const char *dir,
			 const struct model *m)
{
	char *path = fs_join(dir, "model.mil");
	struct wbuf w;
	int fd, rc;

	if (!path)
		return diag_fail(c->diag, MLCC_E_NOMEM, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = diag_errno(c->diag, path, "cannot create", errno);
		free(path);
		return rc;
	}
	if (wbuf_open_fd(&w, fd, MIL_BUFFER) != 0) {
		close(fd);
		free(path);
		return diag_fail(c->diag, MLCC_E_NOMEM, "out of memory");
	}
	rc = emit_mil(c, m, &w);
	wbuf_flush(&w);
	if (close(fd) != 0 && !w.err)
		w.err = errno;
	if (!rc && wbuf_error(&w))
		rc = diag_errno(c->diag, path, "write failed", wbuf_error(&w));
	wbuf_free(&w);
	free(path);
	return rc;
}

static int emit_meta(const struct emit_ctx *c, const struct model *m,
		     struct wbuf *w)
{
	(void)m;
	return emit_metadata(c, w);
}

static int emit_analytics_file(const struct emit_ctx *c, const struct model *m,
			       struct wbuf *w)
{
	(void)m;
	return emit_analytics(c, w);
}

/* Create directory 'dir/name' and return its malloc'd path, or NULL with
** the error recorded. */
static char *make_subdir(const struct emit_ctx *c, const char *dir,
			 const char *name)
{
	char *sub = fs_join(dir, name);

	if (!sub) {
		diag_fail(c->diag, MLCC_E_NOMEM, "out of memory");
		return NULL;
	}
	if (mkdir(sub, 0777) != 0) {
		diag_errno(c->diag, sub, "cannot create directory", errno);
		free(sub);
		return NULL;
	}
	return sub;
}

/* A compiled model (top level or pipeline child) into 'dir'. */
static int emit_model_dir(const struct emit_ctx *c, const struct model *m,
			  const char *dir, const struct weight_plan *plan)
{
	int rc = write_small(c, dir, "coremldata.bin", m, emit_coremldata);
	char *sub;

	if (!rc && m->kind == MODEL_ML_PROGRAM) {
		rc = emit_mil_file(c, dir, m);
		if (!rc)
			rc = weights_copy(plan, dir, c->link, c->progress, c->diag);
	}
	for (size_t i = 0; i < m->nchildren && !rc; i++) {
		char name[32];
		snprintf(name, sizeof name, "model%zu", i);
		if (!(sub = make_subdir(c, dir, name)))
			return c->diag->status;
		rc = emit_model_dir(c, m->children[i], sub, plan);
		free(sub);
	}
	if (!rc && m->nchild_names) {
		if (!(sub = make_subdir(c, dir, "modelNames")))
			return c->diag->status;
		rc = write_small(c, sub, "coremldata.bin", m, emit_model_names);
		free(sub);
	}
	return rc;
}

static int emit_bundle(const struct emit_ctx *c, const char *dir,
		       const struct weight_plan *plan)
{
	int rc = emit_model_dir(c, c->model, dir, plan);
	char *sub;

	if (!rc)
		rc = write_small(c, dir, "metadata.json", c->model, emit_meta);
	if (rc)
		return rc;
	if (!(sub = make_subdir(c, dir, "analytics")))
		return c->diag->status;
	rc = write_small(c, sub, "coremldata.bin", c->model, emit_analytics_file);
	free(sub);
	return rc;
}

static int compile_into(struct mlcc_compile_options *o, struct emit_ctx *c,
			const struct package *pkg,
			const struct weight_plan *plan)
{
	struct fs_temp tmp;
	char *target, *name;
	int rc = fs_mkdir_p(o->output_dir, c->diag);

	if (rc)
		return rc;
	name = malloc(strlen(pkg->stem) + 10);
	if (!name)
		return diag_fail(c->diag, MLCC_E_NOMEM, "out of memory");
	sprintf(name, "%s.mlmodelc", pkg->stem);
	target = fs_join(o->output_dir, name);
	rc = target ? fs_temp_create(&tmp, o->output_dir, name, c->diag)
		    : diag_fail(c->diag, MLCC_E_NOMEM, "out of memory");
	free(name);
	if (!rc)
		rc = emit_bundle(c, tmp.path, plan);
	if (!rc)
		rc = fs_temp_commit(&tmp, target, c->diag);
	else if (target) {
		/* The user knows the bundle, not our temporary name. */
		diag_replace(c->diag, tmp.path, target);
		fs_temp_discard(&tmp);
	}
	if (rc)
		free(target);
	else
		o->written_path = target;
	return rc;
}

int mlcc_link_mode_parse(const char *name)
{
	static const char *const names[] = {"copy", "reflink", "hard", "auto"};

	for (int i = 0; i < 4; i++)
		if (name && strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

int mlcc_compile(struct mlcc_compile_options *o, struct mlcc_diag *d)
{
	struct package pkg;
	struct arena arena;
	struct stamp stamp;
	struct weight_plan plan = {0};
	struct progress prog = {0};
	struct emit_ctx c;
	struct model *m = NULL;
	int rc;

	diag_clear(d);
	o->written_path = NULL;
	if (!o->input || !o->output_dir)
		return diag_fail(d, MLCC_E_USAGE, "compile: input and output directory are required");
	if ((unsigned)o->link > MLCC_LINK_AUTO)
		return diag_fail(d, MLCC_E_USAGE, "compile: unknown link mode %d",
				 (int)o->link);
	rc = stamp_init(&stamp, o->coremlc_version, o->mil_version, d);
	if (rc)
		return rc;
	arena_init(&arena);
	memset(&c, 0, sizeof c);
	rc = package_open(&pkg, o->input, d);
	if (!rc)
		rc = spec_read_file(&arena, pkg.spec_path, &m, c.spec_sha256, d);
	if (!rc)
		rc = check_model(m, pkg.spec_path, d);
	if (!rc)
		rc = validate_model(m, pkg.spec_path, d);
	if (!rc)
		rc = weights_plan(&pkg, m, &plan, d);
	if (!rc)
		rc = lower_model(m, d);
	if (!rc) {
		c.model = m;
		c.stamp = &stamp;
		c.stem = pkg.stem;
		c.spec_name = pkg.spec_name;
		c.diag = d;
		c.link = o->link;
		prog.enabled = !o->quiet && isatty(STDERR_FILENO);
		c.progress = &prog;
		rc = compile_into(o, &c, &pkg, &plan);
	}
	weights_free(&plan);
	package_close(&pkg);
	arena_free(&arena);
	return rc;
}
