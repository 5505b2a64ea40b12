/*
** op.h -- the one interface between the runtime's executor and its op
** kernels (op_*.c), and the helpers every kernel uses.
**
** Contract of a kernel (struct rt_impl.run):
**   int run(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
**           struct rt_value *out);
**  - 'in' holds op->nin pointers, the bindings of the op's inputs in source
**    order; find them by parameter name with rt_arg()/rt_args().  Inputs
**    are READ-ONLY (they may live in a mapped weight file or in a state);
**    their data is present (lazy constexpr values are materialised before
**    the call) unless the impl has RT_F_LAZY, in which case an input may
**    have 'lazy' set and data NULL (rt_need() materialises it).
**  - 'out' holds op->nout zeroed values, one per declared output; the
**    kernel fills each with rt_alloc() (or rt_share()/rt_steal()) and
**    writes every element.  The declared MIL type of output i is
**    op->op->outputs[i].type (its shape may hold unknown dimensions; the
**    kernel computes the real shape from its inputs).
**  - Returns MLCC_OK or a status recorded with rt_fail() (message naming
**    the op).  On failure the executor releases whatever 'out' holds.
**  - A kernel never prints, never keeps pointers to its inputs past the
**    call, and splits heavy loops over ctx->pool (kernels/kernels.h).
**  - An op with nested blocks (control flow) runs them with rt_run_block();
**    the plan has already resolved the blocks' ops (op->blocks).
** Numeric rule (docs/RUNTIME.md): floating-point values are fp16 or fp32
** storage; arithmetic is fp32 (float); each op rounds its result once,
** when storing it (rt_setf / k_f2h: round to nearest even).  Integers and
** bools are exact.
**
** To add an op: write the kernel in the op_*.c of its family (or a new
** one), declare it below in its family's section, and add one line to the
** sorted table of optable.c.
*/
#ifndef MLCC_RUNTIME_OP_H
#define MLCC_RUNTIME_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "kernels/kernels.h"
#include "model/model.h"

#define RT_MAX_RANK MLCC_MAX_RANK

/* rt_value.flags */
#define RT_OWNED 1u  /* 'data' was malloc'd for this value; freed with it */
#define RT_PACKED 2u /* sub-byte elements packed LSB-first (as in blob files) */
#define RT_STATE 4u  /* the storage of a state: write_state writes into it */

struct rt_lazy;
struct rt_block;

/* A tensor value: 'count' elements of 'dtype' in row-major order.
** Element storage (dtype_mem_size): fp16 as its uint16 bits, fp32 as
** float, integers native, bool one byte 0/1, sub-byte integers one byte
** each unless RT_PACKED, strings as 'const char *' (constant parameters
** only).  Rank 0 is a scalar (count 1). */
struct rt_value {
	enum dtype dtype;
	int rank;
	int64_t shape[RT_MAX_RANK];
	size_t count;
	void *data;
	unsigned flags;
	struct rt_lazy *lazy; /* a constexpr result not yet materialised */
};

struct rt_ctx;
struct rt_op;

typedef int (*rt_run_fn)(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			 struct rt_value *out);

/* rt_impl.flags */
#define RT_F_LAZY 1u	  /* takes lazy inputs (fused constexpr weights) */
#define RT_F_CONSTEXPR 2u /* a constexpr_* op: run once, result cached per model */

/* One entry of the op table (optable.c). */
struct rt_impl {
	const char *type; /* MIL op type, e.g. "add" */
	rt_run_fn run;
	unsigned flags;
};

/* The implementation of op type 'type', or NULL (binary search). */
const struct rt_impl *rt_find_impl(const char *type);

/* The whole table, for tests ('*all' its first entry). */
size_t rt_impl_count(const struct rt_impl **all);

/* An input parameter of a planned op: its bindings are in[first .. first+n). */
struct rt_arg {
	const char *param;
	size_t first, n;
};

/* An op as planned (plan.c): what a kernel may read. */
struct rt_op {
	const struct op *op; /* the model op: type, outputs, attributes, line */
	size_t index;	     /* in its block, for messages */
	const struct rt_impl *impl;
	size_t nargs;
	struct rt_arg *args;
	size_t nin;
	size_t *in; /* value slots of the bindings */
	size_t nout;
	size_t *out;	/* value slots of the outputs */
	unsigned flags; /* RT_OP_* (plan.c) */
	size_t nblocks; /* nested blocks (cond, while_loop): run with rt_run_block */
	struct rt_block *blocks;
	size_t nreads; /* outer values the nested blocks read (for lifetimes) */
	size_t *reads;
};

/* rt_op.flags */
#define RT_OP_INPLACE                                                                              \
	1u /* slice_update whose x is a state's storage read for this op only                      \
	   ** and whose result only goes to write_state of that state: the                         \
	   ** kernel updates the storage in place (rt_before_write first) */

/* What a running prediction gives its kernels. */
struct rt_ctx {
	struct kpool *pool;	     /* NULL: single-threaded */
	struct mlcc_diag *d;	     /* where rt_fail() records */
	const char *file;	     /* model file for messages */
	const struct function *func; /* for messages */
	struct rt_model *model;	     /* constexpr cache, states */
	struct rt_exec *exec;	     /* executor internals (state access) */
};

/* ---- arguments ----------------------------------------------------------- */

/* The first value bound to parameter 'param', or NULL when absent. */
struct rt_value *rt_arg(const struct rt_op *op, struct rt_value **in, const char *param);

/* The values bound to 'param' (a variadic input such as concat's
** 'values'); sets '*vals' to point into 'in'.  0 when absent. */
size_t rt_args(const struct rt_op *op, struct rt_value **in, const char *param,
	       struct rt_value ***vals);

/* Scalar parameters.  Absent: '*out' = 'def' when 'def_ok', else an error
** naming the parameter.  A rank-1 tensor of one element counts as a scalar. */
MLCC_MUST_CHECK int rt_int(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			   const char *param, bool def_ok, int64_t def, int64_t *out);
MLCC_MUST_CHECK int rt_float(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			     const char *param, bool def_ok, float def, float *out);
MLCC_MUST_CHECK int rt_bool(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			    const char *param, bool def_ok, bool def, bool *out);
/* A string parameter; absent: 'def' (may be NULL: then an error). */
MLCC_MUST_CHECK int rt_str(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			   const char *param, const char *def, const char **out);
/* An integer vector parameter (rank 0 or 1) of at most 'max' elements.
** Absent: '*n' = 0 when 'def_ok', else an error. */
MLCC_MUST_CHECK int rt_ints(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
			    const char *param, bool def_ok, int64_t *vals, size_t max, size_t *n);

/* A required tensor input ('*v' non-NULL on success). */
MLCC_MUST_CHECK int rt_need_arg(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value **in,
				const char *param, struct rt_value **v);

/* ---- messages ------------------------------------------------------------ */

/* Record "<file>[:L:C]: function 'f': op 'n' (t): <message>"; returns 'status'. */
int rt_fail(struct rt_ctx *ctx, const struct rt_op *op, int status, const char *fmt, ...)
	MLCC_PRINTF(4, 5);

/* ---- values -------------------------------------------------------------- */

/* Give 'out' fresh storage for 'dtype' and 'shape' (rank 'rank'; contents
** undefined).  Errors: a shape whose size overflows, out of memory. */
MLCC_MUST_CHECK int rt_alloc(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value *out,
			     enum dtype dtype, int rank, const int64_t *shape);

/* 'out' becomes a view of 'src' with another shape of the same count
** (reshape, squeeze, expand_dims, identity): no copy; 'src' stays owner.
** The executor keeps 'src' alive while the view lives. */
void rt_share(struct rt_value *out, const struct rt_value *src, int rank, const int64_t *shape);

/* Materialise a lazy input (RT_F_LAZY kernels only). */
MLCC_MUST_CHECK int rt_need(struct rt_ctx *ctx, const struct rt_op *op, struct rt_value *v);

/* Before writing into the storage at 'data' (a state's): every other value
** that shares it and is still needed after 'op' gets a copy of its own, so
** that it keeps the value it had (a read_state result is a view of the
** state until then). */
MLCC_MUST_CHECK int rt_before_write(struct rt_ctx *ctx, const struct rt_op *op, const void *data);

/* Run nested block 'b' of 'op' (control-flow kernels): its inputs bound
** to inputs[0 .. n) (borrowed for the run), its ops executed, its outputs
** copied into outputs[0 .. rt_block_outputs(op, b)) (owned by the caller
** afterwards); everything else the block made is released. */
MLCC_MUST_CHECK int rt_run_block(struct rt_ctx *ctx, const struct rt_op *op, size_t b,
				 struct rt_value *const *inputs, size_t n,
				 struct rt_value *outputs);
size_t rt_block_inputs(const struct rt_op *op, size_t b);
size_t rt_block_outputs(const struct rt_op *op, size_t b);

/* Release what 'v' owns and zero it. */
void rt_value_free(struct rt_value *v);

/* Elements of 'shape' (rank 'rank'); SIZE_MAX on overflow or a negative
** dimension. */
size_t rt_shape_count(int rank, const int64_t *shape);

/* Element i of 'v' widened to float / int64 (any numeric dtype, bool,
** packed or not), and stored from float (rounded once to the value's type;
** integers: truncated toward zero after saturation) / int64 (wrapped). */
float rt_getf(const struct rt_value *v, size_t i);
int64_t rt_geti(const struct rt_value *v, size_t i);
void rt_setf(struct rt_value *v, size_t i, float x);
void rt_seti(struct rt_value *v, size_t i, int64_t x);

/* The whole of 'v' as a malloc'd float array (NULL: out of memory, recorded). */
float *rt_to_f32(struct rt_ctx *ctx, const struct rt_op *op, const struct rt_value *v);
/* Store src[0 .. out->count) into 'out' (rounding once for fp16). */
void rt_from_f32(struct rt_value *out, const float *src);

/* True for fp16/fp32/fp64 (bf16 is not a runtime storage type). */
bool rt_is_float(enum dtype t);

/* numpy broadcasting of 'a' and 'b' into 'shape'/'*rank'; error when the
** shapes do not broadcast. */
MLCC_MUST_CHECK int rt_broadcast(struct rt_ctx *ctx, const struct rt_op *op,
				 const struct rt_value *a, const struct rt_value *b, int *rank,
				 int64_t *shape);

/* Index into 'v' (rank <= 'rank', right-aligned broadcasting) of the
** element at multi-index 'idx' of a 'rank'-dimensional result. */
size_t rt_bcast_index(const struct rt_value *v, int rank, const int64_t *idx);

/* Normalise axis 'axis' for rank 'rank' (negative counts from the end);
** error when out of range. */
MLCC_MUST_CHECK int rt_axis(struct rt_ctx *ctx, const struct rt_op *op, int64_t axis, int rank,
			    int *out);

/* ---- the op families (kernels) ------------------------------------------- */

/* op_elementwise.c: binary (numpy broadcasting), unary, comparisons,
** logical, select, clip, cast, activations. */
int rt_op_binary(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_unary(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_compare(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_logical(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_select(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_cast(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_clip(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_identity(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);

/* op_shape.c */
int rt_op_reshape(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_squeeze(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_expand_dims(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_transpose(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_slice_by_index(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			 struct rt_value *);
int rt_op_slice_by_size(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			struct rt_value *);
int rt_op_slice_update(struct rt_ctx *, const struct rt_op *, struct rt_value **,
		       struct rt_value *);
int rt_op_concat(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_split(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_stack(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_tile(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_pad(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_gather(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_gather_along_axis(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			    struct rt_value *);
int rt_op_shape(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_fill(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_range_1d(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_band_part(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_cumsum(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);

/* op_reduce.c: reduce_* (axes, keep_dims), reduce_argmax/argmin. */
int rt_op_reduce(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_arg_reduce(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);

/* op_linear.c */
int rt_op_matmul(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_linear(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_conv(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);

/* op_norm.c */
int rt_op_layer_norm(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_batch_norm(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_instance_norm(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			struct rt_value *);
int rt_op_l2_norm(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);

/* op_softmax.c */
int rt_op_softmax(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_sdpa(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);

/* op_constexpr.c */
int rt_op_lut_to_dense(struct rt_ctx *, const struct rt_op *, struct rt_value **,
		       struct rt_value *);
int rt_op_affine_dequantize(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			    struct rt_value *);
int rt_op_sparse_to_dense(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			  struct rt_value *);
int rt_op_blockwise_shift_scale(struct rt_ctx *, const struct rt_op *, struct rt_value **,
				struct rt_value *);
int rt_op_constexpr_cast(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			 struct rt_value *);
int rt_op_lut_to_sparse(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			struct rt_value *);
int rt_op_sparse_shift_scale(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			     struct rt_value *);

/* A palettized weight W[N x K] that a matrix product can use without
** materialising it (k_gemm_lut): set when 'v' is a lazy
** constexpr_lut_to_dense whose palettes group whole output rows (axis 0)
** of 'N' rows of 'K' elements each, fp16 palettes, scalar entries.
** Returns false when 'v' is not of that form (then rt_need() it). */
bool rt_lut_weight(const struct rt_value *v, size_t N, size_t K, struct k_lut *out);

/* op_control.c */
int rt_op_cond(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_while_loop(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);

/* op_state.c */
int rt_op_read_state(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_write_state(struct rt_ctx *, const struct rt_op *, struct rt_value **, struct rt_value *);
int rt_op_coreml_update_state(struct rt_ctx *, const struct rt_op *, struct rt_value **,
			      struct rt_value *);

#endif
