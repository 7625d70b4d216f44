/* buf: appending with doubling growth; failures are sticky (oom). */
#include "buf.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void dh_buf_add(dh_Buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = dh_realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void dh_buf_puts(dh_Buf *b, const char *s)
{
    dh_buf_add(b, s, strlen(s));
}

void dh_buf_printf(dh_Buf *b, const char *fmt, ...)
{
    char small[256]; /* numbers and short ids: no allocation */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    DH_ASSERT(n >= 0);
    if ((size_t)n < sizeof small) {
        dh_buf_add(b, small, (size_t)n);
        return;
    }
    char *big = dh_malloc((size_t)n + 1);
    if (!big) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    dh_buf_add(b, big, (size_t)n);
    dh_free(big);
}

void dh_buf_json_string(dh_Buf *b, const char *s)
{
    if (!s) {
        dh_buf_puts(b, "null");
        return;
    }
    dh_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            dh_buf_add(b, esc, 2);
        } else if (*p < 0x20) {
            dh_buf_printf(b, "\\u%04x", *p);
        } else {
            dh_buf_add(b, (const char *)p, 1);
        }
    }
    dh_buf_puts(b, "\"");
}

const char *dh_buf_str(const dh_Buf *b)
{
    return b->p ? b->p : "";
}

void dh_buf_free(dh_Buf *b)
{
    dh_free(b->p);
    *b = (dh_Buf){0};
}
