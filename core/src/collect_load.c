/* collect_load.c: plotting columns of one results file (collect_load.h). */
#include "collect_load.h"

#include <hpolab/types.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "record.h"
#include "results_zip.h"

void hpolab_run_data_free(struct hpolab_run_data *d)
{
    if (!d)
        return;
    free(d->time);
    free(d->value);
    free(d->trial);
    free(d->decision);
    memset(d, 0, sizeof *d);
}

/* 1 if <dir>/results.csv.zip exists but does not start like a zip archive
 * (the reader then takes it for plain CSV text). */
static int zip_name_but_not_zip(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, HPOLAB_RESULTS_ZIP);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char head[2] = {0, 0};
    size_t got = fread(head, 1, 2, f);
    fclose(f);
    return got < 2 || head[0] != 'P' || head[1] != 'K';
}

static int32_t missing_column(const struct hpolab_results *r, const char *dir,
                              const char *col, struct hpolab_error *err)
{
    if (zip_name_but_not_zip(dir))
        return hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                "%s/%s: not a zip archive (read as CSV text "
                                "it has no column '%s')",
                                dir, HPOLAB_RESULTS_ZIP, col);
    struct hpolab_buffer b;
    hpolab_buffer_init(&b);
    size_t nc = hpolab_results_column_count(r);
    for (size_t i = 0; i < nc && i < 40; i++) {
        const char *c = hpolab_results_column(r, i);
        if (i)
            hpolab_buffer_append(&b, ", ", 2);
        hpolab_buffer_append(&b, c, strlen(c));
    }
    if (nc > 40)
        hpolab_buffer_append(&b, ", ...", 5);
    hpolab_buffer_append(&b, "", 1);
    int32_t rc = hpolab_error_set(
        err, HPOLAB_ERR_NOT_FOUND,
        "%s/%s: no column '%s'; the columns are: %s", dir, HPOLAB_RESULTS_ZIP,
        col, b.data ? (const char *)b.data : "?");
    hpolab_buffer_free(&b);
    return rc;
}

static double number_of(const struct hpolab_value *v)
{
    double d;
    if (!v || hpolab_value_as_double(v, &d) != HPOLAB_OK)
        return NAN;
    return d;
}

static int32_t decision_of(const struct hpolab_value *v)
{
    if (!v || v->type != HPOLAB_VALUE_STRING)
        return -1;
    if (strcmp(v->u.s, "CONTINUE") == 0)
        return HPOLAB_DECISION_CONTINUE;
    if (strcmp(v->u.s, "PAUSE") == 0)
        return HPOLAB_DECISION_PAUSE;
    if (strcmp(v->u.s, "STOP") == 0)
        return HPOLAB_DECISION_STOP;
    return -1;
}

int32_t hpolab_collect_load(const char *dir, const char *metric,
                            int with_trials, struct hpolab_run_data *out,
                            struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    struct hpolab_results *r = NULL;
    const char *keep[4] = {HPOLAB_TIME_COLUMN, metric, "trial_id",
                           "st_decision"};
    int32_t rc = hpolab_results_read_columns(dir, keep, with_trials ? 4 : 2,
                                             &r, err);
    if (rc != HPOLAB_OK)
        return rc;
    if (hpolab_results_column_index(r, HPOLAB_TIME_COLUMN) < 0) {
        rc = missing_column(r, dir, HPOLAB_TIME_COLUMN, err);
        hpolab_results_free(r);
        return rc;
    }
    if (hpolab_results_column_index(r, metric) < 0) {
        rc = missing_column(r, dir, metric, err);
        hpolab_results_free(r);
        return rc;
    }
    size_t n = hpolab_results_row_count(r), m = n ? n : 1;
    out->time = malloc(m * sizeof *out->time);
    out->value = malloc(m * sizeof *out->value);
    if (with_trials) {
        out->trial = malloc(m * sizeof *out->trial);
        out->decision = malloc(m * sizeof *out->decision);
    }
    if (!out->time || !out->value ||
        (with_trials && (!out->trial || !out->decision))) {
        hpolab_results_free(r);
        hpolab_run_data_free(out);
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "%s: out of memory for %zu rows", dir, n);
    }
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_record *row = hpolab_results_row(r, i);
        out->time[i] = number_of(hpolab_record_get(row, HPOLAB_TIME_COLUMN));
        out->value[i] = number_of(hpolab_record_get(row, metric));
        if (with_trials) {
            double t = number_of(hpolab_record_get(row, "trial_id"));
            out->trial[i] = isfinite(t) ? (int64_t)t : -1;
            out->decision[i] =
                decision_of(hpolab_record_get(row, "st_decision"));
        }
    }
    out->n = n;
    hpolab_results_free(r);
    return HPOLAB_OK;
}

struct load_pool {
    struct hpolab_load_job *jobs;
    size_t n, next;
    const char *metric;
    int with_trials;
    pthread_mutex_t lock;
};

static void *load_worker(void *arg)
{
    struct load_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n)
            return NULL;
        struct hpolab_load_job *j = &p->jobs[i];
        j->status = hpolab_collect_load(j->dir, p->metric, p->with_trials,
                                        &j->data, &j->err);
    }
}

void hpolab_collect_load_all(struct hpolab_load_job *jobs, size_t n,
                             const char *metric, int with_trials,
                             unsigned threads)
{
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus < 1 ? 1 : cpus > 16 ? 16 : (unsigned)cpus;
    }
    if (threads > n)
        threads = (unsigned)n;
    struct load_pool pool = {.jobs = jobs, .n = n, .metric = metric,
                             .with_trials = with_trials};
    pthread_t tid[16];
    unsigned started = 0;
    if (threads > 1 && pthread_mutex_init(&pool.lock, NULL) == 0) {
        for (; started + 1 < threads; started++)
            if (pthread_create(&tid[started], NULL, load_worker, &pool) != 0)
                break;
        load_worker(&pool); /* this thread works too */
        for (unsigned t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        pthread_mutex_destroy(&pool.lock);
        return;
    }
    for (size_t i = 0; i < n; i++) /* one thread, or no mutex */
        jobs[i].status = hpolab_collect_load(jobs[i].dir, metric, with_trials,
                                             &jobs[i].data, &jobs[i].err);
}
