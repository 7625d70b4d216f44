/* test_scenario: the scenario loader. The sample exercise loads clean into
 * the model the engine will play; each validation rule produces its exact
 * message at the exact line:col (found by searching the test's own JSON for
 * the text the diagnostic must point at); the static analysis finds dead
 * injects, unreachable endings and scenarios that never end, and does not
 * flag live ones; running out of memory at any point is survived. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE DH_SOURCE_DIR "/courses/awareness-essentials/scenarios/payroll-phish.json"

typedef struct Loaded {
    const char *text;
    dh_Json doc;
    dh_Diags d;
    dh_Arena arena;
    dh_Scenario *s;
    dh_Status st;
} Loaded;

static void load(Loaded *L, const char *text)
{
    static const char *const langs[] = {"en"};
    L->text = text;
    dh_diags_init(&L->d);
    dh_arena_init(&L->arena);
    L->s = NULL;
    assert_int_equal(dh_json_parse(&L->doc, "scenarios/s.json", text, strlen(text), &L->d), DH_OK);
    dh_LoadCtx c = {&L->arena, &L->d, &L->doc, NULL, langs, 1, false};
    L->st = dh_scenario_parse(&c, L->doc.root, &L->s);
    assert_int_equal(L->st, DH_OK);
}

static void unload(Loaded *L)
{
    dh_json_free(&L->doc);
    dh_diags_free(&L->d);
    dh_arena_free(&L->arena);
}

static void dump(const Loaded *L)
{
    for (int i = 0; i < L->d.count; i++)
        fprintf(stderr, "  got %d:%d: %s: %s\n", L->d.items[i].line, L->d.items[i].col,
                L->d.items[i].severity == DH_ERROR ? "error" : "warning", L->d.items[i].msg);
}

/* Line and column (characters) of the nth (1-based) occurrence of needle. */
static void pos_of(const char *text, const char *needle, int nth, int *line, int *col)
{
    const char *p = text;
    for (int k = 0; k < nth; k++) {
        p = strstr(k ? p + 1 : p, needle);
        if (!p) fail_msg("'%s' (#%d) is not in the test text", needle, nth);
    }
    *line = 1;
    *col = 1;
    for (const char *q = text; q < p; q++) {
        if (*q == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)*q & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

/* A diagnostic "severity: msg" must be at the nth occurrence of needle. */
static void expect_at(const Loaded *L, const char *needle, int nth, const char *want)
{
    int line, col;
    pos_of(L->text, needle, nth, &line, &col);
    for (int i = 0; i < L->d.count; i++) {
        const dh_Diag *g = &L->d.items[i];
        char got[1200];
        snprintf(got, sizeof got, "%s: %s", g->severity == DH_ERROR ? "error" : "warning", g->msg);
        if (g->line == line && g->col == col && strcmp(got, want) == 0) return;
    }
    dump(L);
    fail_msg("missing at %d:%d (\"%s\"): %s", line, col, needle, want);
}

static void expect_counts(const Loaded *L, int errors, int warnings)
{
    if (L->d.errors != errors || L->d.warnings != warnings) {
        dump(L);
        fail_msg("want %d errors and %d warnings, got %d and %d", errors, warnings, L->d.errors, L->d.warnings);
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* ---- the sample and the model ------------------------------------------------ */

static const dh_Effect *find_effect(const dh_Action *a, dh_EffectKind kind, int target)
{
    for (int i = 0; i < a->neffects; i++)
        if (a->effects[i].kind == kind && a->effects[i].target == target) return &a->effects[i];
    return NULL;
}

static void test_sample(void **state)
{
    (void)state;
    char *text = slurp(SAMPLE);
    Loaded L;
    load(&L, text);
    expect_counts(&L, 0, 0);
    const dh_Scenario *s = L.s;
    assert_non_null(s);
    assert_int_equal(s->clock.mode, DH_CLOCK_SCALED);
    assert_true(s->clock.speed == 2);
    assert_int_equal(s->clock.limit_s, 1800);
    assert_int_equal(s->seed, 7);
    assert_string_equal(dh_text_get(&s->banner, "en", "en"), "EXERCISE \xE2\x80\x94 EXERCISE \xE2\x80\x94 EXERCISE");

    int stage = dh_scenario_var_index(s, "stage");
    assert_true(stage >= 0);
    assert_int_equal(s->env.vars[stage].type, DH_VAR_ENUM);
    assert_int_equal(s->env.vars[stage].nvalues, 3);
    assert_int_equal(s->initial[stage], 0);
    int reported = dh_scenario_var_index(s, "reported"), hosts = dh_scenario_var_index(s, "hosts_affected");
    assert_int_equal(s->env.vars[hosts].type, DH_VAR_INT);

    int mail = dh_scenario_inject_index(s, "payroll-mail");
    assert_int_equal(mail, 1); /* after the supervisor's morning note */
    const dh_Inject *in = &s->injects[mail];
    assert_int_equal(in->channel, DH_CHANNEL_MAIL);
    assert_int_equal(in->trigger, DH_TRIGGER_AT);
    assert_int_equal(in->at_s, 30);
    assert_int_equal(in->expires_s, 1500);
    assert_int_equal(in->nactions, 4);
    assert_int_equal(in->content.nattachments, 1);
    assert_string_equal(in->content.attachments[0], "Salary_Adjustment_Statement.xlsm");
    assert_int_equal(in->content.ncues, 5);
    assert_string_equal(in->content.cues[0].field, "from");
    assert_string_equal(dh_channel_name(in->channel), "mail");

    int report = dh_scenario_action_index(s, "report-phish");
    assert_int_equal(report, in->first_action);
    const dh_Action *a = &s->actions[report];
    assert_int_equal(a->inject, mail);
    assert_non_null(a->when);
    assert_string_equal(a->when_text, "!reported && !deleted");
    const dh_Effect *e = find_effect(a, DH_EFFECT_FIRE, dh_scenario_inject_index(s, "soc-thanks"));
    assert_non_null(e);
    assert_int_equal(e->delay_s, 90);
    assert_non_null(find_effect(a, DH_EFFECT_SET, reported));

    const dh_Action *open = &s->actions[dh_scenario_action_index(s, "open-attachment")];
    const dh_Effect *set_stage = find_effect(open, DH_EFFECT_SET, stage);
    assert_non_null(set_stage);
    assert_int_equal(set_stage->value, 1); /* "foothold" */
    assert_int_equal(find_effect(open, DH_EFFECT_ADD, hosts)->value, 1);

    int c2 = dh_scenario_inject_index(s, "c2-log");
    assert_int_equal(s->injects[c2].trigger, DH_TRIGGER_AFTER);
    assert_int_equal(s->injects[c2].after, dh_scenario_inject_index(s, "edr-alert"));
    assert_int_equal(s->injects[c2].delay_s, 180);
    assert_int_equal(s->injects[c2].content.nlines, 5);
    assert_int_equal(s->injects[dh_scenario_inject_index(s, "soc-thanks")].trigger, DH_TRIGGER_EFFECT);

    const dh_Action *desk = &s->actions[dh_scenario_action_index(s, "call-service-desk")];
    assert_int_equal(desk->inject, -1);
    assert_int_equal(desk->response, DH_RESPONSE_CHOICE);
    assert_int_equal(desk->nchoices, 2);
    assert_true(desk->repeatable);
    const dh_Action *choice = &s->actions[desk->first_choice + 1];
    assert_string_equal(choice->id, "desk-report-infection");
    assert_int_equal(choice->parent, dh_scenario_action_index(s, "call-service-desk"));

    assert_int_equal(s->ninjects, 14);
    assert_int_equal(s->nexpectations, 8);
    assert_int_equal(s->expectations[0].from, mail);
    assert_int_equal(s->expectations[0].within_s, 300);
    assert_int_equal(s->expectations[0].objective, 0);
    assert_true(s->expectations[1].keep);
    assert_int_equal(s->nendings, 5);
    assert_int_equal(s->default_ending, 4);
    assert_int_equal(s->endings[2].outcome, DH_OUTCOME_SUCCESS);
    assert_string_equal(dh_outcome_name(s->endings[0].outcome), "failure");
    assert_int_equal(s->debrief.ndiscussion, 6);
    /* the status panel: three variables, the enum with a text per value */
    assert_int_equal(s->nstatus, 3);
    assert_int_equal(s->status[1].var, hosts);
    assert_null(s->status[1].values);
    assert_int_equal(s->status[2].var, stage);
    assert_string_equal(dh_text_get(&s->status[2].values[1], "en", "en"), "Attacker on LOG-WS-07");

    /* Its conditions evaluate against a state like the engine's. */
    int64_t vars[16] = {0};
    bool visited[32] = {false}, chosen[64] = {false};
    assert_true(s->env.nvars <= 16 && s->ninjects <= 32 && s->nactions <= 64);
    dh_ExprState st = {vars, visited, chosen, 0};
    const dh_Ending *partly = &s->endings[3];
    assert_false(dh_expr_test(partly->when, &st));
    vars[stage] = 2;
    vars[reported] = 1;
    assert_false(dh_expr_test(partly->when, &st)); /* the fake IT call is not dealt with yet */
    vars[dh_scenario_var_index(s, "call_handled")] = 1;
    assert_true(dh_expr_test(partly->when, &st));
    unload(&L);
    free(text);
}

static void test_minimal_defaults(void **state)
{
    (void)state;
    Loaded L;
    load(&L, "{\"injects\": [{\"id\": \"n\", \"channel\": \"note\", \"at_s\": 0, \"content\": {\"text\": \"Hello\"},\n"
             "  \"actions\": [{\"id\": \"done\", \"label\": \"Done\", \"effects\": [{\"end\": \"ok\"}]}]}],\n"
             " \"endings\": [{\"id\": \"ok\", \"text\": \"Well done\", \"outcome\": \"success\"}]}");
    expect_counts(&L, 0, 0);
    assert_int_equal(L.s->clock.mode, DH_CLOCK_SCALED);
    assert_true(L.s->clock.speed == 1);
    assert_int_equal(L.s->clock.limit_s, 0);
    assert_int_equal(L.s->banner.count, 1);
    assert_int_equal(L.s->default_ending, 0);
    assert_int_equal(L.s->actions[0].effects[0].kind, DH_EFFECT_END);
    assert_int_equal(L.s->actions[0].response, DH_RESPONSE_NONE);
    unload(&L);

    load(&L, "[]");
    expect_at(&L, "[]", 1, "error: a scenario file must hold an object ({...}), not an array");
    assert_null(L.s);
    unload(&L);
}

/* ---- structure, types, ids and references --------------------------------------- */

static void test_members_and_types(void **state)
{
    (void)state;
    const char *t =
        "{\"titel\": \"x\",\n"
        " \"clock\": {\"mode\": \"turn\", \"sped\": 2, \"limit_s\": -5},\n"
        " \"seed\": 1.5,\n"
        " \"vars\": {\"ok\": true, \"true\": 1, \"s\": \"text\", \"f\": 2.5, \"e\": {\"enum\": [\"a\", \"a\", 3]}},\n"
        " \"injects\": {},\n"
        " \"endings\": [7, {\"id\": \"end\", \"text\": \"x\", \"outcome\": \"success\", \"wen\": \"ok\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "\"titel\"", 1, "warning: unknown member 'titel' in a scenario (ignored); did you mean 'title'?");
    expect_at(&L, "\"turn\"", 1, "error: unknown mode 'turn' (use scaled or turns)");
    expect_at(&L, "\"sped\"", 1, "warning: unknown member 'sped' in the clock (ignored); did you mean 'speed'?");
    expect_at(&L, "-5", 1, "error: 'limit_s' must be between 1 and 604800, not -5");
    expect_at(&L, "1.5", 1, "error: 'seed' must be a whole number, not 1.5");
    expect_at(&L, "\"true\"", 1,
              "error: 'true' is not a valid variable name: use letters, digits and '_', start with a letter, and avoid true, false, elapsed, visited and chose");
    expect_at(&L, "\"text\"", 1,
              "error: variable 's' must start as true or false, a whole number, or {\"enum\": [...], \"initial\": \"...\"}, not a string");
    expect_at(&L, "2.5", 1, "error: variable 'f' must start as a whole number, not 2.5");
    expect_at(&L, "\"a\"", 2, "error: 'a' is listed twice in 'enum'");
    expect_at(&L, "3]", 1, "error: enum values must be strings of letters, digits, '.', '_' or '-', not a number");
    expect_at(&L, "{},", 1, "error: 'injects' must be an array, not an object");
    expect_at(&L, "7,", 1, "error: an ending must be an object ({...}), not a number");
    expect_at(&L, "\"wen\"", 1, "warning: unknown member 'wen' in an ending (ignored); did you mean 'when'?");
    expect_at(&L, "\"end\"", 1,
              "warning: ending 'end' can never be reached: it has no 'when', the clock has no 'limit_s', and no 'end' effect names it");
    expect_at(&L, "[7", 1,
              "error: this scenario can never end: the clock has no 'limit_s', no action that can be taken has an 'end' effect, and no ending's 'when' can become true");
    expect_counts(&L, 11, 4);
    unload(&L);
}

static void test_duplicate_ids_and_references(void **state)
{
    (void)state;
    const char *t =
        "{\"vars\": {\"flag\": false},\n"
        " \"objectives\": [{\"id\": \"dup\", \"text\": \"o\"}],\n"
        " \"injects\": [\n"
        "  {\"id\": \"dup\", \"channel\": \"note\", \"at_s\": 0, \"content\": {\"text\": \"x\"},\n"
        "   \"actions\": [{\"id\": \"act\", \"label\": \"A\", \"effects\": [{\"fire\": \"inj2\"}, {\"cancel\": \"fin1\"},\n"
        "                {\"end\": \"fin\"}, {\"set\": {\"flg\": true}}]}]},\n"
        "  {\"id\": \"act\", \"channel\": \"note\", \"after\": \"inj\", \"content\": {\"text\": \"x\"}}],\n"
        " \"expectations\": [{\"id\": \"E\", \"text\": \"x\", \"action\": \"dup\", \"objective\": \"obj\", \"from\": \"nowhere\"}],\n"
        " \"endings\": [{\"id\": \"fin1\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "\"dup\"", 2,
              "error: duplicate id 'dup': the objective at line 2 already has it (ids must be unique across injects, actions, objectives, expectations and endings)");
    expect_at(&L, "\"act\"", 2,
              "error: duplicate id 'act': the action at line 5 already has it (ids must be unique across injects, actions, objectives, expectations and endings)");
    expect_at(&L, "\"inj2\"", 1, "error: unknown inject 'inj2'");
    expect_at(&L, "\"fin1\"", 1, "error: 'fin1' is an ending, but 'cancel' must name an inject");
    expect_at(&L, "\"fin\"", 1, "error: unknown ending 'fin' (did you mean 'fin1'?)");
    expect_at(&L, "\"flg\"", 1, "error: unknown variable 'flg' (did you mean 'flag'?)");
    expect_at(&L, "\"inj\"", 1, "error: unknown inject 'inj'");
    expect_at(&L, "\"dup\"", 3, "error: 'dup' is an objective, but 'action' must name an action");
    expect_at(&L, "\"obj\"", 1, "error: unknown objective 'obj'");
    expect_at(&L, "\"nowhere\"", 1, "error: unknown inject 'nowhere'");
    expect_at(&L, "\"dup\"", 1, "warning: objective 'dup' has no expectations, so it can never be scored");
    expect_at(&L, "\"fin1\"", 2,
              "warning: ending 'fin1' can never be reached: it has no 'when', the clock has no 'limit_s', and no 'end' effect names it");
    expect_counts(&L, 11, 2); /* + "can never end", seen elsewhere */
    unload(&L);
}

/* ---- conditions ------------------------------------------------------------------- */

static void test_condition_positions(void **state)
{
    (void)state;
    /* The second condition has escapes before the error: the column must
     * still be that of the bad name in the file. */
    const char *t =
        "{\"vars\": {\"reported\": false, \"hosts\": 0, \"phase\": {\"enum\": [\"calm\", \"busy\"]}},\n"
        " \"injects\": [\n"
        "  {\"id\": \"a\", \"channel\": \"note\", \"when\": \"hosts > 2 && reportd\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"b\", \"channel\": \"note\", \"when\": \"phase == \\\"calm\\\" && \\u0068osts == tru\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"c\", \"channel\": \"note\", \"when\": \"hosts + 1\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"d\", \"channel\": \"note\", \"when\": \"phase == 'clam'\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"e\", \"channel\": \"note\", \"when\": \"reported == 1\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"f\", \"channel\": \"note\", \"when\": \"hosts / 0 > 1 || visited(a)\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"g\", \"channel\": \"note\", \"when\": 42, \"content\": {\"text\": \"x\"}}],\n"
        " \"actions\": [{\"id\": \"go\", \"label\": \"Go\", \"effects\": [{\"set\": {\"hosts\": 3}}, {\"end\": \"fin\"}]}],\n"
        " \"endings\": [{\"id\": \"fin\", \"when\": \"chose(gp)\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "reportd", 1, "error: unknown variable 'reportd' (did you mean 'reported'?)");
    expect_at(&L, "tru\"", 1, "error: unknown variable 'tru' (did you mean 'true'?)");
    expect_at(&L, "hosts + 1", 1,
              "error: 'when' must be a condition that is true or false, but this gives a number; compare it, e.g. 'x > 0'");
    expect_at(&L, "'clam'", 1, "error: 'clam' is not a value of 'phase' (did you mean 'calm'?)");
    expect_at(&L, "== 1", 1, "error: cannot compare a boolean with a number");
    expect_at(&L, "/ 0", 1, "warning: division by zero always gives 0 here");
    expect_at(&L, "42", 1, "error: 'when' must be a string, not a number");
    expect_at(&L, "gp)", 1, "error: unknown action 'gp' (did you mean 'go'?)");
    expect_counts(&L, 7, 1);
    unload(&L);
}

static void test_effect_values(void **state)
{
    (void)state;
    const char *t =
        "{\"vars\": {\"flag\": false, \"n\": 0, \"phase\": {\"enum\": [\"calm\", \"busy\"], \"initial\": \"calm\"}},\n"
        " \"actions\": [{\"id\": \"go\", \"label\": \"Go\", \"effects\": [\n"
        "   {\"set\": {\"flag\": 1, \"n\": true, \"phase\": \"bussy\"}},\n"
        "   {\"set\": {\"n\": 1.5, \"phase\": 2}},\n"
        "   {\"add\": {\"flag\": 1, \"phase\": 1, \"n\": \"one\"}},\n"
        "   {\"set\": {}}, {}, [], {\"set\": {\"n\": 1}, \"fire\": \"x\"},\n"
        "   {\"end\": \"e\", \"delay_s\": 5}, {\"end\": \"e\", \"dealy_s\": 5}]}],\n"
        " \"endings\": [{\"id\": \"e\", \"when\": \"false\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "1,", 1, "error: 'flag' is a boolean, so it can only be set to true or false, not a number");
    expect_at(&L, "true,", 1, "error: 'n' is a number, so it can only be set to a whole number, not a boolean");
    expect_at(&L, "\"bussy\"", 1, "error: 'bussy' is not a value of 'phase' (did you mean 'busy'?)");
    expect_at(&L, "1.5", 1, "error: 'n' holds whole numbers, so set it to a whole number, not 1.5");
    expect_at(&L, "2}", 1, "error: 'phase' is an enum, so it can only be set to one of its values (calm, busy), not a number");
    expect_at(&L, "\"flag\"", 3, "error: 'add' needs a number variable, but 'flag' is a boolean");
    expect_at(&L, "\"phase\"", 4, "error: 'add' needs a number variable, but 'phase' is an enum");
    expect_at(&L, "\"one\"", 1, "error: 'n' is a number, so it can only be increased by a whole number, not a string");
    expect_at(&L, "{}}", 1, "error: 'set' names no variable: write e.g. {\"set\": {\"reported\": true}}");
    expect_at(&L, "{},", 1, "error: an effect needs one of 'set', 'add', 'fire', 'cancel' or 'end'");
    expect_at(&L, "[],", 1, "error: an effect must be an object such as {\"set\": {\"reported\": true}}, not an array");
    expect_at(&L, "{\"set\": {\"n\": 1}", 1,
              "error: an effect does one thing, but this one has both 'set' and 'fire'; split it into two effects");
    expect_at(&L, "5}", 1, "warning: 'delay_s' only applies to 'fire' (ignored)");
    expect_at(&L, "\"dealy_s\"", 1, "warning: unknown member 'dealy_s' in an effect (ignored); did you mean 'delay_s'?");
    expect_counts(&L, 12, 2);
    unload(&L);
}

/* ---- timing and the static analysis ------------------------------------------------ */

static void test_timing(void **state)
{
    (void)state;
    const char *t =
        "{\"clock\": {\"limit_s\": 600},\n"
        " \"injects\": [\n"
        "  {\"id\": \"a\", \"channel\": \"note\", \"at_s\": 700, \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"b\", \"channel\": \"note\", \"at_s\": -1, \"after\": \"a\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"c\", \"channel\": \"note\", \"at_s\": 500, \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"d\", \"channel\": \"note\", \"after\": \"c\", \"delay_s\": 200, \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"e\", \"channel\": \"note\", \"at_s\": 0, \"delay_s\": 5, \"expires_s\": 0, \"content\": {\"text\": \"x\"}}],\n"
        " \"expectations\": [{\"id\": \"x\", \"text\": \"x\", \"when\": \"visited(d)\", \"within_s\": 900}],\n"
        " \"endings\": [{\"id\": \"end\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "700", 1, "error: 'at_s' is 700 s, after the clock's limit_s of 600 s: this inject would never fire");
    expect_at(&L, "-1", 1, "error: 'at_s' must be between 0 and 604800, not -1");
    expect_at(&L, "\"a\",", 2,
              "error: an inject fires either at a time ('at_s') or after another inject ('after'), not both");
    expect_at(&L, "\"c\",", 2, "warning: inject 'd' fires at 700 s at the earliest, after the clock's limit_s of 600 s");
    expect_at(&L, "5,", 1, "warning: 'delay_s' only applies together with 'after' (ignored)");
    expect_at(&L, "0, \"content\"", 4, "error: 'expires_s' must be between 1 and 604800, not 0");
    expect_at(&L, "900", 1, "warning: 'within_s' is 900 s, longer than the whole exercise (limit_s 600 s)");
    expect_counts(&L, 4, 3);
    unload(&L);
}

static void test_dead_injects(void **state)
{
    (void)state;
    const char *t =
        "{\"vars\": {\"fixed\": false, \"moved\": 0},\n"
        " \"injects\": [\n"
        "  {\"id\": \"start\", \"channel\": \"note\", \"at_s\": 0, \"content\": {\"text\": \"x\"},\n"
        "   \"actions\": [{\"id\": \"move\", \"label\": \"M\", \"effects\": [{\"add\": {\"moved\": 1}}, {\"set\": {\"fixed\": false}}]},\n"
        "                 {\"id\": \"locked\", \"label\": \"L\", \"when\": \"fixed\", \"effects\": [{\"fire\": \"by-locked\"}]}]},\n"
        "  {\"id\": \"orphan\", \"channel\": \"note\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"after-orphan\", \"channel\": \"note\", \"after\": \"orphan\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"by-locked\", \"channel\": \"note\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"never\", \"channel\": \"note\", \"when\": \"fixed && moved > 0\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"live\", \"channel\": \"note\", \"when\": \"moved > 2 && !fixed\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"chicken\", \"channel\": \"note\", \"when\": \"visited(egg)\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"egg\", \"channel\": \"note\", \"when\": \"visited(chicken)\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"not-yet\", \"channel\": \"note\", \"when\": \"!visited(orphan)\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"loop1\", \"channel\": \"note\", \"after\": \"loop2\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"loop2\", \"channel\": \"note\", \"after\": \"loop1\", \"content\": {\"text\": \"x\"}},\n"
        "  {\"id\": \"self\", \"channel\": \"note\", \"after\": \"self\", \"content\": {\"text\": \"x\"}}],\n"
        " \"expectations\": [{\"id\": \"x1\", \"text\": \"x\", \"action\": \"locked\"},\n"
        "                  {\"id\": \"x2\", \"text\": \"x\", \"when\": \"chose(locked) || visited(never)\"},\n"
        "                  {\"id\": \"x3\", \"text\": \"x\", \"when\": \"moved > 1\", \"from\": \"egg\"},\n"
        "                  {\"id\": \"x4\", \"text\": \"x\", \"action\": \"move\", \"keep\": true}],\n"
        " \"endings\": [{\"id\": \"end\", \"when\": \"visited(live)\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "\"locked\"", 1, "warning: action 'locked' is never offered: its 'when' condition can never become true");
    expect_at(&L, "\"orphan\"", 1,
              "warning: inject 'orphan' can never fire: it has no 'at_s', 'after' or 'when', and no 'fire' effect names it");
    expect_at(&L, "\"after-orphan\"", 1, "warning: inject 'after-orphan' can never fire: it comes after 'orphan', which can never fire");
    expect_at(&L, "\"by-locked\"", 2, "warning: inject 'by-locked' can never fire: the only actions that fire it are never offered");
    expect_at(&L, "\"never\"", 1, "warning: inject 'never' can never fire: its 'when' condition can never become true");
    expect_at(&L, "\"chicken\"", 1, "warning: inject 'chicken' can never fire: its 'when' condition can never become true");
    expect_at(&L, "\"egg\"", 1, "warning: inject 'egg' can never fire: its 'when' condition can never become true");
    expect_at(&L, "\"loop2\"", 1,
              "error: injects wait for each other in a cycle ('after': loop1 -> loop2 -> loop1), so none of them can fire");
    expect_at(&L, "\"self\"", 2, "error: inject 'self' comes 'after' itself, so it can never fire");
    expect_at(&L, "\"locked\"", 2, "warning: expectation 'x1' can never be met: action 'locked' is never offered to the trainee");
    expect_at(&L, "\"chose(locked)", 1,
              "warning: expectation 'x2' can never be met: its 'when' condition can never become true");
    expect_at(&L, "\"x3\"", 1, "warning: expectation 'x3' starts counting when inject 'egg' fires, which can never happen");
    expect_at(&L, "true}", 1,
              "error: 'keep' applies to a 'when' condition that must hold throughout, not to an 'action'");
    /* live, not-yet and the ending are not flagged. */
    expect_counts(&L, 3, 10);
    unload(&L);
}

static void test_endings(void **state)
{
    (void)state;
    Loaded L;
    /* No endings at all. */
    load(&L, "{\"injects\": []}");
    expect_at(&L, "{", 1, "error: a scenario needs at least one ending in 'endings'");
    expect_counts(&L, 1, 0);
    unload(&L);

    /* Endings that can never be chosen, no limit, no end effect. */
    const char *t =
        "{\"vars\": {\"done\": false},\n"
        " \"actions\": [{\"id\": \"wait\", \"label\": \"Wait\"}],\n"
        " \"endings\": [{\"id\": \"win\", \"when\": \"done\", \"text\": \"x\", \"outcome\": \"success\"},\n"
        "             {\"id\": \"lose\", \"text\": \"x\", \"outcome\": \"failure\"},\n"
        "             {\"id\": \"also\", \"text\": \"x\", \"outcome\": \"partial\"}]}";
    load(&L, t);
    expect_at(&L, "[{\"id\": \"win\"", 1,
              "error: this scenario can never end: the clock has no 'limit_s', no action that can be taken has an 'end' effect, and no ending's 'when' can become true");
    expect_at(&L, "\"win\"", 1,
              "warning: ending 'win' can never be reached: its 'when' condition can never become true and no 'end' effect names it");
    expect_at(&L, "\"lose\"", 1,
              "warning: ending 'lose' can never be reached: it has no 'when', the clock has no 'limit_s', and no 'end' effect names it");
    expect_at(&L, "\"also\"", 1,
              "error: only one ending may leave out 'when' (the default, used when time runs out); 'lose' already does");
    expect_counts(&L, 2, 2);
    unload(&L);

    /* A limit without a default ending; an 'end' effect makes 'win' reachable. */
    t = "{\"clock\": {\"limit_s\": 60},\n"
        " \"vars\": {\"done\": false},\n"
        " \"actions\": [{\"id\": \"finish\", \"label\": \"F\", \"effects\": [{\"end\": \"win\"}]}],\n"
        " \"endings\": [{\"id\": \"win\", \"when\": \"done\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    load(&L, t);
    expect_at(&L, "[{\"id\": \"win\"", 1,
              "error: the clock has a limit (limit_s 60) but no ending leaves out 'when' to say what happens when time runs out");
    expect_counts(&L, 1, 0);
    unload(&L);
}

/* ---- content, responses, objectives ----------------------------------------------- */

static void test_channel_content(void **state)
{
    (void)state;
    const char *t =
        "{\"injects\": [\n"
        "  {\"id\": \"m\", \"channel\": \"mail\", \"at_s\": 0, \"content\": {\"from\": \"a\", \"subjcet\": \"s\", \"attachments\": [\"\"]}},\n"
        "  {\"id\": \"c\", \"channel\": \"chat\", \"at_s\": 0, \"content\": {\"text\": \"t\"}},\n"
        "  {\"id\": \"p\", \"channel\": \"phone\", \"at_s\": 0, \"content\": {\"caller\": \"x\"}},\n"
        "  {\"id\": \"s\", \"channel\": \"siem\", \"at_s\": 0, \"content\": {\"severity\": \"urgent\", \"rule\": \"r\"}},\n"
        "  {\"id\": \"l\", \"channel\": \"log\", \"at_s\": 0, \"content\": {\"source\": \"edr\", \"lines\": []}},\n"
        "  {\"id\": \"n\", \"channel\": \"news\", \"at_s\": 0, \"content\": {\"outlet\": \"o\"}},\n"
        "  {\"id\": \"o\", \"channel\": \"note\", \"at_s\": 0, \"content\": {\"from\": \"x\", \"image\": \"assets/a.png\"}},\n"
        "  {\"id\": \"x\", \"channel\": \"sms\", \"at_s\": 0, \"content\": {}},\n"
        "  {\"id\": \"y\", \"channel\": \"chat\", \"at_s\": 0},\n"
        "  {\"id\": \"z\", \"channel\": \"chat\", \"at_s\": 0, \"content\": {\"from\": \"a\", \"text\": \"b\",\n"
        "   \"cues\": [\"from\", \"link\", {\"id\": \"link\", \"field\": \"subject\", \"text\": \"t\"}, {\"id\": \"from\"}, 5]}}],\n"
        " \"endings\": [{\"id\": \"end\", \"when\": \"visited(m)\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "{\"from\": \"a\", \"subjcet\"", 1, "error: a mail inject needs 'subject' in its content");
    expect_at(&L, "{\"from\": \"a\", \"subjcet\"", 1, "error: a mail inject needs 'body' in its content");
    expect_at(&L, "\"subjcet\"", 1, "warning: unknown member 'subjcet' in mail content (ignored); did you mean 'subject'?");
    expect_at(&L, "\"\"]", 1, "error: every item of 'attachments' must be a non-empty string, not \"\"");
    expect_at(&L, "{\"text\": \"t\"}", 1, "error: a chat inject needs 'from' in its content");
    expect_at(&L, "{\"caller\"", 1, "error: a phone inject needs 'transcript' in its content");
    expect_at(&L, "{\"severity\"", 1, "error: a siem inject needs 'host' in its content");
    expect_at(&L, "\"urgent\"", 1, "error: unknown severity 'urgent' (use low, medium, high or critical)");
    expect_at(&L, "[]}", 1, "error: 'lines' must not be empty");
    expect_at(&L, "{\"outlet\"", 1, "error: a news inject needs 'headline' in its content");
    expect_at(&L, "{\"from\": \"x\", \"image\"", 1, "error: a note inject needs 'text' in its content");
    expect_at(&L, "{\"from\": \"x\", \"image\"", 1,
              "error: an image needs 'alt': a description for trainees who cannot see it");
    expect_at(&L, "\"sms\"", 1, "error: unknown channel 'sms' (use mail, chat, phone, siem, log, news or note)");
    expect_at(&L, "{\"id\": \"y\"", 1, "error: missing required member 'content'");
    expect_at(&L, "\"link\"", 1,
              "error: cue 'link' is not a field of chat content (from, text); to point inside a field, write {\"id\": \"link\", \"field\": \"text\", \"text\": \"why it is suspicious\"}");
    expect_at(&L, "\"subject\"", 1, "error: 'subject' is not a field of chat content (from, text)");
    expect_at(&L, "\"from\"}", 1, "error: duplicate cue 'from' in this inject");
    expect_at(&L, "5]", 1,
              "error: a cue must be a field name such as \"from\" or an object {\"id\", \"field\", \"text\"}, not a number");
    expect_counts(&L, 17, 1);
    unload(&L);
}

static void test_responses_and_objectives(void **state)
{
    (void)state;
    const char *t =
        "{\"objectives\": [{\"id\": \"O1\", \"text\": \"a\", \"weight\": 0}, {\"id\": \"O2\", \"text\": \"b\", \"weight\": -2},\n"
        "                {\"id\": \"O3\", \"text\": \"c\"}],\n"
        " \"actions\": [\n"
        "  {\"id\": \"one\", \"label\": \"x\", \"response\": \"choice\", \"choices\": [{\"id\": \"c1\", \"label\": \"y\", \"prompt\": \"p\"}]},\n"
        "  {\"id\": \"two\", \"label\": \"x\", \"response\": \"text\"},\n"
        "  {\"id\": \"three\", \"label\": \"x\", \"response\": \"none\", \"choices\": [{\"id\": \"c2\", \"label\": \"y\"}, {\"id\": \"c3\", \"label\": \"z\"}]},\n"
        "  {\"id\": \"four\", \"label\": \"x\", \"response\": \"maybe\"},\n"
        "  {\"id\": \"five\", \"label\": \"x\", \"choices\": [{\"id\": \"c4\", \"label\": \"y\", \"effects\": [{\"end\": \"e\"}]},\n"
        "                                           {\"id\": \"c5\", \"label\": \"z\"}]}],\n"
        " \"expectations\": [{\"id\": \"E1\", \"text\": \"x\", \"action\": \"c4\", \"objective\": \"O1\", \"score\": 0},\n"
        "                  {\"id\": \"E2\", \"text\": \"x\", \"action\": \"two\", \"objective\": \"O2\"},\n"
        "                  {\"id\": \"E3\", \"text\": \"x\"}, {\"id\": \"E4\", \"text\": \"x\", \"action\": \"two\", \"when\": \"true\"}],\n"
        " \"endings\": [{\"id\": \"e\", \"when\": \"chose(c4)\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "0}", 1, "error: 'weight' must be greater than 0 (it is the objective's share of the score), not 0");
    expect_at(&L, "-2", 1, "error: 'weight' must be greater than 0 (it is the objective's share of the score), not -2");
    expect_at(&L, "\"O3\"", 1, "warning: objective 'O3' has no expectations, so it can never be scored");
    expect_at(&L, "[{\"id\": \"c1\"", 1, "error: a \"choice\" response needs at least two 'choices'");
    expect_at(&L, "\"prompt\"", 1, "warning: unknown member 'prompt' in a choice (ignored)");
    expect_at(&L, "\"text\"}", 1, "error: a \"text\" response needs a 'prompt' telling the trainee what to write");
    expect_at(&L, "\"none\"", 1, "error: an action with 'choices' must have \"response\": \"choice\"");
    expect_at(&L, "\"maybe\"", 1, "error: unknown response 'maybe' (use none, text or choice)");
    expect_at(&L, "0}", 2, "error: 'score' must be greater than 0 (it is the points the expectation is worth), not 0");
    expect_at(&L, "{\"id\": \"E3\"", 1,
              "error: an expectation needs an 'action' the trainee should take or a 'when' condition");
    expect_at(&L, "\"true\"}", 1,
              "error: an expectation is met either by an 'action' or by a 'when' condition, not both");
    expect_counts(&L, 9, 2);
    /* "five" has choices and no response: it is a choice. */
    const dh_Action *five = &L.s->actions[dh_scenario_action_index(L.s, "five")];
    assert_int_equal(five->response, DH_RESPONSE_CHOICE);
    assert_int_equal(five->nchoices, 2);
    assert_int_equal(L.s->actions[dh_scenario_action_index(L.s, "c4")].parent, dh_scenario_action_index(L.s, "five"));
    unload(&L);
}

/* Big scenarios: the caps are enforced with one clear message, and just
 * under them the checks still give exact answers (a 2000-long 'after'
 * chain written backwards is fully reachable, and only the first inject
 * past the limit is reported). */
static void test_limits(void **state)
{
    (void)state;
    size_t cap = 400000, len = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    len += (size_t)snprintf(t + len, cap - len, "{\"clock\": {\"limit_s\": 100000}, \"injects\": [\n");
    for (int i = 0; i < 2000; i++) {
        if (i < 1999)
            len += (size_t)snprintf(t + len, cap - len,
                                    "{\"id\": \"I%d\", \"channel\": \"note\", \"after\": \"I%d\", \"delay_s\": 60, "
                                    "\"when\": \"visited(I%d)\", \"content\": {\"text\": \"x\"}},\n",
                                    i, i + 1, i + 1);
        else
            len += (size_t)snprintf(t + len, cap - len,
                                    "{\"id\": \"I%d\", \"channel\": \"note\", \"at_s\": 0, \"content\": {\"text\": \"x\"}}],\n", i);
    }
    snprintf(t + len, cap - len, "\"endings\": [{\"id\": \"end\", \"when\": \"visited(I0)\", \"text\": \"x\", \"outcome\": \"success\"},\n"
                                 "{\"id\": \"timeout\", \"text\": \"x\", \"outcome\": \"failure\"}]}");
    Loaded L;
    load(&L, t);
    expect_at(&L, "\"I333\"", 1, "warning: inject 'I332' fires at 100020 s at the earliest, after the clock's limit_s of 100000 s");
    expect_counts(&L, 0, 1);
    assert_int_equal(L.s->ninjects, 2000);
    unload(&L);

    /* One more is refused as a whole. */
    char *more = strstr(t, "{\"id\": \"I0\"");
    assert_non_null(more);
    memmove(more + 30, more, strlen(more) + 1);
    memcpy(more, "{\"id\": \"extra\", \"channel\": 1},", 30);
    load(&L, t);
    expect_at(&L, "{", 1,
              "error: this scenario is too big to check: 2001 injects, 0 actions and choices, 0 objectives, 0 expectations and 2 endings (at most 2000 of each)");
    expect_counts(&L, 1, 0);
    assert_null(L.s);
    unload(&L);

    /* Lists inside an inject or a variable are capped too. */
    len = (size_t)snprintf(t, cap, "{\"vars\": {\"v\": {\"enum\": [");
    for (int i = 0; i < 101; i++) len += (size_t)snprintf(t + len, cap - len, "%s\"v%d\"", i ? ", " : "", i);
    len += (size_t)snprintf(t + len, cap - len, "]}}, \"injects\": [{\"id\": \"n\", \"channel\": \"note\", \"at_s\": 0, "
                                                "\"content\": {\"text\": \"x\", \"cues\": [");
    for (int i = 0; i < 101; i++) len += (size_t)snprintf(t + len, cap - len, "%s\"text\"", i ? ", " : "");
    snprintf(t + len, cap - len, "]}}], \"endings\": [{\"id\": \"e\", \"when\": \"visited(n)\", \"text\": \"x\", \"outcome\": \"success\"}]}");
    load(&L, t);
    expect_at(&L, "[\"v0\"", 1, "error: 'enum' needs 1 to 100 values, not 101");
    expect_at(&L, "[\"text\"", 1, "error: 101 cues are too many (at most 100)");
    expect_counts(&L, 2, 0);
    unload(&L);
    free(t);
}

/* Fail each allocation in turn while parsing the sample: DH_OK or DH_ENOMEM,
 * never a crash (and, under ASan, never a leak). */
static void test_out_of_memory(void **state)
{
    (void)state;
    static const char *const langs[] = {"en"};
    char *text = slurp(SAMPLE);
    bool done = false;
    int enomem = 0;
    for (long n = 1; n < 5000 && !done; n++) {
        dh_Json doc;
        dh_Diags d;
        dh_Arena arena;
        dh_diags_init(&d);
        dh_arena_init(&arena);
        assert_int_equal(dh_json_parse(&doc, "s.json", text, strlen(text), &d), DH_OK);
        dh_LoadCtx c = {&arena, &d, &doc, NULL, langs, 1, false};
        dh_Scenario *s = NULL;
        dh_alloc_fail_after(n);
        dh_Status st = dh_scenario_parse(&c, doc.root, &s);
        dh_alloc_fail_after(0);
        if (st == DH_OK) {
            assert_false(c.oom);
            assert_non_null(s);
            assert_int_equal(d.count, 0);
            done = true;
        } else {
            assert_int_equal(st, DH_ENOMEM);
            enomem++;
        }
        dh_json_free(&doc);
        dh_diags_free(&d);
        dh_arena_free(&arena);
    }
    assert_true(done);
    assert_true(enomem > 0);
    free(text);
}

static void test_status_panel(void **state)
{
    (void)state;
    const char *t =
        "{\"vars\": {\"reported\": false, \"hosts\": 0, \"stage\": {\"enum\": [\"clean\", \"foothold\", \"contained\"]}},\n"
        " \"status\": [{\"var\": \"reportd\", \"label\": \"Reported\"},\n"
        "  {\"var\": \"hosts\"},\n"
        "  {\"var\": \"hosts\", \"label\": \"Hosts\", \"values\": {\"0\": \"None\"}},\n"
        "  {\"var\": \"stage\", \"label\": \"Stage\", \"values\": {\"clean\": \"Clean\", \"contaned\": \"C\"}},\n"
        "  {\"var\": \"hosts\", \"label\": \"Again\"}, 7, {\"var\": \"reported\", \"label\": \"R\", \"shown\": 1}],\n"
        " \"clock\": {\"limit_s\": 60}, \"endings\": [{\"id\": \"end\", \"text\": \"x\", \"outcome\": \"success\"}]}";
    Loaded L;
    load(&L, t);
    expect_at(&L, "\"reportd\"", 1, "error: unknown variable 'reportd' (did you mean 'reported'?)");
    expect_at(&L, "{\"var\": \"hosts\"}", 1, "error: missing required member 'label'");
    expect_at(&L, "{\"0\"", 1, "error: 'values' names the values of an enum variable, but 'hosts' is a number");
    expect_at(&L, "\"contaned\"", 1, "error: 'contaned' is not a value of 'stage' (did you mean 'contained'?)");
    expect_at(&L, "\"hosts\", \"label\": \"Again\"", 1, "warning: variable 'hosts' is already shown in the status panel");
    expect_at(&L, "7,", 1, "error: a status line must be an object ({\"var\": ..., \"label\": ...}), not a number");
    expect_at(&L, "\"shown\"", 1, "warning: unknown member 'shown' in a status line (ignored)");
    expect_counts(&L, 5, 2);
    /* what survives is usable: hosts (with its label), stage with one value text, hosts again, reported */
    const dh_Scenario *s = L.s;
    assert_non_null(s);
    assert_int_equal(s->nstatus, 4);
    assert_int_equal(s->status[0].var, dh_scenario_var_index(s, "hosts"));
    assert_null(s->status[0].values);
    assert_int_equal(s->status[1].var, dh_scenario_var_index(s, "stage"));
    assert_string_equal(dh_text_get(&s->status[1].values[0], "en", "en"), "Clean");
    assert_int_equal(s->status[1].values[1].count, 0); /* no text: the value id is shown */
    assert_string_equal(dh_text_get(&s->status[3].label, "en", "en"), "R");
    unload(&L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_status_panel),
        cmocka_unit_test(test_minimal_defaults),
        cmocka_unit_test(test_members_and_types),
        cmocka_unit_test(test_duplicate_ids_and_references),
        cmocka_unit_test(test_condition_positions),
        cmocka_unit_test(test_effect_values),
        cmocka_unit_test(test_timing),
        cmocka_unit_test(test_dead_injects),
        cmocka_unit_test(test_endings),
        cmocka_unit_test(test_channel_content),
        cmocka_unit_test(test_responses_and_objectives),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
