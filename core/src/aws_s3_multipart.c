/* aws_s3_multipart.c: multipart upload of a file (reference aws.md §5.2):
 * initiate, parts in order, complete (whose 200 may carry an <Error>),
 * abort on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_endpoint.h"
#include "aws_s3_internal.h"
#include "aws_xml.h"
#include "log.h"

#define MAX_PARTS 10000

static int32_t call(struct hpolab_aws_client *c, const char *method,
                    const char *bucket, const char *path, const char *query,
                    const void *body, size_t body_len, const char *file,
                    uint64_t off, uint64_t len, const char *what,
                    struct hpolab_aws_http_response *resp,
                    struct hpolab_error *err)
{
    struct hpolab_aws_request req = {
        .service = HPOLAB_AWS_S3, .method = method, .bucket = bucket,
        .path = path, .query = query, .body = body, .body_len = body_len,
        .body_file = file, .body_offset = off, .body_file_len = len,
        .what = what};
    return hpolab_aws_send(c, &req, resp, NULL, err);
}

/* "partNumber=N&uploadId=ID" (part > 0) or "uploadId=ID". */
static char *query_with_id(int part, const char *upload_id)
{
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    char head[64];
    if (part > 0)
        snprintf(head, sizeof head, "partNumber=%d&uploadId=", part);
    else
        snprintf(head, sizeof head, "uploadId=");
    if (hpolab_buffer_append(&b, head, strlen(head)) ||
        hpolab_aws_uri_encode(&b, upload_id, strlen(upload_id), 0) ||
        hpolab_buffer_append(&b, "", 1)) {
        hpolab_buffer_free(&b);
        return NULL;
    }
    return (char *)b.data;
}

int32_t hpolab_s3_multipart_upload(struct hpolab_aws_client *c,
                                   const char *bucket, const char *key,
                                   const char *file, uint64_t size,
                                   const struct hpolab_s3_put_options *o,
                                   int *parts_out, struct hpolab_error *err)
{
    uint64_t part = o && o->part_size ? o->part_size : HPOLAB_S3_DEFAULT_PART;
    if (part < HPOLAB_S3_MIN_PART)
        part = HPOLAB_S3_MIN_PART;
    while ((size + part - 1) / part > MAX_PARTS)
        part *= 2;
    int nparts = (int)((size + part - 1) / part);
    char *path = hpolab_s3_key_path(key);
    char *what = hpolab_s3_what("CreateMultipartUpload", bucket, key);
    char **etags = calloc((size_t)nparts, sizeof *etags);
    char *upload_id = NULL;
    struct hpolab_aws_http_response resp = {0};
    int32_t st = HPOLAB_OK;
    if (!path || !what || !etags) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        goto out;
    }
    st = call(c, "POST", bucket, path, "uploads=", "", 0, NULL, 0, 0, what,
              &resp, err);
    if (st == HPOLAB_OK) {
        struct hpolab_aws_xml x;
        st = hpolab_aws_xml_parse((const char *)resp.body.data, resp.body.len,
                                  what, &x, err);
        if (st == HPOLAB_OK) {
            const char *id = hpolab_aws_xml_find(&x, "UploadId");
            if (id && id[0])
                upload_id = strdup(id);
            else
                st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                      "%s: expected an UploadId in the "
                                      "answer",
                                      what);
            hpolab_aws_xml_free(&x);
        }
    }
    if (st != HPOLAB_OK)
        goto out;
    hpolab_logf(HPOLAB_LOG_DEBUG, "aws: multipart upload of %s: %d parts of "
                "%llu bytes", file, nparts, (unsigned long long)part);
    for (int i = 0; i < nparts && st == HPOLAB_OK; i++) {
        uint64_t off = (uint64_t)i * part;
        uint64_t len = size - off < part ? size - off : part;
        char *q = query_with_id(i + 1, upload_id);
        char pw[64];
        snprintf(pw, sizeof pw, "UploadPart %d/%d", i + 1, nparts);
        char *pwhat = hpolab_s3_what(pw, bucket, key);
        if (!q || !pwhat) {
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        } else {
            st = call(c, "PUT", bucket, path, q, NULL, 0, file, off, len,
                      pwhat, &resp, err);
            const char *etag = hpolab_aws_http_header(&resp, "etag");
            if (st == HPOLAB_OK && !etag)
                st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                      "%s: expected an ETag header", pwhat);
            if (st == HPOLAB_OK && !(etags[i] = strdup(etag)))
                st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        }
        free(q);
        free(pwhat);
    }
    if (st == HPOLAB_OK) {
        struct hpolab_buffer b;
        hpolab_buffer_init(&b);
        const char *open = "<CompleteMultipartUpload>";
        int32_t bst = hpolab_buffer_append(&b, open, strlen(open));
        for (int i = 0; i < nparts && bst == HPOLAB_OK; i++) {
            char line[256];
            int n = snprintf(line, sizeof line,
                             "<Part><PartNumber>%d</PartNumber><ETag>%s"
                             "</ETag></Part>",
                             i + 1, etags[i]);
            bst = hpolab_buffer_append(&b, line, (size_t)n);
        }
        const char *close = "</CompleteMultipartUpload>";
        if (bst == HPOLAB_OK)
            bst = hpolab_buffer_append(&b, close, strlen(close));
        char *q = query_with_id(0, upload_id);
        char *cwhat = hpolab_s3_what("CompleteMultipartUpload", bucket, key);
        if (bst != HPOLAB_OK || !q || !cwhat) {
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        } else {
            st = call(c, "POST", bucket, path, q, b.data, b.len, NULL, 0, 0,
                      cwhat, &resp, err);
            /* a 200 answer may still be an <Error> document */
            struct hpolab_aws_xml x;
            if (st == HPOLAB_OK &&
                hpolab_aws_xml_parse((const char *)resp.body.data,
                                     resp.body.len, cwhat, &x,
                                     err) == HPOLAB_OK) {
                const char *code = hpolab_aws_xml_find(&x, "Error/Code");
                if (code)
                    st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                          "%s: %s: %s", cwhat, code,
                                          hpolab_aws_xml_find(&x, "Error/Message")
                                              ? hpolab_aws_xml_find(&x, "Error/Message")
                                              : "");
                hpolab_aws_xml_free(&x);
            }
        }
        free(q);
        free(cwhat);
        hpolab_buffer_free(&b);
    }
    if (st != HPOLAB_OK && upload_id) {
        /* parts left behind would be stored (and billed) */
        char *q = query_with_id(0, upload_id);
        char *awhat = hpolab_s3_what("AbortMultipartUpload", bucket, key);
        struct hpolab_error aerr;
        if (q && awhat &&
            call(c, "DELETE", bucket, path, q, NULL, 0, NULL, 0, 0, awhat,
                 &resp, &aerr) != HPOLAB_OK)
            hpolab_logf(HPOLAB_LOG_WARN, "aws: %s", aerr.message);
        free(q);
        free(awhat);
    }
    if (st == HPOLAB_OK && parts_out)
        *parts_out = nparts;
out:
    hpolab_aws_http_response_free(&resp);
    if (etags)
        for (int i = 0; i < nparts; i++)
            free(etags[i]);
    free(etags);
    free(upload_id);
    free(path);
    free(what);
    return st;
}
