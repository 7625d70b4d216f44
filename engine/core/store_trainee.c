/* store_trainee: who is at the kiosk, and what they typed to say so.
 *
 * A trainee signs in with what they carry: a service number, typed on a
 * touch keyboard or read by a barcode scanner (which adds a CR or LF). The
 * same person must land on the same record whether they typed "ab-12",
 * " AB-12" or scanned "AB-12\r", so ids are trimmed and upper-cased before
 * anything looks them up, and refused with a plain reason when they cannot
 * be an id at all. Names are free text in any script, but never control
 * characters: they end up in CSV reports and on certificates.
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include "store.h"

#include "i18n.h"
#include "store_impl.h"

#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/utf8.h>

/* ---- validation --------------------------------------------------------------------- */

static bool id_char(UChar32 c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '/' || c == '.' || c == '_';
}

/* Trim Unicode white space at both ends of s[0..*len); returns the start. */
static const char *trim(const char *s, int32_t *len)
{
    const uint8_t *u = (const uint8_t *)s;
    int32_t start = 0, end = *len;
    while (start < end) {
        int32_t i = start;
        UChar32 c;
        U8_NEXT(u, i, end, c);
        if (c < 0 || !u_isUWhiteSpace(c)) break;
        start = i;
    }
    while (end > start) {
        int32_t i = end;
        UChar32 c;
        U8_PREV(u, start, i, c);
        if (c < 0 || !u_isUWhiteSpace(c)) break;
        end = i;
    }
    *len = end - start;
    return s + start;
}

/* How a character reads in a message: '#', a space, a tab, U+00E9 'é'. */
static const char *show_char(UChar32 c, const char *at, int32_t bytes, char *buf, size_t size)
{
    if (c == ' ') snprintf(buf, size, "a space");
    else if (c == '\t') snprintf(buf, size, "a tab");
    else if (c >= 0x21 && c < 0x7f) snprintf(buf, size, "'%c'", (char)c);
    else if (u_iscntrl(c) || u_isUWhiteSpace(c)) snprintf(buf, size, "the invisible character U+%04X", (unsigned)c);
    else snprintf(buf, size, "U+%04X '%.*s'", (unsigned)c, (int)bytes, at);
    return buf;
}

dh_TraineeIdProblem dh_store_trainee_id(char out[DH_TRAINEE_ID_MAX + 1], const char *raw,
                                        dh_Error *err)
{
    out[0] = '\0';
    size_t rawlen = strlen(raw);
    int32_t n = rawlen > 4096 ? 4096 : (int32_t)rawlen; /* nobody types more; stop early */
    const char *s = trim(raw, &n);
    const uint8_t *u = (const uint8_t *)s;
    if (n == 0) {
        dh_fail(err, DH_EINVAL, "the trainee id is empty: type or scan a service number");
        return DH_TRAINEE_ID_EMPTY;
    }
    int chars = 0;
    for (int32_t i = 0; i < n;) {
        int32_t at = i;
        UChar32 c;
        U8_NEXT(u, i, n, c);
        chars++;
        if (c < 0) {
            dh_fail(err, DH_EINVAL,
                    "the trainee id contains bytes that are not text at character %d; ids use "
                    "only letters A-Z, digits 0-9, '-', '/', '.' and '_'",
                    chars);
            return DH_TRAINEE_ID_CHARACTER;
        }
        if (id_char(c)) continue;
        char what[64];
        show_char(c, s + at, i - at, what, sizeof what);
        if (u_isUWhiteSpace(c)) {
            dh_fail(err, DH_EINVAL,
                    "the trainee id has %s at character %d; ids have no spaces, so type it "
                    "without them",
                    what, chars);
            return DH_TRAINEE_ID_SPACE;
        }
        dh_fail(err, DH_EINVAL,
                "the trainee id contains %s at character %d; ids use only letters A-Z, digits "
                "0-9, '-', '/', '.' and '_'",
                what, chars);
        return DH_TRAINEE_ID_CHARACTER;
    }
    if (n > DH_TRAINEE_ID_MAX) {
        dh_fail(err, DH_EINVAL, "the trainee id is %d characters long; at most %d are allowed",
                (int)n, DH_TRAINEE_ID_MAX);
        return DH_TRAINEE_ID_TOO_LONG;
    }
    for (int32_t i = 0; i < n; i++)
        out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
    out[n] = '\0';
    return DH_TRAINEE_ID_OK;
}

/* Trim a free-text field in place and check it: valid UTF-8, no control
 * characters, min..DH_TRAINEE_NAME_MAX characters. */
static dh_Status check_text(char *field, size_t size, int min, const char *what, dh_Error *err)
{
    size_t raw = strnlen(field, size);
    if (raw == size)
        return dh_fail(err, DH_EINVAL, "%s is longer than %d characters", what, DH_TRAINEE_NAME_MAX);
    int32_t n = (int32_t)raw;
    const char *s = trim(field, &n);
    memmove(field, s, (size_t)n);
    field[n] = '\0';
    const uint8_t *u = (const uint8_t *)field;
    int chars = 0;
    for (int32_t i = 0; i < n;) {
        int32_t at = i;
        UChar32 c;
        U8_NEXT(u, i, n, c);
        chars++;
        if (c < 0)
            return dh_fail(err, DH_EINVAL, "%s is not valid UTF-8 text (bad byte at character %d)",
                           what, chars);
        if (u_iscntrl(c) || (u_charType(c) == U_LINE_SEPARATOR) ||
            u_charType(c) == U_PARAGRAPH_SEPARATOR) {
            char show[64];
            return dh_fail(err, DH_EINVAL,
                           "%s contains %s at character %d; use letters, spaces and punctuation "
                           "on one line",
                           what, show_char(c, field + at, i - at, show, sizeof show), chars);
        }
    }
    if (chars < min)
        return dh_fail(err, DH_EINVAL, "%s is empty", what);
    if (chars > DH_TRAINEE_NAME_MAX)
        return dh_fail(err, DH_EINVAL, "%s is %d characters long; at most %d are allowed", what,
                       chars, DH_TRAINEE_NAME_MAX);
    return DH_OK;
}

static bool known_country(const char *code)
{
    /* ICU's ISO 3166-1 list: static data, no allocation. */
    for (const char *const *c = uloc_getISOCountries(); *c; c++)
        if (strcmp(*c, code) == 0) return true;
    return false;
}

dh_Status dh_store_trainee_normalise(dh_Trainee *t, dh_Error *err)
{
    char id[DH_TRAINEE_ID_MAX + 1];
    char raw[sizeof t->id + 1];
    snprintf(raw, sizeof raw, "%.*s", (int)sizeof t->id, t->id);
    if (dh_store_trainee_id(id, raw, err) != DH_TRAINEE_ID_OK) return DH_EINVAL;
    memcpy(t->id, id, sizeof id);
    dh_Status st;
    if ((st = check_text(t->name, sizeof t->name, 1, "the display name", err)) ||
        (st = check_text(t->unit, sizeof t->unit, 0, "the unit", err)))
        return st;

    size_t n = strnlen(t->nation, sizeof t->nation);
    if (n == sizeof t->nation)
        return dh_fail(err, DH_EINVAL, "the nation must be a two-letter ISO 3166 country code (e.g. TH)");
    for (size_t i = 0; i < n; i++)
        if (t->nation[i] >= 'a' && t->nation[i] <= 'z') t->nation[i] = (char)(t->nation[i] - 'a' + 'A');
    if (n != 0 && (n != 2 || !known_country(t->nation)))
        return dh_fail(err, DH_EINVAL,
                       "the nation '%s' is not an ISO 3166 two-letter country code (e.g. TH, "
                       "SG, MY, AU)",
                       t->nation);

    n = strnlen(t->lang, sizeof t->lang);
    if (n == sizeof t->lang)
        return dh_fail(err, DH_EINVAL, "the preferred language is too long to be a language tag");
    if (n != 0 && !dh_lang_valid(t->lang))
        return dh_fail(err, DH_EINVAL,
                       "the preferred language '%s' is not a language tag Drillhall knows (e.g. "
                       "en, th, vi, zh-Hans)",
                       t->lang);
    return DH_OK;
}

/* ---- records ------------------------------------------------------------------------- */

#define TRAINEE_COLUMNS "id, name, unit, nation, lang, created_ms, updated_ms"

static dh_Status read_row(dh_Store *s, sqlite3_stmt *st, dh_Trainee *out, dh_Error *err)
{
    dh_Trainee t;
    memset(&t, 0, sizeof t);
    if (!dh_store_column_copy(t.id, sizeof t.id, st, 0) ||
        !dh_store_column_copy(t.name, sizeof t.name, st, 1) ||
        !dh_store_column_copy(t.unit, sizeof t.unit, st, 2) ||
        !dh_store_column_copy(t.nation, sizeof t.nation, st, 3) ||
        !dh_store_column_copy(t.lang, sizeof t.lang, st, 4)) {
        if (sqlite3_errcode(s->db) == SQLITE_NOMEM)
            return dh_fail(err, DH_ENOMEM, "out of memory reading a trainee record");
        return dh_fail(err, DH_EFORMAT,
                       "the trainee record '%s' in %s has a field longer than Drillhall allows "
                       "(was the file edited by another program?)",
                       t.id, s->path);
    }
    t.created_ms = sqlite3_column_int64(st, 5);
    t.updated_ms = sqlite3_column_int64(st, 6);
    if (out) *out = t;
    return DH_OK;
}

dh_Status dh_store_trainee_get(dh_Store *s, const char *id, dh_Trainee *out, dh_Error *err)
{
    char key[DH_TRAINEE_ID_MAX + 1];
    if (dh_store_trainee_id(key, id, err) != DH_TRAINEE_ID_OK) return DH_EINVAL;
    const char *doing = "cannot look up the trainee";
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_TRAINEE_GET,
                                 "SELECT " TRAINEE_COLUMNS " FROM trainee WHERE id = ?1", &st, err,
                                 doing);
    if (ps) return ps;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    dh_Status status;
    if (rc == SQLITE_ROW) status = read_row(s, st, out, err);
    else if (rc == SQLITE_DONE)
        status = dh_fail(err, DH_ENOTFOUND, "no trainee with id %s is registered on this kiosk", key);
    else status = dh_store_sql_fail(s, rc, STORE_READ, err, doing);
    sqlite3_reset(st);
    return status;
}

static void bind_fields(sqlite3_stmt *st, const dh_Trainee *t)
{
    sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
    dh_store_bind_text_or_null(st, 3, t->unit);
    dh_store_bind_text_or_null(st, 4, t->nation);
    dh_store_bind_text_or_null(st, 5, t->lang);
}

dh_Status dh_store_trainee_create(dh_Store *s, const dh_Trainee *t, dh_Trainee *out,
                                  dh_Error *err)
{
    dh_Trainee n = *t;
    dh_Status status = dh_store_trainee_normalise(&n, err);
    if (status) return status;
    const char *doing = "cannot register the trainee";
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_TRAINEE_INSERT,
                                 "INSERT INTO trainee (" TRAINEE_COLUMNS ") "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                                 &st, err, doing);
    if (ps) return ps;
    n.created_ms = n.updated_ms = dh_store_now(s);
    bind_fields(st, &n);
    sqlite3_bind_int64(st, 6, n.created_ms);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) status = DH_OK;
    else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        status = dh_fail(err, DH_EINVAL,
                         "a trainee with id %s is already registered on this kiosk; sign in with "
                         "it instead",
                         n.id);
    else status = dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    sqlite3_reset(st);
    if (!status && out) *out = n;
    return status;
}

dh_Status dh_store_trainee_update(dh_Store *s, const dh_Trainee *t, dh_Trainee *out,
                                  dh_Error *err)
{
    dh_Trainee n = *t;
    dh_Status status = dh_store_trainee_normalise(&n, err);
    if (status) return status;
    const char *doing = "cannot update the trainee";
    sqlite3_stmt *st = NULL;
    dh_Status ps = dh_store_stmt(s, STMT_TRAINEE_UPDATE,
                                 "UPDATE trainee SET name = ?2, unit = ?3, nation = ?4, "
                                 "lang = ?5, updated_ms = ?6 WHERE id = ?1 "
                                 "RETURNING created_ms",
                                 &st, err, doing);
    if (ps) return ps;
    n.updated_ms = dh_store_now(s);
    bind_fields(st, &n);
    sqlite3_bind_int64(st, 6, n.updated_ms);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        n.created_ms = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st); /* the change is made when the statement runs to the end */
    }
    if (rc == SQLITE_DONE)
        status = sqlite3_changes(s->db) == 1
                     ? DH_OK
                     : dh_fail(err, DH_ENOTFOUND, "no trainee with id %s is registered on this kiosk",
                               n.id);
    else status = dh_store_sql_fail(s, rc, STORE_WRITE, err, doing);
    sqlite3_reset(st);
    if (!status && out) *out = n;
    return status;
}
