/*
** fake_runtime.c -- a stand-in libmlcc for tests/python/test_run.py: the
** runtime half of mlcc.h on a made-up model, so that the Python bindings'
** marshalling (dtypes, shapes, scalars, states, errors) is tested before
** and independently of the real CPU runtime.  The compiler half is stubbed
** (it answers MLCC_E_UNSUPPORTED).
**
** A path ending in ".fake" loads; its functions:
**   main:  x (fp32, any shape) -> y = 2 * x (same shape), n = element count
**          (int32 scalar)
**   count: no inputs, state s (int32 [2]) -> n = s + [1, 2], and s := n
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlcc.h"

struct mlcc_model {
	int unused;
};

struct mlcc_state {
	int32_t s[2];
};

static const struct mlcc_feature main_in[] = {{"x", MLCC_FLOAT32, 1, {-1}}};
static const struct mlcc_feature main_out[] = {{"y", MLCC_FLOAT32, 1, {-1}},
					       {"n", MLCC_INT32, 0, {0}}};
static const struct mlcc_feature count_out[] = {{"n", MLCC_INT32, 1, {2}}};
static const struct mlcc_feature count_state[] = {{"s", MLCC_INT32, 1, {2}}};

static int fail(struct mlcc_diag *d, int status, const char *fmt, const char *a, const char *b)
{
	d->status = status;
	snprintf(d->message, sizeof d->message, fmt, a, b);
	return status;
}

/* ---- the compiler half: stubs ------------------------------------------- */

const char *mlcc_version(void)
{
	return "0.0.0-fake";
}
const char *mlcc_status_name(int status)
{
	return status == MLCC_E_USAGE ? "usage error" : "error";
}
int mlcc_link_mode_parse(const char *name)
{
	return strcmp(name, "copy") == 0 ? 0 : -1;
}
int mlcc_compile(const struct mlcc_compile_options *o, struct mlcc_compile_result *r,
		 struct mlcc_diag *d)
{
	memset(r, 0, sizeof *r);
	return fail(d, MLCC_E_UNSUPPORTED, "%s: the fake library compiles nothing%s", o->input, "");
}
void mlcc_compile_result_free(struct mlcc_compile_result *r)
{
	(void)r;
}
const char *mlcc_known_coremlc_version(size_t i, const char **mil)
{
	(void)i;
	(void)mil;
	return NULL;
}
int mlcc_decompile(const char *b, const char *o, struct mlcc_diag *d)
{
	return fail(d, MLCC_E_UNSUPPORTED, "%s -> %s: fake", b, o);
}
int mlcc_assemble(const struct mlcc_assemble_options *o, struct mlcc_diag *d)
{
	return fail(d, MLCC_E_UNSUPPORTED, "%s: fake%s", o->mil, "");
}
int mlcc_inspect(const char *p, int j, FILE *out, struct mlcc_diag *d)
{
	(void)j;
	(void)out;
	return fail(d, MLCC_E_UNSUPPORTED, "%s: fake%s", p, "");
}
int mlcc_diff(const char *a, const char *b, int f, FILE *out, int *diff, struct mlcc_diag *d)
{
	(void)f;
	(void)out;
	*diff = 0;
	return fail(d, MLCC_E_UNSUPPORTED, "%s %s: fake", a, b);
}

/* ---- the runtime half --------------------------------------------------- */

int mlcc_model_load(const char *path, const struct mlcc_load_options *o, mlcc_model **m,
		    struct mlcc_diag *d)
{
	size_t n = strlen(path);

	(void)o;
	*m = NULL;
	if (n < 5 || strcmp(path + n - 5, ".fake") != 0)
		return fail(d, MLCC_E_IO, "%s: not a fake model%s", path, "");
	*m = calloc(1, sizeof **m);
	return *m ? MLCC_OK : fail(d, MLCC_E_NOMEM, "%s: out of memory%s", path, "");
}
void mlcc_model_free(mlcc_model *m)
{
	free(m);
}
size_t mlcc_model_function_count(const mlcc_model *m)
{
	(void)m;
	return 2;
}
const char *mlcc_model_function_name(const mlcc_model *m, size_t i)
{
	(void)m;
	return i == 0 ? "main" : i == 1 ? "count" : NULL;
}
const char *mlcc_model_default_function(const mlcc_model *m)
{
	(void)m;
	return "main";
}

int mlcc_model_signature(const mlcc_model *m, const char *fn, struct mlcc_signature *s,
			 struct mlcc_diag *d)
{
	(void)m;
	memset(s, 0, sizeof *s);
	if (!fn || strcmp(fn, "main") == 0) {
		*s = (struct mlcc_signature){"main", 1, 2, 0, main_in, main_out, NULL};
		return MLCC_OK;
	}
	if (strcmp(fn, "count") == 0) {
		*s = (struct mlcc_signature){"count", 0, 1, 1, NULL, count_out, count_state};
		return MLCC_OK;
	}
	return fail(d, MLCC_E_USAGE, "no function '%s'%s", fn, "");
}

int mlcc_state_new(const mlcc_model *m, const char *fn, mlcc_state **st, struct mlcc_diag *d)
{
	(void)m;
	*st = NULL;
	if (!fn || strcmp(fn, "count") != 0)
		return fail(d, MLCC_E_USAGE, "function '%s' declares no states%s", fn ? fn : "main",
			    "");
	*st = calloc(1, sizeof **st);
	return *st ? MLCC_OK : fail(d, MLCC_E_NOMEM, "out of memory%s%s", "", "");
}
void mlcc_state_free(mlcc_state *st)
{
	free(st);
}

int mlcc_state_get(mlcc_state *st, const char *name, struct mlcc_tensor *v, struct mlcc_diag *d)
{
	if (strcmp(name, "s") != 0)
		return fail(d, MLCC_E_USAGE, "no state '%s'%s", name, "");
	*v = (struct mlcc_tensor){"s", MLCC_INT32, 1, {2}, st->s};
	return MLCC_OK;
}

int mlcc_state_set(mlcc_state *st, const struct mlcc_tensor *v, struct mlcc_diag *d)
{
	if (strcmp(v->name, "s") != 0)
		return fail(d, MLCC_E_USAGE, "no state '%s'%s", v->name, "");
	if (v->dtype != MLCC_INT32 || v->rank != 1 || v->shape[0] != 2)
		return fail(d, MLCC_E_USAGE, "state '%s' is int32 [2]%s", v->name, "");
	memcpy(st->s, v->data, sizeof st->s);
	return MLCC_OK;
}

size_t mlcc_tensor_count(const struct mlcc_tensor *t)
{
	size_t n = 1;

	for (int i = 0; i < t->rank; i++)
		n *= (size_t)t->shape[i];
	return n;
}

/* Outputs and their storage in one block: internal points at it. */
static int predict_main(const struct mlcc_tensor *in, size_t nin, struct mlcc_prediction *p,
			struct mlcc_diag *d)
{
	size_t n;
	float *y;
	int32_t *cnt;

	if (nin != 1 || strcmp(in[0].name, "x") != 0)
		return fail(d, MLCC_E_USAGE, "function 'main': needs exactly input 'x'%s%s", "",
			    "");
	if (in[0].dtype != MLCC_FLOAT32)
		return fail(d, MLCC_E_USAGE, "function 'main': input 'x' must be fp32, not %s%s",
			    mlcc_dtype_name(in[0].dtype), "");
	n = mlcc_tensor_count(&in[0]);
	p->outputs = calloc(2, sizeof *p->outputs);
	y = malloc(n * sizeof *y + 1);
	cnt = malloc(sizeof *cnt);
	if (!p->outputs || !y || !cnt) {
		free(p->outputs);
		free(y);
		free(cnt);
		return fail(d, MLCC_E_NOMEM, "out of memory%s%s", "", "");
	}
	for (size_t i = 0; i < n; i++)
		y[i] = 2 * ((const float *)in[0].data)[i];
	*cnt = (int32_t)n;
	p->noutputs = 2;
	p->outputs[0] = in[0];
	p->outputs[0].name = "y";
	p->outputs[0].data = y;
	p->outputs[1] = (struct mlcc_tensor){"n", MLCC_INT32, 0, {0}, cnt};
	return MLCC_OK;
}

static int predict_count(size_t nin, mlcc_state *st, struct mlcc_prediction *p, struct mlcc_diag *d)
{
	int32_t *n;

	if (nin)
		return fail(d, MLCC_E_USAGE, "function 'count' takes no inputs%s%s", "", "");
	if (!st)
		return fail(d, MLCC_E_USAGE, "function 'count' needs its state%s%s", "", "");
	p->outputs = calloc(1, sizeof *p->outputs);
	n = malloc(2 * sizeof *n);
	if (!p->outputs || !n) {
		free(p->outputs);
		free(n);
		return fail(d, MLCC_E_NOMEM, "out of memory%s%s", "", "");
	}
	st->s[0] += 1;
	st->s[1] += 2;
	memcpy(n, st->s, sizeof st->s);
	p->noutputs = 1;
	p->outputs[0] = (struct mlcc_tensor){"n", MLCC_INT32, 1, {2}, n};
	return MLCC_OK;
}

int mlcc_predict(mlcc_model *m, const char *fn, const struct mlcc_tensor *in, size_t nin,
		 mlcc_state *st, struct mlcc_prediction *p, struct mlcc_diag *d)
{
	(void)m;
	memset(p, 0, sizeof *p);
	if (!fn || strcmp(fn, "main") == 0)
		return predict_main(in, nin, p, d);
	if (strcmp(fn, "count") == 0)
		return predict_count(nin, st, p, d);
	return fail(d, MLCC_E_USAGE, "no function '%s'%s", fn, "");
}

void mlcc_prediction_free(struct mlcc_prediction *p)
{
	for (size_t i = 0; i < p->noutputs; i++)
		free(p->outputs[i].data);
	free(p->outputs);
	memset(p, 0, sizeof *p);
}

const char *mlcc_dtype_name(enum mlcc_dtype t)
{
	static const char *names[] = {NULL,    "fp16",	 "fp32",   "fp64",  "int8",
				      "uint8", "int16",	 "uint16", "int32", "uint32",
				      "int64", "uint64", "bool"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : NULL;
}
