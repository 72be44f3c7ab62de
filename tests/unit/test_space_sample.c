/* Sampling of every domain (schedulers reference §1.3): statistics over
 * 20 000 draws, and the exact random-search trace of Syne Tune. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "space_fixture.h"

#include "space.h"

#define N 20000

/* n draws of the one hyperparameter "v" of the space, as doubles. */
static double *draws(const char *space_text, uint32_t seed, int32_t *type)
{
    struct hpolab_space *s = space_from(space_text);
    struct hpolab_rng r;
    hpolab_rng_seed(&r, seed);
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (int i = 0; i < N; i++) {
        struct hpolab_config *c;
        assert_int_equal(hpolab_space_sample(s, &r, &c, NULL), HPOLAB_OK);
        const struct hpolab_value *v = hpolab_record_get(&c->rec, "v");
        assert_non_null(v);
        *type = v->type;
        assert_int_equal(hpolab_value_as_double(v, &x[i]), HPOLAB_OK);
        hpolab_config_free(c);
    }
    hpolab_space_free(s);
    return x;
}

static double mean(const double *x)
{
    double m = 0;
    for (int i = 0; i < N; i++)
        m += x[i];
    return m / N;
}

static double frac_below(const double *x, double t)
{
    int n = 0;
    for (int i = 0; i < N; i++)
        n += x[i] < t;
    return (double)n / N;
}

static double frac_eq(const double *x, double t)
{
    int n = 0;
    for (int i = 0; i < N; i++)
        n += x[i] == t;
    return (double)n / N;
}

static void assert_range(const double *x, double lo, double hi)
{
    for (int i = 0; i < N; i++)
        assert_true(x[i] >= lo && x[i] <= hi);
}

static void assert_near(double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("got %.6f, expected %.6f +- %.4f", got, want, tol);
}

static void test_uniform(void **state)
{
    int32_t t;
    double *x = draws("{\"v\": {\"domain\": \"uniform\", \"lower\": -5, "
                      "\"upper\": 10}}",
                      1, &t);
    assert_int_equal(t, HPOLAB_VALUE_DOUBLE);
    assert_range(x, -5, 10);
    assert_near(mean(x), 2.5, 0.1);
    assert_near(frac_below(x, -1.25), 0.25, 0.015);
    assert_near(frac_below(x, 6.25), 0.75, 0.015);
    free(x);
}

static void test_loguniform(void **state)
{
    int32_t t;
    double *x = draws("{\"v\": {\"domain\": \"loguniform\", \"lower\": 1e-4, "
                      "\"upper\": 0.1}}",
                      2, &t);
    assert_int_equal(t, HPOLAB_VALUE_DOUBLE);
    assert_range(x, 1e-4, 0.1);
    for (int i = 0; i < N; i++)
        x[i] = log10(x[i]);
    /* uniform in log: log10 uniform on [-4, -1] */
    assert_near(mean(x), -2.5, 0.03);
    assert_near(frac_below(x, -3), 1.0 / 3, 0.015);
    assert_near(frac_below(x, -2), 2.0 / 3, 0.015);
    free(x);
}

static void test_reverseloguniform(void **state)
{
    int32_t t;
    double *x = draws("{\"v\": {\"domain\": \"reverseloguniform\", "
                      "\"lower\": 0.9, \"upper\": 0.999}}",
                      3, &t);
    assert_range(x, 0.9, 0.999);
    /* -log(1 - x) uniform on [log 10, log 1000] */
    for (int i = 0; i < N; i++)
        x[i] = -log1p(-x[i]);
    assert_near(mean(x), 0.5 * (log(10) + log(1000)), 0.03);
    assert_near(frac_below(x, log(100)), 0.5, 0.015);
    free(x);
}

static void test_randint(void **state)
{
    int32_t t;
    double *x = draws("{\"v\": {\"domain\": \"randint\", \"lower\": 1, "
                      "\"upper\": 10}}",
                      4, &t);
    assert_int_equal(t, HPOLAB_VALUE_INT);
    assert_range(x, 1, 10);
    for (int k = 1; k <= 10; k++) /* both ends inclusive, uniform */
        assert_near(frac_eq(x, k), 0.1, 0.01);
    free(x);
}

static void test_lograndint(void **state)
{
    int32_t t;
    double *x = draws("{\"v\": {\"domain\": \"lograndint\", \"lower\": 1, "
                      "\"upper\": 100}}",
                      5, &t);
    assert_int_equal(t, HPOLAB_VALUE_INT);
    assert_range(x, 1, 100);
    /* round(exp(U[0, log 100])): P(1) = log(1.5) / log(100), and the top
     * end gets the half-width share (log(100) - log(99.5)) / log(100) */
    assert_near(frac_eq(x, 1), log(1.5) / log(100), 0.006);
    assert_near(frac_eq(x, 2), (log(2.5) - log(1.5)) / log(100), 0.006);
    assert_true(frac_eq(x, 100) > 0);
    assert_near(frac_below(x, 10.5), log(10.5) / log(100), 0.015);
    free(x);
}

static void test_quantized(void **state)
{
    int32_t t;
    double *x = draws("{\"v\": {\"domain\": \"quniform\", \"lower\": 0, "
                      "\"upper\": 1, \"q\": 0.25}}",
                      6, &t);
    assert_int_equal(t, HPOLAB_VALUE_DOUBLE);
    /* the end points get half the weight of the inner multiples */
    assert_near(frac_eq(x, 0.0), 0.125, 0.01);
    assert_near(frac_eq(x, 0.25), 0.25, 0.015);
    assert_near(frac_eq(x, 0.5), 0.25, 0.015);
    assert_near(frac_eq(x, 1.0), 0.125, 0.01);
    free(x);

    /* randint 0..12 then round(v / 4) * 4, half to even: 2 -> 0, 6 -> 8,
     * 10 -> 8; so 0: {0,1,2}, 4: {3,4,5}, 8: {6..10}, 12: {11,12} */
    x = draws("{\"v\": {\"domain\": \"qrandint\", \"lower\": 0, \"upper\": 12, "
              "\"q\": 4}}",
              7, &t);
    assert_int_equal(t, HPOLAB_VALUE_INT);
    assert_near(frac_eq(x, 0), 3.0 / 13, 0.015);
    assert_near(frac_eq(x, 4), 3.0 / 13, 0.015);
    assert_near(frac_eq(x, 8), 5.0 / 13, 0.015);
    assert_near(frac_eq(x, 12), 2.0 / 13, 0.015);
    free(x);

    x = draws("{\"v\": {\"domain\": \"qloguniform\", \"lower\": 0.5, "
              "\"upper\": 8, \"q\": 0.5}}",
              8, &t);
    assert_range(x, 0.5, 8);
    for (int i = 0; i < N; i++)
        assert_true(x[i] / 0.5 == floor(x[i] / 0.5));
    /* log-uniform inner draw: half the mass below the geometric middle 2 */
    assert_near(frac_below(x, 2.2), log(2.25 / 0.5) / log(16), 0.015);
    free(x);

    x = draws("{\"v\": {\"domain\": \"qlograndint\", \"lower\": 2, "
              "\"upper\": 64, \"q\": 2}}",
              9, &t);
    assert_int_equal(t, HPOLAB_VALUE_INT);
    assert_range(x, 2, 64);
    for (int i = 0; i < N; i++)
        assert_true(fmod(x[i], 2) == 0);
    assert_true(frac_eq(x, 2) > 0 && frac_eq(x, 64) > 0);
    /* <= 8 after quantizing: inner value <= 9 (9/2 = 4.5 rounds to even
     * 4), i.e. exp(U) < 9.5 */
    assert_near(frac_below(x, 9), log(9.5 / 2) / log(32), 0.015);
    free(x);
}

static void test_categorical(void **state)
{
    int32_t t;
    struct hpolab_space *s = space_from(
        "{\"v\": {\"domain\": \"choice\", \"categories\": [\"a\", \"b\", \"c\"]},"
        " \"o\": {\"domain\": \"ordinal\", \"categories\": [\"x\", \"y\", \"z\"]},"
        " \"k\": 7}");
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 10);
    int count[3] = {0}, ocount[3] = {0};
    for (int i = 0; i < N; i++) {
        struct hpolab_config *c;
        assert_int_equal(hpolab_space_sample(s, &r, &c, NULL), HPOLAB_OK);
        assert_int_equal(c->rec.count, 3);
        assert_string_equal(c->rec.entries[0].name, "v");
        assert_string_equal(c->rec.entries[2].name, "k");
        assert_int_equal(c->rec.entries[2].value.u.i, 7);
        count[c->rec.entries[0].value.u.s[0] - 'a']++;
        ocount[c->rec.entries[1].value.u.s[0] - 'x']++;
        hpolab_config_free(c);
    }
    for (int k = 0; k < 3; k++) {
        assert_near(count[k] / (double)N, 1.0 / 3, 0.015);
        assert_near(ocount[k] / (double)N, 1.0 / 3, 0.015);
    }
    hpolab_space_free(s);

    double *x = draws("{\"v\": {\"domain\": \"choice\", \"categories\": "
                      "[0.5, 1.5]}}",
                      11, &t);
    assert_int_equal(t, HPOLAB_VALUE_DOUBLE);
    assert_near(frac_eq(x, 0.5), 0.5, 0.015);
    free(x);
}

static void test_ordinal_nn(void **state)
{
    int32_t t;
    /* z = [1,2,4,8], a = 0.5 * mean(1,2,4) = 7/6, interval [-1/6, 55/6]:
     * P(1) = (1.5 + 1/6) / (28/3), P(2) = 1.5 / (28/3), P(4) = 3 / (28/3) */
    double *x = draws("{\"v\": {\"domain\": \"ordinal\", \"categories\": "
                      "[1, 2, 4, 8]}}",
                      12, &t);
    assert_int_equal(t, HPOLAB_VALUE_INT);
    double w = 28.0 / 3;
    assert_near(frac_eq(x, 1), (1.5 + 1.0 / 6) / w, 0.015);
    assert_near(frac_eq(x, 2), 1.5 / w, 0.015);
    assert_near(frac_eq(x, 4), 3 / w, 0.015);
    assert_near(frac_eq(x, 8), (55.0 / 6 - 6) / w, 0.015);
    free(x);

    /* log scale: equal thirds for 1, 10, 100 */
    x = draws("{\"v\": {\"domain\": \"logordinal\", \"categories\": "
              "[1, 10, 100]}}",
              13, &t);
    assert_near(frac_eq(x, 1), 1.0 / 3, 0.015);
    assert_near(frac_eq(x, 10), 1.0 / 3, 0.015);
    assert_near(frac_eq(x, 100), 1.0 / 3, 0.015);
    free(x);

    x = draws("{\"v\": {\"domain\": \"ordinal\", \"kind\": \"nn-log\", "
              "\"categories\": [0.5, 5.0, 50.0]}}",
              14, &t);
    assert_int_equal(t, HPOLAB_VALUE_DOUBLE);
    assert_near(frac_eq(x, 5.0), 1.0 / 3, 0.015);
    free(x);
}

static void test_finrange(void **state)
{
    int32_t t;
    double *x = draws("{\"v\": {\"domain\": \"finrange\", \"lower\": 0, "
                      "\"upper\": 1, \"size\": 5}}",
                      15, &t);
    assert_int_equal(t, HPOLAB_VALUE_DOUBLE);
    for (int k = 0; k < 5; k++)
        assert_near(frac_eq(x, k * 0.25), 0.2, 0.015);
    free(x);
    x = draws("{\"v\": {\"domain\": \"logfinrange\", \"lower\": 1, "
              "\"upper\": 1000, \"size\": 4, \"cast_int\": true}}",
              16, &t);
    assert_int_equal(t, HPOLAB_VALUE_INT);
    assert_near(frac_eq(x, 1), 0.25, 0.015);
    assert_near(frac_eq(x, 10), 0.25, 0.015);
    assert_near(frac_eq(x, 100), 0.25, 0.015);
    assert_near(frac_eq(x, 1000), 0.25, 0.015);
    free(x);
}

/* The first draws of every domain, exactly. Expected values: plain Python
 * (no numpy) following §1.3 and Appendix A (MT19937 as in
 * docs/config-space.md; math.exp/log/log1p/expm1; round = half to even;
 * nn ordinals: nearest of z to uniform(z0 - a, zlast + a), a = half the mean
 * gap). Cross-checked with numpy 1.24.2 calling the samplers the way
 * syne_tune/config_space.py does: identical except the first reverse-log
 * value, for which numpy's SIMD expm1 gives 0.9648198981158723 (1 ulp). */
static void test_every_domain_exact(void **state)
{
    struct hpolab_space *s = space_from(
        "{\"u\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"
        " \"lu\": {\"domain\": \"loguniform\", \"lower\": 1e-4, \"upper\": 0.1},"
        " \"r\": {\"domain\": \"reverseloguniform\", \"lower\": 0.9, "
        "\"upper\": 0.999},"
        " \"i\": {\"domain\": \"randint\", \"lower\": 1, \"upper\": 10},"
        " \"li\": {\"domain\": \"lograndint\", \"lower\": 1, \"upper\": 100},"
        " \"qu\": {\"domain\": \"quniform\", \"lower\": 0, \"upper\": 1, "
        "\"q\": 0.25},"
        " \"qlu\": {\"domain\": \"qloguniform\", \"lower\": 0.5, \"upper\": 8, "
        "\"q\": 0.5},"
        " \"qi\": {\"domain\": \"qrandint\", \"lower\": 0, \"upper\": 12, "
        "\"q\": 4},"
        " \"qli\": {\"domain\": \"qlograndint\", \"lower\": 2, \"upper\": 64, "
        "\"q\": 2},"
        " \"c\": {\"domain\": \"choice\", \"categories\": [\"a\", \"b\", \"c\"]},"
        " \"o\": {\"domain\": \"ordinal\", \"categories\": [\"s\", \"m\", \"l\"]},"
        " \"on\": {\"domain\": \"ordinal\", \"categories\": [1, 2, 4, 8]},"
        " \"lo\": {\"domain\": \"logordinal\", \"categories\": [1, 10, 100]},"
        " \"f\": {\"domain\": \"finrange\", \"lower\": 0, \"upper\": 1, "
        "\"size\": 5},"
        " \"lf\": {\"domain\": \"logfinrange\", \"lower\": 1, \"upper\": 1000, "
        "\"size\": 4, \"cast_int\": true}}");
    static const char *const want[4] = {
        "{\"u\": 5.447037783967925, \"lu\": 0.0007218018732952586, "
        "\"r\": 0.9648198981158724, \"i\": 7, \"li\": 27, \"qu\": 0.5, "
        "\"qlu\": 4.5, \"qi\": 0, \"qli\": 20, \"c\": \"c\", \"o\": \"m\", "
        "\"on\": 4, \"lo\": 10, \"f\": 0.25, \"lf\": 1000}",
        "{\"u\": -1.3286108456912022, \"lu\": 0.012141309541725516, "
        "\"r\": 0.9935107396172693, \"i\": 2, \"li\": 2, \"qu\": 0.25, "
        "\"qlu\": 2.0, \"qi\": 4, \"qli\": 8, \"c\": \"b\", \"o\": \"s\", "
        "\"on\": 4, \"lo\": 100, \"f\": 1.0, \"lf\": 1}",
        "{\"u\": 1.258149220380064, \"lu\": 0.009207970566887819, "
        "\"r\": 0.9821187800048494, \"i\": 3, \"li\": 4, \"qu\": 0.75, "
        "\"qlu\": 0.5, \"qi\": 0, \"qli\": 2, \"c\": \"c\", \"o\": \"l\", "
        "\"on\": 1, \"lo\": 1, \"f\": 0.75, \"lf\": 1000}",
        "{\"u\": 8.400837446757022, \"lu\": 0.06799548167126573, "
        "\"r\": 0.9900842253504659, \"i\": 4, \"li\": 14, \"qu\": 0.25, "
        "\"qlu\": 2.0, \"qi\": 8, \"qli\": 40, \"c\": \"b\", \"o\": \"l\", "
        "\"on\": 8, \"lo\": 10, \"f\": 1.0, \"lf\": 1}",
    };
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 123);
    for (int k = 0; k < 4; k++) {
        struct hpolab_config *c;
        assert_int_equal(hpolab_space_sample(s, &r, &c, NULL), HPOLAB_OK);
        char *text = hpolab_record_to_json_text(&c->rec);
        assert_string_equal(text, want[k]);
        free(text);
        hpolab_config_free(c);
    }
    hpolab_space_free(s);
}

/* ---- Syne Tune's RandomSearcher trace ----------------------------------
 * Space (in this order): lr loguniform(1e-4, 0.1), x uniform(-5, 10),
 * epochs 81, layers randint(1, 10), act choice(relu, tanh, sigmoid).
 * Trial 0 is the midpoint; trials 1..9 are draws from RandomState(seed1),
 * seed1 = RandomState(s).randint(0, 2^31 - 1), skipping duplicates.
 *
 * Expected values: a standalone pure-Python script (no numpy) following the
 * schedulers reference by hand (MT19937 seeding/twist/tempering, double,
 * uniform, masked randint; math.log/math.exp, Python round), reproduced in
 * docs/config-space.md. Cross-checked with numpy 1.24.2 calling the samplers
 * the way syne_tune/config_space.py does (size=1 draws, np.log/np.exp):
 * seeds, integers, categories and uniform floats are identical; 3 of the 20
 * log-uniform values differ in the last bit because numpy's AVX-512 exp is
 * not libm's (numpy gives 0.002871719181692576, 0.00012141296350866148 and
 * 0.016348292035223068); the test checks those within 2 ulp as well. */
struct trace_row {
    double lr, x;
    int64_t layers;
    const char *act;
};

static const struct trace_row trace0[10] = {
    {0.003162277660168382, 2.5, 6, "relu"},
    {0.0028717191816925755, 5.285684762665337, 1, "sigmoid"},
    {0.00038617951295848965, 3.7511751022543596, 10, "tanh"},
    {0.002465942506737962, 0.9938307624357883, 6, "tanh"},
    {0.0007758195938660469, -2.8690084853904385, 10, "tanh"},
    {0.03993690960493147, 4.888656999303356, 3, "tanh"},
    {0.00031285616727033677, 8.78820342619771, 1, "tanh"},
    {0.0003391040005433149, 2.586526275794532, 1, "tanh"},
    {0.00010117922300707791, 2.9392567201190696, 4, "relu"},
    {0.00012141296350866147, 7.031112320528187, 7, "sigmoid"},
};

static const struct trace_row trace7[10] = {
    {0.003162277660168382, 2.5, 6, "relu"},
    {0.00014697666562656143, 2.5295102805441143, 10, "sigmoid"},
    {0.0011107996620841577, -1.5266271269214027, 4, "sigmoid"},
    {0.003397060948873408, 9.639351986039761, 2, "relu"},
    {0.006164758077455693, -1.1822940019221733, 9, "sigmoid"},
    {0.0002958297034757867, 1.725814241727928, 8, "relu"},
    {0.004378388997181916, 4.249851703801456, 2, "tanh"},
    {0.00975098375366474, 7.459127502510064, 6, "relu"},
    {0.000312862587266764, -4.46085584684925, 6, "sigmoid"},
    {0.01634829203522307, 8.284974085985237, 4, "sigmoid"},
};

static const char *const trace_space =
    "{\"lr\": {\"domain\": \"loguniform\", \"lower\": 1e-4, \"upper\": 0.1},"
    " \"x\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"
    " \"epochs\": 81,"
    " \"layers\": {\"domain\": \"randint\", \"lower\": 1, \"upper\": 10},"
    " \"act\": {\"domain\": \"choice\", \"categories\": "
    "[\"relu\", \"tanh\", \"sigmoid\"]}}";

static void check_row(const struct hpolab_config *c, const struct trace_row *w)
{
    assert_int_equal(c->rec.count, 5);
    static const char *const names[] = {"lr", "x", "epochs", "layers", "act"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(c->rec.entries[i].name, names[i]);
    assert_true(c->rec.entries[0].value.u.d == w->lr);
    assert_true(c->rec.entries[1].value.u.d == w->x);
    assert_int_equal(c->rec.entries[2].value.u.i, 81);
    assert_int_equal(c->rec.entries[3].value.type, HPOLAB_VALUE_INT);
    assert_int_equal(c->rec.entries[3].value.u.i, w->layers);
    assert_string_equal(c->rec.entries[4].value.u.s, w->act);
}

static void run_trace(uint32_t master, uint32_t want_seed,
                      const struct trace_row *want)
{
    struct hpolab_space *s = space_from(trace_space);
    struct hpolab_rng gen, r;
    hpolab_rng_seed(&gen, master);
    uint32_t seed1 = hpolab_rng_seed_draw(&gen);
    assert_int_equal(seed1, want_seed);
    hpolab_rng_seed(&r, seed1);
    struct hpolab_config *c;
    assert_int_equal(hpolab_space_default_config(s, NULL, &c, NULL),
                     HPOLAB_OK);
    check_row(c, &want[0]);
    hpolab_config_free(c);
    for (int k = 1; k < 10; k++) {
        assert_int_equal(hpolab_space_sample(s, &r, &c, NULL), HPOLAB_OK);
        check_row(c, &want[k]);
        hpolab_config_free(c);
    }
    hpolab_space_free(s);
}

static void test_trace_seed0(void **state)
{
    run_trace(0, 209652396u, trace0);
}

static void test_trace_seed7(void **state)
{
    run_trace(7, 327741615u, trace7);
}

static void test_trace_numpy_within_ulp(void **state)
{
    static const double libm[] = {0.0028717191816925755,
                                  0.00012141296350866147,
                                  0.01634829203522307};
    static const double numpy[] = {0.002871719181692576,
                                   0.00012141296350866148,
                                   0.016348292035223068};
    for (int i = 0; i < 3; i++) {
        assert_true(libm[i] != numpy[i]);
        assert_true(fabs(libm[i] - numpy[i]) <= 2 * nextafter(libm[i], 1) -
                                                    2 * libm[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_loguniform),
        cmocka_unit_test(test_reverseloguniform),
        cmocka_unit_test(test_randint),
        cmocka_unit_test(test_lograndint),
        cmocka_unit_test(test_quantized),
        cmocka_unit_test(test_categorical),
        cmocka_unit_test(test_ordinal_nn),
        cmocka_unit_test(test_finrange),
        cmocka_unit_test(test_every_domain_exact),
        cmocka_unit_test(test_trace_seed0),
        cmocka_unit_test(test_trace_seed7),
        cmocka_unit_test(test_trace_numpy_within_ulp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
