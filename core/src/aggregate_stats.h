/* aggregate_stats.h: the aggregate of R values at one grid point, with its
 * band (framework reference §5.6):
 *   mean_and_ci         mean -+ 1.95 * s / sqrt(R), s the population std;
 *   median_percentiles  median, 25th and 75th percentile (linear
 *                       interpolation at position p * (R - 1));
 *   iqm_bootstrap       interquartile mean (trimming operator T) -+ 1.96 *
 *                       sqrt(Var), Var from B bootstrap weight vectors
 *                       T(c), c ~ Multinomial(R; 1/R, ...), drawn once per
 *                       aggregator and reused at every grid point.
 * Unlike Syne Tune the bootstrap is seeded: the same seed, R and B give the
 * same band, so a plot is reproducible. */
#ifndef HPOLAB_CORE_AGGREGATE_STATS_H
#define HPOLAB_CORE_AGGREGATE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HPOLAB_AGGREGATE_MEAN_CI 0
#define HPOLAB_AGGREGATE_MEDIAN_PERCENTILES 1
#define HPOLAB_AGGREGATE_IQM_BOOTSTRAP 2

/* "mean_and_ci", "median_percentiles", "iqm_bootstrap". Anything else:
 * HPOLAB_ERR_INVALID "aggregate mode 'x' is not supported; use ...". */
int32_t hpolab_aggregate_mode_parse(const char *name, int32_t *out,
                                    struct hpolab_error *err);
/* [static] the name of a mode ("?" for an unknown one). */
const char *hpolab_aggregate_mode_name(int32_t mode);

/* The trimming operator T on w[0..r), in place: remove mass r/4 from the
 * left, then r/4 from the right, then multiply by 2/r. */
void hpolab_iqm_trim(double *w, size_t r);

struct hpolab_aggregator {
    int32_t mode;
    size_t r;
    double *iqm;   /* owned, r: T(1, ..., 1) (iqm_bootstrap) */
    double *cbar;  /* owned, r: mean of the bootstrap weight vectors */
    double *c;     /* owned, r * r: mean of their outer products */
    double *work;  /* owned, 2 * r scratch */
};

/* For R = r values per point (r >= 1); samples = B (>= 1) and seed are used
 * by iqm_bootstrap only. Free with hpolab_aggregator_free. */
int32_t hpolab_aggregator_init(struct hpolab_aggregator *a, int32_t mode,
                               size_t r, uint32_t samples, uint32_t seed,
                               struct hpolab_error *err);
void hpolab_aggregator_free(struct hpolab_aggregator *a);
/* z[0..r) in any order (not modified). A NaN among them gives NaNs. */
void hpolab_aggregate_values(struct hpolab_aggregator *a, const double *z,
                             double *centre, double *lower, double *upper);

/* Linear-interpolation percentile (numpy's default) of sorted[0..n), p in
 * [0, 1]. */
double hpolab_percentile_sorted(const double *sorted, size_t n, double p);

#endif
