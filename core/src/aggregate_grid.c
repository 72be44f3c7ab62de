/* aggregate_grid.c: the common time grid (aggregate_grid.h). Runs are
 * sorted by x (aggregate_curve.c), so the grid is an R-way merge and the
 * forward fill a walk with one cursor per run: O(G * R). */
#include "aggregate_grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int32_t hpolab_grid_build(const struct hpolab_curve *runs, size_t r,
                          struct hpolab_grid *out, struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    if (r == 0)
        return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                "time grid: no runs");
    size_t total = 0;
    double t_start = -INFINITY;
    for (size_t j = 0; j < r; j++) {
        if (runs[j].n == 0)
            return hpolab_error_set(err, HPOLAB_ERR_INVALID,
                                    "time grid: run %zu has no points", j);
        total += runs[j].n;
        if (runs[j].x[0] > t_start)
            t_start = runs[j].x[0];
    }
    size_t *cur = calloc(r, sizeof *cur);
    double *last = malloc(r * sizeof *last);
    out->t = malloc(total * sizeof *out->t);
    out->values = malloc(total * r * sizeof *out->values);
    if (!cur || !last || !out->t || !out->values) {
        free(cur);
        free(last);
        hpolab_grid_free(out);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "time grid: out of memory for %zu points",
                                total);
    }
    out->runs = r;
    for (size_t j = 0; j < r; j++)
        last[j] = NAN; /* before the run's first x */
    for (;;) {
        /* next grid point: the smallest x not yet consumed by any run */
        double t = INFINITY;
        for (size_t j = 0; j < r; j++)
            if (cur[j] < runs[j].n && runs[j].x[cur[j]] < t)
                t = runs[j].x[cur[j]];
        if (t == INFINITY)
            break;
        /* a run with points at t takes the first of them (repeated x: the
         * first occurrence counts); the others keep their last value */
        for (size_t j = 0; j < r; j++) {
            const struct hpolab_curve *c = &runs[j];
            if (cur[j] < c->n && c->x[cur[j]] == t) {
                last[j] = c->y[cur[j]];
                while (cur[j] < c->n && c->x[cur[j]] == t)
                    cur[j]++;
            }
        }
        if (t >= t_start) {
            out->t[out->n] = t;
            memcpy(&out->values[out->n * r], last, r * sizeof *last);
            out->n++;
        }
    }
    free(last);
    free(cur);
    return HPOLAB_OK;
}

void hpolab_grid_free(struct hpolab_grid *g)
{
    if (!g)
        return;
    free(g->t);
    free(g->values);
    memset(g, 0, sizeof *g);
}
