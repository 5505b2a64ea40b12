/*
** flexshape.c -- FlexibleShapeInformation and enumerated configuration keys.
**
** Rules (mlmodelc-format.md §4.4):
**  - printed only when an input of the function is shape-flexible; inputs
**    are listed sorted by name; only flexible inputs appear (HIGH: corpus
**    mil-text/emo-swift-35ec62aa-Emo lists 4 of its 6 inputs);
**  - "DefaultShapes": ArrayFeatureType.shape of each flexible input;
**  - "RangeDims": [lower, upper] per dimension of each range input
**    (unbounded upper printed as -1: OPEN);
**  - "EnumeratedShapes": one entry per configuration, keyed by the first 4
**    bytes of SHA-256 of the configuration's raw name (VERIFIED on three
**    keys); configuration i pairs the i-th shape of every enumerated input
**    with the fixed shapes of the other inputs and of the states, range
**    inputs left out; configurations whose raw name repeats are dropped;
**    printed sorted by key (HIGH from decompiled code; multi-input LOW);
**  - when a function has both range and enumerated inputs the tuples are
**    printed DefaultShapes, EnumeratedShapes, RangeDims (name order, which
**    both observed forms follow; LOW).
*/
#include "flexshape.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "emit.h"

void flexshape_func_desc(const ModelDescription *desc, const char *name,
			 struct func_desc *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < desc->n_functions; i++) {
		const FunctionDescription *fd = desc->functions[i];
		if (fd && strcmp(fd->name, name) == 0) {
			out->fd = fd;
			out->ninputs = fd->n_input;
			out->inputs = fd->input;
			out->noutputs = fd->n_output;
			out->outputs = fd->output;
			out->nstates = fd->n_state;
			out->states = fd->state;
			return;
		}
	}
	out->ninputs = desc->n_input;
	out->inputs = desc->input;
	out->noutputs = desc->n_output;
	out->outputs = desc->output;
	out->nstates = desc->n_state;
	out->states = desc->state;
}

static const ArrayFeatureType *array_of(const FeatureDescription *f)
{
	if (!f || !f->type)
		return NULL;
	if (f->type->type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE)
		return f->type->multiarraytype;
	if (f->type->type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STATE_TYPE &&
	    f->type->statetype)
		return f->type->statetype->arraytype;
	return NULL;
}

static bool is_range(const ArrayFeatureType *a)
{
	return a && a->shape_flexibility_case ==
			    CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_SHAPE_RANGE &&
	       a->shaperange;
}

static bool is_enumerated(const ArrayFeatureType *a)
{
	return a && a->shape_flexibility_case ==
			    CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_ENUMERATED_SHAPES &&
	       a->enumeratedshapes;
}

bool flexshape_any(const struct func_desc *fd)
{
	for (size_t i = 0; i < fd->ninputs; i++) {
		const ArrayFeatureType *a = array_of(fd->inputs[i]);
		if (is_range(a) || is_enumerated(a))
			return true;
	}
	return false;
}

void flexshape_config_key(const char *raw, size_t len, char out[9])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)raw);
	sha256_digest(&ctx, sizeof digest, digest);
	for (int i = 0; i < 4; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[8] = '\0';
}

void flexshape_raw_name(struct wbuf *w, const char *name, const int64_t *shape,
			size_t rank)
{
	/* [seq, n, k, h, w]: the last four dims right-aligned, the product of
	** any leading ones in 'seq', missing entries 1 (Espresso order). */
	int64_t v[5] = {1, 1, 1, 1, 1};

	for (size_t i = 0; i < rank; i++) {
		size_t from_end = rank - 1 - i;
		if (from_end < 4)
			v[4 - from_end] = shape[i];
		else
			v[0] *= shape[i];
	}
	wbuf_puts(w, name);
	wbuf_putc(w, '_');
	for (int i = 0; i < 5; i++) {
		wbuf_put_i64(w, v[i]);
		wbuf_putc(w, '_');
	}
}

/* Sorted indices of the inputs that satisfy 'keep' (NULL: all). */
static size_t sorted_inputs(const struct func_desc *fd,
			    bool (*keep)(const ArrayFeatureType *), size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < fd->ninputs; i++) {
		const ArrayFeatureType *a = array_of(fd->inputs[i]);
		if (!a || (keep && !keep(a)))
			continue;
		size_t j = n++;
		while (j > 0 && strcmp(fd->inputs[idx[j - 1]]->name,
				       fd->inputs[i]->name) > 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	return n;
}

static bool is_flexible(const ArrayFeatureType *a)
{
	return is_range(a) || is_enumerated(a);
}

static void put_shape(struct wbuf *w, const int64_t *s, size_t n)
{
	wbuf_putc(w, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			wbuf_puts(w, ", ");
		wbuf_put_i64(w, s[i]);
	}
	wbuf_putc(w, ']');
}

static void put_defaults(struct wbuf *w, const struct func_desc *fd,
			 const size_t *idx, size_t n)
{
	wbuf_puts(w, "(\"DefaultShapes\", {");
	for (size_t i = 0; i < n; i++) {
		const FeatureDescription *f = fd->inputs[idx[i]];
		const ArrayFeatureType *a = array_of(f);
		wbuf_puts(w, i ? ", {" : "{");
		emit_mil_string(w, f->name);
		wbuf_puts(w, ", ");
		put_shape(w, a->shape, a->n_shape);
		wbuf_putc(w, '}');
	}
	wbuf_puts(w, "})");
}

static void put_ranges(struct wbuf *w, const struct func_desc *fd,
		       const size_t *idx, size_t n)
{
	size_t k = 0;

	wbuf_puts(w, "(\"RangeDims\", {");
	for (size_t i = 0; i < n; i++) {
		const FeatureDescription *f = fd->inputs[idx[i]];
		const ArrayFeatureType *a = array_of(f);
		if (!is_range(a))
			continue;
		wbuf_puts(w, k++ ? ", {" : "{");
		emit_mil_string(w, f->name);
		wbuf_puts(w, ", [");
		for (size_t d = 0; d < a->shaperange->n_sizeranges; d++) {
			const CoreML__Specification__SizeRange *r =
				a->shaperange->sizeranges[d];
			wbuf_puts(w, d ? ", [" : "[");
			wbuf_put_u64(w, r ? r->lowerbound : 0);
			wbuf_puts(w, ", ");
			wbuf_put_i64(w, r ? r->upperbound : 0);
			wbuf_putc(w, ']');
		}
		wbuf_puts(w, "]}");
	}
	wbuf_puts(w, "})");
}

/* One enumerated configuration: its raw name and printed body. */
struct config {
	char key[9];
	char *raw;
	char *body;
};

static int cmp_config(const void *a, const void *b)
{
	return strcmp(((const struct config *)a)->key,
		      ((const struct config *)b)->key);
}

/* The shape feature 'f' has in configuration 'c'. */
static void config_shape(const ArrayFeatureType *a, size_t c,
			 const int64_t **shape, size_t *rank)
{
	if (is_enumerated(a) && c < a->enumeratedshapes->n_shapes &&
	    a->enumeratedshapes->shapes[c]) {
		*shape = a->enumeratedshapes->shapes[c]->shape;
		*rank = a->enumeratedshapes->shapes[c]->n_shape;
	} else {
		*shape = a->shape;
		*rank = a->n_shape;
	}
}

/* Build configuration 'c' over the features 'feat' (sorted by name). */
static int build_config(const FeatureDescription **feat, size_t nfeat,
			size_t c, struct config *out)
{
	struct wbuf raw, body;

	wbuf_init(&raw);
	wbuf_init(&body);
	wbuf_putc(&body, '{');
	for (size_t i = 0; i < nfeat; i++) {
		const ArrayFeatureType *a = array_of(feat[i]);
		const int64_t *shape;
		size_t rank;
		config_shape(a, c, &shape, &rank);
		flexshape_raw_name(&raw, feat[i]->name, shape, rank);
		wbuf_puts(&body, i ? ", {" : "{");
		emit_mil_string(&body, feat[i]->name);
		wbuf_puts(&body, ", ");
		put_shape(&body, shape, rank);
		wbuf_putc(&body, '}');
	}
	wbuf_putc(&body, '}');
	wbuf_putc(&raw, '\0');
	wbuf_putc(&body, '\0');
	if (wbuf_error(&raw) || wbuf_error(&body)) {
		wbuf_free(&raw);
		wbuf_free(&body);
		return ENOMEM;
	}
	flexshape_config_key((const char *)raw.data, raw.len - 1, out->key);
	out->raw = (char *)raw.data;
	out->body = (char *)body.data;
	return 0;
}

static int put_enumerated(struct wbuf *w, const struct func_desc *fd)
{
	size_t nfeat = 0, nconf = 0, kept = 0;
	const FeatureDescription **feat;
	struct config *conf;
	int rc = 0;

	/* Features of every configuration: non-range inputs, then states,
	** sorted by name together. */
	feat = calloc(fd->ninputs + fd->nstates + 1, sizeof *feat);
	if (!feat)
		return ENOMEM;
	for (size_t i = 0; i < fd->ninputs + fd->nstates; i++) {
		const FeatureDescription *f = i < fd->ninputs
			? fd->inputs[i] : fd->states[i - fd->ninputs];
		const ArrayFeatureType *a = array_of(f);
		if (!a || is_range(a))
			continue;
		if (is_enumerated(a) && a->enumeratedshapes->n_shapes > nconf)
			nconf = a->enumeratedshapes->n_shapes;
		size_t j = nfeat++;
		while (j > 0 && strcmp(feat[j - 1]->name, f->name) > 0) {
			feat[j] = feat[j - 1];
			j--;
		}
		feat[j] = f;
	}
	conf = calloc(nconf + 1, sizeof *conf);
	if (!conf) {
		free(feat);
		return ENOMEM;
	}
	for (size_t c = 0; c < nconf && !rc; c++) {
		bool dup = false;
		rc = build_config(feat, nfeat, c, &conf[kept]);
		if (rc)
			break;
		for (size_t k = 0; k < kept && !dup; k++)
			dup = strcmp(conf[k].raw, conf[kept].raw) == 0;
		if (dup) {
			free(conf[kept].raw);
			free(conf[kept].body);
		} else {
			kept++;
		}
	}
	qsort(conf, kept, sizeof *conf, cmp_config);
	wbuf_puts(w, "(\"EnumeratedShapes\", {");
	for (size_t k = 0; k < kept; k++) {
		wbuf_puts(w, k ? ", {\"" : "{\"");
		wbuf_puts(w, conf[k].key);
		wbuf_puts(w, "\", ");
		wbuf_puts(w, conf[k].body);
		wbuf_putc(w, '}');
	}
	wbuf_puts(w, "})");
	for (size_t k = 0; k < kept; k++) {
		free(conf[k].raw);
		free(conf[k].body);
	}
	free(conf);
	free(feat);
	return rc;
}

int flexshape_print(struct wbuf *w, const struct func_desc *fd, bool v13)
{
	const char *s = v13 ? "string" : "tensor<string, []>";
	size_t *idx = calloc(fd->ninputs + 1, sizeof *idx);
	size_t n;
	bool any_range = false, any_enum = false;
	int rc = 0;

	if (!idx)
		return ENOMEM;
	n = sorted_inputs(fd, is_flexible, idx);
	for (size_t i = 0; i < n; i++) {
		const ArrayFeatureType *a = array_of(fd->inputs[idx[i]]);
		any_range |= is_range(a);
		any_enum |= is_enumerated(a);
	}
	wbuf_printf(w, "tuple<tuple<%s, dict<%s, tensor<int32, [?]>>>", s, s);
	if (any_enum)
		wbuf_printf(w, ", tuple<%s, dict<%s, dict<%s, tensor<int32, [?]>>>>",
			    s, s, s);
	if (any_range)
		wbuf_printf(w, ", tuple<%s, dict<%s, list<tensor<int32, [2]>, ?>>>",
			    s, s);
	wbuf_puts(w, ">((");
	put_defaults(w, fd, idx, n);
	if (any_enum) {
		wbuf_puts(w, ", ");
		rc = put_enumerated(w, fd);
	}
	if (any_range) {
		wbuf_puts(w, ", ");
		put_ranges(w, fd, idx, n);
	}
	wbuf_puts(w, "))");
	free(idx);
	return rc;
}
