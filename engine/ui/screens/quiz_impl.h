/* quiz_impl: what the quiz screen's three files share.
 *
 * quiz.c is the screen's state machine and its records (starting,
 * answering, checking, submitting, suspending: each one commit through the
 * outline's dh_Progress before the screen shows it); quiz_pages.c draws the
 * start page, the navigation bar, the submit confirmation and the results
 * with their review; quiz_items.c draws one question of each type and turns
 * taps and keys into responses. The rules (marks, tries, time, review
 * options) stay in the core's quiz engine: these files only show its state
 * and hand it the trainee's actions.
 */
#ifndef UI_QUIZ_IMPL_H
#define UI_QUIZ_IMPL_H

#include "screens.h"

#include "quiz_engine.h"

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum ui_QuizView {
    UI_QUIZ_START,    /* title, rules, earlier attempts, Start / Continue / Retry */
    UI_QUIZ_QUESTION, /* one question of the attempt in progress */
    UI_QUIZ_CONFIRM,  /* "Submit?" with the unanswered questions listed */
    UI_QUIZ_RESULTS   /* score, pass/fail, per-question review (this or an earlier attempt) */
} ui_QuizView;

/* A finished attempt as stored (for the grade, the list and review). */
typedef struct ui_QuizPast {
    int number;
    double scaled;
    bool passed;
    int64_t finished_ms;
    char *record;      /* the saved attempt (dh_malloc'd), NULL: none */
    size_t record_len;
} ui_QuizPast;

typedef struct ui_Quiz {
    ui_Screen base;
    int course, module;
    dh_Progress *p;               /* borrowed from the outline */
    const dh_Course *c;
    const dh_Quiz *quiz;          /* NULL: the module could not be loaded */
    ui_QuizView view;
    dh_QuizAttempt *a;            /* the attempt shown (in progress, just finished or reviewed) */
    bool in_progress;             /* a is the trainee's running attempt */
    bool review_only;             /* a is an earlier attempt opened from the start page */
    int attempt_no;               /* number of a among the trainee's attempts (1-based) */
    bool *reported;               /* per slot: `answered` already recorded */
    ui_QuizPast *past;            /* finished attempts, oldest first */
    int npast;
    bool has_grade;
    double grade;                 /* grade method over `past` */
    int64_t wall0;                /* wall ms when the screen opened ... */
    uint64_t mono0;               /* ... and ui_app_now then: quiz time = wall0 + elapsed app time */
    int64_t base_time_ms;         /* time in the module before this opening */
    uint64_t opened_at;
    bool left;                    /* suspended or done: record nothing more on leave */
    bool leave_anyway;
    bool timed_out;               /* the last attempt was submitted by the clock */
    bool resume_failed;           /* a saved attempt could not be restored */
    bool show_unanswered_note;
    /* editing state of the question on screen */
    int edit_slot;                /* slot the buffers below belong to, -1 none */
    char text[DH_QUIZ_MAX_TEXT + 1]; /* short answer / numeric typed text */
    int unit;                     /* numeric: chosen unit, -1 none */
    int order[DH_QUIZ_MAX_ITEMS]; /* ordering: the shown order (model indices) */
    int norder;
    double cross_x, cross_y;      /* hotspot keyboard crosshair, image coordinates */
    int drag_item;                /* ordering: row being dragged, -1 none */
    struct {                      /* pictures of the quiz, loaded once each (review shows several) */
        const char *src;          /* the question's asset path (NULL: free entry) */
        SDL_Texture *tex;         /* NULL: could not be loaded */
        int w, h;
    } img[8];
    int img_next;                 /* entry to reuse when all are taken */
    bool focus_first;             /* give the first answer the focus next frame */
    char error[700];              /* why the last save failed, "" if it did not */
    uint64_t typed_at;            /* app time of a typed answer not saved yet, 0: none */
} ui_Quiz;

/* quiz.c: actions (each commits before the screen changes). */
void ui_quiz_start(ui_App *app, ui_Quiz *q);
void ui_quiz_continue(ui_App *app, ui_Quiz *q);
void ui_quiz_answer(ui_App *app, ui_Quiz *q, int slot, const dh_QuizResponse *r);
/* The same for a keystroke in a text or number field: taken into the
 * attempt at once, saved once typing pauses (UI_QUIZ_TYPING_SAVE_MS) or with
 * the next action, whichever comes first, instead of one commit per key. */
#define UI_QUIZ_TYPING_SAVE_MS 1000
void ui_quiz_answer_typed(ui_App *app, ui_Quiz *q, int slot, const dh_QuizResponse *r);
void ui_quiz_check(ui_App *app, ui_Quiz *q);
void ui_quiz_goto(ui_App *app, ui_Quiz *q, int slot);
void ui_quiz_submit(ui_App *app, ui_Quiz *q);
void ui_quiz_review_past(ui_App *app, ui_Quiz *q, int i);
void ui_quiz_leave_results(ui_App *app, ui_Quiz *q);
/* Quiz time now (ms since the epoch, advanced by the app clock). */
int64_t ui_quiz_now(const ui_App *app, const ui_Quiz *q);
/* Finished attempts used, whether another may start. */
bool ui_quiz_may_start(const ui_Quiz *q);
/* Course text of t, with st->lang set to the translation's language. */
const char *ui_quiz_text(const ui_App *app, const ui_Quiz *q, const dh_Text *t, ui_TextStyle *st);
/* "1.5" / "2": marks without trailing zeros. */
void ui_quiz_marks(char *buf, size_t size, double v);

/* quiz_pages.c */
void ui_quiz_draw_start(ui_App *app, ui_Quiz *q, int y0);
void ui_quiz_draw_question(ui_App *app, ui_Quiz *q, int y0);
void ui_quiz_draw_confirm(ui_App *app, ui_Quiz *q, int y0);
void ui_quiz_draw_results(ui_App *app, ui_Quiz *q, int y0);

/* quiz_items.c: the response area of slot `slot` at (x, y) width w; returns
 * its height. editable: the trainee may change it now. */
int ui_quiz_draw_response(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, int view_h, bool editable);
/* The feedback block (per the review bits) of a slot; returns its height. */
int ui_quiz_draw_feedback(ui_App *app, ui_Quiz *q, int slot, int x, int y, int w, unsigned review);
/* Load the editing buffers for slot (when it changes). */
void ui_quiz_edit_begin(ui_Quiz *q, int slot);
void ui_quiz_free_image(ui_Quiz *q);

#endif
