/* space_defaults.c: the midpoint heuristic completing a partial
 * configuration (schedulers reference §1.7, Syne Tune's
 * _impute_default_config). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "space_impl.h"

static double clip(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

/* Midpoint of e, cast to its domain, into *out (owned by the caller). */
static int32_t midpoint(const struct hpolab_space_entry *e,
                        struct hpolab_value *out, struct hpolab_error *err)
{
    if (e->cls == HPOLAB_DOM_CHOICE)
        return hpolab_value_copy(out, &e->cats[0]);
    if (e->cls == HPOLAB_DOM_ORDINAL)
        return hpolab_value_copy(out, &e->cats[e->ncat / 2]);
    double lower, upper;
    if (e->cls == HPOLAB_DOM_ONN) {
        const struct hpolab_value *a = &e->cats[0], *b = &e->cats[e->ncat - 1];
        lower = a->type == HPOLAB_VALUE_INT ? (double)a->u.i : a->u.d;
        upper = b->type == HPOLAB_VALUE_INT ? (double)b->u.i : b->u.d;
    } else {
        lower = e->lower;
        upper = e->upper;
    }
    /* Syne Tune's is_log_space: log-uniform samplers (not quantized, not
     * reverse-log), log finite ranges and log ordinals */
    int log_space = e->scale == HPOLAB_SCALE_LOG && !e->quantized;
    double m = log_space ? exp(0.5 * (log(upper) + log(lower)))
                         : 0.5 * (upper + lower);
    struct hpolab_value in = {.type = HPOLAB_VALUE_DOUBLE, .u.d = m};
    uint32_t index;
    int32_t st = hpolab_space_cast_value(e, &in, out, &index, err);
    if (st != HPOLAB_OK)
        return st;
    /* np.clip(midpoint, value_type(lower), value_type(upper)) */
    if (out->type == HPOLAB_VALUE_INT) {
        double lo = trunc(lower), hi = trunc(upper);
        double x = clip((double)out->u.i, lo, hi);
        out->u.i = (int64_t)x;
    } else if (out->type == HPOLAB_VALUE_DOUBLE) {
        out->u.d = clip(out->u.d, lower, upper);
    }
    return HPOLAB_OK;
}

/* A given value: cast, then it must lie in the domain. */
static int32_t given(const struct hpolab_space_entry *e,
                     const struct hpolab_value *in, struct hpolab_value *out,
                     struct hpolab_error *err)
{
    uint32_t index;
    int32_t st = hpolab_space_cast_value(e, in, out, &index, err);
    if (st != HPOLAB_OK)
        return st;
    if (e->cls != HPOLAB_DOM_FLOAT && e->cls != HPOLAB_DOM_INT)
        return HPOLAB_OK; /* categories and finite ranges cast into range */
    double x = out->type == HPOLAB_VALUE_INT ? (double)out->u.i : out->u.d;
    if (x >= e->lower && x <= e->upper)
        return HPOLAB_OK;
    char got[64], lo[64], hi[64];
    struct hpolab_value l = {.type = out->type}, h = {.type = out->type};
    if (out->type == HPOLAB_VALUE_INT) {
        l.u.i = e->ilower;
        h.u.i = e->iupper;
    } else {
        l.u.d = e->lower;
        h.u.d = e->upper;
    }
    hpolab_error_set(err, HPOLAB_ERR_INVALID,
                     "%s: expected a value in [%s, %s], got %s", e->name,
                     hpolab_space_value_text(&l, lo, sizeof lo),
                     hpolab_space_value_text(&h, hi, sizeof hi),
                     hpolab_space_value_text(in, got, sizeof got));
    hpolab_value_free(out);
    return HPOLAB_ERR_INVALID;
}

static int same_value(const struct hpolab_value *a, const struct hpolab_value *b)
{
    double x, y;
    if ((a->type == HPOLAB_VALUE_INT || a->type == HPOLAB_VALUE_DOUBLE) &&
        (b->type == HPOLAB_VALUE_INT || b->type == HPOLAB_VALUE_DOUBLE) &&
        hpolab_value_as_double(a, &x) == HPOLAB_OK &&
        hpolab_value_as_double(b, &y) == HPOLAB_OK)
        return x == y;
    char *ta = hpolab_value_json(a), *tb = hpolab_value_json(b);
    int same = ta && tb && strcmp(ta, tb) == 0;
    free(ta);
    free(tb);
    return same;
}

static int32_t constant(const struct hpolab_space_entry *e,
                        const struct hpolab_value *in,
                        struct hpolab_value *out, struct hpolab_error *err)
{
    if (hpolab_value_from_json(e->constant, out) != HPOLAB_OK)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (!in || same_value(in, out))
        return HPOLAB_OK;
    char want[128], got[128];
    hpolab_error_set(err, HPOLAB_ERR_INVALID,
                     "%s: is the constant %s in the configuration space, "
                     "got %s",
                     e->name, hpolab_space_value_text(out, want, sizeof want),
                     hpolab_space_value_text(in, got, sizeof got));
    hpolab_value_free(out);
    return HPOLAB_ERR_INVALID;
}

static int32_t unknown_key(const struct hpolab_space *s, const char *name,
                           struct hpolab_error *err)
{
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (uint32_t i = 0; i < s->count && len + 4 < sizeof list; i++) {
        size_t n = strlen(s->entries[i].name);
        if (len + n + 6 >= sizeof list) {
            strcpy(list + len, ", ...");
            break;
        }
        len += (size_t)sprintf(list + len, "%s%s", i ? ", " : "",
                               s->entries[i].name);
    }
    return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                            "%s: not in the configuration space (which has: "
                            "%s)",
                            name, list);
}

int32_t hpolab_space_default_config(const struct hpolab_space *s,
                                    const struct hpolab_config *partial,
                                    struct hpolab_config **out,
                                    struct hpolab_error *err)
{
    *out = NULL;
    if (partial)
        for (uint32_t j = 0; j < partial->rec.count; j++)
            if (hpolab_space_index(s, partial->rec.entries[j].name) < 0)
                return unknown_key(s, partial->rec.entries[j].name, err);
    struct hpolab_config *c = hpolab_config_new();
    if (!c)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < s->count; i++) {
        const struct hpolab_space_entry *e = &s->entries[i];
        const struct hpolab_value *in =
            partial ? hpolab_record_get(&partial->rec, e->name) : NULL;
        struct hpolab_value v = {.type = HPOLAB_VALUE_NULL};
        int32_t st;
        if (e->cls == HPOLAB_DOM_CONSTANT)
            st = constant(e, in, &v, err);
        else if (in)
            st = given(e, in, &v, err);
        else
            st = midpoint(e, &v, err);
        if (st == HPOLAB_OK) {
            st = hpolab_record_set(&c->rec, e->name, &v);
            if (st != HPOLAB_OK)
                hpolab_error_set(err, st, "out of memory");
        } else if (st == HPOLAB_ERR_NOMEM) {
            hpolab_error_set(err, st, "out of memory");
        }
        hpolab_value_free(&v);
        if (st != HPOLAB_OK) {
            hpolab_config_free(c);
            return st;
        }
    }
    *out = c;
    return HPOLAB_OK;
}
