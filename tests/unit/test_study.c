/* test_study.c: study validation — every problem one exact line. */
#include "study_test_util.h"

#include "study_internal.h"

#include "registry.h"
#include "space.h"

static void setup_script(void)
{
    make_script();
}

/* ---- top level ----------------------------------------------------------- */

static void test_top_level_not_object(void **state)
{
    (void)state;
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("[1, 2]", &s, &d, NULL), HPOLAB_ERR_INVALID);
    assert_null(s);
    EXPECT_LINES(&d, "s.json: expected a JSON object at the top level, got "
                     "an array");
    hpolab_diag_free(&d);
}

static void test_duplicate_key(void **state)
{
    (void)state;
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("{'methods': {}, 'methods': {}}", &s, &d, NULL),
                     HPOLAB_ERR_PARSE);
    EXPECT_LINES(&d, "s.json:1:25: invalid JSON: duplicate object key near "
                     "'\"methods\"'");
    hpolab_diag_free(&d);
}

static void test_top_level_unknown_key(void **state)
{
    (void)state;
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("{'benchmark': {}, 'zzz': 1, 'name': 3}", &s,
                               &d, NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: unknown key 'benchmark' (did you mean "
                 "'benchmarks'?)",
                 "s.json: unknown key 'zzz'; expected one of: name, "
                 "description, extra_args, defaults, benchmarks, methods, plot, sagemaker",
                 "s.json: name: expected a non-empty string, got 3");
    hpolab_diag_free(&d);
}

static void test_missing_and_empty_parts(void **state)
{
    (void)state;
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("{}", &s, &d, NULL), HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: missing required key 'benchmarks' (an object "
                 "benchmark name -> benchmark)",
                 "s.json: missing required key 'methods' (an object method "
                 "name -> {\"scheduler\", \"searcher\", ...} or a preset "
                 "name, or an array of preset names)");
    hpolab_diag_free(&d);
    assert_int_equal(load_text("{'benchmarks': {}, 'methods': {}}", &s, &d,
                               NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "s.json: benchmarks: expected at least one benchmark, "
                     "got none",
                 "s.json: methods: expected at least one method, got none");
    hpolab_diag_free(&d);
    assert_int_equal(load_text("{'benchmarks': [], 'methods': 'RS'}", &s, &d,
                               NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: benchmarks: expected an object benchmark name -> "
                 "benchmark, got an array",
                 "s.json: methods: expected an object method name -> method, "
                 "or an array of preset names, got 'RS'");
    hpolab_diag_free(&d);
}

/* ---- benchmarks ---------------------------------------------------------- */

static void test_minimal_defaults(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("{'benchmarks': {'b': {" BENCH_OK "}}, "
                               METHODS_OK "}",
                               &s, &d, NULL),
                     HPOLAB_OK);
    assert_int_equal(d.count, 0);
    const struct hpolab_study_benchmark *b = hpolab_study_find_benchmark(s, "b");
    assert_non_null(b);
    assert_int_equal(b->mode, HPOLAB_MODE_MIN);
    assert_int_equal(b->n_workers, 1);
    assert_int_equal(b->max_failures, 1);
    assert_true(b->stop.max_wallclock_time < 0);
    assert_int_equal(b->stop.max_num_evaluations, -1);
    assert_int_equal(b->stop.max_num_trials_started, -1);
    assert_int_equal(b->stop.max_num_trials_completed, -1);
    assert_int_equal(b->stop.max_num_trials_finished, -1);
    assert_true(b->stop.max_cost < 0);
    assert_null(b->stop.min_metric_value);
    assert_null(b->stop.max_metric_value);
    assert_null(b->resource_attr);
    assert_null(b->max_resource_attr);
    assert_int_equal(b->max_resource, -1);
    assert_null(b->instance_type);
    assert_null(b->points_to_evaluate);
    assert_string_equal(b->backend, "local");
    assert_true(json_is_object(b->backend_options));
    assert_int_equal(json_object_size(b->backend_options), 0);
    assert_string_equal(b->backend_where, "s.json: benchmarks.b.backend");
    const struct hpolab_study_method *m = hpolab_study_find_method(s, "RS");
    assert_non_null(m);
    assert_string_equal(m->scheduler, "fifo");
    assert_string_equal(m->searcher, "random");
    assert_int_equal(json_object_size(m->scheduler_options), 0);
    assert_int_equal(json_object_size(m->searcher_options), 0);
    assert_string_equal(m->scheduler_options_where,
                        "s.json: methods.RS.scheduler_options");
    assert_null(hpolab_study_find_method(s, "BO"));
    assert_null(hpolab_study_find_benchmark(s, "c"));
    assert_null(s->name);
    assert_int_equal(json_object_size(s->arg_values), 0);
    hpolab_study_free(s);
}

static void test_unknown_keys_everywhere(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'defaults': {'n_worker': 2},"
                  " 'benchmarks': {'b': {" BENCH_OK ", 'metirc': 'x', "
                  "'colour': 'red'}},"
                  " 'methods': {'RS': {'schedular': 'fifo'}}}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    assert_null(s);
    EXPECT_LINES(&d,
                 "s.json: defaults: unknown key 'n_worker' (did you mean "
                 "'n_workers'?)",
                 "s.json: benchmarks.b: unknown key 'metirc' (did you mean "
                 "'metric'?)",
                 "s.json: benchmarks.b: unknown key 'colour'; expected one "
                 "of: entry_point, config_space, metric, mode, resource_attr, "
                 "max_resource_attr, n_workers, max_wallclock_time, "
                 "max_num_evaluations, max_num_trials_started, "
                 "max_num_trials_completed, max_num_trials_finished, "
                 "max_cost, min_metric_value, max_metric_value, "
                 "max_failures, instance_type, points_to_evaluate, backend, "
                 "backend_options",
                 "s.json: methods.RS: unknown key 'schedular' (did you mean "
                 "'scheduler'?)");
    hpolab_diag_free(&d);
}

static void test_wrong_types(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'benchmarks': {'b': {'entry_point': ['sh', 't.sh'], "
                  "'config_space': [1], 'metric': 5, 'mode': 'minimum', "
                  "'resource_attr': '', 'n_workers': '4', "
                  "'max_wallclock_time': 0, 'max_num_evaluations': 2.5, "
                  "'max_num_trials_started': 0, 'max_cost': 'x', "
                  "'min_metric_value': {'loss': 'low'}, "
                  "'max_metric_value': [], 'max_failures': -1, "
                  "'instance_type': 3, 'points_to_evaluate': {}, "
                  "'backend': 'Local', 'backend_options': []}}, "
                  "'methods': {'RS': {'searcher': 'Random', "
                  "'scheduler_options': 1}}}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(
        &d,
        "s.json: benchmarks.b.config_space: expected an object "
        "hyperparameter name -> domain or constant, got an array",
        "s.json: benchmarks.b.metric: expected a non-empty string, got 5",
        "s.json: benchmarks.b.mode: expected 'min' or 'max', got 'minimum'",
        "s.json: benchmarks.b.resource_attr: expected a non-empty string, "
        "got ''",
        "s.json: benchmarks.b.n_workers: expected an integer >= 1, got '4'",
        "s.json: benchmarks.b.max_wallclock_time: expected a number > 0, "
        "got 0",
        "s.json: benchmarks.b.max_num_evaluations: expected an integer >= 1, "
        "got 2.5",
        "s.json: benchmarks.b.max_num_trials_started: expected an integer "
        ">= 1, got 0",
        "s.json: benchmarks.b.max_cost: expected a number > 0, got 'x'",
        "s.json: benchmarks.b.min_metric_value.loss: expected a number, got "
        "'low'",
        "s.json: benchmarks.b.max_metric_value: expected an object metric "
        "name -> threshold, got an array",
        "s.json: benchmarks.b.max_failures: expected an integer >= 0, got -1",
        "s.json: benchmarks.b.instance_type: expected a non-empty string, "
        "got 3",
        "s.json: benchmarks.b.points_to_evaluate: expected an array of "
        "configurations (objects name -> value), got an object",
        "s.json: benchmarks.b.backend: expected a backend plugin id "
        "([a-z0-9_]+), got 'Local'",
        "s.json: benchmarks.b.backend_options: expected an object of backend "
        "options, got an array",
        "s.json: methods.RS.searcher: expected a searcher plugin id "
        "([a-z0-9_]+), got 'Random'",
        "s.json: methods.RS.scheduler_options: expected an object of "
        "options, got 1");
    hpolab_diag_free(&d);
}

static void test_required_fields(void **state)
{
    (void)state;
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("{'benchmarks': {'b': {'metric': null}, "
                               "'c': 7}, " METHODS_OK "}",
                               &s, &d, NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(
        &d,
        "s.json: benchmarks.b: missing required key 'entry_point' (the "
        "command each trial runs, e.g. [\"python3\", \"train.py\"])",
        "s.json: benchmarks.b: missing required key 'config_space' "
        "(hyperparameter name -> domain or constant)",
        "s.json: benchmarks.b.metric: expected a non-empty string, got null",
        "s.json: benchmarks.c: expected an object (the benchmark's fields), "
        "got 7");
    hpolab_diag_free(&d);
}

static void test_full_values(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'benchmarks': {'b': {" BENCH_OK ", 'mode': 'max', "
                  "'max_wallclock_time': 1.5, 'max_num_evaluations': 7, "
                  "'max_num_trials_completed': 3, 'max_cost': 2, "
                  "'max_metric_value': {'acc': 0.99}, 'max_failures': 0, "
                  "'points_to_evaluate': [], 'backend': 'my_backend2'}}, "
                  METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_OK);
    const struct hpolab_study_benchmark *b = &s->benchmarks[0];
    assert_int_equal(b->mode, HPOLAB_MODE_MAX);
    assert_true(b->stop.max_wallclock_time == 1.5);
    assert_int_equal(b->stop.max_num_evaluations, 7);
    assert_int_equal(b->stop.max_num_trials_completed, 3);
    assert_true(b->stop.max_cost == 2.0);
    assert_true(json_real_value(json_object_get(b->stop.max_metric_value,
                                                "acc")) == 0.99);
    assert_int_equal(b->max_failures, 0);
    assert_non_null(b->points_to_evaluate); /* given, and empty */
    assert_int_equal(json_array_size(b->points_to_evaluate), 0);
    assert_string_equal(b->backend, "my_backend2");
    hpolab_study_free(s);
}

/* ---- defaults ------------------------------------------------------------ */

static void test_defaults_inherited(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'defaults': {'n_workers': 3, 'max_wallclock_time': 60, "
                  "'metric': 'loss', 'entry_point': ['sh', 't.sh'], "
                  "'backend': 'slurm'},"
                  " 'benchmarks': {"
                  "'a': {'config_space': {'x': 1}},"
                  "'b': {'config_space': {'x': 1}, 'n_workers': 5, "
                  "'max_wallclock_time': null, 'backend': 'local'}}, "
                  METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_OK);
    const struct hpolab_study_benchmark *a = hpolab_study_find_benchmark(s, "a");
    const struct hpolab_study_benchmark *b = hpolab_study_find_benchmark(s, "b");
    assert_int_equal(a->n_workers, 3);
    assert_true(a->stop.max_wallclock_time == 60.0);
    assert_string_equal(a->metric, "loss");
    assert_string_equal(a->entry_argv[0], "sh");
    assert_string_equal(a->backend, "slurm");
    assert_string_equal(a->backend_where, "s.json: defaults.backend");
    assert_int_equal(b->n_workers, 5);
    assert_true(b->stop.max_wallclock_time < 0); /* null: unset again */
    assert_string_equal(b->backend, "local");
    assert_string_equal(b->backend_where, "s.json: benchmarks.b.backend");
    hpolab_study_free(s);
}

/* A bad default is reported once, not once per benchmark. */
static void test_bad_default_reported_once(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'defaults': {'n_workers': 0, 'entry_point': ['sh', "
                  "'gone.sh'], 'config_space': {'epochs': 5, 'lr': 0.1}, "
                  "'max_resource_attr': 'lr'},"
                  " 'benchmarks': {'a': {'metric': 'm'}, 'b': {'metric': 'm'}},"
                  " 'methods': 3}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    char line[1024];
    snprintf(line, sizeof line,
             "s.json: defaults.entry_point[1]: script 'gone.sh' not found: "
             "%s/gone.sh does not exist",
             ((struct scratch *)*state)->dir);
    EXPECT_LINES(&d, line,
                 "s.json: defaults.n_workers: expected an integer >= 1, got 0",
                 "s.json: defaults.max_resource_attr: expected the name of a "
                 "constant integer >= 1 in config_space (the maximum "
                 "resource, e.g. \"epochs\": 81), got 'lr' = 0.1",
                 "s.json: methods: expected an object method name -> method, "
                 "or an array of preset names, got 3");
    hpolab_diag_free(&d);
}

/* A check that combines a default with a benchmark's own value is the
 * benchmark's problem. */
static void test_default_meets_benchmark(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'defaults': {'max_resource_attr': 'epochs'},"
                  " 'benchmarks': {'a': {" BENCH_OK "}, "
                  "'b': {'entry_point': ['sh', 't.sh'], 'metric': 'm', "
                  "'config_space': {'epochs': 9}}}, " METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "s.json: benchmarks.a.max_resource_attr: expected the "
                     "name of a constant integer >= 1 in config_space (the "
                     "maximum resource, e.g. \"epochs\": 81), got 'epochs', "
                     "which config_space does not have (set in defaults)");
    hpolab_diag_free(&d);
}

static void test_defaults_not_object(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("{'defaults': [], 'benchmarks': {'b': {"
                               BENCH_OK "}}, " METHODS_OK "}",
                               &s, &d, NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "s.json: defaults: expected an object of benchmark "
                     "fields, got an array");
    hpolab_diag_free(&d);
}

/* ---- cross-field checks -------------------------------------------------- */

static void test_max_resource_attr(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'benchmarks': {"
                  "'a': {" BENCH_OK ", 'max_resource_attr': 'x'},"
                  "'b': {" BENCH_OK ", 'max_resource_attr': 'epochs'},"
                  "'c': {'entry_point': ['sh', 't.sh'], 'metric': 'm', "
                  "'config_space': {'epochs': 0}, 'max_resource_attr': "
                  "'epochs'},"
                  "'d': {'entry_point': ['sh', 't.sh'], 'metric': 'm', "
                  "'config_space': {'e': {'domain_cls': 'Integer', "
                  "'domain_kwargs': {'lower': 1, 'upper': 9}}}, "
                  "'max_resource_attr': 'e'}}, " METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: benchmarks.a.max_resource_attr: expected the name "
                 "of a constant integer >= 1 in config_space (the maximum "
                 "resource, e.g. \"epochs\": 81), got 'x', a hyperparameter "
                 "with a domain",
                 "s.json: benchmarks.b.max_resource_attr: expected the name "
                 "of a constant integer >= 1 in config_space (the maximum "
                 "resource, e.g. \"epochs\": 81), got 'epochs', which "
                 "config_space does not have",
                 "s.json: benchmarks.c.max_resource_attr: expected the name "
                 "of a constant integer >= 1 in config_space (the maximum "
                 "resource, e.g. \"epochs\": 81), got 'epochs' = 0",
                 "s.json: benchmarks.d.max_resource_attr: expected the name "
                 "of a constant integer >= 1 in config_space (the maximum "
                 "resource, e.g. \"epochs\": 81), got 'e', a hyperparameter "
                 "with a domain");
    hpolab_diag_free(&d);

    assert_int_equal(
        load_text("{'benchmarks': {'b': {'entry_point': ['sh', 't.sh'], "
                  "'metric': 'm', 'config_space': {'epochs': 81, 'lr': "
                  "{'domain': 'uniform', 'lower': 0, 'upper': 1}}, "
                  "'resource_attr': 'epoch', 'max_resource_attr': 'epochs'}}, "
                  METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_OK);
    assert_int_equal(s->benchmarks[0].max_resource, 81);
    assert_string_equal(s->benchmarks[0].max_resource_attr, "epochs");
    assert_string_equal(s->benchmarks[0].resource_attr, "epoch");
    hpolab_study_free(s);
}

static void test_points_to_evaluate(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'benchmarks': {'b': {'entry_point': ['sh', 't.sh'], "
                  "'metric': 'm', 'config_space': {'lr': 0.1, 'batch': 8}, "
                  "'points_to_evaluate': [{'lr': 0.2}, {'lrr': 1, 'zz': 2}, "
                  "3, {'batch': [1]}]}}, " METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: benchmarks.b.points_to_evaluate[2]: expected an "
                 "object hyperparameter -> value, got 3",
                 "s.json: benchmarks.b.points_to_evaluate[3].batch: expected "
                 "a number, string or boolean, got an array");
    hpolab_diag_free(&d);

    /* Keys must be in the space, values must fit their domains. */
    assert_int_equal(
        load_text("{'benchmarks': {'b': {'entry_point': ['sh', 't.sh'], "
                  "'metric': 'm', 'config_space': {'lr': {'domain': "
                  "'loguniform', 'lower': 1e-4, 'upper': 1}, 'batch': 8, "
                  "'opt': {'domain': 'choice', 'categories': ['sgd', "
                  "'adam']}, 'n': {'domain': 'randint', 'lower': 1, "
                  "'upper': 4}}, "
                  "'points_to_evaluate': [{'lr': 0.2, 'batch': 8, 'opt': "
                  "'adam', 'n': 2}, {'lrr': 1, 'zz': 2}, {'lr': 5, 'batch': "
                  "16, 'opt': 'rmsprop', 'n': 'x'}]}},"
                  " " METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: benchmarks.b.points_to_evaluate[1]: unknown "
                 "hyperparameter 'lrr' (did you mean 'lr'?); config_space "
                 "has: lr, batch, opt, n",
                 "s.json: benchmarks.b.points_to_evaluate[1]: unknown "
                 "hyperparameter 'zz'; config_space has: lr, batch, opt, n",
                 "s.json: benchmarks.b.points_to_evaluate[2].lr: expected a "
                 "value in [0.0001, 1.0], got 5",
                 "s.json: benchmarks.b.points_to_evaluate[2].batch: is the "
                 "constant 8 in the configuration space, got 16",
                 "s.json: benchmarks.b.points_to_evaluate[2].opt: expected "
                 "one of [\"sgd\", \"adam\"], got \"rmsprop\"",
                 "s.json: benchmarks.b.points_to_evaluate[2].n: expected an "
                 "integer, got \"x\"");
    hpolab_diag_free(&d);
}

/* The config-space parser's lines carry the study's paths; a value that came
 * from an extra argument says so, and a bad reference is reported once. */
static void test_config_space_errors(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'extra_args': [{'name': 'hi', 'type': 'float', "
                  "'default': -1}],"
                  " 'benchmarks': {'b': {'entry_point': ['sh', 't.sh'], "
                  "'metric': 'm', 'config_space': {"
                  "'lr': {'domain': 'loguniform', 'lower': -1, 'upper': 1},"
                  "'x': {'domain': 'uniform', 'lower': 2, 'upper': 1},"
                  "'c': {'domain': 'choice', 'categories': []},"
                  "'st_checkpoint_dir': 1,"
                  "'u': {'domain': 'uniform', 'lower': 0, 'upper': {'$arg': "
                  "'hi'}},"
                  "'v': {'domain': 'uniform', 'lower': 0, 'upper': {'$arg': "
                  "'nope'}}}}}, " METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: benchmarks.b.config_space.v.upper: unknown extra "
                 "argument 'nope'; declared: hi",
                 "s.json: benchmarks.b.config_space.st_checkpoint_dir: "
                 "'st_checkpoint_dir' is reserved: hpolab passes it to every "
                 "trial itself",
                 "s.json: benchmarks.b.config_space.lr.lower: loguniform "
                 "needs a number > 0, got -1",
                 "s.json: benchmarks.b.config_space.x.upper: uniform needs a "
                 "number >= lower (2), got 1",
                 "s.json: benchmarks.b.config_space.c.categories: choice "
                 "needs a non-empty list, got []",
                 "s.json: benchmarks.b.config_space.u.upper: uniform needs a "
                 "number >= lower (0), got -1.0 (from --hi)");
    hpolab_diag_free(&d);

    assert_int_equal(
        load_text("{'benchmarks': {'b': {" BENCH_OK "}}, " METHODS_OK "}", &s,
                  &d, NULL),
        HPOLAB_OK);
    const struct hpolab_study_benchmark *b = &s->benchmarks[0];
    assert_non_null(b->space);
    assert_int_equal(hpolab_space_count(b->space), 1);
    assert_string_equal(hpolab_space_name(b->space, 0), "x");
    assert_string_equal(hpolab_space_domain_name(b->space, 0), "uniform");
    hpolab_study_free(s);
}

static void test_resource_attr_is_metric(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(load_text("{'benchmarks': {'b': {" BENCH_OK
                               ", 'resource_attr': 'loss'}}, " METHODS_OK "}",
                               &s, &d, NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "s.json: benchmarks.b.resource_attr: expected the name "
                     "of the resource (e.g. 'epoch') reported next to the "
                     "metric, got 'loss', the metric itself");
    hpolab_diag_free(&d);
}

/* ---- names --------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'benchmarks': {'my bench': {" BENCH_OK "}, '..': {"
                  BENCH_OK "}, 'fine_1.2-x': {" BENCH_OK "}},"
                  " 'methods': {'a/b': {}, '': {}, 'MOBSTER-2': {'scheduler': "
                  "'asha', 'searcher': 'bayesopt'}}}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: benchmarks[\"my bench\"]: expected a benchmark name "
                 "of letters, digits, '_', '.' and '-' (it becomes part of "
                 "paths and job names), got 'my bench'",
                 "s.json: benchmarks[\"..\"]: expected a benchmark name of "
                 "letters, digits, '_', '.' and '-' (it becomes part of paths "
                 "and job names), got '..'",
                 "s.json: methods[\"a/b\"]: expected a method name of "
                 "letters, digits, '_', '.' and '-' (it becomes part of paths "
                 "and job names), got 'a/b'",
                 "s.json: methods[\"\"]: expected a method name of letters, "
                 "digits, '_', '.' and '-' (it becomes part of paths and job "
                 "names), got ''");
    hpolab_diag_free(&d);
}

/* ---- entry points -------------------------------------------------------- */

static void test_entry_point_forms(void **state)
{
    const char *dir = ((struct scratch *)*state)->dir;
    setup_script();
    assert_int_equal(mkdir("sub", 0755), 0);
    write_text("sub/train.py", "print(1)\n", 0644);
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'defaults': {'metric': 'm', 'config_space': {'x': 1}},"
                  " 'benchmarks': {"
                  "'rel': {'entry_point': './/sub/../t.sh'},"
                  "'str': {'entry_point': 't.sh x'},"
                  "'abs': {'entry_point': ['/bin/sh', 'no-such-file']},"
                  "'interp': {'entry_point': ['sh', './sub/train.py', 'a']},"
                  "'opt': {'entry_point': ['sh', '-c', 'echo hi']},"
                  "'env': {'entry_point': ['env', 'A=1', 'sh', 't.sh']}},"
                  " " METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    /* A single string is one program name, never split on spaces. */
    EXPECT_LINES(&d, "s.json: benchmarks.str.entry_point: entry point 't.sh "
                     "x' not found in PATH");
    hpolab_diag_free(&d);

    assert_int_equal(
        load_text("{'defaults': {'metric': 'm', 'config_space': {'x': 1}},"
                  " 'benchmarks': {"
                  "'rel': {'entry_point': './/sub/../t.sh'},"
                  "'abs': {'entry_point': ['/bin/sh', 'no-such-file']},"
                  "'interp': {'entry_point': ['sh', './sub/train.py', 'a']},"
                  "'opt': {'entry_point': ['sh', '-c', 'echo hi']},"
                  "'env': {'entry_point': ['env', 'A=1', 'sh', 't.sh']}},"
                  " " METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_OK);
    char want[512];
    const struct hpolab_study_benchmark *b = &s->benchmarks[0];
    snprintf(want, sizeof want, "%s/sub/../t.sh", dir);
    assert_int_equal(b->entry_argc, 1);
    assert_string_equal(b->entry_argv[0], want);
    assert_null(b->entry_argv[1]);
    assert_string_equal(b->working_dir, dir);
    b = &s->benchmarks[1]; /* an absolute program: argv[1] left alone */
    assert_int_equal(b->entry_argc, 2);
    assert_string_equal(b->entry_argv[0], "/bin/sh");
    assert_string_equal(b->entry_argv[1], "no-such-file");
    b = &s->benchmarks[2];
    snprintf(want, sizeof want, "%s/sub/train.py", dir);
    assert_int_equal(b->entry_argc, 3);
    assert_string_equal(b->entry_argv[0], "sh");
    assert_string_equal(b->entry_argv[1], want);
    assert_string_equal(b->entry_argv[2], "a");
    b = &s->benchmarks[3];
    assert_string_equal(b->entry_argv[1], "-c");
    assert_string_equal(b->entry_argv[2], "echo hi");
    b = &s->benchmarks[4];
    assert_string_equal(b->entry_argv[1], "A=1");
    assert_string_equal(b->entry_argv[3], "t.sh");
    hpolab_study_free(s);
}

static void test_entry_point_problems(void **state)
{
    const char *dir = ((struct scratch *)*state)->dir;
    setup_script();
    write_text("plain.sh", "echo\n", 0644);
    assert_int_equal(mkdir("folder", 0755), 0);
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'defaults': {'metric': 'm', 'config_space': {'x': 1}},"
                  " 'benchmarks': {"
                  "'a': {'entry_point': ['pythn3', 'train.py']},"
                  "'b': {'entry_point': ['./plain.sh']},"
                  "'c': {'entry_point': ['sh', 'train.py']},"
                  "'d': {'entry_point': './folder'},"
                  "'e': {'entry_point': 'sub/missing'},"
                  "'f': {'entry_point': []},"
                  "'g': {'entry_point': ['sh', '', 3]},"
                  "'h': {'entry_point': 3}},"
                  " " METHODS_OK "}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    char b_line[512], c_line[512], d_line[512], e_line[512];
    snprintf(b_line, sizeof b_line,
             "s.json: benchmarks.b.entry_point[0]: entry point './plain.sh' is "
             "not executable: %s/plain.sh (chmod +x it, or put its "
             "interpreter first, e.g. [\"sh\", \"./plain.sh\"])",
             dir);
    snprintf(c_line, sizeof c_line,
             "s.json: benchmarks.c.entry_point[1]: script 'train.py' not "
             "found: %s/train.py does not exist",
             dir);
    snprintf(d_line, sizeof d_line,
             "s.json: benchmarks.d.entry_point: entry point './folder' is not "
             "a file: %s/folder",
             dir);
    snprintf(e_line, sizeof e_line,
             "s.json: benchmarks.e.entry_point: entry point 'sub/missing' not "
             "found: %s/sub/missing does not exist",
             dir);
    EXPECT_LINES(
        &d,
        "s.json: benchmarks.a.entry_point[0]: entry point 'pythn3' not found "
        "in PATH",
        b_line, c_line, d_line, e_line,
        "s.json: benchmarks.f.entry_point: expected a program and its "
        "arguments (an array of non-empty strings) or one program (a "
        "string), got an array",
        "s.json: benchmarks.g.entry_point[1]: expected a non-empty string, "
        "got ''",
        "s.json: benchmarks.g.entry_point[2]: expected a non-empty string, "
        "got 3",
        "s.json: benchmarks.h.entry_point: expected a program and its "
        "arguments (an array of non-empty strings) or one program (a "
        "string), got 3");
    hpolab_diag_free(&d);
}

/* PATH is searched like execvp does, except for empty entries. */
static void test_entry_point_path_lookup(void **state)
{
    (void)state;
    setup_script();
    assert_int_equal(mkdir("bin", 0755), 0);
    write_text("bin/mytool", "#!/bin/sh\n", 0755);
    write_text("bin/noexec", "#!/bin/sh\n", 0644);
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/bin", ((struct scratch *)*state)->dir);
    setenv("PATH", path, 1);
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    int32_t rc = load_text(
        "{'defaults': {'metric': 'm', 'config_space': {'x': 1}},"
        " 'benchmarks': {'a': {'entry_point': ['mytool', '--x']},"
        "'b': {'entry_point': 'noexec'}}, " METHODS_OK "}",
        &s, &d, NULL);
    setenv("PATH", "", 1); /* only an empty entry: the current folder */
    struct hpolab_study *s2 = NULL;
    struct hpolab_diag d2 = {0};
    int32_t rc2 = load_text("{'defaults': {'metric': 'm', 'config_space': "
                            "{'x': 1}}, 'benchmarks': {'a': {'entry_point': "
                            "'t.sh'}}, " METHODS_OK "}",
                            &s2, &d2, NULL);
    if (old)
        setenv("PATH", old, 1);
    free(old);
    assert_int_equal(rc, HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "s.json: benchmarks.b.entry_point: entry point 'noexec' "
                     "not found in PATH");
    assert_int_equal(rc2, HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d2, "s.json: benchmarks.a.entry_point: entry point 't.sh' "
                      "not found in PATH");
    hpolab_diag_free(&d);
    hpolab_diag_free(&d2);
}

/* ---- plugins ------------------------------------------------------------- */

struct fake_registry {
    int calls;
};

static int fake_exists(void *user, int32_t kind, const char *id,
                       char *available, size_t size)
{
    struct fake_registry *r = user;
    r->calls++;
    static const char *const have[][3] = {
        {"asha", "fifo", NULL}, {"bayesopt", "random", NULL}, {"local", NULL}};
    const char *const *list = have[kind];
    size_t used = 0;
    available[0] = '\0';
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(list[i], id) == 0)
            return 1;
        used += (size_t)snprintf(available + used, size - used, "%s%s",
                                 i ? ", " : "", list[i]);
    }
    if (kind == HPOLAB_KIND_BACKEND)
        available[0] = '\0'; /* pretend none is installed */
    return 0;
}

static void test_check_plugins(void **state)
{
    (void)state;
    setup_script();
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'benchmarks': {'a': {" BENCH_OK ", 'backend': 'slurm'}, "
                  "'b': {" BENCH_OK ", 'backend': 'slurm'}, "
                  "'c': {" BENCH_OK "}},"
                  " 'methods': {'RS': {}, 'ASHA': {'scheduler': 'ashaa'}, "
                  "'ASHA2': {'scheduler': 'ashaa'}, "
                  "'X': {'searcher': 'grid'}}}",
                  &s, &d, NULL),
        HPOLAB_OK);
    struct fake_registry reg = {0};
    assert_int_equal(hpolab_study_check_plugins(s, fake_exists, &reg, &d),
                     HPOLAB_ERR_NOT_FOUND);
    /* Each (kind, id) is asked about once. */
    assert_int_equal(reg.calls, 6);
    EXPECT_LINES(&d,
                 "s.json: methods.ASHA.scheduler: no scheduler plugin named "
                 "'ashaa' (did you mean 'asha'?); available: asha, fifo",
                 "s.json: methods.X.searcher: no searcher plugin named 'grid'; "
                 "available: bayesopt, random",
                 "s.json: benchmarks.a.backend: no backend plugin named "
                 "'slurm' (none is installed)");
    hpolab_diag_free(&d);
    hpolab_study_free(s);

    assert_int_equal(load_text("{'benchmarks': {'a': {" BENCH_OK "}}, "
                               METHODS_OK "}",
                               &s, &d, NULL),
                     HPOLAB_OK);
    assert_int_equal(hpolab_study_check_plugins(s, fake_exists, &reg, &d),
                     HPOLAB_OK);
    assert_int_equal(d.count, 0);
    hpolab_study_free(s);
}

static void test_phases(void **state)
{
    (void)state;
    setup_script();
    write_text("s.json",
               "{'benchmarks': {'a': {" BENCH_OK "}}, " METHODS_OK "}", 0644);
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(hpolab_study_open("s.json", &s, &d), HPOLAB_OK);
    assert_int_equal(s->n_benchmarks, 0); /* not before resolve */
    struct fake_registry reg = {0};
    assert_int_equal(hpolab_study_check_plugins(s, fake_exists, &reg, &d),
                     HPOLAB_ERR_STATE);
    assert_int_equal(hpolab_study_resolve(s, NULL, &d), HPOLAB_OK);
    assert_int_equal(s->n_benchmarks, 1);
    assert_int_equal(hpolab_study_resolve(s, NULL, &d), HPOLAB_ERR_STATE);
    assert_int_equal(d.count, 0);
    hpolab_study_free(s);
}

/* ---- helpers ------------------------------------------------------------- */

static void test_paths_and_suggestions(void **state)
{
    (void)state;
    char p[HPOLAB_STUDY_PATH_MAX];
    hpolab_study_path_key(p, sizeof p, "", "benchmarks");
    assert_string_equal(p, "benchmarks");
    hpolab_study_path_key(p, sizeof p, "benchmarks", "a_b-1");
    assert_string_equal(p, "benchmarks.a_b-1");
    hpolab_study_path_key(p, sizeof p, "benchmarks", "fcnet.protein");
    assert_string_equal(p, "benchmarks[\"fcnet.protein\"]");
    hpolab_study_path_key(p, sizeof p, "x", "say \"hi\"");
    assert_string_equal(p, "x[\"say \\\"hi\\\"\"]");
    hpolab_study_path_index(p, sizeof p, "entry_point", 12);
    assert_string_equal(p, "entry_point[12]");

    const char *const keys[] = {"metric", "mode", "max_cost", "n_workers"};
    assert_string_equal(hpolab_study_suggest("Metric", keys, 4), "metric");
    assert_string_equal(hpolab_study_suggest("metirc", keys, 4), "metric");
    assert_string_equal(hpolab_study_suggest("nworkers", keys, 4),
                        "n_workers");
    assert_string_equal(hpolab_study_suggest("mod", keys, 4), "mode");
    assert_null(hpolab_study_suggest("colour", keys, 4));
    assert_null(hpolab_study_suggest("x", keys, 4));
    assert_null(hpolab_study_suggest("metric", keys, 0));

    assert_true(hpolab_study_is_valid_name("a.b_c-9"));
    assert_true(hpolab_study_is_valid_name("...")); /* an ordinary name */
    assert_false(hpolab_study_is_valid_name(".."));
    assert_false(hpolab_study_is_valid_name("a/b"));
    assert_false(hpolab_study_is_valid_name("é"));
    assert_true(hpolab_study_is_valid_plugin_id("asha_2"));
    assert_false(hpolab_study_is_valid_plugin_id("Asha"));
    assert_false(hpolab_study_is_valid_plugin_id(""));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, scratch_setup, scratch_teardown)
    const struct CMUnitTest tests[] = {
        T(test_top_level_not_object),
        T(test_duplicate_key),
        T(test_top_level_unknown_key),
        T(test_missing_and_empty_parts),
        T(test_minimal_defaults),
        T(test_unknown_keys_everywhere),
        T(test_wrong_types),
        T(test_required_fields),
        T(test_full_values),
        T(test_defaults_inherited),
        T(test_bad_default_reported_once),
        T(test_default_meets_benchmark),
        T(test_defaults_not_object),
        T(test_max_resource_attr),
        T(test_points_to_evaluate),
        T(test_config_space_errors),
        T(test_resource_attr_is_metric),
        T(test_names),
        T(test_entry_point_forms),
        T(test_entry_point_problems),
        T(test_entry_point_path_lookup),
        T(test_check_plugins),
        T(test_phases),
        cmocka_unit_test(test_paths_and_suggestions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
