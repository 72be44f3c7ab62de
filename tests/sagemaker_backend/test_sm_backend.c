/* test_sm_backend.c: studies whose trials use `--backend sagemaker`, run
 * by this build's `hpolab run` against the SageMaker + CloudWatch Logs
 * stand-in (tests/sagemaker/standin, each training job a local process of
 * tools/container/entry.sh in trial mode) and the signature-checking S3
 * server:
 * - ASHA (promotion type) to completion while faults are injected
 *   (throttled Describes beyond the client's retries, ResourceLimitExceeded
 *   on a create, an expired token and a dropped connection on GetLogEvents):
 *   every report a completed job printed is in results.csv.zip and nothing
 *   else is; paused trials resume as new jobs from their S3 checkpoint;
 *   the jobs' hyperparameters, checkpoint keys and tags are as documented;
 * - a failing training script: the trial's error carries the job's
 *   FailureReason;
 * - the experiment's end stops a running job (StopTrainingJob, job
 *   Stopped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>

#include "aws_client.h"
#include "aws_s3.h"
#include "launch_test_util.h"
#include "record.h"
#include "results_table.h"
#include "results_zip.h"
#include "sm_fixture.h"

/* max_calls_per_second of the stopping study */
#define RATE 4

static struct sm_env env;
static char tmp[512];
static char study[700], reports[700], results[700];
static const char *role = "arn:aws:iam::123456789012:role/SageMakerRole";

static void write_study(void)
{
    char opts[1024], slow_opts[1024];
    snprintf(opts, sizeof opts,
             "{\"role\": \"%s\", \"image\": \"hpolab:test\", \"bucket\": "
             "\"smb\", \"describe_interval\": 0.2, \"log_interval\": 0.2, "
             "\"max_calls_per_second\": 50, \"create_backoff\": 0.3, "
             "\"pause_grace_period\": 0.5}",
             role);
    /* the same polling intervals under a low call rate */
    snprintf(slow_opts, sizeof slow_opts,
             "{\"role\": \"%s\", \"image\": \"hpolab:test\", \"bucket\": "
             "\"smb\", \"describe_interval\": 0.2, \"log_interval\": 0.2, "
             "\"max_calls_per_second\": %d}",
             role, RATE);
    char text[8192];
    snprintf(text, sizeof text,
             "{\"name\": \"smbk\", \"defaults\": {\"backend\": \"sagemaker\", "
             "\"backend_options\": %s, \"metric\": \"loss\", \"mode\": "
             "\"min\", \"resource_attr\": \"epoch\", \"max_resource_attr\": "
             "\"epochs\"},"
             "\"benchmarks\": {"
             "\"fx\": {\"entry_point\": [\"python3\", \"train_sm.py\", "
             "\"--sleep\", \"0.05\"], \"config_space\": {\"x\": {\"domain\": "
             "\"uniform\", \"lower\": 0, \"upper\": 1}, \"epochs\": 4}, "
             "\"n_workers\": 2, "
             "\"max_num_evaluations\": 30, \"max_wallclock_time\": 60},"
             "\"fails\": {\"entry_point\": [\"python3\", \"train_sm.py\"], "
             "\"config_space\": {\"x\": {\"domain\": \"uniform\", \"lower\": "
             "0, \"upper\": 1}, \"epochs\": 3, \"fail\": 1}, \"n_workers\": 1, "
             "\"max_wallclock_time\": 60, \"max_num_trials_started\": 1},"
             "\"slow\": {\"entry_point\": [\"python3\", \"train_sm.py\", "
             "\"--sleep\", \"60\"], \"config_space\": {\"x\": {\"domain\": "
             "\"uniform\", \"lower\": 0, \"upper\": 1}, \"epochs\": 3}, "
             "\"n_workers\": 1, \"max_wallclock_time\": 5},"
             "\"stops\": {\"entry_point\": [\"python3\", \"train_sm.py\", "
             "\"--sleep\", \"1\"], \"config_space\": {\"x\": {\"domain\": "
             "\"uniform\", \"lower\": 0, \"upper\": 1}, \"epochs\": 4}, "
             "\"n_workers\": 2, \"max_wallclock_time\": 60, "
             "\"max_num_evaluations\": 16, \"backend_options\": %s}},"
             "\"methods\": {\"ASHA\": {\"scheduler\": \"asha\", \"searcher\": "
             "\"random\", \"scheduler_options\": {\"type\": \"promotion\", "
             "\"reduction_factor\": 2, \"grace_period\": 1}}, "
             "\"ASHA-stop\": {\"scheduler\": \"asha\", \"searcher\": "
             "\"random\", \"scheduler_options\": {\"type\": \"stopping\", "
             "\"reduction_factor\": 2, \"grace_period\": 1}}, "
             "\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}}",
             opts, slow_opts);
    lt_write_text(study, text);
}

static int setup(void **state)
{
    (void)state;
    aws_tmpdir(tmp);
    char dir[700], src[800], dst[800];
    snprintf(dir, sizeof dir, "%s/study", tmp);
    struct hpolab_error err;
    if (hpolab_mkdir_p(dir, &err) != HPOLAB_OK)
        return -1;
    snprintf(study, sizeof study, "%s/study.json", dir);
    write_study();
    snprintf(src, sizeof src, "%s/tests/sagemaker_backend/train_sm.py",
             HPOLAB_TEST_SOURCE_DIR);
    snprintf(dst, sizeof dst, "%s/train_sm.py", dir);
    char *script = lt_read_text(src);
    if (!script)
        return -1;
    lt_write_text(dst, script);
    free(script);
    snprintf(reports, sizeof reports, "%s/reports.txt", tmp);
    snprintf(results, sizeof results, "%s/results", tmp);
    /* the jobs inherit the stand-in's environment (without AWS_*) */
    setenv("SMB_REPORTS", reports, 1);
    return sm_start(&env, "smb", 1000);
}

static int teardown(void **state)
{
    (void)state;
    sm_stop(&env);
    aws_rmtree(tmp);
    return 0;
}

static int hpolab_run(const char *benchmark, const char *method,
                      struct cmd_out *c)
{
    sm_use(&env, tmp);
    const char *argv[] = {HPOLAB_TEST_CLI, "run", study, "--benchmark",
                          benchmark, "--method", method, "--num_seeds", "1",
                          "--random_seed", "7", "--results_dir", results,
                          NULL};
    double t0 = lt_now();
    int rc = lt_run(tmp, argv, NULL, c);
    fprintf(stderr, "hpolab run %s %s: exit %d after %.1f s\n%s", benchmark,
            method, rc, lt_now() - t0, getenv("SMB_VERBOSE") ? c->err : "");
    if (getenv("SMB_VERBOSE"))
        fprintf(stderr, "%s", c->out);
    return rc;
}

static json_t *standin_state(void)
{
    static char out[1 << 20];
    assert_int_equal(sm_control(&env, "/__state", "", out, sizeof out), 200);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    return j;
}

/* The experiment folder of benchmark bench: results/smbk-<bench>-0-... */
static void experiment_dir(const char *bench, char *out, size_t size)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "smbk-%s-0-", bench);
    DIR *d = opendir(results);
    assert_non_null(d);
    struct dirent *e;
    out[0] = '\0';
    while ((e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            snprintf(out, size, "%s/%s", results, e->d_name);
    closedir(d);
    if (!out[0])
        fail_msg("no experiment folder %s* in %s", prefix, results);
}

/* One line of $SMB_REPORTS. */
struct report {
    char job[80];
    long trial;
    int resume; /* k of "-r<k>", 0 for the first run */
    int epoch, from;
    int used;
};

static size_t read_reports(const char *tuner, struct report *r, size_t max)
{
    char *text = lt_read_text(reports);
    assert_non_null(text);
    size_t n = 0;
    size_t tl = strlen(tuner);
    for (char *line = strtok(text, "\n"); line && n < max;
         line = strtok(NULL, "\n")) {
        struct report x = {0};
        if (sscanf(line, "%79s %d %d", x.job, &x.epoch, &x.from) != 3)
            fail_msg("bad report line '%s'", line);
        /* only this experiment's jobs: <tuner>-<id>[-r<k>] */
        if (strncmp(x.job, tuner, tl) != 0 || x.job[tl] != '-')
            continue;
        char *end;
        x.trial = strtol(x.job + tl + 1, &end, 10);
        if (strncmp(end, "-r", 2) == 0)
            x.resume = atoi(end + 2);
        r[n++] = x;
    }
    free(text);
    return n;
}

static int64_t get_int(const struct hpolab_record *row, const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(row, name);
    assert_non_null(v);
    if (v->type == HPOLAB_VALUE_INT)
        return v->u.i;
    assert_int_equal(v->type, HPOLAB_VALUE_DOUBLE);
    return (int64_t)v->u.d;
}

static void test_asha_with_faults(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(
        sm_control(&env, "/__faults",
                   "{\"rules\": ["
                   "{\"op\": \"DescribeTrainingJob\", \"kind\": \"throttle\", "
                   "\"times\": 4},"
                   "{\"op\": \"CreateTrainingJob\", \"kind\": \"limit\", "
                   "\"nth\": 3},"
                   "{\"op\": \"GetLogEvents\", \"kind\": \"expired\", "
                   "\"nth\": 2},"
                   "{\"op\": \"GetLogEvents\", \"kind\": \"drop\", "
                   "\"nth\": 6}]}",
                   out, sizeof out),
        200);
    struct cmd_out c;
    int rc = hpolab_run("fx", "ASHA", &c);
    if (rc != 0)
        fail_msg("hpolab run: %d\n%s\n%s", rc, c.out, c.err);
    assert_null(strstr(c.err, SM_SECRET));
    cmd_out_free(&c);

    json_t *st = standin_state();
    /* every fault was injected (and survived: rc 0) */
    const char *kinds[] = {"throttle", "limit", "expired", "drop"};
    for (size_t k = 0; k < 4; k++) {
        int seen = 0;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(st, "injected"), i, f)
            seen |= strcmp(json_string_value(json_object_get(f, "kind")),
                           kinds[k]) == 0;
        if (!seen)
            fail_msg("fault %s was not injected", kinds[k]);
    }

    char dir[1024];
    experiment_dir("fx", dir, sizeof dir);
    const char *tuner = strrchr(dir, '/') + 1;
    static struct report rep[512];
    size_t nrep = read_reports(tuner, rep, 512);
    assert_true(nrep > 0);

    /* the jobs as submitted */
    json_t *jobs = json_object_get(st, "jobs");
    int resumes = 0, completed_jobs = 0;
    const char *name;
    json_t *job;
    json_object_foreach(jobs, name, job)
    {
        if (strncmp(name, tuner, strlen(tuner)) != 0)
            continue;
        json_t *hp = json_object_get(job, "hyperParameters");
        assert_string_equal(json_string_value(json_object_get(hp,
                                                              "hpolab_mode")),
                            "trial");
        assert_string_equal(
            json_string_value(json_object_get(hp, "hpolab_entry_point")),
            "train_sm.py");
        assert_string_equal(json_string_value(json_object_get(hp, "sleep")),
                            "0.05");
        assert_non_null(json_object_get(hp, "x"));
        assert_null(json_object_get(hp, "st_checkpoint_dir"));
        int tagged = 0;
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(job, "tags"), i, t)
            tagged |= strcmp(json_string_value(json_object_get(t, "Key")),
                             "hpolab:tag") == 0 &&
                      strcmp(json_string_value(json_object_get(t, "Value")),
                             "smbk") == 0;
        assert_true(tagged);
        if (strstr(name + strlen(tuner), "-r"))
            resumes++;
        if (strcmp(json_string_value(json_object_get(job, "status")),
                   "Completed") == 0)
            completed_jobs++;
    }
    /* promotions: paused trials started again, as new jobs */
    assert_true(resumes >= 4);
    assert_true(completed_jobs >= 1);

    /* a resumed job went on from the epoch its predecessor saved to S3 */
    for (size_t i = 0; i < nrep; i++) {
        if (rep[i].resume == 0) {
            assert_int_equal(rep[i].from, 0);
            continue;
        }
        int prev_max = 0;
        for (size_t j = 0; j < nrep; j++)
            if (rep[j].trial == rep[i].trial &&
                rep[j].resume < rep[i].resume && rep[j].epoch > prev_max)
                prev_max = rep[j].epoch;
        assert_true(rep[i].from > 0);
        assert_int_equal(rep[i].from, prev_max);
        assert_true(rep[i].epoch > rep[i].from);
    }

    /* results.csv.zip: each row is a report a job printed, and every
     * report of a job that ended by itself is there */
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    if (hpolab_results_read(dir, &r, &err) != HPOLAB_OK)
        fail_msg("%s", err.message);
    size_t rows = hpolab_results_row_count(r);
    assert_true(rows > 0);
    for (size_t k = 0; k < rows; k++) {
        const struct hpolab_record *row = hpolab_results_row(r, k);
        int64_t trial = get_int(row, "trial_id");
        int64_t epoch = get_int(row, "epoch");
        int64_t from = get_int(row, "resumed_from");
        size_t i;
        for (i = 0; i < nrep; i++)
            if (!rep[i].used && rep[i].trial == trial &&
                rep[i].epoch == epoch && rep[i].from == from)
                break;
        if (i == nrep)
            fail_msg("row %zu (trial %lld epoch %lld) was never printed", k,
                     (long long)trial, (long long)epoch);
        rep[i].used = 1;
    }
    /* a job's reports reach the results in order: at most a tail is cut
     * (the job was stopped, or the experiment ended); a job whose trial was
     * resumed later ended by itself and was read to its end */
    for (size_t i = 0; i < nrep; i++) {
        assert_non_null(json_object_get(jobs, rep[i].job));
        int resumed_later = 0;
        for (size_t j = 0; j < nrep; j++) {
            if (rep[j].trial == rep[i].trial && rep[j].resume > rep[i].resume)
                resumed_later = 1;
            if (strcmp(rep[j].job, rep[i].job) == 0 &&
                rep[j].epoch > rep[i].epoch && rep[j].used && !rep[i].used)
                fail_msg("report %s epoch %d is missing, a later one is "
                         "there",
                         rep[i].job, rep[i].epoch);
        }
        if (resumed_later && !rep[i].used)
            fail_msg("report %s epoch %d is missing from the results",
                     rep[i].job, rep[i].epoch);
    }
    hpolab_results_free(r);

    /* the checkpoints live under the trial's S3 prefix */
    struct hpolab_aws_client *cl = NULL;
    struct hpolab_aws_client_options o = {0};
    assert_int_equal(hpolab_aws_client_create(&o, &cl, &err), HPOLAB_OK);
    char key[512];
    snprintf(key, sizeof key, "hpolab/smbk/%s/%ld/checkpoints/ckpt.json",
             tuner, rep[0].trial);
    struct hpolab_s3_object obj;
    if (hpolab_s3_head(cl, "smb", key, &obj, &err) != HPOLAB_OK)
        fail_msg("s3://smb/%s: %s", key, err.message);
    hpolab_s3_object_free(&obj);
    snprintf(key, sizeof key, "hpolab/smbk/%s/source/sourcedir.tar.gz",
             tuner);
    assert_int_equal(hpolab_s3_head(cl, "smb", key, &obj, &err), HPOLAB_OK);
    hpolab_s3_object_free(&obj);
    hpolab_aws_client_free(cl);
    json_decref(st);
    assert_int_equal(sm_control(&env, "/__reset", "", out, sizeof out), 200);
}

static void test_failure_reason(void **state)
{
    (void)state;
    struct cmd_out c;
    hpolab_run("fails", "RS", &c);
    /* the trial's error is the job's FailureReason: the script's last
     * stderr line */
    if (!strstr(c.err, "RuntimeError: the training script failed on "
                       "purpose"))
        fail_msg("no FailureReason in the trial's error:\n%s", c.err);
    assert_non_null(strstr(c.err, "failed: training job smbk-fails-0-"));
    cmd_out_free(&c);
    /* the report before the failure reached the results */
    char dir[1024];
    experiment_dir("fails", dir, sizeof dir);
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(r), 1);
    hpolab_results_free(r);
}

static void test_end_stops_job(void **state)
{
    (void)state;
    struct cmd_out c;
    double t0 = lt_now();
    int rc = hpolab_run("slow", "RS", &c);
    if (rc != 0)
        fail_msg("hpolab run: %d\n%s\n%s", rc, c.out, c.err);
    cmd_out_free(&c);
    /* max_wallclock_time 5 s, an epoch takes 60 s: the tuner ended it */
    assert_true(lt_now() - t0 < 40);
    char dir[1024];
    experiment_dir("slow", dir, sizeof dir);
    const char *tuner = strrchr(dir, '/') + 1;
    const char *status = NULL;
    for (int i = 0; i < 100; i++) {
        json_t *st = standin_state();
        const char *n;
        json_t *job;
        status = NULL;
        json_object_foreach(json_object_get(st, "jobs"), n, job)
            if (strncmp(n, tuner, strlen(tuner)) == 0)
                status = json_string_value(json_object_get(job, "status"));
        int done = status && strcmp(status, "Stopped") == 0;
        json_decref(st);
        if (done)
            return;
        lt_sleep(0.1);
    }
    fail_msg("the job of the ended experiment is %s, not Stopped",
             status ? status : "missing");
}

/* ASHA (stopping type) stops trials at a rung: StopTrainingJob, the job
 * ends Stopped, and nothing it printed after the stop is a result. The
 * polling calls of all jobs keep to max_calls_per_second. */
static void test_asha_stopping(void **state)
{
    (void)state;
    char out[256];
    assert_int_equal(sm_control(&env, "/__reset", "", out, sizeof out), 200);
    struct cmd_out c;
    int rc = hpolab_run("stops", "ASHA-stop", &c);
    if (rc != 0)
        fail_msg("hpolab run: %d\n%s\n%s", rc, c.out, c.err);
    cmd_out_free(&c);
    char dir[1024];
    experiment_dir("stops", dir, sizeof dir);
    const char *tuner = strrchr(dir, '/') + 1;
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
    /* every job that StopTrainingJob reached ends Stopped (the stand-in
     * after its SIGTERM grace) */
    json_t *st = NULL;
    int stops = 0, stops_mid = 0, stopped = 0;
    for (int i = 0; i < 100; i++) {
        json_decref(st);
        st = standin_state();
        json_t *reqs = json_object_get(st, "requests");
        double last_stop = 0;
        size_t k;
        json_t *q;
        json_array_foreach(reqs, k, q)
            if (strcmp(json_string_value(json_object_get(q, "op")),
                       "StopTrainingJob") == 0)
                last_stop = json_number_value(json_object_get(q, "at"));
        stops = stops_mid = 0;
        json_array_foreach(reqs, k, q)
        {
            if (strcmp(json_string_value(json_object_get(q, "op")),
                       "StopTrainingJob") != 0)
                continue;
            /* well before the end's stop_all: one of ASHA's decisions */
            stops_mid += json_number_value(json_object_get(q, "at")) <
                         last_stop - 0.3;
            stops += json_integer_value(json_object_get(q, "status")) == 200;
        }
        stopped = 0;
        const char *n;
        json_t *job;
        json_object_foreach(json_object_get(st, "jobs"), n, job)
        {
            if (strncmp(n, tuner, strlen(tuner)) != 0 ||
                strcmp(json_string_value(json_object_get(job, "status")),
                       "Stopped") != 0)
                continue;
            stopped++;
        }
        if (stops > 0 && stopped == stops)
            break;
        lt_sleep(0.1);
    }
    if (stops_mid < 1 || stopped != stops)
        fail_msg("%d StopTrainingJob (%d by ASHA), %d jobs Stopped", stops,
                 stops_mid, stopped);
    hpolab_results_free(r);
    /* polling calls in any 1 s window: at most the rate, plus the reads of
     * a job's last log lines when it ended (not rate-limited) */
    json_t *reqs = json_object_get(st, "requests");
    size_t n = json_array_size(reqs);
    int worst = 0;
    for (size_t i = 0; i < n; i++) {
        double t0 = json_number_value(json_object_get(json_array_get(reqs, i),
                                                      "at"));
        int calls = 0;
        for (size_t j = i; j < n; j++) {
            json_t *q = json_array_get(reqs, j);
            double t = json_number_value(json_object_get(q, "at"));
            const char *op = json_string_value(json_object_get(q, "op"));
            if (t - t0 >= 1.0)
                break;
            calls += strcmp(op, "DescribeTrainingJob") == 0 ||
                     strcmp(op, "GetLogEvents") == 0 ||
                     strcmp(op, "DescribeLogStreams") == 0;
        }
        if (calls > worst)
            worst = calls;
    }
    if (worst > RATE + 4)
        fail_msg("%d polling calls within 1 s, rate %d", worst, RATE);
    json_decref(st);
}

/* hpolab plugin check covers backends: create (no service contacted),
 * stop an unknown trial, wait, stop_all, destroy. */
static void test_plugin_check(void **state)
{
    (void)state;
    sm_use(&env, tmp);
    char so[1024], opts[512];
    snprintf(so, sizeof so, "%s/hpolab-backend_sagemaker.so",
             HPOLAB_TEST_PLUGIN_DIR);
    snprintf(opts, sizeof opts,
             "{\"role\": \"%s\", \"image\": \"hpolab:test\", "
             "\"bucket\": \"smb\"}",
             role);
    const char *argv[] = {HPOLAB_TEST_CLI, "plugin", "check", so,
                          "--options", opts, NULL};
    const char *no_role_env[] = {"AWS_ROLE=", NULL};
    struct cmd_out c;
    if (lt_run(tmp, argv, no_role_env, &c) != 0)
        fail_msg("plugin check: %d\n%s\n%s", c.rc, c.out, c.err);
    cmd_out_free(&c);
    /* without a role: refused with one line naming what to set */
    const char *argv2[] = {HPOLAB_TEST_CLI, "plugin", "check", so,
                           "--options",
                           "{\"image\": \"hpolab:test\", \"bucket\": "
                           "\"smb\"}",
                           NULL};
    assert_int_not_equal(lt_run(tmp, argv2, no_role_env, &c), 0);
    if (!strstr(c.out, "AWS_ROLE") && !strstr(c.err, "AWS_ROLE"))
        fail_msg("no hint to set AWS_ROLE:\n%s\n%s", c.out, c.err);
    cmd_out_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asha_with_faults),
        cmocka_unit_test(test_failure_reason),
        cmocka_unit_test(test_end_stops_job),
        cmocka_unit_test(test_asha_stopping),
        cmocka_unit_test(test_plugin_check),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
