/* launch_status.h: the state of every job of a launched study, as `hpolab
 * status` shows it and `hpolab launch --wait` follows it: the job's own
 * state file first, then what the engine knows (is the local process or
 * supervisor still there; what squeue says), plus the elapsed time and the
 * best objective value so far read from the experiment's results. */
#ifndef HPOLAB_CORE_LAUNCH_STATUS_H
#define HPOLAB_CORE_LAUNCH_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "launch_plan.h"
#include "launch_state.h"

struct hpolab_launch_row {
    struct hpolab_job_state job; /* merged state; job.message says why */
    double elapsed;   /* seconds since the job started (to its end); -1 */
    int has_best;
    double best;      /* best value of plan->metric so far */
    int64_t results;  /* result rows so far; -1 when no results yet */
};

struct hpolab_launch_totals {
    size_t count[HPOLAB_SLICE_STATE_COUNT];
    size_t total;
    int all_final;    /* every job ended (done, failed or cancelled) */
};

/* One row per slice of plan (*rows [owned: free], plan->n_slices). ask_engine:
 * also ask Slurm (squeue) about jobs that have not recorded a final state;
 * when Slurm cannot be asked, those rows say "unknown" and *warning (size
 * warning_size) says why. with_results: read best-so-far from results. */
int32_t hpolab_launch_collect(const struct hpolab_launch_plan *plan,
                              int ask_engine, int with_results,
                              struct hpolab_launch_row **rows,
                              struct hpolab_launch_totals *totals,
                              char *warning, size_t warning_size,
                              struct hpolab_error *err);

/* Best value of metric (mode) in the newest results.csv.zip below
 * slice_dir (<slice_dir>/<tuner name>/results.csv.zip). Returns 1 and fills
 * best and rows if there are results, else 0. */
int hpolab_launch_best_so_far(const char *slice_dir, const char *metric,
                              int32_t mode, double *best, int64_t *rows);

/* The supervisor of a local launch, from <root>/supervisor.json: 1 running,
 * 0 gone (or never started), -1 on another host. *s filled when known. */
int hpolab_launch_supervisor_alive(const char *root,
                                   struct hpolab_job_state *s);

#endif
