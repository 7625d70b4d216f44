/* install: course packages from removable media into the kiosk.
 *
 * A training officer brings a USB stick holding packages (course.zip and
 * course.zip.minisig). The admin screen lists what is there with a verdict
 * per package (id, version, who signed it, what is wrong), and installs the
 * approved ones into DATA/packages. Only a package signed by a trusted key
 * and whose course loads without errors is installed, and what is verified
 * is what is installed: the zip and its signature are copied to hidden
 * temporary files beside their final names, the COPY is verified again
 * (dh_package_open_verified), synced, and renamed in (signature first, so
 * a power cut never leaves a new zip beside an old signature that would
 * make it look tampered). Installed files are named <id>-<version>.zip, so
 * a new version lands beside the old one.
 *
 * Supersede rule: a newer version takes every new attempt; an older version
 * stays installed while any trainee's current attempt at it is in progress
 * (the store knows), so they can finish what they started, and is removed
 * by the first install (or prune) after the last of them finished.
 */
#ifndef DH_INSTALL_H
#define DH_INSTALL_H

#include "error.h"
#include "kiosk.h"
#include "package.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>

#define DH_INSTALL_DIR "packages"    /* under the data directory */
#define DH_INSTALL_MAX_PACKAGES 256  /* packages listed from one folder */

typedef enum dh_InstallState {
    DH_INSTALL_NEW,     /* the course is not on this kiosk: installable */
    DH_INSTALL_UPGRADE, /* newer than the installed version: installable */
    DH_INSTALL_SAME,    /* exactly this package is installed already: nothing to do */
    DH_INSTALL_REFUSED  /* cannot be installed: problem says why */
} dh_InstallState;

typedef struct dh_InstallItem {
    char file[256];                      /* the zip's name in the folder */
    char path[DH_STORE_PATH_MAX];        /* its full path */
    char course_id[DH_COURSE_ID_SIZE];   /* "" when the package cannot be read */
    char version[DH_VERSION_SIZE];
    char title[256];                     /* in the course's first language */
    dh_PackageSigner signer;             /* trust verdict, key id, why */
    char signer_name[128];               /* SIGNED: the trusted key's name (file) */
    dh_InstallState state;
    char installed_version[DH_VERSION_SIZE]; /* newest installed version of the course, "" */
    char problem[700];                   /* REFUSED: a sentence for the officer */
} dh_InstallItem;

typedef struct dh_InstallList {
    dh_InstallItem *items; /* sorted by file name */
    int n;
} dh_InstallList;

/* The installed courses, as read from packages_dir. */
typedef struct dh_Installed {
    char file[256];
    char course_id[DH_COURSE_ID_SIZE];
    char version[DH_VERSION_SIZE];
    int semver[3];
    char sha256[65];
} dh_Installed;

/* List the *.zip files of folder (not hidden, regular files) and give each
 * a verdict against the trusted keys and what packages_dir holds. An
 * unreadable folder is an error (DH_ENOTFOUND / DH_EIO with a sentence);
 * a bad package is an item with state REFUSED. Free with
 * dh_install_list_free. */
dh_Status dh_install_scan(dh_InstallList *out, const char *folder, const char *packages_dir,
                          const dh_TrustedKeys *keys, dh_Error *err);
void dh_install_list_free(dh_InstallList *l);

typedef struct dh_InstallResult {
    bool installed;                  /* the package is now in packages_dir */
    char dest[DH_STORE_PATH_MAX];    /* its installed path */
    int removed;                     /* older versions removed (no attempt needed them) */
    int kept;                        /* older versions kept for unfinished attempts */
    char note[512];                  /* "" or what happened to older versions */
} dh_InstallResult;

/* Install item (from dh_install_scan, state NEW or UPGRADE) into
 * packages_dir (created if missing), then apply the supersede rule to the
 * course's older versions. The result and any failure are logged in the
 * store's admin log ("install", at now_ms). A package that changed on the
 * medium since the scan, or whose copy does not verify, is refused
 * (DH_ESIG) and nothing is left behind. */
dh_Status dh_install_one(const dh_InstallItem *item, const char *packages_dir,
                         const dh_TrustedKeys *keys, dh_Store *store, int64_t now_ms,
                         dh_InstallResult *res, dh_Error *err);

/* Remove the installed versions of course_id older than its newest one
 * that no trainee's current attempt is in the middle of (course_id NULL:
 * every course). *removed / *kept (may be NULL) count them. */
dh_Status dh_install_prune(const char *packages_dir, dh_Store *store, const char *course_id,
                           int *removed, int *kept, dh_Error *err);

/* The installed packages of packages_dir that load as courses (unreadable
 * ones are skipped). *out is dh_malloc'ed (free with dh_free); a missing
 * folder is no packages. */
dh_Status dh_install_installed(const char *packages_dir, dh_Installed **out, int *n, dh_Error *err);

/* -1, 0, 1 as version a is older, the same, newer than b. */
int dh_install_semver_cmp(const int a[3], const int b[3]);

#endif
