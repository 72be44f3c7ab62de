/* searcher_instance.h: struct hpolab_searcher, a searcher created through
 * the host table by a scheduler plugin (plugins never reach each other
 * directly). Each instance has its own ctx, so its messages are prefixed
 * "[searcher:<id>]". */
#ifndef HPOLAB_CORE_SEARCHER_INSTANCE_H
#define HPOLAB_CORE_SEARCHER_INSTANCE_H

#include <hpolab/searcher.h>

#include "ctx.h"
#include "registry.h"

struct hpolab_searcher {
    const struct hpolab_component *comp; /* [borrowed] from the registry */
    void *state;                         /* the plugin's instance */
    struct hpolab_ctx ctx;
};

/* *out [owned: hpolab_searcher_instance_destroy]. */
int32_t hpolab_searcher_instance_create(struct hpolab_registry *reg,
                                        const char *id,
                                        const struct hpolab_searcher_args *args,
                                        const struct hpolab_clock *clock,
                                        struct hpolab_searcher **out,
                                        struct hpolab_error *err);
void hpolab_searcher_instance_destroy(struct hpolab_searcher *s);

#endif
