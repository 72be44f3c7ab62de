/* The simulator's event queue: events come out by time, ties in push order,
 * also when pushes and pops interleave. Checked against a sort of the same
 * events. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sim_queue.h"

static void test_ties_keep_push_order(void **state)
{
    (void)state;
    struct sim_queue q;
    sim_queue_init(&q);
    const double times[] = {3.0, 1.0, 3.0, 2.0, 1.0, 3.0};
    for (int i = 0; i < 6; i++) {
        struct sim_event e = {.time = times[i], .trial_id = i};
        assert_int_equal(sim_queue_push(&q, &e), 0);
    }
    const int64_t want[] = {1, 4, 3, 0, 2, 5};
    for (int i = 0; i < 6; i++) {
        const struct sim_event *top = sim_queue_peek(&q);
        assert_non_null(top);
        assert_int_equal(top->trial_id, want[i]);
        struct sim_event e;
        assert_int_equal(sim_queue_pop(&q, &e), 0);
        assert_int_equal(e.trial_id, want[i]);
    }
    assert_null(sim_queue_peek(&q));
    assert_int_equal(sim_queue_pop(&q, NULL), -1);
    sim_queue_free(&q);
}

struct ref {
    double time;
    uint64_t order;
};

static int cmp_ref(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void test_random_interleaving_matches_sort(void **state)
{
    (void)state;
    struct sim_queue q;
    sim_queue_init(&q);
    struct ref pending[4096];
    size_t n_pending = 0;
    uint64_t pushed = 0;
    srand(12345);
    for (int step = 0; step < 20000; step++) {
        if (n_pending < 1000 && (rand() % 3 != 0 || n_pending == 0)) {
            /* few distinct times: many ties */
            struct sim_event e = {.time = (double)(rand() % 50),
                                  .trial_id = (int64_t)pushed};
            assert_int_equal(sim_queue_push(&q, &e), 0);
            pending[n_pending++] = (struct ref){e.time, pushed++};
        } else {
            qsort(pending, n_pending, sizeof *pending, cmp_ref);
            struct sim_event e;
            assert_int_equal(sim_queue_pop(&q, &e), 0);
            assert_true(e.time == pending[0].time);
            assert_int_equal((uint64_t)e.trial_id, pending[0].order);
            memmove(pending, pending + 1, --n_pending * sizeof *pending);
        }
        assert_int_equal(q.count, n_pending);
    }
    sim_queue_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ties_keep_push_order),
        cmocka_unit_test(test_random_interleaving_matches_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
