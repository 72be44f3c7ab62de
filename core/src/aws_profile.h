/* aws_profile.h: the profile a CLI user selected (AWS_PROFILE, legacy
 * AWS_DEFAULT_PROFILE, else "default") with its sections of the shared
 * credentials and config files, and the region (reference aws.md §2). */
#ifndef HPOLAB_CORE_AWS_PROFILE_H
#define HPOLAB_CORE_AWS_PROFILE_H

#include <jansson.h>

#include "error.h"

struct hpolab_aws_profile {
    char *name;         /* owned */
    int explicit_name;  /* named by the caller or the environment */
    int found;          /* a section exists in one of the files */
    json_t *credentials; /* owned: [name] of the credentials file ({}) */
    json_t *config;      /* owned: [profile name] / [default] of config ({}) */
    json_t *config_root; /* owned: the whole config file, for [services x] */
    char *credentials_path; /* owned, for messages */
    char *config_path;      /* owned */
};

/* name: NULL to take it from the environment. Files: AWS_SHARED_
 * CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws/{credentials,config}.
 * A named profile that neither file has is an error naming both files. */
int32_t hpolab_aws_profile_load(const char *name,
                                struct hpolab_aws_profile *p,
                                struct hpolab_error *err);
void hpolab_aws_profile_free(struct hpolab_aws_profile *p);
/* [borrowed] a string key: the credentials file wins over config. */
const char *hpolab_aws_profile_get(const struct hpolab_aws_profile *p,
                                   const char *key);
/* [borrowed] a config sub-section value, e.g. ("s3", "addressing_style"). */
const char *hpolab_aws_profile_sub(const struct hpolab_aws_profile *p,
                                   const char *key, const char *sub);

/* The region: given (a flag) > AWS_REGION > AWS_DEFAULT_REGION > the
 * profile's region. *out [owned]. None: HPOLAB_ERR_NOT_FOUND with one line
 * naming what to set. *source [static] says where it came from. */
int32_t hpolab_aws_region_resolve(const struct hpolab_aws_profile *p,
                                  const char *given, char **out,
                                  const char **source,
                                  struct hpolab_error *err);

#endif
