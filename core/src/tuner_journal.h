/* tuner_journal.h: the experiment's journal, <experiment>/tuner-journal.jsonl
 * (docs/resume.md). One compact JSON line is appended (write(2), no fsync:
 * a killed process keeps the page cache) for every step the tuner takes with
 * the scheduler or a trial, before its effects leave the process (backend
 * calls, results.csv.zip writes), so that any prefix of the journal is a
 * state `hpolab run --resume` can continue from. Shared by tuner*.c only. */
#ifndef HPOLAB_CORE_TUNER_JOURNAL_H
#define HPOLAB_CORE_TUNER_JOURNAL_H

#include <hpolab/types.h>
#include <jansson.h>
#include <stdint.h>

#include "error.h"
#include "record.h"

struct hpolab_tuner;
struct hpolab_suggestion;

#define HPOLAB_JOURNAL_FILE "tuner-journal.jsonl"
#define HPOLAB_SNAPSHOT_FILE "scheduler-state.bin"
#define HPOLAB_JOURNAL_VERSION 1

/* ---- tuner_journal.c: writing ---- */

/* Opens (creates) the journal for appending and locks it (flock), so that
 * two tuners never run one experiment; a fresh journal gets its "open"
 * line. HPOLAB_ERR_STATE when another process holds the lock. */
int32_t hpolab_tuner_journal_open(struct hpolab_tuner *t,
                                  struct hpolab_error *err);
void hpolab_tuner_journal_close(struct hpolab_tuner *t);
/* The hooks: each appends one line (nothing when the journal is off).
 * A write failure is warned about once and turns the journal off. */
void hpolab_tuner_journal_suggest(struct hpolab_tuner *t, int64_t next,
                                  const struct hpolab_suggestion *s);
void hpolab_tuner_journal_add(struct hpolab_tuner *t, int64_t id);
void hpolab_tuner_journal_start(struct hpolab_tuner *t, int64_t id,
                                int is_resume, int64_t checkpoint_from,
                                const char *error);
/* After the row of this result was appended to t->results (t->last_row);
 * asked: the scheduler's on_trial_result was called; reject: why the
 * trial fails (or NULL). */
void hpolab_tuner_journal_result(struct hpolab_tuner *t, int64_t id,
                                 const struct hpolab_result *report,
                                 int asked, int32_t decision,
                                 const char *reject);
void hpolab_tuner_journal_exit(struct hpolab_tuner *t, int64_t id,
                               int32_t status, const char *message);
void hpolab_tuner_journal_abandon(struct hpolab_tuner *t, int64_t id);
void hpolab_tuner_journal_resumed(struct hpolab_tuner *t);
void hpolab_tuner_journal_end(struct hpolab_tuner *t, const char *reason);
/* After results.csv.zip was written: the scheduler's state (if its class
 * has save) to scheduler-state.bin, atomically, with the number of journal
 * lines it includes, and a "snapshot" line. */
void hpolab_tuner_journal_snapshot(struct hpolab_tuner *t);
/* Lines written so far (the next line's "n"); a resumed journal's count is
 * set once its lines are read. */
int64_t hpolab_tuner_journal_lines(const struct hpolab_tuner *t);
void hpolab_tuner_journal_set_lines(struct hpolab_tuner *t, int64_t lines);

/* Records as JSON arrays of [name, value] pairs: order, ints vs doubles,
 * NaN and infinities ({"d": "nan"}) and nested JSON ({"j": text}) survive
 * the round trip exactly. New reference / NULL on out of memory. */
json_t *hpolab_journal_record_to_json(const struct hpolab_record *rec);
int32_t hpolab_journal_record_from_json(const json_t *json,
                                        struct hpolab_record *out,
                                        struct hpolab_error *err);

/* ---- tuner_resume.c ---- */

/* Rebuilds the tuner from the journal of t->o.experiment_dir: trials,
 * results rows, the scheduler (snapshot + replay), the clock; marks the
 * trials that must run again (tuner_trial.restart). Called once the
 * backend and scheduler instances exist. */
int32_t hpolab_tuner_resume_load(struct hpolab_tuner *t,
                                 struct hpolab_error *err);
/* A report of a trial restarted by --resume whose resource attribute is not
 * beyond the last one journaled for it: already a row, to be dropped. */
int hpolab_tuner_resume_drops(struct hpolab_tuner *t, int64_t id,
                              const struct hpolab_result *report);

#endif
