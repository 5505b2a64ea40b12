/*
** pkg_write.h -- writing a model as an .mlpackage directory.
**
** The layout coremltools writes (docs/spec/coreml-input.md §1.1-1.2):
**
**   X.mlpackage/Manifest.json
**   X.mlpackage/Data/com.apple.CoreML/model.mlmodel   spec_write() output
**   X.mlpackage/Data/com.apple.CoreML/weights/...     the weight files
**
** with deterministic item identifiers (pkg_item_id) so that writing the
** same model twice gives the same bytes.
*/
#ifndef MLCC_PKG_WRITE_H
#define MLCC_PKG_WRITE_H

#include <stddef.h>

#include "mlcc.h"
#include "model/model.h"
#include "package/weights.h"

/* The manifest identifier of the item at 'path' (relative to Data/):
** the RFC 4122 version-5 (SHA-1, name-based) UUID of 'path' in the URL
** namespace, upper-case as macOS writes identifiers, e.g.
** "com.apple.CoreML/model.mlmodel".  'out' gets 36 characters + NUL. */
void pkg_item_id(const char *path, char out[37]);

/* The Manifest.json text of a package written by pkg_write(): malloc'd,
** NUL-terminated; NULL when out of memory. */
char *pkg_manifest(void);

/* Write 'm' as the package directory 'out_path' (its parent is created if
** needed): the specification from spec_write(), every file of 'w' copied
** byte for byte from its 'abs' to Data/com.apple.CoreML/<rel> ('w' may be
** NULL; only its files are used), and an
** empty weights directory when there are none.  Every BLOBFILE reference
** of 'm' must name one of the files of 'w' ("@model_path/<rel>").
** The package appears atomically: it is built in a temporary directory
** beside the target (".<name>.mlcc-tmp-XXXXXX") and renamed at the end;
** on error nothing is left and an existing package at 'out_path' is
** untouched; on success it is replaced. */
MLCC_MUST_CHECK int pkg_write(const char *out_path, const struct model *m,
			      const struct weight_plan *w, struct mlcc_diag *d);

#endif
