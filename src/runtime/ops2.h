/*
** ops2.h -- the further op families of the runtime (conv, pooling and
** resizing, recurrent, gather/scatter, sorting, misc), declared apart from
** op.h so that they merge without touching the core's header.  Every
** kernel follows op.h's contract and numeric rule: fp16/fp32 storage,
** fp32 arithmetic, one rounding per output element; integers exact.
*/
#ifndef MLCC_RUNTIME_OPS2_H
#define MLCC_RUNTIME_OPS2_H

#include "runtime/op.h"

#define RT_OPFN(name)                                                                              \
	int name(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *)

/* ---- sliding windows (op_conv.c), shared by conv and pooling ------------ */

/* Up to 3 spatial dimensions, in, kernel, stride, dilation, pads, out. */
struct rt_window {
	int r;
	int64_t in[3], k[3], s[3], d[3], pb[3], pe[3], out[3];
};

/* Fill 'w' for 'r' spatial dimensions of sizes 'in' and kernel 'k' from
** the op's strides, dilations ('dil_ok'), pad_type (default 'def_pad'),
** pad and ceil_mode parameters; errors name the parameter. */
MLCC_MUST_CHECK int rt_window_init(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
				   int r, const int64_t *insz, const int64_t *k, bool dil_ok,
				   const char *def_pad, struct rt_window *w);

/* op_conv.c: conv_transpose (1-3 spatial dims, groups, output_shape,
** pads); conv itself is the core's (op_linear.c). */
RT_OPFN(rt_op_conv_transpose);

/* op_pool.c */
RT_OPFN(rt_op_pool); /* avg_pool, max_pool, l2_pool */
RT_OPFN(rt_op_upsample_nearest);
RT_OPFN(rt_op_upsample_bilinear);
RT_OPFN(rt_op_resize_nearest);
RT_OPFN(rt_op_resize_bilinear);
RT_OPFN(rt_op_affine);

/* op_rnn.c */
RT_OPFN(rt_op_lstm);
RT_OPFN(rt_op_gru);
RT_OPFN(rt_op_rnn);

/* op_gather.c */
RT_OPFN(rt_op_gather_nd);
RT_OPFN(rt_op_scatter);
RT_OPFN(rt_op_scatter_along_axis);
RT_OPFN(rt_op_scatter_nd);
RT_OPFN(rt_op_one_hot);
RT_OPFN(rt_op_non_zero);

/* op_sort.c */
RT_OPFN(rt_op_topk);
RT_OPFN(rt_op_argsort);

/* op_misc.c */
RT_OPFN(rt_op_einsum);
RT_OPFN(rt_op_reverse);
RT_OPFN(rt_op_space_depth); /* space_to_depth, depth_to_space, pixel_shuffle */
RT_OPFN(rt_op_flatten2d);
RT_OPFN(rt_op_prelu);
RT_OPFN(rt_op_fill_like);
RT_OPFN(rt_op_reverse_sequence);
RT_OPFN(rt_op_local_response_norm);
RT_OPFN(rt_op_sliding_windows);
RT_OPFN(rt_op_threshold); /* threshold, softplus_parametric */
RT_OPFN(rt_op_crop);

#endif
