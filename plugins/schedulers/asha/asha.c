/* asha.c: the ASHA scheduler (Syne Tune's HyperbandScheduler with one
 * bracket by default, schedulers reference §4): stopping or promotion type,
 * rung bookkeeping in asha_rungs.c, configurations from a searcher plugin
 * created by id. Seeds (§6.1): a seed generator RandomState(seed) whose
 * first draw seeds the searcher and whose second draw seeds the bracket RNG,
 * from which every suggest draws one bracket choice, and a model-based
 * searcher's second RNG (MOBSTER's GP). Syne Tune draws MOBSTER's bracket
 * seed third; with one bracket (the baselines) it is never used.
 * save/restore in asha_state.c. */
#include <hpolab/hpolab.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "asha.h"
#include "searcher_link.h"

static void HPOLAB_ABI asha_destroy(void *state)
{
    struct asha *a = state;
    if (!a)
        return;
    if (a->searcher)
        hpolab_host->searcher_destroy(a->searcher);
    if (a->bracket_rng)
        hpolab_host->rng_destroy(a->bracket_rng);
    asha_configs_free(&a->configs);
    asha_rungs_free(&a->rungs);
    free(a->metric);
    free(a->resource_attr);
    free(a->max_resource_attr);
    free(a);
}

/* Keep a copy of config as the trial's configuration. */
static int32_t store_config(struct asha *a, struct hpolab_ctx *ctx,
                            int64_t trial_id,
                            const struct hpolab_config *config)
{
    struct hpolab_config *copy = NULL;
    int32_t st = hpolab_host->config_dup(ctx, config, &copy);
    if (st != HPOLAB_OK)
        return st;
    return asha_configs_put(&a->configs, ctx, trial_id, copy);
}

/* max_t when the option is absent (§4.1): the constant
 * space[max_resource_attr], else the constant epochs, max_t or max_epochs. */
static int32_t infer_max_t(struct hpolab_ctx *ctx,
                           const struct hpolab_scheduler_args *args,
                           int64_t *out)
{
    const char *names[] = {args->max_resource_attr, "epochs", "max_t",
                           "max_epochs"};
    struct hpolab_config *full = NULL;
    int32_t st = hpolab_host->space_default_config(ctx, args->space, NULL,
                                                   &full);
    if (st != HPOLAB_OK)
        return st;
    st = HPOLAB_ERR_NOT_FOUND;
    for (size_t n = 0; n < 4 && st == HPOLAB_ERR_NOT_FOUND; n++) {
        if (!names[n])
            continue;
        uint32_t count = hpolab_host->space_count(args->space);
        for (uint32_t i = 0; i < count; i++) {
            if (strcmp(hpolab_host->space_name(args->space, i), names[n]) ||
                strcmp(hpolab_host->space_domain(args->space, i),
                       "constant"))
                continue;
            int32_t idx = hpolab_host->config_index(full, names[n]);
            if (idx < 0 ||
                hpolab_host->config_get_int(full, (uint32_t)idx, out) !=
                    HPOLAB_OK)
                st = hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                      "max_t: the constant '%s' of the "
                                      "configuration space must be an "
                                      "integer",
                                      names[n]);
            else
                st = HPOLAB_OK;
            break;
        }
    }
    hpolab_host->config_free(full);
    if (st == HPOLAB_ERR_NOT_FOUND)
        st = hpolab_set_error(
            ctx, HPOLAB_ERR_INVALID,
            "max_t is required: give the option max_t, or a constant entry "
            "max_resource_attr%s%s%s (or epochs, max_t, max_epochs) in the "
            "configuration space",
            args->max_resource_attr ? " ('" : "",
            args->max_resource_attr ? args->max_resource_attr : "",
            args->max_resource_attr ? "')" : "");
    return st;
}

static int32_t read_options(struct asha *a, struct hpolab_ctx *ctx,
                            const struct hpolab_scheduler_args *args)
{
    const struct hpolab_options *o = args->options;
    const char *type = NULL;
    int64_t grace = 1, max_t = -1, brackets = 1;
    double eta = 3.0;
    int32_t st = hpolab_host->option_string(ctx, o, "type", "stopping", &type);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, o, "grace_period", 1, &grace);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_double(ctx, o, "reduction_factor", 3.0, &eta);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, o, "max_t", -1, &max_t);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, o, "brackets", 1, &brackets);
    if (st != HPOLAB_OK)
        return st;
    int promotion;
    if (!strcmp(type, "stopping"))
        promotion = 0;
    else if (!strcmp(type, "promotion"))
        promotion = 1;
    else
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "type must be \"stopping\" or \"promotion\", "
                                "got \"%s\"",
                                type);
    /* Without it a paused trial has no way to know where to stop: it would
     * train on until killed and lose the epochs after its last checkpoint. */
    if (promotion && (!args->max_resource_attr || !args->max_resource_attr[0]))
        return hpolab_set_error(
            ctx, HPOLAB_ERR_INVALID,
            "type \"promotion\" needs the benchmark's max_resource_attr (a "
            "constant of the configuration space, e.g. \"epochs\": 81, that "
            "the scheduler rewrites to the next rung level on each resume)");
    if (max_t == -1) {
        st = infer_max_t(ctx, args, &max_t);
        if (st != HPOLAB_OK)
            return st;
    }
    char msg[256];
    int rc = asha_rungs_init(&a->rungs, args->mode, promotion, grace, eta,
                             max_t, brackets, msg, sizeof msg);
    if (rc != ASHA_OK)
        return hpolab_set_error(ctx,
                                rc == ASHA_ERR_NOMEM ? HPOLAB_ERR_NOMEM
                                                     : HPOLAB_ERR_INVALID,
                                "%s", msg);
    return HPOLAB_OK;
}

static char *dup_or_null(const char *s, int *nomem)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *nomem = 1;
    return d;
}

static int32_t HPOLAB_ABI asha_create(struct hpolab_ctx *ctx,
                                      const struct hpolab_scheduler_args *args,
                                      void **out_state)
{
    *out_state = NULL;
    if (!args->metric || !args->metric[0])
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "a metric name is required");
    if (!args->resource_attr || !args->resource_attr[0])
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "a resource attribute (resource_attr, e.g. "
                                "\"epoch\") is required");
    struct asha *a = calloc(1, sizeof *a);
    if (!a)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    int nomem = 0;
    a->metric = dup_or_null(args->metric, &nomem);
    a->resource_attr = dup_or_null(args->resource_attr, &nomem);
    a->max_resource_attr = dup_or_null(args->max_resource_attr, &nomem);
    int32_t st = nomem ? hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                          "out of memory")
                       : read_options(a, ctx, args);
    struct hpolab_rng *seeds = NULL;
    if (st == HPOLAB_OK)
        st = hpolab_host->rng_create(ctx, args->random_seed, &seeds);
    if (st == HPOLAB_OK) {
        uint32_t searcher_seed = hpolab_host->rng_seed(seeds);
        a->bracket_seed = hpolab_host->rng_seed(seeds);
        hpolab_host->rng_destroy(seeds);
        st = hpolab_host->rng_create(ctx, a->bracket_seed, &a->bracket_rng);
        if (st == HPOLAB_OK)
            st = hpolab_common_searcher_create(
                ctx, args, searcher_seed, a->bracket_seed, 1, &a->searcher);
    }
    if (st != HPOLAB_OK) {
        asha_destroy(a);
        return st;
    }
    *out_state = a;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI asha_suggest(void *state, struct hpolab_ctx *ctx,
                                       int64_t next_trial_id,
                                       struct hpolab_suggestion *out)
{
    struct asha *a = state;
    /* One bracket draw per suggest, promotion or not (§4.6 step 1). */
    size_t bracket = asha_rungs_bracket(
        &a->rungs, hpolab_host->rng_random(a->bracket_rng));
    a->bracket_draws++;
    int64_t promoted;
    if (asha_rungs_promote(&a->rungs, &promoted)) {
        struct hpolab_config *config = NULL;
        if (a->max_resource_attr) {
            struct asha_config *old = asha_configs_find(&a->configs,
                                                        promoted);
            struct asha_trial *t = asha_rungs_trial(&a->rungs, promoted);
            if (!old || !t)
                return hpolab_set_error(ctx, HPOLAB_ERR_INTERNAL,
                                        "promoted trial %lld has no stored "
                                        "configuration",
                                        (long long)promoted);
            int32_t st = hpolab_host->config_dup(ctx, old->config, &config);
            if (st == HPOLAB_OK)
                st = hpolab_host->config_set_int(
                    ctx, config, a->max_resource_attr, t->milestone);
            if (st == HPOLAB_OK)
                st = store_config(a, ctx, promoted, config);
            if (st != HPOLAB_OK) {
                hpolab_host->config_free(config);
                return st;
            }
        }
        out->action = HPOLAB_SUGGEST_RESUME;
        out->trial_id = promoted;
        out->checkpoint_trial_id = -1;
        out->config = config;
        return HPOLAB_OK;
    }
    struct hpolab_config *config = NULL;
    int32_t st = hpolab_host->searcher_suggest(ctx, a->searcher,
                                               next_trial_id, &config);
    if (st != HPOLAB_OK)
        return st;
    if (!config) {
        out->action = HPOLAB_SUGGEST_EXHAUSTED;
        return HPOLAB_OK;
    }
    if (a->rungs.promotion && a->max_resource_attr)
        st = hpolab_host->config_set_int(
            ctx, config, a->max_resource_attr,
            asha_rungs_first_milestone(&a->rungs, bracket));
    if (st == HPOLAB_OK)
        st = store_config(a, ctx, next_trial_id, config);
    if (st == HPOLAB_OK &&
        asha_rungs_add_trial(&a->rungs, next_trial_id, bracket) != ASHA_OK)
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (st != HPOLAB_OK) {
        hpolab_host->config_free(config);
        return st;
    }
    out->action = HPOLAB_SUGGEST_NEW;
    out->trial_id = next_trial_id;
    out->checkpoint_trial_id = -1;
    out->config = config;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI asha_on_trial_result(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result,
    int32_t *out_decision)
{
    struct asha *a = state;
    double value, resource;
    *out_decision = HPOLAB_DECISION_CONTINUE;
    if (hpolab_host->result_get_double(result, a->metric, &value) !=
        HPOLAB_OK)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld reported a result without a "
                                "number for the metric '%s'",
                                (long long)trial_id, a->metric);
    if (hpolab_host->result_get_double(result, a->resource_attr,
                                       &resource) != HPOLAB_OK)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld reported a result without a "
                                "number for the resource '%s'",
                                (long long)trial_id, a->resource_attr);
    if (!(resource >= 1.0) || resource != floor(resource) || resource > 9e15)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld: resource '%s' must be an integer "
                                ">= 1, got %g",
                                (long long)trial_id, a->resource_attr,
                                resource);
    int64_t r = (int64_t)resource;
    int used = 0, jumped = 0;
    int32_t decision;
    int rc = asha_rungs_on_report(&a->rungs, trial_id, r, value, &decision,
                                  &used, &jumped);
    if (rc == ASHA_ERR_UNKNOWN)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOT_FOUND,
                                "trial %lld was not started by this "
                                "scheduler",
                                (long long)trial_id);
    if (rc == ASHA_ERR_MILESTONE) {
        struct asha_trial *t = asha_rungs_trial(&a->rungs, trial_id);
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "trial %lld reported %s = %lld beyond its "
                                "milestone %lld",
                                (long long)trial_id, a->resource_attr,
                                (long long)r,
                                (long long)(t ? t->milestone : -1));
    }
    if (rc != ASHA_OK)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (jumped)
        hpolab_log(ctx, HPOLAB_LOG_WARN,
                   "trial %lld reported %s = %lld, jumping over a rung level; "
                   "nothing recorded",
                   (long long)trial_id, a->resource_attr, (long long)r);
    *out_decision = decision;
    if (!used)
        return HPOLAB_OK;
    return hpolab_host->searcher_on_trial_result(ctx, a->searcher, trial_id,
                                                 config, result);
}

static int32_t HPOLAB_ABI asha_on_trial_complete(
    void *state, struct hpolab_ctx *ctx, int64_t trial_id,
    const struct hpolab_config *config, const struct hpolab_result *result)
{
    struct asha *a = state;
    asha_rungs_on_stop(&a->rungs, trial_id);
    return hpolab_host->searcher_on_trial_complete(ctx, a->searcher, trial_id,
                                                   config, result);
}

static int32_t HPOLAB_ABI asha_on_trial_error(void *state,
                                              struct hpolab_ctx *ctx,
                                              int64_t trial_id,
                                              const struct hpolab_config *config)
{
    struct asha *a = state;
    asha_rungs_on_stop(&a->rungs, trial_id);
    return hpolab_host->searcher_on_trial_error(ctx, a->searcher, trial_id,
                                                config);
}

static int32_t HPOLAB_ABI asha_on_trial_remove(void *state,
                                               struct hpolab_ctx *ctx,
                                               int64_t trial_id)
{
    (void)ctx;
    asha_rungs_on_remove(&((struct asha *)state)->rungs, trial_id);
    return HPOLAB_OK;
}

static const struct hpolab_scheduler_class asha_class = {
    .struct_size = sizeof(struct hpolab_scheduler_class),
    .id = "asha",
    .description = "Asynchronous successive halving (Syne Tune's "
                   "HyperbandScheduler): stopping or promotion type",
    .create = asha_create,
    .destroy = asha_destroy,
    .suggest = asha_suggest,
    .on_trial_result = asha_on_trial_result,
    .on_trial_complete = asha_on_trial_complete,
    .on_trial_error = asha_on_trial_error,
    .on_trial_remove = asha_on_trial_remove,
    .save = asha_save,
    .restore = asha_restore,
};

static int32_t asha_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_scheduler(ctx, &asha_class);
}

HPOLAB_PLUGIN_DEFINE(scheduler_asha, "1.0.0",
                     "ASHA scheduler (Syne Tune's HyperbandScheduler)",
                     "Apache-2.0", asha_init, NULL)
