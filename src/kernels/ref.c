/*
** ref.c -- plain reference versions of the kernels of kernels.h.
**
** Simple loops, one thread: the definition the fast kernels (pool.c,
** fp16.c, gemm.c, lut.c) are tested against (tests/unit/test_kernels.c).
** Named kref_* so that the library has one definition of each k_* kernel.
*/
#include <stdlib.h>
#include <string.h>

#include "kernels/ref.h"

float kref_h2f(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
	if (exp == 0x1f) {
		bits = sign | 0x7f800000u | (man << 13);
	} else if (exp) {
		bits = sign | ((exp + 112) << 23) | (man << 13);
	} else if (man) { /* subnormal: normalise */
		exp = 113;
		while (!(man & 0x400)) {
			man <<= 1;
			exp--;
		}
		bits = sign | (exp << 23) | ((man & 0x3ff) << 13);
	} else {
		bits = sign;
	}
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

uint16_t kref_f2h(float f)
{
	uint32_t x;
	memcpy(&x, &f, sizeof x);
	uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
	uint32_t exp = (x >> 23) & 0xff, man = x & 0x7fffff;
	if (exp == 0xff) /* inf or NaN (quiet, payload kept where it fits) */
		return sign | 0x7c00 | (man ? (uint16_t)(0x200 | (man >> 13)) : 0);
	int e = (int)exp - 127 + 15;
	if (e >= 0x1f)
		return sign | 0x7c00;
	if (e <= 0) { /* subnormal or zero */
		if (e < -10)
			return sign;
		man |= 0x800000;
		int shift = 14 - e;
		uint32_t half = man >> shift, rem = man & ((1u << shift) - 1),
			 mid = 1u << (shift - 1);
		if (rem > mid || (rem == mid && (half & 1)))
			half++;
		return sign | (uint16_t)half;
	}
	uint32_t half = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fff;
	if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
		half++; /* may carry into the exponent, up to infinity: correct */
	return sign | (uint16_t)half;
}

void kref_h2f_n(const uint16_t *src, float *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = kref_h2f(src[i]);
}

void kref_f2h_n(const float *src, uint16_t *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = kref_f2h(src[i]);
}

void kref_gemm_f32(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
		   size_t ldb, int trans_b, float *C, size_t ldc)
{
	for (size_t m = 0; m < M; m++)
		for (size_t n = 0; n < N; n++) {
			float acc = 0;
			for (size_t k = 0; k < K; k++)
				acc += A[m * lda + k] * (trans_b ? B[n * ldb + k] : B[k * ldb + n]);
			C[m * ldc + n] = acc;
		}
}

void kref_gemm_f16w(size_t M, size_t N, size_t K, const float *A, size_t lda, const uint16_t *W,
		    size_t ldw, float *C, size_t ldc)
{
	for (size_t m = 0; m < M; m++)
		for (size_t n = 0; n < N; n++) {
			float acc = 0;
			for (size_t k = 0; k < K; k++)
				acc += A[m * lda + k] * kref_h2f(W[n * ldw + k]);
			C[m * ldc + n] = acc;
		}
}

/* The i-th nbits-bit field of an LSB-first packed array. */
static unsigned lut_index(const uint8_t *p, size_t i, int nbits)
{
	size_t bit = i * (size_t)nbits;
	unsigned v = p[bit / 8] >> (bit % 8);
	int have = 8 - (int)(bit % 8);
	if (have < nbits)
		v |= (unsigned)p[bit / 8 + 1] << have;
	return v & ((1u << nbits) - 1);
}

static uint16_t lut_at(const struct k_lut *W, size_t n, size_t k)
{
	size_t g = n / W->rows_per_group;
	return W->lut[(g << W->nbits) + lut_index(W->indices, n * W->K + k, W->nbits)];
}

void kref_gemm_lut(size_t M, const float *A, size_t lda, const struct k_lut *W, float *C,
		   size_t ldc)
{
	for (size_t m = 0; m < M; m++)
		for (size_t n = 0; n < W->N; n++) {
			float acc = 0;
			for (size_t k = 0; k < W->K; k++)
				acc += A[m * lda + k] * kref_h2f(lut_at(W, n, k));
			C[m * ldc + n] = acc;
		}
}

void kref_lut_expand(const struct k_lut *W, uint16_t *out)
{
	for (size_t n = 0; n < W->N; n++)
		for (size_t k = 0; k < W->K; k++)
			out[n * W->K + k] = lut_at(W, n, k);
}
