/* pack.h: the subcommands of drillhall-pack, one function each.
 * Every command returns the process exit status: 0 success, 1 the content
 * or signature is bad, 2 bad usage or unreadable input. */
#ifndef DH_PACK_TOOL_H
#define DH_PACK_TOOL_H

int cmd_new(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* Print "drillhall-pack: " + message to stderr. */
void tool_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
