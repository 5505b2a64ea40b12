/*
** gemm.c -- fp32 matrix products: k_gemm_f32, k_gemm_f16w, and the
** drivers lut.c shares (kint.h).
**
** Two shapes of work:
**   - small M (decode, M <= GEMV_M) with transposed weights: a GEMV that
**     streams each weight row once, in chunks of KINT_KB converted or
**     decoded to fp32, dotted with every row of A; threaded over rows N.
**     Memory-bandwidth bound by design.
**   - otherwise a cache-blocked GEMM: B packed into KINT_NR-column panels
**     (KC x NC per block, in L2), A into MR-row panels, a 6 x 16 register
**     micro-kernel (AVX2/FMA, or portable C); threaded over columns N (or
**     rows M when N is narrow).
** Summation order: every C element is the sum over k-blocks of KC (in
** order) of a block sum formed by the micro-kernel in k order (GEMM), or
** the sum over KINT_KB chunks of kint_dot (GEMV): fixed by the shapes,
** never by the thread count.  It differs from ref.c's plain k order, so
** results agree with ref.c to rounding (tests: |d| <= 2 (K + 1) u
** sum|a b|, u = 2^-24).  k_gemm_f16w's small-M path on AVX2 widens the
** fp16 row in registers instead (one pass, one fixed order per row).
*/
#include <stdlib.h>
#include <string.h>

#include "kernels/kint.h"

#define MR 6
#define NR KINT_NR
#define KC 256
#define MC 120 /* multiple of MR */
#define NC 256 /* multiple of NR */
#define GEMV_M 8

/* ---- dot product ----------------------------------------------------------- */

static float dot_port(const float *a, const float *b, size_t n)
{
	float p[8] = {0};
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++)
			p[j] += a[i + j] * b[i + j];
	float s = ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));
	for (; i < n; i++)
		s += a[i] * b[i];
	return s;
}

#if KINT_X86
/* Sum of the 8 lanes, in a fixed order. */
KINT_AVX2 static float hsum(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
	return _mm_cvtss_f32(s);
}

KINT_AVX2 static float dot_avx2(const float *a, const float *b, size_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
	float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; i < n; i++)
		s += a[i] * b[i];
	return s;
}
#endif

float kint_dot(const float *a, const float *b, size_t n)
{
#if KINT_X86
	if (k_simd())
		return dot_avx2(a, b, n);
#endif
	return dot_port(a, b, n);
}

/* ---- micro-kernels: C[mr x nr] (+)= Ap[MR x kc] * Bp[kc x NR] ---------------- */

typedef void (*ukr_fn)(size_t kc, const float *a, const float *b, float *c, size_t ldc, int add,
		       size_t mr, size_t nr);

/* The finished tile t (MR x NR) into C: stored, or added when 'add'. */
static void tile_out(const float *t, float *c, size_t ldc, int add, size_t mr, size_t nr)
{
	for (size_t i = 0; i < mr; i++)
		for (size_t j = 0; j < nr; j++)
			c[i * ldc + j] = add ? c[i * ldc + j] + t[i * NR + j] : t[i * NR + j];
}

static void ukr_port(size_t kc, const float *a, const float *b, float *c, size_t ldc, int add,
		     size_t mr, size_t nr)
{
	float t[MR * NR] = {0};
	for (size_t k = 0; k < kc; k++, a += MR, b += NR)
		for (int i = 0; i < MR; i++)
			for (int j = 0; j < NR; j++)
				t[i * NR + j] += a[i] * b[j];
	tile_out(t, c, ldc, add, mr, nr);
}

#if KINT_X86
/* One row of the tile: ci0/ci1 (+)= a[i] * b0/b1. */
#define UKR_ROW(i)                                                                                 \
	do {                                                                                       \
		__m256 ai = _mm256_broadcast_ss(a + (i));                                          \
		c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);                                        \
		c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);                                        \
	} while (0)
/* Row i of the tile out to C (full tiles) or to tt (edge tiles). */
#define UKR_OUT(i)                                                                                 \
	do {                                                                                       \
		if (full) {                                                                        \
			float *ci = c + (i)*ldc;                                                   \
			if (add) {                                                                 \
				c##i##0 = _mm256_add_ps(_mm256_loadu_ps(ci), c##i##0);             \
				c##i##1 = _mm256_add_ps(_mm256_loadu_ps(ci + 8), c##i##1);         \
			}                                                                          \
			_mm256_storeu_ps(ci, c##i##0);                                             \
			_mm256_storeu_ps(ci + 8, c##i##1);                                         \
		} else {                                                                           \
			_mm256_storeu_ps(tt + (i)*NR, c##i##0);                                    \
			_mm256_storeu_ps(tt + (i)*NR + 8, c##i##1);                                \
		}                                                                                  \
	} while (0)

/* The 12 accumulators are named variables: with an array, GCC keeps
** them in memory across the loop. */
KINT_AVX2 static void ukr_avx2(size_t kc, const float *a, const float *b, float *c, size_t ldc,
			       int add, size_t mr, size_t nr)
{
	__m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
	       c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
	for (size_t k = 0; k < kc; k++, a += MR, b += NR) {
		__m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
		UKR_ROW(0);
		UKR_ROW(1);
		UKR_ROW(2);
		UKR_ROW(3);
		UKR_ROW(4);
		UKR_ROW(5);
	}
	int full = mr == MR && nr == NR;
	float tt[MR * NR];
	UKR_OUT(0);
	UKR_OUT(1);
	UKR_OUT(2);
	UKR_OUT(3);
	UKR_OUT(4);
	UKR_OUT(5);
	if (!full)
		tile_out(tt, c, ldc, add, mr, nr);
}
#endif

/* ---- the blocked GEMM ---------------------------------------------------------- */

/* Rows [m0, m0 + mc) x k [k0, k0 + kc) of A as MR-row panels
** (dst[(p * kc + k) * MR + i]), rows past mc zero. */
static void pack_a(const float *A, size_t lda, size_t m0, size_t mc, size_t k0, size_t kc,
		   float *dst)
{
	for (size_t p = 0; p * MR < mc; p++)
		for (size_t k = 0; k < kc; k++)
			for (size_t i = 0; i < MR; i++) {
				size_t m = p * MR + i;
				*dst++ = m < mc ? A[(m0 + m) * lda + k0 + k] : 0.0f;
			}
}

struct gjob {
	size_t M, N, K;
	const float *A;
	size_t lda;
	kint_pack_fn pack;
	const void *pctx;
	float *C;
	size_t ldc;
	int by_n; /* ranges are columns (else rows) */
	ukr_fn ukr;
};

/* C[m0..m1) x [n0..n1) with block buffers Bp (KC x nc_max) and Ap
** (mc_max x KC). */
static void gemm_block(const struct gjob *g, size_t m0, size_t m1, size_t n0, size_t n1, float *Bp,
		       size_t nc_max, float *Ap, size_t mc_max)
{
	for (size_t jc = n0; jc < n1; jc += nc_max) {
		size_t nc = n1 - jc < nc_max ? n1 - jc : nc_max;
		for (size_t pc = 0; pc < g->K; pc += KC) {
			size_t kc = g->K - pc < KC ? g->K - pc : KC;
			g->pack(g->pctx, pc, kc, jc, nc, Bp);
			for (size_t ic = m0; ic < m1; ic += mc_max) {
				size_t mc = m1 - ic < mc_max ? m1 - ic : mc_max;
				pack_a(g->A, g->lda, ic, mc, pc, kc, Ap);
				for (size_t jr = 0; jr < nc; jr += NR)
					for (size_t ir = 0; ir < mc; ir += MR)
						g->ukr(kc, Ap + ir * kc, Bp + jr * kc,
						       g->C + (ic + ir) * g->ldc + jc + jr, g->ldc,
						       pc > 0, mc - ir < MR ? mc - ir : MR,
						       nc - jr < NR ? nc - jr : NR);
			}
		}
	}
}

/* One range of a GEMM job.  The block buffers come from the heap; without
** memory, small ones on the stack do the same sums (the blocking over k,
** the only thing the sums depend on, is the same). */
static void gemm_range(void *ctx, size_t b, size_t e)
{
	const struct gjob *g = ctx;
	size_t m0 = g->by_n ? 0 : b, m1 = g->by_n ? g->M : e;
	size_t n0 = g->by_n ? b : 0, n1 = g->by_n ? e : g->N;
	float *Bp = aligned_alloc(64, sizeof(float) * KC * NC);
	float *Ap = aligned_alloc(64, sizeof(float) * MC * KC);
	if (Bp && Ap) {
		gemm_block(g, m0, m1, n0, n1, Bp, NC, Ap, MC);
	} else {
		_Alignas(64) float bs[KC * NR], as[MR * KC];
		gemm_block(g, m0, m1, n0, n1, bs, NR, as, MR);
	}
	free(Bp);
	free(Ap);
}

void kint_gemm(struct kpool *pool, size_t M, size_t N, size_t K, const float *A, size_t lda,
	       kint_pack_fn pack, const void *pctx, float *C, size_t ldc)
{
	if (!M || !N)
		return;
	if (!K) {
		for (size_t m = 0; m < M; m++)
			memset(C + m * ldc, 0, N * sizeof *C);
		return;
	}
	struct gjob g = {M, N, K, A, lda, pack, pctx, C, ldc, 1, ukr_port};
#if KINT_X86
	if (k_simd())
		g.ukr = ukr_avx2;
#endif
	size_t t = (size_t)kpool_threads(pool);
	/* Split the wider way (in panels); columns when they give every
	** thread work, as each range then packs only its own B. */
	g.by_n = (N + NR - 1) / NR >= 2 * t || N >= M;
	kpool_for(pool, g.by_n ? N : M, g.by_n ? NR : MR, gemm_range, &g);
}

/* ---- B packers ------------------------------------------------------------------ */

struct bplain {
	const float *B;
	size_t ldb;
};

/* B as K x N rows (trans_b 0). */
static void pack_plain(const void *ctx, size_t k0, size_t kc, size_t n0, size_t nc, float *dst)
{
	const struct bplain *b = ctx;
	for (size_t p = 0; p * NR < nc; p++) {
		size_t w = nc - p * NR < NR ? nc - p * NR : NR;
		for (size_t k = 0; k < kc; k++, dst += NR) {
			memcpy(dst, b->B + (k0 + k) * b->ldb + n0 + p * NR, w * sizeof *dst);
			memset(dst + w, 0, (NR - w) * sizeof *dst);
		}
	}
}

struct browjob {
	kint_row_fn row;
	const void *rctx;
};

/* B^T given by rows (weights): each row's k range, scattered into its
** panel column. */
static void pack_rows(const void *ctx, size_t k0, size_t kc, size_t n0, size_t nc, float *dst)
{
	const struct browjob *r = ctx;
	_Alignas(64) float tmp[KINT_KB];
	size_t panels = (nc + NR - 1) / NR;
	for (size_t j = 0; j < panels * NR; j++) {
		float *col = dst + (j / NR) * kc * NR + j % NR;
		if (j >= nc) {
			for (size_t k = 0; k < kc; k++)
				col[k * NR] = 0.0f;
			continue;
		}
		const float *w = r->row(r->rctx, n0 + j, k0, kc, tmp);
		for (size_t k = 0; k < kc; k++)
			col[k * NR] = w[k];
	}
}

/* ---- GEMV -------------------------------------------------------------------------- */

struct vjob {
	size_t M, K;
	const float *A;
	size_t lda;
	kint_row_fn row;
	const void *rctx;
	float *C;
	size_t ldc;
};

static void gemv_range(void *ctx, size_t n0, size_t n1)
{
	const struct vjob *v = ctx;
	_Alignas(64) float tmp[KINT_KB];
	for (size_t n = n0; n < n1; n++) {
		float acc[GEMV_M] = {0};
		for (size_t k0 = 0; k0 < v->K; k0 += KINT_KB) {
			size_t len = v->K - k0 < KINT_KB ? v->K - k0 : KINT_KB;
			const float *w = v->row(v->rctx, n, k0, len, tmp);
			for (size_t m = 0; m < v->M; m++)
				acc[m] += kint_dot(v->A + m * v->lda + k0, w, len);
		}
		for (size_t m = 0; m < v->M; m++)
			v->C[m * v->ldc + n] = acc[m];
	}
}

void kint_gemm_rows(struct kpool *pool, size_t M, size_t N, size_t K, const float *A, size_t lda,
		    kint_row_fn row, const void *rctx, float *C, size_t ldc)
{
	if (M <= GEMV_M) {
		struct vjob v = {M, K, A, lda, row, rctx, C, ldc};
		kpool_for(pool, M ? N : 0, 16, gemv_range, &v);
		return;
	}
	struct browjob r = {row, rctx};
	kint_gemm(pool, M, N, K, A, lda, pack_rows, &r, C, ldc);
}

/* Small M with B as K x N rows: C rows accumulated over k in order
** (c += a * b), in column blocks of NC. */
struct pjob {
	size_t M, K;
	const float *A;
	size_t lda;
	const float *B;
	size_t ldb;
	float *C;
	size_t ldc;
};

static void axpy_port(float a, const float *x, float *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] += a * x[i];
}

#if KINT_X86
KINT_AVX2 static void axpy_avx2(float a, const float *x, float *y, size_t n)
{
	__m256 va = _mm256_set1_ps(a);
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(
			y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
	for (; i < n; i++)
		y[i] = __builtin_fmaf(a, x[i], y[i]);
}
#endif

static void plain_gemv_range(void *ctx, size_t n0, size_t n1)
{
	const struct pjob *p = ctx;
	void (*axpy)(float, const float *, float *, size_t) = axpy_port;
#if KINT_X86
	if (k_simd())
		axpy = axpy_avx2;
#endif
	for (size_t b = n0; b < n1; b += NC) {
		size_t w = n1 - b < NC ? n1 - b : NC;
		for (size_t m = 0; m < p->M; m++)
			memset(p->C + m * p->ldc + b, 0, w * sizeof(float));
		for (size_t k = 0; k < p->K; k++)
			for (size_t m = 0; m < p->M; m++)
				axpy(p->A[m * p->lda + k], p->B + k * p->ldb + b,
				     p->C + m * p->ldc + b, w);
	}
}

/* ---- the public products ------------------------------------------------------------ */

static const float *row_f32(const void *ctx, size_t n, size_t k0, size_t len, float *tmp)
{
	const struct bplain *b = ctx;
	(void)len;
	(void)tmp;
	return b->B + n * b->ldb + k0;
}

void k_gemm_f32(struct kpool *pool, size_t M, size_t N, size_t K, const float *A, size_t lda,
		const float *B, size_t ldb, int trans_b, float *C, size_t ldc)
{
	struct bplain b = {B, ldb};
	if (trans_b) {
		kint_gemm_rows(pool, M, N, K, A, lda, row_f32, &b, C, ldc);
	} else if (M <= GEMV_M) {
		struct pjob p = {M, K, A, lda, B, ldb, C, ldc};
		kpool_for(pool, M ? N : 0, 64, plain_gemv_range, &p);
	} else {
		kint_gemm(pool, M, N, K, A, lda, pack_plain, &b, C, ldc);
	}
}

struct bf16 {
	const uint16_t *W;
	size_t ldw;
};

static const float *row_f16(const void *ctx, size_t n, size_t k0, size_t len, float *tmp)
{
	const struct bf16 *b = ctx;
	k_h2f_n(b->W + n * b->ldw + k0, tmp, len);
	return tmp;
}

#if KINT_X86
/* sum(a[i] * h2f(w[i])): the fp16 row widened in registers (F16C) as it
** is multiplied, one pass over it. */
KINT_AVX2 static float dot_f16_avx2(const float *a, const uint16_t *w, size_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
	size_t i = 0;
#define W8(j) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i + (j))))
	for (; i + 32 <= n; i += 32) {
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), W8(0), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), W8(8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), W8(16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), W8(24), s3);
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), W8(0), s0);
#undef W8
	float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; i < n; i++)
		s += a[i] * k_h2f(w[i]);
	return s;
}

struct f16job {
	size_t M, K;
	const float *A;
	size_t lda;
	const uint16_t *W;
	size_t ldw;
	float *C;
	size_t ldc;
};

/* Rows [n0, n1) of the small-M fp16 product, fused conversion. */
static void gemv_f16_range(void *ctx, size_t n0, size_t n1)
{
	const struct f16job *j = ctx;
	for (size_t n = n0; n < n1; n++)
		for (size_t m = 0; m < j->M; m++)
			j->C[m * j->ldc + n] =
				dot_f16_avx2(j->A + m * j->lda, j->W + n * j->ldw, j->K);
}
#endif

void k_gemm_f16w(struct kpool *pool, size_t M, size_t N, size_t K, const float *A, size_t lda,
		 const uint16_t *W, size_t ldw, float *C, size_t ldc)
{
#if KINT_X86
	if (M <= GEMV_M && k_simd()) {
		struct f16job j = {M, K, A, lda, W, ldw, C, ldc};
		kpool_for(pool, M ? N : 0, 16, gemv_f16_range, &j);
		return;
	}
#endif
	struct bf16 b = {W, ldw};
	kint_gemm_rows(pool, M, N, K, A, lda, row_f16, &b, C, ldc);
}
