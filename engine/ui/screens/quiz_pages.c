/* quiz_pages: the quiz's pages around its questions.
 *
 * The start page says everything a trainee needs before committing an
 * attempt (how many questions, the time limit, the pass mark, attempts
 * allowed and used, the grade so far) and says plainly when no attempt is
 * left. The question page keeps progress and the countdown at the top and
 * Previous / Check / Next / Finish in a bar at the bottom, out of the
 * scrolled question, where the thumb expects them. Finishing asks once,
 * naming the questions still unanswered. The results page gives the score,
 * the verdict, the overall feedback and a review of every question with
 * exactly what the quiz's review options allow.
 */
#include "quiz_impl.h"

#include "alloc.h"
#include "reading.h"
#include "widgets.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PAGE "quiz.page"

static int pct(double v)
{
    return (int)lround(v * 100);
}

static SDL_Rect column(const ui_App *app, int y0, int *x, int *w)
{
    SDL_Rect col = ui_reading_column(app, ui_content(app, y0));
    *x = col.x + ui_px(app, UI_SP_L);
    *w = col.w - 2 * ui_px(app, UI_SP_L);
    return col;
}

/* A box with a coloured edge and a message. */
static int notice(ui_App *app, const char *msg, SDL_Color edge, SDL_Color fill, int x, int y, int w)
{
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, app->theme.text, UI_TEXT_STRONG);
    int pad = ui_px(app, UI_SP_M);
    int h = ui_text_height(app, msg, &st, w - 2 * pad) + 2 * pad;
    ui_round_rect(app, (SDL_Rect){x, y, w, h}, ui_px(app, UI_RADIUS), app->theme.high_contrast ? app->theme.bg : fill,
                  edge);
    ui_label(app, msg, &st, x + pad, y + pad, w - 2 * pad);
    return h;
}

static int error_box(ui_App *app, ui_Quiz *q, int x, int y, int w)
{
    if (!q->error[0])
        return 0;
    return notice(app, q->error, app->theme.danger, app->theme.danger_soft, x, y, w) + ui_px(app, UI_SP_M);
}

static int button(ui_App *app, const char *key, const char *label, int x, int y, int w, unsigned flags, bool *hit)
{
    int bw = ui_button_width(app, label, flags);
    if (bw < ui_px(app, 180))
        bw = ui_px(app, 180);
    if (bw > w)
        bw = w;
    int bh = ui_button_height(app, flags);
    *hit = ui_button(app, key, label, (SDL_Rect){x, y, bw, bh}, flags);
    return bh;
}

/* ---- start page ------------------------------------------------------------------------- */

static void unavailable(ui_App *app, int y0)
{
    int x, w;
    SDL_Rect col = column(app, y0, &x, &w);
    ui_TextStyle b = ui_style(app, UI_FONT_BODY, app->theme.text, 0);
    int y = col.y + ui_px(app, UI_SP_L);
    y += ui_label(app, ui_tr(app, "placeholder.unavailable"), &b, x, y, w) + ui_px(app, UI_SP_L);
    bool hit;
    button(app, "back", ui_tr(app, "lesson.back_to_course"), x, y, w, UI_PRIMARY, &hit);
    if (hit)
        ui_app_pop(app);
}

void ui_quiz_draw_start(ui_App *app, ui_Quiz *q, int y0)
{
    if (!q->quiz) {
        unavailable(app, y0);
        return;
    }
    const ui_Theme *t = &app->theme;
    const dh_Quiz *qz = q->quiz;
    int x, w;
    column(app, y0, &x, &w);
    SDL_Rect area = {0, y0, app->w, app->h - y0};
    int y = ui_scroll_begin(app, PAGE, area) + ui_px(app, UI_SP_L);
    y += error_box(app, q, x, y, w);
    ui_TextStyle eyebrow = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
    ui_TextStyle h1 = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    body.markup = true;
    body.line_spacing = 1.55f;
    ui_TextStyle fact = ui_style(app, UI_FONT_BODY, t->text, 0);
    ui_TextStyle facth = ui_style(app, UI_FONT_BODY, t->text_muted, UI_TEXT_STRONG);
    y += ui_label(app, ui_tr(app, "quiz.eyebrow"), &eyebrow, x, y, w) + ui_px(app, UI_SP_XS);
    const char *title = ui_course_text(app, q->c, &q->c->modules[q->module].title);
    y += ui_label(app, title, &h1, x, y, w) + ui_px(app, UI_SP_M);
    if (qz->intro.count) {
        ui_TextStyle is = body;
        y += ui_label(app, ui_quiz_text(app, q, &qz->intro, &is), &is, x, y, w) + ui_px(app, UI_SP_L);
    }
    /* the rules, as a two-column list of facts */
    char v[6][200];
    const char *k[6];
    int n = 0;
    /* descriptions (only ever in fixed sections) are read, not answered */
    int asked = qz->slots;
    for (int i = 0; i < qz->nsections; i++)
        for (int j = 0; !qz->sections[i].draw && j < qz->sections[i].nquestions; j++)
            asked -= qz->questions[qz->sections[i].questions[j]].type == DH_QUESTION_DESCRIPTION;
    k[n] = ui_tr(app, "quiz.fact_questions");
    snprintf(v[n++], sizeof v[0], "%d", asked);
    k[n] = ui_tr(app, "quiz.fact_time");
    if (qz->settings.time_limit_s > 0) {
        int min = (qz->settings.time_limit_s + 59) / 60;
        ui_trf(app, v[n++], sizeof v[0], "quiz.minutes", min);
    } else {
        snprintf(v[n++], sizeof v[0], "%s", ui_tr(app, "quiz.no_time_limit"));
    }
    k[n] = ui_tr(app, "quiz.fact_pass");
    if (qz->settings.pass > 0)
        ui_trf(app, v[n++], sizeof v[0], "quiz.percent", pct(qz->settings.pass));
    else
        snprintf(v[n++], sizeof v[0], "%s", ui_tr(app, "quiz.no_pass_mark"));
    k[n] = ui_tr(app, "quiz.fact_attempts");
    if (qz->settings.attempts > 0)
        ui_trf(app, v[n++], sizeof v[0], "quiz.attempts_used", q->npast, qz->settings.attempts);
    else
        ui_trf(app, v[n++], sizeof v[0], "quiz.attempts_unlimited", q->npast);
    k[n] = ui_tr(app, "quiz.fact_grade_method");
    const char *gm[] = {"quiz.grade_highest", "quiz.grade_average", "quiz.grade_first", "quiz.grade_last"};
    snprintf(v[n++], sizeof v[0], "%s", ui_tr(app, gm[qz->settings.grade_method]));
    if (q->has_grade) {
        k[n] = ui_tr(app, "quiz.fact_grade");
        ui_trf(app, v[n++], sizeof v[0], "quiz.grade_value", pct(q->grade),
               ui_tr(app, dh_quiz_passes(qz, q->grade) ? "quiz.passed" : "quiz.not_passed"));
    }
    int kw = 0;
    for (int i = 0; i < n; i++) {
        int tw = ui_text_width(app, k[i], &facth);
        kw = tw > kw ? tw : kw;
    }
    bool two = kw + ui_px(app, UI_SP_L) <= w / 2;
    for (int i = 0; i < n; i++) {
        if (two) {
            int h1h = ui_label(app, k[i], &facth, x, y, kw + 1);
            int h2 = ui_label(app, v[i], &fact, x + kw + ui_px(app, UI_SP_L), y, w - kw - ui_px(app, UI_SP_L));
            y += (h1h > h2 ? h1h : h2) + ui_px(app, UI_SP_XS);
        } else {
            y += ui_label(app, k[i], &facth, x, y, w);
            y += ui_label(app, v[i], &fact, x, y, w) + ui_px(app, UI_SP_S);
        }
    }
    y += ui_px(app, UI_SP_L);
    if (q->resume_failed)
        y += notice(app, ui_tr(app, "quiz.resume_failed"), t->warning, t->warning_soft, x, y, w) + ui_px(app, UI_SP_M);
    bool hit = false;
    if (q->in_progress) {
        y += notice(app, ui_tr(app, "quiz.in_progress_note"), t->accent, t->accent_soft, x, y, w) +
             ui_px(app, UI_SP_M);
        y += button(app, "quiz.continue", ui_tr(app, "quiz.continue"), x, y, w, UI_PRIMARY, &hit);
        if (hit)
            ui_quiz_continue(app, q);
    } else if (ui_quiz_may_start(q)) {
        char label[120];
        if (q->npast == 0)
            snprintf(label, sizeof label, "%s", ui_tr(app, "quiz.start"));
        else
            ui_trf(app, label, sizeof label, "quiz.retry", q->npast + 1);
        y += button(app, "quiz.start", label, x, y, w, UI_PRIMARY, &hit);
        if (hit)
            ui_quiz_start(app, q);
    } else {
        y += notice(app, ui_tr(app, "quiz.no_attempts_left"), t->border, t->surface_alt, x, y, w);
    }
    y += ui_px(app, UI_SP_L);
    /* earlier attempts */
    if (q->npast > 0) {
        ui_TextStyle hs = ui_style(app, UI_FONT_TITLE - 4, t->text, UI_TEXT_STRONG);
        y += ui_label(app, ui_tr(app, "quiz.earlier_attempts"), &hs, x, y, w) + ui_px(app, UI_SP_S);
        bool can_review = qz->settings.review_after != 0;
        for (int i = 0; i < q->npast; i++) {
            char line[200];
            ui_trf(app, line, sizeof line, "quiz.attempt_line", q->past[i].number, pct(q->past[i].scaled),
                   ui_tr(app, q->past[i].passed ? "quiz.passed" : "quiz.not_passed"));
            if (can_review && q->past[i].record && !q->in_progress) {
                char key[32], label[220];
                ui_trf(app, label, sizeof label, "quiz.review_attempt", line);
                int h = ui_list_item_height(app, label, w);
                if (ui_list_item(app, ui_keyf(key, sizeof key, "quiz.past.%d", i), label, (SDL_Rect){x, y, w, h}, 0))
                    ui_quiz_review_past(app, q, i);
                y += h + ui_px(app, UI_SP_S);
            } else {
                y += ui_label(app, line, &fact, x, y, w) + ui_px(app, UI_SP_S);
            }
        }
        y += ui_px(app, UI_SP_M);
    }
    y += button(app, "back", ui_tr(app, "lesson.back_to_course"), x, y, w, 0, &hit);
    if (hit)
        ui_app_pop(app);
    ui_scroll_end(app, y + ui_px(app, UI_SP_XL));
}

/* ---- the question page -------------------------------------------------------------------- */

/* Questions are numbered as Moodle numbers them: descriptions (no answer)
 * are "Information" and do not count, so "Question 3 of 10" agrees with the
 * start page's count. Returns slot's number (0 for a description); *total
 * (may be NULL) receives how many questions the attempt asks. */
static int question_number(const ui_Quiz *q, int slot, int *total)
{
    const dh_QuizAttempt *a = q->a;
    int n = 0, mine = 0;
    for (int i = 0; i < a->nslots; i++) {
        bool desc = q->quiz->questions[a->slots[i].question].type == DH_QUESTION_DESCRIPTION;
        if (!desc) n++;
        if (i == slot) mine = desc ? 0 : n;
    }
    if (total) *total = n;
    return mine;
}

/* "Question 3" / "Information" for slot into buf. */
static const char *slot_heading(ui_App *app, const ui_Quiz *q, int slot, char *buf, size_t size)
{
    int k = question_number(q, slot, NULL);
    if (k == 0) return ui_tr(app, "quiz.information");
    return ui_trf(app, buf, size, "quiz.question_n", k);
}

static bool nav_free(const ui_Quiz *q)
{
    return q->quiz->settings.navigation == DH_NAVIGATION_FREE;
}

void ui_quiz_draw_question(ui_App *app, ui_Quiz *q, int y0)
{
    const ui_Theme *t = &app->theme;
    dh_QuizAttempt *a = q->a;
    int slot = a->current;
    const dh_QuizSlot *s = &a->slots[slot];
    const dh_Question *qq = &q->quiz->questions[s->question];
    bool interactive = q->quiz->settings.behaviour == DH_BEHAVIOUR_INTERACTIVE;
    int x, w;
    column(app, y0, &x, &w);

    /* the bottom bar: Previous, Check, Next / Finish */
    bool last = slot == a->nslots - 1;
    const char *prev = ui_tr(app, "common.previous");
    const char *next = ui_tr(app, last ? "quiz.finish" : "common.next");
    const char *check = ui_tr(app, "quiz.check");
    bool show_prev = nav_free(q) && slot > 0;
    bool show_check = interactive && qq->type != DH_QUESTION_DESCRIPTION && dh_quiz_attempt_can_try(a, slot);
    int minw = ui_px(app, 140), gap = ui_px(app, UI_SP_M);
    int bwp = ui_button_width(app, prev, 0), bwn = ui_button_width(app, next, UI_PRIMARY);
    int bwc = ui_button_width(app, check, 0);
    bwp = bwp < minw ? minw : bwp;
    bwn = bwn < minw ? minw : bwn;
    bwc = bwc < minw ? minw : bwc;
    int need = bwn + (show_prev ? bwp + gap : 0) + (show_check ? bwc + gap : 0);
    bool two_rows = need > w;
    int bh = ui_button_height(app, UI_PRIMARY), pad = ui_px(app, 12);
    int bar_h = pad + (two_rows ? 2 * bh + ui_px(app, UI_SP_S) : bh) + pad;

    /* the top line: Question n of N, and the countdown */
    SDL_Rect view = {0, y0, app->w, app->h - y0 - bar_h};
    int y = ui_scroll_begin(app, PAGE, view) + ui_px(app, UI_SP_M);
    y += error_box(app, q, x, y, w);
    char prog[80], timer[80] = "";
    int total, number = question_number(q, slot, &total);
    if (number > 0)
        ui_trf(app, prog, sizeof prog, "quiz.question_of", number, total);
    else
        snprintf(prog, sizeof prog, "%s", ui_tr(app, "quiz.information"));
    int64_t deadline = dh_quiz_attempt_deadline(a);
    int64_t left_ms = 0;
    if (deadline > 0) {
        left_ms = deadline - ui_quiz_now(app, q);
        if (left_ms < 0)
            left_ms = 0;
        int secs = (int)((left_ms + 999) / 1000);
        char mmss[32];
        snprintf(mmss, sizeof mmss, "%d:%02d", secs / 60, secs % 60);
        ui_trf(app, timer, sizeof timer, "quiz.time_left", mmss);
    }
    ui_TextStyle ps = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
    ui_TextStyle ts = ui_style(app, UI_FONT_BODY, left_ms < 60000 ? t->danger : t->text, UI_TEXT_STRONG);
    int tw = timer[0] ? ui_text_width(app, timer, &ts) : 0;
    int lh;
    if (tw && tw + ui_text_width(app, prog, &ps) + gap <= w) {
        lh = ui_label(app, prog, &ps, x, y, w - tw - gap);
        ts.align = 2;
        ui_label(app, timer, &ts, x + w - tw, y, tw);
    } else {
        lh = ui_label(app, prog, &ps, x, y, w);
        if (tw)
            lh += ui_label(app, timer, &ts, x, y + lh, w);
    }
    y += lh + ui_px(app, UI_SP_XS);
    ui_progress(app, prog, (SDL_Rect){x, y, w, ui_px(app, 6)}, (float)(slot + 1) / (float)a->nslots);
    y += ui_px(app, 6) + ui_px(app, UI_SP_L);
    const dh_QuizSection *sec = &q->quiz->sections[s->section];
    if (sec->title.count) {
        ui_TextStyle ss = ui_style(app, UI_FONT_SMALL + 1, t->text_muted, UI_TEXT_STRONG);
        y += ui_label(app, ui_quiz_text(app, q, &sec->title, &ss), &ss, x, y, w) + ui_px(app, UI_SP_S);
    }
    bool editable = !s->finished;
    y += ui_quiz_draw_response(app, q, slot, x, y, w, view.h, editable) + ui_px(app, UI_SP_L);
    bool focus_next = q->focus_first; /* nothing to answer here: the keyboard starts on Next */
    q->focus_first = false;
    if (interactive && qq->type != DH_QUESTION_DESCRIPTION) {
        unsigned review = dh_quiz_attempt_review(a, slot);
        int fh = ui_quiz_draw_feedback(app, q, slot, x, y, w, review);
        if (fh)
            y += fh + ui_px(app, UI_SP_M);
        const dh_Text *hint = dh_quiz_attempt_hint(a, slot);
        ui_TextStyle hs = ui_style(app, UI_FONT_BODY, t->text, 0);
        if (hint) {
            char line[2200];
            snprintf(line, sizeof line, "%s: %s", ui_tr(app, "quiz.hint"), ui_quiz_text(app, q, hint, NULL));
            y += notice(app, line, t->warning, t->warning_soft, x, y, w) + ui_px(app, UI_SP_M);
        }
        if (!s->finished) {
            int tries = q->quiz->settings.tries - s->tries;
            char line[300];
            ui_trf(app, line, sizeof line, "quiz.tries_left", tries > 0 ? tries : 0);
            double pen = dh_quiz_question_penalty(q->quiz, qq);
            if (pen > 0 && s->tries > 0) {
                char l2[120];
                ui_trf(app, l2, sizeof l2, "quiz.penalty", pct(pen));
                size_t n = strlen(line);
                snprintf(line + n, sizeof line - n, "  ·  %s", l2);
            }
            hs.color = t->text_muted;
            y += ui_label(app, line, &hs, x, y, w) + ui_px(app, UI_SP_M);
        }
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_XL));

    /* the bar */
    int by = app->h - bar_h;
    ui_fill(app, (SDL_Rect){0, by, app->w, bar_h}, t->surface);
    ui_fill(app, (SDL_Rect){0, by, app->w, ui_px(app, t->high_contrast ? 2 : 1)}, t->border);
    by += pad;
    int row2 = two_rows ? by + bh + ui_px(app, UI_SP_S) : by;
    if (two_rows) { /* Next alone on the second row, full width; the rest share the first */
        int nb = (show_prev ? 1 : 0) + (show_check ? 1 : 0);
        int each = nb ? (w - (nb - 1) * gap) / nb : w;
        bwp = bwc = each;
        bwn = w;
    }
    int bx = x;
    if (show_prev) {
        if (ui_button(app, "quiz.prev", prev, (SDL_Rect){bx, by, bwp, bh}, 0))
            ui_quiz_goto(app, q, slot - 1);
        bx += bwp + gap;
    }
    if (show_check) {
        unsigned fl = s->answered ? 0 : UI_DISABLED;
        SDL_Rect cr = two_rows ? (SDL_Rect){bx, by, bwc, bh} : (SDL_Rect){x + w - bwn - gap - bwc, by, bwc, bh};
        if (ui_button(app, "quiz.check", check, cr, fl))
            ui_quiz_check(app, q);
    }
    SDL_Rect nr = two_rows ? (SDL_Rect){x, row2, bwn, bh} : (SDL_Rect){x + w - bwn, by, bwn, bh};
    bool go = ui_button(app, "quiz.next", next, nr, UI_PRIMARY);
    /* a swipe pages too, as in lessons (not past the last question: that takes the button) */
    int sw = ui_swipe(app);
    if (sw == UI_SWIPE_LEFT && !last)
        go = true;
    if (sw == UI_SWIPE_RIGHT && show_prev) {
        ui_quiz_goto(app, q, slot - 1);
        return;
    }
    if (focus_next)
        ui_focus(app, "quiz.next");
    if (go) {
        if (last) {
            q->view = UI_QUIZ_CONFIRM;
            q->focus_first = true;
            ui_scroll_reset(app, PAGE);
            ui_app_invalidate(app);
        } else {
            ui_quiz_goto(app, q, slot + 1);
        }
    }
}

/* ---- submit confirmation -------------------------------------------------------------------- */

void ui_quiz_draw_confirm(ui_App *app, ui_Quiz *q, int y0)
{
    const ui_Theme *t = &app->theme;
    dh_QuizAttempt *a = q->a;
    int x, w;
    column(app, y0, &x, &w);
    SDL_Rect area = {0, y0, app->w, app->h - y0};
    int y = ui_scroll_begin(app, PAGE, area) + ui_px(app, UI_SP_L);
    y += error_box(app, q, x, y, w);
    ui_TextStyle h1 = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    y += ui_label(app, ui_tr(app, "quiz.confirm_title"), &h1, x, y, w) + ui_px(app, UI_SP_M);
    int unanswered = 0;
    for (int i = 0; i < a->nslots; i++)
        unanswered += !a->slots[i].answered &&
                      q->quiz->questions[a->slots[i].question].type != DH_QUESTION_DESCRIPTION;
    if (unanswered) {
        char line[200];
        ui_trf(app, line, sizeof line, "quiz.unanswered_count", unanswered);
        y += notice(app, line, t->warning, t->warning_soft, x, y, w) + ui_px(app, UI_SP_M);
        const char *labels[DH_QUIZ_MAX_QUESTIONS > 200 ? 200 : DH_QUIZ_MAX_QUESTIONS];
        static char names[200][64];
        int slots[200], n = 0;
        for (int i = 0; i < a->nslots && n < 200; i++)
            if (!a->slots[i].answered && q->quiz->questions[a->slots[i].question].type != DH_QUESTION_DESCRIPTION) {
                ui_trf(app, names[n], sizeof names[n], "quiz.question_n", question_number(q, i, NULL));
                labels[n] = names[n];
                slots[n++] = i;
            }
        int act = -1;
        y += ui_button_flow(app, "quiz.unanswered", labels, n, -1, x, y, w,
                            nav_free(q) ? 0 : UI_DISABLED, &act) + ui_px(app, UI_SP_M);
        if (act >= 0 && nav_free(q)) {
            ui_quiz_goto(app, q, slots[act]);
            return;
        }
    } else {
        y += ui_label(app, ui_tr(app, "quiz.all_answered"), &body, x, y, w) + ui_px(app, UI_SP_M);
    }
    y += ui_label(app, ui_tr(app, "quiz.confirm_body"), &body, x, y, w) + ui_px(app, UI_SP_L);
    bool hit;
    y += button(app, "quiz.submit", ui_tr(app, "quiz.submit"), x, y, w, UI_PRIMARY, &hit) + ui_px(app, UI_SP_M);
    if (q->focus_first) {
        ui_focus(app, "quiz.submit");
        q->focus_first = false;
    }
    if (hit) {
        ui_quiz_submit(app, q);
        return;
    }
    y += button(app, "quiz.return", ui_tr(app, "quiz.back_to_questions"), x, y, w, 0, &hit);
    if (hit) {
        q->view = UI_QUIZ_QUESTION;
        ui_app_invalidate(app);
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_XL));
}

/* ---- results ------------------------------------------------------------------------------------ */

void ui_quiz_draw_results(ui_App *app, ui_Quiz *q, int y0)
{
    const ui_Theme *t = &app->theme;
    dh_QuizAttempt *a = q->a;
    int x, w;
    column(app, y0, &x, &w);
    SDL_Rect area = {0, y0, app->w, app->h - y0};
    int y = ui_scroll_begin(app, PAGE, area) + ui_px(app, UI_SP_L);
    y += error_box(app, q, x, y, w);
    ui_TextStyle eyebrow = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
    ui_TextStyle h1 = ui_style(app, UI_FONT_HEADING, a->passed ? t->success : t->danger, UI_TEXT_STRONG);
    ui_TextStyle big = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    body.line_spacing = 1.55f;
    char line[400];
    ui_trf(app, line, sizeof line, "quiz.results_for", q->attempt_no);
    y += ui_label(app, line, &eyebrow, x, y, w) + ui_px(app, UI_SP_XS);
    if (q->timed_out)
        y += notice(app, ui_tr(app, "quiz.timed_out"), t->warning, t->warning_soft, x, y, w) + ui_px(app, UI_SP_M);
    y += ui_label(app, ui_tr(app, a->passed ? "quiz.result_passed" : "quiz.result_failed"), &h1, x, y, w) +
         ui_px(app, UI_SP_S);
    char m[32], mx[32];
    ui_quiz_marks(m, sizeof m, a->marks);
    ui_quiz_marks(mx, sizeof mx, a->max_marks);
    ui_trf(app, line, sizeof line, "quiz.score", m, mx, pct(a->scaled));
    y += ui_label(app, line, &big, x, y, w) + ui_px(app, UI_SP_XS);
    if (q->quiz->settings.pass > 0) {
        ui_trf(app, line, sizeof line, "quiz.pass_needed", pct(q->quiz->settings.pass));
        y += ui_label(app, line, &body, x, y, w) + ui_px(app, UI_SP_XS);
    }
    if (!q->review_only && q->has_grade && q->npast > 1) {
        ui_trf(app, line, sizeof line, "quiz.grade_value", pct(q->grade),
               ui_tr(app, dh_quiz_passes(q->quiz, q->grade) ? "quiz.passed" : "quiz.not_passed"));
        char l2[500];
        snprintf(l2, sizeof l2, "%s: %s", ui_tr(app, "quiz.fact_grade"), line);
        y += ui_label(app, l2, &body, x, y, w) + ui_px(app, UI_SP_XS);
    }
    unsigned after = q->quiz->settings.review_after;
    if (after & DH_REVIEW_OVERALL_FEEDBACK) {
        const dh_Text *fb = dh_quiz_overall_feedback(q->quiz, a->scaled);
        if (fb) {
            y += ui_px(app, UI_SP_S);
            y += notice(app, ui_quiz_text(app, q, fb, NULL), t->accent, t->accent_soft, x, y, w);
        }
    }
    y += ui_px(app, UI_SP_L);
    /* what next */
    bool hit = false;
    if (q->review_only) {
        y += button(app, "quiz.back_start", ui_tr(app, "common.back"), x, y, w, UI_PRIMARY, &hit);
        if (hit)
            ui_quiz_leave_results(app, q);
    } else {
        if (ui_quiz_may_start(q)) {
            char label[120];
            ui_trf(app, label, sizeof label, "quiz.retry", q->npast + 1);
            y += button(app, "quiz.retry", label, x, y, w, 0, &hit) + ui_px(app, UI_SP_S);
            if (hit) {
                ui_quiz_start(app, q);
                ui_scroll_end(app, y);
                return;
            }
        } else {
            ui_TextStyle ms = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
            y += ui_label(app, ui_tr(app, "quiz.no_attempts_left"), &ms, x, y, w) + ui_px(app, UI_SP_S);
        }
        y += button(app, "back", ui_tr(app, "lesson.back_to_course"), x, y, w, UI_PRIMARY, &hit);
        if (hit)
            ui_app_pop(app);
    }
    y += ui_px(app, UI_SP_XL);
    /* the review, question by question */
    if (after & (DH_REVIEW_CORRECTNESS | DH_REVIEW_MARKS | DH_REVIEW_FEEDBACK | DH_REVIEW_GENERAL_FEEDBACK |
                 DH_REVIEW_RIGHT_ANSWER)) {
        ui_TextStyle hs = ui_style(app, UI_FONT_TITLE - 2, t->text, UI_TEXT_STRONG);
        y += ui_label(app, ui_tr(app, "quiz.review_title"), &hs, x, y, w) + ui_px(app, UI_SP_M);
        for (int i = 0; i < a->nslots; i++) {
            ui_TextStyle qs = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
            char head[80];
            const char *heading = slot_heading(app, q, i, head, sizeof head);
            ui_fill(app, (SDL_Rect){x, y, w, ui_px(app, 1)}, t->border);
            y += ui_px(app, UI_SP_M);
            y += ui_label(app, heading, &qs, x, y, w) + ui_px(app, UI_SP_S);
            y += ui_quiz_draw_response(app, q, i, x, y, w, area.h, false) + ui_px(app, UI_SP_M);
            int fh = ui_quiz_draw_feedback(app, q, i, x, y, w, dh_quiz_attempt_review(a, i));
            y += fh + ui_px(app, UI_SP_L);
        }
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_XL));
}
