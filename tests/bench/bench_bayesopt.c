/* bench_bayesopt.c: quality and speed of the bayesopt searcher with the
 * ask/tell harness of schedulers reference §7.4, beside random search and
 * ASHA. Sections (all by default):
 *   quality  Branin (20 seeds x 50) and Hartmann-6 (10 x 60), RS and BO:
 *            median [25 %, 75 %] of the best value after k evaluations
 *   mf       multi-fidelity Branin, 60 suggest calls, seeds 0..9: ASHA and
 *            MOBSTER, stopping and promotion
 *   speed    wall and CPU time of a model-based suggest (fit included) at
 *            n = 10, 50, 100, 200, 400 observations (Branin): the first
 *            (cold) one and a window of consecutive ones, peak RSS
 *   mfspeed  the same for MOBSTER at ~100, 500, 1000, 2000 rung observations
 *   long     (only when named) Hartmann-6 to 200 evaluations: hpolab's fit
 *            schedule against Syne Tune's
 *   trace    (only when named) BO on Hartmann-6, seeds 0..9 (--seeds), 60
 *            evaluations: one JSON line per trial {"seed", "trial",
 *            "config", "value"}, the history tests/bench/bo_reference.py
 *            trace --follow replays decision by decision
 * --quick runs a smoke version of each (few seeds, small n); --bo-options
 * passes bayesopt options (JSON object) to the quality and speed runs;
 * --n N times that size only; --seeds N runs the quality section over
 * seeds 0..N-1 (at most 64); --verbose logs every fit (debug level).
 * Usage: bench_bayesopt [--quick] [--bo-options JSON] [--n N] [--seeds N]
 *                       [--verbose] [section...] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bo_harness.h"
#include "log.h"

static int quick;
static int only_n; /* --n N: the speed sections at that size only */
static int only_seeds; /* --seeds N: quality over seeds 0..N-1 (<= 64) */
#define WARMUP 3   /* untimed model-based suggests before the window */
#define WINDOW 10  /* timed consecutive suggests */
static const char *bo_options; /* --bo-options JSON: bayesopt options */
static struct hpolab_registry *reg;

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_bayesopt: %s: %s\n", what, msg);
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this process (the searcher's fit may use a second thread):
 * the suggest's cost without the waiting caused by other processes. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* numpy's linear quantile of v[0..n) (sorted in place) */
static double quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    double h = (double)(n - 1) * q;
    size_t i = (size_t)h;
    return i + 1 < n ? v[i] + (h - (double)i) * (v[i + 1] - v[i]) : v[i];
}

static void print_stat(double *v, size_t n)
{
    double lo = quantile(v, n, 0.25), med = quantile(v, n, 0.5),
           hi = quantile(v, n, 0.75);
    printf(" %9.4f [%.4f, %.4f]", med, lo, hi);
}

/* ---- quality: FIFO ask/tell ---------------------------------------------- */

/* best[k] = best value after k + 1 evaluations */
static void run_fifo(const char *searcher, const struct hpolab_space *space,
                     int hartmann, uint32_t seed, int evals, double *best)
{
    struct bh_searcher b;
    if (bh_searcher_create(&b, reg, searcher, space, bh_searcher_seed(seed),
                           bh_model_seed(seed),
                           strcmp(searcher, "bayesopt") ? NULL : bo_options,
                           NULL, NULL) != HPOLAB_OK)
        die("create", b.ctx.err.message);
    double bst = INFINITY;
    for (int i = 0; i < evals; i++) {
        struct hpolab_config *c = NULL;
        if (bh_suggest(&b, i, &c) != HPOLAB_OK || !c)
            die("suggest", c ? b.ctx.err.message : "no configuration");
        double y = bh_eval(c, hartmann);
        if (bh_tell(&b, i, c, y, 0, 1) != HPOLAB_OK)
            die("tell", b.ctx.err.message);
        hpolab_config_free(c);
        if (y < bst)
            bst = y;
        best[i] = bst;
    }
    bh_searcher_destroy(&b);
}

static int only_hartmann;

static void quality(void)
{
    static const struct {
        const char *name, *space;
        int hartmann, seeds, evals, ks[4];
    } probs[2] = {{"Branin", BH_BRANIN_SPACE, 0, 20, 50, {10, 20, 30, 50}},
                  {"Hartmann-6", BH_HARTMANN6_SPACE, 1, 10, 60,
                   {10, 20, 40, 60}}};
    for (int p = only_hartmann; p < 2; p++) {
        int seeds = quick ? 3 : only_seeds ? only_seeds : probs[p].seeds;
        int evals = quick ? 15 : probs[p].evals;
        struct hpolab_space *space = bh_space(probs[p].space);
        if (!space)
            die("space", probs[p].name);
        printf("\n%s, %d seeds: median [25 %%, 75 %%] of the best after k "
               "evaluations\n%-8s",
               probs[p].name, seeds, "method");
        for (int k = 0; k < 4; k++)
            if (probs[p].ks[k] <= evals)
                printf("  k = %-24d", probs[p].ks[k]);
        printf("  s/run\n");
        const char *ids[2] = {"random", "bayesopt"};
        for (int m = 0; m < 2; m++) {
            double *best = malloc((size_t)(seeds * evals) * sizeof *best);
            double t0 = now(), c0 = cpu_now();
            for (int s = 0; s < seeds; s++)
                run_fifo(ids[m], space, probs[p].hartmann, (uint32_t)s, evals,
                         best + s * evals);
            double t = (now() - t0) / seeds, tc = (cpu_now() - c0) / seeds;
            printf("%-8s", m ? "BO" : "RS");
            for (int k = 0; k < 4; k++) {
                int kk = probs[p].ks[k];
                if (kk > evals)
                    continue;
                double v[64];
                for (int s = 0; s < seeds; s++)
                    v[s] = best[s * evals + kk - 1];
                print_stat(v, (size_t)seeds);
            }
            printf("  %.2f (CPU %.2f)\n", t, tc);
            fflush(stdout);
            free(best);
        }
        hpolab_space_free(space);
    }
}

/* Beyond the checkpoints of the reference: Hartmann-6 to 200 evaluations,
 * where the hpolab fit schedule (warm refits from 64 observations, fits on
 * 256 points at most, a refit every 2nd growth from 150) is at work, against
 * Syne Tune's schedule (every fit cold, on all points). */
static void longq(void)
{
    int seeds = quick ? 2 : 10, evals = quick ? 70 : 200;
    static const int ks[4] = {60, 100, 150, 200};
    struct hpolab_space *space = bh_space(BH_HARTMANN6_SPACE);
    if (!space)
        die("space", "Hartmann-6");
    static const char *syne =
        "{\"opt_warmstart\": false, \"opt_fit_max_size\": 0, "
        "\"opt_skip_period\": 1}";
    const char *saved = bo_options;
    printf("\nHartmann-6, %d seeds, %d evaluations: median [25 %%, 75 %%] "
           "of the best after k\n%-10s",
           seeds, evals, "schedule");
    for (int k = 0; k < 4; k++)
        if (ks[k] <= evals)
            printf("  k = %-24d", ks[k]);
    printf("  s/run\n");
    for (int m = 0; m < 2; m++) {
        bo_options = m == 0 ? saved : syne;
        double *best = malloc((size_t)(seeds * evals) * sizeof *best);
        double t0 = now(), c0 = cpu_now();
        for (int sd = 0; sd < seeds; sd++)
            run_fifo("bayesopt", space, 1, (uint32_t)sd, evals,
                     best + sd * evals);
        double t = (now() - t0) / seeds, tc = (cpu_now() - c0) / seeds;
        printf("%-10s", m == 0 ? "hpolab" : "Syne Tune");
        for (int k = 0; k < 4; k++) {
            if (ks[k] > evals)
                continue;
            double v[64];
            for (int sd = 0; sd < seeds; sd++)
                v[sd] = best[sd * evals + ks[k] - 1];
            print_stat(v, (size_t)seeds);
        }
        printf("  %.2f (CPU %.2f)\n", t, tc);
        fflush(stdout);
        free(best);
    }
    bo_options = saved;
    hpolab_space_free(space);
}

/* Every configuration BO suggests on Hartmann-6 with its value, as JSON
 * lines (17 significant digits: the reference replays them exactly). */
static void trace(void)
{
    int seeds = quick ? 2 : only_seeds ? only_seeds : 10;
    struct hpolab_space *space = bh_space(BH_HARTMANN6_SPACE);
    if (!space)
        die("space", "Hartmann-6");
    for (int sd = 0; sd < seeds; sd++) {
        struct bh_searcher b;
        if (bh_searcher_create(&b, reg, "bayesopt", space,
                               bh_searcher_seed((uint32_t)sd),
                               bh_model_seed((uint32_t)sd), bo_options,
                               NULL, NULL) != HPOLAB_OK)
            die("create", b.ctx.err.message);
        for (int i = 0; i < 60; i++) {
            struct hpolab_config *c = NULL;
            if (bh_suggest(&b, i, &c) != HPOLAB_OK || !c)
                die("suggest", c ? b.ctx.err.message : "no configuration");
            double y = bh_eval(c, 1);
            printf("{\"seed\": %d, \"trial\": %d, \"config\": {", sd, i);
            for (int j = 0; j < 6; j++) {
                char name[4] = {'x', (char)('0' + j), 0, 0};
                printf("%s\"%s\": %.17g", j ? ", " : "", name, bh_get(c, name));
            }
            printf("}, \"value\": %.17g}\n", y);
            if (bh_tell(&b, i, c, y, 0, 1) != HPOLAB_OK)
                die("tell", b.ctx.err.message);
            hpolab_config_free(c);
        }
        fflush(stdout);
        bh_searcher_destroy(&b);
    }
    hpolab_space_free(space);
}

/* ---- multi-fidelity Branin through the asha scheduler -------------------- */

struct mf_out {
    double best;
    int trials, full, epochs;
};

static struct mf_out run_asha(const char *searcher,
                              const struct hpolab_space *space, uint32_t seed,
                              int promotion, int calls)
{
    const struct hpolab_component *comp;
    struct hpolab_error err = {0};
    if (hpolab_registry_require(reg, HPOLAB_KIND_SCHEDULER, "asha", &comp,
                                &err) != HPOLAB_OK)
        die("asha", err.message);
    const struct hpolab_scheduler_class *cls = &comp->cls.scheduler;
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "scheduler", "asha", reg);
    struct hpolab_options *opts = NULL;
    json_t *o = json_pack("{s:s}", "type", promotion ? "promotion" : "stopping");
    if (hpolab_options_create(o, "opts", &opts, &err) != HPOLAB_OK)
        die("options", err.message);
    json_decref(o);
    struct hpolab_scheduler_args args = {
        .struct_size = sizeof args,
        .space = space,
        .metric = "y",
        .mode = HPOLAB_MODE_MIN,
        .random_seed = seed,
        .resource_attr = "epoch",
        .max_resource_attr = "epochs",
        .n_workers = 1,
        .searcher = searcher,
        .options = opts,
    };
    void *state = NULL;
    if (cls->create(&ctx, &args, &state) != HPOLAB_OK)
        die("asha create", ctx.err.message);
    enum { MAXT = 4096 };
    static double x1[MAXT], x2[MAXT];
    static int64_t last[MAXT];
    int64_t next_id = 0;
    struct mf_out out = {INFINITY, 0, 0, 0};
    for (int call = 0; call < calls; call++) {
        struct hpolab_suggestion s = {.struct_size = sizeof s};
        if (cls->suggest(state, &ctx, next_id, &s) != HPOLAB_OK)
            die("asha suggest", ctx.err.message);
        if (s.action == HPOLAB_SUGGEST_EXHAUSTED)
            break;
        int64_t id = s.trial_id;
        if (s.action == HPOLAB_SUGGEST_NEW) {
            next_id++;
            x1[id] = bh_get(s.config, "x1");
            x2[id] = bh_get(s.config, "x2");
            last[id] = 0;
            out.trials++;
        }
        int32_t d = HPOLAB_DECISION_CONTINUE;
        while (d == HPOLAB_DECISION_CONTINUE) {
            int64_t r = ++last[id];
            double y = bh_branin(x1[id], x2[id]) +
                       (30.0 / 27.0) * (27.0 / (double)r - 1.0);
            struct hpolab_result res;
            hpolab_record_init(&res.rec);
            hpolab_record_set_double(&res.rec, "y", y);
            hpolab_record_set_int(&res.rec, "epoch", r);
            if (cls->on_trial_result(state, &ctx, id, s.config, &res, &d) !=
                HPOLAB_OK)
                die("asha result", ctx.err.message);
            hpolab_record_free(&res.rec);
            out.epochs++;
            if (r == 27) {
                out.full++;
                if (y < out.best)
                    out.best = y;
            }
        }
        cls->on_trial_remove(state, &ctx, id);
        hpolab_config_free(s.config);
    }
    cls->destroy(state);
    hpolab_options_free(opts);
    return out;
}

static void mf(void)
{
    int seeds = quick ? 2 : 10, calls = quick ? 25 : 60;
    struct hpolab_space *space = bh_space(BH_BRANIN_MF_SPACE);
    printf("\nMulti-fidelity Branin, %d seeds, %d suggest calls: best at "
           "r = 27, median [25 %%, 75 %%]; median trials / full / epochs\n",
           seeds, calls);
    const char *names[4] = {"ASHA-stop", "ASHA-prom", "MOBSTER-stop",
                            "MOBSTER-prom"};
    for (int m = 0; m < 4; m++) {
        double best[16], tr[16], full[16], ep[16];
        double t0 = now(), c0 = cpu_now();
        printf("%-13s", names[m]);
        for (int s = 0; s < seeds; s++) {
            struct mf_out o = run_asha(m >= 2 ? "bayesopt" : "random", space,
                                       (uint32_t)s, m % 2, calls);
            best[s] = o.best;
            tr[s] = o.trials;
            full[s] = o.full;
            ep[s] = o.epochs;
        }
        double t = (now() - t0) / seeds, tc = (cpu_now() - c0) / seeds;
        double per[16];
        memcpy(per, best, sizeof per);
        print_stat(best, (size_t)seeds);
        printf("  %5.1f %5.1f %6.1f  %.2f s/run (CPU %.2f)  per seed:",
               quantile(tr, (size_t)seeds, 0.5),
               quantile(full, (size_t)seeds, 0.5),
               quantile(ep, (size_t)seeds, 0.5), t, tc);
        for (int s = 0; s < seeds; s++)
            printf(" %.4f", per[s]);
        printf("\n");
        fflush(stdout);
    }
    hpolab_space_free(space);
}

/* ---- speed ---------------------------------------------------------------- */

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* {"num_init_random": n} plus the --bo-options entries. */
static void extra_options(char *buf, size_t len, int n)
{
    const char *extra = bo_options ? strchr(bo_options, '{') : NULL;
    const char *body = extra ? extra + 1 : "}";
    while (*body == ' ')
        body++;
    snprintf(buf, len, "{\"num_init_random\": %d%s%s", n,
             *body == '}' ? "" : ", ", body);
}

/* Suggest times of one searcher run: the first model-based suggest (a
 * fit from the initial values, as Syne Tune fits at every suggest by
 * default) and a window of consecutive model-based suggests as they happen
 * in a study (fits warm-started or skipped per the options). */
struct timing {
    double cold, cold_cpu;  /* s */
    double win[WINDOW], win_cpu[WINDOW];
    int nwin;
};

/* Times bh_suggest(b, id): wall and process CPU (the fit may run a second
 * thread). */
static struct hpolab_config *timed_suggest(struct bh_searcher *b, int64_t id,
                                           double *wall, double *cpu)
{
    struct hpolab_config *c = NULL;
    double t0 = now(), c0 = cpu_now();
    if (bh_suggest(b, id, &c) != HPOLAB_OK || !c)
        die("suggest", c ? b->ctx.err.message : "no configuration");
    *wall = now() - t0;
    *cpu = cpu_now() - c0;
    return c;
}

/* BO on Branin: n - WARMUP - WINDOW/2 random evaluations, then model-based
 * suggests (each evaluated and told); the first of them is the cold one,
 * the last WINDOW (n - WINDOW/2 .. n + WINDOW/2 - 1 observations) the
 * window. */
static void time_bo(const struct hpolab_space *space, int n, uint32_t seed,
                    struct timing *tm)
{
    int first = n - WARMUP - WINDOW / 2;
    if (first < 3)
        first = 3;
    char opts[512];
    extra_options(opts, sizeof opts, first);
    struct bh_searcher b;
    if (bh_searcher_create(&b, reg, "bayesopt", space, bh_searcher_seed(seed),
                           bh_model_seed(seed), opts, NULL, NULL) != HPOLAB_OK)
        die("create", b.ctx.err.message);
    int last = n + WINDOW / 2;
    tm->nwin = 0;
    for (int i = 0; i < last; i++) {
        double w = 0.0, cpu = 0.0;
        struct hpolab_config *c = timed_suggest(&b, i, &w, &cpu);
        if (i == first) {
            tm->cold = w;
            tm->cold_cpu = cpu;
        }
        if (i >= last - WINDOW) {
            tm->win[tm->nwin] = w;
            tm->win_cpu[tm->nwin++] = cpu;
        }
        if (bh_tell(&b, i, c, bh_eval(c, 0), 0, 1) != HPOLAB_OK)
            die("tell", b.ctx.err.message);
        hpolab_config_free(c);
    }
    bh_searcher_destroy(&b);
}

static double mean_of(const double *v, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return n ? s / n : 0.0;
}

/* Median over seeds of: the cold suggest, the window's median and mean
 * (wall and CPU, ms); ratios against Syne Tune (syne_ms > 0). */
static void report(int n, const struct timing *tm, int reps, double syne_ms)
{
    double cw[8], cc[8], mw[8], mc[8], aw[8], ac[8], mx[8];
    for (int r = 0; r < reps; r++) {
        double w[WINDOW], c[WINDOW];
        memcpy(w, tm[r].win, sizeof w);
        memcpy(c, tm[r].win_cpu, sizeof c);
        cw[r] = tm[r].cold * 1e3;
        cc[r] = tm[r].cold_cpu * 1e3;
        aw[r] = mean_of(w, tm[r].nwin) * 1e3;
        ac[r] = mean_of(c, tm[r].nwin) * 1e3;
        mw[r] = quantile(w, (size_t)tm[r].nwin, 0.5) * 1e3;
        mc[r] = quantile(c, (size_t)tm[r].nwin, 0.5) * 1e3;
        mx[r] = w[tm[r].nwin - 1] * 1e3; /* sorted by quantile */
    }
    size_t k = (size_t)reps;
    double cold = quantile(cw, k, 0.5), med = quantile(mw, k, 0.5),
           mean = quantile(aw, k, 0.5);
    printf("%6d %8.2f %8.2f | %8.2f %8.2f %8.2f %8.2f %8.2f", n, cold,
           quantile(cc, k, 0.5), med, quantile(mc, k, 0.5), mean,
           quantile(ac, k, 0.5), quantile(mx, k, 0.5));
    if (syne_ms > 0)
        printf(" | %7.0f %6.0fx %6.0fx %6.0fx", syne_ms, syne_ms / mean,
               syne_ms / quantile(ac, k, 0.5), syne_ms / cold);
    printf("\n");
    fflush(stdout);
}

static void header(const char *what, int reps)
{
    printf("\n%s, median of %d seeds (ms; wall and process CPU).\n"
           "cold: the first model-based suggest (fit from the initial "
           "values);\nstudy: %d consecutive suggests around n as in a study "
           "(median, mean, max)\n"
           "Syne Tune's time over hpolab's: study mean (wall, CPU), cold "
           "(wall)\n"
           "%6s %8s %8s | %8s %8s %8s %8s %8s | %7s %7s %7s %7s\n",
           what, reps, WINDOW, "n", "cold", "CPU", "median", "CPU", "mean",
           "CPU", "max", "Syne", "x mean", "x CPU", "x cold");
}

static void speed(void)
{
    static const int ns[5] = {10, 50, 100, 200, 400};
    static const double syne_ms[5] = {204, 489, 334, 1048, 3160};
    int reps = quick ? 1 : 3, count = quick ? 3 : 5;
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    header("BO suggest time (Branin, fit included)", reps);
    for (int k = 0; k < count; k++) {
        if (only_n && ns[k] != only_n)
            continue;
        struct timing tm[8];
        for (int r = 0; r < reps; r++)
            time_bo(space, ns[k], (uint32_t)r, &tm[r]);
        report(ns[k], tm, reps, syne_ms[k]);
    }
    printf("peak RSS: %.1f MiB\n", (double)peak_rss_kib() / 1024.0);
    hpolab_space_free(space);
}

/* MOBSTER: trials report at rung 1; every 3rd reaches 3, every 9th 9, every
 * 27th 27 (about 1.5 observations per trial). The random phase covers all
 * trials but the last WARMUP + WINDOW, which are model-based. *got: the
 * observation count before the last suggest. */
static void time_mf(const struct hpolab_space *space, int nobs, uint32_t seed,
                    int *got, struct timing *tm)
{
    int trials = (int)((double)nobs / 1.5);
    int first = trials - WARMUP - WINDOW;
    char opts[512];
    extra_options(opts, sizeof opts, first);
    struct bh_searcher b;
    if (bh_searcher_create(&b, reg, "bayesopt", space, bh_searcher_seed(seed),
                           bh_model_seed(seed), opts, "epoch",
                           "epochs") != HPOLAB_OK)
        die("create", b.ctx.err.message);
    static const int64_t levels[4] = {1, 3, 9, 27};
    *got = 0;
    tm->nwin = 0;
    for (int i = 0; i < trials; i++) {
        double w = 0.0, cpu = 0.0;
        struct hpolab_config *c = timed_suggest(&b, i, &w, &cpu);
        if (i == first) {
            tm->cold = w;
            tm->cold_cpu = cpu;
        }
        if (i >= trials - WINDOW) {
            tm->win[tm->nwin] = w;
            tm->win_cpu[tm->nwin++] = cpu;
        }
        double f = bh_eval(c, 0);
        for (int l = 0; l < 4; l++) {
            int64_t r = levels[l];
            if (l > 0 && i % (l == 1 ? 3 : l == 2 ? 9 : 27) != 0)
                break;
            double y = f + (30.0 / 27.0) * (27.0 / (double)r - 1.0);
            if (bh_tell(&b, i, c, y, r, 0) != HPOLAB_OK)
                die("tell", b.ctx.err.message);
            if (i < trials - 1)
                (*got)++;
        }
        hpolab_config_free(c);
    }
    bh_searcher_destroy(&b);
}

static void mfspeed(void)
{
    static const int ns[4] = {100, 500, 1000, 2000};
    /* Syne Tune at 118, 806, 1070, 1234 rung observations (§7.4 / issue) */
    static const double syne_ms[4] = {632, 768, 2207, 2921};
    int reps = quick ? 1 : 3, count = quick ? 2 : 4;
    struct hpolab_space *space = bh_space(BH_BRANIN_MF_SPACE);
    header("MOBSTER suggest time (fit included; n = rung observations)", reps);
    for (int k = 0; k < count; k++) {
        if (only_n && ns[k] != only_n)
            continue;
        struct timing tm[8];
        int got = 0;
        for (int r = 0; r < reps; r++)
            time_mf(space, ns[k], (uint32_t)r, &got, &tm[r]);
        report(got, tm, reps, syne_ms[k]);
    }
    printf("peak RSS: %.1f MiB\n", (double)peak_rss_kib() / 1024.0);
    hpolab_space_free(space);
}

int main(int argc, char **argv)
{
    const char *sections[8];
    int ns = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--hartmann"))
            only_hartmann = 1;
        else if (!strcmp(argv[i], "--bo-options") && i + 1 < argc)
            bo_options = argv[++i];
        else if (!strcmp(argv[i], "--n") && i + 1 < argc)
            only_n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
            only_seeds = atoi(argv[++i]) < 64 ? atoi(argv[i]) : 64;
        else if (!strcmp(argv[i], "--verbose"))
            hpolab_log_set_level(HPOLAB_LOG_DEBUG);
        else if (ns < 8)
            sections[ns++] = argv[i];
    }
    char msg[512];
    static const char *const ids[] = {"searcher_random", "searcher_bayesopt",
                                      "scheduler_asha", NULL};
    reg = bh_registry(ids, msg, sizeof msg);
    if (!reg)
        die("plugins", msg);
    static const struct {
        const char *name;
        void (*fn)(void);
    } all[] = {{"quality", quality}, {"mf", mf}, {"speed", speed},
               {"mfspeed", mfspeed}, {"long", longq}, {"trace", trace}};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        /* long (minutes) and trace (JSON lines): only when named */
        int run = ns == 0 && strcmp(all[k].name, "long") != 0 &&
                  strcmp(all[k].name, "trace") != 0;
        for (int i = 0; i < ns; i++)
            run |= !strcmp(sections[i], all[k].name);
        if (run)
            all[k].fn();
    }
    hpolab_registry_destroy(reg);
    return 0;
}
