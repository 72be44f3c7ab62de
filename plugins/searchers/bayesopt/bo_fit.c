/* bo_fit.c: L-BFGS (liblbfgs) over a box through a sigmoid map, and the
 * hyperparameter fit with restarts. */
#include "bo_fit.h"

#include <lbfgs.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WARM_MARGIN 1e-4

struct box {
    size_t k;
    const double *lo, *hi;
    bo_objective f;
    void *ctx;
    double *x, *g;  /* scratch in the original coordinates */
    double best_f;
    double *best_x;
    double last_f;  /* value at the last iterate, for the ftol test */
    double ftol, gtol;
    int nevals;
};

static int bounded(const struct box *b, size_t i)
{
    return isfinite(b->lo[i]) && isfinite(b->hi[i]);
}

static double sigmoid(double z)
{
    return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

static void to_x(const struct box *b, const lbfgsfloatval_t *z, double *x)
{
    for (size_t i = 0; i < b->k; i++)
        x[i] = bounded(b, i) ? b->lo[i] + (b->hi[i] - b->lo[i]) * sigmoid(z[i])
                             : z[i];
}

static lbfgsfloatval_t evaluate(void *inst, const lbfgsfloatval_t *z,
                                lbfgsfloatval_t *gz, const int n,
                                const lbfgsfloatval_t step)
{
    (void)n;
    (void)step;
    struct box *b = inst;
    to_x(b, z, b->x);
    int ok = 1;
    double f = b->f(b->ctx, b->x, b->g, &ok);
    b->nevals++;
    if (!ok || !isfinite(f)) {
        /* a failed point looks very bad, so the line search backs off */
        for (size_t i = 0; i < b->k; i++)
            gz[i] = 0.0;
        return 1e30;
    }
    if (f < b->best_f) {
        b->best_f = f;
        memcpy(b->best_x, b->x, b->k * sizeof *b->x);
    }
    for (size_t i = 0; i < b->k; i++) {
        double gi = isfinite(b->g[i]) ? b->g[i] : 0.0;
        if (bounded(b, i)) {
            double s = sigmoid(z[i]);
            gi *= (b->hi[i] - b->lo[i]) * s * (1.0 - s);
        }
        gz[i] = gi;
    }
    return f;
}

/* SciPy's L-BFGS-B stopping rules, evaluated in the original coordinates:
 * relative decrease <= ftol, or the projected gradient's largest entry
 * <= gtol (a bound is "active" when the gradient pushes against it). */
static int progress(void *inst, const lbfgsfloatval_t *z,
                    const lbfgsfloatval_t *gz, const lbfgsfloatval_t fx,
                    const lbfgsfloatval_t xnorm, const lbfgsfloatval_t gnorm,
                    const lbfgsfloatval_t step, int n, int k, int ls)
{
    (void)xnorm, (void)gnorm, (void)step, (void)n, (void)k, (void)ls;
    struct box *b = inst;
    double prev = b->last_f;
    b->last_f = fx;
    double pg = 0.0;
    for (size_t i = 0; i < b->k; i++) {
        double x = z[i], g = gz[i];
        if (bounded(b, i)) {
            double w = b->hi[i] - b->lo[i], s = sigmoid(z[i]);
            double dxdz = w * s * (1.0 - s);
            if (w <= 0.0)
                continue; /* fixed */
            x = b->lo[i] + w * s;
            g = dxdz > 0.0 ? gz[i] / dxdz : 0.0;
            g = g < 0.0 ? fmax(x - b->hi[i], g) : fmin(x - b->lo[i], g);
        }
        if (fabs(g) > pg)
            pg = fabs(g);
    }
    if (pg <= b->gtol)
        return 1;
    if (!isfinite(prev))
        return 0;
    double scale = fabs(prev) > fabs(fx) ? fabs(prev) : fabs(fx);
    if (scale < 1.0)
        scale = 1.0;
    return (prev - fx) / scale <= b->ftol ? 1 : 0;
}

double bo_minimize_box(size_t k, double *x, const double *lo,
                       const double *hi, bo_objective f, void *ctx,
                       const struct bo_lbfgs_opts *o, int *nevals)
{
    struct box b = {.k = k, .lo = lo, .hi = hi, .f = f, .ctx = ctx,
                    .best_f = INFINITY, .last_f = INFINITY, .ftol = o->ftol,
                    .gtol = o->gtol};
    if (nevals)
        *nevals = 0;
    /* fixed coordinates (lo == hi) are not optimised: map the free ones */
    lbfgsfloatval_t *z = lbfgs_malloc((int)(k ? k : 1));
    b.x = malloc((k ? k : 1) * sizeof *b.x);
    b.g = malloc((k ? k : 1) * sizeof *b.g);
    b.best_x = malloc((k ? k : 1) * sizeof *b.best_x);
    if (!z || !b.x || !b.g || !b.best_x) {
        lbfgs_free(z);
        free(b.x);
        free(b.g);
        free(b.best_x);
        if (nevals)
            *nevals = -1;
        return INFINITY;
    }
    for (size_t i = 0; i < k; i++) {
        if (bounded(&b, i)) {
            double w = hi[i] - lo[i];
            double t = w > 0 ? (x[i] - lo[i]) / w : 0.5;
            if (t < 1e-9)
                t = 1e-9;
            if (t > 1.0 - 1e-9)
                t = 1.0 - 1e-9;
            z[i] = log(t / (1.0 - t));
        } else {
            z[i] = x[i];
        }
    }
    lbfgs_parameter_t param;
    lbfgs_parameter_init(&param);
    param.m = 10;
    param.max_iterations = o->maxiter;
    param.epsilon = 0.0; /* gtol is tested in progress() */
    param.max_linesearch = o->maxls > 0 ? o->maxls : 20;
    lbfgsfloatval_t fx = 0;
    (void)lbfgs((int)k, z, &fx, evaluate, progress, &b, &param);
    if (isfinite(b.best_f))
        memcpy(x, b.best_x, k * sizeof *x);
    for (size_t i = 0; i < k; i++) /* equal bounds: exactly the bound */
        if (bounded(&b, i) && lo[i] == hi[i])
            x[i] = lo[i];
    if (nevals)
        *nevals = b.nevals;
    double best = b.best_f;
    lbfgs_free(z);
    free(b.x);
    free(b.g);
    free(b.best_x);
    return best;
}

struct nll_ctx {
    struct bo_model *m;
    const struct bo_data *dt;
    struct bo_ws *ws;
};

static double nll_objective(void *ctx, const double *x, double *grad, int *ok)
{
    struct nll_ctx *c = ctx;
    memcpy(c->m->theta, x, c->m->np * sizeof *x);
    double f;
    *ok = bo_nll(c->m, c->dt, c->ws, &f, grad) == 0;
    return f;
}

/* One restart of the fit: its own parameters and (except restart 0, which
 * uses the caller's) its own scratch, so restarts can run concurrently. */
struct restart {
    struct bo_model m;
    const struct bo_data *dt;
    struct bo_ws own, *ws;
    const double *lo, *hi;
    double *x; /* start point in, best point out */
    struct bo_lbfgs_opts o;
    double f;
    int nev;
};

static void *run_restart(void *p)
{
    struct restart *r = p;
    r->f = INFINITY;
    if (bo_ws_bind(r->ws, r->dt) != 0) {
        r->nev = -1;
        return NULL;
    }
    struct nll_ctx c = {&r->m, r->dt, r->ws};
    r->f = bo_minimize_box(r->m.np, r->x, r->lo, r->hi, nll_objective, &c,
                           &r->o, &r->nev);
    bo_ws_unbind(r->ws);
    return NULL;
}

int bo_fit(struct bo_model *m, const struct bo_data *dt, struct bo_ws *ws,
           const struct bo_fit_opts *o, double (*normal)(void *),
           void *nctx, double *best_f, struct bo_fit_stats *stats)
{
    size_t np = m->np, ns = o->nstarts > 0 ? (size_t)o->nstarts : 0;
    double *init = malloc(np * sizeof *init), *lo = malloc(np * sizeof *lo),
           *hi = malloc(np * sizeof *hi);
    struct restart *rs = calloc(ns ? ns : 1, sizeof *rs);
    int failed = !init || !lo || !hi || !rs;
    for (size_t k = 0; k < ns && !failed; k++) {
        rs[k].m = *m;
        rs[k].m.theta = malloc(np * sizeof *rs[k].m.theta);
        rs[k].x = malloc(np * sizeof *rs[k].x);
        failed = !rs[k].m.theta || !rs[k].x;
    }
    if (!failed) {
        if (!o->warmstart)
            bo_model_reset(m);
        memcpy(init, m->theta, np * sizeof *init);
        bo_model_bounds(m, lo, hi);
        /* a warm start at a bound would stay there: the sigmoid map's
         * derivative vanishes, so start a little inside the box */
        double margin = o->warmstart ? WARM_MARGIN : 0.0;
        for (size_t i = 0; i < np && margin > 0.0; i++)
            if (isfinite(lo[i]) && isfinite(hi[i])) {
                double w = (hi[i] - lo[i]) * margin;
                if (init[i] < lo[i] + w)
                    init[i] = lo[i] + w;
                if (init[i] > hi[i] - w)
                    init[i] = hi[i] - w;
            }
        /* restart k >= 1 starts from init + N(0,1), drawn in restart order
         * (restart 0 draws nothing, so a concurrent run draws the same) */
        for (size_t k = 0; k < ns; k++) {
            struct restart *r = &rs[k];
            r->dt = dt;
            r->ws = k == 0 ? ws : &r->own;
            r->lo = lo;
            r->hi = hi;
            r->o = (struct bo_lbfgs_opts){o->maxiter, o->tol, o->tol,
                                          o->maxls};
            for (size_t i = 0; i < np; i++) {
                double v = init[i] + (k > 0 ? normal(nctx) : 0.0);
                r->x[i] = v < lo[i] ? lo[i] : v > hi[i] ? hi[i] : v;
            }
            memcpy(r->m.theta, r->x, np * sizeof *r->x);
        }
        /* restarts in pairs: one in a second thread, one here */
        for (size_t k = 0; k < ns; k += 2) {
            pthread_t th;
            /* below ~64 points a fit takes a few ms: not worth a thread */
            int threaded = o->threads > 1 && k + 1 < ns && dt->n >= 64 &&
                           pthread_create(&th, NULL, run_restart,
                                          &rs[k + 1]) == 0;
            run_restart(&rs[k]);
            if (threaded)
                pthread_join(th, NULL);
            else if (k + 1 < ns)
                run_restart(&rs[k + 1]);
        }
    }
    double best_val = INFINITY;
    int evaluated = 0;
    const double *best = init;
    for (size_t k = 0; k < ns && !failed; k++) {
        if (rs[k].nev < 0)
            failed = 1;
        else if (isfinite(rs[k].f)) {
            evaluated++;
            if (rs[k].f < best_val) {
                best_val = rs[k].f;
                best = rs[k].x;
            }
        }
    }
    if (!failed)
        memcpy(m->theta, best, np * sizeof *best);
    if (best_f)
        *best_f = best_val;
    if (stats) {
        stats->evals = 0;
        stats->restarts = (int)ns;
        for (size_t k = 0; k < ns && rs; k++)
            stats->evals += rs[k].nev > 0 ? rs[k].nev : 0;
    }
    for (size_t k = 0; rs && k < ns; k++) {
        free(rs[k].m.theta);
        free(rs[k].x);
        bo_ws_free(&rs[k].own);
    }
    free(rs);
    free(init), free(lo), free(hi);
    return failed ? -1 : evaluated;
}
