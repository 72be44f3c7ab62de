/* numpy legacy RandomState algorithms (schedulers reference, Appendix A).
 *
 * Every expected number below was produced offline with numpy 1.24.2
 * (/usr/bin/python3) from np.random.RandomState(seed): raw words with
 * rs._bit_generator.random_raw(n), the rest with the method named in each
 * test (random_sample, uniform, randint, normal, permutation, choice). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rng.h"

static void test_seed_and_u32(void **state)
{
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 0);
    static const uint32_t seed0[] = {2357136044u, 2546248239u, 3071714933u,
                                     3626093760u, 2588848963u};
    for (int i = 0; i < 5; i++)
        assert_int_equal(hpolab_rng_u32(&r), seed0[i]);
    /* words 1000..1002: crosses a regeneration of the 624-word state */
    hpolab_rng_seed(&r, 0);
    for (int i = 0; i < 1000; i++)
        hpolab_rng_u32(&r);
    assert_int_equal(hpolab_rng_u32(&r), 1333075495u);
    assert_int_equal(hpolab_rng_u32(&r), 1193028842u);
    assert_int_equal(hpolab_rng_u32(&r), 1602172539u);
    hpolab_rng_seed(&r, 4294967295u);
    assert_int_equal(hpolab_rng_u32(&r), 419326371u);
    assert_int_equal(hpolab_rng_u32(&r), 479346978u);
    assert_int_equal(hpolab_rng_u32(&r), 3918654476u);
}

static void test_double_and_uniform(void **state)
{
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 12345);
    assert_true(hpolab_rng_double(&r) == 0.9296160928171479);
    assert_true(hpolab_rng_double(&r) == 0.3163755545817859);
    assert_true(hpolab_rng_double(&r) == 0.18391881167709445);
    /* the appendix example: master 0 -> searcher seed 209652396 ->
     * uniform(-5, 10) = 2.2907098453232564 */
    hpolab_rng_seed(&r, 0);
    uint32_t seed = hpolab_rng_seed_draw(&r);
    assert_int_equal(seed, 209652396u);
    struct hpolab_rng s;
    hpolab_rng_seed(&s, seed);
    assert_true(hpolab_rng_uniform(&s, -5, 10) == 2.2907098453232564);
}

static void test_seed_generator(void **state)
{
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 0);
    static const uint32_t want[] = {209652396u, 398764591u, 924231285u,
                                    1478610112u};
    for (int i = 0; i < 4; i++)
        assert_int_equal(hpolab_rng_seed_draw(&r), want[i]);
}

static void test_randint(void **state)
{
    struct hpolab_rng r, fresh;
    hpolab_rng_seed(&r, 42);
    static const int64_t small[] = {6, 3, 7, 4, 6, 9, 2, 6};
    for (int i = 0; i < 8; i++)
        assert_int_equal(hpolab_rng_randint(&r, 0, 10), small[i]);

    /* a one-value range consumes no draw */
    hpolab_rng_seed(&r, 42);
    hpolab_rng_seed(&fresh, 42);
    assert_int_equal(hpolab_rng_randint(&r, 5, 6), 5);
    assert_int_equal(hpolab_rng_u32(&r), hpolab_rng_u32(&fresh));

    hpolab_rng_seed(&r, 7);
    static const int64_t big[] = {752595690692LL, 108744157686LL,
                                  291964244179LL, 650496783975LL};
    for (int i = 0; i < 4; i++)
        assert_int_equal(hpolab_rng_randint(&r, 0, INT64_C(1) << 40), big[i]);
    hpolab_rng_seed(&r, 7);
    static const int64_t wide[] = {-3204046499487750972LL,
                                   551904368352831990LL,
                                   3475536756154880211LL};
    for (int i = 0; i < 3; i++)
        assert_true(hpolab_rng_randint(&r, -(INT64_C(1) << 62),
                                       INT64_C(1) << 62) == wide[i]);
    hpolab_rng_seed(&r, 7);
    static const int64_t neg[] = {-6, -9, -4, -7, -7, -6};
    for (int i = 0; i < 6; i++)
        assert_int_equal(hpolab_rng_randint(&r, -10, -3), neg[i]);
}

static void test_normal_cache(void **state)
{
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 3);
    assert_true(hpolab_rng_normal(&r, 0, 1) == 1.7886284734303186);
    assert_int_equal(r.has_gauss, 1);
    /* the cached second value survives an interleaved uniform draw */
    assert_true(hpolab_rng_uniform(&r, 0, 1) == 0.2909047389129443);
    assert_true(hpolab_rng_normal(&r, 2, 3) == 3.3095295515359684);
    assert_int_equal(r.has_gauss, 0);
    assert_true(hpolab_rng_normal(&r, 0, 1) == 0.9805538702908831);
    /* the cache is part of the state: a copy continues identically */
    struct hpolab_rng copy = r;
    assert_true(hpolab_rng_normal(&r, 0, 1) == hpolab_rng_normal(&copy, 0, 1));
    /* seeding clears it */
    hpolab_rng_seed(&r, 3);
    assert_int_equal(r.has_gauss, 0);
    assert_true(hpolab_rng_normal(&r, 0, 1) == 1.7886284734303186);
}

static void test_permutation_and_choice(void **state)
{
    struct hpolab_rng r;
    uint32_t perm[10];
    hpolab_rng_seed(&r, 5);
    hpolab_rng_permutation(&r, 10, perm);
    static const uint32_t want[] = {9, 5, 2, 4, 7, 1, 0, 8, 6, 3};
    for (int i = 0; i < 10; i++)
        assert_int_equal(perm[i], want[i]);
    /* choice(10, 4, replace=False) gave [9, 5, 2, 4]: a permutation prefix */
    hpolab_rng_permutation(&r, 0, perm);
    hpolab_rng_permutation(&r, 1, perm);
    assert_int_equal(perm[0], 0);

    hpolab_rng_seed(&r, 9);
    const double p[] = {0.1, 0.2, 0.3, 0.4};
    static const int64_t cp[] = {0, 2, 2, 1, 1, 1, 2, 1, 0, 2};
    for (int i = 0; i < 10; i++)
        assert_int_equal(hpolab_rng_choice_p(&r, p, 4), cp[i]);
    hpolab_rng_seed(&r, 9);
    const double pz[] = {0.0, 0.5, 0.0, 0.5};
    static const int64_t cz[] = {1, 3, 1, 1, 1, 1, 1, 1, 1, 1};
    for (int i = 0; i < 10; i++)
        assert_int_equal(hpolab_rng_choice_p(&r, pz, 4), cz[i]);
    /* unnormalised weights give the same draws */
    hpolab_rng_seed(&r, 9);
    const double pw[] = {1, 2, 3, 4};
    for (int i = 0; i < 10; i++)
        assert_int_equal(hpolab_rng_choice_p(&r, pw, 4), cp[i]);
    const double bad[] = {0.5, -0.1};
    assert_int_equal(hpolab_rng_choice_p(&r, bad, 2), -1);
    assert_int_equal(hpolab_rng_choice_p(&r, p, 0), -1);
}

static void test_interval(void **state)
{
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 11);
    for (int i = 0; i < 2000; i++) {
        uint64_t v = hpolab_rng_interval(&r, 5);
        assert_true(v <= 5);
    }
    /* interval(0) consumes no draw */
    struct hpolab_rng a, b;
    hpolab_rng_seed(&a, 1);
    hpolab_rng_seed(&b, 1);
    assert_int_equal(hpolab_rng_interval(&a, 0), 0);
    assert_int_equal(hpolab_rng_u32(&a), hpolab_rng_u32(&b));
    /* the 64-bit path: both words, high word first, masked */
    hpolab_rng_seed(&a, 1);
    hpolab_rng_seed(&b, 1);
    uint64_t max = (UINT64_C(1) << 40) - 1;
    uint64_t v = hpolab_rng_interval(&a, max);
    uint64_t hi = hpolab_rng_u32(&b), lo = hpolab_rng_u32(&b);
    assert_true(v == (((hi << 32) | lo) & max));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_and_u32),
        cmocka_unit_test(test_double_and_uniform),
        cmocka_unit_test(test_seed_generator),
        cmocka_unit_test(test_randint),
        cmocka_unit_test(test_normal_cache),
        cmocka_unit_test(test_permutation_and_choice),
        cmocka_unit_test(test_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
