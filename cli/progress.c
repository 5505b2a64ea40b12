/*
** progress.c -- what the programs show of a compile's events: a
** one-line progress indicator for long weight copies on a terminal, and
** warnings on stderr.
*/
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Copies smaller than this finish before a line would be worth drawing. */
#define PROGRESS_MIN_BYTES ((uint64_t)64 << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(struct cli_progress *p, const struct mlcc_event *ev)
{
	double mib = (double)ev->done / (1 << 20);
	double secs = now() - p->start;

	fprintf(stderr, "\r%s: %s  %.0f / %.0f MiB (%3.0f%%)  %.0f MiB/s  ", p->tool, ev->subject,
		mib, (double)ev->total / (1 << 20),
		ev->total ? 100.0 * (double)ev->done / (double)ev->total : 100.0,
		secs > 0 ? mib / secs : 0.0);
	fflush(stderr);
	p->shown = 1;
}

void cli_progress_clear(struct cli_progress *p)
{
	if (p && p->shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		p->shown = 0;
	}
}

void cli_on_event(void *ctx, const struct mlcc_event *ev)
{
	struct cli_progress *p = ctx;

	if (ev->kind == MLCC_EVENT_WARNING) {
		cli_progress_clear(p);
		fprintf(stderr, "%s: warning: %s\n", p->tool, ev->message);
		return;
	}
	if (ev->kind != MLCC_EVENT_PROGRESS || !p->show || ev->total < PROGRESS_MIN_BYTES)
		return;
	if (ev->done == 0)
		p->start = now();
	draw(p, ev);
	if (ev->done >= ev->total)
		cli_progress_clear(p);
}

void cli_progress_init(struct cli_progress *p, const char *tool, int quiet)
{
	p->tool = tool;
	p->show = !quiet && isatty(STDERR_FILENO);
	p->shown = 0;
	p->start = now();
}
