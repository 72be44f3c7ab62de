/* asha_configs.c: the configuration each trial was last started or resumed
 * with, found by trial id in O(1). */
#include <hpolab/hpolab.h>
#include <stdlib.h>
#include <string.h>

#include "asha.h"

void asha_configs_free(struct asha_configs *c)
{
    for (size_t i = 0; i < c->count; i++)
        hpolab_host->config_free(c->items[i].config);
    free(c->items);
    asha_idmap_free(&c->index);
    memset(c, 0, sizeof *c);
}

struct asha_config *asha_configs_find(struct asha_configs *c,
                                      int64_t trial_id)
{
    size_t i;
    return asha_idmap_get(&c->index, trial_id, &i) ? &c->items[i] : NULL;
}

int32_t asha_configs_put(struct asha_configs *c, struct hpolab_ctx *ctx,
                         int64_t trial_id, struct hpolab_config *config)
{
    struct asha_config *slot = asha_configs_find(c, trial_id);
    if (!slot) {
        if (c->count == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 16;
            struct asha_config *items = realloc(c->items, cap * sizeof *items);
            if (!items) {
                hpolab_host->config_free(config);
                return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                        "out of memory");
            }
            c->items = items;
            c->cap = cap;
        }
        if (asha_idmap_put(&c->index, trial_id, c->count) != ASHA_OK) {
            hpolab_host->config_free(config);
            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        }
        slot = &c->items[c->count++];
        slot->trial_id = trial_id;
        slot->config = NULL;
    }
    hpolab_host->config_free(slot->config);
    slot->config = config;
    return HPOLAB_OK;
}
