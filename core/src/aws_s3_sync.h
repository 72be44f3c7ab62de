/* aws_s3_sync.h: a study's results from S3 into the local results folder:
 * s3://<bucket>/hpolab/<tag>/<rest> -> <results_dir>/<tag>/<rest>, the
 * layout `hpolab run` and `hpolab launch` write. Used by `hpolab sync` and
 * `hpolab plot --download-from-s3`. */
#ifndef HPOLAB_CORE_AWS_S3_SYNC_H
#define HPOLAB_CORE_AWS_S3_SYNC_H

#include <stdint.h>

#include "aws_client.h"

#define HPOLAB_S3_ROOT "hpolab" /* the key prefix of every study */

struct hpolab_s3_sync_options {
    const char *bucket;      /* required */
    const char *tag;         /* the study tag (a valid tag, see tuner_name.h) */
    const char *results_dir; /* the local results root */
    int all; /* every file, not only metadata.json and results.csv.zip */
};

struct hpolab_s3_sync_result {
    int listed;     /* keys under the tag's prefix */
    int downloaded; /* files written */
    int unchanged;  /* local copy already equal (size and MD5/ETag) */
    int refused;    /* keys that would leave the tag's folder */
    uint64_t bytes; /* downloaded bytes */
};

/* Downloads (through "<file>.part", so a failure leaves old files intact)
 * what changed. Keeps going after a failed file and then fails with the
 * count and the first error. No key under the prefix is an error naming
 * the bucket and prefix. */
int32_t hpolab_s3_sync_tag(struct hpolab_aws_client *c,
                           const struct hpolab_s3_sync_options *o,
                           struct hpolab_s3_sync_result *r,
                           struct hpolab_error *err);

#endif
