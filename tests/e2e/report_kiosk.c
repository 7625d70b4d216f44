/* report_kiosk: a kiosk data directory whose report figures are known.
 *
 * The report and push commands should be judged on what a kiosk really
 * writes, not on hand-made JSON, so this program plays seven trainees
 * through the sample course with the same core calls the player makes
 * (progress.c writing through the store, statements from the xAPI
 * builders, the kiosk identity from kiosk.c); `drillhall-records export`
 * then makes the bundle. Unlike records_kiosk.c (random abilities, answers
 * graded by the quiz engine), every mark here is fixed by hand and every
 * exercise decision is scripted (the scenario engine plays the sample
 * drill and writes the review the verdict carries), so each figure of the
 * report is known in advance (report/check_report.py works them out), and
 * the names carry what a hostile or careless registration
 * could: markup, quotes, right-to-left script next to an <img onerror>, a
 * spreadsheet formula with a URL. (The store refuses bidi overrides such
 * as U+202E, so none can reach a bundle from a kiosk.)
 *
 *   report_kiosk DATA_DIR COURSE_SOURCE_DIR [ACTIVITY_BASE]
 *
 * ACTIVITY_BASE (default https://training.example.org/xapi) is the kiosk's
 * xAPI activity base, which every activity id and extension name starts with.
 */
#include "alloc.h"
#include "course.h"
#include "kiosk.h"
#include "package.h"
#include "progress.h"
#include "quiz.h"
#include "scenario.h"
#include "scenario_engine.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1795838400000LL /* 2026-11-28T04:00:00Z */
#define MIN 60000LL

/* The five single-choice questions every attempt answers; the right answer
 * is each question's first (fraction 1). */
static const char *const QUESTIONS[5] = {"qr-poster", "gift-cards", "strong-password", "mfa-prompt",
                                         "found-usb"};

/* One decision of a scripted exercise run: at scenario second at_s the
 * trainee takes `action` (with `choice` or `text` when it asks for one). */
typedef struct Step {
    int at_s;
    const char *action, *choice, *text;
} Step;

#define STEPS 6

/* Four runs of payroll-phish.json, each to a different end; the working
 * (ending, each expectation's state, objective scores) is in
 * report/check_report.py, which checks the report's figures against it. */
static const Step RUN_CONTAINED[STEPS] = {
    {60, "report-phish", NULL, NULL}, {160, "tell-soc-clean", NULL, NULL}, {320, "hang-up-report", NULL, NULL}};
static const Step RUN_CONFESSED[STEPS] = {
    {35, "forward-colleague", NULL, NULL}, {40, "open-attachment", NULL, NULL},
    {200, "call-service-desk", "desk-report-infection", NULL},
    {250, "write-account", NULL, "08:41 opened Salary_Adjustment_Statement.xlsm & clicked <Enable Content>"},
    {330, "hang-up-report", NULL, NULL}};
static const Step RUN_TAKEOVER[STEPS] = {
    {60, "forward-colleague", NULL, NULL}, {100, "open-attachment", NULL, NULL}, {240, "reboot-pc", NULL, NULL},
    {310, "read-code", NULL, NULL}};
static const Step RUN_LATE_REPORT[STEPS] = {
    {50, "forward-colleague", NULL, NULL}, {320, "hang-up-report", NULL, NULL}, {400, "advise-report", NULL, NULL}};

typedef struct Trainee {
    const char *id, *name, *unit, *nation;
    int marks[5];        /* first attempt: 1 right, 0 wrong */
    bool second_attempt; /* a second attempt with full marks */
    const Step *runs[2]; /* exercise runs in order (NULL: none) */
    bool quiz;           /* took the quiz at all */
} Trainee;

/* q1 all right (too easy), q2 only the best (too hard), q5 only the two
 * weakest (negative discrimination). */
static const Trainee TRAINEES[] = {
    {"SN-001", "<script>alert('x')</script>", "1st Signal Bn", "TH", {1, 1, 1, 1, 0}, false, {RUN_CONTAINED}, true},
    {"SN-002", "O'Brien \"Danger\" & <b>Co</b>", "1st Signal Bn", "MY", {1, 0, 1, 1, 0}, true, {RUN_CONFESSED}, true},
    {"SN-003", "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf <img src=x onerror=alert(1)>", "Cyber <Unit> & Co", "PH", {1, 0, 1, 0, 0}, false, {RUN_TAKEOVER, RUN_LATE_REPORT}, true},
    {"SN-004", "\xe0\xb8\xaa\xe0\xb8\xa1\xe0\xb8\x8a\xe0\xb8\xb2\xe0\xb8\xa2 \xe0\xb9\x83\xe0\xb8\x88\xe0\xb8\x94\xe0\xb8\xb5", "2nd Cyber Coy", "TH", {1, 0, 0, 1, 0}, false, {NULL}, true},
    {"SN-005", "Nguy\xe1\xbb\x85n V\xc4\x83n An", "2nd Cyber Coy", "VN", {1, 0, 0, 0, 1}, false, {NULL}, true},
    {"SN-006", "=HYPERLINK(\"https://evil.example/x\",\"y\")", "", "", {1, 0, 0, 0, 1}, false, {NULL}, true},
    {"SN-007", "Late Starter", "", "SG", {0}, false, {NULL}, false},
};

static void die(const char *what, const dh_Error *err)
{
    fprintf(stderr, "report_kiosk: %s: %s\n", what, err->msg);
    exit(1);
}

static int module(const dh_Course *c, const char *id)
{
    int m = dh_course_module_index(c, id);
    if (m < 0) {
        fprintf(stderr, "report_kiosk: the course has no module %s\n", id);
        exit(1);
    }
    return m;
}

static void read_lesson(dh_Progress *p, const char *id, int64_t at)
{
    dh_Error err;
    int m = module(p->course, id);
    const dh_Lesson *l = p->course->modules[m].u.lesson;
    dh_XapiContext ctx = dh_progress_context(p, m);
    dh_XapiStatement st[32];
    int n = 0;
    if (dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_EXPERIENCED, NULL, at, &err) != DH_OK) die(id, &err);
    for (int pg = 0; pg < l->npages; pg++)
        for (int b = 0; b < l->pages[pg].nblocks && n < 30; b++)
            if (l->pages[pg].blocks[b].type == DH_BLOCK_ACKNOWLEDGE &&
                dh_xapi_accepted(&st[n++], &ctx, &l->pages[pg].blocks[b], at, &err) != DH_OK)
                die(id, &err);
    dh_XapiResult r = {.has_duration = true, .duration_ms = 4 * MIN};
    if (dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_COMPLETED, &r, at, &err) != DH_OK) die(id, &err);
    dh_ModuleState s = {.status = DH_PROGRESS_COMPLETED, .completed = true, .time_ms = 4 * MIN,
                        .resume_op = DH_RESUME_CLEAR};
    if (dh_progress_record(p, m, &s, st, n, at, &err) != DH_OK) die("record lesson", &err);
}

/* The quiz attempt's number in context.extensions, as the quiz screen
 * (engine/ui/screens/quiz.c) puts it on every statement of an attempt
 * (XAPI.md, "Telling quiz attempts apart"). */
static void number_attempt(dh_XapiStatement *st, const char *base, int number)
{
    char name[512];
    snprintf(name, sizeof name, "%s/extensions/attempt", base);
    cJSON *ctx = cJSON_GetObjectItemCaseSensitive(st->json, "context");
    cJSON *ext = cJSON_GetObjectItemCaseSensitive(ctx, "extensions");
    if (!ext) ext = cJSON_AddObjectToObject(ctx, "extensions");
    if (!ext || !cJSON_AddNumberToObject(ext, name, number)) {
        fprintf(stderr, "report_kiosk: out of memory\n");
        exit(1);
    }
}

/* One quiz attempt: attempted, an answer per question, passed or failed. */
static void quiz_attempt(dh_Progress *p, const int marks[5], int number, int64_t at)
{
    dh_Error err;
    int m = module(p->course, "check");
    const dh_Quiz *quiz = p->course->modules[m].u.quiz;
    dh_XapiContext ctx = dh_progress_context(p, m);
    dh_XapiStatement st[8];
    int n = 0, total = 0;
    if (dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_ATTEMPTED, NULL, at, &err) != DH_OK) die("attempted", &err);
    for (int i = 0; i < 5; i++) {
        int qi = dh_quiz_question_index(quiz, QUESTIONS[i]);
        if (qi < 0) {
            fprintf(stderr, "report_kiosk: the quiz has no question %s\n", QUESTIONS[i]);
            exit(1);
        }
        int choice = marks[i] ? 0 : 1; /* the first answer is the right one */
        dh_XapiResponse resp = {.items = &choice, .nitems = 1};
        dh_XapiResult r = {0};
        dh_xapi_score(&r, marks[i], 0, 1);
        r.success = marks[i] ? DH_XAPI_TRUE : DH_XAPI_FALSE;
        if (dh_xapi_answered(&st[n++], &ctx, &quiz->questions[qi], &resp, &r, at + (i + 1) * MIN, &err) != DH_OK)
            die(QUESTIONS[i], &err);
        total += marks[i];
    }
    double grade = total / 5.0;
    bool passed = grade >= 0.8 - 1e-9;
    dh_XapiResult r = {.has_duration = true, .duration_ms = 6 * MIN};
    dh_xapi_score(&r, total, 0, 5);
    if (dh_xapi_module_statement(&st[n++], &ctx, passed ? DH_XAPI_PASSED : DH_XAPI_FAILED, &r, at + 6 * MIN,
                                 &err) != DH_OK)
        die("quiz result", &err);
    for (int i = 0; i < n; i++) number_attempt(&st[i], p->xapi.activity_base, number);
    dh_ModuleAttempt a = {.started_ms = at, .finished_ms = at + 6 * MIN, .has_score = true, .score = grade,
                          .passed = passed};
    dh_ModuleState s = {.status = passed ? DH_PROGRESS_PASSED : DH_PROGRESS_IN_PROGRESS, .has_score = true,
                        .score = grade, .attempts = number, .time_ms = 6 * MIN * number, .completed = true,
                        .passed = passed, .resume_op = DH_RESUME_CLEAR, .finished = &a};
    if (dh_progress_record(p, m, &s, st, n, at + 6 * MIN, &err) != DH_OK) die("record quiz", &err);
}

static int action_index(const dh_Scenario *sc, const char *id)
{
    int a = id ? dh_scenario_action_index(sc, id) : -1;
    if (id && a < 0) {
        fprintf(stderr, "report_kiosk: the scenario has no action %s\n", id);
        exit(1);
    }
    return a;
}

/* One exercise run played by the scenario engine, recorded as the player
 * (engine/ui/screens/exercise.c) records it: launched and initialized,
 * interacted per decision, completed, passed or failed carrying the review
 * (dh_xapi_add_review), terminated. Scenario time runs at the clock's speed
 * (2), so real time is half the scenario time. */
static void drill(dh_Progress *p, const Step *steps, int64_t at)
{
    dh_Error err;
    int m = module(p->course, "drill");
    const dh_Scenario *sc = p->course->modules[m].u.scenario;
    const double speed = sc->clock.speed > 0 ? sc->clock.speed : 1;
    dh_Run *run = NULL;
    if (dh_run_new(&run, sc, sc->seed, &err) != DH_OK) die("run", &err);
    dh_XapiContext ctx = dh_progress_context(p, m);
    ctx.has_scenario_time = true;
    dh_XapiStatement st[STEPS + 5];
    int n = 0;
    if (dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_LAUNCHED, NULL, at, &err) != DH_OK ||
        dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_INITIALIZED, NULL, at, &err) != DH_OK)
        die("launched", &err);
    for (int i = 0; i < STEPS && steps[i].action; i++) {
        const Step *s = &steps[i];
        int a = action_index(sc, s->action), c = action_index(sc, s->choice);
        if (dh_run_advance(run, s->at_s, &err) != DH_OK) die("advance", &err);
        if (dh_run_state(run) != DH_RUN_PLAYING || dh_run_take(run, a, c, s->text, &err) != DH_OK) {
            fprintf(stderr, "report_kiosk: %s at %d s: %s\n", s->action, s->at_s,
                    dh_run_state(run) == DH_RUN_PLAYING ? err.msg : "the exercise has already ended");
            exit(1);
        }
        ctx.scenario_time_s = (double)dh_run_now(run);
        if (dh_xapi_decision(&st[n++], &ctx, sc, a, c, s->text, at + (int64_t)(s->at_s * 1000 / speed), &err) !=
            DH_OK)
            die(s->action, &err);
    }
    /* after the last decision the scenario plays on to its ending */
    if (dh_run_state(run) == DH_RUN_PLAYING && dh_run_advance(run, sc->clock.limit_s, &err) != DH_OK)
        die("advance", &err);
    /* as the player: without a course mastery score only a perfect run passes */
    double mastery = p->course->mastery_score >= 0 ? p->course->mastery_score : 1.0;
    dh_Review *v = NULL;
    if (dh_run_state(run) != DH_RUN_ENDED || dh_run_review(run, mastery, &v, &err) != DH_OK) {
        fprintf(stderr, "report_kiosk: the run did not end cleanly\n");
        exit(1);
    }
    int64_t end = at + (int64_t)(v->end_s * 1000 / speed);
    ctx.scenario_time_s = (double)v->end_s;
    dh_XapiResult r = {.has_duration = true, .duration_ms = end - at};
    if (v->scored) dh_xapi_score(&r, v->score, 0, 1);
    if (dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_COMPLETED, &r, end, &err) != DH_OK ||
        dh_xapi_module_statement(&st[n++], &ctx, v->passed ? DH_XAPI_PASSED : DH_XAPI_FAILED, &r, end, &err) !=
            DH_OK ||
        dh_xapi_add_review(&st[n - 1], &p->xapi, v, &err) != DH_OK)
        die("exercise verdict", &err);
    dh_XapiResult t = {.has_duration = true, .duration_ms = end - at};
    if (dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_TERMINATED, &t, end, &err) != DH_OK) die("terminated", &err);
    printf("%s: drill ended %s at %lld s, score %.4f, %s\n", p->trainee.id, sc->endings[v->ending].id,
           (long long)v->end_s, v->score, v->passed ? "passed" : "failed");
    const dh_ModuleState *old = &p->states[m];
    dh_ModuleAttempt att = {.started_ms = at, .finished_ms = end, .has_score = v->scored, .score = v->score,
                            .passed = v->passed};
    dh_ModuleState s = {.has_score = old->has_score, .score = old->score, .attempts = old->attempts + 1,
                        .time_ms = old->time_ms + (end - at), .completed = true,
                        .passed = old->passed || v->passed, .resume_op = DH_RESUME_CLEAR, .finished = &att};
    if (att.has_score && (!old->has_score || v->score > old->score)) { /* the best run counts */
        s.has_score = true;
        s.score = v->score;
    }
    s.status = s.passed ? DH_PROGRESS_PASSED : DH_PROGRESS_COMPLETED;
    dh_review_free(v);
    dh_run_free(run);
    if (dh_progress_record(p, m, &s, st, n, end, &err) != DH_OK) die("record scenario", &err);
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: report_kiosk DATA_DIR COURSE_SOURCE_DIR [ACTIVITY_BASE]\n");
        return 2;
    }
    dh_Error err;
    dh_Diags d;
    dh_diags_init(&d);
    dh_Package *pkg;
    dh_Course *course;
    dh_Kiosk kiosk;
    dh_Store *store;
    dh_StoreNotice notice;
    if (dh_store_init(&err) != DH_OK || dh_package_init(argv[0], &err) != DH_OK) die("init", &err);
    if (dh_package_open(&pkg, argv[2], &err) != DH_OK) die(argv[2], &err);
    if (dh_course_load(&course, pkg, &d) != DH_OK || !course->ok) {
        fprintf(stderr, "report_kiosk: %s does not load\n", argv[2]);
        return 1;
    }
    dh_diags_free(&d);
    if (dh_store_make_dir(argv[1], &err) != DH_OK) die(argv[1], &err);
    if (dh_kiosk_open(&kiosk, argv[1], &err) != DH_OK) die("kiosk", &err);
    if (dh_store_open(&store, argv[1], &notice, &err) != DH_OK) die("store", &err);
    dh_XapiConfig xapi = {.home_page = "https://kiosk.example.org",
                          .activity_base = argc == 4 ? argv[3] : "https://training.example.org/xapi",
                          .kiosk_id = kiosk.id};
    int64_t at = T0;
    for (size_t i = 0; i < sizeof TRAINEES / sizeof TRAINEES[0]; i++) {
        const Trainee *tr = &TRAINEES[i];
        dh_Trainee t;
        memset(&t, 0, sizeof t);
        snprintf(t.id, sizeof t.id, "%s", tr->id);
        snprintf(t.name, sizeof t.name, "%s", tr->name);
        snprintf(t.unit, sizeof t.unit, "%s", tr->unit);
        snprintf(t.nation, sizeof t.nation, "%s", tr->nation);
        snprintf(t.lang, sizeof t.lang, "en");
        if (dh_store_trainee_create(store, &t, NULL, &err) != DH_OK) die(tr->id, &err);
        dh_Progress *p;
        if (dh_progress_open(&p, store, course, &xapi, tr->id, &err) != DH_OK) die("progress", &err);
        at += 60 * MIN;
        read_lesson(p, "phishing", at += 5 * MIN);
        if (tr->quiz) {
            read_lesson(p, "passwords-mfa", at += 5 * MIN);
            read_lesson(p, "removable-media", at += 5 * MIN);
            read_lesson(p, "reporting", at += 5 * MIN);
            quiz_attempt(p, tr->marks, 1, at += 5 * MIN);
            if (tr->second_attempt) {
                static const int full[5] = {1, 1, 1, 1, 1};
                quiz_attempt(p, full, 2, at += 10 * MIN);
            }
            for (int k = 0; k < 2 && tr->runs[k]; k++) drill(p, tr->runs[k], at += 10 * MIN);
        }
        dh_progress_close(p);
    }
    dh_store_close(store);
    dh_kiosk_wipe(&kiosk);
    dh_course_free(course);
    dh_package_close(pkg);
    dh_package_deinit();
    printf("%s\n", argv[1]);
    return 0;
}
