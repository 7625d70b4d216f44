/* kiosk: creating, loading and cross-checking the kiosk identity.
 *
 * First run writes kiosk.key, then kiosk.pub, then kiosk.json, each
 * atomically (temporary file, fsync, rename), so kiosk.json appearing is the
 * moment the identity exists. A power cut before that leaves a key without
 * kiosk.json, which the next run completes; a power cut after it leaves a
 * complete identity. The secret key is read without a password prompt: a
 * kiosk must never block on a terminal nobody watches.
 *
 * The same file carries the officer's configuration (site, programme IRI,
 * language, idle timeout, trusted keys, removable media folder). It is read
 * with positions (json.h) so a mistake is reported at its line and column
 * with what to write instead; rewriting it keeps every member it does not
 * own, the identity first of all. The trusted keys it points at are loaded
 * here too: one key file per instructor in a folder, or one list file.
 */
#define _POSIX_C_SOURCE 200809L

#include "kiosk.h"

#include "alloc.h"
#include "i18n.h"
#include "json.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KIOSK_FORMAT 1
#define JSON_MAX 65536 /* kiosk.json is a few lines; anything larger is not ours */

typedef struct Paths {
    char dir[DH_STORE_PATH_MAX];
    char json[DH_STORE_PATH_MAX];
    char pub[DH_STORE_PATH_MAX];
    char key[DH_STORE_PATH_MAX];
} Paths;

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static void add_warning(dh_Kiosk *k, const char *sentence)
{
    size_t n = strlen(k->warning);
    snprintf(k->warning + n, sizeof k->warning - n, "%s%s", n ? " " : "", sentence);
}

/* Read a small file whole; *out is NUL-terminated, caller frees (dh_free). */
static dh_Status read_small(const char *path, size_t max, char **out, size_t *len, dh_Error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    if (fd < 0) return dh_fail(err, DH_EIO, "cannot read %s: %s", path, strerror(errno));
    char *buf = dh_malloc(max + 1);
    if (!buf) {
        close(fd);
        return dh_fail(err, DH_ENOMEM, "out of memory reading %s", path);
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            sodium_memzero(buf, n); /* part of a secret key may be in it */
            dh_free(buf);
            return dh_fail(err, DH_EIO, "cannot read %s: %s", path, strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n > max) {
            close(fd);
            sodium_memzero(buf, n);
            dh_free(buf);
            return dh_fail(err, DH_ELIMIT, "%s is larger than %zu bytes, so it is not a kiosk file",
                           path, max);
        }
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return DH_OK;
}

/* Write path through a synced temporary file and a rename, then sync the
 * directory: after a power cut the file is either whole or absent. */
static dh_Status write_atomic(const char *path, const char *dir, const char *data, size_t len,
                              mode_t mode, dh_Error *err)
{
    char tmp[DH_STORE_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) return dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(errno));
    int e = 0;
    if (fchmod(fd, mode) != 0) e = errno;
    for (size_t off = 0; !e && off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) e = w < 0 ? errno : EIO;
        else off += (size_t)w;
    }
    if (!e && fsync(fd) != 0) e = errno;
    if (close(fd) != 0 && !e) e = errno;
    if (!e && rename(tmp, path) != 0) e = errno;
    if (e) {
        unlink(tmp);
        return dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(e));
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return DH_OK;
}

static dh_Status write_json(const dh_Kiosk *k, const Paths *p, dh_Error *err)
{
    char text[512];
    int n = snprintf(text, sizeof text,
                     "{\n  \"format\": %d,\n  \"kiosk_id\": \"%s\",\n  \"created\": \"%s\",\n"
                     "  \"key_id\": \"%s\"\n}\n",
                     KIOSK_FORMAT, k->id, k->created, k->keyid);
    DH_ASSERT(n > 0 && (size_t)n < sizeof text);
    return write_atomic(p->json, p->dir, text, (size_t)n, 0644, err);
}

static const char *json_string(const cJSON *root, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "YYYY-MM-DDTHH:MM:SSZ" and nothing else. */
static bool created_ok(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof shape - 1) return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
    return true;
}


/* A key id as dh_sig_keyid_hex prints it: 1-16 upper-case hex digits, no
 * leading zero (minisign's form). */
static bool keyid_text_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > DH_SIG_KEYID_HEX - 1 || (s[0] == '0' && n > 1)) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) return false;
    return true;
}

static dh_Status read_json(dh_Kiosk *k, const Paths *p, dh_Error *err)
{
    char *text;
    size_t len;
    dh_Status st = read_small(p->json, JSON_MAX, &text, &len, err);
    if (st) return st;
    long failures = dh_alloc_failures();
    cJSON *root = cJSON_ParseWithLength(text, len);
    dh_free(text);
    if (!root && dh_alloc_failures() != failures)
        return dh_fail(err, DH_ENOMEM, "out of memory reading %s", p->json);
    const char *id = json_string(root, "kiosk_id"), *created = json_string(root, "created");
    const char *keyid = json_string(root, "key_id");
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsObject(root))
        st = dh_fail(err, DH_EFORMAT, "%s is not the JSON object Drillhall wrote; restore it from "
                     "a backup", p->json);
    else if (!cJSON_IsNumber(format))
        st = dh_fail(err, DH_EFORMAT, "%s has no \"format\" number; restore it from a backup",
                     p->json);
    else if (format->valuedouble != KIOSK_FORMAT)
        st = dh_fail(err, DH_EFORMAT,
                     "%s is in format %g, which this Drillhall does not read (it reads format %d); "
                     "install the Drillhall that wrote it",
                     p->json, format->valuedouble, KIOSK_FORMAT);
    else if (!id || !dh_uuid_valid(id))
        st = dh_fail(err, DH_EFORMAT, "%s has no valid \"kiosk_id\" (a UUID)", p->json);
    else if (!created || !created_ok(created))
        st = dh_fail(err, DH_EFORMAT, "%s has no valid \"created\" time (YYYY-MM-DDTHH:MM:SSZ)",
                     p->json);
    else if (!keyid || !keyid_text_ok(keyid))
        st = dh_fail(err, DH_EFORMAT, "%s has no valid \"key_id\" (1-16 upper-case hexadecimal digits)",
                     p->json);
    if (!st) {
        snprintf(k->id, sizeof k->id, "%s", id);
        snprintf(k->created, sizeof k->created, "%s", created);
        snprintf(k->keyid, sizeof k->keyid, "%s", keyid);
    }
    cJSON_Delete(root);
    return st;
}

static dh_Status read_key(dh_Kiosk *k, const Paths *p, dh_Error *err)
{
    struct stat sb;
    if (lstat(p->key, &sb) != 0)
        return dh_fail(err, DH_EIO, "cannot read %s: %s", p->key, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return dh_fail(err, DH_EUNSAFE, "%s is not a regular file; the kiosk key must be one", p->key);
    if (sb.st_mode & 077) {
        char w[DH_STORE_PATH_MAX + 256];
        bool fixed = chmod(p->key, 0600) == 0;
        snprintf(w, sizeof w,
                 "The kiosk key %s was readable by other users (mode %04o)%s; if someone else "
                 "may have copied it, make a new kiosk identity.",
                 p->key, (unsigned)(sb.st_mode & 07777),
                 fixed ? " and was made private (0600)" : " and could not be made private");
        add_warning(k, w);
    }
    char *text;
    size_t len;
    dh_Status st = read_small(p->key, DH_SIG_FILE_MAX, &text, &len, err);
    if (st) return st;
    st = dh_sig_secret_parse(&k->sk, text, len, p->key, NULL, err);
    sodium_memzero(text, len);
    dh_free(text);
    if (st == DH_EINVAL)
        return dh_fail(err, DH_EINVAL,
                       "%s is protected by a password, but a kiosk signs its records with nobody "
                       "there to type one; give the kiosk an unencrypted key (minisign -G -W)",
                       p->key);
    return st;
}

/* kiosk.pub must be the public half of kiosk.key; rewrite it if missing. */
static dh_Status check_pub(dh_Kiosk *k, const Paths *p, dh_Error *err)
{
    dh_sig_secret_public(&k->sk, &k->pk);
    char keyid[DH_SIG_KEYID_HEX];
    dh_sig_keyid_hex(k->pk.keyid, keyid);
    if (!exists(p->pub)) {
        char comment[64];
        snprintf(comment, sizeof comment, "drillhall kiosk public key %s", keyid);
        dh_Status st = dh_sig_public_write(&k->pk, p->pub, comment, false, err);
        if (st) return st;
        add_warning(k, "kiosk.pub was missing and was written again from kiosk.key.");
        return DH_OK;
    }
    dh_PublicKey pub;
    dh_Status st = dh_sig_public_read(&pub, p->pub, err);
    if (st) return st;
    if (memcmp(pub.pk, k->pk.pk, sizeof pub.pk) != 0 ||
        memcmp(pub.keyid, k->pk.keyid, sizeof pub.keyid) != 0) {
        char other[DH_SIG_KEYID_HEX];
        return dh_fail(err, DH_ESIG,
                       "%s (key %s) is not the public half of %s (key %s): the kiosk's key files "
                       "do not belong together; restore both from the same backup",
                       p->pub, dh_sig_keyid_hex(pub.keyid, other), p->key, keyid);
    }
    return DH_OK;
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static dh_Status create(dh_Kiosk *k, const Paths *p, dh_Error *err)
{
    dh_Status st = dh_sig_keygen(&k->pk, &k->sk, err);
    if (st) return st;
    dh_sig_keyid_hex(k->pk.keyid, k->keyid);
    char comment[96];
    snprintf(comment, sizeof comment, "drillhall kiosk secret key %s, NOT encrypted: keep private",
             k->keyid);
    if ((st = dh_sig_secret_write(&k->sk, p->key, comment, NULL, false, err))) return st;
    snprintf(comment, sizeof comment, "drillhall kiosk public key %s", k->keyid);
    if ((st = dh_sig_public_write(&k->pk, p->pub, comment, false, err))) return st;
    dh_uuid_v4(k->id);
    now_iso(k->created);
    k->created_now = true;
    return write_json(k, p, err);
}

static dh_Status load(dh_Kiosk *k, const Paths *p, dh_Error *err)
{
    bool has_json = exists(p->json), has_key = exists(p->key), has_pub = exists(p->pub);
    dh_Status st;
    if (!has_json && !has_key && !has_pub) return create(k, p, err);
    if (!has_key)
        return dh_fail(err, DH_ENOTFOUND,
                       "the kiosk key %s is missing, so this kiosk cannot sign its records; "
                       "restore it from a backup, or move %s and %s away to give the kiosk a new "
                       "identity (training officers must then trust its new public key)",
                       p->key, DH_KIOSK_JSON, DH_KIOSK_PUB);
    if ((st = read_key(k, p, err)) || (st = check_pub(k, p, err))) return st;
    dh_sig_keyid_hex(k->pk.keyid, k->keyid);
    if (!has_json) {
        /* The first run stopped after the key was written: finish it. */
        dh_uuid_v4(k->id);
        now_iso(k->created);
        k->created_now = true;
        add_warning(k, "The kiosk identity was incomplete (no kiosk.json) and has been completed "
                       "with a new kiosk id for the existing key.");
        return write_json(k, p, err);
    }
    char keyid[DH_SIG_KEYID_HEX];
    memcpy(keyid, k->keyid, sizeof keyid);
    if ((st = read_json(k, p, err))) return st;
    if (strcmp(keyid, k->keyid) != 0)
        return dh_fail(err, DH_ESIG,
                       "%s names key %s but %s is key %s: the kiosk's files do not belong "
                       "together; restore them from the same backup",
                       p->json, k->keyid, p->key, keyid);
    return DH_OK;
}

dh_Status dh_kiosk_open(dh_Kiosk *k, const char *dir, dh_Error *err)
{
    DH_ASSERT(k && dir);
    memset(k, 0, sizeof *k);
    Paths *p = dh_malloc(sizeof *p);
    if (!p) return dh_fail(err, DH_ENOMEM, "out of memory loading the kiosk identity");
    dh_Status st = dh_store_make_dir(dir, err);
    if (!st && strlen(dir) + 32 >= sizeof p->dir)
        st = dh_fail(err, DH_ELIMIT, "the data directory path %s is too long", dir);
    if (!st) {
        snprintf(p->dir, sizeof p->dir, "%s", dir);
        snprintf(p->json, sizeof p->json, "%.4000s/%s", dir, DH_KIOSK_JSON);
        snprintf(p->pub, sizeof p->pub, "%.4000s/%s", dir, DH_KIOSK_PUB);
        snprintf(p->key, sizeof p->key, "%.4000s/%s", dir, DH_KIOSK_KEY);
        st = load(k, p, err);
    }
    dh_free(p);
    if (st) dh_kiosk_wipe(k);
    return st;
}

void dh_kiosk_wipe(dh_Kiosk *k)
{
    if (!k) return;
    dh_sig_secret_wipe(&k->sk);
    sodium_memzero(k, sizeof *k);
}

/* ---- configuration -------------------------------------------------------------------- */

/* The members kiosk.json may hold: identity first, then configuration. */
static const char *const known_members[] = {"format", "kiosk_id", "created", "key_id", "site",
                                            "programme", "language", "idle_timeout_s",
                                            "trusted_keys", "medium", NULL};

static void resolve(char *out, size_t size, const char *dir, const char *path)
{
    if (path[0] == '/') snprintf(out, size, "%s", path);
    else snprintf(out, size, "%.3000s/%.1000s", dir, path);
}

void dh_kiosk_config_default(dh_KioskConfig *c, const char *dir)
{
    memset(c, 0, sizeof *c);
    snprintf(c->programme, sizeof c->programme, "%s", DH_KIOSK_PROGRAMME_DEFAULT);
    snprintf(c->language, sizeof c->language, "en");
    c->idle_timeout_s = DH_KIOSK_IDLE_DEFAULT_S;
    snprintf(c->trusted_keys, sizeof c->trusted_keys, "%s", DH_KIOSK_TRUSTED_DEFAULT);
    resolve(c->trusted_path, sizeof c->trusted_path, dir, c->trusted_keys);
}

/* Code points of UTF-8 text, or -1 if it is not valid UTF-8 or holds a
 * control character. */
static long text_chars(const char *s)
{
    long n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
                  : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || (len == 1 && (*p < 0x20 || *p == 0x7F))) return -1;
        for (int i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80) return -1;
        p += len;
        n++;
    }
    return n;
}

/* An IRI as xAPI takes it: a scheme, ':', then printable ASCII without
 * spaces; http(s) ones need a host. NULL when fine, else what is wrong. */
static const char *programme_problem(const char *s)
{
    size_t n = strlen(s);
    if (n == 0) return "is empty";
    if (n > DH_KIOSK_PROGRAMME_MAX) return "is longer than 1024 characters";
    size_t i = 0;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return "has no scheme";
    while (s[i] && s[i] != ':') {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '+' || ch == '-' || ch == '.'))
            return "has no scheme";
        i++;
    }
    if (s[i] != ':' || !s[i + 1]) return "has no scheme";
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)s[k] <= 0x20 || (unsigned char)s[k] >= 0x7F)
            return "contains a space or a character outside printable ASCII (percent-encode it)";
    if ((!strncmp(s, "http://", 7) && !s[7]) || (!strncmp(s, "https://", 8) && (!s[8] || s[8] == '/')))
        return "has no host";
    if (s[n - 1] == '/') return "ends with '/'";
    return NULL;
}

#define FIX_PROGRAMME "write the programme's IRI, like \"https://training.example.org/programme\""

static dh_Status check_values(const dh_KioskConfig *c, dh_Error *err)
{
    const char *why;
    long chars = text_chars(c->site);
    if (chars < 0 || chars > DH_KIOSK_SITE_MAX)
        return dh_fail(err, DH_EINVAL, "\"site\" must be at most %d characters of text without "
                       "line breaks", DH_KIOSK_SITE_MAX);
    if ((why = programme_problem(c->programme)))
        return dh_fail(err, DH_EINVAL, "\"programme\" %s; " FIX_PROGRAMME, why);
    if (!dh_lang_valid(c->language))
        return dh_fail(err, DH_EINVAL, "\"language\" '%s' is not a language code; write one like "
                       "\"en\", \"th\" or \"zh-Hans\"", c->language);
    if (c->idle_timeout_s < DH_KIOSK_IDLE_MIN_S || c->idle_timeout_s > DH_KIOSK_IDLE_MAX_S)
        return dh_fail(err, DH_EINVAL, "\"idle_timeout_s\" is %d; it must be a whole number of "
                       "seconds from %d to %d (3 minutes is 180)", c->idle_timeout_s,
                       DH_KIOSK_IDLE_MIN_S, DH_KIOSK_IDLE_MAX_S);
    if (!c->trusted_keys[0] || text_chars(c->trusted_keys) < 0)
        return dh_fail(err, DH_EINVAL, "\"trusted_keys\" must name a folder of .pub files or a "
                       "key list file, like \"%s\"", DH_KIOSK_TRUSTED_DEFAULT);
    if (text_chars(c->medium) < 0)
        return dh_fail(err, DH_EINVAL, "\"medium\" must be a folder path without control "
                       "characters, like \"/media/usb\", or \"\"");
    return DH_OK;
}

dh_Status dh_kiosk_config_check(const dh_KioskConfig *c, dh_Error *err)
{
    return check_values(c, err);
}

/* Format value as the member's JSON text into a new string (dh_free). */
static char *print_value(const cJSON *v)
{
    char *t = cJSON_PrintUnformatted(v);
    if (!t) return NULL;
    char *copy = dh_strdup(t);
    cJSON_free(t);
    return copy;
}

/* Set member key of root to v (taking it), replacing any old value. */
static bool set_member(cJSON *root, const char *key, cJSON *v)
{
    if (!v) return false;
    if (cJSON_GetObjectItemCaseSensitive(root, key))
        return cJSON_ReplaceItemInObjectCaseSensitive(root, key, v) != 0;
    return cJSON_AddItemToObjectCS(root, key, v) != 0;
}

/* Write root as a flat, two-space indented object: one member per line, as
 * an officer would write it. */
static dh_Status write_root(const cJSON *root, const char *path, const char *dir, dh_Error *err)
{
    size_t cap = 256, len = 0;
    char *out = dh_malloc(cap);
    if (!out) return dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
    dh_Status st = DH_OK;
    const char *sep = "{\n";
    for (const cJSON *m = root->child; m && !st; m = m->next) {
        char *value = print_value(m);
        cJSON *tmp = cJSON_CreateString(m->string);
        char *key = tmp ? cJSON_PrintUnformatted(tmp) : NULL;
        cJSON_Delete(tmp);
        if (!key || !value) {
            st = dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
        } else {
            size_t need = len + strlen(sep) + strlen(key) + strlen(value) + 8;
            if (need > cap) {
                size_t nc = need * 2;
                char *n = dh_realloc(out, nc);
                if (!n) st = dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
                else {
                    out = n;
                    cap = nc;
                }
            }
            if (!st) len += (size_t)snprintf(out + len, cap - len, "%s  %s: %s", sep, key, value);
            sep = ",\n";
        }
        if (key) cJSON_free(key);
        dh_free(value);
    }
    if (!st) {
        if (len + 4 > cap) {
            char *n = dh_realloc(out, len + 4);
            if (!n) st = dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
            else out = n;
        }
        if (!st) {
            memcpy(out + len, "\n}\n", 4);
            len += 3;
            st = write_atomic(path, dir, out, len, 0644, err);
        }
    }
    dh_free(out);
    return st;
}

/* Put c's members into root. */
static bool put_config(cJSON *root, const dh_KioskConfig *c)
{
    return set_member(root, "site", cJSON_CreateString(c->site)) &&
           set_member(root, "programme", cJSON_CreateString(c->programme)) &&
           set_member(root, "language", cJSON_CreateString(c->language)) &&
           set_member(root, "idle_timeout_s", cJSON_CreateNumber(c->idle_timeout_s)) &&
           set_member(root, "trusted_keys", cJSON_CreateString(c->trusted_keys)) &&
           set_member(root, "medium", cJSON_CreateString(c->medium));
}

static dh_Status json_path(char *out, size_t size, const char *dir, dh_Error *err)
{
    if (strlen(dir) + 32 >= size)
        return dh_fail(err, DH_ELIMIT, "the data directory path %s is too long", dir);
    snprintf(out, size, "%s/%s", dir, DH_KIOSK_JSON);
    return DH_OK;
}

dh_Status dh_kiosk_config_save(const dh_KioskConfig *c, const char *dir, dh_Error *err)
{
    char path[DH_STORE_PATH_MAX];
    dh_Status st = check_values(c, err);
    if (st || (st = json_path(path, sizeof path, dir, err))) return st;
    char *text;
    size_t len;
    if ((st = read_small(path, JSON_MAX, &text, &len, err))) return st;
    cJSON *root = cJSON_ParseWithLength(text, len);
    dh_free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return dh_fail(err, DH_EFORMAT, "%s is not a JSON object; nothing was changed", path);
    }
    if (!put_config(root, c)) st = dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
    else st = write_root(root, path, dir, err);
    cJSON_Delete(root);
    return st;
}

/* A string member: NULL when absent (*missing set), reported when not a string. */
static const char *member_string(const dh_Json *j, dh_Diags *d, const cJSON *root, const char *key,
                                 const char *fix, bool *missing)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) {
        *missing = true;
        return NULL;
    }
    if (!cJSON_IsString(v)) {
        dh_json_diag(j, d, DH_ERROR, v, "\"%s\" must be a string, not %s; %s", key,
                     dh_json_kind(v), fix);
        return NULL;
    }
    return v->valuestring;
}

dh_Status dh_kiosk_config_load(dh_KioskConfig *c, const char *dir, dh_Diags *d, dh_Error *err)
{
    dh_kiosk_config_default(c, dir);
    char path[DH_STORE_PATH_MAX];
    dh_Status st = json_path(path, sizeof path, dir, err);
    if (st) return st;
    char *text;
    size_t len;
    if ((st = read_small(path, JSON_MAX, &text, &len, err))) return st;
    dh_Json j;
    memset(&j, 0, sizeof j);
    int errors0 = d->errors;
    st = dh_json_parse(&j, path, text, len, d);
    dh_free(text);
    if (st == DH_ENOMEM) {
        dh_json_free(&j);
        return dh_fail(err, DH_ENOMEM, "out of memory reading %s", path);
    }
    const cJSON *root = j.root;
    bool missing = false;
    if (st == DH_OK && !cJSON_IsObject(root)) {
        dh_json_diag(&j, d, DH_ERROR, root, "kiosk.json must be a JSON object");
    } else if (st == DH_OK) {
        dh_json_check_members(&j, d, root, known_members, "kiosk.json");
        const char *v;
        const cJSON *item;
        bool m;
        if ((v = member_string(&j, d, root, "site", "write where the kiosk stands, or \"\"", &missing))) {
            long chars = text_chars(v);
            if (chars < 0 || chars > DH_KIOSK_SITE_MAX)
                dh_json_diag(&j, d, DH_ERROR, cJSON_GetObjectItemCaseSensitive(root, "site"),
                             "\"site\" must be at most %d characters without line breaks",
                             DH_KIOSK_SITE_MAX);
            else snprintf(c->site, sizeof c->site, "%s", v);
        }
        m = false;
        if ((v = member_string(&j, d, root, "programme", FIX_PROGRAMME, &m))) {
            const char *why = programme_problem(v);
            if (why)
                dh_json_diag(&j, d, DH_ERROR, cJSON_GetObjectItemCaseSensitive(root, "programme"),
                             "\"programme\" '%.80s' %s; " FIX_PROGRAMME, v, why);
            else snprintf(c->programme, sizeof c->programme, "%s", v);
        }
        missing |= m;
        m = false;
        if ((v = member_string(&j, d, root, "language", "write a code like \"en\" or \"th\"", &m))) {
            if (!dh_lang_valid(v))
                dh_json_diag(&j, d, DH_ERROR, cJSON_GetObjectItemCaseSensitive(root, "language"),
                             "\"language\" '%.40s' is not a language code; write one like \"en\", "
                             "\"th\" or \"zh-Hans\"", v);
            else snprintf(c->language, sizeof c->language, "%s", v);
        }
        missing |= m;
        item = cJSON_GetObjectItemCaseSensitive(root, "idle_timeout_s");
        if (!item) {
            missing = true;
        } else if (!cJSON_IsNumber(item) || item->valuedouble < DH_KIOSK_IDLE_MIN_S ||
                   item->valuedouble > DH_KIOSK_IDLE_MAX_S || /* range first: (int)1e300 is undefined */
                   item->valuedouble != (double)(int)item->valuedouble) {
            char was[48];
            if (cJSON_IsNumber(item)) snprintf(was, sizeof was, "%g", item->valuedouble);
            else snprintf(was, sizeof was, "%s", dh_json_kind(item));
            dh_json_diag(&j, d, DH_ERROR, item,
                         "\"idle_timeout_s\" must be a whole number of seconds from %d to %d, "
                         "not %s (3 minutes is 180)", DH_KIOSK_IDLE_MIN_S, DH_KIOSK_IDLE_MAX_S, was);
        } else {
            c->idle_timeout_s = (int)item->valuedouble;
        }
        m = false;
        if ((v = member_string(&j, d, root, "trusted_keys",
                               "name a folder of .pub files or a key list file", &m))) {
            /* at most 1000 bytes: resolve() joins it to the data directory
             * with %.1000s, and a path cut short would name another place */
            if (!v[0] || text_chars(v) < 0 || strlen(v) > 1000)
                dh_json_diag(&j, d, DH_ERROR, cJSON_GetObjectItemCaseSensitive(root, "trusted_keys"),
                             "\"trusted_keys\" must name a folder of minisign .pub files or a file "
                             "of keys in at most 1000 bytes, like \"%s\" (relative to the data directory)",
                             DH_KIOSK_TRUSTED_DEFAULT);
            else snprintf(c->trusted_keys, sizeof c->trusted_keys, "%s", v);
        }
        missing |= m;
        m = false;
        if ((v = member_string(&j, d, root, "medium", "write a folder like \"/media/usb\", or \"\"", &m))) {
            if (text_chars(v) < 0 || strlen(v) >= sizeof c->medium)
                dh_json_diag(&j, d, DH_ERROR, cJSON_GetObjectItemCaseSensitive(root, "medium"),
                             "\"medium\" must be a folder path like \"/media/usb\", or \"\"");
            else snprintf(c->medium, sizeof c->medium, "%s", v);
        }
        missing |= m;
    }
    resolve(c->trusted_path, sizeof c->trusted_path, dir, c->trusted_keys);
    int errors = d->errors - errors0;
    if (errors > 0) {
        const dh_Diag *first = NULL;
        for (int i = 0; i < d->count && !first; i++)
            if (d->items[i].severity == DH_ERROR) first = &d->items[i];
        if (first)
            st = dh_fail_at(err, DH_EINVALID, first->file ? first->file : path, first->line,
                            first->col, "%s%s", first->msg,
                            errors > 1 ? " (and more problems in this file)" : "");
        else st = dh_fail(err, DH_EINVALID, "%s has problems", path);
    } else if (missing) {
        /* First run (or an older file): write every member with its value. */
        cJSON *copy = cJSON_Duplicate(root, true);
        if (!copy || !put_config(copy, c)) st = dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
        else st = write_root(copy, path, dir, err);
        cJSON_Delete(copy);
        if (!st && !strcmp(c->trusted_keys, DH_KIOSK_TRUSTED_DEFAULT) && !exists(c->trusted_path) &&
            mkdir(c->trusted_path, 0755) != 0)
            st = dh_fail(err, DH_EIO, "cannot create the trusted keys folder %s: %s",
                         c->trusted_path, strerror(errno));
        c->wrote_defaults = st == DH_OK;
    } else {
        st = DH_OK;
    }
    dh_json_free(&j);
    return st;
}

/* ---- trusted keys ------------------------------------------------------------------------ */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int dh_kiosk_trusted_find(const dh_TrustedKeys *t, const uint8_t keyid[DH_SIG_KEYID_BYTES])
{
    for (int i = 0; i < t->n; i++)
        if (!memcmp(t->keys[i].keyid, keyid, DH_SIG_KEYID_BYTES)) return i;
    return -1;
}

static dh_Status add_key(dh_TrustedKeys *t, const dh_PublicKey *pk, const char *name,
                         const char *where, dh_Diags *d, dh_Error *err)
{
    char hex[DH_SIG_KEYID_HEX];
    int dup = dh_kiosk_trusted_find(t, pk->keyid);
    if (dup >= 0) {
        dh_diag(d, DH_WARNING, where, 0, 0, "key %s is listed twice (also as %s); the repeat is ignored",
                dh_sig_keyid_hex(pk->keyid, hex), t->names[dup]);
        return DH_OK;
    }
    if (t->n == DH_KIOSK_TRUSTED_MAX) {
        dh_diag(d, DH_WARNING, where, 0, 0, "more than %d trusted keys; the rest are ignored",
                DH_KIOSK_TRUSTED_MAX);
        return DH_OK;
    }
    if (!t->keys) {
        t->keys = dh_calloc(DH_KIOSK_TRUSTED_MAX, sizeof *t->keys);
        t->names = dh_calloc(DH_KIOSK_TRUSTED_MAX, sizeof *t->names);
        if (!t->keys || !t->names) return dh_fail(err, DH_ENOMEM, "out of memory loading trusted keys");
    }
    t->keys[t->n] = *pk;
    snprintf(t->names[t->n], sizeof t->names[t->n], "%s", name);
    t->n++;
    return DH_OK;
}

static dh_Status load_key_dir(dh_TrustedKeys *t, const char *path, dh_Diags *d, dh_Error *err)
{
    DIR *dir = opendir(path);
    if (!dir) return dh_fail(err, DH_EIO, "cannot read the trusted keys folder %s: %s", path, strerror(errno));
    char **names = NULL;
    int n = 0, cap = 0;
    dh_Status st = DH_OK;
    struct dirent *de;
    while (!st && (de = readdir(dir))) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".pub") != 0) continue;
        if (n == cap) {
            int nc = cap ? cap * 2 : 16;
            char **nn = dh_realloc(names, (size_t)nc * sizeof *nn);
            if (!nn) {
                st = dh_fail(err, DH_ENOMEM, "out of memory loading trusted keys");
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = dh_strdup(de->d_name))) st = dh_fail(err, DH_ENOMEM, "out of memory loading trusted keys");
        else n++;
    }
    closedir(dir);
    if (n) qsort(names, (size_t)n, sizeof *names, name_cmp);
    for (int i = 0; i < n && !st; i++) {
        char file[DH_STORE_PATH_MAX];
        snprintf(file, sizeof file, "%.3000s/%.1000s", path, names[i]);
        struct stat sb;
        dh_PublicKey pk;
        dh_Error e;
        dh_error_clear(&e);
        if (lstat(file, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            dh_diag(d, DH_WARNING, file, 0, 0, "is not a regular file; it was ignored");
            continue;
        }
        dh_Status ks = dh_sig_public_read(&pk, file, &e);
        if (ks == DH_ENOMEM) st = dh_fail(err, DH_ENOMEM, "out of memory loading trusted keys");
        else if (ks) dh_diag(d, DH_WARNING, file, 0, 0, "is not a minisign public key (%s); it was ignored", e.msg);
        else st = add_key(t, &pk, names[i], file, d, err);
    }
    for (int i = 0; i < n; i++) dh_free(names[i]);
    dh_free(names);
    return st;
}

static dh_Status load_key_file(dh_TrustedKeys *t, const char *path, dh_Diags *d, dh_Error *err)
{
    char *text;
    size_t len;
    dh_Status st = read_small(path, (size_t)DH_KIOSK_TRUSTED_MAX * 1200, &text, &len, err);
    if (st) return st;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int line = 0;
    for (char *p = text; *p && !st;) {
        char *nl = strchr(p, '\n');
        char *end = nl ? nl : p + strlen(p);
        line++;
        while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t')) end--;
        char *s = p;
        while (s < end && (*s == ' ' || *s == '\t')) s++;
        size_t n = (size_t)(end - s);
        if (n && *s != '#' && strncmp(s, "untrusted comment:", 18) != 0) {
            dh_PublicKey pk;
            dh_Error e;
            dh_error_clear(&e);
            char name[128];
            snprintf(name, sizeof name, "%.100s:%d", base, line);
            dh_Status ks = dh_sig_public_parse(&pk, s, n, name, &e);
            if (ks == DH_ENOMEM) st = dh_fail(err, DH_ENOMEM, "out of memory loading trusted keys");
            else if (ks)
                dh_diag(d, DH_WARNING, path, line, 1, "not a minisign public key (%s); the line was ignored",
                        e.msg);
            else st = add_key(t, &pk, name, path, d, err);
        }
        p = nl ? nl + 1 : end + strlen(end);
    }
    dh_free(text);
    return st;
}

dh_Status dh_kiosk_trusted_load(dh_TrustedKeys *t, const char *path, dh_Diags *d, dh_Error *err)
{
    memset(t, 0, sizeof *t);
    struct stat sb;
    dh_Status st;
    if (stat(path, &sb) != 0) {
        dh_diag(d, DH_WARNING, path, 0, 0,
                "the trusted keys folder or file does not exist, so no course package is approved; "
                "put the instructors' minisign .pub files there");
        return DH_OK;
    }
    if (S_ISDIR(sb.st_mode)) st = load_key_dir(t, path, d, err);
    else st = load_key_file(t, path, d, err);
    if (st) dh_kiosk_trusted_free(t);
    return st;
}

void dh_kiosk_trusted_free(dh_TrustedKeys *t)
{
    if (!t) return;
    dh_free(t->keys);
    dh_free(t->names);
    memset(t, 0, sizeof *t);
}
