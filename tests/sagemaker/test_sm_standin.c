/* test_sm_standin.c: the SageMaker + CloudWatch Logs + STS stand-in through
 * hpolab's own AWS client (and so the client against a server that checks
 * every signature with AWS's JS signer):
 * - a training job runs the container entry over its /opt/ml tree: status
 *   transitions, stdout lines as log events (GetLogEvents, DescribeLog
 *   Streams), checkpoints synced to S3 and restored into the next job;
 * - a failing job (FailureReason = last stderr line), MaxRuntimeInSeconds,
 *   StopTrainingJob of a job that ignores SIGTERM (killed after the grace);
 * - ListTrainingJobs pages; STS GetCallerIdentity;
 * - faults: a wrong secret, throttling, 500, a dropped connection, an
 *   expired token, a skewed clock (retried / corrected), ResourceLimit
 *   Exceeded and a rejected image (reported with the service's code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aws_endpoint.h"
#include "aws_s3.h"
#include "aws_sagemaker.h"
#include "aws_sts.h"
#include "launch_test_util.h"
#include "sm_fixture.h"

static struct sm_env env;
static char tmp[512];

static int setup(void **state)
{
    (void)state;
    aws_tmpdir(tmp);
    return sm_start(&env, "smb", 1000);
}

static int teardown(void **state)
{
    (void)state;
    sm_stop(&env);
    aws_rmtree(tmp);
    return 0;
}

static struct hpolab_aws_client *client(void)
{
    sm_use(&env, tmp);
    struct hpolab_aws_client *c = NULL;
    struct hpolab_error err;
    if (hpolab_aws_client_create(NULL, &c, &err) != HPOLAB_OK)
        fail_msg("%s", err.message);
    return c;
}

/* Packs a source folder holding train.sh (text) and uploads it as
 * s3://smb/<prefix>/src.tar.gz. */
static void upload_script(struct hpolab_aws_client *c, const char *prefix,
                          const char *script)
{
    char dir[700], p[800], tgz[800], key[300];
    snprintf(dir, sizeof dir, "%s/src-%s", tmp, prefix);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(dir, &err), HPOLAB_OK);
    snprintf(p, sizeof p, "%s/train.sh", dir);
    lt_write_text(p, script);
    chmod(p, 0755);
    snprintf(tgz, sizeof tgz, "%s/%s.tar.gz", tmp, prefix);
    const char *argv[] = {"/bin/tar", "-czf", tgz, "-C", dir, ".", NULL};
    struct cmd_out o;
    assert_int_equal(lt_run(tmp, argv, NULL, &o), 0);
    cmd_out_free(&o);
    snprintf(key, sizeof key, "%s/src.tar.gz", prefix);
    if (hpolab_s3_put_file(c, "smb", key, tgz, NULL, NULL, &err) != HPOLAB_OK)
        fail_msg("%s", err.message);
}

static int32_t create(struct hpolab_aws_client *c, const char *name,
                      const char *code_prefix, const char *ck, int64_t max_s,
                      struct hpolab_aws_service_error *svc,
                      struct hpolab_error *err)
{
    char code[300];
    snprintf(code, sizeof code, "s3://smb/%s/", code_prefix);
    const char *hk[] = {"hpolab_mode", "hpolab_entry_point", "x"};
    const char *hv[] = {"trial", "train.sh", "0.5"};
    const char *tk[] = {"hpolab:tag"}, *tv[] = {"t"};
    struct hpolab_sm_create r = {
        .name = name, .image = "img:1",
        .role = "arn:aws:iam::123456789012:role/R",
        .instance_type = "ml.m5.large", .max_runtime_s = max_s,
        .output_uri = "s3://smb/out/", .checkpoint_uri = ck,
        .code_uri = code, .hp_keys = hk, .hp_values = hv, .n_hp = 3,
        .tag_keys = tk, .tag_values = tv, .n_tags = 1};
    memset(svc, 0, sizeof *svc);
    return hpolab_sm_create_training_job(c, &r, NULL, svc, err);
}

/* Describe until the job ended (or 20 s); returns the last answer. */
static struct hpolab_sm_job_info wait_end(struct hpolab_aws_client *c,
                                          const char *name)
{
    struct hpolab_sm_job_info in;
    struct hpolab_error err;
    double end = lt_now() + 20;
    for (;;) {
        if (hpolab_sm_describe(c, name, &in, NULL, &err) != HPOLAB_OK)
            fail_msg("%s", err.message);
        if (hpolab_sm_status_is_final(in.status) || lt_now() > end)
            return in;
        lt_sleep(0.1);
    }
}

static json_t *logs_call(struct hpolab_aws_client *c, const char *op,
                         json_t *in)
{
    json_t *out = NULL;
    struct hpolab_error err;
    char target[100];
    snprintf(target, sizeof target, "Logs_20140328.%s", op);
    if (hpolab_aws_json_call(c, HPOLAB_AWS_LOGS, target, in, &out, NULL,
                             &err) != HPOLAB_OK)
        fail_msg("%s", err.message);
    json_decref(in);
    return out;
}

/* Polls the job's log stream (prefix "<job>/") until a line equals text;
 * 1 if it did within 20 s. */
static int wait_log(struct hpolab_aws_client *c, const char *prefix,
                    const char *text)
{
    double end = lt_now() + 20;
    while (lt_now() < end) {
        json_t *ls = logs_call(c, "DescribeLogStreams",
                               json_pack("{s:s,s:s}", "logGroupName",
                                         "/aws/sagemaker/TrainingJobs",
                                         "logStreamNamePrefix", prefix));
        const char *stream = json_string_value(json_object_get(
            json_array_get(json_object_get(ls, "logStreams"), 0),
            "logStreamName"));
        int found = 0;
        if (stream) {
            json_t *ev = logs_call(
                c, "GetLogEvents",
                json_pack("{s:s,s:s,s:b}", "logGroupName",
                          "/aws/sagemaker/TrainingJobs", "logStreamName",
                          stream, "startFromHead", 1));
            size_t i;
            json_t *e;
            json_array_foreach(json_object_get(ev, "events"), i, e)
                found |= !strcmp(json_string_value(json_object_get(e, "message")),
                                 text);
            json_decref(ev);
        }
        json_decref(ls);
        if (found)
            return 1;
        lt_sleep(0.05);
    }
    return 0;
}

static void test_job_logs_checkpoints(void **state)
{
    (void)state;
    struct hpolab_aws_client *c = client();
    upload_script(c, "code-ok",
                  "#!/bin/sh\n"
                  "echo \"args $*\"\n"
                  "for a; do last=$a; done\n"
                  "ls \"$last\" | sed 's/^/had /'\n"
                  "echo \"$TRAINING_JOB_NAME\" > \"$last/ck-$TRAINING_JOB_NAME\"\n"
                  "i=1; while [ $i -le 3 ]; do\n"
                  "  echo \"[tune-metric]: {\\\"epoch\\\": $i}\"; i=$((i+1)); done\n"
                  "echo \"secret=${AWS_SECRET_ACCESS_KEY:-none}\"\n");
    struct hpolab_aws_service_error svc;
    struct hpolab_error err;
    if (create(c, "job-ok-1", "code-ok", "s3://smb/ck/t/", 60, &svc, &err) !=
        HPOLAB_OK)
        fail_msg("%s", err.message);
    /* the same name again */
    assert_int_equal(create(c, "job-ok-1", "code-ok", "s3://smb/ck/t/", 60,
                            &svc, &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(svc.code, "ResourceInUse");
    struct hpolab_sm_job_info in = wait_end(c, "job-ok-1");
    assert_string_equal(in.status, "Completed");
    assert_string_equal(in.secondary, "Completed");
    assert_true(in.billable_s >= 1);
    assert_true(in.start >= in.creation && in.end >= in.start);

    /* the log stream and its events, in order */
    json_t *ls = logs_call(c, "DescribeLogStreams",
                           json_pack("{s:s,s:s}", "logGroupName",
                                     "/aws/sagemaker/TrainingJobs",
                                     "logStreamNamePrefix", "job-ok-1/"));
    json_t *st = json_array_get(json_object_get(ls, "logStreams"), 0);
    const char *stream = json_string_value(json_object_get(st, "logStreamName"));
    assert_non_null(stream);
    assert_int_equal(strncmp(stream, "job-ok-1/algo-1-", 16), 0);
    json_t *ev = logs_call(c, "GetLogEvents",
                           json_pack("{s:s,s:s,s:b,s:i}", "logGroupName",
                                     "/aws/sagemaker/TrainingJobs",
                                     "logStreamName", stream, "startFromHead",
                                     1, "limit", 3));
    json_t *events = json_object_get(ev, "events");
    assert_int_equal(json_array_size(events), 3);
    const char *m0 = json_string_value(
        json_object_get(json_array_get(events, 0), "message"));
    assert_non_null(strstr(m0, "args --x 0.5 --st_checkpoint_dir "));
    /* the rest with the forward token, then nothing new */
    const char *tok = json_string_value(json_object_get(ev, "nextForwardToken"));
    json_t *ev2 = logs_call(c, "GetLogEvents",
                            json_pack("{s:s,s:s,s:s}", "logGroupName",
                                      "/aws/sagemaker/TrainingJobs",
                                      "logStreamName", stream, "nextToken",
                                      tok));
    json_t *rest = json_object_get(ev2, "events");
    size_t n = json_array_size(rest);
    assert_int_equal(n, 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(rest, n - 2), "message")),
                        "[tune-metric]: {\"epoch\": 3}");
    /* a job gets no AWS credential */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(rest, n - 1), "message")),
                        "secret=none");
    const char *tok2 =
        json_string_value(json_object_get(ev2, "nextForwardToken"));
    json_t *ev3 = logs_call(c, "GetLogEvents",
                            json_pack("{s:s,s:s,s:s}", "logGroupName",
                                      "/aws/sagemaker/TrainingJobs",
                                      "logStreamName", stream, "nextToken",
                                      tok2));
    assert_int_equal(json_array_size(json_object_get(ev3, "events")), 0);
    assert_string_equal(
        json_string_value(json_object_get(ev3, "nextForwardToken")), tok2);
    json_decref(ls);
    json_decref(ev);
    json_decref(ev2);
    json_decref(ev3);

    /* the checkpoint reached S3 and is restored into the next job */
    struct hpolab_buffer b = {0};
    if (hpolab_s3_get_buffer(c, "smb", "ck/t/ck-job-ok-1", &b, &err) !=
        HPOLAB_OK)
        fail_msg("%s", err.message);
    assert_int_equal(memcmp(b.data, "job-ok-1\n", 9), 0);
    hpolab_buffer_free(&b);
    assert_int_equal(create(c, "job-ok-2", "code-ok", "s3://smb/ck/t/", 60,
                            &svc, &err),
                     HPOLAB_OK);
    in = wait_end(c, "job-ok-2");
    assert_string_equal(in.status, "Completed");
    ev = logs_call(c, "DescribeLogStreams",
                   json_pack("{s:s,s:s}", "logGroupName",
                             "/aws/sagemaker/TrainingJobs",
                             "logStreamNamePrefix", "job-ok-2/"));
    stream = json_string_value(json_object_get(
        json_array_get(json_object_get(ev, "logStreams"), 0), "logStreamName"));
    ev2 = logs_call(c, "GetLogEvents",
                    json_pack("{s:s,s:s,s:b}", "logGroupName",
                              "/aws/sagemaker/TrainingJobs", "logStreamName",
                              stream, "startFromHead", 1));
    int restored = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ev2, "events"), i, e)
        restored |= !strcmp(json_string_value(json_object_get(e, "message")),
                            "had ck-job-ok-1");
    assert_true(restored);
    json_decref(ev);
    json_decref(ev2);
    hpolab_aws_client_free(c);
}

static void test_fail_timeout_stop(void **state)
{
    (void)state;
    struct hpolab_aws_client *c = client();
    struct hpolab_aws_service_error svc;
    struct hpolab_error err;
    upload_script(c, "code-fail",
                  "#!/bin/sh\necho fine\necho 'first problem' >&2\n"
                  "echo 'ValueError: x must be > 0' >&2\necho after\nexit 2\n");
    assert_int_equal(create(c, "job-fail", "code-fail", "s3://smb/ck/f/", 60,
                            &svc, &err),
                     HPOLAB_OK);
    upload_script(c, "code-slow",
                  "#!/bin/sh\ntrap '' TERM\necho ready\nsleep 30\n");
    assert_int_equal(create(c, "job-slow", "code-slow", "s3://smb/ck/s/", 1,
                            &svc, &err),
                     HPOLAB_OK);
    assert_int_equal(create(c, "job-stop", "code-slow", "s3://smb/ck/s/", 60,
                            &svc, &err),
                     HPOLAB_OK);
    struct hpolab_sm_job_info in = wait_end(c, "job-fail");
    assert_string_equal(in.status, "Failed");
    assert_string_equal(in.failure, "ValueError: x must be > 0");
    /* stop: Stopping at once, Stopped after SIGKILL (the job ignores TERM) */
    /* the script ignores SIGTERM once it said "ready" */
    assert_true(wait_log(c, "job-stop/", "ready"));
    double t_stop = lt_now();
    assert_int_equal(hpolab_sm_stop(c, "job-stop", &svc, &err), HPOLAB_OK);
    assert_int_equal(hpolab_sm_describe(c, "job-stop", &in, NULL, &err),
                     HPOLAB_OK);
    /* Stopped already if this machine is so loaded that the 1 s grace
     * passed before the answer */
    if (strcmp(in.status, "Stopped") != 0)
        assert_string_equal(in.status, "Stopping");
    in = wait_end(c, "job-stop");
    assert_string_equal(in.status, "Stopped");
    /* SIGTERM was ignored: only the SIGKILL after the grace ended it */
    assert_true(lt_now() - t_stop >= 0.9);
    assert_int_equal(hpolab_sm_stop(c, "job-stop", &svc, &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(svc.code, "ValidationException");
    in = wait_end(c, "job-slow");
    assert_string_equal(in.status, "Failed");
    assert_string_equal(in.secondary, "MaxRuntimeExceeded");
    assert_int_equal(strncmp(in.failure, "MaxRuntimeExceeded:", 19), 0);
    /* an unknown job */
    assert_int_equal(hpolab_sm_describe(c, "nope", &in, &svc, &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(svc.code, "ValidationException");
    assert_non_null(strstr(err.message, "Requested resource not found"));
    hpolab_aws_client_free(c);
}

static void test_list_and_sts(void **state)
{
    (void)state;
    struct hpolab_aws_client *c = client();
    struct hpolab_sm_job_list l;
    struct hpolab_error err;
    int pages = 0;
    assert_int_equal(hpolab_sm_list(c, "job-", &l, &pages, &err), HPOLAB_OK);
    assert_true(l.n >= 5);
    /* newest first */
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.items[i - 1].creation >= l.items[i].creation);
    size_t all = l.n;
    hpolab_sm_job_list_free(&l);
    /* pages of 2 with NextToken cover the same jobs once */
    char *tok = NULL;
    size_t seen = 0;
    int calls = 0;
    do {
        json_t *in = json_pack("{s:i,s:s}", "MaxResults", 2, "NameContains",
                               "job-");
        if (tok)
            json_object_set_new(in, "NextToken", json_string(tok));
        free(tok);
        tok = NULL;
        json_t *out = NULL;
        assert_int_equal(hpolab_aws_json_call(c, HPOLAB_AWS_SAGEMAKER,
                                              "SageMaker.ListTrainingJobs", in,
                                              &out, NULL, &err),
                         HPOLAB_OK);
        struct hpolab_sm_job_list page = {0};
        assert_int_equal(hpolab_sm_parse_list_json(out, &page, &tok, &err),
                         HPOLAB_OK);
        assert_true(page.n <= 2);
        seen += page.n;
        calls++;
        hpolab_sm_job_list_free(&page);
        json_decref(in);
        json_decref(out);
    } while (tok);
    assert_int_equal(seen, all);
    assert_int_equal(calls, (int)((all + 1) / 2));
    char *account = NULL;
    assert_int_equal(hpolab_aws_sts_account(c, &account, &err), HPOLAB_OK);
    assert_string_equal(account, "123456789012");
    free(account);
    hpolab_aws_client_free(c);
}

static void faults(const char *json)
{
    char out[256];
    assert_int_equal(sm_control(&env, "/__faults", json, out, sizeof out), 200);
}

static void test_faults(void **state)
{
    (void)state;
    struct hpolab_aws_client *c = client();
    struct hpolab_sm_job_info in;
    struct hpolab_aws_service_error svc;
    struct hpolab_error err;
    /* retried: 2 throttles, a 500, a dropped connection, an expired token */
    faults("{\"rules\": [{\"op\": \"DescribeTrainingJob\", \"kind\": "
           "\"throttle\", \"times\": 2}]}");
    long a0 = hpolab_aws_client_attempts(c);
    assert_int_equal(hpolab_sm_describe(c, "job-ok-1", &in, &svc, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_aws_client_attempts(c) - a0, 3);
    const char *kinds[] = {"server", "drop", "expired", "unavailable"};
    for (size_t i = 0; i < 4; i++) {
        char rule[200];
        snprintf(rule, sizeof rule,
                 "{\"rules\": [{\"op\": \"DescribeTrainingJob\", \"kind\": "
                 "\"%s\"}]}",
                 kinds[i]);
        faults(rule);
        a0 = hpolab_aws_client_attempts(c);
        if (hpolab_sm_describe(c, "job-ok-1", &in, &svc, &err) != HPOLAB_OK)
            fail_msg("%s: %s", kinds[i], err.message);
        assert_int_equal(hpolab_aws_client_attempts(c) - a0, 2);
        assert_string_equal(in.status, "Completed");
    }
    /* a server clock 15 min ahead: refused once, corrected, retried */
    faults("{\"skew\": 900}");
    if (hpolab_sm_describe(c, "job-ok-1", &in, &svc, &err) != HPOLAB_OK)
        fail_msg("skew: %s", err.message);
    assert_true(hpolab_aws_client_skew(c) > 890 &&
                hpolab_aws_client_skew(c) < 910);
    /* a fresh client does not know: STS (query protocol, XML) corrects too */
    struct hpolab_aws_client *c2 = client();
    char *account = NULL;
    if (hpolab_aws_sts_account(c2, &account, &err) != HPOLAB_OK)
        fail_msg("sts skew: %s", err.message);
    free(account);
    hpolab_aws_client_free(c2);
    faults("{\"skew\": 0}");
    /* reported: quota, rejected image, a wrong secret */
    faults("{\"rules\": [{\"op\": \"CreateTrainingJob\", \"kind\": \"limit\", "
           "\"nth\": 1}], \"rejectImages\": [\"img:1\"]}");
    assert_int_equal(create(c, "job-q", "code-ok", "s3://smb/ck/q/", 60, &svc,
                            &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(svc.code, "ResourceLimitExceeded");
    assert_int_equal(create(c, "job-q", "code-ok", "s3://smb/ck/q/", 60, &svc,
                            &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(svc.code, "ValidationException");
    assert_non_null(strstr(err.message, "img:1"));
    char out[65536];
    assert_int_equal(sm_control(&env, "/__reset", "", out, sizeof out), 200);
    hpolab_aws_client_free(c);
    setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);
    struct hpolab_aws_client *bad = NULL;
    assert_int_equal(hpolab_aws_client_create(NULL, &bad, &err), HPOLAB_OK);
    assert_int_not_equal(hpolab_sm_describe(bad, "job-ok-1", &in, &svc, &err),
                         HPOLAB_OK);
    assert_string_equal(svc.code, "InvalidSignatureException");
    hpolab_aws_client_free(bad);
    /* what the stand-in saw */
    assert_int_equal(sm_control(&env, "/__state", "", out, sizeof out), 200);
    json_t *s = json_loads(out, 0, NULL);
    assert_non_null(s);
    json_t *reqs = json_object_get(s, "requests");
    assert_true(json_array_size(reqs) >= 1);
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_logs_checkpoints),
        cmocka_unit_test(test_fail_timeout_stop),
        cmocka_unit_test(test_list_and_sts),
        cmocka_unit_test(test_faults),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
