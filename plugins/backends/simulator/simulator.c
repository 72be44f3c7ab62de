/* simulator.c: the "simulator" backend: trials are not processes but
 * learning curves looked up in a benchmark (sim_bench.h), replayed on a
 * simulated clock (framework reference §1.9, simulator notes of §2.6).
 *
 * create makes the experiment clock simulated (host extension
 * hpolab_virtual_clock_v1). start_trial looks the trial's whole curve up and
 * schedules its events: result i at start + delay_start + elapsed_i +
 * delay_on_trial_result, the exit at start + delay_start + elapsed_last +
 * delay_complete_after_final_report. wait_events moves the clock to the
 * earliest pending event (or by the timeout when none is due) and emits
 * every event of that instant, so nothing ever sleeps and a fixed seed
 * replays the same history. A resumed trial continues after the resource
 * of its last emitted result (its checkpoint) with elapsed times shifted by
 * the elapsed time there. A trial runs up to config[max_resource_attr] when
 * the configuration has it (ASHA's promotion type rewrites it). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_args.h"
#include "sim_bench.h"
#include "sim_queue.h"

#define DEFAULT_DELAY 0.05 /* Syne Tune's SimulatorConfig defaults */
#define MIN_ELAPSED 0.01   /* elapsed >= 0.01 and increasing by >= 0.01 */

struct sim_trial {
    uint64_t run;           /* bumped on every start and stop */
    int active;             /* a run is scheduled and not stopped */
    struct sim_curve curve; /* owned while active */
    size_t first, end;      /* points of this run: [first, end) */
    double *run_elapsed;    /* owned while active: shifted, forced elapsed
                               of point first + k */
    uint64_t iter;          /* results emitted in this run */
    int has_ckpt;           /* some result was emitted (any run) */
    double ckpt_resource;   /* resource of the last emitted result */
};

struct sim_backend {
    const struct hpolab_ext_virtual_clock_v1 *clock;
    struct sim_bench *bench;       /* owned */
    const char *max_resource_attr; /* [borrowed] from the options */
    double delay_start, delay_result, delay_complete;
    int checkpointing;
    struct sim_queue queue;
    struct sim_trial *trials; /* owned, indexed by trial id */
    size_t n_trials;
    char *json;               /* owned scratch for results */
    size_t json_cap;
};

/* ---- options ------------------------------------------------------------ */

static int32_t read_delay(struct hpolab_ctx *ctx,
                          const struct hpolab_options *opts, const char *name,
                          double *out)
{
    int32_t st = hpolab_host->option_double(ctx, opts, name, DEFAULT_DELAY,
                                            out);
    if (st == HPOLAB_OK && !(*out >= 0 && *out <= 86400))
        st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                              "%s must be between 0 and 86400 seconds, got %g",
                              name, *out);
    return st;
}

static int32_t make_bench(struct sim_backend *b, struct hpolab_ctx *ctx,
                          const struct hpolab_backend_args *args)
{
    const struct hpolab_options *opts = args->options;
    const char *benchmark = NULL, *table = NULL;
    struct sim_bench_names names;
    int32_t st = hpolab_host->option_string(ctx, opts, "benchmark", NULL,
                                            &benchmark);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, opts, "table", NULL, &table);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, opts, "resource_attr", "epoch",
                                        &names.resource_attr);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, opts, "elapsed_time_attr",
                                        "elapsed_time", &names.elapsed_attr);
    if (st != HPOLAB_OK)
        return st;
    if (!benchmark == !table)
        return hpolab_set_error(
            ctx, HPOLAB_ERR_INVALID,
            "give exactly one of the options \"benchmark\" (an analytic "
            "benchmark: %s) and \"table\" (a CSV file, see "
            "docs/simulator.md)%s",
            sim_analytic_names(), benchmark ? ", not both" : "");
    if (benchmark)
        return sim_analytic_create(ctx, benchmark, opts, &names, &b->bench);
    char path[4096];
    if (table[0] == '/' || !args->working_dir)
        snprintf(path, sizeof path, "%s", table);
    else
        snprintf(path, sizeof path, "%s/%s", args->working_dir, table);
    return sim_table_create(ctx, path, &names, &b->bench);
}

static void HPOLAB_ABI sim_destroy(void *state);

static int32_t HPOLAB_ABI sim_create(struct hpolab_ctx *ctx,
                                     const struct hpolab_backend_args *args,
                                     void **out_state)
{
    *out_state = NULL;
    int32_t checked = hpolab_common_backend_args_check(ctx, args, 0);
    if (checked != HPOLAB_OK)
        return checked;
    struct sim_backend *b = calloc(1, sizeof *b);
    if (!b)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    sim_queue_init(&b->queue);
    b->clock = hpolab_host->get_extension(ctx, HPOLAB_EXT_VIRTUAL_CLOCK_V1);
    int32_t st = HPOLAB_OK;
    if (!b->clock || b->clock->struct_size <
                         offsetof(struct hpolab_ext_virtual_clock_v1,
                                  advance_to) + sizeof b->clock->advance_to)
        st = hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                              "this hpolab has no simulated clock (host "
                              "extension %s); upgrade hpolab",
                              HPOLAB_EXT_VIRTUAL_CLOCK_V1);
    int32_t ckpt = 1;
    if (st == HPOLAB_OK)
        st = make_bench(b, ctx, args);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_string(ctx, args->options,
                                        "max_resource_attr", "epochs",
                                        &b->max_resource_attr);
    if (st == HPOLAB_OK)
        st = read_delay(ctx, args->options, "delay_start", &b->delay_start);
    if (st == HPOLAB_OK)
        st = read_delay(ctx, args->options, "delay_on_trial_result",
                        &b->delay_result);
    if (st == HPOLAB_OK)
        st = read_delay(ctx, args->options,
                        "delay_complete_after_final_report",
                        &b->delay_complete);
    if (st == HPOLAB_OK && b->delay_result > b->delay_complete)
        st = hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                              "delay_on_trial_result (%g) must not exceed "
                              "delay_complete_after_final_report (%g): the "
                              "last result would arrive after the trial "
                              "ended",
                              b->delay_result, b->delay_complete);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_bool(ctx, args->options,
                                      "support_checkpointing", 1, &ckpt);
    b->checkpointing = ckpt != 0;
    if (st == HPOLAB_OK)
        st = b->clock->start(ctx);
    if (st != HPOLAB_OK) {
        sim_destroy(b);
        return st;
    }
    *out_state = b;
    return HPOLAB_OK;
}

static void end_run(struct sim_trial *t)
{
    t->run++;
    t->active = 0;
    sim_curve_free(&t->curve);
    free(t->run_elapsed);
    t->run_elapsed = NULL;
}

static void HPOLAB_ABI sim_destroy(void *state)
{
    struct sim_backend *b = state;
    if (!b)
        return;
    for (size_t i = 0; i < b->n_trials; i++)
        end_run(&b->trials[i]);
    free(b->trials);
    sim_queue_free(&b->queue);
    sim_bench_free(b->bench);
    free(b->json);
    free(b);
}

/* ---- starting and stopping ---------------------------------------------- */

static struct sim_trial *trial_slot(struct sim_backend *b, int64_t id)
{
    if (id < 0)
        return NULL;
    if ((size_t)id >= b->n_trials) {
        size_t n = b->n_trials ? b->n_trials : 64;
        while (n <= (size_t)id)
            n *= 2;
        struct sim_trial *t = realloc(b->trials, n * sizeof *t);
        if (!t)
            return NULL;
        memset(t + b->n_trials, 0, (n - b->n_trials) * sizeof *t);
        b->trials = t;
        b->n_trials = n;
    }
    return &b->trials[id];
}

/* The resource cap of this run: config[max_resource_attr], if present. */
static int32_t run_cap(struct sim_backend *b, struct hpolab_ctx *ctx,
                       const struct hpolab_trial_job *job, double *cap)
{
    *cap = INFINITY;
    if (!b->max_resource_attr[0])
        return HPOLAB_OK;
    int32_t i = hpolab_host->config_index(job->config, b->max_resource_attr);
    if (i < 0)
        return HPOLAB_OK;
    if (hpolab_host->config_get_double(job->config, (uint32_t)i, cap) !=
        HPOLAB_OK)
        return hpolab_set_error(ctx, HPOLAB_ERR_TYPE,
                                "trial %lld: %s (max_resource_attr) must be a "
                                "number, got '%s'",
                                (long long)job->trial_id,
                                b->max_resource_attr,
                                hpolab_host->config_text(job->config,
                                                         (uint32_t)i));
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI sim_start_trial(void *state, struct hpolab_ctx *ctx,
                                          const struct hpolab_trial_job *job)
{
    struct sim_backend *b = state;
    int64_t id = job->trial_id;
    struct sim_trial *t = trial_slot(b, id);
    if (!t)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    end_run(t); /* a resume never runs alongside the old run */
    if (!job->is_resume)
        t->has_ckpt = 0;
    double cap;
    int32_t st = run_cap(b, ctx, job, &cap);
    if (st == HPOLAB_OK)
        st = b->bench->ops->curve(b->bench, ctx, id, job->config, &t->curve);
    if (st != HPOLAB_OK)
        return st;
    const struct sim_curve *c = &t->curve;
    size_t first = 0;
    double shift = 0;
    if (job->is_resume && b->checkpointing && t->has_ckpt)
        while (first < c->n && c->resource[first] <= t->ckpt_resource)
            shift = c->elapsed[first++];
    size_t end = first;
    while (end < c->n && c->resource[end] <= cap)
        end++;
    t->run_elapsed = malloc((end - first + 1) * sizeof *t->run_elapsed);
    if (!t->run_elapsed) {
        end_run(t);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    t->active = 1;
    t->first = first;
    t->end = end;
    t->iter = 0;
    double start = hpolab_host->now(ctx) + b->delay_start;
    double prev = 0;
    double last = start;
    for (size_t k = first; k < end; k++) {
        double e = c->elapsed[k] - shift;
        if (e < MIN_ELAPSED)
            e = MIN_ELAPSED;
        if (k > first && e < prev + MIN_ELAPSED)
            e = prev + MIN_ELAPSED;
        prev = e;
        t->run_elapsed[k - first] = e;
        struct sim_event ev = {.time = start + e + b->delay_result,
                               .trial_id = id,
                               .run = t->run,
                               .type = SIM_EV_RESULT,
                               .index = (uint32_t)k};
        last = start + e;
        if (sim_queue_push(&b->queue, &ev) != 0) {
            end_run(t);
            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        }
    }
    struct sim_event ex = {.time = last + b->delay_complete,
                           .trial_id = id,
                           .run = t->run,
                           .type = SIM_EV_EXIT};
    if (sim_queue_push(&b->queue, &ex) != 0) {
        end_run(t);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI sim_stop_trial(void *state, struct hpolab_ctx *ctx,
                                         int64_t trial_id, int32_t how)
{
    (void)ctx;
    (void)how; /* pause or stop: the checkpoint stays either way */
    struct sim_backend *b = state;
    if (trial_id >= 0 && (size_t)trial_id < b->n_trials)
        end_run(&b->trials[trial_id]);
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI sim_stop_all(void *state, struct hpolab_ctx *ctx,
                                       double grace_s)
{
    (void)ctx;
    (void)grace_s;
    struct sim_backend *b = state;
    for (size_t i = 0; i < b->n_trials; i++)
        end_run(&b->trials[i]);
    sim_queue_free(&b->queue);
    return HPOLAB_OK;
}

/* ---- events --------------------------------------------------------------- */

static int stale(const struct sim_backend *b, const struct sim_event *ev)
{
    const struct sim_trial *t = &b->trials[ev->trial_id];
    return !t->active || t->run != ev->run;
}

/* Append printf output to the scratch JSON; -1 out of memory. */
static int put(struct sim_backend *b, size_t *len, const char *fmt, ...)
    HPOLAB_PRINTF(3, 4);
static int put(struct sim_backend *b, size_t *len, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->json + *len, b->json_cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t)n < b->json_cap - *len) {
            *len += (size_t)n;
            return 0;
        }
        size_t cap = b->json_cap * 2 + (size_t)n + 64;
        char *j = realloc(b->json, cap);
        if (!j)
            return -1;
        b->json = j;
        b->json_cap = cap;
    }
}

/* "name": with JSON escapes. */
static int put_key(struct sim_backend *b, size_t *len, const char *name)
{
    if (put(b, len, "%s\"", *len > 1 ? ", " : "") != 0)
        return -1;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        int rc = *p == '"' || *p == '\\' ? put(b, len, "\\%c", *p)
                 : *p < 0x20             ? put(b, len, "\\u%04x", *p)
                                         : put(b, len, "%c", *p);
        if (rc != 0)
            return -1;
    }
    return put(b, len, "\": ");
}

/* A number as JSON: integers as integers, else 17 digits (round trip). */
static int put_number(struct sim_backend *b, size_t *len, double v)
{
    if (v == floor(v) && fabs(v) < 9e15)
        return put(b, len, "%lld", (long long)v);
    return put(b, len, "%.17g", v);
}

static int32_t emit_result(struct sim_backend *b, struct hpolab_ctx *ctx,
                           const struct sim_event *ev)
{
    struct sim_trial *t = &b->trials[ev->trial_id];
    const struct sim_curve *c = &t->curve;
    const struct sim_bench *bench = b->bench;
    size_t k = ev->index;
    double e = t->run_elapsed[k - t->first];
    size_t len = 0;
    if (!b->json && !(b->json = malloc(b->json_cap = 512)))
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    int rc = put(b, &len, "{");
    rc |= put_key(b, &len, bench->resource_attr);
    rc |= put_number(b, &len, c->resource[k]);
    for (size_t m = 0; m < bench->n_metrics; m++) {
        rc |= put_key(b, &len, bench->metric_names[m]);
        rc |= put(b, &len, "%.17g", c->metrics[k * c->n_metrics + m]);
    }
    rc |= put_key(b, &len, bench->elapsed_attr);
    rc |= put(b, &len, "%.17g", e);
    rc |= put_key(b, &len, "st_worker_time");
    rc |= put(b, &len, "%.17g", e);
    rc |= put_key(b, &len, "st_worker_iter");
    rc |= put(b, &len, "%llu", (unsigned long long)t->iter);
    rc |= put_key(b, &len, "st_tuner_time");
    rc |= put(b, &len, "%.17g", ev->time);
    rc |= put(b, &len, "}");
    if (rc != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    t->iter++;
    t->has_ckpt = 1;
    t->ckpt_resource = c->resource[k];
    return hpolab_host->emit_result(ctx, ev->trial_id, b->json, len);
}

static int32_t HPOLAB_ABI sim_wait_events(void *state, struct hpolab_ctx *ctx,
                                          double timeout_s)
{
    struct sim_backend *b = state;
    double now = hpolab_host->now(ctx);
    const struct sim_event *top;
    while ((top = sim_queue_peek(&b->queue)) && stale(b, top))
        sim_queue_pop(&b->queue, NULL);
    double deadline = now + (timeout_s > 0 ? timeout_s : 0);
    if (!top || top->time > deadline)
        return b->clock->advance_to(ctx, deadline);
    double at = top->time > now ? top->time : now;
    int32_t st = b->clock->advance_to(ctx, at);
    double when = top->time;
    while (st == HPOLAB_OK && (top = sim_queue_peek(&b->queue)) &&
           top->time == when) {
        struct sim_event ev;
        sim_queue_pop(&b->queue, &ev);
        if (stale(b, &ev))
            continue;
        if (ev.type == SIM_EV_RESULT) {
            st = emit_result(b, ctx, &ev);
        } else {
            end_run(&b->trials[ev.trial_id]);
            st = hpolab_host->emit_exit(ctx, ev.trial_id,
                                        HPOLAB_TRIAL_COMPLETED, NULL);
        }
    }
    return st;
}

static const struct hpolab_backend_class simulator_class = {
    .struct_size = sizeof simulator_class,
    .id = "simulator",
    .description = "trials replayed from analytic or tabulated learning "
                   "curves on a simulated clock (no processes, no sleeping)",
    .create = sim_create,
    .destroy = sim_destroy,
    .start_trial = sim_start_trial,
    .stop_trial = sim_stop_trial,
    .wait_events = sim_wait_events,
    .stop_all = sim_stop_all,
};

static int32_t sim_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_backend(ctx, &simulator_class);
}

HPOLAB_PLUGIN_DEFINE(backend_simulator, "0.1.0",
                     "simulated backend: whole studies in simulated time",
                     "Apache-2.0", sim_init, NULL)
