/* host_ext_aws.h: the host side of the "hpolab_aws_v1" extension
 * (sdk/include/hpolab/ext_aws.h): sessions over the core's AWS client
 * (aws_client.h, aws_s3.h, aws_sts.h) for plugins, which never link the
 * core. host_ext_aws.c has the table, session, JSON and S3 entries;
 * host_ext_aws_pack.c packs a folder as .tar.gz. */
#ifndef HPOLAB_CORE_HOST_EXT_AWS_H
#define HPOLAB_CORE_HOST_EXT_AWS_H

#include "error.h"

/* [static] the extension table (a const struct hpolab_ext_aws_v1 *) when id
 * is HPOLAB_EXT_AWS_V1, else NULL. */
const void *hpolab_aws_extension(const char *id);

#endif
