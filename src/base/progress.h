/*
** progress.h -- progress of long weight copies, reported as events.
**
** A streamed copy tells its progress object how far it got; the object
** turns that into MLCC_EVENT_PROGRESS events for the caller's callback:
** one when a file starts (done 0), at most four a second while it runs,
** one when it is complete (done == total).  With no callback nothing is
** reported.  Deciding whether and how to show progress is the caller's
** business (the command line draws one line on a terminal).
**
** It is also how a copy is called off: a copy loop asks progress_update()
** after every step and stops when it returns false ('stop' was set, from
** another thread).
*/
#ifndef MLCC_PROGRESS_H
#define MLCC_PROGRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mlcc.h"

struct progress {
	mlcc_event_fn fn; /* NULL: report nothing */
	void *ctx;
	const char *label; /* what is being copied */
	uint64_t total;
	double last;	   /* seconds (monotonic) of the last event */
	atomic_bool *stop; /* copies end when set (NULL: never) */
};

/* Begin a copy of 'total' bytes of 'label'.  'p' may be NULL. */
void progress_begin(struct progress *p, const char *label, uint64_t total);

/* 'done' bytes of the current copy are done.  False when the copy must
** stop.  'p' may be NULL. */
bool progress_update(struct progress *p, uint64_t done);

#endif
