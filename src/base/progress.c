/*
** progress.c -- copy progress as MLCC_EVENT_PROGRESS events.
*/
#include "base/progress.h"

#include <time.h>

/* Least time between two events of one file, in seconds. */
#define EVENT_INTERVAL 0.25

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(struct progress *p, uint64_t done, double t)
{
	struct mlcc_event ev = {MLCC_EVENT_PROGRESS, NULL, p->label, done, p->total};

	p->last = t;
	p->fn(p->ctx, &ev);
}

void progress_begin(struct progress *p, const char *label, uint64_t total)
{
	if (!p)
		return;
	p->label = label;
	p->total = total;
	if (p->fn)
		report(p, 0, now());
}

bool progress_update(struct progress *p, uint64_t done)
{
	double t;

	if (!p)
		return true;
	if (p->stop && atomic_load(p->stop))
		return false;
	if (!p->fn)
		return true;
	t = now();
	if (done >= p->total || t - p->last >= EVENT_INTERVAL)
		report(p, done, t);
	return true;
}
