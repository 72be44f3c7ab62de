/* bo_suggest.c: get_config of the GP searchers (schedulers reference §3.3,
 * §3.6-3.9; multi-fidelity §5.4): initial configurations, the random phase,
 * then fit, fantasies, candidates, Thompson ranking and one local EI
 * optimisation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bo_acq.h"
#include "bo_fit.h"
#include "bo_searcher.h"

#define RANDOM_ATTEMPTS (50 * 100) /* §3.3: 50 x RandomSearcher's 100 */
#define CANDIDATE_ROUNDS 20
#define ACQ_MAXITER 1000
#define WARM_MAXLS 4

/* Monotonic clock in ms, for the debug log's timings. */
static double mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int32_t nomem(struct hpolab_ctx *ctx)
{
    return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
}

static int excluded(const struct bo_searcher *s, const struct hpolab_config *c)
{
    return hpolab_host->config_set_contains(s->excluded, c);
}

static int32_t random_config(struct bo_searcher *s, struct hpolab_ctx *ctx,
                             struct hpolab_config **out)
{
    for (int k = 0; k < RANDOM_ATTEMPTS; k++) {
        struct hpolab_config *c;
        int32_t st = bo_rng_sample(&s->rng, ctx, s->space, 0, &c);
        if (st != HPOLAB_OK)
            return st;
        if (!excluded(s, c)) {
            *out = c;
            return HPOLAB_OK;
        }
        hpolab_host->config_free(c);
    }
    hpolab_log(ctx, HPOLAB_LOG_INFO,
               "%d random draws in a row were suggested before",
               RANDOM_ATTEMPTS);
    return HPOLAB_OK;
}

/* Everything one model-based decision allocates. */
struct work {
    size_t *idx;
    double *X, *R, *y, *Xp, *Rp, *F, *Xa, *Ra, *Y;
    double *fstar, *mean, *var, *score, *cx, *lo, *hi, *x;
    size_t *order;
    struct hpolab_config **cand;
    size_t ncand;
    struct bo_post post0, post;
    struct bo_acq acq;
};

static void work_free(struct work *w)
{
    free(w->idx), free(w->X), free(w->R), free(w->y), free(w->Xp);
    free(w->Rp), free(w->F), free(w->Xa), free(w->Ra), free(w->Y);
    free(w->fstar), free(w->mean), free(w->var), free(w->score);
    free(w->cx), free(w->lo), free(w->hi), free(w->x), free(w->order);
    for (size_t i = 0; i < w->ncand; i++)
        hpolab_host->config_free(w->cand[i]);
    free(w->cand);
    bo_post_free(&w->post0);
    bo_post_free(&w->post);
    bo_acq_free(&w->acq);
}

/* §5.4 b: the largest level with >= threshold observations, else the
 * smallest observed level. */
static int64_t acq_resource(const struct bo_searcher *s)
{
    int64_t best = -1, smallest = -1;
    for (size_t i = 0; i < s->nobs; i++) {
        int64_t r = s->obs[i].r;
        if (smallest < 0 || r < smallest)
            smallest = r;
        if (r <= best)
            continue;
        int64_t cnt = 0;
        for (size_t j = 0; j < s->nobs; j++)
            cnt += s->obs[j].r == r;
        if (cnt >= s->o.resource_acq_bohb_threshold)
            best = r;
    }
    return best >= 0 ? best : smallest;
}

/* Fit decision of §3.6: refit iff the observation count changed (every
 * opt_skip_period-th change once opt_skip_init_length is reached). */
static int32_t maybe_fit(struct bo_searcher *s, struct hpolab_ctx *ctx,
                         const struct bo_data *dt)
{
    int fit = !s->fitted;
    if (s->fitted && s->nobs != s->fit_nobs) {
        s->growths++;
        fit = (int64_t)s->nobs < s->o.opt_skip_init_length ||
              s->o.opt_skip_period <= 1 ||
              s->growths % (uint64_t)s->o.opt_skip_period == 0;
    }
    s->fit_nobs = s->nobs;
    if (!fit)
        return HPOLAB_OK;
    /* hpolab: from opt_warm_init_length observations on, a refit starts
     * from the last fitted values (one restart, short line searches); the
     * cold fits before it settle the hyperparameters in a good basin (warm
     * chains started on a handful of points stay in poor ones) */
    int warm = s->o.opt_warmstart && s->fitted &&
               (int64_t)dt->n >= s->o.opt_warm_init_length;
    /* every opt_restart_period-th warm refit also runs the cold fit and
     * keeps the better of the two */
    int check = warm && s->o.opt_restart_period > 0 &&
                (s->fits + 1) % (uint64_t)s->o.opt_restart_period == 0;
    struct bo_fit_opts fo = {warm ? 1 : (int)s->o.opt_nstarts,
                             (int)s->o.opt_maxiter, s->o.opt_tol, warm,
                             (int)s->o.fit_threads, warm ? WARM_MAXLS : 0};
    double f = INFINITY, fc = INFINITY;
    struct bo_fit_stats fs = {0, 0}, fsc = {0, 0};
    double t0 = mono_ms();
    /* hpolab: beyond opt_fit_max_size points the hyperparameters are
     * fitted on an evenly spaced subset (every step-th observation in data
     * order): a fit evaluation is O(n^3), the fitted values change little */
    struct bo_data sub = *dt;
    double *sx = NULL, *sr = NULL, *sy = NULL;
    size_t m = (size_t)s->o.opt_fit_max_size;
    if (m > 0 && dt->n > m) {
        size_t d = dt->d;
        sx = malloc(m * (d ? d : 1) * sizeof *sx);
        sr = malloc(m * sizeof *sr);
        sy = malloc(m * sizeof *sy);
        if (!sx || !sr || !sy) {
            free(sx), free(sr), free(sy);
            return nomem(ctx);
        }
        for (size_t j = 0; j < m; j++) {
            size_t i = (size_t)((double)j * (double)dt->n / (double)m);
            memcpy(sx + j * d, dt->x + i * d, d * sizeof *sx);
            sr[j] = dt->r ? dt->r[i] : 0.0;
            sy[j] = dt->y[i];
        }
        sub = (struct bo_data){m, d, sx, dt->r ? sr : NULL, sy};
        dt = &sub;
    }
    int rc = bo_fit(&s->model, dt, &s->ws, &fo, bo_rng_normal_cb, &s->gp_rng,
                    &f, &fs);
    if (rc >= 0 && check) {
        struct bo_model cold = s->model;
        cold.theta = malloc(cold.np * sizeof *cold.theta);
        if (!cold.theta) {
            free(sx), free(sr), free(sy);
            return nomem(ctx);
        }
        memcpy(cold.theta, s->model.theta, cold.np * sizeof *cold.theta);
        struct bo_fit_opts co = {(int)s->o.opt_nstarts, (int)s->o.opt_maxiter,
                                 s->o.opt_tol, 0, (int)s->o.fit_threads, 0};
        int rc2 = bo_fit(&cold, dt, &s->ws, &co, bo_rng_normal_cb,
                         &s->gp_rng, &fc, &fsc);
        if (rc2 > 0 && fc < f) {
            memcpy(s->model.theta, cold.theta, cold.np * sizeof *cold.theta);
            rc = rc2;
        }
        bo_model_free(&cold);
        if (rc2 < 0)
            rc = rc2;
    }
    double t1 = mono_ms();
    free(sx), free(sr), free(sy);
    if (rc < 0)
        return nomem(ctx);
    char extra[96] = "";
    if (check)
        snprintf(extra, sizeof extra,
                 " (cold check: %d evaluations, objective %.6g)", fsc.evals,
                 fc);
    hpolab_log(ctx, HPOLAB_LOG_DEBUG,
               "fit %llu on %zu observations: %s, %d restarts, %d "
               "evaluations, objective %.6g%s, %.2f ms",
               (unsigned long long)s->fits, dt->n, warm ? "warm" : "cold",
               fs.restarts, fs.evals, f, extra, t1 - t0);
    if (s->model.mf) {
        /* what the model believes, for diagnosing a study (debug only) */
        const double *th = s->model.theta;
        hpolab_log(ctx, HPOLAB_LOG_DEBUG,
                   "fit %llu: alpha %.4g, mean_lam %.4g, gamma %.4g, noise "
                   "%.4g, scale %.4g, mean %.4g",
                   (unsigned long long)s->fits, exp(th[BO_OFF_ALPHA]),
                   exp(th[BO_OFF_LAM]), exp(th[BO_OFF_GAMMA]),
                   exp(th[bo_off_noise(&s->model)]),
                   exp(th[bo_off_scale(&s->model)]),
                   th[bo_off_mean(&s->model)]);
        char bw[160] = "";
        size_t at = 0;
        for (size_t j = 0; j < s->model.d; j++) {
            int k = snprintf(bw + at, sizeof bw - at, " %.4g",
                             exp(th[bo_off_bw(&s->model) + j]));
            if (k < 0 || (size_t)k >= sizeof bw - at)
                break; /* a long encoding: the log line shows the first */
            at += (size_t)k;
        }
        bw[at] = '\0';
        hpolab_log(ctx, HPOLAB_LOG_DEBUG, "fit %llu: inverse bandwidths%s",
                   (unsigned long long)s->fits, bw);
    }
    s->fits++;
    if (rc == 0)
        hpolab_log(ctx, HPOLAB_LOG_WARN,
                   "GP hyperparameter fit failed on %zu observations; "
                   "keeping the start values",
                   dt->n);
    s->fitted = 1;
    return HPOLAB_OK;
}

/* The posterior on the observed data (p0) and, with pending evaluations,
 * the one on observed + fantasised data (w->post); sets *post to the one
 * the acquisition uses. */
static int32_t posterior(struct bo_searcher *s, struct hpolab_ctx *ctx,
                         struct work *w, size_t n, struct bo_post **post,
                         size_t *ntrain)
{
    size_t d = s->d;
    if (bo_post_compute(&w->post0, &s->model, w->X, s->mf ? w->R : NULL, n,
                        w->y, 1) != 0) {
        /* cannot happen short of NaNs: fall back to the start values */
        bo_model_reset(&s->model);
        if (bo_post_compute(&w->post0, &s->model, w->X, s->mf ? w->R : NULL,
                            n, w->y, 1) != 0)
            return hpolab_set_error(ctx, HPOLAB_ERR_INTERNAL,
                                    "the GP posterior cannot be computed on "
                                    "%zu observations",
                                    n);
    }
    *post = &w->post0;
    *ntrain = n;
    size_t p = s->npend;
    if (p == 0 || s->o.no_fantasizing)
        return HPOLAB_OK;
    size_t F = (size_t)s->o.num_fantasy_samples, na = n + p;
    w->Xp = malloc(p * (d ? d : 1) * sizeof *w->Xp);
    w->Rp = malloc(p * sizeof *w->Rp);
    w->F = malloc(p * F * sizeof *w->F);
    w->Xa = malloc(na * (d ? d : 1) * sizeof *w->Xa);
    w->Ra = malloc(na * sizeof *w->Ra);
    w->Y = malloc(na * F * sizeof *w->Y);
    if (!w->Xp || !w->Rp || !w->F || !w->Xa || !w->Ra || !w->Y)
        return nomem(ctx);
    for (size_t i = 0; i < p; i++) {
        memcpy(w->Xp + i * d, s->trials[s->pend[i].trial].x, d * sizeof *w->Xp);
        w->Rp[i] = s->mf ? bo_enc_resource(s, s->pend[i].r) : 0.0;
    }
    if (bo_post_sample(&w->post0, w->Xp, s->mf ? w->Rp : NULL, p, F,
                       bo_rng_normal_cb, &s->gp_rng, w->F) != 0) {
        hpolab_log(ctx, HPOLAB_LOG_WARN,
                   "cannot sample fantasies for %zu pending evaluations; "
                   "ignoring them",
                   p);
        return HPOLAB_OK;
    }
    memcpy(w->Xa, w->X, n * d * sizeof *w->Xa);
    memcpy(w->Xa + n * d, w->Xp, p * d * sizeof *w->Xa);
    memcpy(w->Ra, w->R, n * sizeof *w->Ra);
    memcpy(w->Ra + n, w->Rp, p * sizeof *w->Ra);
    for (size_t c = 0; c < F; c++) {
        memcpy(w->Y + c * na, w->y, n * sizeof *w->Y);
        memcpy(w->Y + c * na + n, w->F + c * p, p * sizeof *w->Y);
    }
    if (bo_post_compute(&w->post, &s->model, w->Xa, s->mf ? w->Ra : NULL, na,
                        w->Y, F) != 0) {
        hpolab_log(ctx, HPOLAB_LOG_WARN,
                   "the GP posterior with %zu fantasies cannot be computed; "
                   "ignoring pending evaluations",
                   p);
        return HPOLAB_OK;
    }
    *post = &w->post;
    *ntrain = na;
    return HPOLAB_OK;
}

/* Candidates of §3.9 step 1: batches of fresh random configurations not in
 * the exclusion set. */
static int32_t candidates(struct bo_searcher *s, struct hpolab_ctx *ctx,
                          struct work *w)
{
    size_t want = (size_t)s->o.num_init_candidates;
    w->cand = malloc((want ? want : 1) * sizeof *w->cand);
    if (!w->cand)
        return nomem(ctx);
    int64_t ext = s->mf ? s->max_t : 0;
    for (size_t round = 0; round < CANDIDATE_ROUNDS && w->ncand < want;
         round++) {
        size_t ask = round == 0 ? want : (want - w->ncand) * (round + 1);
        if (ask > want)
            ask = want;
        for (size_t k = 0; k < ask && w->ncand < want; k++) {
            struct hpolab_config *c;
            int32_t st = bo_rng_sample(&s->rng, ctx, s->space, ext, &c);
            if (st != HPOLAB_OK)
                return st;
            if (excluded(s, c))
                hpolab_host->config_free(c);
            else
                w->cand[w->ncand++] = c;
        }
    }
    return HPOLAB_OK;
}

static const double *sort_scores;
static int by_score(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double si = sort_scores[i], sj = sort_scores[j];
    if (si < sj)
        return -1;
    if (si > sj)
        return 1;
    return i < j ? -1 : i > j;
}

static int32_t model_config(struct bo_searcher *s, struct hpolab_ctx *ctx,
                            struct hpolab_config **out)
{
    struct work w;
    memset(&w, 0, sizeof w);
    size_t d = s->d, n = 0, dd = d ? d : 1;
    int32_t st = bo_select_data(s, ctx, &w.idx, &n);
    if (st != HPOLAB_OK)
        return st;
    w.X = malloc((n ? n : 1) * dd * sizeof *w.X);
    w.R = malloc((n ? n : 1) * sizeof *w.R);
    w.y = malloc((n ? n : 1) * sizeof *w.y);
    if (!w.X || !w.R || !w.y) {
        work_free(&w);
        return nomem(ctx);
    }
    double ym = 0.0, ys = 1.0;
    for (size_t i = 0; i < n; i++) {
        const struct bo_obs *o = &s->obs[w.idx[i]];
        memcpy(w.X + i * d, s->trials[o->trial].x, d * sizeof *w.X);
        w.R[i] = s->mf ? bo_enc_resource(s, o->r) : 0.0;
        w.y[i] = o->y;
        ym += o->y;
    }
    ym /= (double)n;
    if (s->o.normalize_targets) {
        double v = 0.0;
        for (size_t i = 0; i < n; i++)
            v += (w.y[i] - ym) * (w.y[i] - ym);
        ys = sqrt(v / (double)n);
        if (!(ys > 1e-9))
            ys = 1e-9;
        for (size_t i = 0; i < n; i++)
            w.y[i] = (w.y[i] - ym) / ys;
    } else {
        ym = 0.0;
    }
    struct bo_data dt = {n, d, w.X, s->mf ? w.R : NULL, w.y};
    double tp[5];
    tp[0] = mono_ms();
    st = maybe_fit(s, ctx, &dt);
    tp[1] = mono_ms();
    struct bo_post *post = NULL;
    size_t ntrain = 0;
    if (st == HPOLAB_OK)
        st = posterior(s, ctx, &w, n, &post, &ntrain);
    if (st != HPOLAB_OK) {
        work_free(&w);
        return st;
    }
    size_t mc = post->mc;
    int64_t racq = s->mf ? acq_resource(s) : 0;
    double racq_enc = s->mf ? bo_enc_resource(s, racq) : 0.0;

    /* incumbents (§3.8): min predictive mean over observed and pending
     * inputs, per fantasy column (mf: those at r_acq) */
    w.fstar = malloc(mc * sizeof *w.fstar);
    w.mean = malloc((mc > 1 ? mc : 1) *
                    ((size_t)s->o.num_init_candidates + 1) * sizeof *w.mean);
    if (!w.fstar || !w.mean) {
        work_free(&w);
        return nomem(ctx);
    }
    for (size_t j = 0; j < mc; j++)
        w.fstar[j] = INFINITY;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ntrain; i++) {
            if (s->mf && pass == 0 && post->r[i] != racq_enc)
                continue;
            bo_post_predict(post, post->x + i * d, s->mf ? post->r[i] : 0.0,
                            w.mean, NULL, NULL, NULL);
            for (size_t j = 0; j < mc; j++) {
                double m = w.mean[j] * ys + ym;
                if (m < w.fstar[j])
                    w.fstar[j] = m;
            }
        }
        if (isfinite(w.fstar[0]))
            break; /* pass 1 only if nothing is at r_acq (subsampled away) */
    }

    tp[2] = mono_ms();
    st = candidates(s, ctx, &w);
    if (st != HPOLAB_OK || w.ncand == 0) {
        if (st == HPOLAB_OK)
            hpolab_log(ctx, HPOLAB_LOG_INFO,
                       "no candidate configuration that was not suggested "
                       "before");
        work_free(&w);
        return st;
    }
    size_t N = w.ncand;
    free(w.mean);
    w.mean = malloc(N * mc * sizeof *w.mean);
    w.var = malloc(N * sizeof *w.var);
    w.score = malloc(N * sizeof *w.score);
    w.cx = malloc(N * dd * sizeof *w.cx);
    w.order = malloc(N * sizeof *w.order);
    w.lo = malloc(dd * sizeof *w.lo);
    w.hi = malloc(dd * sizeof *w.hi);
    w.x = malloc(dd * sizeof *w.x);
    if (!w.mean || !w.var || !w.score || !w.cx || !w.order || !w.lo ||
        !w.hi || !w.x || bo_acq_init(&w.acq, post, ym, ys, w.fstar, s->o.xi,
                                     racq_enc) != 0) {
        work_free(&w);
        return nomem(ctx);
    }
    for (size_t i = 0; i < N && st == HPOLAB_OK; i++)
        st = hpolab_host->space_encode(ctx, s->space, w.cand[i], w.cx + i * d,
                                       (uint32_t)d);
    if (st == HPOLAB_OK &&
        bo_post_predict_batch(post, w.cx, N, racq_enc, w.mean, w.var) != 0)
        st = nomem(ctx);
    if (st != HPOLAB_OK) {
        work_free(&w);
        return st;
    }
    /* §3.9 step 2: independent Thompson draws, averaged over fantasies */
    for (size_t i = 0; i < N; i++) {
        if (s->o.acq_scoring) {
            w.score[i] = bo_acq_eval(&w.acq, w.cx + i * d, NULL);
        } else {
            double sd = sqrt(w.var[i]) * ys, sum = 0.0;
            for (size_t j = 0; j < mc; j++)
                sum += w.mean[i * mc + j] * ys + ym +
                       sd * bo_rng_normal(&s->rng);
            w.score[i] = sum / (double)mc;
        }
        w.order[i] = i;
    }
    tp[3] = mono_ms();
    sort_scores = w.score;
    qsort(w.order, N, sizeof *w.order, by_score);

    /* A coordinate equal in every candidate is fixed (a one-category
     * choice encodes as the constant 1): the host table has no accessor for
     * the encoding's bounds. */
    for (size_t l = 0; l < d; l++) {
        int fixed = N >= 2;
        for (size_t i = 1; i < N && fixed; i++)
            fixed = w.cx[i * d + l] == w.cx[l];
        w.lo[l] = fixed ? w.cx[l] : 0.0;
        w.hi[l] = fixed ? w.cx[l] : 1.0;
    }
    /* §3.9 steps 3-4: local search from the best candidate; its decoded end
     * point, else the candidate itself, else the next candidate */
    struct hpolab_config *chosen = NULL;
    struct hpolab_config_set *visited = NULL;
    st = hpolab_host->config_set_create(ctx, s->space, &visited);
    for (size_t k = 0; k < N && st == HPOLAB_OK && !chosen; k++) {
        size_t i = w.order[k];
        int32_t added = 0;
        st = hpolab_host->config_set_add(ctx, visited, w.cand[i], &added);
        if (st != HPOLAB_OK || !added)
            continue;
        if (!s->o.skip_local_optimization) {
            memcpy(w.x, w.cx + i * d, d * sizeof *w.x);
            int nev = 0;
            bo_acq_minimize(&w.acq, w.x, w.lo, w.hi, ACQ_MAXITER, &nev);
            if (nev < 0) {
                st = nomem(ctx);
                break;
            }
            for (size_t l = 0; l < d; l++)
                w.x[l] = w.x[l] < 0 ? 0 : w.x[l] > 1 ? 1 : w.x[l];
            struct hpolab_config *c = NULL;
            st = hpolab_host->space_decode(ctx, s->space, w.x, (uint32_t)d,
                                           &c);
            if (st != HPOLAB_OK)
                break;
            if (!excluded(s, c)) {
                chosen = c;
                break;
            }
            hpolab_host->config_free(c);
        }
        if (!excluded(s, w.cand[i])) {
            chosen = w.cand[i];
            w.cand[i] = w.cand[--w.ncand]; /* keep it out of work_free */
            w.cand[w.ncand] = NULL;
        }
    }
    if (visited)
        hpolab_host->config_set_destroy(visited);
    tp[4] = mono_ms();
    hpolab_log(ctx, HPOLAB_LOG_DEBUG,
               "suggest on %zu observations (+%zu pending): fit %.2f ms, "
               "posterior %.2f ms, candidates %.2f ms, local search %.2f ms",
               n, ntrain - n, tp[1] - tp[0], tp[2] - tp[1], tp[3] - tp[2],
               tp[4] - tp[3]);
    if (s->mf)
        hpolab_log(ctx, HPOLAB_LOG_DEBUG,
                   "target resource %lld, incumbent %.6g (fantasy 0), "
                   "targets normalised by mean %.6g, sd %.6g",
                   (long long)racq, w.fstar[0], ym, ys);
    work_free(&w);
    if (st != HPOLAB_OK) {
        if (chosen)
            hpolab_host->config_free(chosen);
        return st;
    }
    *out = chosen;
    return HPOLAB_OK;
}

int32_t bo_suggest(struct bo_searcher *s, struct hpolab_ctx *ctx,
                   int64_t trial_id, struct hpolab_config **out)
{
    *out = NULL;
    struct hpolab_config *c = NULL;
    int32_t st = HPOLAB_OK;
    if (s->next_initial < s->ninitial) {
        c = s->initial[s->next_initial];
        s->initial[s->next_initial++] = NULL;
    } else {
        double size = hpolab_host->space_cardinality(s->space);
        double seen = s->o.allow_duplicates
                          ? (double)s->ntrials
                          : (double)hpolab_host->config_set_count(s->excluded);
        if (isfinite(size) && !s->o.allow_duplicates && seen >= size) {
            hpolab_log(ctx, HPOLAB_LOG_INFO,
                       "all %.0f configurations have been suggested", size);
            return HPOLAB_OK;
        }
        if (seen < (double)s->o.num_init_random || s->nobs == 0)
            st = random_config(s, ctx, &c);
        else
            st = model_config(s, ctx, &c);
        if (st != HPOLAB_OK || !c)
            return st;
    }
    size_t idx;
    st = bo_add_trial(s, ctx, trial_id, c, &idx);
    if (st == HPOLAB_OK)
        st = bo_add_pending(s, ctx, idx,
                            s->mf ? bo_next_milestone(s, 0) : 0);
    if (st != HPOLAB_OK) {
        hpolab_host->config_free(c);
        return st;
    }
    *out = c;
    return HPOLAB_OK;
}
