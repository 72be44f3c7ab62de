/* local_wait.c: the one place the backend blocks. A poll round waits on the
 * stdout pipes, one pidfd per trial process and the host's wake_fd, never
 * longer than the next stop timer (SIGTERM was sent, SIGKILL is due). An
 * exited trial's pipe is drained before its exit is emitted, so every report
 * reaches the host before the exit. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "local_internal.h"

double local_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int32_t local_note_emit(struct local_backend *b, int32_t st)
{
    if (st != HPOLAB_OK && b->emit_status == HPOLAB_OK)
        b->emit_status = st;
    return st;
}

void local_run_free(struct local_backend *b, struct local_run *run)
{
    local_gpu_release(&b->gpu, run);
    if (run->pidfd >= 0)
        close(run->pidfd);
    if (run->out_fd >= 0)
        close(run->out_fd);
    if (run->tee_fd >= 0)
        close(run->tee_fd);
    local_linebuf_free(&run->line);
    free(run->trial_dir);
    free(run);
}

void local_stop_run(struct local_backend *b, struct local_run *run,
                    double grace_s)
{
    run->stopped = 1;
    run->line.len = 0;
    local_gpu_release(&b->gpu, run);
    /* The leader is not reaped while the run exists, so its pid still names
     * the group (no reuse race). */
    run->term_at = 0;
    if (grace_s > 0) {
        kill(-run->pid, SIGTERM);
        double at = local_monotonic() + grace_s;
        if (run->kill_at == 0 || at < run->kill_at)
            run->kill_at = at;
    } else {
        kill(-run->pid, SIGKILL);
        run->kill_at = 0;
    }
}

void local_stop_run_later(struct local_backend *b, struct local_run *run,
                          double delay_s, double grace_s)
{
    if (!(delay_s > 0)) {
        local_stop_run(b, run, grace_s);
        return;
    }
    run->stopped = 1;
    run->line.len = 0;
    local_gpu_release(&b->gpu, run);
    double now = local_monotonic();
    run->term_at = now + delay_s;
    run->kill_at = run->term_at + (grace_s > 0 ? grace_s : 0.001);
}

void local_await_exit(const struct local_run *run, double deadline)
{
    for (;;) {
        double left = deadline - local_monotonic();
        if (!(left > 0))
            return;
        if (run->pidfd >= 0) {
            struct pollfd p = {.fd = run->pidfd, .events = POLLIN};
            int ms = left * 1000.0 > 1.0 ? (int)(left * 1000.0) : 1;
            int r = poll(&p, 1, ms);
            if (r > 0 || (r < 0 && errno != EINTR))
                return;
            continue;
        }
        /* no pidfds: look without reaping, every 10 ms */
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)run->pid, &si,
                   WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid != 0)
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static int reap(pid_t pid, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, 0);
        if (r == pid)
            return 0;
        if (r < 0 && errno == EINTR)
            continue;
        return -1; /* ECHILD: someone else reaped it */
    }
}

void local_kill_and_reap(struct local_backend *b, struct hpolab_ctx *ctx,
                         struct local_run *run)
{
    run->stopped = 1;
    kill(-run->pid, SIGKILL);
    int status;
    reap(run->pid, &status);
    local_output_read(b, ctx, run, 1);
    local_write_end(ctx, run->trial_dir);
    local_unlink(ctx, run->trial_dir, "pid");
    local_table_remove(&b->table, run);
    local_run_free(b, run);
}

static const char *signal_name(int sig)
{
    const char *abbrev = sigabbrev_np(sig);
    return abbrev ? abbrev : "?";
}

/* "exit code 3" or "killed by signal 9 (SIGKILL)", then the std.err tail.
 * [owned: free] */
static char *failure_message(const struct local_run *run, int have_status,
                             int status)
{
    char head[128];
    if (!have_status)
        snprintf(head, sizeof head,
                 "exit status unknown (the process was reaped elsewhere)");
    else if (WIFEXITED(status))
        snprintf(head, sizeof head, "exit code %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(head, sizeof head, "killed by signal %d (SIG%s)%s",
                 WTERMSIG(status), signal_name(WTERMSIG(status)),
                 WCOREDUMP(status) ? ", core dumped" : "");
    else
        snprintf(head, sizeof head, "ended with wait status 0x%x", status);
    char *err_path = local_path_join(run->trial_dir, "std.err");
    char *tail = err_path ? local_file_tail(err_path) : NULL;
    size_t len = strlen(head) + (tail ? strlen(tail) + strlen(err_path) : 0) +
                 64;
    char *msg = malloc(len);
    if (msg) {
        if (tail)
            snprintf(msg, len, "%s; last lines of %s:\n%s", head, err_path,
                     tail);
        else
            snprintf(msg, len, "%s", head);
    }
    free(tail);
    free(err_path);
    return msg;
}

/* The leader exited: end its group, reap it, drain the pipe, emit lines and
 * then the exit (unless stopped), free the run. */
static void finish_run(struct local_backend *b, struct hpolab_ctx *ctx,
                       struct local_run *run)
{
    /* Leftovers of the trial's group die with it (no orphans); the leader
     * is a zombie until reaped, so the group id is still ours. */
    kill(-run->pid, SIGKILL);
    int status = 0;
    int have_status = reap(run->pid, &status) == 0;
    local_output_read(b, ctx, run, 1);
    local_output_flush(b, ctx, run);
    local_write_end(ctx, run->trial_dir);
    local_unlink(ctx, run->trial_dir, "pid");
    if (!run->stopped) {
        int ok = have_status && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        char *msg = ok ? NULL : failure_message(run, have_status, status);
        int32_t st = hpolab_host->emit_exit(
            ctx, run->trial_id,
            ok ? HPOLAB_TRIAL_COMPLETED : HPOLAB_TRIAL_FAILED,
            ok ? NULL : msg ? msg : "failed (out of memory for the message)");
        local_note_emit(b, st);
        free(msg);
    }
    local_table_remove(&b->table, run);
    local_run_free(b, run);
}

static int reserve(struct local_backend *b, size_t n)
{
    if (n <= b->pcap)
        return 0;
    size_t cap = b->pcap ? b->pcap : 16;
    while (cap < n)
        cap *= 2;
    struct pollfd *p = realloc(b->pfds, cap * sizeof *p);
    if (!p)
        return -1;
    b->pfds = p;
    struct local_run **r = realloc(b->pruns, cap * sizeof *r);
    if (!r)
        return -1;
    b->pruns = r;
    b->pcap = cap;
    return 0;
}

/* SIGKILL every group whose grace period is over; the earliest pending
 * deadline (or 0). */
static double fire_timers(struct local_backend *b, double now)
{
    double next = 0;
    for (struct local_run *r = b->table.live; r; r = r->live_next) {
        if (r->term_at != 0) {
            if (r->term_at <= now) {
                kill(-r->pid, SIGTERM);
                r->term_at = 0;
            } else if (next == 0 || r->term_at < next) {
                next = r->term_at;
            }
        }
        if (r->kill_at == 0)
            continue;
        if (r->kill_at <= now) {
            kill(-r->pid, SIGKILL);
            r->kill_at = 0;
        } else if (next == 0 || r->kill_at < next) {
            next = r->kill_at;
        }
    }
    return next;
}

static int to_ms(double s)
{
    if (!(s > 0))
        return 0;
    if (s >= INT_MAX / 1000.0)
        return INT_MAX;
    double ms = s * 1000.0;
    int whole = (int)ms;
    return whole < ms ? whole + 1 : whole; /* round up: never wake early */
}

/* The leader has exited (it stays a zombie: WNOWAIT does not reap). For
 * runs without a pidfd. */
static int exited_nowait(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           si.si_pid == pid;
}

int32_t local_poll_round(struct local_backend *b, struct hpolab_ctx *ctx,
                         double max_wait_s, int watch_wake, int *woke,
                         int *emitted, int *interrupted)
{
    *woke = *emitted = *interrupted = 0;
    double now = local_monotonic();
    double next_kill = fire_timers(b, now);
    double wait_s = max_wait_s;
    if (next_kill > 0 && next_kill - now < wait_s)
        wait_s = next_kill - now;

    if (reserve(b, 2 * b->table.count + 1) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    size_t n = 0;
    int check_exits = 0;
    if (watch_wake && b->wake_fd >= 0) {
        b->pfds[n] = (struct pollfd){.fd = b->wake_fd, .events = POLLIN};
        b->pruns[n++] = NULL;
    }
    for (struct local_run *r = b->table.live; r; r = r->live_next) {
        r->exit_ready = 0;
        if (r->out_fd >= 0) {
            b->pfds[n] = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
            b->pruns[n++] = r;
        }
        if (r->pidfd >= 0) {
            b->pfds[n] = (struct pollfd){.fd = r->pidfd, .events = POLLIN};
            b->pruns[n++] = r;
        } else {
            check_exits = 1;
        }
    }
    if (check_exits && wait_s > LOCAL_EXIT_CHECK_S)
        wait_s = LOCAL_EXIT_CHECK_S;
    int ready = poll(b->pfds, (nfds_t)n, to_ms(wait_s));
    if (ready < 0) {
        if (errno == EINTR) {
            *interrupted = 1;
            return HPOLAB_OK;
        }
        return hpolab_set_error(ctx, HPOLAB_ERR_IO, "poll failed: %s",
                                strerror(errno));
    }
    b->emit_status = HPOLAB_OK;
    if (ready == 0)
        fire_timers(b, local_monotonic());
    /* Output first, exits second: runs are freed only in the second pass. */
    for (size_t i = 0; ready > 0 && i < n; i++) {
        if (!b->pfds[i].revents)
            continue;
        struct local_run *r = b->pruns[i];
        if (!r) {
            *woke = 1;
        } else if (b->pfds[i].fd == r->pidfd) {
            r->exit_ready = 1;
        } else {
            if (!r->stopped)
                *emitted = 1;
            local_output_read(b, ctx, r, 0);
        }
    }
    struct local_run *next;
    for (struct local_run *r = b->table.live; r; r = next) {
        next = r->live_next;
        if (r->pidfd < 0 && exited_nowait(r->pid))
            r->exit_ready = 1;
        if (!r->exit_ready)
            continue;
        if (!r->stopped)
            *emitted = 1;
        finish_run(b, ctx, r);
    }
    return b->emit_status;
}
