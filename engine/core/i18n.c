/* i18n: language tag checks against ICU's list of ISO 639 codes, and the
 * fallback order for localized text. */
#include "i18n.h"

#include <string.h>
#include <unicode/uloc.h>

static bool all(const char *s, size_t n, int (*pred)(int))
{
    for (size_t i = 0; i < n; i++)
        if (!pred((unsigned char)s[i])) return false;
    return true;
}
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return is_lower(c) || is_upper(c); }

static bool known_language(const char *lang, size_t n)
{
    /* ICU lists ISO 639-1 codes and 3-letter codes for languages without
     * one (e.g. "fil"); the list is static data, no allocation. */
    const char *const *list = uloc_getISOLanguages();
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, lang, n) == 0) return true;
    return false;
}

bool dh_lang_valid(const char *code)
{
    const char *p = code;
    size_t n = strcspn(p, "-");
    if (n < 2 || n > 3 || !all(p, n, is_lower) || !known_language(p, n)) return false;
    p += n;
    if (!*p) return true;
    p++;
    n = strcspn(p, "-");
    if (n == 4 && is_upper((unsigned char)p[0]) && all(p + 1, 3, is_lower)) {
        p += n;
        if (!*p) return true;
        p++;
        n = strcspn(p, "-");
    }
    if ((n == 2 && all(p, 2, is_upper)) || (n == 3 && all(p, 3, is_digit)))
        return p[n] == '\0';
    (void)is_alpha;
    return false;
}

static size_t lang_len(const char *tag)
{
    return strcspn(tag, "-");
}

static const char *find_exact(const dh_Text *t, const char *lang)
{
    for (int i = 0; i < t->count; i++)
        if (t->items[i].lang && strcmp(t->items[i].lang, lang) == 0) return t->items[i].text;
    return NULL;
}

static const char *find_language(const dh_Text *t, const char *lang)
{
    size_t n = lang_len(lang);
    for (int i = 0; i < t->count; i++) {
        const char *l = t->items[i].lang;
        if (l && lang_len(l) == n && strncmp(l, lang, n) == 0) return t->items[i].text;
    }
    return NULL;
}

const char *dh_text_get(const dh_Text *t, const char *lang, const char *fallback)
{
    if (!t || t->count == 0) return "";
    const char *s;
    if (lang && ((s = find_exact(t, lang)) || (s = find_language(t, lang)))) return s;
    for (int i = 0; i < t->count; i++)
        if (!t->items[i].lang) return t->items[i].text;
    if (fallback && ((s = find_exact(t, fallback)) || (s = find_language(t, fallback)))) return s;
    if ((s = find_language(t, "en"))) return s;
    return t->items[0].text;
}

bool dh_text_has(const dh_Text *t, const char *lang)
{
    if (!t) return false;
    for (int i = 0; i < t->count; i++)
        if (!t->items[i].lang || strcmp(t->items[i].lang, lang) == 0) return true;
    return false;
}
