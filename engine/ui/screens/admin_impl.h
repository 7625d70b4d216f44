/* admin_impl: what the admin screen's two files share (admin.c: the shell,
 * summary and settings; admin_media.c: installing from and exporting to
 * removable media). Nobody else includes it.
 */
#ifndef UI_ADMIN_IMPL_H
#define UI_ADMIN_IMPL_H

#include "screens.h"

#include "admin.h"
#include "install.h"

enum { ADMIN_SUMMARY, ADMIN_INSTALL, ADMIN_EXPORT, ADMIN_SETTINGS, ADMIN_TABS };

typedef struct ui_Admin {
    ui_Screen base;
    ui_App *app;                  /* for tasks and progress callbacks */
    int tab;                      /* ADMIN_* */
    /* install */
    char folder[1024];            /* where to look (kiosk.json "medium" or typed) */
    bool scanned;                 /* list holds the last scan */
    dh_InstallList list;
    char scan_error[700];         /* "" or why the folder could not be read */
    bool confirm_install;         /* "Install N packages?" is showing */
    char (*results)[900];         /* one line per package of the last install */
    bool *result_ok;
    int nresults;
    /* export */
    char out_dir[1024];
    bool export_all;              /* every statement, not only new ones */
    bool exporting;               /* the task is running: draw the bar */
    int64_t done, total;          /* statements written / to write */
    uint64_t drawn_at;            /* SDL_GetTicks64 of the last progress frame */
    char export_msg[1400];        /* "" or the last result in words */
    bool export_ok;
    /* settings */
    char pin1[DH_ADMIN_PIN_MAX * 4 + 1], pin2[DH_ADMIN_PIN_MAX * 4 + 1];
    char settings_msg[400];
    bool settings_bad;
    bool confirm_leave;
} ui_Admin;

/* The install and export tabs: draw from y within width w, return the y
 * below what was drawn. */
int ui_admin_install_tab(ui_Admin *a, ui_App *app, int x, int y, int w);
int ui_admin_export_tab(ui_Admin *a, ui_App *app, int x, int y, int w);
/* Free what the install tab holds. */
void ui_admin_media_free(ui_Admin *a);
/* Log an admin action (errors go to stderr: the action itself happened). */
void ui_admin_log(ui_App *app, const char *action, dh_AdminOutcome o, const char *detail);
/* A message box (danger or success colours); returns its height + gap. */
int ui_admin_message(ui_App *app, const char *msg, bool bad, int x, int y, int w);

#endif
