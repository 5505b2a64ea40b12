/*
** load.h -- any model input opened for reading: an .mlpackage, a bare
** .mlmodel or a compiled .mlmodelc bundle, into the same in-memory model,
** with every weight reference checked.  Used by decompile's siblings
** (inspect, diff, assemble --description-from) and the runtime.
**
** Bundles are read back to their source form: a lowered classifier gets
** its classify op again (classifier_restore), so a package and the bundle
** compiled from it load to equivalent models.
*/
#ifndef MLCC_LOAD_H
#define MLCC_LOAD_H

#include "base/arena.h"
#include "bundle/bundle.h"
#include "mlcc.h"
#include "model/model.h"
#include "package/package.h"
#include "package/weights.h"

enum input_form { FORM_PACKAGE, FORM_MLMODEL, FORM_BUNDLE };

struct loaded {
	enum input_form form;
	const char *path;   /* as given */
	struct arena arena; /* owns the model */
	struct model *model;
	const struct model_files *files; /* where @model_path points */
	struct weight_plan plan;	 /* checked blob references, weight files */
	char coremlc[32], mil[32];	 /* bundle's compiler stamp ("" otherwise) */
	const char *stem;
	struct package pkg;   /* FORM_PACKAGE, FORM_MLMODEL */
	struct bundle bundle; /* FORM_BUNDLE */
};

/* Open 'path' into 'l' (release with load_free(), also after a failure). */
MLCC_MUST_CHECK int load_input(const char *path, struct loaded *l, struct mlcc_diag *d);
void load_free(struct loaded *l);

/* The same without the weight check ('l->plan' stays empty): for checks
** of the program alone (mlcc check), which hold for a model published
** without its weight files too. */
MLCC_MUST_CHECK int load_model_only(const char *path, struct loaded *l, struct mlcc_diag *d);

/* "mlpackage", "mlmodel", "mlmodelc". */
const char *load_form_name(enum input_form f);

#endif
