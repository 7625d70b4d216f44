/* reading: the shared column, icons and status words of the course screens.
 *
 * Icons are filled polygons sent to SDL_RenderGeometry (SDL 2.0.18+), which
 * the software renderer draws as well as the accelerated ones; a disc is a
 * fan of triangles fine enough that its edge looks round at any scale. No
 * icon depends on a font, so a Khmer or Myanmar catalogue never shows a
 * box where a warning sign should be.
 */
#include "reading.h"

#include "widgets.h"

#include <math.h>

#define ICON_SEGMENTS 40
#define TAU 6.283185307179586

SDL_Rect ui_reading_column(const ui_App *app, SDL_Rect area)
{
    /* About 38 em of body text is 70-80 Latin characters per line, and
     * 38 CJK characters, both within what typographers recommend. */
    int maxw = ui_font_px(app, UI_FONT_BODY) * 38 + 2 * ui_px(app, UI_SP_L);
    if (area.w > maxw) {
        area.x += (area.w - maxw) / 2;
        area.w = maxw;
    }
    return area;
}

SDL_Color ui_mix(SDL_Color a, SDL_Color b, float t)
{
    SDL_Color c;
    c.r = (Uint8)lroundf(a.r + (b.r - a.r) * t);
    c.g = (Uint8)lroundf(a.g + (b.g - a.g) * t);
    c.b = (Uint8)lroundf(a.b + (b.b - a.b) * t);
    c.a = a.a;
    return c;
}

static SDL_Vertex vert(float x, float y, SDL_Color c)
{
    SDL_Vertex v;
    v.position.x = x;
    v.position.y = y;
    v.color = c;
    v.tex_coord.x = 0;
    v.tex_coord.y = 0;
    return v;
}

static void polygon(ui_App *app, const float *xy, int n, SDL_Color c)
{
    /* convex polygons only: a fan from the first vertex */
    SDL_Vertex v[3 * 16];
    int nv = 0;
    for (int i = 1; i + 1 < n && nv + 3 <= (int)(sizeof v / sizeof v[0]); i++) {
        v[nv++] = vert(xy[0], xy[1], c);
        v[nv++] = vert(xy[2 * i], xy[2 * i + 1], c);
        v[nv++] = vert(xy[2 * i + 2], xy[2 * i + 3], c);
    }
    SDL_SetRenderDrawBlendMode(app->renderer, SDL_BLENDMODE_BLEND);
    SDL_RenderGeometry(app->renderer, NULL, v, nv, NULL, 0);
}

static void fan(ui_App *app, float fx, float fy, float r, SDL_Color c)
{
    SDL_Vertex v[3 * ICON_SEGMENTS];
    for (int i = 0; i < ICON_SEGMENTS; i++) {
        float a0 = (float)(TAU * i / ICON_SEGMENTS), a1 = (float)(TAU * (i + 1) / ICON_SEGMENTS);
        v[3 * i] = vert(fx, fy, c);
        v[3 * i + 1] = vert(fx + r * cosf(a0), fy + r * sinf(a0), c);
        v[3 * i + 2] = vert(fx + r * cosf(a1), fy + r * sinf(a1), c);
    }
    SDL_SetRenderDrawBlendMode(app->renderer, SDL_BLENDMODE_BLEND);
    SDL_RenderGeometry(app->renderer, NULL, v, 3 * ICON_SEGMENTS, NULL, 0);
}

void ui_disc(ui_App *app, int cx, int cy, int rad, SDL_Color c)
{
    if (rad <= 0)
        return;
    /* a faint rim half a pixel out stands in for anti-aliasing, which the
     * software renderer does not do */
    SDL_Color rim = c;
    rim.a = (Uint8)(c.a * 2 / 5);
    fan(app, (float)cx, (float)cy, (float)rad + 0.7f, rim);
    fan(app, (float)cx, (float)cy, (float)rad, c);
}

/* A thick line as a quad. */
static void stroke(ui_App *app, float x0, float y0, float x1, float y1, float w, SDL_Color c)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len <= 0)
        return;
    float nx = -dy / len * w / 2, ny = dx / len * w / 2;
    float q[8] = {x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny};
    polygon(app, q, 4, c);
    ui_disc(app, (int)lroundf(x0), (int)lroundf(y0), (int)(w / 2), c);
    ui_disc(app, (int)lroundf(x1), (int)lroundf(y1), (int)(w / 2), c);
}

static void tick(ui_App *app, float x, float y, float s, SDL_Color c)
{
    float w = s * 0.13f;
    if (w < 2)
        w = 2;
    stroke(app, x + s * 0.24f, y + s * 0.52f, x + s * 0.43f, y + s * 0.70f, w, c);
    stroke(app, x + s * 0.43f, y + s * 0.70f, x + s * 0.77f, y + s * 0.32f, w, c);
}

void ui_icon(ui_App *app, ui_Icon icon, SDL_Rect r, SDL_Color c, SDL_Color on)
{
    int s = r.w < r.h ? r.w : r.h;
    float x = (float)r.x + (float)(r.w - s) / 2, y = (float)r.y + (float)(r.h - s) / 2, fs = (float)s;
    int cx = (int)lroundf(x + fs / 2), cy = (int)lroundf(y + fs / 2);
    switch (icon) {
    case UI_ICON_TICK:
        ui_disc(app, cx, cy, s / 2, c);
        tick(app, x, y, fs, on);
        break;
    case UI_ICON_DOT:
        ui_disc(app, cx, cy, s / 2, c);
        break;
    case UI_ICON_INFO: {
        ui_disc(app, cx, cy, s / 2, c);
        SDL_Rect bar = {cx - s / 14 - 1, (int)(y + fs * 0.42f), s / 7 + 1, (int)(fs * 0.34f)};
        ui_fill(app, bar, on);
        ui_disc(app, cx, (int)(y + fs * 0.28f), s / 12 + 1, on);
        break;
    }
    case UI_ICON_WARNING: {
        float t[6] = {x + fs / 2, y + fs * 0.06f, x + fs, y + fs * 0.94f, x, y + fs * 0.94f};
        polygon(app, t, 3, c);
        SDL_Rect bar = {cx - s / 16 - 1, (int)(y + fs * 0.36f), s / 8 + 1, (int)(fs * 0.30f)};
        ui_fill(app, bar, on);
        ui_disc(app, cx, (int)(y + fs * 0.79f), s / 14 + 1, on);
        break;
    }
    case UI_ICON_POLICY: {
        /* a shield: a square top and a pointed base */
        float sh[12] = {x + fs * 0.12f, y + fs * 0.10f, x + fs * 0.50f, y + fs * 0.02f,
                        x + fs * 0.88f, y + fs * 0.10f, x + fs * 0.88f, y + fs * 0.50f,
                        x + fs * 0.50f, y + fs * 0.98f, x + fs * 0.12f, y + fs * 0.50f};
        polygon(app, sh, 6, c);
        tick(app, x + fs * 0.06f, y - fs * 0.04f, fs * 0.88f, on);
        break;
    }
    case UI_ICON_LOCK: {
        /* a shackle (a thick arc drawn as strokes) over a body */
        float w = fs * 0.12f;
        if (w < 2)
            w = 2;
        float sx0 = x + fs * 0.32f, sx1 = x + fs * 0.68f, top = y + fs * 0.16f, base = y + fs * 0.46f;
        stroke(app, sx0, base, sx0, top + fs * 0.12f, w, c);
        stroke(app, sx1, base, sx1, top + fs * 0.12f, w, c);
        stroke(app, sx0, top + fs * 0.12f, x + fs * 0.5f, top, w, c);
        stroke(app, x + fs * 0.5f, top, sx1, top + fs * 0.12f, w, c);
        SDL_Rect body = {(int)(x + fs * 0.18f), (int)(y + fs * 0.44f), (int)(fs * 0.64f), (int)(fs * 0.48f)};
        ui_round_rect(app, body, s / 10, c, (SDL_Color){0, 0, 0, 0});
        ui_disc(app, cx, (int)(y + fs * 0.64f), s / 14 + 1, on);
        break;
    }
    case UI_ICON_IMAGE: {
        SDL_Rect fr = {(int)x, (int)(y + fs * 0.12f), s, (int)(fs * 0.76f)};
        ui_round_rect(app, fr, s / 10, (SDL_Color){0, 0, 0, 0}, c);
        int t = ui_px(app, 2);
        SDL_Rect in = {fr.x + t, fr.y + t, fr.w - 2 * t, fr.h - 2 * t};
        ui_round_rect(app, in, s / 12, on, (SDL_Color){0, 0, 0, 0});
        float hill[6] = {x + fs * 0.12f, y + fs * 0.80f, x + fs * 0.42f, y + fs * 0.42f,
                         x + fs * 0.70f, y + fs * 0.80f};
        polygon(app, hill, 3, c);
        float hill2[6] = {x + fs * 0.48f, y + fs * 0.80f, x + fs * 0.68f, y + fs * 0.56f,
                          x + fs * 0.88f, y + fs * 0.80f};
        polygon(app, hill2, 3, c);
        ui_disc(app, (int)(x + fs * 0.72f), (int)(y + fs * 0.32f), s / 10, c);
        break;
    }
    }
}

SDL_Color ui_status_color(const ui_App *app, dh_ProgressStatus s)
{
    const ui_Theme *t = &app->theme;
    switch (s) {
    case DH_PROGRESS_IN_PROGRESS: return t->accent;
    case DH_PROGRESS_COMPLETED:
    case DH_PROGRESS_PASSED: return t->success;
    case DH_PROGRESS_FAILED: return t->danger;
    case DH_PROGRESS_NOT_ATTEMPTED: break;
    }
    return t->text_muted;
}

dh_ProgressStatus ui_module_status(const dh_Progress *p, int module)
{
    const dh_ModuleProgress *m = &p->modules[module];
    dh_ProgressStatus s = p->states[module].status;
    /* the flags are what the rules use; the word must not contradict them */
    if (m->passed)
        return DH_PROGRESS_PASSED;
    if (m->failed_final)
        return DH_PROGRESS_FAILED;
    if (m->completed && s != DH_PROGRESS_FAILED)
        return DH_PROGRESS_COMPLETED;
    if (m->attempted && s == DH_PROGRESS_NOT_ATTEMPTED)
        return DH_PROGRESS_IN_PROGRESS;
    return s;
}

static ui_TextStyle pill_style(const ui_App *app, SDL_Color fg)
{
    return ui_style(app, UI_FONT_SMALL, fg, UI_TEXT_STRONG);
}

void ui_pill_size(ui_App *app, const char *text, int *w, int *h)
{
    ui_TextStyle st = pill_style(app, app->theme.text);
    *w = ui_text_width(app, text, &st) + 2 * ui_px(app, 10);
    *h = ui_text_height(app, text, &st, 0) + 2 * ui_px(app, 3);
}

int ui_pill(ui_App *app, const char *text, int x, int y, SDL_Color fg, SDL_Color bg)
{
    int w, h;
    ui_pill_size(app, text, &w, &h);
    SDL_Rect r = {x, y, w, h};
    if (app->theme.high_contrast)
        ui_round_rect(app, r, h / 2, app->theme.bg, fg);
    else
        ui_round_rect(app, r, h / 2, bg, (SDL_Color){0, 0, 0, 0});
    ui_TextStyle st = pill_style(app, fg);
    ui_label(app, text, &st, x + ui_px(app, 10), y + ui_px(app, 3), 0);
    return w;
}
