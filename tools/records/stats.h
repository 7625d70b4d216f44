/* stats: item statistics for quizzes, as Moodle defines them.
 *
 * Instructors improve questions by looking at how they performed: too easy,
 * too hard, or answered better by weaker trainees than by stronger ones.
 * Officers who know Moodle's quiz statistics report should get the same
 * numbers from the same answers, so the formulas are Moodle's, term for
 * term (question/classes/statistics/questions/calculator.php and
 * mod/quiz/report/statistics/classes/calculator.php; RECORDS.md writes them
 * out). This module has two halves: dh_stats_compute is the arithmetic on a
 * table of marks, and the collector turns xAPI statements into that table
 * (which answers belong to which quiz attempt, which attempts count).
 * A value that cannot be computed (too few attempts, zero variance) is NAN,
 * shown as "-" and written as null, never as 0.
 */
#ifndef DH_RECORDS_STATS_H
#define DH_RECORDS_STATS_H

#include "error.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the arithmetic ------------------------------------------------------------- */

/* Statistics of one question over the attempts that contain it. */
typedef struct dh_ItemStats {
    int s;                  /* attempts containing the question */
    double max_mark;        /* its maximum mark */
    double mean;            /* mean mark x̄ */
    double facility;        /* 100 x̄ / max mark (percent; Moodle shows it so) */
    double sd;              /* standard deviation of the mark, S-1 (in marks) */
    double sd_percent;      /* 100 sd / max mark, as Moodle's report shows it */
    double discrimination;  /* 100 cov(x, X-x) / sqrt(var(x) var(X-x)) */
    double efficiency;      /* 100 cov(x, X-x) / covmax(x, X-x) */
} dh_ItemStats;

/* Statistics of the attempt totals X (sum of marks). */
typedef struct dh_TestStats {
    int s;                  /* attempts */
    int p;                  /* questions */
    double max_total;       /* sum of the questions' maximum marks; NAN unless complete */
    double mean, median;    /* of X */
    double sd;              /* S-1; NAN for s < 2 */
    double skewness;        /* Moodle's k3 / k2^(3/2); NAN for s < 3 or zero variance */
    double kurtosis;        /* Moodle's k4 / k2^2; NAN for s < 4 or zero variance */
    double cic;             /* coefficient of internal consistency (Cronbach's alpha), percent */
    double error_ratio;     /* 100 sqrt(1 - cic/100), percent */
    double standard_error;  /* error_ratio sd / 100, in marks */
    bool complete;          /* every attempt has every question (needed for cic) */
} dh_TestStats;

/* Compute everything from marks[a * p + i] (attempt a, question i; NAN
 * where attempt a did not contain question i) and max_marks[i]. items has
 * p entries. DH_EINVAL for s < 1 or p < 1, DH_ENOMEM. */
dh_Status dh_stats_compute(const double *marks, int s, int p, const double *max_marks,
                           dh_ItemStats *items, dh_TestStats *test, dh_Error *err);

/* ---- from statements -------------------------------------------------------------- */

/* Which of a trainee's attempts at a quiz count. */
typedef enum dh_StatsAttempts {
    DH_STATS_FIRST = 0, /* the first attempt of each trainee (default, as Moodle's) */
    DH_STATS_LAST,      /* the last */
    DH_STATS_ALL        /* every attempt */
} dh_StatsAttempts;

/* One question of a quiz, with its statistics. */
typedef struct dh_QuestionStats {
    const char *iri;     /* the question's activity id */
    const char *id;      /* the part after ".../questions/" (the author's id) */
    dh_ItemStats stats;
} dh_QuestionStats;

/* One quiz (one version of it) and its statistics. */
typedef struct dh_QuizStats {
    const char *quiz;        /* the quiz module's activity id */
    const char *revision;    /* course version (context.revision), "" if none */
    dh_StatsAttempts which;  /* which attempts were used */
    int trainees;            /* trainees with at least one attempt */
    int attempts_seen;       /* attempts found, before choosing first/last */
    dh_TestStats test;
    dh_QuestionStats *questions; /* in order of first appearance */
    int nquestions;
    int64_t unassigned;      /* answers that could not be put in a quiz attempt with
                              * certainty (no "attempted" before them, or a question
                              * answered twice in one attempt); see RECORDS.md */
    bool inconsistent_max;   /* a question had different maximum marks */
} dh_QuizStats;

typedef struct dh_StatsCollector dh_StatsCollector;

dh_Status dh_stats_collector_new(dh_StatsCollector **out, dh_Error *err);
void dh_stats_collector_free(dh_StatsCollector *c);
/* Feed statements in journal order (bundles in export order, each in file
 * order; de-duplicate first). Only quiz statements are used: "attempted"
 * of an assessment activity starts a quiz attempt in its registration,
 * and each "answered" of a cmi.interaction whose parent is that quiz adds
 * result.score.raw (out of result.score.max) to it. Anything else is
 * ignored; a malformed quiz statement is DH_EFORMAT naming its id. */
dh_Status dh_stats_collector_add(dh_StatsCollector *c, const cJSON *statement, dh_Error *err);
/* "answered" statements of an interaction that lacked what statistics need
 * (registration, parent quiz, account, result.score.raw and max). */
int64_t dh_stats_collector_unusable(const dh_StatsCollector *c);
/* The quizzes seen so far (activity ids, without duplicates), for messages. */
int dh_stats_collector_quizzes(const dh_StatsCollector *c, const char ***iris);
/* Compute the statistics of every quiz whose id matches filter (NULL:
 * all): the whole activity id, or its end "/modules/<ID>", or
 * "<course>/<module>" for ".../courses/<course>/modules/<module>". *out
 * receives *n entries, sorted by quiz id and revision (free with
 * dh_stats_free); quizzes with no usable attempt are left out. */
dh_Status dh_stats_collector_finish(dh_StatsCollector *c, const char *filter,
                                   dh_StatsAttempts which, dh_QuizStats **out, int *n,
                                   dh_Error *err);
void dh_stats_free(dh_QuizStats *q, int n);

#endif
