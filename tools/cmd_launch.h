/* cmd_launch.h: what `hpolab launch`, `hpolab job`, `hpolab status` and
 * `hpolab cancel` share: finding a launched study's record, printing its
 * jobs, following it to its end, running the engines. */
#ifndef HPOLAB_TOOLS_CMD_LAUNCH_H
#define HPOLAB_TOOLS_CMD_LAUNCH_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "launch_plan.h"
#include "launch_status.h"

struct hpolab_registry;
struct hpolab_aws_client;

/* <results>/<tag>: results_dir, else $HPOLAB_RESULTS, else ~/hpolab.
 * [owned: free]; NULL on out of memory. */
char *launch_root(const char *results_dir, const char *tag);

/* Read the launch record of tag; prints the reason and returns 2 when there
 * is none (or it is unreadable), else 0. */
int launch_open(const char *command, const char *results_dir, const char *tag,
                struct hpolab_launch_plan *plan);

/* The status table and totals. */
void launch_print_table(FILE *out, const struct hpolab_launch_plan *plan,
                        const struct hpolab_launch_row *rows,
                        const struct hpolab_launch_totals *totals);
/* "4 jobs: 2 done, 1 running, ..." */
void launch_print_totals(FILE *out, const struct hpolab_launch_totals *t);
/* One line about a slice whose state changed. */
void launch_print_change(FILE *out, const struct hpolab_launch_plan *plan,
                         size_t slice, const struct hpolab_job_state *js,
                         const struct hpolab_launch_totals *totals);

/* Follow the study (status every poll_s seconds) printing every change
 * until every job ended or *stop is set. Returns 0 when all are done, 1 when
 * some failed or were cancelled, 130 when stopped. */
int launch_follow(const struct hpolab_launch_plan *plan, double poll_s,
                  volatile int *stop);

/* `hpolab launch --resume TAG ...` (cmd_launch_resume.c): argv as given to
 * hpolab launch. Returns the exit status. */
int launch_resume_command(int argc, char **argv);

/* Engines: each returns the process exit status of `hpolab launch`. */
struct launch_engine_args {
    struct hpolab_registry *registry;
    int wait;
    int64_t max_parallel;    /* 0: from CPUs/GPUs */
    int64_t cpus_per_slice;  /* local: CPUs one experiment keeps busy */
    /* slurm */
    const char *partition, *account;
    int64_t cpus_per_task, gpus;
    const char *sbatch_args; /* whitespace-separated, or NULL */
    int use_array;
    /* sagemaker */
    const char *image, *role, *instance_type, *bucket;
    const json_t *study_sagemaker; /* the study's "sagemaker" object or NULL */
    const char *study_dir;         /* the study's folder (packed) */
    const char *backend;           /* the benchmark's trial backend */
    /* hpolab launch --resume: adopted[i] nonzero: slice i's job of an
     * earlier launch still runs or is queued; it is waited for, never
     * started again (NULL: none). */
    const unsigned char *adopted;
};
int launch_run_local(struct hpolab_launch_plan *plan,
                     const struct launch_engine_args *a);
int launch_run_slurm(struct hpolab_launch_plan *plan,
                     const struct launch_engine_args *a);
/* cmd_launch_sagemaker.c: the engine, and what status and cancel do for a
 * SageMaker study (DescribeTrainingJob / StopTrainingJob; the cost). */
int launch_run_sagemaker(struct hpolab_launch_plan *plan,
                         const struct launch_engine_args *a);
/* A client for region (NULL: the default) or NULL after printing why. */
struct hpolab_aws_client *launch_sagemaker_client(const char *command,
                                                  const char *region);
/* Updates the slices' state files from SageMaker; prints a warning line on
 * failure (the table then shows what was recorded). */
void launch_sagemaker_refresh(const char *command,
                              const struct hpolab_launch_plan *plan);
/* "SageMaker: N s billable on <type> ($P/h): estimated cost $C" */
void launch_sagemaker_print_cost(FILE *out,
                                 const struct hpolab_launch_plan *plan);
/* Stops the supervisor and the jobs (only >= 0: that slice); exit status. */
int launch_cancel_sagemaker(const struct hpolab_launch_plan *plan,
                            int64_t only);

#endif
