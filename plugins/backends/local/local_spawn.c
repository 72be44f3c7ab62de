/* local_spawn.c: start a trial's process without a shell. argv is the entry
 * point followed by one "--name" and one value token per configuration entry
 * (a value with spaces stays one token, unlike Syne Tune, which splits the
 * joined command line on spaces), then --st_checkpoint_dir. Each trial runs
 * in its own process group so stopping it reaches everything it started. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "local_internal.h"

extern char **environ;

static int has_slash(const char *s) { return strchr(s, '/') != NULL; }

static int env_has(char **env, const char *name)
{
    size_t n = strlen(name);
    for (char **e = env; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return 1;
    return 0;
}

/* The tuner's environment plus OMP_NUM_THREADS=1 unless set (as Syne Tune
 * does at import of its local backend) and CUDA_VISIBLE_DEVICES when GPUs
 * rotate. The array is [owned: free]; strings are borrowed except *cuda_var,
 * [owned: free]. */
static char **child_env(const char *cuda, char **cuda_var)
{
    size_t n = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    char **env = malloc((n + 3) * sizeof *env);
    if (!env)
        return NULL;
    *cuda_var = NULL;
    size_t k = 0;
    for (char **e = environ; e && *e; e++)
        if (!cuda || strncmp(*e, "CUDA_VISIBLE_DEVICES=", 21) != 0)
            env[k++] = *e;
    if (!env_has(environ, "OMP_NUM_THREADS"))
        env[k++] = "OMP_NUM_THREADS=1";
    if (cuda) {
        size_t len = strlen(cuda) + 22;
        *cuda_var = malloc(len);
        if (!*cuda_var) {
            free(env);
            return NULL;
        }
        snprintf(*cuda_var, len, "CUDA_VISIBLE_DEVICES=%s", cuda);
        env[k++] = *cuda_var;
    }
    env[k] = NULL;
    return env;
}

struct child_argv {
    const char **argv; /* owned array; strings borrowed or in names */
    char **names;      /* owned "--name" tokens */
    uint32_t num_names;
    char *json_path;   /* owned, JSON mode */
};

static void child_argv_free(struct child_argv *a)
{
    for (uint32_t i = 0; i < a->num_names; i++)
        free(a->names[i]);
    free(a->names);
    free(a->argv);
    free(a->json_path);
}

/* entry_argv, then "--name" "value" per configuration entry in order (or
 * --st_config_json_filename FILE in JSON mode), then --st_checkpoint_dir.
 * Values are config_text: Python's str() of the value. 0 or -1 (out of
 * memory). */
static int child_argv_build(const struct local_backend *b,
                            const struct hpolab_trial_job *job,
                            struct child_argv *a)
{
    memset(a, 0, sizeof *a);
    uint32_t count = b->json_mode ? 0 : hpolab_host->config_count(job->config);
    a->argv = malloc((b->entry_argc + 2 * (size_t)count + 5) * sizeof *a->argv);
    a->names = calloc(count ? count : 1, sizeof *a->names);
    if (!a->argv || !a->names)
        return -1;
    size_t k = 0;
    for (uint32_t i = 0; i < b->entry_argc; i++)
        a->argv[k++] = b->entry_argv[i];
    if (b->json_mode) {
        a->json_path = local_path_join(job->trial_dir, "config.json");
        if (!a->json_path)
            return -1;
        a->argv[k++] = "--st_config_json_filename";
        a->argv[k++] = a->json_path;
    }
    for (uint32_t i = 0; i < count; i++) {
        const char *name = hpolab_host->config_name(job->config, i);
        const char *text = hpolab_host->config_text(job->config, i);
        if (!name || !text)
            return -1;
        size_t len = strlen(name) + 3;
        a->names[i] = malloc(len);
        if (!a->names[i])
            return -1;
        a->num_names = i + 1;
        snprintf(a->names[i], len, "--%s", name);
        a->argv[k++] = a->names[i];
        a->argv[k++] = text;
    }
    a->argv[k++] = "--st_checkpoint_dir";
    a->argv[k++] = job->checkpoint_dir;
    a->argv[k] = NULL;
    return 0;
}

static int open_append(const char *dir, const char *name, char **path_out)
{
    char *p = local_path_join(dir, name);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    int fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    *path_out = p;
    return fd;
}

static int init_attr(posix_spawnattr_t *attr)
{
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (posix_spawnattr_init(attr) != 0)
        return -1;
    /* Own process group; default dispositions and an empty mask, whatever
     * the tuner ignores or blocks (SIGPIPE, SIGINT, ...). */
    if (posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
                                           POSIX_SPAWN_SETSIGMASK |
                                           POSIX_SPAWN_SETSIGDEF) != 0 ||
        posix_spawnattr_setpgroup(attr, 0) != 0 ||
        posix_spawnattr_setsigmask(attr, &none) != 0 ||
        posix_spawnattr_setsigdefault(attr, &all) != 0) {
        posix_spawnattr_destroy(attr);
        return -1;
    }
    return 0;
}

/* fd moved to a number >= 3 (close-on-exec), so the child's dup2 onto 0-2
 * cannot overwrite another source when the tuner runs with closed stdio.
 * Returns the new fd, or -1 (fd is closed either way). */
static int above_stdio(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return moved;
}

/* HPOLAB_LOCAL_NO_PIDFD=1 acts as a kernel without pidfds (to test the
 * fallback). */
static int pidfd_open_(pid_t pid)
{
    const char *off = getenv("HPOLAB_LOCAL_NO_PIDFD");
    if (off && strcmp(off, "1") == 0) {
        errno = ENOSYS;
        return -1;
    }
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* A program given as a path must be executable. posix_spawn reports this
 * too, but only where the child can hand its exec error back (not under
 * valgrind, for one), so check first; relative paths are relative to the
 * trial's working folder. Returns 0 or an errno value. */
static int check_program(const struct local_backend *b, const char *prog)
{
    if (!has_slash(prog))
        return 0; /* searched in PATH by posix_spawnp */
    char *full = NULL;
    if (prog[0] != '/' && b->working_dir) {
        full = local_path_join(b->working_dir, prog);
        if (!full)
            return ENOMEM;
    }
    int e = access(full ? full : prog, X_OK) == 0 ? 0 : errno;
    free(full);
    return e;
}

int32_t local_spawn(struct local_backend *b, struct hpolab_ctx *ctx,
                    const struct hpolab_trial_job *job, const char *cuda,
                    struct local_run *run)
{
    long long id = (long long)job->trial_id;
    int32_t rc = HPOLAB_OK;
    char *cuda_var = NULL, *out_path = NULL, *err_path = NULL;
    char **env = NULL;
    int err_fd = -1, pipefd[2] = {-1, -1};
    int fa_ok = 0, attr_ok = 0;
    struct child_argv args;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;

    run->pid = -1;
    run->pidfd = run->out_fd = run->tee_fd = -1;
    int argv_bad = child_argv_build(b, job, &args);
    const char **argv = args.argv;
    env = child_env(cuda, &cuda_var);
    if (argv_bad || !env) {
        rc = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                              "trial %lld: out of memory", id);
        goto out;
    }
    run->tee_fd = open_append(job->trial_dir, "std.out", &out_path);
    if (run->tee_fd < 0) {
        rc = hpolab_set_error(ctx, HPOLAB_ERR_IO, "trial %lld: cannot open %s: %s",
                              id, out_path ? out_path : "std.out",
                              strerror(errno));
        goto out;
    }
    err_fd = above_stdio(open_append(job->trial_dir, "std.err", &err_path));
    if (err_fd < 0) {
        rc = hpolab_set_error(ctx, HPOLAB_ERR_IO, "trial %lld: cannot open %s: %s",
                              id, err_path ? err_path : "std.err",
                              strerror(errno));
        goto out;
    }
    /* The child's end must block (a full pipe must not fail its writes);
     * only our end is non-blocking. */
    if (pipe2(pipefd, O_CLOEXEC) != 0 ||
        (pipefd[1] = above_stdio(pipefd[1])) < 0 ||
        fcntl(pipefd[0], F_SETFL, O_NONBLOCK) != 0) {
        rc = hpolab_set_error(ctx, HPOLAB_ERR_PROCESS,
                              "trial %lld: cannot create a pipe: %s", id,
                              strerror(errno));
        goto out;
    }
    if (posix_spawn_file_actions_init(&fa) != 0) {
        rc = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                              "trial %lld: out of memory", id);
        goto out;
    }
    fa_ok = 1;
    int fa_err = posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    if (!fa_err)
        fa_err = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    if (!fa_err)
        fa_err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
                                                  O_RDONLY, 0);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
    /* Descriptors the tuner opened without O_CLOEXEC stay with it. */
    if (!fa_err)
        fa_err = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    if (!fa_err && b->working_dir)
        fa_err = posix_spawn_file_actions_addchdir_np(&fa, b->working_dir);
    if (fa_err || init_attr(&attr) != 0) {
        rc = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                              "trial %lld: out of memory", id);
        goto out;
    }
    attr_ok = 1;
    pid_t pid;
    char *const *cargv = (char *const *)argv;
    int e = check_program(b, argv[0]);
    if (e == 0)
        e = has_slash(argv[0])
                ? posix_spawn(&pid, argv[0], &fa, &attr, cargv, env)
                : posix_spawnp(&pid, argv[0], &fa, &attr, cargv, env);
    if (e != 0) {
        rc = hpolab_set_error(ctx, HPOLAB_ERR_PROCESS,
                              "trial %lld: cannot start %s (in %s): %s", id,
                              argv[0], b->working_dir ? b->working_dir : ".",
                              strerror(e));
        goto out;
    }
    run->pid = pid;
    run->pidfd = pidfd_open_(pid);
    if (run->pidfd < 0 && (errno == ENOSYS || errno == EPERM)) {
        if (!b->warned_no_pidfd)
            hpolab_log(ctx, HPOLAB_LOG_INFO,
                       "pidfd_open is not available (%s): trial exits are "
                       "checked every %.0f ms",
                       strerror(errno), LOCAL_EXIT_CHECK_S * 1000);
        b->warned_no_pidfd = 1;
    } else if (run->pidfd < 0) {
        e = errno;
        kill(-pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        run->pid = -1;
        rc = hpolab_set_error(ctx, HPOLAB_ERR_PROCESS,
                              "trial %lld: pidfd_open failed: %s", id,
                              strerror(e));
        goto out;
    }
    run->out_fd = pipefd[0];
    pipefd[0] = -1;
out:
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    if (err_fd >= 0)
        close(err_fd);
    if (rc != HPOLAB_OK && run->tee_fd >= 0) {
        close(run->tee_fd);
        run->tee_fd = -1;
    }
    child_argv_free(&args);
    free(env);
    free(cuda_var);
    free(out_path);
    free(err_path);
    return rc;
}

int local_spawn_capture(const char *const *argv, pid_t *out_pid, int *out_fd)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return errno;
    if ((pipefd[1] = above_stdio(pipefd[1])) < 0) {
        int e = errno;
        close(pipefd[0]);
        return e;
    }
    if (fcntl(pipefd[0], F_SETFL, O_NONBLOCK) != 0) {
        int e = errno;
        close(pipefd[0]);
        close(pipefd[1]);
        return e;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int e = posix_spawn_file_actions_init(&fa);
    if (e) {
        close(pipefd[0]);
        close(pipefd[1]);
        return e;
    }
    e = posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    if (!e)
        e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!e)
        e = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (!e && init_attr(&attr) != 0)
        e = ENOMEM;
    if (!e) {
        char *const *cargv = (char *const *)argv;
        e = has_slash(argv[0])
                ? posix_spawn(out_pid, argv[0], &fa, &attr, cargv, environ)
                : posix_spawnp(out_pid, argv[0], &fa, &attr, cargv, environ);
        posix_spawnattr_destroy(&attr);
    }
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (e) {
        close(pipefd[0]);
        return e;
    }
    *out_fd = pipefd[0];
    return 0;
}
