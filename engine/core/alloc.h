/* alloc: the one route every allocation of the core takes.
 *
 * Routing malloc through a single hook lets tests fail the Nth allocation
 * (as SQLite and Lua do) and prove that every out-of-memory path returns an
 * error instead of crashing or leaking. cJSON and PhysicsFS are pointed at the
 * same hook by dh_alloc_install(), so their allocations are counted too.
 */
#ifndef DH_ALLOC_H
#define DH_ALLOC_H

#include <stddef.h>

/* Allocate like malloc/calloc/realloc; NULL on failure (real or injected). */
void *dh_malloc(size_t size);
void *dh_calloc(size_t n, size_t size);
void *dh_realloc(void *p, size_t size);
/* Free memory from dh_malloc; NULL is a no-op. */
void dh_free(void *p);
/* Duplicate a NUL-terminated string, or the first n bytes of s (then NUL). */
char *dh_strdup(const char *s);
char *dh_strndup(const char *s, size_t n);

/* Route cJSON's and PhysicsFS's allocations through dh_malloc. Call once,
 * before PHYSFS_init (dh_package_init does it). */
void dh_alloc_install(void);

/* Test hook: make the nth allocation from now (1-based) and every later one
 * fail; n <= 0 turns injection off. */
void dh_alloc_fail_after(long n);
/* Number of allocations attempted since the last dh_alloc_fail_after(). */
long dh_alloc_count(void);
/* Number of allocations refused (injected or real) since the program started:
 * lets a caller tell "out of memory" from "bad input" when a library such as
 * cJSON reports both the same way. */
long dh_alloc_failures(void);

#endif
