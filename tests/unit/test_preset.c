/* Presets: reading hpolab-presets-*.json files, and studies whose methods
 * name them (string, {"preset": ...} with options merged on top, array). */
#include "study_test_util.h"

#include "diag.h"
#include "preset.h"

static const char *const baselines =
    "{'presets': {"
    " 'RS': {'description': 'random search', 'scheduler': 'fifo', 'searcher': 'random'},"
    " 'ASHA': {'scheduler': 'asha', 'searcher': 'random',"
    "          'scheduler_options': {'type': 'promotion'}},"
    " 'BO': {'scheduler': 'fifo', 'searcher': 'bayesopt',"
    "        'searcher_options': {'fit': {'restarts': 3, 'iters': 100}}}}}";

static void load_baselines(struct hpolab_presets *p)
{
    hpolab_presets_init(p);
    write_text("hpolab-presets-base.json", baselines, 0644);
    struct hpolab_error err;
    assert_int_equal(hpolab_presets_load_file(p, "hpolab-presets-base.json", &err),
                     HPOLAB_OK);
}

static void test_file(void **state)
{
    (void)state;
    struct hpolab_presets p;
    load_baselines(&p);
    assert_int_equal(p.n, 3);
    const struct hpolab_preset *rs = hpolab_presets_find(&p, "RS");
    assert_non_null(rs);
    assert_string_equal(rs->scheduler, "fifo");
    assert_string_equal(rs->searcher, "random");
    assert_string_equal(rs->description, "random search");
    assert_string_equal(rs->file, "hpolab-presets-base.json");
    assert_int_equal(json_object_size(rs->scheduler_options), 0);
    const struct hpolab_preset *asha = hpolab_presets_find(&p, "ASHA");
    assert_string_equal(asha->description, "");
    assert_string_equal(json_string_value(json_object_get(asha->scheduler_options, "type")),
                        "promotion");
    assert_null(hpolab_presets_find(&p, "asha"));
    assert_true(hpolab_is_preset_file_name("hpolab-presets-x.json"));
    assert_false(hpolab_is_preset_file_name("hpolab-presets-.json"));
    assert_false(hpolab_is_preset_file_name("hpolab-searcher_x.so"));
    hpolab_presets_free(&p);
}

static void expect_refused(struct hpolab_presets *p, const char *text,
                           int32_t status, const char *want)
{
    size_t before = p->n;
    write_text("hpolab-presets-bad.json", text, 0644);
    struct hpolab_error err;
    assert_int_equal(hpolab_presets_load_file(p, "hpolab-presets-bad.json", &err),
                     status);
    if (strcmp(err.message, want) != 0)
        fail_msg("got\n  %s\nexpected\n  %s", err.message, want);
    assert_int_equal(p->n, before); /* all or nothing */
}

static void test_bad_files(void **state)
{
    (void)state;
    struct hpolab_presets p;
    load_baselines(&p);
    expect_refused(&p, "{'presets': ", HPOLAB_ERR_PARSE,
                   "hpolab-presets-bad.json:1:12: unexpected token near end of file");
    expect_refused(&p, "{'RS': {}}", HPOLAB_ERR_INVALID,
                   "hpolab-presets-bad.json: expected {\"presets\": {NAME: "
                   "{\"scheduler\", \"searcher\", ...}, ...}}");
    expect_refused(&p, "{'presets': {'X': {'scheduler': 'fifo', 'searcher': 'random', 'type': 1}}}",
                   HPOLAB_ERR_INVALID,
                   "hpolab-presets-bad.json: presets.X: unknown key 'type' (expected "
                   "description, scheduler, searcher, scheduler_options, searcher_options)");
    expect_refused(&p, "{'presets': {'X': {'scheduler': 'Fifo', 'searcher': 'random'}}}",
                   HPOLAB_ERR_INVALID,
                   "hpolab-presets-bad.json: presets.X.scheduler: expected a "
                   "scheduler plugin id ([a-z0-9_]+)");
    expect_refused(&p, "{'presets': {'X': {'scheduler': 'fifo'}}}", HPOLAB_ERR_INVALID,
                   "hpolab-presets-bad.json: presets.X.searcher: expected a "
                   "searcher plugin id ([a-z0-9_]+)");
    expect_refused(&p, "{'presets': {'../X': {'scheduler': 'fifo', 'searcher': 'random'}}}",
                   HPOLAB_ERR_INVALID,
                   "hpolab-presets-bad.json: presets.../X: a preset name is a "
                   "method name: letters, digits, '_', '.' and '-'");
    expect_refused(&p, "{'presets': {'X': {'scheduler': 'fifo', 'searcher': 'random',"
                       " 'searcher_options': []}}}",
                   HPOLAB_ERR_INVALID,
                   "hpolab-presets-bad.json: presets.X.searcher_options: expected "
                   "an object of options");
    /* the first preset is fine, the second is taken: neither is added */
    expect_refused(&p, "{'presets': {'REA': {'scheduler': 'fifo', 'searcher': 'rea'},"
                       " 'RS': {'scheduler': 'fifo', 'searcher': 'random'}}}",
                   HPOLAB_ERR_EXISTS,
                   "hpolab-presets-bad.json: preset 'RS' is already defined by "
                   "hpolab-presets-base.json");
    assert_null(hpolab_presets_find(&p, "REA"));
    hpolab_presets_free(&p);
}

static const struct hpolab_study_method *method(const struct hpolab_study *s,
                                                const char *name)
{
    const struct hpolab_study_method *m = hpolab_study_find_method(s, name);
    assert_non_null(m);
    return m;
}

static char *dump(const json_t *o)
{
    return json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
}

static void expect_json(const json_t *o, const char *want)
{
    char *text = dump(o);
    if (strcmp(text, want) != 0)
        fail_msg("got %s, expected %s", text, want);
    free(text);
}

static void test_study_methods(void **state)
{
    (void)state;
    make_script();
    struct hpolab_presets p;
    load_baselines(&p);
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'benchmarks': {'b': {" BENCH_OK "}}, 'methods': {"
                  " 'A': 'ASHA',"
                  " 'A-stop': {'preset': 'ASHA', 'scheduler_options': {'type': 'stopping',"
                  "            'grace_period': 2}},"
                  " 'BO': {'preset': 'BO', 'searcher_options': {'fit': {'iters': 50}}},"
                  " 'C': {'scheduler': 'fifo'}}}",
                  &s, &d, NULL),
        HPOLAB_OK);
    assert_null(method(s, "A")->scheduler); /* until the presets are applied */
    assert_int_equal(hpolab_study_apply_presets(s, &p, &d), HPOLAB_OK);
    assert_int_equal(d.count, 0);
    const struct hpolab_study_method *m = method(s, "A");
    assert_string_equal(m->scheduler, "asha");
    assert_string_equal(m->searcher, "random");
    assert_string_equal(m->preset, "ASHA");
    assert_string_equal(m->scheduler_where, "s.json: methods.A");
    expect_json(m->scheduler_options, "{\"type\":\"promotion\"}");
    m = method(s, "A-stop");
    assert_string_equal(m->scheduler_where, "s.json: methods.A-stop.preset");
    expect_json(m->scheduler_options, "{\"grace_period\":2,\"type\":\"stopping\"}");
    m = method(s, "BO");
    /* nested objects merged key by key */
    expect_json(m->searcher_options, "{\"fit\":{\"iters\":50,\"restarts\":3}}");
    assert_string_equal(m->searcher, "bayesopt");
    m = method(s, "C");
    assert_null(m->preset);
    assert_string_equal(m->scheduler, "fifo");
    assert_string_equal(m->searcher, "random");
    /* the preset itself is not changed by a method's overrides */
    expect_json(hpolab_presets_find(&p, "ASHA")->scheduler_options,
                "{\"type\":\"promotion\"}");
    hpolab_study_free(s);

    assert_int_equal(load_text("{'benchmarks': {'b': {" BENCH_OK "}},"
                               " 'methods': ['RS', 'ASHA']}",
                               &s, &d, NULL),
                     HPOLAB_OK);
    assert_int_equal(hpolab_study_apply_presets(s, &p, &d), HPOLAB_OK);
    assert_int_equal(s->n_methods, 2);
    assert_string_equal(s->methods[0].name, "RS");
    assert_string_equal(s->methods[1].scheduler, "asha");
    assert_string_equal(s->methods[1].scheduler_where, "s.json: methods[1]");
    hpolab_study_free(s);
    hpolab_presets_free(&p);
}

static void test_study_method_errors(void **state)
{
    (void)state;
    make_script();
    struct hpolab_presets p;
    load_baselines(&p);
    struct hpolab_study *s = NULL;
    struct hpolab_diag d = {0};
    assert_int_equal(
        load_text("{'benchmarks': {'b': {" BENCH_OK "}}, 'methods': {"
                  " 'X': {'preset': 'ASHA', 'scheduler': 'asha'},"
                  " 'Y': {'preset': 3}, 'Z': 4}}",
                  &s, &d, NULL),
        HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d,
                 "s.json: methods.X: give either a preset or a scheduler and a "
                 "searcher, not both (a preset's options can be overridden with "
                 "scheduler_options and searcher_options)",
                 "s.json: methods.Y.preset: expected a preset name (e.g. \"RS\", "
                 "\"BO\", \"ASHA\", \"MOBSTER\"; see 'hpolab plugins --kind "
                 "preset'), got 3",
                 "s.json: methods.Z: expected a preset name or an object "
                 "{\"scheduler\", \"searcher\", \"scheduler_options\", "
                 "\"searcher_options\"} or {\"preset\", ...options}, got 4");
    hpolab_diag_free(&d);
    assert_int_equal(load_text("{'benchmarks': {'b': {" BENCH_OK "}},"
                               " 'methods': ['RS', 'RS', 5]}",
                               &s, &d, NULL),
                     HPOLAB_ERR_INVALID);
    EXPECT_LINES(&d, "s.json: methods[1]: method 'RS' is listed twice",
                 "s.json: methods[2]: expected a preset name, got 5");
    hpolab_diag_free(&d);
    assert_int_equal(load_text("{'benchmarks': {'b': {" BENCH_OK "}},"
                               " 'methods': {'M': 'ASHAA', 'N': 'RS'}}",
                               &s, &d, NULL),
                     HPOLAB_OK);
    assert_int_equal(hpolab_study_apply_presets(s, &p, &d), HPOLAB_ERR_NOT_FOUND);
    EXPECT_LINES(&d, "s.json: methods.M: no preset named 'ASHAA' (did you mean "
                     "'ASHA'?); available: RS, ASHA, BO");
    hpolab_diag_free(&d);
    assert_string_equal(method(s, "N")->scheduler, "fifo");
    hpolab_study_free(s);
    struct hpolab_presets none;
    hpolab_presets_init(&none);
    assert_int_equal(load_text("{'benchmarks': {'b': {" BENCH_OK "}},"
                               " 'methods': ['RS']}",
                               &s, &d, NULL),
                     HPOLAB_OK);
    assert_int_equal(hpolab_study_apply_presets(s, &none, &d), HPOLAB_ERR_NOT_FOUND);
    EXPECT_LINES(&d, "s.json: methods[0]: no preset named 'RS'; none is installed");
    hpolab_diag_free(&d);
    hpolab_study_free(s);
    hpolab_presets_free(&p);
}

#define T(f) cmocka_unit_test_setup_teardown(f, scratch_setup, scratch_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_file),
        T(test_bad_files),
        T(test_study_methods),
        T(test_study_method_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
