/*
** json.c -- `--json`: one line of JSON per model compiled, for CI.
**
** The object is the contract of docs/json-output.md: keys in the order
** written here, new keys only ever added.  It is built with jansson (the
** JSON library the project already uses) so that paths and messages are
** escaped correctly whatever bytes they hold.
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A string, or JSON null for NULL or "". */
static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *compile_object(const struct cli_json_compile *c)
{
	const struct mlcc_compile_result *r = c->status == MLCC_OK ? c->result : NULL;
	json_t *o = json_object();

	json_object_set_new(o, "input", json_string(c->input ? c->input : ""));
	json_object_set_new(o, "bundle", str_or_null(r ? r->bundle : NULL));
	json_object_set_new(o, "coremlcVersion", str_or_null(r ? r->coremlc_version : NULL));
	json_object_set_new(o, "milVersion", str_or_null(r ? r->mil_version : NULL));
	json_object_set_new(o, "seconds", json_real(c->seconds));
	json_object_set_new(o, "bytesCopied", json_integer(r ? (json_int_t)r->bytes_copied : 0));
	json_object_set_new(o, "bytesCloned", json_integer(r ? (json_int_t)r->bytes_cloned : 0));
	json_object_set_new(o, "bytesLinked", json_integer(r ? (json_int_t)r->bytes_linked : 0));
	json_object_set_new(o, "status", json_string(c->status == MLCC_OK ? "ok" : "error"));
	json_object_set_new(o, "code", json_integer(c->status));
	json_object_set_new(o, "message", str_or_null(c->message));
	return o;
}

int cli_json_compile_line(FILE *out, const struct cli_json_compile *c)
{
	json_t *o = compile_object(c);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER |
					    JSON_REAL_PRECISION(6))
		    : NULL;
	int rc = -1;

	if (s) {
		/* One write per line: lines from parallel jobs never interleave. */
		rc = fprintf(out, "%s\n", s) < 0 || fflush(out) != 0 ? -1 : 0;
		free(s);
	}
	json_decref(o);
	return rc;
}
