/*
** decompile.c -- `mlcc decompile X.mlmodelc OUT.mlpackage`.
**
** A compiled bundle back into a package that compiles to the same bundle:
** bundle_read() rebuilds the model (program from model.mil, description
** from coremldata.bin), pkg_write() writes it, the classifier's classify
** op re-inserted and every weight file copied (streamed) to the same
** relative path.  For a pipeline, the children's identical copies of the
** weight files become the package's one weights directory.
**
** OUT may also be an .mlmodel file, for a model without weight files: the
** spec file's name is part of the bundle (analytics modelName, §3), and a
** bundle compiled from X.mlmodel (Create ML models: corpus scary-cat-*)
** names X where a package always names "model".
*/
#include <stdbool.h>
#include <string.h>

#include "base/diag.h"
#include "base/os.h"
#include "bundle/bundle.h"
#include "package/pkg_write.h"
#include "spec/spec_write.h"

static bool is_mlmodel(const char *path)
{
	size_t n = strlen(path);
	return n > 8 && strcmp(path + n - 8, ".mlmodel") == 0;
}

/* The bare spec file (no weights to carry). */
static int write_mlmodel(const char *out, const struct bundle *b, struct arena *a,
			 struct mlcc_diag *d)
{
	uint8_t *spec;
	size_t len;
	int rc;

	if (b->weights.nfiles)
		return diag_fail(d, MLCC_E_USAGE,
				 "%s: the model has weight files: decompile it into an .mlpackage",
				 out);
	rc = spec_write(b->model, a, &spec, &len, d);
	return rc ? rc : os_write_file(out, spec, len, d);
}

int mlcc_decompile(const char *bundle, const char *out, struct mlcc_diag *d)
{
	struct arena a;
	struct bundle b;
	int rc;

	const char *inputs[] = {bundle, NULL};

	diag_clear(d);
	if (!*bundle || !*out)
		return diag_fail(d, MLCC_E_USAGE, "decompile: %s is an empty path",
				 *bundle ? "the output" : "the bundle");
	if (!bundle_is_compiled(bundle))
		return diag_fail(d, MLCC_E_CORRUPT, "%s: not a compiled model (no coremldata.bin)",
				 bundle);
	if ((rc = os_output_guard(out, inputs, d)) != MLCC_OK)
		return rc;
	arena_init(&a);
	rc = bundle_read(&a, bundle, &b, d);
	if (!rc && b.model->kind == MODEL_NEURAL_NETWORK)
		rc = diag_fail(
			d, MLCC_E_UNSUPPORTED,
			"%s: a neural network (espresso) bundle: its layers cannot be "
			"turned back into NeuralNetwork layers (docs/spec/nn-compile-plan.md); "
			"`mlcc inspect` reads it",
			bundle);
	if (!rc && is_mlmodel(out))
		rc = write_mlmodel(out, &b, &a, d);
	else if (!rc)
		rc = pkg_write(out, b.model, &b.weights, d);
	bundle_free(&b);
	arena_free(&a);
	return rc;
}
