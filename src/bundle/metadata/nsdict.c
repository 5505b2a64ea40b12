/*
 * nsdict.c - NSDictionary key enumeration order (see nsdict.h)
 *
 * The model (docs/spec/metadata-keys.md §5; docs/spec/mlmodelc.md
 * §5.2; docs/spec/metadata-keys.md §6):
 *
 *  - hash: CFString hash of the key, CF's __CFStrHashCharacters with a 64-bit
 *    CFHashCode, over UTF-16 code units.  h = len; for len <= 96 every unit
 *    is hashed, four at a time (h = h*67503105 + c0*16974593 + c1*66049 +
 *    c2*257 + c3) and the remaining 0..3 singly (h = h*257 + c); for
 *    len > 96 only the first 32, the middle 32 (from len/2 - 16) and the last
 *    32 units are hashed, in fours; finally h += h << (len & 31).  VERIFIED:
 *    every dictionary of the 53 corpus metadata.json files is consistent
 *    with it.
 *
 *  - table: open addressing, bucket = hash % size, linear probing (+1 with
 *    wrap-around); enumeration walks the buckets in index order.  Sizes and
 *    load capacities are CF's __CFBasicHashTableSizes / Capacities, which
 *    Foundation's __NSDictionarySizes / __NSDictionaryCapacities equal
 *    (0, 3, 7, 13, 23, 41, 71, ... / 0, 3, 6, 11, 19, 32, 52, ...).
 *
 *  - immutable dictionaries (__NSDictionaryI): the table is allocated at the
 *    smallest size whose capacity is >= n and the keys are placed in the
 *    order given (NSDICT_PRESIZED).
 *
 *  - mutable dictionaries (__NSDictionaryM -setObject:forKey:, as seen in
 *    public decompilations of CoreFoundation): an empty dictionary gets a
 *    3-slot table on the first insertion; if the probe finds no free bucket
 *    (only possible when the 3-slot table is full) the table grows first;
 *    the key is stored, the count incremented, and if the count now exceeds
 *    the capacity of the current size the table grows at once.  Growing
 *    (mdict_rehashd) allocates the next size and re-inserts the old buckets
 *    in index order.  So the 4th key is inserted after the 3->7 rehash, but
 *    the 7th, 12th, 20th, 33rd ... key is placed in the old table first and
 *    moves with the rehash.  (The "13-slot table holds 12 keys" fit of
 *    docs/spec/metadata-keys.md §5 is this rule seen from outside: the 12th key
 *    sits in the 13-slot table when the 13 -> 23 rehash runs.)
 *    HIGH: reproduces all 53 function histograms of corpus files written
 *    by coremlc 3402-3600.25.1 in first-appearance order, including
 *    pairs/mobius-fa3fe005-silero-vad-unified-v6.0.0 and the 3600.22.1
 *    compiled/shapes-swift-head-shapes that the older fitted model missed,
 *    and every top-level and schema-entry order with the insertion orders of
 *    md_keyorder.c.
 *
 *  - initWithCapacity:c starts the table at the smallest size whose capacity
 *    is >= c (inferred: it is what reproduces the feature-schema entries).
 */
#include "bundle/metadata/nsdict.h"

#include <stdlib.h>
#include <string.h>

#define NS_NSIZES 64

/* CF __CFBasicHashTableSizes (LP64). */
static const uint64_t ns_sizes[NS_NSIZES] = {
	0u,
	3u,
	7u,
	13u,
	23u,
	41u,
	71u,
	127u,
	191u,
	251u,
	383u,
	631u,
	1087u,
	1723u,
	2803u,
	4523u,
	7351u,
	11959u,
	19447u,
	31231u,
	50683u,
	81919u,
	132607u,
	214519u,
	346607u,
	561109u,
	907759u,
	1468927u,
	2376191u,
	3845119u,
	6221311u,
	10066421u,
	16287743u,
	26354171u,
	42641881u,
	68996069u,
	111638519u,
	180634607u,
	292272623u,
	472907251u,
	765180413u,
	1238087663u,
	2003267557u,
	3241355263u,
	5244622819u,
	8485977589u,
	13730600407u,
	22216578047u,
	35947178479u,
	58163756537u,
	94110934997u,
	152274691561u,
	246385626107u,
	398660317687u,
	645045943807u,
	1043706260983u,
	1688752204787u,
	2732458465769u,
	4421210670577u,
	7153669136377u,
	11574879807461u,
	18728548943849u,
	30303428750843u,
	0u /* no 64th size: sentinel, never used */
};

/* CF __CFBasicHashTableCapacities (LP64). */
static const uint64_t ns_caps[NS_NSIZES] = {0u,
					    3u,
					    6u,
					    11u,
					    19u,
					    32u,
					    52u,
					    85u,
					    118u,
					    155u,
					    237u,
					    390u,
					    672u,
					    1065u,
					    1732u,
					    2795u,
					    4543u,
					    7391u,
					    12019u,
					    19302u,
					    31324u,
					    50629u,
					    81956u,
					    132580u,
					    214215u,
					    346784u,
					    561026u,
					    907847u,
					    1468567u,
					    2376414u,
					    3844982u,
					    6221390u,
					    10066379u,
					    16287773u,
					    26354132u,
					    42641916u,
					    68996399u,
					    111638327u,
					    180634415u,
					    292272755u,
					    472907503u,
					    765180257u,
					    1238087439u,
					    2003267722u,
					    3241355160u,
					    5244622578u,
					    8485977737u,
					    13730600347u,
					    22216578100u,
					    35947178453u,
					    58163756541u,
					    94110935011u,
					    152274691274u,
					    246385626296u,
					    398660317578u,
					    645045943559u,
					    1043706261135u,
					    1688752204693u,
					    2732458465840u,
					    4421210670552u,
					    7153669136706u,
					    11574879807265u,
					    18728548943682u,
					    0u};

/* Usable size indices: 1 .. NS_LAST (index 63 has no size). */
#define NS_LAST (NS_NSIZES - 2)

/* ---- UTF-8 -> UTF-16 ------------------------------------------------- */

/* Decode one code point at s[*i] (i < len), advance *i.  Malformed input:
 * U+FFFD, advance by one byte. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	size_t p = *i;
	unsigned c = s[p];
	uint32_t cp, min;
	size_t need, k;

	if (c < 0x80) {
		*i = p + 1;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		cp = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		cp = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		goto bad; /* 80..C1, F5..FF */
	}
	if (len - p - 1 < need)
		goto bad;
	for (k = 1; k <= need; k++) {
		unsigned d = s[p + k];
		if ((d & 0xC0) != 0x80)
			goto bad;
		cp = (cp << 6) | (d & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad; /* overlong, too big, surrogate */
	*i = p + 1 + need;
	return cp;
bad:
	*i = p + 1;
	return 0xFFFD;
}

/* Number of UTF-16 code units of the (repaired) string. */
static size_t utf16_len(const unsigned char *s, size_t len)
{
	size_t i = 0, n = 0;
	while (i < len)
		n += utf8_next(s, len, &i) >= 0x10000 ? 2 : 1;
	return n;
}

/* ---- CFString hash ------------------------------------------------------ */

struct hstate {
	uint64_t h;
	uint64_t buf[4];
	int nb;
};

static void h_unit(struct hstate *st, uint64_t c)
{
	st->buf[st->nb++] = c;
	if (st->nb == 4) {
		st->h = st->h * 67503105u + st->buf[0] * 16974593u + st->buf[1] * 66049u +
			st->buf[2] * 257u + st->buf[3];
		st->nb = 0;
	}
}

uint64_t nsdict_string_hash(const char *utf8, size_t len)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t n16, i = 0, j = 0, mid_lo, mid_hi;
	struct hstate st;
	int k;

	n16 = len ? utf16_len(s, len) : 0;
	st.h = (uint64_t)n16;
	st.nb = 0;
	/* For n16 > 96 only units [0,32), [n16/2-16, n16/2+16) and
	 * [n16-32, n16) are hashed; these ranges are disjoint and ascending. */
	mid_lo = n16 / 2 - 16;
	mid_hi = n16 / 2 + 16;
	while (i < len) {
		uint32_t cp = utf8_next(s, len, &i);
		uint64_t u[2];
		int nu = 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[0] = 0xD800u + (cp >> 10);
			u[1] = 0xDC00u + (cp & 0x3FFu);
			nu = 2;
		} else {
			u[0] = cp;
		}
		for (k = 0; k < nu; k++, j++) {
			if (n16 <= 96 || j < 32 || (j >= mid_lo && j < mid_hi) || j >= n16 - 32)
				h_unit(&st, u[k]);
		}
	}
	for (k = 0; k < st.nb; k++) /* 0..3 trailing units (n16 <= 96) */
		st.h = st.h * 257u + st.buf[k];
	return st.h + (st.h << (n16 & 31));
}

/* ---- the table -------------------------------------------------------- */

struct table {
	size_t *slot; /* key index + 1; 0 = empty */
	size_t size;
	int idx; /* index into ns_sizes / ns_caps */
};

static void put(struct table *t, const uint64_t *hash, size_t key)
{
	size_t b = (size_t)(hash[key] % t->size);
	while (t->slot[b])
		b = b + 1 == t->size ? 0 : b + 1;
	t->slot[b] = key + 1;
}

/* Move to size index `idx`, re-inserting the old buckets in index order
 * (mdict_rehashd).  Returns 0 or -1. */
static int grow(struct table *t, int idx, const uint64_t *hash)
{
	struct table nt;
	size_t b;

	if (idx > NS_LAST || ns_sizes[idx] > SIZE_MAX / sizeof(size_t))
		return -1;
	nt.size = (size_t)ns_sizes[idx];
	nt.idx = idx;
	nt.slot = calloc(nt.size, sizeof(size_t));
	if (!nt.slot)
		return -1;
	for (b = 0; b < t->size; b++)
		if (t->slot[b])
			put(&nt, hash, t->slot[b] - 1);
	free(t->slot);
	*t = nt;
	return 0;
}

static int order_hashes(const uint64_t *hash, size_t n, size_t capacity, size_t *order)
{
	struct table t = {NULL, 0, 0};
	size_t i, b, count = 0;
	int idx = 0, rc = -1;

	while (ns_caps[idx] < capacity)
		if (++idx > NS_LAST)
			return -1;
	if (idx > 0 && grow(&t, idx, hash) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (t.idx == 0 && grow(&t, 1, hash) != 0)
			goto out;
		if (count == t.size && grow(&t, t.idx + 1, hash) != 0)
			goto out; /* full: grow before storing */
		put(&t, hash, i);
		count++;
		if (count > ns_caps[t.idx] && grow(&t, t.idx + 1, hash) != 0)
			goto out; /* over capacity: grow after */
	}
	for (b = 0, i = 0; b < t.size; b++)
		if (t.slot[b])
			order[i++] = t.slot[b] - 1;
	rc = 0;
out:
	free(t.slot);
	return rc;
}

int nsdict_order_cap(const char *const *keys, const size_t *lens, size_t n, size_t capacity,
		     size_t *order)
{
	uint64_t *hash;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	if (n > SIZE_MAX / sizeof(uint64_t))
		return -1;
	hash = malloc(n * sizeof(uint64_t));
	if (!hash)
		return -1;
	for (i = 0; i < n; i++)
		hash[i] = nsdict_string_hash(keys[i], lens ? lens[i] : strlen(keys[i]));
	rc = order_hashes(hash, n, capacity, order);
	free(hash);
	return rc;
}

int nsdict_order(const char *const *keys, const size_t *lens, size_t n, enum nsdict_fill fill,
		 size_t *order)
{
	return nsdict_order_cap(keys, lens, n, fill == NSDICT_PRESIZED ? n : 0, order);
}

size_t nsdict_table_size(size_t n)
{
	int idx = 0;
	while (ns_caps[idx] < n)
		if (++idx > NS_LAST)
			return 0;
	return ns_sizes[idx] > SIZE_MAX ? 0 : (size_t)ns_sizes[idx];
}
