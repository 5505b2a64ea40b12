/*
** flexshape.c -- FlexibleShapeInformation and enumerated configuration keys.
**
** Rules (docs/spec/mlmodelc.md §4.4):
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
**  - image inputs take part as [1, C, H, W] tensors (INFERRED, see
**    struct fview);
**  - when a function has both range and enumerated inputs the tuples are
**    printed DefaultShapes, EnumeratedShapes, RangeDims (name order, which
**    both observed forms follow; LOW).
*/
#include "mil/flexshape.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "mil/mil.h"

void flexshape_drop_attr(struct program *p)
{
	for (size_t i = 0; i < p->nfuncs; i++) {
		struct function *f = &p->funcs[i];
		size_t k = 0;
		for (size_t j = 0; j < f->nattrs; j++)
			if (strcmp(f->attrs[j].key, FLEXSHAPE_KEY) != 0)
				f->attrs[k++] = f->attrs[j];
		f->nattrs = k;
	}
}

/* ---- features as shapes ------------------------------------------------- */

enum flex_kind { FLEX_NONE, FLEX_RANGE, FLEX_ENUM };

/* A feature as this module sees it: name, default shape, flexibility.
** Multi-arrays and states point into the description; images are seen as
** [1, C, H, W] tensors (C = 3 for RGB/BGR, 1 for grayscale), the view the
** decompiled configuration code gives them (docs/spec/mlmodelc.md §4.4, step
** 1; their FlexibleShapeInformation is INFERRED, no Apple sample). */
struct fview {
	const char *name;
	size_t rank;
	const int64_t *shape; /* default shape */
	enum flex_kind kind;
	const int64_t *lo, *hi; /* FLEX_RANGE: per dimension */
	size_t nshapes;		/* FLEX_ENUM: shapes; FLEX_RANGE: ranges */
	const int64_t *const *shapes;
	const size_t *ranks;
};

/* The array or image of a feature description (NULL if it has none). */
static const ArrayFeatureType *array_of(const FeatureDescription *f)
{
	return f ? desc_array(f->type) : NULL;
}

static const ImageFeatureType *image_of(const FeatureDescription *f)
{
	return f ? desc_image(f->type) : NULL;
}

bool flexshape_any(const struct func_desc *fd)
{
	for (size_t i = 0; i < fd->ninputs; i++) {
		const ArrayFeatureType *a = array_of(fd->inputs[i]);
		const ImageFeatureType *im = image_of(fd->inputs[i]);
		if ((a && (desc_array_is_range(a) || desc_array_is_enum(a))) ||
		    (im &&
		     im->size_flexibility_case !=
			     CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__SIZE_FLEXIBILITY__NOT_SET))
			return true;
	}
	return false;
}

static int view_array(struct arena *ar, const ArrayFeatureType *a, struct fview *v)
{
	v->rank = a->n_shape;
	v->shape = a->shape;
	if (desc_array_is_range(a)) {
		size_t n = a->shaperange->n_sizeranges;
		int64_t *lo = arena_array(ar, n + 1, sizeof *lo);
		int64_t *hi = arena_array(ar, n + 1, sizeof *hi);
		if (!lo || !hi)
			return ENOMEM;
		for (size_t d = 0; d < n; d++) {
			const CoreML__Specification__SizeRange *r = a->shaperange->sizeranges[d];
			lo[d] = r ? (int64_t)r->lowerbound : 0;
			hi[d] = r ? r->upperbound : 0;
		}
		v->kind = FLEX_RANGE;
		v->lo = lo;
		v->hi = hi;
		v->nshapes = n; /* RangeDims: one [lo, hi] per range */
	} else if (desc_array_is_enum(a)) {
		size_t n = a->enumeratedshapes->n_shapes;
		const int64_t **sh = arena_array(ar, n + 1, sizeof *sh);
		size_t *rk = arena_array(ar, n + 1, sizeof *rk);
		if (!sh || !rk)
			return ENOMEM;
		for (size_t i = 0; i < n; i++) {
			const CoreML__Specification__ArrayFeatureType__Shape *s =
				a->enumeratedshapes->shapes[i];
			sh[i] = s ? s->shape : a->shape;
			rk[i] = s ? s->n_shape : a->n_shape;
		}
		v->kind = FLEX_ENUM;
		v->shapes = sh;
		v->ranks = rk;
		v->nshapes = n;
	}
	return 0;
}

static int view_image(struct arena *ar, const ImageFeatureType *im, struct fview *v)
{
	bool gray =
		im->colorspace ==
			CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__GRAYSCALE ||
		im->colorspace ==
			CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__GRAYSCALE_FLOAT16;
	int64_t c = gray ? 1 : 3;
	int64_t *shape = arena_array(ar, 4, sizeof *shape);

	if (!shape)
		return ENOMEM;
	shape[0] = 1;
	shape[1] = c;
	shape[2] = im->height;
	shape[3] = im->width;
	v->rank = 4;
	v->shape = shape;
	if (im->size_flexibility_case ==
		    CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__SIZE_FLEXIBILITY_IMAGE_SIZE_RANGE &&
	    im->imagesizerange) {
		const CoreML__Specification__SizeRange *h = im->imagesizerange->heightrange;
		const CoreML__Specification__SizeRange *w = im->imagesizerange->widthrange;
		int64_t *lo = arena_array(ar, 4, sizeof *lo), *hi = arena_array(ar, 4, sizeof *hi);
		if (!lo || !hi)
			return ENOMEM;
		lo[0] = hi[0] = 1;
		lo[1] = hi[1] = c;
		lo[2] = h ? (int64_t)h->lowerbound : im->height;
		hi[2] = h ? h->upperbound : im->height;
		lo[3] = w ? (int64_t)w->lowerbound : im->width;
		hi[3] = w ? w->upperbound : im->width;
		v->kind = FLEX_RANGE;
		v->lo = lo;
		v->hi = hi;
		v->nshapes = 4;
	} else if (
		im->size_flexibility_case ==
			CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__SIZE_FLEXIBILITY_ENUMERATED_SIZES &&
		im->enumeratedsizes) {
		size_t n = im->enumeratedsizes->n_sizes;
		const int64_t **sh = arena_array(ar, n + 1, sizeof *sh);
		size_t *rk = arena_array(ar, n + 1, sizeof *rk);
		if (!sh || !rk)
			return ENOMEM;
		for (size_t i = 0; i < n; i++) {
			const CoreML__Specification__ImageFeatureType__ImageSize *z =
				im->enumeratedsizes->sizes[i];
			int64_t *s = arena_array(ar, 4, sizeof *s);
			if (!s)
				return ENOMEM;
			s[0] = 1;
			s[1] = c;
			s[2] = z ? (int64_t)z->height : im->height;
			s[3] = z ? (int64_t)z->width : im->width;
			sh[i] = s;
			rk[i] = 4;
		}
		v->kind = FLEX_ENUM;
		v->shapes = sh;
		v->ranks = rk;
		v->nshapes = n;
	}
	return 0;
}

/* Views of the inputs (and, with 'states', the states), sorted by name;
** features that are neither arrays nor images are left out. */
static int collect_views(struct arena *ar, const struct func_desc *fd, bool states,
			 struct fview **out, size_t *n)
{
	size_t total = fd->ninputs + (states ? fd->nstates : 0), k = 0;
	struct fview *v = arena_array(ar, total + 1, sizeof *v);

	if (!v)
		return ENOMEM;
	for (size_t i = 0; i < total; i++) {
		const FeatureDescription *f =
			i < fd->ninputs ? fd->inputs[i] : fd->states[i - fd->ninputs];
		const ArrayFeatureType *a = array_of(f);
		const ImageFeatureType *im = image_of(f);
		struct fview x = {0};
		int rc = 0;
		if (!a && !im)
			continue;
		x.name = f->name;
		rc = a ? view_array(ar, a, &x) : view_image(ar, im, &x);
		if (rc)
			return rc;
		size_t j = k++;
		while (j > 0 && strcmp(v[j - 1].name, x.name) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	*out = v;
	*n = k;
	return 0;
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

void flexshape_raw_name(struct wbuf *w, const char *name, const int64_t *shape, size_t rank)
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

/* ---- printing ------------------------------------------------------------ */

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

static void put_defaults(struct wbuf *w, const struct fview *v, size_t n)
{
	size_t k = 0;

	wbuf_puts(w, "(\"DefaultShapes\", {");
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == FLEX_NONE)
			continue;
		wbuf_puts(w, k++ ? ", {" : "{");
		mil_print_string(w, v[i].name);
		wbuf_puts(w, ", ");
		put_shape(w, v[i].shape, v[i].rank);
		wbuf_putc(w, '}');
	}
	wbuf_puts(w, "})");
}

static void put_ranges(struct wbuf *w, const struct fview *v, size_t n)
{
	size_t k = 0;

	wbuf_puts(w, "(\"RangeDims\", {");
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind != FLEX_RANGE)
			continue;
		wbuf_puts(w, k++ ? ", {" : "{");
		mil_print_string(w, v[i].name);
		wbuf_puts(w, ", [");
		for (size_t d = 0; d < v[i].nshapes; d++) {
			wbuf_puts(w, d ? ", [" : "[");
			wbuf_put_i64(w, v[i].lo[d]);
			wbuf_puts(w, ", ");
			wbuf_put_i64(w, v[i].hi[d]);
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
	return strcmp(((const struct config *)a)->key, ((const struct config *)b)->key);
}

/* Build configuration 'c' over the features 'v' (sorted by name): the
** c-th shape of enumerated features, the default shape of the others. */
static int build_config(const struct fview *v, size_t n, size_t c, struct config *out)
{
	struct wbuf raw, body;
	size_t k = 0;

	wbuf_init(&raw);
	wbuf_init(&body);
	wbuf_putc(&body, '{');
	for (size_t i = 0; i < n; i++) {
		const int64_t *shape = v[i].shape;
		size_t rank = v[i].rank;
		if (v[i].kind == FLEX_RANGE)
			continue; /* range inputs are left out */
		if (v[i].kind == FLEX_ENUM && c < v[i].nshapes) {
			shape = v[i].shapes[c];
			rank = v[i].ranks[c];
		}
		flexshape_raw_name(&raw, v[i].name, shape, rank);
		wbuf_puts(&body, k++ ? ", {" : "{");
		mil_print_string(&body, v[i].name);
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

/* Configurations: fixed inputs and states in every one, enumerated inputs
** paired by index, duplicates (same raw name) dropped, sorted by key. */
static int put_enumerated(struct wbuf *w, const struct fview *v, size_t n)
{
	size_t nconf = 0, kept = 0;
	struct config *conf;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i].kind == FLEX_ENUM && v[i].nshapes > nconf)
			nconf = v[i].nshapes;
	conf = calloc(nconf + 1, sizeof *conf);
	if (!conf)
		return ENOMEM;
	for (size_t c = 0; c < nconf && !rc; c++) {
		bool dup = false;
		rc = build_config(v, n, c, &conf[kept]);
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
	if (kept)
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
	return rc;
}

int flexshape_print(struct wbuf *w, const struct func_desc *fd, bool v13)
{
	const char *s = v13 ? "string" : "tensor<string, []>";
	struct arena ar;
	struct fview *inputs, *all;
	size_t ni, na;
	bool any_range = false, any_enum = false;
	int rc;

	arena_init(&ar);
	rc = collect_views(&ar, fd, false, &inputs, &ni);
	if (!rc)
		rc = collect_views(&ar, fd, true, &all, &na);
	if (rc) {
		arena_free(&ar);
		return rc;
	}
	for (size_t i = 0; i < ni; i++) {
		any_range |= inputs[i].kind == FLEX_RANGE;
		any_enum |= inputs[i].kind == FLEX_ENUM;
	}
	wbuf_printf(w, "tuple<tuple<%s, dict<%s, tensor<int32, [?]>>>", s, s);
	if (any_enum)
		wbuf_printf(w, ", tuple<%s, dict<%s, dict<%s, tensor<int32, [?]>>>>", s, s, s);
	if (any_range)
		wbuf_printf(w, ", tuple<%s, dict<%s, list<tensor<int32, [2]>, ?>>>", s, s);
	wbuf_puts(w, ">((");
	put_defaults(w, inputs, ni);
	if (any_enum) {
		wbuf_puts(w, ", ");
		rc = put_enumerated(w, all, na);
	}
	if (any_range) {
		wbuf_puts(w, ", ");
		put_ranges(w, inputs, ni);
	}
	wbuf_puts(w, "))");
	arena_free(&ar);
	return rc;
}
