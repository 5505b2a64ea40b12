/*
** optable.c -- op type -> kernel: ONE sorted list (strcmp order), one line
** per op type, found by binary search.  Keep it sorted (a unit test checks);
** add an op by adding its line.  `const` ops never run: the plan turns
** them into constant values (plan.c).
*/
#include <string.h>

#include "runtime/op.h"
#include "runtime/ops2.h"

#define CX RT_F_CONSTEXPR

/* clang-format off */
static const struct rt_impl table[] = {
	{"abs", rt_op_unary, 0},
	{"acos", rt_op_unary, 0},
	{"add", rt_op_binary, 0},
	{"argsort", rt_op_argsort, 0},
	{"asin", rt_op_unary, 0},
	{"atan", rt_op_unary, 0},
	{"atanh", rt_op_unary, 0},
	{"avg_pool", rt_op_pool, 0},
	{"band_part", rt_op_band_part, 0},
	{"batch_norm", rt_op_batch_norm, 0},
	{"cast", rt_op_cast, 0},
	{"ceil", rt_op_unary, 0},
	{"clamped_relu", rt_op_unary, 0},
	{"clip", rt_op_clip, 0},
	{"concat", rt_op_concat, 0},
	{"constexpr_affine_dequantize", rt_op_affine_dequantize, CX},
	{"constexpr_blockwise_shift_scale", rt_op_blockwise_shift_scale, CX},
	{"constexpr_cast", rt_op_constexpr_cast, CX},
	{"constexpr_lut_to_dense", rt_op_lut_to_dense, CX},
	{"constexpr_sparse_to_dense", rt_op_sparse_to_dense, CX},
	{"conv", rt_op_conv, RT_F_LAZY},
	{"conv_transpose", rt_op_conv_transpose, 0},
	{"coreml_update_state", rt_op_coreml_update_state, 0},
	{"cos", rt_op_unary, 0},
	{"cosh", rt_op_unary, 0},
	{"cumsum", rt_op_cumsum, 0},
	{"depth_to_space", rt_op_space_depth, 0},
	{"einsum", rt_op_einsum, 0},
	{"elu", rt_op_unary, 0},
	{"equal", rt_op_compare, 0},
	{"erf", rt_op_unary, 0},
	{"exp", rt_op_unary, 0},
	{"exp2", rt_op_unary, 0},
	{"expand_dims", rt_op_expand_dims, 0},
	{"fill", rt_op_fill, 0},
	{"fill_like", rt_op_fill_like, 0},
	{"flatten2d", rt_op_flatten2d, 0},
	{"floor", rt_op_unary, 0},
	{"floor_div", rt_op_binary, 0},
	{"gather", rt_op_gather, 0},
	{"gather_along_axis", rt_op_gather_along_axis, 0},
	{"gather_nd", rt_op_gather_nd, 0},
	{"gelu", rt_op_unary, 0},
	{"greater", rt_op_compare, 0},
	{"greater_equal", rt_op_compare, 0},
	{"identity", rt_op_identity, 0},
	{"instance_norm", rt_op_instance_norm, 0},
	{"inverse", rt_op_unary, 0},
	{"l2_norm", rt_op_l2_norm, 0},
	{"l2_pool", rt_op_pool, 0},
	{"layer_norm", rt_op_layer_norm, 0},
	{"leaky_relu", rt_op_unary, 0},
	{"less", rt_op_compare, 0},
	{"less_equal", rt_op_compare, 0},
	{"linear", rt_op_linear, RT_F_LAZY},
	{"linear_activation", rt_op_unary, 0},
	{"log", rt_op_unary, 0},
	{"logical_and", rt_op_logical, 0},
	{"logical_not", rt_op_logical, 0},
	{"logical_or", rt_op_logical, 0},
	{"logical_xor", rt_op_logical, 0},
	{"lstm", rt_op_lstm, 0},
	{"matmul", rt_op_matmul, 0},
	{"max_pool", rt_op_pool, 0},
	{"maximum", rt_op_binary, 0},
	{"minimum", rt_op_binary, 0},
	{"mod", rt_op_binary, 0},
	{"mul", rt_op_binary, 0},
	{"non_zero", rt_op_non_zero, 0},
	{"not_equal", rt_op_compare, 0},
	{"one_hot", rt_op_one_hot, 0},
	{"pad", rt_op_pad, 0},
	{"pixel_shuffle", rt_op_space_depth, 0},
	{"pow", rt_op_binary, 0},
	{"prelu", rt_op_prelu, 0},
	{"range_1d", rt_op_range_1d, 0},
	{"read_state", rt_op_read_state, 0},
	{"real_div", rt_op_binary, 0},
	{"reduce_argmax", rt_op_arg_reduce, 0},
	{"reduce_argmin", rt_op_arg_reduce, 0},
	{"reduce_l1_norm", rt_op_reduce, 0},
	{"reduce_l2_norm", rt_op_reduce, 0},
	{"reduce_log_sum", rt_op_reduce, 0},
	{"reduce_log_sum_exp", rt_op_reduce, 0},
	{"reduce_max", rt_op_reduce, 0},
	{"reduce_mean", rt_op_reduce, 0},
	{"reduce_min", rt_op_reduce, 0},
	{"reduce_prod", rt_op_reduce, 0},
	{"reduce_sum", rt_op_reduce, 0},
	{"reduce_sum_square", rt_op_reduce, 0},
	{"relu", rt_op_unary, 0},
	{"relu6", rt_op_unary, 0},
	{"reshape", rt_op_reshape, 0},
	{"resize_bilinear", rt_op_resize_bilinear, 0},
	{"resize_nearest_neighbor", rt_op_resize_nearest, 0},
	{"reverse", rt_op_reverse, 0},
	{"rnn", rt_op_rnn, 0},
	{"round", rt_op_unary, 0},
	{"rsqrt", rt_op_unary, 0},
	{"scaled_dot_product_attention", rt_op_sdpa, 0},
	{"scaled_tanh", rt_op_unary, 0},
	{"scatter", rt_op_scatter, 0},
	{"scatter_along_axis", rt_op_scatter_along_axis, 0},
	{"scatter_nd", rt_op_scatter_nd, 0},
	{"select", rt_op_select, 0},
	{"shape", rt_op_shape, 0},
	{"sigmoid", rt_op_unary, 0},
	{"sigmoid_hard", rt_op_unary, 0},
	{"sign", rt_op_unary, 0},
	{"silu", rt_op_unary, 0},
	{"sin", rt_op_unary, 0},
	{"sinh", rt_op_unary, 0},
	{"slice_by_index", rt_op_slice_by_index, 0},
	{"slice_by_size", rt_op_slice_by_size, 0},
	{"slice_update", rt_op_slice_update, 0},
	{"softmax", rt_op_softmax, 0},
	{"softplus", rt_op_unary, 0},
	{"softsign", rt_op_unary, 0},
	{"space_to_depth", rt_op_space_depth, 0},
	{"split", rt_op_split, 0},
	{"sqrt", rt_op_unary, 0},
	{"square", rt_op_unary, 0},
	{"squeeze", rt_op_squeeze, 0},
	{"stack", rt_op_stack, 0},
	{"sub", rt_op_binary, 0},
	{"tan", rt_op_unary, 0},
	{"tanh", rt_op_unary, 0},
	{"thresholded_relu", rt_op_unary, 0},
	{"tile", rt_op_tile, 0},
	{"topk", rt_op_topk, 0},
	{"transpose", rt_op_transpose, 0},
	{"upsample_bilinear", rt_op_upsample_bilinear, 0},
	{"upsample_nearest_neighbor", rt_op_upsample_nearest, 0},
	{"write_state", rt_op_write_state, 0},
};
/* clang-format on */

static int cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct rt_impl *)e)->type);
}

const struct rt_impl *rt_find_impl(const char *type)
{
	return bsearch(type, table, sizeof table / sizeof *table, sizeof *table, cmp);
}

size_t rt_impl_count(const struct rt_impl **all)
{
	*all = table;
	return sizeof table / sizeof *table;
}
