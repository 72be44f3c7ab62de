/* aws_sagemaker.h: the SageMaker training-job calls hpolab makes (reference
 * aws.md §3) over the AWS client's JSON 1.1 protocol: CreateTrainingJob,
 * DescribeTrainingJob, StopTrainingJob, ListTrainingJobs (all pages), and
 * SageMaker's job-name rule. */
#ifndef HPOLAB_CORE_AWS_SAGEMAKER_H
#define HPOLAB_CORE_AWS_SAGEMAKER_H

#include <stddef.h>
#include <stdint.h>

#include "aws_client.h"
#include "aws_sagemaker_parse.h"
#include "error.h"

struct hpolab_sm_create {
    const char *name;          /* a valid job name (hpolab_sm_validate_name) */
    const char *image;         /* AlgorithmSpecification.TrainingImage */
    const char *role;          /* RoleArn */
    const char *instance_type; /* ResourceConfig.InstanceType */
    int64_t instance_count;    /* 0: 1 */
    int64_t volume_gb;         /* 0: 30 */
    int64_t max_runtime_s;     /* StoppingCondition.MaxRuntimeInSeconds */
    const char *output_uri;    /* OutputDataConfig.S3OutputPath */
    const char *checkpoint_uri; /* CheckpointConfig.S3Uri, or NULL */
    const char *code_uri;      /* S3 prefix of channel "code", or NULL */
    /* HyperParameters: n_hp pairs, values sent as strings */
    const char *const *hp_keys;
    const char *const *hp_values;
    size_t n_hp;
    /* Tags: n_tags pairs */
    const char *const *tag_keys;
    const char *const *tag_values;
    size_t n_tags;
    /* Environment: n_env pairs */
    const char *const *env_keys;
    const char *const *env_values;
    size_t n_env;
};

/* SageMaker's TrainingJobName: 1-63 characters matching
 * [a-zA-Z0-9](-*[a-zA-Z0-9])* (letters, digits, inner hyphens). The message
 * is one line naming the first offending character or the length. */
int32_t hpolab_sm_validate_name(const char *name, struct hpolab_error *err);

/* The request JSON of CreateTrainingJob (*out [owned]). */
int32_t hpolab_sm_create_request(const struct hpolab_sm_create *c,
                                 json_t **out, struct hpolab_error *err);
/* *arn [owned, may be NULL]: TrainingJobArn. svc (may be NULL) receives the
 * service's error code (ResourceLimitExceeded, ValidationException...). */
int32_t hpolab_sm_create_training_job(struct hpolab_aws_client *c,
                                      const struct hpolab_sm_create *req,
                                      char **arn,
                                      struct hpolab_aws_service_error *svc,
                                      struct hpolab_error *err);
int32_t hpolab_sm_describe(struct hpolab_aws_client *c, const char *name,
                           struct hpolab_sm_job_info *out,
                           struct hpolab_aws_service_error *svc,
                           struct hpolab_error *err);
int32_t hpolab_sm_stop(struct hpolab_aws_client *c, const char *name,
                       struct hpolab_aws_service_error *svc,
                       struct hpolab_error *err);
/* Every job whose name contains name_contains (NULL: all), newest first,
 * following NextToken; *pages (may be NULL) receives the calls it took. */
int32_t hpolab_sm_list(struct hpolab_aws_client *c, const char *name_contains,
                       struct hpolab_sm_job_list *out, int *pages,
                       struct hpolab_error *err);

#endif
