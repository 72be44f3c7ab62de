/* Experiment tags and tuner names. Expected names come from Syne Tune's
 * name_from_base() run in CPython 3.11 with the same base and time, except
 * where Syne Tune's variable-width milliseconds ([BUG]) are padded here. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tuner_name.h"

static void expect_tag_error(const char *tag, const char *message)
{
    struct hpolab_error err = {0};
    assert_int_equal(hpolab_validate_tag(tag, &err), HPOLAB_ERR_INVALID);
    if (strcmp(err.message, message) != 0)
        fail_msg("got    \"%s\"\nwanted \"%s\"", err.message, message);
}

static void test_validate_tag(void **state)
{
    struct hpolab_error err;
    static const char *const good[] = {"odsc-1", "A", "a--b", "2024",
                                       "my-Study-7"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(hpolab_validate_tag(good[i], &err), HPOLAB_OK);
    char max[64];
    memset(max, 'a', 63);
    max[63] = '\0';
    assert_int_equal(hpolab_validate_tag(max, &err), HPOLAB_OK);
    expect_tag_error("my_tag", "experiment tag 'my_tag': only letters, digits "
                               "and '-' are allowed, got '_' at position 3");
    expect_tag_error("a b", "experiment tag 'a b': only letters, digits and "
                            "'-' are allowed, got ' ' at position 2");
    expect_tag_error("h\xc3\xa9llo.x",
                     "experiment tag 'h\xc3\xa9llo.x': only letters, digits "
                     "and '-' are allowed, got '\xc3\xa9' at position 2");
    expect_tag_error("tab\t", "experiment tag 'tab\t': only letters, digits "
                              "and '-' are allowed, got '\\x09' at position 4");
    expect_tag_error("", "experiment tag is empty: use letters, digits and "
                         "'-'");
    expect_tag_error(NULL, "experiment tag is empty: use letters, digits and "
                           "'-'");
    expect_tag_error("-abc", "experiment tag '-abc': must start with a letter "
                             "or digit, got '-'");
    expect_tag_error("abc-", "experiment tag 'abc-': must end with a letter or "
                             "digit, got '-'");
    char long_tag[80], message[256];
    memset(long_tag, 'b', 64);
    long_tag[64] = '\0';
    snprintf(message, sizeof message,
             "experiment tag '%s': at most 63 characters are allowed, got 64",
             long_tag);
    expect_tag_error(long_tag, message);
}

static void expect_name(const char *tag, const char *bench, int64_t seed,
                        double t, const char *name)
{
    char out[64];
    struct hpolab_error err = {0};
    int32_t st = hpolab_tuner_name(tag, bench, seed, t, out, sizeof out, &err);
    if (st != HPOLAB_OK)
        fail_msg("%s", err.message);
    assert_string_equal(out, name);
    assert_true(hpolab_is_valid_sagemaker_name(out));
    assert_true(strlen(out) <= 63);
    /* what the plotting code relies on */
    size_t n = strlen(out);
    assert_int_equal(out[n - 4], '-');
    assert_int_equal(out[n - 24], '-');
}

static void test_tuner_names(void **state)
{
    /* identical to Syne Tune */
    expect_name("odsc-1", "transformer_wikitext2", 0, 1685622645.123,
                "odsc-1-transformer-wikitext2-0-2023-06-01-12-30-45-123");
    expect_name("exp", "nas201_cifar100", 3, 1686000000.1239,
                "exp-nas201-cifar100-3-2023-06-05-21-20-00-123");
    /* Syne Tune: ...-20-5, ...-20-0, ...-20-05 */
    expect_name("my-study", "fcnet_protein_structure", 12, 1700000000.5,
                "my-study-fcnet-protein-structure-12-2023-11-14-22-13-20-500");
    expect_name("a", "b", 0, 1700000000.0, "a-b-0-2023-11-14-22-13-20-000");
    expect_name("a", "b", 0, 1700000000.05, "a-b-0-2023-11-14-22-13-20-050");
    /* base cut to 39 characters */
    expect_name("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "yyyyyyyyyyyyyyyyyyyy", 7,
                1717171717.987654,
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-yyyyyyyy-2024-05-31-16-08-37-"
                "987");
    /* a cut right after a '-' leaves "--", which the pattern allows */
    expect_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "b", 1, 0.25,
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa--1970-01-01-00-00-00-"
                "250");
    expect_name("t", "b", -1, 86400.999, "t-b--1-1970-01-02-00-00-00-999");
}

static void test_tuner_name_is_utc(void **state)
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", "IST-5:30", 1);
    tzset();
    expect_name("odsc-1", "transformer_wikitext2", 0, 1685622645.123,
                "odsc-1-transformer-wikitext2-0-2023-06-01-12-30-45-123");
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

static void test_tuner_name_errors(void **state)
{
    char out[64];
    struct hpolab_error err;
    assert_int_equal(hpolab_tuner_name("my_tag", "b", 0, 1.0, out, sizeof out,
                                       &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "experiment tag 'my_tag'"));
    assert_int_equal(hpolab_tuner_name("t", "nas.201", 0, 1.0, out,
                                       sizeof out, &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(err.message,
                        "benchmark 'nas.201': a results folder name allows "
                        "only letters, digits, '-' and '_', got '.' at "
                        "position 4");
    assert_int_equal(hpolab_tuner_name("t", "", 0, 1.0, out, sizeof out, &err),
                     HPOLAB_ERR_INVALID);
    assert_int_equal(hpolab_tuner_name("t", "b", 0, NAN, out, sizeof out, &err),
                     HPOLAB_ERR_RANGE);
    assert_int_equal(hpolab_tuner_name("t", "b", 0, -1.0, out, sizeof out,
                                       &err),
                     HPOLAB_ERR_RANGE);
    assert_int_equal(hpolab_tuner_name("t", "b", 0, 1.0, out, 63, &err),
                     HPOLAB_ERR_RANGE);
    assert_non_null(strstr(err.message, "need 64"));
}

static void test_sagemaker_pattern(void **state)
{
    assert_true(hpolab_is_valid_sagemaker_name("a"));
    assert_true(hpolab_is_valid_sagemaker_name("a---b"));
    assert_false(hpolab_is_valid_sagemaker_name(""));
    assert_false(hpolab_is_valid_sagemaker_name("-a"));
    assert_false(hpolab_is_valid_sagemaker_name("a-"));
    assert_false(hpolab_is_valid_sagemaker_name("a_b"));
    char s[200];
    memset(s, 'z', 63);
    s[63] = '\0';
    assert_true(hpolab_is_valid_sagemaker_name(s));
    s[63] = 'z';
    s[64] = '\0';
    assert_false(hpolab_is_valid_sagemaker_name(s));
    /* hyphens do not count towards the 63 */
    for (int i = 0; i < 63; i++) {
        s[2 * i] = 'q';
        s[2 * i + 1] = '-';
    }
    s[125] = '\0';
    assert_true(hpolab_is_valid_sagemaker_name(s));
}

static void test_random_tag(void **state)
{
    struct hpolab_error err;
    char tags[1000][HPOLAB_RANDOM_TAG_SIZE];
    size_t distinct = 0;
    for (uint32_t seed = 0; seed < 1000; seed++) {
        hpolab_random_tag(tags[seed], sizeof tags[seed], seed);
        assert_int_equal(hpolab_validate_tag(tags[seed], &err), HPOLAB_OK);
        assert_non_null(strchr(tags[seed], '-'));
        int seen = 0;
        for (uint32_t j = 0; j < seed && !seen; j++)
            seen = strcmp(tags[j], tags[seed]) == 0;
        distinct += !seen;
    }
    assert_true(distinct > 500);
    char again[HPOLAB_RANDOM_TAG_SIZE];
    hpolab_random_tag(again, sizeof again, 42);
    assert_string_equal(again, tags[42]);
    /* cut short, it is still a valid tag */
    for (uint32_t seed = 0; seed < 200; seed++) {
        for (size_t size = 2; size < 12; size++) {
            char small[12];
            hpolab_random_tag(small, size, seed);
            assert_true(strlen(small) < size);
            assert_int_equal(hpolab_validate_tag(small, &err), HPOLAB_OK);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_tag),
        cmocka_unit_test(test_tuner_names),
        cmocka_unit_test(test_tuner_name_is_utc),
        cmocka_unit_test(test_tuner_name_errors),
        cmocka_unit_test(test_sagemaker_pattern),
        cmocka_unit_test(test_random_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
