/*
** fuzz_spec.c -- a Core ML specification (protobuf) -> model -> the
** program checks, every emitter, and back through spec_write.
** Oracles:
**  - a refusal is one line of UTF-8;
**  - what reads and writes must read back, and write the same bytes again
**    (write(read(write(m))) == write(m));
**  - metadata.json, as emitted, is valid JSON (jansson parses it: valid
**    UTF-8, nothing unescaped);
**  - coremldata.bin, as emitted, is read back by cd_parse.
*/
#include <string.h>

#include <jansson.h>

#include "model/classifier.h"
#include "bundle/bundle.h"
#include "mil/mil.h"
#include "fuzz.h"
#include "spec/spec_read.h"
#include "spec/spec_write.h"
#include "model/stamp.h"
#include "mil/validate.h"
#include "ops/ops.h"

static void check_metadata(struct emit_ctx *c)
{
	struct wbuf w;
	json_t *j;

	wbuf_init(&w);
	if (emit_metadata(c, &w) == 0 && !wbuf_error(&w)) {
		j = json_loadb((const char *)w.data, w.len, 0, NULL);
		FUZZ_REQUIRE(j, "emitted metadata.json is not valid JSON");
		json_decref(j);
	}
	wbuf_free(&w);
}

static void check_coremldata(struct emit_ctx *c, struct model *m)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct cd_file cd;
	struct wbuf w;

	wbuf_init(&w);
	arena_init(&a);
	if (emit_coremldata(c, m, &w) == 0 && !wbuf_error(&w))
		FUZZ_REQUIRE(cd_parse(&a, "emitted", w.data, w.len, &cd, &d) == 0, d.message);
	arena_free(&a);
	wbuf_free(&w);
}

static void emit_all(struct model *m)
{
	struct mlcc_diag d = {0, ""};
	struct stamp st;
	struct emit_ctx c;
	struct wbuf w;

	memset(&c, 0, sizeof c);
	if (stamp_init(&st, NULL, NULL, &d))
		return;
	c.model = m;
	c.stamp = &st;
	c.stem = "fuzz";
	c.spec_name = "model";
	c.diag = &d;
	if (m->kind == MODEL_ML_PROGRAM && classifier_lower(m, &d) == 0) {
		wbuf_init(&w);
		fuzz_any(mil_print(m, &st, &w, &d));
		wbuf_free(&w);
	}
	if (m->kind == MODEL_ML_PROGRAM || m->nchildren) {
		check_coremldata(&c, m);
		check_metadata(&c);
	}
}

/* write(read(bytes)) reads back and writes the same bytes again. */
static void check_rewrite(struct arena *a, struct model *m)
{
	struct mlcc_diag d = {0, ""};
	struct model *again = NULL;
	uint8_t *b1, *b2;
	size_t n1, n2;

	if (m->kind == MODEL_OTHER || spec_write(m, a, &b1, &n1, &d) != 0)
		return;
	FUZZ_REQUIRE(spec_read_bytes(a, "again", b1, n1, &again, &d) == 0, d.message);
	FUZZ_REQUIRE(spec_write(again, a, &b2, &n2, &d) == 0, d.message);
	FUZZ_REQUIRE(n1 == n2 && memcmp(b1, b2, n1) == 0, "written spec writes differently");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct model *m = NULL;

	arena_init(&a);
	if (spec_read_bytes(&a, "fuzz", data, size, &m, &d) == 0) {
		check_rewrite(&a, m);
		if (validate_model(m, "fuzz", &d) != 0)
			FUZZ_MESSAGE_OK(&d);
		else if (ops_check(m, "fuzz", NULL, NULL, NULL, &d) != 0)
			FUZZ_MESSAGE_OK(&d);
		emit_all(m);
	} else {
		FUZZ_MESSAGE_OK(&d);
	}
	arena_free(&a);
	return 0;
}
