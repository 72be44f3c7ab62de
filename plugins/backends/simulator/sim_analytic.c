/* sim_analytic.c: built-in analytic multi-fidelity benchmarks with known
 * optima (docs/simulator.md gives the formulas). Every configuration has a
 * learning curve, for r = 1..R,
 *     y(r) = final(x) + amp(x) * g(r),
 *     g(r) = ((r+s)^-alpha(x) - (R+s)^-alpha(x)) / (1 - (R+s)^-alpha(x))
 * which reaches final(x) exactly at the full resource R, faster for larger
 * alpha. With s = 0 (branin_curves) the curve starts at final + amp at r = 1;
 * with s = 1 (transformer_like) every configuration starts from the same
 * untrained value final + amp = Y0 at r = 0, so what a configuration shows
 * after one epoch depends on how fast it learns, not only on where it ends.
 * An epoch costs cost(x) seconds after a start-up time, so elapsed(r) =
 * startup + r * cost(x). Since final(x) is reached exactly at R and curves
 * decrease, the optimum at full resource is min final(x), known in closed
 * form. Curves cross (fast starters are not the best finishers), so early
 * stopping is informative but not infallible. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim_bench.h"

#define MAX_PARAMS 8

struct analytic_def {
    const char *name;
    const char *default_metric;
    int64_t default_max_resource;
    size_t n_params;
    const char *params[MAX_PARAMS];
    /* Fill final value, amplitude, alpha and the cost of one epoch for x;
     * 0, or -1 with *bad the index of a parameter out of its domain. */
    int (*eval)(const double *x, double *final, double *amp, double *alpha,
                double *cost, size_t *bad);
    double startup;
    double shift; /* s in g(r): 0 or 1 (see the top of the file) */
    const char *domain_note; /* for messages about *bad */
};

struct analytic {
    const struct analytic_def *def;
    int64_t max_resource;
    double noise;
};

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* ODSC's transformer_wikitext2 space: lr, dropout, batch_size, momentum,
 * clip. Optimum 5.0 at lr = 10^-3.9, dropout 0.2, batch_size 24,
 * momentum 0.9, clip 0.5; the best lr grows with the batch size. Every
 * curve starts from the loss of an untrained model (about ln of
 * WikiText-2's 33k-word vocabulary); an epoch costs what the real one
 * does (the reference's example trial, batch_size 27, reports epoch 1
 * after 95 s: 25 s start-up + 70 s). */
#define TRANSFORMER_Y0 10.4

static int transformer_eval(const double *x, double *final, double *amp,
                            double *alpha, double *cost, size_t *bad)
{
    double lr = x[0], d = x[1], b = x[2], m = x[3], c = x[4];
    if (!(lr > 0)) {
        *bad = 0;
        return -1;
    }
    if (!(b > 0)) {
        *bad = 2;
        return -1;
    }
    double u = (log10(lr) + 6.0) / 3.0;
    double lr_term = u - 0.7 - 0.1 * log2(b / 24.0);
    double bs = (b - 24.0) / 32.0;
    *final = 5.0 + 2.0 * lr_term * lr_term + 0.8 * (d - 0.2) * (d - 0.2) +
             0.3 * bs * bs + 0.6 * (m - 0.9) * (m - 0.9) +
             0.2 * (c - 0.5) * (c - 0.5);
    *amp = TRANSFORMER_Y0 - *final;
    *alpha = 0.4 + 1.6 * clamp01(u) * (1.0 - 0.6 * clamp01(d));
    *cost = 77.0 * pow(24.0 / b, 0.8);
    return 0;
}

/* Branin on x1 in [-5, 10], x2 in [0, 15]: optimum 5/(4 pi) = 0.397887...
 * at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475). */
static int branin_eval(const double *x, double *final, double *amp,
                       double *alpha, double *cost, size_t *bad)
{
    (void)bad;
    const double pi = 3.14159265358979323846;
    double x1 = x[0], x2 = x[1];
    double b = 5.1 / (4.0 * pi * pi), c = 5.0 / pi, t = 1.0 / (8.0 * pi);
    double q = x2 - b * x1 * x1 + c * x1 - 6.0;
    *final = q * q + 10.0 * (1.0 - t) * cos(x1) + 10.0;
    *amp = 20.0 + 0.2 * *final;
    *alpha = 0.3 + 1.2 * clamp01(x2 / 15.0);
    *cost = 10.0 * (1.0 + clamp01((x1 + 5.0) / 15.0));
    return 0;
}

static const struct analytic_def defs[] = {
    {"transformer_like", "val_loss", 40, 5,
     {"lr", "dropout", "batch_size", "momentum", "clip"}, transformer_eval,
     25.0, 1.0, "lr and batch_size must be > 0"},
    {"branin_curves", "value", 81, 2, {"x1", "x2"}, branin_eval, 5.0, 0.0,
     ""},
};
#define N_DEFS (sizeof defs / sizeof defs[0])

const char *sim_analytic_names(void) { return "transformer_like, branin_curves"; }

/* splitmix64: a deterministic stream per (configuration, resource), so
 * noise is the same whenever the same point is looked up again. */
static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double gauss(uint64_t key)
{
    double u1 = ((double)(mix(key) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = ((double)(mix(key ^ 0x5bd1e995ull) >> 11)) / 9007199254740992.0;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

static uint64_t config_key(const double *x, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        h = mix(h ^ bits);
    }
    return h;
}

static int32_t analytic_curve(const struct sim_bench *b,
                              struct hpolab_ctx *ctx, int64_t trial_id,
                              const struct hpolab_config *config,
                              struct sim_curve *out)
{
    const struct analytic *a = b->impl;
    const struct analytic_def *d = a->def;
    double x[MAX_PARAMS];
    for (size_t i = 0; i < d->n_params; i++) {
        int32_t st = sim_bench_number(b, ctx, trial_id, config, d->params[i],
                                      &x[i]);
        if (st != HPOLAB_OK)
            return st;
    }
    double final, amp, alpha, cost;
    size_t bad = 0;
    if (d->eval(x, &final, &amp, &alpha, &cost, &bad) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                "trial %lld: benchmark %s: %s = %g is out of "
                                "its domain (%s)",
                                (long long)trial_id, d->name,
                                d->params[bad], x[bad], d->domain_note);
    size_t n = (size_t)a->max_resource;
    if (sim_curve_alloc(out, n, 1) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    double s = d->shift;
    double big_r = (double)a->max_resource;
    double tail = pow(big_r + s, -alpha);
    uint64_t key = config_key(x, d->n_params);
    for (size_t i = 0; i < n; i++) {
        double r = (double)(i + 1);
        double g = big_r + s > 1.0
                       ? (pow(r + s, -alpha) - tail) / (1.0 - tail)
                       : 0.0;
        double y = final + amp * g;
        if (a->noise > 0)
            y += a->noise * gauss(mix(key ^ (uint64_t)(i + 1)));
        out->resource[i] = r;
        out->elapsed[i] = d->startup + r * cost;
        out->metrics[i] = y;
    }
    return HPOLAB_OK;
}

static void analytic_free(void *impl) { free(impl); }

static const struct sim_bench_ops analytic_ops = {
    .curve = analytic_curve,
    .free_impl = analytic_free,
};

int32_t sim_analytic_create(struct hpolab_ctx *ctx, const char *name,
                            const struct hpolab_options *opts,
                            const struct sim_bench_names *names,
                            struct sim_bench **out)
{
    *out = NULL;
    const struct analytic_def *d = NULL;
    for (size_t i = 0; i < N_DEFS; i++)
        if (strcmp(defs[i].name, name) == 0)
            d = &defs[i];
    if (!d)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOT_FOUND,
                                "benchmark: no analytic benchmark named '%s'; "
                                "available: %s (or give a \"table\" file)",
                                name, sim_analytic_names());
    const char *metric = NULL;
    int64_t max_resource = 0;
    double noise = 0;
    int32_t st = hpolab_host->option_string(ctx, opts, "metric",
                                            d->default_metric, &metric);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_int(ctx, opts, "max_resource",
                                     d->default_max_resource, &max_resource);
    if (st == HPOLAB_OK)
        st = hpolab_host->option_double(ctx, opts, "noise", 0.0, &noise);
    if (st != HPOLAB_OK)
        return st;
    if (max_resource < 1 || max_resource > 1000000)
        return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                "max_resource must be between 1 and 1000000, "
                                "got %lld",
                                (long long)max_resource);
    if (!(noise >= 0 && noise < 1e6))
        return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                "noise must be a standard deviation >= 0, "
                                "got %g",
                                noise);
    if (!metric[0] || strcmp(metric, names->resource_attr) == 0 ||
        strcmp(metric, names->elapsed_attr) == 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "metric must be a name other than "
                                "resource_attr ('%s') and elapsed_time_attr "
                                "('%s'), got '%s'",
                                names->resource_attr, names->elapsed_attr,
                                metric);
    struct sim_bench *b = calloc(1, sizeof *b);
    struct analytic *a = calloc(1, sizeof *a);
    if (!b || !a) {
        free(b);
        free(a);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    a->def = d;
    a->max_resource = max_resource;
    a->noise = noise;
    b->ops = &analytic_ops;
    b->impl = a;
    st = sim_bench_set_names(ctx, b, d->name, names, 1);
    if (st == HPOLAB_OK && !(b->metric_names[0] = strdup(metric)))
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (st != HPOLAB_OK) {
        sim_bench_free(b);
        return st;
    }
    *out = b;
    return HPOLAB_OK;
}
