/*
** bench_kernels.c -- `bench_kernels [--quick] [--dir DIR] [--threads T]`:
** the runtime kernels (src/kernels/) at Llama-3.2-1B scale, as ANEMLL
** converts it (6-bit LUT, one palette per 16 output rows).
**
**   (a) streaming read bandwidth of a large buffer (1 GiB; --quick 128
**       MiB), 1 thread and T threads, and of a file of that size mmap'd
**       from DIR (page cache warm): the first pass over a fresh mapping
**       (page faults included) and a repeated pass;
**   (b) decode: one pass at M = 1 over 16 layers of q, k, v, o, gate, up,
**       down projections (hidden 2048, intermediate 8192, 8 KV heads of
**       64) as k_gemm_lut LUT6 products -> tokens/s, and the fraction of
**       the bandwidth bound (packed index bytes read per token / time /
**       measured bandwidth at the same thread count);
**   (c) prefill: the same pass at M = 64 (GFLOP/s, tokens/s);
**   (d) fp32 k_gemm_f32 GFLOP/s on square 512, 1024, 2048 and k_gemm_f16w
**       at 2048, 1 and T threads.
** T defaults to the online cores.  Each figure is the best of several
** runs (the machine may be shared).  Prints a Markdown block on stdout
** (bench/run.sh puts it into docs/PERFORMANCE.md) and a one-line summary
** starting "bench_kernels:" last.  Exit 0, 1 on failure, 2 usage.
*/
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kernels/kernels.h"

#define HIDDEN 2048
#define INTER 8192
#define KV_DIM 512 /* 8 KV heads x 64 */
#define GROUP 16   /* output rows per palette */
#define PREFILL 64

static double clock_s(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static void die(const char *what)
{
	fprintf(stderr, "bench_kernels: %s\n", what);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = aligned_alloc(64, (n + 63) / 64 * 64);
	if (!p)
		die("out of memory");
	return p;
}

static uint64_t rng = 0x243f6a8885a308d3u;

static void fill_random(void *buf, size_t n)
{
	uint64_t *p = buf;
	for (size_t i = 0; i < n / 8; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		p[i] = rng;
	}
	memset((char *)buf + n / 8 * 8, 0x5a, n % 8);
}

/* ---- (a) bandwidth ------------------------------------------------------------- */

struct rd {
	const unsigned char *p;
	size_t block;
	unsigned long long sink;
};

/* Reads every byte of its blocks: 256 bytes per step into 8 independent
** sums (AVX2 when the CPU has it), so the memory system, not the ALUs,
** bounds it. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx2"))) static unsigned long long read_avx2(const unsigned char *p,
								    size_t n)
{
	__m256i s[8];
	for (int j = 0; j < 8; j++)
		s[j] = _mm256_setzero_si256();
	for (size_t i = 0; i + 256 <= n; i += 256)
		for (int j = 0; j < 8; j++)
			s[j] = _mm256_add_epi64(
				s[j], _mm256_load_si256((const __m256i *)(p + i + 32 * j)));
	for (int j = 1; j < 8; j++)
		s[0] = _mm256_xor_si256(s[0], s[j]);
	return (unsigned long long)_mm256_extract_epi64(s[0], 0) ^
	       (unsigned long long)_mm256_extract_epi64(s[0], 3);
}
#endif

static unsigned long long read_port(const unsigned char *p, size_t n)
{
	const unsigned long long *q = (const void *)p;
	unsigned long long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	for (size_t i = 0; i + 4 <= n / 8; i += 4) {
		s0 += q[i];
		s1 += q[i + 1];
		s2 += q[i + 2];
		s3 += q[i + 3];
	}
	return s0 ^ s1 ^ s2 ^ s3;
}

static void read_range(void *ctx, size_t b, size_t e)
{
	struct rd *r = ctx;
	const unsigned char *p = r->p + b * r->block;
	size_t n = (e - b) * r->block;
	unsigned long long s;
#if defined(__x86_64__) && defined(__GNUC__)
	if (k_simd())
		s = read_avx2(p, n);
	else
#endif
		s = read_port(p, n);
	__atomic_fetch_add(&r->sink, s, __ATOMIC_RELAXED);
}

#define RD_BLOCK ((size_t)1 << 20)

/* GB/s of one pass over p[0, n) (n a multiple of RD_BLOCK). */
static double read_pass(struct kpool *pool, const void *p, size_t n)
{
	struct rd r = {p, RD_BLOCK, 0};
	double t = now();
	kpool_for(pool, n / RD_BLOCK, 1, read_range, &r);
	t = now() - t;
	if (r.sink == 42)
		fputc(' ', stderr); /* keep the sums alive */
	return (double)n / t / 1e9;
}

static double best_read(struct kpool *pool, const void *p, size_t n, int runs)
{
	double best = 0;
	for (int i = 0; i < runs; i++) {
		double g = read_pass(pool, p, n);
		best = g > best ? g : best;
	}
	return best;
}

/* A file of n random bytes in dir, mmap'd; *fresh: GB/s of the first
** pass over the mapping, *again: best of the following passes. */
static void mmap_bw(struct kpool *pool, const char *dir, const void *src, size_t n, double *fresh,
		    double *again)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/bench_kernels.%ld.bin", dir, (long)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("cannot create the mmap test file (--dir)");
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, (const char *)src + off, n - off);
		if (w <= 0)
			die("cannot write the mmap test file");
		off += (size_t)w;
	}
	void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		die("mmap failed");
	*fresh = read_pass(pool, m, n);
	*again = best_read(pool, m, n, 3);
	munmap(m, n);
	close(fd);
	unlink(path);
}

/* ---- (b), (c) the layer set ------------------------------------------------------ */

struct proj {
	const char *name;
	size_t N, K;
};
static const struct proj projs[] = {{"q", HIDDEN, HIDDEN},   {"k", KV_DIM, HIDDEN},
				    {"v", KV_DIM, HIDDEN},   {"o", HIDDEN, HIDDEN},
				    {"gate", INTER, HIDDEN}, {"up", INTER, HIDDEN},
				    {"down", HIDDEN, INTER}};
#define NPROJ (sizeof projs / sizeof projs[0])

struct layers {
	int count;
	struct k_lut *w; /* count * NPROJ */
	size_t bytes;	 /* packed index bytes of all */
	size_t params;
};

static void make_layers(struct layers *L, int count)
{
	L->count = count;
	L->w = calloc((size_t)count * NPROJ, sizeof *L->w);
	if (!L->w)
		die("out of memory");
	for (int l = 0; l < count; l++)
		for (size_t p = 0; p < NPROJ; p++) {
			size_t N = projs[p].N, K = projs[p].K, bytes = N * K * 6 / 8;
			size_t ent = (N / GROUP) << 6;
			uint8_t *ind = xmalloc(bytes);
			uint16_t *lut = xmalloc(ent * sizeof *lut);
			fill_random(ind, bytes);
			for (size_t i = 0; i < ent; i++) /* small fp16 weights */
				lut[i] = k_f2h(((float)(i % 64) - 31.5f) / 512.0f);
			L->w[(size_t)l * NPROJ + p] = (struct k_lut){N, K, 6, GROUP, ind, lut};
			L->bytes += bytes + ent * 2;
			L->params += N * K;
		}
}

/* Seconds of one pass over every layer at M rows (best of runs); *cpu
** (when not NULL): the calling thread's CPU seconds of that best pass
** (with a 1-thread pool, the work itself, whatever else the machine
** runs). */
static double layer_pass(struct kpool *pool, const struct layers *L, size_t M, int runs,
			 double *cpu, double *proc)
{
	float *x = xmalloc(M * INTER * sizeof *x), *y = xmalloc(M * INTER * sizeof *y);
	for (size_t i = 0; i < M * INTER; i++)
		x[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
	double best = INFINITY;
	for (int r = 0; r < runs; r++) {
		double t = now(), c = clock_s(CLOCK_THREAD_CPUTIME_ID),
		       pc = clock_s(CLOCK_PROCESS_CPUTIME_ID);
		for (int l = 0; l < L->count; l++)
			for (size_t p = 0; p < NPROJ; p++) {
				const struct k_lut *w = &L->w[(size_t)l * NPROJ + p];
				k_gemm_lut(pool, M, x, w->K, w, y, w->N);
			}
		t = now() - t;
		c = clock_s(CLOCK_THREAD_CPUTIME_ID) - c;
		pc = clock_s(CLOCK_PROCESS_CPUTIME_ID) - pc;
		if (t < best && cpu)
			*cpu = c;
		if (t < best && proc)
			*proc = pc;
		best = t < best ? t : best;
	}
	free(x);
	free(y);
	return best;
}

/* ---- (d) GEMM ---------------------------------------------------------------------- */

/* GFLOP/s of the best run; *cpu_gf (when not NULL): per CPU second of
** the calling thread in that run (1-thread pools: the work alone). */
static double gemm_gflops(struct kpool *pool, size_t n, int f16, int runs, double *cpu_gf)
{
	float *A = xmalloc(n * n * sizeof *A), *B = xmalloc(n * n * sizeof *B),
	      *C = xmalloc(n * n * sizeof *C);
	uint16_t *W = xmalloc(n * n * sizeof *W);
	for (size_t i = 0; i < n * n; i++) {
		A[i] = (float)(i % 97) / 97.0f;
		B[i] = (float)(i % 89) / 89.0f;
		W[i] = k_f2h(B[i]);
	}
	double best = INFINITY, flop = 2.0 * (double)n * n * n;
	for (int r = 0; r < runs; r++) {
		double t = now(), c = clock_s(CLOCK_THREAD_CPUTIME_ID);
		if (f16)
			k_gemm_f16w(pool, n, n, n, A, n, W, n, C, n);
		else
			k_gemm_f32(pool, n, n, n, A, n, B, n, 0, C, n);
		t = now() - t;
		c = clock_s(CLOCK_THREAD_CPUTIME_ID) - c;
		if (t < best && cpu_gf)
			*cpu_gf = flop / c / 1e9;
		best = t < best ? t : best;
	}
	free(A);
	free(B);
	free(C);
	free(W);
	return flop / best / 1e9;
}

/* ---- pool overhead ------------------------------------------------------------------ */

static void nothing(void *ctx, size_t b, size_t e)
{
	(void)ctx;
	(void)b;
	(void)e;
}

/* Microseconds of one kpool_for() that wakes every worker and waits for
** them, doing no work (median-free: the mean of many, best of 3). */
static double pool_roundtrip_us(struct kpool *pool)
{
	double best = INFINITY;
	for (int r = 0; r < 3; r++) {
		double t = now();
		for (int i = 0; i < 2000; i++)
			kpool_for(pool, 1024, 1, nothing, NULL);
		t = (now() - t) / 2000 * 1e6;
		best = t < best ? t : best;
	}
	return best;
}

/* ---- main -------------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: bench_kernels [--quick] [--dir DIR] [--threads T]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int quick = 0, threads = 0;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else
			usage();
	}
	struct kpool *one = kpool_new(1), *all = kpool_new(threads);
	if (!one || !all)
		die("cannot start the thread pool");
	int T = kpool_threads(all), runs = quick ? 2 : 5;
	size_t bw_bytes = (quick ? 128u : 1024u) << 20;
	int nlayers = quick ? 2 : 16;

	/* (a) */
	unsigned char *buf = xmalloc(bw_bytes);
	fill_random(buf, bw_bytes);
	double bw1 = best_read(one, buf, bw_bytes, runs), bwT = best_read(all, buf, bw_bytes, runs);
	double mfresh, magain;
	mmap_bw(all, dir, buf, bw_bytes, &mfresh, &magain);
	free(buf);

	/* (b), (c) */
	struct layers L = {0};
	make_layers(&L, nlayers);
	double dcpu = 0, dproc = 0, d1 = layer_pass(one, &L, 1, runs, &dcpu, NULL),
	       dT = layer_pass(all, &L, 1, runs, NULL, &dproc);
	double p1 = layer_pass(one, &L, PREFILL, quick ? 1 : 2, NULL, NULL),
	       pT = layer_pass(all, &L, PREFILL, quick ? 1 : 2, NULL, NULL);
	double gb = (double)L.bytes / 1e9;

	/* (d) */
	static const size_t sq[] = {512, 1024, 2048};
	double g1[3], gT[3], gc[3] = {0};
	for (int i = 0; i < 3; i++) {
		int r = sq[i] == 2048 ? (quick ? 1 : 2) : runs;
		if (quick && sq[i] == 2048) {
			g1[i] = gT[i] = 0;
			continue;
		}
		g1[i] = gemm_gflops(one, sq[i], 0, r, &gc[i]);
		gT[i] = gemm_gflops(all, sq[i], 0, r, NULL);
	}
	size_t fn = quick ? 1024 : 2048;
	double fc = 0, f1 = gemm_gflops(one, fn, 1, quick ? 1 : 2, &fc),
	       fT = gemm_gflops(all, fn, 1, quick ? 1 : 2, NULL);

	printf("| runtime kernels (%s, SIMD: %s) | 1 thread | %d threads |\n",
	       quick ? "--quick: 2 layers, 128 MiB buffers" : "16 layers, 1 GiB buffers",
	       k_simd() == 2 ? "AVX2/FMA/F16C + AVX-512 VBMI"
	       : k_simd()    ? "AVX2/FMA/F16C"
			     : "portable C",
	       T);
	printf("| --- | --- | --- |\n");
	printf("| read bandwidth, heap buffer, GB/s | %.1f | %.1f |\n", bw1, bwT);
	printf("| read bandwidth, mmap'd file (cache warm): first pass / again, GB/s | | %.1f / "
	       "%.1f |\n",
	       mfresh, magain);
	printf("| decode M=1: %d layers LUT6 q,k,v,o,gate,up,down (%.3f GB packed), ms/token | "
	       "%.1f | %.1f |\n",
	       nlayers, gb, d1 * 1e3, dT * 1e3);
	printf("| decode tokens/s | %.1f | %.1f |\n", 1 / d1, 1 / dT);
	printf("| decode weight GB/s (packed bytes / time) | %.1f | %.1f |\n", gb / d1, gb / dT);
	printf("| decode, 1 thread: CPU s per token / weight GB per CPU s | %.1f ms / %.1f | |\n",
	       dcpu * 1e3, gb / dcpu);
	printf("| decode, %d threads: cores the process got (CPU s / wall s) | | %.2f |\n", T,
	       dproc / dT);
	printf("| decode fraction of the bandwidth bound | %.0f %% | %.0f %% |\n",
	       100 * gb / d1 / bw1, 100 * gb / dT / bwT);
	printf("| prefill M=%d: ms per pass / tokens/s | %.0f / %.0f | %.0f / %.0f |\n", PREFILL,
	       p1 * 1e3, PREFILL / p1, pT * 1e3, PREFILL / pT);
	printf("| prefill GFLOP/s (LUT6 decoded in the packing) | %.1f | %.1f |\n",
	       2.0 * PREFILL * (double)L.params / p1 / 1e9,
	       2.0 * PREFILL * (double)L.params / pT / 1e9);
	for (int i = 0; i < 3; i++)
		if (g1[i] > 0)
			printf("| k_gemm_f32 %zu^3, GFLOP/s (1 thread: wall; per CPU s) | %.1f; %.1f | "
			       "%.1f |\n",
			       sq[i], g1[i], gc[i], gT[i]);
	printf("| k_gemm_f16w %zu^3, GFLOP/s (1 thread: wall; per CPU s) | %.1f; %.1f | %.1f |\n",
	       fn, f1, fc, fT);
	printf("| kpool_for round trip (wake every worker, no work), µs | | %.1f |\n",
	       pool_roundtrip_us(all));
	printf("\nbench_kernels: threads=%d bw1=%.2f bwT=%.2f mmap_fresh=%.2f mmap_again=%.2f "
	       "decode_tps1=%.2f decode_tpsT=%.2f bound1=%.0f%% boundT=%.0f%% prefill_tpsT=%.1f "
	       "gemm2048_T=%.1f\n",
	       T, bw1, bwT, mfresh, magain, 1 / d1, 1 / dT, 100 * gb / d1 / bw1,
	       100 * gb / dT / bwT, PREFILL / pT, gT[2]);
	kpool_free(one);
	kpool_free(all);
	return 0;
}
