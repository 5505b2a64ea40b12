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
		bool same = o != lz && o->done && o->op.impl == lz->op.impl && o->op.nout == 1 &&
			    o->op.nin == lz->op.nin && strcmp(o->op.op->type, lz->op.op->type) == 0;
		for (size_t j = 0; same && j < lz->op.nin; j++)
			same = o->vals[j]->data == lz->vals[j]->data && o->vals[j]->data != NULL &&
			       o->vals[j]->count == lz->vals[j]->count;
		if (same)
			return o;
	}
	return NULL;
}

/* Compute 'lz' -- its whole group -- (the model lock held). */
static int materialise(struct rt_ctx *ctx, struct rt_lazy *lz)
{
	struct rt_lazy *first = lz->first;
	struct rt_value **in = first->vals;
	const struct rt_lazy *o;
	int rc;

	if (first->done)
		return MLCC_OK;
	for (size_t i = 0; i < first->op.nin; i++)
		if (in[i]->lazy && (rc = materialise(ctx, in[i]->lazy)) != MLCC_OK)
			return rc;
	if (first->op.nout == 1 && (o = same_lazy(first->model, first)) != NULL) {
		first->result = o->result;
		first->result.flags &= ~(unsigned)RT_OWNED;
		first->done = true;
		return MLCC_OK;
	}
	/* Inputs of nested lazies: their results. */
	struct rt_value *tmp[16], **use = in, outs[8];
	if (first->op.nin <= 16) {
		for (size_t i = 0; i < first->op.nin; i++)
			tmp[i] = in[i]->lazy ? &in[i]->lazy->result : in[i];
		use = tmp;
	}
	if (first->op.nout > 8)
		return rt_fail(ctx, &first->op, MLCC_E_UNSUPPORTED, "more than 8 outputs");
	memset(outs, 0, sizeof outs);
	rc = first->op.impl->run(ctx, &first->op, use, outs);
	for (size_t i = 0; i < first->op.nout; i++) {
		if (rc != MLCC_OK) {
			rt_value_free(&outs[i]);
			continue;
		}
		first->group[i]->result = outs[i];
		first->group[i]->done = true;
	}
	return rc;
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
	/* an op of the body: values whose last use is this op need no copy;
	** an op of a nested block: every other sharer is copied */
	bool body = op >= f->ops && op < f->ops + f->nops;
	size_t k = body ? (size_t)(op - f->ops) : 0;

	for (size_t s = 0; s < f->nslots; s++) {
		struct rt_value *v = &x->vals[s];
		if (v->data != data || (v->flags & RT_STATE) || f->is_const[s] ||
		    (body && f->defined_in[s] == 0 && f->last_use[s] != SIZE_MAX &&
		     f->last_use[s] <= k + 1))
			continue;
		if (!body) {
			bool consumed = false;
			for (size_t i = 0; i < op->nin; i++)
				consumed |= op->in[i] == s;
			if (consumed)
				continue;
		}
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

static int run_op(struct rt_ctx *ctx, struct rt_exec *x, const struct rt_op *op, size_t index,
		  size_t blk)
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
		const struct rt_func *f = x->f;
		for (size_t i = 0; i < op->nout; i++)
			if (f->last_use[op->out[i]] == 0)
				release(x, op->out[i]);
		/* inputs (and what nested blocks read) last used here, when this
		** block owns them; a slot bound twice is released once */
		for (size_t i = 0; i < op->nin + op->nreads; i++) {
			size_t s = i < op->nin ? op->in[i] : op->reads[i - op->nin];
			if (f->last_use[s] != index + 1 || f->is_const[s] ||
			    f->defined_in[s] != blk)
				continue;
			bool seen = false;
			for (size_t j = 0; j < i; j++)
				seen |= (j < op->nin ? op->in[j] : op->reads[j - op->nin]) == s;
			if (!seen)
				release(x, s);
		}
	}
out:
	if (in != inbuf)
		free(in);
	return rc;
}

size_t rt_block_inputs(const struct rt_op *op, size_t b)
{
	return b < op->nblocks ? op->blocks[b].ninputs : 0;
}

size_t rt_block_outputs(const struct rt_op *op, size_t b)
{
	return b < op->nblocks ? op->blocks[b].noutputs : 0;
}

/* Release every slot block 'id' defined (the end of one run of it). */
static void block_end(struct rt_exec *x, size_t id)
{
	const struct rt_func *f = x->f;

	for (size_t s = 0; s < f->nslots; s++) {
		if (f->defined_in[s] != id || f->is_const[s])
			continue;
		if (x->vals[s].data != NULL)
			release(x, s);
		if (x->root[s] == s && x->holders[s] > 0 && (x->vals[s].flags & RT_OWNED))
			rt_value_free(&x->vals[s]);
		memset(&x->vals[s], 0, sizeof x->vals[s]);
		x->holders[s] = 0;
		x->root[s] = s;
	}
}

/* A copy of 'v' that the caller owns. */
static int own_copy(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *v,
		    struct rt_value *out)
{
	int rc = rt_alloc(ctx, op, out, v->dtype, v->rank, v->shape);

	if (rc != MLCC_OK)
		return rc;
	if (v->flags & RT_PACKED)
		for (size_t i = 0; i < v->count; i++)
			rt_seti(out, i, rt_geti(v, i));
	else if (v->count)
		memcpy(out->data, v->data, v->count * dtype_mem_size(v->dtype));
	return MLCC_OK;
}

int rt_run_block(struct rt_ctx *ctx, const struct rt_op *op, size_t b,
		 struct rt_value *const *inputs, size_t n, struct rt_value *outputs)
{
	struct rt_exec *x = ctx->exec;
	const struct rt_block *rb;
	int rc = MLCC_OK;
	size_t i;

	if (b >= op->nblocks || n != op->blocks[b].ninputs)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "block %zu takes %zu inputs, not %zu", b,
			       b < op->nblocks ? op->blocks[b].ninputs : 0, n);
	rb = &op->blocks[b];
	for (i = 0; i < n; i++) {
		size_t s = rb->input_slot[i];
		x->vals[s] = *inputs[i];
		x->vals[s].flags &= ~(unsigned)(RT_OWNED | RT_STATE);
		x->vals[s].lazy = NULL;
		x->root[s] = s;
		x->holders[s] = 1; /* held by the caller, like function inputs */
	}
	for (i = 0; rc == MLCC_OK && i < rb->nops; i++)
		rc = run_op(ctx, x, &rb->ops[i], i, rb->id);
	size_t got = 0;
	for (; rc == MLCC_OK && got < rb->noutputs; got++) {
		struct rt_value *v = &x->vals[rb->output_slot[got]];
		if (v->lazy && (rc = rt_need(ctx, op, v)) != MLCC_OK)
			break;
		if ((rc = own_copy(ctx, op, v, &outputs[got])) != MLCC_OK)
			break;
	}
	if (rc != MLCC_OK)
		while (got > 0)
			rt_value_free(&outputs[--got]);
	block_end(x, rb->id);
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

/* A named value of a pipeline run; 'own' when the run must free it. */
struct env_item {
	const char *name;
	struct rt_value v;
	bool own;
};

static struct env_item *env_find(struct env_item *env, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;) /* the latest value of a name */
		if (strcmp(env[i].name, name) == 0)
			return &env[i];
	return NULL;
}

/* Run the stages of pipeline 'f' in order, each on the values named like
** its inputs (the pipeline's inputs or earlier stages' outputs). */
static int exec_pipeline(struct rt_model *m, const struct rt_func *f, const struct rt_value *inputs,
			 struct rt_value *outputs, struct mlcc_diag *d)
{
	size_t cap = f->ninputs, n = 0;
	int rc = MLCC_OK;

	for (size_t i = 0; i < f->nstages; i++)
		cap += f->stages[i]->noutputs;
	struct env_item *env = calloc(cap + 1, sizeof *env);
	if (env == NULL)
		return diag_fail(d, MLCC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < f->ninputs; i++)
		env[n++] = (struct env_item){f->sig.inputs[i].name, inputs[i], false};
	for (size_t i = 0; rc == MLCC_OK && i < f->nstages; i++) {
		const struct rt_func *s = f->stages[i];
		struct rt_value *ins = calloc(s->ninputs + 1, sizeof *ins);
		struct rt_value *outs = calloc(s->noutputs + 1, sizeof *outs);
		if (!ins || !outs)
			rc = diag_fail(d, MLCC_E_NOMEM, "out of memory");
		for (size_t j = 0; rc == MLCC_OK && j < s->ninputs; j++) {
			struct env_item *e = env_find(env, n, s->sig.inputs[j].name);
			if (e == NULL)
				rc = diag_fail(d, MLCC_E_CORRUPT,
					       "%s: pipeline stage %zu: no value for input '%s'",
					       m->l.path, i, s->sig.inputs[j].name);
			else
				ins[j] = e->v;
		}
		if (rc == MLCC_OK && (rc = rt_execute(m, s, ins, NULL, outs, d)) == MLCC_OK)
			for (size_t j = 0; j < s->noutputs; j++)
				env[n++] = (struct env_item){s->sig.outputs[j].name, outs[j], true};
		free(ins);
		free(outs);
	}
	for (size_t o = 0; rc == MLCC_OK && o < f->noutputs; o++) {
		struct env_item *e = env_find(env, n, f->sig.outputs[o].name);
		if (e == NULL) {
			rc = diag_fail(d, MLCC_E_CORRUPT, "%s: no value for pipeline output '%s'",
				       m->l.path, f->sig.outputs[o].name);
		} else if (e->own) {
			outputs[o] = e->v;
			e->own = false;
		} else {
			struct rt_ctx ctx = {NULL, d, m->l.files->origin, f->func, m, NULL};
			rc = own_copy(&ctx, NULL, &e->v, &outputs[o]);
		}
		if (rc != MLCC_OK)
			while (o > 0)
				rt_value_free(&outputs[--o]);
	}
	for (size_t i = 0; i < n; i++)
		if (env[i].own)
			rt_value_free(&env[i].v);
	free(env);
	return rc;
}

int rt_execute(struct rt_model *m, const struct rt_func *f, const struct rt_value *inputs,
	       const struct rt_value *states, struct rt_value *outputs, struct mlcc_diag *d)
{
	if (f->nstages > 0)
		return exec_pipeline(m, f, inputs, outputs, d);

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
		rc = run_op(&ctx, &x, &f->ops[i], i, 0);
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
