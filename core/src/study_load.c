/* study_load.c: reading a study file and the two loading phases (open:
 * the file and its extra_args; resolve: everything else). */
#include "study_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "plot" belongs to `hpolab plot` (plot_params.h checks it). */
static const char *const top_keys[] = {"name",       "description",
                                       "extra_args", "defaults",
                                       "benchmarks", "methods",
                                       "plot",       "sagemaker"};
#define N_TOP_KEYS (sizeof top_keys / sizeof top_keys[0])

/* The whole file, NUL-terminated; *len its size. One line in diag on
 * failure. */
static char *read_file(const char *path, size_t *len, struct hpolab_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        hpolab_diag_add(diag, "%s: cannot read the study file: %s", path,
                        strerror(errno));
        return NULL;
    }
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (!buf) {
        hpolab_diag_add(diag, "%s: out of memory reading the study file",
                        path);
    } else if (ferror(f)) {
        hpolab_diag_add(diag, "%s: cannot read the study file: %s", path,
                        strerror(errno));
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
        *len = n;
    }
    fclose(f);
    return buf;
}

/* Absolute folder of path. */
static char *folder_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NULL;
    char *slash = strrchr(copy, '/');
    const char *dir = ".";
    if (slash == copy)
        dir = "/";
    else if (slash) {
        *slash = '\0';
        dir = copy;
    }
    char *abs = realpath(dir, NULL);
    free(copy);
    return abs;
}

static int32_t optional_text(struct hpolab_study_ctx *c, const json_t *doc,
                             const char *key, char **out)
{
    const json_t *v = json_object_get(doc, key);
    if (!v || json_is_null(v))
        return HPOLAB_OK;
    const char *s;
    if (!hpolab_study_get_string(c, key, v, &s))
        return HPOLAB_ERR_INVALID;
    return (*out = strdup(s)) ? HPOLAB_OK : HPOLAB_ERR_NOMEM;
}

int32_t hpolab_study_open(const char *path, struct hpolab_study **out,
                          struct hpolab_diag *diag)
{
    *out = NULL;
    size_t len = 0;
    char *text = read_file(path, &len, diag);
    if (!text)
        return HPOLAB_ERR_IO;
    json_error_t jerr;
    /* Duplicate keys are refused: Python's json keeps the last silently. */
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!doc) {
        hpolab_diag_add(diag, "%s:%d:%d: invalid JSON: %s", path, jerr.line,
                        jerr.column, jerr.text);
        return HPOLAB_ERR_PARSE;
    }
    struct hpolab_study *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        json_decref(doc);
        hpolab_diag_add(diag, "%s: out of memory", path);
        return HPOLAB_ERR_NOMEM;
    }
    s->json = doc;
    if (!(s->dir = folder_of(path))) {
        hpolab_diag_add(diag, "%s: cannot find the study's folder: %s", path,
                        strerror(errno));
        hpolab_study_free(s);
        return HPOLAB_ERR_IO;
    }
    struct hpolab_study_ctx c = {.file = s->path, .dir = s->dir, .diag = diag};
    if (!json_is_object(doc)) {
        hpolab_study_expected(&c, "", "a JSON object at the top level", doc);
        hpolab_study_free(s);
        return HPOLAB_ERR_INVALID;
    }
    size_t before = diag->count;
    /* Top-level keys are checked now: a misspelt "extra_args" would
     * otherwise show as unknown command-line options. */
    hpolab_study_check_keys(&c, "", doc, top_keys, N_TOP_KEYS);
    int32_t rc = optional_text(&c, doc, "name", &s->name);
    int32_t r = optional_text(&c, doc, "description", &s->description);
    if (r == HPOLAB_ERR_NOMEM || rc == HPOLAB_ERR_NOMEM)
        rc = HPOLAB_ERR_NOMEM;
    else if ((r = hpolab_study_parse_extra_args(s, &c)) == HPOLAB_ERR_NOMEM)
        rc = r;
    if (rc == HPOLAB_ERR_NOMEM) {
        hpolab_diag_add(diag, "%s: out of memory", path);
        hpolab_study_free(s);
        return rc;
    }
    if (diag->count != before) {
        hpolab_study_free(s);
        return HPOLAB_ERR_INVALID;
    }
    *out = s;
    return HPOLAB_OK;
}

static void drop_parts(struct hpolab_study *s)
{
    for (size_t i = 0; i < s->n_benchmarks; i++)
        hpolab_study_benchmark_clear(&s->benchmarks[i]);
    free(s->benchmarks);
    s->benchmarks = NULL;
    s->n_benchmarks = 0;
    for (size_t i = 0; i < s->n_methods; i++)
        hpolab_study_method_clear(&s->methods[i]);
    free(s->methods);
    s->methods = NULL;
    s->n_methods = 0;
}

/* The values worth recording (metadata.json): the non-null ones. */
static json_t *recorded_values(const json_t *values)
{
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)values, key, v)
    {
        if (out && !json_is_null(v) && json_object_set(out, key, v) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* Deep copy of doc[key] with {"$arg"} substituted; NULL if absent. */
static int32_t substituted(struct hpolab_study_ctx *c, const json_t *doc,
                           const char *key, json_t **out)
{
    *out = NULL;
    const json_t *v = json_object_get(doc, key);
    if (!v)
        return HPOLAB_OK;
    if (!(*out = json_deep_copy(v)))
        return HPOLAB_ERR_NOMEM;
    return hpolab_study_substitute(c, out, key);
}

int32_t hpolab_study_resolve(struct hpolab_study *s,
                             const json_t *cli_arg_strings,
                             struct hpolab_diag *diag)
{
    if (s->resolved)
        return HPOLAB_ERR_STATE;
    size_t before = diag->count;
    struct hpolab_study_ctx c = {.file = s->path,
                                 .dir = s->dir,
                                 .diag = diag,
                                 .args = s->extra_args,
                                 .n_args = s->n_extra_args,
                                 .origins = json_object()};
    json_t *values = NULL, *defaults = NULL, *benchmarks = NULL,
           *methods = NULL;
    int32_t rc = c.origins ? HPOLAB_OK : HPOLAB_ERR_NOMEM;
    if (rc == HPOLAB_OK) {
        rc = hpolab_study_arg_values(s, &c, cli_arg_strings, &values);
        if (rc == HPOLAB_ERR_INVALID)
            rc = HPOLAB_OK; /* reported; the file is still checked */
    }
    c.values = values;
    if (rc == HPOLAB_OK)
        rc = substituted(&c, s->json, "defaults", &defaults);
    if (rc == HPOLAB_OK)
        rc = substituted(&c, s->json, "benchmarks", &benchmarks);
    if (rc == HPOLAB_OK)
        rc = substituted(&c, s->json, "methods", &methods);
    if (rc == HPOLAB_OK)
        rc = hpolab_study_parse_benchmarks(s, &c, defaults, benchmarks);
    if (rc == HPOLAB_OK)
        rc = hpolab_study_parse_methods(s, &c, methods);
    if (rc == HPOLAB_OK && diag->count == before &&
        !(s->arg_values = recorded_values(values)))
        rc = HPOLAB_ERR_NOMEM;
    if (rc == HPOLAB_ERR_NOMEM)
        hpolab_diag_add(diag, "%s: out of memory", s->path);
    else if (diag->count != before)
        rc = HPOLAB_ERR_INVALID;
    if (rc != HPOLAB_OK)
        drop_parts(s);
    else
        s->resolved = 1;
    json_decref(values);
    json_decref(defaults);
    json_decref(benchmarks);
    json_decref(methods);
    json_decref(c.origins);
    return rc;
}

int32_t hpolab_study_load(const char *path, const json_t *cli_arg_strings,
                          struct hpolab_study **out, struct hpolab_diag *diag)
{
    int32_t rc = hpolab_study_open(path, out, diag);
    if (rc != HPOLAB_OK)
        return rc;
    rc = hpolab_study_resolve(*out, cli_arg_strings, diag);
    if (rc != HPOLAB_OK) {
        hpolab_study_free(*out);
        *out = NULL;
    }
    return rc;
}

void hpolab_study_free(struct hpolab_study *s)
{
    if (!s)
        return;
    drop_parts(s);
    for (size_t i = 0; i < s->n_extra_args; i++)
        hpolab_study_extra_arg_free(&s->extra_args[i]);
    free(s->extra_args);
    json_decref(s->arg_values);
    json_decref(s->json);
    free(s->name);
    free(s->description);
    free(s->dir);
    free(s->path);
    free(s);
}

const struct hpolab_study_benchmark *
hpolab_study_find_benchmark(const struct hpolab_study *s, const char *name)
{
    for (size_t i = 0; i < s->n_benchmarks; i++)
        if (strcmp(s->benchmarks[i].name, name) == 0)
            return &s->benchmarks[i];
    return NULL;
}

const struct hpolab_study_method *
hpolab_study_find_method(const struct hpolab_study *s, const char *name)
{
    for (size_t i = 0; i < s->n_methods; i++)
        if (strcmp(s->methods[i].name, name) == 0)
            return &s->methods[i];
    return NULL;
}
