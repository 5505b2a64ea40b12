/*
** nfc.c -- NFC over the generated tables of uninorm.c.
**
** A code point array with one slot per character; an invalid UTF-8 byte b
** is kept as the value 0x110000 + b (class 0, never composed) so that it
** comes out as the same byte.  The buffers grow with the text: a
** decomposition is at most 4 code points per character (Hangul LVT: 3;
** two-level canonical decompositions: up to 4), so 4 slots per byte
** suffice.
*/
#include "chat/nfc.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/wbuf.h"
#include "chat/pretok.h"
#include "chat/unicat.h"

#define RAW_BYTE 0x110000u

/* Hangul syllable arithmetic (Unicode chapter 3.12). */
#define S_BASE 0xAC00u
#define L_BASE 0x1100u
#define V_BASE 0x1161u
#define T_BASE 0x11A7u
#define L_COUNT 19u
#define V_COUNT 21u
#define T_COUNT 28u
#define N_COUNT (V_COUNT * T_COUNT)
#define S_COUNT (L_COUNT * N_COUNT)

/* The canonical combining class of 'cp'. */
static unsigned ccc_of(uint32_t cp)
{
	unsigned lo = 0, hi = uninorm_nccc;

	if (cp < 0x300 || cp >= RAW_BYTE)
		return 0;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (cp < uninorm_ccc[mid].lo)
			hi = mid;
		else if (cp > uninorm_ccc[mid].hi)
			lo = mid + 1;
		else
			return uninorm_ccc[mid].ccc;
	}
	return 0;
}

/* The canonical decomposition of 'cp', or NULL. */
static const struct uninorm_pair *decomp_of(uint32_t cp)
{
	unsigned lo = 0, hi = uninorm_ndecomp;

	if (cp < 0xC0 || cp >= RAW_BYTE)
		return NULL;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (cp < uninorm_decomp[mid].cp)
			hi = mid;
		else if (cp > uninorm_decomp[mid].cp)
			lo = mid + 1;
		else
			return &uninorm_decomp[mid];
	}
	return NULL;
}

/* The primary composite of a + b, or 0. */
static uint32_t compose(uint32_t a, uint32_t b)
{
	unsigned lo = 0, hi = uninorm_ncomp;

	if (a - L_BASE < L_COUNT && b - V_BASE < V_COUNT)
		return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT;
	if (a - S_BASE < S_COUNT && (a - S_BASE) % T_COUNT == 0 && b - T_BASE - 1 < T_COUNT - 1)
		return a + (b - T_BASE);
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct uninorm_pair *p = &uninorm_comp[mid];
		if (a < p->a || (a == p->a && b < p->b))
			hi = mid;
		else if (a > p->a || b > p->b)
			lo = mid + 1;
		else
			return p->cp;
	}
	return 0;
}

/* Append the full canonical decomposition of 'cp' to v[*n..]. */
static void decompose(uint32_t cp, uint32_t *v, size_t *n)
{
	const struct uninorm_pair *p;

	if (cp - S_BASE < S_COUNT) {
		uint32_t s = cp - S_BASE;
		v[(*n)++] = L_BASE + s / N_COUNT;
		v[(*n)++] = V_BASE + (s % N_COUNT) / T_COUNT;
		if (s % T_COUNT)
			v[(*n)++] = T_BASE + s % T_COUNT;
		return;
	}
	if (!(p = decomp_of(cp))) {
		v[(*n)++] = cp;
		return;
	}
	decompose(p->a, v, n);
	if (p->b)
		decompose(p->b, v, n);
}

/* Canonical ordering: marks of a run sorted by class, stably. */
static void reorder(uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		unsigned c = ccc_of(v[i]);
		for (size_t j = i; c && j > 0 && ccc_of(v[j - 1]) > c; j--) {
			uint32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	}
}

/* Canonical composition in place; returns the new length. */
static size_t recompose(uint32_t *v, size_t n)
{
	size_t starter = 0, out = 1;
	unsigned last;

	if (n == 0)
		return 0;
	last = ccc_of(v[0]) ? 256 : 0; /* a leading mark blocks everything */
	for (size_t i = 1; i < n; i++) {
		unsigned c = ccc_of(v[i]);
		uint32_t comp = compose(v[starter], v[i]);
		if (comp && (last < c || last == 0)) {
			v[starter] = comp;
			continue;
		}
		if (c == 0)
			starter = out;
		last = c;
		v[out++] = v[i];
	}
	return out;
}

void nfc_append(const char *s, size_t len, struct wbuf *out)
{
	uint32_t *v = malloc((len * 4 + 1) * sizeof *v);
	size_t n = 0;
	char u[4];

	if (!v) {
		out->err = 12; /* ENOMEM */
		return;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (cp == 0xFFFD && l == 1 && (unsigned char)s[i] >= 0x80)
			v[n++] = RAW_BYTE + (unsigned char)s[i]; /* not UTF-8: kept */
		else
			decompose(cp, v, &n);
		i += l;
	}
	reorder(v, n);
	n = recompose(v, n);
	for (size_t i = 0; i < n; i++) {
		if (v[i] >= RAW_BYTE)
			wbuf_putc(out, (char)(v[i] - RAW_BYTE));
		else
			wbuf_put(out, u, utf8_encode(v[i], u));
	}
	free(v);
}
