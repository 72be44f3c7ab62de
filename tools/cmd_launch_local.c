/* cmd_launch_local.c: `hpolab launch --engine local`: a supervisor process
 * runs the slices through the local backend plugin (launch_local.h). With
 * --wait it is this process, showing progress; otherwise it is a child that
 * leaves the terminal (setsid) and logs to <root>/launch.log, and `hpolab
 * status` / `hpolab cancel` reach it through <root>/supervisor.json. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cmd_launch.h"
#include "fsutil.h"
#include "launch_local.h"
#include "launch_record.h"
#include "launch_resources.h"
#include "launch_state.h"
#include "launch_supervisor.h"

/* The supervisor's work; returns the exit status. */
static int supervise(struct hpolab_launch_plan *plan,
                     const struct launch_engine_args *a, int64_t max_parallel,
                     int64_t gpus_per_slice)
{
    double start = hpolab_wall_time();
    struct launch_progress prog;
    if (launch_progress_init(&prog, plan) != 0)
        return 1;
    struct hpolab_local_engine e = {
        .registry = a->registry,
        .max_parallel = max_parallel,
        .gpus_per_slice = gpus_per_slice,
        .stop_grace = 20.0,
        .wake_fd = launch_wake_fd(),
        .cancel = &launch_cancel_flag,
        .on_change = launch_progress_on_change,
        .user = &prog,
        .adopted = a->adopted,
    };
    struct hpolab_error err;
    int32_t st = hpolab_local_engine_run(plan, &e, &err);
    int rc = launch_progress_finish(&prog, st, &err);
    /* the supervisor's own cost, without the jobs' (they are children) */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                 ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) *
                     1e-6;
    size_t started = 0;
    for (size_t i = 0; i < plan->n_slices; i++)
        started += !plan->slices[i].skipped;
    printf("launcher: %.3f s CPU for %zu job(s) (%.3f ms per job)\n", cpu,
           started, started ? cpu * 1e3 / (double)started : 0.0);
    printf("results: %s (hpolab status %s)\n", plan->root, plan->tag);
    fflush(stdout);
    launch_write_supervisor(plan, launch_supervisor_final_state(rc), start);
    launch_progress_free(&prog);
    return rc;
}

struct local_supervise {
    const struct launch_engine_args *a;
    int64_t max_parallel, gpus_per_slice;
};

static int supervise_cb(struct hpolab_launch_plan *plan, void *user)
{
    struct local_supervise *ls = user;
    return supervise(plan, ls->a, ls->max_parallel, ls->gpus_per_slice);
}

int launch_run_local(struct hpolab_launch_plan *plan,
                     const struct launch_engine_args *a)
{
    int64_t cpus = hpolab_cpu_count(), gpus = hpolab_gpu_count();
    int64_t gpus_per_slice = 0;
    int64_t max_parallel = hpolab_default_parallel(
        cpus, gpus, a->cpus_per_slice > 0 ? a->cpus_per_slice : plan->n_workers,
        &gpus_per_slice);
    if (a->max_parallel > 0) {
        max_parallel = a->max_parallel;
        gpus_per_slice = hpolab_gpus_per_slice(gpus, max_parallel);
    }
    plan->max_parallel = max_parallel;
    struct hpolab_error err;
    if (hpolab_launch_record_write(plan, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n", err.message);
        return 1;
    }
    printf("local engine: up to %lld experiment(s) at once (%lld CPU(s), "
           "%lld GPU(s)%s, n_workers %lld%s)\n",
           (long long)max_parallel, (long long)cpus, (long long)gpus,
           gpus_per_slice > 0 ? "" : "", (long long)plan->n_workers,
           a->cpus_per_slice == 1 && plan->n_workers > 1
               ? ", simulated: one CPU per experiment"
               : "");
    if (gpus_per_slice > 0)
        printf("  each experiment gets %lld GPU(s)%s\n",
               (long long)gpus_per_slice,
               max_parallel * gpus_per_slice <= gpus ? " of its own"
                                                     : " (shared: more "
                                                       "experiments than "
                                                       "GPUs)");
    fflush(stdout);
    if (!a->wait) {
        struct local_supervise ls = {a, max_parallel, gpus_per_slice};
        return launch_background(plan, supervise_cb, &ls);
    }
    if (launch_install_signals() != 0 ||
        launch_write_supervisor(plan, HPOLAB_SLICE_RUNNING,
                                hpolab_wall_time()) != 0)
        return 1;
    return supervise(plan, a, max_parallel, gpus_per_slice);
}
