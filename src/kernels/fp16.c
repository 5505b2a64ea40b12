/*
** fp16.c -- IEEE binary16 <-> float (k_h2f, k_f2h and their array forms).
**
** Scalars use branch-light bit arithmetic; arrays use the F16C
** instructions when the CPU has them (k_simd()), else the scalars.  Every
** path gives the bits of ref.c: F16C is used only where it agrees (it
** quiets signalling NaNs, which ref.c keeps: blocks holding one go through
** the scalar path).
*/
#include <stdatomic.h>
#include <string.h>

#include "kernels/kint.h"

#if KINT_X86
#include <cpuid.h>

/* F16C from CPUID leaf 1 (ECX bit 29): clang's __builtin_cpu_supports
** does not know the name "f16c". */
static int has_f16c(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}
#endif

/* Both atomics (relaxed): any thread may be the first to ask, and every
** thread computes the same value. */
static atomic_int simd_limit = 2;

/* The CPU's level. */
static int cpu_level(void)
{
#if KINT_X86
	static atomic_int cpu = -1;
	if (atomic_load_explicit(&cpu, memory_order_relaxed) < 0) {
		int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
			   has_f16c();
		int avx512 = __builtin_cpu_supports("avx512f") &&
			     __builtin_cpu_supports("avx512bw") &&
			     __builtin_cpu_supports("avx512vbmi");
		atomic_store_explicit(&cpu, avx2 ? 1 + avx512 : 0, memory_order_relaxed);
	}
	return atomic_load_explicit(&cpu, memory_order_relaxed);
#else
	return 0;
#endif
}

int k_simd(void)
{
	int c = cpu_level(), l = atomic_load_explicit(&simd_limit, memory_order_relaxed);
	return c < l ? c : l;
}

void k_simd_limit(int level)
{
	atomic_store_explicit(&simd_limit, level < 0 ? 2 : level, memory_order_relaxed);
}

static float as_float(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static uint32_t as_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

float k_h2f(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t o = (uint32_t)(h & 0x7fff) << 13, exp = o & 0x0f800000u;
	o += 112u << 23; /* rebias 15 -> 127 */
	if (exp == 0x0f800000u) {
		o += 112u << 23; /* inf, NaN: exponent all ones, payload kept */
	} else if (exp == 0) {
		/* subnormal or zero: man * 2^-24, computed exactly as
		** (2^-14 + man * 2^-24) - 2^-14 */
		o = as_bits(as_float(o + (1u << 23)) - as_float(113u << 23));
	}
	return as_float(o | sign);
}

uint16_t k_f2h(float f)
{
	uint32_t x = as_bits(f), sign = (x >> 16) & 0x8000;
	x &= 0x7fffffffu;
	uint32_t o;
	if (x >= 0x47800000u) { /* |f| >= 65536, inf or NaN */
		o = x > 0x7f800000u ? 0x7e00 | ((x >> 13) & 0x3ff) : 0x7c00;
	} else if (x < 0x38800000u) { /* below 2^-14: a subnormal half or 0 */
		/* Adding 0.5 (ulp 2^-24, the half subnormal step) rounds to
		** nearest even in the FPU; the low bits are then the result
		** (0x400 when it rounds up to the smallest normal). */
		o = as_bits(as_float(x) + 0.5f) - 0x3f000000u;
	} else {
		/* rebias, then round the 13 dropped bits to nearest even; a
		** carry moves into the exponent, up to infinity */
		x = x - (112u << 23) + 0xfff + ((x >> 13) & 1);
		o = x >> 13;
	}
	return (uint16_t)(o | sign);
}

#if KINT_X86
/* 8 lanes of fp16 bits: does any hold a signalling NaN? */
KINT_AVX2 static int has_snan(__m128i h)
{
	__m128i a = _mm_and_si128(h, _mm_set1_epi16(0x7fff));
	__m128i s = _mm_and_si128(_mm_cmpgt_epi16(a, _mm_set1_epi16(0x7c00)),
				  _mm_cmplt_epi16(a, _mm_set1_epi16(0x7e00)));
	return !_mm_testz_si128(s, s);
}

KINT_AVX2 static void h2f_n_f16c(const uint16_t *src, float *dst, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		__m128i h = _mm_loadu_si128((const __m128i *)(src + i));
		if (has_snan(h)) {
			for (size_t j = i; j < i + 8; j++)
				dst[j] = k_h2f(src[j]);
			continue;
		}
		_mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
	}
	for (; i < n; i++)
		dst[i] = k_h2f(src[i]);
}

KINT_AVX2 static void f2h_n_f16c(const float *src, uint16_t *dst, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		__m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i),
					    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
		_mm_storeu_si128((__m128i *)(dst + i), h);
	}
	for (; i < n; i++)
		dst[i] = k_f2h(src[i]);
}
#endif

void k_h2f_n(const uint16_t *src, float *dst, size_t n)
{
#if KINT_X86
	if (k_simd()) {
		h2f_n_f16c(src, dst, n);
		return;
	}
#endif
	for (size_t i = 0; i < n; i++)
		dst[i] = k_h2f(src[i]);
}

void k_f2h_n(const float *src, uint16_t *dst, size_t n)
{
#if KINT_X86
	if (k_simd()) {
		f2h_n_f16c(src, dst, n);
		return;
	}
#endif
	for (size_t i = 0; i < n; i++)
		dst[i] = k_f2h(src[i]);
}
