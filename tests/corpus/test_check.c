/*
** test_check.c -- every model of the corpus passes the op check (zero false
** rejections, docs/OPS.md).
**
** Every .mlpackage, .mlmodel and .mlmodelc under the corpus (anywhere:
** pairs, their expected bundles, compiled/, generated/) and every
** mil-text model.mil is checked twice: through `mlcc check PATH`, which
** must exit 0 printing exactly "PATH: ok (N functions, M ops)" and no
** warning, and through mlcc_check(), whose counts are summed.  Ends with
** "check ok N/M (F functions, O ops, I outputs inferred)".
**
** usage: test_check MLCC
*/
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mlcc.h"
#include "testkit.h"

static size_t total, passed, functions, ops, inferred;

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* Check one model with the CLI and the library. */
static void check_one(const char *mlcc, const char *path)
{
	struct mlcc_check_result r;
	struct mlcc_diag d;
	char want[PATH_MAX + 80];
	char *out = NULL, *err = NULL;
	const char *argv[] = {mlcc, "check", path, NULL};
	int rc = tk_run(argv, &out, &err), lrc;

	total++;
	lrc = mlcc_check(path, NULL, &r, &d);
	snprintf(want, sizeof want, "%s: ok (%zu functions, %zu ops)\n", path, r.functions, r.ops);
	if (rc == 0 && lrc == MLCC_OK && out && strcmp(out, want) == 0 && err && !*err &&
	    r.warnings == 0) {
		passed++;
		functions += r.functions;
		ops += r.ops;
		inferred += r.inferred;
	} else {
		printf("FAIL %s: exit %d, %s%s", path, rc,
		       err && *err ? err
		       : out	   ? out
				   : "",
		       lrc ? d.message : "");
		printf("\n");
	}
	free(out);
	free(err);
}

/* Walk 'dir': models are checked (not entered), other directories are. */
static void walk(const char *mlcc, const char *dir)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap &&
		    !(names = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names)))
			abort();
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) /* sorted: stable output */
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char *t = names[i];
				names[i] = names[j];
				names[j] = t;
			}
	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		if (stat(p, &st) != 0)
			continue;
		if (ends_with(p, ".mlpackage") || ends_with(p, ".mlmodelc") ||
		    (S_ISREG(st.st_mode) && ends_with(p, ".mlmodel")) ||
		    (S_ISREG(st.st_mode) && strstr(p, "/mil-text/") && ends_with(p, "/model.mil")))
			check_one(mlcc, p);
		else if (S_ISDIR(st.st_mode))
			walk(mlcc, p);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *corpus;
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: test_check MLCC\n");
		return 2;
	}
	corpus = tk_corpus("check", &status);
	if (!corpus)
		return status;
	walk(argv[1], corpus);
	printf("check ok %zu/%zu (%zu functions, %zu ops, %zu outputs inferred)\n", passed, total,
	       functions, ops, inferred);
	return passed == total && total > 0 ? 0 : 1;
}
