/*
** kint.h -- what the fast kernels share (fp16.c, gemm.c, lut.c): the
** x86 SIMD target attribute and the pieces of gemm.c that lut.c reuses.
*/
#ifndef MLCC_KERNELS_KINT_H
#define MLCC_KERNELS_KINT_H

#include "kernels/kernels.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define KINT_X86 1
#include <immintrin.h>
/* Functions using AVX2/FMA/F16C; only called when k_simd() says so. */
#define KINT_AVX2 __attribute__((target("avx2,fma,f16c")))
/* ... and AVX-512 with byte permutes; only when k_simd() >= 2. */
#define KINT_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vbmi")))
#else
#define KINT_X86 0
#endif

/* The dot product sum(a[i] * b[i], i < n) of the kernels: a fixed
** summation order that depends only on n (several partial sums, combined
** in a fixed order), so equal inputs give equal bits on every thread. */
float kint_dot(const float *a, const float *b, size_t n);

/* The B operand of the blocked GEMM, as a packer: write columns
** [n0, n0 + nc) of rows [k0, k0 + kc) of B (B is K x N) as ceil(nc /
** KINT_NR) panels, panel p holding kc rows of KINT_NR floats
** (dst[(p * kc + k) * KINT_NR + j] = B[k0 + k][n0 + p * KINT_NR + j]),
** columns past nc zero. */
#define KINT_NR 16
typedef void (*kint_pack_fn)(const void *ctx, size_t k0, size_t kc, size_t n0, size_t nc,
			     float *dst);

/* Row n of a transposed B (N x K: weights), elements [k0, k0 + len),
** len <= KINT_KB, as fp32: a pointer into the data when it is fp32, else
** into 'tmp' (KINT_KB floats) where the row was converted or decoded. */
#define KINT_KB 1024
typedef const float *(*kint_row_fn)(const void *ctx, size_t n, size_t k0, size_t len, float *tmp);

/* C[M x N] = A[M x K] * W^T, row n of W given by 'row': the GEMV path for
** small M (rows streamed once, each row's chunks of KINT_KB dotted with
** every row of A), else the blocked GEMM with W packed from its rows. */
void kint_gemm_rows(struct kpool *pool, size_t M, size_t N, size_t K, const float *A, size_t lda,
		    kint_row_fn row, const void *rctx, float *C, size_t ldc);

/* C[M x N] = A[M x K] * B, B given by 'pack', on the pool: the blocked
** GEMM of gemm.c for every B layout.  Each C element is a sum in a fixed
** order (blocks of k in order, fused multiply-adds within a block). */
void kint_gemm(struct kpool *pool, size_t M, size_t N, size_t K, const float *A, size_t lda,
	       kint_pack_fn pack, const void *pctx, float *C, size_t ldc);

#endif
