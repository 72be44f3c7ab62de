/* aggregate_series.c: runs -> aggregated curve (aggregate_series.h). */
#include "aggregate_series.h"

#include <stdlib.h>
#include <string.h>

#include "aggregate_grid.h"

void hpolab_band_free(struct hpolab_band *b)
{
    if (!b)
        return;
    free(b->x);
    free(b->centre);
    free(b->lower);
    free(b->upper);
    memset(b, 0, sizeof *b);
}

static int alloc_band(struct hpolab_band *b, size_t n, int with_band)
{
    size_t m = n ? n : 1;
    b->x = malloc(m * sizeof *b->x);
    b->centre = malloc(m * sizeof *b->centre);
    if (with_band) {
        b->lower = malloc(m * sizeof *b->lower);
        b->upper = malloc(m * sizeof *b->upper);
    }
    return b->x && b->centre && (!with_band || (b->lower && b->upper));
}

static int same_row(const double *a, const double *b, size_t r)
{
    return memcmp(a, b, r * sizeof *a) == 0;
}

int32_t hpolab_aggregate_runs(const struct hpolab_curve *runs, size_t r,
                              int32_t mode, uint32_t samples, uint32_t seed,
                              struct hpolab_band *out,
                              struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    if (r == 1) {
        if (!alloc_band(out, runs[0].n, 0)) {
            hpolab_band_free(out);
            return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                    "aggregate: out of memory");
        }
        out->n = runs[0].n;
        memcpy(out->x, runs[0].x, out->n * sizeof *out->x);
        memcpy(out->centre, runs[0].y, out->n * sizeof *out->centre);
        return HPOLAB_OK;
    }
    struct hpolab_grid g;
    int32_t rc = hpolab_grid_build(runs, r, &g, err);
    if (rc != HPOLAB_OK)
        return rc;
    struct hpolab_aggregator agg;
    rc = hpolab_aggregator_init(&agg, mode, r, samples, seed, err);
    if (rc != HPOLAB_OK) {
        hpolab_grid_free(&g);
        return rc;
    }
    if (!alloc_band(out, g.n, 1)) {
        hpolab_band_free(out);
        hpolab_aggregator_free(&agg);
        hpolab_grid_free(&g);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "aggregate: out of memory");
    }
    for (size_t i = 0; i < g.n; i++) {
        const double *row = &g.values[i * r];
        /* inside a constant stretch: same values before and after */
        if (i > 0 && i + 1 < g.n && same_row(row - r, row, r) &&
            same_row(row, row + r, r))
            continue;
        size_t k = out->n++;
        out->x[k] = g.t[i];
        if (k > 0 && same_row(row - r, row, r)) {
            out->centre[k] = out->centre[k - 1];
            out->lower[k] = out->lower[k - 1];
            out->upper[k] = out->upper[k - 1];
        } else {
            hpolab_aggregate_values(&agg, row, &out->centre[k],
                                    &out->lower[k], &out->upper[k]);
        }
    }
    hpolab_aggregator_free(&agg);
    hpolab_grid_free(&g);
    return HPOLAB_OK;
}
