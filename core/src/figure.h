/* figure.h: struct hpolab_figure, what `hpolab plot` hands a plotter: a grid
 * of subplots, each holding series (a curve with an optional band, or
 * markers). Plotters read it through the host table's figure_* entries
 * (figure_host.h); the core builds it with the functions below. */
#ifndef HPOLAB_CORE_FIGURE_H
#define HPOLAB_CORE_FIGURE_H

#include <hpolab/plotter.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hpolab_figure_series {
    char *name;      /* owned; "" = no legend entry */
    uint32_t color;  /* palette index */
    int32_t style;   /* HPOLAB_SERIES_* */
    size_t n;
    double *x, *y;   /* owned, n each */
    double *lower;   /* owned, n, or NULL (no band) */
    double *upper;   /* owned, n, or NULL */
};

struct hpolab_figure_subplot {
    char *title; /* owned; "" when none */
    uint32_t row, col;
    int32_t legend;
    double xlo, xhi, ylo, yhi; /* NaN: from the data */
    struct hpolab_figure_series *series; /* owned, n_series */
    size_t n_series, cap;
};

struct hpolab_figure {
    uint32_t width, height, dpi; /* pixels; dpi for vector formats */
    uint32_t nrows, ncols;
    uint32_t flags; /* HPOLAB_FIGURE_* */
    char *title, *xlabel, *ylabel, *legend; /* owned; never NULL */
    struct hpolab_figure_subplot *subplots; /* owned, n_subplots */
    size_t n_subplots;
};

/* An empty figure of nrows x ncols cells (each >= 1) with empty texts and
 * legend "top right". *out [owned: hpolab_figure_free]. */
int32_t hpolab_figure_create(uint32_t nrows, uint32_t ncols,
                             struct hpolab_figure **out,
                             struct hpolab_error *err);
void hpolab_figure_free(struct hpolab_figure *fig);
/* Replace one of the figure's texts (title, xlabel, ...) with a copy of
 * text (NULL: ""). */
int32_t hpolab_figure_set_text(char **field, const char *text,
                               struct hpolab_error *err);
/* Append a subplot in cell (row, col); *index receives its number. */
int32_t hpolab_figure_add_subplot(struct hpolab_figure *fig, const char *title,
                                  uint32_t row, uint32_t col,
                                  size_t *index, struct hpolab_error *err);
/* Append a series to subplot k; the arrays are copied (lower and upper may
 * be NULL; both or neither). */
int32_t hpolab_figure_add_series(struct hpolab_figure *fig, size_t k,
                                 const char *name, uint32_t color,
                                 int32_t style, size_t n, const double *x,
                                 const double *y, const double *lower,
                                 const double *upper,
                                 struct hpolab_error *err);
/* For shared axes (HPOLAB_FIGURE_SHARE_X/Y): every subplot's range that is
 * still NaN becomes the data range over all subplots (y padded by 5 %, or by
 * a factor on a log axis), so panels line up. */
void hpolab_figure_share_ranges(struct hpolab_figure *fig);

#endif
