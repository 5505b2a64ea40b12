/*
** bench_run.c -- CPU runtime speed on ANEMLL's chunked tiny Llama: decode
** tokens per second (embeddings -> both FFN chunks `infer` -> LM head, one
** token per step) and prefill tokens per second (embeddings of 8 tokens ->
** both chunks `prefill`), each timed over a loop after one warm-up run.
**
** usage: bench_run DIR [STEPS] [THREADS]   (DIR: the chunked packages or
**        the bundles compiled from them)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int main(int argc, char **argv)
{
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
