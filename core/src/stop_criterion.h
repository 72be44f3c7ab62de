/* stop_criterion.h: when an experiment ends (framework reference §2.6).
 * Every set condition is checked; the criterion fires when any holds, with
 * strict comparisons as in Syne Tune. */
#ifndef HPOLAB_CORE_STOP_CRITERION_H
#define HPOLAB_CORE_STOP_CRITERION_H

#include <hpolab/types.h>
#include <stddef.h>

#include "record.h"

/* A metric threshold: fires when the running min (min_metric_value) or max
 * (max_metric_value) of the metric passes it. */
struct hpolab_metric_threshold {
    char *metric;     /* owned */
    double threshold;
    double running;   /* min or max seen so far */
    int seen;         /* at least one result had the metric */
};

struct hpolab_stop_criterion {
    /* Limits; a negative value means "not set". */
    double max_wallclock_time;
    int64_t max_num_evaluations;
    int64_t max_num_trials_started;
    int64_t max_num_trials_completed;
    int64_t max_num_trials_finished;
    double max_cost;
    struct hpolab_metric_threshold *min_metric; /* owned array */
    size_t num_min_metric;
    struct hpolab_metric_threshold *max_metric; /* owned array */
    size_t num_max_metric;
};

/* What the criterion looks at. */
struct hpolab_tuning_status {
    double wallclock_time;
    int64_t num_evaluations; /* results processed */
    int64_t num_trials_started;
    int64_t num_trials_completed;
    int64_t num_trials_failed;
    int64_t num_trials_finished; /* completed, stopped or failed */
    int64_t num_trials_running;
    double cost;
};

/* All limits unset. */
void hpolab_stop_criterion_init(struct hpolab_stop_criterion *sc);
void hpolab_stop_criterion_free(struct hpolab_stop_criterion *sc);
/* Add a metric threshold (is_max: max_metric_value, else min_metric_value). */
int32_t hpolab_stop_criterion_add_metric(struct hpolab_stop_criterion *sc,
                                         int is_max, const char *metric,
                                         double threshold);
/* Update the running min/max from one result. */
void hpolab_stop_criterion_observe(struct hpolab_stop_criterion *sc,
                                   const struct hpolab_record *result);
/* 1 when the experiment should stop; *why (may be NULL) is set to a static
 * text naming the condition, e.g. "max_wallclock_time". */
int hpolab_stop_criterion_fires(const struct hpolab_stop_criterion *sc,
                                const struct hpolab_tuning_status *st,
                                const char **why);
/* Seconds until max_wallclock_time fires (> it), or a negative value when
 * that limit is not set; lets the tuner wait exactly that long. */
double hpolab_stop_criterion_time_left(const struct hpolab_stop_criterion *sc,
                                       double wallclock_time);

#endif
