/* Faults around a running study (issue 10): the results folder fills up or
 * becomes unwritable mid-run; the terminal goes away (SIGHUP); the reader
 * of hpolab's output goes away (SIGPIPE); a trial floods stdout or writes
 * invalid UTF-8. Each ends with a clear message, a sane exit code, no trial
 * process left behind, and every result written before still readable. */
#include "cli_harness.h"

#include <sys/mount.h>

/* Rows of <exp>/results.csv.zip, or -1 if it cannot be read. */
static long readable_rows(const char *exp)
{
    struct hpolab_results *res = NULL;
    struct hpolab_error err;
    if (hpolab_results_read(exp, &res, &err) != HPOLAB_OK)
        return -1;
    long n = (long)hpolab_results_row_count(res);
    hpolab_results_free(res);
    return n;
}

/* Waits up to timeout_s for the child; its exit status, or -1 on timeout
 * (then it is killed). */
static int wait_exit_within(pid_t pid, double timeout_s)
{
    double end = wall_now() + timeout_s;
    int status;
    while (wall_now() < end) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status)
                                     : 128 + WTERMSIG(status);
        sleep_ms(20);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static char *log_text(struct fixture *f, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    char *text = read_text(path);
    assert_non_null(text);
    return text;
}

/* A full disk: trials flood their std.out into a 2 MiB tmpfs. The
 * experiment ends with "No space left on device" instead of failing trial
 * after trial, and the last results.csv.zip written is still readable. */
static void test_results_folder_full(void **state)
{
    struct fixture *f = *state;
    if (geteuid() != 0)
        skip(); /* mounting a tmpfs needs root (CI runs as root) */
    char mnt[400];
    snprintf(mnt, sizeof mnt, "%s/mnt", f->dir);
    assert_int_equal(mkdir(mnt, 0755), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=2m") != 0)
        fail_msg("cannot mount a tmpfs on %s: %s", mnt, strerror(errno));
    snprintf(f->results, sizeof f->results, "%s/results", mnt);
    write_study(f, "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"
                   " \"mode\": \"flood\", \"epochs\": 200, \"sleep\": 0.05}",
                ", \"max_failures\": 1000", 2);
    const char *args[] = {"--results_update_interval", "0.2", NULL};
    pid_t cli = spawn_cli(f, args, "run");
    int rc = wait_exit_within(cli, 60);
    char exp[512];
    find_experiment(f, exp, sizeof exp);
    char *err_text = log_text(f, "run.err");
    char *out_text = log_text(f, "run.out");
    if (rc != 1 || !strstr(err_text, "No space left on device"))
        fail_msg("exit %d\n%s", rc, err_text);
    /* it stopped at once, not after starting thousands of failing trials */
    const char *summary = strstr(out_text, " trials (");
    assert_non_null(summary);
    while (summary > out_text && summary[-1] != '\n')
        summary--;
    assert_true(atol(summary) < 20);
    long rows = exp[0] ? readable_rows(exp) : -1;
    /* written before the disk filled, and left whole when it did */
    if (rows < 1)
        fail_msg("results.csv.zip of %s unreadable after the disk filled", exp);
    free(err_text);
    free(out_text);
    assert_int_equal(umount2(mnt, MNT_DETACH), 0);
}

/* The results folder becomes unwritable mid-run (hpolab runs as nobody,
 * the folder is made read-only under it): exit 1 naming the folder, no
 * trial process left, the results written before still readable. */
static void test_results_folder_unwritable(void **state)
{
    struct fixture *f = *state;
    if (geteuid() != 0)
        skip(); /* needs to run hpolab as another user */
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(mkdir(f->results, 0755), 0);
    assert_int_equal(chown(f->results, 65534, 65534), 0);
    write_study(f, "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"
                   " \"mode\": \"ok\", \"epochs\": 6, \"sleep\": 0.05}",
                ", \"max_failures\": 1000", 2);
    /* the logs are written by root before the switch, readable after */
    const char *prefix[] = {"setpriv", "--reuid=65534", "--regid=65534",
                            "--clear-groups", NULL};
    const char *args[] = {"--results_update_interval", "0.2", NULL};
    pid_t cli = spawn_cli_prefixed(f, prefix, args, "run");
    char exp[512] = "";
    long before = -1;
    for (int i = 0; i < 300 && before < 8; i++) {
        sleep_ms(50);
        if (!exp[0])
            find_experiment(f, exp, sizeof exp);
        if (exp[0])
            before = readable_rows(exp);
    }
    if (before < 8)
        fail_msg("no results.csv.zip with 8 rows after 15 s");
    assert_int_equal(chmod(exp, 0555), 0);
    int rc = wait_exit_within(cli, 60);
    char *err_text = log_text(f, "run.err");
    if (rc != 1 || !strstr(err_text, "Permission denied") ||
        !strstr(err_text, exp))
        fail_msg("exit %d\n%s", rc, err_text);
    free(err_text);
    assert_true(readable_rows(exp) >= before);
    assert_int_equal(chmod(exp, 0755), 0);
}

/* The terminal closes: SIGHUP ends the study like Ctrl-C (every trial
 * stopped, results written), exit 129. */
static void test_sighup_stops_like_interrupt(void **state)
{
    struct fixture *f = *state;
    write_study(f, "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1}, "
                   "\"mode\": \"slow\", \"epochs\": 5}", "", 2);
    pid_t cli = spawn_cli(f, NULL, "run");
    char exp[512] = "";
    pid_t pids[4] = {0};
    wait_slow_trials(f, exp, sizeof exp, pids);
    kill(cli, SIGHUP);
    assert_int_equal(wait_exit_within(cli, 30), 129);
    for (int i = 0; i < 4; i++)
        assert_false(process_alive(pids[i]));
    assert_int_equal(readable_rows(exp), 2);
    char *err_text = log_text(f, "run.err");
    assert_non_null(strstr(err_text, "hangup"));
    free(err_text);
}

/* Whoever reads hpolab's output goes away (`hpolab run ... | head -1`):
 * SIGPIPE does not kill it half-way; the study runs to its end and
 * results.csv.zip is complete. */
static void test_closed_stdout_does_not_kill(void **state)
{
    struct fixture *f = *state;
    write_study(f, "{\"x\": {\"domain\": \"choice\", \"categories\": [0.1, 0.2, 0.3, 0.4]},"
                   " \"mode\": \"ok\", \"epochs\": 3}", "", 2);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    char study[512];
    snprintf(study, sizeof study, "%s/study.json", f->dir);
    const char *argv[] = {HPOLAB_TEST_CLI, "run", study, "--results_dir",
                          f->results, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, HPOLAB_TEST_CLI, &fa, NULL,
                                 (char *const *)argv, environ),
                     0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1); /* it started writing */
    close(fds[0]);                           /* ...and nobody reads on */
    int rc = wait_exit_within(pid, 60);
    assert_int_equal(rc, 0);
    char exp[512];
    experiment_dir(f, exp, sizeof exp);
    assert_int_equal(readable_rows(exp), 12); /* 4 configurations x 3 */
}

/* A script that writes invalid UTF-8 and NUL bytes around its reports: the
 * reports still count, std.out keeps the bytes as they were. */
static void test_invalid_utf8_output(void **state)
{
    struct fixture *f = *state;
    char path[512], script[600];
    snprintf(script, sizeof script, "%s/bad_utf8.sh", f->dir);
    write_text(script,
               "#!/bin/sh\n"
               "printf 'caf\\351 \\377\\376 \\000 noise\\n'\n"
               "printf '[tune-metric]: {\"epoch\": 1, \"loss\": 0.5}\\n'\n"
               "printf '\\300\\200 [tune-metric]: {\"epoch\": 2, \"loss\": 0.25}\\n'\n");
    assert_int_equal(chmod(script, 0755), 0);
    snprintf(path, sizeof path, "%s/study.json", f->dir);
    char text[2048];
    snprintf(text, sizeof text,
             "{\"name\": \"it\", \"benchmarks\": {\"b\": {\"entry_point\": [\"%s\"],"
             " \"config_space\": {\"x\": 1}, \"metric\": \"loss\"}},"
             " \"methods\": [\"RS\"]}",
             script);
    write_text(path, text);
    assert_int_equal(run_cli(f, NULL, "run"), 0);
    char exp[512];
    experiment_dir(f, exp, sizeof exp);
    assert_int_equal(readable_rows(exp), 2);
    snprintf(path, sizeof path, "%s/0/std.out", exp);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char buf[64];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    assert_true(n > 12);
    assert_memory_equal(buf, "caf\351 \377\376 \000 noise\n", 16);
}


/* A plugin whose calls fail: a failing on_trial_result fails only that
 * trial; a failing suggest ends the experiment with the plugin's message
 * (exit 1), every trial stopped, every result received written. */
static void test_plugin_call_fails(void **state)
{
    struct fixture *f = *state;
    write_study_methods(f, "{\"x\": 0.5, \"mode\": \"slow\", \"epochs\": 3}",
                        ", \"max_failures\": 5", 2,
                        "\"F\": {\"scheduler\": \"fx_failing\", \"searcher\": \"random\"}");
    setenv("HPOLAB_PLUGIN_PATH", HPOLAB_TEST_FX_PLUGINS, 1);
    pid_t cli = spawn_cli(f, NULL, "run");
    unsetenv("HPOLAB_PLUGIN_PATH");
    char exp[512] = "";
    pid_t pids[4] = {0};
    wait_slow_trials(f, exp, sizeof exp, pids);
    /* the second of trials 0 and 1 to report fails; the suggest for its
     * worker, the 3rd, fails the experiment */
    int rc = wait_exit_within(cli, 60);
    char *err_text = log_text(f, "run.err");
    int trial_failed = 0;
    for (int t = 0; t < 2; t++) {
        char want[160];
        snprintf(want, sizeof want, "trial %d failed: [scheduler:fx_failing] "
                                    "deliberate failure for trial %d", t, t);
        trial_failed += strstr(err_text, want) != NULL;
    }
    if (rc != 1 || trial_failed != 1 ||
        !strstr(err_text, "[scheduler:fx_failing] deliberate failure of "
                          "suggest call 3"))
        fail_msg("exit %d\n%s", rc, err_text);
    free(err_text);
    for (int i = 0; i < 4; i++)
        assert_false(process_alive(pids[i]));
    assert_true(readable_rows(exp) >= 2); /* epoch 1 of trials 0 and 1 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_results_folder_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_folder_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sighup_stops_like_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed_stdout_does_not_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plugin_call_fails, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
