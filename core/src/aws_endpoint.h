/* aws_endpoint.h: where a service call goes (reference aws.md §2.4, §2.5):
 * AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL > [services x] of the
 * profile > the profile's endpoint_url > the AWS default; all overrides off
 * with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. */
#ifndef HPOLAB_CORE_AWS_ENDPOINT_H
#define HPOLAB_CORE_AWS_ENDPOINT_H

#include "aws_profile.h"
#include "error.h"

/* Services the client knows (signing name, variable suffix, defaults). */
#define HPOLAB_AWS_S3 "s3"
#define HPOLAB_AWS_SAGEMAKER "sagemaker"
#define HPOLAB_AWS_STS "sts"
#define HPOLAB_AWS_LOGS "logs"

struct hpolab_aws_endpoint {
    char *base;     /* owned: scheme://host[:port][/prefix], no final '/' */
    char *host;     /* owned: host[:port] as sent in Host */
    char *prefix;   /* owned: path prefix ("" or "/p") */
    int overridden; /* from a variable or the profile */
    int path_style; /* S3: bucket in the path */
};

/* bucket: S3 only (NULL otherwise); decides virtual-hosted or path style.
 * *source [static] names where an override came from (NULL: default). */
int32_t hpolab_aws_endpoint_resolve(const struct hpolab_aws_profile *p,
                                    const char *service, const char *region,
                                    const char *bucket,
                                    struct hpolab_aws_endpoint *out,
                                    const char **source,
                                    struct hpolab_error *err);
void hpolab_aws_endpoint_free(struct hpolab_aws_endpoint *e);

#endif
