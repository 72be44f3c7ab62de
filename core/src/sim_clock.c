/* sim_clock.c: the "hpolab_virtual_clock_v1" host extension. Errors go to
 * the caller's ctx like every host entry. */
#include "sim_clock.h"

#include <hpolab/ext_virtual_clock.h>
#include <string.h>

#include "clock.h"
#include "ctx.h"

static int32_t no_driver(struct hpolab_ctx *ctx)
{
    return hpolab_error_set(ctx ? &ctx->err : NULL, HPOLAB_ERR_STATE,
                            "the virtual clock can only be driven by the "
                            "experiment's backend (this ctx has no clock to "
                            "drive)");
}

static int32_t HPOLAB_ABI vc_start(struct hpolab_ctx *ctx)
{
    if (!ctx || !ctx->clock_driver)
        return no_driver(ctx);
    return hpolab_clock_simulate(ctx->clock_driver, &ctx->err);
}

static int32_t HPOLAB_ABI vc_advance_to(struct hpolab_ctx *ctx, double t)
{
    if (!ctx || !ctx->clock_driver)
        return no_driver(ctx);
    return hpolab_clock_advance_to(ctx->clock_driver, t, &ctx->err);
}

static const struct hpolab_ext_virtual_clock_v1 table = {
    .struct_size = sizeof table,
    .start = vc_start,
    .advance_to = vc_advance_to,
};

const void *hpolab_sim_clock_extension(const char *id)
{
    return id && strcmp(id, HPOLAB_EXT_VIRTUAL_CLOCK_V1) == 0 ? &table : NULL;
}
