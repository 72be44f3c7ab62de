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

#include "cmd_launch.h"
#include "fsutil.h"
#include "launch_local.h"
#include "launch_record.h"
#include "launch_resources.h"
#include "launch_state.h"

static volatile sig_atomic_t cancel_flag;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    cancel_flag = 1;
    if (wake_pipe[1] >= 0) {
        ssize_t n = write(wake_pipe[1], "x", 1);
        (void)n;
    }
    errno = saved;
}

static int install_signals(void)
{
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct progress {
    const struct hpolab_launch_plan *plan;
    int32_t *state;
    struct hpolab_launch_totals totals;
};

static void on_change(void *user, size_t slice,
                      const struct hpolab_job_state *js)
{
    struct progress *p = user;
    int32_t old = p->state[slice];
    if (old == js->state)
        return;
    p->totals.count[old]--;
    p->totals.count[js->state]++;
    p->state[slice] = js->state;
    launch_print_change(stdout, p->plan, slice, js, &p->totals);
}

static int write_supervisor(const struct hpolab_launch_plan *plan,
                            int32_t state, double start)
{
    struct hpolab_job_state s;
    hpolab_job_state_init(&s);
    hpolab_job_state_set_self(&s);
    s.state = state;
    s.start = start;
    if (hpolab_slice_state_is_final(state))
        s.end = wall();
    char *path = hpolab_path_join(plan->root, HPOLAB_SUPERVISOR_STATE_NAME);
    struct hpolab_error err;
    int32_t st = path ? hpolab_job_state_write(path, &s, &err)
                      : HPOLAB_ERR_NOMEM;
    if (st != HPOLAB_OK)
        fprintf(stderr, "hpolab launch: %s\n",
                path ? err.message : "out of memory");
    free(path);
    return st == HPOLAB_OK ? 0 : -1;
}

/* The supervisor's work; returns the exit status. */
static int supervise(struct hpolab_launch_plan *plan,
                     const struct launch_engine_args *a, int64_t max_parallel,
                     int64_t gpus_per_slice)
{
    double start = wall();
    struct progress prog = {.plan = plan};
    prog.state = calloc(plan->n_slices + 1, sizeof *prog.state);
    if (!prog.state)
        return 1;
    prog.totals.total = plan->n_slices;
    for (size_t i = 0; i < plan->n_slices; i++) {
        int32_t s = plan->slices[i].skipped ? HPOLAB_SLICE_DONE
                                            : HPOLAB_SLICE_PENDING;
        prog.state[i] = s;
        prog.totals.count[s]++;
    }
    struct hpolab_local_engine e = {
        .registry = a->registry,
        .max_parallel = max_parallel,
        .gpus_per_slice = gpus_per_slice,
        .stop_grace = 20.0,
        .wake_fd = wake_pipe[0],
        .cancel = &cancel_flag,
        .on_change = on_change,
        .user = &prog,
        .adopted = a->adopted,
    };
    struct hpolab_error err;
    int32_t st = hpolab_local_engine_run(plan, &e, &err);
    int rc;
    if (st == HPOLAB_ERR_INTERRUPTED) {
        printf("cancelled: ");
        rc = 130;
    } else if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n", err.message);
        rc = 1;
    } else {
        printf("all jobs ended: ");
        rc = prog.totals.count[HPOLAB_SLICE_DONE] == plan->n_slices ? 0 : 1;
    }
    launch_print_totals(stdout, &prog.totals);
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
    write_supervisor(plan, rc == 0 ? HPOLAB_SLICE_DONE
                           : rc == 130 ? HPOLAB_SLICE_CANCELLED
                                       : HPOLAB_SLICE_FAILED,
                     start);
    free(prog.state);
    return rc;
}

/* Fork the supervisor into the background; returns the parent's exit
 * status once the child has recorded itself (so `hpolab cancel` works as
 * soon as `hpolab launch` returns). */
static int background(struct hpolab_launch_plan *plan,
                      const struct launch_engine_args *a, int64_t max_parallel,
                      int64_t gpus_per_slice)
{
    char *log = hpolab_path_join(plan->root, "launch.log");
    int ready[2];
    if (!log || pipe2(ready, O_CLOEXEC) != 0) {
        fprintf(stderr, "hpolab launch: cannot create a pipe: %s\n",
                strerror(errno));
        free(log);
        return 1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "hpolab launch: cannot fork the supervisor: %s\n",
                strerror(errno));
        close(ready[0]);
        close(ready[1]);
        free(log);
        return 1;
    }
    if (pid == 0) {
        close(ready[0]);
        setsid();
        int in = open("/dev/null", O_RDONLY);
        int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (in >= 0)
            dup2(in, 0);
        if (out >= 0) {
            dup2(out, 1);
            dup2(out, 2);
        }
        if (in > 2)
            close(in);
        if (out > 2)
            close(out);
        int rc = install_signals() == 0 &&
                         write_supervisor(plan, HPOLAB_SLICE_RUNNING, wall()) == 0
                     ? 0
                     : 1;
        close(ready[1]); /* the parent may return now */
        if (rc == 0)
            rc = supervise(plan, a, max_parallel, gpus_per_slice);
        fflush(stdout);
        _exit(rc);
    }
    close(ready[1]);
    char c;
    while (read(ready[0], &c, 1) < 0 && errno == EINTR) {
    }
    close(ready[0]);
    struct hpolab_job_state s;
    int alive = hpolab_launch_supervisor_alive(plan->root, &s);
    if (alive != 1) {
        int status = 0;
        waitpid(pid, &status, WNOHANG);
        fprintf(stderr, "hpolab launch: the supervisor did not start; see "
                        "%s\n",
                log);
        free(log);
        return 1;
    }
    printf("supervisor running in the background (pid %d, log %s)\n"
           "follow it with: hpolab status %s%s%s\n"
           "stop it with:   hpolab cancel %s\n",
           (int)pid, log, plan->tag, "", "", plan->tag);
    free(log);
    return 0;
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
    if (!a->wait)
        return background(plan, a, max_parallel, gpus_per_slice);
    if (install_signals() != 0 ||
        write_supervisor(plan, HPOLAB_SLICE_RUNNING, wall()) != 0)
        return 1;
    return supervise(plan, a, max_parallel, gpus_per_slice);
}
