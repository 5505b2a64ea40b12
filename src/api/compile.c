/*
** compile.c -- the compiler pipeline: read -> model -> emit, atomically.
**
**   package_open   where the spec file, @model_path and the stem are
**   output_open    a temporary directory beside OUTDIR/<stem>.mlmodelc
**   copier_start   the weights directory listed and copied into it, in a
**                  thread
**   spec_read_file the protobuf, parsed into the in-memory model
**   check_model    what mlcc can compile
**   validate_model names, definitions and uses (validate.c)
**   weights_plan   every BLOBFILE reference checked; the files to copy
**   emit_bundle    every other file written into the temporary
**   finish_copy    the copy joined; output_close: the temporary replaces
**                  OUTDIR/<stem>.mlmodelc
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

#include "model/classifier.h"
#include "package/copier.h"
#include "base/diag.h"
#include "bundle/emit.h"
#include "base/os.h"
#include "package/package.h"
#include "base/progress.h"
#include "spec/spec_read.h"
#include "model/stamp.h"
#include "model/validate.h"
#include "package/weights.h"

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

/* Weight files, and where the weights directory's early copy goes.  The
** copier (copier.c) brings 'early' into the top of the temporary while the
** model is read; the first ML-program directory of the bundle owns those
** files -- the top itself for an ML program, model0/... for a pipeline,
** where they are moved once the copy is done (place_early). */
struct weights_out {
	const struct weight_plan *plan;  /* every file of the bundle */
	const struct weight_plan *early; /* brought by the copier */
	const char *top;                 /* the temporary directory */
	char *owner;                     /* first ML-program dir, or NULL */
};

/* The weight files of one ML-program directory. */
static int emit_weights(const struct emit_ctx *c, struct weights_out *wo,
			const char *dir)
{
	const struct weight_plan *skip = NULL;

	if (!wo->owner && wo->early->nfiles) {
		if (!(wo->owner = strdup(dir)))
			return diag_fail(c->diag, MLCC_E_NOMEM, "out of memory");
		skip = wo->early;
	}
	return weights_copy(wo->plan, dir, c->link, c->progress, skip, c->diag);
}

/* A compiled model (top level or pipeline child) into 'dir'. */
static int emit_model_dir(const struct emit_ctx *c, const struct model *m,
			  const char *dir, struct weights_out *wo)
{
	int rc = write_small(c, dir, "coremldata.bin", m, emit_coremldata);
	char *sub;

	if (!rc && m->kind == MODEL_ML_PROGRAM) {
		rc = emit_mil_file(c, dir, m);
		if (!rc)
			rc = emit_weights(c, wo, dir);
	}
	for (size_t i = 0; i < m->nchildren && !rc; i++) {
		char name[32];
		snprintf(name, sizeof name, "model%zu", i);
		if (!(sub = make_subdir(c, dir, name)))
			return c->diag->status;
		rc = emit_model_dir(c, m->children[i], sub, wo);
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
		       struct weights_out *wo)
{
	int rc = emit_model_dir(c, c->model, dir, wo);
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

/* After the early copy: move it to the directory that owns it, or drop it
** when no directory of the bundle takes weights. */
static int place_early(const struct weights_out *wo, struct mlcc_diag *d)
{
	char *from, *to;
	int rc = MLCC_OK;

	if (!wo->early->nfiles || (wo->owner && strcmp(wo->owner, wo->top) == 0))
		return MLCC_OK;
	from = fs_join(wo->top, "weights");
	to = wo->owner ? fs_join(wo->owner, "weights") : NULL;
	if (!from || (wo->owner && !to))
		rc = diag_fail(d, MLCC_E_NOMEM, "out of memory");
	else if (!to)
		fs_rm_rf(from);
	else if (rename(from, to) != 0)
		rc = diag_errno(d, to, "cannot move weights", errno);
	free(from);
	free(to);
	return rc;
}

/* ---- the output: a temporary beside OUTDIR/<stem>.mlmodelc -------------- */

struct output {
	char *target;      /* OUTDIR/<stem>.mlmodelc */
	bool made_dir;     /* OUTDIR did not exist before */
	struct fs_temp tmp;
};

static int output_open(struct output *out, const char *dir, const char *stem,
		       struct mlcc_diag *d)
{
	struct stat st;
	char *name = malloc(strlen(stem) + sizeof ".mlmodelc");
	int rc;

	memset(out, 0, sizeof *out);
	out->tmp.lock = -1;
	if (!name)
		return diag_fail(d, MLCC_E_NOMEM, "out of memory");
	sprintf(name, "%s.mlmodelc", stem);
	out->made_dir = stat(dir, &st) != 0;
	rc = fs_mkdir_p(dir, d);
	if (!rc && !(out->target = fs_join(dir, name)))
		rc = diag_fail(d, MLCC_E_NOMEM, "out of memory");
	if (!rc)
		rc = fs_temp_create(&out->tmp, dir, name, d);
	free(name);
	return rc;
}

/* Commit the temporary when 'rc' is 0, else remove it (and OUTDIR if this
** run made it and it is empty).  Returns the final status; on success the
** target path moves to '*written'. */
static int output_close(struct output *out, const char *dir, int rc,
			char **written, struct mlcc_diag *d)
{
	if (!rc && out->tmp.path) {
		rc = fs_temp_commit(&out->tmp, out->target, d);
	} else {
		/* The user knows the bundle, not our temporary name. */
		if (out->target)
			diag_replace(d, out->tmp.path, out->target);
		fs_temp_discard(&out->tmp);
	}
	if (rc && out->made_dir)
		rmdir(dir); /* fails, harmlessly, unless empty */
	if (!rc) {
		*written = out->target;
		out->target = NULL;
	}
	free(out->target);
	return rc;
}

/* Join the copier and decide whose error is reported.  The main thread's
** error wins, except an I/O error when the copy failed too: a full disk
** fails both, and the copy, the big writer, is the one to name -- so the
** copy is not called off on I/O errors and its own failure is seen. */
static int finish_copy(struct copier *cp, int rc, struct mlcc_diag *d)
{
	int crc = copier_finish(cp, rc != 0 && rc != MLCC_E_IO);

	if (crc && (!rc || rc == MLCC_E_IO)) {
		*d = cp->diag;
		return crc;
	}
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

/* Read, check and lower the model; plan its weight files. */
static int read_model(struct arena *a, const struct package *pkg,
		      struct model **m, uint8_t sha256[32],
		      const struct weight_plan *listed,
		      struct weight_plan *plan, struct mlcc_diag *d)
{
	int rc = spec_read_file(a, pkg->spec_path, m, sha256, d);

	if (!rc)
		rc = check_model(*m, pkg->spec_path, d);
	if (!rc)
		rc = validate_model(*m, pkg->spec_path, d);
	if (!rc)
		rc = weights_plan(pkg, *m, listed, plan, d);
	if (!rc)
		rc = lower_model(*m, d);
	return rc;
}

int mlcc_compile(struct mlcc_compile_options *o, struct mlcc_diag *d)
{
	struct package pkg;
	struct arena arena;
	struct stamp stamp;
	struct weight_plan plan = {0}, listed = {0};
	struct progress prog = {0};
	struct copier cp;
	struct output out = {NULL, false, {NULL, -1}};
	struct weights_out wo = {&plan, &listed, NULL, NULL};
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
	memset(&cp, 0, sizeof cp);
	prog.enabled = !o->quiet && isatty(STDERR_FILENO);
	rc = package_open(&pkg, o->input, d);
	/* The weights directory is copied while the model is read. */
	if (!rc)
		rc = output_open(&out, o->output_dir, pkg.stem, d);
	if (!rc)
		rc = weights_dir_files(&pkg, &listed, d);
	if (!rc)
		copier_start(&cp, &listed, out.tmp.path, o->link, prog.enabled);
	if (!rc)
		rc = read_model(&arena, &pkg, &m, c.spec_sha256, &listed, &plan,
				d);
	if (!rc) {
		c.model = m;
		c.stamp = &stamp;
		c.stem = pkg.stem;
		c.spec_name = pkg.spec_name;
		c.diag = d;
		c.link = o->link;
		c.progress = &prog;
		wo.top = out.tmp.path;
		rc = emit_bundle(&c, out.tmp.path, &wo);
	}
	rc = finish_copy(&cp, rc, d);
	if (!rc)
		rc = place_early(&wo, d);
	rc = output_close(&out, o->output_dir, rc, &o->written_path, d);
	free(wo.owner);
	weights_free(&listed);
	weights_free(&plan);
	package_close(&pkg);
	arena_free(&arena);
	return rc;
}
