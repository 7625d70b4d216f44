/* load: shared parsing helpers for course, lesson, quiz and scenario files.
 *
 * Localized text and asset references appear in every kind of file and carry
 * the same rules everywhere, so they are checked here, once: language tags
 * valid and among the course's languages, every course language present,
 * asset paths safe, of the right kind, and really in the package.
 */
#include "load.h"

#include <stdio.h>
#include <string.h>

char *dh_load_strdup(dh_LoadCtx *c, const char *s)
{
    char *d = dh_arena_strdup(c->arena, s);
    if (!d) c->oom = true;
    return d;
}

void *dh_load_array(dh_LoadCtx *c, size_t n, size_t size)
{
    void *p = dh_arena_array(c->arena, n ? n : 1, size);
    if (!p) c->oom = true;
    return p;
}

static bool course_has_language(const dh_LoadCtx *c, const char *lang)
{
    for (int i = 0; i < c->nlanguages; i++)
        if (strcmp(c->languages[i], lang) == 0) return true;
    return false;
}

bool dh_load_text_value(dh_LoadCtx *c, const cJSON *v, const char *what, dh_Text *out)
{
    out->items = NULL;
    out->count = 0;
    if (cJSON_IsString(v)) {
        dh_TextItem *it = dh_load_array(c, 1, sizeof *it);
        if (!it) return false;
        it->lang = NULL;
        it->text = dh_load_strdup(c, v->valuestring);
        if (!it->text) return false;
        out->items = it;
        out->count = 1;
        return true;
    }
    if (!cJSON_IsObject(v)) {
        DH_LOAD_ERROR(c, v, "%s must be a string or an object of translations ({\"en\": \"...\"}), not %s",
                      what, dh_json_kind(v));
        return false;
    }
    int n = 0;
    for (const cJSON *e = v->child; e; e = e->next) n++;
    if (n == 0) {
        DH_LOAD_ERROR(c, v, "%s has no translations", what);
        return false;
    }
    dh_TextItem *items = dh_load_array(c, (size_t)n, sizeof *items);
    if (!items) return false;
    int k = 0;
    bool ok = true;
    for (const cJSON *e = v->child; e; e = e->next) {
        if (!dh_lang_valid(e->string)) {
            dh_json_diag_key(c->doc, c->diags, DH_ERROR, e,
                             "'%s' is not a valid language code (use ISO 639 codes such as \"en\", \"th\", \"km\", \"zh-Hans\")",
                             e->string);
            ok = false;
            continue;
        }
        if (!cJSON_IsString(e)) {
            DH_LOAD_ERROR(c, e, "the '%s' translation of %s must be a string, not %s", e->string, what,
                          dh_json_kind(e));
            ok = false;
            continue;
        }
        if (c->nlanguages > 0 && !course_has_language(c, e->string))
            dh_json_diag_key(c->doc, c->diags, DH_WARNING, e,
                             "%s has a '%s' translation but '%s' is not one of the course's languages",
                             what, e->string, e->string);
        items[k].lang = dh_load_strdup(c, e->string);
        items[k].text = dh_load_strdup(c, e->valuestring);
        if (c->oom) return false;
        k++;
    }
    out->items = items;
    out->count = k;
    for (int i = 0; i < c->nlanguages && k > 0; i++)
        if (!dh_text_has(out, c->languages[i]))
            DH_LOAD_WARN(c, v, "%s has no '%s' translation; trainees using '%s' will see another language",
                         what, c->languages[i], c->languages[i]);
    return ok && k > 0;
}

bool dh_load_text(dh_LoadCtx *c, const cJSON *obj, const char *key, bool required, dh_Text *out)
{
    out->items = NULL;
    out->count = 0;
    const cJSON *v = dh_json_get(c->doc, c->diags, obj, key,
                                 DH_JSON_STRING | DH_JSON_OBJECT, required);
    if (!v) return !required && !cJSON_GetObjectItemCaseSensitive(obj, key);
    char what[80];
    snprintf(what, sizeof what, "'%s'", key);
    if (!dh_load_text_value(c, v, what, out)) return false;
    if (required && out->count == 1 && !out->items[0].text[0]) {
        DH_LOAD_ERROR(c, v, "'%s' must not be empty", key);
        return false;
    }
    return true;
}

static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    return dot && (!slash || dot > slash) ? dot + 1 : "";
}

static bool ext_in(const char *ext, const char *const *list)
{
    for (; *list; list++) {
        size_t n = strlen(*list);
        if (strlen(ext) != n) continue;
        bool same = true;
        for (size_t i = 0; i < n && same; i++) {
            char a = ext[i];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            same = a == (*list)[i];
        }
        if (same) return true;
    }
    return false;
}

static const char *const image_ext[] = {"png", "jpg", "jpeg", NULL};
static const char *const audio_ext[] = {"ogg", "wav", "mp3", NULL};
static const char *const font_ext[] = {"ttf", "otf", NULL};

const char *dh_load_asset(dh_LoadCtx *c, const cJSON *obj, const char *key, bool required, int kinds)
{
    const cJSON *v = dh_json_get(c->doc, c->diags, obj, key, DH_JSON_STRING, required);
    if (!v) return NULL;
    const char *p = v->valuestring;
    if (strncmp(p, "assets/", 7) != 0 || strstr(p, "..") || strchr(p, '\\') || strstr(p, "//") ||
        p[strlen(p) - 1] == '/') {
        DH_LOAD_ERROR(c, v, "'%s' must be a path inside the package's assets/ folder, like \"assets/picture.png\"",
                      p);
        return NULL;
    }
    const char *ext = extension(p);
    bool ok = ((kinds & DH_ASSET_IMAGE) && ext_in(ext, image_ext)) ||
              ((kinds & DH_ASSET_AUDIO) && ext_in(ext, audio_ext)) ||
              ((kinds & DH_ASSET_FONT) && ext_in(ext, font_ext));
    if (!ok) {
        DH_LOAD_ERROR(c, v, "'%s' is not a supported %s file (use %s)", p,
                      kinds == DH_ASSET_IMAGE ? "image" : kinds == DH_ASSET_AUDIO ? "audio" : "asset",
                      kinds == DH_ASSET_IMAGE ? ".png or .jpg" : kinds == DH_ASSET_AUDIO ? ".ogg, .wav or .mp3"
                                                                                       : "a supported type");
        return NULL;
    }
    if (c->pkg && dh_package_find(c->pkg, p) < 0) {
        DH_LOAD_ERROR(c, v, "'%s' is not in the package", p);
        return NULL;
    }
    return dh_load_strdup(c, p);
}
