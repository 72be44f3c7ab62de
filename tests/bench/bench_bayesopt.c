/* bench_bayesopt.c: quality and speed of the bayesopt searcher with the
 * ask/tell harness of schedulers reference §7.4, beside random search and
 * ASHA. Sections (all by default):
 *   quality  Branin (20 seeds x 50) and Hartmann-6 (10 x 60), RS and BO:
 *            median [25 %, 75 %] of the best value after k evaluations
 *   mf       multi-fidelity Branin, 60 suggest calls, seeds 0..9: ASHA and
 *            MOBSTER, stopping and promotion
 *   speed    median wall time of one model-based suggest (fit included) at
 *            n = 10, 50, 100, 200, 400 observations (Branin), peak RSS
 *   mfspeed  MOBSTER suggest time at ~100, 500, 1000, 2000 rung observations
 * --quick runs a smoke version of each (few seeds, small n); --bo-options
 * passes bayesopt options (JSON object) to the quality and speed runs.
 * Usage: bench_bayesopt [--quick] [--bo-options JSON] [section...] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bo_harness.h"

static int quick;
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
        int seeds = quick ? 3 : probs[p].seeds;
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

/* Wall time of the first model-based suggest after n random evaluations. */
static double time_suggest(const struct hpolab_space *space, int n,
                           uint32_t seed, double *cpu)
{
    char opts[512];
    extra_options(opts, sizeof opts, n);
    struct bh_searcher b;
    if (bh_searcher_create(&b, reg, "bayesopt", space, bh_searcher_seed(seed),
                           opts, NULL, NULL) != HPOLAB_OK)
        die("create", b.ctx.err.message);
    struct hpolab_config *c = NULL;
    for (int i = 0; i < n; i++) {
        if (bh_suggest(&b, i, &c) != HPOLAB_OK || !c)
            die("suggest", b.ctx.err.message);
        if (bh_tell(&b, i, c, bh_eval(c, 0), 0, 1) != HPOLAB_OK)
            die("tell", b.ctx.err.message);
        hpolab_config_free(c);
    }
    double t0 = now(), c0 = cpu_now();
    if (bh_suggest(&b, n, &c) != HPOLAB_OK || !c)
        die("suggest", b.ctx.err.message);
    double t = now() - t0;
    *cpu = cpu_now() - c0;
    hpolab_config_free(c);
    bh_searcher_destroy(&b);
    return t;
}

static void speed(void)
{
    static const int ns[5] = {10, 50, 100, 200, 400};
    static const double syne_ms[5] = {204, 489, 334, 1048, 3160};
    int reps = quick ? 1 : 5, count = quick ? 3 : 5;
    struct hpolab_space *space = bh_space(BH_BRANIN_SPACE);
    printf("\nBO suggest time (Branin, fit included), median of %d seeds\n"
           "%6s %10s %10s %12s %8s\n",
           reps, "n", "wall ms", "CPU ms", "Syne Tune ms", "speed-up");
    for (int k = 0; k < count; k++) {
        double t[8], cpu[8];
        for (int r = 0; r < reps; r++)
            t[r] = time_suggest(space, ns[k], (uint32_t)r, &cpu[r]);
        double med = quantile(t, (size_t)reps, 0.5) * 1e3;
        double cmed = quantile(cpu, (size_t)reps, 0.5) * 1e3;
        printf("%6d %10.2f %10.2f %12.0f %7.0fx\n", ns[k], med, cmed,
               syne_ms[k], syne_ms[k] / med);
        fflush(stdout);
    }
    printf("peak RSS: %.1f MiB\n", (double)peak_rss_kib() / 1024.0);
    hpolab_space_free(space);
}

/* MOBSTER: trials report at rung 1; every 3rd reaches 3, every 9th 9, every
 * 27th 27 (about 1.5 observations per trial); then one timed suggest. */
static double time_mf_suggest(const struct hpolab_space *space, int nobs,
                              uint32_t seed, int *got, double *cpu)
{
    int trials = (int)((double)nobs / 1.5);
    char opts[512];
    extra_options(opts, sizeof opts, trials);
    struct bh_searcher b;
    if (bh_searcher_create(&b, reg, "bayesopt", space, bh_searcher_seed(seed),
                           opts, "epoch", "epochs") != HPOLAB_OK)
        die("create", b.ctx.err.message);
    static const int64_t levels[4] = {1, 3, 9, 27};
    *got = 0;
    struct hpolab_config *c = NULL;
    for (int i = 0; i < trials; i++) {
        if (bh_suggest(&b, i, &c) != HPOLAB_OK || !c)
            die("suggest", b.ctx.err.message);
        double f = bh_eval(c, 0);
        for (int l = 0; l < 4; l++) {
            int64_t r = levels[l];
            if (l > 0 && i % (l == 1 ? 3 : l == 2 ? 9 : 27) != 0)
                break;
            double y = f + (30.0 / 27.0) * (27.0 / (double)r - 1.0);
            if (bh_tell(&b, i, c, y, r, 0) != HPOLAB_OK)
                die("tell", b.ctx.err.message);
            (*got)++;
        }
        hpolab_config_free(c);
    }
    double t0 = now(), c0 = cpu_now();
    if (bh_suggest(&b, trials, &c) != HPOLAB_OK || !c)
        die("suggest", b.ctx.err.message);
    double t = now() - t0;
    *cpu = cpu_now() - c0;
    hpolab_config_free(c);
    bh_searcher_destroy(&b);
    return t;
}

static void mfspeed(void)
{
    static const int ns[4] = {100, 500, 1000, 2000};
    int reps = quick ? 1 : 3, count = quick ? 2 : 4;
    struct hpolab_space *space = bh_space(BH_BRANIN_MF_SPACE);
    printf("\nMOBSTER suggest time (fit included), median of %d seeds\n"
           "%6s %10s %10s\n",
           reps, "obs", "wall ms", "CPU ms");
    for (int k = 0; k < count; k++) {
        double t[8], cpu[8];
        int got = 0;
        for (int r = 0; r < reps; r++)
            t[r] = time_mf_suggest(space, ns[k], (uint32_t)r, &got, &cpu[r]);
        printf("%6d %10.2f %10.2f\n", got,
               quantile(t, (size_t)reps, 0.5) * 1e3,
               quantile(cpu, (size_t)reps, 0.5) * 1e3);
        fflush(stdout);
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
               {"mfspeed", mfspeed}};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        int run = ns == 0;
        for (int i = 0; i < ns; i++)
            run |= !strcmp(sections[i], all[k].name);
        if (run)
            all[k].fn();
    }
    hpolab_registry_destroy(reg);
    return 0;
}
