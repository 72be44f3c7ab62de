/* test_resume_tuner.c: --resume at the tuner level (real trial processes of
 * the fixture script, FIFO + random search, one worker): an experiment cut
 * short and resumed makes the same suggestions as one that ran through,
 * from the scheduler snapshot and from a replay of the whole journal; a
 * cut last journal line is ignored with a warning; a changed journal
 * answer is reported as non-determinism; records survive the journal. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsutil.h"
#include "log.h"
#include "plugin_loader.h"
#include "record.h"
#include "registry.h"
#include "results_table.h"
#include "results_zip.h"
#include "resume_find.h"
#include "space_fixture.h"
#include "tuner.h"
#include "tuner_journal.h"

struct fx {
    char dir[256];
    struct hpolab_registry *reg;
    struct hpolab_space *space;
    char log[65536]; /* warnings and infos seen */
    uint32_t seed_offset;
};

static void sink(int32_t level, const char *line, void *user)
{
    struct fx *f = user;
    (void)level;
    size_t n = strlen(f->log);
    snprintf(f->log + n, sizeof f->log - n, "%s\n", line);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hpolab-resume-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    struct hpolab_error err;
    assert_int_equal(hpolab_registry_create(&f->reg, &err), HPOLAB_OK);
    const char *plugins[] = {"backend_local", "scheduler_fifo",
                             "searcher_random"};
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/hpolab-%s.so", HPOLAB_TEST_PLUGIN_DIR,
                 plugins[i]);
        assert_int_equal(hpolab_loader_load_file(f->reg, path, &err),
                         HPOLAB_OK);
    }
    f->space = space_from("{\"x\": {\"domain\": \"uniform\", \"lower\": 0, "
                          "\"upper\": 1}, \"epochs\": 2}");
    hpolab_log_set_sink(sink, f);
    hpolab_log_set_level(HPOLAB_LOG_INFO);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    hpolab_log_set_sink(NULL, NULL);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    hpolab_space_free(f->space);
    hpolab_registry_destroy(f->reg);
    free(f);
    return 0;
}

/* Runs (or resumes) experiment <dir>/<name> until more than max_started
 * trials started. Returns the tuner's status. */
static int32_t run(struct fx *f, const char *name, int64_t max_started,
                   int resume)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", f->dir, name);
    const char *argv[] = {HPOLAB_TEST_FIXTURE};
    struct hpolab_stop_criterion sc;
    hpolab_stop_criterion_init(&sc);
    sc.max_num_trials_started = max_started;
    struct hpolab_tuner_options o = {
        .registry = f->reg,
        .experiment_dir = dir,
        .entry_argv = argv,
        .entry_argc = 1,
        .space = f->space,
        .metric = "loss",
        .mode = HPOLAB_MODE_MIN,
        .resource_attr = "epoch",
        .n_workers = 1,
        .max_failures = 0,
        .stop = &sc,
        .method_name = "RS",
        .scheduler = "fifo",
        .searcher = "random",
        .random_seed = 1234 + f->seed_offset,
        .backend = "local",
        .results_update_interval = 0,
        .stop_grace_period = 1,
        .resume = resume,
    };
    struct hpolab_tuner *t = NULL;
    struct hpolab_error err;
    int32_t st = hpolab_tuner_create(&o, &t, &err);
    assert_int_equal(st, HPOLAB_OK);
    st = hpolab_tuner_run(t, &err);
    if (st != HPOLAB_OK)
        print_message("tuner: %s\n", err.message);
    hpolab_tuner_destroy(t);
    hpolab_stop_criterion_free(&sc);
    return st;
}

static struct hpolab_results *results_of(struct fx *f, const char *name)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", f->dir, name);
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(dir, &r, &err), HPOLAB_OK);
    return r;
}

/* The value of config_x of trial id in the results (the first row). */
static double config_x(const struct hpolab_results *r, int64_t id)
{
    for (size_t i = 0; i < hpolab_results_row_count(r); i++) {
        const struct hpolab_record *row = hpolab_results_row(r, i);
        double tid, x;
        assert_int_equal(hpolab_value_as_double(
                             hpolab_record_get(row, "trial_id"), &tid),
                         HPOLAB_OK);
        if ((int64_t)tid == id) {
            assert_int_equal(hpolab_value_as_double(
                                 hpolab_record_get(row, "config_x"), &x),
                             HPOLAB_OK);
            return x;
        }
    }
    fail_msg("trial %lld has no row", (long long)id);
    return NAN;
}

/* No (trial_id, epoch) twice; returns the number of distinct trials. */
static int64_t check_unique(const struct hpolab_results *r)
{
    size_t n = hpolab_results_row_count(r);
    int64_t max_id = -1;
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_record *a = hpolab_results_row(r, i);
        double ta, ea;
        hpolab_value_as_double(hpolab_record_get(a, "trial_id"), &ta);
        hpolab_value_as_double(hpolab_record_get(a, "epoch"), &ea);
        if ((int64_t)ta > max_id)
            max_id = (int64_t)ta;
        for (size_t j = i + 1; j < n; j++) {
            const struct hpolab_record *b = hpolab_results_row(r, j);
            double tb, eb;
            hpolab_value_as_double(hpolab_record_get(b, "trial_id"), &tb);
            hpolab_value_as_double(hpolab_record_get(b, "epoch"), &eb);
            if (ta == tb && ea == eb)
                fail_msg("trial %g epoch %g has two rows", ta, ea);
        }
    }
    return max_id + 1;
}

static char *journal_path(struct fx *f, const char *name)
{
    char *p = malloc(600);
    snprintf(p, 600, "%s/%s/" HPOLAB_JOURNAL_FILE, f->dir, name);
    return p;
}

/* Removes the journal's last line (the "end" of a finished run: the run
 * then looks killed right after its last step). */
static void drop_last_line(struct fx *f, const char *name)
{
    char *path = journal_path(f, name);
    char *data;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_read_file(path, &data, &len, &err), HPOLAB_OK);
    assert_true(len > 1 && data[len - 1] == '\n');
    size_t cut = len - 1;
    while (cut > 0 && data[cut - 1] != '\n')
        cut--;
    assert_non_null(strstr(data + cut, "\"ev\":\"end\""));
    assert_int_equal(truncate(path, (off_t)cut), 0);
    free(data);
    free(path);
}

static void remove_file(struct fx *f, const char *name, const char *file)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s/%s", f->dir, name, file);
    assert_int_equal(unlink(path), 0);
}

/* Cut after 3 trials, resumed up to 6: the same configurations as a run
 * that went through, and every (trial, epoch) once. */
static void cut_and_resume(struct fx *f, int keep_snapshot)
{
    assert_int_equal(run(f, "whole", 5, 0), HPOLAB_OK);
    assert_int_equal(run(f, "cut", 2, 0), HPOLAB_OK);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/cut", f->dir);
    assert_int_equal(hpolab_experiment_state(dir), HPOLAB_EXPERIMENT_COMPLETE);
    drop_last_line(f, "cut");
    assert_int_equal(hpolab_experiment_state(dir), HPOLAB_EXPERIMENT_PARTIAL);
    if (!keep_snapshot)
        remove_file(f, "cut", HPOLAB_SNAPSHOT_FILE);
    struct hpolab_results *before = results_of(f, "cut");
    f->log[0] = '\0';
    assert_int_equal(run(f, "cut", 5, 1), HPOLAB_OK);
    /* the snapshot spares the replay: the scheduler hears only what came
     * after it (here: nothing) */
    if (keep_snapshot)
        assert_null(strstr(f->log, "scheduler replayed from line 1)"));
    else
        assert_non_null(strstr(f->log, "scheduler replayed from line 1)"));
    assert_null(strstr(f->log, "not deterministic"));
    struct hpolab_results *whole = results_of(f, "whole");
    struct hpolab_results *resumed = results_of(f, "cut");
    /* the last trial may end before its first report (the criterion fires
     * right after it starts) */
    int64_t n_whole = check_unique(whole), n_resumed = check_unique(resumed);
    assert_true(n_whole >= 5 && n_resumed >= 5);
    for (int64_t id = 0; id < 5; id++)
        assert_true(config_x(whole, id) == config_x(resumed, id));
    /* rows written before the kill stay as they were, first */
    for (size_t i = 0; i < hpolab_results_row_count(before); i++) {
        char *a = hpolab_record_to_json_text(hpolab_results_row(before, i));
        char *b = hpolab_record_to_json_text(hpolab_results_row(resumed, i));
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    /* trial 2 ran when the first tuner ended: it was started again, and
     * its epochs are in the results once each (check_unique) and all */
    int64_t epochs_of_2 = 0;
    for (size_t i = 0; i < hpolab_results_row_count(resumed); i++) {
        double tid;
        hpolab_value_as_double(
            hpolab_record_get(hpolab_results_row(resumed, i), "trial_id"),
            &tid);
        epochs_of_2 += tid == 2;
    }
    assert_int_equal(epochs_of_2, 2);
    hpolab_results_free(before);
    hpolab_results_free(whole);
    hpolab_results_free(resumed);
    assert_int_equal(hpolab_experiment_state(dir), HPOLAB_EXPERIMENT_COMPLETE);
}

static void test_resume_from_snapshot(void **state)
{
    cut_and_resume(*state, 1);
}

static void test_resume_by_replay(void **state)
{
    cut_and_resume(*state, 0);
}

static void test_cut_line_ignored(void **state)
{
    struct fx *f = *state;
    assert_int_equal(run(f, "cut", 1, 0), HPOLAB_OK);
    drop_last_line(f, "cut");
    char *path = journal_path(f, "cut");
    FILE *fp = fopen(path, "a");
    assert_non_null(fp);
    fputs("{\"n\":99,\"at\":1.5,\"ev\":\"res", fp); /* a kill mid-write */
    fclose(fp);
    f->log[0] = '\0';
    assert_int_equal(run(f, "cut", 3, 1), HPOLAB_OK);
    assert_non_null(strstr(f->log, "is cut off"));
    /* every line of the journal is whole again, numbered in order */
    char *data;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_read_file(path, &data, &len, &err), HPOLAB_OK);
    int64_t n = 0;
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "n")), n);
        json_decref(j);
        n++;
    }
    free(data);
    free(path);
    struct hpolab_results *r = results_of(f, "cut");
    assert_true(check_unique(r) >= 3);
    hpolab_results_free(r);
}

/* A journal whose suggestion differs from what the scheduler answers now:
 * warned, and the journal's configuration is kept. */
static void test_mismatch_warned(void **state)
{
    struct fx *f = *state;
    assert_int_equal(run(f, "cut", 1, 0), HPOLAB_OK);
    drop_last_line(f, "cut");
    remove_file(f, "cut", HPOLAB_SNAPSHOT_FILE);
    char *path = journal_path(f, "cut");
    char *data;
    size_t len;
    struct hpolab_error err;
    assert_int_equal(hpolab_read_file(path, &data, &len, &err), HPOLAB_OK);
    FILE *fp = fopen(path, "w");
    int changed = 0;
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        const char *ev = json_string_value(json_object_get(j, "ev"));
        if (!changed && strcmp(ev, "suggest") == 0) {
            json_t *x = json_array_get(json_object_get(j, "config"), 0);
            assert_string_equal(json_string_value(json_array_get(x, 0)), "x");
            json_array_set_new(x, 1, json_real(0.125));
            changed = 1;
        }
        char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
        fprintf(fp, "%s\n", text);
        free(text);
        json_decref(j);
    }
    fclose(fp);
    free(data);
    free(path);
    f->log[0] = '\0';
    assert_int_equal(run(f, "cut", 2, 1), HPOLAB_OK);
    assert_non_null(strstr(f->log, "not deterministic"));
    struct hpolab_results *r = results_of(f, "cut");
    assert_true(check_unique(r) >= 2);
    hpolab_results_free(r);
}

/* A resume that cannot go on (another tuner holds the experiment, or the
 * study now gives another seed) leaves results.csv.zip as it was. */
static void test_refused_leaves_results(void **state)
{
    struct fx *f = *state;
    assert_int_equal(run(f, "cut", 1, 0), HPOLAB_OK);
    drop_last_line(f, "cut");
    char zip[600], *before, *after;
    size_t before_len, after_len;
    struct hpolab_error err;
    snprintf(zip, sizeof zip, "%s/cut/results.csv.zip", f->dir);
    assert_int_equal(hpolab_read_file(zip, &before, &before_len, &err),
                     HPOLAB_OK);
    char *path = journal_path(f, "cut");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0); /* "another tuner" */
    assert_int_equal(run(f, "cut", 3, 1), HPOLAB_ERR_STATE);
    close(fd);
    free(path);
    assert_int_equal(hpolab_read_file(zip, &after, &after_len, &err),
                     HPOLAB_OK);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(after);
    f->seed_offset = 1;
    assert_int_equal(run(f, "cut", 3, 1), HPOLAB_ERR_INVALID);
    assert_int_equal(hpolab_read_file(zip, &after, &after_len, &err),
                     HPOLAB_OK);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    free(after);
    free(before);
}

static void test_records_round_trip(void **state)
{
    (void)state;
    struct hpolab_record a, b;
    hpolab_record_init(&a);
    hpolab_record_set_int(&a, "i", 3);
    hpolab_record_set_double(&a, "d", 3.0);
    hpolab_record_set_double(&a, "tiny", 0.1 + 0.2);
    hpolab_record_set_double(&a, "nan", NAN);
    hpolab_record_set_double(&a, "minf", -INFINITY);
    hpolab_record_set_string(&a, "s", "a \"b\"");
    hpolab_record_set_bool(&a, "b", 1);
    json_t *j = hpolab_journal_record_to_json(&a);
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(j);
    j = json_loads(text, 0, NULL);
    free(text);
    struct hpolab_error err;
    assert_int_equal(hpolab_journal_record_from_json(j, &b, &err), HPOLAB_OK);
    json_decref(j);
    assert_int_equal(b.count, a.count);
    for (uint32_t i = 0; i < a.count; i++) {
        assert_string_equal(a.entries[i].name, b.entries[i].name);
        assert_int_equal(a.entries[i].value.type, b.entries[i].value.type);
    }
    assert_int_equal(b.entries[0].value.u.i, 3);
    assert_true(b.entries[2].value.u.d == 0.1 + 0.2);
    assert_true(isnan(b.entries[3].value.u.d));
    assert_true(b.entries[4].value.u.d == -INFINITY);
    assert_string_equal(b.entries[5].value.u.s, "a \"b\"");
    hpolab_record_free(&a);
    hpolab_record_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_round_trip),
        cmocka_unit_test_setup_teardown(test_resume_from_snapshot, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resume_by_replay, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cut_line_ignored, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mismatch_warned, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refused_leaves_results, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
