/* aggregate_curve.h: one experiment's best-so-far curve (framework reference
 * §5.4): y_i = multiplier * running min (mode min) or max (mode max, then
 * 1 - y when convert_to_min) of the metric, x_i = st_tuner_time, cropped to
 * an x range.
 *
 * Deliberate differences from Syne Tune (docs/plotting.md): rows are sorted
 * by time first (stable; the reference recommends it, the simulator appends
 * out of order), and a missing metric value carries the best so far instead
 * of leaving a hole; rows before the first value are dropped. */
#ifndef HPOLAB_CORE_AGGREGATE_CURVE_H
#define HPOLAB_CORE_AGGREGATE_CURVE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hpolab_curve {
    size_t n;
    double *x; /* owned, n, non-decreasing */
    double *y; /* owned, n */
};

struct hpolab_curve_params {
    int32_t mode;       /* HPOLAB_MODE_MIN / _MAX */
    int convert_to_min; /* mode max: y := 1 - y */
    double multiplier;  /* applied before convert_to_min */
    double xlo, xhi;    /* keep lo <= x <= hi; NaN: no bound */
};

/* x[i], v[i] for n rows in file order (v NaN = missing). On success *out
 * owns its arrays (free with hpolab_curve_free); n may end up 0. */
int32_t hpolab_best_so_far(const double *x, const double *v, size_t n,
                           const struct hpolab_curve_params *p,
                           struct hpolab_curve *out, struct hpolab_error *err);
void hpolab_curve_free(struct hpolab_curve *c);

/* Stable order of x (NaN last): idx[0..n) receives row indices. */
void hpolab_stable_order(const double *x, size_t n, size_t *idx);

#endif
