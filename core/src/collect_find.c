/* collect_find.c: discovering and filtering experiments (collect_find.h). */
#include "collect_find.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "collect_template.h"
#include "fsutil.h"
#include "metadata.h"

/* "dddd-dd-dd-dd-dd-dd" */
static int is_datetime(const char *s, size_t len)
{
    static const char pat[] = "dddd-dd-dd-dd-dd-dd";
    if (len != 19)
        return 0;
    for (size_t i = 0; i < 19; i++)
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != '-')
            return 0;
    return 1;
}

int hpolab_tuner_name_datetime(const char *name, char out[HPOLAB_DATETIME_SIZE])
{
    size_t n = strlen(name);
    if (n < 24 || name[n - 24] != '-' || name[n - 4] != '-')
        return 0;
    for (size_t i = n - 3; i < n; i++)
        if (!isdigit((unsigned char)name[i]))
            return 0;
    if (!is_datetime(name + n - 23, 19))
        return 0;
    memcpy(out, name + n - 23, 19);
    out[19] = '\0';
    return 1;
}

int32_t hpolab_datetime_bound(const char *text, int upper, const char *what,
                              char out[HPOLAB_DATETIME_SIZE],
                              struct hpolab_error *err)
{
    size_t n = strlen(text);
    if (is_datetime(text, n)) {
        memcpy(out, text, 20);
        return HPOLAB_OK;
    }
    if (n == 10) {
        char full[20];
        memcpy(full, text, 10);
        memcpy(full + 10, upper ? "-23-59-59" : "-00-00-00", 10);
        if (is_datetime(full, 19)) {
            memcpy(out, full, 20);
            return HPOLAB_OK;
        }
    }
    return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                            "%s: expected a UTC date-time YYYY-MM-DD-HH-MM-SS "
                            "(as in experiment folder names) or a day "
                            "YYYY-MM-DD, got '%s'",
                            what, text);
}

/* ---- the list of candidate folders ------------------------------------ */

struct paths {
    char **items;
    size_t n, cap;
};

static int paths_add(struct paths *p, char *path)
{
    if (!path)
        return 0;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        char **g = realloc(p->items, cap * sizeof *g);
        if (!g) {
            free(path);
            return 0;
        }
        p->items = g;
        p->cap = cap;
    }
    p->items[p->n++] = path;
    return 1;
}

static void paths_free(struct paths *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->items[i]);
    free(p->items);
}

/* Folders in dir whose name starts with prefix (prefix NULL: all). */
static int scan(const char *dir, const char *prefix, struct paths *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return 1; /* a missing folder is no error: nothing there */
    size_t plen = prefix ? strlen(prefix) : 0;
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (prefix && strncmp(e->d_name, prefix, plen) != 0)
            continue;
        char *p = hpolab_path_join(dir, e->d_name);
        if (p && !hpolab_is_dir(p)) {
            free(p);
            continue;
        }
        ok = paths_add(out, p);
    }
    closedir(d);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- filters ----------------------------------------------------------- */

static int text_equal(const char *have, const char *want, const json_t *v)
{
    if (strcmp(have, want) == 0)
        return 1;
    /* booleans: accept JSON's spelling too */
    if (json_is_boolean(v))
        return strcasecmp(want, json_is_true(v) ? "true" : "false") == 0;
    return 0;
}

/* 1 if md passes every key=value filter. */
static int passes_where(const struct hpolab_collect_query *q, const json_t *md)
{
    for (size_t i = 0; i < q->n_where; i++) {
        const char *eq = strchr(q->where[i], '=');
        size_t klen = (size_t)(eq - q->where[i]);
        /* the filter's key is checked once, at its first occurrence */
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            if (strncmp(q->where[j], q->where[i], klen + 1) == 0)
                first = 0;
        if (!first)
            continue;
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)klen, q->where[i]);
        const json_t *v = json_object_get(md, key);
        char *have = v ? hpolab_meta_text(v) : NULL;
        int match = 0;
        for (size_t j = i; j < q->n_where && have && !match; j++)
            if (strncmp(q->where[j], q->where[i], klen + 1) == 0)
                match = text_equal(have, q->where[j] + klen + 1, v);
        free(have);
        if (!match)
            return 0;
    }
    return 1;
}

static int32_t check_query(const struct hpolab_collect_query *q,
                           char since[HPOLAB_DATETIME_SIZE],
                           char until[HPOLAB_DATETIME_SIZE],
                           struct hpolab_error *err)
{
    if (q->n_tags == 0)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "no experiment tag given");
    for (size_t i = 0; i < q->n_tags; i++)
        if (!q->tags[i][0] || strchr(q->tags[i], '/'))
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "experiment tag '%s': expected a name "
                                    "without '/'",
                                    q->tags[i]);
    int32_t rc = hpolab_template_check(q->setup, err);
    if (rc != HPOLAB_OK)
        return hpolab_error_prefix(err, "setup");
    if (q->subplot && (rc = hpolab_template_check(q->subplot, err)) !=
                          HPOLAB_OK)
        return hpolab_error_prefix(err, "subplot");
    since[0] = until[0] = '\0';
    if (q->since &&
        (rc = hpolab_datetime_bound(q->since, 0, "since", since, err)) !=
            HPOLAB_OK)
        return rc;
    if (q->until &&
        (rc = hpolab_datetime_bound(q->until, 1, "until", until, err)) !=
            HPOLAB_OK)
        return rc;
    if (since[0] && until[0] && strcmp(since, until) > 0)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "since %s is later than until %s", since,
                                until);
    for (size_t i = 0; i < q->n_where; i++) {
        const char *eq = strchr(q->where[i], '=');
        if (!eq || eq == q->where[i] || eq - q->where[i] >= 255)
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "filter '%s': expected key=value (a "
                                    "metadata.json key), e.g. n_workers=4",
                                    q->where[i]);
    }
    return HPOLAB_OK;
}

/* ---- one folder --------------------------------------------------------- */

static void experiment_free(struct hpolab_experiment *e)
{
    free(e->dir);
    free(e->name);
    json_decref(e->metadata);
    free(e->benchmark);
    free(e->setup);
    free(e->subplot);
}

/* 1 kept, 0 skipped, -1 out of memory. */
static int consider(const struct hpolab_collect_query *q, const char *tag,
                    const char *dir, const char *since, const char *until,
                    struct hpolab_collection *out, struct hpolab_diag *warn)
{
    const char *name = strrchr(dir, '/');
    name = name ? name + 1 : dir;
    char dt[HPOLAB_DATETIME_SIZE];
    if (since[0] || until[0]) {
        if (!hpolab_tuner_name_datetime(name, dt)) {
            hpolab_diag_add(warn,
                            "%s: the folder name does not end in a date-time "
                            "(-YYYY-MM-DD-HH-MM-SS-mmm), so the since/until "
                            "filter cannot place it; skipped",
                            dir);
            return 0;
        }
        if ((since[0] && strcmp(dt, since) < 0) ||
            (until[0] && strcmp(dt, until) > 0))
            return 0;
    }
    struct hpolab_error e;
    json_t *md = NULL;
    int32_t rc = hpolab_metadata_read(dir, &md, &e);
    if (rc == HPOLAB_ERR_NOT_FOUND)
        return 0; /* not an experiment folder */
    if (rc == HPOLAB_ERR_NOMEM)
        return -1;
    if (rc != HPOLAB_OK) {
        hpolab_diag_add(warn, "%s; skipped", e.message);
        return 0;
    }
    out->folders++;
    const json_t *t = json_object_get(md, "tag");
    if ((json_is_string(t) && strcmp(json_string_value(t), tag) != 0) ||
        !passes_where(q, md)) {
        json_decref(md);
        return 0;
    }
    struct hpolab_experiment x = {.metadata = md, .seed = -1};
    const char *bkey = q->benchmark_key ? q->benchmark_key : "benchmark";
    const json_t *b = json_object_get(md, bkey);
    if (b && !(x.benchmark = hpolab_meta_text(b)))
        goto nomem;
    if (q->benchmark && (!x.benchmark || strcmp(x.benchmark, q->benchmark))) {
        experiment_free(&x);
        return 0;
    }
    const json_t *s = json_object_get(md, "seed");
    if (json_is_integer(s))
        x.seed = (int64_t)json_integer_value(s);
    rc = hpolab_template_expand(q->setup, md, &x.setup, &e);
    if (rc == HPOLAB_OK && q->subplot)
        rc = hpolab_template_expand(q->subplot, md, &x.subplot, &e);
    if (rc == HPOLAB_ERR_NOMEM)
        goto nomem;
    if (rc != HPOLAB_OK) {
        hpolab_diag_add(warn, "%s/%s: %s; skipped", dir, HPOLAB_METADATA_JSON,
                        e.message);
        experiment_free(&x);
        return 0;
    }
    x.dir = strdup(dir);
    x.name = strdup(name);
    if (!x.dir || !x.name)
        goto nomem;
    struct hpolab_experiment *g =
        realloc(out->items, (out->n + 1) * sizeof *g);
    if (!g)
        goto nomem;
    out->items = g;
    out->items[out->n++] = x;
    return 1;
nomem:
    experiment_free(&x);
    return -1;
}

int32_t hpolab_collect_find(const struct hpolab_collect_query *q,
                            struct hpolab_collection *out,
                            struct hpolab_diag *warn, struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    char since[HPOLAB_DATETIME_SIZE], until[HPOLAB_DATETIME_SIZE];
    int32_t rc = check_query(q, since, until, err);
    if (rc != HPOLAB_OK)
        return rc;
    for (size_t i = 0; i < q->n_tags; i++) {
        const char *tag = q->tags[i];
        char prefix[300];
        snprintf(prefix, sizeof prefix, "%s-", tag);
        struct paths found = {0}, subdirs = {0};
        int ok = scan(q->root, prefix, &found);
        char *nested = hpolab_path_join(q->root, tag);
        ok = ok && nested && scan(nested, NULL, &subdirs);
        for (size_t j = 0; ok && j < subdirs.n; j++)
            ok = scan(subdirs.items[j], prefix, &found);
        free(nested);
        paths_free(&subdirs);
        if (ok && found.n > 1)
            qsort(found.items, found.n, sizeof *found.items, cmp_str);
        for (size_t j = 0; ok && j < found.n; j++)
            ok = consider(q, tag, found.items[j], since, until, out, warn) >= 0;
        paths_free(&found);
        if (!ok) {
            hpolab_collection_free(out);
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                    "collecting experiments: out of memory");
        }
    }
    return HPOLAB_OK;
}

void hpolab_collection_free(struct hpolab_collection *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        experiment_free(&c->items[i]);
    free(c->items);
    memset(c, 0, sizeof *c);
}
