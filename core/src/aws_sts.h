/* aws_sts.h: STS GetCallerIdentity (query protocol, XML answer), for the
 * account id in SageMaker's default bucket sagemaker-<region>-<account>. */
#ifndef HPOLAB_CORE_AWS_STS_H
#define HPOLAB_CORE_AWS_STS_H

#include "aws_client.h"

/* *account [owned]: the 12-digit account id of the caller. */
int32_t hpolab_aws_sts_account(struct hpolab_aws_client *c, char **account,
                               struct hpolab_error *err);
/* *bucket [owned]: "sagemaker-<region>-<account>". */
int32_t hpolab_aws_default_bucket(struct hpolab_aws_client *c, char **bucket,
                                  struct hpolab_error *err);

#endif
