/*
** op_softmax.c -- softmax along one axis, and scaled_dot_product_attention
** (iOS18): softmax(Q K^T / sqrt(E) + mask) V over the last two dimensions,
** leading dimensions broadcast; a bool mask keeps the positions where it
** is true (others get -inf), a float mask is added.
**
** Numeric rule: fp32 throughout one op (max subtracted before exp, sums
** in fp32 in index order), the result rounded once to the output type.
*/
#include <math.h>
#include <string.h>

#include "runtime/op.h"

/* In-place softmax of n floats with stride 's'. */
static void softmax_run(float *v, size_t n, size_t s)
{
	float mx = -INFINITY, sum = 0;

	for (size_t i = 0; i < n; i++)
		mx = v[i * s] > mx ? v[i * s] : mx;
	for (size_t i = 0; i < n; i++) {
		v[i * s] = expf(v[i * s] - mx);
		sum += v[i * s];
	}
	for (size_t i = 0; i < n; i++)
		v[i * s] /= sum;
}

int rt_op_softmax(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *x;
	int64_t axis;
	float *f;
	int rc, a;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, -1, &axis)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &a)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	if ((f = rt_to_f32(ctx, op, x)) == NULL)
		return MLCC_E_NOMEM;
	size_t d = x->rank ? (size_t)x->shape[a] : 1;
	size_t inner = rt_shape_count(x->rank - a - 1, x->shape + a + 1);
	size_t outer = d * inner > 0 ? x->count / (d * inner) : 0;
	for (size_t o = 0; o < outer; o++)
		for (size_t k = 0; k < inner; k++)
			softmax_run(f + o * d * inner + k, d, inner);
	rt_from_f32(out, f);
	free(f);
	return MLCC_OK;
}

/* Offset (in matrices) of batch 'idx' of 'v' broadcast to 'rank' batch dims. */
static size_t batch_of(const struct rt_value *v, int rank, const int64_t *idx)
{
	struct rt_value b = *v;

	b.rank = v->rank - 2 > 0 ? v->rank - 2 : 0;
	return rt_bcast_index(&b, rank, idx);
}

int rt_op_sdpa(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *q, *k, *v, *m;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "query", &q)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "key", &k)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "value", &v)) != MLCC_OK)
		return rc;
	m = rt_arg(op, in, "attn_mask");
	if (q->rank < 2 || k->rank != q->rank || v->rank != q->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "query, key and value need one rank >= 2");
	int r = q->rank;
	size_t L = (size_t)q->shape[r - 2], E = (size_t)q->shape[r - 1];
	size_t S = (size_t)k->shape[r - 2], Ev = (size_t)v->shape[r - 1];
	if ((size_t)k->shape[r - 1] != E || (size_t)v->shape[r - 2] != S)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "key/value shapes do not match the query");
	struct rt_value qb = *q, kb = *k;
	int64_t bshape[RT_MAX_RANK], shape[RT_MAX_RANK];
	int brank;
	qb.rank = kb.rank = r - 2;
	if ((rc = rt_broadcast(ctx, op, &qb, &kb, &brank, bshape)) != MLCC_OK)
		return rc;
	if (m && m->rank > brank + 2)
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "attn_mask has a higher rank than the scores");
	memcpy(shape, bshape, sizeof bshape);
	shape[brank] = (int64_t)L;
	shape[brank + 1] = (int64_t)Ev;
	if ((rc = rt_alloc(ctx, op, out, q->dtype, brank + 2, shape)) != MLCC_OK)
		return rc;
	float *Q = rt_to_f32(ctx, op, q), *K = rt_to_f32(ctx, op, k), *V = rt_to_f32(ctx, op, v);
	float *W = malloc(L * S * sizeof *W + 1), *O = malloc(out->count * sizeof *O + 1);
	if (!Q || !K || !V || !W || !O) {
		rc = rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
		goto out;
	}
	float scale = 1.0f / sqrtf((float)E);
	size_t nb = rt_shape_count(brank, bshape);
	int64_t idx[RT_MAX_RANK] = {0};
	for (size_t b = 0; b < nb; b++) {
		const float *qm = Q + batch_of(q, brank, idx) * L * E;
		const float *km = K + batch_of(k, brank, idx) * S * E;
		const float *vm = V + batch_of(v, brank, idx) * S * Ev;
		k_gemm_f32(ctx->pool, L, S, E, qm, E, km, E, 1, W, S);
		for (size_t i = 0; i < L; i++) {
			for (size_t j = 0; j < S; j++) {
				float *w = &W[i * S + j];
				*w *= scale;
				if (m) {
					/* the mask broadcasts against [batch..., L, S] */
					int64_t mi[RT_MAX_RANK + 2];
					memcpy(mi, idx, sizeof idx);
					mi[brank] = (int64_t)i;
					mi[brank + 1] = (int64_t)j;
					size_t o = rt_bcast_index(m, brank + 2, mi);
					if (m->dtype == DT_BOOL)
						*w = rt_geti(m, o) ? *w : -INFINITY;
					else
						*w += rt_getf(m, o);
				}
			}
			softmax_run(W + i * S, S, 1);
		}
		k_gemm_f32(ctx->pool, L, Ev, S, W, S, vm, Ev, 0, O + b * L * Ev, Ev);
		for (int i = brank - 1; i >= 0; i--) {
			if (++idx[i] < bshape[i])
				break;
			idx[i] = 0;
		}
	}
	rt_from_f32(out, O);
out:
	free(Q);
	free(K);
	free(V);
	free(W);
	free(O);
	return rc;
}
