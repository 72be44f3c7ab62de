/* hpolab/ext_aws.h: the host extension "hpolab_aws_v1", which gives a plugin
 * (the sagemaker backend, or any other) signed AWS calls without an AWS SDK
 * and without linking the core: the host resolves credentials, region and
 * endpoints the way the AWS CLI does, signs every request (SigV4), retries
 * with the SDKs' standard backoff, corrects clock skew and refreshes an
 * expired token. Credentials never cross the ABI.
 *
 *   const struct hpolab_ext_aws_v1 *aws =
 *       hpolab_host->get_extension(ctx, HPOLAB_EXT_AWS_V1);
 *   if (!aws) return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED, "...");
 *   struct hpolab_aws_session *s;
 *   aws->open(ctx, NULL, NULL, &s);                       (in create)
 *   char *out = NULL, code[64];
 *   aws->json_call(ctx, s, "sagemaker", "SageMaker.DescribeTrainingJob",
 *                  "{\"TrainingJobName\": \"j\"}", &out, code, sizeof code);
 *   ... hpolab_host->free(out);
 *   aws->close(s);                                        (in destroy)
 *
 * The table is [borrowed, static]. Entries work with any ctx; a session is
 * used by one thread at a time. Errors go to the ctx's message, naming the
 * call ("SageMaker.CreateTrainingJob: ValidationException (HTTP 400): ...",
 * "s3://b/k: ...") and, where known, what to set. Like every struct of the
 * ABI the table only grows at its end: read an entry only if it lies inside
 * struct_size. */
#ifndef HPOLAB_EXT_AWS_H
#define HPOLAB_EXT_AWS_H

#include "types.h"

HPOLAB_EXTERN_C_BEGIN

/* The id to pass to host->get_extension. */
#define HPOLAB_EXT_AWS_V1 "hpolab_aws_v1"

/* A signed-call client with its resolved credentials, region and
 * endpoints. Opaque. */
struct hpolab_aws_session;

/* Called by s3_list once per object, in key order; rel is the key without
 * the listed prefix, [borrowed] for the call. A status other than
 * HPOLAB_OK ends the listing and is returned by s3_list. */
typedef int32_t(HPOLAB_ABI *hpolab_aws_list_fn)(void *user, const char *rel,
                                                uint64_t size);

struct hpolab_ext_aws_v1 {
    uint32_t struct_size;
    /* Resolve credentials (environment, AWS_PROFILE and the shared files,
     * container credentials, IMDSv2), region (region, else AWS_REGION,
     * AWS_DEFAULT_REGION, the profile) and endpoints (AWS_ENDPOINT_URL_*).
     * profile and region may be NULL. Fails with one line naming what to
     * set when there are no credentials or no region. *out [owned: close]. */
    int32_t(HPOLAB_ABI *open)(struct hpolab_ctx *ctx, const char *profile,
                              const char *region,
                              struct hpolab_aws_session **out);
    void(HPOLAB_ABI *close)(struct hpolab_aws_session *s);
    /* [borrowed, life of s] the session's region. */
    const char *(HPOLAB_ABI *region)(const struct hpolab_aws_session *s);
    /* The caller's 12-digit account id (STS GetCallerIdentity, asked once
     * per session). *out [borrowed, life of s]. */
    int32_t(HPOLAB_ABI *account)(struct hpolab_ctx *ctx,
                                 struct hpolab_aws_session *s,
                                 const char **out);
    /* The default bucket: HPOLAB_S3_BUCKET if set, else SageMaker's
     * "sagemaker-<region>-<account>". *out [borrowed, life of s]. */
    int32_t(HPOLAB_ABI *default_bucket)(struct hpolab_ctx *ctx,
                                        struct hpolab_aws_session *s,
                                        const char **out);
    /* One call of the AWS JSON 1.1 protocol: POST / with X-Amz-Target
     * target (e.g. "SageMaker.CreateTrainingJob") to service ("sagemaker",
     * "logs", ...); input is a JSON object text. On success *out_json
     * [owned: host->free] is the answer ("{}" for an empty body). On
     * failure *out_json is NULL and error_code (error_code_size bytes, may
     * be NULL) receives the AWS error code ("ValidationException",
     * "ResourceLimitExceeded", ...; "" when the failure has none, e.g. a
     * dropped connection); retryable failures were retried already. */
    int32_t(HPOLAB_ABI *json_call)(struct hpolab_ctx *ctx,
                                   struct hpolab_aws_session *s,
                                   const char *service, const char *target,
                                   const char *input_json, char **out_json,
                                   char *error_code,
                                   uint32_t error_code_size);
    /* S3 objects by URI "s3://bucket/key". put_file uploads a local file
     * (multipart when large); get_file downloads to path through a
     * temporary name (no half file under path), HPOLAB_ERR_NOT_FOUND when
     * the key does not exist; delete succeeds for a missing key. */
    int32_t(HPOLAB_ABI *s3_put_file)(struct hpolab_ctx *ctx,
                                     struct hpolab_aws_session *s,
                                     const char *uri, const char *path);
    int32_t(HPOLAB_ABI *s3_get_file)(struct hpolab_ctx *ctx,
                                     struct hpolab_aws_session *s,
                                     const char *uri, const char *path);
    /* Every object whose key starts with the key of uri ("s3://b/p/"),
     * all pages, through each. */
    int32_t(HPOLAB_ABI *s3_list)(struct hpolab_ctx *ctx,
                                 struct hpolab_aws_session *s,
                                 const char *uri, hpolab_aws_list_fn each,
                                 void *user);
    int32_t(HPOLAB_ABI *s3_delete)(struct hpolab_ctx *ctx,
                                   struct hpolab_aws_session *s,
                                   const char *uri);
    /* Pack the folder dir (regular files and folders below it, paths
     * relative to dir; links, sockets and the like are skipped) as a
     * .tar.gz and upload it to uri: SageMaker's sourcedir.tar.gz. */
    int32_t(HPOLAB_ABI *s3_put_dir_targz)(struct hpolab_ctx *ctx,
                                          struct hpolab_aws_session *s,
                                          const char *dir, const char *uri);
    /* The message of the session's last failed call ("" if none), the
     * same text the call put on ctx: a plugin cannot read a ctx, but needs
     * the text for a trial's error (emit_exit) when the failure happens
     * outside a callback's return. [borrowed until the next call on s] */
    const char *(HPOLAB_ABI *last_error)(const struct hpolab_aws_session *s);
};

HPOLAB_EXTERN_C_END

#endif /* HPOLAB_EXT_AWS_H */
