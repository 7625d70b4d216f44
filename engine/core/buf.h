/* buf: a growable NUL-terminated text buffer for writing JSON and IRIs.
 *
 * The resume blobs of quizzes and exercises, their reviews, and the IRIs and
 * response patterns of xAPI statements are all built piece by piece. An
 * allocation failure is remembered (oom) rather than checked at every call,
 * so writers stay short; the caller checks oom once at the end.
 */
#ifndef DH_BUF_H
#define DH_BUF_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct dh_Buf {
    char *p;    /* the text, NUL-terminated; NULL while empty */
    size_t n;   /* bytes of text */
    size_t cap; /* bytes allocated */
    bool oom;   /* an allocation failed: the text is incomplete */
} dh_Buf;

/* Append n bytes of s / a string / printf output (any length). */
void dh_buf_add(dh_Buf *b, const char *s, size_t n);
void dh_buf_puts(dh_Buf *b, const char *s);
void dh_buf_printf(dh_Buf *b, const char *fmt, ...) DH_PRINTF(2, 3);
/* Append s as a JSON string ("..." with escapes), or null for NULL. */
void dh_buf_json_string(dh_Buf *b, const char *s);
/* The text so far ("" when empty), valid until the next append. */
const char *dh_buf_str(const dh_Buf *b);
/* Free the text; the buffer is empty and reusable. */
void dh_buf_free(dh_Buf *b);

#endif
