/* launch_local.h: the local engine of `hpolab launch`: runs the slices of a
 * launch plan as processes on this machine, at most max_parallel at once,
 * through the backend plugin ABI (the "local" backend plugin, as for trials:
 * DESIGN.md, "one backend ABI serves both levels"). A slice is a "trial"
 * whose configuration is {"slice": I}; the backend runs
 *   <program> job <root> --slice I --st_checkpoint_dir <slice dir>/checkpoints
 * in its own process group with std.out / std.err in the slice folder, and
 * rotates GPUs over slices (disjoint sets while they suffice). */
#ifndef HPOLAB_CORE_LAUNCH_LOCAL_H
#define HPOLAB_CORE_LAUNCH_LOCAL_H

#include <signal.h>
#include <stdint.h>

#include "error.h"
#include "launch_plan.h"
#include "launch_state.h"

struct hpolab_registry;

struct hpolab_local_engine {
    struct hpolab_registry *registry; /* [borrowed] with backend "local" */
    int64_t max_parallel;   /* >= 1 */
    int64_t gpus_per_slice; /* 0: no GPU assignment */
    double stop_grace;      /* seconds between SIGTERM and SIGKILL */
    int wake_fd;            /* readable when *cancel was set (self-pipe of a
                               signal handler); -1 if none */
    volatile sig_atomic_t *cancel; /* nonzero: stop everything */
    /* Told about every change of a slice's state (may be NULL). */
    void (*on_change)(void *user, size_t slice,
                      const struct hpolab_job_state *state);
    void *user;
    /* hpolab launch --resume: adopted[i] nonzero: slice i's job, left
     * running by an earlier supervisor (pid and start time in its job.json),
     * counts as running and is watched (every 0.5 s) instead of started; at
     * its time limit or on cancel its process group gets SIGTERM, SIGKILL
     * after stop_grace. NULL: none. */
    const unsigned char *adopted;
};

/* Runs every slice of plan that is not skipped until all ended or *cancel
 * is set (then running slices get SIGTERM, SIGKILL after stop_grace, and
 * slices not started yet are recorded as cancelled). A slice that cannot
 * start or dies without recording its end is recorded as failed with the
 * reason; the others go on. A slice running longer than plan->time_limit is
 * stopped and recorded as failed. Returns HPOLAB_OK when the engine ran
 * (whatever the slices did), HPOLAB_ERR_INTERRUPTED when cancelled. */
int32_t hpolab_local_engine_run(const struct hpolab_launch_plan *plan,
                                const struct hpolab_local_engine *engine,
                                struct hpolab_error *err);

#endif
