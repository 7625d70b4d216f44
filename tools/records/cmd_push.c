/* cmd_push: `drillhall-records push BUNDLE... --lrs URL`.
 *
 * The officer's last step when the organisation runs a learning record
 * store: every bundle is verified first (a bundle that fails verification is
 * never sent, whatever the others do), then its statements go to the LRS
 * through push.c, and one line per bundle says what happened in words an
 * officer can repeat to leadership: "412 statements: 400 sent, 12 already in
 * the LRS, 0 failed". When the LRS stops answering the push stops, the
 * progress stays in the state file, and running the same command again
 * resumes. Exit status: 0 every statement is in the LRS, 1 some are not
 * (rejected, conflicting, unverified bundle or the push stopped), 2 usage.
 */
#include "push.h"

#include "alloc.h"
#include "records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUSH_PASSWORD_ENV "DRILLHALL_LRS_PASSWORD" /* keeps the password out of `ps` */

static const char usage_text[] =
    "usage: drillhall-records push BUNDLE... --lrs URL [--user U [--password P]] [--batch N]\n"
    "                              [--state FILE] [--trusted FILE] [-p PUB]...\n"
    "                              [--tries N] [--retry-wait S] [--max-wait S] [--timeout S]\n"
    "                              [--cacert FILE] [-q]\n"
    "\n"
    "Send the statements of verified bundles to an xAPI 1.0.3 LRS (POST URL/statements).\n"
    "  --lrs URL        the LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/\n"
    "  --user U         Basic auth user (the LRS client's key); the password comes from\n"
    "                   --password or the environment variable " PUSH_PASSWORD_ENV "\n"
    "  --batch N        statements per request (default 50)\n"
    "  --state FILE     progress file (default $XDG_STATE_HOME/drillhall/push-state.json,\n"
    "                   i.e. ~/.local/state/drillhall/push-state.json); a push that stops\n"
    "                   resumes from it when run again\n"
    "  --trusted FILE, -p PUB  keys the bundles must be signed with (as for verify)\n"
    "  --tries N        attempts per request on 5xx, timeouts and lost connections (default 5)\n"
    "  --retry-wait S   seconds before the first retry, doubling after each (default 1)\n"
    "  --max-wait S     longest single wait (default 30)\n"
    "  --timeout S      seconds one request may take (default 60)\n"
    "  --cacert FILE    CA certificates (PEM) to check an https LRS with, e.g. the\n"
    "                   organisation's own CA (default: the system's)\n"
    "  -q               no retry messages, only the summary\n"
    "exit status: 0 every statement is in the LRS, 1 some are not, 2 bad usage\n";

static bool parse_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) return false;
    *out = v;
    return true;
}

static void print_counts(const char *what, const dh_PushCounts *c)
{
    printf("%s: %lld statement%s: %lld sent, %lld already in the LRS", what, (long long)c->statements,
           c->statements == 1 ? "" : "s", (long long)c->sent, (long long)c->already);
    if (c->earlier) printf(" (%lld delivered by an earlier push)", (long long)c->earlier);
    printf(", %lld failed", (long long)c->failed);
    if (c->pending) printf(", %lld not attempted", (long long)c->pending);
    printf("\n");
}

int cmd_push(int argc, char **argv)
{
    static const char cmd[] = "push";
    dh_PushOptions opt;
    dh_push_options_default(&opt);
    opt.log = stderr;
    char **paths = dh_calloc((size_t)argc, sizeof *paths);
    int npaths = 0, rc = 2;
    dh_Trust *trust = NULL;
    dh_Pusher *pusher = NULL;
    dh_Bundle **bundles = NULL;
    dh_Error err;
    if (!paths || dh_trust_new(&trust, &err) != DH_OK) {
        tool_error("%s: out of memory", cmd);
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int t = trust_option(argc, argv, &i, cmd, trust);
        if (t == 2) goto out;
        if (t == 1) continue;
        if (opt_is(a, "--help", "-h")) {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        }
        if (opt_is(a, "--quiet", "-q")) {
            opt.log = NULL;
            continue;
        }
        if (a[0] != '-') {
            paths[npaths++] = argv[i];
            continue;
        }
        const char *names[] = {"--lrs", "--user", "--password", "--state", "--batch", "--tries",
                               "--retry-wait", "--max-wait", "--timeout", "--cacert"};
        int which = -1;
        for (int k = 0; k < (int)(sizeof names / sizeof names[0]); k++)
            if (opt_is(a, names[k], NULL)) which = k;
        if (which < 0) {
            rc = usage_error(cmd, "unknown option %s", a);
            goto out;
        }
        const char *v = opt_value(argc, argv, &i, cmd);
        if (!v) goto out;
        /* numbers: batch, tries, retry-wait, max-wait, timeout */
        static const double lo[] = {1, 1, 0, 0, 1}, hi[] = {DH_PUSH_BATCH_MAX, 100, 3600, 3600, 86400};
        double d = 0;
        bool ok = which < 4 || which > 8 || parse_number(v, lo[which - 4], hi[which - 4], &d);
        switch (which) {
        case 0: opt.lrs = v; break;
        case 1: opt.user = v; break;
        case 2: opt.password = v; break;
        case 3: opt.state_path = v; break;
        case 4: opt.batch = (int)d; break;
        case 5: opt.tries = (int)d; break;
        case 6: opt.first_wait_s = d; break;
        case 7: opt.max_wait_s = d; break;
        case 8: opt.timeout_s = (long)d; break;
        default: opt.cacert = v; break;
        }
        if (!ok) {
            rc = usage_error(cmd, "%s is out of range or not a number", a);
            goto out;
        }
    }
    if (npaths == 0) {
        rc = usage_error(cmd, "%s", "no bundle given");
        goto out;
    }
    if (!opt.lrs) {
        rc = usage_error(cmd, "%s", "--lrs URL is required");
        goto out;
    }
    if (opt.user && !opt.password) opt.password = getenv(PUSH_PASSWORD_ENV);
    if (opt.password && !opt.user) {
        rc = usage_error(cmd, "%s", "--password needs --user");
        goto out;
    }
    if (dh_push_new(&pusher, &opt, &err) != DH_OK) {
        tool_error("%s: %s", cmd, err.msg);
        rc = err.code == DH_EINVAL ? 2 : 1;
        goto out;
    }
    /* Verified bundles only: if one fails, none is sent (as merge does). */
    rc = 1;
    if (open_bundles(paths, npaths, trust, true, &bundles) != 0) goto out;

    dh_PushCounts total = {0};
    bool all_ok = true;
    for (int i = 0; i < npaths; i++) {
        const char *dir = dh_bundle_dir(bundles[i]);
        dh_PushCounts c = {0};
        dh_Status st = dh_push_bundle(pusher, bundles[i], &c, &err);
        print_counts(dir, &c);
        total.statements += c.statements;
        total.sent += c.sent;
        total.already += c.already;
        total.earlier += c.earlier;
        total.failed += c.failed;
        total.pending += c.pending;
        if (c.failed) all_ok = false;
        if (st != DH_OK) {
            tool_error("%s: %s: stopped: %s", cmd, dir, err.msg);
            tool_error("%s: the progress is saved in %s; run the same command again to resume", cmd,
                       dh_push_state_path(pusher));
            all_ok = false;
            for (int j = i + 1; j < npaths; j++)
                tool_error("%s: %s: not attempted", cmd, dh_bundle_dir(bundles[j]));
            break;
        }
    }
    if (npaths > 1) print_counts("total", &total);
    rc = all_ok ? 0 : 1;
out:
    close_bundles(bundles, npaths);
    dh_push_free(pusher);
    dh_trust_free(trust);
    dh_free(paths);
    return rc;
}
