/* plot_summary.c: the summary table (plot_summary.h). */
#include "plot_summary.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate_stats.h"
#include "buffer.h"
#include "pyfloat.h"
#include "results_csv.h"

int32_t hpolab_summary_add(struct hpolab_summary *s, const char *subplot,
                           const char *setup, size_t runs,
                           struct hpolab_summary_row **row,
                           struct hpolab_error *err)
{
    struct hpolab_summary_row *g = realloc(s->rows, (s->n + 1) * sizeof *g);
    if (!g)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    s->rows = g;
    struct hpolab_summary_row *r = &g[s->n];
    memset(r, 0, sizeof *r);
    size_t m = runs ? runs : 1;
    r->subplot = subplot ? strdup(subplot) : NULL;
    r->setup = strdup(setup);
    r->seeds = malloc(m * sizeof *r->seeds);
    r->finals = malloc(m * sizeof *r->finals);
    r->reach = malloc(m * sizeof *r->reach);
    s->n++;
    if ((subplot && !r->subplot) || !r->setup || !r->seeds || !r->finals ||
        !r->reach)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    r->runs = runs;
    r->avg_rank = r->mean_time = NAN;
    *row = r;
    return HPOLAB_OK;
}

void hpolab_summary_free(struct hpolab_summary *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->rows[i].subplot);
        free(s->rows[i].setup);
        free(s->rows[i].seeds);
        free(s->rows[i].finals);
        free(s->rows[i].reach);
    }
    free(s->rows);
    free(s->metric_label);
    memset(s, 0, sizeof *s);
}

static int same_subplot(const struct hpolab_summary_row *a,
                        const struct hpolab_summary_row *b)
{
    if (!a->subplot || !b->subplot)
        return !a->subplot && !b->subplot;
    return strcmp(a->subplot, b->subplot) == 0;
}

/* Index of seed in row r, or -1. */
static long seed_at(const struct hpolab_summary_row *r, int64_t seed)
{
    for (size_t i = 0; i < r->runs; i++)
        if (r->seeds[i] == seed)
            return (long)i;
    return -1;
}

/* Average ranks of the rows of the subplot that row `first` belongs to. */
static void rank_subplot(struct hpolab_summary *s, size_t first)
{
    size_t *members = malloc(s->n * sizeof *members);
    double *sum = calloc(s->n, sizeof *sum);
    if (!members || !sum) {
        free(members);
        free(sum);
        return;
    }
    size_t m = 0;
    for (size_t i = first; i < s->n; i++)
        if (same_subplot(&s->rows[first], &s->rows[i]))
            members[m++] = i;
    const struct hpolab_summary_row *r0 = &s->rows[first];
    size_t seeds = 0;
    for (size_t a = 0; a < r0->runs && m > 1; a++) {
        int64_t seed = r0->seeds[a];
        if (seed < 0 || seed_at(r0, seed) != (long)a) /* unknown or repeated */
            continue;
        int common = 1;
        for (size_t j = 1; j < m && common; j++)
            common = seed_at(&s->rows[members[j]], seed) >= 0;
        if (!common)
            continue;
        seeds++;
        for (size_t j = 0; j < m; j++) {
            const struct hpolab_summary_row *rj = &s->rows[members[j]];
            double vj = rj->finals[seed_at(rj, seed)];
            double better = 0, equal = 0;
            for (size_t k = 0; k < m; k++) {
                const struct hpolab_summary_row *rk = &s->rows[members[k]];
                double vk = rk->finals[seed_at(rk, seed)];
                if (vk == vj)
                    equal++;
                else if (s->higher_is_better ? vk > vj : vk < vj)
                    better++;
            }
            sum[j] += better + (equal + 1) / 2.0; /* ties: mean rank */
        }
    }
    for (size_t j = 0; j < m; j++)
        s->rows[members[j]].avg_rank = seeds ? sum[j] / (double)seeds : NAN;
    free(members);
    free(sum);
}

int32_t hpolab_summary_compute(struct hpolab_summary *s, uint32_t samples,
                               uint32_t seed, struct hpolab_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        struct hpolab_summary_row *r = &s->rows[i];
        r->centre = r->lower = r->upper = NAN;
        if (r->runs == 1)
            r->centre = r->lower = r->upper = r->finals[0];
        if (r->runs > 1) {
            struct hpolab_aggregator a;
            int32_t rc = hpolab_aggregator_init(&a, s->aggregate, r->runs,
                                                samples, seed, err);
            if (rc != HPOLAB_OK)
                return rc;
            hpolab_aggregate_values(&a, r->finals, &r->centre, &r->lower,
                                    &r->upper);
            hpolab_aggregator_free(&a);
        }
        double t = 0;
        r->reached = 0;
        for (size_t k = 0; s->has_target && k < r->runs; k++)
            if (!isnan(r->reach[k])) {
                t += r->reach[k];
                r->reached++;
            }
        r->mean_time = r->reached ? t / (double)r->reached : NAN;
    }
    for (size_t i = 0; i < s->n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same_subplot(&s->rows[i], &s->rows[j]);
        if (!seen)
            rank_subplot(s, i);
    }
    return HPOLAB_OK;
}

/* ---- output --------------------------------------------------------------- */

static int has_subplots(const struct hpolab_summary *s)
{
    return s->n && s->rows[0].subplot;
}

static void put(struct hpolab_buffer *b, const char *fmt, ...)
    HPOLAB_PRINTF(2, 3);
static void put(struct hpolab_buffer *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        hpolab_buffer_append(b, tmp, (size_t)n < sizeof tmp ? (size_t)n
                                                            : sizeof tmp - 1);
}

static const char *num(double v, char buf[HPOLAB_PYFLOAT_BUFSIZE])
{
    if (isnan(v))
        return "";
    return hpolab_pyfloat(v, buf);
}

static const char *short_num(double v, char buf[32])
{
    if (isnan(v))
        return "-";
    snprintf(buf, 32, "%.4g", v);
    return buf;
}

static int32_t finish(struct hpolab_buffer *b, char **out,
                      struct hpolab_error *err)
{
    if (hpolab_buffer_append(b, "", 1) != HPOLAB_OK || !b->data) {
        hpolab_buffer_free(b);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    *out = (char *)b->data;
    return HPOLAB_OK;
}

int32_t hpolab_summary_csv(const struct hpolab_summary *s, char **out,
                           struct hpolab_error *err)
{
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    const char *agg = hpolab_aggregate_mode_name(s->aggregate);
    if (has_subplots(s))
        put(&b, "subplot,");
    put(&b, "setup,runs,final_%s,final_lower,final_upper,average_rank", agg);
    if (s->has_target)
        put(&b, ",runs_reaching_target,mean_time_to_target");
    put(&b, "\n");
    for (size_t i = 0; i < s->n; i++) {
        const struct hpolab_summary_row *r = &s->rows[i];
        char a[HPOLAB_PYFLOAT_BUFSIZE], c[HPOLAB_PYFLOAT_BUFSIZE],
            d[HPOLAB_PYFLOAT_BUFSIZE], e[HPOLAB_PYFLOAT_BUFSIZE];
        if (r->subplot) {
            hpolab_csv_append_field(&b, r->subplot, strlen(r->subplot));
            put(&b, ",");
        }
        hpolab_csv_append_field(&b, r->setup, strlen(r->setup));
        put(&b, ",%zu,%s,%s,%s,%s", r->runs, num(r->centre, a),
            num(r->lower, c), num(r->upper, d), num(r->avg_rank, e));
        if (s->has_target)
            put(&b, ",%zu,%s", r->reached, num(r->mean_time, a));
        put(&b, "\n");
    }
    return finish(&b, out, err);
}

static void md_cell(struct hpolab_buffer *b, const char *t)
{
    for (; *t; t++) {
        if (*t == '|')
            hpolab_buffer_append(b, "\\|", 2);
        else if (*t == '\n')
            hpolab_buffer_append(b, " ", 1);
        else
            hpolab_buffer_append(b, t, 1);
    }
}

int32_t hpolab_summary_markdown(const struct hpolab_summary *s, char **out,
                                struct hpolab_error *err)
{
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    const char *agg = hpolab_aggregate_mode_name(s->aggregate);
    put(&b, "| %s", has_subplots(s) ? "subplot | " : "");
    put(&b, "setup | runs | final %s (%s) | spread | average rank |",
        s->metric_label ? s->metric_label : "", agg);
    if (s->has_target)
        put(&b, " reached target | mean time to target |");
    put(&b, "\n|%s---|---:|---:|---|---:|", has_subplots(s) ? "---|" : "");
    if (s->has_target)
        put(&b, "---:|---:|");
    put(&b, "\n");
    for (size_t i = 0; i < s->n; i++) {
        const struct hpolab_summary_row *r = &s->rows[i];
        char a[32], c[32], d[32], e[32];
        put(&b, "| ");
        if (r->subplot) {
            md_cell(&b, r->subplot);
            put(&b, " | ");
        }
        md_cell(&b, r->setup);
        put(&b, " | %zu | %s | [%s, %s] | %s |", r->runs,
            short_num(r->centre, a), short_num(r->lower, c),
            short_num(r->upper, d), short_num(r->avg_rank, e));
        if (s->has_target)
            put(&b, " %zu/%zu | %s |", r->reached, r->runs,
                short_num(r->mean_time, a));
        put(&b, "\n");
    }
    return finish(&b, out, err);
}

/* Display width of UTF-8 text (code points; good enough for names). */
static size_t width_of(const char *t)
{
    size_t w = 0;
    for (; *t; t++)
        w += ((unsigned char)*t & 0xC0) != 0x80;
    return w;
}

static void pad(struct hpolab_buffer *b, const char *t, size_t w)
{
    hpolab_buffer_append(b, t, strlen(t));
    for (size_t i = width_of(t); i < w; i++)
        hpolab_buffer_append(b, " ", 1);
}

int32_t hpolab_summary_text(const struct hpolab_summary *s, char **out,
                            struct hpolab_error *err)
{
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    size_t ws = strlen("setup"), wp = strlen("subplot");
    for (size_t i = 0; i < s->n; i++) {
        if (width_of(s->rows[i].setup) > ws)
            ws = width_of(s->rows[i].setup);
        if (s->rows[i].subplot && width_of(s->rows[i].subplot) > wp)
            wp = width_of(s->rows[i].subplot);
    }
    if (has_subplots(s)) {
        pad(&b, "subplot", wp + 2);
    }
    pad(&b, "setup", ws + 2);
    put(&b, "%4s  %-12s %-25s %6s", "runs", "final", "spread", "rank");
    if (s->has_target)
        put(&b, "  %-8s %s", "reached", "time to target");
    put(&b, "\n");
    for (size_t i = 0; i < s->n; i++) {
        const struct hpolab_summary_row *r = &s->rows[i];
        char a[32], c[32], d[32], e[32], sp[80];
        if (r->subplot)
            pad(&b, r->subplot, wp + 2);
        pad(&b, r->setup, ws + 2);
        snprintf(sp, sizeof sp, "[%s, %s]", short_num(r->lower, c),
                 short_num(r->upper, d));
        put(&b, "%4zu  %-12s %-25s %6s", r->runs, short_num(r->centre, a), sp,
            short_num(r->avg_rank, e));
        if (s->has_target) {
            snprintf(sp, sizeof sp, "%zu/%zu", r->reached, r->runs);
            put(&b, "  %-8s %s", sp, short_num(r->mean_time, a));
        }
        put(&b, "\n");
    }
    return finish(&b, out, err);
}
