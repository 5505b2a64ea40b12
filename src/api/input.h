/*
** load.h -- open any model input for reading tools (inspect, diff):
** an .mlpackage, a bare .mlmodel or a compiled .mlmodelc bundle, into the
** same in-memory model, with every weight reference checked.
**
** Bundles are read back to their source form: a lowered classifier gets
** its classify op again (classifier_restore), so a package and the
** bundle compiled from it load to equivalent models.
*/
#ifndef MLCC_LOAD_H
#define MLCC_LOAD_H

#include "base/arena.h"
#include "mlcc.h"
#include "model/model.h"
#include "package/package.h"
#include "package/weights.h"

enum input_form { FORM_PACKAGE, FORM_MLMODEL, FORM_BUNDLE };

struct loaded {
	enum input_form form;
	const char *path;
	struct arena arena;
	struct model *model;
	struct package pkg;	   /* where @model_path points (bundles too) */
	struct weight_plan plan;   /* checked blob references, weight files */
	char coremlc[32], mil[32]; /* bundle's compiler stamp ("" otherwise) */
	const char *stem;
};

int load_input(const char *path, struct loaded *l, struct mlcc_diag *d);
void load_free(struct loaded *l);

const char *load_form_name(enum input_form f);

#endif
