/* fx_abi10.c: a plotter built for ABI 1.0 (HPOLAB_TARGET_ABI_MINOR=0): it
 * must load into a 1.1 host. Its render reports whether the host has the
 * 1.1 figure accessors (it may use them only after HPOLAB_HOST_HAS). */
#include <hpolab/hpolab.h>

static int32_t HPOLAB_ABI fx_create(struct hpolab_ctx *ctx,
                                    const struct hpolab_plotter_args *args,
                                    void **out)
{
    (void)ctx;
    (void)args;
    static int dummy;
    *out = &dummy;
    return HPOLAB_OK;
}

static void HPOLAB_ABI fx_destroy(void *state) { (void)state; }

static int32_t HPOLAB_ABI fx_render(void *state, struct hpolab_ctx *ctx,
                                    const struct hpolab_figure *fig,
                                    const char *stem)
{
    (void)state;
    (void)stem;
    if (!HPOLAB_HOST_HAS(hpolab_host, figure_subplot_count))
        return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED, "no accessors");
    return hpolab_set_error(ctx, HPOLAB_ERR_EXISTS, "subplots=%u",
                            hpolab_host->figure_subplot_count(fig));
}

static const struct hpolab_plotter_class fx_class = {
    .struct_size = sizeof(struct hpolab_plotter_class),
    .id = "fx_abi10",
    .description = "ABI 1.0 plotter fixture",
    .create = fx_create,
    .destroy = fx_destroy,
    .render = fx_render,
};

static int32_t fx_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_plotter(ctx, &fx_class);
}

HPOLAB_PLUGIN_DEFINE(plotter_fx_abi10, "1.0.0", "ABI 1.0 plotter fixture",
                     "Apache-2.0", fx_init, NULL)
