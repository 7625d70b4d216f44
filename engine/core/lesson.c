/* lesson: parsing lesson files and the inline markup of their text.
 *
 * Inline markup is deliberately tiny: **strong**, *emphasis*, `code`, and a
 * backslash before * ` or \ for the literal character. There is no nesting
 * rule to learn beyond "close what you open"; an unclosed marker is an error,
 * because the trainee would otherwise see half a page in bold.
 */
#include "lesson.h"

#include <string.h>

/* ---- inline markup ------------------------------------------------------- */

dh_InlineError dh_inline_parse(const char *s, dh_InlineFn fn, void *ud, size_t *where)
{
    unsigned style = 0;
    size_t open_at[3] = {0, 0, 0}; /* where EM, STRONG, CODE were opened */
    size_t run = 0, i = 0;
#define FLUSH(end)                                                   \
    do {                                                             \
        if ((end) > run && fn) fn(ud, style, s + run, (end) - run);  \
    } while (0)
    while (s[i]) {
        char ch = s[i];
        if (ch == '\\') {
            char e = s[i + 1];
            if (e == '*' || e == '`' || e == '\\') {
                FLUSH(i);
                run = i + 1; /* the escaped character starts the next run */
                i += 2;
                continue;
            }
            i++; /* a lone backslash is literal */
            continue;
        }
        if (ch == '`') {
            FLUSH(i);
            style ^= DH_SPAN_CODE;
            open_at[2] = i;
            run = ++i;
            continue;
        }
        if (ch == '*' && !(style & DH_SPAN_CODE)) {
            FLUSH(i);
            if (s[i + 1] == '*') {
                style ^= DH_SPAN_STRONG;
                open_at[1] = i;
                i += 2;
            } else {
                style ^= DH_SPAN_EM;
                open_at[0] = i;
                i++;
            }
            run = i;
            continue;
        }
        i++;
    }
    FLUSH(i);
#undef FLUSH
    if (style) {
        if (where) {
            size_t w = SIZE_MAX;
            if (style & DH_SPAN_EM) w = open_at[0];
            if ((style & DH_SPAN_STRONG) && open_at[1] < w) w = open_at[1];
            if ((style & DH_SPAN_CODE) && open_at[2] < w) w = open_at[2];
            *where = w;
        }
        return DH_INLINE_UNCLOSED;
    }
    return DH_INLINE_OK;
}

/* Check the markup of every translation of a text value. */
static void check_markup_value(dh_LoadCtx *c, const cJSON *v)
{
    const cJSON *first = cJSON_IsObject(v) ? v->child : v;
    for (const cJSON *e = first; e; e = cJSON_IsObject(v) ? e->next : NULL) {
        size_t where = 0;
        if (!cJSON_IsString(e) || dh_inline_parse(e->valuestring, NULL, NULL, &where) == DH_INLINE_OK)
            continue;
        const char *s = e->valuestring;
        const char *marker = s[where] == '`' ? "`" : s[where + 1] == '*' ? "**" : "*";
        int line, col;
        dh_json_string_pos(c->doc, e, where, &line, &col);
        dh_diag(c->diags, DH_ERROR, c->doc->name, line, col,
                "'%s' is opened here but never closed; close it, or put a backslash before it for a "
                "literal %s (\"\\\\%c\" in JSON)",
                marker, marker[0] == '`' ? "backtick" : "asterisk", marker[0]);
    }
}

static void check_markup(dh_LoadCtx *c, const cJSON *obj, const char *key)
{
    check_markup_value(c, cJSON_GetObjectItemCaseSensitive(obj, key));
}

/* ---- blocks -------------------------------------------------------------- */

static const char *const block_types[] = {"heading", "paragraph", "list", "image",
                                          "callout", "keypoints", "acknowledge", NULL};
static const char *const callout_styles[] = {"tip", "warning", "policy", NULL};

static int lookup(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

static void text_items(dh_LoadCtx *c, const cJSON *obj, dh_Block *b)
{
    const cJSON *items = dh_json_get(c->doc, c->diags, obj, "items", DH_JSON_ARRAY, true);
    if (!items) return;
    int n = cJSON_GetArraySize(items);
    if (n == 0) {
        DH_LOAD_ERROR(c, items, "'items' must have at least one item");
        return;
    }
    dh_Text *v = dh_load_array(c, (size_t)n, sizeof *v);
    if (!v) return;
    int k = 0;
    for (const cJSON *it = items->child; it; it = it->next) {
        if (!dh_load_text_value(c, it, "a list item", &v[k])) continue;
        check_markup_value(c, it);
        k++;
    }
    b->items = v;
    b->nitems = k;
}

static void parse_block(dh_LoadCtx *c, const cJSON *obj, dh_Block *b, const char **ack_ids, int *nacks)
{
    if (!cJSON_IsObject(obj)) {
        DH_LOAD_ERROR(c, obj, "a block must be an object with a \"type\", not %s", dh_json_kind(obj));
        return;
    }
    const char *type = dh_json_string(c->doc, c->diags, obj, "type", true);
    if (!type) return;
    int t = lookup(type, block_types);
    if (t < 0) {
        DH_LOAD_ERROR(c, cJSON_GetObjectItemCaseSensitive(obj, "type"),
                      "unknown block type '%s' (use heading, paragraph, list, image, callout, keypoints or acknowledge)",
                      type);
        return;
    }
    b->type = (dh_BlockType)t;
    switch (b->type) {
    case DH_BLOCK_HEADING: {
        static const char *const known[] = {"type", "text", "level", NULL};
        dh_json_check_members(c->doc, c->diags, obj, known, "a heading block");
        dh_load_text(c, obj, "text", true, &b->text);
        b->level = (int)dh_json_int(c->doc, c->diags, obj, "level", 1, 1, 2, false);
        check_markup(c, obj, "text");
        break;
    }
    case DH_BLOCK_PARAGRAPH: {
        static const char *const known[] = {"type", "text", NULL};
        dh_json_check_members(c->doc, c->diags, obj, known, "a paragraph block");
        dh_load_text(c, obj, "text", true, &b->text);
        check_markup(c, obj, "text");
        break;
    }
    case DH_BLOCK_LIST: {
        static const char *const known[] = {"type", "ordered", "items", NULL};
        dh_json_check_members(c->doc, c->diags, obj, known, "a list block");
        b->ordered = dh_json_bool(c->doc, c->diags, obj, "ordered", false);
        text_items(c, obj, b);
        break;
    }
    case DH_BLOCK_IMAGE: {
        static const char *const known[] = {"type", "src", "alt", "caption", NULL};
        dh_json_check_members(c->doc, c->diags, obj, known, "an image block");
        b->src = dh_load_asset(c, obj, "src", true, DH_ASSET_IMAGE);
        if (!cJSON_GetObjectItemCaseSensitive(obj, "alt"))
            DH_LOAD_ERROR(c, obj, "an image needs 'alt': a description for trainees who cannot see it");
        else
            dh_load_text(c, obj, "alt", true, &b->alt);
        dh_load_text(c, obj, "caption", false, &b->caption);
        break;
    }
    case DH_BLOCK_CALLOUT: {
        static const char *const known[] = {"type", "style", "title", "text", NULL};
        dh_json_check_members(c->doc, c->diags, obj, known, "a callout block");
        const char *style = dh_json_string(c->doc, c->diags, obj, "style", false);
        if (style) {
            int s = lookup(style, callout_styles);
            if (s < 0)
                DH_LOAD_ERROR(c, cJSON_GetObjectItemCaseSensitive(obj, "style"),
                              "unknown callout style '%s' (use tip, warning or policy)", style);
            else
                b->style = (dh_CalloutStyle)s;
        }
        dh_load_text(c, obj, "title", false, &b->title);
        dh_load_text(c, obj, "text", true, &b->text);
        check_markup(c, obj, "text");
        break;
    }
    case DH_BLOCK_KEYPOINTS: {
        static const char *const known[] = {"type", "title", "items", NULL};
        dh_json_check_members(c->doc, c->diags, obj, known, "a keypoints block");
        dh_load_text(c, obj, "title", false, &b->title);
        text_items(c, obj, b);
        break;
    }
    case DH_BLOCK_ACKNOWLEDGE: {
        static const char *const known[] = {"type", "id", "text", NULL};
        dh_json_check_members(c->doc, c->diags, obj, known, "an acknowledge block");
        b->id = dh_json_id(c->doc, c->diags, obj, "id", true);
        dh_load_text(c, obj, "text", true, &b->text);
        if (b->id) {
            for (int i = 0; i < *nacks; i++)
                if (strcmp(ack_ids[i], b->id) == 0) {
                    DH_LOAD_ERROR(c, cJSON_GetObjectItemCaseSensitive(obj, "id"),
                                  "duplicate acknowledgement id '%s'", b->id);
                    return;
                }
            ack_ids[(*nacks)++] = b->id;
            b->id = dh_load_strdup(c, b->id);
        }
        break;
    }
    }
}

dh_Status dh_lesson_parse(dh_LoadCtx *c, const cJSON *root, dh_Lesson **out)
{
    static const char *const known[] = {"title", "pages", NULL};
    static const char *const page_known[] = {"title", "blocks", NULL};
    *out = NULL;
    if (!cJSON_IsObject(root)) {
        DH_LOAD_ERROR(c, root, "a lesson file must hold an object with \"title\" and \"pages\", not %s",
                      dh_json_kind(root));
        return DH_OK;
    }
    dh_Lesson *l = dh_load_array(c, 1, sizeof *l);
    if (!l) return DH_ENOMEM;
    dh_json_check_members(c->doc, c->diags, root, known, "a lesson");
    dh_load_text(c, root, "title", true, &l->title);
    const cJSON *pages = dh_json_get(c->doc, c->diags, root, "pages", DH_JSON_ARRAY, true);
    int npages = pages ? cJSON_GetArraySize(pages) : 0;
    if (pages && npages == 0) DH_LOAD_ERROR(c, pages, "a lesson needs at least one page");

    /* Acknowledgement ids seen so far; they point into the JSON tree. */
    int total_blocks = 0;
    for (const cJSON *p = pages ? pages->child : NULL; p; p = p->next) {
        const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(p, "blocks");
        if (cJSON_IsArray(blocks)) total_blocks += cJSON_GetArraySize(blocks);
    }
    const char **ack_ids = dh_load_array(c, (size_t)total_blocks, sizeof *ack_ids);
    dh_Page *pv = dh_load_array(c, (size_t)npages, sizeof *pv);
    if (!ack_ids || !pv) return DH_ENOMEM;
    int np = 0;
    for (const cJSON *p = pages ? pages->child : NULL; p; p = p->next) {
        if (!cJSON_IsObject(p)) {
            DH_LOAD_ERROR(c, p, "a page must be an object with \"blocks\", not %s", dh_json_kind(p));
            continue;
        }
        dh_json_check_members(c->doc, c->diags, p, page_known, "a page");
        dh_Page *page = &pv[np++];
        dh_load_text(c, p, "title", false, &page->title);
        const cJSON *blocks = dh_json_get(c->doc, c->diags, p, "blocks", DH_JSON_ARRAY, true);
        int nb = blocks ? cJSON_GetArraySize(blocks) : 0;
        if (blocks && nb == 0) DH_LOAD_ERROR(c, blocks, "a page needs at least one block");
        dh_Block *bv = dh_load_array(c, (size_t)nb, sizeof *bv);
        if (!bv) return DH_ENOMEM;
        int k = 0;
        for (const cJSON *b = blocks ? blocks->child : NULL; b; b = b->next) {
            parse_block(c, b, &bv[k++], ack_ids, &l->nacks);
            if (c->oom) return DH_ENOMEM;
        }
        page->blocks = bv;
        page->nblocks = k;
    }
    l->pages = pv;
    l->npages = np;
    *out = l;
    return c->oom ? DH_ENOMEM : DH_OK;
}
