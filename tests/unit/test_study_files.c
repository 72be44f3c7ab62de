/* test_study_files.c: the study files in tests/data/study — the full example
 * of docs/study-format.md parses to the expected structs; broken files give
 * the expected lines, every problem at once. */
#include "study_test_util.h"

#include "space.h"

#define FIXTURES HPOLAB_TEST_SOURCE_DIR "/tests/data/study"

static char old_cwd[PATH_MAX];

/* Messages then name the files as "full.json: ...", and the fixtures' folder
 * is resolved from a relative path. */
static int enter_fixtures(void **state)
{
    (void)state;
    if (!getcwd(old_cwd, sizeof old_cwd) || chdir(FIXTURES) != 0)
        return -1;
    return 0;
}

static int leave_fixtures(void **state)
{
    (void)state;
    return chdir(old_cwd);
}

static void test_full_example(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    assert_non_null(realpath(FIXTURES, dir));
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    json_t *cli = json_pack("{s:s}", "instance", "ml.m5.large");
    int32_t rc = hpolab_study_load("full.json", cli, &s, &d);
    json_decref(cli);
    if (rc != HPOLAB_OK)
        print_diag(&d);
    assert_int_equal(rc, HPOLAB_OK);
    assert_int_equal(d.count, 0);

    assert_string_equal(s->path, "full.json");
    assert_string_equal(s->dir, dir);
    assert_string_equal(s->name, "quickstart");
    assert_non_null(s->description);
    assert_int_equal(s->n_extra_args, 4);
    assert_string_equal(s->extra_args[0].name, "max_epochs");
    assert_string_equal(s->extra_args[3].name, "debug_searcher");
    assert_int_equal(s->extra_args[3].type, HPOLAB_ARG_BOOL);

    /* Benchmarks in file order. */
    assert_int_equal(s->n_benchmarks, 2);
    const struct hpolab_study_benchmark *b = &s->benchmarks[0];
    char script[PATH_MAX + 32];
    snprintf(script, sizeof script, "%s/train_synthetic.sh", dir);
    assert_string_equal(b->name, "synthetic");
    assert_int_equal(b->entry_argc, 4);
    assert_string_equal(b->entry_argv[0], "sh");
    assert_string_equal(b->entry_argv[1], script);
    assert_string_equal(b->entry_argv[2], "--sleep");
    assert_string_equal(b->entry_argv[3], "0.1");
    assert_null(b->entry_argv[4]);
    assert_string_equal(b->working_dir, dir);
    json_t *want_space = json_loads(
        "{\"lr\": {\"domain\": \"loguniform\", \"lower\": 1e-6, \"upper\": 1.0},"
        " \"batch_size\": {\"domain\": \"randint\", \"lower\": 16, "
        "\"upper\": 48}, \"epochs\": 27}",
        0, NULL);
    assert_true(json_equal(want_space, b->config_space_json));
    json_decref(want_space);
    /* File order of the config space is kept (it is the argv order). */
    void *it = json_object_iter(b->config_space_json);
    assert_string_equal(json_object_iter_key(it), "lr");
    it = json_object_iter_next(b->config_space_json, it);
    assert_string_equal(json_object_iter_key(it), "batch_size");
    assert_non_null(b->space);
    assert_int_equal(hpolab_space_count(b->space), 3);
    assert_string_equal(hpolab_space_domain_name(b->space, 0), "loguniform");
    assert_string_equal(hpolab_space_domain_name(b->space, 1), "randint");
    assert_true(hpolab_space_is_constant(b->space, 2));
    assert_string_equal(b->metric, "val_loss");
    assert_int_equal(b->mode, HPOLAB_MODE_MIN);
    assert_string_equal(b->resource_attr, "epoch");
    assert_string_equal(b->max_resource_attr, "epochs");
    assert_int_equal(b->max_resource, 27);
    assert_int_equal(b->n_workers, 4);
    assert_true(b->stop.max_wallclock_time == 3600.0);
    assert_int_equal(b->stop.max_num_evaluations, -1);
    assert_int_equal(b->stop.max_num_trials_started, -1);
    assert_int_equal(b->stop.max_num_trials_completed, -1);
    assert_int_equal(b->stop.max_num_trials_finished, 50);
    assert_true(b->stop.max_cost == 2.5);
    assert_true(json_real_value(json_object_get(b->stop.min_metric_value,
                                                "val_loss")) == 0.01);
    assert_null(b->stop.max_metric_value);
    assert_int_equal(b->max_failures, 3);
    assert_string_equal(b->instance_type, "ml.c5.xlarge");
    json_t *want_points = json_loads(
        "[{\"lr\": 1e-4}, {\"lr\": 1e-5, \"batch_size\": 32}]", 0, NULL);
    assert_true(json_equal(want_points, b->points_to_evaluate));
    json_decref(want_points);
    assert_string_equal(b->backend, "local");
    assert_int_equal(
        json_integer_value(json_object_get(b->backend_options,
                                           "stop_grace_period")),
        10);
    assert_string_equal(b->backend_where,
                        "full.json: benchmarks.synthetic.backend");
    assert_string_equal(b->backend_options_where,
                        "full.json: benchmarks.synthetic.backend_options");

    b = &s->benchmarks[1];
    char run[PATH_MAX + 32];
    snprintf(run, sizeof run, "%s/run.sh", dir);
    assert_string_equal(b->name, "script.v2");
    assert_int_equal(b->entry_argc, 1);
    assert_string_equal(b->entry_argv[0], run);
    assert_string_equal(b->metric, "score");
    assert_int_equal(b->mode, HPOLAB_MODE_MAX);
    assert_int_equal(b->n_workers, 2);            /* from defaults */
    assert_true(b->stop.max_wallclock_time < 0);  /* null over the default */
    assert_int_equal(b->stop.max_num_evaluations, 100);
    assert_int_equal(b->max_failures, 1);
    assert_string_equal(b->instance_type, "ml.m5.large"); /* --instance */
    assert_null(b->resource_attr);
    assert_int_equal(b->max_resource, -1);
    assert_null(b->points_to_evaluate);
    assert_string_equal(b->backend_where, "full.json: defaults.backend");
    assert_string_equal(
        json_string_value(json_object_get(b->config_space_json, "tag")),
        "fixed");

    /* Methods in file order. */
    assert_int_equal(s->n_methods, 3);
    const struct hpolab_study_method *m = &s->methods[0];
    assert_string_equal(m->name, "RS");
    assert_string_equal(m->scheduler, "fifo");
    assert_string_equal(m->searcher, "random");
    m = &s->methods[1];
    assert_string_equal(m->name, "ASHA");
    assert_string_equal(m->scheduler, "asha");
    json_t *want_opts =
        json_loads("{\"type\": \"promotion\", \"max_t\": 27}", 0, NULL);
    assert_true(json_equal(want_opts, m->scheduler_options));
    json_decref(want_opts);
    assert_true(json_is_false(json_object_get(m->searcher_options,
                                              "debug_log")));
    assert_string_equal(m->scheduler_where, "full.json: methods.ASHA.scheduler");
    assert_string_equal(m->searcher_options_where,
                        "full.json: methods.ASHA.searcher_options");
    m = &s->methods[2];
    assert_string_equal(m->name, "default");
    assert_string_equal(m->scheduler, "fifo");
    assert_string_equal(m->searcher, "random");

    json_t *want_args = json_loads("{\"max_epochs\": 27, \"lr_max\": 1.0, "
                                   "\"instance\": \"ml.m5.large\", "
                                   "\"debug_searcher\": false}",
                                   0, NULL);
    assert_true(json_equal(want_args, s->arg_values));
    json_decref(want_args);
    hpolab_study_free(s);
}

static void test_not_json(void **state)
{
    (void)state;
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(hpolab_study_open("bad_syntax.json", &s, &d),
                     HPOLAB_ERR_PARSE);
    assert_null(s);
    EXPECT_LINES(&d, "bad_syntax.json:3:28: invalid JSON: string or '}' "
                     "expected near '}'");
    hpolab_diag_free(&d);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(hpolab_study_open("no_such_study.json", &s, &d),
                     HPOLAB_ERR_IO);
    assert_null(s);
    EXPECT_LINES(&d, "no_such_study.json: cannot read the study file: No "
                     "such file or directory");
    hpolab_diag_free(&d);
    /* A folder is not a study file either. */
    assert_int_equal(hpolab_study_open(".", &s, &d), HPOLAB_ERR_IO);
    EXPECT_LINES(&d, ".: cannot read the study file: Is a directory");
    hpolab_diag_free(&d);
}

/* Every problem of the file is reported in one go. */
static void test_many_errors(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    assert_non_null(realpath(FIXTURES, dir));
    char script[PATH_MAX + 160], noexec[2 * PATH_MAX + 200];
    snprintf(script, sizeof script,
             "many_errors.json: benchmarks.ok.entry_point[1]: script "
             "'missing_script.py' not found: %s/missing_script.py does not "
             "exist",
             dir);
    snprintf(noexec, sizeof noexec,
             "many_errors.json: benchmarks.exec.entry_point: entry point "
             "'./not_executable.sh' is not executable: %s/not_executable.sh "
             "(chmod +x it, or put its interpreter first, e.g. [\"sh\", "
             "\"./not_executable.sh\"])",
             dir);
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(hpolab_study_load("many_errors.json", NULL, &s, &d),
                     HPOLAB_ERR_INVALID);
    assert_null(s);
    assert_int_equal(d.count, 16);
    EXPECT_LINES(
        &d,
        "many_errors.json: defaults.n_workers: expected an integer >= 1, "
        "got 0",
        "many_errors.json: defaults.backend: expected a backend plugin id "
        "([a-z0-9_]+), got 'Local'",
        "many_errors.json: benchmarks[\"my bench\"]: expected a benchmark "
        "name of letters, digits, '_', '.' and '-' (it becomes part of paths "
        "and job names), got 'my bench'",
        "many_errors.json: benchmarks[\"my bench\"].entry_point[0]: entry "
        "point 'pythn3' not found in PATH",
        "many_errors.json: benchmarks[\"my bench\"].mode: expected 'min' or "
        "'max', got 'minimum'",
        script,
        "many_errors.json: benchmarks.ok.max_wallclock_time: expected a "
        "number > 0, got -1",
        "many_errors.json: benchmarks.ok.max_resource_attr: expected the "
        "name of a constant integer >= 1 in config_space (the maximum "
        "resource, e.g. \"epochs\": 81), got 'epochs', a hyperparameter "
        "with a domain",
        "many_errors.json: benchmarks.ok.points_to_evaluate[0]: unknown "
        "hyperparameter 'epoch' (did you mean 'epochs'?); config_space has: "
        "epochs",
        "many_errors.json: benchmarks.exec: unknown key 'metrics' (did you "
        "mean 'metric'?)",
        noexec,
        "many_errors.json: benchmarks.exec: missing required key 'metric' "
        "(the name of the metric the trials report)",
        "many_errors.json: methods.RS: unknown key 'schedular' (did you mean "
        "'scheduler'?)",
        "many_errors.json: methods[\"../up\"]: expected a method name of "
        "letters, digits, '_', '.' and '-' (it becomes part of paths and job "
        "names), got '../up'",
        "many_errors.json: methods[\"../up\"].scheduler: expected a "
        "scheduler plugin id ([a-z0-9_]+), got 'ASHA'",
        "many_errors.json: methods[\"../up\"].searcher_options: expected an "
        "object of options, got an array");
    hpolab_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_example),
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_many_errors),
    };
    return cmocka_run_group_tests(tests, enter_fixtures, leave_fixtures);
}
