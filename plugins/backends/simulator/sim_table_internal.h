/* sim_table_internal.h: a loaded table, shared by sim_table.c (reading)
 * and sim_table_lookup.c (nearest neighbour). */
#ifndef HPOLAB_SIM_TABLE_INTERNAL_H
#define HPOLAB_SIM_TABLE_INTERNAL_H

#include "sim_bench.h"

#define CONFIG_PREFIX "config_"

struct table_col {
    char *name;    /* owned; the hyperparameter (without config_) */
    size_t cell;   /* index in the CSV row */
    int is_string; /* some cell is not a number: compared as text */
    double lo, hi; /* range over the table (numeric columns) */
    int log;       /* compared on a log scale (all > 0, hi >= 10 lo) */
};

struct table_cfg {
    size_t line;            /* first line of the configuration */
    struct sim_curve curve; /* owned */
};

struct table {
    char *path;              /* owned */
    size_t n_cols;
    struct table_col *cols;  /* owned */
    size_t n_cfgs;
    struct table_cfg *cfgs;  /* owned */
    double *num;             /* owned, n_cfgs * n_cols (numeric columns) */
    char **str;              /* owned, n_cfgs * n_cols (string columns, else NULL) */
};

/* The curve of the table configuration nearest to config (sim_bench_ops
 * curve callback; b->impl is a struct table). */
int32_t sim_table_curve(const struct sim_bench *b, struct hpolab_ctx *ctx,
                        int64_t trial_id, const struct hpolab_config *config,
                        struct sim_curve *out);

#endif
