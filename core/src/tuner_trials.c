/* tuner_trials.c: the tuner's table of trials and the rows it appends to
 * results.csv.zip (framework reference §2.7). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "results_table.h"
#include "tuner_internal.h"

const char *hpolab_trial_status_name(int32_t status)
{
    switch (status) {
    case HPOLAB_TRIAL_IN_PROGRESS: return "InProgress";
    case HPOLAB_TRIAL_COMPLETED: return "Completed";
    case HPOLAB_TRIAL_FAILED: return "Failed";
    case HPOLAB_TRIAL_PAUSED: return "Paused";
    case HPOLAB_TRIAL_STOPPED: return "Stopped";
    case HPOLAB_TRIAL_STOPPING: return "Stopping";
    default: return "Unknown";
    }
}

const char *hpolab_decision_name(int32_t decision)
{
    switch (decision) {
    case HPOLAB_DECISION_CONTINUE: return "CONTINUE";
    case HPOLAB_DECISION_PAUSE: return "PAUSE";
    case HPOLAB_DECISION_STOP: return "STOP";
    default: return "UNKNOWN";
    }
}

struct tuner_trial *hpolab_tuner_add_trial(struct hpolab_tuner *t,
                                           struct hpolab_config *config,
                                           struct hpolab_error *err)
{
    if (t->num_trials == t->cap_trials) {
        int64_t cap = t->cap_trials ? t->cap_trials * 2 : 64;
        struct tuner_trial *tr = realloc(t->trials, (size_t)cap * sizeof *tr);
        if (!tr) {
            hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
            return NULL;
        }
        t->trials = tr;
        t->cap_trials = cap;
    }
    struct tuner_run *run = calloc(1, sizeof *run);
    if (!run) {
        hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        return NULL;
    }
    run->config = config;
    run->batch_exit = -1;
    run->journaled_resource = NAN;
    hpolab_record_init(&run->last.rec);
    struct tuner_trial *trial = &t->trials[t->num_trials++];
    memset(trial, 0, sizeof *trial);
    trial->run = run;
    trial->status = HPOLAB_TRIAL_IN_PROGRESS;
    return trial;
}

static void free_run(struct tuner_trial *tr)
{
    if (!tr->run)
        return;
    hpolab_config_free(tr->run->config);
    hpolab_record_free(&tr->run->last.rec);
    free(tr->run);
    tr->run = NULL;
}

void hpolab_tuner_free_trials(struct hpolab_tuner *t)
{
    for (int64_t i = 0; i < t->num_trials; i++)
        free_run(&t->trials[i]);
    free(t->trials);
    t->trials = NULL;
    t->num_trials = t->cap_trials = 0;
    free(t->first_fail_message);
    t->first_fail_message = NULL;
    hpolab_config_free(t->best_config);
    t->best_config = NULL;
}

int hpolab_trial_has_ended(int32_t status)
{
    return status == HPOLAB_TRIAL_COMPLETED || status == HPOLAB_TRIAL_FAILED ||
           status == HPOLAB_TRIAL_STOPPED;
}

void hpolab_tuner_settle_trial(struct hpolab_tuner *t, int64_t id)
{
    struct tuner_trial *tr = &t->trials[id];
    if (!tr->run || tr->running || !hpolab_trial_has_ended(tr->status))
        return;
    if (t->summary.has_best && t->summary.best_trial == id) {
        hpolab_config_free(t->best_config);
        t->best_config = tr->run->config;
        tr->run->config = NULL;
    }
    free_run(tr);
}

void hpolab_tuner_best_changed(struct hpolab_tuner *t, int64_t old)
{
    if (old >= 0 && old != t->summary.best_trial) {
        hpolab_config_free(t->best_config);
        t->best_config = NULL;
    }
}

const struct hpolab_config *hpolab_tuner_trial_config(
    const struct hpolab_tuner *t, int64_t id)
{
    const struct tuner_trial *tr = &t->trials[id];
    if (tr->run)
        return tr->run->config;
    return t->summary.has_best && t->summary.best_trial == id ? t->best_config
                                                              : NULL;
}

void hpolab_tuner_note_failure(struct hpolab_tuner *t, int64_t id,
                               const char *message)
{
    if (t->first_failed >= 0 && t->first_failed != id)
        return;
    t->first_failed = id;
    char *copy = strdup(message ? message : "failed");
    if (copy) { /* out of memory: the older message stays */
        free(t->first_fail_message);
        t->first_fail_message = copy;
    }
}

int32_t hpolab_tuner_append_row(struct hpolab_tuner *t, int64_t trial_id,
                                const struct hpolab_result *result,
                                int32_t decision, int32_t row_status,
                                struct hpolab_error *err)
{
    struct hpolab_record row;
    int32_t st = hpolab_record_copy(&row, &result->rec);
    if (st != HPOLAB_OK)
        return hpolab_error_set(err, st, "out of memory");
    st |= hpolab_record_set_string(&row, "st_decision",
                                   hpolab_decision_name(decision));
    st |= hpolab_record_set_string(&row, "st_status",
                                   hpolab_trial_status_name(row_status));
    st |= hpolab_record_set_int(&row, "trial_id", trial_id);
    const struct hpolab_record *cfg = &t->trials[trial_id].run->config->rec;
    char name[512];
    for (uint32_t i = 0; i < cfg->count && st == HPOLAB_OK; i++) {
        snprintf(name, sizeof name, "config_%s", cfg->entries[i].name);
        st = hpolab_record_set(&row, name, &cfg->entries[i].value);
    }
    if (st == HPOLAB_OK && hpolab_record_index(&row, "st_tuner_time") < 0)
        st = hpolab_record_set_double(&row, "st_tuner_time",
                                      hpolab_clock_now(&t->clock));
    if (st != HPOLAB_OK) {
        hpolab_record_free(&row);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    st = hpolab_results_append(t->results, &row, err);
    /* kept for the journal's line (the table keeps only CSV text) */
    hpolab_record_free(&t->last_row);
    t->last_row = row;
    t->results_dirty = 1;
    return st;
}
