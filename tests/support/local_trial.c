/* local_trial: a training program for the local backend's tests. It gets
 * its arguments as a training script does (--name value ... plus
 * --st_checkpoint_dir DIR); --mode picks the behaviour:
 *
 *   report       print --n reports (--sleep_ms between them), exit 0
 *   args         print every argv token, environment, cwd, stdin, open fds;
 *                with --hold 1 then sleep until killed
 *   fail         25 lines on stderr, one on stdout, exit 3
 *   selfkill     a line on stderr, then SIGKILL itself
 *   ignore_term  ignore SIGTERM, print "tick N" every 20 ms
 *   sleep        print the pid and sleep (default SIGTERM action)
 *   fork         fork a child that sleeps too (both in the trial's group);
 *                on SIGTERM the child says so on stdout and exits, and the
 *                parent exits once the child has
 *   orphan       fork a sleeping child, exit 0 at once (leaving it behind)
 *   burst        grow the stdout pipe to 1 MiB, fill ~900 KiB of it, end
 *                with a report and an unterminated line, exit 0 at once
 *   partial      two lines, the last one without a newline, exit 0
 *   long         a 1.5 MiB line, then a report, exit 0
 *
 * Every sleeping mode ends by itself after 60 s so a broken test cannot
 * leave processes behind for long. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *arg(int argc, char **argv, const char *name,
                       const char *dflt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0)
            return argv[i + 1];
    return dflt;
}

static double wall(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void sleep_then_exit(void)
{
    for (int i = 0; i < 600; i++)
        sleep_ms(100);
    exit(0);
}

static volatile sig_atomic_t got_term;

static void on_term_child(int sig)
{
    static const char msg[] = "child got SIGTERM\n";
    ssize_t n = write(1, msg, sizeof msg - 1);
    (void)n;
    _exit(0);
}

static void on_term_parent(int sig) { got_term = 1; }

static int run_fork(void)
{
    /* SIGTERM stays blocked until each side has its own handler: a stop
     * right after the fork must not reach the child's inherited one. */
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    signal(SIGTERM, on_term_parent);
    pid_t child = fork();
    if (child == 0) {
        signal(SIGTERM, on_term_child);
        sigprocmask(SIG_SETMASK, &old, NULL);
        sleep_then_exit();
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("child %ld\n", (long)child);
    printf("pid %ld\n", (long)getpid());
    for (int i = 0; i < 6000 && !got_term; i++)
        sleep_ms(10);
    waitpid(child, NULL, 0);
    return 0;
}

static int run_burst(void)
{
    if (fcntl(1, F_SETPIPE_SZ, 1 << 20) < (1 << 20)) {
        fprintf(stderr, "cannot grow the pipe\n");
        return 4;
    }
    static char line[1024];
    memset(line, 'y', sizeof line - 1);
    line[sizeof line - 2] = '\n';
    for (int i = 0; i < 900; i++)
        fputs(line, stdout);
    printf("[tune-metric]: {\"burst\": 1}\nno newline");
    fflush(stdout);
    return 0;
}

static void print_fds(void)
{
    /* descriptors >= 3 other than the one reading /proc/self/fd */
    DIR *d = opendir("/proc/self/fd");
    printf("fds");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            int fd = atoi(e->d_name);
            if (e->d_name[0] != '.' && fd >= 3 && fd != dirfd(d))
                printf(" %d", fd);
        }
        closedir(d);
    }
    printf("\n");
}

static int run_args(int argc, char **argv)
{
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("arg %d=%s\n", i, argv[i]);
    const char *omp = getenv("OMP_NUM_THREADS");
    const char *cuda = getenv("CUDA_VISIBLE_DEVICES");
    printf("env OMP_NUM_THREADS=%s\n", omp ? omp : "(unset)");
    printf("env CUDA_VISIBLE_DEVICES=%s\n", cuda ? cuda : "(unset)");
    char cwd[4096];
    printf("cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
    char buf[16];
    ssize_t n = read(0, buf, sizeof buf);
    printf("stdin %zd\n", n);
    print_fds();
    printf("pid %ld\n", (long)getpid());
    fflush(stdout);
    if (strcmp(arg(argc, argv, "hold", "0"), "1") == 0)
        sleep_then_exit();
    return 0;
}

/* JSON mode: the mode is in the configuration file, "mode": "<name>". */
static const char *mode_from_json(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *m = strstr(text, "\"mode\": \"");
    if (!m)
        return NULL;
    m += 9;
    size_t k = 0;
    while (m[k] && m[k] != '"' && k + 1 < size) {
        buf[k] = m[k];
        k++;
    }
    buf[k] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    char json_mode[64];
    const char *json = arg(argc, argv, "st_config_json_filename", NULL);
    const char *mode = json ? mode_from_json(json, json_mode, sizeof json_mode)
                            : NULL;
    if (!mode)
        mode = arg(argc, argv, "mode", "report");
    if (strcmp(mode, "report") == 0) {
        int n = atoi(arg(argc, argv, "n", "1"));
        long pause = atol(arg(argc, argv, "sleep_ms", "0"));
        printf("pid %ld\n", (long)getpid());
        for (int i = 1; i <= n; i++) {
            if (pause > 0 && i > 1)
                sleep_ms(pause);
            printf("[tune-metric]: {\"epoch\": %d, \"loss\": %.17g, "
                   "\"st_worker_timestamp\": %.6f}\n",
                   i, 1.0 / i, wall());
        }
        return 0;
    }
    if (strcmp(mode, "args") == 0)
        return run_args(argc, argv);
    if (strcmp(mode, "fail") == 0) {
        for (int i = 0; i < 25; i++)
            fprintf(stderr, "err line %d\n", i);
        printf("about to fail\n");
        return 3;
    }
    if (strcmp(mode, "selfkill") == 0) {
        fprintf(stderr, "dying now\n");
        fflush(stderr);
        raise(SIGKILL);
        return 0;
    }
    if (strcmp(mode, "ignore_term") == 0) {
        signal(SIGTERM, SIG_IGN);
        printf("pid %ld\n", (long)getpid());
        for (int i = 0; i < 3000; i++) {
            printf("tick %d\n", i);
            sleep_ms(20);
        }
        return 0;
    }
    if (strcmp(mode, "sleep") == 0) {
        printf("pid %ld\n", (long)getpid());
        sleep_then_exit();
    }
    if (strcmp(mode, "fork") == 0)
        return run_fork();
    if (strcmp(mode, "orphan") == 0) {
        pid_t child = fork();
        if (child == 0)
            sleep_then_exit();
        printf("child %ld\n", (long)child);
        return 0;
    }
    if (strcmp(mode, "burst") == 0)
        return run_burst();
    if (strcmp(mode, "partial") == 0) {
        printf("first\nno newline at the end");
        return 0;
    }
    if (strcmp(mode, "long") == 0) {
        size_t n = 1536 * 1024;
        char *line = malloc(n);
        if (!line)
            return 1;
        memset(line, 'x', n);
        fwrite(line, 1, n, stdout);
        free(line);
        printf("\n[tune-metric]: {\"after\": 1}\n");
        return 0;
    }
    fprintf(stderr, "local_trial: unknown mode %s\n", mode);
    return 2;
}
