/* plot_summary.h: the summary table of a comparison (issue 5): per
 * (subplot, setup) the aggregated final best-so-far value with its spread
 * (the plot's aggregate mode), the number of runs, the average rank across
 * seeds (rank 1 = best; ties share the mean rank; only seeds every setup of
 * the subplot ran count) and, with a target, the mean time to reach it over
 * the runs that did and how many did. Values are in the plotted units
 * (multiplier and convert_to_min applied). Printed, and written beside the
 * plot as CSV and Markdown. */
#ifndef HPOLAB_CORE_PLOT_SUMMARY_H
#define HPOLAB_CORE_PLOT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hpolab_summary_row {
    char *subplot;   /* owned; NULL without subplots */
    char *setup;     /* owned */
    size_t runs;
    int64_t *seeds;  /* owned, runs: metadata seed (-1 unknown) */
    double *finals;  /* owned, runs: last best-so-far value */
    double *reach;   /* owned, runs: first time at the target, NaN: never */
    /* filled by hpolab_summary_compute: */
    double centre, lower, upper; /* upper == lower == centre for one run */
    double avg_rank;             /* NaN: no common seed */
    size_t reached;
    double mean_time;            /* NaN: no run reached the target */
};

struct hpolab_summary {
    struct hpolab_summary_row *rows; /* owned, n */
    size_t n;
    int32_t aggregate;   /* HPOLAB_AGGREGATE_* */
    int higher_is_better;
    int has_target;
    double target;
    char *metric_label;  /* owned: what the values are (the y label) */
};

/* Append a row for (subplot, setup) with room for runs entries; *row
 * [borrowed] until the next append. */
int32_t hpolab_summary_add(struct hpolab_summary *s, const char *subplot,
                           const char *setup, size_t runs,
                           struct hpolab_summary_row **row,
                           struct hpolab_error *err);
/* Aggregates, ranks and target times; samples and seed as for the plot. */
int32_t hpolab_summary_compute(struct hpolab_summary *s, uint32_t samples,
                               uint32_t seed, struct hpolab_error *err);
void hpolab_summary_free(struct hpolab_summary *s);

/* The table as text. *out [owned: free]. */
int32_t hpolab_summary_csv(const struct hpolab_summary *s, char **out,
                           struct hpolab_error *err);
int32_t hpolab_summary_markdown(const struct hpolab_summary *s, char **out,
                                struct hpolab_error *err);
/* Aligned columns for a terminal. */
int32_t hpolab_summary_text(const struct hpolab_summary *s, char **out,
                            struct hpolab_error *err);

#endif
