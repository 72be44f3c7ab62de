/* launch_local.c: see launch_local.h. */
#include "launch_local.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "ctx.h"
#include "fsutil.h"
#include "log.h"
#include "options.h"
#include "registry.h"

struct slot {
    int running;
    int timed_out;
    double deadline; /* monotonic */
    int adopted;     /* an earlier supervisor's job, watched by pid */
    struct hpolab_job_state job; /* adopted: its job.json at adoption */
};

/* Seconds between two looks at adopted jobs (not our children: no pidfd
 * wait through the backend). */
#define ADOPT_POLL_S 0.5

struct engine_run {
    const struct hpolab_launch_plan *plan;
    const struct hpolab_local_engine *e;
    struct slot *slots;
    size_t running;
};

static void state_path(const struct hpolab_launch_slice *s, char *buf,
                       size_t size)
{
    snprintf(buf, size, "%s/%s", s->dir, HPOLAB_JOB_STATE_NAME);
}

static void notify(struct engine_run *r, size_t i,
                   const struct hpolab_job_state *js)
{
    if (r->e->on_change)
        r->e->on_change(r->e->user, i, js);
}

/* Record a final state the job could not record itself; keeps what it
 * recorded (and adds the reason to a failure that has none). */
static void settle(struct engine_run *r, size_t i, int32_t state,
                   const char *message, int force)
{
    const struct hpolab_launch_slice *s = &r->plan->slices[i];
    char path[4200];
    state_path(s, path, sizeof path);
    struct hpolab_job_state js;
    struct hpolab_error e;
    int32_t st = hpolab_job_state_read(path, &js, &e);
    int have_final = st == HPOLAB_OK && hpolab_slice_state_is_final(js.state);
    if (have_final && !force) {
        if (js.state == HPOLAB_SLICE_FAILED && !js.message[0] && message) {
            snprintf(js.message, sizeof js.message, "%s", message);
            hpolab_job_state_write(path, &js, &e);
        }
    } else {
        js.state = state;
        if (js.end == 0)
            js.end = hpolab_wall_time();
        if (message)
            snprintf(js.message, sizeof js.message, "%s", message);
        if (hpolab_job_state_write(path, &js, &e) != HPOLAB_OK)
            hpolab_logf(HPOLAB_LOG_ERROR, "slice %s: %s", s->subdir,
                        e.message);
    }
    notify(r, i, &js);
}

/* ---- backend events ------------------------------------------------------ */

static int32_t on_line(void *user, int64_t id, const char *line, uint64_t len)
{
    (void)user, (void)id, (void)line, (void)len;
    return HPOLAB_OK; /* the slice's output is in its std.out */
}

static int32_t on_result(void *user, int64_t id, const char *json,
                         uint64_t len)
{
    (void)user, (void)id, (void)json, (void)len;
    return HPOLAB_OK;
}

static int32_t on_slice_exit(void *user, int64_t id, int32_t status,
                       const char *message)
{
    struct engine_run *r = user;
    if (id < 0 || (size_t)id >= r->plan->n_slices || !r->slots[id].running)
        return HPOLAB_OK;
    struct slot *sl = &r->slots[id];
    sl->running = 0;
    r->running--;
    if (sl->timed_out) {
        char msg[256];
        snprintf(msg, sizeof msg, "stopped after its time limit of %lld s "
                                  "(1.2 x max_wallclock_time)",
                 (long long)r->plan->time_limit);
        settle(r, (size_t)id, HPOLAB_SLICE_FAILED, msg, 1);
    } else {
        settle(r, (size_t)id,
               status == HPOLAB_TRIAL_COMPLETED ? HPOLAB_SLICE_DONE
                                                : HPOLAB_SLICE_FAILED,
               status == HPOLAB_TRIAL_COMPLETED ? NULL : message, 0);
    }
    return HPOLAB_OK;
}

/* ---- the engine ------------------------------------------------------------ */

static int32_t start_slice(struct engine_run *r, void *bstate,
                           const struct hpolab_component *comp,
                           struct hpolab_ctx *ctx, size_t i)
{
    const struct hpolab_launch_slice *s = &r->plan->slices[i];
    struct hpolab_error e;
    if (hpolab_mkdir_p(s->dir, &e) != HPOLAB_OK) {
        settle(r, i, HPOLAB_SLICE_FAILED, e.message, 1);
        return HPOLAB_OK;
    }
    struct hpolab_config *cfg = hpolab_config_new();
    if (!cfg || hpolab_record_set_int(&cfg->rec, "slice", (int64_t)i) !=
                    HPOLAB_OK) {
        hpolab_config_free(cfg);
        return HPOLAB_ERR_NOMEM;
    }
    char ckpt[4200];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoints", s->dir);
    struct hpolab_trial_job job = {
        .struct_size = sizeof job,
        .trial_id = (int64_t)i,
        .config = cfg,
        .trial_dir = s->dir,
        .checkpoint_dir = ckpt,
    };
    hpolab_error_clear(&ctx->err);
    int32_t st = comp->cls.backend.start_trial(bstate, ctx, &job);
    hpolab_config_free(cfg);
    if (st != HPOLAB_OK) {
        hpolab_ctx_error(ctx, st, &e);
        settle(r, i, HPOLAB_SLICE_FAILED, e.message, 1);
        return HPOLAB_OK;
    }
    r->slots[i].running = 1;
    r->slots[i].deadline = hpolab_mono_time() + (double)r->plan->time_limit;
    r->running++;
    struct hpolab_job_state js;
    hpolab_job_state_init(&js);
    js.state = HPOLAB_SLICE_RUNNING;
    js.start = hpolab_wall_time();
    notify(r, i, &js);
    return HPOLAB_OK;
}

/* Take over slice i's job from an earlier supervisor (launch --resume). */
static void adopt_slice(struct engine_run *r, size_t i)
{
    const struct hpolab_launch_slice *s = &r->plan->slices[i];
    struct slot *sl = &r->slots[i];
    char path[4200];
    state_path(s, path, sizeof path);
    struct hpolab_error e;
    if (hpolab_job_state_read(path, &sl->job, &e) != HPOLAB_OK ||
        sl->job.pid <= 0) {
        settle(r, i, HPOLAB_SLICE_FAILED,
               "adopted job recorded no process to follow", 0);
        return;
    }
    sl->running = 1;
    sl->adopted = 1;
    double ran = sl->job.start > 0 ? hpolab_wall_time() - sl->job.start : 0;
    sl->deadline = hpolab_mono_time() + (double)r->plan->time_limit - ran;
    r->running++;
    notify(r, i, &sl->job);
}

/* Adopted jobs that ended since the last look: their own final state
 * stands; one that recorded none failed. */
static void reap_adopted(struct engine_run *r)
{
    for (size_t i = 0; i < r->plan->n_slices; i++) {
        struct slot *sl = &r->slots[i];
        if (!sl->running || !sl->adopted ||
            hpolab_job_state_process_alive(&sl->job) == 1)
            continue;
        sl->running = 0;
        r->running--;
        char msg[256];
        snprintf(msg, sizeof msg,
                 "its process (pid %lld) ended without recording its end",
                 (long long)sl->job.pid);
        settle(r, i, HPOLAB_SLICE_FAILED, msg, 0);
    }
}

/* SIGTERM to the adopted jobs' process groups. */
static void term_adopted(struct engine_run *r)
{
    for (size_t i = 0; i < r->plan->n_slices; i++)
        if (r->slots[i].running && r->slots[i].adopted)
            kill(-(pid_t)r->slots[i].job.pid, SIGTERM);
}

/* Wait for the adopted jobs told to stop until the monotonic time end,
 * then SIGKILL what is left. */
static void finish_adopted(struct engine_run *r, double end)
{
    for (;;) {
        int any = 0;
        for (size_t i = 0; i < r->plan->n_slices; i++)
            if (r->slots[i].running && r->slots[i].adopted &&
                hpolab_job_state_process_alive(&r->slots[i].job) == 1)
                any = 1;
        if (!any)
            return;
        if (hpolab_mono_time() >= end) {
            for (size_t i = 0; i < r->plan->n_slices; i++)
                if (r->slots[i].running && r->slots[i].adopted)
                    kill(-(pid_t)r->slots[i].job.pid, SIGKILL);
            return;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void cancel_rest(struct engine_run *r, size_t next, size_t n,
                        const size_t *queue)
{
    for (size_t k = next; k < n; k++)
        settle(r, queue[k], HPOLAB_SLICE_CANCELLED,
               "cancelled before it started", 1);
    for (size_t i = 0; i < r->plan->n_slices; i++)
        if (r->slots[i].running) {
            r->slots[i].running = 0;
            settle(r, i, HPOLAB_SLICE_CANCELLED, "cancelled", 0);
        }
    r->running = 0;
}

int32_t hpolab_local_engine_run(const struct hpolab_launch_plan *plan,
                                const struct hpolab_local_engine *e,
                                struct hpolab_error *err)
{
    const struct hpolab_component *comp = NULL;
    int32_t st = hpolab_registry_require(e->registry, HPOLAB_KIND_BACKEND,
                                         "local", &comp, err);
    if (st != HPOLAB_OK)
        return st;
    struct engine_run r = {.plan = plan, .e = e};
    r.slots = calloc(plan->n_slices + 1, sizeof *r.slots);
    size_t *queue = calloc(plan->n_slices + 1, sizeof *queue);
    json_t *opts_json = json_pack(
        "{s:f, s:f, s:b, s:I}", "stop_grace_period", e->stop_grace,
        "pause_grace_period", 0.0, "rotate_gpus", e->gpus_per_slice > 0,
        "num_gpus_per_trial",
        (json_int_t)(e->gpus_per_slice > 0 ? e->gpus_per_slice : 1));
    struct hpolab_options *opts = NULL;
    if (!r.slots || !queue || !opts_json)
        st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    if (st == HPOLAB_OK)
        st = hpolab_options_create(opts_json, "hpolab launch (local engine)",
                                   &opts, err);
    size_t n = 0;
    for (size_t i = 0; queue && i < plan->n_slices; i++)
        if (!plan->slices[i].skipped && !(e->adopted && e->adopted[i]))
            queue[n++] = i;
    const char *entry[] = {plan->program, "job", plan->root, NULL};
    struct hpolab_event_sink sink = {.line = on_line, .result = on_result,
                                     .exit = on_slice_exit, .user = &r};
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "backend", "local", e->registry);
    ctx.events = &sink;
    void *bstate = NULL;
    if (st == HPOLAB_OK) {
        struct hpolab_backend_args args = {
            .struct_size = sizeof args,
            .experiment_dir = plan->root,
            .entry_argc = 3,
            .entry_argv = entry,
            .working_dir = plan->root,
            .n_workers = (int32_t)e->max_parallel,
            .options = opts,
            .wake_fd = e->wake_fd,
        };
        st = comp->cls.backend.create(&ctx, &args, &bstate);
        if (st != HPOLAB_OK) {
            bstate = NULL;
            hpolab_ctx_error(&ctx, st, err);
        }
    }
    size_t next = 0;
    for (size_t i = 0; st == HPOLAB_OK && e->adopted && i < plan->n_slices;
         i++)
        if (e->adopted[i] && !plan->slices[i].skipped)
            adopt_slice(&r, i);
    while (st == HPOLAB_OK && !*e->cancel && (next < n || r.running > 0)) {
        reap_adopted(&r);
        while (st == HPOLAB_OK && next < n &&
               r.running < (size_t)e->max_parallel && !*e->cancel)
            st = start_slice(&r, bstate, comp, &ctx, queue[next++]);
        if (st != HPOLAB_OK || *e->cancel || r.running == 0)
            continue;
        double now = hpolab_mono_time(), wait = 3600.0;
        for (size_t i = 0; i < plan->n_slices; i++) {
            struct slot *sl = &r.slots[i];
            if (!sl->running || sl->timed_out)
                continue;
            if (sl->deadline <= now) {
                sl->timed_out = 1;
                /* settle before the signal: the job, once stopped, reads
                 * its state file and must find this verdict there, not
                 * write "cancelled" over it */
                sl->running = 0;
                r.running--;
                char msg[256];
                snprintf(msg, sizeof msg,
                         "stopped after its time limit of %lld s "
                         "(1.2 x max_wallclock_time)",
                         (long long)plan->time_limit);
                settle(&r, i, HPOLAB_SLICE_FAILED, msg, 1);
                if (sl->adopted)
                    kill(-(pid_t)sl->job.pid, SIGTERM);
                else
                    comp->cls.backend.stop_trial(bstate, &ctx, (int64_t)i,
                                                 HPOLAB_STOP_STOP);
            } else if (sl->deadline - now < wait) {
                wait = sl->deadline - now;
            }
            if (sl->running && sl->adopted && wait > ADOPT_POLL_S)
                wait = ADOPT_POLL_S;
        }
        if (r.running == 0)
            continue; /* the last one hit its limit: nothing to wait for */
        hpolab_error_clear(&ctx.err);
        st = comp->cls.backend.wait_events(bstate, &ctx, wait);
        if (st != HPOLAB_OK)
            hpolab_ctx_error(&ctx, st, err);
    }
    int cancelled = *e->cancel != 0;
    /* adopted jobs stop alongside the backend's, within the same grace */
    double adopted_end = hpolab_mono_time() + e->stop_grace;
    if (cancelled || st != HPOLAB_OK)
        term_adopted(&r);
    if (bstate && comp->cls.backend.stop_all) {
        hpolab_error_clear(&ctx.err);
        comp->cls.backend.stop_all(bstate, &ctx, e->stop_grace);
    }
    if (cancelled || st != HPOLAB_OK)
        finish_adopted(&r, adopted_end);
    if (bstate)
        comp->cls.backend.destroy(bstate);
    if (cancelled || st != HPOLAB_OK)
        cancel_rest(&r, next, n, queue);
    hpolab_options_free(opts);
    json_decref(opts_json);
    free(queue);
    free(r.slots);
    if (st == HPOLAB_OK && cancelled)
        st = hpolab_error_set(err, HPOLAB_ERR_INTERRUPTED,
                              "the launch was cancelled");
    return st;
}
