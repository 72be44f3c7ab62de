/* launch_state.h: the state file of one launched job, <slice dir>/job.json,
 * written atomically by whoever knows: the job itself (`hpolab job`: running,
 * then done / failed / cancelled with its exit code), the local engine (a job
 * that could not start or died without a word) and `hpolab cancel` (jobs
 * cancelled before they started). The local engine's supervisor keeps the
 * same kind of file as <results>/<tag>/supervisor.json. Status never has to
 * ask a scheduler about a job that wrote its final state. */
#ifndef HPOLAB_CORE_LAUNCH_STATE_H
#define HPOLAB_CORE_LAUNCH_STATE_H

#include <stdint.h>

#include "error.h"

#define HPOLAB_SLICE_PENDING 0
#define HPOLAB_SLICE_RUNNING 1
#define HPOLAB_SLICE_DONE 2
#define HPOLAB_SLICE_FAILED 3
#define HPOLAB_SLICE_CANCELLED 4
#define HPOLAB_SLICE_UNKNOWN 5
#define HPOLAB_SLICE_STATE_COUNT 6

#define HPOLAB_JOB_STATE_NAME "job.json"
#define HPOLAB_SUPERVISOR_STATE_NAME "supervisor.json"

struct hpolab_job_state {
    int32_t state;      /* HPOLAB_SLICE_* */
    double start, end;  /* Unix times; 0 when unknown */
    int32_t exit_code;  /* -1 when unknown */
    int64_t pid;        /* the job's process on host; 0 when unknown */
    uint64_t pid_start; /* its start time (clock ticks after boot), which
                           tells it from a later process with the same pid */
    char host[256];
    char job_id[64];    /* the engine's id, "" when none */
    char message[1024]; /* why it failed or was cancelled, "" when none */
};

/* "pending", "running", "done", "failed", "cancelled", "unknown". */
const char *hpolab_slice_state_name(int32_t state);
/* 1 for done, failed and cancelled. */
int hpolab_slice_state_is_final(int32_t state);

/* Zeroed, state pending, exit_code -1. */
void hpolab_job_state_init(struct hpolab_job_state *s);
/* A missing file is HPOLAB_ERR_NOT_FOUND (*s initialised). */
int32_t hpolab_job_state_read(const char *path, struct hpolab_job_state *s,
                              struct hpolab_error *err);
int32_t hpolab_job_state_write(const char *path,
                               const struct hpolab_job_state *s,
                               struct hpolab_error *err);
/* Fill pid, pid_start and host with this process's. */
void hpolab_job_state_set_self(struct hpolab_job_state *s);

/* Start time of process pid in clock ticks after boot (/proc/PID/stat field
 * 22); 0 if there is no such process (or it is a zombie). */
uint64_t hpolab_process_start_ticks(int64_t pid);
/* Does the process the state names still run, here? 0 when it ran on
 * another host (unknowable) or when pid is 0; -1 when unknowable. */
int hpolab_job_state_process_alive(const struct hpolab_job_state *s);

#endif
