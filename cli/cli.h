/*
** cli.h -- what the programs in cli/ share.  They use the library only
** through its public interface (mlcc.h).
*/
#ifndef MLCC_CLI_H
#define MLCC_CLI_H

#include <stdio.h>

#include "mlcc.h"

/* Apple's coremlcompiler argv (coremlc.c); 'tool' is the name it was
** invoked as, used in messages.  Returns the exit status. */
int coremlc_main(const char *tool, int argc, char **argv);

/* The value of option 'name' at argv[*i], given as "--opt V" (then *i
** moves to V) or "--opt=V"; NULL when argv[*i] is not that option or its
** value is missing (args.c). */
char *cli_option_value(int argc, char **argv, int *i, const char *name);

/* Print a library failure as "mlcc: error: MESSAGE"; returns the exit
** status: 2 for MLCC_E_USAGE, else 1. */
int cli_fail(const struct mlcc_diag *d, int rc);

/* `mlcc run` (run.c): argv as main's; returns the exit status. */
int cli_run(int argc, char **argv);
/* `mlcc chat ...` (chat.c): argv as main() got it.  Returns the exit
** status. */
int chat_main(int argc, char **argv);

/* How a program shows a compile's events (progress.c): a progress line
** for long copies when stderr is a terminal and not 'quiet', warnings
** always, each prefixed with 'tool'. */
struct cli_progress {
	const char *tool;
	int show;     /* draw progress lines */
	int shown;    /* a line is on the screen */
	double start; /* when the current file began */
};

void cli_progress_init(struct cli_progress *p, const char *tool, int quiet);

/* An mlcc_event_fn; 'ctx' is a struct cli_progress. */
void cli_on_event(void *ctx, const struct mlcc_event *ev);

/* Remove a progress line from the screen, if one is shown. */
void cli_progress_clear(struct cli_progress *p);

/* One model's outcome for `--json` (json.c, docs/json-output.md). */
struct cli_json_compile {
	const char *input;
	const struct mlcc_compile_result *result; /* read when status is MLCC_OK */
	int status;				  /* MLCC_OK or the failure */
	const char *message;			  /* the error, or NULL */
	double seconds;
};

/* Write 'c' as one line of JSON on 'out' and flush; -1 if that fails. */
int cli_json_compile_line(FILE *out, const struct cli_json_compile *c);

/* A monotonic clock, in seconds. */
double cli_now(void);

/* `mlcc help COMMAND`: each command's subsection of man/mlcc.1 as plain
** text, generated at build time (tools/man2help.sh); ends with NULLs. */
struct cli_help {
	const char *command;
	const char *text;
};
extern const struct cli_help cli_help_pages[];

#endif
