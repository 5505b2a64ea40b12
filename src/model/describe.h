/*
** describe.h -- questions about a model's description (the protobuf
** ModelDescription the model keeps): which features describe a function,
** the array part of a feature, the names metadata.json and inspect give
** array element types.
**
** The description is the protobuf message itself (model.h explains why);
** these helpers are the one place that knows how its feature types nest.
*/
#ifndef MLCC_DESCRIBE_H
#define MLCC_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

typedef CoreML__Specification__ImageFeatureType ImageFeatureType;

/* The feature descriptions that describe function 'name': the matching
** FunctionDescription of a multi-function description, else the top-level
** inputs, outputs and states.  Never fails; counts may be 0. */
struct func_desc {
	size_t ninputs;
	FeatureDescription **inputs;
	size_t noutputs;
	FeatureDescription **outputs;
	size_t nstates;
	FeatureDescription **states;
	const FunctionDescription *fd; /* NULL for the single-function form */
};
void desc_function(const ModelDescription *desc, const char *name, struct func_desc *out);

/* The multi-array of a feature type -- a multi-array itself, or the
** array a state wraps -- or NULL. */
const ArrayFeatureType *desc_array(const FeatureType *t);

/* The image of a feature type, or NULL. */
const ImageFeatureType *desc_image(const FeatureType *t);

/* The shape flexibility of an array: a range per dimension, or a list of
** enumerated shapes (each false for a fixed shape). */
bool desc_array_is_range(const ArrayFeatureType *a);
bool desc_array_is_enum(const ArrayFeatureType *a);

/* The name of an ArrayFeatureType data type as metadata.json and inspect
** print it: "Float32", "Float16", "Double", "Int32", "Int8"; "Invalid"
** for anything else. */
const char *desc_array_dtype_name(int datatype);

#endif
