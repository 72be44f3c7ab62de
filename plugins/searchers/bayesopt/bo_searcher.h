/* bo_searcher.h: the state of one bayesopt searcher instance, shared by the
 * plugin's files (bayesopt.c: class and callbacks, bo_data.c: observations
 * and the data handed to the GP, bo_suggest.c: get_config, bo_state.c:
 * save/restore). Not part of any public interface. */
#ifndef BO_SEARCHER_H
#define BO_SEARCHER_H

#include <hpolab/hpolab.h>
#include <stddef.h>
#include <stdint.h>

#include "bo_gp.h"

/* A host RNG whose draws are logged (run-length) so that save/restore can
 * rebuild its exact state by replaying them from the seed: the host table
 * has no RNG state accessors. */
enum bo_rng_kind {
    BO_RNG_SAMPLE = 1,   /* space_sample */
    BO_RNG_SAMPLE_EXT,   /* space_sample, then randint(1, lo + 1): resource */
    BO_RNG_NORMAL,       /* rng_normal */
    BO_RNG_RANDINT,      /* rng_randint(lo, hi) */
    BO_RNG_PERM,         /* permutation of lo items (randint(0, i + 1)) */
};
struct bo_rng_op {
    uint32_t kind;
    int64_t lo, hi;
    uint64_t count;
};
struct bo_rng {
    uint32_t seed;
    struct hpolab_rng *rng;   /* [owned] */
    struct bo_rng_op *ops;    /* [owned] */
    size_t nops, cap;
    /* a draw that could not be logged (no memory): the draw still happens,
     * so the study goes on, but save reports that it cannot save */
    int log_failed;
};

struct bo_trial {
    int64_t id;
    struct hpolab_config *config; /* [owned] as suggested or first seen */
    double *x;                    /* [owned] encoding, d values */
    int failed;
};
/* One observation: criterion value y of trial (index) at resource r
 * (0 in single-fidelity mode). */
struct bo_obs {
    size_t trial;
    int64_t r;
    double y;
};
/* A pending evaluation: trial (index) at resource r (0 single-fidelity). */
struct bo_pend {
    size_t trial;
    int64_t r;
};

struct bo_options {
    int64_t num_init_random, num_init_candidates, opt_nstarts, opt_maxiter;
    int64_t opt_skip_init_length, opt_skip_period, num_fantasy_samples;
    int64_t max_size_data_for_model, resource_acq_bohb_threshold;
    int64_t fit_threads; /* hpolab: restarts run two at a time if > 1 */
    /* hpolab: with opt_warmstart, refits on >= opt_warm_init_length
     * observations are warm (one restart from the last values); every
     * opt_restart_period-th of them (0: none) also runs the cold fit */
    int64_t opt_restart_period, opt_warm_init_length;
    /* hpolab: fit on at most this many points (evenly spaced; 0: all) */
    int64_t opt_fit_max_size;
    int32_t opt_warmstart, no_fantasizing, normalize_targets;
    int32_t skip_local_optimization, allow_duplicates, acq_scoring;
    double max_size_top_fraction, xi, opt_tol;
    double reward_const; /* criterion = reward_const - metric (mode max) */
};

struct bo_searcher {
    const struct hpolab_space *space; /* [borrowed] from the args */
    char *metric, *resource_attr;     /* [owned] */
    int32_t mode;
    struct bo_options o;
    int mf;                 /* multi-fidelity (MOBSTER) mode */
    int64_t max_t;          /* mf: maximum resource */
    int64_t *rungs;         /* [owned] mf: rung levels, increasing */
    size_t nrungs;
    size_t d;               /* encoded dimension */
    struct bo_rng rng;      /* searcher RNG */
    struct bo_rng gp_rng;   /* GP RNG: restarts, fantasies */
    struct hpolab_config **initial; /* [owned] initial configurations */
    size_t ninitial, next_initial;
    struct bo_trial *trials;
    size_t ntrials, cap_trials;
    struct bo_obs *obs;
    size_t nobs, cap_obs;
    struct bo_pend *pend;
    size_t npend, cap_pend;
    struct hpolab_config_set *excluded; /* [owned] */
    struct bo_model model;
    int fitted;             /* model.theta holds fitted values */
    uint64_t fit_nobs;      /* observation count at the last refit */
    uint64_t growths;       /* data growths seen (opt_skip_period) */
    uint64_t fits;          /* refits done (opt_restart_period) */
    struct bo_ws ws;
};

/* ---- bo_data.c ---- */
/* Criterion of a metric value (§3.2): metric (min) or c - metric (max). */
double bo_criterion(const struct bo_searcher *s, double metric);
/* Index of trial id, or -1. */
long bo_find_trial(const struct bo_searcher *s, int64_t id);
/* Registers trial id with a copy of config (encoded, added to the
 * exclusion set unless allow_duplicates). *out_index its index. */
int32_t bo_add_trial(struct bo_searcher *s, struct hpolab_ctx *ctx,
                     int64_t id, const struct hpolab_config *config,
                     size_t *out_index);
int32_t bo_add_pending(struct bo_searcher *s, struct hpolab_ctx *ctx,
                       size_t trial, int64_t r);
/* Removes pending entries of trial at resource <= r (all: r = INT64_MAX). */
void bo_remove_pending(struct bo_searcher *s, size_t trial, int64_t r);
/* Sets (or replaces) the observation of trial at resource r. */
int32_t bo_set_obs(struct bo_searcher *s, struct hpolab_ctx *ctx,
                   size_t trial, int64_t r, double y);
/* Observation of trial at r, or NULL. */
struct bo_obs *bo_get_obs(struct bo_searcher *s, size_t trial, int64_t r);
/* Encoded resource (§5.2). */
double bo_enc_resource(const struct bo_searcher *s, int64_t r);
/* The rung level following r (max_t after the last). */
int64_t bo_next_milestone(const struct bo_searcher *s, int64_t r);
int bo_is_rung(const struct bo_searcher *s, int64_t r);

/* The observations the GP is fitted on: indices into s->obs (subsampled
 * beyond max_size_data_for_model with the searcher RNG, §3.4 / §5.6).
 * *out [owned: free]. */
int32_t bo_select_data(struct bo_searcher *s, struct hpolab_ctx *ctx,
                       size_t **out, size_t *n);

/* ---- bo_rng (bo_data.c) ---- */
int32_t bo_rng_open(struct bo_rng *g, struct hpolab_ctx *ctx, uint32_t seed);
void bo_rng_close(struct bo_rng *g);
int32_t bo_rng_sample(struct bo_rng *g, struct hpolab_ctx *ctx,
                      const struct hpolab_space *space, int64_t ext_max_t,
                      struct hpolab_config **out);
double bo_rng_normal(struct bo_rng *g);
int64_t bo_rng_randint(struct bo_rng *g, int64_t lo, int64_t hi);
/* The first k entries of a random permutation of 0..n-1 into out (n). */
void bo_rng_perm(struct bo_rng *g, size_t n, size_t *out);
/* Replays ops on a fresh RNG seeded with seed (restore). */
int32_t bo_rng_replay(struct bo_rng *g, struct hpolab_ctx *ctx,
                      const struct hpolab_space *space, uint32_t seed,
                      const struct bo_rng_op *ops, size_t nops);
/* normal() for the pure GP code: ctx is a struct bo_rng. */
double bo_rng_normal_cb(void *g);

/* ---- bo_suggest.c ---- */
int32_t bo_suggest(struct bo_searcher *s, struct hpolab_ctx *ctx,
                   int64_t trial_id, struct hpolab_config **out);

/* ---- bo_state.c ---- */
int32_t bo_save(struct bo_searcher *s, struct hpolab_ctx *ctx,
                struct hpolab_buffer *out);
int32_t bo_restore(struct bo_searcher *s, struct hpolab_ctx *ctx,
                   const void *data, uint64_t size);
/* Frees what s owns except the option values and strings set at create
 * (restore swaps these parts). */
void bo_release_state(struct bo_searcher *s);

#endif
