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

#include "mlccint.h"

/* Record 'status' and the formatted message unless 'd' already holds an
** error.  Returns 'status'.  'd' may be NULL. */
int diag_fail(struct mlcc_diag *d, int status, const char *fmt, ...) MLCC_PRINTF(3, 4);

/* Record an errno-style I/O failure: "<path>: <what>: <strerror(err)>". */
int diag_errno(struct mlcc_diag *d, const char *path, const char *what, int err);

/* Size of the buffer diag_quote() writes into. */
#define DIAG_QUOTE_MAX 96

/* 's' as it should appear inside a message: control characters, quotes and
** backslashes escaped C-style, cut at DIAG_QUOTE_MAX-5 bytes with "...".
** Names from an input file may hold anything; a message must stay one
** readable line.  Writes into 'buf' and returns it. */
const char *diag_quote(char buf[DIAG_QUOTE_MAX], const char *s);

/* Replace the first 'from' in the recorded message by 'to', truncating at
** the message size; nothing when 'from' is NULL or absent.  Used to name
** the bundle being written rather than its temporary directory. */
void diag_replace(struct mlcc_diag *d, const char *from, const char *to);

/* Reset 'd' to "no error". */
void diag_clear(struct mlcc_diag *d);

#endif
