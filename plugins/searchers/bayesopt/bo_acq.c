/* bo_acq.c: expected improvement and its local optimisation (§3.9). */
#include "bo_acq.h"

#include <math.h>
#include <stdlib.h>

#include "bo_fit.h"

#define INV_SQRT_2PI 0.3989422804014327

double bo_ei_neg(const double *mean, size_t mc, double sd,
                 const double *fstar, double xi, double *dmean, double *dsd)
{
    double s = sd > 1e-10 ? sd : 1e-10;
    double sum = 0.0, dsum = 0.0;
    for (size_t j = 0; j < mc; j++) {
        double u = (fstar[j] - mean[j] - xi) / s;
        double cdf = 0.5 * erfc(-u / sqrt(2.0));
        double pdf = INV_SQRT_2PI * exp(-0.5 * u * u);
        sum += s * (u * cdf + pdf);
        dsum += pdf;
        if (dmean)
            dmean[j] = cdf / (double)mc;
    }
    if (dsd)
        *dsd = sd > 1e-10 ? -dsum / (double)mc : 0.0;
    return -sum / (double)mc;
}

int bo_acq_init(struct bo_acq *a, struct bo_post *post, double ymean,
                double ystd, const double *fstar, double xi, double r)
{
    size_t mc = post->mc ? post->mc : 1, d = post->d ? post->d : 1;
    a->post = post;
    a->ymean = ymean;
    a->ystd = ystd;
    a->fstar = fstar;
    a->xi = xi;
    a->r = r;
    a->mean = malloc(mc * sizeof *a->mean);
    a->dmean = malloc(mc * d * sizeof *a->dmean);
    a->dvar = malloc(d * sizeof *a->dvar);
    a->dm = malloc(mc * sizeof *a->dm);
    if (!a->mean || !a->dmean || !a->dvar || !a->dm) {
        bo_acq_free(a);
        return -1;
    }
    return 0;
}

void bo_acq_free(struct bo_acq *a)
{
    free(a->mean);
    free(a->dmean);
    free(a->dvar);
    free(a->dm);
    a->mean = a->dmean = a->dvar = a->dm = NULL;
}

double bo_acq_eval(struct bo_acq *a, const double *x, double *grad)
{
    struct bo_post *p = a->post;
    size_t mc = p->mc, d = p->d;
    double var;
    bo_post_predict(p, x, a->r, a->mean, &var, grad ? a->dmean : NULL,
                    grad ? a->dvar : NULL);
    for (size_t j = 0; j < mc; j++)
        a->mean[j] = a->mean[j] * a->ystd + a->ymean;
    double sdn = sqrt(var), dsd = 0.0;
    double val = bo_ei_neg(a->mean, mc, sdn * a->ystd, a->fstar, a->xi,
                           grad ? a->dm : NULL, grad ? &dsd : NULL);
    if (!grad)
        return val;
    for (size_t l = 0; l < d; l++) {
        double g = 0.0;
        for (size_t j = 0; j < mc; j++)
            g += a->dm[j] * a->ystd * a->dmean[j * d + l];
        g += dsd * a->ystd * a->dvar[l] / (2.0 * sdn);
        grad[l] = g;
    }
    return val;
}

static double acq_objective(void *ctx, const double *x, double *grad, int *ok)
{
    double v = bo_acq_eval(ctx, x, grad);
    *ok = isfinite(v);
    return v;
}

double bo_acq_minimize(struct bo_acq *a, double *x, const double *lo,
                       const double *hi, int maxiter, int *nevals)
{
    /* SciPy's fmin_l_bfgs_b defaults: factr 1e7 (ftol ~ 2.2e-9), pgtol 1e-5 */
    struct bo_lbfgs_opts o = {maxiter, 1e7 * 2.220446049250313e-16, 1e-5, 20};
    return bo_minimize_box(a->post->d, x, lo, hi, acq_objective, a, &o,
                           nevals);
}
