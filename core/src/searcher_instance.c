#include "searcher_instance.h"


#include <stdlib.h>

int32_t hpolab_searcher_instance_create(struct hpolab_registry *reg,
                                        const char *id,
                                        const struct hpolab_searcher_args *args,
                                        const struct hpolab_clock *clock,
                                        struct hpolab_searcher **out,
                                        struct hpolab_error *err)
{
    *out = NULL;
    const struct hpolab_component *comp;
    int32_t st = hpolab_registry_require(reg, HPOLAB_KIND_SEARCHER, id, &comp,
                                         err);
    if (st != HPOLAB_OK)
        return st;
    struct hpolab_searcher *s = calloc(1, sizeof *s);
    if (!s)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    s->comp = comp;
    hpolab_ctx_init(&s->ctx, "searcher", comp->id, reg);
    s->ctx.clock = clock;
    st = comp->cls.searcher.create(&s->ctx, args, &s->state);
    if (st != HPOLAB_OK) {
        hpolab_ctx_error(&s->ctx, st, err);
        free(s);
        return st;
    }
    *out = s;
    return HPOLAB_OK;
}

void hpolab_searcher_instance_destroy(struct hpolab_searcher *s)
{
    if (!s)
        return;
    s->comp->cls.searcher.destroy(s->state);
    free(s);
}
