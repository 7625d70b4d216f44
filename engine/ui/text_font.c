/* text_font: finding the fonts for every partner nation's script.
 *
 * Debian's fonts-noto-core and fonts-noto-cjk put one file per script under
 * /usr/share/fonts, named after the script ("NotoSansKhmer-Bold.ttf"), so a
 * chain for a script is mostly a matter of names: ICU's long script name gives
 * the file, a few scripts get hand-picked families (CJK lives in one .ttc with
 * a face per region, and the region decides how a Han character is drawn).
 * Directories are scanned once, lazily, from the known Debian paths and the
 * directories fontconfig reads by default. Instances (a face at a size) are
 * opened on first use and kept in a small LRU; a face that fails to open is
 * marked broken and skipped, so a missing package degrades to the next font
 * in the chain and finally to a visible box, never to lost text.
 */
#define _POSIX_C_SOURCE 200809L

#include "text_impl.h"

#include "alloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Known places first: a name found here wins over the same name elsewhere. */
static const char *const known_dirs[] = {
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/dejavu",
    NULL,
};

/* ---- scanning ------------------------------------------------------------ */

static bool has_font_ext(const char *n)
{
    size_t l = strlen(n);
    if (l < 5) return false;
    const char *e = n + l - 4;
    return strcmp(e, ".ttf") == 0 || strcmp(e, ".ttc") == 0 || strcmp(e, ".otf") == 0 ||
           strcmp(e, ".TTF") == 0 || strcmp(e, ".OTF") == 0 || strcmp(e, ".TTC") == 0;
}

static const char *find_file(ui_Text *t, const char *name);

static void add_file(ui_Text *t, int *cap, const char *dir, const char *name)
{
    for (int i = 0; i < t->nfiles; i++)
        if (strcmp(t->files[i].name, name) == 0) return; /* first one wins */
    if (t->nfiles == *cap) {
        int ncap = *cap ? *cap * 2 : 256;
        FontFile *nf = dh_realloc(t->files, (size_t)ncap * sizeof *nf);
        if (!nf) return;
        t->files = nf;
        *cap = ncap;
    }
    size_t lp = strlen(dir) + 1 + strlen(name) + 1;
    char *path = dh_malloc(lp);
    char *nm = dh_strdup(name);
    if (!path || !nm) {
        dh_free(path);
        dh_free(nm);
        return;
    }
    snprintf(path, lp, "%s/%s", dir, name);
    t->files[t->nfiles].name = nm;
    t->files[t->nfiles].path = path;
    t->nfiles++;
}

static void scan_dir(ui_Text *t, int *cap, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (has_font_ext(e->d_name)) {
            add_file(t, cap, dir, e->d_name);
            continue;
        }
        if (depth <= 0) continue;
        char sub[1024];
        int n = snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        if (n <= 0 || (size_t)n >= sizeof sub) continue;
        struct stat st;
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) scan_dir(t, cap, sub, depth - 1);
    }
    closedir(d);
}

/* Index every font file once: known Debian directories, then what fontconfig
 * reads by default (system, local, per-user), then DRILLHALL_FONT_DIR. */
static void scan(ui_Text *t)
{
    if (t->scanned) return;
    t->scanned = true;
    int cap = 0;
    const char *extra = getenv("DRILLHALL_FONT_DIR");
    if (extra && *extra) scan_dir(t, &cap, extra, 3);
    for (int i = 0; known_dirs[i]; i++) scan_dir(t, &cap, known_dirs[i], 0);
    scan_dir(t, &cap, "/usr/share/fonts", 4);
    scan_dir(t, &cap, "/usr/local/share/fonts", 4);
    const char *home = getenv("HOME");
    const char *xdg = getenv("XDG_DATA_HOME");
    char p[1024];
    if (xdg && *xdg) {
        snprintf(p, sizeof p, "%s/fonts", xdg);
        scan_dir(t, &cap, p, 4);
    }
    if (home && *home) {
        snprintf(p, sizeof p, "%s/.local/share/fonts", home);
        scan_dir(t, &cap, p, 4);
        snprintf(p, sizeof p, "%s/.fonts", home);
        scan_dir(t, &cap, p, 4);
    }
}

static const char *find_file(ui_Text *t, const char *name)
{
    scan(t);
    for (int i = 0; i < t->nfiles; i++)
        if (strcmp(t->files[i].name, name) == 0) return t->files[i].path;
    return NULL;
}

/* ---- faces --------------------------------------------------------------- */

static int face_of(ui_Text *t, const char *path, const void *mem, size_t memlen, long index, int synth,
                   bool course, unsigned variant)
{
    for (int i = 0; i < t->nfaces; i++) {
        Face *f = &t->faces[i];
        if (f->index == index && f->synth == synth && f->mem == mem && f->course == course &&
            ((path && f->path && strcmp(f->path, path) == 0) || (!path && !f->path)))
            return i;
    }
    if (t->nfaces == MAX_FACES) return -1;
    Face *f = &t->faces[t->nfaces];
    memset(f, 0, sizeof *f);
    if (path) {
        f->path = dh_strdup(path);
        if (!f->path) return -1;
    }
    f->mem = mem;
    f->memlen = memlen;
    f->index = index;
    f->synth = synth;
    f->course = course;
    f->variant = variant;
    f->region = -1;
    return t->nfaces++;
}

int font_add_memory(ui_Text *t, const void *data, size_t len, const char *name)
{
    unsigned v = 0;
    if (name && (strstr(name, "Bold") || strstr(name, "bold"))) v |= 1;
    if (name && (strstr(name, "Italic") || strstr(name, "italic") || strstr(name, "Oblique"))) v |= 2;
    int f = face_of(t, NULL, data, len, 0, 0, true, v);
    if (f < 0) return -1;
    /* Probe it now: a course font that does not open must fail here, where
     * the caller can report it, not silently at draw time. */
    SDL_RWops *rw = SDL_RWFromConstMem(data, (int)len);
    TTF_Font *font = rw ? TTF_OpenFontIndexRW(rw, 1, 16, 0) : NULL;
    if (!font) {
        t->faces[f].broken = true;
        return -1;
    }
    TTF_CloseFont(font);
    t->nchains = 0; /* chains now start with this font */
    return f;
}

/* ---- instances ----------------------------------------------------------- */

static const char *const cjk_names[] = {"JP", "KR", "SC", "TC", "HK"};

/* For a .ttc, make sure face->index is the region we asked for: the order of
 * faces in Noto's collections has changed between releases. */
static void check_cjk_index(Face *f, TTF_Font **font, int size, int want)
{
    if (want < 0 || !f->path || !strstr(f->path, ".ttc")) return;
    char expect[40];
    snprintf(expect, sizeof expect, "CJK %s", cjk_names[want]);
    const char *fam = TTF_FontFaceFamilyName(*font);
    if (fam && strstr(fam, expect) && !strstr(fam, "Mono")) return;
    for (long i = 0; i < 16; i++) {
        TTF_Font *probe = TTF_OpenFontIndex(f->path, size, i);
        if (!probe) break;
        fam = TTF_FontFaceFamilyName(probe);
        if (fam && strstr(fam, expect) && !strstr(fam, "Mono")) {
            TTF_CloseFont(*font);
            *font = probe;
            f->index = i;
            return;
        }
        TTF_CloseFont(probe);
    }
}

TTF_Font *font_get(ui_Text *t, int face, int size)
{
    if (face < 0 || face >= t->nfaces || size <= 0) return NULL;
    Face *f = &t->faces[face];
    if (f->broken) return NULL;
    Instance *lru = NULL;
    for (int i = 0; i < MAX_INSTANCES; i++) {
        Instance *in = &t->inst[i];
        if (in->font && in->face == face && in->size == size) {
            in->used = ++t->clock;
            return in->font;
        }
        if (!lru || !in->font || (lru->font && in->used < lru->used)) lru = in;
    }
    TTF_Font *font = NULL;
    if (f->mem) {
        SDL_RWops *rw = SDL_RWFromConstMem(f->mem, (int)f->memlen);
        if (rw) font = TTF_OpenFontIndexRW(rw, 1, size, f->index);
    } else {
        font = TTF_OpenFontIndex(f->path, size, f->index);
        if (font) {
            if (f->region >= 0 && !f->checked) {
                check_cjk_index(f, &font, size, f->region);
                f->checked = true;
            }
        }
    }
    if (!font) {
        f->broken = true;
        return NULL;
    }
    if (f->synth) TTF_SetFontStyle(font, f->synth);
    /* Light hinting: FreeType's light auto-hinter instead of each font's
     * TrueType bytecode, which was a quarter of the player's start-up
     * (callgrind: TT_RunIns) and makes no visible difference at UI sizes on
     * the anti-aliased renderer. */
    TTF_SetFontHinting(font, TTF_HINTING_LIGHT);
    if (lru->font) {
        TTF_CloseFont(lru->font);
        t->evictions++;
    }
    lru->font = font;
    lru->face = (uint16_t)face;
    lru->size = size;
    lru->used = ++t->clock;
    return font;
}

void font_close_all(ui_Text *t)
{
    for (int i = 0; i < MAX_INSTANCES; i++) {
        if (t->inst[i].font) TTF_CloseFont(t->inst[i].font);
        t->inst[i].font = NULL;
    }
    for (int i = 0; i < t->nfaces; i++) dh_free(t->faces[i].path);
    t->nfaces = 0;
    for (int i = 0; i < t->nfiles; i++) {
        dh_free(t->files[i].name);
        dh_free(t->files[i].path);
    }
    dh_free(t->files);
    t->files = NULL;
    t->nfiles = 0;
    t->nchains = 0;
}

/* ---- chains -------------------------------------------------------------- */

/* A family as file names per variant: regular, bold, italic, bold italic. */
typedef struct Family {
    const char *file[4];
} Family;

static void chain_add(Chain *c, int face)
{
    if (face < 0 || c->n == MAX_CHAIN) return;
    for (int i = 0; i < c->n; i++)
        if (c->faces[i] == face) return;
    c->faces[c->n++] = (uint16_t)face;
}

/* Add the member of fam closest to the variant, asking SDL_ttf to synthesise
 * the italic or bold the family lacks. region: the CJK region a collection's
 * face index stands for (-1: not a CJK collection). */
static void add_family_r(ui_Text *t, Chain *c, const Family *fam, unsigned variant, long index, int region)
{
    unsigned want = variant & 3;
    /* Preference: exact; drop italic (synthesise it); drop bold (synthesise). */
    static const unsigned order[4][4] = {{0, 9, 9, 9}, {1, 0, 9, 9}, {2, 0, 9, 9}, {3, 1, 2, 0}};
    for (int k = 0; k < 4; k++) {
        unsigned have = order[want][k];
        if (have > 3 || !fam->file[have]) continue;
        const char *path = find_file(t, fam->file[have]);
        if (!path) continue;
        int synth = 0;
        unsigned missing = want & ~have;
        if (missing & 1) synth |= TTF_STYLE_BOLD;
        if (missing & 2) synth |= TTF_STYLE_ITALIC;
        int f = face_of(t, path, NULL, 0, index, synth, false, 0);
        if (f >= 0 && region >= 0 && strstr(path, ".ttc")) t->faces[f].region = region;
        chain_add(c, f);
        return;
    }
}

static void add_family(ui_Text *t, Chain *c, const Family *fam, unsigned variant, long index)
{
    add_family_r(t, c, fam, variant, index, -1);
}

static void add_named(ui_Text *t, Chain *c, const char *prefix, const char *name, unsigned variant)
{
    char r[128], b[128];
    snprintf(r, sizeof r, "%s%s-Regular.ttf", prefix, name);
    snprintf(b, sizeof b, "%s%s-Bold.ttf", prefix, name);
    Family fam = {{r, b, NULL, NULL}};
    add_family(t, c, &fam, variant, 0);
    snprintf(r, sizeof r, "%s%s-Regular.otf", prefix, name);
    snprintf(b, sizeof b, "%s%s-Bold.otf", prefix, name);
    add_family(t, c, &fam, variant, 0);
}

static const Family noto_sans = {{"NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf",
                                  "NotoSans-BoldItalic.ttf"}};
static const Family dejavu_sans = {{"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                                    "DejaVuSans-BoldOblique.ttf"}};
static const Family mono[] = {
    {{"NotoSansMono-Regular.ttf", "NotoSansMono-Bold.ttf", NULL, NULL}},
    {{"DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-Oblique.ttf",
      "DejaVuSansMono-BoldOblique.ttf"}},
    {{"LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf", "LiberationMono-Italic.ttf",
      "LiberationMono-BoldItalic.ttf"}},
};

static void add_cjk(ui_Text *t, Chain *c, unsigned variant, int cjk)
{
    static const char *const lower[] = {"jp", "kr", "sc", "tc", "hk"};
    Family ttc = {{"NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", NULL, NULL}};
    add_family_r(t, c, &ttc, variant, cjk, cjk);
    char r[64], b[64];
    snprintf(r, sizeof r, "NotoSansCJK%s-Regular.otf", lower[cjk]);
    snprintf(b, sizeof b, "NotoSansCJK%s-Bold.otf", lower[cjk]);
    Family otf = {{r, b, NULL, NULL}};
    add_family(t, c, &otf, variant, 0);
    /* another region's face still beats a box */
    for (int i = 0; i < 5; i++)
        if (i != cjk) add_family_r(t, c, &ttc, variant, i, i);
}

static bool is_cjk_script(int s)
{
    return s == USCRIPT_HAN || s == USCRIPT_HIRAGANA || s == USCRIPT_KATAKANA || s == USCRIPT_HANGUL ||
           s == USCRIPT_BOPOMOFO || s == USCRIPT_KATAKANA_OR_HIRAGANA || s == USCRIPT_JAPANESE ||
           s == USCRIPT_KOREAN || s == USCRIPT_SIMPLIFIED_HAN || s == USCRIPT_TRADITIONAL_HAN;
}

int font_cjk_flavour(const char *lang, int script)
{
    if (lang) {
        char l[4] = {0};
        size_t n = strcspn(lang, "-_");
        if (n < sizeof l) memcpy(l, lang, n);
        if (strcmp(l, "ja") == 0) return 0;
        if (strcmp(l, "ko") == 0) return 1;
        if (strcmp(l, "zh") == 0 || strcmp(l, "yue") == 0) {
            if (strstr(lang, "Hant") || strstr(lang, "TW") || strstr(lang, "MO")) return 3;
            if (strstr(lang, "HK")) return 4;
            return strcmp(l, "yue") == 0 ? 4 : 2;
        }
    }
    if (script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA) return 0;
    if (script == USCRIPT_HANGUL) return 1;
    if (script == USCRIPT_BOPOMOFO) return 3;
    return 2;
}

static void build_chain(ui_Text *t, Chain *c)
{
    unsigned v = c->variant;
    int s = c->script;
    /* course fonts first: the exact variant, then any (synthesised) */
    for (int i = 0; i < t->nfaces; i++) {
        Face *f = &t->faces[i];
        if (f->course && !f->broken && f->variant == (v & 3)) chain_add(c, i);
    }
    for (int i = 0; i < t->nfaces && i < MAX_FACES; i++) {
        Face *f = &t->faces[i];
        if (!f->course || f->broken || f->variant != 0 || f->synth) continue;
        int synth = ((v & 1) ? TTF_STYLE_BOLD : 0) | ((v & 2) ? TTF_STYLE_ITALIC : 0);
        chain_add(c, synth ? face_of(t, NULL, f->mem, f->memlen, 0, synth, true, 0) : i);
    }
    if (v & 4)
        for (size_t i = 0; i < sizeof mono / sizeof mono[0]; i++) add_family(t, c, &mono[i], v, 0);

    if (is_cjk_script(s)) {
        add_cjk(t, c, v, c->cjk);
    } else if (s == USCRIPT_THAI) {
        add_named(t, c, "NotoSans", "Thai", v);
        add_named(t, c, "NotoSans", "ThaiUI", v);
        add_named(t, c, "NotoSerif", "Thai", v);
        add_named(t, c, "NotoLooped", "Thai", v);
    } else if (s == USCRIPT_LAO) {
        add_named(t, c, "NotoSans", "Lao", v);
        add_named(t, c, "NotoSans", "LaoUI", v);
        add_named(t, c, "NotoSerif", "Lao", v);
        add_named(t, c, "NotoLooped", "Lao", v);
    } else if (s != USCRIPT_LATIN && s != USCRIPT_COMMON && s != USCRIPT_INHERITED && s != USCRIPT_GREEK &&
               s != USCRIPT_CYRILLIC && s != USCRIPT_UNKNOWN) {
        /* Noto names its files after ICU's long script names, without the
         * underscores: "Canadian_Aboriginal" -> NotoSansCanadianAboriginal. */
        char name[64];
        const char *n = uscript_getName((UScriptCode)s);
        size_t k = 0;
        for (; n && *n && k + 1 < sizeof name; n++)
            if (*n != '_' && *n != ' ') name[k++] = *n;
        name[k] = 0;
        if (k) {
            add_named(t, c, "NotoSans", name, v);
            add_named(t, c, "NotoSans", name, v & 1); /* an italic-less script */
            char ui[72];
            snprintf(ui, sizeof ui, "%sUI", name);
            add_named(t, c, "NotoSans", ui, v);
            add_named(t, c, "NotoSerif", name, v);
            if (s == USCRIPT_ARABIC) add_named(t, c, "NotoNaskh", name, v);
            if (s == USCRIPT_HEBREW) add_named(t, c, "NotoRashi", name, v);
        }
    }
    /* the common tail: Latin and punctuation, symbols, then everything else */
    add_family(t, c, &noto_sans, v, 0);
    add_named(t, c, "NotoSans", "Symbols", 0);
    add_named(t, c, "NotoSans", "Symbols2", 0);
    add_named(t, c, "NotoSans", "Math", 0);
    add_family(t, c, &dejavu_sans, v, 0);
    if (!is_cjk_script(s)) add_cjk(t, c, v & 1, c->cjk);
}

const Chain *font_chain(ui_Text *t, int script, unsigned variant, int cjk)
{
    if (!is_cjk_script(script)) cjk = cjk < 0 ? 2 : cjk;
    for (int i = 0; i < t->nchains; i++) {
        Chain *c = &t->chains[i];
        if (c->script == script && c->variant == variant && c->cjk == cjk) return c;
    }
    if (t->nchains == MAX_CHAINS) t->nchains = 0; /* rebuilt on demand */
    Chain *c = &t->chains[t->nchains++];
    memset(c, 0, sizeof *c);
    c->script = script;
    c->variant = variant;
    c->cjk = cjk;
    build_chain(t, c);
    return c;
}

int font_primary(ui_Text *t, unsigned variant)
{
    const Chain *c = font_chain(t, USCRIPT_LATIN, variant & 3, 2);
    for (int i = 0; i < c->n; i++)
        if (!t->faces[c->faces[i]].course) return c->faces[i];
    return c->n ? c->faces[0] : -1;
}
