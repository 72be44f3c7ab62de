/* plot_compare.h: the comparison figure (Syne Tune's
 * ComparativeResults.plot, framework reference §5.2-§5.8): experiments
 * grouped by (subplot, setup); each experiment's best-so-far curve; the
 * runs of a group aggregated on their common time grid; one curve with a
 * band per setup in every subplot, the setup's colour the same everywhere.
 * Warnings (one line each, naming folders): unreadable results, setups with
 * missing or extra runs, a seed run twice. Also fills the summary table. */
#ifndef HPOLAB_CORE_PLOT_COMPARE_H
#define HPOLAB_CORE_PLOT_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "collect_find.h"
#include "diag.h"
#include "error.h"
#include "figure.h"
#include "plot_params.h"
#include "plot_summary.h"

struct hpolab_compare {
    struct hpolab_figure *figure; /* owned */
    struct hpolab_summary summary;
    char *metric;                 /* owned */
    int32_t mode;                 /* HPOLAB_MODE_* of the metric */
    size_t curves;                /* series drawn */
    size_t runs_used;             /* experiments whose results were drawn */
};

/* p must be finished (hpolab_plot_params_finish). Fails with
 * HPOLAB_ERR_NOT_FOUND when there is nothing to draw (no experiment, or
 * none with usable results), HPOLAB_ERR_INVALID for a bad combination (two
 * benchmarks, a grid too small for the subplots, no metric). *out [owned:
 * hpolab_compare_free]. */
int32_t hpolab_compare_build(const struct hpolab_collection *c,
                             const struct hpolab_plot_params *p,
                             struct hpolab_compare *out,
                             struct hpolab_diag *warn,
                             struct hpolab_error *err);
void hpolab_compare_free(struct hpolab_compare *out);

/* The y label for metric as plotted: "val_loss", "1 - accuracy",
 * "0.01 * accuracy". *out [owned: free]. */
char *hpolab_plot_ylabel(const char *metric, int32_t mode,
                         const struct hpolab_plot_params *p);
/* The figure grid for n subplots from p->nrows/ncols (either may be 0).
 * HPOLAB_ERR_INVALID when the grid has fewer cells than n. */
int32_t hpolab_plot_grid(const struct hpolab_plot_params *p, size_t n,
                         uint32_t *nrows, uint32_t *ncols,
                         struct hpolab_error *err);
/* Size, dpi, texts, flags and legend of fig from p (after the grid). */
int32_t hpolab_plot_style_figure(struct hpolab_figure *fig,
                                 const struct hpolab_plot_params *p,
                                 const char *ylabel, struct hpolab_error *err);

#endif
