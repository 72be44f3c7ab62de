/* test_conformance.c: the conformance battery passes the built-in plugins
 * and catches each broken fixture (tests/plugin/fixtures) with the check
 * that names its fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "log.h"
#include "plugin_loader.h"
#include "registry.h"
#include "search_path.h"

/* Loads file (and the built-in plugins, for a scheduler's searcher), runs
 * the battery into r. */
static void run_file(const char *file, struct hpolab_check_report *r)
{
    struct hpolab_registry *reg = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_registry_create(&reg, &err), HPOLAB_OK);
    assert_int_equal(hpolab_loader_load_file(reg, file, &err), HPOLAB_OK);
    const struct hpolab_plugin *p = hpolab_registry_plugin_at(reg, 0);
    struct hpolab_search_path sp;
    assert_int_equal(hpolab_search_path_from(NULL, NULL, NULL,
                                             HPOLAB_TEST_PLUGIN_DIR, &sp, &err),
                     HPOLAB_OK);
    int32_t level = hpolab_log_level();
    hpolab_log_set_level(HPOLAB_LOG_ERROR);
    hpolab_loader_load_path(reg, &sp, &err);
    hpolab_log_set_level(level);
    hpolab_search_path_free(&sp);
    struct hpolab_conformance_options o = {0};
    hpolab_check_report_init(r);
    assert_int_equal(hpolab_conformance_run(reg, p, &o, r, &err), HPOLAB_OK);
    hpolab_registry_destroy(reg);
}

static int32_t verdict_of(const struct hpolab_check_report *r,
                          const char *name_part)
{
    for (size_t i = 0; i < r->n; i++)
        if (strstr(r->items[i].name, name_part))
            return r->items[i].verdict;
    fail_msg("no check named '%s'", name_part);
    return -1;
}

static void test_builtins_pass(void **state)
{
    (void)state;
    static const char *files[] = {"hpolab-searcher_random.so",
                                  "hpolab-scheduler_fifo.so",
                                  "hpolab-scheduler_asha.so",
                                  "hpolab-searcher_bayesopt.so",
                                  "hpolab-backend_local.so"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", HPOLAB_TEST_PLUGIN_DIR, files[i]);
        struct hpolab_check_report r;
        run_file(path, &r);
        assert_true(r.n >= 2);
        for (size_t k = 0; k < r.n; k++)
            if (r.items[k].verdict == HPOLAB_CHECK_FAIL)
                fail_msg("%s: %s: %s", files[i], r.items[k].name,
                         r.items[k].detail);
        hpolab_check_report_free(&r);
    }
}

static void expect(const char *file, const char *check, int32_t verdict,
                   const char *detail_part)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", HPOLAB_TEST_CFX_DIR, file);
    struct hpolab_check_report r;
    run_file(path, &r);
    assert_int_equal(verdict_of(&r, check), verdict);
    if (detail_part) {
        int found = 0;
        for (size_t i = 0; i < r.n; i++)
            found |= strstr(r.items[i].name, check) &&
                     strstr(r.items[i].detail, detail_part) != NULL;
        if (!found)
            fail_msg("%s: check '%s' does not mention '%s'", file, check,
                     detail_part);
    }
    hpolab_check_report_free(&r);
}

static void test_good_fixture_passes_everything(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/hpolab-searcher_cfx0.so",
             HPOLAB_TEST_CFX_DIR);
    struct hpolab_check_report r;
    run_file(path, &r);
    assert_int_equal(hpolab_check_count(&r, HPOLAB_CHECK_FAIL), 0);
    assert_int_equal(hpolab_check_count(&r, HPOLAB_CHECK_SKIP), 0);
    hpolab_check_report_free(&r);
}

static void test_searcher_faults_caught(void **state)
{
    (void)state;
    expect("hpolab-searcher_cfx1.so", "inside the space", HPOLAB_CHECK_FAIL,
           "lr");
    expect("hpolab-searcher_cfx2.so", "determinism", HPOLAB_CHECK_FAIL,
           "differ");
    expect("hpolab-searcher_cfx3.so", "carries a message", HPOLAB_CHECK_FAIL,
           "on_trial_complete");
    expect("hpolab-searcher_cfx4.so", "save -> restore", HPOLAB_CHECK_FAIL,
           "differ");
    expect("hpolab-searcher_cfx5.so", "inside the space", HPOLAB_CHECK_FAIL,
           "layers");
}

static void test_scheduler_faults_caught(void **state)
{
    (void)state;
    expect("hpolab-scheduler_cfx1.so", "allowed set", HPOLAB_CHECK_FAIL,
           "decision 7");
    expect("hpolab-scheduler_cfx2.so", "inside the space", HPOLAB_CHECK_FAIL,
           "expected the next id");
    expect("hpolab-scheduler_cfx3.so", "inside the space", HPOLAB_CHECK_FAIL,
           "not paused");
    /* No save/restore: skipped, not failed. */
    expect("hpolab-scheduler_cfx1.so", "save -> restore", HPOLAB_CHECK_SKIP,
           "not provided");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins_pass),
        cmocka_unit_test(test_good_fixture_passes_everything),
        cmocka_unit_test(test_searcher_faults_caught),
        cmocka_unit_test(test_scheduler_faults_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
