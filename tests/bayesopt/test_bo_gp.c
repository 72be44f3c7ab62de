/* The GP pieces of the bayesopt searcher, compiled in directly: posterior
 * mean and variance against closed forms on tiny data, the marginal
 * likelihood and its gradient (single and multi-fidelity kernels) against
 * the closed form and finite differences, EI against its closed form and
 * a numerical integral, the acquisition gradient, jitter on singular
 * kernels, the fit, and joint fantasy samples. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bo_acq.h"
#include "bo_chol.h"
#include "bo_fit.h"
#include "bo_gp.h"
#include "bo_kernel.h"

#define PI 3.14159265358979323846

/* |a - b| <= tol, reporting both values (this cmocka has no double
 * assertion) */
#define assert_double_equal(a, b, tol)                                      \
    do {                                                                    \
        double a_ = (a), b_ = (b), t_ = (tol);                              \
        if (!(fabs(a_ - b_) <= t_))                                         \
            fail_msg("%s = %.12g, expected %s = %.12g (tolerance %g)", #a,  \
                     a_, #b, b_, t_);                                       \
    } while (0)

/* A small deterministic normal generator for the tests (Box-Muller on a
 * 64-bit LCG), independent of the host RNG. */
struct lcg {
    uint64_t s;
};
static double lcg_u(struct lcg *g)
{
    g->s = g->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(g->s >> 11) + 0.5) / 9007199254740992.0;
}
static double lcg_normal(void *p)
{
    struct lcg *g = p;
    double u1 = lcg_u(g), u2 = lcg_u(g);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * PI * u2);
}

/* Matérn-5/2 written out: c (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r). */
static double matern_ref(double c, double r)
{
    double s5 = sqrt(5.0) * r;
    return c * (1.0 + s5 + 5.0 * r * r / 3.0) * exp(-s5);
}

static void set_bo_theta(struct bo_model *m, double noise, double c, double mu,
                         const double *b)
{
    m->theta[bo_off_noise(m)] = log(noise);
    m->theta[bo_off_scale(m)] = log(c);
    m->theta[bo_off_mean(m)] = mu;
    for (size_t j = 0; j < m->d; j++)
        m->theta[bo_off_bw(m) + j] = log(b[j]);
}

static void test_posterior_closed_form(void **state)
{
    (void)state;
    const double noise = 0.01, c = 1.5, mu = 0.3, b = 2.0;
    const double x[2] = {0.2, 0.7}, y[2] = {0.5, -1.0}, xs = 0.45;
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 0, 1), 0);
    set_bo_theta(&m, noise, c, mu, &b);
    struct bo_post p = {0};
    assert_int_equal(bo_post_compute(&p, &m, x, NULL, 2, y, 1), 0);
    assert_true(p.jitter == 0.0);

    /* A = K + noise I, inverted as a 2 x 2 matrix */
    double k01 = matern_ref(c, b * fabs(x[0] - x[1]));
    double a = c + noise, det = a * a - k01 * k01;
    double inv[2][2] = {{a / det, -k01 / det}, {-k01 / det, a / det}};
    double ks[2] = {matern_ref(c, b * fabs(xs - x[0])),
                    matern_ref(c, b * fabs(xs - x[1]))};
    double z[2] = {y[0] - mu, y[1] - mu};
    double mean = mu, quad = 0.0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            mean += ks[i] * inv[i][j] * z[j];
            quad += ks[i] * inv[i][j] * ks[j];
        }
    double got_mean, got_var;
    bo_post_predict(&p, &xs, 0.0, &got_mean, &got_var, NULL, NULL);
    assert_double_equal(got_mean, mean, 1e-7);
    assert_double_equal(got_var, c - quad, 1e-7);

    /* at a training input with tiny noise the mean interpolates */
    set_bo_theta(&m, 1e-8, c, mu, &b);
    assert_int_equal(bo_post_compute(&p, &m, x, NULL, 2, y, 1), 0);
    bo_post_predict(&p, &x[1], 0.0, &got_mean, &got_var, NULL, NULL);
    assert_double_equal(got_mean, y[1], 1e-5);
    assert_true(got_var < 1e-5);

    /* the batch prediction agrees with the single one */
    double xb[3] = {0.0, 0.45, 0.9}, mb[3], vb[3];
    assert_int_equal(bo_post_predict_batch(&p, xb, 3, 0.0, mb, vb), 0);
    for (int i = 0; i < 3; i++) {
        bo_post_predict(&p, &xb[i], 0.0, &got_mean, &got_var, NULL, NULL);
        assert_double_equal(mb[i], got_mean, 1e-10);
        assert_double_equal(vb[i], got_var, 1e-10);
    }
    bo_post_free(&p);
    bo_model_free(&m);
}

static void test_mf_kernel_closed_form(void **state)
{
    (void)state;
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 1, 1), 0);
    double b = 1.7, c = 0.8, alpha = 2.5, gamma = 0.4, lam = 0.7, mu = -0.2;
    set_bo_theta(&m, 1e-3, c, mu, &b);
    m.theta[BO_OFF_ALPHA] = log(alpha);
    m.theta[BO_OFF_GAMMA] = log(gamma);
    m.theta[BO_OFF_LAM] = log(lam);
    double b2[1];
    struct bo_hyp h;
    bo_hyp_unpack(&m, b2, &h);
    double beta = alpha / lam;
#define KAPPA(s) pow(beta / ((s) + beta), alpha)
    double x = 0.1, xp = 0.6, r = 0.2, rp = 0.55;
    double want = matern_ref(c, b * 0.5) +
                  gamma * gamma * (KAPPA(r + rp) - KAPPA(r) * KAPPA(rp));
    assert_double_equal(bo_cov(&h, &x, r, &xp, rp), want, 1e-7);
    assert_double_equal(bo_kdiag(&h, r),
                        c + gamma * gamma * (KAPPA(2 * r) - KAPPA(r) * KAPPA(r)),
                        1e-12);
    assert_double_equal(bo_mean_at(&h, r), mu + gamma * KAPPA(r), 1e-12);
#undef KAPPA
    bo_model_free(&m);
}

/* NLL of §3.5 for n = 2 written out, penalties included. */
static void test_nll_closed_form(void **state)
{
    (void)state;
    const double noise = 0.05, c = 2.0, mu = 0.1, b = 3.0;
    const double x[2] = {0.1, 0.3}, y[2] = {1.0, -0.5};
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 0, 1), 0);
    set_bo_theta(&m, noise, c, mu, &b);
    struct bo_data dt = {2, 1, x, NULL, y};
    struct bo_ws ws = {0};
    double f;
    assert_int_equal(bo_nll(&m, &dt, &ws, &f, NULL), 0);
    double k01 = matern_ref(c, b * 0.2), a = c + noise;
    double det = a * a - k01 * k01;
    double z0 = y[0] - mu, z1 = y[1] - mu;
    double quad = (a * z0 * z0 - 2 * k01 * z0 * z1 + a * z1 * z1) / det;
    double pen = 0.9 * log(noise) + noise + lgamma(0.1) + log(c) +
                 0.5 * log(c) * log(c) + 0.5 * mu * mu + log(100.0 - 1e-4);
    double want = log(2 * PI) + 0.5 * log(det) + 0.5 * quad + pen;
    assert_double_equal(f, want, 1e-7);
    bo_ws_free(&ws);
    bo_model_free(&m);
}

static void check_gradient(int mf)
{
    enum { N = 9, D = 3 };
    struct lcg g = {mf ? 7u : 3u};
    double x[N * D], r[N], y[N];
    for (int i = 0; i < N * D; i++)
        x[i] = lcg_u(&g);
    for (int i = 0; i < N; i++) {
        r[i] = (double)(1 + i % 3) / 4.0;
        y[i] = lcg_normal(&g);
    }
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, mf, D), 0);
    double lo[D + 6], hi[D + 6];
    bo_model_bounds(&m, lo, hi);
    for (size_t i = 0; i < m.np; i++) {
        double l = isfinite(lo[i]) ? lo[i] : -2, h = isfinite(hi[i]) ? hi[i] : 2;
        /* well inside the box, away from where jitter would kick in */
        m.theta[i] = l + (h - l) * (0.3 + 0.4 * lcg_u(&g));
    }
    m.theta[bo_off_noise(&m)] = log(0.05);
    struct bo_data dt = {N, D, x, mf ? r : NULL, y};
    struct bo_ws ws = {0};
    double f, grad[D + 6];
    assert_int_equal(bo_nll(&m, &dt, &ws, &f, grad), 0);
    for (size_t i = 0; i < m.np; i++) {
        double t = m.theta[i], h = 1e-5, fp, fm;
        m.theta[i] = t + h;
        assert_int_equal(bo_nll(&m, &dt, &ws, &fp, NULL), 0);
        m.theta[i] = t - h;
        assert_int_equal(bo_nll(&m, &dt, &ws, &fm, NULL), 0);
        m.theta[i] = t;
        double fd = (fp - fm) / (2 * h);
        if (fabs(fd - grad[i]) > 1e-5 * (1.0 + fabs(fd)))
            fail_msg("%s parameter %zu: gradient %.10g, finite difference "
                     "%.10g",
                     mf ? "mf" : "bo", i, grad[i], fd);
    }
    bo_ws_free(&ws);
    bo_model_free(&m);
}

static void test_gradient_bo(void **state)
{
    (void)state;
    check_gradient(0);
}

static void test_gradient_mf(void **state)
{
    (void)state;
    check_gradient(1);
}

/* EI against its closed form s (u Phi(u) + phi(u)) written with erf, and
 * against E[max(f* - xi - Y, 0)] integrated numerically. */
static void test_ei_closed_form(void **state)
{
    (void)state;
    const double mu = 0.3, sd = 0.7, fstar = 0.5, xi = 0.01;
    double dm, ds;
    double a = bo_ei_neg(&mu, 1, sd, &fstar, xi, &dm, &ds);
    double u = (fstar - mu - xi) / sd;
    double Phi = 0.5 * (1.0 + erf(u / sqrt(2.0)));
    double phi = exp(-0.5 * u * u) / sqrt(2 * PI);
    assert_double_equal(-a, sd * (u * Phi + phi), 1e-12);
    double integral = 0.0, h = 1e-4;
    for (double t = -12.0; t < 12.0; t += h) {
        double yv = mu + sd * (t + h / 2);
        double imp = fstar - xi - yv;
        if (imp > 0)
            integral += imp * exp(-0.5 * (t + h / 2) * (t + h / 2)) /
                        sqrt(2 * PI) * h;
    }
    assert_double_equal(-a, integral, 1e-6);
    /* derivatives by finite differences */
    double e = 1e-6, mp = mu + e, mm = mu - e;
    double fd_m = (bo_ei_neg(&mp, 1, sd, &fstar, xi, NULL, NULL) -
                   bo_ei_neg(&mm, 1, sd, &fstar, xi, NULL, NULL)) /
                  (2 * e);
    double fd_s = (bo_ei_neg(&mu, 1, sd + e, &fstar, xi, NULL, NULL) -
                   bo_ei_neg(&mu, 1, sd - e, &fstar, xi, NULL, NULL)) /
                  (2 * e);
    assert_double_equal(dm, fd_m, 1e-6);
    assert_double_equal(ds, fd_s, 1e-6);
    /* averaging over columns */
    double means[2] = {0.3, 0.9}, fs[2] = {0.5, 1.2};
    double avg = bo_ei_neg(means, 2, sd, fs, xi, NULL, NULL);
    assert_double_equal(avg,
                        0.5 * (bo_ei_neg(&means[0], 1, sd, &fs[0], xi, NULL,
                                         NULL) +
                               bo_ei_neg(&means[1], 1, sd, &fs[1], xi, NULL,
                                         NULL)),
                        1e-14);
}

/* The acquisition's input gradient (fantasy columns, de-normalisation)
 * against finite differences, and its local minimisation. */
static void test_acquisition_gradient(void **state)
{
    (void)state;
    enum { N = 8, D = 2, MC = 3 };
    struct lcg g = {11};
    double x[N * D], Y[N * MC];
    for (int i = 0; i < N * D; i++)
        x[i] = lcg_u(&g);
    for (int i = 0; i < N * MC; i++)
        Y[i] = lcg_normal(&g);
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 0, D), 0);
    double b[D] = {2.0, 0.7};
    set_bo_theta(&m, 1e-3, 1.3, 0.1, b);
    struct bo_post p = {0};
    assert_int_equal(bo_post_compute(&p, &m, x, NULL, N, Y, MC), 0);
    double fstar[MC] = {-1.0, -0.5, -1.5};
    struct bo_acq a;
    assert_int_equal(bo_acq_init(&a, &p, 2.0, 3.0, fstar, 0.01, 0.0), 0);
    double xt[D] = {0.37, 0.61}, grad[D];
    double v = bo_acq_eval(&a, xt, grad);
    assert_true(v < 0);
    for (int l = 0; l < D; l++) {
        double t = xt[l], e = 1e-6;
        xt[l] = t + e;
        double fp = bo_acq_eval(&a, xt, NULL);
        xt[l] = t - e;
        double fm = bo_acq_eval(&a, xt, NULL);
        xt[l] = t;
        assert_double_equal(grad[l], (fp - fm) / (2 * e),
                            1e-5 * (1 + fabs(grad[l])));
    }
    double lo[D] = {0, 0}, hi[D] = {1, 1};
    int nev = 0;
    double best = bo_acq_minimize(&a, xt, lo, hi, 1000, &nev);
    assert_true(nev > 0);
    assert_true(best <= v);
    for (int l = 0; l < D; l++)
        assert_true(xt[l] >= 0 && xt[l] <= 1);
    /* a fixed coordinate (equal bounds) stays where it is */
    double xf[D] = {0.37, 0.61}, lof[D] = {0, 0.61}, hif[D] = {1, 0.61};
    bo_acq_minimize(&a, xf, lof, hif, 1000, &nev);
    assert_true(xf[1] == 0.61);
    bo_acq_free(&a);
    bo_post_free(&p);
    bo_model_free(&m);
}

/* Duplicate inputs with the smallest noise: the plain Cholesky fails, the
 * jitter loop rescues it; NLL and posterior stay finite. */
static void test_jitter(void **state)
{
    (void)state;
    double x[4] = {0.5, 0.5, 0.5, 0.2};
    double y[4] = {1.0, 1.0, 1.0, -1.0};
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 0, 1), 0);
    double b = 1e-4; /* all points nearly identical to the kernel */
    set_bo_theta(&m, 1e-9, 1.0, 0.0, &b);
    double K[16];
    double b2[1];
    struct bo_hyp h;
    bo_hyp_unpack(&m, b2, &h);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            K[i + 4 * j] = bo_cov(&h, &x[i], 0, &x[j], 0);
    double L[16], jit = -1;
    assert_int_equal(bo_chol_jitter(K, 4, 1e-9, L, &jit), 0);
    /* an exactly singular matrix (rank one) needs jitter */
    double ones[16];
    for (int i = 0; i < 16; i++)
        ones[i] = 2.0;
    assert_int_equal(bo_chol_jitter(ones, 4, 0.0, L, &jit), 0);
    assert_true(jit >= 2e-9 && jit <= 2e3);
    /* L L^T reproduces the jittered matrix */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0;
            for (int k = 0; k <= j; k++)
                s += L[i + 4 * k] * L[j + 4 * k];
            assert_double_equal(s, 2.0 + (i == j ? jit : 0.0), 1e-9);
        }
    struct bo_data dt = {4, 1, x, NULL, y};
    struct bo_ws ws = {0};
    double f, grad[4];
    assert_int_equal(bo_nll(&m, &dt, &ws, &f, grad), 0);
    assert_true(isfinite(f));
    struct bo_post p = {0};
    assert_int_equal(bo_post_compute(&p, &m, x, NULL, 4, y, 1), 0);
    double mean, var, xs = 0.3;
    bo_post_predict(&p, &xs, 0, &mean, &var, NULL, NULL);
    assert_true(isfinite(mean) && var >= 1e-12);
    /* a matrix with NaN never factorises */
    K[5] = K[0] = NAN;
    assert_int_equal(bo_chol_jitter(K, 4, 1e-9, L, &jit), -1);
    bo_post_free(&p);
    bo_ws_free(&ws);
    bo_model_free(&m);
}

/* The fit lowers the objective below its value at the initial parameters,
 * stays inside the box and is a function of the normal draws. */
static void test_fit(void **state)
{
    (void)state;
    enum { N = 12, D = 2 };
    struct lcg g = {5};
    double x[N * D], y[N];
    for (int i = 0; i < N; i++) {
        x[2 * i] = lcg_u(&g);
        x[2 * i + 1] = lcg_u(&g);
        y[i] = sin(6 * x[2 * i]) + 0.1 * x[2 * i + 1];
    }
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 0, D), 0);
    struct bo_data dt = {N, D, x, NULL, y};
    struct bo_ws ws = {0};
    double f0;
    assert_int_equal(bo_nll(&m, &dt, &ws, &f0, NULL), 0);
    struct bo_fit_opts o = {2, 50, 1e-6, 0, 1, 0};
    struct lcg n1 = {99}, n2 = {99};
    double best;
    assert_int_equal(bo_fit(&m, &dt, &ws, &o, lcg_normal, &n1, &best, NULL), 2);
    assert_true(best < f0 - 1.0);
    double f1;
    assert_int_equal(bo_nll(&m, &dt, &ws, &f1, NULL), 0);
    /* the fit caches pair distances: equal up to rounding */
    assert_double_equal(f1, best, 1e-9 * fabs(best));
    double lo[D + 3], hi[D + 3], theta1[D + 3];
    bo_model_bounds(&m, lo, hi);
    for (size_t i = 0; i < m.np; i++)
        assert_true(m.theta[i] >= lo[i] && m.theta[i] <= hi[i]);
    memcpy(theta1, m.theta, sizeof theta1);
    assert_int_equal(bo_fit(&m, &dt, &ws, &o, lcg_normal, &n2, &best, NULL), 2);
    assert_memory_equal(theta1, m.theta, sizeof theta1);

    bo_ws_free(&ws);
    bo_model_free(&m);
}

/* A warm fit starts from the fitted values: it draws no normals (one
 * restart), needs fewer evaluations than the cold fit and ends no worse;
 * the cold fit of the same data draws its restart's normals. */
static void test_fit_warm(void **state)
{
    (void)state;
    enum { N = 40, D = 2 };
    struct lcg g = {8};
    double x[N * D], y[N];
    for (int i = 0; i < N; i++) {
        x[2 * i] = lcg_u(&g);
        x[2 * i + 1] = lcg_u(&g);
        y[i] = sin(6 * x[2 * i]) + cos(3 * x[2 * i + 1]);
    }
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 0, D), 0);
    struct bo_data dt = {N, D, x, NULL, y};
    struct bo_ws ws = {0};
    struct bo_fit_opts cold = {2, 50, 1e-6, 0, 1, 0};
    struct bo_fit_opts warm = {1, 50, 1e-6, 1, 1, 4};
    struct lcg n1 = {3};
    struct bo_fit_stats sc, sw;
    double fc, fw;
    assert_int_equal(bo_fit(&m, &dt, &ws, &cold, lcg_normal, &n1, &fc, &sc),
                     2);
    assert_int_equal(sc.restarts, 2);
    assert_true(n1.s != 3); /* restart 1 drew its start */
    /* one more point: the warm refit from the fitted values */
    struct bo_data dt2 = {N - 1, D, x, NULL, y};
    struct lcg n2 = {3};
    assert_int_equal(bo_fit(&m, &dt2, &ws, &warm, lcg_normal, &n2, &fw, &sw),
                     1);
    assert_true(n2.s == 3); /* no draws */
    assert_int_equal(sw.restarts, 1);
    assert_true(sw.evals > 0 && sw.evals < sc.evals / 2);
    /* the cold fit of dt2 is not better than the warm one by much */
    struct bo_model m2;
    assert_int_equal(bo_model_init(&m2, 0, D), 0);
    struct lcg n3 = {3};
    double fc2;
    assert_int_equal(bo_fit(&m2, &dt2, &ws, &cold, lcg_normal, &n3, &fc2,
                            NULL),
                     2);
    assert_true(fw <= fc2 + 1e-3 * fabs(fc2));
    bo_model_free(&m2);
    bo_ws_free(&ws);
    bo_model_free(&m);
}

/* Joint samples at two points: their empirical mean and covariance match
 * the posterior's (plus the 1e-5 jitter of §3.7). */
/* From 64 points on, restarts run two at a time in threads: the result is
 * the one of the sequential fit, for two restarts and for three (a pair,
 * then one alone). */
static void test_fit_threads(void **state)
{
    (void)state;
    enum { N = 70, D = 2 };
    struct lcg g = {8};
    double x[N * D], y[N];
    for (int i = 0; i < N; i++) {
        x[2 * i] = lcg_u(&g);
        x[2 * i + 1] = lcg_u(&g);
        y[i] = cos(5 * x[2 * i]) * x[2 * i + 1] + 0.05 * lcg_normal(&g);
    }
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 0, D), 0);
    struct bo_data dt = {N, D, x, NULL, y};
    struct bo_ws ws = {0};
    for (int starts = 2; starts <= 3; starts++) {
        struct lcg n1 = {42}, n2 = {42};
        struct bo_fit_opts seq = {starts, 30, 1e-6, 0, 1, 0};
        struct bo_fit_opts par = {starts, 30, 1e-6, 0, 2, 0};
        double b1, b2, t1[D + 3];
        assert_int_equal(bo_fit(&m, &dt, &ws, &seq, lcg_normal, &n1, &b1, NULL),
                         starts);
        memcpy(t1, m.theta, sizeof t1);
        assert_int_equal(bo_fit(&m, &dt, &ws, &par, lcg_normal, &n2, &b2, NULL),
                         starts);
        assert_memory_equal(t1, m.theta, sizeof t1);
        assert_true(b1 == b2);
    }
    bo_ws_free(&ws);
    bo_model_free(&m);
}

static void test_joint_samples(void **state)
{
    (void)state;
    double x[3] = {0.1, 0.5, 0.9}, y[3] = {0.3, -0.2, 0.8};
    struct bo_model m;
    assert_int_equal(bo_model_init(&m, 0, 1), 0);
    double b = 2.0;
    set_bo_theta(&m, 1e-2, 1.0, 0.0, &b);
    struct bo_post p = {0};
    assert_int_equal(bo_post_compute(&p, &m, x, NULL, 3, y, 1), 0);
    enum { S = 20000 };
    double xp[2] = {0.3, 0.35};
    double *out = malloc(2 * S * sizeof *out);
    struct lcg g = {17};
    assert_int_equal(bo_post_sample(&p, xp, NULL, 2, S, lcg_normal, &g, out),
                     0);
    double m0 = 0, m1 = 0;
    for (int s = 0; s < S; s++)
        m0 += out[2 * s], m1 += out[2 * s + 1];
    m0 /= S, m1 /= S;
    double v0 = 0, c01 = 0;
    for (int s = 0; s < S; s++) {
        v0 += (out[2 * s] - m0) * (out[2 * s] - m0);
        c01 += (out[2 * s] - m0) * (out[2 * s + 1] - m1);
    }
    v0 /= S, c01 /= S;
    double mean0, var0, mean1, var1;
    bo_post_predict(&p, &xp[0], 0, &mean0, &var0, NULL, NULL);
    bo_post_predict(&p, &xp[1], 0, &mean1, &var1, NULL, NULL);
    assert_double_equal(m0, mean0, 5 * sqrt(var0 / S));
    assert_double_equal(m1, mean1, 5 * sqrt(var1 / S));
    assert_double_equal(v0, var0 + 1e-5, 0.05 * var0);
    /* the two close points are strongly correlated */
    assert_true(c01 > 0.8 * sqrt(var0 * var1));
    /* one point: the marginal draw without the extra jitter */
    assert_int_equal(bo_post_sample(&p, xp, NULL, 1, S, lcg_normal, &g, out),
                     0);
    double s1 = 0, s2 = 0;
    for (int s = 0; s < S; s++)
        s1 += out[s], s2 += out[s] * out[s];
    assert_double_equal(s1 / S, mean0, 5 * sqrt(var0 / S));
    assert_double_equal(s2 / S - (s1 / S) * (s1 / S), var0, 0.05 * var0);
    free(out);
    bo_post_free(&p);
    bo_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posterior_closed_form),
        cmocka_unit_test(test_mf_kernel_closed_form),
        cmocka_unit_test(test_nll_closed_form),
        cmocka_unit_test(test_gradient_bo),
        cmocka_unit_test(test_gradient_mf),
        cmocka_unit_test(test_ei_closed_form),
        cmocka_unit_test(test_acquisition_gradient),
        cmocka_unit_test(test_jitter),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_fit_threads),
        cmocka_unit_test(test_fit_warm),
        cmocka_unit_test(test_joint_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
