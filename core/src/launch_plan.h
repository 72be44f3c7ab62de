/* launch_plan.h: what `hpolab launch` runs: one slice (job) per (method,
 * seed) of one benchmark of a study, each running `hpolab run` for just that
 * slice with the shared master seed, its results under
 * <results>/<tag>/<method>-<seed>/<tuner name>/ (framework reference §4.1,
 * §4.2). The plan is also the launch record (launch_record.h) that `hpolab
 * status` and `hpolab cancel` read from another shell. */
#ifndef HPOLAB_CORE_LAUNCH_PLAN_H
#define HPOLAB_CORE_LAUNCH_PLAN_H

#include <hpolab/types.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Characters of the random suffix shared by the job names of one launch. */
#define HPOLAB_LAUNCH_SUFFIX_LEN 4
/* Longest job name accepted (Slurm takes more; paths and logs stay short). */
#define HPOLAB_JOB_NAME_MAX 200

struct hpolab_launch_slice {
    char *method;   /* owned */
    int64_t seed;
    char *subdir;   /* owned: "<method>-<seed>" */
    char *dir;      /* owned: <root>/<subdir>, absolute */
    char *job_name; /* owned: "<tag>-<method>-<seed>-<suffix>" */
    char **argv;    /* owned, NULL-terminated: "run", STUDY, options */
    size_t argc;
    int skipped;    /* complete results kept from an earlier launch */
    char *job_id;   /* owned; the engine's id ("12_3", "15"), or NULL */
};

struct hpolab_launch_plan {
    char *tag;        /* owned; a valid experiment tag */
    char *suffix;     /* owned; HPOLAB_LAUNCH_SUFFIX_LEN letters/digits */
    char *engine;     /* owned; "local" or "slurm" */
    char *study;      /* owned; absolute path of the study file */
    char *benchmark;  /* owned */
    char *metric;     /* owned; the objective, for best-so-far in status */
    int32_t mode;     /* HPOLAB_MODE_MIN / _MAX */
    uint32_t master_seed;
    char *root;       /* owned; <results>/<tag>, absolute */
    char *program;    /* owned; absolute path of the hpolab the jobs run */
    double budget;    /* max_wallclock_time of each experiment; < 0 none */
    int64_t time_limit; /* seconds per job (hpolab_launch_time_limit) */
    int64_t n_workers;  /* trials at once in each experiment */
    int64_t max_parallel; /* experiments at once (local engine; 0 = all) */
    double created;   /* Unix time of the launch */
    struct hpolab_launch_slice *slices; /* owned, n_slices */
    size_t n_slices;
    size_t cap_slices;
    json_t *engine_info; /* owned object: what the engine records (Slurm:
                            job ids, script, sbatch arguments) */
};

/* Zero the plan. */
void hpolab_launch_plan_init(struct hpolab_launch_plan *plan);
void hpolab_launch_plan_free(struct hpolab_launch_plan *plan);

/* Append the slice (method, seed). Its argv is
 *   run STUDY --experiment_tag TAG --benchmark B --method M --start_seed S
 *   --num_seeds S+1 --random_seed MASTER --results_dir DIR  forward...
 * (forward: [borrowed] further "--name" "value" tokens given to every
 * slice). The plan's tag, suffix, study, benchmark, root and master_seed
 * must be set. Fails (HPOLAB_ERR_INVALID) when the job name is not valid. */
int32_t hpolab_launch_plan_add(struct hpolab_launch_plan *plan,
                               const char *method, int64_t seed,
                               const char *const *forward, size_t n_forward,
                               struct hpolab_error *err);

/* Index of the slice whose subdir ("<method>-<seed>") or job name is key;
 * -1 if none. */
int64_t hpolab_launch_plan_find(const struct hpolab_launch_plan *plan,
                                const char *key);

/* A job name: 1..HPOLAB_JOB_NAME_MAX characters from [A-Za-z0-9._-], not
 * starting with '-' or '.'. The message names the offending character. */
int32_t hpolab_launch_validate_job_name(const char *name,
                                        struct hpolab_error *err);

/* HPOLAB_LAUNCH_SUFFIX_LEN random letters and digits from seed, NUL
 * terminated (out_size > HPOLAB_LAUNCH_SUFFIX_LEN). */
void hpolab_launch_suffix(uint32_t seed, char *out, size_t out_size);

/* A master seed in [0, 2^31 - 1) from /dev/urandom (time and pid if it is
 * unreadable). */
uint32_t hpolab_launch_draw_seed(void);

#endif
