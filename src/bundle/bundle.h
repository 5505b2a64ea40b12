/*
** bundle.h -- the compiled bundle X.mlmodelc: its writer and its reader.
**
** Writing (write.c lays the bundle out; one emitter per file:
** coremldata.c, analytics.c, metadata/metadata.c; model.mil is printed by
** the mil module and weights are brought by the package module):
**
**   X.mlmodelc/coremldata.bin            header + description (coremldata.c)
**   X.mlmodelc/model.mil                 ML programs (mil/print.c)
**   X.mlmodelc/weights/...               weight files, as in the package
**   X.mlmodelc/metadata.json             summary (metadata/)
**   X.mlmodelc/analytics/coremldata.bin  spec hash and name (analytics.c)
**   X.mlmodelc/model<i>/..., modelNames/ pipelines: one directory a child
**
** Reading (read.c, the reverse) rebuilds the in-memory model from those
** files.  Emitters never read input files and never touch weights;
** everything they need is in 'struct emit_ctx'.  The byte layouts are in
** docs/spec/mlmodelc.md.
*/
#ifndef MLCC_BUNDLE_H
#define MLCC_BUNDLE_H

#include "mlccint.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/os.h"
#include "base/wbuf.h"
#include "mlcc.h"
#include "model/model.h"
#include "model/stamp.h"
#include "package/weights.h"

/* ---- writing ------------------------------------------------------------- */

struct emit_ctx {
	const struct model *model; /* the model being compiled */
	const struct stamp *stamp; /* compiler version written out */
	const char *stem;	   /* source file stem: "unified_int8" */
	const char *spec_name;	   /* spec file stem for analytics: "model" */
	uint8_t spec_sha256[32];   /* SHA-256 of the spec file bytes */
	struct mlcc_diag *diag;
	enum mlcc_link_mode link;    /* how weight files reach the bundle */
	struct progress *progress;   /* for long weight copies, or NULL */
	struct os_copy_stats *stats; /* bytes brought, or NULL */
};

/* coremldata.bin (§2.2, §2.6); 'm' may be an ML program or a pipeline. */
MLCC_MUST_CHECK int emit_coremldata(const struct emit_ctx *c, const struct model *m,
				    struct wbuf *w);

/* modelNames/coremldata.bin of a pipeline with names (§2.7). */
MLCC_MUST_CHECK int emit_model_names(const struct emit_ctx *c, const struct model *m,
				     struct wbuf *w);

/* analytics/coremldata.bin (§3) of the top-level model. */
MLCC_MUST_CHECK int emit_analytics(const struct emit_ctx *c, struct wbuf *w);

/* analytics/coremldata.bin of an ML-program child of a pipeline. */
int emit_child_analytics(const struct emit_ctx *c, const struct model *m, struct wbuf *w);

/* metadata.json (§5) of the top-level model. */
MLCC_MUST_CHECK int emit_metadata(const struct emit_ctx *c, struct wbuf *w);

/* The compiled version written into coremldata.bin for 'm' (§2.3):
** fills major/minor/patch and returns the variant string. */
const char *emit_compiled_version(const struct model *m, unsigned v[3]);

/* Write every file of the bundle of c->model into the empty directory
** 'dir', except the weight files of 'early' that the copier is bringing
** into dir/weights meanwhile (copier.c; may be NULL).  Those belong to the
** first ML-program directory of the bundle -- 'dir' itself for an ML
** program, dir/model0/... for a pipeline: '*owner' gets that directory
** (malloc'd; NULL when no directory takes weights) for
** bundle_adopt_weights() to move them into once the copy is done. */
MLCC_MUST_CHECK int bundle_write(const struct emit_ctx *c, const char *dir,
				 const struct weight_plan *plan, const struct weight_plan *early,
				 char **owner);

/* After the early copy into 'dir': move dir/weights into 'owner', or drop
** it when 'owner' is NULL (no directory of the bundle takes weights). */
MLCC_MUST_CHECK int bundle_adopt_weights(const char *dir, const char *owner,
					 const struct weight_plan *early, struct mlcc_diag *d);

/* ---- reading ------------------------------------------------------------- */

/* One weight file of the bundle. */
struct bundle {
	struct model *model; /* from 'a', as the bundle holds it (lowered) */
	char *stem;	     /* bundle directory name without .mlmodelc */
	char *spec_name;     /* analytics modelName ("model" if unknown) */
	char coremlc[32];    /* compiler stamp found in model.mil ("" if none) */
	char mil[32];
	struct weight_plan weights; /* union over pipeline children (each holds
				    ** a copy of every file), sorted */
	struct model_files files;   /* @model_path: the bundle, or model0/ of a
				    ** pipeline; origin: its model.mil */
};

/* Read the bundle at 'dir': the model and strings are allocated from 'a',
** the weight list and 'files' are malloc'd (bundle_free).  For a
** classifier, m->classifier holds the labels and the probabilities
** variable (no classify op: see classifier_restore). */
MLCC_MUST_CHECK int bundle_read(struct arena *a, const char *dir, struct bundle *b,
				struct mlcc_diag *d);

/* Release what bundle_read() malloc'd; a zeroed bundle is fine. */
void bundle_free(struct bundle *b);

/* What mlcc reads from a metadata.json text: isUpdatable ("1" -> 1);
** 0 for anything else, malformed text included. */
int bundle_metadata_updatable(const char *text, size_t len);

/* True when 'path' looks like a compiled bundle (a directory holding
** coremldata.bin). */
int bundle_is_compiled(const char *path);

/* The contents of one coremldata.bin. */
struct cd_file {
	uint32_t type;	      /* 502 ML program, 202/200/201 pipelines */
	uint64_t compiled[3]; /* compiled version */
	char *variant;	      /* "generic" (+ ".model0v..." for pipelines) */
	int32_t spec_version;
	ModelDescription *desc; /* parsed description */
	size_t ntrailers;	/* ML program: 16-byte function trailers */
	uint64_t nchildren;	/* pipelines */
	bool classifier;	/* ML program with a classifier tail */
	bool int_labels;
	size_t nlabels;
	char **labels;	     /* string labels */
	int64_t *int_values; /* int64 labels */
	char *prob_var;	     /* the classifier's probabilities variable */
	SpecModel *spec;     /* "spec" form: the whole Model (desc points into it) */
	size_t nnn_names;    /* neural network tail: output names */
	char **nn_names;
};

/* Parse the 'len' bytes of a coremldata.bin ('origin' names them in
** messages) into 'out'; strings and the description come from 'a'. */
MLCC_MUST_CHECK int cd_parse(struct arena *a, const char *origin, const uint8_t *buf, size_t len,
			     struct cd_file *out, struct mlcc_diag *d);

/* Read and check 'path' into 'out' (allocated from 'a').  Here and below,
** 'root' (the bundle's real path, or NULL) is the directory the files
** must lie in, checked on the descriptor (os_open_input). */
MLCC_MUST_CHECK int cd_read(struct arena *a, const char *root, const char *path,
			    struct cd_file *out, struct mlcc_diag *d);

/* The espresso files of the neural-network bundle directory 'dir' whose
** coremldata.bin 'cd' has been read: fills a MODEL_NEURAL_NETWORK model
** (nn_read.c). */
int nn_read_dir(struct arena *a, const char *root, const char *dir, const struct cd_file *cd,
		struct model *m, struct mlcc_diag *d);

/* Read modelNames/coremldata.bin: a u64 count and that many strings. */
MLCC_MUST_CHECK int cd_read_names(struct arena *a, const char *root, const char *path,
				  char ***names, size_t *n, struct mlcc_diag *d);

/* The modelName of analytics/coremldata.bin's SpecificationDetails, or
** NULL (not an error) when the file or the entry is absent. */
MLCC_MUST_CHECK int cd_read_analytics_name(struct arena *a, const char *root, const char *path,
					   char **name, struct mlcc_diag *d);

#endif
