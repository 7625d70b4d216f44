/* test_export: a kiosk's journal out to a signed bundle, and back in.
 *
 * Every file of a bundle written from a store fixture is checked against
 * what it must hold (the journal texts in order, the summary row by row,
 * the manifest's counts and hashes, the signature over the manifest); then
 * the incremental rules (new statements only, nothing new writes nothing,
 * --all takes everything and marks it again), and the failures that must
 * leave no trace: a folder the process may not write to, a medium that
 * stops taking bytes half-way (RLIMIT_FSIZE in a child: write() fails
 * mid-file exactly as on a full stick), every allocation failing in turn,
 * a cancelled export. Finally the bundle reader of drillhall-records must
 * accept the bundle and refuse each kind of tampering.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "bundle.h"
#include "csv.h"
#include "export.h"
#include "kiosk.h"
#include "store_fixture.h"

#include <dirent.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOW 1795846500000LL /* 2026-11-28T06:15:00Z */

typedef struct Kit {
    dh_Store *store;
    dh_Kiosk kiosk;
    char out[300];
    dh_Enrolment e1, e2;
} Kit;

static void kit_open(Kit *k)
{
    dh_Error err;
    memset(k, 0, sizeof *k);
    if (dh_kiosk_open(&k->kiosk, root, &err) != DH_OK) fail_msg("kiosk: %s", err.msg);
    k->store = open_ok(root, NULL);
    in_root(k->out, sizeof k->out, "stick");
    assert_int_equal(mkdir(k->out, 0755), 0);
    make_trainee(k->store, "SN-1");
    /* a name and a unit a spreadsheet would take for a formula, with quotes and commas */
    dh_Trainee t = {0};
    snprintf(t.id, sizeof t.id, "SN-2");
    snprintf(t.name, sizeof t.name, "=HYPERLINK(\"x\")");
    snprintf(t.unit, sizeof t.unit, "Ops, \"J6\"");
    snprintf(t.nation, sizeof t.nation, "TH");
    assert_int_equal(dh_store_trainee_create(k->store, &t, NULL, &err), DH_OK);
    k->e1 = enrol_ok(k->store, "SN-1");
    k->e2 = enrol_ok(k->store, "SN-2");
}

static void kit_close(Kit *k)
{
    dh_store_close(k->store);
    dh_kiosk_wipe(&k->kiosk);
}

/* answers first..last alternately by the two trainees */
static void answers(Kit *k, long first, long last)
{
    dh_Error err;
    for (long i = first; i <= last; i++)
        if (commit_answer(k->store, i % 2 ? k->e1.registration : k->e2.registration, i, 16, &err))
            fail_msg("commit: %s", err.msg);
}

static dh_Status export(Kit *k, bool all, int64_t now, dh_ExportResult *res, dh_Error *err)
{
    dh_ExportOptions o = {.out_dir = k->out, .all = all, .programme = "https://programme.example/cyber",
                          .now_ms = now};
    return dh_export_bundle(k->store, &k->kiosk, &o, res, err);
}

static int64_t unexported(Kit *k)
{
    dh_StatementQuery q = {.unexported = true};
    int64_t n = -1;
    dh_Error err;
    assert_int_equal(dh_store_statements_count(k->store, &q, &n, NULL, &err), DH_OK);
    return n;
}

/* Entries of dir (hidden ones too), "." and ".." left out. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static char *file_in(const char *dir, const char *name, size_t *len)
{
    char path[DH_STORE_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = (char *)slurp(path, len);
    if (!s) fail_msg("%s is missing", path);
    return s;
}

static void sha_hex(const void *data, size_t len, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

typedef struct Texts {
    char buf[8192];
} Texts;

static dh_Status add_text(const dh_StoredStatement *s, void *ctx, dh_Error *err)
{
    (void)err;
    Texts *t = ctx;
    strcat(t->buf, strlen(t->buf) > 2 ? ",\n" : "\n");
    strncat(t->buf, s->json, sizeof t->buf - strlen(t->buf) - 8);
    return DH_OK;
}

static void test_bundle_files(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    answers(&k, 1, 5);
    dh_ExportResult res;
    dh_Error err;
    assert_int_equal(export(&k, false, NOW, &res, &err), DH_OK);
    assert_true(res.written);
    char want_id[64];
    snprintf(want_id, sizeof want_id, "drillhall-%.8s-20261128T061500Z", k.kiosk.id);
    assert_string_equal(res.export_id, want_id);
    assert_int_equal(res.statements, 5);
    assert_int_equal(res.rows, 2);
    assert_int_equal(res.marked, 5);
    assert_int_equal(res.first_ms, 1);
    assert_int_equal(res.last_ms, 5);
    assert_int_equal(entries(k.out), 1); /* the bundle, no temporary folder left */

    /* statements.json: "[", the journal's texts one per line, "]" */
    Texts t = {"["};
    assert_int_equal(dh_store_statements_each(k.store, NULL, add_text, &t, &err), DH_OK);
    strcat(t.buf, "\n]\n");
    size_t len;
    char *st = file_in(res.path, DH_EXPORT_STATEMENTS, &len);
    assert_int_equal(len, strlen(t.buf));
    assert_memory_equal(st, t.buf, len);

    /* summary.csv: header and one row per trainee and course version */
    char want[2048];
    snprintf(want, sizeof want,
             "trainee_id,name,unit,nation,course_id,version,status,score,passed,completed_at,"
             "time_spent_s,attempts,kiosk_id\r\n"
             "SN-1,Trainee SN-1,,," COURSE "," VERSION ",not attempted,,false,,0,1,%s\r\n"
             "SN-2,\"'=HYPERLINK(\"\"x\"\")\",\"Ops, \"\"J6\"\"\",TH," COURSE "," VERSION
             ",not attempted,,false,,0,1,%s\r\n",
             k.kiosk.id, k.kiosk.id);
    char *csv = file_in(res.path, DH_EXPORT_SUMMARY, &len);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(csv, want, len);

    /* kiosk.pub: the kiosk's own public key */
    char path[DH_STORE_PATH_MAX + 64];
    dh_PublicKey pk;
    snprintf(path, sizeof path, "%s/%s", res.path, DH_EXPORT_KIOSK_PUB);
    assert_int_equal(dh_sig_public_read(&pk, path, &err), DH_OK);
    assert_memory_equal(&pk, &k.kiosk.pk, sizeof pk);
    size_t pub_len;
    char *pub = file_in(res.path, DH_EXPORT_KIOSK_PUB, &pub_len);

    /* manifest.json: every member, and the hash of every file */
    char *man = file_in(res.path, DH_EXPORT_MANIFEST, &len);
    cJSON *m = cJSON_ParseWithLength(man, len);
    assert_non_null(m);
    char keyid[DH_SIG_KEYID_HEX];
    dh_sig_keyid_hex(k.kiosk.pk.keyid, keyid);
    assert_int_equal(cJSON_GetObjectItem(m, "format")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(m, "kind")->valuestring, "kiosk");
    assert_string_equal(cJSON_GetObjectItem(m, "export_id")->valuestring, want_id);
    assert_string_equal(cJSON_GetObjectItem(m, "kiosk_id")->valuestring, k.kiosk.id);
    assert_string_equal(cJSON_GetObjectItem(m, "key_id")->valuestring, keyid);
    assert_string_equal(cJSON_GetObjectItem(m, "programme")->valuestring, "https://programme.example/cyber");
    assert_string_equal(cJSON_GetObjectItem(m, "exported")->valuestring, "2026-11-28T06:15:00.000Z");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "incremental")));
    assert_string_equal(cJSON_GetObjectItem(m, "first_statement")->valuestring, "1970-01-01T00:00:00.001Z");
    assert_string_equal(cJSON_GetObjectItem(m, "last_statement")->valuestring, "1970-01-01T00:00:00.005Z");
    cJSON *counts = cJSON_GetObjectItem(m, "counts");
    assert_int_equal(cJSON_GetObjectItem(counts, "statements")->valueint, 5);
    assert_int_equal(cJSON_GetObjectItem(counts, "summary_rows")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(counts, "trainees")->valueint, 2);
    cJSON *journal = cJSON_GetObjectItem(m, "journal");
    assert_int_equal(cJSON_GetObjectItem(journal, "first_seq")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(journal, "last_seq")->valueint, 5);
    cJSON *files = cJSON_GetObjectItem(m, "files");
    assert_int_equal(cJSON_GetArraySize(files), 3);
    const char *names[] = {DH_EXPORT_STATEMENTS, DH_EXPORT_SUMMARY, DH_EXPORT_KIOSK_PUB};
    const char *data[] = {st, csv, pub};
    size_t lens[] = {strlen(t.buf), strlen(want), pub_len};
    for (int i = 0; i < 3; i++) {
        cJSON *f = cJSON_GetArrayItem(files, i);
        char hex[65];
        sha_hex(data[i], lens[i], hex);
        assert_string_equal(cJSON_GetObjectItem(f, "name")->valuestring, names[i]);
        assert_int_equal(cJSON_GetObjectItem(f, "bytes")->valuedouble, (double)lens[i]);
        assert_string_equal(cJSON_GetObjectItem(f, "sha256")->valuestring, hex);
    }
    cJSON_Delete(m);

    /* manifest.json.minisig: the kiosk key's signature, naming kiosk and export */
    char trusted[1024], want_comment[512];
    snprintf(path, sizeof path, "%s/%s", res.path, DH_EXPORT_MANIFEST);
    assert_int_equal(dh_sig_verify_file(path, NULL, &k.kiosk.pk, trusted, sizeof trusted, &err), DH_OK);
    snprintf(want_comment, sizeof want_comment,
             "timestamp:1795846500\tfile:manifest.json\tkiosk:%s\texport:%s", k.kiosk.id, want_id);
    assert_string_equal(trusted, want_comment);

    /* the journal knows which export took its statements */
    assert_int_equal(unexported(&k), 0);
    free(st);
    free(csv);
    free(pub);
    free(man);
    kit_close(&k);
}

static void test_incremental(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    dh_Error err;
    dh_ExportResult a, b, c, d;
    answers(&k, 1, 5);
    assert_int_equal(export(&k, false, NOW, &a, &err), DH_OK);
    answers(&k, 6, 8);
    assert_int_equal(unexported(&k), 3);
    /* the same second: a second name, not a failure */
    assert_int_equal(export(&k, false, NOW, &b, &err), DH_OK);
    assert_true(b.written);
    assert_int_equal(b.statements, 3);
    assert_int_equal(b.first_ms, 6);
    char want[160];
    snprintf(want, sizeof want, "%s-2", a.export_id);
    assert_string_equal(b.export_id, want);
    size_t len;
    char *man = file_in(b.path, DH_EXPORT_MANIFEST, &len);
    assert_non_null(strstr(man, "\"journal\": {\"first_seq\": 6, \"last_seq\": 8}"));
    free(man);
    /* nothing new: nothing written, and it says so */
    assert_int_equal(export(&k, false, NOW + 1000, &c, &err), DH_OK);
    assert_false(c.written);
    assert_string_equal(c.path, "");
    assert_int_equal(entries(k.out), 2);
    /* --all: everything again; the marks of earlier exports stay, a new
     * statement is marked with this one */
    answers(&k, 9, 9);
    assert_int_equal(export(&k, true, NOW + 2000, &d, &err), DH_OK);
    assert_true(d.written);
    assert_int_equal(d.statements, 9);
    assert_int_equal(d.marked, 1);
    assert_int_equal(unexported(&k), 0);
    man = file_in(d.path, DH_EXPORT_MANIFEST, &len);
    assert_non_null(strstr(man, "\"incremental\": false"));
    assert_non_null(strstr(man, "\"journal\": {\"first_seq\": 1, \"last_seq\": 9}"));
    free(man);
    assert_int_equal(entries(k.out), 3);
    kit_close(&k);
}

/* An empty journal: --all still writes a bundle (an empty array carries the
 * summary); incremental writes nothing. */
static void test_empty(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    dh_Error err;
    dh_ExportResult r;
    assert_int_equal(export(&k, false, NOW, &r, &err), DH_OK);
    assert_false(r.written);
    assert_int_equal(entries(k.out), 0);
    assert_int_equal(export(&k, true, NOW, &r, &err), DH_OK);
    assert_true(r.written);
    size_t len;
    char *st = file_in(r.path, DH_EXPORT_STATEMENTS, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(st, "[]\n", 3);
    free(st);
    char *man = file_in(r.path, DH_EXPORT_MANIFEST, &len);
    assert_non_null(strstr(man, "\"first_statement\": null"));
    free(man);
    dh_Bundle *b;
    assert_int_equal(dh_bundle_open(&b, r.path, NULL, true, &err), DH_OK);
    assert_int_equal(dh_bundle_info(b)->statements, 0);
    dh_bundle_close(b);
    kit_close(&k);
}

/* Run fn(k) in a child process that exits with the dh_Status it returned
 * (after checking its message contains part): what the child does to the
 * process (resource limits, user id) does not leak into the other tests. */
static void in_child(Kit *k, void (*prepare)(Kit *), dh_Status want, const char *part)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prepare(k);
        dh_ExportResult r;
        dh_Error err;
        dh_Status s = export(k, true, NOW, &r, &err);
        if (s == want && (!part || strstr(err.msg, part)) && !r.written) _exit(0);
        fprintf(stderr, "child: status %d, '%s'\n", s, err.msg);
        _exit(1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* The medium takes no more than 2 KiB per file: write() fails part-way
 * through statements.json, as on a full stick. */
static void limit_file_size(Kit *k)
{
    (void)k;
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {2048, 2048};
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(2);
}

static void test_medium_fails_midway(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    answers(&k, 1, 40); /* some 8 KiB of statements */
    in_child(&k, limit_file_size, DH_EIO, "nothing was written and no statement was marked");
    assert_int_equal(entries(k.out), 0); /* no bundle, no temporary folder */
    assert_int_equal(unexported(&k), 40);
    kit_close(&k);
}

/* A folder this process may not write to. Root may write anywhere, so as
 * root the child first becomes nobody. */
static void read_only_folder(Kit *k)
{
    if (chmod(k->out, 0555) != 0) _exit(2);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
}

static void test_read_only_folder(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    answers(&k, 1, 3);
    in_child(&k, read_only_folder, DH_EIO, "permission denied");
    assert_int_equal(chmod(k.out, 0755), 0);
    assert_int_equal(entries(k.out), 0);
    assert_int_equal(unexported(&k), 3);
    kit_close(&k);
}

static void test_bad_options(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    answers(&k, 1, 2);
    dh_Error err;
    dh_ExportResult r;
    dh_ExportOptions o = {.out_dir = "/nonexistent/stick", .now_ms = NOW};
    expect(dh_export_bundle(k.store, &k.kiosk, &o, &r, &err), DH_EIO, &err, "no such folder");
    char file[300];
    spit(in_root(file, sizeof file, "plain-file"), "x", 1);
    o.out_dir = file;
    expect(dh_export_bundle(k.store, &k.kiosk, &o, &r, &err), DH_EINVAL, &err, "not a folder");
    o.out_dir = k.out;
    o.programme = "not an iri";
    expect(dh_export_bundle(k.store, &k.kiosk, &o, &r, &err), DH_EINVAL, &err, "not an IRI");
    o.programme = NULL;
    o.now_ms = -1;
    expect(dh_export_bundle(k.store, &k.kiosk, &o, &r, &err), DH_EINVAL, &err, "not a date");
    assert_int_equal(unexported(&k), 2);
    kit_close(&k);
}

typedef struct Progress {
    int calls;
    int64_t last_done, last_total;
    int stop_after;
    dh_Store *other;     /* another connection committing during the export */
    const char *registration;
} Progress;

static bool on_progress(int64_t done, int64_t total, void *ctx)
{
    Progress *p = ctx;
    p->calls++;
    if (p->other && p->calls == 1) {
        /* the player goes on working while the export runs (WAL) */
        dh_Error err;
        if (commit_answer(p->other, p->registration, 2501, 16, &err) != DH_OK) fail_msg("%s", err.msg);
    }
    p->last_done = done;
    p->last_total = total;
    return p->calls != p->stop_after;
}

static void test_progress_and_cancel(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    answers(&k, 1, 2500);
    dh_Error err;
    dh_ExportResult r;
    Progress p = {.stop_after = 2};
    dh_ExportOptions o = {.out_dir = k.out, .now_ms = NOW, .progress = on_progress, .progress_ctx = &p};
    expect(dh_export_bundle(k.store, &k.kiosk, &o, &r, &err), DH_EINVAL, &err, "cancelled");
    assert_int_equal(p.last_done, 2000);
    assert_int_equal(entries(k.out), 0);
    assert_int_equal(unexported(&k), 2500);
    /* a trainee's answer committed meanwhile is neither in the bundle nor
     * marked: the export reads one snapshot */
    p = (Progress){.other = open_ok(root, NULL), .registration = k.e1.registration};
    assert_int_equal(dh_export_bundle(k.store, &k.kiosk, &o, &r, &err), DH_OK);
    assert_int_equal(p.calls, 3); /* 1000, 2000, 2500 */
    assert_int_equal(p.last_done, 2500);
    assert_int_equal(p.last_total, 2500);
    assert_int_equal(r.statements, 2500);
    assert_int_equal(unexported(&k), 1);
    dh_store_close(p.other);
    kit_close(&k);
}

/* Every allocation of an export failing in turn: the export fails cleanly
 * (nothing left on the medium, nothing marked) or succeeds completely. */
static void test_out_of_memory(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    answers(&k, 1, 4);
    bool done = false;
    long n;
    int marks_failed = 0;
    for (n = 1; !done && n < 5000; n++) {
        dh_Error err;
        dh_ExportResult r;
        dh_alloc_fail_after(n);
        dh_Status s = export(&k, false, NOW, &r, &err);
        dh_alloc_fail_after(0);
        if (s == DH_OK) {
            assert_true(r.written);
            done = true;
            break;
        }
        if (r.written) {
            /* written, but the marks failed: the bundle is whole and nothing is marked,
             * so the next export repeats those statements */
            assert_non_null(strstr(err.msg, "was written and is valid"));
            dh_Bundle *b;
            dh_Error e2;
            if (dh_bundle_open(&b, r.path, NULL, true, &e2) != DH_OK) fail_msg("%ld: %s", n, e2.msg);
            dh_bundle_close(b);
            assert_int_equal(unexported(&k), 4);
            char cmd[DH_STORE_PATH_MAX + 32];
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", r.path);
            assert_int_equal(system(cmd), 0);
            marks_failed++;
            continue;
        }
        if (entries(k.out) != 0) fail_msg("allocation %ld left something behind (%s)", n, err.msg);
        if (unexported(&k) != 4) fail_msg("allocation %ld marked statements (%s)", n, err.msg);
    }
    assert_true(done);
    assert_int_equal(unexported(&k), 0);
    assert_true(n > 20); /* the loop really went through allocations */
    assert_true(marks_failed > 0); /* and through the marking after the rename */
    kit_close(&k);
}

/* ---- the bundle as drillhall-records reads it ----------------------------------- */

static void corrupt(const char *dir, const char *name, long at, char byte)
{
    char path[DH_STORE_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    unsigned char *d = slurp(path, &len);
    assert_non_null(d);
    d[at < 0 ? (long)len + at : at] = (unsigned char)byte;
    spit(path, d, len);
    free(d);
}

static void copy_tree(const char *from, const char *to)
{
    char cmd[3 * DH_STORE_PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", to, from, to);
    assert_int_equal(system(cmd), 0);
}

static void expect_open(const char *dir, const dh_Trust *t, dh_Status want, const char *part)
{
    dh_Bundle *b = NULL;
    dh_Error err;
    dh_error_clear(&err);
    dh_Status s = dh_bundle_open(&b, dir, t, true, &err);
    if (s != want || (part && !strstr(err.msg, part)))
        fail_msg("%s: got %d '%s', want %d '%s'", dir, s, err.msg, want, part ? part : "");
    dh_bundle_close(b);
}

typedef struct Count {
    int64_t n;
    bool formula;
} Count;

static dh_Status count_statement(const dh_BundleStatement *st, void *ctx, dh_Error *err)
{
    (void)err;
    Count *c = ctx;
    assert_true(dh_uuid_valid(st->id));
    assert_int_equal(st->index, c->n);
    assert_true(cJSON_IsObject(st->json));
    c->n++;
    return DH_OK;
}

static dh_Status check_row(const dh_ExportRow *row, void *ctx, dh_Error *err)
{
    (void)err;
    Count *c = ctx;
    if (!strcmp(row->trainee_id, "SN-2")) {
        assert_string_equal(row->name, "=HYPERLINK(\"x\")"); /* neutralisation undone */
        assert_string_equal(row->unit, "Ops, \"J6\"");
        c->formula = true;
    }
    c->n++;
    return DH_OK;
}

static void test_read_back_and_tampering(void **state)
{
    (void)state;
    Kit k;
    kit_open(&k);
    answers(&k, 1, 6);
    dh_Error err;
    dh_ExportResult r;
    assert_int_equal(export(&k, false, NOW, &r, &err), DH_OK);
    dh_Trust *trust, *other, *none;
    char pub[300], tmp[300], file[700];
    assert_int_equal(dh_trust_new(&trust, &err), DH_OK);
    assert_int_equal(dh_trust_new(&other, &err), DH_OK);
    assert_int_equal(dh_trust_new(&none, &err), DH_OK);
    assert_int_equal(dh_trust_add_key_file(trust, in_root(pub, sizeof pub, "kiosk.pub"), &err), DH_OK);

    /* as written: trusted, self-signed without keys, and readable */
    dh_Bundle *b;
    assert_int_equal(dh_bundle_open(&b, r.path, trust, true, &err), DH_OK);
    assert_int_equal(dh_bundle_info(b)->trust, DH_BUNDLE_TRUSTED);
    assert_int_equal(dh_bundle_info(b)->statements, 6);
    assert_string_equal(dh_bundle_info(b)->kiosk_id, k.kiosk.id);
    Count c = {0};
    assert_int_equal(dh_bundle_statements_each(b, count_statement, &c, &err), DH_OK);
    assert_int_equal(c.n, 6);
    c = (Count){0};
    assert_int_equal(dh_bundle_summary_each(b, check_row, &c, &err), DH_OK);
    assert_int_equal(c.n, 2);
    assert_true(c.formula);
    dh_bundle_close(b);
    assert_int_equal(dh_bundle_open(&b, r.path, none, true, &err), DH_OK);
    assert_int_equal(dh_bundle_info(b)->trust, DH_BUNDLE_SELF_SIGNED);
    dh_bundle_close(b);

    /* a trusted-keys file: right key for the kiosk, wrong key, unknown kiosk */
    char b64[DH_SIG_PUBLIC_B64], line[256];
    dh_PublicKey pk2;
    dh_SecretKey sk2;
    assert_int_equal(dh_sig_keygen(&pk2, &sk2, &err), DH_OK);
    snprintf(line, sizeof line, "# kiosks of the programme\n%s %s\n", k.kiosk.id,
             dh_sig_public_base64(&k.kiosk.pk, b64));
    spit(in_root(file, sizeof file, "trusted.txt"), line, strlen(line));
    assert_int_equal(dh_trust_load_file(other, file, &err), DH_OK);
    expect_open(r.path, other, DH_OK, NULL);
    dh_trust_free(other);
    assert_int_equal(dh_trust_new(&other, &err), DH_OK);
    snprintf(line, sizeof line, "%s %s\n", k.kiosk.id, dh_sig_public_base64(&pk2, b64));
    spit(file, line, strlen(line));
    assert_int_equal(dh_trust_load_file(other, file, &err), DH_OK);
    expect_open(r.path, other, DH_ESIG, "did not come from that kiosk");
    dh_trust_free(other);
    assert_int_equal(dh_trust_new(&other, &err), DH_OK);
    snprintf(line, sizeof line, "0b9d1d7e-3f4a-4b2c-8d1e-5f6a7b8c9d0e %s\n", dh_sig_public_base64(&pk2, b64));
    spit(file, line, strlen(line));
    assert_int_equal(dh_trust_load_file(other, file, &err), DH_OK);
    expect_open(r.path, other, DH_ENOTFOUND, "unknown key");
    spit(file, "not-a-kiosk KEY\n", 16);
    dh_trust_free(other);
    assert_int_equal(dh_trust_new(&other, &err), DH_OK);
    expect(dh_trust_load_file(other, file, &err), DH_EFORMAT, &err, "not a kiosk id");
    assert_int_equal(err.line, 1);

    /* tampering with each file, the signature and the trusted comment */
    in_root(tmp, sizeof tmp, "tampered");
    struct {
        const char *file;
        long at;
        char byte;
        dh_Status want;
        const char *part;
    } cases[] = {
        {DH_EXPORT_STATEMENTS, 30, 'X', DH_ESIG, "statements.json does not match its SHA-256"},
        {DH_EXPORT_SUMMARY, 5, 'X', DH_ESIG, "summary.csv does not match its SHA-256"},
        {DH_EXPORT_KIOSK_PUB, 25, 'X', DH_ESIG, "kiosk.pub does not match its SHA-256"},
        {DH_EXPORT_MANIFEST, 40, 'X', DH_ESIG, "manifest.json does not match its signature"},
        {DH_EXPORT_SIGNATURE, -100, 'A', DH_ESIG, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        copy_tree(r.path, tmp);
        corrupt(tmp, cases[i].file, cases[i].at, cases[i].byte);
        expect_open(tmp, trust, cases[i].want, cases[i].part);
    }
    /* the trusted comment */
    copy_tree(r.path, tmp);
    snprintf(file, sizeof file, "%s/%s", tmp, DH_EXPORT_SIGNATURE);
    size_t len;
    char *sig = (char *)slurp(file, &len);
    char *tc = strstr(sig, "export:");
    assert_non_null(tc);
    tc[7] = 'X';
    spit(file, sig, len);
    free(sig);
    expect_open(tmp, trust, DH_ESIG, "trusted comment");
    /* a cut-short copy: the size says so */
    copy_tree(r.path, tmp);
    snprintf(file, sizeof file, "%s/%s", tmp, DH_EXPORT_STATEMENTS);
    assert_int_equal(truncate(file, 100), 0);
    expect_open(tmp, trust, DH_ESIG, "copied incompletely");
    /* no signature: refused with trusted keys, and without (the manifest names a key) */
    copy_tree(r.path, tmp);
    snprintf(file, sizeof file, "%s/%s", tmp, DH_EXPORT_SIGNATURE);
    assert_int_equal(unlink(file), 0);
    expect_open(tmp, trust, DH_ESIG, "not signed");
    expect_open(tmp, none, DH_ESIG, "is missing");
    /* a bundle re-signed by someone else with their own kiosk.pub: fine
     * without trusted keys (integrity only), refused with them */
    copy_tree(r.path, tmp);
    snprintf(file, sizeof file, "%s/%s", tmp, DH_EXPORT_MANIFEST);
    assert_int_equal(dh_sig_sign_file(file, &sk2, NULL, NULL, NULL, &err), DH_OK);
    expect_open(tmp, trust, DH_ENOTFOUND, "unknown key");
    expect_open(tmp, none, DH_ESIG, NULL);
    /* not a bundle at all */
    expect_open(in_root(file, sizeof file, "stick"), trust, DH_EIO, "manifest.json is missing");
    dh_sig_secret_wipe(&sk2);
    dh_trust_free(trust);
    dh_trust_free(other);
    dh_trust_free(none);
    kit_close(&k);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bundle_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_medium_fails_midway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_and_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_back_and_tampering, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
