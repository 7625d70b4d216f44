/* text_break: where lines may end, and where they do.
 *
 * ICU's line-break iterator for the text's language gives the opportunities
 * (Thai, Lao, Khmer and Myanmar through its dictionaries, CJK with kinsoku
 * rules), run over UTF-16 and mapped back to UTF-8 bytes. Lines are filled
 * greedily with shaped widths; the sum of words is checked against the whole
 * line as drawn, because overhangs and kerning make them differ by a pixel or
 * two. A word wider than the box is split between grapheme clusters (never
 * before a mark nor after a joining virama) rather than overflowing it.
 * Newlines are hard breaks; white space at a break is not part of a line.
 */
#include "text_impl.h"

#include "alloc.h"

#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/utf16.h>

/* ---- break iterators ----------------------------------------------------- */

/* Line and character iterators for a language, opened once and reused:
 * opening one loads rules and dictionaries, setting text is cheap. */
static BreakIter *break_iter(ui_Text *t, const char *lang)
{
    if (!lang || !*lang) lang = "en";
    BreakIter *lru = &t->iters[0];
    for (int i = 0; i < 4; i++) {
        BreakIter *b = &t->iters[i];
        if (b->line && strcmp(b->lang, lang) == 0) {
            b->used = ++t->clock;
            return b;
        }
        if (!b->line || b->used < lru->used) lru = b;
    }
    if (lru->line) ubrk_close(lru->line);
    if (lru->chars) ubrk_close(lru->chars);
    memset(lru, 0, sizeof *lru);
    char loc[64];
    UErrorCode st = U_ZERO_ERROR;
    uloc_forLanguageTag(lang, loc, sizeof loc, NULL, &st);
    if (U_FAILURE(st)) snprintf(loc, sizeof loc, "en");
    st = U_ZERO_ERROR;
    lru->line = ubrk_open(UBRK_LINE, loc, NULL, 0, &st);
    if (U_FAILURE(st)) lru->line = NULL;
    st = U_ZERO_ERROR;
    lru->chars = ubrk_open(UBRK_CHARACTER, loc, NULL, 0, &st);
    if (U_FAILURE(st)) lru->chars = NULL;
    if (!lru->line || !lru->chars) {
        if (lru->line) ubrk_close(lru->line);
        if (lru->chars) ubrk_close(lru->chars);
        memset(lru, 0, sizeof *lru);
        return NULL;
    }
    snprintf(lru->lang, sizeof lru->lang, "%s", lang);
    lru->used = ++t->clock;
    return lru;
}

/* ---- breaking into lines ------------------------------------------------- */

void break_free(Breaks *br)
{
    dh_free(br->v);
    dh_free(br->u16to8);
    dh_free(br->u16);
}

static bool is_newline(UChar32 c)
{
    return (c >= 0x0A && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* The display string as UTF-16 with a map back to UTF-8 bytes. */
static bool to_utf16(const Build *b, Breaks *br)
{
    br->u16 = dh_malloc(((size_t)b->len + 1) * sizeof *br->u16);
    br->u16to8 = dh_malloc(((size_t)b->len + 2) * sizeof *br->u16to8);
    if (!br->u16 || !br->u16to8) return false;
    int32_t k = 0;
    for (uint32_t i = 0; i < b->len;) {
        uint32_t at = i;
        UChar32 c = next_cp(b->text, &i, b->len);
        if (c < 0) c = 0xFFFD;
        UBool err = false;
        int32_t k0 = k;
        U16_APPEND(br->u16, k, (int32_t)b->len + 1, c, err);
        (void)err;
        for (int32_t j = k0; j < k; j++) br->u16to8[j] = at;
    }
    br->u16to8[k] = b->len;
    br->n16 = k;
    return true;
}

static bool is_space_at(const char *s, uint32_t i, uint32_t len, uint32_t *next)
{
    UChar32 c = next_cp(s, &i, len);
    *next = i;
    return u_isUWhiteSpace(c) || c == 0x0A || c == 0x0D;
}

/* Korean is written with spaces between words and Korean readers expect
 * lines to break at them (CSS word-break: keep-all); ICU 72 breaks between
 * any two Hangul syllables and has no keep-all option, so drop the breaks
 * that fall between two letters, digits or ideographs. */
static bool keep_all(const char *lang)
{
    return lang && lang[0] == 'k' && lang[1] == 'o' && (lang[2] == 0 || lang[2] == '-' || lang[2] == '_');
}

static bool word_letter(UChar32 c)
{
    int lb = u_getIntPropertyValue(c, UCHAR_LINE_BREAK);
    return lb == U_LB_ALPHABETIC || lb == U_LB_NUMERIC || lb == U_LB_AMBIGUOUS || lb == U_LB_IDEOGRAPHIC ||
           lb == U_LB_H2 || lb == U_LB_H3 || lb == U_LB_JL || lb == U_LB_JV || lb == U_LB_JT;
}

static void drop_inside_words(const Build *b, Breaks *br)
{
    int w = 0;
    for (int i = 0; i < br->n; i++) {
        uint32_t at = br->v[i].at;
        bool keep = true;
        if (!br->v[i].hard && at > 0 && at < b->len) {
            uint32_t p = at - 1;
            while (p > 0 && ((unsigned char)b->text[p] & 0xC0) == 0x80) p--;
            UChar32 before = next_cp(b->text, &p, b->len);
            uint32_t q = at;
            UChar32 after = next_cp(b->text, &q, b->len);
            keep = !(word_letter(before) && word_letter(after));
        }
        if (keep) br->v[w++] = br->v[i];
    }
    br->n = w;
}

/* Break opportunities from ICU, in display bytes; the end of text is one. */
bool break_find(ui_Text *t, const Build *b, const char *lang, Breaks *br)
{
    if (!to_utf16(b, br)) return false;
    br->v = dh_malloc(((size_t)br->n16 + 1) * sizeof *br->v);
    if (!br->v) return false;
    BreakIter *bi = break_iter(t, lang);
    UErrorCode st = U_ZERO_ERROR;
    if (bi) ubrk_setText(bi->line, br->u16, br->n16, &st);
    if (bi && U_SUCCESS(st)) {
        for (int32_t p = ubrk_following(bi->line, 0); p != UBRK_DONE; p = ubrk_next(bi->line)) {
            /* Mandatory breaks are the ones after a newline character (UAX 14
             * BK, CR, LF, NL). ICU's rule status cannot say: breaks its
             * dictionaries find inside Thai or Khmer take the status of the
             * rule ending the run, so a Thai line before a newline would
             * come back as hard breaks everywhere. */
            Brk *k = &br->v[br->n++];
            k->at = br->u16to8[p];
            k->hard = p > 0 && is_newline(br->u16[p - 1]);
        }
    } else {
        /* no ICU data: after spaces, and after newlines as hard breaks */
        for (uint32_t i = 0; i < b->len;) {
            uint32_t at = i;
            UChar32 c = next_cp(b->text, &i, b->len);
            bool nl = c == '\n' || c == 0x2028 || c == 0x2029;
            if (nl || (u_isUWhiteSpace(c) && (i >= b->len || !is_space_at(b->text, i, b->len, &at)))) {
                br->v[br->n].at = i;
                br->v[br->n++].hard = nl;
            }
        }
    }
    if (keep_all(lang)) drop_inside_words(b, br);
    if (br->n == 0 || br->v[br->n - 1].at != b->len) {
        br->v[br->n].at = b->len;
        br->v[br->n++].hard = false;
    }
    br->v[br->n - 1].hard = true;
    return true;
}

/* Where the visible content before break position e ends: trailing white
 * space (and the newline of a hard break) does not count. */
static uint32_t content_end(const Build *b, uint32_t s, uint32_t e)
{
    while (e > s) {
        uint32_t p = e - 1;
        while (p > s && ((unsigned char)b->text[p] & 0xC0) == 0x80) p--;
        uint32_t q = p;
        UChar32 c = next_cp(b->text, &q, b->len);
        if (!u_isUWhiteSpace(c)) break;
        e = p;
    }
    return e;
}

static bool spans_push(Spans *sp, uint32_t s, uint32_t e)
{
    if (sp->n == sp->cap) {
        int cap = sp->cap ? sp->cap * 2 : 16;
        Span *v = dh_realloc(sp->v, (size_t)cap * sizeof *v);
        if (!v) return false;
        sp->v = v;
        sp->cap = cap;
    }
    sp->v[sp->n].s = s;
    sp->v[sp->n++].e = e;
    return true;
}

/* ICU's grapheme clusters are extended clusters, yet they still end before
 * some spacing marks (Myanmar visarga) and after a virama that joins the
 * next consonant; a reader sees those as one syllable, so never split there. */
static bool cluster_edge(const Build *b, uint32_t at)
{
    uint32_t q = at;
    UChar32 next = next_cp(b->text, &q, b->len);
    int8_t ty = u_charType(next);
    if (ty == U_NON_SPACING_MARK || ty == U_COMBINING_SPACING_MARK || ty == U_ENCLOSING_MARK) return false;
    if (next == 0x200C || next == 0x200D) return false;
    uint32_t p = at - 1;
    while (p > 0 && ((unsigned char)b->text[p] & 0xC0) == 0x80) p--;
    UChar32 prev = next_cp(b->text, &p, b->len);
    /* a virama that stacks or joins (Khmer coeng, Myanmar U+1039, Indic
     * halant) binds the next consonant; Myanmar asat and Thai phinthu do not */
    bool joins = u_getCombiningClass(prev) == 9 && prev != 0x103A && prev != 0x0E3A;
    return !joins && prev != 0x200D;
}

/* A word wider than the box: split it at grapheme boundaries, as many
 * clusters per line as fit (at least one). Returns where the line ends. */
static uint32_t split_word(ui_Text *t, const Build *b, const Items *it, const Breaks *br, const char *lang,
                           int size, uint32_t s, uint32_t e, int max_w)
{
    BreakIter *bi = break_iter(t, lang);
    /* cluster boundaries in (s, e] */
    int32_t s16 = 0;
    while (s16 < br->n16 && br->u16to8[s16] < s) s16++;
    uint32_t bounds[512];
    int nb = 0;
    UErrorCode st = U_ZERO_ERROR;
    if (bi) ubrk_setText(bi->chars, br->u16, br->n16, &st);
    if (bi && U_SUCCESS(st)) {
        for (int32_t p = ubrk_following(bi->chars, s16); p != UBRK_DONE && nb < 512; p = ubrk_next(bi->chars)) {
            uint32_t at = br->u16to8[p];
            if (at > e) break;
            if (at < e && !cluster_edge(b, at)) continue;
            bounds[nb++] = at;
        }
    } else {
        for (uint32_t i = s; i < e && nb < 512;) {
            next_cp(b->text, &i, b->len);
            bounds[nb++] = i;
        }
    }
    if (nb == 0) return e;
    /* the widest prefix that fits; widths grow with clusters */
    int lo = 0, hi = nb - 1, best = 0;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (text_measure(t, b, it, size, s, bounds[mid]) <= max_w) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return bounds[best];
}

/* Fill lines greedily. Each line is a span of display bytes to draw; what lies
 * between one line's end and the next one's start is white space or a newline. */
bool break_lines(ui_Text *t, const Build *b, const Items *it, const Breaks *br, const char *lang,
                       int size, int max_w, Spans *out)
{
    int k = 0; /* first break after the line's start */
    uint32_t ls = 0;
    bool ends_in_newline = false;
    while (ls < b->len) {
        while (k < br->n && br->v[k].at <= ls) k++;
        DH_ASSERT(k < br->n); /* the end of the text is always a break */
        int best = -1;        /* last break that fits */
        int acc = 0;          /* width up to the previous break, spaces included */
        uint32_t prev = ls;
        bool split = false;
        for (int j = k; j < br->n; j++) {
            uint32_t at = br->v[j].at;
            uint32_t ce = content_end(b, prev, at);
            int wc = text_measure(t, b, it, size, prev, ce);
            if (max_w > 0 && acc + wc > max_w) {
                if (best >= 0) break;
                /* the first word alone is too wide: split it between clusters */
                uint32_t end = split_word(t, b, it, br, lang, size, ls, ce, max_w);
                if (end < ce) {
                    if (!spans_push(out, ls, end)) return false;
                    ls = end;
                    split = true;
                } else {
                    best = j; /* one cluster wider than the box: it stands alone */
                }
                break;
            }
            best = j;
            if (br->v[j].hard) break;
            acc += wc + text_measure(t, b, it, size, ce, at);
            prev = at;
        }
        if (split) continue;
        DH_ASSERT(best >= k);
        /* the sum of words may differ from the shaped line by kerning: check */
        while (max_w > 0 && best > k && text_measure(t, b, it, size, ls, content_end(b, ls, br->v[best].at)) > max_w)
            best--;
        /* ... and words measured one by one carry their ink overhangs, so the
         * whole line may take one more */
        while (max_w > 0 && !br->v[best].hard && best + 1 < br->n &&
               text_measure(t, b, it, size, ls, content_end(b, ls, br->v[best + 1].at)) <= max_w)
            best++;
        uint32_t at = br->v[best].at;
        if (!spans_push(out, ls, content_end(b, ls, at))) return false;
        ls = at;
        k = best + 1;
        if (ls >= b->len && at > 0) {
            uint32_t p = at - 1;
            while (p > 0 && ((unsigned char)b->text[p] & 0xC0) == 0x80) p--;
            ends_in_newline = is_newline(next_cp(b->text, &p, b->len));
        }
    }
    /* an empty text is one empty line; so is what follows a final newline */
    if (out->n == 0 || ends_in_newline)
        if (!spans_push(out, b->len, b->len)) return false;
    return true;
}

