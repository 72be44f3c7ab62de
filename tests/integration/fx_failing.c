/* fx_failing.c: a test scheduler (scheduler_fx_failing) whose calls fail on
 * purpose: on_trial_result fails for whichever of trials 0 and 1 reports
 * second (that trial must fail; waiting for both means both processes have
 * started, whatever order the machine runs them in), and the 3rd suggest,
 * which comes right after (its worker is free again), fails too (the
 * experiment must end with the plugin's message, every trial stopped, the
 * results written). It starts trials at the space's default
 * configuration. */
#include <hpolab/hpolab.h>
#include <stdlib.h>

struct failing {
    const struct hpolab_space *space;
    int suggests;
    int reported[2]; /* trials 0 and 1 have reported */
    int failed;      /* the one on_trial_result failure happened */
};

static int32_t HPOLAB_ABI fx_create(struct hpolab_ctx *ctx,
                                    const struct hpolab_scheduler_args *args,
                                    void **out)
{
    struct failing *f = calloc(1, sizeof *f);
    if (!f)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    f->space = args->space;
    *out = f;
    return HPOLAB_OK;
}

static void HPOLAB_ABI fx_destroy(void *state) { free(state); }

static int32_t HPOLAB_ABI fx_suggest(void *state, struct hpolab_ctx *ctx,
                                     int64_t next_trial_id,
                                     struct hpolab_suggestion *out)
{
    struct failing *f = state;
    out->checkpoint_trial_id = -1;
    if (++f->suggests == 3)
        return hpolab_set_error(ctx, HPOLAB_ERR_INTERNAL,
                                "deliberate failure of suggest call %d",
                                f->suggests);
    struct hpolab_config *c = NULL;
    int32_t st = hpolab_host->space_default_config(ctx, f->space, NULL, &c);
    if (st != HPOLAB_OK)
        return st;
    out->action = HPOLAB_SUGGEST_NEW;
    out->trial_id = next_trial_id;
    out->config = c;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI fx_on_trial_result(void *state, struct hpolab_ctx *ctx,
                                             int64_t trial_id,
                                             const struct hpolab_config *config,
                                             const struct hpolab_result *result,
                                             int32_t *out_decision)
{
    (void)config, (void)result;
    struct failing *f = state;
    *out_decision = HPOLAB_DECISION_CONTINUE;
    if (trial_id == 0 || trial_id == 1)
        f->reported[trial_id] = 1;
    if (!f->failed && f->reported[0] && f->reported[1]) {
        f->failed = 1;
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "deliberate failure for trial %lld",
                                (long long)trial_id);
    }
    return HPOLAB_OK;
}

static const struct hpolab_scheduler_class fx_class = {
    .struct_size = sizeof(struct hpolab_scheduler_class),
    .id = "fx_failing",
    .description = "test: calls that fail on purpose",
    .create = fx_create,
    .destroy = fx_destroy,
    .suggest = fx_suggest,
    .on_trial_result = fx_on_trial_result,
};

static int32_t fx_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_scheduler(ctx, &fx_class);
}

HPOLAB_PLUGIN_DEFINE(scheduler_fx_failing, "1.0.0",
                     "test scheduler: failing calls", "Apache-2.0", fx_init,
                     NULL)
