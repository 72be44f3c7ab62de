#include "options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int32_t hpolab_options_create(const json_t *values, const char *where,
                              struct hpolab_options **out,
                              struct hpolab_error *err)
{
    *out = NULL;
    if (values && !json_is_object(values))
        return hpolab_error_set(err, HPOLAB_ERR_TYPE,
                                "%s: expected an object of options", where);
    struct hpolab_options *opts = calloc(1, sizeof *opts);
    if (!opts)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    opts->values = values ? json_deep_copy(values) : json_object();
    opts->where = strdup(where ? where : "options");
    opts->read = json_object();
    if (!opts->values || !opts->where || !opts->read) {
        hpolab_options_free(opts);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    *out = opts;
    return HPOLAB_OK;
}

void hpolab_options_free(struct hpolab_options *opts)
{
    if (!opts)
        return;
    json_decref(opts->values);
    json_decref(opts->read);
    free(opts->where);
    free(opts);
}

int32_t hpolab_options_check_all_read(const struct hpolab_options *opts,
                                      const char *component,
                                      struct hpolab_error *err)
{
    if (!opts)
        return HPOLAB_OK;
    const char *key;
    json_t *val;
    json_object_foreach(opts->values, key, val)
    {
        if (!json_object_get(opts->read, key))
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "%s: unknown option '%s' for %s",
                                    opts->where, key, component);
    }
    return HPOLAB_OK;
}

/* The option's value, remembering that it was asked for; NULL if absent
 * (a JSON null counts as absent: "use the default"). */
static const json_t *lookup(const struct hpolab_options *opts,
                            const char *name)
{
    if (!opts)
        return NULL;
    /* read is a cache of names; the const of opts covers the values only */
    json_object_set_new(opts->read, name, json_true());
    const json_t *v = json_object_get(opts->values, name);
    return json_is_null(v) ? NULL : v;
}

static int32_t type_error(const struct hpolab_options *opts, const char *name,
                          const char *expected, struct hpolab_error *err)
{
    return hpolab_error_set(err, HPOLAB_ERR_TYPE, "%s.%s: expected %s",
                            opts->where, name, expected);
}

int32_t hpolab_options_double(const struct hpolab_options *opts,
                              const char *name, double dflt, double *out,
                              struct hpolab_error *err)
{
    const json_t *v = lookup(opts, name);
    *out = dflt;
    if (!v)
        return HPOLAB_OK;
    if (!json_is_number(v))
        return type_error(opts, name, "a number", err);
    *out = json_number_value(v);
    return HPOLAB_OK;
}

int32_t hpolab_options_int(const struct hpolab_options *opts, const char *name,
                           int64_t dflt, int64_t *out, struct hpolab_error *err)
{
    const json_t *v = lookup(opts, name);
    *out = dflt;
    if (!v)
        return HPOLAB_OK;
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return HPOLAB_OK;
    }
    /* 3.0 is an integer to a practitioner writing JSON by hand */
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d == floor(d) && fabs(d) < 9.0e15) {
            *out = (int64_t)d;
            return HPOLAB_OK;
        }
    }
    return type_error(opts, name, "an integer", err);
}

int32_t hpolab_options_bool(const struct hpolab_options *opts,
                            const char *name, int32_t dflt, int32_t *out,
                            struct hpolab_error *err)
{
    const json_t *v = lookup(opts, name);
    *out = dflt;
    if (!v)
        return HPOLAB_OK;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return HPOLAB_OK;
    }
    if (json_is_integer(v) &&
        (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        *out = (int32_t)json_integer_value(v);
        return HPOLAB_OK;
    }
    return type_error(opts, name, "true or false", err);
}

int32_t hpolab_options_string(const struct hpolab_options *opts,
                              const char *name, const char *dflt,
                              const char **out, struct hpolab_error *err)
{
    const json_t *v = lookup(opts, name);
    *out = dflt;
    if (!v)
        return HPOLAB_OK;
    if (!json_is_string(v))
        return type_error(opts, name, "a string", err);
    *out = json_string_value(v);
    return HPOLAB_OK;
}
