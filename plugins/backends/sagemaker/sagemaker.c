/* sagemaker.c: the "sagemaker" backend: each trial, and each resume of it,
 * is one SageMaker training job (framework reference §1.9). The job runs
 * the study's entry point in the hpolab training container
 * (tools/container/) with the configuration as hyperparameters; its
 * checkpoint folder is synced by SageMaker to the trial's S3 prefix; its
 * output is read back from CloudWatch Logs and handed to the host line by
 * line, where the [tune-metric] reports are found as for local trials.
 * Every AWS call goes through the host's hpolab_aws_v1 extension: the
 * plugin never sees a credential and links nothing of the core.
 *
 * What differs from Syne Tune and why: job names are <tuner name>-<trial
 * id>[-r<k>] cut with a hash rather than random characters (the same run
 * always gets the same name); a resume waits until the previous job of
 * the trial has ended, so it starts from the final checkpoint and never
 * runs alongside it; a pause first lets the job end by itself (a
 * promotion-type script saves its checkpoint and exits right after its
 * last report) before StopTrainingJob; status comes from
 * DescribeTrainingJob under one call rate for all jobs (Syne Tune used
 * Search). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend_args.h"
#include "sm_internal.h"

int32_t sm_fail(struct sm_backend *b, struct hpolab_ctx *ctx, int32_t st,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->why, sizeof b->why, fmt, ap);
    va_end(ap);
    return hpolab_set_error(ctx, st, "%s", b->why);
}

int32_t sm_aws_failed(struct sm_backend *b, int32_t st)
{
    const char *m = b->aws->last_error(b->session);
    snprintf(b->why, sizeof b->why, "%s", m && m[0] ? m : "AWS call failed");
    return st;
}

static void free_backend(struct sm_backend *b)
{
    while (b->runs) {
        struct sm_run *r = b->runs;
        b->runs = r->next;
        sm_run_free(r);
    }
    if (b->aws && b->session)
        b->aws->close(b->session);
    free(b->tuner_name);
    free(b->tag);
    free(b->bucket);
    free(b->prefix);
    free(b->source_uri);
    free(b->entry_point);
    free(b->resumes);
    free(b);
}

/* s3_prefix option, else hpolab/<tag>/<tuner name> (as hpolab launch
 * keeps a study under hpolab/<tag>/), without '/' at either end. */
static int32_t make_prefix(struct sm_backend *b, struct hpolab_ctx *ctx)
{
    struct sm_buf p = {0};
    if (b->o.s3_prefix)
        sm_buf_puts(&p, b->o.s3_prefix);
    else if (b->tag)
        sm_buf_printf(&p, "hpolab/%s/%s", b->tag, b->tuner_name);
    else
        sm_buf_printf(&p, "hpolab/%s", b->tuner_name);
    if (p.oom)
        return sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
    char *s = p.data ? p.data : calloc(1, 1);
    if (!s)
        return sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
    size_t start = 0, n = strlen(s);
    while (s[start] == '/')
        start++;
    while (n > start && s[n - 1] == '/')
        n--;
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
    b->prefix = s;
    if (!s[0])
        return sm_fail(b, ctx, HPOLAB_ERR_INVALID,
                       "s3_prefix must name a key prefix, got '%s'",
                       b->o.s3_prefix ? b->o.s3_prefix : "");
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI sm_create(struct hpolab_ctx *ctx,
                                    const struct hpolab_backend_args *args,
                                    void **out_state)
{
    *out_state = NULL;
    int32_t checked = hpolab_common_backend_args_check(ctx, args, 1);
    if (checked != HPOLAB_OK)
        return checked;
    const struct hpolab_ext_aws_v1 *aws =
        hpolab_host->get_extension(ctx, HPOLAB_EXT_AWS_V1);
    if (!aws || aws->struct_size < offsetof(struct hpolab_ext_aws_v1,
                                            last_error) +
                                       sizeof aws->last_error)
        return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                                "this hpolab has no AWS client for plugins "
                                "(host extension %s); the sagemaker backend "
                                "needs it",
                                HPOLAB_EXT_AWS_V1);
    struct sm_backend *b = calloc(1, sizeof *b);
    if (!b)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    b->aws = aws;
    b->experiment_dir = args->experiment_dir;
    b->working_dir = args->working_dir;
    b->entry_argc = args->entry_argc;
    b->entry_argv = args->entry_argv;
    b->wake_fd = args->wake_fd;
    b->n_workers = args->n_workers;
    int32_t st = sm_options_read(ctx, args->options, &b->o);
    if (st == HPOLAB_OK &&
        (st = aws->open(ctx, b->o.profile, b->o.region, &b->session)) !=
            HPOLAB_OK)
        b->session = NULL;
    const char *bucket = b->o.bucket;
    if (st == HPOLAB_OK && !bucket)
        st = aws->default_bucket(ctx, b->session, &bucket);
    if (st == HPOLAB_OK && !(b->bucket = strdup(bucket)))
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (st == HPOLAB_OK)
        st = sm_experiment_names(ctx, b);
    if (st == HPOLAB_OK)
        st = make_prefix(b, ctx);
    if (st != HPOLAB_OK) {
        free_backend(b);
        return st;
    }
    *out_state = b;
    return HPOLAB_OK;
}

/* No orphans: every job that may still run is asked to stop. */
static void HPOLAB_ABI sm_destroy(void *state)
{
    struct sm_backend *b = state;
    if (!b)
        return;
    for (struct sm_run *r = b->runs; r; r = r->next)
        if (r->state == SM_RUN_ACTIVE && !r->stop_sent)
            sm_job_stop(b, NULL, r);
    free_backend(b);
}

/* The trial id of "<experiment>/<id>/checkpoints", or -1. */
static int64_t source_trial(const char *path)
{
    const char *end = strrchr(path, '/');
    if (!end || strcmp(end, "/checkpoints") != 0)
        return -1;
    const char *p = end;
    while (p > path && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p == end || (p > path && p[-1] != '/'))
        return -1;
    return strtoll(p, NULL, 10);
}

/* How often trial id was started before: its next run's resume index. */
static int32_t next_resume(struct sm_backend *b, struct hpolab_ctx *ctx,
                           int64_t id, int is_resume, int *out)
{
    if (id < 0 || id > 100000000)
        return sm_fail(b, ctx, HPOLAB_ERR_RANGE, "trial id %lld out of range",
                       (long long)id);
    if ((size_t)id >= b->n_resumes) {
        size_t n = b->n_resumes ? b->n_resumes : 64;
        while (n <= (size_t)id)
            n *= 2;
        int *g = realloc(b->resumes, n * sizeof *g);
        if (!g)
            return sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
        memset(g + b->n_resumes, 0xff, (n - b->n_resumes) * sizeof *g);
        b->resumes = g;
        b->n_resumes = n;
    }
    /* -1: never started here; a resume in a resumed experiment starts
     * at 1 (names taken before are skipped through ResourceInUse) */
    int k = b->resumes[id] < 0 ? (is_resume ? 1 : 0) : b->resumes[id] + 1;
    b->resumes[id] = k;
    *out = k;
    return HPOLAB_OK;
}

static int32_t write_config(struct sm_backend *b, struct hpolab_ctx *ctx,
                            const struct hpolab_trial_job *job)
{
    if (mkdir(job->trial_dir, 0755) != 0 && errno != EEXIST)
        return sm_fail(b, ctx, HPOLAB_ERR_IO, "trial %lld: %s: %s",
                       (long long)job->trial_id, job->trial_dir,
                       strerror(errno));
    char *json = hpolab_host->config_to_json(job->config);
    char path[4200];
    snprintf(path, sizeof path, "%s/config.json", job->trial_dir);
    FILE *f = json ? fopen(path, "w") : NULL;
    int ok = f && fputs(json, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    hpolab_host->free(json);
    if (!ok)
        return sm_fail(b, ctx, HPOLAB_ERR_IO, "trial %lld: cannot write %s",
                       (long long)job->trial_id, path);
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI sm_start_trial(void *state, struct hpolab_ctx *ctx,
                                         const struct hpolab_trial_job *job)
{
    struct sm_backend *b = state;
    if (!job || !job->config || !job->trial_dir)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "start_trial: the job lacks a configuration "
                                "or folders");
    long long id = (long long)job->trial_id;
    struct sm_run *old = sm_run_find_latest(b, job->trial_id);
    if (old && !old->stopped && old->state != SM_RUN_DONE)
        return hpolab_set_error(ctx, HPOLAB_ERR_STATE,
                                "trial %lld is still running; stop it before "
                                "starting it again",
                                id);
    /* at the first start, not in create: creating the backend contacts
     * no service (hpolab plugin check creates it with a dummy entry) */
    int32_t st = b->entry_point ? HPOLAB_OK : sm_entry_point(ctx, b);
    /* once per experiment: every job of it unpacks the same source */
    if (st == HPOLAB_OK)
        st = sm_upload_source(b, ctx);
    if (st != HPOLAB_OK)
        return st;
    int resume = 0;
    st = next_resume(b, ctx, job->trial_id, job->is_resume, &resume);
    if (st == HPOLAB_OK)
        st = write_config(b, ctx, job);
    if (st != HPOLAB_OK)
        return st;
    struct sm_run *run = calloc(1, sizeof *run);
    if (!run || !(run->trial_dir = strdup(job->trial_dir))) {
        free(run);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    run->trial_id = job->trial_id;
    run->resume = resume;
    run->out_fd = -1;
    run->state = SM_RUN_WAITING;
    if (job->copy_checkpoint_from) {
        int64_t src = source_trial(job->copy_checkpoint_from);
        if (src < 0)
            st = hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                  "trial %lld: cannot tell which trial's "
                                  "checkpoint %s is",
                                  id, job->copy_checkpoint_from);
        else if (src != job->trial_id &&
                 !(run->copy_from_uri = sm_checkpoint_uri(b, src)))
            st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    if (st == HPOLAB_OK)
        st = sm_request_create(b, ctx, job, &run->create_input);
    if (st != HPOLAB_OK) {
        sm_run_free(run);
        return st;
    }
    run->next = b->runs;
    b->runs = run;
    /* a resume waits for the previous job of the trial to end (its final
     * checkpoint), in wait_events; otherwise the job is created now */
    for (struct sm_run *r = run->next; r; r = r->next)
        if (r->trial_id == run->trial_id && r->state != SM_RUN_DONE &&
            r->state != SM_RUN_WAITING) {
            hpolab_log(ctx, HPOLAB_LOG_DEBUG,
                       "trial %lld: waiting for job %s to end", id, r->name);
            return HPOLAB_OK;
        }
    st = sm_job_create(b, ctx, run);
    if (st != HPOLAB_OK) {
        b->runs = run->next;
        sm_run_free(run);
    }
    return st;
}

static int32_t HPOLAB_ABI sm_stop_trial(void *state, struct hpolab_ctx *ctx,
                                        int64_t trial_id, int32_t how)
{
    struct sm_backend *b = state;
    struct sm_run *run = sm_run_find_latest(b, trial_id);
    if (!run || run->stopped || run->state == SM_RUN_DONE)
        return HPOLAB_OK;
    run->stopped = 1;
    if (run->state == SM_RUN_WAITING || run->state == SM_RUN_DRAINING) {
        run->state = SM_RUN_DONE; /* never created, or ended already */
        return HPOLAB_OK;
    }
    if (how == HPOLAB_STOP_PAUSE && b->o.pause_grace > 0) {
        run->stop_at = sm_monotonic() + b->o.pause_grace;
        /* its end is what a resume waits for: look sooner */
        run->next_describe_at = sm_monotonic();
    } else {
        sm_job_stop(b, ctx, run);
    }
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI sm_wait_events(void *state, struct hpolab_ctx *ctx,
                                         double timeout_s)
{
    struct sm_backend *b = state;
    double deadline = sm_monotonic() + (timeout_s > 0 ? timeout_s : 0);
    b->emit_status = HPOLAB_OK;
    for (;;) {
        int emitted = 0;
        double next = sm_jobs_round(b, ctx, &emitted);
        if (emitted || b->emit_status != HPOLAB_OK)
            return b->emit_status;
        double now = sm_monotonic();
        if (now >= deadline)
            return HPOLAB_OK;
        double until = next < deadline ? next : deadline;
        double wait = until - now;
        if (wait < 0)
            wait = 0;
        struct pollfd p = {.fd = b->wake_fd, .events = POLLIN};
        int ms = (int)(wait * 1000.0) + 1;
        int r = poll(&p, b->wake_fd >= 0 ? 1 : 0, ms);
        if (r > 0)
            return HPOLAB_OK; /* the host wants control back */
        if (r < 0 && errno == EINTR)
            return HPOLAB_OK;
    }
}

/* Stop every job; SageMaker itself gives each container SIGTERM and kills
 * it 120 s later, so there is nothing to wait for here. */
static int32_t HPOLAB_ABI sm_stop_all(void *state, struct hpolab_ctx *ctx,
                                      double grace_s)
{
    (void)grace_s;
    struct sm_backend *b = state;
    for (struct sm_run *r = b->runs; r; r = r->next) {
        if (r->stopped && r->stop_sent)
            continue;
        r->stopped = 1;
        if (r->state == SM_RUN_ACTIVE)
            sm_job_stop(b, ctx, r);
        else if (r->state != SM_RUN_DONE)
            r->state = SM_RUN_DONE;
    }
    return HPOLAB_OK;
}

static const struct hpolab_backend_class sm_class = {
    .struct_size = sizeof(struct hpolab_backend_class),
    .id = "sagemaker",
    .description = "runs each trial as a SageMaker training job",
    .create = sm_create,
    .destroy = sm_destroy,
    .start_trial = sm_start_trial,
    .stop_trial = sm_stop_trial,
    .wait_events = sm_wait_events,
    .stop_all = sm_stop_all,
};

static int32_t sm_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_backend(ctx, &sm_class);
}

HPOLAB_PLUGIN_DEFINE(backend_sagemaker, "1.0.0",
                     "sagemaker backend: trials as SageMaker training jobs",
                     "Apache-2.0", sm_init, NULL)
