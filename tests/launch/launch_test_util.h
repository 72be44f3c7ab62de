/* launch_test_util.h: helpers of the launch tests (local engine and
 * Slurm): run the hpolab command and capture what it prints, write a study
 * whose entry point is the integration tests' train_fixture, read the
 * launch's files. Header-only (static) so both test programs share it. */
#ifndef HPOLAB_TEST_LAUNCH_UTIL_H
#define HPOLAB_TEST_LAUNCH_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "launch_state.h"

extern char **environ;

struct cmd_out {
    int rc;
    char *out; /* owned */
    char *err; /* owned */
};

static inline void cmd_out_free(struct cmd_out *c)
{
    free(c->out);
    free(c->err);
    c->out = c->err = NULL;
}

static inline char *lt_read_text(const char *path)
{
    char *data = NULL;
    struct hpolab_error err;
    if (hpolab_read_file(path, &data, NULL, &err) != HPOLAB_OK)
        return NULL;
    return data;
}

static inline void lt_write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

/* Run argv (NULL-terminated) with env_extra ("NAME=value" strings, NULL
 * terminated, may be NULL) added to the environment; stdout and stderr go
 * to files in dir, read back into *c. */
static inline int lt_run(const char *dir, const char *const *argv,
                         const char *const *env_extra, struct cmd_out *c)
{
    static int n;
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/cmd-%d.out", dir, n);
    snprintf(err, sizeof err, "%s/cmd-%d.err", dir, n++);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    size_t ne = 0, nx = 0;
    while (environ[ne])
        ne++;
    while (env_extra && env_extra[nx])
        nx++;
    char **env = calloc(ne + nx + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < nx; i++)
        env[k++] = (char *)env_extra[i];
    for (size_t i = 0; i < ne; i++) {
        int over = 0;
        for (size_t j = 0; j < nx; j++) {
            size_t len = strcspn(env_extra[j], "=") + 1;
            if (strncmp(environ[i], env_extra[j], len) == 0)
                over = 1;
        }
        if (!over)
            env[k++] = environ[i];
    }
    pid_t pid;
    int e = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    c->rc = -1;
    if (e == 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        c->rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    c->out = lt_read_text(out);
    c->err = lt_read_text(err);
    if (!c->out)
        c->out = strdup("");
    if (!c->err)
        c->err = strdup("");
    return c->rc;
}

static inline double lt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void lt_sleep(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* <root>/<slice>/job.json; state HPOLAB_SLICE_PENDING when absent. */
static inline struct hpolab_job_state lt_job(const char *root,
                                             const char *slice)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", root, slice, HPOLAB_JOB_STATE_NAME);
    struct hpolab_job_state js;
    struct hpolab_error err;
    if (hpolab_job_state_read(path, &js, &err) != HPOLAB_OK)
        hpolab_job_state_init(&js);
    return js;
}

/* Wait until the slice's job.json says state (or timeout); 1 if it did. */
static inline int lt_wait_state(const char *root, const char *slice,
                                int32_t state, double timeout)
{
    double end = lt_now() + timeout;
    while (lt_now() < end) {
        if (lt_job(root, slice).state == state)
            return 1;
        lt_sleep(0.1);
    }
    return lt_job(root, slice).state == state;
}

/* The single tuner folder inside <root>/<slice> (the one holding
 * metadata.json) into out; 1 if found. */
static inline int lt_tuner_dir(const char *root, const char *slice, char *out,
                               size_t size)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", root, slice);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    int found = 0;
    while ((de = readdir(d)) != NULL) {
        char md[2048];
        snprintf(md, sizeof md, "%s/%s/metadata.json", dir, de->d_name);
        struct stat sb;
        if (de->d_name[0] != '.' && stat(md, &sb) == 0) {
            snprintf(out, size, "%s/%s", dir, de->d_name);
            found++;
        }
    }
    closedir(d);
    return found == 1;
}

static inline json_t *lt_load_json(const char *path)
{
    json_error_t e;
    return json_load_file(path, 0, &e);
}

/* Process still running (not a zombie)? */
static inline int lt_alive(long pid)
{
    return pid > 0 && hpolab_process_start_ticks(pid) != 0;
}

/* A test's own folder with results/ and study.json in it, removed after the
 * test (cmocka setup/teardown through the per-file wrappers). */
struct lt_fixture {
    char dir[256];
    char results[320];
    char study[320];
};

/* prefix: the folder's name before the random suffix, e.g. "hpolab-launch" */
static inline int lt_fixture_setup(void **state, const char *prefix)
{
    struct lt_fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/%s-XXXXXX", prefix);
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->results, sizeof f->results, "%s/results", f->dir);
    snprintf(f->study, sizeof f->study, "%s/study.json", f->dir);
    *state = f;
    return 0;
}

static inline int lt_fixture_teardown(void **state)
{
    struct lt_fixture *f = *state;
    const char *argv[] = {"/bin/rm", "-rf", f->dir, NULL};
    struct cmd_out c;
    lt_run("/tmp", argv, NULL, &c);
    cmd_out_free(&c);
    free(f);
    return 0;
}

#ifdef HPOLAB_TEST_CLI
/* hpolab launch f->study --engine local into f->results as tag, then the
 * more arguments (NULL-terminated, or NULL); the exit status. */
static inline int lt_launch_local(struct lt_fixture *f, const char *tag,
                                  const char *const *more, struct cmd_out *c)
{
    const char *argv[40] = {
        HPOLAB_TEST_CLI, "launch",   f->study,           "--engine", "local",
        "--results_dir", f->results, "--experiment_tag", tag};
    size_t n = 9;
    for (size_t i = 0; more && more[i] && n < 39; i++)
        argv[n++] = more[i];
    argv[n] = NULL;
    return lt_run(f->dir, argv, NULL, c);
}
#endif

#endif
