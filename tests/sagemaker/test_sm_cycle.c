/* test_sm_cycle.c: `hpolab launch --engine sagemaker` end to end against
 * the SageMaker stand-in and the signature-checking S3 server, with this
 * build's hpolab inside each "training job" (tools/container/entry.sh):
 * - the cycle: launch --wait of 2 methods x 2 seeds with --max_parallel 2
 *   while faults are injected (throttled and quota-refused creates, a
 *   dropped Describe, a 500) -> every job Completed, never more than 2 in
 *   flight (the stand-in counts), hyperparameters/tag/checkpoint URI as
 *   specified -> hpolab status (all done, cost) -> hpolab sync -> hpolab
 *   plot draws both methods; the sentinel secret appears in no output,
 *   results, log or file the stand-in or the S3 server wrote;
 * - a detached launch with queued jobs, cancelled: jobs Stopped, queued
 *   ones never submitted;
 * - a job past its time limit: failed with SageMaker's MaxRuntimeExceeded;
 * - Ctrl-C on launch --wait: the running job stopped, the queued one never
 *   submitted, exit 130;
 * - bad input: one clear line each (missing credentials, no region, no
 *   image, no role, image / role refused by ValidationException, job name
 *   too long or with invalid characters, a bucket in another region). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aws_client.h"
#include "aws_endpoint.h"
#include "launch_test_util.h"
#include "sm_fixture.h"

static struct sm_env env;
static char tmp[512];
static char study[600];
static const char *role = "arn:aws:iam::123456789012:role/SageMakerRole";

static void write_study(const char *path, const char *methods, double sleep,
                        int evals)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"name\": \"smc\", \"benchmarks\": {\"fx\": {"
             "\"entry_point\": [\"%s\", \"--sleep\", \"%g\"],"
             "\"config_space\": {\"x\": {\"domain\": \"uniform\", \"lower\": "
             "0, \"upper\": 1}, \"epochs\": 3},"
             "\"metric\": \"loss\", \"mode\": \"min\", \"resource_attr\": "
             "\"epoch\", \"max_resource_attr\": \"epochs\","
             "\"n_workers\": 2, \"max_wallclock_time\": 20, "
             "\"max_num_evaluations\": %d}},"
             "\"methods\": %s, \"sagemaker\": {\"image\": \"hpolab:test\"}}",
             HPOLAB_TEST_FIXTURE, sleep, evals, methods);
    lt_write_text(path, text);
}

static int setup(void **state)
{
    (void)state;
    aws_tmpdir(tmp);
    char dir[700];
    snprintf(dir, sizeof dir, "%s/study", tmp);
    struct hpolab_error err;
    if (hpolab_mkdir_p(dir, &err) != HPOLAB_OK)
        return -1;
    snprintf(study, sizeof study, "%s/study/study.json", tmp);
    write_study(study,
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"},"
                " \"RS2\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                0.05, 4);
    setenv("HPOLAB_SM_POLL_S", "0.3", 1);
    setenv("HPOLAB_SM_BACKOFF_S", "0.3", 1);
    return sm_start(&env, "smb", 1000);
}

static int teardown(void **state)
{
    (void)state;
    sm_stop(&env);
    aws_rmtree(tmp);
    return 0;
}

static int hpolab(const char *const *args, const char *const *env_extra,
                  struct cmd_out *c)
{
    const char *argv[40] = {HPOLAB_TEST_CLI};
    size_t n = 1;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return lt_run(tmp, argv, env_extra, c);
}

static json_t *standin_state(void)
{
    static char out[1 << 20];
    assert_int_equal(sm_control(&env, "/__state", "", out, sizeof out), 200);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    return j;
}

/* The sentinel in none of the texts and files. */
static void assert_no_secret(const struct cmd_out *c)
{
    assert_null(strstr(c->out, SM_SECRET));
    assert_null(strstr(c->err, SM_SECRET));
}

static void assert_tree_clean(const char *dir)
{
    char where[4096];
    if (sm_tree_contains(dir, SM_SECRET, where, sizeof where))
        fail_msg("%s holds the secret key", where);
}

static void test_cycle(void **state)
{
    (void)state;
    sm_use(&env, tmp);
    /* the 2nd create throttled (client retries), the 3rd refused for
     * quota (engine backs off), one Describe dropped, one 500 */
    assert_int_equal(
        sm_control(&env, "/__faults",
                   "{\"rules\": [{\"op\": \"CreateTrainingJob\", \"kind\": "
                   "\"throttle\", \"nth\": 2}, {\"op\": \"CreateTrainingJob\", "
                   "\"kind\": \"limit\", \"nth\": 4}, {\"op\": "
                   "\"DescribeTrainingJob\", \"kind\": \"drop\", \"nth\": 2}, "
                   "{\"op\": \"DescribeTrainingJob\", \"kind\": \"server\", "
                   "\"nth\": 4}]}",
                   NULL, 0),
        200);
    char res[700];
    snprintf(res, sizeof res, "%s/results", tmp);
    const char *launch[] = {"launch", study, "--engine", "sagemaker", "--role",
                            role, "--bucket", "smb", "--num_seeds", "2",
                            "--results_dir", res, "--max_parallel", "2",
                            "--wait", NULL};
    struct cmd_out c;
    int rc = hpolab(launch, NULL, &c);
    if (rc != 0)
        fail_msg("rc %d\n%s\n%s", rc, c.out, c.err);
    assert_non_null(strstr(c.out, "4 jobs: 4 done"));
    assert_non_null(strstr(c.out, "s billable on ml.c5.4xlarge"));
    assert_non_null(strstr(c.err, "ResourceLimitExceeded; trying again"));
    assert_no_secret(&c);
    cmd_out_free(&c);

    json_t *s = standin_state();
    assert_true(json_integer_value(json_object_get(s, "maxInProgressSeen")) <= 2);
    assert_int_equal(json_array_size(json_object_get(s, "injected")), 4);
    json_t *jobs = json_object_get(s, "jobs");
    int n = 0;
    const char *name;
    json_t *j;
    json_object_foreach(jobs, name, j)
    {
        if (strncmp(name, "smc-", 4) != 0)
            continue;
        n++;
        assert_string_equal(json_string_value(json_object_get(j, "status")),
                            "Completed");
        json_t *hp = json_object_get(j, "hyperParameters");
        assert_string_equal(json_string_value(json_object_get(hp, "hpolab_mode")),
                            "run");
        assert_string_equal(
            json_string_value(json_object_get(hp, "hpolab_study")),
            "study.json");
        assert_string_equal(
            json_string_value(json_object_get(hp, "experiment_tag")), "smc");
        assert_null(json_object_get(hp, "results_dir"));
        json_t *tag = json_array_get(json_object_get(j, "tags"), 0);
        assert_string_equal(json_string_value(json_object_get(tag, "Value")),
                            "smc");
    }
    assert_int_equal(n, 4);
    json_decref(s);

    /* status: from DescribeTrainingJob, all done, with the cost */
    const char *status[] = {"status", "smc", "--results_dir", res, NULL};
    assert_int_equal(hpolab(status, NULL, &c), 0);
    assert_non_null(strstr(c.out, "4 jobs: 4 done"));
    assert_non_null(strstr(c.out, "estimated cost $"));
    assert_non_null(strstr(c.out, "smc-RS2-1-"));
    assert_no_secret(&c);
    cmd_out_free(&c);

    /* sync then plot */
    char synced[700], plot[700], rd[760];
    snprintf(synced, sizeof synced, "%s/synced", tmp);
    snprintf(plot, sizeof plot, "%s/plot", tmp);
    snprintf(rd, sizeof rd, "--results_dir=%s", synced);
    const char *sync[] = {"sync", "smc", "--bucket", "smb", rd, NULL};
    assert_int_equal(hpolab(sync, NULL, &c), 0);
    assert_non_null(strstr(c.out, "8 files downloaded"));
    assert_no_secret(&c);
    cmd_out_free(&c);
    const char *plt[] = {"plot", "smc", "--results_dir", synced, "--output",
                         plot, NULL};
    rc = hpolab(plt, NULL, &c);
    if (rc != 0)
        fail_msg("plot: %s\n%s", c.out, c.err);
    assert_non_null(strstr(c.out, "2 curves from 4 experiments"));
    cmd_out_free(&c);
    char csv[800];
    snprintf(csv, sizeof csv, "%s-summary.csv", plot);
    char *sum = lt_read_text(csv);
    assert_non_null(sum);
    assert_non_null(strstr(sum, "RS2"));
    free(sum);

    /* issue 10 item 6: the secret is in no file of the cycle */
    assert_tree_clean(tmp);
    assert_tree_clean(env.sm.dir);
    assert_tree_clean(env.s3.dir);
}

static void test_cancel_queued(void **state)
{
    (void)state;
    sm_use(&env, tmp);
    char dir[700], st2[760], res[700];
    snprintf(dir, sizeof dir, "%s/slow", tmp);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(dir, &err), HPOLAB_OK);
    snprintf(st2, sizeof st2, "%s/study.json", dir);
    write_study(st2, "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": "
                     "\"random\"}}",
                5, 100);
    snprintf(res, sizeof res, "%s/results", tmp);
    /* the default bucket: sagemaker-<region>-<account> through STS */
    struct hpolab_aws_client *cl = NULL;
    assert_int_equal(hpolab_aws_client_create(NULL, &cl, &err), HPOLAB_OK);
    struct hpolab_aws_request put = {
        .service = HPOLAB_AWS_S3, .method = "PUT",
        .bucket = "sagemaker-us-east-1-123456789012", .path = "/",
        .what = "CreateBucket"};
    struct hpolab_aws_http_response resp;
    memset(&resp, 0, sizeof resp);
    if (hpolab_aws_send(cl, &put, &resp, NULL, &err) != HPOLAB_OK)
        fail_msg("%s", err.message);
    hpolab_aws_http_response_free(&resp);
    hpolab_aws_client_free(cl);
    const char *launch[] = {"launch", st2, "--engine", "sagemaker", "--role",
                            role, "--num_seeds", "3", "--results_dir", res,
                            "--max_parallel", "1", "--experiment_tag",
                            "slowq", "--instance_type", "ml.g4dn.xlarge",
                            NULL};
    struct cmd_out c;
    int rc = hpolab(launch, NULL, &c);
    if (rc != 0)
        fail_msg("rc %d\n%s\n%s", rc, c.out, c.err);
    assert_non_null(strstr(c.out, "supervisor running in the background"));
    assert_non_null(strstr(c.out, "bucket sagemaker-us-east-1-123456789012"));
    assert_non_null(strstr(c.out, "warning: n_workers 2 exceeds the 1 GPU(s) "
                                  "of ml.g4dn.xlarge"));
    cmd_out_free(&c);
    char root[760];
    snprintf(root, sizeof root, "%s/slowq", res);
    /* the first job is running on the stand-in */
    double end = lt_now() + 20;
    int running = 0;
    while (!running && lt_now() < end) {
        json_t *s = standin_state();
        json_t *j = json_object_get(json_object_get(s, "jobs"), "x");
        (void)j;
        const char *name;
        json_t *v;
        json_object_foreach(json_object_get(s, "jobs"), name, v)
            if (!strncmp(name, "slowq-RS-0-", 11) &&
                !strcmp(json_string_value(json_object_get(v, "secondary")),
                        "Training"))
                running = 1;
        json_decref(s);
        lt_sleep(0.1);
    }
    assert_true(running);
    const char *cancel[] = {"cancel", "slowq", "--results_dir", res, NULL};
    rc = hpolab(cancel, NULL, &c);
    if (rc != 0)
        fail_msg("cancel rc %d\n%s\n%s", rc, c.out, c.err);
    assert_non_null(strstr(c.out, "3 jobs: 0 done"));
    assert_non_null(strstr(c.out, "3 cancelled"));
    cmd_out_free(&c);
    struct hpolab_job_state js = lt_job(root, "RS-0");
    assert_int_equal(js.state, HPOLAB_SLICE_CANCELLED);
    js = lt_job(root, "RS-2");
    assert_int_equal(js.state, HPOLAB_SLICE_CANCELLED);
    assert_non_null(strstr(js.message, "never submitted"));
    json_t *s = standin_state();
    const char *name;
    json_t *v;
    int submitted = 0;
    json_object_foreach(json_object_get(s, "jobs"), name, v)
    {
        if (strncmp(name, "slowq-", 6) != 0)
            continue;
        submitted++;
        assert_string_equal(json_string_value(json_object_get(v, "status")),
                            "Stopped");
    }
    assert_int_equal(submitted, 1);
    assert_int_equal(json_integer_value(json_object_get(s, "inProgress")), 0);
    json_decref(s);
}

/* Ctrl-C on `hpolab launch --wait`: the running job gets StopTrainingJob,
 * the queued one is never submitted, exit status 130. */
static void test_interrupt_wait(void **state)
{
    (void)state;
    sm_use(&env, tmp);
    char dir[700], st4[760], res[700], out[760];
    snprintf(dir, sizeof dir, "%s/intr", tmp);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(dir, &err), HPOLAB_OK);
    snprintf(st4, sizeof st4, "%s/study.json", dir);
    write_study(st4, "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": "
                     "\"random\"}}",
                5, 100);
    snprintf(res, sizeof res, "%s/results", tmp);
    snprintf(out, sizeof out, "%s/intr.out", tmp);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(HPOLAB_TEST_CLI, HPOLAB_TEST_CLI, "launch", st4, "--engine",
              "sagemaker", "--role", role, "--bucket", "smb", "--num_seeds",
              "2", "--max_parallel", "1", "--results_dir", res,
              "--experiment_tag", "intr", "--wait", (char *)NULL);
        _exit(127);
    }
    char root[760];
    snprintf(root, sizeof root, "%s/intr", res);
    double end = lt_now() + 20;
    while (lt_job(root, "RS-0").state != HPOLAB_SLICE_RUNNING &&
           lt_now() < end)
        lt_sleep(0.1);
    assert_int_equal(lt_job(root, "RS-0").state, HPOLAB_SLICE_RUNNING);
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    char *text = lt_read_text(out);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 130)
        fail_msg("status %d\n%s", status, text ? text : "");
    assert_non_null(strstr(text, "cancelled: 2 jobs"));
    free(text);
    struct hpolab_job_state js = lt_job(root, "RS-0");
    assert_int_equal(js.state, HPOLAB_SLICE_CANCELLED);
    js = lt_job(root, "RS-1");
    assert_int_equal(js.state, HPOLAB_SLICE_CANCELLED);
    assert_non_null(strstr(js.message, "never submitted"));
    json_t *s = standin_state();
    const char *name;
    json_t *v;
    int n = 0;
    json_object_foreach(json_object_get(s, "jobs"), name, v)
    {
        if (strncmp(name, "intr-", 5) != 0)
            continue;
        n++;
        assert_string_equal(json_string_value(json_object_get(v, "status")),
                            "Stopped");
    }
    assert_int_equal(n, 1);
    json_decref(s);
}

/* A job running past its time limit (MaxRuntimeInSeconds) fails with
 * SageMaker's reason, in the launch's output and in `hpolab status`. */
static void test_time_limit(void **state)
{
    (void)state;
    sm_use(&env, tmp);
    char dir[700], st3[760], res[700];
    snprintf(dir, sizeof dir, "%s/limit", tmp);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(dir, &err), HPOLAB_OK);
    snprintf(st3, sizeof st3, "%s/study.json", dir);
    write_study(st3, "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": "
                     "\"random\"}}",
                5, 100);
    snprintf(res, sizeof res, "%s/results", tmp);
    const char *launch[] = {"launch", st3, "--engine", "sagemaker", "--role",
                            role, "--bucket", "smb", "--results_dir", res,
                            "--experiment_tag", "lim", "--time_limit", "2",
                            "--wait", NULL};
    struct cmd_out c;
    int rc = hpolab(launch, NULL, &c);
    if (rc != 1 || !strstr(c.out, "1 failed"))
        fail_msg("rc %d\n%s\n%s", rc, c.out, c.err);
    cmd_out_free(&c);
    char root[760];
    snprintf(root, sizeof root, "%s/lim", res);
    struct hpolab_job_state js = lt_job(root, "RS-0");
    assert_int_equal(js.state, HPOLAB_SLICE_FAILED);
    assert_int_equal(strncmp(js.message, "MaxRuntimeExceeded:", 19), 0);
    const char *status[] = {"status", "lim", "--results_dir", res, NULL};
    assert_int_equal(hpolab(status, NULL, &c), 0);
    assert_non_null(strstr(c.out, "MaxRuntimeExceeded"));
    cmd_out_free(&c);
}

/* One line on stderr containing each of want (NULL-terminated), exit rc. */
static void expect_refusal(const char *const *args,
                           const char *const *env_extra, int want_rc,
                           const char *const *want)
{
    struct cmd_out c;
    int rc = hpolab(args, env_extra, &c);
    int ok = rc == want_rc;
    for (size_t i = 0; ok && want[i]; i++)
        ok = strstr(c.err, want[i]) != NULL;
    if (!ok)
        fail_msg("rc %d (want %d)\nstdout: %s\nstderr: %s\nwant: %s", rc,
                 want_rc, c.out, c.err, want[0]);
    assert_no_secret(&c);
    cmd_out_free(&c);
}

static void test_bad_input(void **state)
{
    (void)state;
    char res[700];
    snprintf(res, sizeof res, "%s/bad-results", tmp);
    const char *base[] = {"launch", study, "--engine", "sagemaker", "--role",
                          role, "--bucket", "smb", "--results_dir", res,
                          "--wait", "--experiment_tag", "bad", NULL};
    /* missing credentials, no region */
    sm_use(&env, tmp);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    expect_refusal(base, NULL, 2,
                   (const char *[]){"AWS_ACCESS_KEY_ID", NULL});
    sm_use(&env, tmp);
    unsetenv("AWS_REGION");
    expect_refusal(base, NULL, 2, (const char *[]){"AWS_REGION", NULL});
    sm_use(&env, tmp);
    /* no role; no image (a study without "sagemaker") */
    const char *norole[] = {"launch", study, "--engine", "sagemaker",
                            "--bucket", "smb", "--results_dir", res,
                            "--experiment_tag", "bad", NULL};
    expect_refusal(norole, NULL, 2,
                   (const char *[]){"--role <role ARN>, AWS_ROLE", NULL});
    char plain[700];
    snprintf(plain, sizeof plain, "%s/plain/study.json", tmp);
    char pdir[700];
    snprintf(pdir, sizeof pdir, "%s/plain", tmp);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(pdir, &err), HPOLAB_OK);
    char *text = lt_read_text(study);
    char *cut = strstr(text, ", \"sagemaker\"");
    strcpy(cut, "}");
    lt_write_text(plain, text);
    free(text);
    const char *noimage[] = {"launch", plain, "--engine", "sagemaker",
                             "--role", role, "--results_dir", res,
                             "--experiment_tag", "bad", NULL};
    expect_refusal(noimage, NULL, 2,
                   (const char *[]){"--image <ECR image URI>", NULL});
    /* image and role refused by SageMaker */
    assert_int_equal(sm_control(&env, "/__faults",
                                "{\"rejectImages\": [\"hpolab:test\"]}", NULL,
                                0),
                     200);
    expect_refusal(base, NULL, 1,
                   (const char *[]){"ValidationException", "hpolab:test",
                                    "check --image", NULL});
    assert_int_equal(sm_control(&env, "/__reset", "", NULL, 0), 200);
    assert_int_equal(
        sm_control(&env, "/__faults", "{\"rejectRoles\": [\"arn:aws:iam::"
                                      "123456789012:role/SageMakerRole\"]}",
                   NULL, 0),
        200);
    const char *base2[] = {"launch", study, "--engine", "sagemaker", "--role",
                           role, "--bucket", "smb", "--results_dir", res,
                           "--wait", "--experiment_tag", "bad2", NULL};
    expect_refusal(base2, NULL, 1,
                   (const char *[]){"Could not assume role", "AWS_ROLE", NULL});
    assert_int_equal(sm_control(&env, "/__reset", "", NULL, 0), 200);
    /* job names: too long; invalid characters */
    const char *longtag[] = {
        "launch", study, "--engine", "sagemaker", "--role", role, "--bucket",
        "smb", "--results_dir", res, "--experiment_tag",
        "a-very-long-experiment-tag-that-makes-every-job-name-too-long", NULL};
    expect_refusal(longtag, NULL, 2,
                   (const char *[]){"SageMaker allows 1-63",
                                    "shorter --experiment_tag", NULL});
    char us[700];
    snprintf(us, sizeof us, "%s/underscore/study.json", tmp);
    snprintf(pdir, sizeof pdir, "%s/underscore", tmp);
    assert_int_equal(hpolab_mkdir_p(pdir, &err), HPOLAB_OK);
    write_study(us, "{\"RS_x\": {\"scheduler\": \"fifo\", \"searcher\": "
                    "\"random\"}}",
                0.05, 2);
    const char *usc[] = {"launch", us, "--engine", "sagemaker", "--role",
                         role, "--bucket", "smb", "--results_dir", res,
                         "--experiment_tag", "bad3", NULL};
    expect_refusal(usc, NULL, 2,
                   (const char *[]){"('_') is not allowed", NULL});
    /* a bucket in another region: S3 redirects (the scripted stand-in of
     * the AWS tests plays S3 here) */
    struct aws_server py;
    assert_int_equal(aws_standin_start(&py), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", py.port);
    setenv("AWS_ENDPOINT_URL_S3", url, 1);
    assert_int_equal(
        aws_standin_post(&py, "/__script",
                         "[{\"status\": 301, \"headers\": "
                         "{\"x-amz-bucket-region\": \"eu-west-1\"}, \"body\": "
                         "\"\"}, {\"status\": 404, \"body\": \"\"}]",
                         NULL, 0),
        200);
    const char *other[] = {"launch", study, "--engine", "sagemaker", "--role",
                           role, "--bucket", "eubucket", "--results_dir", res,
                           "--experiment_tag", "bad4", NULL};
    expect_refusal(other, NULL, 2,
                   (const char *[]){"bucket eubucket is in eu-west-1 but the "
                                    "jobs run in us-east-1",
                                    "AWS_REGION=eu-west-1", NULL});
    aws_standin_stop(&py);
    sm_use(&env, tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cycle),
        cmocka_unit_test(test_cancel_queued),
        cmocka_unit_test(test_time_limit),
        cmocka_unit_test(test_interrupt_wait),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
