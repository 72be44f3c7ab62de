/* gp_script.c: the gnuplot script and data file of a figure. One data file
 * holds every series as a block (gnuplot's "index"): columns x, y, and for
 * a band lower and upper; a gap in a line is a blank line. The script
 * places each subplot in its grid cell by hand (set origin/size), so a
 * figure's cells can be filled in any order, and loops over the output
 * formats so the figure code appears once. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gp.h"

#define H hpolab_host

/* matplotlib's default colour cycle (tab10), as Syne Tune's figures use. */
static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                      "#d62728", "#9467bd", "#8c564b",
                                      "#e377c2", "#7f7f7f", "#bcbd22",
                                      "#17becf"};

/* A gnuplot single-quoted string: only ' needs escaping (doubled); line
 * breaks become spaces. Everything else, UTF-8 included, passes as is. */
static void put_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; s && *s; s++) {
        if (*s == '\'')
            fputs("''", f);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

static void put_num(FILE *f, double v)
{
    if (isnan(v))
        fputs("NaN", f);
    else if (isinf(v))
        fputs(v > 0 ? "Inf" : "-Inf", f);
    else
        fprintf(f, "%.12g", v);
}

static const char *base_name(const char *stem)
{
    const char *s = strrchr(stem, '/');
    return s ? s + 1 : stem;
}

/* Data file; index[k][s] = block number or -1 (empty series). */
static int write_data(FILE *f, const struct hpolab_figure *fig, int **index)
{
    int block = 0;
    fprintf(f, "# written by hpolab plot: one block per series (gnuplot "
               "index), columns x y [lower upper]\n");
    uint32_t nk = H->figure_subplot_count(fig);
    for (uint32_t k = 0; k < nk; k++) {
        uint32_t ns = H->figure_series_count(fig, k);
        for (uint32_t s = 0; s < ns; s++) {
            uint64_t n = H->figure_series_length(fig, k, s);
            const double *x = H->figure_series_x(fig, k, s);
            const double *y = H->figure_series_y(fig, k, s);
            const double *lo = H->figure_series_lower(fig, k, s);
            const double *hi = H->figure_series_upper(fig, k, s);
            if (n == 0 || !x || !y) {
                index[k][s] = -1;
                continue;
            }
            if (block > 0)
                fputs("\n\n", f);
            index[k][s] = block++;
            fprintf(f, "# index %d: subplot %u ", index[k][s], k);
            put_str(f, H->figure_subplot_title(fig, k));
            fprintf(f, ", series %u ", s);
            put_str(f, H->figure_series_name(fig, k, s));
            fputc('\n', f);
            int gap = 0;
            for (uint64_t i = 0; i < n; i++) {
                if (isnan(x[i])) {
                    if (!gap && i > 0)
                        fputc('\n', f); /* one blank line: a break */
                    gap = 1;
                    continue;
                }
                gap = 0;
                put_num(f, x[i]);
                fputc(' ', f);
                put_num(f, y[i]);
                if (lo && hi) {
                    fputc(' ', f);
                    put_num(f, lo[i]);
                    fputc(' ', f);
                    put_num(f, hi[i]);
                }
                fputc('\n', f);
            }
        }
    }
    return !ferror(f);
}

static void put_range(FILE *f, const char *axis, double lo, double hi)
{
    fprintf(f, "  set %srange [", axis);
    if (isnan(lo))
        fputc('*', f);
    else
        put_num(f, lo);
    fputc(':', f);
    if (isnan(hi))
        fputc('*', f);
    else
        put_num(f, hi);
    fputs("]\n", f);
}

static const char *key_of(const char *legend)
{
    if (!strcmp(legend, "top left"))
        return "set key top left";
    if (!strcmp(legend, "bottom right"))
        return "set key bottom right";
    if (!strcmp(legend, "bottom left"))
        return "set key bottom left";
    if (!strcmp(legend, "outside"))
        return "set key outside right top";
    if (!strcmp(legend, "below"))
        return "set key below";
    if (!strcmp(legend, "none"))
        return "unset key";
    return "set key top right";
}

/* 1 if no other subplot sits below k in its column. */
static int bottom_of_column(const struct hpolab_figure *fig, uint32_t k)
{
    uint32_t row, col, r2, c2;
    H->figure_subplot_cell(fig, k, &row, &col);
    for (uint32_t j = 0; j < H->figure_subplot_count(fig); j++) {
        H->figure_subplot_cell(fig, j, &r2, &c2);
        if (c2 == col && r2 > row)
            return 0;
    }
    return 1;
}

static void write_panel(FILE *f, const struct hpolab_figure *fig, uint32_t k,
                        int *const *index, double top)
{
    uint32_t nrows, ncols, row, col;
    H->figure_grid(fig, &nrows, &ncols);
    H->figure_subplot_cell(fig, k, &row, &col);
    uint32_t flags = H->figure_flags(fig);
    double w = 1.0 / ncols, h = top / nrows;
    fprintf(f, "  # subplot %u: row %u, column %u\n", k, row, col);
    fprintf(f, "  set origin %.6f,%.6f\n  set size %.6f,%.6f\n", col * w,
            (nrows - 1 - row) * h, w, h);
    fputs("  set title ", f);
    put_str(f, H->figure_subplot_title(fig, k));
    fputs("\n  set xlabel ", f);
    put_str(f, bottom_of_column(fig, k) ? H->figure_xlabel(fig) : "");
    fputs("\n  set ylabel ", f);
    put_str(f, col == 0 ? H->figure_ylabel(fig) : "");
    fputc('\n', f);
    double lo, hi;
    H->figure_subplot_xrange(fig, k, &lo, &hi);
    put_range(f, "x", lo, hi);
    H->figure_subplot_yrange(fig, k, &lo, &hi);
    put_range(f, "y", lo, hi);
    fprintf(f, "  %s\n  %s\n  %s\n",
            flags & HPOLAB_FIGURE_LOG_X ? "set logscale x" : "unset logscale x",
            flags & HPOLAB_FIGURE_LOG_Y ? "set logscale y" : "unset logscale y",
            flags & HPOLAB_FIGURE_GRID ? "set grid" : "unset grid");
    fprintf(f, "  %s\n", H->figure_subplot_legend(fig, k)
                             ? key_of(H->figure_legend(fig))
                             : "unset key");
    /* bands first, then lines, then markers: nothing hides a curve */
    uint32_t ns = H->figure_series_count(fig, k);
    int clauses = 0;
    for (int pass = 0; pass < 3; pass++) {
        for (uint32_t s = 0; s < ns; s++) {
            if (index[k][s] < 0)
                continue;
            int32_t style = H->figure_series_style(fig, k, s);
            int band = H->figure_series_lower(fig, k, s) != NULL;
            const char *color =
                palette[H->figure_series_color(fig, k, s) % 10];
            const char *name = H->figure_series_name(fig, k, s);
            if (pass == 0 && !(style == HPOLAB_SERIES_LINE && band))
                continue;
            if (pass == 1 && style != HPOLAB_SERIES_LINE)
                continue;
            if (pass == 2 && style == HPOLAB_SERIES_LINE)
                continue;
            fputs(clauses++ ? ", \\\n    " : "  plot ", f);
            fprintf(f, "gpdata index %d ", index[k][s]);
            if (pass == 0)
                fprintf(f, "using 1:3:4 with filledcurves fillstyle "
                           "transparent solid 0.2 noborder lc rgb '%s' "
                           "notitle",
                        color);
            else if (pass == 1)
                fprintf(f, "using 1:2 with lines lw 1.5 lc rgb '%s' ", color);
            else
                fprintf(f, "using 1:2 with points pt %d ps 1.2 lc rgb '%s' "
                           "notitle",
                        style == HPOLAB_SERIES_DIAMONDS ? 12 : 6, color);
            if (pass == 1) {
                if (name[0]) {
                    fputs("title ", f);
                    put_str(f, name);
                } else {
                    fputs("notitle", f);
                }
            }
        }
    }
    if (!clauses)
        fputs("  plot NaN notitle # no data in this subplot", f);
    fputc('\n', f);
}

static int write_script(FILE *f, const struct hpolab_figure *fig,
                        const char *stem, uint32_t formats,
                        int *const *index)
{
    const char *name = base_name(stem);
    uint32_t w, h, dpi;
    H->figure_size(fig, &w, &h, &dpi);
    if (!dpi)
        dpi = 100;
    double scale = dpi / 100.0; /* font points are 1/72 in at the figure's dpi */
    fprintf(f, "# %s.gp: written by hpolab plot (gnuplot plotter).\n"
               "# Self-contained: it reads %s.dat from the folder it runs "
               "in. Render with:\n#   gnuplot %s.gp\n",
            name, name, name);
    fputs("set encoding utf8\ngpdata = ", f);
    char dat[4096];
    snprintf(dat, sizeof dat, "%s.dat", name);
    put_str(f, dat);
    fputs("\nformats = '", f);
    int first = 1;
    static const char *const ext[] = {"png", "svg", "pdf"};
    for (int i = 0; i < 3; i++)
        if (formats & (1u << i)) {
            fprintf(f, "%s%s", first ? "" : " ", ext[i]);
            first = 0;
        }
    fputs("'\n", f);
    fputs("do for [fmt in formats] {\n", f);
    fprintf(f, "  if (fmt eq 'png') {\n    set terminal pngcairo size %u,%u "
               "noenhanced font 'Sans,10' fontscale %.3f linewidth %.3f\n  }\n",
            w, h, scale * 1.1, scale);
    fprintf(f, "  if (fmt eq 'svg') {\n    set terminal svg size %u,%u "
               "noenhanced dynamic font 'Sans,%.1f' linewidth %.3f "
               "background '#ffffff'\n  }\n",
            w, h, 10 * scale * 1.1, scale);
    fprintf(f, "  if (fmt eq 'pdf') {\n    set terminal pdfcairo size "
               "%.3fin,%.3fin noenhanced font 'Sans,10'\n  }\n",
            (double)w / dpi, (double)h / dpi);
    fprintf(f, "  set output ");
    put_str(f, name);
    fputs(".'.'.fmt\n", f);
    const char *title = H->figure_title(fig);
    double top = title[0] ? 0.94 : 1.0;
    fputs("  set multiplot", f);
    if (title[0]) {
        fputs(" title ", f);
        put_str(f, title);
    }
    fputs("\n  set style fill transparent solid 0.2 noborder\n", f);
    for (uint32_t k = 0; k < H->figure_subplot_count(fig); k++)
        write_panel(f, fig, k, index, top);
    fputs("  unset multiplot\n  unset output\n}\n", f);
    return !ferror(f);
}

static int32_t write_file(struct hpolab_ctx *ctx, const char *path,
                          const struct hpolab_figure *fig, const char *stem,
                          uint32_t formats, int **index, int script)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return hpolab_set_error(ctx, HPOLAB_ERR_IO, "%s: cannot write: %s",
                                path, strerror(errno));
    int ok = script ? write_script(f, fig, stem, formats, index)
                    : write_data(f, fig, index);
    if (fclose(f) != 0)
        ok = 0;
    if (!ok)
        return hpolab_set_error(ctx, HPOLAB_ERR_IO, "%s: write failed: %s",
                                path, strerror(errno));
    return HPOLAB_OK;
}

int32_t gp_write(struct hpolab_ctx *ctx, const struct hpolab_figure *fig,
                 const char *stem, uint32_t formats)
{
    uint32_t nk = H->figure_subplot_count(fig);
    int **index = calloc(nk ? nk : 1, sizeof *index);
    size_t plen = strlen(stem) + 8;
    char *path = malloc(plen);
    int32_t rc = index && path ? HPOLAB_OK
                               : hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                                  "out of memory");
    for (uint32_t k = 0; k < nk && rc == HPOLAB_OK; k++) {
        uint32_t ns = H->figure_series_count(fig, k);
        if (!(index[k] = calloc(ns ? ns : 1, sizeof **index)))
            rc = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    if (rc == HPOLAB_OK) {
        snprintf(path, plen, "%s.dat", stem);
        rc = write_file(ctx, path, fig, stem, formats, index, 0);
    }
    if (rc == HPOLAB_OK) {
        snprintf(path, plen, "%s.gp", stem);
        rc = write_file(ctx, path, fig, stem, formats, index, 1);
    }
    for (uint32_t k = 0; index && k < nk; k++)
        free(index[k]);
    free(index);
    free(path);
    return rc;
}
