/*
** bench_emit.c -- `bench_emit PACKAGE [--runs N]`: model.mil emission
** throughput.
**
** Reads the package once (package_open, spec_read_file, the classifier
** lowering that compile applies), then prints model.mil with emit_mil()
** N times (default 5) into each of two sinks:
**   memory     a growing in-memory wbuf (what a caller buffering the whole
**              text pays, reallocation included);
**   /dev/null  a 1 MiB wbuf flushing to /dev/null, the way `mlcc compile`
**              streams model.mil (src/compile.c), minus the file system.
** Only emit_mil() is timed (CLOCK_MONOTONIC).  MB = 10^6 bytes.  Output,
** one line of key=value pairs for bench/run.sh:
**   bench_emit: bytes=B ops=N read_s=S mem_best=X mem_median=X
**               null_best=X null_median=X        (X in MB/s)
** Exit status: 0, 1 when the package cannot be read or emitted, 2 usage.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "model/classifier.h"
#include "base/diag.h"
#include "bundle/bundle.h"
#include "mil/mil.h"
#include "package/package.h"
#include "spec/spec_read.h"
#include "model/stamp.h"
#include "base/wbuf.h"

#define MAX_RUNS 100
#define NULL_BUFFER ((size_t)1 << 20) /* compile.c's MIL_BUFFER */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sort 'v' and return its median; '*best' gets the largest value. */
static double median(double *v, int n, double *best)
{
	qsort(v, (size_t)n, sizeof *v, by_value);
	*best = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Top-level ops of every function (nested blocks not counted). */
static size_t count_ops(const struct model *m)
{
	size_t n = 0;

	for (size_t i = 0; m->program && i < m->program->nfuncs; i++)
		n += m->program->funcs[i].body.nops;
	return n;
}

/* One emission into memory (fd < 0) or through a buffer to 'fd'; stores
** the seconds taken and the bytes printed. */
static int emit_once(const struct emit_ctx *c, int fd, double *secs, size_t *bytes)
{
	struct wbuf w;
	double t0;
	int rc;

	if (fd < 0)
		wbuf_init(&w);
	else if (wbuf_open_fd(&w, fd, NULL_BUFFER) != 0)
		return diag_fail(c->diag, MLCC_E_NOMEM, "out of memory");
	t0 = now();
	rc = mil_print(c->model, c->stamp, &w, c->diag);
	if (!rc && fd >= 0)
		wbuf_flush(&w);
	*secs = now() - t0;
	*bytes = (size_t)w.flushed + w.len;
	if (!rc && wbuf_error(&w))
		rc = diag_fail(c->diag, MLCC_E_IO, "model.mil: emission failed");
	wbuf_free(&w);
	return rc;
}

/* 'runs' emissions into each sink; prints the result line. */
static int measure(const struct emit_ctx *c, int runs, double read_s)
{
	double mem[MAX_RUNS], nul[MAX_RUNS], secs, mb, mem_best, nul_best;
	size_t bytes = 0;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC), rc = MLCC_OK;

	if (fd < 0)
		return diag_errno(c->diag, "/dev/null", "cannot open", errno);
	for (int r = 0; r < runs && !rc; r++) {
		rc = emit_once(c, -1, &secs, &bytes);
		mem[r] = (double)bytes / 1e6 / secs;
		if (!rc)
			rc = emit_once(c, fd, &secs, &bytes);
		nul[r] = (double)bytes / 1e6 / secs;
	}
	close(fd);
	if (rc)
		return rc;
	mb = median(mem, runs, &mem_best);
	secs = median(nul, runs, &nul_best);
	printf("bench_emit: bytes=%zu ops=%zu read_s=%.3f mem_best=%.1f mem_median=%.1f null_best=%.1f null_median=%.1f\n",
	       bytes, count_ops(c->model), read_s, mem_best, mb, nul_best, secs);
	return MLCC_OK;
}

/* Read 'path' like compile does, then measure. */
static int bench(const char *path, int runs, struct mlcc_diag *d)
{
	struct package pkg;
	struct arena a;
	struct stamp stamp;
	struct emit_ctx c;
	struct model *m = NULL;
	double t0 = now();
	int rc;

	memset(&c, 0, sizeof c);
	arena_init(&a);
	rc = stamp_init(&stamp, NULL, NULL, d);
	if (!rc)
		rc = package_open(&pkg, path, d);
	if (rc) {
		arena_free(&a);
		return rc;
	}
	rc = spec_read_file(&a, pkg.files.origin, &m, c.spec_sha256, d);
	if (!rc && m->kind != MODEL_ML_PROGRAM)
		rc = diag_fail(d, MLCC_E_UNSUPPORTED, "%s: not an ML program", path);
	if (!rc)
		rc = classifier_lower(m, d);
	if (!rc) {
		c.model = m;
		c.stamp = &stamp;
		c.stem = pkg.stem;
		c.spec_name = pkg.spec_name;
		c.diag = d;
		rc = measure(&c, runs, now() - t0);
	}
	package_close(&pkg);
	arena_free(&a);
	return rc;
}

int main(int argc, char **argv)
{
	struct mlcc_diag d;
	int runs = 5;

	diag_clear(&d);
	if (argc == 4 && strcmp(argv[2], "--runs") == 0)
		runs = atoi(argv[3]);
	if ((argc != 2 && argc != 4) || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: bench_emit PACKAGE [--runs N]\n");
		return 2;
	}
	if (bench(argv[1], runs, &d)) {
		fprintf(stderr, "bench_emit: %s\n", d.message);
		return 1;
	}
	return 0;
}
