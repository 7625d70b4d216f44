/* test_store: the progress store (store*.c): data directory, schema and
 * migrations, damaged and foreign files, trainees, attempts, module state
 * and resume blobs, atomic commits and the statement journal.
 *
 * Every test works on real files in a fresh folder under /tmp, and reaches
 * around the store with the sqlite3 API where it must build what an older
 * or newer program would have left (earlier schemas, a schema from the
 * future, another program's database) or check what the store must not do
 * (rewrite the journal). Failure injection lives in test_store_faults.c,
 * power cuts in test_store_power.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "store.h"
#include "store_fixture.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- journal listings ----------------------------------------------------------------------- */

typedef struct Collect {
    int n;
    int64_t seqs[64];
    char ids[64][DH_UUID_LEN + 1];
    int stop_after; /* 0: never */
} Collect;

static dh_Status collect(const dh_StoredStatement *x, void *ctx, dh_Error *err)
{
    Collect *c = ctx;
    if (c->stop_after && c->n == c->stop_after)
        return dh_fail(err, DH_ELIMIT, "stopped after %d", c->n);
    assert_true(c->n < 64);
    c->seqs[c->n] = x->seq;
    snprintf(c->ids[c->n], sizeof c->ids[0], "%s", x->id);
    assert_int_equal(strlen(x->json), x->json_len);
    c->n++;
    return DH_OK;
}

/* ---- data directory ---------------------------------------------------------------------- */

static void test_default_dir(void **state)
{
    (void)state;
    char out[512], *old_xdg = getenv("XDG_DATA_HOME"), *old_home = getenv("HOME");
    char xdg[512] = "", home[512] = "";
    if (old_xdg) snprintf(xdg, sizeof xdg, "%s", old_xdg);
    if (old_home) snprintf(home, sizeof home, "%s", old_home);
    dh_Error err = {0};

    setenv("XDG_DATA_HOME", "/srv/kiosk-data", 1);
    assert_int_equal(dh_store_default_dir(out, sizeof out, &err), DH_OK);
    assert_string_equal(out, "/srv/kiosk-data/drillhall");
    /* A relative XDG_DATA_HOME is invalid by the XDG spec and ignored. */
    setenv("XDG_DATA_HOME", "relative/data", 1);
    setenv("HOME", "/home/trainee", 1);
    assert_int_equal(dh_store_default_dir(out, sizeof out, &err), DH_OK);
    assert_string_equal(out, "/home/trainee/.local/share/drillhall");
    unsetenv("XDG_DATA_HOME");
    assert_int_equal(dh_store_default_dir(out, sizeof out, &err), DH_OK);
    assert_string_equal(out, "/home/trainee/.local/share/drillhall");
    char tiny[8];
    expect(dh_store_default_dir(tiny, sizeof tiny, &err), DH_ELIMIT, &err, "too long");

    if (old_xdg) setenv("XDG_DATA_HOME", xdg, 1);
    if (old_home) setenv("HOME", home, 1);
}

static void test_open_creates_directory_and_schema(void **state)
{
    (void)state;
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/a/b/drillhall", root);
    dh_StoreNotice notice;
    dh_Store *s = open_ok(dir, &notice);
    assert_true(notice.created);
    assert_false(notice.moved_aside);
    assert_int_equal(dh_store_schema_version(s), DH_STORE_SCHEMA_VERSION);
    snprintf(path, sizeof path, "%s/progress.db", dir);
    assert_string_equal(dh_store_path(s), path);
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/a", root);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    dh_Error err = {0};
    assert_int_equal(dh_store_check(s, &err), DH_OK);
    dh_store_close(s);

    snprintf(path, sizeof path, "%s/progress.db", dir);
    sqlite3 *db = raw_open(path);
    assert_int_equal(raw_int(db, "PRAGMA application_id"), DH_STORE_APPLICATION_ID);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), DH_STORE_SCHEMA_VERSION);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM schema_migration"), DH_STORE_SCHEMA_VERSION);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM schema_migration WHERE applied_ms > 0 "
                                 "AND program LIKE 'drillhall %'"),
                     DH_STORE_SCHEMA_VERSION);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* Reopening is quiet: nothing created, nothing moved. */
    s = open_ok(dir, &notice);
    assert_false(notice.created);
    assert_false(notice.moved_aside);
    assert_string_equal(notice.msg, "");
    dh_store_close(s);

    /* A file where the directory should be is explained. */
    char file[600];
    spit(in_root(file, sizeof file, "plain"), "x", 1);
    snprintf(dir, sizeof dir, "%s/plain/drillhall", root);
    s = NULL;
    expect(dh_store_open(&s, dir, NULL, &err), DH_EIO, &err, "plain as a data directory");
    assert_null(s);
    expect(dh_store_open(&s, file, NULL, &err), DH_EIO, &err, "not a directory");
}

/* ---- migrations ---------------------------------------------------------------------------- */

/* What a program of schema `version` would have stored: one row in each
 * table, in that version's columns. A new migration that changes a table
 * adds its own seed here, so every earlier version keeps being tested. */
#define SEED_V1 \
    "INSERT INTO trainee VALUES ('SN-OLD', 'Old Trainee', 'Unit 7', 'TH', 'th', 1000, 1000);" \
    "INSERT INTO enrolment (id, trainee_id, course_id, course_version, attempt, " \
    "registration, status, score, time_ms, started_ms, updated_ms, completed_ms) VALUES " \
    "(1, 'SN-OLD', 'org.example.awareness', '1.0.0', 1, " \
    "'0b8e3c84-5d2b-4a57-9c1e-2f7d6a1b9e40', 'passed', 0.9, 60000, 1000, 2000, 2000);" \
    "INSERT INTO module_state (enrolment_id, module_id, status, score, attempts, time_ms, " \
    "completed, passed, updated_ms, resume) VALUES " \
    "(1, 'quiz', 'passed', 0.9, 2, 50000, 1, 1, 2000, x'00ff10');" \
    "INSERT INTO statement (id, trainee_id, course_id, course_version, registration, verb, " \
    "timestamp_ms, stored_ms, json) VALUES ('5f1c2f4e-9a57-4c7e-8d3b-1e2a3b4c5d6e', " \
    "'SN-OLD', 'org.example.awareness', '1.0.0', '0b8e3c84-5d2b-4a57-9c1e-2f7d6a1b9e40', " \
    "'http://adlnet.gov/expapi/verbs/passed', 2000, 2000, '{\"id\":\"old\"}');"

static const char *seed_sql(int version)
{
    /* versions 1-3 share these rows; 4 adds the admin PIN and the admin log */
    if (version >= 4)
        return SEED_V1
               "INSERT INTO admin_pin VALUES (1, '$argon2id$v=19$m=65536,t=2,p=1$c2VlZA$c2VlZA', "
               "2, 1, 5000, 3000);"
               "INSERT INTO admin_log (at_ms, action, outcome, detail) VALUES "
               "(3000, 'pin.check', 'failed', 'wrong PIN');";
    return SEED_V1;
}

/* Build a database exactly as a program of schema `version` left it. */
static void build_version(const char *path, int version)
{
    sqlite3 *db = raw_open(path);
    raw_exec(db, "PRAGMA journal_mode=WAL");
    for (int v = 1; v <= version; v++) {
        char sql[256];
        raw_exec(db, "BEGIN");
        raw_exec(db, dh_store_migration_sql(v));
        snprintf(sql, sizeof sql,
                 "INSERT INTO schema_migration VALUES (%d, '%s', 1000, 'drillhall test');"
                 "PRAGMA user_version=%d; PRAGMA application_id=%d;",
                 v, dh_store_migration_name(v), v, DH_STORE_APPLICATION_ID);
        raw_exec(db, sql);
        raw_exec(db, "COMMIT");
    }
    raw_exec(db, seed_sql(version));
    sqlite3_close(db);
}

static void test_migrate_from_every_version(void **state)
{
    (void)state;
    assert_null(dh_store_migration_sql(0));
    assert_null(dh_store_migration_sql(DH_STORE_SCHEMA_VERSION + 1));
    for (int v = 1; v < DH_STORE_SCHEMA_VERSION; v++) {
        char dir[512], path[600];
        snprintf(dir, sizeof dir, "%s/v%d", root, v);
        assert_int_equal(mkdir(dir, 0700), 0);
        snprintf(path, sizeof path, "%s/progress.db", dir);
        build_version(path, v);

        dh_StoreNotice notice;
        dh_Store *s = open_ok(dir, &notice);
        assert_false(notice.created);
        assert_false(notice.moved_aside);
        assert_int_equal(dh_store_schema_version(s), DH_STORE_SCHEMA_VERSION);
        dh_Error err = {0};
        assert_int_equal(dh_store_check(s, &err), DH_OK);

        /* Everything the old program stored reads back through the API. */
        dh_Trainee t;
        assert_int_equal(dh_store_trainee_get(s, "sn-old", &t, &err), DH_OK);
        assert_string_equal(t.name, "Old Trainee");
        assert_string_equal(t.nation, "TH");
        dh_Enrolment e;
        assert_int_equal(dh_store_enrolment_get(s, "SN-OLD", COURSE, VERSION, &e, &err), DH_OK);
        assert_int_equal(e.status, DH_PROGRESS_PASSED);
        assert_true(e.has_score);
        assert_int_equal(e.completed_ms, 2000);
        dh_ModuleState m;
        void *blob = NULL;
        size_t len = 0;
        assert_int_equal(dh_store_module_get(s, e.registration, "quiz", &m, &blob, &len, &err),
                         DH_OK);
        assert_int_equal(m.attempts, 2);
        assert_int_equal(len, 3);
        assert_memory_equal(blob, "\x00\xff\x10", 3);
        dh_free(blob);
        assert_int_equal(statement_count(s), 1);
        /* And the store goes on working on the upgraded file. */
        assert_int_equal(commit_answer(s, e.registration, 1, 10, &err), DH_OK);
        dh_store_close(s);

        sqlite3 *db = raw_open(path);
        assert_int_equal(raw_int(db, "SELECT count(*) FROM schema_migration"),
                         DH_STORE_SCHEMA_VERSION);
        assert_int_equal(raw_int(db, "SELECT min(applied_ms) FROM schema_migration"), 1000);
        sqlite3_close(db);
    }
}

static void test_migrate_from_empty_file(void **state)
{
    (void)state;
    char path[600];
    spit(in_root(path, sizeof path, "progress.db"), "", 0);
    dh_StoreNotice notice;
    dh_Store *s = open_ok(root, &notice);
    assert_false(notice.moved_aside);
    assert_int_equal(dh_store_schema_version(s), DH_STORE_SCHEMA_VERSION);
    dh_store_close(s);
}

static void test_journal_is_append_only(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_Error err = {0};
    assert_int_equal(commit_answer(s, e.registration, 1, 0, &err), DH_OK);
    dh_store_close(s);

    char path[600];
    sqlite3 *db = raw_open(in_root(path, sizeof path, "progress.db"));
    assert_int_equal(raw_rc(db, "UPDATE statement SET json = '{}'"), SQLITE_CONSTRAINT_TRIGGER);
    assert_int_equal(raw_rc(db, "UPDATE statement SET verb = 'x:y'"), SQLITE_CONSTRAINT_TRIGGER);
    assert_int_equal(raw_rc(db, "DELETE FROM statement"), SQLITE_CONSTRAINT_TRIGGER);
    assert_int_equal(raw_rc(db, "UPDATE statement SET export_id = 'e1'"), SQLITE_OK);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM statement"), 1);
    sqlite3_close(db);
}

static void test_newer_schema_refused_untouched(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_store_close(s);
    char path[600], sql[64];
    in_root(path, sizeof path, "progress.db");
    sqlite3 *db = raw_open(path);
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", DH_STORE_SCHEMA_VERSION + 1);
    raw_exec(db, sql);
    raw_exec(db, "PRAGMA journal_mode=DELETE"); /* everything in the main file */
    sqlite3_close(db);
    size_t before_len, after_len;
    unsigned char *before = slurp(path, &before_len);

    dh_Error err = {0};
    s = NULL;
    expect(dh_store_open(&s, root, NULL, &err), DH_EFORMAT, &err, "newer Drillhall");
    assert_null(s);
    assert_non_null(strstr(err.msg, "nothing was changed"));
    unsigned char *after = slurp(path, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    assert_int_equal(find_prefixed(root, "progress.db.corrupt", NULL, 0), 0);
    free(before);
    free(after);
}

static void test_foreign_database_refused(void **state)
{
    (void)state;
    char path[600];
    in_root(path, sizeof path, "progress.db");
    sqlite3 *db = raw_open(path);
    raw_exec(db, "CREATE TABLE payroll (name TEXT, salary INTEGER)");
    sqlite3_close(db);
    dh_Error err = {0};
    dh_Store *s = NULL;
    expect(dh_store_open(&s, root, NULL, &err), DH_EFORMAT, &err, "another program");

    db = raw_open(path);
    raw_exec(db, "PRAGMA application_id=1234");
    sqlite3_close(db);
    expect(dh_store_open(&s, root, NULL, &err), DH_EFORMAT, &err, "application id 0x000004D2");
    assert_int_equal(find_prefixed(root, "progress.db.corrupt", NULL, 0), 0);
    db = raw_open(path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM payroll"), 0);
    sqlite3_close(db);
}

/* ---- damaged files -------------------------------------------------------------------------- */

static void test_garbage_file_moved_aside(void **state)
{
    (void)state;
    char path[600], wal[600], name[256], moved[600];
    unsigned char garbage[5000];
    for (size_t i = 0; i < sizeof garbage; i++) garbage[i] = (unsigned char)(i * 7 + 3);
    spit(in_root(path, sizeof path, "progress.db"), garbage, sizeof garbage);
    spit(in_root(wal, sizeof wal, "progress.db-wal"), "stale log", 9);

    dh_StoreNotice notice;
    dh_Store *s = open_ok(root, &notice);
    assert_true(notice.moved_aside);
    assert_true(notice.created);
    assert_non_null(strstr(notice.msg, "not an SQLite database"));
    assert_non_null(strstr(notice.msg, "moved aside"));
    /* The database, its -wal and the -shm SQLite made while looking. */
    assert_int_equal(find_prefixed(root, "progress.db.corrupt-", name, sizeof name), 3);
    /* progress.db.corrupt-YYYYMMDDTHHMMSSZ and its -wal. */
    snprintf(moved, sizeof moved, "%s/%.*s", root, (int)strlen("progress.db.corrupt-20250101T000000Z"),
             name);
    assert_string_equal(notice.moved_to, moved);
    assert_int_equal(moved[strlen(moved) - 1], 'Z');
    assert_int_equal(moved[strlen(moved) - 8], 'T');
    size_t len;
    unsigned char *kept = slurp(moved, &len);
    assert_int_equal(len, sizeof garbage);
    assert_memory_equal(kept, garbage, len);
    free(kept);
    strcat(moved, "-wal");
    kept = slurp(moved, &len);
    assert_non_null(kept);
    assert_memory_equal(kept, "stale log", 9);
    free(kept);

    /* The new database works. */
    make_trainee(s, "SN-1");
    dh_store_close(s);

    /* Damaged twice in the same second: the second copy gets its own name. */
    spit(path, garbage, sizeof garbage);
    s = open_ok(root, &notice);
    assert_true(notice.moved_aside);
    dh_store_close(s);
    assert_true(find_prefixed(root, "progress.db.corrupt-", NULL, 0) >= 4);
}

static void test_truncated_database_moved_aside(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_Error err = {0};
    for (long k = 1; k <= 60; k++) assert_int_equal(commit_answer(s, e.registration, k, 3000, &err), DH_OK);
    dh_store_close(s); /* checkpoints: everything is in progress.db now */

    char path[600];
    in_root(path, sizeof path, "progress.db");
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 64 * 1024);
    assert_int_equal(truncate(path, sb.st_size / 2), 0);

    dh_StoreNotice notice;
    s = open_ok(root, &notice);
    assert_true(notice.moved_aside);
    assert_non_null(strstr(notice.msg, "could not be used"));
    assert_int_equal(statement_count(s), 0);
    dh_store_close(s);
    assert_int_equal(stat(notice.moved_to, &sb), 0);
}

static void test_orphan_wal_moved_aside(void **state)
{
    (void)state;
    char wal[600];
    spit(in_root(wal, sizeof wal, "progress.db-wal"), "orphan", 6);
    dh_StoreNotice notice;
    dh_Store *s = open_ok(root, &notice);
    assert_true(notice.moved_aside);
    assert_non_null(strstr(notice.msg, "write-ahead log"));
    char moved_wal[DH_STORE_PATH_MAX + 8];
    snprintf(moved_wal, sizeof moved_wal, "%s-wal", notice.moved_to);
    struct stat sb;
    assert_int_equal(stat(moved_wal, &sb), 0);
    dh_store_close(s);
}

static void test_unreadable_database_not_moved(void **state)
{
    (void)state;
    if (geteuid() == 0) skip(); /* root reads any file */
    dh_Store *s = open_ok(root, NULL);
    dh_store_close(s);
    char path[600];
    assert_int_equal(chmod(in_root(path, sizeof path, "progress.db"), 0), 0);
    dh_Error err = {0};
    s = NULL;
    expect(dh_store_open(&s, root, NULL, &err), DH_EIO, &err, "cannot open");
    assert_int_equal(find_prefixed(root, "progress.db.corrupt", NULL, 0), 0);
    assert_int_equal(chmod(path, 0444), 0);
    expect(dh_store_open(&s, root, NULL, &err), DH_EIO, &err, "read-only");
    chmod(path, 0600);
}

/* ---- trainees ------------------------------------------------------------------------------------ */

static void test_trainee_ids(void **state)
{
    (void)state;
    static const struct {
        const char *raw, *want;
        dh_TraineeIdProblem problem;
        const char *msg;
    } cases[] = {
        {"ab-12", "AB-12", DH_TRAINEE_ID_OK, NULL},
        {"  ab-12\r\n", "AB-12", DH_TRAINEE_ID_OK, NULL},        /* barcode scanner's CR LF */
        {"\xC2\xA0x1\xE3\x80\x80", "X1", DH_TRAINEE_ID_OK, NULL}, /* no-break and ideographic space */
        {"a/b.c_d-9", "A/B.C_D-9", DH_TRAINEE_ID_OK, NULL},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", DH_TRAINEE_ID_OK, NULL},
        {"", "", DH_TRAINEE_ID_EMPTY, "empty"},
        {" \t\r\n", "", DH_TRAINEE_ID_EMPTY, "type or scan"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "", DH_TRAINEE_ID_TOO_LONG, "33 characters long; at most 32"},
        {"AB 12", "", DH_TRAINEE_ID_SPACE, "a space at character 3"},
        {"AB\t12", "", DH_TRAINEE_ID_SPACE, "a tab at character 3"},
        {"AB#12", "", DH_TRAINEE_ID_CHARACTER, "'#' at character 3"},
        {"\xC3\x84" "B12", "", DH_TRAINEE_ID_CHARACTER, "U+00C4"},
        {"AB\xff", "", DH_TRAINEE_ID_CHARACTER, "not text at character 3"},
        {"A\x01" "B", "", DH_TRAINEE_ID_CHARACTER, "invisible character U+0001"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[DH_TRAINEE_ID_MAX + 1];
        dh_Error err = {0};
        dh_TraineeIdProblem p = dh_store_trainee_id(out, cases[i].raw, &err);
        if (p != cases[i].problem || strcmp(out, cases[i].want) != 0 ||
            (cases[i].msg && (err.code != DH_EINVAL || !strstr(err.msg, cases[i].msg))))
            fail_msg("case %zu: got %d '%s' '%s'", i, p, out, err.msg);
    }
}

static void test_trainee_fields(void **state)
{
    (void)state;
    dh_Trainee t = {0};
    dh_Error err = {0};
    snprintf(t.id, sizeof t.id, " sn-1 ");
    snprintf(t.name, sizeof t.name, "  สมชาย ใจดี \n");
    snprintf(t.nation, sizeof t.nation, "th");
    snprintf(t.lang, sizeof t.lang, "th");
    assert_int_equal(dh_store_trainee_normalise(&t, &err), DH_OK);
    assert_string_equal(t.id, "SN-1");
    assert_string_equal(t.name, "สมชาย ใจดี");
    assert_string_equal(t.nation, "TH");
    assert_string_equal(t.unit, "");

    /* One wrong field at a time: the sentence names it. */
    static const struct {
        const char *field, *value, *msg;
    } bad_fields[] = {
        {"name", " \t ", "the display name is empty"},
        {"name", "Line one\nline two", "invisible character U+000A"},
        {"name", "Bad \xC3 byte", "not valid UTF-8"},
        {"nation", "XX", "'XX' is not an ISO 3166"},
        {"nation", "T", "ISO 3166"},
        {"lang", "EN", "'EN' is not a language tag"},
        {"id", "SN 1", "no spaces"},
    };
    dh_Trainee bad;
    for (size_t i = 0; i < sizeof bad_fields / sizeof *bad_fields; i++) {
        bad = t;
        char *f = strcmp(bad_fields[i].field, "name") == 0     ? bad.name
                  : strcmp(bad_fields[i].field, "nation") == 0 ? bad.nation
                  : strcmp(bad_fields[i].field, "lang") == 0   ? bad.lang
                                                               : bad.id;
        strcpy(f, bad_fields[i].value);
        expect(dh_store_trainee_normalise(&bad, &err), DH_EINVAL, &err, bad_fields[i].msg);
    }
    /* 100 Thai characters (300 bytes) fit; 101 do not. */
    bad = t;
    bad.name[0] = '\0';
    for (int i = 0; i < 100; i++) strcat(bad.name, "ก");
    assert_int_equal(dh_store_trainee_normalise(&bad, &err), DH_OK);
    strcat(bad.name, "ก");
    expect(dh_store_trainee_normalise(&bad, &err), DH_EINVAL, &err, "101 characters long");
    bad = t;
    memset(bad.unit, 'u', sizeof bad.unit); /* not even terminated */
    expect(dh_store_trainee_normalise(&bad, &err), DH_EINVAL, &err, "the unit is longer");
    bad = t;
    snprintf(bad.nation, sizeof bad.nation, "XX");
    expect(dh_store_trainee_normalise(&bad, &err), DH_EINVAL, &err, "'XX' is not an ISO 3166");
    bad = t;
    snprintf(bad.nation, sizeof bad.nation, "T");
    expect(dh_store_trainee_normalise(&bad, &err), DH_EINVAL, &err, "ISO 3166");
    bad = t;
    memcpy(bad.nation, "THA", 3); /* three letters, no terminator */
    expect(dh_store_trainee_normalise(&bad, &err), DH_EINVAL, &err, "two-letter");
    bad = t;
    snprintf(bad.lang, sizeof bad.lang, "EN");
    expect(dh_store_trainee_normalise(&bad, &err), DH_EINVAL, &err, "'EN' is not a language tag");
    bad = t;
    snprintf(bad.lang, sizeof bad.lang, "zh-Hans");
    assert_int_equal(dh_store_trainee_normalise(&bad, &err), DH_OK);
    bad = t;
    snprintf(bad.id, sizeof bad.id, "SN 1");
    expect(dh_store_trainee_normalise(&bad, &err), DH_EINVAL, &err, "no spaces");
}

static void test_trainee_records(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    int64_t now = 1700000000000;
    dh_store_set_clock(s, fixed_clock, &now);
    dh_Error err = {0};
    dh_Trainee t = {0}, got;
    snprintf(t.id, sizeof t.id, "sn-42");
    snprintf(t.name, sizeof t.name, "Nguyễn Văn An");
    snprintf(t.unit, sizeof t.unit, "Signals Company");
    snprintf(t.nation, sizeof t.nation, "VN");
    snprintf(t.lang, sizeof t.lang, "vi");
    assert_int_equal(dh_store_trainee_create(s, &t, &got, &err), DH_OK);
    assert_string_equal(got.id, "SN-42");
    assert_int_equal(got.created_ms, now);

    memset(&got, 0, sizeof got);
    assert_int_equal(dh_store_trainee_get(s, "  Sn-42\n", &got, &err), DH_OK);
    assert_string_equal(got.name, "Nguyễn Văn An");
    assert_string_equal(got.unit, "Signals Company");
    assert_string_equal(got.nation, "VN");
    assert_string_equal(got.lang, "vi");
    assert_int_equal(got.created_ms, now);

    expect(dh_store_trainee_create(s, &t, NULL, &err), DH_EINVAL, &err, "already registered");
    expect(dh_store_trainee_get(s, "SN-43", &got, &err), DH_ENOTFOUND, &err, "no trainee with id SN-43");
    expect(dh_store_trainee_get(s, "SN 43", &got, &err), DH_EINVAL, &err, "no spaces");

    now += 5000;
    snprintf(t.name, sizeof t.name, "An Nguyen");
    t.unit[0] = '\0';
    t.created_ms = 1; /* ignored */
    assert_int_equal(dh_store_trainee_update(s, &t, &got, &err), DH_OK);
    assert_int_equal(got.created_ms, now - 5000);
    assert_int_equal(got.updated_ms, now);
    assert_int_equal(dh_store_trainee_get(s, "SN-42", &got, &err), DH_OK);
    assert_string_equal(got.name, "An Nguyen");
    assert_string_equal(got.unit, "");
    assert_int_equal(got.updated_ms, now);

    snprintf(t.id, sizeof t.id, "SN-44");
    expect(dh_store_trainee_update(s, &t, NULL, &err), DH_ENOTFOUND, &err, "SN-44");
    dh_store_close(s);
}

/* ---- enrolment and progress ------------------------------------------------------------------------- */

static dh_Status count_enrolment(const dh_Enrolment *e, void *ctx, dh_Error *err)
{
    (void)err;
    int *n = ctx;
    assert_int_equal(e->attempt, 2); /* only the current attempt is listed */
    (*n)++;
    return DH_OK;
}

static void test_enrolments(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    dh_Error err = {0};
    dh_Enrolment e, again, next, old;
    expect(dh_store_enrol(s, "SN-1", COURSE, VERSION, &e, &err), DH_ENOTFOUND, &err,
           "no trainee with id SN-1");
    make_trainee(s, "SN-1");
    expect(dh_store_enrolment_get(s, "SN-1", COURSE, VERSION, &e, &err), DH_ENOTFOUND, &err,
           "has not started");
    expect(dh_store_enrol(s, "SN-1", "Bad Course", VERSION, &e, &err), DH_EINVAL, &err,
           "not a valid course id");
    expect(dh_store_enrol(s, "SN-1", COURSE, "1.0 beta", &e, &err), DH_EINVAL, &err,
           "not a valid course version");

    e = enrol_ok(s, "sn-1");
    assert_string_equal(e.trainee_id, "SN-1");
    assert_int_equal(e.attempt, 1);
    assert_int_equal(e.status, DH_PROGRESS_NOT_ATTEMPTED);
    assert_true(dh_uuid_valid(e.registration));
    assert_int_equal(e.registration[14], '4'); /* version 4 */
    again = enrol_ok(s, "SN-1");
    assert_string_equal(again.registration, e.registration);
    assert_int_equal(dh_store_enrolment_get(s, "SN-1", COURSE, VERSION, &again, &err), DH_OK);
    assert_string_equal(again.registration, e.registration);

    assert_int_equal(commit_answer(s, e.registration, 1, 16, &err), DH_OK);
    assert_int_equal(dh_store_new_attempt(s, "SN-1", COURSE, VERSION, &next, &err), DH_OK);
    assert_int_equal(next.attempt, 2);
    assert_string_not_equal(next.registration, e.registration);
    assert_int_equal(module_attempts(s, next.registration), -1); /* a fresh start */
    again = enrol_ok(s, "SN-1");
    assert_string_equal(again.registration, next.registration);
    /* The first attempt and its records stay. */
    assert_int_equal(dh_store_enrolment_by_registration(s, e.registration, &old, &err), DH_OK);
    assert_int_equal(old.attempt, 1);
    assert_int_equal(module_attempts(s, e.registration), 1);
    expect(dh_store_enrolment_by_registration(s, "00000000-0000-4000-8000-000000000000", &old, &err),
           DH_ENOTFOUND, &err, "no course attempt");
    expect(dh_store_enrolment_by_registration(s, "nope", &old, &err), DH_EINVAL, &err,
           "not a registration UUID");

    /* Another version of the course is another enrolment. */
    dh_Enrolment v2;
    assert_int_equal(dh_store_enrol(s, "SN-1", COURSE, "2.0.0", &v2, &err), DH_OK);
    assert_int_equal(dh_store_new_attempt(s, "SN-1", COURSE, "2.0.0", &v2, &err), DH_OK);
    int n = 0;
    assert_int_equal(dh_store_enrolments_each(s, "sn-1", count_enrolment, &n, &err), DH_OK);
    assert_int_equal(n, 2);
    dh_store_close(s);
}

typedef struct ModList {
    int n;
    char ids[8][DH_MODULE_ID_SIZE];
    size_t resume_len[8];
} ModList;

static dh_Status list_module(const dh_ModuleState *m, void *ctx, dh_Error *err)
{
    (void)err;
    ModList *l = ctx;
    snprintf(l->ids[l->n], sizeof l->ids[0], "%s", m->module_id);
    l->resume_len[l->n] = m->resume_len;
    l->n++;
    return DH_OK;
}

static void test_progress_round_trip(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    int64_t now = 1700000000000;
    dh_store_set_clock(s, fixed_clock, &now);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_Error err = {0};

    static const unsigned char blob[] = {0, 1, 2, 0, 255, 'p', 'a', 'g', 'e', 0};
    char id1[DH_UUID_LEN + 1], id2[DH_UUID_LEN + 1], j1[1024], j2[1024];
    answer_id(id1, 1);
    answer_id(id2, 2);
    statement_json(j1, sizeof j1, id1, "http://adlnet.gov/expapi/verbs/experienced", 1);
    statement_json(j2, sizeof j2, id2, VERB_ANSWERED, 2);
    dh_ModuleState mods[2] = {
        {.module_id = "phishing", .status = DH_PROGRESS_COMPLETED, .time_ms = 90000,
         .completed = true, .resume_op = DH_RESUME_SET, .resume = blob, .resume_len = sizeof blob},
        {.module_id = "check", .status = DH_PROGRESS_IN_PROGRESS, .has_score = true, .score = 0.25,
         .attempts = 1, .time_ms = 30000},
    };
    dh_AttemptProgress a = {.status = DH_PROGRESS_IN_PROGRESS, .time_ms = 120000};
    dh_StoreStatement xs[2] = {
        {.id = id1, .verb = "http://adlnet.gov/expapi/verbs/experienced", .timestamp_ms = 11, .json = j1},
        {.id = id2, .verb = VERB_ANSWERED, .timestamp_ms = 12, .json = j2},
    };
    dh_StoreChange c = {.registration = e.registration, .modules = mods, .nmodules = 2,
                        .attempt = &a, .statements = xs, .nstatements = 2};
    assert_int_equal(dh_store_commit(s, &c, &err), DH_OK);

    dh_ModuleState m;
    void *resume = NULL;
    size_t len = 0;
    assert_int_equal(dh_store_module_get(s, e.registration, "phishing", &m, &resume, &len, &err), DH_OK);
    assert_int_equal(m.status, DH_PROGRESS_COMPLETED);
    assert_true(m.completed);
    assert_false(m.passed);
    assert_false(m.has_score);
    assert_int_equal(m.time_ms, 90000);
    assert_int_equal(m.updated_ms, now);
    assert_int_equal(len, sizeof blob);
    assert_memory_equal(resume, blob, sizeof blob);
    assert_ptr_equal(m.resume, resume);
    dh_free(resume);
    assert_int_equal(dh_store_module_get(s, e.registration, "check", &m, &resume, &len, &err), DH_OK);
    assert_true(m.has_score);
    assert_true(m.score == 0.25);
    assert_null(resume);
    assert_int_equal(len, 0);
    expect(dh_store_module_get(s, e.registration, "drill", &m, NULL, NULL, &err), DH_ENOTFOUND, &err,
           "no saved progress");

    dh_Enrolment got;
    assert_int_equal(dh_store_enrolment_get(s, "SN-1", COURSE, VERSION, &got, &err), DH_OK);
    assert_int_equal(got.status, DH_PROGRESS_IN_PROGRESS);
    assert_int_equal(got.time_ms, 120000);
    assert_false(got.has_score);
    assert_int_equal(got.completed_ms, 0);

    /* KEEP leaves the blob; completion stamps completed_ms once. */
    now += 1000;
    mods[0].resume_op = DH_RESUME_KEEP;
    mods[0].time_ms = 95000;
    a.status = DH_PROGRESS_COMPLETED;
    a.has_score = true;
    a.score = 0.5;
    dh_StoreChange keep = {.registration = e.registration, .modules = mods, .nmodules = 1,
                           .attempt = &a};
    assert_int_equal(dh_store_commit(s, &keep, &err), DH_OK);
    assert_int_equal(dh_store_module_get(s, e.registration, "phishing", &m, &resume, &len, &err), DH_OK);
    assert_int_equal(m.time_ms, 95000);
    assert_int_equal(len, sizeof blob);
    dh_free(resume);
    assert_int_equal(dh_store_enrolment_get(s, "SN-1", COURSE, VERSION, &got, &err), DH_OK);
    assert_int_equal(got.completed_ms, now);
    assert_true(got.score == 0.5);
    int64_t completed = now;
    now += 1000;
    a.status = DH_PROGRESS_PASSED;
    assert_int_equal(dh_store_commit(s, &keep, &err), DH_OK);
    assert_int_equal(dh_store_enrolment_get(s, "SN-1", COURSE, VERSION, &got, &err), DH_OK);
    assert_int_equal(got.status, DH_PROGRESS_PASSED);
    assert_int_equal(got.completed_ms, completed);
    assert_int_equal(got.updated_ms, now);

    /* CLEAR removes the blob. */
    mods[0].resume_op = DH_RESUME_CLEAR;
    assert_int_equal(dh_store_commit(s, &keep, &err), DH_OK);
    ModList l = {0};
    assert_int_equal(dh_store_modules_each(s, e.registration, list_module, &l, &err), DH_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.ids[0], "check");
    assert_string_equal(l.ids[1], "phishing");
    assert_int_equal(l.resume_len[1], 0);

    /* Everything survives closing and reopening. */
    dh_store_close(s);
    s = open_ok(root, NULL);
    assert_int_equal(dh_store_enrolment_get(s, "SN-1", COURSE, VERSION, &got, &err), DH_OK);
    assert_int_equal(got.status, DH_PROGRESS_PASSED);
    assert_true(has_statement(s, id1));
    assert_true(has_statement(s, id2));
    dh_store_close(s);
}

static void test_resume_limit(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_Error err = {0};
    assert_int_equal(commit_answer(s, e.registration, 1, DH_STORE_RESUME_MAX, &err), DH_OK);
    expect(commit_answer(s, e.registration, 2, DH_STORE_RESUME_MAX + 1, &err), DH_ELIMIT, &err,
           "the resume state is 1048577 bytes; at most 1048576");
    assert_int_equal(module_attempts(s, e.registration), 1);
    assert_int_equal(statement_count(s), 1);
    dh_store_close(s);
}

typedef struct Tries {
    int n;
    int numbers[4];
    double scores[4];
    bool passed[4];
    char records[4][16];
} Tries;

static dh_Status collect_try(const dh_ModuleAttempt *a, void *ctx, dh_Error *err)
{
    (void)err;
    Tries *t = ctx;
    assert_true(t->n < 4);
    t->numbers[t->n] = a->number;
    t->scores[t->n] = a->has_score ? a->score : -9;
    t->passed[t->n] = a->passed;
    assert_true(a->record_len < sizeof t->records[0]);
    memcpy(t->records[t->n], a->record ? a->record : "", a->record_len);
    t->records[t->n][a->record_len] = '\0';
    t->n++;
    return DH_OK;
}

/* Finished tries are appended with the module state, numbered per module,
 * listed oldest first, and vanish with a commit that fails. */
static void test_finished_tries(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_Error err = {0};
    dh_ModuleAttempt first = {.started_ms = 10, .finished_ms = 20, .has_score = true, .score = 0.25,
                              .record = "{\"a\":1}", .record_len = 7};
    dh_ModuleAttempt second = {.started_ms = 30, .finished_ms = 40, .has_score = true, .score = 0.9,
                               .passed = true, .record = "{\"a\":2}", .record_len = 7};
    dh_ModuleState m = {.module_id = "quiz", .status = DH_PROGRESS_FAILED, .attempts = 1,
                        .finished = &first};
    dh_StoreChange c = {.registration = e.registration, .modules = &m, .nmodules = 1};
    assert_int_equal(dh_store_commit(s, &c, &err), DH_OK);
    dh_ModuleState other = {.module_id = "drill", .status = DH_PROGRESS_COMPLETED, .finished = &first};
    c.modules = &other;
    assert_int_equal(dh_store_commit(s, &c, &err), DH_OK);
    m.status = DH_PROGRESS_PASSED;
    m.attempts = 2;
    m.finished = &second;
    c.modules = &m;
    assert_int_equal(dh_store_commit(s, &c, &err), DH_OK);

    Tries t = {0};
    assert_int_equal(dh_store_module_attempts_each(s, e.registration, "quiz", collect_try, &t, &err), DH_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.numbers[0], 1);
    assert_int_equal(t.numbers[1], 2);
    assert_true(t.scores[0] == 0.25 && t.scores[1] == 0.9);
    assert_false(t.passed[0]);
    assert_true(t.passed[1]);
    assert_string_equal(t.records[1], "{\"a\":2}");
    Tries d = {0};
    assert_int_equal(dh_store_module_attempts_each(s, e.registration, "drill", collect_try, &d, &err), DH_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.numbers[0], 1);

    /* Refused before anything is written: a try that ends before it began,
     * a score out of range, an oversized record. */
    dh_ModuleAttempt bad = second;
    bad.finished_ms = 5;
    m.finished = &bad;
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "finished try");
    bad = second;
    bad.score = 1.5;
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "finished try");
    bad = second;
    bad.record_len = DH_STORE_RESUME_MAX + 1;
    expect(dh_store_commit(s, &c, &err), DH_ELIMIT, &err, "record is 1048577 bytes");

    /* A commit that fails later (a bad statement) leaves no try behind. */
    char id[DH_UUID_LEN + 1], json[1024];
    answer_id(id, 1);
    statement_json(json, sizeof json, id, VERB_ANSWERED, 1);
    dh_StoreStatement x[2] = {{.id = id, .verb = VERB_ANSWERED, .json = json},
                              {.id = id, .verb = VERB_ANSWERED, .json = json}};
    m.finished = &second;
    c.statements = x;
    c.nstatements = 2;
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "already in the journal");
    Tries after = {0};
    assert_int_equal(dh_store_module_attempts_each(s, e.registration, "quiz", collect_try, &after, &err), DH_OK);
    assert_int_equal(after.n, 2);
    expect(dh_store_module_attempts_each(s, "00000000-0000-4000-8000-000000000000", "quiz", collect_try,
                                         &after, &err),
           DH_ENOTFOUND, &err, "");
    dh_store_close(s);
}

/* A commit that fails for any reason leaves no trace. */
static void test_commit_is_atomic(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    make_trainee(s, "SN-1");
    dh_Enrolment e = enrol_ok(s, "SN-1");
    dh_Error err = {0};
    assert_int_equal(commit_answer(s, e.registration, 1, 100, &err), DH_OK);

    /* Module state and attempt are written first, then the statement fails:
     * nothing must remain of the change. */
    char id1[DH_UUID_LEN + 1], id3[DH_UUID_LEN + 1], j1[1024], j3[1024];
    answer_id(id1, 1);
    answer_id(id3, 3);
    statement_json(j1, sizeof j1, id1, VERB_ANSWERED, 1);
    statement_json(j3, sizeof j3, id3, VERB_ANSWERED, 3);
    dh_ModuleState m = {.module_id = "quiz", .status = DH_PROGRESS_PASSED, .attempts = 9,
                        .resume_op = DH_RESUME_CLEAR};
    dh_ModuleState other = {.module_id = "lesson", .status = DH_PROGRESS_COMPLETED};
    dh_ModuleState both[2] = {m, other};
    dh_AttemptProgress a = {.status = DH_PROGRESS_PASSED, .has_score = true, .score = 1};
    dh_StoreStatement dup[2] = {{.id = id3, .verb = VERB_ANSWERED, .json = j3},
                                {.id = id1, .verb = VERB_ANSWERED, .json = j1}};
    dh_StoreChange c = {.registration = e.registration, .modules = both, .nmodules = 2,
                        .attempt = &a, .statements = dup, .nstatements = 2};
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "already in the journal");
    assert_non_null(strstr(err.msg, "nothing was saved"));
    /* The same id twice in one change. */
    dup[1] = dup[0];
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "already in the journal");

    assert_int_equal(module_attempts(s, e.registration), 1);
    void *resume = NULL;
    size_t len = 0;
    dh_ModuleState got;
    assert_int_equal(dh_store_module_get(s, e.registration, "quiz", &got, &resume, &len, &err), DH_OK);
    assert_int_equal(len, 100);
    dh_free(resume);
    expect(dh_store_module_get(s, e.registration, "lesson", &got, NULL, NULL, &err), DH_ENOTFOUND,
           &err, NULL);
    dh_Enrolment en;
    assert_int_equal(dh_store_enrolment_get(s, "SN-1", COURSE, VERSION, &en, &err), DH_OK);
    assert_int_equal(en.status, DH_PROGRESS_NOT_ATTEMPTED);
    assert_int_equal(statement_count(s), 1);
    assert_false(has_statement(s, id3));

    /* Refused before anything is written. */
    c.nstatements = 1;
    c.registration = "00000000-0000-4000-8000-000000000000";
    expect(dh_store_commit(s, &c, &err), DH_ENOTFOUND, &err, "no course attempt");
    c.registration = e.registration;
    char wrong[1024];
    statement_json(wrong, sizeof wrong, id1, VERB_ANSWERED, 3); /* JSON says id1 */
    dh_StoreStatement mismatch = {.id = id3, .verb = VERB_ANSWERED, .json = wrong};
    c.statements = &mismatch;
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "its JSON \"id\" is not");
    mismatch.json = j3;
    mismatch.verb = "http://adlnet.gov/expapi/verbs/passed";
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "verb.id is not");
    mismatch.verb = VERB_ANSWERED;
    mismatch.json = "{\"id\": ";
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "not valid JSON");
    char upper[DH_UUID_LEN + 1];
    snprintf(upper, sizeof upper, "%s", id3);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
    mismatch.id = upper;
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "lower-case UUID");
    mismatch.id = id3;
    mismatch.json = j3;
    both[0].score = 1.5;
    both[0].has_score = true;
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "out of range");
    both[0].has_score = false;
    both[1].module_id = "../etc";
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "not a valid module id");
    both[1].module_id = "lesson";
    a.time_ms = -1;
    expect(dh_store_commit(s, &c, &err), DH_EINVAL, &err, "attempt's status");
    a.time_ms = 0;
    c.nstatements = DH_STORE_BATCH_MAX + 1;
    expect(dh_store_commit(s, &c, &err), DH_ELIMIT, &err, "statements");
    c.nstatements = 1;
    assert_int_equal(statement_count(s), 1);
    assert_int_equal(module_attempts(s, e.registration), 1);

    /* And the corrected change goes through. */
    assert_int_equal(dh_store_commit(s, &c, &err), DH_OK);
    assert_int_equal(module_attempts(s, e.registration), 9);
    assert_int_equal(statement_count(s), 2);
    dh_StoreChange nothing = {.registration = e.registration};
    assert_int_equal(dh_store_commit(s, &nothing, &err), DH_OK);
    dh_store_close(s);
}

static void test_statement_journal(void **state)
{
    (void)state;
    dh_Store *s = open_ok(root, NULL);
    int64_t now = 1700000000000;
    dh_store_set_clock(s, fixed_clock, &now);
    make_trainee(s, "SN-1");
    make_trainee(s, "SN-2");
    dh_Enrolment e1 = enrol_ok(s, "SN-1"), e2 = enrol_ok(s, "SN-2");
    dh_Error err = {0};
    for (long k = 1; k <= 10; k++)
        assert_int_equal(commit_answer(s, (k % 2) ? e1.registration : e2.registration, k, 0, &err), DH_OK);

    Collect c = {0};
    assert_int_equal(dh_store_statements_each(s, NULL, collect, &c, &err), DH_OK);
    assert_int_equal(c.n, 10);
    for (int i = 1; i < c.n; i++) assert_true(c.seqs[i] > c.seqs[i - 1]);
    char id[DH_UUID_LEN + 1];
    answer_id(id, 1);
    assert_string_equal(c.ids[0], id);

    dh_StatementQuery q = {.after_seq = c.seqs[2], .max_seq = c.seqs[5]};
    Collect r = {0};
    assert_int_equal(dh_store_statements_each(s, &q, collect, &r, &err), DH_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.seqs[0], c.seqs[3]);
    int64_t count = 0, last = 0;
    assert_int_equal(dh_store_statements_count(s, &q, &count, &last, &err), DH_OK);
    assert_int_equal(count, 3);
    assert_int_equal(last, c.seqs[5]);

    q = (dh_StatementQuery){.registration = e2.registration};
    memset(&r, 0, sizeof r);
    assert_int_equal(dh_store_statements_each(s, &q, collect, &r, &err), DH_OK);
    assert_int_equal(r.n, 5);

    /* Export marks: only the unexported remain for the next export. */
    int64_t marked = 0;
    assert_int_equal(dh_store_statements_mark_exported(s, c.seqs[0], c.seqs[6], "export-1", &marked, &err), DH_OK);
    assert_int_equal(marked, 7);
    q = (dh_StatementQuery){.unexported = true};
    assert_int_equal(dh_store_statements_count(s, &q, &count, &last, &err), DH_OK);
    assert_int_equal(count, 3);
    assert_int_equal(last, c.seqs[9]);
    expect(dh_store_statements_mark_exported(s, 1, 2, "bad id", NULL, &err), DH_EINVAL, &err,
           "printable ASCII");

    /* A callback that stops the listing has its status returned. */
    Collect stop = {.stop_after = 4};
    expect(dh_store_statements_each(s, NULL, collect, &stop, &err), DH_ELIMIT, &err, "stopped after 4");
    assert_int_equal(stop.n, 4);

    /* Stored fields. */
    dh_store_close(s);
    char path[600];
    sqlite3 *db = raw_open(in_root(path, sizeof path, "progress.db"));
    assert_int_equal(raw_int(db, "SELECT count(*) FROM statement WHERE stored_ms = 1700000000000 "
                                 "AND trainee_id IN ('SN-1', 'SN-2') AND course_id = '" COURSE "' "
                                 "AND verb = '" VERB_ANSWERED "'"),
                     10);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM statement WHERE export_id = 'export-1'"), 7);
    sqlite3_close(db);
}

int main(void)
{
    dh_Error err = {0};
    if (dh_store_init(&err) != DH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_creates_directory_and_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_from_every_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_from_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_is_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_database_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_file_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_database_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_orphan_wal_moved_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_database_not_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trainee_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trainee_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trainee_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enrolments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_is_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finished_tries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_journal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
