/* figure_host.h: the host table's figure_* entries (ABI 1.1), reading a
 * struct hpolab_figure for plotters. host_api.c puts them in the table. */
#ifndef HPOLAB_CORE_FIGURE_HOST_H
#define HPOLAB_CORE_FIGURE_HOST_H

#include <hpolab/host.h>

#include "figure.h"

void HPOLAB_ABI hpolab_figure_size(const struct hpolab_figure *f, uint32_t *w, uint32_t *h, uint32_t *dpi);
void HPOLAB_ABI hpolab_figure_grid(const struct hpolab_figure *f, uint32_t *nrows, uint32_t *ncols);
const char *HPOLAB_ABI hpolab_figure_title(const struct hpolab_figure *f);
const char *HPOLAB_ABI hpolab_figure_xlabel(const struct hpolab_figure *f);
const char *HPOLAB_ABI hpolab_figure_ylabel(const struct hpolab_figure *f);
const char *HPOLAB_ABI hpolab_figure_legend(const struct hpolab_figure *f);
uint32_t HPOLAB_ABI hpolab_figure_flags(const struct hpolab_figure *f);
uint32_t HPOLAB_ABI hpolab_figure_subplot_count(const struct hpolab_figure *f);
void HPOLAB_ABI hpolab_figure_subplot_cell(const struct hpolab_figure *f, uint32_t k, uint32_t *row, uint32_t *col);
const char *HPOLAB_ABI hpolab_figure_subplot_title(const struct hpolab_figure *f, uint32_t k);
int32_t HPOLAB_ABI hpolab_figure_subplot_legend(const struct hpolab_figure *f, uint32_t k);
void HPOLAB_ABI hpolab_figure_subplot_xrange(const struct hpolab_figure *f, uint32_t k, double *lo, double *hi);
void HPOLAB_ABI hpolab_figure_subplot_yrange(const struct hpolab_figure *f, uint32_t k, double *lo, double *hi);
uint32_t HPOLAB_ABI hpolab_figure_series_count(const struct hpolab_figure *f, uint32_t k);
const char *HPOLAB_ABI hpolab_figure_series_name(const struct hpolab_figure *f, uint32_t k, uint32_t s);
uint32_t HPOLAB_ABI hpolab_figure_series_color(const struct hpolab_figure *f, uint32_t k, uint32_t s);
int32_t HPOLAB_ABI hpolab_figure_series_style(const struct hpolab_figure *f, uint32_t k, uint32_t s);
uint64_t HPOLAB_ABI hpolab_figure_series_length(const struct hpolab_figure *f, uint32_t k, uint32_t s);
const double *HPOLAB_ABI hpolab_figure_series_x(const struct hpolab_figure *f, uint32_t k, uint32_t s);
const double *HPOLAB_ABI hpolab_figure_series_y(const struct hpolab_figure *f, uint32_t k, uint32_t s);
const double *HPOLAB_ABI hpolab_figure_series_lower(const struct hpolab_figure *f, uint32_t k, uint32_t s);
const double *HPOLAB_ABI hpolab_figure_series_upper(const struct hpolab_figure *f, uint32_t k, uint32_t s);

#endif
