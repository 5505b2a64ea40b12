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

#include "mlccint.h"

#include <stdbool.h>

#include "mlcc.h"

/* Where the files of a model are, whatever form it comes in (a package,
** a bare .mlmodel, a compiled bundle): what weight references resolve
** against and what may be read.  Every string is malloc'd. */
struct model_files {
	char *origin;	   /* the file messages name: the specification file,
			   ** or a bundle's model.mil */
	char *model_path;  /* the directory @model_path names */
	char *root_real;   /* real path nothing outside of is ever read */
	char *weights_dir; /* <model_path>/weights, part of the model whether
			   ** referenced or not; NULL for a bare .mlmodel (only
			   ** referenced files belong to it) */
};

/* Release the strings of 'f' and zero it. */
void model_files_free(struct model_files *f);

struct package {
	bool is_package;	  /* .mlpackage directory (else a bare .mlmodel) */
	char *input;		  /* the path as given */
	struct model_files files; /* files.origin is the specification file */
	char *stem;		  /* bundle name without .mlmodelc */
	char *spec_name;	  /* spec file name without extension: "model" */
};

/* Locate everything for 'input'.  Errors name the file at fault:
** a missing Manifest.json, an unknown root identifier, a path that leaves
** the package, a missing root file. */
MLCC_MUST_CHECK int package_open(struct package *pkg, const char *input, struct mlcc_diag *d);

/* The root item's path of the Manifest.json text 'text' ('len' bytes;
** 'origin' names it in messages): malloc'd into '*out'.  Errors: invalid
** JSON (with line and column), no rootModelIdentifier, an identifier that
** names no item, an item without a path, a path that leaves the package. */
MLCC_MUST_CHECK int package_manifest_root(const char *origin, const char *text, size_t len,
					  char **out, struct mlcc_diag *d);

/* Resolve a BLOBFILE path ("@model_path/weights/weight.bin") to a file
** inside the package.  Stores in '*rel' a pointer to the part after
** "@model_path/" (inside 'blob_path') and in '*abs' a malloc'd path. */
MLCC_MUST_CHECK int package_resolve_blob(const struct model_files *f, const char *blob_path,
					 const char **rel, char **abs, struct mlcc_diag *d);

void package_close(struct package *pkg);

#endif
