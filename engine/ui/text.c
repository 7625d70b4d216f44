/* text: laying out and drawing UTF-8 text in every partner nation's script.
 *
 * A layout is built in four steps. The markup (when asked for) is stripped
 * into a display string that remembers, byte by byte, where each byte came
 * from, so line ranges are reported in the caller's string. The display
 * string is itemised into pieces of one script, one font and one inline style
 * (ICU's script of each code point; Common and Inherited characters stay with
 * their neighbours so a space or a combining mark never splits a shaping run).
 * ICU's line-break iterator for the text's language gives the break
 * opportunities, and lines are filled greedily with widths SDL_ttf measures
 * on shaped text (HarfBuzz), never on code points. Drawing renders each line
 * once, piece by piece with TTF_RenderUTF8_Blended, into one texture kept in
 * an LRU cache; a warm frame is one hash and one copy per line.
 */
#include "text.h"
#include "text_impl.h"

#include "alloc.h"
#include "lesson.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#define DEFAULT_SPACING 1.5f
#define WIDTH_CAP 16384           /* measured slices remembered */
#define DEFAULT_MAX_TEXTURES 512
#define DEFAULT_MAX_BYTES ((size_t)16 << 20)

typedef struct Line {
    int first, n;              /* its pieces in ui_Layout.lpieces */
    uint32_t d_start, d_end;   /* display bytes drawn (trailing spaces excluded) */
    size_t src_start, src_end; /* the same in the caller's string */
    int w;                     /* shaped width */
    uint64_t k1, k2;           /* texture cache key */
} Line;

struct ui_Layout {
    char *text;          /* display string (markup stripped, tabs as spaces) */
    uint32_t len;
    uint32_t *src;       /* display byte -> byte in the caller's string; [len] = its length */
    Piece *lpieces;      /* pieces cut at line ends, positioned */
    int nlpieces;
    Line *lines;
    int nlines;
    int width, height;   /* widest line, total height */
    int line_h;          /* every line's height */
    int baseline;        /* baseline's offset from a line's top */
    int box_w;           /* max_width asked for (<= 0: none) */
    int size, align;
    SDL_Color color, code_bg;
    int asc, desc;       /* tallest ascent and descent of the fonts used */
};

/* ---- small helpers ------------------------------------------------------- */

static const uint64_t H1 = 0xcbf29ce484222325ULL, H2 = 0x84222325cbf29ce4ULL;

static void hash_bytes(uint64_t *h1, uint64_t *h2, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t a = *h1, c = *h2;
    for (size_t i = 0; i < n; i++) {
        a = (a ^ b[i]) * 0x100000001b3ULL;
        c = (c ^ b[i]) * 0xff51afd7ed558ccdULL;
        c ^= c >> 31;
    }
    *h1 = a;
    *h2 = c;
}

static void hash_int(uint64_t *h1, uint64_t *h2, long v)
{
    hash_bytes(h1, h2, &v, sizeof v);
}

static bool ensure_scratch(ui_Text *t, size_t n)
{
    if (n <= t->scratch_cap) return true;
    size_t cap = t->scratch_cap ? t->scratch_cap : 256;
    while (cap < n) cap *= 2;
    char *s = dh_realloc(t->scratch, cap);
    if (!s) return false;
    t->scratch = s;
    t->scratch_cap = cap;
    return true;
}

static int tofu_width(int size)
{
    int w = (size * 3 + 4) / 5;
    return w < 4 ? 4 : w;
}

/* ---- engine -------------------------------------------------------------- */

dh_Status ui_text_open(ui_Text **out, SDL_Renderer *renderer, dh_Error *err)
{
    *out = NULL;
    ui_Text *t = dh_calloc(1, sizeof *t);
    if (!t) return dh_fail(err, DH_ENOMEM, "out of memory opening the text engine");
    t->renderer = renderer;
    t->max_textures = DEFAULT_MAX_TEXTURES;
    t->max_bytes = DEFAULT_MAX_BYTES;
    t->nbuckets = 1024;
    t->buckets = dh_calloc((size_t)t->nbuckets, sizeof *t->buckets);
    t->cap_widths = WIDTH_CAP;
    t->widths = dh_calloc((size_t)t->cap_widths, sizeof *t->widths);
    if (!t->buckets || !t->widths) {
        ui_text_close(t);
        return dh_fail(err, DH_ENOMEM, "out of memory opening the text engine");
    }
    if (TTF_Init() != 0) {
        dh_Status st = dh_fail(err, DH_EIO, "the font library did not start: %s", TTF_GetError());
        ui_text_close(t);
        return st;
    }
    t->ttf_inited = true;
    int f = font_primary(t, 0);
    if (f < 0 || !font_get(t, f, 16)) {
        ui_text_close(t);
        return dh_fail(err, DH_ENOTFOUND,
                       "no usable font was found: install fonts-noto-core and fonts-noto-cjk "
                       "(looked in /usr/share/fonts and the usual font directories)");
    }
    *out = t;
    return DH_OK;
}

void ui_text_close(ui_Text *t)
{
    if (!t) return;
    ui_text_flush(t);
    for (int i = 0; i < (int)(sizeof t->layouts / sizeof t->layouts[0]); i++) ui_layout_free(t->layouts[i].layout);
    for (int i = 0; i < (int)(sizeof t->iters / sizeof t->iters[0]); i++) {
        if (t->iters[i].line) ubrk_close(t->iters[i].line);
        if (t->iters[i].chars) ubrk_close(t->iters[i].chars);
    }
    font_close_all(t);
    if (t->ttf_inited) TTF_Quit();
    dh_free(t->buckets);
    dh_free(t->widths);
    dh_free(t->scratch);
    dh_free(t);
}

dh_Status ui_text_add_font(ui_Text *t, const void *data, size_t len, const char *name, dh_Error *err)
{
    if (!data || len == 0 || len > 0x7fffffff)
        return dh_fail(err, DH_EINVAL, "font %s is empty", name ? name : "(unnamed)");
    if (font_add_memory(t, data, len, name) < 0)
        return dh_fail(err, DH_EFORMAT, "font %s could not be opened: %s", name ? name : "(unnamed)",
                       TTF_GetError());
    /* widths and layouts measured with the old chain are stale */
    memset(t->widths, 0, (size_t)t->cap_widths * sizeof *t->widths);
    t->nwidths = 0;
    for (int i = 0; i < (int)(sizeof t->layouts / sizeof t->layouts[0]); i++) {
        ui_layout_free(t->layouts[i].layout);
        t->layouts[i].layout = NULL;
    }
    ui_text_flush(t);
    return DH_OK;
}

/* ---- building the display string ----------------------------------------- */

static bool build_reserve(Build *b, uint32_t more)
{
    if (b->len + more <= b->cap) return true;
    uint32_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + more) cap *= 2;
    char *t = dh_realloc(b->text, cap + 1);
    if (t) b->text = t;
    uint32_t *s = t ? dh_realloc(b->src, ((size_t)cap + 1) * sizeof *s) : NULL;
    if (s) b->src = s;
    uint8_t *f = s ? dh_realloc(b->flags, cap + 1) : NULL;
    if (f) b->flags = f;
    if (!t || !s || !f) {
        b->oom = true;
        return false;
    }
    b->cap = cap;
    return true;
}

/* Append source bytes s[0..n) (at offset from base) as display text: invalid
 * UTF-8 becomes U+FFFD (drawn, never dropped), tabs become spaces. */
static void build_append(Build *b, unsigned style, const char *s, size_t n)
{
    uint32_t i = 0;
    while (i < n && !b->oom) {
        uint32_t at = i;
        UChar32 c = next_cp(s, &i, (uint32_t)n);
        uint32_t from = (uint32_t)(s + at - b->base);
        unsigned fl = (style | b->base_flags) & 7u;
        if (c < 0) {
            if (!build_reserve(b, 3)) return;
            static const char fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};
            for (int k = 0; k < 3; k++) {
                b->text[b->len] = fffd[k];
                b->src[b->len] = from;
                b->flags[b->len] = (uint8_t)fl;
                b->len++;
            }
            continue;
        }
        uint32_t cl = i - at;
        if (!build_reserve(b, cl)) return;
        for (uint32_t k = 0; k < cl; k++) {
            char ch = s[at + k];
            b->text[b->len] = ch == '\t' ? ' ' : ch;
            b->src[b->len] = from + k;
            b->flags[b->len] = (uint8_t)fl;
            b->len++;
        }
    }
}

static void inline_cb(void *ud, unsigned style, const char *s, size_t n)
{
    build_append(ud, style, s, n);
}

/* ---- itemising into pieces ----------------------------------------------- */

static Piece *items_push(Items *it)
{
    if (it->n == it->cap) {
        int cap = it->cap ? it->cap * 2 : 16;
        Piece *v = dh_realloc(it->v, (size_t)cap * sizeof *v);
        if (!v) return NULL;
        it->v = v;
        it->cap = cap;
    }
    Piece *p = &it->v[it->n++];
    memset(p, 0, sizeof *p);
    return p;
}

static bool is_weak(int sc)
{
    return sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED || sc == USCRIPT_UNKNOWN;
}

/* Characters that must stay in the piece they follow: combining marks,
 * joiners, variation selectors, format characters (ZWSP between Khmer
 * words), and the control characters the break iterator consumes. */
static bool sticks(UChar32 c, int sc)
{
    if (sc == USCRIPT_INHERITED) return true;
    int8_t ty = u_charType(c);
    return ty == U_NON_SPACING_MARK || ty == U_ENCLOSING_MARK || ty == U_COMBINING_SPACING_MARK ||
           ty == U_FORMAT_CHAR || ty == U_CONTROL_CHAR;
}

static bool is_rtl(int sc)
{
    return uscript_isRightToLeft((UScriptCode)sc) != 0;
}

/* Choose the face for c: the first face of the script's chain that has it. */
static int choose_face(ui_Text *t, UChar32 c, int sc, unsigned flags, const char *lang, int size)
{
    const Chain *ch = font_chain(t, sc, VARIANT_OF(flags), font_cjk_flavour(lang, sc));
    int n = ch->n;
    uint16_t faces[MAX_CHAIN];
    memcpy(faces, ch->faces, sizeof faces); /* font_get may not touch chains, but be safe */
    for (int i = 0; i < n; i++) {
        TTF_Font *f = font_get(t, faces[i], size);
        if (f && TTF_GlyphIsProvided32(f, (Uint32)c)) return faces[i];
    }
    return FACE_TOFU;
}

static bool itemise(ui_Text *t, const Build *b, const char *lang, int size, Items *out)
{
    /* the script Common characters at the start belong to: the first strong one */
    int cur_sc = USCRIPT_LATIN;
    for (uint32_t i = 0; i < b->len;) {
        UErrorCode st = U_ZERO_ERROR;
        UChar32 c = next_cp(b->text, &i, b->len);
        int sc = uscript_getScript(c, &st);
        if (U_SUCCESS(st) && !is_weak(sc)) {
            cur_sc = sc;
            break;
        }
    }
    Piece *cur = NULL;
    TTF_Font *cur_font = NULL;
    /* the face the last strong character chose, for its script and style:
     * a punctuation mark borrowed from a fallback font must not drag the
     * following words into that font */
    int strong_face = -1, strong_sc = -1;
    unsigned strong_fl = 0;
    TTF_Font *strong_font = NULL;
    unsigned long gen = t->evictions;
    for (uint32_t i = 0; i < b->len;) {
        uint32_t at = i;
        UChar32 c = next_cp(b->text, &i, b->len);
        UErrorCode st = U_ZERO_ERROR;
        int sc = uscript_getScript(c, &st);
        if (U_FAILURE(st)) sc = USCRIPT_COMMON;
        unsigned fl = b->flags[at];
        if (gen != t->evictions) { /* a font we hold was closed: open again */
            cur_font = cur && cur->face != FACE_TOFU ? font_get(t, cur->face, size) : NULL;
            strong_font = strong_face >= 0 && strong_face != FACE_TOFU ? font_get(t, strong_face, size) : NULL;
            gen = t->evictions;
        }
        bool weak = is_weak(sc);
        if (!weak) cur_sc = sc;
        int rsc = weak ? cur_sc : sc;
        int face;
        if (cur && cur->flags == fl && sticks(c, sc)) {
            face = cur->face; /* a mark stays with its base, even in a box */
            rsc = cur->script;
        } else if (weak) {
            if (cur && cur->flags == fl && cur->face != FACE_TOFU && cur_font &&
                TTF_GlyphIsProvided32(cur_font, (Uint32)c)) {
                face = cur->face; /* spaces and punctuation join the run they are in */
                rsc = cur->script;
            } else {
                face = choose_face(t, c, USCRIPT_COMMON, fl, lang, size);
            }
        } else if (sc == strong_sc && fl == strong_fl && strong_font &&
                   TTF_GlyphIsProvided32(strong_font, (Uint32)c)) {
            face = strong_face;
        } else {
            face = choose_face(t, c, sc, fl, lang, size);
            strong_sc = sc;
            strong_fl = fl;
            strong_face = face;
            strong_font = face == FACE_TOFU ? NULL : font_get(t, face, size);
        }
        if (!cur || cur->face != face || cur->flags != fl || cur->script != rsc ||
            (face == FACE_TOFU && !sticks(c, sc))) {
            cur = items_push(out);
            if (!cur) return false;
            cur->off = at;
            cur->face = (uint16_t)face;
            cur->flags = (uint8_t)fl;
            cur->script = (int16_t)rsc;
            cur_font = face == FACE_TOFU ? NULL : font_get(t, face, size);
        }
        cur->len = i - cur->off;
    }
    return true;
}

/* ---- measuring ----------------------------------------------------------- */

/* Prepare font for shaping a piece: its script and direction. */
static void set_script(TTF_Font *f, int script)
{
    const char *tag = uscript_getShortName((UScriptCode)script);
    if (tag && strlen(tag) == 4) TTF_SetFontScriptName(f, tag);
    TTF_SetFontDirection(f, is_rtl(script) ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR);
}

static int count_graphemes(const char *s, uint32_t n)
{
    int k = 0;
    for (uint32_t i = 0; i < n;) {
        UChar32 c = next_cp(s, &i, n);
        int8_t ty = u_charType(c);
        if (ty != U_NON_SPACING_MARK && ty != U_ENCLOSING_MARK && ty != U_COMBINING_SPACING_MARK) k++;
    }
    return k;
}

/* Shaped width of s[0..n) in face at size, remembered across layouts. */
static int measure_run(ui_Text *t, int face, int size, int script, const char *s, uint32_t n)
{
    if (n == 0) return 0;
    if (face == FACE_TOFU) return count_graphemes(s, n) * tofu_width(size);
    uint64_t k1 = H1, k2 = H2;
    hash_int(&k1, &k2, ((long)face << 40) ^ ((long)size << 16) ^ script);
    hash_bytes(&k1, &k2, s, n);
    if (k1 == 0) k1 = 1;
    uint32_t mask = (uint32_t)t->cap_widths - 1;
    uint32_t h = (uint32_t)k1 & mask;
    for (;;) {
        WidthEntry *e = &t->widths[h];
        if (e->k1 == 0) break;
        if (e->k1 == k1 && e->k2 == k2) return e->w;
        h = (h + 1) & mask;
    }
    TTF_Font *f = font_get(t, face, size);
    int w = 0, hh = 0;
    if (!f || !ensure_scratch(t, (size_t)n + 1)) return count_graphemes(s, n) * tofu_width(size);
    memcpy(t->scratch, s, n);
    t->scratch[n] = 0;
    set_script(f, script);
    if (TTF_SizeUTF8(f, t->scratch, &w, &hh) != 0) w = count_graphemes(s, n) * tofu_width(size);
    if (t->nwidths * 10 >= t->cap_widths * 7) { /* full: forget everything, cheaply */
        memset(t->widths, 0, (size_t)t->cap_widths * sizeof *t->widths);
        t->nwidths = 0;
        h = (uint32_t)k1 & mask;
    }
    WidthEntry *e = &t->widths[h];
    e->k1 = k1;
    e->k2 = k2;
    e->w = w;
    t->nwidths++;
    return w;
}

/* Width of display bytes [a, b) as the pieces shape them. */
int text_measure(ui_Text *t, const Build *b, const Items *it, int size, uint32_t a, uint32_t e)
{
    if (e <= a) return 0;
    /* first piece ending after a */
    int lo = 0, hi = it->n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (it->v[mid].off + it->v[mid].len <= a) lo = mid + 1;
        else hi = mid;
    }
    int w = 0;
    for (int i = lo; i < it->n && it->v[i].off < e; i++) {
        const Piece *p = &it->v[i];
        uint32_t s = p->off > a ? p->off : a;
        uint32_t z = p->off + p->len < e ? p->off + p->len : e;
        if (z > s) w += measure_run(t, p->face, size, p->script, b->text + s, z - s);
    }
    return w;
}

/* ---- the layout ---------------------------------------------------------- */

static void fonts_metrics(ui_Text *t, ui_Layout *l, const Items *it)
{
    int asc = 0, desc = 0;
    bool any = false;
    for (int i = 0; i < it->n; i++) {
        int face = it->v[i].face;
        if (face == FACE_TOFU) continue;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++) seen = it->v[j].face == face;
        if (seen) continue;
        TTF_Font *f = font_get(t, face, l->size);
        if (!f) continue;
        any = true;
        if (TTF_FontAscent(f) > asc) asc = TTF_FontAscent(f);
        if (-TTF_FontDescent(f) > desc) desc = -TTF_FontDescent(f);
    }
    if (!any) {
        TTF_Font *f = font_get(t, font_primary(t, 0), l->size);
        asc = f ? TTF_FontAscent(f) : l->size;
        desc = f ? -TTF_FontDescent(f) : l->size / 4;
    }
    l->asc = asc;
    l->desc = desc;
}

static bool place_lines(ui_Text *t, ui_Layout *l, const Items *it, const Spans *sp)
{
    l->nlines = sp->n;
    l->lines = dh_calloc((size_t)sp->n, sizeof *l->lines);
    /* a piece crosses at most the lines it spans: pieces + lines bounds it */
    l->lpieces = dh_calloc((size_t)(it->n + sp->n), sizeof *l->lpieces);
    if (!l->lines || !l->lpieces) return false;
    int pi = 0;
    for (int i = 0; i < sp->n; i++) {
        Line *ln = &l->lines[i];
        uint32_t s = sp->v[i].s, e = sp->v[i].e;
        ln->d_start = s;
        ln->d_end = e;
        ln->first = l->nlpieces;
        if (e > s) {
            ln->src_start = l->src[s];
            ln->src_end = l->src[e - 1] + 1;
        } else {
            ln->src_start = ln->src_end = l->src[s];
        }
        while (pi < it->n && it->v[pi].off + it->v[pi].len <= s) pi++;
        int x = 0;
        for (int j = pi; j < it->n && it->v[j].off < e; j++) {
            const Piece *p = &it->v[j];
            uint32_t a = p->off > s ? p->off : s;
            uint32_t z = p->off + p->len < e ? p->off + p->len : e;
            if (z <= a) continue;
            DH_ASSERT(l->nlpieces < it->n + sp->n);
            Piece *q = &l->lpieces[l->nlpieces++];
            *q = *p;
            q->off = a;
            q->len = z - a;
            q->x = x;
            q->w = measure_run(t, p->face, l->size, p->script, l->text + a, z - a);
            x += q->w;
        }
        ln->n = l->nlpieces - ln->first;
        ln->w = x;
        if (x > l->width) l->width = x;
    }
    return true;
}

static void line_keys(ui_Layout *l)
{
    for (int i = 0; i < l->nlines; i++) {
        Line *ln = &l->lines[i];
        uint64_t k1 = H1, k2 = H2;
        hash_int(&k1, &k2, l->size);
        hash_int(&k1, &k2, l->line_h * 65536L + l->baseline);
        hash_bytes(&k1, &k2, &l->color, sizeof l->color);
        for (int j = 0; j < ln->n; j++) {
            const Piece *p = &l->lpieces[ln->first + j];
            hash_int(&k1, &k2, ((long)p->face << 32) ^ ((long)p->script << 8) ^ p->flags);
            hash_int(&k1, &k2, ((long)p->x << 32) ^ p->len);
            hash_bytes(&k1, &k2, l->text + p->off, p->len);
        }
        ln->k1 = k1;
        ln->k2 = k2;
    }
}

ui_Layout *ui_text_layout(ui_Text *t, const char *utf8, const ui_TextStyle *style, int max_width)
{
    DH_ASSERT(t && style);
    if (!utf8) utf8 = "";
    const char *lang = style->lang && *style->lang ? style->lang : "en";
    int size = style->size_px > 0 ? style->size_px : 16;
    Build b = {0};
    b.base = utf8;
    b.base_flags = style->flags & 7u;
    size_t srclen = strlen(utf8);
    if (srclen > 0x7ffffff0u) return NULL;
    if (style->markup) {
        size_t where = 0;
        if (dh_inline_parse(utf8, inline_cb, &b, &where) != DH_INLINE_OK || b.oom) {
            /* broken markup is drawn literally rather than half-styled */
            if (b.oom) goto oom_build;
            b.len = 0;
            build_append(&b, 0, utf8, srclen);
        }
    } else {
        build_append(&b, 0, utf8, srclen);
    }
    if (b.oom || !build_reserve(&b, 1)) goto oom_build;
    b.text[b.len] = 0;
    b.src[b.len] = (uint32_t)srclen;

    ui_Layout *l = dh_calloc(1, sizeof *l);
    Items it = {0};
    Breaks br = {0};
    Spans sp = {0};
    if (!l) goto oom;
    l->size = size;
    l->align = style->align;
    l->color = style->color;
    l->code_bg = style->code_bg;
    l->box_w = max_width;
    if (!itemise(t, &b, lang, size, &it)) goto oom;
    if (!break_find(t, &b, lang, &br)) goto oom;
    if (!break_lines(t, &b, &it, &br, lang, size, max_width, &sp)) goto oom;
    l->text = b.text;
    l->src = b.src;
    l->len = b.len;
    b.text = NULL;
    b.src = NULL;
    fonts_metrics(t, l, &it);
    float spacing = style->line_spacing > 0 ? style->line_spacing : DEFAULT_SPACING;
    int lh = (int)lroundf((float)size * spacing);
    if (lh < l->asc + l->desc) lh = l->asc + l->desc;
    l->line_h = lh;
    l->baseline = (lh - (l->asc + l->desc)) / 2 + l->asc;
    if (!place_lines(t, l, &it, &sp)) goto oom;
    l->height = l->nlines * lh;
    line_keys(l);
    dh_free(b.flags);
    dh_free(it.v);
    dh_free(sp.v);
    break_free(&br);
    return l;
oom:
    dh_free(it.v);
    dh_free(sp.v);
    break_free(&br);
    ui_layout_free(l);
oom_build:
    dh_free(b.text);
    dh_free(b.src);
    dh_free(b.flags);
    return NULL;
}

void ui_layout_free(ui_Layout *l)
{
    if (!l) return;
    dh_free(l->text);
    dh_free(l->src);
    dh_free(l->lpieces);
    dh_free(l->lines);
    dh_free(l);
}

int ui_layout_width(const ui_Layout *l)
{
    return l ? l->width : 0;
}

int ui_layout_height(const ui_Layout *l)
{
    return l ? l->height : 0;
}

int ui_layout_lines(const ui_Layout *l)
{
    return l ? l->nlines : 0;
}

int ui_layout_baseline(const ui_Layout *l)
{
    return l ? l->baseline : 0;
}

void ui_layout_line(const ui_Layout *l, int i, size_t *start, size_t *end, int *y, int *h)
{
    DH_ASSERT(l && i >= 0 && i < l->nlines);
    const Line *ln = &l->lines[i];
    if (start) *start = ln->src_start;
    if (end) *end = ln->src_end;
    if (y) *y = i * l->line_h;
    if (h) *h = l->line_h;
}

int ui_layout_line_width(const ui_Layout *l, int i)
{
    DH_ASSERT(l && i >= 0 && i < l->nlines);
    return l->lines[i].w;
}

/* ---- texture cache ------------------------------------------------------- */

static void cache_unlink(ui_Text *t, CacheEntry *e)
{
    if (e->prev) e->prev->next = e->next;
    else t->lru_head = e->next;
    if (e->next) e->next->prev = e->prev;
    else t->lru_tail = e->prev;
    e->prev = e->next = NULL;
}

static void cache_push_front(ui_Text *t, CacheEntry *e)
{
    e->prev = NULL;
    e->next = t->lru_head;
    if (t->lru_head) t->lru_head->prev = e;
    t->lru_head = e;
    if (!t->lru_tail) t->lru_tail = e;
}

static void cache_drop(ui_Text *t, CacheEntry *e)
{
    CacheEntry **pp = &t->buckets[e->k1 & (uint64_t)(t->nbuckets - 1)];
    while (*pp && *pp != e) pp = &(*pp)->hnext;
    if (*pp) *pp = e->hnext;
    cache_unlink(t, e);
    if (e->tex) SDL_DestroyTexture(e->tex);
    t->ntextures--;
    t->bytes -= e->bytes;
    dh_free(e);
}

static CacheEntry *cache_find(ui_Text *t, uint64_t k1, uint64_t k2)
{
    for (CacheEntry *e = t->buckets[k1 & (uint64_t)(t->nbuckets - 1)]; e; e = e->hnext)
        if (e->k1 == k1 && e->k2 == k2) {
            cache_unlink(t, e);
            cache_push_front(t, e);
            return e;
        }
    return NULL;
}

static void cache_evict_for(ui_Text *t, size_t bytes)
{
    while (t->lru_tail && (t->ntextures >= t->max_textures || t->bytes + bytes > t->max_bytes))
        cache_drop(t, t->lru_tail);
}

void ui_text_flush(ui_Text *t)
{
    if (!t) return;
    while (t->lru_tail) cache_drop(t, t->lru_tail);
}

void ui_text_stats(const ui_Text *t, int *textures, size_t *bytes, long *hits, long *misses)
{
    if (textures) *textures = t->ntextures;
    if (bytes) *bytes = t->bytes;
    if (hits) *hits = t->hits;
    if (misses) *misses = t->misses;
}

void ui_text_set_cache_limit(ui_Text *t, int max_textures, size_t max_bytes)
{
    t->max_textures = max_textures > 0 ? max_textures : DEFAULT_MAX_TEXTURES;
    t->max_bytes = max_bytes > 0 ? max_bytes : DEFAULT_MAX_BYTES;
    cache_evict_for(t, 0);
}

/* ---- drawing one line into a texture ------------------------------------- */

/* Add a rendered run's coverage to the line: both are one colour, so the
 * union of coverages is all that needs combining. */
static void merge_alpha(SDL_Surface *dst, const SDL_Surface *src, int dx, int dy)
{
    for (int y = 0; y < src->h; y++) {
        int ty = dy + y;
        if (ty < 0 || ty >= dst->h) continue;
        const Uint32 *sp = (const Uint32 *)((const Uint8 *)src->pixels + (size_t)y * (size_t)src->pitch);
        Uint32 *dp = (Uint32 *)((Uint8 *)dst->pixels + (size_t)ty * (size_t)dst->pitch);
        for (int x = 0; x < src->w; x++) {
            int tx = dx + x;
            if (tx < 0 || tx >= dst->w) continue;
            Uint32 sa = sp[x] >> 24;
            if (!sa) continue;
            Uint32 da = dp[tx] >> 24;
            Uint32 na = sa + da - (sa * da + 127) / 255;
            dp[tx] = (na << 24) | (dp[tx] & 0xFFFFFFu);
        }
    }
}

/* Where SDL_ttf put the baseline in a rendered run: at the font's ascent,
 * lowered by however far the ink rises above it (the surface grows to hold
 * stacked marks; SDL_ttf does not say which way, the ink does). */
static int run_baseline(TTF_Font *f, const SDL_Surface *s)
{
    int extra = s->h - TTF_FontHeight(f);
    if (extra <= 0) return TTF_FontAscent(f);
    bool top = false, bottom = false;
    const Uint32 *r0 = (const Uint32 *)s->pixels;
    const Uint32 *rl = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)(s->h - 1) * (size_t)s->pitch);
    for (int x = 0; x < s->w; x++) {
        if (r0[x] >> 24) top = true;
        if (rl[x] >> 24) bottom = true;
    }
    if (top && !bottom) return TTF_FontAscent(f) + extra;
    if (top && bottom) return TTF_FontAscent(f) + extra / 2;
    return TTF_FontAscent(f);
}

static void draw_box(SDL_Surface *s, int x, int y, int w, int h, int th)
{
    for (int yy = y; yy < y + h; yy++) {
        if (yy < 0 || yy >= s->h) continue;
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)yy * (size_t)s->pitch);
        for (int xx = x; xx < x + w; xx++) {
            if (xx < 0 || xx >= s->w) continue;
            bool edge = yy < y + th || yy >= y + h - th || xx < x + th || xx >= x + w - th;
            if (edge) row[xx] |= 0xFF000000u;
        }
    }
}

static CacheEntry *render_line(ui_Text *t, const ui_Layout *l, const Line *ln)
{
    CacheEntry *e = dh_calloc(1, sizeof *e);
    if (!e) return NULL;
    e->k1 = ln->k1;
    e->k2 = ln->k2;
    int mx = l->size / 2 + 2, my = l->line_h / 2 + 2;
    int W = ln->w + 2 * mx, H = l->line_h + 2 * my;
    SDL_Surface *s = ln->n ? SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888) : NULL;
    if (s) {
        Uint32 rgb = ((Uint32)l->color.r << 16) | ((Uint32)l->color.g << 8) | l->color.b;
        for (int y = 0; y < H; y++) {
            Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
            for (int x = 0; x < W; x++) row[x] = rgb;
        }
        SDL_Color fg = {l->color.r, l->color.g, l->color.b, 255};
        for (int j = 0; j < ln->n; j++) {
            const Piece *p = &l->lpieces[ln->first + j];
            if (p->face == FACE_TOFU) {
                int tw = tofu_width(l->size), th = l->size / 16 + 1;
                int bh = l->asc * 3 / 4, n = count_graphemes(l->text + p->off, p->len);
                for (int k = 0; k < n; k++)
                    draw_box(s, mx + p->x + k * tw + tw / 8, my + l->baseline - bh, tw - tw / 4, bh, th);
                continue;
            }
            TTF_Font *f = font_get(t, p->face, l->size);
            if (!f || !ensure_scratch(t, (size_t)p->len + 1)) continue;
            memcpy(t->scratch, l->text + p->off, p->len);
            t->scratch[p->len] = 0;
            set_script(f, p->script);
            SDL_Surface *r = TTF_RenderUTF8_Blended(f, t->scratch, fg);
            if (!r) continue; /* only spaces: no ink */
            SDL_Surface *rr = r->format->format == SDL_PIXELFORMAT_ARGB8888
                                  ? r
                                  : SDL_ConvertSurfaceFormat(r, SDL_PIXELFORMAT_ARGB8888, 0);
            if (rr) {
                SDL_LockSurface(rr);
                merge_alpha(s, rr, mx + p->x, my + l->baseline - run_baseline(f, rr));
                SDL_UnlockSurface(rr);
                if (rr != r) SDL_FreeSurface(rr);
            }
            SDL_FreeSurface(r);
        }
        /* keep only the ink's bounding box: less to blend every frame */
        int x0 = W, y0 = H, x1 = -1, y1 = -1;
        for (int y = 0; y < H; y++) {
            const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
            for (int x = 0; x < W; x++)
                if (row[x] >> 24) {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                }
        }
        if (x1 >= 0 && t->renderer) {
            SDL_Surface *crop = SDL_CreateRGBSurfaceWithFormatFrom(
                (Uint8 *)s->pixels + (size_t)y0 * (size_t)s->pitch + (size_t)x0 * 4, x1 - x0 + 1, y1 - y0 + 1, 32,
                s->pitch, SDL_PIXELFORMAT_ARGB8888);
            if (crop) {
                e->tex = SDL_CreateTextureFromSurface(t->renderer, crop);
                SDL_FreeSurface(crop);
            }
            if (e->tex) {
                SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
                if (l->color.a != 255) SDL_SetTextureAlphaMod(e->tex, l->color.a);
                e->ox = x0 - mx;
                e->oy = y0 - my;
                e->w = x1 - x0 + 1;
                e->h = y1 - y0 + 1;
                e->bytes = (size_t)e->w * (size_t)e->h * 4;
            }
        }
        SDL_FreeSurface(s);
    }
    return e;
}

static void draw_code_backgrounds(ui_Text *t, const ui_Layout *l, const Line *ln, int x, int y)
{
    if (!l->code_bg.a) return;
    int pad = l->size / 6 + 1;
    SDL_SetRenderDrawBlendMode(t->renderer, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(t->renderer, l->code_bg.r, l->code_bg.g, l->code_bg.b, l->code_bg.a);
    for (int j = 0; j < ln->n; j++) {
        const Piece *p = &l->lpieces[ln->first + j];
        if (!(p->flags & UI_TEXT_CODE)) continue;
        int x0 = p->x, x1 = p->x + p->w;
        while (j + 1 < ln->n && (l->lpieces[ln->first + j + 1].flags & UI_TEXT_CODE)) {
            j++;
            x1 = l->lpieces[ln->first + j].x + l->lpieces[ln->first + j].w;
        }
        int top = (l->line_h - (l->asc + l->desc)) / 2;
        SDL_Rect r = {x + x0 - pad, y + top, x1 - x0 + 2 * pad, l->asc + l->desc};
        SDL_RenderFillRect(t->renderer, &r);
    }
}

void ui_layout_draw(ui_Text *t, const ui_Layout *l, int x, int y)
{
    if (!t || !l || !t->renderer) return;
    int box = l->box_w > 0 ? l->box_w : l->width;
    for (int i = 0; i < l->nlines; i++) {
        const Line *ln = &l->lines[i];
        if (ln->n == 0) continue;
        int lx = x;
        if (l->align == 1) lx += (box - ln->w) / 2;
        else if (l->align == 2) lx += box - ln->w;
        int ly = y + i * l->line_h;
        draw_code_backgrounds(t, l, ln, lx, ly);
        CacheEntry *e = cache_find(t, ln->k1, ln->k2);
        if (e) {
            t->hits++;
        } else {
            t->misses++;
            e = render_line(t, l, ln);
            if (!e) continue;
            cache_evict_for(t, e->bytes);
            CacheEntry **b = &t->buckets[e->k1 & (uint64_t)(t->nbuckets - 1)];
            e->hnext = *b;
            *b = e;
            cache_push_front(t, e);
            t->ntextures++;
            t->bytes += e->bytes;
        }
        if (e->tex) {
            SDL_Rect r = {lx + e->ox, ly + e->oy, e->w, e->h};
            SDL_RenderCopy(t->renderer, e->tex, NULL, &r);
        }
    }
}

/* ---- the convenience path ------------------------------------------------ */

int ui_text_draw(ui_Text *t, const char *utf8, const ui_TextStyle *style, int x, int y, int max_width)
{
    DH_ASSERT(t && style);
    if (!utf8) utf8 = "";
    uint64_t k1 = H1, k2 = H2;
    hash_bytes(&k1, &k2, utf8, strlen(utf8));
    hash_int(&k1, &k2, ((long)style->size_px << 32) ^ ((long)style->flags << 24) ^ ((long)style->align << 16) ^
                           (style->markup ? 1 : 0));
    hash_bytes(&k1, &k2, &style->color, sizeof style->color);
    hash_bytes(&k1, &k2, &style->code_bg, sizeof style->code_bg);
    hash_bytes(&k1, &k2, &style->line_spacing, sizeof style->line_spacing);
    hash_int(&k1, &k2, max_width);
    if (style->lang) hash_bytes(&k1, &k2, style->lang, strlen(style->lang));
    int n = (int)(sizeof t->layouts / sizeof t->layouts[0]);
    LayoutEntry *slot = &t->layouts[0];
    for (int i = 0; i < n; i++) {
        LayoutEntry *le = &t->layouts[i];
        if (le->layout && le->k1 == k1 && le->k2 == k2) {
            le->used = ++t->clock;
            ui_layout_draw(t, le->layout, x, y);
            return ui_layout_height(le->layout);
        }
        if (!le->layout || (slot->layout && le->used < slot->used)) slot = le;
    }
    ui_Layout *l = ui_text_layout(t, utf8, style, max_width);
    if (!l) return 0;
    ui_layout_free(slot->layout);
    slot->layout = l;
    slot->k1 = k1;
    slot->k2 = k2;
    slot->used = ++t->clock;
    ui_layout_draw(t, l, x, y);
    return ui_layout_height(l);
}
