/* alloc: counted allocation with failure injection.
 *
 * Every allocation in the core, and in cJSON and PhysicsFS once installed,
 * passes dh_malloc/dh_realloc. A test sets dh_alloc_fail_after(N) and the Nth
 * request fails and so do all later ones, which models a process that has
 * run out of memory for good, the hardest case for cleanup code.
 */
#include "alloc.h"

#include <cjson/cJSON.h>
#include <physfs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long fail_at;  /* 0: injection off; else fail from this count on */
static long counter;  /* allocations attempted since last reset */
static long failures; /* allocations refused since program start */

static int should_fail(void)
{
    counter++;
    if (fail_at > 0 && counter >= fail_at) {
        failures++;
        return 1;
    }
    return 0;
}

void *dh_malloc(size_t size)
{
    if (should_fail()) return NULL;
    void *p = malloc(size ? size : 1);
    if (!p) failures++;
    return p;
}

void *dh_calloc(size_t n, size_t size)
{
    if (should_fail()) return NULL;
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) failures++;
    return p;
}

void *dh_realloc(void *p, size_t size)
{
    if (should_fail()) return NULL;
    void *q = realloc(p, size ? size : 1);
    if (!q) failures++;
    return q;
}

void dh_free(void *p)
{
    free(p);
}

char *dh_strndup(const char *s, size_t n)
{
    char *d = dh_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *dh_strdup(const char *s)
{
    return dh_strndup(s, strlen(s));
}

void dh_alloc_fail_after(long n)
{
    fail_at = n > 0 ? n : 0;
    counter = 0;
}

long dh_alloc_count(void)
{
    return counter;
}

long dh_alloc_failures(void)
{
    return failures;
}

/* PhysicsFS passes sizes as PHYSFS_uint64. */
static int physfs_init_noop(void) { return 1; }
static void physfs_deinit_noop(void) {}
static void *physfs_malloc(PHYSFS_uint64 n)
{
    return n > (PHYSFS_uint64)SIZE_MAX ? NULL : dh_malloc((size_t)n);
}
static void *physfs_realloc(void *p, PHYSFS_uint64 n)
{
    return n > (PHYSFS_uint64)SIZE_MAX ? NULL : dh_realloc(p, (size_t)n);
}

void dh_alloc_install(void)
{
    static cJSON_Hooks hooks = {dh_malloc, dh_free};
    static const PHYSFS_Allocator physfs_alloc = {
        physfs_init_noop, physfs_deinit_noop, physfs_malloc, physfs_realloc, dh_free};
    cJSON_InitHooks(&hooks);
    PHYSFS_setAllocator(&physfs_alloc);
}
