/* sm_jobs.c: the life of a run's training job. Nothing here sleeps: work
 * that is not due yet (a Describe, a log read, a create after
 * ResourceLimitExceeded, a paused job's StopTrainingJob) is given a time,
 * and wait_events waits for the earliest one. Describe and log reads of all
 * jobs share one rate (max_calls_per_second), the job due longest first,
 * so 4 or 40 workers stay within SageMaker's and CloudWatch's limits. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm_internal.h"

#define SM_FAR_AWAY 1e300
/* ResourceInUse answers before giving up on names */
#define SM_MAX_TAKEN 20
/* log pages read at once when a job ended */
#define SM_MAX_DRAIN_PAGES 1000

int32_t sm_note_emit(struct sm_backend *b, int32_t st)
{
    if (st != HPOLAB_OK && b->emit_status == HPOLAB_OK)
        b->emit_status = st;
    return st;
}

void sm_run_free(struct sm_run *run)
{
    if (!run)
        return;
    if (run->out_fd >= 0)
        close(run->out_fd);
    free(run->trial_dir);
    free(run->create_input);
    free(run->copy_from_uri);
    free(run->stream);
    free(run->log_token);
    free(run->failure);
    free(run);
}

struct sm_run *sm_run_find_latest(const struct sm_backend *b,
                                  int64_t trial_id)
{
    struct sm_run *best = NULL;
    for (struct sm_run *r = b->runs; r; r = r->next)
        if (r->trial_id == trial_id && (!best || r->resume > best->resume))
            best = r;
    return best;
}

/* An older run of the same trial whose job has not ended. */
static int older_alive(const struct sm_backend *b, const struct sm_run *run)
{
    for (const struct sm_run *r = b->runs; r; r = r->next)
        if (r != run && r->trial_id == run->trial_id &&
            r->resume < run->resume && r->state != SM_RUN_DONE &&
            r->state != SM_RUN_WAITING)
            return 1;
    return 0;
}

/* run->failure = "<a><b><c>" (NULL when out of memory). */
static void set_failure(struct sm_run *run, const char *a, const char *b,
                        const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *m = malloc(n);
    if (m)
        snprintf(m, n, "%s%s%s", a, b, c);
    free(run->failure);
    run->failure = m;
}

int32_t sm_job_create(struct sm_backend *b, struct hpolab_ctx *ctx,
                      struct sm_run *run)
{
    if (run->copy_from_uri) {
        char *to = sm_checkpoint_uri(b, run->trial_id);
        int32_t st = to ? sm_copy_prefix(b, ctx, run->copy_from_uri, to)
                        : sm_fail(b, ctx, HPOLAB_ERR_NOMEM,
                                           "out of memory");
        free(to);
        if (st != HPOLAB_OK)
            return st;
        free(run->copy_from_uri);
        run->copy_from_uri = NULL;
    }
    for (;;) {
        if (sm_job_name(b->tuner_name, run->trial_id, run->resume, run->taken,
                        run->name) != 0)
            return sm_fail(b, ctx, HPOLAB_ERR_INVALID,
                                    "trial %lld: %s", (long long)run->trial_id,
                                    run->name);
        char *input = sm_request_with_name(run->create_input, run->name);
        if (!input)
            return sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
        char *out = NULL, code[128];
        int32_t st = b->aws->json_call(ctx, b->session, "sagemaker",
                                       "SageMaker.CreateTrainingJob", input,
                                       &out, code, sizeof code);
        free(input);
        hpolab_host->free(out);
        run->create_attempts++;
        double now = sm_monotonic();
        if (st == HPOLAB_OK) {
            run->state = SM_RUN_ACTIVE;
            run->next_describe_at = now + b->o.describe_interval;
            run->next_logs_at = now + b->o.log_interval;
            hpolab_log(ctx, HPOLAB_LOG_INFO,
                       "trial %lld: training job %s created",
                       (long long)run->trial_id, run->name);
            return HPOLAB_OK;
        }
        if (strcmp(code, "ResourceInUse") == 0 && run->taken < SM_MAX_TAKEN) {
            /* the name is taken for good (a resumed experiment ran this
             * trial before): the next suffix */
            run->taken++;
            continue;
        }
        if (strcmp(code, "ResourceLimitExceeded") == 0 &&
            run->create_attempts < b->o.max_create_attempts) {
            run->state = SM_RUN_WAITING;
            run->next_create_at = now + b->o.create_backoff;
            hpolab_log(ctx, HPOLAB_LOG_WARN,
                       "trial %lld: ResourceLimitExceeded (attempt %d of "
                       "%lld), trying again in %g s",
                       (long long)run->trial_id, run->create_attempts,
                       (long long)b->o.max_create_attempts,
                       b->o.create_backoff);
            return HPOLAB_OK;
        }
        return sm_aws_failed(b, st); /* call, code and text */
    }
}

/* The job ended with status: read its logs to the end, then report. */
static void to_draining(struct sm_run *run, int status)
{
    run->state = SM_RUN_DRAINING;
    run->end_status = status;
}

int32_t sm_job_describe(struct sm_backend *b, struct hpolab_ctx *ctx,
                        struct sm_run *run)
{
    char input[128 + SM_JOB_NAME_MAX];
    snprintf(input, sizeof input, "{\"TrainingJobName\":\"%s\"}", run->name);
    char *out = NULL, code[128];
    int32_t st = b->aws->json_call(ctx, b->session, "sagemaker",
                                   "SageMaker.DescribeTrainingJob", input,
                                   &out, code, sizeof code);
    struct sm_json d;
    char why[128] = "";
    if (st != HPOLAB_OK)
        sm_aws_failed(b, st);
    else if (sm_json_parse(out, &d, why, sizeof why) != 0)
        st = sm_fail(b, ctx, HPOLAB_ERR_PARSE,
                              "SageMaker.DescribeTrainingJob %s: the answer "
                              "is not JSON: %s",
                              run->name, why);
    hpolab_host->free(out);
    if (st != HPOLAB_OK)
        return st;
    const char *status = sm_json_str(&d, "TrainingJobStatus");
    const char *reason = sm_json_str(&d, "FailureReason");
    const char *secondary = sm_json_str(&d, "SecondaryStatus");
    snprintf(run->status, sizeof run->status, "%s", status ? status : "");
    if (!status) {
        st = sm_fail(b, ctx, HPOLAB_ERR_PARSE,
                              "SageMaker.DescribeTrainingJob %s: the answer "
                              "has no TrainingJobStatus",
                              run->name);
    } else if (strcmp(status, "Completed") == 0) {
        to_draining(run, HPOLAB_TRIAL_COMPLETED);
    } else if (strcmp(status, "Failed") == 0) {
        char head[128];
        snprintf(head, sizeof head, "training job %s failed: ", run->name);
        set_failure(run, head, reason ? reason : "(no FailureReason)", "");
        to_draining(run, HPOLAB_TRIAL_FAILED);
    } else if (strcmp(status, "Stopped") == 0) {
        /* not stopped by us: MaxRuntimeExceeded, the console, ... */
        char head[128];
        snprintf(head, sizeof head, "training job %s was stopped (",
                 run->name);
        set_failure(run, head, secondary ? secondary : "Stopped", ")");
        to_draining(run, HPOLAB_TRIAL_FAILED);
    }
    sm_json_free(&d);
    return st;
}

void sm_job_stop(struct sm_backend *b, struct hpolab_ctx *ctx,
                 struct sm_run *run)
{
    run->stop_sent = 1;
    run->stop_at = 0;
    if (run->state != SM_RUN_ACTIVE)
        return;
    char input[128 + SM_JOB_NAME_MAX];
    snprintf(input, sizeof input, "{\"TrainingJobName\":\"%s\"}", run->name);
    char *out = NULL, code[128];
    int32_t st = b->aws->json_call(ctx, b->session, "sagemaker",
                                   "SageMaker.StopTrainingJob", input, &out,
                                   code, sizeof code);
    hpolab_host->free(out);
    /* a job that ended meanwhile cannot be stopped (ValidationException);
     * Syne Tune ignored every error here */
    if (st != HPOLAB_OK)
        hpolab_log(ctx, HPOLAB_LOG_DEBUG, "StopTrainingJob %s: %s", run->name,
                   code[0] ? code : "failed");
    else
        hpolab_log(ctx, HPOLAB_LOG_DEBUG, "trial %lld: training job %s "
                   "stopped", (long long)run->trial_id, run->name);
}

/* Report the end of a run to the host (unless stopped) and retire it. */
static void report(struct sm_backend *b, struct hpolab_ctx *ctx,
                   struct sm_run *run, int *emitted)
{
    if (!run->stopped) {
        sm_note_emit(b, hpolab_host->emit_exit(
                            ctx, run->trial_id, run->end_status,
                            run->end_status == HPOLAB_TRIAL_COMPLETED
                                ? NULL
                                : run->failure ? run->failure
                                               : "the training job failed"));
        *emitted = 1;
    }
    run->state = SM_RUN_DONE;
}

/* A run that cannot go on (creation refused, polls failing): fails. */
static void give_up(struct sm_backend *b, struct hpolab_ctx *ctx,
                    struct sm_run *run, const char *what, int *emitted)
{
    set_failure(run, what, "", "");
    run->end_status = HPOLAB_TRIAL_FAILED;
    if (run->state == SM_RUN_ACTIVE && !run->stop_sent)
        sm_job_stop(b, ctx, run);
    report(b, ctx, run, emitted);
}

static void drain(struct sm_backend *b, struct hpolab_ctx *ctx,
                  struct sm_run *run, int *emitted)
{
    int more = 1;
    for (int page = 0; more && !run->stopped && page < SM_MAX_DRAIN_PAGES;
         page++) {
        more = 0;
        if (sm_logs_read(b, ctx, run, emitted, &more) != HPOLAB_OK) {
            hpolab_log(ctx, HPOLAB_LOG_WARN,
                       "trial %lld: the last log lines of %s could not be "
                       "read: %s",
                       (long long)run->trial_id, run->name, b->why);
            break;
        }
    }
    report(b, ctx, run, emitted);
}

/* A failed Describe or log read: tolerated max_poll_failures times in a
 * row (throttling the client could not retry away, a dropped
 * connection), then the trial fails with the last error. */
static void poll_failed(struct sm_backend *b, struct hpolab_ctx *ctx,
                        struct sm_run *run, const char *what, int32_t st,
                        int *emitted)
{
    (void)st;
    char why[1024];
    snprintf(why, sizeof why, "%s", b->why);
    run->poll_failures++;
    hpolab_log(ctx, HPOLAB_LOG_WARN, "trial %lld: %s of %s failed (%d in a "
               "row): %s",
               (long long)run->trial_id, what, run->name, run->poll_failures,
               why);
    if (run->poll_failures >= b->o.max_poll_failures) {
        char msg[512];
        snprintf(msg, sizeof msg, "training job %s: %s failed %d times in a "
                 "row, giving up: %s",
                 run->name, what, run->poll_failures, why);
        give_up(b, ctx, run, msg, emitted);
    }
}

/* When the run's next polling call is due. */
static double poll_due(const struct sm_run *run)
{
    if (run->state != SM_RUN_ACTIVE)
        return SM_FAR_AWAY;
    double due = run->next_describe_at;
    if (!run->stopped && run->next_logs_at < due)
        due = run->next_logs_at;
    return due;
}

/* One rate-limited polling call for run: a log read or a Describe,
 * whichever is due first. */
static void poll_one(struct sm_backend *b, struct hpolab_ctx *ctx,
                     struct sm_run *run, double now, int *emitted)
{
    int n_active = 0;
    for (struct sm_run *r = b->runs; r; r = r->next)
        n_active += r->state == SM_RUN_ACTIVE;
    /* each job's share of the rate: with many jobs, each is polled less
     * often than the interval options say */
    double share = n_active / b->o.max_calls_per_second;
    if (!run->stopped && run->next_logs_at <= run->next_describe_at) {
        int more = 0;
        int32_t st = sm_logs_read(b, ctx, run, emitted, &more);
        double iv = b->o.log_interval > share ? b->o.log_interval : share;
        run->next_logs_at = now + (more ? 0 : iv);
        if (st != HPOLAB_OK)
            poll_failed(b, ctx, run, "reading the log", st, emitted);
        else
            run->poll_failures = 0;
        return;
    }
    int32_t st = sm_job_describe(b, ctx, run);
    double iv = b->o.describe_interval > share ? b->o.describe_interval
                                               : share;
    run->next_describe_at = now + iv;
    if (st != HPOLAB_OK)
        poll_failed(b, ctx, run, "DescribeTrainingJob", st, emitted);
    else
        run->poll_failures = 0;
}

double sm_jobs_round(struct sm_backend *b, struct hpolab_ctx *ctx,
                     int *emitted)
{
    double now = sm_monotonic();
    double next = SM_FAR_AWAY;
    /* not rate-limited: creates, stops, drains (rare, or the end) */
    for (struct sm_run *r = b->runs; r; r = r->next) {
        if (r->state == SM_RUN_WAITING) {
            if (r->stopped) {
                r->state = SM_RUN_DONE; /* never created: nothing to stop */
            } else if (!older_alive(b, r) && r->next_create_at <= now) {
                int32_t st = sm_job_create(b, ctx, r);
                if (st != HPOLAB_OK) {
                    char msg[2048];
                    snprintf(msg, sizeof msg, "%s", b->why);
                    give_up(b, ctx, r, msg, emitted);
                } else if (r->state == SM_RUN_WAITING &&
                           r->next_create_at < next) {
                    next = r->next_create_at;
                }
            } else if (r->next_create_at > now && r->next_create_at < next) {
                next = r->next_create_at;
            }
        }
        if (r->state == SM_RUN_ACTIVE && r->stop_at > 0 && !r->stop_sent) {
            if (r->stop_at <= now)
                sm_job_stop(b, ctx, r);
            else if (r->stop_at < next)
                next = r->stop_at;
        }
        if (r->state == SM_RUN_DRAINING)
            drain(b, ctx, r, emitted);
    }
    /* rate-limited polls, the most overdue first */
    while (b->next_call_at <= now) {
        struct sm_run *pick = NULL;
        double best = SM_FAR_AWAY;
        for (struct sm_run *r = b->runs; r; r = r->next) {
            double due = poll_due(r);
            if (due <= now && due < best) {
                best = due;
                pick = r;
            }
        }
        if (!pick)
            break;
        poll_one(b, ctx, pick, now, emitted);
        b->next_call_at = now + 1.0 / b->o.max_calls_per_second;
        if (pick->state == SM_RUN_DRAINING)
            drain(b, ctx, pick, emitted);
        now = sm_monotonic();
    }
    for (struct sm_run *r = b->runs; r; r = r->next) {
        /* a resume whose predecessor ended in this round: create it now */
        if (r->state == SM_RUN_WAITING && !r->stopped && !older_alive(b, r) &&
            r->next_create_at < next)
            next = r->next_create_at;
        double due = poll_due(r);
        if (due < SM_FAR_AWAY) {
            if (due < b->next_call_at)
                due = b->next_call_at;
            if (due < next)
                next = due;
        }
    }
    /* retire what is done */
    for (struct sm_run **pp = &b->runs; *pp;) {
        struct sm_run *r = *pp;
        if (r->state == SM_RUN_DONE) {
            *pp = r->next;
            sm_run_free(r);
        } else {
            pp = &r->next;
        }
    }
    return next;
}
