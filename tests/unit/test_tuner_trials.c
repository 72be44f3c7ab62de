/* What the tuner keeps of a trial (tuner_internal.h), looked at after
 * studies of a few hundred trials on the simulator backend (no processes,
 * simulated clock): a trial that ended (completed, stopped or failed) keeps
 * no run record (16 bytes in all), and the tuner its configuration only
 * while it is the best; a paused trial keeps its run record, for its
 * resume; the summary's best configuration is
 * the best row's of results.csv.zip. The same after --resume rebuilt the
 * trials from the journal. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "plugin_loader.h"
#include "registry.h"
#include "results_table.h"
#include "results_zip.h"
#include "space_fixture.h"
#include "stop_criterion.h"
#include "tuner.h"
#include "tuner_internal.h"
#include "tuner_journal.h"

#define R 9 /* the full resource: epochs 1..9 */

struct fx {
    char dir[256];
    struct hpolab_registry *reg;
    struct hpolab_space *space;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hpolab-trials-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    struct hpolab_error err;
    assert_int_equal(hpolab_registry_create(&f->reg, &err), HPOLAB_OK);
    const char *plugins[] = {"backend_simulator", "scheduler_fifo",
                             "scheduler_asha", "searcher_random"};
    for (size_t i = 0; i < sizeof plugins / sizeof plugins[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/hpolab-%s.so", HPOLAB_TEST_PLUGIN_DIR,
                 plugins[i]);
        if (hpolab_loader_load_file(f->reg, path, &err) != HPOLAB_OK) {
            print_error("%s\n", err.message);
            return -1;
        }
    }
    char space[256];
    snprintf(space, sizeof space,
             "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, \"upper\": "
             "10}, \"x2\": {\"domain\": \"uniform\", \"lower\": 0, "
             "\"upper\": 15}, \"epochs\": %d}",
             R);
    f->space = space_from(space);
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    hpolab_space_free(f->space);
    hpolab_registry_destroy(f->reg);
    free(f);
    return 0;
}

/* Runs (or resumes) experiment <dir>/<name> until max_started trials
 * started; returns the tuner [owned: hpolab_tuner_destroy] after its run,
 * for a look at its trials. */
static struct hpolab_tuner *run(struct fx *f, const char *name,
                                const char *scheduler,
                                const char *sched_options, int64_t max_started,
                                int resume, struct hpolab_stop_criterion *sc)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", f->dir, name);
    hpolab_stop_criterion_init(sc);
    sc->max_num_trials_started = max_started;
    char bopts[128];
    snprintf(bopts, sizeof bopts,
             "{\"benchmark\": \"branin_curves\", \"max_resource\": %d}", R);
    json_t *backend_options = json_loads(bopts, 0, NULL);
    json_t *scheduler_options = json_loads(sched_options, 0, NULL);
    assert_non_null(backend_options);
    assert_non_null(scheduler_options);
    struct hpolab_tuner_options o = {
        .registry = f->reg,
        .experiment_dir = dir,
        .space = f->space,
        .metric = "value",
        .mode = HPOLAB_MODE_MIN,
        .resource_attr = "epoch",
        .max_resource_attr = "epochs",
        .n_workers = 4,
        .max_failures = -1,
        .stop = sc,
        .method_name = "m",
        .scheduler = scheduler,
        .searcher = "random",
        .scheduler_options = scheduler_options,
        .random_seed = 7,
        .backend = "simulator",
        .backend_options = backend_options,
        .results_update_interval = 1e9,
        .stop_grace_period = 0,
        .resume = resume,
    };
    struct hpolab_tuner *t = NULL;
    struct hpolab_error err;
    if (hpolab_tuner_create(&o, &t, &err) != HPOLAB_OK ||
        hpolab_tuner_run(t, &err) != HPOLAB_OK)
        fail_msg("tuner: %s", err.message);
    /* the tuner keeps pointers into o's strings only, not to the JSON */
    json_decref(backend_options);
    json_decref(scheduler_options);
    return t;
}

/* The invariant, trial by trial; returns the number of paused trials, and
 * in *ended_out those that ended. */
static int64_t check_trials(const struct hpolab_tuner *t, int64_t *ended_out)
{
    const struct hpolab_tuner_summary *s = hpolab_tuner_summary(t);
    assert_true(s->has_best);
    int64_t paused = 0, ended = 0;
    for (int64_t id = 0; id < t->num_trials; id++) {
        const struct tuner_trial *tr = &t->trials[id];
        int has_ended = hpolab_trial_has_ended(tr->status);
        ended += has_ended;
        paused += tr->status == HPOLAB_TRIAL_PAUSED;
        if (has_ended != (tr->run == NULL))
            fail_msg("trial %lld (%s): run record %s", (long long)id,
                     hpolab_trial_status_name(tr->status),
                     tr->run ? "kept" : "gone");
        int keep = !has_ended || id == s->best_trial;
        const struct hpolab_config *c = hpolab_tuner_trial_config(t, id);
        if (keep != (c != NULL))
            fail_msg("trial %lld (%s%s): configuration %s", (long long)id,
                     hpolab_trial_status_name(tr->status),
                     id == s->best_trial ? ", the best" : "",
                     c ? "kept" : "gone");
    }
    /* the tuner's copy of the best configuration exists only once that
     * trial's own is gone */
    assert_int_equal(t->best_config != NULL,
                     t->trials[s->best_trial].run == NULL);
    /* what a finished trial costs */
    assert_true(sizeof(struct tuner_trial) <= 16);
    *ended_out = ended;
    return paused;
}

static double cell(const struct hpolab_record *row, const char *name)
{
    double x = NAN;
    assert_int_equal(hpolab_value_as_double(hpolab_record_get(row, name), &x),
                     HPOLAB_OK);
    return x;
}

/* The summary's best is the best row of results.csv.zip, and its
 * configuration that row's. */
static void check_best(struct fx *f, const char *name,
                       const struct hpolab_tuner *t)
{
    const struct hpolab_tuner_summary *s = hpolab_tuner_summary(t);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", f->dir, name);
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(dir, &res, &err), HPOLAB_OK);
    const struct hpolab_record *best = NULL;
    for (size_t i = 0; i < hpolab_results_row_count(res); i++) {
        const struct hpolab_record *row = hpolab_results_row(res, i);
        if (!best || cell(row, "value") < cell(best, "value"))
            best = row;
    }
    assert_non_null(best);
    assert_true(cell(best, "value") == s->best);
    assert_int_equal((int64_t)cell(best, "trial_id"), s->best_trial);
    assert_non_null(s->best_config_json);
    json_t *cfg = json_loads(s->best_config_json, 0, NULL);
    assert_non_null(cfg);
    assert_true(json_number_value(json_object_get(cfg, "x1")) ==
                cell(best, "config_x1"));
    assert_true(json_number_value(json_object_get(cfg, "x2")) ==
                cell(best, "config_x2"));
    json_decref(cfg);
    hpolab_results_free(res);
}

static void test_fifo_completed(void **state)
{
    struct fx *f = *state;
    struct hpolab_stop_criterion sc;
    struct hpolab_tuner *t = run(f, "fifo", "fifo", "{}", 400, 0, &sc);
    const struct hpolab_tuner_summary *s = hpolab_tuner_summary(t);
    assert_true(s->trials_completed >= 390);
    int64_t ended;
    assert_int_equal(check_trials(t, &ended), 0);
    assert_int_equal(ended, t->num_trials);
    check_best(f, "fifo", t);
    hpolab_tuner_destroy(t);
    hpolab_stop_criterion_free(&sc);
}

/* Stopped by decision: ended too, without reaching on_trial_complete. */
static void test_asha_stopping(void **state)
{
    struct fx *f = *state;
    struct hpolab_stop_criterion sc;
    struct hpolab_tuner *t = run(f, "stop", "asha",
                                 "{\"type\": \"stopping\", \"max_t\": 9}",
                                 300, 0, &sc);
    assert_true(hpolab_tuner_summary(t)->trials_stopped > 100);
    int64_t ended;
    assert_int_equal(check_trials(t, &ended), 0);
    assert_int_equal(ended, t->num_trials);
    check_best(f, "stop", t);
    hpolab_tuner_destroy(t);
    hpolab_stop_criterion_free(&sc);
}

/* Paused trials keep what a resume needs; after --resume rebuilt the trials
 * from the journal, the same holds. */
static void test_asha_promotion_and_resume(void **state)
{
    struct fx *f = *state;
    const char *opts = "{\"type\": \"promotion\", \"max_t\": 9}";
    struct hpolab_stop_criterion sc;
    struct hpolab_tuner *t = run(f, "promo", "asha", opts, 300, 0, &sc);
    int64_t ended;
    assert_true(check_trials(t, &ended) > 100);
    assert_true(ended > 10);
    check_best(f, "promo", t);
    int64_t trials = t->num_trials;
    hpolab_tuner_destroy(t);
    hpolab_stop_criterion_free(&sc);

    /* the journal without its "end" line: a run killed at its last step */
    char path[600];
    snprintf(path, sizeof path, "%s/promo/" HPOLAB_JOURNAL_FILE, f->dir);
    char *data;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_read_file(path, &data, &len, &err), HPOLAB_OK);
    size_t cut = len - 1;
    while (cut > 0 && data[cut - 1] != '\n')
        cut--;
    assert_non_null(strstr(data + cut, "\"ev\":\"end\""));
    assert_int_equal(truncate(path, (off_t)cut), 0);
    free(data);
    t = run(f, "promo", "asha", opts, trials + 20, 1, &sc);
    assert_true(t->num_trials >= trials + 20);
    assert_true(check_trials(t, &ended) > 100);
    assert_true(ended > 10);
    check_best(f, "promo", t);
    hpolab_tuner_destroy(t);
    hpolab_stop_criterion_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_completed),
        cmocka_unit_test(test_asha_stopping),
        cmocka_unit_test(test_asha_promotion_and_resume),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
