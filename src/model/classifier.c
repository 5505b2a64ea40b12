/*
** classifier.c -- ML-program classifiers.
**
** Evidence (corpus mil-text/emo-swift-{6715a041,ba04d576,fc782079}-Emo,
** coremlc 3600.22.1; one model, MEDIUM): for a classifier, Apple's compiled
** model.mil has no `classify` op and the function returns the op's
** 'probabilities' input; the histogram has no Classify key; the labels are
** written after the description in coremldata.bin (emit_coremldata.c) and
** listed as "classLabels" in metadata.json; computePrecision still counts
** the classify op (its dict<string, fp64> output gives the "Float64" of
** "Mixed (Float16, Float32, Float64, Int32)").  Whether older compilers do
** the same is OPEN; mlcc applies the rule for every stamp.
*/
#include "model/classifier.h"

#include <string.h>

#include "base/diag.h"

/* The labels of the 'classes' input: an immediate list of scalar strings
** or scalar int64 values. */
static int read_labels(struct model *m, const struct function *f, const struct op *op,
		       struct mlcc_diag *d)
{
	struct classifier *c = &m->classifier;
	const struct mvalue *list = NULL;

	for (size_t i = 0; i < op->ninputs; i++)
		if (strcmp(op->inputs[i].param, "classes") == 0 && op->inputs[i].n == 1)
			list = op->inputs[i].b[0].value;
	if (!list || list->kind != VAL_LIST)
		return diag_fail(d, MLCC_E_UNSUPPORTED,
				 "%s: function '%s': classify: 'classes' must be a list literal",
				 m->origin, f->name);
	c->nlabels = list->count;
	if (list->count == 0)
		return MLCC_OK;
	c->int_labels = list->items[0]->type->dtype == DT_INT64;
	const char **s = arena_array(m->arena, list->count, sizeof *s);
	int64_t *v = arena_array(m->arena, list->count, sizeof *v);
	if (!s || !v)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", m->origin);
	for (size_t i = 0; i < list->count; i++) {
		const struct mvalue *it = list->items[i];
		if (it->kind != VAL_TENSOR || it->count != 1 ||
		    it->type->dtype != (c->int_labels ? DT_INT64 : DT_STRING))
			return diag_fail(
				d, MLCC_E_UNSUPPORTED,
				"%s: function '%s': classify: label %zu is not a %s scalar",
				m->origin, f->name, i, c->int_labels ? "int64" : "string");
		if (c->int_labels)
			v[i] = ((const int64_t *)it->data)[0];
		else
			s[i] = ((char *const *)it->data)[0];
	}
	c->labels = s;
	c->int_values = v;
	return MLCC_OK;
}

/* True when the outputs of 'op' are exactly the block's outputs. */
static bool feeds_outputs(const struct op *op, const struct block *b)
{
	if (op->noutputs != b->noutputs)
		return false;
	for (size_t i = 0; i < op->noutputs; i++)
		if (strcmp(op->outputs[i].name, b->outputs[i]) != 0)
			return false;
	return true;
}

int classifier_lower(struct model *m, struct mlcc_diag *d)
{
	const char *pf = m->desc->predictedfeaturename;

	if (m->kind != MODEL_ML_PROGRAM || !pf || !*pf)
		return MLCC_OK;
	for (size_t fi = 0; fi < m->program->nfuncs; fi++) {
		struct function *f = &m->program->funcs[fi];
		struct block *b = &f->body;
		for (size_t i = b->nops; i-- > 0;) {
			struct op *op = &b->ops[i];
			const char *prob = NULL;
			int rc;
			if (strcmp(op->type, "classify") != 0 || !feeds_outputs(op, b))
				continue;
			for (size_t k = 0; k < op->ninputs; k++)
				if (strcmp(op->inputs[k].param, "probabilities") == 0 &&
				    op->inputs[k].n == 1)
					prob = op->inputs[k].b[0].name;
			if (!prob)
				return diag_fail(
					d, MLCC_E_UNSUPPORTED,
					"%s: function '%s': classify: 'probabilities' must be a variable",
					m->origin, f->name);
			if ((rc = read_labels(m, f, op, d)) != MLCC_OK)
				return rc;
			/* Keep the op (for computePrecision), drop it from the
			** block, and return the probabilities instead. */
			struct op *keep = arena_alloc(m->arena, sizeof *keep);
			const char **outs = arena_alloc(m->arena, sizeof *outs);
			if (!keep || !outs)
				return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", m->origin);
			*keep = *op;
			memmove(op, op + 1, (b->nops - i - 1) * sizeof *op);
			b->nops--;
			outs[0] = prob;
			b->outputs = outs;
			b->noutputs = 1;
			m->classifier.op = keep;
			m->classifier.func = f;
			m->classifier.prob_var = prob;
			return MLCC_OK;
		}
	}
	return MLCC_OK;
}
