/* scenario_engine: plays a scenario model — the clock, the injects, the
 * trainee's actions, the expectations and the ending — and writes the
 * after-action review.
 *
 * A dh_Run is the mutable state of one exercise; the dh_Scenario it plays
 * stays immutable in the course arena. Everything is deterministic: the same
 * scenario, seed and calls (actions at the same scenario times, the same
 * advances) give the same run, the same review and the same JSON bytes, so a
 * recorded session replays exactly and a run survives sign-out as a compact
 * JSON blob. No SDL here: the screens read the run and call these functions.
 */
#ifndef DH_SCENARIO_ENGINE_H
#define DH_SCENARIO_ENGINE_H

#include "error.h"
#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dh_Run dh_Run;

/* Default bound on the events one call may process (injects fired, guards
 * dropped): a scenario that keeps producing events stops with an error
 * instead of hanging the kiosk. */
#define DH_RUN_MAX_STEPS 100000

typedef enum dh_RunState {
    DH_RUN_PLAYING, /* the clock runs, actions are offered */
    DH_RUN_ENDED,   /* an ending was chosen */
    DH_RUN_FAILED   /* stopped by the step limit; see dh_run_error */
} dh_RunState;

typedef enum dh_InjectState {
    DH_INJECT_IDLE,      /* not scheduled (yet) */
    DH_INJECT_PENDING,   /* scheduled to fire at its due time */
    DH_INJECT_FIRED,     /* has fired: visited() is true */
    DH_INJECT_CANCELLED, /* a cancel effect disabled it */
    DH_INJECT_DROPPED    /* its time came but its guard was false: never fires */
} dh_InjectState;

typedef enum dh_ExpState {
    DH_EXP_INACTIVE, /* its `from` inject has not fired (not applicable yet) */
    DH_EXP_PENDING,  /* window open */
    DH_EXP_MET,      /* done within the window (keep: held all through it) */
    DH_EXP_PARTLY,   /* done, but after the window closed: scores nothing */
    DH_EXP_MISSED,   /* the window closed undone, or a keep condition broke */
    DH_EXP_EXPIRED   /* the exercise ended while the window was still open */
} dh_ExpState;

typedef enum dh_EventKind {
    DH_EVENT_INJECT, /* an inject fired */
    DH_EVENT_ACTION, /* the trainee took an action (and maybe a choice) */
    DH_EVENT_END     /* the exercise ended */
} dh_EventKind;

/* One line of the timeline. */
typedef struct dh_RunEvent {
    int64_t t;         /* scenario seconds */
    dh_EventKind kind;
    int index;         /* inject, action or ending index */
    int choice;        /* DH_EVENT_ACTION: the chosen choice's action index, or -1 */
    char *text;        /* DH_EVENT_ACTION with a text response: owned by the run; else NULL */
} dh_RunEvent;

/* Start a run of s at scenario time 0 (injects due at 0 fire at once). s must
 * outlive the run. Returns DH_OK, DH_ENOMEM, or DH_ELIMIT (step limit at the
 * start; the run is then returned in the failed state). */
dh_Status dh_run_new(dh_Run **out, const dh_Scenario *s, uint32_t seed, dh_Error *err);
/* Free a run; NULL is a no-op. */
void dh_run_free(dh_Run *r);
/* Change the step limit (tests use small ones); n >= 1. */
void dh_run_set_step_limit(dh_Run *r, long n);

/* Scaled clock: real_ms of real time passed (the caller stops calling while
 * the kiosk is paused); converted with the scenario's speed, keeping the
 * fraction of a second. Does nothing in turn mode or once ended. */
dh_Status dh_run_tick(dh_Run *r, int64_t real_ms, dh_Error *err);
/* Move scenario time forward to to_s (no-op when to_s <= now), processing
 * every event on the way in order; stops at an ending. */
dh_Status dh_run_advance(dh_Run *r, int64_t to_s, dh_Error *err);
/* Turn mode: end the turn, advancing by the clock's turn_s. */
dh_Status dh_run_next_turn(dh_Run *r, dh_Error *err);

/* Take action (a top-level action index); choice is the chosen choice's
 * action index (response choice) or -1; text the trainee's answer (response
 * text; copied) or NULL. Checks it is offered now, checks every effect's
 * types before applying any, applies them in order (the action's, then the
 * choice's), records the decision and processes what follows. DH_EINVAL
 * with a sentence when it is not offered or the arguments do not fit;
 * DH_EINVALID when an effect does not fit the variable (nothing applied). */
dh_Status dh_run_take(dh_Run *r, int action, int choice, const char *text, dh_Error *err);

/* Queries for the screens. */
const dh_Scenario *dh_run_scenario(const dh_Run *r);
dh_RunState dh_run_state(const dh_Run *r);
const dh_Error *dh_run_error(const dh_Run *r);     /* why it failed */
int64_t dh_run_now(const dh_Run *r);                /* scenario seconds */
int dh_run_ending(const dh_Run *r);                 /* ending index, or -1 */
const int64_t *dh_run_vars(const dh_Run *r);        /* current variable values */
dh_InjectState dh_run_inject_state(const dh_Run *r, int inject);
int64_t dh_run_inject_time(const dh_Run *r, int inject); /* fired at, or due at; -1 */
bool dh_run_inject_open(const dh_Run *r, int inject);    /* fired and not expired */
bool dh_run_offered(const dh_Run *r, int action);   /* could be taken now (choices too) */
bool dh_run_chosen(const dh_Run *r, int action);
dh_ExpState dh_run_expectation(const dh_Run *r, int expectation);
const dh_RunEvent *dh_run_timeline(const dh_Run *r, int *count);

/* Save the run as compact JSON (*out: NUL-terminated, caller frees with
 * dh_free) and restore it into a new run of the same scenario. Restore
 * rejects a blob made for another scenario or malformed in any way with
 * DH_EFORMAT and a sentence; it never crashes on any input. */
dh_Status dh_run_save(const dh_Run *r, char **out, size_t *len, dh_Error *err);
dh_Status dh_run_restore(dh_Run **out, const dh_Scenario *s, const char *json, size_t len,
                         dh_Error *err);

/* ---- after-action review ---- */

typedef struct dh_ReviewExp {
    int expectation;
    dh_ExpState state;
    int64_t start_s;  /* window start, -1 if it never started */
    int64_t at_s;     /* when it was met/missed/partly met, -1 otherwise */
} dh_ReviewExp;

typedef struct dh_ReviewCue {
    int inject, cue;  /* the cue, by inject and index in its content */
    bool missed;      /* an expectation counted from this inject was not met */
} dh_ReviewCue;

typedef struct dh_ReviewObjective {
    int objective;    /* index, or -1: the group of expectations without one */
    double points;    /* points of its met expectations */
    double possible;  /* points of its applicable expectations */
    bool applicable;  /* possible > 0 */
    double score;     /* points / possible, 0..1; 0 when not applicable */
} dh_ReviewObjective;

typedef struct dh_Review {
    const dh_Scenario *s;
    int ending;                  /* -1: none (still playing or failed) */
    int64_t end_s;               /* scenario time of the end (or now) */
    const dh_RunEvent *timeline; /* borrowed from the run */
    int ntimeline;
    dh_ReviewExp *exps;          /* one per expectation, in document order */
    int nexps;
    dh_ReviewCue *cues;          /* cues of every fired inject, in firing order */
    int ncues;
    dh_ReviewObjective *objectives; /* applicable or not, document order, then the -1 group */
    int nobjectives;
    double score;                /* weighted, 0..1 */
    bool scored;                 /* some expectation applied */
    double mastery;              /* as passed */
    bool passed;                 /* ended, and score >= mastery */
} dh_Review;

/* Build the review of r (its timeline is borrowed: keep r alive while using
 * it). mastery is the course's mastery score (0..1). */
dh_Status dh_run_review(const dh_Run *r, double mastery, dh_Review **out, dh_Error *err);
void dh_review_free(dh_Review *v);
/* Canonical JSON (fixed member order, texts in lang): byte-identical for
 * identical runs. *out is NUL-terminated, freed with dh_free. */
dh_Status dh_review_json(const dh_Review *v, const char *lang, char **out, size_t *len,
                         dh_Error *err);

const char *dh_exp_state_name(dh_ExpState st);   /* "met", "partly-met", ... */

#endif
