/*
** op_gather.c -- index-driven ops beyond the core's gather and
** gather_along_axis: gather_nd, scatter (along an axis, rank-1 indices),
** scatter_along_axis, scatter_nd (modes update, add, sub, mul, div, max,
** min), one_hot, non_zero.
**
** Indices may be negative (counted from the end of their dimension); an
** index outside its dimension is an error naming the op.  Scatter copies
** 'data', then applies the updates in index order (so with mode update the
** last update of an element wins); float modes compute in float and round
** once per update, integer modes are exact.
*/
#include <string.h>

#include "runtime/ops2.h"

enum mode { S_UPDATE, S_ADD, S_SUB, S_MUL, S_DIV, S_MAX, S_MIN };

static int mode_of(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, enum mode *m)
{
	static const char *const names[] = {"update", "add", "sub", "mul", "div", "max", "min"};
	const char *s;
	int rc;

	if ((rc = rt_str(ctx, op, in, "mode", "add", &s)) != MLCC_OK)
		return rc;
	for (int i = 0; i < 7; i++)
		if (strcmp(s, names[i]) == 0) {
			*m = (enum mode)i;
			return MLCC_OK;
		}
	return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "scatter mode '%s' is not supported", s);
}

/* out[e] = out[e] (mode) upd[u]. */
static void apply(enum mode m, struct rt_value *out, size_t e, const struct rt_value *upd, size_t u)
{
	if (rt_is_float(out->dtype)) {
		float a = rt_getf(out, e), b = rt_getf(upd, u);
		float r = m == S_UPDATE ? b
			  : m == S_ADD	? a + b
			  : m == S_SUB	? a - b
			  : m == S_MUL	? a * b
			  : m == S_DIV	? a / b
			  : m == S_MAX	? (a > b ? a : b)
					: (a < b ? a : b);
		rt_setf(out, e, r);
	} else {
		int64_t a = rt_geti(out, e), b = rt_geti(upd, u);
		int64_t r = m == S_UPDATE ? b
			    : m == S_ADD  ? a + b
			    : m == S_SUB  ? a - b
			    : m == S_MUL  ? a * b
			    : m == S_DIV  ? (b ? a / b : 0)
			    : m == S_MAX  ? (a > b ? a : b)
					  : (a < b ? a : b);
		rt_seti(out, e, r);
	}
}

/* Index 'i' into a dimension of size 'n' (negative from the end). */
static int norm_index(struct rt_ctx *ctx, const struct rt_op *op, int64_t i, int64_t n,
		      int64_t *out)
{
	if (i < 0)
		i += n;
	if (i < 0 || i >= n)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "index %lld outside a dimension of %lld",
			       (long long)(i < 0 ? i - n : i), (long long)n);
	*out = i;
	return MLCC_OK;
}

/* A copy of 'data' as the scatter's output. */
static int copy_data(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *data,
		     struct rt_value *out)
{
	int rc = rt_alloc(ctx, op, out, data->dtype, data->rank, data->shape);

	if (rc != MLCC_OK)
		return rc;
	if (data->flags & RT_PACKED)
		for (size_t i = 0; i < data->count; i++)
			rt_seti(out, i, rt_geti(data, i));
	else
		memcpy(out->data, data->data, data->count * dtype_mem_size(data->dtype));
	return MLCC_OK;
}

/* Scatter inputs: data, indices, updates, mode (and axis when 'axis'). */
static int scatter_args(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			struct rt_value **data, struct rt_value **idx, struct rt_value **upd,
			enum mode *m, int *axis)
{
	int64_t a;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "data", data)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "indices", idx)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "updates", upd)) != MLCC_OK ||
	    (rc = mode_of(ctx, op, in, m)) != MLCC_OK)
		return rc;
	if ((*upd)->dtype != (*data)->dtype)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "updates and data have different types");
	if (axis == NULL)
		return MLCC_OK;
	if ((rc = rt_int(ctx, op, in, "axis", true, 0, &a)) != MLCC_OK)
		return rc;
	return rt_axis(ctx, op, a, (*data)->rank, axis);
}

/* scatter: indices [C]; updates = data's shape with dimension 'axis' C. */
int rt_op_scatter(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *data, *idx, *upd;
	enum mode m = S_ADD;
	int ax, rc;
	size_t outer = 1, inner = 1, c;

	if ((rc = scatter_args(ctx, op, in, &data, &idx, &upd, &m, &ax)) != MLCC_OK)
		return rc;
	c = idx->count;
	for (int i = 0; i < ax; i++)
		outer *= (size_t)data->shape[i];
	for (int i = ax + 1; i < data->rank; i++)
		inner *= (size_t)data->shape[i];
	if (idx->rank > 1 || upd->count != outer * c * inner)
		return rt_fail(
			ctx, op, MLCC_E_UNSUPPORTED,
			"indices must be rank 1 and updates data's shape with %zu at axis %d", c,
			ax);
	if ((rc = copy_data(ctx, op, data, out)) != MLCC_OK)
		return rc;
	for (size_t j = 0; j < c; j++) {
		int64_t t = 0;
		if ((rc = norm_index(ctx, op, rt_geti(idx, j), data->shape[ax], &t)) != MLCC_OK)
			return rc;
		for (size_t o = 0; o < outer; o++)
			for (size_t q = 0; q < inner; q++)
				apply(m, out, (o * (size_t)data->shape[ax] + (size_t)t) * inner + q,
				      upd, (o * c + j) * inner + q);
	}
	return MLCC_OK;
}

/* scatter_along_axis: indices and updates of one shape, data's rank. */
int rt_op_scatter_along_axis(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			     struct rt_value *out)
{
	struct rt_value *data, *idx, *upd;
	enum mode m = S_ADD;
	int ax, rc;
	int64_t pos[RT_MAX_RANK] = {0};

	if ((rc = scatter_args(ctx, op, in, &data, &idx, &upd, &m, &ax)) != MLCC_OK)
		return rc;
	if (idx->rank != data->rank || upd->count != idx->count)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "indices, updates and data do not match");
	if ((rc = copy_data(ctx, op, data, out)) != MLCC_OK)
		return rc;
	for (size_t e = 0; e < idx->count; e++) {
		size_t off = 0;
		int64_t t = 0;
		if ((rc = norm_index(ctx, op, rt_geti(idx, e), data->shape[ax], &t)) != MLCC_OK)
			return rc;
		for (int i = 0; i < data->rank; i++) {
			int64_t p = i == ax ? t : pos[i];
			if (p >= data->shape[i])
				return rt_fail(ctx, op, MLCC_E_CORRUPT, "indices larger than data");
			off = off * (size_t)data->shape[i] + (size_t)p;
		}
		apply(m, out, off, upd, e);
		for (int i = idx->rank - 1; i >= 0; i--) {
			if (++pos[i] < idx->shape[i])
				break;
			pos[i] = 0;
		}
	}
	return MLCC_OK;
}

/* Offset in 'x' of the slice named by index tuple 'row' (K entries) of
** 'idx', and the size of that slice. */
static int nd_offset(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *x,
		     const struct rt_value *idx, size_t row, size_t kdim, size_t *off)
{
	size_t o = 0;

	for (size_t d = 0; d < kdim; d++) {
		int64_t t = 0;
		int rc = norm_index(ctx, op, rt_geti(idx, row * kdim + d), x->shape[d], &t);
		if (rc != MLCC_OK)
			return rc;
		o = o * (size_t)x->shape[d] + (size_t)t;
	}
	*off = o;
	return MLCC_OK;
}

/* Rows (index tuples), K, and the slice size of an *_nd op. */
static int nd_geometry(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *x,
		       const struct rt_value *idx, size_t *rows, size_t *kdim, size_t *slice)
{
	if (idx->rank < 1 || idx->shape[idx->rank - 1] > x->rank)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "indices' last dimension exceeds the rank");
	*kdim = (size_t)idx->shape[idx->rank - 1];
	*rows = *kdim ? idx->count / *kdim : 0;
	*slice = 1;
	for (int i = (int)*kdim; i < x->rank; i++)
		*slice *= (size_t)x->shape[i];
	return MLCC_OK;
}

int rt_op_gather_nd(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		    struct rt_value *out)
{
	struct rt_value *x, *idx;
	int64_t bd, shape[RT_MAX_RANK];
	size_t rows = 0, kdim = 0, slice = 0, es;
	int rank = 0, rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "indices", &idx)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "batch_dims", true, 0, &bd)) != MLCC_OK ||
	    (rc = nd_geometry(ctx, op, x, idx, &rows, &kdim, &slice)) != MLCC_OK)
		return rc;
	if (bd != 0)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "gather_nd with batch_dims %lld",
			       (long long)bd);
	for (int i = 0; i < idx->rank - 1; i++)
		shape[rank++] = idx->shape[i];
	for (int i = (int)kdim; i < x->rank; i++)
		shape[rank++] = x->shape[i];
	if (rank > RT_MAX_RANK)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "result rank %d", rank);
	if ((rc = rt_alloc(ctx, op, out, x->dtype, rank, shape)) != MLCC_OK)
		return rc;
	es = dtype_mem_size(x->dtype);
	for (size_t r = 0; r < rows; r++) {
		size_t off;
		if ((rc = nd_offset(ctx, op, x, idx, r, kdim, &off)) != MLCC_OK)
			return rc;
		for (size_t s = 0; s < slice; s++) {
			if (x->flags & RT_PACKED)
				rt_seti(out, r * slice + s, rt_geti(x, off * slice + s));
			else
				memcpy((char *)out->data + (r * slice + s) * es,
				       (const char *)x->data + (off * slice + s) * es, es);
		}
	}
	return MLCC_OK;
}

int rt_op_scatter_nd(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		     struct rt_value *out)
{
	struct rt_value *data, *idx, *upd;
	enum mode m = S_ADD;
	size_t rows = 0, kdim = 0, slice = 0;
	int rc;

	if ((rc = scatter_args(ctx, op, in, &data, &idx, &upd, &m, NULL)) != MLCC_OK ||
	    (rc = nd_geometry(ctx, op, data, idx, &rows, &kdim, &slice)) != MLCC_OK)
		return rc;
	if (upd->count != rows * slice)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "updates have %zu elements, expected %zu",
			       upd->count, rows * slice);
	if ((rc = copy_data(ctx, op, data, out)) != MLCC_OK)
		return rc;
	for (size_t r = 0; r < rows; r++) {
		size_t off;
		if ((rc = nd_offset(ctx, op, data, idx, r, kdim, &off)) != MLCC_OK)
			return rc;
		for (size_t s = 0; s < slice; s++)
			apply(m, out, off * slice + s, upd, r * slice + s);
	}
	return MLCC_OK;
}

/* one_hot: a new axis of one_hot_vector_size at 'axis'; the declared type. */
int rt_op_one_hot(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *idx;
	int64_t size, axis, shape[RT_MAX_RANK];
	float on, off;
	const struct mtype *t = op->op->outputs[0].type;
	enum dtype dt = t && t->kind == TY_TENSOR ? t->dtype : DT_FP32;
	size_t outer = 1, inner = 1;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "indices", &idx)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "one_hot_vector_size", false, 0, &size)) != MLCC_OK ||
	    (rc = rt_int(ctx, op, in, "axis", true, -1, &axis)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "on_value", true, 1, &on)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "off_value", true, 0, &off)) != MLCC_OK)
		return rc;
	if (axis < 0)
		axis += idx->rank + 1;
	if (axis < 0 || axis > idx->rank || idx->rank + 1 > RT_MAX_RANK || size < 1)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "bad axis or one_hot_vector_size");
	for (int i = 0, k = 0; i <= idx->rank; i++)
		shape[i] = i == axis ? size : idx->shape[k++];
	for (int i = 0; i < axis; i++)
		outer *= (size_t)idx->shape[i];
	for (int i = (int)axis; i < idx->rank; i++)
		inner *= (size_t)idx->shape[i];
	if ((rc = rt_alloc(ctx, op, out, dt, idx->rank + 1, shape)) != MLCC_OK)
		return rc;
	for (size_t o = 0; o < outer; o++)
		for (size_t c = 0; c < (size_t)size; c++)
			for (size_t q = 0; q < inner; q++) {
				int64_t v = rt_geti(idx, o * inner + q);
				size_t e = (o * (size_t)size + c) * inner + q;
				rt_setf(out, e, v == (int64_t)c ? on : off);
			}
	return MLCC_OK;
}

/* non_zero: int32 [N, rank] coordinates of the non-zero elements, in order. */
int rt_op_non_zero(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		   struct rt_value *out)
{
	struct rt_value *x;
	int64_t shape[2];
	size_t n = 0, k = 0;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < x->count; i++)
		n += rt_is_float(x->dtype) ? rt_getf(x, i) != 0 : rt_geti(x, i) != 0;
	shape[0] = (int64_t)n;
	shape[1] = x->rank;
	if ((rc = rt_alloc(ctx, op, out, DT_INT32, 2, shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < x->count; i++) {
		bool nz = rt_is_float(x->dtype) ? rt_getf(x, i) != 0 : rt_geti(x, i) != 0;
		size_t rem = i;
		if (!nz)
			continue;
		for (int d = x->rank - 1; d >= 0; d--) {
			rt_seti(out, k * (size_t)x->rank + (size_t)d,
				(int64_t)(rem % (size_t)x->shape[d]));
			rem /= (size_t)x->shape[d];
		}
		k++;
	}
	return MLCC_OK;
}
