/* records.h: the subcommands of drillhall-records and what they share.
 * Every command returns the process exit status: 0 success, 1 failure (a
 * bundle does not verify, a conflict, a write error), 2 bad usage. */
#ifndef DH_RECORDS_TOOL_H
#define DH_RECORDS_TOOL_H

#include "bundle.h"

#include <stdbool.h>
#include <stdint.h>

int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_stats(int argc, char **argv);

/* Print "drillhall-records: " + message to stderr. */
void tool_error(const char *fmt, ...) DH_PRINTF(1, 2);

/* ---- arguments (main.c) ------------------------------------------------------- */

/* Is arg the option lng ("--data") or shrt ("-d", may be NULL)? "--data=X" counts. */
bool opt_is(const char *arg, const char *lng, const char *shrt);
/* The value of the option at argv[*i]: after '=' or the next argument
 * (then *i advances). NULL after printing a usage error. */
const char *opt_value(int argc, char **argv, int *i, const char *cmd);
/* An unknown option or surplus argument: print the error, return 2. */
int usage_error(const char *cmd, const char *fmt, ...) DH_PRINTF(2, 3);

/* Trust options shared by verify, merge, summary and stats: -p PUB (any
 * number) and --trusted FILE. Returns 1 if argv[*i] was one (consumed), 0
 * if not, 2 after printing an error. */
int trust_option(int argc, char **argv, int *i, const char *cmd, dh_Trust *trust);

/* Open and verify every bundle (check_statements: parse statements.json
 * now too). A bundle that fails is reported as "BUNDLE: why" on stderr and
 * the call returns 1 after trying all; on success *out holds n bundles
 * sorted by export time (journal order across incremental bundles of one
 * kiosk), and a warning is printed once if they were checked for integrity
 * only. Close with close_bundles. */
int open_bundles(char **paths, int n, const dh_Trust *trust, bool check_statements,
                 dh_Bundle ***out);
void close_bundles(dh_Bundle **b, int n);
/* err as "file:line:col: message" (file left out when empty). */
const char *describe_error(const dh_Error *err, char *buf, int size);
/* ---- summary rows (rows.c) ------------------------------------------------------- */

/* A summary row kept in memory; r's strings point into text (owned). */
typedef struct SummaryRow {
    dh_ExportRow r;
    char *text[7];  /* trainee, name, unit, nation, course, version, kiosk */
    int64_t rank;   /* reading order: among equal keys the later wins */
} SummaryRow;

/* The summary rows of bundles b[0..n) (in export order, as open_bundles
 * sorts them), each (trainee, course, version, kiosk) once with the row of
 * the newest bundle, sorted by trainee, course, version and kiosk. Free
 * with free_summary. Errors name the bundle. */
dh_Status collect_summary(dh_Bundle **b, int n, SummaryRow **rows, size_t *nrows, dh_Error *err);
void free_summary(SummaryRow *rows, size_t n);

/* Milliseconds since 1970 UTC, now. */
int64_t now_ms(void);

#endif
