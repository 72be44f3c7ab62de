/* test_slurm.c: `hpolab launch --engine slurm` against a real Slurm cluster
 * started on this machine's loopback by tools/dev/slurm-start.sh (munged,
 * slurmctld, slurmd; packages installed when missing) and stopped by PID
 * with tools/dev/slurm-stop.sh after the tests, also when one fails. Needs
 * root; otherwise it exits 77 (skipped). Checks: a study as one job array
 * (results in the tree, shared master seed, one experiment failing inside
 * its job reported as failed while the others finish), status, cancel of one
 * job then of the rest (no process left), Slurm refusing a job (bad
 * partition), the controller unreachable, sbatch missing; a job scancelled
 * mid-run and `hpolab launch --resume` (the other job, still running,
 * adopted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_launch_resume_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The cluster lives in this test's own folder on ports nothing listened on
 * at start, so two suites on one machine (several checkouts) never share a
 * munged, a controller or a port. */
static char slurm_dir[300];
static int ports[3]; /* slurmctld, slurmd, one left unused */
static char env_dir[340], env_ctld[64], env_sd[64];
static const char *slurm_env[] = {
    env_dir, env_ctld, env_sd, "HPOLAB_SLURM_CPUS=4", "HPOLAB_SLURM_INSTALL=1",
    NULL};

/* n distinct TCP ports free on loopback: bound to port 0 together (so the
 * kernel gives distinct ones), read back, closed. */
static int free_ports(int *out, int n)
{
    int fds[8], ok = 1;
    for (int i = 0; i < n; i++) {
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof a;
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, sizeof a) != 0 ||
            getsockname(fds[i], (struct sockaddr *)&a, &len) != 0)
            ok = 0;
        out[i] = ntohs(a.sin_port);
    }
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return ok ? 0 : -1;
}

struct fixture {
    char dir[256];
    char results[320];
    char study[320];
};

static struct fixture fx;

static void write_study(const char *entry, const char *methods, double budget)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"name\": \"st\", \"benchmarks\": {\"fx\": {"
             "\"entry_point\": [\"%s\"%s],"
             "\"config_space\": {\"x\": {\"domain\": \"uniform\", \"lower\": "
             "0, \"upper\": 1}, \"epochs\": 3},"
             "\"metric\": \"loss\", \"mode\": \"min\", \"resource_attr\": "
             "\"epoch\", \"max_resource_attr\": \"epochs\","
             "\"n_workers\": 1, \"max_wallclock_time\": %g}},"
             "\"methods\": %s}",
             HPOLAB_TEST_FIXTURE, entry, budget, methods);
    lt_write_text(fx.study, text);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(fx.dir, sizeof fx.dir, "/tmp/hpolab-slurm-t-XXXXXX");
    if (!mkdtemp(fx.dir))
        return -1;
    /* munged wants its socket's path searchable by all */
    if (chmod(fx.dir, 0711) != 0)
        return -1;
    snprintf(fx.results, sizeof fx.results, "%s/results", fx.dir);
    snprintf(fx.study, sizeof fx.study, "%s/study.json", fx.dir);
    snprintf(slurm_dir, sizeof slurm_dir, "%s/slurm", fx.dir);
    if (free_ports(ports, 3) != 0)
        return -1;
    snprintf(env_dir, sizeof env_dir, "HPOLAB_SLURM_DIR=%s", slurm_dir);
    snprintf(env_ctld, sizeof env_ctld, "HPOLAB_SLURM_CTLD_PORT=%d", ports[0]);
    snprintf(env_sd, sizeof env_sd, "HPOLAB_SLURM_SLURMD_PORT=%d", ports[1]);
    const char *argv[] = {HPOLAB_TEST_SOURCE_DIR "/tools/dev/slurm-start.sh",
                          NULL};
    struct cmd_out c;
    int rc = lt_run(fx.dir, argv, slurm_env, &c);
    if (rc != 0)
        fprintf(stderr, "slurm-start.sh failed (%d):\n%s\n%s\n", rc, c.out,
                c.err);
    cmd_out_free(&c);
    char conf[400];
    snprintf(conf, sizeof conf, "%s/etc/slurm.conf", slurm_dir);
    setenv("SLURM_CONF", conf, 1);
    return rc == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    const char *argv[] = {HPOLAB_TEST_SOURCE_DIR "/tools/dev/slurm-stop.sh",
                          "--purge", NULL};
    struct cmd_out c;
    int rc = lt_run(fx.dir, argv, slurm_env, &c);
    if (rc != 0)
        fprintf(stderr, "slurm-stop.sh failed (%d):\n%s\n%s\n", rc, c.out,
                c.err);
    cmd_out_free(&c);
    const char *rm[] = {"/bin/rm", "-rf", fx.dir, NULL};
    lt_run("/tmp", rm, NULL, &c);
    cmd_out_free(&c);
    return rc;
}

static int launch(const char *tag, const char *const *more,
                  const char *const *env, struct cmd_out *c)
{
    const char *argv[40] = {HPOLAB_TEST_CLI, "launch", fx.study, "--engine",
                            "slurm", "--results_dir", fx.results,
                            "--experiment_tag", tag};
    size_t n = 9;
    for (size_t i = 0; more && more[i]; i++)
        argv[n++] = more[i];
    argv[n] = NULL;
    return lt_run(fx.dir, argv, env, c);
}

static int hpolab(const char *cmd, const char *tag, const char *opt,
                  const char *val, struct cmd_out *c)
{
    const char *argv[] = {HPOLAB_TEST_CLI, cmd, tag, "--results_dir",
                          fx.results, opt, val, NULL};
    return lt_run(fx.dir, argv, NULL, c);
}

static void test_study_as_array(void **state)
{
    (void)state;
    write_study(", \"--sleep\", \"0.2\"",
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"},"
                " \"BAD\": {\"scheduler\": \"fifo\", \"searcher\": \"random\","
                " \"scheduler_options\": {\"no_such_option\": 1}}}",
                3);
    struct cmd_out c;
    const char *more[] = {"--num_seeds", "2", "--wait", NULL};
    int rc = launch("arr", more, NULL, &c);
    if (rc != 1)
        fprintf(stderr, "%s\n%s\n", c.out, c.err);
    assert_int_equal(rc, 1); /* BAD failed */
    assert_non_null(strstr(c.out, "as job array"));
    const char *m = strstr(c.out, "Master random_seed = ");
    assert_non_null(m);
    long master = strtol(m + 21, NULL, 10);
    cmd_out_free(&c);

    char root[512];
    snprintf(root, sizeof root, "%s/arr", fx.results);
    const char *ok[] = {"RS-0", "RS-1"};
    for (int i = 0; i < 2; i++) {
        struct hpolab_job_state js = lt_job(root, ok[i]);
        assert_int_equal(js.state, HPOLAB_SLICE_DONE);
        assert_non_null(strchr(js.job_id, '_')); /* an array task */
        char tuner[2048], path[2200];
        assert_true(lt_tuner_dir(root, ok[i], tuner, sizeof tuner));
        snprintf(path, sizeof path, "%s/metadata.json", tuner);
        json_t *md = lt_load_json(path);
        assert_int_equal(json_integer_value(json_object_get(md, "random_seed")),
                         master);
        assert_int_equal(json_integer_value(json_object_get(md, "seed")), i);
        json_decref(md);
        snprintf(path, sizeof path, "%s/results.csv.zip", tuner);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        /* the job's output is in the results tree */
        snprintf(path, sizeof path, "%s/%s/std.out", root, ok[i]);
        char *out = lt_read_text(path);
        assert_non_null(out);
        assert_non_null(strstr(out, "Starting experiment (RS/fx/"));
        free(out);
    }
    struct hpolab_job_state bad = lt_job(root, "BAD-1");
    assert_int_equal(bad.state, HPOLAB_SLICE_FAILED);
    assert_non_null(strstr(bad.message, "no_such_option"));
    assert_int_equal(hpolab("status", "arr", NULL, NULL, &c), 0);
    assert_non_null(strstr(c.out, "4 jobs: 2 done, 0 running, 0 pending, 2 "
                                  "failed, 0 cancelled"));
    assert_non_null(strstr(c.out, "BAD-0"));
    assert_non_null(strstr(c.out, "unknown option 'no_such_option'"));
    cmd_out_free(&c);
    /* nothing written to the current folder */
    struct stat sb;
    char path[512];
    snprintf(path, sizeof path, "%s/slurm-1.out", fx.dir);
    assert_int_not_equal(stat(path, &sb), 0);
}

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

static void test_cancel(void **state)
{
    (void)state;
    write_study(", \"--mode\", \"slow\"",
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                100);
    struct cmd_out c;
    const char *more[] = {"--num_seeds", "2", "--no_array", NULL};
    assert_int_equal(launch("can", more, NULL, &c), 0);
    assert_non_null(strstr(c.out, "can-RS-1-"));
    cmd_out_free(&c);
    char root[512];
    snprintf(root, sizeof root, "%s/can", fx.results);
    long p0[2] = {0, 0}, p1[2] = {0, 0};
    double end = lt_now() + 60;
    while (lt_now() < end &&
           !(trial_pids(root, "RS-0", p0) && trial_pids(root, "RS-1", p1)))
        lt_sleep(0.2);
    assert_true(lt_alive(p0[0]) && lt_alive(p1[0]));
    assert_int_equal(hpolab("status", "can", NULL, NULL, &c), 0);
    assert_non_null(strstr(c.out, "2 running"));
    cmd_out_free(&c);

    assert_int_equal(hpolab("cancel", "can", "--slice", "RS-1", &c), 0);
    assert_non_null(strstr(c.out, "1 running, 0 pending, 0 failed, 1 "
                                  "cancelled"));
    cmd_out_free(&c);
    assert_int_equal(lt_job(root, "RS-1").state, HPOLAB_SLICE_CANCELLED);
    assert_int_equal(lt_job(root, "RS-0").state, HPOLAB_SLICE_RUNNING);

    assert_int_equal(hpolab("cancel", "can", NULL, NULL, &c), 0);
    assert_non_null(strstr(c.out, "2 jobs: 0 done, 0 running, 0 pending, 0 "
                                  "failed, 2 cancelled"));
    cmd_out_free(&c);
    long all[] = {p0[0], p0[1], p1[0], p1[1], (long)lt_job(root, "RS-0").pid,
                  (long)lt_job(root, "RS-1").pid};
    end = lt_now() + 20;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        while (lt_now() < end && lt_alive(all[i]))
            lt_sleep(0.1);
        if (lt_alive(all[i]))
            fail_msg("process %ld is still running after cancel", all[i]);
    }
}

/* One job of an array scancelled mid-run: --resume continues its
 * experiment in a new job (same folder, no lost or duplicated rows) and
 * adopts the job still running instead of submitting it again. */
static void test_resume_after_scancel(void **state)
{
    (void)state;
    write_study(", \"--sleep\", \"1\"",
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                600);
    struct cmd_out c;
    const char *more[] = {"--num_seeds", "2", "--max_num_evaluations", "9",
                          "--results_update_interval", "0", NULL};
    assert_int_equal(launch("res", more, NULL, &c), 0);
    assert_non_null(strstr(c.out, "as job array"));
    cmd_out_free(&c);
    char root[512];
    snprintf(root, sizeof root, "%s/res", fx.results);
    double end = lt_now() + 60;
    while (rows_of(root, "RS-0") < 2 || rows_of(root, "RS-1") < 1) {
        if (lt_now() > end)
            fail_msg("no results after 60 s");
        lt_sleep(0.05);
    }
    struct hpolab_job_state j0 = lt_job(root, "RS-0");
    struct hpolab_job_state j1 = lt_job(root, "RS-1");
    assert_int_equal(j1.state, HPOLAB_SLICE_RUNNING);
    const char *sc[] = {"/usr/bin/scancel", j0.job_id, NULL};
    assert_int_equal(lt_run(fx.dir, sc, NULL, &c), 0);
    cmd_out_free(&c);
    assert_true(lt_wait_state(root, "RS-0", HPOLAB_SLICE_CANCELLED, 30));
    char tuner[2048];
    assert_true(lt_tuner_dir(root, "RS-0", tuner, sizeof tuner));
    assert_int_equal(journal_events(tuner, "end"), 0);
    struct rows before;
    read_rows(tuner, &before);

    const char *argv[] = {HPOLAB_TEST_CLI, "launch", "--resume", "res",
                          "--results_dir", fx.results, "--wait", NULL};
    int rc = lt_run(fx.dir, argv, NULL, &c);
    if (rc != 0)
        fprintf(stderr, "%s\n%s\n", c.out, c.err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(c.out, "0 kept, 1 adopted, 1 continued, 0 "
                                  "started"));
    assert_non_null(strstr(c.out, "submitted 1 of 1 job(s)"));
    cmd_out_free(&c);

    struct hpolab_job_state r0 = lt_job(root, "RS-0");
    assert_int_equal(r0.state, HPOLAB_SLICE_DONE);
    assert_string_not_equal(r0.job_id, j0.job_id); /* a new job */
    char dir[2048];
    assert_true(lt_tuner_dir(root, "RS-0", dir, sizeof dir));
    assert_string_equal(dir, tuner);
    assert_int_equal(journal_events(dir, "resume"), 1);
    assert_int_equal(journal_events(dir, "end"), 1);
    struct rows after;
    read_rows(dir, &after); /* no duplicated (trial_id, epoch) */
    for (size_t k = 0; k < before.n; k++)
        if (!has_row(&after, before.id[k], before.epoch[k]))
            fail_msg("RS-0: trial %lld epoch %lld lost",
                     (long long)before.id[k], (long long)before.epoch[k]);
    assert_true(after.n >= 9);
    /* the adopted job ran once, to its end */
    struct hpolab_job_state r1 = lt_job(root, "RS-1");
    assert_int_equal(r1.state, HPOLAB_SLICE_DONE);
    assert_string_equal(r1.job_id, j1.job_id);
    assert_true(lt_tuner_dir(root, "RS-1", dir, sizeof dir));
    assert_int_equal(journal_events(dir, "resume"), 0);
    assert_int_equal(hpolab("status", "res", NULL, NULL, &c), 0);
    assert_non_null(strstr(c.out, "2 jobs: 2 done, 0 running, 0 pending, 0 "
                                  "failed, 0 cancelled"));
    cmd_out_free(&c);
}

static void test_refused_and_unreachable(void **state)
{
    (void)state;
    write_study(", \"--sleep\", \"0.1\"",
                "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}",
                2);
    struct cmd_out c;
    /* Slurm refuses the job */
    const char *part[] = {"--partition", "no-such-partition", NULL};
    assert_int_equal(launch("part", part, NULL, &c), 1);
    assert_non_null(strstr(c.err, "slice RS-0 (part-RS-0-"));
    assert_non_null(strstr(c.err, "Invalid partition name specified"));
    cmd_out_free(&c);
    assert_int_equal(hpolab("status", "part", NULL, NULL, &c), 0);
    assert_non_null(strstr(c.out, "1 job: 0 done, 0 running, 0 pending, 1 "
                                  "failed"));
    assert_non_null(strstr(c.out, "Invalid partition name specified"));
    cmd_out_free(&c);

    /* a held job: only Slurm knows why it waits */
    const char *hold[] = {"--sbatch_args", "--hold --comment=hpolab-test",
                          NULL};
    assert_int_equal(launch("hold", hold, NULL, &c), 0);
    cmd_out_free(&c);
    assert_int_equal(hpolab("status", "hold", NULL, NULL, &c), 0);
    assert_non_null(strstr(c.out, "1 job: 0 done, 0 running, 1 pending"));
    assert_non_null(strstr(c.out, "Slurm: JobHeldUser"));
    cmd_out_free(&c);
    assert_int_equal(hpolab("cancel", "hold", NULL, NULL, &c), 0);
    assert_non_null(strstr(c.out, "1 job: 0 done, 0 running, 0 pending, 0 "
                                  "failed, 1 cancelled"));
    cmd_out_free(&c);

    /* sbatch not installed */
    const char *no_path[] = {"PATH=/nonexistent-hpolab-bin", NULL};
    assert_int_equal(launch("nosb", NULL, no_path, &c), 1);
    assert_non_null(strstr(c.err, "slice RS-0 (nosb-RS-0-"));
    assert_non_null(strstr(c.err, "sbatch is not installed (not found in "
                                  "PATH)"));
    cmd_out_free(&c);

    /* the controller unreachable (nothing listens on its port) */
    char conf[512], text_path[512];
    snprintf(conf, sizeof conf, "%s/unreachable.conf", fx.dir);
    snprintf(text_path, sizeof text_path, "%s/etc/slurm.conf", slurm_dir);
    char *text = lt_read_text(text_path);
    assert_non_null(text);
    char want[64];
    snprintf(want, sizeof want, "SlurmctldPort=%d\n", ports[0]);
    char *port = strstr(text, want);
    assert_non_null(port);
    *port = '\0';
    char *changed = NULL;
    assert_true(asprintf(&changed, "%sSlurmctldPort=%d\n%s", text, ports[2],
                         port + strlen(want)) > 0);
    lt_write_text(conf, changed);
    free(changed);
    free(text);
    char env_conf[600];
    snprintf(env_conf, sizeof env_conf, "SLURM_CONF=%s", conf);
    const char *unreach[] = {env_conf, NULL};
    assert_int_equal(launch("unr", NULL, unreach, &c), 1);
    assert_non_null(strstr(c.err, "Unable to contact slurm controller"));
    cmd_out_free(&c);
    char root[512];
    snprintf(root, sizeof root, "%s/unr", fx.results);
    assert_int_equal(lt_job(root, "RS-0").state, HPOLAB_SLICE_FAILED);
}

/* The slurm backend plugin: hpolab run with each trial a Slurm job. */
static void write_backend_study(const char *mode, double budget)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"name\": \"sb\", \"benchmarks\": {\"fx\": {"
             "\"entry_point\": [\"%s\", \"--sleep\", \"0.2\", \"--mode\", "
             "\"%s\"],"
             "\"config_space\": {\"x\": {\"domain\": \"choice\", "
             "\"categories\": [0.1, 0.5, 0.9]}, \"epochs\": 3},"
             "\"metric\": \"loss\", \"mode\": \"min\", \"resource_attr\": "
             "\"epoch\", \"max_resource_attr\": \"epochs\","
             "\"n_workers\": 2, \"max_wallclock_time\": %g,"
             "\"backend\": \"slurm\", \"backend_options\": "
             "{\"poll_interval\": 0.2}}},"
             "\"methods\": {\"RS\": {}}}",
             HPOLAB_TEST_FIXTURE, mode, budget);
    lt_write_text(fx.study, text);
}

static void test_backend_plugin(void **state)
{
    (void)state;
    char results[512];
    snprintf(results, sizeof results, "%s/plugin", fx.dir);
    write_backend_study("ok", 120);
    const char *argv[] = {HPOLAB_TEST_CLI, "run", fx.study, "--results_dir",
                          results, "--experiment_tag", "plug", NULL};
    struct cmd_out c;
    int rc = lt_run(fx.dir, argv, NULL, &c);
    if (rc != 0)
        fprintf(stderr, "%s\n%s\n", c.out, c.err);
    assert_int_equal(rc, 0);
    /* the space has 3 configurations: 3 trials x 3 epochs */
    assert_non_null(strstr(c.out, "3 trials (3 completed, 0 failed, 0 "
                                  "stopped), 9 results"));
    cmd_out_free(&c);

    /* a trial failing inside its job: its reason reaches the user */
    write_backend_study("crash", 120);
    rc = lt_run(fx.dir, argv, NULL, &c);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(c.err, "FAILED (exit code 3): boom"));
    cmd_out_free(&c);

    /* Ctrl-C: every trial's job is cancelled, no process is left */
    write_backend_study("slow", 120);
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/int.out", fx.dir);
    snprintf(err, sizeof err, "%s/int.err", fx.dir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    const char *argv2[] = {HPOLAB_TEST_CLI, "run", fx.study, "--results_dir",
                           results, "--experiment_tag", "intr", NULL};
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, argv2[0], &fa, NULL,
                                 (char *const *)argv2, environ),
                     0);
    posix_spawn_file_actions_destroy(&fa);
    /* both trials' processes are up (they write their pids) */
    long pids[2][2] = {{0, 0}, {0, 0}};
    double end = lt_now() + 60;
    for (int t = 0; t < 2; t++) {
        for (;;) {
            char tuner[2048] = "", path[2200];
            DIR *d = opendir(results);
            struct dirent *de;
            while (d && (de = readdir(d)) != NULL)
                if (strncmp(de->d_name, "intr-", 5) == 0)
                    snprintf(tuner, sizeof tuner, "%s/%s", results, de->d_name);
            if (d)
                closedir(d);
            snprintf(path, sizeof path, "%s/%d/pids", tuner, t);
            char *text = tuner[0] ? lt_read_text(path) : NULL;
            int ok = text && sscanf(text, "%ld %ld", &pids[t][0],
                                    &pids[t][1]) == 2;
            free(text);
            if (ok || lt_now() > end)
                break;
            lt_sleep(0.2);
        }
        assert_true(lt_alive(pids[t][0]));
    }
    kill(pid, SIGINT);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    end = lt_now() + 20;
    for (int t = 0; t < 2; t++)
        for (int k = 0; k < 2; k++) {
            while (lt_now() < end && lt_alive(pids[t][k]))
                lt_sleep(0.1);
            if (lt_alive(pids[t][k]))
                fail_msg("trial process %ld is still running", pids[t][k]);
        }
    const char *sq[] = {"/usr/bin/squeue", "-h", "-o", "%i %T", NULL};
    assert_int_equal(lt_run(fx.dir, sq, NULL, &c), 0);
    assert_string_equal(c.out, ""); /* no job left in the queue */
    cmd_out_free(&c);
}

int main(void)
{
    if (geteuid() != 0) {
        printf("SKIP: the Slurm test starts munged, slurmctld and slurmd "
               "and must run as root\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_study_as_array),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_resume_after_scancel),
        cmocka_unit_test(test_refused_and_unreachable),
        cmocka_unit_test(test_backend_plugin),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
