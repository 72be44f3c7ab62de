/* sm_options.c: the backend's options (README.md), the names the
 * experiment gives its jobs and S3 keys, and the entry point as the
 * training container sees it (paths relative to the study source). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sm_internal.h"

double sm_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int32_t opt_str(struct hpolab_ctx *ctx,
                       const struct hpolab_options *opts, const char *name,
                       const char *env, const char **out)
{
    const char *e = env ? getenv(env) : NULL;
    return hpolab_host->option_string(ctx, opts, name,
                                      e && e[0] ? e : NULL, out);
}

static int32_t range(struct hpolab_ctx *ctx, const char *name, double v,
                     double lo, double hi)
{
    if (v >= lo && v <= hi)
        return HPOLAB_OK;
    return hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                            "%s must be between %g and %g, got %g", name, lo,
                            hi, v);
}

int32_t sm_options_read(struct hpolab_ctx *ctx,
                        const struct hpolab_options *opts,
                        struct sm_options *o)
{
    const struct hpolab_host_api *h = hpolab_host;
    int32_t st = opt_str(ctx, opts, "role", "AWS_ROLE", &o->role);
    if (st == HPOLAB_OK)
        st = opt_str(ctx, opts, "image", "HPOLAB_SAGEMAKER_IMAGE",
                     &o->image);
    if (st == HPOLAB_OK)
        st = h->option_string(ctx, opts, "instance_type", "ml.c5.xlarge",
                              &o->instance_type);
    if (st == HPOLAB_OK)
        st = h->option_int(ctx, opts, "instance_count", 1,
                           &o->instance_count);
    if (st == HPOLAB_OK)
        st = h->option_int(ctx, opts, "volume_size_gb", 30,
                           &o->volume_size_gb);
    if (st == HPOLAB_OK)
        st = h->option_int(ctx, opts, "max_run", 72 * 3600, &o->max_run);
    if (st == HPOLAB_OK)
        st = opt_str(ctx, opts, "bucket", "HPOLAB_S3_BUCKET", &o->bucket);
    if (st == HPOLAB_OK)
        st = h->option_string(ctx, opts, "s3_prefix", NULL, &o->s3_prefix);
    if (st == HPOLAB_OK)
        st = h->option_string(ctx, opts, "profile", NULL, &o->profile);
    if (st == HPOLAB_OK)
        st = h->option_string(ctx, opts, "region", NULL, &o->region);
    if (st == HPOLAB_OK)
        st = h->option_string(ctx, opts, "source_dir", NULL, &o->source_dir);
    if (st == HPOLAB_OK)
        st = h->option_double(ctx, opts, "describe_interval", 15.0,
                              &o->describe_interval);
    if (st == HPOLAB_OK)
        st = h->option_double(ctx, opts, "log_interval", 5.0,
                              &o->log_interval);
    if (st == HPOLAB_OK)
        st = h->option_double(ctx, opts, "max_calls_per_second", 4.0,
                              &o->max_calls_per_second);
    if (st == HPOLAB_OK)
        st = h->option_double(ctx, opts, "create_backoff", 60.0,
                              &o->create_backoff);
    if (st == HPOLAB_OK)
        st = h->option_int(ctx, opts, "max_create_attempts", 100,
                           &o->max_create_attempts);
    if (st == HPOLAB_OK)
        st = h->option_double(ctx, opts, "pause_grace_period", 30.0,
                              &o->pause_grace);
    if (st == HPOLAB_OK)
        st = h->option_int(ctx, opts, "max_poll_failures", 20,
                           &o->max_poll_failures);
    if (st != HPOLAB_OK)
        return st;
    if (!o->role || !o->role[0])
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "no SageMaker execution role: set the "
                                "backend option role or AWS_ROLE (an IAM "
                                "role ARN, arn:aws:iam::<account>:role/...)");
    if (!o->image || !o->image[0])
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "no training image: set the backend option "
                                "image or HPOLAB_SAGEMAKER_IMAGE (the hpolab "
                                "container, tools/container/README.md)");
    if ((st = range(ctx, "instance_count", (double)o->instance_count, 1,
                    100)) != HPOLAB_OK ||
        (st = range(ctx, "volume_size_gb", (double)o->volume_size_gb, 1,
                    16384)) != HPOLAB_OK ||
        (st = range(ctx, "max_run", (double)o->max_run, 1, 28 * 86400)) !=
            HPOLAB_OK ||
        (st = range(ctx, "describe_interval", o->describe_interval, 0.01,
                    3600)) != HPOLAB_OK ||
        (st = range(ctx, "log_interval", o->log_interval, 0.01, 3600)) !=
            HPOLAB_OK ||
        (st = range(ctx, "max_calls_per_second", o->max_calls_per_second,
                    0.01, 1000)) != HPOLAB_OK ||
        (st = range(ctx, "create_backoff", o->create_backoff, 0, 86400)) !=
            HPOLAB_OK ||
        (st = range(ctx, "max_create_attempts",
                    (double)o->max_create_attempts, 1, 10000)) !=
            HPOLAB_OK ||
        (st = range(ctx, "pause_grace_period", o->pause_grace, 0, 86400)) !=
            HPOLAB_OK ||
        (st = range(ctx, "max_poll_failures", (double)o->max_poll_failures,
                    1, 100000)) != HPOLAB_OK)
        return st;
    return HPOLAB_OK;
}

/* The text of a whole small file, [owned: free], or NULL. */
static char *read_small(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct sm_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
        sm_buf_add(&b, chunk, n);
    fclose(f);
    if (b.oom) {
        sm_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* path relative to dir when it lies below it, else NULL. */
static const char *below(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (path[0] != '/' || strncmp(path, dir, n) != 0 || path[n] != '/')
        return NULL;
    return path + n + 1;
}

int32_t sm_experiment_names(struct hpolab_ctx *ctx, struct sm_backend *b)
{
    const char *slash = strrchr(b->experiment_dir, '/');
    const char *base = slash ? slash + 1 : b->experiment_dir;
    if (!(b->tuner_name = strdup(base[0] ? base : "hpolab")))
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    /* the study's tag, as `hpolab run` wrote it (S3 keys hpolab/<tag>/...) */
    char path[4096];
    snprintf(path, sizeof path, "%s/metadata.json", b->experiment_dir);
    char *text = read_small(path);
    struct sm_json md;
    char why[128];
    if (text && sm_json_parse(text, &md, why, sizeof why) == 0) {
        const char *tag = sm_json_str(&md, "tag");
        if (tag && tag[0] && !(b->tag = strdup(tag))) {
            sm_json_free(&md);
            free(text);
            return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
        }
        sm_json_free(&md);
    }
    free(text);
    return HPOLAB_OK;
}

int32_t sm_entry_point(struct hpolab_ctx *ctx, struct sm_backend *b)
{
    /* the entry point inside the container (tools/container/README.md):
     * one script of the study source, run as "<script> --name value ...";
     * a .py file through python3, anything else directly */
    const char *src = b->o.source_dir ? b->o.source_dir : b->working_dir;
    const char *const *av = b->entry_argv;
    const char *rel = src ? below(av[0], src) : NULL;
    b->entry_args = 1;
    if (!rel && !strchr(av[0], '/') && b->entry_argc > 1 && src) {
        rel = below(av[1], src); /* interpreter + script */
        b->entry_args = 2;
    }
    if (!rel)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "the entry point must be a script inside "
                                "the study folder %s (the training job "
                                "runs it from the uploaded copy), got '%s%s%s'",
                                src ? src : "(none)", av[0],
                                b->entry_argc > 1 ? " " : "",
                                b->entry_argc > 1 ? av[1] : "");
    for (uint32_t i = b->entry_args; i < b->entry_argc; i += 2)
        if (strncmp(av[i], "--", 2) != 0 || !av[i][2] ||
            i + 1 >= b->entry_argc)
            return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                    "entry point argument '%s': the "
                                    "training job passes fixed arguments as "
                                    "hyperparameters, so they must be "
                                    "'--name value' pairs",
                                    av[i]);
    if (!(b->entry_point = strdup(rel)))
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    return HPOLAB_OK;
}

char *sm_checkpoint_uri(const struct sm_backend *b, int64_t trial_id)
{
    struct sm_buf u = {0};
    sm_buf_printf(&u, "s3://%s/%s/%lld/checkpoints/", b->bucket, b->prefix,
                  (long long)trial_id);
    if (u.oom) {
        sm_buf_free(&u);
        return NULL;
    }
    return u.data;
}
