/* bench_sagemaker.c: the time to submit 40 training jobs to the SageMaker
 * stand-in (tests/sagemaker/standin), the seed's 4 methods x 10 seeds:
 *  1. 40 CreateTrainingJob calls through the client, back to back;
 *  2. `hpolab launch --engine sagemaker` of a 4 x 10 study: from the start
 *     of the command to the 40th CreateTrainingJob the stand-in received
 *     (study packed and uploaded, STS-free: --bucket given).
 * The jobs run /bin/true (HPOLAB_STANDIN_ENTRY), so only submission is
 * measured. Not a test; run build/tests/bench/bench_sagemaker. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws_sagemaker.h"
#include "clock.h"
#include "fsutil.h"
#include "sm_fixture.h"

#define N_JOBS 40

static int run(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
    setenv("HPOLAB_STANDIN_ENTRY", "/bin/true", 1);
    struct sm_env env;
    char tmp[512];
    aws_tmpdir(tmp);
    if (sm_start(&env, "smb", 1000) != 0) {
        fprintf(stderr, "bench_sagemaker: cannot start the servers\n");
        return 1;
    }
    sm_use(&env, tmp);
    struct hpolab_aws_client *c = NULL;
    struct hpolab_error err;
    if (hpolab_aws_client_create(NULL, &c, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    /* 1. the client alone */
    const char *hk[] = {"hpolab_mode", "hpolab_study"};
    const char *hv[] = {"run", "study.json"};
    double t0 = hpolab_mono_time();
    for (int i = 0; i < N_JOBS; i++) {
        char name[64];
        snprintf(name, sizeof name, "bench-direct-%d", i);
        struct hpolab_sm_create r = {
            .name = name, .image = "img:1",
            .role = "arn:aws:iam::123456789012:role/R",
            .instance_type = "ml.c5.4xlarge", .max_runtime_s = 3600,
            .output_uri = "s3://smb/out/", .checkpoint_uri = "s3://smb/ck/",
            .hp_keys = hk, .hp_values = hv, .n_hp = 2};
        if (hpolab_sm_create_training_job(c, &r, NULL, NULL, &err) !=
            HPOLAB_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
    }
    double dt = hpolab_mono_time() - t0;
    printf("CreateTrainingJob x %d (client, back to back): %.3f s, %.2f ms "
           "per job\n",
           N_JOBS, dt, dt / N_JOBS * 1e3);
    hpolab_aws_client_free(c);

    /* 2. hpolab launch of 4 methods x 10 seeds */
    char dir[700], study[800], res[800], bin[700];
    snprintf(dir, sizeof dir, "%s/study", tmp);
    hpolab_mkdir_p(dir, &err);
    snprintf(study, sizeof study, "%s/study.json", dir);
    FILE *fp = fopen(study, "w");
    fprintf(fp,
            "{\"name\": \"bench\", \"benchmarks\": {\"b\": {\"entry_point\": "
            "[\"true\"], \"config_space\": {\"x\": {\"domain\": \"uniform\", "
            "\"lower\": 0, \"upper\": 1}}, \"metric\": \"loss\", \"mode\": "
            "\"min\", \"n_workers\": 4, \"max_wallclock_time\": 18000}}, "
            "\"methods\": {\"RS\": {\"scheduler\": \"fifo\", \"searcher\": "
            "\"random\"}, \"BO\": {\"scheduler\": \"fifo\", \"searcher\": "
            "\"random\"}, \"ASHA\": {\"scheduler\": \"fifo\", \"searcher\": "
            "\"random\"}, \"MOBSTER\": {\"scheduler\": \"fifo\", \"searcher\": "
            "\"random\"}}}\n");
    fclose(fp);
    snprintf(res, sizeof res, "%s/results", tmp);
    snprintf(bin, sizeof bin, "%s/bin/hpolab", HPOLAB_TEST_BINARY_DIR);
    setenv("HPOLAB_SM_POLL_S", "1", 1);
    char *argv[] = {bin, "launch", study, "--engine", "sagemaker", "--image",
                    "img:1", "--role", "arn:aws:iam::123456789012:role/R",
                    "--bucket", "smb", "--num_seeds", "10", "--results_dir",
                    res, "--wait", NULL};
    /* the stand-in's clock is the wall clock: compare with it */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double start = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    int devnull = dup(1);
    freopen("/dev/null", "w", stdout);
    int rc = run(argv);
    fflush(stdout);
    dup2(devnull, 1);
    close(devnull);
    /* the launch's CreateTrainingJob calls: those after the direct 40 */
    static char out[1 << 22];
    double f2 = 0, l2 = 0;
    int n = 0;
    if (sm_control(&env, "/__state", "", out, sizeof out) == 200) {
        json_t *s = json_loads(out, 0, NULL);
        size_t i;
        json_t *r;
        int k = 0;
        json_array_foreach(json_object_get(s, "requests"), i, r)
        {
            if (strcmp(json_string_value(json_object_get(r, "op")),
                       "CreateTrainingJob") != 0 ||
                json_integer_value(json_object_get(r, "status")) != 200 ||
                k++ < N_JOBS)
                continue;
            double at = json_number_value(json_object_get(r, "at"));
            if (!n)
                f2 = at;
            l2 = at;
            n++;
        }
        json_decref(s);
    }
    printf("hpolab launch --engine sagemaker (4 methods x 10 seeds, exit "
           "%d): %d jobs submitted; first CreateTrainingJob %.3f s after the "
           "start (pack + upload + plan), the 40th %.3f s after; %.2f ms per "
           "job between the first and the last\n",
           rc, n, f2 - start, l2 - start, n > 1 ? (l2 - f2) / (n - 1) * 1e3 : 0);
    sm_stop(&env);
    aws_rmtree(tmp);
    return rc == 0 && n == N_JOBS ? 0 : 1;
}
