/*
** pool.c -- the thread pool of the kernels (kpool_* of kernels.h).
**
** 'threads' is the parallelism including the caller: a pool of T runs T-1
** pthreads, and kpool_for's caller works on ranges too.  Idle workers
** sleep on a condition variable (no spinning: the machine is shared with
** the rest of the program and other processes).  One job at a time: a
** mutex serialises callers of kpool_for, so two threads sharing a pool
** are safe, just not concurrent.
**
** A job [0, n) is cut into at most KPOOL_SPLIT * threads ranges whose
** sizes are multiples of 'grain' but for the last, which holds the
** remainder too (so every range has at least 'grain' items unless n
** itself is smaller); the ranges are
** claimed with an atomic counter, so a worker descheduled by the OS does
** not hold the others up.  Which thread runs a range never changes what
** the range computes: determinism is the kernels' business (each output
** element belongs to one range).
*/
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernels/kernels.h"

/* Ranges per thread of a job: > 1 so that a slow thread costs less. */
#define KPOOL_SPLIT 4
/* Upper bound on threads (a sanity limit, not a tuning knob). */
#define KPOOL_MAX 256

struct kpool {
	int threads;  /* parallelism, caller included */
	int nworkers; /* pthreads started: threads - 1 */
	pthread_t *tid;
	pthread_mutex_t call; /* one kpool_for at a time */
	pthread_mutex_t mu;   /* guards everything below */
	pthread_cond_t wake;  /* a new job or stop */
	pthread_cond_t done;  /* the last worker left the job */
	unsigned long gen;    /* job number, bumped per job */
	int stop;
	int busy; /* workers not yet finished with job 'gen' */
	/* the job: read by workers between wake and done */
	kpool_fn fn;
	void *ctx;
	size_t n, step, nranges;
	atomic_size_t next; /* next range to claim */
};

/* Claim and run ranges of the current job until none is left. */
static void run_ranges(struct kpool *p)
{
	for (;;) {
		size_t r = atomic_fetch_add(&p->next, 1);
		if (r >= p->nranges)
			return;
		size_t b = r * p->step, e = r + 1 == p->nranges ? p->n : b + p->step;
		p->fn(p->ctx, b, e);
	}
}

/* A worker: sleep until a job (or stop), take part in it, report done. */
static void *worker(void *arg)
{
	struct kpool *p = arg;
	unsigned long seen = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->gen == seen && !p->stop)
			pthread_cond_wait(&p->wake, &p->mu);
		if (p->stop)
			break;
		seen = p->gen;
		pthread_mutex_unlock(&p->mu);
		run_ranges(p);
		pthread_mutex_lock(&p->mu);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Online cores (1 when unknown). */
static int online_cores(void)
{
	long c = sysconf(_SC_NPROCESSORS_ONLN);
	return c < 1 ? 1 : c > KPOOL_MAX ? KPOOL_MAX : (int)c;
}

struct kpool *kpool_new(int threads)
{
	struct kpool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->threads = threads > 0 ? (threads > KPOOL_MAX ? KPOOL_MAX : threads) : online_cores();
	p->tid = calloc((size_t)p->threads, sizeof *p->tid);
	if (!p->tid || pthread_mutex_init(&p->call, NULL)) {
		free(p->tid);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->done, NULL);
	atomic_init(&p->next, 0);
	for (int i = 0; i + 1 < p->threads; i++) {
		if (pthread_create(&p->tid[i], NULL, worker, p))
			break;
		p->nworkers++;
	}
	/* Fewer workers than asked: run with what started (the caller always
	** counts), keeping kpool_threads() truthful. */
	p->threads = p->nworkers + 1;
	return p;
}

void kpool_free(struct kpool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->stop = 1;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->mu);
	for (int i = 0; i < pool->nworkers; i++)
		pthread_join(pool->tid[i], NULL);
	pthread_cond_destroy(&pool->done);
	pthread_cond_destroy(&pool->wake);
	pthread_mutex_destroy(&pool->mu);
	pthread_mutex_destroy(&pool->call);
	free(pool->tid);
	free(pool);
}

int kpool_threads(const struct kpool *pool)
{
	return pool ? pool->threads : 1;
}

void kpool_for(struct kpool *pool, size_t n, size_t grain, kpool_fn fn, void *ctx)
{
	if (!n)
		return;
	if (!grain)
		grain = 1;
	size_t units = n / grain + (n % grain != 0);
	size_t most = pool ? (size_t)pool->threads * KPOOL_SPLIT : 1;
	size_t nr = units < most ? units : most;
	if (!pool || pool->nworkers == 0 || nr <= 1) {
		fn(ctx, 0, n);
		return;
	}
	size_t per = units / nr + (units % nr != 0); /* units per range */
	pthread_mutex_lock(&pool->call);
	pthread_mutex_lock(&pool->mu);
	pool->fn = fn;
	pool->ctx = ctx;
	pool->n = n;
	pool->step = per * grain;
	/* the remainder joins the last range, which stays >= grain */
	pool->nranges = n / pool->step ? n / pool->step : 1;
	atomic_store(&pool->next, 0);
	pool->busy = pool->nworkers;
	pool->gen++;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->mu);
	run_ranges(pool);
	pthread_mutex_lock(&pool->mu);
	while (pool->busy)
		pthread_cond_wait(&pool->done, &pool->mu);
	pthread_mutex_unlock(&pool->mu);
	pthread_mutex_unlock(&pool->call);
}
