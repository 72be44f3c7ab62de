/* match_hash.h: a 64-bit hash of what decides whether two configurations
 * are the same (schedulers reference §1.5, the match string): over the
 * non-constant hyperparameters in name order, a float domain's value as
 * f"{x:.6e}", an integer domain's value, and for a finite domain (choice,
 * ordinal, finrange, ...) the value itself, which for a cast configuration
 * stands for its index one to one.
 *
 * Equal match strings give equal hashes, so a set of hashes never lets a
 * duplicate through. Different match strings give different hashes except
 * for a 64-bit collision (about n^2 / 2^65 for n configurations: 3e-12 for
 * 10 000, 3e-8 for a million), whose only effect is that one configuration
 * is never suggested: the random searcher draws again instead.
 *
 * The host table has no match-key accessor, hence this plugin-side copy of
 * the rule; the configurations it is given must be cast to their domains
 * (space_sample and space_default_config return them so; others go through
 * space_cast first). */
#ifndef HPOLAB_RANDOM_MATCH_HASH_H
#define HPOLAB_RANDOM_MATCH_HASH_H

#include <hpolab/hpolab.h>
#include <stdint.h>

struct hpolab_match_hp {
    const char *name; /* [borrowed] from the space */
    int kind;         /* MATCH_* in match_hash.c */
};

struct hpolab_matcher {
    struct hpolab_match_hp *hps; /* owned; non-constants, by name */
    uint32_t count;
};

/* space is [borrowed] and must outlive m. */
int32_t hpolab_matcher_init(struct hpolab_ctx *ctx,
                            const struct hpolab_space *space,
                            struct hpolab_matcher *m);
void hpolab_matcher_free(struct hpolab_matcher *m);
/* *out is never 0. HPOLAB_ERR_INVALID when c lacks a hyperparameter or
 * holds a value of the wrong kind. */
int32_t hpolab_match_hash(struct hpolab_ctx *ctx,
                          const struct hpolab_matcher *m,
                          const struct hpolab_config *c, uint64_t *out);

#endif
