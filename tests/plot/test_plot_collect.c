/* test_plot_collect.c: finding experiments in both layouts (and Syne
 * Tune's own folders), the filters, setup templates, and reading the plot
 * columns of a results file, with the bad-input messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <hpolab/types.h>

#include "collect_find.h"
#include "collect_load.h"
#include "collect_template.h"
#include "plot_fixture.h"
#include "results_csv.h"
#include "results_zip.h"

#define CSV "trial_id,loss,st_tuner_time\n0,0.5,1.0\n1,0.25,2.0\n"
#define ST_NAME "odsc-1-transformer-wikitext2-0-2023-06-01-12-30-45-123"

static char *root;

static void add(const char *rel, const char *tag, const char *alg, int seed)
{
    char *md = fx_metadata(tag, alg, seed);
    fx_experiment(root, rel, md, CSV);
    free(md);
}

static void copy_file(const char *from, const char *rel)
{
    size_t len;
    char *data = fx_read(from, &len);
    assert_non_null(data);
    fx_write(root, rel, data, len);
    free(data);
}

static int setup(void **state)
{
    (void)state;
    root = fx_tmpdir("collect");
    /* flat (hpolab run / Syne Tune local) and nested (remote) layouts */
    add("demo-toy-0-2026-01-01-10-00-00-000", "demo", "RS", 0);
    add("demo-toy-1-2026-01-03-10-00-00-000", "demo", "ASHA", 1);
    add("demo/ASHA-0/demo-toy-0-2026-01-02-10-00-00-000", "demo", "ASHA", 0);
    /* tag "demo-1" also matches the glob demo-*: its metadata tag says no */
    add("demo-1-toy-0-2026-01-01-10-00-00-000", "demo-1", "RS", 0);
    /* a folder without metadata is no experiment; broken metadata warns */
    fx_write(root, "demo-notes/readme.txt", "x", 1);
    fx_write(root, "demo-toy-9-2026-01-01-10-00-00-000/metadata.json", "{oops",
             5);
    /* Syne Tune's own folder (tests/data/syne-tune) */
    char from[4096];
    snprintf(from, sizeof from, "%s/tests/data/syne-tune/%s/metadata.json",
             HPOLAB_TEST_SOURCE_DIR, ST_NAME);
    copy_file(from, ST_NAME "/metadata.json");
    snprintf(from, sizeof from, "%s/tests/data/syne-tune/%s/results.csv.zip",
             HPOLAB_TEST_SOURCE_DIR, ST_NAME);
    copy_file(from, ST_NAME "/results.csv.zip");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_rm_rf(root);
    free(root);
    return 0;
}

static void find(const char *tag, const char *setup_t, const char *since,
                 const char *until, const char *const *where, size_t nw,
                 struct hpolab_collection *c, struct hpolab_diag *warn)
{
    const char *tags[1] = {tag};
    struct hpolab_collect_query q = {.root = root, .tags = tags, .n_tags = 1,
                                     .setup = setup_t, .since = since,
                                     .until = until, .where = where,
                                     .n_where = nw};
    struct hpolab_error err;
    int32_t rc = hpolab_collect_find(&q, c, warn, &err);
    if (rc != HPOLAB_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, HPOLAB_OK);
}

static void test_both_layouts(void **state)
{
    (void)state;
    struct hpolab_collection c;
    struct hpolab_diag warn = {0};
    find("demo", "algorithm", NULL, NULL, NULL, 0, &c, &warn);
    assert_int_equal(c.n, 3);
    /* sorted by folder path: nested demo/... sorts after demo-... */
    assert_string_equal(c.items[0].name, "demo-toy-0-2026-01-01-10-00-00-000");
    assert_string_equal(c.items[0].setup, "RS");
    assert_string_equal(c.items[1].setup, "ASHA");
    assert_int_equal(c.items[1].seed, 1);
    assert_string_equal(c.items[2].name, "demo-toy-0-2026-01-02-10-00-00-000");
    assert_string_equal(c.items[2].benchmark, "toy");
    assert_non_null(strstr(c.items[2].dir, "/demo/ASHA-0/"));
    /* the broken metadata file is named, with line and column */
    assert_int_equal(warn.count, 1);
    assert_non_null(strstr(warn.lines[0],
                           "demo-toy-9-2026-01-01-10-00-00-000/metadata.json: "
                           "line 1"));
    assert_non_null(strstr(warn.lines[0], "; skipped"));
    hpolab_collection_free(&c);
    hpolab_diag_free(&warn);
}

static void test_syne_tune_folder(void **state)
{
    (void)state;
    struct hpolab_collection c;
    struct hpolab_diag warn = {0};
    find("odsc-1", "{algorithm} ({n_workers} workers)", NULL, NULL, NULL, 0,
         &c, &warn);
    assert_int_equal(c.n, 1);
    assert_int_equal(warn.count, 0);
    assert_string_equal(c.items[0].setup, "ASHA (4 workers)");
    assert_string_equal(c.items[0].benchmark, "transformer_wikitext2");
    assert_int_equal(c.items[0].seed, 0);
    /* its results: st_tuner_time and val_loss as Syne Tune wrote them */
    struct hpolab_run_data d;
    struct hpolab_error err;
    assert_int_equal(hpolab_collect_load(c.items[0].dir, "val_loss", 1, &d,
                                         &err),
                     HPOLAB_OK);
    assert_int_equal(d.n, 4);
    assert_true(d.time[0] == 4.71 && d.time[3] == 15.02);
    assert_true(d.value[2] == 5.125 && isnan(d.value[3]));
    assert_true(d.trial[1] == 1 && d.decision[1] == HPOLAB_DECISION_STOP);
    hpolab_run_data_free(&d);
    hpolab_collection_free(&c);
    hpolab_diag_free(&warn);
}

/* The column scan passes only the named cells, row by row, says which
 * columns the header has, and stops at a callback's error. */
struct scan_seen {
    size_t rows;
    double last_loss;
    int stop_at;
};

static int32_t on_scan_row(void *user, size_t row,
                           const struct hpolab_value *v,
                           struct hpolab_error *err)
{
    struct scan_seen *s = user;
    assert_int_equal(row, s->rows);
    s->rows++;
    double d;
    if (hpolab_value_as_double(&v[0], &d) == HPOLAB_OK)
        s->last_loss = d;
    assert_int_equal(v[1].type, HPOLAB_VALUE_NULL); /* no such column */
    if (s->stop_at >= 0 && (int)row == s->stop_at)
        return hpolab_error_set(err, HPOLAB_ERR_INTERRUPTED, "stop");
    return HPOLAB_OK;
}

static void test_column_scan(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", root, ST_NAME);
    const char *cols[2] = {"val_loss", "no_such"};
    unsigned char found[2] = {9, 9};
    struct scan_seen s = {.last_loss = -1, .stop_at = -1};
    struct hpolab_error err;
    assert_int_equal(hpolab_results_scan(dir, cols, 2, found, on_scan_row, &s,
                                         &err),
                     HPOLAB_OK);
    assert_int_equal(s.rows, 4);
    assert_true(s.last_loss == 5.125); /* row 4's cell is empty */
    assert_true(found[0] == 1 && found[1] == 0);
    struct scan_seen t = {.stop_at = 1};
    assert_int_equal(hpolab_results_scan(dir, cols, 2, NULL, on_scan_row, &t,
                                         &err),
                     HPOLAB_ERR_INTERRUPTED);
    assert_int_equal(t.rows, 2);
    assert_int_equal(hpolab_results_scan(root, cols, 2, NULL, on_scan_row, &t,
                                         &err),
                     HPOLAB_ERR_NOT_FOUND);
}

static void test_filters(void **state)
{
    (void)state;
    struct hpolab_collection c;
    struct hpolab_diag warn = {0};
    /* date-time: inclusive bounds, a day means the whole day */
    find("demo", "algorithm", "2026-01-02", "2026-01-03-10-00-00", NULL, 0, &c,
         &warn);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.items[0].name, "demo-toy-1-2026-01-03-10-00-00-000");
    hpolab_collection_free(&c);
    find("demo", "algorithm", NULL, "2026-01-01", NULL, 0, &c, &warn);
    assert_int_equal(c.n, 1);
    hpolab_collection_free(&c);
    /* one key: any of its values; two keys: both */
    const char *w1[] = {"algorithm=RS", "algorithm=ASHA", "seed=0"};
    find("demo", "algorithm", NULL, NULL, w1, 3, &c, &warn);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.items[0].seed, 0);
    assert_int_equal(c.items[1].seed, 0);
    hpolab_collection_free(&c);
    const char *w2[] = {"n_workers=3"};
    find("demo", "algorithm", NULL, NULL, w2, 1, &c, &warn);
    assert_int_equal(c.n, 0);
    hpolab_collection_free(&c);
    hpolab_diag_free(&warn);
}

static void test_missing_setup_key(void **state)
{
    (void)state;
    struct hpolab_collection c;
    struct hpolab_diag warn = {0};
    find("odsc-1", "{method}", NULL, NULL, NULL, 0, &c, &warn);
    assert_int_equal(c.n, 0);
    assert_int_equal(warn.count, 1);
    char want[4096];
    snprintf(want, sizeof want,
             "%s/%s/metadata.json: no key 'method' (for '{method}'); skipped",
             root, ST_NAME);
    assert_string_equal(warn.lines[0], want);
    hpolab_collection_free(&c);
    hpolab_diag_free(&warn);
}

static void test_bad_queries(void **state)
{
    (void)state;
    const char *tags[1] = {"demo"};
    const char *bad_where[1] = {"novalue"};
    struct hpolab_collect_query q = {.root = root, .tags = tags, .n_tags = 1,
                                     .setup = "{algorithm"};
    struct hpolab_collection c;
    struct hpolab_error err;
    assert_int_equal(hpolab_collect_find(&q, &c, NULL, &err),
                     HPOLAB_ERR_INVALID);
    assert_string_equal(err.message,
                        "setup: template '{algorithm': '{' at 1 is not closed");
    q.setup = "algorithm";
    q.since = "2026-13";
    assert_int_equal(hpolab_collect_find(&q, &c, NULL, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "since: expected a UTC date-time"));
    q.since = NULL;
    q.where = bad_where;
    q.n_where = 1;
    assert_int_equal(hpolab_collect_find(&q, &c, NULL, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "filter 'novalue': expected key=value"));
}

static void test_datetime_of_name(void **state)
{
    (void)state;
    char dt[HPOLAB_DATETIME_SIZE];
    assert_true(hpolab_tuner_name_datetime(ST_NAME, dt));
    assert_string_equal(dt, "2023-06-01-12-30-45");
    assert_false(hpolab_tuner_name_datetime("demo-notes", dt));
    assert_false(hpolab_tuner_name_datetime("x-2023-06-01-12-30-45-12", dt));
}

static void test_template(void **state)
{
    (void)state;
    json_t *md = json_loads("{\"a\": \"x y\", \"n\": 4, \"f\": 0.5, "
                            "\"b\": true, \"l\": [1, 2]}",
                            0, NULL);
    char *out;
    struct hpolab_error err;
    assert_int_equal(hpolab_template_expand("{n} workers {{{a}}} {f} {b} {l}",
                                            md, &out, &err),
                     HPOLAB_OK);
    assert_string_equal(out, "4 workers {x y} 0.5 True [1,2]");
    free(out);
    assert_int_equal(hpolab_template_expand("a", md, &out, &err), HPOLAB_OK);
    assert_string_equal(out, "x y");
    free(out);
    assert_int_equal(hpolab_template_expand("{zz}", md, &out, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_string_equal(err.message, "no key 'zz' (for '{zz}')");
    assert_int_equal(hpolab_template_check("a}", &err), HPOLAB_ERR_INVALID);
    json_decref(md);
}

/* Bad results files: each message names the file. */
static void test_bad_results(void **state)
{
    (void)state;
    char *dir = fx_tmpdir("badres");
    char *md = fx_metadata("bad", "RS", 0);
    fx_experiment(dir, "nometric", md, "trial_id,acc,st_tuner_time\n0,1,2\n");
    fx_experiment(dir, "noresults", md, NULL);
    fx_experiment(dir, "notzip", md, NULL);
    fx_write(dir, "notzip/results.csv.zip", "PK\x03\x04garbage", 11);
    /* a real archive cut in half */
    fx_experiment(dir, "truncated", md, CSV CSV CSV);
    char path[4096];
    snprintf(path, sizeof path, "%s/truncated/results.csv.zip", dir);
    size_t len;
    char *zip = fx_read(path, &len);
    fx_write(dir, "truncated/results.csv.zip", zip, len / 2);
    free(zip);
    free(md);

    struct hpolab_run_data d;
    struct hpolab_error err;
    char want[4096];
    snprintf(path, sizeof path, "%s/nometric", dir);
    assert_int_equal(hpolab_collect_load(path, "loss", 0, &d, &err),
                     HPOLAB_ERR_NOT_FOUND);
    snprintf(want, sizeof want,
             "%s/nometric/results.csv.zip: no column 'loss'; the columns "
             "are: trial_id, acc, st_tuner_time",
             dir);
    assert_string_equal(err.message, want);
    snprintf(path, sizeof path, "%s/noresults", dir);
    assert_int_equal(hpolab_collect_load(path, "loss", 0, &d, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "noresults"));
    snprintf(path, sizeof path, "%s/notzip", dir);
    assert_int_not_equal(hpolab_collect_load(path, "loss", 0, &d, &err),
                         HPOLAB_OK);
    assert_non_null(strstr(err.message, "notzip/results.csv.zip"));
    snprintf(path, sizeof path, "%s/truncated", dir);
    assert_int_not_equal(hpolab_collect_load(path, "loss", 0, &d, &err),
                         HPOLAB_OK);
    assert_non_null(strstr(err.message, "truncated/results.csv.zip"));
    fx_rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_layouts),
        cmocka_unit_test(test_syne_tune_folder),
        cmocka_unit_test(test_column_scan),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_missing_setup_key),
        cmocka_unit_test(test_bad_queries),
        cmocka_unit_test(test_datetime_of_name),
        cmocka_unit_test(test_template),
        cmocka_unit_test(test_bad_results),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
