/* launch_resume.c: see launch_resume.h. */
#include "launch_resume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"
#include "launch_slurm.h"
#include "launch_status.h"
#include "resume_find.h"

static void state_path(const struct hpolab_launch_slice *s, char *buf,
                       size_t size)
{
    snprintf(buf, size, "%s/%s", s->dir, HPOLAB_JOB_STATE_NAME);
}

const char *hpolab_resume_action_name(int32_t action)
{
    switch (action) {
    case HPOLAB_RESUME_KEEP:
        return "keep";
    case HPOLAB_RESUME_ADOPT:
        return "adopt";
    case HPOLAB_RESUME_CONTINUE:
        return "continue";
    case HPOLAB_RESUME_FRESH:
        return "start";
    default:
        return "?";
    }
}

void hpolab_resume_slices_free(struct hpolab_resume_slice *rs, size_t n)
{
    for (size_t i = 0; rs && i < n; i++)
        free(rs[i].experiment);
    free(rs);
}

/* ---- liveness, per engine ------------------------------------------------ */

int32_t hpolab_resume_live_local(const struct hpolab_launch_plan *plan,
                                 const struct hpolab_job_state *jobs,
                                 unsigned char *live, struct hpolab_error *err)
{
    for (size_t i = 0; i < plan->n_slices; i++) {
        const struct hpolab_job_state *js = &jobs[i];
        if (js->state != HPOLAB_SLICE_RUNNING || js->pid <= 0)
            continue;
        int alive = hpolab_job_state_process_alive(js);
        if (alive < 0)
            return hpolab_error_set(
                err, HPOLAB_ERR_STATE,
                "slice %s: its job (pid %lld) runs on host %s; resume the "
                "study there (this host cannot tell whether it still runs)",
                plan->slices[i].subdir, (long long)js->pid, js->host);
        live[i] = alive == 1;
    }
    return HPOLAB_OK;
}

int32_t hpolab_resume_live_slurm(const struct hpolab_launch_plan *plan,
                                 const struct hpolab_job_state *jobs,
                                 unsigned char *live, struct hpolab_error *err)
{
    /* one squeue call over the distinct job (array) ids: "12_3" -> "12",
     * which lists every task of the array */
    char **ids = calloc(plan->n_slices + 1, sizeof *ids);
    size_t n = 0;
    int32_t st = ids ? HPOLAB_OK
                     : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == HPOLAB_OK && i < plan->n_slices; i++) {
        const char *id = plan->slices[i].job_id;
        if (!id || hpolab_slice_state_is_final(jobs[i].state))
            continue;
        size_t len = strcspn(id, "_");
        int seen = 0;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strlen(ids[k]) == len && strncmp(ids[k], id, len) == 0;
        if (seen)
            continue;
        ids[n] = strndup(id, len);
        if (!ids[n])
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        else
            n++;
    }
    struct hpolab_slurm_job *q = NULL;
    size_t nq = 0;
    if (st == HPOLAB_OK && n > 0) {
        st = hpolab_slurm_query((const char *const *)ids, n, 60.0, &q, &nq,
                                err);
        if (st != HPOLAB_OK)
            st = hpolab_error_set(err, st,
                                  "cannot ask Slurm which jobs of '%s' still "
                                  "run (a job still queued would be started "
                                  "twice): %s",
                                  plan->tag, err->message);
    }
    for (size_t i = 0; st == HPOLAB_OK && i < plan->n_slices; i++) {
        const char *id = plan->slices[i].job_id;
        if (!id || hpolab_slice_state_is_final(jobs[i].state))
            continue;
        for (size_t k = 0; k < nq; k++)
            if (strcmp(q[k].id, id) == 0) {
                int32_t s = hpolab_slurm_state_to_slice(q[k].state);
                live[i] = s == HPOLAB_SLICE_PENDING ||
                          s == HPOLAB_SLICE_RUNNING;
            }
    }
    free(q);
    for (size_t k = 0; k < n; k++)
        free(ids[k]);
    free(ids);
    return st;
}

hpolab_resume_live_fn hpolab_resume_live_for(const char *engine)
{
    if (engine && strcmp(engine, "local") == 0)
        return hpolab_resume_live_local;
    if (engine && strcmp(engine, "slurm") == 0)
        return hpolab_resume_live_slurm;
    return NULL;
}

int32_t hpolab_launch_resume_check(const struct hpolab_launch_plan *plan,
                                   struct hpolab_error *err)
{
    if (strcmp(plan->engine, "local") != 0)
        return HPOLAB_OK;
    struct hpolab_job_state sup;
    int alive = hpolab_launch_supervisor_alive(plan->root, &sup);
    if (alive == 1)
        return hpolab_error_set(err, HPOLAB_ERR_STATE,
                                "study '%s' is still running (its supervisor, "
                                "pid %lld, is alive): nothing to resume; "
                                "follow it with 'hpolab status %s'",
                                plan->tag, (long long)sup.pid, plan->tag);
    if (alive == -1)
        return hpolab_error_set(err, HPOLAB_ERR_STATE,
                                "study '%s' was launched on host %s and its "
                                "supervisor may still run there; resume it "
                                "there",
                                plan->tag, sup.host);
    return HPOLAB_OK;
}

/* ---- deciding ------------------------------------------------------------- */

static int32_t assess_one(const struct hpolab_launch_plan *plan, size_t i,
                          int live, struct hpolab_resume_slice *r,
                          struct hpolab_error *err)
{
    const struct hpolab_launch_slice *s = &plan->slices[i];
    r->experiment_state = -1;
    int32_t st = hpolab_experiment_find_latest(
        s->dir, plan->tag, plan->benchmark, s->seed, s->method,
        &r->experiment, err);
    if (st != HPOLAB_OK)
        return hpolab_error_set(err, st, "slice %s: %s", s->subdir,
                                err->message);
    if (r->experiment)
        r->experiment_state = hpolab_experiment_state(r->experiment);
    if (live) {
        r->action = HPOLAB_RESUME_ADOPT;
        if (s->job_id)
            snprintf(r->why, sizeof r->why, "its job %s is still %s",
                     s->job_id,
                     r->job.state == HPOLAB_SLICE_RUNNING ? "running"
                                                          : "queued");
        else
            snprintf(r->why, sizeof r->why,
                     "its job (pid %lld) is still running",
                     (long long)r->job.pid);
    } else if (r->job.state == HPOLAB_SLICE_DONE ||
               r->experiment_state == HPOLAB_EXPERIMENT_COMPLETE) {
        r->action = HPOLAB_RESUME_KEEP;
        snprintf(r->why, sizeof r->why, "complete%s",
                 r->job.state == HPOLAB_SLICE_DONE
                     ? ""
                     : " (its job ended before it could record it)");
    } else if (r->experiment_state == HPOLAB_EXPERIMENT_PARTIAL) {
        r->action = HPOLAB_RESUME_CONTINUE;
        snprintf(r->why, sizeof r->why, "partial experiment (job %s): "
                                        "continued with hpolab run --resume",
                 hpolab_slice_state_name(r->job.state));
    } else {
        r->action = HPOLAB_RESUME_FRESH;
        snprintf(r->why, sizeof r->why, "%s",
                 r->experiment ? "its experiment has no journal: starts "
                                 "again"
                               : "never started");
    }
    return HPOLAB_OK;
}

int32_t hpolab_launch_resume_assess(const struct hpolab_launch_plan *plan,
                                    hpolab_resume_live_fn live_fn,
                                    struct hpolab_resume_slice **out,
                                    struct hpolab_error *err)
{
    *out = NULL;
    struct hpolab_resume_slice *rs = calloc(plan->n_slices + 1, sizeof *rs);
    struct hpolab_job_state *jobs = calloc(plan->n_slices + 1, sizeof *jobs);
    unsigned char *live = calloc(plan->n_slices + 1, 1);
    int32_t st = rs && jobs && live
                     ? HPOLAB_OK
                     : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == HPOLAB_OK && i < plan->n_slices; i++) {
        char path[4200];
        state_path(&plan->slices[i], path, sizeof path);
        struct hpolab_error e;
        int32_t rst = hpolab_job_state_read(path, &jobs[i], &e);
        if (rst != HPOLAB_OK && rst != HPOLAB_ERR_NOT_FOUND)
            hpolab_job_state_init(&jobs[i]); /* unreadable: as never written */
        rs[i].job = jobs[i];
    }
    if (st == HPOLAB_OK && live_fn)
        st = live_fn(plan, jobs, live, err);
    for (size_t i = 0; st == HPOLAB_OK && i < plan->n_slices; i++)
        st = assess_one(plan, i, live[i], &rs[i], err);
    free(jobs);
    free(live);
    if (st != HPOLAB_OK) {
        hpolab_resume_slices_free(rs, plan->n_slices);
        return st;
    }
    *out = rs;
    return HPOLAB_OK;
}

/* ---- applying ------------------------------------------------------------- */

static int32_t add_resume_arg(struct hpolab_launch_slice *s,
                              struct hpolab_error *err)
{
    for (size_t k = 0; k < s->argc; k++)
        if (strcmp(s->argv[k], HPOLAB_RESUME_ARG) == 0)
            return HPOLAB_OK;
    char **v = realloc(s->argv, (s->argc + 2) * sizeof *v);
    if (!v)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    s->argv = v;
    v[s->argc] = strdup(HPOLAB_RESUME_ARG);
    if (!v[s->argc]) {
        v[s->argc] = NULL;
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    v[++s->argc] = NULL;
    return HPOLAB_OK;
}

static int32_t record_kept(const struct hpolab_launch_slice *s,
                           const struct hpolab_resume_slice *r,
                           struct hpolab_error *err)
{
    if (r->job.state == HPOLAB_SLICE_DONE)
        return HPOLAB_OK;
    char path[4200];
    state_path(s, path, sizeof path);
    struct hpolab_job_state js = r->job;
    js.state = HPOLAB_SLICE_DONE;
    js.exit_code = 0;
    if (js.end <= 0)
        js.end = hpolab_wall_time();
    snprintf(js.message, sizeof js.message,
             "complete; its job ended before it could record it (found by "
             "hpolab launch --resume)");
    return hpolab_job_state_write(path, &js, err);
}

int32_t hpolab_launch_resume_apply(struct hpolab_launch_plan *plan,
                                   const struct hpolab_resume_slice *rs,
                                   unsigned char **adopted,
                                   struct hpolab_error *err)
{
    *adopted = calloc(plan->n_slices + 1, 1);
    if (!*adopted)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int32_t st = HPOLAB_OK;
    for (size_t i = 0; st == HPOLAB_OK && i < plan->n_slices; i++) {
        struct hpolab_launch_slice *s = &plan->slices[i];
        const struct hpolab_resume_slice *r = &rs[i];
        if (r->action == HPOLAB_RESUME_KEEP) {
            s->skipped = 1;
            st = record_kept(s, r, err);
            continue;
        }
        s->skipped = 0;
        st = add_resume_arg(s, err);
        if (st != HPOLAB_OK)
            break;
        if (r->action == HPOLAB_RESUME_ADOPT) {
            (*adopted)[i] = 1;
            continue;
        }
        char path[4200];
        state_path(s, path, sizeof path);
        if (unlink(path) != 0 && errno != ENOENT)
            st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                  "slice %s: cannot remove the dead job's "
                                  "%s: %s",
                                  s->subdir, path, strerror(errno));
    }
    if (st != HPOLAB_OK) {
        free(*adopted);
        *adopted = NULL;
    }
    return st;
}
