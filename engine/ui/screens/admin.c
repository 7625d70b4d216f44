/* admin: the training officer's screen, behind the PIN pad.
 *
 * An officer visits a kiosk for a few minutes with a USB stick: the screen
 * puts the four jobs of that visit one tap apart (a summary of the kiosk's
 * records, installing courses, exporting records, settings) and says what
 * happened in whole sentences. Settings are written back to kiosk.json
 * atomically; the PIN is changed only by typing the new one twice. Every
 * action is appended to the admin log in the store. Leaving kiosk mode
 * closes the player; it is the only way out of a kiosk.
 */
#include "admin_impl.h"

#include "alloc.h"
#include "widgets.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void ui_admin_log(ui_App *app, const char *action, dh_AdminOutcome o, const char *detail)
{
    dh_Error err;
    if (dh_admin_log(app->store, ui_app_clock_ms(app), action, o, detail, &err) != DH_OK)
        fprintf(stderr, "drillhall: %s\n", err.msg);
}

int ui_admin_message(ui_App *app, const char *msg, bool bad, int x, int y, int w)
{
    if (!msg[0])
        return 0;
    const ui_Theme *t = &app->theme;
    ui_TextStyle st = ui_style(app, UI_FONT_BODY, bad ? t->danger : t->text, UI_TEXT_STRONG);
    int pad = ui_px(app, 12);
    int h = ui_text_height(app, msg, &st, w - 2 * pad) + 2 * pad;
    ui_round_rect(app, (SDL_Rect){x, y, w, h}, ui_px(app, UI_RADIUS), bad ? t->danger_soft : t->accent_soft,
                  bad ? t->danger : t->success);
    ui_label(app, msg, &st, x + pad, y + pad, w - 2 * pad);
    return h + ui_px(app, UI_SP_M);
}

/* ---- summary ------------------------------------------------------------------------ */

typedef struct SumCtx {
    ui_App *app;
    int x, y, w;
    int count;
} SumCtx;

static const char *course_title(ui_App *app, const char *id)
{
    for (int i = 0; i < app->ncourses; i++) {
        const dh_Course *c = app->courses[i].course;
        if (c && !strcmp(c->id, id))
            return ui_course_text(app, c, &c->title);
    }
    return id;
}

static dh_Status summary_row(const dh_AdminCourse *c, void *ctx, dh_Error *err)
{
    (void)err;
    SumCtx *s = ctx;
    ui_App *app = s->app;
    const ui_Theme *t = &app->theme;
    ui_TextStyle head = ui_style(app, UI_FONT_BODY, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    char line[400], rate[64];
    int decided = c->passed + c->failed;
    if (decided)
        ui_trf(app, rate, sizeof rate, "admin.pass_rate", (c->passed * 100 + decided / 2) / decided);
    else
        snprintf(rate, sizeof rate, "%s", ui_tr(app, "admin.pass_rate_none"));
    ui_trf(app, line, sizeof line, "admin.course_counts", c->trainees, c->completed, c->passed, c->failed,
           c->in_progress);
    char title[300];
    snprintf(title, sizeof title, "%s (%s)", course_title(app, c->course_id), c->course_id);
    s->y += ui_label(app, title, &head, s->x, s->y, s->w) + ui_px(app, UI_SP_XS);
    s->y += ui_label(app, line, &body, s->x, s->y, s->w);
    s->y += ui_label(app, rate, &body, s->x, s->y, s->w) + ui_px(app, UI_SP_M);
    s->count++;
    return DH_OK;
}

typedef struct LogCtx {
    ui_App *app;
    int x, y, w;
} LogCtx;

static dh_Status log_row(const dh_AdminLogEntry *e, void *ctx, dh_Error *err)
{
    (void)err;
    LogCtx *l = ctx;
    ui_App *app = l->app;
    ui_TextStyle st = ui_style(app, UI_FONT_SMALL, e->outcome == DH_ADMIN_OK ? app->theme.text : app->theme.danger, 0);
    time_t secs = (time_t)(e->at_ms / 1000);
    struct tm tm;
    char when[32], line[1400];
    gmtime_r(&secs, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
    snprintf(line, sizeof line, "%s  %s  %s  %s", when, e->action, dh_admin_outcome_name(e->outcome), e->detail);
    l->y += ui_label(app, line, &st, l->x, l->y, l->w) + ui_px(app, UI_SP_XS);
    return DH_OK;
}

static int summary_tab(ui_Admin *a, ui_App *app, int x, int y, int w)
{
    (void)a;
    const ui_Theme *t = &app->theme;
    ui_TextStyle h2 = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    ui_TextStyle body = ui_style(app, UI_FONT_BODY, t->text, 0);
    ui_TextStyle muted = ui_style(app, UI_FONT_SMALL, t->text_muted, 0);
    ui_TextStyle warn = ui_style(app, UI_FONT_BODY, t->warning, UI_TEXT_STRONG);
    char buf[1500];
    /* this kiosk */
    snprintf(buf, sizeof buf, "%s %s  ·  %s %s%s%s", ui_tr(app, "admin.kiosk_id"), app->kiosk.id,
             ui_tr(app, "admin.key_id"), app->kiosk.keyid, app->config.site[0] ? "  ·  " : "", app->config.site);
    y += ui_label(app, buf, &muted, x, y, w) + ui_px(app, UI_SP_XS);
    snprintf(buf, sizeof buf, "%s %s", ui_tr(app, "admin.programme"), app->config.programme);
    y += ui_label(app, buf, &muted, x, y, w) + ui_px(app, UI_SP_M);
    if (!strcmp(app->config.programme, DH_KIOSK_PROGRAMME_DEFAULT))
        y += ui_label(app, ui_tr(app, "admin.programme_default"), &warn, x, y, w) + ui_px(app, UI_SP_S);
    if (app->trusted.n == 0)
        y += ui_label(app, ui_trf(app, buf, sizeof buf, "admin.no_trusted_keys", app->config.trusted_path), &warn,
                      x, y, w) + ui_px(app, UI_SP_S);
    if (app->store_notice.msg[0])
        y += ui_label(app, app->store_notice.msg, &warn, x, y, w) + ui_px(app, UI_SP_S);
    if (app->kiosk.warning[0])
        y += ui_label(app, app->kiosk.warning, &warn, x, y, w) + ui_px(app, UI_SP_S);

    SumCtx s = {app, x, y, w, 0};
    int trainees = 0;
    dh_Error err;
    dh_error_clear(&err);
    s.y += ui_label(app, ui_tr(app, "admin.summary_courses"), &h2, x, s.y, w) + ui_px(app, UI_SP_S);
    /* the count line goes above the rows: measure it after the query */
    int count_y = s.y;
    s.y += ui_text_height(app, "0", &body, w) + ui_px(app, UI_SP_M);
    if (dh_admin_summary(app->store, &trainees, summary_row, &s, &err) != DH_OK)
        s.y += ui_admin_message(app, err.msg, true, x, s.y, w);
    ui_label(app, ui_trf(app, buf, sizeof buf, "admin.trainees", trainees), &body, x, count_y, w);
    if (!s.count)
        s.y += ui_label(app, ui_tr(app, "admin.summary_none"), &muted, x, s.y, w) + ui_px(app, UI_SP_M);

    /* installed packages and their trust */
    s.y += ui_px(app, UI_SP_S);
    s.y += ui_label(app, ui_tr(app, "admin.installed"), &h2, x, s.y, w) + ui_px(app, UI_SP_S);
    for (int i = 0; i < app->ncourses; i++) {
        const ui_CourseEntry *e = &app->courses[i];
        char trust[900];
        if (e->signer.trust == DH_TRUST_SIGNED)
            ui_trf(app, trust, sizeof trust, "admin.signed_by", e->signer.keyid,
                   e->signer.key >= 0 && e->signer.key < app->trusted.n ? app->trusted.names[e->signer.key] : "");
        else
            snprintf(trust, sizeof trust, "%s: %s", dh_package_trust_name(e->signer.trust),
                     e->problem ? e->problem : e->signer.why);
        snprintf(buf, sizeof buf, "%s%s%s  —  %s", e->file_name, e->course ? "  " : "",
                 e->course ? e->course->version : "", trust);
        s.y += ui_label(app, buf, e->course ? &body : &warn, x, s.y, w) + ui_px(app, UI_SP_XS);
    }
    if (!app->ncourses)
        s.y += ui_label(app, ui_tr(app, "catalog.empty"), &muted, x, s.y, w);
    s.y += ui_px(app, UI_SP_L);
    s.y += ui_label(app, ui_tr(app, "admin.log"), &h2, x, s.y, w) + ui_px(app, UI_SP_S);
    LogCtx l = {app, x, s.y, w};
    if (dh_admin_log_each(app->store, 8, log_row, &l, &err) != DH_OK)
        l.y += ui_admin_message(app, err.msg, true, x, l.y, w);
    return l.y;
}

/* ---- settings ------------------------------------------------------------------------ */

static void save_config(ui_Admin *a, ui_App *app, const dh_KioskConfig *c, const char *what)
{
    dh_Error err;
    dh_error_clear(&err);
    if (dh_kiosk_config_save(c, app->data_dir, &err) != DH_OK) {
        ui_trf(app, a->settings_msg, sizeof a->settings_msg, "admin.error", err.msg);
        a->settings_bad = true;
        ui_admin_log(app, "config", DH_ADMIN_FAILED, err.msg);
        return;
    }
    app->config = *c;
    a->settings_bad = false;
    ui_trf(app, a->settings_msg, sizeof a->settings_msg, "admin.saved", what);
    ui_admin_log(app, "config", DH_ADMIN_OK, what);
}

static const int idle_choices[] = {60, 120, 180, 300, 600, 900};
#define NIDLE ((int)(sizeof idle_choices / sizeof *idle_choices))

static int settings_tab(ui_Admin *a, ui_App *app, int x, int y, int w)
{
    const ui_Theme *t = &app->theme;
    ui_TextStyle h2 = ui_style(app, UI_FONT_TITLE, t->text, UI_TEXT_STRONG);
    ui_TextStyle muted = ui_style(app, UI_FONT_SMALL, t->text_muted, 0);
    int gap = ui_px(app, UI_SP_M);
    char what[200];
    y += ui_admin_message(app, a->settings_msg, a->settings_bad, x, y, w);

    /* language of the attract and sign-in screens */
    y += ui_label(app, ui_tr(app, "admin.language"), &h2, x, y, w) + ui_px(app, UI_SP_S);
    int n = ui_strings_count(app->strings);
    const char *labels[64];
    if (n > 64)
        n = 64;
    for (int i = 0; i < n; i++)
        labels[i] = ui_strings_name(app->strings, i);
    int chosen = -1;
    y += ui_button_flow(app, "admin.lang", labels, n, ui_strings_find(app->strings, app->config.language), x, y, w,
                        UI_SMALL, &chosen) + gap;
    if (chosen >= 0) {
        dh_KioskConfig c = app->config;
        snprintf(c.language, sizeof c.language, "%s", ui_strings_code(app->strings, chosen));
        snprintf(what, sizeof what, "language %s", c.language);
        save_config(a, app, &c, what);
        if (!a->settings_bad) {
            snprintf(app->default_lang, sizeof app->default_lang, "%s", c.language);
            ui_app_set_lang(app, c.language);
        }
    }

    /* idle timeout */
    y += ui_label(app, ui_tr(app, "admin.idle"), &h2, x, y, w) + ui_px(app, UI_SP_S);
    char texts[NIDLE][64];
    const char *il[NIDLE];
    int sel = -1;
    for (int i = 0; i < NIDLE; i++) {
        il[i] = ui_trf(app, texts[i], sizeof texts[i], "admin.idle_minutes", idle_choices[i] / 60);
        if (idle_choices[i] == app->config.idle_timeout_s)
            sel = i;
    }
    chosen = -1;
    y += ui_button_flow(app, "admin.idle", il, NIDLE, sel, x, y, w, UI_SMALL, &chosen) + ui_px(app, UI_SP_XS);
    if (chosen >= 0) {
        dh_KioskConfig c = app->config;
        c.idle_timeout_s = idle_choices[chosen];
        snprintf(what, sizeof what, "idle_timeout_s %d", c.idle_timeout_s);
        save_config(a, app, &c, what);
    }
    char now[160];
    y += ui_label(app, ui_trf(app, now, sizeof now, "admin.idle_now", app->config.idle_timeout_s), &muted, x, y, w) +
         gap;

    /* change the PIN: the new one twice */
    y += ui_label(app, ui_tr(app, "admin.change_pin"), &h2, x, y, w) + ui_px(app, UI_SP_S);
    int fw = w < ui_px(app, 360) ? w : ui_px(app, 360);
    const char *l1 = ui_tr(app, "admin.new_pin"), *l2 = ui_tr(app, "admin.repeat_pin");
    int fh = ui_textfield_height(app, l1, fw);
    ui_textfield(app, "admin.pin1", l1, NULL, a->pin1, sizeof a->pin1, (SDL_Rect){x, y, fw, fh}, UI_SECRET);
    y += fh + ui_px(app, UI_SP_S);
    int res = ui_textfield(app, "admin.pin2", l2, NULL, a->pin2, sizeof a->pin2, (SDL_Rect){x, y, fw, fh}, UI_SECRET);
    y += fh + ui_px(app, UI_SP_S);
    const char *go = ui_tr(app, "admin.change_pin_go");
    int bh = ui_button_height(app, 0);
    if (ui_button(app, "admin.pin_go", go, (SDL_Rect){x, y, ui_button_width(app, go, 0), bh}, 0) ||
        (res & UI_TF_SUBMIT)) {
        char why[160];
        dh_Error err;
        dh_error_clear(&err);
        a->settings_bad = true;
        if (strcmp(a->pin1, a->pin2) != 0) {
            snprintf(a->settings_msg, sizeof a->settings_msg, "%s", ui_tr(app, "admin.pin_mismatch"));
        } else if (!dh_admin_pin_valid(a->pin1, why, sizeof why)) {
            ui_trf(app, a->settings_msg, sizeof a->settings_msg, "admin.pin_rules", DH_ADMIN_PIN_MIN,
                   DH_ADMIN_PIN_MAX);
        } else if (dh_admin_pin_set(app->store, a->pin1, ui_app_clock_ms(app), &err) != DH_OK) {
            ui_trf(app, a->settings_msg, sizeof a->settings_msg, "admin.error", err.msg);
        } else {
            a->settings_bad = false;
            snprintf(a->settings_msg, sizeof a->settings_msg, "%s", ui_tr(app, "admin.pin_changed"));
        }
        sodium_memzero(a->pin1, sizeof a->pin1);
        sodium_memzero(a->pin2, sizeof a->pin2);
    }
    y += bh + ui_px(app, UI_SP_L);

    /* leave kiosk mode: the only way out of a kiosk */
    if (app->kiosk_mode) {
        y += ui_label(app, ui_tr(app, "admin.leave_title"), &h2, x, y, w) + ui_px(app, UI_SP_S);
        y += ui_label(app, ui_tr(app, "admin.leave_intro"), &muted, x, y, w) + ui_px(app, UI_SP_S);
        if (!a->confirm_leave) {
            const char *leave = ui_tr(app, "admin.leave");
            if (ui_button(app, "admin.leave", leave, (SDL_Rect){x, y, ui_button_width(app, leave, UI_DANGER), bh},
                          UI_DANGER))
                a->confirm_leave = true;
        } else {
            const char *yes = ui_tr(app, "admin.leave_yes"), *no = ui_tr(app, "common.cancel");
            int yw = ui_button_width(app, yes, UI_DANGER);
            if (ui_button(app, "admin.leave_yes", yes, (SDL_Rect){x, y, yw, bh}, UI_DANGER)) {
                ui_admin_log(app, "kiosk.leave", DH_ADMIN_OK, "left kiosk mode from the admin screen");
                app->quit = true;
            }
            if (ui_button(app, "admin.leave_no", no,
                          (SDL_Rect){x + yw + ui_px(app, UI_SP_S), y, ui_button_width(app, no, 0), bh}, 0))
                a->confirm_leave = false;
        }
        y += bh + ui_px(app, UI_SP_L);
    }
    return y;
}

/* ---- the screen ---------------------------------------------------------------------- */

static void frame(ui_Screen *scr, ui_App *app)
{
    ui_Admin *a = (ui_Admin *)scr;
    int y0 = ui_header(app, ui_tr(app, "admin.title"), UI_HEADER_BACK);
    SDL_Rect r = ui_content(app, y0);
    int y = ui_scroll_begin(app, "admin", r) + ui_px(app, UI_SP_M);
    const char *tabs[ADMIN_TABS] = {ui_tr(app, "admin.tab_summary"), ui_tr(app, "admin.tab_install"),
                                    ui_tr(app, "admin.tab_export"), ui_tr(app, "admin.tab_settings")};
    int chosen = -1;
    y += ui_button_flow(app, "admin.tab", tabs, ADMIN_TABS, a->tab, r.x, y, r.w, 0, &chosen) + ui_px(app, UI_SP_L);
    if (chosen >= 0 && !a->exporting) {
        a->tab = chosen;
        a->confirm_leave = false;
        ui_scroll_reset(app, "admin");
    }
    switch (a->tab) {
    case ADMIN_INSTALL: y = ui_admin_install_tab(a, app, r.x, y, r.w); break;
    case ADMIN_EXPORT: y = ui_admin_export_tab(a, app, r.x, y, r.w); break;
    case ADMIN_SETTINGS: y = settings_tab(a, app, r.x, y, r.w); break;
    default: y = summary_tab(a, app, r.x, y, r.w); break;
    }
    ui_scroll_end(app, y + ui_px(app, UI_SP_L));
}

static void destroy(ui_Screen *s)
{
    ui_Admin *a = (ui_Admin *)s;
    ui_admin_media_free(a);
    sodium_memzero(a->pin1, sizeof a->pin1);
    sodium_memzero(a->pin2, sizeof a->pin2);
    dh_free(a);
}

static const ui_ScreenClass admin_class = {"admin", frame, NULL, NULL, destroy};

ui_Screen *ui_admin_new(ui_App *app)
{
    ui_Admin *a = dh_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->base.cls = &admin_class;
    a->app = app;
    snprintf(a->folder, sizeof a->folder, "%s", app->config.medium);
    snprintf(a->out_dir, sizeof a->out_dir, "%s", app->config.medium);
    ui_admin_log(app, "admin.open", DH_ADMIN_OK, app->kiosk_mode ? "kiosk mode" : "preview mode");
    return &a->base;
}
