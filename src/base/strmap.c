/*
** strmap.c -- string hash map with linear probing, load factor <= 1/2.
*/
#include "base/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strmap_slot {
	const char *key; /* NULL: empty */
	void *value;
};

/* FNV-1a, 64-bit. */
static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	/* The low bits index the table, but a multiply carries only upward:
	** fold the high bits down (keys differing in a few middle characters,
	** "weights/f000123.bin", would cluster otherwise). */
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93u;
	h ^= h >> 32;
	return h;
}

void strmap_init(struct strmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

static struct strmap_slot *find(struct strmap_slot *slots, size_t cap, const char *key)
{
	size_t i = (size_t)hash(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int rehash(struct strmap *m, size_t cap)
{
	struct strmap_slot *slots = calloc(cap, sizeof *slots);

	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find(slots, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_slot *s;

	if (2 * (m->count + 1) > m->cap && rehash(m, m->cap ? 2 * m->cap : 64) != 0)
		return -1;
	s = find(m->slots, m->cap, key);
	if (!s->key) {
		s->key = key;
		m->count++;
	}
	s->value = value;
	return 0;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	return find(m->slots, m->cap, key)->value;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	strmap_init(m);
}
