/* local.c: the "local" backend: each trial is a child process of the tuner
 * (framework reference §1.1-§1.8). What differs from Syne Tune and why:
 * values are passed as single argv tokens (Syne Tune splits the joined
 * command line on spaces, breaking values with spaces); stopping sends
 * SIGTERM to the trial's process group and SIGKILL after a grace period
 * (Syne Tune sends SIGKILL to the leader only, leaving its children);
 * output is read live through a pipe (Syne Tune re-reads std.out files on
 * every poll); exits are seen through pidfds, without polling loops. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend_args.h"
#include "local_internal.h"

static int32_t HPOLAB_ABI local_create(struct hpolab_ctx *ctx,
                                       const struct hpolab_backend_args *args,
                                       void **out_state)
{
    *out_state = NULL;
    int32_t checked = hpolab_common_backend_args_check(ctx, args, 1);
    if (checked != HPOLAB_OK)
        return checked;
    struct local_backend *b = calloc(1, sizeof *b);
    if (!b)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    b->experiment_dir = args->experiment_dir;
    b->entry_argc = args->entry_argc;
    b->entry_argv = args->entry_argv;
    b->working_dir = args->working_dir;
    b->wake_fd = args->wake_fd;
    int32_t json = 0;
    int32_t st = hpolab_host->option_double(ctx, args->options,
                                            "stop_grace_period", 10.0,
                                            &b->grace);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_double(ctx, args->options,
                                        "pause_grace_period", 2.0,
                                        &b->pause_grace);
    if (st == HPOLAB_OK && !(b->pause_grace >= 0 && b->pause_grace <= 86400))
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "pause_grace_period must be between 0 and "
                              "86400 seconds, got %g",
                              b->pause_grace);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_bool(ctx, args->options, "pass_args_as_json",
                                      0, &json);
    if (st == HPOLAB_OK && !(b->grace >= 0 && b->grace <= 86400))
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "stop_grace_period must be between 0 and "
                              "86400 seconds, got %g",
                              b->grace);
    b->json_mode = json != 0;
    if (st == HPOLAB_OK)
        st = local_gpu_init(ctx, args->options, &b->gpu);
    if (st == HPOLAB_OK && local_table_init(&b->table) != 0)
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (st != HPOLAB_OK) {
        local_gpu_free(&b->gpu);
        local_table_free(&b->table);
        free(b);
        return st;
    }
    /* a resumed experiment: what its killed tuner left running */
    local_stop_leftovers(b, ctx);
    *out_state = b;
    return HPOLAB_OK;
}

/* Kill and reap everything left: no orphans, no zombies. */
static void HPOLAB_ABI local_destroy(void *state)
{
    struct local_backend *b = state;
    if (!b)
        return;
    while (b->table.live)
        local_kill_and_reap(b, NULL, b->table.live);
    local_table_free(&b->table);
    local_gpu_free(&b->gpu);
    free(b->pfds);
    free(b->pruns);
    free(b);
}

static int32_t prepare_folder(struct hpolab_ctx *ctx,
                              const struct hpolab_trial_job *job)
{
    int64_t id = job->trial_id;
    int32_t st = local_mkdirs(ctx, id, job->trial_dir);
    if (st != HPOLAB_OK)
        return st;
    /* Markers of the previous run (Syne Tune's layout: stop, pause, end);
     * a new trial's folder has none. */
    if (job->is_resume) {
        local_unlink(ctx, job->trial_dir, "pause");
        local_unlink(ctx, job->trial_dir, "stop");
        local_unlink(ctx, job->trial_dir, "end");
    }
    char *json = hpolab_host->config_to_json(job->config);
    char *path = local_path_join(job->trial_dir, "config.json");
    if (!json || !path)
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                              "trial %lld: out of memory", (long long)id);
    else
        st = local_write_file(ctx, id, path, json, strlen(json));
    hpolab_host->free(json);
    free(path);
    if (st == HPOLAB_OK && job->copy_checkpoint_from)
        st = local_copy_tree(ctx, id, job->copy_checkpoint_from,
                             job->checkpoint_dir);
    return st;
}

static int32_t HPOLAB_ABI local_start_trial(void *state,
                                            struct hpolab_ctx *ctx,
                                            const struct hpolab_trial_job *job)
{
    struct local_backend *b = state;
    if (!job || !job->config || !job->trial_dir || !job->checkpoint_dir)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "start_trial: the job lacks a configuration "
                                "or folders");
    long long id = (long long)job->trial_id;
    struct local_run *old = local_table_find(&b->table, job->trial_id);
    if (old && !old->stopped)
        return hpolab_set_error(ctx, HPOLAB_ERR_STATE,
                                "trial %lld is still running; stop it before "
                                "starting it again",
                                id);
    /* A resume never runs alongside the paused process; one still inside
     * its pause window may first finish on its own (its checkpoint). */
    if (old) {
        local_await_exit(old, old->term_at);
        local_kill_and_reap(b, ctx, old);
    }

    int32_t st = prepare_folder(ctx, job);
    if (st != HPOLAB_OK)
        return st;
    struct local_run *run = calloc(1, sizeof *run);
    if (!run || !(run->trial_dir = strdup(job->trial_dir))) {
        free(run);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                "trial %lld: out of memory", id);
    }
    run->trial_id = job->trial_id;
    run->pidfd = run->out_fd = run->tee_fd = -1;
    run->pid = -1;
    char *cuda = NULL;
    st = local_gpu_assign(ctx, &b->gpu, run, &cuda);
    if (st == HPOLAB_OK)
        st = local_spawn(b, ctx, job, cuda, run);
    free(cuda);
    if (st == HPOLAB_OK)
        st = local_pid_write(ctx, run);
    if (st != HPOLAB_OK && run->pid > 0) {
        kill(-run->pid, SIGKILL);
        while (waitpid(run->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        run->pid = -1;
    }
    if (st == HPOLAB_OK && local_table_add(&b->table, run) != 0) {
        kill(-run->pid, SIGKILL);
        while (waitpid(run->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                              "trial %lld: out of memory", id);
    }
    if (st != HPOLAB_OK) {
        local_run_free(b, run);
        return st;
    }
    hpolab_log(ctx, HPOLAB_LOG_DEBUG, "trial %lld started (pid %ld)", id,
               (long)run->pid);
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI local_stop_trial(void *state, struct hpolab_ctx *ctx,
                                           int64_t trial_id, int32_t how)
{
    struct local_backend *b = state;
    struct local_run *run = local_table_find(&b->table, trial_id);
    /* Already ended (its exit may be on its way to the host): nothing to do. */
    if (!run || run->stopped)
        return HPOLAB_OK;
    local_touch(ctx, run->trial_dir,
                how == HPOLAB_STOP_PAUSE ? "pause" : "stop");
    /* A pause usually comes at the end of a promotion-type run, which is
     * about to save its checkpoint and exit 0 by itself: killing it at once
     * would lose that epoch's checkpoint. */
    if (how == HPOLAB_STOP_PAUSE)
        local_stop_run_later(b, run, b->pause_grace, b->grace);
    else
        local_stop_run(b, run, b->grace);
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI local_wait_events(void *state,
                                            struct hpolab_ctx *ctx,
                                            double timeout_s)
{
    struct local_backend *b = state;
    double deadline = local_monotonic() + (timeout_s > 0 ? timeout_s : 0);
    for (;;) {
        int woke, emitted, interrupted;
        double left = deadline - local_monotonic();
        int32_t st = local_poll_round(b, ctx, left > 0 ? left : 0, 1, &woke,
                                      &emitted, &interrupted);
        if (st != HPOLAB_OK || woke || emitted || interrupted)
            return st;
        if (local_monotonic() >= deadline)
            return HPOLAB_OK;
    }
}

/* Whether fd is readable right now. */
static int readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return fd >= 0 && poll(&p, 1, 0) == 1;
}

/* SIGKILL sent to everything and still not reaped after this: give up
 * waiting (destroy reaps what is left). */
#define STOP_ALL_AFTER_KILL_S 10.0

static int32_t HPOLAB_ABI local_stop_all(void *state, struct hpolab_ctx *ctx,
                                         double grace_s)
{
    struct local_backend *b = state;
    /* The host's grace is an upper bound: the study's stop_grace_period
     * applies when it is shorter (0 from the host: kill at once). */
    if (grace_s > b->grace)
        grace_s = b->grace;
    /* A wake that arrives during stop_all (a second Ctrl-C) kills at once;
     * one already pending when we start is the interrupt that got us here. */
    int watch_wake = b->wake_fd >= 0 && !readable(b->wake_fd);
    double last_kill = local_monotonic() + (grace_s > 0 ? grace_s : 0);
    for (struct local_run *r = b->table.live; r; r = r->live_next) {
        if (!r->stopped) {
            local_touch(ctx, r->trial_dir, "stop");
            local_stop_run(b, r, grace_s);
        } else if (grace_s <= 0) {
            kill(-r->pid, SIGKILL);
            r->kill_at = 0;
        } else if (r->kill_at > last_kill) {
            r->kill_at = last_kill; /* stopped before: SIGTERM was sent */
        }
    }
    int32_t result = HPOLAB_OK;
    while (b->table.live) {
        double now = local_monotonic();
        if (now > last_kill + STOP_ALL_AFTER_KILL_S) {
            hpolab_log(ctx, HPOLAB_LOG_ERROR,
                       "%zu trial process(es) did not end %.0f s after "
                       "SIGKILL",
                       b->table.count, STOP_ALL_AFTER_KILL_S);
            break;
        }
        int woke, emitted, interrupted;
        int32_t st = local_poll_round(b, ctx, last_kill + STOP_ALL_AFTER_KILL_S - now,
                                      watch_wake, &woke, &emitted,
                                      &interrupted);
        if (st != HPOLAB_OK && result == HPOLAB_OK)
            result = st;
        if (woke) {
            watch_wake = 0;
            last_kill = local_monotonic();
            for (struct local_run *r = b->table.live; r; r = r->live_next) {
                kill(-r->pid, SIGKILL);
                r->kill_at = 0;
            }
        }
    }
    return result;
}

static const struct hpolab_backend_class local_class = {
    .struct_size = sizeof(struct hpolab_backend_class),
    .id = "local",
    .description = "runs each trial as a process on this machine",
    .create = local_create,
    .destroy = local_destroy,
    .start_trial = local_start_trial,
    .stop_trial = local_stop_trial,
    .wait_events = local_wait_events,
    .stop_all = local_stop_all,
};

static int32_t local_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_backend(ctx, &local_class);
}

HPOLAB_PLUGIN_DEFINE(backend_local, "1.0.0",
                     "local backend: trials as processes on this machine",
                     "Apache-2.0", local_init, NULL)
