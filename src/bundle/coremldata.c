/*
** coremldata.c -- coremldata.bin, the compiled model's header.
**
** ML program (docs/spec/mlmodelc.md §2.2, VERIFIED):
**
**   OFFSET SIZE  DESCRIPTION
**   0      4     u32 model type: 502 (the Model oneof field number)
**   4      ..    VersionInfo compiled version {M, m, p, "generic"} (§2.3)
**   ..     ..    VersionInfo {specificationVersion, 0, 0, ""}
**   ..     8     u64 N: length of the description
**   ..     N     ModelDescription, re-serialized, Metadata always present
**   ..     16*F  per function: u32 502 + 12 zero bytes, F = max(1, #functions)
**
** Pipeline (§2.6, HIGH): type 202 (200/201 for pipeline classifier and
** regressor), VersionInfo {1, 0, 1, "generic" + ".model<i>v<child version>"
** for each child}, the spec VersionInfo, the description, u64 number of
** children, then u32 type + u32 0.
**
** Model types stored as their own specification (MODEL_SPEC: GLM
** classifier, NMS, vision feature print; §2.8, corpus pairs/scary-cat-*,
** pairs/cat_feeder_pro-*): u32 type, VersionInfo {1, 0, 0, "spec"}, the
** spec VersionInfo, then the whole Model message re-serialized, no length
** prefix, to the end of the file (no Metadata forced in: the children of
** cat_feeder_pro-*'s pipelines have none).
**
** The description is re-serialized by protobuf-c from the parsed message:
** fields in number order, packed repeated scalars, defaults omitted, unknown
** fields last -- what Apple's C++ protobuf produces.  Apple's map order for
** Metadata.userDefined is random per run (§2.4); we keep the source order.
*/
#include <stdio.h>
#include <stdlib.h>

#include "bundle/archive.h"
#include "base/diag.h"
#include "bundle/bundle.h"

/* §2.3, from the decompiled compiledVersionForSpecification (HIGH).
** Spec 1/2 rows depend on neural-network details and never apply to the
** model types mlcc compiles; spec >= 9 (10 included, OPEN) -> 9.0.0. */
static void ml_program_version(int32_t spec, unsigned v[3])
{
	static const unsigned rows[][3] = {
		{1, 2, 1}, {1, 2, 1}, {1, 2, 1}, {2, 1, 0}, {3, 0, 0},
		{4, 0, 0}, {5, 0, 0}, {5, 0, 0}, {8, 0, 0}, {9, 0, 0},
	};
	int32_t i = spec < 0 ? 0 : spec > 9 ? 9 : spec;

	v[0] = rows[i][0];
	v[1] = rows[i][1];
	v[2] = rows[i][2];
}

/* Buffer space for the pipeline variant string (grows with children). */
static char *pipeline_variant(const struct model *m)
{
	struct wbuf w;

	wbuf_init(&w);
	wbuf_puts(&w, "generic");
	for (size_t i = 0; i < m->nchildren; i++) {
		unsigned v[3];
		const char *variant = emit_compiled_version(m->children[i], v);
		wbuf_printf(&w, ".model%zuv%u.%u.%u%s", i, v[0], v[1], v[2], variant);
	}
	wbuf_putc(&w, '\0');
	if (wbuf_error(&w)) {
		wbuf_free(&w);
		return NULL;
	}
	return (char *)w.data;
}

const char *emit_compiled_version(const struct model *m, unsigned v[3])
{
	if (m->kind == MODEL_ML_PROGRAM) {
		ml_program_version(m->spec_version, v);
		return "generic";
	}
	if (m->kind == MODEL_SPEC) {
		v[0] = 1;
		v[1] = v[2] = 0;
		return "spec";
	}
	/* Pipelines: {1, 0, 1}; the full variant needs the children, see
	** pipeline_variant(). */
	v[0] = 1;
	v[1] = 0;
	v[2] = 1;
	return "generic";
}

/* 'msg' packed into 'w': as an archive string (u64 length + bytes) when
** 'prefixed', else bare. */
static int put_message(const struct emit_ctx *c, const ProtobufCMessage *msg, bool prefixed,
		       struct wbuf *w)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(n ? n : 1);

	if (!buf)
		return diag_fail(c->diag, MLCC_E_NOMEM, "coremldata.bin: out of memory");
	protobuf_c_message_pack(msg, buf);
	if (prefixed)
		archive_bytes(w, buf, n);
	else
		wbuf_put(w, buf, n);
	free(buf);
	return MLCC_OK;
}

/* The description, packed; with Metadata forced present when the
** compiler's rules say so (every stamped release; the era before buildInfo
** writes the description as it is: corpus guru-swift-sdk, 189 bytes). */
static int put_description(const struct emit_ctx *c, const struct model *m, struct wbuf *w)
{
	ModelDescription desc = *m->desc;
	Metadata empty = CORE_ML__SPECIFICATION__METADATA__INIT;

	if (!desc.metadata && c->stamp->rules.cd_metadata)
		desc.metadata = &empty;
	return put_message(c, &desc.base, true, w);
}

/* The tail of an ML-program classifier, in place of the function trailers
** (corpus mil-text/emo-swift-*-Emo, coremlc 3600.22.1; MEDIUM):
**   u64 403 (8 bytes, like the 502 of a function trailer),
**   u64 100 (string labels; 101 for int64 labels, LOW),
**   u64 count, the labels (strings; int64 labels as u64, LOW),
**   string: the probabilities variable, u64 0. */
static void put_classifier(struct wbuf *w, const struct classifier *c)
{
	archive_u64(w, 403);
	archive_u64(w, c->int_labels ? 101 : 100);
	archive_u64(w, c->nlabels);
	for (size_t i = 0; i < c->nlabels; i++) {
		if (c->int_labels)
			archive_u64(w, (uint64_t)c->int_values[i]);
		else
			archive_string(w, c->labels[i]);
	}
	archive_string(w, c->prob_var);
	archive_u64(w, 0);
}

/* The Model message of a MODEL_SPEC model, with the model's current
** description and versions, to the end of the file. */
static int put_spec(const struct emit_ctx *c, const struct model *m, struct wbuf *w)
{
	SpecModel spec = *m->spec;

	spec.description = m->desc;
	spec.specificationversion = m->spec_version;
	spec.isupdatable = m->is_updatable;
	return put_message(c, &spec.base, false, w);
}

int emit_coremldata(const struct emit_ctx *c, const struct model *m, struct wbuf *w)
{
	unsigned v[3];
	int rc;

	if (m->kind == MODEL_SPEC) {
		const char *variant = emit_compiled_version(m, v);
		archive_u32(w, m->type_field);
		archive_version(w, v[0], v[1], v[2], variant);
		archive_version(w, (uint64_t)m->spec_version, 0, 0, "");
		return put_spec(c, m, w);
	}
	if (m->kind == MODEL_ML_PROGRAM) {
		size_t f = m->desc->n_functions ? m->desc->n_functions : 1;
		const char *variant = emit_compiled_version(m, v);
		archive_u32(w, 502);
		archive_version(w, v[0], v[1], v[2], variant);
		archive_version(w, (uint64_t)m->spec_version, 0, 0, "");
		if ((rc = put_description(c, m, w)) != MLCC_OK)
			return rc;
		if (m->classifier.op) {
			put_classifier(w, &m->classifier);
			return MLCC_OK;
		}
		for (size_t i = 0; i < f; i++) {
			static const uint8_t zero[12];
			archive_u32(w, 502);
			wbuf_put(w, zero, sizeof zero);
		}
		return MLCC_OK;
	}
	char *variant = pipeline_variant(m);
	if (!variant)
		return diag_fail(c->diag, MLCC_E_NOMEM, "coremldata.bin: out of memory");
	emit_compiled_version(m, v);
	archive_u32(w, m->type_field);
	archive_version(w, v[0], v[1], v[2], variant);
	free(variant);
	archive_version(w, (uint64_t)m->spec_version, 0, 0, "");
	if ((rc = put_description(c, m, w)) != MLCC_OK)
		return rc;
	archive_u64(w, m->nchildren);
	archive_u32(w, m->type_field);
	archive_u32(w, 0);
	return MLCC_OK;
}

int emit_model_names(const struct emit_ctx *c, const struct model *m, struct wbuf *w)
{
	(void)c;
	archive_u64(w, m->nchild_names);
	for (size_t i = 0; i < m->nchild_names; i++)
		archive_string(w, m->child_names[i]);
	return MLCC_OK;
}
