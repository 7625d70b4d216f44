/* cmd_lint: `drillhall-pack lint PATH...`, every problem with its position.
 *
 * Each path is a course source directory or a packed zip. Diagnostics are
 * printed GNU style with the package path in front, so an editor run from the
 * same folder can jump to them:  awareness/lessons/02.json:14:9: error: ...
 * A package that cannot even be opened safely (a hostile or broken zip) gets
 * one line saying why. Exit 0 without errors, 1 with, 2 for bad usage or an
 * unreadable path.
 */
#include "pack.h"

#include "alloc.h"
#include "course.h"
#include "lint.h"

#include <stdio.h>
#include <string.h>

/* The prefix for diagnostics: the path as given, without a trailing '/',
 * and nothing for ".". */
static void prefix_of(const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "%s", path);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0';
    if (!strcmp(buf, ".")) buf[0] = '\0';
}

int lint_package(const char *path, bool quiet, dh_Course **keep)
{
    char prefix[1024];
    prefix_of(path, prefix, sizeof prefix);
    const char *pre = prefix[0] ? prefix : NULL;
    dh_Error err;
    dh_error_clear(&err);
    dh_Package *pkg = NULL;
    dh_Status st = dh_package_open(&pkg, path, &err);
    if (st != DH_OK) {
        fprintf(stderr, "%s: error: %s\n", pre ? pre : ".", err.msg);
        return st == DH_EIO || st == DH_ENOTFOUND ? 2 : 1;
    }
    dh_Diags d;
    dh_diags_init(&d);
    dh_Course *course = NULL;
    st = dh_course_load(&course, pkg, &d);
    if (st == DH_OK || st == DH_EFORMAT) {
        if (dh_package_has_manifest(pkg)) {
            st = dh_package_verify_manifest(pkg, &d);
            if (st == DH_ESIG || st == DH_EFORMAT) st = DH_OK;
        } else if (!dh_package_is_archive(pkg) && dh_package_find(pkg, DH_PKG_MANIFEST) >= 0) {
            dh_diag(&d, DH_NOTE, DH_PKG_MANIFEST, 0, 0,
                    "ignored in a source folder; 'drillhall-pack pack' writes a fresh one");
        } else if (dh_package_is_archive(pkg)) {
            dh_diag(&d, DH_WARNING, NULL, 0, 0,
                    "the package has no manifest.json with content hashes; build packages with 'drillhall-pack pack'");
        }
    }
    if (st == DH_ENOMEM) dh_diag(&d, DH_ERROR, NULL, 0, 0, "out of memory while loading the package");
    if (st != DH_OK && st != DH_EFORMAT && !d.errors)
        dh_diag(&d, DH_ERROR, NULL, 0, 0, "the package could not be loaded (%s)", dh_status_name(st));
    dh_diags_sort(&d);
    dh_diags_print(&d, stderr, pre ? pre : ".");
    int rc = d.errors ? 1 : 0;
    if (!quiet) {
        if (d.errors || d.warnings)
            fprintf(stderr, "%s: %d error%s, %d warning%s\n", pre ? pre : ".", d.errors,
                    d.errors == 1 ? "" : "s", d.warnings, d.warnings == 1 ? "" : "s");
        if (!d.errors && course)
            printf("%s: ok: %s %s, %d module%s\n", pre ? pre : ".", course->id, course->version,
                   course->nmodules, course->nmodules == 1 ? "" : "s");
    }
    if (keep && rc == 0) *keep = course;
    else dh_course_free(course);
    dh_diags_free(&d);
    dh_package_close(pkg);
    return rc;
}

int cmd_lint(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: drillhall-pack lint PATH...\n"
                "Check course source directories or packed .zip files. Every problem is printed as\n"
                "  PATH/file:line:column: error|warning: message\n"
                "Exit status: 0 no errors, 1 errors found, 2 bad usage or unreadable path.\n");
        return argc < 2 ? 2 : 0;
    }
    int worst = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') {
            tool_error("lint: unknown option '%s'", argv[i]);
            return 2;
        }
        int rc = lint_package(argv[i], false, NULL);
        if (rc > worst) worst = rc;
    }
    return worst;
}
