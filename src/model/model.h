/*
** model.h -- the in-memory model every stage of mlcc works on.
**
** Pipeline: a reader (spec_read.c from protobuf; later mil_parse.c from
** model.mil text) builds a 'struct model'; the emitters (emit_*.c) print it.
** All objects of one model live in the model's arena and die together.
**
** The MIL program is held in mlcc's own structures below.  The model
** description is kept as the protobuf message it was read from, because the
** compiled bundle stores exactly that message re-serialized (coremldata.bin,
** mlmodelc-format.md §2.4), unknown fields included.
**
** Invariants after a successful read:
**  - every 'name' and string is NUL-terminated and never NULL;
**  - tensor values hold 'count' elements in the unpacked form of
**    dtype_mem_size() (sub-byte types and bool one byte each, fp16/bf16 as
**    raw uint16 bits, fp32 as raw uint32 bits, strings as char *);
**  - op inputs, attributes and function inputs are in SOURCE order; printers
**    sort them as the format requires.
*/
#ifndef MLCC_MODEL_H
#define MLCC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
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
	const char *type; /* op type verbatim, e.g. "conv" */
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

struct model {
	struct arena *arena; /* owns everything below */
	const char *origin;  /* file the model was read from, for messages */
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
** specification (coremldata.bin "spec" form, mlmodelc-format.md §2.8):
** glmClassifier (400), nonMaximumSuppression (610), textClassifier (2000),
** visionFeaturePrint (2002) -- the ones the corpus or the shared docs show. */
bool model_compiles_as_spec(unsigned field);

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
