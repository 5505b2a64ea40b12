/*
** strmap.h -- a string-keyed hash map (open addressing, linear probing).
**
** Keys are not copied: they must outlive the map (model strings live in
** the model's arena).  Used to resolve variable names to their types.
*/
#ifndef MLCC_STRMAP_H
#define MLCC_STRMAP_H

#include "mlccint.h"

#include <stddef.h>

struct strmap_slot;

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t count;
};

void strmap_init(struct strmap *m);

/* Insert or replace; returns 0, or -1 when out of memory. */
MLCC_MUST_CHECK int strmap_put(struct strmap *m, const char *key, void *value);

/* The value of 'key', or NULL. */
void *strmap_get(const struct strmap *m, const char *key);

void strmap_free(struct strmap *m);

#endif
