/* error: status codes and the caller-owned error record.
 *
 * Functions that can fail return a dh_Status and, when given a dh_Error,
 * fill it with a sentence for people plus the position it concerns. Errors
 * from PhysicsFS, libsodium or the C library are translated into these at the
 * module boundary, so callers never see a bare errno. Bugs are not errors:
 * an internal invariant that fails is DH_ASSERT, which aborts.
 */
#ifndef DH_ERROR_H
#define DH_ERROR_H

#include <stdarg.h>

typedef enum dh_Status {
    DH_OK = 0,
    DH_EINVAL,   /* bad argument or usage */
    DH_EIO,      /* a file could not be read or written */
    DH_ENOMEM,   /* out of memory */
    DH_EFORMAT,  /* malformed content: JSON, zip, key, signature file */
    DH_ELIMIT,   /* content exceeds a safety limit */
    DH_EUNSAFE,  /* content that is refused on principle (e.g. "../" names) */
    DH_ENOTFOUND,/* a named thing does not exist */
    DH_ESIG,     /* a signature or hash does not verify */
    DH_EINVALID  /* content parsed but failed validation (see diagnostics) */
} dh_Status;

typedef struct dh_Error {
    dh_Status code;  /* DH_OK when nothing failed */
    char file[256];  /* file the error concerns, "" if none */
    int line;        /* 1-based line in file, 0 if unknown */
    int col;         /* 1-based column (in characters), 0 if unknown */
    char msg[512];   /* one sentence, no trailing newline */
} dh_Error;

#if defined(__GNUC__)
#define DH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DH_PRINTF(f, a)
#endif

/* Record an error (err may be NULL) and return code. */
dh_Status dh_fail(dh_Error *err, dh_Status code, const char *fmt, ...) DH_PRINTF(3, 4);
/* Record an error at file:line:col (err may be NULL) and return code. */
dh_Status dh_fail_at(dh_Error *err, dh_Status code, const char *file, int line, int col,
                     const char *fmt, ...) DH_PRINTF(6, 7);
/* Reset err to "no error". */
void dh_error_clear(dh_Error *err);
/* Format err as "file:line:col: message" (or shorter) into buf. */
const char *dh_error_format(const dh_Error *err, char *buf, int size);
/* A short name for a status code ("out of memory", ...). */
const char *dh_status_name(dh_Status code);

/* Abort with file:line when an internal invariant fails (a bug, never content). */
#define DH_ASSERT(cond) \
    ((cond) ? (void)0 : dh_assert_fail(#cond, __FILE__, __LINE__))
void dh_assert_fail(const char *expr, const char *file, int line);

#endif
