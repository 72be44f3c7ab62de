/* test_sm_parts.c: pieces of the sagemaker backend that need no server:
 * training job names (SageMaker's pattern and length, distinct after
 * shortening) and the plugin's JSON parser and string builder (plugins
 * cannot use jansson). Compiled from the plugin's own sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sm_internal.h"
#include "sm_json.h"

/* SageMaker's rule, checked here independently of sm_job_name_valid. */
static int matches_pattern(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9');
        if (!alnum && !(c == '-' && i > 0 && i < n - 1))
            return 0;
    }
    return 1;
}

static void test_name_short(void **state)
{
    (void)state;
    char out[SM_JOB_NAME_MAX + 1];
    assert_int_equal(sm_job_name("demo-mlp-0-2026-11-29-10-00-00-123", 5, 0,
                                 0, out),
                     0);
    assert_string_equal(out, "demo-mlp-0-2026-11-29-10-00-00-123-5");
    assert_int_equal(sm_job_name("demo-mlp-0-2026-11-29-10-00-00-123", 5, 2,
                                 0, out),
                     0);
    assert_string_equal(out, "demo-mlp-0-2026-11-29-10-00-00-123-5-r2");
    assert_int_equal(sm_job_name("demo", 5, 2, 3, out), 0);
    assert_string_equal(out, "demo-5-r2-a3");
    /* '_' and '.' are not allowed; leading and trailing '-' go */
    assert_int_equal(sm_job_name("_my_tag.x_", 3, 0, 0, out), 0);
    assert_string_equal(out, "my-tag-x-3");
    assert_int_equal(sm_job_name("___", 3, 0, 0, out), 0);
    assert_string_equal(out, "3");
    assert_true(matches_pattern(out));
}

static void test_name_long(void **state)
{
    (void)state;
    char a[SM_JOB_NAME_MAX + 1], b[SM_JOB_NAME_MAX + 1];
    const char *long1 = "a-very-long-experiment-tag-for-the-study-transformer-"
                        "wikitext2-7-2026-11-29-10-00-00-123";
    const char *long2 = "a-very-long-experiment-tag-for-the-study-transformer-"
                        "wikitext2-7-2026-11-29-10-00-00-124";
    assert_int_equal(sm_job_name(long1, 1234, 12, 0, a), 0);
    assert_int_equal(sm_job_name(long2, 1234, 12, 0, b), 0);
    assert_int_equal(strlen(a), 63);
    assert_true(matches_pattern(a));
    assert_true(matches_pattern(b));
    /* the run is still named at the end, and the two experiments differ */
    size_t n = strlen(a);
    assert_string_equal(a + n - 9, "-1234-r12");
    assert_string_not_equal(a, b);
    /* the same run, the same name */
    char again[SM_JOB_NAME_MAX + 1];
    assert_int_equal(sm_job_name(long1, 1234, 12, 0, again), 0);
    assert_string_equal(a, again);
    /* a cut that ends on '-' leaves no "--" before the hash problem */
    assert_int_equal(sm_job_name("x------------------------------------------"
                                 "---------------------------y",
                                 1, 0, 0, a),
                     0);
    assert_true(matches_pattern(a));
    assert_int_equal(sm_job_name("t", -1, 0, 0, a), -1);
}

static void test_name_valid(void **state)
{
    (void)state;
    assert_true(sm_job_name_valid("a"));
    assert_true(sm_job_name_valid("a--b"));
    assert_false(sm_job_name_valid("-a"));
    assert_false(sm_job_name_valid("a-"));
    assert_false(sm_job_name_valid("a_b"));
    assert_false(sm_job_name_valid(""));
    char s64[65];
    memset(s64, 'a', 64);
    s64[64] = '\0';
    assert_false(sm_job_name_valid(s64));
    s64[63] = '\0';
    assert_true(sm_job_name_valid(s64));
}

static void test_json_parse(void **state)
{
    (void)state;
    struct sm_json v;
    char why[64];
    const char *text =
        " {\"TrainingJobStatus\": \"Failed\", \"CreationTime\": 1.6952E9,"
        " \"FailureReason\": \"AlgorithmError: caf\\u00e9 \\ud83d\\ude00 "
        "\\\"x\\\"\\n\", \"events\": [{\"message\": \"a\"}, {\"message\": "
        "\"b\"}], \"ok\": true, \"none\": null, \"neg\": -0.5e-1 } ";
    assert_int_equal(sm_json_parse(text, &v, why, sizeof why), 0);
    assert_string_equal(sm_json_str(&v, "TrainingJobStatus"), "Failed");
    assert_true(sm_json_get(&v, "CreationTime")->number == 1.6952e9);
    assert_string_equal(sm_json_str(&v, "FailureReason"),
                        "AlgorithmError: caf\xc3\xa9 \xf0\x9f\x98\x80 "
                        "\"x\"\n");
    const struct sm_json *ev = sm_json_get(&v, "events");
    assert_int_equal(ev->type, SM_JSON_ARRAY);
    assert_int_equal(ev->n, 2);
    assert_string_equal(sm_json_str(&ev->items[1], "message"), "b");
    assert_int_equal(sm_json_get(&v, "ok")->type, SM_JSON_BOOL);
    assert_int_equal(sm_json_get(&v, "none")->type, SM_JSON_NULL);
    assert_true(sm_json_get(&v, "neg")->number == -0.05);
    assert_null(sm_json_get(&v, "missing"));
    assert_null(sm_json_str(&v, "ok")); /* not a string */
    sm_json_free(&v);
    /* refused, with a reason */
    const char *bad[] = {"{\"a\": 1", "{\"a\" 1}", "[1,]", "{} x",
                         "\"\\ud800\"", "\"\\u0000\"", "01", "\"a\nb\"",
                         "tru", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why[0] = '\0';
        assert_int_equal(sm_json_parse(bad[i], &v, why, sizeof why), -1);
        assert_true(why[0] != '\0');
        assert_int_equal(v.n, 0);
    }
    /* depth limit */
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[199] = '\0';
    assert_int_equal(sm_json_parse(deep, &v, why, sizeof why), -1);
}

static void test_json_build(void **state)
{
    (void)state;
    struct sm_buf b = {0};
    sm_buf_puts(&b, "{\"k\":");
    sm_buf_json_str(&b, "q\"b\\s\n\x01 caf\xc3\xa9");
    sm_buf_printf(&b, ",\"n\":%d}", 42);
    assert_false(b.oom);
    assert_string_equal(b.data,
                        "{\"k\":\"q\\\"b\\\\s\\u000a\\u0001 caf\xc3\xa9\","
                        "\"n\":42}");
    /* what was built parses back to the same text */
    struct sm_json v;
    assert_int_equal(sm_json_parse(b.data, &v, NULL, 0), 0);
    assert_string_equal(sm_json_str(&v, "k"), "q\"b\\s\n\x01 caf\xc3\xa9");
    sm_json_free(&v);
    /* long formatted text (beyond the small buffer) */
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sm_buf_printf(&b, "%s", big);
    assert_int_equal(strlen(b.data), b.len);
    sm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_short),
        cmocka_unit_test(test_name_long),
        cmocka_unit_test(test_name_valid),
        cmocka_unit_test(test_json_parse),
        cmocka_unit_test(test_json_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
