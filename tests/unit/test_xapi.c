/* test_xapi: every statement builder, against golden files and by rule.
 *
 * The course in tests/data/xapi/course has every module kind, every
 * question type and every kind of scenario action. Each golden case builds
 * one statement from it with a fixed clock and counting UUIDs and compares
 * the pretty-printed JSON with tests/data/xapi/<case>.json byte for byte;
 * the other tests check the rules one at a time (formats, encodings,
 * refusals, out-of-memory paths), so a golden diff is never the only thing
 * that catches a mistake.
 *
 *   test_xapi --update       rewrite the golden files (review the diff!)
 *   test_xapi --write FILE   write every case, with random statement ids,
 *                            as one JSON array for the xAPI validator (e2e)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "course.h"
#include "lesson.h"
#include "package.h"
#include "quiz.h"
#include "scenario.h"
#include "uuid.h"
#include "xapi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COURSE_DIR DH_TEST_DATA "/xapi/course"
#define GOLDEN_DIR DH_TEST_DATA "/xapi"
#define NOW INT64_C(1795839326123) /* 2026-11-28T04:15:26.123Z */
#define REGISTRATION "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f"
#define KIOSK "0b9d1d7e-3f4a-4b2c-8d1e-5f6a7b8c9d0e"

static dh_Course *course;
static uint64_t counter;
static dh_XapiConfig config;

static const dh_XapiConfig golden_config = {
    .home_page = "https://kiosk.example.org",
    .activity_base = "https://training.example.org/xapi/",
    .platform = "Drillhall test",
    .kiosk_id = KIOSK,
    .uuid = dh_uuid_counter,
    .uuid_ctx = &counter,
};

static int setup(void **state)
{
    (void)state;
    dh_Error err = {0};
    if (dh_package_init(NULL, &err) != DH_OK) return -1;
    dh_Package *pkg = NULL;
    dh_Diags d;
    dh_diags_init(&d);
    dh_Status st = dh_package_open(&pkg, COURSE_DIR, &err);
    if (st == DH_OK) st = dh_course_load(&course, pkg, &d);
    dh_package_close(pkg);
    for (int i = 0; i < d.count; i++) fprintf(stderr, "%s\n", d.items[i].msg);
    dh_diags_free(&d);
    if (st != DH_OK || !course || !course->ok) {
        fprintf(stderr, "test course %s does not load: %s\n", COURSE_DIR, err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dh_course_free(course);
    course = NULL;
    return 0;
}

/* ---- the test course ------------------------------------------------------ */

static int module(const char *id)
{
    int i = dh_course_module_index(course, id);
    if (i < 0) fail_msg("test course has no module '%s'", id);
    return i;
}

static const dh_Question *question(const char *id)
{
    const dh_Quiz *q = course->modules[module("check")].u.quiz;
    int i = dh_quiz_question_index(q, id);
    if (i < 0) fail_msg("test quiz has no question '%s'", id);
    return &q->questions[i];
}

static const dh_Scenario *scenario(void) { return course->modules[module("drill")].u.scenario; }

static int action(const char *id)
{
    int i = dh_scenario_action_index(scenario(), id);
    if (i < 0) fail_msg("test scenario has no action '%s'", id);
    return i;
}

static const dh_Block *ack_block(void)
{
    const dh_Lesson *l = course->modules[module("intro")].u.lesson;
    for (int p = 0; p < l->npages; p++)
        for (int b = 0; b < l->pages[p].nblocks; b++)
            if (l->pages[p].blocks[b].type == DH_BLOCK_ACKNOWLEDGE) return &l->pages[p].blocks[b];
    fail_msg("test lesson has no acknowledgement");
    return NULL;
}

static dh_XapiContext context(const char *module_id)
{
    return (dh_XapiContext){
        .config = &config,
        .trainee_id = "SN-0042",
        .trainee_name = "Somchai Phan",
        .course = course,
        .registration = REGISTRATION,
        .module = module_id ? module(module_id) : -1,
        .language = "th",
    };
}

static dh_XapiResult scored(double raw, double max, int64_t ms)
{
    dh_XapiResult r = {0};
    dh_xapi_score(&r, raw, 0, max);
    r.has_duration = true;
    r.duration_ms = ms;
    return r;
}

/* ---- golden cases ------------------------------------------------------------ */

typedef dh_Status (*CaseFn)(dh_XapiStatement *st, dh_Error *err);

static dh_Status c_course_launched(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context(NULL);
    return dh_xapi_course_statement(st, &c, DH_XAPI_LAUNCHED, NULL, NOW, err);
}

static dh_Status c_course_launched_minimal(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiConfig cfg = config;
    cfg.kiosk_id = NULL;
    dh_XapiContext c = context(NULL);
    c.config = &cfg;
    c.trainee_name = NULL;
    c.language = NULL;
    return dh_xapi_course_statement(st, &c, DH_XAPI_LAUNCHED, NULL, NOW, err);
}

static dh_Status c_course_passed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context(NULL);
    dh_XapiResult r = scored(0.85, 1, 3723450);
    r.completion = DH_XAPI_TRUE;
    return dh_xapi_course_statement(st, &c, DH_XAPI_PASSED, &r, NOW, err);
}

static dh_Status c_course_failed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context(NULL);
    dh_XapiResult r = scored(0.5, 1, 1800000);
    return dh_xapi_course_statement(st, &c, DH_XAPI_FAILED, &r, NOW, err);
}

static dh_Status c_course_completed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context(NULL);
    dh_XapiResult r = {.has_duration = true, .duration_ms = 2700004};
    return dh_xapi_course_statement(st, &c, DH_XAPI_COMPLETED, &r, NOW, err);
}

static dh_Status c_course_suspended(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context(NULL);
    dh_XapiResult r = {.has_duration = true, .duration_ms = 61010};
    return dh_xapi_course_statement(st, &c, DH_XAPI_SUSPENDED, &r, NOW, err);
}

static dh_Status c_course_resumed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context(NULL);
    return dh_xapi_course_statement(st, &c, DH_XAPI_RESUMED, NULL, NOW + 86400000, err);
}

static dh_Status c_course_terminated(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context(NULL);
    dh_XapiResult r = {.has_duration = true, .duration_ms = 0};
    return dh_xapi_course_statement(st, &c, DH_XAPI_TERMINATED, &r, NOW, err);
}

static dh_Status c_lesson_initialized(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("intro");
    return dh_xapi_module_statement(st, &c, DH_XAPI_INITIALIZED, NULL, NOW, err);
}

static dh_Status c_lesson_experienced(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("intro");
    dh_XapiResult r = {.has_duration = true, .duration_ms = 125340};
    return dh_xapi_module_statement(st, &c, DH_XAPI_EXPERIENCED, &r, NOW, err);
}

static dh_Status c_lesson_completed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("intro");
    dh_XapiResult r = {.has_duration = true, .duration_ms = 125340};
    return dh_xapi_module_statement(st, &c, DH_XAPI_COMPLETED, &r, NOW, err);
}

static dh_Status c_quiz_attempted(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("check");
    return dh_xapi_module_statement(st, &c, DH_XAPI_ATTEMPTED, NULL, NOW, err);
}

static dh_Status c_quiz_passed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("check");
    dh_XapiResult r = scored(9.5, 11, 612345);
    return dh_xapi_module_statement(st, &c, DH_XAPI_PASSED, &r, NOW, err);
}

static dh_Status c_quiz_failed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("check");
    dh_XapiResult r = scored(4, 11, 300000);
    return dh_xapi_module_statement(st, &c, DH_XAPI_FAILED, &r, NOW, err);
}

static dh_Status c_scenario_launched(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("drill");
    c.has_scenario_time = true;
    c.scenario_time_s = 0;
    return dh_xapi_module_statement(st, &c, DH_XAPI_LAUNCHED, NULL, NOW, err);
}

static dh_Status c_scenario_suspended(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("drill");
    c.has_scenario_time = true;
    c.scenario_time_s = 250.5;
    dh_XapiResult r = {.has_duration = true, .duration_ms = 25050};
    return dh_xapi_module_statement(st, &c, DH_XAPI_SUSPENDED, &r, NOW, err);
}

static dh_Status c_scenario_completed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("drill");
    c.has_scenario_time = true;
    c.scenario_time_s = 410;
    dh_XapiResult r = scored(1, 1, 41000);
    return dh_xapi_module_statement(st, &c, DH_XAPI_COMPLETED, &r, NOW, err);
}

static dh_Status c_scenario_passed(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("drill");
    c.has_scenario_time = true;
    c.scenario_time_s = 410;
    dh_XapiResult r = scored(1, 1, 41000);
    return dh_xapi_module_statement(st, &c, DH_XAPI_PASSED, &r, NOW, err);
}

static dh_Status c_scenario_terminated(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("drill");
    c.has_scenario_time = true;
    c.scenario_time_s = 410;
    return dh_xapi_module_statement(st, &c, DH_XAPI_TERMINATED, NULL, NOW, err);
}

static dh_Status answered(dh_XapiStatement *st, const char *qid, const dh_XapiResponse *resp, double raw,
                          dh_Error *err)
{
    dh_XapiContext c = context("check");
    const dh_Question *q = question(qid);
    dh_XapiResult r = {0};
    dh_xapi_score(&r, raw * q->points, -q->points, q->points);
    r.success = raw >= 1 ? DH_XAPI_TRUE : DH_XAPI_FALSE;
    r.has_duration = true;
    r.duration_ms = 12345;
    return dh_xapi_answered(st, &c, q, resp, &r, NOW, err);
}

static dh_Status c_answered_single(dh_XapiStatement *st, dh_Error *err)
{
    static const int items[] = {1};
    dh_XapiResponse r = {.items = items, .nitems = 1};
    return answered(st, "q-single", &r, 1, err);
}

static dh_Status c_answered_multiple(dh_XapiStatement *st, dh_Error *err)
{
    static const int items[] = {2, 0, 2}; /* ticked out of order, once twice */
    dh_XapiResponse r = {.items = items, .nitems = 3};
    return answered(st, "q-multiple", &r, 0, err);
}

static dh_Status c_answered_truefalse(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiResponse r = {.value = false};
    return answered(st, "q-truefalse", &r, 1, err);
}

static dh_Status c_answered_short(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiResponse r = {.text = "www.pay-review.net"};
    return answered(st, "q-short", &r, 0.5, err);
}

static dh_Status c_answered_numeric(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiResponse r = {.has_number = true, .number = 15};
    return answered(st, "q-numeric", &r, 1, err);
}

static dh_Status c_answered_numeric_range(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiResponse r = {.has_number = true, .number = 2.25};
    return answered(st, "q-numeric-range", &r, 1, err);
}

static dh_Status c_answered_matching(dh_XapiStatement *st, dh_Error *err)
{
    static const int items[] = {2, -1}; /* sms -> stuffing, call left unmatched */
    dh_XapiResponse r = {.items = items, .nitems = 2};
    return answered(st, "q-matching", &r, 0, err);
}

static dh_Status c_answered_ordering(dh_XapiStatement *st, dh_Error *err)
{
    static const int items[] = {0, 2, 1};
    dh_XapiResponse r = {.items = items, .nitems = 3};
    return answered(st, "q-ordering", &r, 0.5, err);
}

static dh_Status c_answered_gapselect(dh_XapiStatement *st, dh_Error *err)
{
    static const int items[] = {0, -1};
    dh_XapiResponse r = {.items = items, .nitems = 2};
    return answered(st, "q-gapselect", &r, 0.5, err);
}

static dh_Status c_answered_hottext(dh_XapiStatement *st, dh_Error *err)
{
    static const int items[] = {2, 0};
    dh_XapiResponse r = {.items = items, .nitems = 2};
    return answered(st, "q-hottext", &r, 1, err);
}

static dh_Status c_answered_hotspot(dh_XapiStatement *st, dh_Error *err)
{
    static const int items[] = {0};
    static const double clicks[] = {400.5, 130, 700, 20};
    dh_XapiResponse r = {.items = items, .nitems = 1, .clicks = clicks, .nclicks = 2};
    return answered(st, "q-hotspot", &r, 0.5, err);
}

static dh_Status c_answered_unanswered(dh_XapiStatement *st, dh_Error *err)
{
    return answered(st, "q-single", NULL, 0, err);
}

static dh_Status c_decision_plain(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("drill");
    c.has_scenario_time = true;
    c.scenario_time_s = 190;
    return dh_xapi_decision(st, &c, scenario(), action("report"), -1, NULL, NOW, err);
}

static dh_Status c_decision_text(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("drill");
    c.has_scenario_time = true;
    c.scenario_time_s = 120;
    return dh_xapi_decision(st, &c, scenario(), action("note"), -1, "The sender's domain is examp1e.com.", NOW,
                            err);
}

static dh_Status c_decision_choice(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("drill");
    c.has_scenario_time = true;
    c.scenario_time_s = 95.5;
    return dh_xapi_decision(st, &c, scenario(), action("call"), action("call-mail"), NULL, NOW, err);
}

static dh_Status c_accepted(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("intro");
    c.language = "en";
    return dh_xapi_accepted(st, &c, ack_block(), NOW, err);
}

static dh_Status c_page_experienced(dh_XapiStatement *st, dh_Error *err)
{
    dh_XapiContext c = context("intro");
    return dh_xapi_page_experienced(st, &c, 0, NOW, err);
}

static const struct {
    const char *name;
    CaseFn fn;
} cases[] = {
    {"course-launched", c_course_launched},
    {"course-launched-minimal", c_course_launched_minimal},
    {"course-passed", c_course_passed},
    {"course-failed", c_course_failed},
    {"course-completed", c_course_completed},
    {"course-suspended", c_course_suspended},
    {"course-resumed", c_course_resumed},
    {"course-terminated", c_course_terminated},
    {"lesson-initialized", c_lesson_initialized},
    {"lesson-experienced", c_lesson_experienced},
    {"lesson-completed", c_lesson_completed},
    {"lesson-accepted", c_accepted},
    {"quiz-attempted", c_quiz_attempted},
    {"quiz-passed", c_quiz_passed},
    {"quiz-failed", c_quiz_failed},
    {"answered-single", c_answered_single},
    {"answered-multiple", c_answered_multiple},
    {"answered-truefalse", c_answered_truefalse},
    {"answered-short", c_answered_short},
    {"answered-numeric", c_answered_numeric},
    {"answered-numeric-range", c_answered_numeric_range},
    {"answered-matching", c_answered_matching},
    {"answered-ordering", c_answered_ordering},
    {"answered-gapselect", c_answered_gapselect},
    {"answered-hottext", c_answered_hottext},
    {"answered-hotspot", c_answered_hotspot},
    {"answered-unanswered", c_answered_unanswered},
    {"scenario-launched", c_scenario_launched},
    {"scenario-decision", c_decision_plain},
    {"scenario-decision-text", c_decision_text},
    {"scenario-decision-choice", c_decision_choice},
    {"scenario-suspended", c_scenario_suspended},
    {"scenario-completed", c_scenario_completed},
    {"scenario-passed", c_scenario_passed},
    {"scenario-terminated", c_scenario_terminated},
    {"lesson-page-experienced", c_page_experienced}, /* appended: earlier cases keep their ids */
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

/* Build case i with the golden configuration; the result is owned by the caller. */
static cJSON *build_case(int i, bool random_ids)
{
    config = golden_config;
    if (random_ids) config.uuid = NULL;
    counter = (uint64_t)i << 8; /* case 2's first id ends in 201: no two files share one */
    dh_XapiStatement st = {0};
    dh_Error err = {0};
    dh_Status s = cases[i].fn(&st, &err);
    if (s != DH_OK) fail_msg("case %s: %s", cases[i].name, err.msg);
    return st.json;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

static void test_golden(void **state)
{
    (void)state;
    int failures = 0;
    for (int i = 0; i < NCASES; i++) {
        cJSON *j = build_case(i, false);
        char *got = cJSON_Print(j);
        cJSON_Delete(j);
        char path[512];
        snprintf(path, sizeof path, "%s/%s.json", GOLDEN_DIR, cases[i].name);
        char *want = read_file(path);
        size_t n = strlen(got);
        bool same = want && strlen(want) == n + 1 && !memcmp(want, got, n) && want[n] == '\n';
        if (!same) {
            print_error("%s differs from what the builder makes now:\n%s\n(run test_xapi --update and review the "
                        "diff if the change is intended)\n",
                        path, got);
            failures++;
        }
        free(want);
        cJSON_free(got);
    }
    assert_int_equal(failures, 0);
}

/* ---- the statement's parts, rule by rule --------------------------------------- */

/* The member at a dotted path ("result.score.raw", "choices.0.id"); a
 * segment that starts with "http" is an IRI key and takes the rest. */
static cJSON *at(const cJSON *j, const char *path)
{
    const cJSON *cur = j;
    const char *p = path;
    while (cur && *p) {
        char seg[256];
        size_t n = strncmp(p, "http", 4) ? strcspn(p, ".") : strlen(p);
        snprintf(seg, sizeof seg, "%.*s", (int)n, p);
        if (seg[0] >= '0' && seg[0] <= '9') cur = cJSON_GetArrayItem(cur, atoi(seg));
        else cur = cJSON_GetObjectItemCaseSensitive(cur, seg);
        p += n;
        if (*p == '.') p++;
    }
    return (cJSON *)cur;
}

static double num_at(const cJSON *j, const char *path)
{
    const cJSON *v = at(j, path);
    if (!cJSON_IsNumber(v)) fail_msg("%s is not a number", path);
    return v->valuedouble;
}

static const char *str_at(const cJSON *j, const char *path)
{
    const cJSON *v = at(j, path);
    if (!cJSON_IsString(v)) fail_msg("%s is not a string", path);
    return v->valuestring;
}

static int case_index(const char *name)
{
    for (int i = 0; i < NCASES; i++)
        if (!strcmp(cases[i].name, name)) return i;
    fail_msg("no case %s", name);
    return -1;
}

static cJSON *build(const char *name) { return build_case(case_index(name), false); }

static void test_actor_is_an_account(void **state)
{
    (void)state;
    cJSON *j = build("course-launched");
    assert_string_equal(str_at(j, "actor.objectType"), "Agent");
    assert_string_equal(str_at(j, "actor.name"), "Somchai Phan");
    assert_string_equal(str_at(j, "actor.account.homePage"), "https://kiosk.example.org");
    assert_string_equal(str_at(j, "actor.account.name"), "SN-0042");
    assert_null(at(j, "actor.mbox"));
    assert_null(at(j, "actor.mbox_sha1sum"));
    assert_int_equal(cJSON_GetArraySize(at(j, "actor")), 3);
    cJSON_Delete(j);
    j = build("course-launched-minimal"); /* no display name: none recorded */
    assert_null(at(j, "actor.name"));
    assert_null(at(j, "context.extensions"));
    assert_string_equal(str_at(j, "context.language"), "en"); /* the course's first language */
    cJSON_Delete(j);
}

static void test_frame(void **state)
{
    (void)state;
    cJSON *j = build("course-passed");
    assert_string_equal(str_at(j, "id"), "00000000-0000-4000-8000-000000000201");
    assert_string_equal(str_at(j, "timestamp"), "2026-11-28T04:15:26.123Z");
    assert_string_equal(str_at(j, "version"), "1.0.3");
    assert_string_equal(str_at(j, "verb.id"), "http://adlnet.gov/expapi/verbs/passed");
    assert_string_equal(str_at(j, "verb.display.en-US"), "passed");
    assert_string_equal(str_at(j, "object.id"), "https://training.example.org/xapi/courses/org.drillhall.tests.xapi");
    assert_string_equal(str_at(j, "object.definition.type"), "http://adlnet.gov/expapi/activities/course");
    assert_string_equal(str_at(j, "object.definition.name.th"), "หลักสูตรทดสอบ");
    assert_string_equal(str_at(j, "context.registration"), REGISTRATION);
    assert_string_equal(str_at(j, "context.revision"), "2.1.0");
    assert_string_equal(str_at(j, "context.platform"), "Drillhall test");
    assert_string_equal(str_at(j, "context.language"), "th");
    assert_string_equal(str_at(j, "context.extensions.https://training.example.org/xapi/extensions/kiosk"), KIOSK);
    assert_null(at(j, "context.contextActivities.parent"));
    assert_string_equal(str_at(j, "context.contextActivities.category.0.id"),
                        "https://training.example.org/xapi/profiles/drillhall/1.0");
    assert_true(cJSON_IsTrue(at(j, "result.success")));
    assert_true(cJSON_IsTrue(at(j, "result.completion")));
    assert_string_equal(str_at(j, "result.duration"), "PT1H2M3.45S");
    assert_true(num_at(j, "result.score.scaled") == 0.85);
    cJSON_Delete(j);
}

static void test_verbs_set_success_and_completion(void **state)
{
    (void)state;
    cJSON *j = build("course-failed");
    assert_true(cJSON_IsFalse(at(j, "result.success")));
    assert_null(at(j, "result.completion"));
    cJSON_Delete(j);
    j = build("lesson-completed");
    assert_true(cJSON_IsTrue(at(j, "result.completion")));
    assert_null(at(j, "result.success"));
    cJSON_Delete(j);
    j = build("course-launched"); /* nothing to say: no result at all */
    assert_null(at(j, "result"));
    cJSON_Delete(j);
    /* Every verb has an IRI and an English word. */
    for (int v = 0; v < DH_XAPI_VERB_COUNT; v++) {
        assert_true(strncmp(dh_xapi_verb_iri((dh_XapiVerb)v), "http", 4) == 0);
        assert_true(strlen(dh_xapi_verb_display((dh_XapiVerb)v)) > 3);
    }
    assert_string_equal(dh_xapi_verb_iri(DH_XAPI_ACCEPTED), "http://activitystrea.ms/schema/1.0/accept");
}

static void test_module_context(void **state)
{
    (void)state;
    cJSON *j = build("quiz-passed");
    assert_string_equal(str_at(j, "object.id"),
                        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi/modules/check");
    assert_string_equal(str_at(j, "object.definition.type"), "http://adlnet.gov/expapi/activities/assessment");
    assert_string_equal(str_at(j, "context.contextActivities.parent.0.id"),
                        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi");
    assert_null(at(j, "context.contextActivities.grouping"));
    cJSON_Delete(j);
    j = build("lesson-experienced");
    assert_string_equal(str_at(j, "object.definition.type"), "http://adlnet.gov/expapi/activities/lesson");
    cJSON_Delete(j);
    j = build("lesson-page-experienced");
    assert_string_equal(str_at(j, "verb.display.en-US"), "experienced");
    assert_string_equal(str_at(j, "object.id"),
                        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi/modules/intro/pages/1");
    assert_string_equal(str_at(j, "object.definition.type"), "http://adlnet.gov/expapi/activities/module");
    assert_string_equal(str_at(j, "context.contextActivities.parent.0.id"),
                        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi/modules/intro");
    cJSON_Delete(j);
    {
        dh_XapiContext pc = context("intro");
        dh_XapiStatement pst = {0};
        dh_Error perr = {0};
        assert_int_equal(dh_xapi_page_experienced(&pst, &pc, 1, NOW, &perr), DH_EINVAL);
        assert_string_equal(perr.msg, "page 2 is not a page of lesson 'intro'");
    }
    j = build("scenario-suspended");
    assert_string_equal(str_at(j, "object.definition.type"), "http://adlnet.gov/expapi/activities/simulation");
    assert_true(num_at(j, "context.extensions.https://training.example.org/xapi/extensions/scenario-time") == 250.5);
    cJSON_Delete(j);
}

static void expect_interaction(const char *name, const char *type, const char *pattern, const char *response)
{
    cJSON *j = build(name);
    assert_string_equal(str_at(j, "verb.id"), "http://adlnet.gov/expapi/verbs/answered");
    assert_string_equal(str_at(j, "object.definition.type"), "http://adlnet.gov/expapi/activities/cmi.interaction");
    assert_string_equal(str_at(j, "object.definition.interactionType"), type);
    if (pattern) assert_string_equal(str_at(j, "object.definition.correctResponsesPattern.0"), pattern);
    else assert_null(at(j, "object.definition.correctResponsesPattern"));
    if (response) assert_string_equal(str_at(j, "result.response"), response);
    else assert_null(at(j, "result.response"));
    assert_string_equal(str_at(j, "context.contextActivities.parent.0.id"),
                        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi/modules/check");
    assert_string_equal(str_at(j, "context.contextActivities.grouping.0.id"),
                        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi");
    cJSON_Delete(j);
}

static void test_interactions(void **state)
{
    (void)state;
    expect_interaction("answered-single", "choice", "report", "phone");
    expect_interaction("answered-multiple", "choice", "urgency[,]lookalike", "urgency[,]signature");
    expect_interaction("answered-truefalse", "true-false", "false", "false");
    expect_interaction("answered-short", "fill-in", "{case_matters=true}{lang=en}pay-review.net",
                       "www.pay-review.net");
    expect_interaction("answered-numeric", "numeric", "15", "15");
    expect_interaction("answered-numeric-range", "numeric", "1.5[:]2.5", "2.25");
    expect_interaction("answered-matching", "matching", "sms[.]smishing[,]call[.]vishing", "sms[.]stuffing");
    expect_interaction("answered-ordering", "sequencing", "stop[,]report[,]follow", "stop[,]follow[,]report");
    expect_interaction("answered-gapselect", "matching", "gap1[.]1[,]gap2[.]3", "gap1[.]1");
    expect_interaction("answered-hottext", "choice", "from[,]urgent", "from[,]urgent");
    expect_interaction("answered-hotspot", "choice", "sender[,]link", "sender");
    expect_interaction("answered-unanswered", "choice", "report", NULL);

    /* Single choice: each full-marks answer is a pattern of its own. */
    cJSON *j = build("answered-single");
    assert_string_equal(str_at(j, "object.definition.correctResponsesPattern.1"), "phone");
    assert_int_equal(cJSON_GetArraySize(at(j, "object.definition.correctResponsesPattern")), 2);
    assert_string_equal(str_at(j, "object.definition.choices.3.id"), "click");
    assert_string_equal(str_at(j, "object.definition.choices.0.description.th"), "รายงาน");
    /* Inline markup is for the screen: names and descriptions are plain. */
    assert_string_equal(str_at(j, "object.definition.description.en"), "What do you do with a suspicious e-mail?");
    assert_true(num_at(j, "result.score.min") == -1);
    cJSON_Delete(j);

    /* Short answers: only literal full-marks patterns, in every language. */
    j = build("answered-short");
    const cJSON *p = at(j, "object.definition.correctResponsesPattern");
    assert_int_equal(cJSON_GetArraySize(p), 3);
    assert_string_equal(str_at(j, "object.definition.correctResponsesPattern.1"),
                        "{case_matters=true}{lang=th}pay-review.net");
    assert_string_equal(str_at(j, "object.definition.correctResponsesPattern.2"), "{case_matters=true}PAY-REVIEW.NET");
    cJSON_Delete(j);

    /* Numeric: a tolerance is a range, exact values stay exact. */
    j = build("answered-numeric");
    assert_int_equal(cJSON_GetArraySize(at(j, "object.definition.correctResponsesPattern")), 1);
    cJSON_Delete(j);

    /* Matching keeps its distractors as targets. */
    j = build("answered-matching");
    assert_int_equal(cJSON_GetArraySize(at(j, "object.definition.source")), 2);
    assert_int_equal(cJSON_GetArraySize(at(j, "object.definition.target")), 3);
    cJSON_Delete(j);

    /* Gap select: gaps are sources, the words targets; the stem shows blanks. */
    j = build("answered-gapselect");
    assert_string_equal(str_at(j, "object.definition.source.1.id"), "gap2");
    assert_string_equal(str_at(j, "object.definition.target.3.id"), "4");
    assert_string_equal(str_at(j, "object.definition.target.3.description.en"), "a security key");
    assert_string_equal(str_at(j, "object.definition.description.en"),
                        "Use ____ for passwords; the weakest MFA is ____.");
    cJSON_Delete(j);

    /* Hot text: the spans are the choices, described by their visible text. */
    j = build("answered-hottext");
    assert_int_equal(cJSON_GetArraySize(at(j, "object.definition.choices")), 3);
    assert_string_equal(str_at(j, "object.definition.choices.2.description.en"), "act now or lose your mailbox");
    assert_string_equal(str_at(j, "object.definition.choices.0.description.th"), "จาก: helpdesk@examp1e.com");
    assert_string_equal(str_at(j, "object.definition.description.en"),
                        "Click the warning signs: From: helpdesk@examp1e.com Hello, act now or lose your mailbox");
    cJSON_Delete(j);

    /* Hotspot: regions are the choices; the clicks are kept for review. */
    j = build("answered-hotspot");
    const cJSON *clicks = at(j, "result.extensions.https://training.example.org/xapi/extensions/clicks");
    assert_non_null(clicks);
    assert_int_equal(cJSON_GetArraySize(clicks), 2);
    assert_true(cJSON_GetArrayItem(cJSON_GetArrayItem(clicks, 0), 0)->valuedouble == 400.5);
    cJSON_Delete(j);
}

static void test_decisions_and_acknowledgements(void **state)
{
    (void)state;
    cJSON *j = build("scenario-decision");
    assert_string_equal(str_at(j, "verb.id"), "http://adlnet.gov/expapi/verbs/interacted");
    assert_string_equal(str_at(j, "object.id"),
                        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi/modules/drill/actions/report");
    assert_string_equal(str_at(j, "object.definition.type"), "http://adlnet.gov/expapi/activities/interaction");
    assert_string_equal(str_at(j, "object.definition.name.en"), "Report to the SOC");
    assert_null(at(j, "result"));
    assert_true(num_at(j, "context.extensions.https://training.example.org/xapi/extensions/scenario-time") == 190);
    cJSON_Delete(j);
    j = build("scenario-decision-text");
    assert_string_equal(str_at(j, "result.response"), "The sender's domain is examp1e.com.");
    assert_string_equal(str_at(j, "object.definition.description.th"), "อะไรทำให้อีเมลน่าสงสัย");
    cJSON_Delete(j);
    j = build("scenario-decision-choice");
    assert_string_equal(str_at(j, "result.response"), "call-mail");
    cJSON_Delete(j);

    /* A choice taken on its own is recorded as its action's response. */
    config = golden_config;
    dh_XapiContext c = context("drill");
    dh_XapiStatement st = {0};
    dh_Error err = {0};
    assert_int_equal(dh_xapi_decision(&st, &c, scenario(), action("call-other"), -1, NULL, NOW, &err), DH_OK);
    assert_string_equal(str_at(st.json, "result.response"), "call-other");
    assert_true(strstr(str_at(st.json, "object.id"), "/actions/call") != NULL);
    dh_xapi_statement_free(&st);
    /* ... and a choice that is not the action's is refused. */
    assert_int_equal(dh_xapi_decision(&st, &c, scenario(), action("call"), action("note"), NULL, NOW, &err),
                     DH_EINVAL);
    assert_string_equal(err.msg, "'note' is not one of the choices of action 'call'");
    assert_int_equal(dh_xapi_decision(&st, &c, scenario(), 999, -1, NULL, NOW, &err), DH_EINVAL);

    j = build("lesson-accepted");
    assert_string_equal(str_at(j, "verb.display.en-US"), "accepted");
    assert_string_equal(
        str_at(j, "object.id"),
        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi/modules/intro/acknowledgements/will-report");
    assert_string_equal(str_at(j, "object.definition.name.en"), "I will report suspicious e-mails at once.");
    assert_string_equal(str_at(j, "context.contextActivities.parent.0.id"),
                        "https://training.example.org/xapi/courses/org.drillhall.tests.xapi/modules/intro");
    cJSON_Delete(j);
}

/* ---- formats ---------------------------------------------------------------------- */

static void test_timestamps(void **state)
{
    (void)state;
    char t[DH_XAPI_TIMESTAMP_LEN + 1];
    assert_true(dh_xapi_timestamp(t, 0));
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
    assert_true(dh_xapi_timestamp(t, NOW));
    assert_string_equal(t, "2026-11-28T04:15:26.123Z");
    assert_true(dh_xapi_timestamp(t, INT64_C(951868799999)));
    assert_string_equal(t, "2000-02-29T23:59:59.999Z");
    assert_true(dh_xapi_timestamp(t, INT64_C(1735646400500)));
    assert_string_equal(t, "2024-12-31T12:00:00.500Z");
    assert_true(dh_xapi_timestamp(t, INT64_C(253402300799999)));
    assert_string_equal(t, "9999-12-31T23:59:59.999Z");
    assert_false(dh_xapi_timestamp(t, INT64_C(253402300800000)));
    assert_false(dh_xapi_timestamp(t, -1));

    /* A clock that cannot be written as a timestamp is refused, not garbled. */
    config = golden_config;
    dh_XapiContext c = context(NULL);
    dh_XapiStatement st = {0};
    dh_Error err = {0};
    assert_int_equal(dh_xapi_course_statement(&st, &c, DH_XAPI_LAUNCHED, NULL, -5, &err), DH_EINVAL);
    assert_null(st.json);
}

static void expect_duration(int64_t ms, const char *want)
{
    char d[DH_XAPI_DURATION_MAX];
    dh_xapi_duration(d, ms);
    if (strcmp(d, want)) fail_msg("duration of %lld ms: got %s, want %s", (long long)ms, d, want);
}

static void test_durations(void **state)
{
    (void)state;
    expect_duration(0, "PT0S");
    expect_duration(-2500, "PT0S"); /* a clock that went backwards */
    expect_duration(4, "PT0S");     /* rounds to 0.00 s */
    expect_duration(5, "PT0.01S");
    expect_duration(3400, "PT3.4S");
    expect_duration(3450, "PT3.45S");
    expect_duration(3454, "PT3.45S");
    expect_duration(3455, "PT3.46S");
    expect_duration(60000, "PT1M");
    expect_duration(59995, "PT1M"); /* carries into the minutes */
    expect_duration(3723450, "PT1H2M3.45S");
    expect_duration(3600000, "PT1H");
    expect_duration(3600010, "PT1H0.01S");
    expect_duration(INT64_C(90061000), "PT25H1M1S");
    expect_duration(INT64_MAX, "PT2562047788015H12M55.81S");
}

static void test_activity_iris(void **state)
{
    (void)state;
    char *s = dh_xapi_activity_iri("https://x.example/base//", "org.example.c", NULL, NULL, NULL);
    assert_string_equal(s, "https://x.example/base/courses/org.example.c");
    dh_free(s);
    s = dh_xapi_activity_iri("https://x.example", "c", "m 1/ä", "questions", "q?#%~_.-");
    assert_string_equal(s, "https://x.example/courses/c/modules/m%201%2F%C3%A4/questions/q%3F%23%25~_.-");
    dh_free(s);
    s = dh_xapi_activity_iri("urn:drillhall", "c", "m", NULL, NULL);
    assert_string_equal(s, "urn:drillhall/courses/c/modules/m");
    dh_free(s);
}

static void test_score_helper(void **state)
{
    (void)state;
    dh_XapiResult r = {0};
    dh_xapi_score(&r, 3, 0, 4);
    assert_true(r.has_score && r.scaled == 0.75 && r.raw == 3 && r.max == 4);
    dh_xapi_score(&r, -6, -4, 4); /* below min: scaled is clamped, the statement is then refused */
    assert_true(r.scaled == -1);
    dh_xapi_score(&r, 0, 0, 0);
    assert_true(r.scaled == 0);
}

/* ---- refusals ---------------------------------------------------------------------- */

static void expect_refusal(const dh_XapiContext *c, const dh_XapiResult *r, dh_XapiVerb verb, const char *msg)
{
    dh_XapiStatement st = {.json = (cJSON *)1};
    dh_Error err = {0};
    assert_int_equal(dh_xapi_course_statement(&st, c, verb, r, NOW, &err), DH_EINVAL);
    assert_null(st.json);
    if (strcmp(err.msg, msg)) fail_msg("got \"%s\", want \"%s\"", err.msg, msg);
}

static void test_bad_configuration_and_context(void **state)
{
    (void)state;
    dh_XapiConfig cfg = golden_config;
    dh_XapiContext c = context(NULL);
    c.config = &cfg;
    cfg.home_page = "kiosk.example.org";
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED,
                   "the xAPI home page 'kiosk.example.org' is not an absolute IRI; set it to the kiosk's or "
                   "programme's address, e.g. https://training.example.org");
    cfg.home_page = "https://kiosk example.org";
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED,
                   "the xAPI home page 'https://kiosk example.org' is not an absolute IRI; set it to the kiosk's or "
                   "programme's address, e.g. https://training.example.org");
    cfg = golden_config;
    cfg.activity_base = "https://training.example.org/x?y=1";
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED,
                   "the xAPI activity base 'https://training.example.org/x?y=1' is not an absolute IRI without '?' "
                   "or '#'; set it to an address the programme controls, e.g. https://training.example.org/xapi");
    cfg.activity_base = NULL;
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED,
                   "the xAPI activity base '' is not an absolute IRI without '?' or '#'; set it to an address the "
                   "programme controls, e.g. https://training.example.org/xapi");
    cfg = golden_config;
    cfg.kiosk_id = "kiosk-7";
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED, "the kiosk id 'kiosk-7' is not a UUID");
    cfg = golden_config;

    c.trainee_id = "";
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED, "a statement needs the trainee's id, and none was given");
    c = context(NULL);
    c.config = &cfg;
    c.registration = "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6";
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED, "the registration '6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6' is not a UUID");
    c = context(NULL);
    c.config = &cfg;
    c.language = "english";
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED, "'english' is not a language tag");
    c = context(NULL);
    c.config = &cfg;
    c.has_scenario_time = true;
    c.scenario_time_s = -1;
    expect_refusal(&c, NULL, DH_XAPI_LAUNCHED,
                   "the scenario time -1 s is not a time since the exercise started");
    assert_int_equal(dh_xapi_config_check(&golden_config, NULL), DH_OK);
}

static void test_bad_results(void **state)
{
    (void)state;
    config = golden_config;
    dh_XapiContext c = context(NULL);
    dh_XapiResult r = {.success = DH_XAPI_FALSE};
    expect_refusal(&c, &r, DH_XAPI_PASSED, "a 'passed' statement cannot say success: false");
    r.success = DH_XAPI_TRUE;
    expect_refusal(&c, &r, DH_XAPI_FAILED, "a 'failed' statement cannot say success: true");
    r = (dh_XapiResult){.completion = DH_XAPI_FALSE};
    expect_refusal(&c, &r, DH_XAPI_COMPLETED, "a 'completed' statement cannot say completion: false");
    r = (dh_XapiResult){0};
    dh_xapi_score(&r, 5, 0, 4);
    expect_refusal(&c, &r, DH_XAPI_PASSED, "the raw score 5 is outside its range 0..4");
    r.raw = NAN;
    expect_refusal(&c, &r, DH_XAPI_PASSED, "a score must be a finite number");
    dh_xapi_score(&r, 1, 0, 1);
    r.scaled = 1.5;
    expect_refusal(&c, &r, DH_XAPI_PASSED, "the scaled score 1.5 is outside -1..1");
}

static void expect_bad_response(const char *qid, const dh_XapiResponse *resp, const char *msg)
{
    config = golden_config;
    dh_XapiContext c = context("check");
    dh_XapiStatement st = {0};
    dh_Error err = {0};
    assert_int_equal(dh_xapi_answered(&st, &c, question(qid), resp, NULL, NOW, &err), DH_EINVAL);
    assert_null(st.json);
    if (strcmp(err.msg, msg)) fail_msg("%s: got \"%s\", want \"%s\"", qid, err.msg, msg);
}

static void test_bad_responses(void **state)
{
    (void)state;
    static const int four[] = {4}, neg[] = {-1}, one[] = {1}, two[] = {0, 1, 2}, cnt[] = {0, 0};
    static const double far[] = {1, 2, 3, 4, 5, 6, 7, 8}, inf[] = {INFINITY, 0};
    expect_bad_response("q-single", &(dh_XapiResponse){.items = four, .nitems = 1},
                        "response item 4 is not one of the question's 4 options");
    expect_bad_response("q-multiple", &(dh_XapiResponse){.items = neg, .nitems = 1},
                        "response item -1 is not one of the question's 3 options");
    expect_bad_response("q-matching", &(dh_XapiResponse){.items = one, .nitems = 1},
                        "the response has 1 entries but the question has 2");
    expect_bad_response("q-gapselect", &(dh_XapiResponse){.items = two, .nitems = 3},
                        "the response has 3 entries but the question has 2");
    expect_bad_response("q-ordering", &(dh_XapiResponse){.items = four, .nitems = 1},
                        "response item 4 is not one of the question's 3 options");
    expect_bad_response("q-hotspot", &(dh_XapiResponse){.items = cnt, .nitems = 1, .clicks = far, .nclicks = 4},
                        "the response has 4 clicks but the question allows 3");
    expect_bad_response("q-hotspot", &(dh_XapiResponse){.clicks = inf, .nclicks = 1},
                        "a hotspot click must have finite coordinates");
    expect_bad_response("q-numeric", &(dh_XapiResponse){.has_number = true, .number = NAN},
                        "a numeric response must be a finite number");
    expect_bad_response("q-description", &(dh_XapiResponse){0},
                        "'q-description' is a description: it takes no answer, so nothing was answered");
}

/* ---- ids, memory, output ------------------------------------------------------------ */

static void test_uuids(void **state)
{
    (void)state;
    unsigned char zero[16] = {0}, ones[16];
    memset(ones, 0xff, sizeof ones);
    char u[DH_UUID_LEN + 1];
    dh_uuid_from_bytes(u, zero);
    assert_string_equal(u, "00000000-0000-4000-8000-000000000000");
    dh_uuid_from_bytes(u, ones);
    assert_string_equal(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    assert_true(dh_uuid_valid(u));
    assert_true(dh_uuid_valid("6F1C2A4E-8B3D-4C5E-9F70-1A2B3C4D5E6F"));
    assert_false(dh_uuid_valid("6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6"));
    assert_false(dh_uuid_valid("6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6ff"));
    assert_false(dh_uuid_valid("6f1c2a4e+8b3d-4c5e-9f70-1a2b3c4d5e6f"));
    assert_false(dh_uuid_valid("6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6g"));
    assert_false(dh_uuid_valid(NULL));
    uint64_t n = 0xabcdef;
    dh_uuid_counter(&n, u);
    assert_string_equal(u, "00000000-0000-4000-8000-000000abcdf0");

    /* Random ids: version 4, RFC 4122 variant, and no repeats in 2000. */
    static char seen[2000][DH_UUID_LEN + 1];
    for (int i = 0; i < 2000; i++) {
        dh_uuid_v4(seen[i]);
        assert_true(dh_uuid_valid(seen[i]));
        assert_int_equal(seen[i][14], '4');
        assert_non_null(strchr("89ab", seen[i][19]));
        for (int k = 0; k < i; k++) assert_string_not_equal(seen[i], seen[k]);
    }
}

static void test_statement_ids_are_fresh(void **state)
{
    (void)state;
    config = golden_config;
    config.uuid = NULL; /* production: libsodium's random */
    dh_XapiContext c = context(NULL);
    dh_XapiStatement a = {0}, b = {0};
    dh_Error err = {0};
    assert_int_equal(dh_xapi_course_statement(&a, &c, DH_XAPI_LAUNCHED, NULL, NOW, &err), DH_OK);
    assert_int_equal(dh_xapi_course_statement(&b, &c, DH_XAPI_LAUNCHED, NULL, NOW, &err), DH_OK);
    assert_true(dh_uuid_valid(a.id));
    assert_string_not_equal(a.id, b.id);
    assert_string_equal(str_at(a.json, "id"), a.id);
    assert_true(a.timestamp_ms == NOW && a.verb == DH_XAPI_LAUNCHED);

    /* The default platform names this build. */
    config.platform = NULL;
    dh_XapiStatement p = {0};
    assert_int_equal(dh_xapi_course_statement(&p, &c, DH_XAPI_LAUNCHED, NULL, NOW, &err), DH_OK);
    assert_string_equal(str_at(p.json, "context.platform"), "Drillhall " DH_VERSION);

    /* The compact text is the same statement. */
    char *text = dh_xapi_statement_text(&a);
    assert_non_null(text);
    assert_null(strchr(text, '\n'));
    cJSON *back = cJSON_Parse(text);
    assert_true(cJSON_Compare(back, a.json, true));
    cJSON_Delete(back);
    dh_free(text);
    dh_xapi_statement_free(&a);
    dh_xapi_statement_free(&b);
    dh_xapi_statement_free(&p);
    dh_xapi_statement_free(&p); /* twice is harmless */
    dh_xapi_statement_free(NULL);
}

/* Every case, with allocation n failing for n = 1, 2, ...: DH_ENOMEM and no
 * statement until enough memory makes it succeed (ASan checks for leaks). */
static void test_out_of_memory(void **state)
{
    (void)state;
    for (int i = 0; i < NCASES; i++) {
        bool ok = false;
        for (long n = 1; n < 100000 && !ok; n++) {
            config = golden_config;
            counter = 0;
            dh_XapiStatement st = {.json = NULL};
            dh_Error err = {0};
            dh_alloc_fail_after(n);
            dh_Status s = cases[i].fn(&st, &err);
            dh_alloc_fail_after(0);
            if (s == DH_OK) {
                ok = true;
                assert_non_null(st.json);
                dh_xapi_statement_free(&st);
            } else {
                if (s != DH_ENOMEM) fail_msg("case %s, allocation %ld: %s", cases[i].name, n, err.msg);
                assert_null(st.json);
            }
        }
        assert_true(ok);
    }
    config = golden_config;
    dh_alloc_fail_after(1);
    char *s = dh_xapi_activity_iri("https://x", "c", NULL, NULL, NULL);
    dh_alloc_fail_after(0);
    assert_null(s);
}

/* ---- modes for people and for the e2e validator --------------------------------- */

static int update_goldens(void)
{
    if (setup(NULL)) return 1;
    for (int i = 0; i < NCASES; i++) {
        cJSON *j = build_case(i, false);
        char *text = cJSON_Print(j);
        char path[512];
        snprintf(path, sizeof path, "%s/%s.json", GOLDEN_DIR, cases[i].name);
        FILE *f = fopen(path, "wb");
        if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
            fprintf(stderr, "test_xapi: cannot write %s\n", path);
            return 1;
        }
        printf("wrote %s\n", path);
        cJSON_free(text);
        cJSON_Delete(j);
    }
    teardown(NULL);
    return 0;
}

static int write_all(const char *path)
{
    if (setup(NULL)) return 1;
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < NCASES; i++) cJSON_AddItemToArray(arr, build_case(i, true));
    char *text = cJSON_Print(arr);
    FILE *f = fopen(path, "wb");
    int rc = 0;
    if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
        fprintf(stderr, "test_xapi: cannot write %s\n", path);
        rc = 1;
    } else {
        printf("test_xapi: wrote %d statements to %s\n", NCASES, path);
    }
    cJSON_free(text);
    cJSON_Delete(arr);
    teardown(NULL);
    return rc;
}

int main(int argc, char **argv)
{
    dh_alloc_install();
    if (argc == 2 && !strcmp(argv[1], "--update")) return update_goldens();
    if (argc == 3 && !strcmp(argv[1], "--write")) return write_all(argv[2]);
    if (argc > 1) {
        fprintf(stderr, "usage: test_xapi [--update | --write FILE]\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_actor_is_an_account),
        cmocka_unit_test(test_frame),
        cmocka_unit_test(test_verbs_set_success_and_completion),
        cmocka_unit_test(test_module_context),
        cmocka_unit_test(test_interactions),
        cmocka_unit_test(test_decisions_and_acknowledgements),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_activity_iris),
        cmocka_unit_test(test_score_helper),
        cmocka_unit_test(test_bad_configuration_and_context),
        cmocka_unit_test(test_bad_results),
        cmocka_unit_test(test_bad_responses),
        cmocka_unit_test(test_uuids),
        cmocka_unit_test(test_statement_ids_are_fresh),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
