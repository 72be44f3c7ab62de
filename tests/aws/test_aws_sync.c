/* test_aws_sync.c: hpolab_s3_sync_tag against the signature-verifying S3
 * server (layout, filters, unchanged files, --all), and `hpolab sync` as a
 * process: its bad-input lines, and a sentinel secret and session token
 * that appear in no output and no written file. */
#include <dirent.h>
#include <fcntl.h>
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

#include "aws_client.h"
#include "aws_fixture.h"
#include "aws_s3.h"
#include "aws_s3_sync.h"
#include "fsutil.h"

#define SENTINEL_SECRET "SENTINEL-SECRET-5e6f7a8b"
#define SENTINEL_TOKEN "SENTINEL-TOKEN-c0ffee42"

static char tmp[512];
static struct aws_server s3, standin;

static int setup(void **state)
{
    (void)state;
    aws_tmpdir(tmp);
    if (aws_s3_server_start(&s3, "results") != 0)
        return -1;
    return aws_standin_start(&standin);
}

static int teardown(void **state)
{
    (void)state;
    aws_s3_server_stop(&s3);
    aws_standin_stop(&standin);
    aws_rmtree(tmp);
    return 0;
}

static void use_s3rver(void)
{
    aws_env_clean(tmp);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s3.port);
    setenv("AWS_ENDPOINT_URL_S3", url, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
}

static char *read_text(const char *path)
{
    char *d = NULL;
    size_t n;
    if (hpolab_read_file(path, &d, &n, NULL) != HPOLAB_OK)
        return NULL;
    return d;
}

static void test_sync_layout(void **state)
{
    (void)state;
    use_s3rver();
    struct hpolab_aws_client *c;
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_client_create(NULL, &c, &err), HPOLAB_OK);
    const char *files[][2] = {
        {"hpolab/study1/RS-0/study1-b-0-x/metadata.json", "{\"m\":1}"},
        {"hpolab/study1/RS-0/study1-b-0-x/results.csv.zip", "zip-bytes-1"},
        {"hpolab/study1/RS-0/study1-b-0-x/checkpoints/3/ck.bin", "ck"},
        {"hpolab/study1/ASHA-1/study1-b-1-y/metadata.json", "{\"m\":2}"},
        {"hpolab/study1/ASHA-1/study1-b-1-y/results.csv.zip", "zip-bytes-2"},
        {"hpolab/study10/RS-0/other/metadata.json", "{\"not\":\"mine\"}"},
    };
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(hpolab_s3_put_buffer(c, "results", files[i][0],
                                              files[i][1],
                                              strlen(files[i][1]), NULL, &err),
                         HPOLAB_OK);
    char root[700];
    snprintf(root, sizeof root, "%s/res", tmp);
    struct hpolab_s3_sync_options o = {
        .bucket = "results", .tag = "study1", .results_dir = root};
    struct hpolab_s3_sync_result r;
    assert_int_equal(hpolab_s3_sync_tag(c, &o, &r, &err), HPOLAB_OK);
    assert_int_equal(r.listed, 5);
    assert_int_equal(r.downloaded, 4);
    for (size_t i = 0; i < 6; i++) {
        char p[900];
        snprintf(p, sizeof p, "%s/%s", root, files[i][0] + 7);
        char *t = read_text(p);
        if (i == 2 || i == 5) {
            assert_null(t); /* checkpoint without --all; another tag */
        } else {
            assert_non_null(t);
            assert_string_equal(t, files[i][1]);
            free(t);
        }
    }
    /* again: nothing changed, nothing downloaded */
    assert_int_equal(hpolab_s3_sync_tag(c, &o, &r, &err), HPOLAB_OK);
    assert_int_equal(r.downloaded, 0);
    assert_int_equal(r.unchanged, 4);
    /* a local file with other bytes of the same size is replaced */
    char p[900];
    snprintf(p, sizeof p, "%s/study1/RS-0/study1-b-0-x/results.csv.zip", root);
    assert_int_equal(hpolab_write_file_atomic(p, "zip-bytes-X", 11, NULL),
                     HPOLAB_OK);
    o.all = 1;
    assert_int_equal(hpolab_s3_sync_tag(c, &o, &r, &err), HPOLAB_OK);
    assert_int_equal(r.downloaded, 2); /* the changed file and the checkpoint */
    char *t = read_text(p);
    assert_string_equal(t, "zip-bytes-1");
    free(t);
    /* a tag with no results */
    o.tag = "nothing-here";
    assert_int_equal(hpolab_s3_sync_tag(c, &o, &r, &err), HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "s3://results/hpolab/nothing-here/"));
    o.tag = "bad_tag";
    assert_int_equal(hpolab_s3_sync_tag(c, &o, &r, &err), HPOLAB_ERR_INVALID);
    hpolab_aws_client_free(c);
}

/* Runs `hpolab sync args...` with stdout/stderr to files in tmp; returns
 * the exit status and the two outputs [owned]. */
static int run_sync(char *const extra[], char **out, char **errs)
{
    char bin[600], o[700], e[700];
    snprintf(bin, sizeof bin, "%s/bin/hpolab", HPOLAB_TEST_BINARY_DIR);
    snprintf(o, sizeof o, "%s/out.txt", tmp);
    snprintf(e, sizeof e, "%s/err.txt", tmp);
    char *argv[16] = {bin, "sync"};
    size_t n = 2;
    for (size_t i = 0; extra[i] && n < 15; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(bin, argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    *out = read_text(o);
    *errs = read_text(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

static void test_sync_command_bad_input(void **state)
{
    (void)state;
    aws_env_clean(tmp);
    char rd[700];
    snprintf(rd, sizeof rd, "--results_dir=%s/cmd", tmp);
    char *out, *errs;
    /* no region */
    setenv("AWS_ACCESS_KEY_ID", "AKIDX", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "x", 1);
    char *a1[] = {"study1", "--bucket", "b", rd, NULL};
    assert_int_equal(run_sync(a1, &out, &errs), 2);
    assert_int_equal(count_lines(errs), 1);
    assert_non_null(strstr(errs, "set AWS_REGION"));
    free(out);
    free(errs);
    /* no credentials */
    setenv("AWS_REGION", "us-east-1", 1);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    assert_int_equal(run_sync(a1, &out, &errs), 2);
    assert_int_equal(count_lines(errs), 1);
    assert_non_null(strstr(errs, "set AWS_ACCESS_KEY_ID and "
                                 "AWS_SECRET_ACCESS_KEY"));
    free(out);
    free(errs);
    /* no tag */
    char *a2[] = {"--bucket", "b", NULL};
    assert_int_equal(run_sync(a2, &out, &errs), 2);
    assert_non_null(strstr(errs, "expected the study TAG"));
    free(out);
    free(errs);
    /* a bucket in another region, behind an endpoint that keeps refusing */
    setenv("AWS_ACCESS_KEY_ID", "AKIDX", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "x", 1);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", standin.port);
    setenv("AWS_ENDPOINT_URL_S3", url, 1);
    assert_int_equal(aws_standin_post(&standin, "/__reset", "", NULL, 0), 200);
    const char *redirect =
        "{\"status\":301,\"headers\":{\"x-amz-bucket-region\":\"eu-north-1\"},"
        "\"body\":\"<Error><Code>PermanentRedirect</Code></Error>\"}";
    char scr[1024];
    snprintf(scr, sizeof scr, "[%s,%s]", redirect, redirect);
    assert_int_equal(aws_standin_post(&standin, "/__script", scr, NULL, 0), 200);
    assert_int_equal(run_sync(a1, &out, &errs), 2);
    assert_int_equal(count_lines(errs), 1);
    assert_non_null(strstr(errs, "set AWS_REGION=eu-north-1"));
    free(out);
    free(errs);
}

static int file_contains(const char *path, const char *needle)
{
    char *t = read_text(path);
    int found = t && strstr(t, needle);
    free(t);
    return found;
}

/* Every regular file under dir. */
static void assert_tree_clean(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = hpolab_path_join(dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            assert_tree_clean(p);
        else if (file_contains(p, SENTINEL_SECRET) ||
                 file_contains(p, SENTINEL_TOKEN))
            fail_msg("%s holds a credential", p);
        free(p);
    }
    closedir(d);
}

static void test_sync_command_no_credential_leaks(void **state)
{
    (void)state;
    aws_env_clean(tmp);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", standin.port);
    setenv("AWS_ENDPOINT_URL", url, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDSENTINEL", 1);
    setenv("AWS_SECRET_ACCESS_KEY", SENTINEL_SECRET, 1);
    setenv("AWS_SESSION_TOKEN", SENTINEL_TOKEN, 1);
    assert_int_equal(aws_standin_post(&standin, "/__reset", "", NULL, 0), 200);
    /* a listing, a throttled then good download, a refused download */
    const char *scr =
        "[{\"status\":200,\"body\":\"<ListBucketResult><IsTruncated>false"
        "</IsTruncated><Contents><Key>hpolab/leak/RS-0/e/metadata.json</Key>"
        "<Size>2</Size><ETag>&quot;x&quot;</ETag></Contents><Contents><Key>"
        "hpolab/leak/RS-1/e/metadata.json</Key><Size>2</Size></Contents>"
        "<Contents><Key>hpolab/leak/../escape/metadata.json</Key><Size>2"
        "</Size></Contents></ListBucketResult>\"},"
        "{\"status\":503,\"body\":\"<Error><Code>SlowDown</Code></Error>\"},"
        "{\"status\":200,\"body\":\"{}\"},"
        "{\"status\":403,\"body\":\"<Error><Code>SignatureDoesNotMatch</Code>"
        "<Message>The request signature we calculated does not match"
        "</Message><StringToSign>AWS4-HMAC-SHA256</StringToSign></Error>\"}]";
    assert_int_equal(aws_standin_post(&standin, "/__script", scr, NULL, 0), 200);
    char rd[700], root[700];
    snprintf(root, sizeof root, "%s/leak-results", tmp);
    snprintf(rd, sizeof rd, "--results_dir=%s", root);
    char *a[] = {"leak", "--bucket", "b", rd, "--verbose", NULL};
    char *out, *errs;
    int rc = run_sync(a, &out, &errs);
    assert_int_equal(rc, 2);
    assert_non_null(out);
    assert_non_null(errs);
    /* it did real work: one file written, one refused key, one failure */
    assert_non_null(strstr(out, "1 file downloaded"));
    assert_non_null(strstr(errs, "escape/metadata.json: not a plain path"));
    assert_non_null(strstr(errs, "SignatureDoesNotMatch"));
    assert_non_null(strstr(errs, "aws: GET http://127.0.0.1:"));
    assert_null(strstr(out, SENTINEL_SECRET));
    assert_null(strstr(out, SENTINEL_TOKEN));
    assert_null(strstr(errs, SENTINEL_SECRET));
    assert_null(strstr(errs, SENTINEL_TOKEN));
    char p[900];
    snprintf(p, sizeof p, "%s/leak/RS-0/e/metadata.json", root);
    assert_true(file_contains(p, "{}"));
    assert_tree_clean(root);
    free(out);
    free(errs);
}

/* Runs argv (the hpolab binary first) quietly; returns its exit status. */
static int run_quiet(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Uploads every file under dir as <prefix>/<relative path>. */
static void upload_tree(struct hpolab_aws_client *c, const char *dir,
                        const char *prefix, int *n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = hpolab_path_join(dir, e->d_name);
        char key[1024];
        snprintf(key, sizeof key, "%s/%s", prefix, e->d_name);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            upload_tree(c, p, key, n);
        } else {
            struct hpolab_error err;
            if (hpolab_s3_put_file(c, "results", key, p, NULL, NULL, &err) !=
                HPOLAB_OK)
                fail_msg("%s", err.message);
            (*n)++;
        }
        free(p);
    }
    closedir(d);
}

/* hpolab run -> results uploaded the way a SageMaker job's checkpoint sync
 * leaves them -> hpolab sync -> hpolab plot reads the synced study. */
static void test_run_sync_plot_cycle(void **state)
{
    (void)state;
    use_s3rver();
    char bin[600], study[600], r1[700], r2[700], out[800];
    snprintf(bin, sizeof bin, "%s/bin/hpolab", HPOLAB_TEST_BINARY_DIR);
    snprintf(study, sizeof study, "%s/examples/quickstart/study.json",
             HPOLAB_TEST_SOURCE_DIR);
    snprintf(r1, sizeof r1, "%s/cycle-run", tmp);
    snprintf(r2, sizeof r2, "%s/cycle-synced", tmp);
    snprintf(out, sizeof out, "%s/cycle-plot", tmp);
    char *run[] = {bin, "run", study, "--results_dir", r1,
                   "--experiment_tag", "cyc", "--num_seeds", "2",
                   "--max_num_evaluations", "4", NULL};
    assert_int_equal(run_quiet(run), 0);
    struct hpolab_aws_client *c;
    struct hpolab_error err;
    assert_int_equal(hpolab_aws_client_create(NULL, &c, &err), HPOLAB_OK);
    DIR *d = opendir(r1);
    assert_non_null(d);
    struct dirent *e;
    int experiments = 0, files = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "cyc-", 4) != 0)
            continue;
        /* cyc-synthetic-<seed>-<time>: the launcher's <method>-<seed> */
        char prefix[600], *p = hpolab_path_join(r1, e->d_name);
        snprintf(prefix, sizeof prefix, "hpolab/cyc/RS-%c/%s",
                 e->d_name[strlen("cyc-synthetic-")], e->d_name);
        upload_tree(c, p, prefix, &files);
        free(p);
        experiments++;
    }
    closedir(d);
    hpolab_aws_client_free(c);
    assert_int_equal(experiments, 2);
    assert_true(files > 4);
    char rd[760];
    snprintf(rd, sizeof rd, "--results_dir=%s", r2);
    char *sync[] = {bin, "sync", "cyc", "--bucket", "results", rd, NULL};
    assert_int_equal(run_quiet(sync), 0);
    char *plot[] = {bin, "plot", "cyc", "--results_dir", r2, "--output", out,
                    NULL};
    assert_int_equal(run_quiet(plot), 0);
    char csv[900];
    snprintf(csv, sizeof csv, "%s-summary.csv", out);
    char *summary = read_text(csv);
    assert_non_null(summary);
    assert_non_null(strstr(summary, "RS"));
    free(summary);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_layout),
        cmocka_unit_test(test_sync_command_bad_input),
        cmocka_unit_test(test_sync_command_no_credential_leaks),
        cmocka_unit_test(test_run_sync_plot_cycle),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
