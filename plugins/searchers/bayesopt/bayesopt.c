/* bayesopt.c: the searcher plugin "bayesopt" — Gaussian-process Bayesian
 * optimisation (Syne Tune's GPFIFOSearcher, schedulers reference §3) and,
 * in multi-fidelity mode, MOBSTER's searcher (GPMultiFidelitySearcher, §5).
 *
 * Mode: multi-fidelity iff the scheduler passes a resource_attr (the asha
 * scheduler does; fifo passes none), unless the option multi_fidelity says
 * otherwise. In that mode the searcher keeps the observations at the rung
 * levels and at max_t (§5.3); the rung levels are computed like asha's from
 * the options grace_period (1), reduction_factor (3) and max_t (default:
 * the constant max_resource_attr entry of the space, else epochs, max_t or
 * max_epochs), which must match the scheduler's when those are changed:
 * the ABI does not pass the scheduler's rung levels to its searcher.
 * Pending evaluations (no register_pending in the ABI): a suggested trial
 * is pending at the first rung; a report between rungs marks its trial
 * pending at the next rung level (or max_t).
 *
 * Seeds: the searcher RNG is RandomState(random_seed), the GP RNG (restart
 * perturbations, fantasies) RandomState(model_seed): the scheduler's first
 * and second seed draws, as in Syne Tune (§6.1). From a 1.0 caller, whose
 * arguments end before model_seed, the GP seed is the first seed draw of
 * random_seed. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo_searcher.h"

#define HAS_ARG(a, f)                                                   \
    (offsetof(struct hpolab_searcher_args, f) + sizeof((a)->f) <=       \
     (a)->struct_size)

static void free_initial(struct bo_searcher *s)
{
    for (size_t i = 0; i < s->ninitial; i++)
        if (s->initial[i])
            hpolab_host->config_free(s->initial[i]);
    free(s->initial);
    s->initial = NULL;
    s->ninitial = s->next_initial = 0;
}

void bo_release_state(struct bo_searcher *s)
{
    bo_rng_close(&s->rng);
    bo_rng_close(&s->gp_rng);
    free_initial(s);
    for (size_t i = 0; i < s->ntrials; i++) {
        if (s->trials[i].config)
            hpolab_host->config_free(s->trials[i].config);
        free(s->trials[i].x);
    }
    free(s->trials);
    free(s->obs);
    free(s->pend);
    s->trials = NULL;
    s->obs = NULL;
    s->pend = NULL;
    s->ntrials = s->cap_trials = s->nobs = s->cap_obs = 0;
    s->npend = s->cap_pend = 0;
    if (s->excluded)
        hpolab_host->config_set_destroy(s->excluded);
    s->excluded = NULL;
    bo_model_free(&s->model);
    bo_ws_free(&s->ws);
    s->fitted = 0;
    s->fit_nobs = s->growths = s->fits = 0;
}

static void HPOLAB_ABI bo_destroy(void *state)
{
    struct bo_searcher *s = state;
    if (!s)
        return;
    bo_release_state(s);
    free(s->rungs);
    free(s->metric);
    free(s->resource_attr);
    free(s);
}

/* JSON text equality: Syne Tune drops an initial configuration whose
 * imputed values equal an earlier one's. */
static int same_config(const struct hpolab_config *a,
                       const struct hpolab_config *b)
{
    char *ta = hpolab_host->config_to_json(a);
    char *tb = hpolab_host->config_to_json(b);
    int same = ta && tb && strcmp(ta, tb) == 0;
    hpolab_host->free(ta);
    hpolab_host->free(tb);
    return same;
}

static int32_t add_initial(struct bo_searcher *s, struct hpolab_ctx *ctx,
                           const struct hpolab_config *partial)
{
    struct hpolab_config *c;
    int32_t st = hpolab_host->space_default_config(ctx, s->space, partial, &c);
    if (st != HPOLAB_OK)
        return st;
    for (size_t i = 0; i < s->ninitial; i++)
        if (same_config(s->initial[i], c)) {
            hpolab_host->config_free(c);
            return HPOLAB_OK;
        }
    struct hpolab_config **l =
        realloc(s->initial, (s->ninitial + 1) * sizeof *l);
    if (!l) {
        hpolab_host->config_free(c);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    s->initial = l;
    s->initial[s->ninitial++] = c;
    return HPOLAB_OK;
}

/* Accepts only the value §3.1 describes for options kept for Syne Tune
 * compatibility whose alternatives are not implemented. */
static int32_t only_value(struct hpolab_ctx *ctx,
                          const struct hpolab_options *o, const char *name,
                          const char *value)
{
    const char *v;
    int32_t st = hpolab_host->option_string(ctx, o, name, value, &v);
    if (st == HPOLAB_OK && strcmp(v, value) != 0)
        st = hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                              "%s: only \"%s\" is implemented, got \"%s\"",
                              name, value, v);
    return st;
}

static int32_t only_false(struct hpolab_ctx *ctx,
                          const struct hpolab_options *o, const char *name)
{
    int32_t v = 0;
    int32_t st = hpolab_host->option_bool(ctx, o, name, 0, &v);
    if (st == HPOLAB_OK && v)
        st = hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                              "%s = true is not implemented", name);
    return st;
}

static int32_t positive(struct hpolab_ctx *ctx, const char *name, int64_t v,
                        int64_t min)
{
    if (v >= min)
        return HPOLAB_OK;
    return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                            "%s must be >= %lld, got %lld", name,
                            (long long)min, (long long)v);
}

static int32_t read_options(struct bo_searcher *s, struct hpolab_ctx *ctx,
                            const struct hpolab_options *o)
{
    struct bo_options *b = &s->o;
    const char *scoring = NULL, *reward = NULL, *cost = NULL;
    int32_t st = hpolab_host->option_int(ctx, o, "num_init_random",
                                         s->mf ? 6 : 3, &b->num_init_random);
#define INT_OPT(name, dflt)                                                  \
    if (st == HPOLAB_OK)                                                     \
    st = hpolab_host->option_int(ctx, o, #name, dflt, &b->name)
#define BOOL_OPT(name, dflt)                                                 \
    if (st == HPOLAB_OK)                                                     \
    st = hpolab_host->option_bool(ctx, o, #name, dflt, &b->name)
    INT_OPT(num_init_candidates, 250);
    INT_OPT(opt_nstarts, 2);
    INT_OPT(opt_maxiter, 50);
    INT_OPT(opt_skip_init_length, 150);
    INT_OPT(opt_skip_period, 2);
    INT_OPT(num_fantasy_samples, 20);
    INT_OPT(max_size_data_for_model, 500);
    INT_OPT(fit_threads, 2);
    INT_OPT(opt_restart_period, 0);
    INT_OPT(opt_warm_init_length, 64);
    INT_OPT(opt_fit_max_size, 256);
    BOOL_OPT(opt_warmstart, 1);
    BOOL_OPT(no_fantasizing, 0);
    BOOL_OPT(normalize_targets, 1);
    BOOL_OPT(skip_local_optimization, 0);
    BOOL_OPT(allow_duplicates, 0);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_double(ctx, o, "max_size_top_fraction", 0.25,
                                        &b->max_size_top_fraction);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, o, "initial_scoring",
                                        "thompson_indep", &scoring);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, o, "map_reward", "1_minus_x",
                                        &reward);
    /* cost is only bookkeeping in Syne Tune (§5.7): accepted, unused */
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, o, "cost_attr", "elapsed_time",
                                        &cost);
    if (st == HPOLAB_OK)
        st = only_value(ctx, o, "acq_function", "ei");
    if (st == HPOLAB_OK)
        st = only_value(ctx, o, "gp_base_kernel", "matern52-ard");
    if (st == HPOLAB_OK)
        st = only_false(ctx, o, "input_warping");
    if (st == HPOLAB_OK)
        st = only_false(ctx, o, "boxcox_transform");
    if (st == HPOLAB_OK && s->mf) {
        st = only_value(ctx, o, "model", "gp_multitask");
        if (st == HPOLAB_OK)
            st = only_value(ctx, o, "gp_resource_kernel", "exp-decay-sum");
        if (st == HPOLAB_OK)
            st = only_value(ctx, o, "resource_acq", "bohb");
        INT_OPT(resource_acq_bohb_threshold, 3);
    }
#undef INT_OPT
#undef BOOL_OPT
    if (st != HPOLAB_OK)
        return st;
    if (!strcmp(scoring, "thompson_indep"))
        b->acq_scoring = 0;
    else if (!strcmp(scoring, "acq_func"))
        b->acq_scoring = 1;
    else
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "initial_scoring must be \"thompson_indep\" "
                                "or \"acq_func\", got \"%s\"",
                                scoring);
    /* "<c>_minus_x": criterion c - metric; "minus_x": -metric */
    const char *us = strstr(reward, "minus_x");
    char *end = NULL;
    if (!strcmp(reward, "minus_x")) {
        b->reward_const = 0.0;
    } else if (us && us > reward && us[-1] == '_' && !strcmp(us, "minus_x") &&
               (b->reward_const = strtod(reward, &end), end == us - 1) &&
               isfinite(b->reward_const)) {
        /* parsed */
    } else {
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "map_reward must be \"minus_x\" or "
                                "\"<number>_minus_x\", got \"%s\"",
                                reward);
    }
    if ((st = positive(ctx, "num_init_random", b->num_init_random, 0)) ||
        (st = positive(ctx, "num_init_candidates", b->num_init_candidates,
                       1)) ||
        (st = positive(ctx, "opt_nstarts", b->opt_nstarts, 1)) ||
        (st = positive(ctx, "opt_maxiter", b->opt_maxiter, 1)) ||
        (st = positive(ctx, "fit_threads", b->fit_threads, 1)) ||
        (st = positive(ctx, "opt_skip_period", b->opt_skip_period, 1)) ||
        (st = positive(ctx, "opt_restart_period", b->opt_restart_period, 0)) ||
        (st = positive(ctx, "opt_warm_init_length", b->opt_warm_init_length,
                       0)) ||
        (st = positive(ctx, "opt_fit_max_size", b->opt_fit_max_size, 0)) ||
        (st = positive(ctx, "num_fantasy_samples", b->num_fantasy_samples,
                       1)) ||
        (st = positive(ctx, "max_size_data_for_model",
                       b->max_size_data_for_model, 2)))
        return st;
    if (!(b->max_size_top_fraction >= 0.0 && b->max_size_top_fraction <= 1.0))
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "max_size_top_fraction must lie in [0, 1], "
                                "got %g",
                                b->max_size_top_fraction);
    b->xi = 0.01;
    b->opt_tol = 1e-6;
    return HPOLAB_OK;
}

/* max_t for the resource encoding (§5.2), as asha infers it. */
static int32_t infer_max_t(struct bo_searcher *s, struct hpolab_ctx *ctx,
                           const struct hpolab_searcher_args *args,
                           const struct hpolab_options *o)
{
    int32_t st = hpolab_host->option_int(ctx, o, "max_t", -1, &s->max_t);
    if (st != HPOLAB_OK || s->max_t != -1)
        return st == HPOLAB_OK ? positive(ctx, "max_t", s->max_t, 2) : st;
    const char *names[] = {args->max_resource_attr, "epochs", "max_t",
                           "max_epochs"};
    struct hpolab_config *full = NULL;
    st = hpolab_host->space_default_config(ctx, s->space, NULL, &full);
    if (st != HPOLAB_OK)
        return st;
    uint32_t count = hpolab_host->space_count(s->space);
    for (size_t k = 0; k < 4 && s->max_t == -1; k++) {
        if (!names[k])
            continue;
        for (uint32_t i = 0; i < count; i++) {
            if (strcmp(hpolab_host->space_name(s->space, i), names[k]) ||
                strcmp(hpolab_host->space_domain(s->space, i), "constant"))
                continue;
            int32_t idx = hpolab_host->config_index(full, names[k]);
            if (idx < 0 || hpolab_host->config_get_int(full, (uint32_t)idx,
                                                       &s->max_t) != HPOLAB_OK)
                s->max_t = -2;
            break;
        }
    }
    hpolab_host->config_free(full);
    if (s->max_t < 2)
        return hpolab_set_error(
            ctx, HPOLAB_ERR_INVALID,
            "multi-fidelity mode needs max_t >= 2: give the option max_t, or "
            "an integer constant max_resource_attr (or epochs, max_t, "
            "max_epochs) in the configuration space");
    return HPOLAB_OK;
}

/* Rung levels as asha computes them (§4.2). */
static int32_t rung_levels(struct bo_searcher *s, struct hpolab_ctx *ctx,
                           const struct hpolab_options *o)
{
    int64_t r_min = 1;
    double eta = 3.0;
    int32_t st = hpolab_host->option_int(ctx, o, "grace_period", 1, &r_min);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_double(ctx, o, "reduction_factor", 3.0, &eta);
    if (st != HPOLAB_OK)
        return st;
    if (r_min < 1 || r_min >= s->max_t || !(eta >= 2.0))
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "need 1 <= grace_period < max_t and "
                                "reduction_factor >= 2, got %lld, %lld, %g",
                                (long long)r_min, (long long)s->max_t, eta);
    size_t k_max = 0;
    while ((double)r_min * pow(eta, (double)k_max) < (double)s->max_t)
        k_max++;
    s->rungs = malloc((k_max ? k_max : 1) * sizeof *s->rungs);
    if (!s->rungs)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < k_max; k++) {
        int64_t level = (int64_t)nearbyint((double)r_min * pow(eta, (double)k));
        if (level >= s->max_t)
            break;
        s->rungs[s->nrungs++] = level;
    }
    return HPOLAB_OK;
}

/* The GP RNG's seed: model_seed, or from a 1.0 caller the first seed
 * draw of random_seed. */
static int32_t gp_seed_of(struct hpolab_ctx *ctx,
                          const struct hpolab_searcher_args *args,
                          uint32_t *out)
{
    if (HAS_ARG(args, model_seed)) {
        *out = args->model_seed;
        return HPOLAB_OK;
    }
    struct hpolab_rng *seeds = NULL;
    int32_t st = hpolab_host->rng_create(ctx, args->random_seed, &seeds);
    if (st == HPOLAB_OK) {
        *out = hpolab_host->rng_seed(seeds);
        hpolab_host->rng_destroy(seeds);
    }
    return st;
}

/* Everything restore rebuilds: RNGs, exclusion set, model, initial list. */
int32_t bo_open_state(struct bo_searcher *s, struct hpolab_ctx *ctx,
                      uint32_t seed, uint32_t gp_seed);
int32_t bo_open_state(struct bo_searcher *s, struct hpolab_ctx *ctx,
                      uint32_t seed, uint32_t gp_seed)
{
    int32_t st = bo_rng_open(&s->rng, ctx, seed);
    if (st == HPOLAB_OK)
        st = bo_rng_open(&s->gp_rng, ctx, gp_seed);
    if (st == HPOLAB_OK)
        st = hpolab_host->config_set_create(ctx, s->space, &s->excluded);
    if (st == HPOLAB_OK && bo_model_init(&s->model, s->mf, s->d) != 0)
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    return st;
}

static int32_t HPOLAB_ABI bo_create(struct hpolab_ctx *ctx,
                                    const struct hpolab_searcher_args *args,
                                    void **out_state)
{
    *out_state = NULL;
    if (!HAS_ARG(args, options) || !args->space)
        return hpolab_set_error(ctx, HPOLAB_ERR_ABI,
                                "searcher arguments too small (%u bytes)",
                                args->struct_size);
    if (!args->metric || !args->metric[0])
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "a metric name is required");
    struct bo_searcher *s = calloc(1, sizeof *s);
    if (!s)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    s->space = args->space;
    s->mode = args->mode;
    s->d = hpolab_host->space_encoded_dim(args->space);
    s->metric = strdup(args->metric);
    int has_res = args->resource_attr && args->resource_attr[0];
    s->resource_attr = has_res ? strdup(args->resource_attr) : NULL;
    int32_t st = (!s->metric || (has_res && !s->resource_attr))
                     ? hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory")
                     : HPOLAB_OK;
    int32_t mf = has_res;
    if (st == HPOLAB_OK)
        st = hpolab_host->option_bool(ctx, args->options, "multi_fidelity",
                                      has_res, &mf);
    if (st == HPOLAB_OK && mf && !has_res)
        st = hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                              "multi_fidelity needs the scheduler's "
                              "resource_attr (use the asha scheduler)");
    s->mf = mf;
    if (st == HPOLAB_OK)
        st = read_options(s, ctx, args->options);
    if (st == HPOLAB_OK && s->mf)
        st = infer_max_t(s, ctx, args, args->options);
    if (st == HPOLAB_OK && s->mf)
        st = rung_levels(s, ctx, args->options);
    uint32_t gp_seed = 0;
    if (st == HPOLAB_OK)
        st = gp_seed_of(ctx, args, &gp_seed);
    if (st == HPOLAB_OK)
        st = bo_open_state(s, ctx, args->random_seed, gp_seed);
    int given = HAS_ARG(args, points) && args->points_given;
    if (st == HPOLAB_OK && !given)
        st = add_initial(s, ctx, NULL);
    for (uint32_t i = 0; st == HPOLAB_OK && given && i < args->num_points; i++)
        st = add_initial(s, ctx, args->points[i]);
    if (st != HPOLAB_OK) {
        bo_destroy(s);
        return st;
    }
    *out_state = s;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI bo_suggest_cb(void *state, struct hpolab_ctx *ctx,
                                        int64_t trial_id,
                                        struct hpolab_config **out_config)
{
    return bo_suggest(state, ctx, trial_id, out_config);
}

/* The trial's index, registering it when it was not suggested here. -1
 * when unknown and config is NULL. */
static int32_t trial_index(struct bo_searcher *s, struct hpolab_ctx *ctx,
                           int64_t id, const struct hpolab_config *config,
                           long *out)
{
    *out = bo_find_trial(s, id);
    if (*out >= 0 || !config)
        return HPOLAB_OK;
    size_t idx;
    int32_t st = bo_add_trial(s, ctx, id, config, &idx);
    if (st == HPOLAB_OK)
        *out = (long)idx;
    return st;
}

static int read_resource(const struct bo_searcher *s,
                         const struct hpolab_result *result, int64_t *r)
{
    double v;
    if (hpolab_host->result_get_double(result, s->resource_attr, &v) !=
            HPOLAB_OK ||
        !(v >= 1.0) || v > 9e15)
        return 0;
    *r = (int64_t)v;
    return 1;
}

/* Multi-fidelity: observations at rung levels and max_t (§5.3). */
static int32_t HPOLAB_ABI bo_on_trial_result(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result)
{
    struct bo_searcher *s = state;
    double y;
    int64_t r;
    if (!s->mf ||
        hpolab_host->result_get_double(result, s->metric, &y) != HPOLAB_OK ||
        !read_resource(s, result, &r))
        return HPOLAB_OK; /* single fidelity learns from final results */
    long t;
    int32_t st = trial_index(s, ctx, trial_id, config, &t);
    if (st != HPOLAB_OK || t < 0 || !isfinite(y))
        return st;
    if (r > s->max_t)
        r = s->max_t;
    if (bo_is_rung(s, r) || r == s->max_t) {
        bo_remove_pending(s, (size_t)t, r);
        if (bo_get_obs(s, (size_t)t, r))
            return HPOLAB_OK; /* a second update is suppressed */
        return bo_set_obs(s, ctx, (size_t)t, r, bo_criterion(s, y));
    }
    int64_t next = bo_next_milestone(s, r);
    bo_remove_pending(s, (size_t)t, r);
    if (bo_get_obs(s, (size_t)t, next))
        return HPOLAB_OK;
    return bo_add_pending(s, ctx, (size_t)t, next);
}

static int32_t HPOLAB_ABI bo_on_trial_complete(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result)
{
    struct bo_searcher *s = state;
    long t;
    int32_t st = trial_index(s, ctx, trial_id, config, &t);
    if (st != HPOLAB_OK || t < 0)
        return st;
    double y;
    int has_y = result &&
                hpolab_host->result_get_double(result, s->metric, &y) ==
                    HPOLAB_OK &&
                isfinite(y);
    bo_remove_pending(s, (size_t)t, INT64_MAX);
    if (!s->mf) {
        if (has_y)
            return bo_set_obs(s, ctx, (size_t)t, 0, bo_criterion(s, y));
        /* no usable value: like a failure, so it is not pending forever */
        s->trials[t].failed = 1;
        if (s->o.allow_duplicates) {
            int32_t added;
            return hpolab_host->config_set_add(ctx, s->excluded,
                                               s->trials[t].config, &added);
        }
        return HPOLAB_OK;
    }
    int64_t r;
    if (!has_y || !read_resource(s, result, &r))
        return HPOLAB_OK;
    if (r > s->max_t)
        r = s->max_t;
    for (size_t i = 0; i < s->nobs; i++)
        if (s->obs[i].trial == (size_t)t && s->obs[i].r >= r)
            return HPOLAB_OK;
    return bo_set_obs(s, ctx, (size_t)t, r, bo_criterion(s, y));
}

static int32_t HPOLAB_ABI bo_on_trial_error(void *state,
                                            struct hpolab_ctx *ctx,
                                            int64_t trial_id,
                                            const struct hpolab_config *config)
{
    struct bo_searcher *s = state;
    long t;
    int32_t st = trial_index(s, ctx, trial_id, config, &t);
    if (st != HPOLAB_OK || t < 0)
        return st;
    bo_remove_pending(s, (size_t)t, INT64_MAX);
    s->trials[t].failed = 1;
    if (s->o.allow_duplicates) {
        int32_t added;
        return hpolab_host->config_set_add(ctx, s->excluded,
                                           s->trials[t].config, &added);
    }
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI bo_save_cb(void *state, struct hpolab_ctx *ctx,
                                     struct hpolab_buffer *out)
{
    return bo_save(state, ctx, out);
}

static int32_t HPOLAB_ABI bo_restore_cb(void *state, struct hpolab_ctx *ctx,
                                        const void *data, uint64_t size)
{
    return bo_restore(state, ctx, data, size);
}

static const struct hpolab_searcher_class bayesopt_class = {
    .struct_size = sizeof(struct hpolab_searcher_class),
    .id = "bayesopt",
    .description = "Gaussian-process Bayesian optimisation (Syne Tune's "
                   "GPFIFOSearcher); MOBSTER's multi-fidelity searcher "
                   "under the asha scheduler",
    .create = bo_create,
    .destroy = bo_destroy,
    .suggest = bo_suggest_cb,
    .on_trial_result = bo_on_trial_result,
    .on_trial_complete = bo_on_trial_complete,
    .on_trial_error = bo_on_trial_error,
    .save = bo_save_cb,
    .restore = bo_restore_cb,
};

/* OpenBLAS 0.3.21 (Debian 12) does not know recent Intel models and falls
 * back to its SSE3 "Prescott" kernels, about half as fast here as the AVX
 * ones. Its core is chosen when the library loads, before this plugin
 * runs, so the plugin only says how to choose it (README). */
static void blas_core_hint(struct hpolab_ctx *ctx)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    const char *core = openblas_get_corename();
    if (!core || strcmp(core, "Prescott") != 0 || getenv("OPENBLAS_CORETYPE"))
        return;
    const char *better = __builtin_cpu_supports("avx512f")  ? "SkylakeX"
                         : __builtin_cpu_supports("avx2")   ? "Haswell"
                         : NULL;
    if (better)
        hpolab_log(ctx, HPOLAB_LOG_INFO,
                   "OpenBLAS uses its generic Prescott kernels on this CPU; "
                   "OPENBLAS_CORETYPE=%s in the environment makes the GP "
                   "fit about twice as fast",
                   better);
#else
    (void)ctx;
#endif
}

static int32_t bayesopt_init(struct hpolab_ctx *ctx)
{
    /* The matrices are small (n <= 500 + pending): OpenBLAS threads only
     * add synchronisation cost, badly so on a loaded machine. The setting
     * is process-wide; the host itself does not use BLAS. */
    openblas_set_num_threads(1);
    blas_core_hint(ctx);
    return hpolab_register_searcher(ctx, &bayesopt_class);
}

HPOLAB_PLUGIN_DEFINE(searcher_bayesopt, "1.0.0",
                     "Gaussian-process BO and MOBSTER searcher",
                     "Apache-2.0", bayesopt_init, NULL)
