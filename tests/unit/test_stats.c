/* test_stats: Moodle's item statistics on cases small enough to do by hand.
 *
 * Every expected number below is worked out in the comment above it from
 * the definitions in RECORDS.md (Moodle's formulas), not taken from the
 * code under test. Then the collector: which answers make up a quiz
 * attempt, which attempts count (first, last, all), and what is left out
 * rather than guessed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define EPS 1e-9

static void near(double got, double want)
{
    if (isnan(want)) {
        if (!isnan(got)) fail_msg("got %.12g, want undefined (NAN)", got);
        return;
    }
    if (!(fabs(got - want) <= EPS * (1 + fabs(want)))) fail_msg("got %.12g, want %.12g", got, want);
}

/* Four attempts, three questions worth 1 mark each:
 *
 *        q1 q2 q3   X
 *   A     1  1  1   3
 *   B     1  1  0   2
 *   C     1  0  0   1
 *   D     0  0  0   0
 *
 * q1: x = 1,1,1,0, mean 0.75, facility 75%.
 *     var(x) = (3 * 0.25^2 + 0.75^2) / 3 = 0.75 / 3 = 0.25, sd 0.5 (50% of 1).
 *     X - x = 2,1,0,0, mean 0.75, var = (1.25^2 + 0.25^2 + 2 * 0.75^2) / 3 = 2.75/3.
 *     cov = (0.25*1.25 + 0.25*0.25 + 0.25*(-0.75) + (-0.75)(-0.75)) / 3 = 0.75/3 = 0.25.
 *     DI = 100 * 0.25 / sqrt(0.25 * 2.75/3) = 100 / sqrt(11/3) = 52.2232967867...
 *     covmax: x sorted 0,1,1,1 and X-x sorted 0,0,1,2 pair up exactly as
 *     they already do, so covmax = 0.25 and DE = 100.
 * q2: x = 1,1,0,0, mean 0.5, var = 4 * 0.25 / 3 = 1/3.
 *     X - x = 2,1,1,0, mean 1, var = (1 + 0 + 0 + 1) / 3 = 2/3.
 *     cov = (0.5*1 + 0.5*0 + (-0.5)*0 + (-0.5)(-1)) / 3 = 1/3.
 *     DI = 100 * (1/3) / sqrt(2/9) = 100 / sqrt(2) = 70.7106781187...; DE = 100.
 * q3: mirror image of q1: facility 25%, sd 0.5, DI 52.2232967867..., DE 100.
 * Test: X = 3,2,1,0. mean 1.5; median (1 + 2) / 2 = 1.5;
 *     sum of squares p2 = 2.25+0.25+0.25+2.25 = 5, sd = sqrt(5/3) = 1.2909944487...
 *     p3 = 0, so skewness 0.
 *     m2 = 5/4, m4 = (5.0625+0.0625+0.0625+5.0625)/4 = 2.5625, k2 = 4 m2 / 3 = 5/3,
 *     k4 = 16 ((5)(2.5625) - 3(3)(1.5625)) / (3*2*1) = 16 (-1.25) / 6 = -10/3,
 *     kurtosis = k4 / k2^2 = (-10/3) / (25/9) = -1.2.
 *     CIC = 100 * 3/2 * (1 - (0.25 + 1/3 + 0.25) / (5/3)) = 150 * 0.5 = 75%.
 *     error ratio = 100 sqrt(1 - 0.75) = 50%; standard error = 0.5 * sqrt(5/3). */
static void test_hand_computed(void **state)
{
    (void)state;
    const double marks[] = {1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0};
    const double max[] = {1, 1, 1};
    dh_ItemStats it[3];
    dh_TestStats t;
    assert_int_equal(dh_stats_compute(marks, 4, 3, max, it, &t, NULL), DH_OK);
    assert_int_equal(it[0].s, 4);
    near(it[0].mean, 0.75);
    near(it[0].facility, 75);
    near(it[0].sd, 0.5);
    near(it[0].sd_percent, 50);
    near(it[0].discrimination, 100 / sqrt(11.0 / 3));
    near(it[0].efficiency, 100);
    near(it[1].facility, 50);
    near(it[1].sd, sqrt(1.0 / 3));
    near(it[1].discrimination, 100 / sqrt(2.0));
    near(it[1].efficiency, 100);
    near(it[2].facility, 25);
    near(it[2].sd, 0.5);
    near(it[2].discrimination, 100 / sqrt(11.0 / 3));
    near(it[2].efficiency, 100);
    assert_int_equal(t.s, 4);
    assert_int_equal(t.p, 3);
    assert_true(t.complete);
    near(t.max_total, 3);
    near(t.mean, 1.5);
    near(t.median, 1.5);
    near(t.sd, sqrt(5.0 / 3));
    near(t.skewness, 0);
    near(t.kurtosis, -1.2);
    near(t.cic, 75);
    near(t.error_ratio, 50);
    near(t.standard_error, 0.5 * sqrt(5.0 / 3));
}

/* A question the weaker trainees get right:
 *
 *        q1 q2 q3   X
 *   A     0  1  1   2
 *   B     0  1  1   2
 *   C     1  0  0   1
 *   D     1  0  0   1
 *
 * q1: x = 0,0,1,1 (mean 0.5, var 1/3); X - x = 2,2,0,0 (mean 1, var 4/3);
 *     cov = ((-0.5)(1) * 2 + (0.5)(-1) * 2) / 3 = -2/3.
 *     DI = 100 (-2/3) / sqrt(4/9) = -100.
 *     covmax: x sorted 0,0,1,1 with X-x sorted 0,0,2,2: (0.5 * 4) / 3 = 2/3,
 *     so DE = 100 (-2/3) / (2/3) = -100.
 * Test: X = 2,2,1,1: mean 1.5, median 1.5, p2 = 1, sd = sqrt(1/3);
 *     p3 = 0: skewness 0; m2 = 0.25, m4 = 0.0625, k2 = 1/3,
 *     k4 = 16 (5 * 0.0625 - 9 * 0.0625) / 6 = -2/3, kurtosis = (-2/3) / (1/9) = -6.
 *     Item variances 1/3 each: CIC = 150 (1 - 1 / (1/3)) = -300%: a test whose
 *     questions measure opposite things. 1 - CIC/100 = 4: error ratio 200%. */
static void test_negative_discrimination(void **state)
{
    (void)state;
    const double marks[] = {0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0};
    const double max[] = {1, 1, 1};
    dh_ItemStats it[3];
    dh_TestStats t;
    assert_int_equal(dh_stats_compute(marks, 4, 3, max, it, &t, NULL), DH_OK);
    near(it[0].discrimination, -100);
    near(it[0].efficiency, -100);
    near(t.kurtosis, -6);
    near(t.cic, -300);
    near(t.error_ratio, 200);
    near(t.standard_error, 2 * sqrt(1.0 / 3));
}

/* One attempt: nothing that needs a spread can be computed.
 *   marks 1 and 0 out of 1 and 2: facilities 100% and 0%; mean = median = 1;
 *   sd, skewness, kurtosis, CIC, DI, DE undefined (S - 1 = 0). */
static void test_one_attempt(void **state)
{
    (void)state;
    const double marks[] = {1, 0};
    const double max[] = {1, 2};
    dh_ItemStats it[2];
    dh_TestStats t;
    assert_int_equal(dh_stats_compute(marks, 1, 2, max, it, &t, NULL), DH_OK);
    near(it[0].facility, 100);
    near(it[1].facility, 0);
    near(it[0].sd, NAN);
    near(it[0].discrimination, NAN);
    near(it[0].efficiency, NAN);
    near(t.mean, 1);
    near(t.median, 1);
    near(t.max_total, 3);
    near(t.sd, NAN);
    near(t.skewness, NAN);
    near(t.kurtosis, NAN);
    near(t.cic, NAN);
    near(t.error_ratio, NAN);
    near(t.standard_error, NAN);
}

/* Zero variance: three attempts all scoring 1 and 1.
 *   facility 100%, sd 0; var(x) var(X - x) = 0 and covmax = 0, so DI and DE
 *   are undefined (Moodle leaves them empty); test sd 0; k2 = 0, so skewness,
 *   kurtosis and CIC are undefined. */
static void test_zero_variance(void **state)
{
    (void)state;
    const double marks[] = {1, 1, 1, 1, 1, 1};
    const double max[] = {1, 1};
    dh_ItemStats it[2];
    dh_TestStats t;
    assert_int_equal(dh_stats_compute(marks, 3, 2, max, it, &t, NULL), DH_OK);
    near(it[0].facility, 100);
    near(it[0].sd, 0);
    near(it[0].discrimination, NAN);
    near(it[0].efficiency, NAN);
    near(t.mean, 2);
    near(t.median, 2);
    near(t.sd, 0);
    near(t.skewness, NAN);
    near(t.kurtosis, NAN);
    near(t.cic, NAN);
}

/* A question not in every attempt (random draw), and a question worth 0:
 *
 *        q1   q2   q3(max 0)   X
 *   A     1    -    0          1
 *   B     0    1    0          1
 *   C     1    1    0          2
 *
 * q1 over A, B, C: x = 1,0,1 (mean 2/3, var (1/9 + 4/9 + 1/9) / 2 = 1/3);
 *     X - x = 0,1,1 (mean 2/3, var 1/3);
 *     cov = ((1/3)(-2/3) + (-2/3)(1/3) + (1/3)(1/3)) / 2 = -1/6; DI = -50.
 * q2 over B, C only: x = 1,1, sd 0, DI undefined.
 * q3: facility undefined (maximum 0).
 * Test: the attempts had different questions: max_total and CIC undefined;
 *     X = 1,1,2: mean 4/3, median 1. */
static void test_missing_questions(void **state)
{
    (void)state;
    const double marks[] = {1, NAN, 0, 0, 1, 0, 1, 1, 0};
    const double max[] = {1, 1, 0};
    dh_ItemStats it[3];
    dh_TestStats t;
    assert_int_equal(dh_stats_compute(marks, 3, 3, max, it, &t, NULL), DH_OK);
    assert_int_equal(it[0].s, 3);
    assert_int_equal(it[1].s, 2);
    near(it[0].discrimination, -50);
    near(it[1].sd, 0);
    near(it[1].discrimination, NAN);
    near(it[2].facility, NAN);
    assert_false(t.complete);
    near(t.max_total, NAN);
    near(t.mean, 4.0 / 3);
    near(t.median, 1);
    near(t.cic, NAN);
    dh_Error err;
    assert_int_equal(dh_stats_compute(marks, 0, 3, max, it, &t, &err), DH_EINVAL);
}

/* ---- the collector ------------------------------------------------------------------ */

#define BASE "https://training.example.org/xapi/courses/c1/modules/"
#define REG1 "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e61"
#define REG2 "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e62"
#define REG3 "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e63"

static void add(dh_StatsCollector *c, const char *json)
{
    cJSON *st = cJSON_Parse(json);
    assert_non_null(st);
    dh_Error err;
    if (dh_stats_collector_add(c, st, &err) != DH_OK) fail_msg("%s", err.msg);
    cJSON_Delete(st);
}

static void attempted(dh_StatsCollector *c, const char *reg, const char *quiz)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/attempted\"},"
             "\"object\":{\"id\":\"" BASE "%s\",\"definition\":{\"type\":"
             "\"http://adlnet.gov/expapi/activities/assessment\"}},"
             "\"context\":{\"registration\":\"%s\",\"revision\":\"1.0.0\"}}",
             quiz, reg);
    add(c, buf);
}

static void answered(dh_StatsCollector *c, const char *who, const char *reg, const char *quiz,
                     const char *q, double raw, double max)
{
    char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"actor\":{\"account\":{\"homePage\":\"https://kiosk.example.org\",\"name\":\"%s\"}},"
             "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/answered\"},"
             "\"object\":{\"id\":\"" BASE "%s/questions/%s\",\"definition\":{\"type\":"
             "\"http://adlnet.gov/expapi/activities/cmi.interaction\"}},"
             "\"result\":{\"score\":{\"raw\":%g,\"min\":0,\"max\":%g}},"
             "\"context\":{\"registration\":\"%s\",\"revision\":\"1.0.0\","
             "\"contextActivities\":{\"parent\":[{\"id\":\"" BASE "%s\"}]}}}",
             who, quiz, q, raw, max, reg, quiz);
    add(c, buf);
}

/* Trainee T1 takes quiz "check" twice in one course attempt (0/2 then 2/2),
 * T2 once (1), T3 once (2). */
static dh_StatsCollector *sample(void)
{
    dh_StatsCollector *c;
    assert_int_equal(dh_stats_collector_new(&c, NULL), DH_OK);
    attempted(c, REG1, "check");
    answered(c, "T1", REG1, "check", "a", 0, 1);
    answered(c, "T1", REG1, "check", "b", 0, 1);
    attempted(c, REG2, "check");
    answered(c, "T2", REG2, "check", "a", 1, 1);
    answered(c, "T2", REG2, "check", "b", 0, 1);
    attempted(c, REG1, "check");
    answered(c, "T1", REG1, "check", "a", 1, 1);
    answered(c, "T1", REG1, "check", "b", 1, 1);
    attempted(c, REG3, "check");
    answered(c, "T3", REG3, "check", "b", 1, 1);
    answered(c, "T3", REG3, "check", "a", 1, 1);
    return c;
}

static void test_collector_attempts(void **state)
{
    (void)state;
    dh_StatsCollector *c = sample();
    dh_QuizStats *q;
    int n;
    dh_Error err;
    /* first attempts: T1 0, T2 1, T3 2 (question a: 0,1,1; b: 0,0,1) */
    assert_int_equal(dh_stats_collector_finish(c, NULL, DH_STATS_FIRST, &q, &n, &err), DH_OK);
    assert_int_equal(n, 1);
    assert_string_equal(q[0].quiz, BASE "check");
    assert_string_equal(q[0].revision, "1.0.0");
    assert_int_equal(q[0].trainees, 3);
    assert_int_equal(q[0].attempts_seen, 4);
    assert_int_equal(q[0].test.s, 3);
    assert_int_equal(q[0].nquestions, 2);
    assert_string_equal(q[0].questions[0].id, "a"); /* first seen first */
    near(q[0].questions[0].stats.facility, 200.0 / 3);
    near(q[0].questions[1].stats.facility, 100.0 / 3);
    near(q[0].test.mean, 1);
    assert_int_equal(q[0].unassigned, 0);
    dh_stats_free(q, n);
    /* last attempts: T1 2, T2 1, T3 2 */
    assert_int_equal(dh_stats_collector_finish(c, "check", DH_STATS_LAST, &q, &n, &err), DH_OK);
    assert_int_equal(n, 1);
    near(q[0].test.mean, 5.0 / 3);
    dh_stats_free(q, n);
    /* all four */
    assert_int_equal(dh_stats_collector_finish(c, "c1/check", DH_STATS_ALL, &q, &n, &err), DH_OK);
    assert_int_equal(q[0].test.s, 4);
    near(q[0].test.mean, 5.0 / 4);
    dh_stats_free(q, n);
    /* the filter must match a whole id segment */
    assert_int_equal(dh_stats_collector_finish(c, "eck", DH_STATS_ALL, &q, &n, &err), DH_OK);
    assert_int_equal(n, 0);
    dh_stats_free(q, n);
    assert_int_equal(dh_stats_collector_finish(c, BASE "check", DH_STATS_ALL, &q, &n, &err), DH_OK);
    assert_int_equal(n, 1);
    dh_stats_free(q, n);
    dh_stats_collector_free(c);
}

/* What cannot be placed in an attempt with certainty is left out, and said:
 * answers with no "attempted" before them, and an attempt answering the same
 * question twice; answers without a score are counted as unusable. */
static void test_collector_leaves_out(void **state)
{
    (void)state;
    dh_StatsCollector *c = sample();
    answered(c, "T4", "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e64", "check", "a", 1, 1); /* no attempted */
    attempted(c, "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e65", "check");
    answered(c, "T5", "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e65", "check", "a", 1, 1);
    answered(c, "T5", "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e65", "check", "a", 0, 1); /* again */
    add(c, "{\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/answered\"},"
           "\"object\":{\"id\":\"x\",\"definition\":{\"type\":"
           "\"http://adlnet.gov/expapi/activities/cmi.interaction\"}}}");
    add(c, "{\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/launched\"}}"); /* ignored */
    add(c, "[1,2]");                                                       /* ignored */
    dh_QuizStats *q;
    int n;
    assert_int_equal(dh_stats_collector_finish(c, NULL, DH_STATS_ALL, &q, &n, NULL), DH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(q[0].test.s, 4);     /* as before */
    assert_int_equal(q[0].unassigned, 3); /* T4's one answer, T5's two */
    assert_int_equal(dh_stats_collector_unusable(c), 1);
    dh_stats_free(q, n);
    dh_stats_collector_free(c);
}

/* The quiz screen numbers its attempts (context extension .../extensions/attempt):
 * then the number decides, whatever the order, and a question answered twice
 * in one attempt (an interactive check, then the submission) counts with its
 * last mark. T1: attempt 1 scores a=0, b=0; attempt 2 scores a=1 then, on
 * resubmission, b=1 after b=0: totals 0 and 2. */
static void answered_no(dh_StatsCollector *c, const char *who, const char *reg, const char *q,
                        double raw, int number)
{
    char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"actor\":{\"account\":{\"homePage\":\"https://kiosk.example.org\",\"name\":\"%s\"}},"
             "\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/answered\"},"
             "\"object\":{\"id\":\"" BASE "check/questions/%s\",\"definition\":{\"type\":"
             "\"http://adlnet.gov/expapi/activities/cmi.interaction\"}},"
             "\"result\":{\"score\":{\"raw\":%g,\"min\":0,\"max\":1}},"
             "\"context\":{\"registration\":\"%s\",\"revision\":\"1.0.0\","
             "\"contextActivities\":{\"parent\":[{\"id\":\"" BASE "check\"}]},"
             "\"extensions\":{\"https://training.example.org/xapi/extensions/attempt\":%d}}}",
             who, q, raw, reg, number);
    add(c, buf);
}

static void test_collector_numbered(void **state)
{
    (void)state;
    dh_StatsCollector *c;
    assert_int_equal(dh_stats_collector_new(&c, NULL), DH_OK);
    answered_no(c, "T1", REG1, "a", 0, 1);
    answered_no(c, "T1", REG1, "a", 1, 2);
    answered_no(c, "T1", REG1, "b", 0, 1);
    answered_no(c, "T1", REG1, "b", 0, 2);
    answered_no(c, "T1", REG1, "b", 1, 2); /* the same attempt again: last mark */
    dh_QuizStats *q;
    int n;
    assert_int_equal(dh_stats_collector_finish(c, NULL, DH_STATS_ALL, &q, &n, NULL), DH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(q[0].unassigned, 0);
    assert_int_equal(q[0].test.s, 2);
    near(q[0].test.mean, 1);   /* (0 + 2) / 2 */
    near(q[0].test.median, 1);
    dh_stats_free(q, n);
    assert_int_equal(dh_stats_collector_finish(c, NULL, DH_STATS_LAST, &q, &n, NULL), DH_OK);
    near(q[0].test.mean, 2);
    dh_stats_free(q, n);
    dh_stats_collector_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_negative_discrimination),
        cmocka_unit_test(test_one_attempt),
        cmocka_unit_test(test_zero_variance),
        cmocka_unit_test(test_missing_questions),
        cmocka_unit_test(test_collector_attempts),
        cmocka_unit_test(test_collector_leaves_out),
        cmocka_unit_test(test_collector_numbered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
