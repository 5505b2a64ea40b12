/*
** precision.c -- computePrecision and storagePrecision.
**
** computePrecision (docs/spec/mlmodelc.md §5.6, refined on the corpus: 51/51
** function histograms of compilers >= 3402 whose model.mil is complete):
** over the non-const ops of the function's body, the element types of
** every output and of every input binding (literals by their own type,
** variables by their declared type), minus bool and string, except:
**  - a `cast` of a function input does not count its input (an I/O
**    conversion: clips-multifunction's 'select' casts its fp32 input to
**    fp16 and Apple prints "Mixed (Float16, Int32)", while Argmax's
**    reduce_argmax of an fp16 input does count Float16);
**  - constexpr ops count by their outputs only: their inputs are stored
**    weights (redact's uint4 LUT indices and int4 blockwise data do not
**    appear in its computePrecision).
** Types are taken through containers: list elements, tuple members, dict
** keys and values, a state's wrapped tensor.
**
** storagePrecision (§5.6; rule fitted on the corpus, see docs/spec/mlmodelc.md §5.6):
**  - a `const` whose value is a blob: the blob's element type;
**  - a blob bound directly as an op input (iOS18 constexpr input form):
**    its element type (corpus redact: uint4 indices -> "UInt4", int4 data
**    -> "Int4");
**  - per constexpr op that has a blob among its values: lut_to_dense ->
**    "Palettized (N bits)" with 2^N palette entries; affine_dequantize ->
**    the quantized data type; sparse_to_dense -> "Sparse";
**    lut_to_sparse -> both labels, sparse_blockwise_shift_scale -> "Sparse"
**    and cast -> the source type (LOW: never observed).
** iOS16 constexpr parameters are attributes and count only through the
** op's label.
*/
#include "bundle/metadata/precision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"

static void add_type(struct precision_set *s, const struct mtype *t)
{
	if (!t)
		return;
	switch (t->kind) {
	case TY_TENSOR:
		if (t->dtype != DT_BOOL && t->dtype != DT_STRING && t->dtype != DT_INVALID)
			s->dtypes |= 1u << t->dtype;
		return;
	case TY_LIST:
	case TY_STATE: add_type(s, t->elem); return;
	case TY_DICT:
		add_type(s, t->elem);
		add_type(s, t->value);
		return;
	case TY_TUPLE:
		for (size_t i = 0; i < t->nelems; i++)
			add_type(s, t->elems[i]);
		return;
	}
}

/* Map every variable visible in 'f' (inputs, op outputs) to its type. */
static int build_symbols(const struct function *f, struct strmap *sym)
{
	for (size_t i = 0; i < f->ninputs; i++)
		if (strmap_put(sym, f->inputs[i].name, f->inputs[i].type))
			return MLCC_E_NOMEM;
	for (size_t i = 0; i < f->body.nops; i++) {
		const struct op *op = &f->body.ops[i];
		for (size_t k = 0; k < op->noutputs; k++)
			if (strmap_put(sym, op->outputs[k].name, op->outputs[k].type))
				return MLCC_E_NOMEM;
	}
	return MLCC_OK;
}

static bool is_function_input(const struct function *f, const char *name)
{
	for (size_t i = 0; i < f->ninputs; i++)
		if (strcmp(f->inputs[i].name, name) == 0)
			return true;
	return false;
}

static void add_op_types(struct precision_set *s, const struct op *op, const struct function *f,
			 const struct strmap *sym)
{
	bool is_cast = strcmp(op->type, "cast") == 0;

	for (size_t k = 0; k < op->ninputs; k++) {
		if (strncmp(op->type, "constexpr_", 10) == 0)
			break;
		for (size_t j = 0; j < op->inputs[k].n; j++) {
			const struct binding *b = &op->inputs[k].b[j];
			if (b->name && is_cast && is_function_input(f, b->name))
				continue;
			add_type(s, b->name ? strmap_get(sym, b->name) : b->value->type);
		}
	}
	for (size_t k = 0; k < op->noutputs; k++)
		add_type(s, op->outputs[k].type);
}

int precision_compute(const struct function *f, const struct op *extra, struct precision_set *s)
{
	struct strmap sym;

	strmap_init(&sym);
	if (build_symbols(f, &sym)) {
		strmap_free(&sym);
		return MLCC_E_NOMEM;
	}
	for (size_t i = 0; i < f->body.nops; i++)
		if (strcmp(f->body.ops[i].type, "const") != 0)
			add_op_types(s, &f->body.ops[i], f, &sym);
	if (extra)
		add_op_types(s, extra, f, &sym);
	strmap_free(&sym);
	return MLCC_OK;
}

/* The value of op parameter 'name': an attribute (iOS16 form) or a literal
** input binding (iOS18 form); a variable binding is resolved to its type
** only, through 'type'. */
static const struct mvalue *param(const struct op *op, const char *name, const struct strmap *sym,
				  const struct mtype **type)
{
	const struct mvalue *v = model_attr(op->attrs, op->nattrs, name);

	*type = v ? v->type : NULL;
	if (v)
		return v;
	for (size_t i = 0; i < op->ninputs; i++) {
		const struct binding *b = &op->inputs[i].b[0];
		if (strcmp(op->inputs[i].param, name) != 0)
			continue;
		*type = b->value ? b->value->type : strmap_get(sym, b->name);
		return b->value;
	}
	return NULL;
}

static bool has_blob(const struct op *op)
{
	for (size_t i = 0; i < op->nattrs; i++)
		if (op->attrs[i].value->kind == VAL_BLOB)
			return true;
	for (size_t i = 0; i < op->ninputs; i++)
		for (size_t j = 0; j < op->inputs[i].n; j++)
			if (op->inputs[i].b[j].value && op->inputs[i].b[j].value->kind == VAL_BLOB)
				return true;
	return false;
}

/* "Palettized (N bits)": N = log2 of the palette size, the lut's only
** dimension (iOS16) or its second-to-last one (iOS18, [..., N, vector]). */
static void add_palettized(struct precision_set *s, const struct mtype *lut)
{
	int64_t entries;

	if (!lut || lut->kind != TY_TENSOR || lut->ndims == 0)
		return;
	entries = lut->ndims == 1 ? lut->dims[0] : lut->dims[lut->ndims - 2];
	for (unsigned n = 1; n <= 8; n++)
		if (entries == (int64_t)1 << n)
			s->palettized |= (uint16_t)(1u << n);
}

static void add_constexpr_label(struct precision_set *s, const struct op *op,
				const struct strmap *sym)
{
	const struct mtype *t;

	if (strcmp(op->type, "constexpr_lut_to_dense") == 0) {
		param(op, "lut", sym, &t);
		add_palettized(s, t);
	} else if (strcmp(op->type, "constexpr_lut_to_sparse") == 0) {
		param(op, "lut", sym, &t);
		add_palettized(s, t);
		s->sparse = true;
	} else if (strcmp(op->type, "constexpr_affine_dequantize") == 0) {
		param(op, "quantized_data", sym, &t);
		add_type(s, t);
	} else if (strcmp(op->type, "constexpr_sparse_to_dense") == 0 ||
		   strcmp(op->type, "constexpr_sparse_blockwise_shift_scale") == 0) {
		s->sparse = true;
	} else if (strcmp(op->type, "constexpr_cast") == 0) {
		param(op, "source_val", sym, &t);
		add_type(s, t);
	}
}

static int storage_of(const struct function *f, struct precision_set *s)
{
	struct strmap sym;

	strmap_init(&sym);
	if (build_symbols(f, &sym)) {
		strmap_free(&sym);
		return MLCC_E_NOMEM;
	}
	for (size_t i = 0; i < f->body.nops; i++) {
		const struct op *op = &f->body.ops[i];
		if (strcmp(op->type, "const") == 0) {
			const struct mvalue *v = model_attr(op->attrs, op->nattrs, "val");
			if (v && v->kind == VAL_BLOB)
				add_type(s, v->type);
			continue;
		}
		for (size_t k = 0; k < op->ninputs; k++)
			for (size_t j = 0; j < op->inputs[k].n; j++) {
				const struct mvalue *v = op->inputs[k].b[j].value;
				if (v && v->kind == VAL_BLOB)
					add_type(s, v->type);
			}
		if (strncmp(op->type, "constexpr_", 10) == 0 && has_blob(op))
			add_constexpr_label(s, op, &sym);
	}
	strmap_free(&sym);
	return MLCC_OK;
}

int precision_storage(const struct program *p, struct precision_set *s)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (storage_of(&p->funcs[i], s))
			return MLCC_E_NOMEM;
	return MLCC_OK;
}

bool precision_empty(const struct precision_set *s)
{
	return !s->dtypes && !s->palettized && !s->sparse;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *precision_format(struct arena *a, const struct precision_set *s)
{
	/* clang-format off */
	static const char *const pal[] = {
		NULL, "Palettized (1 bits)", "Palettized (2 bits)",
		"Palettized (3 bits)", "Palettized (4 bits)",
		"Palettized (5 bits)", "Palettized (6 bits)",
		"Palettized (7 bits)", "Palettized (8 bits)",
	};
	/* clang-format on */
	const char *names[DT_COUNT + 10];
	size_t n = 0, len = 0;
	char *out, *p;

	for (int t = 0; t < DT_COUNT; t++)
		if ((s->dtypes >> t) & 1)
			names[n++] = dtype_info((enum dtype)t)->precision;
	for (unsigned b = 1; b <= 8; b++)
		if ((s->palettized >> b) & 1)
			names[n++] = pal[b];
	if (s->sparse)
		names[n++] = "Sparse";
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 2;
	out = arena_alloc(a, len + 16);
	if (!out || n == 0)
		return out;
	if (n == 1) {
		strcpy(out, names[0]);
		return out;
	}
	p = out + sprintf(out, "Mixed (");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? ", " : "", names[i]);
	strcpy(p, ")");
	return out;
}
