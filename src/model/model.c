/*
** model.c -- small queries on the in-memory model.
*/
#include "model/model.h"

#include <string.h>

unsigned model_opset_ios(const char *opset)
{
	/* coreml-input.md §4.1: CoreML5..CoreML9 = iOS15..iOS18, iOS26. */
	static const struct {
		const char *name;
		unsigned ios;
	} map[] = {
		{"CoreML5", 15}, {"CoreML6", 16}, {"CoreML7", 17},
		{"CoreML8", 18}, {"CoreML9", 26},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(opset, map[i].name) == 0)
			return map[i].ios;
	return 0;
}

const struct function *model_find_function(const struct program *p,
					   const char *name)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (strcmp(p->funcs[i].name, name) == 0)
			return &p->funcs[i];
	return NULL;
}

const struct mvalue *model_attr(const struct attribute *attrs, size_t n,
				const char *key)
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
	if (!v || v->kind != VAL_TENSOR || v->type->dtype != DT_STRING ||
	    v->count != 1)
		return NULL;
	return ((char *const *)v->data)[0];
}
