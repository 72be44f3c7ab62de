/* test_launch_core.c: the pieces of `hpolab launch` in libhpolab: the
 * §3.6 budget rule and job time limit, slices and job names, the launch
 * record and job state files, Slurm helpers (index ranges, minutes, state
 * mapping), resources (parallelism, GPU count), helper processes and
 * best-so-far from results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <spawn.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "launch_plan.h"
#include "launch_proc.h"
#include "launch_record.h"
#include "launch_resources.h"
#include "launch_scale.h"
#include "launch_slurm.h"
#include "launch_state.h"
#include "launch_status.h"
#include "record.h"
#include "results_table.h"
#include "results_zip.h"

static char tmp[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/hpolab-launch-core-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char *argv[] = {"rm", "-rf", tmp, NULL};
    pid_t pid;
    extern char **environ;
    if (posix_spawnp(&pid, "rm", NULL, NULL, argv, environ) == 0)
        waitpid(pid, NULL, 0);
    return 0;
}

static void test_scale_rule(void **state)
{
    (void)state;
    int scaled = -1;
    /* ODSC: 4 workers, 5 h; with 2 workers the budget doubles */
    assert_true(hpolab_scaled_wallclock_time(-1, 2, 18000, 4, 1, &scaled) ==
                36000);
    assert_int_equal(scaled, 1);
    /* int(): 7 * 3 / 2 = 10.5 -> 10 */
    assert_true(hpolab_scaled_wallclock_time(-1, 2, 7, 3, 1, NULL) == 10);
    /* an explicit budget wins */
    assert_true(hpolab_scaled_wallclock_time(100, 2, 18000, 4, 1, &scaled) ==
                100);
    assert_int_equal(scaled, 0);
    /* flag off, no --n_workers, or A >= B: the default */
    assert_true(hpolab_scaled_wallclock_time(-1, 2, 18000, 4, 0, NULL) ==
                18000);
    assert_true(hpolab_scaled_wallclock_time(-1, -1, 18000, 4, 1, NULL) ==
                18000);
    assert_true(hpolab_scaled_wallclock_time(-1, 8, 18000, 4, 1, NULL) ==
                18000);
    /* no budget at all stays none */
    assert_true(hpolab_scaled_wallclock_time(-1, 1, -1, 4, 1, NULL) < 0);
}

static void test_time_limit(void **state)
{
    (void)state;
    assert_int_equal(hpolab_launch_time_limit(100), 120);
    assert_int_equal(hpolab_launch_time_limit(3), 4); /* ceil(3.6) */
    assert_int_equal(hpolab_launch_time_limit(5), 6);
    assert_int_equal(hpolab_launch_time_limit(-1), 72 * 3600);
    assert_int_equal(hpolab_slurm_minutes(60), 1);
    assert_int_equal(hpolab_slurm_minutes(61), 2);
    assert_int_equal(hpolab_slurm_minutes(4), 1);
    assert_int_equal(hpolab_slurm_minutes(0), 1);
}

static void fill_plan(struct hpolab_launch_plan *p)
{
    hpolab_launch_plan_init(p);
    p->tag = strdup("my-study");
    p->suffix = strdup("Ab3x");
    p->engine = strdup("slurm");
    p->study = strdup("/s/study.json");
    p->benchmark = strdup("bench");
    p->metric = strdup("loss");
    p->mode = HPOLAB_MODE_MAX;
    p->master_seed = 12345;
    p->root = strdup(tmp);
    p->program = strdup("/usr/bin/hpolab");
    p->budget = 30;
    p->time_limit = 36;
    p->n_workers = 2;
    p->max_parallel = 3;
    p->created = 1700000000.5;
}

static void test_plan_slices(void **state)
{
    (void)state;
    struct hpolab_launch_plan p;
    fill_plan(&p);
    struct hpolab_error err;
    const char *fwd[] = {"--n_workers", "1", "--lr_max", "0.5"};
    assert_int_equal(hpolab_launch_plan_add(&p, "ASHA", 3, fwd, 4, &err),
                     HPOLAB_OK);
    const struct hpolab_launch_slice *s = &p.slices[0];
    assert_string_equal(s->job_name, "my-study-ASHA-3-Ab3x");
    assert_string_equal(s->subdir, "ASHA-3");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/ASHA-3", tmp);
    assert_string_equal(s->dir, dir);
    const char *want[] = {"run", "/s/study.json", "--experiment_tag",
                          "my-study", "--benchmark", "bench", "--method",
                          "ASHA", "--start_seed", "3", "--num_seeds", "4",
                          "--random_seed", "12345", "--results_dir", dir,
                          "--n_workers", "1", "--lr_max", "0.5"};
    assert_int_equal(s->argc, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < s->argc; i++)
        assert_string_equal(s->argv[i], want[i]);
    assert_null(s->argv[s->argc]);
    assert_int_equal(hpolab_launch_plan_find(&p, "ASHA-3"), 0);
    assert_int_equal(hpolab_launch_plan_find(&p, "my-study-ASHA-3-Ab3x"), 0);
    assert_int_equal(hpolab_launch_plan_find(&p, "ASHA-4"), -1);
    /* a name that is no valid job name is refused, naming the byte */
    assert_int_equal(hpolab_launch_plan_add(&p, "A SHA", 0, NULL, 0, &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "0x20"));
    assert_int_equal(p.n_slices, 1);
    hpolab_launch_plan_free(&p);
}

static void test_job_names(void **state)
{
    (void)state;
    struct hpolab_error err;
    assert_int_equal(hpolab_launch_validate_job_name("a-b_c.1", &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_launch_validate_job_name("-x", &err),
                     HPOLAB_ERR_INVALID);
    assert_int_equal(hpolab_launch_validate_job_name("a/b", &err),
                     HPOLAB_ERR_INVALID);
    assert_non_null(strstr(err.message, "position 2"));
    assert_int_equal(hpolab_launch_validate_job_name("", &err),
                     HPOLAB_ERR_INVALID);
    char suffix[8], other[8];
    hpolab_launch_suffix(1, suffix, sizeof suffix);
    hpolab_launch_suffix(2, other, sizeof other);
    assert_int_equal(strlen(suffix), HPOLAB_LAUNCH_SUFFIX_LEN);
    assert_string_not_equal(suffix, other);
    assert_int_equal(hpolab_launch_validate_job_name(suffix, &err), HPOLAB_OK);
    assert_true(hpolab_launch_draw_seed() < 2147483647u);
}

static void test_record_roundtrip(void **state)
{
    (void)state;
    struct hpolab_launch_plan p, q;
    fill_plan(&p);
    struct hpolab_error err;
    assert_int_equal(hpolab_launch_plan_add(&p, "RS", 0, NULL, 0, &err),
                     HPOLAB_OK);
    assert_int_equal(hpolab_launch_plan_add(&p, "RS", 1, NULL, 0, &err),
                     HPOLAB_OK);
    p.slices[0].skipped = 1;
    p.slices[1].job_id = strdup("17_1");
    p.engine_info = json_pack("{s:s}", "array_job_id", "17");
    assert_int_equal(hpolab_launch_record_write(&p, &err), HPOLAB_OK);
    assert_int_equal(hpolab_launch_record_read(tmp, &q, &err), HPOLAB_OK);
    assert_string_equal(q.tag, "my-study");
    assert_string_equal(q.suffix, "Ab3x");
    assert_string_equal(q.engine, "slurm");
    assert_string_equal(q.metric, "loss");
    assert_int_equal(q.mode, HPOLAB_MODE_MAX);
    assert_int_equal(q.master_seed, 12345);
    assert_int_equal(q.time_limit, 36);
    assert_int_equal(q.max_parallel, 3);
    assert_true(q.budget == 30);
    assert_int_equal(q.n_slices, 2);
    assert_int_equal(q.slices[0].skipped, 1);
    assert_null(q.slices[0].job_id);
    assert_string_equal(q.slices[1].job_id, "17_1");
    assert_string_equal(q.slices[1].dir, p.slices[1].dir);
    assert_int_equal(q.slices[1].argc, p.slices[1].argc);
    for (size_t i = 0; i < q.slices[1].argc; i++)
        assert_string_equal(q.slices[1].argv[i], p.slices[1].argv[i]);
    assert_string_equal(
        json_string_value(json_object_get(q.engine_info, "array_job_id")),
        "17");
    hpolab_launch_plan_free(&q);
    hpolab_launch_plan_free(&p);

    /* missing and malformed records */
    char path[512];
    snprintf(path, sizeof path, "%s/none", tmp);
    assert_int_equal(hpolab_launch_record_read(path, &q, &err),
                     HPOLAB_ERR_NOT_FOUND);
    hpolab_launch_plan_free(&q);
    snprintf(path, sizeof path, "%s/launch.json", tmp);
    FILE *fp = fopen(path, "w");
    fputs("{\"format\": 1, \"tag\": 3}", fp);
    fclose(fp);
    assert_int_equal(hpolab_launch_record_read(tmp, &q, &err),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "launch.json: tag: expected a string"));
    hpolab_launch_plan_free(&q);
    fp = fopen(path, "w");
    fputs("{\"format\": 1, \"tag\": \"t\", \"engine\": \"local\", \"study\": "
          "\"s\", \"benchmark\": \"b\", \"metric\": \"m\", \"suffix\": "
          "\"abcd\", \"program\": \"p\", \"random_seed\": 1, \"time_limit\": "
          "1, \"n_workers\": 1, \"max_parallel\": 1, \"slices\": [{\"method\": "
          "\"RS\", \"seed\": 0, \"dir\": \"../x\", \"job_name\": \"j\", "
          "\"argv\": [\"run\"]}]}",
          fp);
    fclose(fp);
    assert_int_equal(hpolab_launch_record_read(tmp, &q, &err),
                     HPOLAB_ERR_PARSE);
    assert_non_null(strstr(err.message, "slices[0]"));
    hpolab_launch_plan_free(&q);
}

static void test_job_state(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/job.json", tmp);
    struct hpolab_job_state s, r;
    struct hpolab_error err;
    unlink(path);
    assert_int_equal(hpolab_job_state_read(path, &r, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_int_equal(r.state, HPOLAB_SLICE_PENDING);
    hpolab_job_state_init(&s);
    hpolab_job_state_set_self(&s);
    s.state = HPOLAB_SLICE_FAILED;
    s.start = 10.5;
    s.end = 20.25;
    s.exit_code = 3;
    snprintf(s.job_id, sizeof s.job_id, "4_2");
    snprintf(s.message, sizeof s.message, "boom \"quoted\"");
    assert_int_equal(hpolab_job_state_write(path, &s, &err), HPOLAB_OK);
    assert_int_equal(hpolab_job_state_read(path, &r, &err), HPOLAB_OK);
    assert_int_equal(r.state, HPOLAB_SLICE_FAILED);
    assert_true(r.start == 10.5 && r.end == 20.25);
    assert_int_equal(r.exit_code, 3);
    assert_string_equal(r.job_id, "4_2");
    assert_string_equal(r.message, "boom \"quoted\"");
    assert_int_equal(r.pid, getpid());
    /* this process runs; a reaped child does not; a reused pid with another
     * start time is not the same process */
    assert_int_equal(hpolab_job_state_process_alive(&r), 1);
    r.pid_start += 1;
    assert_int_equal(hpolab_job_state_process_alive(&r), 0);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    r.pid = child;
    r.pid_start = 0;
    assert_int_equal(hpolab_job_state_process_alive(&r), 0);
    snprintf(r.host, sizeof r.host, "elsewhere.invalid");
    assert_int_equal(hpolab_job_state_process_alive(&r), -1);
    assert_string_equal(hpolab_slice_state_name(HPOLAB_SLICE_CANCELLED),
                        "cancelled");
    assert_true(hpolab_slice_state_is_final(HPOLAB_SLICE_DONE));
    assert_false(hpolab_slice_state_is_final(HPOLAB_SLICE_RUNNING));
}

static void test_slurm_helpers(void **state)
{
    (void)state;
    size_t idx[] = {0, 1, 2, 5, 7, 8};
    char *r = hpolab_slurm_index_ranges(idx, 6);
    assert_string_equal(r, "0-2,5,7-8");
    free(r);
    size_t one[] = {4};
    r = hpolab_slurm_index_ranges(one, 1);
    assert_string_equal(r, "4");
    free(r);
    assert_int_equal(hpolab_slurm_state_to_slice("PENDING"),
                     HPOLAB_SLICE_PENDING);
    assert_int_equal(hpolab_slurm_state_to_slice("RUNNING"),
                     HPOLAB_SLICE_RUNNING);
    assert_int_equal(hpolab_slurm_state_to_slice("COMPLETED"),
                     HPOLAB_SLICE_DONE);
    assert_int_equal(hpolab_slurm_state_to_slice("CANCELLED by 0"),
                     HPOLAB_SLICE_CANCELLED);
    assert_int_equal(hpolab_slurm_state_to_slice("TIMEOUT"),
                     HPOLAB_SLICE_FAILED);
    assert_int_equal(hpolab_slurm_state_to_slice("OUT_OF_MEMORY"),
                     HPOLAB_SLICE_FAILED);
    assert_int_equal(hpolab_slurm_state_to_slice("RUNNINGX"),
                     HPOLAB_SLICE_UNKNOWN);
    assert_int_equal(hpolab_slurm_state_to_slice("what"),
                     HPOLAB_SLICE_UNKNOWN);
}

static void test_resources(void **state)
{
    (void)state;
    int64_t g = -1;
    assert_int_equal(hpolab_default_parallel(2, 0, 2, &g), 1);
    assert_int_equal(g, 0);
    assert_int_equal(hpolab_default_parallel(2, 0, 1, &g), 2);
    assert_int_equal(hpolab_default_parallel(8, 0, 3, &g), 2);
    assert_int_equal(hpolab_default_parallel(2, 0, 16, &g), 1);
    /* 8 CPUs, 4 GPUs, 2 workers: the GPUs bound it to 2, 2 GPUs each */
    assert_int_equal(hpolab_default_parallel(8, 4, 2, &g), 2);
    assert_int_equal(g, 2);
    /* 8 GPUs, 1 worker, 4 CPUs: 4 at once, 2 GPUs each (disjoint) */
    assert_int_equal(hpolab_default_parallel(4, 8, 1, &g), 4);
    assert_int_equal(g, 2);
    assert_int_equal(hpolab_gpus_per_slice(4, 8), 1); /* shared */
    assert_int_equal(hpolab_gpus_per_slice(0, 2), 0);
    assert_true(hpolab_cpu_count() >= 1);

    setenv("HPOLAB_NVIDIA_SMI",
           HPOLAB_TEST_SOURCE_DIR "/tests/support/local_fake_nvidia_smi.sh", 1);
    setenv("HPOLAB_FAKE_GPUS", "3", 1);
    assert_int_equal(hpolab_gpu_count(), 3);
    setenv("HPOLAB_NVIDIA_SMI", "/nonexistent/nvidia-smi", 1);
    assert_int_equal(hpolab_gpu_count(), 0);
    unsetenv("HPOLAB_NVIDIA_SMI");
    unsetenv("HPOLAB_FAKE_GPUS");
}

static void test_proc(void **state)
{
    (void)state;
    struct hpolab_proc_result r;
    struct hpolab_error err;
    const char *missing[] = {"hpolab-no-such-program", NULL};
    assert_int_equal(hpolab_proc_run(missing, 5, &r, &err),
                     HPOLAB_ERR_NOT_FOUND);
    assert_string_equal(err.message, "hpolab-no-such-program is not "
                                     "installed (not found in PATH)");
    hpolab_proc_result_free(&r);
    const char *echo[] = {"printf", "one two\n", NULL};
    assert_int_equal(hpolab_proc_run(echo, 5, &r, &err), HPOLAB_OK);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "one two\n");
    hpolab_proc_result_free(&r);
    const char *fail[] = {"ls", "/nonexistent-hpolab-path", NULL};
    assert_int_equal(hpolab_proc_run(fail, 5, &r, &err), HPOLAB_OK);
    assert_int_not_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "nonexistent-hpolab-path"));
    hpolab_proc_result_free(&r);
    const char *slow[] = {"sleep", "5", NULL};
    double t0 = (double)time(NULL);
    assert_int_equal(hpolab_proc_run(slow, 0.3, &r, &err), HPOLAB_ERR_TIMEOUT);
    assert_true((double)time(NULL) - t0 < 3);
    hpolab_proc_result_free(&r);
}

static void add_row(struct hpolab_results *res, double loss)
{
    struct hpolab_record rec;
    struct hpolab_error err;
    hpolab_record_init(&rec);
    hpolab_record_set_double(&rec, "loss", loss);
    assert_int_equal(hpolab_results_append(res, &rec, &err), HPOLAB_OK);
    hpolab_record_free(&rec);
}

static void test_best_so_far(void **state)
{
    (void)state;
    char slice[512], old[600], newer[600];
    snprintf(slice, sizeof slice, "%s/RS-0", tmp);
    snprintf(old, sizeof old, "%s/t-b-0-2026-01-01-00-00-00-000", slice);
    snprintf(newer, sizeof newer, "%s/t-b-0-2026-01-02-00-00-00-000", slice);
    struct hpolab_error err;
    double best = 0;
    int64_t rows = 0;
    assert_int_equal(hpolab_launch_best_so_far(slice, "loss", 0, &best, &rows),
                     0);
    assert_int_equal(hpolab_mkdir_p(old, &err), HPOLAB_OK);
    assert_int_equal(hpolab_mkdir_p(newer, &err), HPOLAB_OK);
    struct hpolab_results *a, *b;
    assert_int_equal(hpolab_results_create(&a, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_create(&b, &err), HPOLAB_OK);
    add_row(a, -100); /* in the older run only: must not count */
    add_row(b, 0.5);
    add_row(b, 0.25);
    add_row(b, 0.75);
    assert_int_equal(hpolab_results_write(a, old, &err), HPOLAB_OK);
    assert_int_equal(hpolab_results_write(b, newer, &err), HPOLAB_OK);
    assert_int_equal(hpolab_launch_best_so_far(slice, "loss", HPOLAB_MODE_MIN,
                                               &best, &rows),
                     1);
    assert_true(best == 0.25);
    assert_int_equal(rows, 3);
    assert_int_equal(hpolab_launch_best_so_far(slice, "loss", HPOLAB_MODE_MAX,
                                               &best, &rows),
                     1);
    assert_true(best == 0.75);
    assert_int_equal(hpolab_launch_best_so_far(slice, "acc", HPOLAB_MODE_MAX,
                                               &best, &rows),
                     0);
    hpolab_results_free(a);
    hpolab_results_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_rule),
        cmocka_unit_test(test_time_limit),
        cmocka_unit_test_setup_teardown(test_plan_slices, setup, teardown),
        cmocka_unit_test(test_job_names),
        cmocka_unit_test_setup_teardown(test_record_roundtrip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_job_state, setup, teardown),
        cmocka_unit_test(test_slurm_helpers),
        cmocka_unit_test(test_resources),
        cmocka_unit_test(test_proc),
        cmocka_unit_test_setup_teardown(test_best_so_far, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
