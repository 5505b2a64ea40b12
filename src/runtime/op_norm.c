/*
** op_norm.c -- normalisations: layer_norm (over any 'axes', optional
** gamma/beta in the row-major layout of those axes), batch_norm (per channel, axis 1, with given
*mean and
** variance), instance_norm (per sample and channel over the spatial
** dimensions), l2_norm (over the last three dimensions, or all of them
** for rank < 3: x / sqrt(max(sum x^2, epsilon))).
**
** Numeric rule: mean and variance are accumulated in double over fp32
** values (two passes: mean, then squared deviations -- the population
** variance), the normalised value is computed in fp32 and rounded once
** to the input's type.  ANEMLL's RMS norm (layer_norm of concat(x, -x))
** relies on exactly this: mean 0, variance mean(x^2).
*/
#include <math.h>
#include <string.h>

#include "runtime/op.h"

/* One group v[0, inner) normalised in place (the numeric rule above),
** then scaled by gamma[i] and shifted by beta[i] (either may be NULL). */
static void norm_group(float *v, size_t inner, const struct rt_value *gamma,
		       const struct rt_value *beta, float eps, bool l2)
{
	double mean = 0, var = 0;

	if (!l2) {
		for (size_t i = 0; i < inner; i++)
			mean += v[i];
		mean /= (double)inner;
	}
	for (size_t i = 0; i < inner; i++)
		var += ((double)v[i] - mean) * ((double)v[i] - mean);
	float scale = l2 ? 1.0f / sqrtf(fmaxf((float)var, eps))
			 : 1.0f / sqrtf((float)(var / (double)inner) + eps);
	for (size_t i = 0; i < inner; i++) {
		float y = (v[i] - (float)mean) * scale;
		if (gamma)
			y *= rt_getf(gamma, i);
		if (beta)
			y += rt_getf(beta, i);
		v[i] = y;
	}
}

/* Normalise 'x' in groups of 'inner' consecutive elements (outer groups),
** then scale by gamma[i % inner] and shift by beta (either may be NULL);
** 'l2' selects the l2_norm formula. */
static int normalise(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *x,
		     size_t inner, const struct rt_value *gamma, const struct rt_value *beta,
		     float eps, bool l2, struct rt_value *out)
{
	float *f;
	int rc;

	if ((gamma && gamma->count != inner) || (beta && beta->count != inner))
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "gamma/beta do not match the normalised "
			       "shape");
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	if ((f = rt_to_f32(ctx, op, x)) == NULL)
		return MLCC_E_NOMEM;
	size_t outer = inner ? x->count / inner : 0;
	for (size_t o = 0; o < outer; o++)
		norm_group(f + o * inner, inner, gamma, beta, eps, l2);
	rt_from_f32(out, f);
	free(f);
	return MLCC_OK;
}

/* layer_norm over any set of axes 'on' (inner = the product of their
** sizes): each group -- the elements sharing their coordinates on the other
** axes -- is gathered in row-major order of the normalised axes (the
** layout of gamma and beta), normalised as a trailing group is, and put
** back. */
static int normalise_axes(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *x,
			  const bool *on, size_t inner, const struct rt_value *gamma,
			  const struct rt_value *beta, float eps, struct rt_value *out)
{
	size_t stride[RT_MAX_RANK], instride[RT_MAX_RANK], outstride[RT_MAX_RANK];
	size_t outer = inner ? x->count / inner : 0, in_s = 1, out_s = 1;
	float *f, *g;
	size_t *pos;
	int rc;

	if ((gamma && gamma->count != inner) || (beta && beta->count != inner))
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "gamma/beta do not match the normalised shape");
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	size_t step = 1;
	for (int i = x->rank - 1; i >= 0; i--) {
		stride[i] = step;
		step *= (size_t)x->shape[i];
		instride[i] = on[i] ? in_s : 0;
		outstride[i] = on[i] ? 0 : out_s;
		if (on[i])
			in_s *= (size_t)x->shape[i];
		else
			out_s *= (size_t)x->shape[i];
	}
	f = rt_to_f32(ctx, op, x);
	g = f ? malloc(sizeof *g * (inner ? inner : 1)) : NULL;
	pos = g ? malloc(sizeof *pos * (x->count ? x->count : 1)) : NULL;
	if (!pos) {
		free(f);
		free(g);
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	}
	/* pos[o * inner + k]: the flat index of element k of group o */
	for (size_t i = 0; i < x->count; i++) {
		size_t o = 0, k = 0, r = i;
		for (int a = 0; a < x->rank; a++) {
			size_t c = r / stride[a];
			r %= stride[a];
			o += c * outstride[a];
			k += c * instride[a];
		}
		pos[o * inner + k] = i;
	}
	for (size_t o = 0; o < outer; o++) {
		for (size_t k = 0; k < inner; k++)
			g[k] = f[pos[o * inner + k]];
		norm_group(g, inner, gamma, beta, eps, false);
		for (size_t k = 0; k < inner; k++)
			f[pos[o * inner + k]] = g[k];
	}
	rt_from_f32(out, f);
	free(pos);
	free(g);
	free(f);
	return MLCC_OK;
}

int rt_op_layer_norm(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     struct rt_value *out)
{
	struct rt_value *x;
	int64_t axes[RT_MAX_RANK];
	bool on[RT_MAX_RANK] = {false};
	size_t n, inner = 1;
	float eps;
	int rc, a;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "axes", true, axes, RT_MAX_RANK, &n)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "epsilon", true, 1e-5f, &eps)) != MLCC_OK)
		return rc;
	if (rt_arg(op, in, "axes") == NULL)
		for (int i = 0; i < x->rank; i++)
			on[i] = true;
	for (size_t i = 0; i < n; i++) {
		if ((rc = rt_axis(ctx, op, axes[i], x->rank, &a)) != MLCC_OK)
			return rc;
		on[a] = true;
	}
	/* trailing axes: contiguous groups; any other set: gathered */
	bool seen = false, trailing = true;
	for (int i = 0; i < x->rank; i++) {
		if (on[i])
			inner *= (size_t)x->shape[i];
		else if (seen)
			trailing = false;
		seen |= on[i];
	}
	if (!trailing)
		return normalise_axes(ctx, op, x, on, inner, rt_arg(op, in, "gamma"),
				      rt_arg(op, in, "beta"), eps, out);
	return normalise(ctx, op, x, inner, rt_arg(op, in, "gamma"), rt_arg(op, in, "beta"), eps,
			 false, out);
}

int rt_op_instance_norm(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			struct rt_value *out)
{
	struct rt_value *x, *g, *b;
	float eps;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "epsilon", true, 1e-5f, &eps)) != MLCC_OK)
		return rc;
	if (x->rank < 3)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "x needs rank 3 or more");
	size_t C = (size_t)x->shape[1], inner = rt_shape_count(x->rank - 2, x->shape + 2);
	g = rt_arg(op, in, "gamma");
	b = rt_arg(op, in, "beta");
	if ((g && g->count != C) || (b && b->count != C))
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "gamma/beta do not match the channels");
	if ((rc = normalise(ctx, op, x, inner, NULL, NULL, eps, false, out)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < out->count && (g || b); i++) {
		size_t c = (i / inner) % C;
		float y = rt_getf(out, i) * (g ? rt_getf(g, c) : 1.0f) + (b ? rt_getf(b, c) : 0.0f);
		rt_setf(out, i, y);
	}
	return MLCC_OK;
}

int rt_op_batch_norm(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     struct rt_value *out)
{
	struct rt_value *x, *mean, *var, *g, *b;
	float eps;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "mean", &mean)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "variance", &var)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "epsilon", true, 1e-5f, &eps)) != MLCC_OK)
		return rc;
	if (x->rank < 2)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "x needs rank 2 or more");
	size_t C = (size_t)x->shape[1], inner = rt_shape_count(x->rank - 2, x->shape + 2);
	g = rt_arg(op, in, "gamma");
	b = rt_arg(op, in, "beta");
	if (mean->count != C || var->count != C || (g && g->count != C) || (b && b->count != C))
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "parameters do not match the channels");
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < x->count; i++) {
		size_t c = (i / (inner ? inner : 1)) % C;
		float y = (rt_getf(x, i) - rt_getf(mean, c)) / sqrtf(rt_getf(var, c) + eps);
		y = y * (g ? rt_getf(g, c) : 1.0f) + (b ? rt_getf(b, c) : 0.0f);
		rt_setf(out, i, y);
	}
	return MLCC_OK;
}

int rt_op_l2_norm(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *x;
	float eps;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "epsilon", true, 1e-6f, &eps)) != MLCC_OK)
		return rc;
	int from = x->rank >= 3 ? x->rank - 3 : 0;
	size_t inner = rt_shape_count(x->rank - from, x->shape + from);
	return normalise(ctx, op, x, inner, NULL, NULL, eps, true, out);
}
