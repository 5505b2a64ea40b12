/*
** op_elementwise.c -- element-wise ops: binary arithmetic with numpy
** broadcasting, unary math and activations, comparisons, logical ops,
** select, clip, cast, identity.
**
** Numeric rule: float inputs are widened to float, the op is computed in
** float (libm), the result is rounded once to the output type (fp16:
** round to nearest even).  Integer inputs are computed exactly in int64
** and wrapped to the output type (real_div on integers is a float
** division truncated, floor_div floors, mod takes the sign of the
** divisor as numpy; division by zero gives 0).  Bools are 0/1.
*/
#include <math.h>
#include <string.h>

#include "runtime/op.h"

/* ---- broadcasting iteration ---------------------------------------------- */

/* Walks the elements of a 'rank'-dimensional result, keeping the offset of
** the matching element in up to three broadcast operands. */
struct bcast {
	int rank;
	int64_t shape[RT_MAX_RANK];
	int64_t idx[RT_MAX_RANK];
	size_t stride[3][RT_MAX_RANK]; /* 0 on broadcast dimensions */
	size_t off[3];
	int nops;
};

static void bcast_init(struct bcast *b, int rank, const int64_t *shape,
		       const struct rt_value *const *ops, int nops)
{
	memset(b, 0, sizeof *b);
	b->rank = rank;
	b->nops = nops;
	memcpy(b->shape, shape, (size_t)rank * sizeof *shape);
	for (int k = 0; k < nops; k++) {
		size_t s = 1;
		for (int i = ops[k]->rank - 1; i >= 0; i--) {
			int oi = rank - ops[k]->rank + i;
			b->stride[k][oi] = ops[k]->shape[i] == 1 ? 0 : s;
			s *= (size_t)ops[k]->shape[i];
		}
	}
}

static void bcast_next(struct bcast *b)
{
	for (int i = b->rank - 1; i >= 0; i--) {
		for (int k = 0; k < b->nops; k++)
			b->off[k] += b->stride[k][i];
		if (++b->idx[i] < b->shape[i])
			return;
		for (int k = 0; k < b->nops; k++)
			b->off[k] -= b->stride[k][i] * (size_t)b->shape[i];
		b->idx[i] = 0;
	}
}

/* ---- binary arithmetic ---------------------------------------------------- */

enum bin { B_ADD, B_SUB, B_MUL, B_DIV, B_FLOORDIV, B_MOD, B_POW, B_MAX, B_MIN };

static const char *const bin_names[] = {"add", "sub", "mul",	 "real_div", "floor_div",
					"mod", "pow", "maximum", "minimum"};

static float bin_f(enum bin o, float x, float y)
{
	switch (o) {
	case B_ADD: return x + y;
	case B_SUB: return x - y;
	case B_MUL: return x * y;
	case B_DIV: return x / y;
	case B_FLOORDIV: return floorf(x / y);
	case B_MOD: {
		float r = fmodf(x, y);
		return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
	}
	case B_POW: return powf(x, y);
	case B_MAX: return x > y || isnan(x) ? x : y;
	case B_MIN: return x < y || isnan(x) ? x : y;
	}
	return 0;
}

static int64_t bin_i(enum bin o, int64_t x, int64_t y)
{
	switch (o) {
	case B_ADD: return (int64_t)((uint64_t)x + (uint64_t)y);
	case B_SUB: return (int64_t)((uint64_t)x - (uint64_t)y);
	case B_MUL: return (int64_t)((uint64_t)x * (uint64_t)y);
	case B_DIV: return y == 0 || (x == INT64_MIN && y == -1) ? 0 : x / y;
	case B_FLOORDIV: {
		if (y == 0 || (x == INT64_MIN && y == -1))
			return 0;
		int64_t q = x / y;
		return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
	}
	case B_MOD: {
		if (y == 0 || y == -1)
			return 0;
		int64_t r = x % y;
		return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
	}
	case B_POW: {
		int64_t r = 1;
		if (y < 0)
			return x == 1 ? 1 : x == -1 ? (y % 2 ? -1 : 1) : 0;
		for (int64_t i = 0; i < y && i < 64; i++)
			r = (int64_t)((uint64_t)r * (uint64_t)x);
		return r;
	}
	case B_MAX: return x > y ? x : y;
	case B_MIN: return x < y ? x : y;
	}
	return 0;
}

/* Index of 'type' in 'names' (n entries), or -1. */
static int which(const char *type, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(type, names[i]) == 0)
			return i;
	return -1;
}

/* x and y of a binary op, and the broadcast result shape. */
static int binary_operands(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			   struct rt_value **x, struct rt_value **y, int *rank, int64_t *shape)
{
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", x)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "y", y)) != MLCC_OK)
		return rc;
	return rt_broadcast(ctx, op, *x, *y, rank, shape);
}

/* fp16 (op) fp16 -> fp16, the hot case: no per-element type switch. */
static void binary_f16(enum bin o, struct bcast *b, const struct rt_value *x,
		       const struct rt_value *y, struct rt_value *out)
{
	const uint16_t *px = x->data, *py = y->data;
	uint16_t *po = out->data;

	for (size_t i = 0; i < out->count; i++, bcast_next(b))
		po[i] = k_f2h(bin_f(o, k_h2f(px[b->off[0]]), k_h2f(py[b->off[1]])));
}

int rt_op_binary(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value *x, *y;
	int64_t shape[RT_MAX_RANK];
	int rank, rc, o = which(op->op->type, bin_names, 9);
	struct bcast b;
	const struct rt_value *ops[2];

	if (o < 0)
		return rt_fail(ctx, op, MLCC_E_INTERNAL, "not a binary op");
	if ((rc = binary_operands(ctx, op, in, &x, &y, &rank, shape)) != MLCC_OK)
		return rc;
	if (x->dtype != y->dtype)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "x and y have different types (%s, %s)",
			       dtype_info(x->dtype)->mil, dtype_info(y->dtype)->mil);
	if ((rc = rt_alloc(ctx, op, out, x->dtype, rank, shape)) != MLCC_OK)
		return rc;
	ops[0] = x;
	ops[1] = y;
	bcast_init(&b, rank, shape, ops, 2);
	if (x->dtype == DT_FP16 && !(x->flags & RT_PACKED)) {
		binary_f16((enum bin)o, &b, x, y, out);
		return MLCC_OK;
	}
	for (size_t i = 0; i < out->count; i++, bcast_next(&b)) {
		if (rt_is_float(x->dtype))
			rt_setf(out, i,
				bin_f((enum bin)o, rt_getf(x, b.off[0]), rt_getf(y, b.off[1])));
		else
			rt_seti(out, i,
				bin_i((enum bin)o, rt_geti(x, b.off[0]), rt_geti(y, b.off[1])));
	}
	return MLCC_OK;
}

/* ---- comparisons and logical ops ------------------------------------------ */

static const char *const cmp_names[] = {"equal",      "not_equal", "less",
					"less_equal", "greater",   "greater_equal"};

static bool cmp(int o, double x, double y)
{
	switch (o) {
	case 0: return x == y;
	case 1: return x != y;
	case 2: return x < y;
	case 3: return x <= y;
	case 4: return x > y;
	default: return x >= y;
	}
}

int rt_op_compare(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	struct rt_value *x, *y;
	int64_t shape[RT_MAX_RANK];
	int rank, rc, o = which(op->op->type, cmp_names, 6);
	struct bcast b;
	const struct rt_value *ops[2];
	bool fl;

	if (o < 0)
		return rt_fail(ctx, op, MLCC_E_INTERNAL, "not a comparison");
	if ((rc = binary_operands(ctx, op, in, &x, &y, &rank, shape)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, DT_BOOL, rank, shape)) != MLCC_OK)
		return rc;
	ops[0] = x;
	ops[1] = y;
	bcast_init(&b, rank, shape, ops, 2);
	fl = rt_is_float(x->dtype) || rt_is_float(y->dtype);
	for (size_t i = 0; i < out->count; i++, bcast_next(&b)) {
		bool r;
		if (fl) {
			r = cmp(o, rt_getf(x, b.off[0]), rt_getf(y, b.off[1]));
		} else { /* integers compared exactly, not through double */
			int64_t a = rt_geti(x, b.off[0]), c = rt_geti(y, b.off[1]);
			r = o == 0   ? a == c
			    : o == 1 ? a != c
			    : o == 2 ? a < c
			    : o == 3 ? a <= c
			    : o == 4 ? a > c
				     : a >= c;
		}
		((uint8_t *)out->data)[i] = r;
	}
	return MLCC_OK;
}

int rt_op_logical(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		  struct rt_value *out)
{
	static const char *const names[] = {"logical_and", "logical_or", "logical_xor",
					    "logical_not"};
	int o = which(op->op->type, names, 4), rank, rc;
	struct rt_value *x, *y;
	int64_t shape[RT_MAX_RANK];
	struct bcast b;
	const struct rt_value *ops[2];

	if (o == 3) {
		if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
		    (rc = rt_alloc(ctx, op, out, DT_BOOL, x->rank, x->shape)) != MLCC_OK)
			return rc;
		for (size_t i = 0; i < out->count; i++)
			((uint8_t *)out->data)[i] = rt_geti(x, i) == 0;
		return MLCC_OK;
	}
	if (o < 0)
		return rt_fail(ctx, op, MLCC_E_INTERNAL, "not a logical op");
	if ((rc = binary_operands(ctx, op, in, &x, &y, &rank, shape)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, DT_BOOL, rank, shape)) != MLCC_OK)
		return rc;
	ops[0] = x;
	ops[1] = y;
	bcast_init(&b, rank, shape, ops, 2);
	for (size_t i = 0; i < out->count; i++, bcast_next(&b)) {
		bool a = rt_geti(x, b.off[0]) != 0, c = rt_geti(y, b.off[1]) != 0;
		((uint8_t *)out->data)[i] = o == 0 ? a && c : o == 1 ? a || c : a != c;
	}
	return MLCC_OK;
}

/* ---- select ----------------------------------------------------------------- */

int rt_op_select(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		 struct rt_value *out)
{
	struct rt_value *c, *a, *bv, tmp = {0};
	int64_t shape[RT_MAX_RANK];
	int rank, rc;
	struct bcast b;
	const struct rt_value *ops[3];
	size_t es;

	if ((rc = rt_need_arg(ctx, op, in, "cond", &c)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "a", &a)) != MLCC_OK ||
	    (rc = rt_need_arg(ctx, op, in, "b", &bv)) != MLCC_OK ||
	    (rc = rt_broadcast(ctx, op, c, a, &rank, shape)) != MLCC_OK)
		return rc;
	tmp.rank = rank;
	memcpy(tmp.shape, shape, sizeof shape);
	if ((rc = rt_broadcast(ctx, op, &tmp, bv, &rank, shape)) != MLCC_OK)
		return rc;
	if (a->dtype != bv->dtype)
		return rt_fail(ctx, op, MLCC_E_CORRUPT, "a and b have different types");
	if ((rc = rt_alloc(ctx, op, out, a->dtype, rank, shape)) != MLCC_OK)
		return rc;
	ops[0] = c;
	ops[1] = a;
	ops[2] = bv;
	bcast_init(&b, rank, shape, ops, 3);
	es = dtype_mem_size(a->dtype);
	for (size_t i = 0; i < out->count; i++, bcast_next(&b)) {
		bool t = rt_geti(c, b.off[0]) != 0;
		const struct rt_value *src = t ? a : bv;
		if (src->flags & RT_PACKED)
			rt_seti(out, i, rt_geti(src, b.off[t ? 1 : 2]));
		else
			memcpy((char *)out->data + i * es,
			       (const char *)src->data + b.off[t ? 1 : 2] * es, es);
	}
	return MLCC_OK;
}

/* ---- unary math and activations ------------------------------------------- */

enum un {
	U_EXP,
	U_EXP2,
	U_LOG,
	U_SQRT,
	U_RSQRT,
	U_INVERSE,
	U_ABS,
	U_SIGN,
	U_FLOOR,
	U_CEIL,
	U_ROUND,
	U_SIN,
	U_COS,
	U_TAN,
	U_ASIN,
	U_ACOS,
	U_ATAN,
	U_SINH,
	U_COSH,
	U_TANH,
	U_ATANH,
	U_ERF,
	U_SQUARE,
	U_SIGMOID,
	U_RELU,
	U_RELU6,
	U_SILU,
	U_GELU,
	U_SOFTPLUS,
	U_SOFTSIGN,
	U_LEAKY_RELU,
	U_ELU,
	U_HARD_SIGMOID,
	U_LINEAR_ACT,
	U_SCALED_TANH,
	U_THRESHOLDED_RELU,
	U_CLAMPED_RELU,
	U_COUNT
};

static const char *const un_names[U_COUNT] = {"exp",	      "exp2",
					      "log",	      "sqrt",
					      "rsqrt",	      "inverse",
					      "abs",	      "sign",
					      "floor",	      "ceil",
					      "round",	      "sin",
					      "cos",	      "tan",
					      "asin",	      "acos",
					      "atan",	      "sinh",
					      "cosh",	      "tanh",
					      "atanh",	      "erf",
					      "square",	      "sigmoid",
					      "relu",	      "relu6",
					      "silu",	      "gelu",
					      "softplus",     "softsign",
					      "leaky_relu",   "elu",
					      "sigmoid_hard", "linear_activation",
					      "scaled_tanh",  "thresholded_relu",
					      "clamped_relu"};

struct un_params {
	float alpha, beta, eps;
	int gelu; /* 0 exact, 1 tanh approximation, 2 sigmoid approximation */
};

static float gelu(float x, int mode)
{
	if (mode == 1)
		return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
	if (mode == 2)
		return x / (1.0f + expf(-1.702f * x));
	return 0.5f * x * (1.0f + erff(x * 0.7071067811865476f));
}

static float un_f(enum un o, float x, const struct un_params *p)
{
	switch (o) {
	case U_EXP: return expf(x);
	case U_EXP2: return exp2f(x);
	case U_LOG: return logf(x + p->eps);
	case U_SQRT: return sqrtf(x);
	case U_RSQRT: return 1.0f / sqrtf(x + p->eps);
	case U_INVERSE: return 1.0f / (x + p->eps);
	case U_ABS: return fabsf(x);
	case U_SIGN: return x > 0 ? 1.0f : x < 0 ? -1.0f : 0.0f;
	case U_FLOOR: return floorf(x);
	case U_CEIL: return ceilf(x);
	case U_ROUND: return nearbyintf(x);
	case U_SIN: return sinf(x);
	case U_COS: return cosf(x);
	case U_TAN: return tanf(x);
	case U_ASIN: return asinf(x);
	case U_ACOS: return acosf(x);
	case U_ATAN: return atanf(x);
	case U_SINH: return sinhf(x);
	case U_COSH: return coshf(x);
	case U_TANH: return tanhf(x);
	case U_ATANH: return atanhf(x);
	case U_ERF: return erff(x);
	case U_SQUARE: return x * x;
	case U_SIGMOID: return 1.0f / (1.0f + expf(-x));
	case U_RELU: return x > 0 ? x : 0.0f;
	case U_RELU6: return x < 0 ? 0.0f : x > 6 ? 6.0f : x;
	case U_SILU: return x / (1.0f + expf(-x));
	case U_GELU: return gelu(x, p->gelu);
	case U_SOFTPLUS: return x > 20 ? x : log1pf(expf(x));
	case U_SOFTSIGN: return x / (1.0f + fabsf(x));
	case U_LEAKY_RELU: return x >= 0 ? x : p->alpha * x;
	case U_ELU: return x > 0 ? x : p->alpha * (expf(x) - 1.0f);
	case U_HARD_SIGMOID: {
		float r = p->alpha * x + p->beta;
		return r < 0 ? 0.0f : r > 1 ? 1.0f : r;
	}
	case U_LINEAR_ACT: return p->alpha * x + p->beta;
	case U_SCALED_TANH: return p->alpha * tanhf(p->beta * x);
	case U_THRESHOLDED_RELU: return x > p->alpha ? x : 0.0f;
	case U_CLAMPED_RELU: {
		float r = x >= 0 ? x : p->alpha * x;
		return r > p->beta ? p->beta : r;
	}
	case U_COUNT: break;
	}
	return 0;
}

/* The parameters op 'o' takes, with the defaults of the op definitions. */
static int un_params(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in, enum un o,
		     struct un_params *p)
{
	float ad = o == U_LEAKY_RELU ? 0.01f : o == U_HARD_SIGMOID ? 0.2f : 1.0f;
	float bd = o == U_HARD_SIGMOID ? 0.5f : o == U_LINEAR_ACT ? 0.0f : 1.0f;
	float ed = o == U_RSQRT ? 1e-12f : o == U_INVERSE ? 1e-4f : o == U_LOG ? 1e-45f : 0.0f;
	const char *mode;
	int rc;

	if ((rc = rt_float(ctx, op, in, "alpha", true, ad, &p->alpha)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "beta", true, bd, &p->beta)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "epsilon", true, ed, &p->eps)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "mode", "EXACT", &mode)) != MLCC_OK)
		return rc;
	p->gelu = strcmp(mode, "TANH_APPROXIMATION") == 0      ? 1
		  : strcmp(mode, "SIGMOID_APPROXIMATION") == 0 ? 2
							       : 0;
	return MLCC_OK;
}

/* Integer inputs of abs, sign, square, relu: exact. */
static int64_t un_i(enum un o, int64_t x)
{
	switch (o) {
	case U_ABS: return x < 0 ? -x : x;
	case U_SIGN: return x > 0 ? 1 : x < 0 ? -1 : 0;
	case U_SQUARE: return x * x;
	case U_RELU: return x > 0 ? x : 0;
	default: return x;
	}
}

int rt_op_unary(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		struct rt_value *out)
{
	int o = which(op->op->type, un_names, U_COUNT), rc;
	struct rt_value *x;
	struct un_params p;

	if (o < 0)
		return rt_fail(ctx, op, MLCC_E_INTERNAL, "not a unary op");
	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = un_params(ctx, op, in, (enum un)o, &p)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	if (x->dtype == DT_FP16) {
		const uint16_t *px = x->data;
		uint16_t *po = out->data;
		for (size_t i = 0; i < x->count; i++)
			po[i] = k_f2h(un_f((enum un)o, k_h2f(px[i]), &p));
	} else if (rt_is_float(x->dtype)) {
		for (size_t i = 0; i < x->count; i++)
			rt_setf(out, i, un_f((enum un)o, rt_getf(x, i), &p));
	} else if (o == U_ABS || o == U_SIGN || o == U_SQUARE || o == U_RELU) {
		for (size_t i = 0; i < x->count; i++)
			rt_seti(out, i, un_i((enum un)o, rt_geti(x, i)));
	} else {
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "%s of %s is not supported",
			       op->op->type, dtype_info(x->dtype)->mil);
	}
	return MLCC_OK;
}

/* ---- clip, cast, identity ---------------------------------------------------- */

int rt_op_clip(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *x;
	float lo, hi;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "alpha", false, 0, &lo)) != MLCC_OK ||
	    (rc = rt_float(ctx, op, in, "beta", false, 0, &hi)) != MLCC_OK ||
	    (rc = rt_alloc(ctx, op, out, x->dtype, x->rank, x->shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < x->count; i++) {
		float v = rt_getf(x, i);
		rt_setf(out, i, v < lo ? lo : v > hi ? hi : v);
	}
	return MLCC_OK;
}

int rt_op_cast(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
	       struct rt_value *out)
{
	struct rt_value *x;
	const char *name;
	enum dtype t;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK ||
	    (rc = rt_str(ctx, op, in, "dtype", NULL, &name)) != MLCC_OK)
		return rc;
	t = dtype_from_mil(name, strlen(name));
	if (t == DT_INVALID || t == DT_STRING || dtype_info(t)->bits < 8 || t == DT_BF16 ||
	    t == DT_FP8E4M3FN || t == DT_FP8E5M2)
		return rt_fail(ctx, op, MLCC_E_UNSUPPORTED, "cast to '%s' is not supported", name);
	if ((rc = rt_alloc(ctx, op, out, t, x->rank, x->shape)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < x->count; i++) {
		if (rt_is_float(x->dtype))
			rt_setf(out, i, rt_getf(x, i));
		else
			rt_seti(out, i, rt_geti(x, i));
	}
	return MLCC_OK;
}

int rt_op_identity(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
		   struct rt_value *out)
{
	struct rt_value *x;
	int rc;

	if ((rc = rt_need_arg(ctx, op, in, "x", &x)) != MLCC_OK)
		return rc;
	rt_share(out, x, x->rank, x->shape);
	return MLCC_OK;
}
