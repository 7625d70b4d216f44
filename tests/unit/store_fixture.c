/* store_fixture: what the store's tests share.
 *
 * A fresh folder per test, a trainee with an attempt, "answer k" commits
 * whose statement id and resume blob are fixed functions of k (so a test
 * can ask whether answer k survived without remembering it), and a few
 * raw sqlite3 calls for building and inspecting files the way another
 * program would. Used by test_store, test_store_faults and test_kiosk.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"

#include "alloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char root[256];

int setup(void **state)
{
    (void)state;
    dh_alloc_fail_after(0);
    snprintf(root, sizeof root, "/tmp/dh_test_store.XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

const char *in_root(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", root, name);
    return buf;
}

void expect(dh_Status got, dh_Status want, const dh_Error *err, const char *part)
{
    if (got != want || (part && !strstr(err->msg, part)))
        fail_msg("got status %d '%s', want %d with '...%s...'", got, err->msg, want,
                 part ? part : "");
}

dh_Store *open_ok(const char *dir, dh_StoreNotice *notice)
{
    dh_Store *s = NULL;
    dh_Error err = {0};
    dh_StoreNotice scratch;
    dh_Status st = dh_store_open(&s, dir, notice ? notice : &scratch, &err);
    if (st != DH_OK) fail_msg("open %s: %s", dir, err.msg);
    return s;
}

int64_t fixed_clock(void *ctx)
{
    return *(const int64_t *)ctx;
}

void make_trainee(dh_Store *s, const char *id)
{
    dh_Trainee t = {0};
    dh_Error err = {0};
    snprintf(t.id, sizeof t.id, "%s", id);
    snprintf(t.name, sizeof t.name, "Trainee %s", id);
    dh_Status st = dh_store_trainee_create(s, &t, NULL, &err);
    if (st != DH_OK) fail_msg("create trainee %s: %s", id, err.msg);
}

dh_Enrolment enrol_ok(dh_Store *s, const char *trainee)
{
    dh_Enrolment e;
    dh_Error err = {0};
    dh_Status st = dh_store_enrol(s, trainee, COURSE, VERSION, &e, &err);
    if (st != DH_OK) fail_msg("enrol %s: %s", trainee, err.msg);
    return e;
}

/* The statement id of answer k: a fixed function of k, so a test can ask
 * for "answer k" without remembering random ids. */
void answer_id(char out[DH_UUID_LEN + 1], long k)
{
    unsigned char b[16] = {0xd1, 0x11, 0x4a, 0x11};
    for (int i = 0; i < 8; i++) b[8 + i] = (unsigned char)(k >> (8 * (7 - i)));
    dh_uuid_from_bytes(out, b);
}

void statement_json(char *buf, size_t size, const char *id, const char *verb, long k)
{
    snprintf(buf, size,
             "{\"id\":\"%s\",\"actor\":{\"objectType\":\"Agent\",\"account\":{\"homePage\":"
             "\"https://kiosk.example\",\"name\":\"SN-1\"}},\"verb\":{\"id\":\"%s\"},"
             "\"object\":{\"id\":\"https://courses.example/q%ld\"},\"result\":{\"response\":\"%ld\"}}",
             id, verb, k, k);
}

/* Commit "answer k" to module quiz: attempts = k, resume blob of `blob`
 * bytes derived from k, and one statement with answer_id(k). */
dh_Status commit_answer(dh_Store *s, const char *registration, long k, size_t blob,
                               dh_Error *err)
{
    char id[DH_UUID_LEN + 1], json[1024];
    answer_id(id, k);
    statement_json(json, sizeof json, id, VERB_ANSWERED, k);
    unsigned char *resume = malloc(blob ? blob : 1);
    assert_non_null(resume);
    for (size_t i = 0; i < blob; i++) resume[i] = (unsigned char)(k + (long)i);
    dh_ModuleState m = {.module_id = "quiz", .status = DH_PROGRESS_IN_PROGRESS,
                        .attempts = (int)k, .time_ms = k * 1000, .resume_op = DH_RESUME_SET,
                        .resume = resume, .resume_len = blob};
    dh_StoreStatement x = {.id = id, .verb = VERB_ANSWERED, .timestamp_ms = k, .json = json};
    dh_StoreChange c = {.registration = registration, .modules = &m, .nmodules = 1,
                        .statements = &x, .nstatements = 1};
    dh_Status st = dh_store_commit(s, &c, err);
    free(resume);
    return st;
}

int module_attempts(dh_Store *s, const char *registration)
{
    dh_ModuleState m;
    dh_Error err = {0};
    dh_Status st = dh_store_module_get(s, registration, "quiz", &m, NULL, NULL, &err);
    if (st == DH_ENOTFOUND) return -1;
    if (st != DH_OK) fail_msg("module_get: %s", err.msg);
    return m.attempts;
}

typedef struct Find {
    const char *id;
    bool found;
} Find;

static dh_Status find_id(const dh_StoredStatement *x, void *ctx, dh_Error *err)
{
    (void)err;
    Find *f = ctx;
    f->found = f->found || strcmp(x->id, f->id) == 0;
    return DH_OK;
}

bool has_statement(dh_Store *s, const char *id)
{
    Find f = {id, false};
    dh_Error err = {0};
    assert_int_equal(dh_store_statements_each(s, NULL, find_id, &f, &err), DH_OK);
    return f.found;
}

int64_t statement_count(dh_Store *s)
{
    int64_t n = -1;
    dh_Error err = {0};
    assert_int_equal(dh_store_statements_count(s, NULL, &n, NULL, &err), DH_OK);
    return n;
}

/* ---- raw SQLite, for what the store itself must never do -------------------------------- */

sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) fail_msg("sqlite3_open %s", path);
    sqlite3_extended_result_codes(db, 1);
    return db;
}

void raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", msg ? msg : "?");
        sqlite3_free(msg);
        fail_msg("%s: %s", sql, copy);
    }
}

int raw_rc(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

long long raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Names in dir starting with prefix; returns how many, the first in out. */
int find_prefixed(const char *dir, const char *prefix, char *out, size_t size)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        if (n++ == 0 && out) snprintf(out, size, "%s", e->d_name);
    }
    closedir(d);
    return n;
}
