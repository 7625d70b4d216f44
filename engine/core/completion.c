/* completion: the course rules, applied in one pass over the modules.
 *
 * The rules follow cmi5's moveOn vocabulary at the level of the whole
 * course: "completed" means every required module is done, "passed" means
 * the grades meet the bar (masteryScore over the required quizzes and
 * scenarios when the course sets one, otherwise each of them passed on its
 * own), and moveOn says which of the two make the course count. "Failed" is
 * only declared when passing has become impossible, never merely because
 * the trainee has not finished yet. Progress comes from a database that may
 * have been written by an older build, so odd values (a grade outside 0..1,
 * "passed" and "failed for good" at once) are normalised, never trusted.
 */
#include "completion.h"

#include <math.h>

/* Averages of grades such as (0.7 + 0.9) / 2 must meet a 0.8 bar. */
#define SCORE_EPS 1e-9

const char *dh_progress_status_name(dh_ProgressStatus s)
{
    static const char *const names[] = {"not attempted", "in progress", "completed", "passed", "failed"};
    DH_ASSERT(s >= DH_PROGRESS_NOT_ATTEMPTED && s <= DH_PROGRESS_FAILED);
    return names[s];
}

bool dh_completion_module_done(const dh_ModuleProgress *p)
{
    return p->completed || p->passed;
}

bool dh_completion_unlocked(const dh_Course *c, const dh_ModuleProgress *progress, int i)
{
    DH_ASSERT(i >= 0 && i < c->nmodules);
    const dh_Module *m = &c->modules[i];
    for (int k = 0; k < m->nprereqs; k++) {
        int p = m->prereqs[k];
        DH_ASSERT(p >= 0 && p < c->nmodules);
        if (!dh_completion_module_done(&progress[p])) return false;
    }
    return true;
}

static bool gradable(const dh_Module *m)
{
    return m->kind == DH_MODULE_QUIZ || m->kind == DH_MODULE_SCENARIO;
}

void dh_completion_evaluate(const dh_Course *c, const dh_ModuleProgress *progress, bool launched,
                            dh_CourseProgress *out)
{
    *out = (dh_CourseProgress){0};
    bool activity = false;
    int npassed = 0, nfinal = 0;
    double sum = 0, final_sum = 0;

    for (int i = 0; i < c->nmodules; i++) {
        const dh_ModuleProgress *p = &progress[i];
        bool scored = p->has_score && isfinite(p->scaled);
        double scaled = !scored ? 0 : p->scaled < 0 ? 0 : p->scaled > 1 ? 1 : p->scaled;
        bool failed_final = p->failed_final && !p->passed; /* a pass, once earned, stands */
        activity |= p->attempted || p->completed || p->passed || scored;
        if (!c->modules[i].required) continue; /* optional modules never count */

        out->required++;
        out->required_done += dh_completion_module_done(p);
        if (!gradable(&c->modules[i])) continue;
        out->gradable++;
        out->graded += scored;
        sum += scaled;
        npassed += p->passed;
        if (failed_final) {
            nfinal++;
            final_sum += scaled;
        }
    }

    /* A course without required modules can never be completed: lint says
     * so as an error, and this must agree with it rather than call an empty
     * list of duties done. */
    out->completed = out->required > 0 && out->required_done == out->required;
    out->has_score = out->graded > 0;
    out->scaled = out->gradable > 0 ? sum / out->gradable : 0;

    if (out->gradable > 0) {
        if (c->mastery_score >= 0) {
            /* The mean of all required gradable modules meets the bar, once
             * each has a grade. It has failed when even full marks on every
             * module not yet final would leave the mean below it. */
            double best = (final_sum + (out->gradable - nfinal)) / out->gradable;
            out->passed = out->graded == out->gradable && out->scaled >= c->mastery_score - SCORE_EPS;
            out->failed = !out->passed && best < c->mastery_score - SCORE_EPS;
        } else {
            out->passed = npassed == out->gradable;
            out->failed = nfinal > 0;
        }
    }

    bool needs_pass = false, work = false;
    switch (c->move_on) {
    case DH_MOVEON_COMPLETED:
        out->satisfied = work = out->completed;
        break;
    case DH_MOVEON_PASSED:
        out->satisfied = work = out->passed;
        needs_pass = true;
        break;
    case DH_MOVEON_COMPLETED_AND_PASSED:
        out->satisfied = work = out->completed && out->passed;
        needs_pass = true;
        break;
    case DH_MOVEON_COMPLETED_OR_PASSED:
        out->satisfied = work = out->completed || out->passed;
        break;
    case DH_MOVEON_NOT_APPLICABLE:
        /* cmi5: satisfied at launch. The status still reports the work. */
        out->satisfied = launched;
        work = out->completed;
        break;
    }

    if (out->failed && needs_pass) out->status = DH_PROGRESS_FAILED;
    else if (work) out->status = out->passed ? DH_PROGRESS_PASSED : DH_PROGRESS_COMPLETED;
    else if (activity || launched) out->status = DH_PROGRESS_IN_PROGRESS;
    else out->status = DH_PROGRESS_NOT_ATTEMPTED;
}
