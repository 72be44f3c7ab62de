/* Records (configurations and results), Python-style number formatting and
 * component options. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"
#include "pyfloat.h"
#include "record.h"

/* Expected texts are what CPython 3.11 prints for repr(float(x)). */
static void test_pyfloat_matches_python_repr(void **state)
{
    static const struct {
        double x;
        const char *text;
    } cases[] = {
        {0.001, "0.001"}, {1e-05, "1e-05"}, {0.0001, "0.0001"},
        {1e16, "1e+16"}, {1234567890123456.0, "1234567890123456.0"},
        {2.0, "2.0"}, {0.1, "0.1"}, {-0.5, "-0.5"}, {123.456, "123.456"},
        {1e-300, "1e-300"}, {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {0.30000000000000004, "0.30000000000000004"}, {100.0, "100.0"},
        {0.0, "0.0"}, {-0.0, "-0.0"}, {2.5e-5, "2.5e-05"},
    };
    char buf[HPOLAB_PYFLOAT_BUFSIZE];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(hpolab_pyfloat(cases[i].x, buf), cases[i].text);
    assert_string_equal(hpolab_pyfloat(NAN, buf), "nan");
    assert_string_equal(hpolab_pyfloat(-INFINITY, buf), "-inf");
    assert_string_equal(hpolab_pyfloat_json(NAN, buf), "NaN");
    assert_string_equal(hpolab_pyfloat_json(INFINITY, buf), "Infinity");
    assert_string_equal(hpolab_pyfloat_json(-INFINITY, buf), "-Infinity");
}

static void test_record_order_replace_remove(void **state)
{
    struct hpolab_record r;
    hpolab_record_init(&r);
    assert_int_equal(hpolab_record_set_int(&r, "b", 16), 0);
    assert_int_equal(hpolab_record_set_double(&r, "a", 0.001), 0);
    assert_int_equal(hpolab_record_set_string(&r, "s", "a b c"), 0);
    assert_int_equal(hpolab_record_set_bool(&r, "t", 1), 0);
    assert_int_equal(hpolab_record_set_int(&r, "b", 32), 0); /* keeps place */
    assert_int_equal(r.count, 4);
    assert_string_equal(r.entries[0].name, "b");
    assert_string_equal(hpolab_record_text(&r, 0), "32");
    assert_string_equal(hpolab_record_text(&r, 1), "0.001");
    assert_string_equal(hpolab_record_text(&r, 2), "a b c");
    assert_string_equal(hpolab_record_text(&r, 3), "True");
    char *json = hpolab_record_to_json_text(&r);
    assert_string_equal(json, "{\"b\": 32, \"a\": 0.001, \"s\": \"a b c\", \"t\": true}");
    free(json);
    hpolab_record_set_double(&r, "a", NAN);
    json = hpolab_record_to_json_text(&r);
    assert_string_equal(json, "{\"b\": 32, \"a\": NaN, \"s\": \"a b c\", \"t\": true}");
    free(json);
    hpolab_record_remove(&r, "b");
    assert_int_equal(r.count, 3);
    assert_int_equal(hpolab_record_index(&r, "b"), -1);
    assert_int_equal(hpolab_record_index(&r, "t"), 2);
    struct hpolab_record copy;
    assert_int_equal(hpolab_record_copy(&copy, &r), 0);
    hpolab_record_free(&r);
    assert_string_equal(copy.entries[1].value.u.s, "a b c");
    hpolab_record_free(&copy);
}

/* reserve gives exactly the room asked for, keeps what is there, and sets
 * within it do not move the entries; copies are sized to their source. */
static void test_record_reserve_and_copy_size(void **state)
{
    (void)state;
    struct hpolab_record r, c;
    hpolab_record_init(&r);
    assert_int_equal(hpolab_record_reserve(&r, 3), HPOLAB_OK);
    assert_int_equal(r.cap, 3);
    const struct hpolab_record_entry *at = r.entries;
    assert_int_equal(hpolab_record_set_int(&r, "a", 1), HPOLAB_OK);
    assert_int_equal(hpolab_record_set_int(&r, "b", 2), HPOLAB_OK);
    assert_int_equal(hpolab_record_set_int(&r, "c", 3), HPOLAB_OK);
    assert_ptr_equal(r.entries, at);
    assert_int_equal(hpolab_record_reserve(&r, 2), HPOLAB_OK); /* no shrink */
    assert_int_equal(r.cap, 3);
    assert_int_equal(hpolab_record_copy(&c, &r), HPOLAB_OK);
    assert_int_equal(c.cap, 3);
    assert_int_equal(c.count, 3);
    assert_string_equal(c.entries[2].name, "c");
    hpolab_record_free(&c);
    hpolab_record_free(&r);
}

static void test_record_from_json_keeps_types(void **state)
{
    json_error_t jerr;
    json_t *j = json_loads("{\"i\": 3, \"d\": 2.5, \"l\": [1, 2], \"n\": null}",
                           0, &jerr);
    struct hpolab_record r;
    struct hpolab_error err;
    assert_int_equal(hpolab_record_from_json(j, &r, &err), 0);
    assert_int_equal(r.entries[0].value.type, HPOLAB_VALUE_INT);
    assert_int_equal(r.entries[1].value.type, HPOLAB_VALUE_DOUBLE);
    assert_int_equal(r.entries[2].value.type, HPOLAB_VALUE_JSON);
    assert_string_equal(r.entries[2].value.u.s, "[1,2]");
    assert_int_equal(r.entries[3].value.type, HPOLAB_VALUE_NULL);
    hpolab_record_free(&r);
    json_decref(j);
    j = json_string("x");
    assert_int_equal(hpolab_record_from_json(j, &r, &err), HPOLAB_ERR_TYPE);
    json_decref(j);
}

static void test_options_typed_and_unknown(void **state)
{
    json_error_t jerr;
    json_t *j = json_loads("{\"eta\": 3, \"grace\": 1.5, \"type\": \"promotion\", "
                           "\"flag\": true, \"typo\": 1, \"n\": 4.0}", 0, &jerr);
    struct hpolab_options *o;
    struct hpolab_error err;
    assert_int_equal(hpolab_options_create(j, "study.json: methods.ASHA.scheduler_options", &o, &err), 0);
    json_decref(j);
    int64_t i;
    double d;
    int32_t b;
    const char *s;
    assert_int_equal(hpolab_options_int(o, "eta", 0, &i, &err), 0);
    assert_int_equal(i, 3);
    assert_int_equal(hpolab_options_int(o, "n", 0, &i, &err), 0);
    assert_int_equal(i, 4);
    assert_int_equal(hpolab_options_double(o, "grace", 0, &d, &err), 0);
    assert_true(d == 1.5);
    assert_int_equal(hpolab_options_double(o, "missing", 7.0, &d, &err), 0);
    assert_true(d == 7.0);
    assert_int_equal(hpolab_options_bool(o, "flag", 0, &b, &err), 0);
    assert_int_equal(b, 1);
    assert_int_equal(hpolab_options_int(o, "type", 0, &i, &err), HPOLAB_ERR_TYPE);
    assert_string_equal(err.message, "study.json: methods.ASHA.scheduler_options.type: expected an integer");
    assert_int_equal(hpolab_options_string(o, "type", NULL, &s, &err), 0);
    assert_string_equal(s, "promotion");
    assert_int_equal(hpolab_options_check_all_read(o, "scheduler 'asha'", &err), HPOLAB_ERR_INVALID);
    assert_string_equal(err.message, "study.json: methods.ASHA.scheduler_options: unknown option 'typo' for scheduler 'asha'");
    assert_int_equal(hpolab_options_int(o, "typo", 0, &i, &err), 0);
    assert_int_equal(hpolab_options_check_all_read(o, "scheduler 'asha'", &err), 0);
    hpolab_options_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pyfloat_matches_python_repr),
        cmocka_unit_test(test_record_order_replace_remove),
        cmocka_unit_test(test_record_from_json_keeps_types),
        cmocka_unit_test(test_record_reserve_and_copy_size),
        cmocka_unit_test(test_options_typed_and_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
