/* kiosk: creating, loading and cross-checking the kiosk identity.
 *
 * First run writes kiosk.key, then kiosk.pub, then kiosk.json, each
 * atomically (temporary file, fsync, rename), so kiosk.json appearing is the
 * moment the identity exists. A power cut before that leaves a key without
 * kiosk.json, which the next run completes; a power cut after it leaves a
 * complete identity. The secret key is read without a password prompt: a
 * kiosk must never block on a terminal nobody watches.
 */
#define _POSIX_C_SOURCE 200809L

#include "kiosk.h"

#include "alloc.h"
#include "store.h"

#include <cjson/cJSON.h>
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
#define JSON_MAX 4096 /* kiosk.json is a few lines; anything larger is not ours */

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
