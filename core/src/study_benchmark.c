/* study_benchmark.c: the "benchmarks" of a study and the "defaults" they
 * inherit. A value set in `defaults` is checked (and reported) once, at
 * defaults.<key>; a benchmark that inherits it is not blamed for it again. */
#include "study_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum field {
    F_ENTRY_POINT,
    F_CONFIG_SPACE,
    F_METRIC,
    F_MODE,
    F_RESOURCE_ATTR,
    F_MAX_RESOURCE_ATTR,
    F_N_WORKERS,
    F_MAX_WALLCLOCK_TIME,
    F_MAX_NUM_EVALUATIONS,
    F_MAX_NUM_TRIALS_STARTED,
    F_MAX_NUM_TRIALS_COMPLETED,
    F_MAX_NUM_TRIALS_FINISHED,
    F_MAX_COST,
    F_MIN_METRIC_VALUE,
    F_MAX_METRIC_VALUE,
    F_MAX_FAILURES,
    F_INSTANCE_TYPE,
    F_POINTS_TO_EVALUATE,
    F_BACKEND,
    F_BACKEND_OPTIONS,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "entry_point",
    "config_space",
    "metric",
    "mode",
    "resource_attr",
    "max_resource_attr",
    "n_workers",
    "max_wallclock_time",
    "max_num_evaluations",
    "max_num_trials_started",
    "max_num_trials_completed",
    "max_num_trials_finished",
    "max_cost",
    "min_metric_value",
    "max_metric_value",
    "max_failures",
    "instance_type",
    "points_to_evaluate",
    "backend",
    "backend_options",
};

static int required(int f)
{
    return f == F_ENTRY_POINT || f == F_CONFIG_SPACE || f == F_METRIC;
}

/* What a missing required field is, for the message. */
static const char *required_what(int f)
{
    switch (f) {
    case F_ENTRY_POINT:
        return "the command each trial runs, e.g. [\"python3\", \"train.py\"]";
    case F_CONFIG_SPACE: return "hyperparameter name -> domain or constant";
    default: return "the name of the metric the trials report";
    }
}

/* What one benchmark (or `defaults`) is made of, field by field. */
struct build {
    char bpath[HPOLAB_STUDY_PATH_MAX]; /* "benchmarks.b" or "defaults" */
    const json_t *raw[F_COUNT];        /* as given (JSON null too); NULL if
                                          absent */
    int inherited[F_COUNT];            /* from `defaults` */
    int ok[F_COUNT];                   /* parsed without a problem */
    char path[F_COUNT][HPOLAB_STUDY_PATH_MAX]; /* where raw[f] is */
};

void hpolab_study_benchmark_clear(struct hpolab_study_benchmark *b)
{
    free(b->name);
    hpolab_study_argv_free(b->entry_argv);
    free(b->working_dir);
    json_decref(b->config_space_json);
    hpolab_study_space_free(b->space);
    free(b->metric);
    free(b->resource_attr);
    free(b->max_resource_attr);
    json_decref(b->stop.min_metric_value);
    json_decref(b->stop.max_metric_value);
    free(b->instance_type);
    json_decref(b->points_to_evaluate);
    free(b->backend);
    json_decref(b->backend_options);
    free(b->backend_where);
    free(b->backend_options_where);
    memset(b, 0, sizeof *b);
}

static void init_benchmark(struct hpolab_study_benchmark *b)
{
    b->mode = HPOLAB_MODE_MIN;
    b->n_workers = 1;
    b->max_resource = -1;
    b->max_failures = 1;
    b->stop.max_wallclock_time = -1.0;
    b->stop.max_num_evaluations = -1;
    b->stop.max_num_trials_started = -1;
    b->stop.max_num_trials_completed = -1;
    b->stop.max_num_trials_finished = -1;
    b->stop.max_cost = -1.0;
}

/* A string field: *out gets an owned copy. */
static int string_field(struct hpolab_study_ctx *c, const char *path,
                        const json_t *v, char **out)
{
    const char *s;
    if (!hpolab_study_get_string(c, path, v, &s))
        return 0;
    free(*out);
    return (*out = strdup(s)) ? 1 : -1;
}

static int thresholds(struct hpolab_study_ctx *c, const char *path,
                      const json_t *v, json_t **out)
{
    if (!json_is_object(v)) {
        hpolab_study_expected(c, path, "an object metric name -> threshold",
                              v);
        return 0;
    }
    int ok = 1;
    const char *key;
    json_t *t;
    json_object_foreach((json_t *)v, key, t)
    {
        char p[HPOLAB_STUDY_PATH_MAX];
        hpolab_study_path_key(p, sizeof p, path, key);
        if (!*key) {
            hpolab_study_errf(c, path, "expected metric names, got ''");
            ok = 0;
        } else if (!json_is_number(t)) {
            hpolab_study_expected(c, p, "a number", t);
            ok = 0;
        }
    }
    if (ok && json_object_size(v) > 0) {
        json_decref(*out);
        *out = json_incref((json_t *)v);
    }
    return ok;
}

static int points(struct hpolab_study_ctx *c, const char *path,
                  const json_t *v, json_t **out)
{
    if (!json_is_array(v)) {
        hpolab_study_expected(
            c, path, "an array of configurations (objects name -> value)", v);
        return 0;
    }
    int ok = 1;
    size_t i;
    json_t *pt;
    json_array_foreach(v, i, pt)
    {
        char p[HPOLAB_STUDY_PATH_MAX];
        hpolab_study_path_index(p, sizeof p, path, i);
        if (!json_is_object(pt)) {
            hpolab_study_expected(c, p, "an object hyperparameter -> value",
                                  pt);
            ok = 0;
            continue;
        }
        const char *key;
        json_t *val;
        json_object_foreach(pt, key, val)
        {
            char pk[HPOLAB_STUDY_PATH_MAX];
            hpolab_study_path_key(pk, sizeof pk, p, key);
            if (!json_is_number(val) && !json_is_string(val) &&
                !json_is_boolean(val)) {
                hpolab_study_expected(c, pk, "a number, string or boolean",
                                      val);
                ok = 0;
            }
        }
    }
    if (ok) {
        json_decref(*out);
        *out = json_incref((json_t *)v);
    }
    return ok;
}

/* Returns 1 when fine, 0 when a problem was reported, -1 out of memory. */
static int parse_field(struct hpolab_study_ctx *c, int f, const json_t *v,
                       const char *path, struct hpolab_study_benchmark *b)
{
    switch (f) {
    case F_ENTRY_POINT:
        hpolab_study_argv_free(b->entry_argv);
        b->entry_argv = NULL;
        return hpolab_study_entry_point(c, path, v, &b->entry_argv,
                                        &b->entry_argc);
    case F_CONFIG_SPACE:
        return hpolab_study_config_space(c, path, v, &b->config_space_json,
                                         &b->space);
    case F_METRIC: return string_field(c, path, v, &b->metric);
    case F_MODE:
        if (json_is_string(v) && strcmp(json_string_value(v), "min") == 0)
            b->mode = HPOLAB_MODE_MIN;
        else if (json_is_string(v) && strcmp(json_string_value(v), "max") == 0)
            b->mode = HPOLAB_MODE_MAX;
        else {
            hpolab_study_expected(c, path, "'min' or 'max'", v);
            return 0;
        }
        return 1;
    case F_RESOURCE_ATTR: return string_field(c, path, v, &b->resource_attr);
    case F_MAX_RESOURCE_ATTR:
        return string_field(c, path, v, &b->max_resource_attr);
    case F_N_WORKERS: return hpolab_study_get_int(c, path, v, 1, &b->n_workers);
    case F_MAX_WALLCLOCK_TIME:
        return hpolab_study_get_positive(c, path, v,
                                         &b->stop.max_wallclock_time);
    case F_MAX_NUM_EVALUATIONS:
        return hpolab_study_get_int(c, path, v, 1,
                                    &b->stop.max_num_evaluations);
    case F_MAX_NUM_TRIALS_STARTED:
        return hpolab_study_get_int(c, path, v, 1,
                                    &b->stop.max_num_trials_started);
    case F_MAX_NUM_TRIALS_COMPLETED:
        return hpolab_study_get_int(c, path, v, 1,
                                    &b->stop.max_num_trials_completed);
    case F_MAX_NUM_TRIALS_FINISHED:
        return hpolab_study_get_int(c, path, v, 1,
                                    &b->stop.max_num_trials_finished);
    case F_MAX_COST:
        return hpolab_study_get_positive(c, path, v, &b->stop.max_cost);
    case F_MIN_METRIC_VALUE:
        return thresholds(c, path, v, &b->stop.min_metric_value);
    case F_MAX_METRIC_VALUE:
        return thresholds(c, path, v, &b->stop.max_metric_value);
    case F_MAX_FAILURES:
        return hpolab_study_get_int(c, path, v, 0, &b->max_failures);
    case F_INSTANCE_TYPE: return string_field(c, path, v, &b->instance_type);
    case F_POINTS_TO_EVALUATE:
        return points(c, path, v, &b->points_to_evaluate);
    case F_BACKEND:
        if (!json_is_string(v) ||
            !hpolab_study_is_valid_plugin_id(json_string_value(v))) {
            hpolab_study_expected(c, path, "a backend plugin id ([a-z0-9_]+)",
                                  v);
            return 0;
        }
        free(b->backend);
        return (b->backend = strdup(json_string_value(v))) ? 1 : -1;
    case F_BACKEND_OPTIONS:
        if (!json_is_object(v)) {
            hpolab_study_expected(c, path, "an object of backend options", v);
            return 0;
        }
        json_decref(b->backend_options);
        b->backend_options = json_incref((json_t *)v);
        return 1;
    default: return 0;
    }
}

/* Path of field f as seen from the benchmark (for checks that combine two
 * fields) and a note when its value came from `defaults`. */
static void cross_path(const struct build *bl, int f, char *dst, size_t cap,
                       const char **note)
{
    hpolab_study_path_key(dst, cap, bl->bpath, field_names[f]);
    *note = bl->inherited[f] ? " (set in defaults)" : "";
}

static int usable(const struct build *bl, int f)
{
    return bl->raw[f] && !json_is_null(bl->raw[f]) && bl->ok[f];
}

/* Both fields fine and not both from `defaults` (then checked there). */
static int check_pair(const struct build *bl, int f, int g)
{
    return usable(bl, f) && usable(bl, g) &&
           !(bl->inherited[f] && bl->inherited[g]);
}

static void check_max_resource(struct hpolab_study_ctx *c,
                               const struct build *bl,
                               struct hpolab_study_benchmark *b)
{
    if (!check_pair(bl, F_MAX_RESOURCE_ATTR, F_CONFIG_SPACE))
        return;
    char p[HPOLAB_STUDY_PATH_MAX], pe[HPOLAB_STUDY_PATH_MAX];
    const char *note;
    cross_path(bl, F_MAX_RESOURCE_ATTR, p, sizeof p, &note);
    const char *attr = b->max_resource_attr;
    const json_t *e = json_object_get(b->config_space_json, attr);
    static const char *const what =
        "the name of a constant integer >= 1 in config_space (the maximum "
        "resource, e.g. \"epochs\": 81)";
    if (!e) {
        hpolab_study_errf(c, p, "expected %s, got '%s', which config_space "
                          "does not have%s", what, attr, note);
        return;
    }
    if (hpolab_study_space_constant(b->space, attr) == 0) {
        hpolab_study_errf(c, p, "expected %s, got '%s', a hyperparameter "
                          "with a domain%s", what, attr, note);
        return;
    }
    if (!json_is_integer(e) || json_integer_value(e) < 1) {
        char got[128];
        hpolab_study_path_key(pe, sizeof pe, bl->path[F_CONFIG_SPACE], attr);
        const char *origin = hpolab_study_origin(c, pe);
        if (origin && !*origin)
            return;
        hpolab_study_errf(c, p, "expected %s, got '%s' = %s%s%s%s", what,
                          attr, hpolab_study_describe(e, got, sizeof got),
                          origin ? " (from --" : "", origin ? origin : "",
                          origin ? ")" : "");
        return;
    }
    b->max_resource = (int64_t)json_integer_value(e);
}

/* Every key of every point is in the config space, and its value fits the
 * domain. Returns -1 on out of memory. */
static int check_points(struct hpolab_study_ctx *c, const struct build *bl,
                        const struct hpolab_study_benchmark *b)
{
    if (!check_pair(bl, F_POINTS_TO_EVALUATE, F_CONFIG_SPACE))
        return 0;
    const json_t *cs = b->config_space_json;
    size_t n = json_object_size(cs), k = 0;
    const char **names = calloc(n ? n : 1, sizeof *names);
    char list[1024];
    size_t used = 0;
    list[0] = '\0';
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)cs, key, val)
    {
        if (names)
            names[k++] = key;
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                     used ? ", " : "", key);
    }
    char p[HPOLAB_STUDY_PATH_MAX];
    const char *note;
    cross_path(bl, F_POINTS_TO_EVALUATE, p, sizeof p, &note);
    size_t i;
    json_t *pt;
    json_array_foreach(b->points_to_evaluate, i, pt)
    {
        char pi[HPOLAB_STUDY_PATH_MAX];
        hpolab_study_path_index(pi, sizeof pi, p, i);
        json_object_foreach(pt, key, val)
        {
            if (json_object_get(cs, key)) {
                char pk[HPOLAB_STUDY_PATH_MAX];
                hpolab_study_path_key(pk, sizeof pk, pi, key);
                if (hpolab_study_check_point_value(c, pk, b->space, key,
                                                   val) < 0) {
                    free(names);
                    return -1;
                }
                continue;
            }
            const char *hint =
                names ? hpolab_study_suggest(key, names, k) : NULL;
            if (hint)
                hpolab_study_errf(c, pi,
                                  "unknown hyperparameter '%s' (did you mean "
                                  "'%s'?); config_space has: %s%s",
                                  key, hint, list, note);
            else
                hpolab_study_errf(c, pi,
                                  "unknown hyperparameter '%s'; config_space "
                                  "has: %s%s",
                                  key, list, note);
        }
    }
    free(names);
    return 0;
}

static void check_resource_vs_metric(struct hpolab_study_ctx *c,
                                     const struct build *bl,
                                     const struct hpolab_study_benchmark *b)
{
    if (!check_pair(bl, F_RESOURCE_ATTR, F_METRIC) ||
        strcmp(b->resource_attr, b->metric) != 0)
        return;
    char p[HPOLAB_STUDY_PATH_MAX];
    const char *note;
    cross_path(bl, F_RESOURCE_ATTR, p, sizeof p, &note);
    hpolab_study_errf(c, p, "expected the name of the resource (e.g. "
                      "'epoch') reported next to the metric, got '%s', the "
                      "metric itself%s", b->resource_attr, note);
}

/* Fill b from obj (a benchmark, or `defaults` when is_defaults), inheriting
 * from defaults. Returns HPOLAB_OK or HPOLAB_ERR_NOMEM. */
static int32_t build_benchmark(struct hpolab_study_ctx *c, const json_t *obj,
                               const json_t *defaults, int is_defaults,
                               struct build *bl,
                               struct hpolab_study_benchmark *b)
{
    init_benchmark(b);
    hpolab_study_check_keys(c, bl->bpath, obj, field_names, F_COUNT);
    for (int f = 0; f < F_COUNT; f++) {
        const json_t *own = json_object_get(obj, field_names[f]);
        const json_t *inh = defaults ? json_object_get(defaults, field_names[f])
                                     : NULL;
        if (own) {
            bl->raw[f] = own;
            hpolab_study_path_key(bl->path[f], sizeof bl->path[f], bl->bpath,
                                  field_names[f]);
        } else if (inh) {
            bl->raw[f] = inh;
            bl->inherited[f] = 1;
            hpolab_study_path_key(bl->path[f], sizeof bl->path[f], "defaults",
                                  field_names[f]);
        } else {
            hpolab_study_path_key(bl->path[f], sizeof bl->path[f], bl->bpath,
                                  field_names[f]);
        }
    }
    /* A simulated benchmark runs no process: no entry point needed. */
    const json_t *be = bl->raw[F_BACKEND];
    int simulated = json_is_string(be) &&
                    strcmp(json_string_value(be), "simulator") == 0;
    for (int f = 0; f < F_COUNT; f++) {
        const json_t *v = bl->raw[f];
        if (!v) {
            bl->ok[f] = 1;
            if (required(f) && !is_defaults &&
                !(f == F_ENTRY_POINT && simulated))
                hpolab_study_errf(c, bl->bpath,
                                  "missing required key '%s' (%s)",
                                  field_names[f], required_what(f));
            continue;
        }
        /* null means "not set" (back to the built-in default), except for
         * a field a benchmark must have. */
        if (json_is_null(v) && !(required(f) && !is_defaults)) {
            bl->ok[f] = 1;
            continue;
        }
        struct hpolab_diag scratch;
        if (bl->inherited[f])
            hpolab_study_quiet(c, &scratch);
        int r = parse_field(c, f, v, bl->path[f], b);
        if (bl->inherited[f])
            hpolab_study_unquiet(c, &scratch);
        if (r < 0)
            return HPOLAB_ERR_NOMEM;
        bl->ok[f] = r;
    }
    check_max_resource(c, bl, b);
    if (check_points(c, bl, b) < 0)
        return HPOLAB_ERR_NOMEM;
    check_resource_vs_metric(c, bl, b);

    if (!b->backend && !(b->backend = strdup("local")))
        return HPOLAB_ERR_NOMEM;
    if (!b->backend_options && !(b->backend_options = json_object()))
        return HPOLAB_ERR_NOMEM;
    if (!(b->working_dir = strdup(c->dir)) ||
        !(b->backend_where = hpolab_study_where(c, bl->path[F_BACKEND])) ||
        !(b->backend_options_where =
              hpolab_study_where(c, bl->path[F_BACKEND_OPTIONS])))
        return HPOLAB_ERR_NOMEM;
    return HPOLAB_OK;
}

int32_t hpolab_study_parse_benchmarks(struct hpolab_study *s,
                                      struct hpolab_study_ctx *c,
                                      const json_t *defaults,
                                      const json_t *benchmarks)
{
    struct build *bl = malloc(sizeof *bl);
    if (!bl)
        return HPOLAB_ERR_NOMEM;
    int32_t rc = HPOLAB_OK;
    if (defaults && !json_is_null(defaults) && !json_is_object(defaults)) {
        hpolab_study_expected(c, "defaults",
                              "an object of benchmark fields", defaults);
        defaults = NULL;
    } else if (defaults && json_is_object(defaults)) {
        struct hpolab_study_benchmark tmp = {0};
        memset(bl, 0, sizeof *bl);
        snprintf(bl->bpath, sizeof bl->bpath, "defaults");
        rc = build_benchmark(c, defaults, NULL, 1, bl, &tmp);
        hpolab_study_benchmark_clear(&tmp);
    } else {
        defaults = NULL;
    }

    if (rc != HPOLAB_OK) {
    } else if (!benchmarks) {
        hpolab_study_errf(c, "", "missing required key 'benchmarks' (an "
                          "object benchmark name -> benchmark)");
    } else if (!json_is_object(benchmarks)) {
        hpolab_study_expected(c, "benchmarks",
                              "an object benchmark name -> benchmark",
                              benchmarks);
    } else if (json_object_size(benchmarks) == 0) {
        hpolab_study_errf(c, "benchmarks",
                          "expected at least one benchmark, got none");
    } else {
        size_t n = json_object_size(benchmarks);
        s->benchmarks = calloc(n, sizeof *s->benchmarks);
        if (!s->benchmarks)
            rc = HPOLAB_ERR_NOMEM;
        const char *name;
        json_t *obj;
        json_object_foreach((json_t *)benchmarks, name, obj)
        {
            if (rc != HPOLAB_OK)
                break;
            struct hpolab_study_benchmark *b =
                &s->benchmarks[s->n_benchmarks++];
            memset(bl, 0, sizeof *bl);
            hpolab_study_path_key(bl->bpath, sizeof bl->bpath, "benchmarks",
                                  name);
            if (!hpolab_study_is_valid_name(name)) {
                json_t *js = json_string(name);
                hpolab_study_expected(
                    c, bl->bpath,
                    "a benchmark name of letters, digits, '_', '.' and '-' "
                    "(it becomes part of paths and job names)",
                    js);
                json_decref(js);
            }
            if (!(b->name = strdup(name))) {
                rc = HPOLAB_ERR_NOMEM;
                break;
            }
            if (!json_is_object(obj)) {
                hpolab_study_expected(c, bl->bpath,
                                      "an object (the benchmark's fields)",
                                      obj);
                continue;
            }
            rc = build_benchmark(c, obj, defaults, 0, bl, b);
        }
    }
    free(bl);
    return rc;
}
