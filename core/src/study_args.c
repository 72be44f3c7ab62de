/* study_args.c: the study's extra command-line arguments (Syne Tune's
 * extra_args, §3.10): their declarations, the conversion of a command-line
 * string to a typed value, and the values a run uses. */
#include "study_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const builtin_options[] = {
    "experiment_tag", "benchmark", "method", "num_seeds", "start_seed",
    "random_seed", "n_workers", "max_wallclock_time", "max_num_evaluations",
    "results_dir", "verbose", "instance_type", "scale_max_wallclock_time",
    "resume", "results_update_interval", "backend", "backend_options",
    "help",
    /* hpolab launch's own: a study argument of that name would be taken by
     * the launcher, never reach the slices */
    "engine", "wait", "skip_existing", "max_parallel", "time_limit",
    "partition", "account", "cpus_per_task", "gpus", "sbatch_args",
    "no_array", NULL};

const char *const *hpolab_study_builtin_option_names(void)
{
    return builtin_options;
}

static const char *const type_names[] = {"int", "float", "str", "bool"};
#define N_TYPES (sizeof type_names / sizeof type_names[0])

const char *hpolab_study_arg_type_name(int32_t type)
{
    return type >= 0 && (size_t)type < N_TYPES ? type_names[type] : NULL;
}

static const char *type_expectation(int32_t type)
{
    switch (type) {
    case HPOLAB_ARG_INT: return "an integer";
    case HPOLAB_ARG_FLOAT: return "a number";
    case HPOLAB_ARG_STR: return "a string";
    default: return "true or false";
    }
}

/* The value as the argument's type holds it (ints stay ints, floats become
 * reals); NULL if v has the wrong type. New reference. */
static json_t *typed_value(int32_t type, const json_t *v)
{
    switch (type) {
    case HPOLAB_ARG_INT:
        return json_is_integer(v) ? json_copy((json_t *)v) : NULL;
    case HPOLAB_ARG_FLOAT:
        return json_is_number(v) ? json_real(json_number_value(v)) : NULL;
    case HPOLAB_ARG_STR:
        return json_is_string(v) ? json_copy((json_t *)v) : NULL;
    default:
        return json_is_boolean(v) ? json_copy((json_t *)v) : NULL;
    }
}

static int in_choices(const json_t *choices, const json_t *v)
{
    size_t i;
    json_t *c;
    json_array_foreach(choices, i, c)
    {
        if (json_equal(c, (json_t *)v))
            return 1;
    }
    return 0;
}

static void choices_text(const json_t *choices, char *buf, size_t cap)
{
    size_t used = 0, i;
    json_t *c;
    buf[0] = '\0';
    json_array_foreach(choices, i, c)
    {
        char one[128];
        if (used >= cap)
            break;
        used += (size_t)snprintf(buf + used, cap - used, "%s%s",
                                 i ? ", " : "",
                                 hpolab_study_describe(c, one, sizeof one));
    }
}

static int valid_arg_name(const char *name)
{
    if (!((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') ||
          *name == '_'))
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

static int is_builtin(const char *name)
{
    for (size_t i = 0; builtin_options[i]; i++)
        if (strcmp(name, builtin_options[i]) == 0)
            return 1;
    return 0;
}

const struct hpolab_study_extra_arg *
hpolab_study_find_extra_arg_in(const struct hpolab_study_extra_arg *args,
                               size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (args[i].name && strcmp(args[i].name, name) == 0)
            return &args[i];
    return NULL;
}

const struct hpolab_study_extra_arg *
hpolab_study_find_extra_arg(const struct hpolab_study *s, const char *name)
{
    return hpolab_study_find_extra_arg_in(s->extra_args, s->n_extra_args,
                                          name);
}

void hpolab_study_extra_arg_free(struct hpolab_study_extra_arg *a)
{
    free(a->name);
    free(a->help);
    json_decref(a->default_value);
    json_decref(a->choices);
    memset(a, 0, sizeof *a);
}

static const char *const decl_keys[] = {"name", "type", "default",
                                        "help", "choices", "required"};
#define N_DECL_KEYS (sizeof decl_keys / sizeof decl_keys[0])

/* One declaration; returns 0 if it has a problem (reported), 1 if fine,
 * -1 on out of memory. names[0..index) are the names declared before. */
static int parse_decl(struct hpolab_study_ctx *c, const json_t *d,
                      const char *path, struct hpolab_study_extra_arg *a,
                      const char *const *names, size_t index)
{
    char p[HPOLAB_STUDY_PATH_MAX];
    if (!json_is_object(d)) {
        hpolab_study_expected(
            c, path,
            "an object {\"name\", \"type\", \"default\", \"help\", "
            "\"choices\", \"required\"}",
            d);
        return 0;
    }
    size_t before = c->diag->count;
    hpolab_study_check_keys(c, path, d, decl_keys, N_DECL_KEYS);

    const json_t *v = json_object_get(d, "name");
    hpolab_study_path_key(p, sizeof p, path, "name");
    if (!v) {
        hpolab_study_errf(c, path, "missing required key 'name'");
    } else if (!json_is_string(v) || !valid_arg_name(json_string_value(v))) {
        hpolab_study_expected(
            c, p, "an option name ([A-Za-z_][A-Za-z0-9_-]*)", v);
    } else {
        const char *name = json_string_value(v);
        size_t k = 0;
        while (k < index && !(names[k] && strcmp(names[k], name) == 0))
            k++;
        if (is_builtin(name))
            hpolab_study_errf(c, p,
                              "'%s' is a built-in option of hpolab run; "
                              "choose another name",
                              name);
        else if (k < index)
            hpolab_study_errf(c, p, "'%s' is declared twice (also at "
                              "extra_args[%zu])", name, k);
        if (!(a->name = strdup(name)))
            return -1;
    }

    a->type = HPOLAB_ARG_STR; /* argparse's default */
    int type_ok = 1;
    v = json_object_get(d, "type");
    hpolab_study_path_key(p, sizeof p, path, "type");
    if (v && !json_is_null(v)) {
        size_t t = 0;
        while (t < N_TYPES && !(json_is_string(v) &&
                                strcmp(json_string_value(v), type_names[t]) == 0))
            t++;
        if (t == N_TYPES) {
            type_ok = 0;
            hpolab_study_expected(c, p, "one of 'int', 'float', 'str', 'bool'",
                                  v);
        } else {
            a->type = (int32_t)t;
        }
    }

    v = json_object_get(d, "help");
    hpolab_study_path_key(p, sizeof p, path, "help");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v))
            hpolab_study_expected(c, p, "a string", v);
        else if (!(a->help = strdup(json_string_value(v))))
            return -1;
    }

    v = json_object_get(d, "required");
    hpolab_study_path_key(p, sizeof p, path, "required");
    if (v && !json_is_null(v)) {
        if (!json_is_boolean(v))
            hpolab_study_expected(c, p, "true or false", v);
        else
            a->required = json_is_true(v);
    }

    v = json_object_get(d, "choices");
    hpolab_study_path_key(p, sizeof p, path, "choices");
    if (v && !json_is_null(v)) {
        if (!json_is_array(v) || json_array_size(v) == 0) {
            hpolab_study_expected(c, p, "a non-empty array of values", v);
        } else if (type_ok) {
            json_t *choices = json_array();
            if (!choices)
                return -1;
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                char pe[HPOLAB_STUDY_PATH_MAX];
                hpolab_study_path_index(pe, sizeof pe, p, i);
                json_t *t = typed_value(a->type, e);
                if (!t) {
                    char what[96];
                    snprintf(what, sizeof what, "%s (type %s)",
                             type_expectation(a->type), type_names[a->type]);
                    hpolab_study_expected(c, pe, what, e);
                    continue;
                }
                if (in_choices(choices, t)) {
                    char got[128];
                    hpolab_study_errf(c, pe, "duplicate choice %s",
                                      hpolab_study_describe(t, got, sizeof got));
                    json_decref(t);
                    continue;
                }
                json_array_append_new(choices, t);
            }
            a->choices = choices;
        }
    }

    a->default_value = json_null();
    v = json_object_get(d, "default");
    hpolab_study_path_key(p, sizeof p, path, "default");
    if (v && !json_is_null(v)) {
        if (a->required) {
            hpolab_study_errf(c, p,
                              "a required argument takes no default; remove "
                              "'default' or set 'required' to false");
        } else if (type_ok) {
            json_t *t = typed_value(a->type, v);
            if (!t) {
                char what[96];
                snprintf(what, sizeof what, "%s (type %s)",
                         type_expectation(a->type), type_names[a->type]);
                hpolab_study_expected(c, p, what, v);
            } else if (a->choices && !in_choices(a->choices, t)) {
                char list[512], what[560];
                choices_text(a->choices, list, sizeof list);
                snprintf(what, sizeof what, "one of the choices %s", list);
                hpolab_study_expected(c, p, what, v);
                json_decref(t);
            } else {
                json_decref(a->default_value);
                a->default_value = t;
            }
        }
    }
    return c->diag->count == before;
}

int32_t hpolab_study_parse_extra_args(struct hpolab_study *s,
                                      struct hpolab_study_ctx *c)
{
    const json_t *decls = json_object_get(s->json, "extra_args");
    if (!decls || json_is_null(decls))
        return HPOLAB_OK;
    if (!json_is_array(decls)) {
        hpolab_study_expected(c, "extra_args",
                              "an array of argument declarations", decls);
        return HPOLAB_ERR_INVALID;
    }
    size_t n = json_array_size(decls);
    if (n == 0)
        return HPOLAB_OK;
    s->extra_args = calloc(n, sizeof *s->extra_args);
    const char **names = calloc(n, sizeof *names);
    if (!s->extra_args || !names) {
        free(names);
        return HPOLAB_ERR_NOMEM;
    }
    s->n_extra_args = n;
    int32_t rc = HPOLAB_OK;
    for (size_t i = 0; i < n; i++) {
        char path[HPOLAB_STUDY_PATH_MAX];
        hpolab_study_path_index(path, sizeof path, "extra_args", i);
        int r = parse_decl(c, json_array_get(decls, i), path,
                           &s->extra_args[i], names, i);
        if (r < 0) {
            rc = HPOLAB_ERR_NOMEM;
            break;
        }
        if (r == 0)
            rc = HPOLAB_ERR_INVALID;
        names[i] = s->extra_args[i].name;
    }
    free(names);
    return rc;
}

static int parse_bool(const char *text, int *out)
{
    static const char *const yes[] = {"yes", "true", "t", "y", "1"};
    static const char *const no[] = {"no", "false", "f", "n", "0"};
    for (size_t i = 0; i < 5; i++) {
        if (strcasecmp(text, yes[i]) == 0)
            return *out = 1, 1;
        if (strcasecmp(text, no[i]) == 0)
            return *out = 0, 1;
    }
    return 0;
}

static int32_t bad_text(const struct hpolab_study_extra_arg *arg,
                        const char *what, const char *text,
                        struct hpolab_error *err)
{
    return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                            "--%s: expected %s, got '%s'", arg->name, what,
                            text);
}

int32_t hpolab_study_arg_convert(const struct hpolab_study_extra_arg *arg,
                                 const char *text, json_t **out,
                                 struct hpolab_error *err)
{
    *out = NULL;
    json_t *v = NULL;
    char *end = NULL;
    switch (arg->type) {
    case HPOLAB_ARG_INT: {
        const char *p = text;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return bad_text(arg, "an integer", text, err);
        errno = 0;
        long long x = strtoll(text, &end, 10);
        if (*end)
            return bad_text(arg, "an integer", text, err);
        if (errno == ERANGE)
            return bad_text(arg, "an integer of at most 64 bits", text, err);
        v = json_integer((json_int_t)x);
        break;
    }
    case HPOLAB_ARG_FLOAT: {
        if (!*text || *text == ' ' || *text == '\t')
            return bad_text(arg, "a number", text, err);
        double x = strtod(text, &end);
        if (*end)
            return bad_text(arg, "a number", text, err);
        if (!isfinite(x))
            return bad_text(arg, "a finite number", text, err);
        v = json_real(x);
        break;
    }
    case HPOLAB_ARG_STR:
        v = json_string(text);
        if (!v)
            return bad_text(arg, "UTF-8 text", text, err);
        break;
    case HPOLAB_ARG_BOOL: {
        int b;
        if (!parse_bool(text, &b))
            return bad_text(arg,
                            "a boolean (yes/true/t/y/1 or no/false/f/n/0)",
                            text, err);
        v = json_boolean(b);
        break;
    }
    default:
        return hpolab_error_set(err, HPOLAB_ERR_INTERNAL,
                                "--%s: unknown argument type %d", arg->name,
                                (int)arg->type);
    }
    if (!v)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (arg->choices && !in_choices(arg->choices, v)) {
        char list[512], what[560];
        choices_text(arg->choices, list, sizeof list);
        snprintf(what, sizeof what, "one of %s", list);
        json_decref(v);
        return bad_text(arg, what, text, err);
    }
    *out = v;
    return HPOLAB_OK;
}

int32_t hpolab_study_arg_values(const struct hpolab_study *s,
                                struct hpolab_study_ctx *c,
                                const json_t *cli_arg_strings, json_t **out)
{
    *out = NULL;
    json_t *values = json_object();
    if (!values)
        return HPOLAB_ERR_NOMEM;
    int32_t rc = HPOLAB_OK;
    if (cli_arg_strings && !json_is_object(cli_arg_strings)) {
        json_decref(values);
        hpolab_diag_add(c->diag, "extra arguments: expected an object name "
                                 "-> text from the command line");
        return HPOLAB_ERR_INVALID;
    }
    const char *key;
    json_t *text;
    json_object_foreach((json_t *)cli_arg_strings, key, text)
    {
        if (hpolab_study_find_extra_arg(s, key))
            continue;
        const char **names = calloc(s->n_extra_args + 1, sizeof *names);
        for (size_t i = 0; names && i < s->n_extra_args; i++)
            names[i] = s->extra_args[i].name;
        const char *hint =
            names ? hpolab_study_suggest(key, names, s->n_extra_args) : NULL;
        if (hint)
            hpolab_diag_add(c->diag,
                            "--%s: not an option of %s (did you mean --%s?)",
                            key, s->path, hint);
        else
            hpolab_diag_add(c->diag, "--%s: not an option of %s", key,
                            s->path);
        free(names);
        rc = HPOLAB_ERR_INVALID;
    }
    for (size_t i = 0; i < s->n_extra_args; i++) {
        const struct hpolab_study_extra_arg *a = &s->extra_args[i];
        if (!a->name)
            continue;
        json_t *given = cli_arg_strings
                            ? json_object_get(cli_arg_strings, a->name)
                            : NULL;
        json_t *v = NULL;
        if (given) {
            struct hpolab_error err;
            if (!json_is_string(given)) {
                hpolab_diag_add(c->diag,
                                "--%s: expected the text given on the "
                                "command line, got a JSON %s",
                                a->name,
                                json_is_object(given) ? "object" : "value");
                rc = HPOLAB_ERR_INVALID;
                continue;
            }
            int32_t r =
                hpolab_study_arg_convert(a, json_string_value(given), &v, &err);
            if (r == HPOLAB_ERR_NOMEM) {
                json_decref(values);
                return r;
            }
            if (r != HPOLAB_OK) {
                hpolab_diag_add(c->diag, "%s", err.message);
                rc = HPOLAB_ERR_INVALID;
                continue;
            }
        } else if (a->required) {
            hpolab_diag_add(c->diag,
                            "--%s: required by %s (extra_args[%zu]), not "
                            "given on the command line",
                            a->name, s->path, i);
            rc = HPOLAB_ERR_INVALID;
            continue;
        } else {
            v = json_incref(a->default_value);
        }
        if (json_object_set_new(values, a->name, v) != 0) {
            json_decref(values);
            return HPOLAB_ERR_NOMEM;
        }
    }
    /* The values that are fine are returned even when some are not, so the
     * rest of the file is still checked (arguments left out count as bad
     * references, already reported). */
    *out = values;
    return rc;
}
