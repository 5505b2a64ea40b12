/*
** fuzz_spec.c -- a Core ML specification (protobuf) -> model -> the
** program checks, every emitter, and back through spec_write.  Any
** readable model must print without crashing; writing it must give bytes
** that read back.
*/
#include <string.h>

#include "model/classifier.h"
#include "bundle/bundle.h"
#include "mil/mil.h"
#include "fuzz.h"
#include "spec/spec_read.h"
#include "spec/spec_write.h"
#include "model/stamp.h"
#include "mil/validate.h"
#include "ops/ops.h"

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
		wbuf_init(&w);
		fuzz_any(emit_coremldata(&c, m, &w));
		wbuf_free(&w);
		wbuf_init(&w);
		fuzz_any(emit_metadata(&c, &w));
		wbuf_free(&w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct model *m = NULL, *again = NULL;
	uint8_t *bytes;
	size_t len;

	arena_init(&a);
	if (spec_read_bytes(&a, "fuzz", data, size, &m, &d) == 0) {
		/* Whatever reads and writes must read back. */
		if (m->kind != MODEL_OTHER && spec_write(m, &a, &bytes, &len, &d) == 0)
			FUZZ_REQUIRE(spec_read_bytes(&a, "again", bytes, len, &again, &d) == 0,
				     d.message);
		if (validate_model(m, "fuzz", &d) == 0)
			fuzz_any(ops_check(m, "fuzz", NULL, NULL, NULL, &d));
		emit_all(m);
	}
	arena_free(&a);
	return 0;
}
