/* launch_sagemaker_status.c: what `hpolab status` and `hpolab cancel` do
 * for a SageMaker study (launch_sagemaker.h): the slices' state files
 * brought up to date from ListTrainingJobs / DescribeTrainingJob,
 * StopTrainingJob, and the cost from the billable seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_sagemaker.h"
#include "clock.h"
#include "launch_sagemaker.h"
#include "launch_sagemaker_internal.h"
#include "launch_status.h"

static int final_recorded(const struct hpolab_launch_plan *plan, size_t i,
                          struct hpolab_job_state *js)
{
    char path[4200];
    struct hpolab_error err;
    snprintf(path, sizeof path, "%s/%s", plan->slices[i].dir,
             HPOLAB_JOB_STATE_NAME);
    if (hpolab_job_state_read(path, js, &err) != HPOLAB_OK)
        hpolab_job_state_init(js);
    return hpolab_slice_state_is_final(js->state);
}

int32_t hpolab_sm_refresh(const struct hpolab_launch_plan *plan,
                          struct hpolab_aws_client *c, size_t *failed,
                          struct hpolab_error *err)
{
    size_t bad = 0;
    struct hpolab_job_state sup_state;
    int sup = hpolab_launch_supervisor_alive(plan->root, &sup_state);
    /* one ListTrainingJobs (pages of 100) for the study's jobs; Describe
     * only for those that ended since (FailureReason, billable time) */
    struct hpolab_sm_job_list l = {0};
    char prefix[HPOLAB_JOB_NAME_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s-", plan->tag);
    int listed = hpolab_sm_list(c, prefix, &l, NULL, err) == HPOLAB_OK;
    if (!listed)
        bad++;
    for (size_t i = 0; listed && i < plan->n_slices; i++) {
        struct hpolab_job_state js;
        if (plan->slices[i].skipped || final_recorded(plan, i, &js))
            continue;
        const struct hpolab_sm_job_info *sum = NULL;
        for (size_t k = 0; k < l.n && !sum; k++)
            if (!strcmp(l.items[k].name, plan->slices[i].job_name))
                sum = &l.items[k];
        struct hpolab_error e;
        if (!sum) {
            if (sup == 0) {
                /* never submitted and nobody left to submit it */
                js.state = HPOLAB_SLICE_CANCELLED;
                js.end = hpolab_wall_time();
                snprintf(js.message, sizeof js.message,
                         "never submitted: the launcher is gone");
                hpolab_sm_write_job(plan, i, &js, &e);
            }
            continue;
        }
        struct hpolab_sm_job_info info = *sum;
        if (hpolab_sm_status_is_final(sum->status) &&
            hpolab_sm_describe(c, sum->name, &info, NULL, &e) != HPOLAB_OK) {
            if (!bad++)
                *err = e;
            continue;
        }
        struct hpolab_job_state old = js;
        hpolab_sm_state_from_info(&info, &js);
        if (!hpolab_sm_status_is_final(info.status)) {
            /* a summary has no instance type or training start */
            snprintf(js.host, sizeof js.host, "%s", old.host);
            if (old.start > 0)
                js.start = old.start;
        }
        if (hpolab_sm_write_job(plan, i, &js, &e) != HPOLAB_OK ||
            (hpolab_sm_status_is_final(info.status) &&
             hpolab_sm_write_info(plan, i, &info, &e) != HPOLAB_OK)) {
            if (!bad++)
                *err = e;
        }
    }
    hpolab_sm_job_list_free(&l);
    if (failed)
        *failed = bad;
    return bad ? err->status : HPOLAB_OK;
}

int32_t hpolab_sm_cancel(const struct hpolab_launch_plan *plan, int64_t only,
                         struct hpolab_aws_client *c, size_t *stopped,
                         struct hpolab_error *err)
{
    size_t n = 0, bad = 0;
    for (size_t i = 0; i < plan->n_slices; i++) {
        if (only >= 0 && (size_t)only != i)
            continue;
        struct hpolab_job_state js;
        if (plan->slices[i].skipped || final_recorded(plan, i, &js))
            continue;
        struct hpolab_aws_service_error svc;
        struct hpolab_error e;
        memset(&svc, 0, sizeof svc);
        if (hpolab_sm_stop(c, plan->slices[i].job_name, &svc, &e) ==
            HPOLAB_OK) {
            n++;
            continue;
        }
        struct hpolab_sm_job_info info;
        if (hpolab_sm_describe(c, plan->slices[i].job_name, &info, &svc, &e) ==
            HPOLAB_OK) {
            /* it ended meanwhile: record how */
            hpolab_sm_state_from_info(&info, &js);
            hpolab_sm_write_job(plan, i, &js, &e);
            hpolab_sm_write_info(plan, i, &info, &e);
        } else if (!strcmp(svc.code, "ValidationException")) {
            /* not submitted yet: it never will be */
            js.state = HPOLAB_SLICE_CANCELLED;
            js.end = hpolab_wall_time();
            snprintf(js.message, sizeof js.message,
                     "cancelled before it was submitted");
            hpolab_sm_write_job(plan, i, &js, &e);
        } else if (!bad++) {
            *err = e;
        }
    }
    if (stopped)
        *stopped = n;
    return bad ? err->status : HPOLAB_OK;
}

void hpolab_sm_cost(const struct hpolab_launch_plan *plan,
                    double price_per_hour, int64_t *billable_s, double *cost)
{
    int64_t total = 0;
    for (size_t i = 0; i < plan->n_slices; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", plan->slices[i].dir,
                 HPOLAB_SM_STATE_NAME);
        json_t *j = json_load_file(path, 0, NULL);
        json_t *b = json_object_get(j, "billable_s");
        if (json_is_integer(b) && json_integer_value(b) > 0)
            total += json_integer_value(b);
        json_decref(j);
    }
    *billable_s = total;
    *cost = price_per_hour >= 0 ? (double)total * price_per_hour / 3600.0 : -1;
}
