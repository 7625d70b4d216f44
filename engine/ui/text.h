/* text: laying out and drawing UTF-8 text in every partner nation's script.
 *
 * SDL_ttf shapes one run of one font at a time and knows nothing of lines,
 * so this engine does the rest: it splits text into runs by script (ICU),
 * picks a font per run from a fallback chain (Noto from Debian, plus fonts a
 * course ships), tells SDL_ttf each run's script and direction (without
 * TTF_SetFontScriptName, Khmer, Myanmar and Devanagari are shaped wrongly),
 * and breaks lines where ICU's line-break iterator allows it (Thai, Lao,
 * Khmer and Myanmar have no spaces between words; CJK has kinsoku rules).
 * SDL_ttf's own wrapping renderers are never used: they break Thai inside
 * words and drop characters. Shaped lines are cached as textures; the cache
 * is bounded. Sources: text.c (layout, drawing, caches), text_break.c (line
 * breaking), text_font.c (finding and opening fonts).
 *
 * A layout is computed once for a text, a style and a width, measured
 * (for the widgets' geometry), then drawn as often as needed.
 */
#ifndef UI_TEXT_H
#define UI_TEXT_H

#include "error.h"

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ui_Text ui_Text;     /* fonts, fallback chains, texture cache */
typedef struct ui_Layout ui_Layout; /* one text broken into lines, ready to draw */

/* Inline styles (the same bits as lesson.h's DH_SPAN_*). */
enum { UI_TEXT_EM = 1, UI_TEXT_STRONG = 2, UI_TEXT_CODE = 4 };

typedef struct ui_TextStyle {
    int size_px;        /* font size in physical pixels (already DPI/zoom scaled) */
    unsigned flags;     /* UI_TEXT_EM | UI_TEXT_STRONG | UI_TEXT_CODE for the whole text */
    SDL_Color color;    /* text colour */
    SDL_Color code_bg;  /* background behind `code` spans (alpha 0: none) */
    const char *lang;   /* BCP 47 language of the text ("th", "zh-Hans"): picks CJK
                         * glyph variants and ICU's break rules; NULL: "en" */
    bool markup;        /* parse *em* **strong** `code` (dh_inline_parse) */
    int align;          /* 0 left (start), 1 centre, 2 right (end) */
    float line_spacing; /* line height as a multiple of size_px; 0: 1.5. Lines are
                         * never shorter than the fonts used need (Myanmar) */
} ui_TextStyle;

/* Open the engine: find fonts (known Debian paths of fonts-noto-core and
 * fonts-noto-cjk, and fontconfig's directories), nothing rendered yet.
 * renderer may be NULL for measuring only (tests). */
dh_Status ui_text_open(ui_Text **out, SDL_Renderer *renderer, dh_Error *err);
void ui_text_close(ui_Text *t);
/* Add a font file shipped by a course (assets/fonts/...), tried before the
 * built-in chain for the characters it covers. data must stay valid until
 * ui_text_close. name is for messages; "Bold" or "Italic" in it say which
 * style the file is (else bold and italic are synthesised from it).
 * DH_EFORMAT when the bytes are not a font SDL_ttf can open. */
dh_Status ui_text_add_font(ui_Text *t, const void *data, size_t len, const char *name, dh_Error *err);

/* Lay out utf8 in lines no wider than max_width pixels (<= 0: one line per
 * paragraph, never broken). '\n' is a hard break. Returns NULL only when out
 * of memory. Characters no font has are drawn as a visible box, never lost. */
ui_Layout *ui_text_layout(ui_Text *t, const char *utf8, const ui_TextStyle *style, int max_width);
void ui_layout_free(ui_Layout *l);
/* Size of the laid-out text: widest line and total height, in pixels. */
int ui_layout_width(const ui_Layout *l);
int ui_layout_height(const ui_Layout *l);
int ui_layout_lines(const ui_Layout *l);
/* Byte range [start, end) of utf8 on line i (for tests: nothing lost, no
 * break inside a word), and the line's top y and height. Ranges are in the
 * caller's string, markup included; between one line's end and the next
 * one's start lie only white space, newlines and markup markers. Every line
 * has the same height. */
void ui_layout_line(const ui_Layout *l, int i, size_t *start, size_t *end, int *y, int *h);
/* Shaped width of line i (without its trailing spaces). */
int ui_layout_line_width(const ui_Layout *l, int i);
/* Offset of the first line's baseline from the layout's top (to align a
 * bullet or a number with the text beside it). */
int ui_layout_baseline(const ui_Layout *l);
/* Draw at (x, y) top-left; centred and right-aligned lines align within
 * max_width (or the widest line when there was none). Uses and fills the
 * texture cache; does nothing when the engine has no renderer. */
void ui_layout_draw(ui_Text *t, const ui_Layout *l, int x, int y);

/* Convenience: lay out and draw; the last 128 layouts are kept (keyed by
 * text, style and width), so calling it every frame costs one hash per text.
 * Returns the height drawn. */
int ui_text_draw(ui_Text *t, const char *utf8, const ui_TextStyle *style, int x, int y, int max_width);

/* Drop every cached texture (after a renderer reset or a theme change). */
void ui_text_flush(ui_Text *t);
/* Figures for the benchmark: cached textures, their bytes, hits, misses. */
void ui_text_stats(const ui_Text *t, int *textures, size_t *bytes, long *hits, long *misses);
/* Bound the texture cache (defaults: 512 lines, 16 MB; <= 0 keeps a default).
 * Least recently drawn lines go first. */
void ui_text_set_cache_limit(ui_Text *t, int max_textures, size_t max_bytes);

#endif
