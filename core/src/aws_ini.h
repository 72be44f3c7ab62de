/* aws_ini.h: the INI-like ~/.aws/credentials and ~/.aws/config files
 * (reference aws.md §2.2): sections, "key = value", '#'/';' comment lines,
 * and indented "sub = value" lines under an empty "key =" (services, s3). */
#ifndef HPOLAB_CORE_AWS_INI_H
#define HPOLAB_CORE_AWS_INI_H

#include <jansson.h>

#include "error.h"

/* *out [owned]: {"<section>": {"key": "value", "key": {"sub": "value"}}}.
 * A missing file gives an empty object (HPOLAB_OK). */
int32_t hpolab_aws_ini_load(const char *path, json_t **out,
                            struct hpolab_error *err);
int32_t hpolab_aws_ini_parse(const char *text, const char *what, json_t **out,
                             struct hpolab_error *err);

#endif
