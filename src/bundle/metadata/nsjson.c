/*
** nsjson.c -- NSJSONSerialization-style pretty printing.
**
** Observed format (docs/spec/mlmodelc.md §5.1, VERIFIED on the corpus):
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
#include "bundle/metadata/nsjson.h"

#include <stdlib.h>
#include <string.h>

static struct nsj *make(struct arena *a, enum nsj_type t)
{
	struct nsj *v = arena_alloc(a, sizeof *v);

	if (v)
		v->type = t;
	return v;
}

struct nsj *nsj_string(struct arena *a, const char *s)
{
	struct nsj *v = s ? make(a, NSJ_STRING) : NULL;

	if (v)
		v->str = s;
	return v;
}

struct nsj *nsj_int(struct arena *a, int64_t n)
{
	struct nsj *v = make(a, NSJ_INT);

	if (v)
		v->num = n;
	return v;
}

struct nsj *nsj_array(struct arena *a)
{
	return make(a, NSJ_ARRAY);
}

struct nsj *nsj_object(struct arena *a, int kind)
{
	struct nsj *v = make(a, NSJ_OBJECT);

	if (v)
		v->kind = kind;
	return v;
}

static int grow(struct arena *a, struct nsj *c)
{
	size_t cap = c->cap ? 2 * c->cap : 8;
	struct nsj **items = arena_array(a, cap, sizeof *items);
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

static struct nsj *add(struct arena *a, struct nsj *c, const char *key, struct nsj *item)
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

struct nsj *nsj_push(struct arena *a, struct nsj *array, struct nsj *item)
{
	return add(a, array, NULL, item);
}

struct nsj *nsj_set(struct arena *a, struct nsj *obj, const char *key, struct nsj *item)
{
	/* A key that could not be allocated fails the object like an item
	** that could not: it must never be stored as NULL. */
	if (!key) {
		if (obj)
			obj->failed = 1;
		return NULL;
	}
	return add(a, obj, key, item);
}

int nsj_failed(const struct nsj *v)
{
	if (!v || v->failed)
		return 1;
	for (size_t i = 0; i < v->n; i++)
		if (nsj_failed(v->items[i]))
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

static int print(struct wbuf *w, const struct nsj *v, unsigned level, nsj_order_fn order, void *ctx)
{
	size_t *idx = NULL;
	int rc = 0;

	switch (v->type) {
	case NSJ_STRING: put_string(w, v->str); return 0;
	case NSJ_INT: wbuf_put_i64(w, v->num); return 0;
	case NSJ_ARRAY:
	case NSJ_OBJECT: break;
	}
	wbuf_puts(w, v->type == NSJ_ARRAY ? "[\n" : "{\n");
	if (v->n == 0)
		wbuf_putc(w, '\n');
	if (v->type == NSJ_OBJECT && v->n) {
		idx = malloc(v->n * sizeof *idx);
		if (!idx || order(ctx, v, idx) != 0) {
			free(idx);
			return -1;
		}
	}
	for (size_t i = 0; i < v->n && !rc; i++) {
		size_t k = idx ? idx[i] : i;
		indent(w, level + 1);
		if (v->type == NSJ_OBJECT) {
			put_string(w, v->keys[k]);
			wbuf_puts(w, " : ");
		}
		rc = print(w, v->items[k], level + 1, order, ctx);
		wbuf_puts(w, i + 1 < v->n ? ",\n" : "\n");
	}
	free(idx);
	indent(w, level);
	wbuf_putc(w, v->type == NSJ_ARRAY ? ']' : '}');
	return rc;
}

int nsj_print(struct wbuf *w, const struct nsj *v, nsj_order_fn order, void *ctx)
{
	return print(w, v, 0, order, ctx);
}
