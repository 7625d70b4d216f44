/* lesson: pages of blocks a trainee reads, and the inline markup inside them.
 *
 * A lesson is a list of pages; a page is a list of blocks (heading,
 * paragraph, list, image, callout, key points, acknowledgement). Text stays
 * as authored, with its light inline markup (*emphasis*, **strong**, `code`);
 * dh_inline_parse turns one translation into styled spans when it is drawn,
 * and the loader runs the same parser over every translation so that markup
 * mistakes are caught at lint time, not on a kiosk.
 */
#ifndef DH_LESSON_H
#define DH_LESSON_H

#include "course.h"
#include "load.h"

#include <stddef.h>

typedef enum dh_BlockType {
    DH_BLOCK_HEADING,
    DH_BLOCK_PARAGRAPH,
    DH_BLOCK_LIST,
    DH_BLOCK_IMAGE,
    DH_BLOCK_CALLOUT,
    DH_BLOCK_KEYPOINTS,
    DH_BLOCK_ACKNOWLEDGE
} dh_BlockType;

typedef enum dh_CalloutStyle { DH_CALLOUT_TIP, DH_CALLOUT_WARNING, DH_CALLOUT_POLICY } dh_CalloutStyle;

typedef struct dh_Block {
    dh_BlockType type;
    dh_Text text;          /* heading, paragraph, callout, acknowledge */
    dh_Text title;         /* callout, keypoints (optional) */
    int level;             /* heading: 1 or 2 */
    bool ordered;          /* list: numbered */
    const dh_Text *items;  /* list, keypoints */
    int nitems;
    const char *src;       /* image: asset path in the package */
    dh_Text alt, caption;  /* image: alt text (required), caption */
    dh_CalloutStyle style; /* callout */
    const char *id;        /* acknowledge: attestation id, unique in the lesson */
} dh_Block;

typedef struct dh_Page {
    dh_Text title;          /* optional */
    const dh_Block *blocks;
    int nblocks;
} dh_Page;

struct dh_Lesson {
    dh_Text title;
    const dh_Page *pages;
    int npages;
    int nacks; /* acknowledgement blocks in the whole lesson */
};

/* Parse a lesson file's root object into c's arena. DH_OK (problems in
 * c->diags) or DH_ENOMEM. */
dh_Status dh_lesson_parse(dh_LoadCtx *c, const cJSON *root, dh_Lesson **out);

/* Inline styles, combinable. */
enum { DH_SPAN_EM = 1, DH_SPAN_STRONG = 2, DH_SPAN_CODE = 4 };

/* Called for each run of text with one style; escapes split runs, so
 * consecutive calls may share a style. */
typedef void (*dh_InlineFn)(void *ud, unsigned style, const char *s, size_t n);

typedef enum dh_InlineError {
    DH_INLINE_OK,
    DH_INLINE_UNCLOSED,    /* a marker opened at *where is never closed */
    DH_INLINE_BAD_ESCAPE   /* a backslash at *where escapes nothing markup-related */
} dh_InlineError;

/* Split markup into styled runs (fn may be NULL to only check). Returns the
 * first problem and its byte offset in *where; on error the runs already
 * emitted are still valid text. Never allocates. */
dh_InlineError dh_inline_parse(const char *s, dh_InlineFn fn, void *ud, size_t *where);

#endif
