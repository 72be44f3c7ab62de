/* aws_service_error.h: the error code and message of an AWS answer, from
 * S3/STS XML (<Error><Code>) or the JSON protocol (X-Amzn-ErrorType,
 * code, __type; prefix up to '#' and suffix after ':' removed). */
#ifndef HPOLAB_CORE_AWS_SERVICE_ERROR_H
#define HPOLAB_CORE_AWS_SERVICE_ERROR_H

#include "aws_http.h"

struct hpolab_aws_service_error {
    char code[128];     /* "" when the answer has none */
    char message[512];
    char region[64];    /* S3: x-amz-bucket-region or <Region> */
};

void hpolab_aws_service_error_read(const struct hpolab_aws_http_response *resp,
                                   struct hpolab_aws_service_error *out);

#endif
