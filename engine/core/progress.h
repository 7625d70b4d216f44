/* progress: one trainee's progress through one course, kept and recorded.
 *
 * Screens report what the trainee did to a module (a page read, an answer,
 * a decision, a quiz submitted) as a new module state plus the xAPI
 * statements that describe it. This layer re-applies the course's completion
 * rules (completion.c), adds the course-level statements the change causes
 * (completed, passed, failed), and writes all of it in ONE store commit, so
 * the journal never says more or less than the progress it sits beside, and
 * nothing is confirmed to the screen before the commit has returned.
 */
#ifndef DH_PROGRESS_H
#define DH_PROGRESS_H

#include "completion.h"
#include "course.h"
#include "store.h"
#include "xapi.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct dh_Progress {
    dh_Store *store;                  /* not owned */
    const dh_Course *course;          /* not owned; must outlive the progress */
    dh_XapiConfig xapi;               /* copy of the caller's configuration */
    dh_Trainee trainee;               /* who */
    dh_Enrolment enrolment;           /* the current attempt at the course */
    dh_ModuleProgress *modules;       /* course->nmodules entries, as stored */
    dh_ModuleState *states;           /* the same modules' stored states (no resume blobs) */
    dh_CourseProgress verdict;        /* the course rules applied to `modules` */
    bool launched;                    /* something was recorded in this attempt */
} dh_Progress;

/* Open the trainee's current attempt at course (creating attempt 1 on first
 * use) and load every module's state. The trainee must exist. Free with
 * dh_progress_close. */
dh_Status dh_progress_open(dh_Progress **out, dh_Store *store, const dh_Course *course,
                           const dh_XapiConfig *xapi, const char *trainee_id, dh_Error *err);
/* Free; NULL is a no-op. Nothing is written. */
void dh_progress_close(dh_Progress *p);

/* A statement context for this trainee, course and attempt, concerning
 * module `module` (-1 for the course), for the xapi builders. */
dh_XapiContext dh_progress_context(const dh_Progress *p, int module);

/* Record a change: module `module` (-1: none) takes `state` (its module_id
 * is filled in here; status DH_PROGRESS_FAILED means it can no longer be
 * passed), the course verdict is re-evaluated, and the n statements plus any
 * course statements the change causes (completed / passed / failed, built at
 * now_ms) are committed with it in one transaction. The statements are
 * consumed (freed) whether or not the commit succeeds. On failure nothing is
 * written and p is unchanged. */
dh_Status dh_progress_record(dh_Progress *p, int module, const dh_ModuleState *state,
                             dh_XapiStatement *statements, int n, int64_t now_ms, dh_Error *err);

#endif
