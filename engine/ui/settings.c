/* settings: per-trainee accessibility settings in DATA/settings/<id>.json.
 *
 * Trainee ids may contain '/', which cannot appear in a file name, so the
 * file name escapes it as "%2F" ('%' is never part of an id, so two ids
 * never share a file). Values out of range are clamped on reading: a file
 * edited by hand can make text big, never break the layout.
 */
#define _POSIX_C_SOURCE 200809L /* open, fsync, opendir */
#include "settings.h"

#include "store.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ui_settings_default(ui_Settings *s)
{
    s->text_size = 100;
    s->high_contrast = false;
    s->reduced_motion = false;
}

static void settings_path(char *out, size_t size, const char *dir, const char *id, const char *suffix)
{
    char name[DH_TRAINEE_ID_MAX * 3 + 1];
    size_t n = 0;
    for (const char *p = id; *p && n + 4 < sizeof name; p++) {
        if (*p == '/') {
            memcpy(name + n, "%2F", 3);
            n += 3;
        } else {
            name[n++] = *p;
        }
    }
    name[n] = '\0';
    snprintf(out, size, "%s/settings/%s.json%s", dir, name, suffix);
}

dh_Status ui_settings_load(const char *data_dir, const char *trainee_id, ui_Settings *out,
                           dh_Error *err)
{
    char path[DH_STORE_PATH_MAX];
    ui_settings_default(out);
    settings_path(path, sizeof path, data_dir, trainee_id, "");
    FILE *f = fopen(path, "rb");
    if (!f)
        return DH_OK;
    char buf[1024];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    cJSON *root = cJSON_Parse(buf);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return dh_fail(err, DH_EFORMAT, "%s is not a settings object; defaults are used", path);
    }
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(root, "text_size");
    const cJSON *hc = cJSON_GetObjectItemCaseSensitive(root, "high_contrast");
    const cJSON *rm = cJSON_GetObjectItemCaseSensitive(root, "reduced_motion");
    if (cJSON_IsNumber(ts)) {
        double v = ts->valuedouble;
        out->text_size = v < UI_TEXT_SIZE_MIN ? UI_TEXT_SIZE_MIN
                       : v > UI_TEXT_SIZE_MAX ? UI_TEXT_SIZE_MAX : (int)v;
    }
    out->high_contrast = cJSON_IsTrue(hc);
    out->reduced_motion = cJSON_IsTrue(rm);
    cJSON_Delete(root);
    return DH_OK;
}

dh_Status ui_settings_save(const char *data_dir, const char *trainee_id, const ui_Settings *s,
                           dh_Error *err)
{
    char dir[DH_STORE_PATH_MAX], path[DH_STORE_PATH_MAX], tmp[DH_STORE_PATH_MAX];
    snprintf(dir, sizeof dir, "%s/settings", data_dir);
    dh_Status st = dh_store_make_dir(dir, err);
    if (st != DH_OK)
        return st;
    settings_path(path, sizeof path, data_dir, trainee_id, "");
    settings_path(tmp, sizeof tmp, data_dir, trainee_id, ".tmp");
    char text[160];
    int n = snprintf(text, sizeof text,
                     "{\"format\": 1, \"text_size\": %d, \"high_contrast\": %s, \"reduced_motion\": %s}\n",
                     s->text_size, s->high_contrast ? "true" : "false",
                     s->reduced_motion ? "true" : "false");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return dh_fail(err, DH_EIO, "cannot write %s: %s", tmp, strerror(errno));
    bool ok = write(fd, text, (size_t)n) == n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return dh_fail(err, DH_EIO, "cannot save the settings in %s: %s", path, strerror(e));
    }
    return DH_OK;
}
