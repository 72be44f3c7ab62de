/* launch_supervisor.c: see launch_supervisor.h. */
#include "launch_supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_signals.h"
#include "clock.h"
#include "cmd_launch.h"
#include "fsutil.h"

volatile sig_atomic_t launch_cancel_flag;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    launch_cancel_flag = 1;
    if (wake_pipe[1] >= 0) {
        ssize_t n = write(wake_pipe[1], "x", 1);
        (void)n;
    }
    errno = saved;
}

int launch_install_signals(void)
{
    if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    cli_install_stop_signals(on_signal);
    return 0;
}

int launch_wake_fd(void)
{
    return wake_pipe[0];
}

int launch_write_supervisor(const struct hpolab_launch_plan *plan,
                            int32_t state, double start)
{
    struct hpolab_job_state s;
    hpolab_job_state_init(&s);
    hpolab_job_state_set_self(&s);
    s.state = state;
    s.start = start;
    if (hpolab_slice_state_is_final(state))
        s.end = hpolab_wall_time();
    char *path = hpolab_path_join(plan->root, HPOLAB_SUPERVISOR_STATE_NAME);
    struct hpolab_error err;
    int32_t st =
        path ? hpolab_job_state_write(path, &s, &err) : HPOLAB_ERR_NOMEM;
    if (st != HPOLAB_OK)
        fprintf(stderr, "hpolab launch: %s\n",
                path ? err.message : "out of memory");
    free(path);
    return st == HPOLAB_OK ? 0 : -1;
}

int launch_progress_init(struct launch_progress *p,
                         const struct hpolab_launch_plan *plan)
{
    memset(p, 0, sizeof *p);
    p->plan = plan;
    p->state = calloc(plan->n_slices + 1, sizeof *p->state);
    if (!p->state)
        return -1;
    p->totals.total = plan->n_slices;
    for (size_t i = 0; i < plan->n_slices; i++) {
        int32_t s =
            plan->slices[i].skipped ? HPOLAB_SLICE_DONE : HPOLAB_SLICE_PENDING;
        p->state[i] = s;
        p->totals.count[s]++;
    }
    return 0;
}

void launch_progress_free(struct launch_progress *p)
{
    free(p->state);
    p->state = NULL;
}

void launch_progress_on_change(void *user, size_t slice,
                               const struct hpolab_job_state *js)
{
    struct launch_progress *p = user;
    int32_t old = p->state[slice];
    if (old == js->state)
        return;
    p->totals.count[old]--;
    p->totals.count[js->state]++;
    p->state[slice] = js->state;
    launch_print_change(stdout, p->plan, slice, js, &p->totals);
    fflush(stdout);
}

int launch_progress_finish(const struct launch_progress *p, int32_t st,
                           const struct hpolab_error *err)
{
    int rc;
    if (st == HPOLAB_ERR_INTERRUPTED) {
        printf("cancelled: ");
        rc = 130;
    } else if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n", err->message);
        rc = 1;
    } else {
        printf("all jobs ended: ");
        rc = p->totals.count[HPOLAB_SLICE_DONE] == p->plan->n_slices ? 0 : 1;
    }
    launch_print_totals(stdout, &p->totals);
    return rc;
}

int32_t launch_supervisor_final_state(int rc)
{
    return rc == 0     ? HPOLAB_SLICE_DONE
           : rc == 130 ? HPOLAB_SLICE_CANCELLED
                       : HPOLAB_SLICE_FAILED;
}

/* The child: leaves the terminal, logs to log, records itself, tells the
 * parent through ready, then supervises. */
static void run_child(struct hpolab_launch_plan *plan, const char *log,
                      int ready_fd, launch_supervise_fn supervise, void *user)
{
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
    int rc = launch_install_signals() == 0 &&
                     launch_write_supervisor(plan, HPOLAB_SLICE_RUNNING,
                                             hpolab_wall_time()) == 0
                 ? 0
                 : 1;
    close(ready_fd); /* the parent may return now */
    if (rc == 0)
        rc = supervise(plan, user);
    fflush(stdout);
    _exit(rc);
}

int launch_background(struct hpolab_launch_plan *plan,
                      launch_supervise_fn supervise, void *user)
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
        run_child(plan, log, ready[1], supervise, user);
    }
    close(ready[1]);
    char c;
    while (read(ready[0], &c, 1) < 0 && errno == EINTR) {
    }
    close(ready[0]);
    struct hpolab_job_state s;
    if (hpolab_launch_supervisor_alive(plan->root, &s) != 1) {
        int status = 0;
        waitpid(pid, &status, WNOHANG);
        fprintf(stderr,
                "hpolab launch: the supervisor did not start; see "
                "%s\n",
                log);
        free(log);
        return 1;
    }
    printf("supervisor running in the background (pid %d, log %s)\n"
           "follow it with: hpolab status %s\n"
           "stop it with:   hpolab cancel %s\n",
           (int)pid, log, plan->tag, plan->tag);
    free(log);
    return 0;
}
