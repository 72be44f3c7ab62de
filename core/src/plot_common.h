/* plot_common.h: what the comparison plot and the per-trial plot share:
 * one benchmark per figure, the metric and its mode, and the order of the
 * setups (curves). */
#ifndef HPOLAB_CORE_PLOT_COMMON_H
#define HPOLAB_CORE_PLOT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "collect_find.h"
#include "diag.h"
#include "error.h"
#include "plot_params.h"

/* Names compared with runs of digits as numbers ("2 workers" < "10
 * workers"), then bytewise. */
int hpolab_natural_cmp(const char *a, const char *b);

/* HPOLAB_ERR_INVALID when the experiments hold more than one benchmark:
 * "the experiments found hold 2 benchmarks (fcnet-protein,
 * nas201-cifar10): choose one with --benchmark". */
int32_t hpolab_plot_one_benchmark(const struct hpolab_collection *c,
                                  struct hpolab_error *err);

/* The metric: p->metric, else metric_names[0] of the first experiment's
 * metadata (a warning names experiments whose first metric differs); the
 * mode: p->mode, else that experiment's metric_mode, else min. *metric
 * [owned: free]. HPOLAB_ERR_INVALID when there is no metric anywhere. */
int32_t hpolab_plot_metric(const struct hpolab_collection *c,
                           const struct hpolab_plot_params *p, char **metric,
                           int32_t *mode, struct hpolab_diag *warn,
                           struct hpolab_error *err);

/* The setups to draw, in order: p->setups (a listed setup without
 * experiments is a warning; a found one not listed is a warning and is not
 * drawn), else every setup found in natural order. *names [owned: free the
 * array only; the strings are borrowed from p or c]. */
int32_t hpolab_plot_setups(const struct hpolab_collection *c,
                           const struct hpolab_plot_params *p,
                           const char ***names, size_t *n,
                           struct hpolab_diag *warn, struct hpolab_error *err);

/* Index of name in names[0..n), or -1. */
long hpolab_name_index(const char *const *names, size_t n, const char *name);

#endif
