/*
** load.c -- any model input into the model, weights checked.
*/
#include "load/load.h"

#include <string.h>

#include "base/diag.h"
#include "model/classifier.h"
#include "spec/spec_read.h"

const char *load_form_name(enum input_form f)
{
	switch (f) {
	case FORM_PACKAGE: return "mlpackage";
	case FORM_MLMODEL: return "mlmodel";
	case FORM_BUNDLE: return "mlmodelc";
	}
	return "?";
}

static int load_bundle(const char *path, struct loaded *l, struct mlcc_diag *d)
{
	int rc = bundle_read(&l->arena, path, &l->bundle, d);

	if (rc)
		return rc;
	l->form = FORM_BUNDLE;
	l->model = l->bundle.model;
	l->files = &l->bundle.files;
	l->stem = l->bundle.stem;
	memcpy(l->coremlc, l->bundle.coremlc, sizeof l->coremlc);
	memcpy(l->mil, l->bundle.mil, sizeof l->mil);
	return classifier_restore(l->model, d);
}

static int load_package(const char *path, struct loaded *l, struct mlcc_diag *d)
{
	uint8_t sha[32];
	int rc = package_open(&l->pkg, path, d);

	l->form = l->pkg.is_package ? FORM_PACKAGE : FORM_MLMODEL;
	l->files = &l->pkg.files;
	l->stem = l->pkg.stem;
	if (!rc)
		rc = spec_read_file_in(&l->arena, l->pkg.is_package ? l->pkg.files.root_real : NULL,
				       l->pkg.files.origin, &l->model, sha, d);
	return rc;
}

int load_model_only(const char *path, struct loaded *l, struct mlcc_diag *d)
{
	memset(l, 0, sizeof *l);
	arena_init(&l->arena);
	l->path = path;
	if (!*path)
		return diag_fail(d, MLCC_E_USAGE, "the model path is empty");
	return bundle_is_compiled(path) ? load_bundle(path, l, d) : load_package(path, l, d);
}

int load_input(const char *path, struct loaded *l, struct mlcc_diag *d)
{
	int rc = load_model_only(path, l, d);

	if (!rc)
		rc = weights_plan(l->files, l->model, NULL, &l->plan, d);
	return rc;
}

void load_free(struct loaded *l)
{
	weights_free(&l->plan);
	bundle_free(&l->bundle);
	package_close(&l->pkg);
	arena_free(&l->arena);
}
