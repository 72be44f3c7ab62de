/* cmd_cancel.c: `hpolab cancel TAG [--slice METHOD-SEED]`: stop the jobs of
 * a launched study (or one of them) from any shell, then show what became
 * of them. Local engine: SIGTERM to the supervisor (which stops every job
 * and records the ones it never started), or to one job's process group.
 * Slurm: scancel. Jobs that never started are recorded as cancelled, so a
 * job Slurm starts a moment later exits at once. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_options.h"
#include "clock.h"
#include "cmd_launch.h"
#include "launch_slurm.h"
#include "launch_state.h"

static const struct cli_option cancel_options[] = {
    {"slice", CLI_STRING, "METHOD-SEED",
     "cancel only this job (its folder name or job name)"},
    {"results_dir", CLI_STRING, "DIR",
     "where the study's folder is (default: $HPOLAB_RESULTS, else "
     "~/hpolab)"},
    {"timeout", CLI_DOUBLE, "SECONDS",
     "wait this long for the jobs to end (default 60)"},
    {NULL, 0, NULL, NULL},
};

static void pause_s(double s)
{
    struct timespec ts = {0, (long)(s * 1e9)};
    nanosleep(&ts, NULL);
}

static void state_path(const struct hpolab_launch_slice *s, char *buf,
                       size_t size)
{
    snprintf(buf, size, "%s/%s", s->dir, HPOLAB_JOB_STATE_NAME);
}

/* A job that has not started: record it as cancelled. Returns 1 if it was
 * pending. */
static int cancel_pending(const struct hpolab_launch_slice *s)
{
    char path[4200];
    state_path(s, path, sizeof path);
    struct hpolab_job_state js;
    struct hpolab_error err;
    if (s->skipped)
        return 0;
    int32_t st = hpolab_job_state_read(path, &js, &err);
    if (st == HPOLAB_OK && js.state != HPOLAB_SLICE_PENDING)
        return 0;
    hpolab_job_state_init(&js);
    js.state = HPOLAB_SLICE_CANCELLED;
    snprintf(js.message, sizeof js.message, "cancelled before it started");
    if (hpolab_job_state_write(path, &js, &err) != HPOLAB_OK)
        fprintf(stderr, "hpolab cancel: %s\n", err.message);
    return 1;
}

/* SIGTERM to a running local job's process group (it leads its group). */
static int signal_job(const struct hpolab_launch_slice *s)
{
    char path[4200];
    state_path(s, path, sizeof path);
    struct hpolab_job_state js;
    struct hpolab_error err;
    if (hpolab_job_state_read(path, &js, &err) != HPOLAB_OK ||
        js.state != HPOLAB_SLICE_RUNNING ||
        hpolab_job_state_process_alive(&js) != 1)
        return 0;
    if (kill(-(pid_t)js.pid, SIGTERM) != 0 && errno == ESRCH)
        kill((pid_t)js.pid, SIGTERM);
    return 1;
}

static int cancel_local(const struct hpolab_launch_plan *plan, int64_t only,
                        double timeout)
{
    struct hpolab_job_state sup;
    int alive = hpolab_launch_supervisor_alive(plan->root, &sup);
    if (only < 0 && alive == 1) {
        printf("stopping the supervisor (pid %lld) and its jobs\n",
               (long long)sup.pid);
        kill((pid_t)sup.pid, SIGTERM);
        double end = hpolab_mono_time() + timeout;
        while (hpolab_launch_supervisor_alive(plan->root, &sup) == 1 &&
               hpolab_mono_time() < end)
            pause_s(0.1);
        if (hpolab_launch_supervisor_alive(plan->root, &sup) == 1) {
            fprintf(stderr, "hpolab cancel: the supervisor (pid %lld) is "
                            "still running after %.0f s\n",
                    (long long)sup.pid, timeout);
            return 1;
        }
        return 0;
    }
    if (alive == -1)
        fprintf(stderr, "hpolab cancel: warning: the supervisor runs on "
                        "host %s; only its jobs' records are changed here\n",
                sup.host);
    for (size_t i = 0; i < plan->n_slices; i++) {
        if (only >= 0 && (size_t)only != i)
            continue;
        if (!signal_job(&plan->slices[i]))
            cancel_pending(&plan->slices[i]);
    }
    return 0;
}

static int cancel_slurm(const struct hpolab_launch_plan *plan, int64_t only)
{
    const char **ids = calloc(plan->n_slices + 1, sizeof *ids);
    size_t n = 0;
    const json_t *arr = json_object_get(plan->engine_info, "array_job_id");
    if (!ids)
        return 1;
    /* record first, so a job Slurm starts meanwhile does not run */
    for (size_t i = 0; i < plan->n_slices; i++) {
        if (only >= 0 && (size_t)only != i)
            continue;
        cancel_pending(&plan->slices[i]);
        if (plan->slices[i].job_id && (only >= 0 || !json_is_string(arr)))
            ids[n++] = plan->slices[i].job_id;
    }
    if (only < 0 && json_is_string(arr))
        ids[n++] = json_string_value(arr);
    struct hpolab_error err;
    int rc = 0;
    if (n > 0 && hpolab_slurm_cancel(ids, n, 60.0, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab cancel: %s\n", err.message);
        rc = 1;
    }
    free(ids);
    return rc;
}

int hpolab_cmd_cancel(int argc, char **argv)
{
    struct cli_parser p = {.options = cancel_options,
                           .command = "hpolab cancel"};
    int rc = cli_parse(&p, argc, argv);
    struct hpolab_launch_plan plan;
    hpolab_launch_plan_init(&plan);
    if (rc != 0)
        goto out;
    if (p.help || !p.positional) {
        fprintf(p.help ? stdout : stderr,
                "usage: hpolab cancel TAG [options]\n\nStops the jobs of the "
                "study TAG started by `hpolab launch` (or one of them),\n"
                "waits for them to end and shows their states. Exit status: "
                "0 stopped,\n1 some job did not stop, 2 no such study or "
                "job.\n\noptions:\n");
        cli_options_print(p.help ? stdout : stderr, cancel_options);
        rc = p.help ? 0 : 2;
        goto out;
    }
    const char *rd = NULL, *slice = NULL;
    double timeout = 60.0;
    cli_get_string(&p, "results_dir", &rd);
    cli_get_string(&p, "slice", &slice);
    cli_get_double(&p, "timeout", &timeout);
    if ((rc = launch_open("hpolab cancel", rd, p.positional, &plan)) != 0)
        goto out;
    int64_t only = -1;
    if (slice && (only = hpolab_launch_plan_find(&plan, slice)) < 0) {
        fprintf(stderr, "hpolab cancel: --slice: study '%s' has no job "
                        "'%s'; it has:",
                plan.tag, slice);
        for (size_t i = 0; i < plan.n_slices; i++)
            fprintf(stderr, " %s", plan.slices[i].subdir);
        fprintf(stderr, "\n");
        rc = 2;
        goto out;
    }
    int sagemaker = strcmp(plan.engine, "sagemaker") == 0;
    rc = sagemaker ? launch_cancel_sagemaker(&plan, only)
         : strcmp(plan.engine, "slurm") == 0 ? cancel_slurm(&plan, only)
                                             : cancel_local(&plan, only, timeout);
    /* wait for the cancelled jobs to record their end */
    double end = hpolab_mono_time() + timeout;
    struct hpolab_launch_row *rows = NULL;
    struct hpolab_launch_totals t;
    char warning[512];
    struct hpolab_error err;
    for (;;) {
        free(rows);
        rows = NULL;
        if (sagemaker)
            launch_sagemaker_refresh("hpolab cancel", &plan);
        if (hpolab_launch_collect(&plan, 1, 1, &rows, &t, warning,
                                  sizeof warning, &err) != HPOLAB_OK) {
            fprintf(stderr, "hpolab cancel: %s\n", err.message);
            rc = 1;
            goto out;
        }
        int done = only >= 0 ? hpolab_slice_state_is_final(rows[only].job.state)
                             : t.all_final;
        if (done || hpolab_mono_time() >= end) {
            if (!done) {
                fprintf(stderr, "hpolab cancel: some jobs have not ended "
                                "after %.0f s\n",
                        timeout);
                rc = 1;
            }
            break;
        }
        pause_s(0.2);
    }
    if (warning[0])
        fprintf(stderr, "hpolab cancel: %s\n", warning);
    launch_print_table(stdout, &plan, rows, &t);
    free(rows);
out:
    hpolab_launch_plan_free(&plan);
    cli_free(&p);
    return rc;
}
