/* test_aws_faults.c: faults injected by the loopback stand-in (standin.py
 * answers from a script): throttling, 500s, a dropped connection, expired
 * credentials, a region redirect, a wrong clock; each is retried or
 * reported in one line, an aborted multipart upload leaves no parts, and a
 * sentinel secret and token never reach a log line or an error. */
#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_client.h"
#include "aws_endpoint.h"
#include "aws_fixture.h"
#include "aws_s3.h"
#include "aws_sts.h"
#include "fsutil.h"
#include "log.h"

#define SENTINEL_SECRET "SENTINEL-SECRET-9f8e7d6c"
#define SENTINEL_TOKEN "SENTINEL-TOKEN-1a2b3c4d"

static char tmp[512];
static struct aws_server standin;
static char logbuf[1 << 16];
static size_t loglen;

static void sink(int32_t level, const char *line, void *user)
{
    (void)level;
    (void)user;
    size_t n = strlen(line);
    if (loglen + n + 2 < sizeof logbuf) {
        memcpy(logbuf + loglen, line, n);
        loglen += n;
        logbuf[loglen++] = '\n';
        logbuf[loglen] = '\0';
    }
}

static int setup(void **state)
{
    (void)state;
    aws_tmpdir(tmp);
    hpolab_log_set_sink(sink, NULL);
    hpolab_log_set_level(HPOLAB_LOG_DEBUG);
    return aws_standin_start(&standin);
}

static int teardown(void **state)
{
    (void)state;
    hpolab_log_set_sink(NULL, NULL);
    aws_standin_stop(&standin);
    aws_rmtree(tmp);
    return 0;
}

static int each(void **state)
{
    (void)state;
    aws_env_clean(tmp);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", standin.port);
    setenv("AWS_ENDPOINT_URL", url, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDFAULTS", 1);
    setenv("AWS_SECRET_ACCESS_KEY", SENTINEL_SECRET, 1);
    setenv("AWS_SESSION_TOKEN", SENTINEL_TOKEN, 1);
    loglen = 0;
    logbuf[0] = '\0';
    return aws_standin_post(&standin, "/__reset", "", NULL, 0) == 200 ? 0 : -1;
}

static void script(const char *json)
{
    assert_int_equal(aws_standin_post(&standin, "/__script", json, NULL, 0),
                     200);
}

/* [owned] the recorded requests. */
static json_t *recorded(void)
{
    static char buf[1 << 18];
    assert_int_equal(aws_standin_post(&standin, "/__log", "", buf, sizeof buf),
                     200);
    json_t *j = json_loads(buf, 0, NULL);
    assert_non_null(j);
    return j;
}

static const char *rec_header(json_t *log, size_t i, const char *name)
{
    return json_string_value(
        json_object_get(json_object_get(json_array_get(log, i), "headers"),
                        name));
}

static struct hpolab_aws_client *client(void)
{
    struct hpolab_aws_client *c = NULL;
    struct hpolab_error err;
    struct hpolab_aws_client_options o = {.retry_base_s = 0.01,
                                          .throttle_base_s = 0.02};
    if (hpolab_aws_client_create(&o, &c, &err) != HPOLAB_OK)
        fail_msg("client: %s", err.message);
    return c;
}

static void test_throttling_and_5xx_retried(void **state)
{
    (void)state;
    script("[{\"status\":503,\"body\":\"<Error><Code>SlowDown</Code>"
           "<Message>Please reduce your request rate.</Message></Error>\"},"
           "{\"status\":500,\"body\":\"<Error><Code>InternalError</Code>"
           "</Error>\"},{\"status\":200}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    assert_int_equal(hpolab_s3_put_buffer(c, "b", "k", "data", 4, NULL, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_aws_client_attempts(c), 3);
    assert_non_null(strstr(logbuf, "SlowDown; retry 1 of 2"));
    assert_non_null(strstr(logbuf, "InternalError; retry 2 of 2"));
    /* every attempt carried the body, and no content type nobody signed */
    json_t *log = recorded();
    assert_int_equal(json_array_size(log), 3);
    assert_null(rec_header(log, 2, "content-type"));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 2),
                                                        "len")),
                     4);
    json_decref(log);
    /* three 500s: reported after the last attempt */
    script("[{\"status\":500,\"body\":\"<Error><Code>InternalError</Code>"
           "<Message>We encountered an internal error.</Message></Error>\"},"
           "{\"status\":500,\"body\":\"<Error><Code>InternalError</Code>"
           "</Error>\"},{\"status\":500,\"body\":\"<Error><Code>InternalError"
           "</Code><Message>still broken</Message></Error>\"}]");
    assert_int_equal(hpolab_s3_put_buffer(c, "b", "k", "data", 4, NULL, &err),
                     HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, "PutObject s3://b/k: InternalError "
                                        "(HTTP 500, 3 attempts): still broken"));
    hpolab_aws_client_free(c);
}

static void test_json_protocol(void **state)
{
    (void)state;
    script("[{\"status\":400,\"body\":\"{\\\"__type\\\":\\\"ThrottlingException"
           "\\\",\\\"message\\\":\\\"Rate exceeded\\\"}\"},"
           "{\"status\":200,\"body\":\"{\\\"TrainingJobStatus\\\":\\\"Completed"
           "\\\",\\\"CreationTime\\\":1.6952E9}\"},"
           "{\"status\":400,\"headers\":{\"X-Amzn-ErrorType\":"
           "\"ValidationException:http://internal\"},\"body\":\"{\\\"__type\\\":"
           "\\\"com.amazon.coral.validate#ValidationException\\\",\\\"Message\\\":"
           "\\\"Requested resource not found.\\\"}\"}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    json_t *in = json_pack("{s:s}", "TrainingJobName", "job-1");
    json_t *out = NULL;
    assert_int_equal(hpolab_aws_json_call(c, HPOLAB_AWS_SAGEMAKER,
                                          "SageMaker.DescribeTrainingJob", in,
                                          &out, NULL, &err),
                     HPOLAB_OK);
    assert_string_equal(json_string_value(json_object_get(out, "TrainingJobStatus")),
                        "Completed");
    assert_true(json_number_value(json_object_get(out, "CreationTime")) ==
                1.6952e9);
    json_decref(out);
    json_t *log = recorded();
    assert_string_equal(rec_header(log, 1, "x-amz-target"),
                        "SageMaker.DescribeTrainingJob");
    assert_string_equal(rec_header(log, 1, "content-type"),
                        "application/x-amz-json-1.1");
    assert_non_null(strstr(rec_header(log, 1, "authorization"),
                           "/us-east-1/sagemaker/aws4_request"));
    assert_string_equal(rec_header(log, 1, "x-amz-security-token"),
                        SENTINEL_TOKEN);
    json_decref(log);
    /* a validation error is not retried */
    struct hpolab_aws_service_error svc;
    assert_int_equal(hpolab_aws_json_call(c, HPOLAB_AWS_SAGEMAKER,
                                          "SageMaker.DescribeTrainingJob", in,
                                          &out, &svc, &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(svc.code, "ValidationException");
    assert_non_null(strstr(err.message, "Requested resource not found."));
    assert_int_equal(hpolab_aws_client_attempts(c), 3);
    json_decref(in);
    hpolab_aws_client_free(c);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    script("[{\"drop\":true},{\"status\":200}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    assert_int_equal(hpolab_s3_delete(c, "b", "k", &err), HPOLAB_OK);
    assert_int_equal(hpolab_aws_client_attempts(c), 2);
    script("[{\"drop\":true},{\"drop\":true},{\"drop\":true}]");
    assert_int_equal(hpolab_s3_delete(c, "b", "k", &err), HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, "after 3 attempts"));
    hpolab_aws_client_free(c);
    /* nothing listening: refused, retried, then one line with the URL */
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
    c = client();
    assert_int_equal(hpolab_s3_delete(c, "b", "k", &err), HPOLAB_ERR_IO);
    assert_non_null(strstr(err.message, "http://127.0.0.1:1/b/k"));
    hpolab_aws_client_free(c);
}

static void test_wrong_clock(void **state)
{
    (void)state;
    /* the server's clock is an hour ahead of ours */
    script("[{\"status\":403,\"date_offset\":3600,\"body\":\"<Error><Code>"
           "RequestTimeTooSkewed</Code><Message>The difference between the "
           "request time and the current time is too large.</Message>"
           "</Error>\"},{\"status\":200}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    assert_int_equal(hpolab_s3_put_buffer(c, "b", "k", "x", 1, NULL, &err),
                     HPOLAB_OK);
    assert_true(hpolab_aws_client_skew(c) > 3590 &&
                hpolab_aws_client_skew(c) < 3610);
    json_t *log = recorded();
    struct tm tm = {0};
    assert_non_null(strptime(rec_header(log, 1, "x-amz-date"), "%Y%m%dT%H%M%SZ",
                             &tm));
    double sent = (double)timegm(&tm);
    double now = (double)time(NULL);
    assert_true(sent - now > 3590 && sent - now < 3610);
    json_decref(log);
    assert_non_null(strstr(logbuf, "the local clock is"));
    /* a second skew error in the same call is reported, not looped on */
    script("[{\"status\":403,\"date_offset\":-7200,\"body\":\"<Error><Code>"
           "RequestTimeTooSkewed</Code></Error>\"},{\"status\":403,"
           "\"date_offset\":-9000,\"body\":\"<Error><Code>"
           "RequestTimeTooSkewed</Code></Error>\"}]");
    assert_int_equal(hpolab_s3_put_buffer(c, "b", "k", "x", 1, NULL, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "RequestTimeTooSkewed"));
    hpolab_aws_client_free(c);
}

static void test_expired_credentials_refreshed(void **state)
{
    (void)state;
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/container-creds",
             standin.port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    assert_int_equal(aws_standin_post(&standin, "/__config",
                                      "{\"secret\":\"" SENTINEL_SECRET "\","
                                      "\"token\":\"" SENTINEL_TOKEN "\","
                                      "\"auth\":\"\"}",
                                      NULL, 0),
                     200);
    script("[{\"status\":400,\"body\":\"<Error><Code>ExpiredToken</Code>"
           "<Message>The provided token has expired.</Message></Error>\"},"
           "{\"status\":200}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    assert_int_equal(hpolab_s3_put_buffer(c, "b", "k", "x", 1, NULL, &err),
                     HPOLAB_OK);
    json_t *log = recorded();
    assert_non_null(strstr(rec_header(log, 0, "authorization"),
                           "Credential=ASIACONTAINER1/"));
    assert_non_null(strstr(rec_header(log, 1, "authorization"),
                           "Credential=ASIACONTAINER2/"));
    json_decref(log);
    /* expired again right after the refresh: reported with what to do */
    script("[{\"status\":400,\"body\":\"<Error><Code>ExpiredToken</Code>"
           "</Error>\"},{\"status\":400,\"body\":\"<Error><Code>ExpiredToken"
           "</Code></Error>\"}]");
    assert_int_equal(hpolab_s3_put_buffer(c, "b", "k", "x", 1, NULL, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "renew the credentials"));
    hpolab_aws_client_free(c);
}

static void test_region_redirect(void **state)
{
    (void)state;
    script("[{\"status\":301,\"headers\":{\"x-amz-bucket-region\":\"eu-west-1\"},"
           "\"body\":\"<Error><Code>PermanentRedirect</Code><Message>The bucket "
           "you are attempting to access must be addressed using the specified "
           "endpoint.</Message></Error>\"},{\"status\":200}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    assert_int_equal(hpolab_s3_put_buffer(c, "eu-bucket", "k", "x", 1, NULL,
                                          &err),
                     HPOLAB_OK);
    /* the next call goes to the learned region directly */
    assert_int_equal(hpolab_s3_delete(c, "eu-bucket", "k", &err), HPOLAB_OK);
    json_t *log = recorded();
    assert_int_equal(json_array_size(log), 3);
    assert_non_null(strstr(rec_header(log, 0, "authorization"),
                           "/us-east-1/s3/aws4_request"));
    assert_non_null(strstr(rec_header(log, 1, "authorization"),
                           "/eu-west-1/s3/aws4_request"));
    assert_non_null(strstr(rec_header(log, 2, "authorization"),
                           "/eu-west-1/s3/aws4_request"));
    json_decref(log);
    assert_non_null(strstr(logbuf, "set AWS_REGION=eu-west-1"));
    /* a bucket in another region that still refuses: one line, what to set */
    script("[{\"status\":400,\"headers\":{\"x-amz-bucket-region\":\"ap-south-1\"},"
           "\"body\":\"<Error><Code>AuthorizationHeaderMalformed</Code><Region>"
           "ap-south-1</Region></Error>\"},{\"status\":400,\"headers\":"
           "{\"x-amz-bucket-region\":\"ap-south-1\"},\"body\":\"<Error><Code>"
           "AuthorizationHeaderMalformed</Code></Error>\"}]");
    assert_int_equal(hpolab_s3_put_buffer(c, "ap-bucket", "k", "x", 1, NULL,
                                          &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "bucket ap-bucket is in region "
                                        "ap-south-1"));
    assert_non_null(strstr(err.message, "set AWS_REGION=ap-south-1"));
    hpolab_aws_client_free(c);
}

static void test_multipart_abort(void **state)
{
    (void)state;
    char file[700];
    snprintf(file, sizeof file, "%s/mp.bin", tmp);
    size_t size = 6 * 1024 * 1024;
    char *data = calloc(1, size);
    assert_int_equal(hpolab_write_file_atomic(file, data, size, NULL),
                     HPOLAB_OK);
    free(data);
    script("[{\"status\":200,\"body\":\"<InitiateMultipartUploadResult><Bucket>b"
           "</Bucket><Key>k</Key><UploadId>up/1+x=</UploadId>"
           "</InitiateMultipartUploadResult>\"},"
           "{\"status\":200,\"headers\":{\"ETag\":\"\\\"e1\\\"\"}},"
           "{\"status\":400,\"body\":\"<Error><Code>InvalidPart</Code></Error>\"},"
           "{\"status\":204}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    struct hpolab_s3_put_options o = {.multipart_threshold = 5 << 20,
                                      .part_size = 5 << 20};
    assert_int_not_equal(hpolab_s3_put_file(c, "b", "k", file, &o, NULL, &err),
                         HPOLAB_OK);
    assert_non_null(strstr(err.message, "UploadPart 2/2"));
    json_t *log = recorded();
    assert_int_equal(json_array_size(log), 4);
    json_t *first = json_array_get(log, 0);
    assert_string_equal(json_string_value(json_object_get(first, "path")),
                        "/b/k?uploads=");
    json_t *last = json_array_get(log, 3);
    assert_string_equal(json_string_value(json_object_get(last, "method")),
                        "DELETE");
    assert_string_equal(json_string_value(json_object_get(last, "path")),
                        "/b/k?uploadId=up%2F1%2Bx%3D");
    json_decref(log);
    hpolab_aws_client_free(c);
}

static void test_list_token_loop_stops(void **state)
{
    (void)state;
    const char *page =
        "{\"status\":200,\"body\":\"<ListBucketResult><IsTruncated>true"
        "</IsTruncated><NextContinuationToken>same/tok=</NextContinuationToken>"
        "<Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>\"}";
    char scr[1024];
    snprintf(scr, sizeof scr, "[%s,%s,%s]", page, page, page);
    script(scr);
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    struct hpolab_s3_list l;
    assert_int_equal(hpolab_s3_list(c, "b", "p/", 0, &l, &err),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "repeats the previous continuation"));
    json_t *log = recorded();
    assert_int_equal(json_array_size(log), 2);
    /* the token went back encoded */
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_array_get(log, 1), "path")),
                           "continuation-token=same%2Ftok%3D"));
    json_decref(log);
    hpolab_aws_client_free(c);
}

static void test_sts_default_bucket(void **state)
{
    (void)state;
    script("[{\"status\":200,\"body\":\"<GetCallerIdentityResponse xmlns="
           "\\\"https://sts.amazonaws.com/doc/2011-06-15/\\\"><GetCallerIdentityResult>"
           "<Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>AIDA</UserId>"
           "<Account>123456789012</Account></GetCallerIdentityResult>"
           "</GetCallerIdentityResponse>\"},"
           "{\"status\":200,\"body\":\"<GetCallerIdentityResponse>"
           "<GetCallerIdentityResult><Account>12</Account>"
           "</GetCallerIdentityResult></GetCallerIdentityResponse>\"}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    char *bucket = NULL;
    assert_int_equal(hpolab_aws_default_bucket(c, &bucket, &err), HPOLAB_OK);
    assert_string_equal(bucket, "sagemaker-us-east-1-123456789012");
    free(bucket);
    json_t *log = recorded();
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(log, 0), "method")),
                        "POST");
    assert_non_null(strstr(rec_header(log, 0, "authorization"),
                           "/us-east-1/sts/aws4_request"));
    assert_non_null(strstr(rec_header(log, 0, "content-type"),
                           "application/x-www-form-urlencoded"));
    json_decref(log);
    assert_int_equal(hpolab_aws_default_bucket(c, &bucket, &err),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "set --bucket"));
    hpolab_aws_client_free(c);
}

/* TLS is verified: a self-signed endpoint fails (once, no retries) with
 * what to set, and works once AWS_CA_BUNDLE names its certificate. */
static void test_tls_verified(void **state)
{
    (void)state;
    char cert[700], key[700];
    snprintf(cert, sizeof cert, "%s/cert.pem", tmp);
    snprintf(key, sizeof key, "%s/key.pem", tmp);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execlp("openssl", "openssl", "req", "-x509", "-newkey", "rsa:2048",
               "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj",
               "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
               (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct aws_server tls;
    assert_int_equal(aws_standin_start_tls(&tls, cert, key), 0);
    char url[64];
    snprintf(url, sizeof url, "https://127.0.0.1:%d", tls.port);
    setenv("AWS_ENDPOINT_URL", url, 1);
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    int32_t st = hpolab_s3_put_buffer(c, "b", "k", "x", 1, NULL, &err);
    long attempts = hpolab_aws_client_attempts(c);
    hpolab_aws_client_free(c);
    setenv("AWS_CA_BUNDLE", cert, 1);
    c = client();
    struct hpolab_error err2;
    int32_t st2 = hpolab_s3_put_buffer(c, "b", "k", "x", 1, NULL, &err2);
    hpolab_aws_client_free(c);
    unsetenv("AWS_CA_BUNDLE");
    aws_standin_stop(&tls);
    assert_int_equal(st, HPOLAB_ERR_IO);
    assert_int_equal(attempts, 1);
    assert_non_null(strstr(err.message, "set AWS_CA_BUNDLE"));
    if (st2 != HPOLAB_OK)
        fail_msg("with AWS_CA_BUNDLE: %s", err2.message);
}

/* Runs last: everything logged (at DEBUG) so far in this program. */
static void test_no_credential_in_logs(void **state)
{
    (void)state;
    script("[{\"status\":403,\"body\":\"<Error><Code>SignatureDoesNotMatch"
           "</Code><StringToSign>AWS4-HMAC-SHA256</StringToSign></Error>\"}]");
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    assert_int_not_equal(hpolab_s3_put_buffer(c, "b", "k", "x", 1, NULL, &err),
                         HPOLAB_OK);
    assert_null(strstr(err.message, SENTINEL_SECRET));
    assert_null(strstr(err.message, SENTINEL_TOKEN));
    assert_true(loglen > 0);
    assert_non_null(strstr(logbuf, "aws: PUT http://127.0.0.1:"));
    assert_null(strstr(logbuf, SENTINEL_SECRET));
    assert_null(strstr(logbuf, SENTINEL_TOKEN));
    hpolab_aws_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_throttling_and_5xx_retried, each),
        cmocka_unit_test_setup(test_json_protocol, each),
        cmocka_unit_test_setup(test_dropped_connection, each),
        cmocka_unit_test_setup(test_wrong_clock, each),
        cmocka_unit_test_setup(test_expired_credentials_refreshed, each),
        cmocka_unit_test_setup(test_region_redirect, each),
        cmocka_unit_test_setup(test_multipart_abort, each),
        cmocka_unit_test_setup(test_list_token_loop_stops, each),
        cmocka_unit_test_setup(test_sts_default_bucket, each),
        cmocka_unit_test_setup(test_tls_verified, each),
        cmocka_unit_test_setup(test_no_credential_in_logs, each),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
