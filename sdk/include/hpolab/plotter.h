/* hpolab/plotter.h: the plotter component class. A plotter turns an
 * aggregated figure (subplots of series: x, centre, lower, upper per setup)
 * into files. The figure accessors are part of the host table. */
#ifndef HPOLAB_PLOTTER_H
#define HPOLAB_PLOTTER_H

#include "status.h"
#include "types.h"

HPOLAB_EXTERN_C_BEGIN

struct hpolab_plotter_args {
    uint32_t struct_size;
    const struct hpolab_options *options; /* [borrowed] plotter options */
    /* ABI 1.1+: append here only */
};

struct hpolab_plotter_class {
    uint32_t struct_size;
    const char *id;
    const char *description;

    /* Required. */
    int32_t(HPOLAB_ABI *create)(struct hpolab_ctx *ctx,
                                const struct hpolab_plotter_args *args,
                                void **out_state);
    /* Required. */
    void(HPOLAB_ABI *destroy)(void *state);
    /* Required: write the figure to files named output_stem + extension. */
    int32_t(HPOLAB_ABI *render)(void *state, struct hpolab_ctx *ctx,
                                const struct hpolab_figure *figure,
                                const char *output_stem);
    /* ABI 1.1+: append here only */
};

/* ABI 1.1: figure flags (host->figure_flags). */
#define HPOLAB_FIGURE_GRID 1u    /* draw grid lines */
#define HPOLAB_FIGURE_LOG_X 2u   /* logarithmic x axis */
#define HPOLAB_FIGURE_LOG_Y 4u   /* logarithmic y axis */
#define HPOLAB_FIGURE_SHARE_X 8u /* subplots share the x axis */
#define HPOLAB_FIGURE_SHARE_Y 16u /* subplots share the y axis */

/* ABI 1.1: series styles (host->figure_series_style). */
#define HPOLAB_SERIES_LINE 0     /* a line; a band around it if it has one */
#define HPOLAB_SERIES_CIRCLES 1  /* hollow circle markers, no line */
#define HPOLAB_SERIES_DIAMONDS 2 /* hollow diamond markers, no line */

HPOLAB_EXTERN_C_END

#endif /* HPOLAB_PLOTTER_H */
