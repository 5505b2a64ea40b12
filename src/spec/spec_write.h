/*
** spec_write.h -- in-memory model -> protobuf Core ML specification.
**
** The exact mirror of spec_read.c: what spec_read_bytes() builds from a
** specification, spec_write() turns back into one, so that reading the
** written bytes gives the same model (and compiles to the same bundle).
** Immediate tensors use the TensorValue field coremltools chooses for
** their dtype; everything mlcc does not keep (docStrings, tensor-type
** attributes, the 'variadic' flag of unknown dimensions) is not written.
*/
#ifndef MLCC_SPEC_WRITE_H
#define MLCC_SPEC_WRITE_H

#include "mlccint.h"

#include <stddef.h>
#include <stdint.h>

#include "mlcc.h"
#include "model/model.h"

/* Serialize 'm' (pipelines with their children) as a
** CoreML.Specification.Model.  The bytes and every temporary are
** allocated from 'a' (they live until arena_free(a)); '*bytes' and '*len'
** are set on success.  A lowered ML-program classifier (m->classifier,
** classifier.c) is written with its `classify` op re-inserted, as
** classifier_restore() does, without changing 'm'.  Errors name
** m->origin, then the function and op at fault: a model type mlcc does
** not hold (MODEL_OTHER), a value whose storage does not fit its type, a
** result larger than 2 GiB. */
MLCC_MUST_CHECK int spec_write(const struct model *m, struct arena *a, uint8_t **bytes, size_t *len,
			       struct mlcc_diag *d);

#endif
