/*
** run.c -- `mlcc run`: one prediction on the CPU.
**
**   mlcc run BUNDLE|PACKAGE [--function F] [--input name=FILE.npy ...]
**            [--state-in name=FILE.npy ...] [--state-out name=FILE.npy ...]
**            [--output-dir DIR] [--threads N]
**
** Writes every output as DIR/<name>.npy (atomically; DIR defaults to the
** current directory and is created when missing) and prints one line per
** output: its name, element type and shape ("logits fp16 [1, 1, 512]").
** States start zeroed, or from --state-in files; --state-out saves them
** after the prediction.  Exit status: 0, 1 when the model or a file is at
** fault, 2 for usage errors (unknown option, missing or mismatched input,
** unknown function).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "mlcc.h"

#define MAX_FILES 64

struct named_file {
	const char *name, *file;
};

struct run_args {
	const char *model, *function, *outdir;
	int threads;
	size_t ninputs, nstates_in, nstates_out;
	struct named_file inputs[MAX_FILES], states_in[MAX_FILES], states_out[MAX_FILES];
};

static int usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "mlcc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr,
		"\nusage: mlcc run BUNDLE|PACKAGE [--function F] [--input name=FILE.npy ...]\n"
		"                [--state-in name=FILE.npy ...] [--state-out name=FILE.npy "
		"...]\n"
		"                [--output-dir DIR] [--threads N]\n");
	return 2;
}

/* "name=FILE" into 'list'. */
static int add_named(struct named_file *list, size_t *n, const char *opt, char *arg)
{
	char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0')
		return usage("%s takes name=FILE.npy", opt);
	if (*n == MAX_FILES)
		return usage("too many %s options", opt);
	*eq = '\0';
	list[*n].name = arg;
	list[*n].file = eq + 1;
	(*n)++;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	int rc;

	memset(a, 0, sizeof *a);
	a->outdir = ".";
	for (int i = 2; i < argc; i++) {
		char *v;
		if ((v = cli_option_value(argc, argv, &i, "--function")))
			a->function = v;
		else if ((v = cli_option_value(argc, argv, &i, "--input"))) {
			if ((rc = add_named(a->inputs, &a->ninputs, "--input", v)))
				return rc;
		} else if ((v = cli_option_value(argc, argv, &i, "--state-in"))) {
			if ((rc = add_named(a->states_in, &a->nstates_in, "--state-in", v)))
				return rc;
		} else if ((v = cli_option_value(argc, argv, &i, "--state-out"))) {
			if ((rc = add_named(a->states_out, &a->nstates_out, "--state-out", v)))
				return rc;
		} else if ((v = cli_option_value(argc, argv, &i, "--output-dir")))
			a->outdir = v;
		else if ((v = cli_option_value(argc, argv, &i, "--threads"))) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || n < 0 || n > 1024)
				return usage("--threads takes a number from 0 to 1024, not '%s'",
					     v);
			a->threads = (int)n;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage("unknown option or missing value: %s", argv[i]);
		else if (a->model == NULL)
			a->model = argv[i];
		else
			return usage("unexpected argument: %s", argv[i]);
	}
	if (a->model == NULL)
		return usage("%s", "run needs a BUNDLE or PACKAGE");
	return 0;
}

/* Read the --state-in files into 'state'. */
static int load_states(const struct run_args *a, mlcc_state *state)
{
	struct mlcc_diag d;
	int rc;

	for (size_t i = 0; i < a->nstates_in; i++) {
		struct mlcc_tensor t;
		if ((rc = mlcc_npy_read(a->states_in[i].file, &t, &d)) != MLCC_OK)
			return cli_fail(&d, rc);
		t.name = a->states_in[i].name;
		rc = mlcc_state_set(state, &t, &d);
		mlcc_tensor_free(&t);
		if (rc != MLCC_OK)
			return cli_fail(&d, rc);
	}
	return 0;
}

static int save_states(const struct run_args *a, mlcc_state *state)
{
	struct mlcc_diag d;
	int rc;

	for (size_t i = 0; i < a->nstates_out; i++) {
		struct mlcc_tensor view;
		if ((rc = mlcc_state_get(state, a->states_out[i].name, &view, &d)) != MLCC_OK ||
		    (rc = mlcc_npy_write(a->states_out[i].file, &view, &d)) != MLCC_OK)
			return cli_fail(&d, rc);
	}
	return 0;
}

/* "name dtype [d0, d1]" on stdout. */
static void print_output(const struct mlcc_tensor *t)
{
	const char *dt = mlcc_dtype_name(t->dtype);

	printf("%s %s [", t->name, dt ? dt : "?");
	for (int i = 0; i < t->rank; i++)
		printf("%s%lld", i ? ", " : "", (long long)t->shape[i]);
	printf("]\n");
}

/* Write every output as outdir/<name>.npy ('/' in names becomes '_'). */
static int save_outputs(const char *outdir, const struct mlcc_prediction *p)
{
	struct mlcc_diag d;
	int rc;

	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "mlcc: error: %s: cannot create: %s\n", outdir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < p->noutputs; i++) {
		const struct mlcc_tensor *t = &p->outputs[i];
		size_t n = strlen(outdir) + strlen(t->name) + 8;
		char *path = malloc(n);
		if (path == NULL) {
			fprintf(stderr, "mlcc: error: out of memory\n");
			return 1;
		}
		snprintf(path, n, "%s/%s.npy", outdir, t->name);
		for (char *c = path + strlen(outdir) + 1; *c; c++)
			if (*c == '/')
				*c = '_';
		rc = mlcc_npy_write(path, t, &d);
		free(path);
		if (rc != MLCC_OK)
			return cli_fail(&d, rc);
		print_output(t);
	}
	return 0;
}

/* Read the --input files into 'inputs'. */
static int load_inputs(const struct run_args *a, struct mlcc_tensor *inputs)
{
	struct mlcc_diag d;
	int rc;

	for (size_t i = 0; i < a->ninputs; i++) {
		if ((rc = mlcc_npy_read(a->inputs[i].file, &inputs[i], &d)) != MLCC_OK)
			return cli_fail(&d, rc);
		inputs[i].name = a->inputs[i].name;
	}
	return 0;
}

int cli_run(int argc, char **argv)
{
	struct run_args a;
	struct mlcc_load_options lo = {0};
	struct mlcc_tensor inputs[MAX_FILES] = {{0}};
	struct mlcc_prediction pred = {0};
	struct mlcc_diag d;
	mlcc_model *model = NULL;
	mlcc_state *state = NULL;
	struct mlcc_signature sig;
	int rc, status;

	if ((status = parse_args(argc, argv, &a)) != 0)
		return status;
	lo.threads = a.threads;
	if ((rc = mlcc_model_load(a.model, &lo, &model, &d)) != MLCC_OK)
		return cli_fail(&d, rc);
	if ((rc = mlcc_model_signature(model, a.function, &sig, &d)) != MLCC_OK) {
		status = cli_fail(&d, rc);
		goto out;
	}
	if (sig.nstates > 0 || a.nstates_in || a.nstates_out) {
		if ((rc = mlcc_state_new(model, a.function, &state, &d)) != MLCC_OK) {
			status = cli_fail(&d, rc);
			goto out;
		}
		if ((status = load_states(&a, state)) != 0)
			goto out;
	}
	if ((status = load_inputs(&a, inputs)) != 0)
		goto out;
	if ((rc = mlcc_predict(model, a.function, inputs, a.ninputs, state, &pred, &d)) !=
	    MLCC_OK) {
		status = cli_fail(&d, rc);
		goto out;
	}
	if ((status = save_outputs(a.outdir, &pred)) == 0)
		status = save_states(&a, state);
out:
	mlcc_prediction_free(&pred);
	for (size_t i = 0; i < a.ninputs; i++)
		mlcc_tensor_free(&inputs[i]);
	mlcc_state_free(state);
	mlcc_model_free(model);
	return status;
}
