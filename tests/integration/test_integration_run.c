/* End to end: `hpolab run` on real studies with real trial processes.
 * - 20 trials with 2 workers: every report a script printed is a row of
 *   results.csv.zip, in the trial it belongs to, with its config columns;
 * - a trial that crashes, one that prints garbage, one that never reports;
 * - max_failures exceeded: exit 1 with the failed trial's stderr tail;
 * - SIGINT during a run: exit 130, no trial process left, results readable;
 * - bad input: exit 2 with one clear line. */
#include "cli_harness.h"

/* The reports trial_dir/std.out holds, parsed as the tuner parses them. */
static size_t std_out_reports(const char *exp, int64_t trial,
                              struct hpolab_record *out, size_t max)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%lld/std.out", exp, (long long)trial);
    char *text = read_text(path);
    assert_non_null(text);
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int found = 0;
        struct hpolab_error err;
        struct hpolab_record rec;
        if (hpolab_metric_line_parse(line, strlen(line), &rec, &found, &err) ==
                HPOLAB_OK && found) {
            assert_true(n < max);
            out[n++] = rec;
        }
    }
    free(text);
    return n;
}

static void test_twenty_trials_results_match_scripts(void **state)
{
    struct fixture *f = *state;
    /* 4 x 5 = 20 distinct configurations: random search exhausts them. */
    write_study(f,
                "{\"x\": {\"domain\": \"choice\", \"categories\": [0.1, 0.2, 0.3, 0.4]},"
                " \"y\": {\"domain\": \"choice\", \"categories\": [1, 2, 3, 4, 5]},"
                " \"epochs\": 3, \"mode\": \"ok\", \"sleep\": 0.01}",
                "", 2);
    assert_int_equal(run_cli(f, NULL, "run"), 0);
    char exp[512];
    experiment_dir(f, exp, sizeof exp);

    char path[600];
    snprintf(path, sizeof path, "%s/metadata.json", exp);
    char *md = read_text(path);
    assert_non_null(md);
    assert_non_null(strstr(md, "\"algorithm\": \"RS\""));
    assert_non_null(strstr(md, "\"metric_names\": [\"loss\"]"));
    assert_non_null(strstr(md, "\"st_tuner_creation_timestamp\": "));
    free(md);

    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &res, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(res), 60);
    size_t seen[20] = {0};
    struct hpolab_record printed[20][8];
    size_t num_printed[20];
    char configs[20][64];
    for (int64_t t = 0; t < 20; t++)
        num_printed[t] = std_out_reports(exp, t, printed[t], 8);
    for (size_t i = 0; i < hpolab_results_row_count(res); i++) {
        const struct hpolab_record *row = hpolab_results_row(res, i);
        int64_t t = cell_int(row, "trial_id");
        assert_true(t >= 0 && t < 20);
        size_t k = seen[t]++;
        assert_true(k < num_printed[t]);
        /* the row holds exactly what the script printed, in order */
        assert_int_equal(cell_int(row, "epoch"), cell_int(&printed[t][k], "epoch"));
        assert_true(cell_double(row, "loss") == cell_double(&printed[t][k], "loss"));
        assert_true(cell_double(row, "st_worker_timestamp") ==
                    cell_double(&printed[t][k], "st_worker_timestamp"));
        assert_string_equal(cell(row, "st_decision")->u.s, "CONTINUE");
        assert_true(cell_double(row, "st_tuner_time") >= 0.0);
        assert_int_equal(cell_int(row, "config_epochs"), 3);
        assert_string_equal(cell(row, "config_mode")->u.s, "ok");
        /* loss = (x - 0.3)^2 + 1/epoch for the trial's config */
        double x = cell_double(row, "config_x");
        double e = (double)cell_int(row, "epoch");
        assert_true(fabs(cell_double(row, "loss") - ((x - 0.3) * (x - 0.3) + 1.0 / e)) < 1e-12);
        snprintf(configs[t], sizeof configs[t], "%g/%lld", x,
                 (long long)cell_int(row, "config_y"));
    }
    for (int t = 0; t < 20; t++) {
        assert_int_equal(seen[t], 3);
        assert_int_equal(num_printed[t], 3);
        for (size_t k = 0; k < num_printed[t]; k++)
            hpolab_record_free(&printed[t][k]);
        for (int u = 0; u < t; u++) /* 20 distinct configurations */
            assert_string_not_equal(configs[t], configs[u]);
        snprintf(path, sizeof path, "%s/%d/config.json", exp, t);
        char *cfg = read_text(path);
        assert_non_null(cfg);
        assert_non_null(strstr(cfg, "\"epochs\": 3"));
        free(cfg);
    }
    hpolab_results_free(res);
    snprintf(path, sizeof path, "%s/run.out", f->dir);
    char *out = read_text(path);
    assert_non_null(strstr(out, "Master random_seed = 7"));
    assert_non_null(strstr(out, "20 trials (20 completed, 0 failed"));
    assert_non_null(strstr(out, "loss: best 0.3333333333"));  /* x = 0.3, epoch 3 */
    free(out);
}

static void test_crash_garbage_silent(void **state)
{
    struct fixture *f = *state;
    write_study(f,
                "{\"mode\": {\"domain\": \"choice\", \"categories\": [\"crash\", \"garbage\", \"silent\", \"ok\"]},"
                " \"x\": 0.5, \"epochs\": 2}",
                ", \"max_failures\": 5, \"points_to_evaluate\": [{\"mode\": \"crash\"},"
                " {\"mode\": \"garbage\"}, {\"mode\": \"silent\"}, {\"mode\": \"ok\"}]",
                1);
    assert_int_equal(run_cli(f, NULL, "run"), 0);
    char exp[512], path[600];
    experiment_dir(f, exp, sizeof exp);
    snprintf(path, sizeof path, "%s/run.err", f->dir);
    char *err_text = read_text(path);
    assert_non_null(err_text);
    assert_non_null(strstr(err_text, "trial 0 failed: exit code 3"));
    assert_non_null(strstr(err_text, "boom"));
    assert_non_null(strstr(err_text, "trial 1: std.out line 1: malformed report ignored"));
    assert_non_null(strstr(err_text, "trial 2 failed: exited with status 0 without reporting any result"));
    free(err_text);
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &res, &err), HPOLAB_OK);
    /* crash: 1 report; garbage: 2 good ones; silent: none; ok: 2 */
    assert_int_equal(hpolab_results_row_count(res), 5);
    hpolab_results_free(res);
    snprintf(path, sizeof path, "%s/run.out", f->dir);
    char *out = read_text(path);
    assert_non_null(strstr(out, "4 trials (2 completed, 2 failed"));
    free(out);
}

static void test_max_failures_aborts_with_stderr_tail(void **state)
{
    struct fixture *f = *state;
    write_study(f,
                "{\"mode\": {\"domain\": \"choice\", \"categories\": [\"crash\", \"ok\"]}, \"epochs\": 2}",
                ", \"max_failures\": 0, \"points_to_evaluate\": [{\"mode\": \"crash\"}, {\"mode\": \"ok\"}]",
                1);
    assert_int_equal(run_cli(f, NULL, "run"), 1);
    char path[600];
    snprintf(path, sizeof path, "%s/run.err", f->dir);
    char *err_text = read_text(path);
    assert_non_null(strstr(err_text, "tuning aborted: 1 trials failed (max_failures = 0); first failure: trial 0: exit code 3"));
    assert_non_null(strstr(err_text, "boom"));
    free(err_text);
}

static void test_sigint_stops_every_process(void **state)
{
    struct fixture *f = *state;
    write_study(f, "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1}, "
                   "\"mode\": \"slow\", \"epochs\": 5}", "", 2);
    pid_t cli = spawn_cli(f, NULL, "run");
    char exp[512] = "", path[700];
    pid_t pids[4] = {0};
    wait_slow_trials(f, exp, sizeof exp, pids);
    kill(cli, SIGINT);
    assert_int_equal(wait_exit(cli), 130);
    for (int i = 0; i < 4; i++)
        assert_false(process_alive(pids[i]));
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &res, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(res), 2); /* epoch 1 of each */
    hpolab_results_free(res);
    snprintf(path, sizeof path, "%s/run.err", f->dir);
    char *err_text = read_text(path);
    assert_non_null(strstr(err_text, "interrupted"));
    free(err_text);
}

static void test_bad_input_exit_2(void **state)
{
    struct fixture *f = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/study.json", f->dir);
    write_text(path, "{\"benchmarks\": ");
    assert_int_equal(run_cli(f, NULL, "bad1"), 2);
    write_study(f, "{\"x\": {\"domain\": \"uniform\", \"lower\": 2, \"upper\": 1}}", "", 1);
    assert_int_equal(run_cli(f, NULL, "bad2"), 2);
    write_study(f, "{\"x\": 1}", "", 1);
    const char *bad_tag[] = {"--experiment_tag", "my_tag", NULL};
    assert_int_equal(run_cli(f, bad_tag, "bad3"), 2);
    snprintf(path, sizeof path, "%s/bad3.err", f->dir);
    char *text = read_text(path);
    assert_non_null(strstr(text, "my_tag"));
    free(text);
    const char *bad_method[] = {"--method", "XX", NULL};
    assert_int_equal(run_cli(f, bad_method, "bad4"), 2);
    const char *unknown[] = {"--no_such_option", "1", NULL};
    assert_int_equal(run_cli(f, unknown, "bad5"), 2);
}

/* A study's own option becomes an option of hpolab run, reaches the config
 * space through {"$arg": ...} and is recorded in metadata.json. */
static void test_extra_arg_reaches_trials_and_metadata(void **state)
{
    struct fixture *f = *state;
    char path[512], text[4096];
    snprintf(path, sizeof path, "%s/study.json", f->dir);
    snprintf(text, sizeof text,
             "{\"name\": \"it\",\n"
             " \"extra_args\": [{\"name\": \"ep\", \"type\": \"int\", \"default\": 3,"
             " \"help\": \"epochs per trial\"}],\n"
             " \"benchmarks\": {\"fixture\": {\"entry_point\": [\"%s\"],\n"
             "   \"config_space\": {\"x\": {\"domain\": \"choice\", \"categories\": [0.1, 0.2]},"
             " \"epochs\": {\"$arg\": \"ep\"}},\n"
             "   \"metric\": \"loss\", \"mode\": \"min\"}},\n"
             " \"methods\": {\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}}\n",
             HPOLAB_TEST_FIXTURE);
    write_text(path, text);
    const char *help[] = {"--help", NULL};
    assert_int_equal(run_cli(f, help, "help"), 0);
    snprintf(path, sizeof path, "%s/help.out", f->dir);
    char *out = read_text(path);
    assert_non_null(strstr(out, "--ep int"));
    assert_non_null(strstr(out, "epochs per trial (default 3)"));
    free(out);
    const char *ep[] = {"--ep", "5", NULL};
    assert_int_equal(run_cli(f, ep, "run"), 0);
    char exp[512];
    experiment_dir(f, exp, sizeof exp);
    snprintf(path, sizeof path, "%s/metadata.json", exp);
    char *md = read_text(path);
    assert_non_null(strstr(md, "\"ep\": 5"));
    free(md);
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &res, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_row_count(res), 10); /* 2 trials x 5 */
    assert_int_equal(cell_int(hpolab_results_row(res, 0), "config_epochs"), 5);
    hpolab_results_free(res);
    const char *bad[] = {"--ep", "five", NULL};
    assert_int_equal(run_cli(f, bad, "bad"), 2);
}

/* ASHA promotion with a real checkpointing script: paused trials resume in
 * the same folder from their checkpoint, no epoch is trained twice, and
 * each resumed run says "resumed from epoch r" for the epoch it paused at. */
static void test_asha_promotion_resumes_from_checkpoints(void **state)
{
    struct fixture *f = *state;
    char path[512], text[4096];
    snprintf(path, sizeof path, "%s/study.json", f->dir);
    snprintf(text, sizeof text,
             "{\"name\": \"it\",\n"
             " \"benchmarks\": {\"syn\": {\"entry_point\": [\"python3\", "
             "\"%s/examples/quickstart/train_synthetic.py\", \"--sleep_per_epoch\", \"0.01\"],\n"
             "   \"config_space\": {\"lr\": {\"domain\": \"loguniform\", \"lower\": 1e-4, \"upper\": 1e-1},"
             " \"dropout\": 0.3, \"batch_size\": 64, \"momentum\": 0.9, \"optimizer\": \"adam\", \"epochs\": 9},\n"
             "   \"metric\": \"val_loss\", \"mode\": \"min\", \"resource_attr\": \"epoch\","
             " \"max_resource_attr\": \"epochs\", \"n_workers\": 2, \"max_num_trials_started\": 15}},\n"
             " \"methods\": {\"ASHA\": {\"scheduler\": \"asha\", \"searcher\": \"random\","
             " \"scheduler_options\": {\"type\": \"promotion\"}}}}\n",
             HPOLAB_TEST_SOURCE_DIR);
    write_text(path, text);
    assert_int_equal(run_cli(f, NULL, "run"), 0);
    char exp[512];
    experiment_dir(f, exp, sizeof exp);
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &res, &err), HPOLAB_OK);
    int64_t last_epoch[64], paused_at[64];
    int resumed = 0;
    for (int t = 0; t < 64; t++)
        last_epoch[t] = paused_at[t] = 0;
    for (size_t i = 0; i < hpolab_results_row_count(res); i++) {
        const struct hpolab_record *row = hpolab_results_row(res, i);
        int64_t t = cell_int(row, "trial_id");
        int64_t e = cell_int(row, "epoch");
        assert_true(t >= 0 && t < 64);
        /* epochs of a trial only go up: none is trained (reported) twice */
        assert_true(e > last_epoch[t]);
        last_epoch[t] = e;
        const char *d = cell(row, "st_decision")->u.s;
        if (strcmp(d, "PAUSE") == 0)
            paused_at[t] = e;
        /* a paused trial resumed with max_resource_attr at the next rung */
        assert_true(cell_int(row, "config_epochs") >= e);
    }
    for (int t = 0; t < 64; t++) {
        if (last_epoch[t] <= 1)
            continue;
        /* trained past rung 1: it was resumed from its own checkpoint */
        snprintf(path, sizeof path, "%s/%d/std.out", exp, t);
        char *out = read_text(path);
        assert_non_null(out);
        assert_non_null(strstr(out, "resumed from epoch 1\n"));
        resumed++;
        free(out);
    }
    assert_true(resumed >= 1);
    hpolab_results_free(res);
}


#define MAX_WATCHED 64

/* Trials of a run being watched: their pids (script and child) as written
 * to <trial dir>/pids, and when both were first seen gone. */
struct watched {
    pid_t pid[2];
    int known;
    double gone_at; /* wall time, 0 while alive */
};

static void watch_trials(const char *exp, struct watched *w)
{
    for (int t = 0; t < MAX_WATCHED && exp[0]; t++) {
        if (!w[t].known) {
            char path[700];
            snprintf(path, sizeof path, "%s/%d/pids", exp, t);
            char *text = read_text(path);
            int a, b;
            if (text && sscanf(text, "%d %d", &a, &b) == 2) {
                w[t].pid[0] = a;
                w[t].pid[1] = b;
                w[t].known = 1;
            }
            free(text);
        }
        if (w[t].known && w[t].gone_at == 0.0 &&
            !process_alive(w[t].pid[0]) && !process_alive(w[t].pid[1]))
            w[t].gone_at = wall_now();
    }
}

/* ASHA stopping type with scripts that ignore SIGTERM: every trial the
 * scheduler stops is gone (script and child) within stop_grace_period of
 * the report that stopped it, and not before (SIGKILL came on time, not
 * early). */
static void test_asha_stopping_ends_processes_within_grace(void **state)
{
    struct fixture *f = *state;
    /* Two good trials that finish at once fill rung 1; the worse stubborn
     * ones started after them are stopped at epoch 1. */
    write_study_methods(
        f,
        "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"
        " \"mode\": {\"domain\": \"choice\", \"categories\": [\"ok\", \"stubborn\"]},"
        " \"epochs\": 27}",
        ", \"resource_attr\": \"epoch\", \"max_resource_attr\": \"epochs\","
        " \"max_wallclock_time\": 6, \"backend_options\": {\"stop_grace_period\": 1},"
        " \"points_to_evaluate\": [{\"x\": 0.3, \"mode\": \"ok\"}, {\"x\": 0.31, \"mode\": \"ok\"},"
        " {\"x\": 0.95, \"mode\": \"stubborn\"}, {\"x\": 0.9, \"mode\": \"stubborn\"},"
        " {\"x\": 0.97, \"mode\": \"stubborn\"}]",
        2,
        "\"ASHA\": {\"scheduler\": \"asha\", \"searcher\": \"random\","
        " \"scheduler_options\": {\"type\": \"stopping\"}}");
    pid_t cli = spawn_cli(f, NULL, "run");
    struct watched w[MAX_WATCHED];
    memset(w, 0, sizeof w);
    char exp[512] = "";
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(cli, &status, WNOHANG)) == 0) {
        if (!exp[0])
            find_experiment(f, exp, sizeof exp);
        watch_trials(exp, w);
        sleep_ms(20);
    }
    assert_int_equal(done, cli);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &res, &err), HPOLAB_OK);
    int stopped = 0;
    for (size_t i = 0; i < hpolab_results_row_count(res); i++) {
        const struct hpolab_record *row = hpolab_results_row(res, i);
        if (strcmp(cell(row, "st_decision")->u.s, "STOP") != 0 ||
            strcmp(cell(row, "config_mode")->u.s, "stubborn") != 0)
            continue;
        int64_t t = cell_int(row, "trial_id");
        assert_true(t >= 0 && t < MAX_WATCHED);
        assert_true(w[t].known);
        assert_true(w[t].gone_at > 0.0);
        double after = w[t].gone_at - cell_double(row, "st_worker_timestamp");
        /* SIGTERM is ignored: SIGKILL 1 s later; 0.8 s of slack for a
         * loaded (or sanitized) machine and the 20 ms polling */
        if (!(after >= 0.9 && after <= 1.8))
            fail_msg("trial %lld gone %.3f s after its STOP report, expected "
                     "within [0.9, 1.8]", (long long)t, after);
        stopped++;
    }
    hpolab_results_free(res);
    assert_true(stopped >= 3); /* trials 2, 3 and 4 at least */
}

/* Reports without the resource attribute, or with one that goes backwards:
 * that trial fails with a message naming the field; the study goes on. */
static void test_bad_resource_reports_fail_only_that_trial(void **state)
{
    struct fixture *f = *state;
    write_study_methods(
        f,
        "{\"mode\": {\"domain\": \"choice\", \"categories\": [\"noresource\", \"backwards\", \"ok\"]},"
        " \"x\": 0.5, \"epochs\": 3}",
        ", \"resource_attr\": \"epoch\", \"max_resource_attr\": \"epochs\","
        " \"max_failures\": 5, \"max_num_trials_started\": 3,"
        " \"points_to_evaluate\": [{\"mode\": \"noresource\"}, {\"mode\": \"backwards\"}, {\"mode\": \"ok\"}]",
        1,
        "\"ASHA\": {\"scheduler\": \"asha\", \"searcher\": \"random\"}");
    assert_int_equal(run_cli(f, NULL, "run"), 0);
    char exp[512], path[600];
    experiment_dir(f, exp, sizeof exp);
    snprintf(path, sizeof path, "%s/run.err", f->dir);
    char *err_text = read_text(path);
    assert_non_null(err_text);
    assert_non_null(strstr(err_text, "trial 0 failed: [scheduler:asha] trial 0 reported a "
                                     "result without a number for the resource 'epoch'"));
    assert_non_null(strstr(err_text, "trial 1 failed: trial 1 reported epoch = 1 after "
                                     "epoch = 2: the resource attribute must not go "
                                     "backwards within a run"));
    free(err_text);
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &res, &err), HPOLAB_OK);
    int64_t rows[3] = {0, 0, 0};
    for (size_t i = 0; i < hpolab_results_row_count(res); i++) {
        int64_t t = cell_int(hpolab_results_row(res, i), "trial_id");
        assert_true(t >= 0 && t < 3);
        rows[t]++;
    }
    hpolab_results_free(res);
    /* every report is recorded, the rejected ones too */
    assert_int_equal(rows[0], 1);
    assert_int_equal(rows[1], 3);
    assert_int_equal(rows[2], 3); /* the good trial trained to the end */
    snprintf(path, sizeof path, "%s/run.out", f->dir);
    char *out = read_text(path);
    assert_non_null(strstr(out, "3 trials ("));
    assert_non_null(strstr(out, "2 failed"));
    free(out);
}

static int results_is_empty(struct fixture *f)
{
    DIR *d = opendir(f->results);
    if (!d)
        return 1;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n == 0;
}

/* Each bad ASHA set-up: one clear line naming the problem, exit 2, and no
 * experiment started, not even the RS method listed before it. */
static void test_asha_bad_input_before_any_trial(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *space, *extra, *options, *expect;
    } cases[] = {
        {"{\"x\": 0.5, \"epochs\": 27}", ", \"resource_attr\": \"epoch\"",
         "{\"type\": \"promotion\"}",
         "type \"promotion\" needs the benchmark's max_resource_attr"},
        {"{\"x\": 0.5}", ", \"resource_attr\": \"epoch\", \"max_resource_attr\": \"epochs\"",
         "{\"type\": \"promotion\"}", "which config_space does not have"},
        {"{\"x\": 0.5, \"epochs\": 27}",
         ", \"resource_attr\": \"epoch\", \"max_resource_attr\": \"epochs\"",
         "{\"reduction_factor\": 1}", "reduction_factor must be >= 2, got 1"},
        {"{\"x\": 0.5, \"epochs\": 27}",
         ", \"resource_attr\": \"epoch\", \"max_resource_attr\": \"epochs\"",
         "{\"grace_period\": 30}",
         "grace_period must be an integer in [1, max_t = 27), got 30"},
        {"{\"x\": 0.5, \"epochs\": 27.5}",
         ", \"resource_attr\": \"epoch\", \"max_resource_attr\": \"epochs\"",
         "{\"type\": \"promotion\"}", "got 'epochs' = 27.5"},
        {"{\"x\": 0.5, \"epochs\": 27}", "", "{}",
         "a resource attribute (resource_attr, e.g. \"epoch\") is required"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char methods[512], log[32], path[600];
        snprintf(methods, sizeof methods,
                 "\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"},"
                 " \"ASHA\": {\"scheduler\": \"asha\", \"searcher\": \"random\","
                 " \"scheduler_options\": %s}",
                 cases[i].options);
        write_study_methods(f, cases[i].space, cases[i].extra, 1, methods);
        snprintf(log, sizeof log, "asha_bad%zu", i);
        if (run_cli(f, NULL, log) != 2)
            fail_msg("case %zu: exit status is not 2", i);
        snprintf(path, sizeof path, "%s/%s.err", f->dir, log);
        char *text = read_text(path);
        assert_non_null(text);
        if (!strstr(text, cases[i].expect))
            fail_msg("case %zu: stderr lacks \"%s\":\n%s", i, cases[i].expect, text);
        /* one line */
        assert_non_null(strchr(text, '\n'));
        assert_null(strchr(strchr(text, '\n') + 1, '\n'));
        free(text);
        assert_true(results_is_empty(f));
    }
}


/* A new trial started from another trial's checkpoint: the folder is copied
 * first, the script resumes from it, and the source trial's checkpoint is
 * left as it was. */
static void test_new_trial_from_another_trials_checkpoint(void **state)
{
    struct fixture *f = *state;
    char path[512], text[4096];
    snprintf(path, sizeof path, "%s/study.json", f->dir);
    snprintf(text, sizeof text,
             "{\"name\": \"it\",\n"
             " \"benchmarks\": {\"syn\": {\"entry_point\": [\"python3\", "
             "\"%s/examples/quickstart/train_synthetic.py\", \"--sleep_per_epoch\", \"0\"],\n"
             "   \"config_space\": {\"lr\": 0.001, \"dropout\": 0.3, \"batch_size\": 64,"
             " \"momentum\": 0.9, \"optimizer\": \"adam\", \"epochs\": 3},\n"
             "   \"metric\": \"val_loss\", \"mode\": \"min\", \"resource_attr\": \"epoch\","
             " \"max_resource_attr\": \"epochs\", \"n_workers\": 2}},\n"
             " \"methods\": {\"WS\": {\"scheduler\": \"fx_warmstart\", \"searcher\": \"random\"}}}\n",
             HPOLAB_TEST_SOURCE_DIR);
    write_text(path, text);
    setenv("HPOLAB_PLUGIN_PATH", HPOLAB_TEST_FX_PLUGINS, 1);
    int rc = run_cli(f, NULL, "run");
    unsetenv("HPOLAB_PLUGIN_PATH");
    assert_int_equal(rc, 0);
    char exp[512];
    experiment_dir(f, exp, sizeof exp);
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_results_read(exp, &res, &err), HPOLAB_OK);
    int64_t expect_next[2] = {1, 4}; /* trial 1 goes on from epoch 3 */
    for (size_t i = 0; i < hpolab_results_row_count(res); i++) {
        const struct hpolab_record *row = hpolab_results_row(res, i);
        int64_t t = cell_int(row, "trial_id");
        assert_true(t == 0 || t == 1);
        assert_int_equal(cell_int(row, "epoch"), expect_next[t]++);
    }
    assert_int_equal(expect_next[0], 4);
    assert_int_equal(expect_next[1], 7);
    hpolab_results_free(res);
    snprintf(path, sizeof path, "%s/1/std.out", exp);
    char *out = read_text(path);
    assert_non_null(out);
    assert_non_null(strstr(out, "resumed from epoch 3\n"));
    free(out);
    /* both checkpoints exist; trial 0's still holds epoch 3 */
    snprintf(path, sizeof path, "%s/0/checkpoints/checkpoint.json", exp);
    char *c0 = read_text(path);
    snprintf(path, sizeof path, "%s/1/checkpoints/checkpoint.json", exp);
    char *c1 = read_text(path);
    assert_non_null(c0);
    assert_non_null(c1);
    assert_non_null(strstr(c0, "\"epoch\": 3"));
    assert_non_null(strstr(c1, "\"epoch\": 6"));
    free(c0);
    free(c1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_twenty_trials_results_match_scripts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_garbage_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_failures_aborts_with_stderr_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigint_stops_every_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_exit_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extra_arg_reaches_trials_and_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_asha_promotion_resumes_from_checkpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_asha_stopping_ends_processes_within_grace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_resource_reports_fail_only_that_trial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_asha_bad_input_before_any_trial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_trial_from_another_trials_checkpoint, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
