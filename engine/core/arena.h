/* arena: one bump allocator per immutable object graph.
 *
 * The course model is built once and never changed, so it lives in an arena:
 * parsing allocates freely and the whole model is released with one call.
 */
#ifndef DH_ARENA_H
#define DH_ARENA_H

#include <stddef.h>

typedef struct dh_ArenaBlock dh_ArenaBlock;

typedef struct dh_Arena {
    dh_ArenaBlock *head; /* newest block first */
    size_t used;         /* bytes handed out, for figures */
} dh_Arena;

/* An empty arena; no allocation until first use. */
void dh_arena_init(dh_Arena *a);
/* Release every block; the arena is empty and reusable after. */
void dh_arena_free(dh_Arena *a);
/* size bytes aligned for any type, zeroed; NULL when out of memory. */
void *dh_arena_alloc(dh_Arena *a, size_t size);
/* n elements of size bytes, zeroed; NULL on overflow or out of memory. */
void *dh_arena_array(dh_Arena *a, size_t n, size_t size);
/* Copies of strings into the arena; NULL when out of memory. */
char *dh_arena_strdup(dh_Arena *a, const char *s);
char *dh_arena_strndup(dh_Arena *a, const char *s, size_t n);

#endif
