/* cmd_launch_sagemaker_status.c: `hpolab status` and `hpolab cancel` of a
 * study launched with --engine sagemaker (cmd_launch.h): the client for the
 * launch's region, the slices' states from SageMaker, the cost, stopping. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_launch.h"
#include "launch_sagemaker.h"
#include "launch_state.h"
#include "launch_status.h"

struct hpolab_aws_client *launch_sagemaker_client(const char *command,
                                            const char *region)
{
    struct hpolab_aws_client_options o;
    memset(&o, 0, sizeof o);
    o.region = region;
    struct hpolab_aws_client *c = NULL;
    struct hpolab_error err;
    if (hpolab_aws_client_create(&o, &c, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s: %s\n", command, err.message);
        return NULL;
    }
    return c;
}

static const char *info_str(const struct hpolab_launch_plan *plan,
                            const char *key)
{
    return json_string_value(json_object_get(plan->engine_info, key));
}

void launch_sagemaker_print_cost(FILE *out,
                                 const struct hpolab_launch_plan *plan)
{
    const char *type = info_str(plan, "instance_type");
    const struct hpolab_sm_instance *in = hpolab_sm_instance_find(type);
    int64_t billable;
    double cost;
    hpolab_sm_cost(plan, in ? in->price_per_hour : -1, &billable, &cost);
    if (in)
        fprintf(out,
                "SageMaker: %lld s billable on %s ($%.3f/h, prices of "
                "launch_sagemaker_instances.inc): estimated cost $%.*f "
                "(st_worker_cost $%.6f/s)\n",
                (long long)billable, type, in->price_per_hour,
                cost < 1 ? 4 : 2, cost,
                in->price_per_hour / 3600.0);
    else
        fprintf(out, "SageMaker: %lld s billable on %s (no price known for "
                     "it; set HPOLAB_SAGEMAKER_PRICES)\n",
                (long long)billable, type ? type : "?");
}

void launch_sagemaker_refresh(const char *command,
                              const struct hpolab_launch_plan *plan)
{
    struct hpolab_aws_client *c = launch_sagemaker_client(command, info_str(plan, "region"));
    if (!c) {
        fprintf(stderr, "%s: warning: showing the states recorded so far\n",
                command);
        return;
    }
    size_t failed = 0;
    struct hpolab_error err;
    if (hpolab_sm_refresh(plan, c, &failed, &err) != HPOLAB_OK)
        fprintf(stderr, "%s: warning: %zu job(s) could not be asked: %s\n",
                command, failed, err.message);
    hpolab_aws_client_free(c);
}

int launch_cancel_sagemaker(const struct hpolab_launch_plan *plan,
                            int64_t only)
{
    /* the supervisor first, so it submits nothing more */
    struct hpolab_job_state sup;
    if (only < 0 && hpolab_launch_supervisor_alive(plan->root, &sup) == 1) {
        printf("stopping the supervisor (pid %lld) and its jobs\n",
               (long long)sup.pid);
        kill((pid_t)sup.pid, SIGTERM);
        for (int i = 0; i < 100 &&
                        hpolab_launch_supervisor_alive(plan->root, &sup) == 1;
             i++)
            usleep(100000);
    }
    struct hpolab_aws_client *c =
        launch_sagemaker_client("hpolab cancel", info_str(plan, "region"));
    if (!c)
        return 2;
    size_t stopped = 0;
    struct hpolab_error err;
    int rc = 0;
    if (hpolab_sm_cancel(plan, only, c, &stopped, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab cancel: %s\n", err.message);
        rc = 1;
    }
    printf("StopTrainingJob sent to %zu job(s)\n", stopped);
    hpolab_aws_client_free(c);
    return rc;
}
