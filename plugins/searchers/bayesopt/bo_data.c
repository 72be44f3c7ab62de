/* bo_data.c: the searcher's bookkeeping (trials, observations, pending
 * evaluations, §3.2 / §5.3), the data subset the GP is fitted on (§3.4,
 * §5.6) and the logged RNG used for save/restore. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bo_searcher.h"

/* ---- logged RNG ---------------------------------------------------------- */

static int log_op(struct bo_rng *g, uint32_t kind, int64_t lo, int64_t hi)
{
    if (g->nops && g->ops[g->nops - 1].kind == kind &&
        g->ops[g->nops - 1].lo == lo && g->ops[g->nops - 1].hi == hi) {
        g->ops[g->nops - 1].count++;
        return 0;
    }
    if (g->nops == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        struct bo_rng_op *ops = realloc(g->ops, cap * sizeof *ops);
        if (!ops)
            return -1;
        g->ops = ops;
        g->cap = cap;
    }
    g->ops[g->nops++] = (struct bo_rng_op){kind, lo, hi, 1};
    return 0;
}

int32_t bo_rng_open(struct bo_rng *g, struct hpolab_ctx *ctx, uint32_t seed)
{
    memset(g, 0, sizeof *g);
    g->seed = seed;
    return hpolab_host->rng_create(ctx, seed, &g->rng);
}

void bo_rng_close(struct bo_rng *g)
{
    if (g->rng)
        hpolab_host->rng_destroy(g->rng);
    free(g->ops);
    memset(g, 0, sizeof *g);
}

int32_t bo_rng_sample(struct bo_rng *g, struct hpolab_ctx *ctx,
                      const struct hpolab_space *space, int64_t ext_max_t,
                      struct hpolab_config **out)
{
    int32_t st = hpolab_host->space_sample(ctx, space, g->rng, out);
    if (st != HPOLAB_OK)
        return st;
    if (ext_max_t > 0) /* the extended config's resource key (§5.4 c) */
        (void)hpolab_host->rng_randint(g->rng, 1, ext_max_t + 1);
    if (log_op(g, ext_max_t > 0 ? BO_RNG_SAMPLE_EXT : BO_RNG_SAMPLE,
               ext_max_t > 0 ? ext_max_t : 0, 0) != 0)
        g->log_failed = 1;
    return HPOLAB_OK;
}

double bo_rng_normal(struct bo_rng *g)
{
    if (log_op(g, BO_RNG_NORMAL, 0, 0) != 0)
        g->log_failed = 1;
    return hpolab_host->rng_normal(g->rng, 0.0, 1.0);
}

double bo_rng_normal_cb(void *g) { return bo_rng_normal(g); }

int64_t bo_rng_randint(struct bo_rng *g, int64_t lo, int64_t hi)
{
    if (log_op(g, BO_RNG_RANDINT, lo, hi) != 0)
        g->log_failed = 1;
    return hpolab_host->rng_randint(g->rng, lo, hi);
}

/* numpy's permutation (Appendix A): for i = n-1 .. 1 swap a[i], a[j] with
 * j = interval(i), which draws as randint(0, i + 1). */
static void perm_draw(struct hpolab_rng *rng, size_t n, size_t *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = i;
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)hpolab_host->rng_randint(rng, 0, (int64_t)i + 1);
        size_t t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
}

void bo_rng_perm(struct bo_rng *g, size_t n, size_t *out)
{
    if (log_op(g, BO_RNG_PERM, (int64_t)n, 0) != 0)
        g->log_failed = 1;
    perm_draw(g->rng, n, out);
}

int32_t bo_rng_replay(struct bo_rng *g, struct hpolab_ctx *ctx,
                      const struct hpolab_space *space, uint32_t seed,
                      const struct bo_rng_op *ops, size_t nops)
{
    int32_t st = bo_rng_open(g, ctx, seed);
    size_t maxperm = 0;
    for (size_t i = 0; i < nops; i++)
        if (ops[i].kind == BO_RNG_PERM && (size_t)ops[i].lo > maxperm)
            maxperm = (size_t)ops[i].lo;
    size_t *perm = maxperm ? malloc(maxperm * sizeof *perm) : NULL;
    if (st == HPOLAB_OK && maxperm && !perm)
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == HPOLAB_OK && i < nops; i++) {
        const struct bo_rng_op *op = &ops[i];
        for (uint64_t c = 0; st == HPOLAB_OK && c < op->count; c++) {
            struct hpolab_config *cfg;
            switch (op->kind) {
            case BO_RNG_SAMPLE:
            case BO_RNG_SAMPLE_EXT:
                st = hpolab_host->space_sample(ctx, space, g->rng, &cfg);
                if (st == HPOLAB_OK)
                    hpolab_host->config_free(cfg);
                if (st == HPOLAB_OK && op->kind == BO_RNG_SAMPLE_EXT)
                    (void)hpolab_host->rng_randint(g->rng, 1, op->lo + 1);
                break;
            case BO_RNG_NORMAL:
                (void)hpolab_host->rng_normal(g->rng, 0.0, 1.0);
                break;
            case BO_RNG_RANDINT:
                if (op->hi <= op->lo)
                    st = hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                          "restore: bad RNG record");
                else
                    (void)hpolab_host->rng_randint(g->rng, op->lo, op->hi);
                break;
            case BO_RNG_PERM:
                if (op->lo < 0)
                    st = hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                          "restore: bad RNG record");
                else
                    perm_draw(g->rng, (size_t)op->lo, perm);
                break;
            default:
                st = hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                      "restore: unknown RNG record kind %u",
                                      op->kind);
            }
        }
        if (st == HPOLAB_OK && log_op(g, op->kind, op->lo, op->hi) == 0)
            g->ops[g->nops - 1].count = op->count;
        else if (st == HPOLAB_OK)
            st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    free(perm);
    return st;
}

/* ---- trials, observations, pending ------------------------------------- */

double bo_criterion(const struct bo_searcher *s, double metric)
{
    return s->mode == HPOLAB_MODE_MAX ? s->o.reward_const - metric : metric;
}

long bo_find_trial(const struct bo_searcher *s, int64_t id)
{
    for (size_t i = s->ntrials; i-- > 0;)
        if (s->trials[i].id == id)
            return (long)i;
    return -1;
}

static int32_t nomem(struct hpolab_ctx *ctx)
{
    return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

int32_t bo_add_trial(struct bo_searcher *s, struct hpolab_ctx *ctx,
                     int64_t id, const struct hpolab_config *config,
                     size_t *out_index)
{
    if (grow((void **)&s->trials, &s->cap_trials, s->ntrials + 1,
             sizeof *s->trials) != 0)
        return nomem(ctx);
    struct bo_trial t = {.id = id};
    t.x = malloc((s->d ? s->d : 1) * sizeof *t.x);
    if (!t.x)
        return nomem(ctx);
    int32_t st = hpolab_host->config_dup(ctx, config, &t.config);
    if (st == HPOLAB_OK)
        st = hpolab_host->space_encode(ctx, s->space, config, t.x,
                                       (uint32_t)s->d);
    int32_t added;
    if (st == HPOLAB_OK && !s->o.allow_duplicates)
        st = hpolab_host->config_set_add(ctx, s->excluded, config, &added);
    if (st != HPOLAB_OK) {
        if (t.config)
            hpolab_host->config_free(t.config);
        free(t.x);
        return st;
    }
    s->trials[s->ntrials] = t;
    *out_index = s->ntrials++;
    return HPOLAB_OK;
}

int32_t bo_add_pending(struct bo_searcher *s, struct hpolab_ctx *ctx,
                       size_t trial, int64_t r)
{
    for (size_t i = 0; i < s->npend; i++)
        if (s->pend[i].trial == trial && s->pend[i].r == r)
            return HPOLAB_OK;
    if (grow((void **)&s->pend, &s->cap_pend, s->npend + 1,
             sizeof *s->pend) != 0)
        return nomem(ctx);
    s->pend[s->npend++] = (struct bo_pend){trial, r};
    return HPOLAB_OK;
}

void bo_remove_pending(struct bo_searcher *s, size_t trial, int64_t r)
{
    size_t k = 0;
    for (size_t i = 0; i < s->npend; i++)
        if (!(s->pend[i].trial == trial && s->pend[i].r <= r))
            s->pend[k++] = s->pend[i];
    s->npend = k;
}

struct bo_obs *bo_get_obs(struct bo_searcher *s, size_t trial, int64_t r)
{
    for (size_t i = s->nobs; i-- > 0;)
        if (s->obs[i].trial == trial && s->obs[i].r == r)
            return &s->obs[i];
    return NULL;
}

int32_t bo_set_obs(struct bo_searcher *s, struct hpolab_ctx *ctx,
                   size_t trial, int64_t r, double y)
{
    struct bo_obs *o = bo_get_obs(s, trial, r);
    if (o) {
        o->y = y;
        return HPOLAB_OK;
    }
    if (grow((void **)&s->obs, &s->cap_obs, s->nobs + 1, sizeof *s->obs) != 0)
        return nomem(ctx);
    s->obs[s->nobs++] = (struct bo_obs){trial, r, y};
    return HPOLAB_OK;
}

double bo_enc_resource(const struct bo_searcher *s, int64_t r)
{
    /* Integer [1, max_t] as [0.5 + eps, max_t + 0.5 - eps] (§1.4, §5.2) */
    const double eps = 1e-8;
    double t = ((double)r - (0.5 + eps)) / ((double)s->max_t - 2.0 * eps);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

int bo_is_rung(const struct bo_searcher *s, int64_t r)
{
    for (size_t k = 0; k < s->nrungs; k++)
        if (s->rungs[k] == r)
            return 1;
    return 0;
}

int64_t bo_next_milestone(const struct bo_searcher *s, int64_t r)
{
    for (size_t k = 0; k < s->nrungs; k++)
        if (s->rungs[k] > r)
            return s->rungs[k];
    return s->max_t;
}

/* ---- data for the model -------------------------------------------------- */

static int by_index(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    return i < j ? -1 : i > j;
}

static const struct bo_obs *sort_base;
static int by_y(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double yi = sort_base[i].y, yj = sort_base[j].y;
    if (yi < yj)
        return -1;
    if (yi > yj)
        return 1;
    return i < j ? -1 : i > j;
}

/* §3.4: the top fraction by criterion (smallest; the reference's mode-max
 * direction bug is not copied) plus a random subset of the rest. */
static int32_t subsample_fifo(struct bo_searcher *s, struct hpolab_ctx *ctx,
                              size_t *idx, size_t *n)
{
    size_t N = s->nobs, M = (size_t)s->o.max_size_data_for_model;
    size_t top = (size_t)nearbyint((double)M * s->o.max_size_top_fraction);
    if (top > M)
        top = M;
    for (size_t i = 0; i < N; i++)
        idx[i] = i;
    sort_base = s->obs;
    qsort(idx, N, sizeof *idx, by_y);
    size_t rest = N - top, want = M - top;
    size_t *perm = malloc((rest ? rest : 1) * sizeof *perm);
    size_t *keep = malloc((want ? want : 1) * sizeof *keep);
    if (!perm || !keep) {
        free(perm);
        free(keep);
        return nomem(ctx);
    }
    bo_rng_perm(&s->rng, rest, perm);
    for (size_t i = 0; i < want; i++)
        keep[i] = idx[top + perm[i]];
    memcpy(idx + top, keep, want * sizeof *keep);
    *n = M;
    free(perm);
    free(keep);
    /* back into observation order, so the GP sees them as they came */
    qsort(idx, *n, sizeof *idx, by_index);
    return HPOLAB_OK;
}

static int by_int64(const void *a, const void *b)
{
    int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
    return i < j ? -1 : i > j;
}

/* §5.6: trials reaching the highest levels keep all their values; the
 * group that overflows the budget loses its lowest-resource values first,
 * the boundary level a random subset. */
static int32_t subsample_mf(struct bo_searcher *s, struct hpolab_ctx *ctx,
                            size_t *idx, size_t *n)
{
    size_t N = s->nobs, budget = (size_t)s->o.max_size_data_for_model;
    int64_t *levels = malloc(N * sizeof *levels);
    unsigned char *in_pool = malloc(s->ntrials ? s->ntrials : 1);
    unsigned char *in_group = malloc(s->ntrials ? s->ntrials : 1);
    size_t *group = malloc(N * sizeof *group);
    size_t *perm = malloc(2 * N * sizeof *perm);
    if (!levels || !in_pool || !in_group || !group || !perm) {
        free(levels), free(in_pool), free(in_group), free(group), free(perm);
        return nomem(ctx);
    }
    for (size_t i = 0; i < N; i++)
        levels[i] = s->obs[i].r;
    qsort(levels, N, sizeof *levels, by_int64);
    size_t nl = 0;
    for (size_t i = 0; i < N; i++)
        if (nl == 0 || levels[nl - 1] != levels[i])
            levels[nl++] = levels[i];
    memset(in_pool, 1, s->ntrials ? s->ntrials : 1);
    size_t kept = 0;
    for (size_t li = nl; li-- > 0 && budget > 0;) {
        memset(in_group, 0, s->ntrials ? s->ntrials : 1);
        for (size_t i = 0; i < N; i++)
            if (s->obs[i].r == levels[li] && in_pool[s->obs[i].trial])
                in_group[s->obs[i].trial] = 1;
        size_t ng = 0;
        for (size_t i = 0; i < N; i++)
            if (in_group[s->obs[i].trial])
                group[ng++] = i;
        for (size_t t = 0; t < s->ntrials; t++)
            if (in_group[t])
                in_pool[t] = 0;
        if (ng <= budget) {
            memcpy(idx + kept, group, ng * sizeof *group);
            kept += ng;
            budget -= ng;
            continue;
        }
        for (size_t lj = 0; lj < nl; lj++) {
            size_t above = 0, at = 0;
            for (size_t g = 0; g < ng; g++) {
                int64_t r = s->obs[group[g]].r;
                above += r > levels[lj];
                at += r == levels[lj];
            }
            if (above > budget)
                continue; /* drop this level's values entirely */
            size_t *atv = perm + at; /* scratch after the permutation */
            size_t na = 0;
            for (size_t g = 0; g < ng; g++) {
                int64_t r = s->obs[group[g]].r;
                if (r > levels[lj])
                    idx[kept++] = group[g];
                else if (r == levels[lj])
                    atv[na++] = group[g];
            }
            size_t want = budget - above;
            bo_rng_perm(&s->rng, at, perm);
            for (size_t i = 0; i < want; i++)
                idx[kept++] = atv[perm[i]];
            budget = 0;
            break;
        }
    }
    *n = kept;
    qsort(idx, kept, sizeof *idx, by_index);
    free(levels), free(in_pool), free(in_group), free(group), free(perm);
    return HPOLAB_OK;
}

int32_t bo_select_data(struct bo_searcher *s, struct hpolab_ctx *ctx,
                       size_t **out, size_t *n)
{
    size_t N = s->nobs;
    size_t *idx = malloc((N ? N : 1) * sizeof *idx);
    if (!idx)
        return nomem(ctx);
    int32_t st = HPOLAB_OK;
    if (s->o.max_size_data_for_model <= 0 ||
        N <= (size_t)s->o.max_size_data_for_model) {
        for (size_t i = 0; i < N; i++)
            idx[i] = i;
        *n = N;
    } else if (s->mf) {
        st = subsample_mf(s, ctx, idx, n);
    } else {
        st = subsample_fifo(s, ctx, idx, n);
    }
    if (st != HPOLAB_OK) {
        free(idx);
        return st;
    }
    *out = idx;
    return HPOLAB_OK;
}
