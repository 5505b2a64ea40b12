/*
** main.c -- the `mlcc` command.
**
**   mlcc compile IN OUTDIR [--coremlc-version V] [--mil-version M]
**   mlcc version
**   mlcc --help
**
** Exit status: 0 success, 1 the compile failed (the message says why),
** 2 usage error.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlcc.h"

static const char usage[] =
	"usage: mlcc compile IN OUTDIR [--coremlc-version V] [--mil-version M]\n"
	"       mlcc version\n"
	"       mlcc --help\n";

static void help(void)
{
	const char *mil;

	printf("mlcc %s -- a portable Core ML model compiler\n\n%s\n",
	       MLCC_VERSION_STRING, usage);
	printf("compile  Compile IN (an .mlpackage directory or an .mlmodel file)\n"
	       "         into OUTDIR/<stem>.mlmodelc, byte-identical to Apple's\n"
	       "         coremlcompiler.  The bundle appears atomically; on failure\n"
	       "         nothing is left behind and an existing bundle is kept.\n"
	       "  --coremlc-version V  compiler stamp written into model.mil\n"
	       "                       (default: the newest known)\n"
	       "  --mil-version M      its coremlc-component-MIL value\n"
	       "                       (default: the one usually seen with V)\n\n"
	       "Known compiler stamps (coremlc / usual MIL component):\n");
	for (size_t i = 0; mlcc_known_coremlc_version(i, &mil); i++)
		printf("  %-10s %s\n", mlcc_known_coremlc_version(i, NULL), mil);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "mlcc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

/* The value of option 'argv[*i]' (as "--opt V" or "--opt=V"). */
static const char *option_value(int argc, char **argv, int *i,
				const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int cmd_compile(int argc, char **argv)
{
	struct mlcc_compile_options o = {0};
	struct mlcc_diag d;
	const char *pos[2];
	int npos = 0, rc;

	for (int i = 2; i < argc; i++) {
		const char *v;
		if ((v = option_value(argc, argv, &i, "--coremlc-version")))
			o.coremlc_version = v;
		else if ((v = option_value(argc, argv, &i, "--mil-version")))
			o.mil_version = v;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("unknown option or missing value: %s",
					   argv[i]);
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			return usage_error("unexpected argument: %s", argv[i]);
	}
	if (npos != 2)
		return usage_error("%s", "compile needs IN and OUTDIR");
	o.input = pos[0];
	o.output_dir = pos[1];
	rc = mlcc_compile(&o, &d);
	if (rc != MLCC_OK) {
		fprintf(stderr, "mlcc: error: %s\n", d.message);
		return rc == MLCC_E_USAGE ? 2 : 1;
	}
	printf("%s\n", o.written_path);
	free(o.written_path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "missing command");
	if (strcmp(argv[1], "compile") == 0)
		return cmd_compile(argc, argv);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("mlcc %s\n", MLCC_VERSION_STRING);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help();
		return 0;
	}
	return usage_error("unknown command: %s", argv[1]);
}
