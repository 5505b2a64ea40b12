/*
** parse.c -- model.mil text -> struct model (the reverse of print.c).
**
** A recursive-descent parser over the tokens of lex.c, one function per
** grammar rule (the rule is the comment above it).  The whole grammar is in
** docs/spec/mlmodelc.md §4.9; in short:
**
**   program   = "program" "(" VERSION ")" [attrs] "{" function {function} "}"
**   function  = "func" IDENT "<" OPSET ">" "(" [named {"," named}] ")"
**               [attrs] "{" {statement} "}" "->" outlist ";"
**   statement = [named {"," named} "="] IDENT "(" [input {"," input}] ")"
**               [attrs] [blocks] ";"
**   literal   = type "(" body ")"
**
** Literals are typed: the body of `TYPE(...)` is read with TYPE in hand,
** and nested bodies (tuple items, dict entries, list items) take their
** types from the enclosing type, exactly as the printer drops them.
** Everything is allocated in the caller's arena; growing arrays double in
** the arena (the old copy is garbage until the arena dies).  Recursion is
** bounded by MLCC_MAX_NESTING nesting levels of types, values and blocks.
*/
#include "mil/mil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "base/hexfloat.h"
#include "mil/lex.h"

struct parser {
	struct lexer lx;
	struct token tok; /* the current token */
	struct arena *a;
	struct mlcc_diag *d;
	const char *origin;
	unsigned depth;
	int status; /* first failure, MLCC_OK while all is well */
};

/* ---- errors and tokens -------------------------------------------------- */

/* Record "<origin>:<line>:<col>: <message>" at token 't' (only the first
** failure counts).  Returns the parser's status. */
static int fail_at(struct parser *p, const struct token *t, const char *fmt, ...) MLCC_PRINTF(3, 4);

static int fail_at(struct parser *p, const struct token *t, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (p->status)
		return p->status;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->status =
		diag_fail(p->d, MLCC_E_CORRUPT, "%s:%u:%u: %s", p->origin, t->line, t->col, msg);
	return p->status;
}

/* Record out-of-memory (first failure only); returns the status. */
static int nomem(struct parser *p)
{
	if (!p->status)
		p->status = diag_fail(p->d, MLCC_E_NOMEM, "%s: out of memory", p->origin);
	return p->status;
}

/* Move to the next token.  A lexical error is recorded at once and the
** current token becomes end-of-input, so the parse stops right there. */
static void advance(struct parser *p)
{
	if (p->tok.kind == TK_EOF)
		return;
	if (mil_lex_next(&p->lx, &p->tok) == 0)
		return;
	if (!p->status)
		p->status = diag_fail(p->d, MLCC_E_CORRUPT, "%s:%u:%u: %s", p->origin,
				      p->lx.err_line, p->lx.err_col, p->lx.err);
	p->tok.kind = TK_EOF;
	p->tok.len = 0;
}

/* The token after the current one, without moving (end-of-input if it
** cannot be read: the error is reported when the parser gets there). */
static struct token peek2(const struct parser *p)
{
	struct lexer copy = p->lx;
	struct token t;

	if (p->tok.kind == TK_EOF || mil_lex_next(&copy, &t) != 0) {
		t = p->tok;
		t.kind = TK_EOF;
	}
	return t;
}

/* True when the current token is punctuation 'c'. */
static bool at(const struct parser *p, char c)
{
	return mil_tok_is(&p->tok, c);
}

/* Consume punctuation 'c' if it is next. */
static bool accept(struct parser *p, char c)
{
	if (!at(p, c))
		return false;
	advance(p);
	return true;
}

/* "expected <what> <context>, found <token>" at the current token. */
static int expected(struct parser *p, const char *what, const char *context)
{
	char found[64];

	mil_tok_describe(&p->tok, found, sizeof found);
	return fail_at(p, &p->tok, "expected %s%s%s, found %s", what, *context ? " " : "", context,
		       found);
}

/* Consume punctuation 'c' or fail naming it and 'context'. */
static int expect(struct parser *p, char c, const char *context)
{
	char what[4] = {'\'', c, '\'', '\0'};

	if (accept(p, c))
		return 0;
	return expected(p, what, context);
}

/* Consume the arrow "->". */
static int expect_arrow(struct parser *p, const char *context)
{
	if (p->tok.kind != TK_ARROW)
		return expected(p, "'->'", context);
	advance(p);
	return 0;
}

/* Consume the identifier 'word'. */
static int expect_word(struct parser *p, const char *word, const char *context)
{
	char what[64];

	if (mil_tok_word(&p->tok, word)) {
		advance(p);
		return 0;
	}
	snprintf(what, sizeof what, "'%s'", word);
	return expected(p, what, context);
}

/* An identifier, copied into the arena. */
static int expect_ident(struct parser *p, const char *what, const char *context, const char **out)
{
	if (p->tok.kind != TK_IDENT)
		return expected(p, what, context);
	*out = arena_strndup(p->a, p->tok.s, p->tok.len);
	if (!*out)
		return nomem(p);
	advance(p);
	return 0;
}

/* One nesting level deeper (types, values, blocks); fails past
** MLCC_MAX_NESTING.  leave() undoes it on the way out of a successful parse. */
static int enter(struct parser *p)
{
	if (++p->depth > MLCC_MAX_NESTING)
		return fail_at(p, &p->tok, "nesting deeper than %d levels", MLCC_MAX_NESTING);
	return 0;
}

static void leave(struct parser *p)
{
	p->depth--;
}

/* Room for element 'n' of arena array 'v' holding '*cap' elements: 'v'
** itself, or a copy twice as large.  NULL when out of memory. */
static void *grow(struct parser *p, void *v, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	void *nv;

	if (n < *cap)
		return v;
	nv = arena_array(p->a, ncap, size);
	if (!nv)
		return NULL;
	if (n)
		memcpy(nv, v, n * size);
	*cap = ncap;
	return nv;
}

/* ---- types -------------------------------------------------------------- */

/* A short spelling of 't' for messages (tensors in full). */
static void type_name(const struct mtype *t, char *buf, size_t n)
{
	size_t used;

	if (t->kind != TY_TENSOR) {
		static const char *const kinds[] = {"tensor", "list", "tuple", "dict", "state"};
		snprintf(buf, n, "%s<...>", kinds[t->kind]);
		return;
	}
	if (t->rank < 0) {
		snprintf(buf, n, "tensor<%s, [*]>", dtype_info(t->dtype)->mil);
		return;
	}
	used = (size_t)snprintf(buf, n, "tensor<%s, [", dtype_info(t->dtype)->mil);
	for (size_t i = 0; i < t->ndims && used < n; i++) {
		if (t->dims[i] < 0)
			used += (size_t)snprintf(buf + used, n - used, "%s?", i ? ", " : "");
		else
			used += (size_t)snprintf(buf + used, n - used, "%s%lld", i ? ", " : "",
						 (long long)t->dims[i]);
	}
	if (used < n)
		snprintf(buf + used, n - used, "]>");
}

/* A non-negative decimal that fits int64: a dimension or a list length
** ('noun'), which may also be "?" (handled by the callers). */
static int parse_count(struct parser *p, const char *noun, int64_t *out)
{
	int64_t v = 0;

	if (p->tok.kind != TK_NUMBER) {
		char what[64];
		snprintf(what, sizeof what, "a %s (integer or '?')", noun);
		return expected(p, what, "");
	}
	for (size_t i = 0; i < p->tok.len; i++) {
		char c = p->tok.s[i];
		if (c < '0' || c > '9')
			return fail_at(p, &p->tok, "malformed %s '%.*s'", noun, (int)p->tok.len,
				       p->tok.s);
		if (v > (INT64_MAX - (c - '0')) / 10)
			return fail_at(p, &p->tok, "%s '%.*s' too large", noun, (int)p->tok.len,
				       p->tok.s);
		v = v * 10 + (c - '0');
	}
	*out = v;
	advance(p);
	return 0;
}

/* dim = INTEGER | "?" */
static int parse_dim(struct parser *p, int64_t *out)
{
	if (accept(p, '?')) {
		*out = DIM_UNKNOWN;
		return 0;
	}
	return parse_count(p, "dimension", out);
}

/* shape = "[" ("*" | [dim {"," dim}]) "]" */
static int parse_shape(struct parser *p, struct mtype *t)
{
	size_t cap = 0;

	if (expect(p, '[', "before the tensor's dimensions"))
		return p->status;
	if (accept(p, '*')) {
		t->rank = -1;
		return expect(p, ']', "after '*'");
	}
	if (!at(p, ']')) {
		do {
			int64_t *dims = grow(p, t->dims, t->ndims, &cap, sizeof *t->dims);
			if (!dims)
				return nomem(p);
			t->dims = dims;
			if (parse_dim(p, &t->dims[t->ndims]))
				return p->status;
			t->ndims++;
		} while (accept(p, ','));
	}
	t->rank = (int64_t)t->ndims;
	return expect(p, ']', "after the tensor's dimensions");
}

/* An element type name: the current identifier. */
static int parse_dtype(struct parser *p, enum dtype *out)
{
	if (p->tok.kind != TK_IDENT)
		return expected(p, "an element type", "");
	*out = dtype_from_mil(p->tok.s, p->tok.len);
	if (*out == DT_INVALID)
		return fail_at(p, &p->tok, "unknown element type '%.*s'", (int)p->tok.len,
			       p->tok.s);
	advance(p);
	return 0;
}

static int parse_type(struct parser *p, struct mtype **out);

/* tuple_types = [type {"," type}] ">" */
static int parse_tuple_types(struct parser *p, struct mtype *t)
{
	size_t cap = 0;

	if (!at(p, '>')) {
		do {
			struct mtype **e = grow(p, t->elems, t->nelems, &cap, sizeof *t->elems);
			if (!e)
				return nomem(p);
			t->elems = e;
			if (parse_type(p, &t->elems[t->nelems]))
				return p->status;
			t->nelems++;
		} while (accept(p, ','));
	}
	return expect(p, '>', "after the tuple's types");
}

/* The part of a compound type after its "<". */
static int parse_compound(struct parser *p, struct mtype *t)
{
	switch (t->kind) {
	case TY_TENSOR:
		if (parse_dtype(p, &t->dtype) ||
		    expect(p, ',', "after the tensor's element type") || parse_shape(p, t))
			return p->status;
		return expect(p, '>', "after the tensor's shape");
	case TY_LIST:
		if (parse_type(p, &t->elem) || expect(p, ',', "after the list's element type"))
			return p->status;
		if (accept(p, '?'))
			t->length = DIM_UNKNOWN;
		else if (parse_count(p, "list length", &t->length))
			return p->status;
		return expect(p, '>', "after the list's length");
	case TY_TUPLE: return parse_tuple_types(p, t);
	case TY_DICT:
		if (parse_type(p, &t->elem) || expect(p, ',', "after the dict's key type") ||
		    parse_type(p, &t->value))
			return p->status;
		return expect(p, '>', "after the dict's value type");
	case TY_STATE:
		if (parse_type(p, &t->elem))
			return p->status;
		return expect(p, '>', "after the state's type");
	}
	return p->status;
}

/* type = "tensor" "<" DTYPE "," shape ">" | "list" "<" type "," dim ">"
**      | "tuple" "<" [type {"," type}] ">" | "dict" "<" type "," type ">"
**      | "state" "<" type ">" | DTYPE                      (rank 0)
*/
static int parse_type(struct parser *p, struct mtype **out)
{
	/* clang-format off */
	static const struct {
		const char *word;
		enum type_kind kind;
	} compound[] = {
		{"tensor", TY_TENSOR}, {"list", TY_LIST}, {"tuple", TY_TUPLE},
		{"dict", TY_DICT}, {"state", TY_STATE},
	};
	/* clang-format on */
	struct mtype *t;

	if (p->tok.kind != TK_IDENT)
		return expected(p, "a type", "");
	if (enter(p))
		return p->status;
	t = arena_alloc(p->a, sizeof *t);
	if (!t)
		return nomem(p);
	*out = t;
	for (size_t i = 0; i < sizeof compound / sizeof compound[0]; i++) {
		if (!mil_tok_word(&p->tok, compound[i].word))
			continue;
		t->kind = compound[i].kind;
		advance(p);
		if (expect(p, '<', "after the type name") || parse_compound(p, t))
			return p->status;
		leave(p);
		return 0;
	}
	t->kind = TY_TENSOR; /* bare DTYPE: rank 0 */
	if (parse_dtype(p, &t->dtype))
		return p->status;
	leave(p);
	return 0;
}

/* ---- literal elements --------------------------------------------------- */

static int parse_float(struct parser *p, enum dtype dt, void *data, size_t i)
{
	const char *s = p->tok.s;
	size_t n = p->tok.len;
	int rc;

	if (p->tok.kind != TK_NUMBER && p->tok.kind != TK_IDENT)
		rc = HEXFLOAT_SYNTAX;
	else if (dt == DT_FP16)
		rc = hexfloat_parse_fp16(s, n, (uint16_t *)data + i);
	else if (dt == DT_BF16)
		rc = hexfloat_parse_bf16(s, n, (uint16_t *)data + i);
	else if (dt == DT_FP32)
		rc = hexfloat_parse_fp32(s, n, (uint32_t *)data + i);
	else if (dt == DT_FP64)
		rc = hexfloat_parse_fp64(s, n, (uint64_t *)data + i);
	else if (dt == DT_FP8E4M3FN)
		rc = hexfloat_parse_fp8e4m3fn(s, n, (uint8_t *)data + i);
	else
		rc = hexfloat_parse_fp8e5m2(s, n, (uint8_t *)data + i);
	if (rc == HEXFLOAT_SYNTAX) {
		char what[64];
		snprintf(what, sizeof what, "a value of type %s (hex float, inf or nan)",
			 dtype_info(dt)->mil);
		return expected(p, what, "");
	}
	if (rc == HEXFLOAT_INEXACT)
		return fail_at(p, &p->tok, "%s value '%.*s' is not exactly representable",
			       dtype_info(dt)->mil, (int)n, s);
	if (rc == HEXFLOAT_RANGE)
		return fail_at(p, &p->tok, "%s value '%.*s' is out of range", dtype_info(dt)->mil,
			       (int)n, s);
	advance(p);
	return 0;
}

/* The smallest and largest value of integer type 'dt' (as int64 bounds;
** uint64's top is handled by the caller). */
static void int_bounds(enum dtype dt, int64_t *lo, uint64_t *hi)
{
	const struct dtype_info *di = dtype_info(dt);

	if (di->is_signed) {
		*lo = di->bits == 64 ? INT64_MIN : -(INT64_C(1) << (di->bits - 1));
		*hi = (UINT64_C(1) << (di->bits - 1)) - 1;
	} else {
		*lo = 0;
		*hi = di->bits == 64 ? UINT64_MAX : (UINT64_C(1) << di->bits) - 1;
	}
}

/* int = ["-"] DIGIT {DIGIT}, range-checked for 'dt'. */
static int parse_int(struct parser *p, enum dtype dt, void *data, size_t i)
{
	const char *s = p->tok.s, *name = dtype_info(dt)->mil;
	size_t n = p->tok.len, k = 0;
	bool neg = n > 0 && s[0] == '-', over = false;
	uint64_t mag = 0, hi, lo_mag;
	int64_t lo;

	if (p->tok.kind != TK_NUMBER) {
		char what[64];
		snprintf(what, sizeof what, "a value of type %s", name);
		return expected(p, what, "");
	}
	k = neg;
	if (k == n)
		return fail_at(p, &p->tok, "malformed %s value '%.*s'", name, (int)n, s);
	for (; k < n; k++) {
		unsigned dg = (unsigned)(s[k] - '0');
		if (dg > 9)
			return fail_at(p, &p->tok, "malformed %s value '%.*s'", name, (int)n, s);
		over |= mag > (UINT64_MAX - dg) / 10;
		mag = mag * 10 + dg;
	}
	int_bounds(dt, &lo, &hi);
	lo_mag = (uint64_t) - (lo + 1) + 1; /* |lo| without overflow */
	if (over || (neg ? mag > lo_mag : mag > hi))
		return fail_at(p, &p->tok, "%s value '%.*s' is out of range [%lld, %llu]", name,
			       (int)n, s, (long long)lo, (unsigned long long)hi);
	{
		/* Two's complement of the magnitude; little-endian hosts only
		** (checked at build time), so the low bytes are the value. */
		uint64_t v = neg ? (uint64_t)0 - mag : mag;
		size_t w = dtype_mem_size(dt);
		memcpy((unsigned char *)data + i * w, &v, w);
	}
	advance(p);
	return 0;
}

/* element = hexfloat | int | "true" | "false" | STRING, as 'dt' wants;
** stored as element 'i' of 'data' in the unpacked form of model.h. */
static int parse_element(struct parser *p, enum dtype dt, void *data, size_t i)
{
	const struct dtype_info *di = dtype_info(dt);

	if (di->is_float)
		return parse_float(p, dt, data, i);
	if (dt == DT_BOOL) {
		bool t = mil_tok_word(&p->tok, "true");
		if (!t && !mil_tok_word(&p->tok, "false"))
			return expected(p, "a bool value (true or false)", "");
		((uint8_t *)data)[i] = t;
		advance(p);
		return 0;
	}
	if (dt == DT_STRING) {
		char *s;
		if (p->tok.kind != TK_STRING)
			return expected(p, "a string", "");
		s = mil_lex_string(p->a, &p->tok);
		if (!s)
			return nomem(p);
		/* A string of the program becomes a protobuf string: UTF-8. */
		if (!diag_utf8_valid(s, strlen(s)))
			return fail_at(p, &p->tok, "string is not valid UTF-8");
		((char **)data)[i] = s;
		advance(p);
		return 0;
	}
	return parse_int(p, dt, data, i);
}

/* ---- literal bodies ----------------------------------------------------- */

static int parse_body(struct parser *p, struct mtype *t, struct mvalue **out);
static int parse_literal(struct parser *p, struct mvalue **out);

/* Elements of shape 't' for which buffer space is reserved up front: the
** shape's count, but never more than the rest of the text could hold
** (each element takes at least one byte), so that a huge declared shape
** fails on its element count, not on memory. */
static size_t reserve_count(const struct parser *p, const struct mtype *t)
{
	size_t room = (size_t)(p->lx.end - p->lx.p) + 1, n = 1;

	for (size_t i = 0; i < t->ndims; i++) {
		size_t d = (size_t)t->dims[i];
		if ((uint64_t)t->dims[i] > room || (d && n > room / d))
			return room;
		n *= d;
	}
	return n;
}

/* nested = "[" [item {"," item}] "]"   item = nested | element
** exactly dims[d] items at dimension 'd'. */
static int parse_nested(struct parser *p, struct mvalue *v, size_t d, size_t *pos, size_t cap)
{
	const struct mtype *t = v->type;
	int64_t n = 0;

	if (enter(p) || expect(p, '[', "to open a tensor dimension"))
		return p->status;
	if (!at(p, ']')) {
		do {
			if (n == t->dims[d]) {
				char ty[128];
				type_name(t, ty, sizeof ty);
				return fail_at(
					p, &p->tok,
					"too many elements in dimension %zu of %s value (it has %lld)",
					d, ty, (long long)t->dims[d]);
			}
			if (d + 1 < t->ndims) {
				if (parse_nested(p, v, d + 1, pos, cap))
					return p->status;
			} else {
				if (*pos >= cap)
					return fail_at(p, &p->tok,
						       "tensor value longer than the text");
				if (parse_element(p, t->dtype, v->data, (*pos)++))
					return p->status;
			}
			n++;
		} while (accept(p, ','));
	}
	if (n != t->dims[d]) {
		char ty[128];
		type_name(t, ty, sizeof ty);
		return fail_at(p, &p->tok,
			       "dimension %zu of %s value has %lld elements, expected %lld", d, ty,
			       (long long)n, (long long)t->dims[d]);
	}
	leave(p);
	return expect(p, ']', "after a tensor dimension's elements");
}

/* flat = "[" [element {"," element}] "]"   (shape not fully known) */
static int parse_flat(struct parser *p, struct mvalue *v)
{
	size_t cap = 0, w = dtype_mem_size(v->type->dtype);

	if (expect(p, '[', "to open the tensor's elements"))
		return p->status;
	if (!at(p, ']')) {
		do {
			void *data = grow(p, v->data, v->count, &cap, w);
			if (!data)
				return nomem(p);
			v->data = data;
			if (parse_element(p, v->type->dtype, v->data, v->count))
				return p->status;
			v->count++;
		} while (accept(p, ','));
	}
	return expect(p, ']', "after the tensor's elements");
}

/* blob = "BLOBFILE" "(" "path" "=" literal "," "offset" "=" literal ")"
** with a rank-0 string path and a rank-0 uint64 offset. */
static int parse_blob(struct parser *p, struct mvalue *v)
{
	struct mvalue *path, *off;
	struct token at_path, at_off;

	v->kind = VAL_BLOB;
	advance(p);
	if (expect(p, '(', "after 'BLOBFILE'") || expect_word(p, "path", "in BLOBFILE") ||
	    expect(p, '=', "after 'path'"))
		return p->status;
	at_path = p->tok;
	if (parse_literal(p, &path))
		return p->status;
	v->blob_file = model_value_string(path);
	if (!v->blob_file || path->type->ndims != 0)
		return fail_at(p, &at_path, "BLOBFILE path must be a string scalar");
	if (expect(p, ',', "after the BLOBFILE path") || expect_word(p, "offset", "in BLOBFILE") ||
	    expect(p, '=', "after 'offset'"))
		return p->status;
	at_off = p->tok;
	if (parse_literal(p, &off))
		return p->status;
	if (off->kind != VAL_TENSOR || off->type->dtype != DT_UINT64 || off->type->ndims != 0 ||
	    off->count != 1)
		return fail_at(p, &at_off, "BLOBFILE offset must be a uint64 scalar");
	v->blob_offset = *(const uint64_t *)off->data;
	return expect(p, ')', "after the BLOBFILE offset");
}

/* tensor = blob | element (rank 0, or unknown rank holding one element)
**        | nested (every dimension known) | flat (otherwise) */
static int parse_tensor(struct parser *p, struct mvalue *v)
{
	const struct mtype *t = v->type;
	bool known = t->rank >= 0;
	size_t cap, pos = 0;

	if (mil_tok_word(&p->tok, "BLOBFILE"))
		return parse_blob(p, v);
	v->kind = VAL_TENSOR;
	for (size_t i = 0; i < t->ndims; i++)
		known &= t->dims[i] >= 0;
	if (t->ndims == 0 && (known || !at(p, '['))) {
		v->count = 1;
		v->data = arena_alloc(p->a, dtype_mem_size(t->dtype));
		if (!v->data)
			return nomem(p);
		return parse_element(p, t->dtype, v->data, 0);
	}
	if (!known)
		return parse_flat(p, v);
	cap = reserve_count(p, t);
	v->data = arena_array(p->a, cap, dtype_mem_size(t->dtype));
	if (!v->data)
		return nomem(p);
	if (parse_nested(p, v, 0, &pos, cap))
		return p->status;
	v->count = pos;
	return 0;
}

/* tuple = "(" body {"," body} ")"   one body per element type */
static int parse_tuple(struct parser *p, struct mvalue *v)
{
	const struct mtype *t = v->type;

	v->kind = VAL_TUPLE;
	v->count = t->nelems;
	v->items = arena_array(p->a, t->nelems, sizeof *v->items);
	if (!v->items)
		return nomem(p);
	if (expect(p, '(', "to open a tuple value"))
		return p->status;
	for (size_t i = 0; i < t->nelems; i++) {
		if (i && expect(p, ',', "between tuple items"))
			return p->status;
		if (parse_body(p, t->elems[i], &v->items[i]))
			return p->status;
	}
	if (at(p, ','))
		return fail_at(p, &p->tok, "tuple value has more than its %zu items", t->nelems);
	return expect(p, ')', "after the tuple's items");
}

/* list = "[" [body {"," body}] "]" */
static int parse_list(struct parser *p, struct mvalue *v)
{
	struct token open = p->tok;
	size_t cap = 0;

	v->kind = VAL_LIST;
	if (expect(p, '[', "to open a list value"))
		return p->status;
	if (!at(p, ']')) {
		do {
			struct mvalue **items = grow(p, v->items, v->count, &cap, sizeof *v->items);
			if (!items)
				return nomem(p);
			v->items = items;
			if (parse_body(p, v->type->elem, &v->items[v->count]))
				return p->status;
			v->count++;
		} while (accept(p, ','));
	}
	if (expect(p, ']', "after the list's items"))
		return p->status;
	if (v->type->length >= 0 && (uint64_t)v->type->length != v->count)
		return fail_at(p, &open, "list value has %zu items, its type needs %lld", v->count,
			       (long long)v->type->length);
	return 0;
}

/* dict = "{" [entry {"," entry}] "}"   entry = "{" body "," body "}" */
static int parse_dict(struct parser *p, struct mvalue *v)
{
	size_t cap = 0, vcap = 0;

	v->kind = VAL_DICT;
	if (expect(p, '{', "to open a dict value"))
		return p->status;
	if (!at(p, '}')) {
		do {
			struct mvalue **k = grow(p, v->items, v->count, &cap, sizeof *v->items);
			struct mvalue **val =
				k ? grow(p, v->values, v->count, &vcap, sizeof *v->values) : NULL;
			if (!val)
				return nomem(p);
			v->items = k;
			v->values = val;
			if (expect(p, '{', "to open a dict entry") ||
			    parse_body(p, v->type->elem, &v->items[v->count]) ||
			    expect(p, ',', "after the dict entry's key") ||
			    parse_body(p, v->type->value, &v->values[v->count]) ||
			    expect(p, '}', "after the dict entry's value"))
				return p->status;
			v->count++;
		} while (accept(p, ','));
	}
	return expect(p, '}', "after the dict's entries");
}

/* body = tensor | tuple | list | dict, as type 't' says. */
static int parse_body(struct parser *p, struct mtype *t, struct mvalue **out)
{
	struct mvalue *v;
	int rc = 0;

	if (enter(p))
		return p->status;
	v = arena_alloc(p->a, sizeof *v);
	if (!v)
		return nomem(p);
	v->type = t;
	*out = v;
	switch (t->kind) {
	case TY_TENSOR: rc = parse_tensor(p, v); break;
	case TY_TUPLE: rc = parse_tuple(p, v); break;
	case TY_LIST: rc = parse_list(p, v); break;
	case TY_DICT: rc = parse_dict(p, v); break;
	case TY_STATE:
		rc = fail_at(p, &p->tok, "a state value cannot be written as a literal");
		break;
	}
	if (rc)
		return p->status;
	leave(p);
	return 0;
}

/* literal = type "(" body ")" */
static int parse_literal(struct parser *p, struct mvalue **out)
{
	struct mtype *t;

	if (parse_type(p, &t) || expect(p, '(', "after the literal's type") ||
	    parse_body(p, t, out))
		return p->status;
	return expect(p, ')', "after the literal's value");
}

/* ---- attributes, named values, output lists ----------------------------- */

/* attrs = "[" attr {"," attr} "]"   attr = IDENT "=" literal */
static int parse_attrs(struct parser *p, size_t *n, struct attribute **out)
{
	size_t cap = 0;

	*n = 0;
	*out = NULL;
	if (!accept(p, '['))
		return 0;
	do {
		struct attribute *a = grow(p, *out, *n, &cap, sizeof **out);
		if (!a)
			return nomem(p);
		*out = a;
		if (expect_ident(p, "an attribute name", "", &a[*n].key) ||
		    expect(p, '=', "after the attribute name") || parse_literal(p, &a[*n].value))
			return p->status;
		(*n)++;
	} while (accept(p, ','));
	return expect(p, ']', "after the attributes");
}

/* named = type IDENT */
static int parse_named(struct parser *p, struct named_type *nt)
{
	if (parse_type(p, &nt->type))
		return p->status;
	return expect_ident(p, "a name", "after the type", &nt->name);
}

/* named_list = [named {"," named}] ")"   (function and block inputs) */
static int parse_named_list(struct parser *p, size_t *n, struct named_type **out)
{
	size_t cap = 0;

	if (!at(p, ')')) {
		do {
			struct named_type *nt = grow(p, *out, *n, &cap, sizeof **out);
			if (!nt)
				return nomem(p);
			*out = nt;
			if (parse_named(p, &nt[*n]))
				return p->status;
			(*n)++;
		} while (accept(p, ','));
	}
	return expect(p, ')', "after the inputs");
}

/* outlist = "(" [IDENT {"," IDENT}] ")" */
static int parse_outlist(struct parser *p, size_t *n, const char ***out)
{
	size_t cap = 0;

	if (expect(p, '(', "to open the output list"))
		return p->status;
	if (!at(p, ')')) {
		do {
			const char **o = grow(p, *out, *n, &cap, sizeof **out);
			if (!o)
				return nomem(p);
			*out = o;
			if (expect_ident(p, "an output name", "", &o[*n]))
				return p->status;
			(*n)++;
		} while (accept(p, ','));
	}
	return expect(p, ')', "after the output names");
}

/* ---- statements and blocks ---------------------------------------------- */

static int parse_statements(struct parser *p, struct block *b);

/* True when the current identifier starts a literal rather than naming a
** variable: a type name followed by "<", or a bare DTYPE followed by "(". */
static bool at_literal(const struct parser *p)
{
	struct token next = peek2(p);

	return p->tok.kind == TK_IDENT && (mil_tok_is(&next, '<') || mil_tok_is(&next, '('));
}

/* binding = IDENT | literal */
static int parse_binding(struct parser *p, struct binding *b)
{
	if (p->tok.kind != TK_IDENT)
		return expected(p, "a variable or a literal", "");
	if (at_literal(p))
		return parse_literal(p, &b->value);
	return expect_ident(p, "a variable", "", &b->name);
}

/* input = IDENT "=" (binding | "(" binding {"," binding} ")") */
static int parse_input(struct parser *p, struct argument *arg)
{
	size_t cap = 0;

	if (expect_ident(p, "an input name", "", &arg->param) ||
	    expect(p, '=', "after the input name"))
		return p->status;
	if (!accept(p, '(')) {
		arg->n = 1;
		arg->b = arena_alloc(p->a, sizeof *arg->b);
		if (!arg->b)
			return nomem(p);
		return parse_binding(p, arg->b);
	}
	do {
		struct binding *b = grow(p, arg->b, arg->n, &cap, sizeof *b);
		if (!b)
			return nomem(p);
		arg->b = b;
		if (parse_binding(p, &b[arg->n]))
			return p->status;
		arg->n++;
	} while (accept(p, ','));
	return expect(p, ')', "after the bindings");
}

/* block = IDENT "(" named_list [attrs] "{" {statement} "}" "->" outlist ";" */
static int parse_block(struct parser *p, struct block *b)
{
	if (p->tok.kind != TK_IDENT)
		return expected(p, "a block", "");
	advance(p); /* blockN: the index is implied by the position */
	if (expect(p, '(', "after the block name") ||
	    parse_named_list(p, &b->ninputs, &b->inputs) || parse_attrs(p, &b->nattrs, &b->attrs) ||
	    expect(p, '{', "to open the block") || parse_statements(p, b) ||
	    expect(p, '}', "to close the block") || expect_arrow(p, "after the block") ||
	    parse_outlist(p, &b->noutputs, &b->outputs))
		return p->status;
	return expect(p, ';', "after the block's outputs");
}

/* blocks = "{" {block} "}"   (cond, while_loop: UNVERIFIED layout) */
static int parse_blocks(struct parser *p, struct op *op)
{
	size_t cap = 0;

	if (enter(p))
		return p->status;
	advance(p); /* "{" */
	while (!at(p, '}') && p->tok.kind != TK_EOF) {
		struct block *b = grow(p, op->blocks, op->nblocks, &cap, sizeof *b);
		if (!b)
			return nomem(p);
		op->blocks = b;
		memset(&b[op->nblocks], 0, sizeof *b);
		if (parse_block(p, &b[op->nblocks]))
			return p->status;
		op->nblocks++;
	}
	leave(p);
	return expect(p, '}', "after the op's blocks");
}

/* outs = named {"," named} "=" */
static int parse_op_outputs(struct parser *p, struct op *op)
{
	size_t cap = 0;

	do {
		struct named_type *nt = grow(p, op->outputs, op->noutputs, &cap, sizeof *nt);
		if (!nt)
			return nomem(p);
		op->outputs = nt;
		if (parse_named(p, &nt[op->noutputs]))
			return p->status;
		op->noutputs++;
	} while (accept(p, ','));
	return expect(p, '=', "after the op's outputs");
}

/* statement = [outs] IDENT "(" [input {"," input}] ")" [attrs] [blocks] ";"
** An identifier directly followed by "(" is the op type of a statement
** without outputs; anything else starts the output list. */
static int parse_op(struct parser *p, struct op *op)
{
	struct token next = peek2(p);
	size_t cap = 0;

	if (p->tok.kind != TK_IDENT)
		return expected(p, "a statement or '}'", "");
	op->line = p->tok.line;
	op->col = p->tok.col;
	if (!mil_tok_is(&next, '(') && parse_op_outputs(p, op))
		return p->status;
	if (expect_ident(p, "an op type", "", &op->type) || expect(p, '(', "after the op type"))
		return p->status;
	if (!at(p, ')')) {
		do {
			struct argument *a = grow(p, op->inputs, op->ninputs, &cap, sizeof *a);
			if (!a)
				return nomem(p);
			op->inputs = a;
			memset(&a[op->ninputs], 0, sizeof *a);
			if (parse_input(p, &a[op->ninputs]))
				return p->status;
			op->ninputs++;
		} while (accept(p, ','));
	}
	if (expect(p, ')', "after op inputs") || parse_attrs(p, &op->nattrs, &op->attrs))
		return p->status;
	if (at(p, '{') && parse_blocks(p, op))
		return p->status;
	return expect(p, ';', "after the statement");
}

/* {statement} up to the closing "}" (not consumed). */
static int parse_statements(struct parser *p, struct block *b)
{
	size_t cap = 0;

	if (enter(p))
		return p->status;
	while (!at(p, '}') && p->tok.kind != TK_EOF) {
		struct op *op = grow(p, b->ops, b->nops, &cap, sizeof *op);
		if (!op)
			return nomem(p);
		b->ops = op;
		memset(&op[b->nops], 0, sizeof *op);
		if (parse_op(p, &op[b->nops]))
			return p->status;
		b->nops++;
	}
	leave(p);
	return 0;
}

/* ---- functions and the program ------------------------------------------ */

/* OPSET = "ios" NUMBER, one of the opsets of model.c's table. */
static int parse_opset(struct parser *p, struct function *f)
{
	unsigned ios = 0;
	const char *opset = NULL;

	if (p->tok.kind != TK_IDENT)
		return expected(p, "an opset (ios15 ... ios26)", "");
	if (p->tok.len == 5 && strncmp(p->tok.s, "ios", 3) == 0 && p->tok.s[3] >= '1' &&
	    p->tok.s[3] <= '9' && p->tok.s[4] >= '0' && p->tok.s[4] <= '9') {
		ios = (unsigned)(p->tok.s[3] - '0') * 10 + (unsigned)(p->tok.s[4] - '0');
		opset = model_ios_opset(ios);
	}
	if (!opset)
		return fail_at(p, &p->tok,
			       "unknown opset '%.*s' (known: ios15, ios16, ios17, ios18, ios26)",
			       (int)p->tok.len, p->tok.s);
	f->opset = opset;
	f->ios = ios;
	advance(p);
	return 0;
}

/* function = "func" IDENT "<" OPSET ">" "(" named_list [attrs]
**            "{" {statement} "}" "->" outlist ";" */
static int parse_function(struct parser *p, const struct program *prog, struct function *f)
{
	char q[DIAG_QUOTE_MAX];
	struct token name = p->tok;

	if (expect_ident(p, "a function name", "after 'func'", &f->name))
		return p->status;
	for (size_t i = 0; i < prog->nfuncs; i++)
		if (strcmp(prog->funcs[i].name, f->name) == 0)
			return fail_at(p, &name, "function '%s' defined twice",
				       diag_quote(q, f->name));
	if (expect(p, '<', "after the function name") || parse_opset(p, f) ||
	    expect(p, '>', "after the opset") || expect(p, '(', "to open the function inputs") ||
	    parse_named_list(p, &f->ninputs, &f->inputs) || parse_attrs(p, &f->nattrs, &f->attrs) ||
	    expect(p, '{', "to open the function body") || parse_statements(p, &f->body) ||
	    expect(p, '}', "to close the function body") ||
	    expect_arrow(p, "after the function body") ||
	    parse_outlist(p, &f->body.noutputs, &f->body.outputs))
		return p->status;
	return expect(p, ';', "after the function's outputs");
}

/* The string held by dict value 'v' under 'key', or NULL. */
static const char *dict_string(const struct mvalue *v, const char *key)
{
	for (size_t i = 0; i < v->count; i++) {
		const char *k = model_value_string(v->items[i]);
		if (k && strcmp(k, key) == 0)
			return model_value_string(v->values[i]);
	}
	return NULL;
}

/* Report the compiler's two buildInfo entries and remove them; drop the
** attribute when nothing else is left in it. */
static void split_build_info(struct program *prog, struct mil_info *info)
{
	for (size_t i = 0; i < prog->nattrs; i++) {
		struct mvalue *v = prog->attrs[i].value;
		const char *s;
		size_t k = 0;
		if (strcmp(prog->attrs[i].key, "buildInfo") != 0)
			continue;
		info->has_build_info = true;
		if (v->kind != VAL_DICT)
			return;
		if ((s = dict_string(v, "coremlc-version")))
			info->coremlc_version = s;
		if ((s = dict_string(v, "coremlc-component-MIL")))
			info->coremlc_mil = s;
		for (size_t j = 0; j < v->count; j++) {
			const char *key = model_value_string(v->items[j]);
			if (key && model_value_string(v->values[j]) &&
			    (strcmp(key, "coremlc-version") == 0 ||
			     strcmp(key, "coremlc-component-MIL") == 0))
				continue;
			v->items[k] = v->items[j];
			v->values[k++] = v->values[j];
		}
		v->count = k;
		if (k == 0) {
			memmove(&prog->attrs[i], &prog->attrs[i + 1],
				(prog->nattrs - i - 1) * sizeof *prog->attrs);
			prog->nattrs--;
		}
		return;
	}
}

/* header = "program" "(" ("1.0" | "1.3") ")" */
static int parse_header(struct parser *p, struct mil_info *info)
{
	if (expect_word(p, "program", "at the start of model.mil") ||
	    expect(p, '(', "after 'program'"))
		return p->status;
	if (p->tok.kind == TK_NUMBER && p->tok.len == 3 &&
	    (memcmp(p->tok.s, "1.0", 3) == 0 || memcmp(p->tok.s, "1.3", 3) == 0)) {
		info->dialect = p->tok.s[2] == '0' ? "1.0" : "1.3";
		advance(p);
	} else if (p->tok.kind == TK_NUMBER) {
		return fail_at(p, &p->tok,
			       "unsupported program version '%.*s' (expected 1.0 or 1.3)",
			       (int)p->tok.len, p->tok.s);
	} else {
		return expected(p, "a program version", "after 'program('");
	}
	return expect(p, ')', "after the program version");
}

/* program = header [attrs] "{" function {function} "}" EOF */
static int parse_program(struct parser *p, struct model *m, struct mil_info *info)
{
	struct program *prog = arena_alloc(p->a, sizeof *prog);
	size_t cap = 0;

	if (!prog)
		return nomem(p);
	prog->version = 1; /* Program.version of every source seen */
	m->program = prog;
	if (parse_header(p, info) || parse_attrs(p, &prog->nattrs, &prog->attrs) ||
	    expect(p, '{', "to open the program"))
		return p->status;
	while (!at(p, '}') && p->tok.kind != TK_EOF) {
		struct function *f = grow(p, prog->funcs, prog->nfuncs, &cap, sizeof *f);
		if (!f)
			return nomem(p);
		prog->funcs = f;
		memset(&f[prog->nfuncs], 0, sizeof *f);
		if (expect_word(p, "func", "or '}'") || parse_function(p, prog, &f[prog->nfuncs]))
			return p->status;
		prog->nfuncs++;
	}
	if (prog->nfuncs == 0 && at(p, '}'))
		return fail_at(p, &p->tok, "program without functions");
	if (expect(p, '}', "to close the program") ||
	    (p->tok.kind != TK_EOF &&
	     expected(p, "end of input", "after the program's closing '}'")))
		return p->status;
	split_build_info(prog, info);
	return p->status;
}

int mil_parse(struct arena *a, const char *origin, const char *text, size_t len, struct model **out,
	      struct mil_info *info, struct mlcc_diag *d)
{
	static const ModelDescription empty = CORE_ML__SPECIFICATION__MODEL_DESCRIPTION__INIT;
	struct parser p = {.a = a, .d = d, .origin = origin};
	struct mil_info local;
	struct model *m;

	if (!info)
		info = &local;
	*info = (struct mil_info){"", false, "", ""};
	m = arena_alloc(a, sizeof *m);
	if (m)
		m->desc = arena_alloc(a, sizeof *m->desc);
	if (!m || !m->desc)
		return diag_fail(d, MLCC_E_NOMEM, "%s: out of memory", origin);
	*m->desc = empty;
	m->arena = a;
	m->origin = origin;
	m->kind = MODEL_ML_PROGRAM;
	m->type_field = CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM;
	mil_lex_init(&p.lx, text, len);
	p.tok.kind = TK_IDENT; /* anything but EOF, so that advance() reads */
	advance(&p);
	if (parse_program(&p, m, info))
		return p.status;
	*out = m;
	return MLCC_OK;
}
