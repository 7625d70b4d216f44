/* catalog: the courses installed on this kiosk, one card each.
 *
 * A card shows what a trainee needs to choose: the title in their
 * language, a short description, the estimated time, a status word and a
 * progress bar (required modules done out of required). A package that
 * could not be loaded still gets a card, marked as broken, saying what is
 * wrong in plain words and where, so an instructor walking by can fix it,
 * and the other courses keep working. Cards flow into as many columns as
 * fit (one on a narrow screen or with large text).
 *
 * Trust (issue 8): in kiosk mode a package not signed by a trusted key is a
 * card that says "not approved" and why, and cannot be opened; outside
 * kiosk mode such a course opens, marked "unsigned (preview)". A version
 * superseded by a newer one is shown only to a trainee who is in the middle
 * of it, so they can finish; everyone else starts the newest.
 */
#include "screens.h"

#include "alloc.h"
#include "widgets.h"

#include <stdio.h>

typedef struct Catalog {
    ui_Screen base;
} Catalog;

typedef struct CardText {
    const char *title, *desc;
    const char *mark;           /* "" or the trust / version note */
    char mark_buf[300];
    char meta[200];
    char done[200];
    const char *action;
    float fraction;
    dh_CourseProgress cp;
} CardText;

static void card_text(ui_App *app, int i, CardText *ct)
{
    const ui_CourseEntry *e = &app->courses[i];
    const dh_Course *c = e->course;
    bool found;
    char minutes[64];
    ct->title = ui_course_text(app, c, &c->title);
    ct->desc = ui_course_text(app, c, &c->description);
    ui_app_course_progress(app, i, &ct->cp, &found);
    const char *status = ui_status_text(app, found ? ct->cp.status : DH_PROGRESS_NOT_ATTEMPTED);
    if (c->duration_min > 0)
        snprintf(ct->meta, sizeof ct->meta, "%s  ·  %s",
                 ui_trf(app, minutes, sizeof minutes, "common.minutes", c->duration_min), status);
    else
        snprintf(ct->meta, sizeof ct->meta, "%s", status);
    ui_trf(app, ct->done, sizeof ct->done, "catalog.modules_done", ct->cp.required_done, ct->cp.required);
    ct->fraction = ct->cp.required ? (float)ct->cp.required_done / (float)ct->cp.required : 0;
    ct->action = ui_tr(app, !found || ct->cp.status == DH_PROGRESS_NOT_ATTEMPTED ? "catalog.start"
                       : ct->cp.satisfied ? "catalog.review" : "catalog.resume");
    ct->mark = "";
    if (e->superseded) {
        ct->mark = ui_trf(app, ct->mark_buf, sizeof ct->mark_buf, "kiosk.superseded", c->version);
    } else if (e->signer.trust != DH_TRUST_SIGNED) {
        ct->mark = ui_tr(app, e->signer.trust == DH_TRUST_UNSIGNED      ? "kiosk.preview_unsigned"
                              : e->signer.trust == DH_TRUST_UNKNOWN_KEY ? "kiosk.preview_unknown"
                                                                        : "kiosk.preview_invalid");
    }
}

/* Is course entry i shown to the signed-in trainee? A superseded version
 * only to one whose current attempt at it is unfinished. */
static bool visible(ui_App *app, int i)
{
    const ui_CourseEntry *e = &app->courses[i];
    if (!e->course || !e->superseded)
        return true;
    dh_Enrolment en;
    dh_Error err;
    return app->signed_in &&
           dh_store_enrolment_get(app->store, app->trainee.id, e->course->id, e->course->version, &en,
                                  &err) == DH_OK &&
           en.status == DH_PROGRESS_IN_PROGRESS;
}

/* Height of course card i at width w (and draw it at y when draw). */
static int course_card(ui_App *app, int i, int x, int y, int w, bool draw)
{
    const ui_Theme *t = &app->theme;
    int pad = ui_px(app, UI_SP_L), gap = ui_px(app, UI_SP_S);
    int iw = w - 2 * pad;
    CardText ct;
    card_text(app, i, &ct);
    ui_TextStyle title = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    ui_TextStyle desc = ui_style(app, UI_FONT_BODY, t->text, 0);
    ui_TextStyle meta = ui_style(app, UI_FONT_SMALL, t->text_muted, UI_TEXT_STRONG);
    ui_TextStyle mark = ui_style(app, UI_FONT_SMALL, t->warning, UI_TEXT_STRONG);
    int bh = ui_button_height(app, UI_PRIMARY);
    int barh = ui_px(app, 8);
    int mh = ct.mark[0] ? ui_text_height(app, ct.mark, &mark, iw) + gap : 0;
    int h = pad + mh + ui_text_height(app, ct.title, &title, iw) + gap + ui_text_height(app, ct.meta, &meta, iw) +
            ui_px(app, UI_SP_M) + ui_text_height(app, ct.desc, &desc, iw) + ui_px(app, UI_SP_M) + barh + gap +
            ui_text_height(app, ct.done, &meta, iw) + ui_px(app, UI_SP_M) + bh + pad;
    if (!draw)
        return h;
    char key[32];
    bool open = ui_card(app, ui_keyf(key, sizeof key, "course.%d", i), ct.title, (SDL_Rect){x, y, w, h}, 0);
    int cy = y + pad;
    if (ct.mark[0])
        cy += ui_label(app, ct.mark, &mark, x + pad, cy, iw) + gap;
    cy += ui_label(app, ct.title, &title, x + pad, cy, iw) + gap;
    cy += ui_label(app, ct.meta, &meta, x + pad, cy, iw) + ui_px(app, UI_SP_M);
    cy += ui_label(app, ct.desc, &desc, x + pad, cy, iw) + ui_px(app, UI_SP_M);
    ui_progress(app, ct.done, (SDL_Rect){x + pad, cy, iw, barh}, ct.fraction);
    cy += barh + gap;
    cy += ui_label(app, ct.done, &meta, x + pad, cy, iw) + ui_px(app, UI_SP_M);
    int bw = ui_button_width(app, ct.action, UI_PRIMARY);
    if (bw < ui_px(app, 160))
        bw = ui_px(app, 160);
    if (bw > iw)
        bw = iw;
    open |= ui_button(app, ui_keyf(key, sizeof key, "open.%d", i), ct.action, (SDL_Rect){x + pad, cy, bw, bh},
                      UI_PRIMARY);
    if (open)
        ui_app_push(app, ui_outline_new(app, i, false));
    return h;
}

static int broken_card(ui_App *app, int i, int x, int y, int w, bool draw)
{
    const ui_Theme *t = &app->theme;
    const ui_CourseEntry *e = &app->courses[i];
    int pad = ui_px(app, UI_SP_L), gap = ui_px(app, UI_SP_S);
    int iw = w - 2 * pad;
    char problem[700];
    ui_trf(app, problem, sizeof problem, "catalog.problem", e->problem ? e->problem : "");
    ui_TextStyle title = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    ui_TextStyle head = ui_style(app, UI_FONT_BODY, t->danger, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    ui_TextStyle meta = ui_style(app, UI_FONT_SMALL, t->text_muted, 0);
    const char *bt = ui_tr(app, "catalog.broken_title"), *hint = ui_tr(app, "catalog.broken_hint");
    if (e->not_approved) {
        /* the reason in the trainee's words; the details for the officer */
        bt = ui_tr(app, e->signer.trust == DH_TRUST_UNSIGNED      ? "kiosk.not_approved_unsigned"
                        : e->signer.trust == DH_TRUST_UNKNOWN_KEY ? "kiosk.not_approved_unknown"
                                                                  : "kiosk.not_approved_invalid");
        hint = ui_tr(app, "kiosk.not_approved_hint");
        snprintf(problem, sizeof problem, "%s", e->problem ? e->problem : "");
    }
    int h = pad + ui_text_height(app, e->file_name, &title, iw) + gap + ui_text_height(app, bt, &head, iw) +
            gap + ui_text_height(app, problem, &body, iw) + gap +
            (e->where ? ui_text_height(app, e->where, &meta, iw) + gap : 0) +
            ui_text_height(app, hint, &meta, iw) + pad;
    if (!draw)
        return h;
    /* not activatable: a broken or unapproved package cannot be opened */
    ui_card(app, NULL, e->file_name, (SDL_Rect){x, y, w, h}, UI_DANGER);
    int cy = y + pad;
    cy += ui_label(app, e->file_name, &title, x + pad, cy, iw) + gap;
    cy += ui_label(app, bt, &head, x + pad, cy, iw) + gap;
    cy += ui_label(app, problem, &body, x + pad, cy, iw) + gap;
    if (e->where)
        cy += ui_label(app, e->where, &meta, x + pad, cy, iw) + gap;
    ui_label(app, hint, &meta, x + pad, cy, iw);
    return h;
}

static int card(ui_App *app, int i, int x, int y, int w, bool draw)
{
    return app->courses[i].course ? course_card(app, i, x, y, w, draw) : broken_card(app, i, x, y, w, draw);
}

static void frame(ui_Screen *s, ui_App *app)
{
    (void)s;
    const ui_Theme *t = &app->theme;
    int y0 = ui_header(app, ui_tr(app, "catalog.title"), UI_HEADER_ALL);
    SDL_Rect r = ui_content(app, y0);
    int y = ui_scroll_begin(app, "catalog", r);
    char buf[600];
    ui_TextStyle h1 = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
    y += ui_label(app, ui_trf(app, buf, sizeof buf, "catalog.greeting", app->trainee.name), &h1, r.x, y, r.w);
    y += ui_px(app, UI_SP_XS);
    y += ui_label(app, ui_tr(app, "catalog.intro"), &body, r.x, y, r.w) + ui_px(app, UI_SP_L);
    if (app->ncourses == 0)
        y += ui_label(app, ui_tr(app, "catalog.empty"), &body, r.x, y, r.w);
    /* columns: as many as keep a card at least 440 dp wide (text size included) */
    int gap = ui_px(app, UI_SP_M);
    int minw = ui_px(app, 440) * app->settings.text_size / 100;
    int cols = (r.w + gap) / (minw + gap);
    int shown[256], nshown = 0;
    for (int i = 0; i < app->ncourses && nshown < 256; i++)
        if (visible(app, i))
            shown[nshown++] = i;
    if (cols < 1)
        cols = 1;
    if (cols > 3)
        cols = 3;
    if (cols > nshown && nshown > 0)
        cols = nshown;
    int cw = (r.w - (cols - 1) * gap) / cols;
    for (int i = 0; i < nshown; i += cols) {
        int rowh = 0;
        for (int k = i; k < i + cols && k < nshown; k++) {
            int h = card(app, shown[k], 0, 0, cw, false);
            rowh = h > rowh ? h : rowh;
        }
        for (int k = i; k < i + cols && k < nshown; k++)
            card(app, shown[k], r.x + (k - i) * (cw + gap), y, cw, true);
        y += rowh + gap;
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_S));
}

static const ui_ScreenClass catalog_class = {"catalog", frame, NULL, NULL, NULL};

ui_Screen *ui_catalog_new(ui_App *app)
{
    (void)app;
    Catalog *c = dh_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->base.cls = &catalog_class;
    return &c->base;
}
