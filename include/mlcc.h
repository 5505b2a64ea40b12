/*
** mlcc.h -- public interface of mlcc, a portable Core ML model compiler.
**
** mlcc turns a Core ML model (an .mlpackage directory or a bare .mlmodel
** file) into the compiled OUTDIR/<stem>.mlmodelc bundle, byte-identical to
** what Apple's `coremlcompiler compile` writes.  Everything here carries the
** `mlcc_` prefix; internal modules live in src/ and are not part of the API.
*/
#ifndef MLCC_H
#define MLCC_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLCC_VERSION_STRING "0.1.0"

/* Result codes.  Stable numbers; 0 is success. */
enum mlcc_status {
	MLCC_OK = 0,
	MLCC_E_IO = 1,          /* a file could not be read or written */
	MLCC_E_CORRUPT = 2,     /* the input is malformed */
	MLCC_E_UNSUPPORTED = 3, /* valid input that mlcc cannot compile yet */
	MLCC_E_NOMEM = 4,       /* out of memory */
	MLCC_E_USAGE = 5,       /* bad arguments from the caller */
	MLCC_E_INTERNAL = 6     /* a bug in mlcc */
};

/* The first error of an operation: a status and one line of text that names
** the file and, where it applies, the function, op or value at fault. */
struct mlcc_diag {
	int status;
	char message[1024];
};

/* How weight files reach the bundle (the bytes are the same in every
** mode). */
enum mlcc_link_mode {
	MLCC_LINK_COPY = 0, /* clone (FICLONE) when possible, else stream a copy */
	MLCC_LINK_REFLINK,  /* clone, or fail: no data is copied */
	MLCC_LINK_HARD,     /* hard link (same file system only): editing one
			    ** file then changes the other */
	MLCC_LINK_AUTO      /* clone, else copy */
};

/* "copy", "reflink", "hard", "auto" -> mode; -1 if unknown. */
int mlcc_link_mode_parse(const char *name);

struct mlcc_compile_options {
	const char *input;          /* .mlpackage directory or .mlmodel file */
	const char *output_dir;     /* the bundle is written inside it */
	const char *coremlc_version; /* compiler stamp, NULL = newest known */
	const char *mil_version;    /* coremlc-component-MIL, NULL = usual one */
	enum mlcc_link_mode link;
	int quiet;                  /* no progress line for big weight copies
				    ** (shown only when stderr is a terminal) */
	char *written_path;         /* out: malloc'd path of the bundle, or NULL */
};

/* Compile one model.  On success returns MLCC_OK and, if asked, sets
** 'opts->written_path' (free it with free()).  On failure returns the status,
** fills 'diag', removes every temporary and leaves an existing bundle at the
** target untouched. */
int mlcc_compile(struct mlcc_compile_options *opts, struct mlcc_diag *diag);

/* Read the compiled bundle 'bundle' (X.mlmodelc) back into the package
** 'out' (Y.mlpackage) that compiles to the same bundle: the program from
** model.mil, the description from coremldata.bin, the weights copied.
** Written atomically like bundles. */
int mlcc_decompile(const char *bundle, const char *out,
		   struct mlcc_diag *diag);

struct mlcc_assemble_options {
	const char *mil;              /* model.mil text file */
	const char *weights_dir;      /* files for @model_path/weights/, or NULL */
	int spec_version;             /* 0: from the dialect and opsets */
	const char *description_from; /* package, .mlmodel or bundle, or NULL */
	const char *output;           /* OUT.mlpackage */
};

/* Turn a MIL text file into a package; without 'description_from' the
** inputs and outputs come from the function signatures. */
int mlcc_assemble(const struct mlcc_assemble_options *opts,
		  struct mlcc_diag *diag);

/* Describe a package, .mlmodel or bundle on 'out': as text, or as the
** JSON document of docs/inspect-json.md. */
int mlcc_inspect(const char *path, int as_json, FILE *out,
		 struct mlcc_diag *diag);

/* mlcc_diff flags. */
#define MLCC_DIFF_INTERFACE 1 /* compare functions, inputs, outputs, states only */

/* Compare two models (any mix of packages, .mlmodel files and bundles);
** writes the report on 'out' and sets '*different' to 0 when they are
** equivalent, 1 when not.  Returns a status (not the verdict). */
int mlcc_diff(const char *a, const char *b, int flags, FILE *out,
	      int *different, struct mlcc_diag *diag);

/* The compiler stamps mlcc can claim, newest last, as "coremlc MIL" pairs;
** 'i' counts from 0.  Returns NULL past the end. */
const char *mlcc_known_coremlc_version(size_t i, const char **usual_mil);

/* Human-readable name of a status code. */
const char *mlcc_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif /* MLCC_H */
