/* signin: who is at the kiosk. A trainee types or scans their id (a barcode
 * scanner types the id and Enter into the focused field, so the field has
 * focus from the start); a known id goes straight on to where they were; a
 * new id opens a short form (name, unit, nation, language). The language of
 * the screen itself can be switched here, each language shown in its own
 * name, and the accessibility settings are one button away, since a
 * trainee who needs large text needs it before typing anything. Messages
 * about a refused id come from the store's verdict, said in the UI language.
 */
#include "screens.h"

#include "alloc.h"
#include "widgets.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ASEAN member states, Timor-Leste, then partner nations; "other" takes an
 * ISO code. */
static const char *const nations[] = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN",
                                      "TL", "AU", "CN", "IN", "JP", "KR", "NZ", "RU", "US"};
#define NNATIONS ((int)(sizeof nations / sizeof *nations))

typedef struct SignIn {
    ui_Screen base;
    bool registering;             /* the new-trainee form is showing */
    char id_text[DH_TRAINEE_ID_MAX * 4 + 1];
    char id[DH_TRAINEE_ID_MAX + 1]; /* normalised id being registered */
    char error[600];              /* message under the field, "" if none */
    char name[DH_TRAINEE_TEXT_SIZE];
    char unit[DH_TRAINEE_TEXT_SIZE];
    int nation;                   /* index into nations, NNATIONS: other, -1: none */
    char other[8];
    int lang;                     /* catalog index for the training language */
} SignIn;

static const char *problem_text(ui_App *app, dh_TraineeIdProblem p, char *buf, size_t size)
{
    switch (p) {
    case DH_TRAINEE_ID_EMPTY: return ui_tr(app, "signin.err_empty");
    case DH_TRAINEE_ID_TOO_LONG: return ui_trf(app, buf, size, "signin.err_too_long", DH_TRAINEE_ID_MAX);
    case DH_TRAINEE_ID_SPACE: return ui_tr(app, "signin.err_space");
    case DH_TRAINEE_ID_CHARACTER: return ui_tr(app, "signin.err_character");
    case DH_TRAINEE_ID_OK: break;
    }
    return "";
}

static void submit_id(SignIn *s, ui_App *app)
{
    dh_Error err;
    dh_error_clear(&err);
    char id[DH_TRAINEE_ID_MAX + 1];
    dh_TraineeIdProblem p = dh_store_trainee_id(id, s->id_text, &err);
    if (p != DH_TRAINEE_ID_OK) {
        char buf[256];
        snprintf(s->error, sizeof s->error, "%s", problem_text(app, p, buf, sizeof buf));
        return;
    }
    dh_Trainee t;
    dh_Status st = dh_store_trainee_get(app->store, id, &t, &err);
    if (st == DH_OK) {
        s->error[0] = '\0';
        ui_app_sign_in(app, &t, false);
    } else if (st == DH_ENOTFOUND) {
        s->error[0] = '\0';
        snprintf(s->id, sizeof s->id, "%s", id);
        s->registering = true;
        s->nation = -1;
        s->lang = ui_strings_find(app->strings, app->lang);
        ui_focus(app, "name");
    } else {
        ui_trf(app, s->error, sizeof s->error, "signin.err_store", err.msg);
    }
}

static void submit_registration(SignIn *s, ui_App *app)
{
    dh_Trainee t;
    memset(&t, 0, sizeof t);
    snprintf(t.id, sizeof t.id, "%s", s->id);
    snprintf(t.name, sizeof t.name, "%s", s->name);
    snprintf(t.unit, sizeof t.unit, "%s", s->unit);
    bool blank = true;
    for (const char *p = s->name; *p; p++)
        blank &= isspace((unsigned char)*p) != 0;
    if (blank) {
        snprintf(s->error, sizeof s->error, "%s", ui_tr(app, "signin.err_name"));
        ui_focus(app, "name");
        return;
    }
    if (s->nation < 0) {
        snprintf(s->error, sizeof s->error, "%s", ui_tr(app, "signin.err_nation"));
        return;
    }
    if (s->nation < NNATIONS)
        memcpy(t.nation, nations[s->nation], 3);
    else {
        char code[8];
        size_t n = 0;
        for (const char *p = s->other; *p && n < 7; p++)
            if (!isspace((unsigned char)*p))
                code[n++] = (char)toupper((unsigned char)*p);
        code[n] = '\0';
        dh_Trainee probe = t;
        dh_Error e;
        if (n == 2)
            memcpy(probe.nation, code, 3);
        if (n != 2 || dh_store_trainee_normalise(&probe, &e) != DH_OK) {
            ui_trf(app, s->error, sizeof s->error, "signin.err_nation_code", code[0] ? code : "?");
            ui_focus(app, "other");
            return;
        }
        memcpy(t.nation, code, 3);
    }
    if (s->lang >= 0)
        snprintf(t.lang, sizeof t.lang, "%s", ui_strings_code(app->strings, s->lang));
    dh_Error err;
    dh_error_clear(&err);
    dh_Trainee made;
    if (dh_store_trainee_create(app->store, &t, &made, &err) != DH_OK) {
        ui_trf(app, s->error, sizeof s->error, "signin.err_register", err.msg);
        return;
    }
    ui_app_sign_in(app, &made, true);
}

static int error_box(ui_App *app, const char *msg, int x, int y, int w)
{
    if (!msg[0])
        return 0;
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, app->theme.danger, UI_TEXT_STRONG);
    int pad = ui_px(app, 12);
    int h = ui_text_height(app, msg, &st, w - 2 * pad) + 2 * pad;
    ui_round_rect(app, (SDL_Rect){x, y, w, h}, ui_px(app, UI_RADIUS), app->theme.danger_soft,
                  app->theme.danger);
    ui_label(app, msg, &st, x + pad, y + pad, w - 2 * pad);
    return h + ui_px(app, UI_SP_M);
}

static int language_row(ui_App *app, const char *prefix, int selected, int x, int y, int w,
                        int *chosen)
{
    int n = ui_strings_count(app->strings);
    const char *labels[64];
    if (n > 64)
        n = 64;
    for (int i = 0; i < n; i++)
        labels[i] = ui_strings_name(app->strings, i);
    return ui_button_flow(app, prefix, labels, n, selected, x, y, w, UI_SMALL, chosen);
}

static void frame_id(SignIn *s, ui_App *app, SDL_Rect r)
{
    const ui_Theme *t = &app->theme;
    int y = ui_scroll_begin(app, "signin.scroll", r);
    int w = r.w < ui_px(app, 720) ? r.w : ui_px(app, 720);
    int x = r.x + (r.w - w) / 2;
    ui_TextStyle display = ui_style(app, UI_FONT_DISPLAY, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
    ui_TextStyle sub = ui_style(app, UI_FONT_SMALL + 1, t->text, UI_TEXT_STRONG);
    y += ui_px(app, UI_SP_M);
    y += ui_label(app, ui_tr(app, "signin.welcome"), &display, x, y, w) + ui_px(app, UI_SP_S);
    y += ui_label(app, ui_tr(app, "signin.intro"), &body, x, y, w) + ui_px(app, UI_SP_L);

    /* the card with the id field and the sign-in button */
    int pad = ui_px(app, UI_SP_L);
    int fw = w - 2 * pad;
    const char *label = ui_tr(app, "signin.id_label");
    int fh = ui_textfield_height(app, label, fw);
    int bh = ui_button_height(app, UI_PRIMARY);
    SDL_Rect card = {x, y, w, pad + fh + ui_px(app, UI_SP_M) + bh + pad};
    ui_card(app, NULL, NULL, card, 0);
    ui_focus_default(app, "id");
    int res = ui_textfield(app, "id", label, ui_tr(app, "signin.id_hint"), s->id_text, sizeof s->id_text,
                           (SDL_Rect){x + pad, y + pad, fw, fh}, 0);
    if (res & UI_TF_CHANGED)
        s->error[0] = '\0';
    int by = y + pad + fh + ui_px(app, UI_SP_M);
    if (ui_button(app, "submit", ui_tr(app, "signin.submit"), (SDL_Rect){x + pad, by, fw, bh}, UI_PRIMARY) ||
        (res & UI_TF_SUBMIT))
        submit_id(s, app);
    y += card.h + ui_px(app, UI_SP_M);
    y += error_box(app, s->error, x, y, w);

    /* The first frame shows what a trainee acts on at once (title, id field,
     * Sign in). The language row needs up to nine more font faces, in as
     * many scripts (about 50 ms on a 2-core kiosk), and is drawn in the very
     * next frame, below everything already shown, so nothing moves. */
    if (!app->first_frame_done) {
        ui_app_invalidate(app);
        ui_scroll_end(app, y);
        return;
    }
    y += ui_px(app, UI_SP_S);
    y += ui_label(app, ui_tr(app, "signin.language"), &sub, x, y, w) + ui_px(app, UI_SP_S);
    int chosen = -1;
    y += language_row(app, "lang", ui_strings_find(app->strings, app->lang), x, y, w, &chosen);
    if (chosen >= 0) {
        ui_app_set_lang(app, ui_strings_code(app->strings, chosen));
        s->error[0] = '\0';
    }
    y += ui_px(app, UI_SP_L);
    const char *acc = ui_tr(app, "signin.accessibility");
    if (ui_button(app, "accessibility", acc, (SDL_Rect){x, y, ui_button_width(app, acc, 0), ui_button_height(app, 0)}, 0))
        ui_app_push(app, ui_settings_new(app));
    y += ui_button_height(app, 0) + ui_px(app, UI_SP_L);
    if (app->store_notice.msg[0]) {
        char note[1300];
        ui_TextStyle ns = ui_style(app, UI_FONT_SMALL, t->warning, 0);
        ui_trf(app, note, sizeof note, "app.store_notice", app->store_notice.msg);
        y += ui_label(app, note, &ns, x, y, w) + ui_px(app, UI_SP_M);
    }
    ui_scroll_end(app, y);
}

static void frame_register(SignIn *s, ui_App *app, SDL_Rect r)
{
    const ui_Theme *t = &app->theme;
    int y = ui_scroll_begin(app, "register.scroll", r);
    int w = r.w < ui_px(app, 820) ? r.w : ui_px(app, 820);
    int x = r.x + (r.w - w) / 2;
    ui_TextStyle title = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
    ui_TextStyle sub = ui_style(app, UI_FONT_SMALL + 1, t->text, UI_TEXT_STRONG);
    char buf[600];
    y += ui_label(app, ui_tr(app, "signin.new_title"), &title, x, y, w) + ui_px(app, UI_SP_S);
    y += ui_label(app, ui_trf(app, buf, sizeof buf, "signin.new_intro", s->id), &body, x, y, w) +
         ui_px(app, UI_SP_L);
    int gap = ui_px(app, UI_SP_M);
    const char *nl = ui_tr(app, "signin.name_label"), *ul = ui_tr(app, "signin.unit_label");
    int h = ui_textfield_height(app, nl, w);
    ui_focus_default(app, "name");
    if (ui_textfield(app, "name", nl, ui_tr(app, "signin.name_hint"), s->name, sizeof s->name,
                     (SDL_Rect){x, y, w, h}, 0) & UI_TF_SUBMIT)
        ui_focus(app, "unit");
    y += h + gap;
    h = ui_textfield_height(app, ul, w);
    ui_textfield(app, "unit", ul, ui_tr(app, "signin.unit_hint"), s->unit, sizeof s->unit,
                 (SDL_Rect){x, y, w, h}, 0);
    y += h + gap;

    y += ui_label(app, ui_tr(app, "signin.nation_label"), &sub, x, y, w) + ui_px(app, UI_SP_S);
    const char *labels[NNATIONS + 1];
    char keys[NNATIONS][16];
    for (int i = 0; i < NNATIONS; i++)
        labels[i] = ui_tr(app, ui_keyf(keys[i], sizeof keys[i], "nation.%s", nations[i]));
    labels[NNATIONS] = ui_tr(app, "signin.nation_other");
    int chosen = -1;
    y += ui_button_flow(app, "nation", labels, NNATIONS + 1, s->nation, x, y, w, UI_SMALL, &chosen);
    if (chosen >= 0) {
        s->nation = chosen;
        s->error[0] = '\0';
        if (chosen == NNATIONS)
            ui_focus(app, "other");
    }
    y += gap;
    if (s->nation == NNATIONS) {
        const char *ol = ui_tr(app, "signin.nation_code_label");
        int fw = ui_px(app, 320) < w ? ui_px(app, 320) : w;
        h = ui_textfield_height(app, ol, fw);
        ui_textfield(app, "other", ol, ui_tr(app, "signin.nation_code_hint"), s->other, sizeof s->other,
                     (SDL_Rect){x, y, fw, h}, 0);
        y += h + gap;
    }
    y += ui_label(app, ui_tr(app, "signin.lang_label"), &sub, x, y, w) + ui_px(app, UI_SP_S);
    chosen = -1;
    y += language_row(app, "tlang", s->lang, x, y, w, &chosen);
    if (chosen >= 0) {
        s->lang = chosen;
        ui_app_set_lang(app, ui_strings_code(app->strings, chosen));
    }
    y += ui_px(app, UI_SP_L);
    y += error_box(app, s->error, x, y, w);
    const char *go = ui_tr(app, "signin.register"), *cancel = ui_tr(app, "common.cancel");
    int bh = ui_button_height(app, UI_PRIMARY);
    int gw = ui_button_width(app, go, UI_PRIMARY), cw = ui_button_width(app, cancel, 0);
    if (gw < ui_px(app, 200))
        gw = ui_px(app, 200);
    if (ui_button(app, "register", go, (SDL_Rect){x, y, gw, bh}, UI_PRIMARY))
        submit_registration(s, app);
    int cx = x + gw + gap, cy = y;
    if (cx + cw > x + w) { /* large text: the buttons stack */
        cx = x;
        cy = y + bh + gap;
    }
    if (ui_button(app, "cancel", cancel, (SDL_Rect){cx, cy, cw, bh}, 0)) {
        s->registering = false;
        s->error[0] = '\0';
    }
    y = cy + bh + ui_px(app, UI_SP_L);
    ui_scroll_end(app, y);
}

static void frame(ui_Screen *scr, ui_App *app)
{
    SignIn *s = (SignIn *)scr;
    int y = ui_header(app, ui_tr(app, "app.title"), UI_HEADER_SETTINGS);
    SDL_Rect r = ui_content(app, y);
    r.y -= ui_px(app, UI_SP_S);
    r.h += ui_px(app, UI_SP_S);
    if (s->registering)
        frame_register(s, app, r);
    else
        frame_id(s, app, r);
}

static bool back(ui_Screen *scr, ui_App *app)
{
    SignIn *s = (SignIn *)scr;
    if (s->registering) {
        s->registering = false;
        s->error[0] = '\0';
        ui_focus(app, "id");
        return true;
    }
    return true; /* nothing below the sign-in screen */
}

static const ui_ScreenClass signin_class = {"signin", frame, back, NULL, NULL};

ui_Screen *ui_signin_new(ui_App *app)
{
    (void)app;
    SignIn *s = dh_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->base.cls = &signin_class;
    s->nation = -1;
    s->lang = -1;
    return &s->base;
}
