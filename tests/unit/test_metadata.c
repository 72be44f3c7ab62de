/* metadata.json and Python-compatible JSON text: hpolab writes exactly the
 * bytes Python's json.dump writes, and reads Syne Tune's files. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fsutil.h"
#include "json_py.h"
#include "metadata.h"

#define FIXTURE                                                               \
    HPOLAB_TEST_SOURCE_DIR "/tests/data/syne-tune/"                           \
                           "odsc-1-transformer-wikitext2-0-2023-06-01-12-30-" \
                           "45-123"

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    return remove(path);
}

static int setup_tmp(void **state)
{
    char *dir = strdup("/tmp/hpolab-test-metadata-XXXXXX");
    if (!dir || !mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int teardown_tmp(void **state)
{
    nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(*state);
    return 0;
}

/* Output of /usr/bin/python3 -c 'import json; print(json.dumps(md))' for the
 * dict built in build_metadata() (CPython 3.11). */
static const char PYTHON_TEXT[] =
    "{\"seed\": 0, \"algorithm\": \"ASHA\", \"tag\": \"odsc-1\", "
    "\"benchmark\": \"transformer_wikitext2\", \"random_seed\": 2938702734, "
    "\"n_workers\": 4, \"max_wallclock_time\": 18000.0, "
    "\"st_tuner_creation_timestamp\": 1686000000.1, \"metric_names\": "
    "[\"val_loss\"], \"metric_mode\": \"min\", \"config_space\": "
    "\"{\\\"lr\\\": {\\\"lower\\\": 1e-06, \\\"upper\\\": 0.1}, "
    "\\\"opt\\\": [\\\"adam\\\", \\\"sgd\\\"]}\", \"nested\": "
    "{\"empty_list\": [], \"empty_obj\": {}, \"neg\": -3, \"big\": 1e+22, "
    "\"small\": 5e-324, \"t\": true, \"f\": false, \"n\": null}, \"text\": "
    "\"quote\\\" backslash\\\\ tab\\t nl\\n cr\\r bs\\b ff\\f ctl\\u0001 "
    "del\\u007f \\u00e9 \\u20ac \\ud834\\udd1e /\", "
    "\"st_tuner_start_timestamp\": 1686000000.3}";

static json_t *build_metadata(void)
{
    json_t *space = json_object();
    json_object_set_new(space, "lr",
                        json_pack("{s:f,s:f}", "lower", 1e-06, "upper", 0.1));
    json_object_set_new(space, "opt", json_pack("[s,s]", "adam", "sgd"));
    char *space_text = hpolab_json_dumps_py(space);
    json_decref(space);
    json_t *nested = json_object();
    json_object_set_new(nested, "empty_list", json_array());
    json_object_set_new(nested, "empty_obj", json_object());
    json_object_set_new(nested, "neg", json_integer(-3));
    json_object_set_new(nested, "big", json_real(1e22));
    json_object_set_new(nested, "small", json_real(5e-324));
    json_object_set_new(nested, "t", json_true());
    json_object_set_new(nested, "f", json_false());
    json_object_set_new(nested, "n", json_null());
    json_t *md = json_object();
    json_object_set_new(md, "seed", json_integer(0));
    json_object_set_new(md, "algorithm", json_string("ASHA"));
    json_object_set_new(md, "tag", json_string("odsc-1"));
    json_object_set_new(md, "benchmark", json_string("transformer_wikitext2"));
    json_object_set_new(md, "random_seed", json_integer(2938702734LL));
    json_object_set_new(md, "n_workers", json_integer(4));
    json_object_set_new(md, "max_wallclock_time", json_real(18000.0));
    json_object_set_new(md, "st_tuner_creation_timestamp",
                        json_real(1686000000.1));
    json_object_set_new(md, "metric_names", json_pack("[s]", "val_loss"));
    json_object_set_new(md, "metric_mode", json_string("min"));
    json_object_set_new(md, "config_space", json_string(space_text));
    json_object_set_new(md, "nested", nested);
    json_object_set_new(md, "text",
                        json_string("quote\" backslash\\ tab\t nl\n cr\r bs\b "
                                    "ff\f ctl\x01 del\x7f \xc3\xa9 "
                                    "\xe2\x82\xac \xf0\x9d\x84\x9e /"));
    json_object_set_new(md, "st_tuner_start_timestamp",
                        json_real(1686000000.3));
    free(space_text);
    return md;
}

static void test_dumps_matches_python(void **state)
{
    json_t *md = build_metadata();
    char *text = hpolab_json_dumps_py(md);
    assert_string_equal(text, PYTHON_TEXT);
    free(text);
    json_decref(md);
    /* scalars at the top level, and a string with a NUL inside */
    json_t *s = json_stringn("a\0b", 3);
    text = hpolab_json_dumps_py(s);
    assert_string_equal(text, "\"a\\u0000b\"");
    free(text);
    json_decref(s);
    json_t *f = json_real(2.0);
    text = hpolab_json_dumps_py(f);
    assert_string_equal(text, "2.0");
    free(text);
    json_decref(f);
    assert_null(hpolab_json_dumps_py(NULL));
}

static void test_write_and_read(void **state)
{
    const char *dir = *state;
    struct hpolab_error err;
    json_t *md = build_metadata();
    assert_int_equal(hpolab_metadata_write(dir, md, &err), HPOLAB_OK);
    char *path = hpolab_path_join(dir, "metadata.json");
    char *text;
    size_t len;
    assert_int_equal(hpolab_read_file(path, &text, &len, &err), HPOLAB_OK);
    assert_string_equal(text, PYTHON_TEXT); /* no trailing newline */
    free(text);

    json_t *back;
    assert_int_equal(hpolab_metadata_read(dir, &back, &err), HPOLAB_OK);
    assert_true(json_equal(md, back));
    /* keys in the file's order */
    const char *key;
    json_t *val;
    const char *first = NULL, *last = NULL;
    json_object_foreach(back, key, val)
    {
        if (!first)
            first = key;
        last = key;
    }
    assert_string_equal(first, "seed");
    assert_string_equal(last, "st_tuner_start_timestamp");
    json_decref(back);
    json_decref(md);

    json_t *arr = json_array();
    assert_int_equal(hpolab_metadata_write(dir, arr, &err), HPOLAB_ERR_TYPE);
    json_decref(arr);
    free(path);
}

/* Syne Tune's file (json.dump) reads, and dumps back to the same bytes. */
static void test_read_syne_tune_file(void **state)
{
    struct hpolab_error err;
    json_t *md;
    int32_t st = hpolab_metadata_read(FIXTURE, &md, &err);
    if (st != HPOLAB_OK)
        fail_msg("%s", err.message);
    assert_string_equal(json_string_value(json_object_get(md, "algorithm")),
                        "ASHA");
    assert_int_equal(json_integer_value(json_object_get(md, "random_seed")),
                     2938702734LL);
    char *again = hpolab_json_dumps_py(md);
    char *orig;
    size_t len;
    assert_int_equal(hpolab_read_file(FIXTURE "/metadata.json", &orig, &len,
                                      &err),
                     HPOLAB_OK);
    assert_string_equal(again, orig);
    free(orig);
    free(again);
    json_decref(md);
}

static void write_metadata_text(const char *dir, const char *text)
{
    char *path = hpolab_path_join(dir, "metadata.json");
    struct hpolab_error err;
    assert_int_equal(hpolab_write_file_atomic(path, text, strlen(text), &err),
                     HPOLAB_OK);
    free(path);
}

static void expect_read_error(const char *dir, int32_t status,
                              const char *needle)
{
    json_t *md = (json_t *)1;
    struct hpolab_error err;
    assert_int_equal(hpolab_metadata_read(dir, &md, &err), status);
    assert_null(md);
    if (!strstr(err.message, needle) || !strstr(err.message, dir))
        fail_msg("message \"%s\" lacks \"%s\" or the folder", err.message,
                 needle);
}

static void test_invalid_files(void **state)
{
    const char *dir = *state;
    expect_read_error(dir, HPOLAB_ERR_NOT_FOUND, "No such file");
    write_metadata_text(dir, "{\"seed\": 0}");
    expect_read_error(dir, HPOLAB_ERR_INVALID,
                      "metadata.json: not a tuner's metadata file: the key "
                      "'st_tuner_creation_timestamp' is missing");
    write_metadata_text(dir, "[1, 2]");
    expect_read_error(dir, HPOLAB_ERR_INVALID, "expected a JSON object");
    write_metadata_text(dir, "{\"seed\": 0,\n \"x\": }");
    expect_read_error(dir, HPOLAB_ERR_PARSE, "metadata.json: line 2, column");

    /* Python's bare NaN/Infinity become null; strings are left alone */
    write_metadata_text(dir, "{\"st_tuner_creation_timestamp\": 1.5, \"a\": "
                             "NaN, \"b\": [Infinity, -Infinity], \"c\": "
                             "\"NaN \\\" Infinity\"}");
    json_t *md;
    struct hpolab_error err;
    assert_int_equal(hpolab_metadata_read(dir, &md, &err), HPOLAB_OK);
    assert_true(json_is_null(json_object_get(md, "a")));
    assert_true(json_is_null(json_array_get(json_object_get(md, "b"), 1)));
    assert_string_equal(json_string_value(json_object_get(md, "c")),
                        "NaN \" Infinity");
    json_decref(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dumps_matches_python),
        cmocka_unit_test_setup_teardown(test_write_and_read, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test(test_read_syne_tune_file),
        cmocka_unit_test_setup_teardown(test_invalid_files, setup_tmp,
                                        teardown_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
