/* test_plot_aggregate.c: best-so-far curves, the common time grid and the
 * aggregate modes against hand-computed values (framework reference
 * §5.4-§5.6). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate_curve.h"
#include "aggregate_grid.h"
#include "aggregate_series.h"
#include "aggregate_stats.h"
#include "rng.h"

#define EPS 1e-12

static void assert_array(const double *got, const double *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(want[i])) {
            assert_true(isnan(got[i]));
            continue;
        }
        if (fabs(got[i] - want[i]) > EPS) {
            print_error("index %zu: got %.17g, want %.17g\n", i, got[i],
                        want[i]);
            fail();
        }
    }
}

/* ---- trimming operator and IQM weights (reference examples) ---------- */

static void test_trim_examples(void **state)
{
    (void)state;
    double w4[4] = {1, 1, 1, 1}, e4[4] = {0, .5, .5, 0};
    double w5[5] = {1, 1, 1, 1, 1}, e5[5] = {0, .3, .4, .3, 0};
    double w10[10], e10[10] = {0, 0, .1, .2, .2, .2, .2, .1, 0, 0};
    double w2[2] = {1, 1}, e2[2] = {.5, .5};
    double w3[3] = {1, 1, 1}, e3[3] = {1.0 / 6, 2.0 / 3, 1.0 / 6};
    for (int i = 0; i < 10; i++)
        w10[i] = 1;
    hpolab_iqm_trim(w4, 4);
    hpolab_iqm_trim(w5, 5);
    hpolab_iqm_trim(w10, 10);
    hpolab_iqm_trim(w2, 2);
    hpolab_iqm_trim(w3, 3);
    assert_array(w4, e4, 4);
    assert_array(w5, e5, 5);
    assert_array(w10, e10, 10);
    assert_array(w2, e2, 2);
    assert_array(w3, e3, 3);
    /* a bootstrap count vector: (3,0,1,0) - 1 left, 1 right, * 1/2 */
    double c[4] = {3, 0, 1, 0}, ec[4] = {1, 0, 0, 0};
    hpolab_iqm_trim(c, 4);
    assert_array(c, ec, 4);
}

/* ---- the three modes ------------------------------------------------- */

static void agg(int32_t mode, const double *z, size_t r, double out[3])
{
    struct hpolab_aggregator a;
    assert_int_equal(hpolab_aggregator_init(&a, mode, r, 1000, 0, NULL),
                     HPOLAB_OK);
    hpolab_aggregate_values(&a, z, &out[0], &out[1], &out[2]);
    hpolab_aggregator_free(&a);
}

static void test_mean_and_ci(void **state)
{
    (void)state;
    double z[4] = {4, 1, 3, 2}, o[3];
    agg(HPOLAB_AGGREGATE_MEAN_CI, z, 4, o);
    /* mean 2.5; population std sqrt(1.25); half-width 1.95 s / sqrt(4) */
    double h = 1.95 * sqrt(1.25) / 2.0;
    double want[3] = {2.5, 2.5 - h, 2.5 + h};
    assert_array(o, want, 3);
}

static void test_median_percentiles(void **state)
{
    (void)state;
    double z4[4] = {4, 1, 3, 2}, z5[5] = {5, 1, 4, 2, 3}, o[3];
    agg(HPOLAB_AGGREGATE_MEDIAN_PERCENTILES, z4, 4, o);
    double w4[3] = {2.5, 1.75, 3.25}; /* positions 1.5, 0.75, 2.25 */
    assert_array(o, w4, 3);
    agg(HPOLAB_AGGREGATE_MEDIAN_PERCENTILES, z5, 5, o);
    double w5[3] = {3, 2, 4};
    assert_array(o, w5, 3);
}

static void test_iqm_centre(void **state)
{
    (void)state;
    double z5[5] = {5, 1, 4, 2, 3}, z4[4] = {10, 2, 1, 3}, o[3];
    agg(HPOLAB_AGGREGATE_IQM_BOOTSTRAP, z5, 5, o);
    assert_true(fabs(o[0] - (.3 * 2 + .4 * 3 + .3 * 4)) < EPS);
    agg(HPOLAB_AGGREGATE_IQM_BOOTSTRAP, z4, 4, o);
    assert_true(fabs(o[0] - 2.5) < EPS); /* the outlier 10 is trimmed */
    double same[3] = {7, 7, 7};
    agg(HPOLAB_AGGREGATE_IQM_BOOTSTRAP, same, 3, o);
    double w7[3] = {7, 7, 7}; /* equal runs: no band (up to rounding) */
    assert_array(o, w7, 3);
}

/* R = 2, z = (0, 1): a multinomial count vector is (2,0) w.p. 1/4 -> IQM 0,
 * (0,2) w.p. 1/4 -> 1, (1,1) w.p. 1/2 -> 1/2; so Var = 0.375 - 0.25 =
 * 0.125 and the half-width tends to 1.96 * sqrt(0.125). */
static void test_iqm_bootstrap_variance_r2(void **state)
{
    (void)state;
    struct hpolab_aggregator a;
    assert_int_equal(hpolab_aggregator_init(&a, HPOLAB_AGGREGATE_IQM_BOOTSTRAP,
                                            2, 200000, 7, NULL),
                     HPOLAB_OK);
    double z[2] = {1, 0}, c, lo, hi;
    hpolab_aggregate_values(&a, z, &c, &lo, &hi);
    hpolab_aggregator_free(&a);
    assert_true(fabs(c - 0.5) < EPS);
    double var = pow((hi - c) / 1.96, 2);
    if (fabs(var - 0.125) > 0.002) {
        print_error("bootstrap variance %g, want about 0.125\n", var);
        fail();
    }
}

/* The optimised z'Cz - (c'z)^2 against the definition, sample by sample,
 * with the same seeded draws (an independent trimming implementation). */
static void naive_trim(double *w, size_t r)
{
    double left = r / 4.0, right = r / 4.0;
    for (size_t j = 0; j < r; j++) {
        double d = fmin(left, w[j]);
        w[j] -= d;
        left -= d;
    }
    for (size_t j = r; j > 0; j--) {
        double d = fmin(right, w[j - 1]);
        w[j - 1] -= d;
        right -= d;
    }
    for (size_t j = 0; j < r; j++)
        w[j] = w[j] * 2 / r;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_iqm_bootstrap_matches_definition(void **state)
{
    (void)state;
    const size_t r = 7;
    const uint32_t B = 500, seed = 42;
    double z[7] = {0.31, 0.12, 0.5, 0.44, 0.05, 0.29, 0.9};
    struct hpolab_aggregator a;
    assert_int_equal(hpolab_aggregator_init(&a, HPOLAB_AGGREGATE_IQM_BOOTSTRAP,
                                            r, B, seed, NULL),
                     HPOLAB_OK);
    double c, lo, hi;
    hpolab_aggregate_values(&a, z, &c, &lo, &hi);
    hpolab_aggregator_free(&a);

    double s[7];
    memcpy(s, z, sizeof s);
    qsort(s, r, sizeof *s, cmp_d);
    struct hpolab_rng rng;
    hpolab_rng_seed(&rng, seed);
    double sum = 0, sum2 = 0;
    for (uint32_t b = 0; b < B; b++) {
        double w[7] = {0};
        for (size_t i = 0; i < r; i++)
            w[hpolab_rng_randint(&rng, 0, (int64_t)r)] += 1;
        naive_trim(w, r);
        double v = 0;
        for (size_t j = 0; j < r; j++)
            v += w[j] * s[j];
        sum += v;
        sum2 += v * v;
    }
    double var = sum2 / B - (sum / B) * (sum / B);
    double want_h = 1.96 * sqrt(var);
    assert_true(fabs((hi - c) - want_h) < 1e-9);
    assert_true(fabs((c - lo) - want_h) < 1e-9);
    double w1[7] = {1, 1, 1, 1, 1, 1, 1}, iqm = 0;
    naive_trim(w1, r);
    for (size_t j = 0; j < r; j++)
        iqm += w1[j] * s[j];
    assert_true(fabs(c - iqm) < EPS);
}

static void test_iqm_bootstrap_is_seeded(void **state)
{
    (void)state;
    double z[5] = {0.3, 0.1, 0.7, 0.2, 0.25}, a[3], b[3], d[3];
    struct hpolab_aggregator x;
    hpolab_aggregator_init(&x, HPOLAB_AGGREGATE_IQM_BOOTSTRAP, 5, 100, 1, NULL);
    hpolab_aggregate_values(&x, z, &a[0], &a[1], &a[2]);
    hpolab_aggregator_free(&x);
    hpolab_aggregator_init(&x, HPOLAB_AGGREGATE_IQM_BOOTSTRAP, 5, 100, 1, NULL);
    hpolab_aggregate_values(&x, z, &b[0], &b[1], &b[2]);
    hpolab_aggregator_free(&x);
    hpolab_aggregator_init(&x, HPOLAB_AGGREGATE_IQM_BOOTSTRAP, 5, 100, 2, NULL);
    hpolab_aggregate_values(&x, z, &d[0], &d[1], &d[2]);
    hpolab_aggregator_free(&x);
    assert_memory_equal(a, b, sizeof a);
    assert_true(a[2] != d[2]); /* another seed, another band */
}

static void test_mode_names(void **state)
{
    (void)state;
    int32_t m = -1;
    struct hpolab_error err;
    assert_int_equal(hpolab_aggregate_mode_parse("median_percentiles", &m, &err),
                     HPOLAB_OK);
    assert_int_equal(m, HPOLAB_AGGREGATE_MEDIAN_PERCENTILES);
    assert_int_equal(hpolab_aggregate_mode_parse("mean", &m, &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(err.message,
                        "aggregate mode 'mean' is not supported; use "
                        "mean_and_ci, median_percentiles or iqm_bootstrap");
}

/* ---- best-so-far ------------------------------------------------------ */

static void curve(const double *x, const double *v, size_t n, int32_t mode,
                  int conv, double mult, double lo, double hi,
                  struct hpolab_curve *c)
{
    struct hpolab_curve_params p = {.mode = mode, .convert_to_min = conv,
                                    .multiplier = mult, .xlo = lo, .xhi = hi};
    assert_int_equal(hpolab_best_so_far(x, v, n, &p, c, NULL), HPOLAB_OK);
}

static void test_best_so_far(void **state)
{
    (void)state;
    struct hpolab_curve c;
    /* min; a missing value carries the best so far */
    double x1[4] = {1, 2, 3, 4}, v1[4] = {3, NAN, 1, 2};
    curve(x1, v1, 4, HPOLAB_MODE_MIN, 1, 1, NAN, NAN, &c);
    double y1[4] = {3, 3, 1, 1};
    assert_int_equal(c.n, 4);
    assert_array(c.y, y1, 4);
    hpolab_curve_free(&c);
    /* crop to [2, 3] after the running min */
    curve(x1, v1, 4, HPOLAB_MODE_MIN, 1, 1, 2, 3, &c);
    double xc[2] = {2, 3}, yc[2] = {3, 1};
    assert_int_equal(c.n, 2);
    assert_array(c.x, xc, 2);
    assert_array(c.y, yc, 2);
    hpolab_curve_free(&c);
    /* max, multiplier 0.01, convert_to_min: 1 - 0.01 * running max */
    double x2[3] = {1, 2, 3}, v2[3] = {50, 70, 60};
    curve(x2, v2, 3, HPOLAB_MODE_MAX, 1, 0.01, NAN, NAN, &c);
    double y2[3] = {0.5, 1 - 0.7, 1 - 0.7};
    assert_array(c.y, y2, 3);
    hpolab_curve_free(&c);
    /* without convert_to_min */
    curve(x2, v2, 3, HPOLAB_MODE_MAX, 0, 1, NAN, NAN, &c);
    double y3[3] = {50, 70, 70};
    assert_array(c.y, y3, 3);
    hpolab_curve_free(&c);
    /* rows out of time order are sorted first, stably */
    double x4[4] = {2, 1, 3, 1}, v4[4] = {1, 5, 0, 4};
    curve(x4, v4, 4, HPOLAB_MODE_MIN, 1, 1, NAN, NAN, &c);
    double ex4[4] = {1, 1, 2, 3}, ey4[4] = {5, 4, 1, 0};
    assert_array(c.x, ex4, 4);
    assert_array(c.y, ey4, 4);
    hpolab_curve_free(&c);
    /* leading rows without a value are dropped */
    double x5[2] = {1, 2}, v5[2] = {NAN, 4};
    curve(x5, v5, 2, HPOLAB_MODE_MIN, 1, 1, NAN, NAN, &c);
    assert_int_equal(c.n, 1);
    assert_true(c.x[0] == 2 && c.y[0] == 4);
    hpolab_curve_free(&c);
}

/* ---- common time grid -------------------------------------------------- */

static void test_grid(void **state)
{
    (void)state;
    /* A: repeated x=2 keeps its first value; B starts earlier. t_start =
     * max(1, 0) = 1, so grid point 0 is dropped. */
    double ax[4] = {1, 2, 2, 4}, ay[4] = {5, 4, 3, 1};
    double bx[2] = {0, 3}, by[2] = {6, 2};
    struct hpolab_curve runs[2] = {{4, ax, ay}, {2, bx, by}};
    struct hpolab_grid g;
    assert_int_equal(hpolab_grid_build(runs, 2, &g, NULL), HPOLAB_OK);
    double t[4] = {1, 2, 3, 4};
    double v[8] = {5, 6, 4, 6, 4, 2, 1, 2};
    assert_int_equal(g.n, 4);
    assert_array(g.t, t, 4);
    assert_array(g.values, v, 8);
    hpolab_grid_free(&g);
}

static void test_aggregate_runs(void **state)
{
    (void)state;
    double ax[5] = {0, 1, 2, 3, 4}, ay[5] = {5, 5, 5, 5, 1};
    double bx[2] = {0, 4}, by[2] = {3, 3};
    struct hpolab_curve runs[2] = {{5, ax, ay}, {2, bx, by}};
    struct hpolab_band b;
    assert_int_equal(hpolab_aggregate_runs(runs, 2, HPOLAB_AGGREGATE_MEAN_CI,
                                           0, 0, &b, NULL),
                     HPOLAB_OK);
    /* rows (5,3) x4 then (1,3): the flat stretch keeps its two ends */
    double x[3] = {0, 3, 4}, c[3] = {4, 4, 2};
    double h1 = 1.95 * 1.0 / sqrt(2.0); /* pop. std of {5, 3} is 1 */
    double lo[3] = {4 - h1, 4 - h1, 2 - h1};
    assert_int_equal(b.n, 3);
    assert_array(b.x, x, 3);
    assert_array(b.centre, c, 3);
    assert_array(b.lower, lo, 3);
    hpolab_band_free(&b);
    /* one run: as it is, no band */
    assert_int_equal(hpolab_aggregate_runs(runs, 1, HPOLAB_AGGREGATE_MEAN_CI,
                                           0, 0, &b, NULL),
                     HPOLAB_OK);
    assert_int_equal(b.n, 5);
    assert_null(b.lower);
    assert_array(b.centre, ay, 5);
    hpolab_band_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trim_examples),
        cmocka_unit_test(test_mean_and_ci),
        cmocka_unit_test(test_median_percentiles),
        cmocka_unit_test(test_iqm_centre),
        cmocka_unit_test(test_iqm_bootstrap_variance_r2),
        cmocka_unit_test(test_iqm_bootstrap_matches_definition),
        cmocka_unit_test(test_iqm_bootstrap_is_seeded),
        cmocka_unit_test(test_mode_names),
        cmocka_unit_test(test_best_so_far),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_aggregate_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
