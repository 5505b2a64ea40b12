/*
** op_linear.c -- matrix products: matmul (numpy batching and broadcast,
** transpose_x/transpose_y), linear (x W^T + b) and conv (1-3 spatial
** dimensions, strides, dilations, groups, pad_type valid/same/same_lower/
** custom, bias).
**
** Numeric rule: operands are widened to fp32 and multiplied by the
** kernels of kernels/kernels.h (fp32 accumulation in a fixed order), the
** bias added in fp32, the result rounded once to the output type (x's).
** Weights stay in their storage: fp16 weights go to k_gemm_f16w, and a
** weight coming straight from a palettized constexpr_lut_to_dense (one
** palette per group of output rows) goes to k_gemm_lut on the packed
** indices -- never materialised.  conv computes the 1x1 stride-1 unpadded
** case (ANEMLL's projections) as one product, anything else through an
** im2col buffer.
*/
#include <string.h>

#include "runtime/op.h"

/* A malloc'd float buffer of a x b elements (error recorded on overflow or
** when out of memory). */
static float *fbuf(struct rt_ctx *ctx, const struct rt_op *op, size_t a, size_t b)
{
	float *f = NULL;

	if ((b == 0 || a <= SIZE_MAX / sizeof *f / b) && (f = malloc(a * b * sizeof *f + 1)))
		return f;
	rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory (%zu x %zu floats)", a, b);
	return NULL;
}

/* A weight matrix W[N x K] in whichever form a product can use. */
struct weight {
	enum { W_F32, W_F16, W_LUT } kind;
	const float *f32;
	float *owned; /* f32 converted here, freed by weight_free */
	const uint16_t *f16;
	struct k_lut lut;
};

/* Prepare 'v' (N rows of K) as a product weight. */
static int weight_get(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value *v, size_t N,
		      size_t K, struct weight *w)
{
	int rc;

	memset(w, 0, sizeof *w);
	if (v->lazy && rt_lut_weight(v, N, K, &w->lut)) {
		w->kind = W_LUT;
		return MLCC_OK;
	}
	if ((rc = rt_need(ctx, op, v)) != MLCC_OK)
		return rc;
	if (v->count != N * K)
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "weight has %zu elements, expected %zu x %zu", v->count, N, K);
	if (v->dtype == DT_FP16 && !(v->flags & RT_PACKED)) {
		w->kind = W_F16;
		w->f16 = v->data;
		return MLCC_OK;
	}
	w->kind = W_F32;
	if (v->dtype == DT_FP32) {
		w->f32 = v->data;
		return MLCC_OK;
	}
	if ((w->owned = rt_to_f32(ctx, op, v)) == NULL)
		return MLCC_E_NOMEM;
	w->f32 = w->owned;
	return MLCC_OK;
}

static void weight_free(struct weight *w)
{
	free(w->owned);
}

/* C[M x N] = A[M x K] * W^T, W in any form; 'rows' selects W's rows
** [row0, row0 + N) (conv groups). */
static void gemm_w(struct rt_ctx *ctx, size_t M, size_t N, size_t K, const float *A,
		   const struct weight *w, size_t row0, float *C)
{
	switch (w->kind) {
	case W_LUT: {
		struct k_lut l = w->lut;
		MLCC_ASSERT(row0 == 0 && N == l.N);
		(void)row0;
		k_gemm_lut(ctx->pool, M, A, K, &l, C, N);
		return;
	}
	case W_F16: k_gemm_f16w(ctx->pool, M, N, K, A, K, w->f16 + row0 * K, K, C, N); return;
	case W_F32: k_gemm_f32(ctx->pool, M, N, K, A, K, w->f32 + row0 * K, K, 1, C, N); return;
	}
}

/* The bias (N values) as floats, or NULL when absent (error recorded
** when it does not fit). */
static int bias_get(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, size_t N,
		    float **bias)
{
	struct rt_value *b = rt_arg(op, in, "bias");

	*bias = NULL;
	if (b == NULL)
		return MLCC_OK;
	if (b->count != N)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "bias has %zu elements, expected %zu",
			       b->count, N);
	if ((*bias = rt_to_f32(ctx, op, b)) == NULL)
		return MLCC_E_NOMEM;
	return MLCC_OK;
}

/* ---- linear --------------------------------------------------------------- */

int rt_op_linear(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value *x, *wv;
	struct weight w;
	float *A = NULL, *C = NULL, *bias = NULL;
	int64_t shape[RT_MAX_RANK];
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need(ctx, op, x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "weight", &wv)) != MLCC_OK)
		return rc;
	if (x->rank < 1 || wv->rank != 2 || wv->shape[1] != x->shape[x->rank - 1])
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "weight does not match x");
	size_t K = (size_t)wv->shape[1], N = (size_t)wv->shape[0], M = K ? x->count / K : 0;
	memcpy(shape, x->shape, sizeof shape);
	shape[x->rank - 1] = (int64_t)N;
	if ((rc = weight_get(ctx, op, wv, N, K, &w)) != MLCC_OK)
		return rc;
	if ((rc = bias_get(ctx, op, in, N, &bias)) != MLCC_OK)
		goto out;
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		goto out;
	A = rt_to_f32(ctx, op, x);
	C = fbuf(ctx, op, M, N);
	if (A == NULL || C == NULL) {
		rc = MLCC_E_NOMEM;
		goto out;
	}
	gemm_w(ctx, M, N, K, A, &w, 0, C);
	if (bias)
		for (size_t m = 0; m < M; m++)
			for (size_t n = 0; n < N; n++)
				C[m * N + n] += bias[n];
	rt_from_f32(out, C);
out:
	weight_free(&w);
	free(A);
	free(C);
	free(bias);
	return rc;
}

/* ---- matmul ----------------------------------------------------------------- */

/* 'v' as a float matrix batch, transposed in its last two dims when 't'. */
static float *as_matrix(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *v,
			bool t)
{
	float *f = rt_to_f32(ctx, op, v), *g;
	size_t R, Cn, B;

	if (f == NULL || !t || v->rank < 2)
		return f;
	R = (size_t)v->shape[v->rank - 2];
	Cn = (size_t)v->shape[v->rank - 1];
	B = R * Cn > 0 ? v->count / (R * Cn) : 0;
	if ((g = malloc(v->count * sizeof *g + 1)) == NULL) {
		free(f);
		rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
		return NULL;
	}
	for (size_t b = 0; b < B; b++)
		for (size_t i = 0; i < R; i++)
			for (size_t j = 0; j < Cn; j++)
				g[b * R * Cn + j * R + i] = f[b * R * Cn + i * Cn + j];
	free(f);
	return g;
}

int rt_op_matmul(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value *x, *y;
	bool tx, ty;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "y", &y)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "transpose_x", true, false, &tx)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "transpose_y", true, false, &ty)) != MLCC_OK)
		return rc;
	if (x->rank < 1 || y->rank < 1)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "matmul of a scalar");
	/* numpy: a rank-1 x is a row [1, K], a rank-1 y a column [K, 1]; the
	** added dimension is removed from the result. */
	struct rt_value xm = *x, ym = *y;
	if (x->rank == 1) {
		xm.rank = 2;
		xm.shape[0] = 1;
		xm.shape[1] = x->shape[0];
		tx = false;
	}
	if (y->rank == 1) {
		ym.rank = 2;
		ym.shape[0] = y->shape[0];
		ym.shape[1] = 1;
		ty = false;
	}
	size_t M = (size_t)xm.shape[xm.rank - (tx ? 1 : 2)],
	       K = (size_t)xm.shape[xm.rank - (tx ? 2 : 1)];
	size_t K2 = (size_t)ym.shape[ym.rank - (ty ? 1 : 2)],
	       N = (size_t)ym.shape[ym.rank - (ty ? 2 : 1)];
	if (K != K2)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "inner dimensions differ (%zu vs %zu)", K,
			       K2);
	struct rt_value xb = xm, yb = ym;
	int64_t bshape[RT_MAX_RANK], shape[RT_MAX_RANK];
	int brank, r = 0;
	xb.rank = xm.rank - 2;
	yb.rank = ym.rank - 2;
	if ((rc = rt_broadcast(ctx, op, &xb, &yb, &brank, bshape)) != MLCC_OK)
		return rc;
	for (int i = 0; i < brank; i++)
		shape[r++] = bshape[i];
	if (x->rank > 1)
		shape[r++] = (int64_t)M;
	if (y->rank > 1)
		shape[r++] = (int64_t)N;
	if ((rc = rt_alloc(ctx, op, out, x->dtype, r, shape)) != MLCC_OK)
		return rc;
	float *A = as_matrix(ctx, op, &xm, tx), *B = as_matrix(ctx, op, &ym, ty);
	float *C = fbuf(ctx, op, M, N);
	size_t nb = rt_shape_count(brank, bshape);
	if (A == NULL || B == NULL || C == NULL) {
		free(A);
		free(B);
		free(C);
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
	}
	int64_t idx[RT_MAX_RANK] = {0};
	for (size_t b = 0; b < nb; b++) {
		size_t ia = rt_bcast_index(&xb, brank, idx), ib = rt_bcast_index(&yb, brank, idx);
		k_gemm_f32(ctx->pool, M, N, K, A + ia * M * K, K, B + ib * K * N, N, 0, C, N);
		struct rt_value part = *out;
		part.data = (char *)out->data + b * M * N * dtype_mem_size(out->dtype);
		part.count = M * N;
		rt_from_f32(&part, C);
		for (int i = brank - 1; i >= 0; i--) {
			if (++idx[i] < bshape[i])
				break;
			idx[i] = 0;
		}
	}
	free(A);
	free(B);
	free(C);
	return MLCC_OK;
}

/* ---- conv ---------------------------------------------------------------------- */

struct conv_geom {
	int ns;				    /* spatial dimensions (1..3) */
	int64_t in[3], k[3], out[3];	    /* sizes, padded to 3 with 1 */
	int64_t stride[3], dil[3], pad0[3]; /* pad0: padding before */
	int64_t groups;
};

static int conv_geometry(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			 const struct rt_value *x, const struct rt_value *w, struct conv_geom *g)
{
	int64_t v[6];
	size_t n;
	const char *pt;
	int rc;

	g->ns = x->rank - 2;
	if (g->ns < 1 || g->ns > 3 || w->rank != x->rank)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "conv of rank %d", x->rank);
	if ((rc = rt_int(ctx, op, in, "groups", true, 1, &g->groups)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "pad_type", "valid", &pt)) != MLCC_OK)
		return rc;
	for (int i = 0; i < 3; i++) {
		g->in[i] = i < g->ns ? x->shape[2 + i] : 1;
		g->k[i] = i < g->ns ? w->shape[2 + i] : 1;
		g->stride[i] = g->dil[i] = 1;
		g->pad0[i] = 0;
	}
	if ((rc = rt_ints(ctx, op, in, "strides", true, v, 3, &n)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < n && (int)i < g->ns; i++)
		g->stride[i] = v[i];
	if ((rc = rt_ints(ctx, op, in, "dilations", true, v, 3, &n)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < n && (int)i < g->ns; i++)
		g->dil[i] = v[i];
	if ((rc = rt_ints(ctx, op, in, "pad", true, v, 6, &n)) != MLCC_OK)
		return rc;
	for (int i = 0; i < g->ns; i++) {
		int64_t ek = (g->k[i] - 1) * g->dil[i] + 1, pb = 0, pe = 0;
		if (g->stride[i] < 1 || g->dil[i] < 1)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "invalid strides or dilations");
		if (strcmp(pt, "custom") == 0 && n == (size_t)(2 * g->ns)) {
			pb = v[2 * i];
			pe = v[2 * i + 1];
		} else if (strcmp(pt, "same") == 0 || strcmp(pt, "same_lower") == 0) {
			int64_t o = (g->in[i] + g->stride[i] - 1) / g->stride[i];
			int64_t total = (o - 1) * g->stride[i] + ek - g->in[i];
			total = total < 0 ? 0 : total;
			pb = strcmp(pt, "same") == 0 ? total / 2 : (total + 1) / 2;
			pe = total - pb;
		} else if (strcmp(pt, "valid") != 0 && strcmp(pt, "custom") != 0) {
			return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "pad_type '%s'", pt);
		}
		g->pad0[i] = pb;
		g->out[i] = (g->in[i] + pb + pe - ek) / g->stride[i] + 1;
		if (g->in[i] + pb + pe < ek)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "kernel larger than the input");
	}
	for (int i = g->ns; i < 3; i++)
		g->out[i] = 1;
	return MLCC_OK;
}

/* im2col for batch n, group gi: A[P x Kc] with P output positions and
** Kc = cin_g * kernel elements (the weight's row layout). */
static void im2col(const float *X, const struct conv_geom *g, size_t cin_g, size_t gi, size_t cin,
		   size_t n, float *A)
{
	size_t P = (size_t)(g->out[0] * g->out[1] * g->out[2]);
	size_t KK = (size_t)(g->k[0] * g->k[1] * g->k[2]), Kc = cin_g * KK;
	size_t plane = (size_t)(g->in[0] * g->in[1] * g->in[2]);

	for (size_t p = 0; p < P; p++) {
		int64_t o2 = (int64_t)p % g->out[2], o1 = ((int64_t)p / g->out[2]) % g->out[1],
			o0 = (int64_t)p / (g->out[2] * g->out[1]);
		for (size_t c = 0; c < cin_g; c++) {
			const float *xc = X + (n * cin + gi * cin_g + c) * plane;
			for (size_t kk = 0; kk < KK; kk++) {
				int64_t k2 = (int64_t)kk % g->k[2],
					k1 = ((int64_t)kk / g->k[2]) % g->k[1],
					k0 = (int64_t)kk / (g->k[2] * g->k[1]);
				int64_t i0 = o0 * g->stride[0] - g->pad0[0] + k0 * g->dil[0];
				int64_t i1 = o1 * g->stride[1] - g->pad0[1] + k1 * g->dil[1];
				int64_t i2 = o2 * g->stride[2] - g->pad0[2] + k2 * g->dil[2];
				bool in = i0 >= 0 && i0 < g->in[0] && i1 >= 0 && i1 < g->in[1] &&
					  i2 >= 0 && i2 < g->in[2];
				A[p * Kc + c * KK + kk] =
					in ? xc[(i0 * g->in[1] + i1) * g->in[2] + i2] : 0.0f;
			}
		}
	}
}

int rt_op_conv(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *x, *wv;
	struct conv_geom g;
	struct weight w = {0};
	float *X = NULL, *A = NULL, *C = NULL, *Y = NULL, *bias = NULL;
	int64_t shape[RT_MAX_RANK];
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need(ctx, op, x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "weight", &wv)) != MLCC_OK ||
	    (rc = conv_geometry(ctx, op, in, x, wv, &g)) != MLCC_OK)
		return rc;
	size_t N = (size_t)x->shape[0], cin = (size_t)x->shape[1], cout = (size_t)wv->shape[0];
	size_t groups = (size_t)g.groups, cin_g = (size_t)wv->shape[1];
	size_t KK = (size_t)(g.k[0] * g.k[1] * g.k[2]), Kc = cin_g * KK;
	size_t P = (size_t)(g.out[0] * g.out[1] * g.out[2]);
	if (groups < 1 || cin != cin_g * groups || cout % groups != 0)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "channels do not match the weight/groups");
	size_t cout_g = cout / groups;
	/* the fused palettized product covers all rows: one group only */
	if (groups != 1 && (rc = rt_need(ctx, op, wv)) != MLCC_OK)
		return rc;
	if ((rc = weight_get(ctx, op, wv, cout, Kc, &w)) != MLCC_OK)
		return rc;
	if ((rc = bias_get(ctx, op, in, cout, &bias)) != MLCC_OK)
		goto out;
	shape[0] = (int64_t)N;
	shape[1] = (int64_t)cout;
	for (int i = 0; i < g.ns; i++)
		shape[2 + i] = g.out[i];
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		goto out;
	X = rt_to_f32(ctx, op, x);
	A = fbuf(ctx, op, P, Kc);
	C = fbuf(ctx, op, P, cout_g);
	Y = fbuf(ctx, op, out->count, 1);
	if (!X || !A || !C || !Y) {
		rc = MLCC_E_NOMEM;
		goto out;
	}
	for (size_t n = 0; n < N; n++)
		for (size_t gi = 0; gi < groups; gi++) {
			im2col(X, &g, cin_g, gi, cin, n, A);
			gemm_w(ctx, P, cout_g, Kc, A, &w, gi * cout_g, C);
			for (size_t co = 0; co < cout_g; co++) {
				size_t oc = gi * cout_g + co;
				float b = bias ? bias[oc] : 0.0f;
				for (size_t p = 0; p < P; p++)
					Y[(n * cout + oc) * P + p] = C[p * cout_g + co] + b;
			}
		}
	rt_from_f32(out, Y);
out:
	weight_free(&w);
	free(X);
	free(A);
	free(C);
	free(Y);
	free(bias);
	return rc;
}
