/* host_ext_aws.c: the "hpolab_aws_v1" host extension. A session owns one
 * AWS client (one thread at a time, as the client requires) plus the
 * account and default bucket once asked. Errors go to the caller's ctx like
 * every host entry; credentials stay inside the client. */
#include "host_ext_aws.h"
#include "pack_dir.h"

#include <hpolab/ext_aws.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws_client.h"
#include "aws_s3.h"
#include "aws_sts.h"
#include "ctx.h"

struct hpolab_aws_session {
    struct hpolab_aws_client *client;  /* owned */
    char *account;                     /* owned, NULL until asked */
    char *bucket;                      /* owned, NULL until asked */
    char last_error[HPOLAB_ERROR_MAX]; /* message of the last failed call */
};

/* Fail a call on s: the message goes to ctx and is kept as the session's
 * last error. */
static int32_t fail(struct hpolab_ctx *ctx, struct hpolab_aws_session *s,
                    int32_t status, const char *fmt, ...) HPOLAB_PRINTF(4, 5);
static int32_t fail(struct hpolab_ctx *ctx, struct hpolab_aws_session *s,
                    int32_t status, const char *fmt, ...)
{
    struct hpolab_error e;
    va_list ap;
    va_start(ap, fmt);
    hpolab_error_setv(&e, status, fmt, ap);
    va_end(ap);
    if (ctx)
        ctx->err = e;
    if (s)
        snprintf(s->last_error, sizeof s->last_error, "%s", e.message);
    return status;
}

static int32_t no_session(struct hpolab_ctx *ctx, const char *what)
{
    return fail(ctx, NULL, HPOLAB_ERR_INVALID,
                "%s: no AWS session (open one first)", what);
}

static int32_t HPOLAB_ABI aws_open(struct hpolab_ctx *ctx, const char *profile,
                                   const char *region,
                                   struct hpolab_aws_session **out)
{
    if (!out)
        return fail(ctx, NULL, HPOLAB_ERR_INVALID,
                    "aws open: no place for the session");
    *out = NULL;
    struct hpolab_aws_session *s = calloc(1, sizeof *s);
    if (!s)
        return fail(ctx, NULL, HPOLAB_ERR_NOMEM, "aws open: out of memory");
    struct hpolab_aws_client_options o = {.profile = profile, .region = region};
    struct hpolab_error err;
    int32_t st = hpolab_aws_client_create(&o, &s->client, &err);
    if (st != HPOLAB_OK) {
        free(s);
        return fail(ctx, NULL, st, "%s", err.message);
    }
    *out = s;
    return HPOLAB_OK;
}

static void HPOLAB_ABI aws_close(struct hpolab_aws_session *s)
{
    if (!s)
        return;
    hpolab_aws_client_free(s->client);
    free(s->account);
    free(s->bucket);
    free(s);
}

static const char *HPOLAB_ABI aws_region(const struct hpolab_aws_session *s)
{
    return s ? hpolab_aws_client_region(s->client) : NULL;
}

static int32_t HPOLAB_ABI aws_account(struct hpolab_ctx *ctx,
                                      struct hpolab_aws_session *s,
                                      const char **out)
{
    if (!s || !out)
        return no_session(ctx, "aws account");
    *out = NULL;
    if (!s->account) {
        struct hpolab_error err;
        int32_t st = hpolab_aws_sts_account(s->client, &s->account, &err);
        if (st != HPOLAB_OK)
            return fail(ctx, s, st, "%s", err.message);
    }
    *out = s->account;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI aws_default_bucket(struct hpolab_ctx *ctx,
                                             struct hpolab_aws_session *s,
                                             const char **out)
{
    if (!s || !out)
        return no_session(ctx, "aws default bucket");
    *out = NULL;
    if (!s->bucket) {
        const char *env = getenv("HPOLAB_S3_BUCKET");
        if (env && env[0]) {
            if (!(s->bucket = strdup(env)))
                return fail(ctx, s, HPOLAB_ERR_NOMEM,
                            "aws default bucket: out of memory");
        } else {
            /* as hpolab_aws_default_bucket, with the account kept */
            const char *account = NULL;
            int32_t st = aws_account(ctx, s, &account);
            if (st != HPOLAB_OK)
                return fail(ctx, s, st,
                            "default bucket (or set HPOLAB_S3_BUCKET): %s",
                            s->last_error);
            const char *region = hpolab_aws_client_region(s->client);
            size_t n = strlen(account) + strlen(region) + 16;
            if (!(s->bucket = malloc(n)))
                return fail(ctx, s, HPOLAB_ERR_NOMEM,
                            "aws default bucket: out of memory");
            snprintf(s->bucket, n, "sagemaker-%s-%s", region, account);
        }
    }
    *out = s->bucket;
    return HPOLAB_OK;
}

static void put_code(char *code, uint32_t size, const char *text)
{
    if (code && size > 0)
        snprintf(code, size, "%s", text);
}

static int32_t HPOLAB_ABI aws_json_call(struct hpolab_ctx *ctx,
                                        struct hpolab_aws_session *s,
                                        const char *service, const char *target,
                                        const char *input_json, char **out_json,
                                        char *error_code,
                                        uint32_t error_code_size)
{
    put_code(error_code, error_code_size, "");
    if (out_json)
        *out_json = NULL;
    if (!s || !out_json)
        return no_session(ctx, target ? target : "aws json call");
    if (!service || !target || !input_json)
        return fail(ctx, s, HPOLAB_ERR_INVALID,
                    "aws json call: service, target and input "
                    "are required");
    json_error_t je;
    json_t *in = json_loads(input_json, 0, &je);
    if (!json_is_object(in)) {
        json_decref(in);
        return fail(ctx, s, HPOLAB_ERR_PARSE,
                    "%s: the input is not a JSON object%s%s", target,
                    in ? "" : ": ", in ? "" : je.text);
    }
    json_t *answer = NULL;
    struct hpolab_aws_service_error svc;
    memset(&svc, 0, sizeof svc);
    struct hpolab_error err;
    int32_t st = hpolab_aws_json_call(s->client, service, target, in, &answer,
                                      &svc, &err);
    json_decref(in);
    if (st != HPOLAB_OK) {
        put_code(error_code, error_code_size, svc.code);
        return fail(ctx, s, st, "%s", err.message);
    }
    char *text = json_dumps(answer, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(answer);
    if (!text)
        return fail(ctx, s, HPOLAB_ERR_NOMEM, "%s: out of memory", target);
    /* the plugin frees it with host->free, which is free() */
    *out_json = text;
    return HPOLAB_OK;
}

/* Split uri into bucket and key; errors name the call. */
static int32_t split(struct hpolab_ctx *ctx, struct hpolab_aws_session *s,
                     const char *what, const char *uri, char **bucket,
                     char **key)
{
    struct hpolab_error err;
    int32_t st = hpolab_s3_parse_uri(uri, bucket, key, &err);
    if (st != HPOLAB_OK)
        return fail(ctx, s, st, "%s: %s", what, err.message);
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI aws_s3_put_file(struct hpolab_ctx *ctx,
                                          struct hpolab_aws_session *s,
                                          const char *uri, const char *path)
{
    if (!s)
        return no_session(ctx, "S3 put");
    if (!path)
        return fail(ctx, s, HPOLAB_ERR_INVALID, "S3 put: no file given");
    char *bucket = NULL, *key = NULL;
    int32_t st = split(ctx, s, "S3 put", uri, &bucket, &key);
    struct hpolab_error err;
    if (st == HPOLAB_OK &&
        (st = hpolab_s3_put_file(s->client, bucket, key, path, NULL, NULL,
                                 &err)) != HPOLAB_OK)
        fail(ctx, s, st, "%s", err.message);
    free(bucket);
    free(key);
    return st;
}

static int32_t HPOLAB_ABI aws_s3_get_file(struct hpolab_ctx *ctx,
                                          struct hpolab_aws_session *s,
                                          const char *uri, const char *path)
{
    if (!s)
        return no_session(ctx, "S3 get");
    if (!path)
        return fail(ctx, s, HPOLAB_ERR_INVALID, "S3 get: no file given");
    char *bucket = NULL, *key = NULL;
    int32_t st = split(ctx, s, "S3 get", uri, &bucket, &key);
    struct hpolab_error err;
    if (st == HPOLAB_OK && (st = hpolab_s3_get_file(s->client, bucket, key,
                                                    path, &err)) != HPOLAB_OK)
        fail(ctx, s, st, "%s", err.message);
    free(bucket);
    free(key);
    return st;
}

static int32_t HPOLAB_ABI aws_s3_list(struct hpolab_ctx *ctx,
                                      struct hpolab_aws_session *s,
                                      const char *uri, hpolab_aws_list_fn each,
                                      void *user)
{
    if (!s)
        return no_session(ctx, "S3 list");
    if (!each)
        return fail(ctx, s, HPOLAB_ERR_INVALID, "S3 list: no callback given");
    char *bucket = NULL, *key = NULL;
    int32_t st = split(ctx, s, "S3 list", uri, &bucket, &key);
    struct hpolab_s3_list l = {0};
    struct hpolab_error err;
    if (st == HPOLAB_OK &&
        (st = hpolab_s3_list(s->client, bucket, key, 0, &l, &err)) != HPOLAB_OK)
        fail(ctx, s, st, "%s", err.message);
    size_t plen = key ? strlen(key) : 0;
    /* a callback that fails may say why on ctx; a stale message must not
     * pass for its */
    if (ctx && st == HPOLAB_OK)
        hpolab_error_clear(&ctx->err);
    for (size_t i = 0; st == HPOLAB_OK && i < l.n; i++) {
        const char *k = l.items[i].key;
        if (strncmp(k, key, plen) != 0)
            continue; /* S3 lists only keys with the prefix; be sure */
        st = each(user, k + plen, l.items[i].size);
        if (st != HPOLAB_OK)
            fail(ctx, s, st, "S3 list %s: stopped at '%s'%s%s", uri, k,
                 ctx && ctx->err.message[0] ? ": " : "",
                 ctx ? ctx->err.message : "");
    }
    hpolab_s3_list_free(&l);
    free(bucket);
    free(key);
    return st;
}

static int32_t HPOLAB_ABI aws_s3_delete(struct hpolab_ctx *ctx,
                                        struct hpolab_aws_session *s,
                                        const char *uri)
{
    if (!s)
        return no_session(ctx, "S3 delete");
    char *bucket = NULL, *key = NULL;
    int32_t st = split(ctx, s, "S3 delete", uri, &bucket, &key);
    struct hpolab_error err;
    if (st == HPOLAB_OK &&
        (st = hpolab_s3_delete(s->client, bucket, key, &err)) != HPOLAB_OK)
        fail(ctx, s, st, "%s", err.message);
    free(bucket);
    free(key);
    return st;
}

static int32_t HPOLAB_ABI aws_s3_put_dir_targz(struct hpolab_ctx *ctx,
                                               struct hpolab_aws_session *s,
                                               const char *dir, const char *uri)
{
    if (!s)
        return no_session(ctx, "S3 put folder");
    if (!dir)
        return fail(ctx, s, HPOLAB_ERR_INVALID,
                    "S3 put folder: no folder given");
    const char *tmpdir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/hpolab-pack-XXXXXX.tar.gz",
             tmpdir && tmpdir[0] ? tmpdir : "/tmp");
    int fd = mkstemps(path, 7);
    if (fd < 0)
        return fail(ctx, s, HPOLAB_ERR_IO,
                    "S3 put folder %s: cannot create a "
                    "temporary file %s",
                    dir, path);
    close(fd);
    struct hpolab_error err;
    int32_t st = hpolab_pack_dir_targz(dir, NULL, path, NULL, &err);
    if (st != HPOLAB_OK)
        fail(ctx, s, st, "%s", err.message);
    else
        st = aws_s3_put_file(ctx, s, uri, path);
    unlink(path);
    return st;
}

static const char *HPOLAB_ABI aws_last_error(const struct hpolab_aws_session *s)
{
    return s ? s->last_error : "";
}

static const struct hpolab_ext_aws_v1 table = {
    .struct_size = sizeof table,
    .open = aws_open,
    .close = aws_close,
    .region = aws_region,
    .account = aws_account,
    .default_bucket = aws_default_bucket,
    .json_call = aws_json_call,
    .s3_put_file = aws_s3_put_file,
    .s3_get_file = aws_s3_get_file,
    .s3_list = aws_s3_list,
    .s3_delete = aws_s3_delete,
    .s3_put_dir_targz = aws_s3_put_dir_targz,
    .last_error = aws_last_error,
};

const void *hpolab_aws_extension(const char *id)
{
    return id && strcmp(id, HPOLAB_EXT_AWS_V1) == 0 ? &table : NULL;
}
