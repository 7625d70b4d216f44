/* load: what every part of the course loader shares while parsing one file.
 *
 * course.c reads course.json first (it knows the languages and the package)
 * and then hands each lesson, quiz and scenario file to its parser with this
 * context: the file's JSON with positions, the course arena the immutable
 * model is built in, and the diagnostics list everything is reported to.
 */
#ifndef DH_LOAD_H
#define DH_LOAD_H

#include "arena.h"
#include "diag.h"
#include "i18n.h"
#include "json.h"
#include "package.h"

#include <stdbool.h>

typedef struct dh_LoadCtx {
    dh_Arena *arena;              /* the course model's arena */
    dh_Diags *diags;              /* where problems go */
    const dh_Json *doc;           /* the file being parsed */
    dh_Package *pkg;              /* for asset existence checks (may be NULL) */
    const char *const *languages; /* the course's languages */
    int nlanguages;
    bool oom;                     /* an arena allocation failed: abandon, DH_ENOMEM */
} dh_LoadCtx;

/* Kinds of asset a reference may name, for dh_load_asset. */
enum { DH_ASSET_IMAGE = 1, DH_ASSET_AUDIO = 2, DH_ASSET_FONT = 4 };

/* Localized text from value v (a string or a {lang: string} map): languages
 * must be valid and should be among the course's (warning otherwise); a map
 * missing one of the course's languages gets a warning naming it. `what`
 * names the field in messages. Returns false (reported) if v is unusable. */
bool dh_load_text_value(dh_LoadCtx *c, const cJSON *v, const char *what, dh_Text *out);
/* The same for member key of obj; absent and not required gives count 0. */
bool dh_load_text(dh_LoadCtx *c, const cJSON *obj, const char *key, bool required, dh_Text *out);

/* An asset path member (e.g. "assets/mail1.png"): relative, no "..", under
 * assets/, of one of the kinds in `kinds` by extension, and present in the
 * package. Returns an arena copy, or NULL (reported). */
const char *dh_load_asset(dh_LoadCtx *c, const cJSON *obj, const char *key, bool required, int kinds);

/* Arena copies that set c->oom on failure (and return NULL). */
char *dh_load_strdup(dh_LoadCtx *c, const char *s);
void *dh_load_array(dh_LoadCtx *c, size_t n, size_t size);

/* Report an error/warning at a JSON value of the current file. */
#define DH_LOAD_ERROR(c, at, ...) dh_json_diag((c)->doc, (c)->diags, DH_ERROR, (at), __VA_ARGS__)
#define DH_LOAD_WARN(c, at, ...) dh_json_diag((c)->doc, (c)->diags, DH_WARNING, (at), __VA_ARGS__)

#endif
