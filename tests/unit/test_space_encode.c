/* Feature encoding (schedulers reference §1.4) and decoding. Expected
 * numbers were computed with plain Python from the formulas of
 * hp_ranges_impl.py (EPS = 1e-8; (S(x) - S(lo)) / (S(hi) - S(lo)); integers
 * over [lo - 0.5 + EPS, hi + 0.5 - EPS]). */
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

/* Encode {"v": value} in the one-hyperparameter space {"v": domain}. */
static void encode1(const char *domain, const char *value, double *out,
                    uint32_t dim)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"v\": %s}", domain);
    struct hpolab_space *s = space_from(buf);
    assert_int_equal(hpolab_space_encoded_dim(s), dim);
    snprintf(buf, sizeof buf, "{\"v\": %s}", value);
    struct hpolab_config *c = config_from(buf);
    struct hpolab_error err = {0};
    if (hpolab_space_encode(s, c, out, dim, &err) != HPOLAB_OK)
        fail_msg("%s", err.message);
    hpolab_config_free(c);
    hpolab_space_free(s);
}

static double enc(const char *domain, const char *value)
{
    double x;
    encode1(domain, value, &x, 1);
    return x;
}

static void test_encode_values(void **state)
{
    const char *ri = "{\"domain\": \"randint\", \"lower\": 1, \"upper\": 10}";
    assert_true(enc(ri, "3") == 0.24999999950000004);
    const char *bin = "{\"domain\": \"choice\", \"categories\": [\"a\", \"b\"]}";
    assert_true(enc(bin, "\"a\"") == 0.24999999749999996); /* ~0.25 */
    assert_true(enc(bin, "\"b\"") == 0.7500000025);        /* ~0.75 */
    assert_true(enc("{\"domain\": \"ordinal\", \"categories\": [\"s\", \"m\", "
                    "\"l\", \"xl\"]}",
                    "\"l\"") == 0.625000000625);
    assert_true(enc("{\"domain\": \"lograndint\", \"lower\": 1, "
                    "\"upper\": 100}",
                    "10") == 0.5648802618071971);
    assert_true(enc("{\"domain\": \"loguniform\", \"lower\": 1e-4, "
                    "\"upper\": 0.1}",
                    "0.001") == 0.33333333333333326);
    /* [QUIRK] quantized domains encode linearly, even qloguniform */
    assert_true(enc("{\"domain\": \"qloguniform\", \"lower\": 1e-4, "
                    "\"upper\": 0.1, \"q\": 1e-4}",
                    "0.05005") == 0.49999999999999994);
    assert_true(enc("{\"domain\": \"reverseloguniform\", \"lower\": 0.9, "
                    "\"upper\": 0.999}",
                    "0.99") == 0.5);
    assert_true(enc("{\"domain\": \"ordinal\", \"categories\": [1, 2, 4, 8]}",
                    "4") == 0.4464285714285715);
    assert_true(enc("{\"domain\": \"finrange\", \"lower\": 0, \"upper\": 1, "
                    "\"size\": 5}",
                    "0.74") == 0.7000000008);
    assert_true(enc("{\"domain\": \"uniform\", \"lower\": 2, \"upper\": 4}",
                    "3") == 0.5);
    /* a fixed float range encodes as 0 */
    assert_true(enc("{\"domain\": \"uniform\", \"lower\": 2, \"upper\": 2}",
                    "2") == 0.0);
    double oh[3];
    encode1("{\"domain\": \"choice\", \"categories\": [\"a\", \"b\", \"c\"]}",
            "\"b\"", oh, 3);
    assert_true(oh[0] == 0 && oh[1] == 1 && oh[2] == 0);
    double one;
    encode1("{\"domain\": \"choice\", \"categories\": [\"only\"]}",
            "\"only\"", &one, 1);
    assert_true(one == 1.0);
}

static const char *const mixed =
    "{\"zeta\": {\"domain\": \"uniform\", \"lower\": -1, \"upper\": 1},"
    " \"k\": \"const\","
    " \"alpha\": {\"domain\": \"choice\", \"categories\": [\"p\", \"q\", "
    "\"r\"]},"
    " \"mid\": {\"domain\": \"randint\", \"lower\": 0, \"upper\": 5},"
    " \"fix\": {\"domain\": \"choice\", \"categories\": [7]},"
    " \"same\": {\"domain\": \"loguniform\", \"lower\": 3, \"upper\": 3}}";

static void test_layout_and_bounds(void **state)
{
    struct hpolab_space *s = space_from(mixed);
    /* sorted: alpha (3), fix (1), mid (1), same (1), zeta (1) */
    assert_int_equal(hpolab_space_encoded_dim(s), 7);
    struct hpolab_config *c = config_from(
        "{\"zeta\": 0.5, \"k\": \"const\", \"alpha\": \"r\", \"mid\": 0, "
        "\"fix\": 7, \"same\": 3}");
    double x[7];
    assert_int_equal(hpolab_space_encode(s, c, x, 7, NULL), HPOLAB_OK);
    assert_true(x[0] == 0 && x[1] == 0 && x[2] == 1);
    assert_true(x[3] == 1.0);
    assert_true(fabs(x[4] - 0.5 / 6) < 1e-8);
    assert_true(x[5] == 0.0);
    assert_true(x[6] == 0.75);
    double lo[7], hi[7];
    assert_int_equal(hpolab_space_encoded_bounds(s, lo, hi, 7, NULL),
                     HPOLAB_OK);
    static const double wlo[7] = {0, 0, 0, 1, 0, 0, 0};
    static const double whi[7] = {1, 1, 1, 1, 1, 0, 1};
    for (int i = 0; i < 7; i++) {
        assert_true(lo[i] == wlo[i]);
        assert_true(hi[i] == whi[i]);
    }
    struct hpolab_error err = {0};
    assert_int_equal(hpolab_space_encode(s, c, x, 6, &err), HPOLAB_ERR_INVALID);
    assert_string_equal(err.message, "encode: expected dimension 7, got 6");
    hpolab_config_free(c);
    c = config_from("{\"zeta\": 0.5, \"alpha\": \"r\", \"fix\": 7, "
                    "\"same\": 3}");
    assert_int_equal(hpolab_space_encode(s, c, x, 7, &err), HPOLAB_ERR_INVALID);
    assert_string_equal(err.message, "mid: missing from the configuration");
    hpolab_config_free(c);
    c = config_from("{\"zeta\": 1.5, \"alpha\": \"r\", \"mid\": 0, "
                    "\"fix\": 7, \"same\": 3}");
    assert_int_equal(hpolab_space_encode(s, c, x, 7, &err), HPOLAB_ERR_INVALID);
    assert_string_equal(err.message,
                        "zeta: expected a value in [-1.0, 1.0], got 1.5");
    hpolab_config_free(c);

    /* decode: constants included, in space order */
    double u[7] = {0.2, 0.9, 0.1, 1.0, 0.999, 0.3, 0.25};
    assert_int_equal(hpolab_space_decode(s, u, 7, &c, NULL), HPOLAB_OK);
    char *text = hpolab_record_to_json_text(&c->rec);
    assert_string_equal(text, "{\"zeta\": -0.5, \"k\": \"const\", "
                              "\"alpha\": \"q\", \"mid\": 5, \"fix\": 7, "
                              "\"same\": 3.0}");
    free(text);
    hpolab_config_free(c);
    u[6] = 1.5;
    assert_int_equal(hpolab_space_decode(s, u, 7, &c, &err),
                     HPOLAB_ERR_INVALID);
    assert_null(c);
    hpolab_space_free(s);
}

static const char *const every =
    "{\"u\": {\"domain\": \"uniform\", \"lower\": -3, \"upper\": 7},"
    " \"lu\": {\"domain\": \"loguniform\", \"lower\": 1e-5, \"upper\": 1},"
    " \"r\": {\"domain\": \"reverseloguniform\", \"lower\": 0.5, "
    "\"upper\": 0.9999},"
    " \"i\": {\"domain\": \"randint\", \"lower\": -4, \"upper\": 9},"
    " \"li\": {\"domain\": \"lograndint\", \"lower\": 2, \"upper\": 500},"
    " \"qu\": {\"domain\": \"quniform\", \"lower\": 0, \"upper\": 2, "
    "\"q\": 0.5},"
    " \"qlu\": {\"domain\": \"qloguniform\", \"lower\": 0.5, \"upper\": 8, "
    "\"q\": 0.5},"
    " \"qi\": {\"domain\": \"qrandint\", \"lower\": 0, \"upper\": 12, "
    "\"q\": 3},"
    " \"qli\": {\"domain\": \"qlograndint\", \"lower\": 2, \"upper\": 64, "
    "\"q\": 2},"
    " \"c3\": {\"domain\": \"choice\", \"categories\": [\"a\", \"b\", \"c\"]},"
    " \"c2\": {\"domain\": \"choice\", \"categories\": [true, false]},"
    " \"c1\": {\"domain\": \"choice\", \"categories\": [0.5]},"
    " \"oe\": {\"domain\": \"ordinal\", \"categories\": [\"s\", \"m\", \"l\"]},"
    " \"on\": {\"domain\": \"ordinal\", \"categories\": [1, 3, 4, 10]},"
    " \"ol\": {\"domain\": \"logordinal\", \"categories\": [0.1, 1.0, 10.0]},"
    " \"f\": {\"domain\": \"finrange\", \"lower\": 1, \"upper\": 2, "
    "\"size\": 6},"
    " \"lf\": {\"domain\": \"logfinrange\", \"lower\": 1, \"upper\": 1000, "
    "\"size\": 4, \"cast_int\": true},"
    " \"k\": {\"nested\": true}}";

/* Coordinates of real-valued hyperparameters (u, lu, r, qu, qlu), which
 * survive decode + encode. Sorted names and widths: c1 c2 c3(3) f i lf li
 * lu oe ol on qi qli qlu qu r u. */
static int is_continuous_coordinate(uint32_t j)
{
    static const int cont[19] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
                                 0, 0, 1, 1, 1, 1};
    return cont[j];
}

/* Same names, types and values; doubles equal to rounding. */
static void assert_configs_close(const struct hpolab_config *c,
                                 const struct hpolab_config *d)
{
    assert_int_equal(c->rec.count, d->rec.count);
    for (uint32_t i = 0; i < c->rec.count; i++) {
        const struct hpolab_value *a = &c->rec.entries[i].value,
                                  *b = &d->rec.entries[i].value;
        assert_string_equal(c->rec.entries[i].name, d->rec.entries[i].name);
        assert_int_equal(a->type, b->type);
        if (a->type == HPOLAB_VALUE_DOUBLE) {
            assert_true(fabs(a->u.d - b->u.d) <=
                        1e-12 * fmax(1.0, fabs(a->u.d)));
        } else {
            char *ta = hpolab_value_json(a), *tb = hpolab_value_json(b);
            assert_string_equal(ta, tb);
            free(ta);
            free(tb);
        }
    }
}

static void test_round_trips(void **state)
{
    struct hpolab_space *s = space_from(every);
    uint32_t dim = hpolab_space_encoded_dim(s);
    assert_int_equal(dim, 19);
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 2024);
    double x[19], y[19];
    for (int n = 0; n < 2000; n++) {
        /* decode(encode(c)) == cast(c) (floats to rounding) */
        struct hpolab_config *c, *d;
        assert_int_equal(hpolab_space_sample(s, &r, &c, NULL), HPOLAB_OK);
        assert_int_equal(hpolab_space_encode(s, c, x, dim, NULL), HPOLAB_OK);
        for (uint32_t j = 0; j < dim; j++)
            assert_true(x[j] >= 0 && x[j] <= 1);
        assert_int_equal(hpolab_space_decode(s, x, dim, &d, NULL), HPOLAB_OK);
        assert_int_equal(hpolab_space_cast(s, c, NULL), HPOLAB_OK);
        assert_configs_close(c, d);
        hpolab_config_free(c);
        hpolab_config_free(d);

        /* encode(decode(u)): continuous coordinates come back, discrete
         * ones decode to the same configuration again */
        double u[19];
        for (uint32_t j = 0; j < dim; j++)
            u[j] = hpolab_rng_double(&r);
        assert_int_equal(hpolab_space_decode(s, u, dim, &c, NULL), HPOLAB_OK);
        assert_int_equal(hpolab_space_encode(s, c, y, dim, NULL), HPOLAB_OK);
        for (uint32_t j = 0; j < dim; j++)
            if (is_continuous_coordinate(j))
                assert_true(fabs(y[j] - u[j]) < 1e-9);
        assert_int_equal(hpolab_space_decode(s, y, dim, &d, NULL), HPOLAB_OK);
        assert_configs_close(c, d);
        hpolab_config_free(c);
        hpolab_config_free(d);
    }
    hpolab_space_free(s);
}

static void test_decode_discrete(void **state)
{
    struct hpolab_space *s = space_from(
        "{\"i\": {\"domain\": \"randint\", \"lower\": 1, \"upper\": 3}}");
    /* [0.5-eps, 3.5-eps] split in thirds; the ends decode to the ends */
    static const struct {
        double u;
        int64_t v;
    } cases[] = {{0.0, 1}, {0.33, 1}, {0.34, 2}, {0.66, 2}, {0.67, 3},
                 {1.0, 3}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct hpolab_config *c;
        assert_int_equal(hpolab_space_decode(s, &cases[k].u, 1, &c, NULL),
                         HPOLAB_OK);
        assert_int_equal(c->rec.entries[0].value.u.i, cases[k].v);
        hpolab_config_free(c);
    }
    hpolab_space_free(s);
    /* one-hot: the first maximum wins */
    s = space_from("{\"c\": {\"domain\": \"choice\", \"categories\": [\"a\", "
                   "\"b\", \"c\"]}}");
    double u[3] = {0.2, 0.7, 0.7};
    struct hpolab_config *c;
    assert_int_equal(hpolab_space_decode(s, u, 3, &c, NULL), HPOLAB_OK);
    assert_string_equal(c->rec.entries[0].value.u.s, "b");
    hpolab_config_free(c);
    hpolab_space_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_values),
        cmocka_unit_test(test_layout_and_bounds),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_decode_discrete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
