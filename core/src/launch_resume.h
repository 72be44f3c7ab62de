/* launch_resume.h: `hpolab launch --resume TAG` continues a launched study
 * after a crash (supervisor killed, machine rebooted, Slurm jobs killed).
 * From the launch record (launch_record.h), each job gets one action:
 * complete experiments are kept, jobs still alive are adopted (waited for,
 * never started twice), partial experiments are continued with
 * `hpolab run --resume` (same folder, same trial ids) and jobs that never
 * started start. The only engine-specific question, "which of these jobs is
 * still alive?", is answered by a function per engine (hpolab_resume_live_fn),
 * so another engine plugs in by providing one. docs/launch.md, "Resuming". */
#ifndef HPOLAB_CORE_LAUNCH_RESUME_H
#define HPOLAB_CORE_LAUNCH_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "launch_plan.h"
#include "launch_state.h"

#define HPOLAB_RESUME_KEEP 0     /* experiment complete: left alone */
#define HPOLAB_RESUME_ADOPT 1    /* its job still runs or is queued: waited
                                    for, not started again */
#define HPOLAB_RESUME_CONTINUE 2 /* partial experiment: hpolab run --resume */
#define HPOLAB_RESUME_FRESH 3    /* never started (nothing to continue) */

/* The argument every slice run by a resumed launch gets (hpolab run's). */
#define HPOLAB_RESUME_ARG "--resume"

struct hpolab_resume_slice {
    int32_t action;              /* HPOLAB_RESUME_* */
    struct hpolab_job_state job; /* its job.json as found (pending if none) */
    int experiment_state;        /* HPOLAB_EXPERIMENT_*; -1 no folder */
    char *experiment;            /* owned; its latest experiment folder or
                                    NULL */
    char why[256];               /* one line for the user */
};

/* Engine hook: set live[i] = 1 for every slice i whose job is still running
 * or waiting to run (jobs[i] is its job.json, state pending when it has
 * none); live has plan->n_slices zeroed entries. A job whose liveness cannot
 * be known is an error naming the slice (never guessed: a wrong "dead" would
 * run an experiment twice). */
typedef int32_t (*hpolab_resume_live_fn)(const struct hpolab_launch_plan *plan,
                                         const struct hpolab_job_state *jobs,
                                         unsigned char *live,
                                         struct hpolab_error *err);

/* Local engine: the pid recorded in job.json runs with the recorded start
 * time on this host. */
int32_t hpolab_resume_live_local(const struct hpolab_launch_plan *plan,
                                 const struct hpolab_job_state *jobs,
                                 unsigned char *live, struct hpolab_error *err);
/* Slurm engine: one squeue call; a job Slurm shows pending or running (and
 * that has not recorded its end) is alive. */
int32_t hpolab_resume_live_slurm(const struct hpolab_launch_plan *plan,
                                 const struct hpolab_job_state *jobs,
                                 unsigned char *live, struct hpolab_error *err);
/* The hook of the named engine ("local", "slurm"); NULL when unknown. */
hpolab_resume_live_fn hpolab_resume_live_for(const char *engine);

/* A local launch whose supervisor still runs has nothing to resume:
 * HPOLAB_ERR_STATE naming its pid. HPOLAB_OK otherwise (always for engines
 * without a supervisor). */
int32_t hpolab_launch_resume_check(const struct hpolab_launch_plan *plan,
                                   struct hpolab_error *err);

/* One action per slice of plan (*out [owned: hpolab_resume_slices_free],
 * plan->n_slices entries): ADOPT when live() says so; else KEEP when the job
 * recorded done or its experiment (the latest folder of the slice with the
 * plan's tag, benchmark, method and seed) is complete; else CONTINUE when
 * that experiment is partial; else FRESH. */
int32_t hpolab_launch_resume_assess(const struct hpolab_launch_plan *plan,
                                    hpolab_resume_live_fn live,
                                    struct hpolab_resume_slice **out,
                                    struct hpolab_error *err);

/* Make plan the resumed launch: KEEP slices are skipped (a complete
 * experiment whose job could not record "done" gets it recorded now); every
 * other slice's argv gets HPOLAB_RESUME_ARG once (a queued job that starts
 * later then continues too) and is not skipped; CONTINUE and FRESH slices
 * lose their old job.json (it was the dead job's). *adopted [owned: free]
 * gets plan->n_slices flags, 1 for ADOPT. The caller writes the record. */
int32_t hpolab_launch_resume_apply(struct hpolab_launch_plan *plan,
                                   const struct hpolab_resume_slice *rs,
                                   unsigned char **adopted,
                                   struct hpolab_error *err);

/* "keep", "adopt", "continue", "start". */
const char *hpolab_resume_action_name(int32_t action);

void hpolab_resume_slices_free(struct hpolab_resume_slice *rs, size_t n);

#endif
