/*
** mlcc.h -- the public interface of libmlcc, a portable Core ML model
** compiler and CPU runtime.
**
** mlcc turns a Core ML model (an .mlpackage directory or a bare .mlmodel
** file) into the compiled OUTDIR/<stem>.mlmodelc bundle, byte-identical to
** what Apple's `coremlcompiler compile` writes; reads bundles back
** (decompile, inspect, diff); and runs ML programs on the CPU.
**
** Everything here carries the `mlcc_` (or `MLCC_`) prefix, and the shared
** library exports nothing else.  Internal modules live in src/ and are not
** part of the interface.
**
** Errors.  Every function that can fail returns an `enum mlcc_status` (0 is
** success) and fills a `struct mlcc_diag` with one line of text naming the
** file and, where it applies, the function, op or value at fault.  The
** library never prints: progress and warnings reach the caller through an
** `mlcc_event_fn` callback, when one is given.
**
** Memory.  Whatever the library allocates for the caller is released by
** the matching *_free() function named beside it.  Weight files are never
** read whole: compiling streams or clones them, running maps them.
**
** Threads.  The library keeps no global state: every function may be
** called from any thread, and calls on different objects run
** independently.  mlcc_compile() copies the weights directory in a thread
** of its own while it reads the model, so progress events arrive on that
** thread; the callback must not call back into the same compile.  A loaded
** `mlcc_model` is immutable once loaded: several threads may run
** predictions on it at once, each with its own `mlcc_state`; one state must
** not be used by two predictions at the same time.  Each prediction runs
** its kernels on up to `threads` worker threads (mlcc_load_options).
*/
#ifndef MLCC_H
#define MLCC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MLCC_API __attribute__((visibility("default")))
#else
#define MLCC_API
#endif

/* ---- version ------------------------------------------------------------ */

#define MLCC_VERSION_MAJOR 0
#define MLCC_VERSION_MINOR 2
#define MLCC_VERSION_RELEASE 0
#define MLCC_VERSION_NUMBER                                                                        \
	(MLCC_VERSION_MAJOR * 10000 + MLCC_VERSION_MINOR * 100 + MLCC_VERSION_RELEASE)
#define MLCC_VERSION_STRING "0.2.0"

/* The version of the library linked at run time: MLCC_VERSION_NUMBER and
** MLCC_VERSION_STRING as it was built. */
MLCC_API unsigned mlcc_version_number(void);
MLCC_API const char *mlcc_version(void);

/* ---- errors and events -------------------------------------------------- */

/* Result codes.  Stable numbers; 0 is success. */
enum mlcc_status {
	MLCC_OK = 0,
	MLCC_E_IO = 1,		/* a file could not be read or written */
	MLCC_E_CORRUPT = 2,	/* the input is malformed */
	MLCC_E_UNSUPPORTED = 3, /* valid input that mlcc cannot handle yet */
	MLCC_E_NOMEM = 4,	/* out of memory */
	MLCC_E_USAGE = 5,	/* bad arguments from the caller */
	MLCC_E_INTERNAL = 6	/* a bug in mlcc */
};

/* Human-readable name of a status code ("malformed input", ...). */
MLCC_API const char *mlcc_status_name(int status);

/* The first error of an operation: a status and one line of text (no
** newline in it) that names the file and, where it applies, the
** function, op or value at fault. */
struct mlcc_diag {
	int status;
	char message[1024];
};

enum mlcc_event_kind {
	MLCC_EVENT_PROGRESS = 1, /* a weight file is being streamed */
	MLCC_EVENT_WARNING = 2	 /* something the caller should know */
};

/* What an operation reports while it runs.  PROGRESS: 'subject' is the
** file being copied, 'done' of 'total' bytes; the first event of a file
** has done == 0 and the last done == total; at most a few per second in
** between.  WARNING: 'message' is one line without a newline.  Pointers
** are valid during the callback only. */
struct mlcc_event {
	enum mlcc_event_kind kind;
	const char *message;
	const char *subject;
	uint64_t done, total;
};

typedef void (*mlcc_event_fn)(void *ctx, const struct mlcc_event *event);

/* ---- compiling ---------------------------------------------------------- */

/* How weight files reach the bundle (the bytes are the same in every
** mode). */
enum mlcc_link_mode {
	MLCC_LINK_COPY = 0, /* clone (FICLONE) when possible, else stream a copy */
	MLCC_LINK_REFLINK,  /* clone, or fail: no data is copied */
	MLCC_LINK_HARD,	    /* hard link (same file system only): editing one
			    ** file then changes the other */
	MLCC_LINK_AUTO	    /* clone, else copy */
};

/* "copy", "reflink", "hard", "auto" -> mode; -1 if unknown. */
MLCC_API int mlcc_link_mode_parse(const char *name);

struct mlcc_compile_options {
	const char *input;	     /* .mlpackage directory or .mlmodel file */
	const char *output_dir;	     /* the bundle is written inside it */
	const char *coremlc_version; /* compiler stamp, NULL = newest known */
	const char *mil_version;     /* coremlc-component-MIL, NULL = usual one */
	enum mlcc_link_mode link;
	mlcc_event_fn on_event; /* progress and warnings, or NULL */
	void *event_ctx;	/* passed to 'on_event' */
	/* Also write the partial Info.plist a model contributes to an app (an
	** empty dict) at this path, or NULL: written before the bundle is
	** committed, renamed into place with it (coremlcompiler's
	** --output-partial-info-plist). */
	const char *partial_info_plist;
};

/* What a successful compile did. */
struct mlcc_compile_result {
	char *bundle;		  /* OUTDIR/<stem>.mlmodelc (malloc'd) */
	char coremlc_version[32]; /* the stamp written */
	char mil_version[32];
	uint64_t bytes_copied; /* weight bytes streamed */
	uint64_t bytes_cloned; /* weight bytes cloned (reflink) */
	uint64_t bytes_linked; /* weight bytes hard-linked */
};

/* Compile one model.  On success returns MLCC_OK and fills 'result' (may be
** NULL; release it with mlcc_compile_result_free()).  On failure returns
** the status, fills 'diag', removes every temporary and leaves an existing
** bundle at the target untouched; 'result' is then zeroed. */
MLCC_API int mlcc_compile(const struct mlcc_compile_options *options,
			  struct mlcc_compile_result *result, struct mlcc_diag *diag);

/* Release what mlcc_compile() put in 'result'; a zeroed result is fine. */
MLCC_API void mlcc_compile_result_free(struct mlcc_compile_result *result);

/* The compiler stamps mlcc can claim, oldest first, as "coremlc MIL" pairs;
** 'i' counts from 0.  Returns NULL past the end.  The first is "unstamped"
** (output of compilers older than buildInfo; its MIL version is ""). */
MLCC_API const char *mlcc_known_coremlc_version(size_t i, const char **usual_mil);

/* Where stamp 'i' comes from: the corpus items (and their public
** repositories) whose output its rules reproduce, one line of text.
** Returns NULL past the end. */
MLCC_API const char *mlcc_known_coremlc_evidence(size_t i);

/* ---- reading bundles back ----------------------------------------------- */

/* Read the compiled bundle 'bundle' (X.mlmodelc) back into the package
** 'out' (Y.mlpackage) that compiles to the same bundle: the program from
** model.mil, the description from coremldata.bin, the weights copied.
** Written atomically like bundles.  'out' may instead name a Y.mlmodel
** file, for a model without weight files (a bundle compiled from an
** .mlmodel names its spec file in analytics: Y should be that name). */
MLCC_API int mlcc_decompile(const char *bundle, const char *out, struct mlcc_diag *diag);

struct mlcc_assemble_options {
	const char *mil;	      /* model.mil text file */
	const char *weights_dir;      /* files for @model_path/weights/, or NULL */
	int spec_version;	      /* 0: from the dialect and opsets */
	const char *description_from; /* package, .mlmodel or bundle, or NULL */
	const char *output;	      /* OUT.mlpackage */
	mlcc_event_fn on_event;	      /* warnings of the op check, or NULL */
	void *event_ctx;	      /* passed to 'on_event' */
};

/* Turn a MIL text file into a package; without 'description_from' the
** inputs and outputs come from the function signatures. */
MLCC_API int mlcc_assemble(const struct mlcc_assemble_options *options, struct mlcc_diag *diag);

/* ---- checking ----------------------------------------------------------- */

struct mlcc_check_options {
	mlcc_event_fn on_event; /* warnings (ops mlcc does not know), or NULL */
	void *event_ctx;	/* passed to 'on_event' */
};

/* What a successful check saw. */
struct mlcc_check_result {
	size_t functions; /* ML-program functions, pipeline children included */
	size_t ops;	  /* ops, nested blocks included */
	size_t warnings;  /* ops of types not in the catalogue (not checked) */
	size_t inferred;  /* op outputs whose type (in part or whole) followed
			  ** from the inputs and was compared with the declared one */
};

/* Type-check every op of 'path' (package, .mlmodel, bundle, or a model.mil
** text file) against the MIL op catalogue (docs/OPS.md): input names,
** required inputs, dtypes, constness, opset availability, and the output
** types the inputs imply against the declared ones.  MLCC_OK when the
** model passes; MLCC_E_CORRUPT with the first problem in 'diag' otherwise.
** 'options' and 'result' may be NULL. */
MLCC_API int mlcc_check(const char *path, const struct mlcc_check_options *options,
			struct mlcc_check_result *result, struct mlcc_diag *diag);

/* Describe a package, .mlmodel or bundle on 'out': as text, or as the
** JSON document of docs/inspect-json.md. */
MLCC_API int mlcc_inspect(const char *path, int as_json, FILE *out, struct mlcc_diag *diag);

/* mlcc_diff flags. */
#define MLCC_DIFF_INTERFACE 1 /* compare functions, inputs, outputs, states */

/* Compare two models (any mix of packages, .mlmodel files and bundles);
** writes the report on 'out' and sets '*different' to 0 when they are
** equivalent, 1 when not.  Returns a status (not the verdict). */
MLCC_API int mlcc_diff(const char *a, const char *b, int flags, FILE *out, int *different,
		       struct mlcc_diag *diag);

/* ---- running models on the CPU ------------------------------------------ */

/* Element types of the tensors a caller gives and gets. */
enum mlcc_dtype {
	MLCC_FLOAT16 = 1, /* IEEE binary16, stored as its 16 bits */
	MLCC_FLOAT32,
	MLCC_FLOAT64,
	MLCC_INT8,
	MLCC_UINT8,
	MLCC_INT16,
	MLCC_UINT16,
	MLCC_INT32,
	MLCC_UINT32,
	MLCC_INT64,
	MLCC_UINT64,
	MLCC_BOOL /* one byte, 0 or 1 */
};

/* Bytes of one element (0 for an unknown type) and the MIL name ("fp16",
** "int32", ..., NULL for an unknown type). */
MLCC_API size_t mlcc_dtype_size(enum mlcc_dtype dtype);
MLCC_API const char *mlcc_dtype_name(enum mlcc_dtype dtype);

#define MLCC_MAX_RANK 8

/* A dense row-major tensor. */
struct mlcc_tensor {
	const char *name;
	enum mlcc_dtype dtype;
	int rank; /* 0 for a scalar */
	int64_t shape[MLCC_MAX_RANK];
	void *data;
};

/* Elements of 't' (the product of its shape; 1 for a scalar). */
MLCC_API size_t mlcc_tensor_count(const struct mlcc_tensor *t);

/* A .npy file (NumPy format 1.0-3.0, C order, little-endian) read into 't':
** 't->data' malloc'd, 't->name' NULL.  Release with mlcc_tensor_free(). */
MLCC_API int mlcc_npy_read(const char *path, struct mlcc_tensor *t, struct mlcc_diag *diag);

/* Write 't' as a .npy file (format 1.0), atomically. */
MLCC_API int mlcc_npy_write(const char *path, const struct mlcc_tensor *t, struct mlcc_diag *diag);

/* free() the data of a tensor that mlcc allocated; 't' is zeroed. */
MLCC_API void mlcc_tensor_free(struct mlcc_tensor *t);

/* A model loaded for running: a compiled bundle or a package. */
typedef struct mlcc_model mlcc_model;

/* The values of a model's states (Core ML's MLState): created zeroed for a
** function, passed to every prediction that uses them, kept between calls.
** A state can serve every function -- of any model -- whose state
** declarations it matches by name, type and shape (ANEMLL passes one state
** to every chunk of a model). */
typedef struct mlcc_state mlcc_state;

struct mlcc_load_options {
	int threads;		/* worker threads; 0: one per core */
	mlcc_event_fn on_event; /* warnings, or NULL */
	void *event_ctx;
};

/* Load 'path' (X.mlmodelc or X.mlpackage) for running: the program is
** read and checked, weights are mapped, not read.  'options' may be NULL. */
MLCC_API int mlcc_model_load(const char *path, const struct mlcc_load_options *options,
			     mlcc_model **model, struct mlcc_diag *diag);

/* Release a model; NULL is fine.  States made from it stay valid. */
MLCC_API void mlcc_model_free(mlcc_model *model);

/* A declared input, output or state.  'shape' is the default shape, -1 in
** dimensions that are flexible. */
struct mlcc_feature {
	const char *name;
	enum mlcc_dtype dtype;
	int rank;
	int64_t shape[MLCC_MAX_RANK];
};

/* What a function takes and gives; the arrays live as long as the model. */
struct mlcc_signature {
	const char *function;
	size_t ninputs, noutputs, nstates;
	const struct mlcc_feature *inputs, *outputs, *states;
};

/* The functions of a model: their number, the i-th name (source order),
** and the default one (what a NULL function name means). */
MLCC_API size_t mlcc_model_function_count(const mlcc_model *model);
MLCC_API const char *mlcc_model_function_name(const mlcc_model *model, size_t i);
MLCC_API const char *mlcc_model_default_function(const mlcc_model *model);

/* The signature of 'function' (NULL: the default function). */
MLCC_API int mlcc_model_signature(const mlcc_model *model, const char *function,
				  struct mlcc_signature *signature, struct mlcc_diag *diag);

/* New zeroed states for the state declarations of 'function' (NULL: the
** default function). */
MLCC_API int mlcc_state_new(const mlcc_model *model, const char *function, mlcc_state **state,
			    struct mlcc_diag *diag);
MLCC_API void mlcc_state_free(mlcc_state *state);

/* A view of state 'name': 'view->data' points into the state's storage and
** stays valid until the state is used or freed. */
MLCC_API int mlcc_state_get(mlcc_state *state, const char *name, struct mlcc_tensor *view,
			    struct mlcc_diag *diag);

/* Copy 'value' into the state named value->name (same type and shape). */
MLCC_API int mlcc_state_set(mlcc_state *state, const struct mlcc_tensor *value,
			    struct mlcc_diag *diag);

/* The outputs of one prediction, in the function's output order. */
struct mlcc_prediction {
	size_t noutputs;
	struct mlcc_tensor *outputs;
	void *internal; /* owned storage; do not touch */
};

/* Run 'function' (NULL: the default) on 'inputs' (matched by name; every
** declared input is required, extra ones are an error).  'state' must be
** given when the function declares states, and is updated in place.
** On success fills 'prediction' (release it with mlcc_prediction_free()). */
MLCC_API int mlcc_predict(mlcc_model *model, const char *function, const struct mlcc_tensor *inputs,
			  size_t ninputs, mlcc_state *state, struct mlcc_prediction *prediction,
			  struct mlcc_diag *diag);

MLCC_API void mlcc_prediction_free(struct mlcc_prediction *prediction);

/* ---- tokenizers and chat (ANEMLL language models) ----------------------- */

/* A Hugging Face tokenizer (tokenizer.json, model type BPE): byte-level
** BPE (GPT-2, Llama 3, Qwen2 splits) or SentencePiece-style BPE
** (Metaspace / Prepend+Replace normalizers, <0xNN> byte fallback), with
** its added tokens; bos/eos from tokenizer_config.json when present. */
typedef struct mlcc_tokenizer mlcc_tokenizer;

/* Load 'path': a tokenizer.json file, or a directory holding one (and
** maybe tokenizer_config.json beside it). */
MLCC_API int mlcc_tokenizer_load(const char *path, mlcc_tokenizer **tok, struct mlcc_diag *diag);
MLCC_API void mlcc_tokenizer_free(mlcc_tokenizer *tok);

/* mlcc_tokenizer_encode flags. */
#define MLCC_TOKENIZE_ADD_SPECIAL 1 /* prepend bos when the tokenizer adds one */

/* The ids of the UTF-8 text 'text' (NUL-terminated); '*ids' is malloc'd
** (release with free()), '*n' their number. */
MLCC_API int mlcc_tokenizer_encode(const mlcc_tokenizer *tok, const char *text, int flags,
				   int32_t **ids, size_t *n, struct mlcc_diag *diag);

/* mlcc_tokenizer_decode flags. */
#define MLCC_DETOKENIZE_SKIP_SPECIAL 1 /* leave special tokens out */

/* The text of 'n' ids, NUL-terminated, malloc'd (release with free()). */
MLCC_API int mlcc_tokenizer_decode(const mlcc_tokenizer *tok, const int32_t *ids, size_t n,
				   int flags, char **text, struct mlcc_diag *diag);

/* The bos and eos ids (-1 when the tokenizer has none), the number of ids
** (vocabulary and added tokens), and whether encoding with
** MLCC_TOKENIZE_ADD_SPECIAL prepends bos. */
MLCC_API int32_t mlcc_tokenizer_bos(const mlcc_tokenizer *tok);
MLCC_API int32_t mlcc_tokenizer_eos(const mlcc_tokenizer *tok);
MLCC_API size_t mlcc_tokenizer_size(const mlcc_tokenizer *tok);

/* The chat template (Jinja text) of tokenizer_config.json's chat_template
** or chat_template.jinja beside tokenizer.json, or NULL.  mlcc does not
** run Jinja: the chat CLI recognises the common formats by their markers. */
MLCC_API const char *mlcc_tokenizer_chat_template(const mlcc_tokenizer *tok);

/* The id of the token spelled 'token' (vocabulary or added token), or -1. */
MLCC_API int32_t mlcc_tokenizer_token_id(const mlcc_tokenizer *tok, const char *token);

/* An ANEMLL language model ready to generate: chunked (embeddings, FFN
** chunks with `infer`/`prefill`, LM head) or monolithic (one model with
** `infer`/`prefill`), with one KV state shared by every part. */
typedef struct mlcc_chat mlcc_chat;

struct mlcc_chat_options {
	const char *meta;	/* ANEMLL meta.yaml, or NULL with the parts below */
	const char *embed;	/* parts (override meta.yaml's; relative names */
	const char *ffn;	/* resolve next to meta.yaml): .mlmodelc first, */
	const char *pf;		/* then .mlpackage; ffn may name chunk 1 of N; */
	const char *lmhead;	/* pf: separate prefill chunks (optional) */
	const char *monolithic; /* one model holding embed+FFN+head */
	int context_length;	/* 0: from meta.yaml (else required) */
	int batch_size;		/* 0: from meta.yaml, else from the model */
	int vocab_size;		/* 0: from meta.yaml (sizes argmax-in-model splits) */
	int threads;		/* runtime worker threads; 0: one per core */
	mlcc_event_fn on_event; /* warnings, or NULL */
	void *event_ctx;
};

/* Load every part and make the shared state. */
MLCC_API int mlcc_chat_load(const struct mlcc_chat_options *options, mlcc_chat **chat,
			    struct mlcc_diag *diag);
MLCC_API void mlcc_chat_free(mlcc_chat *chat);

/* The context length and prefill batch size in use. */
MLCC_API int mlcc_chat_context_length(const mlcc_chat *chat);
MLCC_API int mlcc_chat_batch_size(const mlcc_chat *chat);

/* How the next token is chosen: temperature 0 is greedy argmax; above
** it, sampling from softmax(logits / temperature), restricted to the
** 'top_k' most likely (0: all) and then to the smallest set whose
** probability reaches 'top_p' (1 or 0: all), with a PRNG seeded by
** 'seed' (the same seed gives the same tokens). */
struct mlcc_chat_sampling {
	double temperature;
	int top_k;
	double top_p;
	uint64_t seed;
};

/* Told each generated token; 'logits' are the full vocabulary's (NULL
** when the model computes the argmax itself).  Non-zero stops. */
typedef int (*mlcc_token_fn)(void *ctx, int32_t token, const float *logits, size_t nlogits);

struct mlcc_chat_stats {
	size_t prefill_tokens, decode_tokens;
	double prefill_seconds, decode_seconds;
};

/* Generate from the prompt 'prompt[0..n)': the state is reset, the prompt
** prefilled (full batches through `prefill`, the rest through `infer`),
** then tokens generated until one of 'eos[0..neos)' (which is reported
** and counted), 'max_tokens' (0: no limit) or the end of the context.
** 'sampling' NULL is greedy. */
MLCC_API int mlcc_chat_generate(mlcc_chat *chat, const int32_t *prompt, size_t n, size_t max_tokens,
				const struct mlcc_chat_sampling *sampling, const int32_t *eos,
				size_t neos, mlcc_token_fn on_token, void *ctx,
				struct mlcc_chat_stats *stats, struct mlcc_diag *diag);

#ifdef __cplusplus
}
#endif
#endif /* MLCC_H */
