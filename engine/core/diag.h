/* diag: the list of authoring diagnostics a load or lint produces.
 *
 * Instructors want every problem in one pass, each with the file inside the
 * package, line and column their editor can jump to, in GNU style:
 *   lessons/02.json:14:9: error: answer 'c' is not one of the choices (a, b, d)
 * Loading code appends here and carries on; the caller decides whether errors
 * make the package unusable (they do) and whether warnings matter (they don't).
 */
#ifndef DH_DIAG_H
#define DH_DIAG_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum dh_Severity { DH_NOTE, DH_WARNING, DH_ERROR } dh_Severity;

typedef struct dh_Diag {
    dh_Severity severity; /* error makes the package unusable */
    char *file;           /* path inside the package, or the package itself */
    int line, col;        /* 1-based; 0 when the diagnostic has no position */
    char *msg;            /* one sentence, no trailing newline */
} dh_Diag;

typedef struct dh_Diags {
    dh_Diag *items;  /* in the order they were reported */
    int count, cap;
    int errors;      /* how many have severity DH_ERROR */
    int raised;      /* errors reported, repeats included: compare before and
                      * after a call to learn whether it found any */
    int warnings;    /* how many have severity DH_WARNING */
    int dropped;     /* reported after the cap, or lost to out-of-memory */
    bool oom;        /* an allocation failed while recording */
} dh_Diags;

/* Hostile input could otherwise produce millions of diagnostics. */
#define DH_DIAGS_MAX 500

/* Start an empty list (no allocation until the first diagnostic). */
void dh_diags_init(dh_Diags *d);
/* Free every diagnostic; the list can be reused after. */
void dh_diags_free(dh_Diags *d);
/* Append one diagnostic. file may be NULL. Never fails: OOM is counted. */
void dh_diag(dh_Diags *d, dh_Severity sev, const char *file, int line, int col,
             const char *fmt, ...) DH_PRINTF(6, 7);
void dh_diagv(dh_Diags *d, dh_Severity sev, const char *file, int line, int col,
              const char *fmt, va_list ap);
/* Append an error from a dh_Error (its file and position). */
void dh_diag_error(dh_Diags *d, const dh_Error *err);
/* Sort by file, then line, then column (stable: equal keys keep their order). */
void dh_diags_sort(dh_Diags *d);
/* Print each as "[prefix/]file:line:col: severity: message" plus a note
 * about dropped diagnostics. prefix may be NULL. */
void dh_diags_print(const dh_Diags *d, FILE *out, const char *prefix);

/* "Did you mean ...?" for an unknown name: the closest candidate within two
 * edits (and fewer edits than the name is long), so that typos in ids,
 * member names and values all get the same kind of hint. */
typedef struct dh_Suggest {
    const char *name; /* the unknown name (need not be NUL-terminated) */
    size_t len;       /* its length in bytes */
    const char *best; /* closest candidate so far, or NULL */
    int best_d;       /* its edit distance */
} dh_Suggest;

/* Start looking for a name close to the len bytes at name. */
void dh_suggest_init(dh_Suggest *s, const char *name, size_t len);
/* Consider one candidate (NULL or "" are skipped). */
void dh_suggest_try(dh_Suggest *s, const char *candidate);
/* " (did you mean 'x'?)" into buf, or "" when nothing was close. */
const char *dh_suggest_text(const dh_Suggest *s, char *buf, size_t size);
/* All in one: the hint for name among n candidates. */
const char *dh_suggest(const char *name, const char *const *names, int n, char *buf, size_t size);
/* "a, b, c" into buf, ending in "..." if it does not fit. */
const char *dh_join_names(const char *const *names, int n, char *buf, size_t size);

#endif
