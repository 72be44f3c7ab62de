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

struct scan_state {
    struct hpolab_run_data *d;
    size_t cap;
    int with_trials;
};

static int grow(struct scan_state *s)
{
    size_t cap = s->cap ? 2 * s->cap : 1024;
    struct hpolab_run_data *d = s->d;
    double *t = realloc(d->time, cap * sizeof *t);
    if (t)
        d->time = t;
    double *v = t ? realloc(d->value, cap * sizeof *v) : NULL;
    if (v)
        d->value = v;
    if (!t || !v)
        return 0;
    if (s->with_trials) {
        int64_t *tr = realloc(d->trial, cap * sizeof *tr);
        if (tr)
            d->trial = tr;
        int32_t *de = tr ? realloc(d->decision, cap * sizeof *de) : NULL;
        if (de)
            d->decision = de;
        if (!tr || !de)
            return 0;
    }
    s->cap = cap;
    return 1;
}

static int32_t on_row(void *user, size_t row, const struct hpolab_value *v,
                      struct hpolab_error *err)
{
    (void)row;
    struct scan_state *s = user;
    struct hpolab_run_data *d = s->d;
    if (d->n == s->cap && !grow(s))
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM,
                                "out of memory for %zu rows", d->n);
    d->time[d->n] = number_of(&v[0]);
    d->value[d->n] = number_of(&v[1]);
    if (s->with_trials) {
        double t = number_of(&v[2]);
        d->trial[d->n] = isfinite(t) ? (int64_t)t : -1;
        d->decision[d->n] = decision_of(&v[3]);
    }
    d->n++;
    return HPOLAB_OK;
}

int32_t hpolab_collect_load(const char *dir, const char *metric,
                            int with_trials, struct hpolab_run_data *out,
                            struct hpolab_error *err)
{
    memset(out, 0, sizeof *out);
    const char *keep[4] = {HPOLAB_TIME_COLUMN, metric, "trial_id",
                           "st_decision"};
    unsigned char found[4] = {0, 0, 0, 0};
    struct scan_state s = {.d = out, .with_trials = with_trials};
    int32_t rc = hpolab_results_scan(dir, keep, with_trials ? 4 : 2, found,
                                     on_row, &s, err);
    if (rc == HPOLAB_OK && (!found[0] || !found[1])) {
        /* the rare path: read the header again to list the columns */
        struct hpolab_results *r = NULL;
        rc = hpolab_results_read(dir, &r, err);
        if (rc == HPOLAB_OK)
            rc = missing_column(r, dir, found[0] ? metric : HPOLAB_TIME_COLUMN,
                                err);
        hpolab_results_free(r);
    }
    if (rc != HPOLAB_OK)
        hpolab_run_data_free(out);
    return rc;
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
