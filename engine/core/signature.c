/* signature: minisign's file formats over libsodium's Ed25519.
 *
 * The layouts follow minisign.h byte for byte (public key "Ed" + key id +
 * key; secret key "Ed" + KDF + "B2" + scrypt salt and limits + key id + key
 * + BLAKE2b-256 checksum; signature "ED"/"Ed" + key id + signature, then a
 * trusted comment and a signature over signature || comment). Where minisign
 * reads leniently (a line ends at its first CR, lines after the fourth are
 * ignored) this file reads the same way, so the two tools never disagree on
 * whether a signature is valid or on what its trusted comment says. Where a
 * hostile file could hurt (NUL bytes, wrong lengths, huge scrypt limits) it is
 * stricter and says why. Files are written through a temporary file and a
 * rename so that a power cut never leaves half a key or half a signature.
 */
#define _POSIX_C_SOURCE 200809L

#include "signature.h"

#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SIGALG "Ed"
#define SIGALG_HASHED "ED"
#define KDFALG "Sc"
#define CHKALG "B2"
#define COMMENT_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define BOM "\xEF\xBB\xBF"

/* Byte layouts (minisign.h); offsets rather than structs so that no
 * compiler padding question ever arises. */
enum {
    PUB_BYTES = 2 + DH_SIG_KEYID_BYTES + 32,
    SIG_BYTES = 2 + DH_SIG_KEYID_BYTES + 64,
    SEC_KDF = 2,                       /* kdf_alg[2] */
    SEC_CHKALG = 4,                    /* chk_alg[2] */
    SEC_SALT = 6,                      /* kdf_salt[32] */
    SEC_OPS = SEC_SALT + 32,           /* kdf_opslimit_le[8] */
    SEC_MEM = SEC_OPS + 8,             /* kdf_memlimit_le[8] */
    SEC_KEYNUM = SEC_MEM + 8,          /* keynum_sk: key id, secret key, checksum */
    SEC_SK = SEC_KEYNUM + DH_SIG_KEYID_BYTES,
    SEC_CHK = SEC_SK + 64,
    SEC_BYTES = SEC_CHK + 32,
    KEYNUM_BYTES = SEC_BYTES - SEC_KEYNUM
};

/* scrypt limits of a key file are attacker-chosen; minisign never writes
 * more than its "sensitive" level (it only ever halves it), so anything
 * above is refused rather than allowed to eat the machine. */
#define SCRYPT_OPS_MAX ((uint64_t)crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE)
#define SCRYPT_MEM_MAX ((uint64_t)crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE)

static dh_Status sodium_ready(dh_Error *err)
{
    if (sodium_init() < 0)
        return dh_fail(err, DH_EIO, "libsodium could not be initialised (no source of randomness?)");
    return DH_OK;
}

static uint64_t le64_load(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void le64_store(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8) p[i] = (uint8_t)v;
}

const char *dh_sig_keyid_hex(const uint8_t keyid[DH_SIG_KEYID_BYTES], char out[DH_SIG_KEYID_HEX])
{
    /* minisign prints the key number with PRIX64, without leading zeros;
     * officers compare ids by eye, so print them exactly the same way. */
    snprintf(out, DH_SIG_KEYID_HEX, "%" PRIX64, le64_load(keyid));
    return out;
}

/* ---- reading text ----------------------------------------------------------- */

typedef struct Line {
    const char *s; /* start of the line */
    size_t len;    /* bytes up to (not including) the first CR or the LF */
    int no;        /* 1-based line number */
} Line;

/* Step to the next line. Like minisign's trim(), a line stops at its first
 * CR, so CRLF files read as LF files and both tools sign and check the same
 * trusted comment. False at the end of the text. */
static bool next_line(const char *text, size_t len, size_t *pos, Line *ln)
{
    if (*pos >= len) return false;
    const char *s = text + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - s) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    const char *cr = memchr(s, '\r', n);
    ln->s = s;
    ln->len = cr ? (size_t)(cr - s) : n;
    ln->no++;
    return true;
}

static int clamp_int(size_t v)
{
    return v > INT_MAX ? INT_MAX : (int)v;
}

/* A byte as people read it in a message: 'x', or 0xNN when unprintable. */
static const char *show_byte(unsigned char c, char buf[8])
{
    if (c >= 0x21 && c < 0x7f) snprintf(buf, 8, "'%c'", c);
    else if (c == ' ') snprintf(buf, 8, "a space");
    else snprintf(buf, 8, "0x%02X", c);
    return buf;
}

/* Key and signature files are small text files: refuse NUL bytes (minisign
 * would silently cut the line there) and a byte-order mark (minisign would
 * reject the first line without saying why). */
static dh_Status check_text(const char *text, size_t len, const char *name, dh_Error *err)
{
    if (len >= 3 && memcmp(text, BOM, 3) == 0)
        return dh_fail_at(err, DH_EFORMAT, name, 1, 1,
                          "the file starts with a UTF-8 byte-order mark, which minisign does not "
                          "accept; save it as plain UTF-8 without BOM");
    const char *nul = memchr(text, '\0', len);
    if (!nul) return DH_OK;
    int line = 1;
    size_t col = 1;
    for (const char *p = text; p < nul; p++) {
        if (*p == '\n') line++, col = 1;
        else col++;
    }
    return dh_fail_at(err, DH_EFORMAT, name, line, clamp_int(col),
                      "the file contains a NUL byte; key and signature files are text");
}

static bool is_b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/' || c == '=';
}

/* Index of the first byte that cannot be in base64, or len. */
static size_t b64_bad_char(const Line *ln)
{
    for (size_t i = 0; i < ln->len; i++)
        if (!is_b64_char((unsigned char)ln->s[i])) return i;
    return ln->len;
}

/* Decode a base64 line that must hold exactly n bytes; what names it ("the
 * public key") and kind the file ("public key") in messages. */
static dh_Status decode_b64(const Line *ln, uint8_t *out, size_t n, const char *what,
                            const char *kind, const char *name, dh_Error *err)
{
    size_t want = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1;
    char shown[8];
    if (ln->len == 0)
        return dh_fail_at(err, DH_EFORMAT, name, ln->no, 1,
                          "line %d should hold %s in base64 but is empty", ln->no, what);
    size_t bad = b64_bad_char(ln);
    if (bad < ln->len)
        return dh_fail_at(err, DH_EFORMAT, name, ln->no, clamp_int(bad + 1),
                          "%s is not valid base64: unexpected %s", what,
                          show_byte((unsigned char)ln->s[bad], shown));
    if (ln->len != want)
        return dh_fail_at(err, DH_EFORMAT, name, ln->no, 1,
                          "%s has %zu base64 characters instead of %zu; the file is damaged or "
                          "is not a minisign %s", what, ln->len, want, kind);
    size_t got = 0;
    if (sodium_base642bin(out, n, ln->s, ln->len, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || got != n)
        return dh_fail_at(err, DH_EFORMAT, name, ln->no, 1,
                          "%s is not valid base64 (wrong '=' padding at the end)", what);
    return DH_OK;
}

static bool starts_with(const Line *ln, const char *prefix)
{
    size_t n = strlen(prefix);
    return ln->len >= n && memcmp(ln->s, prefix, n) == 0;
}

/* Two algorithm bytes for a message: "XY" when printable, else hex. */
static const char *show_alg(const uint8_t *a, char buf[16])
{
    if (a[0] >= 0x21 && a[0] < 0x7f && a[1] >= 0x21 && a[1] < 0x7f)
        snprintf(buf, 16, "'%c%c'", a[0], a[1]);
    else
        snprintf(buf, 16, "0x%02X%02X", a[0], a[1]);
    return buf;
}

/* Read a whole file (at most max bytes) into a NUL-terminated dh_malloc
 * buffer. */
static dh_Status read_file(const char *path, size_t max, char **out, size_t *out_len,
                           dh_Error *err)
{
    *out = NULL;
    *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return dh_fail(err, DH_EIO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = dh_malloc(cap + 1);
    dh_Status st = DH_OK;
    if (!buf) {
        st = dh_fail(err, DH_ENOMEM, "out of memory reading %s", path);
        goto done;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= max) break;
            size_t ncap = cap > max / 2 ? max : cap * 2;
            char *nb = dh_realloc(buf, ncap + 1);
            if (!nb) {
                st = dh_fail(err, DH_ENOMEM, "out of memory reading %s", path);
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    if (ferror(f)) {
        st = dh_fail(err, DH_EIO, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (len == cap && cap >= max && fgetc(f) != EOF) {
        st = dh_fail(err, DH_ELIMIT, "%s is larger than %zu bytes", path, max);
        goto done;
    }
    buf[len] = '\0';
done:
    fclose(f);
    if (st != DH_OK) {
        dh_free(buf);
        return st;
    }
    *out = buf;
    *out_len = len;
    return DH_OK;
}

/* BLAKE2b-512 of a file, read as a stream (packages can be large). */
static dh_Status hash_file(const char *path, uint8_t hash[crypto_generichash_BYTES_MAX],
                           dh_Error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return dh_fail(err, DH_EIO, "cannot open %s: %s", path, strerror(errno));
    crypto_generichash_state hs;
    unsigned char buf[16384];
    size_t n;
    crypto_generichash_init(&hs, NULL, 0, crypto_generichash_BYTES_MAX);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) crypto_generichash_update(&hs, buf, n);
    int failed = ferror(f);
    int e = errno;
    fclose(f);
    if (failed) return dh_fail(err, DH_EIO, "cannot read %s: %s", path, strerror(e));
    crypto_generichash_final(&hs, hash, crypto_generichash_BYTES_MAX);
    return DH_OK;
}

/* ---- writing files ------------------------------------------------------------ */

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Make a rename durable across a power cut (best effort: some file systems
 * cannot sync a directory, and the data itself is already synced). */
static void sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else return;
    int fd = open(dir, O_RDONLY);
    if (fd < 0) return;
    (void)fsync(fd);
    close(fd);
}

/* Write data to path through a temporary file in the same directory, synced,
 * then renamed over path (force) or hard-linked to it, which fails if path
 * exists, so that an existing key is never replaced by accident. */
static dh_Status write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                              bool force, dh_Error *err)
{
    size_t n = strlen(path);
    char *tmp = dh_malloc(n + 8);
    if (!tmp) return dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", 8);
    dh_Status st = DH_OK;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        st = dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        st = dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(e));
        goto out;
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        st = dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(e));
        goto out;
    }
    if (force) {
        if (rename(tmp, path) != 0) {
            int e = errno;
            unlink(tmp);
            st = dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(e));
            goto out;
        }
    } else if (link(tmp, path) == 0) {
        unlink(tmp);
    } else if (errno == EEXIST) {
        unlink(tmp);
        st = dh_fail(err, DH_EUNSAFE, "%s already exists and was left unchanged", path);
        goto out;
    } else {
        /* No hard links here (FAT on removable media): check, then rename. */
        struct stat sb;
        if (lstat(path, &sb) == 0) {
            unlink(tmp);
            st = dh_fail(err, DH_EUNSAFE, "%s already exists and was left unchanged", path);
            goto out;
        }
        if (rename(tmp, path) != 0) {
            int e = errno;
            unlink(tmp);
            st = dh_fail(err, DH_EIO, "cannot write %s: %s", path, strerror(e));
            goto out;
        }
    }
    sync_parent(path);
out:
    dh_free(tmp);
    return st;
}

/* A comment must fit on one line and within what minisign reads back. */
static dh_Status check_comment(const char *c, size_t max, const char *what, dh_Error *err)
{
    size_t n = strlen(c);
    if (strpbrk(c, "\r\n"))
        return dh_fail(err, DH_EINVAL, "the %s must be a single line (it contains a line break)",
                       what);
    if (n > max)
        return dh_fail(err, DH_EINVAL, "the %s is %zu bytes long; minisign reads at most %zu",
                       what, n, max);
    return DH_OK;
}

/* ---- keys ---------------------------------------------------------------------- */

dh_Status dh_sig_keygen(dh_PublicKey *pk, dh_SecretKey *sk, dh_Error *err)
{
    DH_ASSERT(pk && sk);
    dh_Status st = sodium_ready(err);
    if (st != DH_OK) return st;
    randombytes_buf(sk->keyid, sizeof sk->keyid);
    crypto_sign_keypair(pk->pk, sk->sk);
    memcpy(pk->keyid, sk->keyid, sizeof pk->keyid);
    return DH_OK;
}

void dh_sig_secret_wipe(dh_SecretKey *sk)
{
    if (sk) sodium_memzero(sk, sizeof *sk);
}

void dh_sig_secret_public(const dh_SecretKey *sk, dh_PublicKey *pk)
{
    memcpy(pk->keyid, sk->keyid, sizeof pk->keyid);
    memcpy(pk->pk, sk->sk + 32, sizeof pk->pk);
}

dh_Status dh_sig_public_parse(dh_PublicKey *pk, const char *text, size_t len, const char *name,
                              dh_Error *err)
{
    DH_ASSERT(pk && (text || len == 0));
    if (!name) name = "public key";
    dh_Status st = check_text(text, len, name, err);
    if (st != DH_OK) return st;
    size_t pos = 0;
    Line ln = {0};
    if (!next_line(text, len, &pos, &ln))
        return dh_fail_at(err, DH_EFORMAT, name, 0, 0,
                          "the public key is empty; a minisign public key is an "
                          "\"untrusted comment: ...\" line followed by the base64 key");
    if (starts_with(&ln, "untrusted comment:")) {
        if (ln.len > strlen(COMMENT_PREFIX) + DH_SIG_COMMENT_MAX)
            return dh_fail_at(err, DH_EFORMAT, name, 1, 1,
                              "the comment is longer than the %d bytes minisign reads",
                              DH_SIG_COMMENT_MAX);
        if (!next_line(text, len, &pos, &ln))
            return dh_fail_at(err, DH_EFORMAT, name, 2, 1,
                              "line 2 is missing: the base64 public key follows the comment line");
    } else if (b64_bad_char(&ln) < ln.len) {
        return dh_fail_at(err, DH_EFORMAT, name, 1, 1,
                          "line 1 should be \"untrusted comment: ...\" followed by the key, or "
                          "the base64 key alone");
    }
    uint8_t raw[PUB_BYTES];
    st = decode_b64(&ln, raw, sizeof raw, "the public key", "public key", name, err);
    if (st != DH_OK) return st;
    char alg[16];
    if (memcmp(raw, SIGALG, 2) != 0)
        return dh_fail_at(err, DH_EFORMAT, name, ln.no, 1,
                          "the key's algorithm is %s; only Ed25519 keys ('Ed') are supported",
                          show_alg(raw, alg));
    /* Lines after the key are ignored, as minisign does. */
    memcpy(pk->keyid, raw + 2, sizeof pk->keyid);
    memcpy(pk->pk, raw + 2 + DH_SIG_KEYID_BYTES, sizeof pk->pk);
    return DH_OK;
}

dh_Status dh_sig_public_read(dh_PublicKey *pk, const char *path, dh_Error *err)
{
    char *text;
    size_t len;
    dh_Status st = read_file(path, DH_SIG_FILE_MAX, &text, &len, err);
    if (st != DH_OK) return st;
    st = dh_sig_public_parse(pk, text, len, path, err);
    dh_free(text);
    return st;
}

const char *dh_sig_public_base64(const dh_PublicKey *pk, char out[DH_SIG_PUBLIC_B64])
{
    uint8_t raw[PUB_BYTES];
    memcpy(raw, SIGALG, 2);
    memcpy(raw + 2, pk->keyid, DH_SIG_KEYID_BYTES);
    memcpy(raw + 2 + DH_SIG_KEYID_BYTES, pk->pk, sizeof pk->pk);
    sodium_bin2base64(out, DH_SIG_PUBLIC_B64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

dh_Status dh_sig_public_write(const dh_PublicKey *pk, const char *path, const char *comment,
                              bool force, dh_Error *err)
{
    char hex[DH_SIG_KEYID_HEX], b64[DH_SIG_PUBLIC_B64], deflt[64];
    if (!comment) {
        snprintf(deflt, sizeof deflt, "drillhall-pack public key %s",
                 dh_sig_keyid_hex(pk->keyid, hex));
        comment = deflt;
    }
    dh_Status st = check_comment(comment, DH_SIG_COMMENT_MAX, "public key comment", err);
    if (st != DH_OK) return st;
    dh_sig_public_base64(pk, b64);
    size_t size = strlen(COMMENT_PREFIX) + strlen(comment) + sizeof b64 + 2;
    char *text = dh_malloc(size);
    if (!text) return dh_fail(err, DH_ENOMEM, "out of memory writing %s", path);
    int n = snprintf(text, size, "%s%s\n%s\n", COMMENT_PREFIX, comment, b64);
    st = write_atomic(path, text, (size_t)n, 0644, force, err);
    dh_free(text);
    return st;
}

/* The checksum of keynum_sk: BLAKE2b-256 of sig_alg || key id || secret key. */
static void secret_checksum(const uint8_t raw[SEC_BYTES], uint8_t chk[32])
{
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, NULL, 0, 32);
    crypto_generichash_update(&hs, raw, 2);
    crypto_generichash_update(&hs, raw + SEC_KEYNUM, DH_SIG_KEYID_BYTES);
    crypto_generichash_update(&hs, raw + SEC_SK, 64);
    crypto_generichash_final(&hs, chk, 32);
    sodium_memzero(&hs, sizeof hs);
}

/* The lines and base64 of a secret key file into raw, plus the algorithm
 * checks; *encrypted tells whether a password is needed. */
static dh_Status secret_decode(uint8_t raw[SEC_BYTES], bool *encrypted, const char *text,
                               size_t len, const char *name, dh_Error *err)
{
    dh_Status st = check_text(text, len, name, err);
    if (st != DH_OK) return st;
    size_t pos = 0;
    Line ln = {0};
    if (!next_line(text, len, &pos, &ln))
        return dh_fail_at(err, DH_EFORMAT, name, 0, 0,
                          "the secret key file is empty; it should hold a comment line and a "
                          "base64 key line");
    /* Line 1 is a comment that minisign does not check; neither do we. */
    if (!next_line(text, len, &pos, &ln))
        return dh_fail_at(err, DH_EFORMAT, name, 2, 1,
                          "line 2 is missing: a minisign secret key file has a comment line, "
                          "then the base64 key line");
    st = decode_b64(&ln, raw, SEC_BYTES, "the secret key", "secret key", name, err);
    if (st != DH_OK) return st;
    char alg[16];
    if (memcmp(raw, SIGALG, 2) != 0)
        return dh_fail_at(err, DH_EFORMAT, name, 2, 1,
                          "the key's algorithm is %s; only Ed25519 keys ('Ed') are supported",
                          show_alg(raw, alg));
    if (memcmp(raw + SEC_CHKALG, CHKALG, 2) != 0)
        return dh_fail_at(err, DH_EFORMAT, name, 2, 1,
                          "the key's checksum algorithm is %s; only BLAKE2b ('B2') is supported",
                          show_alg(raw + SEC_CHKALG, alg));
    if (memcmp(raw + SEC_KDF, KDFALG, 2) == 0) *encrypted = true;
    else if (raw[SEC_KDF] == 0 && raw[SEC_KDF + 1] == 0) *encrypted = false;
    else
        return dh_fail_at(err, DH_EFORMAT, name, 2, 1,
                          "the key is protected with %s; only scrypt ('Sc') or no encryption "
                          "is supported", show_alg(raw + SEC_KDF, alg));
    return DH_OK;
}

/* Decrypt (when encrypted) and check a decoded secret key, then copy it out. */
static dh_Status secret_finish(uint8_t raw[SEC_BYTES], bool encrypted, const char *password,
                               dh_SecretKey *sk, const char *name, dh_Error *err)
{
    uint8_t chk[32], pk2[32], sk2[64];
    dh_Status st = DH_OK;
    if (encrypted) {
        if (!password)
            return dh_fail_at(err, DH_EINVAL, name, 0, 0,
                              "the secret key is encrypted and no password was given");
        uint64_t ops = le64_load(raw + SEC_OPS), mem = le64_load(raw + SEC_MEM);
        if (ops > SCRYPT_OPS_MAX || mem > SCRYPT_MEM_MAX)
            return dh_fail_at(err, DH_ELIMIT, name, 0, 0,
                              "the key asks for scrypt limits (%" PRIu64 " operations, %" PRIu64
                              " bytes) above anything minisign writes; refusing to derive it",
                              ops, mem);
        uint8_t stream[KEYNUM_BYTES];
        if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof stream, password, strlen(password),
                                               raw + SEC_SALT, (unsigned long long)ops,
                                               (size_t)mem) != 0)
            return dh_fail_at(err, DH_ENOMEM, name, 0, 0,
                              "could not derive the key from the password (scrypt needs %" PRIu64
                              " MiB of memory)", mem >> 20);
        for (size_t i = 0; i < sizeof stream; i++) raw[SEC_KEYNUM + i] ^= stream[i];
        sodium_memzero(stream, sizeof stream);
    }
    secret_checksum(raw, chk);
    bool zero = sodium_is_zero(raw + SEC_CHK, 32);
    if (sodium_memcmp(chk, raw + SEC_CHK, 32) != 0) {
        if (encrypted) {
            st = dh_fail_at(err, DH_ESIG, name, 0, 0,
                            "wrong password for this secret key (checksum mismatch)");
            goto out;
        }
        /* minisign -W leaves the checksum of an unencrypted key at zero. */
        if (!zero) {
            st = dh_fail_at(err, DH_EFORMAT, name, 0, 0,
                            "the secret key is damaged (checksum mismatch)");
            goto out;
        }
    }
    /* Without a checksum only this catches a damaged key: the public half
     * stored in the secret key must be the one its seed gives. */
    crypto_sign_seed_keypair(pk2, sk2, raw + SEC_SK);
    if (sodium_memcmp(pk2, raw + SEC_SK + 32, 32) != 0) {
        st = dh_fail_at(err, DH_EFORMAT, name, 0, 0,
                        "the secret key is damaged (its public half does not match its seed)");
        goto out;
    }
    memcpy(sk->keyid, raw + SEC_KEYNUM, sizeof sk->keyid);
    memcpy(sk->sk, raw + SEC_SK, sizeof sk->sk);
out:
    sodium_memzero(chk, sizeof chk);
    sodium_memzero(sk2, sizeof sk2);
    return st;
}

dh_Status dh_sig_secret_parse(dh_SecretKey *sk, const char *text, size_t len, const char *name,
                              const char *password, dh_Error *err)
{
    DH_ASSERT(sk && (text || len == 0));
    if (!name) name = "secret key";
    dh_Status st = sodium_ready(err);
    if (st != DH_OK) return st;
    uint8_t raw[SEC_BYTES];
    bool encrypted = false;
    st = secret_decode(raw, &encrypted, text, len, name, err);
    if (st == DH_OK) st = secret_finish(raw, encrypted, password, sk, name, err);
    sodium_memzero(raw, sizeof raw);
    return st;
}

dh_Status dh_sig_secret_read(dh_SecretKey *sk, const char *path, dh_Error *err)
{
    dh_Status st = sodium_ready(err);
    if (st != DH_OK) return st;
    char *text;
    size_t len;
    st = read_file(path, DH_SIG_FILE_MAX, &text, &len, err);
    if (st != DH_OK) return st;
    uint8_t raw[SEC_BYTES];
    bool encrypted = false;
    st = secret_decode(raw, &encrypted, text, len, path, err);
    sodium_memzero(text, len);
    dh_free(text);
    char pw[DH_SIG_PASSWORD_MAX + 1];
    pw[0] = '\0';
    if (st == DH_OK && encrypted) {
        char prompt[320];
        snprintf(prompt, sizeof prompt, "Password for %.256s: ", path);
        st = dh_sig_password(pw, sizeof pw, prompt, false, err);
    }
    if (st == DH_OK) st = secret_finish(raw, encrypted, pw, sk, path, err);
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(raw, sizeof raw);
    return st;
}

dh_Status dh_sig_secret_format(const dh_SecretKey *sk, const char *comment, const char *password,
                               uint64_t opslimit, uint64_t memlimit, char **text, dh_Error *err)
{
    DH_ASSERT(sk && text);
    *text = NULL;
    dh_Status st = sodium_ready(err);
    if (st != DH_OK) return st;
    if (!comment)
        comment = password ? "drillhall-pack encrypted secret key"
                           : "drillhall-pack secret key, NOT encrypted: keep this file private";
    st = check_comment(comment, DH_SIG_COMMENT_MAX, "secret key comment", err);
    if (st != DH_OK) return st;
    if (password && strlen(password) > DH_SIG_PASSWORD_MAX)
        return dh_fail(err, DH_EINVAL, "the password is longer than %d bytes",
                       DH_SIG_PASSWORD_MAX);
    uint8_t raw[SEC_BYTES] = {0};
    memcpy(raw, SIGALG, 2);
    memcpy(raw + SEC_CHKALG, CHKALG, 2);
    memcpy(raw + SEC_KEYNUM, sk->keyid, DH_SIG_KEYID_BYTES);
    memcpy(raw + SEC_SK, sk->sk, 64);
    secret_checksum(raw, raw + SEC_CHK);
    if (password) {
        /* As minisign: start at the "sensitive" level and halve it until
         * the machine has the memory. */
        bool defaults = opslimit == 0 && memlimit == 0;
        if (defaults) opslimit = SCRYPT_OPS_MAX, memlimit = SCRYPT_MEM_MAX;
        uint8_t stream[KEYNUM_BYTES];
        memcpy(raw + SEC_KDF, KDFALG, 2);
        randombytes_buf(raw + SEC_SALT, 32);
        while (crypto_pwhash_scryptsalsa208sha256(stream, sizeof stream, password,
                                                  strlen(password), raw + SEC_SALT,
                                                  (unsigned long long)opslimit,
                                                  (size_t)memlimit) != 0) {
            opslimit /= 2;
            memlimit /= 2;
            if (!defaults || opslimit < crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN ||
                memlimit < crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN) {
                sodium_memzero(raw, sizeof raw);
                return dh_fail(err, DH_ENOMEM,
                               "not enough memory to encrypt the secret key with scrypt");
            }
        }
        le64_store(raw + SEC_OPS, opslimit);
        le64_store(raw + SEC_MEM, memlimit);
        for (size_t i = 0; i < sizeof stream; i++) raw[SEC_KEYNUM + i] ^= stream[i];
        sodium_memzero(stream, sizeof stream);
    }
    size_t b64_size = sodium_base64_ENCODED_LEN(SEC_BYTES, sodium_base64_VARIANT_ORIGINAL);
    size_t size = strlen(COMMENT_PREFIX) + strlen(comment) + b64_size + 2;
    char *out = dh_malloc(size);
    if (!out) {
        sodium_memzero(raw, sizeof raw);
        return dh_fail(err, DH_ENOMEM, "out of memory formatting a secret key");
    }
    size_t n = (size_t)snprintf(out, size, "%s%s\n", COMMENT_PREFIX, comment);
    sodium_bin2base64(out + n, b64_size, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    n += b64_size - 1;
    out[n++] = '\n';
    out[n] = '\0';
    sodium_memzero(raw, sizeof raw);
    *text = out;
    return DH_OK;
}

dh_Status dh_sig_secret_write(const dh_SecretKey *sk, const char *path, const char *comment,
                              const char *password, bool force, dh_Error *err)
{
    char *text;
    dh_Status st = dh_sig_secret_format(sk, comment, password, 0, 0, &text, err);
    if (st != DH_OK) return st;
    size_t len = strlen(text);
    st = write_atomic(path, text, len, 0600, force, err);
    sodium_memzero(text, len);
    dh_free(text);
    return st;
}

/* One line from the terminal with echo off. */
static dh_Status tty_password(int fd, char *buf, size_t size, const char *prompt, dh_Error *err)
{
    struct termios old, quiet;
    bool restore = false;
    if (tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
        quiet.c_lflag |= ICANON;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    (void)write_all(fd, prompt, strlen(prompt));
    size_t n = 0;
    bool too_long = false;
    ssize_t r;
    char c = 0;
    for (;;) {
        r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r != 1 || c == '\n') break;
        if (c == '\r') continue;
        if (n + 1 < size) buf[n++] = c;
        else too_long = true;
    }
    int e = errno;
    buf[n] = '\0';
    c = 0;
    if (restore) tcsetattr(fd, TCSAFLUSH, &old);
    (void)write_all(fd, "\n", 1);
    if (r < 0) return dh_fail(err, DH_EIO, "cannot read the password: %s", strerror(e));
    if (r == 0 && n == 0) return dh_fail(err, DH_EINVAL, "no password was entered");
    if (too_long) {
        sodium_memzero(buf, size);
        return dh_fail(err, DH_EINVAL, "the password is longer than %zu bytes", size - 1);
    }
    return DH_OK;
}

dh_Status dh_sig_password(char *buf, size_t size, const char *prompt, bool confirm,
                          dh_Error *err)
{
    DH_ASSERT(buf && size > 1);
    buf[0] = '\0';
    if (size > DH_SIG_PASSWORD_MAX + 1) size = DH_SIG_PASSWORD_MAX + 1;
    const char *env = getenv(DH_SIG_PASSWORD_ENV);
    if (env) {
        if (strlen(env) >= size)
            return dh_fail(err, DH_EINVAL, "%s is longer than %zu bytes", DH_SIG_PASSWORD_ENV,
                           size - 1);
        memcpy(buf, env, strlen(env) + 1);
        return DH_OK;
    }
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return dh_fail(err, DH_EINVAL,
                       "a password is needed but there is no terminal to ask for it; set %s",
                       DH_SIG_PASSWORD_ENV);
    dh_Status st = tty_password(fd, buf, size, prompt ? prompt : "Password: ", err);
    if (st == DH_OK && confirm) {
        char again[DH_SIG_PASSWORD_MAX + 1];
        st = tty_password(fd, again, size, "Password (again): ", err);
        if (st == DH_OK && strcmp(buf, again) != 0)
            st = dh_fail(err, DH_EINVAL, "the two passwords do not match");
        sodium_memzero(again, sizeof again);
    }
    close(fd);
    if (st != DH_OK) sodium_memzero(buf, size);
    return st;
}

/* ---- signatures --------------------------------------------------------------------- */

void dh_sig_signature_free(dh_Signature *s)
{
    if (!s) return;
    dh_free(s->trusted_comment);
    memset(s, 0, sizeof *s);
}

static dh_Status missing_line(int no, const char *name, dh_Error *err)
{
    return dh_fail_at(err, DH_EFORMAT, name, no, 1,
                      "line %d is missing: a minisign signature has four lines (untrusted "
                      "comment, signature, trusted comment, comment signature)", no);
}

dh_Status dh_sig_signature_parse(dh_Signature *s, const char *text, size_t len, const char *name,
                                 dh_Error *err)
{
    DH_ASSERT(s && (text || len == 0));
    memset(s, 0, sizeof *s);
    if (!name) name = "signature";
    dh_Status st = check_text(text, len, name, err);
    if (st != DH_OK) return st;
    size_t pos = 0;
    Line ln = {0};
    if (!next_line(text, len, &pos, &ln))
        return dh_fail_at(err, DH_EFORMAT, name, 0, 0,
                          "the signature file is empty");
    if (!starts_with(&ln, COMMENT_PREFIX))
        return dh_fail_at(err, DH_EFORMAT, name, 1, 1,
                          "line 1 should start with \"" COMMENT_PREFIX "\"; is this a minisign "
                          "signature?");
    if (ln.len - strlen(COMMENT_PREFIX) > DH_SIG_COMMENT_MAX)
        return dh_fail_at(err, DH_EFORMAT, name, 1, 1,
                          "the untrusted comment is longer than the %d bytes minisign reads",
                          DH_SIG_COMMENT_MAX);

    if (!next_line(text, len, &pos, &ln)) return missing_line(2, name, err);
    uint8_t raw[SIG_BYTES];
    st = decode_b64(&ln, raw, sizeof raw, "the signature", "signature", name, err);
    if (st != DH_OK) return st;
    char alg[16];
    if (memcmp(raw, SIGALG_HASHED, 2) == 0) s->prehashed = true;
    else if (memcmp(raw, SIGALG, 2) == 0) s->prehashed = false;
    else
        return dh_fail_at(err, DH_EFORMAT, name, 2, 1,
                          "the signature algorithm is %s; only Ed25519 ('ED' prehashed, or "
                          "legacy 'Ed') is supported", show_alg(raw, alg));
    memcpy(s->keyid, raw + 2, sizeof s->keyid);
    memcpy(s->sig, raw + 2 + DH_SIG_KEYID_BYTES, sizeof s->sig);

    if (!next_line(text, len, &pos, &ln)) return missing_line(3, name, err);
    if (!starts_with(&ln, TRUSTED_PREFIX))
        return dh_fail_at(err, DH_EFORMAT, name, 3, 1,
                          "line 3 should start with \"" TRUSTED_PREFIX "\"");
    size_t tlen = ln.len - strlen(TRUSTED_PREFIX);
    if (tlen > DH_SIG_TRUSTED_MAX)
        return dh_fail_at(err, DH_EFORMAT, name, 3, 1,
                          "the trusted comment is %zu bytes long; minisign reads at most %d",
                          tlen, DH_SIG_TRUSTED_MAX);
    const char *tc = ln.s + strlen(TRUSTED_PREFIX);

    if (!next_line(text, len, &pos, &ln)) return missing_line(4, name, err);
    st = decode_b64(&ln, s->global_sig, sizeof s->global_sig, "the comment signature",
                    "signature", name, err);
    if (st != DH_OK) return st;
    /* Lines after the fourth are ignored, as minisign does. */
    s->trusted_comment = dh_strndup(tc, tlen);
    if (!s->trusted_comment) {
        memset(s, 0, sizeof *s);
        return dh_fail(err, DH_ENOMEM, "out of memory reading %s", name);
    }
    return DH_OK;
}

dh_Status dh_sig_signature_read(dh_Signature *s, const char *path, dh_Error *err)
{
    memset(s, 0, sizeof *s);
    char *text;
    size_t len;
    dh_Status st = read_file(path, DH_SIG_FILE_MAX, &text, &len, err);
    if (st == DH_ELIMIT)
        return dh_fail(err, DH_EFORMAT, "%s is larger than %d bytes: not a minisign signature",
                       path, DH_SIG_FILE_MAX);
    if (st != DH_OK) return st;
    st = dh_sig_signature_parse(s, text, len, path, err);
    dh_free(text);
    return st;
}

const char *dh_sig_default_comment(char *buf, size_t size, const char *path, int64_t timestamp)
{
    if (!path) {
        snprintf(buf, size, "timestamp:%" PRId64 "\thashed", timestamp);
        return buf;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(buf, size, "timestamp:%" PRId64 "\tfile:%s\thashed", timestamp, base);
    /* A file name may hold line breaks; a comment must not. */
    for (char *p = buf; *p; p++)
        if (*p == '\r' || *p == '\n') *p = '?';
    return buf;
}

/* Sign msg (the BLAKE2b-512 hash of the data) and format the .minisig text. */
static dh_Status build_signature(const uint8_t hash[crypto_generichash_BYTES_MAX],
                                 const dh_SecretKey *sk, const char *trusted,
                                 const char *untrusted, char **sig_text, dh_Error *err)
{
    *sig_text = NULL;
    dh_Status st = check_comment(trusted, DH_SIG_TRUSTED_MAX, "trusted comment", err);
    if (st == DH_OK) st = check_comment(untrusted, DH_SIG_COMMENT_MAX, "untrusted comment", err);
    if (st != DH_OK) return st;
    uint8_t raw[SIG_BYTES], global[64];
    memcpy(raw, SIGALG_HASHED, 2);
    memcpy(raw + 2, sk->keyid, DH_SIG_KEYID_BYTES);
    crypto_sign_detached(raw + 2 + DH_SIG_KEYID_BYTES, NULL, hash, crypto_generichash_BYTES_MAX,
                         sk->sk);
    size_t tlen = strlen(trusted);
    uint8_t *both = dh_malloc(64 + tlen);
    if (!both) return dh_fail(err, DH_ENOMEM, "out of memory signing");
    memcpy(both, raw + 2 + DH_SIG_KEYID_BYTES, 64);
    memcpy(both + 64, trusted, tlen);
    crypto_sign_detached(global, NULL, both, 64 + tlen, sk->sk);
    dh_free(both);

    char sig_b64[sodium_base64_ENCODED_LEN(SIG_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    char global_b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sig_b64, sizeof sig_b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(global_b64, sizeof global_b64, global, sizeof global,
                      sodium_base64_VARIANT_ORIGINAL);
    size_t size = strlen(COMMENT_PREFIX) + strlen(untrusted) + sizeof sig_b64 +
                  strlen(TRUSTED_PREFIX) + tlen + sizeof global_b64 + 4;
    char *out = dh_malloc(size);
    if (!out) return dh_fail(err, DH_ENOMEM, "out of memory signing");
    snprintf(out, size, "%s%s\n%s\n%s%s\n%s\n", COMMENT_PREFIX, untrusted, sig_b64,
             TRUSTED_PREFIX, trusted, global_b64);
    *sig_text = out;
    return DH_OK;
}

#define DEFAULT_UNTRUSTED "signature from drillhall-pack secret key"

dh_Status dh_sig_sign_memory(const void *data, size_t len, const dh_SecretKey *sk,
                             const char *trusted_comment, const char *untrusted_comment,
                             char **sig_text, dh_Error *err)
{
    DH_ASSERT(sk && sig_text && (data || len == 0));
    *sig_text = NULL;
    dh_Status st = sodium_ready(err);
    if (st != DH_OK) return st;
    char deflt[128];
    if (!trusted_comment)
        trusted_comment = dh_sig_default_comment(deflt, sizeof deflt, NULL, (int64_t)time(NULL));
    uint8_t hash[crypto_generichash_BYTES_MAX];
    crypto_generichash(hash, sizeof hash, data, len, NULL, 0);
    return build_signature(hash, sk, trusted_comment,
                           untrusted_comment ? untrusted_comment : DEFAULT_UNTRUSTED, sig_text,
                           err);
}

/* path + ".minisig" in a new buffer. */
static char *default_sig_path(const char *path)
{
    size_t n = strlen(path);
    char *p = dh_malloc(n + sizeof DH_SIG_SUFFIX);
    if (p) {
        memcpy(p, path, n);
        memcpy(p + n, DH_SIG_SUFFIX, sizeof DH_SIG_SUFFIX);
    }
    return p;
}

dh_Status dh_sig_sign_file(const char *path, const dh_SecretKey *sk, const char *trusted_comment,
                           const char *untrusted_comment, const char *sig_path, dh_Error *err)
{
    DH_ASSERT(path && sk);
    dh_Status st = sodium_ready(err);
    if (st != DH_OK) return st;
    char deflt[512];
    if (!trusted_comment)
        trusted_comment = dh_sig_default_comment(deflt, sizeof deflt, path, (int64_t)time(NULL));
    uint8_t hash[crypto_generichash_BYTES_MAX];
    st = hash_file(path, hash, err);
    if (st != DH_OK) return st;
    char *text = NULL, *own_path = NULL;
    st = build_signature(hash, sk, trusted_comment,
                         untrusted_comment ? untrusted_comment : DEFAULT_UNTRUSTED, &text, err);
    if (st != DH_OK) return st;
    if (!sig_path) {
        sig_path = own_path = default_sig_path(path);
        if (!own_path) {
            dh_free(text);
            return dh_fail(err, DH_ENOMEM, "out of memory signing %s", path);
        }
    }
    st = write_atomic(sig_path, text, strlen(text), 0644, true, err);
    dh_free(text);
    dh_free(own_path);
    return st;
}

/* ---- verification ------------------------------------------------------------------ */

static dh_Status check_keyid(const dh_Signature *s, const dh_PublicKey *pk, const char *sig_name,
                             dh_Error *err)
{
    if (memcmp(s->keyid, pk->keyid, DH_SIG_KEYID_BYTES) == 0) return DH_OK;
    char a[DH_SIG_KEYID_HEX], b[DH_SIG_KEYID_HEX];
    return dh_fail_at(err, DH_ESIG, sig_name, 0, 0, "signed with key %s but the public key is %s",
                      dh_sig_keyid_hex(s->keyid, a), dh_sig_keyid_hex(pk->keyid, b));
}

/* Check both signatures once the key id matched; msg is the hash for a
 * prehashed signature, the data itself for a legacy one. data_name names
 * the data in messages (NULL: "the data"). */
static dh_Status check_sigs(const dh_Signature *s, const uint8_t *msg, size_t msg_len,
                            const dh_PublicKey *pk, const char *data_name, const char *sig_name,
                            dh_Error *err)
{
    if (crypto_sign_verify_detached(s->sig, msg, msg_len, pk->pk) != 0) {
        if (data_name)
            return dh_fail_at(err, DH_ESIG, data_name, 0, 0,
                              "the file was changed after it was signed, or the signature "
                              "belongs to another file");
        return dh_fail(err, DH_ESIG,
                       "the data does not match the signature: it was changed after it was "
                       "signed, or the signature belongs to other data");
    }
    size_t tlen = strlen(s->trusted_comment);
    uint8_t *both = dh_malloc(64 + tlen);
    if (!both) return dh_fail(err, DH_ENOMEM, "out of memory verifying a signature");
    memcpy(both, s->sig, 64);
    memcpy(both + 64, s->trusted_comment, tlen);
    int bad = crypto_sign_verify_detached(s->global_sig, both, 64 + tlen, pk->pk);
    dh_free(both);
    if (bad)
        return dh_fail_at(err, DH_ESIG, sig_name, 0, 0,
                          "the trusted comment was changed after signing (the comment signature "
                          "does not verify)");
    return DH_OK;
}

static void copy_comment(const dh_Signature *s, char *out, size_t size)
{
    if (!out || size == 0) return;
    snprintf(out, size, "%s", s->trusted_comment);
}

dh_Status dh_sig_verify_parsed(const dh_Signature *s, const void *data, size_t len,
                               const dh_PublicKey *pk, dh_Error *err)
{
    DH_ASSERT(s && s->trusted_comment && pk && (data || len == 0));
    dh_Status st = sodium_ready(err);
    if (st == DH_OK) st = check_keyid(s, pk, "signature", err);
    if (st != DH_OK) return st;
    if (!s->prehashed) return check_sigs(s, data, len, pk, NULL, "signature", err);
    uint8_t hash[crypto_generichash_BYTES_MAX];
    crypto_generichash(hash, sizeof hash, data, len, NULL, 0);
    return check_sigs(s, hash, sizeof hash, pk, NULL, "signature", err);
}

dh_Status dh_sig_verify_memory(const void *data, size_t len, const char *sig_text, size_t sig_len,
                               const dh_PublicKey *pk, char *trusted_out, size_t size,
                               dh_Error *err)
{
    if (trusted_out && size) trusted_out[0] = '\0';
    dh_Signature s;
    dh_Status st = dh_sig_signature_parse(&s, sig_text, sig_len, "signature", err);
    if (st != DH_OK) return st;
    st = dh_sig_verify_parsed(&s, data, len, pk, err);
    if (st == DH_OK) copy_comment(&s, trusted_out, size);
    dh_sig_signature_free(&s);
    return st;
}

dh_Status dh_sig_verify_file(const char *path, const char *sig_path, const dh_PublicKey *pk,
                             char *trusted_out, size_t size, dh_Error *err)
{
    DH_ASSERT(path && pk);
    if (trusted_out && size) trusted_out[0] = '\0';
    dh_Status st = sodium_ready(err);
    if (st != DH_OK) return st;
    char *own_path = NULL, *data = NULL;
    if (!sig_path) {
        sig_path = own_path = default_sig_path(path);
        if (!own_path) return dh_fail(err, DH_ENOMEM, "out of memory verifying %s", path);
    }
    dh_Signature s;
    st = dh_sig_signature_read(&s, sig_path, err);
    if (st != DH_OK) goto out;
    /* The key id first: no point hashing a large file for the wrong key. */
    st = check_keyid(&s, pk, sig_path, err);
    if (st != DH_OK) goto out;
    if (s.prehashed) {
        uint8_t hash[crypto_generichash_BYTES_MAX];
        st = hash_file(path, hash, err);
        if (st == DH_OK) st = check_sigs(&s, hash, sizeof hash, pk, path, sig_path, err);
    } else {
        /* Legacy signatures cover the raw bytes: Ed25519 cannot stream. */
        size_t len;
        st = read_file(path, (size_t)DH_SIG_LEGACY_MAX, &data, &len, err);
        if (st == DH_ELIMIT)
            st = dh_fail(err, DH_ELIMIT,
                         "%s is over 1 GiB and has a legacy (non-prehashed) signature; sign it "
                         "again with drillhall-pack or a current minisign (without -l)", path);
        if (st == DH_OK) st = check_sigs(&s, (const uint8_t *)data, len, pk, path, sig_path, err);
    }
    if (st == DH_OK) copy_comment(&s, trusted_out, size);
out:
    dh_sig_signature_free(&s);
    dh_free(data);
    dh_free(own_path);
    return st;
}

/* Read exactly len bytes at off (pread retries short reads and EINTR). */
static bool pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    unsigned char *b = buf;
    while (len > 0) {
        ssize_t n = pread(fd, b, len, (off_t)off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        b += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return true;
}

dh_Status dh_sig_verify_fd(int fd, uint64_t size, const dh_Signature *s, const dh_PublicKey *pk,
                           const char *name, dh_Error *err)
{
    DH_ASSERT(fd >= 0 && s && s->trusted_comment && pk && name);
    dh_Status st = sodium_ready(err);
    if (st == DH_OK) st = check_keyid(s, pk, name, err);
    if (st != DH_OK) return st;
    if (!s->prehashed) {
        if (size > DH_SIG_LEGACY_MAX)
            return dh_fail(err, DH_ELIMIT,
                           "%s is over 1 GiB and has a legacy (non-prehashed) signature; sign it "
                           "again with drillhall-pack or a current minisign (without -l)", name);
        uint8_t *data = dh_malloc(size ? (size_t)size : 1);
        if (!data) return dh_fail(err, DH_ENOMEM, "out of memory verifying %s", name);
        errno = 0;
        if (!pread_all(fd, data, (size_t)size, 0))
            st = dh_fail(err, DH_EIO, "cannot read %s: %s", name,
                         errno ? strerror(errno) : "it became shorter while being read");
        else
            st = check_sigs(s, data, (size_t)size, pk, name, name, err);
        dh_free(data);
        return st;
    }
    crypto_generichash_state hs;
    unsigned char buf[16384];
    crypto_generichash_init(&hs, NULL, 0, crypto_generichash_BYTES_MAX);
    for (uint64_t off = 0; off < size;) {
        size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
        errno = 0;
        if (!pread_all(fd, buf, n, off))
            return dh_fail(err, DH_EIO, "cannot read %s: %s", name,
                           errno ? strerror(errno) : "it became shorter while being read");
        crypto_generichash_update(&hs, buf, n);
        off += n;
    }
    uint8_t hash[crypto_generichash_BYTES_MAX];
    crypto_generichash_final(&hs, hash, sizeof hash);
    return check_sigs(s, hash, sizeof hash, pk, name, name, err);
}
