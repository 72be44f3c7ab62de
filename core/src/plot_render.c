/* plot_render.c: figure -> plotter plugin (plot_render.h). */
#include "plot_render.h"

#include <stdio.h>

#include "ctx.h"
#include "options.h"

int32_t hpolab_plot_render(struct hpolab_registry *reg, const char *plotter,
                           const json_t *options,
                           const struct hpolab_figure *fig, const char *stem,
                           struct hpolab_error *err)
{
    const struct hpolab_component *comp = NULL;
    int32_t rc = hpolab_registry_require(reg, HPOLAB_KIND_PLOTTER, plotter,
                                         &comp, err);
    if (rc != HPOLAB_OK)
        return rc;
    struct hpolab_options *opts = NULL;
    rc = hpolab_options_create(options, "plotter options", &opts, err);
    if (rc != HPOLAB_OK)
        return rc;
    struct hpolab_ctx ctx;
    hpolab_ctx_init(&ctx, "plotter", comp->id, reg);
    struct hpolab_plotter_args args = {.struct_size = sizeof args,
                                       .options = opts};
    void *state = NULL;
    rc = comp->cls.plotter.create(&ctx, &args, &state);
    if (rc != HPOLAB_OK) {
        rc = hpolab_ctx_error(&ctx, rc, err);
        hpolab_options_free(opts);
        return rc;
    }
    char what[128];
    snprintf(what, sizeof what, "plotter '%s'", comp->id);
    rc = hpolab_options_check_all_read(opts, what, err);
    if (rc == HPOLAB_OK) {
        rc = comp->cls.plotter.render(state, &ctx, fig, stem);
        if (rc != HPOLAB_OK)
            rc = hpolab_ctx_error(&ctx, rc, err);
    }
    comp->cls.plotter.destroy(state);
    hpolab_options_free(opts);
    return rc;
}
