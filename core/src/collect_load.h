/* collect_load.h: the columns of one experiment's results that plotting
 * needs (framework reference §5.2), read with results_zip.h's reader:
 * st_tuner_time, the metric, and for per-trial plots trial_id and
 * st_decision. */
#ifndef HPOLAB_CORE_COLLECT_LOAD_H
#define HPOLAB_CORE_COLLECT_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HPOLAB_TIME_COLUMN "st_tuner_time"

struct hpolab_run_data {
    size_t n;          /* rows, in file order */
    double *time;      /* owned; st_tuner_time (NaN if the cell is empty) */
    double *value;     /* owned; the metric (NaN if missing or not a number) */
    int64_t *trial;    /* owned or NULL; trial_id (-1 if missing) */
    int32_t *decision; /* owned or NULL; HPOLAB_DECISION_* (-1 if missing) */
};

/* Read <dir>'s results (results.csv.zip, else results.csv). with_trials
 * also fills trial and decision. Errors name the file: no results file
 * (HPOLAB_ERR_NOT_FOUND), a truncated or broken archive (the reader's
 * message), no st_tuner_time or metric column (HPOLAB_ERR_NOT_FOUND, "...:
 * no column 'val_loss'; the columns are: ..."). *out [owned:
 * hpolab_run_data_free]. */
int32_t hpolab_collect_load(const char *dir, const char *metric,
                            int with_trials, struct hpolab_run_data *out,
                            struct hpolab_error *err);
void hpolab_run_data_free(struct hpolab_run_data *d);

/* One experiment to load with hpolab_collect_load_all. */
struct hpolab_load_job {
    const char *dir;             /* [borrowed] */
    struct hpolab_run_data data; /* filled when status is HPOLAB_OK */
    int32_t status;
    struct hpolab_error err;     /* the message when status is not OK */
};

/* hpolab_collect_load for every job, on up to `threads` threads (0: one per
 * online CPU, at most 16): reading and unzipping dominate `hpolab plot`, and
 * the files are independent. Each job gets its own status. */
void hpolab_collect_load_all(struct hpolab_load_job *jobs, size_t n,
                             const char *metric, int with_trials,
                             unsigned threads);

#endif
