/* cmd_launch_sagemaker.c: `hpolab launch --engine sagemaker` (issue 8 item
 * 3; framework reference §4): checks the settings, packs and uploads the
 * study folder, then a supervisor (this process with --wait, else a
 * background child logging to <root>/launch.log) submits one training job
 * per slice through launch_sagemaker.h and follows them. `hpolab status`
 * and `hpolab cancel` of such a study: cmd_launch_sagemaker_status.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws_s3.h"
#include "aws_s3_sync.h"
#include "aws_sagemaker.h"
#include "aws_sts.h"
#include "cmd_launch.h"
#include "fsutil.h"
#include "launch_record.h"
#include "launch_sagemaker.h"
#include "launch_state.h"
#include "pack_dir.h"

static volatile sig_atomic_t cancel_flag;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    cancel_flag = 1;
    if (wake_pipe[1] >= 0) {
        ssize_t n = write(wake_pipe[1], "x", 1);
        (void)n;
    }
    errno = saved;
}

static int install_signals(void)
{
    if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double env_seconds(const char *name, double def)
{
    const char *v = getenv(name);
    char *end;
    double d = v ? strtod(v, &end) : def;
    return v && (end == v || *end || d < 0) ? def : d;
}

/* flag > study's "sagemaker" member > fallback */
static const char *setting(const char *flag, const json_t *study,
                           const char *key, const char *fallback)
{
    if (flag && flag[0])
        return flag;
    const char *s = json_string_value(json_object_get(study, key));
    return s && s[0] ? s : fallback;
}

struct progress {
    const struct hpolab_launch_plan *plan;
    int32_t *state;
    struct hpolab_launch_totals totals;
};

static void on_change(void *user, size_t slice,
                      const struct hpolab_job_state *js)
{
    struct progress *p = user;
    int32_t old = p->state[slice];
    if (old == js->state)
        return;
    p->totals.count[old]--;
    p->totals.count[js->state]++;
    p->state[slice] = js->state;
    launch_print_change(stdout, p->plan, slice, js, &p->totals);
    fflush(stdout);
}

static void on_note(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "hpolab launch: %s\n", line);
}

static int write_supervisor(const struct hpolab_launch_plan *plan,
                            int32_t state, double start)
{
    struct hpolab_job_state s;
    hpolab_job_state_init(&s);
    hpolab_job_state_set_self(&s);
    s.state = state;
    s.start = start;
    if (hpolab_slice_state_is_final(state))
        s.end = wall();
    char *path = hpolab_path_join(plan->root, HPOLAB_SUPERVISOR_STATE_NAME);
    struct hpolab_error err;
    int32_t st = path ? hpolab_job_state_write(path, &s, &err)
                      : HPOLAB_ERR_NOMEM;
    if (st != HPOLAB_OK)
        fprintf(stderr, "hpolab launch: %s\n",
                path ? err.message : "out of memory");
    free(path);
    return st == HPOLAB_OK ? 0 : -1;
}

/* The supervisor's work; returns the exit status. */
static int supervise(struct hpolab_launch_plan *plan,
                     struct hpolab_sm_engine *e)
{
    double start = wall();
    struct progress prog = {.plan = plan};
    prog.state = calloc(plan->n_slices + 1, sizeof *prog.state);
    if (!prog.state)
        return 1;
    prog.totals.total = plan->n_slices;
    for (size_t i = 0; i < plan->n_slices; i++) {
        int32_t s = plan->slices[i].skipped ? HPOLAB_SLICE_DONE
                                            : HPOLAB_SLICE_PENDING;
        prog.state[i] = s;
        prog.totals.count[s]++;
    }
    e->wake_fd = wake_pipe[0];
    e->cancel = &cancel_flag;
    e->on_change = on_change;
    e->on_note = on_note;
    e->user = &prog;
    struct hpolab_error err;
    int32_t st = hpolab_sm_engine_run(plan, e, &err);
    int rc;
    if (st == HPOLAB_ERR_INTERRUPTED) {
        printf("cancelled: ");
        rc = 130;
    } else if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n", err.message);
        rc = 1;
    } else {
        printf("all jobs ended: ");
        rc = prog.totals.count[HPOLAB_SLICE_DONE] == plan->n_slices ? 0 : 1;
    }
    launch_print_totals(stdout, &prog.totals);
    launch_sagemaker_print_cost(stdout, plan);
    printf("results: s3://%s/%s/%s/ (hpolab sync %s --bucket %s)\n",
           e->bucket, HPOLAB_S3_ROOT, plan->tag, plan->tag, e->bucket);
    fflush(stdout);
    write_supervisor(plan, rc == 0 ? HPOLAB_SLICE_DONE
                           : rc == 130 ? HPOLAB_SLICE_CANCELLED
                                       : HPOLAB_SLICE_FAILED,
                     start);
    free(prog.state);
    return rc;
}

/* The supervisor as a background child; returns once it recorded itself. */
static int background(struct hpolab_launch_plan *plan,
                      struct hpolab_sm_engine *e)
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
        int rc = install_signals() == 0 &&
                         write_supervisor(plan, HPOLAB_SLICE_RUNNING, wall()) == 0
                     ? 0
                     : 1;
        close(ready[1]);
        if (rc == 0)
            rc = supervise(plan, e);
        fflush(stdout);
        _exit(rc);
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
        fprintf(stderr, "hpolab launch: the supervisor did not start; see "
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

/* Packs the study folder and uploads it as <code_uri>study.tar.gz. */
static int upload_code(struct hpolab_aws_client *c, const char *bucket,
                       const struct hpolab_launch_plan *plan,
                       const char *study_dir, const char *code_key)
{
    char *tgz = hpolab_path_join(plan->root, "code.tar.gz");
    struct hpolab_error err;
    size_t n = 0;
    /* the results folder may sit inside the study folder: not packed */
    int rc = 0;
    if (!tgz || hpolab_pack_dir_targz(study_dir, plan->root, tgz, &n, &err) !=
                    HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: packing %s: %s\n", study_dir,
                tgz ? err.message : "out of memory");
        rc = 1;
    } else if (hpolab_s3_put_file(c, bucket, code_key, tgz, NULL, NULL, &err) !=
               HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: uploading the study: %s\n",
                err.message);
        rc = 1;
    } else {
        printf("  study folder %s packed (%zu files) and uploaded to "
               "s3://%s/%s\n",
               study_dir, n, bucket, code_key);
    }
    if (tgz)
        unlink(tgz);
    free(tgz);
    return rc;
}

/* The launch stopped before any job was submitted: its slices say so
 * (else they would look pending, and block the next launch of the tag). */
static void abandon(const struct hpolab_launch_plan *plan)
{
    for (size_t i = 0; i < plan->n_slices; i++) {
        if (plan->slices[i].skipped)
            continue;
        struct hpolab_job_state js;
        hpolab_job_state_init(&js);
        js.state = HPOLAB_SLICE_CANCELLED;
        js.end = wall();
        snprintf(js.message, sizeof js.message,
                 "never submitted: the launch failed before");
        char path[4200];
        struct hpolab_error err;
        snprintf(path, sizeof path, "%s/%s", plan->slices[i].dir,
                 HPOLAB_JOB_STATE_NAME);
        if (hpolab_mkdir_p(plan->slices[i].dir, &err) == HPOLAB_OK)
            hpolab_job_state_write(path, &js, &err);
    }
}

static int run_sagemaker(struct hpolab_launch_plan *plan,
                         const struct launch_engine_args *a, int *started);

int launch_run_sagemaker(struct hpolab_launch_plan *plan,
                         const struct launch_engine_args *a)
{
    int started = 0;
    int rc = run_sagemaker(plan, a, &started);
    if (!started)
        abandon(plan);
    return rc;
}

static int run_sagemaker(struct hpolab_launch_plan *plan,
                         const struct launch_engine_args *a, int *started)
{
    const json_t *sj = a->study_sagemaker;
    const char *image = setting(a->image, sj, "image", NULL);
    const char *role = setting(a->role, NULL, NULL, getenv("AWS_ROLE"));
    role = setting(role, sj, "role", NULL);
    const char *type = setting(a->instance_type, sj, "instance_type",
                               HPOLAB_SM_DEFAULT_INSTANCE);
    if (!image) {
        fprintf(stderr, "hpolab launch: --engine sagemaker needs the training "
                        "image: set --image <ECR image URI> or \"sagemaker\": "
                        "{\"image\": ...} in the study (tools/container/"
                        "README.md builds it)\n");
        return 2;
    }
    if (!role) {
        fprintf(stderr, "hpolab launch: --engine sagemaker needs the "
                        "execution role: set --role <role ARN>, AWS_ROLE, or "
                        "\"sagemaker\": {\"role\": ...} in the study\n");
        return 2;
    }
    struct hpolab_error err;
    for (size_t i = 0; i < plan->n_slices; i++)
        if (hpolab_sm_validate_name(plan->slices[i].job_name, &err) !=
            HPOLAB_OK) {
            fprintf(stderr, "hpolab launch: %s (job names are "
                            "<tag>-<method>-<seed>-<suffix>; choose a "
                            "shorter --experiment_tag or method names of "
                            "letters, digits and '-')\n",
                    err.message);
            return 2;
        }
    const struct hpolab_sm_instance *in = hpolab_sm_instance_find(type);
    if (!in)
        printf("  note: instance type %s is not in hpolab's table; no cost "
               "estimate (HPOLAB_SAGEMAKER_PRICES adds it)\n",
               type);
    else if (in->gpus > 0 && plan->n_workers > in->gpus && a->backend &&
             strcmp(a->backend, "local") == 0)
        printf("  warning: n_workers %lld exceeds the %d GPU(s) of %s: the "
               "local backend inside each job will share GPUs between "
               "trials\n",
               (long long)plan->n_workers, in->gpus, type);

    struct hpolab_aws_client *c = launch_sagemaker_client("hpolab launch", NULL);
    if (!c)
        return 2;
    int rc = 0;
    char *bucket = NULL;
    const char *b = setting(a->bucket, sj, "bucket", getenv("HPOLAB_S3_BUCKET"));
    if (b)
        bucket = strdup(b);
    else if (hpolab_aws_default_bucket(c, &bucket, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: the default bucket: %s (or set "
                        "--bucket)\n",
                err.message);
        rc = 2;
        goto out;
    }
    const char *study_base = strrchr(plan->study, '/');
    study_base = study_base ? study_base + 1 : plan->study;
    char code_key[1024], code_uri[1200];
    snprintf(code_key, sizeof code_key, "%s/%s/code-%s/study.tar.gz",
             HPOLAB_S3_ROOT, plan->tag, plan->suffix);
    snprintf(code_uri, sizeof code_uri, "s3://%s/%s/%s/code-%s/", bucket,
             HPOLAB_S3_ROOT, plan->tag, plan->suffix);
    printf("sagemaker engine: %s on %s in %s, bucket %s, %s\n", image, type,
           hpolab_aws_client_region(c), bucket,
           a->max_parallel > 0 ? "" : "all jobs at once");
    if (a->max_parallel > 0)
        printf("  at most %lld job(s) in flight\n", (long long)a->max_parallel);
    /* SageMaker reads and writes the bucket from the jobs' region: a
     * bucket elsewhere is refused before anything is uploaded (the probe
     * learns its region from S3's redirect) */
    struct hpolab_s3_object probe;
    memset(&probe, 0, sizeof probe);
    int32_t hs = hpolab_s3_head(c, bucket, code_key, &probe, &err);
    hpolab_s3_object_free(&probe);
    const char *br = hpolab_aws_client_bucket_region(c, bucket);
    if (br && strcmp(br, hpolab_aws_client_region(c)) != 0) {
        fprintf(stderr, "hpolab launch: bucket %s is in %s but the jobs run "
                        "in %s: set --bucket to a bucket in %s, or "
                        "AWS_REGION=%s\n",
                bucket, br, hpolab_aws_client_region(c),
                hpolab_aws_client_region(c), br);
        rc = 2;
        goto out;
    }
    if (hs != HPOLAB_OK && hs != HPOLAB_ERR_NOT_FOUND) {
        fprintf(stderr, "hpolab launch: bucket %s: %s\n", bucket, err.message);
        rc = 2;
        goto out;
    }
    if ((rc = upload_code(c, bucket, plan, a->study_dir, code_key)) != 0)
        goto out;
    plan->max_parallel = a->max_parallel;
    json_decref(plan->engine_info);
    plan->engine_info = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s}", "bucket", bucket, "region",
        hpolab_aws_client_region(c), "image", image, "role", role,
        "instance_type", type, "code_uri", code_uri);
    if (!plan->engine_info ||
        hpolab_launch_record_write(plan, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n",
                plan->engine_info ? err.message : "out of memory");
        rc = 1;
        goto out;
    }
    fflush(stdout);
    *started = 1;
    struct hpolab_sm_engine e = {
        .client = c, .bucket = bucket, .image = image, .role = role,
        .instance_type = type, .code_uri = code_uri, .study_rel = study_base,
        .max_parallel = a->max_parallel,
        .poll_s = env_seconds("HPOLAB_SM_POLL_S", 30.0),
        .backoff_s = env_seconds("HPOLAB_SM_BACKOFF_S", 60.0),
        .max_limit_tries = 100, .wake_fd = -1};
    if (!a->wait)
        rc = background(plan, &e);
    else if (install_signals() != 0 ||
             write_supervisor(plan, HPOLAB_SLICE_RUNNING, wall()) != 0)
        rc = 1;
    else
        rc = supervise(plan, &e);
out:
    free(bucket);
    hpolab_aws_client_free(c);
    return rc;
}

