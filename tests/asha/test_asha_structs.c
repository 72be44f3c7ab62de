/* The data structures under the asha rung system, against simple
 * references on thousands of random operations: a rung (order-statistic
 * treap) against a sorted array with linear insertion, and the trial id map
 * against a linear list. Also: the treap stays shallow on sorted input, and
 * the rung system works with sparse and negative trial ids. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hpolab/types.h>

#include "asha_idmap.h"
#include "asha_rungs.h"

/* xorshift64*: the tests' own reproducible random numbers. */
static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return rnd_state * 2685821657736338717ULL;
}

static double rnd_unit(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* ---- rung against a sorted array --------------------------------------- */

struct ref_entry {
    int64_t id;
    double value;
    int promoted;
};

struct ref_rung {
    struct ref_entry *e;
    size_t n;
    int32_t mode;
};

/* Sort key: (class, x) compared lexicographically; numbers are class 0 with
 * x = value (min) or -value (max), NaN is class 1 (after every number). */
static int ref_less(int32_t mode, double a, double b)
{
    int ca = isnan(a), cb = isnan(b);
    if (ca != cb)
        return ca < cb;
    if (ca)
        return 0;
    double xa = mode == HPOLAB_MODE_MIN ? a : -a;
    double xb = mode == HPOLAB_MODE_MIN ? b : -b;
    return xa < xb;
}

/* After the last entry that is not worse (scan from the end). */
static void ref_insert(struct ref_rung *r, int64_t id, double y)
{
    size_t pos = r->n;
    while (pos > 0 && ref_less(r->mode, y, r->e[pos - 1].value))
        pos--;
    memmove(&r->e[pos + 1], &r->e[pos], (r->n - pos) * sizeof *r->e);
    r->e[pos] = (struct ref_entry){id, y, 0};
    r->n++;
}

static long ref_first_unpromoted(const struct ref_rung *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (!r->e[i].promoted)
            return (long)i;
    return -1;
}

/* numpy.quantile(values, q'), method "linear", spelled out on the sorted
 * array: q' = q (min) or 1 - q (max), values ascending. */
static double ref_cutoff(const struct ref_rung *r, double q)
{
    size_t n = r->n;
    double qq = r->mode == HPOLAB_MODE_MIN ? q : 1.0 - q;
    double h = (double)(n - 1) * qq;
    size_t i = (size_t)floor(h);
    size_t j = i + 1 < n ? i + 1 : n - 1;
    double a = r->mode == HPOLAB_MODE_MIN ? r->e[i].value
                                          : r->e[n - 1 - i].value;
    double b = r->mode == HPOLAB_MODE_MIN ? r->e[j].value
                                          : r->e[n - 1 - j].value;
    double t = h - floor(h), d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Many ties, some NaN and infinities, signed zeros. */
static double random_value(void)
{
    uint64_t k = rnd() % 100;
    if (k < 3)
        return NAN;
    if (k < 5)
        return (k & 1) ? INFINITY : -INFINITY;
    if (k < 8)
        return (k & 1) ? 0.0 : -0.0;
    if (k < 75)
        return 0.5 * (double)(rnd() % 40);
    return rnd_unit() * 20.0 - 5.0;
}

static void check_all(const struct asha_rung *r, const struct ref_rung *ref)
{
    for (size_t k = 0; k < ref->n; k++) {
        struct asha_entry got;
        assert_int_equal(asha_rung_entry(r, k, &got), 1);
        if (got.trial_id != ref->e[k].id ||
            !same_double(got.value, ref->e[k].value) ||
            got.promoted != ref->e[k].promoted)
            fail_msg("rank %zu: got (%lld, %g, %d), want (%lld, %g, %d)", k,
                     (long long)got.trial_id, got.value, got.promoted,
                     (long long)ref->e[k].id, ref->e[k].value,
                     ref->e[k].promoted);
    }
    struct asha_entry none;
    assert_int_equal(asha_rung_entry(r, ref->n, &none), 0);
}

static void random_rung(int32_t mode, int64_t max_t, size_t rung, int steps)
{
    struct asha_rungs rs;
    assert_int_equal(asha_rungs_init(&rs, mode, 1, 1, 3, max_t, 1, NULL, 0),
                     ASHA_OK);
    struct asha_rung *r = &rs.rungs[rung];
    struct ref_rung ref = {calloc((size_t)steps, sizeof *ref.e), 0, mode};
    assert_non_null(ref.e);
    int64_t next_id = 0;
    for (int step = 0; step < steps; step++) {
        if (rnd() % 4 != 0) {
            double y = random_value();
            assert_int_equal(asha_rung_insert(&rs, r, next_id, y, 0), ASHA_OK);
            ref_insert(&ref, next_id, y);
            next_id++;
        } else {
            long first = ref_first_unpromoted(&ref);
            asha_rung_promote_first(r);
            if (first >= 0)
                ref.e[first].promoted = 1;
        }
        assert_int_equal(r->n, ref.n);
        size_t rank = 0;
        struct asha_entry got;
        long first = ref_first_unpromoted(&ref);
        int found = asha_rung_first_unpromoted(r, &rank, &got);
        assert_int_equal(found, first >= 0);
        if (found) {
            assert_int_equal(rank, (size_t)first);
            assert_int_equal(got.trial_id, ref.e[first].id);
            assert_int_equal(got.promoted, 0);
        }
        double c = 0.0;
        assert_int_equal(asha_rung_cutoff(&rs, r, &c), ref.n >= 2);
        if (ref.n >= 2 && !same_double(c, ref_cutoff(&ref, r->quantile)))
            fail_msg("step %d: cutoff %.17g, want %.17g", step, c,
                     ref_cutoff(&ref, r->quantile));
        if (ref.n) {
            size_t k = (size_t)(rnd() % ref.n);
            assert_int_equal(asha_rung_entry(r, k, &got), 1);
            assert_int_equal(got.trial_id, ref.e[k].id);
        }
        if (step % 500 == 0 || step == steps - 1)
            check_all(r, &ref);
    }
    free(ref.e);
    asha_rungs_free(&rs);
}

static void test_rung_random_min(void **state)
{
    (void)state;
    random_rung(HPOLAB_MODE_MIN, 27, 0, 6000);   /* q = 1/3 */
    random_rung(HPOLAB_MODE_MIN, 100, 4, 3000);  /* q = 0.81 */
}

static void test_rung_random_max(void **state)
{
    (void)state;
    random_rung(HPOLAB_MODE_MAX, 27, 1, 6000);
    random_rung(HPOLAB_MODE_MAX, 200, 4, 3000); /* q = 0.405 */
}

/* Every entry promoted: no first unpromoted entry; promoting again is a
 * no-op. */
static void test_rung_all_promoted(void **state)
{
    (void)state;
    struct asha_rungs rs;
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 1, 1, 3, 27, 1,
                                     NULL, 0),
                     ASHA_OK);
    struct asha_rung *r = &rs.rungs[0];
    size_t rank;
    struct asha_entry e;
    asha_rung_promote_first(r); /* empty */
    assert_int_equal(asha_rung_first_unpromoted(r, &rank, &e), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(asha_rung_insert(&rs, r, i, (double)(3 - i), 0),
                         ASHA_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(asha_rung_first_unpromoted(r, &rank, &e), 1);
        assert_int_equal(rank, (size_t)i);
        assert_int_equal(e.trial_id, 2 - i);
        asha_rung_promote_first(r);
    }
    assert_int_equal(asha_rung_first_unpromoted(r, &rank, &e), 0);
    asha_rung_promote_first(r);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(asha_rung_entry(r, k, &e), 1);
        assert_int_equal(e.promoted, 1);
    }
    asha_rungs_free(&rs);
}

static size_t depth(const struct asha_node *nd, uint32_t t)
{
    if (!t)
        return 0;
    size_t l = depth(nd, nd[t].left), r = depth(nd, nd[t].right);
    return 1 + (l > r ? l : r);
}

/* Sorted input degenerates an unbalanced search tree into a list; the
 * treap stays within a small multiple of log2(n). */
static void test_rung_depth_sorted_input(void **state)
{
    (void)state;
    struct asha_rungs rs;
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 0, 1, 3, 27, 1,
                                     NULL, 0),
                     ASHA_OK);
    const int n = 100000;
    for (int i = 0; i < n; i++)
        assert_int_equal(asha_rung_insert(&rs, &rs.rungs[0], i, (double)i, 0),
                         ASHA_OK);
    for (int i = 0; i < n; i++) /* all equal: ties go last as well */
        assert_int_equal(asha_rung_insert(&rs, &rs.rungs[1], i, 1.0, 0),
                         ASHA_OK);
    size_t d0 = depth(rs.rungs[0].nodes, rs.rungs[0].root);
    size_t d1 = depth(rs.rungs[1].nodes, rs.rungs[1].root);
    print_message("treap depth for %d sorted inserts: %zu and %zu\n", n, d0,
                  d1);
    assert_true(d0 <= 4 * 17);
    assert_true(d1 <= 4 * 17);
    struct asha_entry e;
    assert_int_equal(asha_rung_entry(&rs.rungs[0], 12345, &e), 1);
    assert_int_equal(e.trial_id, 12345);
    assert_int_equal(asha_rung_entry(&rs.rungs[1], 54321, &e), 1);
    assert_int_equal(e.trial_id, 54321);
    asha_rungs_free(&rs);
}

/* ---- id map against a list --------------------------------------------- */

struct ref_map {
    int64_t *keys;
    size_t *values;
    size_t n;
};

static long ref_find(const struct ref_map *m, int64_t key)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->keys[i] == key)
            return (long)i;
    return -1;
}

/* kind 0: dense in order; 1: dense shuffled; 2: sparse and negative;
 * 3: a mix of all. */
static int64_t random_key(int kind, int64_t i)
{
    switch (kind) {
    case 0: return i;
    case 1: return (int64_t)(rnd() % 4000);
    case 2: return (int64_t)rnd();
    default:
        switch (rnd() % 4) {
        case 0: return i;
        case 1: return -(int64_t)(rnd() % 100) - 1;
        case 2: return (int64_t)(rnd() % 300);
        default: return (int64_t)(rnd() % 1000000) + 5000;
        }
    }
}

static void random_map(int kind)
{
    const size_t steps = 3000;
    struct asha_idmap m;
    asha_idmap_init(&m);
    struct ref_map ref = {calloc(steps, sizeof *ref.keys),
                          calloc(steps, sizeof *ref.values), 0};
    assert_non_null(ref.keys);
    assert_non_null(ref.values);
    for (size_t i = 0; i < steps; i++) {
        int64_t key = random_key(kind, (int64_t)i);
        size_t value = (size_t)(rnd() % 1000000);
        assert_int_equal(asha_idmap_put(&m, key, value), ASHA_OK);
        long at = ref_find(&ref, key);
        if (at < 0) {
            ref.keys[ref.n] = key;
            ref.values[ref.n++] = value;
        } else {
            ref.values[at] = value;
        }
        assert_int_equal(m.count, ref.n);
        /* a present key, and a key that may be absent */
        size_t got = 0;
        size_t j = (size_t)(rnd() % ref.n);
        assert_int_equal(asha_idmap_get(&m, ref.keys[j], &got), 1);
        assert_int_equal(got, ref.values[j]);
        int64_t probe = random_key(kind, (int64_t)(rnd() % (i + 2)));
        at = ref_find(&ref, probe);
        assert_int_equal(asha_idmap_get(&m, probe, &got), at >= 0);
        if (at >= 0)
            assert_int_equal(got, ref.values[at]);
    }
    for (size_t j = 0; j < ref.n; j++) {
        size_t got = 0;
        assert_int_equal(asha_idmap_get(&m, ref.keys[j], &got), 1);
        assert_int_equal(got, ref.values[j]);
    }
    /* the direct table stays proportional to the number of entries */
    assert_true(m.dense_len <= 4 * ref.n + 128);
    free(ref.keys);
    free(ref.values);
    asha_idmap_free(&m);
}

static void test_idmap_random(void **state)
{
    (void)state;
    for (int kind = 0; kind < 4; kind++)
        random_map(kind);
}

/* The rung system with trial ids that are not 0, 1, 2, ... */
static void test_rungs_sparse_ids(void **state)
{
    (void)state;
    struct asha_rungs rs;
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 1, 1, 3, 27, 1,
                                     NULL, 0),
                     ASHA_OK);
    const int64_t ids[] = {1000000007, -3, 5, INT64_MIN, INT64_MAX, 0};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(asha_rungs_add_trial(&rs, ids[i], 0), ASHA_OK);
    for (size_t i = 0; i < 6; i++) {
        int32_t d;
        int used, jumped;
        assert_int_equal(asha_rungs_on_report(&rs, ids[i], 1, (double)i, &d,
                                              &used, &jumped),
                         ASHA_OK);
        assert_int_equal(d, HPOLAB_DECISION_PAUSE);
        assert_int_equal(asha_rungs_trial(&rs, ids[i])->in_rungs, 1);
    }
    assert_null(asha_rungs_trial(&rs, 6));
    assert_null(asha_rungs_trial(&rs, -4));
    /* {0..5}: cutoff 5/3, so the first two are promoted in order */
    int64_t got = 0;
    assert_int_equal(asha_rungs_promote(&rs, &got), 1);
    assert_int_equal(got, ids[0]);
    assert_int_equal(asha_rungs_promote(&rs, &got), 1);
    assert_int_equal(got, ids[1]);
    assert_int_equal(asha_rungs_promote(&rs, &got), 0);
    assert_int_equal(asha_rungs_trial(&rs, ids[1])->milestone, 3);
    asha_rungs_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rung_random_min),
        cmocka_unit_test(test_rung_random_max),
        cmocka_unit_test(test_rung_all_promoted),
        cmocka_unit_test(test_rung_depth_sorted_input),
        cmocka_unit_test(test_idmap_random),
        cmocka_unit_test(test_rungs_sparse_ids),
    };
    return cmocka_run_group_tests_name("asha_structs", tests, NULL, NULL);
}
