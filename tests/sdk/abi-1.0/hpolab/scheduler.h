/* hpolab/scheduler.h: the scheduler component class. The tuner asks the
 * scheduler what to run next (suggest) and what to do with every reported
 * result (continue, pause, stop). */
#ifndef HPOLAB_SCHEDULER_H
#define HPOLAB_SCHEDULER_H

#include "status.h"
#include "types.h"

HPOLAB_EXTERN_C_BEGIN

/* Arguments of a scheduler instance, filled by the host. Read only fields
 * inside struct_size. Pointers are [borrowed] for the life of the instance.
 * ABI 1.0. */
struct hpolab_scheduler_args {
    uint32_t struct_size;
    const struct hpolab_space *space;
    const char *metric;
    int32_t mode;                     /* HPOLAB_MODE_MIN or _MAX */
    uint32_t random_seed;             /* the experiment's effective seed */
    const char *resource_attr;        /* or NULL */
    const char *max_resource_attr;    /* or NULL */
    int32_t n_workers;
    const char *searcher;             /* searcher plugin id, e.g. "random" */
    const struct hpolab_options *options;          /* scheduler options */
    const struct hpolab_options *searcher_options; /* handed to the searcher */
    int32_t points_given;             /* see struct hpolab_searcher_args */
    uint32_t num_points;
    const struct hpolab_config *const *points;
    /* ABI 1.1+: append here only */
};

/* What suggest asks the tuner to do. */
#define HPOLAB_SUGGEST_NOTHING 0   /* nothing to start now; ask again later */
#define HPOLAB_SUGGEST_NEW 1       /* start trial_id with config */
#define HPOLAB_SUGGEST_RESUME 2    /* resume paused trial_id (config optional) */
#define HPOLAB_SUGGEST_EXHAUSTED 3 /* no configuration will ever come again */

/* Filled by the scheduler's suggest. The host zeroes it and sets struct_size
 * before the call. ABI 1.0. */
struct hpolab_suggestion {
    uint32_t struct_size;
    int32_t action;               /* HPOLAB_SUGGEST_* */
    int64_t trial_id;             /* NEW: must equal next_trial_id; RESUME: the paused trial */
    int64_t checkpoint_trial_id;  /* NEW: copy this trial's checkpoint first, or -1 */
    struct hpolab_config *config; /* [transfers to host]; NEW: required,
                                     RESUME: NULL keeps the old config */
    /* ABI 1.1+: append here only */
};

struct hpolab_scheduler_class {
    uint32_t struct_size;
    const char *id;
    const char *description;

    /* Required. */
    int32_t(HPOLAB_ABI *create)(struct hpolab_ctx *ctx,
                                const struct hpolab_scheduler_args *args,
                                void **out_state);
    /* Required. */
    void(HPOLAB_ABI *destroy)(void *state);
    /* Required: what to run next; next_trial_id is the id a new trial gets.
     * Set checkpoint_trial_id = -1 when unused. [tuner-thread] */
    int32_t(HPOLAB_ABI *suggest)(void *state, struct hpolab_ctx *ctx,
                                 int64_t next_trial_id,
                                 struct hpolab_suggestion *out);
    /* Optional: a trial was started with this config. */
    int32_t(HPOLAB_ABI *on_trial_add)(void *state, struct hpolab_ctx *ctx,
                                      int64_t trial_id,
                                      const struct hpolab_config *config);
    /* Required: a result of a running trial; set *out_decision to one of
     * HPOLAB_DECISION_*. */
    int32_t(HPOLAB_ABI *on_trial_result)(void *state, struct hpolab_ctx *ctx,
                                         int64_t trial_id,
                                         const struct hpolab_config *config,
                                         const struct hpolab_result *result,
                                         int32_t *out_decision);
    /* Optional: the trial finished on its own; result is its last result. */
    int32_t(HPOLAB_ABI *on_trial_complete)(void *state, struct hpolab_ctx *ctx,
                                           int64_t trial_id,
                                           const struct hpolab_config *config,
                                           const struct hpolab_result *result);
    /* Optional: the trial failed or was stopped from outside. */
    int32_t(HPOLAB_ABI *on_trial_error)(void *state, struct hpolab_ctx *ctx,
                                        int64_t trial_id,
                                        const struct hpolab_config *config);
    /* Optional: the tuner paused or stopped the trial after a decision. */
    int32_t(HPOLAB_ABI *on_trial_remove)(void *state, struct hpolab_ctx *ctx,
                                         int64_t trial_id);
    /* Optional: state for --resume, as for searchers. */
    int32_t(HPOLAB_ABI *save)(void *state, struct hpolab_ctx *ctx,
                              struct hpolab_buffer *out);
    int32_t(HPOLAB_ABI *restore)(void *state, struct hpolab_ctx *ctx,
                                 const void *data, uint64_t size);
    /* ABI 1.1+: append here only */
};

HPOLAB_EXTERN_C_END

#endif /* HPOLAB_SCHEDULER_H */
