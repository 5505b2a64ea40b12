/*
** assemble.c -- `mlcc assemble model.mil [--weights DIR] [--spec-version N]
** [--description-from X] -o OUT.mlpackage`.
**
** A MIL text file (as `mlcc compile` prints it, or written by hand) becomes
** a package.  The specification version is --spec-version, else the
** newest function opset's (ios15 -> 6 ... ios18 -> 9, ios26 -> 10), at
** least 9 for program(1.3) text; program(1.0) text cannot say versions
** of 9 and later.  The description comes from --description-from (a
** package, .mlmodel or bundle with the same functions), else from the
** function signatures (mil_describe).  --weights DIR supplies the files
** BLOBFILE paths name: DIR/<path> is @model_path/weights/<path>.  Every
** op is checked against the op catalogue (src/ops/) before anything is
** written.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/diag.h"
#include "base/os.h"
#include "load/load.h"
#include "mil/flexshape.h"
#include "mil/mil.h"
#include "mil/validate.h"
#include "ops/ops.h"
#include "package/pkg_write.h"

#define MIL_MAX_BYTES ((size_t)4 << 30)

/* The specification version the text asks for (or the option's), into
** '*out'. */
static int pick_spec(const struct mlcc_assemble_options *o, const struct model *m,
		     const struct mil_info *info, int32_t *out, struct mlcc_diag *d)
{
	bool v13 = strcmp(info->dialect, "1.3") == 0;
	int spec = 0;

	for (size_t i = 0; i < m->program->nfuncs; i++)
		if (model_ios_spec(m->program->funcs[i].ios) > spec)
			spec = model_ios_spec(m->program->funcs[i].ios);
	if (v13 && spec < 9)
		spec = 9;
	if (o->spec_version) {
		if (o->spec_version < spec && !(v13 && o->spec_version >= 9))
			return diag_fail(
				d, MLCC_E_USAGE,
				"%s: --spec-version %d is older than the program's opsets need (%d)",
				o->mil, o->spec_version, spec);
		spec = o->spec_version;
	}
	if ((spec >= 9) != v13)
		return diag_fail(
			d, MLCC_E_CORRUPT,
			"%s: program(%s) text cannot be specification version %d (program(1.0) is 6 to 8, program(1.3) is 9 and later)",
			o->mil, info->dialect, spec);
	*out = spec;
	return MLCC_OK;
}

/* Take the description of another model for this program. */
static int borrow_description(struct model *m, const char *from, struct loaded *l,
			      struct mlcc_diag *d)
{
	int rc = load_input(from, l, d);

	if (rc)
		return rc;
	if (l->model->kind != MODEL_ML_PROGRAM)
		return diag_fail(d, MLCC_E_UNSUPPORTED,
				 "%s: --description-from must be an ML program", from);
	m->desc = l->model->desc;
	m->is_updatable = l->model->is_updatable;
	flexshape_drop_attr(m->program);
	return MLCC_OK;
}

int mlcc_assemble(const struct mlcc_assemble_options *o, struct mlcc_diag *d)
{
	struct arena a;
	struct loaded from;
	struct model *m = NULL;
	struct mil_info info;
	struct weight_plan w = {0};
	uint8_t *text = NULL;
	size_t len;
	bool borrowed = false;
	int rc;

	const char *inputs[] = {o->mil, o->weights_dir, o->description_from, NULL};

	diag_clear(d);
	/* The list ends at the first input not given. */
	if (!o->weights_dir)
		inputs[1] = o->description_from, inputs[2] = NULL;
	if (!o->mil || !*o->mil || !o->output || !*o->output)
		return diag_fail(d, MLCC_E_USAGE, "assemble: %s is an empty path",
				 !o->mil || !*o->mil ? "the MIL file" : "the output");
	if ((rc = os_output_guard(o->output, inputs, d)) != MLCC_OK)
		return rc;
	arena_init(&a);
	rc = os_read_file(o->mil, MIL_MAX_BYTES, &text, &len, d);
	if (!rc)
		rc = mil_parse(&a, o->mil, (const char *)text, len, &m, &info, d);
	free(text);
	if (!rc)
		rc = validate_model(m, o->mil, d);
	if (!rc)
		rc = ops_check(m, o->mil, o->on_event, o->event_ctx, NULL, d);
	if (!rc)
		rc = pick_spec(o, m, &info, &m->spec_version, d);
	if (!rc && o->description_from) {
		borrowed = true;
		rc = borrow_description(m, o->description_from, &from, d);
	} else if (!rc) {
		rc = mil_describe(m, d);
	}
	if (!rc && o->weights_dir) {
		struct stat st;
		char *root = NULL;
		/* The directory given is the root: a symlink in it that leads
		** out is not part of the model. */
		if (stat(o->weights_dir, &st) != 0 || !S_ISDIR(st.st_mode))
			rc = diag_fail(d, MLCC_E_USAGE, "%s: not a directory", o->weights_dir);
		else if (!(root = realpath(o->weights_dir, NULL)))
			rc = diag_errno(d, o->weights_dir, "cannot resolve", errno);
		else
			rc = weights_list_dir(o->weights_dir, "weights", root, &w, d);
		free(root);
	}
	if (!rc)
		rc = pkg_write(o->output, m, &w, d);
	if (borrowed)
		load_free(&from);
	weights_free(&w);
	arena_free(&a);
	return rc;
}
