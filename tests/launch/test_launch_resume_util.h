/* test_launch_resume_util.h: what the launch --resume tests (local engine
 * and Slurm) check: the result rows of an experiment as (trial_id, epoch)
 * pairs (a duplicated pair fails the test), events in its journal, pids in
 * state files. Header-only (static) so both test programs share it. */
#ifndef HPOLAB_TEST_LAUNCH_RESUME_UTIL_H
#define HPOLAB_TEST_LAUNCH_RESUME_UTIL_H

#include "launch_status.h"
#include "record.h"
#include "results_table.h"
#include "results_zip.h"

#include "launch_test_util.h"

static inline long pid_in(const char *path)
{
    json_t *j = lt_load_json(path);
    long pid = j ? (long)json_integer_value(json_object_get(j, "pid")) : 0;
    json_decref(j);
    return pid;
}

/* Result rows in <root>/<slice>'s results.csv.zip (rewritten at every
 * result here); -1 when none yet. */
static inline int64_t rows_of(const char *root, const char *slice)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", root, slice);
    double best;
    int64_t rows = -1;
    if (!hpolab_launch_best_so_far(dir, "loss", HPOLAB_MODE_MIN, &best, &rows))
        return -1;
    return rows;
}

#define MAX_ROWS 256

struct rows {
    size_t n;
    int64_t id[MAX_ROWS], epoch[MAX_ROWS];
};

static inline int64_t cell(const struct hpolab_record *row, const char *name)
{
    double x = -1;
    const struct hpolab_value *v = hpolab_record_get(row, name);
    assert_non_null(v);
    assert_int_equal(hpolab_value_as_double(v, &x), HPOLAB_OK);
    return (int64_t)x;
}

/* (trial_id, epoch) of every row; fails on a duplicated pair. */
static inline void read_rows(const char *tuner_dir, struct rows *out)
{
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(tuner_dir, &r, &err), HPOLAB_OK);
    out->n = hpolab_results_row_count(r);
    assert_true(out->n <= MAX_ROWS);
    for (size_t i = 0; i < out->n; i++) {
        const struct hpolab_record *row = hpolab_results_row(r, i);
        out->id[i] = cell(row, "trial_id");
        out->epoch[i] = cell(row, "epoch");
        for (size_t j = 0; j < i; j++)
            if (out->id[j] == out->id[i] && out->epoch[j] == out->epoch[i])
                fail_msg("%s: trial %lld epoch %lld: two rows", tuner_dir,
                         (long long)out->id[i], (long long)out->epoch[i]);
    }
    hpolab_results_free(r);
}

static inline int64_t max_id(const struct rows *r)
{
    int64_t m = -1;
    for (size_t i = 0; i < r->n; i++)
        m = r->id[i] > m ? r->id[i] : m;
    return m;
}

static inline int has_row(const struct rows *r, int64_t id, int64_t epoch)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->id[i] == id && r->epoch[i] == epoch)
            return 1;
    return 0;
}

/* Occurrences of "ev":"<ev>" in the experiment's journal. */
static inline int journal_events(const char *tuner_dir, const char *ev)
{
    char path[2200], pat[64];
    snprintf(path, sizeof path, "%s/tuner-journal.jsonl", tuner_dir);
    snprintf(pat, sizeof pat, "\"ev\":\"%s\"", ev);
    char *text = lt_read_text(path);
    int n = 0;
    for (char *p = text; p && (p = strstr(p, pat)); p++)
        n++;
    free(text);
    return n;
}

#endif
