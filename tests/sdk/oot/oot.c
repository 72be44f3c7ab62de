/* oot.c: the smallest useful out-of-tree plugin, built by
 * tests/sdk/out_of_tree.sh against an installed hpolab, once through the
 * CMake package and once through pkg-config. OOT_NAME and OOT_ID are set by
 * the build. */
#include <hpolab/hpolab.h>

static int32_t oot_create(struct hpolab_ctx *ctx,
                          const struct hpolab_searcher_args *args,
                          void **out_state)
{
    (void)ctx;
    (void)args;
    *out_state = NULL;
    return HPOLAB_OK;
}

static void oot_destroy(void *state) { (void)state; }

static int32_t oot_suggest(void *state, struct hpolab_ctx *ctx,
                           int64_t trial_id, struct hpolab_config **out)
{
    (void)state;
    (void)ctx;
    (void)trial_id;
    *out = NULL; /* exhausted */
    return HPOLAB_OK;
}

static const struct hpolab_searcher_class oot_class = {
    .struct_size = sizeof(struct hpolab_searcher_class),
    .id = OOT_ID,
    .description = "out-of-tree test searcher",
    .create = oot_create,
    .destroy = oot_destroy,
    .suggest = oot_suggest,
};

static int32_t oot_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_searcher(ctx, &oot_class);
}

#define OOT_DEFINE(name)                                                  \
    HPOLAB_PLUGIN_DEFINE(name, "0.0.1", "out-of-tree test plugin", "MIT", \
                         oot_init, NULL)
OOT_DEFINE(OOT_NAME)
