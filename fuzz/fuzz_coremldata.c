/*
** fuzz_coremldata.c -- coremldata.bin bytes -> type, versions, description,
** trailers (cd_read.c).
** Oracles: a refusal is one line; an accepted description prints back
** (protobuf pack) to bytes that parse again and print identically.
*/
#include <string.h>

#include "bundle/bundle.h"
#include "fuzz.h"
#include "spec/spec_read.h"

/* 'm' packed into a malloc'd buffer ('*n' bytes). */
static uint8_t *pack(const ProtobufCMessage *m, size_t *n)
{
	uint8_t *buf;

	*n = protobuf_c_message_get_packed_size(m);
	buf = malloc(*n ? *n : 1);
	if (buf)
		protobuf_c_message_pack(m, buf);
	return buf;
}

static void check_description(struct arena *a, const ModelDescription *desc)
{
	struct spec_pb_alloc alloc;
	ModelDescription *again;
	size_t n1, n2;
	uint8_t *b1 = pack(&desc->base, &n1), *b2;

	if (!b1)
		return;
	spec_arena_allocator(a, &alloc);
	again = core_ml__specification__model_description__unpack(&alloc.pb, n1, b1);
	FUZZ_REQUIRE(again || alloc.failed, "packed description does not parse again");
	if (again && (b2 = pack(&again->base, &n2))) {
		FUZZ_REQUIRE(n1 == n2 && memcmp(b1, b2, n1) == 0,
			     "description prints differently after a round trip");
		free(b2);
	}
	free(b1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct cd_file cd;

	arena_init(&a);
	if (cd_parse(&a, "coremldata.bin", data, size, &cd, &d) == 0) {
		if (cd.desc)
			check_description(&a, cd.desc);
	} else {
		FUZZ_MESSAGE_OK(&d);
	}
	arena_free(&a);
	return 0;
}
