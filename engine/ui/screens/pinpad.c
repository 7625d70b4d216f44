/* pinpad: the door to the admin screen.
 *
 * Large digit keys for a finger, the keyboard's digits for an officer with
 * a keyboard; what is typed is shown only as dots. A wrong PIN says how many
 * tries are left; the fifth locks the pad and the screen counts the lock
 * down (the lock itself lives in the store: admin.h). A kiosk without a PIN
 * explains how an officer sets one at installation, and offers nothing to
 * type: a trainee can never set the PIN. The verdict comes from
 * dh_admin_pin_check, which hashes with Argon2id and compares in constant
 * time; the digits are wiped from memory as soon as they were checked.
 */
#include "screens.h"

#include "admin.h"
#include "alloc.h"
#include "widgets.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

typedef struct PinPad {
    ui_Screen base;
    char pin[DH_ADMIN_PIN_MAX + 1];
    int len;
    char message[300];     /* "" or the last verdict in words */
    bool message_bad;
} PinPad;

static void wipe(PinPad *p)
{
    sodium_memzero(p->pin, sizeof p->pin);
    p->len = 0;
}

static void add_digit(PinPad *p, char d)
{
    if (p->len < DH_ADMIN_PIN_MAX) {
        p->pin[p->len++] = d;
        p->pin[p->len] = '\0';
    }
    p->message[0] = '\0';
}

/* "4:59" for the countdown. */
static const char *mmss(char *buf, size_t size, int64_t ms)
{
    int64_t s = (ms + 999) / 1000;
    snprintf(buf, size, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
    return buf;
}

static void submit(PinPad *p, ui_App *app)
{
    if (p->len == 0)
        return;
    dh_PinVerdict v;
    dh_AdminPinState after;
    dh_Error err;
    dh_error_clear(&err);
    dh_Status st = dh_admin_pin_check(app->store, p->pin, ui_app_clock_ms(app), &v, &after, &err);
    wipe(p);
    p->message_bad = true;
    if (st != DH_OK) {
        ui_trf(app, p->message, sizeof p->message, "admin.error", err.msg);
        return;
    }
    switch (v) {
    case DH_PIN_RIGHT:
        p->message[0] = '\0';
        /* The officer's screen replaces the trainee's session: progress is
         * saved and nobody's data stays on screen behind it. */
        if (app->signed_in)
            ui_app_sign_out(app);
        else
            ui_app_pop(app);
        ui_app_push(app, ui_admin_new(app));
        return;
    case DH_PIN_WRONG:
        if (after.locked_ms_left > 0)
            p->message[0] = '\0'; /* the lock message says it all */
        else
            ui_trf(app, p->message, sizeof p->message, "admin.pin_wrong", after.tries_left);
        return;
    case DH_PIN_LOCKED:
    case DH_PIN_UNSET:
        p->message[0] = '\0';
        return;
    }
}

static void frame(ui_Screen *scr, ui_App *app)
{
    PinPad *p = (PinPad *)scr;
    const ui_Theme *t = &app->theme;
    int y0 = ui_header(app, ui_tr(app, "admin.pin_title"), UI_HEADER_BACK);
    SDL_Rect r = ui_content(app, y0);
    dh_AdminPinState ps;
    dh_Error err;
    if (dh_admin_pin_state(app->store, ui_app_clock_ms(app), &ps, &err) != DH_OK) {
        memset(&ps, 0, sizeof ps);
        ps.set = true; /* say the error below, offer nothing */
        ui_trf(app, p->message, sizeof p->message, "admin.error", err.msg);
        p->message_bad = true;
    }
    int w = ui_px(app, 420);
    if (w > r.w)
        w = r.w;
    int x = r.x + (r.w - w) / 2;
    int y = ui_scroll_begin(app, "pinpad", r), top = y;
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    ui_TextStyle bad = ui_style(app, UI_FONT_BODY, t->danger, UI_TEXT_STRONG);
    ui_TextStyle dots = ui_style(app, UI_FONT_DISPLAY, t->text, UI_TEXT_STRONG);
    dots.align = 1;
    int gap = ui_px(app, UI_SP_S);
    y += ui_px(app, UI_SP_M);
    if (!ps.set) {
        y += ui_label(app, ui_tr(app, "admin.no_pin"), &body, x, y, w) + ui_px(app, UI_SP_M);
        ui_TextStyle code = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_CODE);
        y += ui_label(app, "drillhall --data DIR --set-admin-pin", &code, x, y, w) + ui_px(app, UI_SP_L);
        const char *close = ui_tr(app, "common.close");
        int bh = ui_button_height(app, 0);
        if (ui_button(app, "pin.close", close, (SDL_Rect){x, y, w, bh}, 0))
            ui_app_pop(app);
        ui_scroll_end(app, y + bh + ui_px(app, UI_SP_L));
        return;
    }
    bool locked = ps.locked_ms_left > 0;
    if (locked) {
        char left[32], msg[300];
        ui_trf(app, msg, sizeof msg, "admin.pin_locked", mmss(left, sizeof left, ps.locked_ms_left));
        y += ui_label(app, msg, &bad, x, y, w) + ui_px(app, UI_SP_M);
        /* the next second of the countdown, then sleep again */
        ui_app_wake_in(app, (uint64_t)((ps.locked_ms_left - 1) % 1000 + 1));
        wipe(p);
    } else {
        y += ui_label(app, ui_tr(app, "admin.pin_intro"), &body, x, y, w) + ui_px(app, UI_SP_M);
    }
    /* masked entry: one dot per digit, and the count for screen readers */
    char shown[4 * DH_ADMIN_PIN_MAX + 1] = "";
    for (int i = 0; i < p->len; i++)
        strcat(shown, "\xe2\x97\x8f"); /* U+25CF black circle */
    int dh = ui_text_height(app, "\xe2\x97\x8f", &dots, w) + 2 * gap;
    ui_round_rect(app, (SDL_Rect){x, y, w, dh}, ui_px(app, UI_RADIUS), t->surface, t->border);
    if (p->len)
        ui_label(app, shown, &dots, x, y + gap, w);
    char count[64];
    ui_note_text(app, ui_trf(app, count, sizeof count, "admin.pin_count", p->len));
    y += dh + ui_px(app, UI_SP_S);
    if (p->message[0])
        y += ui_label(app, p->message, p->message_bad ? &bad : &body, x, y, w);
    y += ui_px(app, UI_SP_M);

    /* 1 2 3 / 4 5 6 / 7 8 9 / del 0 OK: big touch keys */
    unsigned kf = locked ? UI_DISABLED : 0;
    /* keys as large as the screen allows, never below the touch minimum,
     * so the whole pad fits a 1024x600 kiosk without scrolling */
    int bh = ui_button_height(app, 0);
    int kh = (r.h - (y - top) - bh - ui_px(app, UI_SP_S) - ui_px(app, UI_SP_L)) / 4 - gap;
    if (kh > ui_px(app, 72))
        kh = ui_px(app, 72);
    if (kh < ui_px(app, UI_TOUCH_MIN))
        kh = ui_px(app, UI_TOUCH_MIN);
    int kw = (w - 2 * gap) / 3;
    static const char *const labels[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "\xe2\x8c\xab", "0", "OK"};
    for (int i = 0; i < 12; i++) {
        SDL_Rect kr = {x + (i % 3) * (kw + gap), y + (i / 3) * (kh + gap), kw, kh};
        char key[16];
        const char *label = i == 9 ? ui_tr(app, "admin.pin_delete") : i == 11 ? ui_tr(app, "admin.pin_ok") : labels[i];
        if (ui_button(app, ui_keyf(key, sizeof key, "pin.%d", i), label, kr, kf | (i == 11 ? UI_PRIMARY : 0))) {
            if (i == 9) {
                if (p->len)
                    p->pin[--p->len] = '\0';
            } else if (i == 11) {
                submit(p, app);
            } else {
                add_digit(p, labels[i][0]);
            }
        }
    }
    y += 4 * (kh + gap) + ui_px(app, UI_SP_S);
    const char *cancel = ui_tr(app, "common.cancel");
    if (ui_button(app, "pin.cancel", cancel, (SDL_Rect){x, y, w, bh}, 0)) {
        wipe(p);
        ui_app_pop(app);
    }
    y += bh + ui_px(app, UI_SP_L);
    ui_scroll_end(app, y);

    /* the keyboard: digits, Backspace, Enter */
    if (!locked) {
        for (int d = 0; d < 10; d++)
            if (ui_key_pressed(app, SDLK_0 + d) || ui_key_pressed(app, d ? SDLK_KP_1 + d - 1 : SDLK_KP_0))
                add_digit(p, (char)('0' + d));
        if (ui_key_pressed(app, SDLK_BACKSPACE) && p->len)
            p->pin[--p->len] = '\0';
        if (ui_key_pressed(app, SDLK_RETURN) || ui_key_pressed(app, SDLK_KP_ENTER))
            submit(p, app);
    }
}

static void destroy(ui_Screen *s)
{
    PinPad *p = (PinPad *)s;
    wipe(p);
    dh_free(p);
}

static const ui_ScreenClass pinpad_class = {"pinpad", frame, NULL, NULL, destroy};

ui_Screen *ui_pinpad_new(ui_App *app)
{
    (void)app;
    PinPad *p = dh_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->base.cls = &pinpad_class;
    return &p->base;
}
