/* launch_record.c: see launch_record.h. */
#include "launch_record.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

static json_t *slice_json(const struct hpolab_launch_slice *s)
{
    json_t *argv = json_array();
    for (size_t i = 0; argv && i < s->argc; i++)
        json_array_append_new(argv, json_string(s->argv[i]));
    return json_pack("{s:s, s:I, s:s, s:s, s:o, s:b, s:s?}", "method",
                     s->method, "seed", (json_int_t)s->seed, "dir", s->subdir,
                     "job_name", s->job_name, "argv", argv, "skipped",
                     s->skipped, "job_id", s->job_id);
}

int32_t hpolab_launch_record_write(const struct hpolab_launch_plan *plan,
                                   struct hpolab_error *err)
{
    json_t *slices = json_array();
    for (size_t i = 0; slices && i < plan->n_slices; i++)
        if (json_array_append_new(slices, slice_json(&plan->slices[i])) != 0) {
            json_decref(slices);
            slices = NULL;
        }
    json_t *root = slices ? json_pack(
        "{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:f, s:I, "
        "s:I, s:I, s:f, s:O?, s:o}",
        "format", HPOLAB_LAUNCH_RECORD_FORMAT, "tag", plan->tag, "engine",
        plan->engine, "study", plan->study, "benchmark", plan->benchmark,
        "metric", plan->metric, "mode",
        plan->mode == HPOLAB_MODE_MAX ? "max" : "min", "random_seed",
        (json_int_t)plan->master_seed, "suffix", plan->suffix, "program",
        plan->program, "max_wallclock_time", plan->budget, "time_limit",
        (json_int_t)plan->time_limit, "n_workers",
        (json_int_t)plan->n_workers, "max_parallel",
        (json_int_t)plan->max_parallel, "created", plan->created, "engine_info",
        plan->engine_info, "slices", slices) : NULL;
    char *text = root ? json_dumps(root, JSON_INDENT(1)) : NULL;
    json_decref(root);
    char *path = hpolab_path_join(plan->root, HPOLAB_LAUNCH_RECORD_NAME);
    int32_t st;
    if (!text || !path) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                              "launch record: out of memory");
    } else {
        size_t len = strlen(text);
        text[len] = '\n'; /* json_dumps leaves no newline; reuse the NUL */
        st = hpolab_write_file_atomic(path, text, len + 1, err);
    }
    free(text);
    free(path);
    return st;
}

/* ---- reading ------------------------------------------------------------- */

struct reader {
    const char *path;
    struct hpolab_error *err;
    int32_t st;
};

static int32_t bad(struct reader *r, const char *where, const char *expected)
{
    if (r->st == HPOLAB_OK)
        r->st = hpolab_error_set(r->err, HPOLAB_ERR_PARSE,
                                 "%s: %s: expected %s", r->path, where,
                                 expected);
    return r->st;
}

static char *get_str(struct reader *r, const json_t *obj, const char *key,
                     const char *where, int optional)
{
    const json_t *v = json_object_get(obj, key);
    if ((!v || json_is_null(v)) && optional)
        return NULL;
    if (!json_is_string(v)) {
        char w[256];
        snprintf(w, sizeof w, "%s%s%s", where, where[0] ? "." : "", key);
        bad(r, w, "a string");
        return NULL;
    }
    char *s = strdup(json_string_value(v));
    if (!s && r->st == HPOLAB_OK)
        r->st = hpolab_error_set(r->err, HPOLAB_ERR_NOMEM, "out of memory");
    return s;
}

static int64_t get_int(struct reader *r, const json_t *obj, const char *key,
                       const char *where)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) {
        char w[256];
        snprintf(w, sizeof w, "%s%s%s", where, where[0] ? "." : "", key);
        bad(r, w, "an integer");
        return 0;
    }
    return (int64_t)json_integer_value(v);
}

static int read_slice(struct reader *r, const json_t *js, size_t index,
                      struct hpolab_launch_plan *plan)
{
    char where[64];
    snprintf(where, sizeof where, "slices[%zu]", index);
    if (!json_is_object(js))
        return bad(r, where, "an object");
    struct hpolab_launch_slice *s = &plan->slices[plan->n_slices];
    memset(s, 0, sizeof *s);
    plan->n_slices++; /* freed with the plan from here on */
    s->method = get_str(r, js, "method", where, 0);
    s->seed = get_int(r, js, "seed", where);
    s->subdir = get_str(r, js, "dir", where, 0);
    s->job_name = get_str(r, js, "job_name", where, 0);
    s->job_id = get_str(r, js, "job_id", where, 1);
    s->skipped = json_is_true(json_object_get(js, "skipped"));
    const json_t *argv = json_object_get(js, "argv");
    if (!json_is_array(argv) || json_array_size(argv) == 0)
        return bad(r, where, "\"argv\": a non-empty array of strings");
    s->argv = calloc(json_array_size(argv) + 1, sizeof *s->argv);
    if (!s->argv)
        return r->st = hpolab_error_set(r->err, HPOLAB_ERR_NOMEM,
                                        "out of memory");
    for (size_t i = 0; i < json_array_size(argv); i++) {
        const json_t *a = json_array_get(argv, i);
        if (!json_is_string(a))
            return bad(r, where, "\"argv\": strings only");
        if (!(s->argv[i] = strdup(json_string_value(a))))
            return r->st = hpolab_error_set(r->err, HPOLAB_ERR_NOMEM,
                                            "out of memory");
        s->argc = i + 1;
    }
    if (s->subdir) {
        if (strchr(s->subdir, '/') || strcmp(s->subdir, "..") == 0 ||
            strcmp(s->subdir, ".") == 0)
            return bad(r, where, "\"dir\": a folder name without '/'");
        s->dir = hpolab_path_join(plan->root, s->subdir);
    }
    return r->st;
}

int32_t hpolab_launch_record_read(const char *root,
                                  struct hpolab_launch_plan *plan,
                                  struct hpolab_error *err)
{
    hpolab_launch_plan_init(plan);
    char *path = hpolab_path_join(root, HPOLAB_LAUNCH_RECORD_NAME);
    if (!path)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    char *text = NULL;
    int32_t st = hpolab_read_file(path, &text, NULL, err);
    if (st != HPOLAB_OK) {
        free(path);
        return st;
    }
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    free(text);
    struct reader r = {.path = path, .err = err, .st = HPOLAB_OK};
    if (!doc) {
        r.st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "%s:%d:%d: invalid JSON: %s", path, jerr.line,
                                jerr.column, jerr.text);
        free(path);
        return r.st;
    }
    if (!json_is_object(doc)) {
        bad(&r, "(top level)", "an object");
        goto out;
    }
    if (get_int(&r, doc, "format", "") != HPOLAB_LAUNCH_RECORD_FORMAT) {
        bad(&r, "format", "1 (written by another version of hpolab?)");
        goto out;
    }
    plan->root = strdup(root);
    plan->tag = get_str(&r, doc, "tag", "", 0);
    plan->engine = get_str(&r, doc, "engine", "", 0);
    plan->study = get_str(&r, doc, "study", "", 0);
    plan->benchmark = get_str(&r, doc, "benchmark", "", 0);
    plan->metric = get_str(&r, doc, "metric", "", 0);
    plan->suffix = get_str(&r, doc, "suffix", "", 0);
    plan->program = get_str(&r, doc, "program", "", 0);
    const char *mode = json_string_value(json_object_get(doc, "mode"));
    plan->mode = mode && strcmp(mode, "max") == 0 ? HPOLAB_MODE_MAX
                                                  : HPOLAB_MODE_MIN;
    plan->master_seed = (uint32_t)get_int(&r, doc, "random_seed", "");
    plan->time_limit = get_int(&r, doc, "time_limit", "");
    plan->n_workers = get_int(&r, doc, "n_workers", "");
    plan->max_parallel = get_int(&r, doc, "max_parallel", "");
    plan->budget = json_number_value(json_object_get(doc, "max_wallclock_time"));
    plan->created = json_number_value(json_object_get(doc, "created"));
    json_t *info = json_object_get(doc, "engine_info");
    plan->engine_info = json_is_object(info) ? json_incref(info) : NULL;
    const json_t *slices = json_object_get(doc, "slices");
    if (!json_is_array(slices)) {
        bad(&r, "slices", "an array");
        goto out;
    }
    if (r.st != HPOLAB_OK || !plan->root)
        goto out;
    plan->slices = calloc(json_array_size(slices) + 1, sizeof *plan->slices);
    if (!plan->slices) {
        r.st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        goto out;
    }
    plan->cap_slices = json_array_size(slices) + 1;
    for (size_t i = 0; i < json_array_size(slices) && r.st == HPOLAB_OK; i++)
        read_slice(&r, json_array_get(slices, i), i, plan);
out:
    json_decref(doc);
    free(path);
    return r.st;
}
