#include "ctx.h"

#include <string.h>

void hpolab_ctx_init(struct hpolab_ctx *ctx, const char *kind, const char *id,
                     struct hpolab_registry *registry)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->kind = kind;
    ctx->id = id;
    ctx->registry = registry;
}
