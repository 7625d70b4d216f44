/* app: opening the window, running the loop, keeping the screen stack.
 *
 * The loop is built for a kiosk that mostly waits: it blocks in
 * SDL_WaitEvent(Timeout) and draws only when input, a resize or a screen's
 * wake-up request changed something. A frame is: clear, the top screen's
 * frame(), record the widgets, present. Stack changes a screen asks for
 * during its frame are applied after it, so no screen is freed while its
 * own code still runs. Under --script the loop never sleeps: it runs one
 * script command whenever no event is queued and no frame is owed, so each
 * command sees the result of the previous one on screen.
 */
#include "app.h"

#include "alloc.h"
#include "screens.h"
#include "script.h"
#include "widgets.h"

#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

enum { OP_PUSH = 1, OP_POP, OP_REPLACE, OP_RESET, OP_BACK, OP_SIGN_OUT };

/* ---- metrics -------------------------------------------------------------- */

/* Pixels per design unit: the display's pixel ratio times the larger of its
 * DPI factor and a size factor, so the same layout fills a 1280x800 laptop,
 * a full-HD kiosk and a 4K wall screen alike. */
dh_Status ui_app_load_courses(ui_App *app, const ui_Options *opt, dh_Error *err); /* session.c */

static void update_metrics(ui_App *app)
{
    int ww, wh, dw, dh;
    SDL_GetWindowSize(app->window, &ww, &wh);
    if (SDL_GetRendererOutputSize(app->renderer, &dw, &dh) != 0) {
        dw = ww;
        dh = wh;
    }
    app->win_w = ww > 0 ? ww : 1;
    app->win_h = wh > 0 ? wh : 1;
    app->w = dw > 0 ? dw : 1;
    app->h = dh > 0 ? dh : 1;
    app->pixel_ratio = (float)app->w / (float)app->win_w;
    float dpi_factor = 1.0f, ddpi = 0;
    int display = SDL_GetWindowDisplayIndex(app->window);
    if (display >= 0 && SDL_GetDisplayDPI(display, &ddpi, NULL, NULL) == 0 && ddpi > 110 && ddpi < 500)
        dpi_factor = ddpi / 96.0f / app->pixel_ratio;
    float fw = app->win_w / 1280.0f, fh = app->win_h / 800.0f;
    float size_factor = fw < fh ? fw : fh;
    float f = dpi_factor > size_factor ? dpi_factor : size_factor;
    if (f < 1.0f)
        f = 1.0f;
    if (f > 3.0f)
        f = 3.0f;
    app->scale = app->pixel_ratio * f;
}

int ui_px(const ui_App *app, float dp)
{
    int v = (int)(dp * app->scale + 0.5f);
    return dp > 0 && v < 1 ? 1 : v;
}

int ui_font_px(const ui_App *app, float dp)
{
    return (int)(dp * app->scale * (float)app->settings.text_size / 100.0f + 0.5f);
}

/* ---- strings ---------------------------------------------------------------- */

const char *ui_tr(const ui_App *app, const char *key)
{
    return ui_strings_get(app->strings, app->lang, key);
}

const char *ui_trf(const ui_App *app, char *buf, size_t size, const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    ui_strings_vformat(app->strings, app->lang, buf, size, key, ap);
    va_end(ap);
    return buf;
}

const char *ui_course_text(const ui_App *app, const dh_Course *c, const dh_Text *t)
{
    const char *s = dh_text_get(t, app->lang, c->nlanguages ? c->languages[0] : NULL);
    return s ? s : "";
}

/* ---- time ------------------------------------------------------------------- */

uint64_t ui_app_now(const ui_App *app)
{
    return app->script ? app->clock_ms : SDL_GetTicks64();
}

void ui_app_wake_in(ui_App *app, uint64_t ms)
{
    uint64_t at = ui_app_now(app) + ms;
    if (!app->wake_at || at < app->wake_at)
        app->wake_at = at;
}

void ui_app_invalidate(ui_App *app)
{
    app->dirty = true;
}

/* ---- screen stack ------------------------------------------------------------ */

static void queue(ui_App *app, int op, ui_Screen *s)
{
    if (app->npending == (int)(sizeof app->pending / sizeof *app->pending)) {
        /* a screen asking for nine changes in one frame is a bug */
        DH_ASSERT(!"too many screen changes in one frame");
    }
    app->pending[app->npending].op = op;
    app->pending[app->npending].screen = s;
    app->npending++;
    app->dirty = true;
}

void ui_app_push(ui_App *app, ui_Screen *s) { if (s) queue(app, OP_PUSH, s); }
void ui_app_pop(ui_App *app) { queue(app, OP_POP, NULL); }
void ui_app_replace(ui_App *app, ui_Screen *s) { if (s) queue(app, OP_REPLACE, s); }
void ui_app_reset(ui_App *app, ui_Screen *s) { if (s) queue(app, OP_RESET, s); }
void ui_app_back(ui_App *app) { queue(app, OP_BACK, NULL); }
void ui_app_sign_out(ui_App *app) { queue(app, OP_SIGN_OUT, NULL); }

ui_Screen *ui_app_top(const ui_App *app)
{
    return app->depth ? app->stack[app->depth - 1] : NULL;
}

static void destroy(ui_Screen *s)
{
    if (s->cls->destroy)
        s->cls->destroy(s);
    else
        dh_free(s);
}

static void pop_one(ui_App *app)
{
    if (app->depth > 0)
        destroy(app->stack[--app->depth]);
}

static void push_one(ui_App *app, ui_Screen *s)
{
    if (app->depth == UI_SCREEN_STACK_MAX) { /* refuse rather than overflow */
        destroy(s);
        return;
    }
    app->stack[app->depth++] = s;
}

/* Run every screen's sign-out hook, top first (records `suspended`). */
static void run_sign_out_hooks(ui_App *app)
{
    if (!app->signed_in)
        return;
    for (int i = app->depth - 1; i >= 0; i--)
        if (app->stack[i]->cls->sign_out)
            app->stack[i]->cls->sign_out(app->stack[i], app);
}

void ui_app_session_reset(ui_App *app); /* session.c */

static bool apply_pending(ui_App *app)
{
    bool changed = false;
    for (int i = 0; i < app->npending; i++) {
        ui_Screen *s = app->pending[i].screen;
        switch (app->pending[i].op) {
        case OP_PUSH: push_one(app, s); break;
        case OP_POP: if (app->depth > 1) pop_one(app); break;
        case OP_REPLACE: pop_one(app); push_one(app, s); break;
        case OP_RESET:
            while (app->depth)
                pop_one(app);
            push_one(app, s);
            break;
        case OP_BACK: {
            ui_Screen *top = ui_app_top(app);
            if (top && top->cls->back && top->cls->back(top, app))
                break;
            if (app->depth > 1)
                pop_one(app);
            break;
        }
        case OP_SIGN_OUT: {
            run_sign_out_hooks(app);
            while (app->depth)
                pop_one(app);
            ui_app_session_reset(app);
            ui_Screen *si = ui_signin_new(app);
            if (si)
                push_one(app, si);
            break;
        }
        default: DH_ASSERT(!"unknown screen operation");
        }
        changed = true;
    }
    app->npending = 0;
    if (changed) {
        ui_widgets_forget(app);
        app->dirty = true;
    }
    if (!app->depth) /* nothing left to show (out of memory): stop cleanly */
        app->quit = true;
    return changed;
}

/* ---- frames ------------------------------------------------------------------- */

static void draw_frame(ui_App *app)
{
    apply_pending(app);
    ui_Screen *top = ui_app_top(app);
    if (!top)
        return;
    app->dirty = false;
    ui_widgets_begin_frame(app);
    SDL_Color bg = app->theme.bg;
    SDL_RenderSetClipRect(app->renderer, NULL);
    SDL_SetRenderDrawBlendMode(app->renderer, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(app->renderer, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(app->renderer);
    top->cls->frame(top, app);
    ui_widgets_end_frame(app);
    if (app->script)
        ui_script_before_present(app->script, app);
    SDL_RenderPresent(app->renderer);
    if (!app->first_frame_done) {
        app->first_frame_done = true;
        app->first_frame_ms = SDL_GetTicks64();
        const char *bench = SDL_getenv("DH_BENCH_FIRST_FRAME");
        if (bench && (bench[0] == '1' || !strcmp(bench, "settled"))) {
            /* bench_player times this line; "1": then we leave, "settled":
             * we go on until the screen is complete (see ui_app_run). */
            printf("first_frame\n");
            fflush(stdout);
            app->quit = bench[0] == '1';
        }
    }
    if (!app->courses_loaded) {
        app->courses_loaded = true;
        dh_Error err;
        if (ui_app_load_courses(app, &app->opts, &err) != DH_OK) {
            /* Only running out of memory gets here: say so and carry on with
             * the courses that did load (none: the catalog says so). */
            SDL_LogError(SDL_LOG_CATEGORY_APPLICATION, "drillhall: loading courses: %s", err.msg);
        }
    }
    apply_pending(app);
}

static void handle_event(ui_App *app, const SDL_Event *e, bool *draw_now)
{
    switch (e->type) {
    case SDL_QUIT:
        app->quit = true; /* issue 8: kiosk mode will ignore this */
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_RESIZED ||
            e->window.event == SDL_WINDOWEVENT_DISPLAY_CHANGED) {
            update_metrics(app);
            app->dirty = true;
        } else if (e->window.event == SDL_WINDOWEVENT_EXPOSED ||
                   e->window.event == SDL_WINDOWEVENT_SHOWN ||
                   e->window.event == SDL_WINDOWEVENT_RESTORED) {
            app->dirty = true;
        }
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        ui_text_flush(app->text);
        app->dirty = true;
        break;
    default:
        if (ui_widgets_event(app, e))
            *draw_now = true;
        break;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* bench_player: with DH_BENCH_FRAMES=N, redraw the final screen N times and
 * print the median and worst frame time (the text caches are warm, as on a
 * page the trainee is reading). */
static void bench_frames(ui_App *app)
{
    const char *env = SDL_getenv("DH_BENCH_FRAMES");
    int n = env ? atoi(env) : 0;
    if (n <= 0 || n > 10000 || !ui_app_top(app))
        return;
    double *t = dh_malloc((size_t)n * sizeof *t);
    if (!t)
        return;
    for (int i = 0; i < n; i++) {
        Uint64 t0 = SDL_GetPerformanceCounter();
        app->dirty = true;
        draw_frame(app);
        t[i] = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 / (double)SDL_GetPerformanceFrequency();
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("frame_ms median %.3f max %.3f (%dx%d, %s renderer, screen %s)\n", t[n / 2], t[n - 1], app->w,
           app->h, app->software ? "software" : "accelerated", ui_app_top(app)->cls->name);
    fflush(stdout);
    dh_free(t);
}

int ui_app_run(ui_App *app)
{
    app->dirty = true;
    int settle = 0;
    while (!app->quit) {
        if (app->dirty || app->npending) {
            /* a bounded number of back-to-back frames: layouts settle
             * (scroll extents, activations) but a bug cannot spin forever */
            if (++settle <= 8) {
                draw_frame(app);
                continue;
            }
        }
        settle = 0;
        if (app->first_frame_done && !app->bench_settled) {
            /* Nothing more to draw: the first screen is complete. */
            app->bench_settled = true;
            const char *bench = SDL_getenv("DH_BENCH_FIRST_FRAME");
            if (bench && !strcmp(bench, "settled")) {
                printf("settled\n");
                fflush(stdout);
                app->quit = true;
                continue;
            }
        }
        if (app->wake_at && ui_app_now(app) >= app->wake_at) {
            app->wake_at = 0;
            app->dirty = true;
            continue;
        }
        SDL_Event e;
        bool got;
        if (app->script) {
            got = SDL_PollEvent(&e);
            if (!got) {
                ui_script_step(app->script, app);
                continue;
            }
        } else if (app->wake_at) {
            uint64_t now = ui_app_now(app);
            int timeout = app->wake_at > now ? (int)(app->wake_at - now) : 0;
            got = SDL_WaitEventTimeout(&e, timeout);
        } else {
            got = SDL_WaitEvent(&e);
        }
        while (got) {
            bool draw_now = false;
            handle_event(app, &e, &draw_now);
            if (draw_now || app->quit)
                break; /* let the frame consume the activation first */
            got = SDL_PollEvent(&e);
        }
    }
    bench_frames(app);
    run_sign_out_hooks(app);
    return app->exit_code;
}

/* ---- opening ------------------------------------------------------------------- */

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}


/* True if renderer draws through an OpenGL implementation that is really a
 * CPU rasteriser (Mesa's llvmpipe or softpipe, or a generic software GL). */
static bool gl_is_software(SDL_Renderer *renderer)
{
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(renderer, &info) != 0 || !info.name || strncmp(info.name, "opengl", 6) != 0)
        return false;
    /* The renderer's context is current; ask it who it is (GL_RENDERER). */
    typedef const unsigned char *(*GetString)(unsigned int name);
    GetString get = (GetString)(uintptr_t)SDL_GL_GetProcAddress("glGetString");
    const char *who = get ? (const char *)get(0x1F01) : NULL;
    return who && (strstr(who, "llvmpipe") || strstr(who, "softpipe") || strstr(who, "Software Rasterizer") ||
                   strstr(who, "SWR"));
}

static dh_Status open_video(ui_App *app, const ui_Options *opt, dh_Error *err)
{
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0"); /* taps come as finger events only */
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_IME_SHOW_UI, "1");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
        return dh_fail(err, DH_EIO, "cannot start the display: %s", SDL_GetError());
    const char *driver = SDL_GetCurrentVideoDriver();
    const char *want = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
    /* No GPU device at all (a VM, Xvfb): any OpenGL would be Mesa's CPU
     * rasteriser, and merely loading it costs ~70 MB; go straight to SDL's
     * software renderer. (gl_is_software catches the remaining cases.) */
    bool no_gpu = access("/dev/dri", F_OK) != 0 && !(want && want[0]); /* a chosen driver wins */
    bool software = (driver && (strcmp(driver, "offscreen") == 0 || strcmp(driver, "dummy") == 0)) ||
                    (want && strcmp(want, "software") == 0) || no_gpu;
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI | SDL_WINDOW_RESIZABLE |
                   (opt->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    int w = opt->win_w > 0 ? opt->win_w : 1280, h = opt->win_h > 0 ? opt->win_h : 800;
    for (int attempt = 0; attempt < 2 && !app->renderer; attempt++) {
        if (software) /* else SDL backs the window surface with a software OpenGL stack */
            SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        app->window = SDL_CreateWindow("Drillhall", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                       w, h, flags);
        if (!app->window)
            return dh_fail(err, DH_EIO, "cannot open a window: %s", SDL_GetError());
        app->renderer = SDL_CreateRenderer(app->window, -1, software ? SDL_RENDERER_SOFTWARE
                                                                     : SDL_RENDERER_ACCELERATED);
        app->software = software;
        if (app->renderer && !software && gl_is_software(app->renderer)) {
            /* "Accelerated" by Mesa's CPU rasteriser (llvmpipe: no GPU, or
             * Xvfb): ~90 MB more memory and a slower start than SDL's own
             * software renderer, for nothing. Use that instead. */
            SDL_DestroyRenderer(app->renderer);
            app->renderer = NULL;
        }
        if (!app->renderer) {
            SDL_DestroyWindow(app->window);
            app->window = NULL;
            if (software)
                break;
            software = true;
        }
    }
    if (!app->renderer)
        return dh_fail(err, DH_EIO, "cannot draw in the window: %s", SDL_GetError());
    SDL_SetWindowMinimumSize(app->window, 640, 480);
    IMG_Init(IMG_INIT_PNG | IMG_INIT_JPG);
    update_metrics(app);
    return DH_OK;
}

dh_Status ui_app_open(ui_App **out, const ui_Options *opt, dh_Error *err)
{
    *out = NULL;
    ui_App *app = dh_calloc(1, sizeof *app);
    if (!app)
        return dh_fail(err, DH_ENOMEM, "out of memory");
    dh_Status st = DH_OK;
    ui_settings_default(&app->settings);
    ui_theme_init(&app->theme, false);
    snprintf(app->default_lang, sizeof app->default_lang, "%s", opt->lang ? opt->lang : "en");
    snprintf(app->lang, sizeof app->lang, "%s", app->default_lang);
    if (opt->shots)
        snprintf(app->shots_dir, sizeof app->shots_dir, "%s", opt->shots);

    /* data directory, store and kiosk identity */
    if (opt->data_dir)
        snprintf(app->data_dir, sizeof app->data_dir, "%s", opt->data_dir);
    else if ((st = dh_store_default_dir(app->data_dir, sizeof app->data_dir, err)) != DH_OK)
        goto fail;
    if ((st = dh_store_open(&app->store, app->data_dir, &app->store_notice, err)) != DH_OK)
        goto fail;
    if (app->store_notice.msg[0])
        fprintf(stderr, "drillhall: %s\n", app->store_notice.msg);
    if ((st = dh_kiosk_open(&app->kiosk, app->data_dir, err)) != DH_OK)
        goto fail;
    if (app->kiosk.warning[0])
        fprintf(stderr, "drillhall: %s\n", app->kiosk.warning);
    /* Until kiosk configuration lands (issue 8: kiosk.json with the
     * programme's IRIs), trainee accounts belong to this kiosk and activity
     * ids live under a placeholder programme base. */
    snprintf(app->home_page, sizeof app->home_page, "https://drillhall.example/kiosks/%s",
             app->kiosk.id);
    snprintf(app->activity_base, sizeof app->activity_base, "https://drillhall.example/xapi");
    app->xapi.home_page = app->home_page;
    app->xapi.activity_base = app->activity_base;
    app->xapi.kiosk_id = app->kiosk.id;

    /* UI strings next to the binary (<build>/bin/../assets), else the source tree */
    char *base = SDL_GetBasePath();
    snprintf(app->assets_dir, sizeof app->assets_dir, "%s../assets", base ? base : "./");
    SDL_free(base);
    if (!is_dir(app->assets_dir))
        snprintf(app->assets_dir, sizeof app->assets_dir, "%s", DH_SOURCE_ASSETS_DIR);
    char i18n[DH_STORE_PATH_MAX + 8];
    snprintf(i18n, sizeof i18n, "%s/i18n", app->assets_dir);
    if ((st = ui_strings_load(&app->strings, i18n, err)) != DH_OK)
        goto fail;
    if (ui_strings_find(app->strings, app->lang) < 0) {
        fprintf(stderr, "drillhall: no UI strings for language '%s'; English is used\n", app->lang);
        snprintf(app->lang, sizeof app->lang, "en");
        snprintf(app->default_lang, sizeof app->default_lang, "en");
    } else {
        snprintf(app->lang, sizeof app->lang, "%s",
                 ui_strings_code(app->strings, ui_strings_find(app->strings, app->lang)));
        snprintf(app->default_lang, sizeof app->default_lang, "%s", app->lang);
    }

    if ((st = open_video(app, opt, err)) != DH_OK)
        goto fail;
    if ((st = ui_text_open(&app->text, app->renderer, err)) != DH_OK)
        goto fail;
    if ((st = ui_widgets_new(&app->widgets, err)) != DH_OK)
        goto fail;
    if (opt->script && (st = ui_script_open(&app->script, opt->script, err)) != DH_OK)
        goto fail;
    /* The courses are loaded right after the first frame (see draw_frame):
     * the sign-in screen needs none of them, and a kiosk is interactive
     * sooner while the trainee types or scans their id. */
    app->opts = *opt;
    ui_Screen *s = ui_signin_new(app);
    if (!s) {
        st = dh_fail(err, DH_ENOMEM, "out of memory");
        goto fail;
    }
    push_one(app, s);
    *out = app;
    return DH_OK;
fail:
    ui_app_close(app);
    return st;
}

void ui_app_free_courses(ui_App *app); /* session.c */

void ui_app_close(ui_App *app)
{
    if (!app)
        return;
    while (app->depth)
        pop_one(app);
    for (int i = 0; i < app->npending; i++)
        if (app->pending[i].screen)
            destroy(app->pending[i].screen);
    app->npending = 0;
    ui_app_free_courses(app);
    ui_script_free(app->script);
    ui_widgets_free(app->widgets);
    ui_text_close(app->text);
    if (app->renderer)
        SDL_DestroyRenderer(app->renderer);
    if (app->window)
        SDL_DestroyWindow(app->window);
    if (SDL_WasInit(SDL_INIT_VIDEO)) {
        IMG_Quit();
        SDL_Quit();
    }
    ui_strings_free(app->strings);
    dh_kiosk_wipe(&app->kiosk);
    dh_store_close(app->store);
    dh_package_deinit();
    dh_free(app);
}
