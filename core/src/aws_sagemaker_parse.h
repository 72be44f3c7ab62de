/* aws_sagemaker_parse.h: SageMaker's DescribeTrainingJob and
 * ListTrainingJobs answers (JSON 1.1 protocol, reference aws.md §3.4, §3.6)
 * into plain structs. Timestamps are epoch numbers, possibly with a fraction
 * or an exponent; they are read as doubles. Separate from the calls so the
 * parser can be fuzzed (tests/fuzz/fuzz_sagemaker_json.c). */
#ifndef HPOLAB_CORE_AWS_SAGEMAKER_PARSE_H
#define HPOLAB_CORE_AWS_SAGEMAKER_PARSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HPOLAB_SM_NAME_MAX 63

struct hpolab_sm_job_info {
    char name[HPOLAB_SM_NAME_MAX + 1];
    char status[16];     /* TrainingJobStatus: InProgress, Completed, ... */
    char secondary[32];  /* SecondaryStatus, "" when absent */
    char failure[1025];  /* FailureReason, "" when absent */
    char instance_type[48]; /* ResourceConfig.InstanceType, "" when absent */
    double creation, start, end; /* epoch seconds; 0 when absent */
    int64_t billable_s;  /* BillableTimeInSeconds; -1 when absent */
};

struct hpolab_sm_job_list {
    struct hpolab_sm_job_info *items; /* owned */
    size_t n, cap;
};

/* 1 for Completed, Failed and Stopped. */
int hpolab_sm_status_is_final(const char *status);

/* A DescribeTrainingJob answer. TrainingJobName and TrainingJobStatus are
 * required (HPOLAB_ERR_PARSE naming the member otherwise); a known status
 * is required too. Over-long strings are cut. */
int32_t hpolab_sm_parse_describe_json(const json_t *j,
                                      struct hpolab_sm_job_info *out,
                                      struct hpolab_error *err);
int32_t hpolab_sm_parse_describe(const char *text, size_t len,
                                 struct hpolab_sm_job_info *out,
                                 struct hpolab_error *err);

/* A ListTrainingJobs page: its summaries are appended to list;
 * *next_token [owned: free] is its NextToken or NULL. */
int32_t hpolab_sm_parse_list_json(const json_t *j,
                                  struct hpolab_sm_job_list *list,
                                  char **next_token, struct hpolab_error *err);
int32_t hpolab_sm_parse_list(const char *text, size_t len,
                             struct hpolab_sm_job_list *list,
                             char **next_token, struct hpolab_error *err);
void hpolab_sm_job_list_free(struct hpolab_sm_job_list *list);

#endif
