/* test_progress: a trainee's whole way through the sample course, recorded
 * through progress.c into a real store: lessons read, acknowledgements
 * given, a failed and a passed quiz; the course statements appear exactly
 * when the rules say so, in the same commit; everything survives reopening;
 * a commit that fails leaves the store and the progress object unchanged.
 * `test_progress --write FILE` writes the journal as a JSON array for the
 * xAPI validator (e2e). */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "lesson.h"
#include "package.h"
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SAMPLE DH_SOURCE_DIR "/courses/awareness-essentials"
#define T0 1795838400000LL /* 2026-11-28T00:00:00Z */

static const dh_XapiConfig XAPI = {
    .home_page = "https://kiosk.example.org",
    .activity_base = "https://training.example.org/xapi/",
    .kiosk_id = "5b0c1f9e-3c4d-4e8f-9a7b-2c1d0e9f8a7b",
};

typedef struct Fixture {
    char dir[64];
    dh_Package *pkg;
    dh_Course *course;
    dh_Store *store;
} Fixture;

static const char *write_path; /* --write FILE */

static void open_store(Fixture *f)
{
    dh_Error err;
    dh_StoreNotice notice;
    if (dh_store_open(&f->store, f->dir, &notice, &err) != DH_OK) fail_msg("store: %s", err.msg);
}

static int setup(void **state)
{
    static Fixture f;
    dh_Error err;
    dh_Diags d;
    dh_diags_init(&d);
    snprintf(f.dir, sizeof f.dir, "/tmp/dh-progress-XXXXXX");
    if (!mkdtemp(f.dir)) return -1;
    if (dh_store_init(&err) != DH_OK || dh_package_init(NULL, &err) != DH_OK) return -1;
    if (dh_package_open(&f.pkg, SAMPLE, &err) != DH_OK) return -1;
    if (dh_course_load(&f.course, f.pkg, &d) != DH_OK || !f.course->ok) return -1;
    dh_diags_free(&d);
    open_store(&f);
    dh_Trainee t;
    memset(&t, 0, sizeof t);
    snprintf(t.id, sizeof t.id, "TH-1234");
    snprintf(t.name, sizeof t.name, "\xe0\xb8\xaa\xe0\xb8\xa1\xe0\xb8\x8a\xe0\xb8\xb2\xe0\xb8\xa2 Jaidee");
    snprintf(t.nation, sizeof t.nation, "TH");
    snprintf(t.lang, sizeof t.lang, "en");
    if (dh_store_trainee_create(f.store, &t, NULL, &err) != DH_OK) return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    dh_store_close(f->store);
    dh_course_free(f->course);
    dh_package_close(f->pkg);
    dh_package_deinit();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int module_index(const dh_Course *c, const char *id)
{
    int i = dh_course_module_index(c, id);
    if (i < 0) fail_msg("no module %s", id);
    return i;
}

/* Read a lesson: experienced + one accepted per acknowledgement + completed. */
static void read_lesson(dh_Progress *p, const char *id, int64_t at)
{
    dh_Error err;
    int m = module_index(p->course, id);
    const dh_Lesson *l = p->course->modules[m].u.lesson;
    dh_XapiContext ctx = dh_progress_context(p, m);
    dh_XapiStatement st[8];
    int n = 0;
    assert_int_equal(dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_EXPERIENCED, NULL, at, &err), DH_OK);
    for (int pg = 0; pg < l->npages; pg++)
        for (int b = 0; b < l->pages[pg].nblocks; b++)
            if (l->pages[pg].blocks[b].type == DH_BLOCK_ACKNOWLEDGE)
                assert_int_equal(dh_xapi_accepted(&st[n++], &ctx, &l->pages[pg].blocks[b], at, &err), DH_OK);
    dh_XapiResult r;
    memset(&r, 0, sizeof r);
    r.has_duration = true;
    r.duration_ms = 240000;
    assert_int_equal(dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_COMPLETED, &r, at, &err), DH_OK);
    dh_ModuleState s = {.status = DH_PROGRESS_COMPLETED, .completed = true, .time_ms = 240000,
                        .resume_op = DH_RESUME_CLEAR};
    if (dh_progress_record(p, m, &s, st, n, at, &err) != DH_OK) fail_msg("record: %s", err.msg);
}

/* Submit a quiz attempt with a grade; pass mark 0.8. */
static dh_Status quiz_attempt(dh_Progress *p, int attempt, double grade, int64_t at, dh_Error *err)
{
    int m = module_index(p->course, "check");
    dh_XapiContext ctx = dh_progress_context(p, m);
    dh_XapiStatement st[1];
    dh_XapiResult r;
    memset(&r, 0, sizeof r);
    dh_xapi_score(&r, grade * 10, 0, 10);
    bool passed = grade >= 0.8;
    assert_int_equal(dh_xapi_module_statement(&st[0], &ctx, passed ? DH_XAPI_PASSED : DH_XAPI_FAILED, &r, at, err),
                     DH_OK);
    dh_ModuleState s = {.status = passed ? DH_PROGRESS_PASSED : DH_PROGRESS_IN_PROGRESS, .has_score = true,
                        .score = grade, .attempts = attempt, .time_ms = 300000 * attempt,
                        .completed = true, .passed = passed, .resume_op = DH_RESUME_CLEAR};
    return dh_progress_record(p, m, &s, st, 1, at, err);
}

typedef struct Journal {
    int count;
    char verbs[64][16];
    bool course_level[64];
    FILE *out;
} Journal;

static dh_Status collect(const dh_StoredStatement *s, void *ctx, dh_Error *err)
{
    Journal *j = ctx;
    (void)err;
    cJSON *doc = cJSON_Parse(s->json);
    assert_non_null(doc);
    const cJSON *id = cJSON_GetObjectItem(doc, "id");
    assert_string_equal(id->valuestring, s->id);
    const char *verb = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "verb"), "id")->valuestring;
    assert_string_equal(verb, s->verb);
    const char *object = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "object"), "id")->valuestring;
    if (j->count < 64) {
        snprintf(j->verbs[j->count], sizeof j->verbs[0], "%s", strrchr(verb, '/') + 1);
        j->course_level[j->count] = strstr(object, "/modules/") == NULL;
    }
    if (j->out) fprintf(j->out, "%s%s\n", j->count ? "," : "[", s->json);
    j->count++;
    cJSON_Delete(doc);
    return DH_OK;
}

static void test_through_the_course(void **state)
{
    Fixture *f = *state;
    dh_Error err;
    dh_Progress *p;
    assert_int_equal(dh_progress_open(&p, f->store, f->course, &XAPI, " th-1234 ", &err), DH_OK);
    assert_int_equal(p->verdict.status, DH_PROGRESS_NOT_ATTEMPTED);
    int check = module_index(f->course, "check");
    assert_false(dh_completion_unlocked(f->course, p->modules, check));

    /* Launch: a course statement, no module change. */
    dh_XapiContext ctx = dh_progress_context(p, -1);
    dh_XapiStatement launched;
    assert_int_equal(dh_xapi_course_statement(&launched, &ctx, DH_XAPI_LAUNCHED, NULL, T0, &err), DH_OK);
    assert_int_equal(dh_progress_record(p, -1, NULL, &launched, 1, T0, &err), DH_OK);

    const char *lessons[] = {"phishing", "passwords-mfa", "removable-media", "reporting"};
    for (int i = 0; i < 4; i++) read_lesson(p, lessons[i], T0 + 60000 * (i + 1));
    assert_true(dh_completion_unlocked(f->course, p->modules, check));
    assert_int_equal(p->verdict.status, DH_PROGRESS_IN_PROGRESS);
    assert_false(p->verdict.satisfied);

    /* A failed first attempt: the course is completed (every required
     * module done) but neither passed nor failed (attempts remain). */
    assert_int_equal(quiz_attempt(p, 1, 0.6, T0 + 600000, &err), DH_OK);
    assert_true(p->verdict.completed);
    assert_false(p->verdict.satisfied);
    assert_false(p->verdict.failed);
    /* A passed second attempt completes and passes the course. */
    assert_int_equal(quiz_attempt(p, 2, 0.9, T0 + 900000, &err), DH_OK);
    assert_true(p->verdict.satisfied);
    assert_int_equal(p->verdict.status, DH_PROGRESS_PASSED);
    assert_int_equal(p->enrolment.status, DH_PROGRESS_PASSED);
    assert_true(p->enrolment.completed_ms > 0);

    /* The journal: every statement, in order, course events at the end. */
    Journal j = {0};
    dh_StatementQuery q = {0};
    q.registration = p->enrolment.registration;
    if (write_path) j.out = fopen(write_path, "w");
    assert_int_equal(dh_store_statements_each(f->store, &q, collect, &j, &err), DH_OK);
    if (j.out) {
        fputs("]\n", j.out);
        fclose(j.out);
    }
    /* launched, 4 x (experienced, completed), 3 accepted; then the failed
     * attempt, which completes the quiz and so the course (every required
     * module done); then the passed attempt, which passes the course. */
    assert_int_equal(j.count, 1 + 8 + 3 + 2 + 2);
    assert_string_equal(j.verbs[0], "launched");
    assert_true(j.course_level[0]);
    const char *tail[] = {"failed", "completed", "passed", "passed"};
    const bool course_level[] = {false, true, false, true};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(j.verbs[j.count - 4 + i], tail[i]);
        assert_int_equal(j.course_level[j.count - 4 + i], course_level[i]);
    }
    dh_progress_close(p);

    /* Reopening the store gives back exactly the same progress. */
    dh_store_close(f->store);
    open_store(f);
    assert_int_equal(dh_progress_open(&p, f->store, f->course, &XAPI, "TH-1234", &err), DH_OK);
    assert_int_equal(p->verdict.status, DH_PROGRESS_PASSED);
    assert_true(p->modules[check].passed);
    assert_true(p->states[check].score > 0.89);
    assert_int_equal(p->states[check].attempts, 2);
    dh_progress_close(p);
}

static void test_failed_commit_changes_nothing(void **state)
{
    Fixture *f = *state;
    dh_Error err;
    dh_Progress *p;
    assert_int_equal(dh_progress_open(&p, f->store, f->course, &XAPI, "TH-1234", &err), DH_OK);
    dh_StatementQuery q = {0};
    int64_t before = 0, after = 0;
    assert_int_equal(dh_store_statements_count(f->store, &q, &before, NULL, &err), DH_OK);
    dh_CourseProgress verdict = p->verdict;
    int drill = module_index(f->course, "drill");
    /* Two statements with the same id: the store refuses the whole commit. */
    dh_XapiContext ctx = dh_progress_context(p, drill);
    dh_XapiStatement st[2];
    assert_int_equal(dh_xapi_module_statement(&st[0], &ctx, DH_XAPI_ATTEMPTED, NULL, T0, &err), DH_OK);
    assert_int_equal(dh_xapi_module_statement(&st[1], &ctx, DH_XAPI_INITIALIZED, NULL, T0, &err), DH_OK);
    memcpy(st[1].id, st[0].id, sizeof st[0].id);
    cJSON_ReplaceItemInObject(st[1].json, "id", cJSON_CreateString(st[0].id));
    dh_ModuleState s = {.status = DH_PROGRESS_IN_PROGRESS, .time_ms = 1000, .resume_op = DH_RESUME_KEEP};
    assert_int_not_equal(dh_progress_record(p, drill, &s, st, 2, T0, &err), DH_OK);
    assert_true(err.msg[0] != '\0');
    assert_int_equal(dh_store_statements_count(f->store, &q, &after, NULL, &err), DH_OK);
    assert_int_equal(after, before);
    assert_false(p->modules[drill].attempted);
    assert_int_equal(p->verdict.status, verdict.status);
    dh_ModuleState stored;
    assert_int_equal(dh_store_module_get(f->store, p->enrolment.registration, "drill", &stored, NULL, NULL, &err),
                     DH_ENOTFOUND);
    dh_progress_close(p);
}

/* A statement built for another attempt is refused by the journal. */
static void test_statement_of_another_attempt(void **state)
{
    Fixture *f = *state;
    dh_Error err;
    dh_Progress *p;
    assert_int_equal(dh_progress_open(&p, f->store, f->course, &XAPI, "TH-1234", &err), DH_OK);
    dh_XapiContext ctx = dh_progress_context(p, -1);
    ctx.registration = "0b9f4a6e-2c1d-4e8f-9a7b-3c2d1e0f9a8b";
    dh_XapiStatement st;
    assert_int_equal(dh_xapi_course_statement(&st, &ctx, DH_XAPI_RESUMED, NULL, T0, &err), DH_OK);
    assert_int_equal(dh_progress_record(p, -1, NULL, &st, 1, T0, &err), DH_EINVAL);
    assert_non_null(strstr(err.msg, "context.registration is not the attempt's"));
    dh_progress_close(p);
}

static void test_unknown_trainee(void **state)
{
    Fixture *f = *state;
    dh_Error err;
    dh_Progress *p;
    assert_int_equal(dh_progress_open(&p, f->store, f->course, &XAPI, "NOBODY", &err), DH_ENOTFOUND);
    assert_null(p);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write")) write_path = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_through_the_course),
        cmocka_unit_test(test_failed_commit_changes_nothing),
        cmocka_unit_test(test_statement_of_another_attempt),
        cmocka_unit_test(test_unknown_trainee),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
