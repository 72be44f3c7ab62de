/* aws_client.h: signed AWS calls with the SDKs' behaviour: credentials,
 * region and endpoint resolved once (aws_credentials.h, aws_profile.h,
 * aws_endpoint.h), SigV4 per attempt, standard retries with jittered
 * backoff, one clock-skew correction, one credential refresh on an expired
 * token, S3 region redirects re-signed for the bucket's region. Used by
 * S3 (aws_s3.h) and, through hpolab_aws_json_call, SageMaker, STS and
 * CloudWatch Logs. One client per thread. */
#ifndef HPOLAB_CORE_AWS_CLIENT_H
#define HPOLAB_CORE_AWS_CLIENT_H

#include <jansson.h>
#include <stdio.h>

#include "aws_http.h"
#include "aws_service_error.h"
#include "error.h"

struct hpolab_aws_client;

struct hpolab_aws_client_options {
    const char *profile;    /* NULL: AWS_PROFILE / default */
    const char *region;     /* NULL: AWS_REGION, AWS_DEFAULT_REGION, profile */
    int max_attempts;       /* 0: AWS_MAX_ATTEMPTS or 3 */
    double retry_base_s;    /* 0: 0.1 s (transient errors) */
    double throttle_base_s; /* 0: 0.5 s (throttling) */
};

/* Fails with one line naming what to set when there is no region or no
 * credentials. *out [owned]: hpolab_aws_client_free. */
int32_t hpolab_aws_client_create(const struct hpolab_aws_client_options *o,
                                 struct hpolab_aws_client **out,
                                 struct hpolab_error *err);
void hpolab_aws_client_free(struct hpolab_aws_client *c);
/* [borrowed] the client's region. */
const char *hpolab_aws_client_region(const struct hpolab_aws_client *c);
/* [borrowed] the region an S3 redirect said bucket is in; NULL if none
 * was learned (the bucket answered in the client's region, or was not
 * asked yet). */
const char *hpolab_aws_client_bucket_region(const struct hpolab_aws_client *c,
                                            const char *bucket);
/* Seconds added to the local clock after a skew correction. */
double hpolab_aws_client_skew(const struct hpolab_aws_client *c);
/* Number of HTTP attempts sent so far (tests, benchmarks). */
long hpolab_aws_client_attempts(const struct hpolab_aws_client *c);

struct hpolab_aws_request {
    const char *service; /* HPOLAB_AWS_S3, ..._SAGEMAKER, ..._STS, ..._LOGS */
    const char *method;
    const char *bucket; /* S3: the bucket (NULL for none) */
    const char *path;   /* S3: "/<key>" encoded once ("/" for the bucket);
                           others: "/" */
    const char *query;  /* encoded, without '?', or NULL */
    const struct hpolab_aws_header *headers; /* extra headers, all signed */
    size_t n_headers;
    const void *body;
    size_t body_len;
    const char *body_file; /* or a file range */
    uint64_t body_offset;
    uint64_t body_file_len;
    /* NULL: the SHA-256 of the body; file bodies over https are sent as
     * UNSIGNED-PAYLOAD so they are read once. */
    const char *payload_hash;
    FILE *out;        /* a 2xx body goes here (truncated on retry) */
    const char *what; /* for messages, e.g. "GetObject s3://b/k" */
};

/* HPOLAB_OK on 2xx. Otherwise an error "<what>: <Code> (HTTP n):
 * <message>" with what to set where that is known; HPOLAB_ERR_NOT_FOUND
 * on 404. resp (always freed by the caller) holds the last answer and
 * svc (may be NULL) its error code. */
int32_t hpolab_aws_send(struct hpolab_aws_client *c,
                        const struct hpolab_aws_request *req,
                        struct hpolab_aws_http_response *resp,
                        struct hpolab_aws_service_error *svc,
                        struct hpolab_error *err);

/* AWS JSON 1.1 protocol: POST / with X-Amz-Target "<target>" (e.g.
 * "SageMaker.DescribeTrainingJob"). *out [owned] is the answer ({} for an
 * empty body). svc (may be NULL) receives the error code on failure. */
int32_t hpolab_aws_json_call(struct hpolab_aws_client *c, const char *service,
                             const char *target, json_t *input, json_t **out,
                             struct hpolab_aws_service_error *svc,
                             struct hpolab_error *err);

#endif
