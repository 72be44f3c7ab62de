/* launch_sagemaker.h: the SageMaker engine of `hpolab launch` (framework
 * reference §4.1-§4.2, issue 8 item 3): the study folder packed (tar.gz)
 * and uploaded once, one training job per slice of the launch plan
 * (launch_plan.h) running the slice's `hpolab run` in hpolab's container
 * (tools/container/), at most max_parallel in flight, ResourceLimitExceeded
 * waited out and retried. The engine keeps the same files as the local one:
 * <slice dir>/job.json (launch_state.h) from DescribeTrainingJob, so
 * `hpolab status` and launch_status.c read a SageMaker study like any other,
 * plus <slice dir>/sagemaker.json (the training job, its status and billable
 * seconds) for the cost. */
#ifndef HPOLAB_CORE_LAUNCH_SAGEMAKER_H
#define HPOLAB_CORE_LAUNCH_SAGEMAKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "aws_client.h"
#include "error.h"
#include "launch_plan.h"
#include "launch_state.h"

#define HPOLAB_SM_DEFAULT_INSTANCE "ml.c5.4xlarge"
#define HPOLAB_SM_STATE_NAME "sagemaker.json"

struct hpolab_sm_instance {
    const char *type;
    int vcpus, gpus;
    double price_per_hour; /* USD, on-demand (launch_sagemaker_instances.inc) */
};

/* The row of an instance type; NULL when the table does not know it.
 * HPOLAB_SAGEMAKER_PRICES (a CSV file "type,vcpus,gpus,price" per line)
 * overrides and extends the built-in table. [static] */
const struct hpolab_sm_instance *hpolab_sm_instance_find(const char *type);

/* What one launch sends (all [borrowed]). */
struct hpolab_sm_engine {
    struct hpolab_aws_client *client;
    const char *bucket;
    const char *image, *role, *instance_type;
    const char *code_uri;   /* s3://<bucket>/hpolab/<tag>/code/ */
    const char *study_rel;  /* the study file, relative to the packed folder */
    int64_t max_parallel;   /* jobs in flight at most; 0: all */
    double poll_s;          /* DescribeTrainingJob period of each job */
    double backoff_s;       /* wait after ResourceLimitExceeded */
    int max_limit_tries;    /* ResourceLimitExceeded retries of one slice */
    int wake_fd;            /* readable when *cancel was set; -1 if none */
    volatile sig_atomic_t *cancel;
    void (*on_change)(void *user, size_t slice,
                      const struct hpolab_job_state *state);
    void *user;
    /* Told each line worth a user's attention (retries, refusals). */
    void (*on_note)(void *user, const char *line);
};

/* The CreateTrainingJob hyperparameters of slice i: hpolab_mode=run,
 * hpolab_study, then "--name value" of the slice's `hpolab run` arguments
 * without the study and --results_dir (the job writes to its checkpoint
 * folder). keys/values [owned: free each and both arrays]. */
int32_t hpolab_sm_slice_hyperparameters(const struct hpolab_launch_plan *plan,
                                        size_t i, const char *study_rel,
                                        char ***keys, char ***values,
                                        size_t *n, struct hpolab_error *err);

/* s3://<bucket>/hpolab/<tag>/<method>-<seed>/ [owned: free]. */
char *hpolab_sm_checkpoint_uri(const char *bucket,
                               const struct hpolab_launch_plan *plan,
                               size_t i);

/* Runs every slice that is not skipped until all ended or *cancel was set
 * (then in-flight jobs get StopTrainingJob and slices not submitted are
 * recorded as cancelled). A refused CreateTrainingJob (ValidationException,
 * AccessDenied...) fails that slice with the service's message and stops
 * submitting (the others would be refused alike). Returns HPOLAB_OK when
 * the engine ran, HPOLAB_ERR_INTERRUPTED when cancelled. */
int32_t hpolab_sm_engine_run(const struct hpolab_launch_plan *plan,
                             const struct hpolab_sm_engine *e,
                             struct hpolab_error *err);

/* Brings job.json / sagemaker.json of every slice that has not recorded a
 * final state up to date with DescribeTrainingJob (`hpolab status`, `hpolab
 * cancel`). A job SageMaker does not know (never submitted) is left alone.
 * *failed (may be NULL) counts jobs that could not be asked; err holds the
 * first reason. */
int32_t hpolab_sm_refresh(const struct hpolab_launch_plan *plan,
                          struct hpolab_aws_client *c, size_t *failed,
                          struct hpolab_error *err);

/* StopTrainingJob for every slice (only >= 0: that one) whose job is in
 * progress; slices not submitted yet are recorded as cancelled. */
int32_t hpolab_sm_cancel(const struct hpolab_launch_plan *plan, int64_t only,
                         struct hpolab_aws_client *c, size_t *stopped,
                         struct hpolab_error *err);

/* Billable seconds summed over the slices' sagemaker.json, and their cost
 * at price_per_hour (< 0: unknown price, *cost set to -1). */
void hpolab_sm_cost(const struct hpolab_launch_plan *plan,
                    double price_per_hour, int64_t *billable_s, double *cost);

#endif
