/*
** validate.h -- checks that a model's programs print as valid model.mil:
** MIL identifiers, single definitions, no use before definition.
*/
#ifndef MLCC_VALIDATE_H
#define MLCC_VALIDATE_H

#include "mlccint.h"

#include "model/model.h"
#include "mlcc.h"

/* Check every ML program in 'm' (pipeline children included).  Returns 0,
** or MLCC_E_CORRUPT with "<path>: function 'f': op 'x': ..." in 'd'. */
MLCC_MUST_CHECK int validate_model(const struct model *m, const char *path, struct mlcc_diag *d);

#endif
