/* main: the drillhall player's command line.
 *
 *   drillhall [--data DIR] [--courses PATH...] [--window WxH | --fullscreen]
 *             [--lang CODE] [--script FILE] [--shots DIR] [--kiosk]
 *   drillhall [--data DIR] --set-admin-pin
 *
 * Everything else happens in app.c; this file only turns arguments into
 * ui_Options and says clearly what was wrong with them. --set-admin-pin is
 * the one thing done here without a window: the officer who installs a
 * kiosk sets the admin PIN from a terminal (typed twice without echo) or
 * from standard input (one line, for provisioning scripts), never on the
 * kiosk's screen where a trainee could do it.
 */
#define _POSIX_C_SOURCE 200809L

#include "app.h"

#include "admin.h"
#include "alloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: drillhall [--data DIR] [--courses PATH...] [--window WxH | --fullscreen]\n"
               "                 [--lang CODE] [--script FILE] [--shots DIR] [--kiosk]\n"
               "       drillhall [--data DIR] --set-admin-pin   (reads the PIN from the terminal or stdin)\n");
}

/* One line of at most size-1 bytes from f without its newline; false at EOF
 * or when too long. Echo is off when f is a terminal. */
static bool read_line(FILE *f, char *buf, size_t size, const char *prompt)
{
    int fd = fileno(f);
    bool tty = isatty(fd);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        if (tcgetattr(fd, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(fd, TCSAFLUSH, &quiet);
        } else {
            tty = false;
        }
    }
    bool ok = fgets(buf, (int)size, f) != NULL;
    if (tty) {
        tcsetattr(fd, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok)
        return false;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (n == size - 1)
        return false;
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return true;
}

static int set_admin_pin(const char *data_dir)
{
    char dir[DH_STORE_PATH_MAX], pin[64], again[64];
    dh_Error err;
    dh_error_clear(&err);
    if (data_dir)
        snprintf(dir, sizeof dir, "%s", data_dir);
    else if (dh_store_default_dir(dir, sizeof dir, &err) != DH_OK) {
        fprintf(stderr, "drillhall: %s\n", err.msg);
        return 1;
    }
    bool tty = isatty(STDIN_FILENO);
    char prompt[128];
    snprintf(prompt, sizeof prompt, "New admin PIN (%d-%d digits): ", DH_ADMIN_PIN_MIN, DH_ADMIN_PIN_MAX);
    if (!read_line(stdin, pin, sizeof pin, prompt)) {
        fprintf(stderr, "drillhall: no PIN was given (type it, or pipe one line of digits to stdin)\n");
        return 2;
    }
    char why[160];
    int rc = 0;
    if (!dh_admin_pin_valid(pin, why, sizeof why)) {
        fprintf(stderr, "drillhall: %s; nothing was changed\n", why);
        rc = 2;
    } else if (tty && (!read_line(stdin, again, sizeof again, "Type it again: ") || strcmp(pin, again) != 0)) {
        fprintf(stderr, "drillhall: the two PINs differ; nothing was changed\n");
        rc = 2;
    }
    dh_Store *store = NULL;
    dh_StoreNotice notice;
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    if (!rc && dh_store_open(&store, dir, &notice, &err) != DH_OK) {
        fprintf(stderr, "drillhall: %s\n", err.msg);
        rc = 1;
    }
    if (!rc && dh_admin_pin_set(store, pin, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, &err) != DH_OK) {
        fprintf(stderr, "drillhall: %s\n", err.msg);
        rc = 1;
    }
    if (!rc)
        fprintf(stderr, "drillhall: the admin PIN of the kiosk in %s is set\n", dir);
    sodium_memzero(pin, sizeof pin);
    sodium_memzero(again, sizeof again);
    dh_store_close(store);
    return rc;
}

int main(int argc, char **argv)
{
    ui_Options opt;
    memset(&opt, 0, sizeof opt);
    const char **courses = dh_calloc((size_t)argc, sizeof *courses);
    if (!courses)
        return 2;
    opt.courses = courses;
    bool set_pin = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--data") == 0 && has) {
            opt.data_dir = argv[++i];
        } else if (strcmp(a, "--courses") == 0 && has) {
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                courses[opt.ncourses++] = argv[++i];
        } else if (strcmp(a, "--window") == 0 && has) {
            if (sscanf(argv[++i], "%dx%d", &opt.win_w, &opt.win_h) != 2 || opt.win_w < 320 ||
                opt.win_h < 240 || opt.win_w > 16384 || opt.win_h > 16384) {
                fprintf(stderr, "drillhall: --window wants a size like 1280x800, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--fullscreen") == 0) {
            opt.fullscreen = true;
        } else if (strcmp(a, "--kiosk") == 0) {
            opt.kiosk = true;
        } else if (strcmp(a, "--set-admin-pin") == 0) {
            set_pin = true;
        } else if (strcmp(a, "--lang") == 0 && has) {
            opt.lang = argv[++i];
        } else if (strcmp(a, "--script") == 0 && has) {
            opt.script = argv[++i];
        } else if (strcmp(a, "--shots") == 0 && has) {
            opt.shots = argv[++i];
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            dh_free(courses);
            return 0;
        } else {
            fprintf(stderr, "drillhall: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            dh_free(courses);
            return 2;
        }
    }
    if (set_pin) {
        dh_free(courses);
        return set_admin_pin(opt.data_dir);
    }
    if (opt.ncourses == 0)
        opt.courses = NULL;
    ui_App *app;
    dh_Error err;
    dh_error_clear(&err);
    if (ui_app_open(&app, &opt, &err) != DH_OK) {
        char buf[1024];
        fprintf(stderr, "drillhall: %s\n", dh_error_format(&err, buf, sizeof buf));
        dh_free(courses);
        return 1;
    }
    int rc = ui_app_run(app);
    ui_app_close(app);
    dh_free(courses);
    return rc;
}
