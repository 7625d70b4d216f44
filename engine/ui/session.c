/* session: the courses on this kiosk and the trainee who is signed in.
 *
 * Courses are loaded once at start. A package that cannot be opened or has
 * errors becomes a "broken" entry holding its first problem in plain words,
 * so the catalog can say what is wrong while every other course works. The
 * session part signs a trainee in (their settings and language follow
 * them), finds where they left off, and signs them out; progress itself is
 * read from the store and never kept here, so the catalog always shows what
 * is durable.
 */
#define _POSIX_C_SOURCE 200809L /* opendir */
#include "app.h"

#include "alloc.h"
#include "screens.h"
#include "widgets.h"

#include <SDL_image.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- courses ------------------------------------------------------------------ */

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the .zip files of dir (sorted) to *paths. A missing dir is fine. */
static void list_zips(const char *dir, char ***paths, int *n, int *cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    int first = *n;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".zip") != 0 || de->d_name[0] == '.')
            continue;
        if (*n == *cap) {
            int nc = *cap ? *cap * 2 : 8;
            char **np = dh_realloc(*paths, (size_t)nc * sizeof *np);
            if (!np)
                break;
            *paths = np;
            *cap = nc;
        }
        size_t need = strlen(dir) + len + 2;
        char *p = dh_malloc(need);
        if (!p)
            break;
        snprintf(p, need, "%s/%s", dir, de->d_name);
        (*paths)[(*n)++] = p;
    }
    closedir(d);
    qsort(*paths + first, (size_t)(*n - first), sizeof **paths, str_cmp);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* Load one package into e; never fails the player (only out of memory).
 * The package is opened with its signature checked on the same open file,
 * and kept open in e->pkg so every later read (images) comes from the
 * verified bytes. In kiosk mode a package that is not signed by a trusted
 * key is not even parsed: it becomes a "not approved" card. */
static dh_Status load_entry(ui_App *app, ui_CourseEntry *e, const char *path)
{
    e->path = dh_strdup(path);
    e->file_name = dh_strdup(base_name(path));
    if (!e->path || !e->file_name)
        return DH_ENOMEM;
    dh_Error err;
    dh_error_clear(&err);
    dh_Package *pkg = NULL;
    dh_Status st = dh_package_open_verified(&pkg, path, NULL, app->trusted.keys, app->trusted.n,
                                            &e->signer, &err);
    /* the signature is the first gate: a kiosk says "not approved" even
     * when the unapproved bytes would not open either */
    if (st != DH_ENOMEM && app->kiosk_mode && e->signer.trust != DH_TRUST_SIGNED &&
        (st == DH_OK || e->signer.why[0])) {
        fprintf(stderr, "drillhall: %s: not approved (%s): %s\n", path,
                dh_package_trust_name(e->signer.trust), e->signer.why);
        dh_package_close(pkg);
        e->not_approved = true;
        e->problem = dh_strdup(e->signer.why);
        return e->problem ? DH_OK : DH_ENOMEM;
    }
    char where[512] = "";
    if (st != DH_OK) {
        if (st == DH_ENOMEM)
            return st;
        e->problem = dh_strdup(err.msg[0] ? err.msg : dh_status_name(st));
        if (err.file[0] && strcmp(err.file, path) != 0) {
            snprintf(where, sizeof where, "%s", err.file);
            e->where = dh_strdup(where);
        }
        return e->problem ? DH_OK : DH_ENOMEM;
    }
    dh_Diags d;
    dh_diags_init(&d);
    st = dh_course_load(&e->course, pkg, &d);
    e->pkg = pkg;
    if (st == DH_ENOMEM) {
        dh_course_free(e->course);
        e->course = NULL;
        dh_diags_free(&d);
        return st;
    }
    if (st != DH_OK || !e->course || !e->course->ok) {
        const dh_Diag *first = NULL;
        for (int i = 0; i < d.count && !first; i++)
            if (d.items[i].severity == DH_ERROR)
                first = &d.items[i];
        if (first) {
            e->problem = dh_strdup(first->msg);
            if (first->file && first->line)
                snprintf(where, sizeof where, "%s:%d:%d", first->file, first->line, first->col);
            else if (first->file)
                snprintf(where, sizeof where, "%s", first->file);
        } else {
            e->problem = dh_strdup("the course could not be loaded");
        }
        if (where[0])
            e->where = dh_strdup(where);
        fprintf(stderr, "drillhall: %s: %s%s%s\n", path, where, where[0] ? ": " : "",
                e->problem ? e->problem : "");
        dh_course_free(e->course);
        e->course = NULL;
    }
    if (!e->course) {
        dh_package_close(e->pkg);
        e->pkg = NULL;
    }
    dh_diags_free(&d);
    return e->problem || e->course ? DH_OK : DH_ENOMEM;
}

dh_Status ui_app_load_courses(ui_App *app, const ui_Options *opt, dh_Error *err);
void ui_app_free_courses(ui_App *app);

/* Mark every course of which a newer version is loaded too: new attempts
 * go to the newest; the older one stays for trainees in the middle of it. */
static void mark_superseded(ui_App *app)
{
    for (int i = 0; i < app->ncourses; i++) {
        const dh_Course *a = app->courses[i].course;
        for (int k = 0; a && k < app->ncourses; k++) {
            const dh_Course *b = app->courses[k].course;
            if (b && k != i && !strcmp(a->id, b->id) &&
                (b->semver[0] != a->semver[0] ? b->semver[0] > a->semver[0]
                 : b->semver[1] != a->semver[1] ? b->semver[1] > a->semver[1]
                                                : b->semver[2] > a->semver[2]))
                app->courses[i].superseded = true;
        }
    }
}

void ui_app_reload_courses(ui_App *app)
{
    DH_ASSERT(!app->signed_in);
    ui_app_free_courses(app);
    dh_Error err;
    if (ui_app_load_courses(app, &app->opts, &err) != DH_OK)
        fprintf(stderr, "drillhall: loading courses: %s\n", err.msg);
    app->dirty = true;
}

dh_Package *ui_course_package(ui_App *app, int course)
{
    if (course < 0 || course >= app->ncourses)
        return NULL;
    return app->courses[course].pkg;
}

SDL_Texture *ui_course_image(ui_App *app, int course, const char *src, int *w, int *h)
{
    *w = *h = 0;
    dh_Package *pkg = ui_course_package(app, course);
    if (!pkg || !src)
        return NULL;
    dh_Error err;
    void *data = NULL;
    size_t len = 0;
    if (dh_package_read(pkg, src, DH_PKG_MAX_FILE, &data, &len, &err) != DH_OK) {
        fprintf(stderr, "drillhall: %s: %s\n", src, err.msg);
        return NULL;
    }
    SDL_RWops *rw = len <= (size_t)SDL_MAX_SINT32 ? SDL_RWFromConstMem(data, (int)len) : NULL;
    SDL_Texture *t = rw ? IMG_LoadTexture_RW(app->renderer, rw, 1) : NULL;
    dh_free(data);
    if (!t) {
        fprintf(stderr, "drillhall: %s: the picture cannot be decoded (%s)\n", src, IMG_GetError());
        return NULL;
    }
    SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
    if (SDL_QueryTexture(t, NULL, NULL, w, h) != 0 || *w <= 0 || *h <= 0) {
        SDL_DestroyTexture(t);
        *w = *h = 0;
        return NULL;
    }
    return t;
}

dh_Status ui_app_load_courses(ui_App *app, const ui_Options *opt, dh_Error *err)
{
    char **paths = NULL;
    int n = 0, cap = 0;
    if (opt->ncourses > 0) {
        paths = dh_calloc((size_t)opt->ncourses, sizeof *paths);
        if (!paths)
            return dh_fail(err, DH_ENOMEM, "out of memory");
        cap = opt->ncourses;
        for (int i = 0; i < opt->ncourses; i++)
            if ((paths[n] = dh_strdup(opt->courses[i])))
                n++;
    } else {
        char pk[DH_STORE_PATH_MAX + 16];
        /* A kiosk runs what was installed; the build's unsigned samples are
         * for instructors' previews. */
        if (!app->kiosk_mode)
            list_zips(DH_BUILD_COURSES_DIR, &paths, &n, &cap);
        snprintf(pk, sizeof pk, "%s/packages", app->data_dir);
        list_zips(pk, &paths, &n, &cap);
    }
    dh_Status st = DH_OK;
    app->courses = dh_calloc((size_t)(n ? n : 1), sizeof *app->courses);
    if (!app->courses)
        st = dh_fail(err, DH_ENOMEM, "out of memory");
    for (int i = 0; i < n && st == DH_OK; i++) {
        if (load_entry(app, &app->courses[app->ncourses++], paths[i]) != DH_OK)
            st = dh_fail(err, DH_ENOMEM, "out of memory while loading %s", paths[i]);
    }
    for (int i = 0; i < n; i++)
        dh_free(paths[i]);
    dh_free(paths);
    mark_superseded(app);
    return st;
}

void ui_app_free_courses(ui_App *app)
{
    for (int i = 0; i < app->ncourses; i++) {
        ui_CourseEntry *e = &app->courses[i];
        dh_course_free(e->course);
        dh_package_close(e->pkg);
        dh_free(e->path);
        dh_free(e->file_name);
        dh_free(e->problem);
        dh_free(e->where);
    }
    dh_free(app->courses);
    app->courses = NULL;
    app->ncourses = 0;
}

/* ---- progress ---------------------------------------------------------------------- */

dh_Status ui_app_progress(ui_App *app, int course, dh_Progress **out, dh_Error *err)
{
    DH_ASSERT(app->signed_in && course >= 0 && course < app->ncourses && app->courses[course].course);
    return dh_progress_open(out, app->store, app->courses[course].course, &app->xapi,
                            app->trainee.id, err);
}

typedef struct ModCtx {
    const dh_Course *c;
    dh_ModuleProgress *mp;
} ModCtx;

/* The same reading of a stored module state as progress.c's. */
static dh_Status collect_module(const dh_ModuleState *s, void *ctx, dh_Error *err)
{
    (void)err;
    ModCtx *m = ctx;
    int i = dh_course_module_index(m->c, s->module_id);
    if (i < 0)
        return DH_OK; /* a module of another version: not this course's */
    dh_ModuleProgress *p = &m->mp[i];
    p->attempted = s->status != DH_PROGRESS_NOT_ATTEMPTED || s->completed || s->passed;
    p->completed = s->completed;
    p->passed = s->passed;
    p->failed_final = s->status == DH_PROGRESS_FAILED;
    p->has_score = s->has_score;
    p->scaled = s->score;
    return DH_OK;
}

void ui_app_course_progress(ui_App *app, int course, dh_CourseProgress *out, bool *found)
{
    const dh_Course *c = app->courses[course].course;
    memset(out, 0, sizeof *out);
    *found = false;
    if (!c)
        return;
    dh_ModuleProgress *mp = dh_calloc((size_t)(c->nmodules ? c->nmodules : 1), sizeof *mp);
    if (!mp)
        return;
    dh_Enrolment en;
    dh_Error err;
    bool launched = false;
    if (app->signed_in &&
        dh_store_enrolment_get(app->store, app->trainee.id, c->id, c->version, &en, &err) == DH_OK) {
        ModCtx ctx = {c, mp};
        if (dh_store_modules_each(app->store, en.registration, collect_module, &ctx, &err) == DH_OK) {
            *found = true;
            for (int i = 0; i < c->nmodules; i++)
                launched |= mp[i].attempted;
        }
    }
    dh_completion_evaluate(c, mp, launched, out);
    if (*found && !launched)
        out->status = DH_PROGRESS_NOT_ATTEMPTED;
    dh_free(mp);
}

/* ---- session ------------------------------------------------------------------------ */

static void apply_settings(ui_App *app, const ui_Settings *s)
{
    bool theme_changed = s->high_contrast != app->settings.high_contrast;
    app->settings = *s;
    if (theme_changed || s->high_contrast != app->theme.high_contrast)
        ui_theme_init(&app->theme, s->high_contrast);
    app->dirty = true;
}

void ui_app_set_settings(ui_App *app, const ui_Settings *s)
{
    apply_settings(app, s);
    if (app->signed_in) {
        dh_Error err;
        if (ui_settings_save(app->data_dir, app->trainee.id, s, &err) != DH_OK)
            fprintf(stderr, "drillhall: %s\n", err.msg);
    }
}

void ui_app_set_lang(ui_App *app, const char *lang)
{
    int i = ui_strings_find(app->strings, lang);
    if (i < 0)
        return;
    snprintf(app->lang, sizeof app->lang, "%s", ui_strings_code(app->strings, i));
    app->dirty = true;
}

void ui_app_session_reset(ui_App *app);

/* Forget the trainee: the next person sees the kiosk's defaults. */
void ui_app_session_reset(ui_App *app)
{
    app->signed_in = false;
    memset(&app->trainee, 0, sizeof app->trainee);
    ui_Settings def;
    ui_settings_default(&def);
    apply_settings(app, &def);
    snprintf(app->lang, sizeof app->lang, "%s", app->default_lang);
}

void ui_app_sign_in(ui_App *app, const dh_Trainee *t, bool registered_now)
{
    app->trainee = *t;
    app->signed_in = true;
    dh_Error err;
    if (registered_now) {
        if (ui_settings_save(app->data_dir, t->id, &app->settings, &err) != DH_OK)
            fprintf(stderr, "drillhall: %s\n", err.msg);
    } else {
        ui_Settings s;
        if (ui_settings_load(app->data_dir, t->id, &s, &err) != DH_OK)
            fprintf(stderr, "drillhall: %s\n", err.msg);
        apply_settings(app, &s);
    }
    if (t->lang[0])
        ui_app_set_lang(app, t->lang);
    ui_app_resume(app);
}

typedef struct Latest {
    bool found;
    dh_Enrolment e;
} Latest;

static dh_Status take_latest(const dh_Enrolment *e, void *ctx, dh_Error *err)
{
    (void)err;
    Latest *l = ctx;
    if (!l->found) { /* listed most recently updated first */
        l->found = true;
        l->e = *e;
    }
    return DH_OK;
}

void ui_app_resume(ui_App *app)
{
    ui_Screen *cat = ui_catalog_new(app);
    if (!cat)
        return;
    ui_app_reset(app, cat);
    Latest l = {0};
    dh_Error err;
    if (dh_store_enrolments_each(app->store, app->trainee.id, take_latest, &l, &err) != DH_OK ||
        !l.found || l.e.status != DH_PROGRESS_IN_PROGRESS)
        return;
    for (int i = 0; i < app->ncourses; i++) {
        const dh_Course *c = app->courses[i].course;
        if (c && strcmp(c->id, l.e.course_id) == 0 && strcmp(c->version, l.e.course_version) == 0) {
            ui_app_push(app, ui_outline_new(app, i, true));
            return;
        }
    }
}

int64_t ui_app_wall_ms(const ui_App *app)
{
    (void)app;
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *ui_status_text(const ui_App *app, dh_ProgressStatus s)
{
    switch (s) {
    case DH_PROGRESS_IN_PROGRESS: return ui_tr(app, "status.in_progress");
    case DH_PROGRESS_COMPLETED: return ui_tr(app, "status.completed");
    case DH_PROGRESS_PASSED: return ui_tr(app, "status.passed");
    case DH_PROGRESS_FAILED: return ui_tr(app, "status.failed");
    case DH_PROGRESS_NOT_ATTEMPTED: break;
    }
    return ui_tr(app, "status.not_attempted");
}
