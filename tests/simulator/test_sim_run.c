/* End to end: `hpolab run` with the simulator backend.
 * - a fixed seed gives a byte-identical results.csv.zip (and another seed a
 *   different one), and max_wallclock_time counts simulated seconds;
 * - ASHA promotion: each promoted trial resumes after its last epoch, with
 *   elapsed times shifted by the elapsed time there, no epoch twice;
 * - a long random search finds the analytic benchmarks' known optima and
 *   never beats them;
 * - the tabulated example study of examples/simulator;
 * - --backend simulator --backend_options on a study of the local backend;
 * - bad input: unknown benchmark, malformed table, unknown --backend. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fsutil.h"
#include "record.h"
#include "results_table.h"
#include "results_zip.h"
#include "tl_formula.h"

extern char **environ;

#define EXAMPLES HPOLAB_TEST_SOURCE_DIR "/examples/simulator"

struct fixture {
    char dir[256];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/hpolab-simrun-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char *argv[] = {"rm", "-rf", f->dir, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "rm", NULL, NULL, argv, environ) == 0)
        waitpid(pid, NULL, 0);
    free(f);
    return 0;
}

static void write_text(struct fixture *f, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *read_text(const char *path, size_t *len)
{
    char *data = NULL;
    size_t n = 0;
    struct hpolab_error err;
    if (hpolab_read_file(path, &data, &n, &err) != HPOLAB_OK)
        return NULL;
    if (len)
        *len = n;
    return data;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* hpolab run <study> --results_dir <dir>/<results> [args...]; stdout and
 * stderr go to <dir>/<results>.out / .err. Returns the exit status. */
/* hpolab COMMAND STUDY --results_dir DIR/RESULTS args...; output in
 * DIR/RESULTS.out and .err */
static int run_command(struct fixture *f, const char *command,
                       const char *study, const char *results,
                       const char *const *args)
{
    char res[512], out[512], err[512];
    snprintf(res, sizeof res, "%s/%s", f->dir, results);
    snprintf(out, sizeof out, "%s/%s.out", f->dir, results);
    snprintf(err, sizeof err, "%s/%s.err", f->dir, results);
    const char *argv[40] = {HPOLAB_TEST_CLI, command, study, "--results_dir",
                            res};
    int n = 5;
    for (int i = 0; args && args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, HPOLAB_TEST_CLI, &fa, NULL,
                                 (char *const *)argv, environ),
                     0);
    posix_spawn_file_actions_destroy(&fa);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_cli(struct fixture *f, const char *study, const char *results,
                   const char *const *args)
{
    return run_command(f, "run", study, results, args);
}

static char *log_of(struct fixture *f, const char *results, const char *ext)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.%s", f->dir, results, ext);
    char *text = read_text(path, NULL);
    assert_non_null(text);
    return text;
}

static void assert_log_has(struct fixture *f, const char *results,
                           const char *ext, const char *fragment)
{
    char *text = log_of(f, results, ext);
    if (!strstr(text, fragment))
        fail_msg("%s.%s lacks '%s':\n%s", results, ext, fragment, text);
    free(text);
}

/* The experiment folders under <dir>/<results>, sorted; returns how many. */
static size_t experiments(struct fixture *f, const char *results,
                          char out[][512], size_t max)
{
    char res[512];
    snprintf(res, sizeof res, "%s/%s", f->dir, results);
    struct dirent **list;
    int n = scandir(res, &list, NULL, alphasort);
    assert_true(n >= 0);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (list[i]->d_name[0] != '.' && k < max)
            snprintf(out[k++], 512, "%s/%s", res, list[i]->d_name);
        free(list[i]);
    }
    free(list);
    return k;
}

static struct hpolab_results *results_of(const char *exp)
{
    struct hpolab_results *r = NULL;
    struct hpolab_error err;
    if (hpolab_results_read(exp, &r, &err) != HPOLAB_OK)
        fail_msg("%s", err.message);
    return r;
}

static double cell(const struct hpolab_record *row, const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(row, name);
    if (!v)
        fail_msg("row has no column '%s'", name);
    double x;
    assert_int_equal(hpolab_value_as_double(v, &x), HPOLAB_OK);
    return x;
}

static const char *cell_text(const struct hpolab_record *row,
                             const char *name)
{
    const struct hpolab_value *v = hpolab_record_get(row, name);
    if (!v || v->type != HPOLAB_VALUE_STRING)
        fail_msg("row has no text column '%s'", name);
    return v->u.s;
}

/* The ODSC transformer space on the analytic benchmark. */
static const char *const ODSC_SPACE =
    "{\"lr\": {\"domain\": \"loguniform\", \"lower\": 1e-6, \"upper\": 1e-3},"
    " \"dropout\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 0.99},"
    " \"batch_size\": {\"domain\": \"randint\", \"lower\": 16, \"upper\": 48},"
    " \"momentum\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 0.99},"
    " \"clip\": {\"domain\": \"uniform\", \"lower\": 0, \"upper\": 1},"
    " \"epochs\": 40}";

static void write_study(struct fixture *f, const char *name,
                        const char *backend_options, const char *space,
                        const char *metric, const char *extra,
                        const char *methods)
{
    char text[8192];
    snprintf(text, sizeof text,
             "{\"name\": \"simrun\",\n"
             " \"benchmarks\": {\"bench\": {\n"
             "   \"backend\": \"simulator\", \"backend_options\": %s,\n"
             "   \"config_space\": %s,\n"
             "   \"metric\": \"%s\", \"mode\": \"min\"%s}},\n"
             " \"methods\": %s}\n",
             backend_options, space, metric, extra, methods);
    write_text(f, name, text);
}

static const char *const RS =
    "{\"RS\": {\"scheduler\": \"fifo\", \"searcher\": \"random\"}}";
static const char *const ASHA =
    "{\"ASHA\": {\"scheduler\": \"asha\", \"searcher\": \"random\", "
    "\"scheduler_options\": {\"type\": \"promotion\"}}}";

/* ---- determinism, simulated budget ------------------------------------------ */

static void test_fixed_seed_byte_identical_results(void **state)
{
    struct fixture *f = *state;
    write_study(f, "study.json", "{\"benchmark\": \"transformer_like\"}",
                ODSC_SPACE, "val_loss",
                ", \"resource_attr\": \"epoch\", \"max_resource_attr\": "
                "\"epochs\", \"n_workers\": 4, \"max_wallclock_time\": 7200",
                ASHA);
    char study[512];
    snprintf(study, sizeof study, "%s/study.json", f->dir);
    const char *seed11[] = {"--random_seed", "11", NULL};
    const char *seed12[] = {"--random_seed", "12", NULL};
    double t0 = now_s();
    assert_int_equal(run_cli(f, study, "a", seed11), 0);
    double took = now_s() - t0;
    assert_int_equal(run_cli(f, study, "b", seed11), 0);
    assert_int_equal(run_cli(f, study, "c", seed12), 0);
    char ea[1][512], eb[1][512], ec[1][512];
    assert_int_equal(experiments(f, "a", ea, 1), 1);
    assert_int_equal(experiments(f, "b", eb, 1), 1);
    assert_int_equal(experiments(f, "c", ec, 1), 1);
    char pa[600], pb[600], pc[600];
    snprintf(pa, sizeof pa, "%s/results.csv.zip", ea[0]);
    snprintf(pb, sizeof pb, "%s/results.csv.zip", eb[0]);
    snprintf(pc, sizeof pc, "%s/results.csv.zip", ec[0]);
    size_t la = 0, lb = 0, lc = 0;
    char *za = read_text(pa, &la), *zb = read_text(pb, &lb),
         *zc = read_text(pc, &lc);
    assert_non_null(za);
    assert_non_null(zb);
    assert_non_null(zc);
    assert_int_equal(la, lb);
    assert_memory_equal(za, zb, la);
    /* not only because both ran within one 2-second DOS time: the member's
     * date is fixed (2000-01-01, local time; the local header's date field
     * is at offset 12) */
    assert_true(la > 30 && memcmp(za, "PK\3\4", 4) == 0);
    unsigned dos_date = (unsigned char)za[12] | (unsigned char)za[13] << 8;
    assert_true(1980 + (dos_date >> 9) <= 2000);
    assert_true(la != lc || memcmp(za, zc, la) != 0);
    free(za);
    free(zb);
    free(zc);
    /* two simulated hours in well under a real minute; the budget is in
     * simulated seconds: the last result is just before 7200 s */
    assert_true(took < 30.0);
    struct hpolab_results *r = results_of(ea[0]);
    size_t n = hpolab_results_row_count(r);
    assert_true(n > 100);
    double last = 0;
    for (size_t i = 0; i < n; i++) {
        double t = cell(hpolab_results_row(r, i), "st_tuner_time");
        assert_true(t >= last); /* rows in simulated time order */
        last = t;
    }
    assert_true(last <= 7200.0 && last > 7000.0);
    hpolab_results_free(r);
    assert_log_has(f, "a", "out", "ended by max_wallclock_time");
}

/* ---- ASHA promotion: resumes shift elapsed times ------------------------------ */

static void test_asha_promotion_resumes_shifted(void **state)
{
    struct fixture *f = *state;
    write_study(f, "study.json", "{\"benchmark\": \"transformer_like\"}",
                ODSC_SPACE, "val_loss",
                ", \"resource_attr\": \"epoch\", \"max_resource_attr\": "
                "\"epochs\", \"n_workers\": 4, \"max_wallclock_time\": 7200",
                ASHA);
    char study[512];
    snprintf(study, sizeof study, "%s/study.json", f->dir);
    const char *args[] = {"--random_seed", "5", NULL};
    assert_int_equal(run_cli(f, study, "r", args), 0);
    char exp[1][512];
    assert_int_equal(experiments(f, "r", exp, 1), 1);
    struct hpolab_results *r = results_of(exp[0]);
    size_t n = hpolab_results_row_count(r);
    /* per trial: last epoch, its time, and how many resumes were seen */
    enum { MAX_TRIALS = 4096 };
    static double last_epoch[MAX_TRIALS], last_time[MAX_TRIALS];
    static int paused[MAX_TRIALS];
    memset(last_epoch, 0, sizeof last_epoch);
    memset(paused, 0, sizeof paused);
    int resumes = 0;
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_record *row = hpolab_results_row(r, i);
        int64_t id = (int64_t)cell(row, "trial_id");
        assert_true(id >= 0 && id < MAX_TRIALS);
        double epoch = cell(row, "epoch");
        double elapsed = cell(row, "elapsed_time");
        double iter = cell(row, "st_worker_iter");
        double b = cell(row, "config_batch_size");
        double t = cell(row, "st_tuner_time");
        /* docs/simulator.md: an epoch costs 77 (24 / batch_size)^0.8 s,
         * after 25 s of start-up */
        double cost = 77.0 * pow(24.0 / b, 0.8);
        /* no epoch twice, no epoch skipped */
        assert_true(epoch == last_epoch[id] + 1);
        if (iter == 0 && epoch > 1) {
            /* a resume: elapsed counts from the checkpoint, no start-up */
            assert_true(paused[id]);
            assert_true(fabs(elapsed - cost) < 1e-6);
            assert_true(t >= last_time[id] + cost);
            resumes++;
        } else if (iter == 0) {
            assert_true(fabs(elapsed - (25.0 + cost)) < 1e-6);
        } else {
            /* within a run: one epoch later, one epoch's cost later */
            assert_true(fabs(t - last_time[id] - cost) < 1e-6);
        }
        assert_true(fabs(cell(row, "st_worker_time") - elapsed) < 1e-9);
        paused[id] = strcmp(cell_text(row, "st_decision"), "PAUSE") == 0;
        last_epoch[id] = epoch;
        last_time[id] = t;
    }
    assert_true(resumes > 10);
    hpolab_results_free(r);
}

/* ---- a long random search finds the known optima ----------------------------- */

static double best_of_run(struct fixture *f, const char *study_name,
                          const char *results, const char *metric)
{
    char study[512];
    snprintf(study, sizeof study, "%s/%s", f->dir, study_name);
    const char *args[] = {"--random_seed", "3", NULL};
    assert_int_equal(run_cli(f, study, results, args), 0);
    char exp[1][512];
    assert_int_equal(experiments(f, results, exp, 1), 1);
    struct hpolab_results *r = results_of(exp[0]);
    size_t n = hpolab_results_row_count(r);
    assert_true(n >= 3000);
    double best = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = cell(hpolab_results_row(r, i), metric);
        best = v < best ? v : best;
    }
    hpolab_results_free(r);
    return best;
}

static void test_random_search_finds_known_optima(void **state)
{
    struct fixture *f = *state;
    /* one epoch is the full resource: every result is a final value */
    write_study(f, "branin.json",
                "{\"benchmark\": \"branin_curves\", \"max_resource\": 1}",
                "{\"x1\": {\"domain\": \"uniform\", \"lower\": -5, "
                "\"upper\": 10}, \"x2\": {\"domain\": \"uniform\", "
                "\"lower\": 0, \"upper\": 15}}",
                "value",
                ", \"n_workers\": 4, \"max_num_evaluations\": 3000", RS);
    double best = best_of_run(f, "branin.json", "branin", "value");
    const double optimum = 5.0 / (4.0 * 3.14159265358979323846);
    assert_true(best >= optimum - 1e-12);
    assert_true(best < optimum + 0.02);

    /* transformer_crossing ends exactly at its final value */
    write_study(f, "tc.json",
                "{\"benchmark\": \"transformer_crossing\", "
                "\"max_resource\": 1}",
                ODSC_SPACE, "val_loss",
                ", \"n_workers\": 4, \"max_num_evaluations\": 3000", RS);
    best = best_of_run(f, "tc.json", "tc", "val_loss");
    assert_true(best >= 5.0 - 1e-12);
    assert_true(best < 5.0 + 0.1);

    /* transformer_like after one epoch: its optimum there is a corner of
     * the space, which 3000 random configurations approach */
    write_study(f, "tl.json",
                "{\"benchmark\": \"transformer_like\", \"max_resource\": 1}",
                ODSC_SPACE, "val_loss",
                ", \"n_workers\": 4, \"max_num_evaluations\": 3000", RS);
    best = best_of_run(f, "tl.json", "tl", "val_loss");
    double tl_best = tl_optimum(1);
    assert_true(best >= tl_best - 1e-12);
    assert_true(best < tl_best + 0.1);
}

/* ---- hpolab launch: simulated experiments need one CPU each ------------------ */

/* Simulated trials are no processes, so the local engine runs as many
 * simulated experiments at once as there are CPUs, whatever n_workers says
 * (a real experiment with 4 workers takes 4 CPUs). */
static void test_launch_runs_one_simulated_experiment_per_cpu(void **state)
{
    struct fixture *f = *state;
    write_study(f, "study.json", "{\"benchmark\": \"transformer_like\"}",
                ODSC_SPACE, "val_loss",
                ", \"resource_attr\": \"epoch\", \"max_resource_attr\": "
                "\"epochs\", \"n_workers\": 4, \"max_wallclock_time\": 3600",
                RS);
    char study[512];
    snprintf(study, sizeof study, "%s/study.json", f->dir);
    const char *args[] = {"--engine", "local", "--wait", "--num_seeds", "2",
                          "--random_seed", "1", NULL};
    assert_int_equal(run_command(f, "launch", study, "l", args), 0);
    cpu_set_t set;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                           : 1;
    char expect[128];
    snprintf(expect, sizeof expect, "up to %d experiment(s) at once", cpus);
    assert_log_has(f, "l", "out", expect);
    for (int seed = 0; seed < 2; seed++) {
        char path[600];
        snprintf(path, sizeof path, "%s/l/simrun/RS-%d/job.json", f->dir,
                 seed);
        char *job = read_text(path, NULL);
        assert_non_null(job);
        assert_non_null(strstr(job, "\"state\":\"done\""));
        free(job);
    }
}

/* ---- tables, --backend ----------------------------------------------------------------- */

static void test_tabulated_example_study(void **state)
{
    struct fixture *f = *state;
    const char *args[] = {"--random_seed", "1", "--method", "ASHA", NULL};
    assert_int_equal(run_cli(f, EXAMPLES "/study_table.json", "t", args), 0);
    char exp[1][512];
    assert_int_equal(experiments(f, "t", exp, 1), 1);
    struct hpolab_results *r = results_of(exp[0]);
    size_t n = hpolab_results_row_count(r);
    assert_true(n > 100);
    /* every result is a row of the table: lcurves.csv's values have four
     * decimals and its epochs run 1..27; val_acc came along */
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_record *row = hpolab_results_row(r, i);
        double loss = cell(row, "val_loss");
        assert_true(fabs(loss * 1e4 - round(loss * 1e4)) < 1e-6);
        double e = cell(row, "epoch");
        assert_true(e >= 1 && e <= 27);
        (void)cell(row, "val_acc");
    }
    hpolab_results_free(r);
}

static void test_backend_from_the_command_line(void **state)
{
    struct fixture *f = *state;
    /* a local-backend study; its entry point is never run */
    write_text(f, "local.json",
               "{\"name\": \"cli\", \"benchmarks\": {\"b\": {\n"
               "  \"entry_point\": [\"/bin/false\"],\n"
               "  \"config_space\": {\"x1\": {\"domain\": \"uniform\", "
               "\"lower\": -5, \"upper\": 10}, \"x2\": {\"domain\": "
               "\"uniform\", \"lower\": 0, \"upper\": 15}, \"epochs\": 3},\n"
               "  \"metric\": \"value\", \"resource_attr\": \"epoch\",\n"
               "  \"max_resource_attr\": \"epochs\", \"n_workers\": 2,\n"
               "  \"max_wallclock_time\": 600,\n"
               "  \"backend_options\": {\"stop_grace_period\": 1}}},\n"
               " \"methods\": {\"RS\": {\"scheduler\": \"fifo\", "
               "\"searcher\": \"random\"}}}\n");
    char study[512];
    snprintf(study, sizeof study, "%s/local.json", f->dir);
    const char *args[] = {"--backend", "simulator", "--backend_options",
                          "{\"benchmark\": \"branin_curves\"}", NULL};
    assert_int_equal(run_cli(f, study, "cli", args), 0);
    char exp[1][512];
    assert_int_equal(experiments(f, "cli", exp, 1), 1);
    struct hpolab_results *r = results_of(exp[0]);
    size_t n = hpolab_results_row_count(r);
    assert_true(n >= 3 * 6);
    for (size_t i = 0; i < n; i++) {
        const struct hpolab_record *row = hpolab_results_row(r, i);
        assert_true(cell(row, "epoch") <= 3); /* capped by epochs */
        (void)cell(row, "elapsed_time");
    }
    hpolab_results_free(r);
    char md[600];
    snprintf(md, sizeof md, "%s/metadata.json", exp[0]);
    char *text = read_text(md, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"backend\": \"simulator\""));
    free(text);

    const char *bad[] = {"--backend", "nope", NULL};
    assert_int_equal(run_cli(f, study, "bad1", bad), 2);
    assert_log_has(f, "bad1", "err",
                   "--backend: no backend plugin named 'nope'; available: ");
    const char *bad2[] = {"--backend", "simulator", "--backend_options", "[1]",
                          NULL};
    assert_int_equal(run_cli(f, study, "bad2", bad2), 2);
    assert_log_has(f, "bad2", "err",
                   "--backend_options: expected a JSON object");
    /* the local backend's options are not the simulator's */
    const char *bad3[] = {"--backend", "simulator", NULL};
    assert_int_equal(run_cli(f, study, "bad3", bad3), 2);
    assert_log_has(f, "bad3", "err", "give exactly one of the options");
}

static void test_bad_input_names_place(void **state)
{
    struct fixture *f = *state;
    write_study(f, "unknown.json", "{\"benchmark\": \"nope\"}",
                "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, "
                "\"upper\": 1}}",
                "value", "", RS);
    char study[512];
    snprintf(study, sizeof study, "%s/unknown.json", f->dir);
    assert_int_equal(run_cli(f, study, "u", NULL), 2);
    assert_log_has(f, "u", "err",
                   "no analytic benchmark named 'nope'; available: "
                   "transformer_like, transformer_crossing, "
                   "branin_curves");

    write_text(f, "broken.csv",
               "config_x,epoch,value,elapsed_time\n0.5,1,0.3,10\n"
               "0.5,2,0.2\n");
    write_study(f, "table.json", "{\"table\": \"broken.csv\"}",
                "{\"x\": {\"domain\": \"uniform\", \"lower\": 0, "
                "\"upper\": 1}}",
                "value", "", RS);
    snprintf(study, sizeof study, "%s/table.json", f->dir);
    assert_int_equal(run_cli(f, study, "m", NULL), 1);
    char where[600];
    snprintf(where, sizeof where,
             "%s/broken.csv: line 3: expected 4 cells (as in the header), "
             "got 3",
             f->dir);
    assert_log_has(f, "m", "err", where);

    /* a hyperparameter the benchmark needs is missing: the trials fail */
    write_study(f, "missing.json", "{\"benchmark\": \"branin_curves\"}",
                "{\"x1\": {\"domain\": \"uniform\", \"lower\": 0, "
                "\"upper\": 1}}",
                "value", ", \"max_failures\": 0", RS);
    snprintf(study, sizeof study, "%s/missing.json", f->dir);
    assert_int_equal(run_cli(f, study, "h", NULL), 1);
    assert_log_has(f, "h", "err",
                   "benchmark branin_curves needs the hyperparameter 'x2'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fixed_seed_byte_identical_results,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_asha_promotion_resumes_shifted,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_launch_runs_one_simulated_experiment_per_cpu, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_random_search_finds_known_optima,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_tabulated_example_study, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backend_from_the_command_line,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_names_place, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
