/* slurm.c: the "slurm" backend: each trial run is a Slurm batch job
 * submitted with sbatch; its metric lines are read from the std.out file
 * Slurm writes in the trial folder (the folder must be on a file system the
 * compute nodes share), its end comes from squeue, stopping is scancel. No
 * shell on this side: the Slurm tools get argv arrays; the job script is
 * one `exec` line with every value single-quoted.
 *
 * Slurm has no event channel a client can wait on, so wait_events checks
 * every poll_interval seconds (default 1) — one squeue call for all
 * running trials — and returns at once when the host's wake_fd fires. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_args.h"
#include "slurm_internal.h"

static int32_t HPOLAB_ABI slurm_create(struct hpolab_ctx *ctx,
                                       const struct hpolab_backend_args *args,
                                       void **out_state)
{
    *out_state = NULL;
    int32_t checked = hpolab_common_backend_args_check(ctx, args, 1);
    if (checked != HPOLAB_OK)
        return checked;
    struct slurm_backend *b = calloc(1, sizeof *b);
    if (!b)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    b->experiment_dir = args->experiment_dir;
    b->entry_argc = args->entry_argc;
    b->entry_argv = args->entry_argv;
    b->working_dir = args->working_dir;
    b->wake_fd = args->wake_fd;
    const struct hpolab_options *o = args->options;
    int32_t st = hpolab_host->option_string(ctx, o, "partition", NULL,
                                            &b->partition);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, o, "account", NULL, &b->account);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, o, "sbatch_args", NULL,
                                        &b->sbatch_args);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, o, "cpus_per_task", 1,
                                     &b->cpus_per_task);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, o, "gpus", 0, &b->gpus);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, o, "time_limit", 0, &b->time_limit);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_double(ctx, o, "poll_interval", 1.0,
                                        &b->poll_interval);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_double(ctx, o, "command_timeout", 60.0,
                                        &b->command_timeout);
    if (st == HPOLAB_OK && b->cpus_per_task < 1)
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "cpus_per_task must be >= 1, got %lld",
                              (long long)b->cpus_per_task);
    if (st == HPOLAB_OK && (b->gpus < 0 || b->time_limit < 0))
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "gpus and time_limit must be >= 0");
    if (st == HPOLAB_OK &&
        !(b->poll_interval >= 0.05 && b->poll_interval <= 3600))
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "poll_interval must be between 0.05 and 3600 "
                              "seconds, got %g",
                              b->poll_interval);
    if (st == HPOLAB_OK && !(b->command_timeout >= 1))
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "command_timeout must be >= 1 second, got %g",
                              b->command_timeout);
    if (st != HPOLAB_OK) {
        free(b);
        return st;
    }
    *out_state = b;
    return HPOLAB_OK;
}

/* Drop runs whose exit was emitted (or that were stopped and ended). */
static void compact(struct slurm_backend *b)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n_runs; i++) {
        if (b->runs[i]->ended)
            slurm_run_free(b->runs[i]);
        else
            b->runs[k++] = b->runs[i];
    }
    b->n_runs = k;
}

static void HPOLAB_ABI slurm_destroy(void *state)
{
    struct slurm_backend *b = state;
    if (!b)
        return;
    /* no orphans: every job still known is cancelled */
    slurm_cancel(b, NULL, NULL);
    for (size_t i = 0; i < b->n_runs; i++)
        slurm_run_free(b->runs[i]);
    free(b->runs);
    free(b);
}

static struct slurm_run *find(struct slurm_backend *b, int64_t id)
{
    for (size_t i = b->n_runs; i-- > 0;)
        if (b->runs[i]->trial_id == id && !b->runs[i]->ended)
            return b->runs[i];
    return NULL;
}

static int32_t HPOLAB_ABI slurm_start_trial(void *state, struct hpolab_ctx *ctx,
                                            const struct hpolab_trial_job *job)
{
    struct slurm_backend *b = state;
    if (!job || !job->config || !job->trial_dir || !job->checkpoint_dir)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "start_trial: the job lacks a configuration "
                                "or folders");
    if (job->copy_checkpoint_from)
        return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                                "trial %lld: the slurm backend does not copy "
                                "checkpoints between trials",
                                (long long)job->trial_id);
    struct slurm_run *old = find(b, job->trial_id);
    if (old && !old->stopped)
        return hpolab_set_error(ctx, HPOLAB_ERR_STATE,
                                "trial %lld is still running; stop it before "
                                "starting it again",
                                (long long)job->trial_id);
    /* a paused run never runs alongside its resume: wait until it is gone */
    double end = hpolab_capture_monotonic() + b->command_timeout;
    while (old && !old->ended && hpolab_capture_monotonic() < end) {
        int emitted = 0;
        slurm_poll_states(b, ctx, &emitted);
        if (!old->ended)
            usleep(200000);
    }
    if (old && !old->ended)
        return hpolab_set_error(ctx, HPOLAB_ERR_TIMEOUT,
                                "trial %lld: its earlier Slurm job %s has not "
                                "ended %.0f s after scancel",
                                (long long)job->trial_id, old->job_id,
                                b->command_timeout);
    compact(b);
    if (b->n_runs == b->cap_runs) {
        size_t cap = b->cap_runs ? 2 * b->cap_runs : 8;
        void *p = realloc(b->runs, cap * sizeof *b->runs);
        if (!p)
            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        b->runs = p;
        b->cap_runs = cap;
    }
    struct slurm_run *run = calloc(1, sizeof *run);
    if (!run || !(run->trial_dir = strdup(job->trial_dir))) {
        free(run);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    run->trial_id = job->trial_id;
    int32_t st = slurm_submit(b, ctx, job, run);
    if (st != HPOLAB_OK) {
        slurm_run_free(run);
        return st;
    }
    b->runs[b->n_runs++] = run;
    hpolab_log(ctx, HPOLAB_LOG_DEBUG, "trial %lld is Slurm job %s",
               (long long)job->trial_id, run->job_id);
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI slurm_stop_trial(void *state, struct hpolab_ctx *ctx,
                                           int64_t trial_id, int32_t how)
{
    (void)how; /* a paused trial resumes as a new job from its checkpoint */
    struct slurm_backend *b = state;
    struct slurm_run *run = find(b, trial_id);
    if (!run || run->stopped)
        return HPOLAB_OK;
    slurm_cancel(b, ctx, run);
    run->stopped = 1;
    return HPOLAB_OK;
}

/* One round: new output of every run, and (at most every poll_interval)
 * the jobs' states. */
static int32_t check(struct slurm_backend *b, struct hpolab_ctx *ctx,
                     int *emitted)
{
    for (size_t i = 0; i < b->n_runs; i++)
        if (!b->runs[i]->ended && !b->runs[i]->stopped) {
            uint64_t before = (uint64_t)b->runs[i]->out_off;
            slurm_read_output(b, ctx, b->runs[i], 0);
            if ((uint64_t)b->runs[i]->out_off != before)
                *emitted = 1;
        }
    int32_t st = HPOLAB_OK;
    double now = hpolab_capture_monotonic();
    if (now - b->last_query >= b->poll_interval) {
        b->last_query = now;
        st = slurm_poll_states(b, ctx, emitted);
    }
    compact(b);
    return st;
}

static int32_t HPOLAB_ABI slurm_wait_events(void *state, struct hpolab_ctx *ctx,
                                            double timeout_s)
{
    struct slurm_backend *b = state;
    double deadline =
        hpolab_capture_monotonic() + (timeout_s > 0 ? timeout_s : 0);
    for (;;) {
        int emitted = 0;
        int32_t st = check(b, ctx, &emitted);
        if (st != HPOLAB_OK || emitted)
            return st;
        double left = deadline - hpolab_capture_monotonic();
        if (left <= 0)
            return HPOLAB_OK;
        double next =
            b->last_query + b->poll_interval - hpolab_capture_monotonic();
        double wait = left < next ? left : next;
        if (wait < 0.01)
            wait = 0.01;
        struct pollfd p = {.fd = b->wake_fd, .events = POLLIN};
        int n = poll(&p, b->wake_fd >= 0 ? 1 : 0, (int)(wait * 1000));
        if (n > 0 || (n < 0 && errno == EINTR))
            return HPOLAB_OK;
    }
}

static int32_t HPOLAB_ABI slurm_stop_all(void *state, struct hpolab_ctx *ctx,
                                         double grace_s)
{
    struct slurm_backend *b = state;
    for (size_t i = 0; i < b->n_runs; i++)
        b->runs[i]->stopped = 1;
    slurm_cancel(b, ctx, NULL);
    /* wait (Slurm's own KillWait applies) until the jobs are gone */
    double end =
        hpolab_capture_monotonic() + (grace_s > 0 ? grace_s : 0) + 30.0;
    b->last_query = 0;
    while (b->n_runs > 0 && hpolab_capture_monotonic() < end) {
        int emitted = 0;
        b->last_query = 0;
        slurm_poll_states(b, ctx, &emitted);
        compact(b);
        if (b->n_runs > 0)
            usleep(200000);
    }
    if (b->n_runs > 0)
        hpolab_log(ctx, HPOLAB_LOG_WARN,
                   "%zu Slurm job(s) had not ended after scancel", b->n_runs);
    return HPOLAB_OK;
}

static const struct hpolab_backend_class slurm_class = {
    .struct_size = sizeof(struct hpolab_backend_class),
    .id = "slurm",
    .description = "runs each trial as a Slurm batch job (sbatch, squeue, "
                   "scancel)",
    .create = slurm_create,
    .destroy = slurm_destroy,
    .start_trial = slurm_start_trial,
    .stop_trial = slurm_stop_trial,
    .wait_events = slurm_wait_events,
    .stop_all = slurm_stop_all,
};

static int32_t slurm_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_backend(ctx, &slurm_class);
}

HPOLAB_PLUGIN_DEFINE(backend_slurm, "1.0.0",
                     "slurm backend: trials as Slurm batch jobs", "Apache-2.0",
                     slurm_init, NULL)
