/*
** nsjson.h -- a small JSON tree printed the way NSJSONSerialization
** pretty-prints (metadata.json, mlmodelc-format.md §5.1).
**
** Objects keep their keys in the order they were added; the printer asks a
** callback for the order to print them in (NSDictionary enumeration order,
** computed by the caller from each object's 'kind').
*/
#ifndef MLCC_NSJSON_H
#define MLCC_NSJSON_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "wbuf.h"

enum json_type { JSON_STRING, JSON_INT, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	int kind;           /* JSON_OBJECT: which dictionary it is (caller's) */
	const char *str;    /* JSON_STRING */
	int64_t num;        /* JSON_INT */
	size_t n, cap;      /* JSON_ARRAY, JSON_OBJECT: items */
	struct json **items;
	const char **keys;  /* JSON_OBJECT: key of each item */
	int failed;         /* an insertion into this container failed */
};

/* Constructors; NULL when out of memory (callers check once at the end
** through json_failed()). */
struct json *json_string(struct arena *a, const char *s);
struct json *json_int(struct arena *a, int64_t v);
struct json *json_array(struct arena *a);
struct json *json_object(struct arena *a, int kind);

/* Append to an array / set a key of an object (keys must be new).
** 'item' may be NULL (a previous failure): the container is then marked
** failed.  Returns 'item'. */
struct json *json_push(struct arena *a, struct json *array, struct json *item);
struct json *json_set(struct arena *a, struct json *obj, const char *key,
		      struct json *item);

/* True if any constructor or insertion into 'root' failed. */
int json_failed(const struct json *root);

/* The print order of an object's keys: fill order[0..obj->n) with indices
** into obj->keys.  Returns 0 or -1 on failure. */
typedef int (*json_order_fn)(void *ctx, const struct json *obj, size_t *order);

/* Print 'v' as NSJSONSerialization's pretty printer does: two spaces per
** level, `"key" : value`, empty containers as "[\n\n<indent>]", strings
** with \" \\ \/ escaped and non-ASCII raw, no trailing newline. */
int json_print(struct wbuf *w, const struct json *v, json_order_fn order,
	       void *ctx);

#endif
