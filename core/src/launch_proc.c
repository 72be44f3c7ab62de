/* launch_proc.c: see launch_proc.h. */
#include "launch_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int hpolab_proc_in_path(const char *prog)
{
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char buf[4096];
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n + strlen(prog) + 2 < sizeof buf) {
            memcpy(buf, n ? path : ".", n ? n : 1);
            size_t k = n ? n : 1;
            buf[k] = '/';
            strcpy(buf + k + 1, prog);
            struct stat sb;
            if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) &&
                access(buf, X_OK) == 0)
                return 1;
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return 0;
}

struct sink {
    char *data;
    size_t len, cap;
};

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
            return 1; /* EOF */
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0
                                                                         : 1;
    }
}

static char *sink_take(struct sink *s, int trim)
{
    if (!s->data) {
        s->data = malloc(1);
        if (!s->data)
            return NULL;
    }
    s->data[s->len] = '\0';
    if (trim)
        while (s->len && strchr(" \t\r\n", s->data[s->len - 1]))
            s->data[--s->len] = '\0';
    return s->data;
}

void hpolab_proc_result_free(struct hpolab_proc_result *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

int32_t hpolab_proc_run(const char *const *argv, double timeout_s,
                        struct hpolab_proc_result *res,
                        struct hpolab_error *err)
{
    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    if (!hpolab_proc_in_path(argv[0]))
        return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                "%s is not installed (not found in PATH)",
                                argv[0]);
    int out_p[2] = {-1, -1}, err_p[2] = {-1, -1};
    if (pipe2(out_p, O_CLOEXEC) != 0 || pipe2(err_p, O_CLOEXEC) != 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (out_p[i] >= 0)
                close(out_p[i]);
            if (err_p[i] >= 0)
                close(err_p[i]);
        }
        return hpolab_error_set(err, HPOLAB_ERR_PROCESS,
                                "%s: cannot create a pipe: %s", argv[0],
                                strerror(e));
    }
    fcntl(out_p[0], F_SETFL, O_NONBLOCK);
    fcntl(err_p[0], F_SETFL, O_NONBLOCK);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_p[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_p[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv,
                         environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out_p[1]);
    close(err_p[1]);
    if (e != 0) {
        close(out_p[0]);
        close(err_p[0]);
        return hpolab_error_set(err, e == ENOENT ? HPOLAB_ERR_NOT_FOUND
                                                 : HPOLAB_ERR_PROCESS,
                                "cannot run %s: %s", argv[0], strerror(e));
    }
    struct sink so = {0}, se = {0};
    int open_fds = 2, nomem = 0, timed_out = 0;
    double deadline = mono() + (timeout_s > 0 ? timeout_s : 1e9);
    struct pollfd pf[2] = {{.fd = out_p[0], .events = POLLIN},
                           {.fd = err_p[0], .events = POLLIN}};
    while (open_fds > 0) {
        double left = deadline - mono();
        if (left <= 0) {
            timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        int n = poll(pf, 2, (int)(left * 1000) + 1);
        if (n < 0 && errno != EINTR)
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
    if (WIFEXITED(status))
        res->exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        res->exit_code = 128 + WTERMSIG(status);
    if (nomem || !res->out || !res->err)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "%s: out of memory",
                                argv[0]);
    if (timed_out)
        return hpolab_error_set(err, HPOLAB_ERR_TIMEOUT,
                                "%s did not answer within %.0f s", argv[0],
                                timeout_s);
    return HPOLAB_OK;
}
