/* aws_s3_internal.h: helpers shared by the S3 files (not for callers). */
#ifndef HPOLAB_CORE_AWS_S3_INTERNAL_H
#define HPOLAB_CORE_AWS_S3_INTERNAL_H

#include "aws_s3.h"

/* "/" + key encoded once with '/' kept. [owned]; NULL on out of memory. */
char *hpolab_s3_key_path(const char *key);
/* "<op> s3://bucket/key" for messages. [owned] */
char *hpolab_s3_what(const char *op, const char *bucket, const char *key);
int32_t hpolab_s3_multipart_upload(struct hpolab_aws_client *c,
                                   const char *bucket, const char *key,
                                   const char *file, uint64_t size,
                                   const struct hpolab_s3_put_options *o,
                                   int *parts, struct hpolab_error *err);

#endif
