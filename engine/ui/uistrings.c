/* uistrings: loading the UI catalogs and looking strings up safely.
 *
 * Catalogs are written by translators, so they are content, not code: a
 * broken file, an unknown key or a translation whose "%d" became "%s" must
 * not crash a kiosk or leave a blank button. Each catalog is parsed once
 * into a sorted key/value array (binary search per lookup, dozens per
 * frame); a translation whose conversions differ from English is dropped
 * with a warning on stderr, and lookups fall back to English, then to the
 * key, so something readable is always drawn.
 */
#define _POSIX_C_SOURCE 200809L /* open, fsync, opendir */
#include "uistrings.h"

#include "alloc.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Entry {
    char *key;
    char *text;
} Entry;

typedef struct Catalog {
    char code[40];
    char *name;       /* the language's own name */
    Entry *entries;   /* sorted by key */
    int n;
} Catalog;

struct ui_Strings {
    Catalog *cats;    /* [0] is English */
    int n;
};

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const Entry *)a)->key, ((const Entry *)b)->key);
}

static const char *cat_get(const Catalog *c, const char *key)
{
    Entry probe = {(char *)key, NULL};
    const Entry *e = bsearch(&probe, c->entries, (size_t)c->n, sizeof *e, entry_cmp);
    return e ? e->text : NULL;
}

static void cat_free(Catalog *c)
{
    for (int i = 0; i < c->n; i++) {
        dh_free(c->entries[i].key);
        dh_free(c->entries[i].text);
    }
    dh_free(c->entries);
    dh_free(c->name);
    memset(c, 0, sizeof *c);
}

/* The conversions of a format as (argument index, type) pairs; false if
 * the format uses anything but %s, %d, %% and their %N$ forms, or mixes
 * positional and sequential arguments. types[i] is the type of argument i+1. */
static bool format_signature(const char *s, char types[16], int *nargs)
{
    int seq = 0, positional = -1;
    memset(types, 0, 16);
    *nargs = 0;
    for (const char *p = s; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        int idx;
        if (*p >= '1' && *p <= '9' && p[1] == '$') {
            if (positional == 0)
                return false;
            positional = 1;
            idx = *p - '1';
            p += 2;
        } else {
            if (positional == 1)
                return false;
            positional = 0;
            idx = seq++;
        }
        if ((*p != 's' && *p != 'd') || idx >= 16)
            return false;
        if (types[idx] && types[idx] != *p)
            return false;
        types[idx] = *p;
        if (idx + 1 > *nargs)
            *nargs = idx + 1;
    }
    for (int i = 0; i < *nargs; i++)
        if (!types[i])
            return false; /* an argument skipped: vsnprintf cannot know its type */
    return true;
}

static bool same_signature(const char *english, const char *text)
{
    char a[16], b[16];
    int na, nb;
    if (!format_signature(english, a, &na))
        return strchr(text, '%') == NULL; /* English has no usable conversions */
    if (!format_signature(text, b, &nb))
        return false;
    /* A translation may leave an argument out only if it is the last ones
     * (vsnprintf ignores extra arguments); types must agree where used. */
    if (nb > na)
        return false;
    return memcmp(a, b, (size_t)nb) == 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 16384;
            if (cap > (4u << 20)) {
                dh_free(buf);
                fclose(f);
                return NULL;
            }
            char *nb = dh_realloc(buf, cap);
            if (!nb) {
                dh_free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* Parse one catalog file into c. english (NULL while loading English) is
 * used to validate conversions. Returns a problem sentence or NULL. */
static const char *load_catalog(Catalog *c, const char *path, const Catalog *english)
{
    static char why[512];
    char *text = read_file(path);
    if (!text)
        return "cannot be read";
    cJSON *root = cJSON_Parse(text);
    dh_free(text);
    if (!root)
        return "is not valid JSON";
    const cJSON *lang = cJSON_GetObjectItemCaseSensitive(root, "language");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    const cJSON *strings = cJSON_GetObjectItemCaseSensitive(root, "strings");
    if (!cJSON_IsString(lang) || !cJSON_IsString(name) || !cJSON_IsObject(strings) ||
        strlen(lang->valuestring) >= sizeof c->code) {
        cJSON_Delete(root);
        return "needs \"language\", \"name\" (strings) and \"strings\" (an object)";
    }
    snprintf(c->code, sizeof c->code, "%s", lang->valuestring);
    c->name = dh_strdup(name->valuestring);
    int n = cJSON_GetArraySize(strings);
    c->entries = dh_calloc((size_t)(n ? n : 1), sizeof *c->entries);
    if (!c->name || !c->entries) {
        cJSON_Delete(root);
        return "out of memory";
    }
    for (const cJSON *it = strings->child; it; it = it->next) {
        if (!cJSON_IsString(it) || !it->string || !it->valuestring[0])
            continue;
        if (english) {
            const char *en = cat_get(english, it->string);
            if (!en)
                continue; /* a key English does not have: nothing asks for it */
            if (!same_signature(en, it->valuestring)) {
                fprintf(stderr, "drillhall: %s: \"%s\": the %% conversions differ from English's "
                        "\"%s\"; English is used instead\n", path, it->string, en);
                continue;
            }
        } else {
            char t[16];
            int na;
            if (!format_signature(it->valuestring, t, &na) && strchr(it->valuestring, '%')) {
                snprintf(why, sizeof why, "\"%s\" has a conversion other than %%s, %%d, %%%%",
                         it->string);
                cJSON_Delete(root);
                return why;
            }
        }
        Entry *e = &c->entries[c->n];
        e->key = dh_strdup(it->string);
        e->text = dh_strdup(it->valuestring);
        if (!e->key || !e->text) {
            dh_free(e->key);
            dh_free(e->text);
            cJSON_Delete(root);
            return "out of memory";
        }
        c->n++;
    }
    cJSON_Delete(root);
    qsort(c->entries, (size_t)c->n, sizeof *c->entries, entry_cmp);
    for (int i = 1; i < c->n; i++)
        if (strcmp(c->entries[i - 1].key, c->entries[i].key) == 0)
            return "has a key twice";
    return NULL;
}

static int cat_cmp(const void *a, const void *b)
{
    return strcmp(((const Catalog *)a)->code, ((const Catalog *)b)->code);
}

dh_Status ui_strings_load(ui_Strings **out, const char *dir, dh_Error *err)
{
    *out = NULL;
    char path[4096];
    ui_Strings *s = dh_calloc(1, sizeof *s);
    if (!s)
        return dh_fail(err, DH_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/en.json", dir);
    Catalog en = {0};
    const char *why = load_catalog(&en, path, NULL);
    if (why) {
        cat_free(&en);
        dh_free(s);
        return dh_fail(err, DH_EIO, "the English UI strings %s %s; reinstall the player's assets",
                       path, why);
    }
    DIR *d = opendir(dir);
    int cap = 8;
    s->cats = dh_calloc((size_t)cap, sizeof *s->cats);
    if (!s->cats || !d) {
        if (d)
            closedir(d);
        cat_free(&en);
        dh_free(s->cats);
        dh_free(s);
        return dh_fail(err, DH_EIO, "cannot list the UI strings in %s", dir);
    }
    s->cats[s->n++] = en;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0 || strcmp(de->d_name, "en.json") == 0)
            continue;
        if (s->n == cap) {
            Catalog *nc = dh_realloc(s->cats, (size_t)cap * 2 * sizeof *nc);
            if (!nc)
                break;
            s->cats = nc;
            cap *= 2;
        }
        Catalog c = {0};
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        why = load_catalog(&c, path, &s->cats[0]);
        if (why || ui_strings_find(s, c.code) >= 0) {
            fprintf(stderr, "drillhall: %s %s; this language is not offered\n", path,
                    why ? why : "repeats a language already loaded");
            cat_free(&c);
            continue;
        }
        s->cats[s->n++] = c;
    }
    closedir(d);
    qsort(s->cats + 1, (size_t)(s->n - 1), sizeof *s->cats, cat_cmp);
    *out = s;
    return DH_OK;
}

void ui_strings_free(ui_Strings *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        cat_free(&s->cats[i]);
    dh_free(s->cats);
    dh_free(s);
}

int ui_strings_count(const ui_Strings *s) { return s->n; }
const char *ui_strings_code(const ui_Strings *s, int i) { return s->cats[i].code; }
const char *ui_strings_name(const ui_Strings *s, int i) { return s->cats[i].name; }

int ui_strings_find(const ui_Strings *s, const char *lang)
{
    if (!lang || !lang[0])
        return -1;
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->cats[i].code, lang) == 0)
            return i;
    size_t pl = strcspn(lang, "-_");
    for (int i = 0; i < s->n; i++)
        if (strncmp(s->cats[i].code, lang, pl) == 0 &&
            (s->cats[i].code[pl] == '\0' || s->cats[i].code[pl] == '-'))
            return i;
    return -1;
}

const char *ui_strings_get(const ui_Strings *s, const char *lang, const char *key)
{
    int i = ui_strings_find(s, lang);
    const char *t = i > 0 ? cat_get(&s->cats[i], key) : NULL;
    if (!t)
        t = cat_get(&s->cats[0], key);
    return t ? t : key;
}

const char *ui_strings_vformat(const ui_Strings *s, const char *lang, char *buf, size_t size,
                               const char *key, va_list ap)
{
    const char *fmt = ui_strings_get(s, lang, key);
    if (fmt == key) { /* unknown key: never use it as a format */
        snprintf(buf, size, "%s", key);
        return buf;
    }
    vsnprintf(buf, size, fmt, ap);
    return buf;
}
