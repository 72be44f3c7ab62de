/* aws_credentials.h: the credential chain a CLI user expects (reference
 * aws.md §2.1): environment, the profile's keys in ~/.aws/credentials then
 * ~/.aws/config, container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_
 * URI / _FULL_URI), IMDSv2. Assume-role, web identity, credential_process
 * and SSO profiles are not supported and say so. A secret or token never
 * enters a message or a log line. */
#ifndef HPOLAB_CORE_AWS_CREDENTIALS_H
#define HPOLAB_CORE_AWS_CREDENTIALS_H

#include "aws_profile.h"
#include "error.h"

struct hpolab_aws_credentials {
    char *access_key_id;     /* owned */
    char *secret_access_key; /* owned; wiped on free */
    char *session_token;     /* owned or NULL; wiped on free */
    double expiration;       /* unix time; 0: does not expire */
    const char *source;      /* [static] e.g. "environment", "IMDSv2" */
};

int32_t hpolab_aws_credentials_resolve(const struct hpolab_aws_profile *p,
                                       struct hpolab_aws_credentials *out,
                                       struct hpolab_error *err);
void hpolab_aws_credentials_free(struct hpolab_aws_credentials *c);

/* IMDSv2 GET of a meta-data path (e.g. "placement/region"); *out owned.
 * HPOLAB_ERR_UNSUPPORTED when AWS_EC2_METADATA_DISABLED=true. */
int32_t hpolab_aws_imds_get(const char *path, char **out,
                            struct hpolab_error *err);

/* ISO 8601 "2026-11-29T12:00:00Z" (fraction and offset allowed) to unix
 * time; HPOLAB_ERR_PARSE otherwise. */
int32_t hpolab_aws_parse_iso8601(const char *s, double *out);

#endif
