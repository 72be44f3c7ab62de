/* sm_request.c: the CreateTrainingJob input of a run (reference aws.md
 * §3.3). The training container (tools/container/) runs the study's entry
 * point in "trial" mode with the configuration as `--name value`
 * arguments and --st_checkpoint_dir <ml root>/checkpoints, which SageMaker
 * restores from and syncs to the trial's CheckpointConfig.S3Uri. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sm_internal.h"

#define SM_MAX_HYPERPARAMETERS 100
#define SM_MAX_HP_VALUE 2500
#define SM_MAX_HP_KEY 256

/* One "key": "value" member, checked against SageMaker's limits. */
static int32_t add_hp(struct hpolab_ctx *ctx, struct sm_buf *hp, int *count,
                      const char *key, const char *value)
{
    if (strlen(key) > SM_MAX_HP_KEY)
        return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                "hyperparameter name '%.40s...' is longer "
                                "than SageMaker's %d characters",
                                key, SM_MAX_HP_KEY);
    if (strlen(value) > SM_MAX_HP_VALUE)
        return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                "hyperparameter '%s' has a value of %zu "
                                "characters; SageMaker takes at most %d",
                                key, strlen(value), SM_MAX_HP_VALUE);
    if (++*count > SM_MAX_HYPERPARAMETERS)
        return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                "more than %d hyperparameters (the "
                                "configuration and hpolab's own); SageMaker "
                                "takes at most %d",
                                SM_MAX_HYPERPARAMETERS,
                                SM_MAX_HYPERPARAMETERS);
    if (*count > 1)
        sm_buf_puts(hp, ",");
    sm_buf_json_str(hp, key);
    sm_buf_puts(hp, ":");
    sm_buf_json_str(hp, value);
    return HPOLAB_OK;
}

int32_t sm_request_create(const struct sm_backend *b, struct hpolab_ctx *ctx,
                          const struct hpolab_trial_job *job, char **out)
{
    *out = NULL;
    const struct hpolab_host_api *h = hpolab_host;
    const struct sm_options *o = &b->o;
    struct sm_buf r = {0};
    int count = 0;
    int32_t st;
    sm_buf_puts(&r, "{\"HyperParameters\":{");
    /* the container's trial mode (tools/container/README.md) */
    st = add_hp(ctx, &r, &count, "hpolab_mode", "trial");
    if (st == HPOLAB_OK)
        st = add_hp(ctx, &r, &count, "hpolab_entry_point", b->entry_point);
    /* the entry point's fixed "--name value" arguments first, as on the
     * local backend's command line; the configuration wins a clash */
    for (uint32_t i = b->entry_args; st == HPOLAB_OK && i + 1 < b->entry_argc;
         i += 2)
        if (h->config_index(job->config, b->entry_argv[i] + 2) < 0)
            st = add_hp(ctx, &r, &count, b->entry_argv[i] + 2,
                        b->entry_argv[i + 1]);
    uint32_t n = h->config_count(job->config);
    for (uint32_t i = 0; st == HPOLAB_OK && i < n; i++) {
        const char *name = h->config_name(job->config, i);
        const char *text = h->config_text(job->config, i);
        if (!name || !text)
            st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        else if (strncmp(name, "hpolab_", 7) == 0 ||
                 strncmp(name, "sagemaker_", 10) == 0)
            st = hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                  "hyperparameter '%s': names starting "
                                  "with hpolab_ or sagemaker_ are the "
                                  "training container's own",
                                  name);
        else
            st = add_hp(ctx, &r, &count, name, text);
    }
    if (st != HPOLAB_OK) {
        sm_buf_free(&r);
        return st;
    }
    sm_buf_puts(&r, "},\"AlgorithmSpecification\":{\"TrainingImage\":");
    sm_buf_json_str(&r, o->image);
    sm_buf_puts(&r, ",\"TrainingInputMode\":\"File\"},\"RoleArn\":");
    sm_buf_json_str(&r, o->role);
    sm_buf_puts(&r, ",\"InputDataConfig\":[{\"ChannelName\":\"code\","
                    "\"DataSource\":{\"S3DataSource\":{\"S3DataType\":"
                    "\"S3Prefix\",\"S3Uri\":");
    sm_buf_json_str(&r, b->source_uri ? b->source_uri : "");
    sm_buf_puts(&r, ",\"S3DataDistributionType\":\"FullyReplicated\"}}}]");
    sm_buf_printf(&r, ",\"OutputDataConfig\":{\"S3OutputPath\":"
                      "\"s3://%s/%s/%lld/output/\"}",
                  b->bucket, b->prefix, (long long)job->trial_id);
    sm_buf_puts(&r, ",\"ResourceConfig\":{\"InstanceType\":");
    sm_buf_json_str(&r, o->instance_type);
    sm_buf_printf(&r, ",\"InstanceCount\":%lld,\"VolumeSizeInGB\":%lld}",
                  (long long)o->instance_count, (long long)o->volume_size_gb);
    sm_buf_printf(&r, ",\"StoppingCondition\":{\"MaxRuntimeInSeconds\":%lld}",
                  (long long)o->max_run);
    char *ck = sm_checkpoint_uri(b, job->trial_id);
    sm_buf_puts(&r, ",\"CheckpointConfig\":{\"S3Uri\":");
    sm_buf_json_str(&r, ck ? ck : "");
    sm_buf_puts(&r, ",\"LocalPath\":\"/opt/ml/checkpoints\"}");
    int ck_ok = ck != NULL;
    free(ck);
    /* what Syne Tune's reporter reads for st_worker_cost (framework
     * §1.7); as environment, not hyperparameters, so the script gets no
     * arguments it does not know */
    sm_buf_puts(&r, ",\"Environment\":{\"SM_HP_ST_INSTANCE_TYPE\":");
    sm_buf_json_str(&r, o->instance_type);
    sm_buf_puts(&r, ",\"SM_HP_ST_INSTANCE_COUNT\":");
    sm_buf_printf(&r, "\"%lld\"", (long long)o->instance_count);
    const char *region = b->aws->region(b->session);
    if (region) {
        sm_buf_puts(&r, ",\"AWS_DEFAULT_REGION\":");
        sm_buf_json_str(&r, region);
    }
    sm_buf_puts(&r, "}");
    sm_buf_puts(&r, ",\"Tags\":[{\"Key\":\"hpolab:experiment\",\"Value\":");
    sm_buf_json_str(&r, b->tuner_name);
    sm_buf_printf(&r, "},{\"Key\":\"hpolab:trial_id\",\"Value\":\"%lld\"}",
                  (long long)job->trial_id);
    if (b->tag) {
        sm_buf_puts(&r, ",{\"Key\":\"hpolab:tag\",\"Value\":");
        sm_buf_json_str(&r, b->tag);
        sm_buf_puts(&r, "}");
    }
    sm_buf_puts(&r, "]}");
    if (r.oom || !ck_ok) {
        sm_buf_free(&r);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    *out = r.data;
    return HPOLAB_OK;
}

char *sm_request_with_name(const char *input, const char *name)
{
    struct sm_buf r = {0};
    sm_buf_puts(&r, "{\"TrainingJobName\":");
    sm_buf_json_str(&r, name);
    sm_buf_puts(&r, ",");
    sm_buf_puts(&r, input + 1); /* input is "{...}" with members */
    if (r.oom) {
        sm_buf_free(&r);
        return NULL;
    }
    return r.data;
}
