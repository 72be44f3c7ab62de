/* sm_s3.c: the S3 side of the backend, all through the host's
 * hpolab_aws_v1 extension: the study source packed and uploaded once per
 * experiment, and checkpoint prefixes copied for resumed and warm-started
 * trials (S3 has no folder copy; each object goes through a temporary
 * file in the experiment folder). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sm_internal.h"

int32_t sm_upload_source(struct sm_backend *b, struct hpolab_ctx *ctx)
{
    if (b->source_uri)
        return HPOLAB_OK;
    const char *dir = b->o.source_dir ? b->o.source_dir : b->working_dir;
    if (!dir)
        return sm_fail(b, ctx, HPOLAB_ERR_INVALID,
                       "no study folder to upload (set source_dir)");
    struct sm_buf u = {0};
    sm_buf_printf(&u, "s3://%s/%s/source/sourcedir.tar.gz", b->bucket,
                  b->prefix);
    if (u.oom) {
        sm_buf_free(&u);
        return sm_fail(b, ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    int32_t st = b->aws->s3_put_dir_targz(ctx, b->session, dir, u.data);
    if (st != HPOLAB_OK) {
        sm_buf_free(&u);
        return sm_aws_failed(b, st);
    }
    hpolab_log(ctx, HPOLAB_LOG_INFO, "study source %s uploaded to %s", dir,
               u.data);
    b->source_uri = u.data;
    return HPOLAB_OK;
}

struct copy_job {
    struct sm_backend *b;
    struct hpolab_ctx *ctx;
    const char *from, *to;
    char tmp[4200];
    int copied;
};

static int32_t HPOLAB_ABI copy_one(void *user, const char *rel,
                                   uint64_t size)
{
    (void)size;
    struct copy_job *cj = user;
    if (!rel[0] || rel[strlen(rel) - 1] == '/')
        return HPOLAB_OK; /* a "folder" marker object */
    size_t n = strlen(cj->from) + strlen(rel) + 1;
    size_t m = strlen(cj->to) + strlen(rel) + 1;
    char *src = malloc(n), *dst = malloc(m);
    int32_t st = HPOLAB_OK;
    if (!src || !dst) {
        st = sm_fail(cj->b, cj->ctx, HPOLAB_ERR_NOMEM, "out of memory");
    } else {
        snprintf(src, n, "%s%s", cj->from, rel);
        snprintf(dst, m, "%s%s", cj->to, rel);
        st = cj->b->aws->s3_get_file(cj->ctx, cj->b->session, src, cj->tmp);
        if (st == HPOLAB_OK)
            st = cj->b->aws->s3_put_file(cj->ctx, cj->b->session, dst,
                                         cj->tmp);
        if (st != HPOLAB_OK)
            sm_aws_failed(cj->b, st);
        else
            cj->copied++;
        unlink(cj->tmp);
    }
    free(src);
    free(dst);
    return st;
}

int32_t sm_copy_prefix(struct sm_backend *b, struct hpolab_ctx *ctx,
                       const char *from_uri, const char *to_uri)
{
    struct copy_job cj = {b, ctx, from_uri, to_uri, "", 0};
    snprintf(cj.tmp, sizeof cj.tmp, "%s/.sagemaker-copy.tmp",
             b->experiment_dir);
    int32_t st = b->aws->s3_list(ctx, b->session, from_uri, copy_one, &cj);
    if (st != HPOLAB_OK)
        return sm_aws_failed(b, st);
    hpolab_log(ctx, HPOLAB_LOG_INFO, "checkpoint %s copied to %s (%d "
               "object%s)",
               from_uri, to_uri, cj.copied, cj.copied == 1 ? "" : "s");
    return HPOLAB_OK;
}
