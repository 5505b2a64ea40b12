/*
** opkey.c -- the op registry behind `mlProgramOperationTypeHistogram` keys.
**
** Model (HIGH for the rule, see opkey.h): each op has a set of registry
** versions (base = iOS15, and some of iOS16/17/18); a function of opset N
** uses the newest version <= N; the key is the UpperCamel form of the
** internal id (`slice_by_index` -> `SliceByIndex`, `ios17.gather_along_axis`
** -> `Ios17.gatherAlongAxis`).  ios26 functions use the ios18 registry (LOW:
** nothing ios26 has been observed).
**
** The table below was derived from:
**   - docs/spec/metadata-keys.md §3 (rows in tests/unit/test_opkey.c): histogram keys of
**     178 Apple-compiled metadata.json files (every row is reproduced for
**     every compiler it lists; the `square` ios17 split is k_since[]);
**   - docs/spec/mlmodelc.md §5.5 (the rule);
**   - docs/spec/coreml-input.md §5.2 (coremltools' op catalogue
**     per opset: an op version coremltools defines is assumed to exist);
**   - internal op ids (`ios18.conv`, `ios16.reduce_mean`, `pad`) printed by
**     MLComputePlan / E5RT on macOS 15-26 and quoted in public reports;
**   - family patterns (docs/spec/metadata-keys.md §3.2, §4.3) for the rest.
** Each entry carries one evidence tag per function opset 15/16/17/18, in
** the letters of opkey_evidence(); docs/spec/metadata-keys.md §4 lists the guesses.
*/
#include "bundle/metadata/opkey.h"

#include <string.h>

enum {
	V15 = 1 << 0, /* base version */
	V16 = 1 << 1,
	V17 = 1 << 2,
	V18 = 1 << 3
};

struct opkey_entry {
	const char *op;		/* MIL op type as printed in model.mil */
	unsigned char versions; /* V15..V18: registry versions, newest compiler */
	char evidence[5];	/* tag per function opset 15, 16, 17, 18 */
};

/* Sorted bytewise by op (bsearch).  Keep it sorted: the unit test checks. */
/* clang-format off */
static const struct opkey_entry k_registry[] = {
	{"abs",                                    V15|V16|V17|V18, "DPOP"},
	{"acos",                                   V15|V16|V17|V18, "DPPP"},
	{"add",                                    V15|V16|V17|V18, "OOOO"},
	{"affine",                                 V15,             "OPPP"},
	{"argsort",                                V15,             "DPPP"},
	{"asin",                                   V15|V16|V17|V18, "DPPP"},
	{"atan",                                   V15|V16|V17|V18, "DPOP"},
	{"atanh",                                  V15|V16|V17|V18, "DPPP"},
	{"avg_pool",                               V15|V16|V18,     "DDOP"},
	{"band_part",                              V15,             "DPPP"},
	{"batch_norm",                             V15|V16|V17|V18, "DOOC"},
	{"batch_to_space",                         V15,             "DPPP"},
	{"cast",                                   V15|V16|V17|V18, "OOOO"},
	{"ceil",                                   V15|V16|V17|V18, "DPPP"},
	{"clamped_relu",                           V15|V16|V17|V18, "DPTP"},
	{"classify",                               V15,             "DPPP"},
	{"clip",                                   V15|V16|V17|V18, "OOOP"},
	{"concat",                                 V15|V17|V18,     "OOOC"},
	{"cond",                                   V15,             "DPPP"},
	{"const",                                  V15,             "DPPP"},
	{"constexpr_affine_dequantize",            V16,             "XOOP"},
	{"constexpr_blockwise_shift_scale",        V18,             "XXXO"},
	{"constexpr_cast",                         V16|V18,         "XTTT"},
	{"constexpr_lut_to_dense",                 V16|V18,         "XOOO"},
	{"constexpr_lut_to_sparse",                V18,             "XXXT"},
	{"constexpr_sparse_blockwise_shift_scale", V18,             "XXXT"},
	{"constexpr_sparse_to_dense",              V16|V18,         "XOTT"},
	{"conv",                                   V15|V16|V17|V18, "OOOC"},
	{"conv_quantized",                         V15,             "DPPP"},
	{"conv_transpose",                         V15|V16|V17|V18, "OCTC"},
	{"cos",                                    V15|V16|V17|V18, "DPPC"},
	{"cosh",                                   V15|V16|V17|V18, "DPPP"},
	{"crop",                                   V15,             "DPPP"},
	{"crop_resize",                            V15|V16|V17,     "DTTP"},
	{"cumsum",                                 V15|V16,         "DDOP"},
	{"depth_to_space",                         V15,             "DPPP"},
	{"dequantize",                             V17,             "XXTP"},
	{"einsum",                                 V15|V16,         "DOSC"},
	{"elu",                                    V15|V16|V17|V18, "DPTP"},
	{"equal",                                  V15|V16|V17|V18, "DPOC"},
	{"erf",                                    V15|V16|V17|V18, "DPPP"},
	{"exp",                                    V15|V16|V17|V18, "DPPP"},
	{"exp2",                                   V15|V16|V17|V18, "DPPP"},
	{"expand_dims",                            V15|V17|V18,     "OOOO"},
	{"fill",                                   V15,             "DPPC"},
	{"fill_like",                              V16,             "XDOP"},
	{"flatten2d",                              V15,             "DPPP"},
	{"floor",                                  V15|V16|V17|V18, "DPOP"},
	{"floor_div",                              V15|V16|V17|V18, "OPOP"},
	{"gather",                                 V15|V16|V17|V18, "OOOO"},
	{"gather_along_axis",                      V15|V16|V17|V18, "OCOP"},
	{"gather_nd",                              V15|V16|V17|V18, "DTTP"},
	{"gelu",                                   V15|V16|V18,     "OOOO"},
	{"greater",                                V15|V16|V17|V18, "OPOP"},
	{"greater_equal",                          V15|V16|V17|V18, "DPOO"},
	{"gru",                                    V15|V16|V17|V18, "DPTT"},
	{"identity",                               V15,             "DOOP"},
	{"instance_norm",                          V15|V16|V17|V18, "DPOP"},
	{"inverse",                                V15|V16|V17|V18, "DPTP"},
	{"l2_norm",                                V15|V16|V17|V18, "DPTP"},
	{"l2_pool",                                V15|V16|V18,     "DPPP"},
	{"layer_norm",                             V15|V16|V17|V18, "OOOO"},
	{"leaky_relu",                             V15|V16|V17|V18, "DCTC"},
	{"less",                                   V15|V16|V17|V18, "DPOP"},
	{"less_equal",                             V15|V16|V17|V18, "DPPP"},
	{"linear",                                 V15|V16|V17|V18, "OOOO"},
	{"linear_activation",                      V15|V16|V17|V18, "DPTP"},
	{"list_gather",                            V15,             "DPPP"},
	{"list_length",                            V15,             "DPPP"},
	{"list_read",                              V15,             "DPPP"},
	{"list_scatter",                           V15,             "DPPP"},
	{"list_write",                             V15,             "DPPP"},
	{"local_response_norm",                    V15|V16|V17|V18, "DPTP"},
	{"log",                                    V15|V16|V17|V18, "OOOP"},
	{"logical_and",                            V15|V16|V17|V18, "DPOC"},
	{"logical_not",                            V15|V16|V17|V18, "DPOP"},
	{"logical_or",                             V15|V16|V17|V18, "DPPP"},
	{"logical_xor",                            V15|V16|V17|V18, "DPPP"},
	{"lstm",                                   V15|V16|V17|V18, "OOOC"},
	{"make_list",                              V15,             "DPPP"},
	{"matmul",                                 V15|V16|V17|V18, "OOOO"},
	{"max_pool",                               V15|V16|V18,     "OOPC"},
	{"maximum",                                V15|V16|V17|V18, "OOOP"},
	{"minimum",                                V15|V16|V17|V18, "DPOP"},
	{"mod",                                    V15|V16|V17|V18, "DPPP"},
	{"mul",                                    V15|V16|V17|V18, "OOOO"},
	{"non_maximum_suppression",                V15|V17,         "DPTP"},
	{"non_zero",                               V15,             "DPPP"},
	{"not_equal",                              V15|V16|V17|V18, "DPPP"},
	{"one_hot",                                V15,             "DPPP"},
	{"pad",                                    V15,             "OOOC"},
	{"pixel_shuffle",                          V15,             "DPPP"},
	{"pixel_unshuffle",                        V16,             "XTPP"},
	{"pow",                                    V15|V16|V17|V18, "OOOC"},
	{"prelu",                                  V15|V16|V17|V18, "DPTP"},
	{"quantize",                               V17,             "XXTP"},
	{"random_bernoulli",                       V15,             "DPPP"},
	{"random_categorical",                     V15,             "DPPP"},
	{"random_normal",                          V15,             "DPPP"},
	{"random_uniform",                         V15,             "DPPP"},
	{"range_1d",                               V15,             "DDOC"},
	{"read_state",                             V18,             "XXXC"},
	{"real_div",                               V15|V16|V17|V18, "DOOC"},
	{"reduce_argmax",                          V15|V16|V17,     "OOOP"},
	{"reduce_argmin",                          V15|V16|V17,     "DPTP"},
	{"reduce_l1_norm",                         V15|V16,         "DPPP"},
	{"reduce_l2_norm",                         V15|V16,         "DOPP"},
	{"reduce_log_sum",                         V15|V16,         "DPPP"},
	{"reduce_log_sum_exp",                     V15|V16,         "DPPP"},
	{"reduce_max",                             V15|V16,         "OOOP"},
	{"reduce_mean",                            V15|V16,         "OOOO"},
	{"reduce_min",                             V15|V16,         "OPPP"},
	{"reduce_prod",                            V15|V16,         "DPPP"},
	{"reduce_sum",                             V15|V16,         "DOOO"},
	{"reduce_sum_square",                      V15|V16,         "DPPP"},
	{"relu",                                   V15|V16|V18,     "OOOO"},
	{"relu6",                                  V15|V16|V18,     "DPPP"},
	{"resample",                               V15|V16|V17,     "DTTP"},
	{"reshape",                                V15|V16|V17|V18, "OOOO"},
	{"reshape_like",                           V16|V17|V18,     "XTTP"},
	{"resize",                                 V17,             "XXTP"},
	{"resize_bilinear",                        V15|V16,         "DPPP"},
	{"resize_nearest_neighbor",                V15,             "DPPP"},
	{"reverse",                                V15|V17|V18,     "OPTP"},
	{"reverse_sequence",                       V15|V17|V18,     "DPTP"},
	{"rnn",                                    V15|V16|V17|V18, "DPTP"},
	{"round",                                  V15|V16|V17|V18, "DPPP"},
	{"rsqrt",                                  V15|V16|V17|V18, "DOOC"},
	{"scaled_dot_product_attention",           V18,             "XXXC"},
	{"scaled_tanh",                            V15|V16|V17|V18, "DPTP"},
	{"scatter",                                V15|V16|V17|V18, "OPTP"},
	{"scatter_along_axis",                     V15|V16|V17|V18, "DPTP"},
	{"scatter_nd",                             V15|V16|V17|V18, "DPTP"},
	{"select",                                 V15,             "ODOO"},
	{"shape",                                  V15,             "DDOC"},
	{"sigmoid",                                V15|V16|V18,     "OOOO"},
	{"sigmoid_hard",                           V15|V16|V17|V18, "DPTP"},
	{"sign",                                   V15|V16|V17|V18, "OPPP"},
	{"silu",                                   V15|V16|V18,     "DDOC"},
	{"sin",                                    V15|V16|V17|V18, "DCOC"},
	{"sinh",                                   V15|V16|V17|V18, "DPPP"},
	{"slice_by_index",                         V15|V17|V18,     "OOOC"},
	{"slice_by_size",                          V15|V17|V18,     "DPTP"},
	{"slice_update",                           V18,             "XXXC"},
	{"sliding_windows",                        V15|V17|V18,     "DPTP"},
	{"softmax",                                V15|V16|V18,     "OOOO"},
	{"softplus",                               V15|V16|V18,     "DPPP"},
	{"softplus_parametric",                    V15|V16|V17|V18, "DPTP"},
	{"softsign",                               V15|V16|V18,     "DPPP"},
	{"space_to_batch",                         V15,             "DPPP"},
	{"space_to_depth",                         V15,             "DPPP"},
	{"split",                                  V15,             "DOOC"},
	{"sqrt",                                   V15|V16|V17|V18, "OOOP"},
	{"square",                                 V15|V16|V17|V18, "DOOP"},
	{"squeeze",                                V15|V17|V18,     "OOOC"},
	{"stack",                                  V15,             "ODOP"},
	{"sub",                                    V15|V16|V17|V18, "OOOO"},
	{"tan",                                    V15|V16|V17|V18, "DPPP"},
	{"tanh",                                   V15|V16|V17|V18, "OOOO"},
	{"threshold",                              V15|V16|V17|V18, "DPPP"},
	{"thresholded_relu",                       V15|V16|V17|V18, "DPTP"},
	{"tile",                                   V15,             "OCOC"},
	{"topk",                                   V15|V16|V17|V18, "DCOC"},
	{"transpose",                              V15|V17|V18,     "OOOO"},
	{"upsample_bilinear",                      V15|V16,         "DDOC"},
	{"upsample_nearest_neighbor",              V15,             "DDOP"},
	{"while_loop",                             V15,             "DPPP"},
	{"write_state",                            V18,             "XXXC"},
};
/* clang-format on */

#define NREGISTRY (sizeof k_registry / sizeof k_registry[0])

/* Compiler-dependent versions: version 'version' of 'op' exists only from
** coremlc major 'since' on.  `square`: Ios16.square in ios17 functions with
** 1877.40.3 (4 files), Ios17.square with 3304.6.2 (1 file); the change lies
** somewhere in 1877 < major <= 3304, 3304 is the first release seen with it. */
/* clang-format off */
static const struct {
	const char *op;
	unsigned version;
	unsigned since;
} k_since[] = {
	{"square", 17, 3304},
};
/* clang-format on */

static const struct opkey_entry *lookup(const char *op)
{
	size_t lo = 0, hi = NREGISTRY;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(op, k_registry[mid].op);

		if (c == 0)
			return &k_registry[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Function opset -> registry opset: 15..18 as is, 26 -> 18, else 0. */
static unsigned registry_opset(unsigned opset)
{
	if (opset >= 15 && opset <= 18)
		return opset;
	if (opset == 26)
		return 18;
	return 0;
}

/* Version mask of 'op' for compiler 'major' (0 = newest). */
static unsigned version_mask(const char *op, const struct opkey_entry *e, unsigned major)
{
	unsigned mask = e ? e->versions : V15;
	size_t i;

	for (i = 0; i < sizeof k_since / sizeof k_since[0]; i++)
		if (major != 0 && major < k_since[i].since && strcmp(op, k_since[i].op) == 0)
			mask &= ~(1u << (k_since[i].version - 15));
	return mask;
}

/* Newest version <= 'ropset' in 'mask', else the lowest one. */
static unsigned pick_version(unsigned mask, unsigned ropset)
{
	unsigned v;

	for (v = ropset; v >= 15; v--)
		if (mask & (1u << (v - 15)))
			return v;
	for (v = 15; v <= 18; v++)
		if (mask & (1u << (v - 15)))
			return v;
	return 15; /* unreachable: every mask has a bit */
}

unsigned opkey_op_version(const char *op, unsigned opset, unsigned coremlc_major)
{
	unsigned ropset = registry_opset(opset);

	if (op == NULL || op[0] == '\0' || ropset == 0)
		return 0;
	return pick_version(version_mask(op, lookup(op), coremlc_major), ropset);
}

/* Append the UpperCamel form of 's' (first character and every character
** after `_` upper-cased, `_` dropped) to out at *len; count past the end. */
static void put_camel(const char *s, int upper, char *out, size_t outsz, size_t *len)
{
	for (; *s != '\0'; s++) {
		char ch = *s;

		if (ch == '_') {
			upper = 1;
			continue;
		}
		if (upper && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		upper = 0;
		if (*len + 1 < outsz)
			out[*len] = ch;
		(*len)++;
	}
}

int opkey_histogram_key(const char *op, unsigned opset, unsigned coremlc_major, char *out,
			size_t outsz)
{
	unsigned v = opkey_op_version(op, opset, coremlc_major);
	size_t len = 0;

	if (out == NULL || outsz == 0)
		return -1;
	out[0] = '\0';
	if (v == 0)
		return -1;
	if (v != 15) {
		char prefix[] = "Ios00.";

		prefix[3] = (char)('0' + v / 10);
		prefix[4] = (char)('0' + v % 10);
		put_camel(prefix, 0, out, outsz, &len);
		put_camel(op, 0, out, outsz, &len);
	} else {
		put_camel(op, 1, out, outsz, &len);
	}
	if (len + 1 > outsz) {
		out[0] = '\0';
		return -1;
	}
	out[len] = '\0';
	return 0;
}

int opkey_evidence(const char *op, unsigned opset, unsigned coremlc_major)
{
	unsigned ropset = registry_opset(opset);
	const struct opkey_entry *e;
	size_t i;

	if (op == NULL || op[0] == '\0' || ropset == 0)
		return 0;
	if (opset == 26)
		return 'P';
	e = lookup(op);
	if (e == NULL)
		return 'U';
	/* Before a k_since[] change the older key is the observed one. */
	for (i = 0; i < sizeof k_since / sizeof k_since[0]; i++)
		if (coremlc_major != 0 && coremlc_major < k_since[i].since &&
		    strcmp(op, k_since[i].op) == 0 && ropset == k_since[i].version)
			return 'O';
	return e->evidence[ropset - 15];
}

const char *opkey_evidence_name(int tag)
{
	switch (tag) {
	case 'O': return "observed in Apple metadata.json";
	case 'D': return "deduced from observed keys";
	case 'S': return "observed, opset inferred";
	case 'C': return "internal id seen in MLComputePlan/E5RT output";
	case 'T': return "coremltools op history";
	case 'P': return "pattern guess";
	case 'X': return "no version <= opset (lowest used)";
	case 'U': return "unknown op (base-name fallback)";
	default: return "invalid";
	}
}

size_t opkey_registry_count(void)
{
	return NREGISTRY;
}

const char *opkey_registry_op(size_t i)
{
	return i < NREGISTRY ? k_registry[i].op : NULL;
}
