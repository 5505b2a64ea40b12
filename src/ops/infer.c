/*
** infer.c -- type and shape inference, one function per op family
** (ops.h).
**
** Each function derives what the op's inputs determine and leaves the
** rest unknown: an unknown dim (`?`, a flexible shape), an unknown rank, a
** value not known at compile time never makes a function fail.  A
** function fails only when the known parts contradict the op's rules
** (a conv weight of the wrong rank, shapes that do not broadcast, ...).
*/
#include "ops/ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAXR 16 /* ranks beyond this are left unknown */

int infer_fail(struct infer *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return model_fail(c->d, MLCC_E_CORRUPT, c->at, "%s", msg);
}

int infer_input(const struct infer *c, const char *name)
{
	for (size_t i = 0; i < c->nin; i++)
		if (strcmp(c->in[i].name, name) == 0)
			return (int)i;
	return -1;
}

struct mtype *infer_tensor(struct infer *c, enum dtype dt, int64_t rank)
{
	struct mtype *t = arena_alloc(c->arena, sizeof *t);

	if (!t)
		return NULL;
	t->kind = TY_TENSOR;
	t->dtype = dt;
	t->rank = rank > MAXR ? -1 : rank;
	t->length = DIM_UNKNOWN;
	if (t->rank > 0) {
		t->ndims = (size_t)t->rank;
		if (!(t->dims = arena_array(c->arena, t->ndims, sizeof *t->dims)))
			return NULL;
		for (size_t i = 0; i < t->ndims; i++)
			t->dims[i] = DIM_UNKNOWN;
	}
	return t;
}

int ops_value_ints(const struct mvalue *v, int64_t *out, int max)
{
	if (!v || v->kind != VAL_TENSOR || !v->data || v->count > (size_t)max)
		return -1;
	for (size_t i = 0; i < v->count; i++) {
		switch (v->type->dtype) {
		case DT_INT8: out[i] = ((const int8_t *)v->data)[i]; break;
		case DT_UINT8:
		case DT_BOOL: out[i] = ((const uint8_t *)v->data)[i]; break;
		case DT_INT16: out[i] = ((const int16_t *)v->data)[i]; break;
		case DT_UINT16: out[i] = ((const uint16_t *)v->data)[i]; break;
		case DT_INT32: out[i] = ((const int32_t *)v->data)[i]; break;
		case DT_UINT32: out[i] = ((const uint32_t *)v->data)[i]; break;
		case DT_INT64: out[i] = ((const int64_t *)v->data)[i]; break;
		default: return -1;
		}
	}
	return (int)v->count;
}

/* ---- small helpers ------------------------------------------------------ */

const char *ops_type_str(char buf[200], const struct mtype *t)
{
	size_t n;

	if (!t)
		return strcpy(buf, "nothing");
	if (t->kind == TY_STATE)
		return strcpy(buf, "a state");
	if (t->kind == TY_LIST)
		return strcpy(buf, "a list");
	if (t->kind == TY_TUPLE)
		return strcpy(buf, "a tuple");
	if (t->kind == TY_DICT)
		return strcpy(buf, "a dictionary");
	n = (size_t)snprintf(buf, 200, "tensor<%s, [",
			     t->dtype == DT_INVALID ? "?" : dtype_info(t->dtype)->mil);
	if (t->rank < 0)
		n += (size_t)snprintf(buf + n, 200 - n, "*");
	for (size_t i = 0; t->rank >= 0 && i < t->ndims && n < 170; i++)
		n += (size_t)snprintf(buf + n, 200 - n, t->dims[i] < 0 ? "%s?" : "%s%lld",
				      i ? ", " : "", (long long)t->dims[i]);
	snprintf(buf + n, 200 - n, "]>");
	return buf;
}

/* The type of input 'name' when it is a tensor, else NULL. */
static const struct mtype *tin(const struct infer *c, const char *name)
{
	int i = infer_input(c, name);
	const struct mtype *t = i < 0 ? NULL : c->type[i];

	return t && t->kind == TY_TENSOR ? t : NULL;
}

static const struct mvalue *vin(const struct infer *c, const char *name)
{
	int i = infer_input(c, name);

	return i < 0 ? NULL : c->val[i];
}

static bool present(const struct infer *c, const char *name)
{
	int i = infer_input(c, name);

	return i >= 0 && c->nbind[i] > 0;
}

/* Integers of input 'name': their number, or -1 when unknown. */
static int ints(const struct infer *c, const char *name, int64_t *out, int max)
{
	return ops_value_ints(vin(c, name), out, max);
}

/* A scalar int input (or its default when absent); false when it is
** given but not known. */
static bool int1(const struct infer *c, const char *name, int64_t dflt, int64_t *out)
{
	int64_t v[1];

	if (!present(c, name)) {
		*out = dflt;
		return true;
	}
	if (ints(c, name, v, 1) != 1)
		return false;
	*out = v[0];
	return true;
}

static bool bool1(const struct infer *c, const char *name, bool dflt, bool *out)
{
	int64_t v;

	if (!int1(c, name, dflt, &v))
		return false;
	*out = v != 0;
	return true;
}

/* A string input, or NULL when absent or unknown. */
static const char *str1(const struct infer *c, const char *name)
{
	return model_value_string(vin(c, name));
}

static bool known_rank(const struct mtype *t)
{
	return t && t->kind == TY_TENSOR && t->rank >= 0 && t->rank <= MAXR;
}

/* A copy of tensor type 't' (dims included) with dtype 'dt'. */
static struct mtype *like(struct infer *c, const struct mtype *t, enum dtype dt)
{
	struct mtype *o = infer_tensor(c, dt, known_rank(t) ? t->rank : -1);

	if (o && known_rank(t))
		for (size_t i = 0; i < o->ndims; i++)
			o->dims[i] = t->dims[i];
	return o;
}

/* Put 't' as output 'k'; out of memory when NULL. */
static int put(struct infer *c, size_t k, struct mtype *t)
{
	if (!t)
		return model_fail(c->d, MLCC_E_NOMEM, c->at, "out of memory");
	if (k < c->nout && k < sizeof c->out / sizeof c->out[0])
		c->out[k] = t;
	return 0;
}

/* A shape as model.mil prints it: "[1, ?, 3]", "[*]" for unknown rank. */
static const char *shape_str(char buf[160], const struct mtype *t)
{
	size_t n = 0;

	if (!known_rank(t))
		return strcpy(buf, "[*]");
	buf[n++] = '[';
	for (size_t i = 0; i < t->ndims && n < 130; i++) {
		if (t->dims[i] < 0)
			n += (size_t)snprintf(buf + n, 160 - n, "%s?", i ? ", " : "");
		else
			n += (size_t)snprintf(buf + n, 160 - n, "%s%lld", i ? ", " : "",
					      (long long)t->dims[i]);
	}
	snprintf(buf + n, 160 - n, "]");
	return buf;
}

/* An axis in [-rank, rank) made non-negative; false when out of range. */
static bool norm_axis(int64_t *axis, int64_t rank)
{
	if (*axis < 0)
		*axis += rank;
	return *axis >= 0 && *axis < rank;
}

/* "axis 3 is out of range for rank 2"; for an entry of a list of axes
** ('what' "axes"): "axes holds 3, out of range for rank 2". */
static int axis_fail(struct infer *c, const char *what, int64_t axis, int64_t rank)
{
	bool list = strcmp(what, "axes") == 0;

	return infer_fail(c, "%s %s%lld%s out of range for rank %lld", what, list ? "holds " : "",
			  (long long)axis, list ? "," : " is", (long long)rank);
}

static enum dtype dt_of(const struct mtype *t)
{
	return t && t->kind == TY_TENSOR ? t->dtype : DT_INVALID;
}

/* ---- families ----------------------------------------------------------- */

int inf_none(struct infer *c)
{
	(void)c;
	return 0;
}

int inf_const(struct infer *c)
{
	const struct mvalue *v = model_attr(c->op->attrs, c->op->nattrs, "val");

	if (v && v->type && v->type->kind == TY_TENSOR)
		return put(c, 0, like(c, v->type, v->type->dtype));
	return 0;
}

/* Output 0 has the type of the first input; its 'axis' or 'axes' (softmax,
** cumsum, layer_norm, reverse), when known, are within its rank. */
int inf_same(struct infer *c)
{
	const struct mtype *x = c->nin ? c->type[0] : NULL;
	int64_t axes[MAXR];
	int n;

	if (!x || x->kind != TY_TENSOR)
		return 0;
	if (known_rank(x) && x->rank > 0) {
		const char *what = present(c, "axis") ? "axis" : "axes";
		n = present(c, what) ? ints(c, what, axes, MAXR) : -1;
		for (int i = 0; i < n; i++) {
			int64_t a = axes[i];
			if (!norm_axis(&a, x->rank))
				return axis_fail(c, what, axes[i], x->rank);
		}
	}
	return put(c, 0, like(c, x, x->dtype));
}

int inf_scatter(struct infer *c)
{
	const struct mtype *x = tin(c, "data");

	return x ? put(c, 0, like(c, x, x->dtype)) : 0;
}

/* numpy broadcasting of 'a' and 'b' into 'o' (rank unknown when either
** is); fails when two known dims differ and neither is 1. */
static int broadcast(struct infer *c, const char *an, const struct mtype *a, const char *bn,
		     const struct mtype *b, enum dtype dt, struct mtype **o)
{
	char sa[160], sb[160];

	if (!known_rank(a) || !known_rank(b)) {
		*o = infer_tensor(c, dt, -1);
		return 0;
	}
	int64_t r = a->rank > b->rank ? a->rank : b->rank;
	if (!(*o = infer_tensor(c, dt, r)))
		return 0;
	for (int64_t i = 0; i < r; i++) {
		int64_t da = i < r - a->rank ? 1 : a->dims[i - (r - a->rank)];
		int64_t db = i < r - b->rank ? 1 : b->dims[i - (r - b->rank)];
		int64_t d = DIM_UNKNOWN;
		if (da >= 0 && db >= 0 && da != db && da != 1 && db != 1)
			return infer_fail(c, "%s %s and %s %s do not broadcast", an,
					  shape_str(sa, a), bn, shape_str(sb, b));
		if (da == 1)
			d = db;
		else if (db == 1)
			d = da;
		else if (da >= 0)
			d = da;
		else
			d = db;
		(*o)->dims[i] = d;
	}
	return 0;
}

static int binary(struct infer *c, bool compare)
{
	const struct mtype *x = tin(c, "x"), *y = tin(c, "y");
	struct mtype *o = NULL;
	int rc;

	if (!x || !y)
		return 0;
	rc = broadcast(c, "x", x, "y", y, compare ? DT_BOOL : x->dtype, &o);
	return rc ? rc : put(c, 0, o);
}

int inf_broadcast(struct infer *c)
{
	return binary(c, false);
}

int inf_compare(struct infer *c)
{
	return binary(c, true);
}

/* Reductions over 'axes' (all when absent), keep_dims. */
int inf_reduce(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t axes[MAXR];
	bool keep, drop[MAXR] = {false};
	int n;

	if (!x || !bool1(c, "keep_dims", false, &keep))
		return 0;
	if (!known_rank(x))
		return put(c, 0, infer_tensor(c, x->dtype, -1));
	n = present(c, "axes") ? ints(c, "axes", axes, MAXR) : -2;
	if (n == -1)
		return put(c, 0, infer_tensor(c, x->dtype, keep ? x->rank : -1));
	for (int i = 0; i < (n < 0 ? (int)x->rank : n); i++) {
		int64_t a = n < 0 ? i : axes[i];
		if (!norm_axis(&a, x->rank))
			return axis_fail(c, "axes", axes[i], x->rank);
		drop[a] = true;
	}
	struct mtype *o = infer_tensor(c, x->dtype, x->rank);
	if (!o)
		return put(c, 0, NULL);
	size_t k = 0;
	for (size_t i = 0; i < x->ndims; i++)
		if (!drop[i])
			o->dims[k++] = x->dims[i];
		else if (keep)
			o->dims[k++] = 1;
	o->rank = (int64_t)k;
	o->ndims = k;
	return put(c, 0, o);
}

int inf_argreduce(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	const char *od = str1(c, "output_dtype");
	enum dtype dt = od ? dtype_from_mil(od, strlen(od)) : DT_INT32;
	int64_t axis;
	bool keep;

	if (!x || !int1(c, "axis", -1, &axis) || !bool1(c, "keep_dims", false, &keep))
		return 0;
	if (!known_rank(x))
		return put(c, 0, infer_tensor(c, dt, -1));
	int64_t a = axis;
	if (!norm_axis(&a, x->rank))
		return axis_fail(c, "axis", axis, x->rank);
	struct mtype *o = like(c, x, dt);
	if (!o)
		return put(c, 0, NULL);
	if (keep) {
		o->dims[a] = 1;
	} else {
		memmove(o->dims + a, o->dims + a + 1, (o->ndims - (size_t)a - 1) * sizeof *o->dims);
		o->ndims--;
		o->rank--;
	}
	return put(c, 0, o);
}

/* floor(a / b) or ceil for b > 0. */
static int64_t div_round(int64_t a, int64_t b, bool up)
{
	int64_t q = a / b;

	if (a % b != 0 && ((a < 0) == (b < 0)) == up)
		q += up ? 1 : -1;
	return q;
}

/* Spatial output sizes of conv and pooling: 'sp' dims of 'x' from dim 2
** on, kernel sizes 'k' (dilated already), into 'o'. */
static void spatial(struct infer *c, const struct mtype *x, const int64_t *k, int sp,
		    bool ceil_mode, struct mtype *o)
{
	int64_t strides[MAXR], pad[2 * MAXR];
	const char *pt = str1(c, "pad_type");
	bool have_pad = ints(c, "pad", pad, 2 * MAXR) == 2 * sp;

	if (present(c, "pad_type") && !pt)
		return;
	if (!pt)
		pt = "valid";
	if (!present(c, "strides"))
		for (int i = 0; i < sp; i++)
			strides[i] = 1;
	else if (ints(c, "strides", strides, MAXR) != sp)
		return;
	for (int i = 0; i < sp; i++) {
		int64_t d = x->dims[2 + i], s = strides[i], r = DIM_UNKNOWN;
		if (d < 0 || k[i] < 0 || s <= 0)
			continue;
		if (strcmp(pt, "same") == 0 || strcmp(pt, "same_lower") == 0)
			r = div_round(d, s, true);
		else if (strcmp(pt, "valid") == 0)
			r = div_round(d - k[i], s, ceil_mode) + 1;
		else if (strcmp(pt, "custom") == 0 && have_pad)
			r = div_round(d + pad[2 * i] + pad[2 * i + 1] - k[i], s, ceil_mode) + 1;
		o->dims[2 + i] = r;
	}
}

int inf_pool(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t k[MAXR];
	bool ceil_mode;

	if (!x)
		return 0;
	struct mtype *o = like(c, x, x->dtype);
	if (!o || !known_rank(x) || x->rank < 3)
		return put(c, 0, o);
	for (size_t i = 2; i < o->ndims; i++)
		o->dims[i] = DIM_UNKNOWN;
	if (ints(c, "kernel_sizes", k, MAXR) == (int)x->rank - 2 &&
	    bool1(c, "ceil_mode", false, &ceil_mode))
		spatial(c, x, k, (int)x->rank - 2, ceil_mode, o);
	return put(c, 0, o);
}

/* A 'bias' input, when given with a known shape, is a vector of 'n'
** values (n < 0: unknown). */
static int check_bias(struct infer *c, int64_t n)
{
	const struct mtype *b = tin(c, "bias");
	char s[160];

	if (!b || !known_rank(b) || n < 0)
		return 0;
	if (b->rank != 1 || (b->dims[0] >= 0 && b->dims[0] != n))
		return infer_fail(c, "bias %s does not match %lld outputs", shape_str(s, b),
				  (long long)n);
	return 0;
}

int inf_conv(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *w = tin(c, "weight");
	int64_t groups, k[MAXR], dil[MAXR];

	if (!x || !w || !int1(c, "groups", 1, &groups))
		return 0;
	if (known_rank(x) && (x->rank < 3 || x->rank > 5))
		return infer_fail(c, "x has rank %lld, expected 3 to 5", (long long)x->rank);
	if (known_rank(x) && known_rank(w) && w->rank != x->rank)
		return infer_fail(c, "weight has rank %lld, expected %lld", (long long)w->rank,
				  (long long)x->rank);
	if (!known_rank(x))
		return put(c, 0, infer_tensor(c, x->dtype, -1));
	struct mtype *o = infer_tensor(c, x->dtype, x->rank);
	if (!o || !known_rank(w))
		return put(c, 0, o);
	if (groups > 0 && x->dims[1] >= 0 && w->dims[1] >= 0 && x->dims[1] != w->dims[1] * groups)
		return infer_fail(c,
				  "x has %lld input channels, weight expects %lld (%lld per group, "
				  "groups %lld)",
				  (long long)x->dims[1], (long long)(w->dims[1] * groups),
				  (long long)w->dims[1], (long long)groups);
	o->dims[0] = x->dims[0];
	o->dims[1] = w->dims[0];
	int rc = check_bias(c, w->dims[0]);
	if (rc)
		return rc;
	int sp = (int)x->rank - 2;
	if (!present(c, "dilations"))
		for (int i = 0; i < sp; i++)
			dil[i] = 1;
	else if (ints(c, "dilations", dil, MAXR) != sp)
		return put(c, 0, o);
	for (int i = 0; i < sp; i++)
		k[i] = w->dims[2 + i] < 0 ? -1 : (w->dims[2 + i] - 1) * dil[i] + 1;
	spatial(c, x, k, sp, false, o);
	return put(c, 0, o);
}

int inf_conv_transpose(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *w = tin(c, "weight");
	int64_t groups;

	if (!x || !w || !int1(c, "groups", 1, &groups))
		return 0;
	if (known_rank(x) && known_rank(w) && w->rank != x->rank)
		return infer_fail(c, "weight has rank %lld, expected %lld", (long long)w->rank,
				  (long long)x->rank);
	struct mtype *o = infer_tensor(c, x->dtype, known_rank(x) ? x->rank : -1);
	if (o && known_rank(x) && known_rank(w) && x->rank >= 3) {
		o->dims[0] = x->dims[0];
		o->dims[1] = w->dims[1] < 0 ? DIM_UNKNOWN : w->dims[1] * groups;
	}
	return put(c, 0, o);
}

int inf_matmul(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *y = tin(c, "y");
	bool tx, ty;
	char sa[160], sb[160];

	if (!x || !y || !bool1(c, "transpose_x", false, &tx) ||
	    !bool1(c, "transpose_y", false, &ty))
		return 0;
	if (!known_rank(x) || !known_rank(y) || x->rank < 1 || y->rank < 1)
		return put(c, 0, infer_tensor(c, x->dtype, -1));
	/* Rank-1 operands act as [1, K] and [K, 1]; those dims are dropped. */
	int64_t xm = x->rank == 1 ? 1 : x->dims[x->rank - (tx ? 1 : 2)];
	int64_t xk = x->rank == 1 ? x->dims[0] : x->dims[x->rank - (tx ? 2 : 1)];
	int64_t yk = y->rank == 1 ? y->dims[0] : y->dims[y->rank - (ty ? 1 : 2)];
	int64_t yn = y->rank == 1 ? 1 : y->dims[y->rank - (ty ? 2 : 1)];
	if (xk >= 0 && yk >= 0 && xk != yk)
		return infer_fail(c,
				  "x %s and y %s do not multiply: inner dimensions %lld and %lld "
				  "(transpose_x %s, transpose_y %s)",
				  shape_str(sa, x), shape_str(sb, y), (long long)xk, (long long)yk,
				  tx ? "true" : "false", ty ? "true" : "false");
	struct mtype bx = *x, by = *y, *b = NULL;
	bx.ndims = x->rank > 2 ? (size_t)x->rank - 2 : 0;
	bx.rank = (int64_t)bx.ndims;
	by.ndims = y->rank > 2 ? (size_t)y->rank - 2 : 0;
	by.rank = (int64_t)by.ndims;
	int rc = broadcast(c, "x batch", &bx, "y batch", &by, x->dtype, &b);
	if (rc || !b)
		return rc ? rc : put(c, 0, NULL);
	struct mtype *o = infer_tensor(c, x->dtype, b->rank + (x->rank > 1) + (y->rank > 1));
	if (!o)
		return put(c, 0, NULL);
	for (size_t i = 0; i < b->ndims; i++)
		o->dims[i] = b->dims[i];
	size_t k = b->ndims;
	if (x->rank > 1)
		o->dims[k++] = xm;
	if (y->rank > 1)
		o->dims[k++] = yn;
	return put(c, 0, o);
}

int inf_linear(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *w = tin(c, "weight");

	if (!x || !w)
		return 0;
	if (known_rank(w) && w->rank != 2)
		return infer_fail(c, "weight has rank %lld, expected 2", (long long)w->rank);
	if (known_rank(x) && x->rank < 1)
		return infer_fail(c, "x has rank 0, expected at least 1");
	if (!known_rank(x) || !known_rank(w))
		return put(c, 0, infer_tensor(c, x->dtype, known_rank(x) ? x->rank : -1));
	int64_t din = x->dims[x->ndims - 1];
	if (din >= 0 && w->dims[1] >= 0 && din != w->dims[1])
		return infer_fail(c, "x has %lld features, weight expects %lld", (long long)din,
				  (long long)w->dims[1]);
	int rc = check_bias(c, w->dims[0]);
	if (rc)
		return rc;
	struct mtype *o = like(c, x, x->dtype);
	if (o)
		o->dims[o->ndims - 1] = w->dims[0];
	return put(c, 0, o);
}

int inf_reshape(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *st = tin(c, "shape");
	int64_t s[MAXR];
	char sx[160], ss[160];
	int n;

	if (!x)
		return 0;
	n = ints(c, "shape", s, MAXR);
	if (n < 0) {
		bool k = st && known_rank(st) && st->rank == 1 && st->dims[0] >= 0;
		return put(c, 0, infer_tensor(c, x->dtype, k ? st->dims[0] : -1));
	}
	struct mtype *o = infer_tensor(c, x->dtype, n);
	if (!o)
		return put(c, 0, NULL);
	int infer_at = -1;
	for (int i = 0; i < n; i++) {
		if (s[i] == 0 && known_rank(x) && x->rank == n)
			o->dims[i] = x->dims[i];
		else if (s[i] == -1 && infer_at < 0)
			infer_at = i;
		else if (s[i] >= 0)
			o->dims[i] = s[i] ? s[i] : DIM_UNKNOWN; /* 0 of another rank: left open */
		else
			return infer_fail(c, "shape has %lld at %d (only one -1 is allowed)",
					  (long long)s[i], i);
	}
	int64_t have = model_tensor_count(x), want = 1;
	for (int i = 0; i < n && want >= 0; i++)
		if (i != infer_at)
			want = o->dims[i] < 0 ? -1 : want * o->dims[i];
	if (have >= 0 && want > 0 && infer_at >= 0 && have % want == 0)
		o->dims[infer_at] = have / want;
	else if (have >= 0 && want >= 0 &&
		 (infer_at >= 0 ? want == 0 || have % want : have != want))
		return infer_fail(c, "x %s has %lld elements, shape %s cannot hold them",
				  shape_str(sx, x), (long long)have, shape_str(ss, o));
	return put(c, 0, o);
}

int inf_transpose(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t perm[MAXR];
	bool seen[MAXR] = {false};
	int n;

	if (!x || (n = ints(c, "perm", perm, MAXR)) < 0)
		return 0;
	if (known_rank(x) && n != x->rank)
		return infer_fail(c, "perm has %d entries, x has rank %lld", n, (long long)x->rank);
	for (int i = 0; i < n; i++) {
		int64_t p = perm[i];
		if (!norm_axis(&p, n) || seen[p])
			return infer_fail(c, "perm is not a permutation of 0..%d", n - 1);
		seen[p] = true;
		perm[i] = p;
	}
	struct mtype *o = infer_tensor(c, x->dtype, n);
	if (o && known_rank(x))
		for (int i = 0; i < n; i++)
			o->dims[i] = x->dims[perm[i]];
	return put(c, 0, o);
}

/* The tensor types of a tuple input, NULL when any is not a tensor of
** known rank.  Fails (returning NULL, '*rc' set) when two of them differ
** in dtype: concat and stack join values of one type. */
static const struct mtype *const *tuple_of(struct infer *c, const char *name, size_t *n, int *rc)
{
	int i = infer_input(c, name);

	*rc = 0;
	if (i < 0 || !c->tuple[i])
		return NULL;
	*n = c->nbind[i];
	for (size_t k = 0; k < *n; k++) {
		const struct mtype *t = c->tuple[i][k], *t0 = c->tuple[i][0];
		if (t && t0 && t->kind == TY_TENSOR && t0->kind == TY_TENSOR &&
		    t->dtype != t0->dtype) {
			*rc = infer_fail(c, "%s %zu has dtype %s, %s 0 %s", name, k,
					 dtype_info(t->dtype)->mil, name,
					 dtype_info(t0->dtype)->mil);
			return NULL;
		}
	}
	for (size_t k = 0; k < *n; k++)
		if (!c->tuple[i][k] || !known_rank(c->tuple[i][k]))
			return NULL;
	return c->tuple[i];
}

int inf_concat(struct infer *c)
{
	size_t n;
	int rc;
	const struct mtype *const *v = tuple_of(c, "values", &n, &rc);
	int64_t axis;
	char s0[160], s1[160];

	if (!v || !n || !int1(c, "axis", 0, &axis))
		return rc;
	int64_t r = v[0]->rank, a = axis;
	if (!norm_axis(&a, r))
		return axis_fail(c, "axis", axis, r);
	struct mtype *o = like(c, v[0], v[0]->dtype);
	if (!o)
		return put(c, 0, NULL);
	for (size_t k = 1; k < n; k++) {
		if (v[k]->rank != r)
			return infer_fail(c, "values %zu has shape %s, values 0 %s: ranks differ",
					  k, shape_str(s1, v[k]), shape_str(s0, v[0]));
		for (int64_t i = 0; i < r; i++) {
			int64_t d = v[k]->dims[i];
			if (i == a)
				o->dims[i] = o->dims[i] < 0 || d < 0 ? DIM_UNKNOWN : o->dims[i] + d;
			else if (d >= 0 && v[0]->dims[i] >= 0 && d != v[0]->dims[i])
				return infer_fail(c,
						  "values %zu has shape %s, values 0 %s: they "
						  "differ outside axis %lld",
						  k, shape_str(s1, v[k]), shape_str(s0, v[0]),
						  (long long)a);
			else if (o->dims[i] < 0)
				o->dims[i] = d;
		}
	}
	return put(c, 0, o);
}

int inf_stack(struct infer *c)
{
	size_t n;
	int rc;
	const struct mtype *const *v = tuple_of(c, "values", &n, &rc);
	int64_t axis;

	if (!v || !n || !int1(c, "axis", 0, &axis))
		return rc;
	int64_t r = v[0]->rank + 1, a = axis;
	if (!norm_axis(&a, r))
		return axis_fail(c, "axis", axis, r);
	struct mtype *o = infer_tensor(c, v[0]->dtype, r);
	if (!o || o->rank < 0)
		return put(c, 0, o);
	for (int64_t i = 0, k = 0; i < r; i++)
		o->dims[i] = i == a ? (int64_t)n : v[0]->dims[k++];
	return put(c, 0, o);
}

int inf_split(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t axis, sizes[64], num = 0;
	int ns = -1;

	if (!x || !known_rank(x) || !int1(c, "axis", 0, &axis))
		return 0;
	int64_t a = axis;
	if (!norm_axis(&a, x->rank))
		return axis_fail(c, "axis", axis, x->rank);
	if (present(c, "split_sizes"))
		ns = ints(c, "split_sizes", sizes, 64);
	else if (!int1(c, "num_splits", 0, &num))
		return 0;
	int64_t d = x->dims[a];
	if (ns >= 0 && (size_t)ns != c->nout)
		return infer_fail(c, "split_sizes has %d entries for %zu outputs", ns, c->nout);
	if (ns < 0 && num > 0 && (size_t)num != c->nout)
		return infer_fail(c, "num_splits is %lld for %zu outputs", (long long)num, c->nout);
	for (size_t k = 0; k < c->nout && k < 8; k++) {
		struct mtype *o = like(c, x, x->dtype);
		if (!o)
			return put(c, k, NULL);
		if (ns >= 0)
			o->dims[a] = sizes[k];
		else if (d >= 0 && num > 0 && d % num == 0)
			o->dims[a] = d / num;
		else
			o->dims[a] = DIM_UNKNOWN;
		put(c, k, o);
	}
	return 0;
}

/* A bool-vector input of 'r' entries into 'm' (all false when absent);
** false when given but unknown. */
static bool mask(const struct infer *c, const char *name, int64_t r, bool *m)
{
	int64_t v[MAXR];

	for (int64_t i = 0; i < r; i++)
		m[i] = false;
	if (!present(c, name))
		return true;
	if (ints(c, name, v, MAXR) != r)
		return false;
	for (int64_t i = 0; i < r; i++)
		m[i] = v[i] != 0;
	return true;
}

/* Length of the python slice [b:e:s] of a dim of size 'd'. */
static int64_t slice_len(int64_t d, int64_t b, int64_t e, int64_t s, bool bm, bool em)
{
	if (s > 0) {
		b = bm ? 0 : b < 0 ? b + d : b;
		e = em ? d : e < 0 ? e + d : e;
		b = b < 0 ? 0 : b > d ? d : b;
		e = e < 0 ? 0 : e > d ? d : e;
		return e > b ? (e - b + s - 1) / s : 0;
	}
	b = bm ? d - 1 : b < 0 ? b + d : b;
	e = em ? -1 : e < 0 ? e + d : e;
	b = b < -1 ? -1 : b > d - 1 ? d - 1 : b;
	e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
	return b > e ? (b - e - s - 1) / -s : 0;
}

int inf_slice_by_index(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t b[MAXR], e[MAXR], s[MAXR];
	bool bm[MAXR], em[MAXR], sq[MAXR];

	if (!x || !known_rank(x))
		return 0;
	int64_t r = x->rank;
	if (!mask(c, "squeeze_mask", r, sq))
		return 0;
	bool known = ints(c, "begin", b, MAXR) == r && ints(c, "end", e, MAXR) == r &&
		     mask(c, "begin_mask", r, bm) && mask(c, "end_mask", r, em);
	if (!present(c, "stride"))
		for (int64_t i = 0; i < r; i++)
			s[i] = 1;
	else if (ints(c, "stride", s, MAXR) != r)
		known = false;
	struct mtype *o = infer_tensor(c, x->dtype, r);
	if (!o)
		return put(c, 0, NULL);
	size_t k = 0;
	for (int64_t i = 0; i < r; i++) {
		if (sq[i])
			continue;
		int64_t d = x->dims[i];
		if (known && s[i] == 0)
			return infer_fail(c, "stride %lld is 0", (long long)i);
		o->dims[k++] = known && d >= 0 ? slice_len(d, b[i], e[i], s[i], bm[i], em[i])
					       : DIM_UNKNOWN;
	}
	o->ndims = k;
	o->rank = (int64_t)k;
	return put(c, 0, o);
}

int inf_slice_by_size(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t b[MAXR], s[MAXR];

	if (!x || !known_rank(x))
		return 0;
	int64_t r = x->rank;
	bool known = ints(c, "begin", b, MAXR) == r;
	struct mtype *o = infer_tensor(c, x->dtype, r);
	if (!o || ints(c, "size", s, MAXR) != r)
		return put(c, 0, o);
	for (int64_t i = 0; i < r; i++) {
		int64_t d = x->dims[i];
		if (s[i] >= 0)
			o->dims[i] = s[i];
		else if (known && d >= 0)
			o->dims[i] = d - (b[i] < 0 ? b[i] + d : b[i]);
	}
	return put(c, 0, o);
}

int inf_slice_update(struct infer *c)
{
	const struct mtype *x = tin(c, "x");

	return x ? put(c, 0, like(c, x, x->dtype)) : 0;
}

int inf_gather(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *ix = tin(c, "indices");
	int64_t axis, bd;

	if (!x || !ix || !int1(c, "axis", 0, &axis) || !int1(c, "batch_dims", 0, &bd))
		return 0;
	if (!known_rank(x) || !known_rank(ix))
		return put(c, 0, infer_tensor(c, x->dtype, -1));
	int64_t a = axis;
	if (!norm_axis(&a, x->rank))
		return axis_fail(c, "axis", axis, x->rank);
	if (bd < 0 || bd > ix->rank || bd > a)
		return 0;
	struct mtype *o = infer_tensor(c, x->dtype, x->rank - 1 + ix->rank - bd);
	if (!o || o->rank < 0)
		return put(c, 0, o);
	size_t k = 0;
	for (int64_t i = 0; i < a; i++)
		o->dims[k++] = x->dims[i];
	for (int64_t i = bd; i < ix->rank; i++)
		o->dims[k++] = ix->dims[i];
	for (int64_t i = a + 1; i < x->rank; i++)
		o->dims[k++] = x->dims[i];
	return put(c, 0, o);
}

int inf_gather_along_axis(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *ix = tin(c, "indices");
	char sx[160], si[160];

	if (!x || !ix)
		return 0;
	if (known_rank(x) && known_rank(ix) && x->rank != ix->rank)
		return infer_fail(c, "indices %s and x %s have different ranks", shape_str(si, ix),
				  shape_str(sx, x));
	return put(c, 0, like(c, ix, x->dtype));
}

int inf_expand_dims(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t axes[MAXR];
	bool one[2 * MAXR] = {false};
	int n;

	if (!x || !known_rank(x) || (n = ints(c, "axes", axes, MAXR)) < 0)
		return 0;
	int64_t r = x->rank + n;
	struct mtype *o = infer_tensor(c, x->dtype, r);
	if (!o || o->rank < 0)
		return put(c, 0, o);
	for (int i = 0; i < n; i++) {
		int64_t a = axes[i];
		if (!norm_axis(&a, r))
			return axis_fail(c, "axes", axes[i], r);
		if (one[a])
			return infer_fail(c, "axes holds %lld twice", (long long)a);
		one[a] = true;
	}
	for (int64_t i = 0, k = 0; i < r; i++)
		o->dims[i] = one[i] ? 1 : x->dims[k++];
	return put(c, 0, o);
}

int inf_squeeze(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t axes[MAXR];
	bool drop[MAXR] = {false};
	int n = -2;

	if (!x || !known_rank(x))
		return 0;
	if (present(c, "axes") && (n = ints(c, "axes", axes, MAXR)) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		int64_t a = axes[i];
		if (!norm_axis(&a, x->rank))
			return axis_fail(c, "axes", axes[i], x->rank);
		if (x->dims[a] > 1)
			return infer_fail(c, "axis %lld has size %lld, not 1", (long long)a,
					  (long long)x->dims[a]);
		drop[a] = true;
	}
	for (int64_t i = 0; n == -2 && i < x->rank; i++) {
		if (x->dims[i] < 0)
			return put(c, 0, infer_tensor(c, x->dtype, -1));
		drop[i] = x->dims[i] == 1;
	}
	struct mtype *o = infer_tensor(c, x->dtype, x->rank);
	if (!o)
		return put(c, 0, NULL);
	size_t k = 0;
	for (int64_t i = 0; i < x->rank; i++)
		if (!drop[i])
			o->dims[k++] = x->dims[i];
	o->ndims = k;
	o->rank = (int64_t)k;
	return put(c, 0, o);
}

/* A dtype named by string input 'name' ("fp16", "int32", ...). */
static enum dtype dtype_in(const struct infer *c, const char *name)
{
	const char *s = str1(c, name);

	return s ? dtype_from_mil(s, strlen(s)) : DT_INVALID;
}

int inf_cast(struct infer *c)
{
	const struct mtype *x = tin(c, "x");

	return x ? put(c, 0, like(c, x, dtype_in(c, "dtype"))) : 0;
}

int inf_select(struct infer *c)
{
	const struct mtype *p = tin(c, "cond"), *a = tin(c, "a"), *b = tin(c, "b");
	struct mtype *ab = NULL, *o = NULL;
	int rc;

	if (!p || !a || !b)
		return 0;
	rc = broadcast(c, "a", a, "b", b, a->dtype, &ab);
	if (!rc && ab)
		rc = broadcast(c, "cond", p, "a and b", ab, a->dtype, &o);
	return rc ? rc : put(c, 0, o);
}

int inf_read_state(struct infer *c)
{
	int i = infer_input(c, "input");
	const struct mtype *s = i < 0 ? NULL : c->type[i];

	if (s && s->kind == TY_STATE && s->elem && s->elem->kind == TY_TENSOR)
		return put(c, 0, like(c, s->elem, s->elem->dtype));
	return 0;
}

int inf_update_state(struct infer *c)
{
	const struct mtype *v = tin(c, "value");

	return v ? put(c, 0, like(c, v, v->dtype)) : 0;
}

int inf_topk(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t k, axis;
	bool ri;
	enum dtype idt =
		present(c, "output_indices_dtype") ? dtype_in(c, "output_indices_dtype") : DT_INT32;

	if (!x || !known_rank(x) || !int1(c, "k", 1, &k) || !int1(c, "axis", -1, &axis) ||
	    !bool1(c, "return_indices", true, &ri))
		return 0;
	int64_t a = axis;
	if (!norm_axis(&a, x->rank))
		return axis_fail(c, "axis", axis, x->rank);
	struct mtype *v = like(c, x, x->dtype), *ix = like(c, x, idt);
	if (v && ix) {
		v->dims[a] = x->dims[a] >= 0 && k > x->dims[a] ? x->dims[a] : k;
		ix->dims[a] = v->dims[a];
	}
	int rc = put(c, 0, v);
	return rc || !ri ? rc : put(c, 1, ix);
}

int inf_shape(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	struct mtype *o = infer_tensor(c, DT_INT32, 1);

	if (o && x && known_rank(x))
		o->dims[0] = x->rank;
	return x ? put(c, 0, o) : 0;
}

int inf_sdpa(struct infer *c)
{
	const struct mtype *q = tin(c, "query"), *k = tin(c, "key"), *v = tin(c, "value");
	char sq[160], sk[160];

	if (!q || !k || !v || !known_rank(q) || !known_rank(k) || !known_rank(v) || q->rank < 2 ||
	    k->rank < 2 || v->rank < 2)
		return 0;
	int64_t e = q->dims[q->ndims - 1], ek = k->dims[k->ndims - 1];
	if (e >= 0 && ek >= 0 && e != ek)
		return infer_fail(c, "query %s and key %s differ in their last dimension",
				  shape_str(sq, q), shape_str(sk, k));
	struct mtype *o = like(c, q, q->dtype);
	if (o)
		o->dims[o->ndims - 1] = v->dims[v->ndims - 1];
	return put(c, 0, o);
}

/* constexpr_* ops: the output shape and dtype follow from their inputs. */
int inf_constexpr(struct infer *c)
{
	const char *n = c->def->name + strlen("constexpr_");
	const struct mtype *t;
	int64_t s[MAXR];
	int ns;

	if (strcmp(n, "affine_dequantize") == 0 && (t = tin(c, "quantized_data")))
		return put(c, 0, like(c, t, dt_of(tin(c, "scale"))));
	if (strcmp(n, "cast") == 0 && (t = tin(c, "source_val")))
		return put(c, 0, like(c, t, dtype_in(c, "output_dtype")));
	if (strcmp(n, "blockwise_shift_scale") == 0 && (t = tin(c, "data")))
		return put(c, 0, like(c, t, dt_of(tin(c, "scale"))));
	if ((strcmp(n, "lut_to_dense") == 0 || strcmp(n, "sparse_to_dense") == 0) &&
	    present(c, "shape")) { /* iOS16: the shape is an input */
		const struct mtype *e = tin(c, n[0] == 'l' ? "lut" : "nonzero_data");
		if ((ns = ints(c, "shape", s, MAXR)) < 0)
			return 0;
		struct mtype *o = infer_tensor(c, dt_of(e), ns);
		for (int i = 0; o && i < ns; i++)
			o->dims[i] = s[i];
		return put(c, 0, o);
	}
	if (strcmp(n, "sparse_to_dense") == 0 && (t = tin(c, "mask")))
		return put(c, 0, like(c, t, dt_of(tin(c, "nonzero_data"))));
	if (strcmp(n, "lut_to_dense") == 0 && (t = tin(c, "indices"))) {
		const struct mtype *lut = tin(c, "lut");
		int64_t va;
		struct mtype *o = like(c, t, dt_of(lut));
		if (o && present(c, "vector_axis")) {
			if (!int1(c, "vector_axis", 0, &va) || !known_rank(t) || !known_rank(lut) ||
			    !norm_axis(&va, t->rank))
				return 0;
			int64_t vs = lut->dims[lut->ndims - 1];
			o->dims[va] = o->dims[va] < 0 || vs < 0 ? DIM_UNKNOWN : o->dims[va] * vs;
		}
		return put(c, 0, o);
	}
	if (strcmp(n, "lut_to_sparse") == 0 && (t = tin(c, "indices_mask")))
		return put(c, 0, like(c, t, DT_UINT1));
	if (strcmp(n, "sparse_blockwise_shift_scale") == 0 && (t = tin(c, "data_mask"))) {
		int rc = put(c, 0, like(c, t, DT_UINT1));
		const struct mtype *nz = tin(c, "nonzero_data");
		return rc || !nz ? rc : put(c, 1, like(c, nz, dt_of(tin(c, "scale"))));
	}
	return 0;
}

/* cond and while_loop: the number of values the blocks give; their types
** are compared by the checker, which knows the blocks' variables. */
int inf_cond(struct infer *c)
{
	if (c->op->nblocks != 2)
		return infer_fail(c, "has %zu blocks, expected 2 (then, else)", c->op->nblocks);
	for (size_t k = 0; k < 2; k++)
		if (c->op->blocks[k].noutputs != c->op->noutputs)
			return infer_fail(c, "%s block gives %zu values for %zu outputs",
					  k ? "else" : "then", c->op->blocks[k].noutputs,
					  c->op->noutputs);
	return 0;
}

int inf_while_loop(struct infer *c)
{
	int i = infer_input(c, "loop_vars");
	size_t nv = i < 0 ? 0 : c->nbind[i];

	if (c->op->nblocks != 2)
		return infer_fail(c, "has %zu blocks, expected 2 (cond, body)", c->op->nblocks);
	if (c->op->noutputs != nv)
		return infer_fail(c, "has %zu loop_vars for %zu outputs", nv, c->op->noutputs);
	if (c->op->blocks[1].noutputs != nv)
		return infer_fail(c, "body block gives %zu values for %zu loop_vars",
				  c->op->blocks[1].noutputs, nv);
	if (c->op->blocks[0].noutputs != 1)
		return infer_fail(c, "cond block gives %zu values, expected 1",
				  c->op->blocks[0].noutputs);
	return 0;
}

/* write_state: the data must fit the state it is written to. */
int inf_write_state(struct infer *c)
{
	int i = infer_input(c, "input"), j = infer_input(c, "data");
	const struct mtype *s = i < 0 ? NULL : c->type[i], *v = j < 0 ? NULL : c->type[j];
	char a[200], b[200];

	if (!s || !v || s->kind != TY_STATE || !s->elem || s->elem->kind != TY_TENSOR ||
	    v->kind != TY_TENSOR)
		return 0;
	if (v->dtype != s->elem->dtype ||
	    (known_rank(v) && known_rank(s->elem) && v->rank != s->elem->rank))
		return infer_fail(c, "data %s does not fit the state %s", ops_type_str(a, v),
				  ops_type_str(b, s->elem));
	for (size_t k = 0; known_rank(v) && known_rank(s->elem) && k < v->ndims; k++)
		if (v->dims[k] >= 0 && s->elem->dims[k] >= 0 && v->dims[k] != s->elem->dims[k])
			return infer_fail(c, "data %s does not fit the state %s",
					  ops_type_str(a, v), ops_type_str(b, s->elem));
	return 0;
}

/* gather_nd: indices[:-1] + x[batch_dims + indices[-1]:]. */
int inf_gather_nd(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *ix = tin(c, "indices");
	int64_t bd;

	if (!x || !ix || !int1(c, "batch_dims", 0, &bd))
		return 0;
	if (!known_rank(x) || !known_rank(ix) || ix->rank < 1 || ix->dims[ix->ndims - 1] < 0)
		return put(c, 0, infer_tensor(c, x->dtype, -1));
	int64_t last = ix->dims[ix->ndims - 1];
	if (bd < 0 || bd + last > x->rank)
		return infer_fail(c, "indices of depth %lld (batch_dims %lld) exceed x's rank %lld",
				  (long long)last, (long long)bd, (long long)x->rank);
	struct mtype *o = infer_tensor(c, x->dtype, ix->rank - 1 + x->rank - bd - last);
	if (!o || o->rank < 0)
		return put(c, 0, o);
	size_t k = 0;
	for (int64_t i = 0; i < ix->rank - 1; i++)
		o->dims[k++] = ix->dims[i];
	for (int64_t i = bd + last; i < x->rank; i++)
		o->dims[k++] = x->dims[i];
	return put(c, 0, o);
}

/* pad: the last len(pad)/2 dims grow by their before and after amounts. */
int inf_pad(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t p[2 * MAXR];
	int n;

	if (!x || !known_rank(x))
		return 0;
	struct mtype *o = like(c, x, x->dtype);
	if (!o || (n = ints(c, "pad", p, 2 * MAXR)) < 0) {
		for (size_t i = 0; o && i < o->ndims; i++)
			o->dims[i] = DIM_UNKNOWN; /* which dims grow is not known */
		return put(c, 0, o);
	}
	if (n % 2 || n / 2 > x->rank)
		return infer_fail(c, "pad has %d values for x of rank %lld (at most 2 per dim)", n,
				  (long long)x->rank);
	for (int i = 0; i < n / 2; i++) {
		size_t d = (size_t)(x->rank - n / 2 + i);
		if (p[2 * i] < 0 || p[2 * i + 1] < 0)
			return infer_fail(c, "pad has a negative amount");
		if (o->dims[d] >= 0)
			o->dims[d] += p[2 * i] + p[2 * i + 1];
	}
	return put(c, 0, o);
}

/* tile: each dim times its repetitions. */
int inf_tile(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t r[MAXR];

	if (!x || !known_rank(x))
		return 0;
	struct mtype *o = like(c, x, x->dtype);
	if (!o || ints(c, "reps", r, MAXR) != x->rank) {
		for (size_t i = 0; o && i < o->ndims; i++)
			o->dims[i] = DIM_UNKNOWN;
		return put(c, 0, o);
	}
	for (size_t i = 0; i < o->ndims; i++)
		o->dims[i] = o->dims[i] < 0 || r[i] < 0 ? DIM_UNKNOWN : o->dims[i] * r[i];
	return put(c, 0, o);
}

/* lstm, gru, rnn: x [sequence, batch, input], 2-D weights; outputs the
** sequence (or its last step) [s, batch, H'], then the last states
** [batch, H'].  H' (directions times the hidden size of weight_hh
** [k*H, H]) is derived for lstm only; gru and rnn leave it open. */
int inf_rnn(struct infer *c)
{
	const struct mtype *x = tin(c, "x"), *wi = tin(c, "weight_ih"), *wh = tin(c, "weight_hh");
	const char *dir = str1(c, "direction");
	bool seq;

	if (!x)
		return 0;
	if (known_rank(x) && x->rank != 3)
		return infer_fail(c, "x has rank %lld, expected 3 (sequence, batch, input)",
				  (long long)x->rank);
	if (wi && known_rank(wi) && wi->rank != 2)
		return infer_fail(c, "weight_ih has rank %lld, expected 2", (long long)wi->rank);
	if (wh && known_rank(wh) && wh->rank != 2)
		return infer_fail(c, "weight_hh has rank %lld, expected 2", (long long)wh->rank);
	if (!known_rank(x) || !bool1(c, "output_sequence", false, &seq))
		return 0;
	int64_t h = DIM_UNKNOWN;
	if (strcmp(c->def->name, "lstm") == 0 && wh && known_rank(wh) && wh->dims[1] >= 0 &&
	    (!present(c, "direction") || dir))
		h = wh->dims[1] * (dir && strcmp(dir, "bidirectional") == 0 ? 2 : 1);
	for (size_t k = 0; k < c->nout && k < 3; k++) {
		struct mtype *o = infer_tensor(c, x->dtype, k ? 2 : 3);
		if (!o)
			return put(c, k, NULL);
		if (k == 0)
			o->dims[0] = seq ? x->dims[0] : 1;
		o->dims[k ? 0 : 1] = x->dims[1];
		o->dims[k ? 1 : 2] = h;
		put(c, k, o);
	}
	return 0;
}

/* A scalar number input (int or fp32), or 'dflt' when absent; false when
** given but not known. */
static bool num1(const struct infer *c, const char *name, double dflt, double *out)
{
	const struct mvalue *v = vin(c, name);
	int64_t i;

	if (!present(c, name)) {
		*out = dflt;
		return true;
	}
	if (v && v->kind == VAL_TENSOR && v->count == 1 && v->data && v->type->dtype == DT_FP32) {
		uint32_t bits = ((const uint32_t *)v->data)[0];
		float f;
		memcpy(&f, &bits, sizeof f);
		*out = f;
		return true;
	}
	if (!int1(c, name, 0, &i))
		return false;
	*out = (double)i;
	return true;
}

/* upsample_* (scale factors) and resize_nearest_neighbor/resize_bilinear
** (target sizes): the last two dims of an x of rank 3 or more. */
int inf_resize2d(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	bool up = strncmp(c->def->name, "upsample_", 9) == 0;
	double h, w;

	if (!x)
		return 0;
	if (known_rank(x) && x->rank < 3)
		return infer_fail(c, "x has rank %lld, expected at least 3", (long long)x->rank);
	struct mtype *o = like(c, x, x->dtype);
	if (!o || !known_rank(x))
		return put(c, 0, o);
	size_t r = o->ndims;
	bool known =
		up ? num1(c, "scale_factor_height", 1, &h) && num1(c, "scale_factor_width", 1, &w)
		   : num1(c, "target_size_height", 1, &h) && num1(c, "target_size_width", 1, &w);
	if (!known || h < 0 || w < 0 || h > 1e12 || w > 1e12) {
		o->dims[r - 2] = o->dims[r - 1] = DIM_UNKNOWN;
	} else if (up) {
		o->dims[r - 2] =
			o->dims[r - 2] < 0 ? DIM_UNKNOWN : (int64_t)(h * (double)o->dims[r - 2]);
		o->dims[r - 1] =
			o->dims[r - 1] < 0 ? DIM_UNKNOWN : (int64_t)(w * (double)o->dims[r - 1]);
	} else {
		o->dims[r - 2] = (int64_t)h;
		o->dims[r - 1] = (int64_t)w;
	}
	return put(c, 0, o);
}

/* argsort: int32 indices of x's shape. */
int inf_argsort(struct infer *c)
{
	const struct mtype *x = tin(c, "x");

	return x ? put(c, 0, like(c, x, DT_INT32)) : 0;
}

/* non_zero: [count, rank] int32 coordinates, the count known at run time. */
int inf_non_zero(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	struct mtype *o;

	if (!x || !known_rank(x))
		return 0;
	if ((o = infer_tensor(c, DT_INT32, 2)) != NULL)
		o->dims[1] = x->rank;
	return put(c, 0, o);
}

/* fill: the shape the 'shape' input holds, the dtype of 'value'. */
int inf_fill(struct infer *c)
{
	const struct mtype *v = tin(c, "value");
	int64_t s[MAXR];
	int n = ints(c, "shape", s, MAXR);

	if (n < 0)
		return 0;
	struct mtype *o = infer_tensor(c, v ? v->dtype : DT_FP32, n);
	for (int i = 0; o && i < n; i++)
		o->dims[i] = s[i] < 0 ? DIM_UNKNOWN : s[i];
	return put(c, 0, o);
}

/* flatten2d: [prod(x[:axis]), prod(x[axis:])]. */
int inf_flatten2d(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t axis, p[2] = {1, 1};

	if (!x || !known_rank(x) || !int1(c, "axis", 1, &axis))
		return 0;
	if (axis < 0)
		axis += x->rank;
	if (axis < 0 || axis > x->rank)
		return axis_fail(c, "axis", axis, x->rank);
	for (int64_t i = 0; i < x->rank; i++) {
		int64_t *q = &p[i >= axis];
		*q = *q < 0 || x->dims[i] < 0 ? DIM_UNKNOWN : *q * x->dims[i];
	}
	struct mtype *o = infer_tensor(c, x->dtype, 2);
	if (o) {
		o->dims[0] = p[0];
		o->dims[1] = p[1];
	}
	return put(c, 0, o);
}

/* d * f, or d / f when it divides (else the op is wrong). */
static int scale_dim(struct infer *c, int64_t *d, int64_t f, bool mul, const char *what)
{
	if (*d < 0 || f <= 0)
		*d = DIM_UNKNOWN;
	else if (mul)
		*d = *d > INT64_MAX / f ? DIM_UNKNOWN : *d * f;
	else if (*d % f)
		return infer_fail(c, "%s %lld is not divisible by %lld", what, (long long)*d,
				  (long long)f);
	else
		*d /= f;
	return 0;
}

/* depth_to_space, space_to_depth, pixel_shuffle, pixel_unshuffle: channels
** traded for height and width by a block factor, on [n, c, h, w]. */
int inf_space_depth(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	const char *n = c->def->name;
	bool to_space = strcmp(n, "depth_to_space") == 0 || strcmp(n, "pixel_shuffle") == 0;
	const char *fac = strcmp(n, "pixel_shuffle") == 0     ? "upscale_factor"
			  : strcmp(n, "pixel_unshuffle") == 0 ? "downscale_factor"
							      : "block_size";
	int64_t f;
	int rc;

	if (!x || !known_rank(x) || !int1(c, fac, 1, &f))
		return 0;
	if (x->rank != 4)
		return infer_fail(c, "x has rank %lld, expected 4", (long long)x->rank);
	struct mtype *o = like(c, x, x->dtype);
	if (!o)
		return put(c, 0, NULL);
	if ((rc = scale_dim(c, &o->dims[1], f > 0 && f <= INT32_MAX ? f * f : 0, !to_space,
			    "channels")) ||
	    (rc = scale_dim(c, &o->dims[2], f, to_space, "height")) ||
	    (rc = scale_dim(c, &o->dims[3], f, to_space, "width")))
		return rc;
	return put(c, 0, o);
}

/* crop: the last two dims less their [before, after] amounts. */
int inf_crop(struct infer *c)
{
	const struct mtype *x = tin(c, "x");
	int64_t h[2], w[2];

	if (!x || !known_rank(x) || x->rank < 2)
		return 0;
	struct mtype *o = like(c, x, x->dtype);
	if (!o)
		return put(c, 0, NULL);
	size_t r = o->ndims;
	bool known = ints(c, "crop_height", h, 2) == 2 && ints(c, "crop_width", w, 2) == 2;
	int64_t *dh = &o->dims[r - 2], *dw = &o->dims[r - 1];
	*dh = !known || *dh < 0 ? DIM_UNKNOWN : *dh - h[0] - h[1];
	*dw = !known || *dw < 0 ? DIM_UNKNOWN : *dw - w[0] - w[1];
	if ((known && *dh != DIM_UNKNOWN && *dh < 0) || (known && *dw != DIM_UNKNOWN && *dw < 0))
		return infer_fail(c, "crops more than x holds");
	return put(c, 0, o);
}
