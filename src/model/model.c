/*
** model.c -- small queries on the in-memory model.
*/
#include "model/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The Model oneof members (docs/spec/coreml-input.md §2.1): field
** number -> member name, the name metadata.json prints after
** "MLModelType_" and inspect prints. */
static const struct {
	unsigned field;
	const char *name;
} model_types[] = {
	/* clang-format off */
	{200, "pipelineClassifier"},   {201, "pipelineRegressor"},
	{202, "pipeline"},             {300, "glmRegressor"},
	{301, "supportVectorRegressor"}, {302, "treeEnsembleRegressor"},
	{303, "neuralNetworkRegressor"}, {304, "bayesianProbitRegressor"},
	{400, "glmClassifier"},        {401, "supportVectorClassifier"},
	{402, "treeEnsembleClassifier"}, {403, "neuralNetworkClassifier"},
	{404, "kNearestNeighborsClassifier"}, {500, "neuralNetwork"},
	{501, "itemSimilarityRecommender"}, {502, "mlProgram"},
	{555, "customModel"},          {556, "linkedModel"},
	{560, "classConfidenceThresholding"}, {600, "oneHotEncoder"},
	{601, "imputer"},              {602, "featureVectorizer"},
	{603, "dictVectorizer"},       {604, "scaler"},
	{606, "categoricalMapping"},   {607, "normalizer"},
	{609, "arrayFeatureExtractor"}, {610, "nonMaximumSuppression"},
	{900, "identity"},             {2000, "textClassifier"},
	{2001, "wordTagger"},          {2002, "visionFeaturePrint"},
	{2003, "soundAnalysisPreprocessing"}, {2004, "gazetteer"},
	{2005, "wordEmbedding"},       {2006, "audioFeaturePrint"},
	{3000, "serializedModel"},
	/* clang-format on */
};

bool model_compiles_as_spec(unsigned field)
{
	return field == 400 || field == 610 || field == 2000 || field == 2002;
}

bool model_is_neural_network(unsigned field)
{
	return field == 500 || field == 403 || field == 303;
}

size_t model_spec_labels(const struct model *m, const char *const **strs, const int64_t **ints)
{
	const CoreML__Specification__StringVector *sv = NULL;
	const CoreML__Specification__Int64Vector *iv = NULL;
	const SpecModel *s = m->spec;

	*strs = NULL;
	*ints = NULL;
	if (m->kind != MODEL_SPEC || !s)
		return 0;
	if (s->type_case == CORE_ML__SPECIFICATION__MODEL__TYPE_GLM_CLASSIFIER &&
	    s->glmclassifier) {
		sv = s->glmclassifier->stringclasslabels;
		iv = s->glmclassifier->int64classlabels;
	} else if (s->type_case == CORE_ML__SPECIFICATION__MODEL__TYPE_NON_MAXIMUM_SUPPRESSION &&
		   s->nonmaximumsuppression) {
		sv = s->nonmaximumsuppression->stringclasslabels;
		iv = s->nonmaximumsuppression->int64classlabels;
	}
	if (sv) {
		*strs = (const char *const *)sv->vector;
		return sv->n_vector;
	}
	if (iv) {
		*ints = iv->vector;
		return iv->n_vector;
	}
	return 0;
}

const char *model_type_name(unsigned field)
{
	for (size_t i = 0; i < sizeof model_types / sizeof model_types[0]; i++)
		if (model_types[i].field == field)
			return model_types[i].name;
	return NULL;
}

const char *model_type_description(unsigned field)
{
	static _Thread_local char buf[64];
	const char *name = model_type_name(field);

	if (!name)
		return "a model of an unknown type";
	snprintf(buf, sizeof buf, "a %s model", name);
	return buf;
}

/* Function opsets (docs/spec/coreml-input.md §4.1): the opset
** name, its iOS release and the first specification version that has
** it.  The one table every opset <-> iOS <-> spec rule reads. */
/* clang-format off */
static const struct opset_row {
	const char *name;
	unsigned ios;
	int spec;
} opsets[] = {
	{"CoreML5", 15, 6}, {"CoreML6", 16, 7}, {"CoreML7", 17, 8},
	{"CoreML8", 18, 9}, {"CoreML9", 26, 10},
};
/* clang-format on */

#define NOPSETS (sizeof opsets / sizeof opsets[0])

unsigned model_opset_ios(const char *opset)
{
	for (size_t i = 0; i < NOPSETS; i++)
		if (strcmp(opset, opsets[i].name) == 0)
			return opsets[i].ios;
	return 0;
}

const char *model_ios_opset(unsigned ios)
{
	for (size_t i = 0; i < NOPSETS; i++)
		if (opsets[i].ios == ios)
			return opsets[i].name;
	return NULL;
}

int model_ios_spec(unsigned ios)
{
	for (size_t i = 0; i < NOPSETS; i++)
		if (opsets[i].ios == ios)
			return opsets[i].spec;
	return 0;
}

const char *model_label(char buf[MODEL_LABEL_MAX], const char *name, const char *type, size_t index)
{
	char qn[DIAG_QUOTE_MAX], qt[DIAG_QUOTE_MAX];

	diag_quote(qt, type ? type : "");
	if (name)
		snprintf(buf, MODEL_LABEL_MAX, "op '%s' (%s)", diag_quote(qn, name), qt);
	else
		snprintf(buf, MODEL_LABEL_MAX, "op #%zu (%s)", index, qt);
	return buf;
}

const char *model_op_label(char buf[MODEL_LABEL_MAX], const struct op *op, size_t index)
{
	const char *name = model_value_string(model_attr(op->attrs, op->nattrs, "name"));

	if (!name && op->noutputs)
		name = op->outputs[0].name;
	return model_label(buf, name, op->type, index);
}

int model_vfail(struct mlcc_diag *d, int status, const char *file, unsigned line, unsigned col,
		const char *func, const char *label, const char *fmt, va_list ap)
{
	char what[512], pos[32] = "", fn[DIAG_QUOTE_MAX + 16] = "", op[MODEL_LABEL_MAX + 2] = "";
	char q[DIAG_QUOTE_MAX];

	if (!d || d->status != MLCC_OK)
		return status;
	vsnprintf(what, sizeof what, fmt, ap);
	if (line)
		snprintf(pos, sizeof pos, ":%u:%u", line, col);
	if (func)
		snprintf(fn, sizeof fn, "function '%s': ", diag_quote(q, func));
	if (label)
		snprintf(op, sizeof op, "%s: ", label);
	return diag_fail(d, status, "%s%s: %s%s%s", file, pos, fn, op, what);
}

int model_fail(struct mlcc_diag *d, int status, const struct model_site *at, const char *fmt, ...)
{
	char label[MODEL_LABEL_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = model_vfail(d, status, at->file, at->op ? at->op->line : 0, at->op ? at->op->col : 0,
			 at->func ? at->func->name : NULL,
			 at->op ? model_op_label(label, at->op, at->op_index) : NULL, fmt, ap);
	va_end(ap);
	return rc;
}

const struct function *model_find_function(const struct program *p, const char *name)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (strcmp(p->funcs[i].name, name) == 0)
			return &p->funcs[i];
	return NULL;
}

const struct mvalue *model_attr(const struct attribute *attrs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(attrs[i].key, key) == 0)
			return attrs[i].value;
	return NULL;
}

int64_t model_tensor_count(const struct mtype *t)
{
	uint64_t n = 1;

	if (t->rank < 0)
		return -1;
	for (size_t i = 0; i < t->ndims; i++) {
		if (t->dims[i] < 0)
			return -1;
		if (t->dims[i] && n > (uint64_t)INT64_MAX / (uint64_t)t->dims[i])
			return -2;
		n *= (uint64_t)t->dims[i];
	}
	return (int64_t)n;
}

const char *model_value_string(const struct mvalue *v)
{
	if (!v || v->kind != VAL_TENSOR || v->type->dtype != DT_STRING || v->count != 1)
		return NULL;
	return ((char *const *)v->data)[0];
}

bool model_same_type(const struct mtype *a, const struct mtype *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->dtype != b->dtype || a->rank != b->rank ||
	    a->ndims != b->ndims || a->length != b->length || a->nelems != b->nelems)
		return false;
	for (size_t i = 0; i < a->ndims; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	for (size_t i = 0; i < a->nelems; i++)
		if (!model_same_type(a->elems[i], b->elems[i]))
			return false;
	return model_same_type(a->elem, b->elem) && model_same_type(a->value, b->value);
}
