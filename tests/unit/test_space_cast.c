/* Casting (§1.2), midpoint defaults (§1.7), match keys and cardinality
 * (§1.5) and configuration sets. Float expectations with a long mantissa
 * were computed with plain Python (math.exp/math.log, round = half to even)
 * following the schedulers reference formulas. */
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

#include "config_set.h"
#include "space.h"

/* cast(space, {"v": value}) and return the JSON text of the result, or the
 * error message prefixed with "error: ". [owned: free] */
static char *cast_text(const struct hpolab_space *s, const char *value_json)
{
    char buf[256];
    snprintf(buf, sizeof buf, "{\"v\": %s}", value_json);
    struct hpolab_config *c = config_from(buf);
    struct hpolab_error err = {0};
    char *out;
    if (hpolab_space_cast(s, c, &err) != HPOLAB_OK) {
        out = malloc(strlen(err.message) + 8);
        sprintf(out, "error: %s", err.message);
    } else {
        out = hpolab_value_json(&c->rec.entries[0].value);
    }
    hpolab_config_free(c);
    return out;
}

static void expect_cast(const char *space, const char *in, const char *want)
{
    char buf[512];
    snprintf(buf, sizeof buf, "{\"v\": %s}", space);
    struct hpolab_space *s = space_from(buf);
    char *got = cast_text(s, in);
    if (strcmp(got, want) != 0)
        fail_msg("cast %s in %s: got %s, expected %s", in, space, got, want);
    free(got);
    hpolab_space_free(s);
}

static void test_cast_numeric(void **state)
{
    const char *ri = "{\"domain\": \"randint\", \"lower\": 0, \"upper\": 10}";
    expect_cast(ri, "2.5", "2"); /* half to even */
    expect_cast(ri, "3.5", "4");
    expect_cast(ri, "-2.5", "-2");
    expect_cast(ri, "7", "7");
    expect_cast(ri, "\"6\"", "6");
    expect_cast(ri, "\"x\"", "error: v: expected an integer, got \"x\"");
    expect_cast(ri, "12", "12"); /* cast does not clip */
    const char *u = "{\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1}";
    expect_cast(u, "3", "3.0");
    expect_cast(u, "\"0.25\"", "0.25");
    expect_cast(u, "true", "1.0");
    expect_cast(u, "null", "error: v: expected a number, got null");
    /* quantized domains are cast like their base domain, not quantized */
    expect_cast("{\"domain\": \"quniform\", \"lower\": 0, \"upper\": 1, "
                "\"q\": 0.5}",
                "0.3", "0.3");
}

static void test_cast_categorical(void **state)
{
    const char *fc = "{\"domain\": \"choice\", \"categories\": [0.1, 0.2, 0.5]}";
    expect_cast(fc, "0.2", "0.2");
    expect_cast(fc, "0.2019", "0.2");   /* 0.95 % away: snapped */
    expect_cast(fc, "0.1009", "0.1");   /* 0.9 % */
    expect_cast(fc, "\"0.5\"", "0.5");  /* float("0.5") */
    expect_cast(fc, "0.1011",
                "error: v: expected one of [0.1, 0.2, 0.5], got 0.1011");
    expect_cast(fc, "0.35",
                "error: v: expected one of [0.1, 0.2, 0.5], got 0.35");
    const char *ic = "{\"domain\": \"choice\", \"categories\": [1, 2, 3]}";
    expect_cast(ic, "2.7", "2"); /* int(2.7) as Python's int() */
    expect_cast(ic, "\"3\"", "3");
    expect_cast(ic, "4", "error: v: expected one of [1, 2, 3], got 4");
    const char *sc = "{\"domain\": \"choice\", \"categories\": [\"1\", \"2\", "
                     "\"True\"]}";
    expect_cast(sc, "1", "\"1\""); /* str(1) */
    expect_cast(sc, "true", "\"True\""); /* str(True) */
    const char *bc = "{\"domain\": \"choice\", \"categories\": [true, false]}";
    expect_cast(bc, "\"False\"", "false");
    expect_cast(bc, "0", "false");
    const char *oc = "{\"domain\": \"ordinal\", \"categories\": [\"s\", \"m\", "
                     "\"l\"]}";
    expect_cast(oc, "\"m\"", "\"m\"");
    expect_cast(oc, "\"xl\"",
                "error: v: expected one of [\"s\", \"m\", \"l\"], got \"xl\"");
}

static void test_cast_finrange_and_onn(void **state)
{
    const char *fr = "{\"domain\": \"finrange\", \"lower\": 0, \"upper\": 1, "
                     "\"size\": 5}";
    expect_cast(fr, "0.3", "0.25");
    expect_cast(fr, "0.375", "0.5");  /* index round(1.5) = 2 */
    expect_cast(fr, "0.625", "0.5");  /* index round(2.5) = 2 */
    expect_cast(fr, "-3", "0.0");     /* clipped */
    expect_cast(fr, "7", "1.0");
    const char *fi = "{\"domain\": \"finrange\", \"lower\": 0, \"upper\": 10, "
                     "\"size\": 3, \"cast_int\": true}";
    expect_cast(fi, "7.4", "5");
    expect_cast(fi, "7.6", "10");
    const char *on = "{\"domain\": \"ordinal\", \"categories\": [1, 2, 4, 8]}";
    expect_cast(on, "2.9", "2");
    expect_cast(on, "3", "2");  /* tie: the first */
    expect_cast(on, "100", "8");
    expect_cast(on, "-7", "1");
    const char *lo = "{\"domain\": \"logordinal\", \"categories\": [1, 10, "
                     "100]}";
    expect_cast(lo, "5", "10");  /* |log 5 - log 10| < log 5 */
    expect_cast(lo, "3", "1");
    expect_cast(lo, "0", "1");   /* log 0 = -inf: numpy's argmin gives 0 */
}

static void test_cast_keeps_other_keys(void **state)
{
    struct hpolab_space *s = space_from(
        "{\"a\": {\"domain\": \"randint\", \"lower\": 0, \"upper\": 9},"
        " \"k\": 4}");
    struct hpolab_config *c = config_from(
        "{\"x\": \"keep\", \"k\": 4.5, \"a\": 4.5}");
    assert_int_equal(hpolab_space_cast(s, c, NULL), HPOLAB_OK);
    char *t = hpolab_record_to_json_text(&c->rec);
    assert_string_equal(t, "{\"x\": \"keep\", \"k\": 4.5, \"a\": 4}");
    free(t);
    hpolab_config_free(c);
    hpolab_space_free(s);
}

static char *default_text(const char *space, const char *partial)
{
    struct hpolab_space *s = space_from(space);
    struct hpolab_config *p = partial ? config_from(partial) : NULL;
    struct hpolab_config *c = NULL;
    struct hpolab_error err = {0};
    char *out;
    if (hpolab_space_default_config(s, p, &c, &err) == HPOLAB_OK) {
        out = hpolab_record_to_json_text(&c->rec);
    } else {
        assert_null(c);
        out = malloc(strlen(err.message) + 8);
        sprintf(out, "error: %s", err.message);
    }
    hpolab_config_free(c);
    hpolab_config_free(p);
    hpolab_space_free(s);
    return out;
}

static void expect_default(const char *space, const char *partial,
                           const char *want)
{
    char *got = default_text(space, partial);
    if (strcmp(got, want) != 0)
        fail_msg("default of %s: got %s, expected %s", space, got, want);
    free(got);
}

static void test_midpoints(void **state)
{
    expect_default("{\"a\": {\"domain\": \"randint\", \"lower\": 1, "
                   "\"upper\": 10}, \"b\": {\"domain\": \"randint\", "
                   "\"lower\": 1, \"upper\": 4}}",
                   NULL, "{\"a\": 6, \"b\": 2}");
    expect_default(
        "{\"u\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"
        " \"lu\": {\"domain\": \"loguniform\", \"lower\": 1e-4, \"upper\": 0.1},"
        " \"r\": {\"domain\": \"reverseloguniform\", \"lower\": 0.9, "
        "\"upper\": 0.999},"
        " \"li\": {\"domain\": \"lograndint\", \"lower\": 1, \"upper\": 100},"
        " \"qlu\": {\"domain\": \"qloguniform\", \"lower\": 1e-4, "
        "\"upper\": 0.1, \"q\": 1e-4},"
        " \"qi\": {\"domain\": \"qrandint\", \"lower\": 0, \"upper\": 12, "
        "\"q\": 4}, \"k\": [1, 2]}",
        NULL,
        /* reverse-log and quantized domains are not "log space" for Syne
         * Tune: arithmetic midpoints, not quantized */
        "{\"u\": 2.5, \"lu\": 0.003162277660168382, \"r\": 0.9495, "
        "\"li\": 10, \"qlu\": 0.050050000000000004, \"qi\": 6, "
        "\"k\": [1,2]}");
    expect_default(
        "{\"c\": {\"domain\": \"choice\", \"categories\": [\"b\", \"a\", "
        "\"c\"]},"
        " \"o\": {\"domain\": \"ordinal\", \"categories\": [\"s\", \"m\", "
        "\"l\", \"xl\"]},"
        " \"on\": {\"domain\": \"ordinal\", \"categories\": [1, 2, 4, 8]},"
        " \"lo\": {\"domain\": \"logordinal\", \"categories\": [1, 2, 4, 8, "
        "16]},"
        " \"f\": {\"domain\": \"finrange\", \"lower\": 0, \"upper\": 1, "
        "\"size\": 5},"
        " \"lf\": {\"domain\": \"logfinrange\", \"lower\": 1, "
        "\"upper\": 10000, \"size\": 5},"
        " \"fi\": {\"domain\": \"finrange\", \"lower\": 0.5, "
        "\"upper\": 10.5, \"size\": 11, \"cast_int\": true}}",
        NULL,
        "{\"c\": \"b\", \"o\": \"l\", \"on\": 4, \"lo\": 4, \"f\": 0.5, "
        "\"lf\": 100.00000000000004, \"fi\": 6}");
}

static void test_given_values(void **state)
{
    const char *sp =
        "{\"lr\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"
        " \"epochs\": 81,"
        " \"layers\": {\"domain\": \"randint\", \"lower\": 1, \"upper\": 10},"
        " \"act\": {\"domain\": \"choice\", \"categories\": [\"relu\", "
        "\"tanh\"]}}";
    expect_default(sp, "{\"layers\": 3.6}",
                   "{\"lr\": 0.5, \"epochs\": 81, \"layers\": 4, "
                   "\"act\": \"relu\"}");
    expect_default(sp, "{\"act\": \"tanh\", \"lr\": 1, \"epochs\": 81.0}",
                   "{\"lr\": 1.0, \"epochs\": 81, \"layers\": 6, "
                   "\"act\": \"tanh\"}");
    expect_default(sp, "{\"layers\": 11}",
                   "error: layers: expected a value in [1, 10], got 11");
    expect_default(sp, "{\"lr\": -0.5}",
                   "error: lr: expected a value in [0.0, 1.0], got -0.5");
    expect_default(sp, "{\"act\": \"gelu\"}",
                   "error: act: expected one of [\"relu\", \"tanh\"], got "
                   "\"gelu\"");
    expect_default(sp, "{\"epochs\": 80}",
                   "error: epochs: is the constant 81 in the configuration "
                   "space, got 80");
    expect_default(sp, "{\"lrr\": 0.1}",
                   "error: lrr: not in the configuration space (which has: "
                   "lr, epochs, layers, act)");
}

static char *key_of(const struct hpolab_space *s, const char *config)
{
    struct hpolab_config *c = config_from(config);
    char *k = hpolab_space_match_key(s, c);
    hpolab_config_free(c);
    return k;
}

static void test_match_keys(void **state)
{
    struct hpolab_space *s = space_from(
        "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"
        " \"epochs\": 3,"
        " \"b\": {\"domain\": \"randint\", \"lower\": 0, \"upper\": 100},"
        " \"a\": {\"domain\": \"choice\", \"categories\": [\"p\", \"q\", "
        "\"r\"]},"
        " \"f\": {\"domain\": \"finrange\", \"lower\": 0, \"upper\": 1, "
        "\"size\": 5},"
        " \"o\": {\"domain\": \"ordinal\", \"categories\": [1, 2, 4]}}");
    char *k = key_of(s, "{\"x\": 0.123456789, \"epochs\": 3, \"b\": 7, "
                        "\"a\": \"r\", \"f\": 0.74, \"o\": 4}");
    /* sorted names; floats "%.6e"; categories and finite ranges by index */
    assert_string_equal(k, "a:2,b:7,f:3,o:2,x:1.234568e-01");
    free(k);
    /* 8th significant digit differs: the same key; the 7th: not */
    char *k1 = key_of(s, "{\"x\": 0.12345671, \"b\": 7, \"a\": \"r\", "
                         "\"f\": 0.75, \"o\": 4}");
    char *k2 = key_of(s, "{\"x\": 0.12345674, \"b\": 7, \"a\": \"r\", "
                         "\"f\": 0.75, \"o\": 4, \"epochs\": 9}");
    char *k3 = key_of(s, "{\"x\": 0.1234569, \"b\": 7, \"a\": \"r\", "
                         "\"f\": 0.75, \"o\": 4}");
    assert_string_equal(k1, k2);
    assert_string_not_equal(k1, k3);
    free(k1);
    free(k2);
    free(k3);
    /* values are cast first: 7.2 keys like 7 */
    k1 = key_of(s, "{\"x\": 0.5, \"b\": 7.2, \"a\": \"p\", \"f\": 0, \"o\": 1}");
    assert_string_equal(k1, "a:0,b:7,f:0,o:0,x:5.000000e-01");
    free(k1);
    /* missing or invalid hyperparameter: no key */
    assert_null(key_of(s, "{\"x\": 0.5, \"a\": \"p\", \"f\": 0, \"o\": 1}"));
    assert_null(key_of(s, "{\"x\": 0.5, \"b\": 1, \"a\": \"z\", \"f\": 0, "
                          "\"o\": 1}"));
    struct hpolab_config *c = config_from("{\"x\": 0.5}");
    struct hpolab_error err = {0};
    char *out = (char *)&err;
    assert_int_equal(hpolab_space_match_key_err(s, c, &out, &err),
                     HPOLAB_ERR_INVALID);
    assert_null(out);
    assert_string_equal(err.message, "a: missing from the configuration");
    hpolab_config_free(c);
    hpolab_space_free(s);
}

static double card(const char *space)
{
    struct hpolab_space *s = space_from(space);
    double n = hpolab_space_cardinality(s);
    hpolab_space_free(s);
    return n;
}

static void test_cardinality(void **state)
{
    assert_true(card("{\"a\": {\"domain\": \"randint\", \"lower\": 1, "
                     "\"upper\": 10}, \"c\": {\"domain\": \"choice\", "
                     "\"categories\": [1, 2, 3]}, \"k\": 1}") == 30);
    assert_true(isinf(card("{\"a\": {\"domain\": \"uniform\", \"lower\": 0, "
                           "\"upper\": 1}}")));
    assert_true(card("{\"a\": {\"domain\": \"uniform\", \"lower\": 1, "
                     "\"upper\": 1}}") == 1);
    assert_true(card("{\"k\": 1}") == 1);
    assert_true(card("{}") == 1);
    /* exactly 2^20 is still counted; one more is "infinite" */
    assert_true(card("{\"a\": {\"domain\": \"randint\", \"lower\": 0, "
                     "\"upper\": 1048575}}") == 1048576);
    assert_true(isinf(card("{\"a\": {\"domain\": \"randint\", \"lower\": 0, "
                           "\"upper\": 1048576}}")));
    assert_true(card("{\"a\": {\"domain\": \"randint\", \"lower\": 1, "
                     "\"upper\": 1024}, \"b\": {\"domain\": \"randint\", "
                     "\"lower\": 1, \"upper\": 1024}}") == 1048576);
    assert_true(isinf(card("{\"a\": {\"domain\": \"randint\", \"lower\": 1, "
                           "\"upper\": 1024}, \"b\": {\"domain\": "
                           "\"randint\", \"lower\": 1, \"upper\": 1024}, "
                           "\"c\": {\"domain\": \"choice\", \"categories\": "
                           "[0, 1]}}")));
    assert_true(card("{\"f\": {\"domain\": \"logfinrange\", \"lower\": 1, "
                     "\"upper\": 8, \"size\": 7}, \"o\": {\"domain\": "
                     "\"logordinal\", \"categories\": [1, 2, 4]}, \"e\": "
                     "{\"domain\": \"ordinal\", \"categories\": [\"a\", "
                     "\"b\"]}}") == 42);
    /* Syne Tune counts qrandint by its bounds */
    assert_true(card("{\"q\": {\"domain\": \"qrandint\", \"lower\": 0, "
                     "\"upper\": 10, \"q\": 5}}") == 11);
}

static void test_config_set(void **state)
{
    struct hpolab_space *s = space_from(
        "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"
        " \"k\": 1,"
        " \"c\": {\"domain\": \"choice\", \"categories\": [\"p\", \"q\"]}}");
    struct hpolab_config_set *set;
    assert_int_equal(hpolab_config_set_create(s, &set, NULL), HPOLAB_OK);
    assert_int_equal(hpolab_config_set_count(set), 0);
    struct hpolab_config *a = config_from("{\"x\": 0.5, \"c\": \"p\"}");
    struct hpolab_config *b = config_from("{\"k\": 2, \"c\": \"p\", "
                                          "\"x\": 0.50000001}");
    struct hpolab_config *d = config_from("{\"x\": 0.5, \"c\": \"q\"}");
    int32_t added = -1;
    assert_false(hpolab_config_set_contains(set, a));
    assert_int_equal(hpolab_config_set_add(set, a, &added, NULL), HPOLAB_OK);
    assert_int_equal(added, 1);
    assert_true(hpolab_config_set_contains(set, b)); /* same to 7 digits */
    assert_int_equal(hpolab_config_set_add(set, b, &added, NULL), HPOLAB_OK);
    assert_int_equal(added, 0);
    assert_false(hpolab_config_set_contains(set, d));
    assert_int_equal(hpolab_config_set_add(set, d, NULL, NULL), HPOLAB_OK);
    assert_int_equal(hpolab_config_set_count(set), 2);
    struct hpolab_config *bad = config_from("{\"x\": 0.5}");
    struct hpolab_error err = {0};
    assert_int_equal(hpolab_config_set_add(set, bad, &added, &err),
                     HPOLAB_ERR_INVALID);
    assert_int_equal(added, 0);
    assert_string_equal(err.message, "c: missing from the configuration");
    assert_false(hpolab_config_set_contains(set, bad));
    /* growth: many distinct members stay findable */
    struct hpolab_rng r;
    hpolab_rng_seed(&r, 1);
    struct hpolab_config *many[3000];
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(hpolab_space_sample(s, &r, &many[i], NULL), HPOLAB_OK);
        assert_int_equal(hpolab_config_set_add(set, many[i], &added, NULL),
                         HPOLAB_OK);
    }
    assert_int_equal(hpolab_config_set_count(set), 3002);
    for (int i = 0; i < 3000; i++) {
        assert_true(hpolab_config_set_contains(set, many[i]));
        hpolab_config_free(many[i]);
    }
    hpolab_config_free(a);
    hpolab_config_free(b);
    hpolab_config_free(d);
    hpolab_config_free(bad);
    hpolab_config_set_destroy(set);
    hpolab_config_set_destroy(NULL);
    hpolab_space_free(s);
}

static void test_config_helpers(void **state)
{
    struct hpolab_config *c = hpolab_config_new();
    assert_non_null(c);
    assert_int_equal(hpolab_record_set_string(&c->rec, "s", "v"), HPOLAB_OK);
    struct hpolab_config *d = hpolab_config_dup(c);
    assert_non_null(d);
    assert_true(d->rec.entries[0].value.u.s != c->rec.entries[0].value.u.s);
    assert_string_equal(d->rec.entries[0].value.u.s, "v");
    hpolab_config_free(c);
    hpolab_config_free(d);
    hpolab_config_free(NULL);
    assert_null(hpolab_config_dup(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cast_numeric),
        cmocka_unit_test(test_cast_categorical),
        cmocka_unit_test(test_cast_finrange_and_onn),
        cmocka_unit_test(test_cast_keeps_other_keys),
        cmocka_unit_test(test_midpoints),
        cmocka_unit_test(test_given_values),
        cmocka_unit_test(test_match_keys),
        cmocka_unit_test(test_cardinality),
        cmocka_unit_test(test_config_set),
        cmocka_unit_test(test_config_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
