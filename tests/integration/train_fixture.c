/* train_fixture.c: a training script for the integration tests. It takes
 * hyperparameters as "--name value" (as the local backend passes them) and
 * behaves according to --mode:
 *   ok       report epochs 1..epochs, loss = (x - 0.3)^2 + 1/epoch
 *   crash    one report, "boom" on stderr, exit 3
 *   garbage  a malformed report and noise, then behaves like ok
 *   silent   prints nothing, exit 0
 *   slow     like ok but sleeps 30 s per epoch and starts a child process
 *            that sleeps too; writes both pids to <trial dir>/pids
 *   stubborn like slow, but both processes ignore SIGTERM
 *   noresource  reports without the "epoch" field
 *   backwards   reports epochs 1, 2, 1, then like ok
 *   flood    like ok, but prints 32 KiB of noise before each report
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *arg(int argc, char **argv, const char *name, const char *dflt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (argv[i][0] == '-' && argv[i][1] == '-' && strcmp(argv[i] + 2, name) == 0)
            return argv[i + 1];
    return dflt;
}

static double now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec * 1e-6;
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void report(int epoch, double loss, int iter, double start)
{
    double t = now();
    printf("[tune-metric]: {\"epoch\": %d, \"loss\": %.17g, "
           "\"st_worker_timestamp\": %.6f, \"st_worker_time\": %.6f, "
           "\"st_worker_iter\": %d}\n",
           epoch, loss, t, t - start, iter);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    double start = now();
    const char *mode = arg(argc, argv, "mode", "ok");
    double x = atof(arg(argc, argv, "x", "0.5"));
    int epochs = atoi(arg(argc, argv, "epochs", "3"));
    double sleep_s = atof(arg(argc, argv, "sleep", "0"));
    const char *ckpt = arg(argc, argv, "st_checkpoint_dir", NULL);
    if (!ckpt) {
        fprintf(stderr, "missing --st_checkpoint_dir\n");
        return 2;
    }
    if (strcmp(mode, "silent") == 0)
        return 0;
    if (strcmp(mode, "crash") == 0) {
        report(1, 1.0, 0, start);
        fprintf(stderr, "first line\nboom\n");
        return 3;
    }
    if (strcmp(mode, "garbage") == 0) {
        printf("[tune-metric]: {\"epoch\": 1, \"loss\": oops}\n");
        printf("some noise [tune-metric]: not json either\n");
        fflush(stdout);
    }
    if (strcmp(mode, "noresource") == 0) {
        printf("[tune-metric]: {\"loss\": 1.5}\n");
        fflush(stdout);
        return 0;
    }
    if (strcmp(mode, "backwards") == 0) {
        report(1, 2.0, 0, start);
        report(2, 1.9, 1, start);
        report(1, 1.8, 2, start);
    }
    int slow = strcmp(mode, "slow") == 0 || strcmp(mode, "stubborn") == 0;
    if (strcmp(mode, "stubborn") == 0)
        signal(SIGTERM, SIG_IGN); /* inherited by the child */
    if (slow) {
        sleep_s = 30.0;
        pid_t child = fork();
        if (child == 0) {
            sleep_seconds(120.0);
            _exit(0);
        }
        /* <trial dir>/pids: the checkpoint dir (not created by the
         * backend) is <trial dir>/checkpoints */
        char path[4096];
        snprintf(path, sizeof path, "%s", ckpt);
        char *slash = strrchr(path, '/');
        if (slash)
            snprintf(slash, sizeof path - (size_t)(slash - path), "/pids");
        FILE *f = fopen(path, "w");
        if (f) {
            fprintf(f, "%d %d\n", (int)getpid(), (int)child);
            fclose(f);
        }
    }
    for (int e = 1; e <= epochs; e++) {
        double base = (x - 0.3) * (x - 0.3);
        if (sleep_s > 0 && (!slow || e > 1)) /* slow: epoch 1 at once */
            sleep_seconds(sleep_s);
        if (strcmp(mode, "flood") == 0) {
            static char noise[32 * 1024];
            memset(noise, 'z', sizeof noise - 1);
            puts(noise);
        }
        report(e, base + 1.0 / e, e - 1, start);
    }
    return 0;
}
