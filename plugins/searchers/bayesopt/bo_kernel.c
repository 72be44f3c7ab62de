/* bo_kernel.c: Matérn-5/2 ARD and exp-decay-sum kernels (§3.5, §5.5). */
#include "bo_kernel.h"

#include <math.h>
#include <stdlib.h>

size_t bo_off_noise(const struct bo_model *m) { return m->mf ? 3 : 0; }
size_t bo_off_scale(const struct bo_model *m) { return m->mf ? 4 : 1; }
size_t bo_off_mean(const struct bo_model *m) { return m->mf ? 5 : 2; }
size_t bo_off_bw(const struct bo_model *m) { return m->mf ? 6 : 3; }

int bo_model_init(struct bo_model *m, int mf, size_t d)
{
    m->mf = mf;
    m->d = d;
    m->np = d + (mf ? 6 : 3);
    m->theta = malloc(m->np * sizeof *m->theta);
    if (!m->theta)
        return -1;
    bo_model_reset(m);
    return 0;
}

void bo_model_free(struct bo_model *m)
{
    free(m->theta);
    m->theta = NULL;
}

void bo_model_reset(struct bo_model *m)
{
    if (m->mf) {
        m->theta[BO_OFF_ALPHA] = 0.0;         /* alpha = 1 */
        m->theta[BO_OFF_GAMMA] = log(0.5);
        m->theta[BO_OFF_LAM] = log(0.5);
    }
    m->theta[bo_off_noise(m)] = log(1e-3);
    m->theta[bo_off_scale(m)] = 0.0;
    m->theta[bo_off_mean(m)] = 0.0;
    for (size_t j = 0; j < m->d; j++)
        m->theta[bo_off_bw(m) + j] = 0.0;
}

void bo_model_bounds(const struct bo_model *m, double *lo, double *hi)
{
    if (m->mf) {
        lo[BO_OFF_ALPHA] = log(1e-6), hi[BO_OFF_ALPHA] = log(250.0);
        lo[BO_OFF_GAMMA] = log(1e-4), hi[BO_OFF_GAMMA] = 0.0;
        lo[BO_OFF_LAM] = log(1e-4), hi[BO_OFF_LAM] = log(50.0);
    }
    lo[bo_off_noise(m)] = log(1e-9), hi[bo_off_noise(m)] = log(1e6);
    lo[bo_off_scale(m)] = log(1e-3), hi[bo_off_scale(m)] = log(1e3);
    lo[bo_off_mean(m)] = -INFINITY, hi[bo_off_mean(m)] = INFINITY;
    for (size_t j = 0; j < m->d; j++) {
        lo[bo_off_bw(m) + j] = log(1e-4);
        hi[bo_off_bw(m) + j] = log(100.0);
    }
}

void bo_hyp_unpack(const struct bo_model *m, double *b2, struct bo_hyp *h)
{
    h->mf = m->mf;
    h->d = m->d;
    h->noise = exp(m->theta[bo_off_noise(m)]);
    h->c = exp(m->theta[bo_off_scale(m)]);
    h->mu = m->theta[bo_off_mean(m)];
    for (size_t j = 0; j < m->d; j++) {
        double b = exp(m->theta[bo_off_bw(m) + j]);
        b2[j] = b * b;
    }
    h->b2 = b2;
    if (m->mf) {
        h->alpha = exp(m->theta[BO_OFF_ALPHA]);
        h->gamma = exp(m->theta[BO_OFF_GAMMA]);
        h->lam = exp(m->theta[BO_OFF_LAM]);
        h->beta = h->alpha / h->lam;
    } else {
        h->alpha = h->gamma = h->lam = h->beta = 0.0;
    }
}

double bo_matern(const struct bo_hyp *h, const double *x, const double *y,
                 double *dk_dq)
{
    double q = 0.0;
    for (size_t j = 0; j < h->d; j++) {
        double t = x[j] - y[j];
        q += h->b2[j] * t * t;
    }
    double D = 5.0 * q, B = sqrt(D + 1e-9), e = exp(-B);
    if (dk_dq)
        *dk_dq = 5.0 * (-h->c / 6.0) * e * (1.0 + D / B);
    return h->c * (1.0 + B + D / 3.0) * e;
}

double bo_kappa(const struct bo_hyp *h, double s, double *dla, double *dll)
{
    double sb = s + h->beta;
    double lk = h->alpha * (log(h->beta) - log(sb));
    if (dla)
        *dla = h->alpha * (log(h->beta / sb) + s / sb);
    if (dll)
        *dll = -h->alpha * s / sb;
    return exp(lk);
}

double bo_cov(const struct bo_hyp *h, const double *x, double r,
              const double *y, double s)
{
    double k = bo_matern(h, x, y, NULL);
    if (h->mf)
        k += h->gamma * h->gamma *
             (bo_kappa(h, r + s, NULL, NULL) -
              bo_kappa(h, r, NULL, NULL) * bo_kappa(h, s, NULL, NULL));
    return k;
}

double bo_kdiag(const struct bo_hyp *h, double r)
{
    double k = h->c;
    if (h->mf) {
        double kr = bo_kappa(h, r, NULL, NULL);
        k += h->gamma * h->gamma * (bo_kappa(h, 2.0 * r, NULL, NULL) - kr * kr);
    }
    return k;
}

double bo_mean_at(const struct bo_hyp *h, double r)
{
    return h->mf ? h->mu + h->gamma * bo_kappa(h, r, NULL, NULL) : h->mu;
}
