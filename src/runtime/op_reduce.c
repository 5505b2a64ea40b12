/*
** op_reduce.c -- reductions over axes: reduce_sum, reduce_mean,
** reduce_max, reduce_min, reduce_prod, reduce_sum_square, reduce_l1_norm,
** reduce_l2_norm, reduce_log_sum, reduce_log_sum_exp; and reduce_argmax /
** reduce_argmin (int32 indices, the first on ties, as numpy).
**
** Parameters: 'axes' (absent: every axis), 'keep_dims' (default false);
** the arg reductions take one 'axis' (default -1).  Accumulation is in
** double, in input order; the result is rounded once to the input's type
** (integers: truncated).  reduce_log_sum_exp subtracts the maximum first.
*/
#include <math.h>
#include <string.h>

#include "runtime/op.h"

enum red { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD, R_SUMSQ, R_L1, R_L2, R_LOGSUM, R_LSE, R_COUNT };

static const char *const red_names[R_COUNT] = {
	"reduce_sum",	  "reduce_mean",       "reduce_max",	 "reduce_min",
	"reduce_prod",	  "reduce_sum_square", "reduce_l1_norm", "reduce_l2_norm",
	"reduce_log_sum", "reduce_log_sum_exp"};

/* The output shape of reducing 'x' over 'drop' axes, and the output
** element strides per input axis (0 on reduced axes). */
static void reduced_layout(const struct rt_value *x, const bool *drop, bool keep, int *rank,
			   int64_t *shape, int64_t *ostride)
{
	int64_t full[RT_MAX_RANK], s = 1;
	int r = 0;

	for (int i = 0; i < x->rank; i++) {
		full[i] = drop[i] ? 1 : x->shape[i];
		if (!drop[i] || keep)
			shape[r++] = full[i];
	}
	for (int i = x->rank - 1; i >= 0; i--) {
		ostride[i] = drop[i] ? 0 : s;
		s *= full[i];
	}
	*rank = r;
}

/* Multi-index stepping over 'x'; returns the output offset of element i
** (called for i = 0, 1, ... in order). */
struct walk {
	int64_t idx[RT_MAX_RANK];
	size_t off;
};

static void walk_next(struct walk *w, const struct rt_value *x, const int64_t *ostride)
{
	for (int i = x->rank - 1; i >= 0; i--) {
		w->off += (size_t)ostride[i];
		if (++w->idx[i] < x->shape[i])
			return;
		w->off -= (size_t)ostride[i] * (size_t)x->shape[i];
		w->idx[i] = 0;
	}
}

static int red_axes(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		    const struct rt_value *x, bool *drop)
{
	int64_t axes[RT_MAX_RANK];
	size_t n;
	int rc, a;

	if ((rc = rt_ints(ctx, op, in, "axes", true, axes, RT_MAX_RANK, &n)) != MLCC_OK)
		return rc;
	for (int i = 0; i < x->rank; i++)
		drop[i] = n == 0 || rt_arg(op, in, "axes") == NULL;
	for (size_t i = 0; i < n; i++) {
		if ((rc = rt_axis(ctx, op, axes[i], x->rank, &a)) != MLCC_OK)
			return rc;
		drop[a] = true;
	}
	return MLCC_OK;
}

int rt_op_reduce(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value *x;
	bool drop[RT_MAX_RANK], keep;
	int64_t shape[RT_MAX_RANK], ost[RT_MAX_RANK];
	int rank, rc, o = -1;
	double *acc, *mx = NULL;
	struct walk w = {{0}, 0};

	for (int i = 0; i < R_COUNT; i++)
		if (strcmp(op->op->type, red_names[i]) == 0)
			o = i;
	if (o < 0)
		return rt_fail(ctx, op, MLCC_E_INTERNAL, "not a reduction");
	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "keep_dims", true, false, &keep)) != MLCC_OK ||
	    (rc = red_axes(ctx, op, in, x, drop)) != MLCC_OK)
		return rc;
	reduced_layout(x, drop, keep, &rank, shape, ost);
	if ((rc = rt_alloc(ctx, op, out, x->dtype, rank, shape)) != MLCC_OK)
		return rc;
	acc = calloc(out->count + 1, sizeof *acc);
	if (o == R_LSE)
		mx = calloc(out->count + 1, sizeof *mx);
	if (acc == NULL || (o == R_LSE && mx == NULL)) {
		free(acc);
		free(mx);
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < out->count; i++) {
		acc[i] = o == R_PROD ? 1 : o == R_MAX ? -INFINITY : o == R_MIN ? INFINITY : 0;
		if (mx)
			mx[i] = -INFINITY;
	}
	bool fl = rt_is_float(x->dtype);
	if (mx)
		for (size_t i = 0; i < x->count; i++, walk_next(&w, x, ost)) {
			double v = rt_getf(x, i);
			if (v > mx[w.off])
				mx[w.off] = v;
		}
	memset(&w, 0, sizeof w);
	for (size_t i = 0; i < x->count; i++, walk_next(&w, x, ost)) {
		double v = fl ? rt_getf(x, i) : (double)rt_geti(x, i), *a = &acc[w.off];
		switch (o) {
		case R_MAX: *a = v > *a ? v : *a; break;
		case R_MIN: *a = v < *a ? v : *a; break;
		case R_PROD: *a *= v; break;
		case R_SUMSQ:
		case R_L2: *a += v * v; break;
		case R_L1: *a += fabs(v); break;
		case R_LSE: *a += exp(v - mx[w.off]); break;
		default: *a += v;
		}
	}
	size_t per = out->count ? x->count / out->count : 0;
	for (size_t i = 0; i < out->count; i++) {
		double v = acc[i];
		if (o == R_MEAN)
			v = per ? v / (double)per : NAN;
		else if (o == R_L2)
			v = sqrt(v);
		else if (o == R_LOGSUM)
			v = log(v);
		else if (o == R_LSE)
			v = log(v) + mx[i];
		if (fl)
			rt_setf(out, i, (float)v);
		else
			rt_seti(out, i, (int64_t)v);
	}
	free(acc);
	free(mx);
	return MLCC_OK;
}

int rt_op_arg_reduce(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     struct rt_value *out)
{
	struct rt_value *x;
	bool drop[RT_MAX_RANK] = {false}, keep, is_max = strcmp(op->op->type, "reduce_argmax") == 0;
	int64_t axis, shape[RT_MAX_RANK], ost[RT_MAX_RANK];
	int rank, rc, a;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, -1, &axis)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "keep_dims", true, false, &keep)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &a)) != MLCC_OK)
		return rc;
	drop[a] = true;
	reduced_layout(x, drop, keep, &rank, shape, ost);
	if ((rc = rt_alloc(ctx, op, out, DT_INT32, rank, shape)) != MLCC_OK)
		return rc;
	size_t d = (size_t)x->shape[a], inner = rt_shape_count(x->rank - a - 1, x->shape + a + 1);
	size_t outer = d && inner ? x->count / (d * inner) : 0;
	bool fl = rt_is_float(x->dtype);
	for (size_t o = 0; o < outer; o++)
		for (size_t k = 0; k < inner; k++) {
			size_t best = 0;
			double bv = 0;
			for (size_t j = 0; j < d; j++) {
				size_t i = (o * d + j) * inner + k;
				double v = fl ? rt_getf(x, i) : (double)rt_geti(x, i);
				if (j == 0 || (is_max ? v > bv : v < bv) ||
				    (isnan(v) && !isnan(bv))) {
					best = j;
					bv = v;
				}
			}
			((int32_t *)out->data)[o * inner + k] = (int32_t)best;
		}
	return MLCC_OK;
}
