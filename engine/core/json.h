/* json: cJSON documents that remember where every value came from.
 *
 * cJSON parses well but forgets positions, and on a syntax error it only
 * leaves a pointer. Instructors need "lessons/02.json:14:9", so after cJSON
 * has accepted a text we walk the text and the tree side by side and record
 * the byte offset of every value and every member name. Offsets become
 * line:column (column counted in characters) only when a diagnostic asks.
 *
 * The typed getters below report what is wrong in an instructor's words
 * ("'pages' must be an array, not a string") at the right position, and
 * return NULL/defaults so parsing can go on and find the next problem.
 */
#ifndef DH_JSON_H
#define DH_JSON_H

#include "diag.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deeper nesting than this is refused before cJSON sees it. */
#define DH_JSON_MAX_DEPTH 64

typedef struct dh_JsonPos dh_JsonPos;

typedef struct dh_Json {
    cJSON *root;           /* the parsed tree; NULL if parsing failed */
    char *name;            /* file name used in diagnostics */
    char *text;            /* NUL-terminated copy of the source text */
    size_t len;            /* length of text in bytes */
    dh_JsonPos *pos;       /* open-addressing map: node -> offsets */
    size_t pos_cap;        /* slots in pos (a power of two) */
    uint32_t *lines;       /* byte offset at which each line starts */
    size_t nlines;
} dh_Json;

/* Parse text (len bytes, need not be NUL-terminated) as file `name`.
 * Syntax errors, invalid UTF-8, NUL bytes, excessive nesting and duplicate
 * member names go to d with positions. Returns DH_OK, DH_EFORMAT (see d) or
 * DH_ENOMEM. dh_json_free must be called either way. */
dh_Status dh_json_parse(dh_Json *j, const char *name, const char *text, size_t len, dh_Diags *d);
/* Release the document; a zeroed dh_Json is fine. */
void dh_json_free(dh_Json *j);

/* Line and column (1-based) of a value, or of a member's name with _key.
 * Unknown items (or NULL) give the position of the document start. */
void dh_json_pos(const dh_Json *j, const cJSON *item, int *line, int *col);
void dh_json_key_pos(const dh_Json *j, const cJSON *item, int *line, int *col);
/* Line and column of a byte offset in the text. */
void dh_json_offset_pos(const dh_Json *j, size_t off, int *line, int *col);

/* Line and column of byte `off` of a string value's decoded text (JSON
 * escapes are accounted for), for errors inside a string. */
void dh_json_string_pos(const dh_Json *j, const cJSON *item, size_t off, int *line, int *col);

/* A diagnostic at a value (or at a member's name with _key). */
void dh_json_diag(const dh_Json *j, dh_Diags *d, dh_Severity sev, const cJSON *at,
                  const char *fmt, ...) DH_PRINTF(5, 6);
void dh_json_diag_key(const dh_Json *j, dh_Diags *d, dh_Severity sev, const cJSON *at,
                      const char *fmt, ...) DH_PRINTF(5, 6);

/* "a string", "an array", ... for messages. */
const char *dh_json_kind(const cJSON *item);

/* Warn about every member of obj not in the NULL-terminated `known` list,
 * suggesting the closest known name. `what` names the object ("a lesson"). */
void dh_json_check_members(const dh_Json *j, dh_Diags *d, const cJSON *obj,
                           const char *const *known, const char *what);

/* Type masks for dh_json_get (cJSON's type bits). */
#define DH_JSON_STRING cJSON_String
#define DH_JSON_NUMBER cJSON_Number
#define DH_JSON_BOOL (cJSON_True | cJSON_False)
#define DH_JSON_OBJECT cJSON_Object
#define DH_JSON_ARRAY cJSON_Array

/* Member `key` of obj if it has one of the types in mask. A present member of
 * another type is an error at the value; a missing one is an error at obj
 * when required. Returns NULL in both cases. obj may be NULL (returns NULL). */
const cJSON *dh_json_get(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                         int mask, bool required);
/* A string member; NULL when absent or wrong (reported). Empty strings are
 * reported as errors when required. */
const char *dh_json_string(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                           bool required);
/* A boolean member, or def when absent; a wrong type is reported. */
bool dh_json_bool(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key, bool def);
/* A number member in [min, max], or def when absent or wrong (reported). */
double dh_json_number(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                      double def, double min, double max, bool required);
/* An integer member in [min, max]; fractions are reported. */
long dh_json_int(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                 long def, long min, long max, bool required);

/* True if s is a valid id: 1-64 characters of [A-Za-z0-9._-], starting with
 * a letter or digit. Ids name modules, questions, injects, ... */
bool dh_id_valid(const char *s);
/* Check a string member as an id; report and return NULL if it is not one. */
const char *dh_json_id(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                       bool required);

#endif
