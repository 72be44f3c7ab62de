/* fx_warmstart.c: a test scheduler (scheduler_fx_warmstart) that starts
 * trial 0 at the space's default configuration, and once it completed,
 * trial 1 with the same configuration but twice the epochs, warm-started
 * from trial 0's checkpoint (checkpoint_trial_id = 0). Then it is done.
 * It exercises the tuner's "new trial from another trial's checkpoint". */
#include <hpolab/hpolab.h>
#include <stdlib.h>

struct warmstart {
    const struct hpolab_space *space;
    const char *max_resource_attr;
    int trial0_done;
    int started;
};

static int32_t HPOLAB_ABI ws_create(struct hpolab_ctx *ctx,
                                    const struct hpolab_scheduler_args *args,
                                    void **out)
{
    if (!args->max_resource_attr)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "needs max_resource_attr");
    struct warmstart *w = calloc(1, sizeof *w);
    if (!w)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    w->space = args->space;
    w->max_resource_attr = args->max_resource_attr;
    *out = w;
    return HPOLAB_OK;
}

static void HPOLAB_ABI ws_destroy(void *state) { free(state); }

static int32_t HPOLAB_ABI ws_suggest(void *state, struct hpolab_ctx *ctx,
                                     int64_t next_trial_id,
                                     struct hpolab_suggestion *out)
{
    struct warmstart *w = state;
    out->checkpoint_trial_id = -1;
    if (w->started == 2) {
        out->action = HPOLAB_SUGGEST_EXHAUSTED;
        return HPOLAB_OK;
    }
    if (w->started == 1 && !w->trial0_done) {
        out->action = HPOLAB_SUGGEST_NOTHING;
        return HPOLAB_OK;
    }
    struct hpolab_config *c = NULL;
    int32_t st = hpolab_host->space_default_config(ctx, w->space, NULL, &c);
    int32_t idx = st == HPOLAB_OK ? hpolab_host->config_index(c, w->max_resource_attr) : -1;
    int64_t epochs = 0;
    if (st == HPOLAB_OK &&
        (idx < 0 || hpolab_host->config_get_int(c, (uint32_t)idx, &epochs) != HPOLAB_OK))
        st = hpolab_set_error(ctx, HPOLAB_ERR_INVALID, "no integer %s",
                              w->max_resource_attr);
    if (st == HPOLAB_OK && w->started == 1) {
        st = hpolab_host->config_set_int(ctx, c, w->max_resource_attr, 2 * epochs);
        out->checkpoint_trial_id = 0;
    }
    if (st != HPOLAB_OK) {
        hpolab_host->config_free(c);
        return st;
    }
    out->action = HPOLAB_SUGGEST_NEW;
    out->trial_id = next_trial_id;
    out->config = c;
    w->started++;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI ws_on_trial_result(void *state, struct hpolab_ctx *ctx,
                                             int64_t trial_id,
                                             const struct hpolab_config *config,
                                             const struct hpolab_result *result,
                                             int32_t *out_decision)
{
    (void)state, (void)ctx, (void)trial_id, (void)config, (void)result;
    *out_decision = HPOLAB_DECISION_CONTINUE;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI ws_on_trial_complete(void *state, struct hpolab_ctx *ctx,
                                               int64_t trial_id,
                                               const struct hpolab_config *config,
                                               const struct hpolab_result *result)
{
    (void)ctx, (void)config, (void)result;
    if (trial_id == 0)
        ((struct warmstart *)state)->trial0_done = 1;
    return HPOLAB_OK;
}

static const struct hpolab_scheduler_class ws_class = {
    .struct_size = sizeof(struct hpolab_scheduler_class),
    .id = "fx_warmstart",
    .description = "test: trial 1 starts from trial 0's checkpoint",
    .create = ws_create,
    .destroy = ws_destroy,
    .suggest = ws_suggest,
    .on_trial_result = ws_on_trial_result,
    .on_trial_complete = ws_on_trial_complete,
};

static int32_t ws_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_scheduler(ctx, &ws_class);
}

HPOLAB_PLUGIN_DEFINE(scheduler_fx_warmstart, "1.0.0",
                     "test scheduler: warm start from a checkpoint",
                     "Apache-2.0", ws_init, NULL)
