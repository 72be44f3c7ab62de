/* test_launch_local.c: `hpolab launch --engine local` end to end, with the
 * real command and trials that are real processes (train_fixture):
 * - 2 methods x 2 seeds in parallel: the experiments overlap in time, each
 *   lands in <results>/<tag>/<method>-<seed>/<tuner name>/ with the shared
 *   master seed, seeds are paired across methods, the §3.6 budget scaling
 *   reaches metadata.json; relaunching with --skip_existing starts nothing;
 * - cancel of one job, then of the study, from another process: states are
 *   recorded and no process is left;
 * - an experiment failing inside its job and one exceeding its time limit
 *   are reported as failed with the reason while the others finish;
 * - bad input: a clear one-line message and exit 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "launch_test_util.h"

static int setup(void **state)
{
    return lt_fixture_setup(state, "hpolab-launch");
}

static int teardown(void **state)
{
    return lt_fixture_teardown(state);
}

/* entry: extra fixture arguments as JSON list items; methods: JSON. */
static void write_study(struct lt_fixture *f, const char *entry,
                        const char *methods, int n_workers, double budget)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"name\": \"lt\", \"extra_args\": [{\"name\": \"note\", "
             "\"type\": \"int\", \"default\": 1}],"
             "\"benchmarks\": {\"fx\": {"
             "\"entry_point\": [\"%s\"%s],"
             "\"config_space\": {\"x\": {\"domain\": \"uniform\", \"lower\": "
             "0, \"upper\": 1}, \"epochs\": 3},"
             "\"metric\": \"loss\", \"mode\": \"min\", \"resource_attr\": "
             "\"epoch\", \"max_resource_attr\": \"epochs\","
             "\"n_workers\": %d, \"max_wallclock_time\": %g}},"
             "\"methods\": %s}",
             HPOLAB_TEST_FIXTURE, entry, n_workers, budget, methods);
    lt_write_text(f->study, text);
}

static int launch(struct lt_fixture *f, const char *tag,
                  const char *const *more, struct cmd_out *c)
{
    return lt_launch_local(f, tag, more, c);
}

static int hpolab(struct lt_fixture *f, const char *cmd, const char *tag,
                  const char *opt, const char *val, struct cmd_out *c)
{
    const char *argv[] = {HPOLAB_TEST_CLI, cmd, tag, "--results_dir",
                          f->results, opt, val, NULL};
    return lt_run(f->dir, argv, NULL, c);
}

static double config_x(const char *tuner_dir, int trial)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%d/config.json", tuner_dir, trial);
    json_t *j = lt_load_json(path);
    assert_non_null(j);
    double x = json_number_value(json_object_get(j, "x"));
    json_decref(j);
    return x;
}

static unsigned long master_seed_of(const char *out)
{
    const char *m = strstr(out, "Master random_seed = ");
    assert_non_null(m);
    return strtoul(m + 21, NULL, 10);
}

static void test_parallel_study(void **state)
{
    struct lt_fixture *f = *state;
    /* two identical random searches: equal seeds must give equal trials */
    write_study(f, ", \"--sleep\", \"0.3\"",
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"},"
                " \"RS2\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                2, 2);
    struct cmd_out c;
    const char *more[] = {"--num_seeds", "2", "--n_workers", "1",
                          "--scale_max_wallclock_time", "1", "--max_parallel",
                          "4", "--time_limit", "60", "--note", "7", "--wait",
                          NULL};
    int rc = launch(f, "par", more, &c);
    if (rc != 0)
        fprintf(stderr, "%s\n%s\n", c.out, c.err);
    assert_int_equal(rc, 0);
    unsigned long master = master_seed_of(c.out);
    cmd_out_free(&c);

    char root[512];
    snprintf(root, sizeof root, "%s/par", f->results);
    const char *slices[] = {"RS-0", "RS-1", "RS2-0", "RS2-1"};
    double max_start = 0, min_end = 1e300;
    char tuner[4][2048];
    for (int i = 0; i < 4; i++) {
        struct hpolab_job_state js = lt_job(root, slices[i]);
        assert_int_equal(js.state, HPOLAB_SLICE_DONE);
        assert_int_equal(js.exit_code, 0);
        max_start = js.start > max_start ? js.start : max_start;
        min_end = js.end < min_end ? js.end : min_end;
        assert_true(lt_tuner_dir(root, slices[i], tuner[i], sizeof tuner[i]));
        char path[2200];
        snprintf(path, sizeof path, "%s/results.csv.zip", tuner[i]);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        snprintf(path, sizeof path, "%s/metadata.json", tuner[i]);
        json_t *md = lt_load_json(path);
        assert_non_null(md);
        assert_int_equal(json_integer_value(json_object_get(md, "random_seed")),
                         master);
        assert_int_equal(json_integer_value(json_object_get(md, "seed")),
                         i % 2);
        assert_string_equal(
            json_string_value(json_object_get(md, "algorithm")),
            i < 2 ? "RS" : "RS2");
        assert_string_equal(json_string_value(json_object_get(md, "tag")),
                            "par");
        /* §3.6: 1 worker instead of 2 doubles the budget of 2 s */
        assert_true(json_number_value(
                        json_object_get(md, "max_wallclock_time")) == 4);
        assert_int_equal(json_integer_value(json_object_get(md, "n_workers")),
                         1);
        /* the study's own option reached every experiment */
        assert_int_equal(json_integer_value(json_object_get(md, "note")), 7);
        json_decref(md);
    }
    /* all four ran at the same time */
    assert_true(max_start < min_end);
    /* paired seeds: same seed, same first configuration in both methods */
    assert_true(config_x(tuner[0], 1) == config_x(tuner[2], 1));
    assert_true(config_x(tuner[1], 1) == config_x(tuner[3], 1));
    assert_true(config_x(tuner[0], 1) != config_x(tuner[1], 1));

    assert_int_equal(hpolab(f, "status", "par", "--wait", NULL, &c), 0);
    assert_non_null(strstr(c.out, "4 jobs: 4 done, 0 running, 0 pending, 0 "
                                  "failed, 0 cancelled"));
    assert_non_null(strstr(c.out, "RS2-1"));
    cmd_out_free(&c);

    /* relaunch: nothing is missing, nothing starts, the seed is kept */
    const char *again[] = {"--num_seeds", "2", "--n_workers", "1",
                           "--skip_existing", "--wait", NULL};
    assert_int_equal(launch(f, "par", again, &c), 0);
    assert_int_equal(master_seed_of(c.out), master);
    assert_non_null(strstr(c.out, "skipping 4 slice(s)"));
    cmd_out_free(&c);
    for (int i = 0; i < 4; i++) {
        char dir[2048];
        assert_true(lt_tuner_dir(root, slices[i], dir, sizeof dir));
        assert_string_equal(dir, tuner[i]);
    }
}

/* pids the fixture (slow mode) wrote: itself and its child */
static int trial_pids(const char *root, const char *slice, long pids[2])
{
    char tuner[2048], path[2200];
    if (!lt_tuner_dir(root, slice, tuner, sizeof tuner))
        return 0;
    snprintf(path, sizeof path, "%s/0/pids", tuner);
    char *text = lt_read_text(path);
    int ok = text && sscanf(text, "%ld %ld", &pids[0], &pids[1]) == 2;
    free(text);
    return ok;
}

static void test_cancel_leaves_no_process(void **state)
{
    struct lt_fixture *f = *state;
    write_study(f, ", \"--mode\", \"slow\"",
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                1, 100);
    struct cmd_out c;
    const char *more[] = {"--num_seeds", "3", "--max_parallel", "2", NULL};
    assert_int_equal(launch(f, "can", more, &c), 0); /* returns at once */
    assert_non_null(strstr(c.out, "supervisor running in the background"));
    cmd_out_free(&c);
    char root[512];
    snprintf(root, sizeof root, "%s/can", f->results);
    long p0[2] = {0, 0}, p1[2] = {0, 0}, p2[2] = {0, 0};
    double end = lt_now() + 30;
    while (lt_now() < end &&
           !(trial_pids(root, "RS-0", p0) && trial_pids(root, "RS-1", p1)))
        lt_sleep(0.1);
    assert_true(lt_alive(p0[0]) && lt_alive(p0[1]));
    assert_true(lt_alive(p1[0]) && lt_alive(p1[1]));
    assert_int_equal(lt_job(root, "RS-2").state, HPOLAB_SLICE_PENDING);

    /* one job */
    assert_int_equal(hpolab(f, "cancel", "can", "--slice", "RS-1", &c), 0);
    cmd_out_free(&c);
    assert_int_equal(lt_job(root, "RS-1").state, HPOLAB_SLICE_CANCELLED);
    long wrapper1 = (long)lt_job(root, "RS-1").pid;
    end = lt_now() + 15;
    while (lt_now() < end && (lt_alive(p1[0]) || lt_alive(p1[1]) ||
                              lt_alive(wrapper1)))
        lt_sleep(0.1);
    assert_false(lt_alive(p1[0]) || lt_alive(p1[1]) || lt_alive(wrapper1));
    assert_int_equal(lt_job(root, "RS-0").state, HPOLAB_SLICE_RUNNING);

    /* the study: the supervisor started RS-2 in RS-1's place meanwhile */
    assert_true(lt_wait_state(root, "RS-2", HPOLAB_SLICE_RUNNING, 15));
    struct hpolab_job_state sup;
    char sup_path[600];
    snprintf(sup_path, sizeof sup_path, "%s/supervisor.json", root);
    struct hpolab_error err;
    assert_int_equal(hpolab_job_state_read(sup_path, &sup, &err), HPOLAB_OK);
    long wrapper0 = (long)lt_job(root, "RS-0").pid;
    long wrapper2 = (long)lt_job(root, "RS-2").pid;
    end = lt_now() + 15;
    while (lt_now() < end && !trial_pids(root, "RS-2", p2))
        lt_sleep(0.1);
    int rc = hpolab(f, "cancel", "can", "--timeout", "60", &c);
    if (rc != 0)
        fprintf(stderr, "%s\n%s\n", c.out, c.err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(c.out, "3 jobs: 0 done, 0 running, 0 pending, 0 "
                                  "failed, 3 cancelled"));
    cmd_out_free(&c);
    long all[] = {p0[0], p0[1], p1[0], p1[1], p2[0], p2[1], wrapper0,
                  wrapper1, wrapper2, (long)sup.pid};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (lt_alive(all[i]))
            fail_msg("process %ld is still running after cancel", all[i]);
}

static void test_failures(void **state)
{
    struct lt_fixture *f = *state;
    write_study(f, ", \"--sleep\", \"0.2\"",
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"},"
                " \"BAD\": {\"scheduler\": \"fifo\", \"searcher\": \"random\","
                " \"scheduler_options\": {\"no_such_option\": 1}}}",
                1, 3);
    struct cmd_out c;
    const char *more[] = {"--max_parallel", "2", "--wait", NULL};
    assert_int_equal(launch(f, "bad", more, &c), 1);
    assert_non_null(strstr(c.out, "BAD-0 (bad-BAD-0-"));
    assert_non_null(strstr(c.out, "no_such_option"));
    cmd_out_free(&c);
    char root[512];
    snprintf(root, sizeof root, "%s/bad", f->results);
    assert_int_equal(lt_job(root, "RS-0").state, HPOLAB_SLICE_DONE);
    struct hpolab_job_state js = lt_job(root, "BAD-0");
    assert_int_equal(js.state, HPOLAB_SLICE_FAILED);
    assert_int_equal(js.exit_code, 2);
    assert_non_null(strstr(js.message, "no_such_option"));
    /* the job time limit: 1.2 x the 3 s budget */
    char path[600];
    snprintf(path, sizeof path, "%s/launch.json", root);
    json_t *rec = lt_load_json(path);
    assert_int_equal(json_integer_value(json_object_get(rec, "time_limit")), 4);
    json_decref(rec);
    assert_int_equal(hpolab(f, "status", "bad", "--wait", NULL, &c), 0);
    assert_non_null(strstr(c.out, "1 done, 0 running, 0 pending, 1 failed"));
    assert_non_null(strstr(c.out, "    hpolab run exited with 2"));
    cmd_out_free(&c);

    /* a job over its time limit is stopped and reported */
    write_study(f, ", \"--mode\", \"slow\"",
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                1, 100);
    const char *limit[] = {"--time_limit", "2", "--wait", NULL};
    assert_int_equal(launch(f, "lim", limit, &c), 1);
    cmd_out_free(&c);
    snprintf(root, sizeof root, "%s/lim", f->results);
    js = lt_job(root, "RS-0");
    assert_int_equal(js.state, HPOLAB_SLICE_FAILED);
    assert_non_null(strstr(js.message, "time limit of 2 s"));
    long pids[2];
    assert_true(trial_pids(root, "RS-0", pids));
    double end = lt_now() + 30;
    while (lt_now() < end && (lt_alive(pids[0]) || lt_alive(pids[1]) ||
                              lt_alive((long)js.pid)))
        lt_sleep(0.1);
    assert_false(lt_alive(pids[0]) || lt_alive(pids[1]) ||
                 lt_alive((long)js.pid));
}

/* GPUs a slice's trials got: a bit set over the ids in <trial>/gpus. */
static unsigned slice_gpus(const char *root, const char *slice, int *trials)
{
    char tuner[2048];
    unsigned set = 0;
    *trials = 0;
    if (!lt_tuner_dir(root, slice, tuner, sizeof tuner))
        return 0;
    for (int t = 0; t < 100; t++) {
        char path[2200];
        snprintf(path, sizeof path, "%s/%d/gpus", tuner, t);
        char *text = lt_read_text(path);
        if (!text)
            break;
        (*trials)++;
        for (char *p = text; *p; p++)
            if (*p >= '0' && *p <= '9')
                set |= 1u << (*p - '0');
            else if (*p != ',' && *p != '\n')
                set |= 1u << 31; /* "none" or garbage */
        free(text);
    }
    return set;
}

static void test_disjoint_gpus(void **state)
{
    struct lt_fixture *f = *state;
    char script[512];
    snprintf(script, sizeof script, "%s/gpu.sh", f->dir);
    lt_write_text(script,
                  "#!/bin/sh\n"
                  "for a; do last=$a; done\n"
                  "printf '%s\\n' \"${CUDA_VISIBLE_DEVICES:-none}\" > "
                  "\"${last%/checkpoints}/gpus\"\n"
                  "echo '[tune-metric]: {\"epoch\": 1, \"loss\": 0.5}'\n"
                  "sleep 0.3\n");
    char text[2048];
    snprintf(text, sizeof text,
             "{\"name\": \"gpu\", \"benchmarks\": {\"g\": {"
             "\"entry_point\": [\"/bin/sh\", \"%s\"],"
             "\"config_space\": {\"x\": {\"domain\": \"uniform\", "
             "\"lower\": 0, \"upper\": 1}},"
             "\"metric\": \"loss\", \"mode\": \"min\", \"n_workers\": 2,"
             " \"max_wallclock_time\": 2}},"
             "\"methods\": {\"RS\": {}}}",
             script);
    lt_write_text(f->study, text);
    const char *env[] = {
        "HPOLAB_NVIDIA_SMI=" HPOLAB_TEST_SOURCE_DIR
        "/tests/support/local_fake_nvidia_smi.sh",
        "HPOLAB_FAKE_GPUS=4", NULL};
    const char *argv[] = {HPOLAB_TEST_CLI, "launch", f->study, "--engine",
                          "local", "--results_dir", f->results,
                          "--experiment_tag", "gpu", "--num_seeds", "2",
                          "--max_parallel", "2", "--time_limit", "60",
                          "--wait", NULL};
    struct cmd_out c;
    int rc = lt_run(f->dir, argv, env, &c);
    if (rc != 0)
        fprintf(stderr, "%s\n%s\n", c.out, c.err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(c.out, "each experiment gets 2 GPU(s) of its own"));
    cmd_out_free(&c);
    char root[512];
    snprintf(root, sizeof root, "%s/gpu", f->results);
    int n0, n1;
    unsigned g0 = slice_gpus(root, "RS-0", &n0);
    unsigned g1 = slice_gpus(root, "RS-1", &n1);
    assert_true(n0 >= 2 && n1 >= 2);
    /* each experiment's trials used GPUs of its own set of two */
    assert_int_equal(__builtin_popcount(g0), 2);
    assert_int_equal(__builtin_popcount(g1), 2);
    assert_int_equal(g0 & g1, 0);
}

static void test_bad_input(void **state)
{
    struct lt_fixture *f = *state;
    write_study(f, "", "{\"RS\": {}}", 1, 1);
    struct cmd_out c;
    const char *unwritable[] = {"--results_dir", "/proc/hpolab-results", NULL};
    const char *argv1[] = {HPOLAB_TEST_CLI, "launch",      f->study,
                           "--engine",      "local",       unwritable[0],
                           unwritable[1],   NULL};
    assert_int_equal(lt_run(f->dir, argv1, NULL, &c), 2);
    assert_non_null(strstr(c.err, "hpolab launch: results folder: "));
    assert_non_null(strstr(c.err, "/proc/hpolab-results"));
    cmd_out_free(&c);
    const char *argv2[] = {HPOLAB_TEST_CLI, "launch", f->study, "--engine",
                           "cloud", NULL};
    assert_int_equal(lt_run(f->dir, argv2, NULL, &c), 2);
    assert_non_null(strstr(c.err, "--engine: expected 'local', 'slurm' or 'sagemaker', "
                                  "got 'cloud'"));
    cmd_out_free(&c);
    const char *argv3[] = {HPOLAB_TEST_CLI, "launch", f->study, "--engine",
                           "local", "--bogus", "1", NULL};
    assert_int_equal(lt_run(f->dir, argv3, NULL, &c), 2);
    assert_non_null(strstr(c.err, "unknown option '--bogus'"));
    cmd_out_free(&c);
    const char *argv4[] = {HPOLAB_TEST_CLI, "launch", f->study, "--engine",
                           "local", "--experiment_tag", "a_b", NULL};
    assert_int_equal(lt_run(f->dir, argv4, NULL, &c), 2);
    assert_non_null(strstr(c.err, "--experiment_tag"));
    cmd_out_free(&c);
    assert_int_equal(hpolab(f, "status", "nothing-here", NULL, NULL, &c), 2);
    assert_non_null(strstr(c.err, "no launched study 'nothing-here'"));
    cmd_out_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parallel_study, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_leaves_no_process, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disjoint_gpus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
