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
#include <signal.h>
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
            /* a kiosk shows nothing of the last trainee: the attract screen */
            ui_Screen *si = app->kiosk_mode ? ui_attract_new(app) : ui_signin_new(app);
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

/* The "are you still there?" card over a dimmed screen. Any input
 * cancels it (handle_event), so its button is only a visible promise. */
static void draw_idle_warning(ui_App *app)
{
    const ui_Theme *t = &app->theme;
    SDL_SetRenderDrawBlendMode(app->renderer, SDL_BLENDMODE_BLEND);
    ui_fill(app, (SDL_Rect){0, 0, app->w, app->h}, (SDL_Color){0, 0, 0, 140});
    int w = app->w - 2 * ui_px(app, UI_SP_L);
    if (w > ui_px(app, 560))
        w = ui_px(app, 560);
    int pad = ui_px(app, UI_SP_L);
    char msg[300];
    ui_trf(app, msg, sizeof msg, app->signed_in ? "kiosk.idle_signout" : "kiosk.idle_restart",
           ui_app_idle_left_s(app));
    const char *title = ui_tr(app, "kiosk.idle_title"), *stay = ui_tr(app, "kiosk.idle_stay");
    ui_TextStyle ts = ui_style(app, UI_FONT_HEADING, t->text, UI_TEXT_STRONG);
    ui_TextStyle bs = ui_style(app, UI_FONT_BODY, t->text, 0);
    int bh = ui_button_height(app, UI_PRIMARY);
    int h = pad + ui_text_height(app, title, &ts, w - 2 * pad) + ui_px(app, UI_SP_S) +
            ui_text_height(app, msg, &bs, w - 2 * pad) + ui_px(app, UI_SP_L) + bh + pad;
    int x = (app->w - w) / 2, y = (app->h - h) / 2;
    ui_card(app, NULL, title, (SDL_Rect){x, y, w, h}, 0);
    int cy = y + pad;
    cy += ui_label(app, title, &ts, x + pad, cy, w - 2 * pad) + ui_px(app, UI_SP_S);
    cy += ui_label(app, msg, &bs, x + pad, cy, w - 2 * pad) + ui_px(app, UI_SP_L);
    ui_button(app, "idle.stay", stay, (SDL_Rect){x + pad, cy, w - 2 * pad, bh}, UI_PRIMARY);
}

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
    if (app->idle_warning)
        draw_idle_warning(app);
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

/* ---- kiosk policy ---------------------------------------------------------------- */

#define IDLE_WARN_MS 20000      /* the countdown before an idle sign-out */
#define CORNER_HOLD_MS 3000     /* the hidden admin gesture: a press held this long */
#define CORNER_DP 40.0f         /* ... in this square at the top-left corner */

int64_t ui_app_clock_ms(const ui_App *app)
{
    return app->wall_base_ms + (int64_t)(ui_app_now(app) - app->now_base_ms);
}

static uint64_t idle_limit_ms(const ui_App *app)
{
    return (uint64_t)app->config.idle_timeout_s * 1000;
}

int ui_app_idle_left_s(const ui_App *app)
{
    uint64_t now = ui_app_now(app), end = app->last_input_ms + idle_limit_ms(app);
    return now >= end ? 0 : (int)((end - now + 999) / 1000);
}

static bool top_is(const ui_App *app, const char *name)
{
    const ui_Screen *top = ui_app_top(app);
    return top && !strcmp(top->cls->name, name);
}

void ui_app_run_task(ui_App *app, void (*fn)(ui_App *app, void *ctx), void *ctx)
{
    DH_ASSERT(!app->task && !app->in_task);
    app->task = fn;
    app->task_ctx = ctx;
    app->dirty = true;
}

static void draw_frame(ui_App *app);

void ui_app_draw_now(ui_App *app)
{
    DH_ASSERT(app->in_task);
    SDL_PumpEvents(); /* keep the window alive; input waits in the queue */
    app->dirty = true;
    draw_frame(app);
}

static void run_task(ui_App *app)
{
    void (*fn)(ui_App *, void *) = app->task;
    void *ctx = app->task_ctx;
    app->task = NULL;
    app->task_ctx = NULL;
    app->in_task = true;
    fn(app, ctx);
    app->in_task = false;
    app->last_input_ms = ui_app_now(app); /* the officer waited: that is not idleness */
    app->dirty = true;
}

void ui_app_admin_gesture(ui_App *app)
{
    if (top_is(app, "pinpad") || top_is(app, "admin"))
        return;
    ui_Screen *s = ui_pinpad_new(app);
    if (s)
        ui_app_push(app, s);
}

/* Idle timeout, run once per loop turn: a kiosk left alone warns, then
 * saves and signs the trainee out (or leaves the sign-in, PIN and admin
 * screens) and shows the attract screen. Asks to be woken for the next
 * step, so an idle kiosk sleeps until then. */
static void kiosk_tick(ui_App *app)
{
    if (!app->kiosk_mode || !app->depth || top_is(app, "attract") || app->npending)
        return;
    uint64_t now = ui_app_now(app), limit = idle_limit_ms(app);
    uint64_t end = app->last_input_ms + limit, warn = end - IDLE_WARN_MS;
    if (now >= end) {
        app->idle_warning = false;
        if (app->signed_in) {
            ui_app_sign_out(app); /* sign_out hooks save progress first */
        } else {
            ui_Screen *a = ui_attract_new(app);
            if (a)
                ui_app_reset(app, a);
        }
        app->last_input_ms = now;
        return;
    }
    if (now >= warn) {
        if (!app->idle_warning)
            app->dirty = true;
        app->idle_warning = true;
        /* redraw the countdown each second */
        uint64_t next = now + 1000 - (end - now) % 1000;
        if (next > end)
            next = end;
        if (!app->wake_at || next < app->wake_at)
            app->wake_at = next;
        return;
    }
    if (!app->wake_at || warn < app->wake_at)
        app->wake_at = warn;
}

/* SDL turns SIGTERM and SIGINT into SDL_QUIT, the same event as a window
 * close request, which a kiosk ignores. A shutdown must still end the
 * player cleanly (sign-out hooks save progress), so the signals are noted
 * here before SDL's own handler queues its SDL_QUIT. */
static volatile sig_atomic_t terminated;
static void (*sdl_sigterm)(int), (*sdl_sigint)(int);

static void on_terminate(int sig)
{
    terminated = 1;
    void (*prev)(int) = sig == SIGTERM ? sdl_sigterm : sdl_sigint;
    if (prev != SIG_DFL && prev != SIG_IGN && prev != SIG_ERR && prev != on_terminate && prev) {
        prev(sig); /* SDL's: queues SDL_QUIT */
    } else {
        signal(sig, SIG_DFL); /* SDL installed none: nothing would wake the loop */
        raise(sig);
    }
}

static void catch_termination(void)
{
    sdl_sigterm = signal(SIGTERM, on_terminate);
    sdl_sigint = signal(SIGINT, on_terminate);
}

/* Window coordinates of a pointer event inside the admin corner? */
static bool in_corner(const ui_App *app, float x, float y)
{
    float lim = (float)ui_px(app, CORNER_DP) / app->pixel_ratio;
    return x >= 0 && y >= 0 && x < lim && y < lim;
}

static bool is_input(Uint32 type)
{
    return type == SDL_KEYDOWN || type == SDL_TEXTINPUT || type == SDL_TEXTEDITING ||
           type == SDL_MOUSEBUTTONDOWN || type == SDL_MOUSEWHEEL || type == SDL_FINGERDOWN ||
           type == SDL_MOUSEMOTION || type == SDL_FINGERMOTION || type == SDL_MOUSEBUTTONUP ||
           type == SDL_FINGERUP;
}

/* Kiosk-side handling of one event before the widgets see it; true when it
 * was consumed (the idle warning's cancelling input, the admin chord, the
 * release that ends the corner gesture). */
static bool kiosk_event(ui_App *app, const SDL_Event *e)
{
    uint64_t now = ui_app_now(app);
    if (is_input(e->type))
        app->last_input_ms = now;
    /* the hidden gesture: a long press in the top-left corner ... */
    if (e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_FINGERDOWN) {
        float x = e->type == SDL_FINGERDOWN ? e->tfinger.x * (float)app->win_w : (float)e->button.x;
        float y = e->type == SDL_FINGERDOWN ? e->tfinger.y * (float)app->win_h : (float)e->button.y;
        app->corner_down = in_corner(app, x, y);
        app->corner_since = now;
        if (app->corner_down)
            ui_app_wake_in(app, CORNER_HOLD_MS);
    } else if (e->type == SDL_MOUSEBUTTONUP || e->type == SDL_FINGERUP) {
        bool held = app->corner_down && now - app->corner_since >= CORNER_HOLD_MS;
        app->corner_down = false;
        if (held)
            ui_app_admin_gesture(app);
        if (held || app->corner_swallow) {
            app->corner_swallow = false;
            return true; /* not a click on what lies under the corner */
        }
    } else if (e->type == SDL_MOUSEMOTION && app->corner_down &&
               !in_corner(app, (float)e->motion.x, (float)e->motion.y)) {
        app->corner_down = false;
    } else if (e->type == SDL_FINGERMOTION && app->corner_down &&
               !in_corner(app, e->tfinger.x * (float)app->win_w, e->tfinger.y * (float)app->win_h)) {
        app->corner_down = false;
    }
    /* A badge scanner "types" the id and Enter: on the attract screen the
     * first character opens the sign-in screen, and it and what follows are
     * held back until that screen's id field has focus, then replayed. */
    if ((top_is(app, "attract") || app->nreplay) && !app->signed_in &&
        (e->type == SDL_TEXTINPUT || ((e->type == SDL_KEYDOWN || e->type == SDL_KEYUP) && app->nreplay))) {
        if (!app->nreplay) {
            ui_Screen *si = ui_signin_new(app);
            if (!si)
                return false;
            ui_app_replace(app, si);
        }
        if (app->nreplay < (int)(sizeof app->replay / sizeof *app->replay))
            app->replay[app->nreplay++] = *e;
        return true;
    }
    /* ... or the chord Ctrl+Alt+Shift+A */
    if (e->type == SDL_KEYDOWN && e->key.keysym.sym == SDLK_a && (e->key.keysym.mod & KMOD_CTRL) &&
        (e->key.keysym.mod & KMOD_ALT) && (e->key.keysym.mod & KMOD_SHIFT)) {
        ui_app_admin_gesture(app);
        return true;
    }
    if (app->idle_warning && (e->type == SDL_KEYDOWN || e->type == SDL_MOUSEBUTTONDOWN ||
                              e->type == SDL_FINGERDOWN || e->type == SDL_TEXTINPUT ||
                              e->type == SDL_MOUSEWHEEL)) {
        app->idle_warning = false;
        app->dirty = true;
        return true; /* the touch that says "I'm here" does nothing else */
    }
    return false;
}

static void handle_event(ui_App *app, const SDL_Event *e, bool *draw_now)
{
    if (kiosk_event(app, e)) {
        *draw_now = true;
        return;
    }
    switch (e->type) {
    case SDL_QUIT:
        /* A kiosk cannot be closed (window close, Alt+F4, a session
         * logout asking nicely): only the admin screen leaves. */
        if (app->kiosk_mode && !terminated)
            fprintf(stderr, "drillhall: kiosk mode: a request to quit was ignored (leave through the admin screen)\n");
        else
            app->quit = true; /* (a kiosk also ends on SIGTERM / SIGINT: a shutdown) */
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

/* Feed what was typed on the attract screen to the sign-in screen, once it
 * has drawn its focused id field. */
static void replay_typed(ui_App *app)
{
    if (!app->nreplay || app->npending || !top_is(app, "signin"))
        return;
    int n = app->nreplay;
    app->nreplay = 0;
    for (int i = 0; i < n; i++) {
        app->last_input_ms = ui_app_now(app);
        if (ui_widgets_event(app, &app->replay[i]))
            draw_frame(app); /* an activation (Enter) acts before what follows */
    }
    app->dirty = true;
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
                replay_typed(app);
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
        if (app->task) {
            run_task(app);
            continue;
        }
        kiosk_tick(app);
        if (app->npending)
            continue;
        if (app->corner_down && ui_app_now(app) - app->corner_since >= CORNER_HOLD_MS) {
            /* held long enough: open the pad now, and let the release
             * (still to come) end the gesture without clicking anything */
            app->corner_down = false;
            app->corner_swallow = true;
            ui_app_admin_gesture(app);
            continue;
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
    if (app->script)
        ui_script_check_finished(app->script, app);
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
    if (opt->kiosk) {
        /* No Alt+Tab, Alt+F4 or system keys reach the desktop while the
         * keyboard is grabbed (where the window system allows a grab). */
        SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
        SDL_SetHint(SDL_HINT_WINDOWS_NO_CLOSE_ON_ALT_F4, "1");
        SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    }
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI | SDL_WINDOW_RESIZABLE |
                   (opt->fullscreen || opt->kiosk ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
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
    if (opt->kiosk) {
        SDL_SetWindowKeyboardGrab(app->window, SDL_TRUE);
        SDL_RaiseWindow(app->window);
        catch_termination();
    }
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
    app->wall_base_ms = ui_app_wall_ms(app);
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
    /* kiosk.json's settings: a wrong one stops the player with its
     * line:col and what to write instead (an officer fixes the file). */
    dh_Diags diags;
    dh_diags_init(&diags);
    st = dh_kiosk_config_load(&app->config, app->data_dir, &diags, err);
    if (st == DH_OK)
        st = dh_kiosk_trusted_load(&app->trusted, app->config.trusted_path, &diags, err);
    for (int i = 0; i < diags.count; i++) {
        const dh_Diag *dg = &diags.items[i];
        if (dg->line)
            fprintf(stderr, "drillhall: %s:%d:%d: %s: %s\n", dg->file ? dg->file : "", dg->line, dg->col,
                    dg->severity == DH_ERROR ? "error" : "warning", dg->msg);
        else
            fprintf(stderr, "drillhall: %s: %s: %s\n", dg->file ? dg->file : "",
                    dg->severity == DH_ERROR ? "error" : "warning", dg->msg);
    }
    int config_errors = diags.errors;
    dh_diags_free(&diags);
    if (st == DH_EINVALID)
        st = dh_fail(err, DH_EINVALID,
                     "%s/%s has %d error%s (listed above); correct %s and start Drillhall again",
                     app->data_dir, DH_KIOSK_JSON, config_errors, config_errors == 1 ? "" : "s",
                     config_errors == 1 ? "it" : "them");
    if (st != DH_OK)
        goto fail;
    app->kiosk_mode = opt->kiosk;
    /* Trainee ids are this kiosk's: their accounts live under the kiosk;
     * activity ids under the programme, the same on every kiosk. */
    snprintf(app->home_page, sizeof app->home_page, "%s/kiosks/%s", app->config.programme,
             app->kiosk.id);
    snprintf(app->activity_base, sizeof app->activity_base, "%s", app->config.programme);
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
    /* without --lang the kiosk's own language (kiosk.json) */
    if (!opt->lang) {
        snprintf(app->lang, sizeof app->lang, "%s", app->config.language);
        if (ui_strings_find(app->strings, app->lang) < 0)
            fprintf(stderr, "drillhall: %s: \"language\" '%s' has no UI strings; English is used\n",
                    DH_KIOSK_JSON, app->config.language);
    }
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
    app->now_base_ms = ui_app_now(app);
    app->last_input_ms = app->now_base_ms;
    ui_Screen *s = app->kiosk_mode ? ui_attract_new(app) : ui_signin_new(app);
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
    dh_kiosk_trusted_free(&app->trusted);
    dh_store_close(app->store);
    dh_package_deinit();
    dh_free(app);
}
