/* test_signature: minisign-compatible keys and signatures (signature.c).
 *
 * The fixed vectors below were made by the real minisign 0.11 (`minisign -G
 * -W`, `minisign -S`, `minisign -S -l`), so these tests check compatibility
 * against the tool itself, not against our own reading of its format; the
 * e2e test (tests/e2e/minisign.sh) checks the other direction live. The rest
 * covers round trips, every kind of tampering, wrong keys, encrypted keys,
 * hostile files and out-of-memory paths.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "signature.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- vectors made by minisign 0.11 ------------------------------------------ */

#define VEC_KEYID "98CB1253127F836A"
#define VEC_MSG "Drillhall signature test vector\n"
#define VEC_PUB_B64 "RWRqg38SUxLLmN1g22DMwwVkbapulqkiXaoVVreGB9l2CRTrrjSIOc5r"
static const char VEC_PUB[] =
    "untrusted comment: minisign public key 98CB1253127F836A\n" VEC_PUB_B64 "\n";
/* An unencrypted secret key (minisign -G -W): a test key, public on purpose. */
static const char VEC_SEC[] =
    "untrusted comment: minisign encrypted secret key\n"
    "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAaoN/ElMSy5gXCcK/ABgek"
    "eIfkjkoMC+ivTJ6xgJD+ByuKFeCuIY9Sd1g22DMwwVkbapulqkiXaoVVreGB9l2CRTrrjSIOc5rAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAA=\n";
#define VEC_SIG_LINE                                                                               \
    "RURqg38SUxLLmBg53BH7wDnToKUb3/o+DJOaY9T2w8uepvqr3XTFK/kdPfc0vK4QiE7yC3BQrb3EHeaWSb1HbicUCmW" \
    "gbpOPZQQ="
#define VEC_GLOBAL_LINE                                                                            \
    "teTnu+p13Zdbwb9rnBFK0xA1nRBGp6FkGWz+6he3APNrstUdJ0Rvwryg9OJmavokI/3pTFQYHmmqdr+FSVPCBA=="
static const char VEC_SIG[] = "untrusted comment: signature from minisign secret key\n" VEC_SIG_LINE
                              "\ntrusted comment: drillhall test vector (prehashed)\n" VEC_GLOBAL_LINE
                              "\n";
static const char VEC_SIG_LEGACY[] =
    "untrusted comment: signature from minisign secret key\n"
    "RWRqg38SUxLLmGYBwHm4PFXOwJq4en227lLrQh7YMnRWN/Nl4oMnLfxc7oRISVMa9bIpSSiQUyckvEI88qq3e5abIDBfF"
    "WAxxgM=\n"
    "trusted comment: drillhall test vector (legacy)\n"
    "vyCVg7Eeo2ko1TGDvpOKvAQ2+rTMTUJA1VRB70jPOanOZfs6b4/3bj0o0H8HqFjwCbof0Y60/ZA3/2Ag5x5MAA==\n";

/* ---- helpers ------------------------------------------------------------------ */

static dh_PublicKey vec_pub(void)
{
    dh_PublicKey pk;
    dh_Error err = {0};
    assert_int_equal(dh_sig_public_parse(&pk, VEC_PUB, strlen(VEC_PUB), "v.pub", &err), DH_OK);
    return pk;
}

static dh_Status verify_text(const char *msg, const char *sig, const dh_PublicKey *pk,
                             char *tc, size_t tcsize, dh_Error *err)
{
    return dh_sig_verify_memory(msg, strlen(msg), sig, strlen(sig), pk, tc, tcsize, err);
}

static void expect_error(dh_Status got, dh_Status want, const dh_Error *err, const char *part)
{
    char buf[1024];
    if (got != want || !strstr(dh_error_format(err, buf, sizeof buf), part))
        fail_msg("got status %d '%s', want %d with '...%s...'", got, buf, want, part);
}

/* Replace the first occurrence of from with to in a copy of s. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

static char tmpdir[256];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dh_test_signature.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* ---- minisign's own files ------------------------------------------------------ */

static void test_minisign_vectors(void **state)
{
    (void)state;
    dh_PublicKey pk = vec_pub();
    char hex[DH_SIG_KEYID_HEX], b64[DH_SIG_PUBLIC_B64], tc[DH_SIG_TRUSTED_MAX + 1];
    assert_string_equal(dh_sig_keyid_hex(pk.keyid, hex), VEC_KEYID);
    assert_string_equal(dh_sig_public_base64(&pk, b64), VEC_PUB_B64);

    dh_Error err = {0};
    assert_int_equal(verify_text(VEC_MSG, VEC_SIG, &pk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, "drillhall test vector (prehashed)");
    assert_int_equal(verify_text(VEC_MSG, VEC_SIG_LEGACY, &pk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, "drillhall test vector (legacy)");

    dh_Signature s;
    assert_int_equal(dh_sig_signature_parse(&s, VEC_SIG, strlen(VEC_SIG), "x", &err), DH_OK);
    assert_true(s.prehashed);
    assert_string_equal(dh_sig_keyid_hex(s.keyid, hex), VEC_KEYID);
    dh_sig_signature_free(&s);
    assert_int_equal(dh_sig_signature_parse(&s, VEC_SIG_LEGACY, strlen(VEC_SIG_LEGACY), "x", &err),
                     DH_OK);
    assert_false(s.prehashed);
    dh_sig_signature_free(&s);

    /* A bare key line, as `minisign -P` and trusted-key lists hold it. */
    dh_PublicKey bare;
    assert_int_equal(dh_sig_public_parse(&bare, VEC_PUB_B64, strlen(VEC_PUB_B64), "k", &err),
                     DH_OK);
    assert_memory_equal(&bare, &pk, sizeof pk);

    /* minisign's unencrypted secret key (no checksum) signs for its public key. */
    dh_SecretKey sk;
    dh_PublicKey derived;
    assert_int_equal(dh_sig_secret_parse(&sk, VEC_SEC, strlen(VEC_SEC), "v.key", NULL, &err),
                     DH_OK);
    dh_sig_secret_public(&sk, &derived);
    assert_memory_equal(&derived, &pk, sizeof pk);
    char *sig;
    assert_int_equal(dh_sig_sign_memory(VEC_MSG, strlen(VEC_MSG), &sk, "ours", NULL, &sig, &err),
                     DH_OK);
    assert_int_equal(verify_text(VEC_MSG, sig, &pk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, "ours");
    dh_free(sig);
    dh_sig_secret_wipe(&sk);
}

static void test_crlf_and_extra_lines(void **state)
{
    (void)state;
    dh_PublicKey pk = vec_pub();
    dh_Error err = {0};
    char tc[256];
    /* CRLF line endings (a file edited on Windows) read the same. */
    char crlf[1024];
    size_t n = 0;
    for (const char *p = VEC_SIG; *p; p++) {
        if (*p == '\n') crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    crlf[n] = '\0';
    assert_int_equal(verify_text(VEC_MSG, crlf, &pk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, "drillhall test vector (prehashed)");
    /* No final newline, and lines after the fourth, are accepted as minisign does. */
    char *cut = strdup(VEC_SIG);
    cut[strlen(cut) - 1] = '\0';
    assert_int_equal(verify_text(VEC_MSG, cut, &pk, tc, sizeof tc, &err), DH_OK);
    free(cut);
    char more[1024];
    snprintf(more, sizeof more, "%sanything\n", VEC_SIG);
    assert_int_equal(verify_text(VEC_MSG, more, &pk, tc, sizeof tc, &err), DH_OK);
    char *pub_crlf = replace(VEC_PUB, "98CB1253127F836A\n", "98CB1253127F836A\r\n");
    dh_PublicKey pk2;
    assert_int_equal(dh_sig_public_parse(&pk2, pub_crlf, strlen(pub_crlf), "p", &err), DH_OK);
    assert_memory_equal(&pk2, &pk, sizeof pk);
    free(pub_crlf);
}

/* ---- round trips and tampering ------------------------------------------------ */

static void test_round_trip_and_tampering(void **state)
{
    (void)state;
    dh_PublicKey pk;
    dh_SecretKey sk;
    dh_Error err = {0};
    char tc[DH_SIG_TRUSTED_MAX + 1], *sig;
    assert_int_equal(dh_sig_keygen(&pk, &sk, &err), DH_OK);
    const char *msg = "course package bytes";
    assert_int_equal(dh_sig_sign_memory(msg, strlen(msg), &sk, "course: phishing 1.0.0", NULL,
                                        &sig, &err), DH_OK);
    assert_non_null(strstr(sig, "untrusted comment: signature from drillhall-pack secret key\nRU"));
    assert_int_equal(verify_text(msg, sig, &pk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, "course: phishing 1.0.0");

    /* The data changed. */
    expect_error(verify_text("course package byteS", sig, &pk, tc, sizeof tc, &err), DH_ESIG,
                 &err, "does not match the signature");
    assert_string_equal(tc, "");
    /* The trusted comment changed. */
    char *t = replace(sig, "phishing 1.0.0", "phishing 9.9.9");
    expect_error(verify_text(msg, t, &pk, tc, sizeof tc, &err), DH_ESIG, &err,
                 "trusted comment was changed");
    free(t);
    /* The signature itself changed (one base64 digit of the Ed25519 part). */
    const char *line2 = strchr(sig, '\n') + 1;
    size_t at = (size_t)(line2 - sig) + 40;
    char *s2 = strdup(sig);
    s2[at] = s2[at] == 'A' ? 'B' : 'A';
    expect_error(verify_text(msg, s2, &pk, tc, sizeof tc, &err), DH_ESIG, &err,
                 "does not match the signature");
    free(s2);
    /* The comment signature changed. */
    char *s3 = strdup(sig);
    char *line4 = strstr(s3, "\ntrusted comment: ") + 1;
    line4 = strchr(line4, '\n') + 1;
    line4[10] = line4[10] == 'A' ? 'B' : 'A';
    expect_error(verify_text(msg, s3, &pk, tc, sizeof tc, &err), DH_ESIG, &err,
                 "trusted comment was changed");
    free(s3);
    /* A prehashed signature relabelled as legacy does not verify either. */
    char *s4 = strdup(sig);
    char *l2 = strchr(s4, '\n') + 1;
    assert_memory_equal(l2, "RU", 2);
    l2[1] = 'W'; /* "RU" ("ED") -> "RW" ("Ed"): the key id bytes stay the same */
    expect_error(verify_text(msg, s4, &pk, tc, sizeof tc, &err), DH_ESIG, &err,
                 "does not match the signature");
    free(s4);

    /* Truncation of the trusted comment on copy-out. */
    char small[8];
    assert_int_equal(verify_text(msg, sig, &pk, small, sizeof small, &err), DH_OK);
    assert_string_equal(small, "course:");
    assert_int_equal(verify_text(msg, sig, &pk, NULL, 0, &err), DH_OK);
    dh_free(sig);

    /* The default trusted comment is minisign's, without a file name here. */
    assert_int_equal(dh_sig_sign_memory("", 0, &sk, NULL, NULL, &sig, &err), DH_OK);
    assert_int_equal(verify_text("", sig, &pk, tc, sizeof tc, &err), DH_OK);
    long long ts = 0;
    char rest[32] = "";
    assert_int_equal(sscanf(tc, "timestamp:%lld%31s", &ts, rest), 2);
    assert_string_equal(rest, "hashed");
    assert_true(ts > 1700000000);
    dh_free(sig);
    dh_sig_secret_wipe(&sk);
    assert_true(sodium_is_zero((const unsigned char *)&sk, sizeof sk));
}

static void test_wrong_key(void **state)
{
    (void)state;
    dh_PublicKey pk1, pk2;
    dh_SecretKey sk1, sk2;
    dh_Error err = {0};
    char *sig, a[DH_SIG_KEYID_HEX], b[DH_SIG_KEYID_HEX], want[128], tc[64];
    assert_int_equal(dh_sig_keygen(&pk1, &sk1, &err), DH_OK);
    assert_int_equal(dh_sig_keygen(&pk2, &sk2, &err), DH_OK);
    assert_int_equal(dh_sig_sign_memory("x", 1, &sk1, "c", NULL, &sig, &err), DH_OK);
    snprintf(want, sizeof want, "signed with key %s but the public key is %s",
             dh_sig_keyid_hex(pk1.keyid, a), dh_sig_keyid_hex(pk2.keyid, b));
    expect_error(verify_text("x", sig, &pk2, tc, sizeof tc, &err), DH_ESIG, &err, want);
    /* Same key id, different key: caught by the signature, not the id. */
    memcpy(pk2.keyid, pk1.keyid, sizeof pk1.keyid);
    expect_error(verify_text("x", sig, &pk2, tc, sizeof tc, &err), DH_ESIG, &err,
                 "does not match the signature");
    dh_free(sig);
    dh_sig_secret_wipe(&sk1);
    dh_sig_secret_wipe(&sk2);
}

/* A legacy "Ed" signature built here straight from libsodium, independently
 * of signature.c: Ed25519 over the raw data, then over sig || comment. */
static void test_legacy_built_by_hand(void **state)
{
    (void)state;
    dh_PublicKey pk;
    dh_SecretKey sk;
    dh_Error err = {0};
    assert_int_equal(dh_sig_keygen(&pk, &sk, &err), DH_OK);
    const char *msg = "legacy data", *comment = "legacy comment";
    unsigned char raw[74], global[64], both[64 + 64];
    memcpy(raw, "Ed", 2);
    memcpy(raw + 2, sk.keyid, 8);
    crypto_sign_detached(raw + 10, NULL, (const unsigned char *)msg, strlen(msg), sk.sk);
    memcpy(both, raw + 10, 64);
    memcpy(both + 64, comment, strlen(comment));
    crypto_sign_detached(global, NULL, both, 64 + strlen(comment), sk.sk);
    char b1[sodium_base64_ENCODED_LEN(74, sodium_base64_VARIANT_ORIGINAL)];
    char b2[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b1, sizeof b1, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(b2, sizeof b2, global, sizeof global, sodium_base64_VARIANT_ORIGINAL);
    char text[512], tc[64];
    snprintf(text, sizeof text, "untrusted comment: x\n%s\ntrusted comment: %s\n%s\n", b1, comment,
             b2);
    assert_int_equal(verify_text(msg, text, &pk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, comment);
    expect_error(verify_text("legacy datA", text, &pk, tc, sizeof tc, &err), DH_ESIG, &err,
                 "does not match");
    dh_sig_secret_wipe(&sk);
}

/* ---- files ---------------------------------------------------------------------- */

static void test_key_files(void **state)
{
    (void)state;
    char pub[300], sec[300];
    tmp_path(pub, sizeof pub, "k.pub");
    tmp_path(sec, sizeof sec, "k.key");
    dh_PublicKey pk, pk2;
    dh_SecretKey sk, sk2;
    dh_Error err = {0};
    assert_int_equal(dh_sig_keygen(&pk, &sk, &err), DH_OK);
    assert_int_equal(dh_sig_secret_write(&sk, sec, NULL, NULL, false, &err), DH_OK);
    assert_int_equal(dh_sig_public_write(&pk, pub, NULL, false, &err), DH_OK);

    struct stat sb;
    assert_int_equal(stat(sec, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char hex[DH_SIG_KEYID_HEX], want[128];
    snprintf(want, sizeof want, "untrusted comment: drillhall-pack public key %s\n",
             dh_sig_keyid_hex(pk.keyid, hex));
    assert_memory_equal(read_text(pub), want, strlen(want));
    assert_int_equal(strlen(read_text(pub)), strlen(want) + DH_SIG_PUBLIC_B64);

    assert_int_equal(dh_sig_public_read(&pk2, pub, &err), DH_OK);
    assert_memory_equal(&pk2, &pk, sizeof pk);
    assert_int_equal(dh_sig_secret_read(&sk2, sec, &err), DH_OK);
    assert_memory_equal(&sk2, &sk, sizeof sk);

    /* Never replaced without force, and left as it was. */
    dh_PublicKey other_pk;
    dh_SecretKey other_sk;
    assert_int_equal(dh_sig_keygen(&other_pk, &other_sk, &err), DH_OK);
    expect_error(dh_sig_secret_write(&other_sk, sec, NULL, NULL, false, &err), DH_EUNSAFE, &err,
                 "already exists");
    expect_error(dh_sig_public_write(&other_pk, pub, NULL, false, &err), DH_EUNSAFE, &err,
                 "already exists");
    assert_int_equal(dh_sig_secret_read(&sk2, sec, &err), DH_OK);
    assert_memory_equal(&sk2, &sk, sizeof sk);
    /* With force it is replaced. */
    assert_int_equal(dh_sig_secret_write(&other_sk, sec, "mine", NULL, true, &err), DH_OK);
    assert_int_equal(dh_sig_secret_read(&sk2, sec, &err), DH_OK);
    assert_memory_equal(&sk2, &other_sk, sizeof sk);
    assert_int_equal(stat(sec, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_memory_equal(read_text(sec), "untrusted comment: mine\n", 24);
    assert_int_equal(dh_sig_public_write(&other_pk, pub, "course key", true, &err), DH_OK);
    assert_memory_equal(read_text(pub), "untrusted comment: course key\n", 30);
    /* No temporary files left behind. */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", tmpdir);
    assert_int_equal(system(cmd), 0);

    expect_error(dh_sig_public_write(&pk, pub, "two\nlines", true, &err), DH_EINVAL, &err,
                 "single line");
    expect_error(dh_sig_public_read(&pk2, "/nonexistent/k.pub", &err), DH_EIO, &err,
                 "cannot open /nonexistent/k.pub");
    dh_sig_secret_wipe(&sk);
    dh_sig_secret_wipe(&sk2);
    dh_sig_secret_wipe(&other_sk);
    unlink(pub);
    unlink(sec);
}

static void test_sign_and_verify_files(void **state)
{
    (void)state;
    char data[300], sigp[300], other[300];
    tmp_path(data, sizeof data, "course.zip");
    tmp_path(sigp, sizeof sigp, "course.zip.minisig");
    tmp_path(other, sizeof other, "elsewhere.sig");
    /* Larger than one read buffer, so the hash really streams. */
    FILE *f = fopen(data, "wb");
    assert_non_null(f);
    for (int i = 0; i < 100000; i++) fprintf(f, "%d,", i);
    fclose(f);

    dh_PublicKey pk;
    dh_SecretKey sk;
    dh_Error err = {0};
    char tc[DH_SIG_TRUSTED_MAX + 1];
    assert_int_equal(dh_sig_keygen(&pk, &sk, &err), DH_OK);
    assert_int_equal(dh_sig_sign_file(data, &sk, NULL, NULL, NULL, &err), DH_OK);
    assert_int_equal(dh_sig_verify_file(data, NULL, &pk, tc, sizeof tc, &err), DH_OK);
    long long ts = 0;
    char rest[64] = "";
    assert_int_equal(sscanf(tc, "timestamp:%lld\tfile:%63s", &ts, rest), 2);
    assert_string_equal(rest, "course.zip");
    assert_non_null(strstr(tc, "\tfile:course.zip\thashed"));

    /* Same result as the memory variant. */
    assert_int_equal(dh_sig_verify_file(data, sigp, &pk, NULL, 0, &err), DH_OK);
    assert_int_equal(dh_sig_sign_file(data, &sk, "explicit", "note", other, &err), DH_OK);
    assert_int_equal(dh_sig_verify_file(data, other, &pk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, "explicit");
    assert_memory_equal(read_text(other), "untrusted comment: note\nRU", 26);

    /* Tampered file: one byte appended. */
    f = fopen(data, "ab");
    fputc('!', f);
    fclose(f);
    expect_error(dh_sig_verify_file(data, NULL, &pk, tc, sizeof tc, &err), DH_ESIG, &err,
                 "course.zip: the file was changed after it was signed");
    assert_string_equal(tc, "");

    /* Missing signature, missing file. */
    unlink(sigp);
    expect_error(dh_sig_verify_file(data, NULL, &pk, tc, sizeof tc, &err), DH_EIO, &err,
                 "course.zip.minisig");
    expect_error(dh_sig_sign_file("/nonexistent/x.zip", &sk, NULL, NULL, NULL, &err), DH_EIO,
                 &err, "cannot open /nonexistent/x.zip");

    /* A legacy signature of a file (minisign's vector). */
    char msgp[300], legacy[300];
    write_text(tmp_path(msgp, sizeof msgp, "msg.txt"), VEC_MSG);
    write_text(tmp_path(legacy, sizeof legacy, "msg.txt.minisig"), VEC_SIG_LEGACY);
    dh_PublicKey vpk = vec_pub();
    assert_int_equal(dh_sig_verify_file(msgp, NULL, &vpk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, "drillhall test vector (legacy)");
    expect_error(dh_sig_verify_file(msgp, NULL, &pk, tc, sizeof tc, &err), DH_ESIG, &err,
                 "msg.txt.minisig: signed with key " VEC_KEYID " but the public key is");
    write_text(msgp, "Drillhall signature test vector!\n");
    expect_error(dh_sig_verify_file(msgp, NULL, &vpk, tc, sizeof tc, &err), DH_ESIG, &err,
                 "msg.txt: the file was changed after it was signed");
    /* An oversized signature file is refused before parsing. */
    f = fopen(legacy, "wb");
    for (int i = 0; i < DH_SIG_FILE_MAX + 10; i++) fputc('x', f);
    fclose(f);
    expect_error(dh_sig_verify_file(msgp, NULL, &vpk, tc, sizeof tc, &err), DH_EFORMAT, &err,
                 "not a minisign signature");
    unlink(msgp);
    unlink(legacy);
    unlink(data);
    unlink(other);
    dh_sig_secret_wipe(&sk);
}

/* ---- encrypted secret keys ---------------------------------------------------- */

static void test_encrypted_keys(void **state)
{
    (void)state;
    dh_PublicKey pk;
    dh_SecretKey sk, back;
    dh_Error err = {0};
    char *text;
    assert_int_equal(dh_sig_keygen(&pk, &sk, &err), DH_OK);
    /* Cheap scrypt limits keep the test fast; the format is the same. */
    assert_int_equal(dh_sig_secret_format(&sk, NULL, "correct horse",
                                          crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
                                          crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN, &text,
                                          &err), DH_OK);
    /* The secret is not in the file in the clear. */
    unsigned char raw[158];
    size_t rawlen;
    const char *line2 = strchr(text, '\n') + 1;
    assert_int_equal(sodium_base642bin(raw, sizeof raw, line2, strlen(line2) - 1, NULL, &rawlen,
                                       NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    assert_memory_equal(raw, "EdScB2", 6);
    assert_memory_not_equal(raw + 62, sk.sk, 64);

    assert_int_equal(dh_sig_secret_parse(&back, text, strlen(text), "k", "correct horse", &err),
                     DH_OK);
    assert_memory_equal(&back, &sk, sizeof sk);
    expect_error(dh_sig_secret_parse(&back, text, strlen(text), "k.key", "wrong horse", &err),
                 DH_ESIG, &err, "k.key: wrong password for this secret key (checksum mismatch)");
    expect_error(dh_sig_secret_parse(&back, text, strlen(text), "k.key", NULL, &err), DH_EINVAL,
                 &err, "encrypted and no password");

    /* From a file, with the password from the environment. */
    char path[300];
    write_text(tmp_path(path, sizeof path, "enc.key"), text);
    setenv(DH_SIG_PASSWORD_ENV, "correct horse", 1);
    assert_int_equal(dh_sig_secret_read(&back, path, &err), DH_OK);
    assert_memory_equal(&back, &sk, sizeof sk);
    setenv(DH_SIG_PASSWORD_ENV, "not it", 1);
    expect_error(dh_sig_secret_read(&back, path, &err), DH_ESIG, &err, "wrong password");
    unsetenv(DH_SIG_PASSWORD_ENV);
    unlink(path);

    /* Hostile scrypt limits are refused before any work is done. */
    unsigned char evil[158];
    memcpy(evil, raw, sizeof evil);
    memset(evil + 38, 0xff, 8);
    char b64[sodium_base64_ENCODED_LEN(158, sodium_base64_VARIANT_ORIGINAL)], etext[300];
    sodium_bin2base64(b64, sizeof b64, evil, sizeof evil, sodium_base64_VARIANT_ORIGINAL);
    snprintf(etext, sizeof etext, "untrusted comment: x\n%s\n", b64);
    expect_error(dh_sig_secret_parse(&back, etext, strlen(etext), "k", "pw", &err), DH_ELIMIT,
                 &err, "scrypt limits");

    sodium_memzero(text, strlen(text));
    dh_free(text);
    dh_sig_secret_wipe(&sk);
    dh_sig_secret_wipe(&back);
}

static void test_damaged_secret_keys(void **state)
{
    (void)state;
    dh_SecretKey sk, back;
    dh_PublicKey pk;
    dh_Error err = {0};
    char *text;
    assert_int_equal(dh_sig_keygen(&pk, &sk, &err), DH_OK);
    assert_int_equal(dh_sig_secret_format(&sk, NULL, NULL, 0, 0, &text, &err), DH_OK);
    assert_non_null(strstr(text, "NOT encrypted"));
    unsigned char raw[158];
    size_t rawlen;
    char *line2 = strchr(text, '\n') + 1;
    assert_int_equal(sodium_base642bin(raw, sizeof raw, line2, strlen(line2) - 1, NULL, &rawlen,
                                       NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    assert_memory_equal(raw, "Ed\0\0B2", 6);
    char b64[sodium_base64_ENCODED_LEN(158, sodium_base64_VARIANT_ORIGINAL)], t2[300];

    /* One bit of the key flipped: the checksum says so. */
    raw[70] ^= 1;
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(t2, sizeof t2, "c\n%s\n", b64);
    expect_error(dh_sig_secret_parse(&back, t2, strlen(t2), "k", NULL, &err), DH_EFORMAT, &err,
                 "damaged (checksum mismatch)");
    /* Without a checksum (as minisign -W writes), the halves must agree. */
    memset(raw + 126, 0, 32);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(t2, sizeof t2, "c\n%s\n", b64);
    expect_error(dh_sig_secret_parse(&back, t2, strlen(t2), "k", NULL, &err), DH_EFORMAT, &err,
                 "public half does not match");
    raw[70] ^= 1;
    /* Unknown algorithms. */
    raw[2] = 'X';
    raw[3] = 'y';
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(t2, sizeof t2, "c\n%s\n", b64);
    expect_error(dh_sig_secret_parse(&back, t2, strlen(t2), "k", NULL, &err), DH_EFORMAT, &err,
                 "protected with 'Xy'");
    raw[2] = raw[3] = 0;
    raw[4] = 'S';
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(t2, sizeof t2, "c\n%s\n", b64);
    expect_error(dh_sig_secret_parse(&back, t2, strlen(t2), "k", NULL, &err), DH_EFORMAT, &err,
                 "checksum algorithm is 'S2'");
    expect_error(dh_sig_secret_parse(&back, b64, strlen(b64), "k", NULL, &err), DH_EFORMAT, &err,
                 "line 2 is missing");
    expect_error(dh_sig_secret_parse(&back, "c\nRWQ=\n", 7, "k", NULL, &err), DH_EFORMAT, &err,
                 "k:2:1: the secret key has 4 base64 characters instead of 212");
    sodium_memzero(text, strlen(text));
    dh_free(text);
    dh_sig_secret_wipe(&sk);
}

/* ---- hostile signature and key files ------------------------------------------- */

typedef struct Bad {
    const char *text; /* NULL: built in the test */
    const char *want; /* part of the formatted error */
} Bad;

static void test_malformed_signatures(void **state)
{
    (void)state;
    dh_PublicKey pk = vec_pub();
    dh_Error err = {0};
    char tc[64];
    static const Bad bad[] = {
        {"", "s.minisig: the signature file is empty"},
        {"untrusted comment: x\n", "s.minisig:2:1: line 2 is missing"},
        {"untrusted comment: x\n" VEC_SIG_LINE "\n", "s.minisig:3:1: line 3 is missing"},
        {"untrusted comment: x\n" VEC_SIG_LINE "\ntrusted comment: t\n",
         "s.minisig:4:1: line 4 is missing"},
        {"hello\n", "s.minisig:1:1: line 1 should start with \"untrusted comment: \""},
        {"untrusted comment: x\nRUR*\n", "s.minisig:2:4: the signature is not valid base64: "
                                         "unexpected '*'"},
        {"untrusted comment: x\nRUR \n", "unexpected a space"},
        {"untrusted comment: x\nRURq\n", "s.minisig:2:1: the signature has 4 base64 characters "
                                         "instead of 100"},
        {"untrusted comment: x\n\n", "line 2 should hold the signature in base64 but is empty"},
        {"untrusted comment: x\n" VEC_SIG_LINE "\ncomment: t\n" VEC_GLOBAL_LINE "\n",
         "s.minisig:3:1: line 3 should start with \"trusted comment: \""},
        {"untrusted comment: x\n" VEC_SIG_LINE "\ntrusted comment: t\n" VEC_GLOBAL_LINE "x\n",
         "the comment signature has 89 base64 characters instead of 88"},
        {"untrusted comment: x\n"
         "RWRqg38SUxLLmBg53BH7wDnToKUb3/o+DJOaY9T2w8uepvqr3XTFK/kdPfc0vK4QiE7yC3BQrb3EHeaWSb1HbicUCmW"
         "gbpOPZQ==\n",
         "wrong '=' padding at the end"},
        {"\xEF\xBB\xBFuntrusted comment: x\n", "byte-order mark"},
        {"untrusted comment: x\nRUR\0\n", "s.minisig:2:4: the file contains a NUL byte"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i].text);
        if (strstr(bad[i].want, "NUL")) len += 2;
        expect_error(dh_sig_verify_memory(VEC_MSG, strlen(VEC_MSG), bad[i].text, len, &pk, tc,
                                          sizeof tc, &err),
                     DH_EFORMAT, &err, "");
        dh_Signature s;
        dh_Status st = dh_sig_signature_parse(&s, bad[i].text, len, "s.minisig", &err);
        expect_error(st, DH_EFORMAT, &err, bad[i].want);
    }

    /* Unknown signature algorithm: "EX" + the rest of a valid line. */
    unsigned char raw[74] = {'E', 'X'};
    char b64[101], text[400];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(text, sizeof text, "untrusted comment: x\n%s\ntrusted comment: t\n%s\n", b64,
             VEC_GLOBAL_LINE);
    dh_Signature s;
    expect_error(dh_sig_signature_parse(&s, text, strlen(text), "s", &err), DH_EFORMAT, &err,
                 "s:2:1: the signature algorithm is 'EX'");
    raw[0] = 0;
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    snprintf(text, sizeof text, "untrusted comment: x\n%s\ntrusted comment: t\n%s\n", b64,
             VEC_GLOBAL_LINE);
    expect_error(dh_sig_signature_parse(&s, text, strlen(text), "s", &err), DH_EFORMAT, &err,
                 "algorithm is 0x0058");

    /* Overlong comments: refused, not truncated. */
    size_t big = DH_SIG_TRUSTED_MAX + 200;
    char *longsig = malloc(big + 400);
    char *p = longsig + sprintf(longsig, "untrusted comment: ");
    memset(p, 'u', DH_SIG_COMMENT_MAX + 1);
    p += DH_SIG_COMMENT_MAX + 1;
    p += sprintf(p, "\n%s\ntrusted comment: t\n%s\n", VEC_SIG_LINE, VEC_GLOBAL_LINE);
    expect_error(dh_sig_signature_parse(&s, longsig, strlen(longsig), "s", &err), DH_EFORMAT,
                 &err, "untrusted comment is longer than the 1003 bytes");
    p = longsig + sprintf(longsig, "untrusted comment: u\n%s\ntrusted comment: ", VEC_SIG_LINE);
    memset(p, 't', DH_SIG_TRUSTED_MAX + 1);
    p += DH_SIG_TRUSTED_MAX + 1;
    sprintf(p, "\n%s\n", VEC_GLOBAL_LINE);
    expect_error(dh_sig_signature_parse(&s, longsig, strlen(longsig), "s", &err), DH_EFORMAT,
                 &err, "s:3:1: the trusted comment is 8174 bytes long; minisign reads at most 8173");
    free(longsig);

    /* A CR inside a line ends it, as in minisign: the comment after it is
     * not part of what was signed, and not shown. */
    char *cr = replace(VEC_SIG, "(prehashed)\n", "(prehashed)\rINJECTED\n");
    assert_int_equal(verify_text(VEC_MSG, cr, &pk, tc, sizeof tc, &err), DH_OK);
    assert_string_equal(tc, "drillhall test vector (prehashed)");
    free(cr);
}

static void test_malformed_public_keys(void **state)
{
    (void)state;
    dh_Error err = {0};
    dh_PublicKey pk;
    static const Bad bad[] = {
        {"", "k.pub: the public key is empty"},
        {"untrusted comment: only a comment\n", "k.pub:2:1: line 2 is missing"},
        {"# my key\n" VEC_PUB_B64 "\n", "k.pub:1:1: line 1 should be \"untrusted comment: ...\""},
        {"untrusted comment: x\n" VEC_PUB_B64 "AAAA\n",
         "k.pub:2:1: the public key has 60 base64 characters instead of 56"},
        {"untrusted comment: x\nRWRqg38SUxLLmN1g22DMwwVk-apulqkiXaoVVreGB9l2CRTrrjSIOc5r\n",
         "k.pub:2:25: the public key is not valid base64: unexpected '-'"},
        {"untrusted comment: x\n\x01\n", "unexpected 0x01"},
        {"untrusted comment: x\n\n", "line 2 should hold the public key in base64 but is empty"},
        /* "RUR..." decodes to "ED": a signature's algorithm, not a key's. */
        {"RURqg38SUxLLmN1g22DMwwVkbapulqkiXaoVVreGB9l2CRTrrjSIOc5r",
         "k.pub:1:1: the key's algorithm is 'ED'; only Ed25519 keys ('Ed') are supported"},
        {"RWRqg38S", "k.pub:1:1: the public key has 8 base64 characters instead of 56"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_error(dh_sig_public_parse(&pk, bad[i].text, strlen(bad[i].text), "k.pub", &err),
                     DH_EFORMAT, &err, bad[i].want);
    char *longc = malloc(2000);
    memset(longc, 'c', 1999);
    memcpy(longc, "untrusted comment: ", 19);
    longc[1999] = '\0';
    expect_error(dh_sig_public_parse(&pk, longc, strlen(longc), "k.pub", &err), DH_EFORMAT, &err,
                 "longer than the 1003 bytes");
    free(longc);
}

static void test_comment_limits(void **state)
{
    (void)state;
    dh_PublicKey pk;
    dh_SecretKey sk;
    dh_Error err = {0};
    char *sig;
    assert_int_equal(dh_sig_keygen(&pk, &sk, &err), DH_OK);
    expect_error(dh_sig_sign_memory("x", 1, &sk, "a\nb", NULL, &sig, &err), DH_EINVAL, &err,
                 "trusted comment must be a single line");
    assert_null(sig);
    expect_error(dh_sig_sign_memory("x", 1, &sk, "t", "a\rb", &sig, &err), DH_EINVAL, &err,
                 "untrusted comment must be a single line");
    char *tc = malloc(DH_SIG_TRUSTED_MAX + 2);
    memset(tc, 'z', DH_SIG_TRUSTED_MAX + 1);
    tc[DH_SIG_TRUSTED_MAX + 1] = '\0';
    expect_error(dh_sig_sign_memory("x", 1, &sk, tc, NULL, &sig, &err), DH_EINVAL, &err,
                 "8174 bytes long; minisign reads at most 8173");
    /* Exactly at the limit works both ways. */
    tc[DH_SIG_TRUSTED_MAX] = '\0';
    assert_int_equal(dh_sig_sign_memory("x", 1, &sk, tc, NULL, &sig, &err), DH_OK);
    static char out[DH_SIG_TRUSTED_MAX + 1];
    assert_int_equal(verify_text("x", sig, &pk, out, sizeof out, &err), DH_OK);
    assert_string_equal(out, tc);
    dh_free(sig);
    free(tc);
    char buf[64];
    assert_string_equal(dh_sig_default_comment(buf, sizeof buf, "dir/a\nb.zip", 7),
                        "timestamp:7\tfile:a?b.zip\thashed");
    assert_string_equal(dh_sig_default_comment(buf, sizeof buf, NULL, 7), "timestamp:7\thashed");
    dh_sig_secret_wipe(&sk);
}

static void test_keyid_hex(void **state)
{
    (void)state;
    const uint8_t id[8] = {0x31, 0xb6, 0x52, 0x72, 0xfc, 0x46, 0xa7, 0x7a};
    const uint8_t small[8] = {0x0f};
    char hex[DH_SIG_KEYID_HEX];
    assert_string_equal(dh_sig_keyid_hex(id, hex), "7AA746FC7252B631");
    /* No leading zeros, as minisign prints it ("%" PRIX64): the e2e test
     * caught a key whose id began with 0. */
    assert_string_equal(dh_sig_keyid_hex(small, hex), "F");
}

/* Every allocation failing in turn: an error or success, never a crash or a
 * leak (the asan preset checks leaks). */
static void test_out_of_memory(void **state)
{
    (void)state;
    dh_PublicKey pk = vec_pub();
    dh_SecretKey sk;
    dh_Error err = {0};
    char tc[64], *sig;
    assert_int_equal(dh_sig_secret_parse(&sk, VEC_SEC, strlen(VEC_SEC), "k", NULL, &err), DH_OK);
    int ok = 0;
    for (long n = 1; n < 20; n++) {
        dh_alloc_fail_after(n);
        dh_Status st = verify_text(VEC_MSG, VEC_SIG, &pk, tc, sizeof tc, &err);
        assert_true(st == DH_OK || st == DH_ENOMEM);
        dh_alloc_fail_after(n);
        st = dh_sig_sign_memory("x", 1, &sk, "t", NULL, &sig, &err);
        assert_true(st == DH_OK || st == DH_ENOMEM);
        if (st == DH_OK) {
            ok++;
            dh_alloc_fail_after(0);
            dh_free(sig);
        }
    }
    dh_alloc_fail_after(0);
    assert_true(ok > 0);
    dh_sig_secret_wipe(&sk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minisign_vectors),
        cmocka_unit_test(test_crlf_and_extra_lines),
        cmocka_unit_test(test_round_trip_and_tampering),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_legacy_built_by_hand),
        cmocka_unit_test(test_key_files),
        cmocka_unit_test(test_sign_and_verify_files),
        cmocka_unit_test(test_encrypted_keys),
        cmocka_unit_test(test_damaged_secret_keys),
        cmocka_unit_test(test_malformed_signatures),
        cmocka_unit_test(test_malformed_public_keys),
        cmocka_unit_test(test_comment_limits),
        cmocka_unit_test(test_keyid_hex),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
