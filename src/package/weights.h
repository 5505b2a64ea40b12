/*
** weights.h -- the weight files of a model: checking every BLOBFILE
** reference and bringing the files into the bundle.
**
** Weights are never loaded: a reference is checked by reading its 64-byte
** metadata record, and files are cloned or streamed (base/os.c), so memory
** does not depend on the size of the weights.
**
** 'struct weight_plan' is the one list of weight files in mlcc: what a
** package, a bundle or a weights directory holds, and what gets copied.
*/
#ifndef MLCC_WEIGHTS_H
#define MLCC_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "mlcc.h"
#include "model/model.h"
#include "package/package.h"

/* One weight file (strings malloc'd, owned by its plan). */
struct weight_file {
	char *rel;     /* path relative to @model_path: "weights/weight.bin" */
	char *abs;     /* where it is read from */
	uint64_t size; /* bytes, when referenced (0 otherwise) */
};

/* One distinct blob (file, offset) the model references, as checked. */
struct weight_ref {
	const char *rel;       /* file relative to @model_path */
	uint64_t offset;       /* of the blob's metadata record */
	enum dtype dtype;      /* from the record (== the tensor's) */
	uint64_t data_offset;  /* absolute offset of the data */
	uint64_t bytes;	       /* size of the data */
	int64_t count;	       /* elements of the tensor, -1 if unknown */
	const char *func, *op; /* first user, for messages ("" if none) */
};

struct weight_plan {
	size_t nfiles;
	struct weight_file *files; /* sorted by 'rel' */
	size_t nrefs;
	struct weight_ref *refs; /* sorted by (rel, offset), distinct */
	char *root_real;	 /* nothing outside it is read (malloc'd), or NULL */
	size_t cap;		 /* of 'files' */
};

/* Check every blob reference of 'm' (children of pipelines included)
** against its file and list the files the bundle gets: for a package,
** every file under its weights directory ('listed' when the caller has
** listed it with weights_dir_files(), else listed here) plus any other
** referenced file; for a bare .mlmodel, the referenced files. */
MLCC_MUST_CHECK int weights_plan(const struct model_files *f, const struct model *m,
				 const struct weight_plan *listed, struct weight_plan *plan,
				 struct mlcc_diag *d);

/* Only the files of the model's weights directory (no references read):
** what weights_plan() lists whatever the model says, known before the
** specification is parsed, so their copy can start at once (copier.c). */
MLCC_MUST_CHECK int weights_dir_files(const struct model_files *f, struct weight_plan *plan,
				      struct mlcc_diag *d);

/* Add every file below the directory 'dir' to 'plan' as 'rel'/<path>
** ("weights" -> "weights/a.bin"), once per relative path (a path already
** listed is kept), sorted afterwards.  Only regular files: anything else is
** an error naming it.  With 'root_real' set, nothing may lead outside it
** (os_walk).  A missing 'dir' adds nothing. */
MLCC_MUST_CHECK int weights_list_dir(const char *dir, const char *rel, const char *root_real,
				     struct weight_plan *plan, struct mlcc_diag *d);

struct progress;
struct os_copy_stats;

/* Bring the planned files into 'dir' at their relative paths, copied,
** cloned or hard-linked as 'mode' says (os_copy_file), except those
** 'skip' lists (may be NULL); 'prog' and 'stats' may be NULL. */
MLCC_MUST_CHECK int weights_copy(const struct weight_plan *plan, const char *dir,
				 enum mlcc_link_mode mode, struct progress *prog,
				 const struct weight_plan *skip, struct os_copy_stats *stats,
				 struct mlcc_diag *d);

/* Release the plan's lists and zero it; a zeroed plan is fine. */
void weights_free(struct weight_plan *plan);

#endif
