/* sim_bench.c: curves and the parts every benchmark shares. */
#include "sim_bench.h"

#include <stdlib.h>
#include <string.h>

int sim_curve_alloc(struct sim_curve *c, size_t n, size_t n_metrics)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->n_metrics = n_metrics;
    c->resource = calloc(n ? n : 1, sizeof *c->resource);
    c->elapsed = calloc(n ? n : 1, sizeof *c->elapsed);
    size_t cells = n * n_metrics;
    c->metrics = calloc(cells ? cells : 1, sizeof *c->metrics);
    if (!c->resource || !c->elapsed || !c->metrics) {
        sim_curve_free(c);
        return -1;
    }
    return 0;
}

void sim_curve_free(struct sim_curve *c)
{
    free(c->resource);
    free(c->elapsed);
    free(c->metrics);
    memset(c, 0, sizeof *c);
}

void sim_bench_free(struct sim_bench *b)
{
    if (!b)
        return;
    if (b->ops && b->ops->free_impl)
        b->ops->free_impl(b->impl);
    for (size_t i = 0; i < b->n_metrics; i++)
        free(b->metric_names[i]);
    free(b->metric_names);
    free(b->name);
    free(b->resource_attr);
    free(b->elapsed_attr);
    free(b);
}

int32_t sim_bench_set_names(struct hpolab_ctx *ctx, struct sim_bench *b,
                            const char *name,
                            const struct sim_bench_names *names,
                            size_t n_metrics)
{
    b->name = strdup(name);
    b->resource_attr = strdup(names->resource_attr);
    b->elapsed_attr = strdup(names->elapsed_attr);
    b->metric_names = calloc(n_metrics ? n_metrics : 1,
                             sizeof *b->metric_names);
    b->n_metrics = b->metric_names ? n_metrics : 0;
    if (!b->name || !b->resource_attr || !b->elapsed_attr || !b->metric_names)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (strcmp(names->resource_attr, names->elapsed_attr) == 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_INVALID,
                                "resource_attr and elapsed_time_attr must "
                                "differ, both are '%s'",
                                names->resource_attr);
    return HPOLAB_OK;
}

int32_t sim_bench_number(const struct sim_bench *b, struct hpolab_ctx *ctx,
                         int64_t trial_id, const struct hpolab_config *config,
                         const char *name, double *out)
{
    int32_t i = hpolab_host->config_index(config, name);
    if (i < 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOT_FOUND,
                                "trial %lld: benchmark %s needs the "
                                "hyperparameter '%s' in the configuration "
                                "space",
                                (long long)trial_id, b->name, name);
    if (hpolab_host->config_get_double(config, (uint32_t)i, out) !=
        HPOLAB_OK)
        return hpolab_set_error(ctx, HPOLAB_ERR_TYPE,
                                "trial %lld: benchmark %s: hyperparameter "
                                "'%s' must be a number, got '%s'",
                                (long long)trial_id, b->name, name,
                                hpolab_host->config_text(config, (uint32_t)i));
    return HPOLAB_OK;
}
