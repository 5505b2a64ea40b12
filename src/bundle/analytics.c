/*
** analytics.c -- analytics/coremldata.bin.
**
** A sequence of sections (docs/spec/mlmodelc.md §3, VERIFIED format):
**   string name, u64 n, then n x (string key, string value),
**   keys in bytewise order (a std::map<string, string>).
** ML program: NeuralNetworkModelDetails {containsCustomLayer "0",
** modelDimension "0"}, then SpecificationDetails {modelHash, modelName}.
** Pipeline: PipelineModelDetails {modelDimension = number of children}
** first (VERIFIED: corpus cat_feeder_pro-*, scary-cat-*), then
** SpecificationDetails.  An ML-program child of a pipeline gets its own
** file with NeuralNetworkModelDetails alone (emit_child_analytics).
** modelHash = base64 (standard, padded) of SHA-256 of the spec file bytes;
** modelName = the spec file's name without extension ("model" for every
** package, whose spec file is model.mlmodel).
*/
#include <stdio.h>

#include <nettle/base64.h>

#include "bundle/archive.h"
#include "bundle/bundle.h"

static void section(struct wbuf *w, const char *name, const char *const *kv, size_t n)
{
	archive_string(w, name);
	archive_u64(w, n);
	for (size_t i = 0; i < 2 * n; i++)
		archive_string(w, kv[i]);
}

static void nn_details(struct wbuf *w)
{
	const char *nn[] = {"containsCustomLayer", "0", "modelDimension", "0"};
	section(w, "NeuralNetworkModelDetails", nn, 2);
}

int emit_child_analytics(const struct emit_ctx *c, const struct model *m, struct wbuf *w)
{
	(void)c;
	(void)m;
	nn_details(w);
	return MLCC_OK;
}

int emit_analytics(const struct emit_ctx *c, struct wbuf *w)
{
	char hash[BASE64_ENCODE_RAW_LENGTH(32) + 1];
	char count[24];
	const struct model *m = c->model;

	base64_encode_raw(hash, sizeof c->spec_sha256, c->spec_sha256);
	hash[BASE64_ENCODE_RAW_LENGTH(32)] = '\0';
	if (m->kind == MODEL_ML_PROGRAM) {
		nn_details(w);
	} else {
		snprintf(count, sizeof count, "%zu", m->nchildren);
		const char *pl[] = {"modelDimension", count};
		section(w, "PipelineModelDetails", pl, 1);
	}
	const char *spec[] = {"modelHash", hash, "modelName", c->spec_name};
	section(w, "SpecificationDetails", spec, 2);
	return MLCC_OK;
}
