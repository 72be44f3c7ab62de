/* launch_sagemaker_internal.h: what the SageMaker engine
 * (launch_sagemaker.c) and its status/cancel side
 * (launch_sagemaker_status.c) share: the slices' state files. */
#ifndef HPOLAB_CORE_LAUNCH_SAGEMAKER_INTERNAL_H
#define HPOLAB_CORE_LAUNCH_SAGEMAKER_INTERNAL_H

#include "aws_sagemaker_parse.h"
#include "launch_plan.h"
#include "launch_state.h"

/* <slice dir>/job.json (the folder created if needed). */
int32_t hpolab_sm_write_job(const struct hpolab_launch_plan *plan, size_t i,
                            const struct hpolab_job_state *js,
                            struct hpolab_error *err);
/* <slice dir>/sagemaker.json: training job, status, billable seconds. */
int32_t hpolab_sm_write_info(const struct hpolab_launch_plan *plan, size_t i,
                             const struct hpolab_sm_job_info *info,
                             struct hpolab_error *err);
/* The slice state a training job's status means (job.json). */
void hpolab_sm_state_from_info(const struct hpolab_sm_job_info *in,
                               struct hpolab_job_state *js);

#endif
