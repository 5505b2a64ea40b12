/*
** progress.h -- a one-line progress indicator for long weight copies.
**
** Shown only when asked for (a terminal on stderr, no --quiet) and only
** for copies larger than PROGRESS_MIN_BYTES; it rewrites one line with
** bytes done, percent and rate, at most a few times a second, and clears
** it at the end.  Silent otherwise.
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

#define PROGRESS_MIN_BYTES ((uint64_t)64 << 20)

struct progress {
	bool enabled;       /* the caller's decision (terminal, not quiet) */
	bool shown;         /* a line is on the screen */
	const char *label;  /* what is being copied */
	uint64_t total, done;
	double start, last; /* seconds, monotonic */
	atomic_bool *stop;  /* copies end when set (NULL: never) */
};

/* Begin a copy of 'total' bytes; shows nothing below the threshold. */
void progress_begin(struct progress *p, const char *label, uint64_t total);

/* 'done' bytes of the current copy are done.  False when the copy must
** stop.  'p' may be NULL. */
bool progress_update(struct progress *p, uint64_t done);

/* The copy ended (successfully or not): clear the line. */
void progress_end(struct progress *p);

#endif
