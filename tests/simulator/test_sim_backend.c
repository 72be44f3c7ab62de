/* The simulator backend plugin, loaded through the real loader and driven
 * through its class with a ctx whose clock it may simulate and whose event
 * sink records every result and exit with the clock reading at that moment:
 * - event order with several trials (ties in start order), one instant per
 *   wait_events, the timeout when nothing is due;
 * - pause/resume: a resumed trial continues after its checkpoint with
 *   elapsed times shifted, or restarts without checkpointing; a stopped
 *   trial emits nothing more;
 * - the nearest-neighbour lookup of a table;
 * - the analytic benchmarks against their documented formulas and optima;
 * - bad input: options, tables (file and line), configurations;
 * - the virtual clock extension refuses misuse.
 * Expected times are derived by hand from the tables written here. */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include <hpolab/hpolab.h>

#include "clock.h"
#include "config.h"
#include "ctx.h"
#include "host_api.h"
#include "metric_line.h"
#include "options.h"
#include "plugin_loader.h"
#include "record.h"
#include "registry.h"
#include "tl_formula.h"

#define PLUGIN HPOLAB_TEST_PLUGIN_DIR "/hpolab-backend_simulator.so"

static struct hpolab_backend_class cls;
static struct hpolab_registry *registry;

static int load_plugin(void **state)
{
    (void)state;
    struct hpolab_error err;
    const struct hpolab_component *comp;
    if (hpolab_registry_create(&registry, &err) != HPOLAB_OK ||
        hpolab_loader_load_file(registry, PLUGIN, &err) != HPOLAB_OK ||
        hpolab_registry_require(registry, HPOLAB_KIND_BACKEND, "simulator",
                                &comp, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    cls = comp->cls.backend;
    return 0;
}

static int unload_plugin(void **state)
{
    (void)state;
    hpolab_registry_destroy(registry);
    return 0;
}

/* ---- fixture: a backend instance and what it emitted ---------------------- */

struct event {
    int64_t trial;
    int is_exit;
    double clock;            /* the clock when it was emitted */
    struct hpolab_record rec; /* the result (empty for exits) */
    int call;                /* which wait_events emitted it */
};

struct fx {
    char dir[64];
    struct hpolab_clock clock;
    struct hpolab_ctx ctx;
    struct hpolab_event_sink sink;
    struct hpolab_options *opts;
    void *state;
    struct event ev[256];
    size_t nev;
    int call;
};

static int32_t on_result(void *user, int64_t trial, const char *json,
                         uint64_t len)
{
    struct fx *f = user;
    assert_true(f->nev < 256);
    struct event *e = &f->ev[f->nev++];
    memset(e, 0, sizeof *e);
    e->trial = trial;
    e->clock = hpolab_clock_now(&f->clock);
    e->call = f->call;
    struct hpolab_error err;
    if (hpolab_metric_json_parse(json, (size_t)len, &e->rec, &err) !=
        HPOLAB_OK)
        fail_msg("bad result JSON '%.*s': %s", (int)len, json, err.message);
    return HPOLAB_OK;
}

static int32_t on_exit_ev(void *user, int64_t trial, int32_t status,
                          const char *msg)
{
    (void)msg;
    struct fx *f = user;
    assert_int_equal(status, HPOLAB_TRIAL_COMPLETED);
    assert_true(f->nev < 256);
    struct event *e = &f->ev[f->nev++];
    memset(e, 0, sizeof *e);
    e->trial = trial;
    e->is_exit = 1;
    e->clock = hpolab_clock_now(&f->clock);
    e->call = f->call;
    hpolab_record_init(&e->rec);
    return HPOLAB_OK;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hpolab-sim-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    hpolab_clock_start(&f->clock);
    hpolab_ctx_init(&f->ctx, "backend", "simulator", registry);
    f->sink.result = on_result;
    f->sink.exit = on_exit_ev;
    f->sink.user = f;
    f->ctx.events = &f->sink;
    f->ctx.clock = &f->clock;
    f->ctx.clock_driver = &f->clock;
    *state = f;
    return 0;
}

static void clear_events(struct fx *f)
{
    for (size_t i = 0; i < f->nev; i++)
        hpolab_record_free(&f->ev[i].rec);
    f->nev = 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->state)
        cls.destroy(f->state);
    hpolab_options_free(f->opts);
    clear_events(f);
    char path[128];
    const char *names[] = {"t.csv", "bad.csv", NULL};
    for (int i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, names[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_file(struct fx *f, const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Create the backend with options given as JSON text; returns the status
 * (the message is in f->ctx.err). */
static int32_t try_create(struct fx *f, const char *options_json)
{
    json_error_t je;
    json_t *o = json_loads(options_json, 0, &je);
    assert_non_null(o);
    struct hpolab_error err;
    hpolab_options_free(f->opts);
    assert_int_equal(hpolab_options_create(o, "test", &f->opts, &err),
                     HPOLAB_OK);
    json_decref(o);
    struct hpolab_backend_args args = {
        .struct_size = sizeof args,
        .experiment_dir = f->dir,
        .working_dir = f->dir,
        .n_workers = 4,
        .options = f->opts,
        .wake_fd = -1,
    };
    hpolab_error_clear(&f->ctx.err);
    return cls.create(&f->ctx, &args, &f->state);
}

static void create(struct fx *f, const char *options_json)
{
    if (try_create(f, options_json) != HPOLAB_OK)
        fail_msg("create: %s", f->ctx.err.message);
}

static struct hpolab_config *config(const char *json)
{
    json_error_t je;
    json_t *o = json_loads(json, 0, &je);
    assert_non_null(o);
    struct hpolab_config *c = hpolab_config_new();
    assert_non_null(c);
    struct hpolab_error err;
    hpolab_record_free(&c->rec);
    assert_int_equal(hpolab_record_from_json(o, &c->rec, &err), HPOLAB_OK);
    json_decref(o);
    return c;
}

static int32_t try_start(struct fx *f, int64_t id, const char *config_json,
                         int is_resume)
{
    struct hpolab_config *c = config(config_json);
    struct hpolab_trial_job job = {
        .struct_size = sizeof job,
        .trial_id = id,
        .config = c,
        .trial_dir = f->dir,
        .checkpoint_dir = f->dir,
        .is_resume = is_resume,
    };
    hpolab_error_clear(&f->ctx.err);
    int32_t st = cls.start_trial(f->state, &f->ctx, &job);
    hpolab_config_free(c);
    return st;
}

static void start(struct fx *f, int64_t id, const char *config_json,
                  int is_resume)
{
    if (try_start(f, id, config_json, is_resume) != HPOLAB_OK)
        fail_msg("start_trial: %s", f->ctx.err.message);
}

static void wait_once(struct fx *f, double timeout)
{
    f->call++;
    hpolab_error_clear(&f->ctx.err);
    if (cls.wait_events(f->state, &f->ctx, timeout) != HPOLAB_OK)
        fail_msg("wait_events: %s", f->ctx.err.message);
}

/* wait_events until n events arrived (at most 1000 calls). */
static void wait_for(struct fx *f, size_t n)
{
    for (int i = 0; i < 1000 && f->nev < n; i++)
        wait_once(f, 1000.0);
    assert_int_equal(f->nev, n);
}

static double num(const struct event *e, const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(&e->rec, name);
    if (!v)
        fail_msg("result of trial %lld has no '%s'", (long long)e->trial,
                 name);
    double x;
    assert_int_equal(hpolab_value_as_double(v, &x), HPOLAB_OK);
    return x;
}

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-9 * (1 + fabs(want)))
        fail_msg("got %.17g, expected %.17g", got, want);
}

/* lr is compared on a log scale (0.001 .. 0.1 spans 100x); act is text.
 * The rows of the tanh configuration are out of resource order. */
static const char *const TABLE =
    "# tiny benchmark for the tests\n"
    "config_lr,config_act,epoch,loss,elapsed_time\n"
    "0.001,relu,1,0.9,10\n"
    "0.001,relu,2,0.7,20\n"
    "\n"
    "0.001,relu,3,0.6,30\n"
    "0.001,relu,4,0.5,40\n"
    "0.1,relu,1,0.8,5\n"
    "0.1,relu,2,0.75,9\n"
    "0.1,relu,3,0.74,13\n"
    "0.01,tanh,2,0.5,30\r\n"
    "0.01,tanh,1,0.6,15\n";

#define A "{\"lr\": 0.001, \"act\": \"relu\"}"
#define B "{\"lr\": 0.1, \"act\": \"relu\"}"
#define C "{\"lr\": 0.01, \"act\": \"tanh\"}"

/* ---- event order -------------------------------------------------------------- */

struct expect {
    int64_t trial;
    int is_exit;
    double epoch;
    double time;
};

static void test_event_order_three_workers(void **state)
{
    struct fx *f = *state;
    write_file(f, "t.csv", TABLE);
    create(f, "{\"table\": \"t.csv\"}");
    assert_true(hpolab_clock_is_simulated(&f->clock));
    assert_near(hpolab_clock_now(&f->clock), 0.0);
    start(f, 0, A, 0);
    start(f, 1, B, 0);
    start(f, 2, C, 0);
    /* delays 0.05 (start) + elapsed + 0.05 (result / completion) */
    const double d = 0.05;
    const struct expect want[] = {
        {1, 0, 1, d + 5 + d},  {1, 0, 2, d + 9 + d},   {0, 0, 1, d + 10 + d},
        {1, 0, 3, d + 13 + d}, {1, 1, 0, d + 13 + d},  {2, 0, 1, d + 15 + d},
        {0, 0, 2, d + 20 + d}, {0, 0, 3, d + 30 + d},  {2, 0, 2, d + 30 + d},
        {2, 1, 0, d + 30 + d}, {0, 0, 4, d + 40 + d},  {0, 1, 0, d + 40 + d},
    };
    size_t n = sizeof want / sizeof want[0];
    wait_for(f, n);
    for (size_t i = 0; i < n; i++) {
        const struct event *e = &f->ev[i];
        if (e->trial != want[i].trial || e->is_exit != want[i].is_exit)
            fail_msg("event %zu: trial %lld%s, expected trial %lld%s", i,
                     (long long)e->trial, e->is_exit ? " exit" : "",
                     (long long)want[i].trial, want[i].is_exit ? " exit" : "");
        assert_near(e->clock, want[i].time);
        if (!e->is_exit) {
            assert_near(num(e, "epoch"), want[i].epoch);
            /* the row's time is the clock's */
            assert_true(num(e, "st_tuner_time") == e->clock);
            assert_near(num(e, "elapsed_time"), e->clock - 2 * d);
            assert_near(num(e, "st_worker_time"), e->clock - 2 * d);
        }
        /* one instant per wait_events */
        if (i > 0 && f->ev[i - 1].call == e->call)
            assert_true(f->ev[i - 1].clock == e->clock);
        if (i > 0 && f->ev[i - 1].call != e->call)
            assert_true(f->ev[i - 1].clock < e->clock);
    }
    /* the tie at 30.1 is one call, three events */
    assert_int_equal(f->ev[7].call, f->ev[9].call);
    assert_near(num(&f->ev[0], "loss"), 0.8);
    assert_near(num(&f->ev[5], "loss"), 0.6);
    assert_near(num(&f->ev[8], "loss"), 0.5);
    assert_near(num(&f->ev[3], "st_worker_iter"), 2);
}

static void test_timeout_moves_clock_without_events(void **state)
{
    struct fx *f = *state;
    write_file(f, "t.csv", TABLE);
    create(f, "{\"table\": \"t.csv\", \"delay_start\": 0, "
              "\"delay_on_trial_result\": 0, "
              "\"delay_complete_after_final_report\": 0}");
    wait_once(f, 7.5); /* nothing running */
    assert_near(hpolab_clock_now(&f->clock), 7.5);
    start(f, 0, B, 0); /* first result at 7.5 + 5 */
    wait_once(f, 2.0);
    assert_int_equal(f->nev, 0);
    assert_near(hpolab_clock_now(&f->clock), 9.5);
    wait_once(f, 0.0); /* does not block, nothing due */
    assert_int_equal(f->nev, 0);
    assert_near(hpolab_clock_now(&f->clock), 9.5);
    wait_once(f, 2.95); /* due at 12.5, just after the deadline */
    assert_int_equal(f->nev, 0);
    assert_near(hpolab_clock_now(&f->clock), 12.45);
    wait_once(f, 3.0); /* due within the timeout: the clock stops at it */
    assert_int_equal(f->nev, 1);
    assert_near(f->ev[0].clock, 12.5);
    assert_near(hpolab_clock_now(&f->clock), 12.5);
    assert_near(num(&f->ev[0], "elapsed_time"), 5);
}

/* ---- pause, resume, stop -------------------------------------------------------- */

static void test_resume_continues_after_checkpoint_shifted(void **state)
{
    struct fx *f = *state;
    write_file(f, "t.csv", TABLE);
    create(f, "{\"table\": \"t.csv\"}");
    /* ASHA promotion: epochs = the rung level */
    start(f, 0, "{\"lr\": 0.001, \"act\": \"relu\", \"epochs\": 2}", 0);
    wait_for(f, 3); /* epochs 1, 2 and the exit, both at 20.1 */
    assert_near(num(&f->ev[1], "epoch"), 2);
    assert_true(f->ev[2].is_exit);
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 0, HPOLAB_STOP_PAUSE),
                     HPOLAB_OK);
    wait_once(f, 5.0);
    assert_int_equal(f->nev, 3);
    double t0 = hpolab_clock_now(&f->clock);
    assert_near(t0, 25.1);
    clear_events(f);
    start(f, 0, "{\"lr\": 0.001, \"act\": \"relu\", \"epochs\": 4}", 1);
    wait_for(f, 3);
    /* epochs 3 and 4 only, elapsed since the checkpoint (20 s there) */
    assert_near(num(&f->ev[0], "epoch"), 3);
    assert_near(num(&f->ev[0], "elapsed_time"), 30 - 20);
    assert_near(num(&f->ev[0], "st_worker_iter"), 0);
    assert_near(f->ev[0].clock, t0 + 0.05 + 10 + 0.05);
    assert_near(num(&f->ev[1], "epoch"), 4);
    assert_near(num(&f->ev[1], "elapsed_time"), 40 - 20);
    assert_near(num(&f->ev[1], "st_worker_iter"), 1);
    assert_near(f->ev[1].clock, t0 + 0.05 + 20 + 0.05);
    assert_true(f->ev[2].is_exit);
    assert_near(f->ev[2].clock, t0 + 0.05 + 20 + 0.05);
}

static void test_resume_without_checkpointing_restarts(void **state)
{
    struct fx *f = *state;
    write_file(f, "t.csv", TABLE);
    create(f, "{\"table\": \"t.csv\", \"support_checkpointing\": false}");
    start(f, 0, A, 0);
    wait_for(f, 2);
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 0, HPOLAB_STOP_PAUSE),
                     HPOLAB_OK);
    double t0 = hpolab_clock_now(&f->clock);
    clear_events(f);
    start(f, 0, A, 1);
    wait_for(f, 1);
    assert_near(num(&f->ev[0], "epoch"), 1);
    assert_near(num(&f->ev[0], "elapsed_time"), 10);
    assert_near(f->ev[0].clock, t0 + 0.05 + 10 + 0.05);
}

/* Syne Tune's rule: elapsed >= 0.01 and growing by >= 0.01. */
static void test_elapsed_forced_positive_and_increasing(void **state)
{
    struct fx *f = *state;
    write_file(f, "t.csv", "config_x,epoch,loss,elapsed_time\n"
                           "1,1,0.5,0\n1,2,0.4,0\n1,3,0.3,0.015\n"
                           "1,4,0.2,7\n");
    create(f, "{\"table\": \"t.csv\", \"delay_start\": 0, "
              "\"delay_on_trial_result\": 0, "
              "\"delay_complete_after_final_report\": 0}");
    start(f, 0, "{\"x\": 1}", 0);
    wait_for(f, 5);
    const double want[] = {0.01, 0.02, 0.03, 7};
    for (int i = 0; i < 4; i++) {
        assert_near(num(&f->ev[i], "elapsed_time"), want[i]);
        assert_near(f->ev[i].clock, want[i]);
    }
    /* a new start (not a resume) of the same id drops the checkpoint: paused
     * before its first result, it resumes at the start */
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 0, HPOLAB_STOP_PAUSE),
                     HPOLAB_OK);
    clear_events(f);
    start(f, 0, "{\"x\": 1}", 0);
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 0, HPOLAB_STOP_PAUSE),
                     HPOLAB_OK);
    start(f, 0, "{\"x\": 1}", 1);
    wait_for(f, 5);
    assert_near(num(&f->ev[0], "epoch"), 1);
}

static void test_stopped_trial_emits_nothing_more(void **state)
{
    struct fx *f = *state;
    write_file(f, "t.csv", TABLE);
    create(f, "{\"table\": \"t.csv\"}");
    start(f, 0, A, 0);
    start(f, 1, B, 0);
    wait_for(f, 1); /* trial 1, epoch 1 at 5.1 */
    assert_int_equal(f->ev[0].trial, 1);
    assert_int_equal(cls.stop_trial(f->state, &f->ctx, 1, HPOLAB_STOP_STOP),
                     HPOLAB_OK);
    for (int i = 0; i < 20; i++)
        wait_once(f, 1000.0);
    assert_int_equal(f->nev, 1 + 5); /* trial 0: four results and its exit */
    for (size_t i = 1; i < f->nev; i++)
        assert_int_equal(f->ev[i].trial, 0);
    /* stop_all: nothing at all afterwards */
    start(f, 2, C, 0);
    assert_int_equal(cls.stop_all(f->state, &f->ctx, 10.0), HPOLAB_OK);
    double t = hpolab_clock_now(&f->clock);
    wait_once(f, 100.0);
    assert_int_equal(f->nev, 6);
    assert_near(hpolab_clock_now(&f->clock), t + 100.0);
}

/* ---- tables -------------------------------------------------------------------------- */

static double first_loss(struct fx *f, int64_t id, const char *cfg)
{
    clear_events(f);
    start(f, id, cfg, 0);
    wait_for(f, 1);
    double loss = num(&f->ev[0], "loss");
    cls.stop_trial(f->state, &f->ctx, id, HPOLAB_STOP_STOP);
    return loss;
}

static void test_table_nearest_neighbour(void **state)
{
    struct fx *f = *state;
    write_file(f, "t.csv", TABLE);
    create(f, "{\"table\": \"t.csv\"}");
    /* exact matches */
    assert_near(first_loss(f, 0, A), 0.9);
    assert_near(first_loss(f, 1, C), 0.6);
    /* log scale: 0.002 is nearer 0.001 (2x) than 0.01 (5x) */
    assert_near(first_loss(f, 2, "{\"lr\": 0.002, \"act\": \"relu\"}"), 0.9);
    /* on a linear scale 0.04 would be nearer 0.01; in log it is nearer 0.1 */
    assert_near(first_loss(f, 3, "{\"lr\": 0.04, \"act\": \"relu\"}"), 0.8);
    /* the text column counts: by lr alone 0.003 is nearer 0.001 (3x) than
     * 0.01 (3.3x), but tanh pulls it to the tanh row */
    assert_near(first_loss(f, 4, "{\"lr\": 0.003, \"act\": \"relu\"}"), 0.9);
    assert_near(first_loss(f, 6, "{\"lr\": 0.003, \"act\": \"tanh\"}"), 0.6);
    /* extra keys of the configuration are ignored */
    assert_near(first_loss(f, 5, "{\"lr\": 0.1, \"act\": \"relu\", "
                                 "\"epochs\": 99, \"other\": 1}"),
                0.8);
}

static void expect_create_error(struct fx *f, const char *opts,
                                int32_t status, const char *fragment)
{
    int32_t st = try_create(f, opts);
    if (st == HPOLAB_OK) {
        cls.destroy(f->state);
        f->state = NULL;
        fail_msg("create with %s succeeded", opts);
    }
    f->state = NULL;
    assert_int_equal(st, status);
    if (!strstr(f->ctx.err.message, fragment))
        fail_msg("'%s' lacks '%s'", f->ctx.err.message, fragment);
    /* the clock stays real when create fails before start */
}

static void expect_table_error(struct fx *f, const char *text,
                               const char *fragment)
{
    write_file(f, "bad.csv", text);
    hpolab_clock_start(&f->clock);
    expect_create_error(f, "{\"table\": \"bad.csv\"}", HPOLAB_ERR_PARSE,
                        fragment);
}

static void test_malformed_tables_name_file_and_line(void **state)
{
    struct fx *f = *state;
    expect_table_error(f,
                       "config_x,epoch,loss,elapsed_time\n1,1,0.5,1\n"
                       "1,2,0.4\n",
                       "bad.csv: line 3: expected 4 cells (as in the "
                       "header), got 3");
    expect_table_error(f,
                       "config_x,epoch,loss,elapsed_time\n# note\n"
                       "1,1,abc,1\n",
                       "bad.csv: line 3: column 'loss': expected a finite "
                       "number, got 'abc'");
    expect_table_error(f,
                       "config_x,epoch,loss,elapsed_time\n1,1,0.5,1\n"
                       "2,1,0.5,1\n1,1,0.4,2\n",
                       "bad.csv: lines 2 and 4: the same configuration has "
                       "epoch = 1 twice");
    expect_table_error(f, "config_x,step,loss,elapsed_time\n1,1,0.5,1\n",
                       "bad.csv: line 1: expected a column 'epoch'");
    expect_table_error(f, "config_x,epoch,elapsed_time\n1,1,1\n",
                       "expected at least one metric column");
    expect_table_error(f, "x,epoch,loss,elapsed_time\n1,1,0.5,1\n",
                       "expected at least one hyperparameter column");
    expect_table_error(f, "config_x,epoch,loss,elapsed_time\n",
                       "bad.csv: expected rows after the header (line 1)");
    expect_table_error(f,
                       "config_x,epoch,loss,elapsed_time\n1,0,0.5,1\n",
                       "bad.csv: line 2: column 'epoch': expected a "
                       "resource > 0, got '0'");
    expect_table_error(f,
                       "config_x,epoch,loss,loss,elapsed_time\n1,1,1,1,1\n",
                       "bad.csv: line 1: column 'loss' appears twice");
    expect_table_error(f,
                       "config_x,epoch,loss,elapsed_time\n\"1,1,1,1\n",
                       "bad.csv: line 2: cell 1: a quoted cell");
    hpolab_clock_start(&f->clock);
    expect_create_error(f, "{\"table\": \"missing.csv\"}", HPOLAB_ERR_IO,
                        "missing.csv': No such file or directory");
}

static void test_bad_options(void **state)
{
    struct fx *f = *state;
    expect_create_error(f, "{\"benchmark\": \"transformer\"}",
                        HPOLAB_ERR_NOT_FOUND,
                        "no analytic benchmark named 'transformer'; "
                        "available: transformer_like, transformer_crossing, "
                        "branin_curves");
    expect_create_error(f, "{}", HPOLAB_ERR_INVALID,
                        "give exactly one of the options \"benchmark\"");
    expect_create_error(f, "{\"benchmark\": \"branin_curves\", "
                           "\"table\": \"t.csv\"}",
                        HPOLAB_ERR_INVALID, "not both");
    expect_create_error(f, "{\"benchmark\": \"branin_curves\", "
                           "\"delay_on_trial_result\": 1}",
                        HPOLAB_ERR_INVALID,
                        "delay_on_trial_result (1) must not exceed");
    expect_create_error(f, "{\"benchmark\": \"branin_curves\", "
                           "\"max_resource\": 0}",
                        HPOLAB_ERR_RANGE, "max_resource must be between 1");
    expect_create_error(f, "{\"benchmark\": \"branin_curves\", "
                           "\"metric\": \"epoch\"}",
                        HPOLAB_ERR_INVALID, "metric must be a name other");
    expect_create_error(f, "{\"benchmark\": \"branin_curves\", "
                           "\"delay_start\": -1}",
                        HPOLAB_ERR_RANGE, "delay_start must be between 0");
    /* none of the failures left the clock simulated */
    assert_false(hpolab_clock_is_simulated(&f->clock));
}

static void test_bad_configurations_fail_the_trial(void **state)
{
    struct fx *f = *state;
    create(f, "{\"benchmark\": \"transformer_like\"}");
    assert_int_equal(try_start(f, 0, "{\"lr\": 0.001, \"dropout\": 0.1, "
                                     "\"batch_size\": 32, \"momentum\": 0.9}",
                               0),
                     HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(f->ctx.err.message,
                           "trial 0: benchmark transformer_like needs the "
                           "hyperparameter 'clip'"));
    assert_int_equal(try_start(f, 1, "{\"lr\": \"big\", \"dropout\": 0.1, "
                                     "\"batch_size\": 32, \"momentum\": 0.9, "
                                     "\"clip\": 0.5}",
                               0),
                     HPOLAB_ERR_TYPE);
    assert_non_null(strstr(f->ctx.err.message, "'lr' must be a number, got "
                                               "'big'"));
    assert_int_equal(try_start(f, 2, "{\"lr\": -1, \"dropout\": 0.1, "
                                     "\"batch_size\": 32, \"momentum\": 0.9, "
                                     "\"clip\": 0.5}",
                               0),
                     HPOLAB_ERR_RANGE);
    assert_non_null(strstr(f->ctx.err.message, "lr = -1 is out of its domain"));
    /* momentum 1 would be an infinite step */
    assert_int_equal(try_start(f, 3,
                               "{\"lr\": 0.001, \"dropout\": 0.1, "
                               "\"batch_size\": 32, \"momentum\": 1, "
                               "\"clip\": 0.5}",
                               0),
                     HPOLAB_ERR_RANGE);
    assert_non_null(strstr(f->ctx.err.message,
                           "benchmark transformer_like: momentum = 1 is out "
                           "of its domain"));
    /* nothing was scheduled for them */
    wait_once(f, 10.0);
    assert_int_equal(f->nev, 0);
}

/* ---- analytic benchmarks ------------------------------------------------------------- */

/* The curve of one trial started with cfg (trial id `id`), 40 epochs:
 * val_loss per epoch into y[0..39]. */
static void tl_run(struct fx *f, int64_t id, const char *cfg, double *y)
{
    clear_events(f);
    start(f, id, cfg, 0);
    wait_for(f, 41);
    size_t k = 0;
    for (size_t i = 0; i < f->nev; i++)
        if (!f->ev[i].is_exit) {
            assert_near(num(&f->ev[i], "epoch"), (double)(k + 1));
            y[k++] = num(&f->ev[i], "val_loss");
        }
    assert_int_equal(k, 40);
}

static void assert_same_curve(const double *a, const double *b)
{
    for (int i = 0; i < 40; i++)
        if (fabs(a[i] - b[i]) >= 1e-9)
            fail_msg("epoch %d: %.17g and %.17g differ", i + 1, a[i], b[i]);
}

static void test_transformer_like_sgd_curves(void **state)
{
    struct fx *f = *state;
    create(f, "{\"benchmark\": \"transformer_like\", \"delay_start\": 0, "
              "\"delay_on_trial_result\": 0, "
              "\"delay_complete_after_final_report\": 0}");
    /* the reference's example trial: 6.43 after epoch 1, at about 95 s */
    start(f, 0,
          "{\"lr\": 0.000123, \"dropout\": 0.41, \"batch_size\": 27, "
          "\"momentum\": 0.77, \"clip\": 0.52, \"epochs\": 1}",
          0);
    wait_for(f, 2);
    assert_true(fabs(num(&f->ev[0], "val_loss") - 6.43) < 0.005);
    assert_near(num(&f->ev[0], "val_loss"),
                tl_value(0.000123, 0.41, 27, 0.77, 0.52, 1));
    assert_true(fabs(num(&f->ev[0], "elapsed_time") - 95.2) < 1.0);

    /* the best corner: largest step, most updates, dropout 0.2; it falls
     * at every epoch, from 5.80 after epoch 1 to 5.05 after 40 */
    double best[40], y[40];
    tl_run(f, 1,
           "{\"lr\": 0.001, \"dropout\": 0.2, \"batch_size\": 16, "
           "\"momentum\": 0.99, \"clip\": 1.0, \"epochs\": 40}",
           best);
    for (int r = 1; r <= 40; r++) {
        assert_near(best[r - 1], tl_value(1e-3, 0.2, 16, 0.99, 1.0, r));
        if (r > 1)
            assert_true(best[r - 1] < best[r - 2]);
    }
    assert_true(fabs(best[0] - 5.80) < 0.005);
    assert_true(fabs(best[39] - 5.05) < 0.005);
    assert_true(fabs(best[39] - tl_optimum(40)) < 1e-6);
    assert_near(num(&f->ev[0], "elapsed_time"), 25.0 + 77.0 * pow(1.5, 0.8));

    /* momentum multiplies the step: lr 1e-4 at momentum 0.9 learns as lr
     * 1e-3 without momentum */
    double a[40];
    tl_run(f, 2,
           "{\"lr\": 0.0001, \"dropout\": 0.3, \"batch_size\": 32, "
           "\"momentum\": 0.9, \"clip\": 0.8, \"epochs\": 40}",
           a);
    tl_run(f, 3,
           "{\"lr\": 0.001, \"dropout\": 0.3, \"batch_size\": 32, "
           "\"momentum\": 0.0, \"clip\": 0.8, \"epochs\": 40}",
           y);
    assert_same_curve(a, y);

    /* clip 0 does not clip (as in the script); a clip below the gradient
     * norm 0.5 slows learning at every epoch */
    tl_run(f, 4,
           "{\"lr\": 0.0001, \"dropout\": 0.3, \"batch_size\": 32, "
           "\"momentum\": 0.9, \"clip\": 0.0, \"epochs\": 40}",
           y);
    assert_same_curve(a, y);
    tl_run(f, 5,
           "{\"lr\": 0.0001, \"dropout\": 0.3, \"batch_size\": 32, "
           "\"momentum\": 0.9, \"clip\": 0.1, \"epochs\": 40}",
           y);
    for (int i = 0; i < 40; i++)
        assert_true(y[i] > a[i]);

    /* SGD at lr 1e-6 without momentum has hardly moved after one epoch
     * and is far behind after 40 */
    tl_run(f, 6,
           "{\"lr\": 1e-6, \"dropout\": 0.2, \"batch_size\": 48, "
           "\"momentum\": 0.0, \"clip\": 1.0, \"epochs\": 40}",
           y);
    assert_true(y[0] > 10.2 && y[39] > 8.0);

    /* dropout 0 learns as fast there (the step is saturated) but ends
     * higher: its floor is 5.032 */
    double d0[40];
    tl_run(f, 7,
           "{\"lr\": 0.001, \"dropout\": 0.0, \"batch_size\": 16, "
           "\"momentum\": 0.99, \"clip\": 1.0, \"epochs\": 40}",
           d0);
    for (int i = 0; i < 40; i++)
        assert_true(d0[i] > best[i]);
}

/* docs/simulator.md: transformer_crossing, at its optimum lr = 10^-3.9,
 * dropout 0.2, batch_size 24, momentum 0.9, clip 0.5: final 5.0, the curve
 * starts from 10.4 at epoch 0 with alpha = 0.4 + 1.6 * 0.7 * (1 - 0.6 * 0.2),
 * an epoch costs 77 * (24/24)^0.8 s after 25 s start-up. */
static void test_transformer_crossing_optimum_and_curve(void **state)
{
    struct fx *f = *state;
    create(f, "{\"benchmark\": \"transformer_crossing\", \"delay_start\": 0, "
              "\"delay_on_trial_result\": 0, "
              "\"delay_complete_after_final_report\": 0}");
    char cfg[256];
    snprintf(cfg, sizeof cfg,
             "{\"lr\": %.17g, \"dropout\": 0.2, \"batch_size\": 24, "
             "\"momentum\": 0.9, \"clip\": 0.5, \"epochs\": 40}",
             pow(10.0, -3.9));
    start(f, 0, cfg, 0);
    wait_for(f, 41);
    double alpha = 0.4 + 1.6 * 0.7 * (1.0 - 0.6 * 0.2);
    double tail = pow(41.0, -alpha);
    for (int r = 1; r <= 40; r++) {
        const struct event *e = &f->ev[r - 1];
        double g = (pow(r + 1.0, -alpha) - tail) / (1.0 - tail);
        assert_near(num(e, "val_loss"), 5.0 + (10.4 - 5.0) * g);
        assert_near(num(e, "epoch"), r);
        assert_near(num(e, "elapsed_time"), 25.0 + 77.0 * r);
        if (r > 1)
            assert_true(num(e, "val_loss") < num(&f->ev[r - 2], "val_loss"));
    }
    assert_near(num(&f->ev[39], "val_loss"), 5.0);
    /* the reference's example trial (batch_size 27) reports epoch 1 after
     * about 95 s */
    clear_events(f);
    start(f, 2,
          "{\"lr\": 0.000123, \"dropout\": 0.41, \"batch_size\": 27, "
          "\"momentum\": 0.77, \"clip\": 0.52, \"epochs\": 1}",
          0);
    wait_for(f, 2);
    assert_true(fabs(num(&f->ev[0], "elapsed_time") - 95.2) < 1.0);
    /* a slow learner (lr = 1e-6) has hardly moved after one epoch, a fast
     * one (lr = 1e-3) has, though it ends worse than the optimum */
    clear_events(f);
    start(f, 3,
          "{\"lr\": 1e-6, \"dropout\": 0.2, \"batch_size\": 24, "
          "\"momentum\": 0.9, \"clip\": 0.5, \"epochs\": 1}",
          0);
    start(f, 4,
          "{\"lr\": 0.001, \"dropout\": 0.2, \"batch_size\": 24, "
          "\"momentum\": 0.9, \"clip\": 0.5, \"epochs\": 1}",
          0);
    wait_for(f, 4);
    double slow = 0, fast = 0;
    for (size_t i = 0; i < f->nev; i++)
        if (!f->ev[i].is_exit) {
            if (f->ev[i].trial == 3)
                slow = num(&f->ev[i], "val_loss");
            else
                fast = num(&f->ev[i], "val_loss");
        }
    assert_true(slow > 9.0);
    assert_true(fast < 8.5);
    /* a worse configuration ends worse: 2 * (0.8 - 0.7)^2 for lr = 10^-3.6 */
    clear_events(f);
    snprintf(cfg, sizeof cfg,
             "{\"lr\": %.17g, \"dropout\": 0.2, \"batch_size\": 24, "
             "\"momentum\": 0.9, \"clip\": 0.5, \"epochs\": 40}",
             pow(10.0, -3.6));
    start(f, 1, cfg, 0);
    wait_for(f, 41);
    assert_near(num(&f->ev[39], "val_loss"), 5.0 + 2.0 * 0.1 * 0.1);
}

/* Noise is drawn per configuration and resource: the same point gives the
 * same value, another point another value. */
static void test_noise_is_repeatable(void **state)
{
    struct fx *f = *state;
    create(f, "{\"benchmark\": \"branin_curves\", \"max_resource\": 3, "
              "\"noise\": 0.5}");
    start(f, 0, "{\"x1\": 1, \"x2\": 2}", 0);
    start(f, 1, "{\"x1\": 1, \"x2\": 2}", 0);
    start(f, 2, "{\"x1\": 1, \"x2\": 2.5}", 0);
    wait_for(f, 12);
    double v[3][3];
    int n[3] = {0, 0, 0};
    for (size_t i = 0; i < f->nev; i++)
        if (!f->ev[i].is_exit)
            v[f->ev[i].trial][n[f->ev[i].trial]++] = num(&f->ev[i], "value");
    /* branin(1, 2) without noise, at r = 3 = R */
    const double pi = 3.14159265358979323846;
    double q = 2 - 5.1 / (4 * pi * pi) + 5 / pi - 6;
    double clean = q * q + 10 * (1 - 1 / (8 * pi)) * cos(1.0) + 10;
    /* docs/simulator.md: amp = 20 + 0.2 final, alpha = 0.3 + 1.2 x2/15 */
    double amp = 20 + 0.2 * clean, alpha = 0.3 + 1.2 * 2.0 / 15.0;
    double noise[3];
    for (int r = 0; r < 3; r++) {
        assert_true(v[0][r] == v[1][r]);
        double g = (pow(r + 1.0, -alpha) - pow(3.0, -alpha)) /
                   (1 - pow(3.0, -alpha));
        noise[r] = v[0][r] - (clean + amp * g);
        assert_true(fabs(noise[r]) > 1e-9 && fabs(noise[r]) < 3);
    }
    assert_true(fabs(noise[0] - noise[1]) > 1e-9);
    assert_true(fabs(noise[1] - noise[2]) > 1e-9);
    assert_true(v[0][2] != v[2][2]);
}

static void test_branin_curves_optimum(void **state)
{
    struct fx *f = *state;
    const double pi = 3.14159265358979323846;
    create(f, "{\"benchmark\": \"branin_curves\", \"max_resource\": 1, "
              "\"metric\": \"y\"}");
    char cfg[128];
    snprintf(cfg, sizeof cfg, "{\"x1\": %.17g, \"x2\": 2.275}", pi);
    start(f, 0, cfg, 0);
    snprintf(cfg, sizeof cfg, "{\"x1\": %.17g, \"x2\": 12.275}", -pi);
    start(f, 1, cfg, 0);
    start(f, 2, "{\"x1\": 0, \"x2\": 0}", 0);
    wait_for(f, 6);
    for (size_t i = 0; i < f->nev; i++) {
        if (f->ev[i].is_exit)
            continue;
        double y = num(&f->ev[i], "y");
        /* branin(0, 0) = 36 + 10 (1 - 1/(8 pi)) + 10 */
        double want = f->ev[i].trial == 2 ? 36.0 + 10.0 * (1 - 1 / (8 * pi)) + 10
                                          : 5.0 / (4.0 * pi);
        assert_near(y, want);
        assert_near(num(&f->ev[i], "epoch"), 1);
    }
}

/* ---- the clock extension ----------------------------------------------------------------- */

static void test_clock_extension_refuses_misuse(void **state)
{
    struct fx *f = *state;
    const struct hpolab_host_api *host = hpolab_host_api();
    const struct hpolab_ext_virtual_clock_v1 *vc =
        host->get_extension(&f->ctx, HPOLAB_EXT_VIRTUAL_CLOCK_V1);
    assert_non_null(vc);
    assert_true(vc->struct_size >= sizeof *vc);
    assert_null(host->get_extension(&f->ctx, "hpolab_virtual_clock_v2"));
    /* not simulated yet: advance is refused */
    assert_int_equal(vc->advance_to(&f->ctx, 1.0), HPOLAB_ERR_STATE);
    assert_int_equal(vc->start(&f->ctx), HPOLAB_OK);
    assert_int_equal(vc->start(&f->ctx), HPOLAB_ERR_STATE);
    assert_int_equal(vc->advance_to(&f->ctx, 3.0), HPOLAB_OK);
    assert_true(host->now(&f->ctx) == 3.0);
    assert_int_equal(vc->advance_to(&f->ctx, 2.0), HPOLAB_ERR_RANGE);
    assert_non_null(strstr(f->ctx.err.message, "never goes back"));
    assert_int_equal(vc->advance_to(&f->ctx, NAN), HPOLAB_ERR_RANGE);
    assert_true(host->now(&f->ctx) == 3.0);
    /* a scheduler's ctx cannot drive it */
    struct hpolab_ctx other;
    hpolab_ctx_init(&other, "scheduler", "fifo", registry);
    other.clock = &f->clock;
    assert_int_equal(vc->advance_to(&other, 10.0), HPOLAB_ERR_STATE);
    assert_true(host->now(&other) == 3.0);
    /* a backend that needs the clock cannot start twice on one clock */
    expect_create_error(f, "{\"benchmark\": \"branin_curves\"}",
                        HPOLAB_ERR_STATE, "simulated already");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_event_order_three_workers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_timeout_moves_clock_without_events,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_resume_continues_after_checkpoint_shifted, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_resume_without_checkpointing_restarts, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_elapsed_forced_positive_and_increasing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_trial_emits_nothing_more,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_nearest_neighbour, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_malformed_tables_name_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_configurations_fail_the_trial,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_transformer_like_sgd_curves, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_transformer_crossing_optimum_and_curve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_noise_is_repeatable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_branin_curves_optimum, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_clock_extension_refuses_misuse,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, load_plugin, unload_plugin);
}
