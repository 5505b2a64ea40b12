/*
** decompile.c -- `mlcc decompile X.mlmodelc OUT.mlpackage`.
**
** A compiled bundle back into a package that compiles to the same bundle:
** bundle_read() rebuilds the model (program from model.mil, description
** from coremldata.bin), pkg_write() writes it, the classifier's classify
** op re-inserted and every weight file copied (streamed) to the same
** relative path.  For a pipeline, the children's identical copies of the
** weight files become the package's one weights directory.
*/
#include "base/diag.h"
#include "bundle/bundle.h"
#include "package/pkg_write.h"

int mlcc_decompile(const char *bundle, const char *out, struct mlcc_diag *d)
{
	struct arena a;
	struct bundle b;
	int rc;

	diag_clear(d);
	if (!bundle_is_compiled(bundle))
		return diag_fail(d, MLCC_E_CORRUPT, "%s: not a compiled model (no coremldata.bin)",
				 bundle);
	arena_init(&a);
	rc = bundle_read(&a, bundle, &b, d);
	if (!rc)
		rc = pkg_write(out, b.model, &b.weights, d);
	bundle_free(&b);
	arena_free(&a);
	return rc;
}
