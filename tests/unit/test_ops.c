/*
** test_ops.c -- the op catalogue (every row parses, rows are sorted, the
** version in force per opset) and inference functions of a few families,
** with exact inferred shapes and exact messages.
*/
#include <stdio.h>
#include <string.h>

#include "ops/ops.h"
#include "testkit.h"

/* Every row parses, names and versions are in order, 'last' closes each
** replaced version right before its successor. */
static void test_table(void)
{
	size_t n;
	const struct op_def *t = ops_table(&n);
	struct op_input in[OPS_MAX_INPUTS];

	CHECK(n > 200);
	for (size_t i = 0; i < n; i++) {
		int k = ops_parse_inputs(&t[i], in);
		if (k < 0)
			fprintf(stderr, "row %s/%u does not parse\n", t[i].name, t[i].first);
		CHECK(k >= 0);
		CHECK(t[i].infer != NULL);
		CHECK(t[i].first >= 15 && t[i].first <= 18);
		if (i + 1 < n && strcmp(t[i].name, t[i + 1].name) == 0) {
			CHECK(t[i].first < t[i + 1].first);
			CHECK(t[i].last == t[i + 1].first - 1);
		} else {
			CHECK(t[i].last == 0);
		}
		if (i + 1 < n)
			CHECK(strcmp(t[i].name, t[i + 1].name) <= 0);
	}
}

static void test_find(void)
{
	const struct op_def *any, *d;
	struct op_input in[OPS_MAX_INPUTS];

	d = ops_find("conv", 16, &any);
	CHECK(d && d->first == 15 && any == d);
	d = ops_find("conv", 17, NULL);
	CHECK(d && d->first == 17);
	d = ops_find("conv", 26, NULL);
	CHECK(d && d->first == 17);
	CHECK(ops_find("read_state", 17, &any) == NULL && any && any->first == 18);
	CHECK(ops_find("no_such_op", 18, &any) == NULL && any == NULL);
	/* conv iOS17: weight of its own domain U, bias not const any more. */
	d = ops_find("conv", 17, NULL);
	int k = ops_parse_inputs(d, in);
	CHECK(k == 8);
	CHECK(strcmp(in[1].name, "weight") == 0 && in[1].domain == 'U' && !in[1].is_const);
	CHECK(in[1].dtypes == ((1u << DT_FP16) | (1u << DT_FP32)));
	CHECK(strcmp(in[2].name, "bias") == 0 && in[2].optional && !in[2].is_const);
	CHECK(strcmp(in[4].name, "pad_type") == 0 && in[4].is_const &&
	      in[4].dtypes == 1u << DT_STRING);
	CHECK(ops_dtype_set("fp16|int32", 10) == ((1u << DT_FP16) | (1u << DT_INT32)));
	CHECK(ops_dtype_set("fp16|nope", 9) == 0);
}

/* ---- inference -------------------------------------------------------- */

struct fixture {
	struct arena a;
	struct op op;
	struct op_input in[OPS_MAX_INPUTS];
	struct infer c;
	struct model_site at;
	struct mlcc_diag d;
	struct function f;
};

static void fx_init(struct fixture *x, const char *type, unsigned ios, size_t nout)
{
	memset(x, 0, sizeof *x);
	arena_init(&x->a);
	x->op.type = type;
	x->op.line = 3;
	x->op.col = 9;
	x->op.noutputs = nout;
	x->op.outputs = arena_array(&x->a, nout, sizeof *x->op.outputs);
	x->op.outputs[0].name = "y";
	x->f.name = "main";
	x->at.file = "t.mil";
	x->at.func = &x->f;
	x->at.op = &x->op;
	x->c.def = ops_find(type, ios, NULL);
	x->c.nin = (size_t)ops_parse_inputs(x->c.def, x->in);
	x->c.in = x->in;
	x->c.op = &x->op;
	x->c.nout = nout;
	x->c.arena = &x->a;
	x->c.at = &x->at;
	x->c.d = &x->d;
}

/* Input 'name' as a tensor of 'dt' with 'rank' dims (-1: '?'). */
static void fx_tensor(struct fixture *x, const char *name, enum dtype dt, int rank,
		      const int64_t *dims)
{
	int i = infer_input(&x->c, name);
	struct mtype *t = infer_tensor(&x->c, dt, rank);

	for (int k = 0; k < rank; k++)
		t->dims[k] = dims[k];
	x->c.type[i] = t;
	x->c.nbind[i] = 1;
}

/* Input 'name' as a known int32 vector. */
static void fx_ints(struct fixture *x, const char *name, int n, const int32_t *v)
{
	int i = infer_input(&x->c, name);
	int64_t dims[1] = {n};
	struct mvalue *val = arena_alloc(&x->a, sizeof *val);

	fx_tensor(x, name, DT_INT32, 1, dims);
	val->kind = VAL_TENSOR;
	val->type = (struct mtype *)x->c.type[i];
	val->count = (size_t)n;
	val->data = arena_array(&x->a, (size_t)n, sizeof(int32_t));
	memcpy(val->data, v, (size_t)n * sizeof(int32_t));
	x->c.val[i] = val;
}

static void expect_shape(const struct mtype *t, enum dtype dt, int rank, const int64_t *dims)
{
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(t->dtype == dt);
	CHECK(t->rank == rank);
	for (int i = 0; i < rank && t->rank == rank; i++)
		CHECK(t->dims[i] == dims[i]);
}

static void test_broadcast(void)
{
	struct fixture x;
	int64_t a[] = {2, 1, 4}, b[] = {3, 1}, want[] = {2, 3, 4}, bad[] = {3, 5};

	fx_init(&x, "add", 17, 1);
	fx_tensor(&x, "x", DT_FP16, 3, a);
	fx_tensor(&x, "y", DT_FP16, 2, b);
	CHECK(x.c.def->infer(&x.c) == 0);
	expect_shape(x.c.out[0], DT_FP16, 3, want);
	arena_free(&x.a);

	fx_init(&x, "less", 17, 1);
	fx_tensor(&x, "x", DT_FP32, 3, a);
	fx_tensor(&x, "y", DT_FP32, 2, bad);
	CHECK(x.c.def->infer(&x.c) == MLCC_E_CORRUPT);
	CHECK(strcmp(x.d.message, "t.mil:3:9: function 'main': op 'y' (less): x [2, 1, 4] and y "
				  "[3, 5] do not broadcast") == 0);
	arena_free(&x.a);
}

static void test_conv(void)
{
	struct fixture x;
	int64_t xd[] = {1, 16, 32, DIM_UNKNOWN}, wd[] = {8, 4, 3, 3}, w3[] = {8, 16, 3};
	int64_t want[] = {1, 8, 16, DIM_UNKNOWN};
	int32_t strides[] = {2, 2}, groups[] = {4};

	fx_init(&x, "conv", 17, 1);
	fx_tensor(&x, "x", DT_FP16, 4, xd);
	fx_tensor(&x, "weight", DT_FP16, 4, wd);
	fx_ints(&x, "strides", 2, strides);
	fx_ints(&x, "groups", 1, groups);
	x.c.val[infer_input(&x.c, "groups")]->type->rank = 0; /* a scalar */
	CHECK(x.c.def->infer(&x.c) == 0);
	/* valid padding: floor((32 - 3) / 2) + 1 = 15 */
	want[2] = 15;
	expect_shape(x.c.out[0], DT_FP16, 4, want);
	arena_free(&x.a);

	fx_init(&x, "conv", 15, 1);
	fx_tensor(&x, "x", DT_FP16, 4, xd);
	fx_tensor(&x, "weight", DT_FP16, 3, w3);
	CHECK(x.c.def->infer(&x.c) == MLCC_E_CORRUPT);
	CHECK(strcmp(x.d.message,
		     "t.mil:3:9: function 'main': op 'y' (conv): weight has rank 3, expected 4") ==
	      0);
	arena_free(&x.a);
}

static void test_matmul_reshape(void)
{
	struct fixture x;
	int64_t a[] = {4, 2, 3}, b[] = {5, 3}, want[] = {4, 2, 5}, r6[] = {2, 3};
	int32_t shape[] = {3, -1}, badshape[] = {4, 2};
	int64_t rwant[] = {3, 2};

	fx_init(&x, "matmul", 18, 1);
	fx_tensor(&x, "x", DT_FP32, 3, a);
	fx_tensor(&x, "y", DT_FP32, 2, b);
	CHECK(x.c.def->infer(&x.c) == MLCC_E_CORRUPT); /* y not transposed: 3 vs 5 */
	arena_free(&x.a);

	fx_init(&x, "matmul", 18, 1);
	fx_tensor(&x, "x", DT_FP32, 3, a);
	fx_tensor(&x, "y", DT_FP32, 2, b);
	{
		int i = infer_input(&x.c, "transpose_y");
		struct mvalue *v = arena_alloc(&x.a, sizeof *v);
		int64_t none[1] = {0};
		fx_tensor(&x, "transpose_y", DT_BOOL, 0, none);
		v->kind = VAL_TENSOR;
		v->type = (struct mtype *)x.c.type[i];
		v->count = 1;
		v->data = arena_alloc(&x.a, 1);
		*(uint8_t *)v->data = 1;
		x.c.val[i] = v;
	}
	CHECK(x.c.def->infer(&x.c) == 0);
	expect_shape(x.c.out[0], DT_FP32, 3, want);
	arena_free(&x.a);

	fx_init(&x, "reshape", 17, 1);
	fx_tensor(&x, "x", DT_FP16, 2, r6);
	fx_ints(&x, "shape", 2, shape);
	CHECK(x.c.def->infer(&x.c) == 0);
	expect_shape(x.c.out[0], DT_FP16, 2, rwant);
	arena_free(&x.a);

	fx_init(&x, "reshape", 17, 1);
	fx_tensor(&x, "x", DT_FP16, 2, r6);
	fx_ints(&x, "shape", 2, badshape);
	CHECK(x.c.def->infer(&x.c) == MLCC_E_CORRUPT);
	CHECK(strcmp(x.d.message, "t.mil:3:9: function 'main': op 'y' (reshape): x [2, 3] has 6 "
				  "elements, shape [4, 2] cannot hold them") == 0);
	arena_free(&x.a);
}

/* Unknown dims and unknown values never fail: the result keeps what is
** known. */
static void test_unknown(void)
{
	struct fixture x;
	int64_t a[] = {DIM_UNKNOWN, 3}, b[] = {7, 3}, perm_x[] = {2, DIM_UNKNOWN, 5};
	int64_t want[] = {7, 3}, twant[] = {5, 2, DIM_UNKNOWN};
	int32_t perm[] = {2, 0, 1};

	fx_init(&x, "mul", 16, 1);
	fx_tensor(&x, "x", DT_FP16, 2, a);
	fx_tensor(&x, "y", DT_FP16, 2, b);
	CHECK(x.c.def->infer(&x.c) == 0);
	expect_shape(x.c.out[0], DT_FP16, 2, want);
	arena_free(&x.a);

	fx_init(&x, "transpose", 16, 1);
	fx_tensor(&x, "x", DT_INT32, 3, perm_x);
	fx_ints(&x, "perm", 3, perm);
	CHECK(x.c.def->infer(&x.c) == 0);
	expect_shape(x.c.out[0], DT_INT32, 3, twant);
	arena_free(&x.a);

	/* reshape with a shape computed at run time: rank from its length. */
	fx_init(&x, "reshape", 16, 1);
	fx_tensor(&x, "x", DT_FP16, 2, b);
	{
		int64_t len[1] = {4};
		fx_tensor(&x, "shape", DT_INT32, 1, len);
	}
	CHECK(x.c.def->infer(&x.c) == 0);
	CHECK(x.c.out[0] && x.c.out[0]->rank == 4 && x.c.out[0]->dims[0] == DIM_UNKNOWN);
	arena_free(&x.a);
}

/* slice_by_index follows python slicing: negative stride and masks. */
static void test_slice(void)
{
	struct fixture x;
	int64_t xd[] = {10, 6, 4}, want[] = {3, 6};
	int32_t b[] = {8, 0, 1}, e[] = {2, 0, 0}, st[] = {-2, 1, 1};
	int32_t em[] = {0, 1, 0}, sq[] = {0, 0, 1};

	fx_init(&x, "slice_by_index", 17, 1);
	fx_tensor(&x, "x", DT_FP16, 3, xd);
	fx_ints(&x, "begin", 3, b);
	fx_ints(&x, "end", 3, e);
	fx_ints(&x, "stride", 3, st);
	fx_ints(&x, "end_mask", 3, em);
	fx_ints(&x, "squeeze_mask", 3, sq);
	CHECK(x.c.def->infer(&x.c) == 0);
	/* 8, 6, 4 of dim 0 (end 2 excluded); all of dim 1; dim 2 squeezed */
	expect_shape(x.c.out[0], DT_FP16, 2, want);
	arena_free(&x.a);
}

/* constexpr_lut_to_dense (iOS18): the indices' shape, the vector axis
** scaled by the LUT's vector size, the LUT's dtype. */
static void test_lut(void)
{
	struct fixture x;
	int64_t ix[] = {8, 4}, lut[] = {1, 1, 16, 2}, want[] = {8, 8};
	int32_t va[] = {1};

	fx_init(&x, "constexpr_lut_to_dense", 18, 1);
	fx_tensor(&x, "indices", DT_UINT4, 2, ix);
	fx_tensor(&x, "lut", DT_FP16, 4, lut);
	fx_ints(&x, "vector_axis", 1, va);
	x.c.val[infer_input(&x.c, "vector_axis")]->type->rank = 0;
	CHECK(x.c.def->infer(&x.c) == 0);
	expect_shape(x.c.out[0], DT_FP16, 2, want);
	arena_free(&x.a);
}

int main(void)
{
	test_table();
	test_find();
	test_broadcast();
	test_conv();
	test_matmul_reshape();
	test_unknown();
	test_slice();
	test_lut();
	if (tk_failures)
		fprintf(stderr, "test_ops: %d failure(s)\n", tk_failures);
	else
		printf("test_ops: ok\n");
	return tk_failures ? 1 : 0;
}
