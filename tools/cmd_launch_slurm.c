/* cmd_launch_slurm.c: `hpolab launch --engine slurm`: submit the slices
 * (one job array when they share a shape), record the job ids, and with
 * --wait follow them until every job ended. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_launch.h"
#include "launch_record.h"
#include "launch_slurm.h"

static volatile int stop_follow;

static void on_signal(int sig)
{
    (void)sig;
    stop_follow = 1;
}

static void on_fail(void *user, size_t i, const char *message)
{
    const struct hpolab_launch_plan *plan = user;
    fprintf(stderr, "hpolab launch: slice %s (%s) was not submitted: %s\n",
            plan->slices[i].subdir, plan->slices[i].job_name, message);
}

/* Split on whitespace: no quoting, no shell. [owned: free the array and
 * the copy]. */
static char **split_args(const char *text, size_t *n, char **copy)
{
    *n = 0;
    *copy = strdup(text ? text : "");
    char **v = calloc(strlen(*copy) / 2 + 2, sizeof *v);
    if (!*copy || !v) {
        free(v);
        return NULL;
    }
    char *save = NULL;
    for (char *t = strtok_r(*copy, " \t\n", &save); t;
         t = strtok_r(NULL, " \t\n", &save))
        v[(*n)++] = t;
    return v;
}

int launch_run_slurm(struct hpolab_launch_plan *plan,
                     const struct launch_engine_args *a)
{
    char *copy = NULL;
    size_t n_extra = 0;
    char **extra = split_args(a->sbatch_args, &n_extra, &copy);
    if (!extra) {
        free(copy);
        fprintf(stderr, "hpolab launch: out of memory\n");
        return 1;
    }
    struct hpolab_slurm_options o = {
        .partition = a->partition,
        .account = a->account,
        .cpus_per_task = a->cpus_per_task,
        .gpus = a->gpus,
        .extra_args = (const char *const *)extra,
        .n_extra = n_extra,
        .use_array = a->use_array,
        .max_parallel = a->max_parallel,
        .timeout_s = 60.0,
    };
    plan->max_parallel = a->max_parallel > 0 ? a->max_parallel : 0;
    /* adopted jobs (launch --resume) are not submitted again; the others go
     * one job each then, since status and cancel follow a single array id
     * or else each slice's own id */
    int adopting = 0;
    for (size_t i = 0; a->adopted && i < plan->n_slices; i++)
        if (a->adopted[i] && !plan->slices[i].skipped) {
            plan->slices[i].skipped = 2;
            adopting = 1;
        }
    if (adopting)
        o.use_array = 0;
    size_t submitted = 0, wanted = 0;
    for (size_t i = 0; i < plan->n_slices; i++)
        wanted += !plan->slices[i].skipped;
    struct hpolab_error err;
    int32_t st = hpolab_slurm_submit(plan, &o, on_fail, plan, &submitted,
                                     &err);
    for (size_t i = 0; i < plan->n_slices; i++)
        if (plan->slices[i].skipped == 2)
            plan->slices[i].skipped = 0;
    /* what a later hpolab launch --resume submits with */
    json_t *opts = json_pack(
        "{s:s?, s:s?, s:I, s:I, s:s?, s:b, s:I}", "partition", a->partition,
        "account", a->account, "cpus_per_task", (json_int_t)a->cpus_per_task,
        "gpus", (json_int_t)a->gpus, "sbatch_args", a->sbatch_args,
        "use_array", a->use_array, "max_parallel",
        (json_int_t)a->max_parallel);
    if (opts && plan->engine_info)
        json_object_set_new(plan->engine_info, "options", opts);
    else
        json_decref(opts);
    free(extra);
    free(copy);
    if (st != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n", err.message);
        return 1;
    }
    /* the ids matter more than anything printed: record them first */
    if (hpolab_launch_record_write(plan, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s (the submitted jobs run "
                        "regardless; their ids are not recorded)\n",
                err.message);
        return 1;
    }
    const json_t *arr = json_object_get(plan->engine_info, "array_job_id");
    if (json_is_string(arr))
        printf("submitted %zu of %zu job(s) as job array %s\n", submitted,
               wanted, json_string_value(arr));
    else
        printf("submitted %zu of %zu job(s)\n", submitted, wanted);
    for (size_t i = 0; i < plan->n_slices && plan->n_slices <= 50; i++)
        if (plan->slices[i].job_id)
            printf("  %-28s job %s\n", plan->slices[i].job_name,
                   plan->slices[i].job_id);
    printf("follow with: hpolab status %s\nstop with:   hpolab cancel %s\n",
           plan->tag, plan->tag);
    fflush(stdout);
    int rc = submitted == wanted ? 0 : 1;
    if (a->wait && (submitted > 0 || adopting)) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        int frc = launch_follow(plan, 2.0, &stop_follow);
        if (frc == 130)
            printf("stopped following; the jobs go on (hpolab cancel %s "
                   "stops them)\n",
                   plan->tag);
        rc = frc != 0 ? frc : rc;
    }
    return rc;
}
