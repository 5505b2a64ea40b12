/*
** mlccint.h -- what every internal module of libmlcc shares: the
** attributes internal functions carry, the limits every reader applies,
** the one spelling of `@model_path`, and the assertion macro.
**
** Internal headers include it (through base/diag.h); the public
** interface is include/mlcc.h only.
*/
#ifndef MLCC_MLCCINT_H
#define MLCC_MLCCINT_H

#include <stdio.h>
#include <stdlib.h>

#include "mlcc.h"

/* ---- attributes --------------------------------------------------------- */

#if defined(__GNUC__)
/* A result the caller must look at: every internal function that returns
** a status (0 = MLCC_OK, else MLCC_E_*) is declared with it. */
#define MLCC_MUST_CHECK __attribute__((warn_unused_result))
#define MLCC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define MLCC_NORETURN __attribute__((noreturn))
#else
#define MLCC_MUST_CHECK
#define MLCC_PRINTF(f, a)
#define MLCC_NORETURN
#endif

/* ---- limits ------------------------------------------------------------- */

/* How deep a program may nest -- blocks inside ops inside blocks, types
** inside types, values inside values -- in every reader and writer of
** programs (protobuf, model.mil): deeper input is refused with a message
** rather than risking the stack. */
#define MLCC_MAX_NESTING 256

/* Protobuf messages nested in a specification file, checked on the raw
** bytes before decoding (spec/pbcheck.c): protobuf-c recurses once per
** level while decoding. */
#define MLCC_MAX_PB_NESTING 200

/* Pipelines nested in pipelines (each child is a directory of a bundle). */
#define MLCC_MAX_PIPELINE_NESTING 16

/* Directory levels below a weights directory or a bundle. */
#define MLCC_MAX_DIR_NESTING 64

/* ---- paths -------------------------------------------------------------- */

/* Blob files are named relative to the model's directory with this
** prefix: "@model_path/weights/weight.bin" (docs/spec/coreml-input.md §3). */
#define MLCC_MODEL_PATH_PREFIX "@model_path/"
#define MLCC_MODEL_PATH_PREFIX_LEN (sizeof MLCC_MODEL_PATH_PREFIX - 1)

/* ---- assertions --------------------------------------------------------- */

/* MLCC_ASSERT(cond): an invariant of mlcc's own data (never a property of
** an input, which is checked and reported).  Active in Debug and sanitizer
** builds (MLCC_DEBUG); compiled out in release builds. */
#ifdef MLCC_DEBUG
MLCC_NORETURN void mlcc_assert_fail(const char *cond, const char *file, int line);
#define MLCC_ASSERT(cond) ((cond) ? (void)0 : mlcc_assert_fail(#cond, __FILE__, __LINE__))
#else
#define MLCC_ASSERT(cond) ((void)0)
#endif

#endif
