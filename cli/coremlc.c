/*
** coremlc.c -- Apple's `coremlcompiler` command line, served by mlcc.
**
** When mlcc runs under the name `coremlcompiler` or `coremlc` (symlinks
** that `make install` creates, or the xcrun shim), it accepts Apple's argv
** so that scripts and build systems work unmodified
** (docs/spec/coreml-input.md §7):
**
**   coremlcompiler compile IN OUTDIR [--add-mlprogram-if-eligible force|disable|auto]
**                  [--platform P] [--deployment-target V] [--sdkroot P]
**                  [--output-partial-info-plist F] [--container C]
**   coremlcompiler version
**
** The options that only steer Xcode or the NN->ML Program conversion are
** accepted and do not change the output (mlcc always writes the ML Program
** form); --output-partial-info-plist writes an empty-dict plist, which is
** what a model contributes to an app's Info.plist (mlcc_compile writes it
** with the bundle: a path that cannot be written fails before the bundle
** is committed).  The compiler stamp
** comes from $MLCC_COREMLC_VERSION / $MLCC_MIL_VERSION (default: newest).
** Exit status: 0 success, 1 the compile failed, 2 usage error.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mlcc.h"

static const char usage[] =
	"usage: coremlcompiler compile <model.mlmodel|model.mlpackage> <output directory>\n"
	"           [--add-mlprogram-if-eligible force|disable|auto] [--platform P]\n"
	"           [--deployment-target V] [--sdkroot P]\n"
	"           [--output-partial-info-plist FILE] [--container C]\n"
	"       coremlcompiler version\n"
	"(mlcc " MLCC_VERSION_STRING "; `generate` is not supported)\n";

static int usage_error(const char *tool, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: error: ", tool);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

static int cmd_compile(const char *tool, int argc, char **argv)
{
	struct mlcc_compile_options o = {0};
	struct mlcc_compile_result r;
	struct cli_progress prog;
	struct mlcc_diag d;
	const char *pos[2], *plist = NULL;
	int npos = 0, rc;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--add-mlprogram-if-eligible") == 0) {
			if (!v || (strcmp(v, "force") && strcmp(v, "disable") && strcmp(v, "auto")))
				return usage_error(
					tool,
					"--add-mlprogram-if-eligible takes force, disable or auto, not '%s'",
					v ? v : "");
			i++;
		} else if (strcmp(a, "--platform") == 0 || strcmp(a, "--deployment-target") == 0 ||
			   strcmp(a, "--sdkroot") == 0 || strcmp(a, "--container") == 0) {
			if (!v)
				return usage_error(tool, "%s needs a value", a);
			i++;
		} else if (strcmp(a, "--output-partial-info-plist") == 0) {
			if (!v)
				return usage_error(tool, "%s needs a value", a);
			plist = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			return usage_error(tool, "unknown option '%s'", a);
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			return usage_error(tool, "unexpected argument '%s'", a);
		}
	}
	if (npos != 2)
		return usage_error(tool, "%s", "compile needs a model and an output directory");
	o.input = pos[0];
	o.output_dir = pos[1];
	o.coremlc_version = getenv("MLCC_COREMLC_VERSION");
	o.mil_version = getenv("MLCC_MIL_VERSION");
	cli_progress_init(&prog, tool, 0);
	o.on_event = cli_on_event;
	o.event_ctx = &prog;
	o.partial_info_plist = plist; /* committed with the bundle */
	rc = mlcc_compile(&o, &r, &d);
	cli_progress_clear(&prog);
	if (rc) {
		fprintf(stderr, "%s: error: %s\n", tool, d.message);
		return rc == MLCC_E_USAGE ? 2 : 1;
	}
	printf("%s\n", r.bundle);
	mlcc_compile_result_free(&r);
	return 0;
}

int coremlc_main(const char *tool, int argc, char **argv)
{
	if (argc < 2)
		return usage_error(tool, "%s", "missing command");
	if (strcmp(argv[1], "compile") == 0)
		return cmd_compile(tool, argc, argv);
	if (strcmp(argv[1], "version") == 0) {
		const char *v = getenv("MLCC_COREMLC_VERSION"), *mil;
		if (!v || !*v) {
			size_t i = 0;
			while (mlcc_known_coremlc_version(i + 1, &mil))
				i++;
			v = mlcc_known_coremlc_version(i, &mil);
		}
		/* One version only: scripts grep every N.N.N of this line
		** (ANEMLL's check_dependencies.sh); `mlcc version` names mlcc. */
		printf("coremlc version %s\n", v);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "generate") == 0)
		return usage_error(
			tool, "%s",
			"'generate' (Swift/Objective-C model classes) is not supported by mlcc");
	return usage_error(tool, "unknown command '%s'", argv[1]);
}
