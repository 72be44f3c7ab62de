/* The asha scheduler: rung levels, cut-offs, the worked example of
 * schedulers reference §4.7, report traces of both types (min and max, one
 * and several brackets) on asha_rungs.c compiled in; and the built plugin
 * loaded through the real loader, driven with the random searcher in the
 * harness of §7.4 (per-seed best values of Syne Tune 0.13.0). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "space_fixture.h"

#include "asha_rungs.h"
#include "config.h"
#include "ctx.h"
#include "options.h"
#include "plugin_loader.h"
#include "rng.h"
#include "registry.h"
#include "space.h"

#define CONT HPOLAB_DECISION_CONTINUE
#define PAUSE HPOLAB_DECISION_PAUSE
#define STOP HPOLAB_DECISION_STOP

/* ---- rung levels and cut-offs ------------------------------------------ */

static void expect_levels(int64_t r_min, double eta, int64_t max_t,
                          const int64_t *want, size_t n_want)
{
    int64_t *got = NULL;
    size_t n = 0;
    assert_int_equal(asha_rung_levels(r_min, eta, max_t, &got, &n), ASHA_OK);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
    free(got);
}

static void test_levels(void **state)
{
    (void)state;
    const int64_t l27[] = {1, 3, 9}, l81[] = {1, 3, 9, 27},
                  l100[] = {1, 3, 9, 27, 81}, l1[] = {1},
                  l25[] = {1, 2, 6, 16, 39, 98};
    expect_levels(1, 3, 27, l27, 3);
    expect_levels(1, 3, 81, l81, 4);
    expect_levels(1, 3, 100, l100, 5);
    expect_levels(1, 3, 200, l100, 5);
    expect_levels(1, 3, 10, l27, 3);
    expect_levels(1, 3, 2, l1, 1);
    expect_levels(1, 3, 3, l1, 1);
    expect_levels(1, 2.5, 100, l25, 6);
    int64_t *got = NULL;
    size_t n = 0;
    assert_int_equal(asha_rung_levels(5, 3, 5, &got, &n), ASHA_ERR_INVALID);
    assert_int_equal(asha_rung_levels(1, 1.5, 5, &got, &n), ASHA_ERR_INVALID);
}

static void test_quantiles(void **state)
{
    (void)state;
    struct asha_rungs rs;
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 0, 1, 3, 200, 1,
                                     NULL, 0),
                     ASHA_OK);
    assert_int_equal(rs.num_rungs, 5);
    assert_true(rs.rungs[0].quantile == 1.0 / 3.0);
    assert_true(rs.rungs[3].quantile == 27.0 / 81.0);
    assert_true(rs.rungs[4].quantile == 0.405);
    asha_rungs_free(&rs);
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 0, 1, 3, 100, 1,
                                     NULL, 0),
                     ASHA_OK);
    assert_true(rs.rungs[4].quantile == 0.81);
    asha_rungs_free(&rs);
}

static void test_init_errors(void **state)
{
    (void)state;
    struct asha_rungs rs;
    char msg[128];
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 0, 1, 1.5, 27, 1,
                                     msg, sizeof msg),
                     ASHA_ERR_INVALID);
    assert_string_equal(msg, "reduction_factor must be >= 2, got 1.5");
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 0, 27, 3, 27, 1,
                                     msg, sizeof msg),
                     ASHA_ERR_INVALID);
    assert_non_null(strstr(msg, "grace_period"));
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 0, 1, 3, 27, 0,
                                     msg, sizeof msg),
                     ASHA_ERR_INVALID);
    assert_non_null(strstr(msg, "brackets"));
}

/* ---- traces ------------------------------------------------------------- */

/* sign = -1 runs a min-mode trace in max mode with negated values: every
 * decision and promotion must be the same. */
struct trace {
    struct asha_rungs rs;
    double sign;
    int keep; /* 1: the tuner has not yet removed the trial after rep */
};

static void trace_init(struct trace *t, int promotion, double sign,
                       int64_t brackets)
{
    t->sign = sign;
    t->keep = 0;
    assert_int_equal(asha_rungs_init(&t->rs,
                                     sign > 0 ? HPOLAB_MODE_MIN
                                              : HPOLAB_MODE_MAX,
                                     promotion, 1, 3, 27, brackets, NULL, 0),
                     ASHA_OK);
}

static void add(struct trace *t, int64_t id, size_t bracket)
{
    assert_int_equal(asha_rungs_add_trial(&t->rs, id, bracket), ASHA_OK);
}

/* Report and check the decision and whether the report counted. */
static void rep(struct trace *t, int64_t id, int64_t r, double y,
                int32_t want, int want_used)
{
    int32_t d = -1;
    int used = -1, jumped = -1;
    assert_int_equal(
        asha_rungs_on_report(&t->rs, id, r, t->sign * y, &d, &used, &jumped),
        ASHA_OK);
    assert_int_equal(d, want);
    assert_int_equal(used, want_used);
    if (d != CONT && !t->keep)
        asha_rungs_on_remove(&t->rs, id);
}

/* The next promotion: want = trial id, or -1 for none. */
static void promote(struct trace *t, int64_t want, int64_t want_milestone,
                    int64_t want_from)
{
    int64_t got = -1;
    int p = asha_rungs_promote(&t->rs, &got);
    assert_int_equal(p ? got : -1, want);
    if (p) {
        struct asha_trial *tr = asha_rungs_trial(&t->rs, got);
        assert_int_equal(tr->milestone, want_milestone);
        assert_int_equal(tr->resume_from, want_from);
        assert_int_equal(tr->decision, CONT);
    }
}

static void cutoff_is(struct trace *t, size_t rung, double want)
{
    double c = 0;
    assert_int_equal(asha_rung_cutoff(&t->rs, &t->rs.rungs[rung], &c), 1);
    assert_true(fabs(c - t->sign * want) < 1e-9);
}

/* §4.7 exactly: promotion, rungs [1,3,9], max_t 27. */
static void worked_example(double sign)
{
    struct trace t;
    trace_init(&t, 1, sign, 1);
    add(&t, 0, 0);
    rep(&t, 0, 1, 53.0, PAUSE, 1);
    promote(&t, -1, 0, 0); /* rung 1 has 1 entry */
    add(&t, 1, 0);
    rep(&t, 1, 1, 85.2, PAUSE, 1);
    cutoff_is(&t, 0, 53.0 + (85.2 - 53.0) / 3.0); /* 63.7 */
    promote(&t, 0, 3, 1);
    rep(&t, 0, 2, 40.0, CONT, 1);
    rep(&t, 0, 3, 33.0, PAUSE, 1);
    promote(&t, -1, 0, 0); /* rung 3: 1 entry; t1 85.2 > 63.7 */
    add(&t, 2, 0);
    rep(&t, 2, 1, 29.9, PAUSE, 1);
    cutoff_is(&t, 0, 29.9 + (2.0 / 3.0) * (53.0 - 29.9)); /* 45.3 */
    promote(&t, 2, 3, 1);
    rep(&t, 2, 2, 20.0, CONT, 1);
    rep(&t, 2, 3, 9.9, PAUSE, 1);
    cutoff_is(&t, 1, 9.9 + (33.0 - 9.9) / 3.0); /* 17.6 */
    promote(&t, 2, 9, 3);
    asha_rungs_free(&t.rs);
}

static void test_worked_example_min(void **state)
{
    (void)state;
    worked_example(1.0);
}

static void test_worked_example_max(void **state)
{
    (void)state;
    worked_example(-1.0);
}

static void stopping_trace(double sign)
{
    struct trace t;
    trace_init(&t, 0, sign, 1);
    for (int64_t i = 0; i < 5; i++)
        add(&t, i, 0);
    rep(&t, 0, 1, 5.0, CONT, 1);  /* first entry always continues */
    t.keep = 1;
    rep(&t, 1, 1, 7.0, STOP, 1); /* cutoff 5.667 */
    rep(&t, 1, 2, 1.0, STOP, 0); /* stopped: ignored */
    t.keep = 0;
    asha_rungs_on_remove(&t.rs, 1);
    rep(&t, 1, 3, 1.0, PAUSE, 0); /* removed: the quirk of §4.4 */
    rep(&t, 2, 1, 5.0, CONT, 1);  /* tie with cutoff 5 continues */
    rep(&t, 3, 1, 6.0, STOP, 1);  /* {5,5,6,7}: cutoff 5 */
    assert_int_equal(t.rs.rungs[0].n, 4);
    rep(&t, 0, 2, 4.5, CONT, 1); /* between rungs */
    rep(&t, 0, 3, 4.0, CONT, 1);
    rep(&t, 0, 9, 3.0, CONT, 1);
    rep(&t, 2, 3, 4.5, STOP, 1); /* {4, 4.5}: cutoff 4.1667 */
    rep(&t, 0, 27, 2.0, STOP, 1); /* max_t ends the trial */
    assert_int_equal(t.rs.rungs[2].n, 1);
    /* t4 first reports at 2, jumping over rung 1, then at 4, jumping over
     * rung 3: warned about, nothing recorded, CONTINUE */
    int32_t d;
    int used, jumped;
    assert_int_equal(asha_rungs_on_report(&t.rs, 4, 2, sign * 0.0, &d, &used,
                                          &jumped),
                     ASHA_OK);
    assert_int_equal(d, CONT);
    assert_int_equal(jumped, 1);
    assert_int_equal(asha_rungs_on_report(&t.rs, 4, 4, sign * 0.0, &d, &used,
                                          &jumped),
                     ASHA_OK);
    assert_int_equal(d, CONT);
    assert_int_equal(jumped, 1);
    assert_int_equal(t.rs.rungs[1].n, 2);
    assert_int_equal(t.rs.rungs[0].n, 4);
    rep(&t, 4, 9, 100.0, STOP, 1); /* {3, 100}: cutoff 35.3 */
    rep(&t, 4, 10, 0.0, PAUSE, 0);
    assert_int_equal(asha_rungs_on_report(&t.rs, 99, 1, 0.0, &d, &used,
                                          &jumped),
                     ASHA_ERR_UNKNOWN);
    asha_rungs_free(&t.rs);
}

static void test_stopping_min(void **state)
{
    (void)state;
    stopping_trace(1.0);
}

static void test_stopping_max(void **state)
{
    (void)state;
    stopping_trace(-1.0);
}

static void promotion_trace(double sign)
{
    struct trace t;
    trace_init(&t, 1, sign, 1);
    for (int64_t i = 0; i < 4; i++) {
        add(&t, i, 0);
        rep(&t, i, 1, 10.0 + (double)i, PAUSE, 1);
    }
    /* {10,11,12,13}: cutoff 11; 10 and 11 promotable, never 12 */
    promote(&t, 0, 3, 1);
    rep(&t, 0, 1, 10.0, CONT, 0); /* replay of a resumed job is ignored */
    rep(&t, 0, 3, 5.0, PAUSE, 1);
    promote(&t, 1, 3, 1);
    rep(&t, 1, 3, 6.0, PAUSE, 1);
    /* rung 3 {5,6}: cutoff 5.33, t0 goes to 9 before rung 1 is looked at */
    promote(&t, 0, 9, 3);
    rep(&t, 0, 9, 1.0, PAUSE, 1);
    promote(&t, -1, 0, 0);
    add(&t, 4, 0);
    rep(&t, 4, 1, 9.0, PAUSE, 1);
    /* {9,10*,11*,12,13}: cutoff 10.33, t4 promotable */
    promote(&t, 4, 3, 1);
    rep(&t, 4, 3, 0.5, PAUSE, 1);
    /* rung 9 {1} alone; rung 3 {0.5,5*,6*}: cutoff 3.83 */
    promote(&t, 4, 9, 3);
    rep(&t, 4, 9, 0.1, PAUSE, 1);
    /* rung 9 {0.1, 1*}: cutoff 0.4; top rung promotes to max_t */
    promote(&t, 4, 27, 9);
    rep(&t, 4, 20, 0.05, CONT, 1);
    rep(&t, 4, 27, 0.01, STOP, 1);
    promote(&t, -1, 0, 0);
    /* a report beyond the milestone is refused */
    add(&t, 5, 0);
    int32_t d;
    int used, jumped;
    assert_int_equal(asha_rungs_on_report(&t.rs, 5, 2, 0.0, &d, &used,
                                          &jumped),
                     ASHA_ERR_MILESTONE);
    asha_rungs_free(&t.rs);
}

static void test_promotion_min(void **state)
{
    (void)state;
    promotion_trace(1.0);
}

static void test_promotion_max(void **state)
{
    (void)state;
    promotion_trace(-1.0);
}

static void test_bracket_distribution(void **state)
{
    (void)state;
    struct asha_rungs rs;
    /* rungs [1,3,9], max_t 27: p ∝ 4/(4·1), 4/(3·3), 4/(2·9), 4/(1·27)
     * = 27, 12, 6, 4 (/49); 10 brackets are clipped to K+1 = 4. */
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 0, 1, 3, 27, 10,
                                     NULL, 0),
                     ASHA_OK);
    assert_int_equal(rs.num_brackets, 4);
    assert_true(fabs(rs.bracket_cdf[0] - 27.0 / 49) < 1e-12);
    assert_true(fabs(rs.bracket_cdf[1] - 39.0 / 49) < 1e-12);
    assert_true(fabs(rs.bracket_cdf[2] - 45.0 / 49) < 1e-12);
    assert_true(rs.bracket_cdf[3] == 1.0);
    assert_int_equal(asha_rungs_bracket(&rs, 0.0), 0);
    assert_int_equal(asha_rungs_bracket(&rs, 0.55), 0);
    /* searchsorted(side='right'): u equal to a cdf value goes up */
    assert_int_equal(asha_rungs_bracket(&rs, rs.bracket_cdf[0]), 1);
    assert_int_equal(asha_rungs_bracket(&rs, 0.56), 1);
    assert_int_equal(asha_rungs_bracket(&rs, 0.8), 2);
    assert_int_equal(asha_rungs_bracket(&rs, 0.95), 3);
    assert_int_equal(asha_rungs_first_milestone(&rs, 0), 1);
    assert_int_equal(asha_rungs_first_milestone(&rs, 2), 9);
    assert_int_equal(asha_rungs_first_milestone(&rs, 3), 27);
    asha_rungs_free(&rs);
    assert_int_equal(asha_rungs_init(&rs, HPOLAB_MODE_MIN, 0, 1, 3, 27, 2,
                                     NULL, 0),
                     ASHA_OK);
    assert_int_equal(rs.num_brackets, 2);
    assert_true(fabs(rs.bracket_cdf[0] - 27.0 / 39) < 1e-12);
    asha_rungs_free(&rs);
}

static void brackets_stopping(double sign)
{
    struct trace t;
    trace_init(&t, 0, sign, 3);
    add(&t, 0, 0);
    add(&t, 1, 1); /* skips rung 1 */
    add(&t, 2, 2); /* skips rungs 1 and 3 */
    rep(&t, 0, 1, 5.0, CONT, 1);
    rep(&t, 1, 1, 9.0, CONT, 1); /* would stop in bracket 0 */
    rep(&t, 2, 1, 9.0, CONT, 1);
    assert_int_equal(t.rs.rungs[0].n, 1);
    rep(&t, 1, 3, 4.0, CONT, 1);
    rep(&t, 2, 3, 3.0, CONT, 1);
    assert_int_equal(t.rs.rungs[1].n, 1);
    rep(&t, 0, 3, 5.0, STOP, 1); /* shared rung 3 {4,5}: cutoff 4.33 */
    rep(&t, 2, 9, 3.0, CONT, 1);
    rep(&t, 1, 9, 3.5, STOP, 1);
    asha_rungs_free(&t.rs);
}

static void test_brackets_stopping_min(void **state)
{
    (void)state;
    brackets_stopping(1.0);
}

static void test_brackets_stopping_max(void **state)
{
    (void)state;
    brackets_stopping(-1.0);
}

static void test_brackets_promotion(void **state)
{
    (void)state;
    struct trace t;
    trace_init(&t, 1, 1.0, 3);
    add(&t, 0, 1);
    assert_int_equal(asha_rungs_trial(&t.rs, 0)->milestone, 3);
    rep(&t, 0, 1, 8.0, CONT, 1);
    rep(&t, 0, 3, 7.0, PAUSE, 1);
    assert_int_equal(t.rs.rungs[0].n, 0);
    add(&t, 1, 0);
    rep(&t, 1, 1, 1.0, PAUSE, 1);
    promote(&t, -1, 0, 0); /* every rung has one entry */
    add(&t, 2, 1);
    rep(&t, 2, 3, 6.0, PAUSE, 1);
    promote(&t, 2, 9, 3);
    add(&t, 3, 2);
    assert_int_equal(asha_rungs_trial(&t.rs, 3)->milestone, 9);
    rep(&t, 3, 9, 2.0, PAUSE, 1);
    rep(&t, 2, 9, 3.0, PAUSE, 1);
    promote(&t, 3, 27, 9);
    asha_rungs_free(&t.rs);
}

/* ---- the plugin through the real loader -------------------------------- */

struct fixture {
    struct hpolab_registry *reg;
    const struct hpolab_scheduler_class *cls;
};

static int setup(void **state)
{
    static struct fixture f;
    struct hpolab_error err = {0};
    const struct hpolab_component *comp;
    if (hpolab_registry_create(&f.reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_file(f.reg,
                                HPOLAB_TEST_PLUGIN_DIR
                                "/hpolab-scheduler_asha.so",
                                &err) != HPOLAB_OK ||
        hpolab_loader_load_file(f.reg,
                                HPOLAB_TEST_PLUGIN_DIR
                                "/hpolab-searcher_random.so",
                                &err) != HPOLAB_OK ||
        hpolab_registry_require(f.reg, HPOLAB_KIND_SCHEDULER, "asha", &comp,
                                &err) != HPOLAB_OK) {
        print_error("%s\n", err.message);
        return -1;
    }
    f.cls = &comp->cls.scheduler;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    hpolab_registry_destroy(f->reg);
    return 0;
}

struct inst {
    const struct hpolab_scheduler_class *cls;
    struct hpolab_ctx ctx;
    struct hpolab_options *opts;
    struct hpolab_scheduler_args args;
    void *state;
};

static int32_t inst_create(struct inst *in, const struct fixture *f,
                           const struct hpolab_space *space, uint32_t seed,
                           const char *options, const char *resource_attr,
                           const char *max_resource_attr)
{
    memset(in, 0, sizeof *in);
    in->cls = f->cls;
    hpolab_ctx_init(&in->ctx, "scheduler", "asha", f->reg);
    if (options) {
        json_t *o = json_loads(options, 0, NULL);
        assert_int_equal(hpolab_options_create(o, "opts", &in->opts, NULL),
                         HPOLAB_OK);
        json_decref(o);
    }
    in->args = (struct hpolab_scheduler_args){
        .struct_size = sizeof in->args,
        .space = space,
        .metric = "y",
        .mode = HPOLAB_MODE_MIN,
        .random_seed = seed,
        .resource_attr = resource_attr,
        .max_resource_attr = max_resource_attr,
        .n_workers = 1,
        .searcher = "random",
        .options = in->opts,
    };
    return in->cls->create(&in->ctx, &in->args, &in->state);
}

static void inst_destroy(struct inst *in)
{
    if (in->state)
        in->cls->destroy(in->state);
    hpolab_options_free(in->opts);
}

static double branin(double x1, double x2)
{
    const double pi = 3.14159265358979323846;
    double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
    double u = x2 - b * x1 * x1 + c * x1 - 6;
    return u * u + 10 * (1 - t) * cos(x1) + 10;
}

static double config_double(const struct hpolab_config *c, const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(&c->rec, name);
    double d = NAN;
    assert_non_null(v);
    assert_int_equal(hpolab_value_as_double(v, &d), HPOLAB_OK);
    return d;
}

#define MAX_TRIALS 64

/* The §7.4 harness: 60 suggest calls, each job runs from its last resource
 * + 1 until the decision is not CONTINUE; the best f among reports at
 * r = 27. */
static double harness(const struct fixture *f,
                      const struct hpolab_space *space, uint32_t seed,
                      int promotion)
{
    struct inst in;
    int32_t st = inst_create(&in, f, space, seed,
                             promotion ? "{\"type\": \"promotion\"}" : NULL,
                             "epoch", "epochs");
    if (st != HPOLAB_OK)
        fail_msg("create: %s", in.ctx.err.message);
    double x1[MAX_TRIALS], x2[MAX_TRIALS];
    int64_t last_r[MAX_TRIALS], next_id = 0;
    double best = INFINITY;
    for (int call = 0; call < 60; call++) {
        struct hpolab_suggestion s = {.struct_size = sizeof s};
        st = in.cls->suggest(in.state, &in.ctx, next_id, &s);
        if (st != HPOLAB_OK)
            fail_msg("suggest: %s", in.ctx.err.message);
        int64_t id = s.trial_id;
        if (s.action == HPOLAB_SUGGEST_NEW) {
            assert_int_equal(id, next_id);
            assert_true(id < MAX_TRIALS);
            next_id++;
            x1[id] = config_double(s.config, "x1");
            x2[id] = config_double(s.config, "x2");
            last_r[id] = 0;
            /* promotion: new trials run to the first rung only */
            assert_true(config_double(s.config, "epochs") ==
                        (promotion ? 1.0 : 27.0));
        } else {
            assert_int_equal(s.action, HPOLAB_SUGGEST_RESUME);
            assert_true(promotion);
            assert_true(id >= 0 && id < next_id);
            double want = last_r[id] == 1 ? 3.0 : last_r[id] == 3 ? 9.0 : 27.0;
            assert_true(config_double(s.config, "epochs") == want);
        }
        struct hpolab_config *config = s.config;
        int32_t d = HPOLAB_DECISION_CONTINUE;
        while (d == HPOLAB_DECISION_CONTINUE) {
            int64_t r = ++last_r[id];
            assert_true(r <= 27);
            double y = branin(x1[id], x2[id]) +
                       (30.0 / 27.0) * (27.0 / (double)r - 1.0);
            struct hpolab_result res;
            hpolab_record_init(&res.rec);
            assert_int_equal(hpolab_record_set_double(&res.rec, "y", y),
                             HPOLAB_OK);
            assert_int_equal(hpolab_record_set_int(&res.rec, "epoch", r),
                             HPOLAB_OK);
            st = in.cls->on_trial_result(in.state, &in.ctx, id, config, &res,
                                         &d);
            hpolab_record_free(&res.rec);
            if (st != HPOLAB_OK)
                fail_msg("on_trial_result: %s", in.ctx.err.message);
            if (r == 27 && y < best)
                best = y;
        }
        assert_true(promotion ? d != HPOLAB_DECISION_STOP || last_r[id] == 27
                              : d == HPOLAB_DECISION_STOP);
        assert_int_equal(in.cls->on_trial_remove(in.state, &in.ctx, id),
                         HPOLAB_OK);
        hpolab_config_free(config);
    }
    inst_destroy(&in);
    return best;
}

static const char *const branin_space =
    "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"
    " \"x2\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 15},"
    " \"epochs\": 27}";

/* Syne Tune 0.13.0, §7.4: per-seed best at r = 27 for seeds 0..9. */
static void test_plugin_reference_runs(void **state)
{
    const struct fixture *f = *state;
    static const double stop[10] = {0.6758, 1.892,  1.2269, 1.252,  4.4326,
                                    0.4062, 1.6794, 1.6176, 2.6758, 1.1491};
    static const double prom[10] = {0.6758, 1.892,  1.2269, 2.4389, 4.4326,
                                    1.562,  3.5388, 3.8382, 5.0062, 1.1491};
    struct hpolab_space *space = space_from(branin_space);
    for (uint32_t seed = 0; seed < 10; seed++) {
        double b = harness(f, space, seed, 0);
        if (fabs(b - stop[seed]) > 5.001e-5)
            fail_msg("stopping, seed %u: best %.6f, want %.4f", seed, b,
                     stop[seed]);
        b = harness(f, space, seed, 1);
        if (fabs(b - prom[seed]) > 5.001e-5)
            fail_msg("promotion, seed %u: best %.6f, want %.4f", seed, b,
                     prom[seed]);
    }
    hpolab_space_free(space);
}

static void expect_create_error(const struct fixture *f,
                                const struct hpolab_space *space,
                                const char *options, const char *resource_attr,
                                const char *max_resource_attr,
                                const char *want)
{
    struct inst in;
    int32_t st = inst_create(&in, f, space, 0, options, resource_attr,
                             max_resource_attr);
    assert_int_not_equal(st, HPOLAB_OK);
    assert_null(in.state);
    if (!strstr(in.ctx.err.message, want))
        fail_msg("message '%s' lacks '%s'", in.ctx.err.message, want);
    inst_destroy(&in);
}

static void test_plugin_create_errors(void **state)
{
    const struct fixture *f = *state;
    struct hpolab_space *space = space_from(branin_space);
    struct hpolab_space *bare = space_from(
        "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10}}");
    expect_create_error(f, space, NULL, NULL, "epochs", "resource_attr");
    expect_create_error(f, space, "{\"type\": \"hyperband\"}", "epoch",
                        "epochs", "type must be");
    expect_create_error(f, space, "{\"reduction_factor\": 1}", "epoch",
                        "epochs", "reduction_factor must be >= 2");
    expect_create_error(f, bare, NULL, "epoch", NULL, "max_t is required");
    expect_create_error(f, space, "{\"grace_period\": 27}", "epoch", "epochs",
                        "grace_period");
    expect_create_error(f, space, "{\"type\": \"promotion\"}", "epoch", NULL,
                        "type \"promotion\" needs the benchmark's "
                        "max_resource_attr");
    hpolab_space_free(space);
    hpolab_space_free(bare);
}

/* max_t from the option wins over the constant named by max_resource_attr,
 * which the promotion type rewrites to each job's milestone. */
static void test_plugin_options(void **state)
{
    const struct fixture *f = *state;
    struct hpolab_space *space = space_from(
        "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"
        " \"budget\": 81}");
    struct inst in;
    assert_int_equal(inst_create(&in, f, space, 3,
                                 "{\"type\": \"promotion\", \"max_t\": 9}",
                                 "epoch", "budget"),
                     HPOLAB_OK);
    int64_t ids[2];
    for (int i = 0; i < 2; i++) {
        struct hpolab_suggestion s = {.struct_size = sizeof s};
        assert_int_equal(in.cls->suggest(in.state, &in.ctx, i, &s), HPOLAB_OK);
        assert_int_equal(s.action, HPOLAB_SUGGEST_NEW);
        /* the first milestone, not the space's 81 */
        assert_true(config_double(s.config, "budget") == 1.0);
        struct hpolab_result res;
        hpolab_record_init(&res.rec);
        hpolab_record_set_double(&res.rec, "y", (double)i);
        hpolab_record_set_int(&res.rec, "epoch", 1);
        int32_t d = -1;
        assert_int_equal(in.cls->on_trial_result(in.state, &in.ctx, i,
                                                 s.config, &res, &d),
                         HPOLAB_OK);
        assert_int_equal(d, HPOLAB_DECISION_PAUSE);
        /* a report without the resource is an error */
        hpolab_record_remove(&res.rec, "epoch");
        assert_int_equal(in.cls->on_trial_result(in.state, &in.ctx, i,
                                                 s.config, &res, &d),
                         HPOLAB_ERR_INVALID);
        hpolab_record_free(&res.rec);
        ids[i] = s.trial_id;
        hpolab_config_free(s.config);
        in.cls->on_trial_remove(in.state, &in.ctx, i);
    }
    struct hpolab_suggestion s = {.struct_size = sizeof s};
    assert_int_equal(in.cls->suggest(in.state, &in.ctx, 2, &s), HPOLAB_OK);
    assert_int_equal(s.action, HPOLAB_SUGGEST_RESUME);
    assert_int_equal(s.trial_id, ids[0]);
    assert_non_null(s.config);
    assert_true(config_double(s.config, "budget") == 3.0);
    hpolab_config_free(s.config);
    /* rungs for max_t 9: [1, 3]; the resumed job pauses at 3 */
    struct hpolab_result res;
    hpolab_record_init(&res.rec);
    hpolab_record_set_double(&res.rec, "y", 0.0);
    hpolab_record_set_int(&res.rec, "epoch", 3);
    int32_t d = -1;
    assert_int_equal(in.cls->on_trial_result(in.state, &in.ctx, 0, NULL, &res,
                                             &d),
                     HPOLAB_OK);
    assert_int_equal(d, HPOLAB_DECISION_PAUSE);
    hpolab_record_free(&res.rec);
    inst_destroy(&in);
    hpolab_space_free(space);
}

/* Several brackets: the bracket RNG is seeded with the second draw of
 * RandomState(seed) and makes one choice per suggest; in the promotion type
 * a new trial's epochs is the first milestone of its bracket. */
static void test_plugin_brackets(void **state)
{
    const struct fixture *f = *state;
    struct hpolab_space *space = space_from(branin_space);
    struct inst in;
    assert_int_equal(inst_create(&in, f, space, 7,
                                 "{\"type\": \"promotion\", \"brackets\": 4}",
                                 "epoch", "epochs"),
                     HPOLAB_OK);
    struct hpolab_rng seeds, brk;
    hpolab_rng_seed(&seeds, 7);
    (void)hpolab_rng_seed_draw(&seeds);
    hpolab_rng_seed(&brk, hpolab_rng_seed_draw(&seeds));
    const double p[4] = {27, 12, 6, 4};
    const double first[4] = {1, 3, 9, 27};
    int seen[4] = {0};
    for (int64_t i = 0; i < 40; i++) {
        struct hpolab_suggestion s = {.struct_size = sizeof s};
        assert_int_equal(in.cls->suggest(in.state, &in.ctx, i, &s), HPOLAB_OK);
        assert_int_equal(s.action, HPOLAB_SUGGEST_NEW);
        int64_t b = hpolab_rng_choice_p(&brk, p, 4);
        seen[b]++;
        assert_true(config_double(s.config, "epochs") == first[b]);
        hpolab_config_free(s.config);
    }
    for (int b = 0; b < 4; b++)
        assert_true(seen[b] > 0);
    inst_destroy(&in);
    hpolab_space_free(space);
}

int main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_worked_example_min),
        cmocka_unit_test(test_worked_example_max),
        cmocka_unit_test(test_stopping_min),
        cmocka_unit_test(test_stopping_max),
        cmocka_unit_test(test_promotion_min),
        cmocka_unit_test(test_promotion_max),
        cmocka_unit_test(test_bracket_distribution),
        cmocka_unit_test(test_brackets_stopping_min),
        cmocka_unit_test(test_brackets_stopping_max),
        cmocka_unit_test(test_brackets_promotion),
    };
    const struct CMUnitTest plugin[] = {
        cmocka_unit_test(test_plugin_reference_runs),
        cmocka_unit_test(test_plugin_create_errors),
        cmocka_unit_test(test_plugin_options),
        cmocka_unit_test(test_plugin_brackets),
    };
    int failed = cmocka_run_group_tests_name("asha_rungs", unit, NULL, NULL);
    failed += cmocka_run_group_tests_name("asha_plugin", plugin, setup,
                                          teardown);
    return failed;
}
