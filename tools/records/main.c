/* drillhall-records: the training officer's command-line tool.
 *
 * One binary with subcommands, like drillhall-pack: export (a kiosk's data
 * directory to a signed bundle), verify (signature, hashes, syntax), merge
 * (several bundles into one, de-duplicated), summary (completion and pass
 * rates), stats (Moodle's item statistics), report (one HTML file for
 * leadership) and push (to the organisation's xAPI LRS). Every command that
 * reads bundles verifies them first with the same trust options (-p, --trusted),
 * so no figure is ever computed from a bundle that was changed on the way.
 * Exit codes: 0 fine, 1 something failed (a bundle, a conflict, a write),
 * 2 bad usage.
 */
#define _POSIX_C_SOURCE 200809L

#include "records.h"
#include "push.h"
#include "report.h"

#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void tool_error(const char *fmt, ...)
{
    va_list ap;
    fputs("drillhall-records: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool opt_is(const char *arg, const char *lng, const char *shrt)
{
    if (shrt && strcmp(arg, shrt) == 0) return true;
    size_t n = strlen(lng);
    return strncmp(arg, lng, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

const char *opt_value(int argc, char **argv, int *i, const char *cmd)
{
    const char *arg = argv[*i];
    const char *eq = arg[0] == '-' && arg[1] == '-' ? strchr(arg, '=') : NULL;
    if (eq) return eq + 1;
    if (*i + 1 >= argc) {
        tool_error("%s: option %s needs a value; try 'drillhall-records %s --help'", cmd, arg, cmd);
        return NULL;
    }
    return argv[++*i];
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tool_error("%s: %s; try 'drillhall-records %s --help'", cmd, msg, cmd);
    return 2;
}

const char *describe_error(const dh_Error *err, char *buf, int size)
{
    return dh_error_format(err, buf, size);
}

int trust_option(int argc, char **argv, int *i, const char *cmd, dh_Trust *trust)
{
    bool pub = opt_is(argv[*i], "--pubkey", "-p"), file = opt_is(argv[*i], "--trusted", NULL);
    if (!pub && !file) return 0;
    const char *v = opt_value(argc, argv, i, cmd);
    if (!v) return 2;
    dh_Error err;
    dh_Status s = pub ? dh_trust_add_key_file(trust, v, &err) : dh_trust_load_file(trust, v, &err);
    if (s) {
        char buf[1024];
        tool_error("%s: %s", cmd, describe_error(&err, buf, sizeof buf));
        return 2;
    }
    return 1;
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct Opened {
    dh_Bundle *b;
    int arg;
} Opened;

static int cmp_opened(const void *a, const void *b)
{
    const Opened *x = a, *y = b;
    int64_t tx = dh_bundle_info(x->b)->exported_ms, ty = dh_bundle_info(y->b)->exported_ms;
    if (tx != ty) return tx < ty ? -1 : 1;
    return x->arg - y->arg;
}

int open_bundles(char **paths, int n, const dh_Trust *trust, bool check_statements,
                 dh_Bundle ***out)
{
    *out = NULL;
    Opened *o = dh_calloc((size_t)(n ? n : 1), sizeof *o);
    dh_Bundle **b = dh_calloc((size_t)(n ? n : 1), sizeof *b);
    if (!o || !b) {
        dh_free(o);
        dh_free(b);
        tool_error("out of memory");
        return 1;
    }
    int bad = 0;
    bool integrity_only = false;
    for (int i = 0; i < n; i++) {
        dh_Error err;
        o[i].arg = i;
        if (dh_bundle_open(&o[i].b, paths[i], trust, check_statements, &err) != DH_OK) {
            char buf[1024];
            fprintf(stderr, "%s: %s\n", paths[i], describe_error(&err, buf, sizeof buf));
            bad++;
            continue;
        }
        if (dh_bundle_info(o[i].b)->trust != DH_BUNDLE_TRUSTED) integrity_only = true;
    }
    if (bad) {
        for (int i = 0; i < n; i++) dh_bundle_close(o[i].b);
        dh_free(o);
        dh_free(b);
        tool_error("%d of %d bundle%s did not verify; nothing was done", bad, n, n == 1 ? "" : "s");
        return 1;
    }
    if (integrity_only)
        tool_error("warning: no trusted keys given (-p PUB or --trusted FILE): the bundles were "
                   "checked for integrity only, not for who made them");
    qsort(o, (size_t)n, sizeof *o, cmp_opened);
    for (int i = 0; i < n; i++) b[i] = o[i].b;
    dh_free(o);
    *out = b;
    return 0;
}

void close_bundles(dh_Bundle **b, int n)
{
    if (!b) return;
    for (int i = 0; i < n; i++) dh_bundle_close(b[i]);
    dh_free(b);
}

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *usage;
} commands[] = {
    {"export", cmd_export, "export --data DIR -o OUT_DIR [--all] [--programme IRI]   write a signed bundle"},
    {"verify", cmd_verify, "verify BUNDLE... [-p PUB]... [--trusted FILE]          check bundles"},
    {"merge", cmd_merge, "merge BUNDLE... -o OUT [--key SECRET_KEY] [-p PUB]...   combine bundles"},
    {"summary", cmd_summary, "summary BUNDLE... [--by unit|nation|course] [-o FILE.csv]  completion and pass rates"},
    {"stats", cmd_stats, "stats BUNDLE... [--quiz ID] [--json] [--attempts first|last|all]  item statistics"},
    {"report", cmd_report, "report BUNDLE... -o REPORT.html [--title TEXT]          self-contained HTML report"},
    {"push", cmd_push, "push BUNDLE... --lrs URL [--user U --password P]        send statements to an xAPI LRS"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: drillhall-records COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fprintf(out, "\nexit status: 0 ok, 1 a bundle, a check or a write failed, 2 bad usage\n"
                 "run 'drillhall-records COMMAND --help' for the options of one command\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("drillhall-records %s\n", DH_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    tool_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return 2;
}
