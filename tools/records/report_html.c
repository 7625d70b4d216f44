/* report_html: escaping and inline SVG charts for the records report.
 *
 * Every name, unit and title in a report comes from a kiosk keyboard or a
 * course file, and the report is opened in a browser: a trainee called
 * <script>... must appear as exactly that text and never run. report_text
 * is therefore the only way text enters the page; it also repairs broken
 * UTF-8 so one bad byte cannot make a browser guess another encoding. The
 * charts are plain SVG drawn from numbers, with their labels escaped the
 * same way, sized in viewBox units so they scale to the screen and to an
 * A4 page alike.
 */
#include "report.h"

#include "alloc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (1-4) and its code point, or 0. */
static int utf8_seq(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    int n;
    uint32_t c, min;
    if ((s[0] & 0xe0) == 0xc0) n = 2, c = s[0] & 0x1f, min = 0x80;
    else if ((s[0] & 0xf0) == 0xe0) n = 3, c = s[0] & 0x0f, min = 0x800;
    else if ((s[0] & 0xf8) == 0xf0) n = 4, c = s[0] & 0x07, min = 0x10000;
    else return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

void report_text(dh_Buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        const unsigned char *run = p;
        /* copy plain bytes in one go */
        while (*p >= 0x20 && *p < 0x7f && !strchr("&<>\"'", *p)) p++;
        if (p > run) dh_buf_add(b, (const char *)run, (size_t)(p - run));
        if (!*p) break;
        uint32_t cp;
        int n = utf8_seq(p, &cp);
        if (n == 0) {
            dh_buf_puts(b, REPLACEMENT);
            p++;
            continue;
        }
        switch (cp) {
        case '&': dh_buf_puts(b, "&amp;"); break;
        case '<': dh_buf_puts(b, "&lt;"); break;
        case '>': dh_buf_puts(b, "&gt;"); break;
        case '"': dh_buf_puts(b, "&quot;"); break;
        case '\'': dh_buf_puts(b, "&#39;"); break;
        case '\t':
        case '\n': dh_buf_add(b, " ", 1); break;
        default:
            if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) dh_buf_puts(b, REPLACEMENT);
            else dh_buf_add(b, (const char *)p, (size_t)n);
        }
        p += n;
    }
}

void report_bdi(dh_Buf *b, const char *s)
{
    dh_buf_puts(b, "<bdi>");
    report_text(b, s);
    dh_buf_puts(b, "</bdi>");
}

void report_number(dh_Buf *b, double v, int decimals)
{
    if (isnan(v)) dh_buf_puts(b, "\xe2\x80\x93");
    else dh_buf_printf(b, "%.*f", decimals, v);
}

void report_percent(dh_Buf *b, double v)
{
    report_number(b, v, 1);
    if (!isnan(v)) dh_buf_puts(b, "%");
}

void report_duration(dh_Buf *b, double ms)
{
    if (isnan(ms) || ms < 0) {
        dh_buf_puts(b, "\xe2\x80\x93");
        return;
    }
    long long s = (long long)llround(ms / 1000.0);
    if (s >= 3600) dh_buf_printf(b, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
    else if (s >= 60) dh_buf_printf(b, "%lld min", (s + 30) / 60);
    else dh_buf_printf(b, "%lld s", s);
}

/* ---- charts -------------------------------------------------------------------------- */

#define W 720.0       /* viewBox width */
#define LABEL_W 200.0 /* left column for bar labels */
#define BAR_H 18.0
#define GAP 6.0

/* A label that fits the label column: at most `max` code points, with an
 * ellipsis when cut (cut on a character boundary, never inside UTF-8). */
static void short_label(dh_Buf *b, const char *s, int max)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int count = 0;
    size_t len = 0;
    while (p[len] && count < max) {
        uint32_t cp;
        int n = utf8_seq(p + len, &cp);
        len += n ? (size_t)n : 1;
        count++;
    }
    char tmp[512];
    if (len >= sizeof tmp) len = sizeof tmp - 1;
    memcpy(tmp, s ? s : "", len);
    tmp[len] = '\0';
    report_text(b, tmp);
    if (p[len]) dh_buf_puts(b, "\xe2\x80\xa6");
}

void report_svg_hbars(dh_Buf *b, const char *title, const ReportBar *bars, int n, int nseg,
                      const char *const *legend, double max, const char *unit, const double *marks,
                      int nmarks)
{
    if (nseg > REPORT_SEGMENTS) nseg = REPORT_SEGMENTS;
    double plot = W - LABEL_W - 60.0;
    double legend_h = legend ? 24.0 : 0.0;
    double h = n * (BAR_H + GAP) + legend_h + 20.0;
    dh_buf_printf(b, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %.0f %.0f\">",
                  W, h);
    dh_buf_puts(b, "<title>");
    report_text(b, title);
    dh_buf_puts(b, "</title>");
    if (max <= 0) max = 1;
    for (int i = 0; i < n; i++) {
        double y = 4.0 + i * (BAR_H + GAP);
        dh_buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", LABEL_W - 8, y + BAR_H * 0.72);
        short_label(b, bars[i].label, 26);
        dh_buf_puts(b, "</text>");
        double x = LABEL_W, total = 0;
        for (int s = 0; s < nseg; s++) {
            double v = bars[i].seg[s];
            if (!(v > 0)) continue;
            double w = plot * v / max;
            dh_buf_printf(b, "<rect class=\"s%d\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"/>", s, x, y,
                          w, BAR_H);
            x += w;
            total += v;
        }
        dh_buf_printf(b, "<text class=\"val\" x=\"%.2f\" y=\"%.1f\">", x + 4, y + BAR_H * 0.72);
        report_number(b, total, strcmp(unit, "%") == 0 ? 1 : 0);
        report_text(b, unit);
        dh_buf_puts(b, "</text>");
    }
    double bottom = 4.0 + n * (BAR_H + GAP);
    for (int m = 0; m < nmarks; m++) {
        double x = LABEL_W + plot * marks[m] / max;
        dh_buf_printf(b, "<line class=\"mark\" x1=\"%.2f\" y1=\"0\" x2=\"%.2f\" y2=\"%.1f\"/>", x, x, bottom);
    }
    dh_buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.1f\"/>", LABEL_W, LABEL_W, bottom);
    if (legend) {
        double x = LABEL_W;
        for (int s = 0; s < nseg; s++) {
            dh_buf_printf(b, "<rect class=\"s%d\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\"/>", s, x,
                          bottom + 8);
            dh_buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\">", x + 14, bottom + 17);
            report_text(b, legend[s]);
            dh_buf_puts(b, "</text>");
            x += 14 + 8.0 * (double)strlen(legend[s]) + 18;
        }
    }
    dh_buf_puts(b, "</svg>\n");
}

void report_svg_histogram(dh_Buf *b, const char *title, const int *counts, int nbins, const char *xlabel)
{
    const double left = 40, top = 10, ph = 150, pw = W - left - 20;
    int max = 0;
    for (int i = 0; i < nbins; i++)
        if (counts[i] > max) max = counts[i];
    int ymax = max < 1 ? 1 : max;
    dh_buf_printf(b, "<svg class=\"chart hist\" role=\"img\" viewBox=\"0 0 %.0f %.0f\">",
                  W, top + ph + 44);
    dh_buf_puts(b, "<title>");
    report_text(b, title);
    dh_buf_puts(b, "</title>");
    double bw = pw / nbins;
    for (int i = 0; i < nbins; i++) {
        double h = ph * counts[i] / ymax;
        double x = left + i * bw;
        if (counts[i] > 0) {
            dh_buf_printf(b, "<rect class=\"s0\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>", x + 2,
                          top + ph - h, bw - 4, h);
            dh_buf_printf(b, "<text class=\"val\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%d</text>",
                          x + bw / 2, top + ph - h - 3, counts[i]);
        }
        dh_buf_printf(b, "<text class=\"lbl\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%d</text>", x,
                      top + ph + 14, i * 100 / nbins);
    }
    dh_buf_printf(b, "<text class=\"lbl\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">100</text>", left + pw,
                  top + ph + 14);
    dh_buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left, top + ph,
                  left + pw, top + ph);
    dh_buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left, top, left,
                  top + ph);
    dh_buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d</text>", left - 4,
                  top + 8, ymax);
    dh_buf_printf(b, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">0</text>", left - 4, top + ph);
    dh_buf_printf(b, "<text class=\"lbl\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">", left + pw / 2,
                  top + ph + 34);
    report_text(b, xlabel);
    dh_buf_puts(b, "</text></svg>\n");
}
