/* cmd_verify: `drillhall-records verify`, one line of judgement per bundle.
 *
 * An officer back from the kiosks wants to know, before anything else,
 * whether each bundle on the stick is whole and came from a kiosk they
 * trust. verify runs every check dh_bundle_open knows, including parsing
 * every statement, and prints "BUNDLE: ok (...)" or "BUNDLE: FAILED: why"
 * or "BUNDLE: UNKNOWN KEY: ..." so that a list of bundles reads as a
 * checklist. Any failure makes the exit status 1.
 */
#include "records.h"

#include <stdio.h>
#include <string.h>

static void usage(void)
{
    printf("Usage: drillhall-records verify BUNDLE... [-p PUB]... [--trusted FILE]\n"
           "\n"
           "Check each bundle: the manifest signature, the signer's key, the size and\n"
           "SHA-256 of every file, and that statements.json and summary.csv are well formed.\n"
           "Prints one line per bundle; exits 1 if any bundle fails.\n"
           "\n"
           "  -p, --pubkey PUB  trust this public key (minisign .pub, e.g. a kiosk.pub you\n"
           "                    collected in person) for bundles from any kiosk; repeatable\n"
           "  --trusted FILE    trusted keys per kiosk, one 'KIOSK_ID PUBLIC_KEY' per line\n"
           "                    ('*' as the id: trusted for any bundle)\n"
           "\n"
           "Without -p or --trusted a bundle is checked against the key it carries: that\n"
           "proves it is intact, not who made it, and the line says so.\n");
}

int cmd_verify(int argc, char **argv)
{
    const char *cmd = argv[0];
    dh_Trust *trust = NULL;
    dh_Error err;
    if (dh_trust_new(&trust, &err)) {
        tool_error("%s", err.msg);
        return 1;
    }
    int n = 0, rc = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opt_is(a, "--help", "-h")) {
            usage();
            dh_trust_free(trust);
            return 0;
        }
        int t = trust_option(argc, argv, &i, cmd, trust);
        if (t == 1) continue;
        if (t == 2) {
            dh_trust_free(trust);
            return 2;
        }
        if (a[0] == '-') {
            dh_trust_free(trust);
            return usage_error(cmd, "unknown option '%s'", a);
        }
        argv[++n] = argv[i]; /* keep the bundles at argv[1..n] */
    }
    if (n == 0) {
        dh_trust_free(trust);
        return usage_error(cmd, "%s", "name at least one bundle folder");
    }
    for (int i = 1; i <= n; i++) {
        dh_Bundle *b = NULL;
        char buf[1200];
        dh_Status s = dh_bundle_open(&b, argv[i], trust, true, &err);
        if (s == DH_OK) {
            printf("%s: ok (%s)\n", argv[i], dh_bundle_describe(b, buf, sizeof buf));
        } else {
            printf("%s: %s: %s\n", argv[i], s == DH_ENOTFOUND ? "UNKNOWN KEY" : "FAILED",
                   describe_error(&err, buf, sizeof buf));
            rc = 1;
        }
        dh_bundle_close(b);
    }
    dh_trust_free(trust);
    return rc;
}
