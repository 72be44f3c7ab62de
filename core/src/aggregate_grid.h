/* aggregate_grid.h: the common time grid of several runs (framework
 * reference §5.5). Each run's repeated x values are dropped keeping the
 * first; the grid is the sorted union of all x; a run's value at grid point
 * t is its value at its largest x <= t (runs that end early keep their final
 * value); grid points before t_start = the latest first x of any run are
 * dropped, so every kept point has a value from every run. */
#ifndef HPOLAB_CORE_AGGREGATE_GRID_H
#define HPOLAB_CORE_AGGREGATE_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate_curve.h"
#include "error.h"

struct hpolab_grid {
    size_t n;       /* grid points */
    size_t runs;    /* R */
    double *t;      /* owned, n, increasing */
    double *values; /* owned, n * runs, row-major: values[i * runs + r] */
};

/* runs[0..r) with r >= 1, each with n >= 1 points. *out [owned:
 * hpolab_grid_free]. */
int32_t hpolab_grid_build(const struct hpolab_curve *runs, size_t r,
                          struct hpolab_grid *out, struct hpolab_error *err);
void hpolab_grid_free(struct hpolab_grid *g);

#endif
