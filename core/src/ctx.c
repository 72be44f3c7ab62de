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

int32_t hpolab_ctx_error(const struct hpolab_ctx *ctx, int32_t status,
                         struct hpolab_error *err)
{
    if (ctx->err.status != HPOLAB_OK && ctx->err.message[0])
        return hpolab_error_set(err, status, "[%s:%s] %s", ctx->kind,
                                ctx->id ? ctx->id : "?", ctx->err.message);
    return hpolab_error_set(err, status, "[%s:%s] failed: %s", ctx->kind,
                            ctx->id ? ctx->id : "?",
                            hpolab_status_text(status));
}
