/* expr: a recursive-descent parser that type-checks as it builds, and the
 * evaluators that walk the result.
 *
 * The grammar is C's, cut down (see courses/FORMAT.md, "Conditions"). Every
 * node is checked the moment it is built, so a message can name the operand
 * that is wrong ("'reported' is a boolean") with its byte offset. Hostile
 * text cannot exhaust the stack: the parser's recursion goes through '(',
 * '!' and unary '-' only, and counts them; the tree's height is capped when
 * each node is made, which bounds every later walk of it. The first problem
 * ends the parse: one clear message per condition beats a cascade.
 */
#include "expr.h"

#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- tokens ---------------------------------------------------------------- */

typedef enum Tok {
    T_END, T_INT, T_STR, T_IDENT, T_LP, T_RP,
    T_NOT, T_AND, T_OR, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
    T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT
} Tok;

typedef struct Parser {
    dh_Arena *arena;
    const char *text;
    int len;
    const dh_ExprEnv *env;
    dh_ExprError *err;
    dh_Status status;  /* DH_OK until the first problem */
    int depth;         /* '(' '!' '-' currently open */
    int pos;           /* next byte to lex */
    /* the current token */
    Tok tok;
    int off, tlen;     /* its bytes */
    int64_t ival;      /* T_INT */
} Parser;

static void fail(Parser *p, int off, int len, const char *fmt, ...) DH_PRINTF(4, 5);
static void fail(Parser *p, int off, int len, const char *fmt, ...)
{
    if (p->status != DH_OK) return;
    p->status = DH_EINVALID;
    p->err->off = off;
    p->err->len = len;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
}

static void fail_oom(Parser *p)
{
    if (p->status != DH_OK) return;
    p->status = DH_ENOMEM;
    p->err->off = 0;
    p->err->len = 0;
    snprintf(p->err->msg, sizeof p->err->msg, "out of memory");
}

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || is_digit(c);
}

/* Characters of an id as dh_id_valid accepts them (inject and action ids). */
static bool is_id_char(char c)
{
    return is_ident_char(c) || c == '.' || c == '-';
}

/* The text of a span for a message: at most 40 bytes, cut at a character
 * boundary, with "..." when shortened. */
static const char *snippet(const Parser *p, int off, int len, char *buf, size_t size)
{
    int n = len;
    bool cut = false;
    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)p->text[off + n] & 0xC0) == 0x80) n--;
        cut = true;
    }
    snprintf(buf, size, "%.*s%s", n, p->text + off, cut ? "..." : "");
    return buf;
}

static void lex(Parser *p)
{
    const char *t = p->text;
    int i = p->pos;
    while (i < p->len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) i++;
    p->off = i;
    p->tlen = 1;
    if (i >= p->len) {
        p->tok = T_END;
        p->tlen = 0;
        p->pos = i;
        return;
    }
    char c = t[i], d = i + 1 < p->len ? t[i + 1] : '\0';
    int two = 0; /* 2: a two-character operator */
    switch (c) {
    case '(': p->tok = T_LP; break;
    case ')': p->tok = T_RP; break;
    case '+': p->tok = T_PLUS; break;
    case '-': p->tok = T_MINUS; break;
    case '*': p->tok = T_STAR; break;
    case '/': p->tok = T_SLASH; break;
    case '%': p->tok = T_PERCENT; break;
    case '!': p->tok = d == '=' ? (two = 1, T_NE) : T_NOT; break;
    case '<': p->tok = d == '=' ? (two = 1, T_LE) : T_LT; break;
    case '>': p->tok = d == '=' ? (two = 1, T_GE) : T_GT; break;
    case '=':
        if (d != '=') {
            fail(p, i, 1, "use '==' to compare; a single '=' would assign, and conditions cannot assign");
            p->tok = T_END;
            return;
        }
        p->tok = T_EQ;
        two = 1;
        break;
    case '&':
        if (d != '&') {
            fail(p, i, 1, "use '&&' for 'and'");
            p->tok = T_END;
            return;
        }
        p->tok = T_AND;
        two = 1;
        break;
    case '|':
        if (d != '|') {
            fail(p, i, 1, "use '||' for 'or'");
            p->tok = T_END;
            return;
        }
        p->tok = T_OR;
        two = 1;
        break;
    case '\'':
    case '"': {
        int k = i + 1;
        while (k < p->len && t[k] != c && t[k] != '\\') k++;
        if (k < p->len && t[k] == '\\') {
            fail(p, k, 1, "backslashes are not allowed in quoted text in a condition");
            p->tok = T_END;
            return;
        }
        if (k >= p->len) {
            fail(p, i, p->len - i, "quoted text is not closed: a %c is missing", c);
            p->tok = T_END;
            return;
        }
        p->tok = T_STR;
        p->tlen = k + 1 - i;
        p->pos = k + 1;
        return;
    }
    default:
        if (is_digit(c)) {
            int k = i;
            uint64_t v = 0;
            bool big = false;
            while (k < p->len && is_digit(t[k])) {
                unsigned dgt = (unsigned)(t[k] - '0');
                if (v > ((uint64_t)INT64_MAX - dgt) / 10) big = true;
                else v = v * 10 + dgt;
                k++;
            }
            if (k < p->len && t[k] == '.' && k + 1 < p->len && is_digit(t[k + 1])) {
                fail(p, i, k + 1 - i, "only whole numbers are allowed in conditions");
                p->tok = T_END;
                return;
            }
            if (k < p->len && is_ident_char(t[k])) {
                fail(p, i, k + 1 - i, "a number cannot be followed directly by letters");
                p->tok = T_END;
                return;
            }
            if (big) {
                fail(p, i, k - i, "number too large (the largest is %lld)", (long long)INT64_MAX);
                p->tok = T_END;
                return;
            }
            p->tok = T_INT;
            p->ival = (int64_t)v;
            p->tlen = k - i;
            p->pos = k;
            return;
        }
        if (is_ident_start(c)) {
            int k = i;
            while (k < p->len && is_ident_char(t[k])) k++;
            p->tok = T_IDENT;
            p->tlen = k - i;
            p->pos = k;
            return;
        }
        if ((unsigned char)c >= 0x80)
            fail(p, i, 1, "unexpected character (only ASCII letters, digits and operators are allowed outside quotes)");
        else
            fail(p, i, 1, "unexpected character '%c'", c);
        p->tok = T_END;
        return;
    }
    p->tlen = 1 + two;
    p->pos = i + 1 + two;
}

static bool tok_is(const Parser *p, const char *word)
{
    size_t n = strlen(word);
    return p->tok == T_IDENT && (size_t)p->tlen == n && memcmp(p->text + p->off, word, n) == 0;
}

/* How a token reads in a message. */
static const char *tok_desc(const Parser *p, char *buf, size_t size)
{
    if (p->tok == T_END) return "the end of the condition";
    char s[48];
    snprintf(buf, size, "'%s'", snippet(p, p->off, p->tlen, s, sizeof s));
    return buf;
}

/* ---- name lookup ------------------------------------------------------------- */

typedef const char *(*NameAt)(const dh_ExprEnv *env, int i);
static const char *var_at(const dh_ExprEnv *env, int i) { return env->vars[i].name; }
static const char *inject_at(const dh_ExprEnv *env, int i) { return env->injects[i]; }
static const char *action_at(const dh_ExprEnv *env, int i) { return env->actions[i]; }

/* strcmp of the n bytes at name (no NUL among them) against s. */
static int cmp_n(const char *name, size_t n, const char *s)
{
    int c = strncmp(name, s, n);
    return c ? c : s[n] ? -1 : 0;
}

/* Index of the name (n bytes) among count names, or -1. */
static int find_name(const dh_ExprEnv *env, NameAt at, int count, const int *sorted, const char *name, size_t n)
{
    if (!sorted) {
        for (int i = 0; i < count; i++)
            if (cmp_n(name, n, at(env, i)) == 0) return i;
        return -1;
    }
    int lo = 0, hi = count;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int c = cmp_n(name, n, at(env, sorted[mid]));
        if (c == 0) return sorted[mid];
        if (c > 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* ---- node construction and checking ----------------------------------------- */

static dh_Expr *node(Parser *p, dh_ExprOp op, dh_ExprType type, int off, int len)
{
    if (p->status != DH_OK) return NULL;
    dh_Expr *e = dh_arena_alloc(p->arena, sizeof *e);
    if (!e) {
        fail_oom(p);
        return NULL;
    }
    e->op = (uint8_t)op;
    e->type = (uint8_t)type;
    e->height = 1;
    e->off = off;
    e->len = len;
    return e;
}

static bool set_height(Parser *p, dh_Expr *e, const dh_Expr *a, const dh_Expr *b)
{
    int h = a->height;
    if (b && b->height > h) h = b->height;
    if (h + 1 > DH_EXPR_MAX_DEPTH) {
        fail(p, e->off, e->len,
             "the condition is nested too deeply (more than %d levels); split it into simpler parts",
             DH_EXPR_MAX_DEPTH);
        return false;
    }
    e->height = (uint8_t)(h + 1);
    return true;
}

const char *dh_expr_type_name(dh_ExprType t)
{
    switch (t) {
    case DH_TYPE_BOOL: return "a boolean";
    case DH_TYPE_INT: return "a number";
    case DH_TYPE_STRING: return "a text";
    }
    return "a value";
}

static const char *op_text(dh_ExprOp op)
{
    switch (op) {
    case DH_EX_NOT: return "!";
    case DH_EX_NEG: return "-";
    case DH_EX_AND: return "&&";
    case DH_EX_OR: return "||";
    case DH_EX_EQ: return "==";
    case DH_EX_NE: return "!=";
    case DH_EX_LT: return "<";
    case DH_EX_LE: return "<=";
    case DH_EX_GT: return ">";
    case DH_EX_GE: return ">=";
    case DH_EX_ADD: return "+";
    case DH_EX_SUB: return "-";
    case DH_EX_MUL: return "*";
    case DH_EX_DIV: return "/";
    case DH_EX_MOD: return "%";
    default: return "?";
    }
}

/* Report that operand x of operator op has the wrong type. */
static void wrong_operand(Parser *p, dh_ExprOp op, const dh_Expr *x)
{
    char s[48];
    /* A quoted literal is shown without its quotes: "'a' is a text". */
    const char *what = x->op == DH_EX_STR ? snippet(p, x->off + 1, x->len - 2, s, sizeof s)
                                          : snippet(p, x->off, x->len, s, sizeof s);
    const char *is = dh_expr_type_name((dh_ExprType)x->type);
    switch (op) {
    case DH_EX_NOT:
    case DH_EX_AND:
    case DH_EX_OR:
        fail(p, x->off, x->len, "'%s' needs a condition (true or false), but '%s' is %s%s", op_text(op),
             what, is, x->type == DH_TYPE_INT ? "; compare it, e.g. 'x > 0'" : "");
        break;
    case DH_EX_LT:
    case DH_EX_LE:
    case DH_EX_GT:
    case DH_EX_GE:
        fail(p, x->off, x->len, "'%s' compares numbers, but '%s' is %s%s", op_text(op), what, is,
             x->type == DH_TYPE_STRING ? "; texts can only be compared with '==' or '!='" : "");
        break;
    default:
        fail(p, x->off, x->len, "'%s' needs numbers, but '%s' is %s", op_text(op), what, is);
        break;
    }
}


/* A text literal compared with an enum variable must be one of its values. */
static void check_enum_literal(Parser *p, const dh_Expr *var, const dh_Expr *lit)
{
    if (var->op != DH_EX_VAR || lit->op != DH_EX_STR) return;
    const char *const *values = var->u.ref.values;
    int n = var->u.ref.nvalues;
    dh_Suggest sg;
    dh_suggest_init(&sg, lit->u.s, strlen(lit->u.s));
    for (int i = 0; i < n; i++) {
        if (strcmp(values[i], lit->u.s) == 0) return;
        dh_suggest_try(&sg, values[i]);
    }
    const char *name = p->env->vars[var->u.ref.index].name;
    char sbuf[128], list[160];
    if (sg.best)
        fail(p, lit->off, lit->len, "'%s' is not a value of '%s'%s", lit->u.s, name,
             dh_suggest_text(&sg, sbuf, sizeof sbuf));
    else
        fail(p, lit->off, lit->len, "'%s' is not a value of '%s' (its values are: %s)", lit->u.s, name,
             dh_join_names(values, n, list, sizeof list));
}

static const dh_Expr *unary(Parser *p, dh_ExprOp op, int op_off, const dh_Expr *kid)
{
    if (!kid) return NULL;
    dh_ExprType want = op == DH_EX_NOT ? DH_TYPE_BOOL : DH_TYPE_INT;
    if (kid->type != want) {
        wrong_operand(p, op, kid);
        return NULL;
    }
    dh_Expr *e = node(p, op, want, op_off, kid->off + kid->len - op_off);
    if (!e) return NULL;
    e->u.kid = kid;
    return set_height(p, e, kid, NULL) ? e : NULL;
}

static const dh_Expr *binary(Parser *p, dh_ExprOp op, int op_off, int op_len, const dh_Expr *l,
                             const dh_Expr *r)
{
    if (!l || !r) return NULL;
    dh_ExprType type = DH_TYPE_BOOL;
    switch (op) {
    case DH_EX_AND:
    case DH_EX_OR:
        if (l->type != DH_TYPE_BOOL) return wrong_operand(p, op, l), NULL;
        if (r->type != DH_TYPE_BOOL) return wrong_operand(p, op, r), NULL;
        break;
    case DH_EX_EQ:
    case DH_EX_NE:
        if (l->type != r->type) {
            fail(p, op_off, op_len, "cannot compare %s with %s", dh_expr_type_name((dh_ExprType)l->type),
                 dh_expr_type_name((dh_ExprType)r->type));
            return NULL;
        }
        check_enum_literal(p, l, r);
        check_enum_literal(p, r, l);
        if (p->status != DH_OK) return NULL;
        break;
    case DH_EX_LT:
    case DH_EX_LE:
    case DH_EX_GT:
    case DH_EX_GE:
        if (l->type != DH_TYPE_INT) return wrong_operand(p, op, l), NULL;
        if (r->type != DH_TYPE_INT) return wrong_operand(p, op, r), NULL;
        break;
    default:
        if (l->type != DH_TYPE_INT) return wrong_operand(p, op, l), NULL;
        if (r->type != DH_TYPE_INT) return wrong_operand(p, op, r), NULL;
        type = DH_TYPE_INT;
        break;
    }
    dh_Expr *e = node(p, op, type, l->off, r->off + r->len - l->off);
    if (!e) return NULL;
    e->u.bin.l = l;
    e->u.bin.r = r;
    e->u.bin.op_off = op_off;
    return set_height(p, e, l, r) ? e : NULL;
}

/* ---- grammar ---------------------------------------------------------------- */

static const dh_Expr *parse_or(Parser *p);

/* Something that should start a value is missing at the current token. */
static void expected_value(Parser *p, const char *after)
{
    char b[64];
    if (p->tok == T_END && after)
        fail(p, p->off, 0, "expected a value after '%s'", after);
    else if (p->tok == T_END)
        fail(p, p->off, 0, "the condition is empty");
    else
        fail(p, p->off, p->tlen, "expected a value, not %s", tok_desc(p, b, sizeof b));
}

/* visited(id) and chose(id): the argument is an id, bare or quoted. */
static const dh_Expr *parse_ref(Parser *p, dh_ExprOp op)
{
    const char *fn = op == DH_EX_VISITED ? "visited" : "chose";
    const char *what = op == DH_EX_VISITED ? "inject" : "action";
    int start = p->off;
    lex(p);
    if (p->tok != T_LP) {
        fail(p, start, (int)strlen(fn), "'%s' needs the id of an %s in parentheses, e.g. %s(%s)", fn, what,
             fn, op == DH_EX_VISITED ? "I1" : "report");
        return NULL;
    }
    /* Lex the id by hand: ids may contain '.' and '-', which the lexer
     * would read as operators. */
    const char *t = p->text;
    int i = p->pos;
    while (i < p->len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) i++;
    int id_off = i, id_len = 0, tok_len;
    if (i < p->len && (t[i] == '\'' || t[i] == '"')) {
        char q = t[i];
        int k = i + 1;
        while (k < p->len && t[k] != q) k++;
        if (k >= p->len) {
            fail(p, i, p->len - i, "quoted text is not closed: a %c is missing", q);
            return NULL;
        }
        id_off = i + 1;
        id_len = k - i - 1;
        tok_len = k + 1 - i;
    } else {
        while (i + id_len < p->len && is_id_char(t[i + id_len])) id_len++;
        tok_len = id_len;
    }
    if (id_len == 0) {
        fail(p, i, i < p->len ? 1 : 0, "expected the id of an %s after '%s('", what, fn);
        return NULL;
    }
    const dh_ExprEnv *env = p->env;
    bool vis = op == DH_EX_VISITED;
    const char *const *ids = vis ? env->injects : env->actions;
    int n = vis ? env->ninjects : env->nactions;
    int index = find_name(env, vis ? inject_at : action_at, n, vis ? env->injects_sorted : env->actions_sorted,
                          t + id_off, (size_t)id_len);
    if (index < 0) {
        dh_Suggest sg;
        dh_suggest_init(&sg, t + id_off, (size_t)id_len);
        for (int k = 0; k < n; k++) dh_suggest_try(&sg, ids[k]);
        char sbuf[128];
        fail(p, i, tok_len, "unknown %s '%.*s'%s", what, id_len, t + id_off,
             n == 0 ? (op == DH_EX_VISITED ? " (this scenario has no injects)" : " (this scenario has no actions)")
                    : dh_suggest_text(&sg, sbuf, sizeof sbuf));
        return NULL;
    }
    p->pos = i + tok_len;
    lex(p);
    if (p->tok != T_RP) {
        char b[64];
        fail(p, p->off, p->tlen, "expected ')' after the %s id, not %s", what, tok_desc(p, b, sizeof b));
        return NULL;
    }
    int end = p->off + 1;
    lex(p);
    dh_Expr *e = node(p, op, DH_TYPE_BOOL, start, end - start);
    if (e) e->u.ref.index = index;
    return e;
}

static const dh_Expr *parse_ident(Parser *p)
{
    const char *name = p->text + p->off;
    size_t n = (size_t)p->tlen;
    int off = p->off;
    if (tok_is(p, "true") || tok_is(p, "false")) {
        dh_Expr *e = node(p, DH_EX_BOOL, DH_TYPE_BOOL, off, (int)n);
        if (e) e->u.i = name[0] == 't';
        lex(p);
        return e;
    }
    if (tok_is(p, "visited")) return parse_ref(p, DH_EX_VISITED);
    if (tok_is(p, "chose")) return parse_ref(p, DH_EX_CHOSE);
    bool is_elapsed = tok_is(p, "elapsed");
    lex(p);
    bool call = p->tok == T_LP;
    if (is_elapsed) {
        if (call) {
            fail(p, off, (int)n, "'elapsed' is a number, not a function: write e.g. 'elapsed > 300'");
            return NULL;
        }
        return node(p, DH_EX_ELAPSED, DH_TYPE_INT, off, (int)n);
    }
    if (call) {
        dh_Suggest sg;
        char sbuf[128];
        dh_suggest_init(&sg, name, n);
        dh_suggest_try(&sg, "visited");
        dh_suggest_try(&sg, "chose");
        fail(p, off, (int)n, "unknown function '%.*s'%s; conditions can use visited(inject) and chose(action)",
             (int)n, name, dh_suggest_text(&sg, sbuf, sizeof sbuf));
        return NULL;
    }
    const dh_ExprEnv *env = p->env;
    int i = find_name(env, var_at, env->nvars, env->vars_sorted, name, n);
    if (i >= 0) {
        const dh_VarDecl *v = &env->vars[i];
        dh_ExprType t = v->type == DH_VAR_BOOL ? DH_TYPE_BOOL : v->type == DH_VAR_INT ? DH_TYPE_INT : DH_TYPE_STRING;
        dh_Expr *e = node(p, DH_EX_VAR, t, off, (int)n);
        if (e) {
            e->u.ref.index = i;
            if (v->type == DH_VAR_ENUM) {
                e->u.ref.values = v->values;
                e->u.ref.nvalues = v->nvalues;
            }
        }
        return e;
    }
    dh_Suggest sg;
    dh_suggest_init(&sg, name, n);
    for (i = 0; i < env->nvars; i++) dh_suggest_try(&sg, env->vars[i].name);
    static const char *const words[][2] = {{"and", "&&"}, {"or", "||"}, {"not", "!"}};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        if (cmp_n(name, n, words[k][0]) == 0) {
            fail(p, off, (int)n, "use '%s' instead of '%s'", words[k][1], words[k][0]);
            return NULL;
        }
    }
    dh_suggest_try(&sg, "true");
    dh_suggest_try(&sg, "false");
    dh_suggest_try(&sg, "elapsed");
    char sbuf[128];
    fail(p, off, (int)n, "unknown variable '%.*s'%s", (int)n, name, dh_suggest_text(&sg, sbuf, sizeof sbuf));
    return NULL;
}

static const dh_Expr *parse_primary(Parser *p)
{
    switch (p->tok) {
    case T_INT: {
        dh_Expr *e = node(p, DH_EX_INT, DH_TYPE_INT, p->off, p->tlen);
        if (e) e->u.i = p->ival;
        lex(p);
        return e;
    }
    case T_STR: {
        dh_Expr *e = node(p, DH_EX_STR, DH_TYPE_STRING, p->off, p->tlen);
        if (!e) return NULL;
        e->u.s = dh_arena_strndup(p->arena, p->text + p->off + 1, (size_t)p->tlen - 2);
        if (!e->u.s) {
            fail_oom(p);
            return NULL;
        }
        lex(p);
        return e;
    }
    case T_IDENT:
        return parse_ident(p);
    case T_LP: {
        int open = p->off;
        if (++p->depth > DH_EXPR_MAX_DEPTH) {
            fail(p, open, 1, "the condition is nested too deeply (more than %d levels); split it into simpler parts",
                 DH_EXPR_MAX_DEPTH);
            return NULL;
        }
        lex(p);
        const dh_Expr *e = parse_or(p);
        p->depth--;
        if (!e) return NULL;
        if (p->tok != T_RP) {
            char b[64];
            if (p->tok == T_END)
                fail(p, open, 1, "this '(' is never closed");
            else
                fail(p, p->off, p->tlen, "expected ')' or an operator, not %s", tok_desc(p, b, sizeof b));
            return NULL;
        }
        lex(p);
        return e;
    }
    default:
        expected_value(p, NULL);
        return NULL;
    }
}

static const dh_Expr *parse_unary(Parser *p)
{
    if (p->tok != T_NOT && p->tok != T_MINUS) return parse_primary(p);
    dh_ExprOp op = p->tok == T_NOT ? DH_EX_NOT : DH_EX_NEG;
    int op_off = p->off;
    if (++p->depth > DH_EXPR_MAX_DEPTH) {
        fail(p, op_off, 1, "the condition is nested too deeply (more than %d levels); split it into simpler parts",
             DH_EXPR_MAX_DEPTH);
        return NULL;
    }
    lex(p);
    if (p->tok == T_END) {
        expected_value(p, op_text(op));
        return NULL;
    }
    const dh_Expr *kid = parse_unary(p);
    p->depth--;
    /* "-5" is a literal, so that "x > -5" stays constant-foldable trivially. */
    if (kid && op == DH_EX_NEG && kid->op == DH_EX_INT && kid->off == op_off + 1) {
        dh_Expr *e = node(p, DH_EX_INT, DH_TYPE_INT, op_off, kid->off + kid->len - op_off);
        if (e) e->u.i = (int64_t)(0u - (uint64_t)kid->u.i);
        return e;
    }
    return unary(p, op, op_off, kid);
}

/* Read the right operand of a binary operator at the current token. */
static const dh_Expr *operand(Parser *p, const dh_Expr *(*next)(Parser *), const char *after)
{
    if (p->tok == T_END) {
        expected_value(p, after);
        return NULL;
    }
    return next(p);
}

typedef struct OpMap {
    Tok tok;
    dh_ExprOp op;
} OpMap;

/* One left-associative level: next (op next)*. */
static const dh_Expr *level(Parser *p, const dh_Expr *(*next)(Parser *), const OpMap *ops, int nops)
{
    const dh_Expr *l = next(p);
    while (l) {
        int k = 0;
        while (k < nops && ops[k].tok != p->tok) k++;
        if (k == nops) break;
        int op_off = p->off, op_len = p->tlen;
        lex(p);
        const dh_Expr *r = operand(p, next, op_text(ops[k].op));
        l = binary(p, ops[k].op, op_off, op_len, l, r);
    }
    return l;
}

static const dh_Expr *parse_mul(Parser *p)
{
    static const OpMap ops[] = {{T_STAR, DH_EX_MUL}, {T_SLASH, DH_EX_DIV}, {T_PERCENT, DH_EX_MOD}};
    return level(p, parse_unary, ops, 3);
}

static const dh_Expr *parse_add(Parser *p)
{
    static const OpMap ops[] = {{T_PLUS, DH_EX_ADD}, {T_MINUS, DH_EX_SUB}};
    return level(p, parse_mul, ops, 2);
}

/* A non-associative level: "a < b < c" means nothing useful, so say so. */
static const dh_Expr *compare(Parser *p, const dh_Expr *(*next)(Parser *), const OpMap *ops, int nops)
{
    const dh_Expr *l = next(p);
    if (!l) return NULL;
    int k = 0;
    while (k < nops && ops[k].tok != p->tok) k++;
    if (k == nops) return l;
    int op_off = p->off, op_len = p->tlen;
    lex(p);
    const dh_Expr *r = operand(p, next, op_text(ops[k].op));
    const dh_Expr *e = binary(p, ops[k].op, op_off, op_len, l, r);
    if (!e) return NULL;
    for (k = 0; k < nops; k++) {
        if (ops[k].tok == p->tok) {
            fail(p, p->off, p->tlen, "comparisons cannot be chained: write 'a < b && b < c'");
            return NULL;
        }
    }
    return e;
}

static const dh_Expr *parse_rel(Parser *p)
{
    static const OpMap ops[] = {{T_LT, DH_EX_LT}, {T_LE, DH_EX_LE}, {T_GT, DH_EX_GT}, {T_GE, DH_EX_GE}};
    return compare(p, parse_add, ops, 4);
}

static const dh_Expr *parse_eq(Parser *p)
{
    static const OpMap ops[] = {{T_EQ, DH_EX_EQ}, {T_NE, DH_EX_NE}};
    return compare(p, parse_rel, ops, 2);
}

static const dh_Expr *parse_and(Parser *p)
{
    static const OpMap ops[] = {{T_AND, DH_EX_AND}};
    return level(p, parse_eq, ops, 1);
}

static const dh_Expr *parse_or(Parser *p)
{
    static const OpMap ops[] = {{T_OR, DH_EX_OR}};
    return level(p, parse_and, ops, 1);
}

dh_Status dh_expr_parse(dh_Arena *arena, const char *text, const dh_ExprEnv *env,
                        const dh_Expr **out, dh_ExprError *err)
{
    DH_ASSERT(arena && text && env && out && err);
    *out = NULL;
    err->off = 0;
    err->len = 0;
    err->msg[0] = '\0';
    Parser p = {0};
    p.arena = arena;
    p.text = text;
    p.env = env;
    p.err = err;
    p.status = DH_OK;
    int n = 0;
    while (n <= DH_EXPR_MAX_LEN && text[n]) n++;
    if (n > DH_EXPR_MAX_LEN) {
        fail(&p, DH_EXPR_MAX_LEN, 1, "the condition is longer than %d bytes; split it into simpler parts",
             DH_EXPR_MAX_LEN);
        return p.status;
    }
    p.len = n;
    lex(&p);
    if (p.status != DH_OK) return p.status;
    if (p.tok == T_END) {
        expected_value(&p, NULL);
        return p.status;
    }
    const dh_Expr *e = parse_or(&p);
    if (e && p.tok != T_END) {
        char b[64];
        if (p.tok == T_RP)
            fail(&p, p.off, 1, "this ')' has no matching '('");
        else
            fail(&p, p.off, p.tlen, "expected an operator such as '&&' or '==' before %s",
                 tok_desc(&p, b, sizeof b));
    }
    if (p.status != DH_OK) return p.status;
    DH_ASSERT(e);
    *out = e;
    return DH_OK;
}

/* ---- evaluation ---------------------------------------------------------------- */

static dh_Value make(dh_ExprType t, int64_t i)
{
    dh_Value v = {t, i, NULL};
    return v;
}

/* Wrap-around arithmetic, and zero for division by zero: a condition must
 * never trap, whatever the numbers. */
static int64_t arith(dh_ExprOp op, int64_t a, int64_t b)
{
    uint64_t x = (uint64_t)a, y = (uint64_t)b;
    switch (op) {
    case DH_EX_ADD: return (int64_t)(x + y);
    case DH_EX_SUB: return (int64_t)(x - y);
    case DH_EX_MUL: return (int64_t)(x * y);
    case DH_EX_DIV:
        if (b == 0) return 0;
        if (a == INT64_MIN && b == -1) return INT64_MIN;
        return a / b;
    case DH_EX_MOD:
        if (b == 0 || b == -1) return 0;
        return a % b;
    default: DH_ASSERT(0); return 0;
    }
}

static bool relate(dh_ExprOp op, dh_Value a, dh_Value b)
{
    int c;
    if (a.type == DH_TYPE_STRING) c = strcmp(a.s, b.s);
    else c = a.i < b.i ? -1 : a.i > b.i;
    switch (op) {
    case DH_EX_EQ: return c == 0;
    case DH_EX_NE: return c != 0;
    case DH_EX_LT: return c < 0;
    case DH_EX_LE: return c <= 0;
    case DH_EX_GT: return c > 0;
    case DH_EX_GE: return c >= 0;
    default: DH_ASSERT(0); return false;
    }
}

static dh_Value var_value(const dh_Expr *e, const dh_ExprState *st)
{
    int64_t x = st->vars[e->u.ref.index];
    if (e->type == DH_TYPE_STRING) {
        /* The engine keeps enum variables in range; anything else is a bug. */
        DH_ASSERT(x >= 0 && x < e->u.ref.nvalues);
        dh_Value v = {DH_TYPE_STRING, x, e->u.ref.values[x]};
        return v;
    }
    return make((dh_ExprType)e->type, e->type == DH_TYPE_BOOL ? x != 0 : x);
}

dh_Value dh_expr_eval(const dh_Expr *e, const dh_ExprState *st)
{
    switch ((dh_ExprOp)e->op) {
    case DH_EX_INT: return make(DH_TYPE_INT, e->u.i);
    case DH_EX_BOOL: return make(DH_TYPE_BOOL, e->u.i);
    case DH_EX_STR: {
        dh_Value v = {DH_TYPE_STRING, 0, e->u.s};
        return v;
    }
    case DH_EX_VAR: return var_value(e, st);
    case DH_EX_VISITED: return make(DH_TYPE_BOOL, st->visited[e->u.ref.index]);
    case DH_EX_CHOSE: return make(DH_TYPE_BOOL, st->chosen[e->u.ref.index]);
    case DH_EX_ELAPSED: return make(DH_TYPE_INT, st->elapsed);
    case DH_EX_NOT: return make(DH_TYPE_BOOL, !dh_expr_eval(e->u.kid, st).i);
    case DH_EX_NEG: return make(DH_TYPE_INT, (int64_t)(0u - (uint64_t)dh_expr_eval(e->u.kid, st).i));
    case DH_EX_AND:
        return make(DH_TYPE_BOOL, dh_expr_eval(e->u.bin.l, st).i && dh_expr_eval(e->u.bin.r, st).i);
    case DH_EX_OR:
        return make(DH_TYPE_BOOL, dh_expr_eval(e->u.bin.l, st).i || dh_expr_eval(e->u.bin.r, st).i);
    case DH_EX_EQ:
    case DH_EX_NE:
    case DH_EX_LT:
    case DH_EX_LE:
    case DH_EX_GT:
    case DH_EX_GE:
        return make(DH_TYPE_BOOL, relate((dh_ExprOp)e->op, dh_expr_eval(e->u.bin.l, st),
                                         dh_expr_eval(e->u.bin.r, st)));
    case DH_EX_ADD:
    case DH_EX_SUB:
    case DH_EX_MUL:
    case DH_EX_DIV:
    case DH_EX_MOD:
        return make(DH_TYPE_INT, arith((dh_ExprOp)e->op, dh_expr_eval(e->u.bin.l, st).i,
                                       dh_expr_eval(e->u.bin.r, st).i));
    }
    DH_ASSERT(0);
    return make(DH_TYPE_BOOL, 0);
}

bool dh_expr_test(const dh_Expr *e, const dh_ExprState *st)
{
    DH_ASSERT(e->type == DH_TYPE_BOOL);
    return dh_expr_eval(e, st).i != 0;
}

static bool known_at(const bool *known, int i)
{
    return known && known[i];
}

bool dh_expr_fold(const dh_Expr *e, const dh_ExprState *st, const dh_ExprKnown *known, dh_Value *out)
{
    static const dh_ExprKnown none = {NULL, NULL, NULL};
    if (!known) known = &none;
    dh_Value a, b;
    switch ((dh_ExprOp)e->op) {
    case DH_EX_INT:
    case DH_EX_BOOL:
    case DH_EX_STR:
        *out = dh_expr_eval(e, st);
        return true;
    case DH_EX_VAR:
        if (!known_at(known->vars, e->u.ref.index)) return false;
        *out = var_value(e, st);
        return true;
    case DH_EX_VISITED:
    case DH_EX_CHOSE: {
        bool vis = e->op == DH_EX_VISITED;
        if (!known_at(vis ? known->visited : known->chosen, e->u.ref.index)) return false;
        *out = make(DH_TYPE_BOOL, (vis ? st->visited : st->chosen)[e->u.ref.index]);
        return true;
    }
    case DH_EX_ELAPSED:
        return false;
    case DH_EX_NOT:
    case DH_EX_NEG:
        if (!dh_expr_fold(e->u.kid, st, known, &a)) return false;
        *out = e->op == DH_EX_NOT ? make(DH_TYPE_BOOL, !a.i) : make(DH_TYPE_INT, (int64_t)(0u - (uint64_t)a.i));
        return true;
    case DH_EX_AND:
    case DH_EX_OR: {
        /* One decisive side is enough: false for &&, true for ||. */
        int64_t decisive = e->op == DH_EX_OR;
        bool ka = dh_expr_fold(e->u.bin.l, st, known, &a);
        if (ka && a.i == decisive) return *out = make(DH_TYPE_BOOL, decisive), true;
        bool kb = dh_expr_fold(e->u.bin.r, st, known, &b);
        if (kb && b.i == decisive) return *out = make(DH_TYPE_BOOL, decisive), true;
        if (!ka || !kb) return false;
        *out = make(DH_TYPE_BOOL, !decisive);
        return true;
    }
    default:
        break;
    }
    bool ka = dh_expr_fold(e->u.bin.l, st, known, &a);
    bool kb = dh_expr_fold(e->u.bin.r, st, known, &b);
    if (e->op == DH_EX_MUL && ((ka && a.i == 0) || (kb && b.i == 0)))
        return *out = make(DH_TYPE_INT, 0), true;
    if (!ka || !kb) return false;
    if (e->type == DH_TYPE_INT) *out = make(DH_TYPE_INT, arith((dh_ExprOp)e->op, a.i, b.i));
    else *out = make(DH_TYPE_BOOL, relate((dh_ExprOp)e->op, a, b));
    return true;
}

void dh_expr_refs(const dh_Expr *e, dh_ExprRefFn fn, void *ud)
{
    switch ((dh_ExprOp)e->op) {
    case DH_EX_INT:
    case DH_EX_BOOL:
    case DH_EX_STR:
        return;
    case DH_EX_VAR:
    case DH_EX_VISITED:
    case DH_EX_CHOSE:
    case DH_EX_ELAPSED:
        fn(ud, e);
        return;
    case DH_EX_NOT:
    case DH_EX_NEG:
        dh_expr_refs(e->u.kid, fn, ud);
        return;
    default:
        dh_expr_refs(e->u.bin.l, fn, ud);
        dh_expr_refs(e->u.bin.r, fn, ud);
        return;
    }
}

static void lint(const dh_Expr *e, dh_ExprError *warns, int max, int *n)
{
    switch ((dh_ExprOp)e->op) {
    case DH_EX_INT:
    case DH_EX_BOOL:
    case DH_EX_STR:
    case DH_EX_VAR:
    case DH_EX_VISITED:
    case DH_EX_CHOSE:
    case DH_EX_ELAPSED:
        return;
    case DH_EX_NOT:
    case DH_EX_NEG:
        lint(e->u.kid, warns, max, n);
        return;
    default:
        break;
    }
    lint(e->u.bin.l, warns, max, n);
    lint(e->u.bin.r, warns, max, n);
    dh_Value v;
    if ((e->op == DH_EX_DIV || e->op == DH_EX_MOD) && dh_expr_fold(e->u.bin.r, NULL, NULL, &v) && v.i == 0) {
        if (*n < max) {
            dh_ExprError *w = &warns[*n];
            w->off = e->u.bin.op_off;
            w->len = 1;
            snprintf(w->msg, sizeof w->msg, "%s by zero always gives 0 here",
                     e->op == DH_EX_DIV ? "division" : "remainder of a division");
        }
        (*n)++;
    }
}

int dh_expr_lint(const dh_Expr *e, dh_ExprError *warns, int max)
{
    int n = 0;
    lint(e, warns, max, &n);
    return n;
}

bool dh_expr_name_valid(const char *s)
{
    if (!is_ident_start(s[0])) return false;
    size_t n = 0;
    for (; s[n]; n++)
        if (!is_ident_char(s[n]) || n >= 64) return false;
    static const char *const reserved[] = {"true", "false", "elapsed", "visited", "chose", NULL};
    for (const char *const *r = reserved; *r; r++)
        if (strcmp(*r, s) == 0) return false;
    return true;
}
