/*
** progress.c -- one-line copy progress on stderr.
*/
#include "base/progress.h"

#include <stdio.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin(struct progress *p, const char *label, uint64_t total)
{
	p->label = label;
	p->total = total;
	p->done = 0;
	p->shown = false;
	p->start = p->last = now();
}

static void show(struct progress *p, double t)
{
	double mib = (double)p->done / (1 << 20);
	double secs = t - p->start;

	fprintf(stderr, "\rmlcc: %s  %.0f / %.0f MiB (%3.0f%%)  %.0f MiB/s  ",
		p->label, mib, (double)p->total / (1 << 20),
		p->total ? 100.0 * (double)p->done / (double)p->total : 100.0,
		secs > 0 ? mib / secs : 0.0);
	fflush(stderr);
	p->shown = true;
	p->last = t;
}

bool progress_update(struct progress *p, uint64_t done)
{
	double t;

	if (!p)
		return true;
	if (p->stop && atomic_load(p->stop))
		return false;
	if (!p->enabled || p->total < PROGRESS_MIN_BYTES)
		return true;
	p->done = done;
	t = now();
	if (t - p->last >= 0.25 || done == p->total)
		show(p, t);
	return true;
}

void progress_end(struct progress *p)
{
	if (p && p->shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		p->shown = false;
	}
}
