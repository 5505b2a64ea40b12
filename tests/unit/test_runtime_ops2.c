/*
** test_runtime_ops2.c -- the runtime's further op families (ops2.h), each
** kernel called directly through the op table on hand-made values.
** Every expected number comes from a closed form or a hand computation
** written beside it, never from the runtime itself.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runtime/ops2.h"
#include "testkit.h"

/* ---- a tiny harness: one op, its named inputs, its outputs ---------------------- */

#define MAXP 16

struct call {
	const char *type;
	int nparams;
	const char *param[MAXP];
	struct rt_value val[MAXP];
	int nout;
	enum dtype out_dtype[3];
	struct rt_value out[3];
	struct mlcc_diag d;
};

/* Bind parameter 'p' of 'c' to a value of 'dt' and 'shape' over 'data'. */
static void bind(struct call *c, const char *p, enum dtype dt, int rank, const int64_t *shape,
		 const void *data)
{
	struct rt_value *v = &c->val[c->nparams];

	c->param[c->nparams++] = p;
	memset(v, 0, sizeof *v);
	v->dtype = dt;
	v->rank = rank;
	if (rank > 0)
		memcpy(v->shape, shape, (size_t)rank * sizeof *shape);
	v->count = rt_shape_count(rank, shape);
	v->data = (void *)data;
}

static void bind_f(struct call *c, const char *p, int rank, const int64_t *shape, const float *d)
{
	bind(c, p, DT_FP32, rank, shape, d);
}

static void bind_i(struct call *c, const char *p, int rank, const int64_t *shape, const int32_t *d)
{
	bind(c, p, DT_INT32, rank, shape, d);
}

static void bind_s(struct call *c, const char *p, const char *const *s)
{
	bind(c, p, DT_STRING, 0, NULL, s);
}

static void bind_b(struct call *c, const char *p, const uint8_t *b)
{
	bind(c, p, DT_BOOL, 0, NULL, b);
}

/* Run 'c' through the op table; returns the kernel's status. */
static int run(struct call *c)
{
	const struct rt_impl *impl = rt_find_impl(c->type);
	struct function fn = {0};
	struct op mop = {0};
	struct named_type outs[3];
	struct mtype ot[3];
	struct rt_arg args[MAXP];
	struct rt_value *in[MAXP];
	struct rt_op op = {0};
	struct rt_ctx ctx = {0};

	memset(&c->d, 0, sizeof c->d);
	memset(c->out, 0, sizeof c->out);
	if (impl == NULL) {
		fprintf(stderr, "no kernel for %s\n", c->type);
		return -1;
	}
	fn.name = "main";
	mop.type = c->type;
	for (int i = 0; i < c->nout; i++) {
		memset(&ot[i], 0, sizeof ot[i]);
		ot[i].kind = TY_TENSOR;
		ot[i].dtype = c->out_dtype[i] ? c->out_dtype[i] : DT_FP32;
		ot[i].rank = -1;
		outs[i].name = i == 0 ? "y" : i == 1 ? "y1" : "y2";
		outs[i].type = &ot[i];
	}
	mop.noutputs = (size_t)c->nout;
	mop.outputs = outs;
	for (int i = 0; i < c->nparams; i++) {
		args[i].param = c->param[i];
		args[i].first = (size_t)i;
		args[i].n = 1;
		in[i] = &c->val[i];
	}
	op.op = &mop;
	op.impl = impl;
	op.nargs = (size_t)c->nparams;
	op.args = args;
	op.nin = (size_t)c->nparams;
	op.nout = (size_t)c->nout;
	ctx.d = &c->d;
	ctx.file = "t.mil";
	ctx.func = &fn;
	return impl->run(&ctx, &op, in, c->out);
}

static void done(struct call *c)
{
	for (int i = 0; i < 3; i++)
		rt_value_free(&c->out[i]);
}

/* Output 'o' has 'rank'/'shape' and float values 'want' within 'tol'. */
static bool out_is(const struct call *c, int o, int rank, const int64_t *shape, const float *want,
		   float tol)
{
	const struct rt_value *v = &c->out[o];

	if (v->rank != rank) {
		fprintf(stderr, "%s: rank %d, expected %d\n", c->type, v->rank, rank);
		return false;
	}
	for (int i = 0; i < rank; i++)
		if (v->shape[i] != shape[i]) {
			fprintf(stderr, "%s: dim %d is %lld, expected %lld\n", c->type, i,
				(long long)v->shape[i], (long long)shape[i]);
			return false;
		}
	for (size_t i = 0; i < v->count; i++) {
		float g = rt_getf(v, i);
		if (!(fabsf(g - want[i]) <= tol)) {
			fprintf(stderr, "%s: element %zu is %.9g, expected %.9g\n", c->type, i, g,
				want[i]);
			return false;
		}
	}
	return true;
}

static const char *const S_VALID[] = {"valid"}, *const S_CUSTOM[] = {"custom"},
			 *const S_SAME[] = {"same"}, *const S_UPDATE[] = {"update"},
			 *const S_ADD[] = {"add"}, *const S_MUL[] = {"mul"};
static const uint8_t T = 1, F = 0;

/* ---- conv_transpose ----------------------------------------------------------------- */

static void test_conv_transpose(void)
{
	/* 1-D: x = [1, 2], kernel [1, 1]: stride 1 -> [1, 1+2, 2]; stride 2 ->
	** [1, 1, 2, 2] (windows do not overlap); with bias 10 added to each. */
	static const float x[] = {1, 2}, w[] = {1, 1}, bias[] = {10};
	static const int64_t xs[] = {1, 1, 2}, ws[] = {1, 1, 2}, one[] = {1};
	static const int32_t s1[] = {1}, s2[] = {2};
	struct call c = {.type = "conv_transpose", .nout = 1};

	bind_f(&c, "x", 3, xs, x);
	bind_f(&c, "weight", 3, ws, w);
	bind_i(&c, "strides", 1, one, s1);
	bind_s(&c, "pad_type", S_VALID);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 3, (const int64_t[]){1, 1, 3}, (const float[]){1, 3, 2}, 0));
	done(&c);
	c.val[2].data = (void *)s2;
	bind_f(&c, "bias", 1, one, bias);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 3, (const int64_t[]){1, 1, 4}, (const float[]){11, 11, 12, 12}, 0));
	done(&c);

	/* 2-D, 2 output channels, custom pad 1 at the start of width:
	** x 1x1x1x2 = [3, 4], weight [1, 2, 1, 2]: channel 0 kernel [1, 1], channel
	** 1 kernel [1, -1]; full output width 3: ch0 [3, 7, 4], ch1 [3, -3+4, -4]
	** = [3, 1, -4]; dropping one column at the start: [7, 4] and [1, -4]. */
	static const float x2[] = {3, 4}, w2[] = {1, 1, 1, -1};
	static const int64_t x2s[] = {1, 1, 1, 2}, w2s[] = {1, 2, 1, 2}, two[] = {2}, four[] = {4};
	static const int32_t st[] = {1, 1}, pad[] = {0, 0, 1, 0};
	struct call d = {.type = "conv_transpose", .nout = 1};
	bind_f(&d, "x", 4, x2s, x2);
	bind_f(&d, "weight", 4, w2s, w2);
	bind_i(&d, "strides", 1, two, st);
	bind_s(&d, "pad_type", S_CUSTOM);
	bind_i(&d, "pad", 1, four, pad);
	CHECK(run(&d) == MLCC_OK);
	CHECK(out_is(&d, 0, 4, (const int64_t[]){1, 2, 1, 2}, (const float[]){7, 4, 1, -4}, 0));
	done(&d);
}

/* ---- pooling and resizing ------------------------------------------------------------ */

static void test_pool(void)
{
	/* a 4x4 grid 0..15, 2x2 windows, stride 2: max = bottom-right of each
	** window (5, 7, 13, 15), average = window mean (2.5, 4.5, 10.5, 12.5). */
	float g[16];
	static const int64_t gs[] = {1, 1, 4, 4}, two[] = {2};
	static const int32_t k[] = {2, 2};
	for (int i = 0; i < 16; i++)
		g[i] = (float)i;
	struct call c = {.type = "max_pool", .nout = 1};
	bind_f(&c, "x", 4, gs, g);
	bind_i(&c, "kernel_sizes", 1, two, k);
	bind_i(&c, "strides", 1, two, k);
	bind_s(&c, "pad_type", S_VALID);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 4, (const int64_t[]){1, 1, 2, 2}, (const float[]){5, 7, 13, 15}, 0));
	done(&c);
	c.type = "avg_pool";
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 4, (const int64_t[]){1, 1, 2, 2},
		     (const float[]){2.5f, 4.5f, 10.5f, 12.5f}, 0));
	done(&c);

	/* a 5x5 window on the 4x4 grid without padding: refused, naming the op */
	static const int32_t k5[] = {5, 5};
	c.val[1].data = (void *)k5;
	CHECK(run(&c) == MLCC_E_CORRUPT);
	CHECK(strcmp(c.d.message, "t.mil: function 'main': op 'y' (avg_pool): the kernel is "
				  "larger than the padded input") == 0);
	c.val[1].data = (void *)k;

	/* "same" padding, 3x3 max windows, stride 1 on the grid: each output is
	** the largest neighbour = min(r+1,3)*4 + min(c+1,3). */
	static const int32_t k3[] = {3, 3}, s1[] = {1, 1};
	struct call s = {.type = "max_pool", .nout = 1};
	float want[16];
	for (int r = 0; r < 4; r++)
		for (int q = 0; q < 4; q++)
			want[r * 4 + q] =
				(float)((r + 1 < 3 ? r + 1 : 3) * 4 + (q + 1 < 3 ? q + 1 : 3));
	bind_f(&s, "x", 4, gs, g);
	bind_i(&s, "kernel_sizes", 1, two, k3);
	bind_i(&s, "strides", 1, two, s1);
	bind_s(&s, "pad_type", S_SAME);
	CHECK(run(&s) == MLCC_OK);
	CHECK(out_is(&s, 0, 4, gs, want, 0));
	done(&s);

	/* avg_pool over padding: 2x2 grid [1,2,3,4], pad 1 everywhere, 2x2
	** windows, stride 2: each window holds one element and three pads:
	** excluded -> 1,2,3,4; included -> 0.25,0.5,0.75,1. */
	static const float q[] = {1, 2, 3, 4};
	static const int64_t qs[] = {1, 1, 2, 2}, four[] = {4};
	static const int32_t pad[] = {1, 1, 1, 1};
	struct call a = {.type = "avg_pool", .nout = 1};
	bind_f(&a, "x", 4, qs, q);
	bind_i(&a, "kernel_sizes", 1, two, k);
	bind_i(&a, "strides", 1, two, k);
	bind_s(&a, "pad_type", S_CUSTOM);
	bind_i(&a, "pad", 1, four, pad);
	bind_b(&a, "exclude_padding_from_average", &T);
	CHECK(run(&a) == MLCC_OK);
	CHECK(out_is(&a, 0, 4, qs, q, 0));
	done(&a);
	a.val[5].data = (void *)&F;
	CHECK(run(&a) == MLCC_OK);
	CHECK(out_is(&a, 0, 4, qs, (const float[]){0.25f, 0.5f, 0.75f, 1}, 0));
	done(&a);

	/* l2_pool of [3, 4] (1-D window of 2) = 5. */
	static const float l[] = {3, 4};
	static const int64_t ls[] = {1, 1, 2}, one[] = {1};
	static const int32_t k2[] = {2};
	struct call l2 = {.type = "l2_pool", .nout = 1};
	bind_f(&l2, "x", 3, ls, l);
	bind_i(&l2, "kernel_sizes", 1, one, k2);
	bind_s(&l2, "pad_type", S_VALID);
	CHECK(run(&l2) == MLCC_OK);
	CHECK(out_is(&l2, 0, 3, (const int64_t[]){1, 1, 1}, (const float[]){5}, 0));
	done(&l2);
}

static void test_pool_fp16(void)
{
	/* avg of fp16 1 and 2^-11 = 0.500244140625 exactly in float, halfway
	** between fp16 0.5 (0x3800) and its successor (0x3801): rounds to even. */
	static const uint16_t h[] = {0x3c00, 0x1000};
	static const int64_t hs[] = {1, 1, 2}, one[] = {1};
	static const int32_t k[] = {2};
	struct call c = {.type = "avg_pool", .nout = 1};
	bind(&c, "x", DT_FP16, 3, hs, h);
	bind_i(&c, "kernel_sizes", 1, one, k);
	bind_s(&c, "pad_type", S_VALID);
	CHECK(run(&c) == MLCC_OK);
	CHECK(c.out[0].dtype == DT_FP16 && c.out[0].count == 1);
	CHECK(c.out[0].data && ((uint16_t *)c.out[0].data)[0] == 0x3800);
	done(&c);
}

static void test_resize(void)
{
	/* nearest 2x of [[1,2],[3,4]]: each element becomes a 2x2 block. */
	static const float x[] = {1, 2, 3, 4}, two_f[] = {2};
	static const int64_t xs[] = {1, 1, 2, 2};
	struct call c = {.type = "upsample_nearest_neighbor", .nout = 1};
	bind_f(&c, "x", 4, xs, x);
	bind_f(&c, "scale_factor_height", 0, NULL, two_f);
	bind_f(&c, "scale_factor_width", 0, NULL, two_f);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 4, (const int64_t[]){1, 1, 4, 4},
		     (const float[]){1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 0));
	done(&c);

	/* bilinear, aligned corners, width 2 -> 3 (scale 1.5): [0, 2] -> the
	** midpoint 1 appears between them: [0, 1, 2]. */
	static const float r[] = {0, 2}, one_f[] = {1}, s15[] = {1.5f};
	static const int64_t rs[] = {1, 1, 1, 2};
	struct call b = {.type = "upsample_bilinear", .nout = 1};
	bind_f(&b, "x", 4, rs, r);
	bind_f(&b, "scale_factor_height", 0, NULL, one_f);
	bind_f(&b, "scale_factor_width", 0, NULL, s15);
	bind_b(&b, "align_corners", &T);
	CHECK(run(&b) == MLCC_OK);
	CHECK(out_is(&b, 0, 4, (const int64_t[]){1, 1, 1, 3}, (const float[]){0, 1, 2}, 1e-6f));
	done(&b);

	/* resize_bilinear to width 4, half-pixel (UNALIGN_CORNERS) of [0, 4]:
	** src = (o + 0.5) / 2 - 0.5 = -0.25 (clamped 0), 0.25, 0.75, 1.25 (edge):
	** [0, 1, 3, 4]. */
	static const float r2[] = {0, 4};
	static const int32_t h1[] = {1}, w4[] = {4};
	static const char *const un[] = {"UNALIGN_CORNERS"};
	struct call z = {.type = "resize_bilinear", .nout = 1};
	bind_f(&z, "x", 4, rs, r2);
	bind_i(&z, "target_size_height", 0, NULL, h1);
	bind_i(&z, "target_size_width", 0, NULL, w4);
	bind_s(&z, "sampling_mode", un);
	CHECK(run(&z) == MLCC_OK);
	CHECK(out_is(&z, 0, 4, (const int64_t[]){1, 1, 1, 4}, (const float[]){0, 1, 3, 4}, 1e-6f));
	done(&z);
}

static void test_affine(void)
{
	/* The identity transform with normalised [-1, 1] coordinates and
	** unaligned corners samples every pixel centre exactly: the image again.
	** A shift by 2 (one whole width) puts every sample outside: the
	** padding value 7 everywhere. */
	static const float img[] = {1, 2, 3, 4}, id[] = {1, 0, 0, 0, 1, 0},
			   shift[] = {1, 0, 2, 0, 1, 0}, seven[] = {7};
	static const int32_t two[] = {2};
	static const char *const bil[] = {"bilinear"}, *const cst[] = {"constant"},
				 *const nm[] = {"normalized_minus_one_to_one"};
	static const int64_t xs[] = {1, 1, 2, 2};
	struct call c = {.type = "affine", .nout = 1};
	bind_f(&c, "x", 4, xs, img);
	bind_f(&c, "transform_matrix", 2, (const int64_t[]){1, 6}, id);
	bind_i(&c, "output_height", 0, NULL, two);
	bind_i(&c, "output_width", 0, NULL, two);
	bind_s(&c, "sampling_mode", bil);
	bind_s(&c, "padding_mode", cst);
	bind_f(&c, "padding_value", 0, NULL, seven);
	bind_s(&c, "coordinates_mode", nm);
	bind_b(&c, "align_corners", &F);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 4, xs, img, 1e-6f));
	done(&c);
	c.val[1].data = (void *)shift;
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 4, xs, (const float[]){7, 7, 7, 7}, 0));
	done(&c);
}

/* ---- lstm ---------------------------------------------------------------------------- */

static void test_lstm(void)
{
	/* Zero weights and bias: every gate sees 0, so i = f = o = sigmoid(0) =
	** 1/2 and z = tanh(0) = 0.  From c0 = 1: c1 = c0/2 = 0.5, h1 = tanh(0.5)/2;
	** c2 = 0.25, h2 = tanh(0.25)/2 (H = 1, I = 2, two steps, one batch). */
	static const float x[4] = {0.3f, -0.7f, 1.1f, 2.0f}, wih[8] = {0}, whh[4] = {0};
	static const float h0[] = {0}, c0[] = {1};
	static const int64_t xs[] = {2, 1, 2}, wis[] = {4, 2}, whs[] = {4, 1}, hs[] = {1, 1};
	struct call c = {.type = "lstm", .nout = 3};
	bind_f(&c, "x", 3, xs, x);
	bind_f(&c, "weight_ih", 2, wis, wih);
	bind_f(&c, "weight_hh", 2, whs, whh);
	bind_f(&c, "initial_h", 2, hs, h0);
	bind_f(&c, "initial_c", 2, hs, c0);
	bind_b(&c, "output_sequence", &T);
	CHECK(run(&c) == MLCC_OK);
	float h1 = 0.5f * tanhf(0.5f), h2 = 0.5f * tanhf(0.25f);
	CHECK(out_is(&c, 0, 3, (const int64_t[]){2, 1, 1}, (const float[]){h1, h2}, 1e-7f));
	CHECK(out_is(&c, 1, 2, hs, (const float[]){h2}, 1e-7f));
	CHECK(out_is(&c, 2, 2, hs, (const float[]){0.25f}, 0));
	done(&c);

	/* Gate order i, f, o, z: a bias of +100 on the cell gate only makes
	** z = tanh(100) = 1, so from c0 = 0: c1 = i*z = 1/2, h1 = tanh(1/2)/2;
	** not a sequence: the output is the last h, shape [1, 1, 1]. */
	static const float bias[4] = {0, 0, 0, 100}, zero[] = {0};
	static const int64_t bs[] = {4};
	struct call g = {.type = "lstm", .nout = 3};
	bind_f(&g, "x", 3, (const int64_t[]){1, 1, 2}, x);
	bind_f(&g, "weight_ih", 2, wis, wih);
	bind_f(&g, "weight_hh", 2, whs, whh);
	bind_f(&g, "initial_h", 2, hs, zero);
	bind_f(&g, "initial_c", 2, hs, zero);
	bind_f(&g, "bias", 1, bs, bias);
	CHECK(run(&g) == MLCC_OK);
	CHECK(out_is(&g, 0, 3, (const int64_t[]){1, 1, 1}, (const float[]){h1}, 1e-7f));
	CHECK(out_is(&g, 2, 2, hs, (const float[]){0.5f}, 0));
	done(&g);

	/* rnn with W = [[1]], R = [[0]], relu: h_t = relu(x_t) -> [2, 0]. */
	static const float rx[] = {2, -3}, one[] = {1};
	struct call r = {.type = "rnn", .nout = 2};
	static const char *const relu[] = {"relu"};
	bind_f(&r, "x", 3, (const int64_t[]){2, 1, 1}, rx);
	bind_f(&r, "weight_ih", 2, hs, one);
	bind_f(&r, "weight_hh", 2, hs, zero);
	bind_f(&r, "initial_h", 2, hs, zero);
	bind_s(&r, "activation", relu);
	bind_b(&r, "output_sequence", &T);
	CHECK(run(&r) == MLCC_OK);
	CHECK(out_is(&r, 0, 3, (const int64_t[]){2, 1, 1}, (const float[]){2, 0}, 0));
	done(&r);
}

static void test_gru(void)
{
	/* Zero weights: r = z = sigmoid(0) = 1/2, o = tanh(0) = 0, so
	** h' = (1 - z) * o + z * h = h / 2: from h0 = 1, [0.5, 0.25]. */
	static const float x[2] = {0.5f, -1}, wih[3] = {0}, whh[3] = {0}, h0[] = {1};
	static const int64_t xs[] = {2, 1, 1}, ws[] = {3, 1}, hs[] = {1, 1}, bs[] = {3};
	struct call c = {.type = "gru", .nout = 2};
	bind_f(&c, "x", 3, xs, x);
	bind_f(&c, "weight_ih", 2, ws, wih);
	bind_f(&c, "weight_hh", 2, ws, whh);
	bind_f(&c, "initial_h", 2, hs, h0);
	bind_b(&c, "output_sequence", &T);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 3, xs, (const float[]){0.5f, 0.25f}, 0));
	CHECK(out_is(&c, 1, 2, hs, (const float[]){0.25f}, 0));
	done(&c);
	/* Gate order r, o, z: bias +100 on z (third) keeps h = h0 = 1; bias
	** +100 on o (second) from h0 = 0 gives (1 - 1/2) * tanh(100) = 1/2. */
	static const float bz[] = {0, 0, 100}, bo[] = {0, 100, 0}, zero[] = {0};
	bind_f(&c, "bias", 1, bs, bz);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 3, xs, (const float[]){1, 1}, 0));
	done(&c);
	c.val[5].data = (void *)bo;
	c.val[3].data = (void *)zero;
	c.val[4].data = (void *)&F; /* not a sequence: the last h, [1, 1, 1] */
	CHECK(run(&c) == MLCC_OK);
	/* step 2 from h = 1/2: (1/2) * 1 + (1/2) * (1/2) = 3/4 */
	CHECK(out_is(&c, 0, 3, (const int64_t[]){1, 1, 1}, (const float[]){0.75f}, 0));
	done(&c);
}

/* ---- sorting -------------------------------------------------------------------------- */

static void test_topk(void)
{
	static const float x[] = {3, 1, 4, 1, 5, 9, 2, 6};
	static const int64_t xs[] = {8};
	static const int32_t k[] = {3};
	struct call c = {.type = "topk", .nout = 2, .out_dtype = {DT_FP32, DT_INT32}};
	bind_f(&c, "x", 1, xs, x);
	bind_i(&c, "k", 0, NULL, k);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 1, (const int64_t[]){3}, (const float[]){9, 6, 5}, 0));
	CHECK(out_is(&c, 1, 1, (const int64_t[]){3}, (const float[]){5, 7, 4}, 0));
	CHECK(c.out[1].dtype == DT_INT32);
	done(&c);
	/* ascending: 1, 1 (ties: lower index first: 1 then 3), 2 */
	bind_b(&c, "ascending", &T);
	c.out_dtype[1] = DT_UINT16;
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 1, (const int64_t[]){3}, (const float[]){1, 1, 2}, 0));
	CHECK(out_is(&c, 1, 1, (const int64_t[]){3}, (const float[]){1, 3, 6}, 0));
	CHECK(c.out[1].dtype == DT_UINT16);
	done(&c);

	/* argsort along axis 0 of a 3x1 column, descending: [3, 1, 2] -> 0, 2, 1 */
	struct call a = {.type = "argsort", .nout = 1, .out_dtype = {DT_INT32}};
	static const int32_t ax0[] = {0};
	bind_f(&a, "x", 2, (const int64_t[]){3, 1}, x);
	bind_i(&a, "axis", 0, NULL, ax0);
	CHECK(run(&a) == MLCC_OK);
	/* x[0..2] = 3, 1, 4 -> descending 4 (2), 3 (0), 1 (1) */
	CHECK(out_is(&a, 0, 2, (const int64_t[]){3, 1}, (const float[]){2, 0, 1}, 0));
	done(&a);
}

/* ---- einsum --------------------------------------------------------------------------- */

static void test_einsum(void)
{
	/* "bchk,bkhq->bchq" with b = h = 1 is A[c,k] @ B[k,q]:
	** [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]. */
	static const float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8};
	static const char *const eq[] = {"bchk,bkhq->bchq"};
	struct call c = {.type = "einsum", .nout = 1};
	bind_f(&c, "values", 4, (const int64_t[]){1, 2, 1, 2}, a);
	bind_f(&c, "values", 4, (const int64_t[]){1, 2, 1, 2}, b);
	bind_s(&c, "equation", eq);
	/* the harness binds one value per parameter: make 'values' variadic */
	CHECK(rt_find_impl("einsum") != NULL);
	{
		const struct rt_impl *impl = rt_find_impl("einsum");
		struct function fn = {.name = "main"};
		struct mtype ot = {.kind = TY_TENSOR, .dtype = DT_FP32, .rank = -1};
		struct named_type outs[1] = {{"y", &ot}};
		struct op mop = {.type = "einsum", .noutputs = 1, .outputs = outs};
		struct rt_arg args[2] = {{"values", 0, 2}, {"equation", 2, 1}};
		struct rt_value *in[3] = {&c.val[0], &c.val[1], &c.val[2]};
		struct rt_op op = {
			.op = &mop, .impl = impl, .nargs = 2, .args = args, .nin = 3, .nout = 1};
		struct rt_ctx ctx = {.d = &c.d, .file = "t.mil", .func = &fn};
		memset(c.out, 0, sizeof c.out);
		CHECK(impl->run(&ctx, &op, in, c.out) == MLCC_OK);
		CHECK(out_is(&c, 0, 4, (const int64_t[]){1, 2, 1, 2},
			     (const float[]){19, 22, 43, 50}, 0));
		done(&c);
		/* the other form: "bkhc,bchq->bkhq" with k = 1: an outer product
		** of A[c] (1, 2) and B[c, q] ([[1, 0], [0, 1]]) summed over c -> [1, 2]. */
		static const float a2[] = {1, 2}, b2[] = {1, 0, 0, 1};
		static const char *const eq2[] = {"bkhc,bchq->bkhq"};
		c.val[0].data = (void *)a2;
		c.val[0].shape[1] = 1;
		c.val[0].shape[3] = 2;
		c.val[0].count = 2;
		c.val[1].data = (void *)b2;
		c.val[2].data = (void *)eq2;
		CHECK(impl->run(&ctx, &op, in, c.out) == MLCC_OK);
		CHECK(out_is(&c, 0, 4, (const int64_t[]){1, 1, 1, 2}, (const float[]){1, 2}, 0));
		done(&c);
		/* a letter summed in one operand only is refused with a message */
		static const char *const bad[] = {"ij,jk->k"};
		c.val[0].rank = 2;
		c.val[1].rank = 2;
		c.val[2].data = (void *)bad;
		CHECK(impl->run(&ctx, &op, in, c.out) == MLCC_E_UNSUPPORTED);
		CHECK(strstr(c.d.message, "t.mil: function 'main': ") != NULL);
		CHECK(strstr(c.d.message, "einsum 'ij,jk->k': index 'i' is summed in one operand "
					  "only") != NULL);
	}
}

/* ---- gather / scatter ------------------------------------------------------------------ */

static void test_scatter(void)
{
	static const float data[] = {1, 1, 1, 1}, upd[] = {5, 7};
	static const int32_t idx[] = {1, -1};
	static const int64_t ds[] = {4}, is[] = {2};
	struct call c = {.type = "scatter", .nout = 1};
	bind_f(&c, "data", 1, ds, data);
	bind_i(&c, "indices", 1, is, idx);
	bind_f(&c, "updates", 1, is, upd);
	bind_s(&c, "mode", S_ADD);
	CHECK(run(&c) == MLCC_OK); /* -1 is the last element */
	CHECK(out_is(&c, 0, 1, ds, (const float[]){1, 6, 1, 8}, 0));
	done(&c);
	c.val[3].data = (void *)S_MUL;
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 1, ds, (const float[]){1, 5, 1, 7}, 0));
	done(&c);
	static const int32_t bad[] = {1, 4};
	c.val[1].data = (void *)bad;
	CHECK(run(&c) == MLCC_E_CORRUPT);
	CHECK(strstr(c.d.message, "index 4 outside a dimension of 4") != NULL);
	done(&c);

	/* scatter_along_axis axis 1 of 2x2 zeros: indices [[1],[0]], updates
	** [[5],[6]] (update) -> [[0,5],[6,0]] */
	static const float z[4] = {0}, u2[] = {5, 6};
	static const int32_t i2[] = {1, 0}, ax1[] = {1};
	struct call s = {.type = "scatter_along_axis", .nout = 1};
	bind_f(&s, "data", 2, (const int64_t[]){2, 2}, z);
	bind_i(&s, "indices", 2, (const int64_t[]){2, 1}, i2);
	bind_f(&s, "updates", 2, (const int64_t[]){2, 1}, u2);
	bind_i(&s, "axis", 0, NULL, ax1);
	bind_s(&s, "mode", S_UPDATE);
	CHECK(run(&s) == MLCC_OK);
	CHECK(out_is(&s, 0, 2, (const int64_t[]){2, 2}, (const float[]){0, 5, 6, 0}, 0));
	done(&s);

	/* scatter_nd: indices [[1, 0]] into 2x2 zeros, update 9 -> [[0,0],[9,0]] */
	static const int32_t i3[] = {1, 0};
	static const float u3[] = {9};
	struct call n = {.type = "scatter_nd", .nout = 1};
	bind_f(&n, "data", 2, (const int64_t[]){2, 2}, z);
	bind_i(&n, "indices", 2, (const int64_t[]){1, 2}, i3);
	bind_f(&n, "updates", 1, (const int64_t[]){1}, u3);
	bind_s(&n, "mode", S_UPDATE);
	CHECK(run(&n) == MLCC_OK);
	CHECK(out_is(&n, 0, 2, (const int64_t[]){2, 2}, (const float[]){0, 0, 9, 0}, 0));
	done(&n);

	/* gather_nd of [[1,2],[3,4]] at (1,0) and (0,1) -> [3, 2]; at rows [1]
	** -> [[3, 4]] */
	static const float g[] = {1, 2, 3, 4};
	static const int32_t gi[] = {1, 0, 0, 1}, gr[] = {1};
	struct call q = {.type = "gather_nd", .nout = 1};
	bind_f(&q, "x", 2, (const int64_t[]){2, 2}, g);
	bind_i(&q, "indices", 2, (const int64_t[]){2, 2}, gi);
	CHECK(run(&q) == MLCC_OK);
	CHECK(out_is(&q, 0, 1, (const int64_t[]){2}, (const float[]){3, 2}, 0));
	done(&q);
	q.val[1].data = (void *)gr;
	q.val[1].shape[0] = 1;
	q.val[1].shape[1] = 1;
	q.val[1].count = 1;
	CHECK(run(&q) == MLCC_OK);
	CHECK(out_is(&q, 0, 2, (const int64_t[]){1, 2}, (const float[]){3, 4}, 0));
	done(&q);

	/* one_hot of [1, 0] with 3 classes -> [[0,1,0],[1,0,0]];
	** non_zero of [0, 3, 0, 4] -> [[1], [3]] */
	static const int32_t oh[] = {1, 0}, three[] = {3};
	struct call o = {.type = "one_hot", .nout = 1};
	bind_i(&o, "indices", 1, (const int64_t[]){2}, oh);
	bind_i(&o, "one_hot_vector_size", 0, NULL, three);
	CHECK(run(&o) == MLCC_OK);
	CHECK(out_is(&o, 0, 2, (const int64_t[]){2, 3}, (const float[]){0, 1, 0, 1, 0, 0}, 0));
	done(&o);
	static const float nz[] = {0, 3, 0, 4};
	struct call w = {.type = "non_zero", .nout = 1};
	bind_f(&w, "x", 1, (const int64_t[]){4}, nz);
	CHECK(run(&w) == MLCC_OK);
	CHECK(out_is(&w, 0, 2, (const int64_t[]){2, 1}, (const float[]){1, 3}, 0));
	CHECK(w.out[0].dtype == DT_INT32);
	done(&w);
}

/* ---- data movement -------------------------------------------------------------------- */

static void test_misc(void)
{
	static const float x[] = {1, 2, 3, 4, 5, 6};
	struct call r = {.type = "reverse", .nout = 1};
	static const int32_t ax[] = {1};
	bind_f(&r, "x", 2, (const int64_t[]){2, 3}, x);
	bind_i(&r, "axes", 1, (const int64_t[]){1}, ax);
	CHECK(run(&r) == MLCC_OK);
	CHECK(out_is(&r, 0, 2, (const int64_t[]){2, 3}, (const float[]){3, 2, 1, 6, 5, 4}, 0));
	done(&r);

	/* depth_to_space, block 2, of 8 channels of 1x1 ([1..8]) -> 2 channels
	** of 2x2: channel c, (i, j) takes input channel (i*2+j)*2 + c:
	** c0 = [1, 3, 5, 7], c1 = [2, 4, 6, 8]; pixel_shuffle takes c*4 + i*2 + j:
	** c0 = [1, 2, 3, 4], c1 = [5, 6, 7, 8]; space_to_depth undoes d2s. */
	static const float e[] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const int32_t two[] = {2};
	struct call d = {.type = "depth_to_space", .nout = 1};
	bind_f(&d, "x", 4, (const int64_t[]){1, 8, 1, 1}, e);
	bind_i(&d, "block_size", 0, NULL, two);
	CHECK(run(&d) == MLCC_OK);
	static const float d2s[] = {1, 3, 5, 7, 2, 4, 6, 8};
	CHECK(out_is(&d, 0, 4, (const int64_t[]){1, 2, 2, 2}, d2s, 0));
	done(&d);
	struct call p = {.type = "pixel_shuffle", .nout = 1};
	bind_f(&p, "x", 4, (const int64_t[]){1, 8, 1, 1}, e);
	bind_i(&p, "upscale_factor", 0, NULL, two);
	CHECK(run(&p) == MLCC_OK);
	CHECK(out_is(&p, 0, 4, (const int64_t[]){1, 2, 2, 2}, e, 0));
	done(&p);
	struct call s = {.type = "space_to_depth", .nout = 1};
	bind_f(&s, "x", 4, (const int64_t[]){1, 2, 2, 2}, d2s);
	bind_i(&s, "block_size", 0, NULL, two);
	CHECK(run(&s) == MLCC_OK);
	CHECK(out_is(&s, 0, 4, (const int64_t[]){1, 8, 1, 1}, e, 0));
	done(&s);

	/* prelu: channel 0 alpha 0.5, channel 1 alpha 2 on [-2, 4 | -1, 3] */
	static const float px[] = {-2, 4, -1, 3}, al[] = {0.5f, 2};
	struct call pr = {.type = "prelu", .nout = 1};
	bind_f(&pr, "x", 4, (const int64_t[]){1, 2, 1, 2}, px);
	bind_f(&pr, "alpha", 1, (const int64_t[]){2}, al);
	CHECK(run(&pr) == MLCC_OK);
	CHECK(out_is(&pr, 0, 4, (const int64_t[]){1, 2, 1, 2}, (const float[]){-1, 4, -2, 3}, 0));
	done(&pr);

	/* flatten2d axis 1 of [2, 3] stays [2, 3]; axis 0 -> [1, 6];
	** fill_like of a [2, 3] tensor with 7 */
	static const int32_t a0[] = {0};
	struct call f = {.type = "flatten2d", .nout = 1};
	bind_f(&f, "x", 2, (const int64_t[]){2, 3}, x);
	bind_i(&f, "axis", 0, NULL, a0);
	CHECK(run(&f) == MLCC_OK);
	CHECK(out_is(&f, 0, 2, (const int64_t[]){1, 6}, x, 0));
	done(&f);
	static const float seven[] = {7};
	struct call fl = {.type = "fill_like", .nout = 1};
	bind_f(&fl, "ref_tensor", 2, (const int64_t[]){2, 3}, x);
	bind_f(&fl, "value", 0, NULL, seven);
	CHECK(run(&fl) == MLCC_OK);
	CHECK(out_is(&fl, 0, 2, (const int64_t[]){2, 3}, (const float[]){7, 7, 7, 7, 7, 7}, 0));
	done(&fl);
}

static void test_misc2(void)
{
	/* reverse_sequence, seq axis 1, batch axis 0, lengths [2, 3] of
	** [[1,2,3],[4,5,6]] -> [[2,1,3],[6,5,4]] */
	static const float x[] = {1, 2, 3, 4, 5, 6};
	static const int32_t len[] = {2, 3}, one[] = {1}, zero[] = {0};
	struct call r = {.type = "reverse_sequence", .nout = 1};
	bind_f(&r, "x", 2, (const int64_t[]){2, 3}, x);
	bind_i(&r, "lengths", 1, (const int64_t[]){2}, len);
	bind_i(&r, "seq_axis", 0, NULL, one);
	bind_i(&r, "batch_axis", 0, NULL, zero);
	CHECK(run(&r) == MLCC_OK);
	CHECK(out_is(&r, 0, 2, (const int64_t[]){2, 3}, (const float[]){2, 1, 3, 6, 5, 4}, 0));
	done(&r);

	/* local_response_norm, size 1, alpha 1, beta 1, k 1: y = x / (1 + x^2):
	** x = 1 -> 0.5, x = 2 -> 0.4 */
	static const float l[] = {1, 2}, f1[] = {1};
	struct call n = {.type = "local_response_norm", .nout = 1};
	bind_f(&n, "x", 3, (const int64_t[]){1, 2, 1}, l);
	bind_i(&n, "size", 0, NULL, one);
	bind_f(&n, "alpha", 0, NULL, f1);
	bind_f(&n, "beta", 0, NULL, f1);
	CHECK(run(&n) == MLCC_OK);
	CHECK(out_is(&n, 0, 3, (const int64_t[]){1, 2, 1}, (const float[]){0.5f, 0.4f}, 1e-7f));
	done(&n);

	/* sliding_windows of [1..6], size 3, stride 2 -> [[1,2,3],[3,4,5]] */
	static const int32_t three[] = {3}, two[] = {2};
	struct call w = {.type = "sliding_windows", .nout = 1};
	bind_f(&w, "x", 1, (const int64_t[]){6}, x);
	bind_i(&w, "axis", 0, NULL, zero);
	bind_i(&w, "size", 0, NULL, three);
	bind_i(&w, "stride", 0, NULL, two);
	CHECK(run(&w) == MLCC_OK);
	CHECK(out_is(&w, 0, 2, (const int64_t[]){2, 3}, (const float[]){1, 2, 3, 3, 4, 5}, 0));
	done(&w);
}

static void test_misc3(void)
{
	/* threshold alpha 2 of [1, 3] -> [2, 3]; softplus_parametric with
	** alpha 2, beta 1 at x = 0: 2 * log(2) */
	static const float x[] = {1, 3}, two[] = {2}, one[] = {1}, zero[] = {0};
	struct call t = {.type = "threshold", .nout = 1};
	bind_f(&t, "x", 1, (const int64_t[]){2}, x);
	bind_f(&t, "alpha", 0, NULL, two);
	CHECK(run(&t) == MLCC_OK);
	CHECK(out_is(&t, 0, 1, (const int64_t[]){2}, (const float[]){2, 3}, 0));
	done(&t);
	struct call s = {.type = "softplus_parametric", .nout = 1};
	bind_f(&s, "x", 3, (const int64_t[]){1, 1, 1}, zero);
	bind_f(&s, "alpha", 1, (const int64_t[]){1}, two);
	bind_f(&s, "beta", 1, (const int64_t[]){1}, one);
	CHECK(run(&s) == MLCC_OK);
	CHECK(out_is(&s, 0, 3, (const int64_t[]){1, 1, 1}, (const float[]){2 * logf(2)}, 1e-6f));
	done(&s);

	/* crop one row at the top and one column at each side of a 3x4 grid
	** 0..11 -> rows 1..2, columns 1..2: [5, 6, 9, 10] */
	float g[12];
	static const int32_t chh[] = {1, 0}, cww[] = {1, 1};
	for (int i = 0; i < 12; i++)
		g[i] = (float)i;
	struct call c = {.type = "crop", .nout = 1};
	bind_f(&c, "x", 3, (const int64_t[]){1, 3, 4}, g);
	bind_i(&c, "crop_height", 1, (const int64_t[]){2}, chh);
	bind_i(&c, "crop_width", 1, (const int64_t[]){2}, cww);
	CHECK(run(&c) == MLCC_OK);
	CHECK(out_is(&c, 0, 3, (const int64_t[]){1, 2, 2}, (const float[]){5, 6, 9, 10}, 0));
	done(&c);
}

int main(void)
{
	test_conv_transpose();
	test_pool();
	test_pool_fp16();
	test_resize();
	test_affine();
	test_lstm();
	test_gru();
	test_topk();
	test_einsum();
	test_scatter();
	test_misc();
	test_misc2();
	test_misc3();
	if (tk_failures)
		fprintf(stderr, "%d failure(s)\n", tk_failures);
	else
		printf("runtime ops2: all passed\n");
	return tk_failures ? 1 : 0;
}
