/* attract: the kiosk's face when nobody is signed in.
 *
 * A kiosk in a corridor has to say what it is from across the room and
 * invite a passer-by in: the programme's name, where the kiosk stands, a
 * large "tap to start", and the installed courses shown one after another.
 * It shows nothing about any trainee. The whole screen is one button, so a
 * tap anywhere, Enter or Space starts the sign-in. The highlights turn every
 * few seconds with a timed wake-up; between them the loop sleeps, so an
 * unattended kiosk uses no CPU.
 */
#include "screens.h"

#include "alloc.h"
#include "widgets.h"

#include <stdio.h>

#define HIGHLIGHT_MS 6000 /* one course highlight stays this long */

typedef struct Attract {
    ui_Screen base;
} Attract;

/* The courses a newcomer could start (approved, newest versions). */
static int highlights(const ui_App *app, int *which, int max)
{
    int n = 0;
    for (int i = 0; i < app->ncourses && n < max; i++)
        if (app->courses[i].course && !app->courses[i].superseded)
            which[n++] = i;
    return n;
}

static void frame(ui_Screen *scr, ui_App *app)
{
    (void)scr;
    const ui_Theme *t = &app->theme;
    const char *start = ui_tr(app, "kiosk.attract_start");
    ui_focus_default(app, "attract.start");
    if (ui_card(app, "attract.start", start, (SDL_Rect){0, 0, app->w, app->h}, 0)) {
        ui_Screen *si = ui_signin_new(app);
        if (si)
            ui_app_replace(app, si);
    }
    ui_fill(app, (SDL_Rect){0, 0, app->w, app->h}, t->bg);
    int w = app->w - 2 * ui_px(app, UI_SP_XL);
    if (w > ui_px(app, 900))
        w = ui_px(app, 900);
    int x = (app->w - w) / 2;
    ui_TextStyle display = ui_style(app, UI_FONT_DISPLAY + 8, t->text, UI_TEXT_STRONG);
    ui_TextStyle sub = ui_style(app, UI_FONT_TITLE, t->text_muted, 0);
    ui_TextStyle go = ui_style(app, UI_FONT_DISPLAY, t->accent_text, UI_TEXT_STRONG);
    ui_TextStyle ht = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    ui_TextStyle hb = ui_style(app, UI_FONT_BODY, t->text, 0);
    ui_TextStyle small = ui_style(app, UI_FONT_SMALL, t->text_muted, UI_TEXT_STRONG);
    display.align = sub.align = go.align = small.align = 1; /* centred */

    const char *title = ui_tr(app, "kiosk.attract_title");
    const char *site = app->config.site;
    int which[64];
    int n = highlights(app, which, 64);
    int pad = ui_px(app, UI_SP_L);
    int goh = ui_text_height(app, start, &go, w) + 2 * pad;
    /* the highlight card's height: the tallest course, so nothing jumps */
    int hh = 0;
    for (int k = 0; k < n; k++) {
        const dh_Course *c = app->courses[which[k]].course;
        int h = ui_text_height(app, ui_course_text(app, c, &c->title), &ht, w - 2 * pad) + ui_px(app, UI_SP_S) +
                ui_text_height(app, ui_course_text(app, c, &c->description), &hb, w - 2 * pad);
        hh = h > hh ? h : hh;
    }
    const char *label = ui_tr(app, "kiosk.attract_courses");
    int total = ui_text_height(app, title, &display, w) + ui_px(app, UI_SP_S) +
                (site[0] ? ui_text_height(app, site, &sub, w) + ui_px(app, UI_SP_S) : 0) + ui_px(app, UI_SP_XL) +
                goh + ui_px(app, UI_SP_XL) +
                (n ? ui_text_height(app, label, &small, w) + ui_px(app, UI_SP_S) + hh + 2 * pad : 0);
    int y = (app->h - total) / 2;
    if (y < ui_px(app, UI_SP_L))
        y = ui_px(app, UI_SP_L);
    y += ui_label(app, title, &display, x, y, w) + ui_px(app, UI_SP_S);
    if (site[0])
        y += ui_label(app, site, &sub, x, y, w) + ui_px(app, UI_SP_S);
    y += ui_px(app, UI_SP_XL);
    ui_round_rect(app, (SDL_Rect){x, y, w, goh}, ui_px(app, UI_RADIUS * 2), t->accent, (SDL_Color){0, 0, 0, 0});
    ui_label(app, start, &go, x, y + pad, w);
    y += goh + ui_px(app, UI_SP_XL);
    if (n) {
        uint64_t now = ui_app_now(app);
        int k = (int)((now / HIGHLIGHT_MS) % (uint64_t)n);
        const dh_Course *c = app->courses[which[k]].course;
        y += ui_label(app, label, &small, x, y, w) + ui_px(app, UI_SP_S);
        ui_round_rect(app, (SDL_Rect){x, y, w, hh + 2 * pad}, ui_px(app, UI_RADIUS), t->surface, t->border);
        int cy = y + pad;
        cy += ui_label(app, ui_course_text(app, c, &c->title), &ht, x + pad, cy, w - 2 * pad) + ui_px(app, UI_SP_S);
        ui_label(app, ui_course_text(app, c, &c->description), &hb, x + pad, cy, w - 2 * pad);
        if (n > 1) /* the next highlight, and nothing in between */
            ui_app_wake_in(app, HIGHLIGHT_MS - now % HIGHLIGHT_MS);
    }
}

static bool back(ui_Screen *s, ui_App *app)
{
    (void)s;
    (void)app;
    return true; /* nothing below the attract screen */
}

static const ui_ScreenClass attract_class = {"attract", frame, back, NULL, NULL};

ui_Screen *ui_attract_new(ui_App *app)
{
    (void)app;
    Attract *a = dh_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->base.cls = &attract_class;
    return &a->base;
}
