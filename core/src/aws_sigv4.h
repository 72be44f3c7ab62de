/* aws_sigv4.h: AWS Signature Version 4 (header form, AWS4-HMAC-SHA256),
 * written here rather than taken from libcurl (whose Debian 12 version
 * signs unsorted queries and "?uploads" wrongly). */
#ifndef HPOLAB_CORE_AWS_SIGV4_H
#define HPOLAB_CORE_AWS_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "buffer.h"
#include "error.h"

struct hpolab_aws_header {
    const char *name;  /* any case; lower-cased for signing */
    const char *value; /* trimmed, inner blanks collapsed for signing */
};

struct hpolab_aws_sign_input {
    const char *method;
    /* S3 (s3_rules): the path exactly as sent, each segment encoded once;
     * it is signed unchanged. Other services: dot segments and repeated
     * '/' are removed and the path is encoded once more (give the wire
     * path to get AWS's "double encoding"). */
    const char *path;
    const char *query; /* as sent, without '?'; NULL or "" for none */
    /* Every header here is signed: include host and x-amz-date. */
    const struct hpolab_aws_header *headers;
    size_t n_headers;
    const char *payload_hash; /* hex SHA-256 or "UNSIGNED-PAYLOAD" */
    const char *amz_date;     /* YYYYMMDDTHHMMSSZ */
    const char *region;
    const char *service;
    int s3_rules;
};

struct hpolab_aws_signature {
    char *canonical_request; /* owned */
    char *string_to_sign;    /* owned */
    char *authorization;     /* owned: the Authorization header value */
    char signature[65];
};

/* Appends the SigV4 UriEncode of s[0..n) to out: unreserved bytes kept,
 * '/' kept when keep_slash, everything else %XY (upper-case hex). */
int32_t hpolab_aws_uri_encode(struct hpolab_buffer *out, const char *s,
                              size_t n, int keep_slash);
/* Percent-decodes s[0..n) into out (NUL-terminated, not counted). */
int32_t hpolab_aws_uri_decode(struct hpolab_buffer *out, const char *s,
                              size_t n);

/* kSigning = HMAC chain over ("AWS4"+secret, date, region, service,
 * "aws4_request"); date is YYYYMMDD. */
void hpolab_aws_signing_key(const char *secret, const char *date8,
                            const char *region, const char *service,
                            unsigned char out[32]);

/* Fills sig (free with hpolab_aws_signature_free). The secret is used only
 * for the HMAC chain and never copied into sig or err. */
int32_t hpolab_aws_sign(const struct hpolab_aws_sign_input *in,
                        const char *access_key_id, const char *secret,
                        struct hpolab_aws_signature *sig,
                        struct hpolab_error *err);
void hpolab_aws_signature_free(struct hpolab_aws_signature *sig);

/* aws-chunked uploads (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-
 * PAYLOAD): the signature of one chunk, chained from the previous one (the
 * seed signature of the headers first). key: hpolab_aws_signing_key. */
void hpolab_aws_chunk_signature(const unsigned char key[32],
                                const char *amz_date, const char *region,
                                const char *service, const char *previous,
                                const void *chunk, size_t len, char out[65]);

/* Writes "YYYYMMDDTHHMMSSZ" for unix time t (UTC). out: 17 bytes. */
void hpolab_aws_amz_date(int64_t t, char out[17]);

#endif
