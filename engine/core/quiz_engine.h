/* quiz_engine: taking a quiz — scoring, attempts, feedback and resume.
 *
 * quiz.c guarantees a model in which every reference resolves; this module
 * runs it. Scoring follows Moodle question type by question type, so an
 * instructor who knows Moodle gets the marks they expect (see FORMAT.md,
 * "Scoring"). An attempt is a small state machine: start draws and shuffles
 * with a seeded PRNG (the seed is stored, so a resumed or reviewed attempt
 * shows the same order), answers are validated and copied, interactive
 * questions are checked try by try, submit grades everything. The clock is
 * passed in (now_ms), never read, so time limits are testable. An attempt
 * serializes to compact JSON for the store's resume blob; restoring treats
 * the blob as hostile, since it comes from a database that may be damaged.
 */
#ifndef DH_QUIZ_ENGINE_H
#define DH_QUIZ_ENGINE_H

#include "error.h"
#include "quiz.h"
#include "xapi.h"

#include <stdbool.h>
#include <stdint.h>

#define DH_QUIZ_MAX_TEXT 1000 /* bytes of a typed (short answer) response */
#define DH_QUIZ_LANG_MAX 36   /* bytes of a language tag, NUL included */

/* Moodle's graded states; UNANSWERED and ANSWERED are not graded yet. */
typedef enum dh_QuestionState {
    DH_QSTATE_UNANSWERED, /* nothing saved */
    DH_QSTATE_ANSWERED,   /* saved, not graded (deferred, or interactive before a check) */
    DH_QSTATE_WRONG,      /* fraction 0 */
    DH_QSTATE_PARTIAL,    /* 0 < fraction < 1 */
    DH_QSTATE_RIGHT       /* fraction 1 */
} dh_QuestionState;

/* A trainee's response to one question. `type` must be the question's type
 * (a mismatch is a caller bug reported as DH_EINVAL). Fields by type:
 *   single, multiple: items = indices into u.choice.choices (single: 0 or 1)
 *   hottext:          items = indices into u.choice.spans
 *   ordering:         items = u.ordering.items indices in the trainee's order
 *   matching:         items[p] = answer index for prompt p, or -1 (nitems = nprompts)
 *   gapselect:        items[g] = choice index in gap g, or -1 (nitems = ngaps)
 *   truefalse:        value
 *   short:            text (UTF-8, at most DH_QUIZ_MAX_TEXT bytes)
 *   numeric:          number as typed; unit = index into u.numeric.units, -1 none
 *   hotspot:          clicks = x,y pairs in image coordinates (nclicks pairs)
 * Pointers are borrowed on input; the attempt keeps its own copy. */
typedef struct dh_QuizResponse {
    dh_QuestionType type;
    const int *items;
    int nitems;
    bool value;
    const char *text;
    bool has_number; /* numeric: false when nothing was typed */
    double number;
    int unit;
    const double *clicks;
    int nclicks;
} dh_QuizResponse;

typedef struct dh_QuizSlot {
    int question;             /* index into quiz->questions */
    int section;              /* index into quiz->sections */
    int *order;               /* shown order of choices/answers/items (indices), NULL when fixed */
    int norder;
    bool answered;            /* response holds something */
    dh_QuizResponse response; /* the attempt's own copy (in `mem`) */
    void *mem;                /* owns response's arrays and text */
    int tries;                /* interactive: tries checked so far */
    bool finished;            /* graded for good (interactive: right or out of tries; all at submit) */
    dh_QuestionState state;
    double fraction;          /* raw fraction of the graded response, 0..1 */
    double mark;              /* points earned, penalties applied */
} dh_QuizSlot;

/* One attempt. Read its fields; change it only through the functions below. */
typedef struct dh_QuizAttempt {
    const dh_Quiz *quiz;         /* borrowed; must outlive the attempt */
    uint64_t seed;               /* drives draws and shuffles */
    char lang[DH_QUIZ_LANG_MAX]; /* trainee's language, for short-answer patterns */
    int64_t start_ms;
    int64_t end_ms;              /* when submitted; 0 while in progress */
    bool finished;               /* submitted (by the trainee or the clock) */
    bool autosubmitted;          /* submitted because the time ran out */
    int current;                 /* slot shown now */
    dh_QuizSlot *slots;
    int nslots;
    double marks, max_marks;     /* after submit: sum of marks and of points */
    double scaled;               /* after submit: marks / max_marks, 0..1 */
    bool passed;                 /* after submit: scaled >= pass (always when pass is 0) */
} dh_QuizAttempt;

/* ---- scoring (pure) ------------------------------------------------------- */

/* Check that r is a well-formed response to q (indices in range, no
 * repeats, a permutation for ordering, finite numbers, clicks inside the
 * image). DH_EINVAL with a sentence otherwise. */
dh_Status dh_quiz_response_check(const dh_Question *q, const dh_QuizResponse *r, dh_Error *err);
/* The Moodle fraction 0..1 earned by a checked response (NULL: none) to q;
 * lang picks short-answer patterns. Descriptions score 0. */
double dh_quiz_score(const dh_Question *q, const dh_QuizResponse *r, const char *lang);
/* The state a fraction stands for (WRONG, PARTIAL or RIGHT). */
dh_QuestionState dh_quiz_state_for(double fraction);
/* Interactive mark fraction for a try: max(0, fraction - penalty * (try - 1)). */
double dh_quiz_penalized(double fraction, double penalty, int try_number);
/* The question's penalty per extra try (its own, else the quiz's). */
double dh_quiz_question_penalty(const dh_Quiz *quiz, const dh_Question *q);
/* Per-answer feedback for r: chosen choices/spans, hit regions, the matching
 * short/numeric answer, true/false. Writes at most max texts to out and
 * returns how many there are (absent texts are skipped). */
int dh_quiz_response_feedback(const dh_Question *q, const dh_QuizResponse *r, const char *lang,
                              const dh_Text **out, int max);
/* Overall feedback for an attempt score (0..1): the band with the highest
 * min <= scaled, or NULL when none. */
const dh_Text *dh_quiz_overall_feedback(const dh_Quiz *quiz, double scaled);
/* Index of the region holding image point (x, y), first in file order, or -1. */
int dh_quiz_hotspot_hit(const dh_Question *q, double x, double y);
/* Fill x for dh_xapi_answered. items is scratch of at least DH_QUIZ_MAX_ITEMS
 * ints (hotspot regions hit are written there); x borrows r's arrays. */
void dh_quiz_response_xapi(const dh_Question *q, const dh_QuizResponse *r, int *items, dh_XapiResponse *x);

/* ---- grades over attempts ------------------------------------------------ */

/* Combine the scaled scores of finished attempts (oldest first) by method.
 * False when n is 0. */
bool dh_quiz_grade(dh_GradeMethod method, const double *scaled, int n, double *out);
/* Whether a trainee with `finished` submitted attempts may start another. */
bool dh_quiz_may_start(const dh_Quiz *quiz, int finished);
/* Whether a score passes the quiz's pass mark. */
bool dh_quiz_passes(const dh_Quiz *quiz, double scaled);

/* ---- attempts -------------------------------------------------------------- */

/* A fresh random seed (libsodium). */
uint64_t dh_quiz_seed_random(void);
/* Start an attempt at now_ms: draw and shuffle with seed. *out is freed with
 * dh_quiz_attempt_free. DH_ENOMEM, or DH_EINVALID if a draw cannot be filled. */
dh_Status dh_quiz_attempt_start(dh_QuizAttempt **out, const dh_Quiz *quiz, const char *lang, uint64_t seed,
                                int64_t now_ms, dh_Error *err);
void dh_quiz_attempt_free(dh_QuizAttempt *a);
/* Deadline in ms since the epoch, or 0 without a time limit. */
int64_t dh_quiz_attempt_deadline(const dh_QuizAttempt *a);
/* Submit the attempt if its time ran out at now_ms; true if it did so now. */
bool dh_quiz_attempt_tick(dh_QuizAttempt *a, int64_t now_ms);
/* Move to slot (free: any; sequential: only forward). DH_EINVAL when not allowed. */
dh_Status dh_quiz_attempt_goto(dh_QuizAttempt *a, int slot, dh_Error *err);
/* Save (or replace; r NULL clears) the response of a slot. Refused when the
 * attempt or slot is finished, the time is up (the attempt is then
 * submitted), or in sequential navigation for a slot other than the current. */
dh_Status dh_quiz_attempt_answer(dh_QuizAttempt *a, int slot, const dh_QuizResponse *r, int64_t now_ms,
                                 dh_Error *err);
/* Interactive: check the saved response as one try. Right, or out of tries,
 * finishes the slot with the penalized mark; otherwise the state shows the
 * try's correctness and the next hint applies. */
dh_Status dh_quiz_attempt_check(dh_QuizAttempt *a, int slot, int64_t now_ms, dh_Error *err);
/* The hint to show now for a slot (interactive, after a wrong try), or NULL. */
const dh_Text *dh_quiz_attempt_hint(const dh_QuizAttempt *a, int slot);
/* Whether slot may take another try (interactive, not finished). */
bool dh_quiz_attempt_can_try(const dh_QuizAttempt *a, int slot);
/* Submit: grade every slot, compute marks, scaled and passed. */
void dh_quiz_attempt_submit(dh_QuizAttempt *a, int64_t now_ms);
/* DH_REVIEW_* bits that may be shown for a slot now. */
unsigned dh_quiz_attempt_review(const dh_QuizAttempt *a, int slot);

/* ---- resume --------------------------------------------------------------- */

/* The attempt as compact JSON (dh_malloc'd, caller dh_frees), or NULL when
 * out of memory. */
char *dh_quiz_attempt_save(const dh_QuizAttempt *a);
/* Rebuild an attempt of quiz from a blob of len bytes. Anything that does
 * not fit the quiz is DH_EFORMAT with a sentence; DH_ENOMEM when out of memory. */
dh_Status dh_quiz_attempt_restore(dh_QuizAttempt **out, const dh_Quiz *quiz, const char *blob, size_t len,
                                  dh_Error *err);

#endif
