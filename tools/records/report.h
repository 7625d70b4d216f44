/* report: the pieces `drillhall-records report` builds its HTML from.
 *
 * The report is one self-contained file an officer can mail, open offline
 * or print to PDF for leadership, so everything it shows is written here:
 * text escaped for HTML (every string in it came from a kiosk, where anyone
 * could type a name), and charts as inline SVG (no script, no font, no
 * image fetched from anywhere). cmd_report.c gathers the figures and lays
 * out the sections; report_html.c knows HTML and SVG and nothing about
 * records.
 */
#ifndef DH_RECORDS_REPORT_H
#define DH_RECORDS_REPORT_H

#include "buf.h"

#include <stdbool.h>

/* `drillhall-records report ...` (cmd_report.c): argv[0] is "report". */
int cmd_report(int argc, char **argv);

/* Append s as HTML text: & < > " ' become entities, invalid UTF-8 and
 * control characters become U+FFFD, so nothing in s can open a tag, end an
 * attribute or break the page's encoding. */
void report_text(dh_Buf *b, const char *s);
/* report_text wrapped in <bdi>, so a right-to-left name (or a planted
 * U+202E override) cannot reorder the text around it. */
void report_bdi(dh_Buf *b, const char *s);
/* Append a number with one decimal and "%", or an en dash when v is NAN. */
void report_percent(dh_Buf *b, double v);
/* Append a number with `decimals` decimals, or an en dash when v is NAN. */
void report_number(dh_Buf *b, double v, int decimals);
/* Append a duration in ms as "2 h 05 min", "12 min", "45 s". */
void report_duration(dh_Buf *b, double ms);

/* One bar of a chart: a label (escaped when drawn) and up to five stacked
 * segments. */
#define REPORT_SEGMENTS 5
typedef struct ReportBar {
    const char *label;
    double seg[REPORT_SEGMENTS];
} ReportBar;

/* Horizontal bars, one per entry, segments stacked left to right with the
 * classes "s0".."s4" (colours in the page's CSS) and a legend naming them;
 * `max` is the value of a full-width bar; `unit` follows each total ("%" or
 * ""). marks (NULL-terminated, may be NULL) draws dashed lines at values, as
 * thresholds. */
void report_svg_hbars(dh_Buf *b, const char *title, const ReportBar *bars, int n, int nseg,
                      const char *const *legend, double max, const char *unit, const double *marks,
                      int nmarks);
/* A histogram of counts in nbins equal bins from 0 to 100 (%), with axis
 * labels; title is the chart's accessible name. */
void report_svg_histogram(dh_Buf *b, const char *title, const int *counts, int nbins,
                          const char *xlabel);

#endif
