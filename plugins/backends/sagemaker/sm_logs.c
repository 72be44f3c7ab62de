/* sm_logs.c: a job's output from CloudWatch Logs. SageMaker writes the
 * container's stdout and stderr to the group /aws/sagemaker/TrainingJobs,
 * stream <job>/algo-1-<epoch>; the stream appears once the container runs.
 * Each event is one line; the host finds the [tune-metric] reports in the
 * lines (the same parser as for the local backend). GetLogEvents is read
 * forward from the head with nextForwardToken; the token coming back
 * unchanged means nothing new. Lines are also appended to
 * <trial_dir>/std.out, as the local backend keeps them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm_internal.h"

/* Answer of a logs call parsed; fails naming the call. */
static int32_t logs_call(struct sm_backend *b, struct hpolab_ctx *ctx,
                         const char *target, const char *input,
                         struct sm_json *out)
{
    char *text = NULL, code[128];
    int32_t st = b->aws->json_call(ctx, b->session, "logs", target, input,
                                   &text, code, sizeof code);
    if (st != HPOLAB_OK)
        return sm_aws_failed(b, st);
    char why[128];
    if (sm_json_parse(text, out, why, sizeof why) != 0)
        st = sm_fail(b, ctx, HPOLAB_ERR_PARSE, "%s: the answer is not JSON: %s",
                     target, why);
    hpolab_host->free(text);
    return st;
}

/* The job's stream name, if it exists yet. */
static int32_t find_stream(struct sm_backend *b, struct hpolab_ctx *ctx,
                           struct sm_run *run)
{
    struct sm_buf in = {0};
    sm_buf_puts(&in, "{\"logGroupName\":\"" SM_LOG_GROUP "\","
                     "\"logStreamNamePrefix\":");
    char prefix[SM_JOB_NAME_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s/", run->name);
    sm_buf_json_str(&in, prefix);
    sm_buf_puts(&in, "}");
    if (in.oom) {
        sm_buf_free(&in);
        return sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    struct sm_json d;
    int32_t st = logs_call(b, ctx, "Logs_20140328.DescribeLogStreams",
                           in.data, &d);
    sm_buf_free(&in);
    if (st != HPOLAB_OK)
        return st;
    const struct sm_json *streams = sm_json_get(&d, "logStreams");
    /* one instance, one stream (algo-1); the first is it */
    if (streams && streams->type == SM_JSON_ARRAY && streams->n > 0) {
        const char *name = sm_json_str(&streams->items[0], "logStreamName");
        if (name && !(run->stream = strdup(name)))
            st = sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    sm_json_free(&d);
    return st;
}

static void tee_line(struct sm_backend *b, struct hpolab_ctx *ctx,
                struct sm_run *run, const char *line, size_t len)
{
    (void)b;
    if (run->out_fd == -1 && run->trial_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/std.out", run->trial_dir);
        run->out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                           0644);
        if (run->out_fd < 0) {
            hpolab_log(ctx, HPOLAB_LOG_WARN, "%s: %s", path, strerror(errno));
            run->out_fd = -2; /* warned once */
        }
    }
    if (run->out_fd < 0)
        return;
    struct iovec_like {
        const char *p;
        size_t n;
    } parts[2] = {{line, len}, {"\n", 1}};
    for (int i = 0; i < 2; i++) {
        const char *p = parts[i].p;
        size_t n = parts[i].n;
        while (n > 0) {
            ssize_t w = write(run->out_fd, p, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return;
            p += w;
            n -= (size_t)w;
        }
    }
}

int32_t sm_logs_read(struct sm_backend *b, struct hpolab_ctx *ctx,
                     struct sm_run *run, int *emitted, int *more)
{
    *more = 0;
    if (!run->stream) {
        int32_t st = find_stream(b, ctx, run);
        if (st != HPOLAB_OK || !run->stream)
            return st; /* not there yet: the container has not started */
    }
    struct sm_buf in = {0};
    sm_buf_puts(&in, "{\"logGroupName\":\"" SM_LOG_GROUP "\","
                     "\"logStreamName\":");
    sm_buf_json_str(&in, run->stream);
    sm_buf_puts(&in, ",\"startFromHead\":true");
    if (run->log_token) {
        sm_buf_puts(&in, ",\"nextToken\":");
        sm_buf_json_str(&in, run->log_token);
    }
    sm_buf_puts(&in, "}");
    if (in.oom) {
        sm_buf_free(&in);
        return sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    struct sm_json d;
    int32_t st = logs_call(b, ctx, "Logs_20140328.GetLogEvents", in.data, &d);
    sm_buf_free(&in);
    if (st != HPOLAB_OK)
        return st;
    const struct sm_json *events = sm_json_get(&d, "events");
    size_t n = events && events->type == SM_JSON_ARRAY ? events->n : 0;
    for (size_t i = 0; i < n; i++) {
        const char *msg = sm_json_str(&events->items[i], "message");
        if (!msg)
            continue;
        size_t len = strlen(msg);
        while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
            len--;
        tee_line(b, ctx, run, msg, len);
        if (!run->stopped) {
            sm_note_emit(b, hpolab_host->emit_line(ctx, run->trial_id, msg,
                                                   len));
            *emitted = 1;
        }
    }
    const char *token = sm_json_str(&d, "nextForwardToken");
    if (token && (!run->log_token || strcmp(token, run->log_token) != 0)) {
        char *t = strdup(token);
        if (!t) {
            sm_json_free(&d);
            return sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
        }
        free(run->log_token);
        run->log_token = t;
        *more = n > 0; /* an unchanged token: the end of the stream */
    }
    sm_json_free(&d);
    return HPOLAB_OK;
}
