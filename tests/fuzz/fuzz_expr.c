/* fuzz_expr: any bytes as a condition, against a fixed set of declarations.
 * Parsing must end in a tree or an error with an offset inside the text;
 * a tree must evaluate, fold, lint and list its references under several
 * states without crashing, trapping (division by zero, overflow) or
 * recursing without bound. */
#include "arena.h"
#include "expr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_ref(void *ud, const dh_Expr *leaf)
{
    (void)leaf;
    (*(int *)ud)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const phase[] = {"clean", "foothold", "contained"};
    static const dh_VarDecl vars[] = {
        {"reported", DH_VAR_BOOL, NULL, 0},
        {"hosts", DH_VAR_INT, NULL, 0},
        {"phase", DH_VAR_ENUM, phase, 3},
    };
    static const char *const injects[] = {"I1", "mail-2", "siem.alert"};
    static const char *const actions[] = {"report", "open"};
    static const int vars_sorted[] = {1, 2, 0}, injects_sorted[] = {0, 1, 2}, actions_sorted[] = {1, 0};
    static const dh_ExprEnv plain = {.vars = vars, .nvars = 3, .injects = injects, .ninjects = 3,
                                     .actions = actions, .nactions = 2};
    static const dh_ExprEnv sorted = {.vars = vars, .nvars = 3, .injects = injects, .ninjects = 3,
                                      .actions = actions, .nactions = 2, .vars_sorted = vars_sorted,
                                      .injects_sorted = injects_sorted, .actions_sorted = actions_sorted};
    /* The first byte picks the lookup strategy, so both are fuzzed. */
    const dh_ExprEnv *env = size > 0 && (data[0] & 1) ? &sorted : &plain;

    /* The parser takes NUL-terminated text; a NUL inside simply ends it. */
    if (size > 3 * DH_EXPR_MAX_LEN) size = 3 * DH_EXPR_MAX_LEN;
    static char text[3 * DH_EXPR_MAX_LEN + 1];
    memcpy(text, data, size);
    text[size] = '\0';

    dh_Arena a;
    dh_arena_init(&a);
    const dh_Expr *e = NULL;
    dh_ExprError err;
    dh_Status st = dh_expr_parse(&a, text, env, &e, &err);
    if (st == DH_OK) {
        static const int64_t v1[] = {0, 0, 0}, v2[] = {1, INT64_MIN, 2}, v3[] = {1, -1, 1};
        static const bool vis[] = {true, false, true}, cho[] = {false, true};
        const int64_t *vs[] = {v1, v2, v3};
        for (int i = 0; i < 3; i++) {
            dh_ExprState s = {vs[i], vis, cho, i == 1 ? INT64_MAX : 300};
            dh_Value v = dh_expr_eval(e, &s);
            if (e->type == DH_TYPE_BOOL) (void)dh_expr_test(e, &s);
            static const bool known[] = {true, false, true};
            dh_ExprKnown k = {known, known, NULL};
            dh_expr_fold(e, &s, &k, &v);
        }
        dh_ExprError w[2];
        dh_expr_lint(e, w, 2);
        int n = 0;
        dh_expr_refs(e, count_ref, &n);
        if (e->height > DH_EXPR_MAX_DEPTH) __builtin_trap();
    } else if (st == DH_EINVALID) {
        if (err.off < 0 || (size_t)err.off > strlen(text) || !err.msg[0]) __builtin_trap();
    }
    dh_arena_free(&a);
    return 0;
}
