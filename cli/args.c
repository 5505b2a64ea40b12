/*
** args.c -- what the `mlcc` commands share when reading their argv and
** reporting a library failure.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

char *cli_option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

int cli_fail(const struct mlcc_diag *d, int rc)
{
	fprintf(stderr, "mlcc: error: %s\n", d->message);
	return rc == MLCC_E_USAGE ? 2 : 1;
}
