/* theme: the player's colours and type scale, calm by default, stark on request.
 *
 * Every colour a screen draws comes from here, so the high-contrast theme
 * (a trainee's accessibility setting) changes the whole product at once and
 * no screen invents its own palette. Sizes are in design units (dp at
 * 96 dpi); ui_px and ui_font_px (app.h) turn them into pixels with the
 * display scale and the trainee's text size.
 */
#ifndef UI_THEME_H
#define UI_THEME_H

#include <SDL.h>
#include <stdbool.h>

typedef struct ui_Theme {
    bool high_contrast;
    SDL_Color bg;           /* window background */
    SDL_Color surface;      /* cards, fields, dialogs */
    SDL_Color surface_alt;  /* hovered list items, header bar */
    SDL_Color border;       /* card and field outlines */
    SDL_Color text;         /* body text */
    SDL_Color text_muted;   /* secondary text: times, hints */
    SDL_Color accent;       /* primary buttons, progress fill, links */
    SDL_Color accent_text;  /* text on accent */
    SDL_Color accent_soft;  /* selected / checked backgrounds */
    SDL_Color focus;        /* keyboard focus ring */
    SDL_Color danger;       /* errors, broken packages */
    SDL_Color danger_soft;  /* error message backgrounds */
    SDL_Color success;      /* completed, passed */
    SDL_Color warning;      /* warnings, callouts */
    SDL_Color warning_soft;
    SDL_Color track;        /* progress-bar track, disabled fills */
    SDL_Color disabled_text;
    SDL_Color header_bg;    /* top bar */
    SDL_Color header_text;
} ui_Theme;

/* Type scale in dp (before the trainee's text size). */
#define UI_FONT_SMALL 15.0f
#define UI_FONT_BODY 18.0f
#define UI_FONT_LABEL 18.0f
#define UI_FONT_TITLE 24.0f
#define UI_FONT_HEADING 30.0f
#define UI_FONT_DISPLAY 38.0f

/* Spacing scale in dp: use these, not ad-hoc numbers, for consistent rhythm. */
#define UI_SP_XS 4.0f
#define UI_SP_S 8.0f
#define UI_SP_M 16.0f
#define UI_SP_L 24.0f
#define UI_SP_XL 40.0f
#define UI_TOUCH_MIN 48.0f   /* smallest touch target (9 mm at 96 dpi) */
#define UI_RADIUS 8.0f       /* corner radius of cards and buttons */
#define UI_HEADER_H 64.0f    /* top bar height (grows with text size) */
#define UI_CONTENT_MAX 1100.0f /* widest content column, centred */

/* The default or high-contrast palette. */
void ui_theme_init(ui_Theme *t, bool high_contrast);

#endif
