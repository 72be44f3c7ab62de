/* test_aws_config.c: what the client reads before it sends anything: the
 * shared files, the credential chain (environment, profile, container
 * endpoint and IMDSv2 on a loopback stand-in), region and endpoint
 * resolution, and the one-line errors for what is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws_credentials.h"
#include "aws_endpoint.h"
#include "aws_ini.h"
#include "aws_profile.h"
#include "aws_fixture.h"
#include "fsutil.h"

static char tmp[512];
static struct aws_server standin;

static int setup(void **state)
{
    (void)state;
    aws_tmpdir(tmp);
    return aws_standin_start(&standin);
}

static int teardown(void **state)
{
    (void)state;
    aws_standin_stop(&standin);
    aws_rmtree(tmp);
    return 0;
}

static int each(void **state)
{
    (void)state;
    aws_env_clean(tmp);
    char p[700];
    snprintf(p, sizeof p, "%s/aws-credentials", tmp);
    remove(p);
    snprintf(p, sizeof p, "%s/aws-config", tmp);
    remove(p);
    return 0;
}

static void write_file(const char *name, const char *text)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", tmp, name);
    assert_int_equal(hpolab_write_file_atomic(p, text, strlen(text), NULL),
                     HPOLAB_OK);
}

static void test_ini(void **state)
{
    (void)state;
    json_t *j = NULL;
    const char *text = "# comment\n[default]\nregion = us-west-2\n"
                       "; other comment\n[profile dev]\n  region=eu-west-1 \n"
                       "s3 =\n  addressing_style = path\n"
                       "[services local]\ns3 =\n  endpoint_url = http://x:1\n";
    assert_int_equal(hpolab_aws_ini_parse(text, "config", &j, NULL), HPOLAB_OK);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "default"), "region")),
                        "us-west-2");
    json_t *dev = json_object_get(j, "profile dev");
    assert_non_null(dev);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(dev, "s3"), "addressing_style")),
                        "path");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(j, "services local"),
                                            "s3"),
                            "endpoint_url")),
                        "http://x:1");
    json_decref(j);
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_ini_parse("key = before any section\n",
                                          "creds", &j, &err),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "creds: line 1"));
    /* the error never quotes the line: it could hold a secret */
    assert_int_equal(hpolab_aws_ini_parse("[a]\nsecretvalue-no-equals\n",
                                          "creds", &j, &err),
                     HPOLAB_ERR_PARSE);
    assert_null(strstr(err.message, "secretvalue"));
}

static void test_env_credentials_win(void **state)
{
    (void)state;
    write_file("aws-credentials",
               "[default]\naws_access_key_id = AKIDFILE\n"
               "aws_secret_access_key = filesecret\n");
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    struct hpolab_aws_profile p;
    struct hpolab_aws_credentials c;
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_profile_load(NULL, &p, &err), HPOLAB_OK);
    assert_int_equal(hpolab_aws_credentials_resolve(&p, &c, &err), HPOLAB_OK);
    assert_string_equal(c.access_key_id, "AKIDENV");
    assert_string_equal(c.session_token, "envtoken");
    assert_string_equal(c.source, "environment");
    hpolab_aws_credentials_free(&c);
    /* half a pair is an error that names the other half */
    unsetenv("AWS_SECRET_ACCESS_KEY");
    assert_int_equal(hpolab_aws_credentials_resolve(&p, &c, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "AWS_SECRET_ACCESS_KEY is not"));
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SESSION_TOKEN");
    assert_int_equal(hpolab_aws_credentials_resolve(&p, &c, &err), HPOLAB_OK);
    assert_string_equal(c.access_key_id, "AKIDFILE");
    assert_null(c.session_token);
    hpolab_aws_credentials_free(&c);
    hpolab_aws_profile_free(&p);
}

static void test_profile_files(void **state)
{
    (void)state;
    write_file("aws-credentials",
               "[dev]\naws_access_key_id = AKIDDEV\n"
               "aws_secret_access_key = devsecret\n"
               "aws_session_token = devtoken\n");
    write_file("aws-config",
               "[profile dev]\nregion = eu-west-1\n"
               "aws_access_key_id = AKIDCONFIG\n"
               "[profile cfgonly]\naws_access_key_id = AKIDCFG\n"
               "aws_secret_access_key = cfgsecret\n"
               "[profile role]\nrole_arn = arn:aws:iam::1:role/r\n"
               "source_profile = dev\n");
    setenv("AWS_PROFILE", "dev", 1);
    struct hpolab_aws_profile p;
    struct hpolab_aws_credentials c;
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_profile_load(NULL, &p, &err), HPOLAB_OK);
    assert_int_equal(hpolab_aws_credentials_resolve(&p, &c, &err), HPOLAB_OK);
    /* the credentials file wins over config for the same profile */
    assert_string_equal(c.access_key_id, "AKIDDEV");
    assert_string_equal(c.session_token, "devtoken");
    hpolab_aws_credentials_free(&c);
    char *region = NULL;
    const char *src;
    assert_int_equal(hpolab_aws_region_resolve(&p, NULL, &region, &src, &err),
                     HPOLAB_OK);
    assert_string_equal(region, "eu-west-1");
    free(region);
    setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
    assert_int_equal(hpolab_aws_region_resolve(&p, NULL, &region, &src, &err),
                     HPOLAB_OK);
    assert_string_equal(region, "ap-south-1");
    free(region);
    setenv("AWS_REGION", "us-east-2", 1);
    assert_int_equal(hpolab_aws_region_resolve(&p, NULL, &region, &src, &err),
                     HPOLAB_OK);
    assert_string_equal(region, "us-east-2");
    assert_string_equal(src, "AWS_REGION");
    free(region);
    assert_int_equal(hpolab_aws_region_resolve(&p, "sa-east-1", &region, &src,
                                               &err),
                     HPOLAB_OK);
    assert_string_equal(region, "sa-east-1");
    free(region);
    hpolab_aws_profile_free(&p);

    /* keys only in config */
    assert_int_equal(hpolab_aws_profile_load("cfgonly", &p, &err), HPOLAB_OK);
    assert_int_equal(hpolab_aws_credentials_resolve(&p, &c, &err), HPOLAB_OK);
    assert_string_equal(c.access_key_id, "AKIDCFG");
    hpolab_aws_credentials_free(&c);
    hpolab_aws_profile_free(&p);

    /* role chaining is not supported, and says so */
    assert_int_equal(hpolab_aws_profile_load("role", &p, &err), HPOLAB_OK);
    assert_int_equal(hpolab_aws_credentials_resolve(&p, &c, &err),
                     HPOLAB_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "role_arn"));
    hpolab_aws_profile_free(&p);

    /* a profile that does not exist names both files */
    assert_int_equal(hpolab_aws_profile_load("nope", &p, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "[nope]"));
    assert_non_null(strstr(err.message, "[profile nope]"));
    assert_non_null(strstr(err.message, "AWS_PROFILE"));
}

static void test_missing_region_and_credentials(void **state)
{
    (void)state;
    struct hpolab_aws_profile p;
    struct hpolab_aws_credentials c;
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_profile_load(NULL, &p, &err), HPOLAB_OK);
    char *region = NULL;
    assert_int_equal(hpolab_aws_region_resolve(&p, NULL, &region, NULL, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "set AWS_REGION"));
    assert_null(strchr(err.message, '\n'));
    assert_int_equal(hpolab_aws_credentials_resolve(&p, &c, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "set AWS_ACCESS_KEY_ID and "
                                        "AWS_SECRET_ACCESS_KEY"));
    setenv("AWS_REGION", "US_EAST_1", 1);
    assert_int_equal(hpolab_aws_region_resolve(&p, NULL, &region, NULL, &err),
                     HPOLAB_ERR_INVALID);
    hpolab_aws_profile_free(&p);
}

static void check_endpoint(const struct hpolab_aws_profile *p,
                           const char *service, const char *region,
                           const char *bucket, const char *base, int path)
{
    struct hpolab_aws_endpoint e;
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_endpoint_resolve(p, service, region, bucket,
                                                 &e, NULL, &err),
                     HPOLAB_OK);
    assert_string_equal(e.base, base);
    assert_int_equal(e.path_style, path);
    hpolab_aws_endpoint_free(&e);
}

static void test_endpoints(void **state)
{
    (void)state;
    write_file("aws-config",
               "[profile dev]\nendpoint_url = http://profile.example:9\n"
               "services = local\n"
               "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:4568\n");
    struct hpolab_aws_profile p;
    assert_int_equal(hpolab_aws_profile_load(NULL, &p, NULL), HPOLAB_OK);
    check_endpoint(&p, "s3", "us-west-2", "bkt",
                   "https://bkt.s3.us-west-2.amazonaws.com", 0);
    check_endpoint(&p, "s3", "us-west-2", "my.bkt",
                   "https://s3.us-west-2.amazonaws.com", 1);
    check_endpoint(&p, "sagemaker", "eu-west-1", NULL,
                   "https://api.sagemaker.eu-west-1.amazonaws.com", 0);
    check_endpoint(&p, "sts", "cn-north-1", NULL,
                   "https://sts.cn-north-1.amazonaws.com.cn", 0);
    check_endpoint(&p, "logs", "us-east-1", NULL,
                   "https://logs.us-east-1.amazonaws.com", 0);
    hpolab_aws_profile_free(&p);

    setenv("AWS_PROFILE", "dev", 1);
    assert_int_equal(hpolab_aws_profile_load(NULL, &p, NULL), HPOLAB_OK);
    check_endpoint(&p, "s3", "us-west-2", "bkt", "http://127.0.0.1:4568", 1);
    check_endpoint(&p, "sagemaker", "us-west-2", NULL,
                   "http://profile.example:9", 0 /* not S3 */ + 1);
    setenv("AWS_ENDPOINT_URL", "http://all.example:1/prefix/", 1);
    check_endpoint(&p, "s3", "us-west-2", "bkt", "http://all.example:1/prefix",
                   1);
    setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:18080", 1);
    check_endpoint(&p, "sagemaker", "us-west-2", NULL,
                   "http://127.0.0.1:18080", 1);
    check_endpoint(&p, "sts", "us-west-2", NULL, "http://all.example:1/prefix",
                   1);
    struct hpolab_aws_endpoint e;
    assert_int_equal(hpolab_aws_endpoint_resolve(&p, "s3", "us-west-2", "b",
                                                 &e, NULL, NULL),
                     HPOLAB_OK);
    assert_string_equal(e.host, "all.example:1");
    assert_string_equal(e.prefix, "/prefix");
    hpolab_aws_endpoint_free(&e);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    check_endpoint(&p, "sagemaker", "us-west-2", NULL,
                   "https://api.sagemaker.us-west-2.amazonaws.com", 0);
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    setenv("AWS_ENDPOINT_URL_S3", "ftp://x", 1);
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_endpoint_resolve(&p, "s3", "us-west-2", "b",
                                                 &e, NULL, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "AWS_ENDPOINT_URL_S3"));
    hpolab_aws_profile_free(&p);
}

static void test_container_credentials(void **state)
{
    (void)state;
    assert_int_equal(aws_standin_post(&standin, "/__reset", "", NULL, 0), 200);
    assert_int_equal(aws_standin_post(&standin, "/__config",
                                      "{\"auth\":\"Bearer tok-42\","
                                      "\"secret\":\"ctr-secret\"}",
                                      NULL, 0),
                     200);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/container-creds",
             standin.port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    write_file("ctoken", "Bearer tok-42\n");
    char tf[700];
    snprintf(tf, sizeof tf, "%s/ctoken", tmp);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tf, 1);
    struct hpolab_aws_credentials c;
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_credentials_resolve(NULL, &c, &err), HPOLAB_OK);
    assert_string_equal(c.access_key_id, "ASIACONTAINER1");
    assert_string_equal(c.secret_access_key, "ctr-secret");
    assert_string_equal(c.session_token, "standin-token");
    assert_true(c.expiration > 0);
    hpolab_aws_credentials_free(&c);
    /* a wrong authorization token is refused by the endpoint */
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong", 1);
    assert_int_not_equal(hpolab_aws_credentials_resolve(NULL, &c, &err),
                         HPOLAB_OK);
    assert_non_null(strstr(err.message, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    /* plain http only to loopback and the ECS addresses */
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
    assert_int_equal(hpolab_aws_credentials_resolve(NULL, &c, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "loopback"));
}

static void test_imds(void **state)
{
    (void)state;
    assert_int_equal(aws_standin_post(&standin, "/__reset", "", NULL, 0), 200);
    assert_int_equal(aws_standin_post(&standin, "/__config",
                                      "{\"secret\":\"imds-secret\"}", NULL, 0),
                     200);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", standin.port);
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
    struct hpolab_aws_credentials c;
    struct hpolab_error err;
    if (hpolab_aws_credentials_resolve(NULL, &c, &err) != HPOLAB_OK)
        fail_msg("IMDS: %s", err.message);
    assert_string_equal(c.access_key_id, "ASIAIMDSEXAMPLE");
    assert_string_equal(c.secret_access_key, "imds-secret");
    assert_string_equal(c.source, "IMDSv2");
    hpolab_aws_credentials_free(&c);
    char *region = NULL;
    assert_int_equal(hpolab_aws_imds_get("placement/region", &region, &err),
                     HPOLAB_OK);
    assert_string_equal(region, "eu-central-1");
    free(region);
    /* IMDSv1 only: works unless v1 is disabled */
    assert_int_equal(aws_standin_post(&standin, "/__config",
                                      "{\"imds_v1_only\":true}", NULL, 0),
                     200);
    if (hpolab_aws_credentials_resolve(NULL, &c, &err) != HPOLAB_OK)
        fail_msg("IMDSv1: %s", err.message);
    hpolab_aws_credentials_free(&c);
    setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
    assert_int_equal(hpolab_aws_credentials_resolve(NULL, &c, &err),
                     HPOLAB_ERR_NOT_FOUND);
    unsetenv("AWS_EC2_METADATA_V1_DISABLED");
    assert_int_equal(aws_standin_post(&standin, "/__config",
                                      "{\"imds_v1_only\":false}", NULL, 0),
                     200);
    /* disabled: not asked at all */
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    assert_int_equal(hpolab_aws_credentials_resolve(NULL, &c, &err),
                     HPOLAB_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ini, each),
        cmocka_unit_test_setup(test_env_credentials_win, each),
        cmocka_unit_test_setup(test_profile_files, each),
        cmocka_unit_test_setup(test_missing_region_and_credentials, each),
        cmocka_unit_test_setup(test_endpoints, each),
        cmocka_unit_test_setup(test_container_credentials, each),
        cmocka_unit_test_setup(test_imds, each),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
