/* Stop criteria (framework reference §2.6): each limit alone, strictness,
 * metric thresholds and the time left until max_wallclock_time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stop_criterion.h"

static struct hpolab_tuning_status zero_status(void)
{
    struct hpolab_tuning_status s = {0};
    return s;
}

static void test_nothing_set_never_fires(void **state)
{
    struct hpolab_stop_criterion sc;
    hpolab_stop_criterion_init(&sc);
    struct hpolab_tuning_status s = zero_status();
    s.wallclock_time = 1e9;
    s.num_evaluations = 1000000;
    s.num_trials_started = 100000;
    const char *why = "x";
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 0);
    assert_null(why);
    assert_true(hpolab_stop_criterion_time_left(&sc, 5.0) < 0);
    hpolab_stop_criterion_free(&sc);
}

/* Each count limit fires only when strictly exceeded. */
static void test_counts_are_strict(void **state)
{
    struct {
        const char *name;
        size_t offset_limit;  /* in the criterion */
        size_t offset_count;  /* in the status */
    } cases[] = {
        {"max_num_evaluations", offsetof(struct hpolab_stop_criterion, max_num_evaluations), offsetof(struct hpolab_tuning_status, num_evaluations)},
        {"max_num_trials_started", offsetof(struct hpolab_stop_criterion, max_num_trials_started), offsetof(struct hpolab_tuning_status, num_trials_started)},
        {"max_num_trials_completed", offsetof(struct hpolab_stop_criterion, max_num_trials_completed), offsetof(struct hpolab_tuning_status, num_trials_completed)},
        {"max_num_trials_finished", offsetof(struct hpolab_stop_criterion, max_num_trials_finished), offsetof(struct hpolab_tuning_status, num_trials_finished)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hpolab_stop_criterion sc;
        hpolab_stop_criterion_init(&sc);
        *(int64_t *)((char *)&sc + cases[i].offset_limit) = 10;
        struct hpolab_tuning_status s = zero_status();
        int64_t *count = (int64_t *)((char *)&s + cases[i].offset_count);
        const char *why = NULL;
        *count = 10;
        assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 0);
        *count = 11;
        assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 1);
        assert_string_equal(why, cases[i].name);
        hpolab_stop_criterion_free(&sc);
    }
}

static void test_wallclock_and_cost(void **state)
{
    struct hpolab_stop_criterion sc;
    hpolab_stop_criterion_init(&sc);
    sc.max_wallclock_time = 30.0;
    struct hpolab_tuning_status s = zero_status();
    const char *why;
    s.wallclock_time = 30.0;
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 0);
    assert_true(hpolab_stop_criterion_time_left(&sc, 12.5) == 17.5);
    assert_true(hpolab_stop_criterion_time_left(&sc, 40.0) == 0.0);
    s.wallclock_time = 30.001;
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 1);
    assert_string_equal(why, "max_wallclock_time");
    hpolab_stop_criterion_free(&sc);

    hpolab_stop_criterion_init(&sc);
    sc.max_cost = 2.5;
    s = zero_status();
    s.cost = 2.5;
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 0);
    s.cost = 2.6;
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 1);
    assert_string_equal(why, "max_cost");
    hpolab_stop_criterion_free(&sc);
}

static void test_metric_thresholds(void **state)
{
    struct hpolab_stop_criterion sc;
    hpolab_stop_criterion_init(&sc);
    assert_int_equal(hpolab_stop_criterion_add_metric(&sc, 0, "loss", 0.5), 0);
    assert_int_equal(hpolab_stop_criterion_add_metric(&sc, 1, "acc", 0.9), 0);
    struct hpolab_tuning_status s = zero_status();
    const char *why;
    /* nothing seen yet: never fires */
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 0);

    struct hpolab_record r;
    hpolab_record_init(&r);
    hpolab_record_set_double(&r, "loss", 0.5);  /* not strictly below */
    hpolab_record_set_double(&r, "acc", 0.9);   /* not strictly above */
    hpolab_stop_criterion_observe(&sc, &r);
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 0);

    hpolab_record_set_double(&r, "loss", 0.7);
    hpolab_record_set_double(&r, "acc", 0.91);
    hpolab_stop_criterion_observe(&sc, &r);
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 1);
    assert_string_equal(why, "max_metric_value");
    hpolab_record_free(&r);
    hpolab_stop_criterion_free(&sc);

    /* the running min keeps the lowest value seen */
    hpolab_stop_criterion_init(&sc);
    hpolab_stop_criterion_add_metric(&sc, 0, "loss", 0.5);
    hpolab_record_init(&r);
    hpolab_record_set_double(&r, "loss", 0.4);
    hpolab_stop_criterion_observe(&sc, &r);
    hpolab_record_set_double(&r, "loss", 0.9);
    hpolab_stop_criterion_observe(&sc, &r);
    assert_int_equal(hpolab_stop_criterion_fires(&sc, &s, &why), 1);
    assert_string_equal(why, "min_metric_value");
    hpolab_record_free(&r);
    hpolab_stop_criterion_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_set_never_fires),
        cmocka_unit_test(test_counts_are_strict),
        cmocka_unit_test(test_wallclock_and_cost),
        cmocka_unit_test(test_metric_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
