/* fuzz_scenario_play: a scenario file and an exercise played on it.
 *
 * The bytes up to the first 0 (or all of them) are a scenario file; if it
 * parses without errors, the rest is a script for a run: advances of the
 * clock, scaled ticks, turns and actions (offered ones mostly, with choices
 * and written answers, sometimes ones that are not offered). The run is then
 * reviewed and written as review JSON, saved, restored, and a byte-mutated
 * copy of the save is restored too, since saved runs come back from a
 * database that may be damaged. Nothing may crash, leak, trap or hang.
 */
#include "alloc.h"
#include "arena.h"
#include "diag.h"
#include "json.h"
#include "load.h"
#include "scenario.h"
#include "scenario_engine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 300      /* keeps one input fast whatever its length */
#define STEP_LIMIT 5000  /* events per call: enough to play, small enough to be quick */
#define TEXT_MAX 48

typedef struct Script {
    const uint8_t *p;
    size_t n;
} Script;

/* Past the end the script reads zeros, so every op is complete. */
static uint8_t byte_of(Script *s)
{
    if (!s->n) return 0;
    s->n--;
    return *s->p++;
}

static uint32_t u16_of(Script *s)
{
    uint32_t hi = byte_of(s);
    return hi << 8 | byte_of(s);
}

/* Every query a screen makes, over every index the scenario has. */
static void look_at(const dh_Run *r)
{
    const dh_Scenario *s = dh_run_scenario(r);
    (void)dh_run_state(r);
    (void)dh_run_error(r);
    (void)dh_run_now(r);
    (void)dh_run_ending(r);
    (void)dh_run_vars(r);
    for (int i = 0; i < s->ninjects; i++) {
        (void)dh_run_inject_state(r, i);
        (void)dh_run_inject_time(r, i);
        (void)dh_run_inject_open(r, i);
    }
    for (int i = 0; i < s->nactions; i++) {
        (void)dh_run_offered(r, i);
        (void)dh_run_chosen(r, i);
    }
    for (int i = 0; i < s->nexpectations; i++) (void)dh_exp_state_name(dh_run_expectation(r, i));
    int n;
    (void)dh_run_timeline(r, &n);
}

static void review(const dh_Run *r, double mastery, const char *lang)
{
    dh_Review *v = NULL;
    dh_Error err = {0};
    if (dh_run_review(r, mastery, &v, &err) == DH_OK && v) {
        char *json = NULL;
        size_t len = 0;
        if (dh_review_json(v, lang, &json, &len, &err) == DH_OK) dh_free(json);
    }
    dh_review_free(v);
}

/* Pick the action to take: an offered top-level one when the byte says so
 * and there is one, else any index (the engine must refuse bad ones). */
static int pick_action(const dh_Run *r, const dh_Scenario *s, uint8_t b)
{
    if (b & 1) return (int)(b >> 1) % (s->nactions + 2) - 1;
    int offered[256], n = 0;
    for (int i = 0; i < s->nactions && n < 256; i++)
        if (s->actions[i].parent < 0 && dh_run_offered(r, i)) offered[n++] = i;
    return n ? offered[(b >> 1) % n] : -1;
}

static void take(dh_Run *r, const dh_Scenario *s, Script *sc, dh_Error *err)
{
    int action = pick_action(r, s, byte_of(sc));
    uint8_t how = byte_of(sc);
    int choice = -1;
    const char *text = NULL;
    char buf[TEXT_MAX + 1];
    if (action >= 0 && action < s->nactions) {
        const dh_Action *a = &s->actions[action];
        if (a->response == DH_RESPONSE_CHOICE && a->nchoices > 0 && how % 8 != 0)
            choice = a->first_choice + (int)(byte_of(sc) % (unsigned)a->nchoices);
        else if (how % 8 == 0)
            choice = (int)(byte_of(sc) % (unsigned)(s->nactions + 2)) - 1;
    }
    if (how & 0x10) {
        size_t len = byte_of(sc) % TEXT_MAX;
        for (size_t i = 0; i < len; i++) {
            uint8_t c = byte_of(sc);
            buf[i] = (char)(c ? c : ' ');
        }
        buf[len] = '\0';
        text = buf;
    }
    (void)dh_run_take(r, action, choice, text, err);
}

/* Restore a blob and, if accepted, keep playing it a little: a damaged save
 * that restores must still be a run the engine can handle. */
static void restore_and_use(const dh_Scenario *s, const char *blob, size_t len, double mastery)
{
    dh_Run *r = NULL;
    dh_Error err = {0};
    if (dh_run_restore(&r, s, blob, len, &err) != DH_OK) {
        dh_run_free(r);
        return;
    }
    dh_run_set_step_limit(r, STEP_LIMIT);
    look_at(r);
    review(r, mastery, "en");
    for (int i = 0; i < s->nactions; i++)
        if (s->actions[i].parent < 0 && dh_run_offered(r, i)) {
            (void)dh_run_take(r, i, s->actions[i].nchoices > 0 ? s->actions[i].first_choice : -1, "x",
                              &err);
            break;
        }
    (void)dh_run_advance(r, dh_run_now(r) + 600, &err);
    (void)dh_run_next_turn(r, &err);
    look_at(r);
    review(r, mastery, "th");
    char *again = NULL;
    size_t alen = 0;
    if (dh_run_save(r, &again, &alen, &err) == DH_OK) dh_free(again);
    dh_run_free(r);
}

static void play(const dh_Scenario *s, Script *sc)
{
    uint32_t seed = u16_of(sc) << 16;
    seed |= u16_of(sc);
    double mastery = byte_of(sc) / 255.0;
    dh_Run *r = NULL;
    dh_Error err = {0};
    (void)dh_run_new(&r, s, seed, &err);
    if (!r) return; /* out of memory; a step-limit failure still returns the run */
    dh_run_set_step_limit(r, STEP_LIMIT);

    for (int ops = 0; sc->n > 0 && ops < MAX_OPS; ops++) {
        uint8_t op = byte_of(sc);
        switch (op % 6) {
        case 0:
        case 1:
            take(r, s, sc, &err);
            break;
        case 2: {
            /* Forward by up to 18 hours; a few calls go backwards (no-op). */
            int64_t to = dh_run_now(r) + (int64_t)u16_of(sc) - (op & 0x80 ? 100 : 0);
            (void)dh_run_advance(r, to, &err);
            break;
        }
        case 3:
            (void)dh_run_tick(r, (int64_t)u16_of(sc) * (op & 0x80 ? 100 : 1), &err);
            break;
        case 4:
            (void)dh_run_next_turn(r, &err);
            break;
        case 5:
            look_at(r);
            break;
        }
    }
    look_at(r);
    review(r, mastery, byte_of(sc) & 1 ? "th" : "en");

    char *blob = NULL;
    size_t len = 0;
    if (dh_run_save(r, &blob, &len, &err) == DH_OK) {
        restore_and_use(s, blob, len, mastery);
        /* A damaged copy: a few bytes changed, then maybe cut short. */
        char *bad = dh_malloc(len + 1);
        if (bad) {
            memcpy(bad, blob, len + 1);
            size_t badlen = len;
            int nmut = 1 + byte_of(sc) % 4;
            for (int i = 0; i < nmut && len > 0; i++) {
                size_t at = u16_of(sc) % len;
                bad[at] = (char)byte_of(sc);
            }
            if (byte_of(sc) % 4 == 0 && len > 0) badlen = u16_of(sc) % len;
            restore_and_use(s, bad, badlen, mastery);
            dh_free(bad);
        }
        dh_free(blob);
    }
    dh_run_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const langs[] = {"en", "th"};
    const uint8_t *zero = memchr(data, 0, size);
    size_t jlen = zero ? (size_t)(zero - data) : size;
    Script script = {zero ? zero + 1 : data + size, zero ? size - jlen - 1 : 0};

    dh_Json doc;
    dh_Diags d;
    dh_diags_init(&d);
    if (dh_json_parse(&doc, "fuzz.json", (const char *)data, jlen, &d) == DH_OK) {
        dh_Arena arena;
        dh_arena_init(&arena);
        dh_LoadCtx c = {&arena, &d, &doc, NULL, langs, 2, false};
        dh_Scenario *s = NULL;
        if (dh_scenario_parse(&c, doc.root, &s) == DH_OK && s && d.errors == 0 && !d.oom)
            play(s, &script);
        dh_arena_free(&arena);
    }
    dh_json_free(&doc);
    dh_diags_free(&d);
    return 0;
}
