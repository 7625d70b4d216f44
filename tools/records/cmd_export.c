/* cmd_export: `drillhall-records export`, a kiosk's records to a bundle.
 *
 * The same export the kiosk's admin screen runs (engine/core/export.c),
 * for when the officer has the kiosk's data directory on a laptop or works
 * at the kiosk's console. It refuses to invent a kiosk: the directory must
 * already hold a progress database and a kiosk identity, because opening
 * an empty directory would create both and export nothing of value under
 * a new identity nobody trusts.
 */
#define _POSIX_C_SOURCE 200809L

#include "records.h"

#include "export.h"
#include "kiosk.h"
#include "store.h"
#include "xapi.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(void)
{
    printf("Usage: drillhall-records export --data DIR -o OUT_DIR [--all] [--programme IRI]\n"
           "\n"
           "Write the kiosk's records as a signed bundle folder inside OUT_DIR, named\n"
           "drillhall-<kiosk>-<UTC time>: statements.json, summary.csv, manifest.json,\n"
           "manifest.json.minisig and kiosk.pub.\n"
           "\n"
           "  --data DIR       the kiosk's data directory (progress.db, kiosk.json, kiosk.key)\n"
           "  -o, --out DIR    existing folder to write the bundle in (e.g. the USB stick)\n"
           "  --all            every statement, not only those no export has taken yet\n"
           "  --programme IRI  the programme the records belong to, noted in the manifest\n"
           "\n"
           "Only after the bundle is completely written are its statements marked as\n"
           "exported; a full or read-only medium fails and marks nothing.\n");
}

static bool file_exists(const char *dir, const char *name)
{
    char path[DH_STORE_PATH_MAX];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int cmd_export(int argc, char **argv)
{
    const char *cmd = argv[0], *data = NULL, *out = NULL, *programme = NULL;
    bool all = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opt_is(a, "--help", "-h")) {
            usage();
            return 0;
        }
        if (opt_is(a, "--data", "-d")) {
            if (!(data = opt_value(argc, argv, &i, cmd))) return 2;
        } else if (opt_is(a, "--out", "-o")) {
            if (!(out = opt_value(argc, argv, &i, cmd))) return 2;
        } else if (opt_is(a, "--programme", NULL)) {
            if (!(programme = opt_value(argc, argv, &i, cmd))) return 2;
        } else if (strcmp(a, "--all") == 0) {
            all = true;
        } else if (a[0] == '-') {
            return usage_error(cmd, "unknown option '%s'", a);
        } else {
            return usage_error(cmd, "unexpected argument '%s'", a);
        }
    }
    if (!data) return usage_error(cmd, "%s", "the kiosk's data directory is required (--data DIR)");
    if (!out) return usage_error(cmd, "%s", "the folder to export to is required (-o OUT_DIR)");
    if (!file_exists(data, DH_STORE_DB_NAME) || !file_exists(data, DH_KIOSK_JSON)) {
        tool_error("export: %s is not a kiosk's data directory (it needs %s and %s)", data,
                   DH_STORE_DB_NAME, DH_KIOSK_JSON);
        return 1;
    }

    dh_Error err;
    char buf[1024];
    dh_Kiosk kiosk;
    memset(&kiosk, 0, sizeof kiosk);
    if (dh_kiosk_open(&kiosk, data, &err) != DH_OK) {
        tool_error("export: %s", describe_error(&err, buf, sizeof buf));
        return 1;
    }
    if (kiosk.warning[0]) tool_error("export: warning: %s", kiosk.warning);
    dh_Store *store = NULL;
    dh_StoreNotice notice;
    if (dh_store_open(&store, data, &notice, &err) != DH_OK) {
        tool_error("export: %s", describe_error(&err, buf, sizeof buf));
        dh_kiosk_wipe(&kiosk);
        return 1;
    }
    if (notice.msg[0]) tool_error("export: %s", notice.msg);

    dh_ExportOptions opt = {.out_dir = out, .all = all, .programme = programme, .now_ms = now_ms()};
    dh_ExportResult res;
    dh_Status s = dh_export_bundle(store, &kiosk, &opt, &res, &err);
    dh_store_close(store);
    dh_kiosk_wipe(&kiosk);
    if (s && !res.written) {
        tool_error("export: %s", describe_error(&err, buf, sizeof buf));
        return 1;
    }
    if (!res.written) {
        printf("nothing new to export: every statement was taken by an earlier export "
               "(use --all to export everything again)\n");
        return 0;
    }
    char a[DH_XAPI_TIMESTAMP_LEN + 1] = "-", z[DH_XAPI_TIMESTAMP_LEN + 1] = "-";
    if (res.statements) {
        dh_xapi_timestamp(a, res.first_ms);
        dh_xapi_timestamp(z, res.last_ms);
    }
    printf("%s: %lld statement%s (%s .. %s), %lld summary row%s\n", res.path,
           (long long)res.statements, res.statements == 1 ? "" : "s", a, z, (long long)res.rows,
           res.rows == 1 ? "" : "s");
    if (s) {
        tool_error("export: %s", describe_error(&err, buf, sizeof buf));
        return 1;
    }
    return 0;
}
