/* test_launch_resume_core.c: the decision of `hpolab launch --resume`
 * (core/src/launch_resume.h) on a launch folder made by hand: a job that
 * recorded done, a complete experiment whose job died, a partial one, a
 * slice never started and a job whose process still runs (this test
 * process) get keep, keep, continue, start and adopt; applying it marks,
 * extends argv once and removes dead jobs' state; a running supervisor
 * refuses the resume. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "launch_resume.h"
#include "resume_find.h"
#include "tuner_journal.h"

static char tmp[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/hpolab-lrcore-XXXXXX");
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

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* An experiment folder of slice s; last_event NULL: no journal. */
static void make_experiment(const struct hpolab_launch_plan *plan,
                            const struct hpolab_launch_slice *s,
                            const char *last_event)
{
    char dir[1024], path[1200], text[1024];
    snprintf(dir, sizeof dir, "%s/%s-%s-%lld-2026-11-29-10-00-00-000", s->dir,
             plan->tag, plan->benchmark, (long long)s->seed);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(dir, &err), HPOLAB_OK);
    snprintf(path, sizeof path, "%s/metadata.json", dir);
    snprintf(text, sizeof text,
             "{\"tag\": \"%s\", \"benchmark\": \"%s\", \"algorithm\": \"%s\", "
             "\"seed\": %lld, \"random_seed\": %u, "
             "\"st_tuner_creation_timestamp\": 1000.0}",
             plan->tag, plan->benchmark, s->method, (long long)s->seed,
             plan->master_seed);
    write_text(path, text);
    if (!last_event)
        return;
    snprintf(path, sizeof path, "%s/%s", dir, HPOLAB_JOURNAL_FILE);
    snprintf(text, sizeof text,
             "{\"n\":0,\"at\":0,\"ev\":\"open\"}\n"
             "{\"n\":1,\"at\":1,\"ev\":\"%s\"}\n",
             last_event);
    write_text(path, text);
}

static void write_job(const struct hpolab_launch_slice *s, int32_t state,
                      int64_t pid, uint64_t start_ticks)
{
    struct hpolab_job_state js;
    hpolab_job_state_init(&js);
    js.state = state;
    js.pid = pid;
    js.pid_start = start_ticks;
    js.start = 1000.0;
    gethostname(js.host, sizeof js.host);
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", s->dir, HPOLAB_JOB_STATE_NAME);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(s->dir, &err), HPOLAB_OK);
    assert_int_equal(hpolab_job_state_write(path, &js, &err), HPOLAB_OK);
}

static int32_t job_state_of(const struct hpolab_launch_slice *s)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", s->dir, HPOLAB_JOB_STATE_NAME);
    struct hpolab_job_state js;
    struct hpolab_error err;
    int32_t st = hpolab_job_state_read(path, &js, &err);
    return st == HPOLAB_OK ? js.state : -1;
}

static size_t count_arg(const struct hpolab_launch_slice *s, const char *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < s->argc; i++)
        n += strcmp(s->argv[i], arg) == 0;
    assert_null(s->argv[s->argc]);
    return n;
}

/* A dead pid: a child that has exited and been reaped. */
static int64_t dead_pid(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    int status;
    waitpid(p, &status, 0);
    return p;
}

static void build_plan(struct hpolab_launch_plan *plan)
{
    hpolab_launch_plan_init(plan);
    char root[512];
    snprintf(root, sizeof root, "%s/lr", tmp);
    plan->tag = strdup("lr");
    plan->suffix = strdup("Ab12");
    plan->engine = strdup("local");
    plan->study = strdup("/nonexistent/study.json");
    plan->benchmark = strdup("fx");
    plan->metric = strdup("loss");
    plan->root = strdup(root);
    plan->program = strdup("/bin/false");
    plan->master_seed = 1234;
    const char *fwd[] = {"--n_workers", "2"};
    struct hpolab_error err;
    for (int i = 0; i < 5; i++)
        assert_int_equal(hpolab_launch_plan_add(plan, i < 3 ? "RS" : "BO",
                                                i < 3 ? i : i - 3, fwd, 2,
                                                &err),
                         HPOLAB_OK);
}

static void test_assess_and_apply(void **state)
{
    (void)state;
    struct hpolab_launch_plan plan;
    build_plan(&plan);
    struct hpolab_launch_slice *s = plan.slices;
    /* RS-0: recorded done */
    write_job(&s[0], HPOLAB_SLICE_DONE, dead_pid(), 0);
    make_experiment(&plan, &s[0], "end");
    /* RS-1: complete, but its job died before recording it */
    write_job(&s[1], HPOLAB_SLICE_RUNNING, dead_pid(), 0);
    make_experiment(&plan, &s[1], "end");
    /* RS-2: partial */
    write_job(&s[2], HPOLAB_SLICE_RUNNING, dead_pid(), 0);
    make_experiment(&plan, &s[2], "result");
    /* BO-0: never started; BO-1: its job (this process) still runs */
    write_job(&s[4], HPOLAB_SLICE_RUNNING, (int64_t)getpid(),
              hpolab_process_start_ticks(getpid()));
    make_experiment(&plan, &s[4], "result");

    struct hpolab_resume_slice *rs = NULL;
    struct hpolab_error err;
    assert_int_equal(hpolab_launch_resume_check(&plan, &err), HPOLAB_OK);
    assert_int_equal(hpolab_launch_resume_assess(&plan,
                                                 hpolab_resume_live_local, &rs,
                                                 &err),
                     HPOLAB_OK);
    assert_int_equal(rs[0].action, HPOLAB_RESUME_KEEP);
    assert_int_equal(rs[1].action, HPOLAB_RESUME_KEEP);
    assert_int_equal(rs[2].action, HPOLAB_RESUME_CONTINUE);
    assert_int_equal(rs[2].experiment_state, HPOLAB_EXPERIMENT_PARTIAL);
    assert_non_null(rs[2].experiment);
    assert_int_equal(rs[3].action, HPOLAB_RESUME_FRESH);
    assert_null(rs[3].experiment);
    assert_int_equal(rs[4].action, HPOLAB_RESUME_ADOPT);
    assert_non_null(strstr(rs[4].why, "still running"));
    assert_string_equal(hpolab_resume_action_name(rs[2].action), "continue");

    unsigned char *adopted = NULL;
    assert_int_equal(hpolab_launch_resume_apply(&plan, rs, &adopted, &err),
                     HPOLAB_OK);
    assert_true(s[0].skipped && s[1].skipped);
    assert_false(s[2].skipped || s[3].skipped || s[4].skipped);
    assert_int_equal(count_arg(&s[0], HPOLAB_RESUME_ARG), 0);
    assert_int_equal(count_arg(&s[2], HPOLAB_RESUME_ARG), 1);
    assert_int_equal(count_arg(&s[3], HPOLAB_RESUME_ARG), 1);
    assert_int_equal(count_arg(&s[4], HPOLAB_RESUME_ARG), 1);
    assert_int_equal(count_arg(&s[2], "--n_workers"), 1);
    assert_int_equal(adopted[4], 1);
    assert_int_equal(adopted[0] + adopted[1] + adopted[2] + adopted[3], 0);
    /* the complete one is recorded done, the dead partial's state is gone,
     * the live job's stays */
    assert_int_equal(job_state_of(&s[1]), HPOLAB_SLICE_DONE);
    assert_int_equal(job_state_of(&s[2]), -1);
    assert_int_equal(job_state_of(&s[4]), HPOLAB_SLICE_RUNNING);
    free(adopted);
    /* applied twice: still one --resume */
    assert_int_equal(hpolab_launch_resume_apply(&plan, rs, &adopted, &err),
                     HPOLAB_OK);
    assert_int_equal(count_arg(&s[2], HPOLAB_RESUME_ARG), 1);
    free(adopted);
    hpolab_resume_slices_free(rs, plan.n_slices);
    hpolab_launch_plan_free(&plan);
}

static void test_running_supervisor_refused(void **state)
{
    (void)state;
    struct hpolab_launch_plan plan;
    build_plan(&plan);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(plan.root, &err), HPOLAB_OK);
    struct hpolab_job_state sup;
    hpolab_job_state_init(&sup);
    hpolab_job_state_set_self(&sup);
    sup.state = HPOLAB_SLICE_RUNNING;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", plan.root,
             HPOLAB_SUPERVISOR_STATE_NAME);
    assert_int_equal(hpolab_job_state_write(path, &sup, &err), HPOLAB_OK);
    assert_int_equal(hpolab_launch_resume_check(&plan, &err),
                     HPOLAB_ERR_STATE);
    assert_non_null(strstr(err.message, "is still running"));
    /* gone: resumable */
    sup.pid = dead_pid();
    sup.pid_start = 0;
    assert_int_equal(hpolab_job_state_write(path, &sup, &err), HPOLAB_OK);
    assert_int_equal(hpolab_launch_resume_check(&plan, &err), HPOLAB_OK);
    /* a job on another host cannot be judged from here */
    struct hpolab_job_state js[5];
    unsigned char live[5] = {0};
    for (int i = 0; i < 5; i++)
        hpolab_job_state_init(&js[i]);
    js[3].state = HPOLAB_SLICE_RUNNING;
    js[3].pid = 42;
    snprintf(js[3].host, sizeof js[3].host, "elsewhere-not-this-host");
    assert_int_equal(hpolab_resume_live_local(&plan, js, live, &err),
                     HPOLAB_ERR_STATE);
    assert_non_null(strstr(err.message, "BO-0"));
    assert_non_null(strstr(err.message, "elsewhere-not-this-host"));
    assert_true(hpolab_resume_live_for("local") == hpolab_resume_live_local);
    assert_true(hpolab_resume_live_for("slurm") == hpolab_resume_live_slurm);
    assert_null(hpolab_resume_live_for("sagemaker-unknown"));
    hpolab_launch_plan_free(&plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_assess_and_apply, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_running_supervisor_refused,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
