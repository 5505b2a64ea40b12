/*
** rt.h -- the CPU runtime: a loaded model planned for execution, and the
** executor that runs one of its functions (the public mlcc_model,
** mlcc_state and mlcc_predict of src/api/run.c sit on top of it).
**
** Plan (plan.c).  Per function, every value (function input, op output,
** immediate literal) gets a slot; each op's bindings are resolved to slots
** once.  Constant values -- `const` ops and literals -- are built at load
** time: immediates point into the model's arena, BLOBFILE tensors into a
** read-only mmap of their weight file (bounds-checked against the file,
** never copied).  A constexpr_* op whose inputs are all constant becomes a
** LAZY constant: materialised on first use and cached per model (one cache
** for all functions, keyed by the op's input data, so multi-function
** programs sharing weights share the materialised copy too).  Ops the
** table does not know fail the load with a message naming the op.
**
** Ownership.  'struct rt_model' owns the loaded model (struct loaded), the
** maps, the plans and the cache; it is immutable after rt_model_load()
** except for the cache, which a mutex guards.  An execution owns its value
** array and every intermediate, freed after their last use.
*/
#ifndef MLCC_RUNTIME_RT_H
#define MLCC_RUNTIME_RT_H

#include <pthread.h>

#include "load/load.h"
#include "runtime/op.h"

/* A mapped weight file. */
struct rt_map {
	const char *rel; /* "weights/weight.bin" (borrowed from the weight plan) */
	const uint8_t *base;
	size_t size;
};

/* A constant (constexpr) computed on first use.  An op with several
** outputs (the iOS18 sparse combinations) has one rt_lazy per output; the
** first of them ('first', 'which' 0) computes them all ('group'). */
struct rt_lazy {
	struct rt_op op;	/* the constexpr op, inputs resolved to 'vals' */
	struct rt_value **vals; /* its inputs (constants) */
	struct rt_value result; /* output 'which', valid once 'done' */
	bool done;
	struct rt_model *model; /* owner of the lock */
	const struct function *func;
	struct rt_lazy *first;	/* the group's computing member (itself when alone) */
	size_t which;		/* output index */
	struct rt_lazy **group; /* first only: the members, by output (op.nout) */
};

/* A nested block of an op (cond's then/else, while_loop's cond/body): its
** ops share the function's slots; 'id' marks the slots it defines
** (rt_func.defined_in), released when a run of the block ends. */
struct rt_block {
	size_t id;
	size_t nops;
	struct rt_op *ops;
	size_t ninputs;
	size_t *input_slot;
	size_t noutputs;
	size_t *output_slot;
};

/* One planned function. */
struct rt_func {
	const struct function *func;
	size_t nslots;
	struct mtype **slot_type; /* declared type per slot (NULL: literal) */
	const char **slot_name;	  /* variable name per slot ("" for literals) */
	struct rt_value *konst;	  /* constant value per slot (data NULL, lazy NULL: runtime) */
	bool *is_const;		  /* slot holds a constant */
	size_t *last_use;	  /* 1 + index of the last op of the slot's own block reading it
				  ** (SIZE_MAX: an output, kept to the end of its block) */
	size_t *defined_in;	  /* block id defining each slot (0: the body; rt_block) */
	size_t nops;
	struct rt_op *ops; /* the ops that run (constants excluded) */
	size_t ninputs;	   /* non-state inputs */
	size_t *input_slot;
	size_t nstates;
	size_t *state_slot;
	size_t noutputs;
	size_t *output_slot;
	size_t nstages; /* a pipeline: its children's functions, run in order */
	const struct rt_func **stages;
	struct mlcc_signature sig;     /* public view */
	struct mlcc_feature *features; /* inputs, outputs, states (one array) */
};

struct rt_model {
	struct loaded l;
	bool loaded;
	struct arena arena; /* plans */
	size_t nmaps;
	struct rt_map *maps;
	size_t nfuncs;
	struct rt_func *funcs;
	size_t default_func;
	struct kpool *pool;
	pthread_mutex_t pool_lock; /* one prediction at a time uses the pool */
	pthread_mutex_t lock;	   /* the lazy constants */
	size_t nlazy;
	struct rt_lazy **lazies; /* for release */
};

/* Load and plan 'path'; '*out' is released with rt_model_free (also after
** a failure). */
MLCC_MUST_CHECK int rt_model_load(const char *path, int threads, struct rt_model **out,
				  struct mlcc_diag *d);
void rt_model_free(struct rt_model *m);

/* The planned function named 'name' (NULL: the default), or NULL. */
const struct rt_func *rt_model_func(const struct rt_model *m, const char *name);

/* Run 'f' with 'inputs' (f->ninputs values, in input_slot order; borrowed)
** and 'states' (f->nstates values whose data is the state storage, updated
** in place).  On success 'outputs' (f->noutputs values) own or borrow
** data as their flags say; the caller copies what it keeps and frees them
** with rt_value_free(). */
MLCC_MUST_CHECK int rt_execute(struct rt_model *m, const struct rt_func *f,
			       const struct rt_value *inputs, const struct rt_value *states,
			       struct rt_value *outputs, struct mlcc_diag *d);

/* MIL element type <-> public dtype (DT_INVALID / 0 when not a runtime type). */
enum mlcc_dtype rt_public_dtype(enum dtype t);
enum dtype rt_internal_dtype(enum mlcc_dtype t);

#endif
