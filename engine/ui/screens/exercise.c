/* exercise: an incident exercise at the kiosk, and what it records.
 *
 * The screen has three views: the briefing (what the exercise is, earlier
 * runs and their reviews, Start / Continue / Play again), the exercise
 * itself, and the after-action review. The core's scenario engine decides
 * everything; this file feeds its clock with app time (ui_app_now, so a
 * script's `advance` moves it), hands it the trainee's decisions, and
 * commits each step through the outline's dh_Progress before showing it:
 * starting (launched + initialized), continuing (resumed), each decision
 * (interacted, with the scenario time), leaving or signing out mid-run
 * (suspended), and the end (completed, passed or failed against the
 * course's mastery score, terminated). While a run is open the resume blob
 * is exactly dh_run_save's JSON, so the clock stops while the trainee is
 * away and restarts at the same scenario second. An ended run is stored as
 * a finished try whose record is {"run": <saved run>, "review": <review
 * JSON>}: the briefing rebuilds its review from the run (dh_run_restore +
 * dh_run_review, so the review is shown in the trainee's language of the
 * day) and the review JSON stays for anyone reading the store without the
 * engine.
 */
#include "exercise_impl.h"

#include "alloc.h"
#include "reading.h"
#include "widgets.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- reading the store ------------------------------------------------------------ */

static int ending_by_id(const dh_Scenario *s, const char *id)
{
    for (int i = 0; id && i < s->nendings; i++)
        if (s->endings[i].id && strcmp(s->endings[i].id, id) == 0)
            return i;
    return -1;
}

static void free_runs(ui_Exercise *e)
{
    for (int i = 0; i < e->nruns; i++)
        dh_free(e->runs[i].record);
    dh_free(e->runs);
    e->runs = NULL;
    e->nruns = 0;
}

static dh_Status add_run(const dh_ModuleAttempt *a, void *ctx, dh_Error *err)
{
    ui_Exercise *e = ctx;
    ui_ExRun *n = dh_realloc(e->runs, (size_t)(e->nruns + 1) * sizeof *n);
    if (!n)
        return dh_fail(err, DH_ENOMEM, "out of memory");
    e->runs = n;
    ui_ExRun *r = &e->runs[e->nruns];
    memset(r, 0, sizeof *r);
    r->number = a->number;
    r->has_score = a->has_score;
    r->score = a->score;
    r->passed = a->passed;
    r->ending = -1;
    if (a->record && a->record_len) {
        r->record = dh_malloc(a->record_len + 1);
        if (!r->record)
            return dh_fail(err, DH_ENOMEM, "out of memory");
        memcpy(r->record, a->record, a->record_len);
        r->record[a->record_len] = '\0';
        r->record_len = a->record_len;
        cJSON *j = cJSON_ParseWithLength(r->record, r->record_len);
        const cJSON *rv = cJSON_GetObjectItemCaseSensitive(j, "review");
        const cJSON *end = cJSON_GetObjectItemCaseSensitive(rv, "ending");
        if (cJSON_IsString(end))
            r->ending = ending_by_id(e->s, end->valuestring);
        cJSON_Delete(j);
    }
    e->nruns++;
    return DH_OK;
}

/* The finished runs of this module in this course attempt, oldest first. */
static void load_runs(ui_Exercise *e)
{
    free_runs(e);
    dh_Error err;
    if (dh_store_module_attempts_each(e->p->store, e->p->enrolment.registration, e->c->modules[e->module].id,
                                      add_run, e, &err) != DH_OK)
        fprintf(stderr, "drillhall: reading earlier runs: %s\n", err.msg);
}

/* A run in progress, from the module's resume blob: restored (not yet
 * playing) so the briefing can say where it stands. */
static void load_saved(ui_App *app, ui_Exercise *e)
{
    dh_ModuleState ms;
    void *blob = NULL;
    size_t len = 0;
    dh_Error err;
    if (dh_store_module_get(e->p->store, e->p->enrolment.registration, e->c->modules[e->module].id, &ms, &blob,
                            &len, &err) != DH_OK ||
        !blob)
        return;
    dh_Run *r = NULL;
    dh_Status st = dh_run_restore(&r, e->s, blob, len, &err);
    dh_free(blob);
    if (st != DH_OK || dh_run_state(r) != DH_RUN_PLAYING) {
        if (st == DH_OK)
            dh_run_free(r);
        fprintf(stderr, "drillhall: %s\n", err.msg);
        snprintf(e->notice, sizeof e->notice, "%s", ui_tr(app, "exercise.cannot_resume"));
        return;
    }
    e->run = r;
    e->run_live = false;
    e->saved_run = true;
    e->saved_now_s = dh_run_now(r);
}

/* ---- recording ---------------------------------------------------------------------- */

typedef struct Batch {
    dh_XapiStatement st[6];
    int n;
    dh_Status rc;
    dh_Error err;
} Batch;

static dh_XapiContext context(const ui_Exercise *e)
{
    dh_XapiContext ctx = dh_progress_context(e->p, e->module);
    ctx.has_scenario_time = e->run != NULL;
    ctx.scenario_time_s = e->run ? (double)dh_run_now(e->run) : 0;
    return ctx;
}

static void add_module(Batch *b, const dh_XapiContext *ctx, dh_XapiVerb v, const dh_XapiResult *res,
                       int64_t now)
{
    if (b->rc == DH_OK && (b->rc = dh_xapi_module_statement(&b->st[b->n], ctx, v, res, now, &b->err)) == DH_OK)
        b->n++;
}

static int64_t time_spent(const ui_App *app, const ui_Exercise *e)
{
    return e->base_time_ms + (int64_t)(ui_app_now(app) - e->opened_at);
}

static dh_XapiResult duration(const ui_App *app, const ui_Exercise *e)
{
    dh_XapiResult r;
    memset(&r, 0, sizeof r);
    r.has_duration = true;
    r.duration_ms = time_spent(app, e);
    return r;
}

static void drop(Batch *b)
{
    for (int i = 0; i < b->n; i++)
        dh_xapi_statement_free(&b->st[i]);
    b->n = 0;
}

static bool failed(ui_App *app, ui_Exercise *e, const dh_Error *err)
{
    ui_trf(app, e->error, sizeof e->error, "app.save_failed", err->msg);
    fprintf(stderr, "drillhall: %s\n", e->error);
    return false;
}

/* The module state every commit starts from: what is stored, with the time
 * spent; a replay after a finished run keeps its completion and grade. */
static dh_ModuleState base_state(const ui_App *app, const ui_Exercise *e, int64_t now)
{
    const dh_ModuleState *old = &e->p->states[e->module];
    dh_ModuleState ms;
    memset(&ms, 0, sizeof ms);
    ms.completed = old->completed;
    ms.passed = old->passed;
    ms.has_score = old->has_score;
    ms.score = old->score;
    ms.attempts = old->attempts;
    ms.status = old->completed || old->passed ? old->status : DH_PROGRESS_IN_PROGRESS;
    ms.time_ms = time_spent(app, e);
    ms.updated_ms = now;
    return ms;
}

/* Commit the batch with the run saved as the resume blob (the run goes
 * on). True when durable; on failure the screen says why. */
static bool commit_playing(ui_App *app, ui_Exercise *e, Batch *b, int64_t now)
{
    dh_Error err;
    if (b->rc != DH_OK) {
        drop(b);
        return failed(app, e, &b->err);
    }
    char *blob = NULL;
    size_t len = 0;
    if (dh_run_save(e->run, &blob, &len, &err) != DH_OK) {
        drop(b);
        return failed(app, e, &err);
    }
    dh_ModuleState ms = base_state(app, e, now);
    ms.resume_op = DH_RESUME_SET;
    ms.resume = blob;
    ms.resume_len = len;
    dh_Status rc = dh_progress_record(e->p, e->module, &ms, b->st, b->n, now, &err);
    dh_free(blob);
    if (rc != DH_OK)
        return failed(app, e, &err);
    e->error[0] = '\0';
    return true;
}

static double mastery(const ui_Exercise *e)
{
    /* without a course mastery score only a run that met every expectation passes */
    return e->c->mastery_score >= 0 ? e->c->mastery_score : 1.0;
}

/* The record of a finished run: {"run": <dh_run_save>, "review": <dh_review_json>}. */
static char *run_record(const ui_Exercise *e, const dh_Review *v, size_t *len, dh_Error *err)
{
    char *run = NULL, *rev = NULL;
    size_t rl = 0, vl = 0;
    const char *lang = e->c->nlanguages > 0 ? e->c->languages[0] : "en";
    if (dh_run_save(e->run, &run, &rl, err) != DH_OK)
        return NULL;
    if (dh_review_json(v, lang, &rev, &vl, err) != DH_OK) {
        dh_free(run);
        return NULL;
    }
    size_t n = rl + vl + 32;
    char *out = dh_malloc(n);
    if (out)
        *len = (size_t)snprintf(out, n, "{\"run\":%s,\"review\":%s}", run, rev);
    else
        dh_fail(err, DH_ENOMEM, "out of memory: nothing was saved");
    dh_free(run);
    dh_free(rev);
    return out;
}

static void show_review(ui_App *app, ui_Exercise *e, dh_Review *v, dh_Run *owner)
{
    dh_review_free(e->review);
    if (e->review_run && e->review_run != e->run)
        dh_run_free(e->review_run);
    e->review = v;
    e->review_run = owner;
    e->view = UI_EX_REVIEW;
    ui_scroll_reset(app, "exercise.review");
    ui_app_invalidate(app);
}

/* The run ended (an ending, the time limit, or a content fault): record
 * completed, passed/failed and terminated with the module's new state and
 * the finished run, then show the review. */
static void finish(ui_App *app, ui_Exercise *e)
{
    dh_Error err;
    dh_Review *v = NULL;
    if (dh_run_review(e->run, mastery(e), &v, &err) != DH_OK) {
        failed(app, e, &err);
        return;
    }
    bool ended = dh_run_state(e->run) == DH_RUN_ENDED;
    int64_t now = ui_app_wall_ms(app);
    dh_XapiContext ctx = context(e);
    dh_XapiResult r = duration(app, e);
    if (v->scored)
        dh_xapi_score(&r, v->score, 0, 1);
    Batch b = {0};
    if (ended)
        add_module(&b, &ctx, DH_XAPI_COMPLETED, &r, now);
    add_module(&b, &ctx, v->passed ? DH_XAPI_PASSED : DH_XAPI_FAILED, &r, now);
    /* The verdict carries what the review found, for officers' reports. */
    if (b.rc == DH_OK)
        b.rc = dh_xapi_add_review(&b.st[b.n - 1], ctx.config, v, &b.err);
    dh_XapiResult t = duration(app, e);
    add_module(&b, &ctx, DH_XAPI_TERMINATED, &t, now);
    if (b.rc != DH_OK) {
        drop(&b);
        dh_review_free(v);
        failed(app, e, &b.err);
        return;
    }
    size_t len = 0;
    char *rec = run_record(e, v, &len, &err);
    if (!rec) {
        drop(&b);
        dh_review_free(v);
        failed(app, e, &err);
        return;
    }
    dh_ModuleState ms = base_state(app, e, now);
    const dh_ModuleState *old = &e->p->states[e->module];
    dh_ModuleAttempt att;
    memset(&att, 0, sizeof att);
    att.started_ms = e->started_ms > 0 && e->started_ms <= now ? e->started_ms : now;
    att.finished_ms = now;
    att.has_score = v->scored;
    att.score = v->score;
    att.passed = v->passed;
    att.record = rec;
    att.record_len = len;
    ms.attempts = old->attempts + 1;
    ms.completed = old->completed || ended;
    ms.passed = old->passed || v->passed;
    if (att.has_score && (!old->has_score || v->score > old->score)) { /* the best run counts */
        ms.has_score = true;
        ms.score = v->score;
    }
    ms.status = ms.passed ? DH_PROGRESS_PASSED : ms.completed ? DH_PROGRESS_COMPLETED : DH_PROGRESS_IN_PROGRESS;
    ms.resume_op = DH_RESUME_CLEAR;
    ms.finished = &att;
    dh_Status rc = dh_progress_record(e->p, e->module, &ms, b.st, b.n, now, &err);
    dh_free(rec);
    if (rc != DH_OK) {
        dh_review_free(v);
        failed(app, e, &err);
        return;
    }
    e->error[0] = '\0';
    e->saved_run = false;
    e->run_live = false;
    e->pending = -1;
    load_runs(e);
    show_review(app, e, v, e->run);
}

/* Leaving mid-run (Back, sign-out): the clock stops, `suspended` with the
 * run saved. */
static bool suspend(ui_App *app, ui_Exercise *e)
{
    if (!e->run || !e->run_live || dh_run_state(e->run) != DH_RUN_PLAYING)
        return true;
    ui_exercise_tick(app, e);
    if (!e->run_live) /* the tick ended it: finished and recorded */
        return true;
    int64_t now = ui_app_wall_ms(app);
    dh_XapiContext ctx = context(e);
    dh_XapiResult r = duration(app, e);
    Batch b = {0};
    add_module(&b, &ctx, DH_XAPI_SUSPENDED, &r, now);
    if (!commit_playing(app, e, &b, now))
        return false;
    e->run_live = false;
    e->saved_run = true;
    e->saved_now_s = dh_run_now(e->run);
    return true;
}

/* ---- actions ----------------------------------------------------------------------- */

static void reset_play(ui_Exercise *e)
{
    for (int i = 0; i < e->s->ninjects; i++)
        e->read[i] = true; /* a continued run: what was there before counts as seen */
    e->selected = -1;
    e->detail_open = false;
    e->pending = -1;
    e->answer[0] = '\0';
    e->fb_action = e->fb_choice = -1;
    e->nfeed_seen = 0;
}

void ui_exercise_start(ui_App *app, ui_Exercise *e)
{
    int64_t now = ui_app_wall_ms(app);
    if (e->saved_run && e->run) { /* Continue */
        dh_XapiContext ctx = context(e);
        Batch b = {0};
        add_module(&b, &ctx, DH_XAPI_RESUMED, NULL, now);
        e->run_live = true;
        if (!commit_playing(app, e, &b, now)) {
            e->run_live = false;
            return;
        }
        e->saved_run = false;
        if (!e->started_ms)
            e->started_ms = now;
        reset_play(e);
    } else {
        dh_Run *r = NULL;
        dh_Error err;
        dh_Status st = dh_run_new(&r, e->s, e->s->seed, &err);
        if (st != DH_OK && !r) {
            failed(app, e, &err);
            return;
        }
        if (e->run && e->run != e->review_run)
            dh_run_free(e->run);
        e->run = r;
        dh_XapiContext ctx = context(e);
        Batch b = {0};
        add_module(&b, &ctx, DH_XAPI_LAUNCHED, NULL, now);
        add_module(&b, &ctx, DH_XAPI_INITIALIZED, NULL, now);
        add_module(&b, &ctx, DH_XAPI_ATTEMPTED, NULL, now); /* a new run, as a quiz attempt (XAPI.md) */
        e->run_live = true;
        if (!commit_playing(app, e, &b, now)) {
            e->run_live = false;
            return;
        }
        e->started_ms = now;
        reset_play(e);
        for (int i = 0; i < e->s->ninjects; i++)
            e->read[i] = false;
    }
    e->left = false;
    e->last_tick = ui_app_now(app);
    e->view = UI_EX_PLAY;
    ui_scroll_reset(app, "exercise.feed");
    ui_scroll_reset(app, "exercise.detail");
    if (dh_run_state(e->run) != DH_RUN_PLAYING) /* ended at its very start */
        finish(app, e);
    ui_app_invalidate(app);
}

void ui_exercise_tick(ui_App *app, ui_Exercise *e)
{
    if (!e->run || !e->run_live)
        return;
    uint64_t now = ui_app_now(app);
    if (dh_run_state(e->run) == DH_RUN_PLAYING && now > e->last_tick) {
        dh_Error err;
        if (dh_run_tick(e->run, (int64_t)(now - e->last_tick), &err) != DH_OK && dh_run_state(e->run) == DH_RUN_PLAYING)
            fprintf(stderr, "drillhall: exercise clock: %s\n", err.msg);
    }
    e->last_tick = now;
    if (dh_run_state(e->run) != DH_RUN_PLAYING)
        finish(app, e);
}

void ui_exercise_take(ui_App *app, ui_Exercise *e, int action, int choice, const char *text)
{
    ui_exercise_tick(app, e); /* the decision happens at this second, not the last frame's */
    if (!e->run_live || dh_run_state(e->run) != DH_RUN_PLAYING)
        return;
    char *before = NULL;
    size_t blen = 0;
    dh_Error err;
    if (dh_run_save(e->run, &before, &blen, &err) != DH_OK) {
        failed(app, e, &err);
        return;
    }
    if (dh_run_take(e->run, action, choice, text, &err) != DH_OK) {
        fprintf(stderr, "drillhall: %s\n", err.msg); /* no longer offered: the screen redraws without it */
        dh_free(before);
        e->pending = -1;
        ui_app_invalidate(app);
        return;
    }
    int64_t now = ui_app_wall_ms(app);
    dh_XapiContext ctx = context(e);
    Batch b = {0};
    if ((b.rc = dh_xapi_decision(&b.st[0], &ctx, e->s, action, choice, text, now, &b.err)) == DH_OK)
        b.n = 1;
    if (!commit_playing(app, e, &b, now)) {
        /* not durable: put the run back as it was, so screen and store agree */
        dh_Run *r = NULL;
        if (dh_run_restore(&r, e->s, before, blen, &err) == DH_OK) {
            dh_run_free(e->run);
            e->run = r;
        }
        dh_free(before);
        return;
    }
    dh_free(before);
    e->fb_action = action;
    e->fb_choice = choice;
    e->pending = -1;
    e->reveal = true;
    e->answer[0] = '\0';
    if (dh_run_state(e->run) != DH_RUN_PLAYING)
        finish(app, e);
    ui_app_invalidate(app);
}

void ui_exercise_end_turn(ui_App *app, ui_Exercise *e)
{
    if (!e->run_live || dh_run_state(e->run) != DH_RUN_PLAYING)
        return;
    dh_Error err;
    if (dh_run_next_turn(e->run, &err) != DH_OK && dh_run_state(e->run) == DH_RUN_PLAYING)
        fprintf(stderr, "drillhall: %s\n", err.msg);
    if (dh_run_state(e->run) != DH_RUN_PLAYING) {
        finish(app, e);
        return;
    }
    Batch b = {0}; /* the new time is saved so a sign-out cannot replay the turn */
    commit_playing(app, e, &b, ui_app_wall_ms(app));
    ui_app_invalidate(app);
}

void ui_exercise_open_review(ui_App *app, ui_Exercise *e, int k)
{
    if (k < 0 || k >= e->nruns)
        return;
    const ui_ExRun *run = &e->runs[k];
    dh_Error err;
    dh_Run *r = NULL;
    dh_Review *v = NULL;
    cJSON *j = run->record ? cJSON_ParseWithLength(run->record, run->record_len) : NULL;
    const cJSON *saved = cJSON_GetObjectItemCaseSensitive(j, "run");
    char *text = saved ? cJSON_PrintUnformatted(saved) : NULL;
    cJSON_Delete(j);
    if (!text) {
        snprintf(e->notice, sizeof e->notice, "%s", ui_tr(app, "exercise.review_unavailable"));
        return;
    }
    dh_Status st = dh_run_restore(&r, e->s, text, strlen(text), &err);
    cJSON_free(text);
    if (st == DH_OK)
        st = dh_run_review(r, mastery(e), &v, &err);
    if (st != DH_OK) {
        dh_run_free(r);
        fprintf(stderr, "drillhall: run %d: %s\n", run->number, err.msg);
        snprintf(e->notice, sizeof e->notice, "%s", ui_tr(app, "exercise.review_unavailable"));
        return;
    }
    e->notice[0] = '\0';
    show_review(app, e, v, r);
}

void ui_exercise_to_briefing(ui_App *app, ui_Exercise *e)
{
    dh_review_free(e->review);
    e->review = NULL;
    if (e->review_run && e->review_run != e->run)
        dh_run_free(e->review_run);
    e->review_run = NULL;
    e->view = UI_EX_BRIEFING;
    ui_scroll_reset(app, "exercise.briefing");
    ui_app_invalidate(app);
}

/* ---- the screen ------------------------------------------------------------------------ */

static void frame(ui_Screen *sc, ui_App *app)
{
    ui_Exercise *e = (ui_Exercise *)sc;
    const dh_Module *m = &e->c->modules[e->module];
    int y0 = ui_header(app, ui_course_text(app, e->c, &m->title), UI_HEADER_ALL);
    if (!e->s) {
        SDL_Rect col = ui_reading_column(app, ui_content(app, y0));
        ui_TextStyle b = ui_style(app, UI_FONT_BODY, app->theme.text, 0);
        int y = col.y + ui_px(app, UI_SP_L);
        y += ui_label(app, ui_tr(app, "placeholder.unavailable"), &b, col.x, y, col.w) + ui_px(app, UI_SP_L);
        const char *back = ui_tr(app, "lesson.back_to_course");
        if (ui_button(app, "back", back, (SDL_Rect){col.x, y, ui_button_width(app, back, 0), ui_button_height(app, 0)},
                      UI_PRIMARY))
            ui_app_pop(app);
        return;
    }
    if (e->view == UI_EX_PLAY && e->covered) { /* back from a screen over it (settings): no time passed here */
        e->covered = false;
        e->last_tick = ui_app_now(app);
    }
    if (app->npending > 0 && e->view == UI_EX_PLAY) /* the header pushes a screen over the exercise */
        e->covered = true;
    if (e->view == UI_EX_PLAY) {
        ui_exercise_tick(app, e);
        if (e->view == UI_EX_PLAY)
            ui_exercise_draw_play(app, e, y0);
        else
            ui_exercise_draw_review(app, e, y0);
    } else if (e->view == UI_EX_REVIEW && e->review) {
        ui_exercise_draw_review(app, e, y0);
    } else {
        e->view = UI_EX_BRIEFING;
        ui_exercise_draw_briefing(app, e, y0);
    }
}

static bool back(ui_Screen *sc, ui_App *app)
{
    ui_Exercise *e = (ui_Exercise *)sc;
    if (e->view == UI_EX_PLAY) {
        if (e->pending >= 0) { /* Escape first closes the question being asked */
            e->pending = -1;
            ui_app_invalidate(app);
            return true;
        }
        if (e->detail_open) {
            e->detail_open = false;
            ui_app_invalidate(app);
            return true;
        }
        if (suspend(app, e) || e->leave_anyway) {
            e->leave_anyway = false;
            if (e->view == UI_EX_PLAY)
                ui_exercise_to_briefing(app, e);
            return true;
        }
        e->leave_anyway = true; /* not saved: say so and stay, once */
        return true;
    }
    if (e->view == UI_EX_REVIEW) {
        ui_exercise_to_briefing(app, e);
        return true;
    }
    return false;
}

static void sign_out(ui_Screen *sc, ui_App *app)
{
    suspend(app, (ui_Exercise *)sc);
}

static void destroy(ui_Screen *sc)
{
    ui_Exercise *e = (ui_Exercise *)sc;
    dh_review_free(e->review);
    if (e->review_run && e->review_run != e->run)
        dh_run_free(e->review_run);
    dh_run_free(e->run);
    free_runs(e);
    for (int i = 0; e->images && e->s && i < e->s->ninjects; i++)
        if (e->images[i])
            SDL_DestroyTexture(e->images[i]);
    dh_free(e->images);
    dh_free(e->image_tried);
    dh_free(e->read);
    dh_free(e);
}

static const ui_ScreenClass exercise_class = {"exercise", frame, back, sign_out, destroy};

ui_Screen *ui_exercise_new(ui_App *app, int course, int module, dh_Progress *p, bool resume)
{
    (void)resume; /* a run in progress is always offered on the briefing page: Continue */
    DH_ASSERT(p && course >= 0 && course < app->ncourses && module >= 0 &&
              module < app->courses[course].course->nmodules);
    ui_Exercise *e = dh_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->base.cls = &exercise_class;
    e->course = course;
    e->module = module;
    e->p = p;
    e->c = app->courses[course].course;
    e->selected = e->pending = e->fb_action = e->fb_choice = -1;
    const dh_Module *m = &e->c->modules[module];
    e->s = m->kind == DH_MODULE_SCENARIO ? m->u.scenario : NULL;
    if (!e->s)
        return &e->base;
    size_t n = (size_t)(e->s->ninjects > 0 ? e->s->ninjects : 1);
    e->read = dh_calloc(n, sizeof *e->read);
    e->images = dh_calloc(n, sizeof *e->images);
    e->image_tried = dh_calloc(n, sizeof *e->image_tried);
    if (!e->read || !e->images || !e->image_tried) {
        destroy(&e->base);
        return NULL;
    }
    e->base_time_ms = p->states[module].time_ms;
    e->opened_at = ui_app_now(app);
    load_runs(e);
    load_saved(app, e);
    return &e->base;
}
