/* json: parsing with positions, and getters that explain what is wrong.
 *
 * Order of work in dh_json_parse: refuse NUL bytes and invalid UTF-8 (cJSON
 * accepts both), refuse nesting deeper than DH_JSON_MAX_DEPTH with the
 * position where it happens, let cJSON parse, turn a cJSON failure into a
 * message that names the likely cause, then walk text and tree together to
 * record offsets, checking member names for duplicates on the way.
 */
#include "json.h"

#include "alloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct dh_JsonPos {
    const cJSON *node; /* NULL: empty slot */
    uint32_t off;      /* offset of the value */
    uint32_t key_off;  /* offset of the member name (objects' children) */
};

/* ---- positions ---------------------------------------------------------- */

static size_t hash_ptr(const void *p, size_t cap)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 7) & (cap - 1);
}

static void pos_put(dh_Json *j, const cJSON *node, size_t off, size_t key_off)
{
    size_t i = hash_ptr(node, j->pos_cap);
    while (j->pos[i].node && j->pos[i].node != node) i = (i + 1) & (j->pos_cap - 1);
    j->pos[i].node = node;
    j->pos[i].off = (uint32_t)off;
    j->pos[i].key_off = (uint32_t)key_off;
}

static const dh_JsonPos *pos_get(const dh_Json *j, const cJSON *node)
{
    if (!node || !j->pos) return NULL;
    size_t i = hash_ptr(node, j->pos_cap);
    while (j->pos[i].node) {
        if (j->pos[i].node == node) return &j->pos[i];
        i = (i + 1) & (j->pos_cap - 1);
    }
    return NULL;
}

void dh_json_offset_pos(const dh_Json *j, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    if (!j->text || !j->lines) return;
    if (off > j->len) off = j->len;
    size_t lo = 0, hi = j->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (j->lines[mid] <= off) lo = mid; else hi = mid;
    }
    int c = 1;
    for (size_t k = j->lines[lo]; k < off; k++)
        if (((unsigned char)j->text[k] & 0xC0) != 0x80) c++;
    *line = (int)lo + 1;
    *col = c;
}

void dh_json_pos(const dh_Json *j, const cJSON *item, int *line, int *col)
{
    const dh_JsonPos *p = pos_get(j, item);
    dh_json_offset_pos(j, p ? p->off : 0, line, col);
}

void dh_json_key_pos(const dh_Json *j, const cJSON *item, int *line, int *col)
{
    const dh_JsonPos *p = pos_get(j, item);
    dh_json_offset_pos(j, p ? p->key_off : 0, line, col);
}

void dh_json_string_pos(const dh_Json *j, const cJSON *item, size_t off, int *line, int *col)
{
    const dh_JsonPos *p = pos_get(j, item);
    if (!p || !cJSON_IsString(item) || j->text[p->off] != '"') {
        dh_json_offset_pos(j, p ? p->off : 0, line, col);
        return;
    }
    size_t i = p->off + 1, decoded = 0;
    while (i < j->len && j->text[i] != '"' && decoded < off) {
        if (j->text[i] != '\\') {
            i++;
            decoded++;
            continue;
        }
        char e = i + 1 < j->len ? j->text[i + 1] : 0;
        if (e != 'u') {
            i += 2;
            decoded++;
            continue;
        }
        /* \uXXXX: 1-3 UTF-8 bytes, or 4 for a surrogate pair (12 chars). */
        unsigned cp = (unsigned)strtoul((char[5]){j->text[i + 2], j->text[i + 3], j->text[i + 4],
                                                  j->text[i + 5], 0}, NULL, 16);
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 11 < j->len && j->text[i + 6] == '\\') {
            i += 12;
            decoded += 4;
        } else {
            i += 6;
            decoded += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        }
    }
    dh_json_offset_pos(j, i, line, col);
}

/* ---- pre-checks ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
    else return 0;
    if (n < len) return 0;
    unsigned cp = c & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

static bool index_lines(dh_Json *j)
{
    size_t n = 1;
    for (size_t i = 0; i < j->len; i++) n += j->text[i] == '\n';
    j->lines = dh_malloc(n * sizeof *j->lines);
    if (!j->lines) return false;
    j->nlines = 0;
    j->lines[j->nlines++] = 0;
    for (size_t i = 0; i < j->len; i++)
        if (j->text[i] == '\n') j->lines[j->nlines++] = (uint32_t)(i + 1);
    return true;
}

static void diag_off(const dh_Json *j, dh_Diags *d, size_t off, const char *fmt, ...) DH_PRINTF(4, 5);
static void diag_off(const dh_Json *j, dh_Diags *d, size_t off, const char *fmt, ...)
{
    int line, col;
    va_list ap;
    dh_json_offset_pos(j, off, &line, &col);
    va_start(ap, fmt);
    dh_diagv(d, DH_ERROR, j->name, line, col, fmt, ap);
    va_end(ap);
}

static bool check_bytes(const dh_Json *j, dh_Diags *d)
{
    const unsigned char *s = (const unsigned char *)j->text;
    for (size_t i = 0; i < j->len;) {
        if (s[i] == 0) {
            diag_off(j, d, i, "the file contains a NUL byte (is it really a JSON text file?)");
            return false;
        }
        size_t n = utf8_seq(s + i, j->len - i);
        if (!n) {
            diag_off(j, d, i, "invalid UTF-8 (byte 0x%02X); save the file as UTF-8", s[i]);
            return false;
        }
        i += n;
    }
    return true;
}

/* Skip a JSON string starting at the opening quote; returns the offset after
 * the closing quote, or len if unterminated. */
static size_t skip_string(const char *t, size_t i, size_t len)
{
    for (i++; i < len; i++) {
        if (t[i] == '\\') i++;
        else if (t[i] == '"') return i + 1;
    }
    return len;
}

static bool check_depth(const dh_Json *j, dh_Diags *d)
{
    int depth = 0;
    for (size_t i = 0; i < j->len; i++) {
        char c = j->text[i];
        if (c == '"') {
            i = skip_string(j->text, i, j->len) - 1;
        } else if (c == '{' || c == '[') {
            if (++depth > DH_JSON_MAX_DEPTH) {
                diag_off(j, d, i, "nesting deeper than %d levels", DH_JSON_MAX_DEPTH);
                return false;
            }
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return true;
}

static size_t skip_ws(const char *t, size_t i, size_t len)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) i++;
    return i;
}

/* A strict JSON syntax check that knows where and why text is wrong; cJSON
 * only runs on text that passed it, so its vague error pointer is never
 * needed. Recursion is bounded by check_depth() having run first. */
typedef struct Syntax {
    const char *t;
    size_t len;
    size_t err_at;   /* offset of the first error */
    char msg[200];   /* its explanation: "syntax error: " + up to 160 bytes */
    bool failed;
} Syntax;

static bool syn_fail(Syntax *s, size_t at, const char *msg)
{
    if (!s->failed) {
        s->failed = true;
        s->err_at = at;
        snprintf(s->msg, sizeof s->msg, "syntax error: %s", msg);
    }
    return false;
}

static bool starts_value(char c)
{
    return c == '"' || c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' ||
           c == 'n';
}

static bool syn_value(Syntax *s, size_t *i);

static bool syn_unexpected(Syntax *s, size_t i, const char *expected)
{
    char msg[160];
    if (i >= s->len) {
        snprintf(msg, sizeof msg, "unexpected end of file (%s)", expected);
        return syn_fail(s, s->len, msg);
    }
    char c = s->t[i];
    if (c == '\'') return syn_fail(s, i, "strings and names must use double quotes, not single quotes");
    if (c == '/') return syn_fail(s, i, "comments are not allowed in JSON");
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        size_t n = 0;
        while (i + n < s->len && n < 20 && ((s->t[i + n] >= 'a' && s->t[i + n] <= 'z') ||
                                            (s->t[i + n] >= 'A' && s->t[i + n] <= 'Z')))
            n++;
        snprintf(msg, sizeof msg, "unexpected word '%.*s' (%s; text goes in double quotes)", (int)n, s->t + i,
                 expected);
        return syn_fail(s, i, msg);
    }
    if ((unsigned char)c >= 0x80) {
        snprintf(msg, sizeof msg, "unexpected character (%s)", expected);
        return syn_fail(s, i, msg);
    }
    snprintf(msg, sizeof msg, "unexpected '%c' (%s)", c, expected);
    return syn_fail(s, i, msg);
}

static bool syn_string(Syntax *s, size_t *i)
{
    size_t start = *i, k = *i + 1;
    for (; k < s->len; k++) {
        unsigned char c = (unsigned char)s->t[k];
        if (c == '"') {
            *i = k + 1;
            return true;
        }
        if (c < 0x20)
            return syn_fail(s, k, c == '\n' ? "line break inside a string (a closing '\"' is missing, or write \\n)"
                                            : "control character inside a string (write it as an escape such as \\t)");
        if (c == '\\') {
            char e = k + 1 < s->len ? s->t[k + 1] : 0;
            if (e == 'u') {
                for (int h = 2; h < 6; h++) {
                    char x = k + (size_t)h < s->len ? s->t[k + (size_t)h] : 0;
                    if (!((x >= '0' && x <= '9') || (x >= 'a' && x <= 'f') || (x >= 'A' && x <= 'F')))
                        return syn_fail(s, k, "\\u must be followed by four hexadecimal digits");
                }
                k += 5;
            } else if (e && strchr("\"\\/bfnrt", e)) {
                k++;
            } else {
                return syn_fail(s, k, "invalid escape in a string (use \\\\ for a backslash)");
            }
        }
    }
    return syn_fail(s, start, "unterminated string (the closing '\"' is missing)");
}

static bool digits(Syntax *s, size_t *k)
{
    size_t from = *k;
    while (*k < s->len && s->t[*k] >= '0' && s->t[*k] <= '9') (*k)++;
    return *k > from;
}

static bool syn_number(Syntax *s, size_t *i)
{
    size_t k = *i;
    if (s->t[k] == '-') k++;
    if (k < s->len && s->t[k] == '0') {
        k++;
        if (k < s->len && s->t[k] >= '0' && s->t[k] <= '9')
            return syn_fail(s, *i, "numbers must not have leading zeros");
    } else if (!digits(s, &k)) {
        return syn_fail(s, *i, "invalid number");
    }
    if (k < s->len && s->t[k] == '.') {
        k++;
        if (!digits(s, &k)) return syn_fail(s, *i, "invalid number (digits must follow the '.')");
    }
    if (k < s->len && (s->t[k] == 'e' || s->t[k] == 'E')) {
        k++;
        if (k < s->len && (s->t[k] == '+' || s->t[k] == '-')) k++;
        if (!digits(s, &k)) return syn_fail(s, *i, "invalid number (bad exponent)");
    }
    *i = k;
    return true;
}

static bool syn_literal(Syntax *s, size_t *i, const char *word)
{
    size_t n = strlen(word);
    if (s->len - *i >= n && memcmp(s->t + *i, word, n) == 0) {
        char after = *i + n < s->len ? s->t[*i + n] : ' ';
        if (!((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z'))) {
            *i += n;
            return true;
        }
    }
    return syn_unexpected(s, *i, "expected a value");
}

static bool syn_container(Syntax *s, size_t *i, char close)
{
    const bool object = close == '}';
    const char *expect_next = object ? "expected ',' or '}'" : "expected ',' or ']'";
    size_t k = skip_ws(s->t, *i + 1, s->len);
    if (k < s->len && s->t[k] == close) {
        *i = k + 1;
        return true;
    }
    for (;;) {
        if (object) {
            if (k >= s->len || s->t[k] != '"') {
                if (k < s->len && s->t[k] != '\'' && s->t[k] != '/')
                    return syn_fail(s, k, "expected a member name in double quotes");
                return syn_unexpected(s, k, "expected a member name in double quotes");
            }
            if (!syn_string(s, &k)) return false;
            k = skip_ws(s->t, k, s->len);
            if (k >= s->len || s->t[k] != ':') return syn_unexpected(s, k, "expected ':' after the member name");
            k = skip_ws(s->t, k + 1, s->len);
        }
        if (!syn_value(s, &k)) return false;
        k = skip_ws(s->t, k, s->len);
        if (k < s->len && s->t[k] == close) {
            *i = k + 1;
            return true;
        }
        if (k < s->len && s->t[k] == ',') {
            size_t comma = k;
            k = skip_ws(s->t, k + 1, s->len);
            if (k < s->len && (s->t[k] == '}' || s->t[k] == ']')) {
                char msg[64];
                snprintf(msg, sizeof msg, "trailing comma before '%c'", s->t[k]);
                return syn_fail(s, comma, msg);
            }
            continue;
        }
        if (k < s->len && (starts_value(s->t[k]) || (object && s->t[k] == '"')))
            return syn_fail(s, k, "missing ',' before this value");
        return syn_unexpected(s, k, expect_next);
    }
}

static bool syn_value(Syntax *s, size_t *i)
{
    *i = skip_ws(s->t, *i, s->len);
    if (*i >= s->len) return syn_unexpected(s, *i, "expected a value");
    switch (s->t[*i]) {
    case '{': return syn_container(s, i, '}');
    case '[': return syn_container(s, i, ']');
    case '"': return syn_string(s, i);
    case 't': return syn_literal(s, i, "true");
    case 'f': return syn_literal(s, i, "false");
    case 'n': return syn_literal(s, i, "null");
    default:
        if (s->t[*i] == '-' || (s->t[*i] >= '0' && s->t[*i] <= '9')) return syn_number(s, i);
        return syn_unexpected(s, *i, "expected a value");
    }
}

/* True if the text from `start` is one valid JSON value; else reports. */
static bool check_syntax(const dh_Json *j, dh_Diags *d, size_t start)
{
    Syntax s = {j->text, j->len, 0, "", false};
    size_t i = start;
    if (syn_value(&s, &i)) {
        i = skip_ws(j->text, i, j->len);
        if (i < j->len) syn_fail(&s, i, "unexpected text after the end of the JSON value");
    }
    if (!s.failed) return true;
    diag_off(j, d, s.err_at, "%s", s.msg);
    return false;
}

/* ---- the side-by-side walk ---------------------------------------------- */

static int count_nodes(const cJSON *n)
{
    int c = 0;
    for (; n; n = n->next) c += 1 + count_nodes(n->child);
    return c;
}

static int cmp_member(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

/* Report duplicate member names of obj; of two equal names, the one later in
 * the document (by recorded offset) is the duplicate. */
static bool check_duplicates(const dh_Json *j, dh_Diags *d, const cJSON *obj)
{
    int n = 0;
    for (const cJSON *c = obj->child; c; c = c->next) n++;
    if (n < 2) return true;
    const cJSON **v = dh_malloc((size_t)n * sizeof *v);
    if (!v) return false;
    int k = 0;
    for (const cJSON *c = obj->child; c; c = c->next) v[k++] = c;
    qsort(v, (size_t)n, sizeof *v, cmp_member);
    for (int i = 1; i < n; i++) {
        if (strcmp(v[i - 1]->string, v[i]->string) == 0) {
            const cJSON *first = v[i - 1], *dup = v[i];
            if (pos_get(j, first)->key_off > pos_get(j, dup)->key_off) {
                const cJSON *t = first; first = dup; dup = t;
            }
            int line, col;
            dh_json_key_pos(j, first, &line, &col);
            dh_json_diag_key(j, d, DH_ERROR, dup, "duplicate member '%s' (first at line %d)",
                             dup->string, line);
        }
    }
    dh_free(v);
    return true;
}

typedef struct Walk {
    dh_Json *j;
    dh_Diags *d;
    bool oom;
} Walk;

static size_t walk(Walk *w, size_t i, const cJSON *item, size_t key_off)
{
    const char *t = w->j->text;
    size_t len = w->j->len;
    i = skip_ws(t, i, len);
    pos_put(w->j, item, i, key_off);
    if (cJSON_IsObject(item)) {
        i++; /* '{' */
        for (const cJSON *c = item->child; c; c = c->next) {
            i = skip_ws(t, i, len);
            size_t k = i;
            i = skip_string(t, i, len);
            i = skip_ws(t, i, len) + 1; /* ':' */
            i = walk(w, i, c, k);
            i = skip_ws(t, i, len) + 1; /* ',' or '}' */
        }
        if (!item->child) i = skip_ws(t, i, len) + 1;
        if (!check_duplicates(w->j, w->d, item)) w->oom = true;
        return i;
    }
    if (cJSON_IsArray(item)) {
        i++; /* '[' */
        for (const cJSON *c = item->child; c; c = c->next) {
            i = walk(w, i, c, 0);
            i = skip_ws(t, i, len) + 1; /* ',' or ']' */
        }
        if (!item->child) i = skip_ws(t, i, len) + 1;
        return i;
    }
    if (cJSON_IsString(item)) return skip_string(t, i, len);
    while (i < len && strchr("0123456789+-.eEtruefalsn", t[i])) i++;
    return i;
}

dh_Status dh_json_parse(dh_Json *j, const char *name, const char *text, size_t len, dh_Diags *d)
{
    memset(j, 0, sizeof *j);
    if (len > UINT32_MAX - 1)
        return dh_diag(d, DH_ERROR, name, 0, 0, "file too large"), DH_ELIMIT;
    j->name = dh_strdup(name);
    j->text = dh_malloc(len + 1);
    if (!j->name || !j->text) return DH_ENOMEM;
    memcpy(j->text, text, len);
    j->text[len] = '\0';
    j->len = len;
    if (!index_lines(j)) return DH_ENOMEM;
    if (!check_bytes(j, d) || !check_depth(j, d)) return DH_EFORMAT;

    size_t start = 0;
    if (len >= 3 && memcmp(j->text, "\xEF\xBB\xBF", 3) == 0) start = 3; /* a BOM */
    if (!check_syntax(j, d, start)) return DH_EFORMAT;
    long failures = dh_alloc_failures();
    j->root = cJSON_ParseWithLengthOpts(j->text + start, len - start + 1, NULL, 1);
    if (!j->root) {
        /* The syntax is valid, so cJSON can only have run out of memory. */
        if (dh_alloc_failures() != failures) return DH_ENOMEM;
        dh_diag(d, DH_ERROR, j->name, 1, 1, "the JSON text could not be parsed");
        return DH_EFORMAT;
    }
    int n = count_nodes(j->root);
    size_t cap = 16;
    while (cap < (size_t)n * 2) cap *= 2;
    j->pos = dh_calloc(cap, sizeof *j->pos);
    if (!j->pos) return DH_ENOMEM;
    j->pos_cap = cap;
    Walk w = {j, d, false};
    walk(&w, start, j->root, 0);
    if (w.oom) return DH_ENOMEM;
    return DH_OK;
}

void dh_json_free(dh_Json *j)
{
    if (j->root) cJSON_Delete(j->root);
    dh_free(j->name);
    dh_free(j->text);
    dh_free(j->pos);
    dh_free(j->lines);
    memset(j, 0, sizeof *j);
}

/* ---- diagnostics and getters --------------------------------------------- */

void dh_json_diag(const dh_Json *j, dh_Diags *d, dh_Severity sev, const cJSON *at,
                  const char *fmt, ...)
{
    int line, col;
    va_list ap;
    dh_json_pos(j, at, &line, &col);
    va_start(ap, fmt);
    dh_diagv(d, sev, j->name, line, col, fmt, ap);
    va_end(ap);
}

void dh_json_diag_key(const dh_Json *j, dh_Diags *d, dh_Severity sev, const cJSON *at,
                      const char *fmt, ...)
{
    int line, col;
    va_list ap;
    dh_json_key_pos(j, at, &line, &col);
    va_start(ap, fmt);
    dh_diagv(d, sev, j->name, line, col, fmt, ap);
    va_end(ap);
}

const char *dh_json_kind(const cJSON *item)
{
    if (!item) return "nothing";
    if (cJSON_IsString(item)) return "a string";
    if (cJSON_IsNumber(item)) return "a number";
    if (cJSON_IsBool(item)) return "a boolean";
    if (cJSON_IsNull(item)) return "null";
    if (cJSON_IsArray(item)) return "an array";
    if (cJSON_IsObject(item)) return "an object";
    return "an unknown value";
}

static const char *mask_kind(int mask)
{
    switch (mask) {
    case DH_JSON_STRING: return "a string";
    case DH_JSON_NUMBER: return "a number";
    case DH_JSON_BOOL: return "true or false";
    case DH_JSON_OBJECT: return "an object";
    case DH_JSON_ARRAY: return "an array";
    case DH_JSON_STRING | DH_JSON_OBJECT: return "a string or an object";
    case DH_JSON_STRING | DH_JSON_ARRAY: return "a string or an array";
    case DH_JSON_NUMBER | DH_JSON_OBJECT: return "a number or an object";
    case DH_JSON_NUMBER | DH_JSON_STRING: return "a number or a string";
    }
    return "a value of another type";
}

void dh_json_check_members(const dh_Json *j, dh_Diags *d, const cJSON *obj,
                           const char *const *known, const char *what)
{
    if (!cJSON_IsObject(obj)) return;
    for (const cJSON *c = obj->child; c; c = c->next) {
        bool found = false;
        dh_Suggest sg;
        dh_suggest_init(&sg, c->string, strlen(c->string));
        for (const char *const *k = known; *k && !found; k++) {
            found = strcmp(*k, c->string) == 0;
            dh_suggest_try(&sg, *k);
        }
        if (found) continue;
        const char *best = sg.best;
        if (best)
            dh_json_diag_key(j, d, DH_WARNING, c, "unknown member '%s' in %s (ignored); did you mean '%s'?",
                             c->string, what, best);
        else
            dh_json_diag_key(j, d, DH_WARNING, c, "unknown member '%s' in %s (ignored)", c->string, what);
    }
}

const cJSON *dh_json_get(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                         int mask, bool required)
{
    if (!cJSON_IsObject(obj)) return NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) dh_json_diag(j, d, DH_ERROR, obj, "missing required member '%s'", key);
        return NULL;
    }
    if (!(v->type & mask)) {
        dh_json_diag(j, d, DH_ERROR, v, "'%s' must be %s, not %s", key, mask_kind(mask),
                     dh_json_kind(v));
        return NULL;
    }
    return v;
}

const char *dh_json_string(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                           bool required)
{
    const cJSON *v = dh_json_get(j, d, obj, key, DH_JSON_STRING, required);
    if (!v) return NULL;
    if (required && !v->valuestring[0]) {
        dh_json_diag(j, d, DH_ERROR, v, "'%s' must not be empty", key);
        return NULL;
    }
    return v->valuestring;
}

bool dh_json_bool(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key, bool def)
{
    const cJSON *v = dh_json_get(j, d, obj, key, DH_JSON_BOOL, false);
    return v ? cJSON_IsTrue(v) : def;
}

double dh_json_number(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                      double def, double min, double max, bool required)
{
    const cJSON *v = dh_json_get(j, d, obj, key, DH_JSON_NUMBER, required);
    if (!v) return def;
    double x = v->valuedouble;
    if (!isfinite(x) || x < min || x > max) {
        dh_json_diag(j, d, DH_ERROR, v, "'%s' must be between %g and %g, not %g", key, min, max, x);
        return def;
    }
    return x;
}

long dh_json_int(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                 long def, long min, long max, bool required)
{
    const cJSON *v = dh_json_get(j, d, obj, key, DH_JSON_NUMBER, required);
    if (!v) return def;
    double x = v->valuedouble;
    if (!isfinite(x) || x != floor(x)) {
        dh_json_diag(j, d, DH_ERROR, v, "'%s' must be a whole number, not %g", key, x);
        return def;
    }
    if (x < (double)min || x > (double)max) {
        dh_json_diag(j, d, DH_ERROR, v, "'%s' must be between %ld and %ld, not %g", key, min, max, x);
        return def;
    }
    return (long)x;
}

bool dh_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
    }
    return true;
}

const char *dh_json_id(const dh_Json *j, dh_Diags *d, const cJSON *obj, const char *key,
                       bool required)
{
    const cJSON *v = dh_json_get(j, d, obj, key, DH_JSON_STRING, required);
    if (!v) return NULL;
    if (!dh_id_valid(v->valuestring)) {
        dh_json_diag(j, d, DH_ERROR, v,
                     "'%s' is not a valid id (1-64 letters, digits, '.', '_' or '-', starting with a letter or digit)",
                     v->valuestring);
        return NULL;
    }
    return v->valuestring;
}
