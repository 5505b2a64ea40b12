/*
** test_tokenizer.c -- the tokenizer (src/chat/) on tokenizer.json files
** this test writes itself.
**
** Every expected id sequence and piece list below was worked out by hand
** from the vocabularies and merge lists written here (comments show the
** merge steps), not produced by mlcc:
**   - the pre-tokenizer splits (Llama 3, Qwen2, GPT-2 regexes) on ASCII,
**     Latin, Cyrillic, CJK, emoji, digits and whitespace runs;
**   - byte-level BPE (ids 0..255 = the 256 byte characters, string-form
**     merges, two special added tokens, bos from the post-processor and
**     from tokenizer_config.json);
**   - SentencePiece-style BPE (Prepend+Replace normalizer, array-form
**     merges, <0xNN> byte fallback, the Strip decoder) and its Metaspace
**     and Replace-only (Gemma) variants;
**   - decode(encode(x)) == x for ASCII, UTF-8 multi-byte text, emoji and
**     special tokens; the load errors' exact messages.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chat/pretok.h"
#include "mlcc.h"
#include "testkit.h"

static char *dir;

/* ---- the splits ------------------------------------------------------------ */

struct pieces {
	const char *text;
	char got[1024];
};

static int collect(void *ctx, size_t off, size_t len)
{
	struct pieces *p = ctx;
	size_t n = strlen(p->got);

	snprintf(p->got + n, sizeof p->got - n, "[%.*s]", (int)len, p->text + off);
	return 0;
}

/* The pieces of 'text' as "[a][b]..." must equal 'want'. */
static void check_split(enum pretok_split kind, const char *text, const char *want)
{
	struct pieces p = {text, ""};

	CHECK(pretok_run(kind, text, strlen(text), collect, &p) == 0);
	if (strcmp(p.got, want) != 0) {
		tk_failures++;
		fprintf(stderr, "split %d of \"%s\":\n  got  %s\n  want %s\n", (int)kind, text,
			p.got, want);
	}
}

static void test_splits(void)
{
	const enum pretok_split L3 = PRETOK_LLAMA3, Q2 = PRETOK_QWEN2, G2 = PRETOK_GPT2;

	check_split(L3, "Hello world", "[Hello][ world]");
	/* ' ' before a digit is not part of a letter, digit or punctuation
	** piece: \s+ alone; digits go in threes. */
	check_split(L3, "I'm 12345 ok", "[I]['m][ ][123][45][ ok]");
	check_split(Q2, "I'm 12345 ok", "[I]['m][ ][1][2][3][4][5][ ok]");
	check_split(G2, "I'm 12345 ok", "[I]['m][ 12345][ ok]");
	/* (?i:'s...) folds case in Llama 3; GPT-2's contractions do not. */
	check_split(L3, "IT'S", "[IT]['S]");
	check_split(G2, "IT'S", "[IT]['][S]");
	/* \s*[\r\n]+ ends after the last newline; \s+(?!\S) leaves the space
	** before 'b' to " b". */
	check_split(L3, "a  \n\n  b", "[a][  \n\n][ ][ b]");
	check_split(L3, "x!!!\n\ny", "[x][!!!\n\n][y]");
	check_split(L3, "a  ", "[a][  ]");
	check_split(G2, "a  b", "[a][ ][ b]");
	check_split(L3, "h\xc3\xa9llo \xd0\xbc\xd0\xb8\xd1\x80 \xe6\x97\xa5\xe6\x9c\xac",
		    "[h\xc3\xa9llo][ \xd0\xbc\xd0\xb8\xd1\x80][ \xe6\x97\xa5\xe6\x9c\xac]");
	/* An emoji (So) is punctuation-like: it joins the '!' run. */
	check_split(L3, "hi \xf0\x9f\x98\x80!", "[hi][ \xf0\x9f\x98\x80!]");
	/* Arabic-Indic digits are \p{N}. */
	check_split(L3, "\xd9\xa3\xd9\xa4x", "[\xd9\xa3\xd9\xa4][x]");
	/* A tab before letters is the optional leading character. */
	check_split(L3, "a\tb", "[a][\tb]");
	check_split(PRETOK_NONE, "a b", "[a b]");
}

/* ---- writing tokenizer.json files ----------------------------------------- */

static void write_json(const char *name, json_t *j)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	CHECK(json_dump_file(j, path, 0) == 0);
	json_decref(j);
}

/* GPT-2's byte characters: printable Latin-1 as itself, the rest from
** U+0100 in byte order (written here independently of src/chat). */
static void byte_char_utf8(unsigned b, char out[4])
{
	unsigned cp = b, k = 0;

	if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)) {
		for (unsigned i = 0; i < b; i++)
			if (!((i >= 33 && i <= 126) || (i >= 161 && i <= 172) || i >= 174))
				k++;
		cp = 256 + k;
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		out[1] = 0;
	} else {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		out[2] = 0;
	}
}

static const char llama3_re[] =
	"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
	"?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/* Byte-level: ids 0..255 are the bytes; then the merged tokens. */
static json_t *byte_level_json(bool gpt2)
{
	static const char *merges[][3] = {
		{"h", "e", "he"},
		{"l", "l", "ll"},
		{"he", "ll", "hell"},
		{"hell", "o", "hello"},
		{"\xc4\xa0", "w", "\xc4\xa0w"},
		{"o", "r", "or"},
		{"\xc4\xa0w", "or", "\xc4\xa0wor"},
		{"l", "d", "ld"},
		{"\xc4\xa0wor", "ld", "\xc4\xa0world"},
		{"3", "4", "34"},
	};
	json_t *vocab = json_object(), *m = json_array(), *root;
	char ch[4], line[64];

	for (unsigned b = 0; b < 256; b++) {
		byte_char_utf8(b, ch);
		json_object_set_new(vocab, ch, json_integer(b));
	}
	for (size_t i = 0; i < sizeof merges / sizeof merges[0]; i++) {
		json_object_set_new(vocab, merges[i][2], json_integer(256 + (json_int_t)i));
		snprintf(line, sizeof line, "%s %s", merges[i][0], merges[i][1]);
		json_array_append_new(m, json_string(line));
	}
	/* ids: he 256, ll 257, hell 258, hello 259, Ġw 260, or 261, Ġwor 262,
	** ld 263, Ġworld 264, 34 265; added: 266, 267. */
	root = json_pack(
		"{s:[{s:i,s:s,s:b},{s:i,s:s,s:b}],s:n,s:o,s:{s:s,s:o,s:o},s:{s:s},"
		"s:{s:s,s:[{s:{s:s,s:i}},{s:{s:s,s:i}}]}}",
		"added_tokens", "id", 266, "content", "<|begin_of_text|>", "special", 1, "id", 267,
		"content", "<|eot_id|>", "special", 1, "normalizer", "pre_tokenizer",
		gpt2 ? json_pack("{s:s,s:b,s:b}", "type", "ByteLevel", "add_prefix_space", 0,
				 "use_regex", 1)
		     : json_pack("{s:s,s:[{s:s,s:{s:s},s:s,s:b},{s:s,s:b,s:b}]}", "type",
				 "Sequence", "pretokenizers", "type", "Split", "pattern", "Regex",
				 llama3_re, "behavior", "Isolated", "invert", 0, "type",
				 "ByteLevel", "add_prefix_space", 0, "use_regex", 0),
		"model", "type", "BPE", "vocab", vocab, "merges", m, "decoder", "type", "ByteLevel",
		"post_processor", "type", "TemplateProcessing", "single", "SpecialToken", "id",
		"<|begin_of_text|>", "type_id", 0, "Sequence", "id", "A", "type_id", 0);
	CHECK(root != NULL);
	return root;
}

static const char *const sp_tokens[] = {
	"\xe2\x96\x81",
	"h",
	"e",
	"l",
	"o",
	"\xe2\x96\x81h",
	"ll",
	"\xe2\x96\x81he",
	"\xe2\x96\x81hell",
	"\xe2\x96\x81hello",
	"w",
	"r",
	"d",
	"\xe2\x96\x81w",
	"or",
	"\xe2\x96\x81wor",
	"\xe2\x96\x81worl",
	"\xe2\x96\x81world",
	"\xc3\xa9",
};

/* SentencePiece-style: <unk> 0, <s> 1, </s> 2, <0x00>..<0xFF> 3..258,
** then sp_tokens from 259: ▁ 259, h 260, e 261, l 262, o 263, ▁h 264,
** ll 265, ▁he 266, ▁hell 267, ▁hello 268, w 269, r 270, d 271, ▁w 272,
** or 273, ▁wor 274, ▁worl 275, ▁world 276, é 277. */
static json_t *sentencepiece_json(const char *variant)
{
	static const char *merges[][2] = {
		{"\xe2\x96\x81", "h"},
		{"l", "l"},
		{"\xe2\x96\x81h", "e"},
		{"\xe2\x96\x81he", "ll"},
		{"\xe2\x96\x81hell", "o"},
		{"\xe2\x96\x81", "w"},
		{"o", "r"},
		{"\xe2\x96\x81w", "or"},
		{"\xe2\x96\x81wor", "l"},
		{"\xe2\x96\x81worl", "d"},
	};
	json_t *vocab = json_object(), *m = json_array(), *norm, *pre, *dec;
	char name[16];

	json_object_set_new(vocab, "<unk>", json_integer(0));
	json_object_set_new(vocab, "<s>", json_integer(1));
	json_object_set_new(vocab, "</s>", json_integer(2));
	for (unsigned b = 0; b < 256; b++) {
		snprintf(name, sizeof name, "<0x%02X>", b);
		json_object_set_new(vocab, name, json_integer(3 + b));
	}
	for (size_t i = 0; i < sizeof sp_tokens / sizeof sp_tokens[0]; i++)
		json_object_set_new(vocab, sp_tokens[i], json_integer(259 + (json_int_t)i));
	for (size_t i = 0; i < sizeof merges / sizeof merges[0]; i++)
		json_array_append_new(m, json_pack("[s,s]", merges[i][0], merges[i][1]));
	if (strcmp(variant, "metaspace") == 0) {
		norm = json_null();
		pre = json_pack("{s:s,s:s,s:s,s:b}", "type", "Metaspace", "replacement",
				"\xe2\x96\x81", "prepend_scheme", "first", "split", 0);
		dec = json_pack("{s:s,s:s,s:s,s:b}", "type", "Metaspace", "replacement",
				"\xe2\x96\x81", "prepend_scheme", "first", "split", 0);
	} else {
		json_t *rep = json_pack("{s:s,s:{s:s},s:s}", "type", "Replace", "pattern", "String",
					" ", "content", "\xe2\x96\x81");
		norm = strcmp(variant, "gemma") == 0
			       ? rep
			       : json_pack("{s:s,s:[{s:s,s:s},o]}", "type", "Sequence",
					   "normalizers", "type", "Prepend", "prepend",
					   "\xe2\x96\x81", rep);
		pre = json_null();
		dec = json_pack("{s:s,s:[{s:s,s:{s:s},s:s},{s:s},{s:s},{s:s,s:s,s:i,s:i}]}", "type",
				"Sequence", "decoders", "type", "Replace", "pattern", "String",
				"\xe2\x96\x81", "content", " ", "type", "ByteFallback", "type",
				"Fuse", "type", "Strip", "content", " ", "start",
				strcmp(variant, "gemma") == 0 ? 0 : 1, "stop", 0);
	}
	return json_pack("{s:[{s:i,s:s,s:b},{s:i,s:s,s:b},{s:i,s:s,s:b}],s:o,s:o,"
			 "s:{s:s,s:o,s:o,s:s,s:b,s:b},s:o,"
			 "s:{s:s,s:[{s:{s:s,s:i}},{s:{s:s,s:i}}]}}",
			 "added_tokens", "id", 0, "content", "<unk>", "special", 1, "id", 1,
			 "content", "<s>", "special", 1, "id", 2, "content", "</s>", "special", 1,
			 "normalizer", norm, "pre_tokenizer", pre, "model", "type", "BPE", "vocab",
			 vocab, "merges", m, "unk_token", "<unk>", "byte_fallback", 1, "fuse_unk",
			 1, "decoder", dec, "post_processor", "type", "TemplateProcessing",
			 "single", "SpecialToken", "id", "<s>", "type_id", 0, "Sequence", "id", "A",
			 "type_id", 0);
}

/* ---- checks ---------------------------------------------------------------- */

static mlcc_tokenizer *load(const char *name)
{
	char path[512];
	struct mlcc_diag d;
	mlcc_tokenizer *t = NULL;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (mlcc_tokenizer_load(path, &t, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "load %s: %s\n", name, d.message);
	}
	return t;
}

/* encode(text) must give want[0..n). */
static void check_ids(const mlcc_tokenizer *t, const char *text, int flags, const int32_t *want,
		      size_t n, int line)
{
	struct mlcc_diag d;
	int32_t *ids = NULL;
	size_t got = 0;

	if (mlcc_tokenizer_encode(t, text, flags, &ids, &got, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "line %d: encode failed: %s\n", line, d.message);
		return;
	}
	if (got != n || memcmp(ids, want, n * sizeof *ids) != 0) {
		tk_failures++;
		fprintf(stderr, "line %d: encode(\"%s\") =", line, text);
		for (size_t i = 0; i < got; i++)
			fprintf(stderr, " %d", (int)ids[i]);
		fprintf(stderr, "\n");
	}
	free(ids);
}

#define IDS(t, text, flags, ...)                                                                   \
	do {                                                                                       \
		static const int32_t w_[] = {__VA_ARGS__};                                         \
		check_ids(t, text, flags, w_, sizeof w_ / sizeof w_[0], __LINE__);                 \
	} while (0)

/* decode(ids) must be 'want'. */
static void check_text(const mlcc_tokenizer *t, const int32_t *ids, size_t n, int flags,
		       const char *want, int line)
{
	struct mlcc_diag d;
	char *text = NULL;

	if (mlcc_tokenizer_decode(t, ids, n, flags, &text, &d) != MLCC_OK) {
		tk_failures++;
		fprintf(stderr, "line %d: decode failed: %s\n", line, d.message);
		return;
	}
	if (strcmp(text, want) != 0) {
		tk_failures++;
		fprintf(stderr, "line %d: decode = \"%s\", want \"%s\"\n", line, text, want);
	}
	free(text);
}

#define TEXT(t, flags, want, ...)                                                                  \
	do {                                                                                       \
		static const int32_t i_[] = {__VA_ARGS__};                                         \
		check_text(t, i_, sizeof i_ / sizeof i_[0], flags, want, __LINE__);                \
	} while (0)

/* decode(encode(text)) must be 'want'. */
static void check_decoded(const mlcc_tokenizer *t, const char *text, const char *want)
{
	struct mlcc_diag d;
	int32_t *ids = NULL;
	size_t n = 0;
	char *back = NULL;

	CHECK(mlcc_tokenizer_encode(t, text, 0, &ids, &n, &d) == MLCC_OK);
	CHECK(mlcc_tokenizer_decode(t, ids, n, 0, &back, &d) == MLCC_OK);
	if (!back || strcmp(back, want) != 0) {
		tk_failures++;
		fprintf(stderr, "decode(encode(\"%s\")) gave \"%s\", want \"%s\"\n", text,
			back ? back : "(null)", want);
	}
	free(ids);
	free(back);
}

static void check_roundtrip(const mlcc_tokenizer *t, const char *text)
{
	struct mlcc_diag d;
	int32_t *ids = NULL;
	size_t n = 0;
	char *back = NULL;

	CHECK(mlcc_tokenizer_encode(t, text, 0, &ids, &n, &d) == MLCC_OK);
	CHECK(mlcc_tokenizer_decode(t, ids, n, 0, &back, &d) == MLCC_OK);
	if (!back || strcmp(back, text) != 0) {
		tk_failures++;
		fprintf(stderr, "round trip of \"%s\" gave \"%s\"\n", text, back ? back : "(null)");
	}
	free(ids);
	free(back);
}

static const char *const samples[] = {
	"hello world",
	"Hello, World! 12345 and 3.14159",
	"h\xc3\xa9llo w\xc3\xb6rld \xc3\xb1 \xd0\xbc\xd0\xb8\xd1\x80",
	("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83"
	 "\x88"),
	"emoji \xf0\x9f\x98\x80\xf0\x9f\x8e\x89 ok \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",
	"tabs\tand\nnewlines\r\n  indented\n\n",
	"<|begin_of_text|>hi<|eot_id|>",
};

static void test_byte_level(void)
{
	mlcc_tokenizer *t, *g;
	json_t *j;
	const int SP = MLCC_TOKENIZE_ADD_SPECIAL;

	write_json("bl.json", byte_level_json(false));
	write_json("gpt2.json", byte_level_json(true));
	if (!(t = load("bl.json")) || !(g = load("gpt2.json"))) {
		mlcc_tokenizer_free(t);
		return;
	}
	/* "hello": he(0) ll(1) hell(2) hello(3); " world" = Ġworld by
	** Ġw(4) or(5) Ġwor(6) ld(7) Ġworld(8). */
	IDS(t, "hello world", 0, 259, 264);
	IDS(t, "hello world", SP, 266, 259, 264);
	IDS(t, "<|begin_of_text|>hello<|eot_id|>", 0, 266, 259, 267);
	/* Llama 3 cuts "12345" into 123|45: the 3 4 merge cannot apply;
	** GPT-2 keeps " 12345" whole and merges it. */
	IDS(t, "12345", 0, 49, 50, 51, 52, 53);
	IDS(g, "12345", 0, 49, 50, 265, 53);
	/* é = C3 A9 -> the byte characters Ã (U+00C3) and © (U+00A9). */
	IDS(t, "\xc3\xa9", 0, 195, 169);
	/* A space is Ġ (id 32), a newline Ċ (id 10). */
	IDS(t, " \n", 0, 32, 10);
	CHECK(mlcc_tokenizer_bos(t) == 266);
	CHECK(mlcc_tokenizer_eos(t) == -1);
	CHECK(mlcc_tokenizer_size(t) == 268);
	CHECK(mlcc_tokenizer_token_id(t, "<|eot_id|>") == 267);
	CHECK(mlcc_tokenizer_token_id(t, "hello") == 259);
	CHECK(mlcc_tokenizer_token_id(t, "<end_of_turn>") == -1);
	TEXT(t, 0, "<|begin_of_text|>hello world", 266, 259, 264);
	TEXT(t, MLCC_DETOKENIZE_SKIP_SPECIAL, "hello world<", 266, 259, 264, 60, 267);
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		check_roundtrip(t, samples[i]);
		check_roundtrip(g, samples[i]);
	}
	mlcc_tokenizer_free(t);
	mlcc_tokenizer_free(g);
	/* Qwen2's NFC normalizer: e + COMBINING ACUTE is é (C3 A9) first. */
	j = byte_level_json(false);
	json_object_set_new(j, "normalizer", json_pack("{s:s}", "type", "NFC"));
	write_json("nfc.json", j);
	if ((t = load("nfc.json")) != NULL) {
		IDS(t, "e\xcc\x81", 0, 195, 169);
		IDS(t, "\xc3\xa9", 0, 195, 169);
		mlcc_tokenizer_free(t);
	}
	if ((t = load("bl.json")) != NULL) { /* without NFC: the three bytes */
		IDS(t, "e\xcc\x81", 0, 101, 204, 129);
		mlcc_tokenizer_free(t);
	}
	/* GPT-2 with add_prefix_space: "hello" is " hello" = Ġ + hello (no
	** Ġh merge), in every stretch between added tokens; decode keeps it. */
	j = byte_level_json(true);
	json_object_set_new(json_object_get(j, "pre_tokenizer"), "add_prefix_space", json_true());
	write_json("gpt2p.json", j);
	if ((t = load("gpt2p.json")) != NULL) {
		IDS(t, "hello", 0, 32, 259);
		IDS(t, " hello", 0, 32, 259);
		IDS(t, "<|eot_id|>hello", 0, 267, 32, 259);
		TEXT(t, 0, " hello", 32, 259);
		mlcc_tokenizer_free(t);
	}
}

/* tokenizer_config.json beside tokenizer.json gives bos/eos and whether
** bos is added. */
static void test_config(void)
{
	char sub[512];
	mlcc_tokenizer *t;

	snprintf(sub, sizeof sub, "%s/cfg", dir);
	CHECK(mkdir(sub, 0777) == 0);
	write_json("cfg/tokenizer.json", byte_level_json(false));
	write_json("cfg/tokenizer_config.json",
		   json_pack("{s:s,s:{s:s},s:b,s:[{s:s,s:s},{s:s,s:s}]}", "bos_token",
			     "<|begin_of_text|>", "eos_token", "content", "<|eot_id|>",
			     "add_bos_token", 0, "chat_template", "name", "tool_use", "template",
			     "A", "name", "default", "template", "B"));
	if (!(t = load("cfg"))) /* a directory names its tokenizer.json */
		return;
	CHECK(mlcc_tokenizer_bos(t) == 266);
	CHECK(mlcc_tokenizer_eos(t) == 267);
	IDS(t, "hello", MLCC_TOKENIZE_ADD_SPECIAL, 259);
	/* The "default" of a list of named templates. */
	CHECK(mlcc_tokenizer_chat_template(t) && strcmp(mlcc_tokenizer_chat_template(t), "B") == 0);
	mlcc_tokenizer_free(t);
	/* No tokenizer_config.json: chat_template.jinja beside, else none. */
	CHECK((t = load("bl.json")) && mlcc_tokenizer_chat_template(t) == NULL);
	mlcc_tokenizer_free(t);
	snprintf(sub, sizeof sub, "%s/chat_template.jinja", dir);
	FILE *f = fopen(sub, "w");
	fputs("{{ bos_token }}", f);
	fclose(f);
	if ((t = load("bl.json")) != NULL)
		CHECK(mlcc_tokenizer_chat_template(t) &&
		      strcmp(mlcc_tokenizer_chat_template(t), "{{ bos_token }}") == 0);
	mlcc_tokenizer_free(t);
}

static void test_sentencepiece(void)
{
	mlcc_tokenizer *t, *m, *g;
	const int SP = MLCC_TOKENIZE_ADD_SPECIAL;

	write_json("sp.json", sentencepiece_json("llama2"));
	write_json("ms.json", sentencepiece_json("metaspace"));
	write_json("gemma.json", sentencepiece_json("gemma"));
	t = load("sp.json");
	m = load("ms.json");
	g = load("gemma.json");
	if (!t || !m || !g)
		goto out;
	/* "▁hello▁world": ▁h(0) ll(1) ▁he(2) ▁hell(3) ▁hello(4) ▁w(5) or(6)
	** ▁wor(7) ▁worl(8) ▁world(9). */
	IDS(t, "hello world", 0, 268, 276);
	IDS(t, "hello world", SP, 1, 268, 276);
	/* "▁hé!": ▁h merges; é is in the vocabulary; '!' falls back to
	** <0x21> = 3 + 0x21. */
	IDS(t, "h\xc3\xa9!", 0, 264, 277, 36);
	/* 日 = E6 97 A5, not in the vocabulary: three byte tokens. */
	IDS(t, "\xe6\x97\xa5", 0, 259, 3 + 0xE6, 3 + 0x97, 3 + 0xA5);
	/* Special tokens split the text; Prepend applies to each stretch. */
	IDS(t, "<s>hello", 0, 1, 268);
	CHECK(mlcc_tokenizer_bos(t) == 1);
	TEXT(t, 0, "<s> hello world", 1, 268, 276);
	TEXT(t, MLCC_DETOKENIZE_SKIP_SPECIAL, "hello world", 1, 268, 276);
	/* Byte fallback reassembles the UTF-8 of 😀 (F0 9F 98 80). */
	TEXT(t, 0, "x\xf0\x9f\x98\x80", 259, 3 + 'x', 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80);
	/* Metaspace: the same ids; a text starting with a space gets no
	** second ▁ (" hello" -> "▁hello"). */
	IDS(m, "hello world", 0, 268, 276);
	IDS(m, " hello", 0, 268);
	/* Gemma: Replace only, no prefix: h e ll o. */
	IDS(g, "hello", 0, 260, 261, 265, 263);
	TEXT(g, 0, " hello", 268);
	for (size_t i = 0; i + 1 < sizeof samples / sizeof samples[0]; i++) {
		check_roundtrip(t, samples[i]);
		check_roundtrip(m, samples[i]);
		check_roundtrip(g, samples[i]);
	}
	/* Around special tokens the prefix stays (as in Hugging Face). */
	IDS(t, "<s>hi</s>", 0, 1, 264, 3 + 'i', 2);
	TEXT(t, 0, "<s> hi</s>", 1, 264, 3 + 'i', 2);
out:
	mlcc_tokenizer_free(t);
	mlcc_tokenizer_free(m);
	mlcc_tokenizer_free(g);
}

/* A deterministic pseudo-random string of up to 40 pieces: ASCII letters,
** digits, spaces, newlines, punctuation, 2/3/4-byte characters, and with
** 'raw' also bytes that are not UTF-8 (byte-level BPE takes any bytes). */
static void random_text(uint64_t *seed, bool raw, char *out, size_t cap)
{
	static const char *const pieces[] = {
		"a",	 "Z", "7", " ",	       "  ",	   "\n",	   "\t",
		"'s",	 "!", ".", "\xc3\xa9", "\xd0\xb6", "\xe6\x97\xa5", "\xf0\x9f\x98\x80",
		"hello", "ll"};
	size_t n = 0, k;

	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	k = (size_t)(*seed >> 59) + (size_t)(*seed >> 61); /* 0..38 */
	for (size_t i = 0; i < k; i++) {
		const char *p;
		char b[2] = {0, 0};
		*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
		if (raw && (*seed >> 60) == 0) {
			b[0] = (char)(0x80 + ((*seed >> 40) & 0x7F)); /* a lone continuation */
			p = b;
		} else
			p = pieces[(*seed >> 33) % (sizeof pieces / sizeof pieces[0])];
		if (n + strlen(p) + 1 >= cap)
			break;
		memcpy(out + n, p, strlen(p));
		n += strlen(p);
	}
	out[n] = '\0';
}

/* decode(encode(x)) == x over many random texts, for every tokenizer
** kind written here (byte-level ones also on invalid UTF-8). */
static void test_random_roundtrips(void)
{
	static const char *const files[] = {"bl.json", "gpt2.json", "sp.json", "ms.json",
					    "gemma.json"};
	uint64_t seed = 12345;
	char text[512];

	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		mlcc_tokenizer *t = load(files[f]);
		if (!t)
			continue;
		for (int i = 0; i < 500; i++) {
			random_text(&seed, f < 2, text, sizeof text);
			/* Metaspace (prepend_scheme first) takes a leading space as
			** its prefix and its decoder drops it, as in Hugging Face. */
			check_decoded(t, text, f == 3 && text[0] == ' ' ? text + 1 : text);
		}
		mlcc_tokenizer_free(t);
	}
}

/* Split on a literal string (as Gemma's tokenizer.json has), each
** behaviour, on " hello" = "▁hello" with delimiter "ll" (Gemma variant:
** no prefix).  Unsplit it is ▁hello (268). */
static void test_string_split(void)
{
	static const char *const beh[] = {"Isolated", "Removed", "MergedWithPrevious",
					  "MergedWithNext"};
	/* "▁he"|"ll"|"o"; "▁he"|"o"; "▁hell"|"o"; "▁he"|"llo" (= ll o). */
	static const int32_t want[4][3] = {
		{266, 265, 263}, {266, 263}, {267, 263}, {266, 265, 263}};
	static const size_t n[4] = {3, 2, 2, 3};

	for (int i = 0; i < 4; i++) {
		json_t *j = sentencepiece_json("gemma");
		mlcc_tokenizer *t;
		json_object_set_new(j, "pre_tokenizer",
				    json_pack("{s:s,s:{s:s},s:s,s:b}", "type", "Split", "pattern",
					      "String", "ll", "behavior", beh[i], "invert", 0));
		write_json("split.json", j);
		if (!(t = load("split.json")))
			continue;
		check_ids(t, " hello", 0, want[i], n[i], __LINE__ + i * 1000);
		if (i != 1) /* Removed drops the delimiters */
			check_roundtrip(t, "hello world, all well");
		mlcc_tokenizer_free(t);
	}
}

/* A load failure with exactly this status and message. */
static void check_error(const char *name, int status, const char *want)
{
	char path[512], msg[1024];
	struct mlcc_diag d;
	mlcc_tokenizer *t = NULL;
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	rc = mlcc_tokenizer_load(path, &t, &d);
	snprintf(msg, sizeof msg, want, dir);
	CHECK(t == NULL);
	if (rc != status || strcmp(d.message, msg) != 0) {
		tk_failures++;
		fprintf(stderr, "load %s: %d \"%s\"\n  want %d \"%s\"\n", name, rc, d.message,
			status, msg);
	}
	mlcc_tokenizer_free(t);
}

static void test_errors(void)
{
	json_t *j = byte_level_json(false);

	check_error("nothing", MLCC_E_IO, "%s/nothing: tokenizer not found");
	json_object_set_new(json_object_get(j, "model"), "type", json_string("WordPiece"));
	write_json("wp.json", j);
	check_error("wp.json", MLCC_E_UNSUPPORTED,
		    "%s/wp.json: model type \"WordPiece\" is not supported");
	j = byte_level_json(false);
	json_object_set_new(
		json_array_get(
			json_object_get(json_object_get(j, "pre_tokenizer"), "pretokenizers"), 0),
		"pattern", json_pack("{s:s}", "Regex", "\\w+"));
	write_json("re.json", j);
	check_error("re.json", MLCC_E_UNSUPPORTED,
		    "%s/re.json: pre_tokenizer Split pattern \"\\\\w+\" is not supported");
	/* An id far beyond the vocabulary would size the tables. */
	j = byte_level_json(false);
	json_object_set_new(json_object_get(json_object_get(j, "model"), "vocab"), "far",
			    json_integer(1 << 24));
	write_json("far.json", j);
	check_error("far.json", MLCC_E_CORRUPT,
		    "%s/far.json: model.vocab is empty or has an id above 16777215");
	j = byte_level_json(false);
	json_array_append_new(json_object_get(json_object_get(j, "model"), "merges"),
			      json_string("zz q"));
	write_json("merge.json", j);
	check_error(
		"merge.json", MLCC_E_CORRUPT,
		"%s/merge.json: merge 10 (\"zzq\") names a token that is not in the vocabulary");
}

int main(void)
{
	if (!(dir = tk_tmpdir()))
		return 1;
	test_splits();
	test_byte_level();
	test_config();
	test_sentencepiece();
	test_string_split();
	test_random_roundtrips();
	test_errors();
	tk_rm_rf(dir);
	free(dir);
	if (tk_failures)
		fprintf(stderr, "test_tokenizer: %d failure(s)\n", tk_failures);
	return tk_failures ? 1 : 0;
}
