/* scenario_engine_impl: the inside of a dh_Run, shared by the engine
 * (scenario_engine.c) and its review and save/restore code
 * (scenario_review.c). Nothing outside these two files includes it: the
 * screens use the functions of scenario_engine.h only.
 */
#ifndef DH_SCENARIO_ENGINE_IMPL_H
#define DH_SCENARIO_ENGINE_IMPL_H

#include "scenario_engine.h"

/* Times stay below 2^50 s so they survive a JSON double exactly. */
#define DH_RUN_MAX_TIME (INT64_C(1) << 50)

struct dh_Run {
    const dh_Scenario *s;
    uint32_t seed;
    dh_RunState state;
    dh_Error error;        /* DH_RUN_FAILED: why */
    long step_limit;
    long steps;            /* events processed by the current call */
    int64_t now;           /* scenario seconds */
    int64_t frac_us;       /* scaled clock: scenario microseconds beyond now */
    int ending;            /* chosen ending, or -1 */
    int64_t *vars;         /* one per variable */
    uint8_t *inj_state;    /* dh_InjectState per inject */
    int64_t *inj_time;     /* fired at (FIRED) or due at (PENDING); else -1 */
    bool *visited;         /* inj_state == FIRED, as dh_ExprState wants it */
    bool *chosen;          /* per action: taken at least once */
    uint8_t *exp_state;    /* dh_ExpState per expectation */
    int64_t *exp_start;    /* window start, -1 before */
    int64_t *exp_at;       /* when it was decided, -1 before */
    dh_RunEvent *tl;       /* the timeline */
    int ntl, captl;
    int nfired;            /* injects fired so far (bounds timeline growth) */
    bool uses_elapsed;     /* some condition reads `elapsed`: step each second */
};

/* Allocate a run's arrays for s in the initial state (time 0, nothing
 * fired); used by dh_run_new and dh_run_restore. */
dh_Status dh_run_alloc(dh_Run **out, const dh_Scenario *s, uint32_t seed, dh_Error *err);
/* A hash of the scenario's ids and counts: a saved run names its scenario. */
uint32_t dh_run_fingerprint(const dh_Scenario *s);

#endif
