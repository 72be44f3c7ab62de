/* space_encode.c: the feature encoding of Syne Tune's GP searchers
 * (schedulers reference §1.4, hp_ranges_impl.py) and its inverse. */
#include <math.h>
#include <stdio.h>

#include "space_impl.h"

#define EPS HPOLAB_SPACE_EPS

static double clip(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

static double to_internal(int32_t scale, double x)
{
    switch (scale) {
    case HPOLAB_SCALE_LOG: return log(x);
    case HPOLAB_SCALE_REVLOG: return -log(1.0 - x);
    default: return x;
    }
}

static double from_internal(int32_t scale, double t)
{
    switch (scale) {
    case HPOLAB_SCALE_LOG: return exp(t);
    case HPOLAB_SCALE_REVLOG: return 1.0 - exp(-t);
    default: return t;
    }
}

/* Encoding scale: the sampler's, except that Syne Tune does not see through
 * Quantized (so q-domains encode linearly, [QUIRK] §1.6). */
static int32_t enc_scale(const struct hpolab_space_entry *e)
{
    return e->quantized ? HPOLAB_SCALE_LINEAR : e->scale;
}

static double cont_enc(double x, double lo, double hi, int32_t scale)
{
    double a = to_internal(scale, lo), b = to_internal(scale, hi);
    if (b == a)
        return 0.0;
    return clip((to_internal(scale, x) - a) / (b - a), 0.0, 1.0);
}

static double cont_dec(double t, double lo, double hi, int32_t scale)
{
    double a = to_internal(scale, lo), b = to_internal(scale, hi);
    double size = b - a;
    if (!(size > 0))
        return lo;
    return clip(from_internal(scale, t * size + a), lo, hi);
}

/* Integer k of [lo, hi] as the continuous range [lo-0.5+eps, hi+0.5-eps]. */
static double int_enc(double k, double lo, double hi, int32_t scale)
{
    return cont_enc(k, lo - 0.5 + EPS, hi + 0.5 - EPS, scale);
}

static double int_dec(double t, double lo, double hi, int32_t scale)
{
    double x = cont_dec(t, lo - 0.5 + EPS, hi + 0.5 - EPS, scale);
    return clip(hpolab_round_half_even(x), lo, hi);
}

int32_t hpolab_space_encoded_bounds(const struct hpolab_space *s, double *lo,
                                    double *hi, uint32_t dim,
                                    struct hpolab_error *err)
{
    if (dim != s->dim)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "encoded bounds: expected dimension %u, got %u",
                                s->dim, dim);
    for (uint32_t k = 0; k < s->nhp; k++) {
        const struct hpolab_space_entry *e = &s->entries[s->sorted[k]];
        for (uint32_t j = 0; j < e->enc_dim; j++) {
            double l = 0.0, h = 1.0;
            if (e->cls == HPOLAB_DOM_CHOICE && e->ncat == 1)
                l = h = 1.0;
            else if (e->cls == HPOLAB_DOM_FLOAT &&
                     to_internal(enc_scale(e), e->lower) ==
                         to_internal(enc_scale(e), e->upper))
                l = h = 0.0;
            lo[e->enc_offset + j] = l;
            hi[e->enc_offset + j] = h;
        }
    }
    return HPOLAB_OK;
}

uint32_t hpolab_space_encoded_dim(const struct hpolab_space *s)
{
    return s->dim;
}

static int32_t encode_entry(const struct hpolab_space_entry *e,
                            const struct hpolab_value *in, double *out,
                            struct hpolab_error *err)
{
    struct hpolab_value v;
    uint32_t k;
    int32_t st = hpolab_space_cast_value(e, in, &v, &k, err);
    if (st != HPOLAB_OK)
        return st;
    double x = v.type == HPOLAB_VALUE_INT ? (double)v.u.i
               : v.type == HPOLAB_VALUE_DOUBLE ? v.u.d
                                               : 0.0;
    hpolab_value_free(&v);
    switch (e->cls) {
    case HPOLAB_DOM_FLOAT:
    case HPOLAB_DOM_INT: {
        double lo = e->lower, hi = e->upper;
        if (e->cls == HPOLAB_DOM_INT) {
            lo = lo - 0.5 + EPS;
            hi = hi + 0.5 - EPS;
        }
        if (!(x >= lo - EPS && x <= hi + EPS)) {
            char got[64], a[64], b[64];
            struct hpolab_value vl = {.type = HPOLAB_VALUE_DOUBLE, .u.d = e->lower},
                                vh = {.type = HPOLAB_VALUE_DOUBLE, .u.d = e->upper};
            return hpolab_error_set(
                err, HPOLAB_ERR_INVALID, "%s: expected a value in [%s, %s], got %s",
                e->name, hpolab_space_value_text(&vl, a, sizeof a),
                hpolab_space_value_text(&vh, b, sizeof b),
                hpolab_space_value_text(in, got, sizeof got));
        }
        out[0] = cont_enc(x, lo, hi, enc_scale(e));
        return HPOLAB_OK;
    }
    case HPOLAB_DOM_CHOICE:
        if (e->ncat == 2) {
            out[0] = int_enc(k, 0, 1, HPOLAB_SCALE_LINEAR);
        } else {
            for (uint32_t j = 0; j < e->ncat; j++)
                out[j] = j == k ? 1.0 : 0.0;
        }
        return HPOLAB_OK;
    case HPOLAB_DOM_ORDINAL:
        out[0] = int_enc(k, 0, e->ncat - 1, HPOLAB_SCALE_LINEAR);
        return HPOLAB_OK;
    case HPOLAB_DOM_ONN:
        out[0] = cont_enc(e->cat_z[k], e->z_lower, e->z_upper,
                          HPOLAB_SCALE_LINEAR);
        return HPOLAB_OK;
    case HPOLAB_DOM_FINRANGE:
        out[0] = int_enc(k, 0, e->size - 1, HPOLAB_SCALE_LINEAR);
        return HPOLAB_OK;
    default: return HPOLAB_OK;
    }
}

int32_t hpolab_space_encode(const struct hpolab_space *s,
                            const struct hpolab_config *c, double *out,
                            uint32_t dim, struct hpolab_error *err)
{
    if (dim != s->dim)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "encode: expected dimension %u, got %u",
                                s->dim, dim);
    for (uint32_t k = 0; k < s->nhp; k++) {
        const struct hpolab_space_entry *e = &s->entries[s->sorted[k]];
        const struct hpolab_value *v = hpolab_record_get(&c->rec, e->name);
        if (!v)
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "%s: missing from the configuration",
                                    e->name);
        int32_t st = encode_entry(e, v, out + e->enc_offset, err);
        if (st != HPOLAB_OK)
            return st;
    }
    return HPOLAB_OK;
}

static struct hpolab_value decode_entry(const struct hpolab_space_entry *e,
                                        const double *in)
{
    struct hpolab_value v = {.type = HPOLAB_VALUE_NULL};
    uint32_t k = 0;
    switch (e->cls) {
    case HPOLAB_DOM_FLOAT:
        v.type = HPOLAB_VALUE_DOUBLE;
        v.u.d = cont_dec(in[0], e->lower, e->upper, enc_scale(e));
        return v;
    case HPOLAB_DOM_INT:
        v.type = HPOLAB_VALUE_INT;
        v.u.i = (int64_t)int_dec(in[0], e->lower, e->upper, enc_scale(e));
        return v;
    case HPOLAB_DOM_CHOICE:
        if (e->ncat == 2) {
            k = (uint32_t)int_dec(in[0], 0, 1, HPOLAB_SCALE_LINEAR);
        } else {
            for (uint32_t j = 1; j < e->ncat; j++)
                if (in[j] > in[k])
                    k = j; /* first maximum, as np.argmax */
        }
        return e->cats[k];
    case HPOLAB_DOM_ORDINAL:
        return e->cats[(uint32_t)int_dec(in[0], 0, e->ncat - 1,
                                         HPOLAB_SCALE_LINEAR)];
    case HPOLAB_DOM_ONN:
        return e->cats[hpolab_space_onn_index(
            e, cont_dec(in[0], e->z_lower, e->z_upper, HPOLAB_SCALE_LINEAR))];
    case HPOLAB_DOM_FINRANGE:
        return hpolab_space_entry_value(
            e, (uint32_t)int_dec(in[0], 0, e->size - 1, HPOLAB_SCALE_LINEAR));
    default: return v;
    }
}

int32_t hpolab_space_decode(const struct hpolab_space *s, const double *in,
                            uint32_t dim, struct hpolab_config **out,
                            struct hpolab_error *err)
{
    *out = NULL;
    if (dim != s->dim)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "decode: expected dimension %u, got %u",
                                s->dim, dim);
    for (uint32_t j = 0; j < dim; j++)
        if (!(in[j] >= -EPS && in[j] <= 1.0 + EPS))
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "decode: coordinate %u: expected a "
                                    "number in [0, 1], got %g",
                                    j, in[j]);
    struct hpolab_config *c = hpolab_config_new();
    if (!c)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < s->count; i++) {
        const struct hpolab_space_entry *e = &s->entries[i];
        int32_t st;
        if (e->cls == HPOLAB_DOM_CONSTANT) {
            st = hpolab_space_put_constant(c, e);
        } else {
            struct hpolab_value v = decode_entry(e, in + e->enc_offset);
            st = hpolab_record_set(&c->rec, e->name, &v); /* copies */
        }
        if (st != HPOLAB_OK) {
            hpolab_config_free(c);
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        }
    }
    *out = c;
    return HPOLAB_OK;
}
