/* quiz: the knowledge-check screen's state machine and what it records.
 *
 * A trainee meets a start page (rules, earlier attempts, grade so far),
 * takes an attempt one question per screen, and ends on the results. Every
 * step that matters is one commit through the outline's dh_Progress before
 * the screen shows it: starting (initialized + attempted), each answer (the
 * attempt's resume blob, so a power cut loses nothing), each interactive
 * check that finishes a question (answered), submitting (answered for the
 * rest, passed or failed, completed, and the finished attempt kept in the
 * store with its score for grading and review), leaving or signing out
 * mid-attempt (suspended), coming back (resumed). Every statement about one
 * quiz attempt carries its number in the BASE/extensions/attempt context
 * extension, so item statistics can tell attempts apart within one course
 * registration. Quiz time runs on the wall clock taken at opening plus the
 * app clock since, so a script's `advance` drives time limits.
 */
#include "quiz_impl.h"

#include "alloc.h"
#include "reading.h"
#include "widgets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers --------------------------------------------------------------- */

int64_t ui_quiz_now(const ui_App *app, const ui_Quiz *q)
{
    return q->wall0 + (int64_t)(ui_app_now(app) - q->mono0);
}

static int64_t module_time(const ui_App *app, const ui_Quiz *q)
{
    return q->base_time_ms + (int64_t)(ui_app_now(app) - q->opened_at);
}

bool ui_quiz_may_start(const ui_Quiz *q)
{
    return q->quiz && dh_quiz_may_start(q->quiz, q->npast);
}

const char *ui_quiz_text(const ui_App *app, const ui_Quiz *q, const dh_Text *t, ui_TextStyle *st)
{
    const char *s = ui_course_text(app, q->c, t);
    for (int i = 0; st && i < t->count; i++)
        if (t->items[i].text == s) {
            if (t->items[i].lang)
                st->lang = t->items[i].lang;
            else if (q->c->nlanguages > 0)
                st->lang = q->c->languages[0];
            break;
        }
    return s;
}

void ui_quiz_marks(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.2f", v);
    char *dot = strchr(buf, '.');
    if (!dot)
        return;
    char *end = buf + strlen(buf) - 1;
    while (end > dot && *end == '0')
        *end-- = '\0';
    if (end == dot)
        *end = '\0';
}

static void free_past(ui_Quiz *q)
{
    for (int i = 0; i < q->npast; i++)
        dh_free(q->past[i].record);
    dh_free(q->past);
    q->past = NULL;
    q->npast = 0;
}

static dh_Status collect_past(const dh_ModuleAttempt *ma, void *ctx, dh_Error *err)
{
    ui_Quiz *q = ctx;
    ui_QuizPast *n = dh_realloc(q->past, (size_t)(q->npast + 1) * sizeof *n);
    if (!n)
        return dh_fail(err, DH_ENOMEM, "out of memory");
    q->past = n;
    ui_QuizPast *pa = &q->past[q->npast++];
    memset(pa, 0, sizeof *pa);
    pa->number = ma->number;
    pa->scaled = ma->has_score ? ma->score : 0;
    pa->passed = ma->passed;
    pa->finished_ms = ma->finished_ms;
    if (ma->record && ma->record_len) {
        pa->record = dh_malloc(ma->record_len);
        if (pa->record) {
            memcpy(pa->record, ma->record, ma->record_len);
            pa->record_len = ma->record_len;
        }
    }
    return DH_OK;
}

/* Re-read the finished attempts and the grade they give. */
static void load_past(ui_Quiz *q)
{
    free_past(q);
    dh_Error err;
    const dh_Module *m = &q->c->modules[q->module];
    if (dh_store_module_attempts_each(q->p->store, q->p->enrolment.registration, m->id, collect_past, q, &err) !=
        DH_OK)
        fprintf(stderr, "drillhall: reading quiz attempts: %s\n", err.msg);
    q->has_grade = false;
    if (q->npast > 0) {
        double *s = dh_malloc((size_t)q->npast * sizeof *s);
        if (s) {
            for (int i = 0; i < q->npast; i++)
                s[i] = q->past[i].scaled;
            q->has_grade = dh_quiz_grade(q->quiz->settings.grade_method, s, q->npast, &q->grade);
            dh_free(s);
        }
    }
}

static void set_attempt(ui_Quiz *q, dh_QuizAttempt *a)
{
    dh_quiz_attempt_free(q->a);
    dh_free(q->reported);
    q->a = a;
    q->reported = a ? dh_calloc((size_t)(a->nslots > 0 ? a->nslots : 1), sizeof(bool)) : NULL;
    q->edit_slot = -1;
    q->drag_item = -1;
}

/* ---- recording ------------------------------------------------------------------------ */

typedef struct Batch {
    dh_XapiStatement *st;
    int n, cap;
    dh_Status rc;
    dh_Error err;
} Batch;

static void batch_free(Batch *b)
{
    for (int i = 0; i < b->n; i++)
        dh_xapi_statement_free(&b->st[i]);
    dh_free(b->st);
    b->st = NULL;
    b->n = 0;
}

static dh_XapiStatement *batch_slot(Batch *b)
{
    if (b->rc != DH_OK)
        return NULL;
    if (b->n == b->cap) {
        int cap = b->cap ? 2 * b->cap : 8;
        dh_XapiStatement *n = dh_realloc(b->st, (size_t)cap * sizeof *n);
        if (!n) {
            b->rc = dh_fail(&b->err, DH_ENOMEM, "out of memory: nothing was saved");
            return NULL;
        }
        b->st = n;
        b->cap = cap;
    }
    return &b->st[b->n];
}

/* context.extensions[BASE/extensions/attempt] = the quiz attempt's number. */
static void add_attempt_ext(Batch *b, const ui_Quiz *q, dh_XapiStatement *st)
{
    const char *base = q->p->xapi.activity_base;
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    char key[400];
    snprintf(key, sizeof key, "%.*s/extensions/attempt", (int)(len < 300 ? len : 300), base);
    cJSON *ctx = cJSON_GetObjectItemCaseSensitive(st->json, "context");
    cJSON *ext = ctx ? cJSON_GetObjectItemCaseSensitive(ctx, "extensions") : NULL;
    if (ctx && !ext)
        ext = cJSON_AddObjectToObject(ctx, "extensions");
    if (!ext || !cJSON_AddNumberToObject(ext, key, q->attempt_no)) {
        b->rc = dh_fail(&b->err, DH_ENOMEM, "out of memory: nothing was saved");
        dh_xapi_statement_free(st);
        b->n--;
    }
}

static void add_module(Batch *b, const ui_Quiz *q, dh_XapiVerb v, const dh_XapiResult *res, int64_t now,
                       bool attempt_ext)
{
    dh_XapiStatement *st = batch_slot(b);
    if (!st)
        return;
    dh_XapiContext ctx = dh_progress_context(q->p, q->module);
    if ((b->rc = dh_xapi_module_statement(st, &ctx, v, res, now, &b->err)) != DH_OK)
        return;
    b->n++;
    if (attempt_ext)
        add_attempt_ext(b, q, st);
}

static bool can_be_negative(const dh_Question *qq)
{
    switch (qq->type) {
    case DH_QUESTION_SINGLE:
    case DH_QUESTION_MULTIPLE:
    case DH_QUESTION_HOTTEXT:
        for (int i = 0; i < qq->u.choice.nchoices; i++)
            if (qq->u.choice.choices[i].fraction < 0)
                return true;
        return false;
    case DH_QUESTION_HOTSPOT:
        for (int i = 0; i < qq->u.hotspot.nregions; i++)
            if (qq->u.hotspot.regions[i].fraction < 0)
                return true;
        return false;
    default:
        return false;
    }
}

/* `answered` for a graded slot, with its mark. */
static void add_answered(Batch *b, ui_Quiz *q, int slot, int64_t now)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    if (qq->type == DH_QUESTION_DESCRIPTION || q->reported[slot])
        return;
    dh_XapiStatement *st = batch_slot(b);
    if (!st)
        return;
    dh_XapiResult res;
    memset(&res, 0, sizeof res);
    dh_xapi_score(&res, s->mark, can_be_negative(qq) ? -qq->points : 0, qq->points);
    res.success = s->state == DH_QSTATE_RIGHT ? DH_XAPI_TRUE : DH_XAPI_FALSE;
    int scratch[DH_QUIZ_MAX_ITEMS];
    dh_XapiResponse xr;
    memset(&xr, 0, sizeof xr);
    if (s->answered)
        dh_quiz_response_xapi(qq, &s->response, scratch, &xr);
    dh_XapiContext ctx = dh_progress_context(q->p, q->module);
    if ((b->rc = dh_xapi_answered(st, &ctx, qq, s->answered ? &xr : NULL, &res, now, &b->err)) != DH_OK)
        return;
    b->n++;
    add_attempt_ext(b, q, st);
    if (b->rc == DH_OK)
        q->reported[slot] = true;
}

/* The module state to commit: in progress with the attempt's blob, or the
 * submitted attempt's outcome (grade over every finished attempt). */
static bool commit(ui_App *app, ui_Quiz *q, Batch *b, int64_t now, bool submitted)
{
    dh_Error err;
    char *blob = NULL;
    if (b->rc != DH_OK) {
        err = b->err;
        batch_free(b);
        goto fail;
    }
    const dh_ModuleState *old = &q->p->states[q->module];
    dh_ModuleState ms;
    memset(&ms, 0, sizeof ms);
    ms.status = old->status == DH_PROGRESS_NOT_ATTEMPTED ? DH_PROGRESS_IN_PROGRESS : old->status;
    ms.has_score = old->has_score;
    ms.score = old->score;
    ms.attempts = old->attempts;
    ms.completed = old->completed;
    ms.passed = old->passed;
    ms.time_ms = module_time(app, q);
    ms.updated_ms = now;
    dh_ModuleAttempt fin;
    if (q->a)
        blob = dh_quiz_attempt_save(q->a);
    if (q->a && !blob) {
        batch_free(b);
        dh_fail(&err, DH_ENOMEM, "out of memory: nothing was saved");
        goto fail;
    }
    if (submitted) {
        int n = q->npast + 1;
        double *s = dh_malloc((size_t)n * sizeof *s);
        if (!s) {
            batch_free(b);
            dh_fail(&err, DH_ENOMEM, "out of memory: nothing was saved");
            goto fail;
        }
        for (int i = 0; i < q->npast; i++)
            s[i] = q->past[i].scaled;
        s[n - 1] = q->a->scaled;
        double grade = 0;
        dh_quiz_grade(q->quiz->settings.grade_method, s, n, &grade);
        dh_free(s);
        bool passed = dh_quiz_passes(q->quiz, grade);
        ms.attempts = old->attempts > q->npast ? old->attempts + 1 : n;
        ms.has_score = true;
        ms.score = grade;
        ms.completed = true;
        ms.passed = passed;
        ms.status = passed ? DH_PROGRESS_PASSED
                    : !dh_quiz_may_start(q->quiz, n) ? DH_PROGRESS_FAILED
                                                     : DH_PROGRESS_COMPLETED;
        ms.resume_op = DH_RESUME_CLEAR;
        memset(&fin, 0, sizeof fin);
        fin.started_ms = q->a->start_ms;
        fin.finished_ms = q->a->end_ms >= q->a->start_ms ? q->a->end_ms : q->a->start_ms;
        fin.has_score = true;
        fin.score = q->a->scaled;
        fin.passed = q->a->passed;
        fin.record = blob;
        fin.record_len = strlen(blob);
        ms.finished = &fin;
    } else if (q->a && q->in_progress) {
        if (ms.status != DH_PROGRESS_PASSED && ms.status != DH_PROGRESS_COMPLETED)
            ms.status = DH_PROGRESS_IN_PROGRESS;
        ms.resume_op = DH_RESUME_SET;
        ms.resume = blob;
        ms.resume_len = strlen(blob);
    }
    dh_Status rc = dh_progress_record(q->p, q->module, &ms, b->st, b->n, now, &err);
    dh_free(b->st);
    b->st = NULL;
    b->n = 0;
    dh_free(blob);
    blob = NULL;
    if (rc != DH_OK)
        goto fail;
    q->error[0] = '\0';
    q->typed_at = 0; /* the saved attempt holds what was typed */
    return true;
fail:
    dh_free(blob);
    ui_trf(app, q->error, sizeof q->error, "app.save_failed", err.msg);
    fprintf(stderr, "drillhall: %s\n", q->error);
    return false;
}

static dh_XapiResult attempt_duration(const ui_Quiz *q, int64_t now)
{
    dh_XapiResult r;
    memset(&r, 0, sizeof r);
    r.has_duration = true;
    int64_t end = q->a && q->a->finished ? q->a->end_ms : now;
    r.duration_ms = q->a ? end - q->a->start_ms : 0;
    return r;
}

/* ---- actions ---------------------------------------------------------------------------- */

static void enter_question(ui_App *app, ui_Quiz *q)
{
    q->view = UI_QUIZ_QUESTION;
    q->focus_first = true;
    ui_scroll_reset(app, "quiz.page");
    ui_app_invalidate(app);
}

void ui_quiz_start(ui_App *app, ui_Quiz *q)
{
    if (!q->quiz || q->in_progress || !ui_quiz_may_start(q))
        return;
    int64_t now = ui_quiz_now(app, q);
    dh_QuizAttempt *a = NULL;
    dh_Error err;
    /* a script may fix the seed so that shuffles and draws are the same on
     * every run (DRILLHALL_QUIZ_SEED, honoured only under --script) */
    uint64_t seed = dh_quiz_seed_random();
    const char *fixed = app->script ? getenv("DRILLHALL_QUIZ_SEED") : NULL;
    if (fixed && *fixed)
        seed = strtoull(fixed, NULL, 0);
    if (dh_quiz_attempt_start(&a, q->quiz, app->lang, seed, now, &err) != DH_OK) {
        ui_trf(app, q->error, sizeof q->error, "app.save_failed", err.msg);
        return;
    }
    set_attempt(q, a);
    q->in_progress = true;
    q->review_only = false;
    q->timed_out = false;
    q->attempt_no = q->npast + 1;
    Batch b = {0};
    add_module(&b, q, DH_XAPI_INITIALIZED, NULL, now, false);
    add_module(&b, q, DH_XAPI_ATTEMPTED, NULL, now, true);
    if (!commit(app, q, &b, now, false)) {
        set_attempt(q, NULL);
        q->in_progress = false;
        return;
    }
    q->left = false;
    enter_question(app, q);
}

void ui_quiz_continue(ui_App *app, ui_Quiz *q)
{
    if (!q->a || !q->in_progress)
        return;
    int64_t now = ui_quiz_now(app, q);
    Batch b = {0};
    add_module(&b, q, DH_XAPI_RESUMED, NULL, now, true);
    if (!commit(app, q, &b, now, false))
        return;
    q->left = false;
    /* the time may have run out while the trainee was away */
    if (dh_quiz_attempt_tick(q->a, now)) {
        ui_quiz_submit(app, q);
        return;
    }
    enter_question(app, q);
}

/* Time ran out (checked at every action and every frame): submit. */
static bool expired(ui_App *app, ui_Quiz *q)
{
    if (!q->a || !q->in_progress)
        return false;
    if (q->a->finished || dh_quiz_attempt_tick(q->a, ui_quiz_now(app, q))) {
        ui_quiz_submit(app, q);
        return true;
    }
    return false;
}

static void answer(ui_App *app, ui_Quiz *q, int slot, const dh_QuizResponse *r, bool typed)
{
    if (!q->in_progress || expired(app, q))
        return;
    int64_t now = ui_quiz_now(app, q);
    dh_Error err;
    if (dh_quiz_attempt_answer(q->a, slot, r, now, &err) != DH_OK) {
        if (expired(app, q))
            return;
        fprintf(stderr, "drillhall: quiz answer refused: %s\n", err.msg);
        return;
    }
    if (typed) {
        q->typed_at = ui_app_now(app); /* saved when typing pauses (frame) */
    } else {
        Batch b = {0};
        commit(app, q, &b, now, false);
    }
    ui_app_invalidate(app);
}

void ui_quiz_answer(ui_App *app, ui_Quiz *q, int slot, const dh_QuizResponse *r)
{
    answer(app, q, slot, r, false);
}

void ui_quiz_answer_typed(ui_App *app, ui_Quiz *q, int slot, const dh_QuizResponse *r)
{
    answer(app, q, slot, r, true);
}

void ui_quiz_check(ui_App *app, ui_Quiz *q)
{
    if (!q->in_progress || expired(app, q))
        return;
    int slot = q->a->current;
    int64_t now = ui_quiz_now(app, q);
    dh_Error err;
    if (dh_quiz_attempt_check(q->a, slot, now, &err) != DH_OK) {
        expired(app, q);
        return;
    }
    Batch b = {0};
    if (q->a->slots[slot].finished)
        add_answered(&b, q, slot, now);
    commit(app, q, &b, now, false);
    ui_app_invalidate(app);
}

void ui_quiz_goto(ui_App *app, ui_Quiz *q, int slot)
{
    if (!q->in_progress || expired(app, q))
        return;
    if (slot < 0 || slot >= q->a->nslots)
        return;
    dh_Error err;
    if (dh_quiz_attempt_goto(q->a, slot, &err) != DH_OK)
        return;
    int64_t now = ui_quiz_now(app, q);
    Batch b = {0};
    commit(app, q, &b, now, false);
    q->view = UI_QUIZ_QUESTION;
    enter_question(app, q);
}

void ui_quiz_submit(ui_App *app, ui_Quiz *q)
{
    if (!q->a || !q->in_progress)
        return;
    int64_t now = ui_quiz_now(app, q);
    if (!q->a->finished)
        dh_quiz_attempt_submit(q->a, now);
    q->timed_out = q->a->autosubmitted;
    int64_t at = q->a->end_ms;
    Batch b = {0};
    for (int i = 0; i < q->a->nslots; i++)
        add_answered(&b, q, i, at);
    dh_XapiResult r = attempt_duration(q, now);
    dh_xapi_score(&r, q->a->marks, 0, q->a->max_marks);
    add_module(&b, q, q->a->passed ? DH_XAPI_PASSED : DH_XAPI_FAILED, &r, at, true);
    dh_XapiResult c = attempt_duration(q, now);
    add_module(&b, q, DH_XAPI_COMPLETED, &c, at, true);
    if (!commit(app, q, &b, at, true)) {
        /* not stored: the attempt stays open (its blob still holds the
         * answers) and the trainee may try again */
        for (int i = 0; i < q->a->nslots; i++)
            q->reported[i] = false;
        return;
    }
    q->in_progress = false;
    q->left = true;
    load_past(q);
    q->view = UI_QUIZ_RESULTS;
    ui_scroll_reset(app, "quiz.page");
    ui_app_invalidate(app);
}

void ui_quiz_review_past(ui_App *app, ui_Quiz *q, int i)
{
    if (i < 0 || i >= q->npast || !q->past[i].record || q->in_progress)
        return;
    dh_QuizAttempt *a = NULL;
    dh_Error err;
    if (dh_quiz_attempt_restore(&a, q->quiz, q->past[i].record, q->past[i].record_len, &err) != DH_OK) {
        snprintf(q->error, sizeof q->error, "%s", ui_tr(app, "quiz.review_unavailable"));
        return;
    }
    set_attempt(q, a);
    q->review_only = true;
    q->attempt_no = q->past[i].number;
    q->timed_out = a->autosubmitted;
    q->view = UI_QUIZ_RESULTS;
    ui_scroll_reset(app, "quiz.page");
    ui_app_invalidate(app);
}

void ui_quiz_leave_results(ui_App *app, ui_Quiz *q)
{
    if (q->in_progress)
        return;
    set_attempt(q, NULL);
    q->review_only = false;
    q->view = UI_QUIZ_START;
    ui_scroll_reset(app, "quiz.page");
    ui_app_invalidate(app);
}

/* Leaving mid-attempt (Back, sign-out): `suspended`, the blob kept. */
static bool leave(ui_App *app, ui_Quiz *q)
{
    if (q->left || !q->in_progress || !q->a)
        return true;
    int64_t now = ui_quiz_now(app, q);
    if (expired(app, q))
        return true;
    dh_XapiResult r = attempt_duration(q, now);
    Batch b = {0};
    add_module(&b, q, DH_XAPI_SUSPENDED, &r, now, true);
    if (!commit(app, q, &b, now, false))
        return false;
    q->left = true;
    return true;
}

/* ---- the screen ------------------------------------------------------------------------ */

static void frame(ui_Screen *s, ui_App *app)
{
    ui_Quiz *q = (ui_Quiz *)s;
    const dh_Module *m = &q->c->modules[q->module];
    int y0 = ui_header(app, ui_course_text(app, q->c, &m->title), UI_HEADER_ALL);
    if (q->in_progress && q->view != UI_QUIZ_START && expired(app, q)) {
        ui_app_invalidate(app);
        return;
    }
    switch (q->view) {
    case UI_QUIZ_START: ui_quiz_draw_start(app, q, y0); break;
    case UI_QUIZ_QUESTION: ui_quiz_draw_question(app, q, y0); break;
    case UI_QUIZ_CONFIRM: ui_quiz_draw_confirm(app, q, y0); break;
    case UI_QUIZ_RESULTS: ui_quiz_draw_results(app, q, y0); break;
    }
    if (q->in_progress && q->view != UI_QUIZ_START && dh_quiz_attempt_deadline(q->a) > 0)
        ui_app_wake_in(app, 1000); /* the countdown */
    if (q->typed_at && q->in_progress) {
        uint64_t quiet = ui_app_now(app) - q->typed_at;
        if (quiet >= UI_QUIZ_TYPING_SAVE_MS) {
            Batch b = {0};
            commit(app, q, &b, ui_quiz_now(app, q), false);
        } else {
            ui_app_wake_in(app, UI_QUIZ_TYPING_SAVE_MS - quiet);
        }
    }
}

static bool back(ui_Screen *s, ui_App *app)
{
    ui_Quiz *q = (ui_Quiz *)s;
    if (q->view == UI_QUIZ_CONFIRM) {
        q->view = UI_QUIZ_QUESTION;
        ui_app_invalidate(app);
        return true;
    }
    if (q->view == UI_QUIZ_RESULTS && q->review_only) {
        ui_quiz_leave_results(app, q);
        return true;
    }
    if (leave(app, q))
        return false;
    if (q->leave_anyway)
        return false;
    q->leave_anyway = true;
    return true;
}

static void sign_out(ui_Screen *s, ui_App *app)
{
    leave(app, (ui_Quiz *)s);
}

static void destroy(ui_Screen *s)
{
    ui_Quiz *q = (ui_Quiz *)s;
    set_attempt(q, NULL);
    free_past(q);
    ui_quiz_free_image(q);
    dh_free(q);
}

static const ui_ScreenClass quiz_class = {"quiz", frame, back, sign_out, destroy};

/* The attempt in progress from the module's resume blob, if any. */
static void read_resume(ui_Quiz *q)
{
    dh_ModuleState ms;
    void *blob = NULL;
    size_t len = 0;
    dh_Error err;
    const dh_Module *m = &q->c->modules[q->module];
    if (dh_store_module_get(q->p->store, q->p->enrolment.registration, m->id, &ms, &blob, &len, &err) != DH_OK ||
        !blob)
        return;
    dh_QuizAttempt *a = NULL;
    dh_Status st = dh_quiz_attempt_restore(&a, q->quiz, blob, len, &err);
    dh_free(blob);
    if (st != DH_OK) {
        q->resume_failed = true;
        fprintf(stderr, "drillhall: %s\n", err.msg);
        return;
    }
    if (a->finished) { /* submitted, but the submit was never stored: keep it as it is */
        dh_quiz_attempt_free(a);
        return;
    }
    set_attempt(q, a);
    q->in_progress = true;
    q->left = true; /* nothing to suspend until the trainee continues */
    q->attempt_no = q->npast + 1;
    /* interactive questions finished before were reported when they finished */
    for (int i = 0; i < a->nslots; i++)
        q->reported[i] = a->slots[i].finished;
}

ui_Screen *ui_quiz_new(ui_App *app, int course, int module, dh_Progress *p, bool resume)
{
    DH_ASSERT(p && course >= 0 && course < app->ncourses && module >= 0 &&
              module < app->courses[course].course->nmodules);
    ui_Quiz *q = dh_calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->base.cls = &quiz_class;
    q->course = course;
    q->module = module;
    q->p = p;
    q->c = app->courses[course].course;
    q->edit_slot = -1;
    q->drag_item = -1;
    q->left = true;
    q->wall0 = ui_app_wall_ms(app);
    q->mono0 = ui_app_now(app);
    q->opened_at = ui_app_now(app);
    q->base_time_ms = p->states[module].time_ms;
    const dh_Module *m = &q->c->modules[module];
    q->quiz = m->kind == DH_MODULE_QUIZ ? m->u.quiz : NULL;
    if (!q->quiz || q->quiz->slots <= 0) {
        q->quiz = NULL;
        return &q->base;
    }
    load_past(q);
    read_resume(q);
    if (resume && q->in_progress)
        ui_quiz_continue(app, q);
    return &q->base;
}
