/* launch_proc.c: see launch_proc.h. */
#include "launch_proc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc_capture.h"

int hpolab_proc_in_path(const char *prog)
{
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char buf[4096];
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        if (n + strlen(prog) + 2 < sizeof buf) {
            memcpy(buf, n ? path : ".", n ? n : 1);
            size_t k = n ? n : 1;
            buf[k] = '/';
            strcpy(buf + k + 1, prog);
            struct stat sb;
            if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) &&
                access(buf, X_OK) == 0)
                return 1;
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return 0;
}

void hpolab_proc_result_free(struct hpolab_proc_result *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

int32_t hpolab_proc_run(const char *const *argv, double timeout_s,
                        struct hpolab_proc_result *res,
                        struct hpolab_error *err)
{
    memset(res, 0, sizeof *res);
    res->exit_code = -1;
    if (!hpolab_proc_in_path(argv[0]))
        return hpolab_error_set(err, HPOLAB_ERR_NOT_FOUND,
                                "%s is not installed (not found in PATH)",
                                argv[0]);
    struct hpolab_capture cap;
    const char *what = "";
    int e = hpolab_capture_run(argv, timeout_s, &cap, &what);
    res->exit_code = cap.exit_code;
    res->out = cap.out;
    res->err = cap.err;
    switch (e) {
    case 0: return HPOLAB_OK;
    case ENOMEM:
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "%s: out of memory",
                                argv[0]);
    case ETIMEDOUT:
        return hpolab_error_set(err, HPOLAB_ERR_TIMEOUT,
                                "%s did not answer within %.0f s", argv[0],
                                timeout_s);
    default:
        return hpolab_error_set(
            err, e == ENOENT ? HPOLAB_ERR_NOT_FOUND : HPOLAB_ERR_PROCESS,
            "cannot run %s (%s): %s", argv[0], what, strerror(e));
    }
}
