/* exercise_play: drawing the exercise a trainee is playing.
 *
 * The trainee must never mistake it for a real incident, so the exercise
 * banner spans the screen under the header on every frame. Below it the
 * scenario clock (and time left, or End turn in turn mode) and the status
 * panel the author chose; then an inbox of what has arrived, newest first,
 * marked by channel and unread, beside the selected item rendered the way
 * its channel looks (an e-mail with its headers and attachments by name, an
 * alert with its severity and host, log lines in a fixed-width font, a call
 * as its transcript) and the actions open now. On a wide screen inbox and
 * item sit side by side; on a narrow one the item covers the inbox, with a
 * way back. Action labels can be whole sentences, so actions are wrapped
 * cards, not one-line buttons. Up and Down walk the inbox from the keyboard.
 */
#include "exercise_impl.h"

#include "alloc.h"
#include "package.h"
#include "reading.h"
#include "widgets.h"
#include "widgets_impl.h" /* the detail's scroll offset: bring a question or feedback into view */

#include <stdio.h>
#include <string.h>

#define FEED "exercise.feed"
#define DETAIL "exercise.detail"

static const SDL_Color NONE = {0, 0, 0, 0};

const char *ui_exercise_text(const ui_App *app, const ui_Exercise *e, const dh_Text *t, ui_TextStyle *st)
{
    const char *s = ui_course_text(app, e->c, t);
    for (int i = 0; st && i < t->count; i++)
        if (t->items[i].text == s) {
            if (t->items[i].lang)
                st->lang = t->items[i].lang;
            else if (e->c->nlanguages > 0)
                st->lang = e->c->languages[0];
            break;
        }
    return s;
}

void ui_exercise_clock_text(int64_t s, char *buf, size_t size)
{
    if (s < 0)
        s = 0;
    long long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
    if (h > 0)
        snprintf(buf, size, "%lld:%02lld:%02lld", h, m, sec);
    else
        snprintf(buf, size, "%02lld:%02lld", m, sec);
}

const char *ui_exercise_channel_word(const ui_App *app, dh_Channel ch)
{
    static const char *const keys[] = {"exercise.channel_mail", "exercise.channel_chat", "exercise.channel_phone",
                                       "exercise.channel_siem", "exercise.channel_log",  "exercise.channel_news",
                                       "exercise.channel_note"};
    return (unsigned)ch < 7 ? ui_tr(app, keys[ch]) : "";
}

const char *ui_exercise_inject_title(const ui_App *app, const ui_Exercise *e, int i)
{
    const dh_Inject *in = &e->s->injects[i];
    const dh_InjectContent *c = &in->content;
    const dh_Text *t = NULL;
    switch (in->channel) {
    case DH_CHANNEL_MAIL: t = &c->subject; break;
    case DH_CHANNEL_CHAT: t = &c->from; break;
    case DH_CHANNEL_PHONE: t = &c->caller; break;
    case DH_CHANNEL_SIEM: t = &c->rule; break;
    case DH_CHANNEL_LOG: return c->source ? c->source : in->id;
    case DH_CHANNEL_NEWS: t = &c->headline; break;
    case DH_CHANNEL_NOTE: t = c->from.count ? &c->from : &c->text; break;
    }
    const char *s = t && t->count ? ui_course_text(app, e->c, t) : "";
    return s[0] ? s : in->id;
}

/* ---- pieces ----------------------------------------------------------------------- */

typedef struct Col {
    ui_App *app;
    ui_Exercise *e;
    int x, w;
    int lw;       /* width of the field-label column (mail headers), 0: each label its own width */
} Col;

static ui_TextStyle body(const ui_App *app, SDL_Color c)
{
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, c, 0);
    st.line_spacing = 1.5f;
    return st;
}

/* A course text at (x, y) in width w; returns its height. */
static int ctext(const Col *k, const dh_Text *t, ui_TextStyle st, int x, int y, int w)
{
    if (!t->count)
        return 0;
    const char *s = ui_exercise_text(k->app, k->e, t, &st);
    return s[0] ? ui_label(k->app, s, &st, x, y, w) : 0;
}

/* "Label: value" with the label muted; returns the height. */
static int field(const Col *k, const char *label, const dh_Text *t, const char *plain, int y)
{
    ui_App *app = k->app;
    ui_TextStyle ls = ui_style(app, UI_FONT_BODY, app->theme.text_muted, UI_TEXT_STRONG);
    ui_TextStyle vs = body(app, app->theme.text);
    const char *v = plain ? plain : ui_exercise_text(app, k->e, t, &vs);
    if (!v || !v[0])
        return 0;
    int lw = (k->lw > 0 ? k->lw : ui_text_width(app, label, &ls)) + ui_px(app, UI_SP_M);
    int cap = k->w / 3;
    if (lw > cap) { /* a long label in some language: value goes underneath */
        int h = ui_label(app, label, &ls, k->x, y, k->w);
        return h + ui_label(app, v, &vs, k->x, y + h, k->w);
    }
    ui_label(app, label, &ls, k->x, y, lw);
    int h = ui_label(app, v, &vs, k->x + lw, y, k->w - lw);
    int lh = ui_text_height(app, label, &ls, 0);
    return h > lh ? h : lh;
}

static SDL_Color severity_color(const ui_App *app, dh_AlertLevel lv)
{
    const ui_Theme *t = &app->theme;
    return lv >= DH_ALERT_HIGH ? t->danger : lv == DH_ALERT_MEDIUM ? t->warning : t->text_muted;
}

static const char *severity_word(const ui_App *app, dh_AlertLevel lv)
{
    static const char *const keys[] = {"exercise.severity_low", "exercise.severity_medium", "exercise.severity_high",
                                       "exercise.severity_critical"};
    return (unsigned)lv < 4 ? ui_tr(app, keys[lv]) : "";
}

/* ---- top: banner, clock, status ----------------------------------------------------- */

static int banner(ui_App *app, ui_Exercise *e, int y)
{
    const ui_Theme *t = &app->theme;
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, t->high_contrast ? t->bg : (SDL_Color){255, 255, 255, 255},
                               UI_TEXT_STRONG);
    st.align = 1;
    const char *s = ui_exercise_text(app, e, &e->s->banner, &st);
    int pad = ui_px(app, 6);
    int h = ui_text_height(app, s, &st, app->w - 2 * pad) + 2 * pad;
    ui_fill(app, (SDL_Rect){0, y, app->w, h}, t->high_contrast ? t->warning : (SDL_Color){0xB0, 0x4A, 0x00, 255});
    ui_label(app, s, &st, pad, y + pad, app->w - 2 * pad);
    return h;
}

/* One status value as text. */
static const char *status_value(const ui_App *app, const ui_Exercise *e, const dh_ScStatus *st, char *buf,
                                size_t size)
{
    const dh_VarDecl *v = &e->s->env.vars[st->var];
    int64_t x = dh_run_vars(e->run)[st->var];
    switch (v->type) {
    case DH_VAR_BOOL: return ui_tr(app, x ? "common.yes" : "common.no");
    case DH_VAR_INT: snprintf(buf, size, "%lld", (long long)x); return buf;
    case DH_VAR_ENUM:
        if (x < 0 || x >= v->nvalues)
            return "";
        if (st->values && st->values[x].count)
            return ui_course_text(app, e->c, &st->values[x]);
        return v->values[x];
    }
    return "";
}

/* The clock row and the status panel; returns the height used. */
static int clock_bar(ui_App *app, ui_Exercise *e, int y)
{
    const ui_Theme *t = &app->theme;
    const dh_Scenario *s = e->s;
    int pad = ui_px(app, UI_SP_M), gap = ui_px(app, UI_SP_M);
    int x = pad, right = app->w - pad;
    ui_TextStyle big = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    ui_TextStyle muted = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
    ui_TextStyle chip = ui_style(app, UI_FONT_BODY, t->text, 0);
    char clock[32], line[160], left[32];
    ui_exercise_clock_text(dh_run_now(e->run), clock, sizeof clock);
    ui_trf(app, line, sizeof line, "exercise.clock", clock);
    /* measure the row: clock, time left / End turn */
    const char *endturn = ui_tr(app, "exercise.end_turn");
    bool turns = s->clock.mode == DH_CLOCK_TURNS;
    int bw = turns ? ui_button_width(app, endturn, UI_PRIMARY) : 0;
    int bh = ui_button_height(app, UI_PRIMARY);
    char rest[160] = "";
    if (s->clock.limit_s > 0) {
        ui_exercise_clock_text(s->clock.limit_s - dh_run_now(e->run), left, sizeof left);
        ui_trf(app, rest, sizeof rest, "exercise.time_left", left);
    }
    int ch = ui_text_height(app, line, &big, 0);
    int row = turns && bh > ch ? bh : ch;
    int y0 = y + ui_px(app, UI_SP_S);
    ui_fill(app, (SDL_Rect){0, y, app->w, 1}, NONE);
    int cw = ui_text_width(app, line, &big);
    int avail = right - x - (turns ? bw + gap : 0);
    if (cw > avail)
        cw = avail;
    int lh = ui_label(app, line, &big, x, y0 + (row - ch) / 2, avail);
    if (lh > row)
        row = lh;
    if (rest[0]) {
        int rw = ui_text_width(app, rest, &muted);
        int rx = x + cw + gap;
        if (rx + rw <= right - (turns ? bw + gap : 0))
            ui_label(app, rest, &muted, rx, y0 + (row - ui_text_height(app, rest, &muted, 0)) / 2, rw);
        else { /* no room beside the clock: under it */
            row += ui_label(app, rest, &muted, x, y0 + row, avail);
        }
    }
    if (turns && ui_button(app, "exercise.end_turn", endturn, (SDL_Rect){right - bw, y0, bw, bh}, UI_PRIMARY))
        ui_exercise_end_turn(app, e);
    int yy = y0 + row + ui_px(app, UI_SP_S);
    /* the status panel: "Label: value" chips that wrap */
    if (s->nstatus > 0) {
        int cx = x, cy = yy, rowh = 0;
        int cpad = ui_px(app, 10), cgap = ui_px(app, UI_SP_S);
        int one = 0; /* chips share one height: scripts with tall lines (Myanmar) must not make a ragged row */
        for (int i = 0; i < s->nstatus; i++) {
            char vb[32], text[400];
            ui_TextStyle cs = chip;
            snprintf(text, sizeof text, "%s: %s", ui_exercise_text(app, e, &s->status[i].label, &cs),
                     status_value(app, e, &s->status[i], vb, sizeof vb));
            int th = ui_text_height(app, text, &cs, 0);
            one = th > one ? th : one;
        }
        one += ui_px(app, 8);
        for (int i = 0; i < s->nstatus; i++) {
            char vb[32], text[400];
            ui_TextStyle cs = chip;
            const char *label = ui_exercise_text(app, e, &s->status[i].label, &cs);
            snprintf(text, sizeof text, "%s: %s", label, status_value(app, e, &s->status[i], vb, sizeof vb));
            int w = ui_text_width(app, text, &cs) + 2 * cpad;
            int maxw = right - x;
            if (w > maxw)
                w = maxw;
            int h = ui_text_height(app, text, &cs, w - 2 * cpad) + ui_px(app, 8);
            if (h < one)
                h = one;
            if (cx > x && cx + w > right) {
                cx = x;
                cy += rowh + cgap;
                rowh = 0;
            }
            ui_round_rect(app, (SDL_Rect){cx, cy, w, h}, ui_px(app, UI_RADIUS), t->surface, t->border);
            ui_label(app, text, &cs, cx + cpad, cy + (h - ui_text_height(app, text, &cs, w - 2 * cpad)) / 2, w - 2 * cpad);
            cx += w + cgap;
            if (h > rowh)
                rowh = h;
        }
        yy = cy + rowh + ui_px(app, UI_SP_S);
    }
    ui_fill(app, (SDL_Rect){0, yy, app->w, ui_px(app, 1)}, t->border);
    return yy + ui_px(app, 1) - y;
}

/* ---- the inbox ---------------------------------------------------------------------- */

/* Fired injects, newest first. Returns the count. */
static int feed_items(const ui_Exercise *e, int *out, int max)
{
    int n = 0, count = 0;
    const dh_RunEvent *ev = dh_run_timeline(e->run, &count);
    for (int i = count - 1; i >= 0 && n < max; i--)
        if (ev[i].kind == DH_EVENT_INJECT)
            out[n++] = ev[i].index;
    return n;
}

static bool expired(const ui_Exercise *e, int i)
{
    return dh_run_inject_state(e->run, i) == DH_INJECT_FIRED && !dh_run_inject_open(e->run, i) &&
           e->s->injects[i].expires_s > 0;
}

static void select_inject(ui_App *app, ui_Exercise *e, int i)
{
    if (e->selected != i) {
        e->selected = i;
        e->pending = -1;
        e->fb_action = e->fb_choice = -1; /* feedback belongs to the item it was given on */
        ui_scroll_reset(app, DETAIL);
    }
    e->read[i] = true;
    e->detail_open = true;
    ui_app_invalidate(app);
}

static int feed_card(ui_App *app, ui_Exercise *e, int i, int x, int y, int w, bool draw)
{
    const ui_Theme *t = &app->theme;
    bool unread = !e->read[i], exp = expired(e, i);
    int pad = ui_px(app, 12);
    ui_TextStyle meta = ui_style(app, UI_FONT_SMALL, exp ? t->disabled_text : t->accent, UI_TEXT_STRONG);
    ui_TextStyle title = ui_style(app, UI_FONT_BODY, exp ? t->disabled_text : t->text, unread ? UI_TEXT_STRONG : 0);
    const char *ttl = ui_exercise_inject_title(app, e, i);
    char tm[32], metas[200];
    ui_exercise_clock_text(dh_run_inject_time(e->run, i), tm, sizeof tm);
    snprintf(metas, sizeof metas, "%s  ·  %s", ui_exercise_channel_word(app, e->s->injects[i].channel), tm);
    const char *pill = unread ? ui_tr(app, "exercise.unread") : exp ? ui_tr(app, "exercise.expired") : NULL;
    int pw = 0, ph = 0;
    if (pill)
        ui_pill_size(app, pill, &pw, &ph);
    int inner = w - 2 * pad - ui_px(app, 6);
    int mh = ui_text_height(app, metas, &meta, inner - (pw ? pw + ui_px(app, UI_SP_S) : 0));
    if (ph > mh)
        mh = ph;
    int th = ui_text_height(app, ttl, &title, inner);
    int h = pad + mh + ui_px(app, UI_SP_XS) + th + pad;
    if (h < ui_px(app, UI_TOUCH_MIN))
        h = ui_px(app, UI_TOUCH_MIN);
    if (!draw)
        return h;
    char key[32];
    SDL_Rect r = {x, y, w, h};
    if (ui_card(app, ui_keyf(key, sizeof key, "inject.%d", i), ttl, r, 0))
        select_inject(app, e, i);
    if (e->selected == i) {
        ui_round_rect(app, (SDL_Rect){x + 1, y + 1, w - 2, h - 2}, ui_px(app, UI_RADIUS),
                      t->high_contrast ? t->bg : ui_mix(t->surface, t->accent, 0.08f), t->accent);
        ui_fill(app, (SDL_Rect){x, y + ui_px(app, 4), ui_px(app, 4), h - ui_px(app, 8)}, t->accent);
    }
    int tx = x + pad + ui_px(app, 6);
    ui_label(app, metas, &meta, tx, y + pad, inner - (pw ? pw + ui_px(app, UI_SP_S) : 0));
    if (pill)
        ui_pill(app, pill, x + w - pad - pw, y + pad, unread ? t->accent_text : t->text_muted,
                unread ? t->accent : t->track);
    ui_label(app, ttl, &title, tx, y + pad + mh + ui_px(app, UI_SP_XS), inner);
    return h;
}

static void draw_feed(ui_App *app, ui_Exercise *e, SDL_Rect view, const int *items, int n)
{
    const ui_Theme *t = &app->theme;
    ui_fill(app, view, t->bg);
    int pad = ui_px(app, UI_SP_M);
    int y = ui_scroll_begin(app, FEED, view) + pad;
    ui_TextStyle hs = ui_style(app, UI_FONT_BODY, t->text_muted, UI_TEXT_STRONG);
    char head[120];
    int unread = 0;
    for (int k = 0; k < n; k++)
        unread += !e->read[items[k]];
    if (unread)
        ui_trf(app, head, sizeof head, "exercise.inbox_unread", unread);
    else
        snprintf(head, sizeof head, "%s", ui_tr(app, "exercise.inbox"));
    y += ui_label(app, head, &hs, view.x + pad, y, view.w - 2 * pad) + ui_px(app, UI_SP_S);
    if (n == 0) {
        ui_TextStyle b = body(app, t->text_muted);
        y += ui_label(app, ui_tr(app, "exercise.inbox_empty"), &b, view.x + pad, y, view.w - 2 * pad);
    }
    for (int k = 0; k < n; k++)
        y += feed_card(app, e, items[k], view.x + pad, y, view.w - 2 * pad, true) + ui_px(app, UI_SP_S);
    ui_scroll_end(app, y + pad);
}

/* ---- the selected inject --------------------------------------------------------------- */

/* The picture of inject i, read from the course package on first use;
 * NULL when it cannot be read (its alt text is shown instead). */
static SDL_Texture *inject_image(ui_App *app, ui_Exercise *e, int i)
{
    if (e->image_tried[i])
        return e->images[i];
    e->image_tried[i] = true;
    int w, h;
    SDL_Texture *t = ui_course_image(app, e->course, e->s->injects[i].content.image, &w, &h);
    e->images[i] = t;
    return t;
}

/* The picture (scaled to the column, at most 60% of the window's height) or,
 * when it cannot be shown, its alt text in a frame; returns the height. */
static int picture(const Col *k, int i, int y)
{
    ui_App *app = k->app;
    ui_Exercise *e = k->e;
    const ui_Theme *t = &app->theme;
    const dh_InjectContent *c = &e->s->injects[i].content;
    ui_TextStyle as = ui_style(app, UI_FONT_BODY, t->text_muted, UI_TEXT_EM);
    const char *alt = ui_exercise_text(app, e, &c->alt, &as);
    SDL_Texture *tex = inject_image(app, e, i);
    int w = 0, h = 0;
    if (tex && SDL_QueryTexture(tex, NULL, NULL, &w, &h) == 0 && w > 0 && h > 0) {
        int dw = w, dh = h, maxh = app->h * 6 / 10;
        if (dw > k->w) {
            dh = (int)((long long)dh * k->w / dw);
            dw = k->w;
        }
        if (dh > maxh) {
            dw = (int)((long long)dw * maxh / dh);
            dh = maxh;
        }
        SDL_RenderCopy(app->renderer, tex, NULL, &(SDL_Rect){k->x, y, dw, dh});
        ui_note_text(app, alt); /* what the picture shows, for scripts and screen readers */
        return dh;
    }
    char pic[600];
    ui_trf(app, pic, sizeof pic, "exercise.picture", alt);
    int pad = ui_px(app, 12);
    int bh = ui_text_height(app, pic, &as, k->w - 2 * pad) + 2 * pad;
    ui_round_rect(app, (SDL_Rect){k->x, y, k->w, bh}, ui_px(app, UI_RADIUS), t->surface_alt, t->border);
    ui_label(app, pic, &as, k->x + pad, y + pad, k->w - 2 * pad);
    return bh;
}

static int content(const Col *k, int i, int y)
{
    ui_App *app = k->app;
    ui_Exercise *e = k->e;
    const ui_Theme *t = &app->theme;
    const dh_Inject *in = &e->s->injects[i];
    const dh_InjectContent *c = &in->content;
    int y0 = y, gap = ui_px(app, UI_SP_S);
    Col hk = *k; /* mail: the header values line up in one column */
    ui_TextStyle meta = ui_style(app, UI_FONT_SMALL, t->accent, UI_TEXT_STRONG);
    ui_TextStyle h1 = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    h1.line_spacing = 1.3f;
    ui_TextStyle b = body(app, t->text);
    char tm[32], line[200];
    ui_exercise_clock_text(dh_run_inject_time(e->run, i), tm, sizeof tm);
    snprintf(line, sizeof line, "%s  ·  %s", ui_exercise_channel_word(app, in->channel), tm);
    y += ui_label(app, line, &meta, k->x, y, k->w) + ui_px(app, UI_SP_XS);
    switch (in->channel) {
    case DH_CHANNEL_MAIL: {
        ui_TextStyle ls = ui_style(app, UI_FONT_BODY, t->text_muted, UI_TEXT_STRONG);
        const char *labels[] = {ui_tr(app, "exercise.from"), ui_tr(app, "exercise.to"), ui_tr(app, "exercise.attachments")};
        for (int l = 0; l < 3; l++) {
            int lw = ui_text_width(app, labels[l], &ls);
            hk.lw = lw > hk.lw ? lw : hk.lw;
        }
        y += ctext(k, &c->subject, h1, k->x, y, k->w) + gap;
        y += field(&hk, ui_tr(app, "exercise.from"), &c->from, NULL, y);
        if (c->to.count)
            y += field(&hk, ui_tr(app, "exercise.to"), &c->to, NULL, y);
        if (c->nattachments > 0) {
            char list[600] = "";
            size_t len = 0;
            for (int a = 0; a < c->nattachments; a++) {
                int w = snprintf(list + len, sizeof list - len, "%s%s", a ? ", " : "", c->attachments[a]);
                if (w < 0 || (size_t)w >= sizeof list - len)
                    break;
                len += (size_t)w;
            }
            y += field(&hk, ui_tr(app, "exercise.attachments"), NULL, list, y);
        }
        ui_fill(app, (SDL_Rect){k->x, y + gap, k->w, ui_px(app, 1)}, t->border);
        y += 2 * gap;
        y += ctext(k, &c->body, b, k->x, y, k->w);
        break;
    }
    case DH_CHANNEL_CHAT:
    case DH_CHANNEL_NOTE: {
        if (c->from.count)
            y += ctext(k, &c->from, ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG), k->x, y, k->w) + gap;
        int pad = ui_px(app, 12);
        ui_TextStyle bs = b;
        const char *s = ui_exercise_text(app, e, &c->text, &bs);
        int h = ui_text_height(app, s, &bs, k->w - 2 * pad) + 2 * pad;
        SDL_Color fill = in->channel == DH_CHANNEL_NOTE ? t->warning_soft : ui_mix(t->surface, t->accent, 0.07f);
        ui_round_rect(app, (SDL_Rect){k->x, y, k->w, h}, ui_px(app, 12), t->high_contrast ? t->bg : fill,
                      in->channel == DH_CHANNEL_NOTE ? t->warning : t->border);
        ui_label(app, s, &bs, k->x + pad, y + pad, k->w - 2 * pad);
        y += h;
        break;
    }
    case DH_CHANNEL_PHONE: {
        ui_TextStyle hs = h1;
        char callfrom[400];
        ui_trf(app, callfrom, sizeof callfrom, "exercise.call_from", ui_exercise_text(app, e, &c->caller, &hs));
        y += ui_label(app, callfrom, &hs, k->x, y, k->w) + gap;
        ui_TextStyle ls = ui_style(app, UI_FONT_SMALL, t->text_muted, UI_TEXT_STRONG);
        y += ui_label(app, ui_tr(app, "exercise.transcript"), &ls, k->x, y, k->w) + ui_px(app, UI_SP_XS);
        ui_TextStyle ts = b;
        ts.flags |= UI_TEXT_EM;
        y += ctext(k, &c->transcript, ts, k->x, y, k->w);
        break;
    }
    case DH_CHANNEL_SIEM: {
        const char *sev = severity_word(app, c->severity);
        int pw = ui_pill(app, sev, k->x, y, t->high_contrast ? t->bg : (SDL_Color){255, 255, 255, 255},
                         severity_color(app, c->severity));
        (void)pw;
        int ph = 0, pww = 0;
        ui_pill_size(app, sev, &pww, &ph);
        y += ph + gap;
        y += ctext(k, &c->rule, h1, k->x, y, k->w) + gap;
        y += field(k, ui_tr(app, "exercise.host"), NULL, c->host, y) + gap;
        y += ctext(k, &c->details, b, k->x, y, k->w);
        break;
    }
    case DH_CHANNEL_LOG: {
        y += field(k, ui_tr(app, "exercise.source"), NULL, c->source, y) + gap;
        ui_TextStyle ms = ui_style(app, UI_FONT_SMALL, t->text, UI_TEXT_CODE);
        ms.line_spacing = 1.35f;
        int pad = ui_px(app, 10);
        int h = 2 * pad;
        for (int l = 0; l < c->nlines; l++)
            h += ui_text_height(app, c->lines[l], &ms, k->w - 2 * pad);
        ui_round_rect(app, (SDL_Rect){k->x, y, k->w, h}, ui_px(app, 4), t->surface_alt, t->border);
        int ly = y + pad;
        for (int l = 0; l < c->nlines; l++)
            ly += ui_label(app, c->lines[l], &ms, k->x + pad, ly, k->w - 2 * pad);
        y += h;
        break;
    }
    case DH_CHANNEL_NEWS:
        y += ctext(k, &c->outlet, ui_style(app, UI_FONT_BODY, t->text_muted, UI_TEXT_STRONG), k->x, y, k->w) +
             ui_px(app, UI_SP_XS);
        y += ctext(k, &c->headline, h1, k->x, y, k->w) + gap;
        y += ctext(k, &c->body, b, k->x, y, k->w);
        break;
    }
    if (c->image)
        y += gap + picture(k, i, y + gap);
    return y - y0;
}

/* ---- actions ------------------------------------------------------------------------------ */

/* An action as a wrapped, activatable card. */
static bool action_card(const Col *k, const char *key, const char *label, int *y, unsigned flags)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    int pad = ui_px(app, 12), ar = ui_px(app, 20);
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, (flags & UI_DISABLED) ? t->disabled_text : t->accent, UI_TEXT_STRONG);
    st.line_spacing = 1.35f;
    int th = ui_text_height(app, label, &st, k->w - 2 * pad - ar);
    int h = th + 2 * pad;
    if (h < ui_px(app, UI_TOUCH_MIN))
        h = ui_px(app, UI_TOUCH_MIN);
    SDL_Rect r = {k->x, *y, k->w, h};
    bool hit = ui_card(app, key, label, r, flags);
    ui_label(app, label, &st, k->x + pad, *y + (h - th) / 2, k->w - 2 * pad - ar);
    /* a chevron: this does something */
    int cx = k->x + k->w - pad - ar / 2, cy = *y + h / 2, s = ui_px(app, 5);
    SDL_SetRenderDrawColor(app->renderer, st.color.r, st.color.g, st.color.b, 255);
    for (int d = 0; d < ui_px(app, 2); d++) {
        SDL_RenderDrawLine(app->renderer, cx - s / 2 + d, cy - s, cx + s / 2 + d, cy);
        SDL_RenderDrawLine(app->renderer, cx + s / 2 + d, cy, cx - s / 2 + d, cy + s);
    }
    *y += h + ui_px(app, UI_SP_S);
    return hit;
}

static void activate(ui_App *app, ui_Exercise *e, int a)
{
    const dh_Action *act = &e->s->actions[a];
    if (act->response == DH_RESPONSE_NONE) {
        ui_exercise_take(app, e, a, -1, NULL);
        return;
    }
    e->pending = a;
    e->answer[0] = '\0';
    e->reveal = true;
    if (act->response == DH_RESPONSE_TEXT)
        ui_focus(app, "exercise.answer");
    ui_app_invalidate(app);
}

/* The question an action with a choice or text response asks. */
static int ask(const Col *k, int y)
{
    ui_App *app = k->app;
    ui_Exercise *e = k->e;
    const ui_Theme *t = &app->theme;
    const dh_Action *act = &e->s->actions[e->pending];
    int y0 = y, pad = ui_px(app, UI_SP_M);
    Col in = {app, e, k->x + pad, k->w - 2 * pad, 0};
    /* measure first for the box: draw the box under, then the content */
    ui_TextStyle ps = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
    ui_TextStyle ls = body(app, t->text_muted);
    const char *label = ui_exercise_text(app, e, &act->label, &ls);
    const char *prompt = ui_exercise_text(app, e, &act->prompt, &ps);
    int h = pad + ui_text_height(app, label, &ls, in.w) + ui_px(app, UI_SP_XS) +
            (prompt[0] ? ui_text_height(app, prompt, &ps, in.w) + ui_px(app, UI_SP_S) : 0);
    ui_TextStyle cs = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
    cs.line_spacing = 1.35f;
    if (act->response == DH_RESPONSE_CHOICE) {
        for (int c = act->first_choice; c < act->first_choice + act->nchoices; c++)
            if (dh_run_offered(e->run, c)) {
                int ch = ui_text_height(app, ui_course_text(app, e->c, &e->s->actions[c].label), &cs,
                                        in.w - ui_px(app, 44)) + ui_px(app, 24);
                h += (ch < ui_px(app, UI_TOUCH_MIN) ? ui_px(app, UI_TOUCH_MIN) : ch) + ui_px(app, UI_SP_S);
            }
    } else {
        h += ui_textfield_height(app, ui_tr(app, "exercise.answer"), in.w) + ui_px(app, UI_SP_S);
    }
    h += ui_button_height(app, 0) + pad;
    ui_round_rect(app, (SDL_Rect){k->x, y, k->w, h}, ui_px(app, UI_RADIUS),
                  t->high_contrast ? t->bg : ui_mix(t->surface, t->accent, 0.05f), t->accent);
    y += pad;
    y += ui_label(app, label, &ls, in.x, y, in.w) + ui_px(app, UI_SP_XS);
    if (prompt[0])
        y += ui_label(app, prompt, &ps, in.x, y, in.w) + ui_px(app, UI_SP_S);
    int take = -1;
    if (act->response == DH_RESPONSE_CHOICE) {
        for (int c = act->first_choice; c < act->first_choice + act->nchoices; c++) {
            if (!dh_run_offered(e->run, c))
                continue;
            char key[32];
            if (action_card(&in, ui_keyf(key, sizeof key, "choice.%d", c),
                            ui_course_text(app, e->c, &e->s->actions[c].label), &y, 0))
                take = c;
        }
    } else {
        SDL_Rect fr = {in.x, y, in.w, ui_textfield_height(app, ui_tr(app, "exercise.answer"), in.w)};
        int rc = ui_textfield(app, "exercise.answer", ui_tr(app, "exercise.answer"), NULL, e->answer,
                              sizeof e->answer, fr, 0);
        y += fr.h + ui_px(app, UI_SP_S);
        if ((rc & UI_TF_SUBMIT) && e->answer[0])
            take = -2;
    }
    int bh = ui_button_height(app, 0);
    const char *cancel = ui_tr(app, "common.cancel");
    int cw = ui_button_width(app, cancel, 0);
    if (act->response == DH_RESPONSE_TEXT) {
        const char *send = ui_tr(app, "exercise.send");
        int sw = ui_button_width(app, send, UI_PRIMARY);
        if (ui_button(app, "exercise.send", send, (SDL_Rect){in.x, y, sw, bh}, UI_PRIMARY | (e->answer[0] ? 0 : UI_DISABLED)))
            take = -2;
        if (ui_button(app, "exercise.cancel", cancel, (SDL_Rect){in.x + sw + ui_px(app, UI_SP_S), y, cw, bh}, 0))
            e->pending = -1;
    } else if (ui_button(app, "exercise.cancel", cancel, (SDL_Rect){in.x, y, cw, bh}, 0)) {
        e->pending = -1;
    }
    y += bh + pad;
    int a = e->pending;
    if (take >= 0 && a >= 0)
        ui_exercise_take(app, e, a, take, NULL);
    else if (take == -2 && a >= 0)
        ui_exercise_take(app, e, a, -1, e->answer);
    return (y > y0 + h ? y : y0 + h) - y0;
}

static int feedback(const Col *k, int y)
{
    ui_App *app = k->app;
    ui_Exercise *e = k->e;
    const ui_Theme *t = &app->theme;
    if (e->fb_action < 0)
        return 0;
    const dh_Action *a = &e->s->actions[e->fb_action];
    const dh_Action *c = e->fb_choice >= 0 ? &e->s->actions[e->fb_choice] : NULL;
    ui_TextStyle hs = ui_style(app, UI_FONT_SMALL, t->success, UI_TEXT_STRONG);
    ui_TextStyle bs = body(app, t->text);
    char done[600];
    char both[800];
    const char *lab = ui_course_text(app, e->c, &a->label);
    if (c)
        snprintf(both, sizeof both, "%s → %s", lab, ui_course_text(app, e->c, &c->label));
    ui_trf(app, done, sizeof done, "exercise.you_did", c ? both : lab);
    const char *f1 = a->feedback.count ? ui_exercise_text(app, e, &a->feedback, &bs) : "";
    const char *f2 = c && c->feedback.count ? ui_course_text(app, e->c, &c->feedback) : "";
    int pad = ui_px(app, 12), w = k->w - 2 * pad;
    int h = pad + ui_text_height(app, done, &hs, w) + pad;
    if (f1[0])
        h += ui_px(app, UI_SP_XS) + ui_text_height(app, f1, &bs, w);
    if (f2[0])
        h += ui_px(app, UI_SP_XS) + ui_text_height(app, f2, &bs, w);
    ui_round_rect(app, (SDL_Rect){k->x, y, k->w, h}, ui_px(app, UI_RADIUS),
                  t->high_contrast ? t->bg : ui_mix(t->surface, t->success, 0.08f), t->success);
    int yy = y + pad;
    yy += ui_label(app, done, &hs, k->x + pad, yy, w);
    if (f1[0])
        yy += ui_px(app, UI_SP_XS) + ui_label(app, f1, &bs, k->x + pad, yy + ui_px(app, UI_SP_XS), w);
    if (f2[0])
        ui_label(app, f2, &bs, k->x + pad, yy + ui_px(app, UI_SP_XS), w);
    return h + ui_px(app, UI_SP_M);
}

/* The actions of inject i (or the global ones when i < 0) offered now. */
static int actions(const Col *k, int i, int y)
{
    ui_App *app = k->app;
    ui_Exercise *e = k->e;
    const dh_Scenario *s = e->s;
    int y0 = y;
    int from = 0, to = s->nactions;
    if (i >= 0) {
        from = s->injects[i].first_action;
        to = from + s->injects[i].nactions;
    }
    for (int a = from; a < to; a++) {
        const dh_Action *act = &s->actions[a];
        if (act->parent >= 0 || (i < 0 && act->inject >= 0) || !dh_run_offered(e->run, a))
            continue;
        if (e->pending == a) {
            e->ask_y = y;
            y += ask(k, y) + ui_px(app, UI_SP_S);
            continue;
        }
        char key[32];
        if (action_card(k, ui_keyf(key, sizeof key, "action.%d", a), ui_course_text(app, e->c, &act->label), &y,
                        e->pending >= 0 ? UI_DISABLED : 0))
            activate(app, e, a);
    }
    return y - y0;
}

static bool any_global(const ui_Exercise *e)
{
    for (int a = 0; a < e->s->nactions; a++)
        if (e->s->actions[a].inject < 0 && e->s->actions[a].parent < 0 && dh_run_offered(e->run, a))
            return true;
    return false;
}

static void draw_detail(ui_App *app, ui_Exercise *e, SDL_Rect view, bool narrow)
{
    const ui_Theme *t = &app->theme;
    int pad = ui_px(app, UI_SP_L);
    int maxw = ui_px(app, 760);
    int w = view.w - 2 * pad > maxw ? maxw : view.w - 2 * pad;
    Col k = {app, e, view.x + pad, w, 0};
    int cstart = ui_scroll_begin(app, DETAIL, view);
    int y = cstart + ui_px(app, UI_SP_M);
    if (e->error[0]) {
        ui_TextStyle es = ui_style(app, UI_FONT_BODY, t->danger, UI_TEXT_STRONG);
        int p = ui_px(app, 12);
        int eh = ui_text_height(app, e->error, &es, k.w - 2 * p) + 2 * p;
        ui_round_rect(app, (SDL_Rect){k.x, y, k.w, eh}, ui_px(app, UI_RADIUS), t->danger_soft, t->danger);
        ui_label(app, e->error, &es, k.x + p, y + p, k.w - 2 * p);
        y += eh + ui_px(app, UI_SP_M);
    }
    if (narrow) {
        const char *bk = ui_tr(app, "exercise.back_to_inbox");
        int bw = ui_button_width(app, bk, UI_QUIET);
        if (ui_button(app, "exercise.inbox", bk, (SDL_Rect){k.x, y, bw, ui_button_height(app, UI_QUIET)}, UI_QUIET))
            e->detail_open = false;
        y += ui_button_height(app, UI_QUIET) + ui_px(app, UI_SP_S);
    }
    ui_TextStyle hs = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
    ui_TextStyle ms = body(app, t->text_muted);
    int fb_y = y, fb_h = feedback(&k, y);
    y += fb_h;
    int i = e->selected;
    if (i >= 0) {
        y += content(&k, i, y) + ui_px(app, UI_SP_L);
        bool open = dh_run_inject_open(e->run, i);
        int n = 0;
        for (int a = e->s->injects[i].first_action; a < e->s->injects[i].first_action + e->s->injects[i].nactions; a++)
            n += open && dh_run_offered(e->run, a);
        if (expired(e, i)) {
            y += ui_label(app, ui_tr(app, "exercise.expired_note"), &ms, k.x, y, k.w) + ui_px(app, UI_SP_M);
        } else if (n > 0) {
            y += ui_label(app, ui_tr(app, "exercise.actions"), &hs, k.x, y, k.w) + ui_px(app, UI_SP_S);
            y += actions(&k, i, y) + ui_px(app, UI_SP_S);
        }
    } else if (!narrow) {
        y += ui_label(app, ui_tr(app, "exercise.select_hint"), &ms, k.x, y, k.w) + ui_px(app, UI_SP_L);
    }
    if (any_global(e)) {
        ui_fill(app, (SDL_Rect){k.x, y, k.w, ui_px(app, 1)}, t->border);
        y += ui_px(app, UI_SP_M);
        y += ui_label(app, ui_tr(app, "exercise.actions_any_time"), &hs, k.x, y, k.w) + ui_px(app, UI_SP_S);
        y += actions(&k, -1, y);
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_XL));
    if (e->reveal) { /* the trainee must see what they are asked, or what their action did */
        e->reveal = false;
        Scroll *sc = ui_scroll_find(app->widgets, ui_hash_key(DETAIL), false);
        int want = e->pending >= 0 ? e->ask_y : fb_h > 0 ? fb_y : -1;
        if (sc && want >= 0) {
            int content_y = want - cstart; /* from the top of the content */
            int max = sc->content_h - sc->view.h;
            int off = content_y - ui_px(app, UI_SP_M);
            if (e->pending < 0 || off < sc->offset || content_y + ui_px(app, 120) > sc->offset + sc->view.h) {
                sc->offset = off < 0 ? 0 : off > max ? (max > 0 ? max : 0) : off;
                ui_app_invalidate(app);
            }
        }
    }
}

void ui_exercise_draw_play(ui_App *app, ui_Exercise *e, int y0)
{
    /* wake at the next scenario second (at most every second of real time) */
    if (e->s->clock.mode == DH_CLOCK_SCALED && e->s->clock.speed > 0) {
        double ms = 1000.0 / e->s->clock.speed;
        ui_app_wake_in(app, (uint64_t)(ms < 250 ? 250 : ms > 1000 ? 1000 : ms));
    }
    if ((app->w != e->last_w || app->h != e->last_h) && e->pending >= 0)
        e->reveal = true;
    e->last_w = app->w;
    e->last_h = app->h;
    int y = y0 + banner(app, e, y0);
    y += clock_bar(app, e, y);
    int items[DH_SCENARIO_MAX_PARTS];
    int n = feed_items(e, items, DH_SCENARIO_MAX_PARTS);
    if (n > e->nfeed_seen) { /* something new arrived: show the top of the inbox */
        ui_scroll_reset(app, FEED);
        e->nfeed_seen = n;
    }
    bool narrow = app->w < ui_px(app, 760);
    if (!narrow && e->selected < 0 && n > 0) { /* start with the newest item open */
        e->selected = items[0];
        e->read[items[0]] = true;
    }
    /* Up / Down walk the inbox */
    int pos = -1;
    for (int k = 0; k < n; k++)
        if (items[k] == e->selected)
            pos = k;
    if (n > 0 && e->pending < 0) {
        if (ui_key_pressed(app, SDLK_DOWN) && pos + 1 < n)
            select_inject(app, e, items[pos + 1]);
        else if (ui_key_pressed(app, SDLK_UP) && pos > 0)
            select_inject(app, e, items[pos - 1]);
    }
    SDL_Rect body_r = {0, y, app->w, app->h - y};
    if (narrow) {
        if (e->detail_open && e->selected >= 0)
            draw_detail(app, e, body_r, true);
        else
            draw_feed(app, e, body_r, items, n);
        return;
    }
    int fw = app->w * 34 / 100;
    if (fw < ui_px(app, 260))
        fw = ui_px(app, 260);
    if (fw > ui_px(app, 420))
        fw = ui_px(app, 420);
    draw_feed(app, e, (SDL_Rect){0, y, fw, body_r.h}, items, n);
    ui_fill(app, (SDL_Rect){fw, y, ui_px(app, 1), body_r.h}, app->theme.border);
    draw_detail(app, e, (SDL_Rect){fw + ui_px(app, 1), y, app->w - fw - ui_px(app, 1), body_r.h}, false);
}
