/* bo_gp.c: GP marginal likelihood, gradient and posterior (§3.5-3.8). */
#include "bo_gp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "bo_chol.h"

#define LOG_2PI 1.8378770664093453

void bo_ws_free(struct bo_ws *ws)
{
    free(ws->K);
    free(ws->KX);
    free(ws->Q);
    free(ws->KS);
    free(ws->L);
    free(ws->W);
    free(ws->z);
    free(ws->a);
    free(ws->kap);
    free(ws->dla);
    free(ws->dll);
    free(ws->b2);
    free(ws->D2);
    free(ws->lev);
    memset(ws, 0, sizeof *ws);
}

int bo_ws_bind(struct bo_ws *ws, const struct bo_data *dt)
{
    bo_ws_unbind(ws);
    size_t n = dt->n, d = dt->d, pairs = n * (n ? n - 1 : 0) / 2;
    size_t cells = pairs * d;
    ws->D2 = malloc((cells ? cells : 1) * sizeof *ws->D2);
    if (!ws->D2)
        return -1;
    double *p = ws->D2;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j + 1; i < n; i++)
            for (size_t l = 0; l < d; l++) {
                double t = dt->x[i * d + l] - dt->x[j * d + l];
                *p++ = t * t;
            }
    ws->bound = dt;
    return 0;
}

void bo_ws_unbind(struct bo_ws *ws)
{
    free(ws->D2);
    ws->D2 = NULL;
    ws->bound = NULL;
}

/* Multi-fidelity tables over the distinct resources: kappa and its log
 * derivatives per level and per sum of two levels. 0, or -1 when there
 * are more than BO_MAX_LEVELS levels (then bo_nll computes per pair). */
static int level_tables(struct bo_ws *ws, const struct bo_hyp *h,
                        const struct bo_data *dt)
{
    size_t nl = 0;
    for (size_t i = 0; i < dt->n; i++) {
        size_t k = 0;
        while (k < nl && ws->levels[k] != dt->r[i])
            k++;
        if (k == nl) {
            if (nl == BO_MAX_LEVELS)
                return -1;
            ws->levels[nl++] = dt->r[i];
        }
        ws->lev[i] = k;
    }
    for (size_t a = 0; a < nl; a++) {
        ws->tk[a] = bo_kappa(h, ws->levels[a], &ws->tla[a], &ws->tll[a]);
        for (size_t b = 0; b <= a; b++) {
            size_t ab = a * BO_MAX_LEVELS + b, ba = b * BO_MAX_LEVELS + a;
            ws->ts[ab] = bo_kappa(h, ws->levels[a] + ws->levels[b],
                                  &ws->tsla[ab], &ws->tsll[ab]);
            ws->ts[ba] = ws->ts[ab];
            ws->tsla[ba] = ws->tsla[ab];
            ws->tsll[ba] = ws->tsll[ab];
        }
    }
    return 0;
}

static int ws_reserve(struct bo_ws *ws, size_t n, size_t d)
{
    if (n > ws->cap_n) {
        size_t nn = n * n;
        double **mats[] = {&ws->K, &ws->KX, &ws->Q, &ws->KS, &ws->L, &ws->W};
        double **vecs[] = {&ws->z, &ws->a, &ws->kap, &ws->dla, &ws->dll};
        for (size_t i = 0; i < 6; i++) {
            free(*mats[i]);
            if (!(*mats[i] = malloc(nn * sizeof(double))))
                return -1;
        }
        for (size_t i = 0; i < 5; i++) {
            free(*vecs[i]);
            if (!(*vecs[i] = malloc(n * sizeof(double))))
                return -1;
        }
        free(ws->lev);
        if (!(ws->lev = malloc(n * sizeof *ws->lev)))
            return -1;
        ws->cap_n = n;
    }
    if (d > ws->cap_d || !ws->b2) {
        free(ws->b2);
        if (!(ws->b2 = malloc((d ? d : 1) * sizeof(double))))
            return -1;
        ws->cap_d = d;
    }
    return 0;
}

/* Penalties of §3.5 (negative log priors); adds their gradient to grad. */
static double penalties(const struct bo_model *m, const struct bo_hyp *h,
                        double *grad)
{
    double noise = h->noise > 1e-12 ? h->noise : 1e-12;
    double lc = log(h->c > 1e-12 ? h->c : 1e-12);
    double pen = 0.9 * log(noise) + noise + lgamma(0.1);
    pen += lc + 0.5 * lc * lc;
    pen += 0.5 * h->mu * h->mu;
    pen += (double)m->d * log(100.0 - 1e-4);
    if (grad) {
        grad[bo_off_noise(m)] += 0.9 + h->noise;
        grad[bo_off_scale(m)] += 1.0 + lc;
        grad[bo_off_mean(m)] += h->mu;
    }
    return pen;
}

int bo_nll(const struct bo_model *m, const struct bo_data *dt,
           struct bo_ws *ws, double *f, double *grad)
{
    size_t n = dt->n, d = dt->d;
    if (ws_reserve(ws, n ? n : 1, d) != 0)
        return -1;
    struct bo_hyp h;
    bo_hyp_unpack(m, ws->b2, &h);
    double *K = ws->K, *Q = ws->Q, *KX = m->mf ? ws->KX : ws->K;
    double *KS = ws->KS;
    const double *D2 = ws->bound == dt ? ws->D2 : NULL;
    int tables = m->mf && level_tables(ws, &h, dt) == 0;
    if (m->mf)
        for (size_t i = 0; i < n; i++) {
            if (tables) {
                ws->kap[i] = ws->tk[ws->lev[i]];
                ws->dla[i] = ws->tla[ws->lev[i]];
                ws->dll[i] = ws->tll[ws->lev[i]];
            } else {
                ws->kap[i] =
                    bo_kappa(&h, dt->r[i], &ws->dla[i], &ws->dll[i]);
            }
        }
    const double c = h.c, g2 = h.gamma * h.gamma;
    size_t pair = 0;
    for (size_t j = 0; j < n; j++) {
        const double *xj = dt->x + j * d;
        for (size_t i = j; i < n; i++) {
            double q = 0.0;
            if (i != j) {
                if (D2) {
                    const double *dd = D2 + pair * d;
                    for (size_t l = 0; l < d; l++)
                        q += h.b2[l] * dd[l];
                    pair++;
                } else {
                    const double *xi = dt->x + i * d;
                    for (size_t l = 0; l < d; l++) {
                        double t = xi[l] - xj[l];
                        q += h.b2[l] * t * t;
                    }
                }
            }
            /* Matérn-5/2 of §3.5 inline (bo_matern), with d k / d q */
            double D = 5.0 * q, B = sqrt(D + 1e-9), e = exp(-B);
            double kx = c * (1.0 + B + D / 3.0) * e;
            Q[i + j * n] = -(5.0 / 6.0) * c * e * (1.0 + D / B);
            double k = kx;
            if (m->mf) {
                KX[i + j * n] = kx;
                double ks = tables
                                ? ws->ts[ws->lev[i] * BO_MAX_LEVELS + ws->lev[j]]
                                : bo_kappa(&h, dt->r[i] + dt->r[j], NULL, NULL);
                KS[i + j * n] = ks;
                k += g2 * (ks - ws->kap[i] * ws->kap[j]);
            }
            K[i + j * n] = k; /* the factorisation reads the lower part */
        }
    }
    double jitter;
    if (bo_chol_jitter(K, n, h.noise, ws->L, &jitter) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        double mean = m->mf ? h.mu + h.gamma * ws->kap[i] : h.mu;
        ws->z[i] = dt->y[i] - mean;
        ws->a[i] = ws->z[i];
    }
    bo_chol_solve(ws->L, n, ws->a, 1);
    double quad = 0.0;
    for (size_t i = 0; i < n; i++)
        quad += ws->z[i] * ws->a[i];
    if (grad)
        memset(grad, 0, m->np * sizeof *grad);
    double val = 0.5 * (double)n * LOG_2PI +
                 bo_chol_logdet_half(ws->L, n) + 0.5 * quad +
                 penalties(m, &h, grad);
    *f = val;
    if (!isfinite(val))
        return -1;
    if (!grad)
        return 0;

    /* d NLL / d p = 1/2 tr((A^-1 - a a^T) dA/dp) - a^T dmean/dp + dpen/dp */
    double *W = ws->W;
    if (bo_chol_inverse(ws->L, n, W, 1) != 0) /* the loop reads i >= j */
        return -1;
    const double *a = ws->a;
    size_t ob = bo_off_bw(m);
    double g_noise = 0.0, g_c = 0.0, g_ga = 0.0, g_al = 0.0, g_la = 0.0;
    double *g_b = grad + ob;
    pair = 0;
    for (size_t j = 0; j < n; j++) {
        const double *xj = dt->x + j * d;
        for (size_t i = j; i < n; i++) {
            double w = W[i + j * n] - a[i] * a[j];
            if (i == j) {
                w *= 0.5;
                g_noise += w;
            }
            g_c += w * KX[i + j * n];
            double wq = w * Q[i + j * n] * 2.0;
            if (i != j) {
                if (D2) {
                    const double *dd = D2 + pair * d;
                    for (size_t l = 0; l < d; l++)
                        g_b[l] += wq * h.b2[l] * dd[l];
                    pair++;
                } else {
                    const double *xi = dt->x + i * d;
                    for (size_t l = 0; l < d; l++) {
                        double t = xi[l] - xj[l];
                        g_b[l] += wq * h.b2[l] * t * t;
                    }
                }
            }
            if (m->mf) {
                double ks = KS[i + j * n], dla_s, dll_s;
                if (tables) {
                    size_t ab = ws->lev[i] * BO_MAX_LEVELS + ws->lev[j];
                    dla_s = ws->tsla[ab];
                    dll_s = ws->tsll[ab];
                } else {
                    bo_kappa(&h, dt->r[i] + dt->r[j], &dla_s, &dll_s);
                }
                double kk = ws->kap[i] * ws->kap[j];
                g_ga += w * 2.0 * g2 * (ks - kk);
                g_al += w * g2 *
                        (ks * dla_s - kk * (ws->dla[i] + ws->dla[j]));
                g_la += w * g2 *
                        (ks * dll_s - kk * (ws->dll[i] + ws->dll[j]));
            }
        }
    }
    grad[bo_off_noise(m)] += g_noise * h.noise;
    grad[bo_off_scale(m)] += g_c;
    double g_mu = 0.0;
    for (size_t i = 0; i < n; i++) {
        g_mu -= a[i];
        if (m->mf) {
            double gk = h.gamma * ws->kap[i];
            g_ga -= a[i] * gk;
            g_al -= a[i] * gk * ws->dla[i];
            g_la -= a[i] * gk * ws->dll[i];
        }
    }
    grad[bo_off_mean(m)] += g_mu;
    if (m->mf) {
        grad[BO_OFF_GAMMA] += g_ga;
        grad[BO_OFF_ALPHA] += g_al;
        grad[BO_OFF_LAM] += g_la;
    }
    return 0;
}

void bo_post_free(struct bo_post *p)
{
    free(p->b2);
    free(p->x);
    free(p->r);
    free(p->L);
    free(p->alpha);
    free(p->k);
    free(p->v);
    free(p->dk);
    free(p->rt);
    memset(p, 0, sizeof *p);
}

int bo_post_compute(struct bo_post *p, const struct bo_model *m,
                    const double *x, const double *r, size_t n,
                    const double *Y, size_t mc)
{
    bo_post_free(p);
    size_t d = m->d, n1 = n ? n : 1;
    p->n = n;
    p->d = d;
    p->mc = mc;
    p->b2 = malloc((d ? d : 1) * sizeof *p->b2);
    p->x = malloc(n1 * (d ? d : 1) * sizeof *p->x);
    p->r = m->mf ? malloc(n1 * sizeof *p->r) : NULL;
    p->L = malloc(n1 * n1 * sizeof *p->L);
    p->alpha = malloc(n1 * (mc ? mc : 1) * sizeof *p->alpha);
    p->k = malloc(n1 * sizeof *p->k);
    p->v = malloc(n1 * sizeof *p->v);
    p->dk = malloc(n1 * (d ? d : 1) * sizeof *p->dk);
    p->rt = m->mf ? malloc(n1 * sizeof *p->rt) : NULL;
    double *K = malloc(n1 * n1 * sizeof *K);
    if (!p->b2 || !p->x || (m->mf && !p->r) || !p->L || !p->alpha || !p->k ||
        !p->v || !p->dk || (m->mf && !p->rt) || !K) {
        free(K);
        bo_post_free(p);
        return -1;
    }
    bo_hyp_unpack(m, p->b2, &p->h);
    memcpy(p->x, x, n * d * sizeof *x);
    if (m->mf)
        memcpy(p->r, r, n * sizeof *r);
    if (m->mf)
        for (size_t i = 0; i < n; i++)
            p->k[i] = bo_kappa(&p->h, r[i], NULL, NULL);
    /* kappa(r_i + r_j) by distinct level pair (rungs: a handful) */
    double lv[BO_MAX_LEVELS], ts[BO_MAX_LEVELS * BO_MAX_LEVELS];
    size_t nl = 0, *lev = m->mf ? malloc(n1 * sizeof *lev) : NULL;
    int tables = lev != NULL;
    for (size_t i = 0; tables && i < n; i++) {
        size_t a = 0;
        while (a < nl && lv[a] != r[i])
            a++;
        if (a == nl) {
            if (nl == BO_MAX_LEVELS) {
                tables = 0;
                break;
            }
            lv[nl++] = r[i];
        }
        lev[i] = a;
    }
    for (size_t a = 0; tables && a < nl; a++)
        for (size_t b = 0; b < nl; b++)
            ts[a * BO_MAX_LEVELS + b] = bo_kappa(&p->h, lv[a] + lv[b], NULL,
                                                 NULL);
    const double g2 = p->h.gamma * p->h.gamma;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++) {
            /* bo_cov, with the kappa values looked up */
            double k = bo_matern(&p->h, x + i * d, x + j * d, NULL);
            if (m->mf) {
                double ks = tables ? ts[lev[i] * BO_MAX_LEVELS + lev[j]]
                                   : bo_kappa(&p->h, r[i] + r[j], NULL, NULL);
                k += g2 * (ks - p->k[i] * p->k[j]);
            }
            K[i + j * n] = K[j + i * n] = k;
        }
    free(lev);
    int rc = bo_chol_jitter(K, n, p->h.noise, p->L, &p->jitter);
    free(K);
    if (rc != 0) {
        bo_post_free(p);
        return -1;
    }
    for (size_t c = 0; c < mc; c++)
        for (size_t i = 0; i < n; i++)
            p->alpha[i + c * n] =
                Y[i + c * n] - bo_mean_at(&p->h, m->mf ? r[i] : 0.0);
    bo_chol_solve(p->L, n, p->alpha, mc);
    return 0;
}

/* Multi-fidelity: the resource part of k((x, r), (x_i, r_i)) for every
 * training input, gamma^2 (kappa(r + r_i) - kappa(r) kappa(r_i)), cached
 * for the last r (the acquisition evaluates at one resource). NULL when
 * single-fidelity. */
static const double *resource_terms(struct bo_post *p, double r)
{
    if (!p->h.mf)
        return NULL;
    if (!p->rt_valid || p->rt_r != r) {
        double kr = bo_kappa(&p->h, r, NULL, NULL);
        for (size_t i = 0; i < p->n; i++)
            p->rt[i] = p->h.gamma * p->h.gamma *
                       (bo_kappa(&p->h, r + p->r[i], NULL, NULL) -
                        kr * bo_kappa(&p->h, p->r[i], NULL, NULL));
        p->rt_r = r;
        p->rt_valid = 1;
    }
    return p->rt;
}

void bo_post_predict(struct bo_post *p, const double *x, double r,
                     double *mean, double *var, double *dmean, double *dvar)
{
    size_t n = p->n, d = p->d;
    int grad = dmean && dvar;
    const double *rt = resource_terms(p, r);
    for (size_t i = 0; i < n; i++) {
        const double *xi = p->x + i * d;
        double dq;
        double k = bo_matern(&p->h, x, xi, grad ? &dq : NULL);
        if (rt)
            k += rt[i];
        p->k[i] = k;
        p->v[i] = k;
        if (grad)
            for (size_t l = 0; l < d; l++)
                p->dk[i * d + l] = dq * 2.0 * p->h.b2[l] * (x[l] - xi[l]);
    }
    double m0 = bo_mean_at(&p->h, r);
    for (size_t c = 0; c < p->mc; c++) {
        const double *al = p->alpha + c * n;
        double s = m0;
        for (size_t i = 0; i < n; i++)
            s += p->k[i] * al[i];
        mean[c] = s;
        if (grad)
            for (size_t l = 0; l < d; l++) {
                double g = 0.0;
                for (size_t i = 0; i < n; i++)
                    g += al[i] * p->dk[i * d + l];
                dmean[c * d + l] = g;
            }
    }
    if (!var)
        return;
    bo_chol_lsolve(p->L, n, p->v);
    double vv = 0.0;
    for (size_t i = 0; i < n; i++)
        vv += p->v[i] * p->v[i];
    double v = bo_kdiag(&p->h, r) - vv;
    int floored = !(v > 1e-12);
    *var = floored ? 1e-12 : v;
    if (!grad)
        return;
    /* dvar/dx = -2 (A^{-1} k)^T dk/dx; zero where the floor is active */
    bo_chol_ltsolve(p->L, n, p->v);
    for (size_t l = 0; l < d; l++) {
        double g = 0.0;
        if (!floored)
            for (size_t i = 0; i < n; i++)
                g += p->v[i] * p->dk[i * d + l];
        dvar[l] = -2.0 * g;
    }
}

int bo_post_sample(struct bo_post *p, const double *xp, const double *rp,
                   size_t np, size_t ns, double (*normal)(void *),
                   void *nctx, double *out)
{
    size_t n = p->n, d = p->d;
    double *V = malloc((n ? n : 1) * np * sizeof *V);
    double *S = malloc(np * np * sizeof *S);
    double *Ls = malloc(np * np * sizeof *Ls);
    double *mu = malloc(np * sizeof *mu);
    int rc = -1;
    if (!V || !S || !Ls || !mu)
        goto done;
    for (size_t a = 0; a < np; a++) {
        double ra = rp ? rp[a] : 0.0;
        double mm = bo_mean_at(&p->h, ra);
        for (size_t i = 0; i < n; i++) {
            double k = bo_cov(&p->h, xp + a * d, ra, p->x + i * d,
                              p->r ? p->r[i] : 0.0);
            V[i + a * n] = k;
            mm += k * p->alpha[i];
        }
        mu[a] = mm;
    }
    bo_chol_lsolve_mat(p->L, n, V, np);
    for (size_t b = 0; b < np; b++)
        for (size_t a = b; a < np; a++) {
            double s = bo_cov(&p->h, xp + a * d, rp ? rp[a] : 0.0,
                              xp + b * d, rp ? rp[b] : 0.0);
            for (size_t i = 0; i < n; i++)
                s -= V[i + a * n] * V[i + b * n];
            S[a + b * np] = S[b + a * np] = s;
        }
    double jit;
    if (np == 1) /* marginal draw, as Syne Tune for one pending config */
        Ls[0] = sqrt(S[0] > 1e-12 ? S[0] : 1e-12);
    else if (bo_chol_jitter(S, np, 1e-5, Ls, &jit) != 0)
        goto done;
    for (size_t c = 0; c < ns; c++) {
        double *col = out + c * np;
        for (size_t a = 0; a < np; a++)
            col[a] = normal(nctx);
        /* col := mean + Ls z (lower triangular product, bottom-up) */
        for (size_t a = np; a-- > 0;) {
            double s = 0.0;
            for (size_t b = 0; b <= a; b++)
                s += Ls[a + b * np] * col[b];
            col[a] = mu[a] + s;
        }
    }
    rc = 0;
done:
    free(V);
    free(S);
    free(Ls);
    free(mu);
    return rc;
}

int bo_post_predict_batch(struct bo_post *p, const double *xs, size_t N,
                          double r, double *mean, double *var)
{
    size_t n = p->n, d = p->d, mc = p->mc;
    if (N == 0)
        return 0;
    double *Ks = malloc((n ? n : 1) * N * sizeof *Ks);
    double *M = malloc(N * (mc ? mc : 1) * sizeof *M);
    if (!Ks || !M) {
        free(Ks);
        free(M);
        return -1;
    }
    const double *rt = resource_terms(p, r);
    for (size_t c = 0; c < N; c++)
        for (size_t i = 0; i < n; i++) {
            double k = bo_matern(&p->h, xs + c * d, p->x + i * d, NULL);
            if (rt)
                k += rt[i];
            Ks[i + c * n] = k;
        }
    double m0 = bo_mean_at(&p->h, r);
    if (n && mc)
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (blasint)N,
                    (blasint)mc, (blasint)n, 1.0, Ks, (blasint)n, p->alpha,
                    (blasint)n, 0.0, M, (blasint)N);
    else
        memset(M, 0, N * (mc ? mc : 1) * sizeof *M);
    for (size_t c = 0; c < N; c++)
        for (size_t j = 0; j < mc; j++)
            mean[c * mc + j] = m0 + M[c + j * N];
    bo_chol_lsolve_mat(p->L, n, Ks, N);
    double kd = bo_kdiag(&p->h, r);
    for (size_t c = 0; c < N; c++) {
        double vv = 0.0;
        for (size_t i = 0; i < n; i++)
            vv += Ks[i + c * n] * Ks[i + c * n];
        double v = kd - vv;
        var[c] = v > 1e-12 ? v : 1e-12;
    }
    free(Ks);
    free(M);
    return 0;
}
