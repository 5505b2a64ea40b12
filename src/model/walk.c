/*
** walk.c -- every op and every value of a model, in program order
** (model_walk in model.h).
*/
#include "model/model.h"

struct walker {
	const struct model_visitor *v;
	struct model_site at;
};

static int walk_value(struct walker *w, const struct mvalue *v)
{
	int rc = w->v->value ? w->v->value(w->v->ctx, &w->at, v) : 0;

	for (size_t i = 0; !rc && v->kind != VAL_TENSOR && v->kind != VAL_BLOB && i < v->count;
	     i++) {
		rc = walk_value(w, v->items[i]);
		if (!rc && v->kind == VAL_DICT)
			rc = walk_value(w, v->values[i]);
	}
	return rc;
}

static int walk_attrs(struct walker *w, const struct attribute *a, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++)
		rc = walk_value(w, a[i].value);
	return rc;
}

static int walk_block(struct walker *w, const struct block *b);

static int walk_op(struct walker *w, const struct op *op, size_t index)
{
	int rc;

	w->at.op = op;
	w->at.op_index = index;
	rc = w->v->op ? w->v->op(w->v->ctx, &w->at) : 0;
	for (size_t k = 0; k < op->ninputs && !rc; k++)
		for (size_t j = 0; j < op->inputs[k].n && !rc; j++)
			if (op->inputs[k].b[j].value)
				rc = walk_value(w, op->inputs[k].b[j].value);
	if (!rc)
		rc = walk_attrs(w, op->attrs, op->nattrs);
	for (size_t k = 0; k < op->nblocks && !rc; k++)
		rc = walk_block(w, &op->blocks[k]);
	w->at.op = NULL;
	return rc;
}

static int walk_block(struct walker *w, const struct block *b)
{
	const struct op *owner = w->at.op;
	size_t owner_index = w->at.op_index;
	int rc;

	w->at.op = NULL; /* block attributes belong to no op */
	rc = walk_attrs(w, b->attrs, b->nattrs);
	for (size_t i = 0; i < b->nops && !rc; i++)
		rc = walk_op(w, &b->ops[i], i);
	w->at.op = owner;
	w->at.op_index = owner_index;
	return rc;
}

static int walk_model(struct walker *w, const struct model *m)
{
	const struct program *p = m->program;
	int rc = 0;

	MLCC_ASSERT(!m->nchildren || m->children);
	for (size_t i = 0; i < m->nchildren && !rc; i++)
		rc = walk_model(w, m->children[i]);
	if (rc || m->kind != MODEL_ML_PROGRAM || !p)
		return rc;
	rc = walk_attrs(w, p->attrs, p->nattrs);
	for (size_t i = 0; i < p->nfuncs && !rc; i++) {
		w->at.func = &p->funcs[i];
		rc = walk_attrs(w, p->funcs[i].attrs, p->funcs[i].nattrs);
		if (!rc)
			rc = walk_block(w, &p->funcs[i].body);
		w->at.func = NULL;
	}
	return rc;
}

int model_walk(const struct model *m, const char *file, const struct model_visitor *v)
{
	struct walker w = {v, {file, NULL, NULL, 0}};

	return walk_model(&w, m);
}
