#include "rng.h"

#include <math.h>

#define MT_M 397
#define MT_MATRIX_A 0x9908b0dfU
#define MT_UPPER 0x80000000U
#define MT_LOWER 0x7fffffffU

void hpolab_rng_seed(struct hpolab_rng *rng, uint32_t seed)
{
    rng->mt[0] = seed;
    for (uint32_t i = 1; i < HPOLAB_RNG_N; i++) {
        uint32_t prev = rng->mt[i - 1];
        rng->mt[i] = 1812433253U * (prev ^ (prev >> 30)) + i;
    }
    rng->pos = HPOLAB_RNG_N;
    rng->has_gauss = 0;
    rng->gauss = 0.0;
}

static uint32_t twist(uint32_t a, uint32_t b, uint32_t m)
{
    uint32_t y = (a & MT_UPPER) | (b & MT_LOWER);
    return m ^ (y >> 1) ^ ((0U - (y & 1U)) & MT_MATRIX_A);
}

static void regenerate(struct hpolab_rng *rng)
{
    uint32_t *mt = rng->mt;
    int i = 0;
    for (; i < HPOLAB_RNG_N - MT_M; i++)
        mt[i] = twist(mt[i], mt[i + 1], mt[i + MT_M]);
    for (; i < HPOLAB_RNG_N - 1; i++)
        mt[i] = twist(mt[i], mt[i + 1], mt[i + MT_M - HPOLAB_RNG_N]);
    mt[HPOLAB_RNG_N - 1] = twist(mt[HPOLAB_RNG_N - 1], mt[0], mt[MT_M - 1]);
    rng->pos = 0;
}

uint32_t hpolab_rng_u32(struct hpolab_rng *rng)
{
    if (rng->pos >= HPOLAB_RNG_N)
        regenerate(rng);
    uint32_t y = rng->mt[rng->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

double hpolab_rng_double(struct hpolab_rng *rng)
{
    uint32_t a = hpolab_rng_u32(rng) >> 5;
    uint32_t b = hpolab_rng_u32(rng) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double hpolab_rng_uniform(struct hpolab_rng *rng, double lo, double hi)
{
    return lo + (hi - lo) * hpolab_rng_double(rng);
}

static uint64_t mask_of(uint64_t max)
{
    uint64_t m = max;
    m |= m >> 1;
    m |= m >> 2;
    m |= m >> 4;
    m |= m >> 8;
    m |= m >> 16;
    m |= m >> 32;
    return m;
}

static uint64_t u64(struct hpolab_rng *rng)
{
    uint64_t hi = hpolab_rng_u32(rng);
    return (hi << 32) | hpolab_rng_u32(rng);
}

/* Masked rejection in [0, max]; max == 0 consumes nothing. */
static uint64_t bounded(struct hpolab_rng *rng, uint64_t max)
{
    if (max == 0)
        return 0;
    uint64_t mask = mask_of(max);
    uint64_t v;
    if (max <= 0xffffffffU) {
        do
            v = hpolab_rng_u32(rng) & mask;
        while (v > max);
    } else {
        do
            v = u64(rng) & mask;
        while (v > max);
    }
    return v;
}

int64_t hpolab_rng_randint(struct hpolab_rng *rng, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    /* unsigned arithmetic: the span of [INT64_MIN, INT64_MAX) fits */
    uint64_t span = (uint64_t)hi - (uint64_t)lo - 1U;
    return (int64_t)((uint64_t)lo + bounded(rng, span));
}

double hpolab_rng_normal(struct hpolab_rng *rng, double loc, double scale)
{
    double g;
    if (rng->has_gauss) {
        rng->has_gauss = 0;
        g = rng->gauss;
        rng->gauss = 0.0;
    } else {
        double x1, x2, r2;
        do {
            x1 = 2.0 * hpolab_rng_double(rng) - 1.0;
            x2 = 2.0 * hpolab_rng_double(rng) - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = sqrt(-2.0 * log(r2) / r2);
        rng->gauss = f * x1;
        rng->has_gauss = 1;
        g = f * x2;
    }
    return loc + scale * g;
}

uint32_t hpolab_rng_seed_draw(struct hpolab_rng *rng)
{
    return (uint32_t)hpolab_rng_randint(rng, 0, 2147483647);
}

uint64_t hpolab_rng_interval(struct hpolab_rng *rng, uint64_t max)
{
    return bounded(rng, max);
}

void hpolab_rng_permutation(struct hpolab_rng *rng, uint32_t n, uint32_t *out)
{
    for (uint32_t i = 0; i < n; i++)
        out[i] = i;
    for (uint32_t i = n; i-- > 1;) {
        uint32_t j = (uint32_t)hpolab_rng_interval(rng, i);
        uint32_t t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

int64_t hpolab_rng_choice_p(struct hpolab_rng *rng, const double *p,
                            uint32_t n)
{
    if (n == 0)
        return -1;
    double total = 0.0;
    for (uint32_t i = 0; i < n; i++) {
        if (!(p[i] >= 0.0) || !isfinite(p[i]))
            return -1;
        total += p[i];
    }
    if (!(total > 0.0) || !isfinite(total))
        return -1;
    double u = hpolab_rng_double(rng);
    /* numpy: cdf = cumsum(p); cdf /= cdf[-1]; count of cdf <= u */
    double cum = 0.0;
    int64_t idx = 0;
    for (uint32_t i = 0; i < n; i++) {
        cum += p[i];
        if (cum / total <= u)
            idx = (int64_t)i + 1;
        else
            break;
    }
    return idx < (int64_t)n ? idx : (int64_t)n - 1;
}
