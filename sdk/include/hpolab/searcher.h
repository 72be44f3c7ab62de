/* hpolab/searcher.h: the searcher component class. A searcher proposes
 * configurations and learns from results; schedulers create searchers by name
 * through host->searcher_create(), never by linking to another plugin. */
#ifndef HPOLAB_SEARCHER_H
#define HPOLAB_SEARCHER_H

#include "status.h"
#include "types.h"

HPOLAB_EXTERN_C_BEGIN

/* Arguments of a searcher instance, filled by the host. Read only fields
 * that lie inside struct_size (a newer host may pass a larger struct; an
 * older host a smaller one). Every pointer is [borrowed] for the life of the
 * instance. ABI 1.0. */
struct hpolab_searcher_args {
    uint32_t struct_size;
    const struct hpolab_space *space;  /* the configuration space */
    const char *metric;                /* objective metric name */
    int32_t mode;                      /* HPOLAB_MODE_MIN or _MAX */
    uint32_t random_seed;              /* this searcher's own RNG seed */
    const char *resource_attr;         /* reported fidelity key, or NULL */
    const char *max_resource_attr;     /* config key of the max fidelity, or NULL */
    int32_t n_workers;                 /* concurrently running trials */
    const struct hpolab_options *options; /* searcher options */
    /* Initial configurations to evaluate first, each possibly partial (the
     * host imputes missing keys with the midpoint heuristic when the searcher
     * calls host->space_default_config). points_given == 0 means "none given":
     * the convention is then one all-default configuration. */
    int32_t points_given;
    uint32_t num_points;
    const struct hpolab_config *const *points;
    /* ABI 1.1: the seed of a model-based searcher's second RNG (Syne Tune's
     * GP RNG: restarts of the fit, fantasies), the scheduler's second seed
     * draw (schedulers reference §6.1). A 1.0 caller's struct ends before
     * it (check struct_size); the searcher then derives one from
     * random_seed. */
    uint32_t model_seed;
    /* ABI 1.1+: append here only */
};

struct hpolab_searcher_class {
    uint32_t struct_size; /* sizeof(struct hpolab_searcher_class), set by the
                             registration macro */
    const char *id;          /* short unique name within the kind: [a-z0-9_]+ */
    const char *description; /* one line */

    /* Required: create an instance; *out_state is passed to every callback. */
    int32_t(HPOLAB_ABI *create)(struct hpolab_ctx *ctx,
                                const struct hpolab_searcher_args *args,
                                void **out_state);
    /* Required: free everything the instance owns. */
    void(HPOLAB_ABI *destroy)(void *state);
    /* Required: propose the configuration of trial trial_id.
     * *out_config [transfers to host] is a full configuration (constants
     * included), or NULL when the space is exhausted. [tuner-thread] */
    int32_t(HPOLAB_ABI *suggest)(void *state, struct hpolab_ctx *ctx,
                                 int64_t trial_id,
                                 struct hpolab_config **out_config);
    /* Optional: an intermediate result (multi-fidelity searchers use it). */
    int32_t(HPOLAB_ABI *on_trial_result)(void *state, struct hpolab_ctx *ctx,
                                         int64_t trial_id,
                                         const struct hpolab_config *config,
                                         const struct hpolab_result *result);
    /* Optional: the final result of a trial. */
    int32_t(HPOLAB_ABI *on_trial_complete)(void *state, struct hpolab_ctx *ctx,
                                           int64_t trial_id,
                                           const struct hpolab_config *config,
                                           const struct hpolab_result *result);
    /* Optional: the trial failed (or was stopped from outside). */
    int32_t(HPOLAB_ABI *on_trial_error)(void *state, struct hpolab_ctx *ctx,
                                        int64_t trial_id,
                                        const struct hpolab_config *config);
    /* Optional: append the instance's state to out (host->buffer_append). */
    int32_t(HPOLAB_ABI *save)(void *state, struct hpolab_ctx *ctx,
                              struct hpolab_buffer *out);
    /* Optional: restore a state written by save into a fresh instance. */
    int32_t(HPOLAB_ABI *restore)(void *state, struct hpolab_ctx *ctx,
                                 const void *data, uint64_t size);
    /* ABI 1.1+: append here only */
};

HPOLAB_EXTERN_C_END

#endif /* HPOLAB_SEARCHER_H */
