/* screens: the constructors of every screen of the player, in one place.
 *
 * Each screen lives in its own file under screens/ and exposes only its
 * constructor here; everything else about it is private. A constructor
 * returns a screen ready for ui_app_push/replace/reset (which take
 * ownership), or NULL when out of memory (the caller then stays where it
 * is). Arguments are indices into app->courses and the course's modules.
 */
#ifndef UI_SCREENS_H
#define UI_SCREENS_H

#include "app.h"

#include <stdbool.h>

/* signin.c: type or scan an id; new trainees register; language switch. */
ui_Screen *ui_signin_new(ui_App *app);
/* catalog.c: a card per course (and per broken package). */
ui_Screen *ui_catalog_new(ui_App *app);
/* settings.c: text size, high contrast, reduced motion (before or after sign-in). */
ui_Screen *ui_settings_new(ui_App *app);
/* outline.c (U2b): the modules of course `course` with status and locks.
 * resume = true: open at once the module the trainee was in, at the page
 * they were on (from its resume blob), as after a sign-in. */
ui_Screen *ui_outline_new(ui_App *app, int course, bool resume);
/* lesson.c (U2b): lesson module `module` of course `course`, through the
 * trainee's progress p (borrowed: the outline owns it and outlives the
 * lesson); resume: start at the stored page. */
ui_Screen *ui_lesson_new(ui_App *app, int course, int module, dh_Progress *p, bool resume);
/* quiz.c (issue 5): quiz module `module` of course `course` through the
 * trainee's progress p (borrowed, as for lessons): its start page (previous
 * attempts, grade, start/retry), one question per screen, results and
 * review. resume: continue the attempt in progress from its resume blob. */
ui_Screen *ui_quiz_new(ui_App *app, int course, int module, dh_Progress *p, bool resume);
/* exercise.c (issue 6): scenario module `module`: its briefing page
 * (earlier runs and their reviews, start/play again), the exercise itself
 * and the after-action review. resume: continue the run in progress. */
ui_Screen *ui_exercise_new(ui_App *app, int course, int module, dh_Progress *p, bool resume);
/* placeholder.c (U2b): quiz and scenario modules until their issues land:
 * says what the module is, never crashes. */
ui_Screen *ui_placeholder_new(ui_App *app, int course, int module);
/* attract.c (issue 8): what a kiosk shows when nobody is signed in: the
 * programme, "tap to start", rotating course highlights. */
ui_Screen *ui_attract_new(ui_App *app);
/* pinpad.c (issue 8): the admin PIN pad (masked digits, tries left,
 * lockout countdown); the right PIN opens the admin screen. */
ui_Screen *ui_pinpad_new(ui_App *app);
/* admin.c (issue 8): the training officer's screen: summary, install from
 * a folder, export records, settings, leave kiosk mode. */
ui_Screen *ui_admin_new(ui_App *app);

#endif
