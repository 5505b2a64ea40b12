/*
** lut.c -- palettized weights: k_gemm_lut and k_lut_expand.
**
** k_gemm_lut never materialises W: the product drivers of gemm.c ask for
** a row chunk of W (kint_row_fn), and the chunk is decoded here from its
** packed indices straight into fp32, through the row group's palette.
** Fast decoders handle the common widths when the chunk starts on a
** whole group of fields (4 bits: a byte; 6 bits: 4 fields in 3 bytes;
** 8 bits: always):
**   - AVX2: the fp16 palette is split into its low and high bytes, looked
**     up with byte shuffles (16 entries per shuffle; 6 bits: 4 shuffles
**     and 3 blends per byte plane), the two planes interleaved back into
**     fp16 and widened with F16C, 32 weights at a time;
**   - portable: the palette widened to fp32 once per chunk, then indexed.
** Any other width or alignment goes through a generic bit reader.
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

/* Fields [bit, bit + len * nbits) as palette indices, in order, into
** idx: any width, any bit position. */
static void read_fields(const uint8_t *p, size_t bit, int nbits, size_t len, uint8_t *idx)
{
	if (!len)
		return; /* not even the first byte: it may be past the end */
	p += bit / 8;
	uint32_t acc = *p++ >> (bit % 8), mask = (1u << nbits) - 1;
	int have = 8 - (int)(bit % 8);
	for (size_t i = 0; i < len; i++) {
		while (have < nbits) {
			acc |= (uint32_t)*p++ << have;
			have += 8;
		}
		idx[i] = (uint8_t)(acc & mask);
		acc >>= nbits;
		have -= nbits;
	}
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
** into out[0..31]. */
KINT_AVX2 static void planes_out(__m256i lo, __m256i hi, float *out)
{
	__m256i u0 = _mm256_unpacklo_epi8(lo, hi); /* fields 0-7 | 16-23 */
	__m256i u1 = _mm256_unpackhi_epi8(lo, hi); /* fields 8-15 | 24-31 */
	_mm256_storeu_ps(out, _mm256_cvtph_ps(_mm256_castsi256_si128(u0)));
	_mm256_storeu_ps(out + 8, _mm256_cvtph_ps(_mm256_castsi256_si128(u1)));
	_mm256_storeu_ps(out + 16, _mm256_cvtph_ps(_mm256_extracti128_si256(u0, 1)));
	_mm256_storeu_ps(out + 24, _mm256_cvtph_ps(_mm256_extracti128_si256(u1, 1)));
}

/* 6-bit fields, 'bit' a multiple of 24: 32 at a time (24 bytes). */
KINT_AVX2 static size_t decode6_avx2(const uint8_t *q, size_t len, const uint16_t *pal, float *out)
{
	__m256i L[4], H[4];
	for (int t = 0; t < 4; t++)
		byte_tables(pal + 16 * t, &L[t], &H[t]);
	/* each 3-byte group into a 32-bit lane: lane 0 from bytes 0-11,
	** lane 1 from bytes 12-23 (bytes 4-15 of the load at q + 8) */
	const __m256i spread =
		_mm256_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1, 4, 5, 6, -1,
				 7, 8, 9, -1, 10, 11, 12, -1, 13, 14, 15, -1);
	const __m256i m0 = _mm256_set1_epi32(0x3f), m1 = _mm256_set1_epi32(0x3f00),
		      m2 = _mm256_set1_epi32(0x3f0000), m3 = _mm256_set1_epi32(0x3f000000);
	size_t i = 0;
	for (; i + 32 <= len; i += 32, q += 24) {
		__m256i x = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(q + 8)),
					     _mm_loadu_si128((const __m128i *)q));
		__m256i v = _mm256_shuffle_epi8(x, spread);
		/* fields 6 bits apart -> one byte each, in order */
		__m256i idx = _mm256_or_si256(
			_mm256_or_si256(_mm256_and_si256(v, m0),
					_mm256_and_si256(_mm256_slli_epi32(v, 2), m1)),
			_mm256_or_si256(_mm256_and_si256(_mm256_slli_epi32(v, 4), m2),
					_mm256_and_si256(_mm256_slli_epi32(v, 6), m3)));
		/* bit 4 and bit 5 of each index moved to bit 7 (blend masks) */
		__m256i s4 = _mm256_slli_epi16(idx, 3), s5 = _mm256_slli_epi16(idx, 2);
		__m256i lo =
			_mm256_blendv_epi8(_mm256_blendv_epi8(_mm256_shuffle_epi8(L[0], idx),
							      _mm256_shuffle_epi8(L[1], idx), s4),
					   _mm256_blendv_epi8(_mm256_shuffle_epi8(L[2], idx),
							      _mm256_shuffle_epi8(L[3], idx), s4),
					   s5);
		__m256i hi =
			_mm256_blendv_epi8(_mm256_blendv_epi8(_mm256_shuffle_epi8(H[0], idx),
							      _mm256_shuffle_epi8(H[1], idx), s4),
					   _mm256_blendv_epi8(_mm256_shuffle_epi8(H[2], idx),
							      _mm256_shuffle_epi8(H[3], idx), s4),
					   s5);
		planes_out(lo, hi, out + i);
	}
	return i;
}

/* 4-bit fields, 'bit' a multiple of 8: 32 at a time (16 bytes). */
KINT_AVX2 static size_t decode4_avx2(const uint8_t *q, size_t len, const uint16_t *pal, float *out)
{
	__m256i L, H;
	byte_tables(pal, &L, &H);
	const __m128i m = _mm_set1_epi8(0x0f);
	size_t i = 0;
	for (; i + 32 <= len; i += 32, q += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)q);
		__m128i lo = _mm_and_si128(x, m), hi = _mm_and_si128(_mm_srli_epi16(x, 4), m);
		__m256i idx =
			_mm256_set_m128i(_mm_unpackhi_epi8(lo, hi), _mm_unpacklo_epi8(lo, hi));
		planes_out(_mm256_shuffle_epi8(L, idx), _mm256_shuffle_epi8(H, idx), out + i);
	}
	return i;
}
#endif

/* kint_row_fn for a struct k_lut: row n, fields [k0, k0 + len). */
static const float *row_lut(const void *ctx, size_t n, size_t k0, size_t len, float *tmp)
{
	const struct k_lut *W = ctx;
	size_t bit = field_bit(W, n, k0), done = 0;
	const uint16_t *pal16 = palette(W, n);
#if KINT_X86
	if (k_simd()) {
		if (W->nbits == 6 && bit % 24 == 0)
			done = decode6_avx2(W->indices + bit / 8, len, pal16, tmp);
		else if (W->nbits == 4 && bit % 8 == 0)
			done = decode4_avx2(W->indices + bit / 8, len, pal16, tmp);
		if (done == len)
			return tmp;
		if (done) { /* the few last fields (fewer than 32) */
			uint8_t idx[32];
			read_fields(W->indices, bit + done * (size_t)W->nbits, W->nbits, len - done,
				    idx);
			for (size_t j = done; j < len; j++)
				tmp[j] = k_h2f(pal16[idx[j - done]]);
			return tmp;
		}
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
