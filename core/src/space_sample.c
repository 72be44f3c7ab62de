/* space_sample.c: random configurations, drawing exactly what Syne Tune's
 * samplers draw (schedulers reference §1.3). exp/log come from libm; numpy
 * on AVX-512 machines uses its own SIMD exp/log, which can differ in the
 * last bit, so log-scaled floats may differ from such a Syne Tune run by one
 * ulp (integers and categories are unaffected but for exact ties). */
#include <math.h>

#include "space_impl.h"

static struct hpolab_value sample_entry(const struct hpolab_space_entry *e,
                                        struct hpolab_rng *rng)
{
    struct hpolab_value v = {.type = HPOLAB_VALUE_NULL};
    switch (e->cls) {
    case HPOLAB_DOM_FLOAT: {
        double x;
        if (e->scale == HPOLAB_SCALE_LOG) {
            x = exp(hpolab_rng_uniform(rng, log(e->lower), log(e->upper)));
        } else if (e->scale == HPOLAB_SCALE_REVLOG) {
            double t = hpolab_rng_uniform(rng, -log1p(-e->lower),
                                          -log1p(-e->upper));
            x = -expm1(-t);
        } else {
            x = hpolab_rng_uniform(rng, e->lower, e->upper);
        }
        if (e->quantized)
            x = hpolab_round_half_even(x / e->q) * e->q;
        v.type = HPOLAB_VALUE_DOUBLE;
        v.u.d = x;
        break;
    }
    case HPOLAB_DOM_INT: {
        int64_t i;
        if (e->scale == HPOLAB_SCALE_LOG)
            i = (int64_t)hpolab_round_half_even(exp(
                hpolab_rng_uniform(rng, log(e->lower), log(e->upper))));
        else
            i = hpolab_rng_randint(rng, e->ilower, e->iupper + 1);
        if (e->quantized) /* np.round(v / q) * q, then Integer.cast */
            i = (int64_t)hpolab_round_half_even(
                hpolab_round_half_even((double)i / e->q) * e->q);
        v.type = HPOLAB_VALUE_INT;
        v.u.i = i;
        break;
    }
    case HPOLAB_DOM_CHOICE:
    case HPOLAB_DOM_ORDINAL:
        v = e->cats[hpolab_rng_randint(rng, 0, e->ncat)];
        break;
    case HPOLAB_DOM_ONN:
        v = e->cats[hpolab_space_onn_index(
            e, hpolab_rng_uniform(rng, e->z_lower, e->z_upper))];
        break;
    case HPOLAB_DOM_FINRANGE:
        v = hpolab_space_entry_value(
            e, (uint32_t)hpolab_rng_randint(rng, 0, e->size));
        break;
    default: break;
    }
    return v; /* a view: strings belong to e */
}

int32_t hpolab_space_sample(const struct hpolab_space *s,
                            struct hpolab_rng *rng, struct hpolab_config **out,
                            struct hpolab_error *err)
{
    *out = NULL;
    struct hpolab_config *c = hpolab_config_new();
    if (!c || hpolab_record_reserve(&c->rec, s->count) != HPOLAB_OK) {
        hpolab_config_free(c);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < s->count; i++) {
        const struct hpolab_space_entry *e = &s->entries[i];
        int32_t st;
        if (e->cls == HPOLAB_DOM_CONSTANT) {
            st = hpolab_space_put_constant(c, e);
        } else {
            struct hpolab_value v = sample_entry(e, rng);
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
