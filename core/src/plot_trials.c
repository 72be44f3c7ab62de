/* plot_trials.c: per-trial learning curves (plot_trials.h). */
#include "plot_trials.h"

#include <hpolab/types.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate_curve.h"
#include "collect_load.h"
#include "plot_common.h"
#include "plot_compare.h"

#define COLORS 10

struct points {
    double *x, *y;
    size_t n, cap;
};

static int push(struct points *p, double x, double y)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        double *nx = realloc(p->x, cap * sizeof *nx);
        if (!nx)
            return 0;
        p->x = nx;
        double *ny = realloc(p->y, cap * sizeof *ny);
        if (!ny)
            return 0;
        p->y = ny;
        p->cap = cap;
    }
    p->x[p->n] = x;
    p->y[p->n] = y;
    p->n++;
    return 1;
}

/* Lines (NaN-separated trials) and markers of one experiment, by colour. */
struct panel {
    struct points line[COLORS], circle[COLORS], diamond[COLORS];
};

static void panel_free(struct panel *pn)
{
    for (int c = 0; c < COLORS; c++) {
        free(pn->line[c].x);
        free(pn->line[c].y);
        free(pn->circle[c].x);
        free(pn->circle[c].y);
        free(pn->diamond[c].x);
        free(pn->diamond[c].y);
    }
}

/* Fill pn from d; returns the number of trials, or -1 out of memory. */
static long trace_trials(const struct hpolab_run_data *d, struct panel *pn)
{
    size_t *order = malloc((d->n ? d->n : 1) * sizeof *order);
    int64_t *seen = malloc((d->n ? d->n : 1) * sizeof *seen);
    if (!order || !seen) {
        free(order);
        free(seen);
        return -1;
    }
    hpolab_stable_order(d->time, d->n, order);
    size_t nt = 0;
    int ok = 1;
    /* trials in order of first appearance in the file */
    for (size_t i = 0; i < d->n && ok; i++) {
        int64_t t = d->trial[i];
        int dup = 0;
        for (size_t j = 0; j < nt && !dup; j++)
            dup = seen[j] == t;
        if (dup)
            continue;
        seen[nt] = t;
        struct points *line = &pn->line[nt % COLORS];
        size_t color = nt % COLORS;
        nt++;
        size_t start = line->n, count = 0;
        double lx = NAN, ly = NAN;
        int32_t last_decision = -1, broken = 0;
        if (start > 0)
            ok = push(line, NAN, NAN); /* separates trials */
        for (size_t r = 0; r < d->n && ok; r++) {
            size_t row = order[r];
            if (d->trial[row] != t || isnan(d->time[row]) ||
                isnan(d->value[row]))
                continue;
            if (broken && count > 0)
                ok = push(line, NAN, NAN);
            broken = d->decision[row] == HPOLAB_DECISION_PAUSE;
            ok = ok && push(line, d->time[row], d->value[row]);
            lx = d->time[row];
            ly = d->value[row];
            last_decision = d->decision[row];
            count++;
        }
        if (!ok || count == 0)
            continue;
        struct points *mk = last_decision == HPOLAB_DECISION_PAUSE ||
                                    last_decision == HPOLAB_DECISION_STOP
                                ? &pn->diamond[color]
                                : &pn->circle[color];
        ok = push(mk, lx, ly);
    }
    free(order);
    free(seen);
    return ok ? (long)nt : -1;
}

static int32_t add_panel(struct hpolab_figure *fig, size_t k,
                         const struct panel *pn, struct hpolab_error *err)
{
    int32_t rc = HPOLAB_OK;
    for (int c = 0; c < COLORS && rc == HPOLAB_OK; c++) {
        if (pn->line[c].n)
            rc = hpolab_figure_add_series(fig, k, "", (uint32_t)c,
                                          HPOLAB_SERIES_LINE, pn->line[c].n,
                                          pn->line[c].x, pn->line[c].y, NULL,
                                          NULL, err);
        if (rc == HPOLAB_OK && pn->circle[c].n)
            rc = hpolab_figure_add_series(
                fig, k, "", (uint32_t)c, HPOLAB_SERIES_CIRCLES,
                pn->circle[c].n, pn->circle[c].x, pn->circle[c].y, NULL, NULL,
                err);
        if (rc == HPOLAB_OK && pn->diamond[c].n)
            rc = hpolab_figure_add_series(
                fig, k, "", (uint32_t)c, HPOLAB_SERIES_DIAMONDS,
                pn->diamond[c].n, pn->diamond[c].x, pn->diamond[c].y, NULL,
                NULL, err);
    }
    return rc;
}

int32_t hpolab_trials_build(const struct hpolab_collection *c,
                            const struct hpolab_plot_params *p, int64_t seed,
                            struct hpolab_figure **out, size_t *trials,
                            struct hpolab_diag *warn,
                            struct hpolab_error *err)
{
    *out = NULL;
    if (trials)
        *trials = 0;
    if (c->n == 0)
        return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                "no experiment matches");
    char *metric = NULL, *ylabel = NULL;
    int32_t mode;
    const char **setups = NULL;
    size_t ns = 0, drawn = 0, total_trials = 0;
    int32_t rc = hpolab_plot_one_benchmark(c, err);
    if (rc == HPOLAB_OK)
        rc = hpolab_plot_metric(c, p, &metric, &mode, warn, err);
    if (rc == HPOLAB_OK)
        rc = hpolab_plot_setups(c, p, &setups, &ns, warn, err);
    uint32_t nrows = 0, ncols = 0;
    if (rc == HPOLAB_OK)
        rc = hpolab_plot_grid(p, ns, &nrows, &ncols, err);
    if (rc == HPOLAB_OK)
        rc = hpolab_figure_create(nrows, ncols, out, err);
    if (rc == HPOLAB_OK) {
        /* raw values: the y label is the metric itself */
        ylabel = strdup(p->ylabel ? p->ylabel : metric);
        rc = ylabel ? hpolab_plot_style_figure(*out, p, ylabel, err)
                    : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    if (rc == HPOLAB_OK)
        rc = hpolab_figure_set_text(&(*out)->legend, "none", err);
    for (size_t s = 0; s < ns && rc == HPOLAB_OK; s++) {
        const struct hpolab_experiment *e = NULL;
        size_t count = 0;
        for (size_t i = 0; i < c->n; i++)
            if (c->items[i].seed == seed &&
                strcmp(c->items[i].setup, setups[s]) == 0) {
                if (e)
                    hpolab_diag_add(warn,
                                    "setup = %s, seed %lld: %s is not drawn, "
                                    "%s is newer",
                                    setups[s], (long long)seed, e->dir,
                                    c->items[i].dir);
                e = &c->items[i]; /* sorted by folder: the last is newest */
                count++;
            }
        size_t k;
        const char *title =
            s < p->n_subplot_titles ? p->subplot_titles[s] : setups[s];
        rc = hpolab_figure_add_subplot(*out, title, (uint32_t)(s % nrows),
                                       (uint32_t)(s / nrows), &k, err);
        if (rc != HPOLAB_OK)
            break;
        (*out)->subplots[k].xlo = p->xlim[0];
        (*out)->subplots[k].xhi = p->xlim[1];
        (*out)->subplots[k].ylo = p->ylim[0];
        (*out)->subplots[k].yhi = p->ylim[1];
        if (!e) {
            hpolab_diag_add(warn, "setup = %s has no experiment with seed "
                                  "%lld",
                            setups[s], (long long)seed);
            continue;
        }
        struct hpolab_run_data d;
        struct hpolab_error le;
        int32_t st = hpolab_collect_load(e->dir, metric, 1, &d, &le);
        if (st == HPOLAB_ERR_NOMEM) {
            rc = hpolab_error_set(err, st, "%s", le.message);
            break;
        }
        if (st != HPOLAB_OK) {
            hpolab_diag_add(warn, "%s; skipped", le.message);
            continue;
        }
        struct panel pn;
        memset(&pn, 0, sizeof pn);
        long nt = trace_trials(&d, &pn);
        hpolab_run_data_free(&d);
        if (nt < 0)
            rc = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        else
            rc = add_panel(*out, k, &pn, err);
        panel_free(&pn);
        if (rc == HPOLAB_OK && nt > 0) {
            drawn++;
            total_trials += (size_t)nt;
        }
    }
    if (rc == HPOLAB_OK && drawn == 0)
        rc = hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                              "nothing to draw: no setup has an experiment "
                              "with seed %lld and results for '%s'",
                              (long long)seed, metric);
    if (rc == HPOLAB_OK)
        hpolab_figure_share_ranges(*out);
    if (rc != HPOLAB_OK) {
        hpolab_figure_free(*out);
        *out = NULL;
    } else if (trials) {
        *trials = total_trials;
    }
    free(metric);
    free(ylabel);
    free(setups);
    return rc;
}
