/* bench_asha.c: latency of the asha scheduler's on_trial_result and suggest
 * (with the random searcher), both types, while the number of recorded
 * observations grows to 1 000, 10 000 and 100 000 (issue 3, "Performance").
 *
 * The built plugins are loaded through the core registry and loader, as
 * tests/asha/test_asha.c does. A simulated tuner keeps 4 trials running,
 * reports the epochs of a randomly chosen one, removes trials on STOP or
 * PAUSE and asks for a suggestion whenever a worker is free. Every call is
 * timed with CLOCK_MONOTONIC; for each size N the calls made while the
 * observation count (on_trial_result calls so far) lies in
 * [N - window/2, N + window/2) give the median and 99th percentile. The
 * random searcher's own suggest is measured the same way against the
 * number of configurations it has suggested (its exclusion set grows with
 * them). Goal: median < 0.01 ms at every size, no growth with N. Syne Tune
 * on this kind of machine: about 0.03 ms per on_trial_result and 0.08 ms
 * per suggest at about 1 300 observations.
 *
 * Each measurement is repeated (default 3 times) and the median over the
 * repetitions of each window's median and p99 is printed, which keeps other
 * load on the machine from showing as growth.
 *
 * Usage: bench_asha [--window W] [--repeat R] [--plugins DIR]
 *   W calls per window (default 1000), R repetitions (default 3), DIR the
 *   folder of hpolab-scheduler_asha.so and hpolab-searcher_random.so
 *   (default: this build's plugins). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "ctx.h"
#include "diag.h"
#include "options.h"
#include "plugin_loader.h"
#include "record.h"
#include "registry.h"
#include "space.h"

#define WORKERS 4
#define NUM_SIZES 3
static const long sizes[NUM_SIZES] = {1000, 10000, 100000};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rnd_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return rnd_state * 2685821657736338717ULL;
}

static void die(const char *what, const char *msg)
    __attribute__((noreturn));

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_asha: %s: %s\n", what, msg);
    exit(1);
}

/* Latencies stamped with the observation count at the time of the call. */
struct samples {
    double *ms;
    long *at;
    size_t n, cap;
};

static void sample_add(struct samples *s, double ms, long at)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->ms = realloc(s->ms, s->cap * sizeof *s->ms);
        s->at = realloc(s->at, s->cap * sizeof *s->at);
        if (!s->ms || !s->at)
            die("samples", "out of memory");
    }
    s->ms[s->n] = ms;
    s->at[s->n++] = at;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats {
    double median, p99;
    size_t count;
};

/* Calls stamped in [lo, hi). */
static struct stats window_stats(const struct samples *s, long lo, long hi)
{
    double *w = malloc((s->n ? s->n : 1) * sizeof *w);
    if (!w)
        die("stats", "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->at[i] >= lo && s->at[i] < hi)
            w[n++] = s->ms[i];
    struct stats st = {NAN, NAN, n};
    if (n) {
        qsort(w, n, sizeof *w, cmp_double);
        st.median = n % 2 ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
        size_t k = (size_t)ceil(0.99 * (double)n);
        st.p99 = w[k ? k - 1 : 0];
    }
    free(w);
    return st;
}

struct bench {
    struct hpolab_registry *reg;
    const struct hpolab_scheduler_class *asha;
    const struct hpolab_searcher_class *random;
    struct hpolab_space *space;
};

static void setup(struct bench *b, const char *dir)
{
    struct hpolab_error err = {0};
    const struct hpolab_component *comp;
    char asha[4096], random[4096];
    snprintf(asha, sizeof asha, "%s/hpolab-scheduler_asha.so", dir);
    snprintf(random, sizeof random, "%s/hpolab-searcher_random.so", dir);
    if (hpolab_registry_create(&b->reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_file(b->reg, asha, &err) != HPOLAB_OK ||
        hpolab_loader_load_file(b->reg, random, &err) != HPOLAB_OK ||
        hpolab_registry_require(b->reg, HPOLAB_KIND_SCHEDULER, "asha", &comp,
                                &err) != HPOLAB_OK)
        die("plugins", err.message);
    b->asha = &comp->cls.scheduler;
    if (hpolab_registry_require(b->reg, HPOLAB_KIND_SEARCHER, "random", &comp,
                                &err) != HPOLAB_OK)
        die("plugins", err.message);
    b->random = &comp->cls.searcher;
    json_t *j = json_loads(
        "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": 10},"
        " \"x2\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 15},"
        " \"epochs\": 81}",
        0, NULL);
    struct hpolab_diag d = {0};
    if (!j || hpolab_space_parse(j, "bench", &d, &b->space) != HPOLAB_OK)
        die("space", d.count ? d.lines[0] : "invalid");
    hpolab_diag_free(&d);
    json_decref(j);
}

static double config_double(const struct hpolab_config *c, const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(&c->rec, name);
    double x = 0.0;
    if (!v || hpolab_value_as_double(v, &x) != HPOLAB_OK)
        die("config", name);
    return x;
}

struct trial {
    double x1, x2;
    int64_t last_r;
};

/* One type: calls until the observation count passes the largest window. */
static void run_asha(const struct bench *b, const char *type, long window,
                     struct samples *report, struct samples *suggest,
                     long *trials_out)
{
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "scheduler", "asha", b->reg);
    char opts_text[64];
    snprintf(opts_text, sizeof opts_text, "{\"type\": \"%s\"}", type);
    json_t *oj = json_loads(opts_text, 0, NULL);
    struct hpolab_options *opts = NULL;
    if (!oj || hpolab_options_create(oj, "opts", &opts, NULL) != HPOLAB_OK)
        die("options", opts_text);
    json_decref(oj);
    struct hpolab_scheduler_args args = {
        .struct_size = sizeof args,
        .space = b->space,
        .metric = "y",
        .mode = HPOLAB_MODE_MIN,
        .random_seed = 0,
        .resource_attr = "epoch",
        .max_resource_attr = "epochs",
        .n_workers = WORKERS,
        .searcher = "random",
        .options = opts,
    };
    void *state = NULL;
    if (b->asha->create(&ctx, &args, &state) != HPOLAB_OK)
        die("create", ctx.err.message);

    const long last = sizes[NUM_SIZES - 1] + window / 2;
    size_t cap = 1024;
    struct trial *trials = malloc(cap * sizeof *trials);
    int64_t running[WORKERS];
    int num_running = 0;
    int64_t next_id = 0;
    long obs = 0;
    while (obs < last) {
        if (num_running < WORKERS) {
            struct hpolab_suggestion s = {.struct_size = sizeof s};
            double t0 = now_ms();
            int32_t st = b->asha->suggest(state, &ctx, next_id, &s);
            double t1 = now_ms();
            if (st != HPOLAB_OK)
                die("suggest", ctx.err.message);
            if (s.action != HPOLAB_SUGGEST_NEW &&
                s.action != HPOLAB_SUGGEST_RESUME)
                die("suggest", "no configuration");
            sample_add(suggest, t1 - t0, obs);
            int64_t id = s.trial_id;
            if (s.action == HPOLAB_SUGGEST_NEW) {
                if ((size_t)next_id == cap) {
                    cap *= 2;
                    trials = realloc(trials, cap * sizeof *trials);
                    if (!trials)
                        die("trials", "out of memory");
                }
                trials[id].x1 = config_double(s.config, "x1");
                trials[id].x2 = config_double(s.config, "x2");
                trials[id].last_r = 0;
                next_id++;
            }
            hpolab_config_free(s.config);
            running[num_running++] = id;
            continue;
        }
        int w = (int)(rnd() % WORKERS);
        int64_t id = running[w];
        struct trial *t = &trials[id];
        int64_t r = ++t->last_r;
        double y = (t->x1 - 2.5) * (t->x1 - 2.5) +
                   (t->x2 - 7.5) * (t->x2 - 7.5) / 4.0 + 30.0 / (double)r;
        struct hpolab_result res;
        hpolab_record_init(&res.rec);
        if (hpolab_record_set_double(&res.rec, "y", y) != HPOLAB_OK ||
            hpolab_record_set_int(&res.rec, "epoch", r) != HPOLAB_OK)
            die("result", "out of memory");
        int32_t dec;
        double t0 = now_ms();
        int32_t st = b->asha->on_trial_result(state, &ctx, id, NULL, &res,
                                              &dec);
        double t1 = now_ms();
        hpolab_record_free(&res.rec);
        if (st != HPOLAB_OK)
            die("on_trial_result", ctx.err.message);
        sample_add(report, t1 - t0, obs);
        obs++;
        if (dec != HPOLAB_DECISION_CONTINUE) {
            b->asha->on_trial_remove(state, &ctx, id);
            running[w] = running[--num_running];
        }
    }
    *trials_out = (long)next_id;
    free(trials);
    b->asha->destroy(state);
    hpolab_options_free(opts);
}

/* The random searcher alone, stamped with its number of suggestions. */
static void run_random(const struct bench *b, long window,
                       struct samples *suggest)
{
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "searcher", "random", b->reg);
    struct hpolab_searcher_args args = {
        .struct_size = sizeof args,
        .space = b->space,
        .metric = "y",
        .mode = HPOLAB_MODE_MIN,
        .random_seed = 0,
        .n_workers = WORKERS,
    };
    void *state = NULL;
    if (b->random->create(&ctx, &args, &state) != HPOLAB_OK)
        die("random create", ctx.err.message);
    const long last = sizes[NUM_SIZES - 1] + window / 2;
    for (long i = 0; i < last; i++) {
        struct hpolab_config *c = NULL;
        double t0 = now_ms();
        int32_t st = b->random->suggest(state, &ctx, i, &c);
        double t1 = now_ms();
        if (st != HPOLAB_OK || !c)
            die("random suggest", ctx.err.message);
        sample_add(suggest, t1 - t0, i);
        hpolab_config_free(c);
    }
    b->random->destroy(state);
}

#define MAX_REPEAT 15

/* The median of v[0..n). */
static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One row per size: medians over the repetitions runs[0..repeat). Returns
 * the median at the first and the last size. */
static void print_rows(const char *what, struct samples *runs, int repeat,
                       long window, double *median_first,
                       double *median_last)
{
    for (int k = 0; k < NUM_SIZES; k++) {
        double med[MAX_REPEAT], p99[MAX_REPEAT];
        size_t count = 0;
        for (int i = 0; i < repeat; i++) {
            struct stats st = window_stats(&runs[i], sizes[k] - window / 2,
                                           sizes[k] + window / 2);
            med[i] = st.median;
            p99[i] = st.p99;
            count += st.count;
        }
        double m = median_of(med, repeat), p = median_of(p99, repeat);
        printf("  %-30s %7ld  %10.5f  %10.5f  %7zu\n", what, sizes[k], m, p,
               count);
        if (k == 0)
            *median_first = m;
        if (k == NUM_SIZES - 1)
            *median_last = m;
    }
}

static void free_runs(struct samples *runs, int repeat)
{
    for (int i = 0; i < repeat; i++) {
        free(runs[i].ms);
        free(runs[i].at);
        memset(&runs[i], 0, sizeof runs[i]);
    }
}

int main(int argc, char **argv)
{
    long window = 1000;
    int repeat = 3;
    const char *dir = HPOLAB_BENCH_PLUGIN_DIR;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--window") && i + 1 < argc) {
            window = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) {
            repeat = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--plugins") && i + 1 < argc) {
            dir = argv[++i];
        } else {
            fprintf(stderr,
                    "usage: %s [--window W] [--repeat R] [--plugins DIR]\n",
                    argv[0]);
            return 2;
        }
    }
    if (window < 2 || window > sizes[0])
        die("--window", "must be in [2, 1000]");
    if (repeat < 1 || repeat > MAX_REPEAT)
        die("--repeat", "must be in [1, 15]");
    struct bench b;
    setup(&b, dir);
    printf("ASHA + random searcher, max_t 81 (rungs 1 3 9 27), %d workers; "
           "window of %ld calls around each size; median over %d runs\n",
           WORKERS, window, repeat);
    printf("  %-30s %7s  %10s  %10s  %7s\n", "call", "obs", "median ms",
           "p99 ms", "calls");
    const char *types[2] = {"stopping", "promotion"};
    struct samples rep[MAX_REPEAT] = {{0}}, sug[MAX_REPEAT] = {{0}};
    for (int t = 0; t < 2; t++) {
        long trials = 0;
        double t0 = now_ms();
        for (int i = 0; i < repeat; i++)
            run_asha(&b, types[t], window, &rep[i], &sug[i], &trials);
        double total = (now_ms() - t0) / repeat;
        char label[64];
        double r1, r100, s1, s100;
        snprintf(label, sizeof label, "%s on_trial_result", types[t]);
        print_rows(label, rep, repeat, window, &r1, &r100);
        snprintf(label, sizeof label, "%s suggest", types[t]);
        print_rows(label, sug, repeat, window, &s1, &s100);
        printf("  %s: %zu reports, %zu suggests, %ld trials in %.0f ms per "
               "run; median 100k / 1k: on_trial_result %.2f, suggest %.2f\n",
               types[t], rep[0].n, sug[0].n, trials, total, r100 / r1,
               s100 / s1);
        free_runs(rep, repeat);
        free_runs(sug, repeat);
    }
    for (int i = 0; i < repeat; i++)
        run_random(&b, window, &rep[i]);
    double m1, m100;
    printf("  (obs = configurations suggested so far)\n");
    print_rows("random searcher suggest alone", rep, repeat, window, &m1,
               &m100);
    printf("  random searcher: median 100k / 1k %.2f\n", m100 / m1);
    free_runs(rep, repeat);
    printf("Syne Tune at ~1300 observations: on_trial_result ~0.03 ms, "
           "suggest ~0.08 ms; goal: median < 0.01 ms at every size\n");
    hpolab_space_free(b.space);
    hpolab_registry_destroy(b.reg);
    return 0;
}
