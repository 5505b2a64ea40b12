/*
** corpus.c -- what the corpus tests need to know about an Apple bundle:
** which compiler wrote it and where its weights are missing.
*/
#include "corpus.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "standin.h"
#include "testkit.h"

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The first model.mil of the bundle: its own, else the first child's that
** has one (model0/, model1/, ... recursively). */
static bool first_mil(const char *dir, char *out, size_t n, int depth)
{
	char p[PATH_MAX];

	snprintf(out, n, "%s/model.mil", dir);
	if (exists(out))
		return true;
	for (int i = 0; depth < 8; i++) {
		snprintf(p, sizeof p, "%s/model%d", dir, i);
		if (!exists(p))
			break;
		if (first_mil(p, out, n, depth + 1))
			return true;
	}
	return false;
}

void tk_bundle_stamp(const char *dir, char coremlc[32], char mil[32])
{
	char p[PATH_MAX];

	coremlc[0] = mil[0] = '\0';
	if (first_mil(dir, p, sizeof p, 0)) {
		tk_stamp_of(p, coremlc, mil);
		if (!coremlc[0])
			snprintf(coremlc, 32, "pre-buildinfo");
		return;
	}
	snprintf(p, sizeof p, "%s/metadata.json", dir);
	if (!exists(p))
		snprintf(coremlc, 32, "pre-metadata");
}

bool tk_names_blobs(const char *mil_path)
{
	size_t len;
	char *t = (char *)tk_read(mil_path, &len);
	bool yes = t && strstr(t, "BLOBFILE(") != NULL;

	free(t);
	return yes;
}

int tk_bundle_standins(const char *dir, int depth)
{
	char mil[PATH_MAX], w[PATH_MAX], p[PATH_MAX];
	int n = 0;

	snprintf(mil, sizeof mil, "%s/model.mil", dir);
	snprintf(w, sizeof w, "%s/weights", dir);
	if (exists(mil) && !exists(w) && tk_names_blobs(mil)) {
		if (tk_standin_weights(mil, dir) < 0)
			return -1;
		n++;
	}
	for (int i = 0; depth < 8; i++) {
		snprintf(p, sizeof p, "%s/model%d", dir, i);
		if (!exists(p))
			break;
		int k = tk_bundle_standins(p, depth + 1);
		if (k < 0)
			return -1;
		n += k;
	}
	return n;
}

int tk_standins_into(const char *bundle, const char *root, int depth)
{
	char mil[PATH_MAX], p[PATH_MAX];
	int n = 0;

	snprintf(mil, sizeof mil, "%s/model.mil", bundle);
	if (exists(mil) && tk_names_blobs(mil)) {
		if (tk_standin_weights(mil, root) < 0)
			return -1;
		n++;
	}
	for (int i = 0; depth < 8; i++) {
		snprintf(p, sizeof p, "%s/model%d", bundle, i);
		if (!exists(p))
			break;
		int k = tk_standins_into(p, root, depth + 1);
		if (k < 0)
			return -1;
		n += k;
	}
	return n;
}

bool tk_bundle_lacks_weights(const char *dir)
{
	char mil[PATH_MAX], w[PATH_MAX], p[PATH_MAX];

	snprintf(mil, sizeof mil, "%s/model.mil", dir);
	snprintf(w, sizeof w, "%s/weights", dir);
	if (exists(mil) && !exists(w) && tk_names_blobs(mil))
		return true;
	for (int i = 0; i < 64; i++) {
		snprintf(p, sizeof p, "%s/model%d", dir, i);
		if (!exists(p))
			break;
		if (tk_bundle_lacks_weights(p))
			return true;
	}
	return false;
}

int tk_copy_tree(const char *from, const char *to)
{
	const char *cp[] = {"/bin/cp", "-R", from, to, NULL};
	const char *ch[] = {"/bin/chmod", "-R", "u+w", to, NULL};

	return tk_run(cp, NULL, NULL) == 0 && tk_run(ch, NULL, NULL) == 0 ? 0 : -1;
}

bool tk_is_espresso(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s/model.espresso.net", dir);
	return exists(p);
}

int tk_compile(const char *mlcc, const char *src, const char *outdir, const char *coremlc,
	       const char *mil, bool hard_links, char **err)
{
	const char *argv[12];
	int n = 0;

	argv[n++] = mlcc;
	argv[n++] = "compile";
	argv[n++] = src;
	argv[n++] = outdir;
	if (coremlc && *coremlc) {
		argv[n++] = "--coremlc-version";
		argv[n++] = coremlc;
		if (mil && *mil) {
			argv[n++] = "--mil-version";
			argv[n++] = mil;
		}
	}
	if (hard_links) {
		argv[n++] = "--link";
		argv[n++] = "hard";
	}
	argv[n] = NULL;
	return tk_run(argv, NULL, err);
}

void tk_analytics_model_name(const char *bundle, char *out, size_t n)
{
	char p[PATH_MAX];
	size_t len;
	unsigned char *t;

	snprintf(out, n, "model");
	snprintf(p, sizeof p, "%s/analytics/coremldata.bin", bundle);
	if (!(t = tk_read(p, &len)))
		return;
	for (size_t i = 0; i + 9 + 8 <= len; i++) {
		if (memcmp(t + i, "modelName", 9) != 0)
			continue;
		uint64_t l = 0;
		for (int k = 7; k >= 0; k--)
			l = l << 8 | t[i + 9 + (size_t)k];
		if (l < n && i + 17 + l <= len) {
			memcpy(out, t + i + 17, (size_t)l);
			out[l] = '\0';
		}
		break;
	}
	free(t);
}
