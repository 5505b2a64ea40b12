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
static int read_labels(struct model *m, const struct model_site *at, struct mlcc_diag *d)
{
	struct classifier *c = &m->classifier;
	const struct op *op = at->op;
	const struct mvalue *list = NULL;

	for (size_t i = 0; i < op->ninputs; i++)
		if (strcmp(op->inputs[i].param, "classes") == 0 && op->inputs[i].n == 1)
			list = op->inputs[i].b[0].value;
	if (!list || list->kind != VAL_LIST)
		return model_fail(d, MLCC_E_UNSUPPORTED, at, "'classes' must be a list literal");
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
			return model_fail(d, MLCC_E_UNSUPPORTED, at, "label %zu is not a %s scalar",
					  i, c->int_labels ? "int64" : "string");
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

	MLCC_ASSERT(m->stage == MODEL_READ);
	m->stage = MODEL_LOWERED; /* also when there is nothing to lower */
	if (m->kind != MODEL_ML_PROGRAM || !pf || !*pf)
		return MLCC_OK;
	for (size_t fi = 0; fi < m->program->nfuncs; fi++) {
		struct function *f = &m->program->funcs[fi];
		struct block *b = &f->body;
		for (size_t i = b->nops; i-- > 0;) {
			struct op *op = &b->ops[i];
			const struct model_site at = {m->origin, f, op, i};
			const char *prob = NULL;
			int rc;
			if (strcmp(op->type, "classify") != 0 || !feeds_outputs(op, b))
				continue;
			for (size_t k = 0; k < op->ninputs; k++)
				if (strcmp(op->inputs[k].param, "probabilities") == 0 &&
				    op->inputs[k].n == 1)
					prob = op->inputs[k].b[0].name;
			if (!prob)
				return model_fail(d, MLCC_E_UNSUPPORTED, &at,
						  "'probabilities' must be a variable");
			if ((rc = read_labels(m, &at, d)) != MLCC_OK)
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

/* ---- restoring -------------------------------------------------------- */

/* A rank-0 tensor type of 'dt'; NULL when out of memory. */
static struct mtype *scalar_type(struct arena *a, enum dtype dt)
{
	struct mtype *t = arena_alloc(a, sizeof *t);

	if (t) {
		t->kind = TY_TENSOR;
		t->dtype = dt;
	}
	return t;
}

/* A rank-0 tensor value of 'dt' holding the element at 'elem' (in its
** unpacked in-memory form); NULL when out of memory. */
static struct mvalue *scalar_value(struct arena *a, enum dtype dt, const void *elem)
{
	struct mvalue *v = arena_alloc(a, sizeof *v);
	void *data = arena_alloc(a, dtype_mem_size(dt));

	if (!v || !data || !(v->type = scalar_type(a, dt)))
		return NULL;
	memcpy(data, elem, dtype_mem_size(dt));
	v->kind = VAL_TENSOR;
	v->count = 1;
	v->data = data;
	return v;
}

/* The 'classes' literal: list<tensor<T, []>, N> of the labels. */
static struct mvalue *labels_value(struct arena *a, const struct classifier *c)
{
	enum dtype dt = c->int_labels ? DT_INT64 : DT_STRING;
	struct mvalue *v = arena_alloc(a, sizeof *v);
	struct mtype *t = arena_alloc(a, sizeof *t);

	if (!v || !t || !(t->elem = scalar_type(a, dt)))
		return NULL;
	t->kind = TY_LIST;
	t->length = (int64_t)c->nlabels;
	v->kind = VAL_LIST;
	v->type = t;
	v->count = c->nlabels;
	v->items = arena_array(a, c->nlabels, sizeof *v->items);
	if (c->nlabels && !v->items)
		return NULL;
	for (size_t i = 0; i < c->nlabels; i++) {
		const void *e = c->int_labels ? (const void *)&c->int_values[i]
					      : (const void *)&c->labels[i];
		if (!(v->items[i] = scalar_value(a, dt, e)))
			return NULL;
	}
	return v;
}

/* Fill 'op' with the classify op of 'm' (labels in m->classifier, output
** names 'label' and 'probs'); false when out of memory. */
static bool build_classify(struct arena *a, const struct classifier *c, const char *label,
			   const char *probs, struct op *op)
{
	static const char *const op_name = "classify_0";
	enum dtype dt = c->int_labels ? DT_INT64 : DT_STRING;
	struct binding *b = arena_array(a, 2, sizeof *b);
	struct mtype *dict = arena_alloc(a, sizeof *dict);

	op->type = "classify";
	op->inputs = arena_array(a, 2, sizeof *op->inputs);
	op->outputs = arena_array(a, 2, sizeof *op->outputs);
	op->attrs = arena_alloc(a, sizeof *op->attrs);
	if (!b || !dict || !op->inputs || !op->outputs || !op->attrs)
		return false;
	b[0].name = c->prob_var;
	b[1].value = labels_value(a, c);
	op->ninputs = 2;
	op->inputs[0] = (struct argument){"probabilities", 1, &b[0]};
	op->inputs[1] = (struct argument){"classes", 1, &b[1]};
	dict->kind = TY_DICT;
	dict->elem = scalar_type(a, dt);
	dict->value = scalar_type(a, DT_FP64);
	op->noutputs = 2;
	op->outputs[0] = (struct named_type){label, scalar_type(a, dt)};
	op->outputs[1] = (struct named_type){probs, dict};
	op->nattrs = 1;
	op->attrs[0] = (struct attribute){"name", scalar_value(a, DT_STRING, &op_name)};
	return b[1].value && dict->elem && dict->value && op->outputs[0].type && op->attrs[0].value;
}

/* The function the classifier was lowered from (see classifier.h). */
static struct function *classifier_func(struct model *m)
{
	struct program *p = m->program;
	const char *want = m->classifier.func ? m->classifier.func->name : NULL;
	const char *dflt = m->desc ? m->desc->defaultfunctionname : NULL;

	if (!want)
		want = dflt && *dflt ? dflt : "main";
	for (size_t i = 0; i < p->nfuncs; i++)
		if (strcmp(p->funcs[i].name, want) == 0)
			return &p->funcs[i];
	return !m->classifier.func && p->nfuncs == 1 ? &p->funcs[0] : NULL;
}

/* Re-insert the classify op of one model, allocating from 'a'. */
static int restore_one(struct model *m, struct arena *a, struct mlcc_diag *d)
{
	const char *origin = m->origin ? m->origin : "model";
	const char *label = m->desc ? m->desc->predictedfeaturename : NULL;
	const char *probs = m->desc ? m->desc->predictedprobabilitiesname : NULL;
	struct function *f;
	struct block *b;
	struct op *ops;
	const char **outs;

	if (!m->classifier.prob_var)
		return MLCC_OK;
	if (m->kind != MODEL_ML_PROGRAM || !m->program || !m->program->nfuncs)
		return diag_fail(d, MLCC_E_INTERNAL,
				 "%s: classifier recorded on a model without an ML program",
				 origin);
	if (!label || !*label || !probs || !*probs)
		return diag_fail(
			d, MLCC_E_UNSUPPORTED,
			"%s: classifier without predictedFeatureName and predictedProbabilitiesName",
			origin);
	if (!(f = classifier_func(m)))
		return diag_fail(d, MLCC_E_INTERNAL, "%s: no function for the classifier", origin);
	b = &f->body;
	ops = arena_array(a, b->nops + 1, sizeof *ops);
	outs = arena_array(a, 2, sizeof *outs);
	if (!ops || !outs || !build_classify(a, &m->classifier, label, probs, &ops[b->nops]))
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", origin);
	if (b->nops)
		memcpy(ops, b->ops, b->nops * sizeof *ops);
	outs[0] = label;
	outs[1] = probs;
	b->ops = ops;
	b->nops++;
	b->outputs = outs;
	b->noutputs = 2;
	memset(&m->classifier, 0, sizeof m->classifier);
	m->stage = MODEL_READ;
	return MLCC_OK;
}

int classifier_restore(struct model *m, struct mlcc_diag *d)
{
	int rc;

	if (m->classifier.prob_var && !m->arena)
		return diag_fail(d, MLCC_E_INTERNAL, "%s: model without an arena",
				 m->origin ? m->origin : "model");
	if ((rc = restore_one(m, m->arena, d)))
		return rc;
	for (size_t i = 0; i < m->nchildren; i++)
		if ((rc = classifier_restore(m->children[i], d)))
			return rc;
	return MLCC_OK;
}

int classifier_restored(struct arena *a, const struct model *m, const struct model **out,
			struct mlcc_diag *d)
{
	struct model *cm;
	struct program *cp;
	struct function *cf;

	*out = m;
	if (!m->classifier.prob_var)
		return MLCC_OK;
	if (m->kind != MODEL_ML_PROGRAM || !m->program || !m->program->nfuncs)
		return diag_fail(d, MLCC_E_INTERNAL,
				 "%s: classifier recorded on a model without an ML program",
				 m->origin ? m->origin : "model");
	cm = arena_alloc(a, sizeof *cm);
	cp = arena_alloc(a, sizeof *cp);
	cf = arena_array(a, m->program->nfuncs, sizeof *cf);
	if (!cm || !cp || !cf)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory",
				 m->origin ? m->origin : "model");
	*cm = *m;
	*cp = *m->program;
	memcpy(cf, m->program->funcs, m->program->nfuncs * sizeof *cf);
	cp->funcs = cf;
	cm->program = cp;
	*out = cm;
	return restore_one(cm, a, d);
}
