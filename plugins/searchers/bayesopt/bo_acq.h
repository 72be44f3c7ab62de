/* bo_acq.h: expected improvement (schedulers reference §3.9) averaged over
 * fantasy columns, its gradient, and its local minimisation. Pure C. */
#ifndef BO_ACQ_H
#define BO_ACQ_H

#include <stddef.h>

#include "bo_gp.h"

/* a = -mean_j EI_j for means mean[0..mc) and one std sd (criterion units),
 * incumbents fstar[0..mc), jitter xi. dmean (mc, may be NULL) and dsd
 * receive da/dmean_j and da/dsd. */
double bo_ei_neg(const double *mean, size_t mc, double sd,
                 const double *fstar, double xi, double *dmean, double *dsd);

/* The acquisition on a posterior: predictions are de-normalised with
 * (ymean, ystd) before EI sees them; r is the resource at which it is
 * evaluated (multi-fidelity). Scratch is owned (bo_acq_init / _free). */
struct bo_acq {
    struct bo_post *post; /* [borrowed] */
    double ymean, ystd, xi, r;
    const double *fstar;  /* [borrowed] post->mc incumbents */
    double *mean, *dmean, *dvar, *dm; /* [owned] scratch */
};
int bo_acq_init(struct bo_acq *a, struct bo_post *post, double ymean,
                double ystd, const double *fstar, double xi, double r);
void bo_acq_free(struct bo_acq *a);

/* a(x) and, if grad is non-NULL, da/dx (d values). */
double bo_acq_eval(struct bo_acq *a, const double *x, double *grad);

/* L-BFGS from x over [lo, hi] (d values; equal bounds fix a coordinate);
 * x becomes the best point evaluated. Returns its value (INFINITY if none
 * could be evaluated, x unchanged); -1 in *nevals when out of memory. */
double bo_acq_minimize(struct bo_acq *a, double *x, const double *lo,
                       const double *hi, int maxiter, int *nevals);

#endif
