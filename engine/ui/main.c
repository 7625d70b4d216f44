/* main: the drillhall player's command line.
 *
 *   drillhall [--data DIR] [--courses PATH...] [--window WxH | --fullscreen]
 *             [--lang CODE] [--script FILE] [--shots DIR]
 *
 * Everything else happens in app.c; this file only turns arguments into
 * ui_Options and says clearly what was wrong with them.
 */
#include "app.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: drillhall [--data DIR] [--courses PATH...] [--window WxH | --fullscreen]\n"
               "                 [--lang CODE] [--script FILE] [--shots DIR]\n");
}

int main(int argc, char **argv)
{
    ui_Options opt;
    memset(&opt, 0, sizeof opt);
    const char **courses = dh_calloc((size_t)argc, sizeof *courses);
    if (!courses)
        return 2;
    opt.courses = courses;
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
