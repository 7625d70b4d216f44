/* widgets: drawing and recording the widgets of one frame.
 *
 * Each widget call draws itself with the theme's colours and appends a
 * record (type, label, rect, state) to the frame being built; the input side
 * (widgets_input.c) reads the last complete frame. Text goes through a small
 * cache of layouts keyed by content, style and width, so measuring a
 * paragraph for the layout and then drawing it costs one layout per change,
 * not two per frame. Shapes are drawn with filled rectangles only (rounded
 * corners row by row) so the software renderer stays fast.
 */
#include "widgets.h"

#include "alloc.h"
#include "screens.h"
#include "widgets_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- hashing and records -------------------------------------------------- */

uint32_t ui_hash_key(const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h ? h : 1;
}

static uint64_t fnv64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

Frame *ui_frame_last(ui_Widgets *w)
{
    return &w->frames[1 - w->cur];
}

static bool grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *nb = dh_realloc(*buf, nc * elem);
    if (!nb)
        return false;
    *buf = nb;
    *cap = nc;
    return true;
}

static size_t pool_add(Frame *f, const char *s)
{
    size_t n = strlen(s) + 1;
    if (!grow((void **)&f->pool, &f->pcap, f->plen + n, 1))
        return (size_t)-1;
    memcpy(f->pool + f->plen, s, n);
    f->plen += n;
    return f->plen - n;
}

void ui_note_text(ui_App *app, const char *text)
{
    Frame *f = &app->widgets->frames[app->widgets->cur];
    if (!text || !text[0])
        return;
    size_t n = strlen(text);
    if (!grow((void **)&f->text, &f->tcap, f->tlen + n + 2, 1))
        return;
    memcpy(f->text + f->tlen, text, n);
    f->tlen += n;
    f->text[f->tlen++] = '\n';
    f->text[f->tlen] = '\0';
}

static SDL_Rect intersect(SDL_Rect a, SDL_Rect b)
{
    SDL_Rect r;
    if (!SDL_IntersectRect(&a, &b, &r))
        r.x = a.x, r.y = a.y, r.w = 0, r.h = 0;
    return r;
}

/* Record a widget; returns its index or -1 (out of memory: drawn, not clickable). */
static int record(ui_App *app, ui_WidgetType type, const char *key, const char *label, SDL_Rect r,
                  unsigned flags, bool interactive)
{
    ui_Widgets *w = app->widgets;
    Frame *f = &w->frames[w->cur];
    if (!grow((void **)&f->recs, &f->cap, (size_t)f->n + 1, sizeof *f->recs))
        return -1;
    Rec *rec = &f->recs[f->n];
    memset(rec, 0, sizeof *rec);
    rec->info.type = type;
    rec->info.rect = r;
    SDL_Rect screen = {0, 0, app->w, app->h};
    rec->info.visible = intersect(r, w->cur_scroll >= 0 ? w->clip : screen);
    rec->info.flags = flags;
    rec->info.interactive = interactive && !(flags & UI_DISABLED);
    rec->info.parent = w->cur_scroll >= 0 ? w->cur_scroll_rec : -1;
    rec->id = key && interactive ? ui_hash_key(key) : 0;
    rec->info.focus = rec->id && rec->id == w->focus;
    rec->label_off = pool_add(f, label ? label : "");
    rec->key_off = pool_add(f, key ? key : "");
    if (rec->label_off == (size_t)-1 || rec->key_off == (size_t)-1)
        return -1;
    if (label && type != UI_LABEL)
        ui_note_text(app, label);
    return f->n++;
}

/* True (once) if input activated this widget. */
static bool take_activation(ui_App *app, const char *key, unsigned flags)
{
    ui_Widgets *w = app->widgets;
    uint32_t id = ui_hash_key(key);
    if (w->activated == id) {
        w->activated = 0;
        app->dirty = true; /* the screen reacts: draw its new state */
        return !(flags & UI_DISABLED);
    }
    return false;
}

static bool is_focused(ui_App *app, const char *key)
{
    return app->widgets->focus && app->widgets->focus == ui_hash_key(key);
}

/* ---- drawing primitives ------------------------------------------------------ */

static void set_color(ui_App *app, SDL_Color c)
{
    SDL_SetRenderDrawBlendMode(app->renderer, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(app->renderer, c.r, c.g, c.b, c.a);
}

void ui_fill(ui_App *app, SDL_Rect r, SDL_Color c)
{
    if (r.w <= 0 || r.h <= 0 || c.a == 0)
        return;
    set_color(app, c);
    SDL_RenderFillRect(app->renderer, &r);
}

static void fill_round(ui_App *app, SDL_Rect r, int rad, SDL_Color c)
{
    if (r.w <= 0 || r.h <= 0 || c.a == 0)
        return;
    if (rad * 2 > r.w)
        rad = r.w / 2;
    if (rad * 2 > r.h)
        rad = r.h / 2;
    set_color(app, c);
    SDL_Rect mid = {r.x, r.y + rad, r.w, r.h - 2 * rad};
    SDL_RenderFillRect(app->renderer, &mid);
    for (int i = 0; i < rad; i++) {
        double dy = rad - i - 0.5;
        int inset = rad - (int)lround(sqrt((double)rad * rad - dy * dy));
        SDL_Rect top = {r.x + inset, r.y + i, r.w - 2 * inset, 1};
        SDL_Rect bot = {r.x + inset, r.y + r.h - 1 - i, r.w - 2 * inset, 1};
        SDL_RenderFillRect(app->renderer, &top);
        SDL_RenderFillRect(app->renderer, &bot);
    }
}

void ui_round_rect(ui_App *app, SDL_Rect r, int radius, SDL_Color fill, SDL_Color border)
{
    int t = ui_px(app, 1);
    if (app->theme.high_contrast && border.a)
        t = ui_px(app, 2);
    if (border.a) {
        fill_round(app, r, radius, border);
        SDL_Rect in = {r.x + t, r.y + t, r.w - 2 * t, r.h - 2 * t};
        fill_round(app, in, radius > t ? radius - t : 0, fill.a ? fill : app->theme.bg);
    } else {
        fill_round(app, r, radius, fill);
    }
}

/* The keyboard focus ring: a 3-dp band around r in the focus colour. Call
 * it BEFORE drawing the widget, which then covers the middle. */
static void focus_ring(ui_App *app, SDL_Rect r, int radius)
{
    if (!app->widgets->focus_visible)
        return;
    int g = ui_px(app, 3);
    SDL_Rect o = {r.x - g, r.y - g, r.w + 2 * g, r.h + 2 * g};
    fill_round(app, o, radius + g, app->theme.focus);
}

/* ---- text ------------------------------------------------------------------ */

ui_TextStyle ui_style(const ui_App *app, float size_dp, SDL_Color color, unsigned flags)
{
    ui_TextStyle s;
    memset(&s, 0, sizeof s);
    s.size_px = ui_font_px(app, size_dp);
    s.flags = flags;
    s.color = color;
    s.code_bg = app->theme.surface_alt;
    s.lang = app->lang;
    s.markup = false;
    s.align = 0;
    s.line_spacing = 0;
    return s;
}

static ui_Layout *layout_get(ui_App *app, const char *text, const ui_TextStyle *st, int width)
{
    ui_Widgets *w = app->widgets;
    uint64_t k1 = 1469598103934665603ull, k2 = 0x9E3779B97F4A7C15ull;
    size_t n = strlen(text);
    k1 = fnv64(k1, text, n);
    k2 = fnv64(k2, text, n);
    int parts[8] = {st->size_px, (int)st->flags, st->color.r | st->color.g << 8 | st->color.b << 16,
                    st->color.a | st->code_bg.r << 8 | st->code_bg.g << 16, st->markup, st->align,
                    width, (int)(st->line_spacing * 1000)};
    k1 = fnv64(k1, parts, sizeof parts);
    k2 = fnv64(k2 ^ 0x55, parts, sizeof parts);
    const char *lang = st->lang ? st->lang : "en";
    k1 = fnv64(k1, lang, strlen(lang));
    k2 = fnv64(k2, lang, strlen(lang));
    LayoutEntry **b = &w->buckets[k1 % LAYOUT_BUCKETS];
    for (LayoutEntry *e = *b; e; e = e->next)
        if (e->k1 == k1 && e->k2 == k2) {
            e->used = w->frame_no;
            return e->layout;
        }
    ui_Layout *l = ui_text_layout(app->text, text, st, width);
    if (!l)
        return NULL;
    LayoutEntry *e = dh_malloc(sizeof *e);
    if (!e) {
        ui_layout_free(l);
        return NULL;
    }
    e->k1 = k1;
    e->k2 = k2;
    e->layout = l;
    e->used = w->frame_no;
    e->next = *b;
    *b = e;
    w->nlayouts++;
    return l;
}

/* Drop layouts unused for a while (or all with force). */
static void layouts_trim(ui_Widgets *w, bool force)
{
    unsigned long age = w->nlayouts > LAYOUT_MAX ? 1 : 120;
    for (int i = 0; i < LAYOUT_BUCKETS; i++) {
        LayoutEntry **p = &w->buckets[i];
        while (*p) {
            LayoutEntry *e = *p;
            if (force || w->frame_no - e->used > age) {
                *p = e->next;
                ui_layout_free(e->layout);
                dh_free(e);
                w->nlayouts--;
            } else {
                p = &e->next;
            }
        }
    }
}

int ui_label(ui_App *app, const char *text, const ui_TextStyle *style, int x, int y, int w)
{
    if (!text || !text[0])
        return 0;
    ui_Layout *l = layout_get(app, text, style, w);
    ui_note_text(app, text);
    if (!l)
        return 0;
    int h = ui_layout_height(l);
    int lw = w > 0 ? w : ui_layout_width(l);
    record(app, UI_LABEL, NULL, text, (SDL_Rect){x, y, lw, h}, 0, false);
    ui_layout_draw(app->text, l, x, y);
    return h;
}

int ui_text_height(ui_App *app, const char *text, const ui_TextStyle *style, int w)
{
    if (!text || !text[0])
        return 0;
    ui_Layout *l = layout_get(app, text, style, w);
    return l ? ui_layout_height(l) : 0;
}

int ui_text_width(ui_App *app, const char *text, const ui_TextStyle *style)
{
    if (!text || !text[0])
        return 0;
    ui_Layout *l = layout_get(app, text, style, 0);
    return l ? ui_layout_width(l) : 0;
}

/* Draw a label centred in r (wrapping if needed), without recording it. */
static void draw_centred(ui_App *app, const char *text, const ui_TextStyle *st, SDL_Rect r, int pad)
{
    /* Where a one-line Latin label's baseline sits when centred: labels in
     * tall scripts (Thai, Hindi, Myanmar) are put on the same baseline, so a
     * row of buttons lines up instead of their text being lifted by a taller
     * line box. Read first: layout_get may evict older layouts. */
    int ref_base = -1;
    ui_Layout *ref = layout_get(app, "Ag", st, 0);
    if (ref) ref_base = r.y + (r.h - ui_layout_height(ref)) / 2 + ui_layout_baseline(ref);
    ui_TextStyle s = *st;
    int avail = r.w - 2 * pad;
    ui_Layout *l = layout_get(app, text, &s, 0);
    if (l && ui_layout_width(l) > avail) {
        s.align = 1;
        l = layout_get(app, text, &s, avail);
    }
    if (!l)
        return;
    int lw = ui_layout_width(l), lh = ui_layout_height(l);
    int x = s.align == 1 ? r.x + pad : r.x + (r.w - lw) / 2;
    int y = r.y + (r.h - lh) / 2;
    if (ui_layout_lines(l) == 1 && ref_base >= 0) {
        int yb = ref_base - ui_layout_baseline(l);
        /* never let a tall line box spill out of the widget */
        if (yb >= r.y && yb + lh <= r.y + r.h) y = yb;
    }
    ui_layout_draw(app->text, l, x, y);
}

/* ---- buttons ---------------------------------------------------------------- */

static float button_font(unsigned flags)
{
    return (flags & UI_SMALL) ? UI_FONT_SMALL + 1 : UI_FONT_LABEL;
}

int ui_button_height(ui_App *app, unsigned flags)
{
    ui_TextStyle st = ui_style(app, button_font(flags), app->theme.text, UI_TEXT_STRONG);
    int th = ui_text_height(app, "Ag", &st, 0);
    int h = th + ui_px(app, (flags & UI_SMALL) ? 16 : 24);
    int min = ui_px(app, UI_TOUCH_MIN);
    return h > min ? h : min;
}

int ui_button_width(ui_App *app, const char *label, unsigned flags)
{
    ui_TextStyle st = ui_style(app, button_font(flags), app->theme.text, UI_TEXT_STRONG);
    int w = ui_text_width(app, label, &st) + ui_px(app, (flags & UI_QUIET) ? 24 : 40);
    int min = ui_px(app, UI_TOUCH_MIN);
    return w > min ? w : min;
}

bool ui_button(ui_App *app, const char *key, const char *label, SDL_Rect r, unsigned flags)
{
    const ui_Theme *t = &app->theme;
    uint32_t id = ui_hash_key(key);
    bool hot = app->widgets->hot == id, pressed = hot && app->widgets->pressed == id;
    bool disabled = flags & UI_DISABLED;
    SDL_Color fill = t->surface, border = t->border, fg = t->text;
    if (flags & UI_PRIMARY) {
        fill = t->accent;
        border = (SDL_Color){0, 0, 0, 0};
        fg = t->accent_text;
    } else if (flags & UI_QUIET) {
        fill = (SDL_Color){0, 0, 0, 0};
        border = fill;
        fg = (flags & UI_ON_HEADER) ? t->header_text : t->accent;
    } else if (flags & UI_DANGER) {
        fg = t->danger;
        border = t->danger;
    }
    if (flags & UI_SELECTED) {
        fill = t->accent_soft;
        border = t->accent;
        fg = t->high_contrast ? t->text : t->accent;
    }
    if (disabled) {
        fill = (flags & UI_QUIET) ? fill : t->track;
        border = (SDL_Color){0, 0, 0, 0};
        fg = t->disabled_text;
    } else if (hot) {
        if (flags & UI_PRIMARY) {
            fill = (SDL_Color){(Uint8)(fill.r * 0.85), (Uint8)(fill.g * 0.85), (Uint8)(fill.b * 0.85), 255};
        } else if (flags & UI_ON_HEADER) {
            fill = (SDL_Color){255, 255, 255, (Uint8)(pressed ? 48 : 28)};
        } else {
            fill = pressed ? t->accent_soft : t->surface_alt;
        }
    }
    int rad = ui_px(app, UI_RADIUS);
    if (is_focused(app, key))
        focus_ring(app, r, rad);
    if (fill.a == 0 && is_focused(app, key) && app->widgets->focus_visible)
        fill = (flags & UI_ON_HEADER) ? t->header_bg : t->bg; /* quiet: keep the ring a ring */
    ui_round_rect(app, r, rad, fill, border);
    ui_TextStyle st = ui_style(app, button_font(flags), fg, UI_TEXT_STRONG);
    draw_centred(app, label, &st, r, ui_px(app, 12));
    record(app, UI_BUTTON, key, label, r, flags, true);
    return take_activation(app, key, flags);
}

/* ---- checkbox ----------------------------------------------------------------- */

int ui_checkbox_height(ui_App *app, const char *label, int w)
{
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, app->theme.text, 0);
    int box = ui_px(app, 28);
    int th = ui_text_height(app, label, &st, w - box - ui_px(app, 24 + 16));
    int h = th + ui_px(app, 20);
    int min = ui_px(app, UI_TOUCH_MIN);
    return h > min ? h : min;
}

bool ui_checkbox(ui_App *app, const char *key, const char *label, bool *checked, SDL_Rect r,
                 unsigned flags)
{
    const ui_Theme *t = &app->theme;
    bool hot = app->widgets->hot == ui_hash_key(key);
    bool disabled = flags & UI_DISABLED;
    int rad = ui_px(app, UI_RADIUS);
    if (is_focused(app, key))
        focus_ring(app, r, rad);
    ui_round_rect(app, r, rad, hot && !disabled ? t->surface_alt : t->surface,
                  *checked ? t->accent : t->border);
    int box = ui_px(app, 28), pad = ui_px(app, 12);
    SDL_Rect b = {r.x + pad, r.y + (r.h - box) / 2, box, box};
    SDL_Color on = disabled ? t->disabled_text : t->accent;
    ui_round_rect(app, b, ui_px(app, 4), *checked ? on : t->surface, *checked ? on : t->text_muted);
    if (*checked) {
        /* a tick drawn as two thick strokes */
        SDL_SetRenderDrawColor(app->renderer, t->accent_text.r, t->accent_text.g, t->accent_text.b, 255);
        int th = ui_px(app, 2) + 1;
        for (int k = -th / 2; k <= th / 2; k++) {
            SDL_RenderDrawLine(app->renderer, b.x + box * 22 / 100, b.y + box * 52 / 100 + k,
                               b.x + box * 42 / 100, b.y + box * 72 / 100 + k);
            SDL_RenderDrawLine(app->renderer, b.x + box * 42 / 100, b.y + box * 72 / 100 + k,
                               b.x + box * 78 / 100, b.y + box * 30 / 100 + k);
        }
    }
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, disabled ? t->disabled_text : t->text, 0);
    int tx = b.x + box + ui_px(app, 16);
    int tw = r.x + r.w - pad - tx;
    int th = ui_text_height(app, label, &st, tw);
    ui_Layout *l = layout_get(app, label, &st, tw);
    if (l)
        ui_layout_draw(app->text, l, tx, r.y + (r.h - th) / 2);
    record(app, UI_CHECKBOX, key, label, r, flags | (*checked ? UI_CHECKED : 0), true);
    if (take_activation(app, key, flags)) {
        *checked = !*checked;
        return true;
    }
    return false;
}

/* ---- cards, list items, progress --------------------------------------------- */

bool ui_card(ui_App *app, const char *key, const char *label, SDL_Rect r, unsigned flags)
{
    const ui_Theme *t = &app->theme;
    bool interactive = key != NULL;
    bool hot = interactive && app->widgets->hot == ui_hash_key(key);
    SDL_Color border = (flags & UI_DANGER) ? t->danger : hot ? t->accent : t->border;
    int rad = ui_px(app, UI_RADIUS);
    if (!t->high_contrast) { /* a soft shadow: one offset band, cheap on software */
        SDL_Rect sh = {r.x, r.y + ui_px(app, 2), r.w, r.h};
        fill_round(app, sh, rad, (SDL_Color){16, 38, 61, 22});
    }
    if (interactive && is_focused(app, key))
        focus_ring(app, r, rad);
    ui_round_rect(app, r, rad, (flags & UI_DANGER) ? t->danger_soft : t->surface, border);
    record(app, UI_CARD, key, label, r, flags, interactive);
    return interactive && take_activation(app, key, flags);
}

int ui_list_item_height(ui_App *app, const char *label, int w)
{
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, app->theme.text, 0);
    int h = ui_text_height(app, label, &st, w - ui_px(app, 32)) + ui_px(app, 24);
    int min = ui_px(app, UI_TOUCH_MIN);
    return h > min ? h : min;
}

bool ui_list_item(ui_App *app, const char *key, const char *label, SDL_Rect r, unsigned flags)
{
    const ui_Theme *t = &app->theme;
    bool hot = app->widgets->hot == ui_hash_key(key);
    bool sel = flags & (UI_SELECTED | UI_CHECKED);
    int rad = ui_px(app, UI_RADIUS);
    if (is_focused(app, key))
        focus_ring(app, r, rad);
    ui_round_rect(app, r, rad, sel ? t->accent_soft : hot ? t->surface_alt : t->surface,
                  sel ? t->accent : t->border);
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, (flags & UI_DISABLED) ? t->disabled_text : t->text,
                               sel ? UI_TEXT_STRONG : 0);
    int pad = ui_px(app, 16);
    int th = ui_text_height(app, label, &st, r.w - 2 * pad);
    ui_Layout *l = layout_get(app, label, &st, r.w - 2 * pad);
    if (l)
        ui_layout_draw(app->text, l, r.x + pad, r.y + (r.h - th) / 2);
    record(app, UI_LISTITEM, key, label, r, flags | (sel ? UI_CHECKED : 0), true);
    return take_activation(app, key, flags);
}

void ui_progress(ui_App *app, const char *label, SDL_Rect r, float fraction)
{
    const ui_Theme *t = &app->theme;
    if (fraction < 0 || fraction != fraction)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    int rad = r.h / 2;
    fill_round(app, r, rad, t->track);
    if (fraction > 0) {
        SDL_Rect f = r;
        f.w = (int)lroundf(r.w * fraction);
        if (f.w < r.h)
            f.w = r.h;
        fill_round(app, f, rad, fraction >= 1 ? t->success : t->accent);
    }
    int i = record(app, UI_PROGRESS, NULL, label, r, 0, false);
    (void)i;
}

/* ---- header and layout ------------------------------------------------------------ */

SDL_Rect ui_content(const ui_App *app, int y0)
{
    int margin = ui_px(app, UI_SP_L);
    int maxw = ui_px(app, UI_CONTENT_MAX);
    int w = app->w - 2 * margin;
    if (w > maxw)
        w = maxw;
    SDL_Rect r = {(app->w - w) / 2, y0 + ui_px(app, UI_SP_L), w, 0};
    r.h = app->h - r.y - ui_px(app, UI_SP_M);
    return r;
}

const char *ui_keyf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return buf;
}

int ui_header(ui_App *app, const char *title, unsigned flags)
{
    const ui_Theme *t = &app->theme;
    int pad = ui_px(app, UI_SP_M);
    unsigned bf = UI_QUIET | UI_ON_HEADER;
    int bh = ui_button_height(app, bf);
    const char *back = ui_tr(app, "common.back"), *settings = ui_tr(app, "common.settings");
    const char *out = ui_tr(app, "common.sign_out");
    bool has_back = (flags & UI_HEADER_BACK) && app->depth > 1;
    bool has_settings = flags & UI_HEADER_SETTINGS;
    bool has_out = (flags & UI_HEADER_SIGNOUT) && app->signed_in;
    int wb = has_back ? ui_button_width(app, back, bf) : 0;
    int ws = has_settings ? ui_button_width(app, settings, bf) : 0;
    int wo = has_out ? ui_button_width(app, out, bf) : 0;
    ui_TextStyle st = ui_style(app, UI_FONT_TITLE - 2, t->header_text, UI_TEXT_STRONG);
    int tx = pad + (has_back ? wb + ui_px(app, UI_SP_S) : 0);
    int tw = app->w - tx - pad - ws - wo - ui_px(app, UI_SP_S) * 2;
    if (tw < ui_px(app, 80))
        tw = ui_px(app, 80);
    int th = ui_text_height(app, title, &st, tw);
    int h = th + 2 * ui_px(app, 12);
    int min = ui_px(app, UI_HEADER_H);
    if (h < min)
        h = min;
    if (h < bh + ui_px(app, 8))
        h = bh + ui_px(app, 8);
    ui_fill(app, (SDL_Rect){0, 0, app->w, h}, t->header_bg);
    if (t->high_contrast)
        ui_fill(app, (SDL_Rect){0, h - ui_px(app, 2), app->w, ui_px(app, 2)}, t->border);
    ui_label(app, title, &st, tx, (h - th) / 2, tw);
    int by = (h - bh) / 2;
    if (has_back && ui_button(app, "header.back", back, (SDL_Rect){pad, by, wb, bh}, bf))
        ui_app_back(app);
    /* drawn left to right so Tab visits them in reading order */
    int xo = app->w - pad - wo;
    int xs = xo - ws - (has_out ? ui_px(app, UI_SP_S) : 0);
    if (has_settings && ui_button(app, "header.settings", settings, (SDL_Rect){xs, by, ws, bh}, bf)) {
        ui_Screen *s = ui_settings_new(app);
        if (s)
            ui_app_push(app, s);
    }
    if (has_out && ui_button(app, "header.sign_out", out, (SDL_Rect){xo, by, wo, bh}, bf))
        ui_app_sign_out(app);
    return h;
}

int ui_button_flow(ui_App *app, const char *prefix, const char *const *labels, int n, int selected,
                   int x, int y, int w, unsigned flags, int *activated)
{
    int gap = ui_px(app, UI_SP_S), bh = ui_button_height(app, flags);
    int cx = x, cy = y;
    char key[128];
    for (int i = 0; i < n; i++) {
        int bw = ui_button_width(app, labels[i], flags);
        if (bw > w)
            bw = w;
        if (cx > x && cx + bw > x + w) {
            cx = x;
            cy += bh + gap;
        }
        snprintf(key, sizeof key, "%s.%d", prefix, i);
        if (ui_button(app, key, labels[i], (SDL_Rect){cx, cy, bw, bh},
                      flags | (i == selected ? UI_SELECTED : 0)))
            *activated = i;
        cx += bw + gap;
    }
    return n ? cy + bh - y : 0;
}

/* ---- frame lifecycle ------------------------------------------------------------- */

dh_Status ui_widgets_new(ui_Widgets **out, dh_Error *err)
{
    *out = dh_calloc(1, sizeof **out);
    if (!*out)
        return dh_fail(err, DH_ENOMEM, "out of memory");
    (*out)->cur_scroll = -1;
    return DH_OK;
}

static void frame_free(Frame *f)
{
    dh_free(f->recs);
    dh_free(f->pool);
    dh_free(f->text);
    memset(f, 0, sizeof *f);
}

void ui_widgets_free(ui_Widgets *w)
{
    if (!w)
        return;
    layouts_trim(w, true);
    frame_free(&w->frames[0]);
    frame_free(&w->frames[1]);
    dh_free(w);
}

void ui_widgets_begin_frame(ui_App *app)
{
    ui_Widgets *w = app->widgets;
    Frame *f = &w->frames[w->cur];
    f->n = 0;
    f->plen = 0;
    f->tlen = 0;
    if (f->text)
        f->text[0] = '\0';
    w->frame_no++;
    w->in_frame = true;
    w->cur_scroll = -1;
    memcpy(w->frame_keys, w->keys, sizeof w->keys);
    w->nframe_keys = w->nkeys;
    w->nkeys = 0;
    w->frame_swipe = w->swipe;
    w->swipe = 0;
}

void ui_widgets_end_frame(ui_App *app)
{
    ui_Widgets *w = app->widgets;
    Frame *f = &w->frames[w->cur];
    bool focus_seen = false;
    for (int i = 0; i < f->n; i++) {
        f->recs[i].info.label = f->pool + f->recs[i].label_off;
        f->recs[i].info.key = f->pool + f->recs[i].key_off;
        if (f->recs[i].id && f->recs[i].id == w->focus)
            focus_seen = true;
    }
    if (!f->text) {
        grow((void **)&f->text, &f->tcap, 1, 1);
        if (f->text)
            f->text[0] = '\0';
    }
    /* Input addressed to widgets that were not drawn is stale: drop it. */
    w->activated = 0;
    w->submitted = 0;
    w->text_in[0] = '\0';
    w->backspaces = 0;
    if (!focus_seen && w->focus)
        w->focus = 0;
    w->focus_reveal = false;
    w->in_frame = false;
    w->cur = 1 - w->cur;
    layouts_trim(w, false);
    /* text input is on while a text field has focus (IME, on-screen keyboards) */
    const Rec *fr = w->focus ? ui_rec_find(w, w->focus) : NULL;
    bool want = fr && fr->info.type == UI_TEXTFIELD;
    if (want != w->text_input_on) {
        if (want) {
            SDL_Rect r = fr->info.rect;
            r.x = (int)(r.x / app->pixel_ratio);
            r.y = (int)(r.y / app->pixel_ratio);
            r.w = (int)(r.w / app->pixel_ratio);
            r.h = (int)(r.h / app->pixel_ratio);
            SDL_SetTextInputRect(&r);
            SDL_StartTextInput();
        } else {
            SDL_StopTextInput();
        }
        w->text_input_on = want;
    }
}

void ui_widgets_forget(ui_App *app)
{
    ui_Widgets *w = app->widgets;
    Frame *f = ui_frame_last(w);
    f->n = 0;
    w->hot = w->pressed = w->activated = w->submitted = 0;
    w->focus = 0;
    w->composition[0] = '\0';
    w->nkeys = 0;
    w->swipe = 0;
    w->dragging = false;
}

void ui_widgets_flush_layouts(ui_App *app)
{
    layouts_trim(app->widgets, true);
}

int ui_widgets_count(const ui_App *app)
{
    return app->widgets->frames[1 - app->widgets->cur].n;
}

const ui_WidgetInfo *ui_widgets_get(const ui_App *app, int i)
{
    return &app->widgets->frames[1 - app->widgets->cur].recs[i].info;
}

const char *ui_widgets_text(const ui_App *app)
{
    const Frame *f = &app->widgets->frames[1 - app->widgets->cur];
    return f->text ? f->text : "";
}

const char *ui_widget_type_name(ui_WidgetType t)
{
    static const char *const names[] = {"button", "textfield", "label", "card",
                                        "progress", "listitem", "checkbox", "scroll"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}

int ui_swipe(ui_App *app)
{
    int s = app->widgets->frame_swipe;
    app->widgets->frame_swipe = 0;
    if (s)
        app->dirty = true;
    return s;
}

bool ui_key_pressed(ui_App *app, SDL_Keycode k)
{
    ui_Widgets *w = app->widgets;
    for (int i = 0; i < w->nframe_keys; i++)
        if (w->frame_keys[i] == k) {
            memmove(&w->frame_keys[i], &w->frame_keys[i + 1],
                    (size_t)(w->nframe_keys - i - 1) * sizeof *w->frame_keys);
            w->nframe_keys--;
            app->dirty = true;
            return true;
        }
    return false;
}

void ui_focus(ui_App *app, const char *key)
{
    app->widgets->focus = ui_hash_key(key);
    app->widgets->focus_reveal = true;
}

void ui_focus_default(ui_App *app, const char *key)
{
    if (!app->widgets->focus)
        app->widgets->focus = ui_hash_key(key);
}

bool ui_has_focus(const ui_App *app, const char *key)
{
    return app->widgets->focus == ui_hash_key(key);
}

/* Text fields, scroll areas and the event side live in widgets_input.c. */
int ui_widgets_record(ui_App *app, ui_WidgetType type, const char *key, const char *label,
                      SDL_Rect r, unsigned flags, bool interactive)
{
    return record(app, type, key, label, r, flags, interactive);
}

bool ui_widgets_take(ui_App *app, const char *key, unsigned flags)
{
    return take_activation(app, key, flags);
}

void ui_widgets_focus_ring(ui_App *app, SDL_Rect r, int radius)
{
    focus_ring(app, r, radius);
}

ui_Layout *ui_widgets_layout(ui_App *app, const char *text, const ui_TextStyle *st, int width)
{
    return layout_get(app, text, st, width);
}
