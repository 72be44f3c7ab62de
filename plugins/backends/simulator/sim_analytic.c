/* sim_analytic.c: built-in analytic multi-fidelity benchmarks with known
 * optima (docs/simulator.md gives the formulas and where their numbers come
 * from). A benchmark fills, for a configuration x, its whole learning curve
 * y(r), r = 1..R, and the cost of one epoch; elapsed(r) = startup + r *
 * cost(x).
 *
 * transformer_like models SGD training of the ODSC tutorial's transformer
 * on WikiText-2: the loss falls from the untrained value as a power law of
 * the optimisation progress made (updates times what each achieves), down
 * to a floor set by dropout. With plain SGD, learning rates up to 1e-3 are
 * small steps, so a faster learner is ahead at every epoch except where
 * dropout's floor differs: curves cross little, as early stopping assumes.
 *
 * The other two use a power-law family that reaches final(x) exactly at R:
 *     y(r) = final(x) + amp(x) * g(r),
 *     g(r) = ((r+s)^-alpha(x) - (R+s)^-alpha(x)) / (1 - (R+s)^-alpha(x)),
 * faster for larger alpha; with s = 1 every curve starts from the same
 * value final + amp at r = 0. transformer_crossing (the space of
 * transformer_like with an interior learning-rate optimum whose faster
 * learners end worse) makes curves cross strongly; branin_curves puts
 * Branin at the end of every curve. */
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
    /* Fill y[0..n-1] (the values at r = 1..n; R = big_r is the benchmark's
     * full resource) and the cost of one epoch; 0, or -1 with *bad the
     * index of a parameter out of its domain. */
    int (*curve)(const double *x, size_t n, double big_r, double *y,
                 double *cost, size_t *bad);
    double startup;
    const char *domain_note; /* for messages about *bad */
};

struct analytic {
    const struct analytic_def *def;
    int64_t max_resource;
    double noise;
};

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* The power-law family above (shift s, final reached at big_r). */
static void powerlaw_fill(double final, double amp, double alpha, double s,
                          size_t n, double big_r, double *y)
{
    double tail = pow(big_r + s, -alpha);
    for (size_t i = 0; i < n; i++) {
        double r = (double)(i + 1);
        double g =
            big_r + s > 1.0 ? (pow(r + s, -alpha) - tail) / (1.0 - tail) : 0.0;
        y[i] = final + amp * g;
    }
}

/* Every transformer curve starts from the loss of an untrained model:
 * about ln of WikiText-2's 33k-word vocabulary. An epoch costs what the
 * real one does (the reference's example trial, batch_size 27, reports
 * epoch 1 after 95 s: 25 s start-up + 70 s); fewer, larger batches make an
 * epoch cheaper. */
#define TRANSFORMER_Y0 10.4
#define TRANSFORMER_STARTUP 25.0

static double transformer_epoch_cost(double batch_size)
{
    return 77.0 * pow(24.0 / batch_size, 0.8);
}

/* transformer_like. The training script (optimizer_name "sgd") makes
 * 2 088 628 / (35 b) updates per epoch (WikiText-2's training tokens,
 * bptt 35). Its step is lr / (1 - m) with heavy-ball momentum m, shortened
 * by clip_grad_norm_(clip) when the gradient norm (taken as 0.5) exceeds
 * clip (clip = 0: no clipping, as in the script), and slowed by dropout d
 * as (1 - d/2): eta = lr / (1 - m) * min(1, clip / 0.5) * (1 - d/2). What
 * an update achieves grows with its step and saturates past ETA_C (the
 * loss surface's curvature and the gradient noise limit larger steps):
 * h = eta / (1 + eta / ETA_C). After r epochs the progress is
 * P = r * updates * h, and
 *     y(r) = floor(d) + (Y0 - floor(d)) * (1 + P / P0)^-KAPPA,
 *     floor(d) = 5.0 + 0.8 (d - 0.2)^2
 * (floor: perplexity 150 of this 2-layer, 256-wide model, best at the
 * word-language-model example's dropout 0.2). KAPPA, P0 and ETA_C are
 * calibrated on three values: the reference's example trial (lr 0.000123,
 * dropout 0.41, batch_size 27, momentum 0.77, clip 0.52) reports 6.43
 * after epoch 1, and the best configuration (lr 1e-3, momentum 0.99,
 * batch_size 16, dropout 0.2, no clipping) 5.80 after epoch 1 and 5.05
 * after 40. */
#define TL_TOKENS_PER_BPTT (2088628.0 / 35.0)
#define TL_GRAD_NORM 0.5
#define TL_KAPPA 0.77
#define TL_P0 0.053
#define TL_ETA_C 1.56e-4

static double tl_floor(double d)
{
    return 5.0 + 0.8 * (d - 0.2) * (d - 0.2);
}

/* progress per epoch */
static double tl_rate(double lr, double d, double b, double m, double c)
{
    double clip = c > 0 ? fmin(1.0, c / TL_GRAD_NORM) : 1.0;
    double eta = lr / (1.0 - m) * clip * (1.0 - 0.5 * d);
    return TL_TOKENS_PER_BPTT / b * eta / (1.0 + eta / TL_ETA_C);
}

static int transformer_like_curve(const double *x, size_t n, double big_r,
                                  double *y, double *cost, size_t *bad)
{
    (void)big_r;
    double lr = x[0], d = x[1], b = x[2], m = x[3], c = x[4];
    size_t which = !(lr > 0)            ? 0
                   : !(d >= 0 && d < 1) ? 1
                   : !(b > 0)           ? 2
                   : !(m >= 0 && m < 1) ? 3
                   : !(c >= 0)          ? 4
                                        : MAX_PARAMS;
    if (which != MAX_PARAMS) {
        *bad = which;
        return -1;
    }
    double rate = tl_rate(lr, d, b, m, c), fl = tl_floor(d);
    for (size_t i = 0; i < n; i++)
        y[i] = fl + (TRANSFORMER_Y0 - fl) *
                        pow(1.0 + (double)(i + 1) * rate / TL_P0, -TL_KAPPA);
    *cost = transformer_epoch_cost(b);
    return 0;
}

/* transformer_crossing: optimum 5.0 at lr = 10^-3.9, dropout 0.2,
 * batch_size 24, momentum 0.9, clip 0.5 (the best lr grows with the batch
 * size); larger learning rates learn faster (alpha) but end worse. */
static int transformer_crossing_curve(const double *x, size_t n, double big_r,
                                      double *y, double *cost, size_t *bad)
{
    double lr = x[0], d = x[1], b = x[2], m = x[3], c = x[4];
    if (!(lr > 0) || !(b > 0)) {
        *bad = !(lr > 0) ? 0 : 2;
        return -1;
    }
    double u = (log10(lr) + 6.0) / 3.0;
    double lr_term = u - 0.7 - 0.1 * log2(b / 24.0);
    double bs = (b - 24.0) / 32.0;
    double final = 5.0 + 2.0 * lr_term * lr_term + 0.8 * (d - 0.2) * (d - 0.2) +
                   0.3 * bs * bs + 0.6 * (m - 0.9) * (m - 0.9) +
                   0.2 * (c - 0.5) * (c - 0.5);
    double alpha = 0.4 + 1.6 * clamp01(u) * (1.0 - 0.6 * clamp01(d));
    powerlaw_fill(final, TRANSFORMER_Y0 - final, alpha, 1.0, n, big_r, y);
    *cost = transformer_epoch_cost(b);
    return 0;
}

/* Branin on x1 in [-5, 10], x2 in [0, 15]: optimum 5/(4 pi) = 0.397887...
 * at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475). */
static int branin_curve(const double *x, size_t n, double big_r, double *y,
                        double *cost, size_t *bad)
{
    (void)bad;
    const double pi = 3.14159265358979323846;
    double x1 = x[0], x2 = x[1];
    double b = 5.1 / (4.0 * pi * pi), c = 5.0 / pi, t = 1.0 / (8.0 * pi);
    double q = x2 - b * x1 * x1 + c * x1 - 6.0;
    double final = q * q + 10.0 * (1.0 - t) * cos(x1) + 10.0;
    powerlaw_fill(final, 20.0 + 0.2 * final, 0.3 + 1.2 * clamp01(x2 / 15.0),
                  0.0, n, big_r, y);
    *cost = 10.0 * (1.0 + clamp01((x1 + 5.0) / 15.0));
    return 0;
}

#define TRANSFORMER_PARAMS                                                     \
    {                                                                          \
        "lr", "dropout", "batch_size", "momentum", "clip"                      \
    }

static const struct analytic_def defs[] = {
    {"transformer_like", "val_loss", 40, 5, TRANSFORMER_PARAMS,
     transformer_like_curve, TRANSFORMER_STARTUP,
     "lr and batch_size must be > 0, dropout and momentum in [0, 1), "
     "clip >= 0"},
    {"transformer_crossing", "val_loss", 40, 5, TRANSFORMER_PARAMS,
     transformer_crossing_curve, TRANSFORMER_STARTUP,
     "lr and batch_size must be > 0"},
    {"branin_curves", "value", 81, 2, {"x1", "x2"}, branin_curve, 5.0, ""},
};
#define N_DEFS (sizeof defs / sizeof defs[0])

const char *sim_analytic_names(void)
{
    return "transformer_like, transformer_crossing, branin_curves";
}

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
    size_t n = (size_t)a->max_resource;
    if (sim_curve_alloc(out, n, 1) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    double cost = 0;
    size_t bad = 0;
    if (d->curve(x, n, (double)a->max_resource, out->metrics, &cost, &bad) !=
        0) {
        sim_curve_free(out);
        return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                "trial %lld: benchmark %s: %s = %g is out of "
                                "its domain (%s)",
                                (long long)trial_id, d->name,
                                d->params[bad], x[bad], d->domain_note);
    }
    uint64_t key = config_key(x, d->n_params);
    for (size_t i = 0; i < n; i++) {
        double r = (double)(i + 1);
        if (a->noise > 0)
            out->metrics[i] += a->noise * gauss(mix(key ^ (uint64_t)(i + 1)));
        out->resource[i] = r;
        out->elapsed[i] = d->startup + r * cost;
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
