/* cli_harness.h: what the end-to-end tests share: a scratch folder per
 * test, study files with the fixture script as entry point, running the
 * real `hpolab` command, and reading what it wrote. */
#ifndef HPOLAB_TEST_CLI_HARNESS_H
#define HPOLAB_TEST_CLI_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fsutil.h"
#include "metric_line.h"
#include "record.h"
#include "results_table.h"
#include "results_zip.h"

extern char **environ;

struct fixture {
    char dir[256];     /* temp folder: study, results, logs */
    char results[300];
};

static inline int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hpolab-it-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->results, sizeof f->results, "%s/results", f->dir);
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    struct fixture *f = *state;
    char *argv[] = {"rm", "-rf", f->dir, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "rm", NULL, NULL, argv, environ) == 0)
        waitpid(pid, NULL, 0);
    free(f);
    return 0;
}

static inline void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static inline char *read_text(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    struct hpolab_error err;
    if (hpolab_read_file(path, &data, &len, &err) != HPOLAB_OK)
        return NULL;
    return data;
}

/* Writes study.json with the fixture as entry point and the given methods
 * (a JSON object's members). */
static inline void write_study_methods(struct fixture *f, const char *space,
                                const char *benchmark_extra, int n_workers,
                                const char *methods)
{
    char path[512], text[8192];
    snprintf(path, sizeof path, "%s/study.json", f->dir);
    snprintf(text, sizeof text,
             "{\"name\": \"it\",\n"
             " \"benchmarks\": {\"fixture\": {\n"
             "   \"entry_point\": [\"%s\"],\n"
             "   \"config_space\": %s,\n"
             "   \"metric\": \"loss\", \"mode\": \"min\",\n"
             "   \"n_workers\": %d%s%s}},\n"
             " \"methods\": {%s}}\n",
             HPOLAB_TEST_FIXTURE, space, n_workers,
             strstr(benchmark_extra, "max_wallclock_time")
                 ? "" : ", \"max_wallclock_time\": 120",
             benchmark_extra, methods);
    write_text(path, text);
}

static inline void write_study(struct fixture *f, const char *space,
                        const char *benchmark_extra, int n_workers)
{
    write_study_methods(f, space, benchmark_extra, n_workers,
                        "\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}");
}

/* `hpolab run <dir>/study.json --results_dir <results> --random_seed 7
 * extra_args...`, run through the command prefix (e.g. setpriv ...) if not
 * NULL; stdout and stderr to <dir>/<log_name>.out/.err. */
static inline pid_t spawn_cli_prefixed(struct fixture *f,
                                       const char *const *prefix,
                                       const char *const *extra_args,
                                       const char *log_name)
{
    char study[512], out[512], err[512];
    snprintf(study, sizeof study, "%s/study.json", f->dir);
    snprintf(out, sizeof out, "%s/%s.out", f->dir, log_name);
    snprintf(err, sizeof err, "%s/%s.err", f->dir, log_name);
    const char *argv[48];
    int n = 0;
    for (int i = 0; prefix && prefix[i]; i++)
        argv[n++] = prefix[i];
    const char *run[] = {HPOLAB_TEST_CLI, "run", study, "--results_dir",
                         f->results, "--random_seed", "7"};
    for (size_t i = 0; i < sizeof run / sizeof *run; i++)
        argv[n++] = run[i];
    for (int i = 0; extra_args && extra_args[i]; i++)
        argv[n++] = extra_args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(rc, 0);
    return pid;
}

static inline pid_t spawn_cli(struct fixture *f, const char *const *extra_args,
                              const char *log_name)
{
    return spawn_cli_prefixed(f, NULL, extra_args, log_name);
}

static inline int wait_exit(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline int run_cli(struct fixture *f, const char *const *extra_args,
                   const char *log_name)
{
    return wait_exit(spawn_cli(f, extra_args, log_name));
}

/* The one experiment folder under results/. */
static inline void experiment_dir(struct fixture *f, char *out, size_t size)
{
    DIR *d = opendir(f->results);
    assert_non_null(d);
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(out, size, "%s/%s", f->results, e->d_name);
        found++;
    }
    closedir(d);
    assert_int_equal(found, 1);
}

static inline const struct hpolab_value *cell(const struct hpolab_record *row,
                                       const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(row, name);
    if (!v)
        fail_msg("row has no column '%s'", name);
    return v;
}

static inline int64_t cell_int(const struct hpolab_record *row, const char *name)
{
    const struct hpolab_value *v = cell(row, name);
    assert_int_equal(v->type, HPOLAB_VALUE_INT);
    return v->u.i;
}

static inline double cell_double(const struct hpolab_record *row, const char *name)
{
    double x;
    assert_int_equal(hpolab_value_as_double(cell(row, name), &x), HPOLAB_OK);
    return x;
}

static inline int process_alive(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')');
    /* a zombie has ended; it only waits for its parent to reap it */
    return paren && paren[1] == ' ' && paren[2] != 'Z';
}

static inline double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}


/* The experiment folder under results/, once it exists ("" until then). */
static inline void find_experiment(struct fixture *f, char *out, size_t size)
{
    out[0] = '\0';
    DIR *d = opendir(f->results);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            snprintf(out, size, "%s/%s", f->results, e->d_name);
    if (d)
        closedir(d);
}

/* Waits (up to 15 s) until trials 0 and 1 of a study of the fixture's
 * "slow" mode wrote <trial>/pids (both started: their script and child
 * pids in pids[0..3]) and the tuner read their epoch-1 report (it is in
 * <trial>/std.out, which the backend writes as it reads the pipe); exp
 * gets the experiment folder. */
static inline void wait_slow_trials(struct fixture *f, char *exp,
                                    size_t exp_size, pid_t pids[4])
{
    int found = 0;
    for (int tries = 0; tries < 300 && found < 2; tries++) {
        sleep_ms(50);
        find_experiment(f, exp, exp_size);
        found = 0;
        for (int t = 0; t < 2 && exp[0]; t++) {
            char path[700];
            snprintf(path, sizeof path, "%s/%d/pids", exp, t);
            char *text = read_text(path);
            snprintf(path, sizeof path, "%s/%d/std.out", exp, t);
            char *out = read_text(path);
            int a, b;
            if (text && sscanf(text, "%d %d", &a, &b) == 2 && out &&
                strstr(out, "[tune-metric]")) {
                pids[2 * t] = a;
                pids[2 * t + 1] = b;
                found++;
            }
            free(text);
            free(out);
        }
    }
    if (found == 2)
        return;
    /* say what was there, so a failure in CI can be understood */
    char path[600], *missing[2] = {NULL, NULL};
    for (int t = 0; t < 2; t++) {
        snprintf(path, sizeof path, "%s/%d/pids", exp, t);
        missing[t] = read_text(path);
    }
    snprintf(path, sizeof path, "%s/run.err", f->dir);
    char *err = read_text(path);
    fail_msg("trials 0 and 1 did not both start and report within 15 s "
             "(experiment '%s'; 0/pids: %s; 1/pids: %s)\nrun.err:\n%s",
             exp, missing[0] ? "written" : "missing",
             missing[1] ? "written" : "missing", err ? err : "(none)");
}

#endif
