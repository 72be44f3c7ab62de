/* test_aws_s3.c: S3 calls against @20minutes/s3rver on loopback, which
 * rejects a request whose SigV4 signature is wrong: put, get, head, list
 * (paginated), delete, multipart, and the errors a user sees. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aws_client.h"
#include "aws_fixture.h"
#include "aws_s3.h"
#include "fsutil.h"

static struct aws_server s3;
static char tmp[512];

static int setup(void **state)
{
    (void)state;
    aws_tmpdir(tmp);
    aws_env_clean(tmp);
    if (aws_s3_server_start(&s3, "testbucket") != 0) {
        fprintf(stderr, "could not start the S3 server\n");
        return -1;
    }
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s3.port);
    setenv("AWS_ENDPOINT_URL_S3", url, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    aws_s3_server_stop(&s3);
    aws_rmtree(tmp);
    return 0;
}

static struct hpolab_aws_client *client(void)
{
    struct hpolab_aws_client *c = NULL;
    struct hpolab_error err;
    struct hpolab_aws_client_options o = {.retry_base_s = 0.01};
    if (hpolab_aws_client_create(&o, &c, &err) != HPOLAB_OK)
        fail_msg("client: %s", err.message);
    return c;
}

static void test_put_get_head_delete(void **state)
{
    (void)state;
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    /* a key that needs encoding: space, '+', '$', '=', UTF-8 */
    const char *key = "dir one/a b+c$=\xc3\xa9.txt";
    const char *text = "hello world";
    assert_int_equal(hpolab_s3_put_buffer(c, "testbucket", key, text,
                                          strlen(text), "text/plain", &err),
                     HPOLAB_OK);
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    assert_int_equal(hpolab_s3_get_buffer(c, "testbucket", key, &b, &err),
                     HPOLAB_OK);
    assert_int_equal(b.len, strlen(text));
    assert_memory_equal(b.data, text, b.len);
    hpolab_buffer_free(&b);
    struct hpolab_s3_object o;
    assert_int_equal(hpolab_s3_head(c, "testbucket", key, &o, &err), HPOLAB_OK);
    assert_int_equal(o.size, strlen(text));
    assert_non_null(o.etag);
    /* md5("hello world") */
    assert_string_equal(o.etag, "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    hpolab_s3_object_free(&o);
    char file[700];
    snprintf(file, sizeof file, "%s/got.txt", tmp);
    assert_int_equal(hpolab_s3_get_file(c, "testbucket", key, file, &err),
                     HPOLAB_OK);
    char *data;
    size_t len;
    assert_int_equal(hpolab_read_file(file, &data, &len, NULL), HPOLAB_OK);
    assert_int_equal(len, strlen(text));
    free(data);
    assert_int_equal(hpolab_s3_delete(c, "testbucket", key, &err), HPOLAB_OK);
    assert_int_equal(hpolab_s3_head(c, "testbucket", key, &o, &err),
                     HPOLAB_ERR_NOT_FOUND);
    /* a missing key: no file, no .part left behind */
    char missing[700];
    snprintf(missing, sizeof missing, "%s/missing.txt", tmp);
    assert_int_equal(hpolab_s3_get_file(c, "testbucket", key, missing, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "NoSuchKey"));
    assert_int_equal(access(missing, F_OK), -1);
    strcat(missing, ".part");
    assert_int_equal(access(missing, F_OK), -1);
    /* deleting again succeeds, as in S3 */
    assert_int_equal(hpolab_s3_delete(c, "testbucket", key, &err), HPOLAB_OK);
    hpolab_aws_client_free(c);
}

static void test_list_paginated(void **state)
{
    (void)state;
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    const char *keys[] = {"list/a.txt", "list/b c.txt", "list/sub/c+d.txt",
                          "list/sub/e.txt", "list/z.txt"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(hpolab_s3_put_buffer(c, "testbucket", keys[i], "x",
                                              1, NULL, &err),
                         HPOLAB_OK);
    assert_int_equal(hpolab_s3_put_buffer(c, "testbucket", "other/x", "x", 1,
                                          NULL, &err),
                     HPOLAB_OK);
    struct hpolab_s3_list l;
    assert_int_equal(hpolab_s3_list(c, "testbucket", "list/", 2, &l, &err),
                     HPOLAB_OK);
    assert_int_equal(l.n, 5);
    assert_int_equal(l.pages, 3); /* 2 + 2 + 1: continuation tokens used */
    for (size_t i = 0; i < 5; i++) {
        int found = 0;
        for (size_t j = 0; j < l.n; j++)
            found |= strcmp(l.items[j].key, keys[i]) == 0;
        if (!found)
            fail_msg("key %s not listed", keys[i]);
        assert_int_equal(l.items[i].size, 1);
    }
    hpolab_s3_list_free(&l);
    assert_int_equal(hpolab_s3_list(c, "testbucket", "nothing/", 0, &l, &err),
                     HPOLAB_OK);
    assert_int_equal(l.n, 0);
    hpolab_s3_list_free(&l);
    hpolab_aws_client_free(c);
}

static void write_pattern(const char *path, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < size; i++)
        fputc((int)((i * 7 + i / 4096) & 0xff), f);
    fclose(f);
}

static void test_multipart(void **state)
{
    (void)state;
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    char src[700], back[700];
    snprintf(src, sizeof src, "%s/big.bin", tmp);
    snprintf(back, sizeof back, "%s/big.back", tmp);
    size_t size = 11 * 1024 * 1024 + 123;
    write_pattern(src, size);
    struct hpolab_s3_put_options o = {.multipart_threshold = 5 * 1024 * 1024,
                                      .part_size = 5 * 1024 * 1024};
    int parts = 0;
    assert_int_equal(hpolab_s3_put_file(c, "testbucket", "mp/big.bin", src,
                                        &o, &parts, &err),
                     HPOLAB_OK);
    assert_int_equal(parts, 3);
    struct hpolab_s3_object h;
    assert_int_equal(hpolab_s3_head(c, "testbucket", "mp/big.bin", &h, &err),
                     HPOLAB_OK);
    assert_int_equal(h.size, size);
    hpolab_s3_object_free(&h);
    assert_int_equal(hpolab_s3_get_file(c, "testbucket", "mp/big.bin", back,
                                        &err),
                     HPOLAB_OK);
    char *a, *b;
    size_t al, bl;
    assert_int_equal(hpolab_read_file(src, &a, &al, NULL), HPOLAB_OK);
    assert_int_equal(hpolab_read_file(back, &b, &bl, NULL), HPOLAB_OK);
    assert_int_equal(al, bl);
    assert_memory_equal(a, b, al);
    free(a);
    free(b);
    /* below the threshold: one PutObject */
    o.multipart_threshold = 64 * 1024 * 1024;
    assert_int_equal(hpolab_s3_put_file(c, "testbucket", "mp/single.bin", src,
                                        &o, &parts, &err),
                     HPOLAB_OK);
    assert_int_equal(parts, 1);
    hpolab_aws_client_free(c);
}

static void test_wrong_secret_rejected(void **state)
{
    (void)state;
    setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-4711", 1);
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    int32_t st = hpolab_s3_put_buffer(c, "testbucket", "x.txt", "x", 1, NULL,
                                      &err);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    assert_int_equal(st, HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "SignatureDoesNotMatch"));
    assert_non_null(strstr(err.message, "AWS_SECRET_ACCESS_KEY"));
    assert_null(strstr(err.message, "not-the-secret-4711"));
    assert_null(strchr(err.message, '\n'));
    hpolab_aws_client_free(c);
}

static void test_errors_name_what_to_set(void **state)
{
    (void)state;
    struct hpolab_aws_client *c = client();
    struct hpolab_error err;
    struct hpolab_s3_list l;
    assert_int_not_equal(hpolab_s3_list(c, "no-such-bucket", "", 0, &l, &err),
                         HPOLAB_OK);
    assert_non_null(strstr(err.message, "NoSuchBucket"));
    assert_non_null(strstr(err.message, "--bucket"));
    hpolab_aws_client_free(c);
    setenv("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN", 1);
    c = client();
    assert_int_not_equal(hpolab_s3_put_buffer(c, "testbucket", "x", "x", 1,
                                              NULL, &err),
                         HPOLAB_OK);
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    assert_non_null(strstr(err.message, "InvalidAccessKeyId"));
    assert_non_null(strstr(err.message, "AWS_ACCESS_KEY_ID"));
    hpolab_aws_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_head_delete),
        cmocka_unit_test(test_list_paginated),
        cmocka_unit_test(test_multipart),
        cmocka_unit_test(test_wrong_secret_rejected),
        cmocka_unit_test(test_errors_name_what_to_set),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
