/* fifo.c: the FIFO scheduler (Syne Tune's FIFOScheduler): every trial runs
 * to its end; configurations come from a searcher plugin created by name
 * (random search when the method names "random", BO with "bayesopt").
 * Seeds as schedulers reference §6.1: a seed generator RandomState(seed)
 * whose first draw seeds the searcher and whose second seeds a model-based
 * searcher's second RNG (BO's GP). */
#include <hpolab/hpolab.h>
#include <stdlib.h>
#include <string.h>

#include "searcher_link.h"

struct fifo {
    struct hpolab_searcher *searcher;
    char *metric;
};

static void HPOLAB_ABI fifo_destroy(void *state)
{
    struct fifo *f = state;
    if (!f)
        return;
    if (f->searcher)
        hpolab_host->searcher_destroy(f->searcher);
    free(f->metric);
    free(f);
}

static int32_t HPOLAB_ABI fifo_create(struct hpolab_ctx *ctx,
                                      const struct hpolab_scheduler_args *args,
                                      void **out_state)
{
    *out_state = NULL;
    if (!args->metric || !args->metric[0])
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "a metric name is required");
    struct fifo *f = calloc(1, sizeof *f);
    if (!f)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    f->metric = strdup(args->metric);
    struct hpolab_rng *seeds = NULL;
    int32_t st = f->metric ? hpolab_host->rng_create(ctx, args->random_seed,
                                                     &seeds)
                           : hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                              "out of memory");
    if (st == HPOLAB_OK) {
        uint32_t seed = hpolab_host->rng_seed(seeds);
        uint32_t model_seed = hpolab_host->rng_seed(seeds);
        hpolab_host->rng_destroy(seeds);
        /* FIFO is single-fidelity: no resource for its searcher, so a
         * multi-fidelity capable searcher (bayesopt) runs plain BO */
        st = hpolab_common_searcher_create(ctx, args, seed, model_seed, 0,
                                           &f->searcher);
    }
    if (st != HPOLAB_OK) {
        fifo_destroy(f);
        return st;
    }
    *out_state = f;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI fifo_suggest(void *state, struct hpolab_ctx *ctx,
                                       int64_t next_trial_id,
                                       struct hpolab_suggestion *out)
{
    struct fifo *f = state;
    struct hpolab_config *config = NULL;
    int32_t st = hpolab_host->searcher_suggest(ctx, f->searcher,
                                               next_trial_id, &config);
    if (st != HPOLAB_OK)
        return st;
    if (!config) {
        out->action = HPOLAB_SUGGEST_EXHAUSTED;
        return HPOLAB_OK;
    }
    out->action = HPOLAB_SUGGEST_NEW;
    out->trial_id = next_trial_id;
    out->checkpoint_trial_id = -1;
    out->config = config;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI fifo_on_trial_result(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result,
    int32_t *out_decision)
{
    struct fifo *f = state;
    double value;
    *out_decision = HPOLAB_DECISION_CONTINUE;
    if (hpolab_host->result_get_double(result, f->metric, &value) !=
        HPOLAB_OK)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld reported a result without a "
                                "number for the metric '%s'",
                                (long long)trial_id, f->metric);
    return hpolab_host->searcher_on_trial_result(ctx, f->searcher, trial_id,
                                                 config, result);
}

static int32_t HPOLAB_ABI fifo_on_trial_complete(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result)
{
    struct fifo *f = state;
    return hpolab_host->searcher_on_trial_complete(ctx, f->searcher, trial_id,
                                                   config, result);
}

static int32_t HPOLAB_ABI fifo_on_trial_error(void *state,
                                              struct hpolab_ctx *ctx,
                                              int64_t trial_id,
                                              const struct hpolab_config *config)
{
    struct fifo *f = state;
    return hpolab_host->searcher_on_trial_error(ctx, f->searcher, trial_id,
                                                config);
}

/* FIFO keeps no state of its own: its state is the searcher's. */
static int32_t HPOLAB_ABI fifo_save(void *state, struct hpolab_ctx *ctx,
                                    struct hpolab_buffer *out)
{
    struct fifo *f = state;
    return hpolab_host->searcher_save(ctx, f->searcher, out);
}

static int32_t HPOLAB_ABI fifo_restore(void *state, struct hpolab_ctx *ctx,
                                       const void *data, uint64_t size)
{
    struct fifo *f = state;
    return hpolab_host->searcher_restore(ctx, f->searcher, data, size);
}

static const struct hpolab_scheduler_class fifo_class = {
    .struct_size = sizeof(struct hpolab_scheduler_class),
    .id = "fifo",
    .description = "First-in first-out: every trial runs to completion; "
                   "configurations from a searcher",
    .create = fifo_create,
    .destroy = fifo_destroy,
    .suggest = fifo_suggest,
    .on_trial_result = fifo_on_trial_result,
    .on_trial_complete = fifo_on_trial_complete,
    .on_trial_error = fifo_on_trial_error,
    .save = fifo_save,
    .restore = fifo_restore,
};

static int32_t fifo_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_scheduler(ctx, &fifo_class);
}

HPOLAB_PLUGIN_DEFINE(scheduler_fifo, "1.0.0",
                     "FIFO scheduler (Syne Tune's FIFOScheduler)", "Apache-2.0",
                     fifo_init, NULL)
