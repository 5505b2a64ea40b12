/*
** diag.h -- the one error path, and how every internal function reports.
**
** Conventions (the only ones in mlcc; src/mlccint.h has the attributes):
**  1. A function that can fail in a way the user must hear about returns
**     an int status -- MLCC_OK (0) or an MLCC_E_* code -- is declared
**     MLCC_MUST_CHECK, and records the message in the 'struct mlcc_diag'
**     it is given (directly or through a context that holds one, such as
**     'struct emit_ctx').  Callers pass a failure on unchanged:
**     `if ((rc = f(..., d)) != MLCC_OK) return rc;`.
**  2. A leaf helper that does not know which file it works for (strmap,
**     wbuf, the JSON and dictionary encoders, the lexer, hexfloat parsing,
**     blob_scan) returns 0 or -1 (wbuf: an errno value, kept for
**     strerror) as its contract says, also MLCC_MUST_CHECK; its caller
**     turns a failure into a status with a message naming the file.
**  3. A function that returns a pointer returns NULL only for "out of
**     memory" (or "not found" where its contract says so).
**  4. A predicate returns bool.
** Messages are recorded once, where the failure is detected, with
** diag_fail() (or model_fail() for a place in a model, which formats the
** "<file>[:LINE:COL]: function 'f': op 'x' (type): " prefix in one place);
** the FIRST message of an operation is kept, later ones are usually
** consequences.  A message is one line: names from an input go through
** diag_quote(), and diag_fail() escapes whatever control character or
** invalid UTF-8 still reaches it (a path given on the command line, a name
** a caller forgot), so no input can forge a second "mlcc: error:" line.
** Reports printed to a FILE (inspect, diff) print names with diag_put().
** All three share one escaping rule (diag.c escape1).  Broken invariants of mlcc's own data are
*MLCC_ASSERT()s,
** never messages.
*/
#ifndef MLCC_DIAG_H
#define MLCC_DIAG_H

#include "mlccint.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Record 'status' and the formatted message unless 'd' already holds an
** error.  Returns 'status'.  'd' may be NULL. */
int diag_fail(struct mlcc_diag *d, int status, const char *fmt, ...) MLCC_PRINTF(3, 4);

/* Record an errno-style I/O failure: "<path>: <what>: <strerror(err)>". */
int diag_errno(struct mlcc_diag *d, const char *path, const char *what, int err);

/* True when the 'n' bytes at 's' are valid UTF-8 (RFC 3629). */
bool diag_utf8_valid(const char *s, size_t n);

/* Size of the buffer diag_quote() writes into. */
#define DIAG_QUOTE_MAX 96

/* 's' as it should appear inside a message: control characters, quotes and
** backslashes escaped C-style, cut at DIAG_QUOTE_MAX-5 bytes with "...".
** Names from an input file may hold anything; a message must stay one
** readable line.  Writes into 'buf' and returns it. */
const char *diag_quote(char buf[DIAG_QUOTE_MAX], const char *s);

/* 's' escaped as diag_put() prints it, into 'buf' ('cap' >= 8 bytes),
** cut with "..." when it does not fit.  Returns 'buf'. */
const char *diag_escape(char *buf, size_t cap, const char *s);

/* 's' printed to 'out' escaped as diag_quote() escapes it (quotes
** excepted), in full: for reports that print names from an input
** (inspect's text form, diff).  NULL prints nothing.  Returns the bytes
** written. */
size_t diag_put(FILE *out, const char *s);

/* Replace the first 'from' in the recorded message by 'to', truncating at
** the message size; nothing when 'from' is NULL or absent.  Used to name
** the bundle being written rather than its temporary directory. */
void diag_replace(struct mlcc_diag *d, const char *from, const char *to);

/* When the recorded message starts with "<name>:" -- an emitter that knows
** only the name of the file it makes ("metadata.json: out of memory") --
** make it start with 'path', the file's full path, instead. */
void diag_name_file(struct mlcc_diag *d, const char *name, const char *path);

/* Reset 'd' to "no error". */
void diag_clear(struct mlcc_diag *d);

#endif
