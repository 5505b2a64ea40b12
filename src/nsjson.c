/*
** nsjson.c -- NSJSONSerialization-style pretty printing.
**
** Observed format (mlmodelc-format.md §5.1, VERIFIED on the corpus):
**   [
**     {
**       "key" : "value",
**       "empty" : [
**
**       ],
**       "n" : 9
**     }
**   ]
** String escapes: `"` and `\` (seen), `\n` (seen), `/` as `\/` (the
** NSJSONSerialization default; LOW, no sample), other control characters
** as \b \f \r \t or \u00XX (LOW).
*/
#include "nsjson.h"

#include <stdlib.h>
#include <string.h>

static struct json *make(struct arena *a, enum json_type t)
{
	struct json *v = arena_alloc(a, sizeof *v);

	if (v)
		v->type = t;
	return v;
}

struct json *json_string(struct arena *a, const char *s)
{
	struct json *v = s ? make(a, JSON_STRING) : NULL;

	if (v)
		v->str = s;
	return v;
}

struct json *json_int(struct arena *a, int64_t n)
{
	struct json *v = make(a, JSON_INT);

	if (v)
		v->num = n;
	return v;
}

struct json *json_array(struct arena *a)
{
	return make(a, JSON_ARRAY);
}

struct json *json_object(struct arena *a, int kind)
{
	struct json *v = make(a, JSON_OBJECT);

	if (v)
		v->kind = kind;
	return v;
}

static int grow(struct arena *a, struct json *c)
{
	size_t cap = c->cap ? 2 * c->cap : 8;
	struct json **items = arena_array(a, cap, sizeof *items);
	const char **keys = arena_array(a, cap, sizeof *keys);

	if (!items || !keys)
		return -1;
	if (c->n) {
		memcpy(items, c->items, c->n * sizeof *items);
		memcpy(keys, c->keys, c->n * sizeof *keys);
	}
	c->items = items;
	c->keys = keys;
	c->cap = cap;
	return 0;
}

static struct json *add(struct arena *a, struct json *c, const char *key,
			struct json *item)
{
	if (!c)
		return item;
	if (!item || (c->n == c->cap && grow(a, c) != 0)) {
		c->failed = 1;
		return NULL;
	}
	c->keys[c->n] = key;
	c->items[c->n++] = item;
	return item;
}

struct json *json_push(struct arena *a, struct json *array, struct json *item)
{
	return add(a, array, NULL, item);
}

struct json *json_set(struct arena *a, struct json *obj, const char *key,
		      struct json *item)
{
	return add(a, obj, key, item);
}

int json_failed(const struct json *v)
{
	if (!v || v->failed)
		return 1;
	for (size_t i = 0; i < v->n; i++)
		if (json_failed(v->items[i]))
			return 1;
	return 0;
}

static void indent(struct wbuf *w, unsigned level)
{
	for (unsigned i = 0; i < level; i++)
		wbuf_puts(w, "  ");
}

static void put_string(struct wbuf *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	wbuf_putc(w, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '/': esc[1] = '/'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			if (c >= 0x20)
				continue;
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
		}
		wbuf_put(w, run, (size_t)(s - run));
		wbuf_puts(w, esc);
		run = s + 1;
	}
	wbuf_put(w, run, (size_t)(s - run));
	wbuf_putc(w, '"');
}

static int print(struct wbuf *w, const struct json *v, unsigned level,
		 json_order_fn order, void *ctx)
{
	size_t *idx = NULL;
	int rc = 0;

	switch (v->type) {
	case JSON_STRING:
		put_string(w, v->str);
		return 0;
	case JSON_INT:
		wbuf_put_i64(w, v->num);
		return 0;
	case JSON_ARRAY:
	case JSON_OBJECT:
		break;
	}
	wbuf_puts(w, v->type == JSON_ARRAY ? "[\n" : "{\n");
	if (v->n == 0)
		wbuf_putc(w, '\n');
	if (v->type == JSON_OBJECT && v->n) {
		idx = malloc(v->n * sizeof *idx);
		if (!idx || order(ctx, v, idx) != 0) {
			free(idx);
			return -1;
		}
	}
	for (size_t i = 0; i < v->n && !rc; i++) {
		size_t k = idx ? idx[i] : i;
		indent(w, level + 1);
		if (v->type == JSON_OBJECT) {
			put_string(w, v->keys[k]);
			wbuf_puts(w, " : ");
		}
		rc = print(w, v->items[k], level + 1, order, ctx);
		wbuf_puts(w, i + 1 < v->n ? ",\n" : "\n");
	}
	free(idx);
	indent(w, level);
	wbuf_putc(w, v->type == JSON_ARRAY ? ']' : '}');
	return rc;
}

int json_print(struct wbuf *w, const struct json *v, json_order_fn order,
	       void *ctx)
{
	return print(w, v, 0, order, ctx);
}
