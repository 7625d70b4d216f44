/* outline: one course's modules, what the trainee has done, what comes next.
 *
 * The outline owns the trainee's dh_Progress for the course while any of
 * its module screens is open: a lesson borrows it to record, and when the
 * module screen returns the outline re-reads the store, so what it shows is
 * always what was committed. Locks come from the course rules
 * (dh_completion_unlocked), never from the screen, and a locked module is
 * still a focusable card that names, in the trainee's language, each
 * unfinished module it waits for: a trainee should never have to guess why
 * something does not open. Opening the course records `launched` the first
 * time in an attempt; "Continue" (and a sign-in, through resume) takes the
 * trainee back into the module they were in.
 */
#include "screens.h"

#include "alloc.h"
#include "reading.h"
#include "widgets.h"

#include <stdio.h>
#include <string.h>

typedef struct Outline {
    ui_Screen base;
    int course;
    dh_Progress *p;     /* NULL when it could not be opened (error says why) */
    char error[700];    /* shown above the modules; "" if none */
    bool resume;        /* open the module in progress at the first frame */
    bool covered;       /* a module screen was pushed: refresh when on top again */
    int opened;         /* module opened last, -1 */
    bool opened_done;   /* ... and whether it was done then */
    int finished;       /* module the trainee just finished (banner), -1 */
    int nudged;         /* locked module the trainee tried to open, -1 */
} Outline;

static const dh_Course *course_of(const ui_App *app, const Outline *o)
{
    return app->courses[o->course].course;
}

static bool module_done(const Outline *o, int i)
{
    return o->p && dh_completion_module_done(&o->p->modules[i]);
}

static bool unlocked(const Outline *o, const dh_Course *c, int i)
{
    return o->p && dh_completion_unlocked(c, o->p->modules, i);
}

/* The module the trainee was in: the most recently changed one in progress. */
static int module_in_progress(const Outline *o, const dh_Course *c)
{
    int best = -1;
    int64_t best_ms = 0;
    for (int i = 0; o->p && i < c->nmodules; i++) {
        if (ui_module_status(o->p, i) != DH_PROGRESS_IN_PROGRESS || !unlocked(o, c, i))
            continue;
        if (best < 0 || o->p->states[i].updated_ms > best_ms) {
            best = i;
            best_ms = o->p->states[i].updated_ms;
        }
    }
    return best;
}

/* What "Continue" opens: the module in progress, else the first open one
 * not done (required ones first), else -1 (all done). */
static int next_module(const Outline *o, const dh_Course *c)
{
    int m = module_in_progress(o, c);
    for (int pass = 0; m < 0 && pass < 2; pass++)
        for (int i = 0; i < c->nmodules && m < 0; i++)
            if ((pass == 1 || c->modules[i].required) && !module_done(o, i) && unlocked(o, c, i))
                m = i;
    return m;
}

/* The lock reason: "Complete “A”, “B” and “C” first", unfinished direct
 * prerequisites in course order, titled in the UI language. */
static const char *lock_reason(ui_App *app, const Outline *o, int i, char *buf, size_t size)
{
    const dh_Course *c = course_of(app, o);
    const dh_Module *m = &c->modules[i];
    int pending[64], n = 0;
    for (int k = 0; k < m->nprereqs && n < 64; k++)
        if (!module_done(o, m->prereqs[k]))
            pending[n++] = m->prereqs[k];
    char list[1200] = "", quoted[400];
    size_t len = 0;
    for (int k = 0; k < n; k++) {
        const char *sep = k == 0 ? "" : k == n - 1 ? ui_tr(app, "outline.list_and") : ui_tr(app, "outline.list_sep");
        ui_trf(app, quoted, sizeof quoted, "outline.quoted", ui_course_text(app, c, &c->modules[pending[k]].title));
        int w = snprintf(list + len, sizeof list - len, "%s%s", sep, quoted);
        if (w < 0 || (size_t)w >= sizeof list - len)
            break;
        len += (size_t)w;
    }
    return ui_trf(app, buf, size, "outline.locked", list);
}

static const char *kind_word(const ui_App *app, dh_ModuleKind k)
{
    switch (k) {
    case DH_MODULE_LESSON: return ui_tr(app, "outline.kind_lesson");
    case DH_MODULE_QUIZ: return ui_tr(app, "outline.kind_quiz");
    case DH_MODULE_SCENARIO: return ui_tr(app, "outline.kind_scenario");
    }
    return "";
}

/* "Lesson · 5 pages · Optional" */
static void kind_line(ui_App *app, const dh_Module *m, char *buf, size_t size)
{
    char extra[80] = "";
    if (m->kind == DH_MODULE_LESSON && m->u.lesson)
        ui_trf(app, extra, sizeof extra, "outline.pages", m->u.lesson->npages);
    else if (m->kind == DH_MODULE_QUIZ && m->u.quiz)
        ui_trf(app, extra, sizeof extra, "outline.questions", m->u.quiz->nquestions);
    snprintf(buf, size, "%s%s%s%s%s", kind_word(app, m->kind), extra[0] ? "  ·  " : "", extra,
             m->required ? "" : "  ·  ", m->required ? "" : ui_tr(app, "outline.optional"));
}

static void open_module(ui_App *app, Outline *o, int i)
{
    const dh_Course *c = course_of(app, o);
    if (!o->p || i < 0 || i >= c->nmodules)
        return;
    if (!unlocked(o, c, i)) {
        o->nudged = i;
        return;
    }
    ui_Screen *s;
    bool in_progress = ui_module_status(o->p, i) == DH_PROGRESS_IN_PROGRESS;
    if (c->modules[i].kind == DH_MODULE_LESSON && c->modules[i].u.lesson)
        s = ui_lesson_new(app, o->course, i, o->p, in_progress);
    else if (c->modules[i].kind == DH_MODULE_QUIZ && c->modules[i].u.quiz)
        s = ui_quiz_new(app, o->course, i, o->p, in_progress);
    else if (c->modules[i].kind == DH_MODULE_SCENARIO && c->modules[i].u.scenario)
        s = ui_exercise_new(app, o->course, i, o->p, in_progress);
    else
        s = ui_placeholder_new(app, o->course, i);
    if (!s)
        return;
    o->opened = i;
    o->opened_done = module_done(o, i);
    o->covered = true;
    o->nudged = -1;
    o->finished = -1;
    ui_app_push(app, s);
}

/* Back on top after a module screen: re-read what was committed. */
static void refresh(ui_App *app, Outline *o)
{
    dh_Progress *np = NULL;
    dh_Error err;
    if (ui_app_progress(app, o->course, &np, &err) == DH_OK) {
        dh_progress_close(o->p);
        o->p = np;
    }
    if (o->opened >= 0 && !o->opened_done && module_done(o, o->opened))
        o->finished = o->opened;
    o->opened = -1;
}

/* ---- drawing ----------------------------------------------------------------- */

typedef struct Styles {
    ui_TextStyle title, desc, meta, kind, mtitle, reason, banner_head, body;
} Styles;

static Styles styles(const ui_App *app)
{
    const ui_Theme *t = &app->theme;
    Styles s;
    s.title = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    s.desc = ui_style(app, UI_FONT_BODY, t->text, 0);
    s.meta = ui_style(app, UI_FONT_SMALL, t->text_muted, UI_TEXT_STRONG);
    s.kind = ui_style(app, UI_FONT_SMALL, t->text_muted, UI_TEXT_STRONG);
    s.mtitle = ui_style(app, UI_FONT_TITLE - 3, t->text, UI_TEXT_STRONG);
    s.reason = ui_style(app, UI_FONT_SMALL + 1, t->text_muted, 0);
    s.banner_head = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
    s.body = ui_style(app, UI_FONT_BODY, t->text, 0);
    return s;
}

/* The round marker left of a module: its number, a tick when done, a lock. */
static void module_marker(ui_App *app, SDL_Rect r, int i, dh_ProgressStatus st, bool locked)
{
    const ui_Theme *t = &app->theme;
    if (locked) {
        ui_disc(app, r.x + r.w / 2, r.y + r.h / 2, r.w / 2, t->surface_alt);
        SDL_Rect in = {r.x + r.w / 5, r.y + r.h / 5, r.w * 3 / 5, r.h * 3 / 5};
        ui_icon(app, UI_ICON_LOCK, in, t->text_muted, t->surface_alt);
        return;
    }
    if (st == DH_PROGRESS_COMPLETED || st == DH_PROGRESS_PASSED) {
        ui_icon(app, UI_ICON_TICK, r, t->success, t->high_contrast ? t->bg : t->accent_text);
        return;
    }
    bool active = st == DH_PROGRESS_IN_PROGRESS;
    SDL_Color fill = st == DH_PROGRESS_FAILED ? t->danger : active ? t->accent : t->accent_soft;
    SDL_Color fg = st == DH_PROGRESS_FAILED || active ? t->accent_text : t->accent;
    if (t->high_contrast && !active) {
        fill = t->surface_alt;
        fg = t->text;
    }
    ui_disc(app, r.x + r.w / 2, r.y + r.h / 2, r.w / 2, fill);
    char num[12];
    snprintf(num, sizeof num, "%d", i + 1);
    ui_TextStyle ns = ui_style(app, UI_FONT_SMALL, fg, UI_TEXT_STRONG);
    ns.align = 1;
    int nh = ui_text_height(app, num, &ns, r.w);
    ui_label(app, num, &ns, r.x, r.y + (r.h - nh) / 2, r.w);
}

/* Module card i at (x, y), width w: returns its height (draws when draw). */
static int module_card(ui_App *app, Outline *o, int i, int x, int y, int w, bool draw)
{
    const ui_Theme *t = &app->theme;
    const dh_Course *c = course_of(app, o);
    const dh_Module *m = &c->modules[i];
    Styles s = styles(app);
    bool locked = !unlocked(o, c, i);
    dh_ProgressStatus st = o->p ? ui_module_status(o->p, i) : DH_PROGRESS_NOT_ATTEMPTED;
    const char *title = ui_course_text(app, c, &m->title);
    const char *status = locked ? ui_tr(app, "status.locked") : ui_status_text(app, st);
    char kind[200], reason[1600] = "";
    kind_line(app, m, kind, sizeof kind);
    bool nudged = locked && o->nudged == i;
    if (locked)
        lock_reason(app, o, i, reason, sizeof reason);
    if (nudged) { /* they tried to open it: make the reason impossible to miss */
        s.reason.color = t->warning;
        s.reason.flags = UI_TEXT_STRONG;
    }
    int pad = ui_px(app, UI_SP_M), gap = ui_px(app, UI_SP_XS);
    int mark = ui_px(app, 36);
    int tx = x + pad + mark + ui_px(app, UI_SP_M);
    int tw = x + w - pad - tx;
    int pw, ph;
    ui_pill_size(app, status, &pw, &ph);
    /* the status pill sits right of the kind line when both fit, else below the title */
    bool pill_inline = ui_text_width(app, kind, &s.kind) + pw + ui_px(app, UI_SP_M) <= tw;
    int kh = ui_text_height(app, kind, &s.kind, pill_inline ? tw - pw - ui_px(app, UI_SP_M) : tw);
    int row1 = pill_inline && ph > kh ? ph : kh;
    int h = pad + row1 + gap + ui_text_height(app, title, &s.mtitle, tw);
    if (!pill_inline)
        h += gap + ph;
    if (locked)
        h += ui_px(app, UI_SP_S) + ui_text_height(app, reason, &s.reason, tw);
    h += pad;
    if (h < pad * 2 + mark)
        h = pad * 2 + mark;
    if (!draw)
        return h;

    char key[32];
    SDL_Rect r = {x, y, w, h};
    if (ui_card(app, ui_keyf(key, sizeof key, "module.%d", i), title, r, 0))
        open_module(app, o, i);
    if (st == DH_PROGRESS_IN_PROGRESS && !locked) /* the one to go back to: an accent edge */
        ui_fill(app, (SDL_Rect){x, y + ui_px(app, UI_RADIUS), ui_px(app, 4), h - 2 * ui_px(app, UI_RADIUS)},
                t->accent);
    module_marker(app, (SDL_Rect){x + pad, y + pad, mark, mark}, i, st, locked);
    int cy = y + pad;
    SDL_Color pfg = locked ? t->text_muted : ui_status_color(app, st);
    SDL_Color pbg = locked ? t->surface_alt : ui_mix(t->surface, pfg, 0.12f);
    if (pill_inline) {
        ui_label(app, kind, &s.kind, tx, cy + (row1 - kh) / 2, tw - pw - ui_px(app, UI_SP_M));
        ui_pill(app, status, x + w - pad - pw, cy + (row1 - ph) / 2, pfg, pbg);
    } else {
        ui_label(app, kind, &s.kind, tx, cy, tw);
    }
    cy += row1 + gap;
    if (locked)
        s.mtitle.color = t->text_muted;
    cy += ui_label(app, title, &s.mtitle, tx, cy, tw);
    if (!pill_inline) {
        cy += gap;
        ui_pill(app, status, tx, cy, pfg, pbg);
        cy += ph;
    }
    if (locked) {
        cy += ui_px(app, UI_SP_S);
        ui_label(app, reason, &s.reason, tx, cy, tw);
    }
    return h;
}

/* A coloured message box (finished module, errors): returns its height. */
static int banner(ui_App *app, int x, int y, int w, const char *head, const char *text, bool ok, bool draw)
{
    const ui_Theme *t = &app->theme;
    Styles s = styles(app);
    int pad = ui_px(app, UI_SP_M), icon = ui_px(app, 24);
    int tx = x + pad + icon + ui_px(app, 12), tw = x + w - pad - tx;
    int h = pad + ui_text_height(app, head, &s.banner_head, tw) +
            (text && text[0] ? ui_px(app, 2) + ui_text_height(app, text, &s.body, tw) : 0) + pad;
    if (!draw)
        return h;
    SDL_Color c = ok ? t->success : t->danger;
    ui_round_rect(app, (SDL_Rect){x, y, w, h}, ui_px(app, UI_RADIUS),
                  t->high_contrast ? t->bg : ok ? ui_mix(t->surface, t->success, 0.10f) : t->danger_soft, c);
    ui_icon(app, ok ? UI_ICON_TICK : UI_ICON_WARNING, (SDL_Rect){x + pad, y + pad, icon, icon}, c,
            t->high_contrast ? t->bg : t->accent_text);
    int cy = y + pad + ui_label(app, head, &s.banner_head, tx, y + pad, tw);
    if (text && text[0])
        ui_label(app, text, &s.body, tx, cy + ui_px(app, 2), tw);
    return h;
}

/* Title, description, time, status, progress and the Continue button. */
static int course_summary(ui_App *app, Outline *o, int x, int y, int w)
{
    const ui_Theme *t = &app->theme;
    const dh_Course *c = course_of(app, o);
    Styles s = styles(app);
    int y0 = y;
    y += ui_label(app, ui_course_text(app, c, &c->title), &s.title, x, y, w) + ui_px(app, UI_SP_S);
    const char *desc = ui_course_text(app, c, &c->description);
    if (desc[0])
        y += ui_label(app, desc, &s.desc, x, y, w) + ui_px(app, UI_SP_M);
    /* meta row: estimated time, then the course status */
    char minutes[80] = "";
    if (c->duration_min > 0)
        ui_trf(app, minutes, sizeof minutes, "common.minutes", c->duration_min);
    dh_ProgressStatus cs = o->p ? o->p->verdict.status : DH_PROGRESS_NOT_ATTEMPTED;
    const char *status = ui_status_text(app, cs);
    int pw, ph;
    ui_pill_size(app, status, &pw, &ph);
    int mw = minutes[0] ? ui_text_width(app, minutes, &s.meta) : 0;
    int mh = minutes[0] ? ui_text_height(app, minutes, &s.meta, 0) : 0;
    int rowh = ph > mh ? ph : mh;
    if (minutes[0])
        ui_label(app, minutes, &s.meta, x, y + (rowh - mh) / 2, 0);
    int px = minutes[0] ? x + mw + ui_px(app, UI_SP_M) : x;
    SDL_Color sc = ui_status_color(app, cs);
    if (px + pw > x + w) { /* too narrow for one row (large text): wrap */
        y += mh + ui_px(app, UI_SP_XS);
        px = x;
        rowh = ph;
    }
    ui_pill(app, status, px, y + (rowh - ph) / 2, sc, ui_mix(t->surface_alt, sc, 0.10f));
    y += rowh + ui_px(app, UI_SP_M);
    /* progress */
    if (o->p) {
        const dh_CourseProgress *v = &o->p->verdict;
        char done[200];
        ui_trf(app, done, sizeof done, "outline.progress", v->required_done, v->required);
        float f = v->required ? (float)v->required_done / (float)v->required : 0;
        ui_progress(app, done, (SDL_Rect){x, y, w, ui_px(app, 8)}, f);
        y += ui_px(app, 8) + ui_px(app, UI_SP_S);
        y += ui_label(app, done, &s.meta, x, y, w) + ui_px(app, UI_SP_L);
    }
    /* Continue: the module in progress, else the next one to do */
    int next = next_module(o, c);
    if (next >= 0) {
        bool started = false;
        for (int i = 0; o->p && i < c->nmodules; i++)
            started |= o->p->modules[i].attempted;
        const char *label = ui_tr(app, started ? "outline.continue" : "outline.start");
        int bh = ui_button_height(app, UI_PRIMARY);
        int bw = ui_button_width(app, label, UI_PRIMARY);
        if (bw < ui_px(app, 180))
            bw = ui_px(app, 180);
        if (bw > w)
            bw = w;
        if (ui_button(app, "continue", label, (SDL_Rect){x, y, bw, bh}, UI_PRIMARY))
            open_module(app, o, next);
        char what[400];
        ui_trf(app, what, sizeof what, "outline.next_module", kind_word(app, c->modules[next].kind),
               ui_course_text(app, c, &c->modules[next].title));
        int gap = ui_px(app, UI_SP_M);
        int ww = x + w - (x + bw + gap);
        if (ww >= ui_px(app, 200)) {
            int wh = ui_text_height(app, what, &s.desc, ww);
            if (wh <= bh) {
                ui_label(app, what, &s.desc, x + bw + gap, y + (bh - wh) / 2, ww);
                y += bh;
            } else {
                y += bh + ui_px(app, UI_SP_S);
                y += ui_label(app, what, &s.desc, x, y, w);
            }
        } else {
            y += bh + ui_px(app, UI_SP_S);
            y += ui_label(app, what, &s.desc, x, y, w);
        }
        y += ui_px(app, UI_SP_L);
    }
    return y - y0;
}

static void frame(ui_Screen *s, ui_App *app)
{
    Outline *o = (Outline *)s;
    const dh_Course *c = course_of(app, o);
    const ui_Theme *t = &app->theme;
    if (o->covered) {
        o->covered = false;
        refresh(app, o);
    }
    if (o->resume) {
        o->resume = false;
        int m = module_in_progress(o, c);
        if (m >= 0)
            open_module(app, o, m);
    }
    int y0 = ui_header(app, ui_tr(app, "outline.title"), UI_HEADER_ALL);
    /* the scroll area spans the window (wheel anywhere, scrollbar at the edge) */
    SDL_Rect area = {0, y0, app->w, app->h - y0};
    SDL_Rect col = ui_reading_column(app, ui_content(app, y0));
    int x = col.x + ui_px(app, UI_SP_L), w = col.w - 2 * ui_px(app, UI_SP_L);
    int y = ui_scroll_begin(app, "outline", area) + ui_px(app, UI_SP_L);
    if (o->finished >= 0) {
        const char *title = ui_course_text(app, c, &c->modules[o->finished].title);
        const char *head = c->modules[o->finished].kind == DH_MODULE_LESSON ? ui_tr(app, "lesson.complete")
                                                                             : ui_tr(app, "status.completed");
        y += banner(app, x, y, w, head, title, true, true) + ui_px(app, UI_SP_L);
    }
    if (o->error[0])
        y += banner(app, x, y, w, o->error, NULL, false, true) + ui_px(app, UI_SP_L);
    y += course_summary(app, o, x, y, w);
    ui_TextStyle h2 = ui_style(app, UI_FONT_TITLE - 2, t->text, UI_TEXT_STRONG);
    y += ui_label(app, ui_tr(app, "outline.modules"), &h2, x, y, w) + ui_px(app, UI_SP_M);
    for (int i = 0; i < c->nmodules; i++) {
        int h = module_card(app, o, i, x, y, w, false);
        module_card(app, o, i, x, y, w, true);
        y += h + ui_px(app, 12);
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_L));
}

static void destroy(ui_Screen *s)
{
    Outline *o = (Outline *)s;
    dh_progress_close(o->p);
    dh_free(o);
}

static const ui_ScreenClass outline_class = {"outline", frame, NULL, NULL, destroy};

/* Open the trainee's progress and record `launched` once per attempt. */
static void start(ui_App *app, Outline *o)
{
    dh_Error err;
    char msg[600];
    if (ui_app_progress(app, o->course, &o->p, &err) != DH_OK) {
        o->p = NULL;
        ui_trf(app, o->error, sizeof o->error, "outline.error_open", err.msg);
        return;
    }
    if (o->p->launched)
        return;
    dh_XapiContext ctx = dh_progress_context(o->p, -1);
    dh_XapiStatement st;
    int64_t now = ui_app_wall_ms(app);
    dh_Status rc = dh_xapi_course_statement(&st, &ctx, DH_XAPI_LAUNCHED, NULL, now, &err);
    if (rc == DH_OK)
        rc = dh_progress_record(o->p, -1, NULL, &st, 1, now, &err);
    if (rc != DH_OK) {
        snprintf(msg, sizeof msg, "%s", err.msg);
        ui_trf(app, o->error, sizeof o->error, "app.save_failed", msg);
    }
}

ui_Screen *ui_outline_new(ui_App *app, int course, bool resume)
{
    DH_ASSERT(course >= 0 && course < app->ncourses && app->courses[course].course);
    Outline *o = dh_calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->base.cls = &outline_class;
    o->course = course;
    o->resume = resume;
    o->opened = o->finished = o->nudged = -1;
    start(app, o);
    return &o->base;
}
