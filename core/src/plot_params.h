/* plot_params.h: the parameters of `hpolab plot` (Syne Tune's
 * PlotParameters and SubplotParameters, framework reference §5.3, plus
 * hpolab's own), from a study file's "plot" section and the command line.
 * Both are JSON objects with the same keys (docs/plotting.md lists them);
 * applying the study section first and the command line second gives the
 * reference's merge rule: a value that is set wins over the one before,
 * defaults fill the rest (hpolab_plot_params_finish). */
#ifndef HPOLAB_CORE_PLOT_PARAMS_H
#define HPOLAB_CORE_PLOT_PARAMS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hpolab_plot_params {
    char *metric;            /* NULL: metric_names[0] of the metadata */
    int32_t mode;            /* HPOLAB_MODE_*; -1: metric_mode of metadata */
    char *title, *xlabel, *ylabel; /* NULL: defaults */
    double xlim[2], ylim[2]; /* NaN: from the data */
    double metric_multiplier; /* NaN until finish: 1 */
    int32_t convert_to_min;   /* -1 until finish: 1 */
    int32_t aggregate;        /* HPOLAB_AGGREGATE_*; -1 until finish: iqm */
    int32_t grid;             /* -1 until finish: 0 */
    int32_t logx, logy;       /* -1 until finish: 0 */
    uint32_t width, height;   /* pixels; 0 until finish: 1000 x 800 a panel */
    uint32_t dpi;             /* 0 until finish: 200 */
    uint32_t nrows, ncols;    /* 0: one row, a column per subplot */
    char *legend;             /* NULL until finish: "top right" */
    char *setup;              /* template; NULL until finish: "algorithm" */
    char *subplot;            /* template or NULL (one panel) */
    char **setups;            /* owned list (curve order), or NULL: all */
    size_t n_setups;
    char **subplot_titles;    /* owned list, or NULL: the subplot names */
    size_t n_subplot_titles;
    int64_t num_runs;         /* expected runs per setup; -1: the most any has */
    uint32_t bootstrap_samples; /* 0 until finish: 1000 */
    int64_t seed;             /* "bootstrap_seed"; -1 until finish: 0 */
    char *format;             /* NULL until finish: "png,svg,pdf" */
    double target;            /* NaN: no time-to-target column */
    char *benchmark;          /* NULL: the only one found */
};

void hpolab_plot_params_init(struct hpolab_plot_params *p);
void hpolab_plot_params_free(struct hpolab_plot_params *p);
/* Apply the keys of obj (a JSON object; NULL is no-op) over p. where starts
 * every message: "study.json: plot" gives "study.json: plot.ylim: expected
 * [low, high] with low < high, got [1, 0]"; for the command line use
 * "hpolab plot: --" (messages then read "hpolab plot: --ylim: ..."). Numbers
 * pairs and lists may be JSON arrays or strings ("0,3600", "A,B",
 * "1200x800"). An unknown key is an error naming the known ones. */
int32_t hpolab_plot_params_apply(struct hpolab_plot_params *p,
                                 const json_t *obj, const char *where,
                                 struct hpolab_error *err);
/* Fill every unset field with its default. */
int32_t hpolab_plot_params_finish(struct hpolab_plot_params *p,
                                  struct hpolab_error *err);
/* 1 if name is a key apply() knows (the command line offers each). */
int hpolab_plot_params_is_key(const char *name);

#endif
