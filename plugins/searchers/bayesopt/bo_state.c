/* bo_state.c: save/restore of a bayesopt searcher (for --resume).
 *
 * State version 2, little-endian: "HPBO", u32 version, u32 flags (bit 0:
 * multi-fidelity), u32 encoded dim, then the two RNGs (searcher, GP) each
 * as u32 seed + u64 count + records (u32 kind, i64 lo, i64 hi, u64 count),
 * u32 count + remaining initial configurations, u64 count + trials (i64 id,
 * u8 failed, configuration), u64 count + observations (u64 trial index,
 * i64 resource, f64 criterion), u64 count + pending (u64 trial index, i64
 * resource), the model (u8 fitted, u64 observation count at the last fit,
 * u64 growths, u64 refits done (version 2 only; version 1 states are
 * read with 0), u32 count + f64 theta). A configuration is u32 count of
 * (u32 length + name, u8 HPOLAB_VALUE_* type, value: int64 / IEEE double
 * bits / u8 bool / u32 length + string), hyperparameters only; constants
 * come back from the space. RNG states are rebuilt by replaying the
 * recorded draws from the seeds (the host table has no RNG state access). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_searcher.h"
#include "state_codec.h"

#define STATE_VERSION 2u

static void put_rng(struct hpolab_state_writer *w, const struct bo_rng *g)
{
    hpolab_state_put_u(w, g->seed, 4);
    hpolab_state_put_u(w, g->nops, 8);
    for (size_t i = 0; i < g->nops; i++) {
        const struct bo_rng_op *op = &g->ops[i];
        hpolab_state_put_u(w, op->kind, 4);
        hpolab_state_put_u(w, (uint64_t)op->lo, 8);
        hpolab_state_put_u(w, (uint64_t)op->hi, 8);
        hpolab_state_put_u(w, op->count, 8);
    }
}

static void put_config(struct hpolab_state_writer *w, struct hpolab_ctx *ctx,
                       const struct bo_searcher *s,
                       const struct hpolab_config *c, const char *whose)
{
    hpolab_state_put_config(w, ctx, c, hpolab_state_keep_hyperparameters,
                            s->space, whose);
}

int32_t bo_save(struct bo_searcher *s, struct hpolab_ctx *ctx,
                struct hpolab_buffer *out)
{
    if (s->rng.log_failed || s->gp_rng.log_failed)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                "save: a random draw could not be recorded "
                                "(out of memory earlier), the state cannot "
                                "be saved");
    struct hpolab_state_writer w = {out, 0, HPOLAB_OK};
    hpolab_state_put(&w, "HPBO", 4);
    hpolab_state_put_u(&w, STATE_VERSION, 4);
    hpolab_state_put_u(&w, s->mf ? 1u : 0u, 4);
    hpolab_state_put_u(&w, s->d, 4);
    put_rng(&w, &s->rng);
    put_rng(&w, &s->gp_rng);
    hpolab_state_put_u(&w, s->ninitial - s->next_initial, 4);
    for (size_t i = s->next_initial; i < s->ninitial; i++)
        put_config(&w, ctx, s, s->initial[i], "an initial configuration");
    hpolab_state_put_u(&w, s->ntrials, 8);
    for (size_t i = 0; i < s->ntrials && w.st == HPOLAB_OK; i++) {
        char whose[40];
        snprintf(whose, sizeof whose, "trial %lld", (long long)s->trials[i].id);
        hpolab_state_put_u(&w, (uint64_t)s->trials[i].id, 8);
        hpolab_state_put_u(&w, s->trials[i].failed ? 1u : 0u, 1);
        put_config(&w, ctx, s, s->trials[i].config, whose);
    }
    hpolab_state_put_u(&w, s->nobs, 8);
    for (size_t i = 0; i < s->nobs; i++) {
        hpolab_state_put_u(&w, s->obs[i].trial, 8);
        hpolab_state_put_u(&w, (uint64_t)s->obs[i].r, 8);
        hpolab_state_put_f64(&w, s->obs[i].y);
    }
    hpolab_state_put_u(&w, s->npend, 8);
    for (size_t i = 0; i < s->npend; i++) {
        hpolab_state_put_u(&w, s->pend[i].trial, 8);
        hpolab_state_put_u(&w, (uint64_t)s->pend[i].r, 8);
    }
    hpolab_state_put_u(&w, s->fitted ? 1u : 0u, 1);
    hpolab_state_put_u(&w, s->fit_nobs, 8);
    hpolab_state_put_u(&w, s->growths, 8);
    hpolab_state_put_u(&w, s->fits, 8);
    hpolab_state_put_u(&w, s->model.np, 4);
    for (size_t i = 0; i < s->model.np; i++)
        hpolab_state_put_f64(&w, s->model.theta[i]);
    if (w.st == HPOLAB_ERR_NOMEM)
        return hpolab_set_error(ctx, w.st, "save: out of memory");
    return w.st;
}

/* ---- restore -------------------------------------------------------------- */

/* A saved configuration completed with the space's constants
 * [owned: config_free], or NULL after a failure. */
static struct hpolab_config *get_config(struct hpolab_state_reader *r,
                                        const struct bo_searcher *s)
{
    struct hpolab_config *c = hpolab_state_get_config(r), *full = NULL;
    if (!c)
        return NULL;
    r->st = hpolab_host->space_default_config(r->ctx, s->space, c, &full);
    hpolab_host->config_free(c);
    return r->st == HPOLAB_OK ? full : NULL;
}

static void get_rng(struct hpolab_state_reader *r, struct bo_searcher *s,
                    struct bo_rng *g)
{
    uint64_t seed = hpolab_state_get_u(r, 4, "an RNG seed");
    uint64_t n = hpolab_state_get_count(r, 8, 28, "RNG records");
    if (r->st != HPOLAB_OK)
        return;
    struct bo_rng_op *ops = malloc((n ? n : 1) * sizeof *ops);
    if (!ops) {
        hpolab_state_bad(r, HPOLAB_ERR_NOMEM, "out of memory");
        return;
    }
    for (uint64_t i = 0; i < n && r->st == HPOLAB_OK; i++) {
        uint64_t kind = hpolab_state_get_u(r, 4, "an RNG record's kind");
        uint64_t lo = hpolab_state_get_u(r, 8, "an RNG record's low end");
        uint64_t hi = hpolab_state_get_u(r, 8, "an RNG record's high end");
        uint64_t count = hpolab_state_get_u(r, 8, "an RNG record's count");
        ops[i] = (struct bo_rng_op){(uint32_t)kind, (int64_t)lo, (int64_t)hi,
                                    count};
    }
    if (r->st == HPOLAB_OK)
        r->st = bo_rng_replay(g, r->ctx, s->space, (uint32_t)seed, ops, n);
    free(ops);
}

static void get_trials(struct hpolab_state_reader *r, struct bo_searcher *f)
{
    uint64_t n = hpolab_state_get_count(r, 8, 13, "trials");
    for (uint64_t i = 0; i < n && r->st == HPOLAB_OK; i++) {
        uint64_t id = hpolab_state_get_u(r, 8, "a trial id");
        uint64_t failed = hpolab_state_get_u(r, 1, "a trial's failed flag");
        struct hpolab_config *c = get_config(r, f);
        size_t idx;
        if (c)
            r->st = bo_add_trial(f, r->ctx, (int64_t)id, c, &idx);
        if (r->st == HPOLAB_OK && failed) {
            int32_t added;
            f->trials[idx].failed = 1;
            if (f->o.allow_duplicates)
                r->st =
                    hpolab_host->config_set_add(r->ctx, f->excluded, c, &added);
        }
        if (c)
            hpolab_host->config_free(c);
    }
}

/* Entry i (an observation or a pending evaluation) names trial index t. */
static void check_trial_index(struct hpolab_state_reader *r,
                              const struct bo_searcher *f, const char *what,
                              uint64_t i, uint64_t t)
{
    if (r->st == HPOLAB_OK && t >= f->ntrials)
        hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                         "damaged: %s %llu is of trial index %llu, but "
                         "there are %zu trials",
                         what, (unsigned long long)i, (unsigned long long)t,
                         f->ntrials);
}

static void get_observations(struct hpolab_state_reader *r,
                             struct bo_searcher *f)
{
    uint64_t n = hpolab_state_get_count(r, 8, 24, "observations");
    for (uint64_t i = 0; i < n && r->st == HPOLAB_OK; i++) {
        uint64_t t = hpolab_state_get_u(r, 8, "an observation's trial");
        uint64_t res = hpolab_state_get_u(r, 8, "an observation's resource");
        double y = hpolab_state_get_f64(r, "an observation's value");
        check_trial_index(r, f, "observation", i, t);
        if (r->st == HPOLAB_OK)
            r->st = bo_set_obs(f, r->ctx, (size_t)t, (int64_t)res, y);
    }
    n = hpolab_state_get_count(r, 8, 16, "pending evaluations");
    for (uint64_t i = 0; i < n && r->st == HPOLAB_OK; i++) {
        uint64_t t = hpolab_state_get_u(r, 8, "a pending evaluation's trial");
        uint64_t res = hpolab_state_get_u(r, 8, "a pending resource");
        check_trial_index(r, f, "pending evaluation", i, t);
        if (r->st == HPOLAB_OK)
            r->st = bo_add_pending(f, r->ctx, (size_t)t, (int64_t)res);
    }
}

static void get_model(struct hpolab_state_reader *r, struct bo_searcher *f,
                      uint64_t version)
{
    uint64_t fitted = hpolab_state_get_u(r, 1, "the fitted flag");
    uint64_t fit_nobs = hpolab_state_get_u(r, 8,
                                           "the observations at the "
                                           "last fit");
    uint64_t growths = hpolab_state_get_u(r, 8, "the growth count");
    uint64_t fits =
        version >= 2 ? hpolab_state_get_u(r, 8, "the refit count") : 0;
    uint64_t np = hpolab_state_get_u(r, 4, "the number of parameters");
    if (r->st == HPOLAB_OK && np != f->model.np)
        hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                         "damaged: %llu model parameters, this model has %zu",
                         (unsigned long long)np, f->model.np);
    for (uint64_t i = 0; i < np && r->st == HPOLAB_OK; i++) {
        f->model.theta[i] = hpolab_state_get_f64(r, "a model parameter");
        if (r->st == HPOLAB_OK && !isfinite(f->model.theta[i]))
            hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                             "damaged: model parameter %llu is not finite",
                             (unsigned long long)i);
    }
    hpolab_state_expect_end(r);
    if (r->st == HPOLAB_OK) {
        f->fitted = fitted != 0;
        f->fit_nobs = fit_nobs;
        f->growths = growths;
        f->fits = fits;
    }
}

/* Everything after the header, into fresh (whose option fields are s's). */
static int32_t read_body(struct bo_searcher *f, struct hpolab_state_reader *r,
                         uint64_t version)
{
    get_rng(r, f, &f->rng);
    get_rng(r, f, &f->gp_rng);
    if (r->st == HPOLAB_OK)
        r->st = hpolab_host->config_set_create(r->ctx, f->space, &f->excluded);
    if (r->st == HPOLAB_OK && bo_model_init(&f->model, f->mf, f->d) != 0)
        hpolab_state_bad(r, HPOLAB_ERR_NOMEM, "out of memory");
    uint64_t n = hpolab_state_get_count(r, 4, 4, "initial configurations");
    if (r->st == HPOLAB_OK && n &&
        !(f->initial = calloc((size_t)n, sizeof *f->initial)))
        hpolab_state_bad(r, HPOLAB_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; i < n && r->st == HPOLAB_OK; i++) {
        f->initial[i] = get_config(r, f);
        if (f->initial[i])
            f->ninitial++;
    }
    get_trials(r, f);
    get_observations(r, f);
    get_model(r, f, version);
    return r->st;
}

int32_t bo_restore(struct bo_searcher *s, struct hpolab_ctx *ctx,
                   const void *data, uint64_t size)
{
    if (size < 4 || memcmp(data, "HPBO", 4) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "restore: not a bayesopt searcher state");
    struct hpolab_state_reader r = {data, size,      4,
                                    ctx,  HPOLAB_OK, "bayesopt searcher"};
    uint64_t version = hpolab_state_get_u(&r, 4, "the version");
    if (r.st != HPOLAB_OK)
        return r.st;
    if (version < 1 || version > STATE_VERSION)
        return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                                "restore: state version %llu, this searcher "
                                "reads versions 1 to %u",
                                (unsigned long long)version, STATE_VERSION);
    uint64_t flags = hpolab_state_get_u(&r, 4, "the flags");
    uint64_t d = hpolab_state_get_u(&r, 4, "the encoded dimension");
    if (r.st != HPOLAB_OK)
        return r.st;
    if ((flags & 1u) != (s->mf ? 1u : 0u) || d != s->d)
        return hpolab_set_error(
            ctx, HPOLAB_ERR_INVALID,
            "restore: the state is of a %s searcher with %llu encoded "
            "dimensions; this one is %s with %zu",
            (flags & 1u) ? "multi-fidelity" : "single-fidelity",
            (unsigned long long)d, s->mf ? "multi-fidelity" : "single-fidelity",
            s->d);
    /* build aside, then swap: a failed restore changes nothing */
    struct bo_searcher fresh = *s;
    memset(&fresh.rng, 0, sizeof fresh.rng);
    memset(&fresh.gp_rng, 0, sizeof fresh.gp_rng);
    fresh.initial = NULL;
    fresh.ninitial = fresh.next_initial = 0;
    fresh.trials = NULL;
    fresh.ntrials = fresh.cap_trials = 0;
    fresh.obs = NULL;
    fresh.nobs = fresh.cap_obs = 0;
    fresh.pend = NULL;
    fresh.npend = fresh.cap_pend = 0;
    fresh.excluded = NULL;
    memset(&fresh.model, 0, sizeof fresh.model);
    memset(&fresh.ws, 0, sizeof fresh.ws);
    fresh.fitted = 0;
    fresh.fit_nobs = fresh.growths = fresh.fits = 0;
    int32_t st = read_body(&fresh, &r, version);
    if (st != HPOLAB_OK) {
        bo_release_state(&fresh);
        return st;
    }
    bo_release_state(s);
    *s = fresh; /* the option fields are the same pointers */
    return HPOLAB_OK;
}
