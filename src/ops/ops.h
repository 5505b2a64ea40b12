/*
** ops.h -- the MIL op catalogue and the type checker built on it.
**
** One table (catalogue.c) lists every op of the iOS15..iOS18 opsets, one
** row per op VERSION: name, the first and last opset (iOS number) the row
** is in force for, its inputs and a type/shape inference function of the
** op's family (infer.c).  Docs: docs/OPS.md.
**
** Inputs are written as a small text in the row, parsed when used:
**   "x:T weight:U bias?:U strides?!:int32 values:tuple"
** NAME, then '?' when optional, '!' when the value must be a compile-time
** constant, then ':' and the allowed element types -- a '|' list of MIL
** dtype names, a domain letter defined by the row's domain text
** ("T=fp16|fp32": inputs with the same letter must share one dtype), or a
** kind: tuple (several bindings), list, state, any.
**
** The checker (check.c) walks every function of a model and checks each op
** against the row in force for its function's opset.
*/
#ifndef MLCC_OPS_H
#define MLCC_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "mlcc.h"
#include "model/model.h"

/* ---- the catalogue ------------------------------------------------------ */

#define OPS_MAX_INPUTS 24

enum op_in_kind { IN_TENSOR, IN_TUPLE, IN_LIST, IN_STATE, IN_ANY };

/* One input of an op version, parsed from the row's text. */
struct op_input {
	char name[40];
	bool optional;
	bool is_const; /* the value must be known at compile time */
	enum op_in_kind kind;
	uint32_t dtypes; /* IN_TENSOR: bit (1u << enum dtype) per allowed type */
	char domain;	 /* shared-type letter, 0 when none */
};

struct infer;
/* Infer the op's output types into 'c->out' (types left NULL, dims
** DIM_UNKNOWN, rank -1 or dtype DT_INVALID mean "unknown"), or fail with a
** message on 'c' (infer_fail) when the inputs cannot be right. */
typedef int (*ops_infer_fn)(struct infer *c);

/* A row of the catalogue. */
struct op_def {
	const char *name;
	unsigned first, last; /* iOS numbers; last 0: still current */
	const char *inputs;   /* see the header comment */
	const char *domains;  /* "T=fp16|fp32 U=..." */
	ops_infer_fn infer;
};

/* The row of op 'name' in force in opset 'ios' (26 counts as 18 and
** later), or NULL; '*any' (may be NULL) is set to the op's first row when
** the op exists in some opset, NULL when the name is not a MIL op. */
const struct op_def *ops_find(const char *name, unsigned ios, const struct op_def **any);

/* Parse the inputs of 'def' into 'in' (OPS_MAX_INPUTS entries); returns
** their number, or -1 when the row's text is malformed (a bug the unit
** test catches). */
int ops_parse_inputs(const struct op_def *def, struct op_input *in);

/* Every row, for tests and docs: '*n' rows. */
const struct op_def *ops_table(size_t *n);

/* Set of dtypes "fp16|fp32" -> bits; 0 when a name is unknown. */
uint32_t ops_dtype_set(const char *text, size_t len);

/* ---- inference ---------------------------------------------------------- */

/* What an inference function sees: each catalogue input's binding -- its
** type and, when known at compile time, its value -- and the op's blocks;
** it writes the types it can infer into 'out'. */
struct infer {
	const struct op *op;
	const struct op_def *def;
	size_t nin;
	const struct op_input *in;
	const struct mtype *type[OPS_MAX_INPUTS];	  /* first binding's type, NULL if absent */
	const struct mvalue *val[OPS_MAX_INPUTS];	  /* its value if known, else NULL */
	size_t nbind[OPS_MAX_INPUTS];			  /* bindings (tuples) */
	const struct mtype *const *tuple[OPS_MAX_INPUTS]; /* types of every binding */
	size_t nout;
	struct mtype *out[8]; /* inferred output types (first 8 outputs) */
	struct arena *arena;  /* for the inferred types */
	const struct model_site *at;
	struct mlcc_diag *d;
};

/* Record "<site>: <message>" (model_fail, MLCC_E_CORRUPT); returns the
** status. */
int infer_fail(struct infer *c, const char *fmt, ...) MLCC_PRINTF(2, 3);

/* The index of input 'name' in 'c->in', or -1. */
int infer_input(const struct infer *c, const char *name);

/* A tensor type of 'rank' (-1: unknown) with every dim unknown, in the
** arena; NULL when out of memory. */
struct mtype *infer_tensor(struct infer *c, enum dtype dt, int64_t rank);

/* Integers of a known int value (any integer dtype, scalar or vector),
** up to 'max'; returns their number, or -1 when unknown or too many. */
int ops_value_ints(const struct mvalue *v, int64_t *out, int max);

/* A type as model.mil prints it ("tensor<fp16, [1, ?]>", "a state"),
** for messages; writes into 'buf' and returns it. */
const char *ops_type_str(char buf[200], const struct mtype *t);

/* The inference functions of the op families (infer.c). */
int inf_none(struct infer *c);
int inf_const(struct infer *c);
int inf_same(struct infer *c);
int inf_scatter(struct infer *c);
int inf_broadcast(struct infer *c);
int inf_compare(struct infer *c);
int inf_reduce(struct infer *c);
int inf_argreduce(struct infer *c);
int inf_pool(struct infer *c);
int inf_matmul(struct infer *c);
int inf_linear(struct infer *c);
int inf_conv(struct infer *c);
int inf_conv_transpose(struct infer *c);
int inf_reshape(struct infer *c);
int inf_transpose(struct infer *c);
int inf_concat(struct infer *c);
int inf_stack(struct infer *c);
int inf_split(struct infer *c);
int inf_slice_by_index(struct infer *c);
int inf_slice_by_size(struct infer *c);
int inf_slice_update(struct infer *c);
int inf_gather(struct infer *c);
int inf_gather_along_axis(struct infer *c);
int inf_expand_dims(struct infer *c);
int inf_squeeze(struct infer *c);
int inf_cast(struct infer *c);
int inf_select(struct infer *c);
int inf_read_state(struct infer *c);
int inf_update_state(struct infer *c);
int inf_write_state(struct infer *c);
int inf_gather_nd(struct infer *c);
int inf_pad(struct infer *c);
int inf_tile(struct infer *c);
int inf_rnn(struct infer *c);
int inf_resize2d(struct infer *c);
int inf_argsort(struct infer *c);
int inf_non_zero(struct infer *c);
int inf_fill(struct infer *c);
int inf_flatten2d(struct infer *c);
int inf_space_depth(struct infer *c);
int inf_crop(struct infer *c);
int inf_topk(struct infer *c);
int inf_shape(struct infer *c);
int inf_sdpa(struct infer *c);
int inf_constexpr(struct infer *c);
int inf_cond(struct infer *c);
int inf_while_loop(struct infer *c);

/* ---- the checker -------------------------------------------------------- */

/* What a check found besides the verdict. */
struct ops_check_stats {
	size_t functions, ops, warnings;
	size_t inferred; /* op outputs whose type the inputs determined in part
			 ** or whole, compared with the declared type */
};

/* Check every function of every ML program in 'm' (pipeline children
** included) against the catalogue: input names, required inputs, dtypes,
** constness, opset availability, the inferred output types against the
** declared ones.  Ops the catalogue does not know are reported as
** warnings through 'on_event' (may be NULL), not failures.  Returns 0 or
** MLCC_E_CORRUPT with "<file>[:LINE:COL]: function 'f': op 'x' (t): ..."
** in 'd'; fills 'stats' (may be NULL). */
MLCC_MUST_CHECK int ops_check(const struct model *m, const char *file, mlcc_event_fn on_event,
			      void *event_ctx, struct ops_check_stats *stats, struct mlcc_diag *d);

#endif
