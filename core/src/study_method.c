/* study_method.c: the "methods" of a study — each a scheduler plugin, a
 * searcher plugin and their options. Whether the plugins exist is checked
 * later (hpolab_study_check_plugins), once they are loaded. */
#include "study_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preset.h"
#include "registry.h"

static const char *const method_keys[] = {"preset", "scheduler", "searcher",
                                          "scheduler_options",
                                          "searcher_options"};
#define N_METHOD_KEYS (sizeof method_keys / sizeof method_keys[0])

void hpolab_study_method_clear(struct hpolab_study_method *m)
{
    free(m->name);
    free(m->scheduler);
    free(m->searcher);
    json_decref(m->scheduler_options);
    json_decref(m->searcher_options);
    free(m->scheduler_where);
    free(m->searcher_where);
    free(m->scheduler_options_where);
    free(m->searcher_options_where);
    free(m->preset);
    free(m->preset_where);
    memset(m, 0, sizeof *m);
}

/* A plugin id (default dflt when absent or null). -1 out of memory. */
static int plugin_field(struct hpolab_study_ctx *c, const json_t *obj,
                        const char *key, const char *base, const char *kind,
                        const char *dflt, char **out, char **where)
{
    char p[HPOLAB_STUDY_PATH_MAX];
    hpolab_study_path_key(p, sizeof p, base, key);
    if (!(*where = hpolab_study_where(c, p)))
        return -1;
    const json_t *v = json_object_get(obj, key);
    const char *id = dflt;
    int ok = 1;
    if (v && !json_is_null(v)) {
        if (json_is_string(v) &&
            hpolab_study_is_valid_plugin_id(json_string_value(v))) {
            id = json_string_value(v);
        } else {
            char what[96];
            snprintf(what, sizeof what, "a %s plugin id ([a-z0-9_]+)", kind);
            hpolab_study_expected(c, p, what, v);
            ok = 0;
        }
    }
    return (*out = strdup(id)) ? ok : -1;
}

static int options_field(struct hpolab_study_ctx *c, const json_t *obj,
                         const char *key, const char *base, json_t **out,
                         char **where)
{
    char p[HPOLAB_STUDY_PATH_MAX];
    hpolab_study_path_key(p, sizeof p, base, key);
    if (!(*where = hpolab_study_where(c, p)))
        return -1;
    const json_t *v = json_object_get(obj, key);
    int ok = 1;
    if (v && !json_is_null(v) && !json_is_object(v)) {
        hpolab_study_expected(c, p, "an object of options", v);
        ok = 0;
    }
    *out = json_is_object(v) ? json_incref((json_t *)v) : json_object();
    return *out ? ok : -1;
}

/* The "preset" of a method given as a string, {"preset": ...} or an array
 * element. 0 on a bad value (reported), -1 out of memory, 1 set. */
static int preset_field(struct hpolab_study_ctx *c, const json_t *v,
                        const char *path, struct hpolab_study_method *m)
{
    if (!(m->preset_where = hpolab_study_where(c, path)))
        return -1;
    if (!json_is_string(v) ||
        !hpolab_study_is_valid_name(json_string_value(v))) {
        hpolab_study_expected(c, path,
                              "a preset name (e.g. \"RS\", \"BO\", \"ASHA\", "
                              "\"MOBSTER\"; see 'hpolab plugins --kind "
                              "preset')",
                              v);
        return 0;
    }
    return (m->preset = strdup(json_string_value(v))) ? 1 : -1;
}

/* A method given only by its preset: empty option objects to merge into. */
static int32_t preset_only(struct hpolab_study_ctx *c, const char *base,
                           struct hpolab_study_method *m)
{
    char p[HPOLAB_STUDY_PATH_MAX];
    hpolab_study_path_key(p, sizeof p, base, "scheduler_options");
    m->scheduler_options_where = hpolab_study_where(c, p);
    hpolab_study_path_key(p, sizeof p, base, "searcher_options");
    m->searcher_options_where = hpolab_study_where(c, p);
    m->scheduler_options = json_object();
    m->searcher_options = json_object();
    return m->scheduler_options_where && m->searcher_options_where &&
                   m->scheduler_options && m->searcher_options
               ? HPOLAB_OK
               : HPOLAB_ERR_NOMEM;
}

static int32_t parse_method(struct hpolab_study_ctx *c, const char *name,
                            const json_t *obj, const char *base,
                            struct hpolab_study_method *m)
{
    if (!hpolab_study_is_valid_name(name)) {
        json_t *js = json_string(name);
        hpolab_study_expected(
            c, base,
            "a method name of letters, digits, '_', '.' and '-' (it "
            "becomes part of paths and job names)",
            js);
        json_decref(js);
    }
    if (!(m->name = strdup(name)))
        return HPOLAB_ERR_NOMEM;
    if (json_is_string(obj)) {
        if (preset_field(c, obj, base, m) < 0)
            return HPOLAB_ERR_NOMEM;
        return preset_only(c, base, m);
    }
    if (!json_is_object(obj)) {
        hpolab_study_expected(
            c, base,
            "a preset name or an object {\"scheduler\", \"searcher\", "
            "\"scheduler_options\", \"searcher_options\"} or {\"preset\", "
            "...options}",
            obj);
        return HPOLAB_OK;
    }
    hpolab_study_check_keys(c, base, obj, method_keys,
                            sizeof method_keys / sizeof *method_keys);
    const json_t *preset = json_object_get(obj, "preset");
    char p[HPOLAB_STUDY_PATH_MAX];
    if (preset) {
        hpolab_study_path_key(p, sizeof p, base, "preset");
        if (preset_field(c, preset, p, m) < 0)
            return HPOLAB_ERR_NOMEM;
        if (json_object_get(obj, "scheduler") ||
            json_object_get(obj, "searcher"))
            hpolab_study_errf(c, base,
                              "give either a preset or a scheduler and a "
                              "searcher, not both (a preset's options can be "
                              "overridden with scheduler_options and "
                              "searcher_options)");
    } else if (plugin_field(c, obj, "scheduler", base, "scheduler", "fifo",
                            &m->scheduler, &m->scheduler_where) < 0 ||
               plugin_field(c, obj, "searcher", base, "searcher", "random",
                            &m->searcher, &m->searcher_where) < 0) {
        return HPOLAB_ERR_NOMEM;
    }
    if (options_field(c, obj, "scheduler_options", base,
                      &m->scheduler_options,
                      &m->scheduler_options_where) < 0 ||
        options_field(c, obj, "searcher_options", base, &m->searcher_options,
                      &m->searcher_options_where) < 0)
        return HPOLAB_ERR_NOMEM;
    return HPOLAB_OK;
}

int32_t hpolab_study_parse_methods(struct hpolab_study *s,
                                   struct hpolab_study_ctx *c,
                                   const json_t *methods)
{
    if (!methods) {
        hpolab_study_errf(c, "", "missing required key 'methods' (an object "
                          "method name -> {\"scheduler\", \"searcher\", "
                          "...} or a preset name, or an array of preset "
                          "names)");
        return HPOLAB_OK;
    }
    int is_array = json_is_array(methods);
    if (!json_is_object(methods) && !is_array) {
        hpolab_study_expected(c, "methods",
                              "an object method name -> method, or an array "
                              "of preset names",
                              methods);
        return HPOLAB_OK;
    }
    size_t n = is_array ? json_array_size(methods) : json_object_size(methods);
    if (n == 0) {
        hpolab_study_errf(c, "methods",
                          "expected at least one method, got none");
        return HPOLAB_OK;
    }
    if (!(s->methods = calloc(n, sizeof *s->methods)))
        return HPOLAB_ERR_NOMEM;
    char base[HPOLAB_STUDY_PATH_MAX];
    int32_t st = HPOLAB_OK;
    if (is_array) {
        for (size_t i = 0; i < n && st == HPOLAB_OK; i++) {
            const json_t *v = json_array_get(methods, i);
            hpolab_study_path_index(base, sizeof base, "methods", i);
            if (!json_is_string(v)) {
                hpolab_study_expected(c, base, "a preset name", v);
                continue;
            }
            const char *name = json_string_value(v);
            if (hpolab_study_find_method(s, name)) {
                hpolab_study_errf(c, base, "method '%s' is listed twice",
                                  name);
                continue;
            }
            st = parse_method(c, name, v, base,
                              &s->methods[s->n_methods++]);
        }
        return st;
    }
    const char *name;
    json_t *obj;
    json_object_foreach((json_t *)methods, name, obj)
    {
        hpolab_study_path_key(base, sizeof base, "methods", name);
        st = parse_method(c, name, obj, base, &s->methods[s->n_methods++]);
        if (st != HPOLAB_OK)
            return st;
    }
    return HPOLAB_OK;
}

/* ---- presets ------------------------------------------------------------ */

static int32_t apply_preset(struct hpolab_study_method *m,
                            const struct hpolab_preset *p)
{
    json_t *sched = json_deep_copy(p->scheduler_options);
    json_t *search = json_deep_copy(p->searcher_options);
    int ok = sched && search &&
             json_object_update_recursive(sched, m->scheduler_options) == 0 &&
             json_object_update_recursive(search, m->searcher_options) == 0;
    free(m->scheduler);
    free(m->searcher);
    free(m->scheduler_where);
    free(m->searcher_where);
    m->scheduler = strdup(p->scheduler);
    m->searcher = strdup(p->searcher);
    m->scheduler_where = strdup(m->preset_where);
    m->searcher_where = strdup(m->preset_where);
    json_decref(m->scheduler_options);
    json_decref(m->searcher_options);
    m->scheduler_options = sched;
    m->searcher_options = search;
    return ok && m->scheduler && m->searcher && m->scheduler_where &&
                   m->searcher_where
               ? HPOLAB_OK
               : HPOLAB_ERR_NOMEM;
}

int32_t hpolab_study_apply_presets(struct hpolab_study *study,
                                   const struct hpolab_presets *presets,
                                   struct hpolab_diag *diag)
{
    int32_t rc = HPOLAB_OK;
    for (size_t i = 0; i < study->n_methods; i++) {
        struct hpolab_study_method *m = &study->methods[i];
        if (!m->preset || m->scheduler)
            continue;
        const struct hpolab_preset *p = hpolab_presets_find(presets, m->preset);
        if (p) {
            if (apply_preset(m, p) != HPOLAB_OK)
                return HPOLAB_ERR_NOMEM;
            continue;
        }
        const char *cands[64];
        size_t n = 0;
        char available[1024] = "";
        size_t used = 0;
        for (size_t k = 0; k < presets->n; k++) {
            if (n < 64)
                cands[n++] = presets->items[k].name;
            int w = snprintf(available + used, sizeof available - used,
                             "%s%s", k ? ", " : "", presets->items[k].name);
            if (w > 0 && (size_t)w < sizeof available - used)
                used += (size_t)w;
        }
        const char *hint = hpolab_study_suggest(m->preset, cands, n);
        hpolab_diag_add(diag, "%s: no preset named '%s'%s%s%s; %s%s",
                        m->preset_where, m->preset,
                        hint ? " (did you mean '" : "", hint ? hint : "",
                        hint ? "'?)" : "",
                        presets->n ? "available: " : "none is installed",
                        available);
        rc = HPOLAB_ERR_NOT_FOUND;
    }
    return rc;
}

/* ---- do the plugins exist? ----------------------------------------------- */

struct seen {
    int32_t kind;
    const char *id;
};

static int already(const struct seen *seen, size_t n, int32_t kind,
                   const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (seen[i].kind == kind && strcmp(seen[i].id, id) == 0)
            return 1;
    return 0;
}

/* where is "<file>: <path>"; one line per missing (kind, id). */
static int check_one(hpolab_study_plugin_exists_fn exists, void *user,
                     int32_t kind, const char *id, const char *where,
                     struct hpolab_diag *diag)
{
    char available[1024] = "";
    if (exists(user, kind, id, available, sizeof available))
        return 1;
    available[sizeof available - 1] = '\0';
    /* Split the list for a typo suggestion. */
    const char *cands[64];
    size_t n = 0;
    char copy[sizeof available];
    memcpy(copy, available, sizeof copy);
    for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t && n < 64;
         t = strtok_r(NULL, ", ", &save))
        cands[n++] = t;
    const char *hint = hpolab_study_suggest(id, cands, n);
    char hint_text[160] = "";
    if (hint)
        snprintf(hint_text, sizeof hint_text, " (did you mean '%s'?)", hint);
    /* Spelled here: the registry's names live in the plugin loader, which
     * the study does not need. */
    static const char *const kinds[] = {"scheduler", "searcher", "backend",
                                        "plotter"};
    const char *kind_name = kind >= 0 && kind < 4 ? kinds[kind] : NULL;
    if (available[0])
        hpolab_diag_add(diag, "%s: no %s plugin named '%s'%s; available: %s",
                        where, kind_name ? kind_name : "", id, hint_text,
                        available);
    else
        hpolab_diag_add(diag, "%s: no %s plugin named '%s'%s (none is "
                        "installed)", where, kind_name ? kind_name : "", id,
                        hint_text);
    return 0;
}

int32_t hpolab_study_check_plugins(const struct hpolab_study *study,
                                   hpolab_study_plugin_exists_fn exists,
                                   void *user, struct hpolab_diag *diag)
{
    if (!study->resolved)
        return HPOLAB_ERR_STATE;
    size_t cap = 2 * study->n_methods + study->n_benchmarks;
    struct seen *seen = calloc(cap ? cap : 1, sizeof *seen);
    if (!seen)
        return HPOLAB_ERR_NOMEM;
    size_t n = 0;
    int32_t rc = HPOLAB_OK;
    for (size_t i = 0; i < study->n_methods; i++) {
        const struct hpolab_study_method *m = &study->methods[i];
        const struct {
            int32_t kind;
            const char *id, *where;
        } uses[2] = {
            {HPOLAB_KIND_SCHEDULER, m->scheduler, m->scheduler_where},
            {HPOLAB_KIND_SEARCHER, m->searcher, m->searcher_where},
        };
        for (size_t u = 0; u < 2; u++) {
            if (!uses[u].id) /* an unknown preset, reported already */
                continue;
            if (already(seen, n, uses[u].kind, uses[u].id))
                continue;
            seen[n++] = (struct seen){uses[u].kind, uses[u].id};
            if (!check_one(exists, user, uses[u].kind, uses[u].id,
                           uses[u].where, diag))
                rc = HPOLAB_ERR_NOT_FOUND;
        }
    }
    for (size_t i = 0; i < study->n_benchmarks; i++) {
        const struct hpolab_study_benchmark *b = &study->benchmarks[i];
        if (already(seen, n, HPOLAB_KIND_BACKEND, b->backend))
            continue;
        seen[n++] = (struct seen){HPOLAB_KIND_BACKEND, b->backend};
        if (!check_one(exists, user, HPOLAB_KIND_BACKEND, b->backend,
                       b->backend_where, diag))
            rc = HPOLAB_ERR_NOT_FOUND;
    }
    free(seen);
    return rc;
}
