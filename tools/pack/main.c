/* drillhall-pack: the instructor's command-line tool.
 *
 * One binary with subcommands, like git: new (scaffold), lint (every
 * diagnostic, GNU style), pack (deterministic zip with content hashes),
 * keygen/sign/verify (minisign-compatible), inspect (what a package holds).
 * Exit codes are the same everywhere: 0 fine, 1 the content or signature is
 * bad, 2 bad usage or unreadable input.
 */
#include "pack.h"

#include "package.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tool_error(const char *fmt, ...)
{
    va_list ap;
    fputs("drillhall-pack: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *usage;
} commands[] = {
    {"new", cmd_new, "new DIR --id ID --title TITLE [--lang CODE]   create a course source that lints clean"},
    {"lint", cmd_lint, "lint PATH...                                 check course sources or packages"},
    {"pack", cmd_pack, "pack SRC -o OUT.zip                          build a deterministic package"},
    {"inspect", cmd_inspect, "inspect ZIP [-p PUB]                         show what a package holds"},
    {"keygen", cmd_keygen, "keygen -p PUB -s SEC [-f] [-c COMMENT]       make a signing key pair"},
    {"sign", cmd_sign, "sign ZIP -s SEC [-t COMMENT] [-x SIG]        write ZIP.minisig"},
    {"verify", cmd_verify, "verify ZIP -p PUB [-x SIG]                   check a signature"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: drillhall-pack COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %s\n", commands[i].usage);
    fprintf(out, "\nexit status: 0 ok, 1 content or signature has errors, 2 bad usage or unreadable input\n"
                 "run 'drillhall-pack COMMAND --help' for the options of one command\n");
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
        printf("drillhall-pack %s\n", DH_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0) continue;
        dh_Error err;
        if (dh_package_init(argv[0], &err) != DH_OK) {
            tool_error("%s", err.msg);
            return 2;
        }
        int rc = commands[i].run(argc - 1, argv + 1);
        dh_package_deinit();
        return rc;
    }
    tool_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return 2;
}
