/* bo_kernel.h: the GP hyperparameters and the kernels of schedulers
 * reference §3.5 (Matérn-5/2 ARD) and §5.5 (exp-decay-sum over the resource).
 * Pure C, no host calls. */
#ifndef BO_KERNEL_H
#define BO_KERNEL_H

#include <stddef.h>

/* Hyperparameters as the flattened vector theta that is optimised (§3.5
 * order): single fidelity [log noise, log c, mu, log b_1..b_d]; multi
 * fidelity [log alpha, log gamma, log mean_lam, log noise, log c, mu,
 * log b_1..b_d]. Positive parameters live in log space. */
struct bo_model {
    int mf;        /* 1: exp-decay-sum resource kernel and mean */
    size_t d;      /* encoded configuration dimension */
    size_t np;     /* number of parameters: d + 3 (+ 3 when mf) */
    double *theta; /* [owned] np values */
};

/* Offsets into theta. */
size_t bo_off_noise(const struct bo_model *m);
size_t bo_off_scale(const struct bo_model *m);
size_t bo_off_mean(const struct bo_model *m);
size_t bo_off_bw(const struct bo_model *m);
#define BO_OFF_ALPHA 0u
#define BO_OFF_GAMMA 1u
#define BO_OFF_LAM 2u

/* Allocates theta and sets the initial values (noise 1e-3, c = 1, b = 1,
 * mu = 0; alpha 1, mean_lam 0.5, gamma 0.5). Returns 0 or -1 (no memory). */
int bo_model_init(struct bo_model *m, int mf, size_t d);
void bo_model_free(struct bo_model *m);
void bo_model_reset(struct bo_model *m);
/* theta's box (log space; mu unbounded: -inf, inf). lo, hi: np each. */
void bo_model_bounds(const struct bo_model *m, double *lo, double *hi);

/* Hyperparameters unpacked for evaluation. b2 points to d squared inverse
 * bandwidths, storage of the caller (bo_hyp_unpack fills it). */
struct bo_hyp {
    int mf;
    size_t d;
    double noise, c, mu, alpha, gamma, lam, beta;
    double *b2;
};
void bo_hyp_unpack(const struct bo_model *m, double *b2, struct bo_hyp *h);

/* Matérn-5/2 part c k(q) with q = sum_j b_j^2 (x_j - y_j)^2; *dk_dq (may be
 * NULL) receives its derivative with respect to q. */
double bo_matern(const struct bo_hyp *h, const double *x, const double *y,
                 double *dk_dq);
/* kappa(s) = (beta / (s + beta))^alpha; dla, dll (may be NULL): derivatives
 * of log kappa with respect to log alpha and log mean_lam. */
double bo_kappa(const struct bo_hyp *h, double s, double *dla, double *dll);
/* The full covariance between (x, r) and (y, s) (r, s ignored unless mf). */
double bo_cov(const struct bo_hyp *h, const double *x, double r,
              const double *y, double s);
/* Prior variance at (x, r): c (+ gamma^2 (kappa(2r) - kappa(r)^2)). */
double bo_kdiag(const struct bo_hyp *h, double r);
/* Prior mean at resource r: mu (+ gamma kappa(r)). */
double bo_mean_at(const struct bo_hyp *h, double r);

#endif
