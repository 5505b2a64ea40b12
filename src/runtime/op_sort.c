/*
** op_sort.c -- topk (k, axis, ascending, sort, return_indices; the index
** type is the declared one: int32, or uint16/int16 as coremltools' passes
** leave it) and argsort (axis, ascending).
**
** Ordering is by value (float for float tensors, exact int64 otherwise),
** NaN largest, ties by the lower index first, so results are deterministic.
** With sort = false topk keeps the chosen elements in input order.  Values
** are copied exactly (no rounding: they are input elements).
*/
#include <math.h>
#include <string.h>

#include "runtime/ops2.h"

struct key {
	double v;
	int64_t i;
};

static int cmp_desc(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	bool xn = isnan(x->v), yn = isnan(y->v);

	if (xn != yn)
		return xn ? -1 : 1;
	if (!xn && x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_asc(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	bool xn = isnan(x->v), yn = isnan(y->v);

	if (xn != yn)
		return xn ? 1 : -1;
	if (!xn && x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_index(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sizes around axis 'ax' of 'v': outer (before), n (along), inner (after). */
static void split_axis(const struct rt_value *v, int ax, size_t *outer, size_t *n, size_t *inner)
{
	*outer = *inner = 1;
	for (int i = 0; i < ax; i++)
		*outer *= (size_t)v->shape[i];
	for (int i = ax + 1; i < v->rank; i++)
		*inner *= (size_t)v->shape[i];
	*n = (size_t)v->shape[ax];
}

/* Sorted keys of the line (o, inner offset q) of 'x' along the axis. */
static void line_keys(const struct rt_value *x, size_t o, size_t q, size_t n, size_t inner,
		      bool asc, struct key *keys)
{
	bool fl = rt_is_float(x->dtype);

	for (size_t i = 0; i < n; i++) {
		size_t e = (o * n + i) * inner + q;
		keys[i].v = fl ? (double)rt_getf(x, e) : (double)rt_geti(x, e);
		keys[i].i = (int64_t)i;
	}
	qsort(keys, n, sizeof *keys, asc ? cmp_asc : cmp_desc);
}

/* The declared element type of output 'i' ('def' when unknown). */
static enum dtype out_dtype(const struct rt_op *op, size_t i, enum dtype def)
{
	const struct mtype *t = i < op->op->noutputs ? op->op->outputs[i].type : NULL;
	return t && t->kind == TY_TENSOR && t->dtype != DT_INVALID ? t->dtype : def;
}

int rt_op_topk(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *x;
	int64_t k, axis, shape[RT_MAX_RANK];
	bool asc, sort, ret_idx;
	size_t outer, n, inner, es;
	struct key *keys;
	int ax, rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "k", true, 1, &k)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, -1, &axis)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "ascending", true, false, &asc)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "sort", true, true, &sort)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "return_indices", true, true, &ret_idx)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &ax)) != MLCC_OK)
		return rc;
	split_axis(x, ax, &outer, &n, &inner);
	if (k < 1 || (size_t)k > n)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "k = %lld for an axis of %zu", (long long)k,
			       n);
	memcpy(shape, x->shape, sizeof shape);
	shape[ax] = k;
	if ((rc = rt_alloc(ctx, op, &out[0], x->dtype, x->rank, shape)) != MLCC_OK ||
	    (ret_idx && op->nout > 1 &&
	     (rc = rt_alloc(ctx, op, &out[1], out_dtype(op, 1, DT_INT32), x->rank, shape)) !=
		     MLCC_OK))
		return rc;
	if ((keys = malloc((n ? n : 1) * sizeof *keys)) == NULL)
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	es = dtype_mem_size(x->dtype);
	for (size_t o = 0; o < outer; o++)
		for (size_t q = 0; q < inner; q++) {
			line_keys(x, o, q, n, inner, asc, keys);
			if (!sort)
				qsort(keys, (size_t)k, sizeof *keys, cmp_index);
			for (size_t i = 0; i < (size_t)k; i++) {
				size_t dst = (o * (size_t)k + i) * inner + q;
				size_t src = (o * n + (size_t)keys[i].i) * inner + q;
				if (x->flags & RT_PACKED)
					rt_seti(&out[0], dst, rt_geti(x, src));
				else
					memcpy((char *)out[0].data + dst * es,
					       (const char *)x->data + src * es, es);
				if (ret_idx && op->nout > 1)
					rt_seti(&out[1], dst, keys[i].i);
			}
		}
	free(keys);
	return MLCC_OK;
}

int rt_op_argsort(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *x;
	int64_t axis;
	bool asc;
	size_t outer, n, inner;
	struct key *keys;
	int ax, rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, -1, &axis)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "ascending", true, false, &asc)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &ax)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, out_dtype(op, 0, DT_INT32), x->rank, x->shape)) != MLCC_OK)
		return rc;
	split_axis(x, ax, &outer, &n, &inner);
	if ((keys = malloc((n ? n : 1) * sizeof *keys)) == NULL)
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	for (size_t o = 0; o < outer; o++)
		for (size_t q = 0; q < inner; q++) {
			line_keys(x, o, q, n, inner, asc, keys);
			for (size_t i = 0; i < n; i++)
				rt_seti(out, (o * n + i) * inner + q, keys[i].i);
		}
	free(keys);
	return MLCC_OK;
}
