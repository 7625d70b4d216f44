/* reading: what the course screens (outline, lesson, placeholder) share.
 *
 * Those screens are read more than they are operated, so they share one
 * reading column (its width capped near 75 characters of body text, which
 * is what the eye can follow back to the next line, and centred on wide
 * screens), one set of small icons drawn with shapes rather than glyphs
 * (so no font can lack them and they scale with the display), and one way
 * of colouring a progress status. Keeping them here means the outline's
 * "Completed" and the lesson's look like one product.
 */
#ifndef UI_READING_H
#define UI_READING_H

#include "app.h"

#include <SDL.h>

/* The reading column inside area (usually ui_content's rect): at most about
 * 75 characters of body text wide at the trainee's text size, centred. */
SDL_Rect ui_reading_column(const ui_App *app, SDL_Rect area);

typedef enum ui_Icon {
    UI_ICON_TICK,     /* done, confirmed */
    UI_ICON_LOCK,     /* locked module */
    UI_ICON_INFO,     /* tip: a circle with an "i" */
    UI_ICON_WARNING,  /* warning: a triangle with a "!" */
    UI_ICON_POLICY,   /* policy: a shield with a bar */
    UI_ICON_IMAGE,    /* a missing picture: a frame with a hill and a sun */
    UI_ICON_DOT       /* a filled circle (bullets, "in progress") */
} ui_Icon;

/* Draw icon centred in the square r in colour c; `on` is the colour of the
 * marks drawn on a filled shape (the "i", the "!", the tick on a disc). */
void ui_icon(ui_App *app, ui_Icon icon, SDL_Rect r, SDL_Color c, SDL_Color on);
/* A filled disc of radius rad centred at (cx, cy). */
void ui_disc(ui_App *app, int cx, int cy, int rad, SDL_Color c);

/* The theme colour that goes with a status (muted, accent, success, danger). */
SDL_Color ui_status_color(const ui_App *app, dh_ProgressStatus s);
/* The status of one module as the outline shows it. */
dh_ProgressStatus ui_module_status(const dh_Progress *p, int module);

/* a blended towards b by t (0..1); alpha from a. */
SDL_Color ui_mix(SDL_Color a, SDL_Color b, float t);

/* A small rounded "pill" with text (status words, kinds) at (x, y); returns
 * its width. Recorded as text for scripts. ui_pill_size measures it. */
int ui_pill(ui_App *app, const char *text, int x, int y, SDL_Color fg, SDL_Color bg);
void ui_pill_size(ui_App *app, const char *text, int *w, int *h);

#endif
