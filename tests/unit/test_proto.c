/*
** test_proto.c -- our Core ML schema: unknown fields survive a parse and
** serialize round trip, model types mlcc does not declare are recognised,
** and broken protobuf is refused.
*/
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "spec/spec_read.h"
#include "testkit.h"

int main(void)
{
	/* Model{specificationVersion 4, description{input{name "a",
	** <unknown field 99: varint 7>}, <unknown 77: bytes "zz">},
	** <unknown 500 (neuralNetwork): {0x08 0x01}>}, canonical: known
	** fields by number, unknown ones after them, as C++ protobuf and
	** protobuf-c both write. */
	unsigned char feat[] = {0x0a, 0x01, 'a', 0x98, 0x06, 0x07};
	unsigned char desc[64], model[128];
	size_t d = 0, n = 0;

	desc[d++] = 0x0a;
	desc[d++] = sizeof feat;
	memcpy(desc + d, feat, sizeof feat);
	d += sizeof feat;
	desc[d++] = 0xea; /* field 77, wire type 2: (77 << 3) | 2 = 618 */
	desc[d++] = 0x04;
	desc[d++] = 0x02;
	desc[d++] = 'z';
	desc[d++] = 'z';
	model[n++] = 0x08;
	model[n++] = 0x04;
	model[n++] = 0x12;
	model[n++] = (unsigned char)d;
	memcpy(model + n, desc, d);
	n += d;
	model[n++] = 0xa2; /* field 500, wire type 2: 4002 = 0xa2 0x1f */
	model[n++] = 0x1f;
	model[n++] = 0x02;
	model[n++] = 0x08;
	model[n++] = 0x01;

	CoreML__Specification__Model *pm = core_ml__specification__model__unpack(NULL, n, model);
	CHECK(pm != NULL);
	if (pm) {
		unsigned char out[128];
		size_t len = core_ml__specification__model__get_packed_size(pm);
		CHECK(len == n);
		core_ml__specification__model__pack(pm, out);
		CHECK(len == n && memcmp(out, model, n) == 0);
		CHECK(pm->description->n_input == 1 &&
		      strcmp(pm->description->input[0]->name, "a") == 0);
		core_ml__specification__model__free_unpacked(pm, NULL);
	}

	/* The reader recognises the undeclared model type by field number. */
	struct arena a;
	struct model *m = NULL;
	struct mlcc_diag dg = {0, ""};
	arena_init(&a);
	CHECK(spec_read_bytes(&a, "t", model, n, &m, &dg) == MLCC_OK);
	CHECK(m && m->kind == MODEL_OTHER && m->type_field == 500);

	/* A truncated message and garbage are refused with one line. */
	diag_clear(&dg);
	CHECK(spec_read_bytes(&a, "t.mlmodel", model, n - 3, &m, &dg) == MLCC_E_CORRUPT);
	CHECK(strcmp(dg.message, "t.mlmodel: not a Core ML model (protobuf decoding failed)") == 0);
	diag_clear(&dg);
	CHECK(spec_read_bytes(&a, "t.mlmodel", (const uint8_t *)"", 0, &m, &dg) == MLCC_E_CORRUPT);
	CHECK(strcmp(dg.message, "t.mlmodel: empty file, not a Core ML model") == 0);
	arena_free(&a);
	if (!tk_failures)
		printf("test_proto: unknown fields round-trip, undeclared types recognised\n");
	return tk_failures != 0;
}
