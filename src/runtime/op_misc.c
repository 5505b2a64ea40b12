/*
** op_misc.c -- einsum (two operands, the forms coremltools emits: every
** index letter once per operand, each either a batch index (both operands
** and the output), a free index of one operand (and the output) or a
** contracted index (both operands, not the output)), reverse,
** space_to_depth / depth_to_space / pixel_shuffle, flatten2d, prelu,
** fill_like, reverse_sequence, local_response_norm, sliding_windows,
** threshold, softplus_parametric, crop.
**
** einsum permutes both operands to [batch, M, K] and [batch, K, N] float
** matrices, multiplies each batch with k_gemm_f32 and rounds the result
** once while permuting it to the output order.  The data-movement ops copy
** elements exactly; prelu computes in float and rounds once.
*/
#include <math.h>
#include <string.h>

#include "runtime/ops2.h"

/* ---- einsum --------------------------------------------------------------------- */

#define EIN_MAX RT_MAX_RANK

struct ein_term {
	int n;
	char l[EIN_MAX + 1];
};

/* Parse "ab,bc->ac" into three terms; false when not of that form. */
static bool ein_parse(const char *eq, struct ein_term t[3])
{
	int k = 0;

	memset(t, 0, 3 * sizeof *t);
	for (const char *p = eq; *p; p++) {
		if (*p == ' ')
			continue;
		if (*p == ',' && k == 0) {
			k = 1;
		} else if (*p == '-' && p[1] == '>' && k == 1) {
			k = 2;
			p++;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
			if (t[k].n == EIN_MAX || strchr(t[k].l, *p))
				return false;
			t[k].l[t[k].n++] = *p;
		} else {
			return false;
		}
	}
	return k == 2;
}

/* Copy 'src' (letters 't', shape 'shape') into 'dst' in the letter order
** 'order' (every letter of 't'). */
static void ein_permute(const float *src, const struct ein_term *t, const int64_t *shape,
			const char *order, float *dst, size_t count)
{
	size_t stride[EIN_MAX], ostride[EIN_MAX], s = 1;
	int64_t odim[EIN_MAX], idx[EIN_MAX] = {0};
	int n = t->n;

	for (int i = n - 1; i >= 0; i--) {
		stride[i] = s;
		s *= (size_t)shape[i];
	}
	for (int i = 0; i < n; i++) {
		int j = (int)(strchr(t->l, order[i]) - t->l);
		ostride[i] = stride[j];
		odim[i] = shape[j];
	}
	for (size_t e = 0; e < count; e++) {
		size_t off = 0;
		for (int i = 0; i < n; i++)
			off += (size_t)idx[i] * ostride[i];
		dst[e] = src[off];
		for (int i = n - 1; i >= 0; i--) {
			if (++idx[i] < odim[i])
				break;
			idx[i] = 0;
		}
	}
}

/* Size of letter 'c' in the operands (0 when absent). */
static int64_t ein_size(char c, const struct ein_term *t, struct rt_value *const *v)
{
	for (int k = 0; k < 2; k++) {
		const char *p = strchr(t[k].l, c);
		if (p && *p)
			return v[k]->shape[p - t[k].l];
	}
	return 0;
}

int rt_op_einsum(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value **v;
	struct ein_term t[3];
	const char *eq;
	char ab[3 * EIN_MAX + 3] = "", bb[3 * EIN_MAX + 3] = "", cb[3 * EIN_MAX + 3] = "";
	char bat[EIN_MAX + 1] = "", m[EIN_MAX + 1] = "", n[EIN_MAX + 1] = "", k[EIN_MAX + 1] = "";
	size_t nb = 1, nm = 1, nn = 1, nk = 1;
	int64_t shape[RT_MAX_RANK], cshape[RT_MAX_RANK];
	float *af = NULL, *bf = NULL, *a2 = NULL, *b2 = NULL, *c2 = NULL, *cf = NULL;
	int rc;

	if ((rc = rt_str(ctx, op, in, "equation", NULL, &eq)) != MLCC_OK)
		return rc;
	if (rt_args(op, in, "values", &v) != 2 || !ein_parse(eq, t) || t[0].n != v[0]->rank ||
	    t[1].n != v[1]->rank)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED,
			       "einsum '%s' is not supported (two operands, letters once each)",
			       eq);
	for (int i = 0; i < t[0].n + t[1].n; i++) {
		char c = i < t[0].n ? t[0].l[i] : t[1].l[i - t[0].n];
		bool ina = strchr(t[0].l, c), inb = strchr(t[1].l, c), ino = strchr(t[2].l, c);
		char *dst = ina && inb ? (ino ? bat : k) : ino ? (ina ? m : n) : NULL;
		if (dst == NULL)
			return rt_fail(ctx, op, MLCC_E_UNSUPPORTED,
				       "einsum '%s': index '%c' is summed in one operand only", eq,
				       c);
		if (ina && inb && ein_size(c, t, v) != v[1]->shape[strchr(t[1].l, c) - t[1].l])
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "einsum '%s': sizes of '%c' differ",
				       eq, c);
		if (!strchr(dst, c))
			dst[strlen(dst)] = c;
	}
	for (int i = 0; i < t[2].n; i++)
		if (!strchr(t[0].l, t[2].l[i]) && !strchr(t[1].l, t[2].l[i]))
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "einsum '%s': unknown output index",
				       eq);
	for (const char *p = bat; *p; p++)
		nb *= (size_t)ein_size(*p, t, v);
	for (const char *p = m; *p; p++)
		nm *= (size_t)ein_size(*p, t, v);
	for (const char *p = n; *p; p++)
		nn *= (size_t)ein_size(*p, t, v);
	for (const char *p = k; *p; p++)
		nk *= (size_t)ein_size(*p, t, v);
	snprintf(ab, sizeof ab, "%s%s%s", bat, m, k);
	snprintf(bb, sizeof bb, "%s%s%s", bat, k, n);
	snprintf(cb, sizeof cb, "%s%s%s", bat, m, n);
	for (int i = 0; i < t[2].n; i++)
		shape[i] = ein_size(t[2].l[i], t, v);
	for (int i = 0; cb[i]; i++)
		cshape[i] = ein_size(cb[i], t, v);
	if ((rc = rt_alloc(ctx, op, out, v[0]->dtype, t[2].n, shape)) != MLCC_OK)
		return rc;
	af = rt_to_f32(ctx, op, v[0]);
	bf = rt_to_f32(ctx, op, v[1]);
	a2 = malloc((v[0]->count + 1) * sizeof *a2);
	b2 = malloc((v[1]->count + 1) * sizeof *b2);
	c2 = malloc((out->count + 1) * sizeof *c2);
	cf = malloc((out->count + 1) * sizeof *cf);
	if (!af || !bf || !a2 || !b2 || !c2 || !cf) {
		rc = af && bf ? rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory") : MLCC_E_NOMEM;
		goto out;
	}
	ein_permute(af, &t[0], v[0]->shape, ab, a2, v[0]->count);
	ein_permute(bf, &t[1], v[1]->shape, bb, b2, v[1]->count);
	for (size_t b = 0; b < nb; b++)
		k_gemm_f32(ctx->pool, nm, nn, nk, a2 + b * nm * nk, nk, b2 + b * nk * nn, nn, 0,
			   c2 + b * nm * nn, nn);
	struct ein_term ct = {t[2].n, {0}};
	memcpy(ct.l, cb, sizeof ct.l);
	ein_permute(c2, &ct, cshape, t[2].l, cf, out->count);
	rt_from_f32(out, cf);
out:
	free(af);
	free(bf);
	free(a2);
	free(b2);
	free(c2);
	free(cf);
	return rc;
}

/* ---- data movement ------------------------------------------------------------------ */

/* Row-major strides of 'v'. */
static void strides_of(const struct rt_value *v, size_t *st)
{
	size_t s = 1;

	for (int i = v->rank - 1; i >= 0; i--) {
		st[i] = s;
		s *= (size_t)v->shape[i];
	}
}

/* out[i] = x[src(i)] for a permutation of elements (exact copies). */
static void copy_elem(struct rt_value *out, size_t i, const struct rt_value *x, size_t j)
{
	size_t es = dtype_mem_size(x->dtype);

	if (x->flags & RT_PACKED)
		rt_seti(out, i, rt_geti(x, j));
	else
		memcpy((char *)out->data + i * es, (const char *)x->data + j * es, es);
}

int rt_op_reverse(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *x;
	int64_t axes[RT_MAX_RANK], idx[RT_MAX_RANK] = {0};
	size_t na, st[RT_MAX_RANK];
	bool rev[RT_MAX_RANK] = {false};
	int rc, a;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "axes", true, axes, RT_MAX_RANK, &na)) != MLCC_OK)
		return rc;
	if (rt_arg(op, in, "axes") == NULL)
		for (int i = 0; i < x->rank; i++)
			rev[i] = true;
	for (size_t i = 0; i < na; i++) {
		if ((rc = rt_axis(ctx, op, axes[i], x->rank, &a)) != MLCC_OK)
			return rc;
		rev[a] = true;
	}
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	strides_of(x, st);
	for (size_t e = 0; e < x->count; e++) {
		size_t off = 0;
		for (int i = 0; i < x->rank; i++)
			off += (size_t)(rev[i] ? x->shape[i] - 1 - idx[i] : idx[i]) * st[i];
		copy_elem(out, e, x, off);
		for (int i = x->rank - 1; i >= 0; i--) {
			if (++idx[i] < x->shape[i])
				break;
			idx[i] = 0;
		}
	}
	return MLCC_OK;
}

/* space_to_depth, depth_to_space (block_size), pixel_shuffle
** (upscale_factor) on [N, C, H, W]:
**   depth_to_space: out[n][c][h*b+i][w*b+j] = x[n][(i*b+j)*C' + c][h][w]
**   pixel_shuffle:  out[n][c][h*b+i][w*b+j] = x[n][c*b*b + i*b + j][h][w]
**   space_to_depth: out[n][(i*b+j)*C + c][h][w] = x[n][c][h*b+i][w*b+j] */
int rt_op_space_depth(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		      struct rt_value *out)
{
	struct rt_value *x;
	int64_t b, shape[4];
	bool s2d = strcmp(op->op->type, "space_to_depth") == 0;
	bool ps = strcmp(op->op->type, "pixel_shuffle") == 0;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, ps ? "upscale_factor" : "block_size", false, 0, &b)) !=
		    MLCC_OK)
		return rc;
	if (x->rank != 4 || b < 1 || b > 65536 || (s2d && (x->shape[2] % b || x->shape[3] % b)) ||
	    (!s2d && x->shape[1] % (b * b)))
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "x must be [N, C, H, W] divisible by %lld",
			       (long long)b);
	int64_t n = x->shape[0], c = x->shape[1], h = x->shape[2], w = x->shape[3];
	shape[0] = n;
	shape[1] = s2d ? c * b * b : c / (b * b);
	shape[2] = s2d ? h / b : h * b;
	shape[3] = s2d ? w / b : w * b;
	if ((rc = rt_alloc(ctx, op, out, x->dtype, 4, shape)) != MLCC_OK)
		return rc;
	/* Walk the big (spatial) side: (n, c_small, H_big, W_big). */
	int64_t cs = s2d ? c : shape[1], hb = s2d ? h : shape[2], wb = s2d ? w : shape[3];
	int64_t cbig = cs * b * b, hs = hb / b, ws = wb / b;
	for (int64_t in_ = 0; in_ < n; in_++)
		for (int64_t cc = 0; cc < cs; cc++)
			for (int64_t y = 0; y < hb; y++)
				for (int64_t xx = 0; xx < wb; xx++) {
					int64_t i = y % b, j = xx % b;
					int64_t cd =
						ps ? cc * b * b + i * b + j : (i * b + j) * cs + cc;
					size_t big = (size_t)(((in_ * cs + cc) * hb + y) * wb + xx);
					size_t small =
						(size_t)(((in_ * cbig + cd) * hs + y / b) * ws +
							 xx / b);
					if (s2d)
						copy_elem(out, small, x, big);
					else
						copy_elem(out, big, x, small);
				}
	return MLCC_OK;
}

int rt_op_flatten2d(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		    struct rt_value *out)
{
	struct rt_value *x;
	int64_t axis, shape[2] = {1, 1};
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, 1, &axis)) != MLCC_OK)
		return rc;
	if (axis < 0)
		axis += x->rank;
	if (axis < 0 || axis > x->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "axis %lld out of range", (long long)axis);
	for (int i = 0; i < x->rank; i++)
		shape[i < axis ? 0 : 1] *= x->shape[i];
	rt_share(out, x, 2, shape);
	return MLCC_OK;
}

/* prelu: x of rank >= 3 with channels at axis -3; alpha per channel. */
int rt_op_prelu(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		struct rt_value *out)
{
	struct rt_value *x, *alpha;
	size_t inner, c;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "alpha", &alpha)) != MLCC_OK)
		return rc;
	if (x->rank < 3 || alpha->count != (size_t)x->shape[x->rank - 3])
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "alpha must have one value per channel");
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	c = alpha->count;
	inner = (size_t)(x->shape[x->rank - 2] * x->shape[x->rank - 1]);
	for (size_t i = 0; i < x->count; i++) {
		float v = rt_getf(x, i);
		rt_setf(out, i, v >= 0 ? v : rt_getf(alpha, (inner ? i / inner : 0) % c) * v);
	}
	return MLCC_OK;
}

/* fill_like: the shape of ref_tensor, every element 'value' (default 0),
** in the declared output type. */
int rt_op_fill_like(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		    struct rt_value *out)
{
	struct rt_value *ref, *val = rt_arg(op, in, "value");
	const struct mtype *t = op->op->outputs[0].type;
	enum dtype dt = t && t->kind == TY_TENSOR ? t->dtype : DT_FP32;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "ref_tensor", &ref)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, dt, ref->rank, ref->shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < out->count; i++) {
		if (rt_is_float(dt))
			rt_setf(out, i, val ? rt_getf(val, 0) : 0.0f);
		else
			rt_seti(out, i, val ? rt_geti(val, 0) : 0);
	}
	return MLCC_OK;
}

/* reverse_sequence: along seq_axis, the first lengths[b] elements of each
** batch_axis index b are reversed; the rest are kept. */
int rt_op_reverse_sequence(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			   struct rt_value *out)
{
	struct rt_value *x, *len;
	int64_t sa, ba, idx[RT_MAX_RANK] = {0};
	size_t st[RT_MAX_RANK];
	int s, b, rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "lengths", &len)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "seq_axis", true, 0, &sa)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "batch_axis", true, 0, &ba)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, sa, x->rank, &s)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, ba, x->rank, &b)) != MLCC_OK)
		return rc;
	if (s == b || len->count != (size_t)x->shape[b])
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "lengths must have one value per batch");
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	strides_of(x, st);
	for (size_t e = 0; e < x->count; e++) {
		int64_t l = rt_geti(len, (size_t)idx[b]), i = idx[s];
		size_t off = e;
		if (l > x->shape[s])
			l = x->shape[s];
		if (i < l)
			off = e - (size_t)i * st[s] + (size_t)(l - 1 - i) * st[s];
		copy_elem(out, e, x, off);
		for (int k = x->rank - 1; k >= 0; k--) {
			if (++idx[k] < x->shape[k])
				break;
			idx[k] = 0;
		}
	}
	return MLCC_OK;
}

/* local_response_norm over channels (axis 1):
**   y_c = x_c / (k + alpha / size * sum of x_j^2, j in [c - (size-1)/2, c + size/2])^beta */
int rt_op_local_response_norm(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			      struct rt_value *out)
{
	struct rt_value *x;
	int64_t size;
	float alpha, beta, k;
	size_t outer, c, inner;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "size", false, 0, &size)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "alpha", true, 1e-4f, &alpha)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "beta", true, 0.75f, &beta)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "k", true, 1.0f, &k)) != MLCC_OK)
		return rc;
	if (x->rank < 3 || size < 1)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "x of rank %d, size %lld", x->rank,
			       (long long)size);
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	outer = (size_t)x->shape[0];
	c = (size_t)x->shape[1];
	inner = outer * c > 0 ? x->count / (outer * c) : 1;
	for (size_t o = 0; o < outer; o++)
		for (size_t ch = 0; ch < c; ch++)
			for (size_t q = 0; q < inner; q++) {
				int64_t lo = (int64_t)ch - (size - 1) / 2,
					hi = (int64_t)ch + size / 2;
				float sum = 0;
				for (int64_t j = lo < 0 ? 0 : lo; j <= hi && j < (int64_t)c; j++) {
					float v = rt_getf(x, (o * c + (size_t)j) * inner + q);
					sum += v * v;
				}
				size_t e = (o * c + ch) * inner + q;
				rt_setf(out, e,
					rt_getf(x, e) / powf(k + alpha / (float)size * sum, beta));
			}
	return MLCC_OK;
}

/* sliding_windows: windows of 'size' along 'axis' every 'stride':
** x.shape[:axis] + [n, size] + x.shape[axis+1:], n = (L - size) / stride + 1. */
int rt_op_sliding_windows(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			  struct rt_value *out)
{
	struct rt_value *x;
	int64_t axis, size, stride, shape[RT_MAX_RANK], n;
	size_t outer = 1, inner = 1, L;
	int a, rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", false, 0, &axis)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "size", false, 0, &size)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "stride", true, 1, &stride)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &a)) != MLCC_OK)
		return rc;
	if (size < 1 || stride < 1 || size > x->shape[a] || x->rank + 1 > RT_MAX_RANK)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "bad size or stride");
	L = (size_t)x->shape[a];
	n = (x->shape[a] - size) / stride + 1;
	for (int i = 0, k = 0; i < x->rank; i++) {
		if (i == a) {
			shape[k++] = n;
			shape[k++] = size;
		} else {
			shape[k++] = x->shape[i];
		}
		if (i < a)
			outer *= (size_t)x->shape[i];
		if (i > a)
			inner *= (size_t)x->shape[i];
	}
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank + 1, shape)) != MLCC_OK)
		return rc;
	for (size_t o = 0; o < outer; o++)
		for (size_t w = 0; w < (size_t)n; w++)
			for (size_t s = 0; s < (size_t)size; s++)
				for (size_t q = 0; q < inner; q++)
					copy_elem(out,
						  ((o * (size_t)n + w) * (size_t)size + s) * inner +
							  q,
						  x, (o * L + w * (size_t)stride + s) * inner + q);
	return MLCC_OK;
}

/* threshold: max(x, alpha); softplus_parametric: alpha_c * log(1 +
** exp(beta_c * x)) with channels at axis -3. */
int rt_op_threshold(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		    struct rt_value *out)
{
	struct rt_value *x, *a, *b;
	bool sp = strcmp(op->op->type, "softplus_parametric") == 0;
	float alpha = 1;
	size_t inner = 1, c = 1;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK)
		return rc;
	if (!sp && (rc = rt_float(ctx, op, in, "alpha", true, 1, &alpha)) != MLCC_OK)
		return rc;
	if (sp) {
		if ((rc = rt_need_arg(ctx, op, in, "alpha", &a)) != MLCC_OK ||
		    (rc = rt_need_arg(ctx, op, in, "beta", &b)) != MLCC_OK)
			return rc;
		if (x->rank < 3 || a->count != (size_t)x->shape[x->rank - 3] ||
		    b->count != a->count)
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "alpha and beta must have one value per channel");
		c = a->count;
		inner = (size_t)(x->shape[x->rank - 2] * x->shape[x->rank - 1]);
	}
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < x->count; i++) {
		float v = rt_getf(x, i);
		if (sp) {
			size_t ch = (inner ? i / inner : 0) % c;
			rt_setf(out, i, rt_getf(a, ch) * log1pf(expf(rt_getf(b, ch) * v)));
		} else {
			rt_setf(out, i, v > alpha ? v : alpha);
		}
	}
	return MLCC_OK;
}

/* crop: crop_height = [top, bottom], crop_width = [left, right] rows and
** columns removed from the last two dimensions. */
int rt_op_crop(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *x;
	int64_t ch[2], cw[2], shape[RT_MAX_RANK], h, w;
	size_t nh, nw, planes;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "crop_height", false, ch, 2, &nh)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "crop_width", false, cw, 2, &nw)) != MLCC_OK)
		return rc;
	if (x->rank < 2 || nh != 2 || nw != 2 || ch[0] < 0 || ch[1] < 0 || cw[0] < 0 || cw[1] < 0)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "crop_height and crop_width need 2 values");
	h = x->shape[x->rank - 2];
	w = x->shape[x->rank - 1];
	if (ch[0] + ch[1] >= h || cw[0] + cw[1] >= w)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "crop removes everything");
	memcpy(shape, x->shape, sizeof shape);
	shape[x->rank - 2] = h - ch[0] - ch[1];
	shape[x->rank - 1] = w - cw[0] - cw[1];
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		return rc;
	planes = x->count / (size_t)(h * w);
	for (size_t p = 0, e = 0; p < planes; p++)
		for (int64_t y = ch[0]; y < h - ch[1]; y++)
			for (int64_t q = cw[0]; q < w - cw[1]; q++)
				copy_elem(out, e++, x,
					  (p * (size_t)h + (size_t)y) * (size_t)w + (size_t)q);
	return MLCC_OK;
}
