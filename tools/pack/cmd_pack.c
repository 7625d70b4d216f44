/* cmd_pack: `pack` (deterministic zip + manifest of content hashes) and
 * `inspect` (what a package holds, whether its signature verifies).
 *
 * pack refuses content with errors, because a kiosk would refuse it anyway
 * and an instructor should learn that at their desk. The archive it writes
 * depends only on the files' names and bytes: entries sorted, fixed times,
 * stored (see zip.c), so packing the same source twice gives the same bytes
 * and the same signature can be reproduced and audited. After writing, the
 * result is opened and linted again as a self-check.
 */
#include "pack.h"

#include "alloc.h"
#include "course.h"
#include "lesson.h"
#include "lint.h"
#include "package.h"
#include "quiz.h"
#include "scenario.h"
#include "signature.h"
#include "zip.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int pack(const char *src, const char *out)
{
    dh_Course *course = NULL;
    int rc = lint_package(src, true, &course);
    if (rc != 0) {
        tool_error("pack: not packing '%s': fix the errors above first", src);
        return rc;
    }
    dh_Error err;
    dh_Package *pkg = NULL;
    dh_ZipWriteEntry *entries = NULL;
    char *manifest = NULL;
    int n = 0;
    rc = 2;
    if (dh_package_open(&pkg, src, &err) != DH_OK) {
        tool_error("pack: %s", err.msg);
        goto done;
    }
    int count = dh_package_count(pkg);
    entries = dh_calloc((size_t)count + 1, sizeof *entries);
    if (!entries) goto oom;
    for (int i = 0; i < count; i++) {
        const char *name = dh_package_name(pkg, i);
        if (!strcmp(name, DH_PKG_MANIFEST)) {
            fprintf(stderr, "%s: note: the source's own %s is replaced by a fresh one\n", src, DH_PKG_MANIFEST);
            continue;
        }
        void *data;
        size_t len;
        if (dh_package_read(pkg, name, DH_PKG_MAX_FILE, &data, &len, &err) != DH_OK) {
            tool_error("pack: %s: %s", name, err.msg);
            goto done;
        }
        entries[n].name = name;
        entries[n].data = data;
        entries[n].len = len;
        n++;
    }
    size_t mlen;
    if (dh_package_manifest(entries, n, "drillhall-pack " DH_VERSION, course->id, course->version, &manifest,
                            &mlen, &err) != DH_OK) {
        tool_error("pack: %s", err.msg);
        goto done;
    }
    entries[n].name = DH_PKG_MANIFEST;
    entries[n].data = manifest;
    entries[n].len = mlen;
    if (dh_zip_write(out, entries, n + 1, &err) != DH_OK) {
        tool_error("pack: %s", err.msg);
        goto done;
    }
    /* Self-check: the written package must open and lint clean. */
    if (lint_package(out, true, NULL) != 0) {
        tool_error("pack: internal error: the written package %s does not load; please report this", out);
        remove(out);
        rc = 1;
        goto done;
    }
    struct stat st;
    stat(out, &st);
    printf("packed %s %s (%d files) into %s (%lld bytes)\n", course->id, course->version, n + 1, out,
           (long long)st.st_size);
    rc = 0;
    goto done;
oom:
    tool_error("pack: out of memory");
done:
    for (int i = 0; i < n; i++) dh_free((void *)entries[i].data);
    dh_free(entries);
    dh_free(manifest);
    dh_package_close(pkg);
    dh_course_free(course);
    return rc;
}

int cmd_pack(int argc, char **argv)
{
    const char *src = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: drillhall-pack pack SRC -o OUT.zip\n"
                   "Lint the course source SRC and, if it has no errors, write a deterministic\n"
                   "package with a manifest of SHA-256 content hashes. Sign it with 'drillhall-pack sign'.\n");
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] != '-' && !src) {
            src = argv[i];
        } else {
            tool_error("pack: unexpected argument '%s' (usage: drillhall-pack pack SRC -o OUT.zip)", argv[i]);
            return 2;
        }
    }
    if (!src || !out) {
        tool_error("pack: usage: drillhall-pack pack SRC -o OUT.zip");
        return 2;
    }
    return pack(src, out);
}

/* ---- inspect ------------------------------------------------------------------- */

static void print_signature(const char *zip, const char *pub)
{
    char sig[4096];
    snprintf(sig, sizeof sig, "%s%s", zip, DH_SIG_SUFFIX);
    struct stat st;
    if (stat(sig, &st) != 0) {
        printf("signature:   none (%s not found)\n", sig);
        return;
    }
    dh_Error err;
    dh_Signature s;
    if (dh_sig_signature_read(&s, sig, &err) != DH_OK) {
        printf("signature:   unreadable: %s\n", err.msg);
        return;
    }
    char hex[DH_SIG_KEYID_HEX];
    dh_sig_keyid_hex(s.keyid, hex);
    dh_sig_signature_free(&s);
    if (!pub) {
        printf("signature:   present, key ID %s (not verified: give the signer's public key with -p)\n", hex);
        return;
    }
    dh_PublicKey pk;
    char trusted[DH_SIG_TRUSTED_MAX + 1];
    if (dh_sig_public_read(&pk, pub, &err) != DH_OK) {
        printf("signature:   key ID %s, not verified: %s\n", hex, err.msg);
        return;
    }
    if (dh_sig_verify_file(zip, sig, &pk, trusted, sizeof trusted, &err) != DH_OK)
        printf("signature:   INVALID: %s\n", err.msg);
    else
        printf("signature:   valid, key ID %s\ntrusted:     %s\n", hex, trusted);
}

int cmd_inspect(int argc, char **argv)
{
    const char *zip = NULL, *pub = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: drillhall-pack inspect PACKAGE [-p PUB]\n"
                   "Show a package's id, version, languages, modules and counts, and whether its\n"
                   "signature (PACKAGE.minisig) verifies against the public key PUB.\n");
            return 0;
        } else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
            pub = argv[++i];
        } else if (argv[i][0] != '-' && !zip) {
            zip = argv[i];
        } else {
            tool_error("inspect: unexpected argument '%s'", argv[i]);
            return 2;
        }
    }
    if (!zip) {
        tool_error("inspect: usage: drillhall-pack inspect PACKAGE [-p PUB]");
        return 2;
    }
    dh_Course *c = NULL;
    int rc = lint_package(zip, true, &c);
    if (!c) return rc;
    printf("package:     %s\n", zip);
    printf("course:      %s %s\n", c->id, c->version);
    printf("title:       %s\n", dh_text_get(&c->title, NULL, c->nlanguages ? c->languages[0] : NULL));
    printf("languages:  ");
    for (int i = 0; i < c->nlanguages; i++) printf(" %s", c->languages[i]);
    printf("\n");
    if (c->duration_min) printf("duration:    about %d min\n", c->duration_min);
    printf("completion:  moveOn %s", dh_move_on_name(c->move_on));
    if (c->mastery_score >= 0) printf(", masteryScore %.2f", c->mastery_score);
    printf("\n");
    int counts[3] = {0, 0, 0};
    printf("modules:     %d\n", c->nmodules);
    for (int i = 0; i < c->nmodules; i++) {
        const dh_Module *m = &c->modules[i];
        counts[m->kind]++;
        char detail[96] = "";
        if (m->kind == DH_MODULE_LESSON && m->u.lesson)
            snprintf(detail, sizeof detail, "%d page%s, %d acknowledgement%s", m->u.lesson->npages,
                     m->u.lesson->npages == 1 ? "" : "s", m->u.lesson->nacks, m->u.lesson->nacks == 1 ? "" : "s");
        else if (m->kind == DH_MODULE_QUIZ && m->u.quiz)
            snprintf(detail, sizeof detail, "%d questions, %d asked per attempt", m->u.quiz->nquestions,
                     m->u.quiz->slots);
        else if (m->kind == DH_MODULE_SCENARIO && m->u.scenario)
            snprintf(detail, sizeof detail, "%d injects, %d actions, %d endings", m->u.scenario->ninjects,
                     m->u.scenario->nactions, m->u.scenario->nendings);
        printf("  %-9s %-20s %-8s %s\n", dh_module_kind_name(m->kind), m->id,
               m->required ? "required" : "optional", dh_text_get(&m->title, NULL, c->languages[0]));
        printf("            %s (%s)\n", detail, m->file);
        if (m->nprereqs) {
            printf("            after:");
            for (int k = 0; k < m->nprereqs; k++) printf(" %s", c->modules[m->prereqs[k]].id);
            printf("\n");
        }
    }
    printf("counts:      %d lesson%s, %d quiz%s, %d scenario%s\n", counts[0], counts[0] == 1 ? "" : "s",
           counts[1], counts[1] == 1 ? "" : "zes", counts[2], counts[2] == 1 ? "" : "s");
    if (c->nauthors) {
        printf("authors:    ");
        for (int i = 0; i < c->nauthors; i++) printf(" %s%s", c->authors[i], i + 1 < c->nauthors ? "," : "");
        printf("\n");
    }
    if (c->license) printf("license:     %s\n", c->license);
    struct stat st;
    if (stat(zip, &st) == 0 && S_ISREG(st.st_mode)) print_signature(zip, pub);
    dh_course_free(c);
    return 0;
}
