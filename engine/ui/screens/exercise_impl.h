/* exercise_impl: what the incident exercise's three files share.
 *
 * exercise.c is the screen's state machine and everything it records (a run
 * started, resumed, each decision, a suspension, the end with its score and
 * its stored review); exercise_play.c draws the exercise itself (banner,
 * clock, inbox, the selected inject, the actions, the status panel);
 * exercise_review.c draws the briefing page and the after-action review.
 * The rules all live in the core's scenario engine: these files only show
 * a dh_Run and hand the trainee's choices to it.
 */
#ifndef UI_EXERCISE_IMPL_H
#define UI_EXERCISE_IMPL_H

#include "screens.h"

#include "scenario.h"
#include "scenario_engine.h"

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum ui_ExView {
    UI_EX_BRIEFING, /* what the exercise is; start, continue, play again; earlier runs */
    UI_EX_PLAY,     /* the exercise itself, clock running */
    UI_EX_REVIEW    /* the after-action review of a run that ended */
} ui_ExView;

/* One finished run, as listed on the briefing page. */
typedef struct ui_ExRun {
    int number;            /* 1, 2, ... within the course attempt */
    bool has_score;
    double score;          /* 0..1 */
    bool passed;
    char *record;          /* the stored record (JSON: {"run": ..., "review": ...}); owned */
    size_t record_len;
    int ending;            /* index, or -1 (read from the record) */
} ui_ExRun;

typedef struct ui_Exercise {
    ui_Screen base;
    int course, module;
    dh_Progress *p;                /* borrowed from the outline, which outlives this screen */
    const dh_Course *c;
    const dh_Scenario *s;          /* NULL: the module could not be loaded */
    ui_ExView view;

    /* the run being played (or just ended), and the review shown */
    dh_Run *run;                   /* NULL: none */
    bool run_live;                 /* run is the trainee's current run (not a stored one re-read) */
    dh_Review *review;             /* UI_EX_REVIEW: the review shown */
    dh_Run *review_run;            /* the run the review borrows its timeline from (may be run) */
    int64_t started_ms;            /* wall ms when the run began (first start) */
    bool saved_run;                /* a resumable run is stored for this module */
    int64_t saved_now_s;           /* its scenario time, for the briefing */

    /* the clock */
    uint64_t last_tick;            /* ui_app_now of the last dh_run_tick */
    int64_t base_time_ms;          /* module time before this opening */
    uint64_t opened_at;            /* ui_app_now when the screen opened */
    bool covered;                  /* another screen was pushed over the exercise: its clock paused */

    /* what the trainee sees in the exercise */
    bool *read;                    /* per inject: opened in the detail view */
    int selected;                  /* inject shown in detail, -1: none */
    bool detail_open;              /* narrow screens: the detail covers the inbox */
    int pending;                   /* action whose choice or text is being asked for, -1 */
    char answer[1024];             /* text response being written */
    int fb_action, fb_choice;      /* feedback to show: the last action taken (-1: none) */
    int nfeed_seen;                /* fired injects at the last frame (new ones scroll the inbox up) */
    int last_w, last_h;            /* window size at the last frame: a resize keeps a question in view */
    int ask_y;                     /* where the question was drawn last frame (screen y) */
    bool reveal;                   /* bring the question asked, or the feedback, into view next frame */

    /* pictures of injects, loaded from the package the first time they are shown */
    SDL_Texture **images;          /* per inject; NULL: not loaded or unreadable */
    bool *image_tried;             /* per inject: loading was attempted */

    /* finished runs of this module in this course attempt */
    ui_ExRun *runs;
    int nruns;

    bool left;                     /* suspended or ended: record nothing more */
    bool leave_anyway;             /* a Back whose save failed: the next one leaves regardless */
    char error[700];               /* why the last save failed, "" if it did not */
    char notice[400];              /* a calm note (a saved run that could not be restored), "" */
} ui_Exercise;

/* exercise.c: the actions (each commits before the screen shows it as done). */
/* Start a new run, or continue the paused one (e->saved_run). */
void ui_exercise_start(ui_App *app, ui_Exercise *e);
void ui_exercise_take(ui_App *app, ui_Exercise *e, int action, int choice, const char *text);
void ui_exercise_end_turn(ui_App *app, ui_Exercise *e);
/* Show the stored review of finished run k (index into e->runs). */
void ui_exercise_open_review(ui_App *app, ui_Exercise *e, int k);
void ui_exercise_to_briefing(ui_App *app, ui_Exercise *e);
/* Feed the clock with the app time since the last tick; ends the run when
 * the scenario ends. Called by the play view every frame. */
void ui_exercise_tick(ui_App *app, ui_Exercise *e);

/* exercise_play.c */
void ui_exercise_draw_play(ui_App *app, ui_Exercise *e, int y0);
/* "01:02:03" (or "12:30" under an hour) for scenario seconds. */
void ui_exercise_clock_text(int64_t s, char *buf, size_t size);
/* A one-line title for inject i: the subject, the caller, the rule, ... */
const char *ui_exercise_inject_title(const ui_App *app, const ui_Exercise *e, int i);
/* The channel's word ("Mail", "Security alert"). */
const char *ui_exercise_channel_word(const ui_App *app, dh_Channel ch);
/* Course text in the UI language, and style->lang set to the translation's language. */
const char *ui_exercise_text(const ui_App *app, const ui_Exercise *e, const dh_Text *t, ui_TextStyle *st);

/* exercise_review.c */
void ui_exercise_draw_briefing(ui_App *app, ui_Exercise *e, int y0);
void ui_exercise_draw_review(ui_App *app, ui_Exercise *e, int y0);

#endif
