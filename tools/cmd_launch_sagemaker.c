/* cmd_launch_sagemaker.c: `hpolab launch --engine sagemaker` (issue 8 item
 * 3; framework reference §4): checks the settings, packs and uploads the
 * study folder, then a supervisor (this process with --wait, else a
 * background child logging to <root>/launch.log) submits one training job
 * per slice through launch_sagemaker.h and follows them. `hpolab status`
 * and `hpolab cancel` of such a study: cmd_launch_sagemaker_status.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws_s3.h"
#include "aws_s3_sync.h"
#include "aws_sagemaker.h"
#include "aws_sts.h"
#include "clock.h"
#include "cmd_launch.h"
#include "fsutil.h"
#include "launch_record.h"
#include "launch_sagemaker.h"
#include "launch_state.h"
#include "launch_supervisor.h"
#include "pack_dir.h"

static double env_seconds(const char *name, double def)
{
    const char *v = getenv(name);
    char *end;
    double d = v ? strtod(v, &end) : def;
    return v && (end == v || *end || d < 0) ? def : d;
}

/* flag > study's "sagemaker" member > fallback */
static const char *setting(const char *flag, const json_t *study,
                           const char *key, const char *fallback)
{
    if (flag && flag[0])
        return flag;
    const char *s = json_string_value(json_object_get(study, key));
    return s && s[0] ? s : fallback;
}

static void on_note(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "hpolab launch: %s\n", line);
}

/* The supervisor's work; returns the exit status. */
static int supervise(struct hpolab_launch_plan *plan,
                     struct hpolab_sm_engine *e)
{
    double start = hpolab_wall_time();
    struct launch_progress prog;
    if (launch_progress_init(&prog, plan) != 0)
        return 1;
    e->wake_fd = launch_wake_fd();
    e->cancel = &launch_cancel_flag;
    e->on_change = launch_progress_on_change;
    e->on_note = on_note;
    e->user = &prog;
    struct hpolab_error err;
    int32_t st = hpolab_sm_engine_run(plan, e, &err);
    int rc = launch_progress_finish(&prog, st, &err);
    launch_sagemaker_print_cost(stdout, plan);
    printf("results: s3://%s/%s/%s/ (hpolab sync %s --bucket %s)\n",
           e->bucket, HPOLAB_S3_ROOT, plan->tag, plan->tag, e->bucket);
    fflush(stdout);
    launch_write_supervisor(plan, launch_supervisor_final_state(rc), start);
    launch_progress_free(&prog);
    return rc;
}

static int supervise_cb(struct hpolab_launch_plan *plan, void *user)
{
    return supervise(plan, user);
}

/* Packs the study folder and uploads it as <code_uri>study.tar.gz. */
static int upload_code(struct hpolab_aws_client *c, const char *bucket,
                       const struct hpolab_launch_plan *plan,
                       const char *study_dir, const char *code_key)
{
    char *tgz = hpolab_path_join(plan->root, "code.tar.gz");
    struct hpolab_error err;
    size_t n = 0;
    /* the results folder may sit inside the study folder: not packed */
    int rc = 0;
    if (!tgz || hpolab_pack_dir_targz(study_dir, plan->root, tgz, &n, &err) !=
                    HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: packing %s: %s\n", study_dir,
                tgz ? err.message : "out of memory");
        rc = 1;
    } else if (hpolab_s3_put_file(c, bucket, code_key, tgz, NULL, NULL, &err) !=
               HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: uploading the study: %s\n",
                err.message);
        rc = 1;
    } else {
        printf("  study folder %s packed (%zu files) and uploaded to "
               "s3://%s/%s\n",
               study_dir, n, bucket, code_key);
    }
    if (tgz)
        unlink(tgz);
    free(tgz);
    return rc;
}

/* The launch stopped before any job was submitted: its slices say so
 * (else they would look pending, and block the next launch of the tag). */
static void abandon(const struct hpolab_launch_plan *plan)
{
    for (size_t i = 0; i < plan->n_slices; i++) {
        if (plan->slices[i].skipped)
            continue;
        struct hpolab_job_state js;
        hpolab_job_state_init(&js);
        js.state = HPOLAB_SLICE_CANCELLED;
        js.end = hpolab_wall_time();
        snprintf(js.message, sizeof js.message,
                 "never submitted: the launch failed before");
        char path[4200];
        struct hpolab_error err;
        snprintf(path, sizeof path, "%s/%s", plan->slices[i].dir,
                 HPOLAB_JOB_STATE_NAME);
        if (hpolab_mkdir_p(plan->slices[i].dir, &err) == HPOLAB_OK)
            hpolab_job_state_write(path, &js, &err);
    }
}

static int run_sagemaker(struct hpolab_launch_plan *plan,
                         const struct launch_engine_args *a, int *started);

int launch_run_sagemaker(struct hpolab_launch_plan *plan,
                         const struct launch_engine_args *a)
{
    int started = 0;
    int rc = run_sagemaker(plan, a, &started);
    if (!started)
        abandon(plan);
    return rc;
}

static int run_sagemaker(struct hpolab_launch_plan *plan,
                         const struct launch_engine_args *a, int *started)
{
    const json_t *sj = a->study_sagemaker;
    const char *image = setting(a->image, sj, "image", NULL);
    const char *role = setting(a->role, NULL, NULL, getenv("AWS_ROLE"));
    role = setting(role, sj, "role", NULL);
    const char *type = setting(a->instance_type, sj, "instance_type",
                               HPOLAB_SM_DEFAULT_INSTANCE);
    if (!image) {
        fprintf(stderr, "hpolab launch: --engine sagemaker needs the training "
                        "image: set --image <ECR image URI> or \"sagemaker\": "
                        "{\"image\": ...} in the study (tools/container/"
                        "README.md builds it)\n");
        return 2;
    }
    if (!role) {
        fprintf(stderr, "hpolab launch: --engine sagemaker needs the "
                        "execution role: set --role <role ARN>, AWS_ROLE, or "
                        "\"sagemaker\": {\"role\": ...} in the study\n");
        return 2;
    }
    struct hpolab_error err;
    for (size_t i = 0; i < plan->n_slices; i++)
        if (hpolab_sm_validate_name(plan->slices[i].job_name, &err) !=
            HPOLAB_OK) {
            fprintf(stderr, "hpolab launch: %s (job names are "
                            "<tag>-<method>-<seed>-<suffix>; choose a "
                            "shorter --experiment_tag or method names of "
                            "letters, digits and '-')\n",
                    err.message);
            return 2;
        }
    const struct hpolab_sm_instance *in = hpolab_sm_instance_find(type);
    if (!in)
        printf("  note: instance type %s is not in hpolab's table; no cost "
               "estimate (HPOLAB_SAGEMAKER_PRICES adds it)\n",
               type);
    else if (in->gpus > 0 && plan->n_workers > in->gpus && a->backend &&
             strcmp(a->backend, "local") == 0)
        printf("  warning: n_workers %lld exceeds the %d GPU(s) of %s: the "
               "local backend inside each job will share GPUs between "
               "trials\n",
               (long long)plan->n_workers, in->gpus, type);

    struct hpolab_aws_client *c = launch_sagemaker_client("hpolab launch", NULL);
    if (!c)
        return 2;
    int rc = 0;
    char *bucket = NULL;
    const char *b = setting(a->bucket, sj, "bucket", getenv("HPOLAB_S3_BUCKET"));
    if (b)
        bucket = strdup(b);
    else if (hpolab_aws_default_bucket(c, &bucket, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: the default bucket: %s (or set "
                        "--bucket)\n",
                err.message);
        rc = 2;
        goto out;
    }
    const char *study_base = strrchr(plan->study, '/');
    study_base = study_base ? study_base + 1 : plan->study;
    char code_key[1024], code_uri[1200];
    snprintf(code_key, sizeof code_key, "%s/%s/code-%s/study.tar.gz",
             HPOLAB_S3_ROOT, plan->tag, plan->suffix);
    snprintf(code_uri, sizeof code_uri, "s3://%s/%s/%s/code-%s/", bucket,
             HPOLAB_S3_ROOT, plan->tag, plan->suffix);
    printf("sagemaker engine: %s on %s in %s, bucket %s, %s\n", image, type,
           hpolab_aws_client_region(c), bucket,
           a->max_parallel > 0 ? "" : "all jobs at once");
    if (a->max_parallel > 0)
        printf("  at most %lld job(s) in flight\n", (long long)a->max_parallel);
    /* SageMaker reads and writes the bucket from the jobs' region: a
     * bucket elsewhere is refused before anything is uploaded (the probe
     * learns its region from S3's redirect) */
    struct hpolab_s3_object probe;
    memset(&probe, 0, sizeof probe);
    int32_t hs = hpolab_s3_head(c, bucket, code_key, &probe, &err);
    hpolab_s3_object_free(&probe);
    const char *br = hpolab_aws_client_bucket_region(c, bucket);
    if (br && strcmp(br, hpolab_aws_client_region(c)) != 0) {
        fprintf(stderr, "hpolab launch: bucket %s is in %s but the jobs run "
                        "in %s: set --bucket to a bucket in %s, or "
                        "AWS_REGION=%s\n",
                bucket, br, hpolab_aws_client_region(c),
                hpolab_aws_client_region(c), br);
        rc = 2;
        goto out;
    }
    if (hs != HPOLAB_OK && hs != HPOLAB_ERR_NOT_FOUND) {
        fprintf(stderr, "hpolab launch: bucket %s: %s\n", bucket, err.message);
        rc = 2;
        goto out;
    }
    if ((rc = upload_code(c, bucket, plan, a->study_dir, code_key)) != 0)
        goto out;
    plan->max_parallel = a->max_parallel;
    json_decref(plan->engine_info);
    plan->engine_info = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s}", "bucket", bucket, "region",
        hpolab_aws_client_region(c), "image", image, "role", role,
        "instance_type", type, "code_uri", code_uri);
    if (!plan->engine_info ||
        hpolab_launch_record_write(plan, &err) != HPOLAB_OK) {
        fprintf(stderr, "hpolab launch: %s\n",
                plan->engine_info ? err.message : "out of memory");
        rc = 1;
        goto out;
    }
    fflush(stdout);
    *started = 1;
    struct hpolab_sm_engine e = {
        .client = c, .bucket = bucket, .image = image, .role = role,
        .instance_type = type, .code_uri = code_uri, .study_rel = study_base,
        .max_parallel = a->max_parallel,
        .poll_s = env_seconds("HPOLAB_SM_POLL_S", 30.0),
        .backoff_s = env_seconds("HPOLAB_SM_BACKOFF_S", 60.0),
        .max_limit_tries = 100, .wake_fd = -1};
    if (!a->wait)
        rc = launch_background(plan, supervise_cb, &e);
    else if (launch_install_signals() != 0 ||
             launch_write_supervisor(plan, HPOLAB_SLICE_RUNNING,
                                     hpolab_wall_time()) != 0)
        rc = 1;
    else
        rc = supervise(plan, &e);
out:
    free(bucket);
    hpolab_aws_client_free(c);
    return rc;
}

