/* space_cast.c: Syne Tune's Domain.cast (schedulers reference §1.2). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "space_impl.h"

static int blank_tail(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return *p == '\0';
}

/* Python's float(value) for the value types of a configuration. */
static int to_double(const struct hpolab_value *v, double *out)
{
    switch (v->type) {
    case HPOLAB_VALUE_INT: *out = (double)v->u.i; return 1;
    case HPOLAB_VALUE_DOUBLE: *out = v->u.d; return 1;
    case HPOLAB_VALUE_BOOL: *out = v->u.b ? 1.0 : 0.0; return 1;
    case HPOLAB_VALUE_STRING: {
        char *end;
        errno = 0;
        double d = strtod(v->u.s, &end);
        if (end == v->u.s || !blank_tail(end))
            return 0;
        *out = d;
        return 1;
    }
    default: return 0;
    }
}

/* Python's int(value) (truncation for floats, strict for strings). */
static int to_int(const struct hpolab_value *v, int64_t *out)
{
    switch (v->type) {
    case HPOLAB_VALUE_INT: *out = v->u.i; return 1;
    case HPOLAB_VALUE_BOOL: *out = v->u.b; return 1;
    case HPOLAB_VALUE_DOUBLE:
        if (!isfinite(v->u.d) || fabs(v->u.d) >= 9.2e18)
            return 0;
        *out = (int64_t)v->u.d;
        return 1;
    case HPOLAB_VALUE_STRING: {
        char *end;
        errno = 0;
        long long i = strtoll(v->u.s, &end, 10);
        if (end == v->u.s || errno || !blank_tail(end))
            return 0;
        *out = i;
        return 1;
    }
    default: return 0;
    }
}

static int to_bool(const struct hpolab_value *v, int32_t *out)
{
    switch (v->type) {
    case HPOLAB_VALUE_BOOL: *out = v->u.b; return 1;
    case HPOLAB_VALUE_INT: *out = v->u.i != 0; return 1;
    case HPOLAB_VALUE_DOUBLE: *out = v->u.d != 0.0; return 1;
    case HPOLAB_VALUE_STRING:
        /* stricter than Python's bool(str), where "False" is true */
        if (!strcmp(v->u.s, "True") || !strcmp(v->u.s, "true")) {
            *out = 1;
            return 1;
        }
        if (!strcmp(v->u.s, "False") || !strcmp(v->u.s, "false")) {
            *out = 0;
            return 1;
        }
        return 0;
    default: return 0;
    }
}

static int32_t expected(const struct hpolab_space_entry *e,
                        const struct hpolab_value *in, const char *what,
                        struct hpolab_error *err)
{
    char got[128];
    return hpolab_error_set(err, HPOLAB_ERR_INVALID, "%s: expected %s, got %s",
                            e->name, what,
                            hpolab_space_value_text(in, got, sizeof got));
}

static int32_t not_a_category(const struct hpolab_space_entry *e,
                              const struct hpolab_value *in,
                              struct hpolab_error *err)
{
    char cats[512], got[128];
    return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                            "%s: expected one of %s, got %s", e->name,
                            hpolab_space_categories_text(e, cats, sizeof cats),
                            hpolab_space_value_text(in, got, sizeof got));
}

static int32_t cast_categorical(const struct hpolab_space_entry *e,
                                const struct hpolab_value *in,
                                struct hpolab_value *out, uint32_t *index,
                                struct hpolab_error *err)
{
    /* value_type(value) first, as Syne Tune's Categorical.cast */
    struct hpolab_value v = {.type = e->cat_type};
    int ok = 0;
    char *text = NULL;
    switch (e->cat_type) {
    case HPOLAB_VALUE_STRING:
        text = hpolab_value_text(in);
        if (!text)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        v.u.s = text;
        ok = 1;
        break;
    case HPOLAB_VALUE_INT: ok = to_int(in, &v.u.i); break;
    case HPOLAB_VALUE_DOUBLE: ok = to_double(in, &v.u.d); break;
    case HPOLAB_VALUE_BOOL: ok = to_bool(in, &v.u.b); break;
    default: break;
    }
    if (!ok)
        return not_a_category(e, in, err);
    int64_t found = -1;
    for (uint32_t k = 0; k < e->ncat && found < 0; k++) {
        const struct hpolab_value *c = &e->cats[k];
        switch (e->cat_type) {
        case HPOLAB_VALUE_STRING:
            if (strcmp(c->u.s, v.u.s) == 0)
                found = k;
            break;
        case HPOLAB_VALUE_INT:
            if (c->u.i == v.u.i)
                found = k;
            break;
        case HPOLAB_VALUE_DOUBLE:
            if (c->u.d == v.u.d)
                found = k;
            break;
        case HPOLAB_VALUE_BOOL:
            if (c->u.b == v.u.b)
                found = k;
            break;
        default: break;
        }
    }
    free(text);
    if (found < 0 && e->cat_type == HPOLAB_VALUE_DOUBLE && !isnan(v.u.d)) {
        /* float categories: snap to the nearest within 1 % (round-off of
         * values that went through text) */
        uint32_t best = 0;
        double best_d = fabs(e->cats[0].u.d - v.u.d);
        for (uint32_t k = 1; k < e->ncat; k++) {
            double d = fabs(e->cats[k].u.d - v.u.d);
            if (d < best_d) {
                best_d = d;
                best = k;
            }
        }
        if (best_d < 0.01 * fabs(e->cats[best].u.d))
            found = best;
    }
    if (found < 0)
        return not_a_category(e, in, err);
    *index = (uint32_t)found;
    return hpolab_value_copy(out, &e->cats[found]) == HPOLAB_OK
               ? HPOLAB_OK
               : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
}

int32_t hpolab_space_cast_value(const struct hpolab_space_entry *e,
                                const struct hpolab_value *in,
                                struct hpolab_value *out, uint32_t *index,
                                struct hpolab_error *err)
{
    out->type = HPOLAB_VALUE_NULL;
    *index = 0;
    double d;
    switch (e->cls) {
    case HPOLAB_DOM_FLOAT:
        if (!to_double(in, &d))
            return expected(e, in, "a number", err);
        out->type = HPOLAB_VALUE_DOUBLE;
        out->u.d = d;
        return HPOLAB_OK;
    case HPOLAB_DOM_INT:
        if (in->type == HPOLAB_VALUE_INT) {
            *out = *in;
            return HPOLAB_OK;
        }
        if (!to_double(in, &d) || !isfinite(d) || fabs(d) >= 9.2e18)
            return expected(e, in, "an integer", err);
        out->type = HPOLAB_VALUE_INT;
        out->u.i = (int64_t)hpolab_round_half_even(d);
        return HPOLAB_OK;
    case HPOLAB_DOM_CHOICE:
    case HPOLAB_DOM_ORDINAL: return cast_categorical(e, in, out, index, err);
    case HPOLAB_DOM_ONN:
        if (!to_double(in, &d))
            return expected(e, in, "a number", err);
        *index = hpolab_space_onn_index(
            e, e->scale == HPOLAB_SCALE_LOG ? log(d) : d);
        return hpolab_value_copy(out, &e->cats[*index]) == HPOLAB_OK
                   ? HPOLAB_OK
                   : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    case HPOLAB_DOM_FINRANGE:
        if (!to_double(in, &d) || isnan(d))
            return expected(e, in, "a number", err);
        *index = hpolab_space_finrange_index(e, d);
        *out = hpolab_space_entry_value(e, *index);
        return HPOLAB_OK;
    default:
        return hpolab_error_set(err, HPOLAB_ERR_INTERNAL,
                                "%s: a constant has no domain", e->name);
    }
}

int32_t hpolab_space_cast(const struct hpolab_space *s,
                          struct hpolab_config *config,
                          struct hpolab_error *err)
{
    for (uint32_t i = 0; i < config->rec.count; i++) {
        struct hpolab_record_entry *re = &config->rec.entries[i];
        int32_t k = hpolab_space_index(s, re->name);
        if (k < 0 || s->entries[k].cls == HPOLAB_DOM_CONSTANT)
            continue;
        struct hpolab_value v;
        uint32_t index;
        int32_t st = hpolab_space_cast_value(&s->entries[k], &re->value, &v,
                                             &index, err);
        if (st != HPOLAB_OK)
            return st;
        hpolab_value_free(&re->value);
        re->value = v; /* ownership moves into the record */
        free(re->text);
        re->text = NULL;
    }
    return HPOLAB_OK;
}
