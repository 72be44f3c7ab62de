/* gp.h: the gnuplot plotter's parts: the script and data writer
 * (gp_script.c) and running gnuplot (gp_run.c). Internal to the plugin. */
#ifndef HPOLAB_GNUPLOT_GP_H
#define HPOLAB_GNUPLOT_GP_H

#include <hpolab/hpolab.h>

#define GP_FORMAT_PNG 1u
#define GP_FORMAT_SVG 2u
#define GP_FORMAT_PDF 4u

/* Write <stem>.gp and <stem>.dat for fig; the script renders every format
 * in formats (GP_FORMAT_* bits) to <name>.<ext> next to itself when run in
 * its folder. */
int32_t gp_write(struct hpolab_ctx *ctx, const struct hpolab_figure *fig,
                 const char *stem, uint32_t formats);

/* Run program (a name looked up in PATH, or a path) on <stem>.gp inside
 * the stem's folder. *missing = 1 (and HPOLAB_OK) when the program is not
 * found; a failing run is HPOLAB_ERR_PROCESS with gnuplot's message. */
int32_t gp_run(struct hpolab_ctx *ctx, const char *program, const char *stem,
               int *missing);

#endif
