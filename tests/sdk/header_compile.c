/* header_compile.c: a whole (small) plugin that uses every SDK header and
 * the SDK macros. tests/sdk/CMakeLists.txt compiles it as C99, C11, C17 and
 * C++17 with -Wall -Wextra -pedantic -Werror: the headers must stay usable
 * by any plugin author's compiler settings. Never loaded. */
#include <hpolab/hpolab.h>

static int32_t HPOLAB_ABI hc_create(struct hpolab_ctx *ctx,
                                    const struct hpolab_searcher_args *args,
                                    void **out_state)
{
    (void)args;
    *out_state = NULL;
    if (HPOLAB_HOST_HAS(hpolab_host, get_extension) &&
        hpolab_host->get_extension(ctx, "hpolab.none/1") != NULL)
        return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED, "unexpected %s",
                                "extension");
#ifdef HPOLAB_EXT_VIRTUAL_CLOCK_V1 /* ABI 1.1: hpolab.h includes it */
    /* An extension table is read only inside its struct_size. */
    const struct hpolab_ext_virtual_clock_v1 *vc =
        (const struct hpolab_ext_virtual_clock_v1 *)hpolab_host->get_extension(
            ctx, HPOLAB_EXT_VIRTUAL_CLOCK_V1);
    if (vc && vc->struct_size >= sizeof *vc &&
        vc->advance_to(ctx, 0.0) != HPOLAB_OK)
        return HPOLAB_ERR_STATE;
#endif
    hpolab_log(ctx, HPOLAB_LOG_DEBUG, "created (seed %u)",
               args ? args->random_seed : 0u);
    return HPOLAB_OK;
}

static void HPOLAB_ABI hc_destroy(void *state) { (void)state; }

static int32_t HPOLAB_ABI hc_suggest(void *state, struct hpolab_ctx *ctx,
                                     int64_t trial_id,
                                     struct hpolab_config **out_config)
{
    (void)state;
    (void)trial_id;
    return hpolab_host->config_new(ctx, out_config);
}

/* Filled at run time: C++17 has no designated initializers. */
static struct hpolab_searcher_class hc_class;

static int32_t hc_init(struct hpolab_ctx *ctx)
{
    hc_class.struct_size = sizeof hc_class;
    hc_class.id = "hc";
    hc_class.description = "header compile test";
    hc_class.create = hc_create;
    hc_class.destroy = hc_destroy;
    hc_class.suggest = hc_suggest;
    return hpolab_register_searcher(ctx, &hc_class);
}

HPOLAB_PLUGIN_DEFINE(searcher_hc, "1.0.0", "SDK header compile test", "MIT",
                     hc_init, NULL)
