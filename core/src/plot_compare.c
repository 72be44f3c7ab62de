/* plot_compare.c: the comparison figure (plot_compare.h). */
#include "plot_compare.h"

#include <hpolab/types.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate_series.h"
#include "buffer.h"
#include "collect_load.h"
#include "log.h"
#include "plot_common.h"
#include "pyfloat.h"

char *hpolab_plot_ylabel(const char *metric, int32_t mode,
                         const struct hpolab_plot_params *p)
{
    char buf[512], mult[HPOLAB_PYFLOAT_BUFSIZE];
    if (p->ylabel)
        return strdup(p->ylabel);
    int conv = mode == HPOLAB_MODE_MAX && p->convert_to_min;
    const char *m = p->metric_multiplier == 1.0
                        ? ""
                        : hpolab_pyfloat(p->metric_multiplier, mult);
    snprintf(buf, sizeof buf, "%s%s%s%s", conv ? "1 - " : "", m,
             m[0] ? " * " : "", metric);
    return strdup(buf);
}

int32_t hpolab_plot_grid(const struct hpolab_plot_params *p, size_t n,
                         uint32_t *nrows, uint32_t *ncols,
                         struct hpolab_error *err)
{
    uint32_t r = p->nrows, c = p->ncols;
    if (n == 0)
        n = 1;
    if (!r && !c) {
        r = 1;
        c = (uint32_t)n;
    } else if (!r) {
        r = (uint32_t)((n + c - 1) / c);
    } else if (!c) {
        c = (uint32_t)((n + r - 1) / r);
    }
    if ((size_t)r * c < n)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "nrows x ncols = %u x %u has fewer cells than "
                                "the %zu subplots",
                                r, c, n);
    *nrows = r;
    *ncols = c;
    return HPOLAB_OK;
}

int32_t hpolab_plot_style_figure(struct hpolab_figure *fig,
                                 const struct hpolab_plot_params *p,
                                 const char *ylabel, struct hpolab_error *err)
{
    fig->dpi = p->dpi;
    fig->width = p->width ? p->width : 1000 * fig->ncols;
    fig->height = p->height ? p->height : 800 * fig->nrows;
    fig->flags = (p->grid ? HPOLAB_FIGURE_GRID : 0) |
                 (p->logx ? HPOLAB_FIGURE_LOG_X : 0) |
                 (p->logy ? HPOLAB_FIGURE_LOG_Y : 0) | HPOLAB_FIGURE_SHARE_X |
                 HPOLAB_FIGURE_SHARE_Y;
    int32_t rc = hpolab_figure_set_text(&fig->title, p->title, err);
    if (rc == HPOLAB_OK)
        rc = hpolab_figure_set_text(&fig->xlabel, p->xlabel, err);
    if (rc == HPOLAB_OK)
        rc = hpolab_figure_set_text(&fig->ylabel, ylabel, err);
    if (rc == HPOLAB_OK)
        rc = hpolab_figure_set_text(&fig->legend, p->legend, err);
    return rc;
}

void hpolab_compare_free(struct hpolab_compare *out)
{
    hpolab_figure_free(out->figure);
    hpolab_summary_free(&out->summary);
    free(out->metric);
    memset(out, 0, sizeof *out);
}

static int same_opt(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int cmp_nat(const void *a, const void *b)
{
    return hpolab_natural_cmp(*(const char *const *)a,
                              *(const char *const *)b);
}

/* "a, b, c" of the experiments' folder names. */
static void name_list(char *buf, size_t size,
                      const struct hpolab_experiment *const *e, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? ", " : "",
                 e[i]->name);
}

struct group_ctx {
    const struct hpolab_plot_params *p;
    const char *metric;
    int32_t mode;
    int higher_is_better;
    struct hpolab_diag *warn;
    const struct hpolab_collection *c;
    struct hpolab_load_job *jobs; /* one per experiment of c, preloaded */
};

/* First time the curve reaches the target, NaN if never. */
static double reach_time(const struct hpolab_curve *c, double target,
                         int higher)
{
    for (size_t i = 0; i < c->n; i++)
        if (higher ? c->y[i] >= target : c->y[i] <= target)
            return c->x[i];
    return NAN;
}

/* One (subplot, setup) group: load, curves, aggregate, add to the figure
 * and the summary. */
static int32_t draw_group(struct hpolab_compare *out, const struct group_ctx *g,
                          size_t k, const char *subplot, const char *setup,
                          uint32_t color,
                          const struct hpolab_experiment *const *exps,
                          size_t n, struct hpolab_error *err)
{
    const struct hpolab_plot_params *p = g->p;
    struct hpolab_curve *curves = calloc(n, sizeof *curves);
    const struct hpolab_experiment **used = calloc(n, sizeof *used);
    if (!curves || !used) {
        free(curves);
        free(used);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    struct hpolab_curve_params cp = {.mode = g->mode,
                                     .convert_to_min = p->convert_to_min,
                                     .multiplier = p->metric_multiplier,
                                     .xlo = p->xlim[0],
                                     .xhi = p->xlim[1]};
    size_t r = 0;
    int32_t rc = HPOLAB_OK;
    for (size_t i = 0; i < n && rc == HPOLAB_OK; i++) {
        struct hpolab_load_job *job = &g->jobs[exps[i] - g->c->items];
        struct hpolab_run_data *dp = &job->data;
        struct hpolab_error e = job->err;
        int32_t st = job->status;
        if (st == HPOLAB_ERR_NOMEM) {
            rc = hpolab_error_set(err, st, "%s", e.message);
            break;
        }
        if (st == HPOLAB_ERR_NOT_FOUND &&
            strstr(e.message, "no results in") == e.message) {
            hpolab_diag_add(g->warn,
                            "%s: metadata matches the filter, but there is no "
                            "results file (results.csv.zip or results.csv); "
                            "skipped",
                            exps[i]->dir);
            continue;
        }
        if (st != HPOLAB_OK) {
            hpolab_diag_add(g->warn, "%s; skipped", e.message);
            continue;
        }
        st = hpolab_best_so_far(dp->time, dp->value, dp->n, &cp, &curves[r],
                                &e);
        hpolab_run_data_free(dp);
        if (st != HPOLAB_OK) {
            rc = hpolab_error_set(err, st, "%s", e.message);
            break;
        }
        if (curves[r].n == 0) {
            hpolab_curve_free(&curves[r]);
            hpolab_diag_add(g->warn,
                            "%s: no value of '%s'%s; skipped", exps[i]->dir,
                            g->metric,
                            isnan(p->xlim[0]) ? "" : " inside xlim");
            continue;
        }
        used[r++] = exps[i];
    }
    if (rc == HPOLAB_OK && r > 0) {
        struct hpolab_band band;
        rc = hpolab_aggregate_runs(curves, r, p->aggregate,
                                   p->bootstrap_samples, (uint32_t)p->seed,
                                   &band, err);
        if (rc == HPOLAB_OK) {
            rc = hpolab_figure_add_series(out->figure, k, setup, color,
                                          HPOLAB_SERIES_LINE, band.n, band.x,
                                          band.centre, band.lower, band.upper,
                                          err);
            hpolab_band_free(&band);
        }
        struct hpolab_summary_row *row = NULL;
        if (rc == HPOLAB_OK)
            rc = hpolab_summary_add(&out->summary, subplot, setup, r, &row,
                                    err);
        double mean = 0, var = 0;
        for (size_t i = 0; rc == HPOLAB_OK && i < r; i++) {
            row->seeds[i] = used[i]->seed;
            row->finals[i] = curves[i].y[curves[i].n - 1];
            row->reach[i] = isnan(p->target)
                                ? NAN
                                : reach_time(&curves[i], p->target,
                                             g->higher_is_better);
            mean += curves[i].x[curves[i].n - 1] / (double)r;
        }
        for (size_t i = 0; rc == HPOLAB_OK && i < r; i++) {
            double d = curves[i].x[curves[i].n - 1] - mean;
            var += d * d / (double)r;
        }
        if (rc == HPOLAB_OK) {
            hpolab_logf(HPOLAB_LOG_INFO, "[%s%s%s]: max_rt = %.2f (+- %.2f)",
                        subplot ? subplot : "", subplot ? ", " : "", setup,
                        mean, sqrt(var));
            out->curves++;
            out->runs_used += r;
        }
    }
    for (size_t i = 0; i < n; i++)
        hpolab_curve_free(&curves[i]);
    free(curves);
    free(used);
    return rc;
}

/* Warnings about the runs of one group. */
static void check_runs(struct hpolab_diag *warn, const char *subplot,
                       const char *setup,
                       const struct hpolab_experiment *const *e, size_t n,
                       int64_t expected)
{
    char list[2048];
    if (expected > 0 && (int64_t)n != expected) {
        name_list(list, sizeof list, e, n);
        hpolab_diag_add(warn,
                        "%s%s%ssetup = %s has %zu repeats instead of %lld "
                        "(%s): %s",
                        subplot ? "subplot = " : "", subplot ? subplot : "",
                        subplot ? ", " : "", setup, n, (long long)expected,
                        (int64_t)n < expected ? "missing runs" : "extra runs",
                        list);
    }
    for (size_t i = 0; i < n; i++) {
        if (e[i]->seed < 0)
            continue;
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = e[j]->seed != e[i]->seed;
        if (!first)
            continue;
        const struct hpolab_experiment *dup[64];
        size_t nd = 0;
        for (size_t j = i; j < n && nd < 64; j++)
            if (e[j]->seed == e[i]->seed)
                dup[nd++] = e[j];
        if (nd > 1) {
            name_list(list, sizeof list, dup, nd);
            hpolab_diag_add(warn,
                            "%s%s%ssetup = %s: seed %lld has %zu experiments "
                            "(a stale or repeated run? narrow with "
                            "--since/--until): %s",
                            subplot ? "subplot = " : "",
                            subplot ? subplot : "", subplot ? ", " : "", setup,
                            (long long)e[i]->seed, nd, list);
        }
    }
}

int32_t hpolab_compare_build(const struct hpolab_collection *c,
                             const struct hpolab_plot_params *p,
                             struct hpolab_compare *out,
                             struct hpolab_diag *warn,
                             struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    if (c->n == 0)
        return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                "no experiment matches");
    int32_t rc = hpolab_plot_one_benchmark(c, err);
    if (rc == HPOLAB_OK)
        rc = hpolab_plot_metric(c, p, &out->metric, &out->mode, warn, err);
    if (rc != HPOLAB_OK)
        return rc;
    const char **setups = NULL, **subs = NULL;
    const struct hpolab_experiment **grp = NULL;
    struct hpolab_load_job *jobs = NULL;
    size_t ns = 0, nsub = 0;
    char *ylabel = NULL;
    rc = hpolab_plot_setups(c, p, &setups, &ns, warn, err);
    if (rc != HPOLAB_OK)
        goto done;
    if (ns == 0) {
        rc = hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                              "none of the setups found is listed in setups");
        goto done;
    }
    /* subplots: distinct names of the experiments drawn, natural order */
    subs = malloc((c->n + 1) * sizeof *subs);
    grp = malloc((c->n + 1) * sizeof *grp);
    if (!subs || !grp) {
        rc = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < c->n && p->subplot; i++)
        if (hpolab_name_index(setups, ns, c->items[i].setup) >= 0 &&
            hpolab_name_index(subs, nsub, c->items[i].subplot) < 0)
            subs[nsub++] = c->items[i].subplot;
    qsort(subs, nsub, sizeof *subs, cmp_nat);
    size_t npanels = p->subplot ? nsub : 1;
    uint32_t nrows, ncols;
    if ((rc = hpolab_plot_grid(p, npanels, &nrows, &ncols, err)) != HPOLAB_OK ||
        (rc = hpolab_figure_create(nrows, ncols, &out->figure, err)) !=
            HPOLAB_OK)
        goto done;
    ylabel = hpolab_plot_ylabel(out->metric, out->mode, p);
    if (!ylabel) {
        rc = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((rc = hpolab_plot_style_figure(out->figure, p, ylabel, err)) !=
        HPOLAB_OK)
        goto done;
    out->summary.aggregate = p->aggregate;
    out->summary.higher_is_better =
        (out->mode == HPOLAB_MODE_MAX && !p->convert_to_min) !=
        (p->metric_multiplier < 0);
    out->summary.has_target = !isnan(p->target);
    out->summary.target = p->target;
    out->summary.metric_label = strdup(ylabel);
    struct group_ctx g = {.p = p,
                          .metric = out->metric,
                          .mode = out->mode,
                          .higher_is_better = out->summary.higher_is_better,
                          .warn = warn,
                          .c = c};
    /* read every experiment that will be drawn, in parallel */
    jobs = calloc(c->n, sizeof *jobs);
    if (!jobs) {
        rc = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t nj = 0;
    for (size_t i = 0; i < c->n; i++) {
        jobs[i].dir = c->items[i].dir;
        jobs[i].status = HPOLAB_ERR_NOT_FOUND; /* not drawn */
        if (hpolab_name_index(setups, ns, c->items[i].setup) >= 0)
            nj++;
    }
    struct hpolab_load_job *todo = calloc(nj ? nj : 1, sizeof *todo);
    if (!todo) {
        rc = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0, k = 0; i < c->n; i++)
        if (hpolab_name_index(setups, ns, c->items[i].setup) >= 0)
            todo[k++].dir = c->items[i].dir;
    hpolab_collect_load_all(todo, nj, out->metric, 0, 0);
    for (size_t i = 0, k = 0; i < c->n; i++)
        if (hpolab_name_index(setups, ns, c->items[i].setup) >= 0)
            jobs[i] = todo[k++];
    free(todo);
    g.jobs = jobs;
    /* expected runs: given, else the most any group has */
    int64_t expected = p->num_runs;
    for (size_t k = 0; k < npanels && expected < 0; k++)
        for (size_t s = 0; s < ns; s++) {
            int64_t cnt = 0;
            for (size_t i = 0; i < c->n; i++)
                cnt += strcmp(c->items[i].setup, setups[s]) == 0 &&
                       (!p->subplot ||
                        same_opt(c->items[i].subplot, subs[k]));
            if (cnt > expected)
                expected = cnt;
        }
    for (size_t k = 0; k < npanels && rc == HPOLAB_OK; k++) {
        const char *sub = p->subplot ? subs[k] : NULL;
        const char *title = k < p->n_subplot_titles ? p->subplot_titles[k]
                            : sub                   ? sub
                                                    : "";
        size_t idx;
        rc = hpolab_figure_add_subplot(out->figure, title,
                                       (uint32_t)(k % nrows),
                                       (uint32_t)(k / nrows), &idx, err);
        if (rc != HPOLAB_OK)
            break;
        struct hpolab_figure_subplot *sp = &out->figure->subplots[idx];
        sp->legend = k == 0 && strcmp(p->legend, "none") != 0;
        sp->xlo = p->xlim[0];
        sp->xhi = p->xlim[1];
        sp->ylo = p->ylim[0];
        sp->yhi = p->ylim[1];
        for (size_t s = 0; s < ns && rc == HPOLAB_OK; s++) {
            size_t n = 0;
            for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->items[i].setup, setups[s]) == 0 &&
                    (!p->subplot || same_opt(c->items[i].subplot, sub)))
                    grp[n++] = &c->items[i];
            if (n == 0) {
                if (p->subplot)
                    hpolab_diag_add(warn,
                                    "subplot = %s, setup = %s has no "
                                    "experiment (missing runs)",
                                    sub, setups[s]);
                continue;
            }
            check_runs(warn, sub, setups[s], grp, n, expected);
            rc = draw_group(out, &g, idx, sub, setups[s], (uint32_t)s, grp,
                            n, err);
        }
    }
    if (rc == HPOLAB_OK && out->curves == 0)
        rc = hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                              "nothing to draw: none of the %zu experiments "
                              "found has usable results for '%s'",
                              c->n, out->metric);
    if (rc == HPOLAB_OK) {
        hpolab_figure_share_ranges(out->figure);
        rc = hpolab_summary_compute(&out->summary, p->bootstrap_samples,
                                    (uint32_t)p->seed, err);
    }
done:
    for (size_t i = 0; jobs && i < c->n; i++)
        hpolab_run_data_free(&jobs[i].data);
    free(jobs);
    free(setups);
    free(subs);
    free(grp);
    free(ylabel);
    if (rc != HPOLAB_OK)
        hpolab_compare_free(out);
    return rc;
}
