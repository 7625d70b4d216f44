/* completion: what a trainee's module progress means for the course.
 *
 * The course manifest states the rules (cmi5's moveOn and masteryScore,
 * required modules, prerequisites); this is the one place that applies
 * them. It is pure: progress goes in, a verdict comes out, no database and
 * no clock, so the player's outline, the store's course status and the
 * records' summaries cannot disagree, and every rule has a unit test. The
 * rules are written out for people in engine/core/XAPI.md, "Completion
 * rules".
 */
#ifndef DH_COMPLETION_H
#define DH_COMPLETION_H

#include "course.h"

#include <stdbool.h>

/* The status words the store and the reports use. */
typedef enum dh_ProgressStatus {
    DH_PROGRESS_NOT_ATTEMPTED,
    DH_PROGRESS_IN_PROGRESS,
    DH_PROGRESS_COMPLETED,
    DH_PROGRESS_PASSED,
    DH_PROGRESS_FAILED
} dh_ProgressStatus;

/* What is known about one module for one trainee in one registration. */
typedef struct dh_ModuleProgress {
    bool attempted;    /* opened at least once */
    bool completed;    /* lesson: read through, every acknowledgement given; quiz: an
                        * attempt submitted; scenario: an ending reached (whatever the grade) */
    bool passed;       /* quiz or scenario: its grade reaches its own pass mark */
    bool failed_final; /* quiz or scenario: not passed and can no longer be (no attempts
                        * left, or a grade method that has fixed the grade) */
    bool has_score;    /* quiz or scenario: graded at least once */
    double scaled;     /* the grade that counts (grade method applied), 0..1 */
} dh_ModuleProgress;

/* The verdict for the course. */
typedef struct dh_CourseProgress {
    dh_ProgressStatus status; /* one word for the outline and the records */
    bool satisfied;           /* moveOn is met: the course counts as done */
    bool completed;           /* every required module is done */
    bool passed;              /* the passing rule is met (never without a gradable module) */
    bool failed;              /* the passing rule can no longer be met */
    bool has_score;           /* some required gradable module has a grade */
    double scaled;            /* mean grade of the required gradable modules (ungraded count 0) */
    int required;             /* required modules */
    int required_done;        /* of which done (completed or passed) */
    int gradable;             /* required quizzes and scenarios */
    int graded;               /* of which graded at least once */
} dh_CourseProgress;

/* A module counts as done for prerequisites and course completion when it
 * is completed or passed. */
bool dh_completion_module_done(const dh_ModuleProgress *p);

/* True if module i of c may be started: each of its direct prerequisites is
 * done. progress has c->nmodules entries. */
bool dh_completion_unlocked(const dh_Course *c, const dh_ModuleProgress *progress, int i);

/* Apply c's rules to progress (c->nmodules entries). launched says whether
 * the trainee has launched the course in this registration (cmi5: moveOn
 * NotApplicable is satisfied at launch). */
void dh_completion_evaluate(const dh_Course *c, const dh_ModuleProgress *progress, bool launched,
                            dh_CourseProgress *out);

/* "not attempted", "in progress", "completed", "passed", "failed". */
const char *dh_progress_status_name(dh_ProgressStatus s);

#endif
