/*
** nsjson.h -- a small JSON tree printed the way NSJSONSerialization
** pretty-prints (metadata.json, docs/spec/mlmodelc.md §5.1).
**
** Objects keep their keys in the order they were added; the printer asks a
** callback for the order to print them in (NSDictionary enumeration order,
** computed by the caller from each object's 'kind').
*/
#ifndef MLCC_NSJSON_H
#define MLCC_NSJSON_H

#include "mlccint.h"

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/wbuf.h"

enum nsj_type { NSJ_STRING, NSJ_INT, NSJ_ARRAY, NSJ_OBJECT };

struct nsj {
	enum nsj_type type;
	int kind;	 /* NSJ_OBJECT: which dictionary it is (caller's) */
	const char *str; /* NSJ_STRING */
	int64_t num;	 /* NSJ_INT */
	size_t n, cap;	 /* NSJ_ARRAY, NSJ_OBJECT: items */
	struct nsj **items;
	const char **keys; /* NSJ_OBJECT: key of each item */
	int failed;	   /* an insertion into this container failed */
};

/* Constructors; NULL when out of memory (callers check once at the end
** through nsj_failed()). */
struct nsj *nsj_string(struct arena *a, const char *s);
struct nsj *nsj_int(struct arena *a, int64_t v);
struct nsj *nsj_array(struct arena *a);
struct nsj *nsj_object(struct arena *a, int kind);

/* Append to an array / set a key of an object (keys must be new).
** 'item' may be NULL (a previous failure): the container is then marked
** failed.  Returns 'item'. */
struct nsj *nsj_push(struct arena *a, struct nsj *array, struct nsj *item);
struct nsj *nsj_set(struct arena *a, struct nsj *obj, const char *key, struct nsj *item);

/* True if any constructor or insertion into 'root' failed. */
int nsj_failed(const struct nsj *root);

/* The print order of an object's keys: fill order[0..obj->n) with indices
** into obj->keys.  Returns 0 or -1 on failure. */
typedef int (*nsj_order_fn)(void *ctx, const struct nsj *obj, size_t *order);

/* Print 'v' as NSJSONSerialization's pretty printer does: two spaces per
** level, `"key" : value`, empty containers as "[\n\n<indent>]", strings
** with \" \\ \/ escaped and non-ASCII raw, no trailing newline. */
MLCC_MUST_CHECK int nsj_print(struct wbuf *w, const struct nsj *v, nsj_order_fn order, void *ctx);

#endif
