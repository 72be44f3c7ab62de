/* bo_fit.h: box-constrained minimisation with liblbfgs, and the GP
 * hyperparameter fit of schedulers reference §3.6. liblbfgs has no bounds,
 * so a bounded coordinate is optimised as lo + (hi - lo) sigmoid(z); equal
 * bounds fix a coordinate. Pure C. */
#ifndef BO_FIT_H
#define BO_FIT_H

#include <stddef.h>

#include "bo_gp.h"

/* Objective at x (k values): returns f and fills grad (k values); *ok = 0
 * when f cannot be evaluated there. */
typedef double (*bo_objective)(void *ctx, const double *x, double *grad,
                               int *ok);

struct bo_lbfgs_opts {
    int maxiter;
    double ftol; /* stop when the relative decrease is <= ftol (SciPy) */
    double gtol; /* stop when the projected gradient's largest entry (in
                    the original coordinates) is <= gtol (SciPy's pgtol) */
    int maxls;   /* line-search evaluations per iteration (0: 20, SciPy) */
};

/* Minimise f over the box [lo, hi] (infinite bounds allowed) from x. On
 * return x is the best point evaluated and the result its value (INFINITY
 * when no evaluation succeeded; x then unchanged). *nevals (may be NULL)
 * counts evaluations. Returns -1 in *nevals on out of memory. */
double bo_minimize_box(size_t k, double *x, const double *lo,
                       const double *hi, bo_objective f, void *ctx,
                       const struct bo_lbfgs_opts *o, int *nevals);

struct bo_fit_opts {
    int nstarts;   /* opt_nstarts */
    int maxiter;   /* opt_maxiter */
    double tol;    /* 1e-6 */
    int warmstart; /* start from the current theta instead of the initial */
    int threads;   /* > 1: run restarts two at a time (same result) once
                      there are >= 64 data points */
    int maxls;     /* line-search limit per iteration (0: 20) */
};

/* What one fit did (for the debug log and the benchmark). */
struct bo_fit_stats {
    int evals;     /* NLL + gradient evaluations, all restarts */
    int restarts;  /* restarts run */
};

/* Fit m->theta to dt (§3.6): restart 0 from the start values, restart k >= 1
 * from them plus N(0,1) per coordinate (clipped to the bounds; normal()
 * draws, in theta order). m->theta becomes the best point of the restart
 * with the smallest objective; unchanged (start values) if all failed.
 * The restarts are independent, so with threads > 1 they run two at a
 * time, giving the same result as one after the other.
 * stats (may be NULL) receives the evaluation count.
 * Returns the number of restarts that evaluated, or -1 out of memory. */
int bo_fit(struct bo_model *m, const struct bo_data *dt, struct bo_ws *ws,
           const struct bo_fit_opts *o, double (*normal)(void *),
           void *nctx, double *best_f, struct bo_fit_stats *stats);

#endif
