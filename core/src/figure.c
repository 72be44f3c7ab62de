/* figure.c: building a figure (figure.h). */
#include "figure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *dup_text(const char *s)
{
    return strdup(s ? s : "");
}

int32_t hpolab_figure_create(uint32_t nrows, uint32_t ncols,
                             struct hpolab_figure **out,
                             struct hpolab_error *err)
{
    *out = NULL;
    if (nrows < 1 || ncols < 1)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "figure: expected at least 1 row and 1 "
                                "column, got %u x %u",
                                nrows, ncols);
    struct hpolab_figure *f = calloc(1, sizeof *f);
    if (!f)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "figure: out of memory");
    f->nrows = nrows;
    f->ncols = ncols;
    f->dpi = 200;
    f->width = 1000 * ncols;
    f->height = 800 * nrows;
    f->title = dup_text(NULL);
    f->xlabel = dup_text(NULL);
    f->ylabel = dup_text(NULL);
    f->legend = dup_text("top right");
    if (!f->title || !f->xlabel || !f->ylabel || !f->legend) {
        hpolab_figure_free(f);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "figure: out of memory");
    }
    *out = f;
    return HPOLAB_OK;
}

static void series_free(struct hpolab_figure_series *s)
{
    free(s->name);
    free(s->x);
    free(s->y);
    free(s->lower);
    free(s->upper);
}

void hpolab_figure_free(struct hpolab_figure *fig)
{
    if (!fig)
        return;
    for (size_t k = 0; k < fig->n_subplots; k++) {
        struct hpolab_figure_subplot *sp = &fig->subplots[k];
        for (size_t s = 0; s < sp->n_series; s++)
            series_free(&sp->series[s]);
        free(sp->series);
        free(sp->title);
    }
    free(fig->subplots);
    free(fig->title);
    free(fig->xlabel);
    free(fig->ylabel);
    free(fig->legend);
    free(fig);
}

int32_t hpolab_figure_set_text(char **field, const char *text,
                               struct hpolab_error *err)
{
    char *copy = dup_text(text);
    if (!copy)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "figure: out of memory");
    free(*field);
    *field = copy;
    return HPOLAB_OK;
}

int32_t hpolab_figure_add_subplot(struct hpolab_figure *fig, const char *title,
                                  uint32_t row, uint32_t col, size_t *index,
                                  struct hpolab_error *err)
{
    if (row >= fig->nrows || col >= fig->ncols)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "figure: cell (%u, %u) is outside the %u x %u "
                                "grid",
                                row, col, fig->nrows, fig->ncols);
    struct hpolab_figure_subplot *grown =
        realloc(fig->subplots, (fig->n_subplots + 1) * sizeof *grown);
    if (!grown)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "figure: out of memory");
    fig->subplots = grown;
    struct hpolab_figure_subplot *sp = &grown[fig->n_subplots];
    memset(sp, 0, sizeof *sp);
    sp->title = dup_text(title);
    if (!sp->title)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "figure: out of memory");
    sp->row = row;
    sp->col = col;
    sp->xlo = sp->xhi = sp->ylo = sp->yhi = NAN;
    *index = fig->n_subplots++;
    return HPOLAB_OK;
}

static double *dup_array(const double *a, size_t n)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    if (c && n)
        memcpy(c, a, n * sizeof *c);
    return c;
}

int32_t hpolab_figure_add_series(struct hpolab_figure *fig, size_t k,
                                 const char *name, uint32_t color,
                                 int32_t style, size_t n, const double *x,
                                 const double *y, const double *lower,
                                 const double *upper,
                                 struct hpolab_error *err)
{
    if (k >= fig->n_subplots)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "figure: no subplot %zu", k);
    if (!lower != !upper)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "figure: a band needs both edges");
    struct hpolab_figure_subplot *sp = &fig->subplots[k];
    if (sp->n_series == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 8;
        struct hpolab_figure_series *grown =
            realloc(sp->series, cap * sizeof *grown);
        if (!grown)
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                    "figure: out of memory");
        sp->series = grown;
        sp->cap = cap;
    }
    struct hpolab_figure_series s = {
        .name = dup_text(name), .color = color, .style = style, .n = n,
        .x = dup_array(x, n), .y = dup_array(y, n),
        .lower = lower ? dup_array(lower, n) : NULL,
        .upper = upper ? dup_array(upper, n) : NULL};
    if (!s.name || !s.x || !s.y || (lower && (!s.lower || !s.upper))) {
        series_free(&s);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "figure: out of memory");
    }
    sp->series[sp->n_series++] = s;
    return HPOLAB_OK;
}

static void widen(double v, int log_axis, double *lo, double *hi)
{
    if (!isfinite(v) || (log_axis && v <= 0))
        return;
    if (isnan(*lo) || v < *lo)
        *lo = v;
    if (isnan(*hi) || v > *hi)
        *hi = v;
}

void hpolab_figure_share_ranges(struct hpolab_figure *fig)
{
    int logx = (fig->flags & HPOLAB_FIGURE_LOG_X) != 0;
    int logy = (fig->flags & HPOLAB_FIGURE_LOG_Y) != 0;
    double xlo = NAN, xhi = NAN, ylo = NAN, yhi = NAN;
    for (size_t k = 0; k < fig->n_subplots; k++) {
        const struct hpolab_figure_subplot *sp = &fig->subplots[k];
        for (size_t s = 0; s < sp->n_series; s++) {
            const struct hpolab_figure_series *se = &sp->series[s];
            for (size_t i = 0; i < se->n; i++) {
                if (isnan(se->x[i]))
                    continue;
                widen(se->x[i], logx, &xlo, &xhi);
                widen(se->y[i], logy, &ylo, &yhi);
                if (se->lower) {
                    widen(se->lower[i], logy, &ylo, &yhi);
                    widen(se->upper[i], logy, &ylo, &yhi);
                }
            }
        }
    }
    if (!isnan(ylo)) {
        if (logy) {
            double f = yhi > ylo ? pow(yhi / ylo, 0.05) : 1.1;
            ylo /= f;
            yhi *= f;
        } else {
            double pad = yhi > ylo ? 0.05 * (yhi - ylo)
                                   : (ylo != 0 ? 0.05 * fabs(ylo) : 0.5);
            ylo -= pad;
            yhi += pad;
        }
    }
    if (!isnan(xlo) && xlo == xhi) {
        xlo = logx ? xlo / 2 : xlo - 0.5;
        xhi = logx ? xhi * 2 : xhi + 0.5;
    }
    for (size_t k = 0; k < fig->n_subplots; k++) {
        struct hpolab_figure_subplot *sp = &fig->subplots[k];
        if ((fig->flags & HPOLAB_FIGURE_SHARE_X) && isnan(sp->xlo) &&
            isnan(sp->xhi)) {
            sp->xlo = xlo;
            sp->xhi = xhi;
        }
        if ((fig->flags & HPOLAB_FIGURE_SHARE_Y) && isnan(sp->ylo) &&
            isnan(sp->yhi)) {
            sp->ylo = ylo;
            sp->yhi = yhi;
        }
    }
}
