/* preset.c: reading presets files (see preset.h). */
#include "preset.h"

#include <stdlib.h>
#include <string.h>

#include "study_internal.h"

static const char *const preset_keys[] = {"description", "scheduler",
                                          "searcher", "scheduler_options",
                                          "searcher_options"};

void hpolab_presets_init(struct hpolab_presets *p) { memset(p, 0, sizeof *p); }

static void preset_clear(struct hpolab_preset *x)
{
    free(x->name);
    free(x->description);
    free(x->scheduler);
    free(x->searcher);
    json_decref(x->scheduler_options);
    json_decref(x->searcher_options);
    free(x->file);
    memset(x, 0, sizeof *x);
}

void hpolab_presets_free(struct hpolab_presets *p)
{
    for (size_t i = 0; i < p->n; i++)
        preset_clear(&p->items[i]);
    free(p->items);
    hpolab_presets_init(p);
}

const struct hpolab_preset *hpolab_presets_find(const struct hpolab_presets *p,
                                                const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].name, name) == 0)
            return &p->items[i];
    return NULL;
}

int hpolab_is_preset_file_name(const char *name)
{
    static const char prefix[] = "hpolab-presets-", suffix[] = ".json";
    size_t n = strlen(name), lp = sizeof prefix - 1, ls = sizeof suffix - 1;
    return n > lp + ls && strncmp(name, prefix, lp) == 0 &&
           strcmp(name + n - ls, suffix) == 0;
}

/* One preset object into x; 0 with err set on a bad field. */
static int parse_one(const char *path, const char *name, const json_t *obj,
                     struct hpolab_preset *x, struct hpolab_error *err)
{
    if (!hpolab_study_is_valid_name(name)) {
        hpolab_error_set(err, HPOLAB_ERR_INVALID,
                         "%s: presets.%s: a preset name is a method name: "
                         "letters, digits, '_', '.' and '-'",
                         path, name);
        return 0;
    }
    if (!json_is_object(obj)) {
        hpolab_error_set(err, HPOLAB_ERR_INVALID,
                         "%s: presets.%s: expected an object {\"scheduler\", "
                         "\"searcher\", ...}",
                         path, name);
        return 0;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        int known = 0;
        for (size_t k = 0; k < sizeof preset_keys / sizeof *preset_keys; k++)
            known |= strcmp(key, preset_keys[k]) == 0;
        if (!known) {
            hpolab_error_set(err, HPOLAB_ERR_INVALID,
                             "%s: presets.%s: unknown key '%s' (expected "
                             "description, scheduler, searcher, "
                             "scheduler_options, searcher_options)",
                             path, name, key);
            return 0;
        }
    }
    static const char *const ids[2] = {"scheduler", "searcher"};
    char **dst[2] = {&x->scheduler, &x->searcher};
    for (int i = 0; i < 2; i++) {
        const json_t *id = json_object_get(obj, ids[i]);
        if (!json_is_string(id) || !hpolab_study_is_valid_plugin_id(json_string_value(id))) {
            hpolab_error_set(err, HPOLAB_ERR_INVALID,
                             "%s: presets.%s.%s: expected a %s plugin id "
                             "([a-z0-9_]+)",
                             path, name, ids[i], ids[i]);
            return 0;
        }
        *dst[i] = strdup(json_string_value(id));
    }
    static const char *const opts[2] = {"scheduler_options",
                                        "searcher_options"};
    json_t **odst[2] = {&x->scheduler_options, &x->searcher_options};
    for (int i = 0; i < 2; i++) {
        json_t *o = json_object_get(obj, opts[i]);
        if (o && !json_is_object(o)) {
            hpolab_error_set(err, HPOLAB_ERR_INVALID,
                             "%s: presets.%s.%s: expected an object of "
                             "options",
                             path, name, opts[i]);
            return 0;
        }
        *odst[i] = o ? json_deep_copy(o) : json_object();
    }
    const json_t *d = json_object_get(obj, "description");
    if (d && !json_is_string(d)) {
        hpolab_error_set(err, HPOLAB_ERR_INVALID,
                         "%s: presets.%s.description: expected a string",
                         path, name);
        return 0;
    }
    x->name = strdup(name);
    x->description = strdup(d ? json_string_value(d) : "");
    x->file = strdup(path);
    if (!x->name || !x->description || !x->file || !x->scheduler ||
        !x->searcher || !x->scheduler_options || !x->searcher_options) {
        hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        return 0;
    }
    return 1;
}

int32_t hpolab_presets_load_file(struct hpolab_presets *p, const char *path,
                                 struct hpolab_error *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return hpolab_error_set(err, HPOLAB_ERR_PARSE, "%s:%d:%d: %s", path,
                                jerr.line, jerr.column, jerr.text);
    const json_t *presets = json_object_get(root, "presets");
    int32_t st = HPOLAB_OK;
    if (!json_is_object(root) || !json_is_object(presets) ||
        json_object_size(root) != 1)
        st = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                              "%s: expected {\"presets\": {NAME: {\"scheduler\", "
                              "\"searcher\", ...}, ...}}",
                              path);
    size_t first = p->n;
    const char *name;
    json_t *obj;
    if (st == HPOLAB_OK)
        json_object_foreach((json_t *)presets, name, obj)
        {
            const struct hpolab_preset *other = hpolab_presets_find(p, name);
            if (other) {
                st = hpolab_error_set(err, HPOLAB_ERR_EXISTS,
                                      "%s: preset '%s' is already defined by "
                                      "%s",
                                      path, name, other->file);
                break;
            }
            if (p->n == p->cap) {
                size_t cap = p->cap ? 2 * p->cap : 8;
                struct hpolab_preset *items =
                    realloc(p->items, cap * sizeof *items);
                if (!items) {
                    st = hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                          "out of memory");
                    break;
                }
                p->items = items;
                p->cap = cap;
            }
            struct hpolab_preset *x = &p->items[p->n++];
            memset(x, 0, sizeof *x);
            if (!parse_one(path, name, obj, x, err)) {
                st = err->status;
                break;
            }
        }
    if (st != HPOLAB_OK) /* all or nothing */
        while (p->n > first)
            preset_clear(&p->items[--p->n]);
    json_decref(root);
    return st;
}
