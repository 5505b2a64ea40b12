/*
** exec.c -- runs one planned function: a value array per execution, the
** ops in program order, every intermediate freed after its last use, lazy
** constexpr constants materialised once per model.
**
** Storage sharing.  A kernel may return a view of an input (rt_share:
** reshape, squeeze, identity...).  Each slot therefore has a root: the
** slot whose storage it uses; a root's storage is freed when no live slot
** uses it any more.  Function outputs stay alive to the end and are
** handed to the caller.
*/
#include <string.h>

#include "runtime/rt.h"

struct rt_exec {
	const struct rt_func *f;
	struct rt_value *vals;
	size_t *root;	 /* slot whose storage each slot uses */
	size_t *holders; /* live slots using each root's storage */
};

/* ---- lazy constants ------------------------------------------------------- */

/* A finished lazy constant of another function computing the same thing
** (same op type, same input data), or NULL: functions of one program that
** share weights share their materialised form too. */
static const struct rt_lazy *same_lazy(const struct rt_model *m, const struct rt_lazy *lz)
{
	for (size_t i = 0; i < m->nlazy; i++) {
		const struct rt_lazy *o = m->lazies[i];
		bool same = o != lz && o->done && o->op.impl == lz->op.impl &&
			    o->op.nin == lz->op.nin && strcmp(o->op.op->type, lz->op.op->type) == 0;
		for (size_t j = 0; same && j < lz->op.nin; j++)
			same = o->vals[j]->data == lz->vals[j]->data && o->vals[j]->data != NULL &&
			       o->vals[j]->count == lz->vals[j]->count;
		if (same)
			return o;
	}
	return NULL;
}

/* Compute 'lz' (the model lock held). */
static int materialise(struct rt_ctx *ctx, struct rt_lazy *lz)
{
	struct rt_value **in = lz->vals;
	const struct rt_lazy *o;
	int rc;

	if (lz->done)
		return MLCC_OK;
	for (size_t i = 0; i < lz->op.nin; i++)
		if (in[i]->lazy && (rc = materialise(ctx, in[i]->lazy)) != MLCC_OK)
			return rc;
	if ((o = same_lazy(lz->model, lz)) != NULL) {
		lz->result = o->result;
		lz->result.flags &= ~(unsigned)RT_OWNED;
		lz->done = true;
		return MLCC_OK;
	}
	/* Inputs of nested lazies: their results. */
	struct rt_value *tmp[16], **use = in;
	if (lz->op.nin <= 16) {
		for (size_t i = 0; i < lz->op.nin; i++)
			tmp[i] = in[i]->lazy ? &in[i]->lazy->result : in[i];
		use = tmp;
	}
	rc = lz->op.impl->run(ctx, &lz->op, use, &lz->result);
	if (rc != MLCC_OK) {
		rt_value_free(&lz->result);
		return rc;
	}
	lz->done = true;
	return MLCC_OK;
}

int rt_need(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value *v)
{
	struct rt_lazy *lz = v->lazy;
	int rc;

	(void)op;
	if (lz == NULL)
		return MLCC_OK;
	pthread_mutex_lock(&lz->model->lock);
	const struct function *saved = ctx->func;
	ctx->func = lz->func;
	rc = materialise(ctx, lz);
	ctx->func = saved;
	pthread_mutex_unlock(&lz->model->lock);
	if (rc != MLCC_OK)
		return rc;
	*v = lz->result;
	v->flags &= ~(unsigned)RT_OWNED;
	v->lazy = NULL;
	return MLCC_OK;
}

/* ---- storage lifetimes ---------------------------------------------------------- */

/* Slot 's' is no longer needed: release its storage when nothing else
** uses it (only storage the execution owns is freed: inputs, states and
** constants belong to others). */
static void release(struct rt_exec *x, size_t s)
{
	size_t r = x->root[s];

	if (x->holders[r] > 0 && --x->holders[r] == 0 && (x->vals[r].flags & RT_OWNED))
		rt_value_free(&x->vals[r]);
	if (s != r)
		memset(&x->vals[s], 0, sizeof x->vals[s]);
}

int rt_before_write(struct rt_ctx *ctx, const struct rt_op *op, const void *data)
{
	struct rt_exec *x = ctx->exec;
	const struct rt_func *f = x->f;
	size_t k = (size_t)(op - f->ops);

	MLCC_ASSERT(op >= f->ops && k < f->nops);
	for (size_t s = 0; s < f->nslots; s++) {
		struct rt_value *v = &x->vals[s];
		if (v->data != data || (v->flags & RT_STATE) || f->is_const[s] ||
		    (f->last_use[s] != SIZE_MAX && f->last_use[s] <= k + 1))
			continue;
		struct rt_value copy;
		int rc = rt_alloc(ctx, op, &copy, v->dtype, v->rank, v->shape);
		if (rc != MLCC_OK)
			return rc;
		memcpy(copy.data, v->data, v->count * dtype_mem_size(v->dtype));
		if (x->holders[x->root[s]] > 0)
			x->holders[x->root[s]]--;
		*v = copy;
		x->root[s] = s;
		x->holders[s] = 1;
	}
	return MLCC_OK;
}

/* Record who owns the storage of output slot 'o' of 'op'. */
static void adopt(struct rt_exec *x, const struct rt_op *op, size_t o)
{
	struct rt_value *v = &x->vals[o];

	x->root[o] = o;
	if (!(v->flags & RT_OWNED) && v->data != NULL) {
		for (size_t i = 0; i < op->nin; i++) {
			size_t s = op->in[i];
			if (x->vals[s].data == v->data) {
				x->root[o] = x->root[s];
				break;
			}
		}
	}
	x->holders[x->root[o]]++;
}

/* ---- running ------------------------------------------------------------------------ */

static int run_op(struct rt_ctx *ctx, struct rt_exec *x, const struct rt_op *op, size_t index)
{
	struct rt_value *inbuf[32], **in = inbuf;
	int rc;

	if (op->nin > 32 && (in = malloc(op->nin * sizeof *in)) == NULL)
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < op->nin; i++) {
		in[i] = &x->vals[op->in[i]];
		if (in[i]->lazy && !(op->impl->flags & RT_F_LAZY) &&
		    (rc = rt_need(ctx, op, in[i])) != MLCC_OK)
			goto out;
	}
	struct rt_value outs[8], *out = outs;
	if (op->nout > 8 && (out = calloc(op->nout, sizeof *out)) == NULL) {
		rc = rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
		goto out;
	}
	memset(out, 0, (op->nout < 8 ? 8 : op->nout) * sizeof *out);
	rc = op->impl->run(ctx, op, in, out);
	for (size_t i = 0; i < op->nout; i++) {
		if (rc != MLCC_OK) {
			rt_value_free(&out[i]);
			continue;
		}
		x->vals[op->out[i]] = out[i];
		adopt(x, op, op->out[i]);
	}
	if (out != outs)
		free(out);
	if (rc == MLCC_OK) {
		for (size_t i = 0; i < op->nout; i++)
			if (x->f->last_use[op->out[i]] == 0)
				release(x, op->out[i]);
		for (size_t i = 0; i < op->nin; i++) {
			size_t s = op->in[i];
			if (x->f->last_use[s] == index + 1 && !x->f->is_const[s]) {
				/* a slot bound twice to this op is released once */
				bool seen = false;
				for (size_t j = 0; j < i; j++)
					seen |= op->in[j] == s;
				if (!seen)
					release(x, s);
			}
		}
	}
out:
	if (in != inbuf)
		free(in);
	return rc;
}

/* Hand output slot 's' over to the caller as 'out', which then owns its
** storage: taken over when the slot owns it alone, else copied (a view of
** an intermediate, an input, a state or a constant). */
static int hand_over(struct rt_ctx *ctx, struct rt_exec *x, size_t s, struct rt_value *out)
{
	const struct rt_value *v = &x->vals[s];
	int rc;

	if (x->root[s] == s && x->holders[s] == 1 && (v->flags & RT_OWNED)) {
		*out = *v;
		x->holders[s] = 0;
		memset(&x->vals[s], 0, sizeof x->vals[s]);
		return MLCC_OK;
	}
	if ((rc = rt_alloc(ctx, NULL, out, v->dtype, v->rank, v->shape)) != MLCC_OK)
		return rc;
	if (v->flags & RT_PACKED)
		for (size_t i = 0; i < v->count; i++)
			rt_seti(out, i, rt_geti(v, i));
	else
		memcpy(out->data, v->data, v->count * dtype_mem_size(v->dtype));
	return MLCC_OK;
}

static void exec_free(struct rt_exec *x)
{
	if (x->vals)
		for (size_t s = 0; s < x->f->nslots; s++)
			if (x->root[s] == s && x->holders[s] > 0)
				rt_value_free(&x->vals[s]);
	free(x->vals);
	free(x->root);
	free(x->holders);
}

int rt_execute(struct rt_model *m, const struct rt_func *f, const struct rt_value *inputs,
	       const struct rt_value *states, struct rt_value *outputs, struct mlcc_diag *d)
{
	struct rt_exec x = {f, NULL, NULL, NULL};
	struct rt_ctx ctx = {NULL, d, m->l.files->origin, f->func, m, &x};
	int rc = MLCC_OK;
	/* kpool_for is not reentrant: a prediction running while another holds
	** the pool runs its kernels on its own thread */
	bool pooled = pthread_mutex_trylock(&m->pool_lock) == 0;

	if (pooled)
		ctx.pool = m->pool;

	x.vals = calloc(f->nslots + 1, sizeof *x.vals);
	x.root = calloc(f->nslots + 1, sizeof *x.root);
	x.holders = calloc(f->nslots + 1, sizeof *x.holders);
	if (!x.vals || !x.root || !x.holders) {
		exec_free(&x);
		if (pooled)
			pthread_mutex_unlock(&m->pool_lock);
		return diag_fail(d, MLCC_E_NOMEM, "out of memory");
	}
	for (size_t s = 0; s < f->nslots; s++) {
		x.root[s] = s;
		if (f->is_const[s])
			x.vals[s] = f->konst[s];
	}
	/* inputs and states are held by the caller: one holder each, so that
	** views of them never release them */
	for (size_t i = 0; i < f->ninputs; i++) {
		x.vals[f->input_slot[i]] = inputs[i];
		x.vals[f->input_slot[i]].flags = 0;
		x.holders[f->input_slot[i]] = 1;
	}
	for (size_t i = 0; i < f->nstates; i++) {
		x.vals[f->state_slot[i]] = states[i];
		x.vals[f->state_slot[i]].flags = RT_STATE;
		x.holders[f->state_slot[i]] = 1;
	}
	for (size_t i = 0; rc == MLCC_OK && i < f->nops; i++)
		rc = run_op(&ctx, &x, &f->ops[i], i);
	if (rc == MLCC_OK)
		for (size_t i = 0; i < f->noutputs; i++) {
			size_t s = f->output_slot[i];
			if (x.vals[s].lazy && (rc = rt_need(&ctx, NULL, &x.vals[s])) != MLCC_OK)
				break;
			if ((rc = hand_over(&ctx, &x, s, &outputs[i])) != MLCC_OK) {
				for (size_t j = 0; j < i; j++)
					rt_value_free(&outputs[j]);
				break;
			}
		}
	exec_free(&x);
	if (pooled)
		pthread_mutex_unlock(&m->pool_lock);
	return rc;
}
