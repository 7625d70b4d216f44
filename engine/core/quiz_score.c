/* quiz_score: Moodle's scoring rules, one question type at a time.
 *
 * Everything here is a pure function of the question model and a response,
 * so the attempt machinery, the fuzz target and the tests share one truth.
 * Each rule cites the Moodle behaviour it copies (qtype_multichoice,
 * qtype_shortanswer, qtype_numerical, qtype_match, qtype_ordering,
 * qtype_gapselect); where FORMAT.md and Moodle differ, FORMAT.md (the
 * contract with instructors) is followed and the difference is noted.
 * Responses are validated by dh_quiz_response_check before they are scored,
 * so the scorers trust indices but never trust numbers to be small.
 */
#include "quiz_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#define FRACTION_EPS 1e-6 /* Moodle's question_state::graded_state_for_fraction */
#define PATTERN_MAX 2048  /* UTF-16 units of a short-answer pattern we match */

static double clamp01(double f) { return f < 0 ? 0 : f > 1 ? 1 : f; }

dh_QuestionState dh_quiz_state_for(double fraction)
{
    if (fraction < FRACTION_EPS) return DH_QSTATE_WRONG;
    if (fraction > 1 - FRACTION_EPS) return DH_QSTATE_RIGHT;
    return DH_QSTATE_PARTIAL;
}

double dh_quiz_penalized(double fraction, double penalty, int try_number)
{
    double f = fraction - penalty * (try_number > 1 ? try_number - 1 : 0);
    return f < 0 ? 0 : f;
}

double dh_quiz_question_penalty(const dh_Quiz *quiz, const dh_Question *q)
{
    return q->penalty >= 0 ? q->penalty : quiz->settings.penalty;
}

/* ---- validation ------------------------------------------------------------ */

static int item_limit(const dh_Question *q)
{
    switch (q->type) {
    case DH_QUESTION_SINGLE:
    case DH_QUESTION_MULTIPLE: return q->u.choice.nchoices;
    case DH_QUESTION_HOTTEXT: return q->u.choice.nspans;
    case DH_QUESTION_ORDERING: return q->u.ordering.nitems;
    case DH_QUESTION_MATCHING: return q->u.matching.nanswers;
    case DH_QUESTION_GAPSELECT: return q->u.gapselect.nchoices;
    default: return 0;
    }
}

dh_Status dh_quiz_response_check(const dh_Question *q, const dh_QuizResponse *r, dh_Error *err)
{
    if (r->type != q->type)
        return dh_fail(err, DH_EINVAL, "a %s response was given to %s question '%s'",
                       dh_question_type_name(r->type), dh_question_type_name(q->type), q->id);
    int lim = item_limit(q);
    if (r->nitems < 0 || r->nitems > DH_QUIZ_MAX_ITEMS || (r->nitems > 0 && !r->items))
        return dh_fail(err, DH_EINVAL, "question '%s': the response has a bad number of items", q->id);
    bool seen[DH_QUIZ_MAX_ITEMS] = {false};
    switch (q->type) {
    case DH_QUESTION_SINGLE:
    case DH_QUESTION_MULTIPLE:
    case DH_QUESTION_HOTTEXT:
    case DH_QUESTION_ORDERING:
        if (q->type == DH_QUESTION_SINGLE && r->nitems > 1)
            return dh_fail(err, DH_EINVAL, "question '%s' takes one choice, not %d", q->id, r->nitems);
        if (q->type == DH_QUESTION_ORDERING && r->nitems != lim)
            return dh_fail(err, DH_EINVAL, "question '%s': an order must hold all %d items", q->id, lim);
        for (int i = 0; i < r->nitems; i++) {
            int v = r->items[i];
            if (v < 0 || v >= lim || seen[v])
                return dh_fail(err, DH_EINVAL, "question '%s': item %d of the response is out of range or repeated",
                               q->id, i + 1);
            seen[v] = true;
        }
        break;
    case DH_QUESTION_MATCHING:
    case DH_QUESTION_GAPSELECT: {
        int want = q->type == DH_QUESTION_MATCHING ? q->u.matching.nprompts : q->u.gapselect.ngaps;
        if (r->nitems != want)
            return dh_fail(err, DH_EINVAL, "question '%s': the response must have %d entries, not %d", q->id,
                           want, r->nitems);
        for (int i = 0; i < r->nitems; i++) {
            int v = r->items[i];
            if (v < -1 || v >= lim)
                return dh_fail(err, DH_EINVAL, "question '%s': entry %d of the response is out of range", q->id, i + 1);
            /* A gap offers only the choices of its correct choice's group. */
            if (v >= 0 && q->type == DH_QUESTION_GAPSELECT &&
                q->u.gapselect.choices[v].group != q->u.gapselect.choices[q->u.gapselect.gaps[i]].group)
                return dh_fail(err, DH_EINVAL, "question '%s': gap %d does not offer choice %d", q->id, i + 1, v + 1);
        }
        break;
    }
    case DH_QUESTION_SHORT:
        if (!r->text || strlen(r->text) > DH_QUIZ_MAX_TEXT)
            return dh_fail(err, DH_EINVAL, "question '%s': the typed answer is missing or longer than %d bytes",
                           q->id, DH_QUIZ_MAX_TEXT);
        break;
    case DH_QUESTION_NUMERIC:
        if (r->has_number && !isfinite(r->number))
            return dh_fail(err, DH_EINVAL, "question '%s': the number is not finite", q->id);
        if (r->unit < -1 || r->unit >= q->u.numeric.nunits)
            return dh_fail(err, DH_EINVAL, "question '%s': unit %d does not exist", q->id, r->unit);
        break;
    case DH_QUESTION_HOTSPOT:
        if (r->nclicks < 0 || r->nclicks > q->u.hotspot.max_clicks || (r->nclicks > 0 && !r->clicks))
            return dh_fail(err, DH_EINVAL, "question '%s': at most %d markers may be placed", q->id,
                           q->u.hotspot.max_clicks);
        for (int i = 0; i < r->nclicks; i++) {
            double x = r->clicks[2 * i], y = r->clicks[2 * i + 1];
            if (!(x >= 0 && x <= q->u.hotspot.width && y >= 0 && y <= q->u.hotspot.height))
                return dh_fail(err, DH_EINVAL, "question '%s': marker %d lies outside the image", q->id, i + 1);
        }
        break;
    case DH_QUESTION_TRUEFALSE: break;
    case DH_QUESTION_DESCRIPTION:
        return dh_fail(err, DH_EINVAL, "description '%s' takes no answer", q->id);
    }
    return DH_OK;
}

/* ---- short answer ---------------------------------------------------------- */

static bool is_space(UChar c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* UTF-8 to UTF-16, case-folded unless case matters. -1 if it does not fit. */
static int32_t to_units(const char *s, int32_t len, bool fold, UChar *out, int32_t cap)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = 0;
    u_strFromUTF8WithSub(out, cap, &n, s, len, 0xFFFD, NULL, &e);
    if (U_FAILURE(e) || n >= cap) return -1;
    if (!fold) return n;
    UChar tmp[PATTERN_MAX];
    if (n >= PATTERN_MAX) return -1;
    memcpy(tmp, out, (size_t)n * sizeof *tmp);
    e = U_ZERO_ERROR;
    int32_t m = u_strFoldCase(out, cap, tmp, n, U_FOLD_CASE_DEFAULT, &e);
    if (U_FAILURE(e) || m >= cap) return -1;
    return m;
}

/* Whole-string match of s against pattern p, where p[i] < 0 is '*'
 * (any run, also empty). Greedy with backtracking to the last star: linear
 * in practice, O(n*m) at worst, and n, m are bounded. */
static bool wildcard(const int32_t *p, int32_t np, const UChar *s, int32_t ns)
{
    int32_t i = 0, j = 0, star = -1, mark = 0;
    while (j < ns) {
        if (i < np && p[i] >= 0 && p[i] == s[j]) {
            i++, j++;
        } else if (i < np && p[i] < 0) {
            star = i++, mark = j;
        } else if (star >= 0) {
            i = star + 1, j = ++mark;
        } else {
            return false;
        }
    }
    while (i < np && p[i] < 0) i++;
    return i == np;
}

/* Moodle's compare_string_with_wildcard: '*' any run, '\*' a literal star. */
static bool short_match(const char *pattern, const UChar *s, int32_t ns, bool fold)
{
    UChar units[PATTERN_MAX];
    int32_t p[PATTERN_MAX];
    int32_t n = to_units(pattern, -1, fold, units, PATTERN_MAX);
    if (n < 0) return false; /* a pattern this long cannot be typed anyway */
    int32_t np = 0;
    for (int32_t i = 0; i < n; i++) {
        if (units[i] == '\\' && i + 1 < n && units[i + 1] == '*') p[np++] = '*', i++;
        else if (units[i] == '*') p[np++] = -1;
        else p[np++] = units[i];
    }
    return wildcard(p, np, s, ns);
}

static size_t bounded_len(const char *s)
{
    size_t n = 0;
    while (n <= DH_QUIZ_MAX_TEXT && s[n]) n++;
    return n;
}

/* Index of the first short answer matching text, or -1. */
static int short_answer(const dh_Question *q, const char *text, const char *lang)
{
    UChar s[DH_QUIZ_MAX_TEXT + 1];
    bool fold = !q->u.shortans.case_sensitive;
    if (!text) return -1;
    int32_t n = to_units(text, (int32_t)bounded_len(text), fold, s, DH_QUIZ_MAX_TEXT + 1);
    if (n < 0) return -1;
    int32_t a = 0;
    while (a < n && is_space(s[a])) a++;
    while (n > a && is_space(s[n - 1])) n--;
    if (n == a) return -1; /* Moodle: an empty response is not an answer */
    for (int i = 0; i < q->u.shortans.nanswers; i++)
        if (short_match(dh_text_get(&q->u.shortans.answers[i].pattern, lang, NULL), s + a, n - a, fold)) return i;
    return -1;
}

/* ---- numeric --------------------------------------------------------------- */

/* Index of the first numeric answer accepting the response, or -1. The
 * relative epsilon keeps 0.1 + 0.2 inside "0.3 +- 0" (Moodle adds one too). */
static int numeric_answer(const dh_Question *q, const dh_QuizResponse *r)
{
    if (!r->has_number) return -1;
    double v = r->number;
    if (r->unit >= 0) v /= q->u.numeric.units[r->unit].multiplier;
    for (int i = 0; i < q->u.numeric.nanswers; i++) {
        const dh_NumericAnswer *a = &q->u.numeric.answers[i];
        double eps = 1e-12 * fmax(1, fabs(a->value));
        if (fabs(v - a->value) <= a->tolerance + eps) return i;
    }
    return -1;
}

/* ---- ordering -------------------------------------------------------------- */

/* qtype_ordering's grade_response: points earned and possible for the
 * trainee's order `pos` (pos[i] = correct position of the i-th shown item). */
static double ordering_fraction(dh_OrderingGrading g, const int *pos, int n)
{
    int where[DH_QUIZ_MAX_ITEMS]; /* where[c] = shown position of the item whose correct position is c */
    for (int i = 0; i < n; i++) where[pos[i]] = i;
    long got = 0, max = 0;
    switch (g) {
    case DH_ORDERING_ALL_OR_NOTHING:
        for (int i = 0; i < n; i++)
            if (pos[i] != i) return 0;
        return 1;
    case DH_ORDERING_ABSOLUTE_POSITION:
        for (int i = 0; i < n; i++) got += pos[i] == i;
        max = n;
        break;
    case DH_ORDERING_RELATIVE_TO_CORRECT:
        for (int c = 0; c < n; c++) {
            long s = (n - 1) - labs((long)c - where[c]);
            if (s > 0) got += s;
            max += n - 1;
        }
        break;
    case DH_ORDERING_RELATIVE_NEXT_EXCLUDE_LAST:
    case DH_ORDERING_RELATIVE_NEXT_INCLUDE_LAST: {
        bool last = g == DH_ORDERING_RELATIVE_NEXT_INCLUDE_LAST;
        /* For each item (by correct position c), is it followed by c + 1?
         * The correct last item has "nothing" next, checked only with last. */
        for (int c = 0; c < n; c++) {
            if (c == n - 1 && !last) break;
            int w = where[c];
            if (c == n - 1) got += w == n - 1;
            else got += w + 1 < n && pos[w + 1] == c + 1;
            max++;
        }
        break;
    }
    case DH_ORDERING_RELATIVE_ONE_PREVIOUS_AND_NEXT:
        for (int c = 0; c < n; c++) {
            int w = where[c];
            if (c > 0) got += w > 0 && pos[w - 1] == c - 1, max++;
            if (c < n - 1) got += w + 1 < n && pos[w + 1] == c + 1, max++;
        }
        break;
    case DH_ORDERING_RELATIVE_ALL_PREVIOUS_AND_NEXT:
        for (int c = 0; c < n; c++)
            for (int d = 0; d < n; d++)
                if (d != c) got += (d < c) == (where[d] < where[c]), max++;
        break;
    case DH_ORDERING_LONGEST_ORDERED_SUBSET: {
        int len[DH_QUIZ_MAX_ITEMS], best = 0; /* longest increasing subsequence of pos */
        for (int i = 0; i < n; i++) {
            len[i] = 1;
            for (int k = 0; k < i; k++)
                if (pos[k] < pos[i] && len[k] + 1 > len[i]) len[i] = len[k] + 1;
            if (len[i] > best) best = len[i];
        }
        got = best >= 2 ? best : 0;
        max = n;
        break;
    }
    case DH_ORDERING_LONGEST_CONTIGUOUS_SUBSET: {
        int run = 1, best = 1; /* adjacent shown items whose correct positions step by one */
        for (int i = 1; i < n; i++) {
            run = pos[i] == pos[i - 1] + 1 ? run + 1 : 1;
            if (run > best) best = run;
        }
        got = best >= 2 ? best : 0;
        max = n;
        break;
    }
    }
    return max ? (double)got / (double)max : 0;
}

/* ---- scoring --------------------------------------------------------------- */

int dh_quiz_hotspot_hit(const dh_Question *q, double x, double y)
{
    for (int i = 0; i < q->u.hotspot.nregions; i++) {
        const dh_Region *g = &q->u.hotspot.regions[i];
        const double *c = g->coords;
        bool in = false;
        if (g->shape == DH_REGION_RECT) {
            in = x >= c[0] && x <= c[0] + c[2] && y >= c[1] && y <= c[1] + c[3];
        } else if (g->shape == DH_REGION_CIRCLE) {
            in = (x - c[0]) * (x - c[0]) + (y - c[1]) * (y - c[1]) <= c[2] * c[2];
        } else { /* even-odd ray casting */
            int np = g->ncoords / 2;
            for (int a = 0, b = np - 1; a < np; b = a++) {
                double ya = c[2 * a + 1], yb = c[2 * b + 1], xa = c[2 * a], xb = c[2 * b];
                if ((ya > y) != (yb > y) && x < (xb - xa) * (y - ya) / (yb - ya) + xa) in = !in;
            }
        }
        if (in) return i;
    }
    return -1;
}

/* Regions holding at least one marker, each once, in region order. */
static int regions_hit(const dh_Question *q, const dh_QuizResponse *r, int *out)
{
    bool hit[DH_QUIZ_MAX_ITEMS] = {false};
    for (int i = 0; i < r->nclicks; i++) {
        int g = dh_quiz_hotspot_hit(q, r->clicks[2 * i], r->clicks[2 * i + 1]);
        if (g >= 0) hit[g] = true;
    }
    int n = 0;
    for (int g = 0; g < q->u.hotspot.nregions; g++)
        if (hit[g]) out[n++] = g;
    return n;
}

/* The choice holding a hottext span's marks, or NULL (the span scores 0). */
static const dh_Choice *span_choice(const dh_Question *q, int span)
{
    for (int i = 0; i < q->u.choice.nchoices; i++)
        if (strcmp(q->u.choice.choices[i].id, q->u.choice.spans[span]) == 0) return &q->u.choice.choices[i];
    return NULL;
}

double dh_quiz_score(const dh_Question *q, const dh_QuizResponse *r, const char *lang)
{
    if (!r || q->type == DH_QUESTION_DESCRIPTION) return 0;
    double sum = 0;
    int right = 0, idx;
    switch (q->type) {
    case DH_QUESTION_SINGLE:
        return r->nitems == 1 ? clamp01(q->u.choice.choices[r->items[0]].fraction) : 0;
    case DH_QUESTION_MULTIPLE: /* qtype_multichoice_multi: sum of ticked, clamped */
        for (int i = 0; i < r->nitems; i++) sum += q->u.choice.choices[r->items[i]].fraction;
        return clamp01(sum);
    case DH_QUESTION_HOTTEXT:
        for (int i = 0; i < r->nitems; i++) {
            const dh_Choice *c = span_choice(q, r->items[i]);
            if (c) sum += c->fraction;
        }
        return clamp01(sum);
    case DH_QUESTION_HOTSPOT: {
        int hit[DH_QUIZ_MAX_ITEMS];
        int n = regions_hit(q, r, hit);
        for (int i = 0; i < n; i++) sum += q->u.hotspot.regions[hit[i]].fraction;
        return clamp01(sum);
    }
    case DH_QUESTION_TRUEFALSE:
        return r->value == q->u.truefalse.correct ? 1 : 0;
    case DH_QUESTION_SHORT:
        idx = short_answer(q, r->text, lang);
        return idx < 0 ? 0 : clamp01(q->u.shortans.answers[idx].fraction);
    case DH_QUESTION_NUMERIC: {
        idx = numeric_answer(q, r);
        if (idx < 0) return 0;
        double f = clamp01(q->u.numeric.answers[idx].fraction);
        /* Moodle's "fraction of response grade" unit penalty. */
        if (q->u.numeric.unit_required && r->unit < 0) f *= 1 - q->u.numeric.unit_penalty;
        return clamp01(f);
    }
    case DH_QUESTION_MATCHING: /* qtype_match: right prompts / prompts */
        for (int p = 0; p < r->nitems; p++) right += r->items[p] == q->u.matching.prompts[p].answer;
        return q->u.matching.nprompts ? (double)right / q->u.matching.nprompts : 0;
    case DH_QUESTION_GAPSELECT: /* qtype_gapselect: right gaps / gaps */
        for (int g = 0; g < r->nitems; g++) right += r->items[g] == q->u.gapselect.gaps[g];
        return q->u.gapselect.ngaps ? (double)right / q->u.gapselect.ngaps : 0;
    case DH_QUESTION_ORDERING:
        if (r->nitems != q->u.ordering.nitems || r->nitems == 0) return 0;
        return ordering_fraction(q->u.ordering.grading, r->items, r->nitems);
    case DH_QUESTION_DESCRIPTION: break;
    }
    return 0;
}

/* ---- feedback -------------------------------------------------------------- */

static void add(const dh_Text *t, const dh_Text **out, int max, int *n)
{
    if (!t || t->count == 0) return;
    if (*n < max) out[*n] = t;
    (*n)++;
}

int dh_quiz_response_feedback(const dh_Question *q, const dh_QuizResponse *r, const char *lang,
                              const dh_Text **out, int max)
{
    int n = 0, idx;
    if (!r) return 0;
    switch (q->type) {
    case DH_QUESTION_SINGLE:
    case DH_QUESTION_MULTIPLE:
        for (int i = 0; i < r->nitems; i++) add(&q->u.choice.choices[r->items[i]].feedback, out, max, &n);
        break;
    case DH_QUESTION_HOTTEXT:
        for (int i = 0; i < r->nitems; i++) {
            const dh_Choice *c = span_choice(q, r->items[i]);
            if (c) add(&c->feedback, out, max, &n);
        }
        break;
    case DH_QUESTION_HOTSPOT: {
        int hit[DH_QUIZ_MAX_ITEMS];
        int nh = regions_hit(q, r, hit);
        for (int i = 0; i < nh; i++) add(&q->u.hotspot.regions[hit[i]].feedback, out, max, &n);
        break;
    }
    case DH_QUESTION_TRUEFALSE:
        add(r->value ? &q->u.truefalse.feedback_true : &q->u.truefalse.feedback_false, out, max, &n);
        break;
    case DH_QUESTION_SHORT:
        if ((idx = short_answer(q, r->text, lang)) >= 0) add(&q->u.shortans.answers[idx].feedback, out, max, &n);
        break;
    case DH_QUESTION_NUMERIC:
        if ((idx = numeric_answer(q, r)) >= 0) add(&q->u.numeric.answers[idx].feedback, out, max, &n);
        break;
    default: break;
    }
    return n;
}

const dh_Text *dh_quiz_overall_feedback(const dh_Quiz *quiz, double scaled)
{
    const dh_Text *best = NULL;
    double best_min = -1;
    for (int i = 0; i < quiz->nfeedback; i++)
        if (quiz->feedback[i].min <= scaled + 1e-9 && quiz->feedback[i].min > best_min)
            best = &quiz->feedback[i].text, best_min = quiz->feedback[i].min;
    return best;
}

void dh_quiz_response_xapi(const dh_Question *q, const dh_QuizResponse *r, int *items, dh_XapiResponse *x)
{
    *x = (dh_XapiResponse){.items = r->items, .nitems = r->nitems, .value = r->value, .text = r->text,
                           .has_number = r->has_number, .number = r->number};
    if (q->type == DH_QUESTION_NUMERIC && r->has_number && r->unit >= 0)
        x->number = r->number / q->u.numeric.units[r->unit].multiplier;
    if (q->type == DH_QUESTION_HOTSPOT) {
        x->nitems = regions_hit(q, r, items);
        x->items = items;
        x->clicks = r->clicks;
        x->nclicks = r->nclicks;
    }
}

/* ---- grades ---------------------------------------------------------------- */

bool dh_quiz_grade(dh_GradeMethod method, const double *scaled, int n, double *out)
{
    if (n <= 0) return false;
    double v = scaled[0];
    switch (method) {
    case DH_GRADE_HIGHEST:
        for (int i = 1; i < n; i++) v = fmax(v, scaled[i]);
        break;
    case DH_GRADE_AVERAGE:
        for (int i = 1; i < n; i++) v += scaled[i];
        v /= n;
        break;
    case DH_GRADE_FIRST: break;
    case DH_GRADE_LAST: v = scaled[n - 1]; break;
    }
    *out = v;
    return true;
}

bool dh_quiz_may_start(const dh_Quiz *quiz, int finished)
{
    return quiz->settings.attempts == 0 || finished < quiz->settings.attempts;
}

bool dh_quiz_passes(const dh_Quiz *quiz, double scaled)
{
    return quiz->settings.pass <= 0 || scaled >= quiz->settings.pass - 1e-9;
}
