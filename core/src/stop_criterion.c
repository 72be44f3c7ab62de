#include "stop_criterion.h"

#include <stdlib.h>
#include <string.h>

void hpolab_stop_criterion_init(struct hpolab_stop_criterion *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->max_wallclock_time = -1.0;
    sc->max_num_evaluations = -1;
    sc->max_num_trials_started = -1;
    sc->max_num_trials_completed = -1;
    sc->max_num_trials_finished = -1;
    sc->max_cost = -1.0;
}

static void free_thresholds(struct hpolab_metric_threshold *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].metric);
    free(t);
}

void hpolab_stop_criterion_free(struct hpolab_stop_criterion *sc)
{
    free_thresholds(sc->min_metric, sc->num_min_metric);
    free_thresholds(sc->max_metric, sc->num_max_metric);
    hpolab_stop_criterion_init(sc);
}

int32_t hpolab_stop_criterion_add_metric(struct hpolab_stop_criterion *sc,
                                         int is_max, const char *metric,
                                         double threshold)
{
    struct hpolab_metric_threshold **arr =
        is_max ? &sc->max_metric : &sc->min_metric;
    size_t *n = is_max ? &sc->num_max_metric : &sc->num_min_metric;
    struct hpolab_metric_threshold *grown =
        realloc(*arr, (*n + 1) * sizeof **arr);
    if (!grown)
        return HPOLAB_ERR_NOMEM;
    *arr = grown;
    char *name = strdup(metric);
    if (!name)
        return HPOLAB_ERR_NOMEM;
    grown[*n] = (struct hpolab_metric_threshold){
        .metric = name, .threshold = threshold, .running = 0.0, .seen = 0};
    (*n)++;
    return HPOLAB_OK;
}

static void observe(struct hpolab_metric_threshold *t, size_t n, int is_max,
                    const struct hpolab_record *result)
{
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_value *v = hpolab_record_get(result, t[i].metric);
        double x;
        if (!v || hpolab_value_as_double(v, &x) != HPOLAB_OK || x != x)
            continue;
        if (!t[i].seen || (is_max ? x > t[i].running : x < t[i].running))
            t[i].running = x;
        t[i].seen = 1;
    }
}

void hpolab_stop_criterion_observe(struct hpolab_stop_criterion *sc,
                                   const struct hpolab_record *result)
{
    observe(sc->min_metric, sc->num_min_metric, 0, result);
    observe(sc->max_metric, sc->num_max_metric, 1, result);
}

int hpolab_stop_criterion_fires(const struct hpolab_stop_criterion *sc,
                                const struct hpolab_tuning_status *st,
                                const char **why)
{
    const char *reason = NULL;
    if (sc->max_wallclock_time >= 0 &&
        st->wallclock_time > sc->max_wallclock_time)
        reason = "max_wallclock_time";
    else if (sc->max_num_evaluations >= 0 &&
             st->num_evaluations > sc->max_num_evaluations)
        reason = "max_num_evaluations";
    else if (sc->max_num_trials_started >= 0 &&
             st->num_trials_started > sc->max_num_trials_started)
        reason = "max_num_trials_started";
    else if (sc->max_num_trials_completed >= 0 &&
             st->num_trials_completed > sc->max_num_trials_completed)
        reason = "max_num_trials_completed";
    else if (sc->max_num_trials_finished >= 0 &&
             st->num_trials_finished > sc->max_num_trials_finished)
        reason = "max_num_trials_finished";
    else if (sc->max_cost >= 0 && st->cost > sc->max_cost)
        reason = "max_cost";
    for (size_t i = 0; !reason && i < sc->num_min_metric; i++)
        if (sc->min_metric[i].seen &&
            sc->min_metric[i].running < sc->min_metric[i].threshold)
            reason = "min_metric_value";
    for (size_t i = 0; !reason && i < sc->num_max_metric; i++)
        if (sc->max_metric[i].seen &&
            sc->max_metric[i].running > sc->max_metric[i].threshold)
            reason = "max_metric_value";
    if (why)
        *why = reason;
    return reason != NULL;
}

double hpolab_stop_criterion_time_left(const struct hpolab_stop_criterion *sc,
                                       double wallclock_time)
{
    if (sc->max_wallclock_time < 0)
        return -1.0;
    double left = sc->max_wallclock_time - wallclock_time;
    return left > 0 ? left : 0.0;
}
