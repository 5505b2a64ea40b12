/*
** test_kernels.c -- the fast kernels (src/kernels/{pool,fp16,gemm,lut}.c)
** against the reference versions (ref.c), on both the SIMD and the
** portable paths:
**   - fp16: every one of the 65536 halves exactly; float -> half on every
**     rounding boundary (each half, the midpoints to its neighbours and
**     one float ulp either side), subnormals, overflow, NaN payloads and
**     2^20 random bit patterns, exactly;
**   - the pool: every item of [0, n) run exactly once, ranges multiples of
**     the grain, many jobs in a row;
**   - products: random and edge shapes (M, N, K in 1..67, larger ones
**     crossing the blocking sizes), odd leading dimensions, both B
**     layouts, LUT widths 1, 2, 3, 4, 6, 8 with palettes per 1, some and
**     all rows.  The fast kernels sum in another order than ref.c, so a
**     result may differ by rounding: both are within K u sum|a b| of the
**     exact value (u = 2^-24, the standard bound on a K-term fp32 sum,
**     FMA or not), so they must agree within 2 (K + 1) u sum|a b|.
**     Products must give identical bits with no pool and with pools of
**     1, 2 and 3 threads, and must leave C's padding alone.
*/
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "kernels/ref.h"
#include "testkit.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* Uniform in [-1, 1). */
static float rndf(void)
{
	return (float)(rnd() % 2000001) / 1e6f - 1.0f;
}

static size_t rndn(size_t lo, size_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

/* Every SIMD level up to the CPU's is tested. */
static int top;
static const char *lname[] = {"portable", "AVX2", "AVX-512"};

static uint32_t bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static float from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

/* ---- fp16 ---------------------------------------------------------------- */

static void test_h2f(void)
{
	static uint16_t h[65536];
	static float got[65536];
	int bad = 0;
	for (uint32_t i = 0; i < 65536; i++) {
		h[i] = (uint16_t)i;
		if (bits(k_h2f(h[i])) != bits(kref_h2f(h[i])) && bad++ < 5)
			fprintf(stderr, "k_h2f(0x%04x) = 0x%08x, ref 0x%08x\n", i,
				bits(k_h2f(h[i])), bits(kref_h2f(h[i])));
	}
	CHECK(bad == 0);
	for (int level = top; level >= 0; level--) {
		k_simd_limit(level);
		k_h2f_n(h, got, 65536);
		bad = 0;
		for (uint32_t i = 0; i < 65536; i++)
			if (bits(got[i]) != bits(kref_h2f(h[i])) && bad++ < 5)
				fprintf(stderr, "k_h2f_n[%s](0x%04x) = 0x%08x\n", lname[level], i,
					bits(got[i]));
		CHECK(bad == 0);
	}
	k_simd_limit(-1);
}

/* Floats on and around every rounding boundary of float -> half. */
static size_t f2h_cases(float *f)
{
	size_t n = 0;
	for (uint32_t h = 0; h < 0x7c00; h++) {
		float a = kref_h2f((uint16_t)h), b = kref_h2f((uint16_t)(h + 1));
		float mid = (float)(((double)a + (double)b) / 2);
		float v[] = {a,
			     from_bits(bits(a) + 1),
			     mid,
			     from_bits(bits(mid) - 1),
			     from_bits(bits(mid) + 1),
			     h == 0x7bff ? 65520.0f : b};
		for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
			f[n++] = v[i];
			f[n++] = -v[i];
		}
	}
	/* below the smallest subnormal half, float subnormals, huge values */
	for (uint32_t e = 0; e < 256; e++)
		for (uint32_t m = 0; m < 64; m++) {
			uint32_t man = m < 32 ? m : (0x7fffffu >> (m - 32)) ^ (m << 17);
			f[n++] = from_bits(e << 23 | (man & 0x7fffff));
			f[n++] = from_bits(0x80000000u | e << 23 | (man & 0x7fffff));
		}
	for (int i = 0; i < (1 << 20); i++)
		f[n++] = from_bits(rnd() << 11 ^ rnd());
	return n;
}

static void test_f2h(void)
{
	size_t cap = 0x7c00 * 12 + 256 * 64 * 2 + (1 << 20);
	float *f = malloc(cap * sizeof *f);
	uint16_t *got = malloc(cap * sizeof *got);
	CHECK(f && got);
	if (!f || !got)
		exit(1);
	size_t n = f2h_cases(f);
	CHECK(n == cap);
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		if (k_f2h(f[i]) != kref_f2h(f[i]) && bad++ < 5)
			fprintf(stderr, "k_f2h(0x%08x) = 0x%04x, ref 0x%04x\n", bits(f[i]),
				k_f2h(f[i]), kref_f2h(f[i]));
	CHECK(bad == 0);
	for (int level = top; level >= 0; level--) {
		k_simd_limit(level);
		k_f2h_n(f, got, n);
		bad = 0;
		for (size_t i = 0; i < n; i++)
			if (got[i] != kref_f2h(f[i]) && bad++ < 5)
				fprintf(stderr, "k_f2h_n[%s](0x%08x) = 0x%04x, ref 0x%04x\n",
					lname[level], bits(f[i]), got[i], kref_f2h(f[i]));
		CHECK(bad == 0);
	}
	k_simd_limit(-1);
	/* named cases */
	CHECK(k_f2h(65519.996f) == 0x7bff);
	CHECK(k_f2h(65520.0f) == 0x7c00);
	CHECK(k_f2h(-INFINITY) == 0xfc00);
	CHECK(k_f2h(from_bits(0x7f800001u)) == 0x7e00);
	CHECK(k_f2h(from_bits(0xffc02000u)) == 0xfe01);
	CHECK(k_f2h(5.9604645e-8f) == 0x0001);	      /* 2^-24 */
	CHECK(k_f2h(2.9802322e-8f) == 0x0000);	      /* 2^-25: tie to even */
	CHECK(k_f2h(2.9802326e-8f) == 0x0001);	      /* just above */
	CHECK(k_f2h(ldexpf(2047.0f, -25)) == 0x0400); /* tie: up to the smallest normal */
	CHECK(bits(k_h2f(0x0001)) == 0x33800000u);    /* 2^-24 */
	CHECK(bits(k_h2f(0x7d00)) == 0x7fa00000u);    /* signalling NaN kept */
	free(f);
	free(got);
}

/* ---- pool ------------------------------------------------------------------- */

struct pcount {
	unsigned char *seen;
	size_t grain, n;
	int bad;
};

static void count_range(void *ctx, size_t b, size_t e)
{
	struct pcount *c = ctx;
	if (b >= e || e > c->n || (b % c->grain) || ((e - b) % c->grain && e != c->n) ||
	    (e - b < c->grain && c->n >= c->grain))
		__atomic_fetch_add(&c->bad, 1, __ATOMIC_RELAXED);
	for (size_t i = b; i < e && i < c->n; i++)
		__atomic_fetch_add(&c->seen[i], 1, __ATOMIC_RELAXED);
}

/* 200 jobs on one pool, checked; returns the number of bad jobs. */
static void *pool_jobs(void *arg)
{
	struct kpool *p = arg;
	size_t bad = 0;
	for (int job = 0; job < 200; job++) {
		size_t n = 1 + (size_t)job * 37 % 3000;
		struct pcount c = {calloc(n, 1), 1 + (size_t)job % 7, n, 0};
		if (!c.seen)
			return (void *)(size_t)1;
		kpool_for(p, n, c.grain, count_range, &c);
		for (size_t i = 0; i < n; i++)
			bad += c.seen[i] != 1;
		bad += (size_t)c.bad;
		free(c.seen);
	}
	return (void *)bad;
}

static void test_pool(void)
{
	/* two callers sharing a pool are served one after the other */
	struct kpool *shared = kpool_new(3);
	CHECK(shared != NULL);
	if (shared) {
		pthread_t other;
		void *other_bad = NULL;
		CHECK(pthread_create(&other, NULL, pool_jobs, shared) == 0);
		void *mine = pool_jobs(shared);
		CHECK(pthread_join(other, &other_bad) == 0);
		CHECK(mine == NULL && other_bad == NULL);
		kpool_free(shared);
	}
	CHECK(kpool_threads(NULL) == 1);
	struct kpool *p0 = kpool_new(0);
	CHECK(p0 && kpool_threads(p0) >= 1);
	kpool_free(p0);
	kpool_free(NULL);
	for (int t = 1; t <= 3; t++) {
		struct kpool *p = kpool_new(t);
		CHECK(p && kpool_threads(p) == t);
		if (!p)
			continue;
		for (int job = 0; job < 300; job++) {
			size_t n = job == 0 ? 0 : rndn(1, job < 200 ? 100 : 5000);
			struct pcount c = {calloc(n + 1, 1), rndn(1, 9), n, 0};
			kpool_for(p, n, c.grain, count_range, &c);
			size_t wrong = 0;
			for (size_t i = 0; i < n; i++)
				wrong += c.seen[i] != 1;
			CHECK(wrong == 0 && c.bad == 0);
			free(c.seen);
		}
		kpool_free(p);
	}
}

/* ---- products -------------------------------------------------------------------- */

/* got (M x N, stride ldc) vs the reference ref (stride N): within the
** bound of the header, given |A| |B| as sums sa (M x N, double). */
static int close_to(const float *got, size_t ldc, const float *ref, const double *sa, size_t M,
		    size_t N, size_t K, const char *what, const char *path)
{
	double u = ldexp(1.0, -24);
	for (size_t m = 0; m < M; m++)
		for (size_t n = 0; n < N; n++) {
			double g = got[m * ldc + n], r = ref[m * N + n];
			double tol = 2.0 * (double)(K + 1) * u * sa[m * N + n] + 1e-37;
			if (!(fabs(g - r) <= tol)) {
				fprintf(stderr,
					"%s (%s) M=%zu N=%zu K=%zu: C[%zu][%zu] = %.9g, ref %.9g (tol "
					"%.3g)\n",
					what, path, M, N, K, m, n, g, r, tol);
				return 0;
			}
		}
	return 1;
}

/* Padding of C (columns N..ldc) still the sentinel? */
static int pad_intact(const float *C, size_t M, size_t N, size_t ldc)
{
	for (size_t m = 0; m < M; m++)
		for (size_t n = N; n < ldc; n++)
			if (bits(C[m * ldc + n]) != 0x7fc0dead)
				return 0;
	return 1;
}

enum kind { F32N, F32T, F16W, LUT };

struct prob {
	enum kind kind;
	size_t M, N, K, lda, ldb, ldc;
	float *A, *B;
	uint16_t *W;
	struct k_lut lut;
};

static void run(const struct prob *p, struct kpool *pool, float *C)
{
	for (size_t i = 0; i < p->M * p->ldc; i++)
		C[i] = from_bits(0x7fc0dead);
	switch (p->kind) {
	case F32N:
	case F32T:
		k_gemm_f32(pool, p->M, p->N, p->K, p->A, p->lda, p->B, p->ldb, p->kind == F32T, C,
			   p->ldc);
		break;
	case F16W:
		k_gemm_f16w(pool, p->M, p->N, p->K, p->A, p->lda, p->W, p->ldb, C, p->ldc);
		break;
	case LUT: k_gemm_lut(pool, p->M, p->A, p->lda, &p->lut, C, p->ldc); break;
	}
}

/* B's (n, k) element as float, for the reference sums. */
static float b_at(const struct prob *p, size_t n, size_t k, const uint16_t *dense)
{
	switch (p->kind) {
	case F32N: return p->B[k * p->ldb + n];
	case F32T: return p->B[n * p->ldb + k];
	case F16W: return kref_h2f(p->W[n * p->ldb + k]);
	default: return kref_h2f(dense[n * p->K + k]);
	}
}

static const char *kind_name[] = {"gemm_f32", "gemm_f32 trans", "gemm_f16w", "gemm_lut"};

/* One problem: the reference, then every path and pool size. */
static void check_prob(struct prob *p, struct kpool **pools)
{
	size_t M = p->M, N = p->N, K = p->K;
	float *ref = malloc((M * N + 1) * sizeof *ref);
	double *sa = calloc(M * N + 1, sizeof *sa);
	float *C = malloc((M * p->ldc + 1) * sizeof *C),
	      *C0 = malloc((M * p->ldc + 1) * sizeof *C0);
	uint16_t *dense = NULL;
	if (p->kind == LUT) {
		dense = malloc((N * K + 1) * sizeof *dense);
		kref_lut_expand(&p->lut, dense);
		uint16_t *fast = malloc((N * K + 1) * sizeof *fast);
		k_lut_expand(&p->lut, fast);
		CHECK(memcmp(dense, fast, N * K * sizeof *fast) == 0);
		free(fast);
	}
	switch (p->kind) {
	case F32N:
	case F32T:
		kref_gemm_f32(M, N, K, p->A, p->lda, p->B, p->ldb, p->kind == F32T, ref, N);
		break;
	case F16W: kref_gemm_f16w(M, N, K, p->A, p->lda, p->W, p->ldb, ref, N); break;
	case LUT: kref_gemm_lut(M, p->A, p->lda, &p->lut, ref, N); break;
	}
	for (size_t m = 0; m < M; m++)
		for (size_t n = 0; n < N; n++)
			for (size_t k = 0; k < K; k++)
				sa[m * N + n] +=
					fabs((double)p->A[m * p->lda + k] * b_at(p, n, k, dense));
	for (int level = top; level >= 0; level--) {
		k_simd_limit(level);
		run(p, NULL, C0);
		if (!close_to(C0, p->ldc, ref, sa, M, N, K, kind_name[p->kind], lname[level]))
			CHECK(!"product differs from the reference");
		CHECK(pad_intact(C0, M, N, p->ldc));
		for (int t = 0; t < 3; t++) {
			run(p, pools[t], C);
			if (memcmp(C, C0, M * p->ldc * sizeof *C)) {
				fprintf(stderr, "%s M=%zu N=%zu K=%zu: %d threads differ (%s)\n",
					kind_name[p->kind], M, N, K, t + 1, lname[level]);
				CHECK(!"result depends on the threads");
			}
		}
	}
	k_simd_limit(-1);
	free(ref);
	free(sa);
	free(C);
	free(C0);
	free(dense);
}

/* A random fp16 value of magnitude below 2 (finite, some subnormal). */
static uint16_t rnd_half(void)
{
	uint16_t h = (uint16_t)(rnd() & 0xbfff);
	return (h & 0x7c00) == 0x7c00 ? h ^ 0x4000 : h;
}

static void product(enum kind kind, size_t M, size_t N, size_t K, int nbits, size_t rpg, int odd,
		    struct kpool **pools)
{
	struct prob p = {0};
	p.kind = kind;
	p.M = M;
	p.N = N;
	p.K = K;
	p.lda = K + (odd ? rndn(1, 5) : 0);
	p.ldc = N + (odd ? rndn(1, 3) : 0);
	p.ldb = (kind == F32N ? N : K) + (odd ? rndn(1, 4) : 0);
	p.A = malloc((M * p.lda + 1) * sizeof *p.A);
	for (size_t i = 0; i < M * p.lda; i++)
		p.A[i] = rndf();
	size_t brows = kind == F32N ? K : N;
	if (kind == F32N || kind == F32T) {
		p.B = malloc((brows * p.ldb + 1) * sizeof *p.B);
		for (size_t i = 0; i < brows * p.ldb; i++)
			p.B[i] = rndf();
	} else if (kind == F16W) {
		p.W = malloc((N * p.ldb + 1) * sizeof *p.W);
		for (size_t i = 0; i < N * p.ldb; i++)
			p.W[i] = rnd_half();
	} else {
		/* exactly the packed size: ASan sees any read past it */
		size_t bytes = (N * K * (size_t)nbits + 7) / 8, ent = (N / rpg) << nbits;
		uint8_t *ind = malloc(bytes + !bytes);
		uint16_t *lut = malloc(ent * sizeof *lut);
		for (size_t i = 0; i < bytes; i++)
			ind[i] = (uint8_t)rnd();
		for (size_t i = 0; i < ent; i++)
			lut[i] = rnd_half();
		p.lut = (struct k_lut){N, K, nbits, rpg, ind, lut};
	}
	check_prob(&p, pools);
	free(p.A);
	free(p.B);
	free(p.W);
	free((void *)p.lut.indices);
	free((void *)p.lut.lut);
}

/* A divisor of N other than 1 and N when there is one. */
static size_t some_divisor(size_t N)
{
	for (size_t d = 2; d * d <= N; d++)
		if (N % d == 0)
			return N / d;
	return N;
}

static void test_products(void)
{
	struct kpool *pools[3] = {kpool_new(1), kpool_new(2), kpool_new(3)};
	CHECK(pools[0] && pools[1] && pools[2]);
	static const int widths[] = {1, 2, 3, 4, 6, 8, 5, 7}; /* 5, 7: beyond the contract */
	/* edge shapes */
	static const size_t edge[][3] = {{1, 1, 1},   {1, 67, 67}, {67, 1, 67},
					 {67, 67, 1}, {8, 33, 64}, {9, 17, 31},
					 {6, 16, 32}, {7, 15, 33}, {67, 67, 67}};
	for (size_t e = 0; e < sizeof edge / sizeof edge[0]; e++)
		for (int kind = F32N; kind <= LUT; kind++)
			for (int odd = 0; odd < 2; odd++)
				product(kind, edge[e][0], edge[e][1], edge[e][2], 6, 1, odd, pools);
	/* random shapes in 1..67 */
	for (int i = 0; i < 40; i++) {
		size_t M = rndn(1, 67), N = rndn(1, 67), K = rndn(1, 67);
		if (i % 3 == 0)
			M = rndn(1, 8); /* the GEMV range */
		for (int kind = F32N; kind <= F16W; kind++)
			product(kind, M, N, K, 0, 1, i & 1, pools);
	}
	/* every LUT width, palettes per 1 row, per some rows, per all rows;
	** K a multiple of 4 (fast decoders) or not */
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
		for (int i = 0; i < 12; i++) {
			size_t M = i % 2 ? rndn(1, 8) : rndn(9, 67), N = rndn(1, 67);
			size_t K = i % 3 ? rndn(1, 16) * 4 : rndn(1, 67);
			size_t rpg = i % 3 == 0 ? 1 : i % 3 == 1 ? some_divisor(N) : N;
			product(LUT, M, N, K, widths[w], rpg, i & 1, pools);
		}
	/* M = 1 with rows starting on whole bytes (the fused AVX-512 decode),
	** short and long rows */
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		product(LUT, 1, rndn(1, 67), rndn(1, 7) * 8, widths[w], 1, 0, pools);
		product(LUT, 1, 32, rndn(8, 40) * 8 + 64, widths[w], 8, 1, pools);
	}
	/* past the blocking sizes (KC 256, NC 256, MC 120, chunks of 1024) */
	product(F32N, 130, 300, 600, 0, 1, 1, pools);
	product(F32T, 125, 290, 530, 0, 1, 1, pools);
	product(F16W, 3, 100, 2100, 0, 1, 1, pools);
	product(F32T, 1, 70, 3000, 0, 1, 0, pools);
	product(F32N, 2, 700, 300, 0, 1, 1, pools);
	product(LUT, 1, 48, 2084, 6, 16, 0, pools);
	product(LUT, 5, 40, 2050, 4, 8, 1, pools);
	product(LUT, 20, 64, 1100, 6, 16, 1, pools);
	product(LUT, 2, 33, 1030, 8, 11, 0, pools);
	product(LUT, 1, 16, 1027, 6, 4, 0, pools); /* K odd: unaligned rows */
	/* no columns, no depth */
	product(F32T, 3, 5, 0, 0, 1, 1, pools);
	product(F32N, 12, 5, 0, 0, 1, 0, pools);
	product(F16W, 2, 7, 0, 0, 1, 1, pools);
	product(LUT, 1, 5, 0, 6, 1, 0, pools);
	product(LUT, 10, 6, 0, 4, 3, 1, pools);
	for (int t = 0; t < 3; t++)
		kpool_free(pools[t]);
}

int main(void)
{
	top = k_simd();
	printf("SIMD levels tested: portable%s%s\n", top >= 1 ? ", AVX2" : "",
	       top >= 2 ? ", AVX-512" : "");
	test_h2f();
	test_f2h();
	test_pool();
	test_products();
	if (tk_failures) {
		fprintf(stderr, "test_kernels: %d failures\n", tk_failures);
		return 1;
	}
	printf("test_kernels: ok\n");
	return 0;
}
