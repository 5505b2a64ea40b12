/*
** package.h -- locating the parts of a model input.
**
** Input is either an .mlpackage directory (Manifest.json ->
** rootModelIdentifier -> itemInfoEntries[id].path, under Data/) or a bare
** .mlmodel file (docs/spec/coreml-input.md §1).  The result says where the
** specification file is, what `@model_path` means, and how the bundle is
** named.
*/
#ifndef MLCC_PACKAGE_H
#define MLCC_PACKAGE_H

#include <stdbool.h>

#include "mlcc.h"

struct package {
	bool is_package;   /* .mlpackage directory (else a bare .mlmodel) */
	char *input;	   /* the path as given */
	char *root_real;   /* real path of the package, or the .mlmodel's dir:
			   ** nothing outside it is ever read */
	char *spec_path;   /* the specification file */
	char *model_path;  /* what @model_path names: the spec file's directory */
	char *weights_dir; /* package: <model_path>/weights; NULL otherwise */
	char *stem;	   /* bundle name without .mlmodelc */
	char *spec_name;   /* spec file name without extension: "model" */
};

/* Locate everything for 'input'.  Errors name the file at fault:
** a missing Manifest.json, an unknown root identifier, a path that leaves
** the package, a missing root file. */
int package_open(struct package *pkg, const char *input, struct mlcc_diag *d);

/* The root item's path of the Manifest.json text 'text' ('len' bytes;
** 'origin' names it in messages): malloc'd into '*out'.  Errors: invalid
** JSON (with line and column), no rootModelIdentifier, an identifier that
** names no item, an item without a path, a path that leaves the package. */
int package_manifest_root(const char *origin, const char *text, size_t len, char **out,
			  struct mlcc_diag *d);

/* Resolve a BLOBFILE path ("@model_path/weights/weight.bin") to a file
** inside the package.  Stores in '*rel' a pointer to the part after
** "@model_path/" (inside 'blob_path') and in '*abs' a malloc'd path. */
int package_resolve_blob(const struct package *pkg, const char *blob_path, const char **rel,
			 char **abs, struct mlcc_diag *d);

void package_close(struct package *pkg);

#endif
