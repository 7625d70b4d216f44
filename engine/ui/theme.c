/* theme: two palettes, one calm and one stark.
 *
 * The default palette is a quiet slate-and-navy scheme that reads well on
 * cheap kiosk panels and under office light: off-white background, white
 * cards, dark slate text (contrast above 12:1) and one accent colour kept for
 * actions and progress, so the eye finds what to press. The high-contrast
 * palette is white on black with yellow focus and accents, for trainees who
 * need it; both keep the same roles so screens never special-case them.
 */
#include "theme.h"

#include <string.h>

static SDL_Color rgb(unsigned hex)
{
    SDL_Color c = {(Uint8)(hex >> 16), (Uint8)(hex >> 8), (Uint8)hex, 255};
    return c;
}

void ui_theme_init(ui_Theme *t, bool high_contrast)
{
    memset(t, 0, sizeof *t);
    t->high_contrast = high_contrast;
    if (!high_contrast) {
        t->bg = rgb(0xF3F5F8);
        t->surface = rgb(0xFFFFFF);
        t->surface_alt = rgb(0xE9EEF4);
        t->border = rgb(0xCBD3DD);
        t->text = rgb(0x1B2533);
        t->text_muted = rgb(0x566274);
        t->accent = rgb(0x1F5AA6);
        t->accent_text = rgb(0xFFFFFF);
        t->accent_soft = rgb(0xDCE8F7);
        t->focus = rgb(0xE08A00);
        t->danger = rgb(0xB3261E);
        t->danger_soft = rgb(0xFBE9E7);
        t->success = rgb(0x1E7B45);
        t->warning = rgb(0x9A5B00);
        t->warning_soft = rgb(0xFFF4DC);
        t->track = rgb(0xDDE3EA);
        t->disabled_text = rgb(0x8C96A3);
        t->header_bg = rgb(0x16263D);
        t->header_text = rgb(0xFFFFFF);
    } else {
        t->bg = rgb(0x000000);
        t->surface = rgb(0x000000);
        t->surface_alt = rgb(0x1A1A1A);
        t->border = rgb(0xFFFFFF);
        t->text = rgb(0xFFFFFF);
        t->text_muted = rgb(0xE6E6E6);
        t->accent = rgb(0xFFE14D);
        t->accent_text = rgb(0x000000);
        t->accent_soft = rgb(0x333000);
        t->focus = rgb(0x3DD5FF);
        t->danger = rgb(0xFF8A80);
        t->danger_soft = rgb(0x2A0000);
        t->success = rgb(0x7CF29C);
        t->warning = rgb(0xFFD166);
        t->warning_soft = rgb(0x261C00);
        t->track = rgb(0x4D4D4D);
        t->disabled_text = rgb(0xA6A6A6);
        t->header_bg = rgb(0x000000);
        t->header_text = rgb(0xFFFFFF);
    }
}
