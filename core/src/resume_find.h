/* resume_find.h: which experiment `--resume` continues, and whether it is
 * complete (hpolab run --resume, hpolab launch --resume; docs/resume.md). */
#ifndef HPOLAB_CORE_RESUME_FIND_H
#define HPOLAB_CORE_RESUME_FIND_H

#include <stdint.h>

#include "error.h"

#define HPOLAB_EXPERIMENT_NO_JOURNAL 0 /* no tuner-journal.jsonl: cannot be
                                          resumed (start it again) */
#define HPOLAB_EXPERIMENT_PARTIAL 1    /* started, not finished: resumable */
#define HPOLAB_EXPERIMENT_COMPLETE 2   /* its journal ends with "end" */

/* The state of the experiment folder dir, from the last complete line of
 * its journal (a cut last line, as a kill can leave it, is skipped). Reads
 * only the journal's tail. */
int hpolab_experiment_state(const char *dir);

/* The latest experiment folder (largest st_tuner_creation_timestamp) right
 * under results_dir whose metadata.json has this tag, benchmark, seed and
 * algorithm (method name); algorithm NULL and seed < 0 match any (the master
 * seed of a study is in every one of its experiments). *out [owned: free]
 * is NULL when there is none. */
int32_t hpolab_experiment_find_latest(const char *results_dir,
                                      const char *tag, const char *benchmark,
                                      int64_t seed, const char *algorithm,
                                      char **out, struct hpolab_error *err);

#endif
