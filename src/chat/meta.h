/*
** meta.h -- ANEMLL's meta.yaml (model_info.parameters) and where its part
** files are.
**
** meta.yaml is written by ANEMLL's converter next to the parts; every key
** mlcc uses is optional here (a missing one is 0 / NULL / false) and the
** caller decides what it needs.  Part names resolve as chat.py resolves
** them: relative to meta.yaml's directory, a name given with .mlmodelc or
** .mlpackage has that suffix stripped, then NAME.mlmodelc is tried first,
** then NAME.mlpackage (then NAME itself when it had no suffix); an
** embeddings name with "_lut" that is not found is retried without it.
*/
#ifndef MLCC_CHAT_META_H
#define MLCC_CHAT_META_H

#include "mlccint.h"

#include <stdbool.h>
#include <stddef.h>

#define META_MAX_SPLITS 64

struct chat_meta {
	char *dir;    /* the directory of meta.yaml */
	char *name;   /* model_info.name */
	char *prefix; /* model_prefix */
	int context_length, batch_size, num_chunks, vocab_size;
	int lut_embeddings, lut_ffn, lut_lmhead, lut_bits; /* 0: none */
	int split_lm_head;
	int lm_head_chunk_sizes[META_MAX_SPLITS];
	size_t nsplits;			    /* entries of lm_head_chunk_sizes */
	int sliding_window, attention_size; /* Gemma 3 (0: none / context) */
	bool argmax_in_model, monolithic, prefill_dynamic_slice, update_mask_prefill;
	bool split_rotate;
	char *embeddings, *lm_head, *ffn, *pf, *monolithic_model, *tokenizer_path;
};

/* Read 'path'.  Errors name the file (and the line of a YAML error). */
MLCC_MUST_CHECK int chat_meta_read(const char *path, struct chat_meta *m, struct mlcc_diag *d);

void chat_meta_free(struct chat_meta *m);

/* The file or bundle 'name' stands for, relative to 'dir' (NULL or "":
** the current directory) when not absolute, by the rules above; malloc'd.
** Not found: MLCC_E_IO "<what> not found: <dir/name> (tried A, B)". */
MLCC_MUST_CHECK int chat_resolve(const char *dir, const char *name, const char *what, char **path,
				 struct mlcc_diag *d);

/* The chunk files of an FFN path whose name holds "_chunk_NNofMM": every
** chunk 1..MM resolved as chat_resolve does (in 'paths', malloc'd, each
** malloc'd); a path without the pattern is one chunk. */
MLCC_MUST_CHECK int chat_chunks(const char *path, char ***paths, size_t *n, struct mlcc_diag *d);

#endif
