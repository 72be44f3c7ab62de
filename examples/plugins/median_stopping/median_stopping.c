/* median_stopping.c: the median stopping rule (Golovin et al. 2017; Syne
 * Tune's MedianStoppingRule), the scheduler 'median_stopping'. A trial is
 * stopped at resource level r >= grace_time when its running average of the
 * metric is worse than the rank_cutoff quantile of what other trials reached
 * at the same level, provided at least grace_population trials did.
 * Configurations come from the searcher the method names (random by
 * default). Options: grace_time (1), grace_population (5), rank_cutoff
 * (0.5). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <hpolab/hpolab.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct level { /* values trials reached at one resource level */
    double *v;
    size_t n, cap;
};

struct avg { /* running average of one trial */
    double sum;
    int64_t n;
};

struct msr {
    struct hpolab_searcher *searcher;
    char *metric, *resource_attr;
    int32_t mode;
    int64_t grace_time, grace_population;
    double rank_cutoff;
    struct level *levels; /* index = resource level */
    size_t n_levels;
    struct avg *trials; /* index = trial id */
    size_t n_trials;
};

static void HPOLAB_ABI msr_destroy(void *state)
{
    struct msr *m = state;
    if (!m)
        return;
    if (m->searcher)
        hpolab_host->searcher_destroy(m->searcher);
    for (size_t i = 0; i < m->n_levels; i++)
        free(m->levels[i].v);
    free(m->levels);
    free(m->trials);
    free(m->metric);
    free(m->resource_attr);
    free(m);
}

static int32_t read_options(struct msr *m, struct hpolab_ctx *ctx,
                            const struct hpolab_options *o)
{
    int32_t st = hpolab_host->option_int(ctx, o, "grace_time", 1,
                                         &m->grace_time);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, o, "grace_population", 5,
                                     &m->grace_population);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_double(ctx, o, "rank_cutoff", 0.5,
                                        &m->rank_cutoff);
    if (st == HPOLAB_OK && !(m->rank_cutoff > 0 && m->rank_cutoff < 1))
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "rank_cutoff must be in (0, 1), got %g",
                              m->rank_cutoff);
    if (st == HPOLAB_OK && m->grace_population < 1)
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "grace_population must be >= 1, got %lld",
                              (long long)m->grace_population);
    return st;
}

static int32_t HPOLAB_ABI msr_create(struct hpolab_ctx *ctx,
                                     const struct hpolab_scheduler_args *args,
                                     void **out_state)
{
    *out_state = NULL;
    if (!args->metric || !args->metric[0])
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "a metric name is required");
    if (!args->resource_attr || !args->resource_attr[0])
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "the benchmark must name its resource_attr "
                                "(e.g. \"epoch\"): the rule compares trials "
                                "at the same level");
    struct msr *m = calloc(1, sizeof *m);
    if (!m || !(m->metric = strdup(args->metric)) ||
        !(m->resource_attr = strdup(args->resource_attr))) {
        msr_destroy(m);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    m->mode = args->mode;
    int32_t st = read_options(m, ctx, args->options);
    struct hpolab_rng *seeds = NULL;
    if (st == HPOLAB_OK)
        st = hpolab_host->rng_create(ctx, args->random_seed, &seeds);
    if (st == HPOLAB_OK) {
        /* Syne Tune's order: the searcher's seed, then a model-based
         * searcher's second one (ABI 1.1 model_seed) */
        uint32_t seed = hpolab_host->rng_seed(seeds);
        uint32_t model_seed = hpolab_host->rng_seed(seeds);
        struct hpolab_searcher_args sa = {
            .struct_size = sizeof sa,
            .space = args->space,
            .metric = args->metric,
            .mode = args->mode,
            .random_seed = seed,
            .resource_attr = args->resource_attr,
            .max_resource_attr = args->max_resource_attr,
            .n_workers = args->n_workers,
            .options = args->searcher_options,
            .points_given = args->points_given,
            .num_points = args->num_points,
            .points = args->points,
            .model_seed = model_seed,
        };
        hpolab_host->rng_destroy(seeds);
        st = hpolab_host->searcher_create(
            ctx, args->searcher ? args->searcher : "random", &sa,
            &m->searcher);
    }
    if (st != HPOLAB_OK) {
        msr_destroy(m);
        return st;
    }
    *out_state = m;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI msr_suggest(void *state, struct hpolab_ctx *ctx,
                                      int64_t next_trial_id,
                                      struct hpolab_suggestion *out)
{
    struct msr *m = state;
    struct hpolab_config *config = NULL;
    int32_t st = hpolab_host->searcher_suggest(ctx, m->searcher,
                                               next_trial_id, &config);
    if (st != HPOLAB_OK)
        return st;
    out->action = config ? HPOLAB_SUGGEST_NEW : HPOLAB_SUGGEST_EXHAUSTED;
    out->trial_id = next_trial_id;
    out->checkpoint_trial_id = -1;
    out->config = config;
    return HPOLAB_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Grows arr (of elem bytes) to hold index i, zero-filled. */
static int grow(void **arr, size_t *n, size_t i, size_t elem)
{
    if (i < *n)
        return 1;
    size_t cap = i + 1 > 2 * *n ? i + 1 : 2 * *n;
    char *p = realloc(*arr, cap * elem);
    if (!p)
        return 0;
    memset(p + *n * elem, 0, (cap - *n) * elem);
    *arr = p;
    *n = cap;
    return 1;
}

static int32_t HPOLAB_ABI msr_on_trial_result(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result,
    int32_t *out_decision)
{
    struct msr *m = state;
    double value, resource;
    *out_decision = HPOLAB_DECISION_CONTINUE;
    if (hpolab_host->result_get_double(result, m->metric, &value) !=
            HPOLAB_OK ||
        isnan(value))
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld reported no number for the "
                                "metric '%s'",
                                (long long)trial_id, m->metric);
    if (hpolab_host->result_get_double(result, m->resource_attr, &resource) !=
            HPOLAB_OK ||
        !(resource >= 0 && resource < 1e7) || trial_id < 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld reported no level '%s' in [0, "
                                "1e7)",
                                (long long)trial_id, m->resource_attr);
    size_t r = (size_t)resource;
    if (!grow((void **)&m->trials, &m->n_trials, (size_t)trial_id,
              sizeof *m->trials) ||
        !grow((void **)&m->levels, &m->n_levels, r, sizeof *m->levels))
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    struct avg *a = &m->trials[trial_id];
    a->sum += m->mode == HPOLAB_MODE_MAX ? -value : value; /* minimised */
    a->n++;
    double mine = a->sum / (double)a->n;
    struct level *lv = &m->levels[r];
    if ((int64_t)r >= m->grace_time &&
        (int64_t)lv->n >= m->grace_population) {
        double *sorted = malloc(lv->n * sizeof *sorted);
        if (!sorted)
            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        memcpy(sorted, lv->v, lv->n * sizeof *sorted);
        qsort(sorted, lv->n, sizeof *sorted, cmp_double);
        double cutoff = sorted[(size_t)(m->rank_cutoff * (double)(lv->n - 1))];
        free(sorted);
        if (mine > cutoff)
            *out_decision = HPOLAB_DECISION_STOP;
    }
    if (lv->n == lv->cap) {
        size_t cap = lv->cap ? 2 * lv->cap : 16;
        double *v = realloc(lv->v, cap * sizeof *v);
        if (!v)
            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        lv->v = v;
        lv->cap = cap;
    }
    lv->v[lv->n++] = mine;
    return hpolab_host->searcher_on_trial_result(ctx, m->searcher, trial_id,
                                                 config, result);
}

static int32_t HPOLAB_ABI msr_on_trial_complete(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result)
{
    struct msr *m = state;
    return hpolab_host->searcher_on_trial_complete(ctx, m->searcher, trial_id,
                                                   config, result);
}

static int32_t HPOLAB_ABI msr_on_trial_error(void *state,
                                             struct hpolab_ctx *ctx,
                                             int64_t trial_id,
                                             const struct hpolab_config *config)
{
    struct msr *m = state;
    return hpolab_host->searcher_on_trial_error(ctx, m->searcher, trial_id,
                                                config);
}

static const struct hpolab_scheduler_class msr_class = {
    .struct_size = sizeof(struct hpolab_scheduler_class),
    .id = "median_stopping",
    .description = "Median stopping rule (Syne Tune's MedianStoppingRule)",
    .create = msr_create,
    .destroy = msr_destroy,
    .suggest = msr_suggest,
    .on_trial_result = msr_on_trial_result,
    .on_trial_complete = msr_on_trial_complete,
    .on_trial_error = msr_on_trial_error,
};

static int32_t msr_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_scheduler(ctx, &msr_class);
}

HPOLAB_PLUGIN_DEFINE(scheduler_median_stopping, "1.0.0",
                     "Median stopping rule scheduler (example plugin)", "MIT",
                     msr_init, NULL)
