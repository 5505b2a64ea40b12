/*
** client.c -- a C program using the installed libmlcc through pkg-config,
** as a user would: version, one compile, the result.  It defines functions
** named like internal ones of mlcc (os_join, arena_alloc, diag_fail) to
** show that the library does not export them.
**
** usage: client IN.mlpackage OUTDIR
*/
#include <mlcc.h>
#include <stdio.h>
#include <string.h>

char *os_join(const char *a, const char *b);
void *arena_alloc(void *a, size_t n);
int diag_fail(void *d, int status, const char *fmt, ...);

char *os_join(const char *a, const char *b)
{
	(void)a;
	(void)b;
	return NULL;
}

void *arena_alloc(void *a, size_t n)
{
	(void)a;
	(void)n;
	return NULL;
}

int diag_fail(void *d, int status, const char *fmt, ...)
{
	(void)d;
	(void)fmt;
	return status;
}

int main(int argc, char **argv)
{
	struct mlcc_compile_options o = {0};
	struct mlcc_compile_result r;
	struct mlcc_diag d;

	if (argc != 3)
		return 2;
	if (mlcc_version_number() != MLCC_VERSION_NUMBER ||
	    strcmp(mlcc_version(), MLCC_VERSION_STRING) != 0) {
		fprintf(stderr, "client: header %s, library %s\n", MLCC_VERSION_STRING,
			mlcc_version());
		return 1;
	}
	o.input = argv[1];
	o.output_dir = argv[2];
	if (mlcc_compile(&o, &r, &d) != MLCC_OK) {
		fprintf(stderr, "client: %s: %s\n", mlcc_status_name(d.status), d.message);
		return 1;
	}
	printf("%s %s %s\n", mlcc_version(), r.coremlc_version, r.bundle);
	mlcc_compile_result_free(&r);
	/* An error comes back as a status and one line. */
	o.input = "/nonexistent.mlpackage";
	if (mlcc_compile(&o, NULL, &d) != MLCC_E_IO || !strstr(d.message, "/nonexistent")) {
		fprintf(stderr, "client: unexpected: %d %s\n", d.status, d.message);
		return 1;
	}
	return 0;
}
