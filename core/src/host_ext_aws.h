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

/* Write the regular files and folders below dir into the gzip-compressed
 * tar file out (paths relative to dir, in name order, mtime and owner
 * cleared so the same folder gives the same bytes). Links and special
 * files are skipped. */
int32_t hpolab_pack_dir_targz(const char *dir, const char *out,
                              struct hpolab_error *err);

#endif
