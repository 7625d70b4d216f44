/* test_scenario_engine: playing scenarios. Small exercises written inline
 * pin down each rule — injects by time, after another and by condition,
 * guards, expiry, cancellation, effects and their type checks, expectation
 * windows on both sides of their boundaries, endings in order, the default
 * ending at the time limit, the step limit — and the sample exercise, loaded
 * from the sample course like the player loads it, is played to each of its
 * endings. Replays, save/resume and running out of memory at every
 * allocation must give byte-identical reviews or clean errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "course.h"
#include "package.h"
#include "scenario.h"
#include "scenario_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COURSE DH_SOURCE_DIR "/courses/awareness-essentials"

typedef struct Loaded {
    dh_Json doc;
    dh_Diags d;
    dh_Arena arena;
    dh_Scenario *s;
} Loaded;

static void load(Loaded *L, const char *text)
{
    static const char *const langs[] = {"en"};
    dh_diags_init(&L->d);
    dh_arena_init(&L->arena);
    L->s = NULL;
    assert_int_equal(dh_json_parse(&L->doc, "scenarios/s.json", text, strlen(text), &L->d), DH_OK);
    dh_LoadCtx c = {&L->arena, &L->d, &L->doc, NULL, langs, 1, false};
    assert_int_equal(dh_scenario_parse(&c, L->doc.root, &L->s), DH_OK);
    for (int i = 0; i < L->d.count; i++)
        if (L->d.items[i].severity == DH_ERROR)
            fail_msg("%d:%d: %s", L->d.items[i].line, L->d.items[i].col, L->d.items[i].msg);
}

static void unload(Loaded *L)
{
    dh_json_free(&L->doc);
    dh_diags_free(&L->d);
    dh_arena_free(&L->arena);
}

static int inj(const dh_Scenario *s, const char *id)
{
    int i = dh_scenario_inject_index(s, id);
    if (i < 0) fail_msg("no inject %s", id);
    return i;
}

static int act(const dh_Scenario *s, const char *id)
{
    int i = dh_scenario_action_index(s, id);
    if (i < 0) fail_msg("no action %s", id);
    return i;
}

static int exp_index(const dh_Scenario *s, const char *id)
{
    for (int i = 0; i < s->nexpectations; i++)
        if (strcmp(s->expectations[i].id, id) == 0) return i;
    fail_msg("no expectation %s", id);
    return -1;
}

static void advance(dh_Run *r, int64_t t)
{
    dh_Error err = {0};
    if (dh_run_advance(r, t, &err) != DH_OK) fail_msg("advance: %s", err.msg);
}

static dh_Status try_take(dh_Run *r, const char *id, const char *choice, const char *text)
{
    const dh_Scenario *s = dh_run_scenario(r);
    dh_Error err = {0};
    return dh_run_take(r, act(s, id), choice ? act(s, choice) : -1, text, &err);
}

static void take(dh_Run *r, const char *id, const char *choice)
{
    const dh_Scenario *s = dh_run_scenario(r);
    dh_Error err = {0};
    if (dh_run_take(r, act(s, id), choice ? act(s, choice) : -1, NULL, &err) != DH_OK)
        fail_msg("take %s: %s", id, err.msg);
}

static dh_Run *start(const dh_Scenario *s)
{
    dh_Run *r = NULL;
    dh_Error err = {0};
    if (dh_run_new(&r, s, s->seed, &err) != DH_OK) fail_msg("start: %s", err.msg);
    return r;
}

static char *review_json(const dh_Run *r, double mastery)
{
    dh_Review *v = NULL;
    char *json = NULL;
    assert_int_equal(dh_run_review(r, mastery, &v, NULL), DH_OK);
    assert_int_equal(dh_review_json(v, "en", &json, NULL, NULL), DH_OK);
    dh_review_free(v);
    return json;
}

static const char *ending_id(const dh_Run *r)
{
    int e = dh_run_ending(r);
    return e >= 0 ? dh_run_scenario(r)->endings[e].id : "(none)";
}

/* ---- injects ---- */

static const char TRIGGERS[] =
    "{\"title\": \"t\", \"clock\": {\"limit_s\": 100},"
    " \"vars\": {\"flag\": false},"
    " \"injects\": ["
    "  {\"id\": \"a\", \"channel\": \"note\", \"at_s\": 10, \"content\": {\"text\": \"a\"}},"
    "  {\"id\": \"x\", \"channel\": \"note\", \"at_s\": 10, \"content\": {\"text\": \"x\"}},"
    "  {\"id\": \"b\", \"channel\": \"note\", \"after\": \"a\", \"delay_s\": 5, \"content\": {\"text\": \"b\"}},"
    "  {\"id\": \"c\", \"channel\": \"note\", \"when\": \"flag\", \"content\": {\"text\": \"c\"}},"
    "  {\"id\": \"d\", \"channel\": \"note\", \"at_s\": 20, \"when\": \"flag\", \"content\": {\"text\": \"d\"}},"
    "  {\"id\": \"e\", \"channel\": \"note\", \"at_s\": 30, \"when\": \"flag\", \"content\": {\"text\": \"e\"}}],"
    " \"actions\": [{\"id\": \"raise\", \"label\": \"raise\", \"effects\": [{\"set\": {\"flag\": true}}]}],"
    " \"endings\": [{\"id\": \"over\", \"text\": \"over\", \"outcome\": \"partial\"}]}";

static void test_triggers(void **state)
{
    (void)state;
    Loaded L;
    load(&L, TRIGGERS);
    const dh_Scenario *s = L.s;
    dh_Run *r = start(s);
    advance(r, 9);
    assert_int_equal(dh_run_inject_state(r, inj(s, "a")), DH_INJECT_PENDING);
    advance(r, 10);
    assert_int_equal(dh_run_inject_state(r, inj(s, "a")), DH_INJECT_FIRED);
    assert_int_equal(dh_run_inject_time(r, inj(s, "b")), 15); /* due 5 s after a */
    advance(r, 14);
    assert_int_equal(dh_run_inject_state(r, inj(s, "b")), DH_INJECT_PENDING);
    advance(r, 20);
    assert_int_equal(dh_run_inject_time(r, inj(s, "b")), 15);
    /* d's guard was false when its time came: it never fires, even later */
    assert_int_equal(dh_run_inject_state(r, inj(s, "d")), DH_INJECT_DROPPED);
    assert_int_equal(dh_run_inject_state(r, inj(s, "c")), DH_INJECT_IDLE);
    take(r, "raise", NULL); /* c's trigger holds at once */
    assert_int_equal(dh_run_inject_state(r, inj(s, "c")), DH_INJECT_FIRED);
    assert_int_equal(dh_run_inject_time(r, inj(s, "c")), 20);
    advance(r, 30); /* e's guard holds now */
    assert_int_equal(dh_run_inject_state(r, inj(s, "e")), DH_INJECT_FIRED);
    assert_int_equal(dh_run_inject_state(r, inj(s, "d")), DH_INJECT_DROPPED);
    int n;
    const dh_RunEvent *tl = dh_run_timeline(r, &n);
    /* same time: document order (a before x); then b, the action, c, e */
    const char *want[] = {"a", "x", "b", NULL, "c", "e"};
    assert_int_equal(n, 6);
    for (int k = 0; k < n; k++) {
        if (!want[k]) {
            assert_int_equal(tl[k].kind, DH_EVENT_ACTION);
            assert_int_equal(tl[k].t, 20);
            continue;
        }
        assert_int_equal(tl[k].kind, DH_EVENT_INJECT);
        assert_string_equal(s->injects[tl[k].index].id, want[k]);
    }
    dh_run_free(r);
    unload(&L);
}

static const char EXPIRY[] =
    "{\"title\": \"t\", \"vars\": {\"n\": 0},"
    " \"injects\": ["
    "  {\"id\": \"m\", \"channel\": \"note\", \"at_s\": 0, \"expires_s\": 60, \"content\": {\"text\": \"m\"},"
    "   \"actions\": [{\"id\": \"ack\", \"label\": \"ack\", \"repeatable\": true, \"effects\": [{\"add\": {\"n\": 1}}]}]},"
    "  {\"id\": \"late\", \"channel\": \"note\", \"at_s\": 50, \"content\": {\"text\": \"late\"}},"
    "  {\"id\": \"chain\", \"channel\": \"note\", \"after\": \"m\", \"delay_s\": 40, \"content\": {\"text\": \"c\"}},"
    "  {\"id\": \"reply\", \"channel\": \"note\", \"content\": {\"text\": \"r\"}}],"
    " \"actions\": [{\"id\": \"stop\", \"label\": \"stop\", \"effects\": [{\"cancel\": \"late\"}, {\"cancel\": \"chain\"},"
    "   {\"fire\": \"reply\", \"delay_s\": 5}, {\"cancel\": \"m\"}]},"
    "  {\"id\": \"finish\", \"label\": \"finish\", \"effects\": [{\"end\": \"done\"}]}],"
    " \"endings\": [{\"id\": \"many\", \"when\": \"n >= 3\", \"text\": \"x\", \"outcome\": \"failure\"},"
    "  {\"id\": \"two\", \"when\": \"n >= 2\", \"text\": \"x\", \"outcome\": \"partial\"},"
    "  {\"id\": \"done\", \"text\": \"x\", \"outcome\": \"success\"}]}";

static void test_expiry_and_cancel(void **state)
{
    (void)state;
    Loaded L;
    load(&L, EXPIRY);
    const dh_Scenario *s = L.s;
    dh_Run *r = start(s);
    assert_true(dh_run_inject_open(r, inj(s, "m")));
    advance(r, 59);
    assert_true(dh_run_offered(r, act(s, "ack")));
    take(r, "ack", NULL);
    advance(r, 60); /* closes this many seconds after it fired: at 60 it is closed */
    assert_false(dh_run_inject_open(r, inj(s, "m")));
    assert_false(dh_run_offered(r, act(s, "ack")));
    assert_int_equal(try_take(r, "ack", NULL, NULL), DH_EINVAL);
    assert_int_equal(dh_run_vars(r)[0], 1);
    dh_run_free(r);

    r = start(s);
    advance(r, 10);
    take(r, "stop", NULL); /* cancels late and the pending chain; m already fired */
    assert_int_equal(dh_run_inject_state(r, inj(s, "late")), DH_INJECT_CANCELLED);
    assert_int_equal(dh_run_inject_state(r, inj(s, "chain")), DH_INJECT_CANCELLED);
    assert_int_equal(dh_run_inject_state(r, inj(s, "m")), DH_INJECT_FIRED);
    assert_int_equal(dh_run_inject_time(r, inj(s, "reply")), 15);
    advance(r, 200);
    assert_int_equal(dh_run_inject_state(r, inj(s, "late")), DH_INJECT_CANCELLED);
    assert_int_equal(dh_run_inject_time(r, inj(s, "reply")), 15);
    assert_int_equal(dh_run_state(r), DH_RUN_PLAYING); /* no limit: still playing */
    assert_int_equal(try_take(r, "stop", NULL, NULL), DH_EINVAL); /* not repeatable */
    take(r, "finish", NULL);
    assert_int_equal(dh_run_state(r), DH_RUN_ENDED);
    assert_string_equal(ending_id(r), "done");
    assert_int_equal(try_take(r, "finish", NULL, NULL), DH_EINVAL);
    dh_run_free(r);
    unload(&L);
}

static void test_endings_in_order(void **state)
{
    (void)state;
    Loaded L;
    load(&L, EXPIRY);
    const dh_Scenario *s = L.s;
    dh_Run *r = start(s);
    take(r, "ack", NULL);
    assert_int_equal(dh_run_state(r), DH_RUN_PLAYING);
    take(r, "ack", NULL); /* n == 2: "two" */
    assert_string_equal(ending_id(r), "two");
    dh_run_free(r);
    /* Both "many" and "two" hold after a single step: the first in order wins. */
    Loaded L2;
    char *text = dh_strdup(EXPIRY);
    char *p = strstr(text, "{\"add\": {\"n\": 1}}");
    assert_non_null(p);
    memcpy(p, "{\"add\": {\"n\": 5}}", 17);
    load(&L2, text);
    r = start(L2.s);
    take(r, "ack", NULL);
    assert_string_equal(ending_id(r), "many");
    dh_run_free(r);
    unload(&L2);
    dh_free(text);
    unload(&L);
}

/* ---- effects ---- */

static const char EFFECTS[] =
    "{\"title\": \"t\", \"vars\": {\"on\": false, \"n\": 10,"
    "  \"stage\": {\"enum\": [\"calm\", \"alarm\"]}},"
    " \"injects\": [{\"id\": \"reply\", \"channel\": \"chat\", \"when\": \"on\","
    "   \"content\": {\"from\": \"x\", \"text\": \"y\"}}],"
    " \"actions\": [{\"id\": \"go\", \"label\": \"go\","
    "   \"effects\": [{\"set\": {\"on\": true, \"stage\": \"alarm\"}}, {\"add\": {\"n\": -3}},"
    "                 {\"fire\": \"reply\", \"delay_s\": 30}]},"
    "  {\"id\": \"say\", \"label\": \"say\", \"response\": \"text\", \"prompt\": \"what?\", \"repeatable\": true},"
    "  {\"id\": \"pick\", \"label\": \"pick\", \"choices\": ["
    "    {\"id\": \"p1\", \"label\": \"1\", \"effects\": [{\"add\": {\"n\": 1}}]},"
    "    {\"id\": \"p2\", \"label\": \"2\", \"when\": \"on\"}]}],"
    " \"endings\": [{\"id\": \"never\", \"when\": \"n > 100\", \"text\": \"x\", \"outcome\": \"success\"}]}";

static void test_effects(void **state)
{
    (void)state;
    Loaded L;
    load(&L, EFFECTS);
    dh_Scenario *s = L.s;
    dh_Run *r = start(s);
    /* a when-only inject named by a fire effect: its when is a guard at its time */
    advance(r, 5);
    take(r, "go", NULL);
    const int64_t *v = dh_run_vars(r);
    assert_int_equal(v[dh_scenario_var_index(s, "on")], 1);
    assert_int_equal(v[dh_scenario_var_index(s, "n")], 7);
    assert_int_equal(v[dh_scenario_var_index(s, "stage")], 1);
    /* `on` holds, so the when trigger fires it now; the pending fire is moot */
    assert_int_equal(dh_run_inject_time(r, inj(s, "reply")), 5);
    /* responses: text needs text, choices need a choice that is offered */
    assert_int_equal(try_take(r, "say", NULL, NULL), DH_EINVAL);
    assert_int_equal(try_take(r, "say", NULL, "I would call the SOC"), DH_OK);
    assert_int_equal(try_take(r, "pick", NULL, NULL), DH_EINVAL);
    assert_int_equal(try_take(r, "pick", "go", NULL), DH_EINVAL);
    assert_int_equal(try_take(r, "pick", "p1", "text"), DH_EINVAL);
    assert_int_equal(try_take(r, "pick", "p1", NULL), DH_OK);
    assert_true(dh_run_chosen(r, act(s, "pick")));
    assert_true(dh_run_chosen(r, act(s, "p1")));
    assert_false(dh_run_chosen(r, act(s, "p2")));
    assert_int_equal(v[dh_scenario_var_index(s, "n")], 8);
    int n;
    const dh_RunEvent *tl = dh_run_timeline(r, &n);
    assert_string_equal(tl[n - 2].text, "I would call the SOC");
    assert_int_equal(tl[n - 1].choice, act(s, "p1"));
    dh_run_free(r);

    /* Type errors (a model built by hand, not by the loader): nothing applies. */
    dh_Action *go = (dh_Action *)&s->actions[act(s, "go")];
    dh_Effect *eff = (dh_Effect *)go->effects;
    int64_t saved = eff[0].value;
    eff[0].value = 5; /* "on" is a boolean */
    r = start(s);
    dh_Error err = {0};
    assert_int_equal(dh_run_take(r, act(s, "go"), -1, NULL, &err), DH_EINVALID);
    assert_non_null(strstr(err.msg, "'on', which is a boolean"));
    assert_int_equal(dh_run_vars(r)[dh_scenario_var_index(s, "n")], 10);
    assert_false(dh_run_chosen(r, act(s, "go")));
    eff[0].value = saved;
    int k = 0;
    while (eff[k].kind != DH_EFFECT_ADD) k++;
    int target = eff[k].target;
    eff[k].target = dh_scenario_var_index(s, "stage"); /* add to an enum */
    assert_int_equal(dh_run_take(r, act(s, "go"), -1, NULL, &err), DH_EINVALID);
    assert_non_null(strstr(err.msg, "which is an enum"));
    eff[k].target = target;
    assert_int_equal(dh_run_take(r, act(s, "go"), -1, NULL, &err), DH_OK);
    dh_run_free(r);
    unload(&L);
}

/* ---- expectations ---- */

static const char WINDOWS[] =
    "{\"title\": \"t\", \"clock\": {\"limit_s\": 1000},"
    " \"vars\": {\"opened\": false},"
    " \"objectives\": [{\"id\": \"o1\", \"text\": \"o1\", \"weight\": 3}, {\"id\": \"o2\", \"text\": \"o2\"}],"
    " \"injects\": [{\"id\": \"m\", \"channel\": \"note\", \"at_s\": 10, \"content\": {\"text\": \"m\"},"
    "   \"actions\": [{\"id\": \"report\", \"label\": \"r\"}]},"
    "  {\"id\": \"never\", \"channel\": \"note\", \"when\": \"false\", \"content\": {\"text\": \"n\"}}],"
    " \"actions\": [{\"id\": \"open\", \"label\": \"o\", \"effects\": [{\"set\": {\"opened\": true}}]}],"
    " \"expectations\": ["
    "  {\"id\": \"fast\", \"text\": \"f\", \"action\": \"report\", \"within_s\": 30, \"score\": 2, \"objective\": \"o1\"},"
    "  {\"id\": \"closed\", \"text\": \"c\", \"when\": \"!opened\", \"keep\": true, \"from\": \"m\","
    "   \"within_s\": 30, \"score\": 1, \"objective\": \"o1\"},"
    "  {\"id\": \"na\", \"text\": \"n\", \"when\": \"opened\", \"from\": \"never\", \"objective\": \"o2\"},"
    "  {\"id\": \"loose\", \"text\": \"l\", \"when\": \"opened\", \"within_s\": 500}],"
    " \"endings\": [{\"id\": \"end\", \"text\": \"x\", \"outcome\": \"success\"}]}";

static void test_windows(void **state)
{
    (void)state;
    Loaded L;
    load(&L, WINDOWS);
    const dh_Scenario *s = L.s;
    int fast = exp_index(s, "fast"), closed = exp_index(s, "closed");
    /* "fast" counts from m (the inject offering report): 10..40 inclusive */
    dh_Run *r = start(s);
    assert_int_equal(dh_run_expectation(r, fast), DH_EXP_INACTIVE);
    advance(r, 40);
    assert_int_equal(dh_run_expectation(r, fast), DH_EXP_PENDING);
    take(r, "report", NULL);
    assert_int_equal(dh_run_expectation(r, fast), DH_EXP_MET);
    take(r, "open", NULL); /* at 40, the last second of closed's window: breaks it */
    assert_int_equal(dh_run_expectation(r, closed), DH_EXP_MISSED);
    dh_run_free(r);

    r = start(s);
    advance(r, 41);
    assert_int_equal(dh_run_expectation(r, fast), DH_EXP_MISSED);
    assert_int_equal(dh_run_expectation(r, closed), DH_EXP_MET); /* held through 40 */
    take(r, "report", NULL);
    assert_int_equal(dh_run_expectation(r, fast), DH_EXP_PARTLY);
    take(r, "open", NULL); /* after the window: does not matter any more */
    assert_int_equal(dh_run_expectation(r, closed), DH_EXP_MET);
    advance(r, 1000);
    assert_int_equal(dh_run_state(r), DH_RUN_ENDED);
    dh_Review *v = NULL;
    assert_int_equal(dh_run_review(r, 0.5, &v, NULL), DH_OK);
    /* o1: closed (1) of fast+closed (3); o2: nothing applies; loose group: met */
    assert_int_equal(v->nobjectives, 3);
    assert_true(v->objectives[0].applicable);
    assert_true(v->objectives[0].score > 0.333 && v->objectives[0].score < 0.334);
    assert_false(v->objectives[1].applicable);
    assert_int_equal(v->objectives[2].objective, -1);
    assert_true(v->objectives[2].score == 1.0);
    /* (3 * 1/3 + 1 * 1) / 4 = 0.5 */
    assert_true(v->score > 0.4999 && v->score < 0.5001);
    assert_true(v->passed);
    assert_int_equal(v->exps[exp_index(s, "na")].state, DH_EXP_INACTIVE);
    dh_review_free(v);
    dh_run_free(r);

    /* The exercise ends while a window is open: expired, and a kept one held. */
    r = start(s);
    advance(r, 20);
    dh_run_set_step_limit(r, 1000);
    advance(r, 1000);
    assert_int_equal(dh_run_expectation(r, exp_index(s, "loose")), DH_EXP_MISSED);
    dh_run_free(r);
    r = start(s);
    advance(r, 995);
    take(r, "report", NULL); /* partly: late */
    advance(r, 1000);
    assert_int_equal(dh_run_expectation(r, fast), DH_EXP_PARTLY);
    dh_run_free(r);
    unload(&L);
}

static void test_expired_window(void **state)
{
    (void)state;
    Loaded L;
    load(&L, WINDOWS);
    const dh_Scenario *s = L.s;
    dh_Run *r = start(s);
    advance(r, 20);
    /* fast's window (10..40) is open when the exercise is ended */
    dh_Action *open = (dh_Action *)&s->actions[act(s, "open")];
    dh_Effect end = {DH_EFFECT_END, 0, 0, 0};
    const dh_Effect *keep = open->effects;
    int nkeep = open->neffects;
    open->effects = &end;
    open->neffects = 1;
    take(r, "open", NULL);
    open->effects = keep;
    open->neffects = nkeep;
    assert_int_equal(dh_run_state(r), DH_RUN_ENDED);
    assert_int_equal(dh_run_expectation(r, exp_index(s, "fast")), DH_EXP_EXPIRED);
    assert_int_equal(dh_run_expectation(r, exp_index(s, "closed")), DH_EXP_MET);
    dh_run_free(r);
    unload(&L);
}

/* ---- clock, limit, step limit ---- */

static void test_clock(void **state)
{
    (void)state;
    Loaded L;
    load(&L, "{\"title\": \"t\", \"clock\": {\"speed\": 2.5, \"limit_s\": 60},"
             " \"injects\": [{\"id\": \"atlimit\", \"channel\": \"note\", \"at_s\": 60, \"content\": {\"text\": \"m\"}}],"
             " \"endings\": [{\"id\": \"up\", \"text\": \"x\", \"outcome\": \"failure\"}]}");
    dh_Run *r = start(L.s);
    for (int i = 0; i < 10; i++) assert_int_equal(dh_run_tick(r, 100, NULL), DH_OK);
    assert_int_equal(dh_run_now(r), 2); /* 1 s real = 2.5 s scenario; fractions kept */
    assert_int_equal(dh_run_tick(r, 200, NULL), DH_OK);
    assert_int_equal(dh_run_now(r), 3);
    assert_int_equal(dh_run_next_turn(r, NULL), DH_EINVAL);
    assert_int_equal(dh_run_tick(r, 100000, NULL), DH_OK);
    /* the inject due at the limit fires, then the default ending */
    assert_int_equal(dh_run_now(r), 60);
    assert_int_equal(dh_run_state(r), DH_RUN_ENDED);
    assert_string_equal(ending_id(r), "up");
    assert_int_equal(dh_run_inject_state(r, 0), DH_INJECT_FIRED);
    dh_run_free(r);
    unload(&L);

    load(&L, "{\"title\": \"t\", \"clock\": {\"mode\": \"turns\", \"turn_s\": 300, \"limit_s\": 900},"
             " \"endings\": [{\"id\": \"up\", \"text\": \"x\", \"outcome\": \"failure\"}]}");
    r = start(L.s);
    assert_int_equal(dh_run_tick(r, 100000, NULL), DH_OK);
    assert_int_equal(dh_run_now(r), 0);
    assert_int_equal(dh_run_next_turn(r, NULL), DH_OK);
    assert_int_equal(dh_run_now(r), 300);
    assert_int_equal(dh_run_next_turn(r, NULL), DH_OK);
    assert_int_equal(dh_run_next_turn(r, NULL), DH_OK);
    assert_int_equal(dh_run_state(r), DH_RUN_ENDED);
    assert_int_equal(dh_run_now(r), 900);
    dh_run_free(r);
    unload(&L);
}

static void test_elapsed_conditions(void **state)
{
    (void)state;
    Loaded L;
    load(&L, "{\"title\": \"t\","
             " \"injects\": [{\"id\": \"late\", \"channel\": \"note\", \"when\": \"elapsed >= 301\", \"content\": {\"text\": \"m\"}}],"
             " \"endings\": [{\"id\": \"e\", \"when\": \"elapsed > 400\", \"text\": \"x\", \"outcome\": \"failure\"}]}");
    /* However the clock is moved, a condition on elapsed is seen at its second. */
    dh_Run *r = start(L.s);
    advance(r, 10000);
    assert_int_equal(dh_run_inject_time(r, 0), 301);
    assert_int_equal(dh_run_now(r), 401);
    assert_string_equal(ending_id(r), "e");
    dh_run_free(r);
    unload(&L);
}

static void test_step_limit(void **state)
{
    (void)state;
    Loaded L;
    load(&L, "{\"title\": \"t\","
             " \"injects\": [{\"id\": \"a\", \"channel\": \"note\", \"content\": {\"text\": \"m\"}},"
             "  {\"id\": \"b\", \"channel\": \"note\", \"after\": \"a\", \"content\": {\"text\": \"m\"}},"
             "  {\"id\": \"c\", \"channel\": \"note\", \"after\": \"b\", \"content\": {\"text\": \"m\"}},"
             "  {\"id\": \"d\", \"channel\": \"note\", \"after\": \"c\", \"content\": {\"text\": \"m\"}}],"
             " \"actions\": [{\"id\": \"go\", \"label\": \"go\", \"effects\": [{\"fire\": \"a\"}]}],"
             " \"endings\": [{\"id\": \"e\", \"when\": \"visited(d)\", \"text\": \"x\", \"outcome\": \"failure\"}]}");
    dh_Run *r = start(L.s);
    dh_run_set_step_limit(r, 4); /* exactly enough */
    take(r, "go", NULL);
    assert_string_equal(ending_id(r), "e");
    dh_run_free(r);
    r = start(L.s);
    dh_run_set_step_limit(r, 3);
    dh_Error err = {0};
    assert_int_equal(dh_run_take(r, act(L.s, "go"), -1, NULL, &err), DH_ELIMIT);
    assert_int_equal(dh_run_state(r), DH_RUN_FAILED);
    assert_non_null(strstr(err.msg, "more than 3 events"));
    assert_int_equal(dh_run_advance(r, 100, &err), DH_ELIMIT);
    assert_int_equal(dh_run_now(r), 0);
    char *blob = NULL;
    assert_int_equal(dh_run_save(r, &blob, NULL, NULL), DH_OK);
    dh_Run *back = NULL;
    assert_int_equal(dh_run_restore(&back, L.s, blob, strlen(blob), NULL), DH_OK);
    assert_int_equal(dh_run_state(back), DH_RUN_FAILED);
    assert_int_equal(dh_run_advance(back, 100, &err), DH_ELIMIT);
    dh_free(blob);
    dh_run_free(back);
    dh_run_free(r);
    unload(&L);
}

/* ---- the sample exercise ---- */

static dh_Course *course;
static const dh_Scenario *sample;

static int load_sample(void **state)
{
    (void)state;
    dh_Error err = {0};
    if (dh_package_init(NULL, &err) != DH_OK) return -1;
    dh_Package *pkg = NULL;
    dh_Diags d;
    dh_diags_init(&d);
    dh_Status st = dh_package_open(&pkg, COURSE, &err);
    if (st == DH_OK) st = dh_course_load(&course, pkg, &d);
    dh_package_close(pkg);
    for (int i = 0; i < d.count; i++) fprintf(stderr, "%s\n", d.items[i].msg);
    dh_diags_free(&d);
    if (st != DH_OK || !course || !course->ok) return -1;
    for (int i = 0; i < course->nmodules; i++)
        if (course->modules[i].kind == DH_MODULE_SCENARIO) sample = course->modules[i].u.scenario;
    return sample ? 0 : -1;
}

static int free_sample(void **state)
{
    (void)state;
    dh_course_free(course);
    return 0;
}

/* A recorded input log: at time t, take action (with choice), or just
 * advance when action is NULL. */
typedef struct Input {
    int64_t t;
    const char *action, *choice;
} Input;

static dh_Run *play(const Input *in, int n)
{
    dh_Run *r = start(sample);
    for (int k = 0; k < n; k++) {
        advance(r, in[k].t);
        if (in[k].action) take(r, in[k].action, in[k].choice);
    }
    return r;
}

static const Input CONTAINED[] = {{40, "report-phish", NULL}, {310, "hang-up-report", NULL}};
static const Input OUTBREAK[] = {{45, "open-attachment", NULL}, {170, "dismiss-alert", NULL},
                                 {1000, NULL, NULL}};
static const Input PARTLY[] = {{45, "open-attachment", NULL}, {200, "isolate-host", NULL},
                               {210, "call-service-desk", "desk-report-mail"}, {310, "hang-up-report", NULL}};
static const Input TAKEOVER[] = {{40, "report-phish", NULL}, {310, "read-code", NULL}, {900, NULL, NULL}};
static const Input TIMEOUT[] = {{50, "delete-mail", NULL}, {1800, NULL, NULL}};

static void test_sample_endings(void **state)
{
    (void)state;
    struct {
        const Input *in;
        int n;
        const char *ending;
        int64_t at;
        bool passed;
    } cases[] = {
        {CONTAINED, 2, "contained", 310, true},
        {OUTBREAK, 3, "outbreak", 765, false},
        /* the account for the incident report was not written: 0.78 < 0.8 */
        {PARTLY, 4, "partly-contained", 310, false},
        {TAKEOVER, 3, "account-takeover", 670, false},
        {TIMEOUT, 2, "timed-out", 1800, false},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        dh_Run *r = play(cases[c].in, cases[c].n);
        assert_int_equal(dh_run_state(r), DH_RUN_ENDED);
        assert_string_equal(ending_id(r), cases[c].ending);
        assert_int_equal(dh_run_now(r), cases[c].at);
        dh_Review *v = NULL;
        assert_int_equal(dh_run_review(r, 0.8, &v, NULL), DH_OK);
        if (v->passed != cases[c].passed) fail_msg("%s: score %f", cases[c].ending, v->score);
        dh_review_free(v);
        char *json = review_json(r, 0.8);
        assert_non_null(strstr(json, cases[c].ending));
        dh_free(json);
        dh_run_free(r);
    }
    /* The contained run: every applicable expectation met, the cues spotted. */
    dh_Run *r = play(CONTAINED, 2);
    char *json = review_json(r, 0.8);
    assert_non_null(strstr(json, "\"score\":1.000000,\"scored\":true"));
    assert_non_null(strstr(json, "{\"id\":\"isolate-fast\",\"state\":\"not-applicable\""));
    assert_null(strstr(json, "\"missed\":true"));
    dh_free(json);
    dh_run_free(r);
    /* The outbreak run: the mail's cues were missed, the objectives scored low. */
    r = play(OUTBREAK, 3);
    json = review_json(r, 0.8);
    assert_non_null(strstr(json, "\"inject\":\"payroll-mail\",\"cue\":"));
    assert_non_null(strstr(json, "\"missed\":true"));
    assert_non_null(strstr(json, "{\"id\":\"never-open\",\"state\":\"missed\",\"start_s\":30,\"at_s\":45"));
    assert_non_null(strstr(json, "{\"id\":\"isolate-fast\",\"state\":\"missed\",\"start_s\":165,\"at_s\":465"));
    dh_free(json);
    dh_run_free(r);
}

static void test_replay_is_identical(void **state)
{
    (void)state;
    const Input *logs[] = {CONTAINED, OUTBREAK, PARTLY, TAKEOVER, TIMEOUT};
    int ns[] = {2, 3, 4, 3, 2};
    char *prev = NULL;
    for (int k = 0; k < 5; k++) {
        dh_Run *a = play(logs[k], ns[k]), *b = play(logs[k], ns[k]);
        char *ja = review_json(a, 0.8), *jb = review_json(b, 0.8);
        assert_string_equal(ja, jb);
        if (prev) assert_string_not_equal(prev, ja);
        dh_free(prev);
        prev = ja;
        dh_free(jb);
        dh_run_free(a);
        dh_run_free(b);
    }
    dh_free(prev);
}

static void test_resume(void **state)
{
    (void)state;
    /* Stop mid-scenario (a pending timer, open windows), save, restore, and
     * continue both the same way: the reviews are byte-identical. */
    dh_Run *a = play(OUTBREAK, 1);
    advance(a, 100);
    char *blob = NULL;
    size_t len = 0;
    assert_int_equal(dh_run_save(a, &blob, &len, NULL), DH_OK);
    dh_Run *b = NULL;
    dh_Error err = {0};
    if (dh_run_restore(&b, sample, blob, len, &err) != DH_OK) fail_msg("%s", err.msg);
    char *blob2 = NULL;
    assert_int_equal(dh_run_save(b, &blob2, NULL, NULL), DH_OK);
    assert_string_equal(blob, blob2);
    dh_free(blob2);
    for (int k = 0; k < 2; k++) {
        dh_Run *r = k ? b : a;
        advance(r, 170);
        take(r, "dismiss-alert", NULL);
        advance(r, 1000);
    }
    char *ja = review_json(a, 0.8), *jb = review_json(b, 0.8);
    assert_string_equal(ja, jb);
    assert_non_null(strstr(ja, "\"ending\":\"outbreak\""));
    dh_free(ja);
    dh_free(jb);
    dh_run_free(b);

    /* A blob for another scenario is refused. */
    Loaded L;
    load(&L, TRIGGERS);
    assert_int_equal(dh_run_restore(&b, L.s, blob, len, &err), DH_EFORMAT);
    assert_non_null(strstr(err.msg, "different version of this exercise"));
    assert_null(b);
    unload(&L);
    /* Every truncation and many one-byte corruptions: an error or a run, never a crash. */
    for (size_t n = 0; n < len; n++) {
        assert_int_not_equal(dh_run_restore(&b, sample, blob, n, &err), DH_OK);
        assert_null(b);
    }
    /* A clock moved past a pending inject would have to go back in time. */
    char *moved = dh_strdup(blob);
    char *now = strstr(moved, "\"now\":100,");
    assert_non_null(now);
    memcpy(now, "\"now\":200,", 10);
    assert_int_equal(dh_run_restore(&b, sample, moved, len, &err), DH_EFORMAT);
    assert_non_null(strstr(err.msg, "inject"));
    dh_free(moved);
    char *bad = dh_strdup(blob);
    const char repl[] = "9-x\"[{,0";
    for (size_t i = 0; i < len; i += 3) {
        for (size_t j = 0; j < sizeof repl - 1; j++) {
            char keep = bad[i];
            bad[i] = repl[j];
            if (dh_run_restore(&b, sample, bad, len, &err) == DH_OK) {
                dh_run_advance(b, 2000, NULL);
                char *j2 = review_json(b, 0.8);
                dh_free(j2);
                dh_run_free(b);
            }
            bad[i] = keep;
        }
    }
    dh_free(bad);
    dh_free(blob);
    dh_run_free(a);
}

/* Random play (a fixed generator, so the test is the same every time): any
 * sequence of offered actions and clock moves ends or keeps playing without
 * error, and a run saved at any point and restored plays on identically. */
static void test_random_play(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (int game = 0; game < 200; game++) {
        dh_Run *r = start(sample), *shadow = NULL;
        int save_at = game % 7;
        for (int step = 0; step < 40 && dh_run_state(r) == DH_RUN_PLAYING; step++) {
            if (step == save_at) {
                char *blob = NULL;
                size_t len;
                assert_int_equal(dh_run_save(r, &blob, &len, NULL), DH_OK);
                assert_int_equal(dh_run_restore(&shadow, sample, blob, len, NULL), DH_OK);
                dh_free(blob);
            }
            x = x * 1103515245u + 12345u;
            int pick = (int)((x >> 8) % (uint32_t)(sample->nactions + 3));
            dh_Run *both[2] = {r, shadow};
            for (int k = 0; k < 2 && both[k]; k++) {
                dh_Run *q = both[k];
                if (pick >= sample->nactions) {
                    assert_int_equal(dh_run_advance(q, dh_run_now(q) + (x >> 20) % 200, NULL), DH_OK);
                    continue;
                }
                const dh_Action *a = &sample->actions[pick];
                if (a->parent >= 0 || !dh_run_offered(q, pick)) {
                    assert_int_equal(dh_run_take(q, pick, -1, NULL, NULL), DH_EINVAL);
                    continue;
                }
                int choice = -1;
                for (int c = 0; c < a->nchoices; c++)
                    if (dh_run_offered(q, a->first_choice + c)) choice = a->first_choice + c;
                const char *text = a->response == DH_RESPONSE_TEXT ? "answer" : NULL;
                dh_Status st = dh_run_take(q, pick, choice, text, NULL);
                assert_true(st == DH_OK || (a->response == DH_RESPONSE_CHOICE && choice < 0));
            }
        }
        assert_int_equal(dh_run_advance(r, 4000, NULL), DH_OK);
        assert_int_equal(dh_run_state(r), DH_RUN_ENDED);
        if (shadow) {
            assert_int_equal(dh_run_advance(shadow, 4000, NULL), DH_OK);
            char *ja = review_json(r, 0.8), *jb = review_json(shadow, 0.8);
            assert_string_equal(ja, jb);
            dh_free(ja);
            dh_free(jb);
        }
        dh_run_free(shadow);
        dh_run_free(r);
    }
}

/* Fail every allocation in turn during a short session: each call returns
 * DH_OK or DH_ENOMEM, nothing crashes, nothing leaks (asan preset). */
static void test_out_of_memory(void **state)
{
    (void)state;
    long n;
    for (n = 1;; n++) {
        dh_alloc_fail_after(n);
        dh_Run *r = NULL, *b = NULL;
        dh_Review *v = NULL;
        char *json = NULL, *blob = NULL;
        size_t len = 0;
        bool failed = false;
        dh_Status st = dh_run_new(&r, sample, 7, NULL);
        failed |= st != DH_OK;
        if (st == DH_OK) {
            st = dh_run_advance(r, 40, NULL);
            assert_true(st == DH_OK || st == DH_ENOMEM);
            st = dh_run_take(r, act(sample, "open-attachment"), -1, NULL, NULL);
            assert_true(st == DH_OK || st == DH_ENOMEM || st == DH_EINVAL);
            st = dh_run_advance(r, 900, NULL);
            assert_true(st == DH_OK || st == DH_ENOMEM);
            st = dh_run_review(r, 0.8, &v, NULL);
            assert_true(st == DH_OK || st == DH_ENOMEM);
            failed |= st != DH_OK;
            if (v) {
                st = dh_review_json(v, "en", &json, NULL, NULL);
                assert_true(st == DH_OK || st == DH_ENOMEM);
                failed |= st != DH_OK;
            }
            st = dh_run_save(r, &blob, &len, NULL);
            assert_true(st == DH_OK || st == DH_ENOMEM);
            failed |= st != DH_OK;
            if (blob) {
                st = dh_run_restore(&b, sample, blob, len, NULL);
                assert_true(st == DH_OK || st == DH_ENOMEM);
                failed |= st != DH_OK;
            }
        }
        long count = dh_alloc_count();
        dh_alloc_fail_after(0);
        dh_free(json);
        dh_free(blob);
        dh_review_free(v);
        dh_run_free(b);
        dh_run_free(r);
        if (!failed && count < n) break; /* a whole session with no failure left */
        assert_true(n < 100000);
    }
    assert_true(n > 20); /* the session allocates: the loop really failed each one */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_triggers),
        cmocka_unit_test(test_expiry_and_cancel),
        cmocka_unit_test(test_endings_in_order),
        cmocka_unit_test(test_effects),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_expired_window),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_elapsed_conditions),
        cmocka_unit_test(test_step_limit),
        cmocka_unit_test(test_sample_endings),
        cmocka_unit_test(test_replay_is_identical),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_random_play),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, load_sample, free_sample);
}
