/*
** chat.c -- ANEMLL language models generating text on mlcc's CPU runtime.
**
** Runs the parts through the public runtime API only (mlcc_model_load,
** mlcc_state_*, mlcc_predict), the way ANEMLL's tests/chat.py does:
**   chunked     embeddings -> every FFN chunk -> LM head; the FFN chunks
**               are multi-function (`infer`, `prefill`: FFN_PF) or a pair
**               of packages (FFN + separate prefill chunks, --pf)
**   monolithic  one model whose `infer` / `prefill` take input_ids and
**               give logits1..S or, with argmax in the model, the per-
**               split argmax_idx/argmax_val pairs
** One KV state, made from the first chunk's prefill function (infer when
** there is none), serves every chunk and function.  The causal mask is
** the [ctx, ctx] fp16 matrix with 0 where column <= row and -inf above;
** a call covering positions p..p+k-1 gets rows p..p+k-1 (made per call),
** position_ids = p..p+k-1 and current_pos = [p].
** Generation (mlcc_chat_generate): the prompt's full batches go through
** `prefill` (when meta.yaml allows batches: prefill_dynamic_slice or
** update_mask_prefill), the rest of the prompt but its last token through
** `infer`;
** then each step feeds the newest token at position len-1 through
** `infer` and the head and picks the next token -- the first step so
** handles the prompt's last token, as chat.py's generate_next_token does
** (it re-runs that token, which writes the same cache entries again).
*/
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/diag.h"
#include "chat/meta.h"

#define CHAT_MAX_CONTEXT (1 << 20)

struct ffn_chunk {
	mlcc_model *infer_model;   /* the chunk's infer function lives here */
	const char *infer_fn;	   /* NULL: the default function */
	mlcc_model *prefill_model; /* NULL: no prefill; may be infer_model */
	const char *prefill_fn;
	/* Gemma 3's cache-rotating variants (positions >= the sliding
	** window), in the same models; NULL when absent. */
	const char *infer_rotate_fn, *prefill_rotate_fn;
};

struct mlcc_chat {
	bool monolithic, argmax_in_model;
	mlcc_model *embed, *lmhead, *mono;
	struct ffn_chunk *chunks;
	size_t nchunks;
	mlcc_model **owned; /* every loaded model, for freeing */
	size_t nowned;
	int ctx, batch;
	int window;		     /* sliding window: rotate functions from here; 0: none */
	int mask_w;		     /* causal-mask width (attention_size, else ctx) */
	bool single_token;	     /* meta.yaml allows no batched prefill */
	int splits[META_MAX_SPLITS]; /* lm_head_chunk_sizes, for argmax pairs */
	size_t nsplits;
	int vocab; /* vocab_size (0: unknown), to size splits not listed */
	mlcc_state *state;
};

/* The out-of-memory failure. */
static int nomem(struct mlcc_diag *d)
{
	return diag_fail(d, MLCC_E_NOMEM, "out of memory");
}

/* Seconds on the monotonic clock. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* IEEE binary16 bits to float. */
static float half_to_float(uint16_t h)
{
	int e = (h >> 10) & 0x1F;
	float m = (float)(h & 0x3FF), v;

	if (e == 0)
		v = ldexpf(m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexpf(m + 1024.0f, e - 25);
	return (h & 0x8000) ? -v : v;
}

/* ---- loading --------------------------------------------------------------- */

/* Whether model 'm' has a function called 'name'. */
static bool has_function(const mlcc_model *m, const char *name)
{
	for (size_t i = 0; i < mlcc_model_function_count(m); i++)
		if (strcmp(mlcc_model_function_name(m, i), name) == 0)
			return true;
	return false;
}

/* The declared input 'name' of 'fn', or NULL. */
static const struct mlcc_feature *input_of(const mlcc_model *m, const char *fn, const char *name)
{
	struct mlcc_signature s;
	struct mlcc_diag d;

	if (mlcc_model_signature(m, fn, &s, &d) != MLCC_OK)
		return NULL;
	for (size_t i = 0; i < s.ninputs; i++)
		if (strcmp(s.inputs[i].name, name) == 0)
			return &s.inputs[i];
	return NULL;
}

/* Load the part at 'path' into '*m' and keep it in c->owned for freeing. */
static int load_one(mlcc_chat *c, const char *path, const struct mlcc_chat_options *o,
		    mlcc_model **m, struct mlcc_diag *d)
{
	struct mlcc_load_options lo = {o->threads, o->on_event, o->event_ctx};
	int rc;

	/* A model loaded twice (FFN_PF infer and prefill) is one model with
	** two functions here, so each path is loaded once by its caller. */
	if ((rc = mlcc_model_load(path, &lo, m, d)) != MLCC_OK)
		return rc;
	c->owned[c->nowned++] = *m;
	return MLCC_OK;
}

/* The name of a part: the option, else meta.yaml's key, else chat.py's
** default built from the prefix and LUT bits. */
static const char *part_name(const char *opt, const char *meta, char *buf, size_t cap,
			     const char *fmt, const struct chat_meta *m, int lut)
{
	char lutbuf[16] = "";

	if (opt)
		return opt;
	if (meta)
		return meta;
	if (lut)
		snprintf(lutbuf, sizeof lutbuf, "_lut%d", lut);
	snprintf(buf, cap, fmt, m->prefix ? m->prefix : "llama", lutbuf,
		 m->num_chunks ? m->num_chunks : 1);
	return buf;
}

/* The rotate functions a chunk's models have. */
static void find_rotate(struct ffn_chunk *k)
{
	if (has_function(k->infer_model, "infer_rotate"))
		k->infer_rotate_fn = "infer_rotate";
	if (k->prefill_model && has_function(k->prefill_model, "prefill_rotate"))
		k->prefill_rotate_fn = "prefill_rotate";
}

/* Find every FFN chunk (and prefill chunk, 'pf') from the chunk-1 names
** 'ffn'/'pf' relative to 'dir', then load them and pick their functions. */
static int load_chunks(mlcc_chat *c, const char *dir, const char *ffn, const char *pf,
		       const struct mlcc_chat_options *o, struct mlcc_diag *d)
{
	char *first = NULL, **paths = NULL, **pfpaths = NULL;
	size_t n = 0, npf = 0;
	int rc;

	if ((rc = chat_resolve(dir, ffn, "FFN model", &first, d)) != MLCC_OK ||
	    (rc = chat_chunks(first, &paths, &n, d)) != MLCC_OK)
		goto out;
	if (pf) {
		free(first);
		first = NULL;
		if ((rc = chat_resolve(dir, pf, "prefill model", &first, d)) != MLCC_OK ||
		    (rc = chat_chunks(first, &pfpaths, &npf, d)) != MLCC_OK)
			goto out;
		if (npf != n) {
			rc = diag_fail(d, MLCC_E_USAGE, "%s: %zu prefill chunks for %zu FFN chunks",
				       first, npf, n);
			goto out;
		}
	}
	if (!(c->chunks = calloc(n, sizeof *c->chunks)) ||
	    !(c->owned = calloc(2 * n + 3, sizeof *c->owned))) {
		rc = nomem(d);
		goto out;
	}
	c->nchunks = n;
	for (size_t i = 0; i < n && rc == MLCC_OK; i++) {
		struct ffn_chunk *k = &c->chunks[i];
		if ((rc = load_one(c, paths[i], o, &k->infer_model, d)) != MLCC_OK)
			break;
		k->infer_fn = has_function(k->infer_model, "infer") ? "infer" : NULL;
		if (pfpaths) {
			rc = load_one(c, pfpaths[i], o, &k->prefill_model, d);
			if (rc == MLCC_OK)
				k->prefill_fn = has_function(k->prefill_model, "prefill")
							? "prefill"
							: NULL;
		} else if (has_function(k->infer_model, "prefill")) {
			k->prefill_model = k->infer_model;
			k->prefill_fn = "prefill";
		}
		if (rc == MLCC_OK)
			find_rotate(k);
	}
out:
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	for (size_t i = 0; pfpaths && i < npf; i++)
		free(pfpaths[i]);
	free(paths);
	free(pfpaths);
	free(first);
	return rc;
}

/* A chunked set: find the embeddings, LM head and chunks (all before any
** load), then load them. */
static int load_chunked(mlcc_chat *c, const struct chat_meta *m, const struct mlcc_chat_options *o,
			struct mlcc_diag *d)
{
	char b1[512], b2[512], b3[512], b4[512], *embed = NULL, *head = NULL;
	const char *dir = m->dir;
	int rc;

	const char *en = part_name(o->embed, m->embeddings, b1, sizeof b1, "%s_embeddings%s", m,
				   m->lut_embeddings);
	const char *hn =
		part_name(o->lmhead, m->lm_head, b2, sizeof b2, "%s_lm_head%s", m, m->lut_lmhead);
	const char *fn = part_name(o->ffn, m->ffn, b3, sizeof b3,
				   m->split_rotate ? "%s_FFN%s_chunk_01of%02d_combined"
						   : "%s_FFN_PF%s_chunk_01of%02d",
				   m, m->lut_ffn);
	const char *pn = o->pf ? o->pf : m->pf;
	if (!pn && m->split_rotate) /* FFN and prefill in separate files */
		pn = part_name(NULL, NULL, b4, sizeof b4, "%s_PF%s_chunk_01of%02d", m, m->lut_ffn);
	if (!o->meta && (!o->embed || !o->ffn || !o->lmhead))
		return diag_fail(d, MLCC_E_USAGE,
				 "chat needs meta.yaml, or the embeddings, FFN and LM head models");
	/* Every part is found before any is loaded: a missing file is named
	** at once. */
	if ((rc = chat_resolve(dir, en, "embeddings model", &embed, d)) == MLCC_OK &&
	    (rc = chat_resolve(dir, hn, "LM head model", &head, d)) == MLCC_OK &&
	    (rc = load_chunks(c, dir, fn, pn, o, d)) == MLCC_OK &&
	    (rc = load_one(c, embed, o, &c->embed, d)) == MLCC_OK)
		rc = load_one(c, head, o, &c->lmhead, d);
	free(embed);
	free(head);
	return rc;
}

/* A monolithic set: its one model and its functions. */
static int load_monolithic(mlcc_chat *c, const struct chat_meta *m,
			   const struct mlcc_chat_options *o, struct mlcc_diag *d)
{
	char buf[512], lut[16] = "";
	const char *name = o->monolithic ? o->monolithic : m->monolithic_model;
	char *path = NULL;
	int rc;

	if (!name) { /* chat.py's default name */
		if (m->lut_bits)
			snprintf(lut, sizeof lut, "_lut%d", m->lut_bits);
		snprintf(buf, sizeof buf, "%s_monolithic_full%s", m->prefix ? m->prefix : "qwen",
			 lut);
		name = buf;
	}
	if (!(c->chunks = calloc(1, sizeof *c->chunks)) ||
	    !(c->owned = calloc(1, sizeof *c->owned)))
		return nomem(d);
	if ((rc = chat_resolve(m->dir, name, "monolithic model", &path, d)) != MLCC_OK ||
	    (rc = load_one(c, path, o, &c->mono, d)) != MLCC_OK) {
		free(path);
		return rc;
	}
	free(path);
	c->monolithic = true;
	c->nchunks = 1;
	c->chunks[0].infer_model = c->mono;
	c->chunks[0].infer_fn = has_function(c->mono, "infer") ? "infer" : NULL;
	if (has_function(c->mono, "prefill")) {
		c->chunks[0].prefill_model = c->mono;
		c->chunks[0].prefill_fn = "prefill";
	}
	find_rotate(&c->chunks[0]);
	return MLCC_OK;
}

/* Context and batch: the options, else meta.yaml, else the first chunk's
** declared causal_mask width and prefill batch. */
static int settle_sizes(mlcc_chat *c, const struct chat_meta *m, const struct mlcc_chat_options *o,
			struct mlcc_diag *d)
{
	const struct ffn_chunk *k = &c->chunks[0];
	const struct mlcc_feature *f;

	c->ctx = o->context_length ? o->context_length : m->context_length;
	c->batch = o->batch_size ? o->batch_size : m->batch_size;
	if (!c->ctx && (f = input_of(k->infer_model, k->infer_fn, "causal_mask")) && f->rank == 4)
		c->ctx = (int)f->shape[3];
	if (!c->batch && k->prefill_model &&
	    (f = input_of(k->prefill_model, k->prefill_fn, "position_ids")) && f->rank == 1)
		c->batch = (int)f->shape[0];
	if (c->ctx < 2 || c->ctx > CHAT_MAX_CONTEXT)
		return diag_fail(d, MLCC_E_USAGE,
				 "context length %d: give --context-length (2 to %d)", c->ctx,
				 CHAT_MAX_CONTEXT);
	if (c->batch < 0 || c->batch > c->ctx)
		return diag_fail(d, MLCC_E_USAGE, "batch size %d does not fit the context of %d",
				 c->batch, c->ctx);
	/* Gemma 3: the mask spans attention_size; rotation from the sliding
	** window on (512 unless meta.yaml says), when the context exceeds it. */
	c->mask_w = m->attention_size > 0 && m->attention_size <= CHAT_MAX_CONTEXT
			    ? m->attention_size
			    : c->ctx;
	c->window = m->sliding_window;
	if (!c->window && m->prefix && strncmp(m->prefix, "gemma3", 6) == 0)
		c->window = 512;
	if (c->window >= c->ctx)
		c->window = 0;
	/* chat.py prefills in batches only when the converter says the
	** prefill function can take them (dynamic slice or update mask). */
	c->single_token = o->meta && !m->prefill_dynamic_slice && !m->update_mask_prefill;
	return MLCC_OK;
}

/* Rows p..p+k-1 of the causal mask, k x w fp16: 0 where column <= row,
** -inf after (made per call: the whole [ctx, w] matrix would grow with
** the square of the context). */
static void mask_rows(uint16_t *m, int p, int k, int w)
{
	for (int r = 0; r < k; r++)
		for (int col = 0; col < w; col++)
			m[(size_t)r * (size_t)w + (size_t)col] = col <= p + r ? 0x0000 : 0xFC00;
}

/* Everything mlcc_chat_load does after reading meta.yaml 'm'. */
static int chat_setup(mlcc_chat *c, const struct chat_meta *m, const struct mlcc_chat_options *o,
		      struct mlcc_diag *d)
{
	int rc;

	c->argmax_in_model = m->argmax_in_model;
	memcpy(c->splits, m->lm_head_chunk_sizes, sizeof c->splits);
	c->nsplits = m->nsplits;
	c->vocab = o->vocab_size ? o->vocab_size : m->vocab_size;
	/* Without lm_head_chunk_sizes: the vocabulary split as the
	** converters split it (the remainder spread over the first ones). */
	if (!c->nsplits && m->split_lm_head > 0 && c->vocab > 0 &&
	    m->split_lm_head <= META_MAX_SPLITS) {
		c->nsplits = (size_t)m->split_lm_head;
		for (size_t i = 0; i < c->nsplits; i++)
			c->splits[i] = c->vocab / m->split_lm_head +
				       ((int)i < c->vocab % m->split_lm_head);
	}
	if (o->monolithic || m->monolithic)
		rc = load_monolithic(c, m, o, d);
	else
		rc = load_chunked(c, m, o, d);
	if (rc == MLCC_OK)
		rc = settle_sizes(c, m, o, d);
	return rc;
}

int mlcc_chat_load(const struct mlcc_chat_options *o, mlcc_chat **chat, struct mlcc_diag *d)
{
	struct chat_meta m;
	mlcc_chat *c;
	int rc;

	diag_clear(d);
	*chat = NULL;
	memset(&m, 0, sizeof m);
	if (o->meta && (rc = chat_meta_read(o->meta, &m, d)) != MLCC_OK)
		return rc;
	if (!(c = calloc(1, sizeof *c))) {
		chat_meta_free(&m);
		return nomem(d);
	}
	rc = chat_setup(c, &m, o, d);
	chat_meta_free(&m);
	if (rc != MLCC_OK) {
		mlcc_chat_free(c);
		return rc;
	}
	*chat = c;
	return MLCC_OK;
}

void mlcc_chat_free(mlcc_chat *c)
{
	if (!c)
		return;
	mlcc_state_free(c->state);
	for (size_t i = 0; i < c->nowned; i++)
		mlcc_model_free(c->owned[i]);
	free(c->owned);
	free(c->chunks);
	free(c);
}

int mlcc_chat_context_length(const mlcc_chat *c)
{
	return c->ctx;
}

int mlcc_chat_batch_size(const mlcc_chat *c)
{
	return c->chunks[0].prefill_model ? c->batch : 0;
}

/* ---- one call through the parts ------------------------------------------- */

/* The inputs every FFN / monolithic call takes for positions p..p+k-1. */
struct step_inputs {
	int32_t *ids; /* k position ids */
	int32_t cur;
	uint16_t *mask; /* causal_mask rows [k, mask_w] */
	uint16_t *upd;	/* update_mask [ctx, k], when declared */
};

/* 't' as the input 'name' of type 'dt' and shape 'shape' over 'data'. */
static void set_tensor(struct mlcc_tensor *t, const char *name, enum mlcc_dtype dt, void *data,
		       int rank, const int64_t *shape)
{
	memset(t, 0, sizeof *t);
	t->name = name;
	t->dtype = dt;
	t->rank = rank;
	memcpy(t->shape, shape, (size_t)rank * sizeof *shape);
	t->data = data;
}

/* Fill 'in' after in[0] (the hidden states or input ids) for a call of
** function 'fn' of 'm' at positions p..p+k-1; returns the input count. */
static size_t position_inputs(const mlcc_chat *c, const mlcc_model *m, const char *fn, int p, int k,
			      bool prefill, struct step_inputs *s, struct mlcc_tensor *in)
{
	/* update_mask rows: the context, or for prefill the mask width when
	** larger (chat.py's make_update_mask(max(ctx, window), ...)). */
	int64_t rows = prefill && c->mask_w > c->ctx ? c->mask_w : c->ctx;
	size_t n = 1;

	for (int i = 0; i < k; i++)
		s->ids[i] = p + i;
	s->cur = p;
	set_tensor(&in[n++], "position_ids", MLCC_INT32, s->ids, 1, (int64_t[]){k});
	mask_rows(s->mask, p, k, c->mask_w);
	set_tensor(&in[n++], "causal_mask", MLCC_FLOAT16, s->mask, 4,
		   (int64_t[]){1, 1, k, c->mask_w});
	set_tensor(&in[n++], "current_pos", MLCC_INT32, &s->cur, 1, (int64_t[]){1});
	if (s->upd && input_of(m, fn, "update_mask")) {
		memset(s->upd, 0, (size_t)rows * (size_t)k * sizeof *s->upd);
		for (int i = 0; i < k && p + i < rows; i++)
			s->upd[(size_t)(p + i) * (size_t)k + (size_t)i] = 0x3C00; /* 1.0 */
		set_tensor(&in[n++], "update_mask", MLCC_FLOAT16, s->upd, 4,
			   (int64_t[]){1, 1, rows, k});
	}
	return n;
}

static const struct mlcc_tensor *output(const struct mlcc_prediction *p, const char *name)
{
	for (size_t i = 0; i < p->noutputs; i++)
		if (p->outputs[i].name && strcmp(p->outputs[i].name, name) == 0)
			return &p->outputs[i];
	return NULL;
}

/* The failure for a part that lacks an output the flow needs. */
static int missing_output(const char *part, const char *name, struct mlcc_diag *d)
{
	return diag_fail(d, MLCC_E_UNSUPPORTED, "%s has no output '%s'", part, name);
}

/* Run tokens ids[0..k) at positions p.. through the model: embeddings and
** every chunk ('prefill' or infer), or the monolithic model.  On success
** '*out' holds the last prediction (the monolithic logits, or the last
** chunk's hidden states). */
static int run_body(mlcc_chat *c, const int32_t *tokens, int p, int k, bool prefill,
		    struct mlcc_prediction *out, struct mlcc_diag *d)
{
	struct mlcc_tensor in[5];
	struct mlcc_prediction prev = {0}, cur = {0};
	struct step_inputs s = {0};
	const struct mlcc_tensor *h = NULL;
	int rc = MLCC_OK;

	s.ids = malloc((size_t)k * sizeof *s.ids);
	s.upd = malloc((size_t)(c->mask_w > c->ctx ? c->mask_w : c->ctx) * (size_t)k *
		       sizeof *s.upd);
	s.mask = malloc((size_t)c->mask_w * (size_t)k * sizeof *s.mask);
	if (!s.ids || !s.upd || !s.mask) {
		rc = nomem(d);
		goto out;
	}
	set_tensor(&in[0], "input_ids", MLCC_INT32, (void *)tokens, 2, (int64_t[]){1, k});
	if (!c->monolithic) {
		if ((rc = mlcc_predict(c->embed, NULL, in, 1, NULL, &prev, d)) != MLCC_OK)
			goto out;
		if (!(h = output(&prev, "hidden_states")) &&
		    !(h = prev.noutputs ? prev.outputs : NULL)) {
			rc = missing_output("the embeddings model", "hidden_states", d);
			goto out;
		}
	}
	for (size_t i = 0; i < c->nchunks && rc == MLCC_OK; i++) {
		const struct ffn_chunk *ch = &c->chunks[i];
		mlcc_model *m = prefill ? ch->prefill_model : ch->infer_model;
		const char *fn = prefill ? ch->prefill_fn : ch->infer_fn;
		const char *rot = prefill ? ch->prefill_rotate_fn : ch->infer_rotate_fn;
		size_t n;
		if (c->window && p >= c->window && rot)
			fn = rot;
		if (!c->monolithic) {
			in[0] = *h;
			in[0].name = "hidden_states";
		}
		n = position_inputs(c, m, fn, p, k, prefill, &s, in);
		rc = mlcc_predict(m, fn, in, n, c->state, &cur, d);
		mlcc_prediction_free(&prev);
		prev = cur;
		memset(&cur, 0, sizeof cur);
		if (rc == MLCC_OK && !c->monolithic && !(h = output(&prev, "output_hidden_states")))
			rc = missing_output("an FFN chunk", "output_hidden_states", d);
	}
out:
	free(s.ids);
	free(s.upd);
	free(s.mask);
	if (rc != MLCC_OK) {
		mlcc_prediction_free(&prev);
		return rc;
	}
	*out = prev;
	return MLCC_OK;
}

/* ---- logits and choosing the next token ------------------------------------ */

/* Element 'i' of 't' as a float (fp16/fp32/fp64/int32), NaN otherwise. */
static float value_at(const struct mlcc_tensor *t, size_t i)
{
	switch (t->dtype) {
	case MLCC_FLOAT16: return half_to_float(((const uint16_t *)t->data)[i]);
	case MLCC_FLOAT32: return ((const float *)t->data)[i];
	case MLCC_FLOAT64: return (float)((const double *)t->data)[i];
	case MLCC_INT32: return (float)((const int32_t *)t->data)[i];
	default: return NAN;
	}
}

/* The number of elements of 't'. */
static size_t count_of(const struct mlcc_tensor *t)
{
	size_t n = 1;

	for (int i = 0; i < t->rank; i++)
		n *= (size_t)t->shape[i];
	return n;
}

/* The full logits: logits1..logitsS concatenated, or one 'logits' /
** 'output_logits' output.  The last row of each when it has several. */
static int gather_logits(const struct mlcc_prediction *p, float **logits, size_t *n,
			 struct mlcc_diag *d)
{
	const struct mlcc_tensor *parts[META_MAX_SPLITS + 1];
	size_t np = 0, total = 0, at = 0;
	char name[32];

	for (int i = 1; i <= META_MAX_SPLITS; i++) {
		snprintf(name, sizeof name, "logits%d", i);
		if (!(parts[np] = output(p, name)))
			break;
		np++;
	}
	if (!np && ((parts[0] = output(p, "logits")) || (parts[0] = output(p, "output_logits"))))
		np = 1;
	if (!np)
		return missing_output("the LM head", "logits1", d);
	for (size_t i = 0; i < np; i++) {
		if (parts[i]->rank < 1)
			return diag_fail(d, MLCC_E_UNSUPPORTED,
					 "the LM head gives a scalar logits output");
		total += (size_t)parts[i]->shape[parts[i]->rank - 1];
	}
	if (!(*logits = malloc((total ? total : 1) * sizeof **logits)))
		return nomem(d);
	for (size_t i = 0; i < np; i++) {
		size_t w = (size_t)parts[i]->shape[parts[i]->rank - 1], cnt = count_of(parts[i]);
		for (size_t j = 0; j < w; j++)
			(*logits)[at++] = value_at(parts[i], cnt - w + j);
	}
	*n = total;
	return MLCC_OK;
}

/* The size of LM-head split i of n: lm_head_chunk_sizes, else the
** vocabulary split as the converters split it (the remainder spread over
** the first splits); 0 when neither is known. */
static int64_t split_size(const mlcc_chat *c, size_t i, size_t n)
{
	if (c->nsplits)
		return c->splits[i];
	if (c->vocab <= 0)
		return 0;
	return (int64_t)c->vocab / (int64_t)n + ((int64_t)i < (int64_t)c->vocab % (int64_t)n);
}

/* The token of argmax_idx/argmax_val: the split holding the largest value
** (the first on ties), its local index plus the sizes before it. */
static int argmax_pairs(const mlcc_chat *c, const struct mlcc_prediction *p, int32_t *token,
			struct mlcc_diag *d)
{
	const struct mlcc_tensor *idx = output(p, "argmax_idx"), *val = output(p, "argmax_val");
	size_t n, best = 0;
	int64_t base = 0;

	if (!idx || !val)
		return missing_output("the model", "argmax_idx/argmax_val", d);
	n = count_of(idx);
	if (n != count_of(val) || n == 0 || (c->nsplits && n != c->nsplits))
		return diag_fail(d, MLCC_E_UNSUPPORTED,
				 "argmax_idx has %zu entries for %zu LM head splits", n,
				 c->nsplits);
	if (!c->nsplits && c->vocab <= 0)
		return diag_fail(d, MLCC_E_USAGE,
				 "argmax in the model needs lm_head_chunk_sizes or vocab_size "
				 "(meta.yaml or --vocab-size)");
	for (size_t i = 1; i < n; i++)
		if (value_at(val, i) > value_at(val, best))
			best = i;
	for (size_t i = 0; i < best; i++)
		base += split_size(c, i, n);
	*token = (int32_t)(base + (int64_t)value_at(idx, best));
	return MLCC_OK;
}

/* The index of the first largest of v[0..n) (torch.argmax's choice). */
static size_t argmax(const float *v, size_t n)
{
	size_t best = 0;

	for (size_t i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

/* The next value of the splitmix64 sequence in '*s'. */
static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

struct cand {
	float p;
	int32_t id;
};

/* qsort order: most probable first, lower id first on ties. */
static int by_prob(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Sample from softmax(v / T) restricted by top-k and top-p. */
static int sample(const float *v, size_t n, const struct mlcc_chat_sampling *s, uint64_t *rng,
		  int32_t *token, struct mlcc_diag *d)
{
	struct cand *c = malloc(n * sizeof *c);
	double sum = 0, acc = 0, u;
	size_t keep = n;
	float mx = v[argmax(v, n)];

	if (!c)
		return nomem(d);
	for (size_t i = 0; i < n; i++) {
		c[i].p = (float)exp((double)(v[i] - mx) / s->temperature);
		c[i].id = (int32_t)i;
	}
	qsort(c, n, sizeof *c, by_prob);
	if (s->top_k > 0 && (size_t)s->top_k < keep)
		keep = (size_t)s->top_k;
	for (size_t i = 0; i < keep; i++)
		sum += c[i].p;
	if (s->top_p > 0 && s->top_p < 1) {
		for (size_t i = 0; i < keep; i++) {
			acc += c[i].p / sum;
			if (acc >= s->top_p) {
				keep = i + 1;
				break;
			}
		}
		sum = 0;
		for (size_t i = 0; i < keep; i++)
			sum += c[i].p;
	}
	u = (double)(splitmix(rng) >> 11) * 0x1.0p-53 * sum;
	*token = c[keep - 1].id;
	acc = 0;
	for (size_t i = 0; i < keep; i++) {
		acc += c[i].p;
		if (u < acc) {
			*token = c[i].id;
			break;
		}
	}
	free(c);
	return MLCC_OK;
}

/* One decode step for the token at position p: the logits (or argmax
** pairs) and the chosen token; 'on_token' is told. */
static int decode_step(mlcc_chat *c, int32_t tok, int p, const struct mlcc_chat_sampling *s,
		       uint64_t *rng, int32_t *next, mlcc_token_fn on_token, void *ctx, int *stop,
		       struct mlcc_diag *d)
{
	struct mlcc_prediction body = {0}, head = {0};
	const struct mlcc_prediction *lp = &body;
	float *logits = NULL;
	size_t n = 0;
	int rc;

	if ((rc = run_body(c, &tok, p, 1, false, &body, d)) != MLCC_OK)
		return rc;
	if (!c->monolithic) {
		struct mlcc_tensor h = *output(&body, "output_hidden_states");
		h.name = "hidden_states";
		if ((rc = mlcc_predict(c->lmhead, NULL, &h, 1, NULL, &head, d)) != MLCC_OK)
			goto out;
		lp = &head;
	}
	if (output(lp, "argmax_idx")) {
		if ((rc = argmax_pairs(c, lp, next, d)) != MLCC_OK)
			goto out;
	} else {
		if ((rc = gather_logits(lp, &logits, &n, d)) != MLCC_OK)
			goto out;
		if (s && s->temperature > 0)
			rc = sample(logits, n, s, rng, next, d);
		else
			*next = (int32_t)argmax(logits, n);
		if (rc != MLCC_OK)
			goto out;
	}
	if (on_token)
		*stop = on_token(ctx, *next, logits, n);
out:
	free(logits);
	mlcc_prediction_free(&body);
	mlcc_prediction_free(&head);
	return rc;
}

/* ---- generation ------------------------------------------------------------ */

/* A new zeroed KV state from the first chunk (its prefill function if any). */
static int fresh_state(mlcc_chat *c, struct mlcc_diag *d)
{
	const struct ffn_chunk *k = &c->chunks[0];

	mlcc_state_free(c->state);
	c->state = NULL;
	if (k->prefill_model)
		return mlcc_state_new(k->prefill_model, k->prefill_fn, &c->state, d);
	return mlcc_state_new(k->infer_model, k->infer_fn, &c->state, d);
}

/* The prompt but its last token: full batches through prefill, the rest
** one token at a time through infer. */
static int prefill(mlcc_chat *c, const int32_t *prompt, size_t n, struct mlcc_diag *d)
{
	size_t pos = 0, b = (size_t)c->batch;
	struct mlcc_prediction p;
	int rc;

	if (c->chunks[0].prefill_model && b > 0 && !c->single_token)
		for (; pos + b <= n; pos += b) {
			if ((rc = run_body(c, prompt + pos, (int)pos, (int)b, true, &p, d)) !=
			    MLCC_OK)
				return rc;
			mlcc_prediction_free(&p);
		}
	for (; pos + 1 < n; pos++) {
		if ((rc = run_body(c, prompt + pos, (int)pos, 1, false, &p, d)) != MLCC_OK)
			return rc;
		mlcc_prediction_free(&p);
	}
	return MLCC_OK;
}

/* Whether 't' is one of the stop ids. */
static bool is_eos(int32_t t, const int32_t *eos, size_t neos)
{
	for (size_t i = 0; i < neos; i++)
		if (eos[i] == t)
			return true;
	return false;
}

int mlcc_chat_generate(mlcc_chat *c, const int32_t *prompt, size_t n, size_t max_tokens,
		       const struct mlcc_chat_sampling *s, const int32_t *eos, size_t neos,
		       mlcc_token_fn on_token, void *ctx, struct mlcc_chat_stats *st,
		       struct mlcc_diag *d)
{
	struct mlcc_chat_stats z = {0};
	uint64_t rng = s ? s->seed : 0;
	int32_t tok;
	size_t len = n, made = 0;
	double t0 = now(), t1 = t0;
	int stop = 0, rc;

	diag_clear(d);
	if (!st)
		st = &z;
	memset(st, 0, sizeof *st);
	if (n == 0)
		return diag_fail(d, MLCC_E_USAGE, "the prompt is empty");
	if (n >= (size_t)c->ctx)
		return diag_fail(d, MLCC_E_USAGE,
				 "the prompt has %zu tokens; the context holds %d, so at most %d",
				 n, c->ctx, c->ctx - 1);
	if ((rc = fresh_state(c, d)) != MLCC_OK || (rc = prefill(c, prompt, n, d)) != MLCC_OK)
		return rc;
	tok = prompt[n - 1];
	/* chat.py's limit: positions up to ctx-2 are fed, ctx-1 tokens in all. */
	while (len < (size_t)c->ctx - 1 && !stop && (!max_tokens || made < max_tokens)) {
		int32_t next = -1;
		if ((rc = decode_step(c, tok, (int)len - 1, s, &rng, &next, on_token, ctx, &stop,
				      d)) != MLCC_OK)
			return rc;
		if (made++ == 0)
			t1 = now();
		tok = next;
		len++;
		if (is_eos(next, eos, neos))
			break;
	}
	st->prefill_tokens = n;
	st->prefill_seconds = t1 - t0;
	st->decode_tokens = made ? made - 1 : 0;
	st->decode_seconds = made ? now() - t1 : 0;
	return MLCC_OK;
}
