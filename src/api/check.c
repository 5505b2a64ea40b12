/*
** check.c -- mlcc_check(): a model's ops against the MIL op catalogue
** (src/ops/ops.h), without writing anything.
**
** Any input load_input() reads (package, .mlmodel, bundle), or a model.mil
** text file (name ending in ".mil"), read as `mlcc assemble` reads it.
** Weight files are not read: the check is about the program, and holds
** for a model published without its weights (mlcc compile checks them).
*/
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/os.h"
#include "load/load.h"
#include "mil/mil.h"
#include "mil/validate.h"
#include "ops/ops.h"

#define MIL_MAX_BYTES ((size_t)4 << 30)

static bool is_mil_text(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && strcmp(path + n - 4, ".mil") == 0;
}

/* A model.mil text file, parsed and validated, then checked. */
static int check_text(const char *path, const struct mlcc_check_options *o,
		      struct ops_check_stats *st, struct mlcc_diag *d)
{
	struct arena a;
	struct model *m = NULL;
	struct mil_info info;
	uint8_t *text = NULL;
	size_t len;
	int rc;

	arena_init(&a);
	rc = os_read_file(path, MIL_MAX_BYTES, &text, &len, d);
	if (!rc)
		rc = mil_parse(&a, path, (const char *)text, len, &m, &info, d);
	free(text);
	if (!rc)
		rc = validate_model(m, path, d);
	if (!rc)
		rc = ops_check(m, path, o ? o->on_event : NULL, o ? o->event_ctx : NULL, st, d);
	arena_free(&a);
	return rc;
}

int mlcc_check(const char *path, const struct mlcc_check_options *o, struct mlcc_check_result *r,
	       struct mlcc_diag *d)
{
	struct ops_check_stats st = {0};
	struct loaded l;
	int rc;

	diag_clear(d);
	if (r)
		memset(r, 0, sizeof *r);
	if (!path)
		return diag_fail(d, MLCC_E_USAGE, "check: a model is required");
	if (is_mil_text(path)) {
		rc = check_text(path, o, &st, d);
	} else {
		rc = load_model_only(path, &l, d);
		if (!rc)
			rc = ops_check(l.model, l.model->origin ? l.model->origin : path,
				       o ? o->on_event : NULL, o ? o->event_ctx : NULL, &st, d);
		load_free(&l);
	}
	if (!rc && r) {
		r->functions = st.functions;
		r->ops = st.ops;
		r->warnings = st.warnings;
		r->inferred = st.inferred;
	}
	return rc;
}
