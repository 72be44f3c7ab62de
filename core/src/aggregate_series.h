/* aggregate_series.h: the runs of one (subplot, setup) -> one aggregated
 * curve with its band. One run is drawn as it is, without a band (as Syne
 * Tune does); several go through the common time grid and the aggregator at
 * every grid point. Grid points inside a stretch where no run changes are
 * left out of the output: the drawn polyline is the same, the files are
 * far smaller (best-so-far curves are mostly flat). */
#ifndef HPOLAB_CORE_AGGREGATE_SERIES_H
#define HPOLAB_CORE_AGGREGATE_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate_curve.h"
#include "aggregate_stats.h"
#include "error.h"

struct hpolab_band {
    size_t n;
    double *x, *centre; /* owned, n */
    double *lower, *upper; /* owned, n; NULL for a single run */
};

/* runs[0..r) (r >= 1, each with points). mode, samples and seed as for
 * hpolab_aggregator_init. *out [owned: hpolab_band_free]. */
int32_t hpolab_aggregate_runs(const struct hpolab_curve *runs, size_t r,
                              int32_t mode, uint32_t samples, uint32_t seed,
                              struct hpolab_band *out,
                              struct hpolab_error *err);
void hpolab_band_free(struct hpolab_band *b);

#endif
