/* launch_sagemaker.c: the SageMaker engine of `hpolab launch`
 * (launch_sagemaker.h). */
#include "launch_sagemaker.h"
#include "launch_sagemaker_internal.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws_s3_sync.h"
#include "aws_sagemaker.h"
#include "clock.h"
#include "fsutil.h"
#include "launch_status.h"
#include "log.h"

char *hpolab_sm_checkpoint_uri(const char *bucket,
                               const struct hpolab_launch_plan *plan, size_t i)
{
    const char *sub = plan->slices[i].subdir;
    size_t n = strlen(bucket) + strlen(plan->tag) + strlen(sub) + 32;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "s3://%s/%s/%s/%s/", bucket, HPOLAB_S3_ROOT, plan->tag,
                 sub);
    return s;
}

int32_t hpolab_sm_slice_hyperparameters(const struct hpolab_launch_plan *plan,
                                        size_t i, const char *study_rel,
                                        char ***keys, char ***values,
                                        size_t *n, struct hpolab_error *err)
{
    const struct hpolab_launch_slice *s = &plan->slices[i];
    size_t cap = s->argc / 2 + 3, k = 0;
    char **ks = calloc(cap, sizeof *ks), **vs = calloc(cap, sizeof *vs);
    int ok = ks && vs;
    if (ok) {
        ks[k] = strdup("hpolab_mode");
        vs[k++] = strdup("run");
        ks[k] = strdup("hpolab_study");
        vs[k++] = strdup(study_rel);
    }
    /* argv: run STUDY (--name value)... */
    for (size_t a = 2; ok && a + 1 < s->argc; a += 2) {
        const char *name = s->argv[a];
        if (strncmp(name, "--", 2) != 0) {
            ok = 0;
            break;
        }
        if (strcmp(name + 2, "results_dir") == 0)
            continue;
        ks[k] = strdup(name + 2);
        vs[k++] = strdup(s->argv[a + 1]);
    }
    for (size_t j = 0; ok && j < k; j++)
        ok = ks[j] && vs[j];
    if (!ok) {
        for (size_t j = 0; j < k; j++) {
            free(ks ? ks[j] : NULL);
            free(vs ? vs[j] : NULL);
        }
        free(ks);
        free(vs);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "slice %s: cannot build the hyperparameters",
                                s->subdir);
    }
    *keys = ks;
    *values = vs;
    *n = k;
    return HPOLAB_OK;
}

static void free_pairs(char **k, char **v, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        free(k[j]);
        free(v[j]);
    }
    free(k);
    free(v);
}

int32_t hpolab_sm_write_job(const struct hpolab_launch_plan *plan, size_t i,
                         const struct hpolab_job_state *js,
                         struct hpolab_error *err)
{
    const char *dir = plan->slices[i].dir;
    if (hpolab_mkdir_p(dir, err) != HPOLAB_OK)
        return err->status;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, HPOLAB_JOB_STATE_NAME);
    return hpolab_job_state_write(path, js, err);
}

int32_t hpolab_sm_write_info(const struct hpolab_launch_plan *plan, size_t i,
                        const struct hpolab_sm_job_info *info,
                        struct hpolab_error *err)
{
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:I}", "training_job", info->name,
                          "status", info->status, "secondary", info->secondary,
                          "instance_type", info->instance_type, "billable_s",
                          (json_int_t)info->billable_s);
    if (j && info->failure[0])
        json_object_set_new(j, "failure", json_string(info->failure));
    char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
    json_decref(j);
    if (!text)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", plan->slices[i].dir,
             HPOLAB_SM_STATE_NAME);
    int32_t st = hpolab_mkdir_p(plan->slices[i].dir, err);
    if (st == HPOLAB_OK)
        st = hpolab_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return st;
}

void hpolab_sm_state_from_info(const struct hpolab_sm_job_info *in,
                            struct hpolab_job_state *js)
{
    hpolab_job_state_init(js);
    snprintf(js->job_id, sizeof js->job_id, "%s", in->name);
    snprintf(js->host, sizeof js->host, "%s", in->instance_type);
    js->start = in->start > 0 ? in->start : in->creation;
    js->end = in->end;
    const char *s = in->status;
    if (!strcmp(s, "Completed")) {
        js->state = HPOLAB_SLICE_DONE;
        js->exit_code = 0;
    } else if (!strcmp(s, "Failed")) {
        js->state = HPOLAB_SLICE_FAILED;
        snprintf(js->message, sizeof js->message, "%s",
                 in->failure[0] ? in->failure : "failed (no FailureReason)");
    } else if (!strcmp(s, "Stopped")) {
        js->state = HPOLAB_SLICE_CANCELLED;
        snprintf(js->message, sizeof js->message,
                 "stopped (StopTrainingJob)");
    } else {
        static const char *const waiting[] = {
            "Starting", "Pending", "LaunchingMLInstances",
            "PreparingTrainingStack", "Downloading",
            "DownloadingTrainingImage", NULL};
        js->state = HPOLAB_SLICE_RUNNING;
        for (size_t k = 0; waiting[k]; k++)
            if (!strcmp(in->secondary, waiting[k]))
                js->state = HPOLAB_SLICE_PENDING;
        if (in->secondary[0])
            snprintf(js->message, sizeof js->message, "SageMaker: %s",
                     in->secondary);
    }
}

static void note(const struct hpolab_sm_engine *e, const char *fmt, ...)
    HPOLAB_PRINTF(2, 3);
static void note(const struct hpolab_sm_engine *e, const char *fmt, ...)
{
    char line[2300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    hpolab_logf(HPOLAB_LOG_INFO, "%s", line);
    if (e->on_note)
        e->on_note(e->user, line);
}

/* Retrying later may help: quota, throttling, server side, network. */
static int retry_later(const char *code)
{
    static const char *const codes[] = {
        "ResourceLimitExceeded", "ThrottlingException", "Throttling",
        "InternalFailure", "InternalServerError", "ServiceUnavailable",
        "RequestTimeout", "", NULL};
    for (size_t i = 0; codes[i]; i++)
        if (!strcmp(code, codes[i]))
            return 1;
    return 0;
}

struct slot {
    int32_t state;
    int submitted;
    int tries;
    double next_try, next_poll;
};

static void set_state(const struct hpolab_launch_plan *plan,
                      const struct hpolab_sm_engine *e, struct slot *sl,
                      size_t i, const struct hpolab_job_state *js)
{
    struct hpolab_error err;
    if (hpolab_sm_write_job(plan, i, js, &err) != HPOLAB_OK)
        note(e, "%s: %s", plan->slices[i].subdir, err.message);
    if (sl[i].state != js->state && e->on_change)
        e->on_change(e->user, i, js);
    sl[i].state = js->state;
}

static void set_simple(const struct hpolab_launch_plan *plan,
                       const struct hpolab_sm_engine *e, struct slot *sl,
                       size_t i, int32_t state, const char *msg)
{
    struct hpolab_job_state js;
    hpolab_job_state_init(&js);
    js.state = state;
    js.end = hpolab_slice_state_is_final(state) ? hpolab_wall_time() : 0;
    snprintf(js.job_id, sizeof js.job_id, "%s", plan->slices[i].job_name);
    snprintf(js.message, sizeof js.message, "%s", msg);
    set_state(plan, e, sl, i, &js);
}

/* Submits slice i; 1 submitted, 0 retry later, -1 refused (stop). */
static int submit(const struct hpolab_launch_plan *plan,
                  const struct hpolab_sm_engine *e, struct slot *sl, size_t i)
{
    const struct hpolab_launch_slice *s = &plan->slices[i];
    char **k = NULL, **v = NULL;
    size_t n = 0;
    struct hpolab_error err;
    struct hpolab_aws_service_error svc;
    memset(&svc, 0, sizeof svc);
    char *ck = hpolab_sm_checkpoint_uri(e->bucket, plan, i);
    size_t on = strlen(e->bucket) + strlen(plan->tag) + 32;
    char *output = malloc(on);
    if (output)
        snprintf(output, on, "s3://%s/%s/%s/output/", e->bucket,
                 HPOLAB_S3_ROOT, plan->tag);
    const char *tag_key[] = {"hpolab:tag", "hpolab:slice"};
    const char *tag_val[] = {plan->tag, s->subdir};
    int32_t st = ck && output ? hpolab_sm_slice_hyperparameters(
                                    plan, i, e->study_rel, &k, &v, &n, &err)
                              : hpolab_error_set(&err, HPOLAB_ERR_NOMEM,
                                                 "out of memory");
    if (st == HPOLAB_OK) {
        struct hpolab_sm_create c = {
            .name = s->job_name, .image = e->image, .role = e->role,
            .instance_type = e->instance_type,
            .max_runtime_s = plan->time_limit, .output_uri = output,
            .checkpoint_uri = ck, .code_uri = e->code_uri,
            .hp_keys = (const char *const *)k,
            .hp_values = (const char *const *)v, .n_hp = n,
            .tag_keys = tag_key, .tag_values = tag_val, .n_tags = 2};
        st = hpolab_sm_create_training_job(e->client, &c, NULL, &svc, &err);
        free_pairs(k, v, n);
    }
    free(ck);
    free(output);
    double now = hpolab_wall_time();
    if (st == HPOLAB_OK || !strcmp(svc.code, "ResourceInUse")) {
        /* ResourceInUse: an earlier attempt whose answer was lost got
         * through (the name carries this launch's suffix) */
        sl[i].submitted = 1;
        sl[i].next_poll = now + e->poll_s;
        struct hpolab_job_state js;
        hpolab_job_state_init(&js);
        js.state = HPOLAB_SLICE_PENDING;
        js.start = now;
        snprintf(js.job_id, sizeof js.job_id, "%s", s->job_name);
        snprintf(js.host, sizeof js.host, "%s", e->instance_type);
        snprintf(js.message, sizeof js.message, "SageMaker: submitted");
        struct hpolab_sm_job_info info;
        memset(&info, 0, sizeof info);
        snprintf(info.name, sizeof info.name, "%s", s->job_name);
        snprintf(info.status, sizeof info.status, "InProgress");
        snprintf(info.secondary, sizeof info.secondary, "Starting");
        snprintf(info.instance_type, sizeof info.instance_type, "%s",
                 e->instance_type);
        info.billable_s = -1;
        struct hpolab_error werr;
        if (hpolab_sm_write_info(plan, i, &info, &werr) != HPOLAB_OK)
            note(e, "%s: %s", s->subdir, werr.message);
        set_state(plan, e, sl, i, &js);
        return 1;
    }
    if (retry_later(svc.code) && ++sl[i].tries < e->max_limit_tries) {
        sl[i].next_try = now + e->backoff_s;
        note(e, "%s: %s; trying again in %.0f s (attempt %d of %d)",
             s->job_name, svc.code[0] ? svc.code : err.message, e->backoff_s,
             sl[i].tries + 1, e->max_limit_tries);
        return 0;
    }
    if (!strcmp(svc.code, "ValidationException"))
        hpolab_error_prefix(&err, "%s refused", s->job_name);
    note(e, "%s%s", err.message,
         !strcmp(svc.code, "ValidationException")
             ? " (check --image, --role / AWS_ROLE and --instance_type)"
             : "");
    set_simple(plan, e, sl, i, HPOLAB_SLICE_FAILED, err.message);
    return -1;
}

static void poll_job(const struct hpolab_launch_plan *plan,
                     const struct hpolab_sm_engine *e, struct slot *sl,
                     size_t i)
{
    struct hpolab_sm_job_info info;
    struct hpolab_aws_service_error svc;
    struct hpolab_error err;
    memset(&svc, 0, sizeof svc);
    sl[i].next_poll = hpolab_wall_time() + e->poll_s;
    if (hpolab_sm_describe(e->client, plan->slices[i].job_name, &info, &svc,
                           &err) != HPOLAB_OK) {
        /* a blip: ask again next round; the job goes on regardless */
        note(e, "%s", err.message);
        return;
    }
    struct hpolab_job_state js;
    hpolab_sm_state_from_info(&info, &js);
    if (hpolab_sm_write_info(plan, i, &info, &err) != HPOLAB_OK)
        note(e, "%s: %s", plan->slices[i].subdir, err.message);
    set_state(plan, e, sl, i, &js);
}

static void wait_for(const struct hpolab_sm_engine *e, double seconds)
{
    if (seconds <= 0)
        return;
    int ms = seconds > 3600 ? 3600000 : (int)ceil(seconds * 1e3);
    if (e->wake_fd >= 0) {
        struct pollfd p = {.fd = e->wake_fd, .events = POLLIN};
        poll(&p, 1, ms);
    } else {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int32_t hpolab_sm_engine_run(const struct hpolab_launch_plan *plan,
                             const struct hpolab_sm_engine *e,
                             struct hpolab_error *err)
{
    struct slot *sl = calloc(plan->n_slices + 1, sizeof *sl);
    if (!sl)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < plan->n_slices; i++)
        sl[i].state = plan->slices[i].skipped ? HPOLAB_SLICE_DONE
                                              : HPOLAB_SLICE_PENDING;
    int refused = 0, cancelled = 0;
    int64_t max = e->max_parallel > 0 ? e->max_parallel : INT64_MAX;
    for (;;) {
        if (e->cancel && *e->cancel && !cancelled) {
            cancelled = 1;
            for (size_t i = 0; i < plan->n_slices; i++) {
                if (hpolab_slice_state_is_final(sl[i].state))
                    continue;
                if (!sl[i].submitted) {
                    set_simple(plan, e, sl, i, HPOLAB_SLICE_CANCELLED,
                               "never submitted: the launch was cancelled");
                    continue;
                }
                struct hpolab_aws_service_error svc;
                struct hpolab_error serr;
                if (hpolab_sm_stop(e->client, plan->slices[i].job_name, &svc,
                                   &serr) != HPOLAB_OK)
                    note(e, "%s", serr.message);
                sl[i].next_poll = 0;
            }
        }
        double now = hpolab_wall_time();
        int64_t in_flight = 0;
        for (size_t i = 0; i < plan->n_slices; i++)
            in_flight += sl[i].submitted &&
                         !hpolab_slice_state_is_final(sl[i].state);
        for (size_t i = 0; i < plan->n_slices && !refused && !cancelled &&
                           in_flight < max;
             i++) {
            if (sl[i].submitted || sl[i].state != HPOLAB_SLICE_PENDING)
                continue;
            if (sl[i].next_try > now)
                break; /* the quota is the account's: keep the order */
            int r = submit(plan, e, sl, i);
            if (r < 0)
                refused = 1;
            else if (r == 0)
                break;
            else
                in_flight++;
        }
        if (refused && !cancelled)
            for (size_t i = 0; i < plan->n_slices; i++)
                if (!sl[i].submitted && sl[i].state == HPOLAB_SLICE_PENDING)
                    set_simple(plan, e, sl, i, HPOLAB_SLICE_CANCELLED,
                               "never submitted: SageMaker refused an "
                               "earlier job of this launch");
        double next = now + 3600;
        int open = 0;
        for (size_t i = 0; i < plan->n_slices; i++) {
            if (hpolab_slice_state_is_final(sl[i].state))
                continue;
            open = 1;
            if (sl[i].submitted) {
                if (sl[i].next_poll <= hpolab_wall_time())
                    poll_job(plan, e, sl, i);
                if (!hpolab_slice_state_is_final(sl[i].state) &&
                    sl[i].next_poll < next)
                    next = sl[i].next_poll;
            } else if (sl[i].next_try > 0 && sl[i].next_try < next) {
                next = sl[i].next_try;
            }
        }
        if (!open)
            break;
        /* a slot freed this round: submit at once */
        int64_t busy = 0;
        for (size_t i = 0; i < plan->n_slices; i++)
            busy += sl[i].submitted && !hpolab_slice_state_is_final(sl[i].state);
        if (busy < in_flight && !refused && !cancelled)
            continue;
        if (e->cancel && *e->cancel && !cancelled)
            continue;
        wait_for(e, next - hpolab_wall_time());
    }
    free(sl);
    if (cancelled)
        return hpolab_error_set(err, HPOLAB_ERR_INTERRUPTED,
                                "the launch was cancelled");
    return HPOLAB_OK;
}

