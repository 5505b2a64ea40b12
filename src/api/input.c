/*
** load.c -- any model input into the model, weights checked.
*/
#include "api/input.h"

#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"
#include "base/diag.h"
#include "model/classifier.h"
#include "base/os.h"
#include "spec/spec_read.h"
#include "spec/spec_write.h"

const char *load_form_name(enum input_form f)
{
	switch (f) {
	case FORM_PACKAGE: return "mlpackage";
	case FORM_MLMODEL: return "mlmodel";
	case FORM_BUNDLE: return "mlmodelc";
	}
	return "?";
}

/* A package view of a bundle: @model_path is the bundle directory (the
** first child's for a pipeline, whose children all hold every file). */
static int bundle_package(struct loaded *l, const char *dir, struct mlcc_diag *d)
{
	struct package *p = &l->pkg;
	const char *base = dir;
	char *first = NULL;

	if (l->model->nchildren) {
		first = os_join(dir, "model0");
		base = first;
	}
	memset(p, 0, sizeof *p);
	p->input = strdup(dir);
	p->root_real = realpath(dir, NULL);
	p->spec_path = os_join(base, "model.mil");
	p->model_path = strdup(base ? base : dir);
	p->weights_dir = os_join(base, "weights");
	p->stem = strdup(l->stem);
	p->spec_name = strdup("model");
	free(first);
	if (!p->input || !p->root_real || !p->spec_path || !p->model_path || !p->weights_dir ||
	    !p->stem || !p->spec_name)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", dir);
	p->is_package = true; /* list the whole weights directory */
	return MLCC_OK;
}

static int load_bundle(const char *path, struct loaded *l, struct mlcc_diag *d)
{
	struct bundle b;
	int rc = bundle_read(&l->arena, path, &b, d);

	if (rc)
		return rc;
	l->form = FORM_BUNDLE;
	l->model = b.model;
	l->stem = b.stem;
	memcpy(l->coremlc, b.coremlc, sizeof l->coremlc);
	memcpy(l->mil, b.mil, sizeof l->mil);
	rc = classifier_restore(l->model, d);
	if (!rc)
		rc = bundle_package(l, path, d);
	return rc;
}

int load_input(const char *path, struct loaded *l, struct mlcc_diag *d)
{
	uint8_t sha[32];
	int rc;

	memset(l, 0, sizeof *l);
	arena_init(&l->arena);
	l->path = path;
	if (bundle_is_compiled(path)) {
		rc = load_bundle(path, l, d);
	} else {
		rc = package_open(&l->pkg, path, d);
		if (!rc)
			rc = spec_read_file(&l->arena, l->pkg.spec_path, &l->model, sha, d);
		l->form = l->pkg.is_package ? FORM_PACKAGE : FORM_MLMODEL;
		l->stem = l->pkg.stem;
	}
	if (!rc)
		rc = weights_plan(&l->pkg, l->model, NULL, &l->plan, d);
	return rc;
}

void load_free(struct loaded *l)
{
	weights_free(&l->plan);
	package_close(&l->pkg);
	arena_free(&l->arena);
}
