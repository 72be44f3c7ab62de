/* proc_capture.h: run a helper program (sbatch, squeue, scancel,
 * nvidia-smi) from an argv array, without a shell, and collect what it
 * prints, with a time limit. Plain C (errno values, static descriptions),
 * so both the core (launch_proc.c) and plugins (the Slurm backend) use
 * this one implementation. */
#ifndef HPOLAB_PLUGIN_PROC_CAPTURE_H
#define HPOLAB_PLUGIN_PROC_CAPTURE_H

struct hpolab_capture {
    int exit_code; /* 0..255, or 128 + signal when killed; -1 unknown */
    char *out;     /* [owned] NUL-terminated stdout */
    char *err;     /* [owned] NUL-terminated stderr, trailing whitespace
                      removed */
};

/* Runs argv[0] (searched in PATH unless it has a '/'), stdin on /dev/null,
 * signals unblocked and at their defaults, for at most timeout_s seconds
 * (then SIGKILL; <= 0: no limit). Returns 0 when it ran to its end
 * (whatever its exit code), else an errno value (ENOENT: not installed,
 * ETIMEDOUT, ENOMEM, ...) with *what a static description of the failure
 * ("is not installed (not found in PATH)", "did not answer in time", ...).
 * Free res with hpolab_capture_free on every path. */
int hpolab_capture_run(const char *const *argv, double timeout_s,
                       struct hpolab_capture *res, const char **what);
void hpolab_capture_free(struct hpolab_capture *res);

/* CLOCK_MONOTONIC in seconds. */
double hpolab_capture_monotonic(void);

#endif
