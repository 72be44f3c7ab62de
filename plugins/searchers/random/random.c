/* random.c: random search (Syne Tune's RandomSearcher, schedulers reference
 * §2). Initial configurations first (the midpoint when none are given),
 * without drawing; then uniform draws from the configuration space, up to
 * 100 tries for one not suggested before; NULL once the space is exhausted.
 * With allow_duplicates, configurations may repeat, and only those of failed
 * trials are excluded.
 *
 * What was suggested (or failed) is kept as a set of 64-bit hashes of the
 * configurations' match strings (match_hash.h), not as configurations: a
 * long study costs about 16 bytes per trial here. A hash collision can only
 * make a configuration count as suggested when it was not (a re-draw; the
 * odds are in match_hash.h), never let a duplicate through.
 *
 * Saved state (version 2, little-endian): "HPRS", u32 version, u32 seed,
 * u32 flags (bit 0: allow_duplicates), u64 draws (space_sample calls made on
 * the RNG), u32 count + configurations (remaining initial ones), u64 count
 * + u64 hashes in ascending order (the exclusion set). A configuration is
 * u32 count of (u32 length + name, u8 HPOLAB_VALUE_* type, value: int64 /
 * IEEE double bits / u8 bool / u32 length + string), hyperparameters only.
 * Version 1 (still read) had u64 count + configurations in place of the
 * hashes; restoring it hashes them. The RNG is restored by replaying the
 * draws from the seed: the host table has no RNG state accessors, and
 * replay gives the identical state. */
#include <hpolab/hpolab.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hash_set.h"
#include "match_hash.h"
#include "state_codec.h"

#define MAX_RETRIES 100
#define STATE_VERSION 2u

struct config_list {
    struct hpolab_config **items; /* owned */
    uint64_t count, cap;
};

struct random_searcher {
    const struct hpolab_space *space; /* [borrowed] from the args */
    uint32_t seed;
    struct hpolab_rng *rng;
    uint64_t draws; /* space_sample calls on rng */
    int32_t allow_duplicates;
    struct config_list initial; /* remaining: [next_initial, count) */
    uint64_t next_initial;
    struct hpolab_matcher matcher;
    struct hpolab_hash_set excluded; /* match hashes */
};

static void list_clear(struct config_list *l)
{
    for (uint64_t i = 0; i < l->count; i++)
        hpolab_host->config_free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Takes c (freed on failure). */
static int32_t list_push(struct hpolab_ctx *ctx, struct config_list *l,
                         struct hpolab_config *c)
{
    if (l->count == l->cap) {
        uint64_t cap = l->cap ? l->cap * 2 : 16;
        struct hpolab_config **items = realloc(l->items, cap * sizeof *items);
        if (!items) {
            hpolab_host->config_free(c);
            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = c;
    return HPOLAB_OK;
}

/* Frees what rs owns, not rs itself. */
static void release(struct random_searcher *rs)
{
    if (rs->rng)
        hpolab_host->rng_destroy(rs->rng);
    list_clear(&rs->initial);
    hpolab_matcher_free(&rs->matcher);
    hpolab_hash_set_free(&rs->excluded);
    rs->rng = NULL;
}

static void HPOLAB_ABI rs_destroy(void *state)
{
    struct random_searcher *rs = state;
    if (!rs)
        return;
    release(rs);
    free(rs);
}

static int32_t exclude_hash(struct random_searcher *rs, struct hpolab_ctx *ctx,
                            uint64_t h)
{
    int added;
    if (hpolab_hash_set_add(&rs->excluded, h, &added) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    return HPOLAB_OK;
}

/* Excludes c (borrowed), which need not be cast yet (a configuration handed
 * back by the host, or one of a version 1 state). */
static int32_t exclude_config(struct random_searcher *rs,
                              struct hpolab_ctx *ctx,
                              const struct hpolab_config *c)
{
    struct hpolab_config *cast;
    int32_t st = hpolab_host->config_dup(ctx, c, &cast);
    if (st != HPOLAB_OK)
        return st;
    uint64_t h;
    st = hpolab_host->space_cast(ctx, rs->space, cast);
    if (st == HPOLAB_OK)
        st = hpolab_match_hash(ctx, &rs->matcher, cast, &h);
    hpolab_host->config_free(cast);
    return st == HPOLAB_OK ? exclude_hash(rs, ctx, h) : st;
}

/* JSON text equality: Syne Tune drops an initial configuration whose
 * imputed values equal an earlier one's. */
static int same_config(const struct hpolab_config *a,
                       const struct hpolab_config *b)
{
    char *ta = hpolab_host->config_to_json(a);
    char *tb = hpolab_host->config_to_json(b);
    int same = ta && tb && strcmp(ta, tb) == 0;
    hpolab_host->free(ta);
    hpolab_host->free(tb);
    return same;
}

static int32_t add_initial(struct random_searcher *rs, struct hpolab_ctx *ctx,
                           const struct hpolab_config *partial)
{
    struct hpolab_config *c;
    int32_t st =
        hpolab_host->space_default_config(ctx, rs->space, partial, &c);
    if (st != HPOLAB_OK)
        return st;
    for (uint64_t i = 0; i < rs->initial.count; i++)
        if (same_config(rs->initial.items[i], c)) {
            hpolab_host->config_free(c);
            return HPOLAB_OK;
        }
    return list_push(ctx, &rs->initial, c);
}

#define HAS_ARG(a, f)                                                   \
    (offsetof(struct hpolab_searcher_args, f) + sizeof((a)->f) <=       \
     (a)->struct_size)

static int32_t HPOLAB_ABI rs_create(struct hpolab_ctx *ctx,
                                    const struct hpolab_searcher_args *args,
                                    void **out_state)
{
    *out_state = NULL;
    if (!HAS_ARG(args, options) || !args->space)
        return hpolab_set_error(ctx, HPOLAB_ERR_ABI,
                                "searcher arguments too small (%u bytes)",
                                args->struct_size);
    struct random_searcher *rs = calloc(1, sizeof *rs);
    if (!rs)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    rs->space = args->space;
    rs->seed = args->random_seed;
    int32_t st = hpolab_host->option_bool(ctx, args->options,
                                          "allow_duplicates", 0,
                                          &rs->allow_duplicates);
    if (st == HPOLAB_OK)
        st = hpolab_host->rng_create(ctx, rs->seed, &rs->rng);
    if (st == HPOLAB_OK)
        st = hpolab_matcher_init(ctx, rs->space, &rs->matcher);
    int given = HAS_ARG(args, points) && args->points_given;
    if (st == HPOLAB_OK && !given)
        st = add_initial(rs, ctx, NULL);
    for (uint32_t i = 0; st == HPOLAB_OK && given && i < args->num_points;
         i++)
        st = add_initial(rs, ctx, args->points[i]);
    if (st != HPOLAB_OK) {
        rs_destroy(rs);
        return st;
    }
    *out_state = rs;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI rs_suggest(void *state, struct hpolab_ctx *ctx,
                                     int64_t trial_id,
                                     struct hpolab_config **out_config)
{
    struct random_searcher *rs = state;
    *out_config = NULL;
    struct hpolab_config *c = NULL;
    uint64_t h = 0;
    int32_t st;
    if (rs->next_initial < rs->initial.count) {
        c = rs->initial.items[rs->next_initial];
        rs->initial.items[rs->next_initial++] = NULL;
        if (!rs->allow_duplicates &&
            (st = hpolab_match_hash(ctx, &rs->matcher, c, &h)) != HPOLAB_OK) {
            hpolab_host->config_free(c);
            return st;
        }
    } else {
        double size = hpolab_host->space_cardinality(rs->space);
        if (isfinite(size) && (double)rs->excluded.count >= size) {
            hpolab_log(ctx, HPOLAB_LOG_INFO,
                       "all %.0f configurations have been suggested", size);
            return HPOLAB_OK;
        }
        for (int k = 0; k < MAX_RETRIES && !c; k++) {
            st = hpolab_host->space_sample(ctx, rs->space, rs->rng, &c);
            if (st != HPOLAB_OK)
                return st;
            rs->draws++;
            st = hpolab_match_hash(ctx, &rs->matcher, c, &h);
            if (st != HPOLAB_OK) {
                hpolab_host->config_free(c);
                return st;
            }
            if (hpolab_hash_set_contains(&rs->excluded, h)) {
                hpolab_host->config_free(c);
                c = NULL;
            }
        }
        if (!c) {
            hpolab_log(ctx, HPOLAB_LOG_INFO,
                       "%d random draws in a row were suggested before",
                       MAX_RETRIES);
            return HPOLAB_OK;
        }
    }
    if (!rs->allow_duplicates && (st = exclude_hash(rs, ctx, h)) != HPOLAB_OK) {
        hpolab_host->config_free(c);
        return st;
    }
    *out_config = c;
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI rs_on_trial_error(void *state,
                                            struct hpolab_ctx *ctx,
                                            int64_t trial_id,
                                            const struct hpolab_config *config)
{
    struct random_searcher *rs = state;
    /* without duplicates every suggestion is excluded already */
    if (!rs->allow_duplicates || !config)
        return HPOLAB_OK;
    return exclude_config(rs, ctx, config);
}

/* ---- save / restore ------------------------------------------------------ */

static int32_t HPOLAB_ABI rs_save(void *state, struct hpolab_ctx *ctx,
                                  struct hpolab_buffer *out)
{
    struct random_searcher *rs = state;
    uint64_t *hashes;
    if (hpolab_hash_set_sorted(&rs->excluded, &hashes) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "save: out of memory");
    struct hpolab_state_writer w = {out, 0, HPOLAB_OK};
    hpolab_state_put(&w, "HPRS", 4);
    hpolab_state_put_u(&w, STATE_VERSION, 4);
    hpolab_state_put_u(&w, rs->seed, 4);
    hpolab_state_put_u(&w, rs->allow_duplicates ? 1u : 0u, 4);
    hpolab_state_put_u(&w, rs->draws, 8);
    hpolab_state_put_u(&w, rs->initial.count - rs->next_initial, 4);
    for (uint64_t i = rs->next_initial; i < rs->initial.count; i++)
        hpolab_state_put_config(&w, ctx, rs->initial.items[i],
                                hpolab_state_keep_hyperparameters, rs->space,
                                "an initial configuration");
    hpolab_state_put_u(&w, rs->excluded.count, 8);
    for (uint64_t i = 0; i < rs->excluded.count; i++)
        hpolab_state_put_u(&w, hashes[i], 8);
    free(hashes);
    if (w.st == HPOLAB_ERR_NOMEM)
        return hpolab_set_error(ctx, w.st, "save: out of memory");
    return w.st;
}

/* The exclusion set of a state: hashes (version 2) or configurations
 * (version 1), into fresh. */
static void restore_excluded(struct hpolab_state_reader *r,
                             struct random_searcher *fresh, uint64_t version)
{
    if (version == 1) {
        uint64_t n =
            hpolab_state_get_count(r, 8, 4, "suggested configurations");
        for (uint64_t i = 0; r->st == HPOLAB_OK && i < n; i++) {
            struct hpolab_config *c = hpolab_state_get_config(r);
            if (c) {
                r->st = exclude_config(fresh, r->ctx, c);
                hpolab_host->config_free(c);
            }
        }
        return;
    }
    uint64_t n = hpolab_state_get_count(r, 8, 8, "suggested configurations");
    for (uint64_t i = 0; r->st == HPOLAB_OK && i < n; i++) {
        uint64_t h = hpolab_state_get_u(r, 8, "a configuration hash");
        if (r->st == HPOLAB_OK && h == 0)
            hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                             "configuration hash %llu of %llu is 0",
                             (unsigned long long)i + 1,
                             (unsigned long long)n);
        else if (r->st == HPOLAB_OK)
            r->st = exclude_hash(fresh, r->ctx, h);
    }
}

static int32_t HPOLAB_ABI rs_restore(void *state, struct hpolab_ctx *ctx,
                                     const void *data, uint64_t size)
{
    struct random_searcher *rs = state;
    if (size < 4 || memcmp(data, "HPRS", 4) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "restore: not a random searcher state");
    struct hpolab_state_reader r = {data, size,      4,
                                    ctx,  HPOLAB_OK, "random searcher"};
    uint64_t version = hpolab_state_get_u(&r, 4, "the version");
    if (r.st != HPOLAB_OK)
        return r.st;
    if (version != 1 && version != STATE_VERSION)
        return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                                "restore: state version %llu, this searcher "
                                "reads versions 1 to %u",
                                (unsigned long long)version, STATE_VERSION);
    uint64_t seed = hpolab_state_get_u(&r, 4, "the seed");
    uint64_t flags = hpolab_state_get_u(&r, 4, "the flags");
    uint64_t draws = hpolab_state_get_u(&r, 8, "the number of draws");
    uint64_t n_initial =
        hpolab_state_get_count(&r, 4, 4, "initial configurations");
    if (r.st != HPOLAB_OK)
        return r.st;

    /* build everything aside, then swap in: a failed restore changes
     * nothing */
    struct random_searcher fresh = {.space = rs->space,
                                    .seed = (uint32_t)seed,
                                    .draws = draws,
                                    .allow_duplicates = (flags & 1u) != 0};
    r.st = hpolab_host->rng_create(ctx, fresh.seed, &fresh.rng);
    if (r.st == HPOLAB_OK)
        r.st = hpolab_matcher_init(ctx, fresh.space, &fresh.matcher);
    for (uint64_t i = 0; r.st == HPOLAB_OK && i < draws; i++) {
        struct hpolab_config *c;
        r.st = hpolab_host->space_sample(ctx, fresh.space, fresh.rng, &c);
        if (r.st == HPOLAB_OK)
            hpolab_host->config_free(c);
    }
    for (uint64_t i = 0; r.st == HPOLAB_OK && i < n_initial; i++) {
        struct hpolab_config *partial = hpolab_state_get_config(&r), *full;
        if (!partial)
            break;
        r.st =
            hpolab_host->space_default_config(ctx, fresh.space, partial, &full);
        hpolab_host->config_free(partial);
        if (r.st == HPOLAB_OK)
            r.st = list_push(ctx, &fresh.initial, full);
    }
    restore_excluded(&r, &fresh, version);
    hpolab_state_expect_end(&r);
    if (r.st != HPOLAB_OK) {
        release(&fresh);
        return r.st;
    }
    release(rs); /* the instance pointer stays */
    *rs = fresh;
    return HPOLAB_OK;
}

static const struct hpolab_searcher_class random_class = {
    .struct_size = sizeof(struct hpolab_searcher_class),
    .id = "random",
    .description = "Random search: uniform draws from the configuration "
                   "space, no duplicates (Syne Tune's RandomSearcher)",
    .create = rs_create,
    .destroy = rs_destroy,
    .suggest = rs_suggest,
    .on_trial_error = rs_on_trial_error,
    .save = rs_save,
    .restore = rs_restore,
};

static int32_t random_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_searcher(ctx, &random_class);
}

HPOLAB_PLUGIN_DEFINE(searcher_random, "1.0.0",
                     "Random search searcher (Syne Tune's RandomSearcher)",
                     "Apache-2.0", random_init, NULL)
