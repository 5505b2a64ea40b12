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

/* How weight files reach the bundle. */
enum mlcc_link_mode {
	MLCC_LINK_COPY = 0 /* clone when possible, else stream a copy */
};

struct mlcc_compile_options {
	const char *input;          /* .mlpackage directory or .mlmodel file */
	const char *output_dir;     /* the bundle is written inside it */
	const char *coremlc_version; /* compiler stamp, NULL = newest known */
	const char *mil_version;    /* coremlc-component-MIL, NULL = usual one */
	enum mlcc_link_mode link;
	char *written_path;         /* out: malloc'd path of the bundle, or NULL */
};

/* Compile one model.  On success returns MLCC_OK and, if asked, sets
** 'opts->written_path' (free it with free()).  On failure returns the status,
** fills 'diag', removes every temporary and leaves an existing bundle at the
** target untouched. */
int mlcc_compile(struct mlcc_compile_options *opts, struct mlcc_diag *diag);

/* The compiler stamps mlcc can claim, newest last, as "coremlc MIL" pairs;
** 'i' counts from 0.  Returns NULL past the end. */
const char *mlcc_known_coremlc_version(size_t i, const char **usual_mil);

/* Human-readable name of a status code. */
const char *mlcc_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif /* MLCC_H */
