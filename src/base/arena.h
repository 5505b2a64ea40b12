/*
** arena.h -- region allocation for one model's lifetime.
**
** The in-memory model (and the protobuf tree it was read from) is allocated
** from one arena and released at once by arena_free(); nothing inside is
** freed piecemeal.  Allocation never returns NULL silently: arena_alloc()
** returns NULL only when the system is out of memory, and callers turn that
** into MLCC_E_NOMEM.
*/
#ifndef MLCC_ARENA_H
#define MLCC_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* newest chunk first */
	size_t total;		  /* bytes obtained from malloc, for stats */
};

/* Fault injection: defined only by the test programs of
** tests/support/faults.c (mlcc_faults), where it makes chosen arena
** allocations fail; everywhere else the weak reference is NULL.  The
** mlcc_ prefix keeps a client of libmlcc.a from defining it by chance. */
extern int mlcc_test_arena_fault(void) __attribute__((weak, visibility("hidden")));

/* An empty arena; no allocation happens until the first arena_alloc(). */
void arena_init(struct arena *a);

/* 'size' bytes, zeroed, aligned for any type; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);

/* Like arena_alloc(), not zeroed: for callers that fill every byte (the
** protobuf decoder initializes each message it allocates). */
void *arena_alloc_raw(struct arena *a, size_t size);

/* 'n' elements of 'size' bytes, zeroed; NULL on overflow or no memory. */
void *arena_array(struct arena *a, size_t n, size_t size);

/* A NUL-terminated copy of 'len' bytes of 's'. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);

/* Release every allocation; 'a' is empty again afterwards.  NULL is fine. */
void arena_free(struct arena *a);

#endif
