/* lesson_blocks: drawing a lesson page, block by block, and its navigation.
 *
 * Blocks are laid out top to bottom in the reading column, each measured
 * before it is drawn so boxed blocks (callouts, key points,
 * acknowledgements) get their background first and their text on top. All
 * text goes through widgets.h, so scripts see it, and takes the language of
 * the translation actually shown (a course without the trainee's language
 * falls back to another; breaking Thai text with English rules would split
 * words). Images come from the course package the first time they are
 * shown; one that cannot be read is replaced by its alt text in a frame,
 * never by a crash or a blank. The navigation bar stays at the bottom, out
 * of the scrolled page, so Next is always where the thumb expects it.
 */
#include "lesson_impl.h"

#include "alloc.h"
#include "package.h"
#include "reading.h"
#include "widgets.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define PAGE_SCROLL "lesson.page"

typedef struct Ctx {
    ui_App *app;
    ui_Lesson *l;
    int x, w;          /* the reading column's text box */
    int view_h;        /* height of the page viewport (caps image heights) */
    bool draw;         /* false: only measure */
} Ctx;

static const SDL_Color NONE = {0, 0, 0, 0};

/* The text of t in the UI language, and st->lang set to the language of
 * the translation chosen. */
static const char *text_for(const Ctx *k, const dh_Text *t, ui_TextStyle *st)
{
    const char *s = ui_course_text(k->app, k->l->c, t);
    for (int i = 0; i < t->count; i++)
        if (t->items[i].text == s) {
            if (t->items[i].lang)
                st->lang = t->items[i].lang;
            else if (k->l->c->nlanguages > 0)
                st->lang = k->l->c->languages[0];
            break;
        }
    return s;
}

static ui_TextStyle body_style(const ui_App *app, SDL_Color c)
{
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, c, 0);
    st.markup = true;
    st.line_spacing = 1.55f;
    return st;
}

/* Label when drawing, height either way. */
static int text(const Ctx *k, const char *s, const ui_TextStyle *st, int x, int y, int w)
{
    return k->draw ? ui_label(k->app, s, st, x, y, w) : ui_text_height(k->app, s, st, w);
}

/* Height of one line of s (lines of a layout all have the same height). */
static int line_height(const Ctx *k, const char *s, const ui_TextStyle *st)
{
    int lines = 1;
    for (const char *p = s; *p; p++)
        lines += *p == '\n';
    int h = ui_text_height(k->app, s, st, 0);
    return h / lines;
}

/* A box with a border `thick` px wide (0: none). */
static void box(ui_App *app, SDL_Rect r, SDL_Color fill, SDL_Color border, int thick)
{
    int rad = ui_px(app, UI_RADIUS);
    if (thick <= 0 || border.a == 0) {
        ui_round_rect(app, r, rad, fill, NONE);
        return;
    }
    ui_round_rect(app, r, rad, border, NONE);
    SDL_Rect in = {r.x + thick, r.y + thick, r.w - 2 * thick, r.h - 2 * thick};
    ui_round_rect(app, in, rad > thick ? rad - thick : 0, fill, NONE);
}

/* ---- images -------------------------------------------------------------------- */

static void load_image(ui_App *app, ui_Lesson *l, ui_LessonImage *im)
{
    im->tex = ui_course_image(app, l->course, im->block->src ? im->block->src : "", &im->w, &im->h);
}

/* The image of block b, loading it on first use; NULL when out of memory. */
static ui_LessonImage *image_for(ui_App *app, ui_Lesson *l, const dh_Block *b)
{
    for (int i = 0; i < l->nimages; i++)
        if (l->images[i].block == b)
            return &l->images[i];
    if (l->nimages == l->cap_images) {
        int cap = l->cap_images ? 2 * l->cap_images : 4;
        ui_LessonImage *n = dh_realloc(l->images, (size_t)cap * sizeof *n);
        if (!n)
            return NULL;
        l->images = n;
        l->cap_images = cap;
    }
    ui_LessonImage *im = &l->images[l->nimages++];
    memset(im, 0, sizeof *im);
    im->block = b;
    load_image(app, l, im);
    return im;
}

void ui_lesson_free_images(ui_Lesson *l)
{
    for (int i = 0; i < l->nimages; i++)
        if (l->images[i].tex)
            SDL_DestroyTexture(l->images[i].tex);
    dh_free(l->images);
    l->images = NULL;
    l->nimages = l->cap_images = 0;
}

/* ---- blocks ------------------------------------------------------------------------ */

static int heading(const Ctx *k, const dh_Block *b, int y)
{
    ui_TextStyle st = ui_style(k->app, b->level <= 1 ? UI_FONT_TITLE + 3 : UI_FONT_TITLE - 2, k->app->theme.text,
                               UI_TEXT_STRONG);
    st.markup = true;
    st.line_spacing = 1.3f;
    return text(k, text_for(k, &b->text, &st), &st, k->x, y, k->w);
}

static int paragraph(const Ctx *k, const dh_Block *b, int y)
{
    ui_TextStyle st = body_style(k->app, k->app->theme.text);
    return text(k, text_for(k, &b->text, &st), &st, k->x, y, k->w);
}

/* Items of a list or of key points at (x, y) in width w. marker: 0 bullet,
 * 1 numbers, 2 ticks in colour c. */
static int items(const Ctx *k, const dh_Text *its, int n, int marker, SDL_Color c, int x, int y, int w)
{
    ui_App *app = k->app;
    ui_TextStyle st = body_style(app, app->theme.text);
    ui_TextStyle num = ui_style(app, UI_FONT_BODY, app->theme.text_muted, UI_TEXT_STRONG);
    num.align = 2;
    num.line_spacing = st.line_spacing;
    char label[16];
    snprintf(label, sizeof label, "%d.", n);
    int gutter = marker == 1 ? ui_text_width(app, label, &num) + ui_px(app, 12) : ui_px(app, 28);
    int y0 = y;
    for (int i = 0; i < n; i++) {
        ui_TextStyle is = st;
        const char *s = text_for(k, &its[i], &is);
        int h = text(k, s, &is, x + gutter, y, w - gutter);
        if (k->draw) {
            int lh = line_height(k, s, &is);
            if (marker == 1) {
                snprintf(label, sizeof label, "%d.", i + 1);
                ui_label(app, label, &num, x, y, gutter - ui_px(app, 10));
            } else if (marker == 2) {
                int sz = ui_px(app, 18);
                ui_icon(app, UI_ICON_TICK, (SDL_Rect){x + ui_px(app, 2), y + (lh - sz) / 2, sz, sz}, c,
                        app->theme.high_contrast ? app->theme.bg : app->theme.accent_text);
            } else {
                ui_disc(app, x + ui_px(app, 9), y + lh / 2, ui_px(app, 3.5f), c);
            }
        }
        y += h + ui_px(app, UI_SP_S);
    }
    return y - y0 - (n ? ui_px(app, UI_SP_S) : 0);
}

static int list(const Ctx *k, const dh_Block *b, int y)
{
    return items(k, b->items, b->nitems, b->ordered ? 1 : 0, k->app->theme.text_muted, k->x, y, k->w);
}

static int image(const Ctx *k, const dh_Block *b, int y)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    ui_TextStyle cap = ui_style(app, UI_FONT_SMALL, t->text_muted, UI_TEXT_EM);
    cap.markup = true;
    ui_TextStyle alt_st = body_style(app, t->text);
    const char *alt = text_for(k, &b->alt, &alt_st);
    const char *caption = b->caption.count ? text_for(k, &b->caption, &cap) : "";
    ui_LessonImage *im = image_for(app, k->l, b);
    int h, x = k->x, w = k->w;
    if (im && im->tex) {
        int dw = (int)(im->w * app->scale);
        if (dw > w)
            dw = w;
        int dh = (int)((long long)dw * im->h / im->w);
        int cap_h = k->view_h * 3 / 4;
        if (cap_h < ui_px(app, 240))
            cap_h = ui_px(app, 240);
        if (dh > cap_h) {
            dh = cap_h;
            dw = (int)((long long)dh * im->w / im->h);
        }
        x = k->x + (w - dw) / 2;
        w = dw;
        h = dh;
        if (k->draw) {
            int b1 = ui_px(app, 1);
            ui_fill(app, (SDL_Rect){x - b1, y - b1, dw + 2 * b1, dh + 2 * b1}, t->border);
            SDL_Rect dst = {x, y, dw, dh};
            SDL_RenderCopy(app->renderer, im->tex, NULL, &dst);
            ui_note_text(app, alt); /* what the picture shows, for scripts and screen readers */
        }
    } else {
        /* no picture: its alt text in a frame, so the lesson still makes sense */
        char msg[1600];
        ui_trf(app, msg, sizeof msg, "lesson.image_missing", alt);
        int pad = ui_px(app, UI_SP_M), icon = ui_px(app, 32);
        int tx = x + pad + icon + ui_px(app, UI_SP_M), tw = x + w - pad - tx;
        ui_TextStyle ms = alt_st;
        ms.color = t->text_muted;
        int th = ui_text_height(app, msg, &ms, tw);
        h = pad + (th > icon ? th : icon) + pad;
        if (k->draw) {
            box(app, (SDL_Rect){x, y, w, h}, t->surface_alt, t->border, ui_px(app, 1));
            ui_icon(app, UI_ICON_IMAGE, (SDL_Rect){x + pad, y + pad, icon, icon}, t->text_muted, t->surface_alt);
            ui_label(app, msg, &ms, tx, y + pad, tw);
        }
    }
    if (caption[0])
        h += ui_px(app, UI_SP_S) + text(k, caption, &cap, x, y + h + ui_px(app, UI_SP_S), w);
    return h;
}

static void callout_colours(const ui_App *app, dh_CalloutStyle s, SDL_Color *fg, SDL_Color *bg, ui_Icon *icon,
                            const char **word)
{
    const ui_Theme *t = &app->theme;
    switch (s) {
    case DH_CALLOUT_WARNING:
        *fg = t->warning;
        *bg = t->warning_soft;
        *icon = UI_ICON_WARNING;
        *word = ui_tr(app, "lesson.warning");
        break;
    case DH_CALLOUT_POLICY:
        *fg = t->accent;
        *bg = t->accent_soft;
        *icon = UI_ICON_POLICY;
        *word = ui_tr(app, "lesson.policy");
        break;
    case DH_CALLOUT_TIP:
    default:
        *fg = t->success;
        *bg = ui_mix(t->surface, t->success, 0.09f);
        *icon = UI_ICON_INFO;
        *word = ui_tr(app, "lesson.tip");
        break;
    }
    if (t->high_contrast)
        *bg = t->bg;
}

static int callout(const Ctx *k, const dh_Block *b, int y)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    SDL_Color fg, bg;
    ui_Icon icon;
    const char *word;
    callout_colours(app, b->style, &fg, &bg, &icon, &word);
    ui_TextStyle ts = ui_style(app, UI_FONT_BODY, t->high_contrast ? fg : ui_mix(fg, t->text, 0.25f), UI_TEXT_STRONG);
    ts.markup = true;
    const char *title = b->title.count ? text_for(k, &b->title, &ts) : word;
    ui_TextStyle bs = body_style(app, t->text);
    const char *body = text_for(k, &b->text, &bs);
    int bar = ui_px(app, 5), pad = ui_px(app, UI_SP_M), isz = ui_px(app, 24);
    int tx = k->x + bar + pad + isz + ui_px(app, 12), tw = k->x + k->w - pad - tx;
    int th = ui_text_height(app, title, &ts, tw);
    int h = pad + th + ui_px(app, UI_SP_XS) + ui_text_height(app, body, &bs, tw) + pad;
    if (!k->draw)
        return h;
    SDL_Rect r = {k->x, y, k->w, h};
    if (t->high_contrast) {
        box(app, r, bg, fg, ui_px(app, 2));
        ui_fill(app, (SDL_Rect){r.x, r.y, bar, r.h}, fg);
    } else {
        ui_round_rect(app, r, ui_px(app, UI_RADIUS), fg, NONE); /* the coloured left edge */
        ui_round_rect(app, (SDL_Rect){r.x + bar, r.y, r.w - bar, r.h}, ui_px(app, UI_RADIUS) / 2, bg, NONE);
        ui_fill(app, (SDL_Rect){r.x + bar, r.y, ui_px(app, UI_RADIUS), r.h}, bg);
    }
    int iy = y + pad + (line_height(k, title, &ts) - isz) / 2;
    ui_icon(app, icon, (SDL_Rect){k->x + bar + pad, iy, isz, isz}, fg, t->high_contrast ? t->bg : bg);
    int cy = y + pad + ui_label(app, title, &ts, tx, y + pad, tw) + ui_px(app, UI_SP_XS);
    ui_label(app, body, &bs, tx, cy, tw);
    return h;
}

static int keypoints(const Ctx *k, const dh_Block *b, int y)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    ui_TextStyle ts = ui_style(app, UI_FONT_TITLE - 4, t->high_contrast ? t->accent : t->text, UI_TEXT_STRONG);
    const char *title = b->title.count ? text_for(k, &b->title, &ts) : ui_tr(app, "lesson.key_points");
    int pad = ui_px(app, UI_SP_L);
    int x = k->x + pad, w = k->w - 2 * pad;
    int th = ui_text_height(app, title, &ts, w);
    Ctx m = *k;
    m.draw = false;
    int ih = items(&m, b->items, b->nitems, 2, t->accent, x, 0, w);
    int h = pad + th + ui_px(app, UI_SP_M) + ih + pad;
    if (!k->draw)
        return h;
    SDL_Color bg = t->high_contrast ? t->bg : ui_mix(t->surface, t->accent, 0.06f);
    box(app, (SDL_Rect){k->x, y, k->w, h}, bg, t->high_contrast ? t->accent : t->accent_soft, ui_px(app, 2));
    ui_label(app, title, &ts, x, y + pad, w);
    items(k, b->items, b->nitems, 2, t->accent, x, y + pad + th + ui_px(app, UI_SP_M), w);
    return h;
}

static int acknowledge(const Ctx *k, const dh_Block *b, int y)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    ui_Lesson *l = k->l;
    int ack = ui_lesson_ack_index(l, b);
    int64_t when = ack >= 0 ? l->ack_ms[ack] : 0;
    bool done = when != 0;
    ui_TextStyle bs = body_style(app, t->text);
    bs.flags = UI_TEXT_STRONG;
    const char *s = text_for(k, &b->text, &bs);
    int pad = ui_px(app, UI_SP_L), x = k->x + pad, w = k->w - 2 * pad;
    int th = ui_text_height(app, s, &bs, w);
    char status[200];
    ui_TextStyle ok = ui_style(app, UI_FONT_BODY, t->success, UI_TEXT_STRONG);
    const char *label = ui_tr(app, "lesson.confirm");
    int bh = ui_button_height(app, UI_PRIMARY);
    int row;
    int isz = ui_px(app, 24);
    if (done) {
        if (when > 0) {
            char stamp[64];
            time_t secs = (time_t)(when / 1000);
            struct tm *tm = localtime(&secs);
            if (!tm || !strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M", tm))
                snprintf(stamp, sizeof stamp, "?");
            ui_trf(app, status, sizeof status, "lesson.confirmed_at", stamp);
        } else {
            snprintf(status, sizeof status, "%s", ui_tr(app, "lesson.confirmed"));
        }
        int sh = ui_text_height(app, status, &ok, w - isz - ui_px(app, 10));
        row = sh > isz ? sh : isz;
    } else {
        row = bh;
    }
    int h = pad + th + ui_px(app, UI_SP_M) + row + pad;
    if (!k->draw)
        return h;
    SDL_Color border = done ? t->success : l->nudge ? t->warning : t->accent;
    box(app, (SDL_Rect){k->x, y, k->w, h}, t->surface, border, ui_px(app, l->nudge && !done ? 3 : 2));
    int cy = y + pad + ui_label(app, s, &bs, x, y + pad, w) + ui_px(app, UI_SP_M);
    if (done) {
        int sh = ui_text_height(app, status, &ok, w - isz - ui_px(app, 10));
        ui_icon(app, UI_ICON_TICK, (SDL_Rect){x, cy + (row - isz) / 2, isz, isz}, t->success,
                t->high_contrast ? t->bg : t->accent_text);
        ui_label(app, status, &ok, x + isz + ui_px(app, 10), cy + (row - sh) / 2, w - isz - ui_px(app, 10));
    } else {
        int bw = ui_button_width(app, label, UI_PRIMARY);
        if (bw < ui_px(app, 180))
            bw = ui_px(app, 180);
        if (bw > w)
            bw = w;
        char key[32];
        if (ui_button(app, ui_keyf(key, sizeof key, "ack.%d", ack), label, (SDL_Rect){x, cy, bw, bh}, UI_PRIMARY))
            ui_lesson_confirm(app, l, ack);
    }
    return h;
}

static int block(const Ctx *k, const dh_Block *b, int y)
{
    switch (b->type) {
    case DH_BLOCK_HEADING: return heading(k, b, y);
    case DH_BLOCK_PARAGRAPH: return paragraph(k, b, y);
    case DH_BLOCK_LIST: return list(k, b, y);
    case DH_BLOCK_IMAGE: return image(k, b, y);
    case DH_BLOCK_CALLOUT: return callout(k, b, y);
    case DH_BLOCK_KEYPOINTS: return keypoints(k, b, y);
    case DH_BLOCK_ACKNOWLEDGE: return acknowledge(k, b, y);
    }
    return 0;
}

/* Space above a block, given the one before it. */
static int gap_before(const ui_App *app, const dh_Block *prev, const dh_Block *b)
{
    if (!prev)
        return 0;
    if (b->type == DH_BLOCK_HEADING)
        return ui_px(app, UI_SP_XL) - ui_px(app, UI_SP_S);
    if (prev->type == DH_BLOCK_HEADING)
        return ui_px(app, UI_SP_M);
    bool boxed = b->type == DH_BLOCK_CALLOUT || b->type == DH_BLOCK_KEYPOINTS || b->type == DH_BLOCK_ACKNOWLEDGE ||
                 b->type == DH_BLOCK_IMAGE;
    return ui_px(app, boxed ? UI_SP_L : UI_SP_M + 2);
}

/* ---- navigation bar -------------------------------------------------------------- */

typedef struct Nav {
    const char *prev, *next, *reason;
    char page[80];
    int bwp, bwn, ind_w, ind_h, reason_h, bh, h, pad;
    bool one_row, ready, last;
} Nav;

static void nav_measure(ui_App *app, const ui_Lesson *l, int w, Nav *n)
{
    ui_TextStyle ind = ui_style(app, UI_FONT_BODY, app->theme.text_muted, UI_TEXT_STRONG);
    ui_TextStyle why = ui_style(app, UI_FONT_BODY, app->theme.warning, UI_TEXT_STRONG);
    n->last = l->page == l->lesson->npages - 1;
    n->ready = ui_lesson_page_ready(l);
    n->prev = ui_tr(app, "lesson.previous");
    n->next = ui_tr(app, n->last ? "lesson.finish" : "lesson.next");
    n->reason = n->ready ? NULL : ui_tr(app, "lesson.confirm_needed");
    ui_trf(app, n->page, sizeof n->page, "lesson.page_of", l->page + 1, l->lesson->npages);
    int minw = ui_px(app, 140);
    n->bwp = ui_button_width(app, n->prev, 0);
    n->bwn = ui_button_width(app, n->next, UI_PRIMARY);
    n->bwp = n->bwp < minw ? minw : n->bwp;
    n->bwn = n->bwn < minw ? minw : n->bwn;
    n->bh = ui_button_height(app, UI_PRIMARY);
    n->ind_w = ui_text_width(app, n->page, &ind);
    n->ind_h = ui_text_height(app, n->page, &ind, 0);
    int gap = ui_px(app, UI_SP_M);
    n->one_row = n->bwp + n->bwn + n->ind_w + 2 * gap <= w;
    if (!n->one_row && n->bwp + n->bwn + gap > w) { /* huge text on a small screen: share the width */
        n->bwp = (w - gap) / 2;
        n->bwn = w - gap - n->bwp;
    }
    n->reason_h = n->reason ? ui_text_height(app, n->reason, &why, w) : 0;
    n->pad = ui_px(app, 12);
    n->h = n->pad + (n->reason ? n->reason_h + ui_px(app, UI_SP_S) : 0) +
           (n->one_row ? n->bh : n->ind_h + ui_px(app, UI_SP_S) + n->bh) + n->pad;
}

static void nav_draw(ui_App *app, ui_Lesson *l, const Nav *n, int x, int w)
{
    const ui_Theme *t = &app->theme;
    int y = app->h - n->h;
    ui_fill(app, (SDL_Rect){0, y, app->w, n->h}, t->surface);
    ui_fill(app, (SDL_Rect){0, y, app->w, ui_px(app, t->high_contrast ? 2 : 1)}, t->border);
    y += n->pad;
    if (n->reason) {
        ui_TextStyle why = ui_style(app, UI_FONT_BODY, t->warning, UI_TEXT_STRONG);
        why.align = 1;
        y += ui_label(app, n->reason, &why, x, y, w) + ui_px(app, UI_SP_S);
    }
    ui_TextStyle ind = ui_style(app, UI_FONT_BODY, t->text_muted, UI_TEXT_STRONG);
    ind.align = 1;
    if (!n->one_row) {
        y += ui_label(app, n->page, &ind, x, y, w) + ui_px(app, UI_SP_S);
    } else {
        ui_label(app, n->page, &ind, x + n->bwp, y + (n->bh - n->ind_h) / 2, w - n->bwp - n->bwn);
    }
    if (ui_button(app, "lesson.prev", n->prev, (SDL_Rect){x, y, n->bwp, n->bh}, l->page > 0 ? 0 : UI_DISABLED))
        ui_lesson_go(app, l, l->page - 1);
    unsigned nf = UI_PRIMARY | (n->ready ? 0 : UI_DISABLED);
    if (ui_button(app, "lesson.next", n->next, (SDL_Rect){x + w - n->bwn, y, n->bwn, n->bh}, nf)) {
        if (n->last)
            ui_lesson_finish(app, l);
        else
            ui_lesson_go(app, l, l->page + 1);
    }
}

/* ---- the screen ---------------------------------------------------------------------- */

static void unavailable(ui_App *app, int y0)
{
    SDL_Rect col = ui_reading_column(app, ui_content(app, y0));
    ui_TextStyle b = ui_style(app, UI_FONT_BODY, app->theme.text, 0);
    int y = col.y + ui_label(app, ui_tr(app, "placeholder.unavailable"), &b, col.x, col.y, col.w);
    const char *back = ui_tr(app, "lesson.back_to_course");
    y += ui_px(app, UI_SP_L);
    if (ui_button(app, "back", back, (SDL_Rect){col.x, y, ui_button_width(app, back, 0), ui_button_height(app, 0)},
                  UI_PRIMARY))
        ui_app_pop(app);
}

void ui_lesson_draw(ui_App *app, ui_Lesson *l)
{
    const ui_Theme *t = &app->theme;
    const dh_Course *c = l->c;
    int y0 = ui_header(app, ui_course_text(app, c, &c->modules[l->module].title), UI_HEADER_ALL);
    if (!l->lesson) {
        unavailable(app, y0);
        return;
    }
    ui_lesson_focus_ack(app, l);
    SDL_Rect col = ui_reading_column(app, ui_content(app, y0));
    int margin = ui_px(app, UI_SP_L);
    Ctx k = {app, l, col.x + margin, col.w - 2 * margin, 0, true};
    Nav nav;
    nav_measure(app, l, k.w, &nav);
    SDL_Rect view = {0, y0, app->w, app->h - y0 - nav.h};
    k.view_h = view.h;
    int y = ui_scroll_begin(app, PAGE_SCROLL, view) + ui_px(app, UI_SP_L);
    if (l->error[0]) {
        ui_TextStyle es = ui_style(app, UI_FONT_BODY, t->danger, UI_TEXT_STRONG);
        int pad = ui_px(app, UI_SP_M);
        int eh = ui_text_height(app, l->error, &es, k.w - 2 * pad) + 2 * pad;
        box(app, (SDL_Rect){k.x, y, k.w, eh}, t->danger_soft, t->danger, ui_px(app, 2));
        ui_label(app, l->error, &es, k.x + pad, y + pad, k.w - 2 * pad);
        y += eh + ui_px(app, UI_SP_L);
    }
    const dh_Page *pg = &l->lesson->pages[l->page];
    if (pg->title.count) {
        ui_TextStyle ps = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
        y += ui_label(app, text_for(&k, &pg->title, &ps), &ps, k.x, y, k.w) + ui_px(app, UI_SP_S);
    }
    const dh_Block *prev = NULL;
    for (int i = 0; i < pg->nblocks; i++) {
        y += gap_before(app, prev, &pg->blocks[i]);
        y += block(&k, &pg->blocks[i], y);
        prev = &pg->blocks[i];
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_XL));
    nav_draw(app, l, &nav, k.x, k.w);

    /* paging without the buttons: a swipe, or Left / Right */
    int sw = ui_swipe(app);
    bool fwd = sw == UI_SWIPE_LEFT || ui_key_pressed(app, SDLK_RIGHT);
    bool bwd = sw == UI_SWIPE_RIGHT || ui_key_pressed(app, SDLK_LEFT);
    if (fwd && !nav.last) /* not Finish: that takes the button */
        ui_lesson_go(app, l, l->page + 1);
    if (bwd)
        ui_lesson_go(app, l, l->page - 1);
}
