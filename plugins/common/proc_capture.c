/* proc_capture.c: see proc_capture.h. */
#include "proc_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

double hpolab_capture_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct sink {
    char *data;
    size_t len, cap;
};

/* 0: more may come; 1: end of file (or a read error); -1: out of memory. */
static int sink_read(int fd, struct sink *s)
{
    for (;;) {
        if (s->cap - s->len < 4096) {
            size_t cap = s->cap ? 2 * s->cap : 8192;
            char *p = realloc(s->data, cap);
            if (!p)
                return -1;
            s->data = p;
            s->cap = cap;
        }
        ssize_t n = read(fd, s->data + s->len, s->cap - s->len - 1);
        if (n > 0) {
            s->len += (size_t)n;
            continue;
        }
        if (n == 0)
            return 1;
        return errno == EAGAIN || errno == EINTR ? 0 : 1;
    }
}

static char *sink_take(struct sink *s, int trim)
{
    if (!s->data && !(s->data = malloc(1)))
        return NULL;
    s->data[s->len] = '\0';
    while (trim && s->len && strchr(" \t\r\n", s->data[s->len - 1]))
        s->data[--s->len] = '\0';
    return s->data;
}

void hpolab_capture_free(struct hpolab_capture *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

static int spawn(const char *const *argv, int out_fd, int err_fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    int e =
        posix_spawnp(pid, argv[0], &fa, &attr, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return e;
}

int hpolab_capture_run(const char *const *argv, double timeout_s,
                       struct hpolab_capture *res, const char **what)
{
    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    *what = "cannot create a pipe";
    int op[2] = {-1, -1}, ep[2] = {-1, -1};
    if (pipe2(op, O_CLOEXEC) != 0)
        return errno;
    if (pipe2(ep, O_CLOEXEC) != 0) {
        int e = errno;
        close(op[0]);
        close(op[1]);
        return e;
    }
    fcntl(op[0], F_SETFL, O_NONBLOCK);
    fcntl(ep[0], F_SETFL, O_NONBLOCK);
    pid_t pid;
    int e = spawn(argv, op[1], ep[1], &pid);
    close(op[1]);
    close(ep[1]);
    if (e != 0) {
        close(op[0]);
        close(ep[0]);
        *what = e == ENOENT ? "is not installed (not found in PATH)"
                            : "cannot be started";
        return e;
    }
    struct sink so = {0}, se = {0};
    struct pollfd pf[2] = {{.fd = op[0], .events = POLLIN},
                           {.fd = ep[0], .events = POLLIN}};
    int open_fds = 2, timed_out = 0, nomem = 0;
    double deadline =
        hpolab_capture_monotonic() + (timeout_s > 0 ? timeout_s : 1e9);
    while (open_fds > 0) {
        double left = deadline - hpolab_capture_monotonic();
        if (left <= 0) {
            timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        if (poll(pf, 2, (int)(left * 1000) + 1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            int r = sink_read(pf[i].fd, i == 0 ? &so : &se);
            if (r != 0) {
                nomem |= r < 0;
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (pf[i].fd >= 0)
            close(pf[i].fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    res->out = sink_take(&so, 0);
    res->err = sink_take(&se, 1);
    res->exit_code = WIFEXITED(status)     ? WEXITSTATUS(status)
                     : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                           : -1;
    if (nomem || !res->out || !res->err) {
        *what = "out of memory";
        return ENOMEM;
    }
    if (timed_out) {
        *what = "did not answer in time";
        return ETIMEDOUT;
    }
    return 0;
}
