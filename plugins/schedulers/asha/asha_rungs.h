/* asha_rungs.h: the rung system of ASHA (schedulers reference §4.2-4.5,
 * 4.8) without any host call, so it can be unit tested on its own: rung
 * levels, promotion quantiles, the rung entries, the per-trial state and the
 * decision rules of the stopping and promotion variants. Trial ids are
 * int64, resources integers, metric values doubles compared in the
 * direction of the mode. Decisions are HPOLAB_DECISION_*.
 *
 * No call costs time linear in the number of observations: a rung is an
 * order-statistic treap (asha_rung.c), a trial's rungs are a bit mask, and
 * trials are found by id through an id map (asha_idmap.c); a report or a
 * promotion costs O(K log n) for K rungs of n entries. */
#ifndef HPOLAB_ASHA_RUNGS_H
#define HPOLAB_ASHA_RUNGS_H

#include <stddef.h>
#include <stdint.h>

#include "asha_idmap.h"

#define ASHA_OK 0
#define ASHA_ERR_INVALID 1  /* bad argument; message in errbuf */
#define ASHA_ERR_NOMEM 2
#define ASHA_ERR_UNKNOWN 3  /* trial id never registered */
#define ASHA_ERR_MILESTONE 4 /* promotion: report beyond the milestone */

/* One rung entry as the accessors below return it. */
struct asha_entry {
    int64_t trial_id;
    double value;
    int promoted;
};

/* A node of a rung's treap: ordered best-first, equal values in insertion
 * order; NaN counts as worse than every number. Each node carries the size
 * of its subtree and the number of not yet promoted entries in it, so the
 * k-th entry and the first non-promoted entry are found in O(log n). */
struct asha_node {
    double value;
    int64_t trial_id;
    uint32_t left, right; /* node indices, 0 = none */
    uint32_t size;        /* nodes in this subtree */
    uint32_t unpromoted;  /* nodes with promoted == 0 in this subtree */
    uint32_t prio;        /* treap heap priority, a hash of the index */
    uint8_t promoted;
};

/* Entries are never removed. */
struct asha_rung {
    int64_t level;
    double quantile; /* q_k = r_k / r_{k+1}, r_K = max_t */
    struct asha_node *nodes; /* [owned] nodes[1..n]; nodes[0] the empty
                                sentinel (size 0) */
    uint32_t root;
    size_t n, cap; /* entries; allocated nodes including the sentinel */
};

struct asha_trial {
    int64_t id;
    size_t bracket;
    int64_t milestone;   /* promotion: where the current job pauses */
    int64_t resume_from; /* promotion: rung it was resumed from, or -1 */
    int32_t decision;    /* stored decision, HPOLAB_DECISION_* */
    uint64_t in_rungs;   /* bit k: the trial has an entry in rungs[k] */
};

/* At most 63 rungs exist for an int64 max_t and eta >= 2; the per-trial
 * rung set is one 64-bit mask. */
#define ASHA_MAX_RUNGS 64

struct asha_rungs {
    int32_t mode;      /* HPOLAB_MODE_MIN or _MAX */
    int promotion;     /* 0: stopping variant, 1: promotion variant */
    int64_t max_t;
    size_t num_rungs;  /* K; rungs[k].level = r_k, increasing */
    struct asha_rung *rungs;
    size_t num_brackets;
    double *bracket_cdf; /* cumulative bracket distribution, last = 1 */
    struct asha_trial *trials; /* in order of registration */
    size_t num_trials, cap_trials;
    struct asha_idmap trial_index; /* trial id -> index into trials */
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

/* Initialise rs (caller's storage) with the layout of model (mode, variant,
 * max_t, rung levels and quantiles, brackets) and no trials or entries.
 * ASHA_OK or ASHA_ERR_NOMEM (rs left freed). */
int asha_rungs_init_like(struct asha_rungs *rs,
                         const struct asha_rungs *model);

/* numpy's linear quantile cut-off of a rung (§4.3): 0 and *out untouched
 * when the rung has fewer than 2 entries, else 1. O(log n). */
int asha_rung_cutoff(const struct asha_rungs *rs, const struct asha_rung *r,
                     double *out);

/* Insert (trial_id, y, promoted) into rung r of rs: after every entry that
 * is not worse. O(log n). ASHA_OK or ASHA_ERR_NOMEM. Does not touch the
 * trial's rung mask (asha_rungs_on_report and asha_rungs_restore_entry
 * do). */
int asha_rung_insert(const struct asha_rungs *rs, struct asha_rung *r,
                     int64_t trial_id, double y, int promoted);

/* The entry at rank k (0 = best): 1, or 0 when k >= r->n. O(log n). */
int asha_rung_entry(const struct asha_rung *r, size_t k,
                    struct asha_entry *out);

/* The best entry not yet promoted and its rank: 1, or 0 when every entry
 * is promoted. O(log n). */
int asha_rung_first_unpromoted(const struct asha_rung *r, size_t *rank,
                               struct asha_entry *out);

/* Mark the entry asha_rung_first_unpromoted returns as promoted; nothing
 * when there is none. O(log n). */
void asha_rung_promote_first(struct asha_rung *r);

/* The bracket for a uniform draw u in [0,1), as numpy's choice(p=dist):
 * the first index whose cumulative probability exceeds u. */
size_t asha_rungs_bracket(const struct asha_rungs *rs, double u);

/* First milestone of bracket s: r_s, or max_t when s == K. */
int64_t asha_rungs_first_milestone(const struct asha_rungs *rs, size_t bracket);

/* Register a new trial in bracket (decision CONTINUE, milestone = first
 * milestone of the bracket, no resume_from). */
int asha_rungs_add_trial(struct asha_rungs *rs, int64_t trial_id,
                         size_t bracket);

/* The trial's state, or NULL if never registered. O(1). */
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

/* For restoring a saved state into a freshly initialised rs: register a
 * trial with all its fields (ASHA_ERR_INVALID: bracket, decision or
 * milestone out of range, or the id registered twice), then add an entry of
 * rung k in best-first order (ASHA_ERR_UNKNOWN: trial not registered;
 * ASHA_ERR_INVALID: k out of range, or the trial has an entry in rung k
 * already). Messages are the caller's. */
int asha_rungs_restore_trial(struct asha_rungs *rs, int64_t trial_id,
                             size_t bracket, int64_t milestone,
                             int64_t resume_from, int32_t decision);
int asha_rungs_restore_entry(struct asha_rungs *rs, size_t k,
                             int64_t trial_id, double y, int promoted);

#endif
