/*
** catalogue.c -- every op of the iOS15..iOS18 MIL opsets (ops.h), and the
** parser of the rows' input texts.
**
** Facts from the public op definitions of coremltools
** (coremltools/converters/mil/mil/ops/defs/iOS15..iOS18 and the coreml
** dialect); one row per op version, a newer row replacing the older one
** from its 'first' opset on.  Sorted by name, then 'first': ops_find()
** searches it by halves.  write_state (iOS18) is the form
** coreml_update_state takes in a saved program.
*/
#include "ops/ops.h"

#include <string.h>

/* clang-format off */
static const struct op_def table[] = {
	{"abs", 15, 0, "x:T",
	 "T=fp16|fp32|int32", inf_same},
	{"acos", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"add", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"affine", 15, 0, "x:T transform_matrix:T output_height!:int32 output_width!:int32 sampling_mode!:string padding_mode!:string padding_value!:T coordinates_mode!:string align_corners!:bool",
	 "T=fp16|fp32", inf_none},
	{"argsort", 15, 0, "x:T axis?!:int32 ascending?!:bool",
	 "T=fp16|fp32|int32", inf_argsort},
	{"asin", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"atan", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"atanh", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"avg_pool", 15, 0, "exclude_padding_from_average?!:bool x:T kernel_sizes!:int32 strides?!:int32 pad_type!:string pad?!:int32 ceil_mode?!:bool",
	 "T=fp16|fp32", inf_pool},
	{"band_part", 15, 0, "x:T lower?!:int32 upper?!:int32",
	 "T=fp16|fp32|int32|bool", inf_same},
	{"batch_norm", 15, 16, "x:T mean!:T variance!:T gamma?!:T beta?!:T epsilon?!:T",
	 "T=fp16|fp32", inf_same},
	{"batch_norm", 17, 0, "x:T mean!:U variance!:U gamma?!:U beta?!:U epsilon?!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"batch_to_space", 15, 0, "x:T block_shape!:int32 crops!:int32",
	 "T=fp16|fp32", inf_none},
	{"cast", 15, 16, "x:T dtype!:string",
	 "T=fp16|fp32|int32|bool", inf_cast},
	{"cast", 17, 0, "x:T dtype!:string",
	 "T=fp16|fp32|int8|uint8|int16|uint16|int32|bool", inf_cast},
	{"ceil", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"clamped_relu", 15, 16, "x:T alpha!:T beta!:T",
	 "T=fp16|fp32", inf_same},
	{"clamped_relu", 17, 0, "x:T alpha!:U beta!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"classify", 15, 0, "probabilities:fp32 classes!:list",
	 "", inf_none},
	{"clip", 15, 16, "x:T alpha!:T beta!:T",
	 "T=fp16|fp32", inf_same},
	{"clip", 17, 0, "x:T alpha!:T beta!:T",
	 "T=fp16|fp32", inf_same},
	{"concat", 15, 0, "values:tuple axis!:int32 interleave?!:bool",
	 "", inf_concat},
	{"cond", 15, 0, "pred:bool",
	 "", inf_cond},
	{"const", 15, 0, "",
	 "", inf_const},
	{"constexpr_affine_dequantize", 16, 0, "quantized_data!:T zero_point!:U scale!:V axis!:int32",
	 "T=uint8|int8 U=uint8|int8|fp32 V=fp16|fp32", inf_constexpr},
	{"constexpr_blockwise_shift_scale", 18, 0, "data!:T scale!:U offset?!:V",
	 "T=int4|uint4|int8|uint8|fp16|fp32 U=fp16|fp32 V=int4|uint4|int8|uint8|fp16|fp32", inf_constexpr},
	{"constexpr_cast", 16, 17, "source_val!:fp16 output_dtype!:string",
	 "", inf_constexpr},
	{"constexpr_cast", 18, 0, "source_val!:fp16 output_dtype!:string",
	 "", inf_constexpr},
	{"constexpr_lut_to_dense", 16, 17, "indices!:uint8 lut!:T shape!:uint32",
	 "T=int8|uint8|fp16|fp32", inf_constexpr},
	{"constexpr_lut_to_dense", 18, 0, "indices!:U lut!:T vector_axis?!:int32",
	 "T=int8|uint8|fp16|fp32 U=uint1|uint2|uint3|uint4|uint6|uint8", inf_constexpr},
	{"constexpr_lut_to_sparse", 18, 0, "indices_mask!:uint1 indices_nonzero_data!:U lut!:T vector_axis?!:int32",
	 "T=int8|uint8|fp16|fp32 U=uint1|uint2|uint3|uint4|uint6|uint8", inf_constexpr},
	{"constexpr_sparse_blockwise_shift_scale", 18, 0, "data_mask!:uint1 nonzero_data!:T scale!:U offset?!:V",
	 "T=int4|uint4|int8|uint8|fp16|fp32 U=fp16|fp32 V=int4|uint4|int8|uint8|fp16|fp32", inf_constexpr},
	{"constexpr_sparse_to_dense", 16, 17, "nonzero_data!:T mask!:uint8 shape!:uint32",
	 "T=int8|uint8|fp16|fp32", inf_constexpr},
	{"constexpr_sparse_to_dense", 18, 0, "nonzero_data!:T mask!:uint1",
	 "T=int4|uint4|int8|uint8|fp16|fp32", inf_constexpr},
	{"conv", 15, 16, "x:T weight:T bias?!:T strides?!:int32 pad_type?!:string pad?!:int32 dilations?!:int32 groups?!:int32",
	 "T=fp16|fp32", inf_conv},
	{"conv", 17, 0, "x:T weight:U bias?:U strides?!:int32 pad_type?!:string pad?!:int32 dilations?!:int32 groups?!:int32",
	 "T=fp16|fp32 U=fp16|fp32", inf_conv},
	{"conv_quantized", 15, 0, "x:T weight:U bias?!:U quantization_type!:string nbits?!:int32 quant_scale!:T quant_bias!:T strides?!:int32 pad_type?!:string pad?!:int32 dilations?!:int32 groups?!:int32",
	 "T=fp32|fp16 U=uint8", inf_none},
	{"conv_transpose", 15, 16, "x:T weight!:T bias?!:T pad?!:int32 output_shape?!:int32 pad_type?!:string strides?!:int32 dilations?!:int32 groups?!:int32",
	 "T=fp16|fp32", inf_conv_transpose},
	{"conv_transpose", 17, 0, "x:T weight:U bias?:U pad?!:int32 output_shape?!:int32 pad_type?!:string strides?!:int32 dilations?!:int32 groups?!:int32",
	 "T=fp16|fp32 U=fp16|fp32", inf_conv_transpose},
	{"coreml_update_state", 18, 0, "state:state value:T",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool", inf_update_state},
	{"cos", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"cosh", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"crop", 15, 0, "x:T crop_height!:int32 crop_width!:int32",
	 "T=fp16|fp32", inf_crop},
	{"crop_resize", 15, 15, "x:T roi:T target_height?!:int32 target_width?!:int32 normalized_coordinates?!:bool spatial_scale?!:fp32 box_coordinate_mode?!:string sampling_mode?!:string",
	 "T=fp16|fp32", inf_none},
	{"crop_resize", 16, 16, "x:T roi:T target_height?!:int32 target_width?!:int32 normalized_coordinates?!:bool spatial_scale?!:fp32 box_coordinate_mode?!:string sampling_mode?!:string pad_value?!:T",
	 "T=fp16|fp32", inf_none},
	{"crop_resize", 17, 0, "x:T boxes:U box_indices?:V target_height?!:int32 target_width?!:int32 normalized_coordinates?!:bool spatial_scale?!:fp32 box_coordinate_mode?!:string sampling_mode?!:string pad_value?!:T",
	 "T=fp16|fp32 U=fp16|fp32|uint16 V=uint16|int32", inf_none},
	{"cumsum", 15, 0, "x:T axis?!:int32 exclusive?!:bool reverse?!:bool",
	 "T=fp16|fp32|int32", inf_same},
	{"depth_to_space", 15, 0, "x:T block_size!:int32",
	 "T=fp16|fp32", inf_space_depth},
	{"dequantize", 17, 0, "input:T zero_point?!:T scale!:U axis?!:int32",
	 "T=uint8|int8 U=fp16|fp32", inf_none},
	{"einsum", 15, 0, "values:tuple equation!:string",
	 "", inf_none},
	{"elu", 15, 16, "x:T alpha!:T",
	 "T=fp16|fp32", inf_same},
	{"elu", 17, 0, "x:T alpha!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"equal", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_compare},
	{"erf", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"exp", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"exp2", 15, 0, "x:T",
	 "T=fp16|fp32|int32", inf_same},
	{"expand_dims", 15, 16, "x:T axes!:int32",
	 "T=fp16|fp32|int32|bool", inf_expand_dims},
	{"expand_dims", 17, 0, "x:T axes!:int32",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool", inf_expand_dims},
	{"fill", 15, 0, "shape:int32 value?!:T",
	 "T=fp16|fp32|int32|bool", inf_fill},
	{"fill_like", 16, 0, "ref_tensor:T value?!:U",
	 "T=fp16|fp32|int32|bool U=fp16|fp32|int32|bool", inf_none},
	{"flatten2d", 15, 0, "x:T axis?!:int32",
	 "T=fp16|fp32|int32|bool", inf_flatten2d},
	{"floor", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"floor_div", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"gather", 15, 15, "x:T indices:int32 axis?!:int32",
	 "T=fp16|fp32|int32", inf_gather},
	{"gather", 16, 16, "x:T indices:I axis?!:int32 batch_dims?!:int32",
	 "I=int32|uint16|int16 T=fp16|fp32|int32", inf_gather},
	{"gather", 17, 0, "x:T indices:I axis?!:int32 batch_dims?!:int32 validate_indices?!:bool",
	 "I=int32|int16|uint16|int8|uint8 T=fp16|fp32|int32|int16|uint16|int8|uint8", inf_gather},
	{"gather_along_axis", 15, 15, "x:T indices:int32 axis?!:int32",
	 "T=fp16|fp32|int32", inf_gather_along_axis},
	{"gather_along_axis", 16, 16, "x:T indices:I axis?!:int32",
	 "I=int32|uint16|int16 T=fp16|fp32|int32", inf_gather_along_axis},
	{"gather_along_axis", 17, 0, "x:T indices:I axis?!:int32 validate_indices?!:bool",
	 "I=int32|int16|uint16|int8|uint8 T=fp16|fp32|int32|int16|uint16|int8|uint8", inf_gather_along_axis},
	{"gather_nd", 15, 15, "x:T indices:int32",
	 "T=fp16|fp32|int32", inf_gather_nd},
	{"gather_nd", 16, 16, "x:T indices:I batch_dims?!:int32",
	 "I=int32|uint16|int16 T=fp16|fp32|int32", inf_gather_nd},
	{"gather_nd", 17, 0, "x:T indices:I batch_dims?!:int32 validate_indices?!:bool",
	 "I=int32|int16|uint16|int8|uint8 T=fp16|fp32|int32|int16|uint16|int8|uint8", inf_gather_nd},
	{"gelu", 15, 0, "x:T mode?!:string",
	 "T=fp16|fp32", inf_same},
	{"greater", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_compare},
	{"greater_equal", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_compare},
	{"gru", 15, 16, "x:T initial_h:T weight_ih!:T weight_hh!:T bias?!:T direction?!:string output_sequence?!:bool recurrent_activation?!:string activation?!:string",
	 "T=fp32", inf_rnn},
	{"gru", 17, 17, "x:T initial_h:T weight_ih!:T weight_hh!:T bias?!:T direction?!:string output_sequence?!:bool recurrent_activation?!:string activation?!:string",
	 "T=fp16|fp32", inf_rnn},
	{"gru", 18, 0, "x:T initial_h:T weight_ih!:T weight_hh!:T bias?!:T direction?!:string output_sequence?!:bool recurrent_activation?!:string activation?!:string reset_after?!:bool input_bias?!:T",
	 "T=fp16|fp32", inf_rnn},
	{"identity", 15, 0, "x:any",
	 "", inf_same},
	{"instance_norm", 15, 16, "x:T gamma?!:T beta?!:T epsilon?!:T",
	 "T=fp16|fp32", inf_same},
	{"instance_norm", 17, 0, "x:T gamma?!:U beta?!:U epsilon?!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"inverse", 15, 16, "x:T epsilon?!:T",
	 "T=fp16|fp32", inf_same},
	{"inverse", 17, 0, "x:T epsilon?!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"l2_norm", 15, 16, "x:T epsilon?!:T",
	 "T=fp16|fp32", inf_same},
	{"l2_norm", 17, 0, "x:T epsilon?!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"l2_pool", 15, 0, "x:T kernel_sizes!:int32 strides?!:int32 pad_type!:string pad?!:int32 ceil_mode?!:bool",
	 "T=fp16|fp32", inf_pool},
	{"layer_norm", 15, 16, "x:T axes?!:int32 gamma?!:T beta?!:T epsilon?!:T",
	 "T=fp16|fp32", inf_same},
	{"layer_norm", 17, 0, "x:T axes?!:int32 gamma?!:U beta?!:U epsilon?!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"leaky_relu", 15, 16, "x:T alpha!:T",
	 "T=fp16|fp32", inf_same},
	{"leaky_relu", 17, 0, "x:T alpha!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"less", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_compare},
	{"less_equal", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_compare},
	{"linear", 15, 16, "x:T weight!:T bias?!:T",
	 "T=fp16|fp32|int32", inf_linear},
	{"linear", 17, 0, "x:T weight!:U bias?!:U",
	 "T=fp16|fp32|int32 U=fp16|fp32|int32", inf_linear},
	{"linear_activation", 15, 16, "x:T alpha!:T beta!:T",
	 "T=fp16|fp32", inf_same},
	{"linear_activation", 17, 0, "x:T alpha!:U beta!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"list_gather", 15, 0, "ls:list indices:int32",
	 "", inf_none},
	{"list_length", 15, 0, "ls:list",
	 "", inf_none},
	{"list_read", 15, 0, "ls:list index:int32",
	 "", inf_none},
	{"list_scatter", 15, 0, "ls:list indices:int32 value:T",
	 "T=fp16|fp32|bool|int32", inf_none},
	{"list_write", 15, 0, "ls:list index:int32 value:T",
	 "T=fp16|fp32|bool|int32", inf_none},
	{"local_response_norm", 15, 16, "x:T size!:int32 alpha?!:T beta?!:T k?!:T",
	 "T=fp16|fp32", inf_same},
	{"local_response_norm", 17, 0, "x:T size!:int32 alpha?!:U beta?!:U k?!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"log", 15, 16, "x:T epsilon?!:T",
	 "T=fp16|fp32", inf_same},
	{"log", 17, 0, "x:T epsilon?!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"logical_and", 15, 0, "x:T y:T",
	 "T=bool", inf_compare},
	{"logical_not", 15, 0, "x:bool",
	 "", inf_same},
	{"logical_or", 15, 0, "x:T y:T",
	 "T=bool", inf_compare},
	{"logical_xor", 15, 0, "x:T y:T",
	 "T=bool", inf_compare},
	{"lstm", 15, 16, "x:T initial_h:T initial_c:T weight_ih!:T weight_hh!:T bias?!:T peephole?!:T weight_ih_back?!:T weight_hh_back?!:T bias_back?!:T peephole_back?!:T direction?!:string output_sequence?!:bool recurrent_activation?!:string cell_activation?!:string activation?!:string clip?!:T",
	 "T=fp32", inf_rnn},
	{"lstm", 17, 0, "x:T initial_h:T initial_c:T weight_ih!:T weight_hh!:T bias?!:T peephole?!:T weight_ih_back?!:T weight_hh_back?!:T bias_back?!:T peephole_back?!:T direction?!:string output_sequence?!:bool recurrent_activation?!:string cell_activation?!:string activation?!:string clip?!:T",
	 "T=fp16|fp32", inf_rnn},
	{"make_list", 15, 0, "init_length?:int32 dynamic_length?!:bool elem_shape:tuple dtype?!:string",
	 "", inf_none},
	{"matmul", 15, 16, "x:T y:T transpose_x?!:bool transpose_y?!:bool",
	 "T=fp16|fp32|int32", inf_matmul},
	{"matmul", 17, 0, "x:T y:U transpose_x?!:bool transpose_y?!:bool",
	 "T=fp16|fp32|int32 U=fp16|fp32|int32", inf_matmul},
	{"max_pool", 15, 0, "x:T kernel_sizes!:int32 strides?!:int32 pad_type!:string pad?!:int32 ceil_mode?!:bool",
	 "T=fp16|fp32", inf_pool},
	{"maximum", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"minimum", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"mod", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"mul", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"non_maximum_suppression", 15, 16, "boxes:T scores:T iou_threshold!:T score_threshold!:T max_boxes!:int32 per_class_suppression?!:bool",
	 "T=fp16|fp32", inf_none},
	{"non_maximum_suppression", 17, 0, "boxes:T scores:T iou_threshold!:T max_boxes!:int32 per_class_suppression?!:bool",
	 "T=fp16|fp32", inf_none},
	{"non_zero", 15, 0, "x:T",
	 "T=fp16|fp32|int32|bool", inf_non_zero},
	{"not_equal", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_compare},
	{"one_hot", 15, 0, "indices:int32 one_hot_vector_size:int32 axis?!:int32 on_value?!:T off_value?!:T",
	 "T=fp16|fp32|int32|bool", inf_none},
	{"pad", 15, 0, "x:T pad:int32 mode?!:string constant_val?!:T",
	 "T=fp16|fp32", inf_pad},
	{"pixel_shuffle", 15, 0, "x:T upscale_factor!:int32",
	 "T=fp16|fp32", inf_space_depth},
	{"pixel_unshuffle", 16, 0, "x:T downscale_factor!:uint32",
	 "T=fp16|fp32", inf_space_depth},
	{"pow", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"prelu", 15, 16, "x:T alpha!:T",
	 "T=fp16|fp32", inf_same},
	{"prelu", 17, 0, "x:T alpha!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"quantize", 17, 0, "input:T zero_point?!:U scale!:T axis?!:int32 output_dtype!:string",
	 "T=fp16|fp32 U=uint8|int8", inf_none},
	{"random_bernoulli", 15, 0, "shape:int32 prob?!:T seed?!:int32",
	 "T=fp16|fp32", inf_none},
	{"random_categorical", 15, 0, "x:T mode?!:string size?!:int32 seed?!:int32",
	 "T=fp16|fp32", inf_none},
	{"random_normal", 15, 0, "shape:int32 mean?!:T stddev?!:T seed?!:int32",
	 "T=fp16|fp32", inf_none},
	{"random_uniform", 15, 0, "shape:int32 low?!:T high?!:T seed?!:int32",
	 "T=fp16|fp32", inf_none},
	{"range_1d", 15, 0, "end:T start:T step:T",
	 "T=fp16|fp32|int32", inf_none},
	{"read_state", 18, 0, "input:state",
	 "", inf_read_state},
	{"real_div", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"reduce_argmax", 15, 16, "x:T axis?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_argreduce},
	{"reduce_argmax", 17, 0, "x:T axis?!:int32 keep_dims?!:bool output_dtype?!:string",
	 "T=fp16|fp32|int32", inf_argreduce},
	{"reduce_argmin", 15, 16, "x:T axis?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_argreduce},
	{"reduce_argmin", 17, 0, "x:T axis?!:int32 keep_dims?!:bool output_dtype?!:string",
	 "T=fp16|fp32|int32", inf_argreduce},
	{"reduce_l1_norm", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_l2_norm", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_log_sum", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_log_sum_exp", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_max", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_mean", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_min", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_prod", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_sum", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"reduce_sum_square", 15, 0, "x:T axes?!:int32 keep_dims?!:bool",
	 "T=fp16|fp32|int32", inf_reduce},
	{"relu", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"relu6", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"resample", 15, 15, "x:T coordinates:U sampling_mode!:string padding_mode!:string padding_value!:T coordinates_mode!:string align_corners!:bool",
	 "T=fp16|fp32 U=int32|fp32", inf_none},
	{"resample", 16, 16, "x:T coordinates:U sampling_mode!:string padding_mode!:string padding_value!:T coordinates_mode!:string align_corners!:bool",
	 "T=fp16|fp32 U=int32|fp16|fp32", inf_none},
	{"resample", 17, 0, "x:T coordinates:U sampling_mode!:string padding_mode!:string padding_value!:T coordinates_mode!:string align_corners!:bool",
	 "T=fp16|fp32 U=int8|uint8|int16|uint16|int32|fp16|fp32", inf_none},
	{"reshape", 15, 16, "x:T shape:int32",
	 "T=fp16|fp32|int32|bool", inf_reshape},
	{"reshape", 17, 0, "x:T shape:U",
	 "T=fp16|fp32|int8|uint8|int16|uint16|int32|bool U=int8|int16|int32", inf_reshape},
	{"reshape_like", 16, 16, "x:T ref_tensors:tuple begins:tuple ends:tuple end_masks:tuple",
	 "T=fp16|fp32|int32|bool", inf_none},
	{"reshape_like", 17, 0, "x:T ref_tensors:tuple begins:tuple ends:tuple end_masks:tuple",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool", inf_none},
	{"resize", 17, 0, "x:T shape:U resized_dims!:uint32 interpolation_mode?!:string sampling_mode?!:string",
	 "T=fp16|fp32|int32 U=int32|int16|uint16|uint32", inf_none},
	{"resize_bilinear", 15, 0, "x:T target_size_height?!:int32 target_size_width?!:int32 sampling_mode?!:string",
	 "T=fp16|fp32", inf_resize2d},
	{"resize_nearest_neighbor", 15, 0, "x:T target_size_height!:int32 target_size_width!:int32",
	 "T=fp16|fp32", inf_resize2d},
	{"reverse", 15, 16, "x:T axes?!:int32",
	 "T=fp16|fp32|int32|bool", inf_same},
	{"reverse", 17, 0, "x:T axes?!:int32",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool", inf_same},
	{"reverse_sequence", 15, 16, "x:T lengths:int32 seq_axis?!:int32 batch_axis?!:int32",
	 "T=fp16|fp32|int32|bool", inf_same},
	{"reverse_sequence", 17, 0, "x:T lengths:U seq_axis?!:int32 batch_axis?!:int32",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool U=int8|int16|int32", inf_same},
	{"rnn", 15, 16, "x:T initial_h:T weight_ih!:T weight_hh!:T bias?!:T direction?!:string output_sequence?!:bool activation?!:string",
	 "T=fp32", inf_rnn},
	{"rnn", 17, 0, "x:T initial_h:T weight_ih!:T weight_hh!:T bias?!:T direction?!:string output_sequence?!:bool activation?!:string",
	 "T=fp16|fp32", inf_rnn},
	{"round", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"rsqrt", 15, 16, "x:T epsilon?!:T",
	 "T=fp16|fp32", inf_same},
	{"rsqrt", 17, 0, "x:T epsilon?!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"scaled_dot_product_attention", 18, 0, "query:T key:T value:T attn_mask?:M",
	 "M=bool|fp16|fp32 T=fp16|fp32", inf_sdpa},
	{"scaled_tanh", 15, 16, "x:T alpha!:T beta!:T",
	 "T=fp16|fp32", inf_same},
	{"scaled_tanh", 17, 0, "x:T alpha!:U beta!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"scatter", 15, 16, "data:T indices:int32 updates:T axis?!:int32 mode?!:string",
	 "T=fp16|fp32|int32", inf_scatter},
	{"scatter", 17, 0, "data:T indices:int32 updates:T axis?!:int32 mode?!:string validate_indices?!:bool",
	 "T=fp16|fp32|int32", inf_scatter},
	{"scatter_along_axis", 15, 16, "data:T indices:int32 updates:T axis?!:int32 mode?!:string",
	 "T=fp16|fp32|int32", inf_scatter},
	{"scatter_along_axis", 17, 0, "data:T indices:int32 updates:T axis?!:int32 mode?!:string validate_indices?!:bool",
	 "T=fp16|fp32|int32", inf_scatter},
	{"scatter_nd", 15, 16, "data:T indices:int32 updates:T mode?!:string",
	 "T=fp16|fp32|int32", inf_scatter},
	{"scatter_nd", 17, 0, "data:T indices:int32 updates:T mode?!:string validate_indices?!:bool",
	 "T=fp16|fp32|int32", inf_scatter},
	{"select", 15, 0, "cond:bool a:T b:T",
	 "T=fp16|fp32|bool|int32", inf_select},
	{"shape", 15, 0, "x:T",
	 "T=fp16|fp32|int32|bool", inf_shape},
	{"sigmoid", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"sigmoid_hard", 15, 16, "x:T alpha!:T beta!:T",
	 "T=fp16|fp32", inf_same},
	{"sigmoid_hard", 17, 0, "x:T alpha!:U beta!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"sign", 15, 0, "x:T",
	 "T=fp16|fp32|int32", inf_same},
	{"silu", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"sin", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"sinh", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"slice_by_index", 15, 16, "x:T begin:int32 end:int32 stride?!:int32 begin_mask?!:bool end_mask?!:bool squeeze_mask?!:bool",
	 "T=fp16|fp32|int32|bool", inf_slice_by_index},
	{"slice_by_index", 17, 0, "x:T begin:U end:U stride?!:U begin_mask?!:bool end_mask?!:bool squeeze_mask?!:bool",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool U=int8|int16|int32", inf_slice_by_index},
	{"slice_by_size", 15, 16, "x:T begin:int32 size:int32",
	 "T=fp16|fp32|int32|bool", inf_slice_by_size},
	{"slice_by_size", 17, 0, "x:T begin:U size:U",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool U=int8|int16|int32", inf_slice_by_size},
	{"slice_update", 18, 0, "x:T update:T begin:U end:U stride?!:U begin_mask?!:bool end_mask?!:bool squeeze_mask?!:bool",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool U=int8|int16|int32", inf_slice_update},
	{"sliding_windows", 15, 16, "x:T axis!:int32 size!:int32 stride?!:int32",
	 "T=fp16|fp32|int32", inf_none},
	{"sliding_windows", 17, 0, "x:T axis!:int32 size!:int32 stride?!:int32",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool", inf_none},
	{"softmax", 15, 0, "x:T axis?!:int32",
	 "T=fp16|fp32", inf_same},
	{"softplus", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"softplus_parametric", 15, 16, "x:T alpha!:T beta!:T",
	 "T=fp16|fp32", inf_same},
	{"softplus_parametric", 17, 0, "x:T alpha!:U beta!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"softsign", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"space_to_batch", 15, 0, "x:T block_shape!:int32 paddings!:int32",
	 "T=fp16|fp32", inf_none},
	{"space_to_depth", 15, 0, "x:T block_size!:int32",
	 "T=fp16|fp32", inf_space_depth},
	{"split", 15, 0, "x:T num_splits?!:int32 split_sizes?!:int32 axis!:int32",
	 "T=fp16|fp32|int32|bool", inf_split},
	{"sqrt", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"square", 15, 0, "x:T",
	 "T=fp16|fp32|int32", inf_same},
	{"squeeze", 15, 16, "x:T axes?!:int32",
	 "T=fp16|fp32|int32|bool", inf_squeeze},
	{"squeeze", 17, 0, "x:T axes?!:int32",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool", inf_squeeze},
	{"stack", 15, 0, "values:tuple axis!:int32",
	 "", inf_stack},
	{"sub", 15, 0, "x:T y:T",
	 "T=fp16|fp32|int32", inf_broadcast},
	{"tan", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"tanh", 15, 0, "x:T",
	 "T=fp16|fp32", inf_same},
	{"threshold", 15, 0, "x:T alpha!:T",
	 "T=fp16|fp32|int32", inf_same},
	{"thresholded_relu", 15, 16, "x:T alpha!:T",
	 "T=fp16|fp32", inf_same},
	{"thresholded_relu", 17, 0, "x:T alpha!:U",
	 "T=fp16|fp32 U=fp16|fp32", inf_same},
	{"tile", 15, 0, "x:T reps:int32",
	 "T=fp16|fp32|int32|bool", inf_tile},
	{"topk", 15, 15, "x:T k?!:int32 axis?!:int32 ascending?!:bool",
	 "T=fp16|fp32|int32", inf_topk},
	{"topk", 16, 16, "x:T k?!:int32 axis?!:int32 ascending?!:bool sort?!:bool return_indices?!:bool",
	 "T=fp16|fp32|int32", inf_topk},
	{"topk", 17, 0, "x:T k?!:K axis?!:int32 ascending?!:bool sort?!:bool return_indices?!:bool output_indices_dtype?!:string",
	 "K=int8|int16|int32 T=fp16|fp32|int8|int16|int32|uint8|uint16", inf_topk},
	{"transpose", 15, 16, "x:T perm!:int32",
	 "T=fp16|fp32|int32|bool", inf_transpose},
	{"transpose", 17, 0, "x:T perm!:int32",
	 "T=fp16|fp32|int8|int16|int32|uint8|uint16|bool", inf_transpose},
	{"upsample_bilinear", 15, 15, "x:T scale_factor_height?!:U scale_factor_width?!:U align_corners?!:bool",
	 "T=fp16|fp32 U=int32|fp32", inf_resize2d},
	{"upsample_bilinear", 16, 0, "x:T scale_factor_height?!:U scale_factor_width?!:U align_corners?!:bool half_pixel_centers?!:bool",
	 "T=fp16|fp32 U=int32|fp32", inf_resize2d},
	{"upsample_nearest_neighbor", 15, 0, "x:T scale_factor_height?!:U scale_factor_width?!:U",
	 "T=fp16|fp32 U=fp32|int32", inf_resize2d},
	{"while_loop", 15, 0, "loop_vars:tuple",
	 "", inf_while_loop},
	{"write_state", 18, 0, "input:state data:any",
	 "", inf_write_state},
};
/* clang-format on */

#define NROWS (sizeof table / sizeof table[0])

const struct op_def *ops_table(size_t *n)
{
	*n = NROWS;
	return table;
}

/* Index of the first row named 'name', or NROWS. */
static size_t first_row(const char *name)
{
	size_t lo = 0, hi = NROWS;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(table[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < NROWS && strcmp(table[lo].name, name) == 0 ? lo : NROWS;
}

const struct op_def *ops_find(const char *name, unsigned ios, const struct op_def **any)
{
	size_t i = first_row(name);
	const struct op_def *found = NULL;

	if (any)
		*any = i < NROWS ? &table[i] : NULL;
	/* Opsets after iOS18 (CoreML9 = 26) keep the iOS18 rows. */
	for (; i < NROWS && strcmp(table[i].name, name) == 0; i++)
		if (table[i].first <= ios)
			found = &table[i];
	return found;
}

uint32_t ops_dtype_set(const char *text, size_t len)
{
	uint32_t set = 0;
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '|')
			j++;
		enum dtype t = dtype_from_mil(text + i, j - i);
		if (t == DT_INVALID)
			return 0;
		set |= 1u << t;
		i = j + 1;
	}
	return set;
}

/* The dtype set of domain letter 'letter' in the row's domain text. */
static uint32_t domain_set(const struct op_def *def, char letter)
{
	for (const char *p = def->domains; *p; p++) {
		if ((p == def->domains || p[-1] == ' ') && p[0] == letter && p[1] == '=') {
			size_t n = strcspn(p + 2, " ");
			return ops_dtype_set(p + 2, n);
		}
	}
	return 0;
}

/* The type part of one input ("T", "fp16|fp32", "tuple", ...) into 'in'. */
static int parse_kind(const struct op_def *def, const char *s, size_t n, struct op_input *in)
{
	static const struct {
		const char *word;
		enum op_in_kind kind;
	} kinds[] = {{"tuple", IN_TUPLE}, {"list", IN_LIST}, {"state", IN_STATE}, {"any", IN_ANY}};

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strlen(kinds[k].word) == n && memcmp(s, kinds[k].word, n) == 0) {
			in->kind = kinds[k].kind;
			return 0;
		}
	in->kind = IN_TENSOR;
	if (n == 1 && s[0] >= 'A' && s[0] <= 'Z') {
		in->domain = s[0];
		in->dtypes = domain_set(def, s[0]);
	} else {
		in->dtypes = ops_dtype_set(s, n);
	}
	return in->dtypes ? 0 : -1;
}

int ops_parse_inputs(const struct op_def *def, struct op_input *in)
{
	const char *p = def->inputs;
	int n = 0;

	while (*p) {
		size_t len = strcspn(p, " "), name = strcspn(p, "?!:");
		struct op_input *x = &in[n];

		if (n == OPS_MAX_INPUTS || name >= sizeof x->name || name >= len)
			return -1;
		memset(x, 0, sizeof *x);
		memcpy(x->name, p, name);
		size_t k = name;
		for (; k < len && p[k] != ':'; k++) {
			if (p[k] == '?')
				x->optional = true;
			else if (p[k] == '!')
				x->is_const = true;
			else
				return -1;
		}
		if (k >= len || parse_kind(def, p + k + 1, len - k - 1, x))
			return -1;
		n++;
		p += len;
		while (*p == ' ')
			p++;
	}
	return n;
}
