/*
** test_runtime_ops.c -- the CPU runtime's ops, one or more cases per
** family, on tiny programs assembled from MIL text (mlcc_assemble) and
** run through the public API (mlcc_model_load, mlcc_predict).
**
** Every expected value comes from outside the runtime: closed forms
** (a 2x3 by 3x2 product worked by hand, softmax of equal logits, the
** mean/variance of 1..4), IEEE binary16 rounding worked by hand (ties to
** even), numpy's documented semantics (floor division and modulo of
** negative numbers, pad 'reflect' of [1..5] from numpy.pad's docs,
** broadcasting), and the MIL op definitions (LUT palettes per row group,
** affine dequantisation, sparse masks) with indices packed by hand.  Also:
** states persist across two predictions; the op table is sorted; .npy
** files round-trip byte for byte.
*/
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "mlcc.h"
#include "runtime/op.h"
#include "testkit.h"

static char *tmp;
static int nmodel;

/* ---- building and running ------------------------------------------------- */

/* 'func' is "main<ios18>(ARGS) { BODY } -> (OUTS);" -- the whole function. */
static mlcc_model *build(const char *func, const void *blob, size_t blob_len)
{
	char mil[4096], wdir[4096], pkg[4096], path[4096];
	struct mlcc_assemble_options o = {0};
	struct mlcc_diag d;
	mlcc_model *m = NULL;
	FILE *f;

	nmodel++;
	snprintf(mil, sizeof mil, "%s/m%d.mil", tmp, nmodel);
	snprintf(wdir, sizeof wdir, "%s/w%d", tmp, nmodel);
	snprintf(pkg, sizeof pkg, "%s/m%d.mlpackage", tmp, nmodel);
	if ((f = fopen(mil, "w")) == NULL)
		return NULL;
	fprintf(f, "program(1.3)\n{\n    func %s\n}\n", func);
	fclose(f);
	if (blob) {
		snprintf(path, sizeof path, "mkdir -p %s", wdir);
		CHECK(system(path) == 0);
		snprintf(path, sizeof path, "%s/weight.bin", wdir);
		f = fopen(path, "wb");
		CHECK(f && fwrite(blob, 1, blob_len, f) == blob_len);
		if (f)
			fclose(f);
		o.weights_dir = wdir;
	}
	o.mil = mil;
	o.output = pkg;
	if (mlcc_assemble(&o, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "assemble #%d: %s\n", nmodel, d.message);
		return NULL;
	}
	if (mlcc_model_load(pkg, NULL, &m, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "load #%d: %s\n", nmodel, d.message);
		return NULL;
	}
	return m;
}

static struct mlcc_tensor T(const char *name, enum mlcc_dtype dt, int rank, int64_t d0, int64_t d1,
			    void *data) {
	struct mlcc_tensor t = {name, dt, rank, {d0, d1}, data};
	return t;
}

/* Run the default function; NULL on failure (reported). */
static int
run(mlcc_model *m, struct mlcc_tensor *in, size_t n, mlcc_state *st, struct mlcc_prediction *p)
{
	struct mlcc_diag d;
	int rc;

	memset(p, 0, sizeof *p);
	if (m == NULL)
		return -1;
	if ((rc = mlcc_predict(m, NULL, in, n, st, p, &d)) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "predict #%d: %s\n", nmodel, d.message);
	}
	return rc;
}

static const struct mlcc_tensor *out(const struct mlcc_prediction *p, const char *name)
{
	for (size_t i = 0; i < p->noutputs; i++)
		if (strcmp(p->outputs[i].name, name) == 0)
			return &p->outputs[i];
	tk_failures++;
	fprintf(stderr, "model #%d: no output '%s'\n", nmodel, name);
	return NULL;
}

/* Output 'name' holds exactly the floats 'want' (within 'tol'), converted
** from its type (fp16 / fp32). */
static void expect_f(const struct mlcc_prediction *p, const char *name, const float *want, size_t n,
		     double tol)
{
	const struct mlcc_tensor *t = out(p, name);

	if (t == NULL)
		return;
	if (mlcc_tensor_count(t) != n) {
		tk_failures++;
		fprintf(stderr, "model #%d %s: %zu elements, want %zu\n", nmodel, name,
			mlcc_tensor_count(t), n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		double g = t->dtype == MLCC_FLOAT16 ? k_h2f(((uint16_t *)t->data)[i])
						    : ((float *)t->data)[i];
		if (!(fabs(g - want[i]) <= tol) && !(isinf(g) && g == want[i])) {
			tk_failures++;
			fprintf(stderr, "model #%d %s[%zu] = %.9g, want %.9g\n", nmodel, name, i, g,
				(double)want[i]);
		}
	}
}

static void expect_i(const struct mlcc_prediction *p, const char *name, const int32_t *want,
		     size_t n)
{
	const struct mlcc_tensor *t = out(p, name);

	if (t == NULL)
		return;
	CHECK(mlcc_tensor_count(t) == n);
	for (size_t i = 0; i < n && i < mlcc_tensor_count(t); i++) {
		int64_t g = t->dtype == MLCC_INT32  ? ((int32_t *)t->data)[i]
			    : t->dtype == MLCC_BOOL ? ((uint8_t *)t->data)[i]
						    : -999999;
		if (g != want[i]) {
			tk_failures++;
			fprintf(stderr, "model #%d %s[%zu] = %lld, want %d\n", nmodel, name, i,
				(long long)g, want[i]);
		}
	}
}

static void expect_shape(const struct mlcc_prediction *p, const char *name, int rank,
			 const int64_t *shape)
{
	const struct mlcc_tensor *t = out(p, name);

	if (t == NULL)
		return;
	CHECK(t->rank == rank);
	for (int i = 0; i < rank && i < t->rank; i++)
		CHECK(t->shape[i] == shape[i]);
}

/* ---- elementwise --------------------------------------------------------------- */

/* fp16: computed in fp32, rounded once, ties to even.  1 + 2^-11 lies
** exactly between 1 (0x3c00) and 1 + 2^-10 (0x3c01): even is 0x3c00;
** (1 + 2^-10) + 2^-11 lies between 0x3c01 and 0x3c02: even is 0x3c02.
** 65504 + 16 is exactly half an ulp above the largest finite fp16: the
** tie goes to even, which is infinity. */
static void test_fp16_rounding(void)
{
	mlcc_model *m = build("main<ios18>(tensor<fp16, [3]> x, tensor<fp16, [3]> y) {\n"
			      "  tensor<fp16, [3]> z = add(x = x, y = y)[name = string(\"z\")];\n"
			      "} -> (z);",
			      NULL, 0);
	uint16_t x[3] = {0x3c00, 0x3c01, 0x7bff}, y[3] = {0x1000, 0x1000, 0x4c00};
	struct mlcc_tensor in[2] = {T("x", MLCC_FLOAT16, 1, 3, 0, x),
				    T("y", MLCC_FLOAT16, 1, 3, 0, y)};
	struct mlcc_prediction p;

	if (run(m, in, 2, NULL, &p) == MLCC_OK) {
		const struct mlcc_tensor *z = out(&p, "z");
		CHECK(z && z->dtype == MLCC_FLOAT16);
		CHECK(z && ((uint16_t *)z->data)[0] == 0x3c00);
		CHECK(z && ((uint16_t *)z->data)[1] == 0x3c02);
		CHECK(z && ((uint16_t *)z->data)[2] == 0x7c00);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* numpy broadcasting [2, 1] + [3] -> [2, 3]; sub, mul, real_div, maximum
** with a scalar constant. */
static void test_broadcast(void)
{
	mlcc_model *m =
		build("main<ios18>(tensor<fp32, [2, 1]> x, tensor<fp32, [3]> y) {\n"
		      "  tensor<fp32, [2, 3]> s = add(x = x, y = y)[name = string(\"s\")];\n"
		      "  fp32 k = const()[name = string(\"k\"), val = fp32(0x1p+2)];\n"
		      "  tensor<fp32, [2, 3]> d = real_div(x = s, y = k)[name = string(\"d\")];\n"
		      "  tensor<fp32, [2, 3]> mx = maximum(x = d, y = x)[name = string(\"mx\")];\n"
		      "  tensor<fp32, [3]> q = sub(x = y, y = k)[name = string(\"q\")];\n"
		      "} -> (s, d, mx, q);",
		      NULL, 0);
	float x[2] = {1, 2}, y[3] = {10, 20, 30};
	struct mlcc_tensor in[2] = {T("x", MLCC_FLOAT32, 2, 2, 1, x),
				    T("y", MLCC_FLOAT32, 1, 3, 0, y)};
	struct mlcc_prediction p;
	const float s[6] = {11, 21, 31, 12, 22, 32}, d[6] = {2.75f, 5.25f, 7.75f, 3, 5.5f, 8};
	const float q[3] = {6, 16, 26};
	const int64_t sh[2] = {2, 3};

	if (run(m, in, 2, NULL, &p) == MLCC_OK) {
		expect_f(&p, "s", s, 6, 0);
		expect_shape(&p, "s", 2, sh);
		expect_f(&p, "d", d, 6, 0);
		expect_f(&p, "mx", d, 6, 0);
		expect_f(&p, "q", q, 3, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* Integer ops follow numpy: -7 // 2 == -4, -7 % 2 == 1, 7 % -2 == -1;
** comparisons give bools; select picks by the condition; cast fp32 ->
** int32 truncates toward zero. */
static void test_int_compare_select_cast(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<int32, [3]> a, tensor<int32, [3]> b, tensor<fp32, [3]> f) {\n"
		"  tensor<int32, [3]> fd = floor_div(x = a, y = b)[name = string(\"fd\")];\n"
		"  tensor<int32, [3]> md = mod(x = a, y = b)[name = string(\"md\")];\n"
		"  tensor<bool, [3]> lt = less(x = a, y = b)[name = string(\"lt\")];\n"
		"  tensor<int32, [3]> sel = select(cond = lt, a = a, b = b)[name = string(\"sel\")];\n"
		"  string t = const()[name = string(\"t\"), val = string(\"int32\")];\n"
		"  tensor<int32, [3]> c = cast(dtype = t, x = f)[name = string(\"c\")];\n"
		"  string ti = const()[name = string(\"ti\"), val = string(\"int32\")];\n"
		"  tensor<int32, [3]> lti = cast(dtype = ti, x = lt)[name = string(\"lti\")];\n"
		"} -> (fd, md, lti, sel, c);",
		NULL, 0);
	int32_t a[3] = {-7, -7, 7}, b[3] = {2, -2, -2};
	float f[3] = {-2.7f, 2.7f, 0.5f};
	struct mlcc_tensor in[3] = {T("a", MLCC_INT32, 1, 3, 0, a), T("b", MLCC_INT32, 1, 3, 0, b),
				    T("f", MLCC_FLOAT32, 1, 3, 0, f)};
	struct mlcc_prediction p;
	const int32_t fd[3] = {-4, 3, -4}, md[3] = {1, -1, -1}, lt[3] = {1, 1, 0};
	const int32_t sel[3] = {-7, -7, -2}, c[3] = {-2, 2, 0};

	if (run(m, in, 3, NULL, &p) == MLCC_OK) {
		expect_i(&p, "fd", fd, 3);
		expect_i(&p, "md", md, 3);
		expect_i(&p, "lti", lt, 3);
		expect_i(&p, "sel", sel, 3);
		expect_i(&p, "c", c, 3);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* Unary math and activations at points with closed forms. */
static void test_unary(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [4]> x) {\n"
		"  tensor<fp32, [4]> e = exp(x = x)[name = string(\"e\")];\n"
		"  tensor<fp32, [4]> r = relu(x = x)[name = string(\"r\")];\n"
		"  tensor<fp32, [4]> s = sigmoid(x = x)[name = string(\"s\")];\n"
		"  tensor<fp32, [4]> si = silu(x = x)[name = string(\"si\")];\n"
		"  tensor<fp32, [4]> ab = abs(x = x)[name = string(\"ab\")];\n"
		"  tensor<fp32, [4]> rd = round(x = x)[name = string(\"rd\")];\n"
		"  tensor<fp32, [4]> th = tanh(x = x)[name = string(\"th\")];\n"
		"  fp32 lo = const()[name = string(\"lo\"), val = fp32(-0x1p-1)];\n"
		"  fp32 hi = const()[name = string(\"hi\"), val = fp32(0x1p-1)];\n"
		"  tensor<fp32, [4]> cl = clip(alpha = lo, beta = hi, x = x)[name = string(\"cl\")];\n"
		"} -> (e, r, s, si, ab, rd, th, cl);",
		NULL, 0);
	float x[4] = {0, 2.5f, -1.5f, 1};
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT32, 1, 4, 0, x)};
	struct mlcc_prediction p;
	const float e[4] = {1, 12.182493960703473f, 0.22313016014842982f, 2.718281828459045f};
	const float r[4] = {0, 2.5f, 0, 1};
	const float s[4] = {0.5f, 0.9241418199787566f, 0.18242552380635635f, 0.7310585786300049f};
	const float si[4] = {0, 2.3103545499468915f, -0.27363828570953453f, 0.7310585786300049f};
	const float ab[4] = {0, 2.5f, 1.5f, 1}, rd[4] = {0, 2, -2, 1}; /* ties to even */
	const float th[4] = {0, 0.9866142981514303f, -0.9051482536448664f, 0.7615941559557649f};
	const float cl[4] = {0, 0.5f, -0.5f, 0.5f};

	if (run(m, in, 1, NULL, &p) == MLCC_OK) {
		expect_f(&p, "e", e, 4, 2e-6);
		expect_f(&p, "r", r, 4, 0);
		expect_f(&p, "s", s, 4, 1e-7);
		expect_f(&p, "si", si, 4, 1e-6);
		expect_f(&p, "ab", ab, 4, 0);
		expect_f(&p, "rd", rd, 4, 0);
		expect_f(&p, "th", th, 4, 1e-7);
		expect_f(&p, "cl", cl, 4, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* ---- reductions, softmax, norms ------------------------------------------------- */

static void test_reduce_softmax_norm(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [2, 4]> x) {\n"
		"  tensor<int32, [1]> ax = const()[name = string(\"ax\"), val = tensor<int32, [1]>([-1])];\n"
		"  bool kd = const()[name = string(\"kd\"), val = bool(true)];\n"
		"  tensor<fp32, [2, 1]> rs = reduce_sum(axes = ax, keep_dims = kd, x = x)[name = string(\"rs\")];\n"
		"  tensor<fp32, [2]> rm = reduce_mean(axes = ax, x = x)[name = string(\"rm\")];\n"
		"  tensor<fp32, [2]> rx = reduce_max(axes = ax, x = x)[name = string(\"rx\")];\n"
		"  int32 a1 = const()[name = string(\"a1\"), val = int32(1)];\n"
		"  tensor<int32, [2]> am = reduce_argmax(axis = a1, x = x)[name = string(\"am\")];\n"
		"  tensor<fp32, [2, 4]> sm = softmax(axis = a1, x = x)[name = string(\"sm\")];\n"
		"  fp32 eps = const()[name = string(\"eps\"), val = fp32(0x1.4f8b58p-17)];\n"
		"  tensor<fp32, [2, 4]> ln = layer_norm(axes = ax, epsilon = eps, x = x)[name = string(\"ln\")];\n"
		"} -> (rs, rm, rx, am, sm, ln);",
		NULL, 0);
	/* row 0: 1 2 3 4; row 1: 5 5 5 5 (argmax: the first of equal values) */
	float x[8] = {1, 2, 3, 4, 5, 5, 5, 5};
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT32, 2, 2, 4, x)};
	struct mlcc_prediction p;
	const float rs[2] = {10, 20}, rm[2] = {2.5f, 5}, rx[2] = {4, 5};
	const int32_t am[2] = {3, 0};
	/* softmax of 1..4: e^k / (e + e^2 + e^3 + e^4); of equal values: 1/4 */
	const float sm[8] = {0.0320586f, 0.0871443f, 0.2368828f, 0.6439142f,
			     0.25f,	 0.25f,	     0.25f,	 0.25f};
	/* layer norm of 1..4: mean 2.5, variance 1.25 -> (x - 2.5) / sqrt(1.25 +
	** 1e-5); of a constant row: 0 */
	const float ln[8] = {-1.34163542f, -0.44721181f, 0.44721181f, 1.34163542f, 0, 0, 0, 0};
	const int64_t rsh[2] = {2, 1};

	if (run(m, in, 1, NULL, &p) == MLCC_OK) {
		expect_f(&p, "rs", rs, 2, 0);
		expect_shape(&p, "rs", 2, rsh);
		expect_f(&p, "rm", rm, 2, 0);
		expect_f(&p, "rx", rx, 2, 0);
		expect_i(&p, "am", am, 2);
		expect_f(&p, "sm", sm, 8, 1e-6);
		expect_f(&p, "ln", ln, 8, 1e-6);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* layer_norm over a leading axis (the channel-first form of Whisper
** encoders): x[2, 3] normalised over axis 0 for each column, gamma [2].
** Column j holds (a, b) = (j + 1, j + 3): mean j + 2, variance 1, so the
** two values become -1/sqrt(1 + eps) and +1/sqrt(1 + eps), times gamma. */
static void test_layer_norm_leading_axis(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [2, 3]> x) {\n"
		"  tensor<int32, [1]> ax = const()[name = string(\"ax\"), val = tensor<int32, [1]>([0])];\n"
		"  tensor<fp32, [2]> g = const()[name = string(\"g\"), val = tensor<fp32, [2]>([0x1p+0, 0x1p+1])];\n"
		"  fp32 eps = const()[name = string(\"eps\"), val = fp32(0x1p-10)];\n"
		"  tensor<fp32, [2, 3]> ln = layer_norm(axes = ax, epsilon = eps, gamma = g, x = x)[name = string(\"ln\")];\n"
		"} -> (ln);",
		NULL, 0);
	float x[6] = {1, 2, 3, 3, 4, 5};
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT32, 2, 2, 3, x)};
	struct mlcc_prediction p;
	const float u = (float)(1.0 / sqrt(1.0 + 1.0 / 1024));
	const float ln[6] = {-u, -u, -u, 2 * u, 2 * u, 2 * u};

	if (m == NULL)
		return;
	if (run(m, in, 1, NULL, &p) == MLCC_OK)
		expect_f(&p, "ln", ln, 6, 1e-6);
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* ---- products ------------------------------------------------------------------------- */

/* [[1,2,3],[4,5,6]] x [[7,8],[9,10],[11,12]] = [[58,64],[139,154]];
** linear with W = [[1,0,1],[0,1,0]] and bias [0.5, -1]: [[4.5,1],[10.5,4]];
** a 2x2 kernel of ones over a 3x3 input 1..9 (valid, stride 1): the sums
** of each 2x2 window, [12, 16, 24, 28]. */
static void test_products(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [2, 3]> a, tensor<fp32, [3, 2]> b, tensor<fp32, [1, 1, 3, 3]> img) {\n"
		"  tensor<fp32, [2, 2]> mm = matmul(x = a, y = b)[name = string(\"mm\")];\n"
		"  bool tr = const()[name = string(\"tr\"), val = bool(true)];\n"
		"  tensor<fp32, [3, 3]> mt = matmul(transpose_x = tr, transpose_y = tr, x = a, y = b)[name = string(\"mt\")];\n"
		"  tensor<fp32, [2, 3]> w = const()[name = string(\"w\"), val = tensor<fp32, [2, 3]>([[0x1p+0, 0x0p+0, 0x1p+0], [0x0p+0, 0x1p+0, 0x0p+0]])];\n"
		"  tensor<fp32, [2]> bi = const()[name = string(\"bi\"), val = tensor<fp32, [2]>([0x1p-1, -0x1p+0])];\n"
		"  tensor<fp32, [2, 2]> li = linear(bias = bi, weight = w, x = a)[name = string(\"li\")];\n"
		"  tensor<fp32, [1, 1, 2, 2]> k = const()[name = string(\"k\"), val = tensor<fp32, [1, 1, 2, 2]>([[[[0x1p+0, 0x1p+0], [0x1p+0, 0x1p+0]]]])];\n"
		"  string pt = const()[name = string(\"pt\"), val = string(\"valid\")];\n"
		"  tensor<fp32, [1, 1, 2, 2]> cv = conv(pad_type = pt, weight = k, x = img)[name = string(\"cv\")];\n"
		"  string ps = const()[name = string(\"ps\"), val = string(\"same\")];\n"
		"  tensor<fp32, [1, 1, 3, 3]> cs = conv(pad_type = ps, weight = k, x = img)[name = string(\"cs\")];\n"
		"} -> (mm, mt, li, cv, cs);",
		NULL, 0);
	float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {7, 8, 9, 10, 11, 12};
	float img[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct mlcc_tensor in[3] = {T("a", MLCC_FLOAT32, 2, 2, 3, a),
				    T("b", MLCC_FLOAT32, 2, 3, 2, b),
				    {"img", MLCC_FLOAT32, 4, {1, 1, 3, 3}, img}};
	struct mlcc_prediction p;
	const float mm[4] = {58, 64, 139, 154};
	/* a^T b^T: a^T is 3x2 [[1,4],[2,5],[3,6]], b^T 2x3 [[7,9,11],[8,10,12]] */
	const float mt[9] = {39, 49, 59, 54, 68, 82, 69, 87, 105};
	const float li[4] = {4.5f, 1, 10.5f, 4};
	const float cv[4] = {12, 16, 24, 28};
	/* 'same' for an even kernel pads 0 before and 1 after: windows cut at
	** the bottom/right edge */
	const float cs[9] = {12, 16, 9, 24, 28, 15, 15, 17, 9};

	if (run(m, in, 3, NULL, &p) == MLCC_OK) {
		expect_f(&p, "mm", mm, 4, 0);
		expect_f(&p, "mt", mt, 9, 0);
		expect_f(&p, "li", li, 4, 0);
		expect_f(&p, "cv", cv, 4, 0);
		expect_f(&p, "cs", cs, 9, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* Decode attention's products in fp16: scores = q k^T with k broadcast over
** the batch (k^T read as stored), then scores x v (v converted per batch
** slice); the GQA tile of v along its rows.  q = [[1,2,3]], [[0,1,0]];
** k = [[1,0,1],[0,1,0]] -> scores [4, 2], [0, 1]; v0 = [[1,2,3],[4,5,6]],
** v1 = [[1,1,1],[2,2,2]] -> attn [12, 18, 24], [2, 2, 2]. */
static void test_attention_products(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp16, [2, 1, 3]> q, tensor<fp16, [1, 2, 3]> k, tensor<fp16, [2, 2, 3]> v) {\n"
		"  bool tr = const()[name = string(\"tr\"), val = bool(true)];\n"
		"  bool no = const()[name = string(\"no\"), val = bool(false)];\n"
		"  tensor<fp16, [2, 1, 2]> sc = matmul(transpose_x = no, transpose_y = tr, x = q, y = k)[name = string(\"sc\")];\n"
		"  tensor<fp16, [2, 1, 3]> at = matmul(transpose_x = no, transpose_y = no, x = sc, y = v)[name = string(\"at\")];\n"
		"  tensor<int32, [3]> rp = const()[name = string(\"rp\"), val = tensor<int32, [3]>([1, 2, 1])];\n"
		"  tensor<fp16, [2, 4, 3]> tl = tile(reps = rp, x = v)[name = string(\"tl\")];\n"
		"} -> (sc, at, tl);",
		NULL, 0);
	uint16_t q[6], k[6], v[12];
	const float qf[6] = {1, 2, 3, 0, 1, 0}, kf[6] = {1, 0, 1, 0, 1, 0},
		    vf[12] = {1, 2, 3, 4, 5, 6, 1, 1, 1, 2, 2, 2};
	for (int i = 0; i < 12; i++) {
		if (i < 6) {
			q[i] = k_f2h(qf[i]);
			k[i] = k_f2h(kf[i]);
		}
		v[i] = k_f2h(vf[i]);
	}
	struct mlcc_tensor in[3] = {{"q", MLCC_FLOAT16, 3, {2, 1, 3}, q},
				    {"k", MLCC_FLOAT16, 3, {1, 2, 3}, k},
				    {"v", MLCC_FLOAT16, 3, {2, 2, 3}, v}};
	struct mlcc_prediction p;
	const float sc[4] = {4, 2, 0, 1}, at[6] = {12, 18, 24, 2, 2, 2};
	const float tl[24] = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6,
			      1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2};

	if (run(m, in, 3, NULL, &p) == MLCC_OK) {
		expect_f(&p, "sc", sc, 4, 0);
		expect_f(&p, "at", at, 6, 0);
		expect_f(&p, "tl", tl, 24, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* fp16 binary ops over blocks of >= 16 elements (the chunked path of
** op_elementwise.c): x [2, 3, 32] = i, y [1, 3, 32] = -i broadcast over the
** first dimension, a [1, 32] row and a scalar on either side; small
** integers, so every result is exact. */
static void test_binary_blocks(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp16, [2, 3, 32]> x, tensor<fp16, [1, 3, 32]> y, tensor<fp16, [1, 32]> r) {\n"
		"  fp16 two = const()[name = string(\"two\"), val = fp16(0x1p+1)];\n"
		"  tensor<fp16, [2, 3, 32]> s = add(x = x, y = y)[name = string(\"s\")];\n"
		"  tensor<fp16, [2, 3, 32]> rr = mul(x = x, y = r)[name = string(\"rr\")];\n"
		"  tensor<fp16, [2, 3, 32]> sc = sub(x = two, y = x)[name = string(\"sc\")];\n"
		"} -> (s, rr, sc);",
		NULL, 0);
	uint16_t x[192], y[96], r[32];
	float s[192], rr[192], sc[192];
	for (int i = 0; i < 192; i++) {
		x[i] = k_f2h((float)i);
		if (i < 96)
			y[i] = k_f2h((float)-i);
		if (i < 32)
			r[i] = k_f2h((float)(i % 3));
		s[i] = (float)(i - i % 96);
		rr[i] = (float)(i * (i % 32 % 3));
		sc[i] = (float)(2 - i);
	}
	struct mlcc_tensor in[3] = {{"x", MLCC_FLOAT16, 3, {2, 3, 32}, x},
				    {"y", MLCC_FLOAT16, 3, {1, 3, 32}, y},
				    T("r", MLCC_FLOAT16, 2, 1, 32, r)};
	struct mlcc_prediction p;

	if (run(m, in, 3, NULL, &p) == MLCC_OK) {
		expect_f(&p, "s", s, 192, 0);
		expect_f(&p, "rr", rr, 192, 0);
		expect_f(&p, "sc", sc, 192, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* Large intermediates are reused within a prediction (exec.c, spares):
** a (512 KiB) is freed after b and its storage may serve c; every value
** must still be its own: c = (2x + 1) * 3, d = c - a = 4x + 3. */
static void test_storage_reuse(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [256, 512]> x) {\n"
		"  fp32 two = const()[name = string(\"two\"), val = fp32(0x1p+1)];\n"
		"  fp32 one = const()[name = string(\"one\"), val = fp32(0x1p+0)];\n"
		"  fp32 three = const()[name = string(\"three\"), val = fp32(0x1.8p+1)];\n"
		"  tensor<fp32, [256, 512]> a = mul(x = x, y = two)[name = string(\"a\")];\n"
		"  tensor<fp32, [256, 512]> b = add(x = a, y = one)[name = string(\"b\")];\n"
		"  tensor<fp32, [256, 512]> c = mul(x = b, y = three)[name = string(\"c\")];\n"
		"  tensor<fp32, [256, 512]> e = mul(x = c, y = one)[name = string(\"e\")];\n"
		"  tensor<fp32, [256, 512]> d = sub(x = e, y = a)[name = string(\"d\")];\n"
		"} -> (c, d);",
		NULL, 0);
	size_t n = 256 * 512;
	float *x = malloc(n * sizeof *x), *c = malloc(n * sizeof *c), *d = malloc(n * sizeof *d);
	struct mlcc_prediction p;

	for (size_t i = 0; i < n; i++) {
		x[i] = (float)(i % 1000);
		c[i] = (2 * x[i] + 1) * 3;
		d[i] = 4 * x[i] + 3;
	}
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT32, 2, 256, 512, x)};
	if (run(m, in, 1, NULL, &p) == MLCC_OK) {
		expect_f(&p, "c", c, n, 0);
		expect_f(&p, "d", d, n, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
	free(x);
	free(c);
	free(d);
}

/* ---- shapes ---------------------------------------------------------------------------- */

static void test_shape_ops(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [2, 3]> x, tensor<fp32, [5]> v) {\n"
		"  tensor<int32, [2]> pm = const()[name = string(\"pm\"), val = tensor<int32, [2]>([1, 0])];\n"
		"  tensor<fp32, [3, 2]> t = transpose(perm = pm, x = x)[name = string(\"t\")];\n"
		"  tensor<int32, [1]> rsh = const()[name = string(\"rsh\"), val = tensor<int32, [1]>([-1])];\n"
		"  tensor<fp32, [6]> r = reshape(shape = rsh, x = t)[name = string(\"r\")];\n"
		"  tensor<int32, [1]> b0 = const()[name = string(\"b0\"), val = tensor<int32, [1]>([-1])];\n"
		"  tensor<int32, [1]> e0 = const()[name = string(\"e0\"), val = tensor<int32, [1]>([0])];\n"
		"  tensor<int32, [1]> s0 = const()[name = string(\"s0\"), val = tensor<int32, [1]>([-2])];\n"
		"  tensor<fp32, [2]> sl = slice_by_index(begin = b0, end = e0, stride = s0, x = v)[name = string(\"sl\")];\n"
		"  int32 ax0 = const()[name = string(\"ax0\"), val = int32(0)];\n"
		"  bool no = const()[name = string(\"no\"), val = bool(false)];\n"
		"  tensor<fp32, [7]> cc = concat(axis = ax0, interleave = no, values = (sl, v))[name = string(\"cc\")];\n"
		"  tensor<int32, [3]> gi = const()[name = string(\"gi\"), val = tensor<int32, [3]>([4, -5, 2])];\n"
		"  tensor<fp32, [3]> g = gather(axis = ax0, indices = gi, x = v)[name = string(\"g\")];\n"
		"  tensor<int32, [2]> rp = const()[name = string(\"rp\"), val = tensor<int32, [2]>([2, 1])];\n"
		"  tensor<fp32, [4, 3]> tl = tile(reps = rp, x = x)[name = string(\"tl\")];\n"
		"  tensor<int32, [2]> pd = const()[name = string(\"pd\"), val = tensor<int32, [2]>([2, 3])];\n"
		"  string rf = const()[name = string(\"rf\"), val = string(\"reflect\")];\n"
		"  tensor<fp32, [10]> pr = pad(mode = rf, pad = pd, x = v)[name = string(\"pr\")];\n"
		"  tensor<int32, [2]> sb = const()[name = string(\"sb\"), val = tensor<int32, [2]>([0, 1])];\n"
		"  tensor<int32, [2]> ss = const()[name = string(\"ss\"), val = tensor<int32, [2]>([2, 2])];\n"
		"  tensor<fp32, [2, 2]> sz = slice_by_size(begin = sb, size = ss, x = x)[name = string(\"sz\")];\n"
		"  tensor<int32, [1]> ea = const()[name = string(\"ea\"), val = tensor<int32, [1]>([1])];\n"
		"  tensor<fp32, [2, 1, 3]> ed = expand_dims(axes = ea, x = x)[name = string(\"ed\")];\n"
		"  int32 ax1 = const()[name = string(\"ax1\"), val = int32(1)];\n"
		"  tensor<int32, [2, 2]> bi = const()[name = string(\"bi\"), val = tensor<int32, [2, 2]>([[2, 0], [1, 1]])];\n"
		"  tensor<fp32, [2, 2]> gb = gather(axis = ax1, batch_dims = ax1, indices = bi, x = x)[name = string(\"gb\")];\n"
		"} -> (t, r, sl, cc, g, tl, pr, sz, ed, gb);",
		NULL, 0);
	float x[6] = {1, 2, 3, 4, 5, 6}, v[5] = {1, 2, 3, 4, 5};
	struct mlcc_tensor in[2] = {T("x", MLCC_FLOAT32, 2, 2, 3, x),
				    T("v", MLCC_FLOAT32, 1, 5, 0, v)};
	struct mlcc_prediction p;
	const float t[6] = {1, 4, 2, 5, 3, 6};
	const float sl[2] = {5, 3}; /* v[-1:0:-2]: end 0 is exclusive */
	const float cc[7] = {5, 3, 1, 2, 3, 4, 5};
	const float g[3] = {5, 1, 3};
	const float tl[12] = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6};
	const float pr[10] = {3, 2, 1, 2, 3, 4, 5, 4, 3, 2}; /* numpy.pad docs */
	const float sz[4] = {2, 3, 5, 6};
	const int64_t edsh[3] = {2, 1, 3};
	/* batch_dims 1: row 0 of x picks [2, 0] -> [3, 1], row 1 picks [1, 1] -> [5, 5] */
	const float gb[4] = {3, 1, 5, 5};

	if (run(m, in, 2, NULL, &p) == MLCC_OK) {
		expect_f(&p, "t", t, 6, 0);
		expect_f(&p, "r", t, 6, 0);
		expect_f(&p, "sl", sl, 2, 0);
		expect_f(&p, "cc", cc, 7, 0);
		expect_f(&p, "g", g, 3, 0);
		expect_f(&p, "tl", tl, 12, 0);
		expect_f(&p, "pr", pr, 10, 0);
		expect_f(&p, "sz", sz, 4, 0);
		expect_shape(&p, "ed", 3, edsh);
		expect_f(&p, "gb", gb, 4, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* ---- constexpr ---------------------------------------------------------------------------- */

/* A blob storage file (version 2) with one blob: header, record at 64,
** data at 128. */
static size_t blob1(uint8_t *buf, uint32_t blob_type, const void *data, size_t n)
{
	memset(buf, 0, 128 + n);
	buf[0] = 1; /* count */
	buf[4] = 2; /* version */
	uint32_t sentinel = 0xdeadbeef;
	uint64_t size = n, off = 128;
	memcpy(buf + 64, &sentinel, 4);
	memcpy(buf + 68, &blob_type, 4);
	memcpy(buf + 72, &size, 8);
	memcpy(buf + 80, &off, 8);
	memcpy(buf + 128, data, n);
	return 128 + n;
}

/* Palettes per group of output rows, 4-bit indices packed by hand in a
** blob (the fused k_gemm_lut path of linear): W is 2 x 4, row 0 uses
** palette 0 (entry k = k), row 1 palette 1 (entry k = -k).  Indices row 0
** = [1, 2, 3, 4], row 1 = [1, 1, 0, 15]; nibbles LSB-first: bytes 0x21,
** 0x43, 0x11, 0xf0.  W = [[1,2,3,4],[-1,-1,0,-15]]; x = [1,1,1,1] gives
** [10, -17]; the same W materialised (an output) checks the dense form. */
static void test_lut_fused(void)
{
	uint8_t idx[4] = {0x21, 0x43, 0x11, 0xf0}, blob[256];
	size_t n = blob1(blob, 11 /* UInt4 */, idx, 4);
	char lut[2048] = "", *q = lut;
	for (int g = 0; g < 2; g++) {
		q += sprintf(q, "%s[[", g ? ", " : "");
		for (int k = 0; k < 16; k++)
			q += sprintf(q, "%s[%a]", k ? ", " : "", g ? -(double)k : (double)k);
		q += sprintf(q, "]]");
	}
	char func[8192];
	snprintf(
		func, sizeof func,
		"main<ios18>(tensor<fp16, [1, 4]> x) {\n"
		"  tensor<fp16, [2, 4]> w = constexpr_lut_to_dense(indices = tensor<uint4, [2, 4]>(BLOBFILE(path = string(\"@model_path/weights/weight.bin\"), offset = uint64(64))), lut = tensor<fp16, [2, 1, 16, 1]>([%s]))[name = string(\"w\")];\n"
		"  tensor<fp16, [1, 2]> y = linear(weight = w, x = x)[name = string(\"y\")];\n"
		"} -> (y, w);",
		lut);
	mlcc_model *m = build(func, blob, n);
	uint16_t x[4] = {0x3c00, 0x3c00, 0x3c00, 0x3c00};
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT16, 2, 1, 4, x)};
	struct mlcc_prediction p;
	const float y[2] = {10, -17}, w[8] = {1, 2, 3, 4, -1, -1, 0, -15};

	if (run(m, in, 1, NULL, &p) == MLCC_OK) {
		expect_f(&p, "y", y, 2, 0);
		expect_f(&p, "w", w, 8, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* iOS16 forms and the other decompressions, hand-packed immediates:
**  - lut_to_dense: lut [10, 20, 30, 40], 2-bit indices [3, 0, 1, 2] packed
**    LSB-first into one byte 0b10010011 = 0x93 -> [40, 10, 20, 30];
**  - affine_dequantize: (q - 1) * scale[axis 0 = row] with q = [[0,1],[2,3]],
**    scale [0.5, 2] -> [[-0.5, 0], [2, 4]];
**  - blockwise_shift_scale: data [1, 2, 3, 4], blocks of 2, scale [10, 100],
**    offset [1, 0] -> [0, 10, 300, 400];
**  - sparse_to_dense (iOS16): mask byte 0b00000101 over 4 places, values
**    [5, 6] -> [5, 0, 6, 0];
**  - constexpr_cast fp16 0x3555 (0.333251953125) -> fp32 exactly. */
static void test_constexpr_kinds(void)
{
	mlcc_model *m = build(
		"main<ios17>(tensor<fp32, [1]> x) {\n"
		"  tensor<fp32, [4]> l = constexpr_lut_to_dense(indices = tensor<uint8, [1]>([147]), lut = tensor<fp32, [4]>([0x1.4p+3, 0x1.4p+4, 0x1.ep+4, 0x1.4p+5]), shape = tensor<uint32, [1]>([4]))[name = string(\"l\")];\n"
		"  tensor<fp32, [2, 2]> a = constexpr_affine_dequantize(axis = int32(0), quantized_data = tensor<int8, [2, 2]>([[0, 1], [2, 3]]), scale = tensor<fp32, [2]>([0x1p-1, 0x1p+1]), zero_point = int8(1))[name = string(\"a\")];\n"
		"  tensor<fp32, [4]> s = constexpr_sparse_to_dense(mask = tensor<uint8, [1]>([5]), nonzero_data = tensor<fp32, [2]>([0x1.4p+2, 0x1.8p+2]), shape = tensor<uint32, [1]>([4]))[name = string(\"s\")];\n"
		"  tensor<fp32, [1]> c = constexpr_cast(output_dtype = string(\"fp32\"), source_val = tensor<fp16, [1]>([0x1.554p-2]))[name = string(\"c\")];\n"
		"  tensor<fp32, [4]> l2 = add(x = l, y = x)[name = string(\"l2\")];\n"
		"} -> (l2, a, s, c);",
		NULL, 0);
	float x[1] = {0};
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT32, 1, 1, 0, x)};
	struct mlcc_prediction p;
	const float l[4] = {40, 10, 20, 30}, a[4] = {-0.5f, 0, 2, 4}, s[4] = {5, 0, 6, 0};
	const float c[1] = {0.333251953125f};

	if (run(m, in, 1, NULL, &p) == MLCC_OK) {
		expect_f(&p, "l2", l, 4, 0);
		expect_f(&p, "a", a, 4, 0);
		expect_f(&p, "s", s, 4, 0);
		expect_f(&p, "c", c, 1, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);

	m = build(
		"main<ios18>(tensor<fp32, [1]> x) {\n"
		"  tensor<fp32, [4]> b = constexpr_blockwise_shift_scale(data = tensor<int8, [4]>([1, 2, 3, 4]), offset = tensor<int8, [2]>([1, 0]), scale = tensor<fp32, [2]>([0x1.4p+3, 0x1.9p+6]))[name = string(\"b\")];\n"
		"  tensor<fp32, [4]> d = constexpr_sparse_to_dense(mask = tensor<uint1, [4]>([1, 0, 1, 0]), nonzero_data = tensor<fp32, [2]>([0x1.4p+2, 0x1.8p+2]))[name = string(\"d\")];\n"
		"  tensor<fp32, [2, 2]> u = constexpr_lut_to_dense(indices = tensor<uint2, [2, 2]>([[0, 1], [2, 3]]), lut = tensor<fp32, [2, 1, 4, 1]>([[[[0x1p+0], [0x1p+1], [0x1.8p+1], [0x1p+2]]], [[[0x1.4p+2], [0x1.8p+2], [0x1.cp+2], [0x1p+3]]]]))[name = string(\"u\")];\n"
		"} -> (b, d, u);",
		NULL, 0);
	const float b[4] = {0, 10, 300, 400}, u[4] = {1, 2, 7, 8};
	if (run(m, in, 1, NULL, &p) == MLCC_OK) {
		expect_f(&p, "b", b, 4, 0);
		expect_f(&p, "d", s, 4, 0);
		expect_f(&p, "u", u, 4, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* iOS18 vector palettes, the example of the op's documentation: uint1
** indices [[[0,0],[1,0]], [[1,1],[0,0]]], centroids a = [1,2,3] and
** b = [4,5,6]; vector_axis 1 gives [2, 6, 2], vector_axis 2 [2, 2, 6].
** Also the iOS18 sparse combinations: constexpr_lut_to_sparse with the
** documentation's mask and 1-bit data (palette [2, 3]) gives the nonzero
** values [2,3,3,2,3,3,2,2,3]; constexpr_sparse_blockwise_shift_scale with
** mask [[1,0],[1,1]], data [4,6,8], scale [0.5; 2], offset [0; 1] per row
** gives [[2,0],[10,14]] once made dense; and the iOS16 attribute form
** (parameters as attributes, as coremltools writes iOS16 programs). */
static void test_constexpr_vector_sparse(void)
{
	static const char lut[] = "tensor<fp32, [1, 1, 1, 2, 3]>([[[[[0x1p+0, 0x1p+1, 0x1.8p+1], "
				  "[0x1p+2, 0x1.4p+2, 0x1.8p+2]]]]])";
	static const char ix[] = "tensor<uint1, [2, 2, 2]>([[[0, 0], [1, 0]], [[1, 1], [0, 0]]])";
	char func[8192];
	snprintf(
		func, sizeof func,
		"main<ios18>(tensor<fp32, [1]> x) {\n"
		"  tensor<fp32, [2, 6, 2]> v1 = constexpr_lut_to_dense(indices = %s, lut = %s, vector_axis = int32(1))[name = string(\"v1\")];\n"
		"  tensor<fp32, [2, 2, 6]> v2 = constexpr_lut_to_dense(indices = %s, lut = %s, vector_axis = int32(2))[name = string(\"v2\")];\n"
		"  tensor<uint1, [4, 6]> m, tensor<fp32, [9]> nz = constexpr_lut_to_sparse(indices_mask = tensor<uint1, [4, 6]>([[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 1], [0, 1, 1, 0, 1, 0], [0, 0, 0, 1, 0, 0]]), indices_nonzero_data = tensor<uint1, [9]>([0, 1, 1, 0, 1, 1, 0, 0, 1]), lut = tensor<fp32, [1, 1, 2, 1]>([[[[0x1p+1], [0x1.8p+1]]]]))[name = string(\"ls\")];\n"
		"  tensor<fp32, [9]> nzo = add(x = nz, y = x)[name = string(\"nzo\")];\n"
		"  tensor<uint1, [2, 2]> m2, tensor<fp32, [3]> q = constexpr_sparse_blockwise_shift_scale(data_mask = tensor<uint1, [2, 2]>([[1, 0], [1, 1]]), nonzero_data = tensor<int8, [3]>([4, 6, 8]), offset = tensor<int8, [2, 1]>([[0], [1]]), scale = tensor<fp32, [2, 1]>([[0x1p-1], [0x1p+1]]))[name = string(\"ss\")];\n"
		"  tensor<fp32, [2, 2]> dq = constexpr_sparse_to_dense(mask = m2, nonzero_data = q)[name = string(\"dq\")];\n"
		"} -> (v1, v2, nzo, dq);",
		ix, lut, ix, lut);
	mlcc_model *m = build(func, NULL, 0);
	float x[1] = {0};
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT32, 1, 1, 0, x)};
	struct mlcc_prediction p;
	const float v1[24] = {1, 1, 2, 2, 3, 3, 4, 1, 5, 2, 6, 3,
			      4, 4, 5, 5, 6, 6, 1, 1, 2, 2, 3, 3};
	const float v2[24] = {1, 2, 3, 1, 2, 3, 4, 5, 6, 1, 2, 3,
			      4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3};
	const float nz[9] = {2, 3, 3, 2, 3, 3, 2, 2, 3}, dq[4] = {2, 0, 10, 14};
	const int64_t s1[3] = {2, 6, 2}, s2[3] = {2, 2, 6};

	if (run(m, in, 1, NULL, &p) == MLCC_OK) {
		expect_f(&p, "v1", v1, 24, 0);
		expect_shape(&p, "v1", 3, s1);
		expect_f(&p, "v2", v2, 24, 0);
		expect_shape(&p, "v2", 3, s2);
		expect_f(&p, "nzo", nz, 9, 0);
		expect_f(&p, "dq", dq, 4, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);

	m = build(
		"main<ios17>(tensor<fp32, [1]> x) {\n"
		"  tensor<fp32, [4]> l = constexpr_lut_to_dense()[indices = tensor<uint8, [1]>([147]), lut = tensor<fp32, [4]>([0x1.4p+3, 0x1.4p+4, 0x1.ep+4, 0x1.4p+5]), name = string(\"l\"), shape = tensor<uint32, [1]>([4])];\n"
		"  tensor<fp32, [1]> c = constexpr_cast()[name = string(\"c\"), output_dtype = string(\"fp32\"), source_val = tensor<fp16, [1]>([0x1.554p-2])];\n"
		"  tensor<fp32, [4]> l2 = add(x = l, y = x)[name = string(\"l2\")];\n"
		"} -> (l2, c);",
		NULL, 0);
	const float l[4] = {40, 10, 20, 30}, c[1] = {0.333251953125f};
	if (run(m, in, 1, NULL, &p) == MLCC_OK) {
		expect_f(&p, "l2", l, 4, 0);
		expect_f(&p, "c", c, 1, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_model_free(m);
}

/* Control flow: cond picks a block by its predicate, blocks read values
** of the enclosing scope (x, k); while_loop iterates x -> x / 2 + 1 while
** i < 5: from x0 the result is 2 - (2 - x0) / 32 (x0 = 1: 1.96875) after
** exactly 5 iterations; with the limit at 0 it never iterates and gives
** its initial values back; a while_loop nested in a cond block. */
static void test_control_flow(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [2]> x, tensor<int32, []> pi, tensor<int32, []> lim) {\n"
		"  fp32 k = const()[name = string(\"k\"), val = fp32(0x1.4p+3)];\n"
		"  int32 zero = const()[name = string(\"zero\"), val = int32(0)];\n"
		"  bool p = greater(x = pi, y = zero)[name = string(\"p\")];\n"
		"  tensor<fp32, [2]> c = cond(pred = p)[name = string(\"c\")] {\n"
		"    block0() {\n"
		"      tensor<fp32, [2]> t = mul(x = x, y = k)[name = string(\"t\")];\n"
		"    } -> (t);\n"
		"    block1() {\n"
		"      tensor<fp32, [2]> e = sub(x = x, y = k)[name = string(\"e\")];\n"
		"    } -> (e);\n"
		"  };\n"
		"  tensor<fp32, [2]> w, int32 n = while_loop(loop_vars = (x, zero))[name = string(\"w\")] {\n"
		"    block0(tensor<fp32, [2]> a, int32 i) {\n"
		"      bool go = less(x = i, y = lim)[name = string(\"go\")];\n"
		"    } -> (go);\n"
		"    block1(tensor<fp32, [2]> a, int32 i) {\n"
		"      fp32 h = const()[name = string(\"h\"), val = fp32(0x1p-1)];\n"
		"      fp32 one = const()[name = string(\"one\"), val = fp32(0x1p+0)];\n"
		"      int32 inc = const()[name = string(\"inc\"), val = int32(1)];\n"
		"      tensor<fp32, [2]> a2 = mul(x = a, y = h)[name = string(\"a2\")];\n"
		"      tensor<fp32, [2]> a3 = add(x = a2, y = one)[name = string(\"a3\")];\n"
		"      int32 i2 = add(x = i, y = inc)[name = string(\"i2\")];\n"
		"    } -> (a3, i2);\n"
		"  };\n"
		"  string f32 = const()[name = string(\"f32\"), val = string(\"fp32\")];\n"
		"  fp32 nf = cast(dtype = f32, x = n)[name = string(\"nf\")];\n"
		"  tensor<fp32, [2]> nested = cond(pred = p)[name = string(\"nested\")] {\n"
		"    block0() {\n"
		"      tensor<fp32, [2]> w2, int32 n2 = while_loop(loop_vars = (c, zero))[name = string(\"w2\")] {\n"
		"        block0(tensor<fp32, [2]> b, int32 j) {\n"
		"          bool go2 = less(x = j, y = lim)[name = string(\"go2\")];\n"
		"        } -> (go2);\n"
		"        block1(tensor<fp32, [2]> b, int32 j) {\n"
		"          tensor<fp32, [2]> b2 = add(x = b, y = x)[name = string(\"b2\")];\n"
		"          int32 inc2 = const()[name = string(\"inc2\"), val = int32(1)];\n"
		"          int32 j2 = add(x = j, y = inc2)[name = string(\"j2\")];\n"
		"        } -> (b2, j2);\n"
		"      };\n"
		"    } -> (w2);\n"
		"    block1() {\n"
		"    } -> (x);\n"
		"  };\n"
		"} -> (c, w, nf, nested);",
		NULL, 0);
	float x[2] = {1, -2};
	int32_t p = 1, lim = 5;
	struct mlcc_tensor in[3] = {T("x", MLCC_FLOAT32, 1, 2, 0, x),
				    T("pi", MLCC_INT32, 0, 0, 0, &p),
				    T("lim", MLCC_INT32, 0, 0, 0, &lim)};
	struct mlcc_prediction pr;
	/* p true: c = 10 x; w = 2 - (2 - x) / 32; nested: c + 5 x = 15 x */
	const float c1[2] = {10, -20}, w1[2] = {1.96875f, 1.875f}, n1[1] = {5};
	const float nested1[2] = {15, -30};
	/* p false: c = x - 10; lim 0: w = x, no iteration; nested = x */
	const float c0[2] = {-9, -12}, n0[1] = {0};

	if (run(m, in, 3, NULL, &pr) == MLCC_OK) {
		expect_f(&pr, "c", c1, 2, 0);
		expect_f(&pr, "w", w1, 2, 0);
		expect_f(&pr, "nf", n1, 1, 0);
		expect_f(&pr, "nested", nested1, 2, 0);
	}
	mlcc_prediction_free(&pr);
	p = 0;
	lim = 0;
	if (run(m, in, 3, NULL, &pr) == MLCC_OK) {
		expect_f(&pr, "c", c0, 2, 0);
		expect_f(&pr, "w", x, 2, 0);
		expect_f(&pr, "nf", n0, 1, 0);
		expect_f(&pr, "nested", x, 2, 0);
	}
	mlcc_prediction_free(&pr);
	mlcc_model_free(m);
}

/* ---- states -----------------------------------------------------------------------------------
 */

/* s += x, written back: two predictions with x = [1.5, -2] leave
** s = [3, -4]; the output is the new value each time; slice_update puts
** x into a 2x2 state's row 1. */
static void test_state(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp16, [2]> x, state<tensor<fp16, [2]>> s, state<tensor<fp16, [2, 2]>> kv) {\n"
		"  tensor<fp16, [2]> r = read_state(input = s)[name = string(\"r\")];\n"
		"  tensor<fp16, [2]> n = add(x = r, y = x)[name = string(\"n\")];\n"
		"  write_state(data = n, input = s)[name = string(\"w\")];\n"
		"  tensor<fp16, [2, 2]> k = read_state(input = kv)[name = string(\"k\")];\n"
		"  tensor<fp16, [2, 2]> k2 = slice_update(begin = tensor<int32, [2]>([1, 0]), end = tensor<int32, [2]>([2, 2]), squeeze_mask = tensor<bool, [2]>([true, false]), update = n, x = k)[name = string(\"k2\")];\n"
		"  write_state(data = k2, input = kv)[name = string(\"w2\")];\n"
		"} -> (n);",
		NULL, 0);
	uint16_t x[2] = {0x3e00, 0xc000}; /* 1.5, -2 */
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT16, 1, 2, 0, x)}, view;
	struct mlcc_prediction p;
	struct mlcc_diag d;
	mlcc_state *st = NULL;
	const float n1[2] = {1.5f, -2}, n2[2] = {3, -4};

	if (m == NULL)
		return;
	CHECK(mlcc_state_new(m, NULL, &st, &d) == MLCC_OK);
	if (run(m, in, 1, st, &p) == MLCC_OK)
		expect_f(&p, "n", n1, 2, 0);
	mlcc_prediction_free(&p);
	if (run(m, in, 1, st, &p) == MLCC_OK)
		expect_f(&p, "n", n2, 2, 0);
	mlcc_prediction_free(&p);
	CHECK(mlcc_state_get(st, "s", &view, &d) == MLCC_OK);
	CHECK(view.dtype == MLCC_FLOAT16 && ((uint16_t *)view.data)[0] == 0x4200 &&
	      ((uint16_t *)view.data)[1] == 0xc400);
	CHECK(mlcc_state_get(st, "kv", &view, &d) == MLCC_OK);
	CHECK(((uint16_t *)view.data)[0] == 0 && ((uint16_t *)view.data)[1] == 0 &&
	      ((uint16_t *)view.data)[2] == 0x4200 && ((uint16_t *)view.data)[3] == 0xc400);
	/* no state given: an error naming the function */
	CHECK(mlcc_predict(m, NULL, in, 1, NULL, &p, &d) == MLCC_E_USAGE);
	CHECK(strstr(d.message, "function 'main' declares states") != NULL);
	mlcc_state_free(st);
	mlcc_model_free(m);
}

/* A value read from a state keeps what it read when the state is written
** afterwards (read_state gives a view; the write must not show through):
** with s = 0 and x = [1.5, -2], old - new = [-1.5, 2]. */
static void test_state_read_then_write(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp16, [2]> x, state<tensor<fp16, [2]>> s) {\n"
		"  tensor<fp16, [2]> r = read_state(input = s)[name = string(\"r\")];\n"
		"  tensor<int32, [2]> sh = const()[name = string(\"sh\"), val = tensor<int32, [2]>([2, 1])];\n"
		"  tensor<fp16, [2, 1]> rv = reshape(shape = sh, x = r)[name = string(\"rv\")];\n"
		"  write_state(data = x, input = s)[name = string(\"w\")];\n"
		"  tensor<fp16, [2]> r2 = read_state(input = s)[name = string(\"r2\")];\n"
		"  tensor<fp16, [2]> d = sub(x = r, y = r2)[name = string(\"d\")];\n"
		"} -> (d, rv);",
		NULL, 0);
	uint16_t x[2] = {0x3e00, 0xc000};
	struct mlcc_tensor in[1] = {T("x", MLCC_FLOAT16, 1, 2, 0, x)};
	struct mlcc_prediction p;
	struct mlcc_diag d;
	mlcc_state *st = NULL;
	const float want[2] = {-1.5f, 2}, zero[2] = {0, 0};

	if (m == NULL)
		return;
	CHECK(mlcc_state_new(m, NULL, &st, &d) == MLCC_OK);
	if (run(m, in, 1, st, &p) == MLCC_OK) {
		expect_f(&p, "d", want, 2, 0);
		expect_f(&p, "rv", zero, 2, 0);
	}
	mlcc_prediction_free(&p);
	mlcc_state_free(st);
	mlcc_model_free(m);
}

/* One loaded model, two threads predicting at once (each with its own
** inputs), a lazy constant materialised by whichever comes first: every
** result right. */
struct worker {
	mlcc_model *m;
	float base;
	int bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 40; i++) {
		float x[4] = {w->base, w->base + 1, w->base + 2, (float)i};
		struct mlcc_tensor in = {"x", MLCC_FLOAT32, 1, {4}, x};
		struct mlcc_prediction p;
		struct mlcc_diag d;
		if (mlcc_predict(w->m, NULL, &in, 1, NULL, &p, &d) != MLCC_OK) {
			w->bad++;
			continue;
		}
		const float *y = p.outputs[0].data;
		/* y = x * W^T with W = palette rows [1,1,1,1] and [2,2,2,2] */
		float s = x[0] + x[1] + x[2] + x[3];
		if (p.noutputs != 1 || y[0] != s || y[1] != 2 * s)
			w->bad++;
		mlcc_prediction_free(&p);
	}
	return NULL;
}

static void test_threads(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [4]> x) {\n"
		"  tensor<fp32, [2, 4]> w = constexpr_lut_to_dense(indices = tensor<uint1, [2, 4]>([[1, 1, 1, 1], [1, 1, 1, 1]]), lut = tensor<fp32, [2, 1, 2, 1]>([[[[0x0p+0], [0x1p+0]]], [[[0x0p+0], [0x1p+1]]]]))[name = string(\"w\")];\n"
		"  tensor<fp32, [2]> y = linear(weight = w, x = x)[name = string(\"y\")];\n"
		"} -> (y);",
		NULL, 0);
	struct worker w[2] = {{m, 1, 0}, {m, 100, 0}};
	pthread_t t[2];

	if (m == NULL)
		return;
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(w[0].bad == 0 && w[1].bad == 0);
	mlcc_model_free(m);
}

/* Errors while running name the file, the function and the op: an index
** outside its axis.  (Shapes that cannot broadcast never reach the runtime:
** the op check refuses them when the program is assembled or loaded.) */
static void test_run_errors(void)
{
	mlcc_model *m = build(
		"main<ios18>(tensor<fp32, [5]> v, tensor<int32, [1]> i) {\n"
		"  int32 ax = const()[name = string(\"ax\"), val = int32(0)];\n"
		"  tensor<fp32, [1]> g = gather(axis = ax, indices = i, x = v)[name = string(\"g\")];\n"
		"} -> (g);",
		NULL, 0);
	float v[5] = {0};
	int32_t i = 7;
	struct mlcc_tensor in[2] = {T("v", MLCC_FLOAT32, 1, 5, 0, v),
				    T("i", MLCC_INT32, 1, 1, 0, &i)};
	struct mlcc_prediction p;
	struct mlcc_diag d;
	char want[4096];

	if (m == NULL)
		return;
	CHECK(mlcc_predict(m, NULL, in, 2, NULL, &p, &d) == MLCC_E_CORRUPT);
	snprintf(want, sizeof want,
		 "%s/m%d.mlpackage/Data/com.apple.CoreML/model.mlmodel: function 'main': op 'g' "
		 "(gather): index 7 is outside an axis of 5",
		 tmp, nmodel);
	if (strcmp(d.message, want) != 0) {
		tk_failures++;
		fprintf(stderr, "got  %s\nwant %s\n", d.message, want);
	}
	CHECK(p.noutputs == 0 && p.outputs == NULL);
	i = -5; /* from the end: element 0 */
	if (mlcc_predict(m, NULL, in, 2, NULL, &p, &d) == MLCC_OK)
		mlcc_prediction_free(&p);
	else
		CHECK(!"gather index -5 (from the end) refused");
	i = -6; /* one before the start */
	CHECK(mlcc_predict(m, NULL, in, 2, NULL, &p, &d) == MLCC_E_CORRUPT);
	CHECK(strstr(d.message, "op 'g' (gather): index -6 is outside an axis of 5") != NULL);
	mlcc_model_free(m);
}

/* ---- table, npy --------------------------------------------------------------------------------
 */

static void test_table_sorted(void)
{
	const struct rt_impl *all;
	size_t n = rt_impl_count(&all);

	for (size_t i = 1; i < n; i++)
		if (strcmp(all[i - 1].type, all[i].type) >= 0) {
			tk_failures++;
			fprintf(stderr, "optable: '%s' before '%s'\n", all[i - 1].type,
				all[i].type);
		}
	for (size_t i = 0; i < n; i++)
		CHECK(rt_find_impl(all[i].type) == &all[i]);
	CHECK(rt_find_impl("no_such_op") == NULL);
}

static void test_npy(void)
{
	char path[4096];
	int16_t v[6] = {1, -2, 3, -4, 5, 32767};
	struct mlcc_tensor t = {"t", MLCC_INT16, 2, {2, 3}, v}, r;
	struct mlcc_diag d;
	size_t len;
	unsigned char *bytes;
	/* what numpy.save writes for np.array([[1,-2,3],[-4,5,32767]], '<i2') */
	static const char hdr[] = "\x93NUMPY\x01\x00v\x00{'descr': '<i2', 'fortran_order': False, "
				  "'shape': (2, 3), }";

	snprintf(path, sizeof path, "%s/a.npy", tmp);
	CHECK(mlcc_npy_write(path, &t, &d) == MLCC_OK);
	bytes = tk_read(path, &len);
	CHECK(bytes && len == 128 + 12);
	CHECK(bytes && memcmp(bytes, hdr, sizeof hdr - 1) == 0);
	CHECK(bytes && bytes[127] == '\n' && bytes[126] == ' ');
	CHECK(bytes && memcmp(bytes + 128, v, 12) == 0);
	free(bytes);
	CHECK(mlcc_npy_read(path, &r, &d) == MLCC_OK);
	CHECK(r.dtype == MLCC_INT16 && r.rank == 2 && r.shape[0] == 2 && r.shape[1] == 3);
	CHECK(r.data && memcmp(r.data, v, 12) == 0);
	mlcc_tensor_free(&r);

	/* version 2.0 (4-byte header length), a scalar */
	FILE *f;
	snprintf(path, sizeof path, "%s/b.npy", tmp);
	f = fopen(path, "wb");
	static const char h2[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }";
	unsigned char pre[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, sizeof h2 - 1, 0, 0, 0};
	float one = 1.0f;
	fwrite(pre, 1, 12, f);
	fwrite(h2, 1, sizeof h2 - 1, f);
	fwrite(&one, 4, 1, f);
	fclose(f);
	CHECK(mlcc_npy_read(path, &r, &d) == MLCC_OK);
	CHECK(r.dtype == MLCC_FLOAT32 && r.rank == 0 && *(float *)r.data == 1.0f);
	mlcc_tensor_free(&r);

	/* refused: big-endian, Fortran order, truncated data -- messages name the file */
	static const char *const bad[] = {
		"{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
		"{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
		"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
	};
	static const char *const why[] = {"big-endian", "Fortran-order", "data bytes"};
	for (int i = 0; i < 3; i++) {
		unsigned char p1[10] = {
			0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)strlen(bad[i]), 0};
		f = fopen(path, "wb");
		fwrite(p1, 1, 10, f);
		fwrite(bad[i], 1, strlen(bad[i]), f);
		fwrite(&one, 4, 1, f);
		fclose(f);
		CHECK(mlcc_npy_read(path, &r, &d) != MLCC_OK);
		CHECK(strstr(d.message, why[i]) != NULL && strstr(d.message, path) != NULL);
	}
}

int main(void)
{
	tmp = tk_tmpdir();
	test_fp16_rounding();
	test_broadcast();
	test_int_compare_select_cast();
	test_unary();
	test_reduce_softmax_norm();
	test_layer_norm_leading_axis();
	test_products();
	test_attention_products();
	test_storage_reuse();
	test_binary_blocks();
	test_shape_ops();
	test_lut_fused();
	test_constexpr_kinds();
	test_constexpr_vector_sparse();
	test_control_flow();
	test_state();
	test_state_read_then_write();
	test_threads();
	test_run_errors();
	test_table_sorted();
	test_npy();
	tk_rm_rf(tmp);
	free(tmp);
	printf("test_runtime_ops: %d failures\n", tk_failures);
	return tk_failures ? 1 : 0;
}
