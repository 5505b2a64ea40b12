/*
 * test_nsdict.c - checks src/nsdict.c and src/md_keyorder.c against known
 * CFString hashes and against the key order of real Apple metadata.json
 * dictionaries (key names only; the files stay in ../shared/corpus).
 *
 * Build and run (from the repository root):
 *   gcc -std=c11 -Wall -Wextra -Werror -fsanitize=address,undefined -Isrc \
 *       tests/unit/test_nsdict.c src/nsdict.c src/md_keyorder.c \
 *       -o test_nsdict && ./test_nsdict
 * Exit status 0 = all passed; every failure is printed to stderr.
 *
 * Where the expected values come from:
 *  - hashes: the short ones are derived by hand from the CF formula
 *    (comments below); the long and non-ASCII ones from an independent
 *    Python implementation of CF's __CFStrHashCharacters over UTF-16 code
 *    units (written from CFString.c, not from nsdict.c); the > 96 rule is
 *    also checked structurally (only units in the three 32-unit windows
 *    count).
 *  - dictionary orders: the printed key order of real metadata.json files.
 *    Histograms: every distinct histogram of the corpus files that have a
 *    model.mil (39 distinct of 55 functions), given as (first appearance of
 *    each op in the printed function, const skipped) -> (printed order).
 *    Other kinds: the distinct orders documented in
 *    docs/spec/metadata-keys.md §7 and docs/spec/mlmodelc.md §5.2
 *    (178 public files; each label says how often the order occurs in the
 *    corpus).  PREDICTED cases are regression values of the model for key
 *    sets never observed.
 */
#include "bundle/metadata/keyorder.h"
#include "bundle/metadata/nsdict.h"
#include "model/stamp.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static int checks;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		checks++;                                                                          \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

/* ---- a list of keys, parsed from a space-separated string ------------- */

#define MAXKEYS 64

struct keys {
	const char *k[MAXKEYS];
	size_t len[MAXKEYS];
	size_t n;
	char buf[2048];
};

static void split(struct keys *ks, const char *s)
{
	char *p;
	size_t l = strlen(s);
	if (l >= sizeof ks->buf) {
		fprintf(stderr, "test data too long\n");
		exit(2);
	}
	memcpy(ks->buf, s, l + 1);
	ks->n = 0;
	for (p = strtok(ks->buf, " "); p; p = strtok(NULL, " ")) {
		if (ks->n == MAXKEYS) {
			fprintf(stderr, "too many keys in test data\n");
			exit(2);
		}
		ks->k[ks->n] = p;
		ks->len[ks->n] = strlen(p);
		ks->n++;
	}
}

static void print_order(const char *what, const struct keys *ks, const size_t *order)
{
	size_t i;
	fprintf(stderr, "    %s:", what);
	for (i = 0; i < ks->n; i++)
		fprintf(stderr, " %s", ks->k[order ? order[i] : i]);
	fputc('\n', stderr);
}

/* 1 if keys in `order` (indices into got) spell `want`. */
static int same_order(const struct keys *got, const size_t *order, const struct keys *want)
{
	size_t i;
	if (got->n != want->n)
		return 0;
	for (i = 0; i < want->n; i++)
		if (got->len[order[i]] != want->len[i] ||
		    memcmp(got->k[order[i]], want->k[i], want->len[i]) != 0)
			return 0;
	return 1;
}

/* ---- hashes ------------------------------------------------------------ */

struct hcheck {
	const char *s;
	size_t len;
	uint64_t want;
	const char *why;
};

static void test_hash(void)
{
	/* clang-format off */
	static const struct hcheck h[] = {
		{ "", 0, 0, "len 0: h = 0, 0 + (0 << 0)" },
		{ "a", 1, 1062, "h = 1*257 + 97 = 354; 354 + (354 << 1)" },
		{ "abcd", 4, 32691786862u,
          "h = 4*67503105 + 97*16974593 + 98*66049 + 99*257 + 100"
          " = 1923046286; h + (h << 4) = 17h" },
		{ "\xc3\xa9", 2, 1470,
          "U+00E9 is one unit: h = 1*257 + 0xE9 = 490; 490 + (490 << 1)" },
		{ "\xf0\x9f\x98\x80", 4, 72078395u,
          "U+1F600 = D83D DE00: h = (2*257 + 0xD83D)*257 + 0xDE00"
          " = 14415679; h + (h << 2)" },
		{ "a\0b", 3, 515975670u,
          "embedded NUL: h = (3*257 + 97)*257 + 0 = 223076, *257 + 98 ="
          " 57330630; h + (h << 3) = 9h" },
		{ "metadataOutputVersion", 21, 120524150765582285u, "reference" },
		{ "shortDescription", 16, 14055736738635317956u, "reference" },
		{ "isUpdatable", 11, 15043791455720538745u, "reference" },
		{ "stateSchema", 11, 8817324282956686205u, "reference" },
		{ "Dictionary (String \xe2\x86\x92 Double)", 30,
          12327999602588908615u, "reference, non-ASCII (U+2192)" },
		{ "\xe2\x9c\x89\xef\xb8\x8f", 6, 13826690u,
          "U+2709 U+FE0F (an Emo classLabel): h = (2*257 + 0x2709)*257 +"
          " 0xFE0F = 2765338; h + (h << 2)" },
	};
	/* clang-format on */
	size_t i;
	for (i = 0; i < sizeof h / sizeof h[0]; i++) {
		uint64_t got = nsdict_string_hash(h[i].s, h[i].len);
		CHECK(got == h[i].want, "hash #%zu (%s) = %llu, want %llu", i, h[i].why,
		      (unsigned long long)got, (unsigned long long)h[i].want);
	}
}

/* Keys longer than 96 UTF-16 units: only [0,32), [len/2-16, len/2+16) and
 * [len-32, len) are hashed (plus the length). */
static void test_hash_long(void)
{
	char a[300], b[300];
	uint64_t h0, h1;
	size_t i;

	/* 'k' * 1000 and 'x' * 97: reference values */
	{
		char *big = malloc(1000);
		CHECK(big != NULL, "malloc");
		if (big) {
			memset(big, 'k', 1000);
			CHECK(nsdict_string_hash(big, 1000) == 5461102886604055560u,
			      "hash('k' * 1000) = %llu",
			      (unsigned long long)nsdict_string_hash(big, 1000));
			memset(big, 'x', 97);
			CHECK(nsdict_string_hash(big, 97) == 12923962132359948323u,
			      "hash('x' * 97) = %llu",
			      (unsigned long long)nsdict_string_hash(big, 97));
			free(big);
		}
	}
	{
		static const char fox[] = "The quick brown fox jumps over the lazy dog; "
					  "The quick brown fox jumps over the lazy dog; "
					  "The quick brown fox jumps over the lazy dog; "
					  "The quick brown fox jumps over the lazy dog; ";
		CHECK(sizeof fox - 1 == 180, "fox length");
		CHECK(nsdict_string_hash(fox, 180) == 10832248353554757159u,
		      "hash(fox * 4, 180 units) = %llu",
		      (unsigned long long)nsdict_string_hash(fox, 180));
	}
	{
		/* 40 x U+00E9, 20 x U+1F600 (40 units), 50 x U+00D7: 130 units,
		 * the surrogate pairs straddle the middle window. */
		char m[40 * 2 + 20 * 4 + 50 * 2 + 1], *p = m;
		for (i = 0; i < 40; i++) {
			*p++ = '\xc3';
			*p++ = '\xa9';
		}
		for (i = 0; i < 20; i++) {
			*p++ = '\xf0';
			*p++ = '\x9f';
			*p++ = '\x98';
			*p++ = '\x80';
		}
		for (i = 0; i < 50; i++) {
			*p++ = '\xc3';
			*p++ = '\x97';
		}
		CHECK(nsdict_string_hash(m, (size_t)(p - m)) == 15106105974960539804u,
		      "hash(mixed non-ASCII, 130 units) = %llu",
		      (unsigned long long)nsdict_string_hash(m, (size_t)(p - m)));
	}
	/* structure: 300 units -> windows [0,32) [134,166) [268,300) */
	memset(a, 'q', 300);
	memcpy(b, a, 300);
	h0 = nsdict_string_hash(a, 300);
	b[40] = 'z'; /* outside every window */
	b[200] = 'z';
	h1 = nsdict_string_hash(b, 300);
	CHECK(h0 == h1, "units outside the 3 windows must not count");
	memcpy(b, a, 300);
	b[150] = 'z'; /* inside the middle window */
	CHECK(nsdict_string_hash(b, 300) != h0, "middle window must count");
	memcpy(b, a, 300);
	b[299] = 'z';
	CHECK(nsdict_string_hash(b, 300) != h0, "last window must count");
	CHECK(nsdict_string_hash(a, 96) != nsdict_string_hash(a, 97), "96 vs 97 units");
}

static void test_hash_invalid_utf8(void)
{
	/* every malformed byte becomes one U+FFFD (EF BF BD) */
	static const struct {
		const char *bad;
		size_t bl;
		const char *good;
	} t[] = {
		{"\xff", 1, "\xef\xbf\xbd"},
		{"a\x80"
		 "b",
		 3,
		 "a\xef\xbf\xbd"
		 "b"},
		{"\xc3", 1, "\xef\xbf\xbd"},		     /* truncated */
		{"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong */
		{"\xed\xa0\x80", 3,			     /* surrogate */
		 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"\xf4\x90\x80\x80", 4, /* > 10FFFF */
		 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"\xe2\x86", 2, "\xef\xbf\xbd\xef\xbf\xbd"}, /* cut 3-byte */
	};
	size_t i;
	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECK(nsdict_string_hash(t[i].bad, t[i].bl) ==
			      nsdict_string_hash(t[i].good, strlen(t[i].good)),
		      "invalid UTF-8 case %zu", i);
	CHECK(nsdict_string_hash(NULL, 0) == 0, "NULL, 0");
}

/* ---- table sizes and big tables ---------------------------------------- */

static void test_sizes(void)
{
	static const size_t t[][2] = {
		{0, 0},	  {1, 3},    {3, 3},	   {4, 7},	  {6, 7},   {7, 13},
		{11, 13}, {12, 23},  {19, 23},	   {20, 41},	  {32, 41}, {33, 71},
		{52, 71}, {53, 127}, {4543, 7351}, {5000, 11959},
	};
	size_t i;
	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECK(nsdict_table_size(t[i][0]) == t[i][1],
		      "table size for %zu keys = %zu, want %zu", t[i][0],
		      nsdict_table_size(t[i][0]), t[i][1]);
}

static void test_big(void)
{
	/* keys op_0 .. op_4999; expected prefix and checksum
	 * (sum of (i+1)*order[i]) from the Python reference model */
	enum { N = 5000 };
	static const struct {
		int cap;
		size_t first[8];
		unsigned long long sum;
	} want[] = {
		{-1,
		 {1216, 1694, 1455, 4949, 3133, 3372, 4239, 4478},
		 31094751248ull}, /* GROWING */
		{-2,
		 {1455, 1694, 3843, 4949, 3133, 3372, 4239, 4478},
		 31083522256ull}, /* PRESIZED */
		{3000,
		 {1216, 1694, 1455, 4949, 3133, 3372, 4239, 4478},
		 31094751248ull}, /* capacity 3000 */
	};
	char(*names)[8] = malloc(N * sizeof *names);
	const char **keys = malloc(N * sizeof *keys);
	size_t *order = malloc(N * sizeof *order);
	unsigned char *seen = malloc(N);
	size_t i, w;

	CHECK(names && keys && order && seen, "malloc");
	if (!(names && keys && order && seen))
		goto out;
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "op_%zu", i);
		keys[i] = names[i];
	}
	for (w = 0; w < sizeof want / sizeof want[0]; w++) {
		unsigned long long sum = 0;
		int rc, perm;
		if (want[w].cap == -1)
			rc = nsdict_order(keys, NULL, N, NSDICT_GROWING, order);
		else if (want[w].cap == -2)
			rc = nsdict_order(keys, NULL, N, NSDICT_PRESIZED, order);
		else
			rc = nsdict_order_cap(keys, NULL, N, (size_t)want[w].cap, order);
		CHECK(rc == 0, "5000 keys, case %zu: rc %d", w, rc);
		if (rc != 0)
			continue;
		memset(seen, 0, N);
		perm = 1;
		for (i = 0; i < N; i++) {
			if (order[i] >= N || seen[order[i]])
				perm = 0;
			else
				seen[order[i]] = 1;
			sum += (unsigned long long)(i + 1) * order[i];
		}
		CHECK(perm, "5000 keys, case %zu: not a permutation", w);
		CHECK(memcmp(order, want[w].first, sizeof want[w].first) == 0,
		      "5000 keys, case %zu: wrong first indices", w);
		CHECK(sum == want[w].sum, "5000 keys, case %zu: checksum %llu", w, sum);
	}
	CHECK(nsdict_order(keys, NULL, 0, NSDICT_GROWING, order) == 0, "n = 0");
	/* n = capacity: presized */
	{
		size_t o2[64];
		CHECK(nsdict_order_cap(keys, NULL, 64, 64, order) == 0 &&
			      nsdict_order(keys, NULL, 64, NSDICT_PRESIZED, o2) == 0 &&
			      memcmp(order, o2, sizeof o2) == 0,
		      "capacity n == PRESIZED");
	}
out:
	free(names);
	free(keys);
	free(order);
	free(seen);
}

/* ---- real dictionaries -------------------------------------------------- */

/* A histogram: version, first-appearance order, printed order. */
struct hcase {
	const char *label;
	unsigned major, minor, patch;
	const char *first_appearance;
	const char *printed;
};

/* A fixed-key dictionary: kind and printed order (the keys present). */
struct dcase {
	enum md_dict_kind kind;
	const char *label;
	const char *printed;
};

/* clang-format off */
static const struct hcase hist_cases[] = {
	{ "mobius-fa3fe005-silero-vad-unified-v6.0.0", 3500, 32, 1,
      "Cast ExpandDims Conv SliceByIndex Pow Add Sqrt Log Relu Clip "
      "Squeeze Transpose Lstm Sigmoid ReduceMean",
      "Log Lstm SliceByIndex Clip Transpose Pow Relu Squeeze Cast Sigmoid "
      "Add Sqrt ExpandDims ReduceMean Conv" },
	{ "mobius-fa3fe005-unified_256ms_mixed", 3500, 32, 1,
      "Ios16.cast SliceByIndex Concat ExpandDims "
      "Ios16.constexprAffineDequantize Ios16.conv Ios16.pow Ios16.add "
      "Ios16.sqrt Ios16.log Ios16.relu Ios16.clip Squeeze Transpose "
      "Ios16.lstm Ios16.sigmoid Ios16.reduceMean Ios16.sub Ios16.mul",
      "Concat Ios16.cast Ios16.mul SliceByIndex "
      "Ios16.constexprAffineDequantize Ios16.sqrt Transpose Ios16.sub "
      "Ios16.log Ios16.sigmoid Ios16.conv Ios16.add Ios16.relu Squeeze "
      "Ios16.clip Ios16.lstm Ios16.pow ExpandDims Ios16.reduceMean" },
	{ "mobius-fa3fe005-unified_256ms_palette_2bit (+3 more)", 3500, 32, 1,
      "Ios16.cast SliceByIndex Concat ExpandDims "
      "Ios16.constexprLutToDense Ios16.conv Ios16.pow Ios16.add "
      "Ios16.sqrt Ios16.log Ios16.relu Ios16.clip Squeeze Transpose "
      "Ios16.lstm Ios16.sigmoid Ios16.reduceMean Ios16.sub Ios16.mul",
      "Concat Ios16.cast Ios16.mul SliceByIndex Ios16.constexprLutToDense "
      "Ios16.sqrt Transpose Ios16.sub Ios16.log Ios16.sigmoid Ios16.conv "
      "Ios16.add Ios16.relu Squeeze Ios16.clip Ios16.lstm Ios16.pow "
      "ExpandDims Ios16.reduceMean" },
	{ "mobius-fa3fe005-unified_256ms_pruned_int8", 3500, 32, 1,
      "Ios16.cast SliceByIndex Concat ExpandDims "
      "Ios16.constexprAffineDequantize Ios16.conv Ios16.pow Ios16.add "
      "Ios16.sqrt Ios16.log Ios16.relu Ios16.clip "
      "Ios16.constexprSparseToDense Squeeze Transpose Ios16.lstm "
      "Ios16.sigmoid Ios16.reduceMean Ios16.sub Ios16.mul",
      "Transpose Squeeze Ios16.reduceMean Ios16.add Concat Ios16.sigmoid "
      "Ios16.log ExpandDims Ios16.constexprAffineDequantize Ios16.cast "
      "Ios16.sqrt Ios16.sub Ios16.conv SliceByIndex Ios16.relu "
      "Ios16.constexprSparseToDense Ios16.clip Ios16.pow Ios16.lstm "
      "Ios16.mul" },
	{ "mobius-fa3fe005-unified_int8 (+1 more)", 3500, 32, 1,
      "Ios16.cast ExpandDims Ios16.constexprAffineDequantize Ios16.conv "
      "SliceByIndex Ios16.pow Ios16.add Ios16.sqrt Ios16.log Ios16.relu "
      "Ios16.clip Squeeze Transpose Ios16.lstm Ios16.sigmoid "
      "Ios16.reduceMean",
      "Ios16.cast SliceByIndex Ios16.constexprAffineDequantize Ios16.sqrt "
      "Transpose Ios16.log Ios16.sigmoid Ios16.conv Ios16.add Ios16.relu "
      "Squeeze Ios16.clip Ios16.lstm Ios16.pow ExpandDims "
      "Ios16.reduceMean" },
	{ "mobius-fa3fe005-unified_palette_4bit (+1 more)", 3500, 32, 1,
      "Ios16.cast ExpandDims Ios16.constexprLutToDense Ios16.conv "
      "SliceByIndex Ios16.pow Ios16.add Ios16.sqrt Ios16.log Ios16.relu "
      "Ios16.clip Squeeze Transpose Ios16.lstm Ios16.sigmoid "
      "Ios16.reduceMean",
      "Ios16.cast SliceByIndex Ios16.constexprLutToDense Ios16.sqrt "
      "Transpose Ios16.log Ios16.sigmoid Ios16.conv Ios16.add Ios16.relu "
      "Squeeze Ios16.clip Ios16.lstm Ios16.pow ExpandDims "
      "Ios16.reduceMean" },
	{ "mobius-fa3fe005-unified_pruned_int8", 3500, 32, 1,
      "Ios16.cast ExpandDims Ios16.constexprAffineDequantize Ios16.conv "
      "SliceByIndex Ios16.pow Ios16.add Ios16.sqrt Ios16.log Ios16.relu "
      "Ios16.clip Ios16.constexprSparseToDense Squeeze Transpose "
      "Ios16.lstm Ios16.sigmoid Ios16.reduceMean",
      "Ios16.cast SliceByIndex Ios16.constexprAffineDequantize Ios16.sqrt "
      "Transpose Ios16.log Ios16.sigmoid Ios16.conv Ios16.add Ios16.relu "
      "Ios16.constexprSparseToDense Ios16.clip Squeeze Ios16.pow "
      "ExpandDims Ios16.lstm Ios16.reduceMean" },
	{ "mobius-head-silero-vad-unified-256ms-v6.0.0", 3500, 32, 1,
      "Cast SliceByIndex Concat Pad ExpandDims Conv Pow Add Sqrt Relu "
      "Clip Squeeze Transpose Lstm Sigmoid Sub Mul",
      "Concat Lstm SliceByIndex Clip Pow Transpose Sub Relu Squeeze Cast "
      "Sigmoid Add ExpandDims Sqrt Mul Conv Pad" },
	{ "mobius-head-unified_256ms_int8", 3500, 32, 1,
      "Ios16.cast SliceByIndex Concat Pad ExpandDims "
      "Ios16.constexprAffineDequantize Ios16.conv Ios16.pow Ios16.add "
      "Ios16.sqrt Ios16.relu Ios16.clip Squeeze Transpose Ios16.lstm "
      "Ios16.sigmoid Ios16.sub Ios16.mul",
      "Concat Ios16.cast Ios16.mul SliceByIndex "
      "Ios16.constexprAffineDequantize Ios16.sqrt Transpose Ios16.sub "
      "Ios16.sigmoid Ios16.conv Ios16.add Ios16.relu Squeeze Ios16.clip "
      "Ios16.lstm Ios16.pow ExpandDims Pad" },
	{ "mobius-head-unified_256ms_palette_2bit (+2 more)", 3500, 32, 1,
      "Ios16.cast SliceByIndex Concat Pad ExpandDims "
      "Ios16.constexprLutToDense Ios16.conv Ios16.pow Ios16.add "
      "Ios16.sqrt Ios16.relu Ios16.clip Squeeze Transpose Ios16.lstm "
      "Ios16.sigmoid Ios16.sub Ios16.mul",
      "Concat Ios16.cast Ios16.mul SliceByIndex Ios16.constexprLutToDense "
      "Ios16.sqrt Transpose Ios16.sub Ios16.sigmoid Ios16.conv Ios16.add "
      "Ios16.relu Squeeze Ios16.clip Ios16.lstm Ios16.pow ExpandDims Pad" },
	{ "mobius-head-unified_256ms_pruned_int8", 3500, 32, 1,
      "Ios16.cast SliceByIndex Concat Pad ExpandDims "
      "Ios16.constexprAffineDequantize Ios16.conv Ios16.pow Ios16.add "
      "Ios16.sqrt Ios16.relu Ios16.clip Ios16.constexprSparseToDense "
      "Squeeze Transpose Ios16.lstm Ios16.sigmoid Ios16.sub Ios16.mul",
      "Concat Ios16.cast Ios16.mul SliceByIndex "
      "Ios16.constexprAffineDequantize Ios16.sqrt Transpose Ios16.sub "
      "Ios16.sigmoid Ios16.conv Ios16.add Ios16.relu "
      "Ios16.constexprSparseToDense Ios16.clip Squeeze Ios16.pow "
      "ExpandDims Ios16.lstm Pad" },
	{ "mobius-head-unified_int8 (+1 more)", 3500, 32, 1,
      "Ios16.cast Pad ExpandDims Ios16.constexprAffineDequantize "
      "Ios16.conv SliceByIndex Ios16.pow Ios16.add Ios16.sqrt Ios16.relu "
      "Ios16.clip Squeeze Transpose Ios16.lstm Ios16.sigmoid",
      "Ios16.cast SliceByIndex Ios16.constexprAffineDequantize Ios16.sqrt "
      "Transpose Ios16.sigmoid Ios16.conv Ios16.add Ios16.relu Squeeze "
      "Ios16.clip Ios16.lstm Ios16.pow ExpandDims Pad" },
	{ "mobius-head-unified_palette_2bit (+3 more)", 3500, 32, 1,
      "Ios16.cast Pad ExpandDims Ios16.constexprLutToDense Ios16.conv "
      "SliceByIndex Ios16.pow Ios16.add Ios16.sqrt Ios16.relu Ios16.clip "
      "Squeeze Transpose Ios16.lstm Ios16.sigmoid",
      "Ios16.cast SliceByIndex Ios16.constexprLutToDense Ios16.sqrt "
      "Transpose Ios16.sigmoid Ios16.conv Ios16.add Ios16.relu Squeeze "
      "Ios16.clip Ios16.lstm Ios16.pow ExpandDims Pad" },
	{ "FluidAudio-46824325-TokenDurationPrediction", 3404, 23, 1,
      "Ios16.reshape SliceByIndex Ios16.reduceArgmax Ios16.reduceMax",
      "SliceByIndex Ios16.reduceArgmax Ios16.reshape Ios16.reduceMax" },
	{ "FluidAudio-46824325-TransposeEncoder (+1 more)", 3404, 23, 1,
      "Transpose",
      "Transpose" },
	{ "FluidAudio-8842adb7-decoder", 3500, 32, 1,
      "Ios17.cast Ios17.gather Ios17.squeeze Ios17.transpose Ios17.lstm "
      "Ios17.expandDims Identity",
      "Ios17.squeeze Ios17.gather Ios17.cast Ios17.lstm Ios17.transpose "
      "Identity Ios17.expandDims" },
	{ "FluidAudio-8842adb7-joint_decision", 3500, 32, 1,
      "Ios17.cast Ios17.transpose Ios17.linear Ios17.expandDims Ios17.add "
      "Ios16.relu Ios17.reduceArgmax Ios16.softmax Ios17.gatherAlongAxis "
      "Ios17.squeeze Ios17.topk",
      "Ios17.reduceArgmax Ios17.squeeze Ios17.cast Ios17.linear "
      "Ios17.transpose Ios17.add Ios16.relu Ios16.softmax "
      "Ios17.gatherAlongAxis Ios17.topk Ios17.expandDims" },
	{ "FluidAudio-8842adb7-parakeet_eou_preprocessor", 3500, 32, 1,
      "Ios17.add Ios17.sub Ios17.floorDiv Ios17.cast Ios17.sliceByIndex "
      "Ios17.expandDims Ios17.mul Ios17.concat Ios17.reshape Pad "
      "Ios17.conv Stack Ios17.pow Ios16.reduceSum Identity Ios17.matmul "
      "Ios17.log Shape Ios17.gather Range1d Ios17.greaterEqual Select",
      "Range1d Ios17.reshape Identity Ios17.matmul Ios17.expandDims "
      "Select Ios17.add Ios17.sliceByIndex Ios16.reduceSum Shape "
      "Ios17.gather Pad Ios17.log Ios17.conv Ios17.sub Ios17.pow "
      "Ios17.cast Stack Ios17.concat Ios17.floorDiv Ios17.greaterEqual "
      "Ios17.mul" },
	{ "FluidAudio-8842adb7-streaming_encoder-7eda7c (+1 more)", 3500, 32, 1,
      "Ios17.cast Ios17.concat Ios17.add Ios17.sliceByIndex Ios17.mul "
      "Ios17.floor Ios17.transpose Ios17.expandDims Pad Ios17.conv "
      "Ios16.relu Ios17.reshape Ios17.linear Ios17.sub Ios17.clip "
      "Ios17.less Ios17.greaterEqual Ios17.logicalAnd Tile "
      "Ios17.logicalNot Ios17.layerNorm Ios16.silu Ios17.matmul Select "
      "Ios16.softmax Split Ios16.sigmoid Stack",
      "Ios17.floor Ios17.logicalAnd Ios17.reshape Ios16.softmax "
      "Ios17.matmul Ios17.transpose Split Ios17.expandDims Select "
      "Ios17.add Tile Ios17.sliceByIndex Ios16.sigmoid Pad "
      "Ios17.logicalNot Ios17.layerNorm Ios17.less Ios17.sub Ios17.conv "
      "Ios17.clip Ios16.relu Ios17.linear Ios17.concat Ios17.greaterEqual "
      "Ios17.cast Ios16.silu Stack Ios17.mul" },
	{ "FluidAudio-b1661f02-Argmax", 3404, 23, 1,
      "Ios16.reduceArgmax Ios16.reduceMax",
      "Ios16.reduceMax Ios16.reduceArgmax" },
	{ "FluidAudio-b1661f02-TokenDurationPrediction", 3404, 23, 1,
      "SliceByIndex Ios16.reduceArgmax Ios16.reduceMax",
      "Ios16.reduceMax Ios16.reduceArgmax SliceByIndex" },
	{ "FluidAudio-f88b126b-Argmax", 3404, 23, 1,
      "Ios16.reduceArgmax",
      "Ios16.reduceArgmax" },
	{ "coremltools-head-add_model", 3402, 4, 1,
      "Ios16.mul",
      "Ios16.mul" },
	{ "desert-ant-cor-b7eb362b-clips-multifunction:score", 3500, 32, 1,
      "Ios18.mul Ios18.cast Ios16.reduceMean Ios18.tanh",
      "Ios16.reduceMean Ios18.tanh Ios18.cast Ios18.mul" },
	{ "desert-ant-cor-b7eb362b-clips-multifunction:select", 3500, 32, 1,
      "Ios18.mul Ios18.cast Ios16.reduceMean Ios16.reduceSum Ios18.add "
      "Ios18.sigmoid",
      "Ios16.reduceMean Ios16.reduceSum Ios18.add Ios18.cast Ios18.mul "
      "Ios18.sigmoid" },
	{ "emo-swift-35ec62aa-Emo", 3500, 32, 1,
      "Ios16.constexprLutToDense Ios16.gather Ios16.cast Ios16.mul "
      "ExpandDims Ios16.reduceSum Ios16.realDiv Ios16.linear SliceByIndex "
      "Ios16.matmul Ios16.softmax Concat Ios16.add Ios16.layerNorm "
      "Ios16.gelu Ios16.tanh Identity",
      "Concat Ios16.cast Ios16.mul Ios16.layerNorm SliceByIndex "
      "Ios16.constexprLutToDense Ios16.linear Ios16.realDiv Ios16.add "
      "Ios16.softmax Ios16.matmul Ios16.reduceSum ExpandDims Ios16.gather "
      "Ios16.gelu Identity Ios16.tanh" },
	{ "emo-swift-6715a041-Emo (+2 more)", 3600, 22, 1,
      "Ios16.constexprLutToDense Ios16.gather Ios16.cast Ios16.mul "
      "ExpandDims Ios16.reduceSum Ios16.realDiv Ios16.reduceL2Norm "
      "Ios16.add Concat Ios16.linear Ios16.gelu Ios16.softmax",
      "Concat Ios16.cast Ios16.mul Ios16.constexprLutToDense Ios16.linear "
      "Ios16.add Ios16.realDiv Ios16.softmax Ios16.gelu Ios16.reduceSum "
      "ExpandDims Ios16.gather Ios16.reduceL2Norm" },
	{ "emo-swift-head-emo", 3500, 32, 1,
      "Ios16.constexprLutToDense Ios16.gather Ios16.cast Ios16.mul "
      "ExpandDims Ios16.reduceSum Ios16.realDiv Ios16.sub Ios16.linear "
      "SliceByIndex Ios16.matmul Ios16.add Ios16.softmax Concat "
      "Ios16.layerNorm Ios16.gelu Ios16.tanh",
      "Concat Ios16.cast Ios16.mul Ios16.layerNorm SliceByIndex "
      "Ios16.constexprLutToDense Ios16.sub Ios16.linear Ios16.add "
      "Ios16.realDiv Ios16.matmul Ios16.softmax Ios16.reduceSum "
      "ExpandDims Ios16.gather Ios16.gelu Ios16.tanh" },
	{ "guru-swift-sdk-e8091bc7-VipnasEndToEnd", 0, 0, 0,
      "Cast Squeeze SliceByIndex ReduceMean Mul Maximum Stack Add "
      "ReduceMin ExpandDims Reshape Affine Reverse Sub Conv Relu MaxPool "
      "Softmax Matmul LayerNorm ConvTranspose ReduceMax ReduceArgmax Tile "
      "FloorDiv Transpose Scatter Greater Select Concat Sign "
      "GatherAlongAxis",
      "ReduceMax Transpose Squeeze FloorDiv ReduceMean Sub Reshape Cast "
      "Matmul LayerNorm Select Concat Add Softmax Tile Sign Reverse "
      "ConvTranspose GatherAlongAxis ExpandDims Relu Scatter Conv Affine "
      "Maximum Greater SliceByIndex MaxPool Stack Mul ReduceArgmax "
      "ReduceMin" },
	{ "mlmodelc-expor-head-flexible-multifunction:first (+1 more)", 3600, 25, 1,
      "Ios18.relu",
      "Ios18.relu" },
	{ "mlmodelc-expor-head-flexible-range", 3520, 5, 1,
      "Ios16.relu",
      "Ios16.relu" },
	{ "mlmodelc-expor-head-flexible-weighted-legacy", 3600, 25, 1,
      "Ios17.add",
      "Ios17.add" },
	{ "mlmodelc-expor-head-fp16-subnormal-cast", 3600, 25, 1,
      "Ios17.cast Ios17.add",
      "Ios17.add Ios17.cast" },
	{ "mlmodelc-expor-head-neg-0d-scalar:main", 3520, 5, 1,
      "Ios17.mul",
      "Ios17.mul" },
	{ "mlmodelc-expor-head-quantized-constexpr", 3600, 25, 1,
      "Ios16.constexprAffineDequantize Ios17.add",
      "Ios17.add Ios16.constexprAffineDequantize" },
	{ "pdfsearch-c4024bc6-EmbeddingModel", 1436, 100, 10,
      "ExpandDims Cast Sub Mul Gather Add LayerNorm Linear Reshape "
      "Transpose Matmul Softmax SliceByIndex Gelu Tanh",
      "Linear Gelu LayerNorm SliceByIndex Matmul Sub Tanh Transpose "
      "Softmax Mul Cast Reshape Add ExpandDims Gather" },
	{ "redact-swift-324311f7-redact", 3600, 22, 1,
      "Ios18.constexprBlockwiseShiftScale Ios18.cast Ios18.greaterEqual "
      "Ios18.add Select Ios18.gather Ios18.layerNorm Ios18.expandDims "
      "Ios18.sub Ios18.mul Ios18.linear Ios18.reshape Ios18.transpose "
      "Ios18.matmul Ios18.softmax Ios18.gelu",
      "Ios18.linear Ios18.sub Select Ios18.expandDims Ios18.matmul "
      "Ios18.gather Ios18.gelu Ios18.add Ios18.softmax Ios18.layerNorm "
      "Ios18.cast Ios18.transpose Ios18.constexprBlockwiseShiftScale "
      "Ios18.reshape Ios18.greaterEqual Ios18.mul" },
	{ "redact-swift-head-redact", 3500, 32, 1,
      "Ios18.constexprLutToDense Ios18.cast Ios18.greaterEqual Ios18.add "
      "Select Ios18.gather Ios18.layerNorm Ios18.expandDims Ios18.sub "
      "Ios18.mul Ios18.linear Ios18.reshape Ios18.transpose Ios18.matmul "
      "Ios18.softmax Ios18.gelu",
      "Ios18.linear Ios18.constexprLutToDense Ios18.expandDims Select "
      "Ios18.sub Ios18.matmul Ios18.gather Ios18.gelu Ios18.add "
      "Ios18.softmax Ios18.layerNorm Ios18.cast Ios18.transpose "
      "Ios18.reshape Ios18.greaterEqual Ios18.mul" },
	{ "shapes-swift-head-shapes", 3600, 22, 1,
      "Ios16.cast ExpandDims Ios16.mul Transpose Ios16.conv Ios16.relu "
      "Ios16.maxPool Ios16.constexprLutToDense Ios16.add Squeeze "
      "Ios16.sub Ios16.linear SliceByIndex Ios16.reshape Ios16.matmul "
      "Ios16.softmax Ios16.layerNorm Ios16.gelu Ios16.reduceSum "
      "Ios16.clip Ios16.realDiv",
      "Transpose Ios16.maxPool Squeeze Ios16.softmax Ios16.linear "
      "Ios16.add Ios16.realDiv Ios16.reduceSum ExpandDims Ios16.sub "
      "Ios16.clip Ios16.cast Ios16.constexprLutToDense Ios16.relu "
      "Ios16.layerNorm SliceByIndex Ios16.conv Ios16.matmul Ios16.gelu "
      "Ios16.reshape Ios16.mul" },
};
/* clang-format on */
/* clang-format off */
static const struct dcase dict_cases[] = {
	{ MD_TOP_LEVEL, "top mlp14: 3x in corpus, e.g. coremltools-head-add_model",
      "metadataOutputVersion outputSchema modelParameters "
      "specificationVersion mlProgramOperationTypeHistogram "
      "computePrecision isUpdatable stateSchema availability modelType "
      "userDefinedMetadata inputSchema generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp15_sP: 8x in corpus, e.g. FluidAudio-8842adb7-streaming_encoder",
      "metadataOutputVersion storagePrecision outputSchema "
      "modelParameters specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType userDefinedMetadata inputSchema "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp16_functions: 3x in corpus, e.g. desert-ant-cor-b7eb362b-clips-multifunction",
      "metadataOutputVersion outputSchema modelParameters "
      "specificationVersion functions mlProgramOperationTypeHistogram "
      "isUpdatable stateSchema availability computePrecision modelType "
      "inputSchema defaultFunctionName generatedClassName "
      "userDefinedMetadata method" },
	{ MD_TOP_LEVEL, "top mlp16_sD_author: 2x in corpus, e.g. FluidAudio-b1661f02-Argmax",
      "metadataOutputVersion shortDescription outputSchema "
      "modelParameters author specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema userDefinedMetadata "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp17_sD_author_sP: 3x in corpus, e.g. FluidAudio-8842adb7-decoder",
      "metadataOutputVersion shortDescription outputSchema "
      "storagePrecision modelParameters author specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema userDefinedMetadata "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp17_sD_ver_author: 4x in corpus, e.g. FluidAudio-46824325-TokenDurationPrediction",
      "shortDescription metadataOutputVersion outputSchema version "
      "modelParameters author specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision stateSchema "
      "isUpdatable availability modelType inputSchema userDefinedMetadata "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp18_sD_ver_author_sP: 24x in corpus, e.g. mobius-fa3fe005-silero-vad-unified-v6.0.0",
      "shortDescription metadataOutputVersion outputSchema version "
      "modelParameters author specificationVersion storagePrecision "
      "mlProgramOperationTypeHistogram computePrecision stateSchema "
      "isUpdatable availability modelType inputSchema userDefinedMetadata "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp14_noState_sP(1877/3304): 1x in corpus, e.g. guru-swift-sdk-e8091bc7-VipnasEndToEnd",
      "metadataOutputVersion storagePrecision outputSchema "
      "modelParameters specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "availability modelType userDefinedMetadata inputSchema "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp15_sD_sP_noState(1436): 1x in corpus, e.g. pdfsearch-c4024bc6-EmbeddingModel",
      "metadataOutputVersion shortDescription outputSchema "
      "storagePrecision modelParameters specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "availability modelType userDefinedMetadata inputSchema "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp16_sD_sP: 1x in corpus, e.g. emo-swift-head-emo",
      "metadataOutputVersion shortDescription outputSchema "
      "storagePrecision modelParameters specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema userDefinedMetadata "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top mlp17_classifier_sD_sP: 3x in corpus, e.g. emo-swift-6715a041-Emo",
      "metadataOutputVersion shortDescription outputSchema "
      "storagePrecision modelParameters specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema classLabels "
      "generatedClassName userDefinedMetadata method" },
	{ MD_TOP_LEVEL, "top pipeline15_sD: not in corpus",
      "metadataOutputVersion shortDescription outputSchema "
      "modelParameters specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema userDefinedMetadata "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "top imgclassifier16: not in corpus",
      "shortDescription metadataOutputVersion outputSchema version "
      "modelParameters author specificationVersion stateSchema "
      "isUpdatable availability modelType inputSchema classLabels "
      "generatedClassName userDefinedMetadata method" },
	{ MD_TOP_LEVEL, "top textclassifier14: not in corpus",
      "metadataOutputVersion outputSchema modelParameters author "
      "specificationVersion isUpdatable stateSchema availability "
      "modelType inputSchema classLabels generatedClassName "
      "userDefinedMetadata method" },
	{ MD_TOP_LEVEL, "top nnclassifier16: not in corpus",
      "metadataOutputVersion storagePrecision outputSchema "
      "modelParameters specificationVersion computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema classLabels "
      "generatedClassName userDefinedMetadata "
      "neuralNetworkLayerTypeHistogram method" },
	{ MD_TOP_LEVEL, "top nn15: not in corpus",
      "metadataOutputVersion storagePrecision outputSchema "
      "modelParameters specificationVersion computePrecision isUpdatable "
      "stateSchema availability modelType userDefinedMetadata inputSchema "
      "generatedClassName neuralNetworkLayerTypeHistogram method" },
	{ MD_TOP_LEVEL, "top nn14_noState_old: not in corpus",
      "metadataOutputVersion storagePrecision outputSchema "
      "modelParameters specificationVersion computePrecision isUpdatable "
      "availability neuralNetworkLayerTypeHistogram modelType "
      "userDefinedMetadata generatedClassName inputSchema method" },
	{ MD_TOP_LEVEL, "top nn16_license_old: not in corpus",
      "shortDescription metadataOutputVersion outputSchema version "
      "modelParameters author specificationVersion license isUpdatable "
      "availability modelType inputSchema userDefinedMetadata "
      "generatedClassName neuralNetworkLayerTypeHistogram method" },
	{ MD_FUNCTION_ENTRY, "function entry: 5x in corpus, e.g. desert-ant-cor-b7eb362b-clips-multifunction",
      "computePrecision outputSchema stateSchema name "
      "mlProgramOperationTypeHistogram inputSchema" },
	{ MD_FEATURE_MULTIARRAY, "ma_fixed: 261x in corpus, e.g. FluidAudio-46824325-TokenDurationPrediction",
      "hasShapeFlexibility isOptional dataType formattedType "
      "shortDescription shape name type" },
	{ MD_FEATURE_MULTIARRAY_RANGE, "ma_range: 29x in corpus, e.g. FluidAudio-46824325-TransposeEncoder",
      "dataType hasShapeFlexibility isOptional shapeFlexibility "
      "shapeRange formattedType type shape name shortDescription" },
	{ MD_FEATURE_MULTIARRAY_ENUMERATED, "ma_enum: not in corpus",
      "shortDescription dataType hasShapeFlexibility isOptional "
      "shapeFlexibility formattedType type shape name enumeratedShapes" },
	{ MD_FEATURE_IMAGE, "image: 1x in corpus, e.g. guru-swift-sdk-e8091bc7-VipnasEndToEnd",
      "height colorspace isOptional width isColor formattedType "
      "hasSizeFlexibility type shortDescription name" },
	{ MD_FEATURE_STRING, "string: 3x in corpus, e.g. emo-swift-6715a041-Emo",
      "isOptional formattedType type name shortDescription" },
	{ MD_FEATURE_DICTIONARY, "dict: 3x in corpus, e.g. emo-swift-6715a041-Emo",
      "isOptional keyType formattedType type name shortDescription" },
	{ MD_AVAILABILITY, "availability 6: 51x in corpus, e.g. FluidAudio-46824325-TokenDurationPrediction",
      "macOS tvOS visionOS watchOS iOS macCatalyst" },
	{ MD_AVAILABILITY, "availability 5 (no visionOS): 2x in corpus, e.g. guru-swift-sdk-e8091bc7-VipnasEndToEnd",
      "macOS tvOS watchOS iOS macCatalyst" },
	{ MD_MODEL_TYPE, "modelType: 53x in corpus, e.g. FluidAudio-46824325-TokenDurationPrediction",
      "name" },
	{ MD_MODEL_TYPE, "modelType pipeline (docs)",
      "name structure" },
	{ MD_MODEL_TYPE_STRUCTURE_ENTRY, "structure entry (docs)",
      "name" },
};
/* clang-format on */
/* clang-format off */
static const struct dcase predicted_cases[] = {
	{ MD_FEATURE_IMAGE_RANGE, "PREDICTED MD_FEATURE_IMAGE_RANGE",
      "formattedType hasSizeFlexibility shortDescription sizeRange width "
      "type isColor height sizeFlexibility colorspace name isOptional" },
	{ MD_FEATURE_IMAGE_ENUMERATED, "PREDICTED MD_FEATURE_IMAGE_ENUMERATED",
      "formattedType hasSizeFlexibility shortDescription enumeratedSizes "
      "width type isColor height sizeFlexibility colorspace name "
      "isOptional" },
	{ MD_FEATURE_INT64, "PREDICTED MD_FEATURE_INT64",
      "isOptional formattedType type name shortDescription" },
	{ MD_FEATURE_DOUBLE, "PREDICTED MD_FEATURE_DOUBLE",
      "isOptional formattedType type name shortDescription" },
	{ MD_FEATURE_SEQUENCE, "PREDICTED MD_FEATURE_SEQUENCE",
      "valueType isOptional formattedType sizeRange shortDescription type "
      "name" },
	{ MD_FEATURE_STATE, "PREDICTED MD_FEATURE_STATE",
      "hasShapeFlexibility isOptional dataType formattedType "
      "shortDescription shape name type" },
	{ MD_TOP_LEVEL, "PREDICTED top + license",
      "metadataOutputVersion outputSchema modelParameters "
      "specificationVersion license mlProgramOperationTypeHistogram "
      "computePrecision isUpdatable stateSchema availability modelType "
      "inputSchema userDefinedMetadata generatedClassName method" },
	{ MD_TOP_LEVEL, "PREDICTED top + storagePrecision+license",
      "metadataOutputVersion storagePrecision outputSchema "
      "modelParameters specificationVersion license "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema userDefinedMetadata "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "PREDICTED top + shortDescription+author+storagePrecision+functions+defaultFunctionName",
      "metadataOutputVersion shortDescription outputSchema "
      "storagePrecision modelParameters author specificationVersion "
      "functions mlProgramOperationTypeHistogram stateSchema isUpdatable "
      "availability computePrecision modelType inputSchema "
      "defaultFunctionName generatedClassName userDefinedMetadata method" },
	{ MD_TOP_LEVEL, "PREDICTED top + version+storagePrecision",
      "metadataOutputVersion storagePrecision outputSchema version "
      "modelParameters specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema userDefinedMetadata "
      "generatedClassName method" },
	{ MD_TOP_LEVEL, "PREDICTED top + storagePrecision+classLabels",
      "metadataOutputVersion storagePrecision outputSchema "
      "modelParameters specificationVersion "
      "mlProgramOperationTypeHistogram computePrecision isUpdatable "
      "stateSchema availability modelType inputSchema classLabels "
      "generatedClassName userDefinedMetadata method" },
};
/* clang-format on */

/* The histogram rule of the compiler major.minor.patch, from the stamp
 * table (model/stamp.c): 0.0.0 stands for the unstamped era. */
static bool sorted_for(unsigned major, unsigned minor, unsigned patch)
{
	struct mlcc_diag d = {0};
	struct stamp s;
	char v[32] = "";

	if (major)
		snprintf(v, sizeof v, "%u.%u.%u", major, minor, patch);
	CHECK(stamp_init_any(&s, v, "", &d) == MLCC_OK, "stamp %s: %s", v, d.message);
	return s.rules.sorted_histogram;
}

/* md_order with the keys given in reverse printed order (it must sort them
 * into insertion order itself), and the nsdict path with the published
 * insertion order, fill mode and initial capacity. */
static int check_dict(const struct dcase *c, unsigned major, unsigned minor, unsigned patch)
{
	struct keys want, given, ins;
	size_t order[MAXKEYS], i, j, nlist = 0, cap;
	const char *const *list = md_insertion_order(c->kind, &nlist);
	int ok = 1, rc;

	split(&want, c->printed);
	given.n = want.n;
	for (i = 0; i < want.n; i++) {
		given.k[i] = want.k[want.n - 1 - i];
		given.len[i] = want.len[want.n - 1 - i];
	}
	rc = md_order(c->kind, given.k, given.len, given.n, sorted_for(major, minor, patch), order);
	if (rc != 0 || !same_order(&given, order, &want)) {
		ok = 0;
		fprintf(stderr, "FAIL md_order %s (%s), rc %d\n", c->label, md_kind_name(c->kind),
			rc);
		print_order("want", &want, NULL);
		if (rc >= 0)
			print_order("got ", &given, order);
	}

	/* insertion order = the kind's list filtered to the present keys */
	ins.n = 0;
	for (j = 0; j < nlist; j++)
		for (i = 0; i < want.n; i++)
			if (strcmp(list[j], want.k[i]) == 0) {
				ins.k[ins.n] = want.k[i];
				ins.len[ins.n] = want.len[i];
				ins.n++;
			}
	if (ins.n != want.n) {
		ok = 0;
		fprintf(stderr, "FAIL %s: a key is missing from the %s list\n", c->label,
			md_kind_name(c->kind));
	} else {
		cap = md_initial_capacity(c->kind, ins.k, ins.len, ins.n,
					  sorted_for(major, minor, patch));
		if (cap == 0 &&
		    md_fill_mode(c->kind, sorted_for(major, minor, patch)) == NSDICT_GROWING)
			rc = nsdict_order(ins.k, ins.len, ins.n, NSDICT_GROWING, order);
		else
			rc = nsdict_order_cap(ins.k, ins.len, ins.n, cap, order);
		if (rc != 0 || !same_order(&ins, order, &want)) {
			ok = 0;
			fprintf(stderr, "FAIL nsdict path %s\n", c->label);
			print_order("want", &want, NULL);
			print_order("got ", &ins, order);
		}
	}
	checks++;
	if (!ok)
		failures++;
	return ok;
}

static void test_dicts(void)
{
	size_t i, pass = 0, n = sizeof dict_cases / sizeof dict_cases[0];
	/* the fixed-key orders do not depend on the compiler version */
	static const unsigned versions[][3] = {
		{1436, 100, 10}, {3304, 6, 2}, {3500, 32, 1}, {3600, 25, 1}};
	size_t v;
	for (v = 0; v < sizeof versions / sizeof versions[0]; v++)
		for (i = 0; i < n; i++)
			pass += (size_t)check_dict(&dict_cases[i], versions[v][0], versions[v][1],
						   versions[v][2]);
	printf("fixed-key dictionaries: %zu/%zu (%zu orders x %zu versions)\n", pass, n * v, n, v);
	n = sizeof predicted_cases / sizeof predicted_cases[0];
	for (i = 0, pass = 0; i < n; i++)
		pass += (size_t)check_dict(&predicted_cases[i], 3600, 25, 1);
	printf("predicted (regression only): %zu/%zu\n", pass, n);
}

static void test_histograms(void)
{
	size_t i, pass = 0, n = sizeof hist_cases / sizeof hist_cases[0];
	for (i = 0; i < n; i++) {
		const struct hcase *c = &hist_cases[i];
		struct keys fa, want;
		size_t order[MAXKEYS];
		int rc;
		split(&fa, c->first_appearance);
		split(&want, c->printed);
		rc = md_order(MD_HISTOGRAM, fa.k, fa.len, fa.n,
			      sorted_for(c->major, c->minor, c->patch), order);
		checks++;
		if (rc == 0 && same_order(&fa, order, &want)) {
			pass++;
			continue;
		}
		failures++;
		fprintf(stderr, "FAIL histogram %s (coremlc %u.%u.%u), rc %d\n", c->label, c->major,
			c->minor, c->patch, rc);
		print_order("want", &want, NULL);
		if (rc == 0)
			print_order("got ", &fa, order);
	}
	printf("histograms: %zu/%zu distinct corpus histograms\n", pass, n);
}

static void test_fill_modes(void)
{
	CHECK(md_fill_mode(MD_HISTOGRAM, sorted_for(1436, 100, 10)) == NSDICT_PRESIZED,
	      "histogram 1436");
	CHECK(md_fill_mode(MD_HISTOGRAM, sorted_for(3304, 6, 2)) == NSDICT_PRESIZED,
	      "histogram 3304");
	CHECK(md_fill_mode(MD_HISTOGRAM, sorted_for(3404, 23, 1)) == NSDICT_GROWING,
	      "histogram 3404");
	CHECK(md_fill_mode(MD_HISTOGRAM, sorted_for(3600, 22, 1)) == NSDICT_GROWING,
	      "histogram 3600");
	CHECK(md_fill_mode(MD_TOP_LEVEL, sorted_for(3600, 25, 1)) == NSDICT_GROWING, "top");
	CHECK(md_fill_mode(MD_AVAILABILITY, sorted_for(3500, 32, 1)) == NSDICT_PRESIZED,
	      "availability");
	{
		size_t n = 99;
		CHECK(md_insertion_order(MD_HISTOGRAM, &n) == NULL && n == 0,
		      "histogram has no fixed order");
		CHECK(md_insertion_order(MD_KIND_COUNT, &n) == NULL && n == 0, "bad kind");
	}
	{
		/* an unknown key is reported (rc 1) but ordered */
		const char *k[] = {"method", "noSuchKey", "inputSchema"};
		size_t order[3];
		CHECK(md_order(MD_TOP_LEVEL, k, NULL, 3, sorted_for(3600, 25, 1), order) == 1,
		      "unknown top-level key must return 1");
		CHECK(md_order(MD_KIND_COUNT, k, NULL, 3, sorted_for(3600, 25, 1), order) == -1,
		      "bad kind must return -1");
	}
	{
		/* feature lists: the type keys are bytewise sorted */
		int kind;
		for (kind = MD_FEATURE_MULTIARRAY; kind <= MD_FEATURE_STATE; kind++) {
			size_t n, i;
			const char *const *l = md_insertion_order((enum md_dict_kind)kind, &n);
			CHECK(n >= 3 && strcmp(l[n - 3], "name") == 0 &&
				      strcmp(l[n - 2], "shortDescription") == 0 &&
				      strcmp(l[n - 1], "formattedType") == 0,
			      "%s list must end with name, shortDescription, "
			      "formattedType",
			      md_kind_name((enum md_dict_kind)kind));
			for (i = 1; i + 3 < n; i++)
				CHECK(strcmp(l[i - 1], l[i]) < 0, "%s type keys unsorted",
				      md_kind_name((enum md_dict_kind)kind));
		}
	}
}

/* userDefinedMetadata: Apple's insertion order is run-dependent, but these
 * four coremltools keys never collide (buckets 0 4 5 6 of 7), so every
 * insertion order prints the corpus order (27 corpus files, e.g. all
 * pairs/mobius-*). */
static void test_user_defined(void)
{
	/* clang-format off */
	static const char *const want[] = {
		"com.github.apple.coremltools.conversion_date",
		"com.github.apple.coremltools.source",
		"com.github.apple.coremltools.version",
		"com.github.apple.coremltools.source_dialect",
	};
	/* clang-format on */
	size_t p, i, pass = 0;
	for (p = 0; p < 24; p++) {
		/* p-th permutation of 0..3 (factorial number system) */
		const char *k[4];
		size_t order[4], pool[4] = {0, 1, 2, 3}, left = 4, q = p, f = 6;
		int ok;
		for (i = 0; i < 4; i++) {
			size_t j = q / f, t;
			q %= f;
			k[i] = want[pool[j]];
			for (t = j; t + 1 < left; t++)
				pool[t] = pool[t + 1];
			left--;
			if (f > 1)
				f /= left;
		}
		ok = md_order(MD_USER_DEFINED, k, NULL, 4, sorted_for(3500, 32, 1), order) == 0;
		for (i = 0; ok && i < 4; i++)
			ok = strcmp(k[order[i]], want[i]) == 0;
		pass += (size_t)ok;
	}
	CHECK(pass == 24, "userDefinedMetadata: %zu/24 insertion orders", pass);
}

int main(void)
{
	test_hash();
	test_hash_long();
	test_hash_invalid_utf8();
	test_sizes();
	test_big();
	test_histograms();
	test_dicts();
	test_fill_modes();
	test_user_defined();
	if (failures) {
		fprintf(stderr, "%d of %d checks FAILED\n", failures, checks);
		return 1;
	}
	printf("all %d checks passed\n", checks);
	return 0;
}
