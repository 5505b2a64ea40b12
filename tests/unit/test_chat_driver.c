/*
** test_chat_driver.c -- the generation flow of src/chat/chat.c against a
** mock runtime: this file defines the runtime entry points of mlcc.h
** (mlcc_model_load, mlcc_predict, ...) with toy models whose behaviour is
** known in closed form, so the test checks what the driver feeds each
** part and what it makes of the answers, independently of the real CPU
** runtime:
**   embeddings  input_ids [1,k] -> hidden_states [1,k,2] = (token, 0)
**   FFN chunk   checks position_ids = p..p+k-1, current_pos = [p], the
**               causal-mask rows p..p+k-1 (0 up to the row's position,
**               -inf after), one shared state; adds the position to h[1]
**   LM head     hidden [1,1,2] -> logits1, logits2 [1,1,V/2]: all 0 but
**               1.0 at (3*h0 + h1) mod V
**   monolithic  the same in one model, with argmax_idx/argmax_val pairs
** With two chunks, next = (3*token + 2*pos) mod V: the expected sequences
** below are computed from that rule by hand.  The call log proves the
** batching: full batches through prefill, the rest through infer.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mlcc.h"
#include "testkit.h"

#define V 16 /* vocabulary */
#define CTX 16

enum kind { EMB, FFN, HEAD, MONO };

struct mlcc_model {
	enum kind kind;
	int rot; /* has infer_rotate/prefill_rotate (path holds "rot") */
};

struct mlcc_state {
	int uses;
};

static char calls[4096];
static const mlcc_state *seen_state;
static int mock_errors;

static void logf_(const char *fmt, int a, int b)
{
	size_t n = strlen(calls);

	snprintf(calls + n, sizeof calls - n, fmt, a, b);
}

int mlcc_model_load(const char *path, const struct mlcc_load_options *o, mlcc_model **m,
		    struct mlcc_diag *d)
{
	struct mlcc_model *x = calloc(1, sizeof *x);

	(void)o;
	(void)d;
	x->rot = strstr(path, "rot") != NULL;
	x->kind = strstr(path, "embeddings") ? EMB
		  : strstr(path, "lm_head")  ? HEAD
		  : strstr(path, "mono")     ? MONO
					     : FFN;
	*m = x;
	return MLCC_OK;
}

void mlcc_model_free(mlcc_model *m)
{
	free(m);
}

static const char *const fns[] = {"infer", "prefill", "infer_rotate", "prefill_rotate"};

size_t mlcc_model_function_count(const mlcc_model *m)
{
	return m->kind == FFN || m->kind == MONO ? (m->rot ? 4 : 2) : 1;
}

const char *mlcc_model_function_name(const mlcc_model *m, size_t i)
{
	return m->kind == FFN || m->kind == MONO ? fns[i] : "main";
}

const char *mlcc_model_default_function(const mlcc_model *m)
{
	return mlcc_model_function_name(m, 0);
}

static const struct mlcc_feature no_inputs[1] = {{"x", MLCC_FLOAT16, 0, {0}}};

int mlcc_model_signature(const mlcc_model *m, const char *fn, struct mlcc_signature *s,
			 struct mlcc_diag *d)
{
	(void)m;
	(void)d;
	memset(s, 0, sizeof *s);
	s->function = fn;
	s->ninputs = 1;
	s->inputs = no_inputs; /* no update_mask */
	return MLCC_OK;
}

int mlcc_state_new(const mlcc_model *m, const char *fn, mlcc_state **s, struct mlcc_diag *d)
{
	(void)d;
	CHECK(m->kind == FFN || m->kind == MONO);
	CHECK(fn && strcmp(fn, "prefill") == 0);
	*s = calloc(1, sizeof **s);
	seen_state = *s;
	return MLCC_OK;
}

void mlcc_state_free(mlcc_state *s)
{
	free(s);
}

static float h2f(uint16_t h)
{
	int e = (h >> 10) & 0x1F;
	float v =
		e ? ldexpf((float)((h & 0x3FF) | 0x400), e - 25) : ldexpf((float)(h & 0x3FF), -24);

	return (h & 0x8000) ? -v : v;
}

/* Small whole numbers and 1.0 only. */
static uint16_t f2h(float f)
{
	int v = (int)f, e = 0;

	if (v == 0)
		return 0;
	while ((v >> e) > 1)
		e++;
	return (uint16_t)((e + 15) << 10 | ((v << (10 - e)) & 0x3FF));
}

static const struct mlcc_tensor *in(const struct mlcc_tensor *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	mock_errors++;
	fprintf(stderr, "mock: no input %s\n", name);
	return NULL;
}

struct owned {
	struct mlcc_tensor t[8];
	void *data[8];
};

static struct mlcc_tensor *out(struct mlcc_prediction *p, const char *name, enum mlcc_dtype dt,
			       int rank, const int64_t *shape, size_t bytes)
{
	struct owned *o = p->internal;
	struct mlcc_tensor *t;

	if (!o)
		p->internal = o = calloc(1, sizeof *o);
	t = &o->t[p->noutputs];
	t->name = name;
	t->dtype = dt;
	t->rank = rank;
	memcpy(t->shape, shape, (size_t)rank * sizeof *shape);
	t->data = o->data[p->noutputs] = calloc(1, bytes);
	p->outputs = o->t;
	p->noutputs++;
	return t;
}

/* position_ids, current_pos and the mask rows of a call at p..p+k-1. */
static int check_positions(const struct mlcc_tensor *t, size_t n, int *k)
{
	const struct mlcc_tensor *pos = in(t, n, "position_ids"), *cur = in(t, n, "current_pos");
	const struct mlcc_tensor *mask = in(t, n, "causal_mask");
	int p;

	if (!pos || !cur || !mask)
		return -1;
	p = ((const int32_t *)cur->data)[0];
	*k = (int)pos->shape[0];
	CHECK(mask->rank == 4 && mask->shape[2] == *k && mask->shape[3] == CTX);
	for (int r = 0; r < *k; r++) {
		CHECK(((const int32_t *)pos->data)[r] == p + r);
		for (int c = 0; c < CTX; c++) {
			uint16_t v = ((const uint16_t *)mask->data)[r * CTX + c];
			CHECK(v == (c <= p + r ? 0x0000 : 0xFC00));
		}
	}
	return p;
}

static void head_logits(struct mlcc_prediction *pr, float h0, float h1)
{
	int t = ((int)(3 * h0 + h1)) % V;
	uint16_t *l1 = out(pr, "logits1", MLCC_FLOAT16, 3, (int64_t[]){1, 1, V / 2}, V)->data;
	uint16_t *l2 = out(pr, "logits2", MLCC_FLOAT16, 3, (int64_t[]){1, 1, V / 2}, V)->data;

	(t < V / 2 ? l1 : l2)[t % (V / 2)] = 0x3C00;
}

int mlcc_predict(mlcc_model *m, const char *fn, const struct mlcc_tensor *t, size_t n,
		 mlcc_state *s, struct mlcc_prediction *pr, struct mlcc_diag *d)
{
	int k = 0, p;

	(void)d;
	memset(pr, 0, sizeof *pr);
	if (m->kind == EMB) {
		const int32_t *ids = in(t, n, "input_ids")->data;
		int64_t len = t[0].shape[1];
		uint16_t *h = out(pr, "hidden_states", MLCC_FLOAT16, 3, (int64_t[]){1, len, 2},
				  (size_t)len * 4)
				      ->data;
		for (int64_t i = 0; i < len; i++)
			h[2 * i] = f2h((float)ids[i]);
		logf_("E%d%.0d ", (int)len, 0);
		return MLCC_OK;
	}
	if (m->kind == HEAD) {
		const uint16_t *h = in(t, n, "hidden_states")->data;
		head_logits(pr, h2f(h[0]), h2f(h[1]));
		logf_("H%.0d%.0d ", 0, 0);
		return MLCC_OK;
	}
	CHECK(s != NULL && s == seen_state);
	if ((p = check_positions(t, n, &k)) < 0)
		return MLCC_E_USAGE;
	logf_(strcmp(fn, "prefill") == 0	  ? "P%d/%d "
	      : strcmp(fn, "infer") == 0	  ? "I%d/%d "
	      : strcmp(fn, "prefill_rotate") == 0 ? "Q%d/%d "
						  : "R%d/%d ",
	      p, k);
	if (m->kind == MONO) {
		const int32_t *ids = in(t, n, "input_ids")->data;
		int32_t *idx;
		uint16_t *val;
		int tok = (3 * ids[k - 1] + 2 * (p + k - 1)) % V;
		if (strcmp(fn, "prefill") == 0)
			return MLCC_OK;
		idx = out(pr, "argmax_idx", MLCC_INT32, 1, (int64_t[]){2}, 8)->data;
		val = out(pr, "argmax_val", MLCC_FLOAT16, 1, (int64_t[]){2}, 4)->data;
		idx[0] = tok < V / 2 ? tok : 3;
		idx[1] = tok >= V / 2 ? tok - V / 2 : 5;
		val[tok < V / 2 ? 0 : 1] = 0x3C00;
		val[tok < V / 2 ? 1 : 0] = 0x3800; /* 0.5 */
		return MLCC_OK;
	}
	const struct mlcc_tensor *hin = in(t, n, "hidden_states");
	CHECK(hin->shape[1] == k);
	uint16_t *h = out(pr, "output_hidden_states", MLCC_FLOAT16, 3, (int64_t[]){1, k, 2},
			  (size_t)k * 4)
			      ->data;
	for (int i = 0; i < k; i++) {
		const uint16_t *hi = (const uint16_t *)hin->data + 2 * i;
		h[2 * i] = hi[0];
		h[2 * i + 1] = f2h(h2f(hi[1]) + (float)(p + i));
	}
	return MLCC_OK;
}

void mlcc_prediction_free(struct mlcc_prediction *pr)
{
	struct owned *o = pr->internal;

	for (size_t i = 0; o && i < pr->noutputs; i++)
		free(o->data[i]);
	free(o);
	memset(pr, 0, sizeof *pr);
}

/* ---- the tests ------------------------------------------------------------- */

static char *dir;

struct got {
	int32_t ids[64];
	size_t n;
	int with_logits;
};

static int on_token(void *ctx, int32_t token, const float *logits, size_t n)
{
	struct got *g = ctx;

	g->ids[g->n++] = token;
	if (logits && n == V && logits[token] == 1.0f)
		g->with_logits++;
	return 0;
}

static void make(const char *name)
{
	char p[512];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	CHECK(mkdir(p, 0777) == 0);
}

static void write_meta(const char *name, const char *body)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(body, f);
	fclose(f);
}

static mlcc_chat *open_chat(const char *meta, const struct mlcc_chat_options *base)
{
	struct mlcc_chat_options o = base ? *base : (struct mlcc_chat_options){0};
	char p[512];
	struct mlcc_diag d;
	mlcc_chat *c = NULL;

	snprintf(p, sizeof p, "%s/%s", dir, meta);
	o.meta = p;
	if (mlcc_chat_load(&o, &c, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "load: %s\n", d.message);
	}
	return c;
}

static void expect(const struct got *g, const int32_t *want, size_t n, const char *what)
{
	if (g->n != n || memcmp(g->ids, want, n * sizeof *want) != 0) {
		tk_failures++;
		fprintf(stderr, "%s: got", what);
		for (size_t i = 0; i < g->n; i++)
			fprintf(stderr, " %d", (int)g->ids[i]);
		fprintf(stderr, "\n");
	}
}

static void expect_calls(const char *want, const char *what)
{
	if (strcmp(calls, want) != 0) {
		tk_failures++;
		fprintf(stderr, "%s calls:\n  got  %s\n  want %s\n", what, calls, want);
	}
	calls[0] = '\0';
}

static void test_chunked(void)
{
	static const int32_t p10[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct mlcc_diag d;
	struct mlcc_chat_stats st;
	struct got g = {0};
	mlcc_chat *c;

	write_meta("c.yaml", "model_info:\n  parameters:\n    context_length: 16\n"
			     "    batch_size: 4\n    num_chunks: 2\n    model_prefix: t\n"
			     "    lut_ffn: 6\n    lut_lmhead: none\n    lut_embeddings: none\n"
			     "    prefill_dynamic_slice: true\n");
	make("t_embeddings.mlpackage");
	make("t_lm_head.mlmodelc");
	make("t_FFN_PF_lut6_chunk_01of02.mlmodelc");
	make("t_FFN_PF_lut6_chunk_02of02.mlpackage");
	if (!(c = open_chat("c.yaml", NULL)))
		return;
	CHECK(mlcc_chat_context_length(c) == 16 && mlcc_chat_batch_size(c) == 4);
	/* 10 tokens, batch 4: prefill at 0 and 4, infer at 8; then position
	** 9 (token 10) gives (30 + 18) % 16 = 0, then (0 + 20) % 16 = 4,
	** (12 + 22) % 16 = 2. */
	CHECK(mlcc_chat_generate(c, p10, 10, 3, NULL, NULL, 0, on_token, &g, &st, &d) == MLCC_OK);
	static const int32_t w1[] = {0, 4, 2};
	expect(&g, w1, 3, "chunked greedy");
	CHECK(g.with_logits == 3);
	CHECK(st.prefill_tokens == 10 && st.decode_tokens == 2);
	expect_calls("E4 P0/4 P0/4 E4 P4/4 P4/4 E1 I8/1 I8/1 E1 I9/1 I9/1 H E1 I10/1 I10/1 H E1 "
		     "I11/1 I11/1 H ",
		     "chunked");
	/* eos 4 stops after it (it is reported); a prompt of 4 is one batch
	** and its last token goes through infer again: 3*4+2*3 = 18 % 16 = 2,
	** then 3*2+8 = 14, then 3*14+10 = 52 % 16 = 4 (eos). */
	memset(&g, 0, sizeof g);
	int32_t eos = 4;
	CHECK(mlcc_chat_generate(c, p10, 4, 0, NULL, &eos, 1, on_token, &g, &st, &d) == MLCC_OK);
	static const int32_t w2[] = {2, 14, 4};
	expect(&g, w2, 3, "chunked eos");
	expect_calls("E4 P0/4 P0/4 E1 I3/1 I3/1 H E1 I4/1 I4/1 H E1 I5/1 I5/1 H ", "one batch");
	/* No limit: the context (16) ends it after 16 - 1 - 10 = 5 tokens. */
	memset(&g, 0, sizeof g);
	CHECK(mlcc_chat_generate(c, p10, 10, 0, NULL, NULL, 0, on_token, &g, &st, &d) == MLCC_OK);
	CHECK(g.n == 5);
	calls[0] = '\0';
	/* Too long a prompt. */
	int32_t big[16] = {0};
	CHECK(mlcc_chat_generate(c, big, 16, 0, NULL, NULL, 0, NULL, NULL, NULL, &d) ==
	      MLCC_E_USAGE);
	if (strcmp(d.message, "the prompt has 16 tokens; the context holds 16, so at most 15") !=
	    0) {
		tk_failures++;
		fprintf(stderr, "long prompt: %s\n", d.message);
	}
	/* Sampling with a seed is repeatable; temperature ~0 is the argmax. */
	struct mlcc_chat_sampling s = {0.01, 0, 1.0, 42};
	memset(&g, 0, sizeof g);
	CHECK(mlcc_chat_generate(c, p10, 10, 3, &s, NULL, 0, on_token, &g, &st, &d) == MLCC_OK);
	expect(&g, w1, 3, "near-greedy sampling");
	struct got g2 = {0}, g3 = {0};
	s.temperature = 50;
	CHECK(mlcc_chat_generate(c, p10, 10, 4, &s, NULL, 0, on_token, &g2, &st, &d) == MLCC_OK);
	CHECK(mlcc_chat_generate(c, p10, 10, 4, &s, NULL, 0, on_token, &g3, &st, &d) == MLCC_OK);
	CHECK(g2.n == 4 && memcmp(g2.ids, g3.ids, sizeof g2.ids) == 0);
	/* top_k 1 is the argmax at any temperature. */
	s.top_k = 1;
	memset(&g, 0, sizeof g);
	CHECK(mlcc_chat_generate(c, p10, 10, 3, &s, NULL, 0, on_token, &g, &st, &d) == MLCC_OK);
	expect(&g, w1, 3, "top-k 1");
	calls[0] = '\0';
	mlcc_chat_free(c);
}

static void test_monolithic(void)
{
	static const int32_t p5[] = {1, 15, 7, 3, 5};
	struct mlcc_diag d;
	struct got g = {0};
	mlcc_chat *c;

	write_meta("m.yaml", "model_info:\n  model_type: monolithic\n  parameters:\n"
			     "    context_length: 16\n    batch_size: 4\n"
			     "    monolithic_model: t_mono_full_lut4.mlmodelc\n"
			     "    argmax_in_model: true\n    lm_head_chunk_sizes: [8, 8]\n"
			     "    update_mask_prefill: true\n");
	make("t_mono_full_lut4.mlpackage");
	if (!(c = open_chat("m.yaml", NULL)))
		return;
	/* One model adds the position once: next = (3*t + 2*pos) % 16 as
	** the mock computes it: 3*5+8 = 23 % 16 = 7; 21+10 = 31 % 16 = 15;
	** 45+12 = 57 % 16 = 9 (argmax pairs: split 1, local 1 -> 8+1). */
	CHECK(mlcc_chat_generate(c, p5, 5, 3, NULL, NULL, 0, on_token, &g, NULL, &d) == MLCC_OK);
	static const int32_t w[] = {7, 15, 9};
	expect(&g, w, 3, "monolithic");
	CHECK(g.with_logits == 0);
	expect_calls("P0/4 I4/1 I5/1 I6/1 ", "monolithic");
	mlcc_chat_free(c);
}

/* Without prefill_dynamic_slice or update_mask_prefill in meta.yaml the
** whole prompt goes through infer (chat.py's single-token mode). */
static void test_single_token(void)
{
	static const int32_t p5[] = {1, 2, 3, 4, 5};
	struct mlcc_diag d;
	struct got g = {0};
	mlcc_chat *c;

	write_meta("s.yaml", "model_info:\n  parameters:\n    context_length: 16\n"
			     "    batch_size: 4\n    num_chunks: 2\n    model_prefix: t\n"
			     "    lut_ffn: 6\n    lut_lmhead: none\n    lut_embeddings: none\n");
	if (!(c = open_chat("s.yaml", NULL)))
		return;
	/* 3*5 + 2*4 = 23 % 16 = 7. */
	CHECK(mlcc_chat_generate(c, p5, 5, 1, NULL, NULL, 0, on_token, &g, NULL, &d) == MLCC_OK);
	static const int32_t w[] = {7};
	expect(&g, w, 1, "single token");
	expect_calls("E1 I0/1 I0/1 E1 I1/1 I1/1 E1 I2/1 I2/1 E1 I3/1 I3/1 E1 I4/1 I4/1 H ",
		     "single token");
	mlcc_chat_free(c);
}

/* Rotate functions from the sliding window on (one chunk: next =
** (3*token + pos) % 16). */
static void test_rotate(void)
{
	static const int32_t p12[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct mlcc_diag d;
	struct got g = {0};
	mlcc_chat *c;

	write_meta("r.yaml", "model_info:\n  parameters:\n    context_length: 16\n"
			     "    batch_size: 4\n    sliding_window: 8\n"
			     "    embeddings: t_embeddings\n    lm_head: t_lm_head\n"
			     "    ffn: rot_FFN_PF_chunk_01of01\n    prefill_dynamic_slice: true\n");
	make("rot_FFN_PF_chunk_01of01.mlmodelc");
	if (!(c = open_chat("r.yaml", NULL)))
		return;
	/* Batches at 0 and 4 (prefill), the infer at 8 and the steps at 9,
	** 10 rotate: 3*10+9 = 39 % 16 = 7, then 21+10 = 31 % 16 = 15. */
	CHECK(mlcc_chat_generate(c, p12, 10, 2, NULL, NULL, 0, on_token, &g, NULL, &d) == MLCC_OK);
	static const int32_t w[] = {7, 15};
	expect(&g, w, 2, "rotate");
	expect_calls("E4 P0/4 E4 P4/4 E1 R8/1 E1 R9/1 H E1 R10/1 H ", "rotate");
	/* A batch at 8 is prefill_rotate: 3*12 + 11 = 47 % 16 = 15. */
	memset(&g, 0, sizeof g);
	CHECK(mlcc_chat_generate(c, p12, 12, 1, NULL, NULL, 0, on_token, &g, NULL, &d) == MLCC_OK);
	static const int32_t w2[] = {15};
	expect(&g, w2, 1, "prefill rotate");
	expect_calls("E4 P0/4 E4 P4/4 E4 Q8/4 E1 R11/1 H ", "prefill rotate");
	mlcc_chat_free(c);
}

int main(void)
{
	if (!(dir = tk_tmpdir()))
		return 1;
	test_chunked();
	test_monolithic();
	test_single_token();
	test_rotate();
	CHECK(mock_errors == 0);
	tk_rm_rf(dir);
	free(dir);
	if (tk_failures)
		fprintf(stderr, "test_chat_driver: %d failure(s)\n", tk_failures);
	return tk_failures ? 1 : 0;
}
