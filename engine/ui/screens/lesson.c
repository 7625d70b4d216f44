/* lesson: the reader, one page of blocks at a time, and what it records.
 *
 * A trainee reads a page, scrolls if it is long, and moves on with Next,
 * a swipe or the arrow keys. Every step that matters is committed through
 * the outline's dh_Progress before the screen shows it as done: opening
 * (initialized, or resumed when the module was in progress), each page view
 * (experienced, naming the page), each acknowledgement (accepted), the
 * Finish (completed, with the time spent), leaving or signing out mid-way
 * (suspended). Each commit carries the module state with the time spent and
 * a small resume blob, {"page": 2, "scroll": 340} (scroll in dp), so a
 * trainee who signs out lands on the same page next time; the blob is
 * cleared once the lesson is completed. Whether an acknowledgement was
 * given, and when, is read back from the statement journal, the record an
 * officer would check, rather than kept a second time in the blob.
 *
 * Drawing is in lesson_blocks.c; this file is the screen's state machine.
 */
#include "lesson_impl.h"

#include "alloc.h"
#include "reading.h"
#include "widgets.h"
#include "widgets_impl.h" /* the scroll offset, saved in and restored from the resume blob */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define PAGE_SCROLL "lesson.page"

/* ---- time and resume state ----------------------------------------------------- */

int64_t ui_lesson_time(const ui_App *app, const ui_Lesson *l)
{
    return l->base_time_ms + (int64_t)(ui_app_now(app) - l->opened_at);
}

static Scroll *page_scroll(ui_App *app)
{
    return ui_scroll_find(app->widgets, ui_hash_key(PAGE_SCROLL), false);
}

/* The resume blob for page `page` at scroll offset scroll_px; dh_free it. */
static char *resume_blob(const ui_App *app, int page, int scroll_px)
{
    char buf[96];
    int dp = app->scale > 0 ? (int)(scroll_px / app->scale) : scroll_px;
    snprintf(buf, sizeof buf, "{\"page\":%d,\"scroll\":%d}", page, dp < 0 ? 0 : dp);
    return dh_strdup(buf);
}

/* Read page and scroll back; anything odd in the blob means "from the top". */
static void read_resume(ui_App *app, ui_Lesson *l)
{
    dh_ModuleState ms;
    void *blob = NULL;
    size_t len = 0;
    dh_Error err;
    const dh_Module *m = &l->c->modules[l->module];
    if (dh_store_module_get(l->p->store, l->p->enrolment.registration, m->id, &ms, &blob, &len, &err) != DH_OK ||
        !blob)
        return;
    cJSON *j = cJSON_ParseWithLength(blob, len);
    dh_free(blob);
    if (!j)
        return;
    const cJSON *page = cJSON_GetObjectItemCaseSensitive(j, "page");
    const cJSON *scroll = cJSON_GetObjectItemCaseSensitive(j, "scroll");
    if (cJSON_IsNumber(page) && page->valuedouble >= 0 && page->valuedouble < l->lesson->npages)
        l->page = (int)page->valuedouble;
    if (cJSON_IsNumber(scroll) && scroll->valuedouble > 0 && scroll->valuedouble < 1e6)
        l->restore_scroll = ui_px(app, (float)scroll->valuedouble);
    cJSON_Delete(j);
}

typedef struct AckScan {
    ui_Lesson *l;
    char **iris;      /* per acknowledgement: its activity IRI in quotes */
} AckScan;

static dh_Status scan_statement(const dh_StoredStatement *st, void *ctx, dh_Error *err)
{
    (void)err;
    AckScan *a = ctx;
    if (strcmp(st->verb, dh_xapi_verb_iri(DH_XAPI_ACCEPTED)) != 0)
        return DH_OK;
    for (int k = 0; k < a->l->nacks; k++)
        if (a->iris[k] && strstr(st->json, a->iris[k]) && st->timestamp_ms > a->l->ack_ms[k])
            a->l->ack_ms[k] = st->timestamp_ms;
    return DH_OK;
}

/* When each acknowledgement was given in this attempt, from the journal. */
static void read_acks(ui_Lesson *l)
{
    if (!l->nacks)
        return;
    AckScan a = {l, dh_calloc((size_t)l->nacks, sizeof(char *))};
    if (!a.iris)
        return;
    const dh_Module *m = &l->c->modules[l->module];
    for (int k = 0; k < l->nacks; k++) {
        char *iri = dh_xapi_activity_iri(l->p->xapi.activity_base, l->c->id, m->id, "acknowledgements",
                                         l->acks[k]->id);
        if (iri) {
            size_t n = strlen(iri) + 3;
            a.iris[k] = dh_malloc(n);
            if (a.iris[k])
                snprintf(a.iris[k], n, "\"%s\"", iri);
            dh_free(iri);
        }
    }
    dh_StatementQuery q = {0};
    q.registration = l->p->enrolment.registration;
    dh_Error err;
    if (dh_store_statements_each(l->p->store, &q, scan_statement, &a, &err) != DH_OK)
        fprintf(stderr, "drillhall: reading acknowledgements: %s\n", err.msg);
    for (int k = 0; k < l->nacks; k++)
        dh_free(a.iris[k]);
    dh_free(a.iris);
}

/* ---- recording ---------------------------------------------------------------------- */

typedef struct Batch {
    dh_XapiStatement st[4];
    int n;
    dh_Status rc;
    dh_Error err;
} Batch;

static void add_module(Batch *b, const dh_XapiContext *ctx, dh_XapiVerb v, const dh_XapiResult *res,
                       int64_t now)
{
    if (b->rc == DH_OK && (b->rc = dh_xapi_module_statement(&b->st[b->n], ctx, v, res, now, &b->err)) == DH_OK)
        b->n++;
}

static void add_page(Batch *b, const dh_XapiContext *ctx, int page, int64_t now)
{
    if (b->rc == DH_OK && (b->rc = dh_xapi_page_experienced(&b->st[b->n], ctx, page, now, &b->err)) == DH_OK)
        b->n++;
}

static void add_accepted(Batch *b, const dh_XapiContext *ctx, const dh_Block *block, int64_t now)
{
    if (b->rc == DH_OK && (b->rc = dh_xapi_accepted(&b->st[b->n], ctx, block, now, &b->err)) == DH_OK)
        b->n++;
}

/* Commit the batch with the module's new state (completed when finished,
 * else in progress at `page`); true when it is durable. On failure the
 * screen shows why and nothing changes. */
static bool commit(ui_App *app, ui_Lesson *l, Batch *b, bool finished, int page, int scroll_px, int64_t now)
{
    dh_Error err;
    if (b->rc != DH_OK) {
        for (int i = 0; i < b->n; i++)
            dh_xapi_statement_free(&b->st[i]);
        err = b->err;
        goto fail;
    }
    dh_ModuleState ms;
    memset(&ms, 0, sizeof ms);
    bool completed = finished || l->review;
    ms.status = completed ? DH_PROGRESS_COMPLETED : DH_PROGRESS_IN_PROGRESS;
    ms.completed = completed;
    ms.attempts = l->p->states[l->module].attempts;
    ms.time_ms = ui_lesson_time(app, l);
    ms.updated_ms = now;
    char *blob = NULL;
    if (completed) {
        ms.resume_op = DH_RESUME_CLEAR;
    } else {
        blob = resume_blob(app, page, scroll_px);
        if (!blob) {
            for (int i = 0; i < b->n; i++)
                dh_xapi_statement_free(&b->st[i]);
            dh_fail(&err, DH_ENOMEM, "out of memory: nothing was saved");
            goto fail;
        }
        ms.resume_op = DH_RESUME_SET;
        ms.resume = blob;
        ms.resume_len = strlen(blob);
    }
    dh_Status rc = dh_progress_record(l->p, l->module, &ms, b->st, b->n, now, &err);
    dh_free(blob);
    if (rc != DH_OK)
        goto fail;
    l->error[0] = '\0';
    return true;
fail:
    ui_trf(app, l->error, sizeof l->error, "app.save_failed", err.msg);
    fprintf(stderr, "drillhall: %s\n", l->error);
    return false;
}

static dh_XapiResult duration(const ui_App *app, const ui_Lesson *l)
{
    dh_XapiResult r;
    memset(&r, 0, sizeof r);
    r.has_duration = true;
    r.duration_ms = ui_lesson_time(app, l);
    return r;
}

bool ui_lesson_page_ready(const ui_Lesson *l)
{
    if (l->review)
        return true;
    const dh_Page *pg = &l->lesson->pages[l->page];
    for (int i = 0; i < pg->nblocks; i++)
        if (pg->blocks[i].type == DH_BLOCK_ACKNOWLEDGE) {
            int k = ui_lesson_ack_index(l, &pg->blocks[i]);
            if (k >= 0 && l->ack_ms[k] == 0)
                return false;
        }
    return true;
}

int ui_lesson_ack_index(const ui_Lesson *l, const dh_Block *b)
{
    for (int k = 0; k < l->nacks; k++)
        if (l->acks[k] == b)
            return k;
    return -1;
}

/* Bring the first unconfirmed acknowledgement of the page into view and
 * give it the keyboard focus, at the start of the next frame (a widget
 * must be drawn in the frame it is given focus in); nudge: the trainee
 * tried to go on without it. */
static void point_at_ack(ui_App *app, ui_Lesson *l, bool nudge)
{
    l->focus_ack = true;
    l->nudge = nudge;
    ui_app_invalidate(app);
}

void ui_lesson_focus_ack(ui_App *app, ui_Lesson *l)
{
    if (!l->focus_ack)
        return;
    l->focus_ack = false;
    const dh_Page *pg = &l->lesson->pages[l->page];
    for (int i = 0; i < pg->nblocks; i++) {
        int k = ui_lesson_ack_index(l, &pg->blocks[i]);
        if (k >= 0 && l->ack_ms[k] == 0) {
            char key[32];
            ui_focus(app, ui_keyf(key, sizeof key, "ack.%d", k));
            return;
        }
    }
}

void ui_lesson_go(ui_App *app, ui_Lesson *l, int page)
{
    if (page < 0 || page >= l->lesson->npages || page == l->page)
        return;
    if (page > l->page && !ui_lesson_page_ready(l)) {
        point_at_ack(app, l, true);
        return;
    }
    dh_XapiContext ctx = dh_progress_context(l->p, l->module);
    int64_t now = ui_app_wall_ms(app);
    Batch b = {0};
    add_page(&b, &ctx, page, now);
    if (!commit(app, l, &b, false, page, 0, now))
        return;
    l->page = page;
    l->nudge = false;
    l->restore_scroll = -1;
    ui_scroll_reset(app, PAGE_SCROLL);
    /* keyboard paging: Next would be disabled here, so hand the focus on
     * to what must be done first (and scroll it into view) */
    if (ui_has_focus(app, "lesson.next") && !ui_lesson_page_ready(l))
        point_at_ack(app, l, false);
    ui_app_invalidate(app);
}

void ui_lesson_confirm(ui_App *app, ui_Lesson *l, int ack)
{
    if (ack < 0 || ack >= l->nacks || l->ack_ms[ack])
        return;
    dh_XapiContext ctx = dh_progress_context(l->p, l->module);
    int64_t now = ui_app_wall_ms(app);
    Batch b = {0};
    add_accepted(&b, &ctx, l->acks[ack], now);
    Scroll *s = page_scroll(app);
    if (!commit(app, l, &b, false, l->page, s ? s->offset : 0, now))
        return;
    l->ack_ms[ack] = now;
    if (ui_lesson_page_ready(l)) {
        l->nudge = false;
        /* the button is gone: the keyboard goes on to Next / Finish */
        char key[32];
        if (ui_has_focus(app, ui_keyf(key, sizeof key, "ack.%d", ack)))
            ui_focus(app, "lesson.next");
    }
}

void ui_lesson_finish(ui_App *app, ui_Lesson *l)
{
    if (!ui_lesson_page_ready(l)) {
        point_at_ack(app, l, true);
        return;
    }
    dh_XapiContext ctx = dh_progress_context(l->p, l->module);
    int64_t now = ui_app_wall_ms(app);
    dh_XapiResult r = duration(app, l);
    Batch b = {0};
    if (!l->review)
        add_module(&b, &ctx, DH_XAPI_COMPLETED, &r, now);
    add_module(&b, &ctx, DH_XAPI_TERMINATED, &r, now);
    if (!commit(app, l, &b, true, l->page, 0, now))
        return;
    l->left = true;
    ui_app_pop(app);
}

/* Leaving before the end (back, Escape, sign-out): `suspended` with where
 * the trainee was; a lesson already completed is `terminated` instead. */
static bool leave(ui_App *app, ui_Lesson *l)
{
    if (l->left || !l->lesson)
        return true;
    dh_XapiContext ctx = dh_progress_context(l->p, l->module);
    int64_t now = ui_app_wall_ms(app);
    dh_XapiResult r = duration(app, l);
    Batch b = {0};
    add_module(&b, &ctx, l->review ? DH_XAPI_TERMINATED : DH_XAPI_SUSPENDED, &r, now);
    Scroll *s = page_scroll(app);
    if (!commit(app, l, &b, false, l->page, s ? s->offset : 0, now))
        return false;
    l->left = true;
    return true;
}

/* ---- the screen ------------------------------------------------------------------------ */

static void frame(ui_Screen *s, ui_App *app)
{
    ui_Lesson *l = (ui_Lesson *)s;
    ui_lesson_draw(app, l);
    Scroll *sc = page_scroll(app);
    if (l->restore_scroll >= 0 && sc && sc->content_h > 0) {
        int max = sc->content_h - sc->view.h;
        sc->offset = l->restore_scroll < max ? l->restore_scroll : max > 0 ? max : 0;
        l->restore_scroll = -1;
        ui_app_invalidate(app);
    }
}

static bool back(ui_Screen *s, ui_App *app)
{
    ui_Lesson *l = (ui_Lesson *)s;
    if (leave(app, l))
        return false;
    /* Not saved: say so and stay, once; a second Back leaves all the same
     * (a kiosk with a full disk must not trap the trainee). */
    if (l->leave_anyway)
        return false;
    l->leave_anyway = true;
    return true;
}

static void sign_out(ui_Screen *s, ui_App *app)
{
    leave(app, (ui_Lesson *)s);
}

static void destroy(ui_Screen *s)
{
    ui_Lesson *l = (ui_Lesson *)s;
    ui_lesson_free_images(l);
    dh_free(l->acks);
    dh_free(l->ack_ms);
    dh_free(l);
}

static const ui_ScreenClass lesson_class = {"lesson", frame, back, sign_out, destroy};

ui_Screen *ui_lesson_new(ui_App *app, int course, int module, dh_Progress *p, bool resume)
{
    DH_ASSERT(p && course >= 0 && course < app->ncourses && module >= 0 &&
              module < app->courses[course].course->nmodules);
    ui_Lesson *l = dh_calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->base.cls = &lesson_class;
    l->course = course;
    l->module = module;
    l->p = p;
    l->c = app->courses[course].course;
    l->restore_scroll = -1;
    const dh_Module *m = &l->c->modules[module];
    l->lesson = m->kind == DH_MODULE_LESSON ? m->u.lesson : NULL;
    if (!l->lesson || l->lesson->npages <= 0) {
        l->lesson = NULL; /* shown as "could not be loaded"; nothing recorded */
        return &l->base;
    }
    /* the acknowledgement blocks, in lesson order */
    for (int pg = 0; pg < l->lesson->npages; pg++)
        for (int i = 0; i < l->lesson->pages[pg].nblocks; i++)
            l->nacks += l->lesson->pages[pg].blocks[i].type == DH_BLOCK_ACKNOWLEDGE;
    if (l->nacks) {
        l->acks = dh_calloc((size_t)l->nacks, sizeof *l->acks);
        l->ack_ms = dh_calloc((size_t)l->nacks, sizeof *l->ack_ms);
        if (!l->acks || !l->ack_ms) {
            destroy(&l->base);
            return NULL;
        }
        int k = 0;
        for (int pg = 0; pg < l->lesson->npages; pg++)
            for (int i = 0; i < l->lesson->pages[pg].nblocks; i++)
                if (l->lesson->pages[pg].blocks[i].type == DH_BLOCK_ACKNOWLEDGE)
                    l->acks[k++] = &l->lesson->pages[pg].blocks[i];
    }
    bool was_in_progress = ui_module_status(p, module) == DH_PROGRESS_IN_PROGRESS;
    l->review = dh_completion_module_done(&p->modules[module]);
    l->base_time_ms = p->states[module].time_ms;
    l->opened_at = ui_app_now(app);
    if (resume && !l->review)
        read_resume(app, l);
    read_acks(l);
    if (l->review) /* completed: every acknowledgement was given, even if its record is older */
        for (int k = 0; k < l->nacks; k++)
            if (!l->ack_ms[k])
                l->ack_ms[k] = -1;

    dh_XapiContext ctx = dh_progress_context(p, module);
    int64_t now = ui_app_wall_ms(app);
    Batch b = {0};
    add_module(&b, &ctx, was_in_progress ? DH_XAPI_RESUMED : DH_XAPI_INITIALIZED, NULL, now);
    add_page(&b, &ctx, l->page, now);
    commit(app, l, &b, false, l->page, l->restore_scroll > 0 ? l->restore_scroll : 0, now);
    return &l->base;
}
