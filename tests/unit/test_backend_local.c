/* The local backend plugin, driven through its class with a ctx whose event
 * sink records every line and exit. Trials are tests/support/local_trial
 * (its --mode picks a behaviour) and GPUs are faked with
 * tests/support/local_fake_nvidia_smi.sh. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include <hpolab/plugin.h>

#include "ctx.h"
#include "host_api.h"
#include "log.h"
#include "metric_line.h"
#include "options.h"
#include "plugin_loader.h"
#include "registry.h"
#include "record.h"

#define TRIAL_PROG HPOLAB_TEST_BINARY_DIR "/tests/support/local_trial"
#define FAKE_SMI HPOLAB_TEST_SOURCE_DIR "/tests/support/local_fake_nvidia_smi.sh"
#define PLUGIN HPOLAB_TEST_PLUGIN_DIR "/hpolab-backend_local.so"

/* ---- loading the plugin ---------------------------------------------------- */

/* Loaded through the real loader and registry, as hpolab run loads it. */
static struct hpolab_backend_class cls;
static struct hpolab_registry *registry;

static int load_plugin(void **state)
{
    struct hpolab_error err;
    const struct hpolab_component *comp;
    if (hpolab_registry_create(&registry, &err) != HPOLAB_OK ||
        hpolab_loader_load_file(registry, PLUGIN, &err) != HPOLAB_OK ||
        hpolab_registry_require(registry, HPOLAB_KIND_BACKEND, "local", &comp,
                                &err) != HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    cls = comp->cls.backend;
    return 0;
}

static int unload_plugin(void **state)
{
    hpolab_registry_destroy(registry);
    return 0;
}

/* ---- recorded events ------------------------------------------------------ */

#define EV_LINE 1
#define EV_EXIT 2

struct event {
    int kind;
    int64_t trial;
    char *text; /* line, or exit message (NULL: none) */
    size_t len;
    int32_t status;
};

struct fx {
    char root[512];
    char exp[600];
    char work[600];
    const char *argv[2];
    struct hpolab_options *opts;
    struct hpolab_backend_args args;
    struct hpolab_ctx ctx;
    struct hpolab_event_sink sink;
    struct event *ev;
    size_t nev, cap;
    void *state;
    int wake[2];
};

static void record(struct fx *f, struct event e)
{
    if (f->nev == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->ev = realloc(f->ev, f->cap * sizeof *f->ev);
        assert_non_null(f->ev);
    }
    f->ev[f->nev++] = e;
}

static int32_t on_line(void *user, int64_t trial, const char *line,
                       uint64_t len)
{
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, line, len);
    copy[len] = '\0';
    record(user, (struct event){EV_LINE, trial, copy, len, 0});
    return HPOLAB_OK;
}

static int32_t on_exit_ev(void *user, int64_t trial, int32_t status,
                          const char *msg)
{
    record(user, (struct event){EV_EXIT, trial, msg ? strdup(msg) : NULL,
                                msg ? strlen(msg) : 0, status});
    return HPOLAB_OK;
}

/* ---- helpers -------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (size_t)size, fp);
    fclose(fp);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static char *trial_file(struct fx *f, int64_t id, const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%lld/%s", f->exp, (long long)id, name);
    return path;
}

static int count_fds(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n++;
    return n;
}

/* Running (a zombie counts as gone). */
static int alive(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    char *rp = strrchr(buf, ')');
    if (!rp || rp[1] != ' ')
        return 1;
    return rp[2] != 'Z' && rp[2] != 'X';
}

static int reaped(pid_t pid)
{
    return waitpid(pid, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    remove(path);
    return 0;
}

static void open_backend_argv(struct fx *f, const char *opts_json,
                              const char *prog)
{
    json_t *values = NULL;
    if (opts_json) {
        values = json_loads(opts_json, 0, NULL);
        assert_non_null(values);
    }
    struct hpolab_error err;
    assert_int_equal(hpolab_options_create(values, "test", &f->opts, &err),
                     HPOLAB_OK);
    json_decref(values);
    f->argv[0] = prog;
    f->argv[1] = NULL;
    f->args = (struct hpolab_backend_args){
        .struct_size = sizeof f->args,
        .experiment_dir = f->exp,
        .entry_argc = 1,
        .entry_argv = f->argv,
        .working_dir = f->work,
        .n_workers = 4,
        .options = f->opts,
        .wake_fd = f->wake[0],
    };
}

/* Create the backend; every option given must have been read. */
static void open_backend(struct fx *f, const char *opts_json)
{
    open_backend_argv(f, opts_json, TRIAL_PROG);
    hpolab_error_clear(&f->ctx.err);
    int32_t st = cls.create(&f->ctx, &f->args, &f->state);
    if (st != HPOLAB_OK)
        fail_msg("create: %s", f->ctx.err.message);
    struct hpolab_error err;
    assert_int_equal(hpolab_options_check_all_read(f->opts, "backend 'local'",
                                                   &err),
                     HPOLAB_OK);
}

/* create must refuse these options with status and a message fragment. */
static void refuse_options(struct fx *f, const char *opts_json, int32_t status,
                           const char *fragment)
{
    open_backend_argv(f, opts_json, TRIAL_PROG);
    hpolab_error_clear(&f->ctx.err);
    void *state = NULL;
    assert_int_equal(cls.create(&f->ctx, &f->args, &state), status);
    assert_null(state);
    if (!strstr(f->ctx.err.message, fragment))
        fail_msg("'%s' lacks '%s'", f->ctx.err.message, fragment);
    hpolab_options_free(f->opts);
    f->opts = NULL;
}

static void close_backend(struct fx *f)
{
    if (f->state)
        cls.destroy(f->state);
    f->state = NULL;
    hpolab_options_free(f->opts);
    f->opts = NULL;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "%s/tests/local-XXXXXX",
             HPOLAB_TEST_BINARY_DIR);
    assert_non_null(mkdtemp(f->root));
    snprintf(f->exp, sizeof f->exp, "%s/exp", f->root);
    snprintf(f->work, sizeof f->work, "%s/work", f->root);
    assert_int_equal(mkdir(f->exp, 0777), 0);
    assert_int_equal(mkdir(f->work, 0777), 0);
    hpolab_ctx_init(&f->ctx, "backend", "local", NULL);
    f->sink = (struct hpolab_event_sink){.line = on_line, .exit = on_exit_ev,
                                         .user = f};
    f->ctx.events = &f->sink;
    assert_int_equal(pipe2(f->wake, O_CLOEXEC | O_NONBLOCK), 0);
    /* Deterministic environment: no GPUs unless a test fakes them. */
    setenv("HPOLAB_NVIDIA_SMI", "false", 1);
    unsetenv("HPOLAB_FAKE_GPUS");
    unsetenv("HPOLAB_FAKE_SMI_LOG");
    unsetenv("OMP_NUM_THREADS");
    unsetenv("CUDA_VISIBLE_DEVICES");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    close_backend(f);
    for (size_t i = 0; i < f->nev; i++)
        free(f->ev[i].text);
    free(f->ev);
    close(f->wake[0]);
    close(f->wake[1]);
    nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static struct hpolab_config *cfg_new(const char *mode)
{
    struct hpolab_config *c = calloc(1, sizeof *c);
    assert_non_null(c);
    hpolab_record_init(&c->rec);
    assert_int_equal(hpolab_record_set_string(&c->rec, "mode", mode), 0);
    return c;
}

static void cfg_free(struct hpolab_config *c)
{
    hpolab_record_free(&c->rec);
    free(c);
}

static int32_t start_job(struct fx *f, int64_t id, struct hpolab_config *c,
                         int resume, const char *copy_from)
{
    char dir[700], ck[760];
    snprintf(dir, sizeof dir, "%s/%lld", f->exp, (long long)id);
    snprintf(ck, sizeof ck, "%s/checkpoints", dir);
    struct hpolab_trial_job job = {
        .struct_size = sizeof job, .trial_id = id, .config = c,
        .trial_dir = dir, .checkpoint_dir = ck, .is_resume = resume,
        .copy_checkpoint_from = copy_from};
    hpolab_error_clear(&f->ctx.err);
    return cls.start_trial(f->state, &f->ctx, &job);
}

static void start_ok(struct fx *f, int64_t id, struct hpolab_config *c,
                     int resume)
{
    int32_t st = start_job(f, id, c, resume, NULL);
    if (st != HPOLAB_OK)
        fail_msg("start_trial %lld: %s", (long long)id, f->ctx.err.message);
}

static void pump(struct fx *f, double timeout)
{
    assert_int_equal(cls.wait_events(f->state, &f->ctx, timeout), HPOLAB_OK);
}

static const struct event *find_exit(struct fx *f, int64_t id)
{
    for (size_t i = 0; i < f->nev; i++)
        if (f->ev[i].kind == EV_EXIT && f->ev[i].trial == id)
            return &f->ev[i];
    return NULL;
}

static const struct event *wait_exit(struct fx *f, int64_t id)
{
    double end = now_s() + 15;
    while (!find_exit(f, id)) {
        if (now_s() > end)
            fail_msg("trial %lld did not exit", (long long)id);
        pump(f, 0.5);
    }
    return find_exit(f, id);
}

/* The n-th line (0-based) of trial id starting with prefix, or NULL. */
static const char *find_line(struct fx *f, int64_t id, const char *prefix,
                             int nth)
{
    for (size_t i = 0; i < f->nev; i++)
        if (f->ev[i].kind == EV_LINE && f->ev[i].trial == id &&
            strncmp(f->ev[i].text, prefix, strlen(prefix)) == 0 && nth-- == 0)
            return f->ev[i].text;
    return NULL;
}

static const char *wait_line(struct fx *f, int64_t id, const char *prefix,
                             int nth)
{
    double end = now_s() + 15;
    while (!find_line(f, id, prefix, nth)) {
        if (now_s() > end)
            fail_msg("trial %lld: no line '%s' #%d", (long long)id, prefix,
                     nth);
        pump(f, 0.5);
    }
    return find_line(f, id, prefix, nth);
}

static pid_t wait_pid(struct fx *f, int64_t id, const char *prefix)
{
    return (pid_t)atol(wait_line(f, id, prefix, 0) + strlen(prefix));
}

static size_t count_lines(struct fx *f, int64_t id, const char *prefix)
{
    size_t n = 0;
    while (find_line(f, id, prefix, (int)n))
        n++;
    return n;
}

static void wait_dead(struct fx *f, pid_t pid, double timeout)
{
    double end = now_s() + timeout;
    while (alive(pid)) {
        if (now_s() > end)
            fail_msg("process %ld still runs", (long)pid);
        if (f->state)
            pump(f, 0.05);
        else
            usleep(10000);
    }
}

static size_t count_substr(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_reports_then_exit(void **state)
{
    struct fx *f = *state;
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("report");
    hpolab_record_set_int(&c->rec, "n", 3);
    start_ok(f, 0, c, 0);
    const struct event *ex = wait_exit(f, 0);
    assert_int_equal(ex->status, HPOLAB_TRIAL_COMPLETED);
    assert_null(ex->text);
    /* the exit is the last event; every report came before it */
    assert_ptr_equal(ex, &f->ev[f->nev - 1]);
    assert_int_equal(count_lines(f, 0, "[tune-metric]: "), 3);
    for (int i = 0; i < 3; i++) {
        const char *line = find_line(f, 0, "[tune-metric]: ", i);
        struct hpolab_record rec;
        struct hpolab_error err;
        int found;
        assert_int_equal(hpolab_metric_line_parse(line, strlen(line), &rec,
                                                  &found, &err),
                         HPOLAB_OK);
        assert_int_equal(found, 1);
        assert_int_equal(hpolab_record_get(&rec, "epoch")->u.i, i + 1);
        hpolab_record_free(&rec);
    }
    /* std.out holds exactly the lines, each with its newline */
    char *out = read_file(trial_file(f, 0, "std.out"), NULL);
    assert_non_null(out);
    size_t pos = 0;
    for (size_t i = 0; i < f->nev; i++)
        if (f->ev[i].kind == EV_LINE) {
            assert_memory_equal(out + pos, f->ev[i].text, f->ev[i].len);
            pos += f->ev[i].len;
            assert_int_equal(out[pos++], '\n');
        }
    assert_int_equal(strlen(out), pos);
    free(out);
    /* config.json: the configuration, keys in order */
    json_t *cfg = json_load_file(trial_file(f, 0, "config.json"),
                                 JSON_PRESERVE_ORDER, NULL);
    assert_non_null(cfg);
    assert_int_equal(json_object_size(cfg), 2);
    assert_string_equal(json_string_value(json_object_get(cfg, "mode")),
                        "report");
    assert_int_equal(json_integer_value(json_object_get(cfg, "n")), 3);
    json_decref(cfg);
    /* end: Unix time as text; no markers; checkpoint folder left to the
     * script */
    char *end = read_file(trial_file(f, 0, "end"), NULL);
    assert_non_null(end);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    double t = strtod(end, NULL);
    assert_true(t > tv.tv_sec - 60 && t <= tv.tv_sec + 1);
    free(end);
    assert_false(exists(trial_file(f, 0, "stop")));
    assert_false(exists(trial_file(f, 0, "pause")));
    assert_false(exists(trial_file(f, 0, "checkpoints")));
    cfg_free(c);
}

static void test_argv_environment_cwd(void **state)
{
    struct fx *f = *state;
    setenv("CUDA_VISIBLE_DEVICES", "7", 1);
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("args");
    hpolab_record_set_double(&c->rec, "lr", 0.001);
    hpolab_record_set_string(&c->rec, "name", "a b  c");
    hpolab_record_set_bool(&c->rec, "flag", 1);
    hpolab_record_set_string(&c->rec, "empty", "");
    hpolab_record_set_int(&c->rec, "n", 16);
    hpolab_record_set_double(&c->rec, "tiny", 2.5e-05);
    start_ok(f, 3, c, 0);
    assert_int_equal(wait_exit(f, 3)->status, HPOLAB_TRIAL_COMPLETED);
    char ck[700];
    snprintf(ck, sizeof ck, "%s/3/checkpoints", f->exp);
    const char *expect[] = {TRIAL_PROG, "--mode", "args", "--lr", "0.001",
                            "--name", "a b  c", "--flag", "True", "--empty",
                            "", "--n", "16", "--tiny", "2.5e-05",
                            "--st_checkpoint_dir", ck};
    size_t n = sizeof expect / sizeof expect[0];
    char want[64];
    snprintf(want, sizeof want, "argc %zu", n);
    assert_non_null(find_line(f, 3, want, 0));
    for (size_t i = 0; i < n; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "arg %zu=", i);
        const char *line = find_line(f, 3, prefix, 0);
        assert_non_null(line);
        assert_string_equal(line + strlen(prefix), expect[i]);
    }
    assert_non_null(find_line(f, 3, "env OMP_NUM_THREADS=1", 0));
    /* no GPUs: CUDA_VISIBLE_DEVICES untouched */
    assert_non_null(find_line(f, 3, "env CUDA_VISIBLE_DEVICES=7", 0));
    char cwd[PATH_MAX];
    assert_non_null(realpath(f->work, cwd));
    const char *line = find_line(f, 3, "cwd ", 0);
    assert_non_null(line);
    assert_string_equal(line + 4, cwd);
    assert_non_null(find_line(f, 3, "stdin 0", 0)); /* /dev/null */
    /* no descriptor of the tuner leaks into the trial */
    line = find_line(f, 3, "fds", 0);
    assert_non_null(line);
    assert_string_equal(line, "fds");

    /* a value set in the tuner's environment is kept */
    setenv("OMP_NUM_THREADS", "3", 1);
    start_ok(f, 4, c, 0);
    wait_exit(f, 4);
    assert_non_null(find_line(f, 4, "env OMP_NUM_THREADS=3", 0));
    cfg_free(c);
}

static void test_json_mode(void **state)
{
    struct fx *f = *state;
    open_backend(f, "{\"pass_args_as_json\": true}");
    struct hpolab_config *c = cfg_new("args");
    struct hpolab_value list = {.type = HPOLAB_VALUE_JSON, .u.s = "[1, 2]"};
    hpolab_record_set(&c->rec, "layers", &list);
    hpolab_record_set_string(&c->rec, "name", "x y");
    start_ok(f, 0, c, 0);
    assert_int_equal(wait_exit(f, 0)->status, HPOLAB_TRIAL_COMPLETED);
    char json_path[700], ck[700];
    snprintf(json_path, sizeof json_path, "%s/0/config.json", f->exp);
    snprintf(ck, sizeof ck, "%s/0/checkpoints", f->exp);
    const char *expect[] = {TRIAL_PROG, "--st_config_json_filename",
                            json_path, "--st_checkpoint_dir", ck};
    assert_non_null(find_line(f, 0, "argc 5", 0));
    for (size_t i = 0; i < 5; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "arg %zu=", i);
        const char *line = find_line(f, 0, prefix, 0);
        assert_non_null(line);
        assert_string_equal(line + strlen(prefix), expect[i]);
    }
    json_t *cfg = json_load_file(json_path, 0, NULL);
    assert_non_null(cfg);
    json_t *layers = json_object_get(cfg, "layers");
    assert_true(json_is_array(layers));
    assert_int_equal(json_array_size(layers), 2);
    assert_string_equal(json_string_value(json_object_get(cfg, "name")),
                        "x y");
    json_decref(cfg);
    cfg_free(c);
}

static void test_failures_carry_exit_and_stderr(void **state)
{
    struct fx *f = *state;
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("fail");
    start_ok(f, 0, c, 0);
    const struct event *ex = wait_exit(f, 0);
    assert_int_equal(ex->status, HPOLAB_TRIAL_FAILED);
    assert_non_null(ex->text);
    assert_true(strncmp(ex->text, "exit code 3", 11) == 0);
    assert_non_null(strstr(ex->text, trial_file(f, 0, "std.err")));
    /* the last 20 of 25 lines */
    assert_non_null(strstr(ex->text, "err line 24"));
    assert_non_null(strstr(ex->text, "\nerr line 5\n"));
    assert_null(strstr(ex->text, "err line 4\n"));
    assert_int_equal(count_substr(ex->text, "err line"), 20);
    assert_non_null(find_line(f, 0, "about to fail", 0));
    cfg_free(c);

    c = cfg_new("selfkill");
    start_ok(f, 1, c, 0);
    ex = wait_exit(f, 1);
    assert_int_equal(ex->status, HPOLAB_TRIAL_FAILED);
    assert_true(strncmp(ex->text, "killed by signal 9 (SIGKILL)", 28) == 0);
    assert_non_null(strstr(ex->text, "dying now"));
    cfg_free(c);
}

static void test_start_and_option_errors(void **state)
{
    struct fx *f = *state;
    refuse_options(f, "{\"stop_grace_period\": -1}", HPOLAB_ERR_RANGE,
                   "stop_grace_period");
    refuse_options(f, "{\"stop_grace_period\": \"soon\"}", HPOLAB_ERR_TYPE,
                   "stop_grace_period");
    refuse_options(f, "{\"num_gpus_per_trial\": 0}", HPOLAB_ERR_RANGE,
                   "num_gpus_per_trial");
    refuse_options(f, "{\"gpus_to_use\": \"0,x\"}", HPOLAB_ERR_INVALID,
                   "gpus_to_use: expected comma-separated GPU ids");
    refuse_options(f, "{\"gpus_to_use\": \"1, 2,1\"}", HPOLAB_ERR_INVALID,
                   "GPU 1 is listed twice");

    /* a program that does not exist */
    open_backend_argv(f, NULL, "/nonexistent/train");
    assert_int_equal(cls.create(&f->ctx, &f->args, &f->state), HPOLAB_OK);
    struct hpolab_config *c = cfg_new("report");
    assert_int_equal(start_job(f, 0, c, 0, NULL), HPOLAB_ERR_PROCESS);
    assert_non_null(strstr(f->ctx.err.message, "trial 0: cannot start "
                                               "/nonexistent/train"));
    assert_non_null(strstr(f->ctx.err.message, "No such file"));
    close_backend(f);

    open_backend(f, NULL);
    /* a trial folder that cannot be created */
    char blocker[700];
    snprintf(blocker, sizeof blocker, "%s/5", f->exp);
    FILE *fp = fopen(blocker, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(start_job(f, 5, c, 0, NULL), HPOLAB_ERR_IO);
    assert_non_null(strstr(f->ctx.err.message, "trial 5: cannot create"));
    assert_non_null(strstr(f->ctx.err.message, blocker));
    /* a checkpoint to copy that does not exist */
    char missing[700];
    snprintf(missing, sizeof missing, "%s/0/checkpoints", f->exp);
    assert_int_equal(start_job(f, 2, c, 0, missing), HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(f->ctx.err.message, "trial 2: cannot copy the "
                                               "checkpoint"));
    assert_non_null(strstr(f->ctx.err.message, missing));
    /* starting a running trial again */
    cfg_free(c);
    c = cfg_new("sleep");
    start_ok(f, 1, c, 0);
    assert_int_equal(start_job(f, 1, c, 0, NULL), HPOLAB_ERR_STATE);
    assert_non_null(strstr(f->ctx.err.message, "trial 1 is still running"));
    cfg_free(c);
}

static void test_stop_escalates_to_sigkill(void **state)
{
    struct fx *f = *state;
    open_backend(f, "{\"stop_grace_period\": 0.5}");
    struct hpolab_config *c = cfg_new("ignore_term");
    start_ok(f, 0, c, 0);
    pid_t pid = wait_pid(f, 0, "pid ");
    wait_line(f, 0, "tick ", 2);
    double t0 = now_s();
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 0, HPOLAB_STOP_STOP),
                     HPOLAB_OK);
    size_t emitted = count_lines(f, 0, "");
    pump(f, 0.2);
    assert_true(alive(pid)); /* SIGTERM is ignored: still there */
    wait_dead(f, pid, 10);
    double took = now_s() - t0;
    assert_true(took >= 0.45);
    assert_true(took < 5);
    for (int i = 0; i < 5 && !reaped(pid); i++)
        pump(f, 0.1);
    assert_true(reaped(pid));
    /* nothing emitted after the stop, no exit; std.out got everything */
    assert_int_equal(count_lines(f, 0, ""), emitted);
    assert_null(find_exit(f, 0));
    char *out = read_file(trial_file(f, 0, "std.out"), NULL);
    assert_true(count_substr(out, "tick ") > count_lines(f, 0, "tick "));
    free(out);
    assert_true(exists(trial_file(f, 0, "stop")));
    assert_false(exists(trial_file(f, 0, "pause")));
    assert_true(exists(trial_file(f, 0, "end")));
    /* stopping again, or an unknown trial, is harmless */
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 0, HPOLAB_STOP_STOP),
                     HPOLAB_OK);
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 99, HPOLAB_STOP_STOP),
                     HPOLAB_OK);
    cfg_free(c);
}

static void test_stop_ends_whole_process_group(void **state)
{
    struct fx *f = *state;
    open_backend(f, "{\"stop_grace_period\": 3}");
    struct hpolab_config *c = cfg_new("fork");
    start_ok(f, 0, c, 0);
    pid_t child = wait_pid(f, 0, "child ");
    pid_t pid = wait_pid(f, 0, "pid ");
    assert_true(alive(child));
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 0, HPOLAB_STOP_PAUSE),
                     HPOLAB_OK);
    wait_dead(f, pid, 5);
    wait_dead(f, child, 5);
    /* the child got the SIGTERM too (its last words are in std.out, not
     * emitted: the trial was stopped) */
    for (int i = 0; i < 5; i++)
        pump(f, 0.05);
    char *out = read_file(trial_file(f, 0, "std.out"), NULL);
    assert_non_null(strstr(out, "child got SIGTERM\n"));
    free(out);
    assert_null(find_line(f, 0, "child got", 0));
    assert_true(exists(trial_file(f, 0, "pause")));
    assert_false(exists(trial_file(f, 0, "stop")));
    assert_null(find_exit(f, 0));
    cfg_free(c);
}

/* A trial's processes end with it: what the leader leaves behind in its
 * process group is killed when the leader exits. */
static void test_exit_ends_leftover_children(void **state)
{
    struct fx *f = *state;
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("orphan");
    start_ok(f, 0, c, 0);
    pid_t child = wait_pid(f, 0, "child ");
    assert_int_equal(wait_exit(f, 0)->status, HPOLAB_TRIAL_COMPLETED);
    wait_dead(f, child, 2);
    cfg_free(c);
}

static void test_resume_kills_old_run_and_appends(void **state)
{
    struct fx *f = *state;
    /* a long grace period: only the resume's SIGKILL can end it quickly */
    open_backend(f, "{\"stop_grace_period\": 30}");
    struct hpolab_config *c = cfg_new("ignore_term");
    start_ok(f, 0, c, 0);
    pid_t old = wait_pid(f, 0, "pid ");
    wait_line(f, 0, "tick ", 1);
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 0, HPOLAB_STOP_PAUSE),
                     HPOLAB_OK);
    size_t ticks = count_lines(f, 0, "tick ");
    assert_true(exists(trial_file(f, 0, "pause")));
    cfg_free(c);

    c = cfg_new("report");
    hpolab_record_set_int(&c->rec, "n", 2);
    double t0 = now_s();
    start_ok(f, 0, c, 1);
    assert_true(now_s() - t0 < 5);
    /* the paused process is gone (and reaped) before the new one runs */
    assert_true(reaped(old));
    assert_false(exists(trial_file(f, 0, "pause")));
    assert_int_equal(wait_exit(f, 0)->status, HPOLAB_TRIAL_COMPLETED);
    assert_int_equal(count_lines(f, 0, "tick "), ticks);
    assert_int_equal(count_lines(f, 0, "[tune-metric]: "), 2);
    char *out = read_file(trial_file(f, 0, "std.out"), NULL);
    char *tick = strstr(out, "tick 0\n");
    char *report = strstr(out, "[tune-metric]: ");
    assert_non_null(tick);
    assert_non_null(report);
    assert_true(tick < report); /* appended after the first run's output */
    free(out);

    /* a completed trial resumed again appends once more */
    for (size_t i = 0; i < f->nev; i++)
        f->ev[i].trial = -1; /* forget the first exit */
    start_ok(f, 0, c, 1);
    wait_exit(f, 0);
    out = read_file(trial_file(f, 0, "std.out"), NULL);
    assert_int_equal(count_substr(out, "[tune-metric]: "), 4);
    assert_int_equal(count_substr(out, "pid "), 3);
    free(out);
    cfg_free(c);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_checkpoint_copy(void **state)
{
    struct fx *f = *state;
    open_backend(f, NULL);
    char src[700], p[800];
    snprintf(src, sizeof src, "%s/src", f->root);
    assert_int_equal(mkdir(src, 0777), 0);
    snprintf(p, sizeof p, "%s/a.txt", src);
    write_text(p, "hello");
    snprintf(p, sizeof p, "%s/sub", src);
    assert_int_equal(mkdir(p, 0777), 0);
    snprintf(p, sizeof p, "%s/sub/deep", src);
    assert_int_equal(mkdir(p, 0777), 0);
    char *big = malloc(200001);
    for (int i = 0; i < 200000; i++)
        big[i] = (char)('a' + i % 26);
    big[200000] = '\0';
    snprintf(p, sizeof p, "%s/sub/deep/b.txt", src);
    write_text(p, big);
    snprintf(p, sizeof p, "%s/link", src);
    assert_int_equal(symlink("a.txt", p), 0);

    struct hpolab_config *c = cfg_new("report");
    assert_int_equal(start_job(f, 1, c, 0, src), HPOLAB_OK);
    wait_exit(f, 1);
    char *text = read_file(trial_file(f, 1, "checkpoints/a.txt"), NULL);
    assert_string_equal(text, "hello");
    free(text);
    text = read_file(trial_file(f, 1, "checkpoints/sub/deep/b.txt"), NULL);
    assert_string_equal(text, big);
    free(text);
    char target[64] = {0};
    assert_int_equal(readlink(trial_file(f, 1, "checkpoints/link"), target,
                              sizeof target - 1),
                     5);
    assert_string_equal(target, "a.txt");
    free(big);
    cfg_free(c);
}

static void test_wake_fd_ends_wait_early(void **state)
{
    struct fx *f = *state;
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("sleep");
    start_ok(f, 0, c, 0);
    wait_pid(f, 0, "pid ");
    double t0 = now_s();
    pump(f, 0.3); /* nothing happens: the whole timeout */
    assert_true(now_s() - t0 >= 0.28);
    assert_int_equal(write(f->wake[1], "x", 1), 1);
    t0 = now_s();
    pump(f, 10.0);
    assert_true(now_s() - t0 < 1.0);
    /* the backend never reads the wake pipe */
    struct pollfd p = {.fd = f->wake[0], .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 1);
    char b;
    assert_int_equal(read(f->wake[0], &b, 1), 1);
    cfg_free(c);
}

static void test_destroy_leaves_no_process(void **state)
{
    struct fx *f = *state;
    int fds = count_fds();
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("sleep");
    pid_t pids[4];
    for (int i = 0; i < 3; i++) {
        start_ok(f, i, c, 0);
        pids[i] = wait_pid(f, i, "pid ");
    }
    cfg_free(c);
    c = cfg_new("fork");
    start_ok(f, 3, c, 0);
    pid_t child = wait_pid(f, 3, "child ");
    pids[3] = wait_pid(f, 3, "pid ");
    close_backend(f);
    for (int i = 0; i < 4; i++) {
        assert_true(reaped(pids[i])); /* no zombie left */
        assert_false(alive(pids[i]));
    }
    wait_dead(f, child, 2); /* the trial's own child too */
    assert_int_equal(count_fds(), fds);
    cfg_free(c);
}

static struct fx *alarm_fx;

static void on_alarm(int sig)
{
    ssize_t n = write(alarm_fx->wake[1], "x", 1);
    (void)n;
}

static void test_stop_all(void **state)
{
    struct fx *f = *state;
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("sleep");
    struct hpolab_config *stubborn = cfg_new("ignore_term");
    pid_t pids[3];
    start_ok(f, 0, c, 0);
    start_ok(f, 1, c, 0);
    start_ok(f, 2, stubborn, 0);
    for (int i = 0; i < 3; i++)
        pids[i] = wait_pid(f, i, "pid ");
    double t0 = now_s();
    assert_int_equal(cls.stop_all(f->state, &f->ctx, 0.5), HPOLAB_OK);
    double took = now_s() - t0;
    assert_true(took >= 0.45); /* the stubborn one waited for its SIGKILL */
    assert_true(took < 5);
    for (int i = 0; i < 3; i++) {
        assert_true(reaped(pids[i]));
        assert_true(exists(trial_file(f, i, "stop")));
    }
    assert_null(find_exit(f, 0));
    assert_null(find_exit(f, 2));

    /* a wake during stop_all (a second Ctrl-C) kills at once */
    start_ok(f, 3, stubborn, 1);
    pid_t pid = wait_pid(f, 3, "pid ");
    alarm_fx = f;
    struct sigaction sa = {.sa_handler = on_alarm};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {0, 300000}};
    setitimer(ITIMER_REAL, &it, NULL);
    t0 = now_s();
    assert_int_equal(cls.stop_all(f->state, &f->ctx, 30), HPOLAB_OK);
    took = now_s() - t0;
    signal(SIGALRM, SIG_DFL);
    assert_true(took >= 0.25);
    assert_true(took < 5);
    assert_true(reaped(pid));
    cfg_free(c);
    cfg_free(stubborn);
}

/* CUDA_VISIBLE_DEVICES a trial got (mode args). */
static const char *cuda_of(struct fx *f, int64_t id)
{
    return wait_line(f, id, "env CUDA_VISIBLE_DEVICES=", 0) + 25;
}

static void test_gpu_rotation(void **state)
{
    struct fx *f = *state;
    char log[700];
    snprintf(log, sizeof log, "%s/smi.log", f->root);
    setenv("HPOLAB_NVIDIA_SMI", FAKE_SMI, 1);
    setenv("HPOLAB_FAKE_SMI_LOG", log, 1);
    setenv("CUDA_VISIBLE_DEVICES", "keep", 1);
    struct hpolab_config *hold = cfg_new("args");
    hpolab_record_set_int(&hold->rec, "hold", 1);
    struct hpolab_config *quick = cfg_new("args");

    /* all busy: the first of the assigned list; a freed GPU is preferred */
    open_backend(f, NULL);
    const char *busy[] = {"0", "1", "2", "3", "0"};
    for (int i = 0; i < 5; i++) {
        start_ok(f, i, hold, 0);
        assert_string_equal(cuda_of(f, i), busy[i]);
    }
    cls.stop_trial(f->state, &f->ctx, 1, HPOLAB_STOP_STOP);
    start_ok(f, 5, hold, 0);
    assert_string_equal(cuda_of(f, 5), "1");
    char *calls = read_file(log, NULL);
    assert_string_equal(calls, "called --list-gpus\n"); /* once, lazily */
    free(calls);
    close_backend(f);

    /* one at a time: least used first, ties to the lower id */
    open_backend(f, NULL);
    const char *seq[] = {"0", "1", "2", "3", "0", "1"};
    for (int i = 10; i < 16; i++) {
        start_ok(f, i, quick, 0);
        wait_exit(f, i);
        assert_string_equal(cuda_of(f, i), seq[i - 10]);
    }
    start_ok(f, 16, hold, 0); /* times assigned 2,2,1,1 */
    assert_string_equal(cuda_of(f, 16), "2");
    start_ok(f, 17, hold, 0);
    assert_string_equal(cuda_of(f, 17), "3");
    close_backend(f);

    /* two per trial over gpus_to_use 3,1,2 (physical ids) */
    open_backend(f, "{\"num_gpus_per_trial\": 2, \"gpus_to_use\": \"3,1,2\"}");
    start_ok(f, 20, hold, 0);
    assert_string_equal(cuda_of(f, 20), "3,1");
    start_ok(f, 21, hold, 0); /* free 2, then the first assigned */
    assert_string_equal(cuda_of(f, 21), "2,3");
    start_ok(f, 22, hold, 0); /* assigned[:2] sorted by times: 1 before 3 */
    assert_string_equal(cuda_of(f, 22), "1,3");
    close_backend(f);

    /* more per trial than there are: all of them */
    open_backend(f, "{\"num_gpus_per_trial\": 8}");
    start_ok(f, 30, quick, 0);
    assert_string_equal(cuda_of(f, 30), "0,1,2,3");
    close_backend(f);

    /* a GPU that does not exist */
    open_backend(f, "{\"gpus_to_use\": \"1,7\"}");
    assert_int_equal(start_job(f, 31, quick, 0, NULL), HPOLAB_ERR_INVALID);
    assert_non_null(strstr(f->ctx.err.message, "GPU 7 does not exist"));
    close_backend(f);

    /* rotation off, or a single GPU: CUDA_VISIBLE_DEVICES untouched */
    unlink(log);
    open_backend(f, "{\"rotate_gpus\": false}");
    start_ok(f, 40, quick, 0);
    assert_string_equal(cuda_of(f, 40), "keep");
    assert_false(exists(log)); /* nvidia-smi never ran */
    close_backend(f);
    setenv("HPOLAB_FAKE_GPUS", "1", 1);
    open_backend(f, NULL);
    start_ok(f, 41, quick, 0);
    start_ok(f, 42, quick, 0);
    assert_string_equal(cuda_of(f, 41), "keep");
    assert_string_equal(cuda_of(f, 42), "keep");
    close_backend(f);
    cfg_free(hold);
    cfg_free(quick);
}

static char *logged;

static void log_sink(int32_t level, const char *line, void *user)
{
    if (!logged)
        logged = strdup(line);
}

static void test_long_and_unterminated_lines(void **state)
{
    struct fx *f = *state;
    open_backend(f, NULL);
    hpolab_log_set_sink(log_sink, NULL);
    struct hpolab_config *c = cfg_new("long");
    start_ok(f, 0, c, 0);
    assert_int_equal(wait_exit(f, 0)->status, HPOLAB_TRIAL_COMPLETED);
    hpolab_log_set_sink(NULL, NULL);
    assert_int_equal(count_lines(f, 0, ""), 2);
    const char *first = find_line(f, 0, "", 0);
    assert_int_equal(strlen(first), 1024 * 1024);
    assert_int_equal(strspn(first, "x"), 1024 * 1024);
    assert_string_equal(find_line(f, 0, "", 1), "[tune-metric]: {\"after\": 1}");
    assert_non_null(logged);
    assert_non_null(strstr(logged, "longer than"));
    free(logged);
    logged = NULL;
    size_t len;
    char *out = read_file(trial_file(f, 0, "std.out"), &len);
    assert_int_equal(len, 1536 * 1024 + 1 +
                              strlen("[tune-metric]: {\"after\": 1}") + 1);
    free(out);
    cfg_free(c);

    c = cfg_new("partial");
    start_ok(f, 1, c, 0);
    const struct event *ex = wait_exit(f, 1);
    assert_string_equal(find_line(f, 1, "", 0), "first");
    assert_string_equal(find_line(f, 1, "", 1), "no newline at the end");
    assert_int_equal(count_lines(f, 1, ""), 2);
    assert_ptr_equal(ex, &f->ev[f->nev - 1]);
    cfg_free(c);
}

/* A trial that exits with more output in its pipe than one poll round
 * reads: the rest is drained, and the unfinished last line emitted, before
 * the exit. The backend is not called until the process has ended. */
static void test_exit_after_pending_output(void **state)
{
    struct fx *f = *state;
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("burst");
    start_ok(f, 0, c, 0);
    /* wait (without reaping) until the leader, our only child, has ended */
    double end = now_s() + 10;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            si.si_pid != 0)
            break;
        assert_true(now_s() < end);
        usleep(10000);
    }
    const struct event *ex = wait_exit(f, 0);
    assert_int_equal(ex->status, HPOLAB_TRIAL_COMPLETED);
    assert_ptr_equal(ex, &f->ev[f->nev - 1]);
    assert_int_equal(count_lines(f, 0, "yyyy"), 900);
    assert_string_equal(find_line(f, 0, "[tune-metric]", 0),
                        "[tune-metric]: {\"burst\": 1}");
    assert_string_equal(f->ev[f->nev - 2].text, "no newline");
    cfg_free(c);
}

/* Many short trials, 16 at a time: every exit arrives after its reports,
 * and no descriptor is left behind. */
static void test_many_trials(void **state)
{
    struct fx *f = *state;
    int fds = count_fds();
    open_backend(f, NULL);
    struct hpolab_config *c = cfg_new("report");
    hpolab_record_set_int(&c->rec, "n", 2);
    enum { TOTAL = 200, PARALLEL = 16 };
    int started = 0, done = 0;
    static int reports[TOTAL];
    memset(reports, 0, sizeof reports);
    size_t seen = 0;
    double end = now_s() + 60;
    while (done < TOTAL) {
        while (started < TOTAL && started - done < PARALLEL)
            start_ok(f, started++, c, 0);
        assert_true(now_s() < end);
        pump(f, 1.0);
        for (; seen < f->nev; seen++) {
            const struct event *e = &f->ev[seen];
            if (e->kind == EV_LINE && strncmp(e->text, "[tune-metric]", 13) == 0)
                reports[e->trial]++;
            if (e->kind == EV_EXIT) {
                assert_int_equal(e->status, HPOLAB_TRIAL_COMPLETED);
                assert_int_equal(reports[e->trial], 2);
                done++;
            }
        }
    }
    close_backend(f);
    assert_int_equal(count_fds(), fds);
    cfg_free(c);
}

/* The same behaviour without pidfds (exits found by waitid checks). */
static int setup_no_pidfd(void **state)
{
    setenv("HPOLAB_LOCAL_NO_PIDFD", "1", 1);
    return setup(state);
}

static int teardown_no_pidfd(void **state)
{
    unsetenv("HPOLAB_LOCAL_NO_PIDFD");
    return teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reports_then_exit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_argv_environment_cwd, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_json_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures_carry_exit_and_stderr,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_and_option_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stop_escalates_to_sigkill, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stop_ends_whole_process_group,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_ends_leftover_children,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_kills_old_run_and_appends,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wake_fd_ends_wait_early, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_destroy_leaves_no_process, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stop_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gpu_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_and_unterminated_lines,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_after_pending_output, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_many_trials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_then_exit,
                                        setup_no_pidfd, teardown_no_pidfd),
        cmocka_unit_test_setup_teardown(test_stop_escalates_to_sigkill,
                                        setup_no_pidfd, teardown_no_pidfd),
        cmocka_unit_test_setup_teardown(test_exit_after_pending_output,
                                        setup_no_pidfd, teardown_no_pidfd),
        cmocka_unit_test_setup_teardown(test_stop_all, setup_no_pidfd,
                                        teardown_no_pidfd),
        cmocka_unit_test_setup_teardown(test_many_trials, setup_no_pidfd,
                                        teardown_no_pidfd),
    };
    return cmocka_run_group_tests(tests, load_plugin, unload_plugin);
}
