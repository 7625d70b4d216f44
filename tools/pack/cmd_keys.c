/* cmd_keys: `drillhall-pack keygen`, `sign` and `verify`.
 *
 * Instructors sign the packages they publish and kiosks install only what
 * verifies against a key they trust. These commands are thin shells on
 * engine/core/signature.c and speak minisign's file formats, so a training
 * officer can check a package with the standard `minisign -V` and an
 * instructor who already has a minisign key can sign with it here. Options
 * may come before or after the file name, as people type them.
 */
#define _POSIX_C_SOURCE 200809L

#include "pack.h"

#include "signature.h"

#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- arguments ----------------------------------------------------------------- */

typedef struct Args {
    const char *pos;          /* the file argument, or NULL */
    const char *val[128];     /* value of each option letter that takes one */
    bool flag[128];           /* options seen */
    bool help;                /* --help or -h */
} Args;

/* Parse argv[1..] against spec (letters; ':' after one that takes a value).
 * At most npos positional arguments. Returns 0 on success, 2 after printing
 * a usage error. */
static int parse_args(int argc, char **argv, const char *spec, int npos, Args *a)
{
    memset(a, 0, sizeof *a);
    const char *cmd = argv[0];
    bool options = true;
    int count = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options && strcmp(arg, "--") == 0) {
            options = false;
            continue;
        }
        if (options && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
            a->help = true;
            return 0;
        }
        if (options && arg[0] == '-' && arg[1] != '\0') {
            unsigned char c = (unsigned char)arg[1];
            const char *at = c < 128 && c != ':' ? strchr(spec, c) : NULL;
            if (!at || arg[2] != '\0') {
                tool_error("%s: unknown option '%s'; try 'drillhall-pack %s --help'", cmd, arg,
                           cmd);
                return 2;
            }
            if (a->flag[c]) {
                tool_error("%s: option -%c given twice", cmd, c);
                return 2;
            }
            a->flag[c] = true;
            if (at[1] == ':') {
                if (i + 1 >= argc) {
                    tool_error("%s: option -%c needs a value; try 'drillhall-pack %s --help'",
                               cmd, c, cmd);
                    return 2;
                }
                a->val[c] = argv[++i];
            }
            continue;
        }
        if (++count > npos) {
            tool_error("%s: unexpected argument '%s'; try 'drillhall-pack %s --help'", cmd, arg,
                       cmd);
            return 2;
        }
        a->pos = arg;
    }
    return 0;
}

static int need(const Args *a, char opt, const char *what, const char *cmd)
{
    if (a->val[(unsigned char)opt]) return 0;
    tool_error("%s: %s is required (-%c); try 'drillhall-pack %s --help'", cmd, what, opt, cmd);
    return 2;
}

/* err as a sentence; the file name is left out when the message is about
 * the file the user named anyway. */
static const char *describe(const dh_Error *err, const char *named, char *buf, int size)
{
    if (named && strcmp(err->file, named) == 0 && err->line == 0) {
        snprintf(buf, (size_t)size, "%s", err->msg);
        return buf;
    }
    return dh_error_format(err, buf, size);
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* ---- keygen ------------------------------------------------------------------------ */

static void keygen_usage(void)
{
    printf("Usage: drillhall-pack keygen -p PUBLIC_KEY -s SECRET_KEY [-f] [-c COMMENT] [-e]\n"
           "\n"
           "Make a new key pair for signing course packages, in minisign's format.\n"
           "\n"
           "  -p FILE     where to write the public key (give it to the kiosks)\n"
           "  -s FILE     where to write the secret key (mode 0600; keep it private)\n"
           "  -f          replace existing key files\n"
           "  -c COMMENT  untrusted comment for the public key file\n"
           "  -e          encrypt the secret key with a password (scrypt, as minisign);\n"
           "              the password comes from %s or is asked for\n"
           "\n"
           "Without -e the secret key is NOT encrypted, so that kiosks and build\n"
           "machines can sign unattended: protect the file itself.\n",
           DH_SIG_PASSWORD_ENV);
}

int cmd_keygen(int argc, char **argv)
{
    Args a;
    int rc = parse_args(argc, argv, "p:s:fc:e", 0, &a);
    if (rc) return rc;
    if (a.help) {
        keygen_usage();
        return 0;
    }
    if ((rc = need(&a, 'p', "a public key file", argv[0])) ||
        (rc = need(&a, 's', "a secret key file", argv[0])))
        return rc;
    const char *pub = a.val['p'], *sec = a.val['s'];
    bool force = a.flag['f'];
    if (strcmp(pub, sec) == 0) {
        tool_error("keygen: the public and secret key files must differ");
        return 2;
    }
    if (!force) {
        const char *old = exists(sec) ? sec : exists(pub) ? pub : NULL;
        if (old) {
            tool_error("keygen: %s already exists; use -f to replace the key pair (packages "
                       "signed with the old key will no longer verify with the new one)", old);
            return 1;
        }
    }

    dh_PublicKey pk;
    dh_SecretKey sk;
    dh_Error err = {0};
    char msg[1024], hex[DH_SIG_KEYID_HEX];
    char pw[DH_SIG_PASSWORD_MAX + 1];
    pw[0] = '\0';
    rc = 1;
    if (a.flag['e']) {
        if (dh_sig_password(pw, sizeof pw, "Password for the new secret key: ", true, &err) !=
            DH_OK) {
            tool_error("keygen: %s", describe(&err, NULL, msg, sizeof msg));
            rc = 2;
            goto out;
        }
        if (pw[0] == '\0') {
            tool_error("keygen: an empty password would not protect the key");
            rc = 2;
            goto out;
        }
    }
    if (dh_sig_keygen(&pk, &sk, &err) != DH_OK ||
        dh_sig_secret_write(&sk, sec, NULL, a.flag['e'] ? pw : NULL, force, &err) != DH_OK) {
        tool_error("keygen: %s", describe(&err, NULL, msg, sizeof msg));
        goto out;
    }
    if (dh_sig_public_write(&pk, pub, a.val['c'], force, &err) != DH_OK) {
        /* Half a key pair is worse than none: take the new secret key back. */
        unlink(sec);
        tool_error("keygen: %s (the new secret key was removed again)",
                   describe(&err, NULL, msg, sizeof msg));
        goto out;
    }
    printf("Key ID %s\n", dh_sig_keyid_hex(pk.keyid, hex));
    printf("  secret key: %s (%s)\n", sec,
           a.flag['e'] ? "encrypted with your password"
                       : "NOT encrypted: keep it private, whoever has it can sign packages");
    printf("  public key: %s (install it on the kiosks that must trust these packages)\n", pub);
    rc = 0;
out:
    sodium_memzero(pw, sizeof pw);
    dh_sig_secret_wipe(&sk);
    return rc;
}

/* ---- sign -------------------------------------------------------------------------- */

static void sign_usage(void)
{
    printf("Usage: drillhall-pack sign FILE -s SECRET_KEY [-t TRUSTED_COMMENT] [-c COMMENT]\n"
           "                          [-x SIGNATURE_FILE]\n"
           "\n"
           "Sign FILE (usually a course .zip) with a minisign-compatible signature,\n"
           "written to FILE.minisig unless -x says otherwise.\n"
           "\n"
           "  -s FILE     secret key (drillhall-pack keygen, or minisign -G); an encrypted\n"
           "              key's password comes from %s or is asked for\n"
           "  -t TEXT     trusted comment, covered by the signature (default:\n"
           "              \"timestamp:<unix time>\\tfile:<name>\\thashed\", as minisign)\n"
           "  -c TEXT     untrusted comment (first line of the signature file)\n"
           "  -x FILE     where to write the signature\n",
           DH_SIG_PASSWORD_ENV);
}

int cmd_sign(int argc, char **argv)
{
    Args a;
    int rc = parse_args(argc, argv, "s:t:c:x:", 1, &a);
    if (rc) return rc;
    if (a.help) {
        sign_usage();
        return 0;
    }
    if (!a.pos) {
        tool_error("sign: which file? try 'drillhall-pack sign --help'");
        return 2;
    }
    if ((rc = need(&a, 's', "a secret key file", argv[0]))) return rc;
    const char *file = a.pos;
    FILE *f = fopen(file, "rb");
    if (!f) {
        tool_error("sign: cannot open %s: %s", file, strerror(errno));
        return 2;
    }
    fclose(f);

    dh_SecretKey sk;
    dh_Error err = {0};
    char msg[1024], hex[DH_SIG_KEYID_HEX];
    if (dh_sig_secret_read(&sk, a.val['s'], &err) != DH_OK) {
        tool_error("sign: %s", describe(&err, NULL, msg, sizeof msg));
        return 2;
    }
    dh_sig_keyid_hex(sk.keyid, hex);
    dh_Status st = dh_sig_sign_file(file, &sk, a.val['t'], a.val['c'], a.val['x'], &err);
    dh_sig_secret_wipe(&sk);
    if (st != DH_OK) {
        tool_error("sign: %s", describe(&err, NULL, msg, sizeof msg));
        return st == DH_EINVAL ? 2 : 1;
    }
    printf("%s: signed with key ID %s, signature written to %s%s\n", file, hex,
           a.val['x'] ? a.val['x'] : file, a.val['x'] ? "" : DH_SIG_SUFFIX);
    return 0;
}

/* ---- verify ------------------------------------------------------------------------ */

static void verify_usage(void)
{
    printf("Usage: drillhall-pack verify FILE -p PUBLIC_KEY [-x SIGNATURE_FILE]\n"
           "\n"
           "Check FILE against its minisign signature (FILE.minisig unless -x says\n"
           "otherwise). Prehashed and legacy minisign signatures are accepted.\n"
           "\n"
           "  -p FILE     public key (drillhall-pack keygen, or minisign -G)\n"
           "  -x FILE     signature file\n"
           "\n"
           "Exit status: 0 valid, 1 not valid (the reason is printed), 2 bad usage or\n"
           "unreadable input.\n");
}

int cmd_verify(int argc, char **argv)
{
    Args a;
    int rc = parse_args(argc, argv, "p:x:", 1, &a);
    if (rc) return rc;
    if (a.help) {
        verify_usage();
        return 0;
    }
    if (!a.pos) {
        tool_error("verify: which file? try 'drillhall-pack verify --help'");
        return 2;
    }
    if ((rc = need(&a, 'p', "a public key file", argv[0]))) return rc;
    const char *file = a.pos;
    dh_PublicKey pk;
    dh_Error err = {0};
    char msg[1024], hex[DH_SIG_KEYID_HEX];
    if (dh_sig_public_read(&pk, a.val['p'], &err) != DH_OK) {
        tool_error("verify: %s", describe(&err, NULL, msg, sizeof msg));
        return 2;
    }
    static char comment[DH_SIG_TRUSTED_MAX + 1];
    dh_Status st = dh_sig_verify_file(file, a.val['x'], &pk, comment, sizeof comment, &err);
    if (st == DH_OK) {
        printf("%s: signature valid (key ID %s), trusted comment: %s\n", file,
               dh_sig_keyid_hex(pk.keyid, hex), comment);
        return 0;
    }
    if (st == DH_ESIG || st == DH_EFORMAT) {
        tool_error("%s: signature NOT valid: %s", file, describe(&err, file, msg, sizeof msg));
        return 1;
    }
    tool_error("verify: %s", describe(&err, NULL, msg, sizeof msg));
    return 2;
}
