/* figure_host.c: the figure_* entries of the host table (ABI 1.1). Every
 * index is checked, so a plotter's off-by-one reads 0, NULL or "" instead
 * of host memory. */
#include "figure_host.h"

#include <math.h>

static const struct hpolab_figure_subplot *sub(const struct hpolab_figure *f,
                                               uint32_t k)
{
    return f && k < f->n_subplots ? &f->subplots[k] : NULL;
}

static const struct hpolab_figure_series *ser(const struct hpolab_figure *f,
                                              uint32_t k, uint32_t s)
{
    const struct hpolab_figure_subplot *sp = sub(f, k);
    return sp && s < sp->n_series ? &sp->series[s] : NULL;
}

static void put_u32(uint32_t *p, uint32_t v)
{
    if (p)
        *p = v;
}

static void put_d(double *p, double v)
{
    if (p)
        *p = v;
}

void HPOLAB_ABI hpolab_figure_size(const struct hpolab_figure *f, uint32_t *w,
                                   uint32_t *h, uint32_t *dpi)
{
    put_u32(w, f ? f->width : 0);
    put_u32(h, f ? f->height : 0);
    put_u32(dpi, f ? f->dpi : 0);
}

void HPOLAB_ABI hpolab_figure_grid(const struct hpolab_figure *f,
                                   uint32_t *nrows, uint32_t *ncols)
{
    put_u32(nrows, f ? f->nrows : 0);
    put_u32(ncols, f ? f->ncols : 0);
}

const char *HPOLAB_ABI hpolab_figure_title(const struct hpolab_figure *f)
{
    return f ? f->title : "";
}

const char *HPOLAB_ABI hpolab_figure_xlabel(const struct hpolab_figure *f)
{
    return f ? f->xlabel : "";
}

const char *HPOLAB_ABI hpolab_figure_ylabel(const struct hpolab_figure *f)
{
    return f ? f->ylabel : "";
}

const char *HPOLAB_ABI hpolab_figure_legend(const struct hpolab_figure *f)
{
    return f ? f->legend : "none";
}

uint32_t HPOLAB_ABI hpolab_figure_flags(const struct hpolab_figure *f)
{
    return f ? f->flags : 0;
}

uint32_t HPOLAB_ABI hpolab_figure_subplot_count(const struct hpolab_figure *f)
{
    return f ? (uint32_t)f->n_subplots : 0;
}

void HPOLAB_ABI hpolab_figure_subplot_cell(const struct hpolab_figure *f,
                                           uint32_t k, uint32_t *row,
                                           uint32_t *col)
{
    const struct hpolab_figure_subplot *sp = sub(f, k);
    put_u32(row, sp ? sp->row : 0);
    put_u32(col, sp ? sp->col : 0);
}

const char *HPOLAB_ABI hpolab_figure_subplot_title(
    const struct hpolab_figure *f, uint32_t k)
{
    const struct hpolab_figure_subplot *sp = sub(f, k);
    return sp ? sp->title : "";
}

int32_t HPOLAB_ABI hpolab_figure_subplot_legend(const struct hpolab_figure *f,
                                                uint32_t k)
{
    const struct hpolab_figure_subplot *sp = sub(f, k);
    return sp ? sp->legend : 0;
}

void HPOLAB_ABI hpolab_figure_subplot_xrange(const struct hpolab_figure *f,
                                             uint32_t k, double *lo,
                                             double *hi)
{
    const struct hpolab_figure_subplot *sp = sub(f, k);
    put_d(lo, sp ? sp->xlo : NAN);
    put_d(hi, sp ? sp->xhi : NAN);
}

void HPOLAB_ABI hpolab_figure_subplot_yrange(const struct hpolab_figure *f,
                                             uint32_t k, double *lo,
                                             double *hi)
{
    const struct hpolab_figure_subplot *sp = sub(f, k);
    put_d(lo, sp ? sp->ylo : NAN);
    put_d(hi, sp ? sp->yhi : NAN);
}

uint32_t HPOLAB_ABI hpolab_figure_series_count(const struct hpolab_figure *f,
                                               uint32_t k)
{
    const struct hpolab_figure_subplot *sp = sub(f, k);
    return sp ? (uint32_t)sp->n_series : 0;
}

const char *HPOLAB_ABI hpolab_figure_series_name(
    const struct hpolab_figure *f, uint32_t k, uint32_t s)
{
    const struct hpolab_figure_series *se = ser(f, k, s);
    return se ? se->name : "";
}

uint32_t HPOLAB_ABI hpolab_figure_series_color(const struct hpolab_figure *f,
                                               uint32_t k, uint32_t s)
{
    const struct hpolab_figure_series *se = ser(f, k, s);
    return se ? se->color : 0;
}

int32_t HPOLAB_ABI hpolab_figure_series_style(const struct hpolab_figure *f,
                                              uint32_t k, uint32_t s)
{
    const struct hpolab_figure_series *se = ser(f, k, s);
    return se ? se->style : HPOLAB_SERIES_LINE;
}

uint64_t HPOLAB_ABI hpolab_figure_series_length(
    const struct hpolab_figure *f, uint32_t k, uint32_t s)
{
    const struct hpolab_figure_series *se = ser(f, k, s);
    return se ? se->n : 0;
}

const double *HPOLAB_ABI hpolab_figure_series_x(
    const struct hpolab_figure *f, uint32_t k, uint32_t s)
{
    const struct hpolab_figure_series *se = ser(f, k, s);
    return se ? se->x : NULL;
}

const double *HPOLAB_ABI hpolab_figure_series_y(
    const struct hpolab_figure *f, uint32_t k, uint32_t s)
{
    const struct hpolab_figure_series *se = ser(f, k, s);
    return se ? se->y : NULL;
}

const double *HPOLAB_ABI hpolab_figure_series_lower(
    const struct hpolab_figure *f, uint32_t k, uint32_t s)
{
    const struct hpolab_figure_series *se = ser(f, k, s);
    return se ? se->lower : NULL;
}

const double *HPOLAB_ABI hpolab_figure_series_upper(
    const struct hpolab_figure *f, uint32_t k, uint32_t s)
{
    const struct hpolab_figure_series *se = ser(f, k, s);
    return se ? se->upper : NULL;
}
