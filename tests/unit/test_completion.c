/* test_completion: every course completion rule, one case at a time.
 *
 * Courses are built in memory (the rules need only module kinds, required
 * flags, prerequisites, moveOn and masteryScore), progress is set by hand,
 * and each test states the rule it checks in its name. The rules are
 * written out for people in engine/core/XAPI.md, "Completion rules".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "completion.h"

#include <math.h>
#include <string.h>

enum { L1, L2, Q1, S1, OPT, NMOD };

/* intro lessons L1, L2; quiz Q1 needs L1; scenario S1 needs L1 and L2;
 * an optional quiz OPT. */
static const int q1_prereqs[] = {L1};
static const int s1_prereqs[] = {L1, L2};
static const int opt_prereqs[] = {Q1};

static dh_Module mods[NMOD];
static dh_Course course;
static dh_ModuleProgress prog[NMOD];

static void make(dh_MoveOn move_on, double mastery)
{
    memset(mods, 0, sizeof mods);
    memset(prog, 0, sizeof prog);
    mods[L1] = (dh_Module){.id = "l1", .kind = DH_MODULE_LESSON, .required = true};
    mods[L2] = (dh_Module){.id = "l2", .kind = DH_MODULE_LESSON, .required = true};
    mods[Q1] = (dh_Module){.id = "q1", .kind = DH_MODULE_QUIZ, .required = true, .prereqs = q1_prereqs, .nprereqs = 1};
    mods[S1] =
        (dh_Module){.id = "s1", .kind = DH_MODULE_SCENARIO, .required = true, .prereqs = s1_prereqs, .nprereqs = 2};
    mods[OPT] = (dh_Module){.id = "opt", .kind = DH_MODULE_QUIZ, .required = false, .prereqs = opt_prereqs, .nprereqs = 1};
    course = (dh_Course){.id = "org.example.c", .move_on = move_on, .mastery_score = mastery, .modules = mods,
                         .nmodules = NMOD};
}

static dh_CourseProgress eval(void)
{
    dh_CourseProgress p;
    dh_completion_evaluate(&course, prog, true, &p);
    return p;
}

static void lessons_done(void)
{
    prog[L1] = (dh_ModuleProgress){.attempted = true, .completed = true};
    prog[L2] = (dh_ModuleProgress){.attempted = true, .completed = true};
}

static void graded(int m, double scaled, bool passed)
{
    prog[m] = (dh_ModuleProgress){.attempted = true, .completed = true, .passed = passed, .has_score = true,
                                  .scaled = scaled};
}

static void failed_final(int m, double scaled)
{
    graded(m, scaled, false);
    prog[m].failed_final = true;
}

/* ---- modules ------------------------------------------------------------------- */

static void test_done_means_completed_or_passed(void **state)
{
    (void)state;
    assert_false(dh_completion_module_done(&(dh_ModuleProgress){.attempted = true}));
    assert_true(dh_completion_module_done(&(dh_ModuleProgress){.completed = true}));
    assert_true(dh_completion_module_done(&(dh_ModuleProgress){.passed = true}));
    assert_true(dh_completion_module_done(&(dh_ModuleProgress){.completed = true, .failed_final = true}));
}

static void test_unlocking_follows_direct_prerequisites(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    assert_true(dh_completion_unlocked(&course, prog, L1)); /* no prerequisites */
    assert_true(dh_completion_unlocked(&course, prog, L2));
    assert_false(dh_completion_unlocked(&course, prog, Q1));
    prog[L1].attempted = true; /* opened is not done */
    assert_false(dh_completion_unlocked(&course, prog, Q1));
    prog[L1].completed = true;
    assert_true(dh_completion_unlocked(&course, prog, Q1));
    assert_false(dh_completion_unlocked(&course, prog, S1)); /* needs L2 as well */
    prog[L2].completed = true;
    assert_true(dh_completion_unlocked(&course, prog, S1));
}

static void test_a_passed_quiz_unlocks_even_if_not_marked_completed(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    assert_false(dh_completion_unlocked(&course, prog, OPT));
    prog[Q1] = (dh_ModuleProgress){.attempted = true, .passed = true, .has_score = true, .scaled = 0.9};
    assert_true(dh_completion_unlocked(&course, prog, OPT));
}

static void test_a_finished_but_failed_quiz_unlocks(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    graded(Q1, 0.2, false);
    assert_true(dh_completion_unlocked(&course, prog, OPT));
}

static void test_prerequisites_are_not_transitive(void **state)
{
    (void)state;
    /* Q1 done from an earlier version while L1 is not: OPT depends only on Q1. */
    make(DH_MOVEON_COMPLETED, -1);
    graded(Q1, 1, true);
    assert_false(dh_completion_unlocked(&course, prog, Q1));
    assert_true(dh_completion_unlocked(&course, prog, OPT));
}

/* ---- status ------------------------------------------------------------------------- */

static void test_nothing_done_is_not_attempted(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    dh_CourseProgress p;
    dh_completion_evaluate(&course, prog, false, &p);
    assert_int_equal(p.status, DH_PROGRESS_NOT_ATTEMPTED);
    assert_false(p.satisfied || p.completed || p.passed || p.failed || p.has_score);
    assert_int_equal(p.required, 4);
    assert_int_equal(p.required_done, 0);
    assert_int_equal(p.gradable, 2);
    assert_int_equal(p.graded, 0);
}

static void test_launch_or_any_activity_is_in_progress(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    assert_int_equal(eval().status, DH_PROGRESS_IN_PROGRESS); /* launched */
    dh_CourseProgress p;
    prog[OPT].attempted = true; /* even an optional module shows the course was begun */
    dh_completion_evaluate(&course, prog, false, &p);
    assert_int_equal(p.status, DH_PROGRESS_IN_PROGRESS);
}

static void test_completed_needs_every_required_module(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    lessons_done();
    graded(Q1, 1, true);
    dh_CourseProgress p = eval();
    assert_false(p.completed);
    assert_int_equal(p.required_done, 3);
    graded(S1, 1, true);
    p = eval();
    assert_true(p.completed && p.satisfied);
}

static void test_optional_modules_are_ignored(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED_AND_PASSED, 0.8);
    lessons_done();
    graded(Q1, 0.9, true);
    graded(S1, 0.9, true);
    failed_final(OPT, 0); /* an optional quiz failed for good changes nothing */
    dh_CourseProgress p = eval();
    assert_true(p.completed && p.passed && p.satisfied);
    assert_false(p.failed);
    assert_int_equal(p.status, DH_PROGRESS_PASSED);
    assert_true(fabs(p.scaled - 0.9) < 1e-12); /* not pulled down by OPT */
    assert_int_equal(p.required, 4);
    assert_int_equal(p.gradable, 2);
}

static void test_no_required_modules_never_completes(void **state)
{
    (void)state;
    /* Lint reports this course as an error; the rules agree it can never be completed. */
    make(DH_MOVEON_COMPLETED, -1);
    for (int i = 0; i < NMOD; i++) {
        mods[i].required = false;
        prog[i] = (dh_ModuleProgress){.attempted = true, .completed = true, .passed = true};
    }
    dh_CourseProgress p = eval();
    assert_false(p.completed || p.satisfied || p.passed);
    assert_int_equal(p.status, DH_PROGRESS_IN_PROGRESS);
    assert_int_equal(p.required, 0);
}

static void test_no_modules_at_all(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    course.nmodules = 0;
    dh_CourseProgress p = eval();
    assert_false(p.completed || p.satisfied || p.passed || p.failed);
    course.move_on = DH_MOVEON_NOT_APPLICABLE;
    p = eval();
    assert_true(p.satisfied);
}

/* ---- moveOn -------------------------------------------------------------------------- */

static void test_move_on_completed_ignores_grades(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    lessons_done();
    failed_final(Q1, 0.1);
    graded(S1, 1, true);
    dh_CourseProgress p = eval();
    assert_true(p.completed && p.satisfied);
    assert_true(p.failed); /* reported, but it does not stop the course counting */
    assert_int_equal(p.status, DH_PROGRESS_COMPLETED);
}

static void test_move_on_completed_with_passes_reports_passed(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED, -1);
    lessons_done();
    graded(Q1, 1, true);
    graded(S1, 1, true);
    assert_int_equal(eval().status, DH_PROGRESS_PASSED);
}

static void test_move_on_passed_needs_no_lessons(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, -1);
    graded(Q1, 1, true);
    graded(S1, 1, true);
    dh_CourseProgress p = eval();
    assert_false(p.completed);
    assert_true(p.passed && p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_PASSED);
}

static void test_move_on_passed_fails_when_a_module_fails_for_good(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, -1);
    lessons_done();
    graded(Q1, 1, true);
    failed_final(S1, 0.3);
    dh_CourseProgress p = eval();
    assert_true(p.failed && !p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_FAILED);
}

static void test_a_failed_attempt_with_attempts_left_is_not_failure(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED_AND_PASSED, -1);
    lessons_done();
    graded(Q1, 0.4, false); /* can try again */
    graded(S1, 1, true);
    dh_CourseProgress p = eval();
    assert_true(p.completed);
    assert_false(p.passed || p.failed || p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_IN_PROGRESS);
}

static void test_completed_and_passed_needs_both(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED_AND_PASSED, -1);
    graded(Q1, 1, true);
    graded(S1, 1, true);
    dh_CourseProgress p = eval(); /* passed, lessons not read */
    assert_true(p.passed && !p.completed && !p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_IN_PROGRESS);
    lessons_done();
    p = eval();
    assert_true(p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_PASSED);
}

static void test_completed_and_passed_fails_on_a_final_failure(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED_AND_PASSED, -1);
    lessons_done();
    failed_final(Q1, 0.2);
    dh_CourseProgress p = eval();
    assert_true(p.failed && !p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_FAILED);
}

static void test_completed_or_passed_takes_either(void **state)
{
    (void)state;
    make(DH_MOVEON_COMPLETED_OR_PASSED, -1);
    graded(Q1, 1, true);
    graded(S1, 1, true);
    dh_CourseProgress p = eval(); /* passed alone */
    assert_true(p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_PASSED);

    make(DH_MOVEON_COMPLETED_OR_PASSED, -1);
    lessons_done();
    failed_final(Q1, 0.2);
    p = eval(); /* not completed yet (S1), and passing is impossible: still in progress */
    assert_true(p.failed && !p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_IN_PROGRESS);
    graded(S1, 1, true);
    p = eval(); /* completed alone */
    assert_true(p.satisfied && p.failed);
    assert_int_equal(p.status, DH_PROGRESS_COMPLETED);
}

static void test_not_applicable_is_satisfied_at_launch(void **state)
{
    (void)state;
    make(DH_MOVEON_NOT_APPLICABLE, -1);
    dh_CourseProgress p;
    dh_completion_evaluate(&course, prog, false, &p);
    assert_false(p.satisfied); /* not launched yet */
    assert_int_equal(p.status, DH_PROGRESS_NOT_ATTEMPTED);
    p = eval();
    assert_true(p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_IN_PROGRESS); /* the status still tells the work */
    lessons_done();
    failed_final(Q1, 0);
    graded(S1, 1, true);
    p = eval();
    assert_true(p.satisfied && p.completed && p.failed);
    assert_int_equal(p.status, DH_PROGRESS_COMPLETED); /* a failure does not undo NotApplicable */
}

/* ---- grades ------------------------------------------------------------------------------ */

static void test_without_mastery_every_gradable_module_must_pass(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, -1);
    graded(Q1, 0.6, true); /* its own pass mark is 0.6 */
    assert_false(eval().passed);
    graded(S1, 0.5, true);
    dh_CourseProgress p = eval();
    assert_true(p.passed);
    assert_true(fabs(p.scaled - 0.55) < 1e-12);
}

static void test_mastery_uses_the_mean_not_each_pass(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, 0.67);
    graded(Q1, 0.5, false); /* below its own pass mark */
    graded(S1, 0.84, true);
    dh_CourseProgress p = eval(); /* (0.5 + 0.84) / 2 is 0.67, though doubles make it 0.66999... */
    assert_true(p.passed && p.satisfied);
    assert_false(p.failed);

    course.mastery_score = 0.8;
    graded(Q1, 0.7, true);
    graded(S1, 0.8, true); /* both passed on their own, mean 0.75 */
    p = eval();
    assert_false(p.passed);
    assert_false(p.failed); /* neither is final: the trainee can still raise them */
}

static void test_mastery_exactly_at_the_bar_passes(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, 0.75);
    graded(Q1, 0.75, true);
    graded(S1, 0.75, true);
    assert_true(eval().passed);
    make(DH_MOVEON_PASSED, 0);
    graded(Q1, 0, false);
    graded(S1, 0, false);
    assert_true(eval().passed); /* a zero bar is met by any grade, once all are in */
}

static void test_mastery_waits_for_every_grade(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, 0.5);
    graded(Q1, 1, true);
    dh_CourseProgress p = eval(); /* S1 not graded: counts 0 in the mean, and blocks passing */
    assert_false(p.passed || p.failed);
    assert_true(p.has_score);
    assert_true(fabs(p.scaled - 0.5) < 1e-12);
    assert_int_equal(p.graded, 1);
}

static void test_mastery_fails_when_full_marks_could_not_reach_it(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, 0.8);
    failed_final(Q1, 0.7); /* best possible: (0.7 + 1) / 2 = 0.85 */
    assert_false(eval().failed);
    failed_final(Q1, 0.5); /* best possible: (0.5 + 1) / 2 = 0.75 < 0.8 */
    dh_CourseProgress p = eval();
    assert_true(p.failed && !p.passed);
    assert_int_equal(p.status, DH_PROGRESS_FAILED);
    failed_final(Q1, 0.6); /* best possible exactly 0.8: not failed yet */
    assert_false(eval().failed);
    course.mastery_score = 0.91;
    failed_final(Q1, 0.82); /* best (0.82 + 1) / 2 is 0.91, though doubles make it 0.90999... */
    assert_false(eval().failed);
}

static void test_lessons_have_no_grade(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, 0.8);
    prog[L1] = (dh_ModuleProgress){.completed = true, .has_score = true, .scaled = 0}; /* ignored */
    graded(Q1, 0.8, true);
    graded(S1, 0.8, true);
    dh_CourseProgress p = eval();
    assert_true(p.passed);
    assert_int_equal(p.gradable, 2);
}

static void test_no_gradable_module_never_passes_or_fails(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, 0.8);
    mods[Q1].required = false;
    mods[S1].required = false;
    lessons_done();
    dh_CourseProgress p = eval();
    assert_true(p.completed);
    assert_false(p.passed || p.failed || p.has_score || p.satisfied); /* lint: an error for moveOn Passed */
    assert_int_equal(p.status, DH_PROGRESS_IN_PROGRESS);
    course.move_on = DH_MOVEON_COMPLETED;
    p = eval();
    assert_true(p.satisfied);
    assert_int_equal(p.status, DH_PROGRESS_COMPLETED);
}

static void test_odd_progress_is_normalised(void **state)
{
    (void)state;
    make(DH_MOVEON_PASSED, 0.8);
    graded(Q1, 1.7, true); /* counted as 1 */
    graded(S1, -3, false); /* counted as 0 */
    dh_CourseProgress p = eval();
    assert_true(fabs(p.scaled - 0.5) < 1e-12);
    graded(S1, NAN, false); /* not a grade at all */
    p = eval();
    assert_int_equal(p.graded, 1);
    assert_false(p.passed);
    /* "passed" and "failed for good" together: the pass stands. */
    make(DH_MOVEON_PASSED, -1);
    graded(Q1, 1, true);
    graded(S1, 1, true);
    prog[S1].failed_final = true;
    p = eval();
    assert_true(p.passed && !p.failed);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(dh_progress_status_name(DH_PROGRESS_NOT_ATTEMPTED), "not attempted");
    assert_string_equal(dh_progress_status_name(DH_PROGRESS_IN_PROGRESS), "in progress");
    assert_string_equal(dh_progress_status_name(DH_PROGRESS_COMPLETED), "completed");
    assert_string_equal(dh_progress_status_name(DH_PROGRESS_PASSED), "passed");
    assert_string_equal(dh_progress_status_name(DH_PROGRESS_FAILED), "failed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_done_means_completed_or_passed),
        cmocka_unit_test(test_unlocking_follows_direct_prerequisites),
        cmocka_unit_test(test_a_passed_quiz_unlocks_even_if_not_marked_completed),
        cmocka_unit_test(test_a_finished_but_failed_quiz_unlocks),
        cmocka_unit_test(test_prerequisites_are_not_transitive),
        cmocka_unit_test(test_nothing_done_is_not_attempted),
        cmocka_unit_test(test_launch_or_any_activity_is_in_progress),
        cmocka_unit_test(test_completed_needs_every_required_module),
        cmocka_unit_test(test_optional_modules_are_ignored),
        cmocka_unit_test(test_no_required_modules_never_completes),
        cmocka_unit_test(test_no_modules_at_all),
        cmocka_unit_test(test_move_on_completed_ignores_grades),
        cmocka_unit_test(test_move_on_completed_with_passes_reports_passed),
        cmocka_unit_test(test_move_on_passed_needs_no_lessons),
        cmocka_unit_test(test_move_on_passed_fails_when_a_module_fails_for_good),
        cmocka_unit_test(test_a_failed_attempt_with_attempts_left_is_not_failure),
        cmocka_unit_test(test_completed_and_passed_needs_both),
        cmocka_unit_test(test_completed_and_passed_fails_on_a_final_failure),
        cmocka_unit_test(test_completed_or_passed_takes_either),
        cmocka_unit_test(test_not_applicable_is_satisfied_at_launch),
        cmocka_unit_test(test_without_mastery_every_gradable_module_must_pass),
        cmocka_unit_test(test_mastery_uses_the_mean_not_each_pass),
        cmocka_unit_test(test_mastery_exactly_at_the_bar_passes),
        cmocka_unit_test(test_mastery_waits_for_every_grade),
        cmocka_unit_test(test_mastery_fails_when_full_marks_could_not_reach_it),
        cmocka_unit_test(test_lessons_have_no_grade),
        cmocka_unit_test(test_no_gradable_module_never_passes_or_fails),
        cmocka_unit_test(test_odd_progress_is_normalised),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
