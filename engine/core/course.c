/* course: loading course.json and every module it names into one model.
 *
 * The order matters for good diagnostics: course.json first (languages and
 * modules tell how to read the rest), then each module file in course order,
 * then the cross-checks that need the whole picture: prerequisites that name
 * unknown modules or form cycles, completion rules that cannot be met, files
 * that no module uses. Every problem is reported; nothing stops at the first.
 */
#include "course.h"

#include "alloc.h"
#include "json.h"
#include "lesson.h"
#include "load.h"
#include "quiz.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"lesson", "quiz", "scenario", NULL};
static const char *const kind_dirs[] = {"lessons/", "quizzes/", "scenarios/", NULL};
static const char *const move_on_names[] = {"Completed", "Passed", "CompletedAndPassed",
                                            "CompletedOrPassed", "NotApplicable", NULL};

const char *dh_module_kind_name(dh_ModuleKind k)
{
    return kind_names[k];
}

const char *dh_move_on_name(dh_MoveOn m)
{
    return move_on_names[m];
}

static int lookup(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

int dh_course_module_index(const dh_Course *c, const char *id)
{
    for (int i = 0; i < c->nmodules; i++)
        if (c->modules[i].id && strcmp(c->modules[i].id, id) == 0) return i;
    return -1;
}

/* ---- course.json fields ---------------------------------------------------- */

/* Reverse-DNS style: lower-case labels of [a-z0-9-] separated by dots, at
 * least two labels, 3-128 characters. Stable across versions: records and
 * progress are keyed by it. */
bool dh_course_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 128 || s[0] == '.' || s[n - 1] == '.' || !strchr(s, '.')) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
                  (ch == '.' && s[i + 1] != '.');
        if (!ok) return false;
    }
    return true;
}

/* Semantic version MAJOR.MINOR.PATCH[-prerelease][+build], no leading zeros. */
static bool semver_parse(const char *s, int v[3])
{
    for (int k = 0; k < 3; k++) {
        if (*s < '0' || *s > '9') return false;
        if (*s == '0' && s[1] >= '0' && s[1] <= '9') return false;
        long x = 0;
        while (*s >= '0' && *s <= '9') {
            x = x * 10 + (*s++ - '0');
            if (x > 999999) return false;
        }
        v[k] = (int)x;
        if (k < 2 && *s++ != '.') return false;
    }
    if (*s == '-' || *s == '+') {
        s++;
        if (!*s) return false;
        for (; *s; s++)
            if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                  *s == '.' || *s == '-' || *s == '+'))
                return false;
    }
    return *s == '\0';
}

static void parse_languages(dh_LoadCtx *lc, dh_Course *c, const cJSON *root)
{
    const cJSON *langs = dh_json_get(lc->doc, lc->diags, root, "languages", DH_JSON_ARRAY, true);
    if (!langs) return;
    int n = cJSON_GetArraySize(langs);
    if (n == 0) {
        DH_LOAD_ERROR(lc, langs, "'languages' must list at least one language, e.g. [\"en\"]");
        return;
    }
    const char **v = dh_load_array(lc, (size_t)n, sizeof *v);
    if (!v) return;
    int k = 0;
    for (const cJSON *e = langs->child; e; e = e->next) {
        if (!cJSON_IsString(e)) {
            DH_LOAD_ERROR(lc, e, "a language must be a string such as \"en\", not %s", dh_json_kind(e));
            continue;
        }
        if (!dh_lang_valid(e->valuestring)) {
            DH_LOAD_ERROR(lc, e,
                          "'%s' is not a valid language code (use ISO 639 codes such as \"en\", \"th\", \"km\", \"zh-Hans\")",
                          e->valuestring);
            continue;
        }
        bool dup = false;
        for (int i = 0; i < k; i++) dup |= strcmp(v[i], e->valuestring) == 0;
        if (dup) {
            DH_LOAD_ERROR(lc, e, "language '%s' is listed twice", e->valuestring);
            continue;
        }
        v[k++] = dh_load_strdup(lc, e->valuestring);
    }
    c->languages = v;
    c->nlanguages = k;
    lc->languages = v;
    lc->nlanguages = k;
}

static void parse_strings(dh_LoadCtx *lc, const cJSON *root, const char *key,
                          const char *const **out, int *count)
{
    const cJSON *a = dh_json_get(lc->doc, lc->diags, root, key, DH_JSON_ARRAY, false);
    if (!a) return;
    const char **v = dh_load_array(lc, (size_t)cJSON_GetArraySize(a), sizeof *v);
    if (!v) return;
    int k = 0;
    for (const cJSON *e = a->child; e; e = e->next) {
        if (!cJSON_IsString(e) || !e->valuestring[0]) {
            DH_LOAD_ERROR(lc, e, "each of '%s' must be a non-empty string", key);
            continue;
        }
        v[k++] = dh_load_strdup(lc, e->valuestring);
    }
    *out = v;
    *count = k;
}

/* ---- modules ----------------------------------------------------------------- */

typedef struct ModuleSrc {
    const cJSON *obj;     /* the module's object in course.json */
    const cJSON *prereqs; /* its "prerequisites" array, if valid */
} ModuleSrc;

/* The id of an earlier module that already uses file, or NULL. (Sharing a
 * file would load and keep it once per module: a small package could then
 * make the loader use any amount of memory.) */
static const char *file_in_use(const dh_Course *c, const dh_Module *m, const char *file)
{
    for (const dh_Module *o = c->modules; o < m; o++)
        if (o->file && strcmp(o->file, file) == 0) return o->id ? o->id : "?";
    return NULL;
}

static void parse_module(dh_LoadCtx *lc, dh_Course *c, const cJSON *obj, dh_Module *m)
{
    static const char *const known[] = {"id", "kind", "file", "title", "required", "prerequisites", NULL};
    if (!cJSON_IsObject(obj)) {
        DH_LOAD_ERROR(lc, obj, "a module must be an object with \"id\", \"kind\" and \"file\", not %s",
                      dh_json_kind(obj));
        return;
    }
    dh_json_check_members(lc->doc, lc->diags, obj, known, "a module");
    const char *id = dh_json_id(lc->doc, lc->diags, obj, "id", true);
    if (id) {
        if (dh_course_module_index(c, id) >= 0)
            DH_LOAD_ERROR(lc, cJSON_GetObjectItemCaseSensitive(obj, "id"), "duplicate module id '%s'", id);
        else
            m->id = dh_load_strdup(lc, id);
    }
    const char *kind = dh_json_string(lc->doc, lc->diags, obj, "kind", true);
    int k = kind ? lookup(kind, kind_names) : -1;
    if (kind && k < 0)
        DH_LOAD_ERROR(lc, cJSON_GetObjectItemCaseSensitive(obj, "kind"),
                      "unknown module kind '%s' (use lesson, quiz or scenario)", kind);
    m->kind = k < 0 ? DH_MODULE_LESSON : (dh_ModuleKind)k;
    const char *file = dh_json_string(lc->doc, lc->diags, obj, "file", true);
    const cJSON *fv = cJSON_GetObjectItemCaseSensitive(obj, "file");
    if (file) {
        size_t n = strlen(file);
        if (n < 6 || strcmp(file + n - 5, ".json") != 0) {
            DH_LOAD_ERROR(lc, fv, "module file '%s' must be a .json file", file);
        } else if (lc->pkg && dh_package_find(lc->pkg, file) < 0) {
            DH_LOAD_ERROR(lc, fv, "module file '%s' is not in the package", file);
        } else if (file_in_use(c, m, file)) {
            DH_LOAD_ERROR(lc, fv, "module file '%s' is already used by module '%s'; each module needs its own file",
                          file, file_in_use(c, m, file));
        } else {
            m->file = dh_load_strdup(lc, file);
            if (k >= 0 && strncmp(file, kind_dirs[k], strlen(kind_dirs[k])) != 0)
                DH_LOAD_WARN(lc, fv, "%s files belong in %s (found '%s')", kind_names[k], kind_dirs[k], file);
        }
    }
    if (k < 0) m->file = NULL; /* unknown kind: do not try to parse the file */
    dh_load_text(lc, obj, "title", false, &m->title);
    m->required = dh_json_bool(lc->doc, lc->diags, obj, "required", true);
}

/* Resolve prerequisites to indices once every module id is known. */
static void resolve_prereqs(dh_LoadCtx *lc, dh_Course *c, const ModuleSrc *src)
{
    for (int i = 0; i < c->nmodules; i++) {
        const cJSON *a = src[i].prereqs;
        if (!a) continue;
        int *v = dh_load_array(lc, (size_t)cJSON_GetArraySize(a), sizeof *v);
        if (!v) return;
        int n = 0;
        for (const cJSON *e = a->child; e; e = e->next) {
            if (!cJSON_IsString(e)) {
                DH_LOAD_ERROR(lc, e, "a prerequisite must be a module id (a string), not %s", dh_json_kind(e));
                continue;
            }
            int j = dh_course_module_index(c, e->valuestring);
            if (j < 0) {
                DH_LOAD_ERROR(lc, e, "prerequisite '%s' is not a module of this course", e->valuestring);
                continue;
            }
            if (j == i) {
                DH_LOAD_ERROR(lc, e, "module '%s' cannot be its own prerequisite", e->valuestring);
                continue;
            }
            bool dup = false;
            for (int q = 0; q < n; q++) dup |= v[q] == j;
            if (dup) {
                DH_LOAD_WARN(lc, e, "prerequisite '%s' is listed twice", e->valuestring);
                continue;
            }
            if (j > i)
                DH_LOAD_WARN(lc, e, "prerequisite '%s' comes after '%s' in the module order; trainees will see "
                             "a locked module before the one that unlocks it", e->valuestring,
                             c->modules[i].id ? c->modules[i].id : "?");
            v[n++] = j;
        }
        c->modules[i].prereqs = v;
        c->modules[i].nprereqs = n;
    }
}

/* Depth-first search for prerequisite cycles; reports each cycle once. */
static bool find_cycle(const dh_Course *c, int at, int *state, int *stack, int depth, int *out_len)
{
    state[at] = 1;
    stack[depth] = at;
    for (int k = 0; k < c->modules[at].nprereqs; k++) {
        int next = c->modules[at].prereqs[k];
        if (state[next] == 1) {
            int start = 0;
            while (stack[start] != next) start++;
            memmove(stack, stack + start, (size_t)(depth - start + 1) * sizeof *stack);
            *out_len = depth - start + 1;
            return true;
        }
        if (state[next] == 0 && find_cycle(c, next, state, stack, depth + 1, out_len)) return true;
    }
    state[at] = 2;
    return false;
}

static void check_cycles(dh_LoadCtx *lc, const dh_Course *c, const ModuleSrc *src)
{
    int n = c->nmodules;
    int *state = dh_calloc((size_t)n, sizeof *state);
    int *stack = dh_calloc((size_t)n + 1, sizeof *stack);
    if (!state || !stack) {
        lc->oom = true;
    } else {
        for (int i = 0; i < n; i++) {
            int len = 0;
            if (state[i] != 0 || !find_cycle(c, i, state, stack, 0, &len)) continue;
            char path[512];
            size_t off = 0;
            for (int k = 0; k <= len && off < sizeof path - 70; k++) {
                const char *id = c->modules[stack[k % len]].id;
                off += (size_t)snprintf(path + off, sizeof path - off, "%s%s", k ? " -> " : "", id ? id : "?");
            }
            DH_LOAD_ERROR(lc, cJSON_GetObjectItemCaseSensitive(src[stack[0]].obj, "prerequisites"),
                          "prerequisites form a cycle (%s): no trainee could ever start these modules", path);
            /* Mark the cycle done so it is reported once. */
            for (int k = 0; k < len; k++) state[stack[k]] = 2;
        }
    }
    dh_free(state);
    dh_free(stack);
}

/* Load one module file with its own JSON document and positions. */
static dh_Status load_module_file(dh_LoadCtx *lc, dh_Module *m)
{
    void *data = NULL;
    size_t len = 0;
    dh_Error err;
    dh_error_clear(&err);
    dh_Status st = dh_package_read(lc->pkg, m->file, DH_PKG_MAX_JSON, &data, &len, &err);
    if (st == DH_ENOMEM) return st;
    if (st != DH_OK) {
        dh_diag(lc->diags, DH_ERROR, m->file, 0, 0, "%s", err.msg);
        return DH_OK;
    }
    dh_Json doc;
    st = dh_json_parse(&doc, m->file, data, len, lc->diags);
    dh_free(data);
    if (st == DH_OK) {
        dh_LoadCtx mc = *lc;
        mc.doc = &doc;
        switch (m->kind) {
        case DH_MODULE_LESSON: st = dh_lesson_parse(&mc, doc.root, &m->u.lesson); break;
        case DH_MODULE_QUIZ: st = dh_quiz_parse(&mc, doc.root, &m->u.quiz); break;
        case DH_MODULE_SCENARIO: st = dh_scenario_parse(&mc, doc.root, &m->u.scenario); break;
        }
        lc->oom |= mc.oom;
        /* A title in course.json wins; else take the file's own, quietly
         * (its parser has already reported any problem with it). */
        if (st == DH_OK && m->title.count == 0) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc.root, "title");
            if (cJSON_IsString(t) || cJSON_IsObject(t)) {
                dh_Diags quiet;
                dh_diags_init(&quiet);
                mc.diags = &quiet;
                dh_load_text_value(&mc, t, "'title'", &m->title);
                lc->oom |= mc.oom;
                dh_diags_free(&quiet);
            }
        }
    } else if (st == DH_EFORMAT) {
        st = DH_OK; /* reported; the course is not ok */
    }
    dh_json_free(&doc);
    return st;
}

/* Module-like JSON files that no module uses are probably a mistake. */
static void check_unused_files(dh_LoadCtx *lc, const dh_Course *c)
{
    if (!lc->pkg) return;
    for (int i = 0; i < dh_package_count(lc->pkg); i++) {
        const char *name = dh_package_name(lc->pkg, i);
        bool module_dir = false;
        for (int k = 0; kind_dirs[k]; k++) module_dir |= strncmp(name, kind_dirs[k], strlen(kind_dirs[k])) == 0;
        size_t n = strlen(name);
        if (!module_dir || n < 5 || strcmp(name + n - 5, ".json") != 0) continue;
        bool used = false;
        for (int m = 0; m < c->nmodules && !used; m++) used = c->modules[m].file && !strcmp(c->modules[m].file, name);
        if (!used) dh_diag(lc->diags, DH_WARNING, name, 0, 0, "no module of course.json uses this file");
    }
}

static void check_completion(dh_LoadCtx *lc, const dh_Course *c, const cJSON *root)
{
    int required = 0, gradable = 0;
    for (int i = 0; i < c->nmodules; i++) {
        required += c->modules[i].required;
        gradable += c->modules[i].required && c->modules[i].kind != DH_MODULE_LESSON;
    }
    const cJSON *mo = cJSON_GetObjectItemCaseSensitive(root, "moveOn");
    if (c->nmodules > 0 && required == 0 && c->move_on != DH_MOVEON_NOT_APPLICABLE)
        DH_LOAD_ERROR(lc, cJSON_GetObjectItemCaseSensitive(root, "modules"),
                      "no module is required, so the course could never be completed; mark at least one "
                      "\"required\": true or use \"moveOn\": \"NotApplicable\"");
    bool needs_pass = c->move_on == DH_MOVEON_PASSED || c->move_on == DH_MOVEON_COMPLETED_AND_PASSED;
    if (needs_pass && c->nmodules > 0 && gradable == 0)
        DH_LOAD_ERROR(lc, mo ? mo : root,
                      "moveOn '%s' needs a required quiz or scenario to pass, and this course has none",
                      dh_move_on_name(c->move_on));
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "masteryScore");
    if (ms && gradable == 0 && c->nmodules > 0)
        DH_LOAD_WARN(lc, ms, "'masteryScore' has no effect: no required quiz or scenario is scored");
}

static dh_Status parse_course(dh_LoadCtx *lc, dh_Course *c, const cJSON *root)
{
    static const char *const known[] = {"$schema", "format", "id", "version", "title", "description",
                                        "languages", "duration_min", "moveOn", "masteryScore", "modules",
                                        "authors", "license", NULL};
    const dh_Json *doc = lc->doc;
    dh_Diags *d = lc->diags;
    if (!cJSON_IsObject(root)) {
        DH_LOAD_ERROR(lc, root, "course.json must hold an object, not %s", dh_json_kind(root));
        return DH_OK;
    }
    dh_json_check_members(doc, d, root, known, "course.json");

    const cJSON *fmt = dh_json_get(doc, d, root, "format", DH_JSON_NUMBER, true);
    if (fmt) {
        c->format = fmt->valueint;
        if (fmt->valuedouble != DH_FORMAT_VERSION) {
            if (fmt->valuedouble > DH_FORMAT_VERSION)
                DH_LOAD_ERROR(lc, fmt, "this package uses format %g, which needs a newer Drillhall (this one reads format %d)",
                              fmt->valuedouble, DH_FORMAT_VERSION);
            else
                DH_LOAD_ERROR(lc, fmt, "unknown format %g (this Drillhall reads format %d)", fmt->valuedouble,
                              DH_FORMAT_VERSION);
            return DH_OK; /* the rest would be read with the wrong rules */
        }
    }
    const char *id = dh_json_string(doc, d, root, "id", true);
    if (id && !dh_course_id_valid(id))
        DH_LOAD_ERROR(lc, cJSON_GetObjectItemCaseSensitive(root, "id"),
                      "course id '%s' must be lower-case reverse-DNS style, e.g. \"org.example.phishing-basics\"", id);
    else if (id)
        c->id = dh_load_strdup(lc, id);
    const char *ver = dh_json_string(doc, d, root, "version", true);
    if (ver && !semver_parse(ver, c->semver))
        DH_LOAD_ERROR(lc, cJSON_GetObjectItemCaseSensitive(root, "version"),
                      "version '%s' must be a semantic version MAJOR.MINOR.PATCH, e.g. \"1.0.0\"", ver);
    else if (ver)
        c->version = dh_load_strdup(lc, ver);

    parse_languages(lc, c, root);
    dh_load_text(lc, root, "title", true, &c->title);
    dh_load_text(lc, root, "description", false, &c->description);
    c->duration_min = (int)dh_json_int(doc, d, root, "duration_min", 0, 1, 10000, false);
    c->move_on = DH_MOVEON_COMPLETED;
    const char *mo = dh_json_string(doc, d, root, "moveOn", false);
    if (mo) {
        int k = lookup(mo, move_on_names);
        if (k < 0)
            DH_LOAD_ERROR(lc, cJSON_GetObjectItemCaseSensitive(root, "moveOn"),
                          "unknown moveOn '%s' (use Completed, Passed, CompletedAndPassed, CompletedOrPassed or NotApplicable)",
                          mo);
        else
            c->move_on = (dh_MoveOn)k;
    }
    c->mastery_score = dh_json_number(doc, d, root, "masteryScore", -1, 0, 1, false);
    parse_strings(lc, root, "authors", &c->authors, &c->nauthors);
    c->license = dh_json_string(doc, d, root, "license", false);
    if (c->license) c->license = dh_load_strdup(lc, c->license);
    return lc->oom ? DH_ENOMEM : DH_OK;
}

dh_Status dh_course_load(dh_Course **out, dh_Package *pkg, dh_Diags *d)
{
    *out = NULL;
    void *data = NULL;
    size_t len = 0;
    dh_Error err;
    dh_error_clear(&err);
    int raised_before = d->raised;
    dh_Status st = dh_package_read(pkg, "course.json", DH_PKG_MAX_JSON, &data, &len, &err);
    if (st != DH_OK) {
        if (st == DH_ENOTFOUND)
            dh_diag(d, DH_ERROR, "course.json", 0, 0,
                    "the package has no course.json at its top level (is this a Drillhall course?)");
        else if (st != DH_ENOMEM)
            dh_diag(d, DH_ERROR, "course.json", 0, 0, "%s", err.msg);
        return st;
    }
    dh_Json doc;
    st = dh_json_parse(&doc, "course.json", data, len, d);
    dh_free(data);
    if (st != DH_OK) {
        dh_json_free(&doc);
        return st;
    }
    dh_Course *c = dh_calloc(1, sizeof *c);
    if (!c) {
        dh_json_free(&doc);
        return DH_ENOMEM;
    }
    dh_arena_init(&c->arena);
    c->mastery_score = -1;
    dh_LoadCtx lc = {&c->arena, d, &doc, pkg, NULL, 0, false};
    ModuleSrc *src = NULL;
    st = parse_course(&lc, c, doc.root);
    if (st != DH_OK) goto fail;
    if (c->format != DH_FORMAT_VERSION) goto done; /* reported; other rules would mislead */

    const cJSON *mods = dh_json_get(&doc, d, doc.root, "modules", DH_JSON_ARRAY, c->format == DH_FORMAT_VERSION);
    int n = mods ? cJSON_GetArraySize(mods) : 0;
    if (mods && n == 0) DH_LOAD_ERROR(&lc, mods, "'modules' must list at least one module");
    if (n > DH_COURSE_MAX_MODULES) {
        DH_LOAD_ERROR(&lc, mods, "a course may have at most %d modules, and this one has %d; split it into "
                      "several courses", DH_COURSE_MAX_MODULES, n);
        mods = NULL;
        n = 0;
    }
    c->modules = dh_load_array(&lc, (size_t)n, sizeof *c->modules);
    src = dh_calloc((size_t)n + 1, sizeof *src);
    if (!c->modules || !src) goto oom;
    for (const cJSON *m = mods ? mods->child : NULL; m; m = m->next) {
        dh_Module *mod = &c->modules[c->nmodules];
        src[c->nmodules].obj = m;
        src[c->nmodules].prereqs = dh_json_get(&doc, d, m, "prerequisites", DH_JSON_ARRAY, false);
        c->nmodules++;
        parse_module(&lc, c, m, mod);
        if (lc.oom) goto oom;
    }
    resolve_prereqs(&lc, c, src);
    check_cycles(&lc, c, src);
    check_completion(&lc, c, doc.root);
    if (lc.oom) goto oom;
    for (int i = 0; i < c->nmodules; i++) {
        if (!c->modules[i].file) continue;
        st = load_module_file(&lc, &c->modules[i]);
        if (st != DH_OK || lc.oom) goto oom;
    }
    check_unused_files(&lc, c);
    if (lc.oom) goto oom;
done:
    dh_free(src);
    dh_json_free(&doc);
    c->ok = d->raised == raised_before;
    *out = c;
    return DH_OK;
oom:
    st = DH_ENOMEM;
fail:
    dh_free(src);
    dh_json_free(&doc);
    dh_course_free(c);
    return st;
}

void dh_course_free(dh_Course *c)
{
    if (!c) return;
    dh_arena_free(&c->arena);
    dh_free(c);
}
