/* gp_run.c: running gnuplot on the script, in the script's folder (the
 * script names its data file relative to it). No shell: fork + execv with
 * an argv; gnuplot's stderr comes back through a pipe for the message. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gp.h"

/* The program's path: as given if it holds a '/', else the first
 * executable PATH entry. NULL if none. [owned: free] */
static char *find_program(const char *program)
{
    if (strchr(program, '/'))
        return access(program, X_OK) == 0 ? strdup(program) : NULL;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        size_t need = len + strlen(program) + 2;
        char *cand = malloc(need);
        if (!cand)
            return NULL;
        snprintf(cand, need, "%.*s/%s", (int)len, len ? path : ".", program);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
            access(cand, X_OK) == 0)
            return cand;
        free(cand);
        path += len + (end != NULL);
    }
    return NULL;
}

int32_t gp_run(struct hpolab_ctx *ctx, const char *program, const char *stem,
               int *missing)
{
    *missing = 0;
    char *exe = find_program(program);
    if (!exe) {
        *missing = 1;
        return HPOLAB_OK;
    }
    const char *slash = strrchr(stem, '/');
    /* "/x" lives in "/" */
    size_t dlen = slash ? (slash > stem ? (size_t)(slash - stem) : 1) : 0;
    char *dir = slash ? strndup(stem, dlen) : strdup(".");
    size_t slen = strlen(slash ? slash + 1 : stem) + 4;
    char *script = malloc(slen);
    int fds[2] = {-1, -1};
    if (!dir || !script || pipe(fds) != 0) {
        free(exe);
        free(dir);
        free(script);
        return hpolab_set_error(ctx, HPOLAB_ERR_PROCESS,
                                "cannot start gnuplot: %s", strerror(errno));
    }
    snprintf(script, slen, "%s.gp", slash ? slash + 1 : stem);
    pid_t pid = fork();
    if (pid == 0) {
        /* child: only async-signal-safe calls until exec */
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        if (chdir(dir) != 0)
            _exit(126);
        char *argv[] = {exe, script, NULL};
        execv(exe, argv);
        _exit(127);
    }
    close(fds[1]);
    char msg[2048];
    size_t used = 0;
    ssize_t got;
    if (pid > 0)
        while ((got = read(fds[0], msg + used, sizeof msg - 1 - used)) > 0 ||
               (got < 0 && errno == EINTR))
            if (got > 0 && (used += (size_t)got) >= sizeof msg - 1)
                break;
    close(fds[0]);
    msg[used] = '\0';
    int status = 0;
    int32_t rc = HPOLAB_OK;
    if (pid < 0) {
        rc = hpolab_set_error(ctx, HPOLAB_ERR_PROCESS,
                              "cannot start gnuplot: %s", strerror(errno));
    } else {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            while (used && (msg[used - 1] == '\n' || msg[used - 1] == ' '))
                msg[--used] = '\0';
            rc = hpolab_set_error(
                ctx, HPOLAB_ERR_PROCESS,
                "gnuplot (%s) failed on %s/%s (%s %d): %s", exe, dir, script,
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                used ? msg : "no message");
        }
    }
    free(exe);
    free(dir);
    free(script);
    return rc;
}
