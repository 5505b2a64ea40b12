/*
** write.c -- the layout of a compiled bundle (docs/spec/mlmodelc.md §1).
**
** An ML program's directory holds coremldata.bin, model.mil and the
** weight files; a pipeline's holds coremldata.bin, one model<i>/ directory
** per child (recursively) and modelNames/coremldata.bin when the pipeline
** names its children.  The top directory also gets metadata.json and
** analytics/coremldata.bin.  Every weight file of the bundle goes into the
** first ML-program directory, in the package's relative layout.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "bundle/bundle.h"
#include "mil/mil.h"

/* Buffer size for streaming model.mil to disk. */
#define MIL_BUFFER (1u << 20)

/* One emitter's output, buffered in memory, into 'dir/name'. */
static int write_small(const struct emit_ctx *c, const char *dir, const char *name,
		       const struct model *m,
		       int (*emit)(const struct emit_ctx *, const struct model *, struct wbuf *))
{
	struct wbuf w;
	char *path = os_join(dir, name);
	int rc;

	if (!path)
		return diag_fail(c->diag, MLCC_E_NOMEM, "%s: out of memory", dir);
	wbuf_init(&w);
	rc = emit(c, m, &w);
	diag_name_file(c->diag, name, path);
	if (!rc && wbuf_error(&w))
		rc = diag_fail(c->diag, MLCC_E_NOMEM, "%s: out of memory", path);
	if (!rc)
		rc = os_write_file(path, w.data, w.len, c->diag);
	wbuf_free(&w);
	free(path);
	return rc;
}

/* model.mil, streamed to disk: it holds every inline constant and can be
** far larger than the other files. */
static int write_mil(const struct emit_ctx *c, const char *dir, const struct model *m)
{
	char *path = os_join(dir, "model.mil");
	struct wbuf w;
	int fd, rc;

	if (!path)
		return diag_fail(c->diag, MLCC_E_NOMEM, "%s: out of memory", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = diag_errno(c->diag, path, "cannot create", errno);
		free(path);
		return rc;
	}
	if (wbuf_open_fd(&w, fd, MIL_BUFFER) != 0) {
		close(fd);
		rc = diag_fail(c->diag, MLCC_E_NOMEM, "%s: out of memory", path);
		free(path);
		return rc;
	}
	rc = mil_print(m, c->stamp, &w, c->diag);
	diag_name_file(c->diag, "model.mil", path);
	wbuf_flush(&w);
	if (close(fd) != 0 && !w.err)
		w.err = errno;
	if (!rc && wbuf_error(&w))
		rc = diag_errno(c->diag, path, "write failed", wbuf_error(&w));
	wbuf_free(&w);
	free(path);
	return rc;
}

static char *make_subdir(const struct emit_ctx *c, const char *dir, const char *name);

static int emit_meta(const struct emit_ctx *c, const struct model *m, struct wbuf *w)
{
	(void)m;
	return emit_metadata(c, w);
}

static int emit_analytics_file(const struct emit_ctx *c, const struct model *m, struct wbuf *w)
{
	(void)m;
	return emit_analytics(c, w);
}

/* analytics/coremldata.bin of 'dir' (emit: whole bundle or child). */
static int write_analytics(const struct emit_ctx *c, const char *dir, const struct model *m,
			   int (*emit)(const struct emit_ctx *, const struct model *,
				       struct wbuf *))
{
	char *sub = make_subdir(c, dir, "analytics");
	int rc;

	if (!sub)
		return c->diag->status;
	rc = write_small(c, sub, "coremldata.bin", m, emit);
	free(sub);
	return rc;
}

/* Create directory 'dir/name' and return its malloc'd path, or NULL with
** the error recorded. */
static char *make_subdir(const struct emit_ctx *c, const char *dir, const char *name)
{
	char *sub = os_join(dir, name);

	if (!sub) {
		diag_fail(c->diag, MLCC_E_NOMEM, "%s: out of memory", dir);
		return NULL;
	}
	if (mkdir(sub, 0777) != 0) {
		diag_errno(c->diag, sub, "cannot create directory", errno);
		free(sub);
		return NULL;
	}
	return sub;
}

/* Where the weight files go, as the directories are written. */
struct placer {
	const struct weight_plan *plan;	 /* every file of the bundle */
	const struct weight_plan *early; /* brought by the copier */
	char *owner;			 /* first ML-program dir, or NULL */
};

/* The weight files of the ML-program directory 'dir': all of them in the
** first such directory, less those the copier brings. */
static int place_weights(const struct emit_ctx *c, struct placer *pl, const char *dir)
{
	const struct weight_plan *skip = NULL;

	if (!pl->owner) {
		if (!(pl->owner = strdup(dir)))
			return diag_fail(c->diag, MLCC_E_NOMEM, "%s: out of memory", dir);
		skip = pl->early;
	}
	return weights_copy(pl->plan, dir, c->link, c->progress, skip, c->stats, c->diag);
}

/* A compiled model (top level or pipeline child) into 'dir'. */
static int write_model_dir(const struct emit_ctx *c, const struct model *m, const char *dir,
			   struct placer *pl)
{
	int rc = write_small(c, dir, "coremldata.bin", m, emit_coremldata);
	char *sub;

	if (!rc && m->kind == MODEL_ML_PROGRAM) {
		rc = write_mil(c, dir, m);
		if (!rc)
			rc = place_weights(c, pl, dir);
		/* An ML-program child of a pipeline has its own analytics
		** (NeuralNetworkModelDetails only: corpus cat_feeder_pro-*,
		** VideoAnalysisS-*). */
		if (!rc && m != c->model && c->stamp->rules.analytics)
			rc = write_analytics(c, dir, m, emit_child_analytics);
	}
	for (size_t i = 0; i < m->nchildren && !rc; i++) {
		char name[32];
		snprintf(name, sizeof name, "model%zu", i);
		if (!(sub = make_subdir(c, dir, name)))
			return c->diag->status;
		rc = write_model_dir(c, m->children[i], sub, pl);
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

int bundle_write(const struct emit_ctx *c, const char *dir, const struct weight_plan *plan,
		 const struct weight_plan *early, char **owner)
{
	static const struct weight_plan none;
	struct placer pl = {plan, early ? early : &none, NULL};
	int rc;

	MLCC_ASSERT(c->model->stage == MODEL_LOWERED); /* as Apple prints it */
	rc = write_model_dir(c, c->model, dir, &pl);

	*owner = pl.owner;
	if (!rc && c->stamp->rules.metadata_json &&
	    (c->model->nchildren == 0 || c->stamp->rules.pipeline_metadata))
		rc = write_small(c, dir, "metadata.json", c->model, emit_meta);
	if (!rc && c->stamp->rules.analytics)
		rc = write_analytics(c, dir, c->model, emit_analytics_file);
	return rc;
}

int bundle_adopt_weights(const char *dir, const char *owner, const struct weight_plan *early,
			 struct mlcc_diag *d)
{
	char *from, *to;
	int rc = MLCC_OK;

	if (!early || !early->nfiles || (owner && strcmp(owner, dir) == 0))
		return MLCC_OK;
	from = os_join(dir, "weights");
	to = owner ? os_join(owner, "weights") : NULL;
	if (!from || (owner && !to))
		rc = diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	else if (!to)
		os_rm_rf(from);
	else if (rename(from, to) != 0)
		rc = diag_errno(d, to, "cannot move weights", errno);
	free(from);
	free(to);
	return rc;
}
