/* study_subst.c: {"$arg": "<name>"} references — replaced by the value of
 * the study's extra argument of that name, anywhere in defaults, benchmarks
 * and methods. */
#include "study_internal.h"

#include <stdlib.h>
#include <string.h>

static int32_t mark(struct hpolab_study_ctx *c, const char *path,
                    const char *arg)
{
    return json_object_set_new(c->origins, path, json_string(arg)) == 0
               ? HPOLAB_OK
               : HPOLAB_ERR_NOMEM;
}

static void report_undeclared(struct hpolab_study_ctx *c, const char *path,
                              const char *name)
{
    if (c->n_args == 0) {
        hpolab_study_errf(c, path,
                          "unknown extra argument '%s' (the study declares "
                          "no extra_args)",
                          name);
        return;
    }
    const char **names = calloc(c->n_args, sizeof *names);
    char list[1024];
    size_t used = 0, k = 0;
    list[0] = '\0';
    for (size_t i = 0; i < c->n_args; i++) {
        if (!c->args[i].name)
            continue;
        if (names)
            names[k++] = c->args[i].name;
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                     used ? ", " : "", c->args[i].name);
    }
    const char *hint = names ? hpolab_study_suggest(name, names, k) : NULL;
    if (hint)
        hpolab_study_errf(c, path,
                          "unknown extra argument '%s' (did you mean '%s'?); "
                          "declared: %s",
                          name, hint, list);
    else
        hpolab_study_errf(c, path, "unknown extra argument '%s'; declared: %s",
                          name, list);
    free(names);
}

/* The replacement of a reference object (new reference): the argument's
 * value, or null for a bad reference (reported, and marked so the field's
 * own check stays silent). */
static int32_t reference(struct hpolab_study_ctx *c, const json_t *obj,
                         const char *path, json_t **out)
{
    const json_t *name = json_object_get(obj, "$arg");
    const char *key;
    json_t *val;
    int bad = 0;
    json_object_foreach((json_t *)obj, key, val)
    {
        if (strcmp(key, "$arg") != 0) {
            hpolab_study_errf(c, path,
                              "expected {\"$arg\": \"<name>\"} alone, got "
                              "the extra key '%s'",
                              key);
            bad = 1;
            break;
        }
    }
    const json_t *value = NULL;
    if (!bad && !json_is_string(name)) {
        char p[HPOLAB_STUDY_PATH_MAX];
        hpolab_study_path_key(p, sizeof p, path, "$arg");
        hpolab_study_expected(c, p, "the name of an extra argument", name);
        bad = 1;
    } else if (!bad) {
        const char *n = json_string_value(name);
        if (!hpolab_study_find_extra_arg_in(c->args, c->n_args, n)) {
            report_undeclared(c, path, n);
            bad = 1;
        } else if (!(value = json_object_get(c->values, n))) {
            bad = 1; /* its command-line value was reported already */
        }
    }
    int32_t rc = mark(c, path, bad ? "" : json_string_value(name));
    *out = bad ? json_null() : json_deep_copy(value);
    if (!*out)
        rc = HPOLAB_ERR_NOMEM;
    return rc;
}

/* *out: the replacement of v (new reference) or NULL to keep v. */
static int32_t walk(struct hpolab_study_ctx *c, json_t *v, const char *path,
                    json_t **out)
{
    *out = NULL;
    char p[HPOLAB_STUDY_PATH_MAX];
    if (json_is_object(v)) {
        if (json_object_get(v, "$arg"))
            return reference(c, v, path, out);
        for (void *it = json_object_iter(v); it;
             it = json_object_iter_next(v, it)) {
            json_t *repl;
            hpolab_study_path_key(p, sizeof p, path, json_object_iter_key(it));
            int32_t rc = walk(c, json_object_iter_value(it), p, &repl);
            if (rc != HPOLAB_OK)
                return rc;
            if (repl && json_object_iter_set_new(v, it, repl) != 0)
                return HPOLAB_ERR_NOMEM;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *repl;
            hpolab_study_path_index(p, sizeof p, path, i);
            int32_t rc = walk(c, json_array_get(v, i), p, &repl);
            if (rc != HPOLAB_OK)
                return rc;
            if (repl && json_array_set_new(v, i, repl) != 0)
                return HPOLAB_ERR_NOMEM;
        }
    }
    return HPOLAB_OK;
}

int32_t hpolab_study_substitute(struct hpolab_study_ctx *c, json_t **v,
                                const char *path)
{
    json_t *repl;
    int32_t rc = walk(c, *v, path, &repl);
    if (repl) {
        json_decref(*v);
        *v = repl;
    }
    return rc;
}
