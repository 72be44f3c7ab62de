/* tuner.c: the experiment loop (framework reference §2.4, §2.5), event
 * driven: schedule while workers are free, wait on the backend until
 * something happens or a deadline comes, process the events in order. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "metric_line.h"
#include "results_table.h"
#include "results_zip.h"
#include "space.h"
#include "tuner_internal.h"

#define PROGRESS_TICK 1.0  /* seconds between progress calls while idle */
#define IDLE_TICK 60.0     /* longest wait without a progress display */
/* Under a simulated clock: results are rewritten at most every 600
 * simulated seconds (Syne Tune's simulator launcher) and, since rewriting
 * only guards against a crash, at most every results_update_interval real
 * seconds (hours simulated in a second would otherwise cost hundreds of
 * fsyncs); the zip member gets a fixed date (2000-01-01) instead of now, so
 * a fixed seed gives a byte-identical results.csv.zip. */
#define SIM_RESULTS_INTERVAL 600.0
#define SIM_RESULTS_MTIME 946684800

/* ---- small helpers ------------------------------------------------------ */

static int32_t plugin_failed(struct hpolab_ctx *ctx, int32_t st,
                             const char *what, struct hpolab_error *err)
{
    hpolab_ctx_error(ctx, st, err);
    return hpolab_error_prefix(err, "%s", what);
}

static int is_finished(int32_t status)
{
    return status == HPOLAB_TRIAL_COMPLETED || status == HPOLAB_TRIAL_STOPPED ||
           status == HPOLAB_TRIAL_STOPPING || status == HPOLAB_TRIAL_FAILED;
}

/* Change a trial's status, keeping the tuning-status counters right. */
static void set_status(struct hpolab_tuner *t, struct tuner_trial *tr,
                       int32_t status)
{
    struct hpolab_tuning_status *s = &t->status;
    if (is_finished(tr->status))
        s->num_trials_finished--;
    if (tr->status == HPOLAB_TRIAL_COMPLETED)
        s->num_trials_completed--;
    if (tr->status == HPOLAB_TRIAL_FAILED)
        s->num_trials_failed--;
    tr->status = status;
    if (is_finished(status))
        s->num_trials_finished++;
    if (status == HPOLAB_TRIAL_COMPLETED)
        s->num_trials_completed++;
    if (status == HPOLAB_TRIAL_FAILED)
        s->num_trials_failed++;
}

static void set_running(struct hpolab_tuner *t, struct tuner_trial *tr,
                        int running)
{
    if (tr->running != running)
        t->running += running ? 1 : -1;
    tr->running = running;
    t->status.num_trials_running = t->running;
}

static int64_t trial_id_of(const struct hpolab_tuner *t,
                           const struct tuner_trial *tr)
{
    return (int64_t)(tr - t->trials);
}

static void report_progress(struct hpolab_tuner *t, int final)
{
    if (!t->o.progress)
        return;
    struct hpolab_tuner_progress p = {
        .elapsed = hpolab_clock_now(&t->clock),
        .budget = t->o.stop ? t->o.stop->max_wallclock_time : -1.0,
        .running = t->running,
        .started = t->status.num_trials_started,
        .finished = t->status.num_trials_finished,
        .failed = t->status.num_trials_failed,
        .evaluations = t->status.num_evaluations,
        .has_best = t->summary.has_best,
        .best = t->summary.best,
        .best_trial = t->summary.best_trial,
        .final = final,
    };
    t->o.progress(&p, t->o.progress_user);
}

static double results_interval(const struct hpolab_tuner *t)
{
    double i = t->o.results_update_interval;
    if (hpolab_clock_is_simulated(&t->clock) && i < SIM_RESULTS_INTERVAL)
        i = SIM_RESULTS_INTERVAL;
    return i;
}

static int results_due(const struct hpolab_tuner *t, double now)
{
    if (!t->results_dirty || now - t->last_results_write < results_interval(t))
        return 0;
    return !hpolab_clock_is_simulated(&t->clock) ||
           hpolab_mono_time() - t->last_results_write_mono >=
               t->o.results_update_interval;
}

static int32_t write_results(struct hpolab_tuner *t, struct hpolab_error *err)
{
    int64_t mtime = hpolab_clock_is_simulated(&t->clock) ? SIM_RESULTS_MTIME
                                                         : -1;
    int32_t st = hpolab_results_write_at(t->results, t->o.experiment_dir,
                                         mtime, err);
    if (st == HPOLAB_OK) {
        t->results_dirty = 0;
        t->last_results_write = hpolab_clock_now(&t->clock);
        hpolab_tuner_journal_snapshot(t);
        t->last_results_write_mono = hpolab_mono_time();
    }
    return st;
}

/* ---- creation ----------------------------------------------------------- */

static int32_t convert_points(struct hpolab_tuner *t, struct hpolab_error *err)
{
    const json_t *pts = t->o.points_to_evaluate;
    if (!pts)
        return HPOLAB_OK;
    size_t n = json_array_size(pts);
    t->points = calloc(n ? n : 1, sizeof *t->points);
    if (!t->points)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        t->points[i] = hpolab_config_new();
        if (!t->points[i])
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        t->num_points = (uint32_t)(i + 1);
        hpolab_record_free(&t->points[i]->rec);
        int32_t st = hpolab_record_from_json(json_array_get(pts, i),
                                             &t->points[i]->rec, err);
        if (st != HPOLAB_OK)
            return hpolab_error_prefix(err, "points_to_evaluate[%zu]", i);
    }
    return HPOLAB_OK;
}

int32_t hpolab_tuner_create(const struct hpolab_tuner_options *opts,
                            struct hpolab_tuner **out,
                            struct hpolab_error *err)
{
    *out = NULL;
    if (opts->n_workers < 1)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "n_workers must be >= 1, got %d",
                                (int)opts->n_workers);
    struct hpolab_tuner *t = calloc(1, sizeof *t);
    if (!t)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    t->o = *opts;
    t->wake_pipe[0] = t->wake_pipe[1] = -1;
    t->first_failed = -1;
    t->creation_timestamp = hpolab_wall_time();
    hpolab_tuner_init_sink(t);
    int32_t st = HPOLAB_OK;
    char where[1024];
    const char *file = opts->where ? opts->where : "study";
    snprintf(where, sizeof where, "%s: methods.%s.scheduler_options", file,
             opts->method_name ? opts->method_name : "?");
    st = hpolab_options_create(opts->scheduler_options, where, &t->sched_opts,
                               err);
    if (st == HPOLAB_OK) {
        snprintf(where, sizeof where, "%s: methods.%s.searcher_options", file,
                 opts->method_name ? opts->method_name : "?");
        st = hpolab_options_create(opts->searcher_options, where,
                                   &t->searcher_opts, err);
    }
    if (st == HPOLAB_OK) {
        snprintf(where, sizeof where, "%s: benchmarks.%s.backend_options",
                 file, opts->benchmark_name ? opts->benchmark_name : "?");
        st = hpolab_options_create(opts->backend_options, where,
                                   &t->backend_opts, err);
    }
    if (st == HPOLAB_OK)
        st = convert_points(t, err);
    if (st == HPOLAB_OK)
        st = hpolab_registry_require(opts->registry, HPOLAB_KIND_SCHEDULER,
                                     opts->scheduler, &t->sched_comp, err);
    if (st == HPOLAB_OK)
        st = hpolab_registry_require(opts->registry, HPOLAB_KIND_BACKEND,
                                     opts->backend, &t->backend_comp, err);
    if (st == HPOLAB_OK)
        st = hpolab_registry_require(opts->registry, HPOLAB_KIND_SEARCHER,
                                     opts->searcher, &(const struct hpolab_component *){0}, err);
    if (st == HPOLAB_OK)
        st = hpolab_results_create_writer(t->o.experiment_dir, &t->results,
                                          err);
    if (st == HPOLAB_OK && pipe2(t->wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "cannot create a pipe: %s",
                              strerror(errno));
    if (st != HPOLAB_OK) {
        hpolab_tuner_destroy(t);
        return st;
    }
    *out = t;
    return HPOLAB_OK;
}

/* Creates the scheduler instance (and through it the searcher) and checks
 * that every scheduler and searcher option given in the study was
 * understood. */
static int32_t create_scheduler(struct hpolab_tuner *t,
                                struct hpolab_error *err)
{
    const struct hpolab_tuner_options *o = &t->o;
    hpolab_ctx_init(&t->sched_ctx, "scheduler", t->sched_comp->id,
                    o->registry);
    t->sched_ctx.clock = &t->clock;
    struct hpolab_scheduler_args sargs = {
        .struct_size = sizeof sargs,
        .space = o->space,
        .metric = o->metric,
        .mode = o->mode,
        .random_seed = o->random_seed,
        .resource_attr = o->resource_attr,
        .max_resource_attr = o->max_resource_attr,
        .n_workers = o->n_workers,
        .searcher = o->searcher,
        .options = t->sched_opts,
        .searcher_options = t->searcher_opts,
        .points_given = o->points_to_evaluate != NULL,
        .num_points = t->num_points,
        .points = (const struct hpolab_config *const *)t->points,
    };
    int32_t st = t->sched_comp->cls.scheduler.create(&t->sched_ctx, &sargs,
                                                     &t->sched_state);
    if (st != HPOLAB_OK) {
        t->sched_state = NULL;
        return plugin_failed(&t->sched_ctx, st, "cannot create the scheduler",
                             err);
    }
    char component[256];
    snprintf(component, sizeof component, "scheduler '%s'", o->scheduler);
    st = hpolab_options_check_all_read(t->sched_opts, component, err);
    if (st == HPOLAB_OK) {
        snprintf(component, sizeof component, "searcher '%s'", o->searcher);
        st = hpolab_options_check_all_read(t->searcher_opts, component, err);
    }
    return st;
}

/* Creates the backend and scheduler instances and checks that every option
 * given in the study was understood. */
static int32_t start_plugins(struct hpolab_tuner *t, struct hpolab_error *err)
{
    const struct hpolab_tuner_options *o = &t->o;
    hpolab_ctx_init(&t->backend_ctx, "backend", t->backend_comp->id,
                    o->registry);
    t->backend_ctx.events = &t->sink;
    t->backend_ctx.clock = &t->clock;
    /* only the backend may simulate time (hpolab_virtual_clock_v1) */
    t->backend_ctx.clock_driver = &t->clock;
    struct hpolab_backend_args bargs = {
        .struct_size = sizeof bargs,
        .experiment_dir = o->experiment_dir,
        .entry_argc = o->entry_argc,
        .entry_argv = o->entry_argv,
        .working_dir = o->working_dir,
        .n_workers = o->n_workers,
        .options = t->backend_opts,
        .wake_fd = t->wake_pipe[0],
    };
    int32_t st = t->backend_comp->cls.backend.create(&t->backend_ctx, &bargs,
                                                     &t->backend_state);
    if (st != HPOLAB_OK) {
        t->backend_state = NULL;
        return plugin_failed(&t->backend_ctx, st, "cannot start the backend",
                             err);
    }
    char component[256];
    snprintf(component, sizeof component, "backend '%s'", o->backend);
    st = hpolab_options_check_all_read(t->backend_opts, component, err);
    if (st != HPOLAB_OK)
        return st;
    return create_scheduler(t, err);
}

int32_t hpolab_tuner_check(const struct hpolab_tuner_options *opts,
                           struct hpolab_error *err)
{
    struct hpolab_tuner *t = NULL;
    int32_t st = hpolab_tuner_create(opts, &t, err);
    if (st == HPOLAB_OK)
        st = create_scheduler(t, err);
    hpolab_tuner_destroy(t);
    return st;
}

/* ---- trials ------------------------------------------------------------- */

static void fail_trial(struct hpolab_tuner *t, struct tuner_trial *tr,
                       const char *message)
{
    int64_t id = trial_id_of(t, tr);
    set_running(t, tr, 0);
    set_status(t, tr, HPOLAB_TRIAL_FAILED);
    hpolab_tuner_note_failure(t, id, message);
    hpolab_logf(HPOLAB_LOG_WARN, "trial %lld failed: %s", (long long)id,
                message ? message : "(no message)");
    hpolab_error_clear(&t->sched_ctx.err);
    if (t->sched_comp->cls.scheduler.on_trial_error) {
        int32_t st = t->sched_comp->cls.scheduler.on_trial_error(
            t->sched_state, &t->sched_ctx, id, tr->run->config);
        if (st != HPOLAB_OK) {
            struct hpolab_error e;
            hpolab_ctx_error(&t->sched_ctx, st, &e);
            hpolab_logf(HPOLAB_LOG_WARN, "%s", e.message);
        }
    }
}

/* Can a file be created and written in dir right now? */
static int32_t probe_writable(const char *dir, struct hpolab_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/.hpolab-write-probe", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return hpolab_error_set(err, HPOLAB_ERR_IO,
                                "the experiment folder %s cannot be written: "
                                "%s",
                                dir, strerror(errno));
    int32_t st = HPOLAB_OK;
    if (write(fd, "x", 1) != 1)
        st = hpolab_error_set(err, HPOLAB_ERR_IO,
                              "the experiment folder %s cannot be written: %s",
                              dir, strerror(errno));
    close(fd);
    unlink(path);
    return st;
}

static int32_t start_job(struct hpolab_tuner *t, int64_t id, int is_resume,
                         int64_t checkpoint_from, struct hpolab_error *err)
{
    char trial_dir[4096], ckpt[4200], src[4200];
    snprintf(trial_dir, sizeof trial_dir, "%s/%lld", t->o.experiment_dir,
             (long long)id);
    snprintf(ckpt, sizeof ckpt, "%s/checkpoints", trial_dir);
    const char *copy_from = NULL;
    if (checkpoint_from >= 0 && checkpoint_from < t->num_trials) {
        snprintf(src, sizeof src, "%s/%lld/checkpoints", t->o.experiment_dir,
                 (long long)checkpoint_from);
        copy_from = src;
    }
    struct tuner_trial *tr = &t->trials[id];
    struct hpolab_trial_job job = {
        .struct_size = sizeof job,
        .trial_id = id,
        .config = tr->run->config,
        .trial_dir = trial_dir,
        .checkpoint_dir = ckpt,
        .is_resume = is_resume,
        .copy_checkpoint_from = copy_from,
    };
    hpolab_error_clear(&t->backend_ctx.err);
    int32_t st = t->backend_comp->cls.backend.start_trial(
        t->backend_state, &t->backend_ctx, &job);
    struct hpolab_error start_err;
    if (st != HPOLAB_OK)
        hpolab_ctx_error(&t->backend_ctx, st, &start_err);
    hpolab_tuner_journal_start(t, id, is_resume, checkpoint_from,
                               st != HPOLAB_OK ? start_err.message : NULL);
    set_running(t, tr, 1);
    tr->stopped_by_tuner = 0;
    tr->run->last_resource = -INFINITY; /* a resumed run may start over */
    set_status(t, tr, HPOLAB_TRIAL_IN_PROGRESS);
    if (st != HPOLAB_OK) {
        /* A trial that cannot start is a failed trial, not a crash... */
        struct hpolab_error e;
        hpolab_ctx_error(&t->backend_ctx, st, &e);
        fail_trial(t, tr, e.message);
        hpolab_tuner_settle_trial(t, id);
        /* ...unless the experiment folder cannot be written (full disk,
         * read-only): then no trial can, and the experiment ends with it. */
        struct hpolab_error why;
        if (st == HPOLAB_ERR_IO &&
            probe_writable(t->o.experiment_dir, &why) != HPOLAB_OK)
            return hpolab_error_set(err, HPOLAB_ERR_IO,
                                    "trial %lld cannot start: %s; stopping "
                                    "the experiment (the results written "
                                    "before are kept)",
                                    (long long)id, why.message);
    }
    return HPOLAB_OK;
}

static int stop_now(struct hpolab_tuner *t)
{
    if (t->interrupt_level)
        return 1;
    /* checked here too, so that trials failing at start do not make one
     * schedule() call start thousands of them */
    if (t->o.max_failures >= 0 &&
        t->status.num_trials_failed > t->o.max_failures)
        t->failed_abort_pending = 1;
    if (t->failed_abort_pending)
        return 1;
    t->status.wallclock_time = hpolab_clock_now(&t->clock);
    const char *why = NULL;
    if (t->o.stop && hpolab_stop_criterion_fires(t->o.stop, &t->status, &why)) {
        if (!t->stop_reason)
            t->stop_reason = why;
        return 1;
    }
    return 0;
}

/* Ask the scheduler for work while workers are free. */
static int32_t schedule(struct hpolab_tuner *t, struct hpolab_error *err)
{
    while (t->running < t->o.n_workers && !t->exhausted && !stop_now(t)) {
        struct hpolab_suggestion s = {.struct_size = sizeof s,
                                      .checkpoint_trial_id = -1};
        hpolab_error_clear(&t->sched_ctx.err);
        int32_t st = t->sched_comp->cls.scheduler.suggest(
            t->sched_state, &t->sched_ctx, t->num_trials, &s);
        if (st != HPOLAB_OK) {
            hpolab_config_free(s.config);
            return plugin_failed(&t->sched_ctx, st, "suggest failed", err);
        }
        hpolab_tuner_journal_suggest(t, t->num_trials, &s);
        switch (s.action) {
        case HPOLAB_SUGGEST_NOTHING:
            hpolab_config_free(s.config);
            return HPOLAB_OK;
        case HPOLAB_SUGGEST_EXHAUSTED:
            hpolab_config_free(s.config);
            t->exhausted = 1;
            if (!t->stop_reason)
                t->stop_reason = "configuration space exhausted";
            hpolab_logf(HPOLAB_LOG_INFO,
                        "Tuning is finishing as the whole configuration "
                        "space got exhausted.");
            return HPOLAB_OK;
        case HPOLAB_SUGGEST_NEW: {
            if (!s.config || s.trial_id != t->num_trials) {
                hpolab_config_free(s.config);
                return hpolab_error_set(
                    err, HPOLAB_ERR_PLUGIN,
                    "[scheduler:%s] suggested a new trial %s (expected id "
                    "%lld with a configuration)",
                    t->sched_comp->id, s.config ? "with a wrong id" : "without a configuration",
                    (long long)t->num_trials);
            }
            int64_t id = t->num_trials;
            if (!hpolab_tuner_add_trial(t, s.config, err)) {
                hpolab_config_free(s.config);
                return HPOLAB_ERR_NOMEM;
            }
            t->status.num_trials_started++;
            if (t->sched_comp->cls.scheduler.on_trial_add) {
                hpolab_error_clear(&t->sched_ctx.err);
                st = t->sched_comp->cls.scheduler.on_trial_add(
                    t->sched_state, &t->sched_ctx, id,
                    t->trials[id].run->config);
                if (st != HPOLAB_OK)
                    return plugin_failed(&t->sched_ctx, st,
                                         "on_trial_add failed", err);
                hpolab_tuner_journal_add(t, id);
            }
            st = start_job(t, id, 0, s.checkpoint_trial_id, err);
            if (st != HPOLAB_OK)
                return st;
            break;
        }
        case HPOLAB_SUGGEST_RESUME: {
            int64_t id = s.trial_id;
            if (id < 0 || id >= t->num_trials ||
                t->trials[id].status != HPOLAB_TRIAL_PAUSED) {
                hpolab_config_free(s.config);
                return hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                                        "[scheduler:%s] asked to resume trial "
                                        "%lld, which is not paused",
                                        t->sched_comp->id, (long long)id);
            }
            if (s.config) {
                hpolab_config_free(t->trials[id].run->config);
                t->trials[id].run->config = s.config;
            }
            st = start_job(t, id, 1, -1, err);
            if (st != HPOLAB_OK)
                return st;
            break;
        }
        default:
            hpolab_config_free(s.config);
            return hpolab_error_set(err, HPOLAB_ERR_PLUGIN,
                                    "[scheduler:%s] returned unknown action %d",
                                    t->sched_comp->id, (int)s.action);
        }
    }
    return HPOLAB_OK;
}

/* ---- events ------------------------------------------------------------- */

static void update_best(struct hpolab_tuner *t, int64_t id,
                        const struct hpolab_result *r)
{
    const struct hpolab_value *v = hpolab_record_get(&r->rec, t->o.metric);
    double x;
    if (!v || hpolab_value_as_double(v, &x) != HPOLAB_OK || isnan(x))
        return;
    int better = !t->summary.has_best ||
                 (t->o.mode == HPOLAB_MODE_MAX ? x > t->summary.best
                                               : x < t->summary.best);
    if (better) {
        int64_t old = t->summary.has_best ? t->summary.best_trial : -1;
        t->summary.has_best = 1;
        t->summary.best = x;
        t->summary.best_trial = id;
        /* an ended trial's configuration is kept only while it is the best
         * (for the summary) */
        hpolab_tuner_best_changed(t, old);
    }
}

static void end_trial_by_decision(struct hpolab_tuner *t,
                                  struct tuner_trial *tr, int32_t decision)
{
    int64_t id = trial_id_of(t, tr);
    int ended_already = tr->run->batch_exit == HPOLAB_TRIAL_COMPLETED;
    tr->stopped_by_tuner = 1;
    set_running(t, tr, 0);
    if (decision == HPOLAB_DECISION_STOP)
        set_status(t, tr, ended_already ? HPOLAB_TRIAL_COMPLETED
                                        : HPOLAB_TRIAL_STOPPED);
    else
        set_status(t, tr, HPOLAB_TRIAL_PAUSED);
    hpolab_error_clear(&t->backend_ctx.err);
    int32_t st = t->backend_comp->cls.backend.stop_trial(
        t->backend_state, &t->backend_ctx, id,
        decision == HPOLAB_DECISION_PAUSE ? HPOLAB_STOP_PAUSE
                                          : HPOLAB_STOP_STOP);
    if (st != HPOLAB_OK) {
        struct hpolab_error e;
        hpolab_ctx_error(&t->backend_ctx, st, &e);
        hpolab_logf(HPOLAB_LOG_WARN, "cannot stop trial %lld: %s",
                    (long long)id, e.message);
    }
    if (t->sched_comp->cls.scheduler.on_trial_remove) {
        hpolab_error_clear(&t->sched_ctx.err);
        st = t->sched_comp->cls.scheduler.on_trial_remove(t->sched_state,
                                                          &t->sched_ctx, id);
        if (st != HPOLAB_OK) {
            struct hpolab_error e;
            hpolab_ctx_error(&t->sched_ctx, st, &e);
            hpolab_logf(HPOLAB_LOG_WARN, "%s", e.message);
        }
    }
}

/* A resource that goes backwards within one run of a trial is a bug of the
 * script that no scheduler can make sense of. Returns the message
 * [owned: free], or NULL when the result is fine. */
static char *check_resource(struct hpolab_tuner *t, struct tuner_trial *tr,
                            const struct hpolab_result *result)
{
    if (!t->o.resource_attr)
        return NULL;
    const struct hpolab_value *v =
        hpolab_record_get(&result->rec, t->o.resource_attr);
    double r;
    if (!v || hpolab_value_as_double(v, &r) != HPOLAB_OK || isnan(r))
        return NULL; /* whether it is required is the scheduler's call */
    char *msg = NULL;
    if (r < tr->run->last_resource &&
        asprintf(&msg, "trial %lld reported %s = %g after %s = %g: the "
                 "resource attribute must not go backwards within a run",
                 (long long)trial_id_of(t, tr), t->o.resource_attr, r,
                 t->o.resource_attr, tr->run->last_resource) < 0)
        msg = strdup("resource attribute went backwards");
    if (!msg)
        tr->run->last_resource = r;
    return msg;
}

/* One parsed report of a running trial: the scheduler decides, the row is
 * written, and a STOP/PAUSE ends the trial's run. */
static int32_t deliver_result(struct hpolab_tuner *t, struct tuner_trial *tr,
                              struct hpolab_result *result,
                              struct hpolab_error *err)
{
    int64_t id = trial_id_of(t, tr);
    t->status.num_evaluations++;
    tr->run->num_results++;
    if (t->o.stop)
        hpolab_stop_criterion_observe(t->o.stop, &result->rec);
    update_best(t, id, result);

    int32_t decision = HPOLAB_DECISION_CONTINUE;
    char *reject = check_resource(t, tr, result);
    int asked = !reject;
    int32_t st = HPOLAB_OK;
    if (!reject) {
        hpolab_error_clear(&t->sched_ctx.err);
        st = t->sched_comp->cls.scheduler.on_trial_result(
            t->sched_state, &t->sched_ctx, id, tr->run->config, result,
            &decision);
    } else {
        decision = HPOLAB_DECISION_STOP;
    }
    if (reject) {
        /* already rejected by the tuner */
    } else if (st != HPOLAB_OK) {
        struct hpolab_error e;
        hpolab_ctx_error(&t->sched_ctx, st, &e);
        reject = strdup(e.message);
        decision = HPOLAB_DECISION_STOP;
    } else if (decision < HPOLAB_DECISION_CONTINUE ||
               decision > HPOLAB_DECISION_STOP) {
        char msg[256];
        snprintf(msg, sizeof msg, "[scheduler:%s] returned unknown decision %d",
                 t->sched_comp->id, (int)decision);
        reject = strdup(msg);
        decision = HPOLAB_DECISION_STOP;
    }
    int32_t row_status = tr->run->batch_exit >= 0 ? tr->run->batch_exit
                                                  : HPOLAB_TRIAL_IN_PROGRESS;
    st = hpolab_tuner_append_row(t, id, result, decision, row_status, err);
    if (st == HPOLAB_OK)
        hpolab_tuner_journal_result(t, id, result, asked, decision, reject);
    hpolab_record_free(&tr->run->last.rec);
    tr->run->last.rec = result->rec;
    hpolab_record_init(&result->rec);
    if (st != HPOLAB_OK) {
        free(reject);
        return st;
    }
    if (reject) {
        /* A result the scheduler cannot use fails the trial, not the run. */
        end_trial_by_decision(t, tr, HPOLAB_DECISION_STOP);
        fail_trial(t, tr, reject);
        free(reject);
    } else if (decision != HPOLAB_DECISION_CONTINUE) {
        end_trial_by_decision(t, tr, decision);
    }
    return HPOLAB_OK;
}

static int32_t handle_report(struct hpolab_tuner *t, struct tuner_trial *tr,
                             const struct tuner_event *ev,
                             struct hpolab_error *err)
{
    int64_t id = trial_id_of(t, tr);
    struct hpolab_result result;
    hpolab_record_init(&result.rec);
    struct hpolab_error perr;
    int found = 0;
    int32_t st;
    if (ev->type == EVENT_LINE) {
        tr->run->lines_seen++;
        st = hpolab_metric_line_parse(ev->data, ev->len, &result.rec, &found,
                                      &perr);
    } else {
        st = hpolab_metric_json_parse(ev->data, ev->len, &result.rec, &perr);
        found = 1;
    }
    if (!found)
        return HPOLAB_OK;
    if (st != HPOLAB_OK) {
        /* A malformed report is the script's problem: warn, go on. */
        if (ev->type == EVENT_LINE)
            hpolab_logf(HPOLAB_LOG_WARN,
                        "trial %lld: std.out line %lld: malformed report "
                        "ignored: %s",
                        (long long)id, (long long)tr->run->lines_seen,
                        perr.message);
        else
            hpolab_logf(HPOLAB_LOG_WARN,
                        "trial %lld: malformed result ignored: %s",
                        (long long)id, perr.message);
        hpolab_record_free(&result.rec);
        return HPOLAB_OK;
    }
    if (hpolab_tuner_resume_drops(t, id, &result)) {
        hpolab_record_free(&result.rec);
        return HPOLAB_OK;
    }
    st = deliver_result(t, tr, &result, err);
    hpolab_record_free(&result.rec);
    return st;
}

static void handle_exit(struct hpolab_tuner *t, struct tuner_trial *tr,
                        const struct tuner_event *ev)
{
    int64_t id = trial_id_of(t, tr);
    hpolab_tuner_journal_exit(t, id, ev->status, ev->data);
    if (ev->status == HPOLAB_TRIAL_FAILED) {
        fail_trial(t, tr, ev->data ? ev->data : "failed");
        return;
    }
    if (tr->run->num_results == 0) {
        fail_trial(t, tr,
                   "exited with status 0 without reporting any result (no "
                   "'[tune-metric]: {...}' line on stdout)");
        return;
    }
    set_running(t, tr, 0);
    set_status(t, tr, HPOLAB_TRIAL_COMPLETED);
    if (t->sched_comp->cls.scheduler.on_trial_complete) {
        hpolab_error_clear(&t->sched_ctx.err);
        int32_t st = t->sched_comp->cls.scheduler.on_trial_complete(
            t->sched_state, &t->sched_ctx, id, tr->run->config, &tr->run->last);
        if (st != HPOLAB_OK) {
            struct hpolab_error e;
            hpolab_ctx_error(&t->sched_ctx, st, &e);
            hpolab_logf(HPOLAB_LOG_WARN, "%s", e.message);
        }
    }
}

static int32_t process_events(struct hpolab_tuner *t, struct hpolab_error *err)
{
    if (t->event_error) {
        t->event_error = 0;
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "out of memory while receiving events");
    }
    /* Rows carry the status the trial had when its reports were fetched:
     * "Completed" if it ended within this batch (Syne Tune's st_status). */
    for (size_t i = 0; i < t->num_events; i++) {
        const struct tuner_event *ev = &t->events[i];
        if (ev->type == EVENT_EXIT && t->trials[ev->trial_id].running)
            t->trials[ev->trial_id].run->batch_exit = ev->status;
    }
    int32_t st = HPOLAB_OK;
    for (size_t i = 0; i < t->num_events && st == HPOLAB_OK; i++) {
        const struct tuner_event *ev = &t->events[i];
        struct tuner_trial *tr = &t->trials[ev->trial_id];
        /* Reports of a trial the tuner paused or stopped are not delivered
         * (they stay in std.out). */
        if (!tr->running || tr->stopped_by_tuner)
            continue;
        if (ev->type == EVENT_EXIT)
            handle_exit(t, tr, ev);
        else
            st = handle_report(t, tr, ev, err);
    }
    /* a trial that ended in this batch keeps only its status from now on:
     * memory stays flat over long studies */
    for (size_t i = 0; i < t->num_events; i++) {
        int64_t id = t->events[i].trial_id;
        if (t->trials[id].run)
            t->trials[id].run->batch_exit = -1;
        hpolab_tuner_settle_trial(t, id);
    }
    hpolab_tuner_clear_events(t);
    return st;
}

/* ---- the loop ------------------------------------------------------------ */

static double next_timeout(struct hpolab_tuner *t)
{
    double now = hpolab_clock_now(&t->clock);
    double timeout = t->o.progress ? PROGRESS_TICK : IDLE_TICK;
    double left = t->o.stop ? hpolab_stop_criterion_time_left(t->o.stop, now)
                            : -1.0;
    /* wake just after the limit, when "elapsed > limit" holds */
    if (left >= 0 && left + 0.001 < timeout)
        timeout = left + 0.001;
    /* simulated: the loop passes often enough; a results deadline would
     * only stop the clock */
    if (t->results_dirty && !hpolab_clock_is_simulated(&t->clock)) {
        double due = t->last_results_write + results_interval(t) - now;
        if (due < timeout)
            timeout = due > 0 ? due : 0;
    }
    return timeout;
}

static void drain_wake_pipe(struct hpolab_tuner *t)
{
    char buf[64];
    while (read(t->wake_pipe[0], buf, sizeof buf) > 0) {
    }
}

static void stop_all_trials(struct hpolab_tuner *t)
{
    if (!t->backend_state)
        return;
    double grace = t->interrupt_level >= 2 ? 0.0 : t->o.stop_grace_period;
    for (int64_t i = 0; i < t->num_trials; i++) {
        struct tuner_trial *tr = &t->trials[i];
        if (tr->running) {
            tr->stopped_by_tuner = 1;
            set_running(t, tr, 0);
            set_status(t, tr, HPOLAB_TRIAL_STOPPED);
            if (!t->backend_comp->cls.backend.stop_all)
                t->backend_comp->cls.backend.stop_trial(
                    t->backend_state, &t->backend_ctx, i, HPOLAB_STOP_STOP);
            hpolab_tuner_settle_trial(t, i);
        }
    }
    if (t->backend_comp->cls.backend.stop_all) {
        hpolab_error_clear(&t->backend_ctx.err);
        int32_t st = t->backend_comp->cls.backend.stop_all(
            t->backend_state, &t->backend_ctx, grace);
        if (st != HPOLAB_OK) {
            struct hpolab_error e;
            hpolab_ctx_error(&t->backend_ctx, st, &e);
            hpolab_logf(HPOLAB_LOG_WARN, "%s", e.message);
        }
    }
    hpolab_tuner_clear_events(t);
}

static void fill_summary(struct hpolab_tuner *t)
{
    struct hpolab_tuner_summary *s = &t->summary;
    s->trials_started = t->status.num_trials_started;
    s->trials_completed = t->status.num_trials_completed;
    s->trials_failed = t->status.num_trials_failed;
    s->trials_stopped = 0;
    for (int64_t i = 0; i < t->num_trials; i++)
        if (t->trials[i].status == HPOLAB_TRIAL_STOPPED)
            s->trials_stopped++;
    s->evaluations = t->status.num_evaluations;
    s->elapsed = hpolab_clock_now(&t->clock);
    s->stop_reason = t->stop_reason;
    free(s->best_config_json);
    s->best_config_json = NULL;
    const struct hpolab_config *best =
        s->has_best && s->best_trial < t->num_trials
            ? hpolab_tuner_trial_config(t, s->best_trial)
            : NULL;
    if (best)
        s->best_config_json = hpolab_record_to_json_text(&best->rec);
}

static int32_t loop(struct hpolab_tuner *t, struct hpolab_error *err)
{
    for (;;) {
        int32_t st = schedule(t, err);
        if (st != HPOLAB_OK)
            return st;
        int stopping = stop_now(t) || t->exhausted;
        if (stopping && (t->running == 0 || t->interrupt_level ||
                         t->failed_abort_pending))
            return HPOLAB_OK;
        if (stopping)
            /* Syne Tune stops running trials as soon as the criterion
             * fires (wait_trial_completion_when_stopping = false), except
             * when the space is exhausted: then it waits for them. */
            if (!t->exhausted || stop_now(t))
                return HPOLAB_OK;
        hpolab_error_clear(&t->backend_ctx.err);
        st = t->backend_comp->cls.backend.wait_events(
            t->backend_state, &t->backend_ctx, next_timeout(t));
        if (st != HPOLAB_OK) {
            hpolab_tuner_clear_events(t);
            return plugin_failed(&t->backend_ctx, st,
                                 "waiting for trial events failed", err);
        }
        drain_wake_pipe(t);
        st = process_events(t, err);
        if (st != HPOLAB_OK)
            return st;
        if (t->o.max_failures >= 0 &&
            t->status.num_trials_failed > t->o.max_failures)
            t->failed_abort_pending = 1;
        double now = hpolab_clock_now(&t->clock);
        if (results_due(t, now)) {
            st = write_results(t, err);
            if (st != HPOLAB_OK)
                return st;
        }
        report_progress(t, 0);
    }
}

/* --resume: the state from the journal, then the trials the killed tuner
 * left unfinished start again (tuner_resume.c decides which). */
static int32_t resume(struct hpolab_tuner *t, int *own_results,
                      struct hpolab_error *err)
{
    int32_t st = hpolab_tuner_resume_load(t, err);
    *own_results = st == HPOLAB_OK;
    for (int64_t i = 0; i < t->num_trials && st == HPOLAB_OK; i++) {
        struct tuner_trial *tr = &t->trials[i];
        if (!tr->run || !tr->run->restart)
            continue;
        tr->run->restart = 0;
        st = start_job(t, i, tr->run->restart_is_resume, tr->run->restart_ckpt,
                       err);
    }
    return st;
}

int32_t hpolab_tuner_run(struct hpolab_tuner *t, struct hpolab_error *err)
{
    hpolab_clock_start(&t->clock);
    /* results.csv.zip is rewritten at the end only by a tuner that owns the
     * experiment: not when another one runs it (journal locked) or when its
     * journal could not be loaded */
    int own_results = 0;
    t->last_results_write_mono = hpolab_mono_time();
    int32_t st = hpolab_mkdir_p(t->o.experiment_dir, err);
    if (st == HPOLAB_OK)
        st = hpolab_tuner_journal_open(t, err);
    if (st == HPOLAB_OK && !t->o.resume) {
        own_results = 1;
        st = hpolab_tuner_write_metadata(t, err);
    }
    if (st == HPOLAB_OK)
        st = start_plugins(t, err);
    if (st == HPOLAB_OK && t->o.resume)
        st = resume(t, &own_results, err);
    if (st == HPOLAB_OK)
        st = loop(t, err);
    struct hpolab_error final_err;
    hpolab_error_clear(&final_err);
    stop_all_trials(t);
    int32_t wst = t->results && own_results ? write_results(t, &final_err)
                                            : HPOLAB_OK;
    if (st == HPOLAB_OK && wst != HPOLAB_OK) {
        st = wst;
        *err = final_err;
    }
    if (st == HPOLAB_OK && t->interrupt_level) {
        t->stop_reason = "interrupted";
        st = hpolab_error_set(err, HPOLAB_ERR_INTERRUPTED,
                              "interrupted: every trial was stopped and the "
                              "results so far are written");
    }
    if (st == HPOLAB_OK && t->failed_abort_pending) {
        t->stop_reason = "too many failed trials";
        st = hpolab_error_set(err, HPOLAB_ERR_PROCESS,
                              "tuning aborted: %lld trials failed "
                              "(max_failures = %lld); first failure: trial "
                              "%lld: %s",
                              (long long)t->status.num_trials_failed,
                              (long long)t->o.max_failures,
                              (long long)t->first_failed,
                              t->first_fail_message ? t->first_fail_message
                                                    : "failed");
    }
    /* an interrupted or broken run is not the end: --resume continues it */
    if (st == HPOLAB_OK || st == HPOLAB_ERR_PROCESS)
        hpolab_tuner_journal_end(t, t->stop_reason);
    hpolab_tuner_journal_close(t);
    fill_summary(t);
    report_progress(t, 1);
    return st;
}

void hpolab_tuner_interrupt(struct hpolab_tuner *t, int hard)
{
    int level = hard ? 2 : 1;
    if (t->interrupt_level < level)
        t->interrupt_level = level;
    if (t->wake_pipe[1] >= 0) {
        ssize_t n = write(t->wake_pipe[1], "x", 1);
        (void)n; /* a full pipe already wakes the tuner */
    }
}

const struct hpolab_tuner_summary *
hpolab_tuner_summary(const struct hpolab_tuner *t)
{
    return &t->summary;
}

void hpolab_tuner_destroy(struct hpolab_tuner *t)
{
    if (!t)
        return;
    if (t->sched_state)
        t->sched_comp->cls.scheduler.destroy(t->sched_state);
    if (t->backend_state)
        t->backend_comp->cls.backend.destroy(t->backend_state);
    hpolab_tuner_clear_events(t);
    free(t->events);
    hpolab_tuner_free_trials(t);
    for (uint32_t i = 0; i < t->num_points; i++)
        hpolab_config_free(t->points[i]);
    free(t->points);
    hpolab_options_free(t->sched_opts);
    hpolab_options_free(t->searcher_opts);
    hpolab_options_free(t->backend_opts);
    hpolab_results_free(t->results);
    hpolab_tuner_journal_close(t);
    free(t->summary.best_config_json);
    if (t->wake_pipe[0] >= 0)
        close(t->wake_pipe[0]);
    if (t->wake_pipe[1] >= 0)
        close(t->wake_pipe[1]);
    free(t);
}
