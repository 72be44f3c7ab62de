/* slurm_cmd.c: running the Slurm tools from argv arrays (no shell) and
 * collecting their output, with a time limit. */
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

#include "slurm_internal.h"

extern char **environ;

double slurm_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

char *slurm_sh_quote(const char *text)
{
    size_t n = 3;
    for (const char *p = text; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *q = malloc(n), *o = q;
    if (!q)
        return NULL;
    *o++ = '\'';
    for (const char *p = text; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

struct buf {
    char *data;
    size_t len, cap;
};

static int buf_read(int fd, struct buf *b)
{
    for (;;) {
        if (b->cap - b->len < 4096) {
            size_t cap = b->cap ? 2 * b->cap : 8192;
            char *p = realloc(b->data, cap);
            if (!p)
                return -1;
            b->data = p;
            b->cap = cap;
        }
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n > 0) {
            b->len += (size_t)n;
            continue;
        }
        if (n == 0)
            return 1;
        return errno == EAGAIN || errno == EINTR ? 0 : 1;
    }
}

static char *buf_take(struct buf *b, int trim)
{
    if (!b->data && !(b->data = malloc(1)))
        return NULL;
    b->data[b->len] = '\0';
    while (trim && b->len && strchr(" \t\r\n", b->data[b->len - 1]))
        b->data[--b->len] = '\0';
    return b->data;
}

void slurm_cmd_free(struct slurm_cmd_result *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

int slurm_cmd(const char *const *argv, double timeout_s,
              struct slurm_cmd_result *res, const char **what)
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
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, op[1], 1);
    posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv,
                         environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(op[1]);
    close(ep[1]);
    if (e != 0) {
        close(op[0]);
        close(ep[0]);
        *what = e == ENOENT ? "is not installed (not found in PATH)"
                            : "cannot be started";
        return e;
    }
    struct buf bo = {0}, be = {0};
    struct pollfd pf[2] = {{.fd = op[0], .events = POLLIN},
                           {.fd = ep[0], .events = POLLIN}};
    int open_fds = 2, timed_out = 0, nomem = 0;
    double deadline = slurm_monotonic() + timeout_s;
    while (open_fds > 0) {
        double left = deadline - slurm_monotonic();
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
            int r = buf_read(pf[i].fd, i == 0 ? &bo : &be);
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
    res->out = buf_take(&bo, 0);
    res->err = buf_take(&be, 1);
    res->exit_code = WIFEXITED(status)   ? WEXITSTATUS(status)
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
