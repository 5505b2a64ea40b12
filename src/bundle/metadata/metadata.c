/*
** metadata.c -- metadata.json, the bundle's human-readable summary.
**
** Content (docs/spec/mlmodelc.md §5.3-5.8): one object in an array, with the
** model's metadata, its input/output/state schemas (those of the default
** function), the op histogram and precisions, availability per
** specification version, and more.  Key order is NSDictionary enumeration
** order (nsdict.c) over the insertion orders of md_keyorder.c; this file
** only decides which keys exist and what they hold.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "bundle/bundle.h"
#include "mil/flexshape.h"
#include "model/describe.h"
#include "bundle/metadata/keyorder.h"
#include "bundle/metadata/nsdict.h"
#include "bundle/metadata/nsjson.h"
#include "bundle/metadata/opkey.h"
#include "bundle/metadata/precision.h"

struct meta {
	const struct emit_ctx *c;
	struct arena *a;
	int err; /* a failure outside the JSON tree (nsj_failed sees those) */
};

static struct nsj *str(struct meta *m, const char *s)
{
	return nsj_string(m->a, s);
}

static struct nsj *strf(struct meta *m, const char *fmt, ...) MLCC_PRINTF(2, 3);

static struct nsj *strf(struct meta *m, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(m->a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return nsj_string(m->a, p);
}

static struct nsj *flag(struct meta *m, int on)
{
	return str(m, on ? "1" : "0");
}

/* A growing text buffer in the arena, for shapes and formatted types. */
struct text {
	struct wbuf w;
};

static char *text_done(struct meta *m, struct wbuf *w)
{
	char *p = NULL;

	if (!wbuf_error(w)) {
		p = arena_strndup(m->a, (const char *)w->data, w->len);
	}
	wbuf_free(w);
	return p;
}

/* ---- feature schemas (§5.4) --------------------------------------------- */

/* "[1, 576]" */
static char *shape_list(struct meta *m, const int64_t *s, size_t n)
{
	struct wbuf w;

	wbuf_init(&w);
	wbuf_putc(&w, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			wbuf_puts(&w, ", ");
		wbuf_put_i64(&w, s[i]);
	}
	wbuf_putc(&w, ']');
	return text_done(m, &w);
}

/* "d0 × d1 × ..." joined with U+00D7, after a leading space if any. */
static void put_dims(struct wbuf *w, const int64_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		wbuf_puts(w, i ? " \xc3\x97 " : "");
		wbuf_put_i64(w, s[i]);
	}
}

static char *formatted_array(struct meta *m, const char *kind, const ArrayFeatureType *a,
			     const int64_t *shape, size_t n)
{
	struct wbuf w;

	wbuf_init(&w);
	wbuf_puts(&w, kind);
	wbuf_puts(&w, " (");
	wbuf_puts(&w, desc_array_dtype_name(a->datatype));
	if (n) {
		wbuf_putc(&w, ' ');
		put_dims(&w, shape, n);
	}
	wbuf_putc(&w, ')');
	return text_done(m, &w);
}

/* Range flexibility: "[[lo, hi], ...]" and "lo...hi × d × ..."; an
** unbounded range (hi < 0) is "lo..." (corpus VideoAnalysisS-*: NMS
** outputs [[0, -1], [80, 80]] print "0... × 80"). */
static void range_strings(struct meta *m, const ArrayFeatureType *a, char **range, char **flex)
{
	const CoreML__Specification__ArrayFeatureType__ShapeRange *r = a->shaperange;
	struct wbuf rw, fw;

	wbuf_init(&rw);
	wbuf_init(&fw);
	wbuf_putc(&rw, '[');
	for (size_t i = 0; i < r->n_sizeranges; i++) {
		const CoreML__Specification__SizeRange *s = r->sizeranges[i];
		uint64_t lo = s ? s->lowerbound : 0;
		int64_t hi = s ? s->upperbound : 0;
		wbuf_printf(&rw, "%s[%llu, %lld]", i ? ", " : "", (unsigned long long)lo,
			    (long long)hi);
		wbuf_puts(&fw, i ? " \xc3\x97 " : "");
		if (hi >= 0 && (uint64_t)hi == lo)
			wbuf_put_u64(&fw, lo);
		else if (hi < 0)
			wbuf_printf(&fw, "%llu...", (unsigned long long)lo);
		else
			wbuf_printf(&fw, "%llu...%lld", (unsigned long long)lo, (long long)hi);
	}
	wbuf_putc(&rw, ']');
	*range = text_done(m, &rw);
	*flex = text_done(m, &fw);
}

/* A feature's isOptional; a feature without a type is not optional. */
static bool is_optional(const FeatureDescription *f)
{
	return f->type && f->type->isoptional;
}
/* Enumerated: "[[1], [2], [4]]" and "1 | 2 | 4". */
static void enum_strings(struct meta *m, const ArrayFeatureType *a, char **shapes, char **flex)
{
	const CoreML__Specification__ArrayFeatureType__EnumeratedShapes *e = a->enumeratedshapes;
	struct wbuf sw, fw;

	wbuf_init(&sw);
	wbuf_init(&fw);
	wbuf_putc(&sw, '[');
	for (size_t i = 0; i < e->n_shapes; i++) {
		const CoreML__Specification__ArrayFeatureType__Shape *s = e->shapes[i];
		size_t n = s ? s->n_shape : 0;
		wbuf_puts(&sw, i ? ", [" : "[");
		for (size_t k = 0; k < n; k++) {
			wbuf_puts(&sw, k ? ", " : "");
			wbuf_put_i64(&sw, s->shape[k]);
		}
		wbuf_putc(&sw, ']');
		wbuf_puts(&fw, i ? " | " : "");
		if (n)
			put_dims(&fw, s->shape, n);
	}
	wbuf_putc(&sw, ']');
	*shapes = text_done(m, &sw);
	*flex = text_done(m, &fw);
}

static struct nsj *array_entry(struct meta *m, const FeatureDescription *f,
			       const ArrayFeatureType *a, const char *type)
{
	int kind = MD_FEATURE_MULTIARRAY;
	struct nsj *o;
	bool range = desc_array_is_range(a);
	bool enumerated = desc_array_is_enum(a);

	if (range)
		kind = MD_FEATURE_MULTIARRAY_RANGE;
	else if (enumerated)
		kind = MD_FEATURE_MULTIARRAY_ENUMERATED;
	else if (strcmp(type, "State") == 0)
		kind = MD_FEATURE_STATE;
	/* A range-flexible array without a default shape shows its lower
	** bounds (corpus VideoAnalysisS-*: "[0, 80]", "MultiArray (Float32
	** 0 × 80)"). */
	const int64_t *shape = a->shape;
	size_t nshape = a->n_shape;
	int64_t *lower = NULL;
	if (range && nshape == 0 && a->shaperange->n_sizeranges &&
	    (lower = arena_array(m->a, a->shaperange->n_sizeranges, sizeof *lower)) != NULL) {
		nshape = a->shaperange->n_sizeranges;
		for (size_t i = 0; i < nshape; i++)
			lower[i] = a->shaperange->sizeranges[i]
					   ? (int64_t)a->shaperange->sizeranges[i]->lowerbound
					   : 0;
		shape = lower;
	}
	o = nsj_object(m->a, kind);
	nsj_set(m->a, o, "hasShapeFlexibility", flag(m, range || enumerated));
	nsj_set(m->a, o, "isOptional", flag(m, is_optional(f)));
	nsj_set(m->a, o, "dataType", str(m, desc_array_dtype_name(a->datatype)));
	nsj_set(m->a, o, "formattedType", str(m, formatted_array(m, type, a, shape, nshape)));
	nsj_set(m->a, o, "shortDescription", str(m, f->shortdescription));
	nsj_set(m->a, o, "shape", str(m, shape_list(m, shape, nshape)));
	nsj_set(m->a, o, "name", str(m, f->name));
	nsj_set(m->a, o, "type", str(m, type));
	if (range) {
		char *r, *fl;
		range_strings(m, a, &r, &fl);
		nsj_set(m->a, o, "shapeRange", str(m, r));
		nsj_set(m->a, o, "shapeFlexibility", str(m, fl));
	} else if (enumerated) {
		char *s, *fl;
		enum_strings(m, a, &s, &fl);
		nsj_set(m->a, o, "enumeratedShapes", str(m, s));
		nsj_set(m->a, o, "shapeFlexibility", str(m, fl));
	}
	return o;
}

static const char *colorspace_name(int cs)
{
	switch (cs) {
	case CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB: return "RGB";
	case CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__BGR: return "BGR";
	case CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__GRAYSCALE:
		return "Grayscale"; /* LOW: no sample */
	case CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__GRAYSCALE_FLOAT16:
		return "GrayscaleFloat16"; /* LOW: no sample */
	}
	return "Invalid";
}

static struct nsj *image_entry(struct meta *m, const FeatureDescription *f)
{
	const CoreML__Specification__ImageFeatureType *im = f->type->imagetype;
	bool color =
		im->colorspace == CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB ||
		im->colorspace == CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__BGR;
	bool flex = im->size_flexibility_case !=
		    CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__SIZE_FLEXIBILITY__NOT_SET;
	struct nsj *o = nsj_object(m->a, MD_FEATURE_IMAGE);

	nsj_set(m->a, o, "height", strf(m, "%lld", (long long)im->height));
	nsj_set(m->a, o, "colorspace", str(m, colorspace_name(im->colorspace)));
	nsj_set(m->a, o, "isOptional", flag(m, is_optional(f)));
	nsj_set(m->a, o, "width", strf(m, "%lld", (long long)im->width));
	nsj_set(m->a, o, "isColor", flag(m, color));
	nsj_set(m->a, o, "formattedType",
		strf(m, "Image (%s %lld \xc3\x97 %lld)", color ? "Color" : "Grayscale",
		     (long long)im->width, (long long)im->height));
	nsj_set(m->a, o, "hasSizeFlexibility", flag(m, flex));
	nsj_set(m->a, o, "type", str(m, "Image"));
	nsj_set(m->a, o, "shortDescription", str(m, f->shortdescription));
	nsj_set(m->a, o, "name", str(m, f->name));
	return o;
}

/* String, Int64, Double (formattedType = type), Dictionary, Sequence. */
static struct nsj *simple_entry(struct meta *m, const FeatureDescription *f, int kind,
				const char *type, const char *formatted, const char *key_type)
{
	struct nsj *o = nsj_object(m->a, kind);

	nsj_set(m->a, o, "isOptional", flag(m, is_optional(f)));
	if (key_type)
		nsj_set(m->a, o, "keyType", str(m, key_type));
	nsj_set(m->a, o, "formattedType", str(m, formatted));
	nsj_set(m->a, o, "type", str(m, type));
	nsj_set(m->a, o, "name", str(m, f->name));
	nsj_set(m->a, o, "shortDescription", str(m, f->shortdescription));
	return o;
}

static struct nsj *schema_entry(struct meta *m, const FeatureDescription *f)
{
	const FeatureType *t = f->type;
	static const FeatureType none = CORE_ML__SPECIFICATION__FEATURE_TYPE__INIT;

	if (!t)
		t = &none;
	switch (t->type_case) {
	case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE:
		return array_entry(m, f, t->multiarraytype, "MultiArray");
	case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STATE_TYPE:
		if (t->statetype && t->statetype->arraytype)
			return array_entry(m, f, t->statetype->arraytype, "State");
		break;
	case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_IMAGE_TYPE: return image_entry(m, f);
	case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STRING_TYPE:
		return simple_entry(m, f, MD_FEATURE_STRING, "String", "String", NULL);
	case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_INT64_TYPE:
		return simple_entry(m, f, MD_FEATURE_INT64, "Int64", "Int64", NULL);
	case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DOUBLE_TYPE:
		return simple_entry(m, f, MD_FEATURE_DOUBLE, "Double", "Double", NULL);
	case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DICTIONARY_TYPE: {
		bool ik =
			t->dictionarytype &&
			t->dictionarytype->key_type_case ==
				CORE_ML__SPECIFICATION__DICTIONARY_FEATURE_TYPE__KEY_TYPE_INT64_KEY_TYPE;
		return simple_entry(m, f, MD_FEATURE_DICTIONARY, "Dictionary",
				    ik ? "Dictionary (Int64 \xe2\x86\x92 Double)"
				       : "Dictionary (String \xe2\x86\x92 Double)",
				    ik ? "Int64" : "String");
	}
	case CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_SEQUENCE_TYPE:
		return simple_entry(m, f, MD_FEATURE_SEQUENCE, "Sequence", "Sequence",
				    NULL); /* LOW: no sample */
	default: break;
	}
	return simple_entry(m, f, MD_FEATURE_STRING, "Invalid", "Invalid", NULL);
}

static struct nsj *schema(struct meta *m, FeatureDescription **fs, size_t n)
{
	struct nsj *arr = nsj_array(m->a);

	for (size_t i = 0; i < n; i++)
		if (fs[i])
			nsj_push(m->a, arr, schema_entry(m, fs[i]));
	return arr;
}

/* ---- histogram and precisions (§5.5, §5.6) ------------------------------ */

/* Count the non-const ops of 'f' under Apple's keys, in order of first
** appearance (the insertion order of Apple's dictionary). */
static void add_histogram(struct meta *m, struct nsj *h, const struct function *f)
{
	if (!h)
		return; /* out of memory: its parent is marked failed */
	for (size_t i = 0; i < f->body.nops; i++) {
		const struct op *op = &f->body.ops[i];
		char key[128];
		bool found = false;
		if (strcmp(op->type, "const") == 0)
			continue;
		if (opkey_histogram_key(op->type, f->ios, m->c->stamp->major, key, sizeof key) != 0)
			snprintf(key, sizeof key, "%s", op->type);
		for (size_t k = 0; k < h->n && !found; k++)
			if (strcmp(h->keys[k], key) == 0) {
				h->items[k]->num++;
				found = true;
			}
		if (!found)
			nsj_set(m->a, h, arena_strdup(m->a, key), nsj_int(m->a, 1));
	}
}

/* Record the first failure of a precision pass. */
static void check(struct meta *m, int rc)
{
	if (rc && !m->err)
		m->err = rc;
}

static struct nsj *precision_json(struct meta *m, const struct precision_set *s)
{
	return str(m, precision_format(m->a, s));
}

/* ---- functions and the top level ---------------------------------------- */

static const struct function *default_function(const struct model *md)
{
	const char *name = md->desc->defaultfunctionname;
	const struct function *f = NULL;

	if (name && *name)
		f = model_find_function(md->program, name);
	if (!f)
		f = model_find_function(md->program, "main");
	return f ? f : &md->program->funcs[0];
}

/* The classify op lowered out of 'f', if any: it still counts for
** computePrecision (classifier.c). */
static const struct op *classify_op(const struct model *md, const struct function *f)
{
	return md->classifier.func == f ? md->classifier.op : NULL;
}

static struct nsj *function_entry(struct meta *m, const struct model *md,
				  const FunctionDescription *fd)
{
	const struct function *f = model_find_function(md->program, fd->name);
	struct nsj *o = nsj_object(m->a, MD_FUNCTION_ENTRY);
	struct nsj *h = nsj_object(m->a, MD_HISTOGRAM);
	struct precision_set cp = {0, 0, false};

	if (f) {
		add_histogram(m, h, f);
		check(m, precision_compute(f, classify_op(md, f), &cp));
	}
	nsj_set(m->a, o, "computePrecision", precision_json(m, &cp));
	nsj_set(m->a, o, "outputSchema", schema(m, fd->output, fd->n_output));
	if (m->c->stamp->rules.state_schema)
		nsj_set(m->a, o, "stateSchema", schema(m, fd->state, fd->n_state));
	nsj_set(m->a, o, "name", str(m, fd->name));
	nsj_set(m->a, o, "mlProgramOperationTypeHistogram", h);
	nsj_set(m->a, o, "inputSchema", schema(m, fd->input, fd->n_input));
	return o;
}

/* True when 'md' or a model inside it has Model field 'field'. */
static bool holds_type(const struct model *md, unsigned field)
{
	if (md->type_field == field)
		return true;
	for (size_t i = 0; i < md->nchildren; i++)
		if (holds_type(md->children[i], field))
			return true;
	return false;
}

/* §5.7: availability per specification version (spec 10: LOW).  A model
** holding a visionFeaturePrint is "unavailable" on watchOS (corpus
** scary-cat-*: spec 8, every other platform as the table). */
static struct nsj *availability(struct meta *m, const struct model *md)
{
	int32_t spec = md->spec_version;
	/* clang-format off */
	static const struct {
		const char *mac, *tv, *vision, *watch, *ios;
	} rows[] = {
		{"10.13", "11.0", "1.0", "4.0", "11.0"},       /* 1 */
		{"10.13.2", "11.2", "1.0", "4.2", "11.2"},     /* 2 */
		{"10.14", "12.0", "1.0", "5.0", "12.0"},       /* 3 */
		{"10.15", "13.0", "1.0", "6.0", "13.0"},       /* 4 */
		{"11.0", "14.0", "1.0", "7.0", "14.0"},        /* 5 */
		{"12.0", "15.0", "1.0", "8.0", "15.0"},        /* 6 */
		{"13.0", "16.0", "1.0", "9.0", "16.0"},        /* 7 */
		{"14.0", "17.0", "1.0", "10.0", "17.0"},       /* 8 */
		{"15.0", "18.0", "2.0", "11.0", "18.0"},       /* 9 */
		{"26.0", "26.0", "26.0", "26.0", "26.0"},      /* 10 */
	};
	/* clang-format on */
	int i = spec < 1 ? 0 : spec > 10 ? 9 : spec - 1;
	struct nsj *o = nsj_object(m->a, MD_AVAILABILITY);

	nsj_set(m->a, o, "macOS", str(m, rows[i].mac));
	nsj_set(m->a, o, "tvOS", str(m, rows[i].tv));
	if (m->c->stamp->rules.vision_os)
		nsj_set(m->a, o, "visionOS", str(m, rows[i].vision));
	nsj_set(m->a, o, "watchOS", str(m, holds_type(md, 2002) ? "unavailable" : rows[i].watch));
	nsj_set(m->a, o, "iOS", str(m, rows[i].ios));
	nsj_set(m->a, o, "macCatalyst", str(m, rows[i].ios));
	return o;
}

/* "MLModelType_" + the Model oneof member name; a pipeline classifier
** whose first model is a visionFeaturePrint is Create ML's
** "imageClassifier" (corpus scary-cat-*, 9 bundles). */
static struct nsj *model_type_string(struct meta *m, const struct model *md)
{
	const char *name = model_type_name(md->type_field);

	if (md->kind == MODEL_PIPELINE_CLASSIFIER && md->nchildren &&
	    md->children[0]->type_field == 2002)
		name = "imageClassifier";

	return strf(m, "MLModelType_%s", name ? name : "unknown");
}

static struct nsj *model_type(struct meta *m, const struct model *md)
{
	struct nsj *o = nsj_object(m->a, MD_MODEL_TYPE);

	nsj_set(m->a, o, "name", model_type_string(m, md));
	if (md->nchildren) {
		struct nsj *arr = nsj_array(m->a);
		for (size_t i = 0; i < md->nchildren; i++) {
			struct nsj *c = nsj_object(m->a, MD_MODEL_TYPE_STRUCTURE_ENTRY);
			nsj_set(m->a, c, "name", model_type_string(m, md->children[i]));
			nsj_push(m->a, arr, c);
		}
		nsj_set(m->a, o, "structure", arr);
	}
	return o;
}

/* The stem with every character outside [A-Za-z0-9_] replaced by '_' (one
** per UTF-8 character; the leading-digit rule is OPEN). */
static char *class_name(struct meta *m, const char *stem)
{
	char *out = arena_alloc(m->a, strlen(stem) + 1), *p = out;

	if (!out)
		return NULL;
	for (const unsigned char *s = (const unsigned char *)stem; *s; s++) {
		if ((*s & 0xc0) == 0x80)
			continue; /* UTF-8 continuation byte */
		bool ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			  (*s >= '0' && *s <= '9') || *s == '_';
		*p++ = ok ? (char)*s : '_';
	}
	*p = '\0';
	return out;
}

/* Histogram and precisions of a model: the default function of an ML
** program, or the union over a pipeline's children (counts summed). */
static void collect(struct meta *m, const struct model *md, struct nsj *h, struct precision_set *cp,
		    struct precision_set *sp)
{
	if (md->kind == MODEL_ML_PROGRAM) {
		const struct function *f = default_function(md);
		add_histogram(m, h, f);
		check(m, precision_compute(f, classify_op(md, f), cp));
		check(m, precision_storage(md->program, sp));
		return;
	}
	for (size_t i = 0; i < md->nchildren; i++)
		collect(m, md->children[i], h, cp, sp);
}

static void put_metadata_strings(struct meta *m, struct nsj *o, const Metadata *md)
{
	if (!md)
		return;
	if (md->shortdescription && *md->shortdescription)
		nsj_set(m->a, o, "shortDescription", str(m, md->shortdescription));
	if (md->versionstring && *md->versionstring)
		nsj_set(m->a, o, "version", str(m, md->versionstring));
	if (md->author && *md->author)
		nsj_set(m->a, o, "author", str(m, md->author));
	if (md->license && *md->license)
		nsj_set(m->a, o, "license", str(m, md->license));
}

static struct nsj *user_defined(struct meta *m, const Metadata *md)
{
	struct nsj *o = nsj_object(m->a, MD_USER_DEFINED);

	if (!o) {
		check(m, MLCC_E_NOMEM);
		return NULL;
	}
	for (size_t i = 0; md && i < md->n_userdefined; i++) {
		const CoreML__Specification__Metadata__UserDefinedEntry *e = md->userdefined[i];
		bool dup = false;
		if (!e)
			continue;
		/* A repeated key keeps its last value, as a protobuf map. */
		for (size_t k = 0; k < o->n && !dup; k++)
			if (strcmp(o->keys[k], e->key) == 0) {
				o->items[k] = str(m, e->value);
				dup = true;
			}
		if (!dup)
			nsj_set(m->a, o, e->key, str(m, e->value));
	}
	return o;
}

/* Strings as JSON strings; int64 labels as JSON numbers (LOW: no sample). */
static struct nsj *label_array(struct meta *m, size_t n, const char *const *strs,
			       const int64_t *ints)
{
	struct nsj *arr = nsj_array(m->a);

	/* NULL means "no labels" to the caller: out of memory must not. */
	if (!arr) {
		check(m, MLCC_E_NOMEM);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		nsj_push(m->a, arr, ints ? nsj_int(m->a, ints[i]) : str(m, strs[i]));
	return arr;
}

/* The class labels of the model: a lowered ML-program classifier's, else
** those of the first model of a pipeline that declares some (GLM
** classifier: scary-cat-*; NMS: VideoAnalysisS-*); NULL when none. */
static struct nsj *class_labels(struct meta *m, const struct model *md)
{
	const char *const *strs;
	const int64_t *ints;
	size_t n;

	if (md->classifier.op)
		return label_array(m, md->classifier.nlabels, md->classifier.labels,
				   md->classifier.int_labels ? md->classifier.int_values : NULL);
	if ((n = model_spec_labels(md, &strs, &ints)) != 0)
		return label_array(m, n, strs, ints);
	for (size_t i = 0; i < md->nchildren; i++) {
		struct nsj *l = class_labels(m, md->children[i]);
		if (l)
			return l;
	}
	return NULL;
}

static struct nsj *top_level(struct meta *m)
{
	const struct model *md = m->c->model;
	const ModelDescription *d = md->desc;
	struct nsj *o = nsj_object(m->a, MD_TOP_LEVEL);
	struct nsj *h = nsj_object(m->a, MD_HISTOGRAM);
	struct precision_set cp = {0, 0, false}, sp = {0, 0, false};
	struct func_desc fd;

	desc_function(d, d->defaultfunctionname ? d->defaultfunctionname : "", &fd);
	collect(m, md, h, &cp, &sp);
	nsj_set(m->a, o, "metadataOutputVersion", str(m, "3.0"));
	put_metadata_strings(m, o, d->metadata);
	nsj_set(m->a, o, "outputSchema", schema(m, fd.outputs, fd.noutputs));
	nsj_set(m->a, o, "modelParameters", nsj_array(m->a));
	nsj_set(m->a, o, "specificationVersion", nsj_int(m->a, md->spec_version));
	if (!precision_empty(&sp))
		nsj_set(m->a, o, "storagePrecision", precision_json(m, &sp));
	if (d->n_functions) {
		struct nsj *arr = nsj_array(m->a);
		for (size_t i = 0; i < d->n_functions; i++)
			if (d->functions[i])
				nsj_push(m->a, arr, function_entry(m, md, d->functions[i]));
		nsj_set(m->a, o, "functions", arr);
		nsj_set(m->a, o, "defaultFunctionName", str(m, d->defaultfunctionname));
	}
	/* Histogram and computePrecision describe ML programs: a pipeline of
	** classic models has neither (corpus scary-cat-*). */
	if (holds_type(md, 502)) {
		nsj_set(m->a, o, "mlProgramOperationTypeHistogram", h);
		nsj_set(m->a, o, "computePrecision", precision_json(m, &cp));
	}
	nsj_set(m->a, o, "isUpdatable", flag(m, md->is_updatable));
	if (m->c->stamp->rules.state_schema)
		nsj_set(m->a, o, "stateSchema", schema(m, fd.states, fd.nstates));
	nsj_set(m->a, o, "availability", availability(m, md));
	nsj_set(m->a, o, "modelType", model_type(m, md));
	nsj_set(m->a, o, "userDefinedMetadata", user_defined(m, d->metadata));
	nsj_set(m->a, o, "inputSchema", schema(m, fd.inputs, fd.ninputs));
	struct nsj *labels = class_labels(m, md);
	if (labels)
		nsj_set(m->a, o, "classLabels", labels);
	nsj_set(m->a, o, "generatedClassName", str(m, class_name(m, m->c->stem)));
	nsj_set(m->a, o, "method", str(m, "predict"));
	return o;
}

/* ---- key order ---------------------------------------------------------- */

/* The print order of 'obj': Apple's NSDictionary enumeration order for
** the kind of dictionary it is (md_keyorder.c, nsdict.c). */
static int order_keys(void *ctx, const struct nsj *obj, size_t *order)
{
	const struct meta *m = ctx;
	const struct stamp *s = m->c->stamp;

	return md_order((enum md_dict_kind)obj->kind, obj->keys, NULL, obj->n,
			s->rules.sorted_histogram, order) < 0
		       ? -1
		       : 0;
}

int emit_metadata(const struct emit_ctx *c, struct wbuf *w)
{
	struct arena a;
	struct meta m = {c, &a, MLCC_OK};
	struct nsj *root, *top;
	int rc = MLCC_OK;

	arena_init(&a);
	root = nsj_array(&a);
	top = top_level(&m);
	nsj_push(&a, root, top);
	if (m.err || nsj_failed(root) || nsj_print(w, root, order_keys, &m) != 0)
		rc = diag_fail(c->diag, MLCC_E_NOMEM, "metadata.json: out of memory");
	arena_free(&a);
	return rc;
}
