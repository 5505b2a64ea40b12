/*
** print.c -- model.mil, the MIL text of an ML program.
**
** Format (docs/spec/mlmodelc.md §4; VERIFIED byte-for-byte on the corpus
** pairs unless noted):
**
**   program(1.0)                        1.3 when specificationVersion >= 9
**   [buildInfo = dict<S, S>({{"k", "v"}, ...})]   source + compiler, sorted
**   {
**       func NAME<iosNN>(TYPE arg, ...)[ ATTRS] {    args sorted by name
**               OUTS = OPTYPE(param = binding, ...)[attr = LIT, ...];
**           } -> (out, ...);
**   }                                   no trailing newline
**
** Op inputs and attributes are sorted by name (bytewise), literals are
** `TYPE(BODY)`, rank-0 types spell `tensor<T, []>` in 1.0 and `T` in 1.3.
** Functions are printed sorted by name (MEDIUM: every sample agrees).
**
** A stamp without a compiler version (printing a model.mil read back from
** a compiler older than buildInfo) gives no buildInfo entries, and with no
** program attribute at all the header reads `program(1.0) {` (LOW: one
** sample, put_program_attrs).
**
** Unverified rules (no Apple sample; chosen as the most plausible, kept in
** one place each so a future sample fixes them once):
**  - nested blocks of cond/while_loop (put_nested_blocks);
**  - escapes inside string literals (mil_print_string);
**  - ops without outputs print no "OUTS = " (write_state);
**  - unknown-rank tensors print `[*]`.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "mil/mil.h"
#include "mil/flexshape.h"
#include "base/hexfloat.h"

struct printer {
	struct wbuf *w;
	bool v13; /* program(1.3) spelling */
	const struct stamp *stamp;
	int err; /* first allocation failure */
	/* When set, a blob literal prints as BLOBFILE(<text>) with the text
	** it returns (mil_print_op: blobs compared by content). */
	const char *(*blob_text)(void *ctx, const struct mvalue *v);
	void *blob_ctx;
};

/* ---- small helpers ------------------------------------------------------ */

static void indent(struct wbuf *w, unsigned n)
{
	static const char spaces[] = "                                ";

	while (n > 32) {
		wbuf_put(w, spaces, 32);
		n -= 32;
	}
	wbuf_put(w, spaces, n);
}

void mil_print_string(struct wbuf *w, const char *s)
{
	/* OPEN (no sample): C-style escapes for '"', '\\' and control
	** characters; other bytes, UTF-8 included, are written raw. */
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	wbuf_putc(w, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		const char *esc = NULL;
		char buf[5];
		if (ch == '"')
			esc = "\\\"";
		else if (ch == '\\')
			esc = "\\\\";
		else if (ch == '\n')
			esc = "\\n";
		else if (ch == '\t')
			esc = "\\t";
		else if (ch == '\r')
			esc = "\\r";
		else if (ch < 0x20 || ch == 0x7f) {
			buf[0] = '\\';
			buf[1] = 'x';
			buf[2] = hex[ch >> 4];
			buf[3] = hex[ch & 15];
			buf[4] = '\0';
			esc = buf;
		}
		if (esc) {
			wbuf_put(w, run, (size_t)(s - run));
			wbuf_puts(w, esc);
			run = s + 1;
		}
	}
	wbuf_put(w, run, (size_t)(s - run));
	wbuf_putc(w, '"');
}

/* Sort 'n' pointers to structs whose first member is a 'const char *'
** name, bytewise.  Insertion sort: n is small (op inputs, attributes). */
static void sort_by_name(const void **v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const void *x = v[i];
		const char *kx = *(const char *const *)x;
		size_t j = i;
		while (j > 0 && strcmp(*(const char *const *)v[j - 1], kx) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* 'n' pointers to the elements of 'base' (stride 'size'), sorted by the
** name each element starts with.  Returns NULL on allocation failure. */
static const void **sorted_view(const void *base, size_t n, size_t size, const void **small,
				size_t nsmall)
{
	const void **v = n <= nsmall ? small : malloc(n * sizeof *v);

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = (const char *)base + i * size;
	sort_by_name(v, n);
	return v;
}

static void release_view(const void **v, const void **small)
{
	if (v != small)
		free((void *)v);
}

/* ---- types -------------------------------------------------------------- */

static void put_dim(struct wbuf *w, int64_t d)
{
	if (d < 0)
		wbuf_putc(w, '?');
	else
		wbuf_put_i64(w, d);
}

static void put_type(struct printer *p, const struct mtype *t)
{
	struct wbuf *w = p->w;
	const char *dt;

	switch (t->kind) {
	case TY_TENSOR:
		dt = dtype_info(t->dtype)->mil;
		if (t->rank < 0) {
			wbuf_printf(w, "tensor<%s, [*]>", dt);
			return;
		}
		if (t->ndims == 0 && p->v13) {
			wbuf_puts(w, dt);
			return;
		}
		wbuf_puts(w, "tensor<");
		wbuf_puts(w, dt);
		wbuf_puts(w, ", [");
		for (size_t i = 0; i < t->ndims; i++) {
			if (i)
				wbuf_puts(w, ", ");
			put_dim(w, t->dims[i]);
		}
		wbuf_puts(w, "]>");
		return;
	case TY_LIST:
		wbuf_puts(w, "list<");
		put_type(p, t->elem);
		wbuf_puts(w, ", ");
		put_dim(w, t->length);
		wbuf_putc(w, '>');
		return;
	case TY_TUPLE:
		wbuf_puts(w, "tuple<");
		for (size_t i = 0; i < t->nelems; i++) {
			if (i)
				wbuf_puts(w, ", ");
			put_type(p, t->elems[i]);
		}
		wbuf_putc(w, '>');
		return;
	case TY_DICT:
		wbuf_puts(w, "dict<");
		put_type(p, t->elem);
		wbuf_puts(w, ", ");
		put_type(p, t->value);
		wbuf_putc(w, '>');
		return;
	case TY_STATE:
		/* LOW: spelling taken from the docs, never observed. */
		wbuf_puts(w, "state<");
		put_type(p, t->elem);
		wbuf_putc(w, '>');
		return;
	}
}

/* ---- literals ----------------------------------------------------------- */

static void put_element(struct wbuf *w, enum dtype dt, const void *data, size_t i)
{
	char buf[HEXFLOAT_MAX + 1];
	size_t n;

	switch (dt) {
	case DT_FP16: n = hexfloat_fp16(buf, ((const uint16_t *)data)[i]); break;
	case DT_BF16: n = hexfloat_bf16(buf, ((const uint16_t *)data)[i]); break;
	case DT_FP32: n = hexfloat_fp32(buf, ((const uint32_t *)data)[i]); break;
	case DT_FP64: n = hexfloat_fp64(buf, ((const uint64_t *)data)[i]); break;
	case DT_FP8E4M3FN: n = hexfloat_fp8e4m3fn(buf, ((const uint8_t *)data)[i]); break;
	case DT_FP8E5M2: n = hexfloat_fp8e5m2(buf, ((const uint8_t *)data)[i]); break;
	case DT_BOOL: wbuf_puts(w, ((const uint8_t *)data)[i] ? "true" : "false"); return;
	case DT_STRING: mil_print_string(w, ((char *const *)data)[i]); return;
	case DT_INT4:
	case DT_INT8: wbuf_put_i64(w, ((const int8_t *)data)[i]); return;
	case DT_INT16: wbuf_put_i64(w, ((const int16_t *)data)[i]); return;
	case DT_INT32: wbuf_put_i64(w, ((const int32_t *)data)[i]); return;
	case DT_INT64: wbuf_put_i64(w, ((const int64_t *)data)[i]); return;
	case DT_UINT1:
	case DT_UINT2:
	case DT_UINT3:
	case DT_UINT4:
	case DT_UINT6:
	case DT_UINT8: wbuf_put_u64(w, ((const uint8_t *)data)[i]); return;
	case DT_UINT16: wbuf_put_u64(w, ((const uint16_t *)data)[i]); return;
	case DT_UINT32: wbuf_put_u64(w, ((const uint32_t *)data)[i]); return;
	case DT_UINT64: wbuf_put_u64(w, ((const uint64_t *)data)[i]); return;
	default: return;
	}
	wbuf_put(w, buf, n);
}

/* Elements [*pos, ...) of dimension 'd' onward, nested in brackets. */
static void put_nested(struct wbuf *w, const struct mvalue *v, size_t d, size_t *pos)
{
	const struct mtype *t = v->type;

	wbuf_putc(w, '[');
	for (int64_t i = 0; i < t->dims[d]; i++) {
		if (i)
			wbuf_puts(w, ", ");
		if (d + 1 < t->ndims)
			put_nested(w, v, d + 1, pos);
		else
			put_element(w, t->dtype, v->data, (*pos)++);
	}
	wbuf_putc(w, ']');
}

static void put_tensor_body(struct wbuf *w, const struct mvalue *v)
{
	const struct mtype *t = v->type;
	bool nested = t->ndims > 0;
	uint64_t n = 1;
	size_t pos = 0;

	for (size_t i = 0; i < t->ndims && nested; i++) {
		if (t->dims[i] < 0)
			nested = false;
		else
			n *= (uint64_t)t->dims[i];
	}
	if (t->ndims == 0 && v->count == 1) {
		put_element(w, t->dtype, v->data, 0);
	} else if (nested && n == v->count) {
		put_nested(w, v, 0, &pos);
	} else {
		/* Shape unknown or inconsistent: one flat list. */
		wbuf_putc(w, '[');
		for (size_t i = 0; i < v->count; i++) {
			if (i)
				wbuf_puts(w, ", ");
			put_element(w, t->dtype, v->data, i);
		}
		wbuf_putc(w, ']');
	}
}

static void put_body(struct printer *p, const struct mvalue *v);

static void put_scalar_type(struct printer *p, const char *dt)
{
	if (p->v13)
		wbuf_puts(p->w, dt);
	else
		wbuf_printf(p->w, "tensor<%s, []>", dt);
}

static void put_blob(struct printer *p, const struct mvalue *v)
{
	struct wbuf *w = p->w;

	if (p->blob_text) {
		wbuf_puts(w, "BLOBFILE(");
		wbuf_puts(w, p->blob_text(p->blob_ctx, v));
		wbuf_putc(w, ')');
		return;
	}

	wbuf_puts(w, "BLOBFILE(path = ");
	put_scalar_type(p, "string");
	wbuf_putc(w, '(');
	mil_print_string(w, v->blob_file);
	wbuf_puts(w, "), offset = ");
	put_scalar_type(p, "uint64");
	wbuf_putc(w, '(');
	wbuf_put_u64(w, v->blob_offset);
	wbuf_puts(w, "))");
}

/* Dictionary entries print sorted by key (bytewise on string keys, source
** order otherwise). */
static void put_dict(struct printer *p, const struct mvalue *v)
{
	size_t *idx = malloc((v->count + 1) * sizeof *idx);

	if (!idx) {
		p->err = ENOMEM;
		return;
	}
	for (size_t i = 0; i < v->count; i++) {
		const char *ki = model_value_string(v->items[i]);
		size_t j = i;
		while (ki && j > 0) {
			const char *kj = model_value_string(v->items[idx[j - 1]]);
			if (!kj || strcmp(kj, ki) <= 0)
				break;
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	wbuf_putc(p->w, '{');
	for (size_t i = 0; i < v->count; i++) {
		wbuf_puts(p->w, i ? ", {" : "{");
		put_body(p, v->items[idx[i]]);
		wbuf_puts(p->w, ", ");
		put_body(p, v->values[idx[i]]);
		wbuf_putc(p->w, '}');
	}
	wbuf_putc(p->w, '}');
	free(idx);
}

static void put_items(struct printer *p, const struct mvalue *v, char open, char close)
{
	wbuf_putc(p->w, open);
	for (size_t i = 0; i < v->count; i++) {
		if (i)
			wbuf_puts(p->w, ", ");
		put_body(p, v->items[i]);
	}
	wbuf_putc(p->w, close);
}

/* The untyped body of a literal; nested values print bodies only. */
static void put_body(struct printer *p, const struct mvalue *v)
{
	switch (v->kind) {
	case VAL_TENSOR: put_tensor_body(p->w, v); return;
	case VAL_BLOB: put_blob(p, v); return;
	case VAL_TUPLE: put_items(p, v, '(', ')'); return;
	case VAL_LIST: put_items(p, v, '[', ']'); return;
	case VAL_DICT: put_dict(p, v); return;
	}
}

static void put_literal(struct printer *p, const struct mvalue *v)
{
	put_type(p, v->type);
	wbuf_putc(p->w, '(');
	put_body(p, v);
	wbuf_putc(p->w, ')');
}

/* ---- statements --------------------------------------------------------- */

static void put_binding(struct printer *p, const struct binding *b)
{
	if (b->name)
		wbuf_puts(p->w, b->name);
	else
		put_literal(p, b->value);
}

static void put_inputs(struct printer *p, const struct op *op)
{
	const void *small[16];
	const void **v = sorted_view(op->inputs, op->ninputs, sizeof *op->inputs, small, 16);

	if (!v) {
		p->err = ENOMEM;
		return;
	}
	wbuf_putc(p->w, '(');
	for (size_t i = 0; i < op->ninputs; i++) {
		const struct argument *a = v[i];
		if (i)
			wbuf_puts(p->w, ", ");
		wbuf_puts(p->w, a->param);
		wbuf_puts(p->w, " = ");
		if (a->n == 1) {
			put_binding(p, &a->b[0]);
			continue;
		}
		wbuf_putc(p->w, '(');
		for (size_t k = 0; k < a->n; k++) {
			if (k)
				wbuf_puts(p->w, ", ");
			put_binding(p, &a->b[k]);
		}
		wbuf_putc(p->w, ')');
	}
	wbuf_putc(p->w, ')');
	release_view(v, small);
}

/* `[k = LIT, ...]` sorted by key; nothing at all when there are none. */
static void put_attrs(struct printer *p, const struct attribute *attrs, size_t n)
{
	const void *small[16];
	const void **v;

	if (n == 0)
		return;
	v = sorted_view(attrs, n, sizeof *attrs, small, 16);
	if (!v) {
		p->err = ENOMEM;
		return;
	}
	wbuf_putc(p->w, '[');
	for (size_t i = 0; i < n; i++) {
		const struct attribute *a = v[i];
		if (i)
			wbuf_puts(p->w, ", ");
		wbuf_puts(p->w, a->key);
		wbuf_puts(p->w, " = ");
		put_literal(p, a->value);
	}
	wbuf_putc(p->w, ']');
	release_view(v, small);
}

static void put_named_types(struct printer *p, const struct named_type *nt, size_t n, bool sorted)
{
	const void *small[16];
	const void **v = NULL;

	if (sorted) {
		v = sorted_view(nt, n, sizeof *nt, small, 16);
		if (!v) {
			p->err = ENOMEM;
			return;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct named_type *x = sorted ? v[i] : &nt[i];
		if (i)
			wbuf_puts(p->w, ", ");
		put_type(p, x->type);
		wbuf_putc(p->w, ' ');
		wbuf_puts(p->w, x->name);
	}
	if (sorted)
		release_view(v, small);
}

static void put_outputs_list(struct wbuf *w, const char *const *outs, size_t n)
{
	wbuf_putc(w, '(');
	for (size_t i = 0; i < n; i++) {
		if (i)
			wbuf_puts(w, ", ");
		wbuf_puts(w, outs[i]);
	}
	wbuf_putc(w, ')');
}

static void put_block_body(struct printer *p, const struct block *b, unsigned ind);

/* UNVERIFIED (docs/spec/mlmodelc.md §4.7 OPEN): the blocks of cond/while_loop
** follow the op, each as `blockN(INPUTS) {` ... `} -> (OUTS)` one level
** deeper, and the statement closes with `};`. */
static void put_nested_blocks(struct printer *p, const struct op *op, unsigned ind)
{
	struct wbuf *w = p->w;

	wbuf_puts(w, " {\n");
	for (size_t i = 0; i < op->nblocks; i++) {
		const struct block *b = &op->blocks[i];
		indent(w, ind + 4);
		wbuf_printf(w, "block%zu(", i);
		put_named_types(p, b->inputs, b->ninputs, false);
		wbuf_puts(w, ")");
		put_attrs(p, b->attrs, b->nattrs);
		wbuf_puts(w, " {\n");
		put_block_body(p, b, ind + 8);
		indent(w, ind + 4);
		wbuf_puts(w, "} -> ");
		put_outputs_list(w, b->outputs, b->noutputs);
		wbuf_puts(w, ";\n");
	}
	indent(w, ind);
	wbuf_putc(w, '}');
}

static void put_op(struct printer *p, const struct op *op, unsigned ind)
{
	struct wbuf *w = p->w;

	indent(w, ind);
	if (op->noutputs) {
		put_named_types(p, op->outputs, op->noutputs, false);
		wbuf_puts(w, " = ");
	}
	wbuf_puts(w, op->type);
	put_inputs(p, op);
	put_attrs(p, op->attrs, op->nattrs);
	if (op->nblocks)
		put_nested_blocks(p, op, ind);
	wbuf_puts(w, ";\n");
}

static void put_block_body(struct printer *p, const struct block *b, unsigned ind)
{
	for (size_t i = 0; i < b->nops && !p->err && !wbuf_error(p->w); i++)
		put_op(p, &b->ops[i], ind);
}

/* ---- functions and the program ------------------------------------------ */

static int put_function(struct printer *p, const struct model *m, const struct function *f)
{
	struct wbuf *w = p->w;
	struct func_desc fd;
	bool flex;

	desc_function(m->desc, f->name, &fd);
	flex = flexshape_any(&fd);
	indent(w, 4);
	wbuf_puts(w, "func ");
	wbuf_puts(w, f->name);
	wbuf_printf(w, "<ios%u>(", f->ios);
	put_named_types(p, f->inputs, f->ninputs, true);
	wbuf_putc(w, ')');
	if (flex || f->nattrs) {
		/* Source attributes and the synthesized one, sorted by key. */
		bool done_flex = !flex;
		const void *small[16];
		const void **v = sorted_view(f->attrs, f->nattrs, sizeof *f->attrs, small, 16);
		size_t k = 0;
		if (!v)
			return p->err = ENOMEM;
		wbuf_puts(w, " [");
		for (size_t i = 0; i <= f->nattrs; i++) {
			const struct attribute *a = i < f->nattrs ? v[i] : NULL;
			if (!done_flex && (!a || strcmp(FLEXSHAPE_KEY, a->key) < 0)) {
				wbuf_puts(w, k++ ? ", " : "");
				wbuf_puts(w, FLEXSHAPE_KEY " = ");
				if (flexshape_print(w, &fd, p->v13))
					p->err = ENOMEM;
				done_flex = true;
			}
			if (!a || (flex && strcmp(a->key, FLEXSHAPE_KEY) == 0))
				continue;
			wbuf_puts(w, k++ ? ", " : "");
			wbuf_puts(w, a->key);
			wbuf_puts(w, " = ");
			put_literal(p, a->value);
		}
		wbuf_putc(w, ']');
		release_view(v, small);
	}
	wbuf_puts(w, " {\n");
	put_block_body(p, &f->body, 12);
	indent(w, 8);
	wbuf_puts(w, "} -> ");
	put_outputs_list(w, f->body.outputs, f->body.noutputs);
	wbuf_puts(w, ";\n");
	return p->err;
}

/* One buildInfo entry. */
struct kv {
	const char *key, *value;
};

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

/* buildInfo (§4.3): the source entries, plus mldb_token from the user
** metadata (MEDIUM, decompiled code), plus the two compiler entries,
** which replace any of the same name; all sorted by key.  A stamp without
** a compiler version (a model.mil read back from a compiler older than
** buildInfo) adds no compiler entries.  Returns the number of entries,
** stored in '*out' (malloc'd); (size_t)-1 when out of memory. */
static size_t build_info_entries(const struct printer *p, const struct model *m,
				 const struct mvalue *src, struct kv **out)
{
	struct kv *e;
	size_t n = 0, cap = 3 + (src && src->kind == VAL_DICT ? src->count : 0);
	const Metadata *md = m->desc->metadata;

	e = calloc(cap, sizeof *e);
	if (!e)
		return (size_t)-1;
	for (size_t i = 0; src && src->kind == VAL_DICT && i < src->count; i++) {
		const char *k = model_value_string(src->items[i]);
		const char *v = model_value_string(src->values[i]);
		if (k && v && strncmp(k, "coremlc-", 8) != 0 && strcmp(k, "mldb_token") != 0)
			e[n++] = (struct kv){k, v};
	}
	for (size_t i = 0; md && i < md->n_userdefined; i++)
		if (md->userdefined[i] && strcmp(md->userdefined[i]->key, "mldb_token") == 0)
			e[n++] = (struct kv){"mldb_token", md->userdefined[i]->value};
	if (p->stamp->coremlc[0]) {
		e[n++] = (struct kv){"coremlc-component-MIL", p->stamp->mil};
		e[n++] = (struct kv){"coremlc-version", p->stamp->coremlc};
	}
	qsort(e, n, sizeof *e, cmp_kv);
	*out = e;
	return n;
}

static void put_build_info(struct printer *p, const struct kv *e, size_t n)
{
	const char *s = p->v13 ? "string" : "tensor<string, []>";

	wbuf_printf(p->w, "buildInfo = dict<%s, %s>({", s, s);
	for (size_t i = 0; i < n; i++) {
		wbuf_puts(p->w, i ? ", {" : "{");
		mil_print_string(p->w, e[i].key);
		wbuf_puts(p->w, ", ");
		mil_print_string(p->w, e[i].value);
		wbuf_putc(p->w, '}');
	}
	wbuf_puts(p->w, "})");
}

/* After the header: "\n[" + buildInfo and any other program attribute,
** sorted by key + "]\n{\n".  With nothing to print at all the brace
** follows the header, `program(1.0) {` (LOW: one sample, corpus
** mil-text/guru-swift-sdk-e8091bc7-VipnasEndToEnd, written by a compiler
** older than buildInfo; only a stamp without a compiler version gets
** there). */
static void put_program_attrs(struct printer *p, const struct model *m)
{
	const struct program *prog = m->program;
	const struct mvalue *src = model_attr(prog->attrs, prog->nattrs, "buildInfo");
	const void *small[16];
	const void **v;
	struct kv *e = NULL;
	size_t nbi = build_info_entries(p, m, src, &e), k = 0;
	bool done_bi;

	if (nbi == (size_t)-1) {
		p->err = ENOMEM;
		return;
	}
	if (nbi == 0 && prog->nattrs == (src ? 1u : 0u)) {
		free(e);
		wbuf_puts(p->w, " {\n");
		return;
	}
	v = sorted_view(prog->attrs, prog->nattrs, sizeof *prog->attrs, small, 16);
	if (!v) {
		free(e);
		p->err = ENOMEM;
		return;
	}
	done_bi = nbi == 0;
	wbuf_puts(p->w, "\n[");
	for (size_t i = 0; i <= prog->nattrs; i++) {
		const struct attribute *a = i < prog->nattrs ? v[i] : NULL;
		bool is_bi = a && strcmp(a->key, "buildInfo") == 0;
		if (!done_bi && (!a || strcmp("buildInfo", a->key) <= 0)) {
			wbuf_puts(p->w, k++ ? ", " : "");
			put_build_info(p, e, nbi);
			done_bi = true;
		}
		if (!a || is_bi)
			continue;
		wbuf_puts(p->w, k++ ? ", " : "");
		wbuf_puts(p->w, a->key);
		wbuf_puts(p->w, " = ");
		put_literal(p, a->value);
	}
	wbuf_puts(p->w, "]\n{\n");
	release_view(v, small);
	free(e);
}

static int cmp_func(const void *a, const void *b)
{
	return strcmp((*(const struct function *const *)a)->name,
		      (*(const struct function *const *)b)->name);
}

int mil_print(const struct model *m, const struct stamp *stamp, struct wbuf *w, struct mlcc_diag *d)
{
	struct printer p = {.w = w, .v13 = m->spec_version >= 9, .stamp = stamp};
	const struct program *prog = m->program;
	const struct function **order;

	MLCC_ASSERT(m->kind == MODEL_ML_PROGRAM && m->program && stamp);
	order = malloc(prog->nfuncs * sizeof *order);
	if (!order)
		return diag_fail(d, MLCC_E_NOMEM, "model.mil: out of memory");
	for (size_t i = 0; i < prog->nfuncs; i++)
		order[i] = &prog->funcs[i];
	qsort(order, prog->nfuncs, sizeof *order, cmp_func);
	wbuf_puts(w, p.v13 ? "program(1.3)" : "program(1.0)");
	put_program_attrs(&p, m);
	for (size_t i = 0; i < prog->nfuncs && !p.err; i++)
		put_function(&p, m, order[i]);
	wbuf_putc(w, '}');
	free(order);
	if (p.err)
		return diag_fail(d, MLCC_E_NOMEM, "model.mil: out of memory");
	return MLCC_OK;
}

int mil_print_op(struct wbuf *w, const struct op *op, bool v13,
		 const char *(*blob_text)(void *ctx, const struct mvalue *v), void *ctx)
{
	struct printer p = {.w = w, .v13 = v13, .blob_text = blob_text, .blob_ctx = ctx};

	put_op(&p, op, 0);
	return p.err ? MLCC_E_NOMEM : MLCC_OK;
}
