/* text_impl: what text.c (layout, drawing, caches) and text_font.c (finding
 * and opening fonts) share, and nobody else sees.
 *
 * A "face" is one font file (or a course's font in memory) at one face index
 * with the synthetic style SDL_ttf must add (italic for scripts that have no
 * italic design); it is cheap and never closed. An "instance" is a face opened
 * at one pixel size: a TTF_Font, opened lazily and kept in a small LRU because
 * a kiosk uses a handful of sizes. Layouts refer to faces by index, never to
 * TTF_Font pointers, so evicting an instance can never leave one dangling.
 */
#ifndef UI_TEXT_IMPL_H
#define UI_TEXT_IMPL_H

#include "text.h"

#include <SDL_ttf.h>
#include <stdint.h>
#include <unicode/ubrk.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#define FACE_TOFU 0xFFFF     /* piece drawn as boxes: no font has its characters */
#define MAX_FACES 160        /* distinct faces one engine may know */
#define MAX_INSTANCES 48     /* open TTF_Fonts kept (face x size) */
#define MAX_CHAIN 16         /* faces tried for one script and style */
#define MAX_CHAINS 96        /* cached (script, variant, CJK flavour) chains */

/* Style variants, numbered like a family's files: bit 0 strong (bold),
 * bit 1 em (italic), bit 2 code (mono first). */
#define VARIANT_OF(flags)                                                      \
    ((((unsigned)(flags) & UI_TEXT_STRONG) ? 1u : 0u) | (((unsigned)(flags) & UI_TEXT_EM) ? 2u : 0u) | \
     ((unsigned)(flags) & UI_TEXT_CODE))

typedef struct Face {
    char *path;          /* font file, or NULL for a course font in memory */
    const void *mem;     /* course font bytes (caller keeps them alive) */
    size_t memlen;
    long index;          /* face index in a .ttc collection */
    int synth;           /* TTF_STYLE_* SDL_ttf adds (italic/bold it lacks) */
    bool course;         /* shipped by a course: tried before the built-in chain */
    unsigned variant;    /* course fonts: the variant bits their name says */
    bool broken;         /* failed to open once: never tried again */
    int region;          /* CJK collection: region wanted (0 JP .. 4 HK), else -1 */
    bool checked;        /* region's face index verified by its family name */
} Face;

typedef struct Instance {
    uint16_t face;       /* index in faces[] */
    int size;            /* pixel size */
    TTF_Font *font;      /* NULL: slot free */
    unsigned long used;  /* LRU clock */
} Instance;

typedef struct Chain {
    int script;          /* UScriptCode the chain serves */
    unsigned variant;    /* VARIANT_OF bits */
    int cjk;             /* CJK flavour 0 JP, 1 KR, 2 SC, 3 TC, 4 HK */
    int n;
    uint16_t faces[MAX_CHAIN];
} Chain;

typedef struct FontFile {
    char *name;          /* base name, e.g. "NotoSansThai-Regular.ttf" */
    char *path;          /* full path */
} FontFile;

/* Texture cache entry: one laid-out line drawn into one texture. */
typedef struct CacheEntry {
    uint64_t k1, k2;     /* two independent hashes of the line's key */
    SDL_Texture *tex;    /* NULL when the line has no ink (spaces only) */
    int ox, oy, w, h;    /* texture's offset from the line's pen origin and size */
    size_t bytes;
    struct CacheEntry *prev, *next;   /* LRU list, most recent first */
    struct CacheEntry *hnext;         /* hash chain */
} CacheEntry;

/* Measured widths of text slices, so re-flowing on resize does not reshape. */
typedef struct WidthEntry {
    uint64_t k1, k2;
    int w;
} WidthEntry;

/* Laid-out texts kept by ui_text_draw, so drawing the same text every frame
 * costs one hash. */
typedef struct LayoutEntry {
    uint64_t k1, k2;
    ui_Layout *layout;
    unsigned long used;
} LayoutEntry;

typedef struct BreakIter {
    char lang[24];
    UBreakIterator *line, *chars;
    unsigned long used;
} BreakIter;

struct ui_Text {
    SDL_Renderer *renderer;
    bool ttf_inited;
    /* fonts (text_font.c) */
    FontFile *files;
    int nfiles;
    bool scanned;
    Face faces[MAX_FACES];
    int nfaces;
    Instance inst[MAX_INSTANCES];
    unsigned long clock;
    unsigned long evictions; /* instances closed so far: held TTF_Font pointers are stale when it moves */
    Chain chains[MAX_CHAINS];
    int nchains;
    /* line breaking */
    BreakIter iters[4];
    /* caches (text.c) */
    CacheEntry **buckets;
    int nbuckets;
    CacheEntry *lru_head, *lru_tail;
    int ntextures, max_textures;
    size_t bytes, max_bytes;
    long hits, misses;
    WidthEntry *widths;  /* open addressing, power of two */
    int nwidths, cap_widths;
    LayoutEntry layouts[128];
    /* scratch */
    char *scratch;
    size_t scratch_cap;
};

/* ---- shared by text.c and text_break.c ---- */

typedef struct Piece {
    uint32_t off, len; /* display bytes */
    uint16_t face;     /* index in faces[], or FACE_TOFU */
    uint8_t flags;     /* UI_TEXT_* */
    int16_t script;    /* UScriptCode, for TTF_SetFontScriptName */
    int x, w;          /* position in its line and shaped width (line pieces) */
} Piece;

/* The display string: the caller's text with markup stripped, invalid UTF-8
 * replaced by U+FFFD and tabs by spaces, and where each byte came from. */
typedef struct Build {
    char *text;          /* display bytes, NUL-terminated */
    uint32_t *src;       /* display byte -> caller's byte; [len] = caller's length */
    uint8_t *flags;      /* display byte -> UI_TEXT_* style */
    uint32_t len, cap;
    const char *base;    /* the caller's string */
    unsigned base_flags; /* style->flags, added to every span */
    bool oom;            /* an allocation failed: the build is unusable */
} Build;

/* Pieces of the whole display string, in order, before line breaking. */
typedef struct Items {
    Piece *v;
    int n, cap;
} Items;

typedef struct Brk {
    uint32_t at;  /* display byte after the break */
    bool hard;    /* mandatory: after a newline or paragraph separator */
} Brk;

typedef struct Breaks {
    Brk *v;           /* ascending; the last one is at the end of the text */
    int n;
    uint32_t *u16to8; /* UTF-16 index -> display byte */
    UChar *u16;
    int32_t n16;
} Breaks;

typedef struct Span {
    uint32_t s, e;    /* a line's display bytes, trailing white space excluded */
} Span;

typedef struct Spans {
    Span *v;
    int n, cap;
} Spans;

/* The code point at *i (negative for ill-formed UTF-8), advancing *i. */
static inline UChar32 next_cp(const char *s, uint32_t *i, uint32_t len)
{
    UChar32 c;
    int32_t k = (int32_t)*i;
    U8_NEXT(s, k, (int32_t)len, c);
    *i = (uint32_t)k;
    return c;
}

/* Shaped width of display bytes [a, e) as the pieces shape them (text.c). */
int text_measure(ui_Text *t, const Build *b, const Items *it, int size, uint32_t a, uint32_t e);

/* ---- text_break.c ---- */

/* Break opportunities for the display string (ICU's line iterator for lang,
 * Korean keep-all); the end of the text is always one. */
bool break_find(ui_Text *t, const Build *b, const char *lang, Breaks *br);
void break_free(Breaks *br);
/* Fill lines greedily into out: spans of display bytes, trailing spaces out. */
bool break_lines(ui_Text *t, const Build *b, const Items *it, const Breaks *br, const char *lang, int size,
                 int max_w, Spans *out);

/* ---- text_font.c ---- */

/* Forget every font, close every instance. */
void font_close_all(ui_Text *t);
/* Register a course font; returns the face index or -1. */
int font_add_memory(ui_Text *t, const void *data, size_t len, const char *name);
/* The open TTF_Font of face at size (opening it lazily), or NULL. */
TTF_Font *font_get(ui_Text *t, int face, int size);
/* The chain of faces for a script, variant and CJK flavour (never NULL). */
const Chain *font_chain(ui_Text *t, int script, unsigned variant, int cjk);
/* CJK flavour for a language tag (and the script of the text if the tag is
 * not a CJK language): 0 JP, 1 KR, 2 SC, 3 TC, 4 HK. */
int font_cjk_flavour(const char *lang, int script);
/* The face that regular text of an unknown script uses (for metrics). */
int font_primary(ui_Text *t, unsigned variant);

#endif
