/*
** main.c -- the `mlcc` command.
**
**   mlcc compile IN OUTDIR [--coremlc-version V] [--mil-version M]
**                [--link copy|reflink|hard|auto] [--quiet]
**   mlcc decompile X.mlmodelc OUT.mlpackage|OUT.mlmodel
**   mlcc assemble model.mil [--weights DIR] [--spec-version N]
**                 [--description-from X] -o OUT.mlpackage
**   mlcc inspect X [--json]
**   mlcc diff [--interface] A B
**   mlcc run BUNDLE|PACKAGE [--function F] [--input name=FILE.npy ...] ...
**   mlcc version
**   mlcc --help
**
** Invoked as `coremlcompiler` or `coremlc` (a symlink to mlcc), it speaks
** Apple's command line instead (coremlc_cli.c).
**
** Exit status: 0 success, 1 the command failed (the message says why),
** 2 usage error.  `diff`: 0 equivalent, 1 not equivalent, 2 trouble.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlcc.h"

static const char usage[] =
	"usage: mlcc compile IN OUTDIR [--coremlc-version V] [--mil-version M]\n"
	"                    [--link copy|reflink|hard|auto] [--quiet]\n"
	"       mlcc decompile X.mlmodelc OUT.mlpackage|OUT.mlmodel\n"
	"       mlcc assemble model.mil [--weights DIR] [--spec-version N]\n"
	"                     [--description-from X] -o OUT.mlpackage\n"
	"       mlcc inspect X [--json]\n"
	"       mlcc diff [--interface] A B\n"
	"       mlcc run BUNDLE|PACKAGE [--function F] [--input name=FILE.npy ...]\n"
	"                [--state-in name=FILE.npy ...] [--state-out name=FILE.npy ...]\n"
	"                [--output-dir DIR] [--threads N]\n"
	"       mlcc version [--list]\n"
	"       mlcc --help\n";

static void help(void)
{
	const char *mil;

	printf("mlcc %s -- a portable Core ML model compiler\n\n%s\n", mlcc_version(), usage);
	printf("compile  Compile IN (an .mlpackage directory or an .mlmodel file)\n"
	       "         into OUTDIR/<stem>.mlmodelc, byte-identical to Apple's\n"
	       "         coremlcompiler.  The bundle appears atomically; on failure\n"
	       "         nothing is left behind and an existing bundle is kept.\n"
	       "  --coremlc-version V  compiler stamp written into model.mil\n"
	       "                       (default: the newest known)\n"
	       "  --mil-version M      its coremlc-component-MIL value\n"
	       "                       (default: the one usually seen with V)\n"
	       "  --link MODE          how weight files reach the bundle: copy (default:\n"
	       "                       clone when the file system can, else stream),\n"
	       "                       reflink (clone or fail), hard (hard link, same\n"
	       "                       file system; editing one file then changes the\n"
	       "                       other), auto (clone, else copy)\n"
	       "  --quiet              no progress line for large weight copies\n\n"
	       "decompile  Read a compiled bundle back into a package that compiles\n"
	       "           to the same bundle.\n"
	       "assemble   Turn a MIL text file into a package; inputs and outputs\n"
	       "           come from the function signatures unless\n"
	       "           --description-from names a package or bundle to take\n"
	       "           them from.  --weights DIR supplies @model_path/weights/.\n"
	       "inspect    Describe a package, .mlmodel or bundle (--json: the\n"
	       "           stable form of docs/inspect-json.md).\n"
	       "diff       Compare two models; exit 0 when equivalent, 1 when not.\n"
	       "           --interface: only functions, inputs, outputs, states.\n"
	       "run        Run one prediction on the CPU: inputs and states from .npy\n"
	       "           files, each output written as DIR/<name>.npy (docs/RUNTIME.md).\n\n"
	       "Known compiler stamps (coremlc / usual MIL component):\n");
	for (size_t i = 0; mlcc_known_coremlc_version(i, &mil); i++)
		printf("  %-11s %s\n", mlcc_known_coremlc_version(i, NULL), mil);
	printf("(mlcc version --list: the corpus evidence of each)\n");
}

/* `mlcc version --list`: every stamp, its usual MIL component and the
** corpus items its output rules come from. */
static int list_stamps(void)
{
	const char *mil, *v;

	printf("coremlc      MIL        evidence\n");
	for (size_t i = 0; (v = mlcc_known_coremlc_version(i, &mil)) != NULL; i++)
		printf("%-12s %-10s %s\n", v, *mil ? mil : "-", mlcc_known_coremlc_evidence(i));
	return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "mlcc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

static int fail(const struct mlcc_diag *d, int rc)
{
	fprintf(stderr, "mlcc: error: %s\n", d->message);
	return rc == MLCC_E_USAGE ? 2 : 1;
}

/* The value of option 'argv[*i]' (as "--opt V" or "--opt=V"). */
static const char *option_value(int argc, char **argv, int *i, const char *name)
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
	struct mlcc_compile_result r;
	struct cli_progress prog;
	struct mlcc_diag d;
	const char *pos[2];
	int npos = 0, quiet = 0, rc;

	for (int i = 2; i < argc; i++) {
		const char *v;
		if ((v = option_value(argc, argv, &i, "--coremlc-version")))
			o.coremlc_version = v;
		else if ((v = option_value(argc, argv, &i, "--mil-version")))
			o.mil_version = v;
		else if ((v = option_value(argc, argv, &i, "--link"))) {
			int mode = mlcc_link_mode_parse(v);
			if (mode < 0)
				return usage_error(
					"--link takes copy, reflink, hard or auto, not '%s'", v);
			o.link = (enum mlcc_link_mode)mode;
		} else if (strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("unknown option or missing value: %s", argv[i]);
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			return usage_error("unexpected argument: %s", argv[i]);
	}
	if (npos != 2)
		return usage_error("%s", "compile needs IN and OUTDIR");
	o.input = pos[0];
	o.output_dir = pos[1];
	cli_progress_init(&prog, "mlcc", quiet);
	o.on_event = cli_on_event;
	o.event_ctx = &prog;
	rc = mlcc_compile(&o, &r, &d);
	cli_progress_clear(&prog);
	if (rc != MLCC_OK)
		return fail(&d, rc);
	printf("%s\n", r.bundle);
	mlcc_compile_result_free(&r);
	return 0;
}

/* Positional arguments of a command without options (argv[2...]). */
static int positional(int argc, char **argv, int want, const char *what)
{
	for (int i = 2; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("unknown option: %s", argv[i]);
	if (argc - 2 != want)
		return usage_error("%s", what);
	return 0;
}

static int cmd_decompile(int argc, char **argv)
{
	struct mlcc_diag d;
	int rc = positional(argc, argv, 2, "decompile needs X.mlmodelc and OUT.mlpackage");

	if (rc)
		return rc;
	rc = mlcc_decompile(argv[2], argv[3], &d);
	if (rc)
		return fail(&d, rc);
	printf("%s\n", argv[3]);
	return 0;
}

static int cmd_assemble(int argc, char **argv)
{
	struct mlcc_assemble_options o = {0};
	struct mlcc_diag d;
	int rc;

	for (int i = 2; i < argc; i++) {
		const char *v;
		if ((v = option_value(argc, argv, &i, "--weights")))
			o.weights_dir = v;
		else if ((v = option_value(argc, argv, &i, "--description-from")))
			o.description_from = v;
		else if ((v = option_value(argc, argv, &i, "-o")))
			o.output = v;
		else if ((v = option_value(argc, argv, &i, "--spec-version"))) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || n < 6 || n > 10)
				return usage_error("--spec-version must be 6 to 10, not '%s'", v);
			o.spec_version = (int)n;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("unknown option or missing value: %s", argv[i]);
		else if (!o.mil)
			o.mil = argv[i];
		else
			return usage_error("unexpected argument: %s", argv[i]);
	}
	if (!o.mil || !o.output)
		return usage_error("%s", "assemble needs model.mil and -o OUT.mlpackage");
	rc = mlcc_assemble(&o, &d);
	if (rc)
		return fail(&d, rc);
	printf("%s\n", o.output);
	return 0;
}

static int cmd_inspect(int argc, char **argv)
{
	struct mlcc_diag d;
	const char *path = NULL;
	int json = 0, rc;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("unknown option: %s", argv[i]);
		else if (!path)
			path = argv[i];
		else
			return usage_error("unexpected argument: %s", argv[i]);
	}
	if (!path)
		return usage_error("%s", "inspect needs a model");
	rc = mlcc_inspect(path, json, stdout, &d);
	return rc ? fail(&d, rc) : 0;
}

static int cmd_diff(int argc, char **argv)
{
	struct mlcc_diag d;
	const char *pos[2];
	int different = 0, flags = 0, npos = 0, rc;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--interface") == 0)
			flags |= MLCC_DIFF_INTERFACE;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("unknown option: %s", argv[i]);
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			return usage_error("unexpected argument: %s", argv[i]);
	}
	if (npos != 2)
		return usage_error("%s", "diff needs A and B");
	rc = mlcc_diff(pos[0], pos[1], flags, stdout, &different, &d);
	if (rc) {
		fprintf(stderr, "mlcc: error: %s\n", d.message);
		return 2;
	}
	return different ? 1 : 0;
}

/* The name the program was invoked as (argv[0] without directories). */
static const char *invoked_as(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;

	return s ? s + 1 : argv0 ? argv0 : "mlcc";
}

int main(int argc, char **argv)
{
	const char *name = invoked_as(argv[0]);

	/* Through a coremlcompiler/coremlc symlink: Apple's command line. */
	if (strcmp(name, "coremlcompiler") == 0 || strcmp(name, "coremlc") == 0)
		return coremlc_main(name, argc, argv);
	if (argc < 2)
		return usage_error("%s", "missing command");
	if (strcmp(argv[1], "compile") == 0)
		return cmd_compile(argc, argv);
	if (strcmp(argv[1], "decompile") == 0)
		return cmd_decompile(argc, argv);
	if (strcmp(argv[1], "assemble") == 0)
		return cmd_assemble(argc, argv);
	if (strcmp(argv[1], "inspect") == 0)
		return cmd_inspect(argc, argv);
	if (strcmp(argv[1], "diff") == 0)
		return cmd_diff(argc, argv);
	if (strcmp(argv[1], "run") == 0)
		return cli_run(argc, argv);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		if (argc == 3 && strcmp(argv[2], "--list") == 0)
			return list_stamps();
		if (argc > 2)
			return usage_error("version takes only --list, not '%s'", argv[2]);
		printf("mlcc %s\n", mlcc_version());
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help();
		return 0;
	}
	return usage_error("unknown command: %s", argv[1]);
}
