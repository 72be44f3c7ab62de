/* tuner.h: one experiment (benchmark x method x seed): the event-driven loop
 * that asks the scheduler what to run, starts trials on the backend, feeds
 * every reported result back, and writes metadata.json and results.csv.zip in
 * Syne Tune's layout (framework reference §2). It waits on backend events
 * with a timeout and never sleeps for a fixed time. */
#ifndef HPOLAB_CORE_TUNER_H
#define HPOLAB_CORE_TUNER_H

#include <hpolab/types.h>
#include <jansson.h>

#include "error.h"
#include "stop_criterion.h"

struct hpolab_registry;
struct hpolab_space;
struct hpolab_config;
struct hpolab_tuner;

/* A snapshot for progress displays. */
struct hpolab_tuner_progress {
    double elapsed;        /* seconds since tuning started */
    double budget;         /* max_wallclock_time, or < 0 */
    int64_t running;
    int64_t started;
    int64_t finished;      /* completed + stopped + failed */
    int64_t failed;
    int64_t evaluations;   /* results processed */
    int has_best;
    double best;           /* best metric value so far (in its mode) */
    int64_t best_trial;
    int final;             /* 1 on the last call */
};

/* Called from the tuner loop [tuner-thread] after each batch of events and
 * about once a second while waiting; [borrowed] for the call. */
typedef void (*hpolab_progress_fn)(const struct hpolab_tuner_progress *p,
                                   void *user);

/* Everything an experiment needs. Pointers are [borrowed] for the life of
 * the tuner. */
struct hpolab_tuner_options {
    struct hpolab_registry *registry;
    const char *experiment_dir;   /* created if missing */
    const char *where;            /* prefix for option messages, e.g. the
                                     study file name */
    /* benchmark */
    const char *const *entry_argv;
    uint32_t entry_argc;
    const char *working_dir;
    const struct hpolab_space *space;
    const char *metric;
    int32_t mode;
    const char *resource_attr;     /* or NULL */
    const char *max_resource_attr; /* or NULL */
    int32_t n_workers;
    int64_t max_failures;          /* abort once more than this many failed */
    const json_t *points_to_evaluate; /* array of objects, or NULL */
    struct hpolab_stop_criterion *stop; /* the tuner updates its running
                                           metric min/max */
    /* method */
    const char *method_name;       /* for option messages */
    const char *scheduler;
    const char *searcher;
    const json_t *scheduler_options; /* objects or NULL */
    const json_t *searcher_options;
    uint32_t random_seed;          /* the experiment's effective seed */
    /* backend */
    const char *backend;
    const json_t *backend_options;
    const char *benchmark_name;    /* for option messages */
    /* results */
    const json_t *metadata;        /* user metadata, written first, in order */
    const char *entrypoint_stem;   /* metadata "entrypoint" */
    double results_update_interval; /* seconds between results rewrites */
    double stop_grace_period;      /* SIGTERM -> SIGKILL when tuning ends */
    hpolab_progress_fn progress;   /* or NULL */
    void *progress_user;
};

struct hpolab_tuner_summary {
    int64_t trials_started;
    int64_t trials_completed;
    int64_t trials_failed;
    int64_t trials_stopped;
    int64_t evaluations;
    double elapsed;
    int has_best;
    double best;
    int64_t best_trial;
    char *best_config_json;  /* owned by the tuner; NULL when no best */
    const char *stop_reason; /* static text, e.g. "max_wallclock_time",
                                "configuration space exhausted",
                                "interrupted" */
};

/* *out [owned: hpolab_tuner_destroy]. Validates options but starts nothing. */
int32_t hpolab_tuner_create(const struct hpolab_tuner_options *opts,
                            struct hpolab_tuner **out,
                            struct hpolab_error *err);
/* Everything hpolab_tuner_create checks, plus the scheduler and searcher
 * instances created once (their options read, then destroyed), without
 * touching the file system or starting the backend: run it for each method
 * before the first experiment so that a bad option stops the study before
 * any trial starts. */
int32_t hpolab_tuner_check(const struct hpolab_tuner_options *opts,
                           struct hpolab_error *err);
/* Runs the experiment to its end. Returns HPOLAB_OK when it ended normally
 * (any stop criterion, exhausted space), HPOLAB_ERR_INTERRUPTED after
 * hpolab_tuner_interrupt, HPOLAB_ERR_PROCESS when more than max_failures
 * trials failed (err shows the failed trial's message), another error when
 * a plugin or the results folder failed. In every case every trial's process
 * is stopped and results.csv.zip holds every result received. */
int32_t hpolab_tuner_run(struct hpolab_tuner *t, struct hpolab_error *err);
/* Async-signal-safe: ask the tuner to stop (hard = 0: stop trials with the
 * grace period; hard != 0: kill them at once). */
void hpolab_tuner_interrupt(struct hpolab_tuner *t, int hard);
/* [borrowed] valid until hpolab_tuner_destroy. */
const struct hpolab_tuner_summary *
hpolab_tuner_summary(const struct hpolab_tuner *t);
void hpolab_tuner_destroy(struct hpolab_tuner *t);

#endif
