/* bundle: verify and read the bundles kiosks and merges write.
 *
 * Nothing on a USB stick is trusted until checked, and the checks run in
 * the order that lets each rely on the one before: the manifest's
 * signature (against the officer's trusted keys, or the bundle's own key
 * when none were given, which proves integrity but not origin), then the
 * manifest's members, then the size and SHA-256 of every file it lists,
 * then the syntax of those files. statements.json can be larger than
 * memory, so it is split into its elements by a small scanner (strings,
 * escapes and nesting only), each element is checked by the strict JSON
 * parser of the core, and the bytes are hashed on the way; reading the
 * statements later repeats the hash, so a file swapped after opening is
 * noticed before a caller commits anything.
 */
#define _POSIX_C_SOURCE 200809L

#include "bundle.h"

#include "alloc.h"
#include "csv.h"
#include "json.h"
#include "xapi.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define READ_BUFFER 65536

/* ---- small helpers ----------------------------------------------------------------- */

static const char *const status_words[] = {"not attempted", "in progress", "completed", "passed",
                                           "failed"};

/* Read a whole small file. DH_EIO (missing, unreadable) or DH_ELIMIT. */
static dh_Status read_small(const char *path, const char *shown, size_t max, char **out,
                            size_t *len, dh_Error *err)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return dh_fail(err, DH_EIO, "%s is missing", shown);
        return dh_fail(err, DH_EIO, "cannot read %s: %s", shown, strerror(errno));
    }
    char *buf = dh_malloc(max + 1);
    if (!buf) {
        fclose(f);
        return dh_fail(err, DH_ENOMEM, "out of memory reading %s", shown);
    }
    size_t n = fread(buf, 1, max + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        dh_free(buf);
        return dh_fail(err, DH_EIO, "cannot read %s: the medium reported an error", shown);
    }
    if (n > max) {
        dh_free(buf);
        return dh_fail(err, DH_ELIMIT, "%s is larger than %zu bytes", shown, max);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return DH_OK;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits_at(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool dh_bundle_parse_time(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, se, frac = 0;
    if (!s || strlen(s) < 20 || !digits_at(s, 4, &y) || s[4] != '-' || !digits_at(s + 5, 2, &mo) ||
        s[7] != '-' || !digits_at(s + 8, 2, &d) || s[10] != 'T' || !digits_at(s + 11, 2, &h) ||
        s[13] != ':' || !digits_at(s + 14, 2, &mi) || s[16] != ':' || !digits_at(s + 17, 2, &se))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3) frac = frac * 10 + (*p - '0');
        if (n == 0) return false;
        for (; n < 3; n++) frac *= 10;
    }
    if (p[0] != 'Z' || p[1] != '\0') return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) return false;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000 + frac;
    return true;
}

/* ---- trusted keys -------------------------------------------------------------------- */

typedef struct TrustKey {
    char kiosk[DH_UUID_LEN + 1]; /* lower-case kiosk id, or "*" for any bundle */
    dh_PublicKey pk;
    char origin[300];            /* "FILE:LINE" or the -p file, for messages */
} TrustKey;

struct dh_Trust {
    TrustKey *keys;
    int n, cap;
};

dh_Status dh_trust_new(dh_Trust **out, dh_Error *err)
{
    *out = dh_calloc(1, sizeof **out);
    return *out ? DH_OK : dh_fail(err, DH_ENOMEM, "out of memory");
}

void dh_trust_free(dh_Trust *t)
{
    if (!t) return;
    sodium_memzero(t->keys, (size_t)t->cap * sizeof *t->keys);
    dh_free(t->keys);
    dh_free(t);
}

bool dh_trust_empty(const dh_Trust *t)
{
    return !t || t->n == 0;
}

static dh_Status trust_add(dh_Trust *t, const char *kiosk, const dh_PublicKey *pk,
                           const char *origin, dh_Error *err)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 8;
        TrustKey *k = dh_realloc(t->keys, (size_t)cap * sizeof *k);
        if (!k) return dh_fail(err, DH_ENOMEM, "out of memory reading trusted keys");
        t->keys = k;
        t->cap = cap;
    }
    TrustKey *k = &t->keys[t->n++];
    memset(k, 0, sizeof *k);
    snprintf(k->kiosk, sizeof k->kiosk, "%s", kiosk);
    k->pk = *pk;
    snprintf(k->origin, sizeof k->origin, "%s", origin);
    return DH_OK;
}

dh_Status dh_trust_add_key_file(dh_Trust *t, const char *path, dh_Error *err)
{
    dh_PublicKey pk;
    dh_Status s = dh_sig_public_read(&pk, path, err);
    if (s) return s;
    return trust_add(t, "*", &pk, path, err);
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z') *s = (char)(*s - 'A' + 'a');
}

dh_Status dh_trust_load_file(dh_Trust *t, const char *path, dh_Error *err)
{
    char *text;
    size_t len;
    dh_Status s = read_small(path, path, 1u << 20, &text, &len, err);
    if (s) return s;
    int lineno = 0;
    char *save = NULL;
    for (char *p = text; p && !s;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        char *line = p;
        p = nl ? nl + 1 : NULL;
        lineno++;
        if (!p && !*line) break;
        size_t n = strlen(line);
        if (n > DH_TRUST_LINE_MAX) {
            s = dh_fail_at(err, DH_EFORMAT, path, lineno, 1, "the line is longer than %d bytes",
                           DH_TRUST_LINE_MAX);
            break;
        }
        if (n && line[n - 1] == '\r') line[--n] = '\0';
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *id = strtok_r(line, " \t", &save);
        if (!id) continue;
        char *key = strtok_r(NULL, " \t", &save);
        char *extra = key ? strtok_r(NULL, " \t", &save) : NULL;
        if (!key || extra) {
            s = dh_fail_at(err, DH_EFORMAT, path, lineno, 1,
                           "expected 'KIOSK_ID PUBLIC_KEY' (the kiosk id, then the second line "
                           "of its kiosk.pub)");
            break;
        }
        if (strcmp(id, "*") != 0 && !dh_uuid_valid(id)) {
            s = dh_fail_at(err, DH_EFORMAT, path, lineno, (int)(id - line) + 1,
                           "'%.40s' is not a kiosk id (a UUID as in the kiosk's kiosk.json) or '*'",
                           id);
            break;
        }
        lower(id);
        for (int i = 0; i < t->n; i++)
            if (strcmp(id, "*") != 0 && strcmp(t->keys[i].kiosk, id) == 0) {
                s = dh_fail_at(err, DH_EFORMAT, path, lineno, 1,
                               "kiosk %s is listed twice (first at %s); a kiosk has one key", id,
                               t->keys[i].origin);
                break;
            }
        if (s) break;
        dh_PublicKey pk;
        char origin[300];
        snprintf(origin, sizeof origin, "%s:%d", path, lineno);
        if ((s = dh_sig_public_parse(&pk, key, strlen(key), origin, err))) {
            err->line = lineno;
            err->col = (int)(key - line) + 1;
            snprintf(err->file, sizeof err->file, "%s", path);
            break;
        }
        s = trust_add(t, id, &pk, origin, err);
    }
    dh_free(text);
    return s;
}

/* The trusted key for a bundle of kiosk (NULL: merged) signed with keyid. */
static dh_Status trust_find(const dh_Trust *t, const char *kiosk, const uint8_t *keyid,
                            const dh_PublicKey **out, dh_Error *err)
{
    char hex[DH_SIG_KEYID_HEX], other[DH_SIG_KEYID_HEX];
    dh_sig_keyid_hex(keyid, hex);
    if (kiosk)
        for (int i = 0; i < t->n; i++) {
            if (strcmp(t->keys[i].kiosk, kiosk) != 0) continue;
            if (memcmp(t->keys[i].pk.keyid, keyid, DH_SIG_KEYID_BYTES) == 0) {
                *out = &t->keys[i].pk;
                return DH_OK;
            }
            return dh_fail(err, DH_ESIG,
                           "signed with key %s, but the trusted key of kiosk %s is %s (%s): "
                           "this bundle did not come from that kiosk, or its key was replaced",
                           hex, kiosk, dh_sig_keyid_hex(t->keys[i].pk.keyid, other),
                           t->keys[i].origin);
        }
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->keys[i].kiosk, "*") == 0 &&
            memcmp(t->keys[i].pk.keyid, keyid, DH_SIG_KEYID_BYTES) == 0) {
            *out = &t->keys[i].pk;
            return DH_OK;
        }
    if (kiosk)
        return dh_fail(err, DH_ENOTFOUND,
                       "unknown key: kiosk %s signed with key %s, which is not among the trusted "
                       "keys; if you trust this kiosk, add its kiosk.pub with -p or a line "
                       "'%s <key>' to the trusted-keys file",
                       kiosk, hex, kiosk);
    return dh_fail(err, DH_ENOTFOUND,
                   "unknown key: this merged bundle is signed with key %s, which is not among "
                   "the trusted keys (give the officer's public key with -p)",
                   hex);
}

/* ---- statement id map ---------------------------------------------------------------- */

typedef struct IdSlot {
    uint8_t id[16];
    bool used;
    dh_IdValue value;
} IdSlot;

struct dh_IdMap {
    IdSlot *slots;
    size_t cap, n;
};

dh_Status dh_idmap_new(dh_IdMap **out, dh_Error *err)
{
    *out = dh_calloc(1, sizeof **out);
    return *out ? DH_OK : dh_fail(err, DH_ENOMEM, "out of memory");
}

void dh_idmap_free(dh_IdMap *m)
{
    if (!m) return;
    dh_free(m->slots);
    dh_free(m);
}

size_t dh_idmap_count(const dh_IdMap *m)
{
    return m->n;
}

static bool uuid_bytes(const char *s, uint8_t out[16])
{
    if (!dh_uuid_valid(s)) return false;
    int k = 0;
    for (int i = 0; s[i] && k < 32; i++) {
        if (s[i] == '-') continue;
        char c = s[i];
        int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        if (k % 2 == 0) out[k / 2] = (uint8_t)(v << 4);
        else out[k / 2] |= (uint8_t)v;
        k++;
    }
    return k == 32;
}

static size_t slot_of(const uint8_t id[16], size_t cap)
{
    /* all 16 bytes: ids need not be random (counters, hand-made tests) */
    uint64_t a, b;
    memcpy(&a, id, sizeof a);
    memcpy(&b, id + 8, sizeof b);
    uint64_t h = a ^ (b * 0x9E3779B97F4A7C15ull);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

static dh_Status idmap_grow(dh_IdMap *m, dh_Error *err)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    IdSlot *slots = dh_calloc(cap, sizeof *slots);
    if (!slots) return dh_fail(err, DH_ENOMEM, "out of memory remembering statement ids");
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].used) continue;
        size_t j = slot_of(m->slots[i].id, cap);
        while (slots[j].used) j = (j + 1) & (cap - 1);
        slots[j] = m->slots[i];
    }
    dh_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return DH_OK;
}

dh_Status dh_idmap_put(dh_IdMap *m, const char *id, const dh_IdValue *value, bool *found,
                       dh_IdValue *old, dh_Error *err)
{
    uint8_t key[16];
    *found = false;
    if (!uuid_bytes(id, key)) return dh_fail(err, DH_EFORMAT, "'%.40s' is not a UUID", id);
    if ((m->n + 1) * 4 > m->cap * 3) {
        dh_Status s = idmap_grow(m, err);
        if (s) return s;
    }
    size_t j = slot_of(key, m->cap);
    while (m->slots[j].used) {
        if (memcmp(m->slots[j].id, key, 16) == 0) {
            *found = true;
            if (old) *old = m->slots[j].value;
            return DH_OK;
        }
        j = (j + 1) & (m->cap - 1);
    }
    memcpy(m->slots[j].id, key, 16);
    m->slots[j].used = true;
    m->slots[j].value = *value;
    m->n++;
    return DH_OK;
}

dh_Status dh_bundle_statement_digest(const dh_BundleStatement *st, uint8_t digest[16],
                                     dh_Error *err)
{
    char *compact = cJSON_PrintUnformatted(st->json);
    if (!compact) return dh_fail(err, DH_ENOMEM, "out of memory comparing statements");
    crypto_generichash(digest, 16, (const unsigned char *)compact, strlen(compact), NULL, 0);
    cJSON_free(compact);
    return DH_OK;
}

/* ---- the bundle ------------------------------------------------------------------------ */

#define MAX_FILES 8

struct dh_Bundle {
    char *dir;
    dh_BundleInfo info;
    dh_ExportSource *sources;
    dh_ExportFile files[MAX_FILES]; /* as the manifest lists them */
    int nfiles;
    char *scratch;                  /* one statement's text */
    size_t scratch_cap;
};

const dh_BundleInfo *dh_bundle_info(const dh_Bundle *b)
{
    return &b->info;
}

const char *dh_bundle_dir(const dh_Bundle *b)
{
    return b->dir;
}

void dh_bundle_close(dh_Bundle *b)
{
    if (!b) return;
    dh_free(b->dir);
    dh_free(b->sources);
    dh_free(b->scratch);
    dh_free(b);
}

static const dh_ExportFile *listed(const dh_Bundle *b, const char *name)
{
    for (int i = 0; i < b->nfiles; i++)
        if (strcmp(b->files[i].name, name) == 0) return &b->files[i];
    return NULL;
}

static void path_of(const dh_Bundle *b, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", b->dir, name);
}

/* ---- manifest ------------------------------------------------------------------------- */

/* The first diagnostic of a failed parse as err, at manifest.json:line:col. */
static dh_Status diag_to_err(const dh_Diags *d, const char *name, dh_Error *err)
{
    if (d->oom || (d->count == 0 && d->errors == 0))
        return dh_fail(err, DH_ENOMEM, "out of memory reading %s", name);
    for (int i = 0; i < d->count; i++)
        if (d->items[i].severity == DH_ERROR)
            return dh_fail_at(err, DH_EFORMAT, name, d->items[i].line, d->items[i].col, "%s",
                              d->items[i].msg);
    return dh_fail(err, DH_EFORMAT, "%s is not valid JSON", name);
}

typedef struct Manifest {
    dh_Json json;
    const char *kind, *export_id, *kiosk_id, *key_id, *programme, *exported;
    const char *first, *last;
    bool incremental;
    int64_t statements, rows;
} Manifest;

static dh_Status bad_member(dh_Error *err, const dh_Json *j, const cJSON *at, const char *what)
{
    int line = 0, col = 0;
    if (at) dh_json_pos(j, at, &line, &col);
    return dh_fail_at(err, DH_EFORMAT, DH_EXPORT_MANIFEST, line, col, "%s", what);
}

/* A member that must be a string (or null when nullable). */
static dh_Status str_member(const dh_Json *j, const cJSON *obj, const char *key, bool nullable,
                            const char **out, dh_Error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char msg[160];
    *out = NULL;
    if (!v) {
        snprintf(msg, sizeof msg, "the member \"%s\" is missing", key);
        return bad_member(err, j, obj, msg);
    }
    if (nullable && cJSON_IsNull(v)) return DH_OK;
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        snprintf(msg, sizeof msg, "\"%s\" must be a non-empty string%s", key,
                 nullable ? " or null" : "");
        return bad_member(err, j, v, msg);
    }
    *out = v->valuestring;
    return DH_OK;
}

static dh_Status int_member(const dh_Json *j, const cJSON *obj, const char *key, int64_t *out,
                            dh_Error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char msg[160];
    if (!v) {
        snprintf(msg, sizeof msg, "the member \"%s\" is missing", key);
        return bad_member(err, j, obj, msg);
    }
    double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
    if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(int64_t)d) {
        snprintf(msg, sizeof msg, "\"%s\" must be a whole number, at least 0", key);
        return bad_member(err, j, v, msg);
    }
    *out = (int64_t)d;
    return DH_OK;
}

static bool printable_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > DH_EXPORT_ID_MAX) return false;
    for (; *s; s++)
        if (*s <= ' ' || *s >= 0x7f) return false;
    return true;
}

static bool keyid_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= DH_SIG_KEYID_HEX) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F'))) return false;
    return true;
}

static bool file_name_ok(const char *s)
{
    return !strcmp(s, DH_EXPORT_STATEMENTS) || !strcmp(s, DH_EXPORT_SUMMARY) ||
           !strcmp(s, DH_EXPORT_KIOSK_PUB) || !strcmp(s, DH_EXPORT_SIGNER_PUB);
}

static bool sha_ok(const char *s)
{
    if (strlen(s) != 64) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return false;
    return true;
}

static dh_Status read_files(dh_Bundle *b, const dh_Json *j, const cJSON *root, dh_Error *err)
{
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files");
    if (!cJSON_IsArray(files))
        return bad_member(err, j, files ? files : root, "\"files\" must be an array of files");
    const cJSON *f;
    cJSON_ArrayForEach(f, files)
    {
        const char *name, *sha;
        int64_t bytes;
        dh_Status s;
        if (!cJSON_IsObject(f)) return bad_member(err, j, f, "each file must be an object");
        if ((s = str_member(j, f, "name", false, &name, err)) ||
            (s = str_member(j, f, "sha256", false, &sha, err)) ||
            (s = int_member(j, f, "bytes", &bytes, err)))
            return s;
        char msg[200];
        if (!file_name_ok(name)) {
            snprintf(msg, sizeof msg, "\"%.60s\" is not a file a bundle holds", name);
            return bad_member(err, j, f, msg);
        }
        if (!sha_ok(sha)) return bad_member(err, j, f, "\"sha256\" must be 64 lower-case hex digits");
        if (listed(b, name)) {
            snprintf(msg, sizeof msg, "%s is listed twice", name);
            return bad_member(err, j, f, msg);
        }
        if (b->nfiles == MAX_FILES) return bad_member(err, j, f, "too many files");
        dh_ExportFile *x = &b->files[b->nfiles++];
        snprintf(x->name, sizeof x->name, "%s", name);
        snprintf(x->sha256, sizeof x->sha256, "%s", sha);
        x->bytes = bytes;
    }
    if (!listed(b, DH_EXPORT_STATEMENTS) || !listed(b, DH_EXPORT_SUMMARY))
        return bad_member(err, j, files, "\"files\" must list statements.json and summary.csv");
    return DH_OK;
}

static dh_Status read_sources(dh_Bundle *b, const dh_Json *j, const cJSON *root, dh_Error *err)
{
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(root, "sources");
    if (!cJSON_IsArray(src))
        return bad_member(err, j, src ? src : root, "a merged bundle's \"sources\" must be an array");
    int n = cJSON_GetArraySize(src);
    if (n > DH_BUNDLE_SOURCES_MAX) return bad_member(err, j, src, "too many sources");
    b->sources = dh_calloc((size_t)(n ? n : 1), sizeof *b->sources);
    if (!b->sources) return dh_fail(err, DH_ENOMEM, "out of memory reading the manifest");
    const cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, src)
    {
        const char *id, *kiosk, *key;
        dh_Status s;
        if (!cJSON_IsObject(e)) return bad_member(err, j, e, "each source must be an object");
        if ((s = str_member(j, e, "export_id", false, &id, err)) ||
            (s = str_member(j, e, "kiosk_id", true, &kiosk, err)) ||
            (s = str_member(j, e, "key_id", true, &key, err)) ||
            (s = int_member(j, e, "statements", &b->sources[i].statements, err)))
            return s;
        if (!printable_id(id) || (kiosk && !dh_uuid_valid(kiosk)) || (key && !keyid_ok(key)))
            return bad_member(err, j, e, "a source has a malformed export id, kiosk id or key id");
        snprintf(b->sources[i].export_id, sizeof b->sources[i].export_id, "%s", id);
        snprintf(b->sources[i].kiosk_id, sizeof b->sources[i].kiosk_id, "%s", kiosk ? kiosk : "");
        snprintf(b->sources[i].key_id, sizeof b->sources[i].key_id, "%s", key ? key : "");
        i++;
    }
    b->info.sources = b->sources;
    b->info.nsources = n;
    return DH_OK;
}

/* Parse and check every member of manifest.json into b->info. */
static dh_Status parse_manifest(dh_Bundle *b, const char *text, size_t len, dh_Error *err)
{
    dh_Json j;
    dh_Diags d;
    dh_diags_init(&d);
    memset(&j, 0, sizeof j);
    dh_Status s = dh_json_parse(&j, DH_EXPORT_MANIFEST, text, len, &d);
    if (s) {
        s = s == DH_ENOMEM ? dh_fail(err, DH_ENOMEM, "out of memory reading manifest.json")
                           : diag_to_err(&d, DH_EXPORT_MANIFEST, err);
        goto out;
    }
    const cJSON *root = j.root;
    if (!cJSON_IsObject(root)) {
        s = bad_member(err, &j, root, "the manifest must be a JSON object");
        goto out;
    }
    int64_t format;
    if ((s = int_member(&j, root, "format", &format, err))) goto out;
    if (format != DH_EXPORT_FORMAT) {
        s = bad_member(err, &j, cJSON_GetObjectItemCaseSensitive(root, "format"),
                       "this bundle has a format this program does not know (a newer "
                       "Drillhall wrote it?)");
        goto out;
    }
    b->info.format = (int)format;
    const char *kind, *id, *kiosk, *key, *prog, *exported, *first, *last;
    if ((s = str_member(&j, root, "kind", false, &kind, err)) ||
        (s = str_member(&j, root, "export_id", false, &id, err)) ||
        (s = str_member(&j, root, "kiosk_id", true, &kiosk, err)) ||
        (s = str_member(&j, root, "key_id", true, &key, err)) ||
        (s = str_member(&j, root, "programme", true, &prog, err)) ||
        (s = str_member(&j, root, "exported", false, &exported, err)) ||
        (s = str_member(&j, root, "first_statement", true, &first, err)) ||
        (s = str_member(&j, root, "last_statement", true, &last, err)))
        goto out;
    bool merged = strcmp(kind, "merge") == 0;
    if (!merged && strcmp(kind, "kiosk") != 0) {
        s = bad_member(err, &j, root, "\"kind\" must be \"kiosk\" or \"merge\"");
        goto out;
    }
    const cJSON *inc = cJSON_GetObjectItemCaseSensitive(root, "incremental");
    if (!cJSON_IsBool(inc)) {
        s = bad_member(err, &j, inc ? inc : root, "\"incremental\" must be true or false");
        goto out;
    }
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(root, "counts");
    if (!cJSON_IsObject(counts)) {
        s = bad_member(err, &j, counts ? counts : root, "\"counts\" must be an object");
        goto out;
    }
    int64_t trainees;
    if ((s = int_member(&j, counts, "statements", &b->info.statements, err)) ||
        (s = int_member(&j, counts, "summary_rows", &b->info.rows, err)) ||
        (s = int_member(&j, counts, "trainees", &trainees, err)))
        goto out;
    if (!printable_id(id)) {
        s = bad_member(err, &j, root, "\"export_id\" must be 1-128 printable characters");
        goto out;
    }
    if (merged ? kiosk != NULL : (!kiosk || !dh_uuid_valid(kiosk))) {
        s = bad_member(err, &j, root,
                       merged ? "a merged bundle has no \"kiosk_id\" (null)"
                              : "\"kiosk_id\" must be the kiosk's UUID");
        goto out;
    }
    if (key && !keyid_ok(key)) {
        s = bad_member(err, &j, root, "\"key_id\" must be a key id as minisign prints it");
        goto out;
    }
    if (prog && strlen(prog) > DH_EXPORT_IRI_MAX) {
        s = bad_member(err, &j, root, "\"programme\" is too long");
        goto out;
    }
    if (!dh_bundle_parse_time(exported, &b->info.exported_ms) ||
        (first && !dh_bundle_parse_time(first, &b->info.first_ms)) ||
        (last && !dh_bundle_parse_time(last, &b->info.last_ms)) ||
        (b->info.statements > 0) != (first && last)) {
        s = bad_member(err, &j, root,
                       "\"exported\", \"first_statement\" and \"last_statement\" must be UTC "
                       "times (first and last null exactly when there are no statements)");
        goto out;
    }
    b->info.merged = merged;
    b->info.incremental = cJSON_IsTrue(inc);
    snprintf(b->info.export_id, sizeof b->info.export_id, "%s", id);
    snprintf(b->info.kiosk_id, sizeof b->info.kiosk_id, "%s", kiosk ? kiosk : "");
    lower(b->info.kiosk_id);
    snprintf(b->info.key_id, sizeof b->info.key_id, "%s", key ? key : "");
    snprintf(b->info.programme, sizeof b->info.programme, "%s", prog ? prog : "");
    if ((s = read_files(b, &j, root, err))) goto out;
    if (merged) s = read_sources(b, &j, root, err);
out:
    dh_json_free(&j);
    dh_diags_free(&d);
    return s;
}

/* ---- signature ---------------------------------------------------------------------- */

/* Where a bundle's signature check stands between its two halves: the
 * signature is checked before the manifest is parsed (so a changed manifest
 * is reported as a signature failure, not as whatever syntax it broke),
 * and who may sign for which kiosk once the manifest says which kiosk. */
typedef struct SigCheck {
    bool signed_;                  /* manifest.json.minisig exists */
    uint8_t keyid[DH_SIG_KEYID_BYTES];
    char keyid_hex[DH_SIG_KEYID_HEX];
    dh_PublicKey key;              /* the key that verified the signature */
    char trusted_comment[DH_SIG_TRUSTED_MAX + 1];
} SigCheck;

/* The kiosk id an unverified manifest claims, for messages only. */
static void claimed_kiosk(const char *manifest, size_t len, char out[DH_UUID_LEN + 1])
{
    out[0] = '\0';
    cJSON *j = cJSON_ParseWithLength(manifest, len);
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "kiosk_id");
    if (cJSON_IsString(k) && dh_uuid_valid(k->valuestring)) snprintf(out, DH_UUID_LEN + 1, "%s", k->valuestring);
    cJSON_Delete(j);
}

static dh_Status verify_signature(dh_Bundle *b, const dh_Trust *trust, const char *manifest,
                                  size_t len, SigCheck *sc, dh_Error *err)
{
    memset(sc, 0, sizeof *sc);
    char path[DH_STORE_PATH_MAX];
    path_of(b, DH_EXPORT_SIGNATURE, path, sizeof path);
    struct stat sb;
    if (stat(path, &sb) != 0) return DH_OK; /* unsigned: judged once the manifest is read */
    sc->signed_ = true;
    char *sig_text;
    size_t sig_len;
    dh_Status s = read_small(path, DH_EXPORT_SIGNATURE, DH_SIG_FILE_MAX, &sig_text, &sig_len, err);
    if (s) return s;
    dh_Signature sig;
    memset(&sig, 0, sizeof sig);
    s = dh_sig_signature_parse(&sig, sig_text, sig_len, DH_EXPORT_SIGNATURE, err);
    dh_free(sig_text);
    if (s) return s;
    memcpy(sc->keyid, sig.keyid, sizeof sc->keyid);
    dh_sig_keyid_hex(sig.keyid, sc->keyid_hex);
    const dh_PublicKey *pk = NULL;
    if (dh_trust_empty(trust)) {
        /* the key the bundle carries: kiosk.pub, or signer.pub for a merge */
        const char *names[] = {DH_EXPORT_KIOSK_PUB, DH_EXPORT_SIGNER_PUB};
        for (int i = 0; i < 2 && !pk; i++) {
            path_of(b, names[i], path, sizeof path);
            if (dh_sig_public_read(&sc->key, path, NULL) == DH_OK) pk = &sc->key;
        }
        if (!pk) {
            s = dh_fail(err, DH_ESIG,
                        "the bundle carries no readable kiosk.pub or signer.pub, so its signature "
                        "cannot be checked (give the signer's key with -p)");
            goto out;
        }
    } else {
        for (int i = 0; i < trust->n && !pk; i++)
            if (memcmp(trust->keys[i].pk.keyid, sig.keyid, DH_SIG_KEYID_BYTES) == 0) pk = &trust->keys[i].pk;
        if (!pk) { /* say why in terms of the kiosk the (unverified) manifest names */
            char kiosk[DH_UUID_LEN + 1];
            claimed_kiosk(manifest, len, kiosk);
            s = trust_find(trust, kiosk[0] ? kiosk : NULL, sig.keyid, &pk, err);
            DH_ASSERT(s != DH_OK);
            goto out;
        }
        sc->key = *pk;
    }
    if ((s = dh_sig_verify_parsed(&sig, manifest, len, pk, err))) {
        if (s == DH_ESIG && strstr(err->msg, "trusted comment"))
            s = dh_fail(err, DH_ESIG,
                        "the trusted comment in %s was changed after signing (its signature "
                        "does not verify)",
                        DH_EXPORT_SIGNATURE);
        else if (s == DH_ESIG && strstr(err->msg, "signed with key"))
            s = dh_fail(err, DH_ESIG, "%s is signed with key %s, but the key the bundle carries is "
                                      "another",
                        DH_EXPORT_SIGNATURE, sc->keyid_hex);
        else if (s == DH_ESIG)
            s = dh_fail(err, DH_ESIG,
                        "%s does not match its signature: the manifest was changed after the "
                        "bundle was signed, or the signature belongs to another bundle",
                        DH_EXPORT_MANIFEST);
        goto out;
    }
    snprintf(sc->trusted_comment, sizeof sc->trusted_comment, "%s", sig.trusted_comment);
out:
    dh_sig_signature_free(&sig);
    return s;
}

/* The second half, with the manifest read: the signer may sign for this
 * kiosk, the manifest names the key, the bundle carries it. */
static dh_Status check_signer(dh_Bundle *b, const dh_Trust *trust, const SigCheck *sc,
                              dh_Error *err)
{
    const char *pub_name = b->info.merged ? DH_EXPORT_SIGNER_PUB : DH_EXPORT_KIOSK_PUB;
    if (!sc->signed_) {
        if (!dh_trust_empty(trust))
            return dh_fail(err, DH_ESIG,
                           "not signed: %s is missing, so nothing proves where this bundle comes "
                           "from",
                           DH_EXPORT_SIGNATURE);
        if (b->info.key_id[0])
            return dh_fail(err, DH_ESIG, "%s is missing, but the manifest says key %s signed it",
                           DH_EXPORT_SIGNATURE, b->info.key_id);
        b->info.trust = DH_BUNDLE_UNSIGNED;
        return DH_OK;
    }
    if (!dh_trust_empty(trust)) {
        const dh_PublicKey *pk;
        dh_Status s = trust_find(trust, b->info.merged ? NULL : b->info.kiosk_id, sc->keyid, &pk, err);
        if (s) return s;
        if (memcmp(pk, &sc->key, sizeof *pk) != 0)
            return dh_fail(err, DH_ESIG, "signed with key %s, which is not trusted for %s%s",
                           sc->keyid_hex, b->info.merged ? "merged bundles" : "kiosk ",
                           b->info.merged ? "" : b->info.kiosk_id);
        b->info.trust = DH_BUNDLE_TRUSTED;
    } else {
        b->info.trust = DH_BUNDLE_SELF_SIGNED;
    }
    if (strcmp(b->info.key_id, sc->keyid_hex) != 0)
        return dh_fail(err, DH_ESIG, "the manifest names key %s but %s was made with key %s",
                       b->info.key_id[0] ? b->info.key_id : "(none)", DH_EXPORT_SIGNATURE,
                       sc->keyid_hex);
    if (!listed(b, pub_name))
        return dh_fail(err, DH_EFORMAT, "the manifest does not list %s, the signer's public key",
                       pub_name);
    char path[DH_STORE_PATH_MAX];
    dh_PublicKey own;
    path_of(b, pub_name, path, sizeof path);
    if (dh_sig_public_read(&own, path, NULL) != DH_OK || memcmp(&own, &sc->key, sizeof own) != 0)
        return dh_fail(err, DH_ESIG, "%s is not the key that signed the bundle (key %s)", pub_name,
                       sc->keyid_hex);
    snprintf(b->info.trusted_comment, sizeof b->info.trusted_comment, "%s", sc->trusted_comment);
    return DH_OK;
}

/* ---- streaming a file with its hash ------------------------------------------------ */

typedef struct Stream {
    FILE *f;
    const char *name;
    unsigned char *buf;
    size_t len, pos;
    bool eof, error;
    crypto_hash_sha256_state sha;
    int64_t bytes;
    int line, col;   /* of the next byte */
} Stream;

static dh_Status stream_open(Stream *st, const dh_Bundle *b, const char *name, dh_Error *err)
{
    memset(st, 0, sizeof *st);
    st->name = name;
    st->line = st->col = 1;
    char path[DH_STORE_PATH_MAX];
    path_of(b, name, path, sizeof path);
    st->buf = dh_malloc(READ_BUFFER);
    if (!st->buf) return dh_fail(err, DH_ENOMEM, "out of memory reading %s", name);
    st->f = fopen(path, "rb");
    if (!st->f) {
        int e = errno;
        dh_free(st->buf);
        st->buf = NULL;
        if (e == ENOENT) return dh_fail(err, DH_EIO, "%s is missing", name);
        return dh_fail(err, DH_EIO, "cannot read %s: %s", name, strerror(e));
    }
    crypto_hash_sha256_init(&st->sha);
    return DH_OK;
}

static void stream_close(Stream *st)
{
    if (st->f) fclose(st->f);
    dh_free(st->buf);
    st->f = NULL;
    st->buf = NULL;
}

static bool stream_fill(Stream *st)
{
    if (st->eof || st->error) return false;
    st->len = fread(st->buf, 1, READ_BUFFER, st->f);
    st->pos = 0;
    if (st->len == 0) {
        if (ferror(st->f)) st->error = true;
        st->eof = true;
        return false;
    }
    crypto_hash_sha256_update(&st->sha, st->buf, st->len);
    st->bytes += (int64_t)st->len;
    return true;
}

/* Next byte, or -1 at the end (or on a read error: check st->error). */
static int stream_get(Stream *st)
{
    if (st->pos == st->len && !stream_fill(st)) return -1;
    int c = st->buf[st->pos++];
    if (c == '\n') {
        st->line++;
        st->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        st->col++;
    }
    return c;
}

static int stream_peek(Stream *st)
{
    if (st->pos == st->len && !stream_fill(st)) return -1;
    return st->buf[st->pos];
}

/* Read what is left (so the hash covers the file) and compare with the
 * manifest's size and hash. */
static dh_Status stream_finish(Stream *st, const dh_ExportFile *want, bool again, dh_Error *err)
{
    while (stream_fill(st)) st->pos = st->len;
    if (st->error) return dh_fail(err, DH_EIO, "cannot read %s: the medium reported an error", st->name);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256_final(&st->sha, h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (st->bytes != want->bytes)
        return dh_fail(err, DH_ESIG,
                       "%s has %lld bytes but the manifest says %lld%s", st->name,
                       (long long)st->bytes, (long long)want->bytes,
                       again ? " (it changed while being read)"
                             : ": it was changed, or copied incompletely");
    if (strcmp(hex, want->sha256) != 0)
        return dh_fail(err, DH_ESIG,
                       "%s does not match its SHA-256 in the manifest: it was changed after the "
                       "bundle was made%s",
                       st->name, again ? " (while being read)" : "");
    return DH_OK;
}

/* After a content error in a file: if the file also fails its hash, that
 * is the better diagnosis (it was changed or damaged after the bundle was
 * made), so read on to the end and report that instead. */
static dh_Status prefer_hash_error(Stream *st, const dh_ExportFile *want, bool again,
                                   dh_Status s, dh_Error *err)
{
    if (s != DH_EFORMAT && s != DH_ELIMIT) return s;
    if (st->eof && st->pos == st->len && st->bytes == want->bytes) {
        /* already read to the end: stream_finish below would hash nothing more */
    }
    dh_Error hash_err;
    dh_Status h = stream_finish(st, want, again, &hash_err);
    if (h == DH_ESIG) {
        *err = hash_err;
        return h;
    }
    return s;
}

static dh_Status check_hash_only(const dh_Bundle *b, const char *name, dh_Error *err)
{
    Stream st;
    dh_Status s = stream_open(&st, b, name, err);
    if (s) return s;
    s = stream_finish(&st, listed(b, name), false, err);
    stream_close(&st);
    return s;
}

/* ---- statements.json --------------------------------------------------------------- */

static dh_Status syntax(Stream *st, dh_Error *err, const char *what)
{
    if (st->error) return dh_fail(err, DH_EIO, "cannot read %s: the medium reported an error", st->name);
    return dh_fail_at(err, DH_EFORMAT, st->name, st->line, st->col, "%s", what);
}

static int skip_ws(Stream *st)
{
    int c;
    while ((c = stream_peek(st)) == ' ' || c == '\t' || c == '\n' || c == '\r') stream_get(st);
    return c;
}

/* One element (an object) into b->scratch: strings, escapes and nesting
 * only; the strict parser judges the rest. Works on the read buffer a run
 * at a time (this loop sees every byte of a file that may hold a million
 * statements). */
static dh_Status scan_element(dh_Bundle *b, Stream *st, size_t *len, dh_Error *err)
{
    size_t n = 0;
    int depth = 0;
    bool in_string = false, escape = false, done = false;
    int line = st->line, col = st->col;
    while (!done) {
        if (st->pos == st->len && !stream_fill(st)) {
            if (st->error) return syntax(st, err, "");
            return dh_fail_at(err, DH_EFORMAT, st->name, line, col,
                              "the file ends inside this statement (was it copied completely?)");
        }
        const unsigned char *p = st->buf + st->pos, *end = st->buf + st->len, *q = p;
        for (; q < end && !done; q++) {
            unsigned c = *q;
            if (c == '\n') {
                st->line++;
                st->col = 1;
            } else if ((c & 0xC0) != 0x80) {
                st->col++;
            }
            if (in_string) {
                if (escape) escape = false;
                else if (c == '\\') escape = true;
                else if (c == '"') in_string = false;
            } else if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                if (++depth > DH_JSON_MAX_DEPTH) {
                    st->pos += (size_t)(q + 1 - p);
                    return syntax(st, err, "the statement is nested too deeply");
                }
            } else if ((c == '}' || c == ']') && --depth == 0) {
                done = true;
            }
        }
        size_t run = (size_t)(q - p);
        if (n + run > DH_BUNDLE_STATEMENT_MAX)
            return dh_fail_at(err, DH_ELIMIT, st->name, line, col,
                              "this statement is larger than %u bytes", DH_BUNDLE_STATEMENT_MAX);
        if (n + run + 1 > b->scratch_cap) {
            size_t cap = b->scratch_cap ? b->scratch_cap : 4096;
            while (cap < n + run + 1) cap *= 2;
            char *x = dh_realloc(b->scratch, cap);
            if (!x) return dh_fail(err, DH_ENOMEM, "out of memory reading %s", DH_EXPORT_STATEMENTS);
            b->scratch = x;
            b->scratch_cap = cap;
        }
        memcpy(b->scratch + n, p, run);
        n += run;
        st->pos += run;
    }
    b->scratch[n] = '\0';
    *len = n;
    return DH_OK;
}

typedef struct Scan {
    dh_BundleStatementFn fn;  /* NULL: only check */
    void *ctx;
    dh_IdMap *ids;            /* duplicate check (may be NULL) */
} Scan;

static dh_Status scan_statements(dh_Bundle *b, const Scan *scan, bool again, dh_Error *err)
{
    Stream st;
    dh_Status s = stream_open(&st, b, DH_EXPORT_STATEMENTS, err);
    if (s) return s;
    int64_t count = 0;
    int c = skip_ws(&st);
    if (c != '[') {
        s = syntax(&st, err, "statements.json must be a JSON array of statements");
        goto out;
    }
    stream_get(&st);
    c = skip_ws(&st);
    if (c == ']') stream_get(&st);
    else
        for (;;) {
            if (c != '{') {
                s = syntax(&st, err, "expected a statement (a JSON object) here");
                goto out;
            }
            int line = st.line, col = st.col;
            size_t len = 0;
            if ((s = scan_element(b, &st, &len, err))) goto out;
            dh_Json j;
            dh_Diags d;
            memset(&j, 0, sizeof j);
            dh_diags_init(&d);
            s = dh_json_parse(&j, DH_EXPORT_STATEMENTS, b->scratch, len, &d);
            if (s) {
                s = s == DH_ENOMEM ? dh_fail(err, DH_ENOMEM, "out of memory reading statements")
                                   : diag_to_err(&d, DH_EXPORT_STATEMENTS, err);
                if (s == DH_EFORMAT) { /* element-relative position -> file position */
                    if (err->line <= 1) err->col += col - 1;
                    err->line += line - 1;
                }
            }
            const cJSON *id = s ? NULL : cJSON_GetObjectItemCaseSensitive(j.root, "id");
            if (!s && (!cJSON_IsString(id) || !dh_uuid_valid(id->valuestring)))
                s = dh_fail_at(err, DH_EFORMAT, DH_EXPORT_STATEMENTS, line, col,
                               "statement %lld has no \"id\" that is a UUID", (long long)count + 1);
            if (!s && scan->ids) {
                bool found;
                dh_IdValue v = {.index = count};
                s = dh_idmap_put(scan->ids, id->valuestring, &v, &found, NULL, err);
                if (!s && found)
                    s = dh_fail_at(err, DH_EFORMAT, DH_EXPORT_STATEMENTS, line, col,
                                   "statement id %s appears twice", id->valuestring);
            }
            if (!s && scan->fn) {
                dh_BundleStatement bs = {.index = count, .id = id->valuestring,
                                         .text = b->scratch, .len = len, .json = j.root};
                s = scan->fn(&bs, scan->ctx, err);
            }
            dh_json_free(&j);
            dh_diags_free(&d);
            if (s) goto out;
            count++;
            c = skip_ws(&st);
            if (c == ']') {
                stream_get(&st);
                break;
            }
            if (c != ',') {
                s = syntax(&st, err, c < 0 ? "the array is not closed with ']' (was the file "
                                             "copied completely?)"
                                           : "expected ',' or ']' after a statement");
                goto out;
            }
            stream_get(&st);
            c = skip_ws(&st);
        }
    c = skip_ws(&st);
    if (c >= 0) {
        s = syntax(&st, err, "text after the end of the array");
        goto out;
    }
    if ((s = stream_finish(&st, listed(b, DH_EXPORT_STATEMENTS), again, err))) goto out;
    if (count != b->info.statements)
        s = dh_fail(err, DH_EFORMAT, "statements.json holds %lld statements but the manifest "
                                     "counts %lld",
                    (long long)count, (long long)b->info.statements);
out:
    s = prefer_hash_error(&st, listed(b, DH_EXPORT_STATEMENTS), again, s, err);
    stream_close(&st);
    return s;
}

dh_Status dh_bundle_statements_each(dh_Bundle *b, dh_BundleStatementFn fn, void *ctx,
                                    dh_Error *err)
{
    Scan scan = {fn, ctx, NULL};
    return scan_statements(b, &scan, true, err);
}

/* ---- summary.csv ----------------------------------------------------------------------- */

static long stream_read(void *ctx, char *buf, size_t size)
{
    Stream *st = ctx;
    if (st->pos == st->len && !stream_fill(st)) return st->error ? -1 : 0;
    size_t n = st->len - st->pos;
    if (n > size) n = size;
    memcpy(buf, st->buf + st->pos, n);
    st->pos += n;
    return (long)n;
}

static bool number_cell(const char *s, double *out)
{
    if (!s[0] || s[0] == ' ' || s[0] == '+') return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || v != v) return false;
    *out = v;
    return true;
}

static dh_Status bad_cell(dh_Error *err, int line, int column, const char *what)
{
    return dh_fail_at(err, DH_EFORMAT, DH_EXPORT_SUMMARY, line, 0, "column %s: %s",
                      dh_export_summary_columns[column], what);
}

/* Check one data row and point row's fields at its cells. */
static dh_Status parse_row(char **cells, int n, int line, dh_ExportRow *row, dh_Error *err)
{
    if (n != DH_EXPORT_SUMMARY_COLUMNS)
        return dh_fail_at(err, DH_EFORMAT, DH_EXPORT_SUMMARY, line, 0,
                          "a row has %d cells; every row has %d", n, DH_EXPORT_SUMMARY_COLUMNS);
    memset(row, 0, sizeof *row);
    row->trainee_id = dh_csv_unneutralise(cells[0]);
    row->name = dh_csv_unneutralise(cells[1]);
    row->unit = dh_csv_unneutralise(cells[2]);
    row->nation = dh_csv_unneutralise(cells[3]);
    row->course_id = dh_csv_unneutralise(cells[4]);
    row->version = dh_csv_unneutralise(cells[5]);
    row->kiosk_id = dh_csv_unneutralise(cells[12]);
    if (!row->trainee_id[0]) return bad_cell(err, line, 0, "the trainee id is empty");
    if (!row->course_id[0] || !row->version[0])
        return bad_cell(err, line, 4, "the course id and version must not be empty");
    bool known = false;
    for (int i = 0; i < 5 && !known; i++)
        if (strcmp(cells[6], status_words[i]) == 0) {
            row->status = (dh_ProgressStatus)i;
            known = true;
        }
    if (!known) return bad_cell(err, line, 6, "not one of: not attempted, in progress, completed, passed, failed");
    if (cells[7][0]) {
        if (!number_cell(cells[7], &row->score) || row->score < -1 || row->score > 1)
            return bad_cell(err, line, 7, "a score is a number from -1 to 1, or empty");
        row->has_score = true;
    }
    if (strcmp(cells[8], "true") && strcmp(cells[8], "false"))
        return bad_cell(err, line, 8, "must be true or false");
    row->passed = cells[8][0] == 't';
    if (cells[9][0] && (!dh_bundle_parse_time(cells[9], &row->completed_ms) || row->completed_ms == 0))
        return bad_cell(err, line, 9, "must be a UTC time like 2026-11-28T04:15:26.123Z, or empty");
    double secs, attempts;
    if (!number_cell(cells[10], &secs) || secs < 0 || secs > 9e12)
        return bad_cell(err, line, 10, "must be a number of seconds, at least 0");
    row->time_ms = (int64_t)(secs * 1000.0 + 0.5);
    if (!number_cell(cells[11], &attempts) || attempts < 0 || attempts > 1e9 ||
        attempts != (double)(int)attempts)
        return bad_cell(err, line, 11, "must be a whole number");
    row->attempts = (int)attempts;
    if (!dh_uuid_valid(row->kiosk_id)) return bad_cell(err, line, 12, "must be a kiosk id (UUID)");
    return DH_OK;
}

static dh_Status scan_summary(dh_Bundle *b, dh_BundleRowFn fn, void *ctx, bool again,
                              dh_Error *err)
{
    Stream st;
    dh_Status s = stream_open(&st, b, DH_EXPORT_SUMMARY, err);
    if (s) return s;
    dh_CsvReader *r = NULL;
    if ((s = dh_csv_reader_new(&r, stream_read, &st, DH_EXPORT_SUMMARY, err))) goto out;
    char **cells;
    int n;
    if ((s = dh_csv_next(r, &cells, &n, err))) goto out;
    bool header = n == DH_EXPORT_SUMMARY_COLUMNS;
    for (int i = 0; header && i < n; i++) header = strcmp(cells[i], dh_export_summary_columns[i]) == 0;
    if (!header) {
        s = dh_fail_at(err, DH_EFORMAT, DH_EXPORT_SUMMARY, 1, 1,
                       "the first line is not the summary header (trainee_id,name,unit,...)");
        goto out;
    }
    int64_t rows = 0;
    for (;;) {
        if ((s = dh_csv_next(r, &cells, &n, err))) goto out;
        if (n == 0) break;
        dh_ExportRow row;
        if ((s = parse_row(cells, n, dh_csv_line(r), &row, err))) goto out;
        if (fn && (s = fn(&row, ctx, err))) goto out;
        rows++;
    }
    if ((s = stream_finish(&st, listed(b, DH_EXPORT_SUMMARY), again, err))) goto out;
    if (rows != b->info.rows)
        s = dh_fail(err, DH_EFORMAT, "summary.csv has %lld rows but the manifest counts %lld",
                    (long long)rows, (long long)b->info.rows);
out:
    s = prefer_hash_error(&st, listed(b, DH_EXPORT_SUMMARY), again, s, err);
    dh_csv_reader_free(r);
    stream_close(&st);
    return s;
}

dh_Status dh_bundle_summary_each(dh_Bundle *b, dh_BundleRowFn fn, void *ctx, dh_Error *err)
{
    return scan_summary(b, fn, ctx, true, err);
}

/* ---- opening ------------------------------------------------------------------------ */

dh_Status dh_bundle_open(dh_Bundle **out, const char *dir, const dh_Trust *trust,
                         bool check_statements, dh_Error *err)
{
    *out = NULL;
    if (sodium_init() < 0) return dh_fail(err, DH_EINVAL, "libsodium failed to start");
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return dh_fail(err, DH_EIO, "not a bundle: there is no such folder");
    dh_Bundle *b = dh_calloc(1, sizeof *b);
    if (!b || !(b->dir = dh_strdup(dir))) {
        dh_free(b);
        return dh_fail(err, DH_ENOMEM, "out of memory opening a bundle");
    }
    char path[DH_STORE_PATH_MAX];
    path_of(b, DH_EXPORT_MANIFEST, path, sizeof path);
    char *manifest = NULL;
    size_t len = 0;
    dh_Status s = read_small(path, DH_EXPORT_MANIFEST, DH_BUNDLE_MANIFEST_MAX, &manifest, &len, err);
    if (s == DH_EIO && strstr(err->msg, "missing"))
        s = dh_fail(err, DH_EIO, "not a bundle: manifest.json is missing");
    SigCheck *sc = s ? NULL : dh_malloc(sizeof *sc);
    if (!s && !sc) s = dh_fail(err, DH_ENOMEM, "out of memory opening a bundle");
    if (!s) s = verify_signature(b, trust, manifest, len, sc, err);
    if (!s) s = parse_manifest(b, manifest, len, err);
    if (!s) s = check_signer(b, trust, sc, err);
    dh_free(sc);
    dh_free(manifest);
    /* The pub file first (small), then the summary, then the statements. */
    for (int i = 0; !s && i < b->nfiles; i++) {
        const char *name = b->files[i].name;
        if (strcmp(name, DH_EXPORT_STATEMENTS) && strcmp(name, DH_EXPORT_SUMMARY))
            s = check_hash_only(b, name, err);
    }
    if (!s) s = scan_summary(b, NULL, NULL, false, err);
    if (!s && check_statements) {
        dh_IdMap *ids = NULL;
        if (!(s = dh_idmap_new(&ids, err))) {
            Scan scan = {NULL, NULL, ids};
            s = scan_statements(b, &scan, false, err);
        }
        dh_idmap_free(ids);
    } else if (!s) {
        s = check_hash_only(b, DH_EXPORT_STATEMENTS, err);
    }
    if (s) {
        dh_bundle_close(b);
        return s;
    }
    *out = b;
    return DH_OK;
}

/* ---- describing ---------------------------------------------------------------------- */

static void day(char out[11], int64_t ms)
{
    char ts[DH_XAPI_TIMESTAMP_LEN + 1];
    if (dh_xapi_timestamp(ts, ms)) snprintf(out, 11, "%.10s", ts);
    else snprintf(out, 11, "?");
}

const char *dh_bundle_describe(const dh_Bundle *b, char *buf, size_t size)
{
    const dh_BundleInfo *i = &b->info;
    char who[200], range[64] = "", trust[160];
    if (i->merged)
        snprintf(who, sizeof who, "merged from %d kiosk export%s", i->nsources,
                 i->nsources == 1 ? "" : "s");
    else snprintf(who, sizeof who, "kiosk %s", i->kiosk_id);
    switch (i->trust) {
    case DH_BUNDLE_TRUSTED:
        snprintf(trust, sizeof trust, "signed by trusted key %s", i->key_id);
        break;
    case DH_BUNDLE_SELF_SIGNED:
        snprintf(trust, sizeof trust,
                 "integrity only: signed by key %s, the key it carries (no trusted keys given)",
                 i->key_id);
        break;
    default:
        snprintf(trust, sizeof trust, "integrity only: unsigned");
        break;
    }
    if (i->statements) {
        char a[11], z[11];
        day(a, i->first_ms);
        day(z, i->last_ms);
        snprintf(range, sizeof range, " from %s to %s", a, z);
    }
    snprintf(buf, size, "%s, %s; %lld statement%s%s, %lld summary row%s", who, trust,
             (long long)i->statements, i->statements == 1 ? "" : "s", range, (long long)i->rows,
             i->rows == 1 ? "" : "s");
    return buf;
}
