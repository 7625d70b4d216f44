/* settings: text size, high contrast and reduced motion, for the person at
 * the kiosk. Reached from the sign-in screen (before anyone is known: the
 * choice carries into a new trainee's record) and from every screen's
 * header. Every change applies at once, so the trainee sees the effect
 * while choosing, and is saved for them when they are signed in.
 */
#include "screens.h"

#include "alloc.h"
#include "widgets.h"

#include <stdio.h>

typedef struct Settings {
    ui_Screen base;
} Settings;

static void frame(ui_Screen *s, ui_App *app)
{
    (void)s;
    const ui_Theme *t = &app->theme;
    int y0 = ui_header(app, ui_tr(app, "settings.title"), UI_HEADER_BACK | UI_HEADER_SIGNOUT);
    SDL_Rect r = ui_content(app, y0);
    int y = ui_scroll_begin(app, "settings", r);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    ui_TextStyle sub = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    y += ui_label(app, ui_tr(app, "settings.intro"), &body, r.x, y, r.w) + ui_px(app, UI_SP_L);

    y += ui_label(app, ui_tr(app, "settings.text_size"), &sub, r.x, y, r.w) + ui_px(app, UI_SP_S);
    static const int sizes[] = {100, 125, 150, 175, 200};
    char texts[5][32];
    const char *labels[5];
    int selected = -1, chosen = -1;
    for (int i = 0; i < 5; i++) {
        labels[i] = ui_trf(app, texts[i], sizeof texts[i], "settings.percent", sizes[i]);
        if (app->settings.text_size == sizes[i])
            selected = i;
    }
    y += ui_button_flow(app, "size", labels, 5, selected, r.x, y, r.w, 0, &chosen);
    y += ui_px(app, UI_SP_M);
    SDL_Rect pv = {r.x, y, r.w, 0};
    int ph = ui_text_height(app, ui_tr(app, "settings.preview"), &body, r.w - ui_px(app, 32));
    pv.h = ph + ui_px(app, 32);
    ui_round_rect(app, pv, ui_px(app, UI_RADIUS), t->surface, t->border);
    ui_label(app, ui_tr(app, "settings.preview"), &body, r.x + ui_px(app, 16), y + ui_px(app, 16),
             r.w - ui_px(app, 32));
    y += pv.h + ui_px(app, UI_SP_L);

    ui_Settings next = app->settings;
    bool changed = chosen >= 0 && sizes[chosen] != app->settings.text_size;
    if (chosen >= 0)
        next.text_size = sizes[chosen];
    char label[512];
    snprintf(label, sizeof label, "%s\n%s", ui_tr(app, "settings.high_contrast"),
             ui_tr(app, "settings.high_contrast_hint"));
    int ch = ui_checkbox_height(app, label, r.w);
    bool hc = app->settings.high_contrast, rm = app->settings.reduced_motion;
    if (ui_checkbox(app, "contrast", label, &hc, (SDL_Rect){r.x, y, r.w, ch}, 0)) {
        next.high_contrast = hc;
        changed = true;
    }
    y += ch + ui_px(app, UI_SP_S);
    snprintf(label, sizeof label, "%s\n%s", ui_tr(app, "settings.reduced_motion"),
             ui_tr(app, "settings.reduced_motion_hint"));
    ch = ui_checkbox_height(app, label, r.w);
    if (ui_checkbox(app, "motion", label, &rm, (SDL_Rect){r.x, y, r.w, ch}, 0)) {
        next.reduced_motion = rm;
        changed = true;
    }
    y += ch + ui_px(app, UI_SP_L);
    const char *done = ui_tr(app, "common.done");
    int bw = ui_button_width(app, done, UI_PRIMARY);
    if (bw < ui_px(app, 160))
        bw = ui_px(app, 160);
    if (ui_button(app, "done", done, (SDL_Rect){r.x, y, bw, ui_button_height(app, 0)}, UI_PRIMARY))
        ui_app_pop(app);
    y += ui_button_height(app, 0) + ui_px(app, UI_SP_M);
    ui_scroll_end(app, y);
    if (changed)
        ui_app_set_settings(app, &next);
}

static const ui_ScreenClass settings_class = {"settings", frame, NULL, NULL, NULL};

ui_Screen *ui_settings_new(ui_App *app)
{
    (void)app;
    Settings *s = dh_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->base.cls = &settings_class;
    return &s->base;
}
