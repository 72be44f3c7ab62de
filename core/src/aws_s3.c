/* aws_s3.c: single-request S3 calls (aws_s3.h); multipart in
 * aws_s3_multipart.c. */
#include "aws_s3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws_endpoint.h"
#include "aws_s3_internal.h"
#include "aws_sigv4.h"
#include "aws_xml.h"

char *hpolab_s3_key_path(const char *key)
{
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    if (hpolab_buffer_append(&b, "/", 1) != HPOLAB_OK ||
        hpolab_aws_uri_encode(&b, key, strlen(key), 1) != HPOLAB_OK ||
        hpolab_buffer_append(&b, "", 1) != HPOLAB_OK) {
        hpolab_buffer_free(&b);
        return NULL;
    }
    return (char *)b.data;
}

char *hpolab_s3_what(const char *op, const char *bucket, const char *key)
{
    size_t n = strlen(op) + strlen(bucket) + (key ? strlen(key) : 0) + 8;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s s3://%s/%s", op, bucket, key ? key : "");
    return s;
}

int32_t hpolab_s3_parse_uri(const char *uri, char **bucket, char **key,
                            struct hpolab_error *err)
{
    *bucket = *key = NULL;
    if (!uri || strncmp(uri, "s3://", 5) != 0 || uri[5] == '\0' ||
        uri[5] == '/')
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "'%s': expected s3://bucket/key",
                                uri ? uri : "");
    const char *b = uri + 5;
    size_t bl = strcspn(b, "/");
    *bucket = strndup(b, bl);
    *key = strdup(b[bl] ? b + bl + 1 : "");
    if (!*bucket || !*key) {
        free(*bucket);
        free(*key);
        *bucket = *key = NULL;
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    return HPOLAB_OK;
}

int32_t hpolab_s3_put_buffer(struct hpolab_aws_client *c, const char *bucket,
                             const char *key, const void *data, size_t len,
                             const char *content_type,
                             struct hpolab_error *err)
{
    char *path = hpolab_s3_key_path(key);
    char *what = hpolab_s3_what("PutObject", bucket, key);
    if (!path || !what) {
        free(path);
        free(what);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    struct hpolab_aws_header h = {"content-type", content_type};
    struct hpolab_aws_request req = {
        .service = HPOLAB_AWS_S3, .method = "PUT", .bucket = bucket,
        .path = path, .headers = &h, .n_headers = content_type ? 1 : 0,
        .body = data ? data : "", .body_len = len, .what = what};
    struct hpolab_aws_http_response resp = {0};
    int32_t st = hpolab_aws_send(c, &req, &resp, NULL, err);
    hpolab_aws_http_response_free(&resp);
    free(path);
    free(what);
    return st;
}

int32_t hpolab_s3_put_file(struct hpolab_aws_client *c, const char *bucket,
                           const char *key, const char *file,
                           const struct hpolab_s3_put_options *o, int *parts,
                           struct hpolab_error *err)
{
    struct stat stt;
    if (stat(file, &stt) != 0 || !S_ISREG(stt.st_mode))
        return hpolab_error_set(err, HPOLAB_ERR_IO,
                                "%s: expected a readable file: %s", file,
                                errno ? strerror(errno) : "not a file");
    uint64_t size = (uint64_t)stt.st_size;
    uint64_t threshold = o && o->multipart_threshold
                             ? o->multipart_threshold
                             : HPOLAB_S3_DEFAULT_THRESHOLD;
    if (size > threshold)
        return hpolab_s3_multipart_upload(c, bucket, key, file, size, o,
                                          parts, err);
    char *path = hpolab_s3_key_path(key);
    char *what = hpolab_s3_what("PutObject", bucket, key);
    if (!path || !what) {
        free(path);
        free(what);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    const char *ct = o ? o->content_type : NULL;
    struct hpolab_aws_header h = {"content-type", ct};
    struct hpolab_aws_request req = {
        .service = HPOLAB_AWS_S3, .method = "PUT", .bucket = bucket,
        .path = path, .headers = &h, .n_headers = ct ? 1 : 0,
        .body_file = file, .body_offset = 0, .body_file_len = size,
        .what = what};
    struct hpolab_aws_http_response resp = {0};
    int32_t st = hpolab_aws_send(c, &req, &resp, NULL, err);
    hpolab_aws_http_response_free(&resp);
    if (st == HPOLAB_OK && parts)
        *parts = 1;
    free(path);
    free(what);
    return st;
}

static int32_t get_to(struct hpolab_aws_client *c, const char *bucket,
                      const char *key, FILE *out,
                      struct hpolab_aws_http_response *resp,
                      struct hpolab_error *err)
{
    char *path = hpolab_s3_key_path(key);
    char *what = hpolab_s3_what("GetObject", bucket, key);
    int32_t st;
    if (!path || !what) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    } else {
        struct hpolab_aws_request req = {
            .service = HPOLAB_AWS_S3, .method = "GET", .bucket = bucket,
            .path = path, .out = out, .what = what};
        st = hpolab_aws_send(c, &req, resp, NULL, err);
    }
    free(path);
    free(what);
    return st;
}

int32_t hpolab_s3_get_file(struct hpolab_aws_client *c, const char *bucket,
                           const char *key, const char *file,
                           struct hpolab_error *err)
{
    size_t n = strlen(file) + 6;
    char *part = malloc(n);
    if (!part)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    snprintf(part, n, "%s.part", file);
    FILE *out = fopen(part, "wb");
    if (!out) {
        int32_t st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                      "%s: cannot create: %s", part,
                                      strerror(errno));
        free(part);
        return st;
    }
    struct hpolab_aws_http_response resp = {0};
    int32_t st = get_to(c, bucket, key, out, &resp, err);
    hpolab_aws_http_response_free(&resp);
    if (fclose(out) != 0 && st == HPOLAB_OK)
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot write: %s",
                              part, strerror(errno));
    if (st == HPOLAB_OK && rename(part, file) != 0)
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot rename: %s",
                              part, strerror(errno));
    if (st != HPOLAB_OK)
        remove(part);
    free(part);
    return st;
}

int32_t hpolab_s3_get_buffer(struct hpolab_aws_client *c, const char *bucket,
                             const char *key, struct hpolab_buffer *out,
                             struct hpolab_error *err)
{
    struct hpolab_aws_http_response resp = {0};
    int32_t st = get_to(c, bucket, key, NULL, &resp, err);
    if (st == HPOLAB_OK) {
        *out = resp.body;
        hpolab_buffer_init(&resp.body);
    }
    hpolab_aws_http_response_free(&resp);
    return st;
}

void hpolab_s3_object_free(struct hpolab_s3_object *o)
{
    if (!o)
        return;
    free(o->key);
    free(o->etag);
    memset(o, 0, sizeof *o);
}

int32_t hpolab_s3_head(struct hpolab_aws_client *c, const char *bucket,
                       const char *key, struct hpolab_s3_object *out,
                       struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    char *path = hpolab_s3_key_path(key);
    char *what = hpolab_s3_what("HeadObject", bucket, key);
    int32_t st;
    struct hpolab_aws_http_response resp = {0};
    if (!path || !what) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    } else {
        struct hpolab_aws_request req = {
            .service = HPOLAB_AWS_S3, .method = "HEAD", .bucket = bucket,
            .path = path, .what = what};
        st = hpolab_aws_send(c, &req, &resp, NULL, err);
    }
    if (st == HPOLAB_OK) {
        const char *len = hpolab_aws_http_header(&resp, "content-length");
        const char *etag = hpolab_aws_http_header(&resp, "etag");
        out->size = len ? strtoull(len, NULL, 10) : 0;
        out->etag = etag ? strdup(etag) : NULL;
    } else if (resp.status == 404) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                              "s3://%s/%s: no such key", bucket, key);
    }
    hpolab_aws_http_response_free(&resp);
    free(path);
    free(what);
    return st;
}

int32_t hpolab_s3_delete(struct hpolab_aws_client *c, const char *bucket,
                         const char *key, struct hpolab_error *err)
{
    char *path = hpolab_s3_key_path(key);
    char *what = hpolab_s3_what("DeleteObject", bucket, key);
    int32_t st;
    if (!path || !what) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    } else {
        struct hpolab_aws_request req = {
            .service = HPOLAB_AWS_S3, .method = "DELETE", .bucket = bucket,
            .path = path, .what = what};
        struct hpolab_aws_http_response resp = {0};
        st = hpolab_aws_send(c, &req, &resp, NULL, err);
        hpolab_aws_http_response_free(&resp);
    }
    free(path);
    free(what);
    return st;
}

void hpolab_s3_list_free(struct hpolab_s3_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        hpolab_s3_object_free(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int32_t append_param(struct hpolab_buffer *q, const char *name,
                            const char *value)
{
    if ((q->len > 0 && hpolab_buffer_append(q, "&", 1)) ||
        hpolab_buffer_append(q, name, strlen(name)) ||
        hpolab_buffer_append(q, "=", 1) ||
        hpolab_aws_uri_encode(q, value, strlen(value), 0))
        return HPOLAB_ERR_NOMEM;
    return HPOLAB_OK;
}

/* Adds the Contents of one ListObjectsV2 page to out. */
static int32_t collect_page(const struct hpolab_aws_xml *x,
                            struct hpolab_s3_list *out)
{
    for (size_t i = 0; i < x->n; i++) {
        const char *p = x->items[i].path;
        size_t pl = strlen(p);
        if (pl < 12 || strcmp(p + pl - 12, "Contents/Key") != 0)
            continue;
        struct hpolab_s3_object *items =
            realloc(out->items, (out->n + 1) * sizeof *items);
        if (!items)
            return HPOLAB_ERR_NOMEM;
        out->items = items;
        struct hpolab_s3_object *o = &items[out->n];
        memset(o, 0, sizeof *o);
        struct hpolab_buffer dec;
        hpolab_buffer_init(&dec);
        /* encoding-type=url: keys come percent-encoded */
        if (hpolab_aws_uri_decode(&dec, x->items[i].text,
                                  strlen(x->items[i].text)) != HPOLAB_OK)
            return HPOLAB_ERR_NOMEM;
        o->key = dec.data ? (char *)dec.data : strdup("");
        out->n++;
        /* siblings of this Key up to the next Contents */
        for (size_t j = i + 1; j < x->n; j++) {
            const char *q = x->items[j].path;
            size_t ql = strlen(q);
            if (ql >= 8 && strcmp(q + ql - 8, "Contents") == 0)
                break;
            if (ql >= 13 && strcmp(q + ql - 13, "Contents/Size") == 0)
                o->size = strtoull(x->items[j].text, NULL, 10);
            else if (ql >= 13 && strcmp(q + ql - 13, "Contents/ETag") == 0 &&
                     !o->etag)
                o->etag = strdup(x->items[j].text);
        }
    }
    return HPOLAB_OK;
}

int32_t hpolab_s3_list(struct hpolab_aws_client *c, const char *bucket,
                       const char *prefix, int max_keys,
                       struct hpolab_s3_list *out, struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    char *token = NULL;
    char *what = hpolab_s3_what("ListObjectsV2", bucket, prefix);
    int32_t st = what ? HPOLAB_OK
                      : hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                         "out of memory");
    char mk[16];
    snprintf(mk, sizeof mk, "%d", max_keys > 0 ? max_keys : 1000);
    while (st == HPOLAB_OK) {
        struct hpolab_buffer q;
        hpolab_buffer_init(&q);
        if (append_param(&q, "list-type", "2") ||
            (token && append_param(&q, "continuation-token", token)) ||
            append_param(&q, "encoding-type", "url") ||
            append_param(&q, "max-keys", mk) ||
            (prefix && prefix[0] && append_param(&q, "prefix", prefix)) ||
            hpolab_buffer_append(&q, "", 1)) {
            hpolab_buffer_free(&q);
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
            break;
        }
        struct hpolab_aws_request req = {
            .service = HPOLAB_AWS_S3, .method = "GET", .bucket = bucket,
            .path = "/", .query = (const char *)q.data, .what = what};
        struct hpolab_aws_http_response resp = {0};
        st = hpolab_aws_send(c, &req, &resp, NULL, err);
        hpolab_buffer_free(&q);
        struct hpolab_aws_xml x = {0};
        if (st == HPOLAB_OK)
            st = hpolab_aws_xml_parse((const char *)resp.body.data,
                                      resp.body.len, what, &x, err);
        hpolab_aws_http_response_free(&resp);
        if (st != HPOLAB_OK)
            break;
        out->pages++;
        if (collect_page(&x, out) != HPOLAB_OK)
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        const char *trunc = hpolab_aws_xml_find(&x, "IsTruncated");
        const char *next = hpolab_aws_xml_find(&x, "NextContinuationToken");
        char *prev = token;
        token = NULL;
        if (st == HPOLAB_OK && trunc && strcmp(trunc, "true") == 0) {
            if (!next || !next[0])
                st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                      "%s: page %d is truncated but has no "
                                      "NextContinuationToken",
                                      what, out->pages);
            else if (prev && strcmp(prev, next) == 0)
                /* a server that never advances must not loop us forever */
                st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                      "%s: page %d repeats the previous "
                                      "continuation token",
                                      what, out->pages);
            else if (!(token = strdup(next)))
                st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        }
        free(prev);
        hpolab_aws_xml_free(&x);
        if (!token)
            break;
    }
    free(token);
    free(what);
    if (st != HPOLAB_OK)
        hpolab_s3_list_free(out);
    return st;
}
