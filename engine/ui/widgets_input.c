/* widgets_input: turning SDL events into focus, activations, typing, scrolling.
 *
 * Input is resolved against the last complete frame (what the trainee saw):
 * a click or a tap activates the widget under it when released on the same
 * widget; a vertical drag over a scroll area scrolls it instead; a quick
 * horizontal finger swipe is reported to the screen (paging); Tab and
 * Shift+Tab walk the interactive widgets in drawing order; Enter and Space
 * activate the focused one; Escape goes back. Typed text waits for the
 * focused text field's next frame. Touch is handled from SDL's finger events
 * only (SDL's synthetic mouse events for touches are turned off in app.c),
 * so a tap is never counted twice.
 */
#include "widgets.h"

#include "widgets_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

const Rec *ui_rec_find(ui_Widgets *w, uint32_t id)
{
    Frame *f = ui_frame_last(w);
    for (int i = 0; i < f->n; i++)
        if (f->recs[i].id == id)
            return &f->recs[i];
    return NULL;
}

static bool inside(SDL_Rect r, int x, int y)
{
    return r.w > 0 && r.h > 0 && x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

const Rec *ui_hit(ui_Widgets *w, int x, int y)
{
    Frame *f = ui_frame_last(w);
    for (int i = f->n - 1; i >= 0; i--) {
        const Rec *r = &f->recs[i];
        if (r->id && r->info.interactive && r->info.type != UI_SCROLL && inside(r->info.visible, x, y))
            return r;
    }
    return NULL;
}

Scroll *ui_scroll_find(ui_Widgets *w, uint32_t id, bool create)
{
    for (int i = 0; i < w->nscrolls; i++)
        if (w->scrolls[i].id == id)
            return &w->scrolls[i];
    if (!create)
        return NULL;
    int slot = w->nscrolls;
    if (slot == MAX_SCROLLS) { /* reuse the least recently drawn */
        slot = 0;
        for (int i = 1; i < MAX_SCROLLS; i++)
            if (w->scrolls[i].seen < w->scrolls[slot].seen)
                slot = i;
    } else {
        w->nscrolls++;
    }
    memset(&w->scrolls[slot], 0, sizeof w->scrolls[slot]);
    w->scrolls[slot].id = id;
    return &w->scrolls[slot];
}

/* The scroll area at (x, y) in the last frame, else the one holding the
 * focused widget, else the first one. */
static Scroll *scroll_target(ui_Widgets *w, bool at_point, int x, int y)
{
    Frame *f = ui_frame_last(w);
    for (int i = f->n - 1; at_point && i >= 0; i--)
        if (f->recs[i].info.type == UI_SCROLL && inside(f->recs[i].info.visible, x, y))
            return ui_scroll_find(w, f->recs[i].id, false);
    if (at_point)
        return NULL;
    const Rec *fr = w->focus ? ui_rec_find(w, w->focus) : NULL;
    if (fr && fr->info.parent >= 0)
        return ui_scroll_find(w, f->recs[fr->info.parent].id, false);
    for (int i = 0; i < f->n; i++)
        if (f->recs[i].info.type == UI_SCROLL)
            return ui_scroll_find(w, f->recs[i].id, false);
    return NULL;
}

static void scroll_by(ui_App *app, Scroll *s, int dy)
{
    if (!s)
        return;
    int max = s->content_h - s->view.h;
    int o = s->offset + dy;
    if (o > max)
        o = max;
    if (o < 0)
        o = 0;
    if (o != s->offset) {
        s->offset = o;
        app->dirty = true;
    }
}

/* ---- scroll areas ----------------------------------------------------------- */

int ui_scroll_begin(ui_App *app, const char *key, SDL_Rect viewport)
{
    ui_Widgets *w = app->widgets;
    DH_ASSERT(w->cur_scroll < 0); /* nesting is not supported */
    Scroll *s = ui_scroll_find(w, ui_hash_key(key), true);
    if (s->seen + 1 != w->frame_no) /* not on screen last frame: a new view starts at the top */
        s->offset = 0;
    s->view = viewport;
    s->seen = w->frame_no;
    int max = s->content_h - viewport.h;
    if (s->offset > max)
        s->offset = max > 0 ? max : 0;
    int idx = ui_widgets_record(app, UI_SCROLL, key, "", viewport, 0, true);
    w->cur_scroll = (int)(s - w->scrolls);
    w->cur_scroll_rec = idx;
    w->clip = viewport;
    SDL_RenderSetClipRect(app->renderer, &viewport);
    return viewport.y - s->offset;
}

void ui_scroll_end(ui_App *app, int content_bottom)
{
    ui_Widgets *w = app->widgets;
    DH_ASSERT(w->cur_scroll >= 0);
    Scroll *s = &w->scrolls[w->cur_scroll];
    Frame *f = &w->frames[w->cur];
    int content_h = content_bottom - (s->view.y - s->offset);
    if (content_h != s->content_h) {
        s->content_h = content_h;
        app->dirty = true; /* clamp and scrollbar follow next frame */
    }
    /* Tab moved focus to a widget hidden in this area: bring it into view. */
    if (w->focus_reveal && w->focus) {
        for (int i = w->cur_scroll_rec + 1; i < f->n; i++) {
            const Rec *r = &f->recs[i];
            if (r->id != w->focus)
                continue;
            int m = ui_px(app, UI_SP_M);
            int top = r->info.rect.y - s->view.y, bottom = top + r->info.rect.h;
            if (top < m)
                scroll_by(app, s, top - m);
            else if (bottom > s->view.h - m)
                scroll_by(app, s, bottom - s->view.h + m);
        }
    }
    SDL_RenderSetClipRect(app->renderer, NULL);
    w->cur_scroll = -1;
    if (s->content_h > s->view.h) { /* a thin scrollbar: where you are, how much is left */
        int bw = ui_px(app, 4);
        int th = s->view.h * s->view.h / s->content_h;
        if (th < ui_px(app, 32))
            th = ui_px(app, 32);
        int ty = s->view.y + (int)((long long)(s->view.h - th) * s->offset /
                                   (s->content_h - s->view.h));
        SDL_Rect bar = {s->view.x + s->view.w + ui_px(app, 8), ty, bw, th}; /* in the margin */
        ui_fill(app, bar, app->theme.text_muted);
    }
}

void ui_scroll_reset(ui_App *app, const char *key)
{
    Scroll *s = ui_scroll_find(app->widgets, ui_hash_key(key), false);
    if (s)
        s->offset = 0;
}

/* ---- text fields ---------------------------------------------------------------- */

/* Byte offset where the last grapheme cluster of s[0..len) starts (ICU). */
static size_t last_grapheme(const char *s, size_t len)
{
    size_t start = len;
    UErrorCode e = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, s, (int64_t)len, &e);
    UBreakIterator *bi = ubrk_open(UBRK_CHARACTER, "", NULL, 0, &e);
    if (U_SUCCESS(e)) {
        ubrk_setUText(bi, ut, &e);
        int32_t p = U_SUCCESS(e) ? ubrk_preceding(bi, (int32_t)len) : UBRK_DONE;
        if (p != UBRK_DONE && p >= 0 && (size_t)p < len)
            start = (size_t)p;
    }
    if (bi)
        ubrk_close(bi);
    if (ut)
        utext_close(ut);
    if (start == len && len > 0) { /* ICU failed: one code point back */
        start = len - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80)
            start--;
    }
    return start;
}

/* Append as much of add as fits in buf (whole code points). */
static bool append_utf8(char *buf, size_t size, const char *add)
{
    size_t len = strlen(buf), n = strlen(add);
    if (len + n + 1 > size) {
        n = size - 1 - len;
        while (n > 0 && ((unsigned char)add[n] & 0xC0) == 0x80)
            n--;
    }
    /* no control characters in a one-line field */
    size_t o = len;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)add[i] >= 0x20 && add[i] != 0x7F)
            buf[o++] = add[i];
    buf[o] = '\0';
    return o != len;
}

static int field_box_h(ui_App *app)
{
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, app->theme.text, 0);
    int h = ui_text_height(app, "Ag", &st, 0) + ui_px(app, 22);
    int min = ui_px(app, UI_TOUCH_MIN);
    return h > min ? h : min;
}

int ui_textfield_height(ui_App *app, const char *label, int w)
{
    ui_TextStyle cap = ui_style(app, UI_FONT_SMALL + 1, app->theme.text, UI_TEXT_STRONG);
    int ch = label && label[0] ? ui_text_height(app, label, &cap, w) + ui_px(app, 6) : 0;
    return ch + field_box_h(app);
}

int ui_textfield(ui_App *app, const char *key, const char *label, const char *hint, char *buf,
                 size_t size, SDL_Rect r, unsigned flags)
{
    ui_Widgets *w = app->widgets;
    const ui_Theme *t = &app->theme;
    uint32_t id = ui_hash_key(key);
    int result = 0;
    bool focused = w->focus == id && !(flags & UI_DISABLED);
    if (focused) {
        for (; w->backspaces > 0 && buf[0]; w->backspaces--) {
            buf[last_grapheme(buf, strlen(buf))] = '\0';
            result |= UI_TF_CHANGED;
        }
        if (w->text_in[0] && append_utf8(buf, size, w->text_in))
            result |= UI_TF_CHANGED;
        w->backspaces = 0;
        w->text_in[0] = '\0';
        if (w->submitted == id) {
            result |= UI_TF_SUBMIT;
            w->submitted = 0;
        }
    }
    if (result)
        app->dirty = true; /* the screen reacts: draw its new state */
    ui_TextStyle cap = ui_style(app, UI_FONT_SMALL + 1, t->text, UI_TEXT_STRONG);
    int y = r.y;
    if (label && label[0]) {
        /* the caption is part of the field for scripts: recorded with it */
        ui_Layout *l = ui_widgets_layout(app, label, &cap, r.w);
        if (l) {
            ui_layout_draw(app->text, l, r.x, y);
            y += ui_layout_height(l) + ui_px(app, 6);
        }
    }
    SDL_Rect box = {r.x, y, r.w, field_box_h(app)};
    int rad = ui_px(app, UI_RADIUS);
    if (focused && w->focus_visible)
        ui_widgets_focus_ring(app, box, rad);
    if (focused) {
        ui_round_rect(app, box, rad, t->surface, t->accent);
        SDL_Rect in = {box.x + ui_px(app, 1), box.y + ui_px(app, 1), box.w - 2 * ui_px(app, 1),
                       box.h - 2 * ui_px(app, 1)};
        ui_round_rect(app, in, rad, t->surface, t->accent);
    } else {
        ui_round_rect(app, box, rad, (flags & UI_DISABLED) ? t->track : t->surface, t->border);
    }
    int pad = ui_px(app, 14);
    SDL_Rect inner = {box.x + pad, box.y, box.w - 2 * pad, box.h};
    char shown[512];
    const char *text = buf;
    if (flags & UI_SECRET) {
        size_t n = 0;
        for (const char *p = buf; *p && n + 4 < sizeof shown; p++)
            if (((unsigned char)*p & 0xC0) != 0x80) {
                memcpy(shown + n, "\xE2\x80\xA2", 3); /* U+2022 bullet */
                n += 3;
            }
        shown[n] = '\0';
        text = shown;
    }
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, t->text, 0);
    int caret_x = inner.x;
    /* Clip to the box (within any scroll area) so long input scrolls left. */
    SDL_Rect clip = inner;
    if (w->cur_scroll >= 0 && !SDL_IntersectRect(&inner, &w->clip, &clip))
        clip = (SDL_Rect){0, 0, 0, 0};
    SDL_RenderSetClipRect(app->renderer, &clip);
    if (text[0] || (focused && w->composition[0])) {
        char both[1024];
        snprintf(both, sizeof both, "%s%s", text, focused ? w->composition : "");
        ui_Layout *l = ui_widgets_layout(app, both, &st, 0);
        if (l) {
            int lw = ui_layout_width(l), lh = ui_layout_height(l);
            int x = lw > inner.w - ui_px(app, 4) ? inner.x + inner.w - ui_px(app, 4) - lw : inner.x;
            ui_layout_draw(app->text, l, x, inner.y + (inner.h - lh) / 2);
            caret_x = x + lw;
            if (focused && w->composition[0]) { /* underline the pre-edit text */
                int cw = ui_text_width(app, w->composition, &st);
                ui_fill(app, (SDL_Rect){caret_x - cw, inner.y + (inner.h + lh) / 2 - ui_px(app, 2), cw,
                                        ui_px(app, 2)}, t->accent);
            }
        }
    } else if (hint && hint[0]) {
        ui_TextStyle hs = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
        ui_Layout *l = ui_widgets_layout(app, hint, &hs, 0);
        /* With focus the caret stands at the start: keep the hint clear of it
         * (it hid a narrow first letter, e.g. Khmer's វ). */
        int hx = inner.x + (focused ? ui_px(app, 8) : 0);
        if (l)
            ui_layout_draw(app->text, l, hx, inner.y + (inner.h - ui_layout_height(l)) / 2);
        ui_note_text(app, hint);
    }
    if (focused) {
        int ch = ui_font_px(app, UI_FONT_BODY) + ui_px(app, 6);
        ui_fill(app, (SDL_Rect){caret_x + 1, box.y + (box.h - ch) / 2, ui_px(app, 2), ch}, t->accent);
    }
    if (w->cur_scroll >= 0)
        SDL_RenderSetClipRect(app->renderer, &w->clip);
    else
        SDL_RenderSetClipRect(app->renderer, NULL);
    if (!(flags & UI_SECRET))
        ui_note_text(app, buf);
    SDL_Rect whole = {r.x, r.y, r.w, box.y + box.h - r.y};
    ui_widgets_record(app, UI_TEXTFIELD, key, label, whole, flags, true);
    ui_widgets_take(app, key, flags); /* a click only focuses a field */
    return result;
}

/* ---- events -------------------------------------------------------------------- */

/* Focusable widgets of the last frame in order; move focus by dir. */
static void focus_step(ui_Widgets *w, int dir)
{
    Frame *f = ui_frame_last(w);
    int n = 0, cur = -1;
    int idx[1024];
    for (int i = 0; i < f->n && n < 1024; i++) {
        const Rec *r = &f->recs[i];
        if (r->id && r->info.interactive && r->info.type != UI_SCROLL) {
            if (r->id == w->focus)
                cur = n;
            idx[n++] = i;
        }
    }
    if (!n)
        return;
    int next = cur < 0 ? (dir > 0 ? 0 : n - 1) : (cur + dir + n) % n;
    w->focus = f->recs[idx[next]].id;
    w->focus_visible = true;
    w->focus_reveal = true;
}

static void pointer_down(ui_App *app, int x, int y, bool finger)
{
    ui_Widgets *w = app->widgets;
    const Rec *r = ui_hit(w, x, y);
    w->down = true;
    w->finger = finger;
    w->down_x = w->last_x = x;
    w->down_y = w->last_y = y;
    w->dragging = false;
    w->pressed = r ? r->id : 0;
    Scroll *s = scroll_target(w, true, x, y);
    w->drag_scroll = s ? s->id : 0;
    w->drag_start_offset = s ? s->offset : 0;
    app->dirty = true;
}

static void pointer_move(ui_App *app, int x, int y)
{
    ui_Widgets *w = app->widgets;
    w->mx = x;
    w->my = y;
    if (!w->down) {
        const Rec *r = ui_hit(w, x, y);
        uint32_t hot = r ? r->id : 0;
        if (hot != w->hot) {
            w->hot = hot;
            app->dirty = true;
        }
        return;
    }
    w->last_x = x;
    w->last_y = y;
    app->dirty = true; /* a held pointer that moves may be dragging something: redraw */
    int slop = ui_px(app, 10);
    int dy = y - w->down_y;
    if (!w->dragging && w->drag_scroll && abs(dy) > slop && abs(dy) > abs(x - w->down_x)) {
        w->dragging = true;
        w->pressed = 0;
    }
    if (w->dragging) {
        Scroll *s = ui_scroll_find(w, w->drag_scroll, false);
        if (s)
            scroll_by(app, s, w->drag_start_offset - dy - s->offset);
    }
}

/* Returns true when an activation waits for the next frame. */
static bool pointer_up(ui_App *app, int x, int y)
{
    ui_Widgets *w = app->widgets;
    if (!w->down)
        return false;
    w->down = false;
    int dx = x - w->down_x, dy = y - w->down_y;
    bool was_drag = w->dragging;
    w->dragging = false;
    app->dirty = true;
    if (w->finger && !was_drag && abs(dx) > ui_px(app, 60) && abs(dx) > 2 * abs(dy)) {
        w->swipe = dx < 0 ? UI_SWIPE_LEFT : UI_SWIPE_RIGHT;
        w->pressed = 0;
        return true;
    }
    const Rec *r = ui_hit(w, x, y);
    bool hit = !was_drag && r && r->id == w->pressed &&
               abs(dx) < ui_px(app, 24) && abs(dy) < ui_px(app, 24);
    w->pressed = 0;
    if (!hit)
        return false;
    w->activated = r->id;
    w->focus = r->id;
    w->focus_visible = false;
    return true;
}

bool ui_widgets_event(ui_App *app, const SDL_Event *e)
{
    ui_Widgets *w = app->widgets;
    float pr = app->pixel_ratio;
    switch (e->type) {
    case SDL_MOUSEMOTION:
        if (e->motion.which == SDL_TOUCH_MOUSEID)
            return false;
        pointer_move(app, (int)(e->motion.x * pr), (int)(e->motion.y * pr));
        return false;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
            return false;
        w->mx = (int)(e->button.x * pr);
        w->my = (int)(e->button.y * pr);
        pointer_down(app, w->mx, w->my, false);
        return false;
    case SDL_MOUSEBUTTONUP:
        if (e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
            return false;
        return pointer_up(app, (int)(e->button.x * pr), (int)(e->button.y * pr));
    case SDL_MOUSEWHEEL: {
        if (e->wheel.which == SDL_TOUCH_MOUSEID)
            return false;
        int dy = e->wheel.y * (e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -1 : 1);
        scroll_by(app, scroll_target(w, true, w->mx, w->my), -dy * ui_px(app, 60));
        return false;
    }
    case SDL_FINGERDOWN:
        pointer_down(app, (int)(e->tfinger.x * app->w), (int)(e->tfinger.y * app->h), true);
        return false;
    case SDL_FINGERMOTION:
        if (w->down && w->finger)
            pointer_move(app, (int)(e->tfinger.x * app->w), (int)(e->tfinger.y * app->h));
        return false;
    case SDL_FINGERUP:
        if (!w->finger)
            return false;
        return pointer_up(app, (int)(e->tfinger.x * app->w), (int)(e->tfinger.y * app->h));
    case SDL_TEXTINPUT: {
        const Rec *r = w->focus ? ui_rec_find(w, w->focus) : NULL;
        if (!r || r->info.type != UI_TEXTFIELD)
            return false;
        size_t len = strlen(w->text_in);
        snprintf(w->text_in + len, sizeof w->text_in - len, "%s", e->text.text);
        w->composition[0] = '\0';
        app->dirty = true;
        return false;
    }
    case SDL_TEXTEDITING:
        snprintf(w->composition, sizeof w->composition, "%s", e->edit.text);
        app->dirty = true;
        return false;
    case SDL_KEYDOWN: {
        SDL_Keycode k = e->key.keysym.sym;
        Uint16 mod = e->key.keysym.mod;
        const Rec *fr = w->focus ? ui_rec_find(w, w->focus) : NULL;
        bool in_field = fr && fr->info.type == UI_TEXTFIELD;
        app->dirty = true;
        if (k == SDLK_TAB) {
            focus_step(w, (mod & KMOD_SHIFT) ? -1 : 1);
            return true; /* the next frame reveals the focused widget */
        }
        if (k == SDLK_ESCAPE) {
            ui_app_back(app);
            return true;
        }
        if (k == SDLK_RETURN || k == SDLK_KP_ENTER || (k == SDLK_SPACE && !in_field)) {
            if (fr && fr->info.interactive) {
                w->focus_visible = true;
                if (in_field) {
                    w->submitted = fr->id;
                } else {
                    w->activated = fr->id;
                }
                return true;
            }
        }
        if (k == SDLK_BACKSPACE && in_field) {
            w->backspaces++;
            return false;
        }
        if (in_field && (k == SDLK_SPACE || (k >= 32 && k < 127 && !(mod & (KMOD_CTRL | KMOD_ALT)))))
            return false; /* arrives as SDL_TEXTINPUT */
        Scroll *s = scroll_target(w, false, 0, 0);
        int page = s ? s->view.h * 9 / 10 : 0;
        switch (k) {
        case SDLK_PAGEDOWN: scroll_by(app, s, page); return false;
        case SDLK_PAGEUP: scroll_by(app, s, -page); return false;
        case SDLK_HOME: if (!in_field) scroll_by(app, s, -(1 << 28)); return false;
        case SDLK_END: if (!in_field) scroll_by(app, s, 1 << 28); return false;
        case SDLK_DOWN: scroll_by(app, s, ui_px(app, 48)); break;
        case SDLK_UP: scroll_by(app, s, -ui_px(app, 48)); break;
        default: break;
        }
        if (w->nkeys < MAX_KEYS)
            w->keys[w->nkeys++] = k;
        return true;
    }
    default:
        return false;
    }
}
