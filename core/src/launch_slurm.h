/* launch_slurm.h: the Slurm engine of `hpolab launch`, through the Slurm
 * command-line tools (sbatch --parsable, squeue, scancel; see
 * ../shared/reference/slurm.md §4): argv arrays, no shell on this side.
 * Every job runs `hpolab job <root> --slice I`, which runs that slice's
 * `hpolab run` and writes its own state file (launch_state.h); Slurm's view
 * (squeue) is used only for jobs that have not written a final state. */
#ifndef HPOLAB_CORE_LAUNCH_SLURM_H
#define HPOLAB_CORE_LAUNCH_SLURM_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "launch_plan.h"

struct hpolab_slurm_options {
    const char *partition;   /* NULL: the cluster's default */
    const char *account;     /* NULL: none */
    int64_t cpus_per_task;   /* >= 1 */
    int64_t gpus;            /* GPUs per job (--gres=gpu:N); 0: none */
    const char *const *extra_args; /* [borrowed] given to sbatch as they are */
    size_t n_extra;
    int use_array;           /* one job array for all slices (they share a
                                shape: same limits and resources) */
    int64_t max_parallel;    /* array throttle (%K); 0: none */
    double timeout_s;        /* per sbatch/squeue/scancel call */
};

/* One slice's submission failure. */
typedef void (*hpolab_slurm_fail_fn)(void *user, size_t slice,
                                     const char *message);

/* Write the job script <root>/slurm/launch-<suffix>.sh and submit every
 * slice that is not skipped: as one array (task id = slice index) when
 * o->use_array, else one job per slice named by its job name. Sets each
 * submitted slice's job_id and records the script, the sbatch arguments and
 * the ids in plan->engine_info. A slice Slurm refused (or that could not be
 * submitted at all: sbatch missing, controller unreachable) gets its state
 * file written as failed with the reason, and fail() is told; the other
 * slices go on. *submitted counts the slices submitted. Returns HPOLAB_OK
 * unless nothing could be prepared (script not writable, out of memory). */
int32_t hpolab_slurm_submit(struct hpolab_launch_plan *plan,
                            const struct hpolab_slurm_options *o,
                            hpolab_slurm_fail_fn fail, void *user,
                            size_t *submitted, struct hpolab_error *err);

/* What Slurm says about one job. */
struct hpolab_slurm_job {
    char id[64];      /* "12_3" for an array task, "15" otherwise */
    char state[32];   /* PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, ... */
    int exit_code;    /* exit status of the batch script, -1 unknown */
    char reason[128];
};

/* squeue -r -t all for the given job ids (array ids list all their tasks).
 * *out [owned: free], *n_out entries. Jobs Slurm has forgotten (purged after
 * MinJobAge) are simply absent. */
int32_t hpolab_slurm_query(const char *const *ids, size_t n_ids,
                           double timeout_s, struct hpolab_slurm_job **out,
                           size_t *n_out, struct hpolab_error *err);

/* The slice state (HPOLAB_SLICE_*) for a Slurm job state. */
int32_t hpolab_slurm_state_to_slice(const char *state);

/* scancel the given ids (scancel's exit status is 0 even for unknown ids;
 * callers confirm with hpolab_slurm_query). */
int32_t hpolab_slurm_cancel(const char *const *ids, size_t n_ids,
                            double timeout_s, struct hpolab_error *err);

/* "0,2,5-9" for the sorted indices; [owned: free]. */
char *hpolab_slurm_index_ranges(const size_t *indices, size_t n);

/* Whole minutes for sbatch --time, rounded up, at least 1. */
int64_t hpolab_slurm_minutes(int64_t seconds);

#endif
