/* bo_gp.h: the Gaussian process of schedulers reference §3.5-3.8: negative
 * log marginal likelihood with penalties and its exact gradient, the
 * posterior (several target columns for fantasies), predictions with input
 * gradients, and joint samples of the latent function. Pure C. */
#ifndef BO_GP_H
#define BO_GP_H

#include <stddef.h>

#include "bo_kernel.h"

/* Distinct resource levels handled by table look-ups in bo_nll. */
#define BO_MAX_LEVELS 32

/* Training inputs: x row-major n x d (encoded configurations), r the n
 * encoded resources (NULL unless multi-fidelity), y n normalised targets.
 * All [borrowed]. */
struct bo_data {
    size_t n, d;
    const double *x;
    const double *r;
    const double *y;
};

/* Scratch memory of bo_nll, grown on demand; zero-initialise, release with
 * bo_ws_free. */
struct bo_ws {
    size_t cap_n, cap_d;
    double *K, *KX, *Q, *KS, *L, *W, *z, *a, *kap, *dla, *dll, *b2;
    /* squared coordinate differences of every pair (i > j), d per pair,
     * while bound to one data set (bo_ws_bind) */
    double *D2;
    const struct bo_data *bound;
    /* multi-fidelity: index of each input's resource among the distinct
     * ones, and per-evaluation tables over those */
    size_t *lev;
    double levels[BO_MAX_LEVELS], tk[BO_MAX_LEVELS], tla[BO_MAX_LEVELS],
        tll[BO_MAX_LEVELS];
    double ts[BO_MAX_LEVELS * BO_MAX_LEVELS],
        tsla[BO_MAX_LEVELS * BO_MAX_LEVELS],
        tsll[BO_MAX_LEVELS * BO_MAX_LEVELS];
};
void bo_ws_free(struct bo_ws *ws);
/* Caches what does not depend on the hyperparameters while dt (borrowed,
 * unchanged) is fitted; bo_ws_unbind drops it. Returns 0 or -1. */
int bo_ws_bind(struct bo_ws *ws, const struct bo_data *dt);
void bo_ws_unbind(struct bo_ws *ws);

/* *f = NLL + penalties (§3.5) at m->theta; grad (np values, may be NULL)
 * its gradient. Returns 0; -1 when out of memory or the kernel matrix cannot
 * be factorised even with the largest jitter. */
int bo_nll(const struct bo_model *m, const struct bo_data *dt,
           struct bo_ws *ws, double *f, double *grad);

/* Posterior given the hyperparameters, on n inputs with a target matrix of
 * mc columns (fantasies). Zero-initialise; release with bo_post_free. */
struct bo_post {
    struct bo_hyp h;
    double *b2;      /* [owned] d */
    size_t n, d, mc;
    double *x, *r;   /* [owned] copies; r NULL unless mf */
    double *L;       /* [owned] n x n factor of K + (noise + jitter) I */
    double *alpha;   /* [owned] n x mc: A^{-1} (Y - mean) */
    double jitter;
    double *k, *v, *dk; /* [owned] scratch: n, n, n x d */
    double *rt;      /* [owned] mf: n resource terms at rt_r */
    double rt_r;
    int rt_valid;
};
void bo_post_free(struct bo_post *p);

/* Y: n x mc column-major. Returns 0, or -1 (no memory / factorisation). */
int bo_post_compute(struct bo_post *p, const struct bo_model *m,
                    const double *x, const double *r, size_t n,
                    const double *Y, size_t mc);

/* Predictive mean (mc values) and latent variance (floored at 1e-12) at
 * (x, r), in normalised units (var NULL: the mean only). With dmean, dvar non-NULL also their
 * gradients with respect to x: dmean[j * d + l], dvar[l]. */
void bo_post_predict(struct bo_post *p, const double *x, double r,
                     double *mean, double *var, double *dmean, double *dvar);

/* Means (N x mc, row-major: mean[i * mc + j]) and variances (N) at N
 * points xs (row-major N x d), all at resource r. Returns 0 or -1. */
int bo_post_predict_batch(struct bo_post *p, const double *xs, size_t N,
                          double r, double *mean, double *var);

/* ns joint samples of the latent function at p points (xp row-major p x d,
 * rp p resources or NULL): out p x ns column-major (column = sample).
 * normal() draws N(0,1); a column's p normals are drawn consecutively.
 * Uses column 0 of the posterior. Returns 0 or -1. */
int bo_post_sample(struct bo_post *p, const double *xp, const double *rp,
                   size_t np, size_t ns, double (*normal)(void *),
                   void *nctx, double *out);

#endif
