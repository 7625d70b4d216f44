/* records_kiosk: a kiosk's data directory, filled the way the player fills it.
 *
 * The records e2e test needs what a real kiosk would hand a training
 * officer: a kiosk identity, a progress database and a journal written
 * through progress.c, the quiz engine and the xAPI builders on the sample
 * course — lessons read, acknowledgements given, quiz attempts started,
 * every question answered and graded by the engine, passes and failures —
 * for trainees whose names and units include the characters that break
 * spreadsheets (=, +, -, @, quotes, commas, Thai). Each trainee has an
 * "ability" so that answers correlate with it and the item statistics have
 * something to measure. Deterministic for a given seed, apart from the
 * random statement ids and the kiosk key.
 *
 *   records_kiosk DATA_DIR SEED TRAINEES [FIRST]
 *
 * registers trainees FIRST..FIRST+TRAINEES-1 (FIRST defaults to 1) and
 * takes each through the course; run it again with a higher FIRST to add
 * new work to the same kiosk (for incremental exports).
 */
#define _POSIX_C_SOURCE 200809L

#include "course.h"
#include "kiosk.h"
#include "lesson.h"
#include "package.h"
#include "progress.h"
#include "quiz_engine.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE DH_SOURCE_DIR "/courses/awareness-essentials"
#define T0 1795838400000LL /* 2026-11-28T00:00:00Z */

static uint64_t rng;

static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static int below(int n)
{
    int k = (int)(uniform() * n);
    return k < n ? k : n - 1;
}

static void die(const char *what, const dh_Error *err)
{
    fprintf(stderr, "records_kiosk: %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

/* A response to q: right with probability `ability`, else a random one. */
static void respond(const dh_Question *q, double ability, dh_QuizResponse *r, int *items,
                    double *clicks)
{
    bool right = uniform() < ability;
    memset(r, 0, sizeof *r);
    r->type = q->type;
    r->unit = -1;
    r->items = items;
    switch (q->type) {
    case DH_QUESTION_SINGLE: {
        int best = 0;
        for (int i = 0; i < q->u.choice.nchoices; i++)
            if (q->u.choice.choices[i].fraction > q->u.choice.choices[best].fraction) best = i;
        items[0] = right ? best : below(q->u.choice.nchoices);
        r->nitems = 1;
        break;
    }
    case DH_QUESTION_MULTIPLE:
    case DH_QUESTION_HOTTEXT: {
        int n = q->type == DH_QUESTION_HOTTEXT ? q->u.choice.nspans : q->u.choice.nchoices;
        if (q->type == DH_QUESTION_HOTTEXT && n == 0) n = q->u.choice.nchoices;
        for (int i = 0; i < n; i++) {
            bool good = i < q->u.choice.nchoices && q->u.choice.choices[i].fraction > 0;
            if (right ? good : uniform() < 0.5) items[r->nitems++] = i;
        }
        break;
    }
    case DH_QUESTION_TRUEFALSE:
        r->value = right ? q->u.truefalse.correct : uniform() < 0.5;
        break;
    case DH_QUESTION_SHORT: {
        const char *p = q->u.shortans.nanswers ? dh_text_get(&q->u.shortans.answers[0].pattern, "en", NULL) : NULL;
        r->text = right && p && !strchr(p, '*') ? p : "no idea";
        break;
    }
    case DH_QUESTION_NUMERIC:
        r->has_number = true;
        r->number = right && q->u.numeric.nanswers ? q->u.numeric.answers[0].value : below(40);
        r->unit = q->u.numeric.nunits ? 0 : -1;
        break;
    case DH_QUESTION_MATCHING:
        for (int i = 0; i < q->u.matching.nprompts; i++)
            items[r->nitems++] = right ? q->u.matching.prompts[i].answer : below(q->u.matching.nanswers);
        break;
    case DH_QUESTION_ORDERING:
        for (int i = 0; i < q->u.ordering.nitems; i++) items[i] = i;
        if (!right)
            for (int i = q->u.ordering.nitems - 1; i > 0; i--) {
                int j = below(i + 1), t = items[i];
                items[i] = items[j];
                items[j] = t;
            }
        r->nitems = q->u.ordering.nitems;
        break;
    case DH_QUESTION_GAPSELECT:
        for (int i = 0; i < q->u.gapselect.ngaps; i++) items[r->nitems++] = q->u.gapselect.gaps[i];
        if (!right && r->nitems) { /* a wrong word from the same group */
            int g = below(r->nitems), group = q->u.gapselect.choices[items[g]].group;
            int c = below(q->u.gapselect.nchoices);
            if (q->u.gapselect.choices[c].group == group) items[g] = c;
        }
        break;
    case DH_QUESTION_HOTSPOT: {
        r->clicks = clicks;
        for (int i = 0; i < q->u.hotspot.nregions && r->nclicks < q->u.hotspot.max_clicks; i++) {
            const dh_Region *g = &q->u.hotspot.regions[i];
            if (g->fraction <= 0 || !right || g->ncoords < 2) continue;
            double x = g->coords[0], y = g->coords[1];
            if (g->shape == DH_REGION_RECT && g->ncoords >= 4) x += g->coords[2] / 2, y += g->coords[3] / 2;
            clicks[2 * r->nclicks] = x;
            clicks[2 * r->nclicks + 1] = y;
            r->nclicks++;
        }
        if (!right) {
            clicks[0] = below(q->u.hotspot.width);
            clicks[1] = below(q->u.hotspot.height);
            r->nclicks = 1;
        }
        break;
    }
    case DH_QUESTION_DESCRIPTION:
        break;
    }
}

static int module_of(const dh_Course *c, dh_ModuleKind kind)
{
    for (int i = 0; i < c->nmodules; i++)
        if (c->modules[i].kind == kind) return i;
    return -1;
}

/* Read every lesson: experienced, accepted per acknowledgement, completed. */
static void read_lessons(dh_Progress *p, int64_t *at)
{
    dh_Error err;
    for (int m = 0; m < p->course->nmodules; m++) {
        if (p->course->modules[m].kind != DH_MODULE_LESSON) continue;
        const dh_Lesson *l = p->course->modules[m].u.lesson;
        dh_XapiContext ctx = dh_progress_context(p, m);
        dh_XapiStatement st[32];
        int n = 0;
        *at += 60000 + below(120000);
        if (dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_EXPERIENCED, NULL, *at, &err)) die("experienced", &err);
        for (int pg = 0; pg < l->npages; pg++)
            for (int b = 0; b < l->pages[pg].nblocks && n < 30; b++)
                if (l->pages[pg].blocks[b].type == DH_BLOCK_ACKNOWLEDGE &&
                    dh_xapi_accepted(&st[n++], &ctx, &l->pages[pg].blocks[b], *at, &err))
                    die("accepted", &err);
        dh_XapiResult r = {.has_duration = true, .duration_ms = 180000};
        if (dh_xapi_module_statement(&st[n++], &ctx, DH_XAPI_COMPLETED, &r, *at, &err)) die("completed", &err);
        dh_ModuleState s = {.status = DH_PROGRESS_COMPLETED, .completed = true, .time_ms = 180000,
                            .resume_op = DH_RESUME_CLEAR};
        if (dh_progress_record(p, m, &s, st, n, *at, &err)) die("record lesson", &err);
    }
}

/* The quiz attempt's number in context.extensions, as the quiz screen
 * (engine/ui/screens/quiz.c) puts it on every statement of an attempt. */
static void number_attempt(dh_XapiStatement *st, int number)
{
    cJSON *ctx = cJSON_GetObjectItemCaseSensitive(st->json, "context");
    cJSON *ext = cJSON_GetObjectItemCaseSensitive(ctx, "extensions");
    if (!ext) ext = cJSON_AddObjectToObject(ctx, "extensions");
    if (!ext || !cJSON_AddNumberToObject(ext, "https://training.example.org/xapi/extensions/attempt", number))
        die("attempt extension", NULL);
}

/* One quiz attempt: "attempted" when it starts, then at submission one
 * "answered" per question and "passed" or "failed", as the quiz screen
 * journals them, each numbered. Returns the scaled score. */
static double take_quiz(dh_Progress *p, int m, int number, double ability, int64_t *at)
{
    dh_Error err;
    const dh_Quiz *quiz = p->course->modules[m].u.quiz;
    dh_XapiContext ctx = dh_progress_context(p, m);
    dh_XapiStatement st[64];
    *at += 30000;
    if (dh_xapi_module_statement(&st[0], &ctx, DH_XAPI_ATTEMPTED, NULL, *at, &err)) die("attempted", &err);
    number_attempt(&st[0], number);
    dh_ModuleState s = {.status = DH_PROGRESS_IN_PROGRESS, .attempts = number - 1, .time_ms = 0,
                        .resume_op = DH_RESUME_KEEP};
    if (number > 1) s.status = p->states[m].status, s.has_score = p->states[m].has_score,
                    s.score = p->states[m].score, s.completed = p->states[m].completed;
    if (dh_progress_record(p, m, &s, st, 1, *at, &err)) die("record attempted", &err);

    dh_QuizAttempt *a;
    if (dh_quiz_attempt_start(&a, quiz, "en", rng, *at, &err)) die("start quiz", &err);
    for (int i = 0; i < a->nslots; i++) {
        const dh_Question *q = &quiz->questions[a->slots[i].question];
        if (q->type == DH_QUESTION_DESCRIPTION) continue;
        int items[DH_QUIZ_MAX_ITEMS];
        double clicks[2 * 16];
        dh_QuizResponse r;
        respond(q, ability, &r, items, clicks);
        if (dh_quiz_attempt_answer(a, i, &r, *at + 1000 * (i + 1), &err) != DH_OK)
            die(q->id, &err);
    }
    *at += 300000 + below(300000);
    dh_quiz_attempt_submit(a, *at);
    int n = 0;
    for (int i = 0; i < a->nslots; i++) {
        const dh_QuizSlot *sl = &a->slots[i];
        const dh_Question *q = &quiz->questions[sl->question];
        if (q->type == DH_QUESTION_DESCRIPTION) continue;
        int scratch[DH_QUIZ_MAX_ITEMS];
        dh_XapiResponse x;
        dh_quiz_response_xapi(q, &sl->response, scratch, &x);
        dh_XapiResult res = {0};
        dh_xapi_score(&res, sl->mark, 0, q->points);
        res.success = sl->state == DH_QSTATE_RIGHT ? DH_XAPI_TRUE : DH_XAPI_FALSE;
        if (dh_xapi_answered(&st[n], &ctx, q, sl->answered ? &x : NULL, &res, *at, &err))
            die("answered", &err);
        number_attempt(&st[n++], number);
    }
    dh_XapiResult res = {.has_duration = true, .duration_ms = *at - a->start_ms};
    dh_xapi_score(&res, a->marks, 0, a->max_marks);
    if (dh_xapi_module_statement(&st[n], &ctx, a->passed ? DH_XAPI_PASSED : DH_XAPI_FAILED, &res, *at, &err))
        die("passed/failed", &err);
    number_attempt(&st[n++], number);
    bool final = a->passed || number >= quiz->settings.attempts;
    dh_ModuleState done = {.status = a->passed ? DH_PROGRESS_PASSED
                                     : final   ? DH_PROGRESS_FAILED
                                               : DH_PROGRESS_IN_PROGRESS,
                           .has_score = true, .score = a->scaled, .attempts = number,
                           .time_ms = *at - a->start_ms, .completed = true, .passed = a->passed,
                           .resume_op = DH_RESUME_CLEAR};
    double scaled = a->scaled;
    dh_quiz_attempt_free(a);
    if (dh_progress_record(p, m, &done, st, n, *at, &err)) die("record quiz", &err);
    return scaled;
}

static const char *const units[] = {"1st Signal Bn", "=SUM(A1:A9)", "Cyber Defence Centre",
                                    "HQ, \"J6\"", "+Ops", "กองพันทหารสื่อสาร"};
static const char *const nations[] = {"TH", "MY", "SG", "ID", "PH", "VN", "", "AU"};
static const char *const names[] = {"Somchai Jaidee", "=HYPERLINK(\"http://x\",\"y\")", "-Dara",
                                    "@Nguyen Van A", "O'Brien, Pat", "สมหญิง ใจดี", "'Quoted",
                                    "Siti \"Sue\" Rahman"};

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: records_kiosk DATA_DIR SEED TRAINEES [FIRST]\n");
        return 2;
    }
    const char *dir = argv[1];
    rng = strtoull(argv[2], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
    int count = atoi(argv[3]), first = argc == 5 ? atoi(argv[4]) : 1;
    dh_Error err;
    dh_Kiosk kiosk;
    if (dh_kiosk_open(&kiosk, dir, &err)) die("kiosk", &err);
    dh_Store *store;
    dh_StoreNotice notice;
    if (dh_store_open(&store, dir, &notice, &err)) die("store", &err);
    if (dh_package_init(argv[0], &err)) die("package", &err);
    dh_Package *pkg;
    dh_Course *course;
    dh_Diags d;
    dh_diags_init(&d);
    if (dh_package_open(&pkg, SAMPLE, &err)) die("sample course", &err);
    if (dh_course_load(&course, pkg, &d) != DH_OK || !course->ok) die("sample course", NULL);
    dh_diags_free(&d);
    dh_XapiConfig cfg = {.home_page = "https://kiosk.example.org",
                         .activity_base = "https://training.example.org/xapi/",
                         .kiosk_id = kiosk.id};
    int quiz = module_of(course, DH_MODULE_QUIZ);
    int64_t at = T0 + (int64_t)first * 3600000;
    for (int k = first; k < first + count; k++) {
        dh_Trainee t;
        memset(&t, 0, sizeof t);
        snprintf(t.id, sizeof t.id, "SN-%04d", k);
        snprintf(t.name, sizeof t.name, "%s %d", names[k % 8], k);
        snprintf(t.unit, sizeof t.unit, "%s", units[k % 6]);
        snprintf(t.nation, sizeof t.nation, "%s", nations[k % 8]);
        if (dh_store_trainee_create(store, &t, NULL, &err)) die("trainee", &err);
        dh_Progress *p;
        if (dh_progress_open(&p, store, course, &cfg, t.id, &err)) die("progress", &err);
        dh_XapiContext ctx = dh_progress_context(p, -1);
        dh_XapiStatement launched;
        at += 60000;
        if (dh_xapi_course_statement(&launched, &ctx, DH_XAPI_LAUNCHED, NULL, at, &err)) die("launched", &err);
        if (dh_progress_record(p, -1, NULL, &launched, 1, at, &err)) die("record launched", &err);
        if (k % 7 == 3) { /* some only launch the course */
            dh_progress_close(p);
            continue;
        }
        read_lessons(p, &at);
        double ability = 0.35 + 0.6 * uniform();
        for (int n = 1; quiz >= 0 && n <= 3; n++) {
            double scaled = take_quiz(p, quiz, n, ability, &at);
            if (scaled >= course->modules[quiz].u.quiz->settings.pass || uniform() < 0.3) break;
            ability = ability + 0.15 > 1 ? 1 : ability + 0.15; /* learnt something */
        }
        dh_progress_close(p);
    }
    dh_course_free(course);
    dh_package_close(pkg);
    dh_package_deinit();
    dh_store_close(store);
    dh_kiosk_wipe(&kiosk);
    return 0;
}
