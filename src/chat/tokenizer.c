/*
** tokenizer.c -- Hugging Face tokenizer.json (model type BPE) for mlcc chat.
**
** What is read (everything else makes the load fail with a message naming
** the file and the unsupported value, never a silently different split):
**   normalizer      null, NFC (nfc.c), Prepend, Replace (String pattern),
**                   Sequence of those
**   pre_tokenizer   null, ByteLevel (use_regex: the GPT-2 split,
**                   add_prefix_space), Split (one of the regexes of
**                   pretok.h, Isolated; or a literal String, any
**                   behaviour but Contiguous, applied first), Metaspace (replacement,
**                   prepend_scheme/add_prefix_space, split), Sequence
**   model           BPE: vocab, merges ("a b" strings or ["a","b"]
**                   pairs; rank = position), unk_token, fuse_unk,
**                   byte_fallback, ignore_merges
**   added_tokens    matched first, leftmost-longest, on the raw text
**   decoder         ByteLevel, Metaspace, or the Sequence of Replace/
**                   ByteFallback/Fuse/Strip SentencePiece models use
**   post_processor  a leading special token of TemplateProcessing = bos
** tokenizer_config.json beside it, when present, gives bos_token,
** eos_token and add_bos_token (they win over post_processor).
**
** Encoding one segment between added tokens: normalize, pre-tokenize into
** words, map bytes to the GPT-2 alphabet (byte-level), then BPE each word:
** its characters become symbols (a character missing from the vocabulary
** becomes its <0xNN> byte tokens with byte_fallback, else unk), and the
** adjacent pair with the lowest merge rank (leftmost on ties) is merged
** until none is left -- the order Hugging Face's BPE merges in.
*/
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/os.h"
#include "base/strmap.h"
#include "base/wbuf.h"
#include "chat/nfc.h"
#include "chat/pretok.h"

#define TOK_MAX_FILE ((size_t)512 << 20)
#define TOK_MAX_NORM 8
#define TOK_MAX_IDS (1 << 24) /* Gemma 3 has 262,144; a larger id is an error */
#define TOK_MAX_IDS (1 << 24) /* Gemma 3 has 262,144; a larger id is an error */

struct merge_slot {
	uint64_t key; /* left id << 32 | right id; 0 = empty (id 0 + id 0 is never a key
		      ** because both halves are stored +1) */
	uint32_t rank;
	int32_t result;
};

struct added_token {
	const char *content;
	size_t len;
	int32_t id;
	bool special;
};

/* One normalizer step: Prepend 'to', Replace 'from' by 'to', or NFC. */
struct norm_step {
	const char *from; /* NULL: Prepend (or NFC) */
	const char *to;	  /* NULL: NFC */
};

struct mlcc_tokenizer {
	struct arena arena;
	const char *path;
	char **vocab;	     /* id -> token (NULL for an unused id) */
	unsigned char *kind; /* id -> 0 vocabulary, 1 added, 2 special added */
	size_t nids;
	struct strmap ids; /* token -> id + 1 */
	struct merge_slot *merges;
	size_t mcap;
	struct added_token *added;
	size_t nadded;
	struct norm_step norm[TOK_MAX_NORM];
	size_t nnorm;
	enum pretok_split split;
	/* Split on a literal string (Gemma's " "), before the regex split. */
	const char *str_split;
	enum { SPLIT_ISOLATED, SPLIT_REMOVED, SPLIT_WITH_PREVIOUS, SPLIT_WITH_NEXT } str_behavior;
	bool byte_level, prefix_space;
	bool metaspace, meta_split;
	int meta_prepend; /* 0 never, 1 first segment, 2 every segment */
	const char *meta_repl;
	bool byte_fallback, fuse_unk, ignore_merges;
	int32_t unk;
	int32_t byte_id[256]; /* <0xNN> ids, -1 when missing */
	bool dec_byte_level, dec_strip_space;
	int32_t bos, eos;
	bool add_bos;
	const char *chat_template; /* Jinja text, or NULL */
};

/* ---- small helpers --------------------------------------------------------- */

/* The out-of-memory failure. */
static int nomem(struct mlcc_diag *d)
{
	return diag_fail(d, MLCC_E_NOMEM, "out of memory");
}

static const char *type_of(json_t *j)
{
	return json_string_value(json_object_get(j, "type"));
}

/* The GPT-2 byte-to-character map: printable Latin-1 bytes map to
** themselves, the other 68 to U+0100 onwards in byte order. */
static uint32_t byte_char(unsigned b)
{
	unsigned n = 0;

	if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)
		return b;
	for (unsigned i = 0; i < b; i++)
		if (!((i >= 33 && i <= 126) || (i >= 161 && i <= 172) || i >= 174))
			n++;
	return 256 + n;
}

/* The byte a GPT-2 alphabet character stands for, or -1. */
static int char_byte(uint32_t cp)
{
	if (cp < 256)
		return byte_char(cp) == cp ? (int)cp : -1;
	for (unsigned b = 0; b < 256; b++)
		if (byte_char(b) == cp)
			return (int)b;
	return -1;
}

/* The id of token 's', or -1. */
static int32_t lookup(const struct mlcc_tokenizer *t, const char *s)
{
	void *v = strmap_get(&t->ids, s);

	return v ? (int32_t)((uintptr_t)v - 1) : -1;
}

/* A 64-bit hash mix for the merge table. */
static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static const struct merge_slot *merge_find(const struct mlcc_tokenizer *t, int32_t a, int32_t b)
{
	uint64_t key = ((uint64_t)(uint32_t)(a + 1) << 32) | (uint32_t)(b + 1);

	if (!t->mcap)
		return NULL;
	for (size_t i = mix(key) & (t->mcap - 1);; i = (i + 1) & (t->mcap - 1)) {
		if (t->merges[i].key == key)
			return &t->merges[i];
		if (t->merges[i].key == 0)
			return NULL;
	}
}

/* ---- loading --------------------------------------------------------------- */

/* Give 'content' the id 'id' (vocabulary or added token). */
static int set_token(struct mlcc_tokenizer *t, const char *content, int64_t id, struct mlcc_diag *d)
{
	char *s;

	if (id < 0 || (uint64_t)id >= t->nids)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: token id %lld is out of range", t->path,
				 (long long)id);
	if (!(s = arena_strdup(&t->arena, content)))
		return nomem(d);
	t->vocab[id] = s;
	if (strmap_put(&t->ids, s, (void *)(uintptr_t)(id + 1)) != 0)
		return nomem(d);
	return MLCC_OK;
}

/* The number of ids: one past the largest of vocab and added_tokens. */
static int count_ids(struct mlcc_tokenizer *t, json_t *vocab, json_t *added, struct mlcc_diag *d)
{
	const char *k;
	json_t *v;
	size_t i;
	int64_t max = -1;

	json_object_foreach(vocab, k, v)
	{
		if (!json_is_integer(v))
			return diag_fail(d, MLCC_E_CORRUPT,
					 "%s: model.vocab value of a token is not an integer",
					 t->path);
		if (json_integer_value(v) > max)
			max = json_integer_value(v);
	}
	json_array_foreach(added, i, v)
	{
		json_t *id = json_object_get(v, "id");
		if (json_is_integer(id) && json_integer_value(id) > max)
			max = json_integer_value(id);
	}
	if (max < 0 || max >= TOK_MAX_IDS)
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: model.vocab is empty or has an id above %d", t->path,
				 TOK_MAX_IDS - 1);
	t->nids = (size_t)max + 1;
	t->vocab = arena_array(&t->arena, t->nids, sizeof *t->vocab);
	t->kind = arena_array(&t->arena, t->nids, 1);
	return t->vocab && t->kind ? MLCC_OK : nomem(d);
}

/* model.vocab into the id tables; the <0xNN> ids for byte fallback. */
static int load_vocab(struct mlcc_tokenizer *t, json_t *vocab, struct mlcc_diag *d)
{
	const char *k;
	json_t *v;
	int rc;

	json_object_foreach(vocab, k, v)
	{
		if ((rc = set_token(t, k, json_integer_value(v), d)) != MLCC_OK)
			return rc;
	}
	for (unsigned b = 0; b < 256; b++) {
		char name[8];
		snprintf(name, sizeof name, "<0x%02X>", b);
		t->byte_id[b] = lookup(t, name);
	}
	return MLCC_OK;
}

/* One merge: its two halves (from "a b" or ["a","b"]). */
static int merge_halves(struct mlcc_tokenizer *t, json_t *m, size_t i, char *buf, size_t cap,
			const char **a, const char **b, struct mlcc_diag *d)
{
	const char *s = json_string_value(m), *sp;

	if (s) {
		if (!(sp = strchr(s, ' ')) || (size_t)(sp - s) >= cap)
			return diag_fail(d, MLCC_E_CORRUPT, "%s: merge %zu is not \"a b\"", t->path,
					 i);
		memcpy(buf, s, (size_t)(sp - s));
		buf[sp - s] = '\0';
		*a = buf;
		*b = sp + 1;
		return MLCC_OK;
	}
	*a = json_string_value(json_array_get(m, 0));
	*b = json_string_value(json_array_get(m, 1));
	if (!json_is_array(m) || json_array_size(m) != 2 || !*a || !*b)
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: merge %zu is neither \"a b\" nor [\"a\",\"b\"]", t->path, i);
	return MLCC_OK;
}

/* Enter merge (a, b) -> r with 'rank' in the table (sized by load_merges). */
static int merge_add(struct mlcc_tokenizer *t, int32_t a, int32_t b, int32_t r, uint32_t rank)
{
	uint64_t key = ((uint64_t)(uint32_t)(a + 1) << 32) | (uint32_t)(b + 1);

	for (size_t i = mix(key) & (t->mcap - 1);; i = (i + 1) & (t->mcap - 1)) {
		if (t->merges[i].key == key)
			return 0; /* a repeated merge keeps its first (lowest) rank */
		if (t->merges[i].key == 0) {
			t->merges[i] = (struct merge_slot){key, rank, r};
			return 0;
		}
	}
}

/* model.merges into the merge table: rank = position in the list. */
static int load_merges(struct mlcc_tokenizer *t, json_t *merges, struct mlcc_diag *d)
{
	size_t n = json_array_size(merges), i;
	json_t *m;
	char buf[1024], joined[2048];
	int rc;

	for (t->mcap = 16; t->mcap < 2 * n; t->mcap *= 2)
		;
	if (!(t->merges = arena_array(&t->arena, t->mcap, sizeof *t->merges)))
		return nomem(d);
	json_array_foreach(merges, i, m)
	{
		const char *a = NULL, *b = NULL;
		size_t la, lb;
		int32_t ia, ib, ir;
		if ((rc = merge_halves(t, m, i, buf, sizeof buf, &a, &b, d)) != MLCC_OK)
			return rc;
		la = strlen(a);
		lb = strlen(b);
		if (la + lb >= sizeof joined)
			return diag_fail(d, MLCC_E_CORRUPT, "%s: merge %zu is too long", t->path,
					 i);
		memcpy(joined, a, la);
		memcpy(joined + la, b, lb + 1);
		ia = lookup(t, a);
		ib = lookup(t, b);
		ir = lookup(t, joined);
		if (ia < 0 || ib < 0 || ir < 0) {
			char q[DIAG_QUOTE_MAX];
			return diag_fail(
				d, MLCC_E_CORRUPT,
				"%s: merge %zu (\"%s\") names a token that is not in the vocabulary",
				t->path, i, diag_quote(q, joined));
		}
		(void)merge_add(t, ia, ib, ir, (uint32_t)i);
	}
	return MLCC_OK;
}

/* added_tokens: ids, contents, which are special. */
static int load_added(struct mlcc_tokenizer *t, json_t *added, struct mlcc_diag *d)
{
	size_t i;
	json_t *a;
	int rc;

	t->added = arena_array(&t->arena, json_array_size(added) + 1, sizeof *t->added);
	if (!t->added)
		return nomem(d);
	json_array_foreach(added, i, a)
	{
		const char *c = json_string_value(json_object_get(a, "content"));
		json_t *id = json_object_get(a, "id");
		struct added_token *at = &t->added[t->nadded];
		if (!c || !*c || !json_is_integer(id))
			return diag_fail(d, MLCC_E_CORRUPT,
					 "%s: added_tokens[%zu] has no content or id", t->path, i);
		if ((rc = set_token(t, c, json_integer_value(id), d)) != MLCC_OK)
			return rc;
		at->content = t->vocab[json_integer_value(id)];
		at->len = strlen(c);
		at->id = (int32_t)json_integer_value(id);
		at->special = json_is_true(json_object_get(a, "special"));
		t->kind[at->id] = at->special ? 2 : 1;
		t->nadded++;
	}
	return MLCC_OK;
}

/* The failure for a part of tokenizer.json mlcc does not implement. */
static int unsupported(struct mlcc_tokenizer *t, const char *what, const char *type,
		       struct mlcc_diag *d)
{
	char q[DIAG_QUOTE_MAX];

	return diag_fail(d, MLCC_E_UNSUPPORTED, "%s: %s \"%s\" is not supported", t->path, what,
			 diag_quote(q, type ? type : "(no type)"));
}

/* Add a normalizer step: Prepend 'to' (from NULL) or Replace 'from' by 'to'. */
static int norm_push(struct mlcc_tokenizer *t, const char *from, const char *to,
		     struct mlcc_diag *d)
{
	if (t->nnorm == TOK_MAX_NORM || !to)
		return unsupported(t, "normalizer", "too many or empty steps", d);
	if (!(t->norm[t->nnorm].to = arena_strdup(&t->arena, to)))
		return nomem(d);
	if (from && !(t->norm[t->nnorm].from = arena_strdup(&t->arena, from)))
		return nomem(d);
	t->nnorm++;
	return MLCC_OK;
}

/* The normalizer (pipeline) of tokenizer.json. */
static int load_normalizer(struct mlcc_tokenizer *t, json_t *n, struct mlcc_diag *d)
{
	const char *type = type_of(n);
	size_t i;
	json_t *e;
	int rc;

	if (json_is_null(n) || !n)
		return MLCC_OK;
	if (type && strcmp(type, "Sequence") == 0) {
		json_array_foreach(json_object_get(n, "normalizers"), i, e)
		{
			if ((rc = load_normalizer(t, e, d)) != MLCC_OK)
				return rc;
		}
		return MLCC_OK;
	}
	if (type && strcmp(type, "NFC") == 0) {
		if (t->nnorm == TOK_MAX_NORM)
			return unsupported(t, "normalizer", "too many steps", d);
		t->norm[t->nnorm].from = t->norm[t->nnorm].to = NULL;
		t->nnorm++;
		return MLCC_OK;
	}
	if (type && strcmp(type, "Prepend") == 0)
		return norm_push(t, NULL, json_string_value(json_object_get(n, "prepend")), d);
	if (type && strcmp(type, "Replace") == 0) {
		const char *from =
			json_string_value(json_object_get(json_object_get(n, "pattern"), "String"));
		if (!from || !*from)
			return unsupported(t, "normalizer Replace pattern", "not a String", d);
		return norm_push(t, from, json_string_value(json_object_get(n, "content")), d);
	}
	return unsupported(t, "normalizer", type, d);
}

/* A Metaspace pre-tokenizer: replacement, prepend scheme, split. */
static int load_metaspace(struct mlcc_tokenizer *t, json_t *p, struct mlcc_diag *d)
{
	const char *scheme = json_string_value(json_object_get(p, "prepend_scheme"));
	const char *repl = json_string_value(json_object_get(p, "replacement"));

	t->metaspace = true;
	if (!(t->meta_repl = arena_strdup(&t->arena, repl ? repl : "\xe2\x96\x81")))
		return nomem(d);
	t->meta_split = !json_is_false(json_object_get(p, "split"));
	if (scheme)
		t->meta_prepend = strcmp(scheme, "never") == 0	 ? 0
				  : strcmp(scheme, "first") == 0 ? 1
								 : 2;
	else
		t->meta_prepend = json_is_false(json_object_get(p, "add_prefix_space")) ? 0 : 2;
	return MLCC_OK;
}

/* A Split on the literal 'str' with behaviour 'beh'. */
static int load_string_split(struct mlcc_tokenizer *t, const char *str, const char *beh,
			     json_t *invert, struct mlcc_diag *d)
{
	static const char *const names[] = {"Isolated", "Removed", "MergedWithPrevious",
					    "MergedWithNext"};
	size_t i;

	for (i = 0; i < 4 && beh && strcmp(beh, names[i]) != 0; i++)
		;
	if (!beh || i == 4 || json_is_true(invert) || t->str_split)
		return unsupported(t, "pre_tokenizer Split behavior", beh, d);
	t->str_behavior = i == 0   ? SPLIT_ISOLATED
			  : i == 1 ? SPLIT_REMOVED
			  : i == 2 ? SPLIT_WITH_PREVIOUS
				   : SPLIT_WITH_NEXT;
	return (t->str_split = arena_strdup(&t->arena, str)) ? MLCC_OK : nomem(d);
}

/* The pre_tokenizer (pipeline) of tokenizer.json. */
static int load_pretok(struct mlcc_tokenizer *t, json_t *p, struct mlcc_diag *d)
{
	const char *type = type_of(p);
	size_t i;
	json_t *e;
	int rc;

	if (!p || json_is_null(p))
		return MLCC_OK;
	if (type && strcmp(type, "Sequence") == 0) {
		json_array_foreach(json_object_get(p, "pretokenizers"), i, e)
		{
			if ((rc = load_pretok(t, e, d)) != MLCC_OK)
				return rc;
		}
		return MLCC_OK;
	}
	if (type && strcmp(type, "ByteLevel") == 0) {
		t->byte_level = true;
		t->prefix_space = json_is_true(json_object_get(p, "add_prefix_space"));
		if (!json_is_false(json_object_get(p, "use_regex")))
			t->split = PRETOK_GPT2;
		return MLCC_OK;
	}
	if (type && strcmp(type, "Split") == 0) {
		const char *re =
			json_string_value(json_object_get(json_object_get(p, "pattern"), "Regex"));
		const char *beh = json_string_value(json_object_get(p, "behavior"));
		const char *str =
			json_string_value(json_object_get(json_object_get(p, "pattern"), "String"));
		if (str && *str)
			return load_string_split(t, str, beh, json_object_get(p, "invert"), d);
		if (!re || (t->split = pretok_from_regex(re)) == PRETOK_NONE)
			return unsupported(t, "pre_tokenizer Split pattern", re, d);
		if (!beh || strcmp(beh, "Isolated") != 0 ||
		    json_is_true(json_object_get(p, "invert")))
			return unsupported(t, "pre_tokenizer Split behavior", beh, d);
		return MLCC_OK;
	}
	if (type && strcmp(type, "Metaspace") == 0)
		return load_metaspace(t, p, d);
	return unsupported(t, "pre_tokenizer", type, d);
}

/* The decoder says how ids become text: byte-level, or SentencePiece
** pieces (with or without one leading space stripped). */
static int load_decoder(struct mlcc_tokenizer *t, json_t *dec, struct mlcc_diag *d)
{
	const char *type = type_of(dec);
	size_t i;
	json_t *e;
	int rc;

	if (!dec || json_is_null(dec))
		return MLCC_OK;
	if (type && strcmp(type, "Sequence") == 0) {
		json_array_foreach(json_object_get(dec, "decoders"), i, e)
		{
			if ((rc = load_decoder(t, e, d)) != MLCC_OK)
				return rc;
		}
		return MLCC_OK;
	}
	if (type && strcmp(type, "ByteLevel") == 0)
		t->dec_byte_level = true;
	else if (type && strcmp(type, "Metaspace") == 0) {
		const char *scheme = json_string_value(json_object_get(dec, "prepend_scheme"));
		t->dec_strip_space =
			scheme ? strcmp(scheme, "never") != 0
			       : !json_is_false(json_object_get(dec, "add_prefix_space"));
	} else if (type && strcmp(type, "Strip") == 0)
		t->dec_strip_space = json_integer_value(json_object_get(dec, "start")) > 0;
	else if (!type || (strcmp(type, "Replace") != 0 && strcmp(type, "ByteFallback") != 0 &&
			   strcmp(type, "Fuse") != 0))
		return unsupported(t, "decoder", type, d);
	return MLCC_OK;
}

/* model (BPE) and added_tokens. */
static int load_model(struct mlcc_tokenizer *t, json_t *root, struct mlcc_diag *d)
{
	json_t *m = json_object_get(root, "model"), *vocab = json_object_get(m, "vocab");
	json_t *added = json_object_get(root, "added_tokens");
	const char *type = type_of(m), *unk;
	int rc;

	if (type && strcmp(type, "BPE") != 0)
		return unsupported(t, "model type", type, d);
	if (!json_is_object(vocab) || !json_is_array(json_object_get(m, "merges")))
		return diag_fail(d, MLCC_E_CORRUPT, "%s: model has no vocab object or merges array",
				 t->path);
	if (json_string_value(json_object_get(m, "continuing_subword_prefix")) ||
	    json_string_value(json_object_get(m, "end_of_word_suffix")))
		return unsupported(t, "BPE option", "continuing_subword_prefix/end_of_word_suffix",
				   d);
	if ((rc = count_ids(t, vocab, added, d)) != MLCC_OK ||
	    (rc = load_vocab(t, vocab, d)) != MLCC_OK ||
	    (rc = load_added(t, added, d)) != MLCC_OK ||
	    (rc = load_merges(t, json_object_get(m, "merges"), d)) != MLCC_OK)
		return rc;
	t->byte_fallback = json_is_true(json_object_get(m, "byte_fallback"));
	t->fuse_unk = json_is_true(json_object_get(m, "fuse_unk"));
	t->ignore_merges = json_is_true(json_object_get(m, "ignore_merges"));
	unk = json_string_value(json_object_get(m, "unk_token"));
	t->unk = unk ? lookup(t, unk) : -1;
	return MLCC_OK;
}

/* A bos from post_processor: the SpecialToken that starts its template. */
static void load_post(struct mlcc_tokenizer *t, json_t *p)
{
	const char *type = type_of(p);
	size_t i;
	json_t *e;

	if (type && strcmp(type, "Sequence") == 0) {
		json_array_foreach(json_object_get(p, "processors"), i, e) load_post(t, e);
		return;
	}
	if (type && strcmp(type, "TemplateProcessing") == 0) {
		json_t *first = json_array_get(json_object_get(p, "single"), 0);
		const char *id = json_string_value(
			json_object_get(json_object_get(first, "SpecialToken"), "id"));
		if (id && lookup(t, id) >= 0) {
			t->bos = lookup(t, id);
			t->add_bos = true;
		}
	}
}

/* A token of tokenizer_config.json: a string or {"content": ...}. */
static int32_t config_token(const struct mlcc_tokenizer *t, json_t *v)
{
	const char *s = json_string_value(v);

	if (!s)
		s = json_string_value(json_object_get(v, "content"));
	return s ? lookup(t, s) : -1;
}

/* The JSON document of 'path', or NULL with the failure in 'd'. */
static json_t *read_json(const char *path, struct mlcc_diag *d)
{
	uint8_t *buf;
	size_t len;
	json_error_t err;
	json_t *j;

	if (os_read_file(path, TOK_MAX_FILE, &buf, &len, d) != MLCC_OK)
		return NULL;
	j = json_loadb((const char *)buf, len, 0, &err);
	free(buf);
	if (!j)
		diag_fail(d, MLCC_E_CORRUPT, "%s:%d: not JSON: %s", path, err.line, err.text);
	return j;
}

/* chat_template of tokenizer_config.json: a string, or a list of
** {name, template} of which "default" (else the first) is taken. */
static int config_template(struct mlcc_tokenizer *t, json_t *v, struct mlcc_diag *d)
{
	const char *s = json_string_value(v);
	size_t i;
	json_t *e;

	json_array_foreach(v, i, e)
	{
		const char *name = json_string_value(json_object_get(e, "name"));
		if (!s || (name && strcmp(name, "default") == 0))
			s = json_string_value(json_object_get(e, "template"));
	}
	if (s && !(t->chat_template = arena_strdup(&t->arena, s)))
		return nomem(d);
	return MLCC_OK;
}

/* chat_template.jinja beside tokenizer.json (newer Hugging Face layouts
** keep the template there), when the config has none. */
static int jinja_template(struct mlcc_tokenizer *t, const char *dir, struct mlcc_diag *d)
{
	char *path = os_join(dir, "chat_template.jinja");
	uint8_t *buf = NULL;
	size_t len;
	int rc = MLCC_OK;

	if (!path)
		return nomem(d);
	if (os_kind(path) == OS_FILE &&
	    (rc = os_read_file(path, (size_t)1 << 20, &buf, &len, d)) == MLCC_OK &&
	    !(t->chat_template = arena_strdup(&t->arena, (const char *)buf)))
		rc = nomem(d);
	free(buf);
	free(path);
	return rc;
}

/* tokenizer_config.json next to tokenizer.json, when there is one. */
static int load_config(struct mlcc_tokenizer *t, const char *dir, struct mlcc_diag *d)
{
	char *path = os_join(dir, "tokenizer_config.json");
	json_t *c, *v;
	int rc;

	if (!path)
		return nomem(d);
	if (os_kind(path) != OS_FILE) {
		free(path);
		return jinja_template(t, dir, d);
	}
	c = read_json(path, d);
	free(path);
	if (!c)
		return d->status;
	if ((v = json_object_get(c, "bos_token")) && !json_is_null(v))
		t->bos = config_token(t, v);
	if ((v = json_object_get(c, "eos_token")) && !json_is_null(v))
		t->eos = config_token(t, v);
	if ((v = json_object_get(c, "add_bos_token")) && json_is_boolean(v))
		t->add_bos = json_is_true(v);
	rc = config_template(t, json_object_get(c, "chat_template"), d);
	json_decref(c);
	if (rc == MLCC_OK && !t->chat_template)
		rc = jinja_template(t, dir, d);
	return rc;
}

/* Every part of tokenizer.json 'root', then tokenizer_config.json in 'dir'. */
static int load_all(struct mlcc_tokenizer *t, json_t *root, const char *dir, struct mlcc_diag *d)
{
	int rc;

	if ((rc = load_model(t, root, d)) != MLCC_OK ||
	    (rc = load_normalizer(t, json_object_get(root, "normalizer"), d)) != MLCC_OK ||
	    (rc = load_pretok(t, json_object_get(root, "pre_tokenizer"), d)) != MLCC_OK ||
	    (rc = load_decoder(t, json_object_get(root, "decoder"), d)) != MLCC_OK)
		return rc;
	load_post(t, json_object_get(root, "post_processor"));
	return load_config(t, dir, d);
}

int mlcc_tokenizer_load(const char *path, mlcc_tokenizer **tok, struct mlcc_diag *d)
{
	struct mlcc_tokenizer *t;
	char *file, *dir;
	json_t *root;
	int rc;

	diag_clear(d);
	*tok = NULL;
	if (os_kind(path) == OS_DIR) {
		file = os_join(path, "tokenizer.json");
		dir = strdup(path);
	} else {
		size_t len;
		file = strdup(path);
		os_basename(path, &len);
		dir = strndup(path, (size_t)(os_basename(path, &len) - path));
		if (dir && !*dir) {
			free(dir);
			dir = strdup(".");
		}
	}
	if (!file || !dir || !(t = calloc(1, sizeof *t))) {
		free(file);
		free(dir);
		return nomem(d);
	}
	arena_init(&t->arena);
	strmap_init(&t->ids);
	t->bos = t->eos = t->unk = -1;
	t->path = arena_strdup(&t->arena, file);
	if (os_kind(file) != OS_FILE)
		rc = diag_fail(d, MLCC_E_IO, "%s: tokenizer not found", file);
	else if (!(root = read_json(file, d)))
		rc = d->status;
	else {
		rc = t->path ? load_all(t, root, dir, d) : nomem(d);
		json_decref(root);
	}
	free(file);
	free(dir);
	if (rc != MLCC_OK) {
		mlcc_tokenizer_free(t);
		return rc;
	}
	*tok = t;
	return MLCC_OK;
}

void mlcc_tokenizer_free(mlcc_tokenizer *t)
{
	if (!t)
		return;
	strmap_free(&t->ids);
	arena_free(&t->arena);
	free(t);
}

int32_t mlcc_tokenizer_bos(const mlcc_tokenizer *t)
{
	return t->bos;
}

int32_t mlcc_tokenizer_eos(const mlcc_tokenizer *t)
{
	return t->eos;
}

size_t mlcc_tokenizer_size(const mlcc_tokenizer *t)
{
	return t->nids;
}

const char *mlcc_tokenizer_chat_template(const mlcc_tokenizer *t)
{
	return t->chat_template;
}

int32_t mlcc_tokenizer_token_id(const mlcc_tokenizer *t, const char *token)
{
	return lookup(t, token);
}

/* ---- encoding -------------------------------------------------------------- */

/* The ids being produced. */
struct idbuf {
	int32_t *v;
	size_t n, cap;
};

static int push(struct idbuf *b, int32_t id)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		int32_t *v = realloc(b->v, cap * sizeof *v);
		if (!v)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = id;
	return 0;
}

/* A symbol of the word being merged: its id and its neighbours. */
struct sym {
	int32_t id;
	int prev, next; /* -1 at the ends */
};

struct encoder {
	const struct mlcc_tokenizer *t;
	struct idbuf *out;
	struct sym *syms;
	size_t cap;
	struct mlcc_diag *d;
};

static int grow_syms(struct encoder *e, size_t n)
{
	struct sym *s;

	if (n <= e->cap)
		return 0;
	if (!(s = realloc(e->syms, n * sizeof *s)))
		return -1;
	e->syms = s;
	e->cap = n;
	return 0;
}

/* The initial symbols of 'word': one per character, a missing character
** as its byte tokens (byte_fallback) or unk (fused when fuse_unk). */
static int initial_symbols(struct encoder *e, const char *w, size_t len, size_t *n)
{
	const struct mlcc_tokenizer *t = e->t;
	char ch[8];

	*n = 0;
	if (grow_syms(e, len + 1) != 0)
		return nomem(e->d);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)w + i, len - i, &cp);
		int32_t id;
		memcpy(ch, w + i, l);
		ch[l] = '\0';
		if ((id = lookup(t, ch)) >= 0)
			e->syms[(*n)++].id = id;
		else if (t->byte_fallback && t->byte_id[(unsigned char)w[i]] >= 0) {
			for (size_t k = 0; k < l; k++) {
				if (t->byte_id[(unsigned char)w[i + k]] < 0)
					return diag_fail(e->d, MLCC_E_UNSUPPORTED,
							 "%s: byte 0x%02X has no <0x%02X> token",
							 t->path, (unsigned char)w[i + k],
							 (unsigned char)w[i + k]);
				e->syms[(*n)++].id = t->byte_id[(unsigned char)w[i + k]];
			}
		} else if (t->unk >= 0) {
			if (!(t->fuse_unk && *n && e->syms[*n - 1].id == t->unk))
				e->syms[(*n)++].id = t->unk;
		} else {
			char q[DIAG_QUOTE_MAX];
			return diag_fail(
				e->d, MLCC_E_UNSUPPORTED,
				"%s: character \"%s\" is not in the vocabulary and there is no unk_token or byte fallback",
				t->path, diag_quote(q, ch));
		}
		i += l;
	}
	return MLCC_OK;
}

/* BPE on one word (already in the model's alphabet). */
static int bpe_word(struct encoder *e, const char *w, size_t len)
{
	const struct mlcc_tokenizer *t = e->t;
	size_t n;
	int rc;

	if (t->ignore_merges && len < 1024) {
		char buf[1024];
		int32_t id;
		memcpy(buf, w, len);
		buf[len] = '\0';
		if ((id = lookup(t, buf)) >= 0)
			return push(e->out, id) == 0 ? MLCC_OK : nomem(e->d);
	}
	if ((rc = initial_symbols(e, w, len, &n)) != MLCC_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		e->syms[i].prev = (int)i - 1;
		e->syms[i].next = i + 1 < n ? (int)i + 1 : -1;
	}
	for (;;) {
		const struct merge_slot *best = NULL;
		int at = -1;
		for (int i = n ? 0 : -1; i >= 0 && e->syms[i].next >= 0; i = e->syms[i].next) {
			const struct merge_slot *m =
				merge_find(t, e->syms[i].id, e->syms[e->syms[i].next].id);
			if (m && (!best || m->rank < best->rank)) {
				best = m;
				at = i;
			}
		}
		if (!best)
			break;
		/* Merge 'at' with its right neighbour. */
		int r = e->syms[at].next;
		e->syms[at].id = best->result;
		e->syms[at].next = e->syms[r].next;
		if (e->syms[r].next >= 0)
			e->syms[e->syms[r].next].prev = at;
	}
	for (int i = n ? 0 : -1; i >= 0; i = e->syms[i].next)
		if (push(e->out, e->syms[i].id) != 0)
			return nomem(e->d);
	return MLCC_OK;
}

struct word_ctx {
	struct encoder *e;
	const char *text;
};

/* A pre-tokenized word: to the GPT-2 alphabet when byte-level, then BPE. */
static int encode_word(struct encoder *e, const char *w, size_t len)
{
	struct wbuf b;
	int rc;

	if (!e->t->byte_level)
		return bpe_word(e, w, len);
	wbuf_init(&b);
	for (size_t i = 0; i < len; i++) {
		char u[4];
		wbuf_put(&b, u, utf8_encode(byte_char((unsigned char)w[i]), u));
	}
	if (wbuf_error(&b))
		rc = nomem(e->d);
	else
		rc = bpe_word(e, (const char *)b.data, b.len);
	wbuf_free(&b);
	return rc;
}

static int on_word(void *ctx, size_t off, size_t len)
{
	struct word_ctx *w = ctx;

	return encode_word(w->e, w->text + off, len);
}

/* 's' with every 'from' replaced by 'to', into 'out'. */
static void replace_all(struct wbuf *out, const char *s, size_t len, const char *from,
			const char *to)
{
	size_t fl = strlen(from);

	for (size_t i = 0; i < len;) {
		if (len - i >= fl && memcmp(s + i, from, fl) == 0) {
			wbuf_puts(out, to);
			i += fl;
		} else
			wbuf_putc(out, s[i++]);
	}
}

/* The normalizer steps, then Metaspace's replacement and prefix. */
static void normalize(const struct mlcc_tokenizer *t, const char *s, size_t len, bool first,
		      struct wbuf *out)
{
	struct wbuf a, b;

	wbuf_init(&a);
	wbuf_put(&a, s, len);
	for (size_t k = 0; k < t->nnorm; k++) {
		wbuf_init(&b);
		if (!t->norm[k].to)
			nfc_append((const char *)a.data, a.len, &b);
		else if (!t->norm[k].from) {
			if (a.len) /* Prepend leaves an empty string empty */
				wbuf_puts(&b, t->norm[k].to);
			wbuf_put(&b, a.data, a.len);
		} else
			replace_all(&b, (const char *)a.data, a.len, t->norm[k].from,
				    t->norm[k].to);
		wbuf_free(&a);
		a = b;
	}
	if (t->metaspace) {
		size_t rl = strlen(t->meta_repl);
		wbuf_init(&b);
		replace_all(&b, (const char *)a.data, a.len, " ", t->meta_repl);
		wbuf_free(&a);
		a = b;
		/* The prefix is added only when the text does not start with
		** one already (after the spaces became replacements). */
		if ((t->meta_prepend == 2 || (t->meta_prepend == 1 && first)) && a.len &&
		    (a.len < rl || memcmp(a.data, t->meta_repl, rl) != 0)) {
			wbuf_init(&b);
			wbuf_puts(&b, t->meta_repl);
			wbuf_put(&b, a.data, a.len);
			wbuf_free(&a);
			a = b;
		}
	}
	/* ByteLevel add_prefix_space: every stretch between added tokens. */
	if (t->byte_level && t->prefix_space && a.len && a.data[0] != ' ') {
		wbuf_putc(out, ' ');
	}
	wbuf_put(out, a.data, a.len);
	if (wbuf_error(&a))
		out->err = wbuf_error(&a);
	wbuf_free(&a);
}

/* Metaspace split=true: words start at each replacement character. */
static int metaspace_words(struct encoder *e, const char *s, size_t len)
{
	const char *r = e->t->meta_repl;
	size_t rl = strlen(r), start = 0;
	int rc;

	for (size_t i = 1; i <= len; i++) {
		if (i == len || (len - i >= rl && memcmp(s + i, r, rl) == 0)) {
			if ((rc = encode_word(e, s + start, i - start)) != MLCC_OK)
				return rc;
			start = i;
		}
	}
	return MLCC_OK;
}

/* The words of s[0..len): the Metaspace or regex split, then BPE. */
static int split_words(struct encoder *e, const char *s, size_t len)
{
	struct word_ctx w = {e, s};

	if (!len)
		return MLCC_OK;
	if (e->t->metaspace && e->t->meta_split)
		return metaspace_words(e, s, len);
	return pretok_run(e->t->split, s, len, on_word, &w);
}

/* The literal split first: pieces between the delimiters, the delimiter
** alone (Isolated), dropped (Removed), or joined to the piece before
** (MergedWithPrevious) or after (MergedWithNext). */
static int string_split(struct encoder *e, const char *s, size_t len)
{
	const char *d = e->t->str_split;
	size_t dl = strlen(d), start = 0;
	int rc = MLCC_OK;

	for (size_t i = 0; i + dl <= len && rc == MLCC_OK;) {
		if (memcmp(s + i, d, dl) != 0) {
			i++;
			continue;
		}
		switch (e->t->str_behavior) {
		case SPLIT_ISOLATED:
			if ((rc = split_words(e, s + start, i - start)) == MLCC_OK)
				rc = split_words(e, s + i, dl);
			start = i + dl;
			break;
		case SPLIT_REMOVED:
			rc = split_words(e, s + start, i - start);
			start = i + dl;
			break;
		case SPLIT_WITH_PREVIOUS:
			rc = split_words(e, s + start, i + dl - start);
			start = i + dl;
			break;
		case SPLIT_WITH_NEXT:
			rc = split_words(e, s + start, i - start);
			start = i;
			break;
		}
		i += dl;
	}
	return rc == MLCC_OK ? split_words(e, s + start, len - start) : rc;
}

/* One stretch of text between added tokens. */
static int encode_segment(struct encoder *e, const char *s, size_t len, bool first)
{
	struct wbuf n;
	int rc;

	if (!len)
		return MLCC_OK;
	wbuf_init(&n);
	normalize(e->t, s, len, first, &n);
	if (wbuf_error(&n)) {
		wbuf_free(&n);
		return nomem(e->d);
	}
	if (e->t->str_split)
		rc = string_split(e, (const char *)n.data, n.len);
	else
		rc = split_words(e, (const char *)n.data, n.len);
	if (rc == MLCC_E_NOMEM && e->d && !e->d->status)
		rc = nomem(e->d);
	wbuf_free(&n);
	return rc;
}

/* The longest added token at 'p', or NULL. */
static const struct added_token *added_at(const struct mlcc_tokenizer *t, const char *p,
					  size_t left)
{
	const struct added_token *best = NULL;

	for (size_t k = 0; k < t->nadded; k++) {
		const struct added_token *a = &t->added[k];
		if (a->len <= left && a->content[0] == *p && memcmp(a->content, p, a->len) == 0 &&
		    (!best || a->len > best->len))
			best = a;
	}
	return best;
}

int mlcc_tokenizer_encode(const mlcc_tokenizer *t, const char *text, int flags, int32_t **ids,
			  size_t *n, struct mlcc_diag *d)
{
	struct idbuf out = {0};
	struct encoder e = {t, &out, NULL, 0, d};
	size_t len = strlen(text), start = 0;
	int rc = MLCC_OK;

	diag_clear(d);
	*ids = NULL;
	*n = 0;
	/* Symbols are linked by int indices. */
	if (len > (size_t)INT32_MAX / 2)
		return diag_fail(d, MLCC_E_USAGE, "%s: text of %zu bytes is too long to encode",
				 t->path, len);
	if ((flags & MLCC_TOKENIZE_ADD_SPECIAL) && t->add_bos && t->bos >= 0 &&
	    push(&out, t->bos) != 0)
		rc = nomem(d);
	for (size_t i = 0; i <= len && rc == MLCC_OK;) {
		const struct added_token *a = i < len ? added_at(t, text + i, len - i) : NULL;
		if (i < len && !a) {
			i++;
			continue;
		}
		rc = encode_segment(&e, text + start, i - start, start == 0);
		if (rc == MLCC_OK && a && push(&out, a->id) != 0)
			rc = nomem(d);
		if (!a)
			break;
		i += a->len;
		start = i;
	}
	free(e.syms);
	if (rc != MLCC_OK) {
		free(out.v);
		return rc;
	}
	if (!out.v && !(out.v = malloc(sizeof *out.v)))
		return nomem(d);
	*ids = out.v;
	*n = out.n;
	return MLCC_OK;
}

/* ---- decoding -------------------------------------------------------------- */

static bool is_special(const struct mlcc_tokenizer *t, int32_t id)
{
	return t->kind[id] == 2;
}

static bool is_added(const struct mlcc_tokenizer *t, int32_t id)
{
	return t->kind[id] != 0;
}

/* A byte-level token back to its bytes. */
static void decode_bytes(struct wbuf *out, const char *s)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		int b = char_byte(cp);
		if (b >= 0)
			wbuf_putc(out, (char)b);
		else
			wbuf_put(out, s + i, l);
		i += l;
	}
}

/* A SentencePiece token: <0xNN> is byte NN, the replacement is a space. */
static void decode_piece(const struct mlcc_tokenizer *t, struct wbuf *out, const char *s)
{
	unsigned v;
	char tail;

	if (t->byte_fallback && strlen(s) == 6 && sscanf(s, "<0x%2X%c", &v, &tail) == 2 &&
	    tail == '>') {
		wbuf_putc(out, (char)v);
		return;
	}
	replace_all(out, s, strlen(s), t->meta_repl ? t->meta_repl : "\xe2\x96\x81", " ");
}

int mlcc_tokenizer_decode(const mlcc_tokenizer *t, const int32_t *ids, size_t n, int flags,
			  char **text, struct mlcc_diag *d)
{
	struct wbuf out;
	bool byte_level = t->dec_byte_level || t->byte_level;

	diag_clear(d);
	*text = NULL;
	wbuf_init(&out);
	for (size_t i = 0; i < n; i++) {
		const char *s = ids[i] >= 0 && (size_t)ids[i] < t->nids ? t->vocab[ids[i]] : NULL;
		if (!s) {
			wbuf_free(&out);
			return diag_fail(d, MLCC_E_USAGE,
					 "%s: token id %d is not in the vocabulary", t->path,
					 (int)ids[i]);
		}
		if ((flags & MLCC_DETOKENIZE_SKIP_SPECIAL) && is_special(t, ids[i]))
			continue;
		if (is_added(t, ids[i]))
			wbuf_puts(&out, s);
		else if (byte_level)
			decode_bytes(&out, s);
		else
			decode_piece(t, &out, s);
	}
	wbuf_putc(&out, '\0');
	if (wbuf_error(&out)) {
		wbuf_free(&out);
		return nomem(d);
	}
	*text = (char *)out.data;
	/* SentencePiece decoders drop the space the encoder prepended. */
	if (!byte_level && t->dec_strip_space && out.data[0] == ' ')
		memmove(out.data, out.data + 1, out.len - 1);
	return MLCC_OK;
}
