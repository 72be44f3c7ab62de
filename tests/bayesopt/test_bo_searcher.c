/* The bayesopt searcher plugin through the real loader: reproducible
 * suggestions, the random phase shared with random search, pending
 * evaluations, degenerate data, option errors, exhaustion, the
 * multi-fidelity mode (rung data, pending) and MOBSTER under asha, and
 * save/restore. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bo_harness.h"
#include "buffer.h"
#include "log.h"

static struct hpolab_registry *reg;

static int setup(void **state)
{
    (void)state;
    char msg[512];
    static const char *const ids[] = {"searcher_random", "searcher_bayesopt",
                                      "scheduler_asha", NULL};
    reg = bh_registry(ids, msg, sizeof msg);
    if (!reg) {
        print_error("%s\n", msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hpolab_registry_destroy(reg);
    return 0;
}

static void create(struct bh_searcher *b, const char *id,
                   const struct hpolab_space *space, uint32_t seed,
                   const char *options, const char *res, const char *max_res)
{
    /* the GP seed a 1.0 caller's searcher derives (the first seed draw of
     * its random_seed) */
    if (bh_searcher_create(b, reg, id, space, seed, bh_searcher_seed(seed),
                           options, res, max_res) != HPOLAB_OK)
        fail_msg("create %s: %s", id, b->ctx.err.message);
}

/* The next suggestion as JSON text [owned: free]; config kept in *keep
 * when keep is non-NULL. */
static char *next(struct bh_searcher *b, int64_t id,
                  struct hpolab_config **keep)
{
    struct hpolab_config *c = NULL;
    if (bh_suggest(b, id, &c) != HPOLAB_OK)
        fail_msg("suggest %lld: %s", (long long)id, b->ctx.err.message);
    if (!c)
        return strdup("null");
    char *t = hpolab_record_to_json_text(&c->rec);
    if (keep)
        *keep = c;
    else
        hpolab_config_free(c);
    return t;
}

/* suggest trial id, evaluate Branin (or the constant y when finite),
 * complete it; returns the config text */
static char *round_trip(struct bh_searcher *b, int64_t id, double y)
{
    struct hpolab_config *c = NULL;
    char *t = next(b, id, &c);
    assert_non_null(c);
    double v = isfinite(y) ? y : bh_eval(c, 0);
    if (bh_tell(b, id, c, v, 0, 1) != HPOLAB_OK)
        fail_msg("tell: %s", b->ctx.err.message);
    hpolab_config_free(c);
    return t;
}

static void test_same_seed_same_suggestions(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher a, b, c;
    create(&a, "bayesopt", space, 3, NULL, NULL, NULL);
    create(&b, "bayesopt", space, 3, NULL, NULL, NULL);
    create(&c, "bayesopt", space, 4, NULL, NULL, NULL);
    int differs = 0;
    for (int i = 0; i < 10; i++) {
        char *ta = round_trip(&a, i, NAN), *tb = round_trip(&b, i, NAN);
        char *tc = round_trip(&c, i, NAN);
        assert_string_equal(ta, tb);
        differs |= i > 0 && strcmp(ta, tc) != 0;
        free(ta), free(tb), free(tc);
    }
    assert_true(differs);
    bh_searcher_destroy(&a);
    bh_searcher_destroy(&b);
    bh_searcher_destroy(&c);
    hpolab_space_free(space);
}

/* §6.1: the GP RNG is seeded with the scheduler's second seed draw
 * (model_seed): it moves the fit's restarts, so the model-based
 * suggestions, never the random ones. From a 1.0 caller (no model_seed)
 * it is the first seed draw of random_seed. */
static void test_model_seed(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher a, b, old, derived;
    if (bh_searcher_create(&a, reg, "bayesopt", space, 3, 77, NULL, NULL,
                           NULL) != HPOLAB_OK ||
        bh_searcher_create(&b, reg, "bayesopt", space, 3, 78, NULL, NULL,
                           NULL) != HPOLAB_OK ||
        bh_searcher_create(&old, reg, "bayesopt", space, 3, BH_ABI_1_0, NULL,
                           NULL, NULL) != HPOLAB_OK ||
        bh_searcher_create(&derived, reg, "bayesopt", space, 3,
                           bh_searcher_seed(3), NULL, NULL, NULL) != HPOLAB_OK)
        fail_msg("create: %s", a.ctx.err.message);
    int differs = 0;
    for (int i = 0; i < 12; i++) {
        char *ta = round_trip(&a, i, NAN), *tb = round_trip(&b, i, NAN);
        char *to = round_trip(&old, i, NAN), *td = round_trip(&derived, i, NAN);
        if (i < 3) /* midpoint and random phase: the searcher RNG only */
            assert_string_equal(ta, tb);
        differs |= strcmp(ta, tb) != 0;
        assert_string_equal(to, td);
        free(ta), free(tb), free(to), free(td);
    }
    assert_true(differs);
    bh_searcher_destroy(&a);
    bh_searcher_destroy(&b);
    bh_searcher_destroy(&old);
    bh_searcher_destroy(&derived);
    hpolab_space_free(space);
}

/* §3.3: until the model-based phase BO proposes what RS proposes. */
static void test_random_phase_is_random_search(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_HARTMANN6_SPACE);
    struct bh_searcher bo, rs;
    create(&bo, "bayesopt", space, 11, "{\"num_init_random\": 5}", NULL, NULL);
    create(&rs, "random", space, 11, NULL, NULL, NULL);
    for (int i = 0; i < 6; i++) {
        struct hpolab_config *c = NULL;
        char *tb = next(&bo, i, &c), *tr = next(&rs, i, NULL);
        if (i < 5)
            assert_string_equal(tb, tr);
        else /* the first model-based one */
            assert_string_not_equal(tb, tr);
        assert_int_equal(bh_tell(&bo, i, c, bh_eval(c, 1), 0, 1), HPOLAB_OK);
        hpolab_config_free(c);
        free(tb), free(tr);
    }
    /* without any observation the phase stays random (§3.3) */
    bh_searcher_destroy(&bo);
    bh_searcher_destroy(&rs);
    create(&bo, "bayesopt", space, 11, "{\"num_init_random\": 2}", NULL, NULL);
    create(&rs, "random", space, 11, NULL, NULL, NULL);
    for (int i = 0; i < 4; i++) {
        char *tb = next(&bo, i, NULL), *tr = next(&rs, i, NULL);
        assert_string_equal(tb, tr);
        free(tb), free(tr);
    }
    bh_searcher_destroy(&bo);
    bh_searcher_destroy(&rs);
    hpolab_space_free(space);
}

/* A pending evaluation is fantasised: it changes the next suggestion,
 * unless no_fantasizing. */
static void test_pending_changes_suggestion(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher a, b;
    create(&a, "bayesopt", space, 5, NULL, NULL, NULL);
    create(&b, "bayesopt", space, 5, "{\"no_fantasizing\": true}", NULL, NULL);
    for (int i = 0; i < 6; i++) {
        char *ta = round_trip(&a, i, NAN), *tb = round_trip(&b, i, NAN);
        assert_string_equal(ta, tb);
        free(ta), free(tb);
    }
    /* trial 6 is suggested but gets no result: pending */
    char *ta = next(&a, 6, NULL), *tb = next(&b, 6, NULL);
    assert_string_equal(ta, tb); /* nothing pending yet */
    free(ta), free(tb);
    ta = next(&a, 7, NULL), tb = next(&b, 7, NULL);
    assert_string_not_equal(ta, tb);
    free(ta), free(tb);
    bh_searcher_destroy(&a);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

static void test_degenerate_data(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher b;
    /* all targets equal */
    create(&b, "bayesopt", space, 1, NULL, NULL, NULL);
    for (int i = 0; i < 8; i++)
        free(round_trip(&b, i, 1.0));
    bh_searcher_destroy(&b);
    /* one observation: the model-based phase starts right after it */
    create(&b, "bayesopt", space, 1, "{\"num_init_random\": 1}", NULL, NULL);
    char *t0 = round_trip(&b, 0, NAN), *t1 = round_trip(&b, 1, NAN);
    assert_string_not_equal(t0, t1);
    free(t0), free(t1);
    bh_searcher_destroy(&b);
    /* duplicated inputs: the same configuration observed many times with
     * different values (trials not suggested by this searcher) */
    create(&b, "bayesopt", space, 1, "{\"num_init_random\": 1}", NULL, NULL);
    struct hpolab_config *c = NULL;
    free(next(&b, 0, &c));
    for (int i = 0; i < 6; i++)
        assert_int_equal(bh_tell(&b, 100 + i, c, 1.0 + 0.5 * i, 0, 1),
                         HPOLAB_OK);
    for (int i = 1; i < 4; i++) {
        char *t = next(&b, i, NULL);
        assert_string_not_equal(t, "null");
        free(t);
    }
    hpolab_config_free(c);
    /* a failed trial's configuration is never proposed again; NaN results
     * count as failures */
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

static void expect_create_error(const char *options, const char *res,
                                const char *max_res, int32_t want,
                                const char *text)
{
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher b;
    int32_t st = bh_searcher_create(&b, reg, "bayesopt", space, 0, 0, options,
                                    res, max_res);
    if (st != want || !strstr(b.ctx.err.message, text))
        fail_msg("%s: status %d (%s), expected %d with '%s'", options, st,
                 b.ctx.err.message, want, text);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

static void test_option_errors(void **state)
{
    (void)state;
    expect_create_error("{\"initial_scoring\": \"best\"}", NULL, NULL,
                        HPOLAB_ERR_INVALID, "initial_scoring");
    expect_create_error("{\"acq_function\": \"lcb\"}", NULL, NULL,
                        HPOLAB_ERR_UNSUPPORTED, "acq_function");
    expect_create_error("{\"map_reward\": \"x_minus_y\"}", NULL, NULL,
                        HPOLAB_ERR_INVALID, "map_reward");
    expect_create_error("{\"opt_nstarts\": 0}", NULL, NULL, HPOLAB_ERR_INVALID,
                        "opt_nstarts");
    expect_create_error("{\"opt_fit_max_size\": -1}", NULL, NULL,
                        HPOLAB_ERR_INVALID, "opt_fit_max_size");
    expect_create_error("{\"opt_restart_period\": -2}", NULL, NULL,
                        HPOLAB_ERR_INVALID, "opt_restart_period");
    expect_create_error("{\"multi_fidelity\": true}", NULL, NULL,
                        HPOLAB_ERR_INVALID, "resource_attr");
    /* no max_t anywhere in the Branin space */
    expect_create_error(NULL, "epoch", NULL, HPOLAB_ERR_INVALID, "max_t");
}

static void test_exhausted_space(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(
        "{\"a\": {\"domain\": \"choice\", \"categories\": [\"x\", \"y\", "
        "\"z\"]}, \"b\": {\"domain\": \"randint\", \"lower\": 1, \"upper\": "
        "2}}");
    struct bh_searcher b;
    create(&b, "bayesopt", space, 2, "{\"num_init_random\": 2}", NULL, NULL);
    char *seen[6];
    for (int i = 0; i < 6; i++) {
        struct hpolab_config *c = NULL;
        seen[i] = next(&b, i, &c);
        assert_non_null(c);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
        assert_int_equal(bh_tell(&b, i, c, (double)(i % 4), 0, 1), HPOLAB_OK);
        hpolab_config_free(c);
    }
    char *t = next(&b, 6, NULL);
    assert_string_equal(t, "null");
    free(t);
    for (int i = 0; i < 6; i++)
        free(seen[i]);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

/* ---- multi-fidelity ------------------------------------------------------ */

/* Trials 0..7 report r = 1..upto (skipping r in skip, 0: none); returns the
 * next suggestion. Rungs of max_t 27: 1, 3, 9. */
static char *mf_after(const struct hpolab_space *space, int upto, int skip)
{
    struct bh_searcher b;
    create(&b, "bayesopt", space, 9, NULL, "epoch", "epochs");
    for (int i = 0; i < 8; i++) {
        struct hpolab_config *c = NULL;
        free(next(&b, i, &c));
        double f = bh_eval(c, 0);
        for (int r = 1; r <= upto; r++)
            if (r != skip)
                assert_int_equal(bh_tell(&b, i, c, f + 10.0 / r, r, 0),
                                 HPOLAB_OK);
        hpolab_config_free(c);
    }
    char *t = next(&b, 8, NULL);
    bh_searcher_destroy(&b);
    return t;
}

static void test_mf_rung_data(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_BRANIN_MF_SPACE);
    /* reports between rungs add no data: 1,2,3 == 1,3 */
    char *a = mf_after(space, 3, 0), *b = mf_after(space, 3, 2);
    assert_string_equal(a, b);
    /* ... but a report at 2 means the trial runs on towards 3: pending */
    char *c = mf_after(space, 2, 0), *d = mf_after(space, 1, 0);
    assert_string_not_equal(c, d);
    /* and a report at a rung adds data: 1 vs 1,3 */
    assert_string_not_equal(d, b);
    free(a), free(b), free(c), free(d);
    hpolab_space_free(space);
}

/* MOBSTER = asha + bayesopt: both types run the §7.4 harness; the first six
 * new trials are ASHA's (shared random phase, §6.1). */
static void mobster_run(const struct hpolab_space *space, const char *searcher,
                        int promotion, char **first, int calls)
{
    const struct hpolab_component *comp;
    struct hpolab_error err = {0};
    assert_int_equal(hpolab_registry_require(reg, HPOLAB_KIND_SCHEDULER,
                                             "asha", &comp, &err),
                     HPOLAB_OK);
    const struct hpolab_scheduler_class *cls = &comp->cls.scheduler;
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "scheduler", "asha", reg);
    struct hpolab_options *opts = NULL;
    json_t *o = json_pack("{s:s}", "type", promotion ? "promotion" : "stopping");
    assert_int_equal(hpolab_options_create(o, "opts", &opts, &err), HPOLAB_OK);
    json_decref(o);
    struct hpolab_scheduler_args args = {
        .struct_size = sizeof args, .space = space, .metric = "y",
        .mode = HPOLAB_MODE_MIN, .random_seed = 0, .resource_attr = "epoch",
        .max_resource_attr = "epochs", .n_workers = 1, .searcher = searcher,
        .options = opts};
    void *st = NULL;
    if (cls->create(&ctx, &args, &st) != HPOLAB_OK)
        fail_msg("asha: %s", ctx.err.message);
    double x1[64], x2[64];
    int64_t last[64], next_id = 0;
    int nfirst = 0;
    for (int call = 0; call < calls; call++) {
        struct hpolab_suggestion s = {.struct_size = sizeof s};
        if (cls->suggest(st, &ctx, next_id, &s) != HPOLAB_OK)
            fail_msg("suggest: %s", ctx.err.message);
        assert_true(s.action == HPOLAB_SUGGEST_NEW ||
                    s.action == HPOLAB_SUGGEST_RESUME);
        int64_t id = s.trial_id;
        if (s.action == HPOLAB_SUGGEST_NEW) {
            assert_true(id < 64);
            next_id++;
            x1[id] = bh_get(s.config, "x1");
            x2[id] = bh_get(s.config, "x2");
            assert_true(x1[id] >= -5 && x1[id] <= 10 && x2[id] >= 0 &&
                        x2[id] <= 15);
            last[id] = 0;
            if (nfirst < 6)
                first[nfirst++] = hpolab_record_to_json_text(&s.config->rec);
        }
        int32_t d = HPOLAB_DECISION_CONTINUE;
        while (d == HPOLAB_DECISION_CONTINUE) {
            int64_t r = ++last[id];
            struct hpolab_result res;
            hpolab_record_init(&res.rec);
            hpolab_record_set_double(&res.rec, "y",
                                     bh_branin(x1[id], x2[id]) + 30.0 / r);
            hpolab_record_set_int(&res.rec, "epoch", r);
            if (cls->on_trial_result(st, &ctx, id, s.config, &res, &d) !=
                HPOLAB_OK)
                fail_msg("result: %s", ctx.err.message);
            hpolab_record_free(&res.rec);
        }
        cls->on_trial_remove(st, &ctx, id);
        hpolab_config_free(s.config);
    }
    cls->destroy(st);
    hpolab_options_free(opts);
}

static void test_mobster_through_asha(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_BRANIN_MF_SPACE);
    for (int promotion = 0; promotion < 2; promotion++) {
        char *mob[6] = {0}, *asha[6] = {0};
        mobster_run(space, "bayesopt", promotion, mob, 20);
        mobster_run(space, "random", promotion, asha, 20);
        for (int i = 0; i < 6; i++) {
            assert_non_null(mob[i]);
            assert_string_equal(mob[i], asha[i]);
            free(mob[i]);
            free(asha[i]);
        }
    }
    hpolab_space_free(space);
}

/* ---- MOBSTER's target resource and normalisation (§5.4 b, a) ------------- */

struct acq_log {
    int n;                 /* "target resource" lines seen */
    long long racq;        /* of the last one */
    double mean, sd;       /* its target normalisation */
};

static void acq_sink(int32_t level, const char *line, void *user)
{
    (void)level;
    struct acq_log *l = user;
    const char *p = strstr(line, "] target resource ");
    long long r;
    double m, sd;
    if (p && sscanf(p, "] target resource %lld, incumbent %*g (fantasy 0), "
                       "targets normalised by mean %lg, sd %lg",
                    &r, &m, &sd) == 3) {
        l->n++;
        l->racq = r;
        l->mean = m;
        l->sd = sd;
    }
}

/* Six trials (the random phase); trial i reports its value plus 10 / r at
 * each r in reports[i] (0-terminated, at most 4); then one model-based
 * suggestion, whose debug lines are captured. vals gets the values told
 * at rung levels (1, 3, 9 of max_t 27), *nv their count. */
static void mf_decision(const int reports[6][5], struct acq_log *l,
                        double *vals, int *nv)
{
    struct hpolab_space *space = bh_space(BH_BRANIN_MF_SPACE);
    struct bh_searcher b;
    create(&b, "bayesopt", space, 17, NULL, "epoch", "epochs");
    *nv = 0;
    for (int i = 0; i < 6; i++) {
        struct hpolab_config *c = NULL;
        free(next(&b, i, &c));
        double f = bh_eval(c, 0);
        for (int k = 0; reports[i][k]; k++) {
            int r = reports[i][k];
            assert_int_equal(bh_tell(&b, i, c, f + 10.0 / r, r, 0), HPOLAB_OK);
            if (r == 1 || r == 3 || r == 9)
                vals[(*nv)++] = f + 10.0 / r;
        }
        hpolab_config_free(c);
    }
    memset(l, 0, sizeof *l);
    int32_t level = hpolab_log_level();
    hpolab_log_set_level(HPOLAB_LOG_DEBUG);
    hpolab_log_set_sink(acq_sink, l);
    free(next(&b, 6, NULL));
    hpolab_log_set_sink(NULL, NULL);
    hpolab_log_set_level(level);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

/* r_acq is the largest level with >= 3 observations, else the smallest
 * observed level (not the smallest rung); the targets are normalised over
 * the rung values of all resources together (population sd), reports
 * between rungs excluded. */
static void test_mobster_target_resource(void **state)
{
    (void)state;
    static const int two_at_3[6][5] = {{1, 2, 3}, {1, 2, 3}, {1}, {1}, {1},
                                       {1}};
    static const int three_at_3[6][5] = {{1, 2, 3}, {1, 2, 3}, {1, 2, 3},
                                         {1}, {1}, {0}};
    static const int none_has_3[6][5] = {{3}, {3}, {9}, {0}, {0}, {0}};
    struct {
        const int (*rep)[5];
        long long want;
    } cases[] = {{two_at_3, 1}, {three_at_3, 3}, {none_has_3, 3}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct acq_log l;
        double v[24];
        int nv = 0;
        mf_decision(cases[k].rep, &l, v, &nv);
        assert_int_equal(l.n, 1);
        assert_int_equal(l.racq, cases[k].want);
        double m = 0.0, ss = 0.0;
        for (int i = 0; i < nv; i++)
            m += v[i];
        m /= nv;
        for (int i = 0; i < nv; i++)
            ss += (v[i] - m) * (v[i] - m);
        double sd = sqrt(ss / nv);
        assert_true(fabs(l.mean - m) <= 1e-5 * fabs(m));
        assert_true(fabs(l.sd - sd) <= 1e-5 * sd);
    }
}

/* ---- save / restore ------------------------------------------------------- */

/* Runs rounds (mf: reports at r = 1..3 for each trial), leaves one trial
 * pending, saves, and checks that a fresh instance restored from the state
 * makes the same next suggestion as the original; a damaged state is
 * refused and leaves the instance as it was. */
static void save_restore(const char *space_text, const char *res,
                         const char *max_res, int rounds, const char *opts)
{
    struct hpolab_space *space = bh_space(space_text);
    struct bh_searcher a, b, c;
    create(&a, "bayesopt", space, 21, opts, res, max_res);
    for (int i = 0; i < rounds; i++) {
        struct hpolab_config *cf = NULL;
        free(next(&a, i, &cf));
        double f = bh_eval(cf, 0);
        if (res)
            for (int r = 1; r <= 3; r++)
                assert_int_equal(bh_tell(&a, i, cf, f + 10.0 / r, r, 0),
                                 HPOLAB_OK);
        else
            assert_int_equal(bh_tell(&a, i, cf, f, 0, 1), HPOLAB_OK);
        hpolab_config_free(cf);
    }
    free(next(&a, rounds, NULL)); /* pending */
    struct hpolab_buffer buf;
    hpolab_buffer_init(&buf);
    if (a.cls->save(a.state, &a.ctx, &buf) != HPOLAB_OK)
        fail_msg("save: %s", a.ctx.err.message);
    char *want = next(&a, rounds + 1, NULL);
    char *want2 = next(&a, rounds + 2, NULL);

    create(&b, "bayesopt", space, 21, opts, res, max_res);
    if (b.cls->restore(b.state, &b.ctx, buf.data, buf.len) != HPOLAB_OK)
        fail_msg("restore: %s", b.ctx.err.message);
    char *got = next(&b, rounds + 1, NULL);
    char *got2 = next(&b, rounds + 2, NULL);
    assert_string_equal(got, want);
    assert_string_equal(got2, want2);

    /* damaged states: truncated, trailing byte, wrong magic, wrong version */
    create(&c, "bayesopt", space, 21, opts, res, max_res);
    assert_int_equal(c.cls->restore(c.state, &c.ctx, buf.data, buf.len - 3),
                     HPOLAB_ERR_PARSE);
    assert_non_null(
        strstr(c.ctx.err.message, "bayesopt searcher state, truncated"));
    unsigned char *longer = malloc(buf.len + 1);
    memcpy(longer, buf.data, buf.len);
    longer[buf.len] = 0;
    assert_int_equal(c.cls->restore(c.state, &c.ctx, longer, buf.len + 1),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(c.ctx.err.message, "1 unexpected byte(s) after"));
    longer[0] = 'X';
    assert_int_equal(c.cls->restore(c.state, &c.ctx, longer, buf.len),
                     HPOLAB_ERR_PARSE);
    longer[0] = 'H';
    longer[4] = 99;
    assert_int_equal(c.cls->restore(c.state, &c.ctx, longer, buf.len),
                     HPOLAB_ERR_UNSUPPORTED);
    free(longer);
    /* ... and the refused instance is still the fresh one: its first
     * suggestion is the midpoint, as a new instance's */
    struct bh_searcher d;
    create(&d, "bayesopt", space, 21, opts, res, max_res);
    char *tc = next(&c, 0, NULL), *td = next(&d, 0, NULL);
    assert_string_equal(tc, td);
    free(tc), free(td);

    free(want), free(want2), free(got), free(got2);
    hpolab_buffer_free(&buf);
    bh_searcher_destroy(&a);
    bh_searcher_destroy(&b);
    bh_searcher_destroy(&c);
    bh_searcher_destroy(&d);
    hpolab_space_free(space);
}

static void test_save_restore(void **state)
{
    (void)state;
    save_restore(BH_BRANIN_SPACE, NULL, NULL, 7, NULL);
}

static void test_save_restore_mf(void **state)
{
    (void)state;
    save_restore(BH_BRANIN_MF_SPACE, "epoch", "epochs", 8, NULL);
}

/* More observations than max_size_data_for_model: the subsets (§3.4, §5.6)
 * are drawn with the searcher RNG, so they also replay on restore. */
static void test_subsampling(void **state)
{
    (void)state;
    save_restore(BH_BRANIN_SPACE, NULL, NULL, 16,
                 "{\"max_size_data_for_model\": 9}");
    /* mf: 12 trials with values at rungs 1 and 3 = 24 observations */
    save_restore(BH_BRANIN_MF_SPACE, "epoch", "epochs", 12,
                 "{\"max_size_data_for_model\": 9}");
    /* the subset changes what the model sees: a different suggestion */
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher a, b;
    create(&a, "bayesopt", space, 4, NULL, NULL, NULL);
    create(&b, "bayesopt", space, 4, "{\"max_size_data_for_model\": 9}",
           NULL, NULL);
    int differs = 0;
    for (int i = 0; i < 14; i++) {
        char *ta = round_trip(&a, i, NAN), *tb = round_trip(&b, i, NAN);
        if (i < 10)
            assert_string_equal(ta, tb);
        else
            differs |= strcmp(ta, tb) != 0;
        free(ta), free(tb);
    }
    assert_true(differs);
    bh_searcher_destroy(&a);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

/* ---- the fit schedule (hpolab defaults beyond Syne Tune's) -------------- */

/* The hpolab schedule scaled down to a few dozen observations. */
#define SCHEDULE_OPTS                                                       \
    "{\"opt_warm_init_length\": 8, \"opt_fit_max_size\": 12, "              \
    "\"opt_skip_init_length\": 16, \"opt_skip_period\": 2, "                \
    "\"opt_restart_period\": 3}"

/* Debug lines of the searcher, captured: per suggest, whether it fitted,
 * warm or cold, on how many points, and the observation count. */
enum { MAX_SUGGESTS = 64 };
struct fit_log {
    int n;                    /* suggests seen */
    int nobs[MAX_SUGGESTS];   /* observations at that suggest */
    int fitted[MAX_SUGGESTS]; /* 0 none, 1 cold, 2 warm */
    int size[MAX_SUGGESTS];   /* points the fit used */
    int checks[MAX_SUGGESTS]; /* cold-check evaluations */
    int pending_fit, pending_size, pending_check;
};

static void fit_sink(int32_t level, const char *line, void *user)
{
    (void)level;
    struct fit_log *l = user;
    const char *p;
    int a, b, c;
    char kind[8];
    if ((p = strstr(line, "] fit ")) &&
        sscanf(p, "] fit %d on %d observations: %7[a-z]", &a, &b, kind) == 3) {
        l->pending_fit = strcmp(kind, "warm") == 0 ? 2 : 1;
        l->pending_size = b;
        const char *q = strstr(p, "cold check: ");
        l->pending_check = q && sscanf(q, "cold check: %d", &c) == 1 ? c : 0;
    } else if ((p = strstr(line, "] suggest on ")) &&
               sscanf(p, "] suggest on %d observations", &a) == 1 &&
               l->n < MAX_SUGGESTS) {
        l->nobs[l->n] = a;
        l->fitted[l->n] = l->pending_fit;
        l->size[l->n] = l->pending_size;
        l->checks[l->n++] = l->pending_check;
        l->pending_fit = l->pending_size = l->pending_check = 0;
    }
}

static void run_logged(const char *opts, int rounds, struct fit_log *l)
{
    memset(l, 0, sizeof *l);
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher b;
    create(&b, "bayesopt", space, 5, opts, NULL, NULL);
    int32_t level = hpolab_log_level();
    hpolab_log_set_level(HPOLAB_LOG_DEBUG);
    hpolab_log_set_sink(fit_sink, l);
    for (int i = 0; i < rounds; i++)
        free(round_trip(&b, i, NAN));
    hpolab_log_set_sink(NULL, NULL);
    hpolab_log_set_level(level);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

/* Scaled-down schedule: cold fits below opt_warm_init_length observations,
 * warm ones from there (one restart), fits on at most opt_fit_max_size
 * points, a refit every opt_skip_period-th growth from
 * opt_skip_init_length, a cold check every opt_restart_period-th refit;
 * and Syne Tune's schedule back with the options that restore it. */
static void test_fit_schedule(void **state)
{
    (void)state;
    struct fit_log l;
    run_logged(SCHEDULE_OPTS, 30, &l);
    assert_int_equal(l.n, 27); /* 3 random, then model-based */
    int fits = 0, skipped = 0, checks = 0;
    for (int k = 0; k < l.n; k++) {
        int n = l.nobs[k];
        assert_int_equal(n, k + 3);
        if (n < 16)
            assert_true(l.fitted[k] != 0);
        if (k > 0 && n >= 16)
            /* a refit every 2nd growth: fits and skips alternate */
            assert_true((l.fitted[k] != 0) != (l.fitted[k - 1] != 0));
        if (!l.fitted[k]) {
            skipped++;
            continue;
        }
        fits++;
        assert_int_equal(l.fitted[k], n < 8 ? 1 : 2);
        assert_int_equal(l.size[k], n < 12 ? n : 12);
        if (l.checks[k] > 0)
            checks++;
    }
    assert_true(skipped >= 5);
    /* warm refits 1, 2, ...: every 3rd also runs the cold fit */
    assert_true(checks >= 3 && checks <= fits / 3 + 1);

    run_logged("{\"opt_warmstart\": false, \"opt_fit_max_size\": 0, "
               "\"opt_skip_period\": 1, \"opt_skip_init_length\": 16}",
               30, &l);
    assert_int_equal(l.n, 27);
    for (int k = 0; k < l.n; k++) {
        assert_int_equal(l.fitted[k], 1);
        assert_int_equal(l.size[k], l.nobs[k]);
        assert_int_equal(l.checks[k], 0);
    }
}

/* The schedule's counters are part of the state: a restored searcher
 * goes on exactly as the original while observations keep arriving (warm
 * refits, skipped ones, cold checks drawing restart normals). */
static void test_save_restore_schedule(void **state)
{
    (void)state;
    save_restore(BH_BRANIN_MF_SPACE, "epoch", "epochs", 12, SCHEDULE_OPTS);
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher a, b;
    create(&a, "bayesopt", space, 13, SCHEDULE_OPTS, NULL, NULL);
    for (int i = 0; i < 13; i++)
        free(round_trip(&a, i, NAN));
    struct hpolab_buffer buf;
    hpolab_buffer_init(&buf);
    assert_int_equal(a.cls->save(a.state, &a.ctx, &buf), HPOLAB_OK);
    create(&b, "bayesopt", space, 13, SCHEDULE_OPTS, NULL, NULL);
    if (b.cls->restore(b.state, &b.ctx, buf.data, buf.len) != HPOLAB_OK)
        fail_msg("restore: %s", b.ctx.err.message);
    for (int i = 13; i < 25; i++) {
        char *ta = round_trip(&a, i, NAN), *tb = round_trip(&b, i, NAN);
        assert_string_equal(ta, tb);
        free(ta), free(tb);
    }
    hpolab_buffer_free(&buf);
    bh_searcher_destroy(&a);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

/* A version-1 state (no refit count) still restores, and with the default
 * options (no cold checks) the next suggestion is the original's. */
static void test_restore_version1(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    struct bh_searcher a, b;
    create(&a, "bayesopt", space, 9, NULL, NULL, NULL);
    for (int i = 0; i < 7; i++)
        free(round_trip(&a, i, NAN));
    struct hpolab_buffer buf;
    hpolab_buffer_init(&buf);
    assert_int_equal(a.cls->save(a.state, &a.ctx, &buf), HPOLAB_OK);
    char *want = next(&a, 7, NULL);
    /* the tail: ... u64 growths, u64 refits, u32 np, np f64 */
    size_t np = 2 + 3, tail = 4 + 8 * np, cut = buf.len - tail - 8;
    unsigned char *v1 = malloc(buf.len - 8);
    memcpy(v1, buf.data, cut);
    memcpy(v1 + cut, (unsigned char *)buf.data + cut + 8, tail);
    assert_int_equal(((unsigned char *)buf.data)[4], 2);
    v1[4] = 1;
    create(&b, "bayesopt", space, 9, NULL, NULL, NULL);
    if (b.cls->restore(b.state, &b.ctx, v1, buf.len - 8) != HPOLAB_OK)
        fail_msg("restore v1: %s", b.ctx.err.message);
    char *got = next(&b, 7, NULL);
    assert_string_equal(got, want);
    /* the same bytes as version 2 are short by the refit count */
    v1[4] = 2;
    assert_int_equal(b.cls->restore(b.state, &b.ctx, v1, buf.len - 8),
                     HPOLAB_ERR_PARSE);
    free(v1), free(want), free(got);
    hpolab_buffer_free(&buf);
    bh_searcher_destroy(&a);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

/* A state of one mode does not restore into the other. */
static void test_restore_wrong_mode(void **state)
{
    (void)state;
    struct hpolab_space *space = bh_space(BH_BRANIN_MF_SPACE);
    struct bh_searcher a, b;
    create(&a, "bayesopt", space, 1, NULL, NULL, NULL);
    create(&b, "bayesopt", space, 1, NULL, "epoch", "epochs");
    struct hpolab_buffer buf;
    hpolab_buffer_init(&buf);
    assert_int_equal(a.cls->save(a.state, &a.ctx, &buf), HPOLAB_OK);
    assert_int_equal(b.cls->restore(b.state, &b.ctx, buf.data, buf.len),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(b.ctx.err.message, "single-fidelity"));
    hpolab_buffer_free(&buf);
    bh_searcher_destroy(&a);
    bh_searcher_destroy(&b);
    hpolab_space_free(space);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_suggestions),
        cmocka_unit_test(test_model_seed),
        cmocka_unit_test(test_random_phase_is_random_search),
        cmocka_unit_test(test_pending_changes_suggestion),
        cmocka_unit_test(test_degenerate_data),
        cmocka_unit_test(test_option_errors),
        cmocka_unit_test(test_exhausted_space),
        cmocka_unit_test(test_mf_rung_data),
        cmocka_unit_test(test_mobster_through_asha),
        cmocka_unit_test(test_mobster_target_resource),
        cmocka_unit_test(test_save_restore),
        cmocka_unit_test(test_save_restore_mf),
        cmocka_unit_test(test_restore_wrong_mode),
        cmocka_unit_test(test_subsampling),
        cmocka_unit_test(test_fit_schedule),
        cmocka_unit_test(test_save_restore_schedule),
        cmocka_unit_test(test_restore_version1),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
