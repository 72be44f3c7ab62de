/* rng.h: numpy's legacy RandomState (MT19937) algorithms, draw for draw
 * (schedulers reference, Appendix A), so a searcher seeded like Syne Tune's
 * proposes exactly the configurations Syne Tune proposes. The state is a
 * plain struct: copy it to fork or snapshot a generator. */
#ifndef HPOLAB_CORE_RNG_H
#define HPOLAB_CORE_RNG_H

#include <hpolab/types.h>
#include <stdint.h>

#define HPOLAB_RNG_N 624

struct hpolab_rng {
    uint32_t mt[HPOLAB_RNG_N];
    int pos;       /* next word of mt to temper; HPOLAB_RNG_N: regenerate */
    int has_gauss; /* normal() keeps the second value of each polar pair */
    double gauss;
};

/* RandomState(seed): MT19937 init_genrand, cached Gaussian cleared. */
void hpolab_rng_seed(struct hpolab_rng *rng, uint32_t seed);
/* One tempered 32-bit word. */
uint32_t hpolab_rng_u32(struct hpolab_rng *rng);
/* random_sample(): 53-bit double in [0, 1) from two words. */
double hpolab_rng_double(struct hpolab_rng *rng);
/* uniform(lo, hi) = lo + (hi - lo) * random_sample(). */
double hpolab_rng_uniform(struct hpolab_rng *rng, double lo, double hi);
/* randint(lo, hi): hi exclusive. A range of one value returns lo without a
 * draw (as numpy); hi <= lo (an error in numpy) also returns lo without a
 * draw. Ranges above 2^32 use two words per try (high word first). */
int64_t hpolab_rng_randint(struct hpolab_rng *rng, int64_t lo, int64_t hi);
/* normal(loc, scale) by the cached polar method. */
double hpolab_rng_normal(struct hpolab_rng *rng, double loc, double scale);
/* Syne Tune's RandomSeedGenerator: randint(0, 2^31 - 1). */
uint32_t hpolab_rng_seed_draw(struct hpolab_rng *rng);
/* numpy's random_interval(max): uniform in [0, max] by masked rejection. */
uint64_t hpolab_rng_interval(struct hpolab_rng *rng, uint64_t max);
/* permutation(n) into out[0..n-1] (Fisher-Yates from the top, as numpy's
 * legacy shuffle). choice(n, k, replace=False) = the first k entries. */
void hpolab_rng_permutation(struct hpolab_rng *rng, uint32_t n, uint32_t *out);
/* choice(n, p=p): one random_sample() against cumsum(p)/sum(p) (searchsorted
 * right). p need not be normalised. Returns -1 without a draw when n == 0 or
 * p has a negative or non-finite entry or sums to 0. */
int64_t hpolab_rng_choice_p(struct hpolab_rng *rng, const double *p,
                            uint32_t n);

#endif
