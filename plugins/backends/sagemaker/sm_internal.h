/* sm_internal.h: state of the sagemaker backend shared by its files.
 *
 *   sagemaker.c   the class: create/destroy, start/stop, wait_events
 *   sm_options.c  options, the experiment's tag and name, S3 prefixes
 *   sm_name.c     training job names (<tuner name>-<trial id>[-r<k>])
 *   sm_request.c  the CreateTrainingJob input
 *   sm_jobs.c     one run = one training job: create (with backoff on
 *                 ResourceLimitExceeded), describe, stop, end
 *   sm_logs.c     CloudWatch Logs: the job's stream, GetLogEvents, lines
 *   sm_s3.c       study source upload, checkpoint prefix copy
 *   sm_json.c     JSON parser and builder (no jansson in plugins)
 *
 * A "run" is one start (or resume) of a trial: one training job. It stays in
 * the list until SageMaker says the job ended (Completed, Failed, Stopped)
 * and its log stream is read to the end, so a resume can wait for it. */
#ifndef HPOLAB_SM_INTERNAL_H
#define HPOLAB_SM_INTERNAL_H

#include <hpolab/ext_aws.h>
#include <hpolab/hpolab.h>
#include <stddef.h>
#include <stdint.h>

#include "sm_json.h"

#define SM_JOB_NAME_MAX 63
#define SM_LOG_GROUP "/aws/sagemaker/TrainingJobs"

/* run states */
#define SM_RUN_WAITING 0 /* not created: an older run of the trial has not
                            ended, or ResourceLimitExceeded backoff */
#define SM_RUN_ACTIVE 1  /* created; described and its logs read */
#define SM_RUN_DRAINING 2 /* SageMaker says it ended; logs read to the end */
#define SM_RUN_DONE 3    /* ended and reported (or dropped): to be freed */

struct sm_run {
    int64_t trial_id;
    int resume;              /* 0 for the first start, k for the k-th resume */
    int state;               /* SM_RUN_* */
    int stopped;             /* stop_trial/stop_all: emit nothing more */
    int stop_sent;           /* StopTrainingJob was called */
    double stop_at;          /* monotonic time to send StopTrainingJob (a
                                pause's grace), 0: none */
    char name[SM_JOB_NAME_MAX + 1];
    char *trial_dir;         /* owned */
    char *create_input;      /* owned: CreateTrainingJob input without the
                                name (added per attempt) */
    char *copy_from_uri;     /* owned: checkpoint prefix to copy before
                                creating, or NULL */
    int create_attempts;
    int taken;               /* ResourceInUse answers: name suffix -a<n> */
    double next_create_at;   /* monotonic */
    double next_describe_at;
    double next_logs_at;
    int poll_failures;       /* describe/log calls failed in a row */
    char *stream;            /* owned: the log stream, NULL until found */
    char *log_token;         /* owned: nextForwardToken */
    char status[24];         /* last TrainingJobStatus */
    char *failure;           /* owned: FailureReason or why it ended */
    int end_status;          /* HPOLAB_TRIAL_COMPLETED / _FAILED */
    int out_fd;              /* <trial_dir>/std.out (append), -1 if none */
    struct sm_run *next;
};

struct sm_options {
    const char *role;          /* [borrowed from options or env] */
    const char *image;
    const char *instance_type;
    int64_t instance_count;
    int64_t volume_size_gb;
    int64_t max_run;           /* MaxRuntimeInSeconds */
    const char *bucket;        /* NULL: the default bucket */
    const char *s3_prefix;     /* NULL: hpolab/<tag>/<experiment> */
    const char *profile, *region;
    const char *source_dir;    /* NULL: the study folder */
    double describe_interval;  /* s between Describes of one job */
    double log_interval;       /* s between GetLogEvents of one job */
    double max_calls_per_second; /* Describe + logs calls, all jobs */
    double create_backoff;     /* s after ResourceLimitExceeded */
    int64_t max_create_attempts;
    double pause_grace;        /* s a paused job may end by itself */
    int64_t max_poll_failures; /* failed polls in a row before giving up */
};

struct sm_backend {
    const struct hpolab_ext_aws_v1 *aws;
    struct hpolab_aws_session *session; /* owned */
    struct sm_options o;
    const char *experiment_dir;
    const char *working_dir;
    uint32_t entry_argc;
    const char *const *entry_argv;
    int wake_fd;
    int n_workers;
    char *tuner_name;   /* owned: basename of the experiment folder */
    char *tag;          /* owned: metadata.json's tag, or NULL */
    char *bucket;       /* owned */
    char *prefix;       /* owned: s3 key prefix of the experiment, no '/'
                           at either end */
    char *source_uri;   /* owned: s3://.../source/sourcedir.tar.gz, NULL
                           until uploaded */
    char *entry_point;  /* owned: the training script, relative to the
                           study source (hyperparameter hpolab_entry_point) */
    uint32_t entry_args; /* index in entry_argv of its fixed arguments
                            ("--name value" pairs, passed as hyperparameters
                            before the configuration) */
    struct sm_run *runs;
    int *resumes;       /* owned: per trial id, the last resume index
                           started (-1: none) */
    size_t n_resumes;
    double next_call_at; /* the rate limit of polling calls */
    int32_t emit_status; /* first failing emit_* */
    char why[2048];      /* the message of the last failure: a plugin cannot
                            read a ctx, and failures found in wait_events
                            become a trial's error text */
};

/* ---- sagemaker.c ---- */
/* Set the error on ctx and keep its text in b->why; returns st. */
int32_t sm_fail(struct sm_backend *b, struct hpolab_ctx *ctx, int32_t st,
                const char *fmt, ...) HPOLAB_PRINTF(4, 5);
/* After a failed extension call: its message (already on ctx) into
 * b->why; returns st. */
int32_t sm_aws_failed(struct sm_backend *b, int32_t st);

/* ---- sm_options.c ---- */
int32_t sm_options_read(struct hpolab_ctx *ctx,
                        const struct hpolab_options *opts,
                        struct sm_options *o);
/* tuner_name and tag (needs experiment_dir). */
int32_t sm_experiment_names(struct hpolab_ctx *ctx, struct sm_backend *b);
/* entry_point and entry_args (needs working_dir and the entry); fails
 * naming an entry point the training container cannot run. */
int32_t sm_entry_point(struct hpolab_ctx *ctx, struct sm_backend *b);
/* "s3://<bucket>/<prefix>/<trial_id>/checkpoints/", [owned: free]. */
char *sm_checkpoint_uri(const struct sm_backend *b, int64_t trial_id);
double sm_monotonic(void);

/* ---- sm_name.c ---- */
/* The job name for a run: <tuner_name>-<trial_id>, "-r<k>" for the k-th
 * resume, "-a<n>" when the name was taken n times (a resumed experiment);
 * too long: the tuner name is cut and a hash of it appended, so names stay
 * distinct. Characters outside [a-zA-Z0-9-] become '-', leading and
 * trailing '-' are dropped. out has SM_JOB_NAME_MAX + 1 bytes. Returns 0,
 * or -1 when no valid name can be made (then out holds why). */
int sm_job_name(const char *tuner_name, int64_t trial_id, int resume,
                int taken, char *out);
/* 1 if name matches [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}. */
int sm_job_name_valid(const char *name);

/* ---- sm_request.c ---- */
/* The CreateTrainingJob input (JSON object text without TrainingJobName;
 * sm_request_with_name adds it, [owned: free] or NULL when out of memory).
 * *out [owned: free]. Fails naming a hyperparameter SageMaker would
 * refuse (more than 100, a value over 2500 characters). */
int32_t sm_request_create(const struct sm_backend *b,
                          struct hpolab_ctx *ctx,
                          const struct hpolab_trial_job *job, char **out);
char *sm_request_with_name(const char *input, const char *name);

/* ---- sm_jobs.c ---- */
/* Create the run's job (copying its checkpoint prefix first). OK also when
 * creation is postponed (ResourceLimitExceeded); another error fails the
 * run. */
int32_t sm_job_create(struct sm_backend *b, struct hpolab_ctx *ctx,
                      struct sm_run *run);
/* Describe the job; moves it to DRAINING when it ended. */
int32_t sm_job_describe(struct sm_backend *b, struct hpolab_ctx *ctx,
                        struct sm_run *run);
/* StopTrainingJob; errors only logged (a job that ended cannot be
 * stopped). */
void sm_job_stop(struct sm_backend *b, struct hpolab_ctx *ctx,
                 struct sm_run *run);
/* One round over every run: what is due is done; *emitted is set when
 * something reached the host. Returns the monotonic time of the next due
 * work (or a large value). */
double sm_jobs_round(struct sm_backend *b, struct hpolab_ctx *ctx,
                     int *emitted);
void sm_run_free(struct sm_run *run);
struct sm_run *sm_run_find_latest(const struct sm_backend *b,
                                  int64_t trial_id);
int32_t sm_note_emit(struct sm_backend *b, int32_t st);

/* ---- sm_logs.c ---- */
/* Read what the job's log stream has beyond the token, emitting each
 * event as a line (unless the run is stopped). *more: a full page came
 * (call again). */
int32_t sm_logs_read(struct sm_backend *b, struct hpolab_ctx *ctx,
                     struct sm_run *run, int *emitted, int *more);

/* ---- sm_s3.c ---- */
/* Pack and upload the study source once (source_uri set). */
int32_t sm_upload_source(struct sm_backend *b, struct hpolab_ctx *ctx);
/* Copy every object under from_uri to to_uri (both ending in '/'). */
int32_t sm_copy_prefix(struct sm_backend *b, struct hpolab_ctx *ctx,
                       const char *from_uri, const char *to_uri);

#endif
