/* test_quiz: the quiz model and every validation rule of quiz.c.
 *
 * Each test parses a small quiz from a string (single quotes stand for
 * double quotes, to keep the C readable; positions are unaffected) with no
 * package, and checks the model and the exact diagnostics: message, severity
 * and line:column, in the order they are reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "quiz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Fx {
    dh_Arena arena;
    dh_Diags diags;
    dh_Json doc;
    dh_LoadCtx c;
    dh_Quiz *quiz;
    dh_Status st;
} Fx;

static const char *const en[] = {"en"};
static const char *const en_th[] = {"en", "th"};

static void load_langs(Fx *f, const char *src, const char *const *langs, int nlangs)
{
    size_t n = strlen(src);
    char *text = malloc(n + 1);
    assert_non_null(text);
    for (size_t i = 0; i <= n; i++) text[i] = src[i] == '\'' ? '"' : src[i];
    memset(f, 0, sizeof *f);
    dh_arena_init(&f->arena);
    dh_diags_init(&f->diags);
    dh_Status st = dh_json_parse(&f->doc, "quizzes/q.json", text, n, &f->diags);
    free(text);
    if (st != DH_OK) fail_msg("test JSON does not parse: %s", f->diags.count ? f->diags.items[0].msg : "?");
    f->c = (dh_LoadCtx){&f->arena, &f->diags, &f->doc, NULL, langs, nlangs, false};
    f->st = dh_quiz_parse(&f->c, f->doc.root, &f->quiz);
}

static void load(Fx *f, const char *src) { load_langs(f, src, en, 1); }

static void unload(Fx *f)
{
    dh_json_free(&f->doc);
    dh_diags_free(&f->diags);
    dh_arena_free(&f->arena);
}

/* On a mismatch, show the line a diagnostic points at, with a caret. */
static void show(const Fx *f, const dh_Diag *d)
{
    const char *t = f->doc.text;
    for (int l = 1; l < d->line && t; l++) {
        t = strchr(t, '\n');
        if (t) t++;
    }
    if (!t || d->col < 1) return;
    int len = (int)strcspn(t, "\n");
    print_error("  | %.*s\n  | %*s^\n", len, t, d->col - 1, "");
}

/* The diagnostics must be exactly the NULL-terminated list of
 * "line:col: severity: message" strings, in order. */
static void expect(const Fx *f, ...)
{
    static const char *const sev[] = {"note", "warning", "error"};
    char got[200][400];
    int n = 0;
    for (int i = 0; i < f->diags.count && n < 200; i++, n++) {
        const dh_Diag *d = &f->diags.items[i];
        assert_string_equal(d->file, "quizzes/q.json");
        snprintf(got[n], sizeof got[n], "%d:%d: %s: %s", d->line, d->col, sev[d->severity], d->msg);
    }
    va_list ap;
    va_start(ap, f);
    int k = 0;
    bool ok = true;
    const char *want;
    while ((want = va_arg(ap, const char *))) {
        if (k >= n || strcmp(got[k], want) != 0) {
            ok = false;
            print_error("diagnostic %d:\n  want %s\n  got  %s\n", k, want, k < n ? got[k] : "(none)");
            if (k < n) show(f, &f->diags.items[k]);
        }
        k++;
    }
    va_end(ap);
    for (int i = k; i < n; i++) {
        print_error("unexpected diagnostic: %s\n", got[i]);
        show(f, &f->diags.items[i]);
    }
    if (!ok || k != n) fail_msg("diagnostics differ (%d wanted, %d got)", k, n);
}

static const char *tx(const dh_Text *t) { return dh_text_get(t, "en", "en"); }

/* ---- a quiz with every question type ------------------------------------- */

static const char *const full_quiz =
    "{'title': 'Check', 'intro': 'Ten minutes.',\n"
    " 'settings': {'attempts': 3, 'grade_method': 'average', 'time_limit_s': 900, 'pass': 0.75,\n"
    "   'shuffle': true, 'shuffle_answers': false, 'behaviour': 'interactive', 'tries': 2, 'penalty': 0.5,\n"
    "   'navigation': 'sequential', 'review': {'during': ['correctness'], 'after': ['marks', 'right_answer']}},\n"
    " 'sections': [{'title': 'Basics', 'questions': ['intro', 'tf', 'multi'], 'shuffle': false},\n"
    "              {'draw': {'tags': ['pool'], 'count': 2}},\n"
    "              {'questions': ['order', 'gaps', 'hot', 'spot', 'match']}],\n"
    " 'questions': [\n"
    "  {'id': 'intro', 'type': 'description', 'text': 'Read carefully.'},\n"
    "  {'id': 'tf', 'type': 'truefalse', 'text': 'MFA stops all phishing.', 'correct': false,\n"
    "   'feedback_true': 'No.', 'feedback_false': 'Right.', 'points': 2, 'hints': ['Think of real-time relays.'],\n"
    "   'penalty': 0.25},\n"
    "  {'id': 'multi', 'type': 'multiple', 'text': 'Signs?', 'general_feedback': 'Look twice.',\n"
    "   'answers': [{'id': 'a', 'text': 'Urgency', 'fraction': 0.5, 'feedback': 'Yes'},\n"
    "               {'id': 'b', 'text': 'Odd sender', 'fraction': 0.5},\n"
    "               {'id': 'c', 'text': 'Your name', 'fraction': -1}], 'shuffle_answers': false},\n"
    "  {'id': 's1', 'type': 'single', 'tags': ['pool', 'x'], 'text': 'Pick', 'image': 'assets/a.png',\n"
    "   'alt': 'A mail', 'answers': [{'id': 'a', 'text': 'A', 'fraction': 1}, {'id': 'b', 'text': 'B'}]},\n"
    "  {'id': 'sh', 'type': 'short', 'tags': ['pool'], 'text': 'Team?', 'case_sensitive': true,\n"
    "   'answers': [{'pattern': '*SOC*', 'fraction': 1}, {'pattern': '*', 'fraction': 0, 'feedback': 'No'}]},\n"
    "  {'id': 'num', 'type': 'numeric', 'tags': ['pool'], 'text': 'Length?', 'unit_required': true,\n"
    "   'answers': [{'value': 15, 'tolerance': 1, 'fraction': 1}, {'value': 12, 'fraction': 0.5}],\n"
    "   'units': [{'unit': 'characters'}, {'unit': 'chars', 'multiplier': 1}], 'unit_penalty': 0.2},\n"
    "  {'id': 'order', 'type': 'ordering', 'text': 'Order', 'grading': 'longest_contiguous_subset',\n"
    "   'items': [{'id': 'i1', 'text': 'Disconnect'}, {'id': 'i2', 'text': 'Report'}, {'id': 'i3', 'text': 'Wait'}]},\n"
    "  {'id': 'gaps', 'type': 'gapselect', 'text': 'Use [[1]] and [[3]].',\n"
    "   'choices': [{'text': 'MFA'}, {'text': 'SMS'}, {'text': 'a passphrase', 'group': 2},\n"
    "               {'text': 'a date', 'group': 2}]},\n"
    "  {'id': 'hot', 'type': 'hottext', 'text': 'From {{from:paypa1.com}}: {{link:click now}} {{ok:thanks}}',\n"
    "   'answers': [{'id': 'from', 'fraction': 0.5}, {'id': 'link', 'fraction': 0.5, 'feedback': 'Urgent'},\n"
    "               {'id': 'ok', 'fraction': -0.5}]},\n"
    "  {'id': 'spot', 'type': 'hotspot', 'text': 'Click', 'image': 'assets/m.png', 'alt': 'Mail',\n"
    "   'width': 960, 'height': 600, 'max_clicks': 3, 'regions': [\n"
    "     {'id': 'r', 'rect': [10, 20, 300, 40], 'fraction': 0.5},\n"
    "     {'id': 'c', 'circle': [500, 300, 50], 'fraction': 0.5},\n"
    "     {'id': 'p', 'polygon': [[0, 0], [960, 0], [960, 600]], 'fraction': 0}]},\n"
    "  {'id': 'match', 'type': 'matching', 'text': 'Match',\n"
    "   'prompts': [{'id': 'p1', 'text': 'Vishing', 'answer': 'phone'}, {'id': 'p2', 'text': 'Smishing',\n"
    "                'answer': 'sms'}],\n"
    "   'answers': [{'id': 'phone', 'text': 'Phone'}, {'id': 'sms', 'text': 'SMS'}, {'id': 'usb', 'text': 'USB'}]}],\n"
    " 'overall_feedback': [{'min': 0, 'text': 'Revise'}, {'min': 0.8, 'text': 'Well done'},\n"
    "                      {'min': 0.5, 'text': 'Close'}]}";

static void test_full_model(void **state)
{
    (void)state;
    Fx f;
    load(&f, full_quiz);
    assert_int_equal(f.st, DH_OK);
    expect(&f, NULL);
    const dh_Quiz *q = f.quiz;
    assert_non_null(q);
    assert_string_equal(tx(&q->title), "Check");
    assert_string_equal(tx(&q->intro), "Ten minutes.");

    const dh_QuizSettings *s = &q->settings;
    assert_int_equal(s->attempts, 3);
    assert_int_equal(s->grade_method, DH_GRADE_AVERAGE);
    assert_int_equal(s->time_limit_s, 900);
    assert_true(s->pass == 0.75);
    assert_true(s->shuffle);
    assert_false(s->shuffle_answers);
    assert_int_equal(s->behaviour, DH_BEHAVIOUR_INTERACTIVE);
    assert_int_equal(s->tries, 2);
    assert_true(s->penalty == 0.5);
    assert_int_equal(s->navigation, DH_NAVIGATION_SEQUENTIAL);
    assert_int_equal(s->review_during, DH_REVIEW_CORRECTNESS);
    assert_int_equal(s->review_after, DH_REVIEW_MARKS | DH_REVIEW_RIGHT_ANSWER);

    assert_int_equal(q->nquestions, 11);
    assert_int_equal(dh_quiz_question_index(q, "spot"), 9);
    assert_int_equal(dh_quiz_question_index(q, "nope"), -1);

    const dh_Question *d = &q->questions[0];
    assert_int_equal(d->type, DH_QUESTION_DESCRIPTION);
    assert_true(d->points == 0);

    const dh_Question *tf = &q->questions[1];
    assert_int_equal(tf->type, DH_QUESTION_TRUEFALSE);
    assert_false(tf->u.truefalse.correct);
    assert_string_equal(tx(&tf->u.truefalse.feedback_false), "Right.");
    assert_true(tf->points == 2);
    assert_int_equal(tf->nhints, 1);
    assert_string_equal(tx(&tf->hints[0]), "Think of real-time relays.");
    assert_true(tf->penalty == 0.25);

    const dh_Question *m = &q->questions[2];
    assert_int_equal(m->type, DH_QUESTION_MULTIPLE);
    assert_int_equal(m->u.choice.nchoices, 3);
    assert_string_equal(m->u.choice.choices[1].id, "b");
    assert_string_equal(tx(&m->u.choice.choices[1].text), "Odd sender");
    assert_true(m->u.choice.choices[2].fraction == -1);
    assert_string_equal(tx(&m->u.choice.choices[0].feedback), "Yes");
    assert_string_equal(tx(&m->general_feedback), "Look twice.");
    assert_false(m->shuffle_answers);
    assert_true(m->points == 1);
    assert_true(m->penalty < 0);

    const dh_Question *s1 = &q->questions[3];
    assert_int_equal(s1->ntags, 2);
    assert_string_equal(s1->tags[1], "x");
    assert_string_equal(s1->image, "assets/a.png");
    assert_string_equal(tx(&s1->alt), "A mail");
    assert_true(s1->u.choice.choices[1].fraction == 0);
    assert_true(s1->shuffle_answers);

    const dh_Question *sh = &q->questions[4];
    assert_true(sh->u.shortans.case_sensitive);
    assert_int_equal(sh->u.shortans.nanswers, 2);
    assert_string_equal(tx(&sh->u.shortans.answers[0].pattern), "*SOC*");
    assert_string_equal(tx(&sh->u.shortans.answers[1].feedback), "No");

    const dh_Question *num = &q->questions[5];
    assert_int_equal(num->u.numeric.nanswers, 2);
    assert_true(num->u.numeric.answers[0].value == 15 && num->u.numeric.answers[0].tolerance == 1);
    assert_true(num->u.numeric.answers[1].fraction == 0.5 && num->u.numeric.answers[1].tolerance == 0);
    assert_int_equal(num->u.numeric.nunits, 2);
    assert_string_equal(num->u.numeric.units[1].name, "chars");
    assert_true(num->u.numeric.unit_required);
    assert_true(num->u.numeric.unit_penalty == 0.2);

    const dh_Question *o = &q->questions[6];
    assert_int_equal(o->u.ordering.nitems, 3);
    assert_string_equal(o->u.ordering.items[2].id, "i3");
    assert_int_equal(o->u.ordering.grading, DH_ORDERING_LONGEST_CONTIGUOUS_SUBSET);

    const dh_Question *g = &q->questions[7];
    assert_int_equal(g->u.gapselect.nchoices, 4);
    assert_int_equal(g->u.gapselect.choices[3].group, 2);
    assert_int_equal(g->u.gapselect.ngaps, 2);
    assert_int_equal(g->u.gapselect.gaps[0], 0);
    assert_int_equal(g->u.gapselect.gaps[1], 2);

    const dh_Question *h = &q->questions[8];
    assert_int_equal(h->u.choice.nspans, 3);
    assert_string_equal(h->u.choice.spans[0], "from");
    assert_string_equal(h->u.choice.spans[2], "ok");
    assert_int_equal(h->u.choice.nchoices, 3);
    assert_string_equal(h->u.choice.choices[1].id, "link");
    assert_int_equal(h->u.choice.choices[1].text.count, 0);

    const dh_Question *hs = &q->questions[9];
    assert_string_equal(hs->image, "assets/m.png");
    assert_int_equal(hs->u.hotspot.width, 960);
    assert_int_equal(hs->u.hotspot.nregions, 3);
    assert_int_equal(hs->u.hotspot.max_clicks, 3);
    assert_int_equal(hs->u.hotspot.regions[1].shape, DH_REGION_CIRCLE);
    assert_int_equal(hs->u.hotspot.regions[2].shape, DH_REGION_POLYGON);
    assert_int_equal(hs->u.hotspot.regions[2].ncoords, 6);
    assert_true(hs->u.hotspot.regions[2].coords[3] == 0 && hs->u.hotspot.regions[2].coords[5] == 600);
    assert_true(hs->u.hotspot.regions[0].coords[2] == 300);

    const dh_Question *mt = &q->questions[10];
    assert_int_equal(mt->u.matching.nprompts, 2);
    assert_int_equal(mt->u.matching.nanswers, 3);
    assert_int_equal(mt->u.matching.prompts[1].answer, 1);
    assert_string_equal(mt->u.matching.answers[2].id, "usb");

    assert_int_equal(q->nsections, 3);
    assert_string_equal(tx(&q->sections[0].title), "Basics");
    assert_false(q->sections[0].shuffle);
    assert_int_equal(q->sections[0].nquestions, 3);
    assert_int_equal(q->sections[0].questions[2], 2);
    const dh_QuizSection *dr = &q->sections[1];
    assert_true(dr->draw);
    assert_true(dr->shuffle);
    assert_int_equal(dr->count, 2);
    assert_int_equal(dr->ntags, 1);
    assert_int_equal(dr->npool, 3); /* s1, sh, num */
    assert_int_equal(dr->pool[0], 3);
    assert_int_equal(dr->pool[2], 5);
    assert_int_equal(q->slots, 3 + 2 + 5);

    assert_int_equal(q->nfeedback, 3);
    assert_true(q->feedback[0].min == 0.8 && q->feedback[1].min == 0.5 && q->feedback[2].min == 0);
    assert_string_equal(tx(&q->feedback[1].text), "Close");
    unload(&f);
}

static void test_defaults(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [{'id': 'a', 'type': 'truefalse', 'text': 'T', 'correct': true},\n"
             "               {'id': 'b', 'type': 'description', 'text': 'D'}]}");
    expect(&f, NULL);
    const dh_QuizSettings *s = &f.quiz->settings;
    assert_int_equal(s->attempts, 0);
    assert_int_equal(s->grade_method, DH_GRADE_HIGHEST);
    assert_int_equal(s->time_limit_s, 0);
    assert_true(s->pass == 0);
    assert_false(s->shuffle);
    assert_true(s->shuffle_answers);
    assert_int_equal(s->behaviour, DH_BEHAVIOUR_DEFERRED);
    assert_int_equal(s->tries, 3);
    assert_true(fabs(s->penalty - 1.0 / 3.0) < 1e-12);
    assert_int_equal(s->navigation, DH_NAVIGATION_FREE);
    assert_int_equal(s->review_after, DH_REVIEW_CORRECTNESS | DH_REVIEW_MARKS | DH_REVIEW_FEEDBACK |
                                          DH_REVIEW_GENERAL_FEEDBACK | DH_REVIEW_RIGHT_ANSWER |
                                          DH_REVIEW_OVERALL_FEEDBACK);
    /* No sections: one section with every question in file order. */
    assert_int_equal(f.quiz->nsections, 1);
    assert_false(f.quiz->sections[0].draw);
    assert_int_equal(f.quiz->sections[0].nquestions, 2);
    assert_int_equal(f.quiz->sections[0].questions[1], 1);
    assert_int_equal(f.quiz->slots, 2);
    assert_true(f.quiz->questions[0].u.truefalse.correct);
    assert_string_equal(dh_question_type_name(f.quiz->questions[1].type), "description");
    assert_string_equal(dh_grade_method_name(DH_GRADE_LAST), "last");
    assert_string_equal(dh_behaviour_name(DH_BEHAVIOUR_INTERACTIVE), "interactive");
    assert_string_equal(dh_ordering_grading_name(DH_ORDERING_RELATIVE_TO_CORRECT), "relative_to_correct");
    unload(&f);
}

/* ---- settings ------------------------------------------------------------ */

static void test_settings_errors(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'settings': {'attempts': -1, 'grade_method': 'best', 'time_limit_s': -60, 'pass': 80,\n"
             "  'behaviour': 'adaptive', 'navigation': 'linear', 'tries': 2, 'shufle': true,\n"
             "  'review': {'during': ['marks'], 'after': ['everything', 3]}},\n"
             " 'questions': [{'id': 'a', 'type': 'truefalse', 'text': 'T', 'correct': true,\n"
             "                'hints': ['h']}]}");
    assert_int_equal(f.st, DH_OK);
    expect(&f,
           "2:64: warning: unknown member 'shufle' in the quiz settings (ignored); did you mean 'shuffle'?",
           "1:27: error: 'attempts' must be between 0 and 100, not -1",
           "1:47: error: unknown grade method 'best' (use highest, average, first or last)",
           "1:71: error: 'time_limit_s' must not be negative (0 or no 'time_limit_s' means no time limit)",
           "1:84: error: 'pass' must be between 0 and 1 (a fraction of the maximum score: 0.8 means 80%), not 80",
           "2:16: error: unknown behaviour 'adaptive' (use deferred or interactive)",
           "2:52: warning: 'tries' only applies when 'behaviour' is \"interactive\" (ignored)",
           "2:42: error: unknown navigation 'linear' (use free or sequential)",
           "3:45: error: unknown review option 'everything' (use correctness, marks, feedback, general_feedback, "
           "right_answer or overall_feedback)",
           "3:59: error: a review option must be a string, not a number (use correctness, marks, feedback, "
           "general_feedback, right_answer or overall_feedback)",
           "3:14: warning: 'during' only applies when 'behaviour' is \"interactive\" (a deferred quiz shows nothing "
           "until it is submitted)",
           "5:17: warning: hints are only shown when the quiz's 'behaviour' is \"interactive\" (ignored)", NULL);
    assert_int_equal(f.quiz->settings.grade_method, DH_GRADE_HIGHEST);
    assert_true(f.quiz->settings.pass == 0);
    unload(&f);

    load(&f, "{'settings': {'behaviour': 'interactive', 'tries': 2,\n"
             "              'review': {'during': ['overall_feedback']}},\n"
             " 'questions': [{'id': 'a', 'type': 'truefalse', 'text': 'T', 'correct': true,\n"
             "                'hints': ['h1', 'h2']}]}");
    expect(&f,
           "2:37: warning: 'overall_feedback' can only be shown after an attempt (ignored in 'during')",
           "4:17: warning: 2 hints but 2 tries: only the first 1 can ever be shown (a hint follows each wrong try "
           "but the last)", NULL);
    assert_int_equal(f.quiz->settings.review_during, 0);
    unload(&f);
}

/* ---- questions in general ------------------------------------------------ */

static void test_question_ids_and_types(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [\n"
             " {'id': 'q1', 'type': 'truefalse', 'text': 'A', 'correct': true},\n"
             " {'id': 'q1', 'type': 'truefalse', 'text': 'B', 'correct': true},\n"
             " {'id': 'bad id', 'type': 'truefalse', 'text': 'C', 'correct': true},\n"
             " {'id': 'q4', 'type': 'essay', 'text': 'D'},\n"
             " {'id': 'q5', 'text': 'E'},\n"
             " {'id': 'q6', 'type': 'truefalse', 'text': 'F', 'correct': 'yes', 'answers': []},\n"
             " 'q7',\n"
             " {'id': 'q8', 'type': 'description', 'text': 'G', 'points': 2}]}");
    expect(&f,
           "3:9: error: duplicate question id 'q1' (first at line 2)",
           "4:9: error: 'bad id' is not a valid id (1-64 letters, digits, '.', '_' or '-', starting with a letter "
           "or digit)",
           "5:23: error: unknown question type 'essay' (use single, multiple, truefalse, short, numeric, matching, "
           "ordering, gapselect, hottext, hotspot or description)",
           "6:2: error: missing required member 'type'",
           "7:67: warning: unknown member 'answers' in a question of type 'truefalse' (ignored)",
           "7:60: error: 'correct' must be true or false, not a string",
           "8:2: error: a question must be an object with \"id\", \"type\" and \"text\", not a string",
           "9:51: warning: unknown member 'points' in a question of type 'description' (ignored)", NULL);
    /* Kept: the first q1, q6 and q8 (a bad answer key does not drop a question). */
    assert_int_equal(f.quiz->nquestions, 3);
    assert_string_equal(f.quiz->questions[1].id, "q6");
    unload(&f);
}

static void test_not_an_object(void **state)
{
    (void)state;
    Fx f;
    load(&f, "['q1']");
    expect(&f, "1:1: error: a quiz file must hold an object with \"questions\", not an array", NULL);
    assert_null(f.quiz);
    unload(&f);

    load(&f, "{'questions': [], 'extra': 1}");
    expect(&f, "1:19: warning: unknown member 'extra' in a quiz (ignored)",
           "1:15: error: a quiz needs at least one question", NULL);
    unload(&f);

    load(&f, "{'questions': [{'id': 'd', 'type': 'description', 'text': 'Only words'}]}");
    expect(&f, "1:15: error: the quiz asks no scored question (only descriptions)", NULL);
    unload(&f);
}

static void test_image_needs_alt(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [{'id': 'q', 'type': 'truefalse', 'text': 'T', 'correct': true,\n"
             "  'image': 'assets/x.png'},\n"
             " {'id': 'h', 'type': 'hotspot', 'text': 'Click', 'alt': 'A', 'width': 10, 'height': 10,\n"
             "  'regions': [{'id': 'r', 'rect': [0, 0, 5, 5], 'fraction': 1}]}]}");
    expect(&f, "1:16: error: an image needs 'alt': a description for trainees who cannot see it",
           "3:2: error: missing required member 'image'", NULL);
    unload(&f);
}

static void test_inline_markup(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [{'id': 'q', 'type': 'truefalse', 'text': 'A **bold claim', 'correct': true}]}");
    expect(&f, "1:60: error: '**' is opened here but never closed; close it, or write \\* for a literal asterisk",
           NULL);
    unload(&f);
}

/* ---- choices --------------------------------------------------------------- */

static void test_single_and_multiple(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [\n"
             " {'id': 's', 'type': 'single', 'text': 'S', 'answers': [\n"
             "   {'id': 'a', 'text': 'A', 'fraction': 0.5},\n"
             "   {'id': 'b', 'text': 'B', 'fraction': -0.5}]},\n"
             " {'id': 'm', 'type': 'multiple', 'text': 'M', 'answers': [\n"
             "   {'id': 'a', 'text': 'A', 'fraction': 0.5},\n"
             "   {'id': 'b', 'text': 'B', 'fraction': 0.4},\n"
             "   {'id': 'c', 'text': 'C', 'fraction': -1}]},\n"
             " {'id': 'm2', 'type': 'multiple', 'text': 'M', 'answers': [\n"
             "   {'id': 'a', 'text': 'A', 'fraction': 0},\n"
             "   {'id': 'b', 'text': 'B', 'fraction': 0}]},\n"
             " {'id': 'm3', 'type': 'multiple', 'text': 'M', 'answers': [\n"
             "   {'id': 'a', 'text': 'A', 'fraction': 0.3333},\n"
             "   {'id': 'b', 'text': 'B', 'fraction': 0.3333},\n"
             "   {'id': 'c', 'text': 'C', 'fraction': 0.3333}]},\n"
             " {'id': 'x', 'type': 'single', 'text': 'X', 'answers': [\n"
             "   {'id': 'a', 'text': 'A', 'fraction': 1.5, 'feedbak': 'f'},\n"
             "   {'id': 'a', 'text': 'B', 'fraction': 1},\n"
             "   {'id': 'c', 'fraction': 0},\n"
             "   'd']},\n"
             " {'id': 'y', 'type': 'single', 'text': 'Y', 'answers': [{'id': 'a', 'text': 'A', 'fraction': 1}]}]}");
    expect(&f,
           "2:56: error: no answer has fraction 1; a single-choice question needs at least one fully correct answer",
           "5:58: error: the positive fractions of the answers add up to 0.9; they must add up to 1 (the correct "
           "answers share the full marks)",
           "9:59: error: no answer has a positive fraction; give the correct ones fractions that add up to 1",
           "17:46: warning: unknown member 'feedbak' in an answer (ignored); did you mean 'feedback'?",
           "17:41: error: 'fraction' must be between -1 and 1 (a share of the question's points), not 1.5",
           "18:11: error: duplicate answer id 'a' (first at line 17)",
           "19:4: error: missing required member 'text'",
           "20:4: error: an answer must be an object with \"id\", \"text\" and \"fraction\", not a string",
           "21:56: error: a single question needs at least 2 answers", NULL);
    /* 0.9999 is within Moodle's tolerance of 0.001. */
    unload(&f);
}

static void test_truefalse_short_numeric(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [\n"
             " {'id': 't', 'type': 'truefalse', 'text': 'T'},\n"
             " {'id': 's', 'type': 'short', 'text': 'S', 'answers': [{'pattern': 'SOC', 'fraction': 0.5}]},\n"
             " {'id': 's2', 'type': 'short', 'text': 'S', 'answers': [{'pattern': 'x', 'fraction': -1}]},\n"
             " {'id': 's3', 'type': 'short', 'text': 'S', 'answers': []},\n"
             " {'id': 'n', 'type': 'numeric', 'text': 'N', 'unit_required': true,\n"
             "  'answers': [{'value': 8, 'tolerance': -1, 'fraction': 1}, {'tolerance': 2, 'fraction': 0.5}]},\n"
             " {'id': 'n2', 'type': 'numeric', 'text': 'N', 'answers': [{'value': 8, 'fraction': 0.9}],\n"
             "  'units': [{'unit': 'MB', 'multiplier': 1000}, {'unit': 'MB'}, {'unit': 'GB', 'multiplier': 0}]}]}");
    expect(&f,
           "2:2: error: missing required member 'correct'",
           "3:55: error: no answer has fraction 1; one accepted answer must earn full marks",
           "4:86: error: 'fraction' must be between 0 and 1 (a share of the question's points), not -1",
           "5:56: error: a short-answer question needs at least one accepted answer",
           "7:41: error: 'tolerance' must not be negative (answers within value +- tolerance are accepted)",
           "7:61: error: missing required member 'value'",
           "6:63: error: 'unit_required' needs a list of 'units'",
           "8:58: error: no answer has fraction 1; one accepted answer must earn full marks",
           "9:42: error: the first unit is the base unit: its 'multiplier' must be 1, not 1000",
           "9:58: error: unit 'MB' is listed twice",
           "9:94: error: 'multiplier' must be a positive number, not 0", NULL);
    unload(&f);
}

/* ---- matching and ordering ----------------------------------------------- */

static void test_matching_and_ordering(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [\n"
             " {'id': 'm', 'type': 'matching', 'text': 'M',\n"
             "  'prompts': [{'id': 'p1', 'text': 'Vishing', 'answer': 'voice'}],\n"
             "  'answers': [{'id': 'phone', 'text': 'Phone'}, {'id': 'sms', 'text': 'SMS'}]},\n"
             " {'id': 'o', 'type': 'ordering', 'text': 'O', 'grading': 'partial',\n"
             "  'items': [{'id': 'a', 'text': 'Report'}, {'id': 'b', 'text': 'Report'}, {'id': 'a', 'text': 'C'}]},\n"
             " {'id': 'o2', 'type': 'ordering', 'text': 'O', 'items': [{'id': 'a', 'text': 'Only'}]}]}");
    expect(&f,
           "3:14: error: a matching question needs at least 2 prompts",
           "3:57: error: answer 'voice' is not one of the answers (phone, sms)",
           "6:64: error: item 'b' has the same text as 'a'; a trainee could not tell them apart",
           "6:82: error: duplicate item id 'a' (first at line 6)",
           "5:58: error: unknown ordering grading 'partial' (use all_or_nothing, absolute_position, "
           "relative_next_exclude_last, relative_next_include_last, relative_one_previous_and_next, "
           "relative_all_previous_and_next, longest_ordered_subset, longest_contiguous_subset or "
           "relative_to_correct)",
           "7:57: error: 'items' needs at least 2 entries", NULL);
    unload(&f);
}

/* ---- gapselect ----------------------------------------------------------- */

static void test_gapselect(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [\n"
             " {'id': 'g1', 'type': 'gapselect', 'text': 'Use [[1]] not [[4]], and [[2]].',\n"
             "  'choices': [{'text': 'MFA'}, {'text': 'SMS', 'group': 2}, {'text': 'pw'}]},\n"
             " {'id': 'g2', 'type': 'gapselect', 'text': 'A [[x]] b', 'choices': [{'text': 'a'}, {'text': 'b'}]},\n"
             " {'id': 'g3', 'type': 'gapselect', 'text': 'A [[1] b', 'choices': [{'text': 'a'}, {'text': 'b'}]},\n"
             " {'id': 'g4', 'type': 'gapselect', 'text': 'A 1]] b', 'choices': [{'text': 'a'}, {'text': 'b'}]},\n"
             " {'id': 'g5', 'type': 'gapselect', 'text': '[[1]] and [[1]]', 'choices': [{'text': 'a'}, {'text': 'b'}]},\n"
             " {'id': 'g6', 'type': 'gapselect', 'text': 'No gaps', 'choices': [{'text': 'a'}, {'text': 'b'}]},\n"
             " {'id': 'g7', 'type': 'gapselect', 'text': 'Tab\\t\\u00e9[[0]]', 'choices': [{'text': 'a'}, {'text': 'b'}]}]}");
    expect(&f,
           "2:59: error: gap [[4]] names choice 4, but there are only 3 choices",
           "2:70: warning: gap [[2]] offers a single choice: no other choice is in group 2",
           "4:47: error: '[[x]]' is not a gap: write the number of its correct choice, like [[1]]",
           "5:47: error: '[[' opens a gap that is never closed with ']]'",
           "6:48: error: ']]' closes no gap (a '[[' is missing before it)",
           "7:55: error: gap [[1]] appears twice; give each gap its own choice (two choices may have the same text)",
           "8:44: error: a gapselect question's text needs gaps: [[1]] where choice 1 belongs",
           /* Escapes count as the characters written in the file: \t is 2 columns, \u00e9 is 6. */
           "9:56: error: '[[0]]' is not a gap: write the number of its correct choice, like [[1]]", NULL);
    const dh_Question *g1 = &f.quiz->questions[0];
    assert_int_equal(g1->u.gapselect.ngaps, 2);
    assert_int_equal(g1->u.gapselect.gaps[0], 0);
    assert_int_equal(g1->u.gapselect.gaps[1], 1);
    unload(&f);
}

static void test_translations_need_same_marks(void **state)
{
    (void)state;
    Fx f;
    load_langs(&f,
               "{'questions': [\n"
               " {'id': 'g', 'type': 'gapselect', 'choices': [{'text': 'a'}, {'text': 'b'}, {'text': 'c'}],\n"
               "  'text': {'en': 'Use [[1]] and [[2]]', 'th': 'X [[3]] Y [[1]]'}},\n"
               " {'id': 'h', 'type': 'hottext', 'answers': [{'id': 'a', 'fraction': 1}],\n"
               "  'text': {'en': '{{a:one}} {{b:two}}', 'th': '{{b:x}} {{a:y}}'}}]}",
               en_th, 2);
    expect(&f,
           "3:47: error: the 'th' translation has no gap [[2]], which the 'en' text has",
           "3:50: error: the 'th' translation has a gap [[3]] that the 'en' text lacks", NULL);
    unload(&f);
}

/* ---- hottext ------------------------------------------------------------- */

static void test_hottext(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [\n"
             " {'id': 'h1', 'type': 'hottext', 'text': '{{h1:From}} {{h2:Link}}',\n"
             "  'answers': [{'id': 'h1', 'fraction': 0.5}, {'id': 'h3', 'fraction': 0.5, 'text': 'x'}]},\n"
             " {'id': 'h2', 'type': 'hottext', 'text': 'A {{h1:B {{h2:C}} D}}', 'answers': []},\n"
             " {'id': 'h3', 'type': 'hottext', 'text': 'A {{h1}} B', 'answers': [{'id': 'h1', 'fraction': 1}]},\n"
             " {'id': 'h4', 'type': 'hottext', 'text': 'A {{-x:B}}', 'answers': [{'id': 'x', 'fraction': 1}]},\n"
             " {'id': 'h5', 'type': 'hottext', 'text': 'A }} {{a:B}}', 'answers': [{'id': 'a', 'fraction': 1}]},\n"
             " {'id': 'h6', 'type': 'hottext', 'text': '{{a:B}} {{a:C}}', 'answers': [{'id': 'a', 'fraction': 1}]},\n"
             " {'id': 'h7', 'type': 'hottext', 'text': 'Plain', 'answers': [{'id': 'a', 'fraction': 1}]},\n"
             " {'id': 'h8', 'type': 'hottext', 'text': '{{a:B}} {{b:C}}', 'answers': [{'id': 'a', 'fraction': 0.6}]}]}");
    expect(&f,
           "3:76: warning: unknown member 'text' in a hottext answer (ignored)",
           "3:53: error: answer 'h3' names no span of the text (its spans are h1, h2)",
           "4:52: error: '{{' inside another span; spans cannot be nested (is a '}}' missing?)",
           "4:78: error: a hottext question needs answers: the span ids to click, with their fractions",
           "5:45: error: '{{h1}}' needs an id and the visible text, like {{h1:Click here}}",
           "6:45: error: '{{-x:B}}' does not start with a valid span id (1-64 letters, digits, '.', '_' or '-', then "
           "':')",
           "7:45: error: '}}' closes no span (a '{{' is missing before it)",
           "8:51: error: span id 'a' is used twice in this text",
           "9:42: error: a hottext question's text needs clickable spans, written {{id:visible text}}",
           "10:72: error: the positive fractions of the answers add up to 0.6; they must add up to 1 (the correct "
           "answers share the full marks)", NULL);
    unload(&f);
}

/* ---- hotspot ------------------------------------------------------------- */

static void test_hotspot(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [\n"
             " {'id': 'h', 'type': 'hotspot', 'text': 'Click', 'image': 'assets/m.png', 'alt': 'Mail',\n"
             "  'width': 960, 'height': 600, 'max_clicks': 1, 'regions': [\n"
             "   {'id': 'a', 'rect': [900, 20, 100, 40], 'fraction': 0.5},\n"
             "   {'id': 'b', 'circle': [30, 30, 40], 'fraction': 0.5},\n"
             "   {'id': 'c', 'polygon': [[0, 0], [10, 10], [970, 5]], 'fraction': 0},\n"
             "   {'id': 'd', 'polygon': [[0, 0], [10, 10]]},\n"
             "   {'id': 'e', 'rect': [0, 0, 10], 'circle': [1, 1, 1]},\n"
             "   {'id': 'f', 'fraction': 0},\n"
             "   {'id': 'g', 'rect': [0, 0, 0, 10]},\n"
             "   {'id': 'h', 'polygon': [[0, 0], [5, 5], [9, 9]]},\n"
             "   {'id': 'i', 'circle': [10, 10, 'x']}]},\n"
             " {'id': 'h2', 'type': 'hotspot', 'text': 'Click', 'image': 'pics/m.gif', 'alt': 'Mail',\n"
             "  'width': 0, 'height': 600, 'max_clicks': 1, 'regions': [\n"
             "   {'id': 'a', 'rect': [0, 0, 10, 10], 'fraction': 0.5},\n"
             "   {'id': 'b', 'rect': [10, 0, 10, 10], 'fraction': 0.5}]}]}");
    expect(&f,
           "4:24: error: region 'a' reaches outside the image: it spans x 900..1000, y 20..60, but the image's "
           "coordinates run from 0,0 to 960,600 ('width' and 'height')",
           "5:26: error: region 'b' reaches outside the image: it spans x -10..70, y -10..70, but the image's "
           "coordinates run from 0,0 to 960,600 ('width' and 'height')",
           "6:27: error: region 'c' reaches outside the image: it spans x 0..970, y 0..10, but the image's "
           "coordinates run from 0,0 to 960,600 ('width' and 'height')",
           "7:27: error: 'polygon' must be a list of 3 to 100 points [x, y]",
           "8:46: error: region 'e' has more than one shape; keep one of 'rect', 'circle' or 'polygon'",
           "9:4: error: region 'f' needs a shape: 'rect' [x, y, w, h], 'circle' [cx, cy, r] or 'polygon' [[x, y], "
           "...]",
           "10:24: error: region 'g' has no area: width and height must be positive",
           "11:27: error: region 'h' has no area: its points lie on one line",
           "12:35: error: a coordinate must be a number, not a string",
           "3:46: error: 'max_clicks' is 1 but 2 regions carry marks: full marks would be impossible",
           "13:60: error: 'pics/m.gif' must be a path inside the package's assets/ folder, like "
           "\"assets/picture.png\"",
           "14:12: error: 'width' must be between 1 and 10000, not 0",
           "14:44: error: 'max_clicks' is 1 but 2 regions carry marks: full marks would be impossible", NULL);
    unload(&f);
}

/* ---- sections and draws -------------------------------------------------- */

static const char *const pool_questions =
    " 'questions': [\n"
    "  {'id': 'p1', 'type': 'truefalse', 'text': 'A', 'correct': true, 'tags': ['phish', 'mail']},\n"
    "  {'id': 'p2', 'type': 'truefalse', 'text': 'B', 'correct': true, 'tags': ['phish']},\n"
    "  {'id': 'p3', 'type': 'truefalse', 'text': 'C', 'correct': true, 'tags': ['phish', 'mail']},\n"
    "  {'id': 'u1', 'type': 'truefalse', 'text': 'D', 'correct': true, 'tags': ['usb']},\n"
    "  {'id': 'd1', 'type': 'description', 'text': 'E'},\n"
    "  {'id': 'x', 'type': 'truefalse', 'text': 'F', 'correct': true, 'tags': ['bad tag']}]}";

static void load_sections(Fx *f, const char *sections)
{
    char src[4000];
    snprintf(src, sizeof src, "{'sections': [%s],\n%s", sections, pool_questions);
    load(f, src);
}

static void test_fixed_sections(void **state)
{
    (void)state;
    Fx f;
    load_sections(&f, "{'questions': ['p1', 'p9', 'p1', 'x']}, {'questions': ['p1', 3]}, {'questions': []},\n"
                      " {'title': 'T'}, {'questions': ['p2'], 'draw': {'count': 1}}, 7");
    expect(&f,
           "9:75: error: 'bad tag' is not a valid tag (1-64 letters, digits, '.', '_' or '-', starting with a "
           "letter or digit)",
           "1:36: error: unknown question 'p9' (the quiz's questions are p1, p2, p3, u1, d1, x)",
           "1:42: error: question 'p1' is already in this section; a question is asked at most once per attempt",
           "1:70: error: question 'p1' is already in section 1; a question is asked at most once per attempt",
           "1:76: error: a section's questions are question ids (strings), not a number",
           "1:95: error: a section needs at least one question",
           "2:2: error: a section needs 'questions' (a list of question ids) or 'draw' ({\"tags\": [...], \"count\": "
           "N})",
           "2:18: error: a section has either 'questions' or 'draw', not both; make two sections",
           "2:63: error: a section must be an object with \"questions\" or \"draw\", not a number",
           "5:10: warning: question 'p2' is never asked: no section lists it and no draw's tags match it",
           "6:10: warning: question 'p3' is never asked: no section lists it and no draw's tags match it",
           "7:10: warning: question 'u1' is never asked: no section lists it and no draw's tags match it",
           "8:10: warning: question 'd1' is never asked: no section lists it and no draw's tags match it", NULL);
    assert_int_equal(f.quiz->nsections, 6);
    assert_int_equal(f.quiz->sections[0].nquestions, 2);
    assert_int_equal(f.quiz->sections[0].questions[1], 5);
    assert_int_equal(f.quiz->slots, 2);
    unload(&f);
}

static void test_draws(void **state)
{
    (void)state;
    Fx f;
    /* p1 is fixed, so the 'phish' pool is p2 and p3. */
    load_sections(&f, "{'questions': ['p1', 'd1', 'x']}, {'draw': {'tags': ['phish'], 'count': 3}},\n"
                      " {'draw': {'tags': ['mail', 'usb'], 'count': 1}}, {'draw': {'tags': ['phising'], 'count': 1}},\n"
                      " {'draw': {'tags': ['usb'], 'count': 1, 'seed': 4}}, {'draw': {'tags': ['mail'], 'count': 0}}");
    expect(&f,
           "10:75: error: 'bad tag' is not a valid tag (1-64 letters, digits, '.', '_' or '-', starting with a "
           "letter or digit)",
           "2:70: error: no question has the tag 'phising'",
           "3:41: warning: unknown member 'seed' in a draw (ignored)",
           "3:91: error: 'count' must be between 1 and 1000, not 0",
           "1:87: error: this draw needs 3 questions but only 2 match and are not in a fixed section (p2, p3)",
           "2:46: error: no question has all of the tags 'mail', 'usb' (a drawn question must have every tag "
           "listed)", NULL);
    const dh_QuizSection *s = f.quiz->sections;
    assert_true(s[1].draw);
    assert_int_equal(s[1].npool, 2);
    assert_int_equal(s[1].pool[0], 1);
    assert_int_equal(s[2].npool, 0);
    assert_int_equal(s[4].npool, 1);
    assert_int_equal(s[4].pool[0], 3);
    unload(&f);

    load_sections(&f, "{'questions': ['p1', 'p2', 'p3', 'd1', 'x']}, {'draw': {'tags': ['phish'], 'count': 1}},\n"
                      " {'draw': {'count': 1}}");
    expect(&f,
           "9:75: error: 'bad tag' is not a valid tag (1-64 letters, digits, '.', '_' or '-', starting with a "
           "letter or digit)",
           "1:99: error: every question the draw's tags match is already in a fixed section, so the draw has "
           "nothing left (a question is asked at most once per attempt)", NULL);
    /* The tagless draw takes any question not fixed: u1. */
    assert_int_equal(f.quiz->sections[2].npool, 1);
    unload(&f);
}

static void test_draws_compete(void **state)
{
    (void)state;
    Fx f;
    /* Alone each draw can be filled; together 'phish' x2 and 'mail' x2 need
     * four different questions from p1, p2, p3. */
    load_sections(&f, "{'draw': {'tags': ['mail'], 'count': 2}}, {'draw': {'tags': ['phish'], 'count': 2}},\n"
                      " {'questions': ['u1', 'd1', 'x']}");
    expect(&f,
           "9:75: error: 'bad tag' is not a valid tag (1-64 letters, digits, '.', '_' or '-', starting with a "
           "letter or digit)",
           "1:95: error: the draws of sections 1, 2 share their questions: together they need 4 different "
           "questions but only 3 match them", NULL);
    unload(&f);

    /* Order matters to a greedy draw but not to the check: 'phish' x2 may
     * take p1 and p3 first, and the matching moves one of them. */
    load_sections(&f, "{'draw': {'tags': ['phish'], 'count': 2}}, {'draw': {'tags': ['mail'], 'count': 1}},\n"
                      " {'questions': ['u1', 'd1', 'x']}");
    expect(&f,
           "9:75: error: 'bad tag' is not a valid tag (1-64 letters, digits, '.', '_' or '-', starting with a "
           "letter or digit)", NULL);
    assert_int_equal(f.quiz->slots, 6);
    unload(&f);
}

/* ---- overall feedback ---------------------------------------------------- */

static void test_overall_feedback(void **state)
{
    (void)state;
    Fx f;
    load(&f, "{'questions': [{'id': 'q', 'type': 'truefalse', 'text': 'T', 'correct': true}],\n"
             " 'overall_feedback': [{'min': 0.5, 'text': 'A'}, {'min': 1.5, 'text': 'B'}, {'min': 0.5, 'text': 'C'},\n"
             "   {'text': 'D'}, {'min': 0}, 'E']}");
    expect(&f,
           "2:58: error: 'min' must be between 0 and 1 (a fraction of the maximum score), not 1.5",
           "2:85: error: another feedback band already starts at 0.5",
           "3:4: error: missing required member 'min'",
           "3:19: error: missing required member 'text'",
           "3:31: error: a feedback band must be an object with \"min\" and \"text\", not a string", NULL);
    assert_int_equal(f.quiz->nfeedback, 1);
    unload(&f);
}

/* ---- the markup tokenizer ------------------------------------------------ */

static void test_markup_next(void **state)
{
    (void)state;
    const char *s = "From {{h1:pay-roll}} [[2]] x}";
    size_t pos = 0;
    dh_MarkupToken t;
    assert_int_equal(dh_markup_next(s, &pos, DH_MARKUP_SPANS, &t), DH_MARKUP_OK);
    assert_int_equal(t.kind, DH_MARKUP_TEXT);
    assert_int_equal(t.text_len, 5);
    assert_int_equal(dh_markup_next(s, &pos, DH_MARKUP_SPANS, &t), DH_MARKUP_OK);
    assert_int_equal(t.kind, DH_MARKUP_SPAN);
    assert_int_equal(t.off, 5);
    assert_int_equal(t.len, 15);
    assert_memory_equal(t.id, "h1", 2);
    assert_int_equal(t.id_len, 2);
    assert_int_equal(t.text_len, 8);
    assert_memory_equal(t.text, "pay-roll", 8);
    /* Gap markup is plain text in a hottext question. */
    assert_int_equal(dh_markup_next(s, &pos, DH_MARKUP_SPANS, &t), DH_MARKUP_OK);
    assert_int_equal(t.kind, DH_MARKUP_TEXT);
    assert_int_equal(t.text_len, 9);
    assert_int_equal(dh_markup_next(s, &pos, DH_MARKUP_SPANS, &t), DH_MARKUP_END);

    pos = 0;
    s = "[[12]][[3]]";
    assert_int_equal(dh_markup_next(s, &pos, DH_MARKUP_GAPS, &t), DH_MARKUP_OK);
    assert_int_equal(t.kind, DH_MARKUP_GAP);
    assert_int_equal(t.gap, 12);
    assert_int_equal(dh_markup_next(s, &pos, DH_MARKUP_GAPS, &t), DH_MARKUP_OK);
    assert_int_equal(t.gap, 3);
    assert_int_equal(t.off, 6);
    assert_int_equal(dh_markup_next(s, &pos, DH_MARKUP_GAPS, &t), DH_MARKUP_END);

    static const struct {
        const char *s;
        dh_MarkupSyntax syn;
        dh_MarkupResult r;
        size_t off;
    } bad[] = {
        {"a [[1000]]", DH_MARKUP_GAPS, DH_MARKUP_BAD_GAP, 2},
        {"a [[]]", DH_MARKUP_GAPS, DH_MARKUP_BAD_GAP, 2},
        {"a [[ 1]]", DH_MARKUP_GAPS, DH_MARKUP_BAD_GAP, 2},
        {"a [[1", DH_MARKUP_GAPS, DH_MARKUP_UNCLOSED, 2},
        {"a ]]", DH_MARKUP_GAPS, DH_MARKUP_STRAY_CLOSE, 2},
        {"{{a:}}", DH_MARKUP_SPANS, DH_MARKUP_NO_TEXT, 0},
        {"{{:x}}", DH_MARKUP_SPANS, DH_MARKUP_BAD_ID, 0},
        {"{{a:x", DH_MARKUP_SPANS, DH_MARKUP_UNCLOSED, 0},
        {"{{a:x {{b:y", DH_MARKUP_SPANS, DH_MARKUP_NESTED, 6},
        {"{{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:x}}", DH_MARKUP_SPANS,
         DH_MARKUP_BAD_ID, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pos = 0;
        dh_MarkupResult r;
        while ((r = dh_markup_next(bad[i].s, &pos, bad[i].syn, &t)) == DH_MARKUP_OK) {}
        if (r != bad[i].r || t.off != bad[i].off)
            fail_msg("'%s': got %d at %zu, want %d at %zu", bad[i].s, r, t.off, bad[i].r, bad[i].off);
    }
}

/* ---- the sample course's quiz -------------------------------------------- */

static void test_sample_quiz(void **state)
{
    (void)state;
    const char *path = DH_SOURCE_DIR "/courses/awareness-essentials/quizzes/check.json";
    FILE *fp = fopen(path, "rb");
    if (!fp) fail_msg("cannot open %s", path);
    static char text[200000];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    assert_true(n > 0 && n < sizeof text - 1);
    Fx f;
    memset(&f, 0, sizeof f);
    dh_arena_init(&f.arena);
    dh_diags_init(&f.diags);
    assert_int_equal(dh_json_parse(&f.doc, "quizzes/q.json", text, n, &f.diags), DH_OK);
    f.c = (dh_LoadCtx){&f.arena, &f.diags, &f.doc, NULL, en, 1, false};
    assert_int_equal(dh_quiz_parse(&f.c, f.doc.root, &f.quiz), DH_OK);
    expect(&f, NULL);
    const dh_Quiz *q = f.quiz;
    /* The intro promises ten questions (plus one situation to read, a
     * description), 80% to pass, three attempts. */
    assert_int_equal(q->slots, 11);
    assert_true(q->settings.pass == 0.8);
    assert_int_equal(q->settings.attempts, 3);
    /* Every type is used. */
    bool used[DH_QUESTION_DESCRIPTION + 1] = {false};
    for (int i = 0; i < q->nquestions; i++) used[q->questions[i].type] = true;
    for (int t = 0; t <= DH_QUESTION_DESCRIPTION; t++)
        if (!used[t]) fail_msg("the sample quiz has no '%s' question", dh_question_type_name((dh_QuestionType)t));
    /* Each draw can pick from more questions than it takes. */
    for (int s = 0; s < q->nsections; s++)
        if (q->sections[s].draw) assert_true(q->sections[s].npool > q->sections[s].count);
    const dh_Question *spot = &q->questions[dh_quiz_question_index(q, "mail-hotspot")];
    assert_string_equal(spot->image, "assets/phishing-mail.png");
    assert_int_equal(spot->u.hotspot.nregions, 6);
    unload(&f);
}

/* ---- out of memory ------------------------------------------------------- */

static void test_out_of_memory(void **state)
{
    (void)state;
    /* Fail the nth allocation of the parse for every n until it succeeds:
     * each run returns DH_ENOMEM or DH_OK and frees everything (ASan). The
     * second quiz takes the paths that report errors. */
    char bad[4000];
    snprintf(bad, sizeof bad, "{'sections': [{'draw': {'tags': ['mail'], 'count': 2}}, {'questions': ['u1', 'zz']},\n"
             "{'draw': {'tags': ['phish'], 'count': 2}}],\n%s", pool_questions);
    const char *const sources[] = {full_quiz, bad};
    for (int s = 0; s < 2; s++) {
        for (long n = 1;; n++) {
            Fx f;
            char *text = dh_strdup(sources[s]);
            assert_non_null(text);
            for (char *p = text; *p; p++)
                if (*p == '\'') *p = '"';
            memset(&f, 0, sizeof f);
            dh_arena_init(&f.arena);
            dh_diags_init(&f.diags);
            assert_int_equal(dh_json_parse(&f.doc, "quizzes/q.json", text, strlen(text), &f.diags), DH_OK);
            dh_free(text);
            f.c = (dh_LoadCtx){&f.arena, &f.diags, &f.doc, NULL, en, 1, false};
            dh_alloc_fail_after(n);
            dh_Status st = dh_quiz_parse(&f.c, f.doc.root, &f.quiz);
            dh_alloc_fail_after(0);
            int errors = f.diags.errors;
            unload(&f);
            if (st == DH_OK) {
                assert_true(n > 1);
                assert_true(s == 0 ? errors == 0 : errors > 0);
                break;
            }
            assert_int_equal(st, DH_ENOMEM);
            assert_true(f.c.oom);
            assert_true(n < 10000);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_model),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_settings_errors),
        cmocka_unit_test(test_question_ids_and_types),
        cmocka_unit_test(test_not_an_object),
        cmocka_unit_test(test_image_needs_alt),
        cmocka_unit_test(test_inline_markup),
        cmocka_unit_test(test_single_and_multiple),
        cmocka_unit_test(test_truefalse_short_numeric),
        cmocka_unit_test(test_matching_and_ordering),
        cmocka_unit_test(test_gapselect),
        cmocka_unit_test(test_translations_need_same_marks),
        cmocka_unit_test(test_hottext),
        cmocka_unit_test(test_hotspot),
        cmocka_unit_test(test_fixed_sections),
        cmocka_unit_test(test_draws),
        cmocka_unit_test(test_draws_compete),
        cmocka_unit_test(test_overall_feedback),
        cmocka_unit_test(test_markup_next),
        cmocka_unit_test(test_sample_quiz),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
