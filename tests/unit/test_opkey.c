/*
** test_opkey.c -- unit test of src/opkey.c (histogram keys).
**
** Standalone: `gcc -std=c11 -Wall -Wextra -Werror -fsanitize=address,undefined
** -Isrc tests/unit/test_opkey.c src/opkey.c -o test_opkey && ./test_opkey`.
** Prints every failed check and exits 1 if any failed.
**
** The rows below are the registry rows of docs/spec/metadata-keys.md §3.4
** (histogram keys of Apple-compiled files), embedded so the
** test reads nothing at run time.  Rows for compiler majors >= 3402 are the
** required set (the compilers mlcc emulates); the older rows must pass too.
*/
#include "bundle/metadata/opkey.h"

#include <stdio.h>
#include <string.h>

static int g_checks, g_failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		g_checks++;                                                                        \
		if (!(cond)) {                                                                     \
			g_failed++;                                                                \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

struct tsv_row {
	const char *op;
	unsigned opset;
	const char *key;
	int nmajors;
	unsigned majors[8];
};

/* model.mil-confirmed rows: op, function opset, printed key, compiler
** majors that printed it (0 = file without buildInfo). */
/* clang-format off */
static const struct tsv_row k_tsv_model_mil[] = {
	{"abs", 17, "Ios17.abs", 1, {3520}},
	{"add", 15, "Add", 2, {1436, 3500}},
	{"add", 16, "Ios16.add", 5, {1877, 3304, 3500, 3520, 3600}},
	{"add", 17, "Ios17.add", 5, {1877, 3304, 3500, 3520, 3600}},
	{"add", 18, "Ios18.add", 2, {3500, 3600}},
	{"affine", 15, "Affine", 1, {0}},
	{"atan", 17, "Ios17.atan", 1, {3520}},
	{"avg_pool", 17, "Ios16.avgPool", 1, {3520}},
	{"batch_norm", 16, "Ios16.batchNorm", 2, {1877, 3304}},
	{"batch_norm", 17, "Ios17.batchNorm", 2, {1877, 3304}},
	{"cast", 15, "Cast", 2, {1436, 3500}},
	{"cast", 16, "Ios16.cast", 2, {3500, 3600}},
	{"cast", 17, "Ios17.cast", 5, {1877, 3304, 3500, 3520, 3600}},
	{"cast", 18, "Ios18.cast", 2, {3500, 3600}},
	{"clip", 15, "Clip", 1, {3500}},
	{"clip", 16, "Ios16.clip", 2, {3500, 3600}},
	{"clip", 17, "Ios17.clip", 1, {3500}},
	{"concat", 15, "Concat", 1, {3500}},
	{"concat", 16, "Concat", 4, {1877, 3304, 3500, 3600}},
	{"concat", 17, "Ios17.concat", 4, {1877, 3304, 3500, 3520}},
	{"constexpr_affine_dequantize", 16, "Ios16.constexprAffineDequantize", 1, {3500}},
	{"constexpr_affine_dequantize", 17, "Ios16.constexprAffineDequantize", 1, {3600}},
	{"constexpr_blockwise_shift_scale", 18, "Ios18.constexprBlockwiseShiftScale", 1, {3600}},
	{"constexpr_lut_to_dense", 16, "Ios16.constexprLutToDense", 3, {3304, 3500, 3600}},
	{"constexpr_lut_to_dense", 17, "Ios16.constexprLutToDense", 3, {1877, 3304, 3520}},
	{"constexpr_lut_to_dense", 18, "Ios18.constexprLutToDense", 2, {3500, 3600}},
	{"constexpr_sparse_to_dense", 16, "Ios16.constexprSparseToDense", 2, {3304, 3500}},
	{"conv", 15, "Conv", 1, {3500}},
	{"conv", 16, "Ios16.conv", 5, {1877, 3304, 3500, 3520, 3600}},
	{"conv", 17, "Ios17.conv", 4, {1877, 3304, 3500, 3520}},
	{"conv_transpose", 15, "ConvTranspose", 1, {0}},
	{"cumsum", 17, "Ios16.cumsum", 1, {3520}},
	{"einsum", 16, "Ios16.einsum", 2, {1877, 3304}},
	{"equal", 17, "Ios17.equal", 1, {3520}},
	{"expand_dims", 15, "ExpandDims", 2, {1436, 3500}},
	{"expand_dims", 16, "ExpandDims", 4, {1877, 3304, 3500, 3600}},
	{"expand_dims", 17, "Ios17.expandDims", 4, {1877, 3304, 3500, 3520}},
	{"expand_dims", 18, "Ios18.expandDims", 2, {3500, 3600}},
	{"fill_like", 17, "Ios16.fillLike", 1, {3520}},
	{"floor", 17, "Ios17.floor", 1, {3500}},
	{"floor_div", 15, "FloorDiv", 1, {0}},
	{"floor_div", 17, "Ios17.floorDiv", 1, {3500}},
	{"gather", 15, "Gather", 1, {1436}},
	{"gather", 16, "Ios16.gather", 4, {1877, 3304, 3500, 3600}},
	{"gather", 17, "Ios17.gather", 5, {1877, 3304, 3500, 3520, 3600}},
	{"gather", 18, "Ios18.gather", 2, {3500, 3600}},
	{"gather_along_axis", 15, "GatherAlongAxis", 1, {0}},
	{"gather_along_axis", 17, "Ios17.gatherAlongAxis", 1, {3500}},
	{"gelu", 15, "Gelu", 1, {1436}},
	{"gelu", 16, "Ios16.gelu", 4, {1877, 3304, 3500, 3600}},
	{"gelu", 17, "Ios16.gelu", 2, {1877, 3304}},
	{"gelu", 18, "Ios18.gelu", 2, {3500, 3600}},
	{"greater", 15, "Greater", 1, {0}},
	{"greater", 17, "Ios17.greater", 2, {3520, 3600}},
	{"greater_equal", 17, "Ios17.greaterEqual", 1, {3500}},
	{"greater_equal", 18, "Ios18.greaterEqual", 2, {3500, 3600}},
	{"identity", 16, "Identity", 3, {1877, 3304, 3500}},
	{"identity", 17, "Identity", 3, {1877, 3304, 3500}},
	{"instance_norm", 17, "Ios17.instanceNorm", 1, {3520}},
	{"layer_norm", 15, "LayerNorm", 1, {1436}},
	{"layer_norm", 16, "Ios16.layerNorm", 4, {1877, 3304, 3500, 3600}},
	{"layer_norm", 17, "Ios17.layerNorm", 1, {3500}},
	{"layer_norm", 18, "Ios18.layerNorm", 2, {3500, 3600}},
	{"less", 17, "Ios17.less", 3, {3500, 3520, 3600}},
	{"linear", 15, "Linear", 1, {1436}},
	{"linear", 16, "Ios16.linear", 5, {1877, 3304, 3500, 3520, 3600}},
	{"linear", 17, "Ios17.linear", 4, {1877, 3304, 3500, 3520}},
	{"linear", 18, "Ios18.linear", 2, {3500, 3600}},
	{"log", 15, "Log", 1, {3500}},
	{"log", 16, "Ios16.log", 3, {1877, 3304, 3500}},
	{"log", 17, "Ios17.log", 3, {1877, 3304, 3500}},
	{"logical_and", 17, "Ios17.logicalAnd", 2, {3500, 3520}},
	{"logical_not", 17, "Ios17.logicalNot", 1, {3500}},
	{"lstm", 15, "Lstm", 1, {3500}},
	{"lstm", 16, "Ios16.lstm", 1, {3500}},
	{"lstm", 17, "Ios17.lstm", 1, {3500}},
	{"matmul", 15, "Matmul", 1, {1436}},
	{"matmul", 16, "Ios16.matmul", 5, {1877, 3304, 3500, 3520, 3600}},
	{"matmul", 17, "Ios17.matmul", 3, {1877, 3304, 3500}},
	{"matmul", 18, "Ios18.matmul", 2, {3500, 3600}},
	{"max_pool", 15, "MaxPool", 1, {0}},
	{"max_pool", 16, "Ios16.maxPool", 2, {3520, 3600}},
	{"maximum", 15, "Maximum", 1, {0}},
	{"maximum", 16, "Ios16.maximum", 2, {1877, 3304}},
	{"maximum", 17, "Ios17.maximum", 4, {1877, 3304, 3520, 3600}},
	{"minimum", 17, "Ios17.minimum", 2, {3520, 3600}},
	{"mul", 15, "Mul", 2, {1436, 3500}},
	{"mul", 16, "Ios16.mul", 5, {1877, 3304, 3402, 3500, 3600}},
	{"mul", 17, "Ios17.mul", 5, {1877, 3304, 3500, 3520, 3600}},
	{"mul", 18, "Ios18.mul", 2, {3500, 3600}},
	{"pad", 15, "Pad", 1, {3500}},
	{"pad", 16, "Pad", 3, {1877, 3304, 3500}},
	{"pad", 17, "Pad", 4, {1877, 3304, 3500, 3520}},
	{"pow", 15, "Pow", 1, {3500}},
	{"pow", 16, "Ios16.pow", 1, {3500}},
	{"pow", 17, "Ios17.pow", 2, {3500, 3520}},
	{"range_1d", 17, "Range1d", 1, {3500}},
	{"real_div", 16, "Ios16.realDiv", 2, {3500, 3600}},
	{"real_div", 17, "Ios17.realDiv", 1, {3520}},
	{"reduce_argmax", 15, "ReduceArgmax", 1, {0}},
	{"reduce_argmax", 16, "Ios16.reduceArgmax", 1, {3404}},
	{"reduce_argmax", 17, "Ios17.reduceArgmax", 2, {3500, 3600}},
	{"reduce_l2_norm", 16, "Ios16.reduceL2Norm", 1, {3600}},
	{"reduce_max", 15, "ReduceMax", 1, {0}},
	{"reduce_max", 16, "Ios16.reduceMax", 3, {1877, 3304, 3404}},
	{"reduce_max", 17, "Ios16.reduceMax", 2, {1877, 3304}},
	{"reduce_mean", 15, "ReduceMean", 1, {3500}},
	{"reduce_mean", 16, "Ios16.reduceMean", 3, {1877, 3304, 3500}},
	{"reduce_mean", 17, "Ios16.reduceMean", 2, {1877, 3304}},
	{"reduce_mean", 18, "Ios16.reduceMean", 1, {3500}},
	{"reduce_min", 15, "ReduceMin", 1, {0}},
	{"reduce_sum", 16, "Ios16.reduceSum", 2, {3500, 3600}},
	{"reduce_sum", 17, "Ios16.reduceSum", 1, {3500}},
	{"reduce_sum", 18, "Ios16.reduceSum", 1, {3500}},
	{"relu", 15, "Relu", 1, {3500}},
	{"relu", 16, "Ios16.relu", 3, {3500, 3520, 3600}},
	{"relu", 17, "Ios16.relu", 3, {3500, 3520, 3600}},
	{"relu", 18, "Ios18.relu", 1, {3600}},
	{"reshape", 15, "Reshape", 1, {1436}},
	{"reshape", 16, "Ios16.reshape", 5, {1877, 3304, 3404, 3520, 3600}},
	{"reshape", 17, "Ios17.reshape", 4, {1877, 3304, 3500, 3520}},
	{"reshape", 18, "Ios18.reshape", 2, {3500, 3600}},
	{"reverse", 15, "Reverse", 1, {0}},
	{"rsqrt", 16, "Ios16.rsqrt", 1, {1877}},
	{"rsqrt", 17, "Ios17.rsqrt", 2, {1877, 3304}},
	{"scatter", 15, "Scatter", 1, {0}},
	{"select", 15, "Select", 1, {0}},
	{"select", 17, "Select", 3, {3500, 3520, 3600}},
	{"select", 18, "Select", 2, {3500, 3600}},
	{"shape", 17, "Shape", 1, {3500}},
	{"sigmoid", 15, "Sigmoid", 1, {3500}},
	{"sigmoid", 16, "Ios16.sigmoid", 2, {3500, 3520}},
	{"sigmoid", 17, "Ios16.sigmoid", 1, {3500}},
	{"sigmoid", 18, "Ios18.sigmoid", 1, {3500}},
	{"sign", 15, "Sign", 1, {0}},
	{"silu", 17, "Ios16.silu", 1, {3500}},
	{"sin", 17, "Ios17.sin", 1, {3520}},
	{"slice_by_index", 15, "SliceByIndex", 2, {1436, 3500}},
	{"slice_by_index", 16, "SliceByIndex", 5, {1877, 3304, 3404, 3500, 3600}},
	{"slice_by_index", 17, "Ios17.sliceByIndex", 3, {1877, 3304, 3500}},
	{"softmax", 15, "Softmax", 1, {1436}},
	{"softmax", 16, "Ios16.softmax", 4, {1877, 3304, 3500, 3600}},
	{"softmax", 17, "Ios16.softmax", 3, {1877, 3304, 3500}},
	{"softmax", 18, "Ios18.softmax", 2, {3500, 3600}},
	{"split", 16, "Split", 2, {1877, 3304}},
	{"split", 17, "Split", 4, {1877, 3304, 3500, 3520}},
	{"sqrt", 15, "Sqrt", 1, {3500}},
	{"sqrt", 16, "Ios16.sqrt", 1, {3500}},
	{"sqrt", 17, "Ios17.sqrt", 1, {3520}},
	{"square", 16, "Ios16.square", 2, {1877, 3304}},
	{"square", 17, "Ios16.square", 1, {1877}},
	{"square", 17, "Ios17.square", 1, {3304}},
	{"squeeze", 15, "Squeeze", 1, {3500}},
	{"squeeze", 16, "Squeeze", 4, {1877, 3304, 3500, 3600}},
	{"squeeze", 17, "Ios17.squeeze", 4, {1877, 3304, 3500, 3520}},
	{"stack", 15, "Stack", 1, {0}},
	{"stack", 17, "Stack", 1, {3500}},
	{"sub", 15, "Sub", 2, {1436, 3500}},
	{"sub", 16, "Ios16.sub", 4, {1877, 3304, 3500, 3600}},
	{"sub", 17, "Ios17.sub", 4, {1877, 3304, 3500, 3520}},
	{"sub", 18, "Ios18.sub", 2, {3500, 3600}},
	{"tanh", 15, "Tanh", 1, {1436}},
	{"tanh", 16, "Ios16.tanh", 1, {3500}},
	{"tanh", 17, "Ios17.tanh", 1, {3520}},
	{"tanh", 18, "Ios18.tanh", 1, {3500}},
	{"tile", 15, "Tile", 1, {0}},
	{"tile", 17, "Tile", 1, {3500}},
	{"topk", 17, "Ios17.topk", 1, {3500}},
	{"transpose", 15, "Transpose", 2, {1436, 3500}},
	{"transpose", 16, "Transpose", 5, {1877, 3304, 3404, 3500, 3600}},
	{"transpose", 17, "Ios17.transpose", 4, {1877, 3304, 3500, 3520}},
	{"transpose", 18, "Ios18.transpose", 2, {3500, 3600}},
	{"upsample_bilinear", 17, "Ios16.upsampleBilinear", 1, {3520}},
	{"upsample_nearest_neighbor", 17, "UpsampleNearestNeighbor", 1, {3520}},
};
/* clang-format on */

/* Rows whose function opset was inferred (spec- or sibling-inferred). */
/* clang-format off */
static const struct tsv_row k_tsv_inferred[] = {
	{"add", 16, "Ios16.add", 1, {0}}, /* spec-inferred */
	{"add", 17, "Ios17.add", 1, {0}}, /* spec-inferred */
	{"batch_norm", 16, "Ios16.batchNorm", 1, {0}}, /* spec-inferred */
	{"batch_norm", 17, "Ios17.batchNorm", 1, {0}}, /* spec-inferred */
	{"cast", 17, "Ios17.cast", 1, {3600}}, /* sibling-inferred */
	{"concat", 16, "Concat", 1, {0}}, /* spec-inferred */
	{"concat", 17, "Ios17.concat", 1, {0}}, /* spec-inferred */
	{"constexpr_lut_to_dense", 17, "Ios16.constexprLutToDense", 1, {0}}, /* spec-inferred */
	{"conv", 16, "Ios16.conv", 1, {0}}, /* spec-inferred */
	{"conv", 17, "Ios17.conv", 1, {0}}, /* spec-inferred */
	{"einsum", 16, "Ios16.einsum", 1, {0}}, /* spec-inferred */
	{"einsum", 17, "Ios16.einsum", 1, {0}}, /* spec-inferred */
	{"gelu", 16, "Ios16.gelu", 1, {0}}, /* spec-inferred */
	{"gelu", 17, "Ios16.gelu", 1, {0}}, /* spec-inferred */
	{"greater", 17, "Ios17.greater", 1, {3600}}, /* sibling-inferred */
	{"mul", 16, "Ios16.mul", 1, {0}}, /* spec-inferred */
	{"mul", 17, "Ios17.mul", 1, {0}}, /* spec-inferred */
	{"reduce_mean", 16, "Ios16.reduceMean", 1, {0}}, /* spec-inferred */
	{"reduce_mean", 17, "Ios16.reduceMean", 1, {0}}, /* spec-inferred */
	{"rsqrt", 16, "Ios16.rsqrt", 1, {0}}, /* spec-inferred */
	{"rsqrt", 17, "Ios17.rsqrt", 1, {0}}, /* spec-inferred */
	{"select", 17, "Select", 1, {3600}}, /* sibling-inferred */
	{"slice_by_index", 16, "SliceByIndex", 1, {0}}, /* spec-inferred */
	{"slice_by_index", 17, "Ios17.sliceByIndex", 1, {0}}, /* spec-inferred */
	{"softmax", 16, "Ios16.softmax", 1, {0}}, /* spec-inferred */
	{"softmax", 17, "Ios16.softmax", 1, {0}}, /* spec-inferred */
	{"sub", 16, "Ios16.sub", 1, {0}}, /* spec-inferred */
	{"sub", 17, "Ios17.sub", 1, {0}}, /* spec-inferred */
	{"transpose", 16, "Transpose", 1, {0}}, /* spec-inferred */
	{"transpose", 17, "Ios17.transpose", 1, {0}}, /* spec-inferred */
};
/* clang-format on */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Key of (op, opset, major), or "<error>" if the call fails. */
static const char *key(const char *op, unsigned opset, unsigned major)
{
	static char buf[128];

	if (opkey_histogram_key(op, opset, major, buf, sizeof buf) != 0)
		return "<error>";
	return buf;
}

static void expect_key(const char *op, unsigned opset, unsigned major, const char *want)
{
	const char *got = key(op, opset, major);

	CHECK(strcmp(got, want) == 0, "key(%s, ios%u, %u) = %s, want %s", op, opset, major, got,
	      want);
}

static void test_tsv(void)
{
	size_t i;
	int j, required = 0, older = 0;

	for (i = 0; i < COUNT(k_tsv_model_mil); i++) {
		const struct tsv_row *r = &k_tsv_model_mil[i];

		for (j = 0; j < r->nmajors; j++) {
			expect_key(r->op, r->opset, r->majors[j], r->key);
			if (r->majors[j] >= 3402)
				required++;
			else
				older++;
		}
	}
	for (i = 0; i < COUNT(k_tsv_inferred); i++) {
		const struct tsv_row *r = &k_tsv_inferred[i];

		for (j = 0; j < r->nmajors; j++)
			expect_key(r->op, r->opset, r->majors[j], r->key);
	}
	printf("tsv: %u model.mil rows (%d checks for coremlc >= 3402, %d older"
	       " or unstamped), %u inferred rows\n",
	       (unsigned)COUNT(k_tsv_model_mil), required, older, (unsigned)COUNT(k_tsv_inferred));
	CHECK(COUNT(k_tsv_model_mil) == 174, "expected 174 model.mil rows");
}

static void test_naming(void)
{
	expect_key("range_1d", 17, 0, "Range1d");
	expect_key("range_1d", 18, 3600, "Range1d");
	expect_key("reduce_l2_norm", 16, 0, "Ios16.reduceL2Norm");
	expect_key("reduce_l2_norm", 15, 0, "ReduceL2Norm");
	expect_key("upsample_nearest_neighbor", 17, 0, "UpsampleNearestNeighbor");
	expect_key("upsample_bilinear", 17, 0, "Ios16.upsampleBilinear");
	expect_key("conv_transpose", 15, 0, "ConvTranspose");
	expect_key("conv_transpose", 16, 0, "Ios16.convTranspose");
	expect_key("conv_transpose", 18, 0, "Ios18.convTranspose");
	expect_key("gather_along_axis", 17, 0, "Ios17.gatherAlongAxis");
	expect_key("slice_by_index", 16, 0, "SliceByIndex");
	expect_key("slice_by_index", 17, 0, "Ios17.sliceByIndex");
	expect_key("lstm", 15, 0, "Lstm");
	expect_key("exp2", 15, 0, "Exp2");
	expect_key("relu6", 17, 0, "Ios16.relu6");
	expect_key("constexpr_lut_to_dense", 17, 3500, "Ios16.constexprLutToDense");
	expect_key("scaled_dot_product_attention", 18, 0, "Ios18.scaledDotProductAttention");
	expect_key("read_state", 18, 0, "Ios18.readState");
	expect_key("write_state", 18, 0, "Ios18.writeState");
	expect_key("slice_update", 18, 0, "Ios18.sliceUpdate");
	expect_key("reduce_log_sum_exp", 18, 0, "Ios16.reduceLogSumExp");
}

static void test_square_by_compiler(void)
{
	expect_key("square", 17, 1877, "Ios16.square");
	expect_key("square", 17, 3304, "Ios17.square");
	expect_key("square", 17, 3500, "Ios17.square");
	expect_key("square", 17, 0, "Ios17.square");
	expect_key("square", 16, 1877, "Ios16.square");
	CHECK(opkey_op_version("square", 17, 1877) == 16, "square 1877 -> 16");
	CHECK(opkey_op_version("square", 17, 3600) == 17, "square 3600 -> 17");
	CHECK(opkey_evidence("square", 17, 1877) == 'O', "square 1877 evidence");
}

static void test_opsets(void)
{
	size_t i, n = opkey_registry_count();

	for (i = 0; i < n; i++) {
		const char *op = opkey_registry_op(i);
		char k18[128];
		unsigned v;
		int tag;

		snprintf(k18, sizeof k18, "%s", key(op, 18, 0));
		CHECK(strcmp(key(op, 26, 0), k18) == 0,
		      "%s: ios26 key %s differs from ios18 key %s", op, key(op, 26, 0), k18);
		for (v = 15; v <= 18; v++) {
			unsigned ver = opkey_op_version(op, v, 0);
			const char *k = key(op, v, 0);

			CHECK(ver >= 15 && ver <= 18, "%s ios%u: version %u", op, v, ver);
			if (ver == 15)
				CHECK(strncmp(k, "Ios", 3) != 0 || strncmp(op, "ios", 3) == 0,
				      "%s ios%u: base key %s", op, v, k);
			else
				CHECK(k[0] == 'I' && k[3] == (char)('0' + ver / 10) &&
					      k[4] == (char)('0' + ver % 10) && k[5] == '.',
				      "%s ios%u: key %s for version %u", op, v, k, ver);
			tag = opkey_evidence(op, v, 0);
			CHECK(tag != 0 && tag != 'U' &&
				      strcmp(opkey_evidence_name(tag), "invalid") != 0,
			      "%s ios%u: evidence %d", op, v, tag);
			CHECK((tag == 'X') == (ver > v), "%s ios%u: X tag vs version", op, v);
		}
		CHECK(opkey_evidence(op, 26, 0) == 'P', "%s: ios26 evidence", op);
	}
	/* Ops that do not exist at the opset get their lowest version. */
	expect_key("fill_like", 15, 0, "Ios16.fillLike");
	expect_key("constexpr_blockwise_shift_scale", 16, 0, "Ios18.constexprBlockwiseShiftScale");
	CHECK(opkey_evidence("constexpr_blockwise_shift_scale", 16, 0) == 'X', "X evidence");
	/* Invalid opsets. */
	{
		static const unsigned bad[] = {0, 14, 19, 25, 27, 1800};
		char buf[64];

		for (i = 0; i < COUNT(bad); i++) {
			buf[0] = 'z';
			CHECK(opkey_histogram_key("add", bad[i], 0, buf, sizeof buf) == -1 &&
				      buf[0] == '\0',
			      "opset %u must fail", bad[i]);
			CHECK(opkey_op_version("add", bad[i], 0) == 0, "opset %u: version 0",
			      bad[i]);
			CHECK(opkey_evidence("add", bad[i], 0) == 0, "opset %u: evidence 0",
			      bad[i]);
		}
	}
}

static void test_buffer(void)
{
	char buf[64];

	/* "SliceByIndex" = 12 characters. */
	CHECK(opkey_histogram_key("slice_by_index", 16, 0, buf, 13) == 0 &&
		      strcmp(buf, "SliceByIndex") == 0,
	      "exact fit");
	memset(buf, 'z', sizeof buf);
	CHECK(opkey_histogram_key("slice_by_index", 16, 0, buf, 12) == -1 && buf[0] == '\0' &&
		      buf[12] == 'z',
	      "one byte short");
	/* "Ios17.gatherAlongAxis" = 21 characters. */
	CHECK(opkey_histogram_key("gather_along_axis", 17, 0, buf, 22) == 0 &&
		      strcmp(buf, "Ios17.gatherAlongAxis") == 0,
	      "prefixed exact fit");
	memset(buf, 'z', sizeof buf);
	CHECK(opkey_histogram_key("gather_along_axis", 17, 0, buf, 21) == -1 && buf[0] == '\0' &&
		      buf[21] == 'z',
	      "prefixed one byte short");
	CHECK(opkey_histogram_key("gather_along_axis", 17, 0, buf, 4) == -1 && buf[0] == '\0',
	      "shorter than the prefix");
	CHECK(opkey_histogram_key("add", 16, 0, buf, 1) == -1 && buf[0] == '\0', "size 1");
	CHECK(opkey_histogram_key("add", 16, 0, buf, 0) == -1, "size 0");
	CHECK(opkey_histogram_key("add", 16, 0, NULL, 16) == -1, "NULL out");
	CHECK(opkey_histogram_key(NULL, 16, 0, buf, sizeof buf) == -1 && buf[0] == '\0', "NULL op");
	CHECK(opkey_histogram_key("", 16, 0, buf, sizeof buf) == -1, "empty op");
	CHECK(opkey_op_version(NULL, 16, 0) == 0, "NULL op version");
	CHECK(opkey_op_version("", 16, 0) == 0, "empty op version");
	CHECK(opkey_evidence(NULL, 16, 0) == 0, "NULL op evidence");
}

static void test_unknown_ops(void)
{
	unsigned v;

	for (v = 15; v <= 18; v++) {
		expect_key("custom_layer", v, 0, "CustomLayer");
		expect_key("my_new_op_2d", v, 3600, "MyNewOp2d");
		CHECK(opkey_op_version("custom_layer", v, 0) == 15, "custom_layer version");
		CHECK(opkey_evidence("custom_layer", v, 0) == 'U', "custom_layer evidence");
	}
	expect_key("custom_layer", 26, 0, "CustomLayer");
	expect_key("x", 17, 0, "X");
	expect_key("already_Camel", 17, 0, "AlreadyCamel");
	expect_key("double__under_", 16, 0, "DoubleUnder");
	expect_key("Add", 16, 0, "Add"); /* names are case-sensitive */
	expect_key("adD", 16, 0, "AdD");
}

/* The docs/spec/coreml-input.md §5.2 catalogue, the state/attention ops and the
** op types of ../shared/corpus/generated must all be registry entries. */
static void test_coverage(void)
{
	static const char *const ops[] = {
		/* iOS15 base, 149 */
		"abs",
		"acos",
		"add",
		"argsort",
		"asin",
		"atan",
		"atanh",
		"avg_pool",
		"band_part",
		"batch_norm",
		"batch_to_space",
		"cast",
		"ceil",
		"clamped_relu",
		"classify",
		"clip",
		"concat",
		"cond",
		"const",
		"conv",
		"conv_quantized",
		"conv_transpose",
		"cos",
		"cosh",
		"crop",
		"crop_resize",
		"cumsum",
		"depth_to_space",
		"einsum",
		"elu",
		"equal",
		"erf",
		"exp",
		"exp2",
		"expand_dims",
		"fill",
		"flatten2d",
		"floor",
		"floor_div",
		"gather",
		"gather_along_axis",
		"gather_nd",
		"gelu",
		"greater",
		"greater_equal",
		"gru",
		"identity",
		"instance_norm",
		"inverse",
		"l2_norm",
		"l2_pool",
		"layer_norm",
		"leaky_relu",
		"less",
		"less_equal",
		"linear",
		"linear_activation",
		"list_gather",
		"list_length",
		"list_read",
		"list_scatter",
		"list_write",
		"local_response_norm",
		"log",
		"logical_and",
		"logical_not",
		"logical_or",
		"logical_xor",
		"lstm",
		"make_list",
		"matmul",
		"max_pool",
		"maximum",
		"minimum",
		"mod",
		"mul",
		"non_maximum_suppression",
		"non_zero",
		"not_equal",
		"one_hot",
		"pad",
		"pixel_shuffle",
		"pow",
		"prelu",
		"random_bernoulli",
		"random_categorical",
		"random_normal",
		"random_uniform",
		"range_1d",
		"real_div",
		"reduce_argmax",
		"reduce_argmin",
		"reduce_l1_norm",
		"reduce_l2_norm",
		"reduce_log_sum",
		"reduce_log_sum_exp",
		"reduce_max",
		"reduce_mean",
		"reduce_min",
		"reduce_prod",
		"reduce_sum",
		"reduce_sum_square",
		"relu",
		"relu6",
		"reshape",
		"resize_bilinear",
		"resize_nearest_neighbor",
		"reverse",
		"reverse_sequence",
		"rnn",
		"round",
		"rsqrt",
		"scaled_tanh",
		"scatter",
		"scatter_along_axis",
		"scatter_nd",
		"select",
		"shape",
		"sigmoid",
		"sigmoid_hard",
		"sign",
		"silu",
		"sin",
		"sinh",
		"slice_by_index",
		"slice_by_size",
		"sliding_windows",
		"softmax",
		"softplus",
		"softplus_parametric",
		"softsign",
		"space_to_batch",
		"space_to_depth",
		"split",
		"sqrt",
		"square",
		"squeeze",
		"stack",
		"sub",
		"tan",
		"tanh",
		"threshold",
		"thresholded_relu",
		"tile",
		"topk",
		"transpose",
		"upsample_bilinear",
		"upsample_nearest_neighbor",
		"while_loop",
		/* iOS15 additions, iOS16/17/18 new ops, proto-only */
		"affine",
		"resample",
		"constexpr_affine_dequantize",
		"constexpr_cast",
		"constexpr_lut_to_dense",
		"constexpr_sparse_to_dense",
		"fill_like",
		"pixel_unshuffle",
		"reshape_like",
		"dequantize",
		"quantize",
		"resize",
		"constexpr_blockwise_shift_scale",
		"constexpr_lut_to_sparse",
		"constexpr_sparse_blockwise_shift_scale",
		"read_state",
		"scaled_dot_product_attention",
		"slice_update",
		"write_state",
	};
	size_t i, n = opkey_registry_count();

	CHECK(COUNT(ops) == 149 + 19, "catalogue list has %u ops", (unsigned)COUNT(ops));
	for (i = 0; i < COUNT(ops); i++)
		CHECK(opkey_evidence(ops[i], 18, 0) != 'U', "%s not in registry", ops[i]);
	CHECK(n == COUNT(ops), "registry has %u entries, catalogue %u", (unsigned)n,
	      (unsigned)COUNT(ops));
	for (i = 1; i < n; i++)
		CHECK(strcmp(opkey_registry_op(i - 1), opkey_registry_op(i)) < 0,
		      "registry not sorted at %s / %s", opkey_registry_op(i - 1),
		      opkey_registry_op(i));
	CHECK(opkey_registry_op(n) == NULL, "registry_op past the end");
}

int main(void)
{
	test_tsv();
	test_naming();
	test_square_by_compiler();
	test_opsets();
	test_buffer();
	test_unknown_ops();
	test_coverage();
	printf("%s: %d checks, %d failed\n", g_failed ? "FAIL" : "ok", g_checks, g_failed);
	return g_failed ? 1 : 0;
}
