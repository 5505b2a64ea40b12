/*
** bundle_read.h -- a compiled .mlmodelc bundle, read back into the model.
**
** coremldata.bin gives the model type, specification version and the
** description; model.mil gives the program; metadata.json what neither
** holds (isUpdatable); analytics the spec file's name.  Pipelines are read
** child by child (model0/, model1/, ..., modelNames/).
*/
#ifndef MLCC_BUNDLE_READ_H
#define MLCC_BUNDLE_READ_H

#include <stddef.h>

#include "base/arena.h"
#include "mlcc.h"
#include "model/model.h"

/* One weight file of the bundle. */
struct bundle_file {
	char *abs;  /* where it is */
	char *rel;  /* path relative to the bundle: "weights/weight.bin" */
};

struct bundle {
	struct model *model;
	char *stem;        /* bundle directory name without .mlmodelc */
	char *spec_name;   /* analytics modelName ("model" if unknown) */
	char coremlc[32];  /* compiler stamp found in model.mil ("" if none) */
	char mil[32];
	size_t nweights;
	struct bundle_file *weights; /* union over pipeline children, sorted */
};

/* Read the bundle at 'dir'; everything is allocated from 'a'.  For a
** classifier, m->classifier holds the labels and the probabilities
** variable (no classify op: see spec_restore_classifier). */
int bundle_read(struct arena *a, const char *dir, struct bundle *b,
		struct mlcc_diag *d);

/* What mlcc reads from a metadata.json text: isUpdatable ("1" -> 1);
** 0 for anything else, malformed text included. */
int bundle_metadata_updatable(const char *text, size_t len);

/* True when 'path' looks like a compiled bundle (a directory holding
** coremldata.bin). */
int bundle_is_compiled(const char *path);

#endif
