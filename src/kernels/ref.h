/*
** ref.h -- the reference kernels (ref.c): the kernels of kernels.h as
** plain one-thread loops, summing every dot product in index order.  The
** oracle of the unit tests; not used by the runtime.
*/
#ifndef MLCC_KERNELS_REF_H
#define MLCC_KERNELS_REF_H

#include "kernels/kernels.h"

float kref_h2f(uint16_t h);
uint16_t kref_f2h(float f);
void kref_h2f_n(const uint16_t *src, float *dst, size_t n);
void kref_f2h_n(const float *src, uint16_t *dst, size_t n);
void kref_gemm_f32(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
		   size_t ldb, int trans_b, float *C, size_t ldc);
void kref_gemm_f16w(size_t M, size_t N, size_t K, const float *A, size_t lda, const uint16_t *W,
		    size_t ldw, float *C, size_t ldc);
void kref_gemm_lut(size_t M, const float *A, size_t lda, const struct k_lut *W, float *C,
		   size_t ldc);
void kref_lut_expand(const struct k_lut *W, uint16_t *out);

#endif
