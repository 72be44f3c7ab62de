/* test_sm_core.c: the SageMaker pieces without a server: DescribeTraining
 * Job / ListTrainingJobs answers parsed, SageMaker's job-name rule, the
 * CreateTrainingJob request against the members the AWS SDK sent (wire
 * capture), a slice's hyperparameters and checkpoint URI, the instance
 * table and its CSV override, the study folder packed, the cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws_sagemaker.h"
#include "fsutil.h"
#include "launch_plan.h"
#include "launch_sagemaker.h"
#include "pack_dir.h"

static char tmp[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/hpolab-aws-smcore-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", tmp, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void test_parse_describe(void **state)
{
    (void)state;
    const char *t =
        "{\"TrainingJobName\":\"a-b-1\",\"TrainingJobArn\":\"arn:x\","
        "\"TrainingJobStatus\":\"Failed\",\"SecondaryStatus\":"
        "\"MaxRuntimeExceeded\",\"FailureReason\":\"boom\",\"CreationTime\":"
        "1.6952E9,\"TrainingStartTime\":1695200010.5,\"TrainingEndTime\":"
        "1695200070,\"BillableTimeInSeconds\":60,\"ResourceConfig\":"
        "{\"InstanceType\":\"ml.m5.large\",\"InstanceCount\":1}}";
    struct hpolab_sm_job_info in;
    struct hpolab_error err;
    assert_int_equal(hpolab_sm_parse_describe(t, strlen(t), &in, &err),
                     HPOLAB_OK);
    assert_string_equal(in.name, "a-b-1");
    assert_string_equal(in.status, "Failed");
    assert_string_equal(in.secondary, "MaxRuntimeExceeded");
    assert_string_equal(in.failure, "boom");
    assert_string_equal(in.instance_type, "ml.m5.large");
    assert_true(in.creation == 1.6952e9);
    assert_true(in.start == 1695200010.5);
    assert_int_equal(in.billable_s, 60);
    assert_true(hpolab_sm_status_is_final(in.status));
    assert_false(hpolab_sm_status_is_final("Stopping"));

    const char *bad[] = {
        "{\"TrainingJobStatus\":\"Completed\"}",
        "{\"TrainingJobName\":\"a\",\"TrainingJobStatus\":\"Done\"}",
        "{\"TrainingJobName\":\"a\",\"TrainingJobStatus\":\"Completed\","
        "\"CreationTime\":\"yesterday\"}",
        "{\"TrainingJobName\":\"a\",\"TrainingJobStatus\":\"Completed\","
        "\"BillableTimeInSeconds\":-3}",
        "[1]", "{", ""};
    const char *want[] = {"TrainingJobName", "TrainingJobStatus",
                          "CreationTime", "BillableTimeInSeconds",
                          "expected a JSON object", "line", "line"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hpolab_sm_parse_describe(bad[i], strlen(bad[i]),
                                                  &in, &err),
                         HPOLAB_ERR_PARSE);
        if (!strstr(err.message, want[i]))
            fail_msg("case %zu: %s", i, err.message);
    }
}

static void test_parse_list(void **state)
{
    (void)state;
    const char *p1 =
        "{\"TrainingJobSummaries\":[{\"TrainingJobName\":\"j1\","
        "\"TrainingJobArn\":\"a\",\"CreationTime\":1,\"TrainingJobStatus\":"
        "\"InProgress\"},{\"TrainingJobName\":\"j2\",\"TrainingJobArn\":\"a\","
        "\"CreationTime\":2,\"TrainingJobStatus\":\"Stopped\","
        "\"TrainingEndTime\":9}],\"NextToken\":\"t1\"}";
    const char *p2 = "{\"TrainingJobSummaries\":[]}";
    struct hpolab_sm_job_list l = {0};
    char *tok = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_sm_parse_list(p1, strlen(p1), &l, &tok, &err),
                     HPOLAB_OK);
    assert_string_equal(tok, "t1");
    free(tok);
    assert_int_equal(hpolab_sm_parse_list(p2, strlen(p2), &l, &tok, &err),
                     HPOLAB_OK);
    assert_null(tok);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[1].name, "j2");
    assert_true(l.items[1].end == 9);
    const char *bad = "{\"TrainingJobSummaries\":[{\"TrainingJobName\":1}]}";
    assert_int_equal(hpolab_sm_parse_list(bad, strlen(bad), &l, &tok, &err),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "TrainingJobSummaries[0]"));
    hpolab_sm_job_list_free(&l);
}

static void test_job_names(void **state)
{
    (void)state;
    struct hpolab_error err;
    assert_int_equal(hpolab_sm_validate_name("tag-RS-0-ab12", &err), HPOLAB_OK);
    assert_int_equal(hpolab_sm_validate_name("a--b", &err), HPOLAB_OK);
    char long_name[80];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    assert_int_equal(hpolab_sm_validate_name(long_name, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "64 characters, SageMaker allows 1-63"));
    long_name[63] = '\0';
    assert_int_equal(hpolab_sm_validate_name(long_name, &err), HPOLAB_OK);
    assert_int_equal(hpolab_sm_validate_name("t-ASHA_BB-0-ab12", &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "character 7 ('_')"));
    assert_int_equal(hpolab_sm_validate_name("t.x", &err), HPOLAB_ERR_INVALID);
    assert_int_equal(hpolab_sm_validate_name("-t", &err), HPOLAB_ERR_INVALID);
    assert_int_equal(hpolab_sm_validate_name("t-", &err), HPOLAB_ERR_INVALID);
    assert_int_equal(hpolab_sm_validate_name("", &err), HPOLAB_ERR_INVALID);
}

/* Every member of our request is one the SDK sent, with the same JSON type
 * (the first line of the wire capture), hyperparameters are strings. */
static void test_create_request_shape(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/tests/aws/data/sdk_wire_capture.jsonl",
             HPOLAB_TEST_SOURCE_DIR);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char *line = NULL;
    size_t cap = 0;
    assert_true(getline(&line, &cap, fp) > 0);
    fclose(fp);
    json_t *cap_line = json_loads(line, 0, NULL);
    free(line);
    assert_non_null(cap_line);
    json_t *sdk = json_loads(
        json_string_value(json_object_get(cap_line, "body")), 0, NULL);
    assert_non_null(sdk);
    const char *hk[] = {"hpolab_mode", "lr"}, *hv[] = {"run", "0.1"};
    const char *tk[] = {"k"}, *tv[] = {"v"};
    const char *ek[] = {"FOO"}, *ev[] = {"bar"};
    struct hpolab_sm_create c = {
        .name = "st-demo", .image = "img", .role = "arn:aws:iam::1:role/R",
        .instance_type = "ml.m5.large", .max_runtime_s = 3600,
        .output_uri = "s3://b/out/", .checkpoint_uri = "s3://b/ck/",
        .code_uri = "s3://b/code/", .hp_keys = hk, .hp_values = hv, .n_hp = 2,
        .tag_keys = tk, .tag_values = tv, .n_tags = 1, .env_keys = ek,
        .env_values = ev, .n_env = 1};
    json_t *r;
    struct hpolab_error err;
    assert_int_equal(hpolab_sm_create_request(&c, &r, &err), HPOLAB_OK);
    const char *key;
    json_t *v;
    json_object_foreach(r, key, v)
    {
        json_t *s = json_object_get(sdk, key);
        if (!s)
            fail_msg("member %s was not in the SDK's request", key);
        assert_int_equal(json_typeof(s), json_typeof(v));
    }
    json_object_foreach(sdk, key, v)
        if (!json_object_get(r, key))
            fail_msg("member %s of the SDK's request is missing", key);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r, "HyperParameters"), "lr")),
                        "0.1");
    json_t *rc = json_object_get(r, "ResourceConfig");
    assert_int_equal(json_integer_value(json_object_get(rc, "InstanceCount")), 1);
    assert_int_equal(json_integer_value(json_object_get(rc, "VolumeSizeInGB")),
                     30);
    json_t *ch = json_array_get(json_object_get(r, "InputDataConfig"), 0);
    assert_string_equal(json_string_value(json_object_get(ch, "ChannelName")),
                        "code");
    json_decref(r);
    json_decref(sdk);
    json_decref(cap_line);
}

static void test_slice_hyperparameters(void **state)
{
    (void)state;
    struct hpolab_launch_plan p;
    hpolab_launch_plan_init(&p);
    p.tag = strdup("tg");
    p.suffix = strdup("Ab3x");
    p.study = strdup("/s/study.json");
    p.benchmark = strdup("bench");
    p.root = strdup("/r/tg");
    p.master_seed = 42;
    struct hpolab_error err;
    const char *fwd[] = {"--n_workers", "2"};
    assert_int_equal(hpolab_launch_plan_add(&p, "RS", 3, fwd, 2, &err),
                     HPOLAB_OK);
    char **k, **v;
    size_t n;
    assert_int_equal(hpolab_sm_slice_hyperparameters(&p, 0, "study.json", &k,
                                                     &v, &n, &err),
                     HPOLAB_OK);
    const char *wk[] = {"hpolab_mode", "hpolab_study", "experiment_tag",
                        "benchmark", "method", "start_seed", "num_seeds",
                        "random_seed", "n_workers"};
    const char *wv[] = {"run", "study.json", "tg", "bench", "RS", "3", "4",
                        "42", "2"};
    assert_int_equal(n, 9);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(k[i], wk[i]);
        assert_string_equal(v[i], wv[i]);
        free(k[i]);
        free(v[i]);
    }
    free(k);
    free(v);
    char *uri = hpolab_sm_checkpoint_uri("bk", &p, 0);
    assert_string_equal(uri, "s3://bk/hpolab/tg/RS-3/");
    free(uri);
    hpolab_launch_plan_free(&p);
}

static void test_instances(void **state)
{
    (void)state;
    unsetenv("HPOLAB_SAGEMAKER_PRICES");
    const struct hpolab_sm_instance *in =
        hpolab_sm_instance_find(HPOLAB_SM_DEFAULT_INSTANCE);
    assert_non_null(in);
    assert_int_equal(in->gpus, 0);
    assert_true(in->price_per_hour > 0);
    in = hpolab_sm_instance_find("ml.g4dn.12xlarge");
    assert_non_null(in);
    assert_int_equal(in->gpus, 4);
    assert_null(hpolab_sm_instance_find("ml.nope.large"));
    char csv[400];
    snprintf(csv, sizeof csv, "%s/prices.csv", tmp);
    FILE *fp = fopen(csv, "w");
    fputs("ml.nope.large, 8, 2, 1.5\nml.c5.4xlarge,16,0,2.0\n", fp);
    fclose(fp);
    setenv("HPOLAB_SAGEMAKER_PRICES", csv, 1);
    in = hpolab_sm_instance_find("ml.nope.large");
    assert_non_null(in);
    assert_int_equal(in->gpus, 2);
    assert_true(in->price_per_hour == 1.5);
    assert_true(hpolab_sm_instance_find("ml.c5.4xlarge")->price_per_hour == 2.0);
    unsetenv("HPOLAB_SAGEMAKER_PRICES");
}

static void put(const char *dir, const char *rel, const char *text)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(p, &err), HPOLAB_OK);
    *slash = '/';
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_pack(void **state)
{
    (void)state;
    char dir[400], out[400];
    snprintf(dir, sizeof dir, "%s/study", tmp);
    snprintf(out, sizeof out, "%s/code.tar.gz", tmp);
    put(dir, "study.json", "{}");
    put(dir, "scripts/train.sh", "#!/bin/sh\n");
    put(dir, ".git/config", "x");
    put(dir, "results/tg/launch.json", "{}");
    char skip[500];
    snprintf(skip, sizeof skip, "%s/results", dir);
    size_t n = 0;
    struct hpolab_error err;
    assert_int_equal(hpolab_pack_dir_targz(dir, skip, out, &n, &err),
                     HPOLAB_OK);
    assert_int_equal(n, 2);
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, out, 10240), ARCHIVE_OK);
    struct archive_entry *e;
    int seen = 0;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        if (!strcmp(name, "study.json"))
            seen |= 1;
        else if (!strcmp(name, "scripts/train.sh"))
            seen |= 2;
        else if (!strcmp(name, "scripts/"))
            seen |= 4;
        else
            fail_msg("unexpected entry %s", name);
    }
    assert_int_equal(seen, 7);
    archive_read_free(a);
    assert_int_equal(
        hpolab_pack_dir_targz("/nonexistent-hpolab", NULL, out, &n, &err),
        HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "/nonexistent-hpolab"));
}

static void test_cost(void **state)
{
    (void)state;
    struct hpolab_launch_plan p;
    hpolab_launch_plan_init(&p);
    p.tag = strdup("tg");
    p.suffix = strdup("Ab3x");
    p.study = strdup("/s/study.json");
    p.benchmark = strdup("bench");
    char root[400];
    snprintf(root, sizeof root, "%s/res/tg", tmp);
    p.root = strdup(root);
    struct hpolab_error err;
    assert_int_equal(hpolab_launch_plan_add(&p, "RS", 0, NULL, 0, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_launch_plan_add(&p, "RS", 1, NULL, 0, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_launch_plan_add(&p, "RS", 2, NULL, 0, &err),
                     HPOLAB_OK);
    put(p.slices[0].dir, HPOLAB_SM_STATE_NAME, "{\"billable_s\": 3600}");
    put(p.slices[1].dir, HPOLAB_SM_STATE_NAME, "{\"billable_s\": 1800}");
    /* slice 2: never submitted, no file */
    int64_t b;
    double cost;
    hpolab_sm_cost(&p, 2.0, &b, &cost);
    assert_int_equal(b, 5400);
    assert_true(cost > 2.999 && cost < 3.001);
    hpolab_sm_cost(&p, -1, &b, &cost);
    assert_true(cost < 0);
    hpolab_launch_plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_describe),
        cmocka_unit_test(test_parse_list),
        cmocka_unit_test(test_job_names),
        cmocka_unit_test(test_create_request_shape),
        cmocka_unit_test(test_slice_hyperparameters),
        cmocka_unit_test(test_instances),
        cmocka_unit_test(test_pack),
        cmocka_unit_test(test_cost),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
