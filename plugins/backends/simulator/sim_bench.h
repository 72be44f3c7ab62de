/* sim_bench.h: what the simulator asks of a benchmark: for a configuration,
 * the whole learning curve a trial would report — per resource level (e.g.
 * epoch) the metric values and the elapsed time since the trial started.
 * Two kinds: analytic curves with known optima (sim_analytic.c) and tables
 * read from a file with a nearest-neighbour lookup (sim_table.c). */
#ifndef HPOLAB_SIM_BENCH_H
#define HPOLAB_SIM_BENCH_H

#include <hpolab/hpolab.h>
#include <stddef.h>

/* One trial's curve: n points in increasing resource order. */
struct sim_curve {
    size_t n;
    size_t n_metrics;
    double *resource; /* owned, n; strictly increasing */
    double *elapsed;  /* owned, n; seconds since the start at that resource
                         (the backend forces them >= 0.01 and increasing) */
    double *metrics;  /* owned, n * n_metrics, point-major */
};

/* 0, or -1 out of memory; the arrays are zeroed. */
int sim_curve_alloc(struct sim_curve *c, size_t n, size_t n_metrics);
void sim_curve_free(struct sim_curve *c);

struct sim_bench;

struct sim_bench_ops {
    /* Fill *out (fresh) with the curve of config for trial_id. Errors (a
     * missing hyperparameter, ...) go to ctx with a message naming the
     * trial and what was expected. */
    int32_t (*curve)(const struct sim_bench *b, struct hpolab_ctx *ctx,
                     int64_t trial_id, const struct hpolab_config *config,
                     struct sim_curve *out);
    void (*free_impl)(void *impl);
};

struct sim_bench {
    char *name;           /* owned; for messages ("transformer_like",
                             "table 'x.csv'") */
    char *resource_attr;  /* owned; reported name of the resource */
    char *elapsed_attr;   /* owned; reported name of the elapsed time */
    size_t n_metrics;
    char **metric_names;  /* owned, n_metrics */
    const struct sim_bench_ops *ops;
    void *impl;           /* owned through ops->free_impl */
};

/* Names shared by both kinds, read from the backend options. */
struct sim_bench_names {
    const char *resource_attr; /* [borrowed] */
    const char *elapsed_attr;  /* [borrowed] */
};

/* The built-in analytic benchmark `name`, reading its options (metric,
 * max_resource, noise) from opts. *out [owned: sim_bench_free]. */
int32_t sim_analytic_create(struct hpolab_ctx *ctx, const char *name,
                            const struct hpolab_options *opts,
                            const struct sim_bench_names *names,
                            struct sim_bench **out);
/* A comma-separated list of the analytic benchmarks, [static]. */
const char *sim_analytic_names(void);

/* The table in file `path` (docs/simulator.md). *out [owned:
 * sim_bench_free]. Problems name the file and the line. */
int32_t sim_table_create(struct hpolab_ctx *ctx, const char *path,
                         const struct sim_bench_names *names,
                         struct sim_bench **out);

void sim_bench_free(struct sim_bench *b);

/* Helpers for benchmarks. */
int32_t sim_bench_set_names(struct hpolab_ctx *ctx, struct sim_bench *b,
                            const char *name,
                            const struct sim_bench_names *names,
                            size_t n_metrics);
/* The number config[name] holds; HPOLAB_ERR_NOT_FOUND / _TYPE with a
 * message naming the trial and the benchmark. */
int32_t sim_bench_number(const struct sim_bench *b, struct hpolab_ctx *ctx,
                         int64_t trial_id, const struct hpolab_config *config,
                         const char *name, double *out);

#endif
