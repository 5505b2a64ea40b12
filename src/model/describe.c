/*
** describe.c -- the model description's feature types.
*/
#include "model/describe.h"

#include <string.h>

void desc_function(const ModelDescription *desc, const char *name, struct func_desc *out)
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

const ArrayFeatureType *desc_array(const FeatureType *t)
{
	if (!t)
		return NULL;
	if (t->type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE)
		return t->multiarraytype;
	if (t->type_case == CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STATE_TYPE && t->statetype)
		return t->statetype->arraytype;
	return NULL;
}

const ImageFeatureType *desc_image(const FeatureType *t)
{
	if (!t || t->type_case != CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_IMAGE_TYPE)
		return NULL;
	return t->imagetype;
}

bool desc_array_is_range(const ArrayFeatureType *a)
{
	return a->shape_flexibility_case ==
		       CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_SHAPE_RANGE &&
	       a->shaperange;
}

bool desc_array_is_enum(const ArrayFeatureType *a)
{
	return a->shape_flexibility_case ==
		       CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__SHAPE_FLEXIBILITY_ENUMERATED_SHAPES &&
	       a->enumeratedshapes;
}

const char *desc_array_dtype_name(int datatype)
{
	switch (datatype) {
	case CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT32: return "Float32";
	case CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT16: return "Float16";
	case CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__DOUBLE: return "Double";
	case CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__INT32: return "Int32";
	case CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__INT8:
		return "Int8"; /* spec 10; LOW, no sample */
	}
	return "Invalid";
}
