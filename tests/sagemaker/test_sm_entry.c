/* test_sm_entry.c: the container entry (tools/container/entry.sh and
 * `hpolab sagemaker-entry`) run against a faked /opt/ml tree in a temporary
 * folder (HPOLAB_ML_ROOT), as SageMaker would start it:
 * - trial mode: the packed source unpacked, requirements.txt given to pip,
 *   the script run with its hyperparameters as --name value and
 *   --st_checkpoint_dir <ml>/checkpoints, its exit status passed on;
 * - run mode: a real `hpolab run` of one slice of a study, its results in
 *   <ml>/checkpoints/<tuner name>/;
 * - bad trees: no hyperparameters, no source, a failing pip, a study path
 *   leaving the source folder: a clear line in output/failure or stderr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "launch_test_util.h"

static char tmp[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/hpolab-smentry-XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *argv[] = {"/bin/rm", "-rf", tmp, NULL};
    struct cmd_out c;
    lt_run("/tmp", argv, NULL, &c);
    cmd_out_free(&c);
    return 0;
}

static void put(const char *path, const char *text, int exec)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(dir, &err), HPOLAB_OK);
    lt_write_text(path, text);
    if (exec)
        chmod(path, 0755);
}

/* A fresh tree <tmp>/<name>: hyperparameters (JSON text or NULL) and the
 * folder src packed as input/data/code/src.tar.gz (src NULL: none). */
static void make_tree(const char *ml, const char *hp, const char *src)
{
    char p[1024];
    if (hp) {
        snprintf(p, sizeof p, "%s/input/config/hyperparameters.json", ml);
        put(p, hp, 0);
    }
    snprintf(p, sizeof p, "%s/checkpoints", ml);
    struct hpolab_error err;
    assert_int_equal(hpolab_mkdir_p(p, &err), HPOLAB_OK);
    if (src) {
        snprintf(p, sizeof p, "%s/input/data/code", ml);
        assert_int_equal(hpolab_mkdir_p(p, &err), HPOLAB_OK);
        snprintf(p, sizeof p, "%s/input/data/code/src.tar.gz", ml);
        const char *argv[] = {"/bin/tar", "-czf", p, "-C", src, ".", NULL};
        struct cmd_out c;
        assert_int_equal(lt_run(tmp, argv, NULL, &c), 0);
        cmd_out_free(&c);
    }
}

static int entry(const char *ml, const char *pip, struct cmd_out *c)
{
    char script[600], root[600], prog[600], pipv[600];
    snprintf(script, sizeof script, "%s/tools/container/entry.sh",
             HPOLAB_TEST_SOURCE_DIR);
    snprintf(root, sizeof root, "HPOLAB_ML_ROOT=%s", ml);
    snprintf(prog, sizeof prog, "HPOLAB_PROGRAM=%s", HPOLAB_TEST_CLI);
    snprintf(pipv, sizeof pipv, "HPOLAB_PIP=%s", pip);
    const char *argv[] = {script, "train", NULL};
    const char *env[] = {root, prog, pipv, NULL};
    return lt_run(tmp, argv, env, c);
}

static void test_trial_mode(void **state)
{
    (void)state;
    char src[400], ml[400], p[700], pip[400], log[400];
    snprintf(src, sizeof src, "%s/trial-src", tmp);
    snprintf(ml, sizeof ml, "%s/trial-ml", tmp);
    snprintf(log, sizeof log, "%s/pip.log", tmp);
    snprintf(pip, sizeof pip, "%s/fake-pip", tmp);
    char text[800];
    snprintf(text, sizeof text, "#!/bin/sh\necho \"$*\" > %s\n", log);
    put(pip, text, 1);
    snprintf(p, sizeof p, "%s/scripts/train.sh", src);
    /* not executable in the archive: the entry makes it so */
    put(p, "#!/bin/sh\necho \"args: $*\"\necho \"cwd: $(pwd)\"\n"
           "echo '[tune-metric]: {\"loss\": 1}'\nexit 3\n", 0);
    snprintf(p, sizeof p, "%s/requirements.txt", src);
    put(p, "numpy\n", 0);
    make_tree(ml, "{\"hpolab_mode\": \"trial\", \"hpolab_entry_point\": "
                  "\"scripts/train.sh\", \"lr\": \"0.1\", \"epochs\": "
                  "\"\\\"3\\\"\", \"sagemaker_region\": \"x\"}",
              src);
    struct cmd_out c;
    int rc = entry(ml, pip, &c);
    assert_int_equal(rc, 3);
    char want[900];
    snprintf(want, sizeof want,
             "args: --lr 0.1 --epochs 3 --st_checkpoint_dir %s/checkpoints",
             ml);
    if (!strstr(c.out, want))
        fail_msg("stdout: %s\nstderr: %s", c.out, c.err);
    snprintf(want, sizeof want, "cwd: %s/code", ml);
    assert_non_null(strstr(c.out, want));
    cmd_out_free(&c);
    char *pl = lt_read_text(log);
    assert_non_null(pl);
    snprintf(want, sizeof want, "install --no-cache-dir -r %s/code/requirements.txt",
             ml);
    assert_non_null(strstr(pl, want));
    free(pl);
    /* --dry_run shows the same command */
    const char *argv[] = {HPOLAB_TEST_CLI, "sagemaker-entry", "--ml_root", ml,
                          "--dry_run", NULL};
    assert_int_equal(lt_run(tmp, argv, NULL, &c), 0);
    snprintf(want, sizeof want, "%s/code/scripts/train.sh\n--lr\n0.1\n", ml);
    assert_non_null(strstr(c.out, want));
    cmd_out_free(&c);
}

static void test_run_mode(void **state)
{
    (void)state;
    char src[400], ml[400], p[700];
    snprintf(src, sizeof src, "%s/run-src", tmp);
    snprintf(ml, sizeof ml, "%s/run-ml", tmp);
    snprintf(p, sizeof p, "%s/studies/study.json", src);
    char study[2048];
    snprintf(study, sizeof study,
             "{\"name\": \"e\", \"benchmarks\": {\"fx\": {"
             "\"entry_point\": [\"%s\", \"--sleep\", \"0.05\"],"
             "\"config_space\": {\"x\": {\"domain\": \"uniform\", \"lower\": "
             "0, \"upper\": 1}, \"epochs\": 2},"
             "\"metric\": \"loss\", \"mode\": \"min\", \"resource_attr\": "
             "\"epoch\", \"max_resource_attr\": \"epochs\","
             "\"n_workers\": 2, \"max_num_evaluations\": 3}},"
             "\"methods\": {\"RS\": {\"scheduler\": \"fifo\", \"searcher\": "
             "\"random\"}}}",
             HPOLAB_TEST_FIXTURE);
    put(p, study, 0);
    make_tree(ml, "{\"hpolab_mode\": \"run\", \"hpolab_study\": "
                  "\"studies/study.json\", \"experiment_tag\": \"e\", "
                  "\"benchmark\": \"fx\", \"method\": \"RS\", \"start_seed\": "
                  "\"1\", \"num_seeds\": \"2\", \"random_seed\": \"7\"}",
              src);
    struct cmd_out c;
    int rc = entry(ml, "false", &c);
    if (rc != 0)
        fail_msg("rc %d\nstdout: %s\nstderr: %s", rc, c.out, c.err);
    cmd_out_free(&c);
    /* <ml>/checkpoints/<tuner name>/results.csv.zip, seed 1 */
    char ck[500];
    snprintf(ck, sizeof ck, "%s/checkpoints", ml);
    DIR *d = opendir(ck);
    assert_non_null(d);
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "e-fx-1-", 7) != 0)
            continue;
        snprintf(p, sizeof p, "%s/%s/results.csv.zip", ck, e->d_name);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        snprintf(p, sizeof p, "%s/%s/metadata.json", ck, e->d_name);
        json_t *md = lt_load_json(p);
        assert_non_null(md);
        assert_int_equal(json_integer_value(json_object_get(md, "random_seed")),
                         7);
        json_decref(md);
        found++;
    }
    closedir(d);
    assert_int_equal(found, 1);
}

static void test_bad_trees(void **state)
{
    (void)state;
    char ml[400], src[400], p[700], want[800];
    struct cmd_out c;
    /* no hyperparameters */
    snprintf(ml, sizeof ml, "%s/bad1", tmp);
    make_tree(ml, NULL, NULL);
    assert_int_equal(entry(ml, "false", &c), 1);
    cmd_out_free(&c);
    snprintf(p, sizeof p, "%s/output/failure", ml);
    char *f = lt_read_text(p);
    assert_non_null(f);
    snprintf(want, sizeof want, "no %s/input/config/hyperparameters.json", ml);
    assert_non_null(strstr(f, want));
    free(f);
    /* no source */
    snprintf(ml, sizeof ml, "%s/bad2", tmp);
    make_tree(ml, "{}", NULL);
    assert_int_equal(entry(ml, "false", &c), 1);
    cmd_out_free(&c);
    snprintf(p, sizeof p, "%s/output/failure", ml);
    f = lt_read_text(p);
    assert_non_null(f);
    assert_non_null(strstr(f, "channel 'code'"));
    free(f);
    /* pip fails */
    snprintf(src, sizeof src, "%s/bad3-src", tmp);
    snprintf(p, sizeof p, "%s/requirements.txt", src);
    put(p, "nothing\n", 0);
    snprintf(ml, sizeof ml, "%s/bad3", tmp);
    make_tree(ml, "{\"hpolab_mode\": \"trial\", \"hpolab_entry_point\": "
                  "\"x.sh\"}", src);
    assert_int_equal(entry(ml, "false", &c), 1);
    cmd_out_free(&c);
    snprintf(p, sizeof p, "%s/output/failure", ml);
    f = lt_read_text(p);
    assert_non_null(f);
    assert_non_null(strstr(f, "pip install -r requirements.txt failed"));
    free(f);
    /* a study path leaving the source folder; a value not a string */
    snprintf(p, sizeof p, "%s/requirements.txt", src);
    unlink(p);
    snprintf(ml, sizeof ml, "%s/bad5", tmp);
    make_tree(ml, "{\"hpolab_study\": \"../../etc/study.json\"}", src);
    assert_int_equal(entry(ml, "false", &c), 2);
    assert_non_null(strstr(c.err, "hpolab_study: expected a path relative to "
                                  "the source folder without '..'"));
    cmd_out_free(&c);
    snprintf(ml, sizeof ml, "%s/bad6", tmp);
    make_tree(ml, "{\"hpolab_mode\": \"train\", \"lr\": 1}", src);
    assert_int_equal(entry(ml, "false", &c), 2);
    assert_non_null(strstr(c.err, "lr: expected a string"));
    cmd_out_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trial_mode),
        cmocka_unit_test(test_run_mode),
        cmocka_unit_test(test_bad_trees),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
