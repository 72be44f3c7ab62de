/* test_launch_resume.c: `hpolab launch --resume TAG` on the local engine,
 * with the real command and real trial processes (train_fixture):
 * - 2 methods x 2 seeds, at most 2 at once: the supervisor and every
 *   `hpolab run` (each job runs one in its own process) are killed with
 *   SIGKILL mid-study, trial processes are left running; --resume continues
 *   the two partial experiments in their folders (no lost, no duplicated
 *   (trial_id, epoch) rows, trial ids go on), starts the two that never
 *   started with the same master seed, stops the leftovers, and status
 *   shows all done; a second --resume keeps everything;
 * - a job still running when its supervisor died is adopted (waited for,
 *   not started again), `hpolab cancel` stops an adopted job, and a study
 *   whose supervisor runs is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_launch_resume_util.h"

static int setup(void **state)
{
    return lt_fixture_setup(state, "hpolab-lresume");
}

static int teardown(void **state)
{
    return lt_fixture_teardown(state);
}

/* Trials of 3 epochs, sleep_s before each report; methods: JSON. */
static void write_study(struct lt_fixture *f, const char *methods,
                        double sleep_s)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"name\": \"lr\", \"benchmarks\": {\"fx\": {"
             "\"entry_point\": [\"%s\", \"--sleep\", \"%g\"],"
             "\"config_space\": {\"x\": {\"domain\": \"uniform\", \"lower\": "
             "0, \"upper\": 1}, \"epochs\": 3},"
             "\"metric\": \"loss\", \"mode\": \"min\", \"resource_attr\": "
             "\"epoch\", \"max_resource_attr\": \"epochs\","
             "\"backend_options\": {\"stop_grace_period\": 1},"
             "\"n_workers\": 2, \"max_wallclock_time\": 600}},"
             "\"methods\": %s}",
             HPOLAB_TEST_FIXTURE, sleep_s, methods);
    lt_write_text(f->study, text);
}

static int launch(struct lt_fixture *f, const char *tag,
                  const char *const *more, struct cmd_out *c)
{
    return lt_launch_local(f, tag, more, c);
}

static int resume(struct lt_fixture *f, const char *tag,
                  const char *const *more, struct cmd_out *c)
{
    const char *argv[20] = {HPOLAB_TEST_CLI, "launch", "--resume", tag,
                            "--results_dir", f->results};
    size_t n = 6;
    for (size_t i = 0; more && more[i]; i++)
        argv[n++] = more[i];
    argv[n] = NULL;
    int rc = lt_run(f->dir, argv, NULL, c);
    if (rc != 0)
        fprintf(stderr, "resume: rc %d\n%s\n%s\n", rc, c->out, c->err);
    return rc;
}

#define MAX_LEFT 32

/* Trial processes of tuner_dir still alive: the local backend's
 * <trial>/pid files ("<pid> <start ticks>"). */
static size_t live_trials(const char *tuner_dir, long *pids, size_t n)
{
    for (int id = 0; id < 64; id++) {
        char path[2200];
        snprintf(path, sizeof path, "%s/%d/pid", tuner_dir, id);
        char *text = lt_read_text(path);
        long pid = 0;
        unsigned long long ticks = 0;
        if (text && sscanf(text, "%ld %llu", &pid, &ticks) == 2 &&
            hpolab_process_start_ticks(pid) == ticks && n < MAX_LEFT)
            pids[n++] = pid;
        free(text);
    }
    return n;
}

static void test_kill_everything_then_resume(void **state)
{
    struct lt_fixture *f = *state;
    write_study(f,
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"},"
                " \"RS2\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                2.0);
    struct cmd_out c;
    const char *more[] = {"--num_seeds", "2", "--max_parallel", "2",
                          "--max_num_evaluations", "9",
                          "--results_update_interval", "0", NULL};
    int rc = launch(f, "lr", more, &c);
    if (rc != 0)
        fprintf(stderr, "%s\n%s\n", c.out, c.err);
    assert_int_equal(rc, 0);
    cmd_out_free(&c);
    char root[512], path[1024];
    snprintf(root, sizeof root, "%s/lr", f->results);
    snprintf(path, sizeof path, "%s/launch.json", root);
    json_t *rec0 = lt_load_json(path);
    assert_non_null(rec0);

    /* mid-study: the first two experiments have results, none is done */
    double t0 = lt_now();
    while (rows_of(root, "RS-0") < 2 || rows_of(root, "RS-1") < 2) {
        if (lt_now() - t0 > 60)
            fail_msg("no results after 60 s");
        lt_sleep(0.05);
    }
    snprintf(path, sizeof path, "%s/supervisor.json", root);
    long sup = pid_in(path);
    assert_true(lt_alive(sup));
    assert_int_equal(kill((pid_t)sup, SIGKILL), 0);
    const char *first[] = {"RS-0", "RS-1"};
    char tuner[2][2048];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s/job.json", root, first[i]);
        long job = pid_in(path);
        assert_true(lt_alive(job));
        assert_int_equal(kill((pid_t)job, SIGKILL), 0);
    }
    lt_sleep(0.2); /* both gone; their trials are not */
    struct rows before[2];
    long left[MAX_LEFT];
    size_t n_left = 0;
    for (int i = 0; i < 2; i++) {
        assert_true(lt_tuner_dir(root, first[i], tuner[i], sizeof tuner[i]));
        assert_int_equal(journal_events(tuner[i], "end"), 0);
        read_rows(tuner[i], &before[i]);
        n_left = live_trials(tuner[i], left, n_left);
    }
    fprintf(stderr, "%zu trial process(es) of the killed jobs still run\n",
            n_left);
    /* the slices that never started */
    assert_int_equal(lt_job(root, "RS2-0").state, HPOLAB_SLICE_PENDING);
    assert_int_equal(lt_job(root, "RS2-1").state, HPOLAB_SLICE_PENDING);
    assert_int_equal(lt_run(f->dir,
                            (const char *const[]){HPOLAB_TEST_CLI, "status",
                                                  "lr", "--results_dir",
                                                  f->results, NULL},
                            NULL, &c),
                     0);
    assert_non_null(strstr(c.out, "2 failed, 2 cancelled"));
    cmd_out_free(&c);

    /* resume, all four at once */
    const char *rmore[] = {"--max_parallel", "4", NULL};
    double killed = lt_now();
    assert_int_equal(resume(f, "lr", rmore, &c), 0);
    assert_non_null(strstr(c.out, "0 kept, 0 adopted, 2 continued, 2 "
                                  "started"));
    cmd_out_free(&c);
    /* the resumed tuners stop the leftovers before they go on (without
     * them, a leftover lives until its next report hits the dead pipe) */
    while (journal_events(tuner[0], "resume") < 1 ||
           journal_events(tuner[1], "resume") < 1) {
        if (lt_now() - killed > 60)
            fail_msg("the partial experiments were not resumed in 60 s");
        lt_sleep(0.02);
    }
    for (size_t k = 0; k < n_left; k++)
        if (lt_alive(left[k]))
            fail_msg("trial process %ld of the killed run still runs "
                     "%.2f s after the kill, after the resume began",
                     left[k], lt_now() - killed);
    assert_int_equal(lt_run(f->dir,
                            (const char *const[]){HPOLAB_TEST_CLI, "status",
                                                  "lr", "--results_dir",
                                                  f->results, "--wait", NULL},
                            NULL, &c),
                     0);
    cmd_out_free(&c);

    /* the same record: seed, suffix (job names), options */
    snprintf(path, sizeof path, "%s/launch.json", root);
    json_t *rec1 = lt_load_json(path);
    assert_non_null(rec1);
    assert_int_equal(json_integer_value(json_object_get(rec0, "random_seed")),
                     json_integer_value(json_object_get(rec1, "random_seed")));
    assert_string_equal(json_string_value(json_object_get(rec0, "suffix")),
                        json_string_value(json_object_get(rec1, "suffix")));
    json_int_t master =
        json_integer_value(json_object_get(rec1, "random_seed"));
    json_decref(rec0);
    json_decref(rec1);

    /* the partial experiments went on in their folders */
    for (int i = 0; i < 2; i++) {
        char dir[2048];
        assert_true(lt_tuner_dir(root, first[i], dir, sizeof dir));
        assert_string_equal(dir, tuner[i]);
        assert_int_equal(journal_events(dir, "resume"), 1);
        assert_int_equal(journal_events(dir, "end"), 1);
        struct rows after;
        read_rows(dir, &after); /* no duplicated (trial_id, epoch) */
        for (size_t k = 0; k < before[i].n; k++)
            if (!has_row(&after, before[i].id[k], before[i].epoch[k]))
                fail_msg("%s: trial %lld epoch %lld lost", first[i],
                         (long long)before[i].id[k],
                         (long long)before[i].epoch[k]);
        assert_true(after.n > before[i].n);
        /* new trials got the next ids, every id has its folder */
        assert_true(max_id(&after) > max_id(&before[i]));
        for (int64_t id = 0; id <= max_id(&after); id++) {
            char t[2200];
            snprintf(t, sizeof t, "%s/%lld", dir, (long long)id);
            assert_true(hpolab_is_dir(t));
        }
    }
    /* every experiment done, with the launch's master seed */
    const char *all[] = {"RS-0", "RS-1", "RS2-0", "RS2-1"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(lt_job(root, all[i]).state, HPOLAB_SLICE_DONE);
        char dir[2048];
        assert_true(lt_tuner_dir(root, all[i], dir, sizeof dir));
        snprintf(path, sizeof path, "%s/metadata.json", dir);
        json_t *md = lt_load_json(path);
        assert_non_null(md);
        assert_int_equal(json_integer_value(json_object_get(md, "random_seed")),
                         master);
        json_decref(md);
        struct rows r;
        read_rows(dir, &r);
        assert_true(r.n >= 9);
    }
    assert_int_equal(lt_run(f->dir,
                            (const char *const[]){HPOLAB_TEST_CLI, "status",
                                                  "lr", "--results_dir",
                                                  f->results, NULL},
                            NULL, &c),
                     0);
    assert_non_null(strstr(c.out, "4 jobs: 4 done, 0 running, 0 pending, 0 "
                                  "failed, 0 cancelled"));
    cmd_out_free(&c);

    /* again: everything complete is kept, nothing starts */
    assert_int_equal(resume(f, "lr", NULL, &c), 0);
    assert_non_null(strstr(c.out, "4 kept, 0 adopted, 0 continued, 0 "
                                  "started"));
    assert_non_null(strstr(c.out, "nothing to resume"));
    cmd_out_free(&c);
}

/* Whether pid has exited (a zombie or gone) within timeout seconds. */
static int exited_within(long pid, double timeout)
{
    double end = lt_now() + timeout;
    do {
        char path[64], *text;
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        if (!(text = lt_read_text(path)))
            return 1;
        const char *paren = strrchr(text, ')');
        int gone = paren && (paren[2] == 'Z' || paren[2] == 'X');
        free(text);
        if (gone)
            return 1;
        lt_sleep(0.02);
    } while (lt_now() < end);
    return 0;
}

static void test_adopt_running_job(void **state)
{
    struct lt_fixture *f = *state;
    write_study(f,
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                1.0);
    struct cmd_out c;
    const char *more[] = {"--num_seeds", "2", "--max_parallel", "2",
                          "--max_num_evaluations", "12",
                          "--results_update_interval", "0", NULL};
    assert_int_equal(launch(f, "ad", more, &c), 0);
    cmd_out_free(&c);
    char root[512], path[1024];
    snprintf(root, sizeof root, "%s/ad", f->results);
    double t0 = lt_now();
    while (rows_of(root, "RS-0") < 1 || rows_of(root, "RS-1") < 1) {
        if (lt_now() - t0 > 60)
            fail_msg("no results after 60 s");
        lt_sleep(0.05);
    }
    /* a running study is not resumed */
    assert_int_equal(resume(f, "ad", NULL, &c), 2);
    assert_non_null(strstr(c.err, "is still running"));
    cmd_out_free(&c);

    snprintf(path, sizeof path, "%s/supervisor.json", root);
    long supervisor = pid_in(path);
    snprintf(path, sizeof path, "%s/RS-0/job.json", root);
    long victim = pid_in(path);
    snprintf(path, sizeof path, "%s/RS-1/job.json", root);
    long survivor = pid_in(path);
    assert_int_equal(kill((pid_t)supervisor, SIGKILL), 0);
    assert_int_equal(kill((pid_t)victim, SIGKILL), 0);
    assert_true(lt_alive(survivor));
    /* The survivor is frozen until the resume has seen it running, so on a
     * loaded machine it cannot end before (it would be "kept"). Only once
     * the killed processes have exited: a process group that becomes
     * orphaned while a member is stopped gets SIGHUP. */
    assert_true(exited_within(supervisor, 10) && exited_within(victim, 10));
    assert_int_equal(kill((pid_t)survivor, SIGSTOP), 0);

    assert_int_equal(resume(f, "ad", NULL, &c), 0);
    if (!strstr(c.out, "0 kept, 1 adopted, 1 continued, 0 started"))
        fail_msg("resume said:\n%s\n%s", c.out, c.err);
    cmd_out_free(&c);
    assert_int_equal(kill((pid_t)survivor, SIGCONT), 0);
    assert_true(lt_wait_state(root, "RS-0", HPOLAB_SLICE_DONE, 60));
    assert_true(lt_wait_state(root, "RS-1", HPOLAB_SLICE_DONE, 60));
    /* the adopted job ran to its end once: same process, one experiment
     * that was never resumed */
    struct hpolab_job_state js = lt_job(root, "RS-1");
    assert_int_equal(js.state, HPOLAB_SLICE_DONE);
    assert_int_equal(js.pid, survivor);
    assert_false(lt_alive(survivor));
    char dir[2048];
    assert_true(lt_tuner_dir(root, "RS-1", dir, sizeof dir));
    assert_int_equal(journal_events(dir, "resume"), 0);
    assert_int_equal(journal_events(dir, "end"), 1);
    assert_true(lt_tuner_dir(root, "RS-0", dir, sizeof dir));
    assert_int_equal(journal_events(dir, "resume"), 1);
    assert_int_equal(lt_job(root, "RS-0").state, HPOLAB_SLICE_DONE);
}

/* hpolab cancel after a resume stops the adopted job too. */
static void test_cancel_adopted(void **state)
{
    struct lt_fixture *f = *state;
    write_study(f,
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                1.0);
    struct cmd_out c;
    const char *more[] = {"--max_num_evaluations", "60",
                          "--results_update_interval", "0", NULL};
    assert_int_equal(launch(f, "ca", more, &c), 0);
    cmd_out_free(&c);
    char root[512], path[1024];
    snprintf(root, sizeof root, "%s/ca", f->results);
    assert_true(lt_wait_state(root, "RS-0", HPOLAB_SLICE_RUNNING, 30));
    snprintf(path, sizeof path, "%s/supervisor.json", root);
    assert_int_equal(kill((pid_t)pid_in(path), SIGKILL), 0);
    snprintf(path, sizeof path, "%s/RS-0/job.json", root);
    long job = pid_in(path);
    assert_int_equal(resume(f, "ca", NULL, &c), 0);
    assert_non_null(strstr(c.out, "0 kept, 1 adopted, 0 continued, 0 "
                                  "started"));
    cmd_out_free(&c);
    assert_true(lt_alive(job));
    const char *argv[] = {HPOLAB_TEST_CLI, "cancel", "ca", "--results_dir",
                          f->results, NULL};
    double t0 = lt_now();
    assert_int_equal(lt_run(f->dir, argv, NULL, &c), 0);
    assert_non_null(strstr(c.out, "1 job: 0 done, 0 running, 0 pending, 0 "
                                  "failed, 1 cancelled"));
    cmd_out_free(&c);
    assert_false(lt_alive(job));
    /* told to stop (SIGTERM), not killed once the 20 s grace ran out */
    double took = lt_now() - t0;
    if (took > 10)
        fail_msg("cancel took %.1f s", took);
    assert_int_equal(lt_job(root, "RS-0").state, HPOLAB_SLICE_CANCELLED);
}

static void test_bad_input(void **state)
{
    struct lt_fixture *f = *state;
    struct cmd_out c;
    assert_int_equal(resume(f, "nosuch", NULL, &c), 2);
    assert_non_null(strstr(c.err, "no launched study 'nosuch'"));
    cmd_out_free(&c);
    assert_int_equal(resume(f, "../up", NULL, &c), 2);
    assert_non_null(strstr(c.err, "experiment tag '../up'"));
    cmd_out_free(&c);
    const char *argv[] = {HPOLAB_TEST_CLI, "launch", f->study, "--resume",
                          "x", NULL};
    assert_int_equal(lt_run(f->dir, argv, NULL, &c), 2);
    assert_non_null(strstr(c.err, "nothing else"));
    cmd_out_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill_everything_then_resume,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_adopt_running_job, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cancel_adopted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
