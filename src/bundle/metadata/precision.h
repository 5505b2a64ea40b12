/*
** precision.h -- computePrecision and storagePrecision of metadata.json.
**
** Both are sets of names printed as one name or "Mixed (A, B, ...)" sorted
** bytewise (docs/spec/mlmodelc.md §5.6).  A set is a bit mask over element
** types plus the storage-only labels "Palettized (N bits)" and "Sparse".
*/
#ifndef MLCC_PRECISION_H
#define MLCC_PRECISION_H

#include "mlccint.h"

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "model/model.h"

struct precision_set {
	uint32_t dtypes;     /* bit (1 << enum dtype) */
	uint16_t palettized; /* bit N: "Palettized (N bits)", N = 1..8 */
	bool sparse;	     /* "Sparse" */
};

/* Add the compute precision of function 'f': the element types of every
** input and output of each non-const op of its body (variables resolved
** to their declared types), bool and string excepted; 'extra' (may be
** NULL) is one more op counted as if it were in the body (a lowered
** classify op).  Returns MLCC_OK, or MLCC_E_NOMEM (the set is then
** incomplete and must not be printed). */
MLCC_MUST_CHECK int precision_compute(const struct function *f, const struct op *extra,
				      struct precision_set *s);

/* Add the storage precision of every function of 'p': the types and
** compression labels of blob-backed weights.  Returns as
** precision_compute(). */
MLCC_MUST_CHECK int precision_storage(const struct program *p, struct precision_set *s);

bool precision_empty(const struct precision_set *s);

/* "Float16" or "Mixed (Float16, Int32)"; allocated from 'a'. */
char *precision_format(struct arena *a, const struct precision_set *s);

#endif
