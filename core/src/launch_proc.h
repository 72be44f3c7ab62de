/* launch_proc.h: run a helper program (sbatch, squeue, scancel, nvidia-smi)
 * from an argv array, without a shell, and collect what it prints. */
#ifndef HPOLAB_CORE_LAUNCH_PROC_H
#define HPOLAB_CORE_LAUNCH_PROC_H

#include "error.h"

struct hpolab_proc_result {
    int exit_code; /* 0..255, or 128 + signal when killed */
    char *out;     /* owned (free); NUL-terminated stdout */
    char *err;     /* owned (free); NUL-terminated stderr, trailing
                      whitespace removed */
};

/* Run argv[0] (searched in PATH unless it has a '/'), stdin on /dev/null,
 * for at most timeout_s seconds (then SIGKILL). HPOLAB_OK means it ran to
 * its end (whatever its exit code); a program that is not installed is
 * HPOLAB_ERR_NOT_FOUND ("sbatch is not installed (not found in PATH)"), a
 * timeout HPOLAB_ERR_TIMEOUT. Free res with hpolab_proc_result_free also on
 * failure. */
int32_t hpolab_proc_run(const char *const *argv, double timeout_s,
                        struct hpolab_proc_result *res,
                        struct hpolab_error *err);
void hpolab_proc_result_free(struct hpolab_proc_result *res);

/* Is prog an executable found in PATH (or the path given)? */
int hpolab_proc_in_path(const char *prog);

#endif
