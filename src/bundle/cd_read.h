/*
** cd_read.h -- reading the binary files of a compiled bundle back:
** coremldata.bin, modelNames/coremldata.bin and analytics/coremldata.bin.
**
** The mirror of emit_coremldata.c and emit_analytics.c; every length and
** count is checked against the bytes actually present.
*/
#ifndef MLCC_CD_READ_H
#define MLCC_CD_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "mlcc.h"
#include "model/model.h"

/* The contents of one coremldata.bin. */
struct cd_file {
	uint32_t type;           /* 502 ML program, 202/200/201 pipelines */
	uint64_t compiled[3];    /* compiled version */
	char *variant;           /* "generic" (+ ".model0v..." for pipelines) */
	int32_t spec_version;
	ModelDescription *desc;  /* parsed description */
	size_t ntrailers;        /* ML program: 16-byte function trailers */
	uint64_t nchildren;      /* pipelines */
	bool classifier;         /* ML program with a classifier tail */
	bool int_labels;
	size_t nlabels;
	char **labels;           /* string labels */
	int64_t *int_values;     /* int64 labels */
	char *prob_var;          /* the classifier's probabilities variable */
};

/* Parse the 'len' bytes of a coremldata.bin ('origin' names them in
** messages) into 'out'; strings and the description come from 'a'. */
int cd_parse(struct arena *a, const char *origin, const uint8_t *buf,
	     size_t len, struct cd_file *out, struct mlcc_diag *d);

/* Read and check 'path' into 'out' (allocated from 'a'). */
int cd_read(struct arena *a, const char *path, struct cd_file *out,
	    struct mlcc_diag *d);

/* Read modelNames/coremldata.bin: a u64 count and that many strings. */
int cd_read_names(struct arena *a, const char *path, char ***names,
		  size_t *n, struct mlcc_diag *d);

/* The modelName of analytics/coremldata.bin's SpecificationDetails, or
** NULL (not an error) when the file or the entry is absent. */
int cd_read_analytics_name(struct arena *a, const char *path, char **name,
			   struct mlcc_diag *d);

#endif
