/* quiz_items: one question of each type on screen, and the trainee's hands on it.
 *
 * Every type is usable by touch and by keyboard with the ordinary widgets
 * (Tab moves, Space or Return activates): choices are list rows or
 * checkboxes, matching and gap select offer a row of word buttons per
 * prompt or gap, ordering moves rows up and down with buttons or by
 * dragging, hot text turns each selectable span into a checkbox placed in
 * the text's flow, and a hotspot image takes taps where they land (mapped
 * back to the image's own coordinates) or, from the keyboard, a crosshair
 * moved with the arrow keys and placed with Space. Each change becomes a
 * dh_QuizResponse in model indices (shown positions go through the slot's
 * order) handed to quiz.c, which saves it before the next frame shows it.
 * Read-only, the same drawing serves the review, with right answers and
 * feedback only as the quiz's review options allow.
 */
#include "quiz_impl.h"

#include "alloc.h"
#include "package.h"
#include "reading.h"
#include "widgets.h"
#include "widgets_impl.h" /* where a tap on the hotspot image landed */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static ui_TextStyle body_style(const ui_App *app)
{
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, app->theme.text, 0);
    st.line_spacing = 1.5f;
    return st;
}

/* ---- images ------------------------------------------------------------------------ */

void ui_quiz_free_image(ui_Quiz *q)
{
    for (int i = 0; i < (int)(sizeof q->img / sizeof q->img[0]); i++) {
        if (q->img[i].tex)
            SDL_DestroyTexture(q->img[i].tex);
        memset(&q->img[i], 0, sizeof q->img[i]);
    }
}

/* The picture at src from the course package, loaded on first use (NULL:
 * it cannot be read; the alt text stands in). *iw, *ih: its size. */
static SDL_Texture *image(ui_App *app, ui_Quiz *q, const char *src, int *iw, int *ih)
{
    int n = (int)(sizeof q->img / sizeof q->img[0]);
    for (int i = 0; i < n; i++)
        if (q->img[i].src == src) {
            *iw = q->img[i].w;
            *ih = q->img[i].h;
            return q->img[i].tex;
        }
    int k = q->img_next;
    q->img_next = (k + 1) % n;
    if (q->img[k].tex)
        SDL_DestroyTexture(q->img[k].tex);
    memset(&q->img[k], 0, sizeof q->img[k]);
    q->img[k].src = src;
    SDL_Texture *t = ui_course_image(app, q->course, src, &q->img[k].w, &q->img[k].h);
    q->img[k].tex = t;
    *iw = q->img[k].w;
    *ih = q->img[k].h;
    return t;
}

/* The picture's rectangle: as wide as it may be in w, at most max_h tall. */
static SDL_Rect fit(int x, int y, int w, int max_h, int iw, int ih)
{
    int dw = w, dh = (int)((long long)w * ih / iw);
    if (dh > max_h) {
        dh = max_h;
        dw = (int)((long long)dh * iw / ih);
    }
    return (SDL_Rect){x + (w - dw) / 2, y, dw, dh};
}

/* ---- editing buffers ------------------------------------------------------------------- */

void ui_quiz_edit_begin(ui_Quiz *q, int slot)
{
    if (q->edit_slot == slot)
        return;
    q->edit_slot = slot;
    q->text[0] = '\0';
    q->unit = -1;
    q->norder = 0;
    q->drag_item = -1;
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const dh_QuizResponse *r = s->answered ? &s->response : NULL;
    if (qq->type == DH_QUESTION_SHORT && r && r->text)
        snprintf(q->text, sizeof q->text, "%s", r->text);
    if (qq->type == DH_QUESTION_NUMERIC && r) {
        if (r->has_number)
            snprintf(q->text, sizeof q->text, "%.15g", r->number);
        q->unit = r->unit;
    }
    if (qq->type == DH_QUESTION_NUMERIC && !r && qq->u.numeric.nunits == 1)
        q->unit = 0;
    if (qq->type == DH_QUESTION_ORDERING) {
        int n = qq->u.ordering.nitems;
        q->norder = n;
        for (int i = 0; i < n; i++)
            q->order[i] = r && r->nitems == n ? r->items[i] : s->order && s->norder == n ? s->order[i] : i;
    }
    q->cross_x = qq->type == DH_QUESTION_HOTSPOT ? qq->u.hotspot.width / 2.0 : 0;
    q->cross_y = qq->type == DH_QUESTION_HOTSPOT ? qq->u.hotspot.height / 2.0 : 0;
}

/* Shown position i of the slot's choices/answers/items as a model index. */
static int shown(const dh_QuizSlot *s, int i)
{
    return s->order && i < s->norder ? s->order[i] : i;
}

static bool has_item(const dh_QuizResponse *r, int v)
{
    for (int i = 0; r && i < r->nitems; i++)
        if (r->items[i] == v)
            return true;
    return false;
}

static void answer_items(ui_App *app, ui_Quiz *q, int slot, dh_QuestionType t, const int *items, int n)
{
    dh_QuizResponse r;
    memset(&r, 0, sizeof r);
    r.type = t;
    r.items = items;
    r.nitems = n;
    r.unit = -1;
    ui_quiz_answer(app, q, slot, n > 0 ? &r : NULL);
}

/* Toggle model index v in a set response (multiple, hottext). */
static void toggle_item(ui_App *app, ui_Quiz *q, int slot, dh_QuestionType t, int v)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    int items[DH_QUIZ_MAX_ITEMS], n = 0;
    bool had = false;
    for (int i = 0; s->answered && i < s->response.nitems; i++) {
        if (s->response.items[i] == v)
            had = true;
        else if (n < DH_QUIZ_MAX_ITEMS)
            items[n++] = s->response.items[i];
    }
    if (!had && n < DH_QUIZ_MAX_ITEMS)
        items[n++] = v;
    answer_items(app, q, slot, t, items, n);
}

/* Set entry k of a per-prompt/per-gap response (matching, gapselect). */
static void set_entry(ui_App *app, ui_Quiz *q, int slot, dh_QuestionType t, int count, int k, int v)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    int items[DH_QUIZ_MAX_ITEMS];
    for (int i = 0; i < count && i < DH_QUIZ_MAX_ITEMS; i++)
        items[i] = s->answered && s->response.nitems == count ? s->response.items[i] : -1;
    items[k] = v;
    answer_items(app, q, slot, t, items, count);
}

/* ---- the stem and its types ----------------------------------------------------------------- */

static int stem(ui_App *app, ui_Quiz *q, const dh_Question *qq, int x, int y, int w)
{
    /* a question stands out; a description (a situation to read) is body text */
    bool desc = qq->type == DH_QUESTION_DESCRIPTION;
    ui_TextStyle st = desc ? body_style(app) : ui_style(app, UI_FONT_TITLE - 4, app->theme.text, UI_TEXT_STRONG);
    st.markup = true;
    st.line_spacing = desc ? 1.55f : 1.45f;
    const char *s = ui_quiz_text(app, q, &qq->text, &st);
    return ui_label(app, s, &st, x, y, w);
}

static int choices(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, bool editable, bool multi)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const dh_QuizResponse *r = s->answered ? &s->response : NULL;
    int y0 = y;
    char key[40];
    for (int i = 0; i < qq->u.choice.nchoices; i++) {
        int c = shown(s, i);
        ui_TextStyle ts = body_style(app);
        const char *label = ui_quiz_text(app, q, &qq->u.choice.choices[c].text, &ts);
        bool on = has_item(r, c);
        unsigned fl = editable ? 0 : UI_DISABLED;
        ui_keyf(key, sizeof key, "quiz.choice.%d", i);
        if (multi) {
            int h = ui_checkbox_height(app, label, w);
            bool v = on;
            if (ui_checkbox(app, key, label, &v, (SDL_Rect){x, y, w, h}, fl) && editable)
                toggle_item(app, q, slot, qq->type, c);
            y += h + ui_px(app, UI_SP_S);
        } else {
            int h = ui_list_item_height(app, label, w);
            if (ui_list_item(app, key, label, (SDL_Rect){x, y, w, h}, fl | (on ? UI_SELECTED : 0)) && editable &&
                !on)
                answer_items(app, q, slot, qq->type, &c, 1);
            y += h + ui_px(app, UI_SP_S);
        }
        if (q->focus_first && i == 0 && editable) {
            ui_focus(app, key);
            q->focus_first = false;
        }
    }
    return y - y0;
}

static int truefalse(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, bool editable)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_QuizResponse *r = s->answered ? &s->response : NULL;
    int y0 = y;
    const char *labels[2] = {ui_tr(app, "quiz.true"), ui_tr(app, "quiz.false")};
    for (int i = 0; i < 2; i++) {
        bool v = i == 0;
        bool on = r && r->value == v;
        int h = ui_list_item_height(app, labels[i], w);
        char key[32];
        ui_keyf(key, sizeof key, "quiz.tf.%d", i);
        if (ui_list_item(app, key, labels[i], (SDL_Rect){x, y, w, h},
                         (editable ? 0 : UI_DISABLED) | (on ? UI_SELECTED : 0)) &&
            editable && !on) {
            dh_QuizResponse resp;
            memset(&resp, 0, sizeof resp);
            resp.type = DH_QUESTION_TRUEFALSE;
            resp.value = v;
            resp.unit = -1;
            ui_quiz_answer(app, q, slot, &resp);
        }
        if (q->focus_first && i == 0 && editable) {
            ui_focus(app, key);
            q->focus_first = false;
        }
        y += h + ui_px(app, UI_SP_S);
    }
    return y - y0;
}

static int short_answer(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, bool editable)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const char *cap = ui_tr(app, "quiz.your_answer");
    if (!editable) {
        ui_TextStyle st = body_style(app);
        st.flags = UI_TEXT_STRONG;
        char line[DH_QUIZ_MAX_TEXT + 200];
        snprintf(line, sizeof line, "%s: %s", cap,
                 s->answered && s->response.text ? s->response.text : ui_tr(app, "quiz.no_answer"));
        return ui_label(app, line, &st, x, y, w);
    }
    int h = ui_textfield_height(app, cap, w);
    int fw = w < ui_px(app, 560) ? w : ui_px(app, 560);
    int rc = ui_textfield(app, "quiz.text", cap, ui_tr(app, "quiz.type_here"), q->text, sizeof q->text,
                          (SDL_Rect){x, y, fw, h}, 0);
    if (q->focus_first) {
        ui_focus(app, "quiz.text");
        q->focus_first = false;
    }
    if (rc & UI_TF_CHANGED) {
        dh_QuizResponse r;
        memset(&r, 0, sizeof r);
        r.type = DH_QUESTION_SHORT;
        r.text = q->text;
        r.unit = -1;
        size_t n = strspn(q->text, " \t");
        ui_quiz_answer_typed(app, q, slot, q->text[n] ? &r : NULL);
    }
    return h;
}

/* Parse a typed number ("1.5", "1,5", " 12 "); false when it is none. */
static bool parse_number(const char *s, double *out)
{
    char buf[64];
    size_t n = 0;
    for (; *s && n + 1 < sizeof buf; s++)
        if (*s != ' ')
            buf[n++] = *s == ',' ? '.' : *s;
    buf[n] = '\0';
    if (!n)
        return false;
    char *end;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static void answer_numeric(ui_App *app, ui_Quiz *q, int slot, bool typed)
{
    dh_QuizResponse r;
    memset(&r, 0, sizeof r);
    r.type = DH_QUESTION_NUMERIC;
    r.unit = q->unit;
    r.has_number = parse_number(q->text, &r.number);
    const dh_QuizResponse *rp = r.has_number || r.unit >= 0 ? &r : NULL;
    if (typed)
        ui_quiz_answer_typed(app, q, slot, rp);
    else
        ui_quiz_answer(app, q, slot, rp);
}

static int numeric(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, bool editable)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const char *cap = ui_tr(app, "quiz.your_answer");
    int y0 = y;
    if (!editable) {
        ui_TextStyle st = body_style(app);
        st.flags = UI_TEXT_STRONG;
        char num[64] = "", line[300];
        if (s->answered && s->response.has_number)
            snprintf(num, sizeof num, "%.15g", s->response.number);
        const char *unit = s->answered && s->response.unit >= 0 && s->response.unit < qq->u.numeric.nunits
                               ? qq->u.numeric.units[s->response.unit].name
                               : "";
        snprintf(line, sizeof line, "%s: %s%s%s", cap, num[0] ? num : ui_tr(app, "quiz.no_answer"),
                 unit[0] ? " " : "", unit);
        return ui_label(app, line, &st, x, y, w);
    }
    int h = ui_textfield_height(app, cap, w);
    int fw = w < ui_px(app, 320) ? w : ui_px(app, 320);
    int rc = ui_textfield(app, "quiz.number", cap, ui_tr(app, "quiz.number_hint"), q->text, sizeof q->text,
                          (SDL_Rect){x, y, fw, h}, 0);
    if (q->focus_first) {
        ui_focus(app, "quiz.number");
        q->focus_first = false;
    }
    y += h;
    double v;
    if (q->text[0] && !parse_number(q->text, &v)) {
        ui_TextStyle es = ui_style(app, UI_FONT_SMALL + 1, app->theme.danger, UI_TEXT_STRONG);
        y += ui_px(app, UI_SP_XS) + ui_label(app, ui_tr(app, "quiz.not_a_number"), &es, x, y + ui_px(app, UI_SP_XS), w);
    }
    if (rc & UI_TF_CHANGED)
        answer_numeric(app, q, slot, true);
    if (qq->u.numeric.nunits > 0) {
        y += ui_px(app, UI_SP_M);
        ui_TextStyle ls = ui_style(app, UI_FONT_BODY, app->theme.text_muted, UI_TEXT_STRONG);
        y += ui_label(app, ui_tr(app, "quiz.unit"), &ls, x, y, w) + ui_px(app, UI_SP_S);
        const char *names[DH_QUIZ_MAX_ITEMS];
        int n = qq->u.numeric.nunits < DH_QUIZ_MAX_ITEMS ? qq->u.numeric.nunits : DH_QUIZ_MAX_ITEMS;
        for (int i = 0; i < n; i++)
            names[i] = qq->u.numeric.units[i].name;
        int act = -1;
        y += ui_button_flow(app, "quiz.unit", names, n, q->unit, x, y, w, 0, &act);
        if (act >= 0 && act != q->unit) {
            q->unit = act;
            answer_numeric(app, q, slot, false);
        }
    }
    return y - y0;
}

static int matching(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, bool editable)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const dh_QuizResponse *r = s->answered ? &s->response : NULL;
    int np = qq->u.matching.nprompts, na = qq->u.matching.nanswers;
    const char *labels[DH_QUIZ_MAX_ITEMS];
    for (int i = 0; i < na && i < DH_QUIZ_MAX_ITEMS; i++)
        labels[i] = ui_quiz_text(app, q, &qq->u.matching.answers[shown(s, i)].text, NULL);
    int y0 = y;
    for (int p = 0; p < np; p++) {
        ui_TextStyle ps = body_style(app);
        ps.flags = UI_TEXT_STRONG;
        y += ui_label(app, ui_quiz_text(app, q, &qq->u.matching.prompts[p].text, &ps), &ps, x, y, w) +
             ui_px(app, UI_SP_S);
        int sel = -1;
        int cur = r && r->nitems == np ? r->items[p] : -1;
        for (int i = 0; i < na; i++)
            if (shown(s, i) == cur)
                sel = i;
        char prefix[32];
        ui_keyf(prefix, sizeof prefix, "quiz.match.%d", p);
        int act = -1;
        y += ui_button_flow(app, prefix, labels, na, sel, x + ui_px(app, UI_SP_M), y, w - ui_px(app, UI_SP_M),
                            editable ? 0 : UI_DISABLED, &act);
        if (act >= 0 && editable)
            set_entry(app, q, slot, DH_QUESTION_MATCHING, np, p, shown(s, act) == cur ? -1 : shown(s, act));
        if (q->focus_first && p == 0 && editable) {
            char key[40];
            ui_focus(app, ui_keyf(key, sizeof key, "%s.0", prefix));
            q->focus_first = false;
        }
        y += ui_px(app, UI_SP_L);
    }
    return y - y0;
}

static void move_item(ui_App *app, ui_Quiz *q, int slot, int from, int to)
{
    if (from < 0 || to < 0 || from >= q->norder || to >= q->norder || from == to)
        return;
    int v = q->order[from];
    if (from < to)
        memmove(&q->order[from], &q->order[from + 1], (size_t)(to - from) * sizeof(int));
    else
        memmove(&q->order[to + 1], &q->order[to], (size_t)(from - to) * sizeof(int));
    q->order[to] = v;
    answer_items(app, q, slot, DH_QUESTION_ORDERING, q->order, q->norder);
}

static int ordering(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, bool editable)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const ui_Theme *t = &app->theme;
    int y0 = y;
    if (!editable) { /* review: the order given */
        int n = s->answered ? s->response.nitems : 0;
        ui_TextStyle st = body_style(app);
        if (!n)
            return ui_label(app, ui_tr(app, "quiz.no_answer"), &st, x, y, w);
        for (int i = 0; i < n; i++) {
            char line[1200];
            snprintf(line, sizeof line, "%d. %s", i + 1,
                     ui_quiz_text(app, q, &qq->u.ordering.items[s->response.items[i]].text, &st));
            y += ui_label(app, line, &st, x, y, w) + ui_px(app, UI_SP_XS);
        }
        return y - y0;
    }
    const char *up = ui_tr(app, "quiz.move_up"), *down = ui_tr(app, "quiz.move_down");
    int bw = ui_button_width(app, up, UI_SMALL), bw2 = ui_button_width(app, down, UI_SMALL);
    bw = bw > bw2 ? bw : bw2;
    int bh = ui_button_height(app, UI_SMALL);
    bool narrow = w - 2 * bw - ui_px(app, UI_SP_M) < ui_px(app, 200);
    ui_Widgets *wd = app->widgets;
    int drop_to = -1;
    for (int i = 0; i < q->norder; i++) {
        ui_TextStyle st = body_style(app);
        char label[1200];
        snprintf(label, sizeof label, "%d. %s", i + 1, ui_quiz_text(app, q, &qq->u.ordering.items[q->order[i]].text, &st));
        int tw = narrow ? w - 2 * ui_px(app, UI_SP_M) : w - 2 * bw - 3 * ui_px(app, UI_SP_S) - ui_px(app, UI_SP_M);
        int th = ui_text_height(app, label, &st, tw);
        int rh = narrow ? th + bh + 3 * ui_px(app, UI_SP_S) : (th > bh ? th : bh) + 2 * ui_px(app, UI_SP_S);
        SDL_Rect row = {x, y, w, rh};
        bool dragging = q->drag_item == i;
        char key[40];
        /* the row itself is the drag handle (a card takes the press) */
        ui_card(app, ui_keyf(key, sizeof key, "quiz.row.%d", i), label, row, 0);
        if (dragging)
            ui_round_rect(app, row, ui_px(app, UI_RADIUS), t->accent_soft, t->accent);
        ui_label(app, label, &st, x + ui_px(app, UI_SP_M), narrow ? y + ui_px(app, UI_SP_S) : y + (rh - th) / 2, tw);
        int by = narrow ? y + th + 2 * ui_px(app, UI_SP_S) : y + (rh - bh) / 2;
        int bx = narrow ? x + ui_px(app, UI_SP_M) : x + w - 2 * bw - 2 * ui_px(app, UI_SP_S);
        if (ui_button(app, ui_keyf(key, sizeof key, "quiz.up.%d", i), up, (SDL_Rect){bx, by, bw, bh},
                      UI_SMALL | (i == 0 ? UI_DISABLED : 0)))
            move_item(app, q, slot, i, i - 1);
        if (ui_button(app, ui_keyf(key, sizeof key, "quiz.down.%d", i), down,
                      (SDL_Rect){bx + bw + ui_px(app, UI_SP_S), by, bw, bh},
                      UI_SMALL | (i == q->norder - 1 ? UI_DISABLED : 0)))
            move_item(app, q, slot, i, i + 1);
        if (q->focus_first && i == 0) {
            ui_focus(app, ui_keyf(key, sizeof key, "quiz.down.%d", i));
            q->focus_first = false;
        }
        /* dragging: a press on the row's text (not its buttons) that moves
         * vertically; judged from where the pointer went down, since the
         * page's scroll area takes over the press once it moves */
        SDL_Rect grip = {x, y, narrow ? w : bx - x, narrow ? by - y : rh};
        if (q->drag_item < 0 && wd->down && wd->down_x >= grip.x && wd->down_x < grip.x + grip.w &&
            wd->down_y >= grip.y && wd->down_y < grip.y + grip.h && abs(wd->last_y - wd->down_y) > ui_px(app, 12))
            q->drag_item = i;
        if (q->drag_item >= 0 && wd->down && wd->last_y >= y && wd->last_y < y + rh)
            drop_to = i;
        y += rh + ui_px(app, UI_SP_S);
    }
    if (q->drag_item >= 0) {
        if (!wd->down) {
            q->drag_item = -1;
        } else if (drop_to >= 0 && drop_to != q->drag_item) {
            int from = q->drag_item;
            q->drag_item = drop_to;
            move_item(app, q, slot, from, drop_to);
        }
        ui_app_invalidate(app);
    }
    if (!s->answered) {
        const char *keep = ui_tr(app, "quiz.keep_order");
        int kw = ui_button_width(app, keep, 0);
        if (kw > w)
            kw = w;
        if (ui_button(app, "quiz.keep", keep, (SDL_Rect){x, y, kw, ui_button_height(app, 0)}, 0))
            answer_items(app, q, slot, DH_QUESTION_ORDERING, q->order, q->norder);
        y += ui_button_height(app, 0);
    }
    return y - y0;
}

/* One word of a hot text, or one of its spans, placed in the flow. */
typedef struct Piece {
    size_t off;    /* its NUL-terminated text in the pool */
    int idx;       /* span: index in u.choice.spans (-1 unknown); text: -2 */
    int nl;        /* newlines before it (1: new line, 2+: new paragraph) */
    bool space;    /* white space before it on the same line */
    bool block;    /* wider than a line: on its own lines, wrapped */
    int x, y, w, h;
} Piece;

#define HOT_PIECES 600
#define HOT_POOL 16384

/* Hot text as the text it is: words flow in lines and every selectable span
 * is a button in that flow (Tab reaches each, Space or a tap toggles it), so
 * "From:" and the sender's address stay on one line, as in the e-mail. */
static int hottext(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, bool editable)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const dh_QuizResponse *r = s->answered ? &s->response : NULL;
    ui_TextStyle st = body_style(app);
    const char *text = ui_quiz_text(app, q, &qq->text, &st);
    static Piece pc[HOT_PIECES];
    static char pool[HOT_POOL];
    static char plain_text[HOT_POOL];
    int n = 0;
    size_t used = 0, pl = 0;
    int nl = 0;
    bool space = false;
    size_t pos = 0;
    dh_MarkupToken tok;
#define ADD(str, len, index)                                                                     \
    do {                                                                                         \
        if (n < HOT_PIECES && used + (len) + 1 <= HOT_POOL) {                                    \
            memcpy(pool + used, (str), (len));                                                   \
            pool[used + (len)] = '\0';                                                           \
            pc[n] = (Piece){used, (index), nl, space, false, 0, 0, 0, 0};                        \
            used += (len) + 1;                                                                   \
            n++;                                                                                 \
        }                                                                                        \
        nl = 0;                                                                                  \
        space = false;                                                                           \
    } while (0)
    while (dh_markup_next(text, &pos, DH_MARKUP_SPANS, &tok) == DH_MARKUP_OK) {
        if (pl + tok.text_len + 1 < HOT_POOL) { /* the whole visible text, for scripts and readers */
            memcpy(plain_text + pl, tok.text, tok.text_len);
            pl += tok.text_len;
        }
        if (tok.kind == DH_MARKUP_SPAN) {
            int idx = -1;
            for (int i = 0; i < qq->u.choice.nspans; i++)
                if (strlen(qq->u.choice.spans[i]) == tok.id_len && !memcmp(qq->u.choice.spans[i], tok.id, tok.id_len))
                    idx = i;
            ADD(tok.text, tok.text_len, idx);
            continue;
        }
        const char *t = tok.text, *e = tok.text + tok.text_len;
        while (t < e) {
            if (*t == '\n') {
                nl++;
                space = false;
                t++;
            } else if (*t == ' ' || *t == '\t') {
                space = true;
                t++;
            } else {
                const char *w0 = t;
                while (t < e && *t != ' ' && *t != '\t' && *t != '\n')
                    t++;
                ADD(w0, (size_t)(t - w0), -2);
            }
        }
    }
#undef ADD
    plain_text[pl] = '\0';
    /* layout: measure, then place line by line */
    int gap = ui_text_width(app, "a a", &st) - ui_text_width(app, "aa", &st); /* a lone space measures 0 */
    if (gap < ui_px(app, 4))
        gap = ui_px(app, 4);
    int bh = ui_button_height(app, 0), line_h = ui_text_height(app, "Ag", &st, 0);
    int cx = 0, cy = 0, lh = 0, first = 0;
    int vgap = ui_px(app, UI_SP_XS);
    for (int i = 0; i <= n; i++) {
        Piece *p = i < n ? &pc[i] : NULL;
        bool is_span = p && p->idx != -2;
        if (p) {
            const char *str = pool + p->off;
            if (is_span) {
                p->w = ui_button_width(app, str, 0);
                p->h = bh;
                if (p->w > w) {
                    p->block = true;
                    p->w = w;
                    p->h = ui_checkbox_height(app, str, w);
                }
            } else {
                p->w = ui_text_width(app, str, &st);
                p->h = line_h;
                if (p->w > w) {
                    p->block = true;
                    p->w = w;
                    p->h = ui_text_height(app, str, &st, w);
                }
            }
        }
        int sep = p && p->space ? gap : is_span || (i > 0 && pc[i - 1].idx != -2) ? ui_px(app, 4) : 0;
        bool wrap = !p || p->nl > 0 || p->block || (cx > 0 && cx + sep + p->w > w) || (i > 0 && pc[i - 1].block);
        if (wrap && i > first) { /* close the line: centre its pieces vertically */
            for (int k = first; k < i; k++)
                pc[k].y = cy + (lh - pc[k].h) / 2;
            cy += lh + vgap;
            if (p && p->nl > 1)
                cy += line_h / 2;
            cx = 0;
            lh = 0;
            first = i;
        }
        if (!p)
            break;
        p->x = cx > 0 ? cx + sep : 0;
        cx = p->x + p->w;
        lh = p->h > lh ? p->h : lh;
    }
    int height = cy > vgap ? cy - vgap : cy;
    /* draw */
    ui_note_text(app, plain_text);
    int span = 0;
    for (int i = 0; i < n; i++) {
        Piece *p = &pc[i];
        const char *str = pool + p->off;
        if (p->idx == -2) {
            ui_label(app, str, &st, x + p->x, y + p->y, p->block ? w : 0);
            continue;
        }
        char key[32];
        ui_keyf(key, sizeof key, "quiz.span.%d", span);
        bool on = has_item(r, p->idx);
        bool hit;
        if (p->block) {
            bool v = on;
            hit = ui_checkbox(app, key, str, &v, (SDL_Rect){x + p->x, y + p->y, p->w, p->h}, editable ? 0 : UI_DISABLED);
        } else {
            hit = ui_button(app, key, str, (SDL_Rect){x + p->x, y + p->y, p->w, p->h},
                            (on ? UI_SELECTED : 0) | (editable ? 0 : UI_DISABLED));
        }
        if (hit && editable && p->idx >= 0)
            toggle_item(app, q, slot, DH_QUESTION_HOTTEXT, p->idx);
        if (q->focus_first && span == 0 && editable) {
            ui_focus(app, key);
            q->focus_first = false;
        }
        span++;
    }
    return height;
}

static int gapselect(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, bool editable)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const dh_QuizResponse *r = s->answered ? &s->response : NULL;
    int ng = qq->u.gapselect.ngaps;
    ui_TextStyle st = body_style(app);
    st.line_spacing = 1.7f;
    const char *text = ui_quiz_text(app, q, &qq->text, &st);
    /* the text with each gap shown as [n: word] or [n: ______] */
    char out[4096];
    size_t o = 0, pos = 0;
    dh_MarkupToken tok;
    int gap = 0;
    out[0] = '\0';
    while (o < sizeof out - 1 && dh_markup_next(text, &pos, DH_MARKUP_GAPS, &tok) == DH_MARKUP_OK) {
        if (tok.kind == DH_MARKUP_TEXT) {
            o += (size_t)snprintf(out + o, sizeof out - o, "%.*s", (int)tok.text_len, tok.text);
        } else {
            int c = r && r->nitems == ng && gap < ng ? r->items[gap] : -1;
            const char *word = c >= 0 ? ui_quiz_text(app, q, &qq->u.gapselect.choices[c].text, NULL) : "______";
            o += (size_t)snprintf(out + o, sizeof out - o, " [%d: %s] ", gap + 1, word);
            gap++;
        }
        if (o >= sizeof out)
            o = sizeof out - 1;
    }
    int y0 = y;
    y += ui_label(app, out, &st, x, y, w) + ui_px(app, UI_SP_M);
    if (!editable)
        return y - y0;
    for (int g = 0; g < ng; g++) {
        int group = qq->u.gapselect.choices[qq->u.gapselect.gaps[g]].group;
        const char *labels[DH_QUIZ_MAX_ITEMS];
        int idx[DH_QUIZ_MAX_ITEMS], n = 0, sel = -1;
        int cur = r && r->nitems == ng ? r->items[g] : -1;
        for (int i = 0; i < qq->u.gapselect.nchoices && n < DH_QUIZ_MAX_ITEMS; i++) {
            int c = shown(s, i);
            if (qq->u.gapselect.choices[c].group != group)
                continue;
            if (c == cur)
                sel = n;
            idx[n] = c;
            labels[n++] = ui_quiz_text(app, q, &qq->u.gapselect.choices[c].text, NULL);
        }
        char head[64], prefix[32];
        ui_trf(app, head, sizeof head, "quiz.gap", g + 1);
        ui_TextStyle hs = ui_style(app, UI_FONT_BODY, app->theme.text_muted, UI_TEXT_STRONG);
        y += ui_label(app, head, &hs, x, y, w) + ui_px(app, UI_SP_XS);
        ui_keyf(prefix, sizeof prefix, "quiz.gap.%d", g);
        int act = -1;
        y += ui_button_flow(app, prefix, labels, n, sel, x, y, w, 0, &act) + ui_px(app, UI_SP_M);
        if (act >= 0)
            set_entry(app, q, slot, DH_QUESTION_GAPSELECT, ng, g, idx[act] == cur ? -1 : idx[act]);
        if (q->focus_first && g == 0) {
            char key[40];
            ui_focus(app, ui_keyf(key, sizeof key, "%s.0", prefix));
            q->focus_first = false;
        }
    }
    return y - y0;
}

/* ---- hotspot ------------------------------------------------------------------------------ */

static void marker(ui_App *app, int cx, int cy, SDL_Color c)
{
    int r = ui_px(app, 12);
    ui_disc(app, cx, cy, r + ui_px(app, 2), (SDL_Color){255, 255, 255, 255});
    ui_disc(app, cx, cy, r, c);
    ui_disc(app, cx, cy, ui_px(app, 4), (SDL_Color){255, 255, 255, 255});
}

static void outline_region(ui_App *app, const dh_Region *rg, SDL_Rect ir, double sx, double sy, SDL_Color c)
{
    SDL_SetRenderDrawColor(app->renderer, c.r, c.g, c.b, 255);
    int th = ui_px(app, 3);
    if (rg->shape == DH_REGION_RECT && rg->ncoords >= 4) {
        SDL_Rect r = {ir.x + (int)(rg->coords[0] * sx), ir.y + (int)(rg->coords[1] * sy), (int)(rg->coords[2] * sx),
                      (int)(rg->coords[3] * sy)};
        for (int k = 0; k < th; k++) {
            SDL_Rect rr = {r.x - k, r.y - k, r.w + 2 * k, r.h + 2 * k};
            SDL_RenderDrawRect(app->renderer, &rr);
        }
    } else if (rg->shape == DH_REGION_CIRCLE && rg->ncoords >= 3) {
        for (int k = 0; k < 72; k++) {
            double a0 = k * 3.14159265358979 / 36, a1 = (k + 1) * 3.14159265358979 / 36;
            for (int d = 0; d < th; d++) {
                double rr = rg->coords[2] + d / sx;
                SDL_RenderDrawLine(app->renderer, ir.x + (int)((rg->coords[0] + rr * cos(a0)) * sx),
                                   ir.y + (int)((rg->coords[1] + rr * sin(a0)) * sy),
                                   ir.x + (int)((rg->coords[0] + rr * cos(a1)) * sx),
                                   ir.y + (int)((rg->coords[1] + rr * sin(a1)) * sy));
            }
        }
    } else if (rg->shape == DH_REGION_POLYGON) {
        int n = rg->ncoords / 2;
        for (int k = 0; k < n; k++) {
            int j = (k + 1) % n;
            SDL_RenderDrawLine(app->renderer, ir.x + (int)(rg->coords[2 * k] * sx), ir.y + (int)(rg->coords[2 * k + 1] * sy),
                               ir.x + (int)(rg->coords[2 * j] * sx), ir.y + (int)(rg->coords[2 * j + 1] * sy));
        }
    }
}

/* Place a marker at image point (ix, iy), or remove the one already there. */
static void hotspot_click(ui_App *app, ui_Quiz *q, int slot, double ix, double iy, double near)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    double pts[2 * DH_QUIZ_MAX_ITEMS];
    int n = 0;
    bool removed = false;
    for (int i = 0; s->answered && i < s->response.nclicks && n < DH_QUIZ_MAX_ITEMS; i++) {
        double x = s->response.clicks[2 * i], y = s->response.clicks[2 * i + 1];
        if (!removed && hypot(x - ix, y - iy) <= near) {
            removed = true;
            continue;
        }
        pts[2 * n] = x;
        pts[2 * n + 1] = y;
        n++;
    }
    int max = qq->u.hotspot.max_clicks > 0 ? qq->u.hotspot.max_clicks : DH_QUIZ_MAX_ITEMS;
    if (!removed) {
        if (n >= max || n >= DH_QUIZ_MAX_ITEMS)
            return;
        if (ix < 0 || iy < 0 || ix > qq->u.hotspot.width || iy > qq->u.hotspot.height)
            return;
        pts[2 * n] = round(ix);
        pts[2 * n + 1] = round(iy);
        n++;
    }
    dh_QuizResponse r;
    memset(&r, 0, sizeof r);
    r.type = DH_QUESTION_HOTSPOT;
    r.clicks = pts;
    r.nclicks = n;
    r.unit = -1;
    ui_quiz_answer(app, q, slot, n ? &r : NULL);
}

static int hotspot(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, int view_h, bool editable,
                   unsigned review)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const ui_Theme *t = &app->theme;
    int y0 = y;
    int iw = qq->u.hotspot.width, ih = qq->u.hotspot.height;
    int pw = 0, ph = 0;
    SDL_Texture *tex = qq->image ? image(app, q, qq->image, &pw, &ph) : NULL;
    int max_h = view_h * 4 / 5 > ui_px(app, 240) ? view_h * 4 / 5 : ui_px(app, 240);
    SDL_Rect ir = fit(x, y, w, max_h, iw, ih);
    const char *alt = ui_quiz_text(app, q, &qq->alt, NULL);
    bool focused = ui_has_focus(app, "quiz.image");
    if (ui_card(app, editable ? "quiz.image" : NULL, alt[0] ? alt : ui_tr(app, "quiz.image"), ir, 0) && editable) {
        double sx = (double)iw / ir.w, sy = (double)ih / ir.h;
        if (app->widgets->focus_visible) /* Space / Return: at the crosshair */
            hotspot_click(app, q, slot, q->cross_x, q->cross_y, ui_px(app, 16) * sx);
        else
            hotspot_click(app, q, slot, (app->widgets->down_x - ir.x) * sx, (app->widgets->down_y - ir.y) * sy,
                          ui_px(app, 16) * sx);
    }
    if (tex)
        SDL_RenderCopy(app->renderer, tex, NULL, &ir);
    else
        { ui_TextStyle as = body_style(app); ui_label(app, alt, &as, ir.x, ir.y, ir.w); }
    ui_note_text(app, alt);
    double sx = (double)ir.w / iw, sy = (double)ir.h / ih;
    if (review & DH_REVIEW_RIGHT_ANSWER)
        for (int i = 0; i < qq->u.hotspot.nregions; i++)
            if (qq->u.hotspot.regions[i].fraction > 0)
                outline_region(app, &qq->u.hotspot.regions[i], ir, sx, sy, t->success);
    for (int i = 0; s->answered && i < s->response.nclicks; i++)
        marker(app, ir.x + (int)(s->response.clicks[2 * i] * sx), ir.y + (int)(s->response.clicks[2 * i + 1] * sy),
               t->accent);
    if (editable && focused && app->widgets->focus_visible) {
        /* the keyboard crosshair */
        int step = iw / 40 > 1 ? iw / 40 : 1, stepy = ih / 30 > 1 ? ih / 30 : 1;
        if (ui_key_pressed(app, SDLK_LEFT)) q->cross_x = fmax(0, q->cross_x - step);
        if (ui_key_pressed(app, SDLK_RIGHT)) q->cross_x = fmin(iw, q->cross_x + step);
        if (ui_key_pressed(app, SDLK_UP)) q->cross_y = fmax(0, q->cross_y - stepy);
        if (ui_key_pressed(app, SDLK_DOWN)) q->cross_y = fmin(ih, q->cross_y + stepy);
        int cx = ir.x + (int)(q->cross_x * sx), cy = ir.y + (int)(q->cross_y * sy), len = ui_px(app, 18);
        int th = ui_px(app, 2);
        ui_fill(app, (SDL_Rect){cx - len, cy - th / 2 - 1, 2 * len, th + 2}, (SDL_Color){255, 255, 255, 255});
        ui_fill(app, (SDL_Rect){cx - th / 2 - 1, cy - len, th + 2, 2 * len}, (SDL_Color){255, 255, 255, 255});
        ui_fill(app, (SDL_Rect){cx - len, cy - th / 2, 2 * len, th}, t->danger);
        ui_fill(app, (SDL_Rect){cx - th / 2, cy - len, th, 2 * len}, t->danger);
        ui_app_invalidate(app);
    }
    y = ir.y + ir.h + ui_px(app, UI_SP_S);
    ui_TextStyle ms = ui_style(app, UI_FONT_SMALL + 1, t->text_muted, 0);
    char line[300];
    int max = qq->u.hotspot.max_clicks > 0 ? qq->u.hotspot.max_clicks : DH_QUIZ_MAX_ITEMS;
    ui_trf(app, line, sizeof line, "quiz.markers", s->answered ? s->response.nclicks : 0, max);
    y += ui_label(app, line, &ms, x, y, w) + ui_px(app, UI_SP_XS);
    if (editable) {
        y += ui_label(app, ui_tr(app, "quiz.hotspot_keys"), &ms, x, y, w) + ui_px(app, UI_SP_S);
        if (q->focus_first) {
            ui_focus(app, "quiz.image");
            q->focus_first = false;
        }
        /* each marker can be removed without aiming at it */
        const char *labels[DH_QUIZ_MAX_ITEMS];
        char names[DH_QUIZ_MAX_ITEMS][64];
        int n = s->answered ? s->response.nclicks : 0;
        for (int i = 0; i < n && i < DH_QUIZ_MAX_ITEMS; i++) {
            ui_trf(app, names[i], sizeof names[i], "quiz.remove_marker", i + 1);
            labels[i] = names[i];
        }
        int act = -1;
        if (n)
            y += ui_button_flow(app, "quiz.marker", labels, n, -1, x, y, w, UI_SMALL, &act);
        if (act >= 0)
            hotspot_click(app, q, slot, s->response.clicks[2 * act], s->response.clicks[2 * act + 1], 0.01);
    }
    return y - y0;
}

/* ---- the whole question ------------------------------------------------------------------- */

int ui_quiz_draw_response(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, int view_h, bool editable)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    if (editable)
        ui_quiz_edit_begin(q, slot);
    int y0 = y;
    bool inline_text = qq->type == DH_QUESTION_HOTTEXT || qq->type == DH_QUESTION_GAPSELECT;
    if (!inline_text)
        y += stem(app, q, qq, x, y, w) + ui_px(app, UI_SP_L);
    else if (qq->type == DH_QUESTION_HOTTEXT) {
        ui_TextStyle hs = ui_style(app, UI_FONT_SMALL + 1, app->theme.text_muted, UI_TEXT_STRONG);
        y += ui_label(app, ui_tr(app, "quiz.hottext_hint"), &hs, x, y, w) + ui_px(app, UI_SP_M);
    }
    if (qq->image && qq->type != DH_QUESTION_HOTSPOT) {
        int pw = 0, ph = 0;
        SDL_Texture *tex = image(app, q, qq->image, &pw, &ph);
        if (tex) {
            SDL_Rect ir = fit(x, y, w, view_h / 2, pw, ph);
            SDL_RenderCopy(app->renderer, tex, NULL, &ir);
            ui_note_text(app, ui_quiz_text(app, q, &qq->alt, NULL));
            y += ir.h + ui_px(app, UI_SP_L);
        }
    }
    unsigned review = dh_quiz_attempt_review(q->a, slot);
    switch (qq->type) {
    case DH_QUESTION_SINGLE: y += choices(app, q, slot, x, y, w, editable, false); break;
    case DH_QUESTION_MULTIPLE: y += choices(app, q, slot, x, y, w, editable, true); break;
    case DH_QUESTION_TRUEFALSE: y += truefalse(app, q, slot, x, y, w, editable); break;
    case DH_QUESTION_SHORT: y += short_answer(app, q, slot, x, y, w, editable); break;
    case DH_QUESTION_NUMERIC: y += numeric(app, q, slot, x, y, w, editable); break;
    case DH_QUESTION_MATCHING: y += matching(app, q, slot, x, y, w, editable); break;
    case DH_QUESTION_ORDERING: y += ordering(app, q, slot, x, y, w, editable); break;
    case DH_QUESTION_GAPSELECT: y += gapselect(app, q, slot, x, y, w, editable); break;
    case DH_QUESTION_HOTTEXT: y += hottext(app, q, slot, x, y, w, editable); break;
    case DH_QUESTION_HOTSPOT: y += hotspot(app, q, slot, x, y, w, view_h, editable, review); break;
    case DH_QUESTION_DESCRIPTION: break;
    }
    return y - y0;
}

/* ---- feedback ------------------------------------------------------------------------------- */

/* The right response in words. */
static void right_answer(const ui_App *app, const ui_Quiz *q, const dh_Question *qq, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
#define PUT(...)                                                                                             \
    do {                                                                                                     \
        if (o < size)                                                                                        \
            o += (size_t)snprintf(out + o, size - o, __VA_ARGS__);                                          \
    } while (0)
    switch (qq->type) {
    case DH_QUESTION_SINGLE:
    case DH_QUESTION_MULTIPLE: {
        double best = 0;
        for (int i = 0; i < qq->u.choice.nchoices; i++)
            if (qq->u.choice.choices[i].fraction > best)
                best = qq->u.choice.choices[i].fraction;
        for (int i = 0; i < qq->u.choice.nchoices; i++) {
            double f = qq->u.choice.choices[i].fraction;
            if (qq->type == DH_QUESTION_SINGLE ? f >= best - 1e-9 && f > 0 : f > 0)
                PUT("%s%s", o ? "\n" : "", ui_quiz_text(app, q, &qq->u.choice.choices[i].text, NULL));
        }
        break;
    }
    case DH_QUESTION_HOTTEXT: {
        size_t pos = 0;
        dh_MarkupToken tok;
        const char *text = ui_quiz_text(app, q, &qq->text, NULL);
        while (dh_markup_next(text, &pos, DH_MARKUP_SPANS, &tok) == DH_MARKUP_OK)
            if (tok.kind == DH_MARKUP_SPAN)
                for (int i = 0; i < qq->u.choice.nchoices; i++)
                    if (qq->u.choice.choices[i].fraction > 0 && strlen(qq->u.choice.choices[i].id) == tok.id_len &&
                        !memcmp(qq->u.choice.choices[i].id, tok.id, tok.id_len))
                        PUT("%s%.*s", o ? "\n" : "", (int)tok.text_len, tok.text);
        break;
    }
    case DH_QUESTION_TRUEFALSE:
        PUT("%s", ui_tr(app, qq->u.truefalse.correct ? "quiz.true" : "quiz.false"));
        break;
    case DH_QUESTION_SHORT:
        for (int i = 0; i < qq->u.shortans.nanswers; i++)
            if (qq->u.shortans.answers[i].fraction >= 1 - 1e-9) {
                PUT("%s", ui_quiz_text(app, q, &qq->u.shortans.answers[i].pattern, NULL));
                break;
            }
        break;
    case DH_QUESTION_NUMERIC:
        for (int i = 0; i < qq->u.numeric.nanswers; i++)
            if (qq->u.numeric.answers[i].fraction >= 1 - 1e-9) {
                const dh_NumericAnswer *na = &qq->u.numeric.answers[i];
                PUT("%.15g", na->value);
                if (na->tolerance > 0)
                    PUT(" ± %.15g", na->tolerance);
                if (qq->u.numeric.nunits > 0)
                    PUT(" %s", qq->u.numeric.units[0].name);
                break;
            }
        break;
    case DH_QUESTION_MATCHING:
        for (int p = 0; p < qq->u.matching.nprompts; p++)
            PUT("%s%s → %s", o ? "\n" : "", ui_quiz_text(app, q, &qq->u.matching.prompts[p].text, NULL),
                ui_quiz_text(app, q, &qq->u.matching.answers[qq->u.matching.prompts[p].answer].text, NULL));
        break;
    case DH_QUESTION_ORDERING:
        for (int i = 0; i < qq->u.ordering.nitems; i++)
            PUT("%s%d. %s", o ? "\n" : "", i + 1, ui_quiz_text(app, q, &qq->u.ordering.items[i].text, NULL));
        break;
    case DH_QUESTION_GAPSELECT:
        for (int g = 0; g < qq->u.gapselect.ngaps; g++)
            PUT("%s[%d] %s", o ? "\n" : "", g + 1,
                ui_quiz_text(app, q, &qq->u.gapselect.choices[qq->u.gapselect.gaps[g]].text, NULL));
        break;
    case DH_QUESTION_HOTSPOT:
        PUT("%s", ui_tr(app, "quiz.hotspot_right"));
        break;
    case DH_QUESTION_DESCRIPTION:
        break;
    }
#undef PUT
}

static const char *state_word(const ui_App *app, dh_QuestionState s)
{
    switch (s) {
    case DH_QSTATE_RIGHT: return ui_tr(app, "quiz.state_right");
    case DH_QSTATE_PARTIAL: return ui_tr(app, "quiz.state_partial");
    case DH_QSTATE_WRONG: return ui_tr(app, "quiz.state_wrong");
    case DH_QSTATE_ANSWERED: return ui_tr(app, "quiz.state_answered");
    case DH_QSTATE_UNANSWERED: break;
    }
    return ui_tr(app, "quiz.state_unanswered");
}

int ui_quiz_draw_feedback(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, unsigned review)
{
    const dh_QuizSlot *s = &q->a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    const ui_Theme *t = &app->theme;
    if (qq->type == DH_QUESTION_DESCRIPTION || !review)
        return 0;
    bool graded = s->state >= DH_QSTATE_WRONG;
    char buf[6000];
    size_t o = 0;
    buf[0] = '\0';
    if ((review & DH_REVIEW_CORRECTNESS) && graded)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "**%s**", state_word(app, s->state));
    if ((review & DH_REVIEW_MARKS) && graded && o < sizeof buf) {
        char m[32], p[32], line[160];
        ui_quiz_marks(m, sizeof m, s->mark);
        ui_quiz_marks(p, sizeof p, qq->points);
        ui_trf(app, line, sizeof line, "quiz.mark_of", m, p);
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? "  ·  " : "", line);
    }
    const dh_Text *fb[DH_QUIZ_MAX_ITEMS];
    int nfb = 0;
    if ((review & DH_REVIEW_FEEDBACK) && s->answered)
        nfb = dh_quiz_response_feedback(qq, &s->response, app->lang, fb, DH_QUIZ_MAX_ITEMS);
    for (int i = 0; i < nfb && i < DH_QUIZ_MAX_ITEMS && o < sizeof buf; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? "\n\n" : "", ui_quiz_text(app, q, fb[i], NULL));
    if ((review & DH_REVIEW_GENERAL_FEEDBACK) && qq->general_feedback.count && o < sizeof buf)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? "\n\n" : "",
                              ui_quiz_text(app, q, &qq->general_feedback, NULL));
    if ((review & DH_REVIEW_RIGHT_ANSWER) && o < sizeof buf) {
        char ra[3000];
        right_answer(app, q, qq, ra, sizeof ra);
        if (ra[0])
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s**%s**\n%s", o ? "\n\n" : "",
                                  ui_tr(app, "quiz.right_answer"), ra);
    }
    if (!buf[0])
        return 0;
    SDL_Color edge = s->state == DH_QSTATE_RIGHT    ? t->success
                     : s->state == DH_QSTATE_PARTIAL ? t->warning
                     : s->state == DH_QSTATE_WRONG   ? t->danger
                                                     : t->border;
    if (!(review & DH_REVIEW_CORRECTNESS))
        edge = t->border;
    ui_TextStyle st = body_style(app);
    st.markup = true;
    int pad = ui_px(app, UI_SP_M), bar = ui_px(app, 5);
    int th = ui_text_height(app, buf, &st, w - 2 * pad - bar);
    int h = th + 2 * pad;
    ui_round_rect(app, (SDL_Rect){x, y, w, h}, ui_px(app, UI_RADIUS), t->high_contrast ? t->bg : t->surface, edge);
    ui_fill(app, (SDL_Rect){x, y, bar, h}, edge);
    ui_label(app, buf, &st, x + bar + pad, y + pad, w - 2 * pad - bar);
    return h;
}
