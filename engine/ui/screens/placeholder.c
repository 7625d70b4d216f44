/* placeholder: a quiz or exercise module this version of the player cannot run.
 *
 * Quizzes and incident exercises arrive with their own engines in later
 * issues; until then a trainee who opens one must not meet a crash or a
 * blank, and should still learn what the module is: a knowledge check of so
 * many questions with its pass mark, or an exercise with its description
 * and length. The screen says calmly that this kiosk cannot run it yet and
 * offers the way back. Nothing is recorded: nothing was done.
 */
#include "screens.h"

#include "alloc.h"
#include "quiz.h"
#include "reading.h"
#include "scenario.h"
#include "widgets.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct Placeholder {
    ui_Screen base;
    int course, module;
} Placeholder;

/* The facts line: "16 questions, 10 per attempt" / "About 15 min". */
static void facts(ui_App *app, const dh_Module *m, char *line, size_t size, char *rule, size_t rsize)
{
    line[0] = rule[0] = '\0';
    if (m->kind == DH_MODULE_QUIZ && m->u.quiz) {
        const dh_Quiz *q = m->u.quiz;
        int per = q->slots > 0 && q->slots < q->nquestions ? q->slots : q->nquestions;
        ui_trf(app, line, size, "placeholder.quiz_counts", q->nquestions, per);
        if (q->settings.pass > 0)
            ui_trf(app, rule, rsize, "placeholder.quiz_pass", (int)lround(q->settings.pass * 100));
    } else if (m->kind == DH_MODULE_SCENARIO && m->u.scenario) {
        const dh_ScClock *ck = &m->u.scenario->clock;
        if (ck->mode == DH_CLOCK_SCALED && ck->limit_s > 0 && ck->speed > 0) {
            int min = (int)lround((double)ck->limit_s / ck->speed / 60.0);
            if (min > 0)
                ui_trf(app, line, size, "common.minutes", min);
        }
    }
}

static void frame(ui_Screen *s, ui_App *app)
{
    Placeholder *p = (Placeholder *)s;
    const ui_Theme *t = &app->theme;
    const dh_Course *c = app->courses[p->course].course;
    const dh_Module *m = &c->modules[p->module];
    bool quiz = m->kind == DH_MODULE_QUIZ;
    bool loaded = quiz ? m->u.quiz != NULL : m->kind == DH_MODULE_SCENARIO ? m->u.scenario != NULL : false;
    const char *title = ui_course_text(app, c, &m->title);
    int y0 = ui_header(app, title, UI_HEADER_ALL);
    SDL_Rect area = {0, y0, app->w, app->h - y0};
    SDL_Rect col = ui_reading_column(app, ui_content(app, y0));
    int x = col.x + ui_px(app, UI_SP_L), w = col.w - 2 * ui_px(app, UI_SP_L);
    int y = ui_scroll_begin(app, "placeholder", area) + ui_px(app, UI_SP_L);

    ui_TextStyle eyebrow = ui_style(app, UI_FONT_BODY, t->accent, UI_TEXT_STRONG);
    ui_TextStyle h1 = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    ui_TextStyle fact = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    body.markup = true;
    body.line_spacing = 1.55f;
    const char *kind = ui_tr(app, quiz ? "placeholder.quiz_title" : "placeholder.scenario_title");
    if (strcmp(kind, title) != 0) /* "Knowledge check" titled "Knowledge check": say it once */
        y += ui_label(app, kind, &eyebrow, x, y, w) + ui_px(app, UI_SP_XS);
    y += ui_label(app, title, &h1, x, y, w) + ui_px(app, UI_SP_M);
    char line[200], rule[200];
    facts(app, m, line, sizeof line, rule, sizeof rule);
    if (line[0])
        y += ui_label(app, line, &fact, x, y, w) + ui_px(app, UI_SP_XS);
    if (rule[0])
        y += ui_label(app, rule, &fact, x, y, w);
    y += ui_px(app, UI_SP_M);
    const char *about = "";
    if (quiz && m->u.quiz)
        about = ui_course_text(app, c, &m->u.quiz->intro);
    else if (!quiz && m->u.scenario)
        about = ui_course_text(app, c, &m->u.scenario->description);
    if (about[0])
        y += ui_label(app, about, &body, x, y, w) + ui_px(app, UI_SP_L);

    /* the calm notice: what this kiosk cannot do yet */
    const char *notice = ui_tr(app, !loaded ? "placeholder.unavailable"
                                    : quiz  ? "placeholder.quiz_body"
                                            : "placeholder.scenario_body");
    int pad = ui_px(app, UI_SP_M), isz = ui_px(app, 24);
    int tx = x + pad + isz + ui_px(app, 12), tw = x + w - pad - tx;
    ui_TextStyle ns = ui_style(app, UI_FONT_BODY, t->text, 0);
    int nh = ui_text_height(app, notice, &ns, tw);
    int bh = pad + (nh > isz ? nh : isz) + pad;
    SDL_Color edge = t->high_contrast ? t->accent : t->accent_soft;
    ui_round_rect(app, (SDL_Rect){x, y, w, bh}, ui_px(app, UI_RADIUS),
                  t->high_contrast ? t->bg : ui_mix(t->surface, t->accent, 0.06f), edge);
    ui_icon(app, UI_ICON_INFO, (SDL_Rect){x + pad, y + pad, isz, isz}, t->accent, t->accent_text);
    ui_label(app, notice, &ns, tx, y + pad, tw);
    y += bh + ui_px(app, UI_SP_L);

    const char *back = ui_tr(app, "lesson.back_to_course");
    int bw = ui_button_width(app, back, UI_PRIMARY);
    if (bw < ui_px(app, 180))
        bw = ui_px(app, 180);
    if (bw > w)
        bw = w;
    int bth = ui_button_height(app, UI_PRIMARY);
    if (ui_button(app, "back", back, (SDL_Rect){x, y, bw, bth}, UI_PRIMARY))
        ui_app_pop(app);
    ui_scroll_end(app, y + bth + ui_px(app, UI_SP_L));
}

static const ui_ScreenClass placeholder_class = {"placeholder", frame, NULL, NULL, NULL};

ui_Screen *ui_placeholder_new(ui_App *app, int course, int module)
{
    DH_ASSERT(course >= 0 && course < app->ncourses && app->courses[course].course && module >= 0 &&
              module < app->courses[course].course->nmodules);
    Placeholder *p = dh_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->base.cls = &placeholder_class;
    p->course = course;
    p->module = module;
    return &p->base;
}
