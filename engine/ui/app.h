/* app: the player's shell — window, event loop, clock, screen stack, session.
 *
 * Everything a screen needs lives in one ui_App: the SDL window and renderer,
 * the text engine, the theme and UI strings, the store, the loaded courses,
 * who is signed in with their accessibility settings, and a stack of screens.
 * The loop is event-driven: it sleeps in SDL_WaitEventTimeout until input
 * arrives or a screen asked to be woken (an animation, a timer), and redraws
 * only when something changed, so an idle kiosk uses no CPU. Time comes only
 * from ui_app_now(): the real clock normally, the script's `advance` under
 * the headless driver, so timers are testable. Screens never talk to SDL
 * events directly: widgets.h turns input into clicks, focus, text and swipes.
 *
 * Writing a screen (see screens/catalog.c for a complete example):
 *   typedef struct MyScreen { ui_Screen base; ...state... } MyScreen;
 *   static void my_frame(ui_Screen *s, ui_App *app) { lay out + draw with widgets.h;
 *       if (ui_button(app, "ok", ui_tr(app, "common.continue"), r, 0)) ...act... }
 *   static const ui_ScreenClass my_class = {"my", my_frame, NULL, NULL, my_destroy};
 * then ui_app_push(app, &m->base). frame() is called for every redraw and
 * must be idempotent apart from reacting to this frame's input.
 */
#ifndef UI_APP_H
#define UI_APP_H

#include "course.h"
#include "kiosk.h"
#include "package.h"
#include "progress.h"
#include "settings.h"
#include "store.h"
#include "uistrings.h"
#include "text.h"
#include "theme.h"
#include "xapi.h"

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ui_App ui_App;
typedef struct ui_Screen ui_Screen;
typedef struct ui_Widgets ui_Widgets; /* widgets.c: this frame's and last frame's widgets */
typedef struct ui_Script ui_Script;   /* script.c: the headless test driver */

/* What a screen can do. Only frame is required. */
typedef struct ui_ScreenClass {
    const char *name;                             /* "signin", "catalog", ...: dumps, logs */
    void (*frame)(ui_Screen *s, ui_App *app);     /* lay out, react to this frame's input, draw */
    /* Escape / back button / swipe-back: return true if handled; NULL or false:
     * the app pops the screen (never the last one). */
    bool (*back)(ui_Screen *s, ui_App *app);
    /* Before sign-out or quit, while the trainee is still signed in: record
     * what must survive (e.g. `suspended` with the module's resume state via
     * dh_progress_record). Called on every screen of the stack, top first. */
    void (*sign_out)(ui_Screen *s, ui_App *app);
    void (*destroy)(ui_Screen *s);                /* free the screen; NULL: dh_free(s) */
} ui_ScreenClass;

/* Embed as the FIRST member of a screen's own struct. */
struct ui_Screen {
    const ui_ScreenClass *cls;
};

/* A course package found at start: loaded, or broken with a reason. */
typedef struct ui_CourseEntry {
    char *path;          /* the package's path (for messages; read assets with ui_course_package) */
    char *file_name;     /* last path component, for a broken card's title */
    dh_Course *course;   /* NULL when broken or not approved; immutable, owned by the app */
    char *problem;       /* broken: the first error in plain words; else NULL */
    char *where;         /* broken: "lessons/a.json:3:5" for instructors, or NULL */
    dh_Package *pkg;     /* the package as opened AND verified, kept open for assets (NULL: broken) */
    dh_PackageSigner signer; /* its signature verdict against the trusted keys */
    bool not_approved;   /* kiosk mode and not DH_TRUST_SIGNED: a card that cannot be opened */
    bool superseded;     /* a newer version of the same course is loaded too */
} ui_CourseEntry;

/* Command-line options of the player. */
typedef struct ui_Options {
    const char *data_dir;        /* NULL: dh_store_default_dir */
    const char **courses;        /* NULL: the build's samples + the zips in DATA/packages */
    int ncourses;
    int win_w, win_h;            /* 0: 1280x800 */
    bool fullscreen;
    const char *lang;            /* NULL: "en" */
    const char *script;          /* --script FILE */
    const char *shots;           /* --shots DIR */
    bool kiosk;                  /* --kiosk: full screen, grabbed, signed courses only */
} ui_Options;

#define UI_SCREEN_STACK_MAX 16

struct ui_App {
    /* ---- window ---- */
    SDL_Window *window;
    SDL_Renderer *renderer;
    bool software;             /* SDL's software renderer (no acceleration) */
    int w, h;                  /* drawable size in pixels: lay out in these */
    int win_w, win_h;          /* window size in window coordinates (mouse, touch) */
    float pixel_ratio;         /* drawable / window (2 on a Retina-style display) */
    float scale;               /* ui_px(app, 1): pixels per design unit (dp) */
    ui_Text *text;             /* the text engine (text.h) */
    ui_Theme theme;            /* colours and metrics for the current settings */
    ui_Strings *strings;       /* every UI catalog found in assets/i18n */
    char lang[DH_LANG_SIZE];   /* the UI language now ("en", "th", "zh-Hans") */
    char default_lang[DH_LANG_SIZE]; /* --lang, or "en": the sign-in screen's language */
    char assets_dir[DH_STORE_PATH_MAX]; /* <exe>/../assets */

    /* ---- data ---- */
    char data_dir[DH_STORE_PATH_MAX];
    dh_Store *store;
    dh_StoreNotice store_notice; /* shown on the sign-in screen when msg != "" */
    dh_Kiosk kiosk;
    dh_KioskConfig config;       /* kiosk.json's settings (kiosk.h) */
    dh_TrustedKeys trusted;      /* keys that approve course packages */
    bool kiosk_mode;             /* --kiosk */
    char home_page[DH_KIOSK_PROGRAMME_MAX + 64]; /* xAPI account home page: <programme>/kiosks/<id> */
    char activity_base[DH_KIOSK_PROGRAMME_MAX + 1]; /* the programme IRI */
    dh_XapiConfig xapi;          /* points at home_page, activity_base, kiosk.id */
    ui_CourseEntry *courses;     /* in catalog order */
    int ncourses;
    bool courses_loaded;         /* loaded after the first frame (app.c) */

    /* ---- session ---- */
    bool signed_in;
    dh_Trainee trainee;          /* valid when signed_in */
    ui_Settings settings;        /* the signed-in trainee's, or the sign-in screen's */

    /* ---- loop ---- */
    ui_Screen *stack[UI_SCREEN_STACK_MAX];
    int depth;
    struct { int op; ui_Screen *screen; } pending[8]; /* stack changes after this frame */
    int npending;
    bool quit;                   /* leave the loop after this frame */
    bool dirty;                  /* something changed: draw a frame */
    bool first_frame_done;       /* the first interactive frame was presented */
    uint64_t first_frame_ms;     /* SDL_GetTicks64 at that moment (benchmark) */
    bool bench_settled;          /* the loop went idle once after the first frame */
    uint64_t wake_at;            /* ui_app_now time to wake and redraw, 0: none */
    /* ---- kiosk policy (app.c) ---- */
    uint64_t last_input_ms;      /* ui_app_now of the last input event: the idle clock */
    bool idle_warning;           /* the "are you still there?" countdown is showing */
    bool corner_down;            /* a press is held in the admin corner */
    uint64_t corner_since;       /* ui_app_now when it began */
    bool corner_swallow;         /* the gesture fired: its release clicks nothing */
    SDL_Event replay[64];        /* typed on the attract screen (a badge scanner), for sign-in */
    int nreplay;
    void (*task)(ui_App *app, void *ctx); /* ui_app_run_task: run after this frame */
    void *task_ctx;
    bool in_task;                /* a task is running: ui_app_draw_now may draw */
    int64_t wall_base_ms;        /* ui_app_wall_ms at open, for ui_app_clock_ms */
    uint64_t now_base_ms;        /* ui_app_now at open */
    ui_Widgets *widgets;
    ui_Script *script;           /* NULL unless --script */
    char shots_dir[DH_STORE_PATH_MAX]; /* --shots, "" if none */
    uint64_t clock_ms;           /* script clock (ms) when script != NULL */
    int exit_code;               /* returned by main */
    ui_Options opts;             /* the command line (its strings are argv's) */
};


/* Open everything (SDL, window, renderer, text, strings, store, kiosk,
 * courses) and push the sign-in screen. On failure err says what. */
dh_Status ui_app_open(ui_App **out, const ui_Options *opt, dh_Error *err);
/* Run until quit; returns the exit code (script: 0 if every expect held). */
int ui_app_run(ui_App *app);
/* Sign-out hooks are NOT run here (ui_app_run runs them on quit). */
void ui_app_close(ui_App *app);

/* ---- time ---- */
/* Milliseconds on the app clock (never goes back). */
uint64_t ui_app_now(const ui_App *app);
/* Ask for a redraw at ui_app_now() + ms (animations, countdowns). The
 * earliest request wins; each request is one wake-up, ask again each frame. */
void ui_app_wake_in(ui_App *app, uint64_t ms);
/* Something changed outside input handling: draw a new frame. */
void ui_app_invalidate(ui_App *app);
/* Wall-clock milliseconds since the epoch for records (store / xAPI). */
int64_t ui_app_wall_ms(const ui_App *app);
/* Wall-clock milliseconds that follow the app clock (the wall time at start
 * plus ui_app_now's progress): the admin PIN's lockout and countdowns, so a
 * script's `advance` moves them too. */
int64_t ui_app_clock_ms(const ui_App *app);

/* ---- screens ---- */
/* The stack owns pushed screens (destroyed when popped or replaced). The
 * change takes effect after the current frame (so a screen may push, pop
 * or sign out from inside its own frame() and finish drawing safely); a
 * new frame is drawn at once. */
void ui_app_push(ui_App *app, ui_Screen *s);
void ui_app_pop(ui_App *app);
void ui_app_replace(ui_App *app, ui_Screen *s);
/* Pop everything and push s. */
void ui_app_reset(ui_App *app, ui_Screen *s);
ui_Screen *ui_app_top(const ui_App *app);
/* Escape: the top screen's back(), else pop (never below one screen). */
void ui_app_back(ui_App *app);

/* ---- session ---- */
/* Sign trainee t in: load their settings (a trainee registered just now
 * keeps and saves the ones chosen on the sign-in screen), switch to their
 * language, then show the catalog, or resume where they were. */
void ui_app_sign_in(ui_App *app, const dh_Trainee *t, bool registered_now);
/* Run every screen's sign_out hook (top first), forget the trainee, reset
 * language and settings, show the sign-in screen. */
void ui_app_sign_out(ui_App *app);
/* Push the screens that take a returning trainee back where they were: the
 * catalog, then (if their most recent attempt is of a loaded course and not
 * finished) that course's outline with resume = true. */
void ui_app_resume(ui_App *app);
/* Open (creating attempt 1 if needed) the trainee's progress in course i
 * with the app's xAPI configuration. Close with dh_progress_close. */
dh_Status ui_app_progress(ui_App *app, int course, dh_Progress **out, dh_Error *err);
/* Without creating anything: the course verdict for the signed-in trainee
 * (all zeros + required count when never started). found = an attempt exists. */
void ui_app_course_progress(ui_App *app, int course, dh_CourseProgress *out, bool *found);

/* ---- settings and language ---- */
/* Apply new settings (theme, text size; flushes text caches) and save them
 * for the signed-in trainee (DATA/settings/<id>.json, atomically). */
void ui_app_set_settings(ui_App *app, const ui_Settings *s);
/* Switch the UI language (a catalog code from ui_strings_*). */
void ui_app_set_lang(ui_App *app, const char *lang);

/* ---- kiosk ---- */
/* The open, verified package of course entry `course`, for reading its
 * assets (images): never reopen a package by path, or a kiosk could read
 * bytes that were not verified. NULL for a broken entry. */
dh_Package *ui_course_package(ui_App *app, int course);
/* Decode picture `src` of course `course` (read through ui_course_package)
 * into a texture with linear scaling; *w and *h receive its size. NULL,
 * with the reason on stderr, when it cannot be read or decoded: the screen
 * then draws without it. The caller destroys the texture. */
SDL_Texture *ui_course_image(ui_App *app, int course, const char *src, int *w, int *h);
/* Load the courses again (after an install). Only with no trainee signed
 * in: screens holding course indices must not be on the stack. */
void ui_app_reload_courses(ui_App *app);
/* Run fn(app, ctx) once after the current frame, outside any frame: long
 * work (an export) that draws its progress with ui_app_draw_now. */
void ui_app_run_task(ui_App *app, void (*fn)(ui_App *app, void *ctx), void *ctx);
/* Draw and present a frame now; only from a task. */
void ui_app_draw_now(ui_App *app);
/* Show the admin PIN pad (the hidden gesture and key chord call this). */
void ui_app_admin_gesture(ui_App *app);
/* Seconds of idle time left before a kiosk signs the trainee out (or goes
 * back to the attract screen), for the warning. */
int ui_app_idle_left_s(const ui_App *app);

/* ---- convenience for screens ---- */
/* A UI string in the current language (strings.h: never NULL, never ""). */
const char *ui_tr(const ui_App *app, const char *key);
/* Format a UI string whose translation has printf conversions checked
 * against English (strings.h). */
const char *ui_trf(const ui_App *app, char *buf, size_t size, const char *key, ...);
/* Course text in the UI language (falls back per dh_text_get). */
const char *ui_course_text(const ui_App *app, const dh_Course *c, const dh_Text *t);
/* The status word for the UI language ("Not started", "Completed", ...). */
const char *ui_status_text(const ui_App *app, dh_ProgressStatus s);
/* Design units (dp at 96 dpi) to pixels, rounded. */
int ui_px(const ui_App *app, float dp);
/* A text size in pixels for a size in dp, including the trainee's text size. */
int ui_font_px(const ui_App *app, float dp);

#endif
