/*
** bench_run.c -- CPU runtime speed on ANEMLL's chunked tiny Llama: decode
** tokens per second (embeddings -> both FFN chunks `infer` -> LM head, one
** token per step) and prefill tokens per second (embeddings of 8 tokens ->
** both chunks `prefill`), each timed over a loop after one warm-up run.
**
** usage: bench_run DIR [STEPS] [THREADS]   (DIR: the chunked packages or
**        the bundles compiled from them)
**
** bench_run --chunk PATH [--decode N] [--prefill N] [--threads T]: one
** ANEMLL FFN chunk (package or bundle, e.g. bench_gen's Llama-1B-shaped
** `ffn --layers 16 --inter 8192 --lut-group 16`) end to end through the
** library: decode = N calls of `infer` (one token, positions 0..N-1, the KV
** state kept), prefill = N calls of `prefill` (its declared batch; 0: none), after
** one untimed call of each.  Also measured in the same run: the streaming
** read bandwidth of the chunk's weight.bin (mmap'd, page cache warm, T
** threads; in a child process so its mapping does not count in this one's
** RSS), the fraction of the bandwidth bound decode reaches (weight.bin
** bytes read per token / time / bandwidth), and peak RSS (VmHWM) against
** the mapped weights plus the KV state.  Prints a Markdown table row set
** and a last line "bench_run: chunk key=value ...".
*/
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernels/kernels.h"
#include "mlcc.h"

/* Wall-clock seconds, and CPU seconds of the process (less sensitive to
** other processes sharing the cores). */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static mlcc_model *load(const char *dir, const char *name, int threads)
{
	char path[4096], ext[2][16] = {"mlmodelc", "mlpackage"};
	struct mlcc_load_options o = {threads, NULL, NULL};
	struct mlcc_diag d;
	mlcc_model *m = NULL;

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext[i]);
		if (mlcc_model_load(path, &o, &m, &d) == MLCC_OK)
			return m;
	}
	fprintf(stderr, "bench_run: %s\n", d.message);
	exit(1);
}

static void predict(mlcc_model *m, const char *fn, struct mlcc_tensor *in, size_t n, mlcc_state *st,
		    struct mlcc_prediction *p)
{
	struct mlcc_diag d;

	if (mlcc_predict(m, fn, in, n, st, p, &d) != MLCC_OK) {
		fprintf(stderr, "bench_run: %s\n", d.message);
		exit(1);
	}
}

/* One pass of 'n' tokens (1: infer + LM head, 8: prefill) at 'pos'. */
static void step(mlcc_model **mods, mlcc_state *st, int pos, int n)
{
	int32_t ids[8] = {1, 2, 3, 4, 5, 6, 7, 8}, posids[8], cur = pos;
	uint16_t mask[8 * 64];
	struct mlcc_prediction p, q;
	const char *fn = n == 1 ? "infer" : "prefill";

	for (int i = 0; i < n; i++)
		posids[i] = pos + i;
	for (int r = 0; r < n; r++)
		for (int c = 0; c < 64; c++)
			mask[r * 64 + c] = c <= pos + r ? 0 : 0xfc00;
	struct mlcc_tensor e = {"input_ids", MLCC_INT32, 2, {1, n}, ids};
	predict(mods[0], NULL, &e, 1, NULL, &p);
	void *hidden = p.outputs[0].data;
	for (int k = 1; k <= 2; k++) {
		struct mlcc_tensor in[4] = {
			{"hidden_states", MLCC_FLOAT16, 3, {1, n, 128}, hidden},
			{"position_ids", MLCC_INT32, 1, {n}, posids},
			{"causal_mask", MLCC_FLOAT16, 4, {1, 1, n, 64}, mask},
			{"current_pos", MLCC_INT32, 1, {1}, &cur},
		};
		predict(mods[k], fn, in, 4, st, &q);
		if (n == 1)
			memcpy(hidden, q.outputs[0].data, 128 * 2);
		mlcc_prediction_free(&q);
	}
	if (n == 1) {
		struct mlcc_tensor h = {"hidden_states", MLCC_FLOAT16, 3, {1, 1, 128}, hidden};
		predict(mods[3], NULL, &h, 1, NULL, &q);
		mlcc_prediction_free(&q);
	}
	mlcc_prediction_free(&p);
}

/* ---- --chunk: one FFN chunk at scale ------------------------------------- */

static void die(const char *what, const struct mlcc_diag *d)
{
	fprintf(stderr, "bench_run: %s%s%s\n", what, d ? ": " : "", d ? d->message : "");
	exit(1);
}

static size_t dtype_size(enum mlcc_dtype t)
{
	switch (t) {
	case MLCC_FLOAT16: return 2;
	case MLCC_INT32:
	case MLCC_FLOAT32: return 4;
	default: return 8; /* generous: the FFN chunk has no other input types */
	}
}

static size_t feature_bytes(const struct mlcc_feature *f)
{
	size_t n = dtype_size(f->dtype);

	for (int i = 0; i < f->rank; i++)
		n *= (size_t)(f->shape[i] > 0 ? f->shape[i] : 1);
	return n;
}

/* The inputs of one call of 'fn' at position 'pos': zeroed tensors of the
** declared shapes, then hidden_states small fp16 values, position_ids
** pos.., the causal mask open up to each row's position, current_pos. */
struct call {
	struct mlcc_signature sig;
	struct mlcc_tensor in[8];
	size_t tokens, ctx;
};

static void call_init(struct call *c, mlcc_model *m, const char *fn)
{
	struct mlcc_diag d;

	if (mlcc_model_signature(m, fn, &c->sig, &d) != MLCC_OK)
		die("signature", &d);
	if (c->sig.ninputs > 8)
		die("too many inputs", NULL);
	c->tokens = 1;
	c->ctx = 1;
	for (size_t i = 0; i < c->sig.ninputs; i++) {
		const struct mlcc_feature *f = &c->sig.inputs[i];
		struct mlcc_tensor *t = &c->in[i];
		t->name = f->name;
		t->dtype = f->dtype;
		t->rank = f->rank;
		memcpy(t->shape, f->shape, sizeof t->shape);
		t->data = calloc(1, feature_bytes(f));
		if (!t->data)
			die("out of memory", NULL);
		if (!strcmp(f->name, "position_ids"))
			c->tokens = (size_t)f->shape[0];
		if (!strcmp(f->name, "causal_mask"))
			c->ctx = (size_t)f->shape[f->rank - 1];
		if (!strcmp(f->name, "hidden_states"))
			for (size_t k = 0; k < feature_bytes(f) / 2; k++)
				((uint16_t *)t->data)[k] =
					(uint16_t)(0x2c00 | (k * 7919 % 1024) | (k & 1) << 15);
	}
}

static void call_at(struct call *c, size_t pos)
{
	for (size_t i = 0; i < c->sig.ninputs; i++) {
		struct mlcc_tensor *t = &c->in[i];
		if (!strcmp(t->name, "position_ids"))
			for (size_t k = 0; k < c->tokens; k++)
				((int32_t *)t->data)[k] = (int32_t)(pos + k);
		if (!strcmp(t->name, "current_pos"))
			*(int32_t *)t->data = (int32_t)pos;
		if (!strcmp(t->name, "causal_mask"))
			for (size_t r = 0; r < c->tokens; r++)
				for (size_t k = 0; k < c->ctx; k++)
					((uint16_t *)t->data)[r * c->ctx + k] =
						k <= pos + r ? 0 : 0xfc00;
	}
}

static void call_run(struct call *c, mlcc_model *m, const char *fn, mlcc_state *st, size_t pos)
{
	struct mlcc_prediction p;

	call_at(c, pos);
	predict(m, fn, c->in, c->sig.ninputs, st, &p);
	mlcc_prediction_free(&p);
}

static void call_free(struct call *c)
{
	for (size_t i = 0; i < c->sig.ninputs; i++)
		free(c->in[i].data);
}

/* The chunk's weight.bin (package or bundle layout) into 'out'; its size. */
static size_t weight_file(const char *chunk, char *out, size_t cap)
{
	const char *rel[2] = {"Data/com.apple.CoreML/weights/weight.bin", "weights/weight.bin"};
	struct stat sb;

	for (int i = 0; i < 2; i++) {
		snprintf(out, cap, "%s/%s", chunk, rel[i]);
		if (stat(out, &sb) == 0 && sb.st_size > 0)
			return (size_t)sb.st_size;
	}
	die("no weights/weight.bin in the chunk", NULL);
	return 0;
}

struct rd {
	const unsigned char *p;
	size_t n, block;
	unsigned long long sink;
};

/* Sum 64-bit words of the blocks [b, e): a streaming read the compiler
** vectorises; four sums so no single dependency chain bounds it. */
static void read_range(void *ctx, size_t b, size_t e)
{
	struct rd *r = ctx;
	size_t lo = b * r->block, hi = e * r->block < r->n ? e * r->block : r->n;
	const unsigned long long *q = (const void *)(r->p + lo);
	unsigned long long s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (size_t i = 0; i + 4 <= (hi - lo) / 8; i += 4) {
		s0 += q[i];
		s1 += q[i + 1];
		s2 += q[i + 2];
		s3 += q[i + 3];
	}
	__atomic_fetch_add(&r->sink, s0 ^ s1 ^ s2 ^ s3, __ATOMIC_RELAXED);
}

/* Best GB/s of 'runs' passes over the mmap'd file (after one warming pass),
** with 'threads' threads; in a child process, so that its mapping does not
** raise this process's peak RSS.  Returns 0 on failure. */
static double file_bandwidth(const char *path, size_t n, int threads, int runs)
{
	int pfd[2];
	double best = 0;

	if (pipe(pfd) != 0)
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_RDONLY);
		void *m = fd < 0 ? MAP_FAILED : mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
		struct kpool *pool = kpool_new(threads);
		if (m != MAP_FAILED && pool) {
			struct rd r = {m, n, (size_t)1 << 20, 0};
			size_t blocks = (n + r.block - 1) / r.block;
			for (int i = 0; i <= runs; i++) {
				double t = now();
				kpool_for(pool, blocks, 1, read_range, &r);
				double g = (double)n / (now() - t) / 1e9;
				if (i > 0 && g > best)
					best = g;
			}
			if (r.sink == 42)
				best += 0; /* the sums stay alive through the atomic */
		}
		if (write(pfd[1], &best, sizeof best) != sizeof best)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &best, sizeof best) != sizeof best)
		best = 0;
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return best;
}

/* kB of the "key:" line of /proc/self/status (0 when absent). */
static long status_kb(const char *key)
{
	char line[256];
	long v = 0;
	size_t k = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, k) && line[k] == ':')
			v = atol(line + k + 1);
	fclose(f);
	return v;
}

struct timing {
	double wall, cpu;
};

/* 'n' calls of 'fn', positions from 'pos' (step 'stride'), timed. */
static struct timing timed_calls(struct call *c, mlcc_model *m, const char *fn, mlcc_state *st,
				 int n, size_t stride)
{
	struct timing t = {now(), cpu()};

	for (int i = 0; i < n; i++)
		call_run(c, m, fn, st, stride ? (size_t)i * stride % (c->ctx - c->tokens + 1) : 0);
	t.wall = now() - t.wall;
	t.cpu = cpu() - t.cpu;
	return t;
}

static int chunk_main(int argc, char **argv)
{
	const char *path = NULL;
	int decode = 64, prefill = 4, threads = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "--decode") && i + 1 < argc)
			decode = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--prefill") && i + 1 < argc)
			prefill = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else
			path = NULL, i = argc;
	}
	if (!path || decode < 1 || prefill < 0 || threads < 0) {
		fprintf(stderr, "usage: bench_run --chunk PATH [--decode N] [--prefill N] "
				"[--threads T]\n");
		return 2;
	}
	char wpath[4096];
	size_t wbytes = weight_file(path, wpath, sizeof wpath);
	struct kpool *probe = kpool_new(threads);
	int T = probe ? kpool_threads(probe) : 1;
	kpool_free(probe);
	double bw = file_bandwidth(wpath, wbytes, T, 3);
	long rss0 = status_kb("VmHWM");

	struct mlcc_load_options o = {T, NULL, NULL};
	struct mlcc_diag d;
	mlcc_model *m;
	mlcc_state *st;
	if (mlcc_model_load(path, &o, &m, &d) != MLCC_OK)
		die("load", &d);
	if (mlcc_state_new(m, "infer", &st, &d) != MLCC_OK)
		die("state", &d);
	struct call inf, pre;
	call_init(&inf, m, "infer");
	call_init(&pre, m, "prefill");
	size_t kv = 0;
	for (size_t i = 0; i < inf.sig.nstates; i++)
		kv += feature_bytes(&inf.sig.states[i]);
	if ((size_t)decode > inf.ctx)
		decode = (int)inf.ctx;

	/* Untimed: lazy constants made, every weight page mapped in. */
	if (prefill > 0)
		call_run(&pre, m, "prefill", st, 0);
	call_run(&inf, m, "infer", st, pre.tokens);
	struct timing tp = timed_calls(&pre, m, "prefill", st, prefill, 0);
	struct timing td = timed_calls(&inf, m, "infer", st, decode, 1);
	long hwm = status_kb("VmHWM"), file_kb = status_kb("RssFile");

	double dtps = decode / td.wall;
	double ptps = prefill ? (double)prefill * (double)pre.tokens / tp.wall : 0;
	double bound = bw > 0 ? bw * 1e9 / (double)wbytes : 0;
	long wkb = (long)(wbytes / 1024), kvkb = (long)(kv / 1024);
	long constant = hwm - wkb - kvkb;
	printf("| threads | %d |\n", T);
	printf("| decode (`infer`, 1 token, %d steps), tok/s | %.2f (%.2f per CPU second) |\n",
	       decode, dtps, decode / td.cpu);
	printf("| prefill (`prefill`, batch %zu, %d calls), tok/s | %.1f (%.1f per CPU second) |\n",
	       pre.tokens, prefill, ptps,
	       prefill ? (double)prefill * (double)pre.tokens / tp.cpu : 0);
	printf("| weight bytes read per decode token (weight.bin) | %.1f MB |\n", wbytes / 1e6);
	printf("| streaming read of weight.bin (mmap'd, warm), GB/s | %.2f |\n", bw);
	printf("| decode bound (bandwidth / weight bytes), tok/s | %.2f |\n", bound);
	printf("| decode fraction of the bound | %.0f %% |\n", bound > 0 ? 100 * dtps / bound : 0);
	printf("| peak RSS (VmHWM) | %.1f MB (file-backed now %.1f MB) |\n", hwm * 1024 / 1e6,
	       file_kb * 1024 / 1e6);
	printf("| mapped weights + KV state | %.1f + %.1f MB |\n", wbytes / 1e6, kv / 1e6);
	printf("| constant (peak RSS - weights - KV) | %.1f MB (before load: %.1f MB) |\n",
	       constant * 1024 / 1e6, rss0 * 1024 / 1e6);
	printf("bench_run: chunk threads=%d decode_tps=%.3f decode_cpu_tps=%.3f prefill_tps=%.2f "
	       "prefill_cpu_tps=%.2f batch=%zu weight_bytes=%zu kv_bytes=%zu bw=%.3f bound_tps=%.3f "
	       "frac=%.3f hwm_kb=%ld const_kb=%ld\n",
	       T, dtps, decode / td.cpu, ptps,
	       prefill ? (double)prefill * (double)pre.tokens / tp.cpu : 0, pre.tokens, wbytes, kv,
	       bw, bound, bound > 0 ? dtps / bound : 0, hwm, constant);
	call_free(&inf);
	call_free(&pre);
	mlcc_state_free(st);
	mlcc_model_free(m);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--chunk"))
		return chunk_main(argc, argv);
	if (argc < 2) {
		fprintf(stderr, "usage: bench_run DIR [STEPS] [THREADS]\n");
		return 2;
	}
	int steps = argc > 2 ? atoi(argv[2]) : 200, threads = argc > 3 ? atoi(argv[3]) : 0;
	mlcc_model *mods[4] = {load(argv[1], "llama_embeddings", threads),
			       load(argv[1], "llama_FFN_PF_lut6_chunk_01of02", threads),
			       load(argv[1], "llama_FFN_PF_lut6_chunk_02of02", threads),
			       load(argv[1], "llama_lm_head_lut6", threads)};
	struct mlcc_diag d;
	mlcc_state *st;
	double t0, t1, t2, c0, c1, c2;

	if (mlcc_state_new(mods[1], "prefill", &st, &d) != MLCC_OK) {
		fprintf(stderr, "bench_run: %s\n", d.message);
		return 1;
	}
	step(mods, st, 0, 8); /* warm-up: constexpr weights materialised, pages in */
	step(mods, st, 8, 1);
	t0 = now();
	c0 = cpu();
	for (int i = 0; i < steps; i++)
		step(mods, st, (i % 7) * 8, 8);
	t1 = now();
	c1 = cpu();
	for (int i = 0; i < steps; i++)
		step(mods, st, i % 64, 1);
	t2 = now();
	c2 = cpu();
	printf("prefill %.1f tok/s (%.1f per CPU second, %d batches of 8), decode %.1f tok/s "
	       "(%.1f per CPU second, %d steps), threads %d\n",
	       steps * 8 / (t1 - t0), steps * 8 / (c1 - c0), steps, steps / (t2 - t1),
	       steps / (c2 - c1), steps, threads);
	mlcc_state_free(st);
	for (int i = 0; i < 4; i++)
		mlcc_model_free(mods[i]);
	return 0;
}
