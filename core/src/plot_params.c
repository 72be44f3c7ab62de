/* plot_params.c: plot parameters from JSON (plot_params.h). */
#include "plot_params.h"

#include <hpolab/plotter.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate_stats.h"
#include "collect_template.h"
#include "study_internal.h"

static const char *const keys[] = {
    "metric", "mode", "title", "xlabel", "ylabel", "xlim", "ylim",
    "metric_multiplier", "convert_to_min", "aggregate", "grid", "logx",
    "logy", "size", "dpi", "nrows", "ncols", "legend", "setup", "subplot",
    "setups", "subplot_titles", "num_runs", "bootstrap_samples", "bootstrap_seed",
    "format", "target", "benchmark"};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *const legends[] = {"top right", "top left",
                                      "bottom right", "bottom left",
                                      "outside", "below", "none"};

int hpolab_plot_params_is_key(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(name, keys[i]) == 0)
            return 1;
    return 0;
}

void hpolab_plot_params_init(struct hpolab_plot_params *p)
{
    memset(p, 0, sizeof *p);
    p->mode = -1;
    p->xlim[0] = p->xlim[1] = p->ylim[0] = p->ylim[1] = NAN;
    p->metric_multiplier = NAN;
    p->convert_to_min = p->aggregate = p->grid = p->logx = p->logy = -1;
    p->num_runs = -1;
    p->seed = -1;
    p->target = NAN;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

void hpolab_plot_params_free(struct hpolab_plot_params *p)
{
    free(p->metric);
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    free(p->legend);
    free(p->setup);
    free(p->subplot);
    free(p->format);
    free(p->benchmark);
    free_list(p->setups, p->n_setups);
    free_list(p->subplot_titles, p->n_subplot_titles);
    hpolab_plot_params_init(p);
}

/* ---- value readers: each returns OK or an error naming where.key ------ */

static int32_t bad(struct hpolab_error *err, const char *where,
                   const char *key, const char *what, const json_t *v)
{
    char *got = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    int32_t rc = hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                  "%s%s%s: expected %s, got %s", where,
                                  where[strlen(where) - 1] == '-' ? "" : ".",
                                  key, what, got ? got : "?");
    free(got);
    return rc;
}

static int32_t get_text(const json_t *v, char **out, const char *where,
                        const char *key, struct hpolab_error *err)
{
    if (!json_is_string(v))
        return bad(err, where, key, "a string", v);
    char *c = strdup(json_string_value(v));
    if (!c)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    free(*out);
    *out = c;
    return HPOLAB_OK;
}

static int get_bool(const json_t *v, int32_t *out)
{
    if (!json_is_boolean(v))
        return 0;
    *out = json_is_true(v);
    return 1;
}

/* A list of strings: a JSON array of strings or "a,b,c". */
static int32_t get_list(const json_t *v, char ***out, size_t *n,
                        const char *where, const char *key,
                        struct hpolab_error *err)
{
    char **l = NULL;
    size_t cnt = 0;
    if (json_is_array(v)) {
        l = calloc(json_array_size(v) + 1, sizeof *l);
        for (size_t i = 0; l && i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            if (!json_is_string(e) || !json_string_value(e)[0]) {
                free_list(l, cnt);
                return bad(err, where, key, "a list of non-empty strings", v);
            }
            if (!(l[cnt] = strdup(json_string_value(e))))
                break;
            cnt++;
        }
        if (l && cnt < json_array_size(v)) {
            free_list(l, cnt);
            l = NULL;
        }
    } else if (json_is_string(v) && json_string_value(v)[0]) {
        const char *s = json_string_value(v);
        size_t parts = 1;
        for (const char *c = s; *c; c++)
            parts += *c == ',';
        l = calloc(parts + 1, sizeof *l);
        while (l && cnt < parts) {
            const char *end = strchr(s, ',');
            size_t len = end ? (size_t)(end - s) : strlen(s);
            if (len == 0) {
                free_list(l, cnt);
                return bad(err, where, key,
                           "a comma-separated list of names", v);
            }
            if (!(l[cnt] = strndup(s, len)))
                break;
            cnt++;
            s = end ? end + 1 : s + len;
        }
        if (l && cnt < parts) {
            free_list(l, cnt);
            l = NULL;
        }
    } else {
        return bad(err, where, key, "a list of names (array or \"a,b\")", v);
    }
    if (!l)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    free_list(*out, *n);
    *out = l;
    *n = cnt;
    return HPOLAB_OK;
}

/* Two numbers: [a, b] or "a,b" (sep ',') / "WxH" (sep 'x'). */
static int get_pair(const json_t *v, char sep, double out[2])
{
    if (json_is_array(v) && json_array_size(v) == 2 &&
        json_is_number(json_array_get(v, 0)) &&
        json_is_number(json_array_get(v, 1))) {
        out[0] = json_number_value(json_array_get(v, 0));
        out[1] = json_number_value(json_array_get(v, 1));
        return 1;
    }
    if (!json_is_string(v))
        return 0;
    const char *s = json_string_value(v);
    char *end;
    out[0] = strtod(s, &end);
    if (end == s || *end != sep)
        return 0;
    s = end + 1;
    out[1] = strtod(s, &end);
    return end != s && *end == '\0';
}

static int get_count(const json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!json_is_integer(v))
        return 0;
    int64_t x = (int64_t)json_integer_value(v);
    if (x < lo || x > hi)
        return 0;
    *out = x;
    return 1;
}

static int32_t apply_one(struct hpolab_plot_params *p, const char *k,
                         const json_t *v, const char *w,
                         struct hpolab_error *err)
{
    double pair[2];
    int64_t n;
    if (!strcmp(k, "metric") || !strcmp(k, "title") || !strcmp(k, "xlabel") ||
        !strcmp(k, "ylabel") || !strcmp(k, "benchmark")) {
        char **f = !strcmp(k, "metric")   ? &p->metric
                   : !strcmp(k, "title")  ? &p->title
                   : !strcmp(k, "xlabel") ? &p->xlabel
                   : !strcmp(k, "ylabel") ? &p->ylabel
                                          : &p->benchmark;
        return get_text(v, f, w, k, err);
    }
    if (!strcmp(k, "mode")) {
        const char *s = json_string_value(v);
        if (!s || (strcmp(s, "min") && strcmp(s, "max")))
            return bad(err, w, k, "\"min\" or \"max\"", v);
        p->mode = strcmp(s, "max") == 0 ? HPOLAB_MODE_MAX : HPOLAB_MODE_MIN;
        return HPOLAB_OK;
    }
    if (!strcmp(k, "xlim") || !strcmp(k, "ylim")) {
        if (!get_pair(v, ',', pair) || !(pair[0] < pair[1]) ||
            !isfinite(pair[0]) || !isfinite(pair[1]))
            return bad(err, w, k, "[low, high] (or \"low,high\") with low < "
                                  "high", v);
        double *f = k[0] == 'x' ? p->xlim : p->ylim;
        f[0] = pair[0];
        f[1] = pair[1];
        return HPOLAB_OK;
    }
    if (!strcmp(k, "metric_multiplier") || !strcmp(k, "target")) {
        if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
            (k[0] == 'm' && json_number_value(v) == 0))
            return bad(err, w, k, k[0] == 'm' ? "a non-zero number" : "a number",
                       v);
        *(k[0] == 'm' ? &p->metric_multiplier : &p->target) =
            json_number_value(v);
        return HPOLAB_OK;
    }
    if (!strcmp(k, "convert_to_min") || !strcmp(k, "grid") ||
        !strcmp(k, "logx") || !strcmp(k, "logy")) {
        int32_t *f = !strcmp(k, "convert_to_min") ? &p->convert_to_min
                     : !strcmp(k, "grid")         ? &p->grid
                     : !strcmp(k, "logx")         ? &p->logx
                                                  : &p->logy;
        return get_bool(v, f) ? HPOLAB_OK : bad(err, w, k, "true or false", v);
    }
    if (!strcmp(k, "aggregate")) {
        if (!json_is_string(v))
            return bad(err, w, k, "a string", v);
        int32_t rc =
            hpolab_aggregate_mode_parse(json_string_value(v), &p->aggregate, err);
        return rc == HPOLAB_OK ? rc
                               : hpolab_error_prefix(err, "%s%s%s", w,
                                                     w[strlen(w) - 1] == '-'
                                                         ? ""
                                                         : ".",
                                                     k);
    }
    if (!strcmp(k, "size")) {
        if (!get_pair(v, 'x', pair) || pair[0] < 100 || pair[1] < 100 ||
            pair[0] > 20000 || pair[1] > 20000 || pair[0] != floor(pair[0]) ||
            pair[1] != floor(pair[1]))
            return bad(err, w, k, "WIDTHxHEIGHT in pixels, each 100 .. 20000 "
                                  "(\"1200x800\" or [1200, 800])", v);
        p->width = (uint32_t)pair[0];
        p->height = (uint32_t)pair[1];
        return HPOLAB_OK;
    }
    if (!strcmp(k, "dpi") || !strcmp(k, "nrows") || !strcmp(k, "ncols") ||
        !strcmp(k, "bootstrap_samples")) {
        int64_t hi = k[0] == 'd' ? 2400 : k[0] == 'b' ? 1000000 : 64;
        if (!get_count(v, k[0] == 'd' ? 10 : 1, hi, &n)) {
            char what[64];
            snprintf(what, sizeof what, "an integer %d .. %lld",
                     k[0] == 'd' ? 10 : 1, (long long)hi);
            return bad(err, w, k, what, v);
        }
        *(k[0] == 'd'   ? &p->dpi
          : k[0] == 'b' ? &p->bootstrap_samples
          : k[1] == 'r' ? &p->nrows
                        : &p->ncols) = (uint32_t)n;
        return HPOLAB_OK;
    }
    if (!strcmp(k, "num_runs") || !strcmp(k, "bootstrap_seed")) {
        if (!get_count(v, k[0] == 'n' ? 1 : 0, k[0] == 'n' ? 1000000 : 4294967295LL,
                       &n))
            return bad(err, w, k,
                       k[0] == 'n' ? "an integer >= 1"
                                   : "an integer 0 .. 4294967295",
                       v);
        *(k[0] == 'n' ? &p->num_runs : &p->seed) = n;
        return HPOLAB_OK;
    }
    if (!strcmp(k, "legend")) {
        const char *s = json_string_value(v);
        for (size_t i = 0; s && i < sizeof legends / sizeof *legends; i++)
            if (strcmp(s, legends[i]) == 0)
                return get_text(v, &p->legend, w, k, err);
        return bad(err, w, k,
                   "one of \"top right\", \"top left\", \"bottom right\", "
                   "\"bottom left\", \"outside\", \"below\", \"none\"",
                   v);
    }
    if (!strcmp(k, "setup") || !strcmp(k, "subplot")) {
        char **f = k[1] == 'e' ? &p->setup : &p->subplot;
        int32_t rc = get_text(v, f, w, k, err);
        if (rc == HPOLAB_OK && (rc = hpolab_template_check(*f, err)) != HPOLAB_OK)
            hpolab_error_prefix(err, "%s%s%s", w,
                                w[strlen(w) - 1] == '-' ? "" : ".", k);
        return rc;
    }
    if (!strcmp(k, "setups"))
        return get_list(v, &p->setups, &p->n_setups, w, k, err);
    if (!strcmp(k, "subplot_titles"))
        return get_list(v, &p->subplot_titles, &p->n_subplot_titles, w, k, err);
    if (!strcmp(k, "format")) {
        char **l = NULL;
        size_t cnt = 0;
        int32_t rc = get_list(v, &l, &cnt, w, k, err);
        for (size_t i = 0; rc == HPOLAB_OK && i < cnt; i++)
            if (strcmp(l[i], "png") && strcmp(l[i], "svg") && strcmp(l[i], "pdf"))
                rc = bad(err, w, k, "formats among png, svg, pdf (\"png,pdf\")",
                         v);
        free_list(l, cnt);
        if (rc != HPOLAB_OK)
            return rc;
        if (json_is_array(v)) { /* keep one comma-separated text */
            char buf[64] = "";
            for (size_t i = 0; i < json_array_size(v); i++)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
                         i ? "," : "", json_string_value(json_array_get(v, i)));
            json_t *s = json_string(buf);
            rc = s ? get_text(s, &p->format, w, k, err)
                   : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
            json_decref(s);
            return rc;
        }
        return get_text(v, &p->format, w, k, err);
    }
    return HPOLAB_ERR_NOT_FOUND;
}

int32_t hpolab_plot_params_apply(struct hpolab_plot_params *p,
                                 const json_t *obj, const char *where,
                                 struct hpolab_error *err)
{
    if (!obj)
        return HPOLAB_OK;
    if (!json_is_object(obj))
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "%s: expected an object of plot parameters",
                                where);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        int32_t rc = apply_one(p, k, v, where, err);
        if (rc == HPOLAB_ERR_NOT_FOUND) {
            const char *hint = hpolab_study_suggest(k, keys, N_KEYS);
            if (hint)
                return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                        "%s: unknown key '%s' (did you mean "
                                        "'%s'?)",
                                        where, k, hint);
            char list[1024] = "";
            for (size_t i = 0; i < N_KEYS; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list),
                         "%s%s", i ? ", " : "", keys[i]);
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "%s: unknown key '%s'; expected one of: %s",
                                    where, k, list);
        }
        if (rc != HPOLAB_OK)
            return rc;
    }
    return HPOLAB_OK;
}

static int32_t dflt_text(char **f, const char *text, struct hpolab_error *err)
{
    if (*f)
        return HPOLAB_OK;
    if (!(*f = strdup(text)))
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    return HPOLAB_OK;
}

int32_t hpolab_plot_params_finish(struct hpolab_plot_params *p,
                                  struct hpolab_error *err)
{
    if (isnan(p->metric_multiplier))
        p->metric_multiplier = 1.0;
    if (p->convert_to_min < 0)
        p->convert_to_min = 1;
    if (p->aggregate < 0)
        p->aggregate = HPOLAB_AGGREGATE_IQM_BOOTSTRAP;
    if (p->grid < 0)
        p->grid = 0;
    if (p->logx < 0)
        p->logx = 0;
    if (p->logy < 0)
        p->logy = 0;
    if (!p->dpi)
        p->dpi = 200;
    if (!p->bootstrap_samples)
        p->bootstrap_samples = 1000;
    if (p->seed < 0)
        p->seed = 0;
    int32_t rc = dflt_text(&p->legend, "top right", err);
    if (rc == HPOLAB_OK)
        rc = dflt_text(&p->setup, "algorithm", err);
    if (rc == HPOLAB_OK)
        rc = dflt_text(&p->xlabel, "wall-clock time (secs)", err);
    if (rc == HPOLAB_OK)
        rc = dflt_text(&p->title, "", err);
    if (rc == HPOLAB_OK)
        rc = dflt_text(&p->format, "png,svg,pdf", err);
    return rc;
}
