/* quiz: parsing quiz files, and the checks that make scoring safe.
 *
 * The order of work matters. Settings come first because some question
 * checks depend on them (hints only make sense in the interactive
 * behaviour). Questions come next, each validated on its own: ids, types,
 * answers, fractions, markup and the references between them. Sections come
 * last, because they name questions and draw from pools by tag; the draws
 * are checked together, as a matching problem, since two draws that share a
 * pool can each look satisfiable and still be impossible to fill at once.
 * Nothing stops at the first problem: an instructor gets every diagnostic
 * in one run, and the model keeps whatever was valid.
 */
#include "quiz.h"

#include "lesson.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- names --------------------------------------------------------------- */

static const char *const type_names[] = {"single", "multiple", "truefalse", "short", "numeric", "matching",
                                         "ordering", "gapselect", "hottext", "hotspot", "description", NULL};
static const char *const grade_names[] = {"highest", "average", "first", "last", NULL};
static const char *const behaviour_names[] = {"deferred", "interactive", NULL};
static const char *const navigation_names[] = {"free", "sequential", NULL};
static const char *const grading_names[] = {"all_or_nothing",
                                            "absolute_position",
                                            "relative_next_exclude_last",
                                            "relative_next_include_last",
                                            "relative_one_previous_and_next",
                                            "relative_all_previous_and_next",
                                            "longest_ordered_subset",
                                            "longest_contiguous_subset",
                                            "relative_to_correct",
                                            NULL};
/* In the order of the DH_REVIEW_* bits. */
static const char *const review_names[] = {"correctness", "marks", "feedback", "general_feedback",
                                           "right_answer", "overall_feedback", NULL};

const char *dh_question_type_name(dh_QuestionType t) { return type_names[t]; }
const char *dh_grade_method_name(dh_GradeMethod m) { return grade_names[m]; }
const char *dh_behaviour_name(dh_Behaviour b) { return behaviour_names[b]; }
const char *dh_ordering_grading_name(dh_OrderingGrading g) { return grading_names[g]; }

int dh_quiz_question_index(const dh_Quiz *q, const char *id)
{
    for (int i = 0; i < q->nquestions; i++)
        if (strcmp(q->questions[i].id, id) == 0) return i;
    return -1;
}

/* ---- small helpers ------------------------------------------------------- */

static const cJSON *member(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }

static int lookup(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

/* A list for messages: "a, b or c", cut short with "..." when long. */
typedef struct List {
    char s[400];
    size_t n;
    int count;
} List;

static void list_reset(List *l)
{
    l->n = 0;
    l->count = 0;
    l->s[0] = '\0';
}

static void list_add(List *l, const char *item)
{
    if (l->n + 4 >= sizeof l->s) return;
    int w = snprintf(l->s + l->n, sizeof l->s - l->n, "%s%s", l->count ? ", " : "", item);
    if (w < 0 || (size_t)w >= sizeof l->s - l->n) {
        snprintf(l->s + l->n, sizeof l->s - l->n, ", ...");
        l->n = sizeof l->s;
        return;
    }
    l->n += (size_t)w;
    l->count++;
}

/* "use a, b or c" for enumerations. */
static const char *list_choices(List *l, const char *const *names)
{
    list_reset(l);
    int n = 0;
    while (names[n]) n++;
    for (int i = 0; i < n; i++) {
        if (i == n - 1 && n > 1) {
            snprintf(l->s + l->n, sizeof l->s - l->n, " or %s", names[i]);
            break;
        }
        list_add(l, names[i]);
    }
    return l->s;
}

/* A string member naming one of `names`; def when absent, reported when wrong. */
static int enum_member(dh_LoadCtx *c, const cJSON *obj, const char *key, const char *const *names, int def,
                       const char *what)
{
    const char *s = dh_json_string(c->doc, c->diags, obj, key, false);
    if (!s) return def;
    int i = lookup(s, names);
    if (i >= 0) return i;
    List l;
    DH_LOAD_ERROR(c, member(obj, key), "unknown %s '%s' (use %s)", what, s, list_choices(&l, names));
    return def;
}

/* The first translation of a text value (a string or a {lang: string} map),
 * and the next one; plain strings have exactly one. */
static const cJSON *first_tr(const cJSON *v) { return cJSON_IsObject(v) ? v->child : v; }
static const cJSON *next_tr(const cJSON *v, const cJSON *e) { return cJSON_IsObject(v) ? e->next : NULL; }

/* A diagnostic at byte off of string e: its column in the file. */
static void str_diag(dh_LoadCtx *c, dh_Severity sev, const cJSON *e, size_t off, const char *fmt, ...)
    DH_PRINTF(5, 6);
static void str_diag(dh_LoadCtx *c, dh_Severity sev, const cJSON *e, size_t off, const char *fmt, ...)
{
    int line, col;
    va_list ap;
    dh_json_string_pos(c->doc, e, off, &line, &col);
    va_start(ap, fmt);
    dh_diagv(c->diags, sev, c->doc->name, line, col, fmt, ap);
    va_end(ap);
}

/* Inline markup (lesson.h) is drawn the same way in quizzes as in lessons,
 * so an unclosed marker is caught here too. */
static void check_inline(dh_LoadCtx *c, const cJSON *v)
{
    for (const cJSON *e = first_tr(v); e; e = next_tr(v, e)) {
        size_t where = 0;
        if (!cJSON_IsString(e) || dh_inline_parse(e->valuestring, NULL, NULL, &where) == DH_INLINE_OK)
            continue;
        const char *s = e->valuestring;
        const char *marker = s[where] == '`' ? "`" : s[where + 1] == '*' ? "**" : "*";
        str_diag(c, DH_ERROR, e, where, "'%s' is opened here but never closed; close it, or write \\%c for a "
                 "literal %s", marker, marker[0], marker[0] == '`' ? "backtick" : "asterisk");
    }
}

/* A localized text member whose inline markup is checked. */
static bool text_member(dh_LoadCtx *c, const cJSON *obj, const char *key, bool required, dh_Text *out)
{
    bool ok = dh_load_text(c, obj, key, required, out);
    if (out->count > 0) check_inline(c, member(obj, key));
    return ok;
}

/* The array member key with at most `max` elements (the rest reported and
 * ignored); *n is its usable length. NULL when absent or not an array. */
static const cJSON *array_member(dh_LoadCtx *c, const cJSON *obj, const char *key, bool required, int max,
                                 int *n)
{
    *n = 0;
    const cJSON *a = dh_json_get(c->doc, c->diags, obj, key, DH_JSON_ARRAY, required);
    if (!a) return NULL;
    int k = cJSON_GetArraySize(a);
    if (k > max) {
        DH_LOAD_ERROR(c, cJSON_GetArrayItem(a, max), "too many entries in '%s' (at most %d)", key, max);
        k = max;
    }
    *n = k;
    return a;
}

/* Element e of an array of objects: false (reported, naming the members it
 * should have) if it is not an object; unknown members get a warning. */
static bool element(dh_LoadCtx *c, const cJSON *e, const char *const *known, const char *what, const char *shape)
{
    if (!cJSON_IsObject(e)) {
        DH_LOAD_ERROR(c, e, "%s must be an object with %s, not %s", what, shape, dh_json_kind(e));
        return false;
    }
    dh_json_check_members(c->doc, c->diags, e, known, what);
    return true;
}

/* The earlier object in the same array whose "id" is id, or NULL. */
static const cJSON *earlier_id(const cJSON *first, const cJSON *stop, const char *id)
{
    for (const cJSON *e = first; e && e != stop; e = e->next) {
        const cJSON *v = member(e, "id");
        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0) return v;
    }
    return NULL;
}

/* The "id" of an element of an array of objects: valid and not used by an
 * earlier element. Returns an arena copy or NULL (reported). */
static const char *element_id(dh_LoadCtx *c, const cJSON *arr, const cJSON *e, const char *what)
{
    const char *id = dh_json_id(c->doc, c->diags, e, "id", true);
    if (!id) return NULL;
    const cJSON *prev = earlier_id(arr->child, e, id);
    if (prev) {
        int line, col;
        dh_json_pos(c->doc, prev, &line, &col);
        DH_LOAD_ERROR(c, member(e, "id"), "duplicate %s id '%s' (first at line %d)", what, id, line);
        return NULL;
    }
    return dh_load_strdup(c, id);
}

/* A fraction member in [min, max] (default 0). Returns false if it was
 * present but unusable, so that sums are not checked on top of it. */
static bool fraction_member(dh_LoadCtx *c, const cJSON *obj, double min, double max, double *out)
{
    *out = 0;
    const cJSON *v = dh_json_get(c->doc, c->diags, obj, "fraction", DH_JSON_NUMBER, false);
    if (!v) return !member(obj, "fraction");
    double x = v->valuedouble;
    if (!isfinite(x) || x < min || x > max) {
        DH_LOAD_ERROR(c, v, "'fraction' must be between %g and %g (a share of the question's points), not %g",
                      min, max, x);
        return false;
    }
    *out = x;
    return true;
}

static bool is_full(double f) { return f >= 1 - 1e-9; }

/* Moodle's rule for several correct answers: the positive fractions share
 * the full marks, so they must add up to 1. */
static void check_positive_sum(dh_LoadCtx *c, const cJSON *at, const double *fr, int n, const char *what)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        if (fr[i] > 0) sum += fr[i];
    if (sum <= 0)
        DH_LOAD_ERROR(c, at, "no %s has a positive fraction; give the correct ones fractions that add up to 1",
                      what);
    else if (fabs(sum - 1) > DH_QUIZ_FRACTION_EPS)
        DH_LOAD_ERROR(c, at,
                      "the positive fractions of the %ss add up to %g; they must add up to 1 (the correct %ss "
                      "share the full marks)",
                      what, sum, what);
}

static void *alloc_n(dh_LoadCtx *c, int n, size_t size) { return dh_load_array(c, (size_t)(n > 0 ? n : 1), size); }

/* ---- gap and span markup ------------------------------------------------- */

/* Offset of the first "cc" in s at or after i, or SIZE_MAX. */
static size_t find_pair(const char *s, size_t i, char ch)
{
    for (; s[i]; i++)
        if (s[i] == ch && s[i + 1] == ch) return i;
    return SIZE_MAX;
}

dh_MarkupResult dh_markup_next(const char *s, size_t *pos, dh_MarkupSyntax syntax, dh_MarkupToken *tok)
{
    size_t i = *pos;
    char open = syntax == DH_MARKUP_GAPS ? '[' : '{';
    char close = syntax == DH_MARKUP_GAPS ? ']' : '}';
    memset(tok, 0, sizeof *tok);
    tok->off = i;
    if (!s[i]) return DH_MARKUP_END;
    if (s[i] == close && s[i + 1] == close) return DH_MARKUP_STRAY_CLOSE;
    if (!(s[i] == open && s[i + 1] == open)) {
        size_t j = i;
        while (s[j] && !((s[j] == open || s[j] == close) && s[j + 1] == s[j])) j++;
        tok->kind = DH_MARKUP_TEXT;
        tok->text = s + i;
        tok->text_len = tok->len = j - i;
        *pos = j;
        return DH_MARKUP_OK;
    }
    size_t body = i + 2;
    size_t end = find_pair(s, body, close);
    size_t inner = find_pair(s, body, open);
    if (inner < end && syntax == DH_MARKUP_SPANS) {
        tok->off = inner;
        return DH_MARKUP_NESTED;
    }
    if (end == SIZE_MAX) return DH_MARKUP_UNCLOSED;
    tok->len = end + 2 - i;
    const char *b = s + body;
    size_t n = end - body;
    if (syntax == DH_MARKUP_GAPS) {
        int v = 0;
        if (n == 0 || n > 3) return DH_MARKUP_BAD_GAP;
        for (size_t k = 0; k < n; k++) {
            if (b[k] < '0' || b[k] > '9') return DH_MARKUP_BAD_GAP;
            v = v * 10 + (b[k] - '0');
        }
        if (v < 1) return DH_MARKUP_BAD_GAP;
        tok->kind = DH_MARKUP_GAP;
        tok->gap = v;
    } else {
        const char *colon = memchr(b, ':', n);
        if (!colon || colon + 1 == b + n) return DH_MARKUP_NO_TEXT;
        size_t idn = (size_t)(colon - b);
        char id[65];
        if (idn == 0 || idn >= sizeof id) return DH_MARKUP_BAD_ID;
        memcpy(id, b, idn);
        id[idn] = '\0';
        if (!dh_id_valid(id)) return DH_MARKUP_BAD_ID;
        tok->kind = DH_MARKUP_SPAN;
        tok->id = b;
        tok->id_len = idn;
        tok->text = colon + 1;
        tok->text_len = n - idn - 1;
    }
    *pos = end + 2;
    return DH_MARKUP_OK;
}

/* One gap or span found in a translation. */
typedef struct Mark {
    size_t off;     /* where it starts in the string */
    int gap;        /* gaps: choice number */
    const char *id; /* spans: id (not NUL-terminated) */
    size_t id_len;
} Mark;

static bool same_mark(const Mark *a, const Mark *b)
{
    return a->gap == b->gap && a->id_len == b->id_len && (!a->id_len || memcmp(a->id, b->id, a->id_len) == 0);
}

/* "[[2]]" or "{{h1}}" for messages. */
static const char *mark_name(char *buf, size_t size, const Mark *m)
{
    if (m->id)
        snprintf(buf, size, "'%.*s'", (int)m->id_len, m->id);
    else
        snprintf(buf, size, "[[%d]]", m->gap);
    return buf;
}


/* Explain what dh_markup_next found wrong, at its column. */
static void markup_error(dh_LoadCtx *c, const cJSON *e, dh_MarkupSyntax syn, dh_MarkupResult r,
                         const dh_MarkupToken *t)
{
    bool gaps = syn == DH_MARKUP_GAPS;
    int shown = (int)(t->len > 40 ? 40 : t->len);
    const char *at = e->valuestring + t->off;
    if (r == DH_MARKUP_UNCLOSED)
        str_diag(c, DH_ERROR, e, t->off, "'%s' opens a %s that is never closed with '%s'", gaps ? "[[" : "{{",
                 gaps ? "gap" : "span", gaps ? "]]" : "}}");
    else if (r == DH_MARKUP_STRAY_CLOSE)
        str_diag(c, DH_ERROR, e, t->off, "'%s' closes no %s (a '%s' is missing before it)", gaps ? "]]" : "}}",
                 gaps ? "gap" : "span", gaps ? "[[" : "{{");
    else if (r == DH_MARKUP_NESTED)
        str_diag(c, DH_ERROR, e, t->off, "'{{' inside another span; spans cannot be nested (is a '}}' missing?)");
    else if (r == DH_MARKUP_BAD_GAP)
        str_diag(c, DH_ERROR, e, t->off, "'%.*s' is not a gap: write the number of its correct choice, like [[1]]",
                 shown, at);
    else if (r == DH_MARKUP_NO_TEXT)
        str_diag(c, DH_ERROR, e, t->off, "'%.*s' needs an id and the visible text, like {{h1:Click here}}", shown, at);
    else if (r == DH_MARKUP_BAD_ID)
        str_diag(c, DH_ERROR, e, t->off,
                 "'%.*s' does not start with a valid span id (1-64 letters, digits, '.', '_' or '-', then ':')",
                 shown, at);
}

/* Tokenize translation e, reporting malformed markup and duplicates at
 * their column. Returns the number of marks, or -1 after an error. */
static int scan_marks(dh_LoadCtx *c, const cJSON *e, dh_MarkupSyntax syn, Mark *marks)
{
    const char *s = e->valuestring;
    const char *what = syn == DH_MARKUP_GAPS ? "gap" : "span";
    size_t pos = 0;
    int n = 0;
    dh_MarkupToken t;
    for (;;) {
        dh_MarkupResult r = dh_markup_next(s, &pos, syn, &t);
        if (r == DH_MARKUP_END) return n;
        if (r != DH_MARKUP_OK) {
            markup_error(c, e, syn, r, &t);
            return -1;
        }
        if (t.kind == DH_MARKUP_TEXT) continue;
        Mark m = {t.off, t.gap, t.id, t.id_len};
        char name[80];
        for (int k = 0; k < n; k++)
            if (same_mark(&marks[k], &m)) {
                if (syn == DH_MARKUP_GAPS)
                    str_diag(c, DH_ERROR, e, t.off, "gap [[%d]] appears twice; give each gap its own choice (two "
                             "choices may have the same text)", t.gap);
                else
                    str_diag(c, DH_ERROR, e, t.off, "span id %s is used twice in this text",
                             mark_name(name, sizeof name, &m));
                return -1;
            }
        if (n == DH_QUIZ_MAX_ITEMS) {
            str_diag(c, DH_ERROR, e, t.off, "too many %ss (at most %d)", what, DH_QUIZ_MAX_ITEMS);
            return -1;
        }
        marks[n++] = m;
    }
}

/* Check the markup of every translation of text value v. The first
 * translation is the reference: its marks are returned in ref (count, or -1
 * if it is unusable); every other translation must have the same set. */
static int check_marks(dh_LoadCtx *c, const cJSON *v, dh_MarkupSyntax syn, Mark *ref)
{
    const cJSON *first = first_tr(v);
    if (!cJSON_IsString(first)) return -1;
    int nref = scan_marks(c, first, syn, ref);
    Mark other[DH_QUIZ_MAX_ITEMS];
    char name[80];
    const char *what = syn == DH_MARKUP_GAPS ? "gap" : "span";
    for (const cJSON *e = next_tr(v, first); e; e = next_tr(v, e)) {
        if (!cJSON_IsString(e)) continue;
        int n = scan_marks(c, e, syn, other);
        if (n < 0 || nref < 0) continue;
        for (int i = 0; i < nref; i++) {
            bool found = false;
            for (int k = 0; k < n && !found; k++) found = same_mark(&ref[i], &other[k]);
            if (!found)
                DH_LOAD_ERROR(c, e, "the '%s' translation has no %s %s, which the '%s' text has", e->string, what,
                              mark_name(name, sizeof name, &ref[i]), first->string);
        }
        for (int k = 0; k < n; k++) {
            bool found = false;
            for (int i = 0; i < nref && !found; i++) found = same_mark(&ref[i], &other[k]);
            if (!found)
                str_diag(c, DH_ERROR, e, other[k].off, "the '%s' translation has a %s %s that the '%s' text lacks",
                         e->string, what, mark_name(name, sizeof name, &other[k]), first->string);
        }
    }
    return nref;
}

/* ---- settings ------------------------------------------------------------ */

static unsigned review_list(dh_LoadCtx *c, const cJSON *obj, const char *key, unsigned def)
{
    int n;
    const cJSON *a = array_member(c, obj, key, false, 32, &n);
    if (!a) return def;
    unsigned bits = 0;
    int k = 0;
    for (const cJSON *e = a->child; e && k < n; e = e->next, k++) {
        int i = cJSON_IsString(e) ? lookup(e->valuestring, review_names) : -1;
        if (i < 0) {
            List l;
            DH_LOAD_ERROR(c, e, cJSON_IsString(e) ? "unknown review option '%s' (use %s)"
                                                  : "a review option must be a string, not %s (use %s)",
                          cJSON_IsString(e) ? e->valuestring : dh_json_kind(e), list_choices(&l, review_names));
            continue;
        }
        if ((1u << i) == DH_REVIEW_OVERALL_FEEDBACK && strcmp(key, "during") == 0) {
            DH_LOAD_WARN(c, e, "'overall_feedback' can only be shown after an attempt (ignored in 'during')");
            continue;
        }
        bits |= 1u << i;
    }
    return bits;
}

static void parse_settings(dh_LoadCtx *c, const cJSON *root, dh_QuizSettings *s)
{
    static const char *const known[] = {"attempts", "grade_method", "time_limit_s", "pass", "shuffle", "shuffle_answers",
                                        "behaviour", "tries", "penalty", "navigation", "review", NULL};
    static const char *const review_known[] = {"during", "after", NULL};
    /* Moodle's defaults, except that a quiz shows everything after it. */
    static const dh_QuizSettings defaults = {
        .grade_method = DH_GRADE_HIGHEST, .shuffle_answers = true, .behaviour = DH_BEHAVIOUR_DEFERRED,
        .tries = 3, .penalty = 1.0 / 3.0, .navigation = DH_NAVIGATION_FREE,
        .review_during = DH_REVIEW_CORRECTNESS | DH_REVIEW_FEEDBACK | DH_REVIEW_GENERAL_FEEDBACK,
        .review_after = DH_REVIEW_CORRECTNESS | DH_REVIEW_MARKS | DH_REVIEW_FEEDBACK | DH_REVIEW_GENERAL_FEEDBACK |
                        DH_REVIEW_RIGHT_ANSWER | DH_REVIEW_OVERALL_FEEDBACK};
    *s = defaults;

    const cJSON *o = dh_json_get(c->doc, c->diags, root, "settings", DH_JSON_OBJECT, false);
    if (!o) return;
    const dh_Json *j = c->doc;
    dh_json_check_members(j, c->diags, o, known, "the quiz settings");
    s->attempts = (int)dh_json_int(j, c->diags, o, "attempts", 0, 0, 100, false);
    s->grade_method = (dh_GradeMethod)enum_member(c, o, "grade_method", grade_names, DH_GRADE_HIGHEST,
                                                  "grade method");
    const cJSON *tl = member(o, "time_limit_s");
    if (cJSON_IsNumber(tl) && tl->valuedouble < 0)
        DH_LOAD_ERROR(c, tl, "'time_limit_s' must not be negative (0 or no 'time_limit_s' means no time limit)");
    else
        s->time_limit_s = (int)dh_json_int(j, c->diags, o, "time_limit_s", 0, 0, 7 * 86400, false);
    const cJSON *pass = dh_json_get(j, c->diags, o, "pass", DH_JSON_NUMBER, false);
    if (pass) {
        double p = pass->valuedouble;
        if (!isfinite(p) || p < 0 || p > 1)
            DH_LOAD_ERROR(c, pass, "'pass' must be between 0 and 1 (a fraction of the maximum score: 0.8 means "
                                   "80%%), not %g", p);
        else
            s->pass = p;
    }
    s->shuffle = dh_json_bool(j, c->diags, o, "shuffle", false);
    s->shuffle_answers = dh_json_bool(j, c->diags, o, "shuffle_answers", true);
    s->behaviour = (dh_Behaviour)enum_member(c, o, "behaviour", behaviour_names, DH_BEHAVIOUR_DEFERRED,
                                             "behaviour");
    s->tries = (int)dh_json_int(j, c->diags, o, "tries", 3, 1, 10, false);
    s->penalty = dh_json_number(j, c->diags, o, "penalty", 1.0 / 3.0, 0, 1, false);
    if (s->behaviour != DH_BEHAVIOUR_INTERACTIVE) {
        static const char *const inter[] = {"tries", "penalty", NULL};
        for (int i = 0; inter[i]; i++)
            if (member(o, inter[i]))
                dh_json_diag_key(j, c->diags, DH_WARNING, member(o, inter[i]),
                                 "'%s' only applies when 'behaviour' is \"interactive\" (ignored)", inter[i]);
    }
    s->navigation = (dh_Navigation)enum_member(c, o, "navigation", navigation_names, DH_NAVIGATION_FREE,
                                               "navigation");
    const cJSON *rv = dh_json_get(j, c->diags, o, "review", DH_JSON_OBJECT, false);
    if (rv) {
        dh_json_check_members(j, c->diags, rv, review_known, "the review options");
        s->review_during = review_list(c, rv, "during", s->review_during);
        s->review_after = review_list(c, rv, "after", s->review_after);
        if (s->behaviour != DH_BEHAVIOUR_INTERACTIVE && member(rv, "during"))
            dh_json_diag_key(j, c->diags, DH_WARNING, member(rv, "during"),
                             "'during' only applies when 'behaviour' is \"interactive\" (a deferred quiz shows "
                             "nothing until it is submitted)");
    }
}

/* ---- questions: choices, hottext, true/false ----------------------------- */

static void parse_choices(dh_LoadCtx *c, const cJSON *obj, dh_Question *q, const Mark *spans, int nspans)
{
    static const char *const known[] = {"id", "text", "fraction", "feedback", NULL};
    static const char *const hot_known[] = {"id", "fraction", "feedback", NULL};
    bool hot = q->type == DH_QUESTION_HOTTEXT;
    int n;
    const cJSON *arr = array_member(c, obj, "answers", true, DH_QUIZ_MAX_ITEMS, &n);
    if (!arr) return;
    if (n < (hot ? 1 : 2)) {
        if (hot)
            DH_LOAD_ERROR(c, arr, "a hottext question needs answers: the span ids to click, with their fractions");
        else
            DH_LOAD_ERROR(c, arr, "a %s question needs at least 2 answers", type_names[q->type]);
        if (n == 0) return;
    }
    dh_Choice *ch = alloc_n(c, n, sizeof *ch);
    double *fr = alloc_n(c, n, sizeof *fr);
    if (!ch || !fr) return;
    /* Fractions are summed over every answer that has a usable one, even if
     * its id is wrong: that error is reported already and is not about marks. */
    bool fractions_ok = true;
    int k = 0, nf = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!element(c, e, hot ? hot_known : known, hot ? "a hottext answer" : "an answer",
                     hot ? "\"id\" and \"fraction\"" : "\"id\", \"text\" and \"fraction\"")) {
            fractions_ok = false;
            continue;
        }
        dh_Choice *a = &ch[k];
        a->id = element_id(c, arr, e, "answer");
        if (!hot) text_member(c, e, "text", true, &a->text);
        if (fraction_member(c, e, -1, 1, &a->fraction))
            fr[nf++] = a->fraction;
        else
            fractions_ok = false;
        text_member(c, e, "feedback", false, &a->feedback);
        if (!a->id) continue;
        bool found = !hot || nspans < 0;
        for (int s = 0; s < nspans && !found; s++)
            found = strlen(a->id) == spans[s].id_len && memcmp(a->id, spans[s].id, spans[s].id_len) == 0;
        if (!found) {
            List l;
            list_reset(&l);
            for (int s = 0; s < nspans; s++) {
                char id[65];
                snprintf(id, sizeof id, "%.*s", (int)spans[s].id_len, spans[s].id);
                list_add(&l, id);
            }
            DH_LOAD_ERROR(c, member(e, "id"), "answer '%s' names no span of the text (its spans are %s)", a->id,
                          l.s);
            continue;
        }
        k++;
    }
    q->u.choice.choices = ch;
    q->u.choice.nchoices = k;
    if (!fractions_ok) return;
    if (q->type != DH_QUESTION_SINGLE) {
        check_positive_sum(c, arr, fr, nf, "answer");
        return;
    }
    bool full = false;
    for (int a = 0; a < nf; a++) full = full || is_full(fr[a]);
    if (!full)
        DH_LOAD_ERROR(c, arr, "no answer has fraction 1; a single-choice question needs at least one fully correct "
                              "answer");
}

static void parse_choice(dh_LoadCtx *c, const cJSON *obj, dh_Question *q) { parse_choices(c, obj, q, NULL, 0); }

static void parse_hottext(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    Mark spans[DH_QUIZ_MAX_ITEMS];
    int n = check_marks(c, member(obj, "text"), DH_MARKUP_SPANS, spans);
    if (n == 0)
        DH_LOAD_ERROR(c, member(obj, "text"),
                      "a hottext question's text needs clickable spans, written {{id:visible text}}");
    if (n > 0) {
        const char **ids = alloc_n(c, n, sizeof *ids);
        if (!ids) return;
        for (int i = 0; i < n; i++)
            if (!(ids[i] = dh_arena_strndup(c->arena, spans[i].id, spans[i].id_len))) {
                c->oom = true;
                return;
            }
        q->u.choice.spans = ids;
        q->u.choice.nspans = n;
    }
    /* Without usable spans, references cannot be checked: -1 says so. */
    parse_choices(c, obj, q, spans, n <= 0 ? -1 : n);
}

static void parse_truefalse(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    const cJSON *v = dh_json_get(c->doc, c->diags, obj, "correct", DH_JSON_BOOL, true);
    q->u.truefalse.correct = cJSON_IsTrue(v);
    text_member(c, obj, "feedback_true", false, &q->u.truefalse.feedback_true);
    text_member(c, obj, "feedback_false", false, &q->u.truefalse.feedback_false);
}

/* ---- questions: typed answers -------------------------------------------- */

static void parse_short(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    static const char *const known[] = {"pattern", "fraction", "feedback", NULL};
    q->u.shortans.case_sensitive = dh_json_bool(c->doc, c->diags, obj, "case_sensitive", false);
    int n;
    const cJSON *arr = array_member(c, obj, "answers", true, DH_QUIZ_MAX_ITEMS, &n);
    if (!arr) return;
    if (n == 0) {
        DH_LOAD_ERROR(c, arr, "a short-answer question needs at least one accepted answer");
        return;
    }
    dh_ShortAnswer *v = alloc_n(c, n, sizeof *v);
    if (!v) return;
    bool ok = true, full = false;
    int k = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!element(c, e, known, "a short answer", "\"pattern\" and \"fraction\"")) {
            ok = false;
            continue;
        }
        dh_load_text(c, e, "pattern", true, &v[k].pattern);
        if (!fraction_member(c, e, 0, 1, &v[k].fraction)) ok = false;
        text_member(c, e, "feedback", false, &v[k].feedback);
        full = full || is_full(v[k].fraction);
        if (v[k].pattern.count > 0) k++;
    }
    q->u.shortans.answers = v;
    q->u.shortans.nanswers = k;
    if (ok && !full) DH_LOAD_ERROR(c, arr, "no answer has fraction 1; one accepted answer must earn full marks");
}

static void parse_units(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    static const char *const known[] = {"unit", "multiplier", NULL};
    int n;
    const cJSON *arr = array_member(c, obj, "units", false, DH_QUIZ_MAX_ITEMS, &n);
    if (!arr) return;
    dh_Unit *u = alloc_n(c, n, sizeof *u);
    if (!u) return;
    int k = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!element(c, e, known, "a unit", "\"unit\" and \"multiplier\"")) continue;
        const char *name = dh_json_string(c->doc, c->diags, e, "unit", true);
        const cJSON *mv = dh_json_get(c->doc, c->diags, e, "multiplier", DH_JSON_NUMBER, false);
        double mult = 1;
        if (mv) {
            if (!isfinite(mv->valuedouble) || mv->valuedouble <= 0)
                DH_LOAD_ERROR(c, mv, "'multiplier' must be a positive number, not %g", mv->valuedouble);
            else
                mult = mv->valuedouble;
        }
        if (i == 0 && mult != 1)
            DH_LOAD_ERROR(c, mv, "the first unit is the base unit: its 'multiplier' must be 1, not %g", mult);
        if (!name) continue;
        bool dup = false;
        for (int p = 0; p < k && !dup; p++) dup = strcmp(u[p].name, name) == 0;
        if (dup) {
            DH_LOAD_ERROR(c, member(e, "unit"), "unit '%s' is listed twice", name);
            continue;
        }
        u[k].name = dh_load_strdup(c, name);
        u[k].multiplier = mult;
        k++;
    }
    q->u.numeric.units = u;
    q->u.numeric.nunits = k;
}

static void parse_numeric(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    static const char *const known[] = {"value", "tolerance", "fraction", "feedback", NULL};
    int n;
    const cJSON *arr = array_member(c, obj, "answers", true, DH_QUIZ_MAX_ITEMS, &n);
    if (arr && n == 0) DH_LOAD_ERROR(c, arr, "a numeric question needs at least one accepted answer");
    dh_NumericAnswer *v = alloc_n(c, n, sizeof *v);
    if (!v) return;
    bool ok = true, full = false;
    int k = 0, i = 0;
    for (const cJSON *e = arr ? arr->child : NULL; e && i < n; e = e->next, i++) {
        memset(&v[k], 0, sizeof v[k]);
        if (!element(c, e, known, "a numeric answer", "\"value\" and \"fraction\"")) {
            ok = false;
            continue;
        }
        const cJSON *val = dh_json_get(c->doc, c->diags, e, "value", DH_JSON_NUMBER, true);
        if (val && !isfinite(val->valuedouble)) {
            DH_LOAD_ERROR(c, val, "'value' is too large");
            val = NULL;
        }
        const cJSON *tol = dh_json_get(c->doc, c->diags, e, "tolerance", DH_JSON_NUMBER, false);
        if (tol && (!isfinite(tol->valuedouble) || tol->valuedouble < 0))
            DH_LOAD_ERROR(c, tol, "'tolerance' must not be negative (answers within value +- tolerance are accepted)");
        else if (tol)
            v[k].tolerance = tol->valuedouble;
        if (!fraction_member(c, e, 0, 1, &v[k].fraction)) ok = false;
        text_member(c, e, "feedback", false, &v[k].feedback);
        full = full || is_full(v[k].fraction);
        if (!val) continue;
        v[k++].value = val->valuedouble;
    }
    q->u.numeric.answers = v;
    q->u.numeric.nanswers = k;
    if (n > 0 && ok && !full)
        DH_LOAD_ERROR(c, arr, "no answer has fraction 1; one accepted answer must earn full marks");
    parse_units(c, obj, q);
    q->u.numeric.unit_required = dh_json_bool(c->doc, c->diags, obj, "unit_required", false);
    q->u.numeric.unit_penalty = dh_json_number(c->doc, c->diags, obj, "unit_penalty", 0.1, 0, 1, false);
    if (q->u.numeric.unit_required && !member(obj, "units"))
        DH_LOAD_ERROR(c, member(obj, "unit_required"), "'unit_required' needs a list of 'units'");
}

/* ---- questions: matching, ordering, gapselect ---------------------------- */

/* An array of {id, text} objects, at least `min` of them. */
static const dh_Item *parse_items(dh_LoadCtx *c, const cJSON *obj, const char *key, int min, const char *what,
                                  int *count)
{
    static const char *const known[] = {"id", "text", NULL};
    char whatobj[64];
    snprintf(whatobj, sizeof whatobj, "an %s", what);
    *count = 0;
    int n;
    const cJSON *arr = array_member(c, obj, key, true, DH_QUIZ_MAX_ITEMS, &n);
    if (!arr) return NULL;
    if (n < min) DH_LOAD_ERROR(c, arr, "'%s' needs at least %d entries", key, min);
    dh_Item *v = alloc_n(c, n, sizeof *v);
    if (!v) return NULL;
    int k = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!element(c, e, known, whatobj, "\"id\" and \"text\"")) continue;
        v[k].id = element_id(c, arr, e, what);
        text_member(c, e, "text", true, &v[k].text);
        if (!v[k].id) continue;
        /* Two items that read the same cannot be told apart by a trainee. */
        const char *t = v[k].text.count ? v[k].text.items[0].text : NULL;
        for (int p = 0; t && p < k; p++)
            if (v[p].text.count && strcmp(v[p].text.items[0].text, t) == 0) {
                DH_LOAD_ERROR(c, member(e, "text"), "%s '%s' has the same text as '%s'; a trainee could not tell "
                                                    "them apart", what, v[k].id, v[p].id);
                break;
            }
        k++;
    }
    *count = k;
    return v;
}

static void parse_matching(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    static const char *const known[] = {"id", "text", "answer", NULL};
    int na;
    const dh_Item *answers = parse_items(c, obj, "answers", 2, "answer", &na);
    q->u.matching.answers = answers;
    q->u.matching.nanswers = na;
    int n;
    const cJSON *arr = array_member(c, obj, "prompts", true, DH_QUIZ_MAX_ITEMS, &n);
    if (!arr) return;
    if (n < 2) DH_LOAD_ERROR(c, arr, "a matching question needs at least 2 prompts");
    dh_MatchPrompt *v = alloc_n(c, n, sizeof *v);
    if (!v) return;
    int k = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!element(c, e, known, "a prompt", "\"id\", \"text\" and \"answer\"")) continue;
        v[k].id = element_id(c, arr, e, "prompt");
        text_member(c, e, "text", true, &v[k].text);
        const char *ans = dh_json_string(c->doc, c->diags, e, "answer", true);
        v[k].answer = -1;
        for (int a = 0; ans && a < na; a++)
            if (strcmp(answers[a].id, ans) == 0) v[k].answer = a;
        if (ans && v[k].answer < 0 && answers) {
            List l;
            list_reset(&l);
            for (int a = 0; a < na; a++) list_add(&l, answers[a].id);
            DH_LOAD_ERROR(c, member(e, "answer"), "answer '%s' is not one of the answers (%s)", ans, l.s);
        }
        if (v[k].id && v[k].answer >= 0) k++;
    }
    q->u.matching.prompts = v;
    q->u.matching.nprompts = k;
}

static void parse_ordering(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    q->u.ordering.items = parse_items(c, obj, "items", 2, "item", &q->u.ordering.nitems);
    q->u.ordering.grading = (dh_OrderingGrading)enum_member(c, obj, "grading", grading_names,
                                                            DH_ORDERING_ABSOLUTE_POSITION, "ordering grading");
}

static void parse_gapselect(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    static const char *const known[] = {"text", "group", NULL};
    int n;
    const cJSON *arr = array_member(c, obj, "choices", true, DH_QUIZ_MAX_ITEMS, &n);
    if (arr && n < 2) DH_LOAD_ERROR(c, arr, "a gapselect question needs at least 2 choices");
    dh_GapChoice *ch = alloc_n(c, n, sizeof *ch);
    if (!ch) return;
    int i = 0;
    for (const cJSON *e = arr ? arr->child : NULL; e && i < n; e = e->next, i++) {
        ch[i].group = 1;
        if (!element(c, e, known, "a choice", "\"text\" (and \"group\")")) continue;
        text_member(c, e, "text", true, &ch[i].text);
        ch[i].group = (int)dh_json_int(c->doc, c->diags, e, "group", 1, 1, 20, false);
    }
    q->u.gapselect.choices = ch;
    q->u.gapselect.nchoices = n;

    Mark gaps[DH_QUIZ_MAX_ITEMS];
    const cJSON *text = member(obj, "text");
    int ng = check_marks(c, text, DH_MARKUP_GAPS, gaps);
    if (ng == 0) DH_LOAD_ERROR(c, text, "a gapselect question's text needs gaps: [[1]] where choice 1 belongs");
    if (ng <= 0 || !arr) return;
    int *gv = alloc_n(c, ng, sizeof *gv);
    if (!gv) return;
    int k = 0;
    const cJSON *ref = first_tr(text);
    for (int g = 0; g < ng; g++) {
        int choice = gaps[g].gap;
        if (choice > n) {
            str_diag(c, DH_ERROR, ref, gaps[g].off, "gap [[%d]] names choice %d, but there %s only %d choice%s",
                     choice, choice, n == 1 ? "is" : "are", n, n == 1 ? "" : "s");
            continue;
        }
        int same = 0;
        for (int o = 0; o < n; o++) same += ch[o].group == ch[choice - 1].group;
        if (same < 2)
            str_diag(c, DH_WARNING, ref, gaps[g].off, "gap [[%d]] offers a single choice: no other choice is in "
                     "group %d", choice, ch[choice - 1].group);
        gv[k++] = choice - 1;
    }
    q->u.gapselect.gaps = gv;
    q->u.gapselect.ngaps = k;
}

/* ---- questions: hotspot -------------------------------------------------- */

/* Read n numbers of array a into out; false (reported) if a is not that. */
static bool numbers(dh_LoadCtx *c, const cJSON *a, int n, double *out, const char *shape)
{
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) {
        DH_LOAD_ERROR(c, a, "'%s' must be %s", shape,
                      n == 4   ? "[x, y, width, height]"
                      : n == 3 ? "[centre x, centre y, radius]"
                               : "a point [x, y]");
        return false;
    }
    int i = 0;
    for (const cJSON *e = a->child; e; e = e->next) {
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble)) {
            DH_LOAD_ERROR(c, e, "a coordinate must be a number, not %s", dh_json_kind(e));
            return false;
        }
        out[i++] = e->valuedouble;
    }
    return true;
}

static bool parse_shape(dh_LoadCtx *c, const cJSON *e, dh_Region *r, const char *id, int w, int h)
{
    static const char *const shapes[] = {"rect", "circle", "polygon", NULL};
    const cJSON *sv = NULL;
    int found = 0;
    for (int s = 0; shapes[s]; s++)
        if (member(e, shapes[s])) {
            if (found++) {
                DH_LOAD_ERROR(c, member(e, shapes[s]), "region '%s' has more than one shape; keep one of 'rect', "
                                                       "'circle' or 'polygon'", id);
                return false;
            }
            sv = member(e, shapes[s]);
            r->shape = (dh_RegionShape)s;
        }
    if (!sv) {
        DH_LOAD_ERROR(c, e, "region '%s' needs a shape: 'rect' [x, y, w, h], 'circle' [cx, cy, r] or 'polygon' "
                            "[[x, y], ...]", id);
        return false;
    }
    int n = r->shape == DH_REGION_RECT ? 4 : r->shape == DH_REGION_CIRCLE ? 3 : 0;
    if (r->shape == DH_REGION_POLYGON) {
        int np = cJSON_IsArray(sv) ? cJSON_GetArraySize(sv) : 0;
        if (np < 3 || np > DH_QUIZ_MAX_POINTS) {
            DH_LOAD_ERROR(c, sv, "'polygon' must be a list of 3 to %d points [x, y]", DH_QUIZ_MAX_POINTS);
            return false;
        }
        n = 2 * np;
    }
    double *v = alloc_n(c, n, sizeof *v);
    if (!v) return false;
    if (r->shape == DH_REGION_POLYGON) {
        int i = 0;
        for (const cJSON *p = sv->child; p; p = p->next, i += 2)
            if (!numbers(c, p, 2, v + i, "polygon")) return false;
    } else if (!numbers(c, sv, n, v, shapes[r->shape])) {
        return false;
    }
    double x0, y0, x1, y1;
    if (r->shape != DH_REGION_POLYGON) {
        bool rect = r->shape == DH_REGION_RECT;
        if (v[2] <= 0 || (rect && v[3] <= 0)) {
            DH_LOAD_ERROR(c, sv, "region '%s' has no area: %s must be positive", id,
                          rect ? "width and height" : "the radius");
            return false;
        }
        x0 = rect ? v[0] : v[0] - v[2], y0 = rect ? v[1] : v[1] - v[2];
        x1 = v[0] + v[2], y1 = rect ? v[1] + v[3] : v[1] + v[2];
    } else {
        x0 = x1 = v[0], y0 = y1 = v[1];
        for (int i = 2; i < n; i += 2) {
            x0 = fmin(x0, v[i]), x1 = fmax(x1, v[i]);
            y0 = fmin(y0, v[i + 1]), y1 = fmax(y1, v[i + 1]);
        }
        double area = 0; /* twice the signed area (shoelace formula) */
        for (int i = 0; i < n; i += 2) area += v[i] * v[(i + 3) % n] - v[(i + 2) % n] * v[i + 1];
        if (fabs(area) < 1e-9) {
            DH_LOAD_ERROR(c, sv, "region '%s' has no area: its points lie on one line", id);
            return false;
        }
    }
    if (w > 0 && h > 0 && (x0 < 0 || y0 < 0 || x1 > w || y1 > h)) {
        DH_LOAD_ERROR(c, sv, "region '%s' reaches outside the image: it spans x %g..%g, y %g..%g, but the image's "
                             "coordinates run from 0,0 to %d,%d ('width' and 'height')", id, x0, x1, y0, y1, w, h);
        return false;
    }
    r->coords = v;
    r->ncoords = n;
    return true;
}

static void parse_hotspot(dh_LoadCtx *c, const cJSON *obj, dh_Question *q)
{
    static const char *const known[] = {"id", "rect", "circle", "polygon", "fraction", "feedback", NULL};
    const dh_Json *j = c->doc;
    int w = (int)dh_json_int(j, c->diags, obj, "width", 0, 1, 10000, true);
    int h = (int)dh_json_int(j, c->diags, obj, "height", 0, 1, 10000, true);
    q->u.hotspot.width = w;
    q->u.hotspot.height = h;
    int n;
    const cJSON *arr = array_member(c, obj, "regions", true, DH_QUIZ_MAX_ITEMS, &n);
    if (arr && n == 0) DH_LOAD_ERROR(c, arr, "a hotspot question needs at least one region");
    dh_Region *v = alloc_n(c, n, sizeof *v);
    double *fr = alloc_n(c, n, sizeof *fr);
    if (!v || !fr) return;
    /* As for choices, a region's fraction counts even if its shape is wrong. */
    bool ok = true;
    int k = 0, i = 0, nf = 0, positive = 0;
    for (const cJSON *e = arr ? arr->child : NULL; e && i < n; e = e->next, i++) {
        if (!element(c, e, known, "a region", "\"id\", a shape and \"fraction\"")) {
            ok = false;
            continue;
        }
        dh_Region *r = &v[k];
        r->id = element_id(c, arr, e, "region");
        if (fraction_member(c, e, -1, 1, &r->fraction)) {
            fr[nf++] = r->fraction;
            positive += r->fraction > 0;
        } else {
            ok = false;
        }
        text_member(c, e, "feedback", false, &r->feedback);
        if (parse_shape(c, e, r, r->id ? r->id : "?", w, h) && r->id) k++;
    }
    q->u.hotspot.regions = v;
    q->u.hotspot.nregions = k;
    if (ok && n > 0) check_positive_sum(c, arr, fr, nf, "region");
    q->u.hotspot.max_clicks = positive > 0 ? positive : 1;
    const cJSON *mc = member(obj, "max_clicks");
    long m = dh_json_int(j, c->diags, obj, "max_clicks", -1, 1, DH_QUIZ_MAX_ITEMS, false);
    if (m > 0) {
        q->u.hotspot.max_clicks = (int)m;
        if (ok && m < positive)
            DH_LOAD_ERROR(c, mc, "'max_clicks' is %ld but %d regions carry marks: full marks would be impossible",
                          m, positive);
    }
}

/* ---- questions ----------------------------------------------------------- */

static void parse_tags(dh_LoadCtx *c, const cJSON *obj, const char *const **tags, int *ntags)
{
    int n;
    const cJSON *arr = array_member(c, obj, "tags", false, DH_QUIZ_MAX_TAGS, &n);
    *tags = NULL;
    *ntags = 0;
    if (!arr) return;
    const char **v = alloc_n(c, n, sizeof *v);
    if (!v) return;
    int k = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!cJSON_IsString(e) || !dh_id_valid(e->valuestring)) {
            DH_LOAD_ERROR(c, e, cJSON_IsString(e) ? "'%s' is not a valid tag (1-64 letters, digits, '.', '_' or '-', "
                                                  "starting with a letter or digit)"
                                                : "a tag must be a string, not %s",
                          cJSON_IsString(e) ? e->valuestring : dh_json_kind(e));
            continue;
        }
        v[k] = dh_load_strdup(c, e->valuestring);
        if (!v[k]) return;
        k++;
    }
    *tags = v;
    *ntags = k;
}

static void parse_hints(dh_LoadCtx *c, const cJSON *obj, dh_Question *q, const dh_QuizSettings *s)
{
    int n;
    const cJSON *arr = array_member(c, obj, "hints", false, DH_QUIZ_MAX_HINTS, &n);
    if (!arr) return;
    dh_Text *v = alloc_n(c, n, sizeof *v);
    if (!v) return;
    int k = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!dh_load_text_value(c, e, "a hint", &v[k])) continue;
        check_inline(c, e);
        k++;
    }
    q->hints = v;
    q->nhints = k;
    if (s->behaviour != DH_BEHAVIOUR_INTERACTIVE)
        dh_json_diag_key(c->doc, c->diags, DH_WARNING, arr,
                         "hints are only shown when the quiz's 'behaviour' is \"interactive\" (ignored)");
    else if (k > s->tries - 1)
        dh_json_diag_key(c->doc, c->diags, DH_WARNING, arr,
                         "%d hints but %d tries: only the first %d can ever be shown (a hint follows each wrong "
                         "try but the last)", k, s->tries, s->tries - 1);
}

static const char *const common_members[] = {"id", "type", "text", "image", "alt", "tags", "points",
                                             "general_feedback", "hints", "penalty", NULL};

/* The members a question of type t may have: common ones plus its own. */
static void known_members(dh_QuestionType t, const char **out)
{
    static const char *const own[][5] = {
        [DH_QUESTION_SINGLE] = {"answers", "shuffle_answers"},
        [DH_QUESTION_MULTIPLE] = {"answers", "shuffle_answers"},
        [DH_QUESTION_TRUEFALSE] = {"correct", "feedback_true", "feedback_false"},
        [DH_QUESTION_SHORT] = {"answers", "case_sensitive"},
        [DH_QUESTION_NUMERIC] = {"answers", "units", "unit_required", "unit_penalty"},
        [DH_QUESTION_MATCHING] = {"prompts", "answers", "shuffle_answers"},
        [DH_QUESTION_ORDERING] = {"items", "grading"},
        [DH_QUESTION_GAPSELECT] = {"choices", "shuffle_answers"},
        [DH_QUESTION_HOTTEXT] = {"answers"},
        [DH_QUESTION_HOTSPOT] = {"width", "height", "regions", "max_clicks"},
        [DH_QUESTION_DESCRIPTION] = {NULL},
    };
    int n = 0;
    for (int i = 0; common_members[i]; i++) {
        /* A description is not scored: no tags, points, feedback or hints. */
        if (t == DH_QUESTION_DESCRIPTION && i >= 5) break;
        out[n++] = common_members[i];
    }
    for (int i = 0; i < 5 && own[t][i]; i++) out[n++] = own[t][i];
    out[n] = NULL;
}

/* Parse question obj into q. False if it has no usable id or type (then it
 * is left out of the model). */
static bool parse_question(dh_LoadCtx *c, const cJSON *arr, const cJSON *obj, dh_Question *q,
                           const dh_QuizSettings *s)
{
    const dh_Json *j = c->doc;
    if (!cJSON_IsObject(obj)) {
        DH_LOAD_ERROR(c, obj, "a question must be an object with \"id\", \"type\" and \"text\", not %s",
                      dh_json_kind(obj));
        return false;
    }
    q->id = element_id(c, arr, obj, "question");
    const char *type = dh_json_string(j, c->diags, obj, "type", true);
    int t = type ? lookup(type, type_names) : -1;
    if (type && t < 0) {
        List l;
        DH_LOAD_ERROR(c, member(obj, "type"), "unknown question type '%s' (use %s)", type,
                      list_choices(&l, type_names));
    }
    if (t < 0) return false;
    q->type = (dh_QuestionType)t;
    const char *known[24];
    char what[64];
    known_members(q->type, known);
    snprintf(what, sizeof what, "a question of type '%s'", type);
    dh_json_check_members(j, c->diags, obj, known, what);

    text_member(c, obj, "text", true, &q->text);
    q->image = dh_load_asset(c, obj, "image", q->type == DH_QUESTION_HOTSPOT, DH_ASSET_IMAGE);
    if (member(obj, "image") && !member(obj, "alt"))
        DH_LOAD_ERROR(c, obj, "an image needs 'alt': a description for trainees who cannot see it");
    else
        dh_load_text(c, obj, "alt", false, &q->alt);
    q->shuffle_answers = dh_json_bool(j, c->diags, obj, "shuffle_answers", true);
    q->penalty = -1;
    if (q->type == DH_QUESTION_DESCRIPTION) {
        q->points = 0;
        return q->id != NULL;
    }
    parse_tags(c, obj, &q->tags, &q->ntags);
    q->points = dh_json_number(j, c->diags, obj, "points", 1, 0, 1000, false);
    text_member(c, obj, "general_feedback", false, &q->general_feedback);
    parse_hints(c, obj, q, s);
    q->penalty = dh_json_number(j, c->diags, obj, "penalty", -1, 0, 1, false);

    static void (*const parse_type[])(dh_LoadCtx *, const cJSON *, dh_Question *) = {
        parse_choice, parse_choice, parse_truefalse, parse_short, parse_numeric, parse_matching,
        parse_ordering, parse_gapselect, parse_hottext, parse_hotspot};
    parse_type[q->type](c, obj, q);
    return q->id != NULL;
}

/* ---- sections and draws -------------------------------------------------- */

/* Everything section checks need about the questions. */
typedef struct Pools {
    const dh_Question *qs;
    int nq;
    const cJSON *const *qnode; /* each question's JSON object */
    int *fixed_in;             /* 1-based section of a fixed question, 0 if none */
    bool *drawable;            /* in some draw's pool */
} Pools;

/* True if q has every one of the tags. */
static bool has_tags(const dh_Question *q, const char *const *tags, int ntags)
{
    for (int i = 0; i < ntags; i++) {
        int k = 0;
        while (k < q->ntags && strcmp(q->tags[k], tags[i]) != 0) k++;
        if (k == q->ntags) return false;
    }
    return true;
}

/* True if id names a question the file has but the model left out (its own
 * errors were reported), so that references to it are not errors again. */
static bool dropped_question(const cJSON *qarr, const char *id)
{
    for (const cJSON *e = qarr ? qarr->child : NULL; e; e = e->next) {
        const cJSON *v = member(e, "id");
        if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0) return true;
    }
    return false;
}

static void parse_fixed(dh_LoadCtx *c, const cJSON *list, dh_QuizSection *sec, int si, Pools *p,
                        const cJSON *qarr)
{
    int n;
    const cJSON *arr = array_member(c, list, "questions", true, DH_QUIZ_MAX_QUESTIONS, &n);
    if (!arr) return;
    if (n == 0) DH_LOAD_ERROR(c, arr, "a section needs at least one question");
    int *v = alloc_n(c, n, sizeof *v);
    if (!v) return;
    int k = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            DH_LOAD_ERROR(c, e, "a section's questions are question ids (strings), not %s", dh_json_kind(e));
            continue;
        }
        int qi = -1;
        for (int q = 0; q < p->nq && qi < 0; q++)
            if (strcmp(p->qs[q].id, e->valuestring) == 0) qi = q;
        if (qi < 0) {
            if (dropped_question(qarr, e->valuestring)) continue;
            List l;
            list_reset(&l);
            for (int q = 0; q < p->nq; q++) list_add(&l, p->qs[q].id);
            DH_LOAD_ERROR(c, e, "unknown question '%s' (the quiz's questions are %s)", e->valuestring,
                          p->nq ? l.s : "none");
            continue;
        }
        if (p->fixed_in[qi]) {
            char where[32] = "this section";
            if (p->fixed_in[qi] != si + 1) snprintf(where, sizeof where, "section %d", p->fixed_in[qi]);
            DH_LOAD_ERROR(c, e, "question '%s' is already in %s; a question is asked at most once per attempt",
                          e->valuestring, where);
            continue;
        }
        p->fixed_in[qi] = si + 1;
        v[k++] = qi;
    }
    sec->questions = v;
    sec->nquestions = k;
}

/* Parse a draw's tags and count (the pool is computed once every fixed
 * section is known). */
static void parse_draw(dh_LoadCtx *c, const cJSON *draw, dh_QuizSection *sec, const Pools *p)
{
    static const char *const known[] = {"tags", "count", NULL};
    dh_json_check_members(c->doc, c->diags, draw, known, "a draw");
    sec->draw = true;
    parse_tags(c, draw, &sec->tags, &sec->ntags);
    sec->count = (int)dh_json_int(c->doc, c->diags, draw, "count", 0, 1, DH_QUIZ_MAX_QUESTIONS, true);
    /* A tag no question carries is a typo more often than not. */
    const cJSON *tags = member(draw, "tags");
    for (const cJSON *e = cJSON_IsArray(tags) ? tags->child : NULL; e; e = e->next) {
        if (!cJSON_IsString(e) || !dh_id_valid(e->valuestring)) continue;
        bool used = false;
        for (int q = 0; q < p->nq && !used; q++) used = has_tags(&p->qs[q], (const char *const *)&e->valuestring, 1);
        if (!used) DH_LOAD_ERROR(c, e, "no question has the tag '%s'", e->valuestring);
    }
}

static void build_pool(dh_LoadCtx *c, const cJSON *draw, dh_QuizSection *sec, Pools *p)
{
    int *v = alloc_n(c, p->nq, sizeof *v);
    if (!v) return;
    int n = 0, tagged = 0, fixed = 0;
    for (int q = 0; q < p->nq; q++) {
        const dh_Question *qq = &p->qs[q];
        if (qq->type == DH_QUESTION_DESCRIPTION || !has_tags(qq, sec->tags, sec->ntags)) continue;
        tagged++;
        if (p->fixed_in[q]) {
            fixed++;
            continue;
        }
        v[n++] = q;
        p->drawable[q] = true;
    }
    sec->pool = v;
    sec->npool = n;
    const cJSON *count = member(draw, "count");
    if (sec->count <= 0 || n >= sec->count) return;
    List tl, ql;
    list_reset(&tl);
    list_reset(&ql);
    for (int i = 0; i < n; i++) list_add(&ql, p->qs[v[i]].id);
    if (tagged == 0) {
        /* Single unknown tags were reported by parse_draw. */
        for (int i = 0; i < sec->ntags; i++) {
            char t[70];
            snprintf(t, sizeof t, "'%s'", sec->tags[i]);
            list_add(&tl, t);
        }
        if (sec->ntags > 1)
            DH_LOAD_ERROR(c, count, "no question has all of the tags %s (a drawn question must have every tag "
                                    "listed)", tl.s);
        else if (sec->ntags == 0)
            DH_LOAD_ERROR(c, count, "this draw has no questions to draw from");
    } else if (n == 0) {
        DH_LOAD_ERROR(c, count, "every question the draw's tags match is already in a fixed section, so the "
                                "draw has nothing left (a question is asked at most once per attempt)");
    } else if (fixed > 0) {
        DH_LOAD_ERROR(c, count, "this draw needs %d questions but only %d match and are not in a fixed section "
                                "(%s)", sec->count, n, ql.s);
    } else {
        DH_LOAD_ERROR(c, count, "this draw needs %d questions but only %d match (%s)", sec->count, n, ql.s);
    }
}

/* Kuhn's augmenting path for draws with capacities: find draw s one more
 * question, moving questions between draws when that frees one up. */
static bool augment(const dh_QuizSection *secs, int s, int *owner, bool *seen)
{
    const dh_QuizSection *sec = &secs[s];
    seen[s] = true;
    for (int i = 0; i < sec->npool; i++)
        if (owner[sec->pool[i]] < 0) {
            owner[sec->pool[i]] = s;
            return true;
        }
    for (int i = 0; i < sec->npool; i++) {
        int t = owner[sec->pool[i]];
        if (t != s && !seen[t] && augment(secs, t, owner, seen)) {
            owner[sec->pool[i]] = s;
            return true;
        }
    }
    return false;
}

/* Draws that share questions may each be satisfiable alone and impossible
 * together; the engine must never meet that, so check it here. */
static void check_draws(dh_LoadCtx *c, const dh_QuizSection *secs, int ns, const cJSON *const *count_at, int nq)
{
    int *owner = alloc_n(c, nq, sizeof *owner);
    bool *seen = alloc_n(c, ns, sizeof *seen);
    bool *in = alloc_n(c, nq, sizeof *in);
    if (!owner || !seen || !in) return;
    for (int q = 0; q < nq; q++) owner[q] = -1;
    for (int s = 0; s < ns; s++) {
        if (!secs[s].draw || secs[s].npool < secs[s].count) continue;
        for (int k = 0; k < secs[s].count; k++) {
            memset(seen, 0, (size_t)ns * sizeof *seen);
            if (augment(secs, s, owner, seen)) continue;
            /* The draws seen form the bottleneck: together they need more
             * than their pools hold. */
            List l;
            list_reset(&l);
            int need = 0, have = 0;
            memset(in, 0, (size_t)nq * sizeof *in);
            for (int t = 0; t < ns; t++) {
                if (!seen[t]) continue;
                char num[16];
                snprintf(num, sizeof num, "%d", t + 1);
                list_add(&l, num);
                need += secs[t].count;
                for (int i = 0; i < secs[t].npool; i++) {
                    have += !in[secs[t].pool[i]];
                    in[secs[t].pool[i]] = true;
                }
            }
            DH_LOAD_ERROR(c, count_at[s], "the draws of sections %s share their questions: together they need %d "
                                          "different questions but only %d match them", l.s, need, have);
            return;
        }
    }
}

static void parse_sections(dh_LoadCtx *c, const cJSON *root, dh_Quiz *qz, Pools *p, const cJSON *qarr)
{
    static const char *const known[] = {"title", "questions", "draw", "shuffle", NULL};
    const dh_Json *j = c->doc;
    int n;
    const cJSON *arr = array_member(c, root, "sections", false, DH_QUIZ_MAX_SECTIONS, &n);
    if (!arr) {
        if (member(root, "sections")) return; /* wrong type, reported */
        /* No sections: every question, in file order. */
        dh_QuizSection *sec = alloc_n(c, 1, sizeof *sec);
        int *v = alloc_n(c, p->nq, sizeof *v);
        if (!sec || !v) return;
        for (int q = 0; q < p->nq; q++) v[q] = q;
        *sec = (dh_QuizSection){.shuffle = qz->settings.shuffle, .questions = v, .nquestions = p->nq};
        qz->sections = sec;
        qz->nsections = 1;
        qz->slots = p->nq;
        return;
    }
    if (n == 0) {
        DH_LOAD_ERROR(c, arr, "'sections' is empty; list at least one section, or leave 'sections' out to ask "
                              "every question in order");
        return;
    }
    dh_QuizSection *secs = alloc_n(c, n, sizeof *secs);
    const cJSON **draw_at = alloc_n(c, n, sizeof *draw_at);
    const cJSON **count_at = alloc_n(c, n, sizeof *count_at);
    if (!secs || !draw_at || !count_at) return;
    int i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        dh_QuizSection *sec = &secs[i];
        sec->shuffle = qz->settings.shuffle;
        if (!element(c, e, known, "a section", "\"questions\" or \"draw\"")) continue;
        text_member(c, e, "title", false, &sec->title);
        sec->shuffle = dh_json_bool(j, c->diags, e, "shuffle", qz->settings.shuffle);
        bool has_q = member(e, "questions") != NULL, has_d = member(e, "draw") != NULL;
        if (has_q && has_d) {
            DH_LOAD_ERROR(c, e, "a section has either 'questions' or 'draw', not both; make two sections");
        } else if (has_q) {
            parse_fixed(c, e, sec, i, p, qarr);
        } else if (has_d) {
            const cJSON *d = dh_json_get(j, c->diags, e, "draw", DH_JSON_OBJECT, true);
            if (d) {
                parse_draw(c, d, sec, p);
                draw_at[i] = d;
                count_at[i] = member(d, "count") ? member(d, "count") : d;
            }
        } else {
            DH_LOAD_ERROR(c, e, "a section needs 'questions' (a list of question ids) or 'draw' ({\"tags\": [...], "
                                "\"count\": N})");
        }
        if (c->oom) return;
    }
    /* Pools exclude every fixed question, wherever its section is. */
    for (i = 0; i < n; i++) {
        if (!draw_at[i]) continue;
        build_pool(c, draw_at[i], &secs[i], p);
        if (c->oom) return;
    }
    check_draws(c, secs, n, count_at, p->nq);
    qz->sections = secs;
    qz->nsections = n;
    for (i = 0; i < n; i++) qz->slots += secs[i].draw ? secs[i].count : secs[i].nquestions;
    for (int q = 0; q < p->nq; q++)
        if (!p->fixed_in[q] && !p->drawable[q])
            DH_LOAD_WARN(c, member(p->qnode[q], "id"), "question '%s' is never asked: no section lists it and no "
                                                       "draw's tags match it", p->qs[q].id);
}

/* ---- overall feedback ---------------------------------------------------- */

static void parse_feedback(dh_LoadCtx *c, const cJSON *root, dh_Quiz *qz)
{
    static const char *const known[] = {"min", "text", NULL};
    int n;
    const cJSON *arr = array_member(c, root, "overall_feedback", false, DH_QUIZ_MAX_ITEMS, &n);
    if (!arr) return;
    dh_FeedbackBand *v = alloc_n(c, n, sizeof *v);
    if (!v) return;
    int k = 0, i = 0;
    for (const cJSON *e = arr->child; e && i < n; e = e->next, i++) {
        if (!element(c, e, known, "a feedback band", "\"min\" and \"text\"")) continue;
        const cJSON *mv = dh_json_get(c->doc, c->diags, e, "min", DH_JSON_NUMBER, true);
        dh_Text t;
        bool tok = text_member(c, e, "text", true, &t);
        if (!mv) continue;
        double m = mv->valuedouble;
        if (!isfinite(m) || m < 0 || m > 1) {
            DH_LOAD_ERROR(c, mv, "'min' must be between 0 and 1 (a fraction of the maximum score), not %g", m);
            continue;
        }
        bool dup = false;
        for (int p = 0; p < k && !dup; p++) dup = v[p].min == m;
        if (dup) {
            DH_LOAD_ERROR(c, mv, "another feedback band already starts at %g", m);
            continue;
        }
        if (!tok) continue;
        /* Insert keeping the highest band first. */
        int at = k++;
        for (; at > 0 && v[at - 1].min < m; at--) v[at] = v[at - 1];
        v[at] = (dh_FeedbackBand){m, t};
    }
    qz->feedback = v;
    qz->nfeedback = k;
}

/* ---- the quiz ------------------------------------------------------------ */

dh_Status dh_quiz_parse(dh_LoadCtx *c, const cJSON *root, dh_Quiz **out)
{
    static const char *const known[] = {"title", "intro", "settings", "sections", "questions", "overall_feedback", NULL};
    *out = NULL;
    if (!cJSON_IsObject(root)) {
        DH_LOAD_ERROR(c, root, "a quiz file must hold an object with \"questions\", not %s", dh_json_kind(root));
        return DH_OK;
    }
    dh_Quiz *qz = alloc_n(c, 1, sizeof *qz);
    if (!qz) return DH_ENOMEM;
    dh_json_check_members(c->doc, c->diags, root, known, "a quiz");
    text_member(c, root, "title", false, &qz->title);
    text_member(c, root, "intro", false, &qz->intro);
    parse_settings(c, root, &qz->settings);

    int n;
    const cJSON *qarr = array_member(c, root, "questions", true, DH_QUIZ_MAX_QUESTIONS, &n);
    if (qarr && n == 0) DH_LOAD_ERROR(c, qarr, "a quiz needs at least one question");
    dh_Question *qs = alloc_n(c, n, sizeof *qs);
    const cJSON **qnode = alloc_n(c, n, sizeof *qnode);
    if (!qs || !qnode) return DH_ENOMEM;
    int k = 0, i = 0;
    for (const cJSON *e = qarr ? qarr->child : NULL; e && i < n; e = e->next, i++) {
        memset(&qs[k], 0, sizeof qs[k]);
        bool ok = parse_question(c, qarr, e, &qs[k], &qz->settings);
        if (c->oom) return DH_ENOMEM;
        if (ok) qnode[k++] = e;
    }
    qz->questions = qs;
    qz->nquestions = k;

    Pools p = {qs, k, qnode, alloc_n(c, k, sizeof(int)), alloc_n(c, k, sizeof(bool))};
    if (!p.fixed_in || !p.drawable) return DH_ENOMEM;
    parse_sections(c, root, qz, &p, qarr);
    if (c->oom) return DH_ENOMEM;
    parse_feedback(c, root, qz);
    if (c->oom) return DH_ENOMEM;

    int scored = 0;
    for (int s = 0; s < qz->nsections; s++) {
        const dh_QuizSection *sec = &qz->sections[s];
        scored += sec->draw ? sec->count : 0;
        for (int q = 0; q < sec->nquestions; q++) scored += qs[sec->questions[q]].type != DH_QUESTION_DESCRIPTION;
    }
    if (n > 0 && k == n && qz->nsections > 0 && !scored)
        DH_LOAD_ERROR(c, qarr, "the quiz asks no scored question (only descriptions)");
    *out = qz;
    return c->oom ? DH_ENOMEM : DH_OK;
}
