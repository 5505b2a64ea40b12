/*
** read.c -- protobuf Core ML specification -> in-memory model.
**
** The file is parsed with protobuf-c (our own schema in proto/), with every
** allocation in the model's arena, then the MIL program is converted into
** the structures of model.h.  Nothing from the file is trusted: counts,
** shapes and storage sizes are checked before use, and every error names the
** file, then the function and op it concerns.
*/
#include "spec/spec_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "base/diag.h"
#include "base/lfs.h"
#include "base/os.h"
#include "spec/pbcheck.h"

typedef CoreML__Specification__Model Model;
typedef CoreML__Specification__MILSpec__Program PProgram;
typedef CoreML__Specification__MILSpec__Function PFunction;
typedef CoreML__Specification__MILSpec__Block PBlock;
typedef CoreML__Specification__MILSpec__Operation POp;
typedef CoreML__Specification__MILSpec__Argument PArgument;
typedef CoreML__Specification__MILSpec__NamedValueType PNamedValueType;
typedef CoreML__Specification__MILSpec__ValueType PValueType;
typedef CoreML__Specification__MILSpec__TensorType PTensorType;
typedef CoreML__Specification__MILSpec__Dimension PDimension;
typedef CoreML__Specification__MILSpec__Value PValue;
typedef CoreML__Specification__MILSpec__TensorValue PTensorValue;

/* Where we are, for messages: "<file>: function 'f': op 'name': ...". */
struct reader {
	struct arena *a;
	struct mlcc_diag *d;
	const char *origin;
	const char *func; /* current function or NULL */
	const POp *op;	  /* current op or NULL */
	size_t op_index;
	unsigned depth; /* nesting of blocks and values */
};

static void *pb_alloc(void *data, size_t size)
{
	struct spec_pb_alloc *pa = data;
	void *p = arena_alloc_raw(pa->a, size);

	if (!p)
		pa->failed = true;
	return p;
}

static void pb_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

void spec_arena_allocator(struct arena *a, struct spec_pb_alloc *out)
{
	out->pb.alloc = pb_alloc;
	out->pb.free = pb_free;
	out->pb.allocator_data = out;
	out->a = a;
	out->failed = false;
}

/* The op's 'name' attribute, when it is a plain string. */
static const char *op_name(const POp *op)
{
	for (size_t i = 0; i < op->n_attributes; i++) {
		const PValue *v = op->attributes[i]->value;
		if (strcmp(op->attributes[i]->key, "name") != 0 || !v ||
		    v->value_case !=
			    CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE ||
		    !v->immediatevalue ||
		    v->immediatevalue->value_case !=
			    CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR ||
		    !v->immediatevalue->tensor ||
		    v->immediatevalue->tensor->value_case !=
			    CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_STRINGS ||
		    !v->immediatevalue->tensor->strings ||
		    v->immediatevalue->tensor->strings->n_values != 1)
			continue;
		return v->immediatevalue->tensor->strings->values[0];
	}
	return NULL;
}

/* Fail with the reader's location prefixed to the message. */
static int fail(struct reader *r, int status, const char *fmt, ...) MLCC_PRINTF(3, 4);

static int fail(struct reader *r, int status, const char *fmt, ...)
{
	char label[MODEL_LABEL_MAX];
	const char *name = NULL;
	va_list ap;
	int rc;

	if (r->func && r->op) {
		name = op_name(r->op);
		if (!name && r->op->n_outputs && r->op->outputs[0])
			name = r->op->outputs[0]->name;
		model_label(label, name, r->op->type, r->op_index);
	}
	va_start(ap, fmt);
	rc = model_vfail(r->d, status, r->origin, 0, 0, r->func, r->func && r->op ? label : NULL,
			 fmt, ap);
	va_end(ap);
	return rc;
}

static int nomem(struct reader *r)
{
	return diag_fail(r->d, MLCC_E_NOMEM, "%s: out of memory", r->origin);
}

/* ---- types -------------------------------------------------------------- */

static int read_type(struct reader *r, const PValueType *pt, struct mtype **out);

static int read_dim(struct reader *r, const PDimension *pd, int64_t *out)
{
	if (pd &&
	    pd->dimension_case == CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_CONSTANT &&
	    pd->constant) {
		if (pd->constant->size > (uint64_t)INT64_MAX)
			return fail(r, MLCC_E_CORRUPT, "dimension %llu too large",
				    (unsigned long long)pd->constant->size);
		*out = (int64_t)pd->constant->size;
		return 0;
	}
	*out = DIM_UNKNOWN;
	return 0;
}

static int read_tensor_type(struct reader *r, const PTensorType *tt, struct mtype *t)
{
	t->kind = TY_TENSOR;
	t->dtype = dtype_from_proto(tt->datatype);
	if (t->dtype == DT_INVALID)
		return fail(r, MLCC_E_CORRUPT, "unknown tensor data type %d", (int)tt->datatype);
	if (tt->rank < -1)
		return fail(r, MLCC_E_CORRUPT, "invalid tensor rank %lld", (long long)tt->rank);
	t->rank = tt->rank < 0 ? -1 : (int64_t)tt->n_dimensions;
	t->ndims = tt->n_dimensions;
	t->dims = arena_array(r->a, t->ndims, sizeof *t->dims);
	if (t->ndims && !t->dims)
		return nomem(r);
	for (size_t i = 0; i < t->ndims; i++)
		if (read_dim(r, tt->dimensions[i], &t->dims[i]))
			return r->d->status;
	return 0;
}

static int read_type(struct reader *r, const PValueType *pt, struct mtype **out)
{
	struct mtype *t;
	int rc = 0;

	if (!pt)
		return fail(r, MLCC_E_CORRUPT, "value without a type");
	if (++r->depth > MLCC_MAX_NESTING)
		return fail(r, MLCC_E_CORRUPT, "types nested too deeply");
	t = arena_alloc(r->a, sizeof *t);
	if (!t)
		return nomem(r);
	switch (pt->type_case) {
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_TENSOR_TYPE:
		if (!pt->tensortype)
			return fail(r, MLCC_E_CORRUPT, "empty tensor type");
		rc = read_tensor_type(r, pt->tensortype, t);
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_LIST_TYPE:
		t->kind = TY_LIST;
		if (!pt->listtype)
			return fail(r, MLCC_E_CORRUPT, "empty list type");
		rc = read_type(r, pt->listtype->type, &t->elem);
		if (!rc)
			rc = read_dim(r, pt->listtype->length, &t->length);
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_TUPLE_TYPE:
		t->kind = TY_TUPLE;
		if (!pt->tupletype)
			return fail(r, MLCC_E_CORRUPT, "empty tuple type");
		t->nelems = pt->tupletype->n_types;
		t->elems = arena_array(r->a, t->nelems, sizeof *t->elems);
		if (t->nelems && !t->elems)
			return nomem(r);
		for (size_t i = 0; i < t->nelems && !rc; i++)
			rc = read_type(r, pt->tupletype->types[i], &t->elems[i]);
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_DICTIONARY_TYPE:
		t->kind = TY_DICT;
		if (!pt->dictionarytype)
			return fail(r, MLCC_E_CORRUPT, "empty dictionary type");
		rc = read_type(r, pt->dictionarytype->keytype, &t->elem);
		if (!rc)
			rc = read_type(r, pt->dictionarytype->valuetype, &t->value);
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_STATE_TYPE:
		t->kind = TY_STATE;
		if (!pt->statetype)
			return fail(r, MLCC_E_CORRUPT, "empty state type");
		rc = read_type(r, pt->statetype->wrappedtype, &t->elem);
		break;
	default: return fail(r, MLCC_E_CORRUPT, "value type not set");
	}
	r->depth--;
	*out = t;
	return rc;
}

/* ---- immediate tensors -------------------------------------------------- */

/* Unpack sub-byte elements ('bits' each, LSB-first) into one byte each. */
static void unpack_bits(uint8_t *dst, const uint8_t *src, size_t count, unsigned bits,
			bool is_signed)
{
	for (size_t i = 0; i < count; i++) {
		size_t bit = i * bits;
		unsigned v = src[bit / 8] >> (bit % 8);
		if (bit % 8 + bits > 8)
			v |= (unsigned)src[bit / 8 + 1] << (8 - bit % 8);
		v &= (1u << bits) - 1;
		if (is_signed && (v >> (bits - 1)))
			v |= ~0u << bits; /* sign-extend into the byte */
		dst[i] = (uint8_t)v;
	}
}

/* Integer storage (ints / longInts) into the natural width of 'dt'. */
static int store_ints(struct reader *r, struct mvalue *v, enum dtype dt, const int32_t *i32,
		      const int64_t *i64, size_t n)
{
	size_t w = dtype_mem_size(dt);
	unsigned char *p = arena_array(r->a, n, w);

	if (n && !p)
		return nomem(r);
	for (size_t i = 0; i < n; i++) {
		int64_t x = i32 ? i32[i] : i64[i];
		/* Little-endian hosts only (checked at build time). */
		memcpy(p + i * w, &x, w);
	}
	v->data = p;
	return 0;
}

static int read_tensor_value(struct reader *r, const PTensorValue *tv, struct mvalue *v)
{
	enum dtype dt = v->type->dtype;
	const struct dtype_info *di = dtype_info(dt);
	int64_t want = model_tensor_count(v->type);
	size_t n = 0;

	if (v->type->kind != TY_TENSOR)
		return fail(r, MLCC_E_CORRUPT, "tensor value with a non-tensor type");
	if (want == -2)
		return fail(r, MLCC_E_CORRUPT, "tensor shape overflows");
	switch (tv->value_case) {
	case CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_FLOATS:
		if (dt != DT_FP32 || !tv->floats)
			goto mismatch;
		n = tv->floats->n_values;
		v->data = tv->floats->values; /* same bits, shared */
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_DOUBLES:
		if (dt != DT_FP64 || !tv->doubles)
			goto mismatch;
		n = tv->doubles->n_values;
		v->data = tv->doubles->values;
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_INTS:
		if (di->is_float || dt == DT_STRING || di->bits > 32 || !tv->ints)
			goto mismatch;
		n = tv->ints->n_values;
		if (store_ints(r, v, dt, tv->ints->values, NULL, n))
			return r->d->status;
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_LONG_INTS:
		if (di->is_float || dt == DT_STRING || !tv->longints)
			goto mismatch;
		n = tv->longints->n_values;
		if (store_ints(r, v, dt, NULL, tv->longints->values, n))
			return r->d->status;
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BOOLS:
		if (dt != DT_BOOL || !tv->bools)
			goto mismatch;
		n = tv->bools->n_values;
		{
			uint8_t *p = arena_alloc(r->a, n ? n : 1);
			if (!p)
				return nomem(r);
			for (size_t i = 0; i < n; i++)
				p[i] = tv->bools->values[i] != 0;
			v->data = p;
		}
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_STRINGS:
		if (dt != DT_STRING || !tv->strings)
			goto mismatch;
		n = tv->strings->n_values;
		v->data = tv->strings->values;
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BYTES: {
		const ProtobufCBinaryData *b;
		if (dt == DT_STRING || !tv->bytes)
			goto mismatch;
		b = &tv->bytes->values;
		if (di->bits < 8) {
			if (want < 0)
				return fail(r, MLCC_E_CORRUPT,
					    "packed %s value without a known shape", di->mil);
			n = (size_t)want;
			if (dtype_packed_bytes(dt, n) != b->len)
				return fail(r, MLCC_E_CORRUPT,
					    "%s value of %zu elements stored in %zu bytes", di->mil,
					    n, b->len);
			uint8_t *p = arena_alloc(r->a, n ? n : 1);
			if (!p)
				return nomem(r);
			unpack_bits(p, b->data, n, di->bits, di->is_signed);
			v->data = p;
		} else {
			size_t w = di->bits / 8;
			if (b->len % w)
				return fail(r, MLCC_E_CORRUPT, "%s value stored in %zu bytes",
					    di->mil, b->len);
			n = b->len / w;
			v->data = b->data;
		}
		break;
	}
	default: goto mismatch;
	}
	if (want >= 0 && (uint64_t)want != n)
		return fail(r, MLCC_E_CORRUPT,
			    "%s tensor value has %zu elements, its shape needs %lld", di->mil, n,
			    (long long)want);
	v->count = n;
	return 0;
mismatch:
	return fail(r, MLCC_E_CORRUPT, "%s tensor value in the wrong storage (case %d)", di->mil,
		    (int)tv->value_case);
}

/* ---- values ------------------------------------------------------------- */

static int read_value(struct reader *r, const PValue *pv, struct mvalue **out);

static int read_items(struct reader *r, PValue **pvs, size_t n, struct mvalue ***out)
{
	struct mvalue **items = arena_array(r->a, n, sizeof *items);

	if (n && !items)
		return nomem(r);
	for (size_t i = 0; i < n; i++)
		if (read_value(r, pvs[i], &items[i]))
			return r->d->status;
	*out = items;
	return 0;
}

static int read_immediate(struct reader *r,
			  const CoreML__Specification__MILSpec__Value__ImmediateValue *iv,
			  struct mvalue *v)
{
	switch (iv->value_case) {
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR:
		v->kind = VAL_TENSOR;
		if (!iv->tensor)
			return fail(r, MLCC_E_CORRUPT, "empty tensor value");
		return read_tensor_value(r, iv->tensor, v);
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TUPLE:
		v->kind = VAL_TUPLE;
		if (!iv->tuple)
			return fail(r, MLCC_E_CORRUPT, "empty tuple value");
		v->count = iv->tuple->n_values;
		return read_items(r, iv->tuple->values, v->count, &v->items);
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_LIST:
		v->kind = VAL_LIST;
		if (!iv->list)
			return fail(r, MLCC_E_CORRUPT, "empty list value");
		v->count = iv->list->n_values;
		return read_items(r, iv->list->values, v->count, &v->items);
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_DICTIONARY: {
		const CoreML__Specification__MILSpec__DictionaryValue *dv = iv->dictionary;
		v->kind = VAL_DICT;
		if (!dv)
			return fail(r, MLCC_E_CORRUPT, "empty dictionary value");
		v->count = dv->n_values;
		v->items = arena_array(r->a, v->count, sizeof *v->items);
		v->values = arena_array(r->a, v->count, sizeof *v->values);
		if (v->count && (!v->items || !v->values))
			return nomem(r);
		for (size_t i = 0; i < v->count; i++) {
			if (!dv->values[i])
				return fail(r, MLCC_E_CORRUPT, "empty dictionary entry");
			if (read_value(r, dv->values[i]->key, &v->items[i]) ||
			    read_value(r, dv->values[i]->value, &v->values[i]))
				return r->d->status;
		}
		return 0;
	}
	default: return fail(r, MLCC_E_CORRUPT, "immediate value not set");
	}
}

static int read_value(struct reader *r, const PValue *pv, struct mvalue **out)
{
	struct mvalue *v;
	int rc;

	if (!pv)
		return fail(r, MLCC_E_CORRUPT, "missing value");
	if (++r->depth > MLCC_MAX_NESTING)
		return fail(r, MLCC_E_CORRUPT, "values nested too deeply");
	v = arena_alloc(r->a, sizeof *v);
	if (!v)
		return nomem(r);
	if (read_type(r, pv->type, &v->type))
		return r->d->status;
	switch (pv->value_case) {
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE:
		if (!pv->immediatevalue)
			return fail(r, MLCC_E_CORRUPT, "empty immediate value");
		rc = read_immediate(r, pv->immediatevalue, v);
		break;
	case CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_BLOB_FILE_VALUE:
		v->kind = VAL_BLOB;
		if (!pv->blobfilevalue)
			return fail(r, MLCC_E_CORRUPT, "empty blob file value");
		if (v->type->kind != TY_TENSOR)
			return fail(r, MLCC_E_CORRUPT, "blob file value of a non-tensor type");
		v->blob_file = pv->blobfilevalue->filename;
		v->blob_offset = pv->blobfilevalue->offset;
		rc = 0;
		break;
	default: return fail(r, MLCC_E_CORRUPT, "value has neither data nor a blob file");
	}
	r->depth--;
	*out = v;
	return rc;
}

/* ---- operations, blocks, functions -------------------------------------- */

static int read_named_types(struct reader *r, PNamedValueType **pn, size_t n,
			    struct named_type **out)
{
	struct named_type *nt = arena_array(r->a, n, sizeof *nt);

	if (n && !nt)
		return nomem(r);
	for (size_t i = 0; i < n; i++) {
		if (!pn[i])
			return fail(r, MLCC_E_CORRUPT, "empty named value");
		nt[i].name = pn[i]->name;
		if (read_type(r, pn[i]->type, &nt[i].type))
			return r->d->status;
	}
	*out = nt;
	return 0;
}

/* The entries of any protobuf map<string, Value>: they share a layout. */
struct attr_entry {
	ProtobufCMessage base;
	char *key;
	PValue *value;
};

static int read_attrs(struct reader *r, void *entries, size_t n, struct attribute **out)
{
	struct attr_entry **e = entries;
	struct attribute *at = arena_array(r->a, n, sizeof *at);

	if (n && !at)
		return nomem(r);
	for (size_t i = 0; i < n; i++) {
		if (!e[i])
			return fail(r, MLCC_E_CORRUPT, "empty attribute entry");
		at[i].key = e[i]->key;
		if (read_value(r, e[i]->value, &at[i].value))
			return r->d->status;
	}
	*out = at;
	return 0;
}

static int read_block(struct reader *r, const PBlock *pb, struct block *b);

static int read_argument(struct reader *r, const char *param, const PArgument *pa,
			 struct argument *arg)
{
	char q[DIAG_QUOTE_MAX];
	arg->param = param;
	if (!pa || pa->n_arguments == 0)
		return fail(r, MLCC_E_CORRUPT, "input '%s' has no binding", diag_quote(q, param));
	arg->n = pa->n_arguments;
	arg->b = arena_array(r->a, arg->n, sizeof *arg->b);
	if (!arg->b)
		return nomem(r);
	for (size_t i = 0; i < arg->n; i++) {
		const CoreML__Specification__MILSpec__Argument__Binding *pb = pa->arguments[i];
		if (pb &&
		    pb->binding_case ==
			    CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_NAME) {
			arg->b[i].name = pb->name;
		} else if (
			pb &&
			pb->binding_case ==
				CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_VALUE) {
			if (read_value(r, pb->value, &arg->b[i].value))
				return r->d->status;
		} else {
			return fail(r, MLCC_E_CORRUPT, "input '%s' has an empty binding",
				    diag_quote(q, param));
		}
	}
	return 0;
}

static int read_op(struct reader *r, const POp *po, struct op *op)
{
	op->type = po->type;
	op->ninputs = po->n_inputs;
	op->inputs = arena_array(r->a, op->ninputs, sizeof *op->inputs);
	if (op->ninputs && !op->inputs)
		return nomem(r);
	for (size_t i = 0; i < op->ninputs; i++) {
		if (!po->inputs[i])
			return fail(r, MLCC_E_CORRUPT, "empty input entry");
		if (read_argument(r, po->inputs[i]->key, po->inputs[i]->value, &op->inputs[i]))
			return r->d->status;
	}
	op->noutputs = po->n_outputs;
	if (read_named_types(r, po->outputs, po->n_outputs, &op->outputs))
		return r->d->status;
	op->nattrs = po->n_attributes;
	if (read_attrs(r, po->attributes, po->n_attributes, &op->attrs))
		return r->d->status;
	op->nblocks = po->n_blocks;
	op->blocks = arena_array(r->a, op->nblocks, sizeof *op->blocks);
	if (op->nblocks && !op->blocks)
		return nomem(r);
	for (size_t i = 0; i < op->nblocks; i++) {
		const POp *saved = r->op;
		size_t saved_index = r->op_index;
		if (read_block(r, po->blocks[i], &op->blocks[i]))
			return r->d->status;
		r->op = saved;
		r->op_index = saved_index;
	}
	return 0;
}

static int read_block(struct reader *r, const PBlock *pb, struct block *b)
{
	if (!pb)
		return fail(r, MLCC_E_CORRUPT, "missing block");
	if (++r->depth > MLCC_MAX_NESTING)
		return fail(r, MLCC_E_CORRUPT, "blocks nested too deeply");
	b->ninputs = pb->n_inputs;
	if (read_named_types(r, pb->inputs, pb->n_inputs, &b->inputs))
		return r->d->status;
	b->noutputs = pb->n_outputs;
	b->outputs = (const char **)pb->outputs;
	b->nattrs = pb->n_attributes;
	if (read_attrs(r, pb->attributes, pb->n_attributes, &b->attrs))
		return r->d->status;
	b->nops = pb->n_operations;
	b->ops = arena_array(r->a, b->nops, sizeof *b->ops);
	if (b->nops && !b->ops)
		return nomem(r);
	for (size_t i = 0; i < b->nops; i++) {
		if (!pb->operations[i])
			return fail(r, MLCC_E_CORRUPT, "empty operation #%zu", i);
		r->op = pb->operations[i];
		r->op_index = i;
		if (read_op(r, pb->operations[i], &b->ops[i]))
			return r->d->status;
	}
	r->op = NULL;
	r->depth--;
	return 0;
}

static int read_function(struct reader *r, const char *name, const PFunction *pf,
			 struct function *f)
{
	char q[DIAG_QUOTE_MAX];
	const PBlock *body = NULL;

	f->name = name;
	r->func = name;
	if (!pf)
		return fail(r, MLCC_E_CORRUPT, "empty function");
	f->opset = pf->opset;
	f->ios = model_opset_ios(pf->opset);
	if (!f->ios)
		return fail(r, MLCC_E_UNSUPPORTED, "unknown opset '%s'", diag_quote(q, pf->opset));
	for (size_t i = 0; i < pf->n_block_specializations; i++) {
		const CoreML__Specification__MILSpec__Function__BlockSpecializationsEntry *e =
			pf->block_specializations[i];
		if (e && strcmp(e->key, pf->opset) == 0)
			body = e->value;
	}
	if (!body)
		return fail(r, MLCC_E_CORRUPT, "no block specialization for opset '%s'",
			    diag_quote(q, pf->opset));
	f->ninputs = pf->n_inputs;
	if (read_named_types(r, pf->inputs, pf->n_inputs, &f->inputs))
		return r->d->status;
	f->nattrs = pf->n_attributes;
	if (read_attrs(r, pf->attributes, pf->n_attributes, &f->attrs))
		return r->d->status;
	if (read_block(r, body, &f->body))
		return r->d->status;
	r->func = NULL;
	return 0;
}

static int read_program(struct reader *r, const PProgram *pp, struct program **out)
{
	struct program *p = arena_alloc(r->a, sizeof *p);

	if (!p)
		return nomem(r);
	p->version = pp->version;
	p->nfuncs = pp->n_functions;
	if (p->nfuncs == 0)
		return fail(r, MLCC_E_CORRUPT, "ML program without functions");
	p->funcs = arena_array(r->a, p->nfuncs, sizeof *p->funcs);
	if (!p->funcs)
		return nomem(r);
	for (size_t i = 0; i < p->nfuncs; i++) {
		const CoreML__Specification__MILSpec__Program__FunctionsEntry *e = pp->functions[i];
		if (!e)
			return fail(r, MLCC_E_CORRUPT, "empty function entry");
		if (read_function(r, e->key, e->value, &p->funcs[i]))
			return r->d->status;
	}
	p->nattrs = pp->n_attributes;
	if (read_attrs(r, pp->attributes, pp->n_attributes, &p->attrs))
		return r->d->status;
	*out = p;
	return 0;
}

/* ---- the model ---------------------------------------------------------- */

static int read_model(struct reader *r, const Model *pm, struct model **out);

static int read_pipeline(struct reader *r, const CoreML__Specification__Pipeline *pl,
			 struct model *m)
{
	if (!pl)
		return fail(r, MLCC_E_CORRUPT, "empty pipeline");
	m->nchildren = pl->n_models;
	m->children = arena_array(r->a, m->nchildren, sizeof *m->children);
	if (m->nchildren && !m->children)
		return nomem(r);
	for (size_t i = 0; i < m->nchildren; i++)
		if (read_model(r, pl->models[i], &m->children[i]))
			return r->d->status;
	m->nchild_names = pl->n_names;
	m->child_names = (const char **)pl->names;
	return 0;
}

/* Field number of the Model oneof member found among the unknown fields
** (a model type mlcc does not declare), or 0. */
static unsigned unknown_type_field(const Model *pm)
{
	for (size_t i = 0; i < pm->base.n_unknown_fields; i++) {
		unsigned tag = pm->base.unknown_fields[i].tag;
		if (tag >= 200 && tag != 502)
			return tag;
	}
	return 0;
}

static int read_model(struct reader *r, const Model *pm, struct model **out)
{
	struct model *m = arena_alloc(r->a, sizeof *m);

	if (!m)
		return nomem(r);
	if (!pm)
		return fail(r, MLCC_E_CORRUPT, "empty pipeline model");
	if (++r->depth > MLCC_MAX_NESTING)
		return fail(r, MLCC_E_CORRUPT, "pipelines nested too deeply");
	m->arena = r->a;
	m->origin = r->origin;
	m->spec_version = pm->specificationversion;
	m->is_updatable = pm->isupdatable;
	m->desc = pm->description;
	if (!m->desc) {
		m->desc = arena_alloc(r->a, sizeof *m->desc);
		if (!m->desc)
			return nomem(r);
		core_ml__specification__model_description__init(m->desc);
	}
	m->type_field = (unsigned)pm->type_case;
	switch (pm->type_case) {
	case CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM:
		m->kind = MODEL_ML_PROGRAM;
		if (!pm->mlprogram)
			return fail(r, MLCC_E_CORRUPT, "empty ML program");
		if (read_program(r, pm->mlprogram, &m->program))
			return r->d->status;
		break;
	case CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE:
		m->kind = MODEL_PIPELINE;
		if (read_pipeline(r, pm->pipeline, m))
			return r->d->status;
		break;
	case CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE_CLASSIFIER:
		m->kind = MODEL_PIPELINE_CLASSIFIER;
		if (!pm->pipelineclassifier ||
		    read_pipeline(r, pm->pipelineclassifier->pipeline, m))
			return fail(r, MLCC_E_CORRUPT, "empty pipeline classifier");
		break;
	case CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE_REGRESSOR:
		m->kind = MODEL_PIPELINE_REGRESSOR;
		if (!pm->pipelineregressor || read_pipeline(r, pm->pipelineregressor->pipeline, m))
			return fail(r, MLCC_E_CORRUPT, "empty pipeline regressor");
		break;
	default:
		m->kind = MODEL_OTHER;
		if (!m->type_field)
			m->type_field = unknown_type_field(pm);
		break;
	}
	if (m->kind == MODEL_OTHER && model_compiles_as_spec(m->type_field)) {
		m->kind = MODEL_SPEC;
		m->spec = (Model *)pm;
	}
	r->depth--;
	*out = m;
	return 0;
}

/* Memory stays a small multiple of the file: refuse a specification whose
** decoding would allocate more than SPEC_DECODE_FACTOR times its size
** (plus SPEC_DECODE_SLACK), measured on the wire before protobuf-c
** allocates anything (pb_decoded_bytes).  Real models stay near 9-12x
** (the corpus peaks at 11.3x); 2M empty operations in 4 MB are 52x. */
static int check_decode_cost(const char *origin, const uint8_t *buf, size_t len,
			     struct mlcc_diag *d)
{
	uint64_t cost = pb_decoded_bytes(&core_ml__specification__model__descriptor, buf, len);

	if (cost / SPEC_DECODE_FACTOR <= len ||
	    cost - (uint64_t)len * SPEC_DECODE_FACTOR <= SPEC_DECODE_SLACK)
		return MLCC_OK;
	return diag_fail(d, MLCC_E_CORRUPT,
			 "%s: not a plausible Core ML model: decoding its %zu bytes would allocate "
			 "about %llu MiB, more than %d times its size (millions of empty "
			 "messages?)",
			 origin, len, (unsigned long long)(cost >> 20), SPEC_DECODE_FACTOR);
}

int spec_read_bytes(struct arena *a, const char *origin, const uint8_t *buf, size_t len,
		    struct model **out, struct mlcc_diag *d)
{
	struct reader r = {a, d, origin, NULL, NULL, 0, 0};
	struct spec_pb_alloc alloc;
	struct pb_problem pr;
	Model *pm;
	char where[256];
	int rc;

	if (len == 0)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: empty file, not a Core ML model", origin);
	if (lfs_pointer(buf, len))
		return diag_fail(d, MLCC_E_CORRUPT, "%s " LFS_ADVICE, origin);
	pr = pb_check(&core_ml__specification__model__descriptor, buf, len, MLCC_MAX_PB_NESTING);
	if (pr.kind == PB_TOO_DEEP)
		return diag_fail(d, MLCC_E_CORRUPT, "%s: messages nested more than %d levels deep",
				 origin, MLCC_MAX_PB_NESTING);
	if (pr.kind == PB_BAD_LENGTH)
		return diag_fail(
			d, MLCC_E_CORRUPT,
			"%s: not a Core ML model: field %llu at byte %zu declares %llu bytes, %zu remain (truncated or corrupt file)",
			origin, (unsigned long long)pr.field, pr.offset,
			(unsigned long long)pr.declared, pr.available);
	rc = check_decode_cost(origin, buf, len, d);
	if (rc)
		return rc;
	spec_arena_allocator(a, &alloc);
	pm = core_ml__specification__model__unpack(&alloc.pb, len, buf);
	if (!pm && alloc.failed)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", origin);
	if (!pm)
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: not a Core ML model (protobuf decoding failed)", origin);
	if (!pb_utf8_valid(&pm->base, where, sizeof where))
		return diag_fail(d, MLCC_E_CORRUPT,
				 "%s: field '%s' is not valid UTF-8 (Core ML strings must be)",
				 origin, where);
	/* The model outlives the caller's buffers: it owns its origin. */
	if (!(r.origin = arena_strdup(a, origin)))
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", origin);
	return read_model(&r, pm, out);
}

int spec_read_file(struct arena *a, const char *path, struct model **out, uint8_t sha256[32],
		   struct mlcc_diag *d)
{
	return spec_read_file_in(a, NULL, path, out, sha256, d);
}

int spec_read_file_in(struct arena *a, const char *root_real, const char *path, struct model **out,
		      uint8_t sha256[32], struct mlcc_diag *d)
{
	struct sha256_ctx ctx;
	uint8_t *buf;
	size_t len;
	int rc = os_read_file_in(root_real, path, SPEC_MAX_BYTES, &buf, &len, d);

	if (rc)
		return rc;
	sha256_init(&ctx);
	sha256_update(&ctx, len, buf);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, sha256);
	rc = spec_read_bytes(a, path, buf, len, out, d);
	free(buf);
	return rc;
}
