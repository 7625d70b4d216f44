/* test_install: installing course packages from a folder (install.c).
 *
 * A stick holds a good package, an unsigned one, a tampered one, one signed
 * by a key the kiosk does not trust and one whose course has errors; only
 * the good one may be installed, and each other one must say why not. An
 * install copies zip and signature into DATA/packages and the copy
 * verifies; a package changed between the scan and the install is refused
 * with nothing left behind; a new version lands beside the old one, which
 * stays while a trainee is in the middle of it and goes afterwards.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "admin.h"
#include "alloc.h"
#include "install.h"
#include "kiosk.h"
#include "package.h"
#include "signature.h"
#include "store_fixture.h"
#include "zip.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1800000000000LL

static dh_PublicKey pk[2];
static dh_SecretKey sk[2];

/* A small course that loads without errors, packed like drillhall-pack
 * packs (with a manifest); `broken` names a lesson file that is missing. */
static void make_course(const char *path, const char *id, const char *version, const char *title,
                        bool broken)
{
    char course[1024];
    snprintf(course, sizeof course,
             "{\"format\": 1, \"id\": \"%s\", \"version\": \"%s\", \"title\": \"%s\", "
             "\"description\": \"A test course.\", \"languages\": [\"en\"], "
             "\"moveOn\": \"Completed\", \"modules\": [{\"id\": \"intro\", \"kind\": \"lesson\", "
             "\"file\": \"lessons/%s.json\", \"required\": true}]}",
             id, version, title, broken ? "missing" : "intro");
    const char *lesson = "{\"title\": \"Intro\", \"pages\": [{\"blocks\": [{\"type\": \"paragraph\", "
                         "\"text\": \"Hello.\"}]}]}";
    dh_ZipWriteEntry e[3] = {{"course.json", course, strlen(course)},
                             {"lessons/intro.json", lesson, strlen(lesson)}};
    char *manifest;
    size_t mlen;
    dh_Error err = {0};
    assert_int_equal(dh_package_manifest(e, 2, "test", id, version, &manifest, &mlen, &err), DH_OK);
    e[2] = (dh_ZipWriteEntry){DH_PKG_MANIFEST, manifest, mlen};
    assert_int_equal(dh_zip_write(path, e, 3, &err), DH_OK);
    dh_free(manifest);
}

static void sign(const char *path, int key)
{
    dh_Error err = {0};
    assert_int_equal(dh_sig_sign_file(path, &sk[key], NULL, NULL, NULL, &err), DH_OK);
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Files in dir (hidden ones included), excluding . and .. */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    closedir(d);
    return n;
}

static dh_TrustedKeys trust_first(void)
{
    char dir[600], pub[700];
    snprintf(dir, sizeof dir, "%s/trusted", root);
    mkdir(dir, 0700);
    snprintf(pub, sizeof pub, "%s/instructor.pub", dir);
    dh_Error err = {0};
    assert_int_equal(dh_sig_public_write(&pk[0], pub, NULL, true, &err), DH_OK);
    dh_TrustedKeys t;
    dh_Diags d;
    dh_diags_init(&d);
    assert_int_equal(dh_kiosk_trusted_load(&t, dir, &d, &err), DH_OK);
    assert_int_equal(t.n, 1);
    dh_diags_free(&d);
    return t;
}

static const dh_InstallItem *find(const dh_InstallList *l, const char *file)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].file, file)) return &l->items[i];
    fail_msg("no item %s", file);
    return NULL;
}

static int setup_keys(void **state)
{
    dh_Error err = {0};
    for (int i = 0; i < 2; i++)
        if (dh_sig_keygen(&pk[i], &sk[i], &err) != DH_OK) return -1;
    return setup(state);
}

static void test_scan_and_install(void **state)
{
    (void)state;
    char stick[600], pkgs[600], p[800];
    snprintf(stick, sizeof stick, "%s/stick", root);
    snprintf(pkgs, sizeof pkgs, "%s/data/packages", root);
    mkdir(stick, 0700);
    snprintf(p, sizeof p, "%s/good.zip", stick);
    make_course(p, "org.test.good", "1.0.0", "Good course", false);
    sign(p, 0);
    snprintf(p, sizeof p, "%s/unsigned.zip", stick);
    make_course(p, "org.test.unsigned", "1.0.0", "Unsigned course", false);
    snprintf(p, sizeof p, "%s/tampered.zip", stick);
    make_course(p, "org.test.tampered", "1.0.0", "Tampered course", false);
    sign(p, 0);
    make_course(p, "org.test.tampered", "1.0.0", "Tampered course!", false); /* changed after signing */
    snprintf(p, sizeof p, "%s/stranger.zip", stick);
    make_course(p, "org.test.stranger", "1.0.0", "Stranger", false);
    sign(p, 1);
    snprintf(p, sizeof p, "%s/broken.zip", stick);
    make_course(p, "org.test.broken", "1.0.0", "Broken", true);
    sign(p, 0);
    snprintf(p, sizeof p, "%s/notazip.zip", stick);
    spit(p, "hello", 5);
    sign(p, 0); /* signed by a trusted key, but not a package */
    snprintf(p, sizeof p, "%s/.hidden.zip", stick);
    spit(p, "hello", 5);

    dh_TrustedKeys keys = trust_first();
    dh_InstallList l;
    dh_Error err = {0};
    assert_int_equal(dh_install_scan(&l, stick, pkgs, &keys, &err), DH_OK);
    assert_int_equal(l.n, 6);
    assert_string_equal(l.items[0].file, "broken.zip"); /* sorted, hidden skipped */

    const dh_InstallItem *good = find(&l, "good.zip");
    assert_int_equal(good->state, DH_INSTALL_NEW);
    assert_string_equal(good->course_id, "org.test.good");
    assert_string_equal(good->version, "1.0.0");
    assert_string_equal(good->title, "Good course");
    assert_int_equal(good->signer.trust, DH_TRUST_SIGNED);
    assert_string_equal(good->signer_name, "instructor.pub");
    char hex[DH_SIG_KEYID_HEX];
    assert_string_equal(good->signer.keyid, dh_sig_keyid_hex(pk[0].keyid, hex));

    const dh_InstallItem *it = find(&l, "unsigned.zip");
    assert_int_equal(it->state, DH_INSTALL_REFUSED);
    assert_string_equal(it->course_id, "org.test.unsigned"); /* shown, not trusted */
    assert_non_null(strstr(it->problem, "not approved (unsigned)"));
    it = find(&l, "tampered.zip");
    assert_int_equal(it->state, DH_INSTALL_REFUSED);
    assert_int_equal(it->signer.trust, DH_TRUST_INVALID);
    assert_non_null(strstr(it->problem, "not approved (signature invalid)"));
    it = find(&l, "stranger.zip");
    assert_int_equal(it->signer.trust, DH_TRUST_UNKNOWN_KEY);
    assert_non_null(strstr(it->problem, "not in this kiosk's list of trusted keys"));
    it = find(&l, "broken.zip");
    assert_int_equal(it->state, DH_INSTALL_REFUSED);
    assert_int_equal(it->signer.trust, DH_TRUST_SIGNED);
    assert_non_null(strstr(it->problem, "the course has 1 error; the first: course.json:"));
    it = find(&l, "notazip.zip");
    assert_int_equal(it->state, DH_INSTALL_REFUSED);
    assert_non_null(strstr(it->problem, "cannot be opened"));

    /* install the good one */
    char data[600];
    snprintf(data, sizeof data, "%s/data", root);
    dh_Store *s = open_ok(data, NULL);
    dh_InstallResult res;
    assert_int_equal(dh_install_one(good, pkgs, &keys, s, T0, &res, &err), DH_OK);
    assert_true(res.installed);
    char want[800], sig[900];
    snprintf(want, sizeof want, "%s/org.test.good-1.0.0.zip", pkgs);
    assert_string_equal(res.dest, want);
    snprintf(sig, sizeof sig, "%s.minisig", want);
    assert_true(exists(sig));
    assert_int_equal(count_files(pkgs), 2); /* no temporary file left */
    /* the installed copy is approved as the player checks it */
    dh_Package *pkg;
    dh_PackageSigner who;
    assert_int_equal(dh_package_open_verified(&pkg, want, NULL, keys.keys, keys.n, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_SIGNED);
    dh_package_close(pkg);
    /* refused ones cannot be installed, and the refusal is logged */
    expect(dh_install_one(find(&l, "tampered.zip"), pkgs, &keys, s, T0, &res, &err), DH_EINVAL, &err,
           "cannot be installed");
    assert_int_equal(count_files(pkgs), 2);
    dh_install_list_free(&l);

    /* a second scan knows it is installed */
    assert_int_equal(dh_install_scan(&l, stick, pkgs, &keys, &err), DH_OK);
    good = find(&l, "good.zip");
    assert_int_equal(good->state, DH_INSTALL_SAME);
    assert_string_equal(good->installed_version, "1.0.0");
    dh_install_list_free(&l);

    /* the same version with other content is refused; so is an older one */
    snprintf(p, sizeof p, "%s/good.zip", stick);
    make_course(p, "org.test.good", "1.0.0", "Good course, edited", false);
    sign(p, 0);
    snprintf(p, sizeof p, "%s/old.zip", stick);
    make_course(p, "org.test.good", "0.9.0", "Good course", false);
    sign(p, 0);
    assert_int_equal(dh_install_scan(&l, stick, pkgs, &keys, &err), DH_OK);
    it = find(&l, "good.zip");
    assert_int_equal(it->state, DH_INSTALL_REFUSED);
    assert_non_null(strstr(it->problem, "installed already with different content"));
    it = find(&l, "old.zip");
    assert_int_equal(it->state, DH_INSTALL_REFUSED);
    assert_non_null(strstr(it->problem, "older than the installed version 1.0.0"));
    dh_install_list_free(&l);

    /* the log has the install with its signer, and the refusal */
    char dbp[700];
    snprintf(dbp, sizeof dbp, "%s/progress.db", data);
    dh_store_close(s);
    sqlite3 *raw = raw_open(dbp);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM admin_log WHERE action = 'install' AND "
                                  "outcome = 'ok' AND detail LIKE 'good.zip: installed org.test.good "
                                  "1.0.0 as org.test.good-1.0.0.zip, signed by key %(instructor.pub)'"),
                     1);
    assert_int_equal(raw_int(raw, "SELECT count(*) FROM admin_log WHERE action = 'install' AND "
                                  "outcome = 'refused'"),
                     1);
    sqlite3_close(raw);
    dh_kiosk_trusted_free(&keys);
}

/* The medium changes between the scan and the install: nothing installed. */
static void test_changed_after_scan(void **state)
{
    (void)state;
    char stick[600], pkgs[600], p[800];
    snprintf(stick, sizeof stick, "%s/stick", root);
    snprintf(pkgs, sizeof pkgs, "%s/packages", root);
    mkdir(stick, 0700);
    snprintf(p, sizeof p, "%s/course.zip", stick);
    make_course(p, "org.test.swap", "1.0.0", "Swap", false);
    sign(p, 0);
    dh_TrustedKeys keys = trust_first();
    dh_InstallList l;
    dh_Error err = {0};
    assert_int_equal(dh_install_scan(&l, stick, pkgs, &keys, &err), DH_OK);
    assert_int_equal(l.items[0].state, DH_INSTALL_NEW);
    make_course(p, "org.test.swap", "1.0.0", "Swapped", false); /* signature now stale */
    dh_Store *s = open_ok(root, NULL);
    dh_InstallResult res;
    expect(dh_install_one(&l.items[0], pkgs, &keys, s, T0, &res, &err), DH_ESIG, &err,
           "changed since it was checked");
    assert_false(res.installed);
    assert_int_equal(count_files(pkgs), 0);
    /* signed again, but now it is another version than the one chosen */
    make_course(p, "org.test.swap", "1.0.1", "Swapped", false);
    sign(p, 0);
    expect(dh_install_one(&l.items[0], pkgs, &keys, s, T0, &res, &err), DH_ESIG, &err,
           "it is now org.test.swap 1.0.1");
    assert_int_equal(count_files(pkgs), 0);
    dh_install_list_free(&l);
    /* the medium removed */
    snprintf(p, sizeof p, "%s/nowhere", root);
    expect(dh_install_scan(&l, p, pkgs, &keys, &err), DH_ENOTFOUND, &err, "is the medium plugged in?");
    assert_int_equal(l.n, 0);
    dh_install_list_free(&l);
    dh_store_close(s);
    dh_kiosk_trusted_free(&keys);
}

/* One visit, two files of the same course version with different content:
 * both look new at the scan, but the second never overwrites the first.
 * And a file that became a FIFO (or a link to one) after the scan is
 * refused instead of hanging or filling the disk. */
static void test_never_overwrites(void **state)
{
    (void)state;
    char stick[600], pkgs[600], a[800], b[800];
    snprintf(stick, sizeof stick, "%s/stick2", root);
    snprintf(pkgs, sizeof pkgs, "%s/packages2", root);
    mkdir(stick, 0700);
    snprintf(a, sizeof a, "%s/a.zip", stick);
    snprintf(b, sizeof b, "%s/b.zip", stick);
    make_course(a, "org.test.twin", "1.0.0", "Twin A", false);
    make_course(b, "org.test.twin", "1.0.0", "Twin B", false);
    sign(a, 0);
    sign(b, 0);
    dh_TrustedKeys keys = trust_first();
    dh_InstallList l;
    dh_Error err = {0};
    assert_int_equal(dh_install_scan(&l, stick, pkgs, &keys, &err), DH_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.items[0].state, DH_INSTALL_NEW);
    assert_int_equal(l.items[1].state, DH_INSTALL_NEW);
    dh_Store *s = open_ok(root, NULL);
    dh_InstallResult res;
    assert_int_equal(dh_install_one(&l.items[0], pkgs, &keys, s, T0, &res, &err), DH_OK);
    char installed[sizeof res.dest];
    snprintf(installed, sizeof installed, "%s", res.dest);
    expect(dh_install_one(&l.items[1], pkgs, &keys, s, T0, &res, &err), DH_EUNSAFE, &err,
           "already exists; nothing was installed");
    assert_int_equal(count_files(pkgs), 2); /* the first install, untouched, and no temporary file */
    dh_Package *pkg;
    dh_PackageSigner who;
    assert_int_equal(dh_package_open_verified(&pkg, installed, NULL, keys.keys, keys.n, &who, &err), DH_OK);
    assert_int_equal(who.trust, DH_TRUST_SIGNED);
    void *data;
    size_t len;
    assert_int_equal(dh_package_read(pkg, "course.json", DH_PKG_MAX_JSON, &data, &len, &err), DH_OK);
    assert_non_null(strstr(data, "Twin A"));
    dh_free(data);
    dh_package_close(pkg);

    /* the signature swapped for a FIFO after the scan */
    char sig[900];
    snprintf(sig, sizeof sig, "%s.minisig", b);
    assert_int_equal(unlink(sig), 0);
    assert_int_equal(mkfifo(sig, 0600), 0);
    expect(dh_install_one(&l.items[1], pkgs, &keys, s, T0, &res, &err), DH_EUNSAFE, &err,
           "is not a regular file");
    assert_int_equal(count_files(pkgs), 2);
    dh_install_list_free(&l);
    dh_store_close(s);
    dh_kiosk_trusted_free(&keys);
}

/* A new version supersedes the old one, which stays while a trainee is in it. */
static void test_supersede(void **state)
{
    (void)state;
    char stick[600], pkgs[600], p[800], old_zip[DH_STORE_PATH_MAX];
    snprintf(stick, sizeof stick, "%s/stick", root);
    snprintf(pkgs, sizeof pkgs, "%s/packages", root);
    mkdir(stick, 0700);
    snprintf(p, sizeof p, "%s/v1.zip", stick);
    make_course(p, "org.test.up", "1.0.0", "Up", false);
    sign(p, 0);
    dh_TrustedKeys keys = trust_first();
    dh_Store *s = open_ok(root, NULL);
    dh_InstallList l;
    dh_InstallResult res;
    dh_Error err = {0};
    assert_int_equal(dh_install_scan(&l, stick, pkgs, &keys, &err), DH_OK);
    assert_int_equal(dh_install_one(&l.items[0], pkgs, &keys, s, T0, &res, &err), DH_OK);
    snprintf(old_zip, sizeof old_zip, "%s", res.dest);
    dh_install_list_free(&l);

    /* a trainee is in the middle of 1.0.0 */
    make_trainee(s, "T1");
    dh_Enrolment e;
    assert_int_equal(dh_store_enrol(s, "T1", "org.test.up", "1.0.0", &e, &err), DH_OK);
    dh_AttemptProgress ap = {DH_PROGRESS_IN_PROGRESS, false, 0, 10};
    dh_StoreChange ch = {e.registration, NULL, 0, &ap, NULL, 0};
    assert_int_equal(dh_store_commit(s, &ch, &err), DH_OK);

    unlink(p);
    char sigp[900];
    snprintf(sigp, sizeof sigp, "%s.minisig", p);
    unlink(sigp);
    snprintf(p, sizeof p, "%s/v2.zip", stick);
    make_course(p, "org.test.up", "1.1.0", "Up", false);
    sign(p, 0);
    assert_int_equal(dh_install_scan(&l, stick, pkgs, &keys, &err), DH_OK);
    assert_int_equal(l.items[0].state, DH_INSTALL_UPGRADE);
    assert_string_equal(l.items[0].installed_version, "1.0.0");
    assert_int_equal(dh_install_one(&l.items[0], pkgs, &keys, s, T0, &res, &err), DH_OK);
    assert_int_equal(res.kept, 1);
    assert_int_equal(res.removed, 0);
    assert_non_null(strstr(res.note, "1 older version kept until the trainees in the middle of it finish"));
    assert_true(exists(old_zip)); /* alongside */
    assert_int_equal(count_files(pkgs), 4);
    dh_install_list_free(&l);

    /* nothing to prune while the attempt is unfinished */
    int removed, kept;
    assert_int_equal(dh_install_prune(pkgs, s, NULL, &removed, &kept, &err), DH_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(kept, 1);
    /* the trainee finishes: the old version goes, the new one stays */
    ap.status = DH_PROGRESS_COMPLETED;
    assert_int_equal(dh_store_commit(s, &ch, &err), DH_OK);
    assert_int_equal(dh_install_prune(pkgs, s, "org.test.up", &removed, &kept, &err), DH_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(kept, 0);
    assert_false(exists(old_zip));
    assert_int_equal(count_files(pkgs), 2);
    dh_Installed *in;
    int n;
    assert_int_equal(dh_install_installed(pkgs, &in, &n, &err), DH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(in[0].version, "1.1.0");
    dh_free(in);
    dh_store_close(s);
    dh_kiosk_trusted_free(&keys);
}

static void test_semver(void **state)
{
    (void)state;
    int a[3] = {1, 2, 3}, b[3] = {1, 10, 0}, c[3] = {1, 2, 3};
    assert_int_equal(dh_install_semver_cmp(a, b), -1);
    assert_int_equal(dh_install_semver_cmp(b, a), 1);
    assert_int_equal(dh_install_semver_cmp(a, c), 0);
}


/* Out of memory at every allocation of a scan and an install: ENOMEM or
 * success, never a crash, a leak (ASan) or a half-installed package. */
static void test_allocation_failures(void **state)
{
    (void)state;
    char stick[600], p[800];
    snprintf(stick, sizeof stick, "%s/stick", root);
    mkdir(stick, 0700);
    snprintf(p, sizeof p, "%s/good.zip", stick);
    make_course(p, "org.test.oom", "1.0.0", "OOM", false);
    sign(p, 0);
    snprintf(p, sizeof p, "%s/plain.zip", stick);
    make_course(p, "org.test.plain", "1.0.0", "Plain", false);
    dh_TrustedKeys keys = trust_first();
    dh_Store *s = open_ok(root, NULL);
    long n = 1;
    for (;; n++) {
        char pkgs[700];
        snprintf(pkgs, sizeof pkgs, "%s/packages%ld", root, n);
        dh_InstallList l;
        dh_InstallResult res;
        dh_Error err = {0};
        dh_alloc_fail_after(n);
        dh_Status st = dh_install_scan(&l, stick, pkgs, &keys, &err);
        if (st == DH_OK) {
            const dh_InstallItem *good = find(&l, "good.zip");
            st = dh_install_one(good, pkgs, &keys, s, T0, &res, &err);
        }
        long used = dh_alloc_count();
        dh_alloc_fail_after(0);
        dh_install_list_free(&l);
        if (st != DH_OK && st != DH_ENOMEM) fail_msg("run %ld: status %d '%s'", n, st, err.msg);
        /* installed, or nothing at all in the packages folder */
        assert_int_equal(count_files(pkgs), st == DH_OK ? 2 : 0);
        if (st == DH_OK && used < n) break;
        assert_true(n < 20000);
    }
    assert_true(n > 20);
    dh_store_close(s);
    dh_kiosk_trusted_free(&keys);
}

int main(void)
{
    dh_alloc_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semver),
        cmocka_unit_test_setup_teardown(test_scan_and_install, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_never_overwrites, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_changed_after_scan, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_supersede, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_allocation_failures, setup_keys, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
