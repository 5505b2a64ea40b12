/*
** lut.c -- palettized weights: k_gemm_lut and k_lut_expand.
**
** k_gemm_lut never materialises W: each row chunk of W is decoded from
** its packed indices straight into fp32, through the row group's palette.
**   - M = 1 (decode): the decoder is fused with the dot product (no
**     buffer), rows split over the pool, palette tables rebuilt only when
**     the group changes, a software prefetch ahead of the stream;
**   - M > 1: the product drivers of gemm.c ask for row chunks
**     (kint_row_fn): a GEMV up to M = 8, else the blocked GEMM, which
**     decodes into its packed B panels.
** Decoders, by SIMD level (k_simd()), when the chunk starts on a byte:
**   - AVX-512 (F, BW, VBMI): 64 fields per step, any width up to 8: byte
**     permutes and vpmultishiftqb extract the fields, vpermb looks them up
**     in the low- and high-byte planes of the fp16 palette, vpermt2b
**     interleaves the planes, vcvtph2ps widens;
**   - AVX2 (4 and 6 bits): the same planes looked up with byte shuffles
**     (16 entries per shuffle; 6 bits: 4 shuffles and 3 blends per
**     plane), 32 fields per step;
**   - portable: the palette widened to fp32 once per chunk, then indexed
**     (whole groups of fields for 4, 6, 8 bits), else a generic reader.
** Summation order is fixed per path and shape (see gemm.c), never by the
** thread count.
*/
#include <string.h>

#include "kernels/kint.h"

/* Bit position of field (n, k) of W. */
static size_t field_bit(const struct k_lut *W, size_t n, size_t k)
{
	return (n * W->K + k) * (size_t)W->nbits;
}

/* The palette of row n (fp16 bits, 1 << nbits entries). */
static const uint16_t *palette(const struct k_lut *W, size_t n)
{
	return W->lut + ((n / W->rows_per_group) << W->nbits);
}

/* The field of 'nbits' bits at bit position 'bit' (reads only its bytes). */
static unsigned field_at(const uint8_t *p, size_t bit, int nbits)
{
	unsigned v = p[bit / 8] >> (bit % 8);
	if ((int)(8 - bit % 8) < nbits)
		v |= (unsigned)p[bit / 8 + 1] << (8 - bit % 8);
	return v & ((1u << nbits) - 1);
}

/* Groups of 8 fields of N bits from N whole bytes at *q: inlined with a
** constant N so that the shifts are constants. */
static inline __attribute__((always_inline)) size_t groups8(const uint8_t **qp, size_t i,
							    size_t len, uint8_t *idx, int N)
{
	const uint8_t *q = *qp;
	for (; i + 8 <= len; i += 8, q += N) {
		uint64_t v = 0;
		for (int b = 0; b < N; b++)
			v |= (uint64_t)q[b] << (8 * b);
		for (int f = 0; f < 8; f++)
			idx[i + f] = (uint8_t)((v >> (f * N)) & ((1u << N) - 1));
	}
	*qp = q;
	return i;
}

/* Fields [bit, bit + len * nbits) as palette indices, in order, into
** idx: any width, any bit position.  Once on a byte boundary (after at
** most 7 fields), 8 fields at a time from their 'nbits' whole bytes. */
static void read_fields(const uint8_t *p, size_t bit, int nbits, size_t len, uint8_t *idx)
{
	size_t i = 0;
	for (; i < len && bit % 8; i++, bit += (size_t)nbits)
		idx[i] = (uint8_t)field_at(p, bit, nbits);
	const uint8_t *q = p + bit / 8;
	switch (nbits) {
	case 1: i = groups8(&q, i, len, idx, 1); break;
	case 2: i = groups8(&q, i, len, idx, 2); break;
	case 3: i = groups8(&q, i, len, idx, 3); break;
	case 4: i = groups8(&q, i, len, idx, 4); break;
	case 5: i = groups8(&q, i, len, idx, 5); break;
	case 6: i = groups8(&q, i, len, idx, 6); break;
	case 7: i = groups8(&q, i, len, idx, 7); break;
	default: i = groups8(&q, i, len, idx, 8); break;
	}
	for (bit = (size_t)(q - p) * 8; i < len; i++, bit += (size_t)nbits)
		idx[i] = (uint8_t)field_at(p, bit, nbits);
}

/* Portable decoding of 'len' fields from bit 'bit' of the index array
** 'ind' through the fp32 palette pal: whole groups of fields for nbits 4,
** 6 and 8 when aligned, the rest through read_fields. */
static void decode_port(const uint8_t *ind, size_t bit, int nbits, size_t len, const float *pal,
			float *out)
{
	const uint8_t *q = ind + bit / 8;
	size_t i = 0;
	if (nbits == 8) {
		for (; i < len; i++)
			out[i] = pal[q[i]];
	} else if (nbits == 4 && bit % 8 == 0) {
		for (; i + 2 <= len; i += 2, q++) {
			out[i] = pal[*q & 15];
			out[i + 1] = pal[*q >> 4];
		}
	} else if (nbits == 6 && bit % 24 == 0) {
		for (; i + 4 <= len; i += 4, q += 3) {
			uint32_t v = q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16;
			out[i] = pal[v & 63];
			out[i + 1] = pal[(v >> 6) & 63];
			out[i + 2] = pal[(v >> 12) & 63];
			out[i + 3] = pal[v >> 18];
		}
	}
	if (i < len) {
		uint8_t idx[KINT_KB];
		read_fields(ind, bit + i * (size_t)nbits, nbits, len - i, idx);
		for (size_t j = i; j < len; j++)
			out[j] = pal[idx[j - i]];
	}
}

/* The last fields of a row (from field k on) dotted with x, in order,
** added to s. */
static float tail_dot(const struct k_lut *W, size_t n, size_t k, const float *x, float s)
{
	uint8_t idx[64];
	const uint16_t *pal = palette(W, n);
	for (; k < W->K; k += 64) {
		size_t len = W->K - k < 64 ? W->K - k : 64;
		read_fields(W->indices, field_bit(W, n, k), W->nbits, len, idx);
		for (size_t j = 0; j < len; j++)
			s += x[k + j] * k_h2f(pal[idx[j]]);
	}
	return s;
}

/* Bytes ahead the fused decode asks the memory for (the hardware
** prefetcher alone leaves it waiting). */
#define PREFETCH 2048

struct dot1 {
	const struct k_lut *W;
	const float *x;
	float *y;
};

#if KINT_X86
/* 16 fp16 palette entries as byte-shuffle tables, both 128-bit lanes
** alike: *lo their low bytes, *hi their high bytes. */
KINT_AVX2 static void byte_tables(const uint16_t *e, __m256i *lo, __m256i *hi)
{
	__m256i v = _mm256_loadu_si256((const __m256i *)e);
	__m256i m = _mm256_set1_epi16(0xff);
	/* lane 0: lo 0-7, hi 0-7; lane 1: lo 8-15, hi 8-15 */
	__m256i p = _mm256_packus_epi16(_mm256_and_si256(v, m), _mm256_srli_epi16(v, 8));
	p = _mm256_permute4x64_epi64(p, 0xd8); /* lo 0-15 | hi 0-15 */
	*lo = _mm256_permute2x128_si256(p, p, 0x00);
	*hi = _mm256_permute2x128_si256(p, p, 0x11);
}

/* 32 fp16 values, as their low-byte and high-byte planes in field order
** (bytes 0-15 of lane 0 = fields 0-15, lane 1 = fields 16-31), widened
** into f[0..3] (8 fields each, in order). */
KINT_AVX2 static inline void planes_f32(__m256i lo, __m256i hi, __m256 f[4])
{
	__m256i u0 = _mm256_unpacklo_epi8(lo, hi); /* fields 0-7 | 16-23 */
	__m256i u1 = _mm256_unpackhi_epi8(lo, hi); /* fields 8-15 | 24-31 */
	f[0] = _mm256_cvtph_ps(_mm256_castsi256_si128(u0));
	f[1] = _mm256_cvtph_ps(_mm256_castsi256_si128(u1));
	f[2] = _mm256_cvtph_ps(_mm256_extracti128_si256(u0, 1));
	f[3] = _mm256_cvtph_ps(_mm256_extracti128_si256(u1, 1));
}

/* 32 6-bit fields from the 24 bytes at q (a 3-byte boundary) through the
** palette planes L[4]/H[4] (byte_tables of entries 0-15, ..., 48-63). */
KINT_AVX2 static inline void dec32_6(const uint8_t *q, const __m256i *L, const __m256i *H,
				     __m256 f[4])
{
	/* each 3-byte group into a 32-bit lane: lane 0 from bytes 0-11,
	** lane 1 from bytes 12-23 (bytes 4-15 of the load at q + 8) */
	const __m256i spread =
		_mm256_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1, 4, 5, 6, -1,
				 7, 8, 9, -1, 10, 11, 12, -1, 13, 14, 15, -1);
	const __m256i m0 = _mm256_set1_epi32(0x3f), m1 = _mm256_set1_epi32(0x3f00),
		      m2 = _mm256_set1_epi32(0x3f0000), m3 = _mm256_set1_epi32(0x3f000000);
	__m256i x = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(q + 8)),
				     _mm_loadu_si128((const __m128i *)q));
	__m256i v = _mm256_shuffle_epi8(x, spread);
	/* fields 6 bits apart -> one byte each, in order */
	__m256i idx =
		_mm256_or_si256(_mm256_or_si256(_mm256_and_si256(v, m0),
						_mm256_and_si256(_mm256_slli_epi32(v, 2), m1)),
				_mm256_or_si256(_mm256_and_si256(_mm256_slli_epi32(v, 4), m2),
						_mm256_and_si256(_mm256_slli_epi32(v, 6), m3)));
	/* bit 4 and bit 5 of each index moved to bit 7 (blend masks) */
	__m256i s4 = _mm256_slli_epi16(idx, 3), s5 = _mm256_slli_epi16(idx, 2);
	__m256i lo = _mm256_blendv_epi8(_mm256_blendv_epi8(_mm256_shuffle_epi8(L[0], idx),
							   _mm256_shuffle_epi8(L[1], idx), s4),
					_mm256_blendv_epi8(_mm256_shuffle_epi8(L[2], idx),
							   _mm256_shuffle_epi8(L[3], idx), s4),
					s5);
	__m256i hi = _mm256_blendv_epi8(_mm256_blendv_epi8(_mm256_shuffle_epi8(H[0], idx),
							   _mm256_shuffle_epi8(H[1], idx), s4),
					_mm256_blendv_epi8(_mm256_shuffle_epi8(H[2], idx),
							   _mm256_shuffle_epi8(H[3], idx), s4),
					s5);
	planes_f32(lo, hi, f);
}

/* 32 4-bit fields from the 16 bytes at q through the planes L/H. */
KINT_AVX2 static inline void dec32_4(const uint8_t *q, const __m256i *L, const __m256i *H,
				     __m256 f[4])
{
	const __m128i m = _mm_set1_epi8(0x0f);
	__m128i x = _mm_loadu_si128((const __m128i *)q);
	__m128i lo = _mm_and_si128(x, m), hi = _mm_and_si128(_mm_srli_epi16(x, 4), m);
	__m256i idx = _mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));
	planes_f32(_mm256_shuffle_epi8(L[0], idx), _mm256_shuffle_epi8(H[0], idx), f);
}

/* The planes of a 4-bit or 6-bit palette. */
KINT_AVX2 static void tables_avx2(const uint16_t *pal, int nbits, __m256i *L, __m256i *H)
{
	for (int t = 0; t < (nbits == 6 ? 4 : 1); t++)
		byte_tables(pal + 16 * t, &L[t], &H[t]);
}

/* 4-bit fields ('bit' a multiple of 8) or 6-bit fields (a multiple of
** 24) into out, 32 at a time; returns how many. */
KINT_AVX2 static size_t decode_avx2(const uint8_t *q, int nbits, size_t len, const uint16_t *pal,
				    float *out)
{
	__m256i L[4], H[4];
	tables_avx2(pal, nbits, L, H);
	size_t i = 0;
	for (; i + 32 <= len; i += 32, q += 4 * (size_t)nbits) {
		__m256 f[4];
		if (nbits == 6)
			dec32_6(q, L, H, f);
		else
			dec32_4(q, L, H, f);
		for (int j = 0; j < 4; j++)
			_mm256_storeu_ps(out + i + 8 * j, f[j]);
	}
	return i;
}

/* M = 1 on AVX2, decode fused with the dot product (as dot1_range). */
KINT_AVX2 static void dot1_avx2_range(void *ctx, size_t n0, size_t n1)
{
	const struct dot1 *d = ctx;
	const struct k_lut *W = d->W;
	int nb = W->nbits;
	__m256i L[4], H[4];
	size_t group = (size_t)-1;
	for (size_t n = n0; n < n1; n++) {
		if (n / W->rows_per_group != group) {
			group = n / W->rows_per_group;
			tables_avx2(palette(W, n), nb, L, H);
		}
		const uint8_t *q = W->indices + field_bit(W, n, 0) / 8;
		__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
		size_t k = 0;
		for (; k + 32 <= W->K; k += 32, q += 4 * (size_t)nb) {
			__m256 f[4];
			_mm_prefetch((const char *)q + PREFETCH, _MM_HINT_T0);
			if (nb == 6)
				dec32_6(q, L, H, f);
			else
				dec32_4(q, L, H, f);
			a0 = _mm256_fmadd_ps(f[0], _mm256_loadu_ps(d->x + k), a0);
			a1 = _mm256_fmadd_ps(f[1], _mm256_loadu_ps(d->x + k + 8), a1);
			a2 = _mm256_fmadd_ps(f[2], _mm256_loadu_ps(d->x + k + 16), a2);
			a3 = _mm256_fmadd_ps(f[3], _mm256_loadu_ps(d->x + k + 24), a3);
		}
		__m256 a = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
		__m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
		h = _mm_add_ps(h, _mm_movehl_ps(h, h));
		h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
		d->y[n] = tail_dot(W, n, k, d->x, _mm_cvtss_f32(h));
	}
}

/* ---- AVX-512 (F, BW, VBMI): 64 fields at a time, any width up to 8 -------- */

/* 64 fields of n bits are 8 * n whole bytes; qword j of a vector gets the
** n bytes of fields 8j..8j+7 (vpermb with SPREAD), then vpmultishiftqb
** pulls each field's byte from bit offsets 0, n, 2n, ... (SHIFT).  The
** extra high bits of a field do not matter: the palette planes are
** looked up with vpermb, which reads 6 bits, from tables repeating the
** 2^n entries (n < 6); 8-bit fields use two 128-entry permutes and bit 7. */
#define SPREAD(n, i) ((n) * ((i) / 8) + ((i) % 8 < (n) ? (i) % 8 : (n)-1))
#define SHIFT(n, i) ((n) * ((i) % 8))
/* byte 2i <- plane lo byte b + i, byte 2i + 1 <- plane hi (source 2) */
#define INTERLEAVE(b, i) (((i) % 2 ? 64 : 0) + (b) + (i) / 2)
#define R8(f, n, i)                                                                                \
	f(n, i), f(n, i + 1), f(n, i + 2), f(n, i + 3), f(n, i + 4), f(n, i + 5), f(n, i + 6),     \
		f(n, i + 7)
#define R64(f, n)                                                                                  \
	R8(f, n, 0), R8(f, n, 8), R8(f, n, 16), R8(f, n, 24), R8(f, n, 32), R8(f, n, 40),          \
		R8(f, n, 48), R8(f, n, 56)
static const _Alignas(64) uint8_t spread_ctl[7][64] = {{0},
						       {R64(SPREAD, 1)},
						       {R64(SPREAD, 2)},
						       {R64(SPREAD, 3)},
						       {R64(SPREAD, 4)},
						       {R64(SPREAD, 5)},
						       {R64(SPREAD, 6)}};
static const _Alignas(64) uint8_t shift_ctl[7][64] = {{0},
						      {R64(SHIFT, 1)},
						      {R64(SHIFT, 2)},
						      {R64(SHIFT, 3)},
						      {R64(SHIFT, 4)},
						      {R64(SHIFT, 5)},
						      {R64(SHIFT, 6)}};
static const _Alignas(64) uint8_t interleave_ctl[2][64] = {{R64(INTERLEAVE, 0)},
							   {R64(INTERLEAVE, 32)}};
static const _Alignas(64) uint16_t iota16[32] = {0,  1,	 2,  3,	 4,  5,	 6,  7,	 8,  9,	 10,
						 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
						 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

/* Is the AVX-512 decoder for 'nbits' fields at bit offset 'bit'? */
static int fits512(int nbits, size_t bit)
{
	return (nbits <= 6 || nbits == 8) && bit % 8 == 0;
}

/* The byte planes of a palette of 2^nbits fp16 entries: lo[t]/hi[t] the
** low/high bytes of entries 64t..64t+63 (one table, repeated entries,
** when nbits < 6; four for 8 bits). */
KINT_AVX512 static void planes512(const uint16_t *pal, int nbits, __m512i *lo, __m512i *hi)
{
	int tables = nbits == 8 ? 4 : 1;
	for (int t = 0; t < tables; t++) {
		__m512i v0, v1;
		if (nbits >= 6) {
			v0 = _mm512_loadu_si512(pal + 64 * t);
			v1 = _mm512_loadu_si512(pal + 64 * t + 32);
		} else {
			__m512i ctl =
				_mm512_and_si512(_mm512_load_si512(iota16),
						 _mm512_set1_epi16((short)((1 << nbits) - 1)));
			__mmask32 have = (__mmask32)((1ull << (1 << nbits)) - 1);
			v0 = v1 =
				_mm512_permutexvar_epi16(ctl, _mm512_maskz_loadu_epi16(have, pal));
		}
		lo[t] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi16_epi8(v0)),
					   _mm512_cvtepi16_epi8(v1), 1);
		hi[t] = _mm512_inserti64x4(
			_mm512_castsi256_si512(_mm512_cvtepi16_epi8(_mm512_srli_epi16(v0, 8))),
			_mm512_cvtepi16_epi8(_mm512_srli_epi16(v1, 8)), 1);
	}
}

/* 64 fields from byte q as floats f[0..3] (16 each, in order). */
KINT_AVX512 static inline void dec64(const uint8_t *q, int nbits, const __m512i *lo,
				     const __m512i *hi, __m512 f[4])
{
	__m512i x, l, h;
	if (nbits == 8) {
		x = _mm512_loadu_si512(q);
		__mmask64 top = _mm512_movepi8_mask(x);
		l = _mm512_mask_blend_epi8(top, _mm512_permutex2var_epi8(lo[0], x, lo[1]),
					   _mm512_permutex2var_epi8(lo[2], x, lo[3]));
		h = _mm512_mask_blend_epi8(top, _mm512_permutex2var_epi8(hi[0], x, hi[1]),
					   _mm512_permutex2var_epi8(hi[2], x, hi[3]));
	} else {
		x = _mm512_maskz_loadu_epi8(((__mmask64)1 << (8 * nbits)) - 1, q);
		x = _mm512_permutexvar_epi8(_mm512_load_si512(spread_ctl[nbits]), x);
		x = _mm512_multishift_epi64_epi8(_mm512_load_si512(shift_ctl[nbits]), x);
		l = _mm512_permutexvar_epi8(x, lo[0]);
		h = _mm512_permutexvar_epi8(x, hi[0]);
	}
	__m512i w0 = _mm512_permutex2var_epi8(l, _mm512_load_si512(interleave_ctl[0]), h);
	__m512i w1 = _mm512_permutex2var_epi8(l, _mm512_load_si512(interleave_ctl[1]), h);
	f[0] = _mm512_cvtph_ps(_mm512_castsi512_si256(w0));
	f[1] = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(w0, 1));
	f[2] = _mm512_cvtph_ps(_mm512_castsi512_si256(w1));
	f[3] = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(w1, 1));
}

/* Fields of a chunk into out, 64 at a time; returns how many. */
KINT_AVX512 static size_t decode512(const uint8_t *q, int nbits, size_t len, const uint16_t *pal,
				    float *out)
{
	__m512i lo[4], hi[4];
	planes512(pal, nbits, lo, hi);
	size_t i = 0;
	for (; i + 64 <= len; i += 64, q += 8 * nbits) {
		__m512 f[4];
		dec64(q, nbits, lo, hi, f);
		for (int j = 0; j < 4; j++)
			_mm512_storeu_ps(out + i + 16 * j, f[j]);
	}
	return i;
}

/* M = 1, decode fused with the dot product: rows [n0, n1) of y = W x,
** the planes rebuilt only when the palette group changes. */
KINT_AVX512 static void dot1_range(void *ctx, size_t n0, size_t n1)
{
	const struct dot1 *d = ctx;
	const struct k_lut *W = d->W;
	int nb = W->nbits;
	__m512i lo[4], hi[4];
	size_t group = (size_t)-1;
	for (size_t n = n0; n < n1; n++) {
		if (n / W->rows_per_group != group) {
			group = n / W->rows_per_group;
			planes512(palette(W, n), nb, lo, hi);
		}
		const uint8_t *q = W->indices + field_bit(W, n, 0) / 8;
		__m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
		size_t k = 0;
		for (; k + 64 <= W->K; k += 64, q += 8 * nb) {
			__m512 f[4];
			_mm_prefetch((const char *)q + PREFETCH, _MM_HINT_T0);
			dec64(q, nb, lo, hi, f);
			a0 = _mm512_fmadd_ps(f[0], _mm512_loadu_ps(d->x + k), a0);
			a1 = _mm512_fmadd_ps(f[1], _mm512_loadu_ps(d->x + k + 16), a1);
			a2 = _mm512_fmadd_ps(f[2], _mm512_loadu_ps(d->x + k + 32), a2);
			a3 = _mm512_fmadd_ps(f[3], _mm512_loadu_ps(d->x + k + 48), a3);
		}
		float s = _mm512_reduce_add_ps(
			_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
		d->y[n] = tail_dot(W, n, k, d->x, s);
	}
}
#endif

/* kint_row_fn for a struct k_lut: row n, fields [k0, k0 + len). */
static const float *row_lut(const void *ctx, size_t n, size_t k0, size_t len, float *tmp)
{
	const struct k_lut *W = ctx;
	size_t bit = field_bit(W, n, k0), done = 0;
	const uint16_t *pal16 = palette(W, n);
#if KINT_X86
	int level = k_simd();
	if (level >= 2 && fits512(W->nbits, bit))
		done = decode512(W->indices + bit / 8, W->nbits, len, pal16, tmp);
	else if (level >= 1) {
		if ((W->nbits == 6 && bit % 24 == 0) || (W->nbits == 4 && bit % 8 == 0))
			done = decode_avx2(W->indices + bit / 8, W->nbits, len, pal16, tmp);
	}
	if (done) { /* the few last fields (fewer than 64) */
		uint8_t idx[64];
		read_fields(W->indices, bit + done * (size_t)W->nbits, W->nbits, len - done, idx);
		for (size_t j = done; j < len; j++)
			tmp[j] = k_h2f(pal16[idx[j - done]]);
		return tmp;
	}
#endif
	float pal[256];
	k_h2f_n(pal16, pal, (size_t)1 << W->nbits);
	decode_port(W->indices, bit, W->nbits, len, pal, tmp);
	return tmp;
}

void k_gemm_lut(struct kpool *pool, size_t M, const float *A, size_t lda, const struct k_lut *W,
		float *C, size_t ldc)
{
#if KINT_X86
	/* decode: the fused path when every row starts on a byte */
	struct dot1 d = {W, A, C};
	size_t rowbits = W->K * (size_t)W->nbits;
	if (M == 1 && k_simd() >= 2 && fits512(W->nbits, rowbits)) {
		kpool_for(pool, W->N, 16, dot1_range, &d);
		return;
	}
	if (M == 1 && k_simd() >= 1 &&
	    ((W->nbits == 6 && rowbits % 24 == 0) || (W->nbits == 4 && rowbits % 8 == 0))) {
		kpool_for(pool, W->N, 16, dot1_avx2_range, &d);
		return;
	}
#endif
	kint_gemm_rows(pool, M, W->N, W->K, A, lda, row_lut, W, C, ldc);
}

void k_lut_expand(const struct k_lut *W, uint16_t *out)
{
	uint8_t idx[KINT_KB];
	for (size_t n = 0; n < W->N; n++) {
		const uint16_t *pal = palette(W, n);
		for (size_t k0 = 0; k0 < W->K; k0 += KINT_KB) {
			size_t len = W->K - k0 < KINT_KB ? W->K - k0 : KINT_KB;
			read_fields(W->indices, field_bit(W, n, k0), W->nbits, len, idx);
			for (size_t j = 0; j < len; j++)
				*out++ = pal[idx[j]];
		}
	}
}
