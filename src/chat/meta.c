/*
** meta.c -- meta.yaml with libyaml's document API, and part resolution.
*/
#include "chat/meta.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/diag.h"
#include "base/os.h"

#define META_MAX_FILE ((size_t)1 << 20)

/* The out-of-memory failure. */
static int nomem(struct mlcc_diag *d)
{
	return diag_fail(d, MLCC_E_NOMEM, "out of memory");
}

/* The value node of 'key' in mapping 'map', or NULL. */
static yaml_node_t *get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && strlen(key) == k->data.scalar.length &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* An integer parameter; "none" (ANEMLL's "no LUT") and absence are 0. */
static int get_int(const char *path, yaml_document_t *doc, yaml_node_t *params, const char *key,
		   int *out, struct mlcc_diag *d)
{
	const char *s = scalar(get(doc, params, key));
	char *end;
	long v;

	*out = 0;
	if (!s || strcmp(s, "none") == 0 || strcmp(s, "null") == 0 || !*s)
		return MLCC_OK;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < 0 || v > INT_MAX) {
		char q[DIAG_QUOTE_MAX];
		return diag_fail(d, MLCC_E_CORRUPT, "%s: %s is not a count: \"%s\"", path, key,
				 diag_quote(q, s));
	}
	*out = (int)v;
	return MLCC_OK;
}

/* Whether parameter 'key' is a YAML true. */
static bool get_bool(yaml_document_t *doc, yaml_node_t *params, const char *key)
{
	const char *s = scalar(get(doc, params, key));

	return s && (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "yes") == 0);
}

/* Parameter 'key' as a malloc'd string in '*out' (NULL when absent or empty). */
static int get_str(yaml_document_t *doc, yaml_node_t *params, const char *key, char **out,
		   struct mlcc_diag *d)
{
	const char *s = scalar(get(doc, params, key));

	*out = NULL;
	if (!s || !*s)
		return MLCC_OK;
	return (*out = strdup(s)) ? MLCC_OK : nomem(d);
}

/* lm_head_chunk_sizes: a sequence of positive counts. */
static int get_sizes(const char *path, yaml_document_t *doc, yaml_node_t *params,
		     struct chat_meta *m, struct mlcc_diag *d)
{
	yaml_node_t *seq = get(doc, params, "lm_head_chunk_sizes");

	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return MLCC_OK;
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++) {
		const char *s = scalar(yaml_document_get_node(doc, *it));
		char *end;
		long v = s ? strtol(s, &end, 10) : 0;
		if (!s || *end || v <= 0 || v > INT_MAX)
			return diag_fail(
				d, MLCC_E_CORRUPT,
				"%s: lm_head_chunk_sizes holds a value that is not a positive count",
				path);
		if (m->nsplits == META_MAX_SPLITS)
			return diag_fail(d, MLCC_E_UNSUPPORTED,
					 "%s: more than %d lm_head_chunk_sizes", path,
					 META_MAX_SPLITS);
		m->lm_head_chunk_sizes[m->nsplits++] = (int)v;
	}
	return MLCC_OK;
}

/* The model_info keys of the document into 'm'. */
static int read_params(const char *path, yaml_document_t *doc, struct chat_meta *m,
		       struct mlcc_diag *d)
{
	yaml_node_t *info = get(doc, yaml_document_get_root_node(doc), "model_info");
	yaml_node_t *p = get(doc, info, "parameters");
	const char *type = scalar(get(doc, info, "model_type"));
	int rc;

	if (!p || p->type != YAML_MAPPING_NODE)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: no model_info.parameters mapping", path);
	if ((rc = get_str(doc, info, "name", &m->name, d)) ||
	    (rc = get_str(doc, p, "model_prefix", &m->prefix, d)) ||
	    (rc = get_str(doc, p, "embeddings", &m->embeddings, d)) ||
	    (rc = get_str(doc, p, "lm_head", &m->lm_head, d)) ||
	    (rc = get_str(doc, p, "ffn", &m->ffn, d)) || (rc = get_str(doc, p, "pf", &m->pf, d)) ||
	    (rc = get_str(doc, p, "monolithic_model", &m->monolithic_model, d)) ||
	    (rc = get_str(doc, p, "tokenizer_path", &m->tokenizer_path, d)) ||
	    (rc = get_int(path, doc, p, "context_length", &m->context_length, d)) ||
	    (rc = get_int(path, doc, p, "batch_size", &m->batch_size, d)) ||
	    (rc = get_int(path, doc, p, "num_chunks", &m->num_chunks, d)) ||
	    (rc = get_int(path, doc, p, "vocab_size", &m->vocab_size, d)) ||
	    (rc = get_int(path, doc, p, "lut_embeddings", &m->lut_embeddings, d)) ||
	    (rc = get_int(path, doc, p, "lut_ffn", &m->lut_ffn, d)) ||
	    (rc = get_int(path, doc, p, "lut_lmhead", &m->lut_lmhead, d)) ||
	    (rc = get_int(path, doc, p, "lut_bits", &m->lut_bits, d)) ||
	    (rc = get_int(path, doc, p, "split_lm_head", &m->split_lm_head, d)) ||
	    (rc = get_int(path, doc, p, "sliding_window", &m->sliding_window, d)) ||
	    (rc = get_int(path, doc, p, "attention_size", &m->attention_size, d)) ||
	    (rc = get_sizes(path, doc, p, m, d)))
		return rc;
	m->argmax_in_model = get_bool(doc, p, "argmax_in_model");
	m->prefill_dynamic_slice = get_bool(doc, p, "prefill_dynamic_slice");
	m->update_mask_prefill = get_bool(doc, p, "update_mask_prefill");
	m->split_rotate = get_bool(doc, p, "split_rotate");
	m->monolithic = (type && strcmp(type, "monolithic") == 0) || m->monolithic_model;
	return MLCC_OK;
}

/* Parse the YAML text of 'path' and read its parameters into 'm'. */
static int parse(const char *path, const uint8_t *text, size_t len, struct chat_meta *m,
		 struct mlcc_diag *d)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;

	if (!yaml_parser_initialize(&parser))
		return nomem(d);
	yaml_parser_set_input_string(&parser, text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s:%zu: not YAML: %s", path,
			       parser.problem_mark.line + 1,
			       parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		return rc;
	}
	if (!yaml_document_get_root_node(&doc))
		rc = diag_fail(d, MLCC_E_CORRUPT, "%s: empty YAML document", path);
	else
		rc = read_params(path, &doc, m, d);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int chat_meta_read(const char *path, struct chat_meta *m, struct mlcc_diag *d)
{
	uint8_t *text;
	size_t len, blen;
	const char *base = os_basename(path, &blen);
	int rc;

	memset(m, 0, sizeof *m);
	if ((rc = os_read_file(path, META_MAX_FILE, &text, &len, d)) != MLCC_OK)
		return rc;
	m->dir = base > path ? strndup(path, (size_t)(base - path - 1)) : strdup(".");
	if (m->dir && !*m->dir) { /* "/meta.yaml" */
		free(m->dir);
		m->dir = strdup("/");
	}
	rc = m->dir ? parse(path, text, len, m, d) : nomem(d);
	free(text);
	if (rc != MLCC_OK)
		chat_meta_free(m);
	return rc;
}

void chat_meta_free(struct chat_meta *m)
{
	free(m->dir);
	free(m->name);
	free(m->prefix);
	free(m->embeddings);
	free(m->lm_head);
	free(m->ffn);
	free(m->pf);
	free(m->monolithic_model);
	free(m->tokenizer_path);
	memset(m, 0, sizeof *m);
}

/* Whether 's' ends in 'tail'. */
static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

/* 'stem' + 'ext' if it exists, as a new string in '*out'. */
static int try_path(const char *stem, const char *ext, char **out, struct mlcc_diag *d)
{
	size_t n = strlen(stem) + strlen(ext) + 1;
	char *p = malloc(n);

	if (!p)
		return nomem(d);
	snprintf(p, n, "%s%s", stem, ext);
	if (os_kind(p) != OS_MISSING) {
		*out = p;
		return MLCC_OK;
	}
	free(p);
	return MLCC_E_IO;
}

/* Try stem.mlmodelc, stem.mlpackage (and stem itself when 'bare'). */
static int try_stem(const char *stem, bool bare, char **out, struct mlcc_diag *d)
{
	int rc;

	if ((rc = try_path(stem, ".mlmodelc", out, d)) != MLCC_E_IO)
		return rc;
	if ((rc = try_path(stem, ".mlpackage", out, d)) != MLCC_E_IO)
		return rc;
	return bare ? try_path(stem, "", out, d) : MLCC_E_IO;
}

int chat_resolve(const char *dir, const char *name, const char *what, char **path,
		 struct mlcc_diag *d)
{
	char *full, *stem, *lut;
	bool bare = true;
	int rc;

	*path = NULL;
	full = (name[0] == '/' || !dir || !*dir) ? strdup(name) : os_join(dir, name);
	if (!full)
		return nomem(d);
	while (strlen(full) > 1 && ends_with(full, "/"))
		full[strlen(full) - 1] = '\0';
	if (ends_with(full, ".mlmodelc") || ends_with(full, ".mlpackage")) {
		*strrchr(full, '.') = '\0';
		bare = false;
	}
	rc = try_stem(full, bare, path, d);
	if (rc == MLCC_E_IO && strstr(full, "embeddings") && (lut = strstr(full, "_lut")) &&
	    (stem = strndup(full, (size_t)(lut - full)))) {
		rc = try_stem(stem, true, path, d);
		free(stem);
	}
	if (rc == MLCC_E_IO)
		diag_fail(d, MLCC_E_IO, "%s not found: %s (tried %s.mlmodelc and %s.mlpackage)",
			  what, full, full, full);
	free(full);
	return rc;
}

/* Where "_chunk_NNofMM" is in the last component of 'path' (or NULL),
** with NN and MM. */
static const char *chunk_pattern(const char *path, int *nn, int *mm)
{
	size_t blen;
	const char *p = os_basename(path, &blen), *hit = NULL;

	while ((p = strstr(p, "_chunk_")) != NULL) {
		if (strlen(p) >= 13 && p[7] >= '0' && p[7] <= '9' && p[8] >= '0' && p[8] <= '9' &&
		    p[9] == 'o' && p[10] == 'f' && p[11] >= '0' && p[11] <= '9' && p[12] >= '0' &&
		    p[12] <= '9') {
			*nn = (p[7] - '0') * 10 + (p[8] - '0');
			*mm = (p[11] - '0') * 10 + (p[12] - '0');
			hit = p;
		}
		p++;
	}
	return hit;
}

int chat_chunks(const char *path, char ***paths, size_t *n, struct mlcc_diag *d)
{
	int nn = 0, mm = 0, rc = MLCC_OK;
	const char *hit = chunk_pattern(path, &nn, &mm);
	char **v;

	*paths = NULL;
	*n = 0;
	if (hit && mm < 1)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: chunk count 00 in the name", path);
	if (!hit)
		mm = 1;
	if (!(v = calloc((size_t)mm, sizeof *v)))
		return nomem(d);
	for (int i = 0; i < mm && rc == MLCC_OK; i++) {
		char *name = strdup(path), what[40];
		if (!name) {
			rc = nomem(d);
			break;
		}
		if (hit) {
			char digits[12];
			snprintf(digits, sizeof digits, "%02d", i + 1);
			memcpy(name + (hit - path) + 7, digits, 2);
		}
		snprintf(what, sizeof what, "FFN chunk %d of %d", i + 1, mm);
		rc = chat_resolve(NULL, name, what, &v[i], d);
		free(name);
	}
	if (rc != MLCC_OK) {
		for (int i = 0; i < mm; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	*paths = v;
	*n = (size_t)mm;
	return MLCC_OK;
}
