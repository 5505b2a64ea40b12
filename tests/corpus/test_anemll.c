/*
** test_anemll.c -- the runtime generates the reference tokens of the tiny
** ANEMLL Llama (corpus generated/anemll-tiny), from the packages and from
** the bundles mlcc compiles from them.
**
** The flow is the one of reference/README.md (ANEMLL's chat.py):
**  - causal mask [1, 1, 64, 64] fp16: 0 where column <= row, else -inf;
**  - chunked set: full batches of 8 prompt tokens go through embeddings
**    and each FFN chunk's `prefill` (position_ids bp..bp+7, mask rows
**    bp..bp+7, current_pos [bp]); the remaining prompt tokens but the last
**    through `infer` one at a time; then each step: its token ->
**    embeddings -> FFN chunks `infer` (position_ids = current_pos = [pos],
**    mask row pos) -> LM head (8 splits of 64 logits, concatenated) ->
**    argmax, the next step's token.  ONE state serves both chunks (the KV
**    cache of all layers);
**    Both forms of the chunks: the combined multi-function packages
**    (`infer` + `prefill`) and the separate FFN and prefill packages;
**  - monolithic set (argmax in the model): the same through one program's
**    `prefill` and `infer` functions, and through the separate
**    llama_monolithic_prefill/llama_monolithic packages; each step gives the per-split
**    argmax_idx/argmax_val; the token is the split with the largest value.
** Checked against reference/{chunked,monolithic}/pN.dequantized-lut.json:
** every step's token exactly, the chunked logits and the monolithic
** argmax_val within LOGIT_TOL (the fp16 noise: the reference computed each
** op in fp32 rounded to fp16 as the runtime does, only the summation order
** differs).  Prints the largest difference seen.
**
** usage: test_anemll MLCC
*/
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "mlcc.h"
#include "testkit.h"

#define LOGIT_TOL 4e-3
#define CTX 64
#define BATCH 8
#define HIDDEN 128
#define VOCAB 512
#define SPLITS 8

static double max_diff;

/* ---- tensors ------------------------------------------------------------- */

static struct mlcc_tensor tensor(const char *name, enum mlcc_dtype dt, int rank,
				 const int64_t *shape, void *data)
{
	struct mlcc_tensor t = {name, dt, rank, {0}, data};

	memcpy(t.shape, shape, (size_t)rank * sizeof *shape);
	return t;
}

/* Rows [row0, row0 + n) of the causal mask, fp16 bits. */
static void mask_rows(uint16_t *m, int row0, int n)
{
	for (int r = 0; r < n; r++)
		for (int c = 0; c < CTX; c++)
			m[r * CTX + c] = c <= row0 + r ? 0x0000 : 0xfc00;
}

static const struct mlcc_tensor *output(const struct mlcc_prediction *p, const char *name)
{
	for (size_t i = 0; i < p->noutputs; i++)
		if (strcmp(p->outputs[i].name, name) == 0)
			return &p->outputs[i];
	return NULL;
}

static int predict(mlcc_model *m, const char *fn, struct mlcc_tensor *in, size_t n, mlcc_state *st,
		   struct mlcc_prediction *p)
{
	struct mlcc_diag d;
	int rc = mlcc_predict(m, fn, in, n, st, p, &d);

	if (rc != MLCC_OK)
		fprintf(stderr, "predict %s: %s\n", fn ? fn : "(default)", d.message);
	return rc;
}

/* ---- chunked ------------------------------------------------------------------ */

/* The chunked set: 'ffn' run with function 'inf' (one token) and 'pf'
** with 'pfn' (batches): the combined multi-function chunks (infer and
** prefill of one model), or the separate FFN and prefill packages (their
** `main`), all sharing one state. */
struct chunked {
	mlcc_model *emb, *ffn[2], *pf[2], *lm;
	const char *inf, *pfn;
};

/* Embeddings of 'n' tokens into hidden[n * HIDDEN] (fp16 bits). */
static int embed(struct chunked *c, const int32_t *tok, int n, uint16_t *hidden)
{
	int64_t sh[2] = {1, n};
	struct mlcc_tensor in = tensor("input_ids", MLCC_INT32, 2, sh, (void *)tok);
	struct mlcc_prediction p;
	const struct mlcc_tensor *h;

	if (predict(c->emb, NULL, &in, 1, NULL, &p) != MLCC_OK)
		return -1;
	h = output(&p, "hidden_states");
	CHECK(h && mlcc_tensor_count(h) == (size_t)n * HIDDEN && h->dtype == MLCC_FLOAT16);
	if (h)
		memcpy(hidden, h->data, (size_t)n * HIDDEN * 2);
	mlcc_prediction_free(&p);
	return h ? 0 : -1;
}

/* Both FFN chunks on 'n' positions from 'pos' (n == 1: infer, else
** prefill); hidden is replaced by the last chunk's output (infer only). */
static int ffn(struct chunked *c, int pos, int n, uint16_t *hidden, mlcc_state *st)
{
	mlcc_model **mods = n == 1 ? c->ffn : c->pf;
	const char *fn = n == 1 ? c->inf : c->pfn;
	int64_t hs[3] = {1, n, HIDDEN}, ps[1] = {n}, ms[4] = {1, 1, n, CTX}, cs[1] = {1};
	int32_t posids[BATCH], cur = pos;
	uint16_t mask[BATCH * CTX];

	for (int i = 0; i < n; i++)
		posids[i] = pos + i;
	mask_rows(mask, pos, n);
	for (int k = 0; k < 2; k++) {
		struct mlcc_tensor in[4] = {
			tensor("hidden_states", MLCC_FLOAT16, 3, hs, hidden),
			tensor("position_ids", MLCC_INT32, 1, ps, posids),
			tensor("causal_mask", MLCC_FLOAT16, 4, ms, mask),
			tensor("current_pos", MLCC_INT32, 1, cs, &cur),
		};
		struct mlcc_prediction p;
		if (predict(mods[k], fn, in, 4, st, &p) != MLCC_OK)
			return -1;
		const struct mlcc_tensor *o = output(&p, "output_hidden_states");
		CHECK(o != NULL);
		if (o && mlcc_tensor_count(o) == (size_t)n * HIDDEN)
			memcpy(hidden, o->data, (size_t)n * HIDDEN * 2);
		mlcc_prediction_free(&p);
	}
	return 0;
}

/* LM head on one hidden state: 512 logits as floats. */
static int lm_head(struct chunked *c, uint16_t *hidden, float *logits)
{
	int64_t hs[3] = {1, 1, HIDDEN};
	struct mlcc_tensor in = tensor("hidden_states", MLCC_FLOAT16, 3, hs, hidden);
	struct mlcc_prediction p;
	char name[16];

	if (predict(c->lm, NULL, &in, 1, NULL, &p) != MLCC_OK)
		return -1;
	for (int s = 0; s < SPLITS; s++) {
		snprintf(name, sizeof name, "logits%d", s + 1);
		const struct mlcc_tensor *o = output(&p, name);
		CHECK(o && mlcc_tensor_count(o) == VOCAB / SPLITS && o->dtype == MLCC_FLOAT16);
		for (int i = 0; o && i < VOCAB / SPLITS; i++)
			logits[s * 64 + i] = k_h2f(((const uint16_t *)o->data)[i]);
	}
	mlcc_prediction_free(&p);
	return 0;
}

static int argmax(const float *v, int n)
{
	int best = 0;

	for (int i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

/* Compare one step's logits with the reference; returns the token. */
static int check_logits(const char *what, json_t *step, const float *logits)
{
	json_t *ref = json_object_get(step, "logits");
	int want = (int)json_integer_value(json_object_get(step, "argmax"));
	int got = argmax(logits, VOCAB);
	double md = 0;

	CHECK(json_array_size(ref) == VOCAB);
	for (size_t i = 0; i < json_array_size(ref) && i < VOCAB; i++) {
		double d = fabs(json_number_value(json_array_get(ref, i)) - logits[i]);
		md = d > md ? d : md;
	}
	max_diff = md > max_diff ? md : max_diff;
	if (got != want || md > LOGIT_TOL) {
		tk_failures++;
		fprintf(stderr, "%s pos %lld: token %d (want %d), max |logit diff| %.3g\n", what,
			(long long)json_integer_value(json_object_get(step, "pos")), got, want, md);
	}
	return got;
}

static void run_chunked(const char *what, struct chunked *c, json_t *ref)
{
	json_t *prompt = json_object_get(ref, "prompt"), *steps = json_object_get(ref, "steps");
	int L = (int)json_array_size(prompt), pos = 0;
	int32_t tok[BATCH];
	uint16_t hidden[BATCH * HIDDEN];
	float logits[VOCAB];
	struct mlcc_diag d;
	mlcc_state *st = NULL;

	if (mlcc_state_new(c->pf[0], c->pfn, &st, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "%s: %s\n", what, d.message);
		return;
	}
	for (; pos + BATCH <= L; pos += BATCH) {
		for (int i = 0; i < BATCH; i++)
			tok[i] = (int32_t)json_integer_value(
				json_array_get(prompt, (size_t)(pos + i)));
		if (embed(c, tok, BATCH, hidden) || ffn(c, pos, BATCH, hidden, st))
			goto fail;
	}
	for (; pos < L - 1; pos++) {
		tok[0] = (int32_t)json_integer_value(json_array_get(prompt, (size_t)pos));
		if (embed(c, tok, 1, hidden) || ffn(c, pos, 1, hidden, st))
			goto fail;
	}
	tok[0] = (int32_t)json_integer_value(json_array_get(prompt, (size_t)(L - 1)));
	for (size_t s = 0; s < json_array_size(steps); s++, pos++) {
		json_t *step = json_array_get(steps, s);
		CHECK(json_integer_value(json_object_get(step, "pos")) == pos);
		CHECK(json_integer_value(json_array_get(json_object_get(step, "tokens"), 0)) ==
		      tok[0]);
		if (embed(c, tok, 1, hidden) || ffn(c, pos, 1, hidden, st) ||
		    lm_head(c, hidden, logits))
			goto fail;
		tok[0] = check_logits(what, step, logits);
	}
	mlcc_state_free(st);
	return;
fail:
	tk_failures++;
	fprintf(stderr, "%s: prediction failed at pos %d\n", what, pos);
	mlcc_state_free(st);
}

/* ---- monolithic ------------------------------------------------------------------ */

static int mono_step(mlcc_model *m, const char *fn, const int32_t *tok, int pos, int n,
		     mlcc_state *st, int32_t *idx, float *val)
{
	int64_t is[2] = {1, n}, ps[1] = {n}, ms[4] = {1, 1, n, CTX}, cs[1] = {1};
	int32_t posids[BATCH], cur = pos;
	uint16_t mask[BATCH * CTX];
	struct mlcc_prediction p;

	for (int i = 0; i < n; i++)
		posids[i] = pos + i;
	mask_rows(mask, pos, n);
	struct mlcc_tensor in[4] = {
		tensor("input_ids", MLCC_INT32, 2, is, (void *)tok),
		tensor("position_ids", MLCC_INT32, 1, ps, posids),
		tensor("causal_mask", MLCC_FLOAT16, 4, ms, mask),
		tensor("current_pos", MLCC_INT32, 1, cs, &cur),
	};
	if (predict(m, fn, in, 4, st, &p) != MLCC_OK)
		return -1;
	const struct mlcc_tensor *ti = output(&p, "argmax_idx"), *tv = output(&p, "argmax_val");
	if (idx && ti && tv && mlcc_tensor_count(ti) == SPLITS && mlcc_tensor_count(tv) == SPLITS)
		for (int s = 0; s < SPLITS; s++) {
			idx[s] = ((const int32_t *)ti->data)[s];
			val[s] = k_h2f(((const uint16_t *)tv->data)[s]);
		}
	else if (idx)
		CHECK(!"argmax outputs missing");
	mlcc_prediction_free(&p);
	return 0;
}

static int check_mono(const char *what, json_t *step, const int32_t *idx, const float *val)
{
	json_t *ri = json_object_get(step, "argmax_idx"), *rv = json_object_get(step, "argmax_val");
	int want = (int)json_integer_value(json_object_get(step, "argmax")), best = 0;
	bool same = json_array_size(ri) == SPLITS && json_array_size(rv) == SPLITS;
	double md = 0;

	for (int s = 0; same && s < SPLITS; s++) {
		same = json_integer_value(json_array_get(ri, (size_t)s)) == idx[s];
		double d = fabs(json_number_value(json_array_get(rv, (size_t)s)) - val[s]);
		md = d > md ? d : md;
		if (val[s] > val[best])
			best = s;
	}
	max_diff = md > max_diff ? md : max_diff;
	int got = idx[best] + best * (VOCAB / SPLITS);
	if (!same || got != want || md > LOGIT_TOL) {
		tk_failures++;
		fprintf(stderr,
			"%s pos %lld: token %d (want %d), split indices %s, max |val diff| %.3g\n",
			what, (long long)json_integer_value(json_object_get(step, "pos")), got,
			want, same ? "same" : "DIFFER", md);
	}
	return got;
}

/* 'm' runs 'inf' (one token) and 'pm' runs 'pfn' (batches): the combined
** model's functions, or the separate infer and prefill models' `main`. */
static void run_mono(const char *what, mlcc_model *m, const char *inf, mlcc_model *pm,
		     const char *pfn, json_t *ref)
{
	json_t *prompt = json_object_get(ref, "prompt"), *steps = json_object_get(ref, "steps");
	int L = (int)json_array_size(prompt), pos = 0;
	int32_t tok[BATCH], idx[SPLITS];
	float val[SPLITS];
	struct mlcc_diag d;
	mlcc_state *st = NULL;

	if (mlcc_state_new(pm, pfn, &st, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "%s: %s\n", what, d.message);
		return;
	}
	for (; pos + BATCH <= L; pos += BATCH) {
		for (int i = 0; i < BATCH; i++)
			tok[i] = (int32_t)json_integer_value(
				json_array_get(prompt, (size_t)(pos + i)));
		if (mono_step(pm, pfn, tok, pos, BATCH, st, NULL, NULL))
			goto fail;
	}
	for (; pos < L - 1; pos++) {
		tok[0] = (int32_t)json_integer_value(json_array_get(prompt, (size_t)pos));
		if (mono_step(m, inf, tok, pos, 1, st, NULL, NULL))
			goto fail;
	}
	tok[0] = (int32_t)json_integer_value(json_array_get(prompt, (size_t)(L - 1)));
	for (size_t s = 0; s < json_array_size(steps); s++, pos++) {
		json_t *step = json_array_get(steps, s);
		CHECK(json_integer_value(json_object_get(step, "pos")) == pos);
		if (mono_step(m, inf, tok, pos, 1, st, idx, val))
			goto fail;
		tok[0] = check_mono(what, step, idx, val);
	}
	mlcc_state_free(st);
	return;
fail:
	tk_failures++;
	fprintf(stderr, "%s: prediction failed at pos %d\n", what, pos);
	mlcc_state_free(st);
}

/* ---- driver ---------------------------------------------------------------------- */

static mlcc_model *load(const char *dir, const char *name, const char *ext)
{
	char path[4096];
	struct mlcc_diag d;
	struct mlcc_load_options o = {2, NULL, NULL};
	mlcc_model *m = NULL;

	snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
	if (mlcc_model_load(path, &o, &m, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "load %s: %s\n", path, d.message);
	}
	return m;
}

/* Compile every package of 'set' into 'out'. */
static void compile_set(const char *set, const char *out, int *ok, int *all)
{
	char **list = tk_list(set);

	for (size_t i = 0; list && list[i]; i++) {
		const char *e = strstr(list[i], ".mlpackage/Manifest.json");
		if (e == NULL || e[strlen(".mlpackage/Manifest.json")] != '\0')
			continue;
		char pkg[4096];
		struct mlcc_compile_options o = {0};
		struct mlcc_compile_result r;
		struct mlcc_diag d;
		snprintf(pkg, sizeof pkg, "%s/%.*s.mlpackage", set, (int)(e - list[i]), list[i]);
		o.input = pkg;
		o.output_dir = out;
		(*all)++;
		if (mlcc_compile(&o, &r, &d) == MLCC_OK) {
			(*ok)++;
			mlcc_compile_result_free(&r);
		} else {
			tk_failures++;
			fprintf(stderr, "compile %s: %s\n", pkg, d.message);
		}
	}
	tk_free_list(list);
}

static json_t *reference(const char *corpus, const char *set, const char *prompt)
{
	char path[4096];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof path, "%s/generated/anemll-tiny/reference/%s/%s.dequantized-lut.json",
		 corpus, set, prompt);
	if ((j = json_load_file(path, 0, &e)) == NULL) {
		tk_failures++;
		fprintf(stderr, "%s: %s\n", path, e.text);
	}
	return j;
}

int main(int argc, char **argv)
{
	static const char *const prompts[] = {"p5", "p12", "p1"};
	int status, ok = 0, all = 0, runs = 0;
	const char *corpus = tk_corpus("test_anemll", &status);
	char chunked[4096], mono[4096], what[256];

	(void)argc;
	(void)argv;
	if (corpus == NULL)
		return status;
	snprintf(chunked, sizeof chunked, "%s/generated/anemll-tiny/chunked", corpus);
	snprintf(mono, sizeof mono, "%s/generated/anemll-tiny/monolithic", corpus);
	char *tmp = tk_tmpdir();
	compile_set(chunked, tmp, &ok, &all);
	compile_set(mono, tmp, &ok, &all);
	printf("anemll compiled %d/%d\n", ok, all);
	for (int form = 0; form < 2; form++) {
		const char *ext = form ? "mlmodelc" : "mlpackage";
		const char *cdir = form ? tmp : chunked, *mdir = form ? tmp : mono;
		mlcc_model *emb = load(cdir, "llama_embeddings", ext);
		mlcc_model *lm = load(cdir, "llama_lm_head_lut6", ext);
		mlcc_model *pf1 = load(cdir, "llama_FFN_PF_lut6_chunk_01of02", ext);
		mlcc_model *pf2 = load(cdir, "llama_FFN_PF_lut6_chunk_02of02", ext);
		mlcc_model *f1 = load(cdir, "llama_FFN_lut6_chunk_01of02", ext);
		mlcc_model *f2 = load(cdir, "llama_FFN_lut6_chunk_02of02", ext);
		mlcc_model *p1 = load(cdir, "llama_prefill_lut6_chunk_01of02", ext);
		mlcc_model *p2 = load(cdir, "llama_prefill_lut6_chunk_02of02", ext);
		mlcc_model *mfull = load(mdir, "llama_monolithic_full_lut4", ext);
		mlcc_model *minf = load(mdir, "llama_monolithic_lut4", ext);
		mlcc_model *mpf = load(mdir, "llama_monolithic_prefill_lut4", ext);
		/* the combined chunks, then the separate FFN + prefill packages */
		struct chunked sets[2] = {{emb, {pf1, pf2}, {pf1, pf2}, lm, "infer", "prefill"},
					  {emb, {f1, f2}, {p1, p2}, lm, NULL, NULL}};
		for (int i = 0; i < 3; i++) {
			json_t *rc = reference(corpus, "chunked", prompts[i]);
			json_t *rm = reference(corpus, "monolithic", prompts[i]);
			int before = tk_failures;
			for (int k = 0; k < 2 && rc; k++) {
				struct chunked *c = &sets[k];
				if (!c->emb || !c->ffn[0] || !c->ffn[1] || !c->pf[0] || !c->pf[1] ||
				    !c->lm)
					continue;
				snprintf(what, sizeof what, "chunked %s %s %s",
					 k ? "separate" : "combined", ext, prompts[i]);
				run_chunked(what, c, rc);
				runs++;
			}
			if (rm && mfull) {
				snprintf(what, sizeof what, "monolithic combined %s %s", ext,
					 prompts[i]);
				run_mono(what, mfull, "infer", mfull, "prefill", rm);
				runs++;
			}
			if (rm && minf && mpf) {
				snprintf(what, sizeof what, "monolithic separate %s %s", ext,
					 prompts[i]);
				run_mono(what, minf, NULL, mpf, NULL, rm);
				runs++;
			}
			printf("%s %s: %s\n", ext, prompts[i],
			       tk_failures == before ? "ok" : "FAIL");
			json_decref(rc);
			json_decref(rm);
		}
		mlcc_model *all[] = {emb, lm, pf1, pf2, f1, f2, p1, p2, mfull, minf, mpf};
		for (size_t i = 0; i < sizeof all / sizeof *all; i++)
			mlcc_model_free(all[i]);
	}
	tk_rm_rf(tmp);
	free(tmp);
	printf("anemll runs %d, max |logit diff| %.3g (tolerance %.0e), failures %d\n", runs,
	       max_diff, LOGIT_TOL, tk_failures);
	return tk_failures ? 1 : 0;
}
