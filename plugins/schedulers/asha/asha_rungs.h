/* asha_rungs.h: the rung system of ASHA (schedulers reference §4.2-4.5,
 * 4.8) without any host call, so it can be unit tested on its own: rung
 * levels, promotion quantiles, the rung entries, the per-trial state and the
 * decision rules of the stopping and promotion variants. Trial ids are
 * int64, resources integers, metric values doubles compared in the
 * direction of the mode. Decisions are HPOLAB_DECISION_*. */
#ifndef HPOLAB_ASHA_RUNGS_H
#define HPOLAB_ASHA_RUNGS_H

#include <stddef.h>
#include <stdint.h>

#define ASHA_OK 0
#define ASHA_ERR_INVALID 1  /* bad argument; message in errbuf */
#define ASHA_ERR_NOMEM 2
#define ASHA_ERR_UNKNOWN 3  /* trial id never registered */
#define ASHA_ERR_MILESTONE 4 /* promotion: report beyond the milestone */

struct asha_entry {
    int64_t trial_id;
    double value;
    int promoted;
};

/* Entries sorted best-first (ascending for min, descending for max); equal
 * values keep insertion order. Entries are never removed. */
struct asha_rung {
    int64_t level;
    double quantile; /* q_k = r_k / r_{k+1}, r_K = max_t */
    struct asha_entry *entries;
    size_t n, cap;
};

struct asha_trial {
    int64_t id;
    size_t bracket;
    int64_t milestone;   /* promotion: where the current job pauses */
    int64_t resume_from; /* promotion: rung it was resumed from, or -1 */
    int32_t decision;    /* stored decision, HPOLAB_DECISION_* */
};

struct asha_rungs {
    int32_t mode;      /* HPOLAB_MODE_MIN or _MAX */
    int promotion;     /* 0: stopping variant, 1: promotion variant */
    int64_t max_t;
    size_t num_rungs;  /* K; rungs[k].level = r_k, increasing */
    struct asha_rung *rungs;
    size_t num_brackets;
    double *bracket_cdf; /* cumulative bracket distribution, last = 1 */
    struct asha_trial *trials;
    size_t num_trials, cap_trials;
};

/* Geometric rung levels (§4.2): r_k = round_half_even(r_min * eta^k) for
 * k < K, K the smallest integer with r_min * eta^K >= max_t, a last level
 * equal to max_t dropped. *out [owned: free], may be NULL when *n == 0.
 * Requires 1 <= r_min < max_t and eta >= 2. */
int asha_rung_levels(int64_t r_min, double eta, int64_t max_t, int64_t **out,
                     size_t *n);

/* Initialise rs (caller's storage); on failure rs is left freed and errbuf
 * holds why. brackets >= 1 (clipped to K+1, §4.8). */
int asha_rungs_init(struct asha_rungs *rs, int32_t mode, int promotion,
                    int64_t grace_period, double reduction_factor,
                    int64_t max_t, int64_t brackets, char *errbuf,
                    size_t errlen);
void asha_rungs_free(struct asha_rungs *rs);

/* numpy's linear quantile cut-off of a rung (§4.3): 0 and *out untouched
 * when the rung has fewer than 2 entries, else 1. */
int asha_rung_cutoff(const struct asha_rungs *rs, const struct asha_rung *r,
                     double *out);

/* The bracket for a uniform draw u in [0,1), as numpy's choice(p=dist):
 * the first index whose cumulative probability exceeds u. */
size_t asha_rungs_bracket(const struct asha_rungs *rs, double u);

/* First milestone of bracket s: r_s, or max_t when s == K. */
int64_t asha_rungs_first_milestone(const struct asha_rungs *rs, size_t bracket);

/* Register a new trial in bracket (decision CONTINUE, milestone = first
 * milestone of the bracket, no resume_from). */
int asha_rungs_add_trial(struct asha_rungs *rs, int64_t trial_id,
                         size_t bracket);

/* The trial's state, or NULL if never registered. */
struct asha_trial *asha_rungs_trial(struct asha_rungs *rs, int64_t trial_id);

/* Promotion variant, on suggest (§4.5): scan rungs top-down; if a trial is
 * promoted, mark its entry, reset it to CONTINUE with resume_from = the rung
 * level and milestone = next level (or max_t), set *out_trial and return 1;
 * else return 0. Always 0 in the stopping variant. */
int asha_rungs_promote(struct asha_rungs *rs, int64_t *out_trial);

/* A report (trial, resource r, value y) (§4.4, 4.5). Sets *decision. If the
 * stored decision is not CONTINUE, it is returned and nothing is recorded.
 * *used = 1 when the report counts (the searcher should see it), 0 when it
 * was ignored (stored decision not CONTINUE, or a replayed resource of a
 * resumed job). *jumped = 1 when a stopping rung level was jumped over. The
 * new decision is stored. */
int asha_rungs_on_report(struct asha_rungs *rs, int64_t trial_id, int64_t r,
                         double y, int32_t *decision, int *used, int *jumped);

/* The tuner paused/stopped the trial (stored decision becomes PAUSE), or it
 * failed/completed (STOP). Unknown ids are ignored. */
void asha_rungs_on_remove(struct asha_rungs *rs, int64_t trial_id);
void asha_rungs_on_stop(struct asha_rungs *rs, int64_t trial_id);

#endif
