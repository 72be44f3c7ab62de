/* asha_state.c: save and restore of an asha scheduler (for --resume).
 *
 * Format, version 1, little-endian:
 *   "HPAS", u32 version, u64 body length, body, searcher state.
 * Body:
 *   layout   u8 type (0 stopping, 1 promotion), u8 mode, i64 max_t,
 *            u32 K, K x i64 rung level, u32 brackets
 *   brackets u32 seed, u64 draws (rng_random calls made on the bracket RNG)
 *   trials   u64 count, each: i64 id, u32 bracket, i64 milestone,
 *            i64 resume_from, u8 decision (in order of registration)
 *   rungs    K x (u64 count, each entry best-first: i64 trial id,
 *            f64 value, u8 promoted)
 *   configs  u64 count, each: i64 trial id, configuration: u32 count of
 *            (u32 length + name, u8 HPOLAB_VALUE_* type, value: i64 /
 *            f64 / u8 bool / u32 length + string)
 *   "SRCH"
 * The searcher's own saved state fills the rest of the buffer: a plugin
 * cannot read back the length of what the searcher appended, so the body
 * length is measured by a first, counting pass. The bracket RNG is restored
 * by replaying its draws from the seed (the host table has no RNG state
 * accessors; replay gives the identical state). Restore builds everything
 * aside and swaps it in only when all of it, searcher included, succeeded:
 * a failed restore changes nothing. */
#include <hpolab/hpolab.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asha.h"
#include "state_codec.h"

#define STATE_MAGIC "HPAS"
#define STATE_VERSION 1u
#define HEADER_SIZE 16u /* magic, version, body length */

/* ---- writing ------------------------------------------------------------ */

static void put_body(struct hpolab_state_writer *w, struct asha *a,
                     struct hpolab_ctx *ctx)
{
    const struct asha_rungs *rs = &a->rungs;
    hpolab_state_put_u(w, (uint64_t)rs->promotion, 1);
    hpolab_state_put_u(w, (uint64_t)rs->mode, 1);
    hpolab_state_put_u(w, (uint64_t)rs->max_t, 8);
    hpolab_state_put_u(w, rs->num_rungs, 4);
    for (size_t k = 0; k < rs->num_rungs; k++)
        hpolab_state_put_u(w, (uint64_t)rs->rungs[k].level, 8);
    hpolab_state_put_u(w, rs->num_brackets, 4);
    hpolab_state_put_u(w, a->bracket_seed, 4);
    hpolab_state_put_u(w, a->bracket_draws, 8);
    hpolab_state_put_u(w, rs->num_trials, 8);
    for (size_t i = 0; i < rs->num_trials; i++) {
        const struct asha_trial *t = &rs->trials[i];
        hpolab_state_put_u(w, (uint64_t)t->id, 8);
        hpolab_state_put_u(w, t->bracket, 4);
        hpolab_state_put_u(w, (uint64_t)t->milestone, 8);
        hpolab_state_put_u(w, (uint64_t)t->resume_from, 8);
        hpolab_state_put_u(w, (uint64_t)t->decision, 1);
    }
    for (size_t k = 0; k < rs->num_rungs; k++) {
        const struct asha_rung *r = &rs->rungs[k];
        hpolab_state_put_u(w, r->n, 8);
        for (size_t j = 0; j < r->n && w->st == HPOLAB_OK; j++) {
            struct asha_entry e;
            asha_rung_entry(r, j, &e);
            hpolab_state_put_u(w, (uint64_t)e.trial_id, 8);
            hpolab_state_put_f64(w, e.value);
            hpolab_state_put_u(w, (uint64_t)(e.promoted != 0), 1);
        }
    }
    hpolab_state_put_u(w, a->configs.count, 8);
    for (size_t i = 0; i < a->configs.count && w->st == HPOLAB_OK; i++) {
        hpolab_state_put_u(w, (uint64_t)a->configs.items[i].trial_id, 8);
        char whose[40];
        snprintf(whose, sizeof whose, "trial %" PRId64,
                 a->configs.items[i].trial_id);
        hpolab_state_put_config(w, ctx, a->configs.items[i].config, NULL, NULL,
                                whose);
    }
    hpolab_state_put(w, "SRCH", 4);
}

int32_t HPOLAB_ABI asha_save(void *state, struct hpolab_ctx *ctx,
                             struct hpolab_buffer *out)
{
    struct asha *a = state;
    struct hpolab_state_writer count = {NULL, 0, HPOLAB_OK};
    put_body(&count, a, ctx);
    if (count.st != HPOLAB_OK)
        return count.st;
    struct hpolab_state_writer w = {out, 0, HPOLAB_OK};
    hpolab_state_put(&w, STATE_MAGIC, 4);
    hpolab_state_put_u(&w, STATE_VERSION, 4);
    hpolab_state_put_u(&w, count.len, 8);
    put_body(&w, a, ctx);
    if (w.st == HPOLAB_ERR_NOMEM)
        return hpolab_set_error(ctx, w.st, "save: out of memory");
    if (w.st != HPOLAB_OK)
        return w.st;
    return hpolab_host->searcher_save(ctx, a->searcher, out);
}

/* ---- reading ------------------------------------------------------------ */

static void describe(char *buf, size_t len, int promotion, int32_t mode,
                     int64_t max_t, const int64_t *levels, size_t k,
                     uint64_t brackets)
{
    int at = snprintf(buf, len, "type %s, mode %s, max_t %" PRId64
                      ", rung levels [",
                      promotion ? "promotion" : "stopping",
                      mode == HPOLAB_MODE_MIN ? "min" : "max", max_t);
    for (size_t i = 0; i < k && at > 0 && (size_t)at < len; i++)
        at += snprintf(buf + at, len - (size_t)at, "%s%" PRId64,
                       i ? ", " : "", levels[i]);
    if (at > 0 && (size_t)at < len)
        snprintf(buf + at, len - (size_t)at, "], %" PRIu64 " bracket%s",
                 brackets, brackets == 1 ? "" : "s");
}

/* The saved layout must be this instance's: a state of another study's
 * scheduler would give meaningless decisions. */
static void check_layout(struct hpolab_state_reader *r,
                         const struct asha_rungs *rs)
{
    int promotion = (int)hpolab_state_get_u(r, 1, "the type");
    int32_t mode = (int32_t)hpolab_state_get_u(r, 1, "the mode");
    int64_t max_t = (int64_t)hpolab_state_get_u(r, 8, "max_t");
    uint64_t k = hpolab_state_get_u(r, 4, "the number of rungs");
    if (r->st != HPOLAB_OK)
        return;
    if (k > ASHA_MAX_RUNGS) {
        hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                         "damaged: %" PRIu64 " rungs (at most %d)", k,
                         ASHA_MAX_RUNGS);
        return;
    }
    int64_t levels[ASHA_MAX_RUNGS];
    for (uint64_t i = 0; i < k; i++)
        levels[i] = (int64_t)hpolab_state_get_u(r, 8, "a rung level");
    uint64_t brackets = hpolab_state_get_u(r, 4, "the number of brackets");
    if (r->st != HPOLAB_OK)
        return;
    int same = promotion == rs->promotion && mode == rs->mode &&
               max_t == rs->max_t && k == rs->num_rungs &&
               brackets == rs->num_brackets;
    for (uint64_t i = 0; same && i < k; i++)
        same = levels[i] == rs->rungs[i].level;
    if (same)
        return;
    char saved[512], mine[512];
    int64_t my_levels[ASHA_MAX_RUNGS];
    for (size_t i = 0; i < rs->num_rungs; i++)
        my_levels[i] = rs->rungs[i].level;
    describe(saved, sizeof saved, promotion, mode, max_t, levels, (size_t)k,
             brackets);
    describe(mine, sizeof mine, rs->promotion, rs->mode, rs->max_t,
             my_levels, rs->num_rungs, rs->num_brackets);
    r->st = hpolab_set_error(r->ctx, HPOLAB_ERR_INVALID,
                             "restore: the saved ASHA state is for %s; this "
                             "scheduler has %s",
                             saved, mine);
}

static void get_trials(struct hpolab_state_reader *r, struct asha_rungs *rs)
{
    uint64_t n = hpolab_state_get_count(r, 8, 29, "trials");
    for (uint64_t i = 0; i < n && r->st == HPOLAB_OK; i++) {
        int64_t id = (int64_t)hpolab_state_get_u(r, 8, "a trial id");
        uint64_t bracket = hpolab_state_get_u(r, 4, "a trial's bracket");
        int64_t milestone =
            (int64_t)hpolab_state_get_u(r, 8, "a trial's milestone");
        int64_t resume_from =
            (int64_t)hpolab_state_get_u(r, 8, "a trial's resume_from");
        int32_t decision =
            (int32_t)hpolab_state_get_u(r, 1, "a trial's decision");
        if (r->st != HPOLAB_OK)
            return;
        int st = asha_rungs_restore_trial(rs, id, (size_t)bracket, milestone,
                                          resume_from, decision);
        if (st == ASHA_ERR_NOMEM)
            hpolab_state_bad(r, HPOLAB_ERR_NOMEM, "out of memory");
        else if (st != ASHA_OK)
            hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                             "damaged: trial %" PRId64 " (bracket %" PRIu64
                             ", milestone %" PRId64 ", resume_from %" PRId64
                             ", decision %d) is a duplicate or out of range",
                             id, bracket, milestone, resume_from,
                             (int)decision);
    }
}

static void get_rungs(struct hpolab_state_reader *r, struct asha_rungs *rs)
{
    for (size_t k = 0; k < rs->num_rungs && r->st == HPOLAB_OK; k++) {
        uint64_t n = hpolab_state_get_count(r, 8, 17, "rung entries");
        for (uint64_t j = 0; j < n && r->st == HPOLAB_OK; j++) {
            int64_t id =
                (int64_t)hpolab_state_get_u(r, 8, "a rung entry's trial id");
            double y = hpolab_state_get_f64(r, "a rung entry's value");
            int promoted = (int)hpolab_state_get_u(r, 1, "a rung entry's flag");
            if (r->st != HPOLAB_OK)
                return;
            int st = asha_rungs_restore_entry(rs, k, id, y, promoted);
            if (st == ASHA_ERR_NOMEM)
                hpolab_state_bad(r, HPOLAB_ERR_NOMEM, "out of memory");
            else if (st == ASHA_ERR_UNKNOWN)
                hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                                 "damaged: rung %" PRId64
                                 " has an entry of trial %" PRId64
                                 ", which is not a saved trial",
                                 rs->rungs[k].level, id);
            else if (st != ASHA_OK)
                hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                                 "damaged: rung %" PRId64 ": entry %" PRIu64
                                 " (trial %" PRId64
                                 ") is a duplicate or out of order",
                                 rs->rungs[k].level, j, id);
        }
    }
}

static void get_configs(struct hpolab_state_reader *r,
                        struct asha_configs *configs)
{
    uint64_t n = hpolab_state_get_count(r, 8, 12, "configurations");
    for (uint64_t i = 0; i < n && r->st == HPOLAB_OK; i++) {
        int64_t id =
            (int64_t)hpolab_state_get_u(r, 8, "a configuration's trial id");
        struct hpolab_config *c = hpolab_state_get_config(r);
        if (!c)
            return;
        if (asha_configs_find(configs, id)) {
            hpolab_host->config_free(c);
            hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                             "damaged: two configurations of trial %" PRId64,
                             id);
            return;
        }
        r->st = asha_configs_put(configs, r->ctx, id, c);
    }
}

/* The parts of a struct asha a restore replaces. */
struct fresh {
    struct asha_rungs rungs;
    struct asha_configs configs;
    struct hpolab_rng *rng;
    uint32_t seed;
    uint64_t draws;
};

static void fresh_free(struct fresh *f)
{
    asha_rungs_free(&f->rungs);
    asha_configs_free(&f->configs);
    if (f->rng)
        hpolab_host->rng_destroy(f->rng);
    f->rng = NULL;
}

static void get_body(struct hpolab_state_reader *r, struct asha *a,
                     struct fresh *f)
{
    check_layout(r, &a->rungs);
    f->seed = (uint32_t)hpolab_state_get_u(r, 4, "the bracket seed");
    f->draws = hpolab_state_get_u(r, 8, "the number of bracket draws");
    get_trials(r, &f->rungs);
    get_rungs(r, &f->rungs);
    get_configs(r, &f->configs);
    if (r->st != HPOLAB_OK)
        return;
    if (r->end - r->pos != 4 || memcmp(r->p + r->pos, "SRCH", 4) != 0) {
        hpolab_state_bad(
            r, HPOLAB_ERR_PARSE,
            "damaged: the body should end with \"SRCH\" at byte %" PRIu64
            " but ends at byte %" PRIu64,
            r->pos, r->end);
        return;
    }
    r->pos += 4;
    r->st = hpolab_host->rng_create(r->ctx, f->seed, &f->rng);
    for (uint64_t i = 0; i < f->draws && r->st == HPOLAB_OK; i++)
        (void)hpolab_host->rng_random(f->rng);
}

int32_t HPOLAB_ABI asha_restore(void *state, struct hpolab_ctx *ctx,
                                const void *data, uint64_t size)
{
    struct asha *a = state;
    const unsigned char *p = data;
    if (size < 4 || memcmp(p, STATE_MAGIC, 4) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "restore: not an ASHA scheduler state (it "
                                "does not start with \"" STATE_MAGIC "\")");
    struct hpolab_state_reader r = {p, size, 4, ctx, HPOLAB_OK, "ASHA"};
    uint64_t version = hpolab_state_get_u(&r, 4, "the version");
    uint64_t body = hpolab_state_get_u(&r, 8, "the body length");
    if (r.st != HPOLAB_OK)
        return r.st;
    if (version != STATE_VERSION)
        return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                                "restore: ASHA state version %" PRIu64
                                ", this plugin reads version %u",
                                version, STATE_VERSION);
    if (body > size - HEADER_SIZE)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "restore: ASHA state truncated: the body has "
                                "%" PRIu64 " bytes, the buffer holds %" PRIu64
                                " after the header",
                                body, size - HEADER_SIZE);
    r.end = HEADER_SIZE + body;
    struct fresh f = {0};
    if (asha_rungs_init_like(&f.rungs, &a->rungs) != ASHA_OK)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    get_body(&r, a, &f);
    if (r.st == HPOLAB_OK)
        r.st = hpolab_host->searcher_restore(ctx, a->searcher, p + r.end,
                                             size - r.end);
    if (r.st != HPOLAB_OK) {
        fresh_free(&f);
        return r.st;
    }
    /* swap in; the old parts go */
    struct fresh old = {a->rungs, a->configs, a->bracket_rng, 0, 0};
    a->rungs = f.rungs;
    a->configs = f.configs;
    a->bracket_rng = f.rng;
    a->bracket_seed = f.seed;
    a->bracket_draws = f.draws;
    fresh_free(&old);
    return HPOLAB_OK;
}
