/* launch_status.c: see launch_status.h. */
#include "launch_status.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "fsutil.h"
#include "launch_slurm.h"
#include "record.h"
#include "results_table.h"
#include "results_zip.h"

int hpolab_launch_best_so_far(const char *slice_dir, const char *metric,
                              int32_t mode, double *best, int64_t *rows)
{
    DIR *d = opendir(slice_dir);
    if (!d)
        return 0;
    /* tuner names end in a fixed-width UTC time: the largest is newest */
    char newest[256] = "";
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof newest)
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s/results.csv.zip", slice_dir,
                 de->d_name);
        struct stat sb;
        if (stat(path, &sb) == 0 && strcmp(de->d_name, newest) > 0)
            snprintf(newest, sizeof newest, "%s", de->d_name);
    }
    closedir(d);
    if (!newest[0])
        return 0;
    char dir[4400];
    snprintf(dir, sizeof dir, "%s/%s", slice_dir, newest);
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    if (hpolab_results_read(dir, &res, &err) != HPOLAB_OK)
        return 0;
    size_t n = hpolab_results_row_count(res);
    int have = 0;
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_value *v =
            hpolab_record_get(hpolab_results_row(res, i), metric);
        double x;
        if (!v || hpolab_value_as_double(v, &x) != HPOLAB_OK || isnan(x))
            continue;
        if (!have || (mode == HPOLAB_MODE_MAX ? x > *best : x < *best))
            *best = x;
        have = 1;
    }
    *rows = (int64_t)n;
    hpolab_results_free(res);
    return have;
}

int hpolab_launch_supervisor_alive(const char *root,
                                   struct hpolab_job_state *s)
{
    char *path = hpolab_path_join(root, HPOLAB_SUPERVISOR_STATE_NAME);
    struct hpolab_error err;
    int32_t st = path ? hpolab_job_state_read(path, s, &err) : HPOLAB_ERR_NOMEM;
    free(path);
    if (st != HPOLAB_OK || s->state != HPOLAB_SLICE_RUNNING)
        return 0;
    return hpolab_job_state_process_alive(s);
}

/* Slurm's view of the jobs that have not recorded a final state. */
static void ask_slurm(const struct hpolab_launch_plan *plan,
                      struct hpolab_launch_row *rows, char *warning,
                      size_t wsize)
{
    const char **ids = calloc(plan->n_slices + 1, sizeof *ids);
    size_t n = 0;
    const json_t *arr = json_object_get(plan->engine_info, "array_job_id");
    for (size_t i = 0; ids && i < plan->n_slices; i++) {
        if (!plan->slices[i].job_id ||
            hpolab_slice_state_is_final(rows[i].job.state))
            continue;
        if (json_is_string(arr)) { /* one id lists the whole array */
            ids[0] = json_string_value(arr);
            n = 1;
            break;
        }
        ids[n++] = plan->slices[i].job_id;
    }
    struct hpolab_slurm_job *jobs = NULL;
    size_t n_jobs = 0;
    struct hpolab_error err;
    if (n > 0 &&
        hpolab_slurm_query(ids, n, 30.0, &jobs, &n_jobs, &err) != HPOLAB_OK) {
        snprintf(warning, wsize, "cannot ask Slurm about the jobs: %s",
                 err.message);
        for (size_t i = 0; i < plan->n_slices; i++)
            if (plan->slices[i].job_id &&
                rows[i].job.state == HPOLAB_SLICE_PENDING)
                rows[i].job.state = HPOLAB_SLICE_UNKNOWN;
        free(ids);
        return;
    }
    for (size_t i = 0; n > 0 && i < plan->n_slices; i++) {
        struct hpolab_launch_row *r = &rows[i];
        const char *id = plan->slices[i].job_id;
        if (!id || hpolab_slice_state_is_final(r->job.state))
            continue;
        const struct hpolab_slurm_job *j = NULL;
        for (size_t k = 0; k < n_jobs && !j; k++)
            if (strcmp(jobs[k].id, id) == 0)
                j = &jobs[k];
        if (!j) {
            if (r->job.state == HPOLAB_SLICE_PENDING) {
                r->job.state = HPOLAB_SLICE_UNKNOWN;
                snprintf(r->job.message, sizeof r->job.message,
                         "Slurm no longer knows job %s and it recorded no "
                         "state",
                         id);
            }
            continue;
        }
        int32_t s = hpolab_slurm_state_to_slice(j->state);
        /* the job's own "running" wins over Slurm's pending/running; a final
         * Slurm state wins over a job that could not record its end */
        if (hpolab_slice_state_is_final(s) || r->job.state == HPOLAB_SLICE_PENDING) {
            r->job.state = s;
            if (hpolab_slice_state_is_final(s) && !r->job.message[0])
                snprintf(r->job.message, sizeof r->job.message,
                         "Slurm: %s%s%s (exit %d)", j->state,
                         j->reason[0] && strcmp(j->reason, "None") != 0
                             ? ", "
                             : "",
                         strcmp(j->reason, "None") != 0 ? j->reason : "",
                         j->exit_code);
            else if (s == HPOLAB_SLICE_PENDING && j->reason[0] &&
                     strcmp(j->reason, "None") != 0)
                snprintf(r->job.message, sizeof r->job.message,
                         "Slurm: %s", j->reason);
        }
        snprintf(r->job.job_id, sizeof r->job.job_id, "%s", id);
    }
    free(jobs);
    free(ids);
}

int32_t hpolab_launch_collect(const struct hpolab_launch_plan *plan,
                              int ask_engine, int with_results,
                              struct hpolab_launch_row **out,
                              struct hpolab_launch_totals *totals,
                              char *warning, size_t wsize,
                              struct hpolab_error *err)
{
    warning[0] = '\0';
    struct hpolab_launch_row *rows =
        calloc(plan->n_slices + 1, sizeof *rows);
    if (!rows)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int local = strcmp(plan->engine, "local") == 0;
    struct hpolab_job_state sup;
    int sup_alive = local ? hpolab_launch_supervisor_alive(plan->root, &sup)
                          : 1;
    for (size_t i = 0; i < plan->n_slices; i++) {
        struct hpolab_launch_row *r = &rows[i];
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", plan->slices[i].dir,
                 HPOLAB_JOB_STATE_NAME);
        struct hpolab_error e;
        if (hpolab_job_state_read(path, &r->job, &e) != HPOLAB_OK)
            hpolab_job_state_init(&r->job);
        if (local && !hpolab_slice_state_is_final(r->job.state) &&
            !plan->slices[i].skipped) {
            if (r->job.state == HPOLAB_SLICE_RUNNING &&
                hpolab_job_state_process_alive(&r->job) == 0) {
                r->job.state = HPOLAB_SLICE_FAILED;
                snprintf(r->job.message, sizeof r->job.message,
                         "its process (pid %lld) is gone without recording "
                         "its end",
                         (long long)r->job.pid);
            } else if (r->job.state == HPOLAB_SLICE_PENDING && sup_alive == 0) {
                r->job.state = HPOLAB_SLICE_CANCELLED;
                snprintf(r->job.message, sizeof r->job.message,
                         "never started: the launcher is gone");
            }
        }
        if (plan->slices[i].job_id && !r->job.job_id[0])
            snprintf(r->job.job_id, sizeof r->job.job_id, "%s",
                     plan->slices[i].job_id);
    }
    if (ask_engine && strcmp(plan->engine, "slurm") == 0)
        ask_slurm(plan, rows, warning, wsize);
    double now = hpolab_wall_time();
    memset(totals, 0, sizeof *totals);
    totals->all_final = 1;
    for (size_t i = 0; i < plan->n_slices; i++) {
        struct hpolab_launch_row *r = &rows[i];
        r->elapsed = -1;
        if (r->job.start > 0)
            r->elapsed = (r->job.end > 0 ? r->job.end : now) - r->job.start;
        r->results = -1;
        if (with_results && r->job.state != HPOLAB_SLICE_PENDING)
            r->has_best = hpolab_launch_best_so_far(
                plan->slices[i].dir, plan->metric, plan->mode, &r->best,
                &r->results);
        int32_t s = r->job.state;
        if (s < 0 || s >= HPOLAB_SLICE_STATE_COUNT)
            s = HPOLAB_SLICE_UNKNOWN;
        totals->count[s]++;
        totals->total++;
        if (!hpolab_slice_state_is_final(s))
            totals->all_final = 0;
    }
    *out = rows;
    return HPOLAB_OK;
}
