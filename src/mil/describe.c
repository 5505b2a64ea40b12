/*
** describe.c -- a model description synthesized from a parsed program.
**
** A model.mil carries no ModelDescription; mil_describe() builds the one
** coremltools would have written for it (rules in docs/spec/mlmodelc.md
** §4.11):
**
**  - functions in printed order (sorted by name); one function fills the
**    top-level input/output/state, several fill functions[] and
**    defaultFunctionName ("main" if there is one, else the first);
**  - one feature per function input: tensors are multi-arrays,
**    state<tensor<...>> inputs state features; element types fp32, fp16,
**    fp64, int32, int8 only (the ArrayDataType values);
**  - one feature per block output, typed by the variable's definition;
**    its shape is left empty when a dimension is unknown (as coremltools);
**  - an input listed in the function's FlexibleShapeInformation gets its
**    default shape from "DefaultShapes", then a shapeRange from
**    "RangeDims", or else enumeratedShapes from "EnumeratedShapes" (its
**    shape in each configuration: the configuration made of the default
**    shapes first, the others in key order -- rebuilding configurations
**    from those lists reproduces the same keys, and the default first is
**    coremltools' and ANEMLL's usual order; the source order itself is
**    not recoverable from SHA-256 keys, INFERRED);
**  - an input with an unknown dimension and no such entry gets shape 1
**    and range [1, -1] (unbounded) for that dimension, [d, d] for the
**    known ones.
** The FlexibleShapeInformation attributes are removed afterwards: the
** printer synthesizes them again from the description.
*/
#include "mil/flexshape.h"
#include "mil/mil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"

typedef CoreML__Specification__ArrayFeatureType__Shape Shape;
typedef CoreML__Specification__ArrayFeatureType__EnumeratedShapes EnumShapes;
typedef CoreML__Specification__ArrayFeatureType__ShapeRange ShapeRange;
typedef CoreML__Specification__SizeRange SizeRange;
typedef CoreML__Specification__StateFeatureType StateFeatureType;

/* The three sections of a FlexibleShapeInformation value (NULL: absent). */
struct fsi {
	const struct mvalue *defaults; /* dict: input -> shape */
	const struct mvalue *ranges;   /* dict: input -> list of [lo, hi] */
	const struct mvalue *enums;    /* dict: key -> (dict: input -> shape) */
	size_t *order;		       /* 'enums' entries sorted by key */
};

/* The features of one function. */
struct features {
	size_t nin, nout, nst;
	FeatureDescription **in, **out, **st;
};

struct describer {
	struct model *m;
	struct arena *a;
	struct mlcc_diag *d;
	const struct function *f;
};

static int fail(struct describer *c, const char *fmt, ...) MLCC_PRINTF(2, 3);

/* "<origin>: function 'f': <message>" */
static int fail(struct describer *c, const char *fmt, ...)
{
	char q[DIAG_QUOTE_MAX];
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return diag_fail(c->d, MLCC_E_CORRUPT, "%s: function '%s': %s", c->m->origin,
			 diag_quote(q, c->f->name), msg);
}

/* Out of memory, naming the model. */
static int nomem(struct describer *c)
{
	return diag_fail(c->d, MLCC_E_NOMEM, "%s: out of memory", c->m->origin);
}

/* ---- FlexibleShapeInformation ------------------------------------------- */

/* The value under string key 'key' of dict 'v', or NULL. */
static const struct mvalue *dict_get(const struct mvalue *v, const char *key)
{
	for (size_t i = 0; v && i < v->count; i++) {
		const char *k = model_value_string(v->items[i]);
		if (k && strcmp(k, key) == 0)
			return v->values[i];
	}
	return NULL;
}

/* Integer tensor 'v' as int64 values in 'c's arena. */
static int read_ints(struct describer *c, const struct mvalue *v, int64_t **out, size_t *n)
{
	enum dtype dt = v ? v->type->dtype : DT_INVALID;

	if (!v || v->kind != VAL_TENSOR ||
	    (dt != DT_INT32 && dt != DT_INT64 && dt != DT_INT16 && dt != DT_INT8))
		return fail(c, "malformed " FLEXSHAPE_KEY " (a shape is not an integer tensor)");
	*n = v->count;
	*out = arena_array(c->a, v->count, sizeof **out);
	if (!*out)
		return nomem(c);
	for (size_t i = 0; i < v->count; i++) {
		if (dt == DT_INT32)
			(*out)[i] = ((const int32_t *)v->data)[i];
		else if (dt == DT_INT64)
			(*out)[i] = ((const int64_t *)v->data)[i];
		else if (dt == DT_INT16)
			(*out)[i] = ((const int16_t *)v->data)[i];
		else
			(*out)[i] = ((const int8_t *)v->data)[i];
	}
	return 0;
}

/* The k-th enumerated configuration in key order (a dict input -> shape). */
static const struct mvalue *enum_config(const struct fsi *s, size_t k)
{
	return s->enums->values[s->order[k]];
}

/* The integer value of element 'i' of an int tensor value. */
static int64_t int_at(const struct mvalue *v, size_t i)
{
	switch (v->type->dtype) {
	case DT_INT64: return ((const int64_t *)v->data)[i];
	case DT_INT16: return ((const int16_t *)v->data)[i];
	case DT_INT8: return ((const int8_t *)v->data)[i];
	default: return ((const int32_t *)v->data)[i];
	}
}

static bool same_ints(const struct mvalue *a, const struct mvalue *b)
{
	if (!a || !b || a->kind != VAL_TENSOR || b->kind != VAL_TENSOR || a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (int_at(a, i) != int_at(b, i))
			return false;
	return true;
}

/* True when configuration 'cfg' gives every input its default shape. */
static bool is_default_config(const struct fsi *s, const struct mvalue *cfg)
{
	for (size_t i = 0; i < cfg->count; i++) {
		const char *name = model_value_string(cfg->items[i]);
		const struct mvalue *def = name && s->defaults ? dict_get(s->defaults, name) : NULL;
		if (def && !same_ints(def, cfg->values[i]))
			return false;
	}
	return true;
}

/* Order the enumerated configurations: by key, then the default one moved
** to the front (insertion sort on indices). */
static int sort_configs(struct describer *c, struct fsi *s)
{
	size_t n = s->enums ? s->enums->count : 0;

	s->order = arena_array(c->a, n, sizeof *s->order);
	if (!s->order)
		return nomem(c);
	for (size_t i = 0; i < n; i++) {
		const char *ki = model_value_string(s->enums->items[i]);
		size_t j = i;
		if (!ki || !s->enums->values[i] || s->enums->values[i]->kind != VAL_DICT)
			return fail(c, "malformed " FLEXSHAPE_KEY " (EnumeratedShapes entry)");
		while (j > 0 &&
		       strcmp(model_value_string(s->enums->items[s->order[j - 1]]), ki) > 0) {
			s->order[j] = s->order[j - 1];
			j--;
		}
		s->order[j] = i;
	}
	for (size_t k = 0; k < n; k++)
		if (is_default_config(s, s->enums->values[s->order[k]])) {
			size_t d = s->order[k];
			memmove(s->order + 1, s->order, k * sizeof *s->order);
			s->order[0] = d;
			break;
		}
	return 0;
}

/* Split the function's FlexibleShapeInformation (if any) into 's'. */
static int read_fsi(struct describer *c, struct fsi *s)
{
	char q[DIAG_QUOTE_MAX];
	const struct mvalue *v = model_attr(c->f->attrs, c->f->nattrs, FLEXSHAPE_KEY);

	memset(s, 0, sizeof *s);
	if (v && v->kind != VAL_TUPLE)
		return fail(c, "malformed " FLEXSHAPE_KEY " (not a tuple)");
	for (size_t i = 0; v && i < v->count; i++) {
		const struct mvalue *t = v->items[i];
		const char *name = t->kind == VAL_TUPLE && t->count == 2
					   ? model_value_string(t->items[0])
					   : NULL;
		if (!name || t->items[1]->kind != VAL_DICT)
			return fail(c, "malformed " FLEXSHAPE_KEY " (item %zu)", i);
		if (strcmp(name, "DefaultShapes") == 0)
			s->defaults = t->items[1];
		else if (strcmp(name, "RangeDims") == 0)
			s->ranges = t->items[1];
		else if (strcmp(name, "EnumeratedShapes") == 0)
			s->enums = t->items[1];
		else
			return fail(c, "unknown " FLEXSHAPE_KEY " entry '%s'", diag_quote(q, name));
	}
	return sort_configs(c, s);
}

/* ---- features ----------------------------------------------------------- */

/* The ArrayDataType of tensor element type 'dt', or 0. */
static CoreML__Specification__ArrayFeatureType__ArrayDataType array_type(enum dtype dt)
{
	switch (dt) {
	case DT_FP32: return CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT32;
	case DT_FP16: return CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT16;
	case DT_FP64: return CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__DOUBLE;
	case DT_INT32: return CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__INT32;
	case DT_INT8: return CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__INT8;
	default: return 0;
	}
}

/* True when 't' has a known rank and no unknown dimension. */
static bool shape_known(const struct mtype *t)
{
	if (t->rank < 0)
		return false;
	for (size_t i = 0; i < t->ndims; i++)
		if (t->dims[i] < 0)
			return false;
	return true;
}

/* A multi-array type for tensor 't' of feature 'what' 'name', with its
** own dims as shape when they are all known. */
static int new_array(struct describer *c, const char *what, const char *name, const struct mtype *t,
		     ArrayFeatureType **out)
{
	char q[DIAG_QUOTE_MAX];
	static const ArrayFeatureType init = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__INIT;
	ArrayFeatureType *arr;

	if (t->kind != TY_TENSOR) {
		static const char *const kinds[] = {"tensor", "list", "tuple", "dict", "state"};
		return fail(c, "%s '%s' is a %s, which no feature type describes", what,
			    diag_quote(q, name), kinds[t->kind]);
	}
	if (!array_type(t->dtype))
		return fail(c,
			    "%s '%s' has element type %s, which no feature type "
			    "describes (fp32, fp16, fp64, int32, int8)",
			    what, diag_quote(q, name), dtype_info(t->dtype)->mil);
	arr = arena_alloc(c->a, sizeof *arr);
	if (!arr)
		return nomem(c);
	*arr = init;
	arr->datatype = array_type(t->dtype);
	if (shape_known(t)) {
		arr->n_shape = t->ndims;
		arr->shape = t->dims;
	}
	*out = arr;
	return 0;
}

/* A feature named 'name' holding 'arr', as a multi-array or a state. */
static int new_feature(struct describer *c, const char *name, ArrayFeatureType *arr, bool state,
		       FeatureDescription **out)
{
	static const FeatureDescription fd_init = CORE_ML__SPECIFICATION__FEATURE_DESCRIPTION__INIT;
	static const FeatureType ft_init = CORE_ML__SPECIFICATION__FEATURE_TYPE__INIT;
	static const StateFeatureType st_init = CORE_ML__SPECIFICATION__STATE_FEATURE_TYPE__INIT;
	FeatureDescription *fd = arena_alloc(c->a, sizeof *fd);
	FeatureType *ft = arena_alloc(c->a, sizeof *ft);
	StateFeatureType *st = arena_alloc(c->a, sizeof *st);

	if (!fd || !ft || !st)
		return nomem(c);
	*fd = fd_init;
	*ft = ft_init;
	fd->name = (char *)name;
	fd->type = ft;
	if (state) {
		*st = st_init;
		st->type_case = CORE_ML__SPECIFICATION__STATE_FEATURE_TYPE__TYPE_ARRAY_TYPE;
		st->arraytype = arr;
		ft->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STATE_TYPE;
		ft->statetype = st;
	} else {
		ft->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE;
		ft->multiarraytype = arr;
	}
	*out = fd;
	return 0;
}

/* shapeRange from the RangeDims entry 'r' (a list of [lower, upper]). */
static int set_range(struct describer *c, ArrayFeatureType *arr, const char *name,
		     const struct mvalue *r)
{
	char q[DIAG_QUOTE_MAX];
	static const ShapeRange sr_init =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_RANGE__INIT;
	static const SizeRange sz_init = CORE_ML__SPECIFICATION__SIZE_RANGE__INIT;
	ShapeRange *sr = arena_alloc(c->a, sizeof *sr);
	int rc;

	if (!sr)
		return nomem(c);
	*sr = sr_init;
	if (r->kind != VAL_LIST)
		return fail(c, "malformed " FLEXSHAPE_KEY " (RangeDims of '%s')",
			    diag_quote(q, name));
	sr->n_sizeranges = r->count;
	sr->sizeranges = arena_array(c->a, r->count, sizeof *sr->sizeranges);
	if (!sr->sizeranges)
		return nomem(c);
	for (size_t i = 0; i < r->count; i++) {
		int64_t *lh;
		size_t n;
		SizeRange *s = arena_alloc(c->a, sizeof *s);
		if (!s)
			return nomem(c);
		if ((rc = read_ints(c, r->items[i], &lh, &n)))
			return rc;
		if (n != 2 || lh[0] < 0)
			return fail(c, "malformed " FLEXSHAPE_KEY " (RangeDims of '%s')",
				    diag_quote(q, name));
		*s = sz_init;
		s->lowerbound = (uint64_t)lh[0];
		s->upperbound = lh[1];
		sr->sizeranges[i] = s;
	}
	arr->shape_flexibility_case =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_SHAPE_RANGE;
	arr->shaperange = sr;
	return 0;
}

/* enumeratedShapes: the input's shape in every configuration that names
** it, configurations in key order.  Leaves 'arr' alone if none does. */
static int set_enumerated(struct describer *c, ArrayFeatureType *arr, const char *name,
			  const struct fsi *s)
{
	static const EnumShapes es_init =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ENUMERATED_SHAPES__INIT;
	static const Shape sh_init = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE__INIT;
	size_t n = s->enums ? s->enums->count : 0;
	EnumShapes *es = arena_alloc(c->a, sizeof *es);
	int rc;

	if (!es)
		return nomem(c);
	*es = es_init;
	es->shapes = arena_array(c->a, n, sizeof *es->shapes);
	if (!es->shapes)
		return nomem(c);
	for (size_t k = 0; k < n; k++) {
		const struct mvalue *shape = dict_get(enum_config(s, k), name);
		Shape *sh;
		if (!shape)
			continue;
		sh = arena_alloc(c->a, sizeof *sh);
		if (!sh)
			return nomem(c);
		*sh = sh_init;
		if ((rc = read_ints(c, shape, &sh->shape, &sh->n_shape)))
			return rc;
		es->shapes[es->n_shapes++] = sh;
	}
	if (es->n_shapes == 0)
		return 0;
	arr->shape_flexibility_case =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_ENUMERATED_SHAPES;
	arr->enumeratedshapes = es;
	return 0;
}

/* No FSI entry: unknown dims default to 1 with range [1, -1]; known dims
** are fixed ([d, d]).  'arr->shape' may already hold a default shape. */
static int set_open_range(struct describer *c, ArrayFeatureType *arr, const struct mtype *t)
{
	static const ShapeRange sr_init =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_RANGE__INIT;
	static const SizeRange sz_init = CORE_ML__SPECIFICATION__SIZE_RANGE__INIT;
	ShapeRange *sr = arena_alloc(c->a, sizeof *sr);

	if (!sr)
		return nomem(c);
	*sr = sr_init;
	if (arr->n_shape == 0) {
		arr->n_shape = t->ndims;
		arr->shape = arena_array(c->a, t->ndims, sizeof *arr->shape);
		if (!arr->shape)
			return nomem(c);
		for (size_t i = 0; i < t->ndims; i++)
			arr->shape[i] = t->dims[i] < 0 ? 1 : t->dims[i];
	}
	sr->n_sizeranges = t->ndims;
	sr->sizeranges = arena_array(c->a, t->ndims, sizeof *sr->sizeranges);
	if (!sr->sizeranges)
		return nomem(c);
	for (size_t i = 0; i < t->ndims; i++) {
		SizeRange *s = arena_alloc(c->a, sizeof *s);
		if (!s)
			return nomem(c);
		*s = sz_init;
		s->lowerbound = t->dims[i] < 0 ? 1 : (uint64_t)t->dims[i];
		s->upperbound = t->dims[i] < 0 ? -1 : t->dims[i];
		sr->sizeranges[i] = s;
	}
	arr->shape_flexibility_case =
		CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_SHAPE_RANGE;
	arr->shaperange = sr;
	return 0;
}

/* The flexibility of input 'name' of type 't': from the FSI entries when
** it has a default shape there, else open ranges for unknown dims. */
static int set_flexibility(struct describer *c, ArrayFeatureType *arr, const char *name,
			   const struct mtype *t, const struct fsi *s)
{
	const struct mvalue *def = dict_get(s->defaults, name);
	const struct mvalue *range = dict_get(s->ranges, name);
	int rc;

	if (def && (rc = read_ints(c, def, &arr->shape, &arr->n_shape)))
		return rc;
	if (range)
		return set_range(c, arr, name, range);
	if (def && (rc = set_enumerated(c, arr, name, s)))
		return rc;
	if (shape_known(t) ||
	    arr->shape_flexibility_case !=
		    CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY__NOT_SET)
		return 0;
	return set_open_range(c, arr, t);
}

/* The feature of function input 'nt': a multi-array or a state. */
static int describe_input(struct describer *c, const struct named_type *nt, const struct fsi *s,
			  struct features *fs)
{
	char q[DIAG_QUOTE_MAX];
	bool state = nt->type->kind == TY_STATE;
	const struct mtype *t = state ? nt->type->elem : nt->type;
	const char *what = state ? "state" : "input";
	ArrayFeatureType *arr;
	FeatureDescription *fd;
	int rc;

	if ((rc = new_array(c, what, nt->name, t, &arr)))
		return rc;
	if (t->rank < 0)
		return fail(c, "%s '%s' has unknown rank; a feature needs a shape", what,
			    diag_quote(q, nt->name));
	if (state && !shape_known(t))
		return fail(c, "state '%s' has an unknown dimension", diag_quote(q, nt->name));
	if (!state && (rc = set_flexibility(c, arr, nt->name, t, s)))
		return rc;
	if ((rc = new_feature(c, nt->name, arr, state, &fd)))
		return rc;
	if (state)
		fs->st[fs->nst++] = fd;
	else
		fs->in[fs->nin++] = fd;
	return 0;
}

/* The type variable 'name' has at the end of the function body. */
static const struct mtype *var_type(const struct function *f, const char *name)
{
	for (size_t i = f->body.nops; i-- > 0;) {
		const struct op *op = &f->body.ops[i];
		for (size_t k = 0; k < op->noutputs; k++)
			if (strcmp(op->outputs[k].name, name) == 0)
				return op->outputs[k].type;
	}
	for (size_t i = 0; i < f->ninputs; i++)
		if (strcmp(f->inputs[i].name, name) == 0)
			return f->inputs[i].type;
	return NULL;
}

/* The input, output and state features of function c->f. */
static int describe_function(struct describer *c, struct features *fs)
{
	char q[DIAG_QUOTE_MAX];
	const struct function *f = c->f;
	struct fsi s;
	int rc;

	if ((rc = read_fsi(c, &s)))
		return rc;
	fs->in = arena_array(c->a, f->ninputs, sizeof *fs->in);
	fs->st = arena_array(c->a, f->ninputs, sizeof *fs->st);
	fs->out = arena_array(c->a, f->body.noutputs, sizeof *fs->out);
	if (!fs->in || !fs->st || !fs->out)
		return nomem(c);
	for (size_t i = 0; i < f->ninputs; i++)
		if ((rc = describe_input(c, &f->inputs[i], &s, fs)))
			return rc;
	for (size_t i = 0; i < f->body.noutputs; i++) {
		const char *name = f->body.outputs[i];
		const struct mtype *t = var_type(f, name);
		ArrayFeatureType *arr;
		if (!t)
			return fail(c, "output '%s' is not defined", diag_quote(q, name));
		if ((rc = new_array(c, "output", name, t, &arr)) ||
		    (rc = new_feature(c, name, arr, false, &fs->out[fs->nout++])))
			return rc;
	}
	return 0;
}

/* ---- the description ---------------------------------------------------- */

/* qsort order of function pointers: by name, bytewise. */
static int cmp_func(const void *a, const void *b)
{
	return strcmp((*(struct function *const *)a)->name, (*(struct function *const *)b)->name);
}

/* Remove the FlexibleShapeInformation attribute of 'f'. */
/* One FunctionDescription per function, in 'order'. */
static int describe_functions(struct describer *c, ModelDescription *desc, struct function **order,
			      size_t n)
{
	static const FunctionDescription init = CORE_ML__SPECIFICATION__FUNCTION_DESCRIPTION__INIT;
	int rc;

	desc->functions = arena_array(c->a, n, sizeof *desc->functions);
	if (!desc->functions)
		return nomem(c);
	desc->n_functions = n;
	desc->defaultfunctionname = (char *)order[0]->name;
	for (size_t i = 0; i < n; i++) {
		FunctionDescription *fd = arena_alloc(c->a, sizeof *fd);
		struct features fs = {0, 0, 0, NULL, NULL, NULL};
		if (!fd)
			return nomem(c);
		*fd = init;
		c->f = order[i];
		if ((rc = describe_function(c, &fs)))
			return rc;
		fd->name = (char *)order[i]->name;
		fd->n_input = fs.nin;
		fd->input = fs.in;
		fd->n_output = fs.nout;
		fd->output = fs.out;
		fd->n_state = fs.nst;
		fd->state = fs.st;
		desc->functions[i] = fd;
		if (strcmp(order[i]->name, "main") == 0)
			desc->defaultfunctionname = (char *)order[i]->name;
	}
	return 0;
}

int mil_describe(struct model *m, struct mlcc_diag *d)
{
	static const ModelDescription init = CORE_ML__SPECIFICATION__MODEL_DESCRIPTION__INIT;
	struct describer c = {m, m->arena, d, NULL};
	struct program *prog = m->program;
	ModelDescription *desc;
	struct function **order;
	int rc = 0;

	if (m->kind != MODEL_ML_PROGRAM || !prog || prog->nfuncs == 0)
		return diag_fail(d, MLCC_E_INTERNAL, "%s: mil_describe needs an ML program",
				 m->origin);
	desc = arena_alloc(c.a, sizeof *desc);
	order = arena_array(c.a, prog->nfuncs, sizeof *order);
	if (!desc || !order)
		return nomem(&c);
	*desc = init;
	for (size_t i = 0; i < prog->nfuncs; i++)
		order[i] = &prog->funcs[i];
	qsort(order, prog->nfuncs, sizeof *order, cmp_func);
	if (prog->nfuncs > 1) {
		rc = describe_functions(&c, desc, order, prog->nfuncs);
	} else {
		struct features fs = {0, 0, 0, NULL, NULL, NULL};
		c.f = order[0];
		rc = describe_function(&c, &fs);
		desc->n_input = fs.nin;
		desc->input = fs.in;
		desc->n_output = fs.nout;
		desc->output = fs.out;
		desc->n_state = fs.nst;
		desc->state = fs.st;
	}
	if (rc)
		return rc;
	flexshape_drop_attr(prog);
	m->desc = desc;
	return MLCC_OK;
}
