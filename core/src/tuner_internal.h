/* tuner_internal.h: the tuner's state, shared by tuner*.c only. */
#ifndef HPOLAB_CORE_TUNER_INTERNAL_H
#define HPOLAB_CORE_TUNER_INTERNAL_H

#include <hpolab/host.h>
#include <signal.h>

#include "clock.h"
#include "ctx.h"
#include "options.h"
#include "record.h"
#include "registry.h"
#include "tuner.h"
#include "tuner_journal.h"

struct hpolab_results;

/* What the tuner needs of a trial only while it can still run: from its
 * suggestion until it is completed, failed or stopped (a paused trial keeps
 * it, for its resume). */
struct tuner_run {
    struct hpolab_config *config; /* owned */
    int64_t num_results;
    int64_t lines_seen;           /* stdout lines, for messages */
    struct hpolab_result last;    /* last delivered result */
    double last_resource;         /* resource_attr of the last result of
                                     the current run, or -inf */
    int32_t batch_exit;           /* exit status seen in the current batch,
                                     or -1 */
    /* --resume (tuner_resume.c) */
    int restart;                  /* start it again when the run resumes */
    int restart_is_resume;
    int64_t restart_ckpt;         /* copy_checkpoint_from of that start */
    double journaled_resource;    /* resource_attr of its last journaled
                                     result, or NaN */
    int has_floor;                /* reports up to resume_floor are in the */
    double resume_floor;          /* journal already: dropped */
};

/* What the tuner knows of one trial: 16 bytes once it has ended (it can
 * never run again), so that a study's memory does not grow with its
 * finished trials. */
struct tuner_trial {
    struct tuner_run *run;    /* owned; NULL once the trial ended */
    int32_t status;           /* HPOLAB_TRIAL_* */
    uint8_t running;          /* counted in t->running */
    uint8_t stopped_by_tuner; /* paused or stopped by a decision */
};

/* One backend event, queued while the backend runs (plugins are never
 * re-entered). */
struct tuner_event {
    int32_t type;     /* EVENT_* */
    int64_t trial_id;
    int32_t status;   /* exit events */
    char *data;       /* owned: line text, result JSON or exit message */
    size_t len;
};

#define EVENT_LINE 0
#define EVENT_RESULT 1
#define EVENT_EXIT 2

struct hpolab_tuner {
    struct hpolab_tuner_options o;
    struct hpolab_clock clock;
    double creation_timestamp;

    /* plugin instances */
    const struct hpolab_component *sched_comp;
    const struct hpolab_component *backend_comp;
    void *sched_state;
    void *backend_state;
    struct hpolab_ctx sched_ctx;
    struct hpolab_ctx backend_ctx;
    struct hpolab_options *sched_opts;
    struct hpolab_options *searcher_opts;
    struct hpolab_options *backend_opts;
    struct hpolab_config **points; /* owned, num_points */
    uint32_t num_points;
    struct hpolab_event_sink sink;

    /* trials, indexed by id */
    struct tuner_trial *trials;
    int64_t num_trials;
    int64_t cap_trials;
    int64_t running;
    int64_t failed;
    int64_t first_failed; /* id of the first failed trial, or -1 */
    char *first_fail_message; /* owned: why it failed (the final error) */
    /* the configuration of the best trial once that trial ended (its run
     * record is gone), for the summary; NULL while the best still runs */
    struct hpolab_config *best_config; /* owned */
    struct hpolab_tuning_status status;

    /* events of the current wait */
    struct tuner_event *events;
    size_t num_events;
    size_t cap_events;
    int32_t event_error; /* out of memory while queueing */

    struct hpolab_results *results;
    double last_results_write;
    double last_results_write_mono; /* real seconds (hpolab_mono_time) */
    int results_dirty;

    int exhausted;
    int failed_abort_pending; /* more than max_failures trials failed */
    const char *stop_reason;
    int wake_pipe[2];
    volatile sig_atomic_t interrupt_level;

    struct hpolab_tuner_summary summary;
    struct tuner_journal *journal; /* owned (tuner_journal.c); NULL: off */
    struct hpolab_record last_row; /* the last row appended (owned) */
};

/* tuner_events.c */
void hpolab_tuner_init_sink(struct hpolab_tuner *t);
void hpolab_tuner_clear_events(struct hpolab_tuner *t);

/* tuner_trials.c */
struct tuner_trial *hpolab_tuner_add_trial(struct hpolab_tuner *t,
                                           struct hpolab_config *config,
                                           struct hpolab_error *err);
void hpolab_tuner_free_trials(struct hpolab_tuner *t);
/* Completed, failed or stopped: it can never run again. */
int hpolab_trial_has_ended(int32_t status);
/* Frees what an ended trial no longer needs: its run record, whose
 * configuration becomes t->best_config if it is the best (the summary shows
 * it). Call it once every callback about its end (on_trial_complete,
 * on_trial_error) has been made; no-op for a trial that has not ended. */
void hpolab_tuner_settle_trial(struct hpolab_tuner *t, int64_t id);
/* The best trial has changed from old (or -1): old's configuration, if
 * kept as t->best_config, goes. */
void hpolab_tuner_best_changed(struct hpolab_tuner *t, int64_t old);
/* The configuration of trial id while it can run, or of the best trial
 * once it ended; NULL for another ended trial. [borrowed] */
const struct hpolab_config *hpolab_tuner_trial_config(
    const struct hpolab_tuner *t, int64_t id);
/* Records message as the first failure's (the first failed trial's latest
 * message, shown if too many trials fail). */
void hpolab_tuner_note_failure(struct hpolab_tuner *t, int64_t id,
                               const char *message);
/* Row of results.csv.zip for one delivered result. */
int32_t hpolab_tuner_append_row(struct hpolab_tuner *t, int64_t trial_id,
                                const struct hpolab_result *result,
                                int32_t decision, int32_t row_status,
                                struct hpolab_error *err);
const char *hpolab_trial_status_name(int32_t status);
const char *hpolab_decision_name(int32_t decision);

/* tuner_metadata.c */
int32_t hpolab_tuner_write_metadata(struct hpolab_tuner *t,
                                    struct hpolab_error *err);

#endif
