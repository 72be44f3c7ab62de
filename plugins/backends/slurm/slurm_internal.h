/* slurm_internal.h: state of the slurm backend shared by its files.
 *
 *   slurm.c         the class: create/destroy, start/stop, wait_events
 *   slurm_trials.c  one submitted job per trial run: batch script, output
 *                   file tailing into lines, final state
 * sbatch / squeue / scancel run through plugins/common/proc_capture.h
 * (argv, no shell). */
#ifndef HPOLAB_SLURM_INTERNAL_H
#define HPOLAB_SLURM_INTERNAL_H

#include <hpolab/hpolab.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc_capture.h"
#include "sh_quote.h"

struct slurm_run {
    int64_t trial_id;
    char *trial_dir;   /* owned */
    char job_id[32];   /* from sbatch --parsable */
    off_t out_off;     /* bytes of std.out already turned into lines */
    char *line;        /* owned: an unfinished line */
    size_t line_len, line_cap;
    int stopped;       /* stop_trial: emit nothing more */
    int ended;         /* exit emitted (or stopped and gone): drop it */
};

struct slurm_backend {
    const char *experiment_dir;
    uint32_t entry_argc;
    const char *const *entry_argv;
    const char *working_dir;
    int wake_fd;
    /* options */
    const char *partition, *account, *sbatch_args; /* borrowed from opts */
    int64_t cpus_per_task, gpus, time_limit;
    double poll_interval, command_timeout;
    /* runs, in start order */
    struct slurm_run **runs;
    size_t n_runs, cap_runs;
    double last_query;
};

/* ---- slurm_trials.c ---- */
/* Write <trial_dir>/job.sh and submit it; fills run->job_id. */
int32_t slurm_submit(struct slurm_backend *b, struct hpolab_ctx *ctx,
                     const struct hpolab_trial_job *job,
                     struct slurm_run *run);
/* Turn new bytes of <trial_dir>/std.out into emit_line calls (unless
 * stopped); final: also the unfinished last line. */
void slurm_read_output(struct slurm_backend *b, struct hpolab_ctx *ctx,
                       struct slurm_run *run, int final);
/* One squeue call for every live run: ended ones get their last output
 * and emit_exit. *emitted: something reached the host. */
int32_t slurm_poll_states(struct slurm_backend *b, struct hpolab_ctx *ctx,
                          int *emitted);
/* scancel the runs' jobs (all live ones if run is NULL). */
void slurm_cancel(struct slurm_backend *b, struct hpolab_ctx *ctx,
                  struct slurm_run *run);
void slurm_run_free(struct slurm_run *run);

#endif
