/* lesson_impl: what the lesson reader's two files share.
 *
 * lesson.c is the screen's state machine (opening, paging, confirming,
 * finishing, leaving, and what each records); lesson_blocks.c draws a page
 * and its navigation bar and calls back into lesson.c when the trainee acts.
 * Split so that neither grows past what one can read in a sitting.
 */
#ifndef UI_LESSON_IMPL_H
#define UI_LESSON_IMPL_H

#include "screens.h"

#include "lesson.h"

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

/* An image block's picture, loaded from the package the first time it is drawn. */
typedef struct ui_LessonImage {
    const dh_Block *block;
    SDL_Texture *tex;   /* NULL: could not be loaded (the alt text is shown) */
    int w, h;           /* the picture's size in pixels */
} ui_LessonImage;

typedef struct ui_Lesson {
    ui_Screen base;
    int course, module;
    dh_Progress *p;               /* borrowed from the outline, which outlives this screen */
    const dh_Course *c;
    const dh_Lesson *lesson;      /* NULL: the module could not be loaded */
    int page;                     /* the page shown, 0-based */
    const dh_Block **acks;        /* acknowledgement blocks in lesson order */
    int64_t *ack_ms;              /* when each was given (wall ms); 0: not yet; -1: yes, time unknown */
    int nacks;
    ui_LessonImage *images;
    int nimages, cap_images;
    int64_t base_time_ms;         /* time spent in the module before this opening */
    uint64_t opened_at;           /* ui_app_now when opened */
    bool review;                  /* completed before: nothing to gate, nothing to resume */
    bool left;                    /* finished, suspended or terminated: record nothing more */
    bool leave_anyway;            /* a Back whose save failed: the next one leaves regardless */
    bool nudge;                   /* the trainee tried to go on without confirming */
    bool focus_ack;               /* focus the first open acknowledgement next frame */
    int restore_scroll;           /* px to scroll to once the page is measured, -1: none */
    char error[700];              /* why the last save failed, "" if it did not */
} ui_Lesson;

/* lesson.c: the actions (each commits before it changes the screen). */
void ui_lesson_go(ui_App *app, ui_Lesson *l, int page);
void ui_lesson_confirm(ui_App *app, ui_Lesson *l, int ack);
void ui_lesson_finish(ui_App *app, ui_Lesson *l);
/* Every acknowledgement on the current page is given (or reviewing). */
bool ui_lesson_page_ready(const ui_Lesson *l);
/* Start of a frame: give the focus asked for by an action of the last one. */
void ui_lesson_focus_ack(ui_App *app, ui_Lesson *l);
/* Index of acknowledgement block b in l->acks, or -1. */
int ui_lesson_ack_index(const ui_Lesson *l, const dh_Block *b);
/* Time spent in the module, this opening included. */
int64_t ui_lesson_time(const ui_App *app, const ui_Lesson *l);

/* lesson_blocks.c: draw the whole screen for this frame and react to it. */
void ui_lesson_draw(ui_App *app, ui_Lesson *l);
void ui_lesson_free_images(ui_Lesson *l);

#endif
