/* aws_profile.c: profile selection, shared files and region (aws_profile.h). */
#include "aws_profile.h"

#include <stdlib.h>
#include <string.h>

#include "aws_ini.h"
#include "fsutil.h"

static char *file_path(const char *env, const char *dflt)
{
    const char *v = getenv(env);
    return hpolab_expand_user(v && v[0] ? v : dflt);
}

void hpolab_aws_profile_free(struct hpolab_aws_profile *p)
{
    if (!p)
        return;
    free(p->name);
    json_decref(p->credentials);
    json_decref(p->config);
    json_decref(p->config_root);
    free(p->credentials_path);
    free(p->config_path);
    memset(p, 0, sizeof *p);
}

int32_t hpolab_aws_profile_load(const char *name,
                                struct hpolab_aws_profile *p,
                                struct hpolab_error *err)
{
    memset(p, 0, sizeof *p);
    const char *n = name;
    if (!n || !n[0]) {
        const char *a = getenv("AWS_DEFAULT_PROFILE");
        const char *b = getenv("AWS_PROFILE");
        n = a && a[0] ? a : b && b[0] ? b : NULL;
    }
    p->explicit_name = n != NULL;
    p->name = strdup(n ? n : "default");
    p->credentials_path = file_path("AWS_SHARED_CREDENTIALS_FILE",
                                    "~/.aws/credentials");
    p->config_path = file_path("AWS_CONFIG_FILE", "~/.aws/config");
    if (!p->name || !p->credentials_path || !p->config_path) {
        hpolab_aws_profile_free(p);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    json_t *creds_root = NULL;
    int32_t st = hpolab_aws_ini_load(p->credentials_path, &creds_root, err);
    if (st == HPOLAB_OK)
        st = hpolab_aws_ini_load(p->config_path, &p->config_root, err);
    if (st != HPOLAB_OK) {
        json_decref(creds_root);
        hpolab_aws_profile_free(p);
        return st;
    }
    p->credentials = json_incref(json_object_get(creds_root, p->name));
    json_decref(creds_root);
    char section[300];
    snprintf(section, sizeof section,
             strcmp(p->name, "default") == 0 ? "%s" : "profile %s", p->name);
    p->config = json_incref(json_object_get(p->config_root, section));
    if (!p->config && strcmp(p->name, "default") == 0)
        p->config = json_incref(json_object_get(p->config_root, "profile default"));
    p->found = p->credentials || p->config;
    if (!p->credentials)
        p->credentials = json_object();
    if (!p->config)
        p->config = json_object();
    if (!p->found && p->explicit_name) {
        st = hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                              "AWS profile '%s' not found: expected [%s] in "
                              "%s or [%s] in %s (set AWS_PROFILE to an "
                              "existing profile)",
                              p->name, p->name, p->credentials_path, section,
                              p->config_path);
        hpolab_aws_profile_free(p);
        return st;
    }
    return HPOLAB_OK;
}

const char *hpolab_aws_profile_get(const struct hpolab_aws_profile *p,
                                   const char *key)
{
    const char *v = json_string_value(json_object_get(p->credentials, key));
    if (v)
        return v;
    return json_string_value(json_object_get(p->config, key));
}

const char *hpolab_aws_profile_sub(const struct hpolab_aws_profile *p,
                                   const char *key, const char *sub)
{
    return json_string_value(
        json_object_get(json_object_get(p->config, key), sub));
}

int32_t hpolab_aws_region_resolve(const struct hpolab_aws_profile *p,
                                  const char *given, char **out,
                                  const char **source,
                                  struct hpolab_error *err)
{
    const char *r = NULL, *src = NULL;
    const char *a = getenv("AWS_REGION"), *b = getenv("AWS_DEFAULT_REGION");
    if (given && given[0]) {
        r = given;
        src = "--region";
    } else if (a && a[0]) {
        r = a;
        src = "AWS_REGION";
    } else if (b && b[0]) {
        r = b;
        src = "AWS_DEFAULT_REGION";
    } else if (p && (r = json_string_value(json_object_get(p->config, "region")))) {
        src = "the profile's region in the AWS config file";
    }
    if (!r || !r[0])
        return hpolab_error_set(
            err, HPOLAB_ERR_NOT_FOUND,
            "no AWS region: set AWS_REGION (e.g. export AWS_REGION=us-west-2) "
            "or 'region = ...' under [%s%s] in %s",
            p && strcmp(p->name, "default") != 0 ? "profile " : "",
            p ? p->name : "default", p ? p->config_path : "~/.aws/config");
    for (const char *c = r; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "AWS region '%s' (from %s): expected "
                                    "lower-case letters, digits and '-', "
                                    "e.g. us-west-2",
                                    r, src);
    *out = strdup(r);
    if (source)
        *source = src;
    return *out ? HPOLAB_OK
                : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
}
