/* sim_table.c: tabulated benchmarks (docs/simulator.md, "Table format"):
 * a CSV file whose config_<name> columns are hyperparameters, one column the
 * resource, one the elapsed time and every other column a metric; the rows
 * of one configuration form its learning curve. A trial whose configuration
 * is not in the table gets the curve of the nearest one (sim_table_lookup.c
 * decides which). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_csv.h"
#include "sim_table_internal.h"

static void table_free(void *impl)
{
    struct table *t = impl;
    if (!t)
        return;
    for (size_t i = 0; i < t->n_cols; i++)
        free(t->cols[i].name);
    for (size_t i = 0; i < t->n_cfgs; i++)
        sim_curve_free(&t->cfgs[i].curve);
    if (t->str)
        for (size_t i = 0; i < t->n_cfgs * t->n_cols; i++)
            free(t->str[i]);
    free(t->cols);
    free(t->cfgs);
    free(t->num);
    free(t->str);
    free(t->path);
    free(t);
}

static int parse_number(const char *s, double *out)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* ---- reading ---------------------------------------------------------- */

static int32_t read_all(struct hpolab_ctx *ctx, const char *path, char **out,
                        size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return hpolab_set_error(ctx, HPOLAB_ERR_IO,
                                "table: cannot open '%s': %s", path,
                                strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *b = realloc(buf, cap);
        if (!b) {
            free(buf);
            buf = NULL;
        } else {
            buf = b;
        }
    }
    int failed = ferror(fp);
    fclose(fp);
    if (!buf)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (failed) {
        free(buf);
        return hpolab_set_error(ctx, HPOLAB_ERR_IO, "table: cannot read '%s'",
                                path);
    }
    *out = buf;
    *len = n;
    return HPOLAB_OK;
}

/* The role of each header cell. */
#define ROLE_CONFIG 0
#define ROLE_RESOURCE 1
#define ROLE_ELAPSED 2
#define ROLE_METRIC 3

struct layout {
    int *role;      /* owned, per cell */
    size_t resource, elapsed;
    size_t *metric_cells; /* owned */
    size_t n_metrics;
};

static int32_t read_header(struct hpolab_ctx *ctx, const char *path,
                           const struct sim_csv_row *h,
                           const struct sim_bench_names *names,
                           struct table *t, struct layout *lay)
{
    lay->role = calloc(h->n, sizeof *lay->role);
    lay->metric_cells = calloc(h->n, sizeof *lay->metric_cells);
    t->cols = calloc(h->n, sizeof *t->cols);
    if (!lay->role || !lay->metric_cells || !t->cols)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    int have_res = 0, have_el = 0;
    for (size_t i = 0; i < h->n; i++) {
        const char *c = h->cells[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(h->cells[j], c) == 0)
                return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                        "%s: line %zu: column '%s' appears "
                                        "twice in the header",
                                        path, h->line, c);
        if (!*c)
            return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                    "%s: line %zu: header cell %zu is empty; "
                                    "expected a column name",
                                    path, h->line, i + 1);
        if (strncmp(c, CONFIG_PREFIX, strlen(CONFIG_PREFIX)) == 0 &&
            c[strlen(CONFIG_PREFIX)]) {
            lay->role[i] = ROLE_CONFIG;
            struct table_col *col = &t->cols[t->n_cols++];
            col->cell = i;
            if (!(col->name = strdup(c + strlen(CONFIG_PREFIX))))
                return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                        "out of memory");
        } else if (strcmp(c, names->resource_attr) == 0) {
            lay->role[i] = ROLE_RESOURCE;
            lay->resource = i;
            have_res = 1;
        } else if (strcmp(c, names->elapsed_attr) == 0) {
            lay->role[i] = ROLE_ELAPSED;
            lay->elapsed = i;
            have_el = 1;
        } else {
            lay->role[i] = ROLE_METRIC;
            lay->metric_cells[lay->n_metrics++] = i;
        }
    }
    const char *missing = !have_res ? names->resource_attr
                          : !have_el ? names->elapsed_attr
                                     : NULL;
    if (missing)
        return hpolab_set_error(
            ctx, HPOLAB_ERR_PARSE,
            "%s: line %zu: expected a column '%s' (the %s; set the backend "
            "option %s to use another column)",
            path, h->line, missing,
            !have_res ? "resource, e.g. the epoch" : "elapsed time in seconds",
            !have_res ? "resource_attr" : "elapsed_time_attr");
    if (!t->n_cols)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "%s: line %zu: expected at least one "
                                "hyperparameter column named "
                                "config_<name>, got none",
                                path, h->line);
    if (!lay->n_metrics)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "%s: line %zu: expected at least one metric "
                                "column (any column besides config_*, '%s' "
                                "and '%s'), got none",
                                path, h->line, names->resource_attr,
                                names->elapsed_attr);
    return HPOLAB_OK;
}

/* Sorting rows into configurations. */
struct sort_ctx {
    const struct sim_csv *csv;
    const struct table *t;
    const double *num; /* per data row * n_cols */
};
static const struct sort_ctx *sorting;

static int cmp_config(size_t a, size_t b)
{
    const struct table *t = sorting->t;
    for (size_t c = 0; c < t->n_cols; c++) {
        const struct table_col *col = &t->cols[c];
        if (col->is_string) {
            int r = strcmp(sorting->csv->rows[a + 1].cells[col->cell],
                           sorting->csv->rows[b + 1].cells[col->cell]);
            if (r)
                return r;
        } else {
            double x = sorting->num[a * t->n_cols + c];
            double y = sorting->num[b * t->n_cols + c];
            if (x != y)
                return x < y ? -1 : 1;
        }
    }
    return 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int r = cmp_config(a, b);
    return r ? r : (a < b ? -1 : a > b);
}

static int cmp_first_line(const void *pa, const void *pb)
{
    const struct table_cfg *a = pa, *b = pb;
    return a->line < b->line ? -1 : a->line > b->line;
}

static int32_t number_cell(struct hpolab_ctx *ctx, const char *path,
                           const struct sim_csv *csv, size_t row, size_t cell,
                           double *out)
{
    const struct sim_csv_row *r = &csv->rows[row];
    if (parse_number(r->cells[cell], out) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "%s: line %zu: column '%s': expected a "
                                "finite number, got '%s'",
                                path, r->line, csv->rows[0].cells[cell],
                                r->cells[cell]);
    return HPOLAB_OK;
}

/* The rows of one configuration (data indexes idx[0..n), file order) as its
 * curve, in resource order. */
static int32_t build_curve(struct hpolab_ctx *ctx, const char *path,
                           const struct sim_csv *csv,
                           const struct layout *lay, const size_t *idx,
                           size_t n, struct table_cfg *cfg)
{
    if (sim_curve_alloc(&cfg->curve, n, lay->n_metrics) != 0)
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    cfg->line = csv->rows[idx[0] + 1].line;
    size_t *order = malloc(n * sizeof *order);
    double *res = malloc(n * sizeof *res);
    int32_t st = order && res ? HPOLAB_OK
                              : hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                                 "out of memory");
    for (size_t i = 0; i < n && st == HPOLAB_OK; i++) {
        st = number_cell(ctx, path, csv, idx[i] + 1, lay->resource, &res[i]);
        if (st == HPOLAB_OK && !(res[i] > 0))
            st = hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                  "%s: line %zu: column '%s': expected a "
                                  "resource > 0, got '%s'",
                                  path, csv->rows[idx[i] + 1].line,
                                  csv->rows[0].cells[lay->resource],
                                  csv->rows[idx[i] + 1].cells[lay->resource]);
        order[i] = i;
    }
    /* insertion sort by resource: curves are short */
    for (size_t i = 1; i < n && st == HPOLAB_OK; i++)
        for (size_t j = i; j > 0 && res[order[j]] < res[order[j - 1]]; j--) {
            size_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    for (size_t k = 0; k < n && st == HPOLAB_OK; k++) {
        size_t row = idx[order[k]] + 1;
        if (k > 0 && res[order[k]] == res[order[k - 1]]) {
            st = hpolab_set_error(
                ctx, HPOLAB_ERR_PARSE,
                "%s: lines %zu and %zu: the same configuration has %s = %s "
                "twice; expected one row per configuration and resource",
                path, csv->rows[idx[order[k - 1]] + 1].line,
                csv->rows[row].line, csv->rows[0].cells[lay->resource],
                csv->rows[row].cells[lay->resource]);
            break;
        }
        cfg->curve.resource[k] = res[order[k]];
        st = number_cell(ctx, path, csv, row, lay->elapsed,
                         &cfg->curve.elapsed[k]);
        if (st == HPOLAB_OK && cfg->curve.elapsed[k] < 0)
            st = hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                  "%s: line %zu: column '%s': expected "
                                  "seconds >= 0, got '%s'",
                                  path, csv->rows[row].line,
                                  csv->rows[0].cells[lay->elapsed],
                                  csv->rows[row].cells[lay->elapsed]);
        for (size_t m = 0; m < lay->n_metrics && st == HPOLAB_OK; m++)
            st = number_cell(ctx, path, csv, row, lay->metric_cells[m],
                             &cfg->curve.metrics[k * lay->n_metrics + m]);
    }
    free(order);
    free(res);
    return st;
}

static int32_t build_table(struct hpolab_ctx *ctx, const char *path,
                           const struct sim_csv *csv,
                           const struct layout *lay, struct table *t)
{
    size_t n_rows = csv->n_rows - 1;
    if (!n_rows)
        return hpolab_set_error(ctx, HPOLAB_ERR_PARSE,
                                "%s: expected rows after the header (line "
                                "%zu), got none",
                                path, csv->rows[0].line);
    double *num = calloc(n_rows * t->n_cols, sizeof *num);
    size_t *idx = malloc(n_rows * sizeof *idx);
    t->cfgs = calloc(n_rows, sizeof *t->cfgs);
    int32_t st = num && idx && t->cfgs
                     ? HPOLAB_OK
                     : hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                        "out of memory");
    /* a column with any cell that is not a number is categorical */
    for (size_t c = 0; c < t->n_cols && st == HPOLAB_OK; c++)
        for (size_t r = 0; r < n_rows; r++)
            if (parse_number(csv->rows[r + 1].cells[t->cols[c].cell],
                             &num[r * t->n_cols + c]) != 0) {
                t->cols[c].is_string = 1;
                break;
            }
    if (st == HPOLAB_OK) {
        for (size_t r = 0; r < n_rows; r++)
            idx[r] = r;
        struct sort_ctx sc = {csv, t, num};
        sorting = &sc; /* tables load once, in the tuner thread */
        qsort(idx, n_rows, sizeof *idx, cmp_rows);
        sorting = NULL;
    }
    for (size_t g = 0; g < n_rows && st == HPOLAB_OK;) {
        size_t e = g + 1;
        struct sort_ctx sc = {csv, t, num};
        sorting = &sc;
        while (e < n_rows && cmp_config(idx[g], idx[e]) == 0)
            e++;
        sorting = NULL;
        st = build_curve(ctx, path, csv, lay, idx + g, e - g,
                         &t->cfgs[t->n_cfgs]);
        t->n_cfgs++;
        g = e;
    }
    if (st == HPOLAB_OK)
        qsort(t->cfgs, t->n_cfgs, sizeof *t->cfgs, cmp_first_line);
    /* the configurations' values, in their final order */
    if (st == HPOLAB_OK) {
        t->num = calloc(t->n_cfgs * t->n_cols, sizeof *t->num);
        t->str = calloc(t->n_cfgs * t->n_cols, sizeof *t->str);
        if (!t->num || !t->str)
            st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    if (st == HPOLAB_OK) {
        /* map first line -> data row */
        size_t r = 0;
        for (size_t k = 0; k < t->n_cfgs && st == HPOLAB_OK; k++) {
            while (csv->rows[r + 1].line != t->cfgs[k].line)
                r++;
            for (size_t c = 0; c < t->n_cols; c++) {
                const char *cell = csv->rows[r + 1].cells[t->cols[c].cell];
                if (t->cols[c].is_string) {
                    if (!(t->str[k * t->n_cols + c] = strdup(cell)))
                        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM,
                                              "out of memory");
                } else {
                    t->num[k * t->n_cols + c] = num[r * t->n_cols + c];
                }
            }
        }
    }
    for (size_t c = 0; c < t->n_cols && st == HPOLAB_OK; c++) {
        struct table_col *col = &t->cols[c];
        if (col->is_string)
            continue;
        col->lo = col->hi = t->num[c];
        for (size_t k = 1; k < t->n_cfgs; k++) {
            double v = t->num[k * t->n_cols + c];
            col->lo = v < col->lo ? v : col->lo;
            col->hi = v > col->hi ? v : col->hi;
        }
        col->log = col->lo > 0 && col->hi >= 10.0 * col->lo;
    }
    free(num);
    free(idx);
    return st;
}

static const struct sim_bench_ops table_ops = {
    .curve = sim_table_curve,
    .free_impl = table_free,
};

int32_t sim_table_create(struct hpolab_ctx *ctx, const char *path,
                         const struct sim_bench_names *names,
                         struct sim_bench **out)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    int32_t st = read_all(ctx, path, &text, &len);
    if (st != HPOLAB_OK)
        return st;
    struct sim_csv csv;
    st = sim_csv_parse(ctx, path, text, len, &csv);
    free(text);
    if (st != HPOLAB_OK)
        return st;
    struct layout lay = {0};
    struct sim_bench *b = calloc(1, sizeof *b);
    struct table *t = calloc(1, sizeof *t);
    if (!b || !t) {
        free(b);
        free(t);
        sim_csv_free(&csv);
        return hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    }
    b->ops = &table_ops;
    b->impl = t;
    if (!(t->path = strdup(path)))
        st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    if (st == HPOLAB_OK)
        st = read_header(ctx, path, &csv.rows[0], names, t, &lay);
    if (st == HPOLAB_OK)
        st = build_table(ctx, path, &csv, &lay, t);
    char label[512];
    snprintf(label, sizeof label, "table '%s'", path);
    if (st == HPOLAB_OK)
        st = sim_bench_set_names(ctx, b, label, names, lay.n_metrics);
    for (size_t m = 0; m < lay.n_metrics && st == HPOLAB_OK; m++)
        if (!(b->metric_names[m] =
                  strdup(csv.rows[0].cells[lay.metric_cells[m]])))
            st = hpolab_set_error(ctx, HPOLAB_ERR_NOMEM, "out of memory");
    free(lay.role);
    free(lay.metric_cells);
    sim_csv_free(&csv);
    if (st != HPOLAB_OK) {
        sim_bench_free(b);
        return st;
    }
    *out = b;
    return HPOLAB_OK;
}
