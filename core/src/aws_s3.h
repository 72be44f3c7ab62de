/* aws_s3.h: S3 object calls over the AWS client (reference aws.md §5):
 * put (multipart above a threshold), get, head, list (all pages), delete.
 * Keys are plain UTF-8; they are encoded here. */
#ifndef HPOLAB_CORE_AWS_S3_H
#define HPOLAB_CORE_AWS_S3_H

#include <stdint.h>

#include "aws_client.h"
#include "buffer.h"
#include "error.h"

#define HPOLAB_S3_MIN_PART (5u * 1024 * 1024)
#define HPOLAB_S3_DEFAULT_THRESHOLD (16u * 1024 * 1024)
#define HPOLAB_S3_DEFAULT_PART (16u * 1024 * 1024)

struct hpolab_s3_object {
    char *key;  /* owned */
    char *etag; /* owned, with its quotes as S3 sends it; may be NULL */
    uint64_t size;
};

struct hpolab_s3_list {
    struct hpolab_s3_object *items; /* owned */
    size_t n;
    int pages; /* ListObjectsV2 calls it took */
};

struct hpolab_s3_put_options {
    uint64_t multipart_threshold; /* 0: HPOLAB_S3_DEFAULT_THRESHOLD */
    uint64_t part_size;           /* 0: HPOLAB_S3_DEFAULT_PART (>= 5 MiB) */
    const char *content_type;     /* NULL: none */
};

/* "s3://bucket/key" -> *bucket, *key [owned] (key may be ""). */
int32_t hpolab_s3_parse_uri(const char *uri, char **bucket, char **key,
                            struct hpolab_error *err);

/* Uploads a file: one PutObject up to the threshold, else a multipart
 * upload (aborted on failure, so no parts are left behind). *parts
 * (may be NULL) receives the number of parts (1 for PutObject). */
int32_t hpolab_s3_put_file(struct hpolab_aws_client *c, const char *bucket,
                           const char *key, const char *path,
                           const struct hpolab_s3_put_options *o, int *parts,
                           struct hpolab_error *err);
int32_t hpolab_s3_put_buffer(struct hpolab_aws_client *c, const char *bucket,
                             const char *key, const void *data, size_t len,
                             const char *content_type,
                             struct hpolab_error *err);
/* Downloads to path through "<path>.part" renamed at the end: a failed
 * download leaves no half file under the final name. */
int32_t hpolab_s3_get_file(struct hpolab_aws_client *c, const char *bucket,
                           const char *key, const char *path,
                           struct hpolab_error *err);
int32_t hpolab_s3_get_buffer(struct hpolab_aws_client *c, const char *bucket,
                             const char *key, struct hpolab_buffer *out,
                             struct hpolab_error *err);
/* HPOLAB_ERR_NOT_FOUND when the key does not exist. out->key is NULL. */
int32_t hpolab_s3_head(struct hpolab_aws_client *c, const char *bucket,
                       const char *key, struct hpolab_s3_object *out,
                       struct hpolab_error *err);
/* Every key under prefix, following continuation tokens; max_keys per page
 * (0: 1000). */
int32_t hpolab_s3_list(struct hpolab_aws_client *c, const char *bucket,
                       const char *prefix, int max_keys,
                       struct hpolab_s3_list *out, struct hpolab_error *err);
void hpolab_s3_list_free(struct hpolab_s3_list *l);
void hpolab_s3_object_free(struct hpolab_s3_object *o);
/* Deleting a missing key succeeds, as in S3. */
int32_t hpolab_s3_delete(struct hpolab_aws_client *c, const char *bucket,
                         const char *key, struct hpolab_error *err);

#endif
