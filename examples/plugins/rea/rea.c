/* rea.c: regularized evolution (Real et al. 2019; Syne Tune's
 * RegularizedEvolution), the searcher 'rea'. The first population_size
 * configurations are random; after that, sample_size members of the
 * population (the last population_size completed trials) are drawn, the best
 * of them is mutated in one hyperparameter, and the oldest member ages out.
 * Options: population_size (default 100), sample_size (default 10). */
#include <hpolab/hpolab.h>
#include <stdlib.h>
#include <string.h>

struct member {
    struct hpolab_config *config; /* owned: config_free */
    double score;                 /* the metric, minimised (sign by mode) */
};

struct rea {
    const struct hpolab_space *space;
    const char *metric; /* borrowed from the args */
    int32_t mode;
    int64_t population_size, sample_size;
    struct hpolab_rng *rng;
    struct member *pop; /* ring of population_size */
    int64_t n_pop, head;
    int64_t n_suggested;
};

static void HPOLAB_ABI rea_destroy(void *state)
{
    struct rea *r = state;
    if (!r)
        return;
    for (int64_t i = 0; i < r->n_pop; i++)
        hpolab_host->config_free(r->pop[i].config);
    free(r->pop);
    if (r->rng)
        hpolab_host->rng_destroy(r->rng);
    free(r);
}

static int32_t HPOLAB_ABI rea_create(struct hpolab_ctx *ctx,
                                     const struct hpolab_searcher_args *args,
                                     void **out_state)
{
    *out_state = NULL;
    struct rea *r = calloc(1, sizeof *r);
    if (!r)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    r->space = args->space;
    r->metric = args->metric;
    r->mode = args->mode;
    int32_t st = hpolab_host->option_int(ctx, args->options, "population_size",
                                         100, &r->population_size);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, args->options, "sample_size", 10,
                                     &r->sample_size);
    if (st == HPOLAB_OK && r->population_size < 1)
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "population_size must be >= 1, got %lld",
                              (long long)r->population_size);
    if (st == HPOLAB_OK &&
        (r->sample_size < 1 || r->sample_size > r->population_size))
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "sample_size must be in [1, population_size = "
                              "%lld], got %lld",
                              (long long)r->population_size,
                              (long long)r->sample_size);
    if (st == HPOLAB_OK && !(r->pop = calloc((size_t)r->population_size,
                                             sizeof *r->pop)))
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (st == HPOLAB_OK)
        st = hpolab_host->rng_create(ctx, args->random_seed, &r->rng);
    if (st != HPOLAB_OK) {
        rea_destroy(r);
        return st;
    }
    *out_state = r;
    return HPOLAB_OK;
}

/* Copies hyperparameter name from src into dst (its type kept). */
static int32_t copy_value(struct hpolab_ctx *ctx, struct hpolab_config *dst,
                          const struct hpolab_config *src, const char *name)
{
    int32_t i = hpolab_host->config_index(src, name);
    if (i < 0)
        return HPOLAB_OK;
    int64_t iv;
    double dv;
    switch (hpolab_host->config_type(src, (uint32_t)i)) {
    case HPOLAB_VALUE_INT:
        hpolab_host->config_get_int(src, (uint32_t)i, &iv);
        return hpolab_host->config_set_int(ctx, dst, name, iv);
    case HPOLAB_VALUE_DOUBLE:
        hpolab_host->config_get_double(src, (uint32_t)i, &dv);
        return hpolab_host->config_set_double(ctx, dst, name, dv);
    case HPOLAB_VALUE_STRING:
        return hpolab_host->config_set_string(
            ctx, dst, name, hpolab_host->config_get_string(src, (uint32_t)i));
    case HPOLAB_VALUE_BOOL:
        hpolab_host->config_get_int(src, (uint32_t)i, &iv);
        return hpolab_host->config_set_bool(ctx, dst, name, (int32_t)iv);
    default:
        return HPOLAB_OK; /* lists stay the parent's */
    }
}

/* The best of sample_size members drawn with replacement, mutated in one
 * hyperparameter resampled from its domain. */
static int32_t mutate(struct rea *r, struct hpolab_ctx *ctx,
                      struct hpolab_config **out)
{
    const struct member *best = NULL;
    for (int64_t k = 0; k < r->sample_size; k++) {
        const struct member *m =
            &r->pop[hpolab_host->rng_randint(r->rng, 0, r->n_pop)];
        if (!best || m->score < best->score)
            best = m;
    }
    uint32_t n = hpolab_host->space_count(r->space), n_hp = 0;
    for (uint32_t i = 0; i < n; i++)
        n_hp += strcmp(hpolab_host->space_domain(r->space, i), "constant") != 0;
    int32_t st = hpolab_host->config_dup(ctx, best->config, out);
    if (st != HPOLAB_OK || n_hp == 0)
        return st;
    int64_t pick = hpolab_host->rng_randint(r->rng, 0, n_hp);
    const char *name = NULL;
    for (uint32_t i = 0; i < n && !name; i++)
        if (strcmp(hpolab_host->space_domain(r->space, i), "constant") != 0 &&
            pick-- == 0)
            name = hpolab_host->space_name(r->space, i);
    struct hpolab_config *fresh = NULL;
    st = hpolab_host->space_sample(ctx, r->space, r->rng, &fresh);
    if (st == HPOLAB_OK)
        st = copy_value(ctx, *out, fresh, name);
    hpolab_host->config_free(fresh);
    if (st != HPOLAB_OK) {
        hpolab_host->config_free(*out);
        *out = NULL;
    }
    return st;
}

static int32_t HPOLAB_ABI rea_suggest(void *state, struct hpolab_ctx *ctx,
                                      int64_t trial_id,
                                      struct hpolab_config **out_config)
{
    struct rea *r = state;
    (void)trial_id;
    int32_t st = r->n_pop < r->population_size
                     ? hpolab_host->space_sample(ctx, r->space, r->rng,
                                                 out_config)
                     : mutate(r, ctx, out_config);
    if (st == HPOLAB_OK)
        r->n_suggested++;
    return st;
}

static int32_t HPOLAB_ABI rea_on_trial_complete(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result)
{
    struct rea *r = state;
    double v;
    if (hpolab_host->result_get_double(result, r->metric, &v) != HPOLAB_OK ||
        v != v)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld completed without a number for "
                                "the metric '%s'",
                                (long long)trial_id, r->metric);
    struct hpolab_config *copy = NULL;
    int32_t st = hpolab_host->config_dup(ctx, config, &copy);
    if (st != HPOLAB_OK)
        return st;
    /* The population is a queue: the oldest member leaves. */
    struct member *slot;
    if (r->n_pop < r->population_size) {
        slot = &r->pop[r->n_pop++];
    } else {
        slot = &r->pop[r->head];
        r->head = (r->head + 1) % r->population_size;
        hpolab_host->config_free(slot->config);
    }
    slot->config = copy;
    slot->score = r->mode == HPOLAB_MODE_MAX ? -v : v;
    return HPOLAB_OK;
}

static const struct hpolab_searcher_class rea_class = {
    .struct_size = sizeof(struct hpolab_searcher_class),
    .id = "rea",
    .description = "Regularized evolution (Syne Tune's RegularizedEvolution)",
    .create = rea_create,
    .destroy = rea_destroy,
    .suggest = rea_suggest,
    .on_trial_complete = rea_on_trial_complete,
};

static int32_t rea_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_searcher(ctx, &rea_class);
}

HPOLAB_PLUGIN_DEFINE(searcher_rea, "1.0.0",
                     "Regularized evolution searcher (example plugin)", "MIT",
                     rea_init, NULL)
