/* test_study_args.c: a study's extra arguments — declarations, conversion
 * of command-line text, and {"$arg": ...} substitution. */
#include "study_test_util.h"

#include <math.h>

/* ---- conversion ---------------------------------------------------------- */

static struct hpolab_study_extra_arg make_arg(const char *name, int32_t type,
                                             const char *choices_json)
{
    struct hpolab_study_extra_arg a = {0};
    a.name = (char *)name;
    a.type = type;
    a.choices = choices_json ? json_loads(choices_json, 0, NULL) : NULL;
    return a;
}

/* Converts text; returns the value (owned) or NULL with err filled. */
static json_t *convert(const struct hpolab_study_extra_arg *a, const char *text,
                       struct hpolab_error *err)
{
    json_t *v = (json_t *)1;
    int32_t rc = hpolab_study_arg_convert(a, text, &v, err);
    if (rc != HPOLAB_OK) {
        assert_int_equal(rc, HPOLAB_ERR_INVALID);
        assert_null(v);
        return NULL;
    }
    assert_non_null(v);
    return v;
}

static void expect_error(const struct hpolab_study_extra_arg *a,
                         const char *text, const char *message)
{
    struct hpolab_error err = {0};
    json_t *v = convert(a, text, &err);
    if (v) {
        json_decref(v);
        fail_msg("'%s' was accepted", text);
    }
    assert_string_equal(err.message, message);
}

static void test_convert_int(void **state)
{
    (void)state;
    struct hpolab_study_extra_arg a = make_arg("n", HPOLAB_ARG_INT, NULL);
    struct hpolab_error err;
    const char *texts[] = {"27", "-3", "+5", "0", "9223372036854775807"};
    const json_int_t want[] = {27, -3, 5, 0, INT64_MAX};
    for (size_t i = 0; i < 5; i++) {
        json_t *v = convert(&a, texts[i], &err);
        assert_non_null(v);
        assert_true(json_is_integer(v));
        assert_true(json_integer_value(v) == want[i]);
        json_decref(v);
    }
    expect_error(&a, "2.5", "--n: expected an integer, got '2.5'");
    expect_error(&a, "", "--n: expected an integer, got ''");
    expect_error(&a, " 3", "--n: expected an integer, got ' 3'");
    expect_error(&a, "3x", "--n: expected an integer, got '3x'");
    expect_error(&a, "0x10", "--n: expected an integer, got '0x10'");
    expect_error(&a, "99999999999999999999",
                 "--n: expected an integer of at most 64 bits, got "
                 "'99999999999999999999'");
}

static void test_convert_float(void **state)
{
    (void)state;
    struct hpolab_study_extra_arg a = make_arg("lr", HPOLAB_ARG_FLOAT, NULL);
    struct hpolab_error err;
    json_t *v = convert(&a, "1e-3", &err);
    assert_true(json_is_real(v));
    assert_true(json_real_value(v) == 0.001);
    json_decref(v);
    v = convert(&a, "3", &err); /* an int given for a float is a float */
    assert_true(json_is_real(v));
    assert_true(json_real_value(v) == 3.0);
    json_decref(v);
    v = convert(&a, "-0.5", &err);
    assert_true(json_real_value(v) == -0.5);
    json_decref(v);
    expect_error(&a, "abc", "--lr: expected a number, got 'abc'");
    expect_error(&a, "", "--lr: expected a number, got ''");
    expect_error(&a, "1e-3 ", "--lr: expected a number, got '1e-3 '");
    expect_error(&a, "inf", "--lr: expected a finite number, got 'inf'");
    expect_error(&a, "nan", "--lr: expected a finite number, got 'nan'");
    expect_error(&a, "1e999", "--lr: expected a finite number, got '1e999'");
}

static void test_convert_bool(void **state)
{
    (void)state;
    struct hpolab_study_extra_arg a = make_arg("flag", HPOLAB_ARG_BOOL, NULL);
    const char *yes[] = {"yes", "true", "t", "y", "1", "YES", "True", "T", "Y"};
    const char *no[] = {"no", "false", "f", "n", "0", "NO", "False", "F", "N"};
    struct hpolab_error err;
    for (size_t i = 0; i < 9; i++) {
        json_t *v = convert(&a, yes[i], &err);
        assert_true(json_is_true(v));
        json_decref(v);
        v = convert(&a, no[i], &err);
        assert_true(json_is_false(v));
        json_decref(v);
    }
    expect_error(&a, "maybe",
                 "--flag: expected a boolean (yes/true/t/y/1 or "
                 "no/false/f/n/0), got 'maybe'");
    expect_error(&a, "",
                 "--flag: expected a boolean (yes/true/t/y/1 or "
                 "no/false/f/n/0), got ''");
    expect_error(&a, "2",
                 "--flag: expected a boolean (yes/true/t/y/1 or "
                 "no/false/f/n/0), got '2'");
}

static void test_convert_str(void **state)
{
    (void)state;
    struct hpolab_study_extra_arg a = make_arg("data", HPOLAB_ARG_STR, NULL);
    struct hpolab_error err;
    json_t *v = convert(&a, "a b, c", &err);
    assert_string_equal(json_string_value(v), "a b, c");
    json_decref(v);
    v = convert(&a, "", &err);
    assert_string_equal(json_string_value(v), "");
    json_decref(v);
    expect_error(&a, "\xff", "--data: expected UTF-8 text, got '\xff'");
}

static void test_convert_choices(void **state)
{
    (void)state;
    struct hpolab_error err;
    struct hpolab_study_extra_arg a =
        make_arg("max_epochs", HPOLAB_ARG_INT, "[9, 27, 81]");
    json_t *v = convert(&a, "27", &err);
    assert_int_equal(json_integer_value(v), 27);
    json_decref(v);
    expect_error(&a, "10", "--max_epochs: expected one of 9, 27, 81, got '10'");
    expect_error(&a, "x", "--max_epochs: expected an integer, got 'x'");
    json_decref(a.choices);

    /* Float choices are compared as numbers ("1" is 1.0). */
    a = make_arg("frac", HPOLAB_ARG_FLOAT, "[0.5, 1.0]");
    v = convert(&a, "1", &err);
    assert_true(json_real_value(v) == 1.0);
    json_decref(v);
    expect_error(&a, "0.25", "--frac: expected one of 0.5, 1.0, got '0.25'");
    json_decref(a.choices);

    a = make_arg("opt", HPOLAB_ARG_STR, "[\"sgd\", \"adam\"]");
    expect_error(&a, "Adam", "--opt: expected one of 'sgd', 'adam', got 'Adam'");
    json_decref(a.choices);
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(hpolab_study_arg_type_name(HPOLAB_ARG_INT), "int");
    assert_string_equal(hpolab_study_arg_type_name(HPOLAB_ARG_FLOAT), "float");
    assert_string_equal(hpolab_study_arg_type_name(HPOLAB_ARG_STR), "str");
    assert_string_equal(hpolab_study_arg_type_name(HPOLAB_ARG_BOOL), "bool");
    assert_null(hpolab_study_arg_type_name(4));
    assert_null(hpolab_study_arg_type_name(-1));
    /* The options hpolab run has (its command line is written elsewhere). */
    const char *const must[] = {"experiment_tag", "benchmark", "method",
                                "num_seeds", "start_seed", "random_seed",
                                "n_workers", "max_wallclock_time",
                                "max_num_evaluations", "results_dir",
                                "verbose"};
    const char *const *names = hpolab_study_builtin_option_names();
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
        size_t k = 0;
        while (names[k] && strcmp(names[k], must[i]) != 0)
            k++;
        if (!names[k])
            fail_msg("'%s' is not a built-in option name", must[i]);
    }
}

/* ---- declarations -------------------------------------------------------- */

static void test_declarations(void **state)
{
    (void)state;
    make_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        hpolab_study_open("missing.json", &s, &d), HPOLAB_ERR_IO);
    EXPECT_LINES(&d, "missing.json: cannot read the study file: No such "
                     "file or directory");
    hpolab_diag_free(&d);

    write_text("s.json",
               "{'extra_args': ["
               "{'name': 'max_epochs', 'type': 'int', 'default': 27, "
               "'help': 'epochs per trial', 'choices': [9, 27, 81]},"
               "{'name': 'lr', 'type': 'float', 'default': 1},"
               "{'name': 'data'},"
               "{'name': 'debug', 'type': 'bool', 'required': true}"
               "], 'benchmarks': {}, 'methods': {}}",
               0644);
    assert_int_equal(hpolab_study_open("s.json", &s, &d), HPOLAB_OK);
    assert_int_equal(s->n_extra_args, 4);
    const struct hpolab_study_extra_arg *a = &s->extra_args[0];
    assert_string_equal(a->name, "max_epochs");
    assert_int_equal(a->type, HPOLAB_ARG_INT);
    assert_int_equal(json_integer_value(a->default_value), 27);
    assert_string_equal(a->help, "epochs per trial");
    assert_int_equal(json_array_size(a->choices), 3);
    assert_int_equal(json_integer_value(json_array_get(a->choices, 2)), 81);
    assert_false(a->required);
    a = hpolab_study_find_extra_arg(s, "lr");
    assert_int_equal(a->type, HPOLAB_ARG_FLOAT);
    assert_true(json_is_real(a->default_value)); /* 1 declared, 1.0 held */
    assert_true(json_real_value(a->default_value) == 1.0);
    a = hpolab_study_find_extra_arg(s, "data");
    assert_int_equal(a->type, HPOLAB_ARG_STR); /* argparse's default */
    assert_true(json_is_null(a->default_value));
    assert_null(a->help);
    assert_null(a->choices);
    a = hpolab_study_find_extra_arg(s, "debug");
    assert_int_equal(a->type, HPOLAB_ARG_BOOL);
    assert_true(a->required);
    assert_null(hpolab_study_find_extra_arg(s, "nope"));
    assert_int_equal(d.count, 0);
    hpolab_study_free(s);
}

static void test_bad_declarations(void **state)
{
    (void)state;
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    write_text("s.json",
               "{'extra_args': ["
               "{'name': 'n_workers', 'type': 'int'},"
               "{'name': 'x', 'type': 'integer', 'defualt': 3},"
               "{'name': 'x', 'type': 'str'},"
               "{'name': '-y'},"
               "{'type': 'int', 'default': 'five', 'choices': [1, 2, 2, 'a']},"
               "{'name': 'z', 'type': 'int', 'default': 4, 'choices': [1, 2]},"
               "{'name': 'w', 'required': true, 'default': 'a', "
               "'help': 5},"
               "{'name': 'v', 'choices': [], 'required': 'yes'},"
               "'u'"
               "], 'benchmarks': {}, 'methods': {}}",
               0644);
    assert_int_equal(hpolab_study_open("s.json", &s, &d), HPOLAB_ERR_INVALID);
    assert_null(s);
    EXPECT_LINES(
        &d,
        "s.json: extra_args[0].name: 'n_workers' is a built-in option of "
        "hpolab run; choose another name",
        "s.json: extra_args[1]: unknown key 'defualt' (did you mean "
        "'default'?)",
        "s.json: extra_args[1].type: expected one of 'int', 'float', 'str', "
        "'bool', got 'integer'",
        "s.json: extra_args[2].name: 'x' is declared twice (also at "
        "extra_args[1])",
        "s.json: extra_args[3].name: expected an option name "
        "([A-Za-z_][A-Za-z0-9_-]*), got '-y'",
        "s.json: extra_args[4]: missing required key 'name'",
        "s.json: extra_args[4].choices[2]: duplicate choice 2",
        "s.json: extra_args[4].choices[3]: expected an integer (type int), "
        "got 'a'",
        "s.json: extra_args[4].default: expected an integer (type int), got "
        "'five'",
        "s.json: extra_args[5].default: expected one of the choices 1, 2, "
        "got 4",
        "s.json: extra_args[6].help: expected a string, got 5",
        "s.json: extra_args[6].default: a required argument takes no "
        "default; remove 'default' or set 'required' to false",
        "s.json: extra_args[7].required: expected true or false, got 'yes'",
        "s.json: extra_args[7].choices: expected a non-empty array of "
        "values, got an array",
        "s.json: extra_args[8]: expected an object {\"name\", \"type\", "
        "\"default\", \"help\", \"choices\", \"required\"}, got 'u'");
    hpolab_diag_free(&d);

    write_text("s.json", "{'extra_args': {'a': 1}}", 0644);
    assert_int_equal(hpolab_study_open("s.json", &s, &d), HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "s.json: extra_args: expected an array of argument "
                     "declarations, got an object");
    hpolab_diag_free(&d);
}

/* ---- values and substitution --------------------------------------------- */

#define ARGS_STUDY                                                           \
    "{'extra_args': ["                                                       \
    "{'name': 'max_epochs', 'type': 'int', 'default': 27, "                  \
    "'choices': [9, 27, 81]},"                                               \
    "{'name': 'workers', 'type': 'int', 'default': 2},"                      \
    "{'name': 'lr_max', 'type': 'float', 'default': 0.01},"                  \
    "{'name': 'script', 'type': 'str', 'default': 't.sh'},"                  \
    "{'name': 'debug', 'type': 'bool', 'default': false},"                   \
    "{'name': 'instance', 'type': 'str'}],"                                  \
    " 'defaults': {'n_workers': {'$arg': 'workers'}},"                       \
    " 'benchmarks': {'b': {'entry_point': ['sh', {'$arg': 'script'}],"       \
    " 'metric': 'loss', 'max_resource_attr': 'epochs',"                      \
    " 'instance_type': {'$arg': 'instance'},"                                \
    " 'config_space': {'epochs': {'$arg': 'max_epochs'},"                    \
    " 'lr': {'domain': 'loguniform', 'lower': 1e-6, 'upper': "               \
    "{'$arg': 'lr_max'}}}}},"                                                \
    " 'methods': {'ASHA': {'scheduler': 'asha', 'scheduler_options': "       \
    "{'max_t': {'$arg': 'max_epochs'}, 'nested': [{'$arg': 'debug'}]}}}}"

static void test_substitution_defaults(void **state)
{
    (void)state;
    make_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text(ARGS_STUDY, &s, &d, NULL), HPOLAB_OK);
    const struct hpolab_study_benchmark *b = &s->benchmarks[0];
    assert_int_equal(json_integer_value(json_object_get(b->config_space_json,
                                                        "epochs")),
                     27);
    assert_int_equal(b->max_resource, 27);
    const json_t *lr = json_object_get(b->config_space_json, "lr");
    assert_true(json_real_value(json_object_get(lr, "upper")) == 0.01);
    assert_int_equal(b->n_workers, 2);
    assert_null(b->instance_type); /* no default, not given: unset */
    const struct hpolab_study_method *m = &s->methods[0];
    assert_int_equal(
        json_integer_value(json_object_get(m->scheduler_options, "max_t")), 27);
    assert_true(json_is_false(json_array_get(
        json_object_get(m->scheduler_options, "nested"), 0)));
    /* The document as read is left alone. */
    const json_t *raw = json_object_get(
        json_object_get(json_object_get(json_object_get(s->json, "benchmarks"),
                                        "b"),
                        "config_space"),
        "epochs");
    assert_string_equal(json_string_value(json_object_get(raw, "$arg")),
                        "max_epochs");
    /* Recorded for metadata.json: the values that are not null. */
    json_t *want = json_loads("{\"max_epochs\": 27, \"workers\": 2, "
                              "\"lr_max\": 0.01, \"script\": \"t.sh\", "
                              "\"debug\": false}",
                              0, NULL);
    assert_true(json_equal(want, s->arg_values));
    json_decref(want);
    hpolab_study_free(s);
}

static void test_substitution_given(void **state)
{
    const char *dir = ((struct scratch *)*state)->dir;
    make_script();
    write_text("u.sh", "#!/bin/sh\n", 0644);
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text(ARGS_STUDY, &s, &d, "max_epochs", "81",
                               "workers", "8", "lr_max", "2e-2", "script",
                               "u.sh", "debug", "yes", "instance",
                               "ml.g4dn.xlarge", NULL),
                     HPOLAB_OK);
    const struct hpolab_study_benchmark *b = &s->benchmarks[0];
    assert_int_equal(b->max_resource, 81);
    assert_int_equal(b->n_workers, 8);
    assert_string_equal(b->instance_type, "ml.g4dn.xlarge");
    char want_script[512];
    snprintf(want_script, sizeof want_script, "%s/u.sh", dir);
    assert_string_equal(b->entry_argv[1], want_script);
    const json_t *lr = json_object_get(b->config_space_json, "lr");
    assert_true(json_real_value(json_object_get(lr, "upper")) == 0.02);
    const struct hpolab_study_method *m = &s->methods[0];
    assert_int_equal(
        json_integer_value(json_object_get(m->scheduler_options, "max_t")), 81);
    assert_true(json_is_true(json_array_get(
        json_object_get(m->scheduler_options, "nested"), 0)));
    assert_string_equal(
        json_string_value(json_object_get(s->arg_values, "instance")),
        "ml.g4dn.xlarge");
    assert_int_equal(json_integer_value(json_object_get(s->arg_values,
                                                        "max_epochs")),
                     81);
    hpolab_study_free(s);
}

/* Bad command-line values, unknown options and undeclared references are
 * all reported, together with the file's other problems, and a bad value
 * does not cause a second complaint where it is used. */
static void test_argument_problems(void **state)
{
    (void)state;
    make_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'extra_args': ["
                  "{'name': 'max_epochs', 'type': 'int', 'choices': [9, 27]},"
                  "{'name': 'data', 'required': true},"
                  "{'name': 'w', 'type': 'float', 'default': 2}],"
                  " 'benchmarks': {'b': {" BENCH_OK ", "
                  "'n_workers': {'$arg': 'w'}, "
                  "'max_num_evaluations': {'$arg': 'max_epochs'}, "
                  "'max_failures': {'$arg': 'max_epoch'}, "
                  "'instance_type': {'$arg': 'data'}, "
                  "'resource_attr': {'$arg': 3}, "
                  "'max_resource_attr': {'$arg': 'w', 'x': 1}, "
                  "'mode': 'avg'}},"
                  " 'methods': {'RS': {'searcher_options': "
                  "{'k': {'$arg': 'nope'}}}}}",
                  &s, &d, "max_epochs", "10", "max_epoch", "9", NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(
        &d,
        "--max_epoch: not an option of s.json (did you mean --max_epochs?)",
        "--max_epochs: expected one of 9, 27, got '10'",
        "--data: required by s.json (extra_args[1]), not given on the "
        "command line",
        "s.json: benchmarks.b.max_failures: unknown extra argument "
        "'max_epoch' (did you mean 'max_epochs'?); declared: max_epochs, "
        "data, w",
        "s.json: benchmarks.b.resource_attr[\"$arg\"]: expected the name of "
        "an extra argument, got 3",
        "s.json: benchmarks.b.max_resource_attr: expected {\"$arg\": "
        "\"<name>\"} alone, got the extra key 'x'",
        "s.json: methods.RS.searcher_options.k: unknown extra argument "
        "'nope'; declared: max_epochs, data, w",
        "s.json: benchmarks.b.mode: expected 'min' or 'max', got 'avg'",
        "s.json: benchmarks.b.n_workers: expected an integer >= 1, got 2.0 "
        "(from --w)");
    hpolab_diag_free(&d);
}

/* A required argument given; an argument without default used where a
 * value is required is named in the message. */
static void test_required_and_null(void **state)
{
    (void)state;
    make_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    const char *study =
        "{'extra_args': [{'name': 'metric_name'}, {'name': 'data', "
        "'required': true}],"
        " 'benchmarks': {'b': {'entry_point': ['sh', 't.sh', '--data', "
        "{'$arg': 'data'}], 'config_space': {'x': 1}, "
        "'metric': {'$arg': 'metric_name'}}}, " METHODS_OK "}";
    assert_int_equal(load_text(study, &s, &d, "data", "/tmp/d", NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "s.json: benchmarks.b.metric: expected a non-empty "
                     "string, got null (from --metric_name)");
    hpolab_diag_free(&d);
    assert_int_equal(load_text(study, &s, &d, "data", "/tmp/d", "metric_name",
                               "acc", NULL),
                     HPOLAB_OK);
    assert_string_equal(s->benchmarks[0].metric, "acc");
    assert_string_equal(s->benchmarks[0].entry_argv[3], "/tmp/d");
    hpolab_study_free(s);
}

static void test_no_extra_args_declared(void **state)
{
    (void)state;
    make_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("{'benchmarks': {'b': {" BENCH_OK ", "
                               "'n_workers': {'$arg': 'w'}}}, " METHODS_OK "}",
                               &s, &d, "w", "3", NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "--w: not an option of s.json",
                 "s.json: benchmarks.b.n_workers: unknown extra argument 'w' "
                 "(the study declares no extra_args)");
    hpolab_diag_free(&d);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, scratch_setup, scratch_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_int),
        cmocka_unit_test(test_convert_float),
        cmocka_unit_test(test_convert_bool),
        cmocka_unit_test(test_convert_str),
        cmocka_unit_test(test_convert_choices),
        cmocka_unit_test(test_type_names),
        T(test_declarations),
        T(test_bad_declarations),
        T(test_substitution_defaults),
        T(test_substitution_given),
        T(test_argument_problems),
        T(test_required_and_null),
        T(test_no_extra_args_declared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
