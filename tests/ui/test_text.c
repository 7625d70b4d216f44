/* test_text: the text engine keeps every character, breaks lines only where
 * the language allows, and fits the box, in every partner nation's script.
 *
 * Each sample paragraph (text_samples.h) is laid out at several narrow widths
 * and checked against properties a reader cares about: the lines, plus the
 * white space dropped at breaks, give back the input byte for byte; every
 * break is one ICU's line-break iterator allows (computed here independently,
 * on the caller's string) or splits a word that alone is wider than the box;
 * no line is wider than the box unless it is a single grapheme cluster; words
 * a reader knows are never cut, no line starts with a combining mark or
 * closing punctuation, and no Thai/Lao line ends with a leading vowel. Other
 * tests prove that TTF_SetFontScriptName changes shaping (so setting it
 * matters), that markup keeps byte ranges in the caller's string, that a
 * character no font has is drawn as a box, that the cache hits, and that
 * running out of memory anywhere is survived. Runs headless (software
 * renderer on a surface, SDL_VIDEODRIVER=offscreen).
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc.h"
#include "text.h"
#include "text_samples.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

static ui_Text *engine;

static int setup(void **state)
{
    (void)state;
    setenv("SDL_VIDEODRIVER", "offscreen", 0);
    dh_Error err;
    if (ui_text_open(&engine, NULL, &err) != DH_OK) {
        fprintf(stderr, "ui_text_open: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ui_text_close(engine);
    return 0;
}

static ui_TextStyle style_for(const char *lang, int size)
{
    ui_TextStyle st = {.size_px = size, .color = {0, 0, 0, 255}, .lang = lang};
    return st;
}

/* ---- independent references ------------------------------------------------ */

/* Byte offsets (in s) where ICU's line-break iterator for lang allows a break. */
static bool *icu_breaks(const char *s, const char *lang)
{
    size_t n = strlen(s);
    bool *ok = calloc(n + 1, 1);
    UChar *u = malloc((n + 1) * sizeof *u);
    int32_t *to8 = malloc((n + 2) * sizeof *to8);
    assert_non_null(ok);
    assert_non_null(u);
    assert_non_null(to8);
    int32_t k = 0;
    for (int32_t i = 0; i < (int32_t)n;) {
        int32_t at = i;
        UChar32 c;
        U8_NEXT(s, i, (int32_t)n, c);
        if (c < 0) c = 0xFFFD;
        int32_t k0 = k;
        U16_APPEND_UNSAFE(u, k, c);
        for (int32_t j = k0; j < k; j++) to8[j] = at;
    }
    to8[k] = (int32_t)n;
    char loc[64];
    UErrorCode st = U_ZERO_ERROR;
    uloc_forLanguageTag(lang, loc, sizeof loc, NULL, &st);
    st = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_LINE, loc, u, k, &st);
    assert_true(U_SUCCESS(st));
    for (int32_t p = ubrk_first(bi); p != UBRK_DONE; p = ubrk_next(bi)) ok[to8[p]] = true;
    ubrk_close(bi);
    free(u);
    free(to8);
    return ok;
}

static int graphemes(const char *s, size_t n)
{
    UChar u[1024];
    int32_t len = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(u, 1024, &len, s, (int32_t)n, &st);
    assert_true(U_SUCCESS(st));
    st = U_ZERO_ERROR;
    UBreakIterator *bi = ubrk_open(UBRK_CHARACTER, "en", u, len, &st);
    int c = 0;
    for (int32_t p = ubrk_next(bi); p != UBRK_DONE; p = ubrk_next(bi)) c++;
    ubrk_close(bi);
    return c;
}

static bool only_space(const char *s, size_t a, size_t b, const char *also)
{
    for (int32_t i = (int32_t)a; i < (int32_t)b;) {
        UChar32 c;
        U8_NEXT(s, i, (int32_t)b, c);
        if (c >= 0 && u_isUWhiteSpace(c)) continue;
        if (c > 0 && c < 128 && also && strchr(also, (int)c)) continue;
        return false;
    }
    return true;
}

static UChar32 cp_at(const char *s, size_t i)
{
    UChar32 c;
    int32_t k = (int32_t)i;
    U8_NEXT(s, k, (int32_t)strlen(s), c);
    return c;
}

static UChar32 cp_before(const char *s, size_t i)
{
    UChar32 c;
    int32_t k = (int32_t)i;
    U8_PREV(s, 0, k, c);
    return c;
}

/* Width of s[a..b) laid out alone on one line. */
static int alone_width(const char *s, size_t a, size_t b, const char *lang, int size)
{
    char buf[1024];
    assert_true(b - a < sizeof buf);
    memcpy(buf, s + a, b - a);
    buf[b - a] = 0;
    ui_TextStyle st = style_for(lang, size);
    ui_Layout *l = ui_text_layout(engine, buf, &st, 0);
    assert_non_null(l);
    int w = ui_layout_width(l);
    ui_layout_free(l);
    return w;
}

/* Is the unbreakable segment (between ICU's breaks) around byte p wider than
 * the box? Only then may a line end inside it. */
static bool too_wide_at(const char *s, const bool *allowed, size_t p, const char *lang, int size, int width)
{
    size_t n = strlen(s), ws = p, we = p;
    while (ws > 0 && !allowed[ws]) ws--;
    while (we < n && !allowed[we]) we++;
    while (we > ws && u_isUWhiteSpace(cp_before(s, we))) we--;
    return alone_width(s, ws, we, lang, size) > width;
}

/* ---- the properties ---------------------------------------------------------- */

static void check_paragraph(const TextSample *sm, int width, int size)
{
    const char *s = sm->text;
    size_t n = strlen(s);
    ui_TextStyle st = style_for(sm->lang, size);
    ui_Layout *l = ui_text_layout(engine, s, &st, width);
    assert_non_null(l);
    bool *allowed = icu_breaks(s, sm->lang);
    int lines = ui_layout_lines(l);
    assert_true(lines >= 1);
    size_t prev_end = 0;
    int prev_y = -1;
    for (int i = 0; i < lines; i++) {
        size_t a, b;
        int y, h;
        ui_layout_line(l, i, &a, &b, &y, &h);
        /* (1) nothing lost: lines in order, only white space between them */
        assert_true(a <= b && b <= n);
        assert_true(a >= prev_end);
        if (!only_space(s, prev_end, a, NULL))
            fail_msg("%s at %d px: bytes %zu..%zu between lines %d and %d are not white space", sm->name, width,
                     prev_end, a, i - 1, i);
        if (i == 0) assert_int_equal(a, 0);
        assert_true(y > prev_y && h > 0);
        prev_y = y;
        /* (2) every break is allowed by ICU, or splits a word too wide to fit */
        if (i > 0 && !allowed[a] && !too_wide_at(s, allowed, a, sm->lang, size, width))
            fail_msg("%s at %d px: line %d starts at byte %zu, where ICU allows no break, yet the word fits",
                     sm->name, width, i, a);
        /* (3) fits the box unless it is a single grapheme cluster */
        int lw = ui_layout_line_width(l, i);
        if (lw > width && graphemes(s + a, b - a) > 1)
            fail_msg("%s at %d px: line %d is %d px wide: \"%.*s\"", sm->name, width, i, lw, (int)(b - a), s + a);
        if (b > a) assert_true(lw > 0);
        /* readers' rules: no line starts with a mark or closing punctuation,
         * none ends with a leading vowel, a coeng, a virama or an opening bracket */
        if (b > a) {
            UChar32 first = cp_at(s, a), last = cp_before(s, b);
            int8_t ty = u_charType(first);
            if (ty == U_NON_SPACING_MARK || ty == U_COMBINING_SPACING_MARK || ty == U_ENCLOSING_MARK)
                fail_msg("%s at %d px: line %d starts with the mark U+%04X: \"%.*s\"", sm->name, width, i,
                         (unsigned)first, (int)(b - a), s + a);
            assert_false(first == 0x3002 || first == 0x3001 || first == 0xFF0C || first == 0x300D ||
                         first == 0xFF09 || first == 0xFF01 || first == 0xFF1F || first == 0x30FC);
            assert_false(last >= 0x0E40 && last <= 0x0E44); /* Thai เ แ โ ใ ไ */
            assert_false(last >= 0x0EC0 && last <= 0x0EC4); /* Lao */
            assert_false(last == 0x17D2 || last == 0x1039 || last == 0x094D);
            assert_false(last == 0x300C || last == 0xFF08 || last == 0x201C);
        }
        prev_end = b;
    }
    assert_true(only_space(s, prev_end, n, NULL));
    /* words a reader knows stay whole, when they fit the box at all */
    for (int w = 0; w < 6 && sm->words[w]; w++) {
        const char *word = sm->words[w];
        size_t wl = strlen(word);
        if (alone_width(word, 0, wl, sm->lang, size) > width) continue;
        for (const char *p = strstr(s, word); p; p = strstr(p + 1, word)) {
            size_t o = (size_t)(p - s);
            for (int i = 1; i < lines; i++) {
                size_t a;
                ui_layout_line(l, i, &a, NULL, NULL, NULL);
                if (a <= o || a >= o + wl) continue;
                /* inside the word: only a word too wide for the box (checked
                 * above) may be split, and ICU itself must not allow it */
                if (allowed[a] || !too_wide_at(s, allowed, a, sm->lang, size, width))
                    fail_msg("%s at %d px: \"%s\" is split by line %d", sm->name, width, word, i);
            }
        }
    }
    free(allowed);
    ui_layout_free(l);
}

static void test_every_language_every_width(void **state)
{
    (void)state;
    static const int widths[] = {60, 120, 200, 320, 555};
    for (int i = 0; i < TEXT_SAMPLE_COUNT; i++)
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
            check_paragraph(&text_samples[i], widths[w], 20);
            check_paragraph(&text_samples[i], widths[w] * 2, 37);
        }
}

/* Greedy filling: a line is never broken early when the next word fits. */
static void test_lines_are_full(void **state)
{
    (void)state;
    for (int i = 0; i < TEXT_SAMPLE_COUNT; i++) {
        const TextSample *sm = &text_samples[i];
        ui_TextStyle st = style_for(sm->lang, 20);
        ui_Layout *l = ui_text_layout(engine, sm->text, &st, 300);
        assert_non_null(l);
        bool *allowed = icu_breaks(sm->text, sm->lang);
        for (int k = 0; k + 1 < ui_layout_lines(l); k++) {
            size_t a, b, a2, b2;
            ui_layout_line(l, k, &a, &b, NULL, NULL);
            ui_layout_line(l, k + 1, &a2, &b2, NULL, NULL);
            /* the next line's first breakable piece would not have fitted */
            size_t e = a2 + 1;
            while (e < b2 && !allowed[e]) e++;
            while (e > a2 && u_isUWhiteSpace(cp_before(sm->text, e))) e--;
            if (sm->lang[0] == 'k' && sm->lang[1] == 'o') continue; /* keep-all drops breaks */
            int w = alone_width(sm->text, a, e, sm->lang, 20);
            if (w <= 300)
                fail_msg("%s: line %d ends early: \"%.*s\" (%d px) fits in 300 px", sm->name, k, (int)(e - a),
                         sm->text + a, w);
        }
        free(allowed);
        ui_layout_free(l);
    }
}

/* ---- hard breaks, empty text, markup --------------------------------------------- */

static void expect_line(ui_Layout *l, int i, size_t a, size_t b)
{
    size_t s, e;
    ui_layout_line(l, i, &s, &e, NULL, NULL);
    assert_int_equal(s, a);
    assert_int_equal(e, b);
}

static void test_hard_breaks(void **state)
{
    (void)state;
    ui_TextStyle st = style_for("en", 20);
    const char *s = "Line one\nLine two  \n\nLine four\n";
    ui_Layout *l = ui_text_layout(engine, s, &st, 0);
    assert_int_equal(ui_layout_lines(l), 5);
    expect_line(l, 0, 0, 8);
    expect_line(l, 1, 9, 17);   /* trailing spaces before a newline don't count */
    expect_line(l, 2, 20, 20);  /* an empty paragraph */
    expect_line(l, 3, 21, 30);
    expect_line(l, 4, 31, 31);  /* after the final newline */
    int h0, h4, y4;
    ui_layout_line(l, 0, NULL, NULL, NULL, &h0);
    ui_layout_line(l, 4, NULL, NULL, &y4, &h4);
    assert_int_equal(h0, h4);
    assert_int_equal(y4, 4 * h0);
    assert_int_equal(ui_layout_height(l), 5 * h0);
    ui_layout_free(l);

    /* CR LF is one break; newlines win over a wide box, in Thai too */
    st.lang = "th";
    s = "ความปลอดภัย\r\nของคุณ";
    l = ui_text_layout(engine, s, &st, 2000);
    assert_int_equal(ui_layout_lines(l), 2);
    expect_line(l, 0, 0, strlen("ความปลอดภัย"));
    expect_line(l, 1, strlen("ความปลอดภัย\r\n"), strlen(s));
    ui_layout_free(l);

    /* in a narrow box, a newline still starts the next line right after it */
    s = text_samples[1].text;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s\n%s", s, s);
    l = ui_text_layout(engine, buf, &st, 150);
    bool seen = false;
    for (int i = 0; i < ui_layout_lines(l); i++) {
        size_t a, b;
        ui_layout_line(l, i, &a, &b, NULL, NULL);
        assert_false(a <= strlen(s) && strlen(s) < b); /* the newline is never inside a line */
        if (a == strlen(s) + 1) seen = true;
    }
    assert_true(seen);
    ui_layout_free(l);
}

static void test_empty_and_spaces(void **state)
{
    (void)state;
    ui_TextStyle st = style_for("en", 20);
    ui_Layout *l = ui_text_layout(engine, "", &st, 100);
    assert_int_equal(ui_layout_lines(l), 1);
    expect_line(l, 0, 0, 0);
    assert_true(ui_layout_height(l) > 0);
    assert_int_equal(ui_layout_width(l), 0);
    ui_layout_free(l);
    l = ui_text_layout(engine, "   ", &st, 100);
    assert_int_equal(ui_layout_lines(l), 1);
    expect_line(l, 0, 0, 0);
    ui_layout_free(l);
    l = ui_text_layout(engine, NULL, &st, 100);
    assert_int_equal(ui_layout_lines(l), 1);
    ui_layout_free(l);
}

/* Markup: ranges are in the caller's string, markers are never cut in half,
 * and only white space and markers lie between lines. */
static void check_markup(const char *s, const char *lang, int width)
{
    ui_TextStyle st = style_for(lang, 20);
    st.markup = true;
    ui_Layout *l = ui_text_layout(engine, s, &st, width);
    assert_non_null(l);
    size_t prev = 0, n = strlen(s);
    for (int i = 0; i < ui_layout_lines(l); i++) {
        size_t a, b;
        ui_layout_line(l, i, &a, &b, NULL, NULL);
        assert_true(a >= prev && a <= b && b <= n);
        if (!only_space(s, prev, a, "*`\\"))
            fail_msg("\"%s\" at %d px: bytes %zu..%zu between lines are not space or markers", s, width, prev, a);
        /* a line's text starts and ends on visible characters, never inside a marker */
        if (b > a) {
            assert_false(s[a] == '*' && (a == 0 || s[a - 1] != '\\'));
            assert_false(s[a] == '`');
            assert_false(s[b - 1] == '*' && (b < 2 || s[b - 2] != '\\'));
            assert_false(s[b - 1] == '`');
        }
        prev = b;
    }
    assert_true(only_space(s, prev, n, "*`\\"));
    ui_layout_free(l);
}

static void test_markup_ranges(void **state)
{
    (void)state;
    const char *en = "Report **suspicious** e-mails to your `security officer` *at once*, and \\*never\\* reply.";
    const char *th = "**รายงาน**อีเมลที่*น่าสงสัย*ต่อ`เจ้าหน้าที่`รักษาความปลอดภัย";
    const char *km = "សូម**រាយការណ៍**អំពីអ៊ីមែល*ដែលគួរឱ្យសង្ស័យ*ទៅ`មន្ត្រីសន្តិសុខ`";
    for (int w = 40; w <= 400; w += 30) {
        check_markup(en, "en", w);
        check_markup(th, "th", w);
        check_markup(km, "km", w);
    }
    /* one line: the range spans the visible text, markers inside it */
    ui_TextStyle st = style_for("en", 20);
    st.markup = true;
    ui_Layout *l = ui_text_layout(engine, "**Stop** and `think`", &st, 0);
    expect_line(l, 0, 2, 19);
    ui_layout_free(l);
    /* broken markup is drawn literally: nothing is lost */
    l = ui_text_layout(engine, "an **unclosed marker", &st, 0);
    expect_line(l, 0, 0, strlen("an **unclosed marker"));
    ui_layout_free(l);
}

/* Spans really switch faces: bold is wider, code is monospaced. */
static void test_markup_faces(void **state)
{
    (void)state;
    ui_TextStyle st = style_for("en", 24);
    st.markup = true;
    ui_Layout *plain = ui_text_layout(engine, "security officer", &st, 0);
    ui_Layout *bold = ui_text_layout(engine, "**security officer**", &st, 0);
    ui_Layout *code = ui_text_layout(engine, "`iiiiiiii`", &st, 0);
    ui_Layout *thin = ui_text_layout(engine, "iiiiiiii", &st, 0);
    ui_Layout *wide = ui_text_layout(engine, "`mmmmmmmm`", &st, 0);
    assert_true(ui_layout_width(bold) > ui_layout_width(plain));
    assert_true(ui_layout_width(code) > ui_layout_width(thin) * 3 / 2);
    assert_true(abs(ui_layout_width(code) - ui_layout_width(wide)) <= 2);
    ui_layout_free(plain);
    ui_layout_free(bold);
    ui_layout_free(code);
    ui_layout_free(thin);
    ui_layout_free(wide);
    /* the whole-text flags do the same without markup */
    st.markup = false;
    st.flags = UI_TEXT_STRONG;
    bold = ui_text_layout(engine, "security officer", &st, 0);
    st.flags = 0;
    plain = ui_text_layout(engine, "security officer", &st, 0);
    assert_true(ui_layout_width(bold) > ui_layout_width(plain));
    ui_layout_free(plain);
    ui_layout_free(bold);
}

/* ---- shaping ------------------------------------------------------------------- */

static const char *font_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "/usr/share/fonts/truetype/noto/%s", name);
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    fclose(f);
    return p;
}

/* Without TTF_SetFontScriptName, SDL_ttf shapes Khmer, Myanmar and Devanagari
 * wrongly: prove the difference, then prove the engine measures the right one. */
static void test_script_name_matters(void **state)
{
    (void)state;
    static const struct {
        const char *file, *script, *lang, *text;
    } cases[] = {
        {"NotoSansKhmer-Regular.ttf", "Khmr", "km", "មន្ត្រីសន្តិសុខ ស្គាល់ ភ្ជាប់"},
        {"NotoSansMyanmar-Regular.ttf", "Mymr", "my", "လုံခြုံရေး ဖြစ်ဖွယ် စကားဝှက်"},
        {"NotoSansDevanagari-Regular.ttf", "Deva", "hi", "संदिग्ध अज्ञात प्रेषकों सहकर्मियों"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = font_path(cases[i].file);
        if (!path) fail_msg("%s is missing: install fonts-noto-core", cases[i].file);
        TTF_Font *plain = TTF_OpenFont(path, 40);
        TTF_Font *set = TTF_OpenFont(path, 40);
        assert_non_null(plain);
        assert_non_null(set);
        /* the engine's hinting, so that widths compare like for like */
        TTF_SetFontHinting(plain, TTF_HINTING_LIGHT);
        TTF_SetFontHinting(set, TTF_HINTING_LIGHT);
        assert_int_equal(TTF_SetFontScriptName(set, cases[i].script), 0);
        int wp, ws, h;
        assert_int_equal(TTF_SizeUTF8(plain, cases[i].text, &wp, &h), 0);
        assert_int_equal(TTF_SizeUTF8(set, cases[i].text, &ws, &h), 0);
        SDL_Color black = {0, 0, 0, 255};
        SDL_Surface *sp = TTF_RenderUTF8_Blended(plain, cases[i].text, black);
        SDL_Surface *ss = TTF_RenderUTF8_Blended(set, cases[i].text, black);
        assert_non_null(sp);
        assert_non_null(ss);
        bool differ = sp->w != ss->w || sp->h != ss->h;
        for (int y = 0; !differ && y < sp->h; y++)
            differ = memcmp((Uint8 *)sp->pixels + y * sp->pitch, (Uint8 *)ss->pixels + y * ss->pitch,
                            (size_t)sp->w * 4) != 0;
        if (!differ) fail_msg("%s: shaping with and without the script is identical", cases[i].script);
        SDL_FreeSurface(sp);
        SDL_FreeSurface(ss);
        /* the engine measures as the font with the script set does */
        ui_TextStyle st = style_for(cases[i].lang, 40);
        ui_Layout *l = ui_text_layout(engine, cases[i].text, &st, 0);
        assert_int_equal(ui_layout_lines(l), 1);
        int ew = ui_layout_width(l);
        if (ws != wp) {
            assert_true(abs(ew - ws) <= 2); /* pieces joined at spaces may round differently */
            assert_true(abs(ew - wp) > 2);
        }
        printf("  %s: %d px with the script set, %d px without, engine %d px\n", cases[i].script, ws, wp, ew);
        ui_layout_free(l);
        TTF_CloseFont(plain);
        TTF_CloseFont(set);
    }
}

/* ---- drawing ----------------------------------------------------------------------- */

typedef struct Canvas {
    SDL_Surface *s;
    SDL_Renderer *r;
    ui_Text *t;
} Canvas;

static void canvas_open(Canvas *c, int w, int h)
{
    c->s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(c->s);
    c->r = SDL_CreateSoftwareRenderer(c->s);
    assert_non_null(c->r);
    dh_Error err;
    assert_int_equal(ui_text_open(&c->t, c->r, &err), DH_OK);
    SDL_SetRenderDrawColor(c->r, 255, 255, 255, 255);
    SDL_RenderClear(c->r);
}

static void canvas_close(Canvas *c)
{
    ui_text_close(c->t);
    SDL_DestroyRenderer(c->r);
    SDL_FreeSurface(c->s);
}

/* Dark pixels inside a rectangle. */
static int ink(const Canvas *c, int x0, int y0, int x1, int y1)
{
    int n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < c->s->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)c->s->pixels + (size_t)y * (size_t)c->s->pitch);
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < c->s->w; x++)
            if ((row[x] & 0xFF) < 128) n++;
    }
    return n;
}

static void test_draw_and_cache(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, 800, 600);
    ui_TextStyle st = style_for("th", 24);
    ui_Layout *l = ui_text_layout(c.t, text_samples[1].text, &st, 400);
    int lines = ui_layout_lines(l);
    assert_true(lines > 1);
    ui_layout_draw(c.t, l, 10, 10);
    SDL_RenderPresent(c.r);
    assert_true(ink(&c, 10, 10, 410, 10 + ui_layout_height(l)) > 500);
    assert_int_equal(ink(&c, 420, 0, 800, 600), 0); /* nothing outside the box */
    assert_int_equal(ink(&c, 0, 12 + ui_layout_height(l), 800, 600), 0);
    int tex;
    size_t bytes;
    long hits, misses;
    ui_text_stats(c.t, &tex, &bytes, &hits, &misses);
    assert_int_equal(misses, lines);
    assert_int_equal(hits, 0);
    assert_int_equal(tex, lines);
    assert_true(bytes > 0);
    ui_layout_draw(c.t, l, 10, 10);
    ui_text_stats(c.t, &tex, &bytes, &hits, &misses);
    assert_int_equal(hits, lines);
    assert_int_equal(misses, lines);
    /* another colour is another texture */
    st.color.r = 200;
    ui_Layout *red = ui_text_layout(c.t, text_samples[1].text, &st, 400);
    ui_layout_draw(c.t, red, 10, 10);
    ui_text_stats(c.t, &tex, NULL, NULL, &misses);
    assert_int_equal(misses, 2 * lines);
    /* the cache is bounded */
    ui_text_set_cache_limit(c.t, 2, 0);
    ui_text_stats(c.t, &tex, NULL, NULL, NULL);
    assert_true(tex <= 2);
    ui_layout_draw(c.t, l, 10, 10);
    ui_text_stats(c.t, &tex, NULL, NULL, NULL);
    assert_true(tex <= 2);
    ui_text_flush(c.t);
    ui_text_stats(c.t, &tex, &bytes, NULL, NULL);
    assert_int_equal(tex, 0);
    assert_int_equal(bytes, 0);
    ui_layout_free(l);
    ui_layout_free(red);

    /* the convenience path draws the same and keeps the layout */
    SDL_RenderClear(c.r);
    st.color.r = 0;
    int h = ui_text_draw(c.t, "Report suspicious e-mails.", &st, 10, 10, 0);
    assert_true(h > 0);
    assert_true(ink(&c, 0, 0, 800, 600) > 100);
    canvas_close(&c);
}

/* A character no font has is a visible box, and takes room. */
static void test_tofu_is_visible(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, 400, 100);
    ui_TextStyle st = style_for("en", 30);
    const char *box = "\xF4\x8F\xBF\xBD"; /* U+10FFFD, private use: no font */
    ui_Layout *l = ui_text_layout(c.t, box, &st, 0);
    expect_line(l, 0, 0, 4);
    assert_true(ui_layout_width(l) >= 10);
    ui_layout_draw(c.t, l, 10, 10);
    assert_true(ink(&c, 10, 10, 10 + ui_layout_width(l), 10 + ui_layout_height(l)) > 20);
    ui_layout_free(l);
    /* invalid UTF-8 is drawn as U+FFFD and kept in the range */
    l = ui_text_layout(c.t, "a\xFF" "b", &st, 0);
    expect_line(l, 0, 0, 3);
    ui_Layout *ab = ui_text_layout(c.t, "ab", &st, 0);
    assert_true(ui_layout_width(l) > ui_layout_width(ab));
    ui_layout_free(ab);
    ui_layout_free(l);
    canvas_close(&c);
}

/* Han characters take the region's forms: the same code point draws
 * differently in Japanese and in Simplified Chinese (the face index in the
 * Noto CJK collection is chosen by language). */
static void test_cjk_region(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, 200, 100);
    ui_TextStyle st = style_for("ja", 60);
    const char *han = "\xE9\xAA\xA8\xE7\x9B\xB4"; /* 骨直: forms differ by region */
    ui_text_draw(c.t, han, &st, 0, 0, 0);
    SDL_Surface *ja = SDL_DuplicateSurface(c.s);
    SDL_RenderClear(c.r);
    st.lang = "zh-Hans";
    ui_text_draw(c.t, han, &st, 0, 0, 0);
    bool differ = false;
    for (int y = 0; !differ && y < ja->h; y++)
        differ = memcmp((Uint8 *)ja->pixels + y * ja->pitch, (Uint8 *)c.s->pixels + y * c.s->pitch,
                        (size_t)ja->w * 4) != 0;
    assert_true(differ);
    SDL_FreeSurface(ja);
    canvas_close(&c);
}

static void test_align(void **state)
{
    (void)state;
    Canvas c;
    canvas_open(&c, 600, 60);
    ui_TextStyle st = style_for("en", 20);
    st.align = 2;
    ui_text_draw(c.t, "Sign out", &st, 0, 0, 600);
    assert_int_equal(ink(&c, 0, 0, 450, 60), 0);
    assert_true(ink(&c, 500, 0, 600, 60) > 50);
    SDL_RenderClear(c.r);
    st.align = 1;
    ui_text_draw(c.t, "Sign out", &st, 0, 0, 600);
    assert_int_equal(ink(&c, 0, 0, 200, 60), 0);
    assert_int_equal(ink(&c, 400, 0, 600, 60), 0);
    assert_true(ink(&c, 250, 0, 350, 60) > 50);
    canvas_close(&c);
}

/* Scripts that stack marks get taller lines; all lines of a layout match. */
static void test_line_heights(void **state)
{
    (void)state;
    ui_TextStyle st = style_for("en", 20);
    ui_Layout *en = ui_text_layout(engine, text_samples[0].text, &st, 200);
    st.lang = "my";
    ui_Layout *my = ui_text_layout(engine, text_samples[3].text, &st, 200);
    int he, hm;
    ui_layout_line(en, 0, NULL, NULL, NULL, &he);
    ui_layout_line(my, 0, NULL, NULL, NULL, &hm);
    assert_int_equal(he, 30); /* 1.5 x 20 px */
    assert_true(hm > he);
    assert_true(ui_layout_baseline(en) > 0 && ui_layout_baseline(en) < he);
    st.line_spacing = 2.0f;
    st.lang = "en";
    ui_Layout *loose = ui_text_layout(engine, text_samples[0].text, &st, 200);
    ui_layout_line(loose, 0, NULL, NULL, NULL, &he);
    assert_int_equal(he, 40);
    ui_layout_free(en);
    ui_layout_free(my);
    ui_layout_free(loose);
}

/* A font a course ships is tried first for what it covers; the rest keeps
 * the built-in chain; a file that is not a font is refused with a reason. */
static void test_course_font(void **state)
{
    (void)state;
    FILE *f = fopen("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "rb");
    if (!f) fail_msg("DejaVuSerif.ttf is missing: install fonts-dejavu-core");
    static char data[1 << 20];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    assert_true(n > 1000 && n < sizeof data);
    ui_Text *t;
    dh_Error err;
    assert_int_equal(ui_text_open(&t, NULL, &err), DH_OK);
    ui_TextStyle st = style_for("en", 30);
    ui_Layout *before = ui_text_layout(t, "Report it", &st, 0);
    st.lang = "th";
    ui_Layout *th_before = ui_text_layout(t, "ความปลอดภัย", &st, 0);
    assert_int_equal(ui_text_add_font(t, "not a font", 10, "fonts/broken.ttf", &err), DH_EFORMAT);
    assert_non_null(strstr(err.msg, "fonts/broken.ttf"));
    assert_int_equal(ui_text_add_font(t, data, n, "fonts/DejaVuSerif.ttf", &err), DH_OK);
    st.lang = "en";
    ui_Layout *after = ui_text_layout(t, "Report it", &st, 0);
    st.lang = "th";
    ui_Layout *th_after = ui_text_layout(t, "ความปลอดภัย", &st, 0);
    assert_int_not_equal(ui_layout_width(before), ui_layout_width(after));
    assert_int_equal(ui_layout_width(th_before), ui_layout_width(th_after));
    ui_layout_free(before);
    ui_layout_free(after);
    ui_layout_free(th_before);
    ui_layout_free(th_after);
    ui_text_close(t);
}

/* Running out of memory at any allocation fails cleanly (ASan checks leaks). */
static void test_out_of_memory(void **state)
{
    (void)state;
    ui_TextStyle st = style_for("th", 20);
    st.markup = true;
    const char *s = "**รายงาน**อีเมลที่*น่าสงสัย* ต่อ`เจ้าหน้าที่`\nReport it.";
    bool done = false;
    for (long n = 1; n < 500 && !done; n++) {
        dh_alloc_fail_after(n);
        ui_Layout *l = ui_text_layout(engine, s, &st, 90);
        dh_alloc_fail_after(0);
        if (l) {
            done = true;
            assert_true(ui_layout_lines(l) > 1);
        }
        ui_layout_free(l);
    }
    assert_true(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_language_every_width),
        cmocka_unit_test(test_lines_are_full),
        cmocka_unit_test(test_hard_breaks),
        cmocka_unit_test(test_empty_and_spaces),
        cmocka_unit_test(test_markup_ranges),
        cmocka_unit_test(test_markup_faces),
        cmocka_unit_test(test_script_name_matters),
        cmocka_unit_test(test_draw_and_cache),
        cmocka_unit_test(test_tofu_is_visible),
        cmocka_unit_test(test_cjk_region),
        cmocka_unit_test(test_align),
        cmocka_unit_test(test_line_heights),
        cmocka_unit_test(test_course_font),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
