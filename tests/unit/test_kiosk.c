/* test_kiosk: the kiosk identity (kiosk.c).
 *
 * First run, later runs, and every way the three files can go wrong on a
 * kiosk: a key others can read, a lost public key, a lost secret key, a
 * pair that does not belong together, an interrupted first run, an
 * encrypted key, a damaged kiosk.json, and out-of-memory at every
 * allocation. The real minisign tool checks what the kiosk key signs.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "kiosk.h"
#include "signature.h"
#include "store_fixture.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_kiosk_identity(void **state)
{
    (void)state;
    char dir[512], json[600], pub[600], key[600];
    snprintf(dir, sizeof dir, "%s/data", root);
    snprintf(json, sizeof json, "%s/kiosk.json", dir);
    snprintf(pub, sizeof pub, "%s/kiosk.pub", dir);
    snprintf(key, sizeof key, "%s/kiosk.key", dir);
    dh_Kiosk k, again;
    dh_Error err = {0};
    assert_int_equal(dh_kiosk_open(&k, dir, &err), DH_OK);
    assert_true(k.created_now);
    assert_string_equal(k.warning, "");
    assert_true(dh_uuid_valid(k.id));
    assert_int_equal(strlen(k.created), 20);
    struct stat sb;
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(stat(json, &sb), 0);

    /* The key signs; kiosk.pub verifies. */
    char *sig = NULL;
    assert_int_equal(dh_sig_sign_memory("records", 7, &k.sk, NULL, NULL, &sig, &err), DH_OK);
    dh_PublicKey pk;
    assert_int_equal(dh_sig_public_read(&pk, pub, &err), DH_OK);
    assert_int_equal(dh_sig_verify_memory("records", 7, sig, strlen(sig), &pk, NULL, 0, &err), DH_OK);
    dh_free(sig);

    /* Later runs load the same identity. */
    assert_int_equal(dh_kiosk_open(&again, dir, &err), DH_OK);
    assert_false(again.created_now);
    assert_string_equal(again.id, k.id);
    assert_string_equal(again.created, k.created);
    assert_string_equal(again.keyid, k.keyid);
    assert_memory_equal(again.sk.sk, k.sk.sk, sizeof k.sk.sk);
    dh_kiosk_wipe(&again);

    /* A key readable by others is made private, with a warning. */
    assert_int_equal(chmod(key, 0644), 0);
    assert_int_equal(dh_kiosk_open(&again, dir, &err), DH_OK);
    assert_non_null(strstr(again.warning, "readable by other users (mode 0644)"));
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    dh_kiosk_wipe(&again);

    /* A lost kiosk.pub is written again from the key. */
    assert_int_equal(unlink(pub), 0);
    assert_int_equal(dh_kiosk_open(&again, dir, &err), DH_OK);
    assert_non_null(strstr(again.warning, "kiosk.pub was missing"));
    assert_int_equal(dh_sig_public_read(&pk, pub, &err), DH_OK);
    assert_memory_equal(pk.pk, k.pk.pk, sizeof pk.pk);
    dh_kiosk_wipe(&again);

    /* A kiosk.pub of another key: the pair does not belong together. */
    size_t publen;
    unsigned char *good_pub = slurp(pub, &publen);
    dh_PublicKey other_pk;
    dh_SecretKey other_sk;
    assert_int_equal(dh_sig_keygen(&other_pk, &other_sk, &err), DH_OK);
    dh_sig_secret_wipe(&other_sk);
    assert_int_equal(dh_sig_public_write(&other_pk, pub, NULL, true, &err), DH_OK);
    expect(dh_kiosk_open(&again, dir, &err), DH_ESIG, &err, "is not the public half");
    spit(pub, good_pub, publen);
    free(good_pub);

    /* kiosk.json naming another key. */
    size_t jlen;
    unsigned char *good_json = slurp(json, &jlen);
    char *text = calloc(1, jlen + 1);
    memcpy(text, good_json, jlen);
    char *at = strstr(text, k.keyid);
    assert_non_null(at);
    /* Change the last digit: a leading zero would not be a key id at all. */
    char *last = at + strlen(k.keyid) - 1;
    *last = *last == '0' ? '1' : '0';
    spit(json, text, jlen);
    expect(dh_kiosk_open(&again, dir, &err), DH_ESIG, &err, "do not belong together");
    spit(json, "{\"format\": 2}", 13);
    expect(dh_kiosk_open(&again, dir, &err), DH_EFORMAT, &err, "in format 2, which this Drillhall");
    spit(json, "{\"format\": 1, \"kiosk_id\": \"nope\"}", 33);
    expect(dh_kiosk_open(&again, dir, &err), DH_EFORMAT, &err, "no valid \"kiosk_id\"");
    spit(json, "not json", 8);
    expect(dh_kiosk_open(&again, dir, &err), DH_EFORMAT, &err, "not the JSON object");
    spit(json, good_json, jlen);
    free(good_json);
    free(text);

    /* An encrypted key cannot serve a kiosk. */
    size_t keylen;
    unsigned char *good_key = slurp(key, &keylen);
    char *encrypted = NULL;
    assert_int_equal(dh_sig_secret_format(&k.sk, NULL, "secret",
                                          crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
                                          crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN,
                                          &encrypted, &err),
                     DH_OK);
    spit(key, encrypted, strlen(encrypted));
    dh_free(encrypted);
    expect(dh_kiosk_open(&again, dir, &err), DH_EINVAL, &err, "protected by a password");
    spit(key, good_key, keylen);
    chmod(key, 0600);
    free(good_key);

    /* A first run interrupted before kiosk.json: completed, same key. */
    assert_int_equal(unlink(json), 0);
    assert_int_equal(dh_kiosk_open(&again, dir, &err), DH_OK);
    assert_true(again.created_now);
    assert_non_null(strstr(again.warning, "incomplete"));
    assert_string_not_equal(again.id, k.id);
    assert_string_equal(again.keyid, k.keyid);
    dh_kiosk_wipe(&again);

    /* A lost key is never silently replaced. */
    assert_int_equal(unlink(key), 0);
    expect(dh_kiosk_open(&again, dir, &err), DH_ENOTFOUND, &err, "kiosk key");
    assert_non_null(strstr(err.msg, "is missing"));
    assert_int_equal(stat(key, &sb), -1);
    dh_kiosk_wipe(&k);
}

/* The standard minisign tool checks what the kiosk key signed. */
static void test_kiosk_key_with_minisign(void **state)
{
    (void)state;
    if (system("minisign -v >/dev/null 2>&1") != 0) skip();
    dh_Kiosk k;
    dh_Error err = {0};
    assert_int_equal(dh_kiosk_open(&k, root, &err), DH_OK);
    char file[600], cmd[2000];
    spit(in_root(file, sizeof file, "manifest.json"), "{\"kiosk\": 1}\n", 13);
    assert_int_equal(dh_sig_sign_file(file, &k.sk, NULL, NULL, NULL, &err), DH_OK);
    snprintf(cmd, sizeof cmd, "minisign -Vq -p '%s/kiosk.pub' -m '%s' >/dev/null", root, file);
    assert_int_equal(system(cmd), 0);
    dh_kiosk_wipe(&k);
}

/* Out of memory at every allocation of a first run and a later run. */
static void test_kiosk_allocation_failures(void **state)
{
    (void)state;
    char dir[300];
    snprintf(dir, sizeof dir, "%s", root);
    long k = 1;
    for (;; k++) {
        char kdir[400];
        snprintf(kdir, sizeof kdir, "%s/kiosk%ld", dir, k);
        dh_Kiosk kiosk;
        dh_Error err = {0};
        dh_alloc_fail_after(k);
        dh_Status st = dh_kiosk_open(&kiosk, kdir, &err);
        if (st == DH_OK) {
            dh_kiosk_wipe(&kiosk);
            st = dh_kiosk_open(&kiosk, kdir, &err);
        }
        long used = dh_alloc_count();
        dh_alloc_fail_after(0);
        dh_kiosk_wipe(&kiosk);
        if (st != DH_OK && st != DH_ENOMEM) fail_msg("kiosk run %ld: status %d '%s'", k, st, err.msg);
        if (st == DH_OK && used < k) break;
        assert_true(k < 1000);
    }
    assert_true(k > 10); /* the loop did reach into the key and file code */
}


/* ---- configuration -------------------------------------------------------------- */

/* Replace kiosk.json's configuration members with `members` (JSON text
 * after the identity members), keeping the identity. */
static void write_config(const char *dir, const dh_Kiosk *k, const char *members)
{
    char path[600], text[4096];
    snprintf(path, sizeof path, "%s/kiosk.json", dir);
    int n = snprintf(text, sizeof text,
                     "{\n  \"format\": 1,\n  \"kiosk_id\": \"%s\",\n  \"created\": \"%s\",\n"
                     "  \"key_id\": \"%s\"%s%s\n}\n",
                     k->id, k->created, k->keyid, members[0] ? ",\n" : "", members);
    spit(path, text, (size_t)n);
}

static void test_kiosk_config(void **state)
{
    (void)state;
    dh_Kiosk k;
    dh_Error err = {0};
    assert_int_equal(dh_kiosk_open(&k, root, &err), DH_OK);
    /* first run: the defaults are written back, the identity kept */
    dh_KioskConfig c;
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_config_load(&c, root, &d, &err), DH_OK);
    assert_true(c.wrote_defaults);
    assert_int_equal(d.count, 0);
    assert_int_equal(c.idle_timeout_s, 180);
    assert_string_equal(c.programme, DH_KIOSK_PROGRAMME_DEFAULT);
    assert_string_equal(c.language, "en");
    assert_string_equal(c.trusted_keys, "trusted-keys");
    char want[600];
    snprintf(want, sizeof want, "%s/trusted-keys", root);
    assert_string_equal(c.trusted_path, want);
    struct stat sb;
    assert_int_equal(stat(want, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    char path[600];
    size_t len;
    char *text = (char *)slurp(in_root(path, sizeof path, "kiosk.json"), &len);
    assert_non_null(strstr(text, "\n  \"idle_timeout_s\": 180,\n"));
    assert_non_null(strstr(text, k.id));
    free(text);
    dh_Kiosk again;
    assert_int_equal(dh_kiosk_open(&again, root, &err), DH_OK); /* identity still reads */
    assert_string_equal(again.id, k.id);
    dh_kiosk_wipe(&again);
    dh_diags_free(&d);
    /* a second run writes nothing */
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_config_load(&c, root, &d, &err), DH_OK);
    assert_false(c.wrote_defaults);
    dh_diags_free(&d);

    /* every mistake names the member, its line:col, and what to write */
    static const struct {
        const char *members;
        int line, col;
        const char *part;
    } bad[] = {
        {"  \"idle_timeout_s\": 5", 6, 21, "\"idle_timeout_s\" must be a whole number of seconds from 30 to 3600, not 5"},
        {"  \"idle_timeout_s\": 90.5", 6, 21, "not 90.5 (3 minutes is 180)"},
        {"  \"idle_timeout_s\": \"3 min\"", 6, 21, "not a string"},
        {"  \"programme\": \"training programme\"", 6, 16, "has no scheme; write the programme's IRI, like"},
        {"  \"programme\": \"https://\"", 6, 16, "has no host"},
        {"  \"programme\": \"https://x.org/a b\"", 6, 16, "contains a space"},
        {"  \"programme\": 7", 6, 16, "\"programme\" must be a string, not a number"},
        {"  \"language\": \"english\"", 6, 15, "'english' is not a language code"},
        {"  \"trusted_keys\": \"\"", 6, 19, "must name a folder of minisign .pub files"},
        {"  \"site\": \"a\\nb\"", 6, 11, "without line breaks"},
        {"  \"medium\": [\"/media\"]", 6, 13, "\"medium\" must be a string, not an array"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_config(root, &k, bad[i].members);
        dh_diags_init(&d);
        dh_error_clear(&err);
        assert_int_equal(dh_kiosk_config_load(&c, root, &d, &err), DH_EINVALID);
        if (!strstr(err.msg, bad[i].part))
            fail_msg("case %zu: '%s' does not say '%s'", i, err.msg, bad[i].part);
        assert_string_equal(err.file, path);
        if (err.line != bad[i].line || err.col != bad[i].col)
            fail_msg("case %zu: at %d:%d, not %d:%d", i, err.line, err.col, bad[i].line, bad[i].col);
        dh_diags_free(&d);
    }
    /* two mistakes: both reported, the first in err */
    write_config(root, &k, "  \"idle_timeout_s\": 1,\n  \"language\": \"??\"");
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_config_load(&c, root, &d, &err), DH_EINVALID);
    assert_int_equal(d.errors, 2);
    assert_non_null(strstr(err.msg, "(and more problems in this file)"));
    dh_diags_free(&d);
    /* an unknown member is a warning with a suggestion */
    write_config(root, &k, "  \"idle_timeout\": 60");
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_config_load(&c, root, &d, &err), DH_OK);
    assert_int_equal(d.warnings, 1);
    assert_non_null(strstr(d.items[0].msg, "idle_timeout_s"));
    dh_diags_free(&d);
    /* a broken JSON text is an error with a position */
    spit(path, "{\"format\": 1,", 13);
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_config_load(&c, root, &d, &err), DH_EINVALID);
    assert_true(err.line >= 1);
    dh_diags_free(&d);

    /* save: changed members written, identity and unknown members kept */
    write_config(root, &k, "  \"site\": \"Room 2\",\n  \"extra\": {\"a\": [1, 2]}");
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_config_load(&c, root, &d, &err), DH_OK);
    dh_diags_free(&d);
    assert_string_equal(c.site, "Room 2");
    c.idle_timeout_s = 240;
    snprintf(c.language, sizeof c.language, "th");
    snprintf(c.medium, sizeof c.medium, "/media/usb");
    assert_int_equal(dh_kiosk_config_save(&c, root, &err), DH_OK);
    text = (char *)slurp(path, &len);
    assert_non_null(strstr(text, "  \"extra\": {\"a\":[1,2]},\n"));
    assert_non_null(strstr(text, "  \"language\": \"th\""));
    free(text);
    dh_KioskConfig back;
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_config_load(&back, root, &d, &err), DH_OK);
    dh_diags_free(&d);
    assert_int_equal(back.idle_timeout_s, 240);
    assert_string_equal(back.medium, "/media/usb");
    assert_string_equal(back.site, "Room 2");
    assert_int_equal(dh_kiosk_open(&again, root, &err), DH_OK);
    assert_string_equal(again.id, k.id);
    dh_kiosk_wipe(&again);
    /* a bad value is never saved */
    c.idle_timeout_s = 10;
    expect(dh_kiosk_config_save(&c, root, &err), DH_EINVAL, &err, "from 30 to 3600");
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_config_load(&back, root, &d, &err), DH_OK);
    dh_diags_free(&d);
    assert_int_equal(back.idle_timeout_s, 240);
    dh_kiosk_wipe(&k);
}

static void test_kiosk_trusted_keys(void **state)
{
    (void)state;
    dh_PublicKey pk[3];
    dh_SecretKey sk[3];
    dh_Error err = {0};
    for (int i = 0; i < 3; i++) assert_int_equal(dh_sig_keygen(&pk[i], &sk[i], &err), DH_OK);
    char dir[600], p[700];
    snprintf(dir, sizeof dir, "%s/keys", root);
    mkdir(dir, 0700);
    snprintf(p, sizeof p, "%s/b-instructor.pub", dir);
    assert_int_equal(dh_sig_public_write(&pk[1], p, NULL, false, &err), DH_OK);
    snprintf(p, sizeof p, "%s/a-school.pub", dir);
    assert_int_equal(dh_sig_public_write(&pk[0], p, NULL, false, &err), DH_OK);
    snprintf(p, sizeof p, "%s/c-copy.pub", dir);
    assert_int_equal(dh_sig_public_write(&pk[0], p, NULL, false, &err), DH_OK); /* a repeat */
    snprintf(p, sizeof p, "%s/d-bad.pub", dir);
    spit(p, "not a key\n", 10);
    snprintf(p, sizeof p, "%s/readme.txt", dir);
    spit(p, "ignored\n", 8);
    dh_TrustedKeys t;
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_trusted_load(&t, dir, &d, &err), DH_OK);
    assert_int_equal(t.n, 2);
    assert_string_equal(t.names[0], "a-school.pub");
    assert_string_equal(t.names[1], "b-instructor.pub");
    assert_int_equal(dh_kiosk_trusted_find(&t, pk[1].keyid), 1);
    assert_int_equal(dh_kiosk_trusted_find(&t, pk[2].keyid), -1);
    assert_int_equal(d.warnings, 2); /* the repeat and the bad file */
    dh_kiosk_trusted_free(&t);
    dh_diags_free(&d);

    /* a key list file: bare lines, whole .pub files, comments */
    char b64[3][DH_SIG_PUBLIC_B64], list[1024];
    for (int i = 0; i < 3; i++) dh_sig_public_base64(&pk[i], b64[i]);
    int n = snprintf(list, sizeof list,
                     "# keys this kiosk trusts\n%s\n\nuntrusted comment: minisign public key\n%s\r\n"
                     "garbage\n  %s  \n",
                     b64[0], b64[1], b64[2]);
    snprintf(p, sizeof p, "%s/trusted.txt", root);
    spit(p, list, (size_t)n);
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_trusted_load(&t, p, &d, &err), DH_OK);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.names[0], "trusted.txt:2");
    assert_string_equal(t.names[2], "trusted.txt:7");
    assert_int_equal(d.warnings, 1);
    assert_int_equal(d.items[0].line, 6);
    dh_kiosk_trusted_free(&t);
    dh_diags_free(&d);

    /* nothing there: no keys, a warning, not an error */
    snprintf(p, sizeof p, "%s/none", root);
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_trusted_load(&t, p, &d, &err), DH_OK);
    assert_int_equal(t.n, 0);
    assert_int_equal(d.warnings, 1);
    assert_non_null(strstr(d.items[0].msg, "no course package is approved"));
    dh_kiosk_trusted_free(&t);
    dh_diags_free(&d);
    for (int i = 0; i < 3; i++) dh_sig_secret_wipe(&sk[i]);
}


/* Out of memory at every allocation of loading the configuration and the
 * trusted keys: ENOMEM or success, never a crash or a leak (ASan). */
static void test_kiosk_config_allocation_failures(void **state)
{
    (void)state;
    dh_Kiosk k;
    dh_Error err = {0};
    assert_int_equal(dh_kiosk_open(&k, root, &err), DH_OK);
    dh_kiosk_wipe(&k);
    dh_PublicKey pk;
    dh_SecretKey sk;
    assert_int_equal(dh_sig_keygen(&pk, &sk, &err), DH_OK);
    char dir[600], p[700];
    snprintf(dir, sizeof dir, "%s/trusted-keys", root);
    mkdir(dir, 0755);
    snprintf(p, sizeof p, "%s/a.pub", dir);
    assert_int_equal(dh_sig_public_write(&pk, p, NULL, false, &err), DH_OK);
    long n = 1;
    for (;; n++) {
        dh_KioskConfig c;
        dh_TrustedKeys t;
        dh_Diags d;
        dh_diags_init(&d);
        dh_alloc_fail_after(n);
        dh_Status st = dh_kiosk_config_load(&c, root, &d, &err);
        if (st == DH_OK) st = dh_kiosk_trusted_load(&t, c.trusted_path, &d, &err);
        long used = dh_alloc_count();
        dh_alloc_fail_after(0);
        if (st == DH_OK) {
            assert_int_equal(t.n, 1);
            dh_kiosk_trusted_free(&t);
        }
        dh_diags_free(&d);
        if (st != DH_OK && st != DH_ENOMEM) fail_msg("run %ld: status %d '%s'", n, st, err.msg);
        if (st == DH_OK && used < n) break;
        assert_true(n < 2000);
    }
    assert_true(n > 5);
    dh_sig_secret_wipe(&sk);
}

int main(void)
{
    dh_alloc_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kiosk_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_key_with_minisign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_allocation_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_trusted_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_config_allocation_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
