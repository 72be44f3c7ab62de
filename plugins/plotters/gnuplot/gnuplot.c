/* gnuplot.c: the gnuplot plotter (issue 5). It writes a self-contained
 * gnuplot script and its data file, then runs gnuplot (if it is on PATH) to
 * render PNG (pngcairo), SVG and PDF (pdfcairo). Without gnuplot the files
 * are still written and a warning gives the command that renders them.
 *
 * Options: format ("png,svg,pdf", any subset), gnuplot (the program,
 * default "gnuplot"), render (false: only write the files). */
#include <stdlib.h>
#include <string.h>

#include "gp.h"

struct gp_state {
    uint32_t formats;
    const char *program; /* [borrowed] from the options */
    int32_t render;
};

static int32_t parse_formats(struct hpolab_ctx *ctx, const char *text,
                             uint32_t *out)
{
    *out = 0;
    const char *s = text;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == 3 && strncmp(s, "png", 3) == 0)
            *out |= GP_FORMAT_PNG;
        else if (len == 3 && strncmp(s, "svg", 3) == 0)
            *out |= GP_FORMAT_SVG;
        else if (len == 3 && strncmp(s, "pdf", 3) == 0)
            *out |= GP_FORMAT_PDF;
        else
            return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                    "format '%s': expected png, svg and/or "
                                    "pdf, comma-separated",
                                    text);
        s += len + (end != NULL);
    }
    if (!*out)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "format is empty: give png, svg and/or pdf");
    return HPOLAB_OK;
}

static int32_t HPOLAB_ABI gp_create(struct hpolab_ctx *ctx,
                                    const struct hpolab_plotter_args *args,
                                    void **out)
{
    *out = NULL;
    if (!HPOLAB_HOST_HAS(hpolab_host, figure_series_upper))
        return hpolab_set_error(ctx, HPOLAB_ERR_ABI,
                                "this host has no figure accessors (ABI 1.1); "
                                "upgrade hpolab");
    struct gp_state *s = calloc(1, sizeof *s);
    if (!s)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    const char *fmt = NULL;
    int32_t rc = hpolab_host->option_string(ctx, args->options, "format",
                                            "png,svg,pdf", &fmt);
    if (rc == HPOLAB_OK)
        rc = parse_formats(ctx, fmt, &s->formats);
    if (rc == HPOLAB_OK)
        rc = hpolab_host->option_string(ctx, args->options, "gnuplot",
                                        "gnuplot", &s->program);
    if (rc == HPOLAB_OK)
        rc = hpolab_host->option_bool(ctx, args->options, "render", 1,
                                      &s->render);
    if (rc != HPOLAB_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return HPOLAB_OK;
}

static void HPOLAB_ABI gp_destroy(void *state) { free(state); }

static int32_t HPOLAB_ABI gp_render(void *state, struct hpolab_ctx *ctx,
                                    const struct hpolab_figure *fig,
                                    const char *stem)
{
    struct gp_state *s = state;
    int32_t rc = gp_write(ctx, fig, stem, s->formats);
    if (rc != HPOLAB_OK || !s->render)
        return rc;
    int missing = 0;
    rc = gp_run(ctx, s->program, stem, &missing);
    if (rc == HPOLAB_OK && missing) {
        const char *slash = strrchr(stem, '/');
        if (slash)
            hpolab_log(ctx, HPOLAB_LOG_WARN,
                       "gnuplot ('%s') is not installed or not on PATH: the "
                       "script %s.gp and its data are written; render them "
                       "with: cd '%.*s' && gnuplot '%s.gp'",
                       s->program, stem, (int)(slash - stem), stem,
                       slash + 1);
        else
            hpolab_log(ctx, HPOLAB_LOG_WARN,
                       "gnuplot ('%s') is not installed or not on PATH: the "
                       "script %s.gp and its data are written; render them "
                       "with: gnuplot '%s.gp'",
                       s->program, stem, stem);
    }
    return rc;
}

static const struct hpolab_plotter_class gp_class = {
    .struct_size = sizeof(struct hpolab_plotter_class),
    .id = "gnuplot",
    .description = "gnuplot script + data, rendered to PNG, SVG and PDF",
    .create = gp_create,
    .destroy = gp_destroy,
    .render = gp_render,
};

static int32_t gp_init(struct hpolab_ctx *ctx)
{
    return hpolab_register_plotter(ctx, &gp_class);
}

HPOLAB_PLUGIN_DEFINE(plotter_gnuplot, "1.0.0",
                     "gnuplot plotter: comparison and per-trial figures",
                     "Apache-2.0", gp_init, NULL)
