/*
** flexshape.h -- the FlexibleShapeInformation function attribute.
**
** Apple's compiler synthesizes this attribute of each function in model.mil
** from the model DESCRIPTION (not from the MIL program) whenever an input of
** the function has shape flexibility (docs/spec/mlmodelc.md §4.4).  The same
** module computes the 8-hex-digit keys that name enumerated configurations;
** the runtime recomputes them at prediction time, so they must be exact.
*/
#ifndef MLCC_FLEXSHAPE_H
#define MLCC_FLEXSHAPE_H

#include "mlccint.h"

#include <stdbool.h>
#include <stddef.h>

#include "model/describe.h"
#include "model/model.h"
#include "base/wbuf.h"

/* The function attribute's name. */
#define FLEXSHAPE_KEY "FlexibleShapeInformation"

/* Remove the attribute from every function of 'p': a description that
** holds the same flexibility (read from coremldata.bin, or taken from
** another model) replaces it. */
void flexshape_drop_attr(struct program *p);

/* True when some input in 'fd' has shape flexibility. */
bool flexshape_any(const struct func_desc *fd);

/* Print the attribute VALUE (`tuple<...>((...))`, without the key) for the
** function described by 'fd'; 'v13' selects the program(1.3) spelling.
** Returns 0, or an errno-style code on allocation failure. */
MLCC_MUST_CHECK int flexshape_print(struct wbuf *w, const struct func_desc *fd, bool v13);

/* The configuration key of a raw configuration name: the first four bytes
** of SHA-256(raw) as 8 lowercase hex digits plus NUL. */
void flexshape_config_key(const char *raw, size_t len, char out[9]);

/* The raw-name fragment of one feature: "name_seq_n_k_h_w_", from its
** shape folded into the 5-vector [seq, n, k, h, w].  Appends to 'w'. */
void flexshape_raw_name(struct wbuf *w, const char *name, const int64_t *shape, size_t rank);

#endif
