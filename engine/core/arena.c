/* arena: blocks of at least 16 KiB, larger requests get a block of their own. */
#include "arena.h"

#include "alloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

struct dh_ArenaBlock {
    dh_ArenaBlock *next; /* older block */
    size_t size, off;    /* capacity and fill of data[] */
    alignas(max_align_t) unsigned char data[];
};

enum { BLOCK_MIN = 16 * 1024 };

void dh_arena_init(dh_Arena *a)
{
    a->head = NULL;
    a->used = 0;
}

void dh_arena_free(dh_Arena *a)
{
    dh_ArenaBlock *b = a->head;
    while (b) {
        dh_ArenaBlock *next = b->next;
        dh_free(b);
        b = next;
    }
    dh_arena_init(a);
}

void *dh_arena_alloc(dh_Arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size > SIZE_MAX / 2) return NULL;
    size = (size + align - 1) & ~(align - 1);
    if (size == 0) size = align;
    dh_ArenaBlock *b = a->head;
    if (!b || b->size - b->off < size) {
        size_t cap = size > BLOCK_MIN ? size : BLOCK_MIN;
        b = dh_malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->size = cap;
        b->off = 0;
        if (a->head && size > BLOCK_MIN) {
            /* Keep the current block in front: it still has room. */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->off;
    b->off += size;
    a->used += size;
    memset(p, 0, size);
    return p;
}

void *dh_arena_array(dh_Arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    return dh_arena_alloc(a, n * size);
}

char *dh_arena_strndup(dh_Arena *a, const char *s, size_t n)
{
    char *d = dh_arena_alloc(a, n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *dh_arena_strdup(dh_Arena *a, const char *s)
{
    return dh_arena_strndup(a, s, strlen(s));
}
