/*
** test_runtime_corpus.c -- every ML-program package of corpus/generated
** (coverage, tiny-llama, anemll-tiny: coremltools and ANEMLL output with
** every compression form, dtype, state, control flow, pipeline and
** multi-function layout) runs on
** the CPU runtime, and its compiled bundle gives the same bytes.
**
** Each function of each package is run on deterministic inputs (flexible
** dimensions at 1; floats ((7k mod 11) - 5) / 10, integers 7k mod 11) with
** fresh zeroed states; the package is compiled with mlcc into a temporary
** directory and the bundle run the same way: every output must be
** byte-identical (the bundle is read from model.mil text and its own weight
** file, the package from protobuf: one check of compile, blob offsets and
** both readers; NaNs compare equal whatever their bits).  Packages whose programs use what the
*runtime does not
** support yet are listed in 'known_unsupported' (they may fail to load; any
** other failure is a test failure).  Ends with "runtime corpus: N/M
** functions run, N identical".
**
** usage: test_runtime_corpus MLCC
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlcc.h"
#include "testkit.h"

/* Programs with ops the runtime does not implement yet. */
static const char *const known_unsupported[] = {
	"classifier_int_labels",    /* classify */
	"classifier_string_labels", /* classify */
};

static bool unsupported_ok(const char *pkg)
{
	for (size_t i = 0; i < sizeof known_unsupported / sizeof *known_unsupported; i++)
		if (strstr(pkg, known_unsupported[i]))
			return true;
	return false;
}

/* Deterministic inputs for 'sig' (malloc'd data; free with free_inputs). */
static struct mlcc_tensor *make_inputs(const struct mlcc_signature *sig)
{
	struct mlcc_tensor *in = calloc(sig->ninputs + 1, sizeof *in);

	for (size_t i = 0; in && i < sig->ninputs; i++) {
		const struct mlcc_feature *f = &sig->inputs[i];
		in[i].name = f->name;
		in[i].dtype = f->dtype;
		in[i].rank = f->rank;
		for (int d = 0; d < f->rank; d++)
			in[i].shape[d] = f->shape[d] < 0 ? 1 : f->shape[d];
		size_t n = mlcc_tensor_count(&in[i]), es = mlcc_dtype_size(f->dtype);
		in[i].data = calloc(n + 1, es ? es : 1);
		for (size_t k = 0; in[i].data && k < n; k++) {
			int v = (int)((7 * k) % 11);
			float fv = (float)(v - 5) / 10.0f;
			switch (f->dtype) {
			case MLCC_FLOAT32: ((float *)in[i].data)[k] = fv; break;
			case MLCC_FLOAT16: {
				/* exact fp16 of the small values: sign, exponent, mantissa */
				union {
					float f;
					uint32_t u;
				} c = {fv};
				uint32_t e = (c.u >> 23) & 0xff, m = c.u & 0x7fffff;
				uint16_t h = (uint16_t)((c.u >> 16) & 0x8000);
				if (e)
					h |= (uint16_t)(((e - 112) << 10) | ((m + 0x1000) >> 13));
				((uint16_t *)in[i].data)[k] = h;
				break;
			}
			case MLCC_FLOAT64: ((double *)in[i].data)[k] = fv; break;
			case MLCC_INT32: ((int32_t *)in[i].data)[k] = v; break;
			case MLCC_INT16: ((int16_t *)in[i].data)[k] = (int16_t)v; break;
			case MLCC_INT8:
			case MLCC_UINT8:
			case MLCC_BOOL:
				((uint8_t *)in[i].data)[k] =
					(uint8_t)(f->dtype == MLCC_BOOL ? v & 1 : v);
				break;
			default: memset((char *)in[i].data + k * es, 0, es);
			}
		}
	}
	return in;
}

static void free_inputs(struct mlcc_tensor *in, size_t n)
{
	for (size_t i = 0; in && i < n; i++)
		free(in[i].data);
	free(in);
}

/* Run function 'fn' of 'm'; returns 0 and fills 'p', or -1 (message in 'd'). */
static int run_fn(mlcc_model *m, const char *fn, struct mlcc_prediction *p, struct mlcc_diag *d)
{
	struct mlcc_signature sig;
	mlcc_state *st = NULL;
	int rc;

	if (mlcc_model_signature(m, fn, &sig, d) != MLCC_OK)
		return -1;
	if (sig.nstates && mlcc_state_new(m, fn, &st, d) != MLCC_OK)
		return -1;
	struct mlcc_tensor *in = make_inputs(&sig);
	rc = mlcc_predict(m, fn, in, sig.ninputs, st, p, d);
	free_inputs(in, sig.ninputs);
	mlcc_state_free(st);
	return rc == MLCC_OK ? 0 : -1;
}

/* Element k of a float tensor is NaN (fp16, fp32, fp64 bit patterns). */
static bool is_nan(const struct mlcc_tensor *t, size_t k)
{
	if (t->dtype == MLCC_FLOAT16) {
		uint16_t h = ((const uint16_t *)t->data)[k];
		return (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
	}
	if (t->dtype == MLCC_FLOAT32) {
		uint32_t u;
		memcpy(&u, (const char *)t->data + 4 * k, 4);
		return (u & 0x7f800000) == 0x7f800000 && (u & 0x7fffff);
	}
	if (t->dtype == MLCC_FLOAT64) {
		uint64_t u;
		memcpy(&u, (const char *)t->data + 8 * k, 8);
		return (u & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
		       (u & 0xfffffffffffffull);
	}
	return false;
}

/* Same bytes, except that any NaN equals any NaN (model.mil text spells
** every NaN `nan`: the sign and payload of a NaN constant do not survive
** the bundle, corpus item inline_special_fp32). */
static bool same_data(const struct mlcc_tensor *x, const struct mlcc_tensor *y)
{
	size_t es = mlcc_dtype_size(x->dtype), n = mlcc_tensor_count(x);

	for (size_t k = 0; k < n; k++)
		if (memcmp((const char *)x->data + k * es, (const char *)y->data + k * es, es) !=
			    0 &&
		    !(is_nan(x, k) && is_nan(y, k)))
			return false;
	return true;
}

static bool same_outputs(const struct mlcc_prediction *a, const struct mlcc_prediction *b)
{
	if (a->noutputs != b->noutputs)
		return false;
	for (size_t i = 0; i < a->noutputs; i++) {
		const struct mlcc_tensor *x = &a->outputs[i], *y = &b->outputs[i];
		if (x->dtype != y->dtype || x->rank != y->rank || strcmp(x->name, y->name) != 0 ||
		    memcmp(x->shape, y->shape, (size_t)x->rank * sizeof *x->shape) != 0 ||
		    !same_data(x, y))
			return false;
	}
	return true;
}

/* Every function of package 'pkg' and of its bundle in 'tmp'. */
static void check_package(const char *pkg, const char *tmp, int *fns, int *ran, int *same)
{
	struct mlcc_diag d;
	struct mlcc_compile_options o = {0};
	struct mlcc_compile_result r = {0};
	mlcc_model *m = NULL, *b = NULL;
	bool known = unsupported_ok(pkg);

	if (mlcc_model_load(pkg, NULL, &m, &d) != MLCC_OK) {
		if (!known)
			tk_failures++;
		fprintf(known ? stdout : stderr, "%s%s\n", known ? "known unsupported: " : "",
			d.message);
		return;
	}
	o.input = pkg;
	o.output_dir = tmp;
	if (mlcc_compile(&o, &r, &d) != MLCC_OK || mlcc_model_load(r.bundle, NULL, &b, &d)) {
		tk_failures++;
		fprintf(stderr, "bundle of %s: %s\n", pkg, d.message);
	}
	for (size_t i = 0; i < mlcc_model_function_count(m); i++) {
		const char *fn = mlcc_model_function_name(m, i);
		struct mlcc_prediction pp = {0}, pb = {0};
		(*fns)++;
		if (run_fn(m, fn, &pp, &d) != 0) {
			if (!known) {
				tk_failures++;
				fprintf(stderr, "%s function %s: %s\n", pkg, fn, d.message);
			}
			continue;
		}
		(*ran)++;
		if (b && run_fn(b, fn, &pb, &d) == 0 && same_outputs(&pp, &pb))
			(*same)++;
		else {
			tk_failures++;
			fprintf(stderr, "%s function %s: the bundle's outputs differ (%s)\n", pkg,
				fn, b ? d.message : "no bundle");
		}
		mlcc_prediction_free(&pp);
		mlcc_prediction_free(&pb);
	}
	mlcc_model_free(b);
	mlcc_model_free(m);
	mlcc_compile_result_free(&r);
}

int main(void)
{
	static const char *const sets[] = {"coverage", "tiny-llama", "anemll-tiny/chunked",
					   "anemll-tiny/monolithic"};
	int status, fns = 0, ran = 0, same = 0;
	const char *corpus = tk_corpus("test_runtime_corpus", &status);
	char dir[4096];

	if (corpus == NULL)
		return status;
	char *tmp = tk_tmpdir();
	for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
		snprintf(dir, sizeof dir, "%s/generated/%s", corpus, sets[s]);
		char **list = tk_list(dir);
		for (size_t i = 0; list && list[i]; i++) {
			const char *e = strstr(list[i], ".mlpackage/Manifest.json");
			if (e == NULL || strchr(list[i], '/') != e + strlen(".mlpackage"))
				continue;
			char pkg[4096];
			snprintf(pkg, sizeof pkg, "%s/%.*s.mlpackage", dir, (int)(e - list[i]),
				 list[i]);
			check_package(pkg, tmp, &fns, &ran, &same);
		}
		tk_free_list(list);
	}
	tk_rm_rf(tmp);
	free(tmp);
	printf("runtime corpus: %d/%d functions run, %d identical from the bundle\n", ran, fns,
	       same);
	CHECK(ran > 40);
	return tk_failures ? 1 : 0;
}
