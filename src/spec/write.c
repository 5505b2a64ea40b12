/*
** write.c -- in-memory model -> protobuf Core ML specification.
**
** The mirror of spec_read.c, section by section: types, immediate tensors,
** values, operations and blocks, functions, the model.  The protobuf-c
** message tree is built in the caller's arena (strings, string arrays,
** raw byte tensors and the description are shared with the model, never
** copied) and packed once.  Map entries keep the model's order, so a
** model read from a file is written back with its entries in file order.
**
** Storage of immediate tensors, as coremltools writes them
** (docs/spec/coreml-input.md §2.5): fp32 floats, fp64 doubles, int32/int16/uint16
** ints, int64/uint64 longInts, bool bools, string strings; every other
** dtype raw little-endian bytes, sub-byte types bit-packed LSB-first (the
** inverse of spec_read.c's unpack_bits).  Anything spec_read.c would
** refuse (a count that does not fit the shape, a packed tensor of unknown
** shape, nesting deeper than it reads) is refused here, so what is
** written can always be read back.
*/
#include "spec/spec_write.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "model/classifier.h"
#include "spec/spec_read.h"

typedef CoreML__Specification__Model PModel;
typedef CoreML__Specification__Pipeline PPipeline;
typedef CoreML__Specification__MILSpec__Program PProgram;
typedef CoreML__Specification__MILSpec__Function PFunction;
typedef CoreML__Specification__MILSpec__Block PBlock;
typedef CoreML__Specification__MILSpec__Operation POp;
typedef CoreML__Specification__MILSpec__Argument PArgument;
typedef CoreML__Specification__MILSpec__Argument__Binding PBinding;
typedef CoreML__Specification__MILSpec__NamedValueType PNamedValueType;
typedef CoreML__Specification__MILSpec__ValueType PValueType;
typedef CoreML__Specification__MILSpec__TensorType PTensorType;
typedef CoreML__Specification__MILSpec__Dimension PDimension;
typedef CoreML__Specification__MILSpec__Value PValue;
typedef CoreML__Specification__MILSpec__Value__ImmediateValue PImmediate;
typedef CoreML__Specification__MILSpec__TensorValue PTensorValue;

/* The descriptor of MILSpec message 'x' ("tensor_value", ...). */
#define MIL(x) (&core_ml__specification__milspec__##x##__descriptor)
#define SPEC(x) (&core_ml__specification__##x##__descriptor)

/* Where we are, for messages: "<origin>: function 'f': op 'name': ...". */
struct writer {
	struct arena *a;
	struct mlcc_diag *d;
	const char *origin;
	const char *func;    /* current function or NULL */
	const struct op *op; /* current op or NULL */
	size_t op_index;
	unsigned depth; /* nesting, counted as spec_read.c counts it */
};

/* Fail with the writer's location prefixed to the message. */
static int fail(struct writer *w, int status, const char *fmt, ...) MLCC_PRINTF(3, 4);

static int fail(struct writer *w, int status, const char *fmt, ...)
{
	char label[MODEL_LABEL_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = model_vfail(w->d, status, w->origin, 0, 0, w->func,
			 w->func && w->op ? model_op_label(label, w->op, w->op_index) : NULL, fmt,
			 ap);
	va_end(ap);
	return rc;
}

static int nomem(struct writer *w)
{
	return diag_fail(w->d, MLCC_E_NOMEM, "%s: out of memory", w->origin);
}

/* A new, initialised message of type 'desc' from the arena; NULL when out
** of memory. */
static void *msg_new(struct writer *w, const ProtobufCMessageDescriptor *desc)
{
	void *p = arena_alloc(w->a, desc->sizeof_message);

	if (p)
		protobuf_c_message_init(desc, p);
	return p;
}

/* An array of 'n' message pointers (NULL for n = 0 is fine). */
static void **ptr_array(struct writer *w, size_t n)
{
	return arena_array(w->a, n, sizeof(void *));
}

/* ---- types -------------------------------------------------------------- */

static int write_type(struct writer *w, const struct mtype *t, PValueType **out);

/* A Dimension: constant for a size, unknown (not variadic) for `?`. */
static int write_dim(struct writer *w, int64_t size, PDimension **out)
{
	PDimension *pd = msg_new(w, MIL(dimension));

	if (!pd)
		return nomem(w);
	if (size >= 0) {
		CoreML__Specification__MILSpec__Dimension__ConstantDimension *c =
			msg_new(w, MIL(dimension__constant_dimension));
		if (!c)
			return nomem(w);
		c->size = (uint64_t)size;
		pd->dimension_case = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_CONSTANT;
		pd->constant = c;
	} else {
		pd->unknown = msg_new(w, MIL(dimension__unknown_dimension));
		if (!pd->unknown)
			return nomem(w);
		pd->dimension_case = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_UNKNOWN;
	}
	*out = pd;
	return MLCC_OK;
}

/* rank -1 for unknown rank, else the number of dimensions. */
static int write_tensor_type(struct writer *w, const struct mtype *t, PTensorType **out)
{
	PTensorType *tt = msg_new(w, MIL(tensor_type));
	int rc;

	if (!tt)
		return nomem(w);
	if (dtype_info(t->dtype) == dtype_info(DT_INVALID))
		return fail(w, MLCC_E_INTERNAL, "tensor type without a data type");
	if (t->ndims && !t->dims)
		return fail(w, MLCC_E_INTERNAL, "tensor type without dimensions");
	tt->datatype = dtype_info(t->dtype)->proto;
	tt->rank = t->rank < 0 ? -1 : (int64_t)t->ndims;
	tt->n_dimensions = t->ndims;
	tt->dimensions = (void *)ptr_array(w, t->ndims);
	if (t->ndims && !tt->dimensions)
		return nomem(w);
	for (size_t i = 0; i < t->ndims; i++)
		if ((rc = write_dim(w, t->dims[i], &tt->dimensions[i])))
			return rc;
	*out = tt;
	return MLCC_OK;
}

/* The element type 'elem' of a composite type, which must be set. */
static int write_part(struct writer *w, const struct mtype *elem, const char *what,
		      PValueType **out)
{
	if (!elem)
		return fail(w, MLCC_E_INTERNAL, "%s type with a part missing", what);
	return write_type(w, elem, out);
}

static int write_list_type(struct writer *w, const struct mtype *t, PValueType *pt)
{
	CoreML__Specification__MILSpec__ListType *lt = msg_new(w, MIL(list_type));
	int rc;

	if (!lt)
		return nomem(w);
	pt->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_LIST_TYPE;
	pt->listtype = lt;
	if ((rc = write_part(w, t->elem, "list", &lt->type)))
		return rc;
	return write_dim(w, t->length, &lt->length);
}

static int write_tuple_type(struct writer *w, const struct mtype *t, PValueType *pt)
{
	CoreML__Specification__MILSpec__TupleType *tu = msg_new(w, MIL(tuple_type));
	int rc;

	if (!tu)
		return nomem(w);
	pt->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_TUPLE_TYPE;
	pt->tupletype = tu;
	tu->n_types = t->nelems;
	tu->types = (void *)ptr_array(w, t->nelems);
	if (t->nelems && (!tu->types || !t->elems))
		return tu->types ? fail(w, MLCC_E_INTERNAL, "tuple type without element types")
				 : nomem(w);
	for (size_t i = 0; i < t->nelems; i++)
		if ((rc = write_part(w, t->elems[i], "tuple", &tu->types[i])))
			return rc;
	return MLCC_OK;
}

static int write_dict_type(struct writer *w, const struct mtype *t, PValueType *pt)
{
	CoreML__Specification__MILSpec__DictionaryType *dt = msg_new(w, MIL(dictionary_type));
	int rc;

	if (!dt)
		return nomem(w);
	pt->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_DICTIONARY_TYPE;
	pt->dictionarytype = dt;
	if ((rc = write_part(w, t->elem, "dictionary", &dt->keytype)))
		return rc;
	return write_part(w, t->value, "dictionary", &dt->valuetype);
}

static int write_state_type(struct writer *w, const struct mtype *t, PValueType *pt)
{
	CoreML__Specification__MILSpec__StateType *st = msg_new(w, MIL(state_type));

	if (!st)
		return nomem(w);
	pt->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_STATE_TYPE;
	pt->statetype = st;
	return write_part(w, t->elem, "state", &st->wrappedtype);
}

static int write_type(struct writer *w, const struct mtype *t, PValueType **out)
{
	PValueType *pt;
	int rc;

	if (!t)
		return fail(w, MLCC_E_INTERNAL, "value without a type");
	if (++w->depth > MLCC_MAX_NESTING)
		return fail(w, MLCC_E_UNSUPPORTED, "types nested too deeply");
	if (!(pt = msg_new(w, MIL(value_type))))
		return nomem(w);
	switch (t->kind) {
	case TY_TENSOR:
		pt->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_TENSOR_TYPE;
		rc = write_tensor_type(w, t, &pt->tensortype);
		break;
	case TY_LIST: rc = write_list_type(w, t, pt); break;
	case TY_TUPLE: rc = write_tuple_type(w, t, pt); break;
	case TY_DICT: rc = write_dict_type(w, t, pt); break;
	case TY_STATE: rc = write_state_type(w, t, pt); break;
	default: return fail(w, MLCC_E_INTERNAL, "unknown type kind %d", (int)t->kind);
	}
	w->depth--;
	*out = pt;
	return rc;
}

/* ---- immediate tensors -------------------------------------------------- */

/* Pack 'count' one-byte elements into 'bits' each, LSB-first. */
static void pack_bits(uint8_t *dst, const uint8_t *src, size_t count, unsigned bits)
{
	unsigned mask = (1u << bits) - 1;

	for (size_t i = 0; i < count; i++) {
		size_t bit = i * bits;
		unsigned v = src[i] & mask;
		dst[bit / 8] |= (uint8_t)(v << (bit % 8));
		if (bit % 8 + bits > 8)
			dst[bit / 8 + 1] |= (uint8_t)(v >> (8 - bit % 8));
	}
}

static int put_floats(struct writer *w, const struct mvalue *v, PTensorValue *tv)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedFloats *r =
		msg_new(w, MIL(tensor_value__repeated_floats));
	float *f = arena_array(w->a, v->count, sizeof *f);

	if (!r || (v->count && !f))
		return nomem(w);
	if (v->count)
		memcpy(f, v->data, v->count * sizeof *f); /* the same bits */
	r->n_values = v->count;
	r->values = f;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_FLOATS;
	tv->floats = r;
	return MLCC_OK;
}

static int put_doubles(struct writer *w, const struct mvalue *v, PTensorValue *tv)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedDoubles *r =
		msg_new(w, MIL(tensor_value__repeated_doubles));
	double *f = arena_array(w->a, v->count, sizeof *f);

	if (!r || (v->count && !f))
		return nomem(w);
	if (v->count)
		memcpy(f, v->data, v->count * sizeof *f);
	r->n_values = v->count;
	r->values = f;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_DOUBLES;
	tv->doubles = r;
	return MLCC_OK;
}

/* int32 as is, int16 sign-extended, uint16 zero-extended. */
static int put_ints(struct writer *w, const struct mvalue *v, PTensorValue *tv)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedInts *r =
		msg_new(w, MIL(tensor_value__repeated_ints));
	int32_t *p = arena_array(w->a, v->count, sizeof *p);

	if (!r || (v->count && !p))
		return nomem(w);
	for (size_t i = 0; i < v->count; i++) {
		if (v->type->dtype == DT_INT32)
			p[i] = ((const int32_t *)v->data)[i];
		else if (v->type->dtype == DT_INT16)
			p[i] = ((const int16_t *)v->data)[i];
		else
			p[i] = ((const uint16_t *)v->data)[i];
	}
	r->n_values = v->count;
	r->values = p;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_INTS;
	tv->ints = r;
	return MLCC_OK;
}

/* int64, and uint64 with the same bits. */
static int put_long_ints(struct writer *w, const struct mvalue *v, PTensorValue *tv)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedLongInts *r =
		msg_new(w, MIL(tensor_value__repeated_long_ints));
	int64_t *p = arena_array(w->a, v->count, sizeof *p);

	if (!r || (v->count && !p))
		return nomem(w);
	if (v->count)
		memcpy(p, v->data, v->count * sizeof *p);
	r->n_values = v->count;
	r->values = p;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_LONG_INTS;
	tv->longints = r;
	return MLCC_OK;
}

static int put_bools(struct writer *w, const struct mvalue *v, PTensorValue *tv)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedBools *r =
		msg_new(w, MIL(tensor_value__repeated_bools));
	protobuf_c_boolean *p = arena_array(w->a, v->count, sizeof *p);

	if (!r || (v->count && !p))
		return nomem(w);
	for (size_t i = 0; i < v->count; i++)
		p[i] = ((const uint8_t *)v->data)[i] != 0;
	r->n_values = v->count;
	r->values = p;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BOOLS;
	tv->bools = r;
	return MLCC_OK;
}

/* The model's string array, shared. */
static int put_strings(struct writer *w, const struct mvalue *v, PTensorValue *tv)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedStrings *r =
		msg_new(w, MIL(tensor_value__repeated_strings));
	char **s = v->data;

	if (!r)
		return nomem(w);
	for (size_t i = 0; i < v->count; i++)
		if (!s[i])
			return fail(w, MLCC_E_INTERNAL, "string tensor value with a NULL element");
	r->n_values = v->count;
	r->values = s;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_STRINGS;
	tv->strings = r;
	return MLCC_OK;
}

/* Raw element bytes (shared), or sub-byte elements packed. */
static int put_bytes(struct writer *w, const struct mvalue *v, PTensorValue *tv)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedBytes *r =
		msg_new(w, MIL(tensor_value__repeated_bytes));
	const struct dtype_info *di = dtype_info(v->type->dtype);
	size_t n = dtype_packed_bytes(v->type->dtype, v->count);

	if (!r)
		return nomem(w);
	if (n == (size_t)-1)
		return fail(w, MLCC_E_UNSUPPORTED, "%s tensor value too large", di->mil);
	if (di->bits < 8) {
		uint8_t *p = arena_alloc(w->a, n ? n : 1);
		if (!p)
			return nomem(w);
		pack_bits(p, v->data, v->count, di->bits);
		r->values.data = p;
	} else {
		r->values.data = v->data;
	}
	r->values.len = n;
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BYTES;
	tv->bytes = r;
	return MLCC_OK;
}

/* Check the element count against the shape as spec_read.c will. */
static int check_count(struct writer *w, const struct mvalue *v)
{
	const struct dtype_info *di = dtype_info(v->type->dtype);
	int64_t want = model_tensor_count(v->type);

	if (want == -2)
		return fail(w, MLCC_E_UNSUPPORTED, "tensor shape overflows");
	if (want >= 0 && (uint64_t)want != v->count)
		return fail(w, MLCC_E_CORRUPT,
			    "%s tensor value has %zu elements, its shape needs %lld", di->mil,
			    v->count, (long long)want);
	if (want < 0 && di->bits < 8 && v->type->dtype != DT_STRING)
		return fail(w, MLCC_E_UNSUPPORTED, "packed %s value without a known shape",
			    di->mil);
	if (v->count && !v->data)
		return fail(w, MLCC_E_INTERNAL, "%s tensor value without data", di->mil);
	return MLCC_OK;
}

static int write_tensor(struct writer *w, const struct mvalue *v, PTensorValue **out)
{
	PTensorValue *tv;
	int rc;

	if (v->type->kind != TY_TENSOR)
		return fail(w, MLCC_E_INTERNAL, "tensor value with a non-tensor type");
	if ((rc = check_count(w, v)))
		return rc;
	if (!(tv = msg_new(w, MIL(tensor_value))))
		return nomem(w);
	switch (v->type->dtype) {
	case DT_FP32: rc = put_floats(w, v, tv); break;
	case DT_FP64: rc = put_doubles(w, v, tv); break;
	case DT_INT32:
	case DT_INT16:
	case DT_UINT16: rc = put_ints(w, v, tv); break;
	case DT_INT64:
	case DT_UINT64: rc = put_long_ints(w, v, tv); break;
	case DT_BOOL: rc = put_bools(w, v, tv); break;
	case DT_STRING: rc = put_strings(w, v, tv); break;
	case DT_INVALID:
	case DT_COUNT: return fail(w, MLCC_E_INTERNAL, "tensor value without a data type");
	default: rc = put_bytes(w, v, tv); break;
	}
	*out = tv;
	return rc;
}

/* ---- values ------------------------------------------------------------- */

static int write_value(struct writer *w, const struct mvalue *v, PValue **out);

static int write_items(struct writer *w, struct mvalue *const *items, size_t n, PValue ***out)
{
	PValue **pv = (void *)ptr_array(w, n);
	int rc;

	if (n && (!pv || !items))
		return pv ? fail(w, MLCC_E_INTERNAL, "composite value without items") : nomem(w);
	for (size_t i = 0; i < n; i++)
		if ((rc = write_value(w, items[i], &pv[i])))
			return rc;
	*out = pv;
	return MLCC_OK;
}

static int write_dict(struct writer *w, const struct mvalue *v, PImmediate *iv)
{
	CoreML__Specification__MILSpec__DictionaryValue *dv = msg_new(w, MIL(dictionary_value));
	int rc;

	if (!dv)
		return nomem(w);
	dv->values = (void *)ptr_array(w, v->count);
	if (v->count && !dv->values)
		return nomem(w);
	if (v->count && (!v->items || !v->values))
		return fail(w, MLCC_E_INTERNAL, "dictionary value without entries");
	iv->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_DICTIONARY;
	iv->dictionary = dv;
	dv->n_values = v->count;
	for (size_t i = 0; i < v->count; i++) {
		CoreML__Specification__MILSpec__DictionaryValue__KeyValuePair *kv =
			msg_new(w, MIL(dictionary_value__key_value_pair));
		if (!kv)
			return nomem(w);
		dv->values[i] = kv;
		if ((rc = write_value(w, v->items[i], &kv->key)) ||
		    (rc = write_value(w, v->values[i], &kv->value)))
			return rc;
	}
	return MLCC_OK;
}

static int write_immediate(struct writer *w, const struct mvalue *v, PImmediate *iv)
{
	switch (v->kind) {
	case VAL_TENSOR:
		iv->value_case =
			CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR;
		return write_tensor(w, v, &iv->tensor);
	case VAL_TUPLE:
		iv->value_case =
			CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TUPLE;
		if (!(iv->tuple = msg_new(w, MIL(tuple_value))))
			return nomem(w);
		iv->tuple->n_values = v->count;
		return write_items(w, v->items, v->count, &iv->tuple->values);
	case VAL_LIST:
		iv->value_case =
			CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_LIST;
		if (!(iv->list = msg_new(w, MIL(list_value))))
			return nomem(w);
		iv->list->n_values = v->count;
		return write_items(w, v->items, v->count, &iv->list->values);
	case VAL_DICT: return write_dict(w, v, iv);
	default: return fail(w, MLCC_E_INTERNAL, "unknown value kind %d", (int)v->kind);
	}
}

static int write_blob(struct writer *w, const struct mvalue *v, PValue *pv)
{
	CoreML__Specification__MILSpec__Value__BlobFileValue *bf =
		msg_new(w, MIL(value__blob_file_value));

	if (!bf)
		return nomem(w);
	if (v->type->kind != TY_TENSOR)
		return fail(w, MLCC_E_INTERNAL, "blob file value of a non-tensor type");
	if (!v->blob_file)
		return fail(w, MLCC_E_INTERNAL, "blob file value without a file name");
	bf->filename = (char *)v->blob_file;
	bf->offset = v->blob_offset;
	pv->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_BLOB_FILE_VALUE;
	pv->blobfilevalue = bf;
	return MLCC_OK;
}

static int write_value(struct writer *w, const struct mvalue *v, PValue **out)
{
	PValue *pv;
	int rc;

	if (!v)
		return fail(w, MLCC_E_INTERNAL, "missing value");
	if (++w->depth > MLCC_MAX_NESTING)
		return fail(w, MLCC_E_UNSUPPORTED, "values nested too deeply");
	if (!(pv = msg_new(w, MIL(value))))
		return nomem(w);
	if ((rc = write_type(w, v->type, &pv->type)))
		return rc;
	if (v->kind == VAL_BLOB) {
		rc = write_blob(w, v, pv);
	} else {
		pv->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE;
		if (!(pv->immediatevalue = msg_new(w, MIL(value__immediate_value))))
			return nomem(w);
		rc = write_immediate(w, v, pv->immediatevalue);
	}
	w->depth--;
	*out = pv;
	return rc;
}

/* ---- operations, blocks, functions -------------------------------------- */

static int write_named_types(struct writer *w, const struct named_type *nt, size_t n,
			     PNamedValueType ***out)
{
	PNamedValueType **pn = (void *)ptr_array(w, n);
	int rc;

	if (n && (!pn || !nt))
		return pn ? fail(w, MLCC_E_INTERNAL, "missing named values") : nomem(w);
	for (size_t i = 0; i < n; i++) {
		if (!(pn[i] = msg_new(w, MIL(named_value_type))))
			return nomem(w);
		pn[i]->name = (char *)nt[i].name;
		if ((rc = write_type(w, nt[i].type, &pn[i]->type)))
			return rc;
	}
	*out = pn;
	return MLCC_OK;
}

/* The layout every protobuf-c map<string, Message> entry shares. */
struct map_entry {
	ProtobufCMessage base;
	char *key;
	void *value;
};

/* A new entry of the map type 'desc' with key 'key'; NULL when out of
** memory. */
static struct map_entry *entry_new(struct writer *w, const ProtobufCMessageDescriptor *desc,
				   const char *key)
{
	struct map_entry *e = msg_new(w, desc);

	if (e)
		e->key = (char *)key;
	return e;
}

/* Attributes as the map<string, Value> entries of type 'desc'. */
static int write_attrs(struct writer *w, const ProtobufCMessageDescriptor *desc,
		       const struct attribute *at, size_t n, struct map_entry ***out)
{
	struct map_entry **e = (void *)ptr_array(w, n);
	int rc;

	if (n && (!e || !at))
		return e ? fail(w, MLCC_E_INTERNAL, "missing attributes") : nomem(w);
	for (size_t i = 0; i < n; i++) {
		PValue *pv = NULL;
		if (!(e[i] = entry_new(w, desc, at[i].key)))
			return nomem(w);
		if ((rc = write_value(w, at[i].value, &pv)))
			return rc;
		e[i]->value = pv;
	}
	*out = e;
	return MLCC_OK;
}

static int write_block(struct writer *w, const struct block *b, PBlock **out);

static int write_argument(struct writer *w, const struct argument *arg, PArgument **out)
{
	char q[DIAG_QUOTE_MAX];
	PArgument *pa = msg_new(w, MIL(argument));
	int rc;

	if (!pa)
		return nomem(w);
	if (arg->n == 0 || !arg->b)
		return fail(w, MLCC_E_INTERNAL, "input '%s' has no binding",
			    diag_quote(q, arg->param));
	pa->n_arguments = arg->n;
	if (!(pa->arguments = (void *)ptr_array(w, arg->n)))
		return nomem(w);
	for (size_t i = 0; i < arg->n; i++) {
		PBinding *pb = msg_new(w, MIL(argument__binding));
		if (!pb)
			return nomem(w);
		pa->arguments[i] = pb;
		if (arg->b[i].name) {
			pb->binding_case =
				CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_NAME;
			pb->name = (char *)arg->b[i].name;
		} else if (arg->b[i].value) {
			pb->binding_case =
				CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_VALUE;
			if ((rc = write_value(w, arg->b[i].value, &pb->value)))
				return rc;
		} else {
			return fail(w, MLCC_E_INTERNAL, "input '%s' has an empty binding",
				    diag_quote(q, arg->param));
		}
	}
	*out = pa;
	return MLCC_OK;
}

static int write_inputs(struct writer *w, const struct op *op, POp *po)
{
	struct map_entry **e = (void *)ptr_array(w, op->ninputs);
	int rc;

	if (op->ninputs && (!e || !op->inputs))
		return e ? fail(w, MLCC_E_INTERNAL, "missing inputs") : nomem(w);
	for (size_t i = 0; i < op->ninputs; i++) {
		PArgument *pa = NULL;
		if (!(e[i] = entry_new(w, MIL(operation__inputs_entry), op->inputs[i].param)))
			return nomem(w);
		if ((rc = write_argument(w, &op->inputs[i], &pa)))
			return rc;
		e[i]->value = pa;
	}
	po->n_inputs = op->ninputs;
	po->inputs = (void *)e;
	return MLCC_OK;
}

static int write_op(struct writer *w, const struct op *op, POp **out)
{
	POp *po = msg_new(w, MIL(operation));
	struct map_entry **attrs = NULL;
	int rc;

	if (!po)
		return nomem(w);
	if (!op->type)
		return fail(w, MLCC_E_INTERNAL, "operation without a type");
	po->type = (char *)op->type;
	if ((rc = write_inputs(w, op, po)))
		return rc;
	po->n_outputs = op->noutputs;
	if ((rc = write_named_types(w, op->outputs, op->noutputs, &po->outputs)))
		return rc;
	po->n_attributes = op->nattrs;
	if ((rc = write_attrs(w, MIL(operation__attributes_entry), op->attrs, op->nattrs, &attrs)))
		return rc;
	po->attributes = (void *)attrs;
	po->n_blocks = op->nblocks;
	po->blocks = (void *)ptr_array(w, op->nblocks);
	if (op->nblocks && (!po->blocks || !op->blocks))
		return po->blocks ? fail(w, MLCC_E_INTERNAL, "missing blocks") : nomem(w);
	for (size_t i = 0; i < op->nblocks; i++) {
		const struct op *saved = w->op;
		size_t saved_index = w->op_index;
		if ((rc = write_block(w, &op->blocks[i], &po->blocks[i])))
			return rc;
		w->op = saved;
		w->op_index = saved_index;
	}
	*out = po;
	return MLCC_OK;
}

static int write_block(struct writer *w, const struct block *b, PBlock **out)
{
	PBlock *pb = msg_new(w, MIL(block));
	struct map_entry **attrs = NULL;
	int rc;

	if (!pb)
		return nomem(w);
	if (++w->depth > MLCC_MAX_NESTING)
		return fail(w, MLCC_E_UNSUPPORTED, "blocks nested too deeply");
	pb->n_inputs = b->ninputs;
	if ((rc = write_named_types(w, b->inputs, b->ninputs, &pb->inputs)))
		return rc;
	for (size_t i = 0; i < b->noutputs; i++)
		if (!b->outputs[i])
			return fail(w, MLCC_E_INTERNAL, "block output #%zu without a name", i);
	pb->n_outputs = b->noutputs;
	pb->outputs = (char **)b->outputs;
	pb->n_attributes = b->nattrs;
	if ((rc = write_attrs(w, MIL(block__attributes_entry), b->attrs, b->nattrs, &attrs)))
		return rc;
	pb->attributes = (void *)attrs;
	pb->n_operations = b->nops;
	pb->operations = (void *)ptr_array(w, b->nops);
	if (b->nops && (!pb->operations || !b->ops))
		return pb->operations ? fail(w, MLCC_E_INTERNAL, "missing operations") : nomem(w);
	for (size_t i = 0; i < b->nops; i++) {
		w->op = &b->ops[i];
		w->op_index = i;
		if ((rc = write_op(w, &b->ops[i], &pb->operations[i])))
			return rc;
	}
	w->op = NULL;
	w->depth--;
	*out = pb;
	return MLCC_OK;
}

/* One block specialization, keyed by the opset. */
static int write_function(struct writer *w, const struct function *f, PFunction **out)
{
	PFunction *pf = msg_new(w, MIL(function));
	struct map_entry **spec = (void *)ptr_array(w, 1);
	PBlock *body = NULL;
	struct map_entry **attrs = NULL;
	char q[DIAG_QUOTE_MAX];
	int rc;

	w->func = f->name;
	if (!pf || !spec)
		return nomem(w);
	if (!f->opset || !model_opset_ios(f->opset))
		return fail(w, MLCC_E_UNSUPPORTED, "unknown opset '%s'",
			    diag_quote(q, f->opset ? f->opset : ""));
	pf->opset = (char *)f->opset;
	pf->n_inputs = f->ninputs;
	if ((rc = write_named_types(w, f->inputs, f->ninputs, &pf->inputs)))
		return rc;
	pf->n_attributes = f->nattrs;
	if ((rc = write_attrs(w, MIL(function__attributes_entry), f->attrs, f->nattrs, &attrs)))
		return rc;
	pf->attributes = (void *)attrs;
	if ((rc = write_block(w, &f->body, &body)))
		return rc;
	if (!(spec[0] = entry_new(w, MIL(function__block_specializations_entry), f->opset)))
		return nomem(w);
	spec[0]->value = body;
	pf->n_block_specializations = 1;
	pf->block_specializations = (void *)spec;
	w->func = NULL;
	*out = pf;
	return MLCC_OK;
}

static int write_program(struct writer *w, const struct program *p, PProgram **out)
{
	char q[DIAG_QUOTE_MAX];
	PProgram *pp = msg_new(w, MIL(program));
	struct map_entry **e;
	struct map_entry **attrs = NULL;
	int rc;

	if (!pp)
		return nomem(w);
	if (!p || p->nfuncs == 0 || !p->funcs)
		return fail(w, MLCC_E_INTERNAL, "ML program without functions");
	if (!(e = (void *)ptr_array(w, p->nfuncs)))
		return nomem(w);
	pp->version = p->version;
	for (size_t i = 0; i < p->nfuncs; i++) {
		PFunction *pf = NULL;
		if (!p->funcs[i].name)
			return fail(w, MLCC_E_INTERNAL, "function #%zu without a name", i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->funcs[j].name, p->funcs[i].name) == 0)
				return fail(w, MLCC_E_INTERNAL, "function '%s' defined twice",
					    diag_quote(q, p->funcs[i].name));
		if ((rc = write_function(w, &p->funcs[i], &pf)))
			return rc;
		if (!(e[i] = entry_new(w, MIL(program__functions_entry), p->funcs[i].name)))
			return nomem(w);
		e[i]->value = pf;
	}
	pp->n_functions = p->nfuncs;
	pp->functions = (void *)e;
	pp->n_attributes = p->nattrs;
	if ((rc = write_attrs(w, MIL(program__attributes_entry), p->attrs, p->nattrs, &attrs)))
		return rc;
	pp->attributes = (void *)attrs;
	*out = pp;
	return MLCC_OK;
}

/* ---- the model ---------------------------------------------------------- */

static int write_model(struct writer *w, const struct model *m, PModel **out);

static int write_pipeline(struct writer *w, const struct model *m, PPipeline **out)
{
	PPipeline *pl = msg_new(w, SPEC(pipeline));
	int rc;

	if (!pl)
		return nomem(w);
	pl->n_models = m->nchildren;
	pl->models = (void *)ptr_array(w, m->nchildren);
	if (m->nchildren && (!pl->models || !m->children))
		return pl->models ? fail(w, MLCC_E_INTERNAL, "pipeline without models") : nomem(w);
	for (size_t i = 0; i < m->nchildren; i++)
		if ((rc = write_model(w, m->children[i], &pl->models[i])))
			return rc;
	for (size_t i = 0; i < m->nchild_names; i++)
		if (!m->child_names[i])
			return fail(w, MLCC_E_INTERNAL, "pipeline model name #%zu is NULL", i);
	pl->n_names = m->nchild_names;
	pl->names = (char **)m->child_names;
	*out = pl;
	return MLCC_OK;
}

/* The Model oneof member for 'm': mlProgram or one of the pipelines. */
static int write_model_type(struct writer *w, const struct model *m, PModel *pm)
{
	PPipeline *pl = NULL;
	int rc;

	switch (m->kind) {
	case MODEL_ML_PROGRAM:
		pm->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM;
		return write_program(w, m->program, &pm->mlprogram);
	case MODEL_PIPELINE:
		pm->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE;
		return write_pipeline(w, m, &pm->pipeline);
	case MODEL_PIPELINE_CLASSIFIER:
		if (!(pm->pipelineclassifier = msg_new(w, SPEC(pipeline_classifier))))
			return nomem(w);
		pm->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE_CLASSIFIER;
		rc = write_pipeline(w, m, &pl);
		pm->pipelineclassifier->pipeline = pl;
		return rc;
	case MODEL_PIPELINE_REGRESSOR:
		if (!(pm->pipelineregressor = msg_new(w, SPEC(pipeline_regressor))))
			return nomem(w);
		pm->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE_REGRESSOR;
		rc = write_pipeline(w, m, &pl);
		pm->pipelineregressor->pipeline = pl;
		return rc;
	case MODEL_SPEC: {
		/* The stored message as it is: its type member and unknown fields. */
		SpecModel keep = *m->spec;
		keep.specificationversion = pm->specificationversion;
		keep.description = pm->description;
		keep.isupdatable = pm->isupdatable;
		*pm = keep;
		return MLCC_OK;
	}
	default:
		return fail(
			w, MLCC_E_UNSUPPORTED,
			"cannot write this model type (Model field %u); mlcc writes ML programs, pipelines and classic models stored as their specification",
			m->type_field);
	}
}

static int write_model(struct writer *w, const struct model *m, PModel **out)
{
	PModel *pm;
	int rc;

	if (!m)
		return fail(w, MLCC_E_INTERNAL, "empty pipeline model");
	if (++w->depth > MLCC_MAX_NESTING)
		return fail(w, MLCC_E_UNSUPPORTED, "pipelines nested too deeply");
	if ((rc = classifier_restored(w->a, m, &m, w->d)))
		return rc;
	if (!(pm = msg_new(w, SPEC(model))))
		return nomem(w);
	pm->specificationversion = m->spec_version;
	pm->description = m->desc;
	pm->isupdatable = m->is_updatable;
	if ((rc = write_model_type(w, m, pm)))
		return rc;
	w->depth--;
	*out = pm;
	return MLCC_OK;
}

int spec_write(const struct model *m, struct arena *a, uint8_t **bytes, size_t *len,
	       struct mlcc_diag *d)
{
	struct writer w = {a, d, m->origin ? m->origin : "model", NULL, NULL, 0, 0};
	PModel *pm = NULL;
	uint8_t *buf;
	size_t n;
	int rc;

	*bytes = NULL;
	*len = 0;
	if ((rc = write_model(&w, m, &pm)))
		return rc;
	n = core_ml__specification__model__get_packed_size(pm);
	if (n > SPEC_MAX_BYTES)
		return diag_fail(d, MLCC_E_UNSUPPORTED, "%s: specification larger than 2 GiB",
				 w.origin);
	if (!(buf = arena_alloc(a, n ? n : 1)))
		return nomem(&w);
	if (core_ml__specification__model__pack(pm, buf) != n)
		return diag_fail(d, MLCC_E_INTERNAL, "%s: protobuf packing gave an unexpected size",
				 w.origin);
	*bytes = buf;
	*len = n;
	return MLCC_OK;
}
