/* admin_media: installing courses from, and exporting records to, a folder.
 *
 * Both jobs face removable media, which can be full, read-only, swapped or
 * pulled out mid-way, so both lean on core functions that leave nothing
 * half-done (install.h, export.h) and this file only says what they did.
 * Install: look in the folder, show every package with its verdict (course,
 * version, who signed it, or why it is refused), install the approved ones
 * after ONE confirmation, then a line per package. Export: one button, a
 * progress bar while the bundle is written, then "N records from M trainees
 * written to ..." or why nothing was exported. Both run as app tasks, after
 * the frame that asked for them, so the progress bar can be drawn and the
 * course list reloaded safely.
 */
#include "admin_impl.h"

#include "alloc.h"
#include "export.h"
#include "widgets.h"

#include <stdio.h>
#include <string.h>

void ui_admin_media_free(ui_Admin *a)
{
    dh_install_list_free(&a->list);
    dh_free(a->results);
    dh_free(a->result_ok);
    a->results = NULL;
    a->result_ok = NULL;
    a->nresults = 0;
}

static void packages_dir(ui_App *app, char *out, size_t size)
{
    snprintf(out, size, "%.4000s/%s", app->data_dir, DH_INSTALL_DIR);
}

/* ---- install --------------------------------------------------------------------------- */

static void scan(ui_Admin *a, ui_App *app)
{
    ui_admin_media_free(a);
    a->scanned = false;
    a->scan_error[0] = '\0';
    a->confirm_install = false;
    char pk[DH_STORE_PATH_MAX];
    packages_dir(app, pk, sizeof pk);
    dh_Error err;
    dh_error_clear(&err);
    if (!a->folder[0]) {
        snprintf(a->scan_error, sizeof a->scan_error, "%s", ui_tr(app, "admin.folder_empty"));
        return;
    }
    if (dh_install_scan(&a->list, a->folder, pk, &app->trusted, &err) != DH_OK) {
        ui_trf(app, a->scan_error, sizeof a->scan_error, "admin.error", err.msg);
        ui_admin_log(app, "install.scan", DH_ADMIN_FAILED, err.msg);
        return;
    }
    a->scanned = true;
    char detail[1200];
    snprintf(detail, sizeof detail, "%.1000s: %d package(s)", a->folder, a->list.n);
    ui_admin_log(app, "install.scan", DH_ADMIN_OK, detail);
}

static int installable(const ui_Admin *a)
{
    int n = 0;
    for (int i = 0; i < a->list.n; i++)
        n += a->list.items[i].state == DH_INSTALL_NEW || a->list.items[i].state == DH_INSTALL_UPGRADE;
    return n;
}

static void install_task(ui_App *app, void *ctx)
{
    ui_Admin *a = ctx;
    if (ui_app_top(app) != &a->base)
        return;
    int n = a->list.n;
    a->results = dh_calloc((size_t)(n ? n : 1), sizeof *a->results);
    a->result_ok = dh_calloc((size_t)(n ? n : 1), sizeof *a->result_ok);
    if (!a->results || !a->result_ok) {
        ui_admin_media_free(a);
        snprintf(a->scan_error, sizeof a->scan_error, "%s", ui_tr(app, "admin.out_of_memory"));
        return;
    }
    char pk[DH_STORE_PATH_MAX];
    packages_dir(app, pk, sizeof pk);
    bool any = false;
    for (int i = 0; i < n; i++) {
        const dh_InstallItem *it = &a->list.items[i];
        if (it->state != DH_INSTALL_NEW && it->state != DH_INSTALL_UPGRADE)
            continue;
        dh_InstallResult res;
        dh_Error err;
        dh_error_clear(&err);
        int k = a->nresults++;
        if (dh_install_one(it, pk, &app->trusted, app->store, ui_app_clock_ms(app), &res, &err) == DH_OK) {
            any = true;
            a->result_ok[k] = true;
            char note[600] = "";
            if (res.kept)
                ui_trf(app, note, sizeof note, "admin.kept_old", res.kept);
            else if (res.removed)
                ui_trf(app, note, sizeof note, "admin.removed_old", res.removed);
            ui_trf(app, a->results[k], sizeof a->results[k], "admin.installed_one", it->file, it->course_id,
                   it->version);
            if (note[0]) {
                size_t len = strlen(a->results[k]);
                snprintf(a->results[k] + len, sizeof a->results[k] - len, " %s", note);
            }
        } else {
            ui_trf(app, a->results[k], sizeof a->results[k], "admin.install_failed", it->file, err.msg);
        }
    }
    /* the catalog shows the new courses (nobody is signed in here) */
    if (any && !app->signed_in)
        ui_app_reload_courses(app);
    dh_install_list_free(&a->list);
    a->scanned = false;
}

static int item_card(ui_App *app, const dh_InstallItem *it, int x, int y, int w)
{
    const ui_Theme *t = &app->theme;
    int pad = ui_px(app, UI_SP_M);
    bool ok = it->state == DH_INSTALL_NEW || it->state == DH_INSTALL_UPGRADE;
    ui_TextStyle title = ui_style(app, UI_FONT_BODY + 2, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    ui_TextStyle verdict = ui_style(app, UI_FONT_BODY, ok ? t->success : it->state == DH_INSTALL_SAME ? t->text_muted
                                                                                                   : t->danger,
                                    UI_TEXT_STRONG);
    char head[800], who[500], what[900];
    if (it->course_id[0])
        snprintf(head, sizeof head, "%s  —  %s %s%s%s", it->file, it->course_id, it->version, it->title[0] ? "  ·  " : "",
                 it->title);
    else
        snprintf(head, sizeof head, "%s", it->file);
    if (it->signer.trust == DH_TRUST_SIGNED)
        ui_trf(app, who, sizeof who, "admin.signed_by", it->signer.keyid, it->signer_name);
    else
        snprintf(who, sizeof who, "%s", ui_tr(app, it->signer.trust == DH_TRUST_UNSIGNED ? "kiosk.not_approved_unsigned"
                                                   : it->signer.trust == DH_TRUST_UNKNOWN_KEY ? "kiosk.not_approved_unknown"
                                                                                              : "kiosk.not_approved_invalid"));
    switch (it->state) {
    case DH_INSTALL_NEW: snprintf(what, sizeof what, "%s", ui_tr(app, "admin.verdict_new")); break;
    case DH_INSTALL_UPGRADE: ui_trf(app, what, sizeof what, "admin.verdict_upgrade", it->installed_version); break;
    case DH_INSTALL_SAME: snprintf(what, sizeof what, "%s", ui_tr(app, "admin.verdict_same")); break;
    case DH_INSTALL_REFUSED: ui_trf(app, what, sizeof what, "admin.verdict_refused", it->problem); break;
    }
    int iw = w - 2 * pad;
    int h = pad + ui_text_height(app, head, &title, iw) + ui_px(app, UI_SP_XS) + ui_text_height(app, who, &body, iw) +
            ui_px(app, UI_SP_XS) + ui_text_height(app, what, &verdict, iw) + pad;
    ui_card(app, NULL, it->file, (SDL_Rect){x, y, w, h}, it->state == DH_INSTALL_REFUSED ? UI_DANGER : 0);
    int cy = y + pad;
    cy += ui_label(app, head, &title, x + pad, cy, iw) + ui_px(app, UI_SP_XS);
    cy += ui_label(app, who, &body, x + pad, cy, iw) + ui_px(app, UI_SP_XS);
    ui_label(app, what, &verdict, x + pad, cy, iw);
    return h + ui_px(app, UI_SP_S);
}

int ui_admin_install_tab(ui_Admin *a, ui_App *app, int x, int y, int w)
{
    const ui_Theme *t = &app->theme;
    ui_TextStyle muted = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    y += ui_label(app, ui_tr(app, "admin.install_intro"), &muted, x, y, w) + ui_px(app, UI_SP_M);
    const char *fl = ui_tr(app, "admin.folder");
    int fh = ui_textfield_height(app, fl, w);
    int res = ui_textfield(app, "admin.folder", fl, "/media/usb", a->folder, sizeof a->folder, (SDL_Rect){x, y, w, fh}, 0);
    if (res & UI_TF_CHANGED) {
        a->scanned = false;
        a->confirm_install = false;
    }
    y += fh + ui_px(app, UI_SP_S);
    const char *look = ui_tr(app, "admin.look");
    int bh = ui_button_height(app, 0);
    if (ui_button(app, "admin.look", look, (SDL_Rect){x, y, ui_button_width(app, look, 0), bh}, 0) || (res & UI_TF_SUBMIT))
        scan(a, app);
    y += bh + ui_px(app, UI_SP_M);
    y += ui_admin_message(app, a->scan_error, true, x, y, w);
    /* the last install's results */
    for (int i = 0; i < a->nresults; i++)
        y += ui_admin_message(app, a->results[i], !a->result_ok[i], x, y, w);
    if (!a->scanned)
        return y;
    char buf[300];
    y += ui_label(app, ui_trf(app, buf, sizeof buf, "admin.found", a->list.n), &body, x, y, w) + ui_px(app, UI_SP_S);
    for (int i = 0; i < a->list.n; i++)
        y += item_card(app, &a->list.items[i], x, y, w);
    int n = installable(a);
    y += ui_px(app, UI_SP_S);
    if (!n) {
        if (a->list.n)
            y += ui_label(app, ui_tr(app, "admin.nothing_to_install"), &muted, x, y, w) + ui_px(app, UI_SP_M);
        return y;
    }
    int pbh = ui_button_height(app, UI_PRIMARY);
    if (!a->confirm_install) {
        const char *go = ui_trf(app, buf, sizeof buf, "admin.install_n", n);
        if (ui_button(app, "admin.install", go, (SDL_Rect){x, y, ui_button_width(app, go, UI_PRIMARY), pbh}, UI_PRIMARY))
            a->confirm_install = true;
        return y + pbh + ui_px(app, UI_SP_M);
    }
    /* the one confirmation */
    y += ui_label(app, ui_trf(app, buf, sizeof buf, "admin.install_confirm", n), &body, x, y, w) + ui_px(app, UI_SP_S);
    const char *yes = ui_tr(app, "admin.install_yes"), *no = ui_tr(app, "common.cancel");
    int yw = ui_button_width(app, yes, UI_PRIMARY);
    if (ui_button(app, "admin.install_yes", yes, (SDL_Rect){x, y, yw, pbh}, UI_PRIMARY)) {
        a->confirm_install = false;
        ui_app_run_task(app, install_task, a);
    }
    if (ui_button(app, "admin.install_no", no, (SDL_Rect){x + yw + ui_px(app, UI_SP_S), y, ui_button_width(app, no, 0), pbh}, 0))
        a->confirm_install = false;
    return y + pbh + ui_px(app, UI_SP_M);
}

/* ---- export ------------------------------------------------------------------------------ */

static bool export_progress(int64_t done, int64_t total, void *ctx)
{
    ui_Admin *a = ctx;
    a->done = done;
    a->total = total;
    uint64_t now = SDL_GetTicks64();
    if (now - a->drawn_at >= 100 || done == total) {
        a->drawn_at = now;
        ui_app_draw_now(a->app);
    }
    return true;
}

static void export_task(ui_App *app, void *ctx)
{
    ui_Admin *a = ctx;
    if (ui_app_top(app) != &a->base)
        return;
    a->exporting = true;
    a->done = a->total = 0;
    a->drawn_at = 0;
    ui_app_draw_now(app);
    dh_ExportOptions opt = {a->out_dir, a->export_all, app->config.programme, ui_app_clock_ms(app),
                            export_progress, a};
    dh_ExportResult res;
    dh_Error err;
    dh_error_clear(&err);
    memset(&res, 0, sizeof res);
    dh_Status st = dh_export_bundle(app->store, &app->kiosk, &opt, &res, &err);
    a->exporting = false;
    char detail[1600];
    if (st != DH_OK) {
        a->export_ok = false;
        ui_trf(app, a->export_msg, sizeof a->export_msg, "admin.export_failed", err.msg);
        snprintf(detail, sizeof detail, "%.1000s: %s", a->out_dir, err.msg);
        ui_admin_log(app, "export", DH_ADMIN_FAILED, detail);
        return;
    }
    a->export_ok = true;
    if (!res.written) {
        snprintf(a->export_msg, sizeof a->export_msg, "%s", ui_tr(app, "admin.export_nothing"));
        ui_admin_log(app, "export", DH_ADMIN_REFUSED, "nothing new to export");
        return;
    }
    int64_t trainees = 0;
    dh_Error e2;
    if (dh_admin_export_trainees(app->store, res.export_id, &trainees, &e2) != DH_OK)
        trainees = 0;
    ui_trf(app, a->export_msg, sizeof a->export_msg, "admin.export_done", (int)res.statements, (int)trainees,
           res.path);
    snprintf(detail, sizeof detail, "%s: %lld statements from %lld trainees, %lld summary rows, to %.900s",
             res.export_id, (long long)res.statements, (long long)trainees, (long long)res.rows, res.path);
    ui_admin_log(app, "export", DH_ADMIN_OK, detail);
}

int ui_admin_export_tab(ui_Admin *a, ui_App *app, int x, int y, int w)
{
    const ui_Theme *t = &app->theme;
    ui_TextStyle muted = ui_style(app, UI_FONT_BODY, t->text_muted, 0);
    y += ui_label(app, ui_tr(app, "admin.export_intro"), &muted, x, y, w) + ui_px(app, UI_SP_M);
    unsigned busy = a->exporting ? UI_DISABLED : 0;
    const char *fl = ui_tr(app, "admin.folder");
    int fh = ui_textfield_height(app, fl, w);
    ui_textfield(app, "admin.out_dir", fl, "/media/usb", a->out_dir, sizeof a->out_dir, (SDL_Rect){x, y, w, fh}, busy);
    y += fh + ui_px(app, UI_SP_S);
    const char *all = ui_tr(app, "admin.export_all");
    int ch = ui_checkbox_height(app, all, w);
    ui_checkbox(app, "admin.export_all", all, &a->export_all, (SDL_Rect){x, y, w, ch}, busy);
    y += ch + ui_px(app, UI_SP_S);
    const char *go = ui_tr(app, "admin.export_go");
    int bh = ui_button_height(app, UI_PRIMARY);
    if (ui_button(app, "admin.export", go, (SDL_Rect){x, y, ui_button_width(app, go, UI_PRIMARY), bh}, UI_PRIMARY | busy)) {
        if (!a->out_dir[0]) {
            a->export_ok = false;
            snprintf(a->export_msg, sizeof a->export_msg, "%s", ui_tr(app, "admin.folder_empty"));
        } else {
            a->export_msg[0] = '\0';
            ui_app_run_task(app, export_task, a);
        }
    }
    y += bh + ui_px(app, UI_SP_M);
    if (a->exporting) {
        char label[200];
        float f = a->total > 0 ? (float)a->done / (float)a->total : 0;
        ui_trf(app, label, sizeof label, "admin.exporting", (int)a->done, (int)a->total);
        ui_progress(app, label, (SDL_Rect){x, y, w, ui_px(app, 12)}, f);
        y += ui_px(app, 12) + ui_px(app, UI_SP_S);
        y += ui_label(app, label, &muted, x, y, w) + ui_px(app, UI_SP_M);
    }
    y += ui_admin_message(app, a->export_msg, !a->export_ok, x, y, w);
    return y;
}
