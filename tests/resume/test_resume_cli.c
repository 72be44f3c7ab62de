/* test_resume_cli.c: `hpolab run` killed with SIGKILL mid-study, then
 * `hpolab run --resume`: the same experiment folder goes on with the next
 * trial ids, results.csv.zip has every reported (trial, epoch) once and
 * only what the trials printed, the killed run's trial processes are gone,
 * and a complete experiment is left alone. */
#include "cli_harness.h"

#include <jansson.h>

#include "resume_find.h"

/* Occurrences of pat in the journal. */
static int count_text(const char *exp, const char *pat)
{
    char path[600];
    snprintf(path, sizeof path, "%s/tuner-journal.jsonl", exp);
    char *text = read_text(path);
    int n = 0;
    for (char *p = text; p && (p = strstr(p, pat)); p++)
        n++;
    free(text);
    return n;
}

/* Lines of the journal whose "ev" is ev. */
static int count_events(const char *exp, const char *ev)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"ev\":\"%s\"", ev);
    return count_text(exp, pat);
}

/* Waits (at most 30 s) until the experiment's journal has n result lines. */
static void wait_results(struct fixture *f, int n, char *exp, size_t size)
{
    double t0 = wall_now();
    for (;;) {
        DIR *d = opendir(f->results);
        struct dirent *e;
        int found = 0;
        while (d && (e = readdir(d)))
            if (e->d_name[0] != '.') {
                snprintf(exp, size, "%s/%s", f->results, e->d_name);
                found = 1;
            }
        if (d)
            closedir(d);
        if (found && count_events(exp, "result") >= n)
            return;
        if (wall_now() - t0 > 30)
            fail_msg("no %d results after 30 s", n);
        sleep_ms(20);
    }
}

/* The "at" of the journal's last line. */
static double last_time_of(const char *exp)
{
    char path[600];
    snprintf(path, sizeof path, "%s/tuner-journal.jsonl", exp);
    char *text = read_text(path);
    assert_non_null(text);
    char *last = NULL;
    for (char *p = strstr(text, "\"at\":"); p; p = strstr(p + 1, "\"at\":"))
        last = p;
    assert_non_null(last);
    double at = atof(last + 5);
    free(text);
    return at;
}

/* The pids a trial folder names: its pid file (leader) and the fixture's
 * pids file (leader and child). */
static int trial_pids(const char *exp, int id, pid_t *out, int max)
{
    char path[700];
    int n = 0;
    snprintf(path, sizeof path, "%s/%d/pid", exp, id);
    char *t = read_text(path);
    if (t && n < max)
        out[n++] = (pid_t)atoi(t);
    free(t);
    snprintf(path, sizeof path, "%s/%d/pids", exp, id);
    t = read_text(path);
    int a = 0, b = 0;
    if (t && sscanf(t, "%d %d", &a, &b) == 2 && n + 2 <= max) {
        out[n++] = a;
        out[n++] = b;
    }
    free(t);
    return n;
}

/* `hpolab run study.json --results_dir R --resume` without --random_seed. */
static int run_cli_unseeded(struct fixture *f, const char *log_name)
{
    char study[512], out[512];
    snprintf(study, sizeof study, "%s/study.json", f->dir);
    snprintf(out, sizeof out, "%s/%s.out", f->dir, log_name);
    const char *argv[] = {HPOLAB_TEST_CLI, "run", study, "--results_dir",
                          f->results, "--resume", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL,
                                 (char *const *)argv, environ),
                     0);
    posix_spawn_file_actions_destroy(&fa);
    return wait_exit(pid);
}

static struct hpolab_results *read_results(const char *exp)
{
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &r, &err), HPOLAB_OK);
    return r;
}

/* Every row once per (trial, epoch), and each one a report the trial
 * printed in its std.out with the same metric value. Returns the number
 * of distinct trial ids (which must be 0..n-1). */
static int64_t check_rows(const char *exp, const char *metric)
{
    struct hpolab_results *r = read_results(exp);
    size_t n = hpolab_results_row_count(r);
    int64_t max_id = -1;
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_record *row = hpolab_results_row(r, i);
        int64_t id = cell_int(row, "trial_id");
        int64_t epoch = cell_int(row, "epoch");
        double value = cell_double(row, metric);
        if (id > max_id)
            max_id = id;
        for (size_t j = i + 1; j < n; j++) {
            const struct hpolab_record *o = hpolab_results_row(r, j);
            if (cell_int(o, "trial_id") == id && cell_int(o, "epoch") == epoch)
                fail_msg("trial %lld epoch %lld: two rows", (long long)id,
                         (long long)epoch);
        }
        char path[700];
        snprintf(path, sizeof path, "%s/%lld/std.out", exp, (long long)id);
        char *text = read_text(path);
        assert_non_null(text);
        int found = 0;
        for (char *line = strtok(text, "\n"); line && !found;
             line = strtok(NULL, "\n")) {
            struct hpolab_record rep;
            hpolab_record_init(&rep);
            int is_report = 0;
            struct hpolab_error err;
            if (hpolab_metric_line_parse(line, strlen(line), &rep, &is_report,
                                         &err) == HPOLAB_OK &&
                is_report) {
                double e, v;
                found = hpolab_value_as_double(hpolab_record_get(&rep, "epoch"),
                                               &e) == HPOLAB_OK &&
                        e == (double)epoch &&
                        hpolab_value_as_double(hpolab_record_get(&rep, metric),
                                               &v) == HPOLAB_OK &&
                        v == value;
            }
            hpolab_record_free(&rep);
        }
        free(text);
        if (!found)
            fail_msg("trial %lld epoch %lld: no such report in std.out",
                     (long long)id, (long long)epoch);
    }
    for (int64_t id = 0; id <= max_id; id++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%lld", exp, (long long)id);
        assert_true(hpolab_is_dir(path));
    }
    hpolab_results_free(r);
    return max_id + 1;
}

/* FIFO + random search; trials that report epoch 1 at once, then sleep and
 * ignore SIGTERM (as does their child): they outlive the killed tuner.
 * With a resource attribute they run again (their epoch 1, printed again,
 * is dropped); without, they end as stopped and new trials take over. */
static void kill_and_resume_fifo(struct fixture *f, int with_resource)
{
    write_study(f,
                "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"
                " \"mode\": \"stubborn\", \"epochs\": 3}",
                with_resource
                    ? ", \"resource_attr\": \"epoch\", \"backend_options\": "
                      "{\"stop_grace_period\": 1}"
                    : ", \"backend_options\": {\"stop_grace_period\": 1}",
                2);
    const char *args[] = {"--results_update_interval", "0", NULL};
    pid_t cli = spawn_cli(f, args, "run1");
    char exp[600];
    wait_results(f, 2, exp, sizeof exp);
    pid_t pids[2][3];
    int np[2];
    /* the fixture writes its pids file right after its first report */
    for (int tries = 0; tries < 100; tries++) {
        np[0] = trial_pids(exp, 0, pids[0], 3);
        np[1] = trial_pids(exp, 1, pids[1], 3);
        if (np[0] == 3 && np[1] == 3)
            break;
        sleep_ms(20);
    }
    assert_int_equal(kill(cli, SIGKILL), 0);
    assert_int_equal(wait_exit(cli), 128 + SIGKILL);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(np[i], 3);
        for (int k = 0; k < 3; k++)
            assert_true(process_alive(pids[i][k])); /* left behind */
    }
    assert_int_equal(hpolab_experiment_state(exp), HPOLAB_EXPERIMENT_PARTIAL);
    int results_before = count_events(exp, "result");

    /* resume with a third worker: a new trial gets the next id; the
     * budget covers both runs */
    char budget[64];
    snprintf(budget, sizeof budget, "%.3f", last_time_of(exp) + 3.0);
    const char *args2[] = {"--resume", "--n_workers", "3",
                           "--max_wallclock_time", budget, NULL};
    assert_int_equal(run_cli(f, args2, "run2"), 0);
    char out[600];
    snprintf(out, sizeof out, "%s/run2.out", f->dir);
    char *text = read_text(out);
    assert_non_null(strstr(text, "Resuming experiment"));
    free(text);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 3; k++)
            assert_false(process_alive(pids[i][k]));
    char one[600];
    experiment_dir(f, one, sizeof one); /* still one folder */
    assert_string_equal(one, exp);
    assert_int_equal(results_before, 2);
    struct hpolab_results *r = read_results(exp);
    if (with_resource) {
        /* trials 0 and 1 ran again and printed epoch 1 again: dropped */
        assert_int_equal(check_rows(exp, "loss"), 3);
        assert_int_equal(hpolab_results_row_count(r), 3);
        snprintf(out, sizeof out, "%s/0/std.out", exp);
        text = read_text(out);
        char *second =
            strstr(strstr(text, "\"epoch\": 1,") + 1, "\"epoch\": 1,");
        assert_non_null(second); /* printed twice, one row */
        free(text);
        assert_int_equal(count_events(exp, "abandon"), 0);
    } else {
        /* they end as stopped; three new trials fill the workers */
        assert_int_equal(check_rows(exp, "loss"), 5);
        assert_int_equal(hpolab_results_row_count(r), 5);
        assert_int_equal(count_events(exp, "abandon"), 2);
    }
    hpolab_results_free(r);
    assert_int_equal(hpolab_experiment_state(exp), HPOLAB_EXPERIMENT_COMPLETE);

    /* a complete experiment: nothing runs, nothing changes */
    char zip[700];
    snprintf(zip, sizeof zip, "%s/results.csv.zip", exp);
    char *before = read_text(zip);
    size_t before_len;
    {
        struct stat sb;
        stat(zip, &sb);
        before_len = (size_t)sb.st_size;
    }
    /* without --random_seed the study's own master seed (7) is used */
    double t0 = wall_now();
    assert_int_equal(run_cli_unseeded(f, "run3"), 0);
    assert_true(wall_now() - t0 < 3);
    snprintf(out, sizeof out, "%s/run3.out", f->dir);
    text = read_text(out);
    assert_non_null(strstr(text, "already complete"));
    assert_non_null(strstr(text, "Master random_seed = 7\n"));
    free(text);
    char *after = read_text(zip);
    assert_memory_equal(before, after, before_len);
    free(before);
    free(after);
}

static void test_kill_and_resume_fifo(void **state)
{
    kill_and_resume_fifo(*state, 1);
}

static void test_kill_and_resume_no_resource(void **state)
{
    kill_and_resume_fifo(*state, 0);
}

/* ASHA (promotion) on the checkpointing example script. */
static void test_kill_and_resume_asha(void **state)
{
    struct fixture *f = *state;
    char path[512], study[4096];
    snprintf(path, sizeof path, "%s/study.json", f->dir);
    snprintf(study, sizeof study,
             "{\"name\": \"rs\", \"benchmarks\": {\"synthetic\": {"
             "\"entry_point\": [\"python3\", "
             "\"%s/examples/quickstart/train_synthetic.py\", "
             "\"--sleep_per_epoch\", \"0.05\"],"
             "\"config_space\": {\"lr\": {\"domain\": \"loguniform\", "
             "\"lower\": 1e-4, \"upper\": 1e-1}, \"dropout\": {\"domain\": "
             "\"uniform\", \"lower\": 0.0, \"upper\": 0.9}, \"epochs\": 9},"
             "\"metric\": \"val_loss\", \"mode\": \"min\", \"resource_attr\": "
             "\"epoch\", \"max_resource_attr\": \"epochs\", \"n_workers\": 2, "
             "\"max_wallclock_time\": 6}},"
             "\"methods\": {\"ASHA\": {\"scheduler\": \"asha\", \"searcher\": "
             "\"random\", \"scheduler_options\": {\"type\": \"promotion\"}}}}",
             HPOLAB_TEST_SOURCE_DIR);
    write_text(path, study);
    /* a long budget: the kill comes first, however loaded the machine */
    const char *args1[] = {"--max_wallclock_time", "120",
                           "--results_update_interval", "0", NULL};
    pid_t cli = spawn_cli(f, args1, "run1");
    char exp[600];
    wait_results(f, 8, exp, sizeof exp);
    assert_int_equal(kill(cli, SIGKILL), 0);
    assert_int_equal(wait_exit(cli), 128 + SIGKILL);
    int suggests_before = count_events(exp, "suggest");
    pid_t left[16];
    int nleft = 0;
    for (int id = 0; id < 16; id++)
        nleft += trial_pids(exp, id, left + nleft, 16 - nleft) > 0 ? 1 : 0;

    /* the budget covers both runs: 4 s more than the journal's last time */
    double at = last_time_of(exp);
    char budget[64];
    snprintf(budget, sizeof budget, "%.3f", at + 4.0);
    const char *args[] = {"--resume", "--max_wallclock_time", budget, NULL};
    assert_int_equal(run_cli(f, args, "run2"), 0);
    for (int i = 0; i < nleft; i++)
        assert_false(process_alive(left[i]));
    /* ASHA's snapshot was restored, the lines after it replayed, and its
     * answers were the journaled ones */
    char log[600];
    snprintf(log, sizeof log, "%s/run2.err", f->dir);
    char *err_text = read_text(log);
    assert_non_null(err_text);
    assert_null(strstr(err_text, "not deterministic"));
    assert_null(strstr(err_text, "snapshot"));
    free(err_text);
    int64_t trials = check_rows(exp, "val_loss");
    assert_true(count_events(exp, "suggest") > suggests_before);
    assert_true(trials >= 4);
    /* ASHA promoted paused trials (resumed from their checkpoints) */
    assert_true(count_text(exp, "\"action\":\"resume\"") >= 1);
    struct hpolab_results *r = read_results(exp);
    double best = INFINITY, last_time = 0;
    for (size_t i = 0; i < hpolab_results_row_count(r); i++) {
        double v = cell_double(hpolab_results_row(r, i), "val_loss");
        if (v < best)
            best = v;
        /* the clock went on from the journaled time: no restart at 0, and
         * the budget covers both runs */
        double t = cell_double(hpolab_results_row(r, i), "st_tuner_time");
        assert_true(t >= last_time && t < at + 5.0);
        last_time = t;
    }
    /* the script's documented range: above 0.97 * best clean loss */
    assert_true(best > 0.11 && best < 2.3);
    hpolab_results_free(r);
    assert_int_equal(hpolab_experiment_state(exp), HPOLAB_EXPERIMENT_COMPLETE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill_and_resume_fifo, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_kill_and_resume_no_resource,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_and_resume_asha, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
