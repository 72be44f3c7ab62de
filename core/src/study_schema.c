/* study_schema.c: the building blocks of study validation — JSON paths,
 * one-line diagnostics, typo suggestions and typed field readers. */
#include "study_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"

/* ASCII only: isalnum() would follow the locale. */
static int is_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9');
}

static int plain_key(const char *key)
{
    if (!*key)
        return 0;
    for (const char *p = key; *p; p++)
        if (!is_alnum(*p) && *p != '_' && *p != '-')
            return 0;
    return 1;
}

void hpolab_study_path_key(char *dst, size_t cap, const char *base,
                           const char *key)
{
    if (plain_key(key)) {
        snprintf(dst, cap, "%s%s%s", base, *base ? "." : "", key);
        return;
    }
    /* Keys with dots or spaces are quoted so the path stays unambiguous. */
    json_t *s = json_string(key);
    char *text = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    snprintf(dst, cap, "%s[%s]", base, text ? text : "\"?\"");
    free(text);
    json_decref(s);
}

void hpolab_study_path_index(char *dst, size_t cap, const char *base,
                             size_t index)
{
    snprintf(dst, cap, "%s[%zu]", base, index);
}

static void add_line(struct hpolab_study_ctx *c, const char *path,
                     const char *msg)
{
    if (path && *path)
        hpolab_diag_add(c->diag, "%s: %s: %s", c->file, path, msg);
    else
        hpolab_diag_add(c->diag, "%s: %s", c->file, msg);
}

void hpolab_study_errf(struct hpolab_study_ctx *c, const char *path,
                       const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    add_line(c, path, msg);
}

const char *hpolab_study_origin(const struct hpolab_study_ctx *c,
                                const char *path)
{
    if (!c->origins)
        return NULL;
    return json_string_value(json_object_get(c->origins, path));
}

const char *hpolab_study_describe(const json_t *v, char *buf, size_t cap)
{
    char num[HPOLAB_PYFLOAT_BUFSIZE];
    switch (json_typeof(v)) {
    case JSON_OBJECT: snprintf(buf, cap, "an object"); break;
    case JSON_ARRAY: snprintf(buf, cap, "an array"); break;
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t len = strlen(s);
        if (len > 60)
            snprintf(buf, cap, "'%.57s...'", s);
        else
            snprintf(buf, cap, "'%s'", s);
        break;
    }
    case JSON_INTEGER:
        snprintf(buf, cap, "%" PRId64, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(buf, cap, "%s", hpolab_pyfloat(json_real_value(v), num));
        break;
    case JSON_TRUE: snprintf(buf, cap, "true"); break;
    case JSON_FALSE: snprintf(buf, cap, "false"); break;
    case JSON_NULL: snprintf(buf, cap, "null"); break;
    default: snprintf(buf, cap, "nothing"); break;
    }
    return buf;
}

void hpolab_study_expected(struct hpolab_study_ctx *c, const char *path,
                           const char *what, const json_t *value)
{
    const char *origin = hpolab_study_origin(c, path);
    if (origin && !*origin)
        return; /* a bad $arg reference, reported where it was found */
    char got[128];
    if (value)
        hpolab_study_describe(value, got, sizeof got);
    else
        snprintf(got, sizeof got, "nothing");
    if (origin)
        hpolab_study_errf(c, path, "expected %s, got %s (from --%s)", what,
                          got, origin);
    else
        hpolab_study_errf(c, path, "expected %s, got %s", what, got);
}

/* Edit distance, case-insensitive; stops early beyond limit. */
static size_t distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            int same = tolower((unsigned char)a[i - 1]) ==
                       tolower((unsigned char)b[j - 1]);
            size_t best = diag + (same ? 0 : 1);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *hpolab_study_suggest(const char *word,
                                 const char *const *candidates, size_t n)
{
    size_t len = strlen(word);
    size_t limit = len / 3;
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(word, candidates[i], limit);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

size_t hpolab_study_check_keys(struct hpolab_study_ctx *c, const char *path,
                               const json_t *obj, const char *const *allowed,
                               size_t n)
{
    size_t unknown = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        size_t i = 0;
        while (i < n && strcmp(key, allowed[i]) != 0)
            i++;
        if (i < n)
            continue;
        unknown++;
        const char *hint = hpolab_study_suggest(key, allowed, n);
        if (hint) {
            hpolab_study_errf(c, path, "unknown key '%s' (did you mean '%s'?)",
                              key, hint);
            continue;
        }
        char list[1024];
        size_t used = 0;
        list[0] = '\0';
        for (size_t k = 0; k < n && used < sizeof list; k++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                     k ? ", " : "", allowed[k]);
        hpolab_study_errf(c, path, "unknown key '%s'; expected one of: %s",
                          key, list);
    }
    return unknown;
}

void hpolab_study_quiet(struct hpolab_study_ctx *c, struct hpolab_diag *scratch)
{
    memset(scratch, 0, sizeof *scratch);
    c->real_diag = c->diag;
    c->diag = scratch;
}

void hpolab_study_unquiet(struct hpolab_study_ctx *c,
                          struct hpolab_diag *scratch)
{
    c->diag = c->real_diag;
    c->real_diag = NULL;
    hpolab_diag_free(scratch);
}

int hpolab_study_get_string(struct hpolab_study_ctx *c, const char *path,
                            const json_t *v, const char **out)
{
    if (!json_is_string(v) || !*json_string_value(v)) {
        hpolab_study_expected(c, path, "a non-empty string", v);
        return 0;
    }
    *out = json_string_value(v);
    return 1;
}

int hpolab_study_get_int(struct hpolab_study_ctx *c, const char *path,
                         const json_t *v, int64_t min, int64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < min) {
        char what[64];
        snprintf(what, sizeof what, "an integer >= %" PRId64, min);
        hpolab_study_expected(c, path, what, v);
        return 0;
    }
    *out = (int64_t)json_integer_value(v);
    return 1;
}

int hpolab_study_get_positive(struct hpolab_study_ctx *c, const char *path,
                              const json_t *v, double *out)
{
    if (!json_is_number(v) || !(json_number_value(v) > 0) ||
        !isfinite(json_number_value(v))) {
        hpolab_study_expected(c, path, "a number > 0", v);
        return 0;
    }
    *out = json_number_value(v);
    return 1;
}

int hpolab_study_is_valid_name(const char *name)
{
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return 0;
    for (const char *p = name; *p; p++)
        if (!is_alnum(*p) && *p != '_' && *p != '.' && *p != '-')
            return 0;
    return 1;
}

int hpolab_study_is_valid_plugin_id(const char *id)
{
    if (!*id)
        return 0;
    for (const char *p = id; *p; p++)
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
            *p != '_')
            return 0;
    return 1;
}

char *hpolab_study_where(const struct hpolab_study_ctx *c, const char *path)
{
    char *s = NULL;
    if (asprintf(&s, "%s: %s", c->file, path) < 0)
        return NULL;
    return s;
}
