/* asha.h: the state of an asha scheduler instance, shared by asha.c (the
 * scheduler class), asha_configs.c (stored configurations) and
 * asha_state.c (save / restore). Plugin-internal. */
#ifndef HPOLAB_ASHA_H
#define HPOLAB_ASHA_H

#include <hpolab/hpolab.h>

#include "asha_idmap.h"
#include "asha_rungs.h"

/* The configuration a trial was last started or resumed with. */
struct asha_config {
    int64_t trial_id;
    struct hpolab_config *config; /* [owned] */
};

struct asha_configs {
    struct asha_config *items; /* [owned] in order of first storage */
    size_t count, cap;
    struct asha_idmap index; /* trial id -> index into items */
};

struct asha {
    struct hpolab_searcher *searcher; /* [owned] */
    struct hpolab_rng *bracket_rng;   /* [owned] */
    uint32_t bracket_seed;  /* the seed bracket_rng was created with */
    uint64_t bracket_draws; /* rng_random calls made on bracket_rng */
    char *metric;
    char *resource_attr;
    char *max_resource_attr; /* or NULL */
    struct asha_rungs rungs;
    struct asha_configs configs;
};

/* Frees what c owns and empties it. */
void asha_configs_free(struct asha_configs *c);
/* The trial's stored configuration, or NULL. O(1). */
struct asha_config *asha_configs_find(struct asha_configs *c,
                                      int64_t trial_id);
/* Store config [transfers: freed on failure too] as the trial's
 * configuration, replacing an earlier one. */
int32_t asha_configs_put(struct asha_configs *c, struct hpolab_ctx *ctx,
                         int64_t trial_id, struct hpolab_config *config);

/* The scheduler class's save and restore (asha_state.c); state is a
 * struct asha. */
int32_t HPOLAB_ABI asha_save(void *state, struct hpolab_ctx *ctx,
                             struct hpolab_buffer *out);
int32_t HPOLAB_ABI asha_restore(void *state, struct hpolab_ctx *ctx,
                                const void *data, uint64_t size);

#endif
