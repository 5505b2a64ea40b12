/*
** diag.h -- the one error path.
**
** Every failure in mlcc goes through diag_fail(), which keeps the FIRST
** message of an operation (later ones are usually consequences) and returns
** the status so that callers can write `return diag_fail(d, ...)`.  Messages
** name the file first, then the function/op/value: "<file>: <problem>".
*/
#ifndef MLCC_DIAG_H
#define MLCC_DIAG_H

#include "mlcc.h"

#if defined(__GNUC__)
#define MLCC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MLCC_PRINTF(f, a)
#endif

/* Record 'status' and the formatted message unless 'd' already holds an
** error.  Returns 'status'.  'd' may be NULL. */
int diag_fail(struct mlcc_diag *d, int status, const char *fmt, ...)
	MLCC_PRINTF(3, 4);

/* Record an errno-style I/O failure: "<path>: <what>: <strerror(err)>". */
int diag_errno(struct mlcc_diag *d, const char *path, const char *what,
	       int err);

/* Reset 'd' to "no error". */
void diag_clear(struct mlcc_diag *d);

#endif
