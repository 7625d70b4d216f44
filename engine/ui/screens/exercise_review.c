/* exercise_review: the briefing before an exercise and the review after it.
 *
 * Both are pages to read, so they use the reading column the lessons use.
 * The briefing says what the exercise is, how long it takes, how its clock
 * runs and what it trains, then offers one clear way in: Start, Continue
 * (a run is paused) or Play again; earlier runs are listed with their
 * ending and score, each opening its review again. The after-action review
 * follows the order of a real debrief: what happened (the ending), how it
 * went (score against the mastery score, per objective), what was expected
 * and whether it was done, with the debrief text of each, the timeline of
 * injects and decisions, the cues that were missed, the lessons, and the
 * questions to discuss.
 */
#include "exercise_impl.h"

#include "reading.h"
#include "widgets.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct Page {
    ui_App *app;
    ui_Exercise *e;
    int x, w;
} Page;

static ui_TextStyle body(const ui_App *app, SDL_Color c)
{
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, c, 0);
    st.line_spacing = 1.55f;
    return st;
}

static int heading(const Page *k, const char *s, int y)
{
    ui_TextStyle st = ui_style(k->app, UI_FONT_TITLE - 2, k->app->theme.text, UI_TEXT_STRONG);
    st.line_spacing = 1.3f;
    return ui_label(k->app, s, &st, k->x, y, k->w) + ui_px(k->app, UI_SP_S);
}

static int ctext(const Page *k, const dh_Text *t, ui_TextStyle st, int x, int y, int w)
{
    if (!t->count)
        return 0;
    const char *s = ui_exercise_text(k->app, k->e, t, &st);
    return s[0] ? ui_label(k->app, s, &st, x, y, w) : 0;
}

static int percent(double x)
{
    return (int)lround(x * 100);
}

static SDL_Color outcome_color(const ui_App *app, dh_Outcome o)
{
    return o == DH_OUTCOME_SUCCESS ? app->theme.success : o == DH_OUTCOME_PARTIAL ? app->theme.warning : app->theme.danger;
}

static const char *outcome_word(const ui_App *app, dh_Outcome o)
{
    return ui_tr(app, o == DH_OUTCOME_SUCCESS   ? "exercise.outcome_success"
                      : o == DH_OUTCOME_PARTIAL ? "exercise.outcome_partial"
                                                : "exercise.outcome_failure");
}

static int notice_box(const Page *k, const char *s, SDL_Color fg, SDL_Color bg, int y)
{
    ui_TextStyle st = ui_style(k->app, UI_FONT_BODY, fg, UI_TEXT_STRONG);
    int pad = ui_px(k->app, 12);
    int h = ui_text_height(k->app, s, &st, k->w - 2 * pad) + 2 * pad;
    ui_round_rect(k->app, (SDL_Rect){k->x, y, k->w, h}, ui_px(k->app, UI_RADIUS), bg, fg);
    ui_label(k->app, s, &st, k->x + pad, y + pad, k->w - 2 * pad);
    return h + ui_px(k->app, UI_SP_M);
}

/* ---- briefing ------------------------------------------------------------------------ */

/* "About 15 min · scenario time runs 2 times as fast as real time". */
static void facts(ui_App *app, const dh_Scenario *s, char *buf, size_t size)
{
    char len[120] = "", clock[300] = "";
    const dh_ScClock *ck = &s->clock;
    if (ck->mode == DH_CLOCK_SCALED) {
        if (ck->limit_s > 0 && ck->speed > 0) {
            int min = (int)lround((double)ck->limit_s / ck->speed / 60.0);
            ui_trf(app, len, sizeof len, "common.minutes", min > 0 ? min : 1);
        }
        char sp[32];
        snprintf(sp, sizeof sp, "%g", ck->speed);
        if (ck->speed != 1)
            ui_trf(app, clock, sizeof clock, "exercise.speed", sp);
        else
            snprintf(clock, sizeof clock, "%s", ui_tr(app, "exercise.real_time"));
    } else {
        long m = ck->turn_s / 60;
        ui_trf(app, clock, sizeof clock, "exercise.turns", (int)(m > 0 ? m : 1));
    }
    snprintf(buf, size, "%s%s%s", len, len[0] ? "  ·  " : "", clock);
}

void ui_exercise_draw_briefing(ui_App *app, ui_Exercise *e, int y0)
{
    const ui_Theme *t = &app->theme;
    const dh_Scenario *s = e->s;
    SDL_Rect col = ui_reading_column(app, ui_content(app, y0));
    Page k = {app, e, col.x + ui_px(app, UI_SP_L), col.w - 2 * ui_px(app, UI_SP_L)};
    /* one clear way in, always in view at the bottom: Start, Continue or Play again */
    const char *go;
    char paused[200] = "";
    if (e->saved_run) {
        char ck[32];
        ui_exercise_clock_text(e->saved_now_s, ck, sizeof ck);
        ui_trf(app, paused, sizeof paused, "exercise.paused_at", ck);
        go = ui_tr(app, "exercise.continue");
    } else {
        go = ui_tr(app, e->nruns > 0 ? "exercise.play_again" : "exercise.start");
    }
    ui_TextStyle ps = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
    int bw = ui_button_width(app, go, UI_PRIMARY);
    if (bw < ui_px(app, 200))
        bw = ui_px(app, 200);
    if (bw > k.w)
        bw = k.w;
    int bh = ui_button_height(app, UI_PRIMARY), bpad = ui_px(app, 12);
    bool beside = paused[0] && ui_text_width(app, paused, &ps) + bw + ui_px(app, UI_SP_M) <= k.w;
    int ph = paused[0] ? ui_text_height(app, paused, &ps, beside ? k.w - bw - ui_px(app, UI_SP_M) : k.w) : 0;
    int barh = bpad + (beside || !paused[0] ? (ph > bh ? ph : bh) : ph + ui_px(app, UI_SP_S) + bh) + bpad;
    int bar_y = app->h - barh;
    SDL_Rect area = {0, y0, app->w, bar_y - y0};
    int y = ui_scroll_begin(app, "exercise.briefing", area) + ui_px(app, UI_SP_L);
    if (e->error[0])
        y += notice_box(&k, e->error, t->danger, t->danger_soft, y);
    if (e->notice[0])
        y += notice_box(&k, e->notice, t->warning, t->warning_soft, y);

    ui_TextStyle eyebrow = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
    ui_TextStyle h1 = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    h1.line_spacing = 1.25f;
    ui_TextStyle fact = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
    y += ui_label(app, ui_tr(app, "exercise.kind"), &eyebrow, k.x, y, k.w) + ui_px(app, UI_SP_XS);
    const dh_Module *m = &e->c->modules[e->module];
    const dh_Text *title = m->title.count ? &m->title : &s->title;
    y += ctext(&k, title, h1, k.x, y, k.w) + ui_px(app, UI_SP_S);
    char line[500];
    facts(app, s, line, sizeof line);
    y += ui_label(app, line, &fact, k.x, y, k.w) + ui_px(app, UI_SP_M);
    y += ctext(&k, &s->description, body(app, t->text), k.x, y, k.w) + ui_px(app, UI_SP_M);

    if (s->briefing.count) {
        y += heading(&k, ui_tr(app, "exercise.briefing"), y);
        int pad = ui_px(app, UI_SP_M);
        ui_TextStyle bs = body(app, t->text);
        const char *b = ui_exercise_text(app, e, &s->briefing, &bs);
        int h = ui_text_height(app, b, &bs, k.w - 2 * pad) + 2 * pad;
        ui_round_rect(app, (SDL_Rect){k.x, y, k.w, h}, ui_px(app, UI_RADIUS),
                      t->high_contrast ? t->bg : ui_mix(t->surface, t->accent, 0.05f), t->accent_soft);
        ui_label(app, b, &bs, k.x + pad, y + pad, k.w - 2 * pad);
        y += h + ui_px(app, UI_SP_L);
    }
    if (s->nobjectives > 0) {
        y += heading(&k, ui_tr(app, "exercise.objectives"), y);
        for (int i = 0; i < s->nobjectives; i++) {
            ui_TextStyle os = body(app, t->text);
            int lh = ui_text_height(app, "Ag", &os, 0);
            ui_disc(app, k.x + ui_px(app, 8), y + lh / 2, ui_px(app, 3.5f), t->accent);
            y += ctext(&k, &s->objectives[i].text, os, k.x + ui_px(app, 24), y, k.w - ui_px(app, 24)) +
                 ui_px(app, UI_SP_XS);
        }
        y += ui_px(app, UI_SP_M);
    }

    if (e->nruns > 0) {
        y += heading(&k, ui_tr(app, "exercise.earlier_runs"), y);
        ui_TextStyle rs = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
        ui_TextStyle ms = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
        const char *open = ui_tr(app, "exercise.read_review");
        int ow = ui_button_width(app, open, UI_SMALL);
        for (int i = e->nruns - 1; i >= 0; i--) { /* newest first */
            const ui_ExRun *r = &e->runs[i];
            char head[200], sub[300];
            ui_trf(app, head, sizeof head, "exercise.run_n", r->number);
            const char *end = r->ending >= 0 ? ui_course_text(app, e->c, &s->endings[r->ending].title) : "";
            if (r->has_score)
                ui_trf(app, sub, sizeof sub, r->passed ? "exercise.run_passed" : "exercise.run_not_passed",
                       percent(r->score));
            else
                sub[0] = '\0';
            char all[600];
            snprintf(all, sizeof all, "%s%s%s", end, end[0] && sub[0] ? "  ·  " : "", sub);
            int pad = ui_px(app, 12);
            bool side = ow + ui_px(app, 200) < k.w;
            int tw = side ? k.w - 2 * pad - ow - ui_px(app, UI_SP_M) : k.w - 2 * pad;
            int th = ui_text_height(app, head, &rs, tw) + ui_text_height(app, all, &ms, tw);
            int obh = ui_button_height(app, UI_SMALL);
            int h = side ? (th > obh ? th : obh) + 2 * pad : th + obh + ui_px(app, UI_SP_S) + 2 * pad;
            ui_card(app, NULL, head, (SDL_Rect){k.x, y, k.w, h}, 0);
            int ty = y + pad;
            ty += ui_label(app, head, &rs, k.x + pad, ty, tw);
            ui_label(app, all, &ms, k.x + pad, ty, tw);
            char key[32];
            SDL_Rect br = side ? (SDL_Rect){k.x + k.w - pad - ow, y + (h - obh) / 2, ow, obh}
                               : (SDL_Rect){k.x + pad, y + pad + th + ui_px(app, UI_SP_S), ow, obh};
            if (ui_button(app, ui_keyf(key, sizeof key, "run.%d", i), open, br, UI_SMALL))
                ui_exercise_open_review(app, e, i);
            y += h + ui_px(app, UI_SP_S);
        }
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_XL));

    ui_fill(app, (SDL_Rect){0, bar_y, app->w, barh}, t->surface);
    ui_fill(app, (SDL_Rect){0, bar_y, app->w, ui_px(app, t->high_contrast ? 2 : 1)}, t->border);
    int by = bar_y + bpad;
    if (paused[0] && !beside) {
        by += ui_label(app, paused, &ps, k.x, by, k.w) + ui_px(app, UI_SP_S);
    } else if (paused[0]) {
        int rowh = ph > bh ? ph : bh;
        ui_label(app, paused, &ps, k.x + bw + ui_px(app, UI_SP_M), by + (rowh - ph) / 2, k.w - bw - ui_px(app, UI_SP_M));
        by += (rowh - bh) / 2;
    }
    ui_focus_default(app, "exercise.go");
    if (ui_button(app, "exercise.go", go, (SDL_Rect){k.x, by, bw, bh}, UI_PRIMARY))
        ui_exercise_start(app, e);
}

/* ---- review ------------------------------------------------------------------------------ */

static const char *exp_word(const ui_App *app, dh_ExpState st)
{
    switch (st) {
    case DH_EXP_MET: return ui_tr(app, "exercise.exp_met");
    case DH_EXP_PARTLY: return ui_tr(app, "exercise.exp_partly");
    case DH_EXP_MISSED: return ui_tr(app, "exercise.exp_missed");
    case DH_EXP_EXPIRED: return ui_tr(app, "exercise.exp_expired");
    case DH_EXP_INACTIVE: return ui_tr(app, "exercise.exp_inactive");
    case DH_EXP_PENDING: return ui_tr(app, "exercise.exp_pending");
    }
    return "";
}

static SDL_Color exp_color(const ui_App *app, dh_ExpState st)
{
    const ui_Theme *t = &app->theme;
    return st == DH_EXP_MET ? t->success : st == DH_EXP_PARTLY || st == DH_EXP_EXPIRED ? t->warning
                                         : st == DH_EXP_MISSED                          ? t->danger
                                                                                        : t->text_muted;
}

static int score_block(const Page *k, const dh_Review *v, int y)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    const dh_Scenario *s = v->s;
    int y0 = y;
    ui_TextStyle big = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    ui_TextStyle verdict = ui_style(app, UI_FONT_BODY, v->passed ? t->success : t->danger, UI_TEXT_STRONG);
    char buf[200];
    if (v->scored) {
        ui_trf(app, buf, sizeof buf, "exercise.score", percent(v->score));
        y += ui_label(app, buf, &big, k->x, y, k->w) + ui_px(app, UI_SP_XS);
    }
    ui_trf(app, buf, sizeof buf, v->passed ? "exercise.passed" : "exercise.not_passed", percent(v->mastery));
    y += ui_label(app, buf, &verdict, k->x, y, k->w) + ui_px(app, UI_SP_M);
    /* objectives with a bar each */
    for (int i = 0; i < v->nobjectives; i++) {
        const dh_ReviewObjective *o = &v->objectives[i];
        if (o->objective < 0 && !o->applicable)
            continue;
        ui_TextStyle os = body(app, t->text);
        ui_TextStyle ps = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
        char pc[64];
        if (o->applicable)
            snprintf(pc, sizeof pc, "%d%%", percent(o->score));
        else
            snprintf(pc, sizeof pc, "%s", ui_tr(app, "exercise.not_scored"));
        int pw = ui_text_width(app, pc, &ps);
        const char *txt = o->objective >= 0 ? ui_exercise_text(app, k->e, &s->objectives[o->objective].text, &os)
                                            : ui_tr(app, "exercise.other_expectations");
        int h = ui_label(app, txt, &os, k->x, y, k->w - pw - ui_px(app, UI_SP_M));
        ui_label(app, pc, &ps, k->x + k->w - pw, y, pw);
        y += h + ui_px(app, UI_SP_XS);
        ui_progress(app, txt, (SDL_Rect){k->x, y, k->w, ui_px(app, 8)}, o->applicable ? (float)o->score : 0.f);
        y += ui_px(app, 8) + ui_px(app, UI_SP_M);
    }
    return y - y0;
}

static int expectations(const Page *k, const dh_Review *v, int y)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    const dh_Scenario *s = v->s;
    int y0 = y;
    y += heading(k, ui_tr(app, "exercise.expectations"), y);
    for (int i = 0; i < v->nexps; i++) {
        const dh_ReviewExp *x = &v->exps[i];
        const dh_Expectation *ex = &s->expectations[x->expectation];
        const char *word = exp_word(app, x->state);
        int pw = 0, ph = 0;
        ui_pill_size(app, word, &pw, &ph);
        ui_TextStyle ts = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
        ui_TextStyle ds = body(app, t->text);
        int pad = ui_px(app, 12);
        int tw = k->w - 2 * pad;
        bool side = pw + ui_px(app, 160) < tw;
        int txw = side ? tw - pw - ui_px(app, UI_SP_S) : tw;
        const char *txt = ui_exercise_text(app, k->e, &ex->text, &ts);
        const char *deb = ex->debrief.count ? ui_exercise_text(app, k->e, &ex->debrief, &ds) : "";
        int th = ui_text_height(app, txt, &ts, txw);
        int h = pad + (side ? (th > ph ? th : ph) : ph + ui_px(app, UI_SP_XS) + th) + pad;
        if (deb[0])
            h += ui_px(app, UI_SP_XS) + ui_text_height(app, deb, &ds, tw);
        SDL_Color c = exp_color(app, x->state);
        ui_round_rect(app, (SDL_Rect){k->x, y, k->w, h}, ui_px(app, UI_RADIUS), t->surface, t->border);
        ui_fill(app, (SDL_Rect){k->x, y + ui_px(app, 4), ui_px(app, 4), h - ui_px(app, 8)}, c);
        int yy = y + pad;
        if (side) {
            ui_pill(app, word, k->x + k->w - pad - pw, yy, t->high_contrast ? t->bg : (SDL_Color){255, 255, 255, 255}, c);
            ui_label(app, txt, &ts, k->x + pad, yy, txw);
            yy += th > ph ? th : ph;
        } else {
            ui_pill(app, word, k->x + pad, yy, t->high_contrast ? t->bg : (SDL_Color){255, 255, 255, 255}, c);
            yy += ph + ui_px(app, UI_SP_XS);
            yy += ui_label(app, txt, &ts, k->x + pad, yy, txw);
        }
        if (deb[0])
            ui_label(app, deb, &ds, k->x + pad, yy + ui_px(app, UI_SP_XS), tw);
        y += h + ui_px(app, UI_SP_S);
    }
    return y - y0 + ui_px(app, UI_SP_M);
}

static int timeline(const Page *k, const dh_Review *v, int y)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    const dh_Scenario *s = v->s;
    int y0 = y;
    y += heading(k, ui_tr(app, "exercise.timeline"), y);
    ui_TextStyle ts = ui_style(app, UI_FONT_BODY, t->text_muted, UI_TEXT_STRONG);
    int tcol = ui_text_width(app, "00:00:00", &ts) + ui_px(app, UI_SP_M);
    for (int i = 0; i < v->ntimeline; i++) {
        const dh_RunEvent *ev = &v->timeline[i];
        char tm[32], line[1600], what[1200];
        ui_exercise_clock_text(ev->t, tm, sizeof tm);
        ui_TextStyle ls = body(app, t->text);
        if (ev->kind == DH_EVENT_INJECT) {
            snprintf(line, sizeof line, "%s: %s", ui_exercise_channel_word(app, s->injects[ev->index].channel),
                     ui_exercise_inject_title(app, k->e, ev->index));
        } else if (ev->kind == DH_EVENT_ACTION) {
            ls.flags |= UI_TEXT_STRONG;
            const char *lab = ui_course_text(app, k->e->c, &s->actions[ev->index].label);
            if (ev->choice >= 0)
                snprintf(what, sizeof what, "%s → %s", lab, ui_course_text(app, k->e->c, &s->actions[ev->choice].label));
            else if (ev->text)
                snprintf(what, sizeof what, "%s: “%s”", lab, ev->text);
            else
                snprintf(what, sizeof what, "%s", lab);
            ui_trf(app, line, sizeof line, "exercise.you_did", what);
            ls.color = t->accent;
        } else {
            const dh_Ending *en = ev->index >= 0 && ev->index < s->nendings ? &s->endings[ev->index] : NULL;
            ui_trf(app, line, sizeof line, "exercise.ended_with",
                   en ? ui_course_text(app, k->e->c, en->title.count ? &en->title : &en->text) : "");
        }
        ui_label(app, tm, &ts, k->x, y, tcol);
        y += ui_label(app, line, &ls, k->x + tcol, y, k->w - tcol) + ui_px(app, UI_SP_XS);
    }
    return y - y0 + ui_px(app, UI_SP_L);
}

static int cues(const Page *k, const dh_Review *v, int y)
{
    ui_App *app = k->app;
    const ui_Theme *t = &app->theme;
    const dh_Scenario *s = v->s;
    int y0 = y, n = 0;
    for (int i = 0; i < v->ncues; i++)
        n += v->cues[i].missed;
    y += heading(k, ui_tr(app, "exercise.missed_cues"), y);
    ui_TextStyle ms = body(app, t->text_muted);
    if (n == 0)
        return y - y0 + ui_label(app, ui_tr(app, "exercise.no_missed_cues"), &ms, k->x, y, k->w) + ui_px(app, UI_SP_L);
    int last = -1;
    for (int i = 0; i < v->ncues; i++) {
        const dh_ReviewCue *rc = &v->cues[i];
        if (!rc->missed)
            continue;
        if (rc->inject != last) {
            ui_TextStyle hs = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
            char h[600];
            snprintf(h, sizeof h, "%s: %s", ui_exercise_channel_word(app, s->injects[rc->inject].channel),
                     ui_exercise_inject_title(app, k->e, rc->inject));
            y += ui_label(app, h, &hs, k->x, y, k->w) + ui_px(app, UI_SP_XS);
            last = rc->inject;
        }
        const dh_Cue *cue = &s->injects[rc->inject].content.cues[rc->cue];
        ui_TextStyle cs = body(app, t->text);
        int lh = ui_text_height(app, "Ag", &cs, 0);
        ui_disc(app, k->x + ui_px(app, 8), y + lh / 2, ui_px(app, 3.5f), t->warning);
        const char *txt = cue->text.count ? ui_exercise_text(app, k->e, &cue->text, &cs) : cue->field ? cue->field : cue->id;
        y += ui_label(app, txt, &cs, k->x + ui_px(app, 24), y, k->w - ui_px(app, 24)) + ui_px(app, UI_SP_XS);
    }
    return y - y0 + ui_px(app, UI_SP_L);
}

void ui_exercise_draw_review(ui_App *app, ui_Exercise *e, int y0)
{
    const ui_Theme *t = &app->theme;
    const dh_Review *v = e->review;
    if (!v) {
        ui_exercise_draw_briefing(app, e, y0);
        return;
    }
    const dh_Scenario *s = e->s;
    SDL_Rect area = {0, y0, app->w, app->h - y0};
    SDL_Rect col = ui_reading_column(app, ui_content(app, y0));
    Page k = {app, e, col.x + ui_px(app, UI_SP_L), col.w - 2 * ui_px(app, UI_SP_L)};
    int y = ui_scroll_begin(app, "exercise.review", area) + ui_px(app, UI_SP_L);
    if (e->error[0])
        y += notice_box(&k, e->error, t->danger, t->danger_soft, y);
    ui_TextStyle eyebrow = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
    ui_TextStyle h1 = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    h1.line_spacing = 1.25f;
    y += ui_label(app, ui_tr(app, "exercise.review_title"), &eyebrow, k.x, y, k.w) + ui_px(app, UI_SP_XS);
    if (v->ending >= 0) {
        const dh_Ending *en = &s->endings[v->ending];
        SDL_Color c = outcome_color(app, en->outcome);
        int ph = 0, pw = 0;
        const char *ow = outcome_word(app, en->outcome);
        ui_pill_size(app, ow, &pw, &ph);
        if (en->title.count)
            y += ctext(&k, &en->title, h1, k.x, y, k.w) + ui_px(app, UI_SP_XS);
        ui_pill(app, ow, k.x, y, t->high_contrast ? t->bg : (SDL_Color){255, 255, 255, 255}, c);
        y += ph + ui_px(app, UI_SP_S);
        y += ctext(&k, &en->text, body(app, t->text), k.x, y, k.w) + ui_px(app, UI_SP_L);
    } else {
        const dh_Error *er = e->review_run ? dh_run_error(e->review_run) : NULL;
        char msg[700];
        ui_trf(app, msg, sizeof msg, "exercise.stopped", er && er->msg[0] ? er->msg : "");
        y += notice_box(&k, msg, t->danger, t->danger_soft, y);
    }
    y += score_block(&k, v, y);
    y += expectations(&k, v, y);
    y += timeline(&k, v, y);
    y += cues(&k, v, y);
    if (s->debrief.summary.count) {
        y += heading(&k, ui_tr(app, "exercise.lessons"), y);
        y += ctext(&k, &s->debrief.summary, body(app, t->text), k.x, y, k.w) + ui_px(app, UI_SP_L);
    }
    if (s->debrief.ndiscussion > 0) {
        y += heading(&k, ui_tr(app, "exercise.discussion"), y);
        ui_TextStyle num = ui_style(app, UI_FONT_BODY, t->text_muted, UI_TEXT_STRONG);
        for (int i = 0; i < s->debrief.ndiscussion; i++) {
            char n[16];
            snprintf(n, sizeof n, "%d.", i + 1);
            ui_label(app, n, &num, k.x, y, ui_px(app, 28));
            y += ctext(&k, &s->debrief.discussion[i], body(app, t->text), k.x + ui_px(app, 32), y,
                       k.w - ui_px(app, 32)) +
                 ui_px(app, UI_SP_S);
        }
        y += ui_px(app, UI_SP_M);
    }
    const char *bk = ui_tr(app, "exercise.back_to_briefing");
    int bw = ui_button_width(app, bk, UI_PRIMARY);
    if (bw > k.w)
        bw = k.w;
    int bh = ui_button_height(app, UI_PRIMARY);
    if (ui_button(app, "exercise.back", bk, (SDL_Rect){k.x, y, bw, bh}, UI_PRIMARY))
        ui_exercise_to_briefing(app, e);
    ui_scroll_end(app, y + bh + ui_px(app, UI_SP_XL));
}
