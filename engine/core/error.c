/* error: filling dh_Error records and formatting them for people. */
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_file(dh_Error *err, const char *file)
{
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
}

dh_Status dh_fail(dh_Error *err, dh_Status code, const char *fmt, ...)
{
    if (!err) return code;
    va_list ap;
    err->code = code;
    err->file[0] = '\0';
    err->line = err->col = 0;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

dh_Status dh_fail_at(dh_Error *err, dh_Status code, const char *file, int line, int col,
                     const char *fmt, ...)
{
    if (!err) return code;
    va_list ap;
    err->code = code;
    set_file(err, file);
    err->line = line;
    err->col = col;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void dh_error_clear(dh_Error *err)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
}

const char *dh_error_format(const dh_Error *err, char *buf, int size)
{
    if (err->file[0] && err->line > 0)
        snprintf(buf, (size_t)size, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
    else if (err->file[0])
        snprintf(buf, (size_t)size, "%s: %s", err->file, err->msg);
    else
        snprintf(buf, (size_t)size, "%s", err->msg);
    return buf;
}

const char *dh_status_name(dh_Status code)
{
    switch (code) {
    case DH_OK: return "ok";
    case DH_EINVAL: return "invalid argument";
    case DH_EIO: return "input/output error";
    case DH_ENOMEM: return "out of memory";
    case DH_EFORMAT: return "malformed content";
    case DH_ELIMIT: return "over a safety limit";
    case DH_EUNSAFE: return "unsafe content";
    case DH_ENOTFOUND: return "not found";
    case DH_ESIG: return "signature or hash mismatch";
    case DH_EINVALID: return "content has errors";
    }
    return "unknown error";
}

void dh_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "%s:%d: internal error: assertion '%s' failed\n", file, line, expr);
    abort();
}
