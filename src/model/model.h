/*
** model.h -- the in-memory model every stage of mlcc works on.
**
** Pipeline: a reader builds a 'struct model' -- spec/read.c from a
** protobuf specification, mil/parse.c from model.mil text, bundle/read.c
** from a compiled bundle -- then checks (model/validate.c), lowering
** (model/classifier.c) and the writers (bundle/, package/, spec/write.c)
** work on it; the runtime executes it.
**
** Ownership.  A model and everything reachable from it -- types, values,
** strings, arrays, children, and the protobuf tree it was read from --
** live in ONE arena (m->arena), shared by the children of a pipeline, and
** die together with arena_free().  Nothing inside is freed piecemeal.
** Readers copy what they keep of their inputs (the file name in 'origin'
** included), so a model outlives the buffers and paths it was read from.
**
** Aliasing.  The model description is kept as the protobuf message it
** was read from ('desc'), because the compiled bundle stores exactly that
** message re-serialized (coremldata.bin, docs/spec/mlmodelc.md §2.4),
** unknown fields included; a tensor value's 'data' may point into that
** tree's storage (same arena).  One exception crosses arenas: `mlcc
** assemble --description-from` makes a model borrow the description of
** another, loaded model, which then outlives it.  Writers never modify a
** model; lowering and restoring classifiers do, in place.
**
** Stages ('stage'): MODEL_READ as a reader built it, the classifier op
** included; MODEL_LOWERED after classifier_lower(), as Apple's compiler
** prints it (a classifier's classify op removed, its labels in
** m->classifier) -- what bundle/ writes and what bundle/read.c builds;
** classifier_restore() turns a lowered model back into MODEL_READ, the
** form spec/write.c writes.  Validation does not change the model.
**
** Invariants after a successful read:
**  - every 'name' and string is NUL-terminated and never NULL;
**  - tensor values hold 'count' elements in the unpacked form of
**    dtype_mem_size() (sub-byte types and bool one byte each, fp16/bf16 as
**    raw uint16 bits, fp32 as raw uint32 bits, strings as char *);
**  - op inputs, attributes and function inputs are in SOURCE order; printers
**    sort them as the format requires;
**  - an op read from model.mil text carries its line and column (1-based;
**    0 when the op came from protobuf), so that messages about it can cite
**    "model.mil:LINE:COL".
*/
#ifndef MLCC_MODEL_H
#define MLCC_MODEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "model/dtype.h"
#include "Model.pb-c.h"

typedef CoreML__Specification__ModelDescription ModelDescription;
typedef CoreML__Specification__FeatureDescription FeatureDescription;
typedef CoreML__Specification__FunctionDescription FunctionDescription;
typedef CoreML__Specification__FeatureType FeatureType;
typedef CoreML__Specification__ArrayFeatureType ArrayFeatureType;
typedef CoreML__Specification__Metadata Metadata;
typedef CoreML__Specification__Model SpecModel;

/* ---- types -------------------------------------------------------------- */

#define DIM_UNKNOWN (-1) /* printed `?` */

enum type_kind { TY_TENSOR, TY_LIST, TY_TUPLE, TY_DICT, TY_STATE };

struct mtype {
	enum type_kind kind;
	enum dtype dtype;     /* TY_TENSOR: element type */
	int64_t rank;	      /* TY_TENSOR: -1 = unknown rank */
	size_t ndims;	      /* TY_TENSOR: == rank when rank >= 0 */
	int64_t *dims;	      /* sizes, DIM_UNKNOWN for `?` */
	struct mtype *elem;   /* list element, state wrapped, dict key type */
	struct mtype *value;  /* dict value type */
	int64_t length;	      /* list length, DIM_UNKNOWN for `?` */
	size_t nelems;	      /* tuple */
	struct mtype **elems; /* tuple element types */
};

/* ---- values ------------------------------------------------------------- */

enum value_kind { VAL_TENSOR, VAL_TUPLE, VAL_LIST, VAL_DICT, VAL_BLOB };

struct mvalue {
	enum value_kind kind;
	struct mtype *type;	/* never NULL */
	size_t count;		/* VAL_TENSOR: elements; others: items */
	void *data;		/* VAL_TENSOR: unpacked elements */
	struct mvalue **items;	/* VAL_TUPLE, VAL_LIST: items; VAL_DICT: keys */
	struct mvalue **values; /* VAL_DICT: values, parallel to 'items' */
	const char *blob_file;	/* VAL_BLOB: path as written, e.g. @model_path/... */
	uint64_t blob_offset;	/* VAL_BLOB: offset of the blob's metadata record */
};

/* ---- operations and blocks ---------------------------------------------- */

struct binding {
	const char *name;     /* a variable, or NULL when 'value' is set */
	struct mvalue *value; /* an immediate or blob literal */
};

struct argument {
	const char *param; /* input parameter name */
	size_t n;	   /* at least 1 */
	struct binding *b;
};

struct attribute {
	const char *key;
	struct mvalue *value;
};

struct named_type {
	const char *name;
	struct mtype *type;
};

struct block;

struct op {
	const char *type;   /* op type verbatim, e.g. "conv" */
	unsigned line, col; /* where the statement starts in model.mil; 0: not from text */
	size_t ninputs;
	struct argument *inputs;
	size_t noutputs;
	struct named_type *outputs;
	size_t nblocks;
	struct block *blocks; /* cond: then/else; while_loop: cond/body */
	size_t nattrs;
	struct attribute *attrs;
};

struct block {
	size_t ninputs;
	struct named_type *inputs;
	size_t noutputs;
	const char **outputs;
	size_t nops;
	struct op *ops;
	size_t nattrs;
	struct attribute *attrs;
};

struct function {
	const char *name;
	const char *opset; /* proto name, e.g. "CoreML7" */
	unsigned ios;	   /* 15, 16, 17, 18, 26 from the opset */
	size_t ninputs;
	struct named_type *inputs;
	struct block body; /* the specialization keyed by 'opset' */
	size_t nattrs;
	struct attribute *attrs;
};

struct program {
	int64_t version;
	size_t nfuncs;
	struct function *funcs; /* source (map) order */
	size_t nattrs;
	struct attribute *attrs; /* e.g. buildInfo */
};

/* ---- the model ---------------------------------------------------------- */

/* An ML-program classifier after lowering (classifier.c): Apple removes the
** `classify` op from the program and stores its labels in coremldata.bin. */
struct classifier {
	const struct op *op;	     /* the removed classify op (NULL: none) */
	const struct function *func; /* the function it was removed from */
	const char *prob_var;	     /* its 'probabilities' input: the new output */
	bool int_labels;	     /* int64 labels, else strings */
	size_t nlabels;
	const char *const *labels; /* string labels */
	const int64_t *int_values; /* int64 labels */
};

enum model_kind {
	MODEL_ML_PROGRAM,	   /* Model.mlProgram (502) */
	MODEL_PIPELINE,		   /* Model.pipeline (202) */
	MODEL_PIPELINE_CLASSIFIER, /* 200 */
	MODEL_PIPELINE_REGRESSOR,  /* 201 */
	MODEL_SPEC,		   /* compiled as its own specification (model_compiles_as_spec) */
	MODEL_NEURAL_NETWORK,	   /* an espresso bundle read back (500/403/303): 'nn' */
	MODEL_OTHER		   /* any other type: not compiled by mlcc */
};

enum model_stage {
	MODEL_READ,   /* as read; classifiers keep their classify op */
	MODEL_LOWERED /* as compiled: classify op removed (classifier.c) */
};

struct model {
	struct arena *arena; /* owns everything below */
	const char *origin;  /* file the model was read from, for messages */
	enum model_stage stage;
	int32_t spec_version;
	bool is_updatable;
	enum model_kind kind;
	unsigned type_field;	 /* Model oneof field number (502, 202, ...) */
	ModelDescription *desc;	 /* never NULL (an empty one if absent) */
	struct program *program; /* MODEL_ML_PROGRAM */
	size_t nchildren;	 /* pipelines */
	struct model **children;
	size_t nchild_names;
	const char **child_names;     /* Pipeline.names */
	struct classifier classifier; /* ML-program classifiers */
	SpecModel *spec;	      /* MODEL_SPEC: the whole Model message */
	struct nn_summary *nn;	      /* MODEL_NEURAL_NETWORK (bundle/nn_read.c) */
};

/* What an espresso bundle holds besides its description (nn_read.c):
** enough to describe it, not to rebuild its NeuralNetwork layers. */
struct nn_summary {
	uint64_t compiled[3]; /* coremldata.bin compiled version */
	size_t noutput_names; /* coremldata.bin tail: output names */
	const char *const *output_names;
	int64_t format_version; /* model.espresso.net "format_version" */
	const char *storage;	/* its "storage": the weights file name */
	size_t nlayers;		/* espresso layers */
	size_t ntypes;		/* distinct layer types, first appearance order */
	const char *const *types;
	const size_t *type_counts;
	size_t nshapes;	       /* model.espresso.shape "layer_shapes" entries */
	int64_t weights_bytes; /* size of the storage file, -1 when absent */
};

/* The Model oneof member name of field number 'field' ("mlProgram",
** "pipeline", "glmClassifier", ...), or NULL for a number not in the
** schema. */
const char *model_type_name(unsigned field);

/* The same as a phrase for messages: "a glmClassifier model", "a model of
** an unknown type".  The text lives until the calling thread's next call. */
const char *model_type_description(unsigned field);

/* True for the model types Apple's compiler stores as their own
** specification (coremldata.bin "spec" form, docs/spec/mlmodelc.md §2.8):
** glmClassifier (400), nonMaximumSuppression (610), textClassifier (2000),
** visionFeaturePrint (2002) -- the ones the corpus or the shared docs show. */
bool model_compiles_as_spec(unsigned field);

/* True for the neural-network types, compiled by Apple into espresso files
** (docs/spec/mlmodelc.md §1.3): neuralNetwork (500), its classifier (403)
** and its regressor (303). */
bool model_is_neural_network(unsigned field);

/* Class labels a classic model declares (GLM classifier, NMS): strings, or
** int64 values when '*ints' is set; 0 labels when it declares none. */
size_t model_spec_labels(const struct model *m, const char *const **strs, const int64_t **ints);

/* Opsets, their iOS releases and specification versions (one table):
** the iOS number of an opset name (CoreML5 -> 15 ... CoreML9 -> 26; 0 if
** unknown); the opset name of an iOS number (NULL if unknown); the
** specification version an iOS opset needs (ios15 -> 6 ... ios26 -> 10;
** 0 if unknown). */
unsigned model_opset_ios(const char *opset);
const char *model_ios_opset(unsigned ios);
int model_ios_spec(unsigned ios);

/* ---- messages about a place in a model ---------------------------------- */

/* Where in a model a problem is: the file (never NULL), and optionally the
** function and the op (with its index in its block). */
struct model_site {
	const char *file;
	const struct function *func;
	const struct op *op;
	size_t op_index;
};

/* Size of the buffer model_op_label() writes into. */
#define MODEL_LABEL_MAX (2 * DIAG_QUOTE_MAX + 32)

/* How messages name an op: "op 'NAME' (TYPE)", NAME being its "name"
** attribute, else its first output; "op #INDEX (TYPE)" when it has
** neither.  Names are escaped (diag_quote).  The one rule for every
** message; model_label() applies it to parts not yet in a struct op (a
** protobuf op being read).  Both write into 'buf' and return it. */
const char *model_op_label(char buf[MODEL_LABEL_MAX], const struct op *op, size_t index);
const char *model_label(char buf[MODEL_LABEL_MAX], const char *name, const char *type,
			size_t index);

/* Record a problem at 'at' in 'd' (first error wins, as diag_fail):
** "<file>[:LINE:COL]: [function 'F': ][op 'N' (T): ]<message>"; LINE:COL
** when the op was read from model.mil text.  Returns 'status'. */
int model_fail(struct mlcc_diag *d, int status, const struct model_site *at, const char *fmt, ...)
	MLCC_PRINTF(4, 5);

/* The same from parts, for readers and writers that hold a place as
** names (a protobuf op being read): 'func' and 'label' (from model_label)
** may be NULL, 'line' 0. */
int model_vfail(struct mlcc_diag *d, int status, const char *file, unsigned line, unsigned col,
		const char *func, const char *label, const char *fmt, va_list ap);

/* ---- walking a model ---------------------------------------------------- */

/* A visitor for model_walk(): either callback may be NULL; a non-zero
** return stops the walk and is returned by it. */
struct model_visitor {
	/* Each op, before its values. */
	int (*op)(void *ctx, const struct model_site *at);
	/* Each value of an op (literal input bindings, attributes) and each
	** program, function and block attribute ('at->op' NULL then);
	** the items of tuples, lists and dictionaries are visited too. */
	int (*value)(void *ctx, const struct model_site *at, const struct mvalue *v);
	void *ctx;
};

/* Visit every op and every value of 'm' in program order: pipeline
** children first (in order), then per ML program its attributes, then
** each function: its attributes, then its body (block attributes, then
** each op: the op, its input values, its attribute values, its nested
** blocks).  'file' names the model in 'at'. */
MLCC_MUST_CHECK int model_walk(const struct model *m, const char *file,
			       const struct model_visitor *v);

/* ---- small queries ------------------------------------------------------ */

/* The function named 'name', or NULL. */
const struct function *model_find_function(const struct program *p, const char *name);

/* The value of attribute 'key' among 'attrs', or NULL. */
const struct mvalue *model_attr(const struct attribute *attrs, size_t n, const char *key);

/* Elements a tensor type's shape holds: -1 when a dimension (or the
** rank) is unknown, -2 when the product overflows. */
int64_t model_tensor_count(const struct mtype *t);

/* Structural type equality (kinds, element types, shapes, nested types);
** two NULLs are equal. */
bool model_same_type(const struct mtype *a, const struct mtype *b);

/* The string held by a rank-0 string tensor value, or NULL. */
const char *model_value_string(const struct mvalue *v);

#endif
