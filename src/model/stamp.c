/*
** stamp.c -- the known Apple compiler versions.
**
** Pairs (coremlc, usual MIL component) observed in the buildInfo of real
** bundles (docs/spec/mlmodelc.md §4.3, corpus).  3500.32.1 also ships with MIL
** 3510.2.1 in some bundles; --mil-version selects it.
*/
#include "model/stamp.h"

#include <stdio.h>
#include <string.h>

#include "base/diag.h"

/* clang-format off */
static const struct {
	const char *coremlc, *mil;
} known[] = {
	{"3402.4.1", "3402.3.2"},   {"3404.23.1", "3405.2.1"},
	{"3500.32.1", "3500.14.1"}, {"3520.5.1", "3520.4.1"},
	{"3600.22.1", "3600.16.1"}, {"3600.25.1", "3600.16.1"},
};
/* clang-format on */

#define NKNOWN (sizeof known / sizeof known[0])

const char *mlcc_known_coremlc_version(size_t i, const char **usual_mil)
{
	if (i >= NKNOWN)
		return NULL;
	if (usual_mil)
		*usual_mil = known[i].mil;
	return known[i].coremlc;
}

/* "A.B.C" with three decimal parts, each < 100000. */
static int parse_version(const char *s, unsigned v[3])
{
	int n = 0;

	if (strlen(s) >= 32 || sscanf(s, "%5u.%5u.%5u%n", &v[0], &v[1], &v[2], &n) != 3 ||
	    s[n] != '\0' || s[0] < '0' || s[0] > '9')
		return -1;
	for (const char *p = s; *p; p++)
		if (!(*p == '.' || (*p >= '0' && *p <= '9')))
			return -1;
	return 0;
}

static void fill(struct stamp *s, const char *coremlc, const char *mil, const unsigned v[3])
{
	snprintf(s->coremlc, sizeof s->coremlc, "%s", coremlc);
	snprintf(s->mil, sizeof s->mil, "%s", mil);
	s->major = v[0];
	s->minor = v[1];
	s->patch = v[2];
}

int stamp_init(struct stamp *s, const char *coremlc, const char *mil, struct mlcc_diag *d)
{
	size_t i;
	unsigned v[3], m[3];

	if (!coremlc)
		coremlc = known[NKNOWN - 1].coremlc;
	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].coremlc, coremlc) == 0)
			break;
	if (i == NKNOWN || parse_version(coremlc, v) != 0) {
		char list[256] = "";
		for (size_t k = 0; k < NKNOWN; k++) {
			strcat(list, k ? ", " : "");
			strcat(list, known[k].coremlc);
		}
		return diag_fail(d, MLCC_E_USAGE, "unknown --coremlc-version '%s' (known: %s)",
				 coremlc, list);
	}
	if (!mil)
		mil = known[i].mil;
	if (parse_version(mil, m) != 0)
		return diag_fail(d, MLCC_E_USAGE, "invalid --mil-version '%s' (expected A.B.C)",
				 mil);
	fill(s, coremlc, mil, v);
	return MLCC_OK;
}

int stamp_init_any(struct stamp *s, const char *coremlc, const char *mil, struct mlcc_diag *d)
{
	unsigned v[3] = {0, 0, 0};

	if (strlen(coremlc) >= sizeof s->coremlc || strlen(mil) >= sizeof s->mil)
		return diag_fail(d, MLCC_E_USAGE, "compiler version '%s' / '%s' too long", coremlc,
				 mil);
	if (parse_version(coremlc, v) != 0)
		v[0] = v[1] = v[2] = 0;
	fill(s, coremlc, mil, v);
	return MLCC_OK;
}

int stamp_cmp(const struct stamp *s, unsigned major, unsigned minor, unsigned patch)
{
	unsigned a[3] = {s->major, s->minor, s->patch};
	unsigned b[3] = {major, minor, patch};

	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}
