/* plot_render.h: handing a figure to a plotter plugin: create the
 * component with its options, render to files named stem + extension,
 * destroy it. Options the plotter never read are an error (a typo in a
 * plotter option must not pass silently). */
#ifndef HPOLAB_CORE_PLOT_RENDER_H
#define HPOLAB_CORE_PLOT_RENDER_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"
#include "figure.h"
#include "registry.h"

/* options: a JSON object or NULL. Errors come back as "[plotter:gnuplot]
 * ..." (the plugin's message) or "no plotter plugin named 'x'; available:
 * ...". */
int32_t hpolab_plot_render(struct hpolab_registry *reg, const char *plotter,
                           const json_t *options,
                           const struct hpolab_figure *fig, const char *stem,
                           struct hpolab_error *err);

#endif
