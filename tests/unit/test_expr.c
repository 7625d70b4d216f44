/* test_expr: the condition language. Parsing and precedence, evaluation
 * (including the corners that must not trap: division by zero, overflow),
 * type checking with the exact message and byte offset an instructor sees,
 * partial evaluation for the scenario checker, and termination on hostile
 * input: deep nesting, long chains, long text, allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "arena.h"
#include "diag.h"
#include "expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The declarations every test uses: variables 0..3, injects, actions. */
static const char *const phase_values[] = {"clean", "foothold", "contained"};
static const dh_VarDecl vars[] = {
    {"reported", DH_VAR_BOOL, NULL, 0},
    {"hosts", DH_VAR_INT, NULL, 0},
    {"phase", DH_VAR_ENUM, phase_values, 3},
    {"isolated", DH_VAR_BOOL, NULL, 0},
};
static const char *const injects[] = {"I1", "mail-2", "siem.alert"};
static const char *const actions[] = {"report", "open-attachment"};
static const dh_ExprEnv env = {.vars = vars, .nvars = 4, .injects = injects, .ninjects = 3,
                               .actions = actions, .nactions = 2};
/* The same with the optional sorted indices a big scenario provides. */
static const int vars_sorted[] = {1, 3, 2, 0}; /* hosts, isolated, phase, reported */
static const int injects_sorted[] = {0, 1, 2};
static const int actions_sorted[] = {1, 0};     /* open-attachment, report */
static const dh_ExprEnv sorted_env = {.vars = vars, .nvars = 4, .injects = injects, .ninjects = 3,
                                      .actions = actions, .nactions = 2, .vars_sorted = vars_sorted,
                                      .injects_sorted = injects_sorted, .actions_sorted = actions_sorted};

/* State: reported=true, hosts=5, phase=foothold, isolated=false;
 * I1 fired, report chosen, 120 s elapsed. */
static const int64_t state_vars[] = {1, 5, 1, 0};
static const bool state_visited[] = {true, false, false};
static const bool state_chosen[] = {true, false};
static const dh_ExprState state = {state_vars, state_visited, state_chosen, 120};

static const dh_Expr *parse_ok(dh_Arena *a, const char *text)
{
    const dh_Expr *e = NULL;
    dh_ExprError err;
    dh_Status st = dh_expr_parse(a, text, &env, &e, &err);
    if (st != DH_OK) fail_msg("'%s' did not parse: %s (at %d)", text, err.msg, err.off);
    assert_non_null(e);
    return e;
}

static int64_t eval_text(const char *text)
{
    dh_Arena a;
    dh_arena_init(&a);
    const dh_Expr *e = parse_ok(&a, text);
    dh_Value v = dh_expr_eval(e, &state);
    dh_arena_free(&a);
    return v.i;
}

static void expect_true(const char *text)
{
    dh_Arena a;
    dh_arena_init(&a);
    const dh_Expr *e = parse_ok(&a, text);
    assert_int_equal(e->type, DH_TYPE_BOOL);
    if (!dh_expr_test(e, &state)) fail_msg("'%s' should be true", text);
    dh_arena_free(&a);
}

static void expect_false(const char *text)
{
    dh_Arena a;
    dh_arena_init(&a);
    const dh_Expr *e = parse_ok(&a, text);
    if (dh_expr_test(e, &state)) fail_msg("'%s' should be false", text);
    dh_arena_free(&a);
}

/* Parsing must fail with exactly this message at this byte offset. */
static void expect_error(const char *text, int off, const char *msg)
{
    dh_Arena a;
    dh_arena_init(&a);
    const dh_Expr *e = (const dh_Expr *)1;
    dh_ExprError err;
    dh_Status st = dh_expr_parse(&a, text, &env, &e, &err);
    if (st != DH_EINVALID) fail_msg("'%s' parsed, expected '%s'", text, msg);
    assert_null(e);
    if (err.off != off || strcmp(err.msg, msg) != 0)
        fail_msg("'%s': got %d '%s', want %d '%s'", text, err.off, err.msg, off, msg);
    dh_arena_free(&a);
}

static void test_literals_and_variables(void **s)
{
    (void)s;
    assert_int_equal(eval_text("42"), 42);
    assert_int_equal(eval_text("hosts"), 5);
    assert_int_equal(eval_text("elapsed"), 120);
    expect_true("true");
    expect_false("false");
    expect_true("reported");
    expect_false("isolated");
    expect_true("phase == 'foothold'");
    expect_true("phase != \"clean\"");
    expect_true("'x' == 'x'");
    expect_false("'x' == 'y'");
    expect_true("phase == phase");
    /* Whitespace of every kind, including line breaks, separates tokens. */
    expect_true(" reported\n&&\t!isolated\r\n");
}

static void test_precedence(void **s)
{
    (void)s;
    assert_int_equal(eval_text("1 + 2 * 3"), 7);
    assert_int_equal(eval_text("(1 + 2) * 3"), 9);
    assert_int_equal(eval_text("10 - 4 - 3"), 3);   /* left to right */
    assert_int_equal(eval_text("100 / 10 / 5"), 2);
    assert_int_equal(eval_text("7 % 4 * 2"), 6);
    assert_int_equal(eval_text("-hosts + 2"), -3);
    assert_int_equal(eval_text("- -3"), 3);
    assert_int_equal(eval_text("-7 / 2"), -3);      /* truncates like C */
    assert_int_equal(eval_text("-7 % 2"), -1);
    expect_true("hosts > 2 + 2 && hosts < 3 * 2");
    expect_true("reported || isolated && false");  /* && binds tighter */
    expect_false("(reported || isolated) && false");
    expect_true("!isolated == true");              /* ! binds tighter than == */
    expect_true("hosts >= 5 == true");             /* < binds tighter than == */
    expect_true("!(reported && isolated) == (!reported || !isolated)");
}

static void test_functions(void **s)
{
    (void)s;
    expect_true("visited(I1)");
    expect_false("visited(mail-2)");           /* '-' belongs to the id here */
    expect_false("visited('siem.alert')");
    expect_false("visited( \"mail-2\" )");
    expect_true("chose(report) && !chose(open-attachment)");
    expect_true("elapsed > 60 && elapsed <= 120");
}

static void test_arithmetic_never_traps(void **s)
{
    (void)s;
    assert_int_equal(eval_text("7 / 0"), 0);
    assert_int_equal(eval_text("7 % 0"), 0);
    assert_int_equal(eval_text("hosts / (hosts - 5)"), 0);
    assert_int_equal(eval_text("9223372036854775807 + 1"), INT64_MIN);
    assert_int_equal(eval_text("(-9223372036854775807 - 1) / -1"), INT64_MIN);
    assert_int_equal(eval_text("(-9223372036854775807 - 1) % -1"), 0);
    assert_int_equal(eval_text("-(-9223372036854775807 - 1)"), INT64_MIN);
    assert_int_equal(eval_text("3037000500 * 3037000500"), (int64_t)(3037000500ull * 3037000500ull));
}

static void test_syntax_errors(void **s)
{
    (void)s;
    expect_error("", 0, "the condition is empty");
    expect_error("   ", 3, "the condition is empty");
    expect_error("reported = true", 9, "use '==' to compare; a single '=' would assign, and conditions cannot assign");
    expect_error("reported & isolated", 9, "use '&&' for 'and'");
    expect_error("reported | isolated", 9, "use '||' for 'or'");
    expect_error("reported and isolated", 9, "expected an operator such as '&&' or '==' before 'and'");
    expect_error("not reported", 0, "use '!' instead of 'not'");
    expect_error("reported &&", 11, "expected a value after '&&'");
    expect_error("hosts >", 7, "expected a value after '>'");
    expect_error("!", 1, "expected a value after '!'");
    expect_error("(reported", 0, "this '(' is never closed");
    expect_error("(reported isolated)", 10, "expected ')' or an operator, not 'isolated'");
    expect_error("reported)", 8, "this ')' has no matching '('");
    expect_error("hosts > )", 8, "expected a value, not ')'");
    expect_error("1 < hosts < 9", 10, "comparisons cannot be chained: write 'a < b && b < c'");
    expect_error("hosts == 1 == true", 11, "comparisons cannot be chained: write 'a < b && b < c'");
    expect_error("hosts > 1.5", 8, "only whole numbers are allowed in conditions");
    expect_error("hosts > 3x", 8, "a number cannot be followed directly by letters");
    expect_error("hosts > 99999999999999999999", 8, "number too large (the largest is 9223372036854775807)");
    expect_error("phase == 'clean", 9, "quoted text is not closed: a ' is missing");
    expect_error("phase == 'cl\\ean'", 12, "backslashes are not allowed in quoted text in a condition");
    expect_error("hosts # 2", 6, "unexpected character '#'");
    expect_error("r\xC3\xA9ported", 1,
                 "unexpected character (only ASCII letters, digits and operators are allowed outside quotes)");
}

static void test_names_and_types(void **s)
{
    (void)s;
    expect_error("reportd", 0, "unknown variable 'reportd' (did you mean 'reported'?)");
    expect_error("isolated && reportd", 12, "unknown variable 'reportd' (did you mean 'reported'?)");
    expect_error("xyzzy", 0, "unknown variable 'xyzzy'");
    expect_error("True", 0, "unknown variable 'True' (did you mean 'true'?)");
    expect_error("elapsd > 3", 0, "unknown variable 'elapsd' (did you mean 'elapsed'?)");
    expect_error("reported == 1", 9, "cannot compare a boolean with a number");
    expect_error("hosts != phase", 6, "cannot compare a number with a text");
    expect_error("hosts && reported", 0,
                 "'&&' needs a condition (true or false), but 'hosts' is a number; compare it, e.g. 'x > 0'");
    expect_error("reported || hosts + 1", 12,
                 "'||' needs a condition (true or false), but 'hosts + 1' is a number; compare it, e.g. 'x > 0'");
    expect_error("!hosts", 1,
                 "'!' needs a condition (true or false), but 'hosts' is a number; compare it, e.g. 'x > 0'");
    expect_error("-reported", 1, "'-' needs numbers, but 'reported' is a boolean");
    expect_error("hosts + reported > 1", 8, "'+' needs numbers, but 'reported' is a boolean");
    expect_error("phase > 'clean'", 0,
                 "'>' compares numbers, but 'phase' is a text; texts can only be compared with '==' or '!='");
    expect_error("hosts < 'a'", 8,
                 "'<' compares numbers, but 'a' is a text; texts can only be compared with '==' or '!='");
    expect_error("phase == 'clen'", 9, "'clen' is not a value of 'phase' (did you mean 'clean'?)");
    expect_error("'lost' != phase", 0, "'lost' is not a value of 'phase' (its values are: clean, foothold, contained)");
    expect_error("visited(I9)", 8, "unknown inject 'I9' (did you mean 'I1'?)");
    expect_error("visited('mail-3')", 8, "unknown inject 'mail-3' (did you mean 'mail-2'?)");
    expect_error("chose(reprot)", 6, "unknown action 'reprot' (did you mean 'report'?)");
    expect_error("chose()", 6, "expected the id of an action after 'chose('");
    expect_error("chose(report", 12, "expected ')' after the action id, not the end of the condition");
    expect_error("visited", 0, "'visited' needs the id of an inject in parentheses, e.g. visited(I1)");
    expect_error("visted(I1)", 0,
                 "unknown function 'visted' (did you mean 'visited'?); conditions can use visited(inject) and chose(action)");
    expect_error("elapsed() > 3", 0, "'elapsed' is a number, not a function: write e.g. 'elapsed > 300'");
    /* With nothing declared, the messages say so. */
    const dh_ExprEnv empty = {.vars = NULL};
    dh_Arena a;
    dh_arena_init(&a);
    const dh_Expr *e;
    dh_ExprError err;
    assert_int_equal(dh_expr_parse(&a, "visited(I1)", &empty, &e, &err), DH_EINVALID);
    assert_string_equal(err.msg, "unknown inject 'I1' (this scenario has no injects)");
    dh_arena_free(&a);
}

/* Lookups by bisection find the same indices and make the same suggestions. */
static void test_sorted_lookup(void **s)
{
    (void)s;
    dh_Arena a;
    dh_arena_init(&a);
    const dh_Expr *e;
    dh_ExprError err;
    const char *names[] = {"hosts", "isolated", "phase", "reported", "visited(I1)", "visited(mail-2)",
                           "visited(siem.alert)", "chose(report)", "chose(open-attachment)"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const dh_Expr *e1, *e2;
        assert_int_equal(dh_expr_parse(&a, names[i], &env, &e1, &err), DH_OK);
        assert_int_equal(dh_expr_parse(&a, names[i], &sorted_env, &e2, &err), DH_OK);
        assert_int_equal(e1->op, e2->op);
        assert_int_equal(e1->u.ref.index, e2->u.ref.index);
    }
    assert_int_equal(dh_expr_parse(&a, "reportd || visited(I0) || chose(x)", &sorted_env, &e, &err), DH_EINVALID);
    assert_string_equal(err.msg, "unknown variable 'reportd' (did you mean 'reported'?)");
    assert_int_equal(dh_expr_parse(&a, "hostsx", &sorted_env, &e, &err), DH_EINVALID);
    assert_string_equal(err.msg, "unknown variable 'hostsx' (did you mean 'hosts'?)");
    assert_int_equal(dh_expr_parse(&a, "chose(repor)", &sorted_env, &e, &err), DH_EINVALID);
    assert_string_equal(err.msg, "unknown action 'repor' (did you mean 'report'?)");
    assert_int_equal(dh_expr_parse(&a, "chose(a)", &sorted_env, &e, &err), DH_EINVALID);
    assert_int_equal(dh_expr_parse(&a, "chose(z)", &sorted_env, &e, &err), DH_EINVALID);
    /* The shared suggestion helper. */
    char buf[64];
    const char *cands[] = {"reported", NULL, "", "isolated"};
    assert_string_equal(dh_suggest("isolatd", cands, 4, buf, sizeof buf), " (did you mean 'isolated'?)");
    assert_string_equal(dh_suggest("zzz", cands, 4, buf, sizeof buf), "");
    dh_arena_free(&a);
}

static void test_result_types(void **s)
{
    (void)s;
    dh_Arena a;
    dh_arena_init(&a);
    assert_int_equal(parse_ok(&a, "hosts * 2")->type, DH_TYPE_INT);
    assert_int_equal(parse_ok(&a, "phase")->type, DH_TYPE_STRING);
    assert_int_equal(parse_ok(&a, "chose(report)")->type, DH_TYPE_BOOL);
    dh_Value v = dh_expr_eval(parse_ok(&a, "phase"), &state);
    assert_string_equal(v.s, "foothold");
    /* Offsets of nodes cover their source text. */
    const dh_Expr *e = parse_ok(&a, "  hosts + 10 > 3");
    assert_int_equal(e->op, DH_EX_GT);
    assert_int_equal(e->off, 2);
    assert_int_equal(e->len, 14);
    assert_int_equal(e->u.bin.op_off, 13);
    assert_int_equal(e->u.bin.l->off, 2);
    assert_int_equal(e->u.bin.l->len, 10);
    assert_string_equal(dh_expr_type_name(DH_TYPE_INT), "a number");
    dh_arena_free(&a);
}

/* Deep nesting, long chains and long text end in a clear error, never in
 * a stack overflow; just inside the limits they work. */
static void test_hostile_input(void **s)
{
    (void)s;
    char buf[DH_EXPR_MAX_LEN * 4];
    dh_Arena a;
    dh_arena_init(&a);
    const dh_Expr *e;
    dh_ExprError err;

    /* Parentheses: 63 levels parse (the literal inside makes 64). */
    int n = 63;
    memset(buf, '(', (size_t)n);
    strcpy(buf + n, "true");
    memset(buf + n + 4, ')', (size_t)n);
    buf[2 * n + 4] = '\0';
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_OK);
    /* 10 000 of them are refused for their length, 4 000 at the 65th. */
    n = 10000;
    memset(buf, '(', (size_t)n);
    buf[n] = '\0';
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_EINVALID);
    assert_string_equal(err.msg, "the condition is longer than 4096 bytes; split it into simpler parts");
    n = 4000;
    memset(buf, '(', (size_t)n);
    buf[n] = '\0';
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_EINVALID);
    assert_int_equal(err.off, 64);
    assert_string_equal(err.msg, "the condition is nested too deeply (more than 64 levels); split it into simpler parts");
    /* The same for '!' and unary '-'. */
    memset(buf, '!', 4000);
    strcpy(buf + 4000, "reported");
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_EINVALID);
    assert_int_equal(err.off, 64);
    memset(buf, '-', 4000);
    strcpy(buf + 4000, "hosts");
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_EINVALID);
    /* A long flat chain builds a tall tree: refused at height 65. */
    buf[0] = '\0';
    for (int i = 0; i < 200; i++) strcat(buf, i ? "+1" : "1");
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_EINVALID);
    assert_string_equal(err.msg, "the condition is nested too deeply (more than 64 levels); split it into simpler parts");
    /* 63 terms are fine and evaluate. */
    buf[0] = '\0';
    for (int i = 0; i < 64; i++) strcat(buf, i ? "+1" : "1");
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_OK);
    assert_int_equal(dh_expr_eval(e, &state).i, 64);
    assert_true(e->height <= DH_EXPR_MAX_DEPTH);
    /* Exactly at the length limit: a long but flat condition of spaces. */
    memset(buf, ' ', DH_EXPR_MAX_LEN);
    memcpy(buf, "reported", 8);
    buf[DH_EXPR_MAX_LEN] = '\0';
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_OK);
    buf[DH_EXPR_MAX_LEN] = ' ';
    buf[DH_EXPR_MAX_LEN + 1] = '\0';
    assert_int_equal(dh_expr_parse(&a, buf, &env, &e, &err), DH_EINVALID);
    assert_int_equal(err.off, DH_EXPR_MAX_LEN);
    /* Pseudo-random garbage never crashes and always ends (the fuzz
     * target does this at scale). */
    unsigned seed = 12345;
    const char alphabet[] = "()!&|=<>+-*/% 0123456789'\"reportedhostsphasevisitedchose(I1)";
    for (int round = 0; round < 2000; round++) {
        int len = (int)(seed % 60);
        for (int i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        buf[len] = '\0';
        seed = seed * 1103515245u + 12345u;
        if (dh_expr_parse(&a, buf, &env, &e, &err) == DH_OK) {
            dh_Value v = dh_expr_eval(e, &state);
            (void)v;
        } else {
            assert_true(err.off >= 0 && err.off <= len);
            assert_true(err.msg[0] != '\0');
        }
    }
    dh_arena_free(&a);
}

static void test_fold(void **s)
{
    (void)s;
    dh_Arena a;
    dh_arena_init(&a);
    dh_Value v;
    /* Nothing known: only constants and decisive operands fold. */
    assert_true(dh_expr_fold(parse_ok(&a, "2 * 3 == 6"), NULL, NULL, &v) && v.i == 1);
    assert_true(dh_expr_fold(parse_ok(&a, "reported && false"), NULL, NULL, &v) && v.i == 0);
    assert_true(dh_expr_fold(parse_ok(&a, "true || chose(report)"), NULL, NULL, &v) && v.i == 1);
    assert_true(dh_expr_fold(parse_ok(&a, "hosts * 0 == 0"), NULL, NULL, &v) && v.i == 1);
    assert_false(dh_expr_fold(parse_ok(&a, "reported || false"), NULL, NULL, &v));
    assert_false(dh_expr_fold(parse_ok(&a, "elapsed > 0"), &state, NULL, &v));
    /* Known variables and visits take their values from the state. */
    const bool kv[] = {true, false, true, false};
    const bool ki[] = {true, true, true};
    const dh_ExprKnown known = {kv, ki, NULL};
    assert_true(dh_expr_fold(parse_ok(&a, "reported && phase == 'foothold'"), &state, &known, &v) && v.i == 1);
    assert_true(dh_expr_fold(parse_ok(&a, "visited(mail-2) && hosts > 1"), &state, &known, &v) && v.i == 0);
    assert_false(dh_expr_fold(parse_ok(&a, "hosts > 1"), &state, &known, &v));
    assert_false(dh_expr_fold(parse_ok(&a, "chose(report)"), &state, &known, &v));
    dh_arena_free(&a);
}

typedef struct Refs {
    char seen[128];
} Refs;

static void collect_ref(void *ud, const dh_Expr *leaf)
{
    Refs *r = ud;
    char one[16];
    snprintf(one, sizeof one, "%d:%d ", leaf->op, leaf->op == DH_EX_ELAPSED ? -1 : leaf->u.ref.index);
    strcat(r->seen, one);
}

static void test_refs_and_lint(void **s)
{
    (void)s;
    dh_Arena a;
    dh_arena_init(&a);
    Refs r = {""};
    dh_expr_refs(parse_ok(&a, "hosts > 1 && (visited(siem.alert) || !chose(open-attachment)) && elapsed < 9"),
                 collect_ref, &r);
    char want[128];
    snprintf(want, sizeof want, "%d:1 %d:2 %d:1 %d:-1 ", DH_EX_VAR, DH_EX_VISITED, DH_EX_CHOSE, DH_EX_ELAPSED);
    assert_string_equal(r.seen, want);

    dh_ExprError w[4];
    assert_int_equal(dh_expr_lint(parse_ok(&a, "hosts / 0 > 1"), w, 4), 1);
    assert_int_equal(w[0].off, 6);
    assert_string_equal(w[0].msg, "division by zero always gives 0 here");
    assert_int_equal(dh_expr_lint(parse_ok(&a, "hosts % (2 - 2) == 0 && hosts / 2 > 1 && 1 / 0 == 0"), w, 4), 2);
    assert_int_equal(w[0].off, 6);
    assert_string_equal(w[0].msg, "remainder of a division by zero always gives 0 here");
    assert_int_equal(w[1].off, 43);
    assert_int_equal(dh_expr_lint(parse_ok(&a, "hosts / hosts > 0"), w, 4), 0);
    /* More warnings than room: counted, not written past the end. */
    assert_int_equal(dh_expr_lint(parse_ok(&a, "1/0 + 1/0 + 1/0 == 0"), w, 1), 3);
    dh_arena_free(&a);
}

static void test_names(void **s)
{
    (void)s;
    assert_true(dh_expr_name_valid("reported"));
    assert_true(dh_expr_name_valid("_x9"));
    assert_false(dh_expr_name_valid(""));
    assert_false(dh_expr_name_valid("9lives"));
    assert_false(dh_expr_name_valid("hosts-encrypted"));
    assert_false(dh_expr_name_valid("true"));
    assert_false(dh_expr_name_valid("elapsed"));
    assert_false(dh_expr_name_valid("visited"));
    char longname[80];
    memset(longname, 'a', 65);
    longname[65] = '\0';
    assert_false(dh_expr_name_valid(longname));
    longname[64] = '\0';
    assert_true(dh_expr_name_valid(longname));
}

/* Fail each allocation in turn: every run ends in DH_OK or DH_ENOMEM,
 * with no leak (the arena owns everything; ASan checks). */
static void test_out_of_memory(void **s)
{
    (void)s;
    const char *text = "reported && (hosts + 1) * 2 > 3 || phase == 'contained' && visited(I1)";
    bool ok = false;
    for (long n = 1; n < 100 && !ok; n++) {
        dh_Arena a;
        dh_arena_init(&a);
        const dh_Expr *e;
        dh_ExprError err;
        dh_alloc_fail_after(n);
        dh_Status st = dh_expr_parse(&a, text, &env, &e, &err);
        dh_alloc_fail_after(0);
        if (st == DH_OK) {
            ok = true;
            assert_true(dh_expr_test(e, &state));
        } else {
            assert_int_equal(st, DH_ENOMEM);
            assert_null(e);
            assert_string_equal(err.msg, "out of memory");
        }
        dh_arena_free(&a);
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals_and_variables),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_arithmetic_never_traps),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_names_and_types),
        cmocka_unit_test(test_sorted_lookup),
        cmocka_unit_test(test_result_types),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_refs_and_lint),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
