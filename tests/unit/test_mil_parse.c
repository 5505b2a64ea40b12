/*
** test_mil_parse.c -- the model.mil parser: round trips, exact hex floats,
** error messages and the synthesized description.
**
**  - round trips: hand-written programs in the printer's exact layout, one
**    for every construct (every dtype at its extremes, every type, nested
**    blocks, ops without outputs, multi-binding lists, escapes, blobs,
**    dict/tuple/list literals, function and program attributes, several
**    functions, no buildInfo line) parse and print back byte for byte;
**    alternative spellings print canonically;
**  - hex floats: every fp16/bf16/fp8 pattern and a sample of fp32/fp64
**    patterns printed then parsed give the same bits (NaN: the canonical
**    one); edge values and refusals spelled out;
**  - errors: truncated and malformed texts give their exact one-line
**    message with line and column;
**  - mil_describe: features, flexibility from FlexibleShapeInformation, and
**    printing the described model reproduces the original text.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"
#include "mil/flexshape.h"
#include "base/hexfloat.h"
#include "mil/mil.h"
#include "testkit.h"

#define BI10                                                                                       \
	"[buildInfo = dict<tensor<string, []>, tensor<string, []>>("                               \
	"{{\"coremlc-component-MIL\", \"3500.14.1\"}, {\"coremlc-version\", \"3500.32.1\"}})]\n"
#define BI13                                                                                       \
	"[buildInfo = dict<string, string>("                                                       \
	"{{\"coremlc-component-MIL\", \"3600.16.1\"}, {\"coremlc-version\", \"3600.25.1\"}})]\n"
#define H10 "program(1.0)\n" BI10 "{\n"
#define H13 "program(1.3)\n" BI13 "{\n"

/* ---- helpers ------------------------------------------------------------ */

/* Parse 'text' from an exactly sized, NOT NUL-terminated copy (so that a
** read past the end shows under ASan).  Returns the status. */
static int parse(struct arena *a, const char *text, struct model **m, struct mil_info *info,
		 struct mlcc_diag *d)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, text, len);
	rc = mil_parse(a, "m.mil", copy, len, m, info, d);
	free(copy);
	return rc;
}

/* Print 'm' as mil_print does for a bundle stamped like 'info' says. */
static char *print(struct model *m, const struct mil_info *info)
{
	struct mlcc_diag d = {0, ""};
	struct stamp st;
	struct wbuf w;

	if (stamp_init_any(&st, info->coremlc_version, info->coremlc_mil, &d))
		return NULL;
	m->spec_version = strcmp(info->dialect, "1.3") == 0 ? 9 : 7;
	struct emit_ctx c = {.model = m, .stamp = &st, .diag = &d};
	wbuf_init(&w);
	if (mil_print(c.model, c.stamp, &w, c.diag)) {
		fprintf(stderr, "emit: %s\n", d.message);
		wbuf_free(&w);
		return NULL;
	}
	wbuf_putc(&w, '\0');
	return (char *)w.data;
}

/* 'text' parses and prints as 'want' (NULL: as itself). */
static void expect_print(const char *text, const char *want, int line)
{
	struct mlcc_diag d = {0, ""};
	struct mil_info info;
	struct arena a;
	struct model *m;
	char *got = NULL;

	arena_init(&a);
	if (parse(&a, text, &m, &info, &d)) {
		fprintf(stderr, "line %d: parse failed: %s\n", line, d.message);
		tk_failures++;
	} else if (!(got = print(m, &info)) || strcmp(got, want ? want : text)) {
		fprintf(stderr, "line %d: printed differently:\n--- got\n%s\n--- want\n%s\n", line,
			got ? got : "(null)", want ? want : text);
		tk_failures++;
	}
	free(got);
	arena_free(&a);
}

#define ROUND_TRIP(text) expect_print(text, NULL, __LINE__)

/* 'text' fails with exactly 'want'. */
static void expect_error(const char *text, const char *want, int line)
{
	struct mlcc_diag d = {0, ""};
	struct mil_info info;
	struct arena a;
	struct model *m;

	arena_init(&a);
	if (parse(&a, text, &m, &info, &d) != MLCC_E_CORRUPT || strcmp(d.message, want) != 0) {
		fprintf(stderr, "line %d: message\n  got  %s\n  want %s\n", line, d.message, want);
		tk_failures++;
	}
	arena_free(&a);
}

#define ERROR(text, want) expect_error(text, want, __LINE__)

/* The first op of the first function's body. */
static const struct op *first_op(const struct model *m, size_t i)
{
	return &m->program->funcs[0].body.ops[i];
}

static const struct mvalue *val_of(const struct op *op)
{
	return model_attr(op->attrs, op->nattrs, "val");
}

/* ---- round trips -------------------------------------------------------- */

/* Every dtype, scalars (1.3 spelling) and tensors at their extremes. */
static const char dtypes13[] = H13
	"    func main<ios18>(tensor<fp32, [1]> x) {\n"
	"            bool b = const()[val = bool(true)];\n"
	"            string s = const()[val = string(\"q\\\"b\\\\s\\n\\t\\r\\x01\\x7f \xc3\xa9\")];\n"
	"            fp16 h = const()[val = fp16(-0x1.ffcp+15)];\n"
	"            uint64 u = const()[val = uint64(18446744073709551615)];\n"
	"            int64 i = const()[val = int64(-9223372036854775808)];\n"
	"            tensor<bool, [2]> v0 = const()[val = tensor<bool, [2]>([true, false])];\n"
	"            tensor<string, [2]> v1 = const()[val = tensor<string, [2]>([\"\", \"x\"])];\n"
	"            tensor<fp16, [5]> v2 = const()[val = tensor<fp16, [5]>([0x1p-24, -0x1.ffcp+15, inf, nan, -0x0p+0])];\n"
	"            tensor<fp32, [2, 2]> v3 = const()[val = tensor<fp32, [2, 2]>([[0x1p-149, -0x0p+0], [0x1.fffffep+127, -inf]])];\n"
	"            tensor<fp64, [3]> v4 = const()[val = tensor<fp64, [3]>([0x1p-1074, 0x1.fffffffffffffp+1023, 0x1.0000000000001p+0])];\n"
	"            tensor<bf16, [3]> v5 = const()[val = tensor<bf16, [3]>([0x1p-133, 0x1.fep+127, -0x1.4p+1])];\n"
	"            tensor<fp8e4m3fn, [3]> v6 = const()[val = tensor<fp8e4m3fn, [3]>([0x1p-9, 0x1.cp+8, nan])];\n"
	"            tensor<fp8e5m2, [4]> v7 = const()[val = tensor<fp8e5m2, [4]>([0x1p-16, 0x1.cp+15, -inf, nan])];\n"
	"            tensor<int4, [2]> v8 = const()[val = tensor<int4, [2]>([-8, 7])];\n"
	"            tensor<int8, [2]> v9 = const()[val = tensor<int8, [2]>([-128, 127])];\n"
	"            tensor<int16, [2]> v10 = const()[val = tensor<int16, [2]>([-32768, 32767])];\n"
	"            tensor<int32, [2]> v11 = const()[val = tensor<int32, [2]>([-2147483648, 2147483647])];\n"
	"            tensor<int64, [2]> v12 = const()[val = tensor<int64, [2]>([-9223372036854775808, 9223372036854775807])];\n"
	"            tensor<uint1, [2]> v13 = const()[val = tensor<uint1, [2]>([0, 1])];\n"
	"            tensor<uint2, [2]> v14 = const()[val = tensor<uint2, [2]>([0, 3])];\n"
	"            tensor<uint3, [2]> v15 = const()[val = tensor<uint3, [2]>([0, 7])];\n"
	"            tensor<uint4, [2]> v16 = const()[val = tensor<uint4, [2]>([0, 15])];\n"
	"            tensor<uint6, [2]> v17 = const()[val = tensor<uint6, [2]>([0, 63])];\n"
	"            tensor<uint8, [2]> v18 = const()[val = tensor<uint8, [2]>([0, 255])];\n"
	"            tensor<uint16, [2]> v19 = const()[val = tensor<uint16, [2]>([0, 65535])];\n"
	"            tensor<uint32, [2]> v20 = const()[val = tensor<uint32, [2]>([0, 4294967295])];\n"
	"            tensor<uint64, [2]> v21 = const()[val = tensor<uint64, [2]>([0, 18446744073709551615])];\n"
	"        } -> (x);\n"
	"}";

/* Types, values, statements and blocks in the 1.0 dialect. */
static const char structures10[] =
	"program(1.0)\n"
	"[buildInfo = dict<tensor<string, []>, tensor<string, []>>({{\"coremlc-component-MIL\", \"3500.14.1\"}, "
	"{\"coremlc-version\", \"3500.32.1\"}, {\"coremltools-version\", \"8.0\"}}), "
	"zeta = tensor<int32, []>(1)]\n"
	"{\n"
	"    func alpha<ios15>(tensor<fp32, [?, 3]> a, tensor<int32, [*]> b, state<tensor<fp16, [2, 2]>> s) [custom = tensor<string, []>(\"x\")] {\n"
	"            tensor<fp32, [*]> u = const()[val = tensor<fp32, [*]>(0x1p+0)];\n"
	"            tensor<fp32, [*]> u2 = const()[val = tensor<fp32, [*]>([0x1p+0, 0x1p+1])];\n"
	"            tensor<int32, [?]> flat = const()[val = tensor<int32, [?]>([1, 2, 3])];\n"
	"            tensor<int32, [?, 2]> flat2 = const()[val = tensor<int32, [?, 2]>([1, 2, 3, 4])];\n"
	"            tensor<int32, [0]> empty = const()[val = tensor<int32, [0]>([])];\n"
	"            tensor<int32, [2, 0]> empty2 = const()[val = tensor<int32, [2, 0]>([[], []])];\n"
	"            tensor<int32, [2, 1, 2]> cube = const()[val = tensor<int32, [2, 1, 2]>([[[1, 2]], [[3, 4]]])];\n"
	"            list<tensor<int32, [2]>, ?> l = const()[val = list<tensor<int32, [2]>, ?>([[1, 2], [3, 4]])];\n"
	"            list<tensor<fp32, [?]>, 2> l2 = const()[val = list<tensor<fp32, [?]>, 2>([[], [0x1p+0]])];\n"
	"            tuple<tensor<int32, []>, tensor<string, []>> t = const()[val = tuple<tensor<int32, []>, tensor<string, []>>((1, \"a\"))];\n"
	"            tuple<> t0 = const()[val = tuple<>(())];\n"
	"            dict<tensor<string, []>, tensor<fp32, [?]>> dd = const()[val = dict<tensor<string, []>, tensor<fp32, [?]>>({{\"a\", [0x1p+0]}, {\"b\", []}})];\n"
	"            dict<tensor<int32, []>, list<tensor<bool, []>, ?>> di = const()[val = dict<tensor<int32, []>, list<tensor<bool, []>, ?>>({{2, [true]}, {1, []}})];\n"
	"            tensor<fp32, [4]> w = const()[val = tensor<fp32, [4]>(BLOBFILE(path = tensor<string, []>(\"@model_path/weights/weight.bin\"), offset = tensor<uint64, []>(64)))];\n"
	"            tensor<fp32, [?, 3]> c, tensor<int32, [1]> d = split(num = tensor<int32, []>(2), values = (a, tensor<fp32, [1]>([0x1p+0]), a), x = a)[name = tensor<string, []>(\"split_0\")];\n"
	"            write_state(data = a, input = s);\n"
	"            tensor<bool, []> p = const()[val = tensor<bool, []>(true)];\n"
	"            tensor<fp32, [?, 3]> r = cond(pred = p) {\n"
	"                block0() {\n"
	"                    tensor<fp32, [?, 3]> r0 = relu(x = a);\n"
	"                } -> (r0);\n"
	"                block1()[note = tensor<int32, []>(1)] {\n"
	"                    tensor<fp32, [?, 3]> r1 = cond(pred = p) {\n"
	"                        block0() {\n"
	"                        } -> (a);\n"
	"                        block1() {\n"
	"                        } -> (a);\n"
	"                    };\n"
	"                } -> (r1);\n"
	"            };\n"
	"            tensor<int32, []> i, tensor<fp32, [?, 3]> v = while_loop(loop_vars = (tensor<int32, []>(0), a))[name = tensor<string, []>(\"loop\")] {\n"
	"                block0(tensor<int32, []> i_x, tensor<fp32, [?, 3]> v_x) {\n"
	"                    tensor<bool, []> k = less(x = i_x, y = tensor<int32, []>(3));\n"
	"                } -> (k);\n"
	"                block1(tensor<int32, []> i_y, tensor<fp32, [?, 3]> v_y) {\n"
	"                    tensor<int32, []> i_z = add(x = i_y, y = tensor<int32, []>(1));\n"
	"                } -> (i_z, v_y);\n"
	"            };\n"
	"        } -> (c, d);\n"
	"    func beta<ios16>() {\n"
	"        } -> ();\n"
	"    func gamma<ios17>(tensor<fp32, [?]> in) [FlexibleShapeInformation = tuple<tuple<tensor<string, []>, dict<tensor<string, []>, tensor<int32, [?]>>>, "
	"tuple<tensor<string, []>, dict<tensor<string, []>, list<tensor<int32, [2]>, ?>>>>(((\"DefaultShapes\", {{\"in\", [4]}}), "
	"(\"RangeDims\", {{\"in\", [[1, -1]]}})))] {\n"
	"            tensor<fp32, [?]> o = relu(x = in)[name = tensor<string, []>(\"o\")];\n"
	"        } -> (o);\n"
	"    func z_iOS18<ios18>(tensor<fp16, [1]> q) {\n"
	"        } -> (q);\n"
	"    func z_iOS26<ios26>(tensor<fp16, [1]> q) {\n"
	"        } -> (q);\n"
	"}";

/* No buildInfo at all (compilers older than buildInfo). */
static const char no_build_info[] =
	"program(1.0) {\n"
	"    func main<ios15>(tensor<fp32, [1]> x) {\n"
	"            tensor<fp32, [1]> y = relu(x = x)[name = tensor<string, []>(\"y\")];\n"
	"        } -> (y);\n"
	"}";

/* Stored data follows model.h's invariants. */
static void check_data(void)
{
	struct mlcc_diag d = {0, ""};
	struct mil_info info;
	struct arena a;
	struct model *m;

	arena_init(&a);
	if (parse(&a, dtypes13, &m, &info, &d)) {
		fprintf(stderr, "check_data: %s\n", d.message);
		tk_failures++;
		arena_free(&a);
		return;
	}
	CHECK(strcmp(info.dialect, "1.3") == 0 && info.has_build_info);
	CHECK(strcmp(info.coremlc_version, "3600.25.1") == 0);
	CHECK(strcmp(info.coremlc_mil, "3600.16.1") == 0);
	CHECK(m->program->nattrs == 0); /* buildInfo had only compiler entries */
	CHECK(m->spec_version == 0 && m->desc && m->desc->n_input == 0);
	CHECK(strcmp(m->program->funcs[0].opset, "CoreML8") == 0);
	CHECK(m->program->funcs[0].ios == 18);
	CHECK(strcmp(model_value_string(val_of(first_op(m, 1))),
		     "q\"b\\s\n\t\r\x01\x7f \xc3\xa9") == 0);
	const uint16_t *h = val_of(first_op(m, 7))->data;
	CHECK(h[0] == 0x0001 && h[1] == 0xfbff && h[2] == 0x7c00 && h[3] == 0x7e00 &&
	      h[4] == 0x8000);
	const struct mvalue *v3 = val_of(first_op(m, 8));
	CHECK(v3->count == 4 && ((const uint32_t *)v3->data)[2] == 0x7f7fffff);
	const uint8_t *e4 = val_of(first_op(m, 11))->data;
	CHECK(e4[0] == 0x01 && e4[1] == 0x7e && e4[2] == 0x7f);
	const int8_t *i4 = val_of(first_op(m, 13))->data;
	CHECK(i4[0] == -8 && i4[1] == 7);
	const int64_t *i64 = val_of(first_op(m, 17))->data;
	CHECK(i64[0] == INT64_MIN && i64[1] == INT64_MAX);
	const uint64_t *u64 = val_of(first_op(m, 26))->data;
	CHECK(u64[1] == UINT64_MAX);
	arena_free(&a);

	arena_init(&a);
	d = (struct mlcc_diag){0, ""};
	if (parse(&a, structures10, &m, &info, &d) == 0) {
		const struct mvalue *bi =
			model_attr(m->program->attrs, m->program->nattrs, "buildInfo");
		CHECK(bi && bi->count == 1); /* coremltools-version only */
		const struct op *sp = first_op(m, 14);
		CHECK(sp->noutputs == 2 && sp->ninputs == 3);
		CHECK(sp->inputs[1].n == 3 && sp->inputs[1].b[0].name && sp->inputs[1].b[1].value &&
		      !sp->inputs[1].b[1].name);
		CHECK(first_op(m, 15)->noutputs == 0);
		const struct mvalue *w = val_of(first_op(m, 13));
		CHECK(w->kind == VAL_BLOB && w->blob_offset == 64 &&
		      strcmp(w->blob_file, "@model_path/weights/weight.bin") == 0);
		CHECK(first_op(m, 17)->nblocks == 2);
		CHECK(first_op(m, 18)->blocks[1].ninputs == 2);
		CHECK(m->program->funcs[0].inputs[2].type->kind == TY_STATE);
		CHECK(m->program->funcs[0].inputs[1].type->rank == -1);
		CHECK(val_of(first_op(m, 1))->count == 2); /* [*] from literal */
		CHECK(m->program->funcs[4].ios == 26 &&
		      strcmp(m->program->funcs[4].opset, "CoreML9") == 0);
	} else {
		fprintf(stderr, "check_data: %s\n", d.message);
		tk_failures++;
	}
	arena_free(&a);

	arena_init(&a);
	d = (struct mlcc_diag){0, ""};
	CHECK(parse(&a, no_build_info, &m, &info, &d) == 0);
	CHECK(!info.has_build_info && info.coremlc_version[0] == '\0' &&
	      info.coremlc_mil[0] == '\0' && strcmp(info.dialect, "1.0") == 0);
	arena_free(&a);
}

static void round_trips(void)
{
	ROUND_TRIP(dtypes13);
	ROUND_TRIP(structures10);
	ROUND_TRIP(no_build_info);
	/* Several functions print sorted; buildInfo keys sorted; other
	** program attributes around it. */
	ROUND_TRIP(
		"program(1.3)\n"
		"[Alpha = int32(1), buildInfo = dict<string, string>({{\"coremlc-component-MIL\", \"9.9.9\"}, "
		"{\"coremlc-version\", \"1436.100.10\"}, {\"mldata\", \"v\"}}), zz = list<string, 2>([\"a\", \"b\"])]\n"
		"{\n"
		"    func a<ios17>(fp32 x) {\n"
		"            fp32 y = mul(x = x, y = fp32(0x1.8p+1));\n"
		"        } -> (y);\n"
		"    func b<ios17>(int32 x) {\n"
		"        } -> (x);\n"
		"}");
	/* Either rank-0 spelling in either dialect; free whitespace. */
	expect_print(H13 "    func main<ios17>(tensor<int32, []> x) {\n"
			 "        tensor<int32, []>   y =add( x=x ,y=tensor<int32, []>(1) ) ;\n"
			 "\t} -> ( y ) ;\n"
			 "}\n\n",
		     H13 "    func main<ios17>(int32 x) {\n"
			 "            int32 y = add(x = x, y = int32(1));\n"
			 "        } -> (y);\n"
			 "}",
		     __LINE__);
	expect_print(H10 "    func main<ios16>(int32 x) {\n"
			 "            int32 y = add(x = x, y = int32(-0));\n"
			 "        } -> (y);\n"
			 "}",
		     H10 "    func main<ios16>(tensor<int32, []> x) {\n"
			 "            tensor<int32, []> y = add(x = x, y = tensor<int32, []>(0));\n"
			 "        } -> (y);\n"
			 "}",
		     __LINE__);
	/* Non-canonical hex floats print minimal. */
	expect_print(
		H13
		"    func main<ios17>(fp32 x) {\n"
		"            tensor<fp32, [3]> y = const()[val = tensor<fp32, [3]>([0x10p-4, 0x0.8p+1, 0X1.80P-1])];\n"
		"        } -> (x);\n"
		"}",
		H13
		"    func main<ios17>(fp32 x) {\n"
		"            tensor<fp32, [3]> y = const()[val = tensor<fp32, [3]>([0x1p+0, 0x1p+0, 0x1.8p-1])];\n"
		"        } -> (x);\n"
		"}",
		__LINE__);
}

/* ---- hex floats --------------------------------------------------------- */

typedef size_t (*print_fn)(char *, uint64_t);

static size_t p16(char *o, uint64_t b)
{
	return hexfloat_fp16(o, (uint16_t)b);
}
static size_t pbf(char *o, uint64_t b)
{
	return hexfloat_bf16(o, (uint16_t)b);
}
static size_t p32(char *o, uint64_t b)
{
	return hexfloat_fp32(o, (uint32_t)b);
}
static size_t p64(char *o, uint64_t b)
{
	return hexfloat_fp64(o, b);
}
static size_t pe4(char *o, uint64_t b)
{
	return hexfloat_fp8e4m3fn(o, (uint8_t)b);
}
static size_t pe5(char *o, uint64_t b)
{
	return hexfloat_fp8e5m2(o, (uint8_t)b);
}

/* Parse 's' as type 'k' (0 fp16, 1 bf16, 2 fp32, 3 fp64, 4 e4m3fn,
** 5 e5m2) into '*bits'. */
static int parse_as(int k, const char *s, uint64_t *bits)
{
	size_t n = strlen(s);
	uint16_t h = 0;
	uint32_t f = 0;
	uint8_t e = 0;
	int rc;

	switch (k) {
	case 0:
		rc = hexfloat_parse_fp16(s, n, &h);
		*bits = h;
		return rc;
	case 1:
		rc = hexfloat_parse_bf16(s, n, &h);
		*bits = h;
		return rc;
	case 2:
		rc = hexfloat_parse_fp32(s, n, &f);
		*bits = f;
		return rc;
	case 3: return hexfloat_parse_fp64(s, n, bits);
	case 4:
		rc = hexfloat_parse_fp8e4m3fn(s, n, &e);
		*bits = e;
		return rc;
	default:
		rc = hexfloat_parse_fp8e5m2(s, n, &e);
		*bits = e;
		return rc;
	}
}

/* print(bits) parsed back gives bits (NaN: canonical 'nan_bits'). */
static void print_parse(int k, print_fn pr, uint64_t bits, uint64_t nan_bits)
{
	char buf[HEXFLOAT_MAX + 1];
	uint64_t back = 0;

	pr(buf, bits);
	if (parse_as(k, buf, &back) != HEXFLOAT_OK ||
	    back != (strcmp(buf, "nan") == 0 ? nan_bits : bits)) {
		if (tk_failures++ < 20)
			fprintf(stderr, "type %d: 0x%llx -> %s -> 0x%llx\n", k,
				(unsigned long long)bits, buf, (unsigned long long)back);
	}
}

static void expect_hex(int k, const char *s, int rc, uint64_t bits)
{
	uint64_t got = 0;
	int r = parse_as(k, s, &got);

	if (r != rc || (rc == HEXFLOAT_OK && got != bits)) {
		fprintf(stderr, "type %d '%s': rc %d bits 0x%llx, want rc %d bits 0x%llx\n", k, s,
			r, (unsigned long long)got, rc, (unsigned long long)bits);
		tk_failures++;
	}
}

static void hex_floats(void)
{
	uint64_t x = 88172645463325252ull;

	for (uint64_t b = 0; b < 65536; b++) {
		print_parse(0, p16, b, 0x7e00);
		print_parse(1, pbf, b, 0x7fc0);
	}
	for (uint64_t b = 0; b < 256; b++) {
		print_parse(4, pe4, b, 0x7f);
		print_parse(5, pe5, b, 0x7e);
	}
	for (int i = 0; i < 300000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17; /* xorshift64: deterministic sample */
		print_parse(2, p32, x & 0xffffffffu, 0x7fc00000);
		print_parse(3, p64, x, 0x7ff8000000000000ull);
	}
	/* Edges, spelled out. */
	expect_hex(0, "0x1.ffcp+15", HEXFLOAT_OK, 0x7bff);
	expect_hex(0, "-0x1p-24", HEXFLOAT_OK, 0x8001);
	expect_hex(0, "0x1p-14", HEXFLOAT_OK, 0x0400);
	expect_hex(0, "0x0.001p-12", HEXFLOAT_OK, 0x0001); /* 2^-24 */
	expect_hex(0, "0x0.004p-12", HEXFLOAT_OK, 0x0004);
	expect_hex(0, "0x1.ff8p-15", HEXFLOAT_OK, 0x03ff);
	expect_hex(0, "0x1.002p+0", HEXFLOAT_INEXACT, 0);
	expect_hex(0, "0x1p-25", HEXFLOAT_INEXACT, 0);
	expect_hex(0, "0x1.8p-24", HEXFLOAT_INEXACT, 0);
	expect_hex(0, "0x1p+16", HEXFLOAT_RANGE, 0);
	expect_hex(0, "0x1.ffep+15", HEXFLOAT_INEXACT, 0);
	expect_hex(0, "-inf", HEXFLOAT_OK, 0xfc00);
	expect_hex(0, "-0x0p+0", HEXFLOAT_OK, 0x8000);
	expect_hex(0, "0x000p-99999999", HEXFLOAT_OK, 0);
	expect_hex(2, "0x1p-149", HEXFLOAT_OK, 0x00000001);
	expect_hex(2, "0x1p-150", HEXFLOAT_INEXACT, 0);
	expect_hex(2, "0x1.fffffep+127", HEXFLOAT_OK, 0x7f7fffff);
	expect_hex(2, "0x1p+128", HEXFLOAT_RANGE, 0);
	expect_hex(2, "0x1.000001p+0", HEXFLOAT_INEXACT, 0);
	expect_hex(2, "0x1.00000000000000000000p+0", HEXFLOAT_OK, 0x3f800000);
	expect_hex(2, "0x00000000000000000001p+0", HEXFLOAT_OK, 0x3f800000);
	expect_hex(2, "0x10000000000000000000p-76", HEXFLOAT_OK, 0x3f800000);
	expect_hex(2, "0x1.0000000000000000001p+0", HEXFLOAT_INEXACT, 0);
	expect_hex(2, "0x1p+99999999999", HEXFLOAT_RANGE, 0);
	expect_hex(3, "0x1p-1074", HEXFLOAT_OK, 1);
	expect_hex(3, "0x1p-1075", HEXFLOAT_INEXACT, 0);
	expect_hex(3, "0x1.fffffffffffffp+1023", HEXFLOAT_OK, 0x7fefffffffffffffull);
	expect_hex(3, "0x1.fffffffffffff8p+1023", HEXFLOAT_INEXACT, 0);
	expect_hex(3, "0x1p+1024", HEXFLOAT_RANGE, 0);
	expect_hex(3, "nan", HEXFLOAT_OK, 0x7ff8000000000000ull);
	expect_hex(1, "0x1p-133", HEXFLOAT_OK, 0x0001);
	expect_hex(1, "0x1.01p+0", HEXFLOAT_INEXACT, 0);
	expect_hex(4, "0x1.cp+8", HEXFLOAT_OK, 0x7e);
	expect_hex(4, "0x1.ep+8", HEXFLOAT_RANGE, 0); /* E4M3FN's NaN pattern */
	expect_hex(4, "inf", HEXFLOAT_RANGE, 0);
	expect_hex(4, "-0x1p-9", HEXFLOAT_OK, 0x81);
	expect_hex(5, "0x1.cp+15", HEXFLOAT_OK, 0x7b);
	expect_hex(5, "0x1p+16", HEXFLOAT_RANGE, 0);
	expect_hex(5, "inf", HEXFLOAT_OK, 0x7c);
	static const char *const bad[] = {
		"",	 "-",	    "0x",	"0xp+1",     "0x1",	  "0x1.8", "0x1p",
		"0x1p+", "1.5",	    "--0x1p+0", "0x1.8p+1x", "0x1..8p+0", "-nan",  "nan ",
		"Inf",	 "0x1p+-1", "+0x1p+0",	"0x1g",	     "0x.p+0",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		for (int k = 0; k < 6; k++)
			expect_hex(k, bad[i], HEXFLOAT_SYNTAX, 0);
}

/* ---- errors ------------------------------------------------------------- */

static void errors(void)
{
	char deep[4096];
	size_t n = 0;

	ERROR("", "m.mil:1:1: expected 'program' at the start of model.mil, found end of input");
	ERROR("program(1.0)\n[buildInfo = dict<tensor<string, []>, tensor<string, []>>({{\"coremlc-version\", \"35",
	      "m.mil:2:80: unterminated string");
	ERROR(H10 "    func main<ios15>(tensor<fp32, [1]> x) {\n",
	      "m.mil:5:1: expected '}' to close the function body, found end of input");
	ERROR(H10 "    func main<ios15>(tensor<fp32, [1]> x) {\n"
		  "            tensor<fp32, [1]> y = relu(x = x;\n",
	      "m.mil:5:45: expected ')' after op inputs, found ';'");
	ERROR(H10 "    func main<ios15>(tensor<fp12, [1]> x) {\n",
	      "m.mil:4:29: unknown element type 'fp12'");
	ERROR(H10 "    func main<ios14>(tensor<fp32, [1]> x) {\n",
	      "m.mil:4:15: unknown opset 'ios14' (known: ios15, ios16, ios17, ios18, ios26)");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            int32 y = add(x = x, y = int32(12a));\n",
	      "m.mil:5:44: malformed int32 value '12a'");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            int8 y = const()[val = int8(128)];\n",
	      "m.mil:5:41: int8 value '128' is out of range [-128, 127]");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            uint64 y = const()[val = uint64(18446744073709551616)];\n",
	      "m.mil:5:45: uint64 value '18446744073709551616' is out of range [0, 18446744073709551615]");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            int64 y = const()[val = int64(-9223372036854775809)];\n",
	      "m.mil:5:43: int64 value '-9223372036854775809' is out of range [-9223372036854775808, 9223372036854775807]");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            uint4 y = const()[val = uint4(-1)];\n",
	      "m.mil:5:43: uint4 value '-1' is out of range [0, 15]");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            tensor<int32, [3]> y = const()[val = tensor<int32, [3]>([1, 2])];\n",
	      "m.mil:5:74: dimension 0 of tensor<int32, [3]> value has 2 elements, expected 3");
	ERROR(H13
	      "    func main<ios17>(int32 x) {\n"
	      "            tensor<int32, [2, 1]> y = const()[val = tensor<int32, [2, 1]>([[1], [2, 3]])];\n",
	      "m.mil:5:85: too many elements in dimension 1 of tensor<int32, [2, 1]> value (it has 1)");
	ERROR(H13
	      "    func main<ios17>(int32 x) {\n"
	      "            tensor<int32, [1000000000000]> y = const()[val = tensor<int32, [1000000000000]>([1])];\n",
	      "m.mil:5:95: dimension 0 of tensor<int32, [1000000000000]> value has 1 elements, expected 1000000000000");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            fp16 y = const()[val = fp16(0x1.002p+0)];\n",
	      "m.mil:5:41: fp16 value '0x1.002p+0' is not exactly representable");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            fp16 y = const()[val = fp16(1.5)];\n",
	      "m.mil:5:41: expected a value of type fp16 (hex float, inf or nan), found '1.5'");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            string y = const()[val = string(\"a\\qb\")];\n",
	      "m.mil:5:47: unknown escape in string");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            string y = const()[val = string(\"a\\x0\")];\n",
	      "m.mil:5:47: malformed \\x escape in string (expected two hex digits)");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "        } -> (x);\n"
		  "    func main<ios17>(int32 x) {\n",
	      "m.mil:6:10: function 'main' defined twice");
	ERROR("program(2.0)\n{\n}",
	      "m.mil:1:9: unsupported program version '2.0' (expected 1.0 or 1.3)");
	ERROR("program(1.0) {\n}", "m.mil:2:1: program without functions");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "        } -> (x);\n"
		  "}}",
	      "m.mil:6:2: expected end of input after the program's closing '}', found '}'");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            list<int32, 2> y = const()[val = list<int32, 2>([1])];\n",
	      "m.mil:5:61: list value has 1 items, its type needs 2");
	ERROR(H13
	      "    func main<ios17>(int32 x) {\n"
	      "            tuple<int32, int32> y = const()[val = tuple<int32, int32>((1, 2, 3))];\n",
	      "m.mil:5:76: tuple value has more than its 2 items");
	ERROR(H13
	      "    func main<ios17>(int32 x) {\n"
	      "            fp32 y = const()[val = fp32(BLOBFILE(path = uint64(1), offset = uint64(64)))];\n",
	      "m.mil:5:57: BLOBFILE path must be a string scalar");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            int32 y = relu(x = x) $;\n",
	      "m.mil:5:35: unexpected character");
	ERROR(H13 "    fun main<ios17>(int32 x) {\n",
	      "m.mil:4:5: expected 'func' or '}', found 'fun'");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            int32 y = relu(x = x);\n"
		  "        } (y);\n",
	      "m.mil:6:11: expected '->' after the function body, found '('");
	ERROR(H13 "    func main<ios17>(tensor<int32, [-1]> x) {\n",
	      "m.mil:4:37: malformed dimension '-1'");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            int32 y = add(x = x, y = int32(x));\n",
	      "m.mil:5:44: expected a value of type int32, found 'x'");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            int32 y = add(x x);\n",
	      "m.mil:5:29: expected '=' after the input name, found 'x'");
	ERROR(H13 "    func main<ios17>(list<int32, n> x) {\n",
	      "m.mil:4:34: expected a list length (integer or '?'), found 'n'");
	ERROR(H13
	      "    func main<ios17>(int32 x) {\n"
	      "            fp32 y = const()[val = fp32(BLOBFILE(path = string(\"w\"), offset = int32(64)))];\n",
	      "m.mil:5:79: BLOBFILE offset must be a uint64 scalar");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            fp32 y = const()[val = fp32([0x1p+0])];\n",
	      "m.mil:5:41: expected a value of type fp32 (hex float, inf or nan), found '['");
	ERROR(H13 "    func main<ios17>(int32 x) {\n"
		  "            fp32 y = const()[val = fp32(BLOBFILE(path = string(\"w\")",
	      "m.mil:5:68: expected ',' after the BLOBFILE path, found end of input");
	{
		static const char nul[] = "program(1.0)\0{";
		struct mlcc_diag d = {0, ""};
		struct arena a;
		struct model *m;
		arena_init(&a);
		CHECK(mil_parse(&a, "m.mil", nul, sizeof nul - 1, &m, NULL, &d) == MLCC_E_CORRUPT);
		CHECK(strcmp(d.message, "m.mil:1:13: unexpected character") == 0);
		arena_free(&a);
	}
	/* Nesting is capped. */
	n += (size_t)snprintf(deep, sizeof deep, H13 "    func main<ios17>(");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(deep + n, sizeof deep - n, "list<");
	snprintf(deep + n, sizeof deep - n, "int32");
	ERROR(deep, "m.mil:4:1302: nesting deeper than 256 levels");
}

/* Every prefix of a program and many one-byte corruptions of it parse or
** fail cleanly: status MLCC_E_CORRUPT, one line starting "m.mil:L:C: "
** (the copies are not NUL-terminated: ASan catches any read past 'len'). */
static void truncations(const char *text, bool mutate)
{
	static const char subst[] = "([{\"\\-0;";
	size_t len = strlen(text);
	char *buf = malloc(len);

	for (size_t cut = 0; cut <= len; cut++) {
		for (size_t k = 0; k <= (mutate && cut < len ? sizeof subst - 1 : 0); k++) {
			struct mlcc_diag d = {0, ""};
			struct arena a;
			struct model *m;
			unsigned line, col;
			size_t n = k ? len : cut;
			int rc;
			memcpy(buf, text, len);
			if (k)
				buf[cut] = subst[k - 1];
			arena_init(&a);
			rc = mil_parse(&a, "m.mil", buf, n, &m, NULL, &d);
			if (rc != 0 && (rc != MLCC_E_CORRUPT || strchr(d.message, '\n') ||
					sscanf(d.message, "m.mil:%u:%u: ", &line, &col) != 2)) {
				if (tk_failures++ < 10)
					fprintf(stderr, "cut %zu subst %zu: rc %d: %s\n", cut, k,
						rc, d.message);
			}
			arena_free(&a);
		}
	}
	free(buf);
}

/* ---- mil_describe ------------------------------------------------------- */

/* Parse, describe, then print with the description: must give 'text'
** back (the FlexibleShapeInformation now comes from the description). */
static struct model *describe(struct arena *a, const char *text, struct mlcc_diag *d, bool reprint,
			      int line)
{
	struct mil_info info;
	struct model *m;
	char *got;

	if (parse(a, text, &m, &info, d) || mil_describe(m, d))
		return NULL;
	for (size_t i = 0; i < m->program->nfuncs; i++)
		CHECK(!model_attr(m->program->funcs[i].attrs, m->program->funcs[i].nattrs,
				  "FlexibleShapeInformation"));
	if (!reprint)
		return m;
	got = print(m, &info);
	if (!got || strcmp(got, text) != 0) {
		fprintf(stderr, "line %d: described model printed differently:\n%s\n", line,
			got ? got : "(null)");
		tk_failures++;
	}
	free(got);
	return m;
}

static const ArrayFeatureType *arr(const FeatureDescription *f)
{
	return f->type->type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STATE_TYPE
		       ? f->type->statetype->arraytype
		       : f->type->multiarraytype;
}

static bool shape_is(const int64_t *s, size_t n, const int64_t *want, size_t nwant)
{
	return n == nwant && (n == 0 || memcmp(s, want, n * sizeof *s) == 0);
}

static void describe_range(void)
{
	static const char text[] = H13
		"    func main<ios17>(tensor<int32, [2]> fixed, tensor<fp16, [?, 8]> x) "
		"[FlexibleShapeInformation = tuple<tuple<string, dict<string, tensor<int32, [?]>>>, "
		"tuple<string, dict<string, list<tensor<int32, [2]>, ?>>>>(((\"DefaultShapes\", {{\"x\", [2, 8]}}), "
		"(\"RangeDims\", {{\"x\", [[1, -1], [8, 8]]}})))] {\n"
		"            tensor<fp16, [?, 8]> y = relu(x = x);\n"
		"        } -> (y, fixed);\n"
		"}";
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct model *m;

	arena_init(&a);
	m = describe(&a, text, &d, true, __LINE__);
	if (!m) {
		fprintf(stderr, "describe_range: %s\n", d.message);
		tk_failures++;
		arena_free(&a);
		return;
	}
	const ModelDescription *desc = m->desc;
	CHECK(desc->n_input == 2 && desc->n_output == 2 && desc->n_functions == 0);
	const ArrayFeatureType *fx = arr(desc->input[0]), *x = arr(desc->input[1]);
	CHECK(fx->datatype == CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__INT32);
	CHECK(shape_is(fx->shape, fx->n_shape, (int64_t[]){2}, 1));
	CHECK(fx->shape_flexibility_case ==
	      CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY__NOT_SET);
	CHECK(x->datatype == CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT16);
	CHECK(shape_is(x->shape, x->n_shape, (int64_t[]){2, 8}, 2));
	CHECK(x->shaperange && x->shaperange->n_sizeranges == 2 &&
	      x->shaperange->sizeranges[0]->lowerbound == 1 &&
	      x->shaperange->sizeranges[0]->upperbound == -1 &&
	      x->shaperange->sizeranges[1]->lowerbound == 8);
	const ArrayFeatureType *y = arr(desc->output[0]);
	CHECK(strcmp(desc->output[0]->name, "y") == 0 && y->n_shape == 0);
	CHECK(arr(desc->output[1])->n_shape == 1);
	arena_free(&a);
}

/* Enumerated shapes: keys computed here from the raw names (§4.4); the
** description lists the default configuration first, then key order. */
static void describe_enumerated(void)
{
	static const int64_t shapes[3][2] = {{1, 2}, {3, 4}, {5, 6}};
	char keys[3][9], text[2048], confs[3][128];
	int order[3] = {0, 1, 2};
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct model *m;
	size_t n;

	for (int i = 0; i < 3; i++) {
		char raw[128];
		int len = snprintf(raw, sizeof raw, "b_1_1_1_1_5_x_1_1_1_%lld_%lld_",
				   (long long)shapes[i][0], (long long)shapes[i][1]);
		flexshape_config_key(raw, (size_t)len, keys[i]);
		snprintf(confs[i], sizeof confs[i],
			 "{\"%s\", {{\"b\", [5]}, {\"x\", [%lld, %lld]}}}", keys[i],
			 (long long)shapes[i][0], (long long)shapes[i][1]);
	}
	for (int i = 0; i < 3; i++) /* sort by key */
		for (int j = i + 1; j < 3; j++)
			if (strcmp(keys[order[j]], keys[order[i]]) < 0) {
				int t = order[i];
				order[i] = order[j];
				order[j] = t;
			}
	n = (size_t)snprintf(
		text, sizeof text,
		H13
		"    func main<ios18>(tensor<fp32, [5]> b, tensor<fp32, [?, ?]> x) "
		"[FlexibleShapeInformation = tuple<tuple<string, dict<string, tensor<int32, [?]>>>, "
		"tuple<string, dict<string, dict<string, tensor<int32, [?]>>>>>(((\"DefaultShapes\", {{\"x\", [3, 4]}}), "
		"(\"EnumeratedShapes\", {%s, %s, %s})))] {\n"
		"            tensor<fp32, [?, ?]> y = relu(x = x);\n"
		"        } -> (y);\n"
		"}",
		confs[order[0]], confs[order[1]], confs[order[2]]);
	CHECK(n < sizeof text);
	arena_init(&a);
	m = describe(&a, text, &d, true, __LINE__);
	if (!m) {
		fprintf(stderr, "describe_enumerated: %s\n", d.message);
		tk_failures++;
	} else {
		const ArrayFeatureType *x = arr(m->desc->input[1]);
		CHECK(shape_is(x->shape, x->n_shape, (int64_t[]){3, 4}, 2));
		CHECK(x->enumeratedshapes && x->enumeratedshapes->n_shapes == 3);
		/* The default configuration ([3, 4], index 1) first, the
		** others in key order. */
		int want[3] = {1, 0, 0}, k = 1;
		for (int i = 0; i < 3; i++)
			if (order[i] != 1)
				want[k++] = order[i];
		for (int i = 0; x->enumeratedshapes && i < 3; i++)
			CHECK(shape_is(x->enumeratedshapes->shapes[i]->shape,
				       x->enumeratedshapes->shapes[i]->n_shape, shapes[want[i]],
				       2));
	}
	arena_free(&a);
}

static void describe_others(void)
{
	struct mlcc_diag d = {0, ""};
	struct arena a;
	struct model *m;

	/* Several functions, states; the default is "main". */
	arena_init(&a);
	m = describe(
		&a,
		H13
		"    func main<ios18>(tensor<fp16, [1, 4]> x, state<tensor<fp16, [2, 4]>> kv) {\n"
		"            write_state(data = x, input = kv);\n"
		"        } -> (x);\n"
		"    func aux<ios18>(tensor<fp64, [3]> z) {\n"
		"        } -> (z);\n"
		"}",
		&d, false, __LINE__);
	if (m) {
		const ModelDescription *desc = m->desc;
		CHECK(desc->n_input == 0 && desc->n_functions == 2);
		CHECK(strcmp(desc->defaultfunctionname, "main") == 0);
		CHECK(strcmp(desc->functions[0]->name, "aux") == 0);
		CHECK(desc->functions[1]->n_input == 1 && desc->functions[1]->n_state == 1);
		CHECK(arr(desc->functions[1]->state[0])->datatype ==
		      CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT16);
		CHECK(arr(desc->functions[0]->input[0])->datatype ==
		      CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__DOUBLE);
	} else {
		fprintf(stderr, "describe_others: %s\n", d.message);
		tk_failures++;
	}
	arena_free(&a);
	/* Without "main" the first printed function is the default. */
	arena_init(&a);
	m = describe(&a,
		     H13 "    func zz<ios18>(tensor<int8, [1]> x) {\n"
			 "        } -> (x);\n"
			 "    func bb<ios18>(tensor<int32, [1]> x) {\n"
			 "        } -> (x);\n"
			 "}",
		     &d, false, __LINE__);
	CHECK(m && strcmp(m->desc->defaultfunctionname, "bb") == 0);
	arena_free(&a);
	/* An unknown dim without FlexibleShapeInformation: 1, range [1, -1]. */
	arena_init(&a);
	m = describe(&a,
		     H13 "    func main<ios17>(tensor<fp32, [?, 3]> x) {\n"
			 "        } -> (x);\n"
			 "}",
		     &d, false, __LINE__);
	if (m) {
		const ArrayFeatureType *x = arr(m->desc->input[0]);
		CHECK(shape_is(x->shape, x->n_shape, (int64_t[]){1, 3}, 2));
		CHECK(x->shaperange && x->shaperange->sizeranges[0]->lowerbound == 1 &&
		      x->shaperange->sizeranges[0]->upperbound == -1 &&
		      x->shaperange->sizeranges[1]->lowerbound == 3 &&
		      x->shaperange->sizeranges[1]->upperbound == 3);
		CHECK(m->desc->output[0]->type->multiarraytype->n_shape == 0);
	}
	arena_free(&a);
	/* Types no feature describes. */
	arena_init(&a);
	d = (struct mlcc_diag){0, ""};
	CHECK(!describe(&a,
			H13 "    func main<ios17>(tensor<int64, [1]> x) {\n"
			    "        } -> (x);\n"
			    "}",
			&d, false, __LINE__));
	CHECK(strcmp(d.message, "m.mil: function 'main': input 'x' has element type "
				"int64, which no feature type describes (fp32, fp16, "
				"fp64, int32, int8)") == 0);
	arena_free(&a);
	arena_init(&a);
	d = (struct mlcc_diag){0, ""};
	CHECK(!describe(&a,
			H13 "    func main<ios17>(tensor<fp32, [1]> x) {\n"
			    "        } -> (nope);\n"
			    "}",
			&d, false, __LINE__));
	CHECK(strcmp(d.message, "m.mil: function 'main': output 'nope' is not defined") == 0);
	arena_free(&a);
}

int main(void)
{
	check_data();
	round_trips();
	hex_floats();
	errors();
	truncations(structures10, true);
	truncations(dtypes13, false);
	describe_range();
	describe_enumerated();
	describe_others();
	if (tk_failures)
		fprintf(stderr, "test_mil_parse: %d failures\n", tk_failures);
	else
		printf("test_mil_parse: round trips, hex floats, errors, describe ok\n");
	return tk_failures != 0;
}
