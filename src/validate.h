/*
** validate.h -- checks that a model's programs print as valid model.mil:
** MIL identifiers, single definitions, no use before definition.
*/
#ifndef MLCC_VALIDATE_H
#define MLCC_VALIDATE_H

#include <stdbool.h>

#include "model.h"
#include "mlcc.h"

/* True when 's' is a MIL identifier: [A-Za-z_][A-Za-z0-9_@.]* */
bool validate_is_identifier(const char *s);

/* Check every ML program in 'm' (pipeline children included).  Returns 0,
** or MLCC_E_CORRUPT with "<path>: function 'f': op 'x': ..." in 'd'. */
int validate_model(const struct model *m, const char *path,
		   struct mlcc_diag *d);

#endif
