/*
** kernels.h -- the compute kernels of the CPU runtime (src/runtime/).
**
** Pure functions on dense row-major arrays; they know nothing of models,
** files or messages, and cannot fail (callers check sizes first).  The
** runtime computes every floating-point op as fp16/fp32 *storage* with
** fp32 arithmetic: operands are widened to float, results rounded once to
** the output type (round to nearest even).
**
** Threads: every kernel taking a 'struct kpool *' may split its work over
** the pool's workers; NULL means "run on the calling thread".  Results do
** not depend on the number of threads (each output element is computed by
** one thread, in one fixed summation order).
*/
#ifndef MLCC_KERNELS_H
#define MLCC_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "mlccint.h"

/* ---- thread pool --------------------------------------------------------- */

struct kpool;

/* A pool of 'threads' workers (<= 0: one per online core).  Returns NULL
** when out of memory or when no thread can be started. */
struct kpool *kpool_new(int threads);
void kpool_free(struct kpool *pool);

/* Workers of 'pool' (1 for NULL). */
int kpool_threads(const struct kpool *pool);

/* Run fn(ctx, begin, end) over [0, n) split into contiguous ranges of at
** least 'grain' items, on the pool's workers and the caller; returns when
** every range is done.  Not reentrant: 'fn' must not call kpool_for().
** (pool.c: 'threads' counts the caller, which runs ranges too; every range
** but the last is a multiple of 'grain' long, the last at least 'grain'
** unless n < grain; concurrent callers of one pool are served one after
** the other.) */
typedef void (*kpool_fn)(void *ctx, size_t begin, size_t end);
void kpool_for(struct kpool *pool, size_t n, size_t grain, kpool_fn fn, void *ctx);

/* ---- SIMD dispatch (added) ------------------------------------------------ */

/* The SIMD level the kernels use, chosen at run time from the CPU: 0 the
** portable C paths, 1 AVX2/FMA/F16C, 2 also AVX-512 (F, BW, VBMI: the
** LUT decoders). */
int k_simd(void);

/* Tests and benchmarks only, before any kernel runs on another thread:
** use at most 'level' (< 0: no limit, the CPU's best). */
void k_simd_limit(int level);

/* ---- fp16 ---------------------------------------------------------------- */

/* IEEE binary16 bits <-> float; k_f2h rounds to nearest even, keeps NaN,
** overflows to infinity. */
float k_h2f(uint16_t h);
uint16_t k_f2h(float f);
void k_h2f_n(const uint16_t *src, float *dst, size_t n);
void k_f2h_n(const float *src, uint16_t *dst, size_t n);

/* ---- matrix products ------------------------------------------------------ */

/* C[M x N] = A[M x K] * B, fp32.  B is K x N ('trans_b' 0, row stride ldb)
** or N x K ('trans_b' 1: C = A * B^T, the layout of linear/conv weights).
** Leading dimensions are in elements.  C is overwritten. */
void k_gemm_f32(struct kpool *pool, size_t M, size_t N, size_t K, const float *A, size_t lda,
		const float *B, size_t ldb, int trans_b, float *C, size_t ldc);

/* C[M x N] = A[M x K] * W^T with W[N x K] given as fp16 bits (row stride ldw). */
void k_gemm_f16w(struct kpool *pool, size_t M, size_t N, size_t K, const float *A, size_t lda,
		 const uint16_t *W, size_t ldw, float *C, size_t ldc);

/* Palettized weights W[N x K] as Core ML stores them (constexpr_lut_to_dense
** with palettes per group of output rows, as ANEMLL's converter writes):
** W[n][k] = lut[(n / rows_per_group) * (1 << nbits) + idx(n*K + k)], where
** idx(i) is the i-th 'nbits'-bit field of 'indices', packed LSB-first
** across bytes with no padding between rows (docs/spec/coreml-input.md,
** sub-byte packing).  'lut' is fp16 bits.  nbits is 1, 2, 3, 4, 6 or 8;
** rows_per_group divides N. */
struct k_lut {
	size_t N, K;
	int nbits;
	size_t rows_per_group;
	const uint8_t *indices;
	const uint16_t *lut;
};

/* C[M x N] = A[M x K] * W^T for palettized W, without materialising W:
** the dequantisation happens in the inner loop (decode reads nbits/16 of
** the bytes an fp16 weight would need). */
void k_gemm_lut(struct kpool *pool, size_t M, const float *A, size_t lda, const struct k_lut *W,
		float *C, size_t ldc);

/* Every element of W as fp16 bits into out[N*K] (for ops other than
** matrix products). */
void k_lut_expand(const struct k_lut *W, uint16_t *out);

#endif
