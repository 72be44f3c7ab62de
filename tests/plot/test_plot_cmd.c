/* test_plot_cmd.c: `hpolab plot` end to end, and every bad-input case of
 * issue 5 with its message and exit status: no experiment matches; a
 * results file truncated, not a zip, or without the metric column; metadata
 * without the setup key; a listed setup not found; bad parameters (command
 * line and the study's plot section); gnuplot missing; several benchmarks.
 * Exit status is non-zero only when nothing could be drawn (or the input
 * itself is wrong: 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "plot_fixture.h"

#define GOOD "trial_id,loss,st_tuner_time\n0,0.5,1\n1,0.25,2\n2,0.2,3\n"

static char *root;

static void add(const char *rel, const char *tag, const char *alg, int seed,
                const char *csv)
{
    char *md = fx_metadata(tag, alg, seed);
    fx_experiment(root, rel, md, csv);
    free(md);
}

static int setup(void **state)
{
    (void)state;
    root = fx_tmpdir("cmd");
    add("mixed-toy-0-2026-01-01-10-00-00-000", "mixed", "RS", 0, GOOD);
    add("mixed-toy-1-2026-01-01-10-00-01-000", "mixed", "RS", 1, GOOD);
    add("mixed-toy-0-2026-01-01-10-00-02-000", "mixed", "ASHA", 0,
        "trial_id,acc,st_tuner_time\n0,0.5,1\n");
    add("mixed-toy-1-2026-01-01-10-00-03-000", "mixed", "ASHA", 1, NULL);
    fx_write(root, "mixed-toy-1-2026-01-01-10-00-03-000/results.csv.zip",
             "not a zip at all", 16);
    add("mixed-toy-2-2026-01-01-10-00-04-000", "mixed", "ASHA", 2,
        GOOD GOOD GOOD);
    char path[4096];
    snprintf(path, sizeof path,
             "%s/mixed-toy-2-2026-01-01-10-00-04-000/results.csv.zip", root);
    size_t len;
    char *zip = fx_read(path, &len);
    fx_write(root, "mixed-toy-2-2026-01-01-10-00-04-000/results.csv.zip", zip,
             len - 10);
    free(zip);
    const char *nokey = "{\"seed\": 3, \"tag\": \"mixed\", \"benchmark\": "
                        "\"toy\", \"st_tuner_creation_timestamp\": 1.0, "
                        "\"metric_names\": [\"loss\"]}";
    fx_experiment(root, "mixed-toy-3-2026-01-01-10-00-05-000", nokey, GOOD);
    add("allbad-toy-0-2026-01-01-10-00-00-000", "allbad", "RS", 0,
        "trial_id,acc,st_tuner_time\n0,0.5,1\n");
    /* two benchmarks under one tag */
    add("twob-toy-0-2026-01-01-10-00-00-000", "twob", "RS", 0, GOOD);
    fx_experiment(root, "twob-other-0-2026-01-01-10-00-00-000",
                  "{\"seed\": 0, \"algorithm\": \"RS\", \"tag\": \"twob\", "
                  "\"benchmark\": \"other\", "
                  "\"st_tuner_creation_timestamp\": 1.0, \"metric_names\": "
                  "[\"loss\"]}",
                  GOOD);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_rm_rf(root);
    free(root);
    return 0;
}

/* Runs hpolab plot with the results root and the extra arguments. */
static int plot(char **out, char **err, ...)
{
    const char *argv[64] = {"hpolab", "plot", "--results_dir", root};
    int n = 4;
    va_list ap;
    va_start(ap, err);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 62)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return fx_hpolab(root, argv, out, err);
}

static void has(const char *text, const char *needle)
{
    if (!strstr(text, needle)) {
        print_error("missing: %s\n--- in:\n%s\n", needle, text);
        fail();
    }
}

static int exists(const char *rel)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return stat(path, &st) == 0;
}

static void test_no_experiment_matches(void **state)
{
    (void)state;
    char *out, *err, want[4096];
    assert_int_equal(plot(&out, &err, "nothing", NULL), 1);
    snprintf(want, sizeof want,
             "hpolab plot: no experiment matches: looked for %s/nothing-*/ "
             "and %s/nothing/*/nothing-*/ (0 experiment folders seen)\n",
             root, root);
    assert_string_equal(err, want);
    free(out);
    free(err);
}

static void test_bad_files_warn_and_the_rest_is_drawn(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(plot(&out, &err, "mixed", "--format", "png",
                          "--no_render", NULL),
                     0);
    /* each bad folder or file named once, with what is wrong */
    has(err, "mixed-toy-3-2026-01-01-10-00-05-000/metadata.json: no key "
             "'algorithm' (for 'algorithm'); skipped");
    has(err, "mixed-toy-0-2026-01-01-10-00-02-000/results.csv.zip: no "
             "column 'loss'; the columns are: trial_id, acc, st_tuner_time; "
             "skipped");
    has(err, "mixed-toy-1-2026-01-01-10-00-03-000/results.csv.zip: not a zip "
             "archive (read as CSV text it has no column 'st_tuner_time'); "
             "skipped");
    has(err, "mixed-toy-2-2026-01-01-10-00-04-000/results.csv.zip: not a "
             "readable zip archive");
    /* expected runs default to the most any setup has (3, ASHA's) */
    has(err, "setup = RS has 2 repeats instead of 3 (missing runs): "
             "mixed-toy-0-2026-01-01-10-00-00-000, "
             "mixed-toy-1-2026-01-01-10-00-01-000");
    has(out, "1 curves from 2 experiments; metric loss\n");
    has(out, "RS        2  0.2          [0.2, 0.2]");
    assert_true(exists("mixed.gp") && exists("mixed.dat"));
    assert_true(exists("mixed-summary.csv") && exists("mixed-summary.md"));
    assert_false(exists("mixed.png")); /* --no_render */
    free(out);
    free(err);
}

static void test_nothing_drawable(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(plot(&out, &err, "allbad", NULL), 1);
    has(err, "no column 'loss'");
    has(err, "hpolab plot: nothing to draw: none of the 1 experiments found "
             "has usable results for 'loss'\n");
    free(out);
    free(err);
}

static void test_listed_setup_missing(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(plot(&out, &err, "mixed", "--setups", "RS,BO",
                          "--no_render", "--output", "listed/x", NULL),
                     0);
    has(err, "hpolab plot: warning: setup 'BO' is listed in setups, but no "
             "experiment found has it (setup template 'algorithm')\n");
    has(err, "setup 'ASHA' (3 experiments) is not listed in setups; not "
             "drawn");
    assert_true(exists("listed/x.gp"));
    free(out);
    free(err);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(plot(&out, &err, "mixed", "--aggregate", "mean", NULL), 2);
    assert_string_equal(err, "hpolab plot: --aggregate: aggregate mode 'mean' "
                             "is not supported; use mean_and_ci, "
                             "median_percentiles or iqm_bootstrap\n");
    free(out);
    free(err);
    assert_int_equal(plot(&out, &err, "mixed", "--xlim", "5,1", NULL), 2);
    assert_string_equal(err, "hpolab plot: --xlim: expected [low, high] (or "
                             "\"low,high\") with low < high, got \"5,1\"\n");
    free(out);
    free(err);
    assert_int_equal(plot(&out, &err, "mixed", "--since", "yesterday", NULL),
                     2);
    has(err, "since: expected a UTC date-time YYYY-MM-DD-HH-MM-SS");
    free(out);
    free(err);
    assert_int_equal(plot(&out, &err, NULL), 2);
    has(err, "give the experiment tag");
    free(out);
    free(err);
}

static void test_study_plot_section(void **state)
{
    (void)state;
    const char *bad = "{\"name\": \"mixed\", \"plot\": {\"aggregat\": "
                      "\"mean_and_ci\"}}";
    fx_write(root, "bad_study.json", bad, strlen(bad));
    char *out, *err;
    assert_int_equal(plot(&out, &err, "--study", "bad_study.json", NULL), 2);
    assert_string_equal(err, "bad_study.json: plot: unknown key 'aggregat' (did "
                             "you mean 'aggregate'?)\n");
    free(out);
    free(err);
    /* a valid section: its title reaches the script; the command line wins */
    const char *good =
        "{\"name\": \"mixed\", \"benchmarks\": {}, \"methods\": {}, \"plot\": "
        "{\"title\": \"From the study\", \"setups\": [\"RS\"], \"xlabel\": "
        "\"study x\"}}";
    fx_write(root, "study.json", good, strlen(good));
    assert_int_equal(plot(&out, &err, "--study", "study.json", "--xlabel",
                          "cli x", "--output", "st/fig", "--no_render", NULL),
                     0);
    free(out);
    free(err);
    char path[4096];
    snprintf(path, sizeof path, "%s/st/fig.gp", root);
    char *gp = fx_read(path, NULL);
    assert_non_null(gp);
    has(gp, "set multiplot title 'From the study'");
    has(gp, "set xlabel 'cli x'");
    free(gp);
}

static void test_gnuplot_missing(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(plot(&out, &err, "mixed", "--gnuplot",
                          "/nonexistent/gnuplot", "--output", "nogp/fig",
                          NULL),
                     0);
    has(err, "[plotter:gnuplot] gnuplot ('/nonexistent/gnuplot') is not "
             "installed or not on PATH: the script nogp/fig.gp and its data "
             "are written; render them with: cd 'nogp' && gnuplot 'fig.gp'");
    assert_true(exists("nogp/fig.gp") && !exists("nogp/fig.png"));
    free(out);
    free(err);
}

static void test_two_benchmarks(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(plot(&out, &err, "twob", NULL), 2);
    has(err, "hpolab plot: the experiments found hold 2 benchmarks (other, "
             "toy): choose one with --benchmark\n");
    free(out);
    free(err);
    assert_int_equal(plot(&out, &err, "twob", "--benchmark", "toy",
                          "--no_render", NULL),
                     0);
    has(out, "1 curves from 1 experiments");
    free(out);
    free(err);
}

static void test_per_trial_command(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(plot(&out, &err, "mixed", "--per-trial", "--seed", "1",
                          "--no_render", NULL),
                     0);
    has(out, "3 trials of seed 1 drawn\n");
    has(err, "mixed-toy-1-2026-01-01-10-00-03-000/results.csv.zip");
    assert_true(exists("mixed-trials-seed1.gp"));
    free(out);
    free(err);
}

/* Syne Tune's own folder (tests/data/syne-tune, made as Syne Tune 0.13 and
 * pandas write it) is read and plotted. */
static void test_syne_tune_fixture_plotted(void **state)
{
    (void)state;
    char data[4096], stem[4096];
    snprintf(data, sizeof data, "%s/tests/data/syne-tune",
             HPOLAB_TEST_SOURCE_DIR);
    snprintf(stem, sizeof stem, "%s/st/odsc", root);
    const char *argv[] = {"hpolab", "plot", "odsc-1", "--results_dir", data,
                          "--output", stem, "--no_render", NULL};
    char *out, *err;
    assert_int_equal(fx_hpolab(root, argv, &out, &err), 0);
    has(out, "1 curves from 1 experiments; metric val_loss\n");
    has(out, "ASHA      1  5.125"); /* min over 6.25, 7.5, 5.125, (missing) */
    assert_string_equal(err, "");
    assert_true(exists("st/odsc.gp") && exists("st/odsc-summary.md"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_experiment_matches),
        cmocka_unit_test(test_bad_files_warn_and_the_rest_is_drawn),
        cmocka_unit_test(test_nothing_drawable),
        cmocka_unit_test(test_listed_setup_missing),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_study_plot_section),
        cmocka_unit_test(test_gnuplot_missing),
        cmocka_unit_test(test_two_benchmarks),
        cmocka_unit_test(test_per_trial_command),
        cmocka_unit_test(test_syne_tune_fixture_plotted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
