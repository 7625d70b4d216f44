/* expr: the condition language of scenarios, parsed once and evaluated often.
 *
 * Scenario authors write conditions such as "reported && hosts_encrypted < 3"
 * or "visited(I2) && !chose(isolate) && elapsed > 300". They are parsed when
 * the course loads into a small typed tree in the course arena, checked
 * against the declared variables (a typo is reported with a suggestion and the
 * byte offset inside the text, so the loader can point at line:col), and
 * evaluated by the scenario engine with a pure function. The language has no
 * loops, no user functions and no recursion beyond the tree's height, which
 * is capped, so every evaluation terminates in time proportional to the text.
 */
#ifndef DH_EXPR_H
#define DH_EXPR_H

#include "arena.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits that keep hostile text harmless: longer or deeper input is an error. */
#define DH_EXPR_MAX_LEN 4096  /* bytes of source text */
#define DH_EXPR_MAX_DEPTH 64  /* height of the tree (nesting, chains of operators) */

/* The type of a value. Strings only come from enum variables and literals. */
typedef enum dh_ExprType { DH_TYPE_BOOL = 1, DH_TYPE_INT, DH_TYPE_STRING } dh_ExprType;

/* A declared variable as the expression checker sees it. */
typedef enum dh_VarType { DH_VAR_BOOL = 1, DH_VAR_INT, DH_VAR_ENUM } dh_VarType;

typedef struct dh_VarDecl {
    const char *name;           /* an identifier: [A-Za-z_][A-Za-z0-9_]* */
    dh_VarType type;
    const char *const *values;  /* DH_VAR_ENUM: the allowed values */
    int nvalues;
} dh_VarDecl;

/* Everything a condition may name. Expressions keep pointers to the enum
 * value lists, so the declarations must live as long as the expressions
 * (the scenario keeps both in the course arena). */
typedef struct dh_ExprEnv {
    const dh_VarDecl *vars;     /* variables, by index */
    int nvars;
    const char *const *injects; /* ids visited() accepts, by index */
    int ninjects;
    const char *const *actions; /* ids chose() accepts, by index */
    int nactions;
    /* Optional: the indices of vars, injects and actions in strcmp order of
     * their names, so that big scenarios are searched by bisection. NULL:
     * names are compared one by one. */
    const int *vars_sorted, *injects_sorted, *actions_sorted;
} dh_ExprEnv;

/* Node kinds. Leaves first, then unary, then binary operators. */
typedef enum dh_ExprOp {
    DH_EX_INT, DH_EX_BOOL, DH_EX_STR,          /* literals */
    DH_EX_VAR, DH_EX_VISITED, DH_EX_CHOSE, DH_EX_ELAPSED,
    DH_EX_NOT, DH_EX_NEG,
    DH_EX_AND, DH_EX_OR,
    DH_EX_EQ, DH_EX_NE, DH_EX_LT, DH_EX_LE, DH_EX_GT, DH_EX_GE,
    DH_EX_ADD, DH_EX_SUB, DH_EX_MUL, DH_EX_DIV, DH_EX_MOD
} dh_ExprOp;

/* One node of the immutable tree. Offsets are bytes into the source text. */
typedef struct dh_Expr dh_Expr;
struct dh_Expr {
    uint8_t op;        /* dh_ExprOp */
    uint8_t type;      /* dh_ExprType of the value */
    uint8_t height;    /* 1 for a leaf; never above DH_EXPR_MAX_DEPTH */
    int32_t off, len;  /* the source text this node was parsed from */
    union {
        int64_t i;                  /* DH_EX_INT, DH_EX_BOOL (0/1) */
        const char *s;              /* DH_EX_STR, NUL-terminated, in the arena */
        struct {
            int index;                 /* variable, inject or action index */
            int nvalues;               /* enum variable: how many values */
            const char *const *values; /* enum variable: its values */
        } ref;                      /* DH_EX_VAR, DH_EX_VISITED, DH_EX_CHOSE */
        const dh_Expr *kid;         /* DH_EX_NOT, DH_EX_NEG */
        struct {
            const dh_Expr *l, *r;
            int32_t op_off;            /* where the operator is */
        } bin;                      /* binary operators */
    } u;
};

/* What went wrong, and where: offset and length in bytes into the text. */
typedef struct dh_ExprError {
    int off, len;  /* len >= 1 unless the problem is at the end of the text */
    char msg[256]; /* one sentence for an instructor, no trailing newline */
} dh_ExprError;

/* A value during evaluation. */
typedef struct dh_Value {
    dh_ExprType type;
    int64_t i;     /* DH_TYPE_BOOL (0/1) and DH_TYPE_INT */
    const char *s; /* DH_TYPE_STRING */
} dh_Value;

/* The scenario state an expression reads. Enum variables hold the index of
 * their current value in the declaration's list. */
typedef struct dh_ExprState {
    const int64_t *vars;  /* one per declared variable; bools are 0/1 */
    const bool *visited;  /* one per inject: it has fired */
    const bool *chosen;   /* one per action: the trainee has taken it */
    int64_t elapsed;      /* scenario seconds since the start */
} dh_ExprState;

/* For static analysis: which parts of a dh_ExprState are known. NULL arrays
 * mean "none known"; elapsed is never known. */
typedef struct dh_ExprKnown {
    const bool *vars, *visited, *chosen;
} dh_ExprKnown;

/* Parse and type-check text (NUL-terminated) against env, building the tree
 * in arena. Returns DH_OK with *out set; DH_EINVALID with the first problem
 * in *err; or DH_ENOMEM. *out is NULL on failure. The tree does not point
 * into text. */
dh_Status dh_expr_parse(dh_Arena *arena, const char *text, const dh_ExprEnv *env,
                        const dh_Expr **out, dh_ExprError *err);

/* Evaluate; pure, always terminates, never fails: division or remainder by
 * zero gives 0, integer arithmetic wraps around. */
dh_Value dh_expr_eval(const dh_Expr *e, const dh_ExprState *st);
/* Evaluate a boolean expression (a condition); asserts its type. */
bool dh_expr_test(const dh_Expr *e, const dh_ExprState *st);

/* Partial evaluation: returns true and sets *out when the value follows from
 * the known parts of st alone (e.g. "x && false" is false whatever x is).
 * known NULL means nothing is known; st may then be NULL too. */
bool dh_expr_fold(const dh_Expr *e, const dh_ExprState *st, const dh_ExprKnown *known,
                  dh_Value *out);

/* Call fn for every leaf that reads state (variable, visited, chose,
 * elapsed), left to right. */
typedef void (*dh_ExprRefFn)(void *ud, const dh_Expr *leaf);
void dh_expr_refs(const dh_Expr *e, dh_ExprRefFn fn, void *ud);

/* Warnings about an expression that is valid but surely not what the author
 * meant (a division by a constant zero). Fills up to max entries of warns
 * and returns how many there are in total. */
int dh_expr_lint(const dh_Expr *e, dh_ExprError *warns, int max);



/* "a boolean", "a number", "a text": for messages. */
const char *dh_expr_type_name(dh_ExprType t);

/* True if s is usable as a variable name (an identifier, not a reserved word
 * such as true, false, elapsed, visited or chose). */
bool dh_expr_name_valid(const char *s);

#endif
