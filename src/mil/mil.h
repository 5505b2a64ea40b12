/*
** mil.h -- model.mil, the MIL text of an ML program: the printer
** (print.c), the parser (parse.c, its reverse) and a model description
** synthesized from the program (describe.c).
**
** mil_parse() reads everything mil_print() can print, in both dialects
** (`program(1.0)`, `program(1.3)`; either rank-0 spelling is accepted in
** either), into a MODEL_ML_PROGRAM model whose program prints back to the
** same bytes.  What the text cannot say is left to the caller:
** 'spec_version' is 0 ("unknown") and 'desc' is an empty ModelDescription.
** The compiler's own buildInfo entries are removed from the program and
** reported in 'struct mil_info'; FlexibleShapeInformation stays an
** ordinary function attribute (mil_describe() turns it back into a
** description).  Grammar: docs/spec/mlmodelc.md §4.9.
*/
#ifndef MLCC_MIL_PARSE_H
#define MLCC_MIL_PARSE_H

#include "mlccint.h"

#include <stdbool.h>
#include <stddef.h>

#include "base/wbuf.h"
#include "mlcc.h"
#include "model/model.h"
#include "model/stamp.h"

/* model.mil of the ML program 'm' as the compiler 'stamp' prints it (the
** stamp's versions go into buildInfo).  Errors: out of memory. */
MLCC_MUST_CHECK int mil_print(const struct model *m, const struct stamp *stamp, struct wbuf *w,
			      struct mlcc_diag *d);

/* A MIL string literal: '"' + escaped text + '"' (the escape rule is OPEN,
** see print.c). */
void mil_print_string(struct wbuf *w, const char *s);

/* One op statement of model.mil (indent 0, nested blocks included); with
** 'blob_text' set, each blob literal prints as BLOBFILE(<its text>), so
** that callers can compare ops by weight content (mlcc diff). */
MLCC_MUST_CHECK int mil_print_op(struct wbuf *w, const struct op *op, bool v13,
				 const char *(*blob_text)(void *ctx, const struct mvalue *v),
				 void *ctx);

/* What the text says about who wrote it. */
struct mil_info {
	const char *dialect;	     /* "1.0" or "1.3" */
	bool has_build_info;	     /* a buildInfo attribute was present */
	const char *coremlc_version; /* buildInfo "coremlc-version", or "" */
	const char *coremlc_mil;     /* buildInfo "coremlc-component-MIL", or "" */
};

/* Parse the 'len' bytes of 'text' (not necessarily NUL-terminated) into a
** new model allocated from 'a'; strings in 'info' live in 'a' too.
** 'origin' names the text in messages, which read
** "<origin>:<line>:<col>: <what was expected>, found <what>" (status
** MLCC_E_CORRUPT; MLCC_E_NOMEM when out of memory).  'info' may be NULL. */
MLCC_MUST_CHECK int mil_parse(struct arena *a, const char *origin, const char *text, size_t len,
			      struct model **out, struct mil_info *info, struct mlcc_diag *d);

/* Fill m->desc (replacing it) from the program, for a model that came
** without a description: per function one input feature per function
** input (state<...> inputs become state features), one output feature per
** block output, multi-array types for fp32/fp16/fp64/int32/int8 tensors;
** flexible inputs from the function's FlexibleShapeInformation attribute,
** which is then removed.  Rules: docs/spec/mlmodelc.md §4.11, in "Parsing
** model.mil".  Errors name m->origin, the function and the feature. */
MLCC_MUST_CHECK int mil_describe(struct model *m, struct mlcc_diag *d);

#endif
