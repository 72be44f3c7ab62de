/* asha_rungs.c: ASHA's rung system (schedulers reference §4.2-4.5, 4.8),
 * pure C. */
#include "asha_rungs.h"

#include <hpolab/types.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4))) static int fail(char *errbuf,
                                                       size_t errlen,
                                                       const char *fmt, ...)
{
    if (errbuf && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return ASHA_ERR_INVALID;
}

int asha_rung_levels(int64_t r_min, double eta, int64_t max_t, int64_t **out,
                     size_t *n)
{
    *out = NULL;
    *n = 0;
    if (r_min < 1 || r_min >= max_t || !(eta >= 2.0))
        return ASHA_ERR_INVALID;
    size_t k_max = 0;
    while ((double)r_min * pow(eta, (double)k_max) < (double)max_t)
        k_max++;
    int64_t *levels = malloc(k_max * sizeof *levels);
    if (!levels)
        return ASHA_ERR_NOMEM;
    size_t count = 0;
    for (size_t k = 0; k < k_max; k++) {
        /* nearbyint rounds half to even in the default rounding mode, as
         * Python's round. */
        int64_t level = (int64_t)nearbyint((double)r_min * pow(eta, (double)k));
        if (level >= max_t)
            break;
        levels[count++] = level;
    }
    *out = levels;
    *n = count;
    return ASHA_OK;
}

void asha_rungs_free(struct asha_rungs *rs)
{
    if (!rs)
        return;
    for (size_t k = 0; k < rs->num_rungs; k++)
        free(rs->rungs[k].nodes);
    free(rs->rungs);
    free(rs->bracket_cdf);
    free(rs->trials);
    asha_idmap_free(&rs->trial_index);
    memset(rs, 0, sizeof *rs);
}

/* Bracket distribution (§4.8) as numpy: sizes / sum, then choice's
 * cumsum divided by its last element. */
static int init_brackets(struct asha_rungs *rs, int64_t brackets)
{
    size_t nb = rs->num_rungs + 1;
    if ((uint64_t)brackets < nb)
        nb = (size_t)brackets;
    rs->bracket_cdf = malloc(nb * sizeof *rs->bracket_cdf);
    if (!rs->bracket_cdf)
        return ASHA_ERR_NOMEM;
    rs->num_brackets = nb;
    double k1 = (double)(rs->num_rungs + 1), sum = 0.0;
    for (size_t s = 0; s < nb; s++) {
        double level = (double)asha_rungs_first_milestone(rs, s);
        rs->bracket_cdf[s] = k1 / ((k1 - (double)s) * level);
        sum += rs->bracket_cdf[s];
    }
    double acc = 0.0;
    for (size_t s = 0; s < nb; s++) {
        acc += rs->bracket_cdf[s] / sum;
        rs->bracket_cdf[s] = acc;
    }
    for (size_t s = 0; s < nb; s++)
        rs->bracket_cdf[s] /= acc;
    return ASHA_OK;
}

int asha_rungs_init(struct asha_rungs *rs, int32_t mode, int promotion,
                    int64_t grace_period, double reduction_factor,
                    int64_t max_t, int64_t brackets, char *errbuf,
                    size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    if (mode != HPOLAB_MODE_MIN && mode != HPOLAB_MODE_MAX)
        return fail(errbuf, errlen, "mode must be min or max, got %d",
                    (int)mode);
    if (max_t < 2)
        return fail(errbuf, errlen, "max_t must be an integer >= 2, got %lld",
                    (long long)max_t);
    if (grace_period < 1 || grace_period >= max_t)
        return fail(errbuf, errlen,
                    "grace_period must be an integer in [1, max_t = %lld), "
                    "got %lld",
                    (long long)max_t, (long long)grace_period);
    if (!(reduction_factor >= 2.0) || !isfinite(reduction_factor))
        return fail(errbuf, errlen, "reduction_factor must be >= 2, got %g",
                    reduction_factor);
    if (brackets < 1)
        return fail(errbuf, errlen, "brackets must be >= 1, got %lld",
                    (long long)brackets);
    rs->mode = mode;
    rs->promotion = promotion ? 1 : 0;
    rs->max_t = max_t;
    int64_t *levels = NULL;
    size_t n = 0;
    int st = asha_rung_levels(grace_period, reduction_factor, max_t, &levels,
                              &n);
    if (st == ASHA_OK && n > ASHA_MAX_RUNGS)
        st = fail(errbuf, errlen, "%zu rung levels, at most %d are supported",
                  n, ASHA_MAX_RUNGS);
    if (st == ASHA_OK && n) {
        rs->rungs = calloc(n, sizeof *rs->rungs);
        if (!rs->rungs)
            st = ASHA_ERR_NOMEM;
    }
    if (st == ASHA_OK) {
        rs->num_rungs = n;
        for (size_t k = 0; k < n; k++) {
            int64_t next = k + 1 < n ? levels[k + 1] : max_t;
            rs->rungs[k].level = levels[k];
            rs->rungs[k].quantile = (double)levels[k] / (double)next;
        }
        st = init_brackets(rs, brackets);
    }
    free(levels);
    if (st != ASHA_OK) {
        asha_rungs_free(rs);
        if (st == ASHA_ERR_NOMEM)
            fail(errbuf, errlen, "out of memory");
    }
    return st;
}

int asha_rungs_init_like(struct asha_rungs *rs,
                         const struct asha_rungs *model)
{
    memset(rs, 0, sizeof *rs);
    rs->mode = model->mode;
    rs->promotion = model->promotion;
    rs->max_t = model->max_t;
    if (model->num_rungs) {
        rs->rungs = calloc(model->num_rungs, sizeof *rs->rungs);
        if (!rs->rungs)
            return ASHA_ERR_NOMEM;
    }
    rs->num_rungs = model->num_rungs;
    for (size_t k = 0; k < rs->num_rungs; k++) {
        rs->rungs[k].level = model->rungs[k].level;
        rs->rungs[k].quantile = model->rungs[k].quantile;
    }
    rs->bracket_cdf = malloc(model->num_brackets * sizeof *rs->bracket_cdf);
    if (!rs->bracket_cdf) {
        asha_rungs_free(rs);
        return ASHA_ERR_NOMEM;
    }
    rs->num_brackets = model->num_brackets;
    memcpy(rs->bracket_cdf, model->bracket_cdf,
           rs->num_brackets * sizeof *rs->bracket_cdf);
    return ASHA_OK;
}

size_t asha_rungs_bracket(const struct asha_rungs *rs, double u)
{
    for (size_t s = 0; s < rs->num_brackets; s++)
        if (rs->bracket_cdf[s] > u)
            return s;
    return rs->num_brackets - 1;
}

int64_t asha_rungs_first_milestone(const struct asha_rungs *rs, size_t bracket)
{
    return bracket < rs->num_rungs ? rs->rungs[bracket].level : rs->max_t;
}

struct asha_trial *asha_rungs_trial(struct asha_rungs *rs, int64_t trial_id)
{
    size_t i;
    return asha_idmap_get(&rs->trial_index, trial_id, &i) ? &rs->trials[i]
                                                          : NULL;
}

int asha_rungs_add_trial(struct asha_rungs *rs, int64_t trial_id,
                         size_t bracket)
{
    if (bracket >= rs->num_brackets)
        return ASHA_ERR_INVALID;
    /* a registered trial keeps its rung entries */
    struct asha_trial *t = asha_rungs_trial(rs, trial_id);
    if (!t) {
        if (rs->num_trials == rs->cap_trials) {
            size_t cap = rs->cap_trials ? 2 * rs->cap_trials : 16;
            struct asha_trial *nt = realloc(rs->trials, cap * sizeof *nt);
            if (!nt)
                return ASHA_ERR_NOMEM;
            rs->trials = nt;
            rs->cap_trials = cap;
        }
        if (asha_idmap_put(&rs->trial_index, trial_id, rs->num_trials) !=
            ASHA_OK)
            return ASHA_ERR_NOMEM;
        t = &rs->trials[rs->num_trials++];
        t->in_rungs = 0;
    }
    t->id = trial_id;
    t->bracket = bracket;
    t->milestone = asha_rungs_first_milestone(rs, bracket);
    t->resume_from = -1;
    t->decision = HPOLAB_DECISION_CONTINUE;
    return ASHA_OK;
}

static int passes(int32_t mode, double y, double cutoff)
{
    return mode == HPOLAB_MODE_MIN ? y <= cutoff : y >= cutoff;
}

int asha_rungs_promote(struct asha_rungs *rs, int64_t *out_trial)
{
    if (!rs->promotion)
        return 0;
    for (size_t k = rs->num_rungs; k-- > 0;) {
        struct asha_rung *r = &rs->rungs[k];
        double cutoff;
        struct asha_entry best;
        size_t rank;
        if (!asha_rung_cutoff(rs, r, &cutoff) ||
            !asha_rung_first_unpromoted(r, &rank, &best) ||
            !passes(rs->mode, best.value, cutoff))
            continue;
        struct asha_trial *t = asha_rungs_trial(rs, best.trial_id);
        if (!t)
            continue; /* cannot happen: entries come from registered trials */
        asha_rung_promote_first(r);
        t->resume_from = r->level;
        t->milestone = k + 1 < rs->num_rungs ? rs->rungs[k + 1].level
                                             : rs->max_t;
        t->decision = HPOLAB_DECISION_CONTINUE;
        *out_trial = t->id;
        return 1;
    }
    return 0;
}

/* Insert the trial's value into rung k and note it in the trial's mask. */
static int enter_rung(struct asha_rungs *rs, struct asha_trial *t, size_t k,
                      double y)
{
    int st = asha_rung_insert(rs, &rs->rungs[k], t->id, y, 0);
    if (st == ASHA_OK)
        t->in_rungs |= (uint64_t)1 << k;
    return st;
}

static int report_stopping(struct asha_rungs *rs, struct asha_trial *t,
                           int64_t r, double y, int32_t *decision, int *jumped)
{
    for (size_t k = rs->num_rungs; k-- > t->bracket;) {
        struct asha_rung *rung = &rs->rungs[k];
        if (r < rung->level || (t->in_rungs >> k & 1u))
            continue;
        if (r > rung->level) {
            *jumped = 1;
            return ASHA_OK;
        }
        int st = enter_rung(rs, t, k, y);
        if (st != ASHA_OK)
            return st;
        double cutoff;
        if (asha_rung_cutoff(rs, rung, &cutoff) &&
            !passes(rs->mode, y, cutoff))
            *decision = HPOLAB_DECISION_STOP;
        return ASHA_OK;
    }
    return ASHA_OK;
}

static int report_promotion(struct asha_rungs *rs, struct asha_trial *t,
                            int64_t r, double y, int32_t *decision, int *used)
{
    if (t->resume_from >= 0 && r <= t->resume_from) {
        *used = 0;
        return ASHA_OK;
    }
    if (r < t->milestone)
        return ASHA_OK;
    if (r > t->milestone)
        return ASHA_ERR_MILESTONE;
    for (size_t k = 0; k < rs->num_rungs; k++)
        if (rs->rungs[k].level == t->milestone) {
            int st = enter_rung(rs, t, k, y);
            if (st != ASHA_OK)
                return st;
            *decision = HPOLAB_DECISION_PAUSE;
            return ASHA_OK;
        }
    return ASHA_ERR_MILESTONE; /* milestone < max_t is always a rung */
}

int asha_rungs_on_report(struct asha_rungs *rs, int64_t trial_id, int64_t r,
                         double y, int32_t *decision, int *used, int *jumped)
{
    *decision = HPOLAB_DECISION_CONTINUE;
    *used = 0;
    *jumped = 0;
    struct asha_trial *t = asha_rungs_trial(rs, trial_id);
    if (!t)
        return ASHA_ERR_UNKNOWN;
    if (t->decision != HPOLAB_DECISION_CONTINUE) {
        *decision = t->decision;
        return ASHA_OK;
    }
    *used = 1;
    int st = ASHA_OK;
    if (r >= rs->max_t)
        *decision = HPOLAB_DECISION_STOP;
    else if (rs->promotion)
        st = report_promotion(rs, t, r, y, decision, used);
    else
        st = report_stopping(rs, t, r, y, decision, jumped);
    if (st != ASHA_OK) {
        *decision = HPOLAB_DECISION_CONTINUE;
        *used = 0;
        return st;
    }
    t->decision = *decision;
    return ASHA_OK;
}

void asha_rungs_on_remove(struct asha_rungs *rs, int64_t trial_id)
{
    struct asha_trial *t = asha_rungs_trial(rs, trial_id);
    if (t)
        t->decision = HPOLAB_DECISION_PAUSE;
}

void asha_rungs_on_stop(struct asha_rungs *rs, int64_t trial_id)
{
    struct asha_trial *t = asha_rungs_trial(rs, trial_id);
    if (t)
        t->decision = HPOLAB_DECISION_STOP;
}

int asha_rungs_restore_trial(struct asha_rungs *rs, int64_t trial_id,
                             size_t bracket, int64_t milestone,
                             int64_t resume_from, int32_t decision)
{
    if (bracket >= rs->num_brackets || asha_rungs_trial(rs, trial_id) ||
        decision < HPOLAB_DECISION_CONTINUE ||
        decision > HPOLAB_DECISION_STOP || milestone < 1 ||
        milestone > rs->max_t || resume_from < -1 || resume_from >= milestone)
        return ASHA_ERR_INVALID;
    int st = asha_rungs_add_trial(rs, trial_id, bracket);
    if (st != ASHA_OK)
        return st;
    struct asha_trial *t = asha_rungs_trial(rs, trial_id);
    t->milestone = milestone;
    t->resume_from = resume_from;
    t->decision = decision;
    return ASHA_OK;
}

int asha_rungs_restore_entry(struct asha_rungs *rs, size_t k,
                             int64_t trial_id, double y, int promoted)
{
    struct asha_trial *t = asha_rungs_trial(rs, trial_id);
    if (!t)
        return ASHA_ERR_UNKNOWN;
    if (k >= rs->num_rungs || (t->in_rungs >> k & 1u))
        return ASHA_ERR_INVALID;
    struct asha_rung *r = &rs->rungs[k];
    int st = asha_rung_insert(rs, r, trial_id, y, promoted);
    if (st != ASHA_OK)
        return st;
    t->in_rungs |= (uint64_t)1 << k;
    /* entries come best-first, so each one must land last */
    struct asha_entry last;
    asha_rung_entry(r, r->n - 1, &last);
    return last.trial_id == trial_id ? ASHA_OK : ASHA_ERR_INVALID;
}
