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

int main(void)
{
    dh_alloc_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kiosk_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_key_with_minisign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_allocation_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
