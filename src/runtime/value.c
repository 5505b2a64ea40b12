/*
** value.c -- the helpers of op.h every kernel uses: finding arguments,
** reading scalar parameters, allocating results, element access with the
** one rounding rule, broadcasting, messages.
**
** Element access (rt_getf/rt_setf...) is the slow generic path, a switch
** per element; kernels that matter for speed work on typed arrays.
*/
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "runtime/rt.h"

struct rt_value *rt_arg(const struct rt_op *op, struct rt_value **in, const char *param)
{
	for (size_t i = 0; i < op->nargs; i++)
		if (strcmp(op->args[i].param, param) == 0 && op->args[i].n > 0)
			return in[op->args[i].first];
	return NULL;
}

size_t rt_args(const struct rt_op *op, struct rt_value **in, const char *param,
	       struct rt_value ***vals)
{
	for (size_t i = 0; i < op->nargs; i++)
		if (strcmp(op->args[i].param, param) == 0) {
			*vals = in + op->args[i].first;
			return op->args[i].n;
		}
	*vals = NULL;
	return 0;
}

int rt_fail(struct rt_ctx *ctx, const struct rt_op *op, int status, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	struct model_site at = {ctx->file, ctx->func, op ? op->op : NULL, op ? op->index : 0};

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return model_fail(ctx->d, status, &at, "%s", msg);
}

int rt_need_arg(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, const char *param,
		struct rt_value **v)
{
	*v = rt_arg(op, in, param);
	if (*v == NULL)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "missing input '%s'", param);
	return MLCC_OK;
}

/* The single element of 'v' (rank 0, or one element), or an error. */
static int scalar_of(struct rt_ctx *ctx, const struct rt_op *op, const char *param,
		     const struct rt_value *v)
{
	if (v->count != 1 || v->data == NULL)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "'%s' must be a scalar", param);
	return MLCC_OK;
}

/* The scalar input 'param' into '*v', or NULL when it is absent and a
** default is allowed ('def_ok'); absent without a default is an error. */
static int scalar_arg(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		      const char *param, bool def_ok, struct rt_value **v)
{
	if ((*v = rt_arg(op, in, param)) == NULL)
		return def_ok ? MLCC_OK
			      : rt_fail(ctx, op, MLCC_E_CORRUPT, "missing input '%s'", param);
	return scalar_of(ctx, op, param, *v);
}

int rt_int(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, const char *param,
	   bool def_ok, int64_t def, int64_t *out)
{
	struct rt_value *v;
	int rc = scalar_arg(ctx, op, in, param, def_ok, &v);

	*out = rc == MLCC_OK && v ? rt_geti(v, 0) : def;
	return rc;
}

int rt_float(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, const char *param,
	     bool def_ok, float def, float *out)
{
	struct rt_value *v;
	int rc = scalar_arg(ctx, op, in, param, def_ok, &v);

	*out = rc == MLCC_OK && v ? rt_getf(v, 0) : def;
	return rc;
}

int rt_bool(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, const char *param,
	    bool def_ok, bool def, bool *out)
{
	int64_t x = def;
	int rc = rt_int(ctx, op, in, param, def_ok, def, &x);

	*out = x != 0;
	return rc;
}

int rt_str(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, const char *param,
	   const char *def, const char **out)
{
	struct rt_value *v = rt_arg(op, in, param);

	*out = def;
	if (v == NULL)
		return def ? MLCC_OK
			   : rt_fail(ctx, op, MLCC_E_CORRUPT, "missing input '%s'", param);
	if (v->dtype != DT_STRING || v->count != 1)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "'%s' must be a string", param);
	*out = ((const char *const *)v->data)[0];
	return MLCC_OK;
}

int rt_ints(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, const char *param,
	    bool def_ok, int64_t *vals, size_t max, size_t *n)
{
	struct rt_value *v = rt_arg(op, in, param);

	*n = 0;
	if (v == NULL)
		return def_ok ? MLCC_OK
			      : rt_fail(ctx, op, MLCC_E_CORRUPT, "missing input '%s'", param);
	if (v->rank > 1 || v->count > max || rt_is_float(v->dtype) || v->dtype == DT_STRING)
		return rt_fail(ctx, op, MLCC_E_CORRUPT,
			       "'%s' must be an integer vector of at most %zu elements", param,
			       max);
	for (size_t i = 0; i < v->count; i++)
		vals[i] = rt_geti(v, i);
	*n = v->count;
	return MLCC_OK;
}

size_t rt_shape_count(int rank, const int64_t *shape)
{
	size_t n = 1;

	for (int i = 0; i < rank; i++) {
		if (shape[i] < 0)
			return SIZE_MAX;
		if (shape[i] != 0 && n > SIZE_MAX / (size_t)shape[i])
			return SIZE_MAX;
		n *= (size_t)shape[i];
	}
	return n;
}

int rt_alloc(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value *out, enum dtype dtype,
	     int rank, const int64_t *shape)
{
	size_t n = rank >= 0 && rank <= RT_MAX_RANK ? rt_shape_count(rank, shape) : SIZE_MAX;
	size_t es = dtype_mem_size(dtype);

	if (n == SIZE_MAX || es == 0 || n > (SIZE_MAX / 2) / es)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "result shape is invalid or too large");
	memset(out, 0, sizeof *out);
	out->data = ctx && ctx->exec && n * es > 0 ? rt_exec_spare(ctx->exec, n * es) : NULL;
	if (out->data == NULL)
		out->data = malloc(n * es > 0 ? n * es : 1);
	if (out->data == NULL)
		return rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory (%zu bytes)", n * es);
	out->dtype = dtype;
	out->rank = rank;
	memcpy(out->shape, shape, (size_t)rank * sizeof *shape);
	out->count = n;
	out->flags = RT_OWNED;
	return MLCC_OK;
}

void rt_share(struct rt_value *out, const struct rt_value *src, int rank, const int64_t *shape)
{
	*out = *src;
	out->flags &= ~(unsigned)(RT_OWNED | RT_STATE);
	out->rank = rank;
	memmove(out->shape, shape, (size_t)rank * sizeof *shape);
}

void rt_value_free(struct rt_value *v)
{
	if (v->flags & RT_OWNED)
		free(v->data);
	memset(v, 0, sizeof *v);
}

bool rt_is_float(enum dtype t)
{
	return t == DT_FP16 || t == DT_FP32 || t == DT_FP64;
}

/* Field i of a packed array of 'bits'-bit elements, LSB-first. */
static uint64_t packed_get(const uint8_t *p, unsigned bits, size_t i)
{
	size_t bit = i * bits;
	uint64_t x = 0;

	for (unsigned b = 0; b < bits; b++, bit++)
		x |= (uint64_t)((p[bit >> 3] >> (bit & 7)) & 1u) << b;
	return x;
}

int64_t rt_geti(const struct rt_value *v, size_t i)
{
	if (v->flags & RT_PACKED) {
		unsigned bits = dtype_info(v->dtype)->bits;
		uint64_t x = packed_get(v->data, bits, i);
		if (v->dtype == DT_INT4 && (x & 8))
			return (int64_t)x - 16;
		return (int64_t)x;
	}
	switch (v->dtype) {
	case DT_FP16:
	case DT_FP32:
	case DT_FP64: {
		double f = v->dtype == DT_FP64 ? ((const double *)v->data)[i] : rt_getf(v, i);
		return isnan(f)	      ? 0
		       : f >= 9.2e18  ? INT64_MAX
		       : f <= -9.2e18 ? INT64_MIN
				      : (int64_t)f;
	}
	case DT_BOOL:
	case DT_UINT8:
	case DT_UINT1:
	case DT_UINT2:
	case DT_UINT3:
	case DT_UINT4:
	case DT_UINT6: return ((const uint8_t *)v->data)[i];
	case DT_INT4:
	case DT_INT8: return ((const int8_t *)v->data)[i];
	case DT_INT16: return ((const int16_t *)v->data)[i];
	case DT_UINT16: return ((const uint16_t *)v->data)[i];
	case DT_INT32: return ((const int32_t *)v->data)[i];
	case DT_UINT32: return ((const uint32_t *)v->data)[i];
	case DT_INT64: return ((const int64_t *)v->data)[i];
	case DT_UINT64: return (int64_t)((const uint64_t *)v->data)[i];
	default: return 0;
	}
}

float rt_getf(const struct rt_value *v, size_t i)
{
	switch (v->dtype) {
	case DT_FP16: return k_h2f(((const uint16_t *)v->data)[i]);
	case DT_FP32: return ((const float *)v->data)[i];
	case DT_FP64: return (float)((const double *)v->data)[i];
	case DT_UINT64: return (float)((const uint64_t *)v->data)[i];
	default: return (float)rt_geti(v, i);
	}
}

/* 'x' saturated to [lo, hi] and truncated toward zero (NaN: 0). */
static int64_t sat(float x, double lo, double hi)
{
	if (isnan(x))
		return 0;
	if (x <= lo)
		return (int64_t)lo;
	if (x >= hi)
		return (int64_t)hi;
	return (int64_t)x;
}

void rt_setf(struct rt_value *v, size_t i, float x)
{
	switch (v->dtype) {
	case DT_FP16: ((uint16_t *)v->data)[i] = k_f2h(x); return;
	case DT_FP32: ((float *)v->data)[i] = x; return;
	case DT_FP64: ((double *)v->data)[i] = x; return;
	case DT_BOOL: ((uint8_t *)v->data)[i] = x != 0; return;
	case DT_INT8: ((int8_t *)v->data)[i] = (int8_t)sat(x, -128, 127); return;
	case DT_UINT8: ((uint8_t *)v->data)[i] = (uint8_t)sat(x, 0, 255); return;
	case DT_INT16: ((int16_t *)v->data)[i] = (int16_t)sat(x, -32768, 32767); return;
	case DT_UINT16: ((uint16_t *)v->data)[i] = (uint16_t)sat(x, 0, 65535); return;
	case DT_INT32:
		((int32_t *)v->data)[i] = (int32_t)sat(x, -2147483648.0, 2147483647.0);
		return;
	case DT_UINT32: ((uint32_t *)v->data)[i] = (uint32_t)sat(x, 0, 4294967295.0); return;
	case DT_INT64: ((int64_t *)v->data)[i] = sat(x, -9.2e18, 9.2e18); return;
	case DT_UINT64: ((uint64_t *)v->data)[i] = (uint64_t)sat(x, 0, 9.2e18); return;
	default: return;
	}
}

void rt_seti(struct rt_value *v, size_t i, int64_t x)
{
	switch (v->dtype) {
	case DT_FP16:
	case DT_FP32:
	case DT_FP64: rt_setf(v, i, (float)x); return;
	case DT_BOOL: ((uint8_t *)v->data)[i] = x != 0; return;
	case DT_INT8: ((int8_t *)v->data)[i] = (int8_t)x; return;
	case DT_UINT8: ((uint8_t *)v->data)[i] = (uint8_t)x; return;
	case DT_INT16: ((int16_t *)v->data)[i] = (int16_t)x; return;
	case DT_UINT16: ((uint16_t *)v->data)[i] = (uint16_t)x; return;
	case DT_INT32: ((int32_t *)v->data)[i] = (int32_t)x; return;
	case DT_UINT32: ((uint32_t *)v->data)[i] = (uint32_t)x; return;
	case DT_INT64: ((int64_t *)v->data)[i] = x; return;
	case DT_UINT64: ((uint64_t *)v->data)[i] = (uint64_t)x; return;
	default: return;
	}
}

float *rt_to_f32(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *v)
{
	float *f = malloc(v->count ? v->count * sizeof *f : 1);

	if (f == NULL) {
		rt_fail(ctx, op, MLCC_E_NOMEM, "out of memory");
		return NULL;
	}
	if (v->dtype == DT_FP16 && !(v->flags & RT_PACKED))
		k_h2f_n(v->data, f, v->count);
	else if (v->dtype == DT_FP32)
		memcpy(f, v->data, v->count * sizeof *f);
	else
		for (size_t i = 0; i < v->count; i++)
			f[i] = rt_getf(v, i);
	return f;
}

void rt_from_f32(struct rt_value *out, const float *src)
{
	if (out->dtype == DT_FP16)
		k_f2h_n(src, out->data, out->count);
	else if (out->dtype == DT_FP32)
		memcpy(out->data, src, out->count * sizeof *src);
	else
		for (size_t i = 0; i < out->count; i++)
			rt_setf(out, i, src[i]);
}

int rt_broadcast(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *a,
		 const struct rt_value *b, int *rank, int64_t *shape)
{
	int r = a->rank > b->rank ? a->rank : b->rank;

	for (int i = 0; i < r; i++) {
		int ia = a->rank - r + i, ib = b->rank - r + i;
		int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
		if (da != db && da != 1 && db != 1)
			return rt_fail(ctx, op, MLCC_E_CORRUPT,
				       "shapes do not broadcast (dimension %d: %lld vs %lld)", i,
				       (long long)da, (long long)db);
		shape[i] = da == 1 ? db : da;
	}
	*rank = r;
	return MLCC_OK;
}

size_t rt_bcast_index(const struct rt_value *v, int rank, const int64_t *idx)
{
	size_t off = 0;

	for (int i = 0; i < v->rank; i++) {
		int64_t d = v->shape[i];
		int64_t x = idx[rank - v->rank + i];
		off = off * (size_t)d + (size_t)(d == 1 ? 0 : x);
	}
	return off;
}

int rt_axis(struct rt_ctx *ctx, const struct rt_op *op, int64_t axis, int rank, int *out)
{
	int64_t a = axis < 0 ? axis + rank : axis;

	if (a < 0 || a >= (rank > 0 ? rank : 1))
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "axis %lld is out of range for rank %d",
			       (long long)axis, rank);
	*out = (int)a;
	return MLCC_OK;
}

/* The runtime's storage types and their public names (one table). */
static const struct {
	enum dtype in;
	enum mlcc_dtype pub;
} dtypes[] = {
	{DT_FP16, MLCC_FLOAT16},  {DT_FP32, MLCC_FLOAT32},  {DT_FP64, MLCC_FLOAT64},
	{DT_INT8, MLCC_INT8},	  {DT_UINT8, MLCC_UINT8},   {DT_INT16, MLCC_INT16},
	{DT_UINT16, MLCC_UINT16}, {DT_INT32, MLCC_INT32},   {DT_UINT32, MLCC_UINT32},
	{DT_INT64, MLCC_INT64},	  {DT_UINT64, MLCC_UINT64}, {DT_BOOL, MLCC_BOOL},
};

enum mlcc_dtype rt_public_dtype(enum dtype t)
{
	for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
		if (dtypes[i].in == t)
			return dtypes[i].pub;
	return (enum mlcc_dtype)0;
}

enum dtype rt_internal_dtype(enum mlcc_dtype t)
{
	for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++)
		if (dtypes[i].pub == t)
			return dtypes[i].in;
	return DT_INVALID;
}
