/*
** op_shape.c -- ops that move elements without computing on them:
** reshape, squeeze, expand_dims, transpose, slice_by_index, slice_by_size,
** slice_update, concat, split, stack, tile, pad, gather, gather_along_axis,
** shape, fill, range_1d, band_part, and cumsum (a running sum, here
** because it walks one axis like the others).
**
** Values keep their element type and bytes exactly (no rounding), except
** cumsum (fp32 accumulation, rounded once per element) and fill/range_1d
** (the value's type).  Index inputs may be negative (counted from the end,
** as numpy); an index outside the axis is an error naming the op.
** reshape, squeeze, expand_dims share their input's storage (rt_share).
*/
#include <string.h>

#include "runtime/op.h"

/* ---- strided copies ---------------------------------------------------------- */

/* Copy a 'rank'-dimensional block of 'shape' from 'src' (element strides
** 'ss') to 'dst' (strides 'ds'), 'es' bytes per element; runs of the last
** dimension that are contiguous on both sides are copied at once. */
static void copy_strided(char *dst, const int64_t *ds, const char *src, const int64_t *ss,
			 const int64_t *shape, int rank, size_t es)
{
	int64_t idx[RT_MAX_RANK] = {0};
	size_t total = rt_shape_count(rank, shape);
	int64_t inner = rank ? shape[rank - 1] : 1;

	if (total == 0)
		return;
	if (rank == 0) {
		memcpy(dst, src, es);
		return;
	}
	for (size_t done = 0; done < total; done += (size_t)inner) {
		int64_t so = 0, dof = 0;
		for (int i = 0; i < rank - 1; i++) {
			so += idx[i] * ss[i];
			dof += idx[i] * ds[i];
		}
		if (ss[rank - 1] == 1 && ds[rank - 1] == 1)
			memcpy(dst + (size_t)dof * es, src + (size_t)so * es, (size_t)inner * es);
		else
			for (int64_t k = 0; k < inner; k++)
				memcpy(dst + (size_t)(dof + k * ds[rank - 1]) * es,
				       src + (size_t)(so + k * ss[rank - 1]) * es, es);
		for (int i = rank - 2; i >= 0; i--) {
			if (++idx[i] < shape[i])
				break;
			idx[i] = 0;
		}
	}
}

/* Row-major element strides of 'shape'. */
static void strides_of(int rank, const int64_t *shape, int64_t *st)
{
	int64_t s = 1;

	for (int i = rank - 1; i >= 0; i--) {
		st[i] = s;
		s *= shape[i];
	}
}

/* Inputs of this family are unpacked tensors. */
static int plain(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *v)
{
	if (v->flags & RT_PACKED)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "packed %s input is not supported",
			       dtype_info(v->dtype)->mil);
	return MLCC_OK;
}

static int need_x(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value **x)
{
	int rc = rt_need_arg(ctx, op, in, "x", x);

	return rc != MLCC_OK ? rc : plain(ctx, op, *x);
}

/* ---- views: reshape, squeeze, expand_dims ----------------------------------- */

int rt_op_reshape(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *x;
	int64_t shape[RT_MAX_RANK];
	size_t n, known = 1;
	int rc, infer = -1;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "shape", false, shape, RT_MAX_RANK, &n)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (shape[i] == 0 && (int)i < x->rank)
			shape[i] = x->shape[i];
		if (shape[i] == -1 && infer < 0)
			infer = (int)i;
		else if (shape[i] < 0)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "invalid shape");
		else
			known *= (size_t)shape[i];
	}
	if (infer >= 0) {
		if (known == 0 || x->count % known != 0)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "cannot infer the -1 dimension");
		shape[infer] = (int64_t)(x->count / known);
		known = x->count;
	}
	if (known != x->count)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "shape holds %zu elements, the input %zu",
			       known, x->count);
	rt_share(out, x, (int)n, shape);
	return MLCC_OK;
}

int rt_op_squeeze(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *x;
	int64_t axes[RT_MAX_RANK], shape[RT_MAX_RANK];
	bool drop[RT_MAX_RANK] = {false};
	size_t n;
	int rc, r = 0;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "axes", true, axes, RT_MAX_RANK, &n)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		int a;
		if ((rc = rt_axis(ctx, op, axes[i], x->rank, &a)) != MLCC_OK)
			return rc;
		if (x->shape[a] != 1)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "axis %d has size %lld, not 1", a,
				       (long long)x->shape[a]);
		drop[a] = true;
	}
	for (int i = 0; i < x->rank; i++)
		if (!(n == 0 ? x->shape[i] == 1 : drop[i]))
			shape[r++] = x->shape[i];
	rt_share(out, x, r, shape);
	return MLCC_OK;
}

int rt_op_expand_dims(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		      struct rt_value *out)
{
	struct rt_value *x;
	int64_t axes[RT_MAX_RANK], shape[RT_MAX_RANK];
	bool ins[RT_MAX_RANK] = {false};
	size_t n;
	int rc, r, k = 0;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "axes", false, axes, RT_MAX_RANK, &n)) != MLCC_OK)
		return rc;
	r = x->rank + (int)n;
	if (r > RT_MAX_RANK)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "rank above %d", RT_MAX_RANK);
	for (size_t i = 0; i < n; i++) {
		int a;
		if ((rc = rt_axis(ctx, op, axes[i], r, &a)) != MLCC_OK)
			return rc;
		ins[a] = true;
	}
	for (int i = 0; i < r; i++)
		shape[i] = ins[i] ? 1 : x->shape[k++];
	if (k != x->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "repeated axes");
	rt_share(out, x, r, shape);
	return MLCC_OK;
}

/* ---- transpose ------------------------------------------------------------------ */

int rt_op_transpose(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		    struct rt_value *out)
{
	struct rt_value *x;
	int64_t perm[RT_MAX_RANK], shape[RT_MAX_RANK], st[RT_MAX_RANK], ss[RT_MAX_RANK],
		ds[RT_MAX_RANK];
	bool used[RT_MAX_RANK] = {false};
	size_t n;
	int rc;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "perm", false, perm, RT_MAX_RANK, &n)) != MLCC_OK)
		return rc;
	if ((int)n != x->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "perm has %zu entries for rank %d", n,
			       x->rank);
	strides_of(x->rank, x->shape, st);
	for (int i = 0; i < x->rank; i++) {
		int a;
		if ((rc = rt_axis(ctx, op, perm[i], x->rank, &a)) != MLCC_OK)
			return rc;
		if (used[a])
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "perm repeats axis %d", a);
		used[a] = true;
		shape[i] = x->shape[a];
		ss[i] = st[a];
	}
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		return rc;
	strides_of(x->rank, shape, ds);
	copy_strided(out->data, ds, x->data, ss, shape, x->rank, dtype_mem_size(x->dtype));
	return MLCC_OK;
}

/* ---- slices ---------------------------------------------------------------------- */

/* A resolved slice of 'x': per axis the first index, step and length;
** 'keep' false for squeezed axes. */
struct slice {
	int64_t first[RT_MAX_RANK], step[RT_MAX_RANK], len[RT_MAX_RANK];
	bool keep[RT_MAX_RANK];
};

/* The boolean vector 'param' (absent: all false) into 'out'. */
static int masks(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 const char *param, int rank, bool *out)
{
	int64_t v[RT_MAX_RANK];
	size_t n;
	int rc = rt_ints(ctx, op, in, param, true, v, RT_MAX_RANK, &n);

	for (int i = 0; i < rank; i++)
		out[i] = (size_t)i < n && v[i] != 0;
	if (rc == MLCC_OK && n != 0 && (int)n != rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "'%s' has %zu entries for rank %d", param,
			       n, rank);
	return rc;
}

/* slice_by_index's begin/end/stride/masks resolved against 'x' (numpy
** basic slicing: negative indices count from the end, out-of-range
** indices are clamped). */
static int index_slice(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		       const struct rt_value *x, struct slice *s)
{
	int64_t b[RT_MAX_RANK], e[RT_MAX_RANK], st[RT_MAX_RANK];
	bool bm[RT_MAX_RANK], em[RT_MAX_RANK], sq[RT_MAX_RANK];
	size_t nb, ne, ns;
	int rc, r = x->rank;

	if ((rc = rt_ints(ctx, op, in, "begin", false, b, RT_MAX_RANK, &nb)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "end", false, e, RT_MAX_RANK, &ne)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "stride", true, st, RT_MAX_RANK, &ns)) != MLCC_OK ||
	    (rc = masks(ctx, op, in, "begin_mask", r, bm)) != MLCC_OK ||
	    (rc = masks(ctx, op, in, "end_mask", r, em)) != MLCC_OK ||
	    (rc = masks(ctx, op, in, "squeeze_mask", r, sq)) != MLCC_OK)
		return rc;
	if ((int)nb != r || (int)ne != r || (ns != 0 && (int)ns != r))
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "begin/end/stride do not match rank %d", r);
	for (int i = 0; i < r; i++) {
		int64_t d = x->shape[i], step = ns ? st[i] : 1, lo, hi;
		if (step == 0)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "stride 0 on axis %d", i);
		lo = step > 0 ? 0 : -1;
		hi = step > 0 ? d : d - 1;
		int64_t bi = bm[i] ? (step > 0 ? 0 : d - 1) : (b[i] < 0 ? b[i] + d : b[i]);
		int64_t ei = em[i] ? (step > 0 ? d : -1) : (e[i] < 0 ? e[i] + d : e[i]);
		bi = bi < lo ? lo : bi > hi ? hi : bi;
		ei = ei < lo ? lo : ei > hi ? hi : ei;
		if (sq[i]) {
			if (bi < 0 || bi >= d)
				return rt_fail(ctx, op, MLCC_E_CORRUPT,
					       "squeezed axis %d: index out of range", i);
			ei = bi + (step > 0 ? 1 : -1);
		}
		int64_t len = step > 0 ? (ei - bi + step - 1) / step : (bi - ei - step - 1) / -step;
		s->first[i] = bi;
		s->step[i] = step;
		s->len[i] = len > 0 ? len : 0;
		s->keep[i] = !sq[i];
	}
	return MLCC_OK;
}

/* The source strides/offset and shapes of slice 's' of 'x': 'full' has
** every axis, 'shape' only the kept ones. */
static int64_t slice_layout(const struct rt_value *x, const struct slice *s, int64_t *ss,
			    int64_t *full, int64_t *shape, int *rank)
{
	int64_t st[RT_MAX_RANK], base = 0;
	int r = 0;

	strides_of(x->rank, x->shape, st);
	for (int i = 0; i < x->rank; i++) {
		base += s->first[i] * st[i];
		ss[i] = s->step[i] * st[i];
		full[i] = s->len[i];
		if (s->keep[i])
			shape[r++] = s->len[i];
	}
	*rank = r;
	return base;
}

static int take_slice(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *x,
		      const struct slice *s, struct rt_value *out)
{
	int64_t ss[RT_MAX_RANK], full[RT_MAX_RANK], shape[RT_MAX_RANK], ds[RT_MAX_RANK];
	int r, rc;
	int64_t base = slice_layout(x, s, ss, full, shape, &r);
	size_t es = dtype_mem_size(x->dtype);

	if ((rc = rt_alloc(ctx, op, out, x->dtype, r, shape)) != MLCC_OK)
		return rc;
	strides_of(x->rank, full, ds);
	if (out->count)
		copy_strided(out->data, ds, (const char *)x->data + (size_t)base * es, ss, full,
			     x->rank, es);
	return MLCC_OK;
}

int rt_op_slice_by_index(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			 struct rt_value *out)
{
	struct rt_value *x;
	struct slice s;
	int rc;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = index_slice(ctx, op, in, x, &s)) != MLCC_OK)
		return rc;
	return take_slice(ctx, op, x, &s, out);
}

int rt_op_slice_by_size(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			struct rt_value *out)
{
	struct rt_value *x;
	int64_t b[RT_MAX_RANK], sz[RT_MAX_RANK];
	size_t nb, ns;
	struct slice s;
	int rc;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "begin", false, b, RT_MAX_RANK, &nb)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "size", false, sz, RT_MAX_RANK, &ns)) != MLCC_OK)
		return rc;
	if ((int)nb != x->rank || (int)ns != x->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "begin/size do not match rank %d", x->rank);
	for (int i = 0; i < x->rank; i++) {
		int64_t d = x->shape[i], bi = b[i] < 0 ? b[i] + d : b[i];
		int64_t len = sz[i] < 0 ? d - bi : sz[i];
		if (bi < 0 || len < 0 || bi + len > d)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "slice outside axis %d", i);
		s.first[i] = bi;
		s.step[i] = 1;
		s.len[i] = len;
		s.keep[i] = true;
	}
	return take_slice(ctx, op, x, &s, out);
}

int rt_op_slice_update(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		       struct rt_value *out)
{
	struct rt_value *x, *u;
	struct slice s;
	int64_t ss[RT_MAX_RANK], full[RT_MAX_RANK], shape[RT_MAX_RANK], us[RT_MAX_RANK];
	size_t es;
	int r, rc;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "update", &u)) != MLCC_OK ||
	    (rc = plain(ctx, op, u)) != MLCC_OK ||
	    (rc = index_slice(ctx, op, in, x, &s)) != MLCC_OK)
		return rc;
	int64_t base = slice_layout(x, &s, ss, full, shape, &r);
	if (u->dtype != x->dtype || rt_shape_count(r, shape) != u->count)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "update does not fit the slice");
	for (int i = 0, k = 0; i < u->rank && k < r; i++, k++)
		if (u->shape[i] != shape[k])
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "update does not fit the slice");
	es = dtype_mem_size(x->dtype);
	if (op->flags & RT_OP_INPLACE) {
		/* x is a state's storage, needed by no one else afterwards */
		if ((rc = rt_before_write(ctx, op, x->data)) != MLCC_OK)
			return rc;
		rt_share(out, x, x->rank, x->shape);
	} else {
		if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
			return rc;
		memcpy(out->data, x->data, x->count * es);
	}
	strides_of(x->rank, full, us);
	if (u->count)
		copy_strided((char *)out->data + (size_t)base * es, ss, u->data, us, full, x->rank,
			     es);
	return MLCC_OK;
}

/* ---- concat, split, stack ----------------------------------------------------------- */

int rt_op_concat(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value **v;
	size_t n = rt_args(op, in, "values", &v), es;
	int64_t axis, shape[RT_MAX_RANK], ds[RT_MAX_RANK], vs[RT_MAX_RANK];
	bool inter;
	int rc, a;

	if (n == 0)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "no values");
	if ((rc = rt_int(ctx, op, in, "axis", false, 0, &axis)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "interleave", true, false, &inter)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, v[0]->rank, &a)) != MLCC_OK)
		return rc;
	memcpy(shape, v[0]->shape, sizeof shape);
	shape[a] = 0;
	for (size_t i = 0; i < n; i++) {
		if ((rc = plain(ctx, op, v[i])) != MLCC_OK)
			return rc;
		bool ok = v[i]->rank == v[0]->rank && v[i]->dtype == v[0]->dtype;
		for (int k = 0; ok && k < v[0]->rank; k++)
			ok = k == a || v[i]->shape[k] == v[0]->shape[k];
		if (!ok || (inter && v[i]->shape[a] != v[0]->shape[a]))
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "value %zu does not match the others", i);
		shape[a] += v[i]->shape[a];
	}
	if ((rc = rt_alloc(ctx, op, out, v[0]->dtype, v[0]->rank, shape)) != MLCC_OK)
		return rc;
	es = dtype_mem_size(v[0]->dtype);
	strides_of(out->rank, shape, ds);
	int64_t off = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t d[RT_MAX_RANK];
		memcpy(d, ds, sizeof d);
		strides_of(v[i]->rank, v[i]->shape, vs);
		if (inter) /* element j of value i goes to position j*n + i */
			d[a] *= (int64_t)n;
		copy_strided((char *)out->data + (size_t)off * es, d, v[i]->data, vs, v[i]->shape,
			     v[i]->rank, es);
		off += inter ? ds[a] : v[i]->shape[a] * ds[a];
	}
	return MLCC_OK;
}

int rt_op_split(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		struct rt_value *out)
{
	struct rt_value *x;
	int64_t axis, num, sizes[64], ss[RT_MAX_RANK], shape[RT_MAX_RANK], ds[RT_MAX_RANK];
	size_t ns, es;
	int rc, a;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", false, 0, &axis)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &a)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "split_sizes", true, sizes, 64, &ns)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "num_splits", true, (int64_t)op->nout, &num)) != MLCC_OK)
		return rc;
	if (ns == 0) {
		if (num <= 0 || (size_t)num != op->nout || x->shape[a] % num != 0 || num > 64)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "axis does not split evenly");
		for (int64_t i = 0; i < num; i++)
			sizes[i] = x->shape[a] / num;
		ns = (size_t)num;
	}
	if (ns != op->nout)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "%zu sizes for %zu outputs", ns, op->nout);
	int64_t sum = 0;
	for (size_t i = 0; i < ns; i++)
		sum += sizes[i] < 0 ? 0 : sizes[i];
	for (size_t i = 0; i < ns; i++)
		if (sizes[i] < 0)
			sizes[i] = x->shape[a] - sum;
	strides_of(x->rank, x->shape, ss);
	es = dtype_mem_size(x->dtype);
	int64_t off = 0;
	for (size_t i = 0; i < ns; i++) {
		memcpy(shape, x->shape, sizeof shape);
		shape[a] = sizes[i];
		if (sizes[i] < 0 || off + sizes[i] > x->shape[a])
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "split sizes exceed the axis");
		if ((rc = rt_alloc(ctx, op, &out[i], x->dtype, x->rank, shape)) != MLCC_OK)
			return rc;
		strides_of(x->rank, shape, ds);
		copy_strided(out[i].data, ds, (const char *)x->data + (size_t)(off * ss[a]) * es,
			     ss, shape, x->rank, es);
		off += sizes[i];
	}
	return MLCC_OK;
}

int rt_op_stack(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		struct rt_value *out)
{
	struct rt_value **v;
	size_t n = rt_args(op, in, "values", &v), es, bytes;
	int64_t axis, shape[RT_MAX_RANK];
	int rc, a;

	if (n == 0)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "no values");
	if (v[0]->rank + 1 > RT_MAX_RANK)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "rank above %d", RT_MAX_RANK);
	if ((rc = rt_int(ctx, op, in, "axis", false, 0, &axis)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, v[0]->rank + 1, &a)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		bool ok = v[i]->rank == v[0]->rank && v[i]->dtype == v[0]->dtype &&
			  !(v[i]->flags & RT_PACKED);
		for (int k = 0; ok && k < v[0]->rank; k++)
			ok = v[i]->shape[k] == v[0]->shape[k];
		if (!ok)
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "value %zu does not match the others", i);
	}
	for (int k = 0, j = 0; k <= v[0]->rank; k++)
		shape[k] = k == a ? (int64_t)n : v[0]->shape[j++];
	if ((rc = rt_alloc(ctx, op, out, v[0]->dtype, v[0]->rank + 1, shape)) != MLCC_OK)
		return rc;
	es = dtype_mem_size(v[0]->dtype);
	size_t outer = rt_shape_count(a, shape), inner = v[0]->count / (outer ? outer : 1);
	bytes = inner * es;
	for (size_t o = 0; o < outer; o++)
		for (size_t i = 0; i < n; i++)
			memcpy((char *)out->data + (o * n + i) * bytes,
			       (const char *)v[i]->data + o * bytes, bytes);
	return MLCC_OK;
}

/* ---- tile, pad --------------------------------------------------------------------------- */

int rt_op_tile(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *x;
	int64_t reps[RT_MAX_RANK], shape[RT_MAX_RANK], ds[RT_MAX_RANK], ss[RT_MAX_RANK],
		ri[RT_MAX_RANK] = {0};
	size_t n, es, blocks;
	int rc;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "reps", false, reps, RT_MAX_RANK, &n)) != MLCC_OK)
		return rc;
	if ((int)n != x->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "reps has %zu entries for rank %d", n,
			       x->rank);
	for (int i = 0; i < x->rank; i++) {
		if (reps[i] < 0)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "negative reps");
		shape[i] = x->shape[i] * reps[i];
	}
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		return rc;
	es = dtype_mem_size(x->dtype);
	strides_of(x->rank, shape, ds);
	strides_of(x->rank, x->shape, ss);
	blocks = rt_shape_count(x->rank, reps);
	for (size_t b = 0; b < blocks && out->count; b++) {
		int64_t off = 0;
		for (int i = 0; i < x->rank; i++)
			off += ri[i] * x->shape[i] * ds[i];
		copy_strided((char *)out->data + (size_t)off * es, ds, x->data, ss, x->shape,
			     x->rank, es);
		for (int i = x->rank - 1; i >= 0; i--) {
			if (++ri[i] < reps[i])
				break;
			ri[i] = 0;
		}
	}
	return MLCC_OK;
}

/* Source index along an axis of size 'd' for padded position 'p' (may be
** outside [0, d)): reflect (mirror without the edge) or replicate. */
static int64_t pad_src(int64_t p, int64_t d, bool reflect)
{
	if (reflect && d > 1) {
		int64_t period = 2 * (d - 1);
		p %= period;
		if (p < 0)
			p += period;
		return p < d ? p : period - p;
	}
	return p < 0 ? 0 : p >= d ? d - 1 : p;
}

int rt_op_pad(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	      struct rt_value *out)
{
	struct rt_value *x;
	int64_t pad[2 * RT_MAX_RANK], before[RT_MAX_RANK] = {0}, shape[RT_MAX_RANK],
				      st[RT_MAX_RANK], idx[RT_MAX_RANK] = {0};
	size_t n, es;
	const char *mode;
	float cval;
	int rc;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_ints(ctx, op, in, "pad", false, pad, 2 * RT_MAX_RANK, &n)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "mode", "constant", &mode)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "constant_val", true, 0.0f, &cval)) != MLCC_OK)
		return rc;
	if (n % 2 || (int)(n / 2) > x->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "pad has %zu entries for rank %d", n,
			       x->rank);
	bool reflect = strcmp(mode, "reflect") == 0, constant = strcmp(mode, "constant") == 0;
	if (!reflect && !constant && strcmp(mode, "replicate") != 0)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "pad mode '%s' is not supported", mode);
	memcpy(shape, x->shape, sizeof shape);
	for (size_t k = 0; k < n / 2; k++) {
		int a = x->rank - (int)(n / 2) + (int)k;
		if (pad[2 * k] < 0 || pad[2 * k + 1] < 0)
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "negative padding");
		before[a] = pad[2 * k];
		shape[a] += pad[2 * k] + pad[2 * k + 1];
	}
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, shape)) != MLCC_OK)
		return rc;
	es = dtype_mem_size(x->dtype);
	strides_of(x->rank, x->shape, st);
	for (size_t i = 0; i < out->count; i++) {
		int64_t off = 0;
		bool inside = true;
		for (int a = 0; a < x->rank; a++) {
			int64_t p = idx[a] - before[a];
			if (p < 0 || p >= x->shape[a]) {
				inside = false;
				if (!constant)
					p = pad_src(p, x->shape[a], reflect);
			}
			off += p * st[a];
		}
		if (inside || !constant)
			memcpy((char *)out->data + i * es, (const char *)x->data + (size_t)off * es,
			       es);
		else
			rt_setf(out, i, cval);
		for (int a = x->rank - 1; a >= 0; a--) {
			if (++idx[a] < shape[a])
				break;
			idx[a] = 0;
		}
	}
	return MLCC_OK;
}

/* ---- gathers ------------------------------------------------------------------------------- */

/* Index 'k' of an axis of size 'd', negative counted from the end. */
static int fix_index(struct rt_ctx *ctx, const struct rt_op *op, int64_t k, int64_t d, int64_t *out)
{
	if (k < 0)
		k += d;
	if (k < 0 || k >= d)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "index %lld is outside an axis of %lld",
			       (long long)(k < 0 ? k - d : k), (long long)d);
	*out = k;
	return MLCC_OK;
}

int rt_op_gather(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value *x, *ix;
	int64_t axis, bd, shape[RT_MAX_RANK];
	int rc, a, r = 0;
	size_t es, outer, inner;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "indices", &ix)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, 0, &axis)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "batch_dims", true, 0, &bd)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &a)) != MLCC_OK)
		return rc;
	/* batch_dims b: the first b dimensions of x and indices pair up; within
	** each batch, the gather of batch_dims 0 on the remaining dimensions */
	if (bd < 0 || bd > a || bd > ix->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "batch_dims %lld does not fit axis %d",
			       (long long)bd, a);
	for (int i = 0; i < (int)bd; i++)
		if (x->shape[i] != ix->shape[i])
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "batch dimension %d differs between x and indices", i);
	if (x->rank - 1 + ix->rank - (int)bd > RT_MAX_RANK)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "rank above %d", RT_MAX_RANK);
	for (int i = 0; i < a; i++)
		shape[r++] = x->shape[i];
	for (int i = (int)bd; i < ix->rank; i++)
		shape[r++] = ix->shape[i];
	for (int i = a + 1; i < x->rank; i++)
		shape[r++] = x->shape[i];
	if ((rc = rt_alloc(ctx, op, out, x->dtype, r, shape)) != MLCC_OK)
		return rc;
	es = dtype_mem_size(x->dtype);
	size_t nb = rt_shape_count((int)bd, x->shape);
	size_t nk = nb ? ix->count / nb : 0; /* indices per batch */
	outer = rt_shape_count(a - (int)bd, x->shape + bd);
	inner = rt_shape_count(x->rank - a - 1, x->shape + a + 1) * es;
	size_t xb = outer * (size_t)x->shape[a] * inner, ob = outer * nk * inner;
	for (size_t b = 0; b < nb; b++)
		for (size_t o = 0; o < outer; o++)
			for (size_t k = 0; k < nk; k++) {
				int64_t j = 0;
				if ((rc = fix_index(ctx, op, rt_geti(ix, b * nk + k), x->shape[a],
						    &j)) != MLCC_OK)
					return rc;
				memcpy((char *)out->data + b * ob + (o * nk + k) * inner,
				       (const char *)x->data + b * xb +
					       (o * (size_t)x->shape[a] + (size_t)j) * inner,
				       inner);
			}
	return MLCC_OK;
}

int rt_op_gather_along_axis(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			    struct rt_value *out)
{
	struct rt_value *x, *ix;
	int64_t axis, st[RT_MAX_RANK], idx[RT_MAX_RANK] = {0};
	int rc, a;
	size_t es;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "indices", &ix)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, 0, &axis)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &a)) != MLCC_OK)
		return rc;
	if (ix->rank != x->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "indices must have the rank of x");
	for (int i = 0; i < x->rank; i++)
		if (i != a && ix->shape[i] != x->shape[i])
			return rt_fail(ctx, op, MLCC_E_CORRUPT, "indices and x differ on axis %d",
				       i);
	if ((rc = rt_alloc(ctx, op, out, x->dtype, ix->rank, ix->shape)) != MLCC_OK)
		return rc;
	es = dtype_mem_size(x->dtype);
	strides_of(x->rank, x->shape, st);
	for (size_t i = 0; i < out->count; i++) {
		int64_t off = 0, j = 0;
		if ((rc = fix_index(ctx, op, rt_geti(ix, i), x->shape[a], &j)) != MLCC_OK)
			return rc;
		for (int k = 0; k < x->rank; k++)
			off += (k == a ? j : idx[k]) * st[k];
		memcpy((char *)out->data + i * es, (const char *)x->data + (size_t)off * es, es);
		for (int k = x->rank - 1; k >= 0; k--) {
			if (++idx[k] < ix->shape[k])
				break;
			idx[k] = 0;
		}
	}
	return MLCC_OK;
}

/* ---- shape, fill, range_1d, band_part, cumsum ------------------------------------------------ */

int rt_op_shape(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		struct rt_value *out)
{
	struct rt_value *x;
	int64_t n;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK)
		return rc;
	n = x->rank;
	if ((rc = rt_alloc(ctx, op, out, DT_INT32, 1, &n)) != MLCC_OK)
		return rc;
	for (int i = 0; i < x->rank; i++)
		((int32_t *)out->data)[i] = (int32_t)x->shape[i];
	return MLCC_OK;
}

int rt_op_fill(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *v = rt_arg(op, in, "value");
	int64_t shape[RT_MAX_RANK];
	size_t n;
	int rc;

	if ((rc = rt_ints(ctx, op, in, "shape", false, shape, RT_MAX_RANK, &n)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, v ? v->dtype : DT_FP32, (int)n, shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < out->count; i++) {
		if (v && !rt_is_float(v->dtype))
			rt_seti(out, i, rt_geti(v, 0));
		else
			rt_setf(out, i, v ? rt_getf(v, 0) : 0.0f);
	}
	return MLCC_OK;
}

int rt_op_range_1d(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		   struct rt_value *out)
{
	struct rt_value *e, *s, *st;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "end", &e)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "start", &s)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "step", &st)) != MLCC_OK)
		return rc;
	double a = rt_getf(s, 0), b = rt_getf(e, 0), d = rt_getf(st, 0);
	if (!rt_is_float(s->dtype)) {
		a = (double)rt_geti(s, 0);
		b = (double)rt_geti(e, 0);
		d = (double)rt_geti(st, 0);
	}
	if (d == 0)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "step is 0");
	double cnt = (b - a) / d;
	int64_t n = cnt <= 0 ? 0 : (int64_t)cnt + ((double)(int64_t)cnt < cnt);
	if ((rc = rt_alloc(ctx, op, out, s->dtype, 1, &n)) != MLCC_OK)
		return rc;
	for (int64_t i = 0; i < n; i++) {
		if (rt_is_float(s->dtype))
			rt_setf(out, (size_t)i, (float)(a + (double)i * d));
		else
			rt_seti(out, (size_t)i, (int64_t)a + i * (int64_t)d);
	}
	return MLCC_OK;
}

int rt_op_band_part(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		    struct rt_value *out)
{
	struct rt_value *x;
	int64_t lower, upper;
	int rc;
	size_t es;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "lower", true, -1, &lower)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "upper", true, -1, &upper)) != MLCC_OK)
		return rc;
	if (x->rank < 2)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "x needs rank 2 or more");
	if ((rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	es = dtype_mem_size(x->dtype);
	int64_t rows = x->shape[x->rank - 2], cols = x->shape[x->rank - 1];
	for (size_t i = 0; i < x->count; i++) {
		int64_t c = (int64_t)i % cols, r = ((int64_t)i / cols) % rows;
		bool keep = (lower < 0 || r - c <= lower) && (upper < 0 || c - r <= upper);
		if (keep)
			memcpy((char *)out->data + i * es, (const char *)x->data + i * es, es);
		else
			memset((char *)out->data + i * es, 0, es);
	}
	return MLCC_OK;
}

int rt_op_cumsum(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value *x;
	int64_t axis;
	bool excl, rev;
	int rc, a;

	if ((rc = need_x(ctx, op, in, &x)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, 0, &axis)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "exclusive", true, false, &excl)) != MLCC_OK ||
	    (rc = rt_bool(ctx, op, in, "reverse", true, false, &rev)) != MLCC_OK ||
	    (rc = rt_axis(ctx, op, axis, x->rank, &a)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	size_t d = (size_t)x->shape[a], inner = rt_shape_count(x->rank - a - 1, x->shape + a + 1);
	size_t outer = d * inner > 0 ? x->count / (d * inner) : 0;
	for (size_t o = 0; o < outer; o++)
		for (size_t k = 0; k < inner; k++) {
			double acc = 0;
			for (size_t j0 = 0; j0 < d; j0++) {
				size_t j = rev ? d - 1 - j0 : j0, i = (o * d + j) * inner + k;
				double v = rt_is_float(x->dtype) ? rt_getf(x, i)
								 : (double)rt_geti(x, i);
				if (!excl)
					acc += v;
				if (rt_is_float(x->dtype))
					rt_setf(out, i, (float)acc);
				else
					rt_seti(out, i, (int64_t)acc);
				if (excl)
					acc += v;
			}
		}
	return MLCC_OK;
}
