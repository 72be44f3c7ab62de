/* test_plot_figure.c: a small study drawn end to end (golden data file,
 * hand-computed), the gnuplot script rendered to a PNG of the requested
 * size, a setup name with spaces, quotes and UTF-8 in the legend, the
 * per-trial figure (gaps after pauses, markers), and an ABI 1.0 plotter
 * loading into this host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <hpolab/hpolab.h>

#include "collect_find.h"
#include "figure_host.h"
#include "log.h"
#include "plot_compare.h"
#include "plot_params.h"
#include "plot_render.h"
#include "plot_trials.h"
#include "plugin_loader.h"
#include "plot_fixture.h"

static char *root;
static struct hpolab_registry *reg;

static int setup(void **state)
{
    (void)state;
    root = fx_tmpdir("figure");
    char *a0 = fx_metadata("small", "A", 0), *a1 = fx_metadata("small", "A", 1),
         *b0 = fx_metadata("small", "B", 0);
    fx_experiment(root, "small-toy-0-2026-01-01-10-00-00-000", a0,
                  "trial_id,loss,st_tuner_time\n0,0.5,1\n1,0.25,2\n2,0.75,3\n");
    fx_experiment(root, "small-toy-1-2026-01-01-10-00-01-000", a1,
                  "trial_id,loss,st_tuner_time\n0,0.4,1.5\n1,0.1,2.5\n");
    fx_experiment(root, "small-toy-0-2026-01-01-10-00-02-000", b0,
                  "trial_id,loss,st_tuner_time\n0,0.3,1\n1,0.2,2\n");
    free(a0);
    free(a1);
    free(b0);
    struct hpolab_error err;
    if (hpolab_registry_create(&reg, &err) != HPOLAB_OK ||
        hpolab_loader_load_all(reg, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hpolab_registry_destroy(reg);
    fx_rm_rf(root);
    free(root);
    return 0;
}

static void collect(const char *tag, struct hpolab_collection *c)
{
    const char *tags[1] = {tag};
    struct hpolab_collect_query q = {.root = root, .tags = tags, .n_tags = 1,
                                     .setup = "algorithm"};
    struct hpolab_diag warn = {0};
    assert_int_equal(hpolab_collect_find(&q, c, &warn, NULL), HPOLAB_OK);
    assert_int_equal(warn.count, 0);
    hpolab_diag_free(&warn);
}

static void params(struct hpolab_plot_params *p, const char *json)
{
    hpolab_plot_params_init(p);
    json_t *o = json_loads(json, 0, NULL);
    struct hpolab_error err;
    int32_t rc = hpolab_plot_params_apply(p, o, "test", &err);
    if (rc != HPOLAB_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, HPOLAB_OK);
    assert_int_equal(hpolab_plot_params_finish(p, &err), HPOLAB_OK);
    json_decref(o);
}

static int32_t render(const struct hpolab_figure *fig, const char *stem,
                      const char *opts, struct hpolab_error *err)
{
    json_t *o = json_loads(opts, 0, NULL);
    int32_t rc = hpolab_plot_render(reg, "gnuplot", o, fig, stem, err);
    json_decref(o);
    return rc;
}

static void test_golden_small_study(void **state)
{
    (void)state;
    struct hpolab_collection c;
    collect("small", &c);
    assert_int_equal(c.n, 3);
    struct hpolab_plot_params p;
    params(&p, "{\"aggregate\": \"mean_and_ci\", \"target\": 0.2}");
    struct hpolab_compare cmp;
    struct hpolab_diag warn = {0};
    struct hpolab_error err;
    assert_int_equal(hpolab_compare_build(&c, &p, &cmp, &warn, &err),
                     HPOLAB_OK);
    /* B has one run where A has two */
    assert_int_equal(warn.count, 1);
    assert_non_null(strstr(warn.lines[0], "setup = B has 1 repeats instead of "
                                          "2 (missing runs): small-toy-0-"));
    char stem[4096], path[4096];
    snprintf(stem, sizeof stem, "%s/out/small", root);
    fx_write(root, "out/.keep", "", 0);
    assert_int_equal(render(cmp.figure, stem, "{\"render\": false}", &err),
                     HPOLAB_OK);
    snprintf(path, sizeof path, "%s.dat", stem);
    char *got = fx_read(path, NULL);
    snprintf(path, sizeof path, "%s/tests/plot/golden/small.dat",
             HPOLAB_TEST_SOURCE_DIR);
    char *want = fx_read(path, NULL);
    assert_non_null(got);
    assert_non_null(want);
    assert_string_equal(got, want);
    free(got);
    free(want);
    /* the summary: finals A = {0.25, 0.1}, B = {0.2}; rank on seed 0: B
     * (0.2) before A (0.25) */
    const struct hpolab_summary *s = &cmp.summary;
    assert_int_equal(s->n, 2);
    assert_string_equal(s->rows[0].setup, "A");
    assert_true(fabs(s->rows[0].centre - 0.175) < 1e-12);
    assert_true(s->rows[0].avg_rank == 2 && s->rows[1].avg_rank == 1);
    assert_int_equal(s->rows[0].reached, 1); /* seed 1 reaches 0.2 at 2.5 */
    assert_true(s->rows[0].mean_time == 2.5 && s->rows[1].mean_time == 2);
    char *csv;
    assert_int_equal(hpolab_summary_csv(s, &csv, &err), HPOLAB_OK);
    assert_string_equal(
        csv, "setup,runs,final_mean_and_ci,final_lower,final_upper,"
             "average_rank,runs_reaching_target,mean_time_to_target\n"
             /* Python: repr(0.175 -+ 1.95 * 0.075 / sqrt(2)) */
             "A,2,0.175,0.07158563325146743,0.27841436674853254,2.0,1,2.5\n"
             "B,1,0.2,0.2,0.2,1.0,1,2.0\n");
    free(csv);
    hpolab_compare_free(&cmp);
    hpolab_plot_params_free(&p);
    hpolab_collection_free(&c);
    hpolab_diag_free(&warn);
}

/* Subplots from a template: one panel per seed, placed column by column,
 * a setup's colour the same in every panel, both axes shared. */
static void test_subplots(void **state)
{
    (void)state;
    struct hpolab_collection c;
    const char *tags[1] = {"small"};
    struct hpolab_collect_query q = {.root = root, .tags = tags, .n_tags = 1,
                                     .setup = "algorithm",
                                     .subplot = "seed {seed}"};
    struct hpolab_diag warn = {0};
    assert_int_equal(hpolab_collect_find(&q, &c, &warn, NULL), HPOLAB_OK);
    struct hpolab_plot_params p;
    params(&p, "{\"subplot\": \"seed {seed}\", \"nrows\": 2}");
    struct hpolab_compare cmp;
    struct hpolab_error err;
    assert_int_equal(hpolab_compare_build(&c, &p, &cmp, &warn, &err),
                     HPOLAB_OK);
    const struct hpolab_figure *f = cmp.figure;
    assert_int_equal(hpolab_figure_subplot_count(f), 2);
    uint32_t rows, cols, r, col;
    hpolab_figure_grid(f, &rows, &cols);
    assert_true(rows == 2 && cols == 1);
    hpolab_figure_subplot_cell(f, 1, &r, &col);
    assert_true(r == 1 && col == 0);
    assert_string_equal(hpolab_figure_subplot_title(f, 0), "seed 0");
    /* seed 0: A and B; seed 1: A only, with A's colour */
    assert_int_equal(hpolab_figure_series_count(f, 0), 2);
    assert_int_equal(hpolab_figure_series_count(f, 1), 1);
    assert_string_equal(hpolab_figure_series_name(f, 1, 0), "A");
    assert_int_equal(hpolab_figure_series_color(f, 1, 0),
                     hpolab_figure_series_color(f, 0, 0));
    assert_int_equal(hpolab_figure_series_color(f, 0, 1), 1);
    double a, b, a2, b2;
    hpolab_figure_subplot_xrange(f, 0, &a, &b);
    hpolab_figure_subplot_xrange(f, 1, &a2, &b2);
    assert_true(a == 1 && b == 3 && a2 == a && b2 == b);
    hpolab_figure_subplot_yrange(f, 0, &a, &b);
    hpolab_figure_subplot_yrange(f, 1, &a2, &b2);
    assert_true(a2 == a && b2 == b && a < 0.1 && b > 0.5);
    assert_true(hpolab_figure_flags(f) & HPOLAB_FIGURE_SHARE_Y);
    hpolab_compare_free(&cmp);
    hpolab_plot_params_free(&p);
    hpolab_collection_free(&c);
    hpolab_diag_free(&warn);
}

static int have_gnuplot(void)
{
    return access("/usr/bin/gnuplot", X_OK) == 0 ||
           access("/usr/local/bin/gnuplot", X_OK) == 0;
}

/* Width and height from a PNG's IHDR chunk. */
static void png_size(const char *path, uint32_t *w, uint32_t *h)
{
    size_t len = 0;
    unsigned char *d = (unsigned char *)fx_read(path, &len);
    assert_non_null(d);
    assert_true(len > 24);
    assert_memory_equal(d, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(d + 12, "IHDR", 4);
    *w = (uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 |
         d[19];
    *h = (uint32_t)d[20] << 24 | (uint32_t)d[21] << 16 | (uint32_t)d[22] << 8 |
         d[23];
    free(d);
}

static void test_png_of_requested_size_and_legend(void **state)
{
    (void)state;
    if (!have_gnuplot()) {
        print_message("gnuplot is not installed: skipped\n");
        skip();
    }
    const char *name = "It's \"BO\" \xe2\x80\x94 caf\xc3\xa9 x";
    char *md = fx_metadata("legend", name, 0);
    fx_experiment(root, "legend-toy-0-2026-01-01-10-00-00-000", md,
                  "trial_id,loss,st_tuner_time\n0,0.5,1\n1,0.25,2\n");
    free(md);
    struct hpolab_collection c;
    collect("legend", &c);
    struct hpolab_plot_params p;
    params(&p, "{\"size\": \"640x480\", \"title\": \"a 'quoted' title\"}");
    struct hpolab_compare cmp;
    struct hpolab_error err;
    struct hpolab_diag warn = {0};
    assert_int_equal(hpolab_compare_build(&c, &p, &cmp, &warn, &err),
                     HPOLAB_OK);
    hpolab_diag_free(&warn);
    char stem[4096], path[4096];
    snprintf(stem, sizeof stem, "%s/png/legend plot", root);
    fx_write(root, "png/.keep", "", 0);
    int32_t rc = render(cmp.figure, stem, "{\"format\": \"png,svg\"}", &err);
    if (rc != HPOLAB_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, HPOLAB_OK);
    uint32_t w, h;
    snprintf(path, sizeof path, "%s.png", stem);
    png_size(path, &w, &h);
    assert_int_equal(w, 640);
    assert_int_equal(h, 480);
    /* the name reaches the legend intact: in the script, and in the SVG
     * gnuplot drew (XML-escaped there) */
    snprintf(path, sizeof path, "%s.gp", stem);
    char *gp = fx_read(path, NULL);
    assert_non_null(strstr(gp, "title 'It''s \"BO\" \xe2\x80\x94 caf\xc3\xa9 "
                               "x'"));
    free(gp);
    snprintf(path, sizeof path, "%s.svg", stem);
    char *svg = fx_read(path, NULL);
    assert_non_null(svg);
    assert_non_null(strstr(svg, "It's &quot;BO&quot; \xe2\x80\x94 caf\xc3\xa9 x") ?
                        (void *)1 :
                        strstr(svg, "It's \"BO\" \xe2\x80\x94 caf\xc3\xa9 x"));
    free(svg);
    hpolab_compare_free(&cmp);
    hpolab_plot_params_free(&p);
    hpolab_collection_free(&c);
}

static void test_per_trial(void **state)
{
    (void)state;
    char *md = fx_metadata("trials", "ASHA", 3);
    /* trial 0 paused at t=2 and resumed at t=5; trial 1 a single row */
    fx_experiment(root, "trials-toy-3-2026-01-01-10-00-00-000", md,
                  "trial_id,loss,st_tuner_time,st_decision\n"
                  "0,0.9,1,CONTINUE\n0,0.8,2,PAUSE\n1,0.7,3,STOP\n"
                  "0,0.6,5,CONTINUE\n0,0.5,6,STOP\n");
    free(md);
    struct hpolab_collection c;
    collect("trials", &c);
    struct hpolab_plot_params p;
    params(&p, "{}");
    struct hpolab_figure *fig = NULL;
    size_t n = 0;
    struct hpolab_error err;
    struct hpolab_diag w0 = {0};
    assert_int_equal(hpolab_trials_build(&c, &p, 3, &fig, &n, &w0, &err),
                     HPOLAB_OK);
    hpolab_diag_free(&w0);
    assert_int_equal(n, 2);
    assert_int_equal(hpolab_figure_subplot_count(fig), 1);
    assert_string_equal(hpolab_figure_subplot_title(fig, 0), "ASHA");
    /* colour 0: trial 0's line with a gap, its diamond (stopped); colour 1:
     * trial 1's one point and its diamond (stopped at its only row) */
    assert_int_equal(hpolab_figure_series_count(fig, 0), 4);
    assert_int_equal(hpolab_figure_series_style(fig, 0, 0), HPOLAB_SERIES_LINE);
    assert_int_equal(hpolab_figure_series_length(fig, 0, 0), 5);
    const double *x = hpolab_figure_series_x(fig, 0, 0);
    assert_true(x[0] == 1 && x[1] == 2 && isnan(x[2]) && x[3] == 5 &&
                x[4] == 6);
    assert_int_equal(hpolab_figure_series_style(fig, 0, 1),
                     HPOLAB_SERIES_DIAMONDS);
    assert_true(hpolab_figure_series_y(fig, 0, 1)[0] == 0.5);
    assert_int_equal(hpolab_figure_series_color(fig, 0, 2), 1);
    assert_int_equal(hpolab_figure_series_length(fig, 0, 2), 1);
    assert_int_equal(hpolab_figure_series_style(fig, 0, 3),
                     HPOLAB_SERIES_DIAMONDS);
    /* another seed: nothing to draw */
    struct hpolab_figure *none = NULL;
    struct hpolab_diag warn = {0};
    assert_int_equal(hpolab_trials_build(&c, &p, 4, &none, NULL, &warn, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_string_equal(warn.lines[0],
                        "setup = ASHA has no experiment with seed 4");
    hpolab_diag_free(&warn);
    hpolab_figure_free(fig);
    hpolab_plot_params_free(&p);
    hpolab_collection_free(&c);
}

static void test_accessors_out_of_range(void **state)
{
    (void)state;
    struct hpolab_figure *f;
    assert_int_equal(hpolab_figure_create(1, 1, &f, NULL), HPOLAB_OK);
    assert_int_equal(hpolab_figure_series_count(f, 3), 0);
    assert_null(hpolab_figure_series_x(f, 0, 0));
    assert_string_equal(hpolab_figure_subplot_title(f, 9), "");
    double lo = 0, hi = 0;
    hpolab_figure_subplot_xrange(f, 5, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    hpolab_figure_free(f);
}

static void test_abi10_plotter_loads(void **state)
{
    (void)state;
    struct hpolab_registry *r;
    struct hpolab_error err;
    assert_int_equal(hpolab_registry_create(&r, &err), HPOLAB_OK);
    int32_t rc = hpolab_loader_load_file(
        r, PLOT_FX_DIR "/hpolab-plotter_fx_abi10.so", &err);
    if (rc != HPOLAB_OK)
        print_error("%s\n", err.message);
    assert_int_equal(rc, HPOLAB_OK);
    assert_int_equal(hpolab_registry_plugin_at(r, 0)->abi_minor, 0);
    struct hpolab_figure *f;
    assert_int_equal(hpolab_figure_create(1, 2, &f, NULL), HPOLAB_OK);
    size_t k;
    hpolab_figure_add_subplot(f, "x", 0, 0, &k, NULL);
    hpolab_figure_add_subplot(f, "y", 0, 1, &k, NULL);
    /* the fixture answers with what the 1.1 accessors told it */
    assert_int_equal(hpolab_plot_render(r, "fx_abi10", NULL, f, "/nonexistent",
                                        &err),
                     HPOLAB_ERR_EXISTS);
    assert_string_equal(err.message, "[plotter:fx_abi10] subplots=2");
    hpolab_figure_free(f);
    hpolab_registry_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_small_study),
        cmocka_unit_test(test_subplots),
        cmocka_unit_test(test_png_of_requested_size_and_legend),
        cmocka_unit_test(test_per_trial),
        cmocka_unit_test(test_accessors_out_of_range),
        cmocka_unit_test(test_abi10_plotter_loads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
