/*
** stamp.c -- the known Apple compiler versions and the output rules of each.
**
** One row per compiler release seen in the buildInfo of real bundles
** (docs/spec/mlmodelc.md §4.3, corpus), oldest first, with the MIL component
** usually seen with it and the rules its output follows.  Each rule was
** read off the corpus items named in 'evidence'; where no item of a
** release decides a rule, the row repeats its neighbour's value and
** docs/spec/mlmodelc.md §10 says so.  3500.32.1 also ships
** with MIL 3510.2.1 in some bundles; --mil-version selects it.
*/
#include "model/stamp.h"

#include <stdio.h>
#include <string.h>

#include "base/diag.h"

/* Rule columns: metadata_json, analytics, pipeline_metadata, build_info,
** cd_metadata, state_schema, vision_os, sorted_histogram. */
/* clang-format off */
#define OLD_ERA {true, true, false, true, true, false, true, true}
#define NEW_ERA {true, true, true, true, true, true, true, false}
/* clang-format on */

/* clang-format off */
static const struct known {
	const char *coremlc, *mil;
	struct stamp_rules rules;
	const char *evidence;
} known[] = {
	{STAMP_PRE_METADATA, "", {false, false, false, false, false, false, false, true},
	 "compiled/objects_in_dif-c99b7f38-ImageClassifier (amandaLi7/objects_in_diff_lang): "
	 "no metadata.json, no analytics/"},
	{STAMP_PRE_BUILDINFO, "", {true, true, true, false, false, false, false, true},
	 "mil-text/guru-swift-sdk-e8091bc7-VipnasEndToEnd (Formguru/guru-swift-sdk): "
	 "no buildInfo, no forced Metadata, no stateSchema, no visionOS"},
	{"1436.100.10", "4.28.4", {true, true, false, true, true, false, false, true},
	 "mil-text/pdfsearch-c4024bc6-EmbeddingModel (kevin-pek/pdfsearch): "
	 "no stateSchema, no visionOS"},
	{"1877.40.3", "5.33.5", OLD_ERA,
	 "mil-text/dsvds-{0aa7a364,3ddc5134,555cd1d8}-* (ForterLi/dsvds): "
	 "no stateSchema, visionOS"},
	{"1877.50.1", "5.33.5", OLD_ERA,
	 "pairs/cat_feeder_pro-2f191917-yolov8{n,m} (saadiahl/cat_feeder_project): "
	 "pipelines without metadata.json"},
	{"3304.6.2", "3304.5.2", OLD_ERA,
	 "mil-text/dsvds-{07d0e82c,421e53ea,820ecc8f,861bef56}-* (ForterLi/dsvds), "
	 "Aksera-Whisper-a3800cb3-* (alifarpl/Aksera-WhisperKit): no stateSchema"},
	{"3401.4.1", "3401.3.1", NEW_ERA,
	 "compiled/VideoAnalysisS-50347980-best (griftt/VideoAnalysisSDK): stateSchema"},
	{"3402.4.1", "3402.3.2", NEW_ERA,
	 "compiled/coremltools-head-add_model (apple/coremltools)"},
	{"3404.23.1", "3405.2.1", NEW_ERA,
	 "compiled/FluidAudio-* (FluidInference/FluidAudio)"},
	{"3500.32.1", "3500.14.1", NEW_ERA,
	 "pairs/mobius-* (FluidInference/mobius), 24 pairs"},
	{"3520.5.1", "3520.4.1", NEW_ERA,
	 "pairs/zero-copy-mac--850867d2-yolov8n (Sarves1911/zero-copy-mac-inference)"},
	{"3600.22.1", "3600.16.1", NEW_ERA,
	 "mil-text/emo-swift-* (Desert-Ant-Labs/emo-swift), compiled/shapes-swift-head-shapes"},
	{"3600.25.1", "3600.16.1", NEW_ERA,
	 "mil-text/mlmodelc-expor-head-* (rebeckerspecialties/mlmodelc-export)"},
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

const char *mlcc_known_coremlc_evidence(size_t i)
{
	return i < NKNOWN ? known[i].evidence : NULL;
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

/* A row of an era before buildInfo (its name is not a version). */
static bool unstamped(const struct known *k)
{
	return !k->mil[0];
}

/* The row named 'name' (it exists: the names are this file's). */
static const struct known *find(const char *name)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].coremlc, name) == 0)
			return &known[i];
	return &known[NKNOWN - 1];
}

static void fill(struct stamp *s, const char *coremlc, const char *mil, const unsigned v[3],
		 const struct stamp_rules *rules)
{
	snprintf(s->coremlc, sizeof s->coremlc, "%s", coremlc);
	snprintf(s->mil, sizeof s->mil, "%s", mil);
	s->major = v[0];
	s->minor = v[1];
	s->patch = v[2];
	s->rules = *rules;
}

int stamp_init(struct stamp *s, const char *coremlc, const char *mil, struct mlcc_diag *d)
{
	static const unsigned oldest[3] = {1, 0, 0};
	size_t i;
	unsigned v[3], m[3];

	if (!coremlc)
		coremlc = known[NKNOWN - 1].coremlc;
	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known[i].coremlc, coremlc) == 0)
			break;
	if (i < NKNOWN && unstamped(&known[i])) {
		if (mil && *mil)
			return diag_fail(d, MLCC_E_USAGE,
					 "--mil-version '%s' needs a compiler version: '%s' "
					 "output names no compiler",
					 mil, coremlc);
		fill(s, "", "", oldest, &known[i].rules);
		return MLCC_OK;
	}
	if (i == NKNOWN || parse_version(coremlc, v) != 0) {
		char list[512] = "";
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
	fill(s, coremlc, mil, v, &known[i].rules);
	return MLCC_OK;
}

/* The rules of the newest known compiler not newer than v (the oldest
** stamped row for anything older). */
static const struct stamp_rules *rules_for(const unsigned v[3])
{
	const struct stamp_rules *r = NULL;

	for (size_t i = 0; i < NKNOWN; i++) {
		unsigned k[3];
		if (unstamped(&known[i]) || parse_version(known[i].coremlc, k) != 0)
			continue;
		if (!r || k[0] < v[0] ||
		    (k[0] == v[0] && (k[1] < v[1] || (k[1] == v[1] && k[2] <= v[2]))))
			r = &known[i].rules;
	}
	return r;
}

int stamp_init_any(struct stamp *s, const char *coremlc, const char *mil, struct mlcc_diag *d)
{
	unsigned v[3] = {0, 0, 0};

	if (strlen(coremlc) >= sizeof s->coremlc || strlen(mil) >= sizeof s->mil)
		return diag_fail(d, MLCC_E_USAGE, "compiler version '%s' / '%s' too long", coremlc,
				 mil);
	if (!*coremlc) {
		fill(s, "", mil, v, &find(STAMP_PRE_BUILDINFO)->rules);
		return MLCC_OK;
	}
	if (parse_version(coremlc, v) != 0)
		v[0] = v[1] = v[2] = 0;
	fill(s, coremlc, mil, v, v[0] ? rules_for(v) : &known[NKNOWN - 1].rules);
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
