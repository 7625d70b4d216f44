/* text_shots: pictures of the text engine's output, for people to look at.
 *
 * Tests can prove that no character is lost and that lines break where ICU
 * allows, but not that a Khmer subscript sits under its consonant or that a
 * Thai tone mark clears the vowel below it: only a reader can. This tool
 * draws every sample paragraph (tests/ui/text_samples.h) at two sizes and
 * widths, with inline markup and the box the text had to fit, using the
 * software renderer on an offscreen surface, and saves one PNG per language
 * plus an overview. Usage: text_shots [DIR] (default /tmp/shots).
 */
#include "text.h"
#include "text_samples.h"

#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const SDL_Color ink = {20, 24, 32, 255};
static const SDL_Color faint = {120, 130, 150, 255};

static void frame(SDL_Renderer *r, int x, int y, int w, int h)
{
    SDL_SetRenderDrawColor(r, 200, 90, 90, 255);
    SDL_Rect box = {x - 1, y - 1, w + 2, h + 2};
    SDL_RenderDrawRect(r, &box);
}

static int paragraph(ui_Text *t, SDL_Renderer *r, const char *text, const char *lang, int size, int x, int y,
                     int w, bool markup)
{
    ui_TextStyle st = {.size_px = size, .color = ink, .code_bg = {225, 228, 236, 255}, .lang = lang, .markup = markup};
    ui_Layout *l = ui_text_layout(t, text, &st, w);
    if (!l) return 0;
    frame(r, x, y, w, ui_layout_height(l));
    ui_layout_draw(t, l, x, y);
    int h = ui_layout_height(l);
    ui_layout_free(l);
    return h;
}

static int label(ui_Text *t, const char *text, int x, int y)
{
    ui_TextStyle st = {.size_px = 16, .color = faint, .lang = "en"};
    return ui_text_draw(t, text, &st, x, y, 0);
}

static bool save(SDL_Surface *s, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    if (IMG_SavePNG(s, path) != 0) {
        fprintf(stderr, "text_shots: %s: %s\n", path, IMG_GetError());
        return false;
    }
    printf("%s\n", path);
    return true;
}

static double now_ms(void)
{
    return (double)SDL_GetPerformanceCounter() * 1000.0 / (double)SDL_GetPerformanceFrequency();
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One full-HD page: paragraphs of every language in two columns of 900 px
 * at 22 px, top to bottom (about 60 lines). */
static int page(ui_Text *t, ui_Layout **keep, bool draw)
{
    int lines = 0;
    for (int col = 0; col < 2; col++) {
        int yy = 20;
        for (int i = col; yy < 1040; i = (i + 2) % TEXT_SAMPLE_COUNT) {
            ui_TextStyle st = {.size_px = 22, .color = ink, .lang = text_samples[i].lang};
            if (keep) {
                ui_Layout *l = ui_text_layout(t, text_samples[i].text, &st, 900);
                if (!l) return -1;
                lines += ui_layout_lines(l);
                if (draw) ui_layout_draw(t, l, 40 + col * 960, yy);
                yy += ui_layout_height(l) + 10;
                *keep++ = l;
                *keep = NULL;
            } else {
                yy += ui_text_draw(t, text_samples[i].text, &st, 40 + col * 960, yy, 900) + 10;
            }
        }
    }
    return lines;
}

static bool figures(const char *dir)
{
    SDL_Surface *hd = SDL_CreateRGBSurfaceWithFormat(0, 1920, 1080, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *hr = hd ? SDL_CreateSoftwareRenderer(hd) : NULL;
    ui_Text *t = NULL;
    dh_Error err;
    if (!hr) return false;
    double t0 = now_ms();
    if (ui_text_open(&t, hr, &err) != DH_OK) return false;
    double open_ms = now_ms() - t0;
    /* the first English paragraph a player draws: fonts opened, ICU loaded */
    t0 = now_ms();
    ui_TextStyle en = {.size_px = 22, .color = ink, .lang = "en"};
    ui_text_draw(t, text_samples[0].text, &en, 0, 0, 900);
    double first_ms = now_ms() - t0;

    /* the same, per language, each in a fresh engine (what a first frame in
     * that language pays) */
    printf("first paragraph drawn by a fresh engine, per language (ms):");
    for (int i = 0; i < TEXT_SAMPLE_COUNT; i++) {
        ui_Text *f = NULL;
        if (ui_text_open(&f, hr, &err) != DH_OK) return false;
        ui_TextStyle st = {.size_px = 22, .color = ink, .lang = text_samples[i].lang};
        double f0 = now_ms();
        ui_text_draw(f, text_samples[i].text, &st, 0, 0, 900);
        printf(" %s %.1f", text_samples[i].lang, now_ms() - f0);
        ui_text_close(f);
    }
    printf("\n");

    ui_Layout *keep[64] = {NULL};
    t0 = now_ms();
    int lines = page(t, keep, false);
    double cold_ms = now_ms() - t0;
    for (int i = 0; keep[i]; i++) ui_layout_free(keep[i]);

    enum { RUNS = 21 };
    double relayout[RUNS], draw[RUNS], conv[RUNS], clear[RUNS];
    for (int r = 0; r < RUNS; r++) {
        SDL_SetRenderDrawColor(hr, 252, 252, 250, 255);
        t0 = now_ms();
        SDL_RenderClear(hr);
        clear[r] = now_ms() - t0;
        /* lay out again (widths remembered) and draw (textures cached) */
        t0 = now_ms();
        lines = page(t, keep, false);
        relayout[r] = now_ms() - t0;
        t0 = now_ms();
        int k = 0;
        for (int col = 0; col < 2; col++) {
            int yy = 20;
            for (; keep[k] && yy < 1040; k++) {
                ui_layout_draw(t, keep[k], 40 + col * 960, yy);
                yy += ui_layout_height(keep[k]) + 10;
                if (yy >= 1040) {
                    k++;
                    break;
                }
            }
        }
        draw[r] = now_ms() - t0;
        for (int i = 0; keep[i]; i++) ui_layout_free(keep[i]);
        keep[0] = NULL;
        /* what a player does every frame: ui_text_draw, layouts kept */
        t0 = now_ms();
        page(t, NULL, true);
        conv[r] = now_ms() - t0;
    }
    qsort(relayout, RUNS, sizeof(double), cmp_double);
    qsort(draw, RUNS, sizeof(double), cmp_double);
    qsort(conv, RUNS, sizeof(double), cmp_double);
    qsort(clear, RUNS, sizeof(double), cmp_double);
    int tex;
    size_t bytes;
    long hits, misses;
    ui_text_stats(t, &tex, &bytes, &hits, &misses);
    printf("text engine figures (software renderer, 1920x1080, %d lines of 22 px text in 14 languages, "
           "%d distinct):\n"
           "  ui_text_open %.1f ms; first English paragraph drawn %.1f ms; first full page (fonts, ICU, "
           "shaping, no draw) %.1f ms\n"
           "  warm, medians of %d: re-layout %.2f ms, draw from cache %.2f ms, ui_text_draw (layouts kept) "
           "%.2f ms; clearing the frame %.2f ms\n"
           "  cache: %d textures, %zu KB, %ld hits, %ld misses\n",
           lines, tex, open_ms, first_ms, cold_ms, RUNS, relayout[RUNS / 2], draw[RUNS / 2], conv[RUNS / 2],
           clear[RUNS / 2], tex, bytes / 1024, hits, misses);
    SDL_RenderPresent(hr);
    bool ok = save(hd, dir, "fullhd");
    ui_text_close(t);
    SDL_DestroyRenderer(hr);
    SDL_FreeSurface(hd);
    return ok;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp/shots";
    mkdir(dir, 0755);
    if (SDL_Init(0) != 0) {
        fprintf(stderr, "text_shots: %s\n", SDL_GetError());
        return 1;
    }
    const int W = 1280, H = 900;
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!r) {
        fprintf(stderr, "text_shots: %s\n", SDL_GetError());
        return 1;
    }
    ui_Text *t = NULL;
    dh_Error err;
    if (ui_text_open(&t, r, &err) != DH_OK) {
        fprintf(stderr, "text_shots: %s\n", err.msg);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < TEXT_SAMPLE_COUNT; i++) {
        const TextSample *s = &text_samples[i];
        SDL_SetRenderDrawColor(r, 252, 252, 250, 255);
        SDL_RenderClear(r);
        int y = 16;
        char head[160];
        snprintf(head, sizeof head, "%s (%s): 30 px in 1200 px, 22 px in 420 px and 260 px, markup", s->name, s->lang);
        y += label(t, head, 24, y) + 8;
        y += paragraph(t, r, s->text, s->lang, 30, 24, y, 1200, false) + 24;
        int h1 = paragraph(t, r, s->text, s->lang, 22, 24, y, 420, false);
        int h2 = paragraph(t, r, s->text, s->lang, 22, 480, y, 260, false);
        y += (h1 > h2 ? h1 : h2) + 24;
        if (s->words[0] && s->words[1] && s->words[2]) {
            char mk[512];
            snprintf(mk, sizeof mk, "**%s** *%s* `%s` — %s", s->words[0], s->words[1], s->words[2], s->words[0]);
            y += paragraph(t, r, mk, s->lang, 26, 24, y, 1200, true) + 16;
        }
        /* the words that must never be split, large enough to judge marks */
        char big[512] = "";
        for (int k = 0; k < 6 && s->words[k]; k++) {
            size_t used = strlen(big);
            snprintf(big + used, sizeof big - used, "%s%s", k ? "  " : "", s->words[k]);
        }
        if (!big[0]) {
            size_t n = strlen(s->text) < 36 ? strlen(s->text) : 36; /* CJK: 12 characters */
            snprintf(big, sizeof big, "%.*s", (int)n, s->text);
        }
        y += paragraph(t, r, big, s->lang, 64, 24, y, 1200, false) + 16;
        (void)y;
        SDL_RenderPresent(r);
        char name[64];
        snprintf(name, sizeof name, "%02d-%s", i, s->lang);
        if (!save(surf, dir, name)) rc = 1;
    }

    /* overview: every language's first sentence, then a box for a character
     * no font has (never dropped) and a mixed-script line */
    SDL_SetRenderDrawColor(r, 252, 252, 250, 255);
    SDL_RenderClear(r);
    int y = 12;
    for (int i = 0; i < TEXT_SAMPLE_COUNT; i++) {
        char line[600];
        const char *txt = text_samples[i].text;
        static const char *const stops[] = {". ", "\xE3\x80\x82", "\xE1\x9F\x94", "\xE1\x81\x8B", "\xE0\xA5\xA4"};
        const char *end = txt + strlen(txt);
        for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++) {
            const char *p = strstr(txt, stops[k]);
            if (p && p + strlen(stops[k]) < end) end = p + strlen(stops[k]);
        }
        snprintf(line, sizeof line, "%.*s", (int)(end - txt), txt);
        y += paragraph(t, r, line, text_samples[i].lang, 22, 16, y, 1248, false) + 6;
    }
    y += paragraph(t, r, "No font draws U+1F512 \xF0\x9F\x94\x92 or U+10FFFD \xF4\x8F\xBF\xBD: each is a box. "
                         "Mixed: ความปลอดภัย, សន្តិសុខ, 安全, 보안, सुरक्षा, безопасность.",
                   "en", 22, 16, y, 1248, false);
    SDL_RenderPresent(r);
    if (!save(surf, dir, "all")) rc = 1;

    /* figures: a full-HD page of text, cold then warm */
    if (!figures(dir)) rc = 1;

    ui_text_close(t);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    SDL_Quit();
    return rc;
}
