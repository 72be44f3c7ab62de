/* hpolab/backend.h: the backend component class. A backend runs trials as
 * jobs (local processes, Slurm jobs, SageMaker training jobs, or simulated
 * ones) and hands what they print and how they end back to the host. It never
 * decides anything: the tuner and the scheduler do.
 *
 * Event model: the tuner calls wait_events() with a timeout; the backend
 * blocks until something happened (output, exit) or the timeout passed or
 * the host's wake_fd became readable, and reports what happened through
 * host->emit_line / emit_result / emit_exit before returning. No polling loops
 * with sleeps: a backend waits on file descriptors or its own clock. */
#ifndef HPOLAB_BACKEND_H
#define HPOLAB_BACKEND_H

#include "status.h"
#include "types.h"

HPOLAB_EXTERN_C_BEGIN

/* Arguments of a backend instance. Pointers are [borrowed] for the life of
 * the instance. ABI 1.0. */
struct hpolab_backend_args {
    uint32_t struct_size;
    const char *experiment_dir;     /* results folder of the experiment (exists) */
    uint32_t entry_argc;            /* the benchmark's entry point, as argv */
    const char *const *entry_argv;  /* absolute program path first */
    const char *working_dir;        /* folder trials start in (the study's) */
    int32_t n_workers;
    const struct hpolab_options *options; /* backend options */
    int32_t wake_fd; /* readable when the host wants wait_events to return
                        early (signals); -1 if none. Never read from it. */
    /* ABI 1.1+: append here only */
};

/* One start or resume of a trial. [borrowed] for the call. ABI 1.0. */
struct hpolab_trial_job {
    uint32_t struct_size;
    int64_t trial_id;
    const struct hpolab_config *config;  /* full configuration to pass */
    const char *trial_dir;               /* <experiment_dir>/<trial_id> */
    const char *checkpoint_dir;          /* <trial_dir>/checkpoints */
    int32_t is_resume;                   /* 1: same trial again, append output */
    const char *copy_checkpoint_from;    /* copy this folder to checkpoint_dir
                                            before starting, or NULL */
    /* ABI 1.1+: append here only */
};

/* How stop_trial ends a trial. */
#define HPOLAB_STOP_STOP 0  /* the scheduler stopped it, or the tuner ends */
#define HPOLAB_STOP_PAUSE 1 /* the scheduler paused it; it may be resumed */

struct hpolab_backend_class {
    uint32_t struct_size;
    const char *id;
    const char *description;

    /* Required. */
    int32_t(HPOLAB_ABI *create)(struct hpolab_ctx *ctx,
                                const struct hpolab_backend_args *args,
                                void **out_state);
    /* Required: must end every job still running (no orphans). */
    void(HPOLAB_ABI *destroy)(void *state);
    /* Required: start (or resume) a trial. Returns once the job is started;
     * its output and exit arrive later through wait_events. */
    int32_t(HPOLAB_ABI *start_trial)(void *state, struct hpolab_ctx *ctx,
                                     const struct hpolab_trial_job *job);
    /* Required: end a running trial (how = HPOLAB_STOP_*). Asynchronous:
     * the job may take a while to end, but from this call on the backend
     * emits nothing more for this run of the trial (no lines, no exit), so
     * the host never confuses it with a later resume. A later start_trial of
     * the same id (resume) must not run alongside the old job. */
    int32_t(HPOLAB_ABI *stop_trial)(void *state, struct hpolab_ctx *ctx,
                                    int64_t trial_id, int32_t how);
    /* Required: wait up to timeout_s seconds (0: do not block) for events and
     * emit them. Returns HPOLAB_OK also when nothing happened. */
    int32_t(HPOLAB_ABI *wait_events)(void *state, struct hpolab_ctx *ctx,
                                     double timeout_s);
    /* Optional: stop every running trial and wait at most grace_s seconds for
     * them to end before killing them outright. Called when the tuner ends. */
    int32_t(HPOLAB_ABI *stop_all)(void *state, struct hpolab_ctx *ctx,
                                  double grace_s);
    /* ABI 1.1+: append here only */
};

HPOLAB_EXTERN_C_END

#endif /* HPOLAB_BACKEND_H */
