/* test_host_ext_aws.c: the "hpolab_aws_v1" host extension as a plugin sees
 * it (through host->get_extension): S3 calls against the signature-checking
 * s3rver, JSON 1.1 calls and their error codes against the scripted
 * stand-in of tests/aws, the default bucket and region, and the errors a
 * plugin gets (the ctx message and the session's last_error). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <hpolab/ext_aws.h>

#include "aws_fixture.h"
#include "ctx.h"
#include "fsutil.h"
#include "host_api.h"
#include "host_ext_aws.h"
#include "pack_dir.h"

static struct aws_server s3, standin;
static char tmp[512];
static struct hpolab_ctx ctx;

static void use_s3(void)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s3.port);
    setenv("AWS_ENDPOINT_URL_S3", url, 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", standin.port);
    setenv("AWS_ENDPOINT_URL_SAGEMAKER", url, 1);
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", url, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    unsetenv("HPOLAB_S3_BUCKET");
}

static int setup(void **state)
{
    (void)state;
    aws_tmpdir(tmp);
    aws_env_clean(tmp);
    if (aws_s3_server_start(&s3, "extbucket") != 0 ||
        aws_standin_start(&standin) != 0) {
        fprintf(stderr, "could not start the loopback servers\n");
        return -1;
    }
    use_s3();
    hpolab_ctx_init(&ctx, "backend", "test", NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    aws_standin_stop(&standin);
    aws_s3_server_stop(&s3);
    aws_rmtree(tmp);
    return 0;
}

static const struct hpolab_ext_aws_v1 *ext(void)
{
    const struct hpolab_host_api *h = hpolab_host_api();
    return h->get_extension(&ctx, HPOLAB_EXT_AWS_V1);
}

static struct hpolab_aws_session *open_session(void)
{
    struct hpolab_aws_session *s = NULL;
    int32_t st = ext()->open(&ctx, NULL, NULL, &s);
    if (st != HPOLAB_OK)
        fail_msg("open: %s", ctx.err.message);
    return s;
}

static void test_lookup(void **state)
{
    (void)state;
    const struct hpolab_host_api *h = hpolab_host_api();
    const struct hpolab_ext_aws_v1 *a = ext();
    assert_non_null(a);
    assert_true(a->struct_size >= offsetof(struct hpolab_ext_aws_v1,
                                           last_error) +
                                      sizeof a->last_error);
    assert_null(h->get_extension(&ctx, "hpolab_aws_v2"));
    assert_null(h->get_extension(&ctx, NULL));
    /* the other extension is still found */
    assert_non_null(h->get_extension(&ctx, "hpolab_virtual_clock_v1"));
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

struct seen {
    char keys[8][128];
    uint64_t sizes[8];
    int n;
    int fail_at; /* answer an error for this call (1-based), 0: never */
};

static int32_t HPOLAB_ABI collect(void *user, const char *rel, uint64_t size)
{
    struct seen *s = user;
    if (s->n < 8) {
        snprintf(s->keys[s->n], sizeof s->keys[0], "%s", rel);
        s->sizes[s->n] = size;
    }
    s->n++;
    return s->fail_at && s->n == s->fail_at ? HPOLAB_ERR_IO : HPOLAB_OK;
}

static void test_s3_put_list_get_delete(void **state)
{
    (void)state;
    const struct hpolab_ext_aws_v1 *a = ext();
    struct hpolab_aws_session *s = open_session();
    char src[700], got[700];
    snprintf(src, sizeof src, "%s/up.txt", tmp);
    snprintf(got, sizeof got, "%s/down.txt", tmp);
    write_text(src, "checkpoint bytes");
    assert_int_equal(a->s3_put_file(&ctx, s, "s3://extbucket/p/t/1/ck.json",
                                    src),
                     HPOLAB_OK);
    assert_int_equal(a->s3_put_file(&ctx, s,
                                    "s3://extbucket/p/t/1/sub/x.bin", src),
                     HPOLAB_OK);
    assert_int_equal(a->s3_put_file(&ctx, s, "s3://extbucket/p/t/10/y", src),
                     HPOLAB_OK);
    struct seen seen = {0};
    assert_int_equal(a->s3_list(&ctx, s, "s3://extbucket/p/t/1/", collect,
                                &seen),
                     HPOLAB_OK);
    /* keys relative to the prefix, in key order; 10/ is not below 1/ */
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.keys[0], "ck.json");
    assert_string_equal(seen.keys[1], "sub/x.bin");
    assert_int_equal(seen.sizes[0], strlen("checkpoint bytes"));
    assert_int_equal(a->s3_get_file(&ctx, s, "s3://extbucket/p/t/1/ck.json",
                                    got),
                     HPOLAB_OK);
    char *data;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_read_file(got, &data, &len, &err), HPOLAB_OK);
    assert_int_equal(len, strlen("checkpoint bytes"));
    assert_memory_equal(data, "checkpoint bytes", len);
    free(data);
    assert_int_equal(a->s3_delete(&ctx, s, "s3://extbucket/p/t/1/ck.json"),
                     HPOLAB_OK);
    unlink(got);
    assert_int_equal(a->s3_get_file(&ctx, s, "s3://extbucket/p/t/1/ck.json",
                                    got),
                     HPOLAB_ERR_NOT_FOUND);
    assert_int_not_equal(access(got, F_OK), 0); /* no half file */
    assert_non_null(strstr(a->last_error(s), "p/t/1/ck.json"));
    /* a callback that fails stops the listing with its status */
    struct seen stop = {.fail_at = 1};
    assert_int_equal(a->s3_list(&ctx, s, "s3://extbucket/p/", collect, &stop),
                     HPOLAB_ERR_IO);
    assert_int_equal(stop.n, 1);
    assert_non_null(strstr(ctx.err.message, "stopped at"));
    /* a URI that is not one */
    assert_int_equal(a->s3_put_file(&ctx, s, "extbucket/k", src),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(a->last_error(s), "extbucket/k"));
    a->close(s);
}

/* tar -tzf path into out (names, one a line). */
static void tar_list(const char *path, char *out, size_t size)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execlp("tar", "tar", "-tzf", path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fds[0], out + n, size - n - 1)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_put_dir_targz(void **state)
{
    (void)state;
    const struct hpolab_ext_aws_v1 *a = ext();
    struct hpolab_aws_session *s = open_session();
    char dir[700], p[800];
    snprintf(dir, sizeof dir, "%s/study", tmp);
    mkdir(dir, 0755);
    snprintf(p, sizeof p, "%s/train.py", dir);
    write_text(p, "print('hi')\n");
    snprintf(p, sizeof p, "%s/lib", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/lib/util.py", dir);
    write_text(p, "x = 1\n");
    snprintf(p, sizeof p, "%s/link", dir);
    assert_int_equal(symlink("/etc/passwd", p), 0);
    assert_int_equal(a->s3_put_dir_targz(&ctx, s, dir,
                                         "s3://extbucket/src/sourcedir.tar.gz"),
                     HPOLAB_OK);
    char got[700];
    snprintf(got, sizeof got, "%s/got.tar.gz", tmp);
    assert_int_equal(a->s3_get_file(&ctx, s,
                                    "s3://extbucket/src/sourcedir.tar.gz",
                                    got),
                     HPOLAB_OK);
    char names[1024];
    tar_list(got, names, sizeof names);
    /* name order, folders before what they hold, links skipped */
    assert_string_equal(names, "lib/\nlib/util.py\ntrain.py\n");
    /* the same folder packs to the same bytes */
    char again[700];
    snprintf(again, sizeof again, "%s/again.tar.gz", tmp);
    struct hpolab_error err;
    assert_int_equal(hpolab_pack_dir_targz(dir, NULL, again, NULL, &err),
                     HPOLAB_OK);
    char *x, *y;
    size_t xl, yl;
    assert_int_equal(hpolab_read_file(got, &x, &xl, &err), HPOLAB_OK);
    assert_int_equal(hpolab_read_file(again, &y, &yl, &err), HPOLAB_OK);
    assert_int_equal(xl, yl);
    assert_memory_equal(x, y, xl);
    free(x);
    free(y);
    /* a missing folder */
    snprintf(p, sizeof p, "%s/nope", tmp);
    assert_int_equal(a->s3_put_dir_targz(&ctx, s, p, "s3://extbucket/k"),
                     HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(ctx.err.message, "nope"));
    a->close(s);
}

static void script(const char *json)
{
    char out[256];
    assert_int_equal(aws_standin_post(&standin, "/__reset", "", out,
                                      sizeof out),
                     200);
    assert_int_equal(aws_standin_post(&standin, "/__script", json, out,
                                      sizeof out),
                     200);
}

static void test_json_call(void **state)
{
    (void)state;
    const struct hpolab_ext_aws_v1 *a = ext();
    struct hpolab_aws_session *s = open_session();
    script("[{\"status\": 200, \"body\": \"{\\\"TrainingJobArn\\\": "
           "\\\"arn:aws:sagemaker:us-east-1:1:training-job/j\\\"}\"},"
           " {\"status\": 400, \"body\": \"{\\\"__type\\\": "
           "\\\"com.amazon.coral.validate#ValidationException\\\", "
           "\\\"message\\\": \\\"Requested resource not found.\\\"}\"},"
           " {\"status\": 200, \"body\": \"\"}]");
    char *out = NULL, code[64] = "junk";
    assert_int_equal(a->json_call(&ctx, s, "sagemaker",
                                  "SageMaker.CreateTrainingJob",
                                  "{\"TrainingJobName\": \"j\"}", &out, code,
                                  sizeof code),
                     HPOLAB_OK);
    assert_string_equal(code, "");
    assert_string_equal(out,
                        "{\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:"
                        "1:training-job/j\"}");
    hpolab_host_api()->free(out);
    out = (char *)"not touched";
    assert_int_not_equal(a->json_call(&ctx, s, "sagemaker",
                                      "SageMaker.DescribeTrainingJob",
                                      "{\"TrainingJobName\": \"j\"}", &out,
                                      code, sizeof code),
                         HPOLAB_OK);
    assert_null(out);
    assert_string_equal(code, "ValidationException");
    assert_non_null(strstr(ctx.err.message, "Requested resource not found"));
    assert_non_null(strstr(ctx.err.message, "SageMaker.DescribeTrainingJob"));
    assert_string_equal(a->last_error(s), ctx.err.message);
    /* an empty body is {} */
    assert_int_equal(a->json_call(&ctx, s, "logs",
                                  "Logs_20140328.GetLogEvents", "{}", &out,
                                  NULL, 0),
                     HPOLAB_OK);
    assert_string_equal(out, "{}");
    hpolab_host_api()->free(out);
    /* what reached the server: signed JSON 1.1 requests */
    char log[16384];
    assert_int_equal(aws_standin_post(&standin, "/__log", "", log,
                                      sizeof log),
                     200);
    assert_non_null(strstr(log, "\"x-amz-target\": "
                                "\"SageMaker.CreateTrainingJob\""));
    assert_non_null(strstr(log, "\"x-amz-target\": "
                                "\"Logs_20140328.GetLogEvents\""));
    assert_non_null(strstr(log, "application/x-amz-json-1.1"));
    assert_non_null(strstr(log, "/us-east-1/logs/aws4_request"));
    assert_null(strstr(log, "S3RVER\\\"")); /* no secret in any header */
    /* input that is not an object is refused before any request */
    assert_int_equal(a->json_call(&ctx, s, "sagemaker", "SageMaker.X", "[1]",
                                  &out, code, sizeof code),
                     HPOLAB_ERR_PARSE);
    a->close(s);
}

static void test_region_account_bucket(void **state)
{
    (void)state;
    const struct hpolab_ext_aws_v1 *a = ext();
    setenv("HPOLAB_S3_BUCKET", "my-bucket", 1);
    struct hpolab_aws_session *s = open_session();
    assert_string_equal(a->region(s), "us-east-1");
    const char *bucket = NULL;
    assert_int_equal(a->default_bucket(&ctx, s, &bucket), HPOLAB_OK);
    assert_string_equal(bucket, "my-bucket");
    a->close(s);
    unsetenv("HPOLAB_S3_BUCKET");
    /* without it: sagemaker-<region>-<account>, the account from STS */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", standin.port);
    setenv("AWS_ENDPOINT_URL_STS", url, 1);
    script("[{\"status\": 200, \"body\": \"<GetCallerIdentityResponse><"
           "GetCallerIdentityResult><Account>210987654321</Account><Arn>"
           "arn:aws:iam::210987654321:user/x</Arn></GetCallerIdentityResult>"
           "</GetCallerIdentityResponse>\"}]");
    s = open_session();
    if (a->default_bucket(&ctx, s, &bucket) != HPOLAB_OK)
        fail_msg("default bucket: %s", ctx.err.message);
    assert_string_equal(bucket, "sagemaker-us-east-1-210987654321");
    const char *account = NULL;
    assert_int_equal(a->account(&ctx, s, &account), HPOLAB_OK);
    assert_string_equal(account, "210987654321"); /* asked once, kept */
    a->close(s);
    unsetenv("AWS_ENDPOINT_URL_STS");
}

static void test_open_without_credentials(void **state)
{
    (void)state;
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    struct hpolab_aws_session *s = (struct hpolab_aws_session *)&ctx;
    int32_t st = ext()->open(&ctx, NULL, NULL, &s);
    use_s3();
    assert_int_not_equal(st, HPOLAB_OK);
    assert_null(s);
    assert_non_null(strstr(ctx.err.message, "AWS_ACCESS_KEY_ID"));
    /* no session: refused, not a crash */
    char *out = NULL;
    assert_int_equal(ext()->json_call(&ctx, NULL, "sagemaker", "X", "{}",
                                      &out, NULL, 0),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(ext()->last_error(NULL), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_s3_put_list_get_delete),
        cmocka_unit_test(test_put_dir_targz),
        cmocka_unit_test(test_json_call),
        cmocka_unit_test(test_region_account_bucket),
        cmocka_unit_test(test_open_without_credentials),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
