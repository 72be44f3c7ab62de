/* aws_sagemaker.c: SageMaker training-job calls (aws_sagemaker.h). */
#include "aws_sagemaker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_endpoint.h"

int32_t hpolab_sm_validate_name(const char *name, struct hpolab_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > HPOLAB_SM_NAME_MAX)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "SageMaker job name '%s': %zu characters, "
                                "SageMaker allows 1-%d",
                                name, n, HPOLAB_SM_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9');
        if (!alnum && ch != '-')
            return hpolab_error_set(
                err, HPOLAB_ERR_INVALID,
                "SageMaker job name '%s': character %zu ('%c') is not "
                "allowed; SageMaker allows only letters, digits and '-'",
                name, i + 1, ch >= 0x20 && ch < 0x7f ? ch : '?');
        if (ch == '-' && (i == 0 || i == n - 1))
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "SageMaker job name '%s': must not "
                                    "start or end with '-'",
                                    name);
    }
    return HPOLAB_OK;
}

static int set_str(json_t *o, const char *k, const char *v)
{
    return json_object_set_new(o, k, json_string(v));
}

static json_t *pairs_object(const char *const *k, const char *const *v,
                            size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        if (set_str(o, k[i], v[i]) != 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}

int32_t hpolab_sm_create_request(const struct hpolab_sm_create *c,
                                 json_t **out, struct hpolab_error *err)
{
    *out = NULL;
    json_t *hp = pairs_object(c->hp_keys, c->hp_values, c->n_hp);
    json_t *tags = json_array();
    for (size_t i = 0; tags && i < c->n_tags; i++)
        json_array_append_new(tags, json_pack("{s:s,s:s}", "Key",
                                              c->tag_keys[i], "Value",
                                              c->tag_values[i]));
    json_t *r = json_pack(
        "{s:s,s:s,s:{s:s},s:o,s:{s:s,s:s},s:{s:s,s:I,s:I},s:{s:I}}",
        "TrainingJobName", c->name, "RoleArn", c->role, "OutputDataConfig",
        "S3OutputPath", c->output_uri, "HyperParameters",
        hp ? hp : json_object(), "AlgorithmSpecification",
        "TrainingInputMode", "File", "TrainingImage", c->image,
        "ResourceConfig", "InstanceType", c->instance_type, "InstanceCount",
        (json_int_t)(c->instance_count > 0 ? c->instance_count : 1),
        "VolumeSizeInGB", (json_int_t)(c->volume_gb > 0 ? c->volume_gb : 30),
        "StoppingCondition", "MaxRuntimeInSeconds",
        (json_int_t)c->max_runtime_s);
    int ok = r && tags && json_array_size(tags) == c->n_tags;
    if (ok && c->n_tags)
        ok = json_object_set(r, "Tags", tags) == 0;
    if (ok && c->checkpoint_uri)
        ok = json_object_set_new(r, "CheckpointConfig",
                                 json_pack("{s:s,s:s}", "S3Uri",
                                           c->checkpoint_uri, "LocalPath",
                                           "/opt/ml/checkpoints")) == 0;
    if (ok && c->code_uri)
        ok = json_object_set_new(
                 r, "InputDataConfig",
                 json_pack("[{s:s,s:{s:{s:s,s:s,s:s}}}]", "ChannelName",
                           "code", "DataSource", "S3DataSource", "S3DataType",
                           "S3Prefix", "S3Uri", c->code_uri,
                           "S3DataDistributionType", "FullyReplicated")) == 0;
    if (ok && c->n_env) {
        json_t *env = pairs_object(c->env_keys, c->env_values, c->n_env);
        ok = env && json_object_set_new(r, "Environment", env) == 0;
    }
    json_decref(tags);
    if (!ok) {
        json_decref(r);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "CreateTrainingJob %s: cannot build the "
                                "request (out of memory or a value is not "
                                "UTF-8)",
                                c->name);
    }
    *out = r;
    return HPOLAB_OK;
}

int32_t hpolab_sm_create_training_job(struct hpolab_aws_client *c,
                                      const struct hpolab_sm_create *req,
                                      char **arn,
                                      struct hpolab_aws_service_error *svc,
                                      struct hpolab_error *err)
{
    if (arn)
        *arn = NULL;
    json_t *in = NULL, *out = NULL;
    int32_t st = hpolab_sm_create_request(req, &in, err);
    if (st == HPOLAB_OK)
        st = hpolab_aws_json_call(c, HPOLAB_AWS_SAGEMAKER,
                                  "SageMaker.CreateTrainingJob", in, &out, svc,
                                  err);
    if (st == HPOLAB_OK && arn) {
        const char *a = json_string_value(json_object_get(out, "TrainingJobArn"));
        *arn = a ? strdup(a) : NULL;
    }
    json_decref(in);
    json_decref(out);
    return st;
}

static int32_t name_call(struct hpolab_aws_client *c, const char *target,
                         const char *name, json_t **out,
                         struct hpolab_aws_service_error *svc,
                         struct hpolab_error *err)
{
    json_t *in = json_pack("{s:s}", "TrainingJobName", name);
    if (!in)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int32_t st =
        hpolab_aws_json_call(c, HPOLAB_AWS_SAGEMAKER, target, in, out, svc, err);
    json_decref(in);
    return st;
}

int32_t hpolab_sm_describe(struct hpolab_aws_client *c, const char *name,
                           struct hpolab_sm_job_info *out,
                           struct hpolab_aws_service_error *svc,
                           struct hpolab_error *err)
{
    json_t *j = NULL;
    int32_t st = name_call(c, "SageMaker.DescribeTrainingJob", name, &j, svc,
                           err);
    if (st == HPOLAB_OK) {
        st = hpolab_sm_parse_describe_json(j, out, err);
        if (st != HPOLAB_OK)
            hpolab_error_prefix(err, "DescribeTrainingJob %s", name);
    }
    json_decref(j);
    return st;
}

int32_t hpolab_sm_stop(struct hpolab_aws_client *c, const char *name,
                       struct hpolab_aws_service_error *svc,
                       struct hpolab_error *err)
{
    json_t *j = NULL;
    int32_t st = name_call(c, "SageMaker.StopTrainingJob", name, &j, svc, err);
    json_decref(j);
    return st;
}

int32_t hpolab_sm_list(struct hpolab_aws_client *c, const char *name_contains,
                       struct hpolab_sm_job_list *out, int *pages,
                       struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    if (pages)
        *pages = 0;
    char *token = NULL;
    int32_t st = HPOLAB_OK;
    do {
        json_t *in = json_pack("{s:i,s:s,s:s}", "MaxResults", 100, "SortBy",
                               "CreationTime", "SortOrder", "Descending");
        if (in && name_contains)
            json_object_set_new(in, "NameContains", json_string(name_contains));
        if (in && token)
            json_object_set_new(in, "NextToken", json_string(token));
        free(token);
        token = NULL;
        if (!in)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        json_t *j = NULL;
        st = hpolab_aws_json_call(c, HPOLAB_AWS_SAGEMAKER,
                                  "SageMaker.ListTrainingJobs", in, &j, NULL,
                                  err);
        json_decref(in);
        if (st == HPOLAB_OK)
            st = hpolab_sm_parse_list_json(j, out, &token, err);
        json_decref(j);
        if (pages)
            (*pages)++;
    } while (st == HPOLAB_OK && token);
    free(token);
    if (st != HPOLAB_OK)
        hpolab_sm_job_list_free(out);
    return st;
}
