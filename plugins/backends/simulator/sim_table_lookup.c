/* sim_table_lookup.c: which table configuration a trial gets — the
 * nearest by a scaled Euclidean distance over the config_* columns
 * (docs/simulator.md, "Nearest neighbour"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_table_internal.h"

int32_t sim_table_curve(const struct sim_bench *b, struct hpolab_ctx *ctx,
                        int64_t trial_id, const struct hpolab_config *config,
                        struct sim_curve *out)
{
    const struct table *t = b->impl;
    double x[64];
    const char *s[64];
    double *xs = t->n_cols <= 64 ? x : malloc(t->n_cols * sizeof *xs);
    const char **ss = t->n_cols <= 64 ? s : malloc(t->n_cols * sizeof *ss);
    int32_t st = xs && ss ? HPOLAB_OK
                          : hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                             "out of memory");
    for (size_t c = 0; c < t->n_cols && st == HPOLAB_OK; c++) {
        const struct table_col *col = &t->cols[c];
        if (!col->is_string) {
            st = sim_bench_number(b, ctx, trial_id, config, col->name, &xs[c]);
            if (st == HPOLAB_OK && col->log && !(xs[c] > 0))
                st = hpolab_set_error(ctx, HPOLAB_ERR_RANGE,
                                      "trial %lld: %s: hyperparameter '%s' "
                                      "= %g, expected > 0 (the table's "
                                      "values are compared on a log scale)",
                                      (long long)trial_id, b->name, col->name,
                                      xs[c]);
            continue;
        }
        int32_t i = hpolab_host->config_index(config, col->name);
        if (i < 0)
            st = hpolab_set_error(ctx, HPOLAB_ERR_NOT_FOUND,
                                  "trial %lld: benchmark %s needs the "
                                  "hyperparameter '%s' in the configuration "
                                  "space",
                                  (long long)trial_id, b->name, col->name);
        else
            ss[c] = hpolab_host->config_text(config, (uint32_t)i);
    }
    size_t best = 0;
    double best_d = INFINITY;
    for (size_t k = 0; k < t->n_cfgs && st == HPOLAB_OK; k++) {
        double d = 0;
        for (size_t c = 0; c < t->n_cols; c++) {
            const struct table_col *col = &t->cols[c];
            if (col->is_string) {
                d += strcmp(ss[c], t->str[k * t->n_cols + c]) != 0;
                continue;
            }
            double v = t->num[k * t->n_cols + c], y = xs[c];
            double span = col->log ? log(col->hi / col->lo) : col->hi - col->lo;
            double diff = col->log ? log(y / v) : y - v;
            if (span > 0)
                diff /= span;
            else if (diff != 0)
                diff = 1; /* a constant column: equal or not */
            d += diff * diff;
        }
        if (d < best_d) { /* the first of equals wins: table order */
            best_d = d;
            best = k;
        }
    }
    if (xs != x)
        free(xs);
    if (ss != s)
        free(ss);
    if (st != HPOLAB_OK)
        return st;
    const struct sim_curve *src = &t->cfgs[best].curve;
    if (sim_curve_alloc(out, src->n, src->n_metrics) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    memcpy(out->resource, src->resource, src->n * sizeof *src->resource);
    memcpy(out->elapsed, src->elapsed, src->n * sizeof *src->elapsed);
    memcpy(out->metrics, src->metrics,
           src->n * src->n_metrics * sizeof *src->metrics);
    hpolab_log(ctx, HPOLAB_LOG_DEBUG,
               "trial %lld: %s line %zu is the nearest configuration "
               "(distance %g)",
               (long long)trial_id, t->path, t->cfgs[best].line, sqrt(best_d));
    return HPOLAB_OK;
}

