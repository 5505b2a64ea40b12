/*
** test_specwrite_unit.c -- spec_write() and pkg_write() on hand-built models
** (named so that its target does not clash with corpus/test_specwrite.c).
**
** spec_write -> spec_read gives the model back (deep comparison) for:
** every dtype (checking the TensorValue field coremltools uses for it and
** the exact bytes of sub-byte packing), tuple/list/dict values, blob
** values, multi-binding arguments, nested blocks (cond, while_loop with
** block inputs and attributes), function and program attributes, state,
** list and unknown-rank types, two functions kept in their order,
** pipelines of every kind, and classifiers (the lowered classify op
** re-inserted).  pkg_write writes the expected Manifest.json bytes and
** layout, copies weights byte for byte, gives a package mlcc compiles,
** replaces an existing package, and on error leaves nothing behind.
*/
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/classifier.h"
#include "base/diag.h"
#include "package/pkg_write.h"
#include "spec/spec_read.h"
#include "spec/spec_write.h"
#include "testkit.h"

static struct arena A; /* everything hand-built lives here */

/* ---- building models ---------------------------------------------------- */

static struct mtype *tensor_t(enum dtype dt, int64_t rank, const int64_t *dims)
{
	struct mtype *t = arena_alloc(&A, sizeof *t);

	t->kind = TY_TENSOR;
	t->dtype = dt;
	t->rank = rank;
	t->ndims = rank < 0 ? 0 : (size_t)rank;
	t->dims = arena_array(&A, t->ndims, sizeof *t->dims);
	if (t->ndims && dims)
		memcpy(t->dims, dims, t->ndims * sizeof *dims);
	return t;
}

static struct mtype *vec_t(enum dtype dt, int64_t n)
{
	return tensor_t(dt, 1, &n);
}

static struct mtype *scalar_t(enum dtype dt)
{
	return tensor_t(dt, 0, NULL);
}

static struct mtype *wrap_t(enum type_kind k, struct mtype *elem, struct mtype *value,
			    int64_t length)
{
	struct mtype *t = arena_alloc(&A, sizeof *t);

	t->kind = k;
	t->elem = elem;
	t->value = value;
	t->length = length;
	return t;
}

/* A tensor value of type 't' with 'count' elements copied from 'data'. */
static struct mvalue *tensor_v(struct mtype *t, size_t count, const void *data)
{
	struct mvalue *v = arena_alloc(&A, sizeof *v);
	size_t n = count * dtype_mem_size(t->dtype);

	v->kind = VAL_TENSOR;
	v->type = t;
	v->count = count;
	v->data = arena_alloc(&A, n ? n : 1);
	if (n)
		memcpy(v->data, data, n);
	return v;
}

static struct mvalue *str_v(const char *s)
{
	return tensor_v(scalar_t(DT_STRING), 1, &s);
}

static struct mvalue *i32_v(int32_t x)
{
	return tensor_v(scalar_t(DT_INT32), 1, &x);
}

static struct mvalue *composite_v(enum value_kind k, struct mtype *t, size_t n,
				  struct mvalue **items, struct mvalue **values)
{
	struct mvalue *v = arena_alloc(&A, sizeof *v);

	v->kind = k;
	v->type = t;
	v->count = n;
	v->items = arena_array(&A, n, sizeof *items);
	memcpy(v->items, items, n * sizeof *items);
	if (values) {
		v->values = arena_array(&A, n, sizeof *values);
		memcpy(v->values, values, n * sizeof *values);
	}
	return v;
}

static struct mvalue *blob_v(struct mtype *t, const char *file, uint64_t off)
{
	struct mvalue *v = arena_alloc(&A, sizeof *v);

	v->kind = VAL_BLOB;
	v->type = t;
	v->blob_file = file;
	v->blob_offset = off;
	return v;
}

/* Attributes: name = 'name', then (key, value) when 'key' is set. */
static void name_attrs(struct op *op, const char *name, const char *key, struct mvalue *value)
{
	op->nattrs = key ? 2 : 1;
	op->attrs = arena_array(&A, 2, sizeof *op->attrs);
	op->attrs[0] = (struct attribute){"name", str_v(name)};
	op->attrs[1] = (struct attribute){key, value};
}

static void outputs(struct op *op, size_t n, const char *const *names, struct mtype *const *types)
{
	op->noutputs = n;
	op->outputs = arena_array(&A, n, sizeof *op->outputs);
	for (size_t i = 0; i < n; i++)
		op->outputs[i] = (struct named_type){names[i], types[i]};
}

static void const_op(struct op *op, const char *name, struct mvalue *val)
{
	op->type = "const";
	name_attrs(op, name, "val", val);
	outputs(op, 1, &name, &val->type);
}

/* Input 'param' bound to 'n' bindings (a name, or a value when NULL). */
static void input(struct op *op, const char *param, size_t n, const char *const *names,
		  struct mvalue *const *values)
{
	struct argument *arg;

	op->inputs = op->ninputs ? op->inputs : arena_array(&A, 8, sizeof *op->inputs);
	arg = &op->inputs[op->ninputs++];
	arg->param = param;
	arg->n = n;
	arg->b = arena_array(&A, n, sizeof *arg->b);
	for (size_t i = 0; i < n; i++) {
		arg->b[i].name = names ? names[i] : NULL;
		arg->b[i].value = names && names[i] ? NULL : values[i];
	}
}

static void input1(struct op *op, const char *param, const char *var)
{
	input(op, param, 1, &var, NULL);
}

static struct model *new_model(enum model_kind kind)
{
	struct model *m = arena_alloc(&A, sizeof *m);

	m->arena = &A;
	m->origin = "hand-built";
	m->spec_version = 9;
	m->kind = kind;
	m->desc = arena_alloc(&A, sizeof *m->desc);
	core_ml__specification__model_description__init(m->desc);
	return m;
}

/* An ML program with 'nfuncs' functions named 'names', opset CoreML8. */
static struct model *new_program(size_t nfuncs, const char *const *names)
{
	struct model *m = new_model(MODEL_ML_PROGRAM);

	m->program = arena_alloc(&A, sizeof *m->program);
	m->program->version = 1;
	m->program->nfuncs = nfuncs;
	m->program->funcs = arena_array(&A, nfuncs, sizeof *m->program->funcs);
	for (size_t i = 0; i < nfuncs; i++) {
		m->program->funcs[i].name = names[i];
		m->program->funcs[i].opset = "CoreML8";
		m->program->funcs[i].ios = 18;
	}
	return m;
}

static void block_ops(struct block *b, size_t nops, size_t nout, const char *const *outs)
{
	b->nops = nops;
	b->ops = arena_array(&A, nops, sizeof *b->ops);
	b->noutputs = nout;
	b->outputs = arena_array(&A, nout, sizeof *b->outputs);
	if (nout)
		memcpy(b->outputs, outs, nout * sizeof *outs);
}

/* ---- comparing models --------------------------------------------------- */

static bool same_type(const struct mtype *a, const struct mtype *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TY_TENSOR:
		return a->dtype == b->dtype && (a->rank < 0) == (b->rank < 0) &&
		       a->ndims == b->ndims &&
		       (!a->ndims || !memcmp(a->dims, b->dims, a->ndims * sizeof *a->dims));
	case TY_LIST: return a->length == b->length && same_type(a->elem, b->elem);
	case TY_TUPLE:
		if (a->nelems != b->nelems)
			return false;
		for (size_t i = 0; i < a->nelems; i++)
			if (!same_type(a->elems[i], b->elems[i]))
				return false;
		return true;
	case TY_DICT: return same_type(a->elem, b->elem) && same_type(a->value, b->value);
	case TY_STATE: return same_type(a->elem, b->elem);
	}
	return false;
}

static bool same_value(const struct mvalue *a, const struct mvalue *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || !same_type(a->type, b->type) || a->count != b->count)
		return false;
	if (a->kind == VAL_BLOB)
		return strcmp(a->blob_file, b->blob_file) == 0 && a->blob_offset == b->blob_offset;
	if (a->kind == VAL_TENSOR && a->type->dtype == DT_STRING) {
		for (size_t i = 0; i < a->count; i++)
			if (strcmp(((char **)a->data)[i], ((char **)b->data)[i]))
				return false;
		return true;
	}
	if (a->kind == VAL_TENSOR)
		return !a->count ||
		       memcmp(a->data, b->data, a->count * dtype_mem_size(a->type->dtype)) == 0;
	for (size_t i = 0; i < a->count; i++)
		if (!same_value(a->items[i], b->items[i]) ||
		    (a->kind == VAL_DICT && !same_value(a->values[i], b->values[i])))
			return false;
	return true;
}

static bool same_attrs(const struct attribute *a, size_t na, const struct attribute *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].key, b[i].key) || !same_value(a[i].value, b[i].value))
			return false;
	return true;
}

static bool same_named(const struct named_type *a, size_t na, const struct named_type *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) || !same_type(a[i].type, b[i].type))
			return false;
	return true;
}

static bool same_block(const struct block *a, const struct block *b);

static bool same_op(const struct op *a, const struct op *b)
{
	if (strcmp(a->type, b->type) || a->ninputs != b->ninputs || a->nblocks != b->nblocks ||
	    !same_named(a->outputs, a->noutputs, b->outputs, b->noutputs) ||
	    !same_attrs(a->attrs, a->nattrs, b->attrs, b->nattrs))
		return false;
	for (size_t i = 0; i < a->ninputs; i++) {
		const struct argument *x = &a->inputs[i], *y = &b->inputs[i];
		if (strcmp(x->param, y->param) || x->n != y->n)
			return false;
		for (size_t j = 0; j < x->n; j++)
			if ((!x->b[j].name) != (!y->b[j].name) ||
			    (x->b[j].name && strcmp(x->b[j].name, y->b[j].name)) ||
			    !same_value(x->b[j].value, y->b[j].value))
				return false;
	}
	for (size_t i = 0; i < a->nblocks; i++)
		if (!same_block(&a->blocks[i], &b->blocks[i]))
			return false;
	return true;
}

static bool same_block(const struct block *a, const struct block *b)
{
	if (!same_named(a->inputs, a->ninputs, b->inputs, b->ninputs) ||
	    a->noutputs != b->noutputs || a->nops != b->nops ||
	    !same_attrs(a->attrs, a->nattrs, b->attrs, b->nattrs))
		return false;
	for (size_t i = 0; i < a->noutputs; i++)
		if (strcmp(a->outputs[i], b->outputs[i]))
			return false;
	for (size_t i = 0; i < a->nops; i++)
		if (!same_op(&a->ops[i], &b->ops[i]))
			return false;
	return true;
}

static bool same_model(const struct model *a, const struct model *b)
{
	if (a->kind != b->kind || a->spec_version != b->spec_version ||
	    a->is_updatable != b->is_updatable || a->nchildren != b->nchildren ||
	    a->nchild_names != b->nchild_names)
		return false;
	for (size_t i = 0; i < a->nchild_names; i++)
		if (strcmp(a->child_names[i], b->child_names[i]))
			return false;
	for (size_t i = 0; i < a->nchildren; i++)
		if (!same_model(a->children[i], b->children[i]))
			return false;
	if (a->kind != MODEL_ML_PROGRAM)
		return true;
	const struct program *p = a->program, *q = b->program;
	if (p->version != q->version || p->nfuncs != q->nfuncs ||
	    !same_attrs(p->attrs, p->nattrs, q->attrs, q->nattrs))
		return false;
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct function *f = &p->funcs[i], *g = &q->funcs[i];
		if (strcmp(f->name, g->name) || strcmp(f->opset, g->opset) ||
		    !same_named(f->inputs, f->ninputs, g->inputs, g->ninputs) ||
		    !same_attrs(f->attrs, f->nattrs, g->attrs, g->nattrs) ||
		    !same_block(&f->body, &g->body))
			return false;
	}
	return true;
}

/* spec_write 'm', read it back; NULL (with a failed CHECK) on error. */
static struct model *round_trip(const struct model *m, uint8_t **bytes, size_t *len)
{
	struct mlcc_diag d = {0, ""};
	struct model *back = NULL;
	uint8_t *b;
	size_t n;

	CHECK(spec_write(m, &A, &b, &n, &d) == MLCC_OK);
	if (d.status) {
		fprintf(stderr, "spec_write: %s\n", d.message);
		return NULL;
	}
	CHECK(spec_read_bytes(&A, "written", b, n, &back, &d) == MLCC_OK);
	if (d.status)
		fprintf(stderr, "spec_read: %s\n", d.message);
	if (bytes) {
		*bytes = b;
		*len = n;
	}
	return back;
}

/* ---- every dtype -------------------------------------------------------- */

struct dtcase {
	enum dtype dt;
	int64_t dims[2];
	size_t rank, count;
	const void *data;
	int storage;	      /* expected TensorValue case */
	const uint8_t *bytes; /* expected bytes content, if checked */
	size_t nbytes;
};

#define TV(x) CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_##x

static const uint8_t b_bool[] = {1, 0, 1};
static const char *const s_str[] = {"a", "", "\xc3\xbc"};
static const uint16_t h_fp16[] = {0x3c00, 0xfc00};
static const uint32_t f_fp32[] = {0x3f800000, 0x7fc00001};
static const double d_fp64[] = {1.5, -0.0};
static const uint16_t h_bf16[] = {0x3f80, 0xff80};
static const uint8_t b_e4m3[] = {0x38, 0xff}, b_e5m2[] = {0x3c, 0x80};
static const int8_t i_int4[] = {-1, 7, -8};
static const int8_t i_int8[] = {-128, 127};
static const int16_t i_int16[] = {-2, 32767};
static const int32_t i_int32[] = {INT32_MIN, 5};
static const int64_t i_int64[] = {INT64_MIN, 1};
static const uint8_t u_uint1[] = {1, 0, 1, 1, 0, 0, 0, 1, 1};
static const uint8_t u_uint2[] = {0, 1, 2, 3, 3};
static const uint8_t u_uint3[] = {1, 2, 3, 4, 5, 6, 7, 0};
static const uint8_t u_uint4[] = {0xa, 0x5, 0xf};
static const uint8_t u_uint6[] = {63, 1, 32, 5};
static const uint8_t u_uint8[] = {0, 255};
static const uint16_t u_uint16[] = {65535, 1};
static const uint32_t u_uint32[] = {0xffffffffu, 7};
static const uint64_t u_uint64[] = {UINT64_MAX, 0};

/* Packed LSB-first, computed independently of mlcc. */
static const uint8_t p_uint1[] = {0x8d, 0x01}, p_uint2[] = {0xe4, 0x03};
static const uint8_t p_uint3[] = {0xd1, 0x58, 0x1f}, p_uint4[] = {0x5a, 0x0f};
static const uint8_t p_int4[] = {0x7f, 0x08}, p_uint6[] = {0x7f, 0x00, 0x16};
static const uint8_t p_fp16[] = {0x00, 0x3c, 0x00, 0xfc};
static const uint8_t p_uint32[] = {0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0};

static const struct dtcase cases[] = {
	{DT_BOOL, {3}, 1, 3, b_bool, TV(BOOLS), NULL, 0},
	{DT_STRING, {3}, 1, 3, s_str, TV(STRINGS), NULL, 0},
	{DT_FP16, {2}, 1, 2, h_fp16, TV(BYTES), p_fp16, 4},
	{DT_FP32, {2}, 1, 2, f_fp32, TV(FLOATS), NULL, 0},
	{DT_FP64, {2}, 1, 2, d_fp64, TV(DOUBLES), NULL, 0},
	{DT_BF16, {2}, 1, 2, h_bf16, TV(BYTES), NULL, 0},
	{DT_FP8E4M3FN, {2}, 1, 2, b_e4m3, TV(BYTES), b_e4m3, 2},
	{DT_FP8E5M2, {2}, 1, 2, b_e5m2, TV(BYTES), b_e5m2, 2},
	{DT_INT4, {3}, 1, 3, i_int4, TV(BYTES), p_int4, 2},
	{DT_INT8, {2}, 1, 2, i_int8, TV(BYTES), (const uint8_t *)i_int8, 2},
	{DT_INT16, {2}, 1, 2, i_int16, TV(INTS), NULL, 0},
	{DT_INT32, {2}, 1, 2, i_int32, TV(INTS), NULL, 0},
	{DT_INT64, {2}, 1, 2, i_int64, TV(LONG_INTS), NULL, 0},
	{DT_UINT1, {9}, 1, 9, u_uint1, TV(BYTES), p_uint1, 2},
	{DT_UINT2, {5}, 1, 5, u_uint2, TV(BYTES), p_uint2, 2},
	{DT_UINT3, {2, 4}, 2, 8, u_uint3, TV(BYTES), p_uint3, 3},
	{DT_UINT4, {3}, 1, 3, u_uint4, TV(BYTES), p_uint4, 2},
	{DT_UINT6, {4}, 1, 4, u_uint6, TV(BYTES), p_uint6, 3},
	{DT_UINT8, {2}, 1, 2, u_uint8, TV(BYTES), u_uint8, 2},
	{DT_UINT16, {2}, 1, 2, u_uint16, TV(INTS), NULL, 0},
	{DT_UINT32, {2}, 1, 2, u_uint32, TV(BYTES), p_uint32, 8},
	{DT_UINT64, {2}, 1, 2, u_uint64, TV(LONG_INTS), NULL, 0},
	{DT_FP32, {0}, 1, 0, NULL, TV(FLOATS), NULL, 0}, /* empty */
	{DT_INT4, {0}, 1, 0, NULL, TV(BYTES), NULL, 0},	 /* empty, packed */
};
#define NCASES (sizeof cases / sizeof cases[0])

/* The TensorValue of const op 'i' in the unpacked protobuf. */
static const CoreML__Specification__MILSpec__TensorValue *
const_tensor(const CoreML__Specification__Model *pm, size_t i)
{
	const CoreML__Specification__MILSpec__Operation *op =
		pm->mlprogram->functions[0]->value->block_specializations[0]->value->operations[i];

	for (size_t k = 0; k < op->n_attributes; k++)
		if (strcmp(op->attributes[k]->key, "val") == 0)
			return op->attributes[k]->value->immediatevalue->tensor;
	return NULL;
}

static void test_dtypes(void)
{
	static const char *const fn[] = {"main"};
	struct model *m = new_program(1, fn), *back;
	struct block *b = &m->program->funcs[0].body;
	char names[NCASES][16];
	const char *outs[1] = {"c0"};
	uint8_t *bytes;
	size_t len;

	block_ops(b, NCASES, 1, outs);
	for (size_t i = 0; i < NCASES; i++) {
		const struct dtcase *c = &cases[i];
		snprintf(names[i], sizeof names[i], "c%zu", i);
		const_op(&b->ops[i], names[i],
			 tensor_v(tensor_t(c->dt, (int64_t)c->rank, c->dims), c->count, c->data));
	}
	back = round_trip(m, &bytes, &len);
	CHECK(back && same_model(m, back));

	CoreML__Specification__Model *pm = core_ml__specification__model__unpack(NULL, len, bytes);
	CHECK(pm != NULL);
	for (size_t i = 0; pm && i < NCASES; i++) {
		const struct dtcase *c = &cases[i];
		const CoreML__Specification__MILSpec__TensorValue *tv = const_tensor(pm, i);
		CHECK(tv && (int)tv->value_case == c->storage);
		if (!tv || (int)tv->value_case != c->storage) {
			fprintf(stderr, "  dtype %s: storage %d\n", dtype_info(c->dt)->mil,
				tv ? (int)tv->value_case : -1);
			continue;
		}
		if (c->bytes)
			CHECK(tv->bytes->values.len == c->nbytes &&
			      memcmp(tv->bytes->values.data, c->bytes, c->nbytes) == 0);
		if (c->storage == TV(BYTES) && !c->count)
			CHECK(tv->bytes->values.len == 0);
	}
	/* Widening into ints: int16 sign-extended, uint16 zero-extended. */
	if (pm) {
		const CoreML__Specification__MILSpec__TensorValue *t16 = const_tensor(pm, 10);
		const CoreML__Specification__MILSpec__TensorValue *u16 = const_tensor(pm, 19);
		CHECK(t16->ints->n_values == 2 && t16->ints->values[0] == -2);
		CHECK(u16->ints->n_values == 2 && u16->ints->values[0] == 65535);
		core_ml__specification__model__free_unpacked(pm, NULL);
	}
}

/* ---- composite values, arguments, blocks, attributes -------------------- */

static struct mvalue *build_info(void)
{
	struct mvalue *k[2] = {str_v("a-key"), str_v("b-key")};
	struct mvalue *v[2] = {str_v("1"), str_v("two")};

	return composite_v(VAL_DICT, wrap_t(TY_DICT, scalar_t(DT_STRING), scalar_t(DT_STRING), 0),
			   2, k, v);
}

/* cond with two one-op blocks; while_loop with block inputs. */
static void control_flow(struct op *cond, struct op *loop)
{
	static const char *const c_out[] = {"r"}, *const l_out[] = {"i_out"};
	static const char *const t_out[] = {"t0"}, *const f_out[] = {"f0"};
	static const char *const cb_out[] = {"lt"}, *const bb_out[] = {"i_next"};
	struct mtype *f2 = vec_t(DT_FP32, 2), *i1 = scalar_t(DT_INT32);
	struct mtype *bt = scalar_t(DT_BOOL);

	cond->type = "cond";
	input1(cond, "pred", "p");
	name_attrs(cond, "cond_0", NULL, NULL);
	outputs(cond, 1, c_out, &f2);
	cond->nblocks = 2;
	cond->blocks = arena_array(&A, 2, sizeof *cond->blocks);
	block_ops(&cond->blocks[0], 1, 1, t_out);
	cond->blocks[0].ops[0].type = "relu";
	input1(&cond->blocks[0].ops[0], "x", "x");
	name_attrs(&cond->blocks[0].ops[0], "t0", NULL, NULL);
	outputs(&cond->blocks[0].ops[0], 1, t_out, &f2);
	block_ops(&cond->blocks[1], 1, 1, f_out);
	const_op(&cond->blocks[1].ops[0], "f0", tensor_v(f2, 2, (const float[]){1.0f, 2.0f}));

	loop->type = "while_loop";
	input(loop, "loop_vars", 1, (const char *const[]){"i0"}, NULL);
	name_attrs(loop, "loop_0", NULL, NULL);
	outputs(loop, 1, l_out, &i1);
	loop->nblocks = 2;
	loop->blocks = arena_array(&A, 2, sizeof *loop->blocks);
	for (int k = 0; k < 2; k++) {
		struct block *b = &loop->blocks[k];
		b->ninputs = 1;
		b->inputs = arena_alloc(&A, sizeof *b->inputs);
		b->inputs[0] = (struct named_type){"i_x0", i1};
		block_ops(b, 1, 1, k ? bb_out : cb_out);
		b->ops[0].type = k ? "add" : "less";
		input1(&b->ops[0], "x", "i_x0");
		input(&b->ops[0], "y", 1, (const char *const[]){NULL},
		      (struct mvalue *const[]){i32_v(10)});
		name_attrs(&b->ops[0], k ? "i_next" : "lt", NULL, NULL);
		outputs(&b->ops[0], 1, k ? bb_out : cb_out, k ? &i1 : &bt);
	}
	loop->blocks[1].nattrs = 1;
	loop->blocks[1].attrs = arena_alloc(&A, sizeof *loop->blocks[1].attrs);
	loop->blocks[1].attrs[0] = (struct attribute){"note", str_v("body")};
}

static void test_structure(void)
{
	static const char *const fn[] = {"main", "aux"};
	static const char *const outs[] = {"r", "cat", "i_out"};
	static const char *const cat_out[] = {"cat"}, *const lst_out[] = {"lst"};
	struct model *m = new_program(2, fn), *back;
	struct function *f = &m->program->funcs[0];
	struct mtype *f2 = vec_t(DT_FP32, 2);
	int64_t unk[2] = {DIM_UNKNOWN, 3};

	m->program->nattrs = 1;
	m->program->attrs = arena_alloc(&A, sizeof *m->program->attrs);
	m->program->attrs[0] = (struct attribute){"buildInfo", build_info()};
	f->ninputs = 4;
	f->inputs = arena_array(&A, 4, sizeof *f->inputs);
	f->inputs[0] = (struct named_type){"x", f2};
	f->inputs[1] = (struct named_type){"p", scalar_t(DT_BOOL)};
	f->inputs[2] = (struct named_type){
		"st", wrap_t(TY_STATE, tensor_t(DT_FP16, 2, (int64_t[]){2, 2}), NULL, 0)};
	f->inputs[3] = (struct named_type){"any", tensor_t(DT_FP32, -1, NULL)};
	f->nattrs = 1;
	f->attrs = arena_alloc(&A, sizeof *f->attrs);
	f->attrs[0] = (struct attribute){"fattr", i32_v(3)};
	block_ops(&f->body, 8, 3, outs);

	/* Composite literals and a blob. */
	struct mvalue *tup[2] = {i32_v(1), str_v("t")};
	struct mtype *tt = wrap_t(TY_TUPLE, NULL, NULL, 0);
	tt->nelems = 2;
	tt->elems = arena_array(&A, 2, sizeof *tt->elems);
	tt->elems[0] = tup[0]->type;
	tt->elems[1] = tup[1]->type;
	const_op(&f->body.ops[0], "tup", composite_v(VAL_TUPLE, tt, 2, tup, NULL));
	struct mvalue *items[2] = {tensor_v(f2, 2, (const float[]){1, 2}),
				   tensor_v(f2, 2, (const float[]){3, 4})};
	const_op(&f->body.ops[1], "lst",
		 composite_v(VAL_LIST, wrap_t(TY_LIST, f2, NULL, 2), 2, items, NULL));
	struct mvalue *k[2] = {str_v("a"), str_v("b")};
	struct mvalue *v[2] = {tensor_v(scalar_t(DT_INT64), 1, (const int64_t[]){1}),
			       tensor_v(scalar_t(DT_INT64), 1, (const int64_t[]){-2})};
	const_op(&f->body.ops[2], "dct",
		 composite_v(VAL_DICT, wrap_t(TY_DICT, scalar_t(DT_STRING), scalar_t(DT_INT64), 0),
			     2, k, v));
	const_op(&f->body.ops[3], "w",
		 blob_v(tensor_t(DT_FP16, 2, (int64_t[]){4, 8}), "@model_path/weights/weight.bin",
			64));

	/* Multi-binding argument with a literal among names. */
	struct op *cat = &f->body.ops[4];
	cat->type = "concat";
	input(cat, "values", 3, (const char *const[]){"x", NULL, "x"},
	      (struct mvalue *const[]){NULL, tensor_v(f2, 2, (const float[]){5, 6}), NULL});
	input(cat, "axis", 1, (const char *const[]){NULL}, (struct mvalue *const[]){i32_v(0)});
	name_attrs(cat, "cat", NULL, NULL);
	outputs(cat, 1, cat_out, (struct mtype *const[]){tensor_t(DT_FP32, 2, unk)});

	/* A list type of unknown length as an op output. */
	struct op *ml = &f->body.ops[5];
	ml->type = "make_list";
	input1(ml, "init_length", "x");
	name_attrs(ml, "mk", "elem_shape", str_v("any"));
	outputs(ml, 1, lst_out, (struct mtype *const[]){wrap_t(TY_LIST, f2, NULL, DIM_UNKNOWN)});
	control_flow(&f->body.ops[6], &f->body.ops[7]);

	/* The second function: an empty body and no inputs. */
	block_ops(&m->program->funcs[1].body, 0, 0, NULL);
	m->program->funcs[1].opset = "CoreML7";

	back = round_trip(m, NULL, NULL);
	CHECK(back && same_model(m, back));
	CHECK(back && strcmp(back->program->funcs[0].name, "main") == 0 &&
	      strcmp(back->program->funcs[1].name, "aux") == 0);
	CHECK(back && back->program->funcs[0].inputs[3].type->rank == -1);
	CHECK(back && back->program->funcs[0].body.ops[5].outputs[0].type->length == DIM_UNKNOWN);
}

/* ---- pipelines and classifiers ------------------------------------------ */

static struct model *tiny_program(const char *var)
{
	static const char *const fn[] = {"main"};
	struct model *m = new_program(1, fn);
	struct block *b = &m->program->funcs[0].body;
	const char *outs[1] = {var};

	block_ops(b, 1, 1, outs);
	const_op(&b->ops[0], var, i32_v(7));
	return m;
}

static void test_pipelines(void)
{
	static const enum model_kind kinds[] = {MODEL_PIPELINE, MODEL_PIPELINE_CLASSIFIER,
						MODEL_PIPELINE_REGRESSOR};
	static const char *const names[] = {"first", "second"};

	for (size_t k = 0; k < 3; k++) {
		struct model *m = new_model(kinds[k]), *back;
		m->spec_version = 7;
		m->is_updatable = k == 1;
		m->nchildren = 2;
		m->children = arena_array(&A, 2, sizeof *m->children);
		m->children[0] = tiny_program("a");
		m->children[1] = new_model(MODEL_PIPELINE);
		m->children[1]->nchildren = 1;
		m->children[1]->children = arena_alloc(&A, sizeof(struct model *));
		m->children[1]->children[0] = tiny_program("b");
		m->nchild_names = 2;
		m->child_names = (const char **)names;
		back = round_trip(m, NULL, NULL);
		CHECK(back && same_model(m, back));
		CHECK(back && back->kind == kinds[k]);
	}
}

/* main(x) -> probs = softmax(x); classify(probs, labels) */
static struct model *classifier_model(bool int_labels)
{
	static const char *const fn[] = {"main"};
	static const char *const outs[] = {"label", "label_probs"};
	static const char *const s_out[] = {"probs"};
	struct model *m = new_program(1, fn);
	struct function *f = &m->program->funcs[0];
	struct op *op;
	enum dtype dt = int_labels ? DT_INT64 : DT_STRING;
	struct mvalue *labels[3];

	m->desc->predictedfeaturename = "label";
	m->desc->predictedprobabilitiesname = "label_probs";
	f->ninputs = 1;
	f->inputs = arena_alloc(&A, sizeof *f->inputs);
	f->inputs[0] = (struct named_type){"x", vec_t(DT_FP32, 3)};
	block_ops(&f->body, 2, 2, outs);
	op = &f->body.ops[0];
	op->type = "softmax";
	input1(op, "x", "x");
	name_attrs(op, "probs", NULL, NULL);
	outputs(op, 1, s_out, (struct mtype *const[]){vec_t(DT_FP32, 3)});
	for (int i = 0; i < 3; i++) {
		static const char *const s[] = {"cat", "dog", "snow leopard"};
		int64_t v = (int64_t[]){10, -7, 5000000000}[i];
		labels[i] = int_labels ? tensor_v(scalar_t(dt), 1, &v)
				       : tensor_v(scalar_t(dt), 1, &s[i]);
	}
	op = &f->body.ops[1];
	op->type = "classify";
	input1(op, "probabilities", "probs");
	input(op, "classes", 1, (const char *const[]){NULL},
	      (struct mvalue *const[]){composite_v(VAL_LIST, wrap_t(TY_LIST, scalar_t(dt), NULL, 3),
						   3, labels, NULL)});
	name_attrs(op, "classify_0", NULL, NULL);
	outputs(op, 2, outs,
		(struct mtype *const[]){scalar_t(dt),
					wrap_t(TY_DICT, scalar_t(dt), scalar_t(DT_FP64), 0)});
	return m;
}

static void test_classifier(void)
{
	for (int il = 0; il < 2; il++) {
		struct mlcc_diag d = {0, ""};
		struct model *orig = classifier_model(il), *m = classifier_model(il);
		struct model *back;
		uint8_t *b1, *b2;
		size_t n1, n2;

		CHECK(classifier_lower(m, &d) == MLCC_OK && m->classifier.prob_var);
		CHECK(m->program->funcs[0].body.nops == 1);
		/* spec_write re-inserts the op without touching 'm'. */
		back = round_trip(m, &b1, &n1);
		CHECK(back && same_model(orig, back));
		CHECK(m->program->funcs[0].body.nops == 1 && m->classifier.op);
		/* ... exactly as classifier_restore does on the IR. */
		CHECK(classifier_restore(m, &d) == MLCC_OK);
		CHECK(!m->classifier.prob_var && same_model(orig, m));
		CHECK(spec_write(m, &A, &b2, &n2, &d) == MLCC_OK && n1 == n2 &&
		      memcmp(b1, b2, n1) == 0);
		/* Lowering the written model again gives the same labels. */
		CHECK(back && classifier_lower(back, &d) == MLCC_OK &&
		      back->classifier.nlabels == 3 && back->classifier.int_labels == (il == 1) &&
		      strcmp(back->classifier.prob_var, "probs") == 0);
		if (back && il)
			CHECK(back->classifier.int_values[2] == 5000000000);
		else if (back)
			CHECK(strcmp(back->classifier.labels[2], "snow leopard") == 0);
	}
}

/* ---- refusals ----------------------------------------------------------- */

static void test_refusals(void)
{
	struct mlcc_diag d = {0, ""};
	struct model *m = new_model(MODEL_OTHER);
	uint8_t *b;
	size_t n;

	m->type_field = 500;
	CHECK(spec_write(m, &A, &b, &n, &d) == MLCC_E_UNSUPPORTED);
	CHECK(strstr(d.message, "hand-built: cannot write this model type (Model field 500)") ==
	      d.message);

	/* A count that does not fit the shape; a packed value of unknown
	** shape: spec_read would refuse both, so they are not written. */
	m = tiny_program("a");
	m->program->funcs[0].body.ops[0].attrs[1].value =
		tensor_v(vec_t(DT_FP32, 3), 2, (const float[]){1, 2});
	diag_clear(&d);
	CHECK(spec_write(m, &A, &b, &n, &d) == MLCC_E_CORRUPT);
	CHECK(strcmp(d.message,
		     "hand-built: function 'main': op 'a' (const): fp32 tensor value has 2 elements, its shape needs 3") ==
	      0);
	m->program->funcs[0].body.ops[0].attrs[1].value =
		tensor_v(vec_t(DT_UINT4, DIM_UNKNOWN), 2, (const uint8_t[]){1, 2});
	diag_clear(&d);
	CHECK(spec_write(m, &A, &b, &n, &d) == MLCC_E_UNSUPPORTED);
	CHECK(strstr(d.message, "packed uint4 value without a known shape") != NULL);
}

/* ---- pkg_write ---------------------------------------------------------- */

static const char expected_manifest[] =
	"{\n"
	"    \"fileFormatVersion\": \"1.0.0\",\n"
	"    \"itemInfoEntries\": {\n"
	"        \"AA794B57-6179-5AD2-8C64-3B8D10B76FAC\": {\n"
	"            \"author\": \"com.apple.CoreML\",\n"
	"            \"description\": \"CoreML Model Weights\",\n"
	"            \"name\": \"weights\",\n"
	"            \"path\": \"com.apple.CoreML/weights\"\n"
	"        },\n"
	"        \"B7B312DC-4C52-5F9E-A2C1-08A40D60BF43\": {\n"
	"            \"author\": \"com.apple.CoreML\",\n"
	"            \"description\": \"CoreML Model Specification\",\n"
	"            \"name\": \"model.mlmodel\",\n"
	"            \"path\": \"com.apple.CoreML/model.mlmodel\"\n"
	"        }\n"
	"    },\n"
	"    \"rootModelIdentifier\": \"B7B312DC-4C52-5F9E-A2C1-08A40D60BF43\"\n"
	"}\n";

static FeatureDescription *feature(const char *name)
{
	FeatureDescription *f = arena_alloc(&A, sizeof *f);
	FeatureType *t = arena_alloc(&A, sizeof *t);
	ArrayFeatureType *a = arena_alloc(&A, sizeof *a);
	int64_t *shape = arena_array(&A, 2, sizeof *shape);

	core_ml__specification__feature_description__init(f);
	core_ml__specification__feature_type__init(t);
	core_ml__specification__array_feature_type__init(a);
	shape[0] = 1;
	shape[1] = 4;
	a->n_shape = 2;
	a->shape = shape;
	a->datatype = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT32;
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE;
	t->multiarraytype = a;
	f->name = (char *)name;
	f->type = t;
	return f;
}

/* main(x: fp32[1,4]) { w = const(blob 'file' @64); out = add(x, w) } */
static struct model *compilable(const char *file)
{
	static const char *const fn[] = {"main"}, *const outs[] = {"out"};
	struct model *m = new_program(1, fn);
	struct function *f = &m->program->funcs[0];
	struct mtype *t = tensor_t(DT_FP32, 2, (int64_t[]){1, 4});
	FeatureDescription **in = arena_alloc(&A, sizeof *in);
	FeatureDescription **out = arena_alloc(&A, sizeof *out);

	in[0] = feature("x");
	out[0] = feature("out");
	m->desc->n_input = 1;
	m->desc->input = in;
	m->desc->n_output = 1;
	m->desc->output = out;
	m->spec_version = 7;
	f->opset = "CoreML6";
	f->ios = 16;
	f->ninputs = 1;
	f->inputs = arena_alloc(&A, sizeof *f->inputs);
	f->inputs[0] = (struct named_type){"x", t};
	block_ops(&f->body, 2, 1, outs);
	const_op(&f->body.ops[0], "w", blob_v(t, file, 64));
	f->body.ops[1].type = "add";
	input1(&f->body.ops[1], "x", "x");
	input1(&f->body.ops[1], "y", "w");
	name_attrs(&f->body.ops[1], "out", NULL, NULL);
	outputs(&f->body.ops[1], 1, outs, &t);
	return m;
}

/* A blob file with one fp32[4] blob at 64 (docs/spec/coreml-input.md §3). */
static void write_blob_file(const char *path)
{
	uint8_t b[144] = {0};
	uint32_t u;
	uint64_t q;
	FILE *f = fopen(path, "wb");

	b[0] = 1;
	b[4] = 2;
	u = 0xdeadbeefu;
	memcpy(b + 64, &u, 4);
	b[68] = 2;
	q = 16;
	memcpy(b + 72, &q, 8);
	q = 128;
	memcpy(b + 80, &q, 8);
	for (int i = 0; i < 4; i++) {
		float x = (float)i + 0.5f;
		memcpy(b + 128 + 4 * i, &x, 4);
	}
	CHECK(f && fwrite(b, 1, sizeof b, f) == sizeof b);
	if (f)
		fclose(f);
}

static bool same_file(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	unsigned char *x = tk_read(a, &na), *y = tk_read(b, &nb);
	bool same = x && y && na == nb && memcmp(x, y, na) == 0;

	free(x);
	free(y);
	return same;
}

/* Entries of 'dir' other than "." and "..". */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return d ? n : -1;
}

static void test_pkg_write(void)
{
	struct mlcc_diag d = {0, ""};
	char *tmp = tk_tmpdir(), pkg[PATH_MAX], p[PATH_MAX], blob[PATH_MAX];
	size_t n;
	uint8_t *spec;
	unsigned char *text;
	struct model *m = tiny_program("a");

	/* No weights: manifest, spec and an empty weights directory. */
	snprintf(pkg, sizeof pkg, "%s/out/T.mlpackage", tmp);
	CHECK(pkg_write(pkg, m, NULL, &d) == MLCC_OK);
	snprintf(p, sizeof p, "%s/Manifest.json", pkg);
	text = tk_read(p, &n);
	CHECK(text && n == strlen(expected_manifest) && memcmp(text, expected_manifest, n) == 0);
	free(text);
	snprintf(p, sizeof p, "%s/Data/com.apple.CoreML/weights", pkg);
	CHECK(count_entries(p) == 0);
	snprintf(p, sizeof p, "%s/Data/com.apple.CoreML/model.mlmodel", pkg);
	text = tk_read(p, &n);
	{
		size_t ns;
		CHECK(spec_write(m, &A, &spec, &ns, &d) == MLCC_OK);
		CHECK(text && n == ns && memcmp(text, spec, n) == 0);
	}
	free(text);
	char *expect_list[] = {"Data/com.apple.CoreML/model.mlmodel", "Manifest.json"};
	char **list = tk_list(pkg);
	CHECK(list[0] && !strcmp(list[0], expect_list[0]) && list[1] &&
	      !strcmp(list[1], expect_list[1]) && !list[2]);
	tk_free_list(list);
	struct stat st;
	mode_t mask = umask(0);
	umask(mask);
	CHECK(stat(pkg, &st) == 0 && (st.st_mode & 0777) == (0777 & ~mask));

	/* With a weight file: copied as is, replaces the package, compiles. */
	snprintf(blob, sizeof blob, "%s/blob.bin", tmp);
	write_blob_file(blob);
	struct weight_file wf = {"weights/weight.bin", blob, 0};
	struct weight_plan w = {1, &wf, 0, NULL, NULL, 0};
	m = compilable("@model_path/weights/weight.bin");
	CHECK(pkg_write(pkg, m, &w, &d) == MLCC_OK);
	snprintf(p, sizeof p, "%s/Data/com.apple.CoreML/weights/weight.bin", pkg);
	CHECK(same_file(blob, p));
	snprintf(p, sizeof p, "%s/out", tmp);
	CHECK(count_entries(p) == 1);
	struct mlcc_compile_options o = {.input = pkg, .output_dir = p};
	struct mlcc_compile_result r;
	CHECK(mlcc_compile(&o, &r, &d) == MLCC_OK);
	if (d.status)
		fprintf(stderr, "compile: %s\n", d.message);
	snprintf(p, sizeof p, "%s/out/T.mlmodelc/weights/weight.bin", tmp);
	CHECK(same_file(blob, p));
	mlcc_compile_result_free(&r);

	/* Errors leave nothing and keep the existing package. */
	m = compilable("@model_path/weights/other.bin");
	diag_clear(&d);
	CHECK(pkg_write(pkg, m, &w, &d) == MLCC_E_CORRUPT);
	CHECK(strcmp(d.message,
		     "hand-built: function 'main': op 'w' (const): BLOBFILE '@model_path/weights/other.bin' is not among the weight files of the package") ==
	      0);
	struct weight_file bad = {"../weight.bin", blob, 0};
	struct weight_plan wb = {1, &bad, 0, NULL, NULL, 0};
	diag_clear(&d);
	CHECK(pkg_write(pkg, m, &wb, &d) == MLCC_E_CORRUPT);
	struct weight_file missing = {"weights/other.bin", "/nonexistent/blob", 0};
	struct weight_plan wm = {1, &missing, 0, NULL, NULL, 0};
	diag_clear(&d);
	CHECK(pkg_write(pkg, m, &wm, &d) == MLCC_E_IO);
	snprintf(p, sizeof p, "%s/out", tmp);
	CHECK(count_entries(p) == 2); /* T.mlpackage and T.mlmodelc */
	snprintf(p, sizeof p, "%s/Data/com.apple.CoreML/weights/weight.bin", pkg);
	CHECK(same_file(blob, p));

	/* Two writes of the same model give the same bytes. */
	snprintf(p, sizeof p, "%s/again.mlpackage/", tmp);
	CHECK(pkg_write(p, m, &wm, &d) != MLCC_OK);
	m = compilable("@model_path/weights/weight.bin");
	CHECK(pkg_write(p, m, &w, &d) == MLCC_OK);
	char a[PATH_MAX], b[PATH_MAX];
	snprintf(a, sizeof a, "%s/again.mlpackage/Data/com.apple.CoreML/model.mlmodel", tmp);
	snprintf(b, sizeof b, "%s/Data/com.apple.CoreML/model.mlmodel", pkg);
	CHECK(same_file(a, b));
	CHECK(count_entries(tmp) == 3); /* out, blob.bin, again.mlpackage */
	tk_rm_rf(tmp);
	free(tmp);
}

int main(void)
{
	arena_init(&A);
	test_dtypes();
	test_structure();
	test_pipelines();
	test_classifier();
	test_refusals();
	test_pkg_write();
	arena_free(&A);
	if (!tk_failures)
		printf("test_specwrite_unit: %zu dtypes, values, blocks, pipelines, classifiers, packages\n",
		       NCASES);
	return tk_failures != 0;
}
