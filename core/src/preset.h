/* preset.h: named baselines — a scheduler, a searcher and their options
 * under one name (RS, BO, ASHA, MOBSTER, or a plugin package's own), that a
 * study uses as a method. They are read from files
 * hpolab-presets-<name>.json found beside the plugins (docs/presets.md). */
#ifndef HPOLAB_CORE_PRESET_H
#define HPOLAB_CORE_PRESET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hpolab_preset {
    char *name;               /* owned; a method name [A-Za-z0-9_.-]+ */
    char *description;        /* owned; "" when not given */
    char *scheduler;          /* owned; plugin id */
    char *searcher;           /* owned; plugin id */
    json_t *scheduler_options; /* owned reference, object */
    json_t *searcher_options;  /* owned reference, object */
    char *file;               /* owned; the file that defines it */
};

struct hpolab_presets {
    struct hpolab_preset *items; /* owned, n */
    size_t n, cap;
};

void hpolab_presets_init(struct hpolab_presets *p);
void hpolab_presets_free(struct hpolab_presets *p);

/* Reads one presets file and adds its presets. All or nothing: on any error
 * (unreadable, not JSON, a bad field, a name already defined by another
 * file) nothing of the file is added and err has one line naming the file
 * and, for a field, its path ("presets.BO.searcher"). */
int32_t hpolab_presets_load_file(struct hpolab_presets *p, const char *path,
                                 struct hpolab_error *err);

/* [borrowed] NULL if absent. */
const struct hpolab_preset *hpolab_presets_find(const struct hpolab_presets *p,
                                                const char *name);

/* "hpolab-presets-*.json"? */
int hpolab_is_preset_file_name(const char *name);

#endif
