/* script: the headless test driver, replaying a tester's actions as events.
 *
 * The point of a UI test is to prove what a trainee can do, so input
 * commands push real SDL events into SDL's queue and the ordinary loop
 * handles them exactly as it handles a mouse, a keyboard, a barcode scanner
 * or a finger; nothing here calls a screen. Checks (expect, dump, shot) look
 * at the last frame drawn: the app runs a command only when the queue is
 * empty and the frame is up to date. A failed expect is reported as
 * FILE:LINE: message and the script goes on, so one run shows every failure;
 * a command that cannot be carried out (no such label, unknown key) stops
 * the script, because what follows would test the wrong screen.
 */
#include "script.h"

#include "alloc.h"
#include "widgets.h"

#include <SDL_image.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ui_Script {
    char *path;
    char *text;           /* the whole file, lines NUL-terminated in place */
    char **lines;
    int nlines;
    int next;             /* index of the next line to run */
    int failures;
    char shot[256];       /* pending `shot` name, "" if none */
    int shot_line;
};

dh_Status ui_script_open(ui_Script **out, const char *path, dh_Error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return dh_fail(err, DH_EIO, "cannot read the script %s", path);
    ui_Script *s = dh_calloc(1, sizeof *s);
    size_t cap = 1 << 16, len = 0;
    char *text = dh_malloc(cap);
    if (!s || !text) {
        fclose(f);
        dh_free(s);
        dh_free(text);
        return dh_fail(err, DH_ENOMEM, "out of memory");
    }
    size_t got;
    while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *nt = dh_realloc(text, cap * 2);
            if (!nt)
                break;
            text = nt;
            cap *= 2;
        }
    }
    fclose(f);
    text[len] = '\0';
    s->text = text;
    s->path = dh_strdup(path);
    int n = 1;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    s->lines = dh_calloc((size_t)n, sizeof *s->lines);
    if (!s->path || !s->lines) {
        ui_script_free(s);
        return dh_fail(err, DH_ENOMEM, "out of memory");
    }
    char *p = text;
    for (;;) {
        s->lines[s->nlines++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        if (nl > p && nl[-1] == '\r')
            nl[-1] = '\0';
        p = nl + 1;
    }
    *out = s;
    return DH_OK;
}

void ui_script_free(ui_Script *s)
{
    if (!s)
        return;
    dh_free(s->path);
    dh_free(s->text);
    dh_free(s->lines);
    dh_free(s);
}

static void fail(ui_Script *s, ui_App *app, int line, bool stop, const char *fmt, ...) DH_PRINTF(5, 6);

static void fail(ui_Script *s, ui_App *app, int line, bool stop, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", s->path, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    s->failures++;
    app->exit_code = 1;
    if (stop) {
        app->quit = true;
        s->next = s->nlines;
    }
}

/* Parse a "quoted" argument (\" and \\ escapes) or the rest of the line. */
static bool parse_arg(const char *p, char *out, size_t size)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = 0;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            if (n + 1 < size)
                out[n++] = *p;
        }
        out[n] = '\0';
        return *p == '"';
    }
    snprintf(out, size, "%s", p);
    n = strlen(out);
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        out[--n] = '\0';
    return true;
}

static Uint32 window_id(ui_App *app)
{
    return SDL_GetWindowID(app->window);
}

static void push(SDL_Event *e)
{
    SDL_PushEvent(e);
}

static void push_mouse(ui_App *app, int px, int py)
{
    int x = (int)(px / app->pixel_ratio), y = (int)(py / app->pixel_ratio);
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEMOTION;
    e.motion.windowID = window_id(app);
    e.motion.x = x;
    e.motion.y = y;
    push(&e);
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.windowID = window_id(app);
    e.button.button = SDL_BUTTON_LEFT;
    e.button.state = SDL_PRESSED;
    e.button.clicks = 1;
    e.button.x = x;
    e.button.y = y;
    push(&e);
    e.type = SDL_MOUSEBUTTONUP;
    e.button.state = SDL_RELEASED;
    push(&e);
}

static void push_finger(ui_App *app, Uint32 type, float x, float y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = 1;
    e.tfinger.x = x;
    e.tfinger.y = y;
    e.tfinger.pressure = type == SDL_FINGERUP ? 0.0f : 1.0f;
    e.tfinger.windowID = window_id(app);
    push(&e);
}

static bool do_key(ui_App *app, const char *spec)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", spec);
    Uint16 mod = 0;
    char *name = buf, *plus;
    while ((plus = strchr(name, '+')) && plus[1]) {
        *plus = '\0';
        if (SDL_strcasecmp(name, "shift") == 0)
            mod |= KMOD_LSHIFT;
        else if (SDL_strcasecmp(name, "ctrl") == 0)
            mod |= KMOD_LCTRL;
        else if (SDL_strcasecmp(name, "alt") == 0)
            mod |= KMOD_LALT;
        else if (SDL_strcasecmp(name, "gui") == 0)
            mod |= KMOD_LGUI;
        else
            return false;
        name = plus + 1;
    }
    SDL_Keycode k = SDL_GetKeyFromName(name);
    if (k == SDLK_UNKNOWN)
        return false;
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_KEYDOWN;
    e.key.windowID = window_id(app);
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = k;
    e.key.keysym.scancode = SDL_GetScancodeFromKey(k);
    e.key.keysym.mod = mod;
    push(&e);
    e.type = SDL_KEYUP;
    e.key.state = SDL_RELEASED;
    push(&e);
    return true;
}

static void do_type(ui_App *app, const char *text)
{
    /* one event per code point, as a keyboard or a scanner delivers them */
    for (const char *p = text; *p;) {
        size_t n = 1;
        while (p[n] && ((unsigned char)p[n] & 0xC0) == 0x80)
            n++;
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = SDL_TEXTINPUT;
        e.text.windowID = window_id(app);
        memcpy(e.text.text, p, n < sizeof e.text.text ? n : sizeof e.text.text - 1);
        push(&e);
        p += n;
    }
}

static bool do_click(ui_Script *s, ui_App *app, int line, const char *label)
{
    int n = ui_widgets_count(app), found = -1, matches = 0, exact = -1, nexact = 0;
    char names[1024] = "";
    for (int i = 0; i < n; i++) {
        const ui_WidgetInfo *w = ui_widgets_get(app, i);
        if (!w->interactive || w->type == UI_SCROLL || w->visible.w <= 0 || w->visible.h <= 0)
            continue;
        if (!strstr(w->label, label))
            continue;
        if (strcmp(w->label, label) == 0) {
            exact = i;
            nexact++;
        }
        found = i;
        matches++;
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s \"%s\"", len ? ", " : "",
                 ui_widget_type_name(w->type), w->label);
    }
    if (matches > 1 && nexact == 1) {
        found = exact;
        matches = 1;
    }
    if (matches == 0) {
        /* say whether it is there but disabled or scrolled away */
        for (int i = 0; i < n; i++) {
            const ui_WidgetInfo *w = ui_widgets_get(app, i);
            if (w->label[0] && strstr(w->label, label)) {
                fail(s, app, line, true, "click \"%s\": the %s \"%s\" is %s", label,
                     ui_widget_type_name(w->type), w->label,
                     !w->interactive ? "not enabled" : "not visible (scrolled away?)");
                return false;
            }
        }
        fail(s, app, line, true, "click \"%s\": no visible, enabled widget has this label", label);
        return false;
    }
    if (matches > 1) {
        fail(s, app, line, true, "click \"%s\" is ambiguous: %s", label, names);
        return false;
    }
    const ui_WidgetInfo *w = ui_widgets_get(app, found);
    push_mouse(app, w->visible.x + w->visible.w / 2, w->visible.y + w->visible.h / 2);
    return true;
}

static bool parse_duration(const char *a, uint64_t *ms)
{
    char *end;
    double v = strtod(a, &end);
    if (end == a || v < 0)
        return false;
    while (*end == ' ')
        end++;
    double mul;
    if (strcmp(end, "ms") == 0)
        mul = 1;
    else if (strcmp(end, "s") == 0 || *end == '\0')
        mul = 1000;
    else if (strcmp(end, "min") == 0)
        mul = 60000;
    else if (strcmp(end, "h") == 0)
        mul = 3600000;
    else
        return false;
    *ms = (uint64_t)(v * mul + 0.5);
    return true;
}

static cJSON *widget_json(ui_App *app, int i)
{
    const ui_WidgetInfo *w = ui_widgets_get(app, i);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "type", ui_widget_type_name(w->type));
    cJSON_AddStringToObject(o, "label", w->label);
    if (w->key[0])
        cJSON_AddStringToObject(o, "key", w->key);
    int r[4] = {w->rect.x, w->rect.y, w->rect.w, w->rect.h};
    cJSON_AddItemToObject(o, "rect", cJSON_CreateIntArray(r, 4));
    cJSON *state = cJSON_AddObjectToObject(o, "state");
    if (state) {
        cJSON_AddBoolToObject(state, "enabled", !(w->flags & UI_DISABLED));
        cJSON_AddBoolToObject(state, "checked", (w->flags & UI_CHECKED) != 0);
        cJSON_AddBoolToObject(state, "visible", w->visible.w > 0 && w->visible.h > 0);
    }
    cJSON_AddBoolToObject(o, "focus", w->focus);
    if (w->type == UI_SCROLL) {
        cJSON *kids = cJSON_AddArrayToObject(o, "children");
        for (int k = i + 1; kids && k < ui_widgets_count(app); k++)
            if (ui_widgets_get(app, k)->parent == i)
                cJSON_AddItemToArray(kids, widget_json(app, k));
    }
    return o;
}

static void out_path(ui_App *app, char *out, size_t size, const char *name, const char *ext)
{
    if (app->shots_dir[0]) {
        dh_Error err;
        dh_store_make_dir(app->shots_dir, &err);
        snprintf(out, size, "%s/%s%s", app->shots_dir, name, ext);
    } else {
        snprintf(out, size, "%s%s", name, ext);
    }
}

static void do_dump(ui_Script *s, ui_App *app, int line, const char *name)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *list = root ? cJSON_AddArrayToObject(root, "widgets") : NULL;
    ui_Screen *top = ui_app_top(app);
    if (root) {
        cJSON_AddStringToObject(root, "screen", top ? top->cls->name : "");
        cJSON_AddNumberToObject(root, "width", app->w);
        cJSON_AddNumberToObject(root, "height", app->h);
    }
    for (int i = 0; list && i < ui_widgets_count(app); i++)
        if (ui_widgets_get(app, i)->parent < 0)
            cJSON_AddItemToArray(list, widget_json(app, i));
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    char path[DH_STORE_PATH_MAX + 300];
    out_path(app, path, sizeof path, name, ".json");
    FILE *f = text ? fopen(path, "wb") : NULL;
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        fail(s, app, line, false, "dump %s: cannot write %s", name, path);
    cJSON_free(text);
}

void ui_script_before_present(ui_Script *s, ui_App *app)
{
    if (!s->shot[0])
        return;
    char path[DH_STORE_PATH_MAX + 300];
    out_path(app, path, sizeof path, s->shot, ".png");
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, app->w, app->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surf || SDL_RenderReadPixels(app->renderer, NULL, SDL_PIXELFORMAT_ARGB8888, surf->pixels,
                                      surf->pitch) != 0 || IMG_SavePNG(surf, path) != 0)
        fail(s, app, s->shot_line, false, "shot %s: cannot save %s: %s", s->shot, path, SDL_GetError());
    SDL_FreeSurface(surf);
    s->shot[0] = '\0';
}

void ui_script_step(ui_Script *s, ui_App *app)
{
    char arg[1024];
    while (s->next < s->nlines && !app->quit) {
        int line = s->next + 1;
        char *p = s->lines[s->next++];
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        char cmd[32];
        size_t n = 0;
        while (p[n] && p[n] != ' ' && p[n] != '\t' && n + 1 < sizeof cmd) {
            cmd[n] = p[n];
            n++;
        }
        cmd[n] = '\0';
        const char *rest = p + n;
        if (!parse_arg(rest, arg, sizeof arg)) {
            fail(s, app, line, true, "%s: the closing quote is missing", cmd);
            return;
        }
        if (strcmp(cmd, "size") == 0) {
            int w, h;
            if (sscanf(arg, "%dx%d", &w, &h) != 2 || w < 320 || h < 240) {
                fail(s, app, line, true, "size wants WxH, e.g. 1280x800");
                return;
            }
            /* a full-screen (kiosk) window keeps the display's size: leave
             * full screen first, so screenshots can be taken at any size */
            if (SDL_GetWindowFlags(app->window) & SDL_WINDOW_FULLSCREEN)
                SDL_SetWindowFullscreen(app->window, 0);
            SDL_SetWindowSize(app->window, w, h);
            app->dirty = true;
            return;
        } else if (strcmp(cmd, "type") == 0) {
            do_type(app, arg);
            return;
        } else if (strcmp(cmd, "key") == 0) {
            if (!do_key(app, arg))
                fail(s, app, line, true, "key: unknown key '%s' (SDL key names: Return, Tab, "
                     "Escape, Left, shift+Tab, ...)", arg);
            return;
        } else if (strcmp(cmd, "click") == 0) {
            do_click(s, app, line, arg);
            return;
        } else if (strcmp(cmd, "tap") == 0) {
            int x, y;
            if (sscanf(arg, "%d %d", &x, &y) != 2) {
                fail(s, app, line, true, "tap wants X Y in window coordinates");
                return;
            }
            push_finger(app, SDL_FINGERDOWN, (float)x / app->win_w, (float)y / app->win_h);
            push_finger(app, SDL_FINGERUP, (float)x / app->win_w, (float)y / app->win_h);
            return;
        } else if (strcmp(cmd, "swipe") == 0) {
            bool left = strcmp(arg, "left") == 0;
            if (!left && strcmp(arg, "right") != 0) {
                fail(s, app, line, true, "swipe wants left or right");
                return;
            }
            float x0 = left ? 0.8f : 0.2f, x1 = left ? 0.2f : 0.8f;
            push_finger(app, SDL_FINGERDOWN, x0, 0.5f);
            push_finger(app, SDL_FINGERMOTION, (x0 + x1) / 2, 0.5f);
            push_finger(app, SDL_FINGERUP, x1, 0.5f);
            return;
        } else if (strcmp(cmd, "advance") == 0) {
            uint64_t ms;
            if (!parse_duration(arg, &ms)) {
                fail(s, app, line, true, "advance wants a duration like 500ms, 3s or 5min");
                return;
            }
            app->clock_ms += ms;
            return;
        } else if (strcmp(cmd, "expect") == 0 || strcmp(cmd, "expect-not") == 0) {
            bool want = cmd[6] == '\0';
            bool there = strstr(ui_widgets_text(app), arg) != NULL;
            if (there != want) {
                ui_Screen *top = ui_app_top(app);
                char seen[400];
                snprintf(seen, sizeof seen, "%s", ui_widgets_text(app));
                for (char *c = seen; *c; c++)
                    if (*c == '\n')
                        *c = '|';
                fail(s, app, line, false, "%s \"%s\" failed on screen '%s'; it shows: %s", cmd, arg,
                     top ? top->cls->name : "?", seen);
            }
        } else if (strcmp(cmd, "shot") == 0) {
            snprintf(s->shot, sizeof s->shot, "%.200s", arg);
            s->shot_line = line;
            app->dirty = true;
            return;
        } else if (strcmp(cmd, "dump") == 0) {
            do_dump(s, app, line, arg);
        } else if (strcmp(cmd, "close") == 0) {
            /* what a window manager sends for the close button or Alt+F4,
             * and the quit request SDL derives from it */
            SDL_Event e;
            memset(&e, 0, sizeof e);
            e.type = SDL_WINDOWEVENT;
            e.window.event = SDL_WINDOWEVENT_CLOSE;
            e.window.windowID = window_id(app);
            push(&e);
            memset(&e, 0, sizeof e);
            e.type = SDL_QUIT;
            push(&e);
            return;
        } else if (strcmp(cmd, "press") == 0 || strcmp(cmd, "move") == 0 || strcmp(cmd, "release") == 0) {
            /* one finger event per command, each handled in its own frame:
             * press, move..., release is a drag as a hand makes it */
            int x, y;
            if (sscanf(arg, "%d %d", &x, &y) != 2) {
                fail(s, app, line, true, "%s wants X Y in window coordinates", cmd);
                return;
            }
            Uint32 type = cmd[0] == 'p' ? SDL_FINGERDOWN : cmd[0] == 'm' ? SDL_FINGERMOTION : SDL_FINGERUP;
            push_finger(app, type, (float)x / app->win_w, (float)y / app->win_h);
            return;
        } else if (strcmp(cmd, "expect-window") == 0) {
            Uint32 flags = SDL_GetWindowFlags(app->window);
            int w, h;
            SDL_GetWindowSize(app->window, &w, &h);
            SDL_DisplayMode dm;
            bool ok;
            if (strcmp(arg, "fullscreen") == 0)
                ok = (flags & SDL_WINDOW_FULLSCREEN) != 0;
            else if (strcmp(arg, "grabbed") == 0)
                ok = SDL_GetWindowKeyboardGrab(app->window) == SDL_TRUE;
            else if (strcmp(arg, "covers-display") == 0)
                ok = SDL_GetDesktopDisplayMode(SDL_GetWindowDisplayIndex(app->window), &dm) == 0 &&
                     w == dm.w && h == dm.h;
            else {
                fail(s, app, line, true, "expect-window wants fullscreen, grabbed or covers-display");
                return;
            }
            if (!ok)
                fail(s, app, line, false, "expect-window %s failed: flags 0x%x, size %dx%d", arg,
                     (unsigned)flags, w, h);
        } else if (strcmp(cmd, "quit") == 0) {
            app->quit = true;
            s->next = s->nlines;
            return;
        } else {
            fail(s, app, line, true, "unknown command '%s'", cmd);
            return;
        }
    }
    app->quit = true;
}

void ui_script_check_finished(ui_Script *s, ui_App *app)
{
    /* Commands after the point where the player stopped were never run:
     * that is a failure (a kiosk that obeyed a close request, say), not a
     * pass by omission. Skip blank lines and comments. */
    int next = s->next;
    while (next < s->nlines) {
        const char *p = s->lines[next];
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p && *p != '#')
            break;
        next++;
    }
    if (next < s->nlines)
        fail(s, app, next + 1, false, "the player stopped before this command could run");
}
