/*
** test_coremldata.c -- coremldata.bin: archive primitives, the compiled
** version table and the re-serialized description.
**
** The reference is worked example A of docs/spec/mlmodelc.md §2.2 (175 bytes,
** VERIFIED there by SHA-256 against Apple's coremlc 3600.25.1 output): a
** spec-9 ML program with one range-flexible input and output and no
** Metadata in the source.  The description is also fed in non-canonical
** form (fields out of order, shape not packed) to check it is re-serialized
** canonically, as Apple's C++ protobuf does.
*/
#include <stdio.h>
#include <string.h>

#include "bundle/archive.h"
#include "bundle/bundle.h"
#include "spec/spec_read.h"
#include "testkit.h"

static const unsigned char example_a[175] = {
	0xf6, 0x01, 0x00, 0x00, 0x09, 0,    0,	  0,	0,    0,    0,	  0,	0,    0,    0,
	0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0x07, 0,
	0,    0,    0,	  0,	0,    0,    'g',  'e',	'n',  'e',  'r',  'i',	'c',  0x09, 0,
	0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,    0,
	0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,    0,
	0x4c, 0,    0,	  0,	0,    0,    0,	  0,	0x0a, 0x22, 0x0a, 0x05, 'i',  'n',  'p',
	'u',  't',  0x1a, 0x19, 0x2a, 0x17, 0x0a, 0x02, 0x01, 0x04, 0x10, 0xa0, 0x80, 0x04, 0xfa,
	0x01, 0x0c, 0x0a, 0x04, 0x08, 0x01, 0x10, 0x04, 0x0a, 0x04, 0x08, 0x04, 0x10, 0x04, 0x52,
	0x23, 0x0a, 0x06, 'o',	'u',  't',  'p',  'u',	't',  0x1a, 0x19, 0x2a, 0x17, 0x0a, 0x02,
	0x01, 0x04, 0x10, 0xa0, 0x80, 0x04, 0xfa, 0x01, 0x0c, 0x0a, 0x04, 0x08, 0x01, 0x10, 0x04,
	0x0a, 0x04, 0x08, 0x04, 0x10, 0x04, 0xa2, 0x06, 0x00, 0xf6, 0x01, 0,	0,    0,    0,
	0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0,
};

/* The same ModelDescription as Model field 2, in NON-canonical form: the
** output before the input, the shape unpacked, dataType before shape. */
/* clang-format off */
static const unsigned char feature_noncanon[] = {
	/* FeatureType{multiArrayType{dataType FLOAT32, shape 1, shape 4,
	** shapeRange{[1,4],[4,4]}}} */
	0x1a, 0x19, 0x2a, 0x17, 0x10, 0xa0, 0x80, 0x04, 0x08, 0x01, 0x08, 0x04,
	0xfa, 0x01, 0x0c, 0x0a, 0x04, 0x08, 0x01, 0x10, 0x04, 0x0a, 0x04, 0x08,
	0x04, 0x10, 0x04,
};
/* clang-format on */

static size_t build_model(unsigned char *buf)
{
	unsigned char desc[128];
	size_t d = 0, n = 0;

	/* output (field 10) first, then input (field 1) */
	desc[d++] = 0x52;
	desc[d++] = (unsigned char)(2 + 6 + sizeof feature_noncanon);
	desc[d++] = 0x0a;
	desc[d++] = 6;
	memcpy(desc + d, "output", 6);
	d += 6;
	memcpy(desc + d, feature_noncanon, sizeof feature_noncanon);
	d += sizeof feature_noncanon;
	desc[d++] = 0x0a;
	desc[d++] = (unsigned char)(2 + 5 + sizeof feature_noncanon);
	desc[d++] = 0x0a;
	desc[d++] = 5;
	memcpy(desc + d, "input", 5);
	d += 5;
	memcpy(desc + d, feature_noncanon, sizeof feature_noncanon);
	d += sizeof feature_noncanon;
	buf[n++] = 0x08; /* specificationVersion 9 */
	buf[n++] = 9;
	buf[n++] = 0x12; /* description */
	buf[n++] = (unsigned char)d;
	memcpy(buf + n, desc, d);
	n += d;
	/* mlProgram (502): Program{version 1, functions{"main":
	** Function{opset "CoreML7", block_specializations{"CoreML7": {}}}}} */
	/* clang-format off */
	static const unsigned char prog[] = {
		0xb2, 0x1f, 0x25, 0x08, 0x01, 0x12, 0x21, 0x0a, 0x04, 'm', 'a',
		'i', 'n', 0x12, 0x19, 0x12, 0x07, 'C', 'o', 'r', 'e', 'M', 'L',
		'7', 0x1a, 0x0e, 0x0a, 0x07, 'C', 'o', 'r', 'e', 'M', 'L', '7',
		0x12, 0x03, 0x12, 0x01, 'x',
	};
	/* clang-format on */
	memcpy(buf + n, prog, sizeof prog);
	return n + sizeof prog;
}

int main(void)
{
	unsigned char spec[512];
	size_t len = build_model(spec);
	struct arena a;
	struct model *m = NULL;
	struct mlcc_diag d = {0, ""};
	struct stamp st;
	struct emit_ctx c;
	struct wbuf w;

	arena_init(&a);
	CHECK(spec_read_bytes(&a, "example-a", spec, len, &m, &d) == MLCC_OK);
	if (!m) {
		fprintf(stderr, "%s\n", d.message);
		return 1;
	}
	CHECK(stamp_init(&st, "3600.25.1", NULL, &d) == MLCC_OK);
	memset(&c, 0, sizeof c);
	c.model = m;
	c.stamp = &st;
	c.diag = &d;
	wbuf_init(&w);
	CHECK(emit_coremldata(&c, m, &w) == MLCC_OK);
	CHECK(w.len == sizeof example_a);
	for (size_t i = 0; i < w.len && i < sizeof example_a; i++)
		if (w.data[i] != example_a[i]) {
			fprintf(stderr, "byte %zu: got %02x want %02x\n", i, w.data[i],
				example_a[i]);
			tk_failures++;
			break;
		}
	wbuf_free(&w);

	/* The era before buildInfo forces no Metadata in (corpus guru-swift-sdk,
	** 189 bytes): example A without "a2 06 00", the length 0x4c - 3. */
	struct stamp old;
	CHECK(stamp_init(&old, "pre-buildinfo", NULL, &d) == MLCC_OK);
	c.stamp = &old;
	wbuf_init(&w);
	CHECK(emit_coremldata(&c, m, &w) == MLCC_OK);
	CHECK(w.len == sizeof example_a - 3 && w.data[75] == 0x4c - 3);
	/* header, description up to its Metadata, then the trailer */
	CHECK(memcmp(w.data, example_a, 75) == 0 &&
	      memcmp(w.data + 76, example_a + 76, 156 - 76) == 0 &&
	      memcmp(w.data + 156, example_a + 159, 16) == 0);
	wbuf_free(&w);
	c.stamp = &st;

	/* ML-program classifier tail (corpus mil-text/emo-swift-6715a041-Emo at
	** offset 705: "93 01 00 00 00 00 00 00 64 00 ..."): u64 403, u64 100,
	** u64 count, the labels, the probabilities variable, u64 0. */
	static const char *const labels[] = {"a", "bc"};
	static const unsigned char tail[] = {
		0x93, 0x01, 0,	 0, 0, 0, 0, 0, 100, 0, 0, 0,	0,   0, 0, 0, 2, 0, 0, 0,
		0,    0,    0,	 0, 1, 0, 0, 0, 0,   0, 0, 0,	'a', 2, 0, 0, 0, 0, 0, 0,
		0,    'b',  'c', 1, 0, 0, 0, 0, 0,   0, 0, 'p', 0,   0, 0, 0, 0, 0, 0, 0};
	struct op fake = {0};
	m->spec_version = 9;
	m->classifier.op = &fake;
	m->classifier.nlabels = 2;
	m->classifier.labels = labels;
	m->classifier.prob_var = "p";
	wbuf_init(&w);
	CHECK(emit_coremldata(&c, m, &w) == MLCC_OK);
	CHECK(w.len == sizeof example_a - 16 + sizeof tail);
	CHECK(w.len >= sizeof tail && memcmp(w.data + w.len - sizeof tail, tail, sizeof tail) == 0);
	struct cd_file cd;
	CHECK(cd_parse(&a, "tail", w.data, w.len, &cd, &d) == MLCC_OK);
	CHECK(cd.classifier && cd.nlabels == 2 && !cd.int_labels &&
	      strcmp(cd.labels[1], "bc") == 0 && strcmp(cd.prob_var, "p") == 0 &&
	      cd.ntrailers == 0);
	/* The old 4-byte tag is no layout: the reader refuses it. */
	w.data[w.len - sizeof tail + 4] = 100;
	memmove(w.data + w.len - sizeof tail + 4, w.data + w.len - sizeof tail + 8,
		sizeof tail - 8);
	CHECK(cd_parse(&a, "tail", w.data, w.len - 4, &cd, &d) != MLCC_OK);
	wbuf_free(&w);
	m->classifier.op = NULL;

	/* Compiled-version table (§2.3) and the trailer count. */
	unsigned v[3];
	m->spec_version = 7;
	emit_compiled_version(m, v);
	CHECK(v[0] == 5 && v[1] == 0 && v[2] == 0);
	m->spec_version = 8;
	emit_compiled_version(m, v);
	CHECK(v[0] == 8);
	m->spec_version = 10;
	emit_compiled_version(m, v);
	CHECK(v[0] == 9);

	/* Archive strings are u64 length + bytes. */
	wbuf_init(&w);
	archive_string(&w, "generic");
	CHECK(w.len == 15 && w.data[0] == 7 && memcmp(w.data + 8, "generic", 7) == 0);
	wbuf_free(&w);
	arena_free(&a);
	if (!tk_failures)
		printf("test_coremldata: worked example A reproduced (175 bytes)\n");
	return tk_failures != 0;
}
