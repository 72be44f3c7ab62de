/* plot_fixture.c: see plot_fixture.h. */
#include "plot_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "fsutil.h"
#include "results_zip.h"

static void die(const char *fmt, ...) HPOLAB_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

char *fx_tmpdir(const char *name)
{
    char buf[256];
    snprintf(buf, sizeof buf, "/tmp/hpolab-plot-%s-XXXXXX", name);
    if (!mkdtemp(buf))
        die("mkdtemp: %s", strerror(errno));
    return strdup(buf);
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void fx_rm_rf(const char *dir)
{
    if (dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void fx_write(const char *root, const char *rel, const char *text, size_t len)
{
    struct hpolab_error err;
    char *path = hpolab_path_join(root, rel);
    char *dir = strdup(path);
    *strrchr(dir, '/') = '\0';
    if (hpolab_mkdir_p(dir, &err) != HPOLAB_OK ||
        hpolab_write_file_atomic(path, text, len, &err) != HPOLAB_OK)
        die("%s", err.message);
    free(dir);
    free(path);
}

void fx_experiment(const char *root, const char *rel, const char *metadata,
                   const char *csv)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/metadata.json", rel);
    fx_write(root, path, metadata, strlen(metadata));
    if (!csv)
        return;
    void *zip;
    size_t zlen;
    struct hpolab_error err;
    if (hpolab_zip_single_member("results.csv", csv, strlen(csv), &zip, &zlen,
                                 &err) != HPOLAB_OK)
        die("%s", err.message);
    snprintf(path, sizeof path, "%s/results.csv.zip", rel);
    fx_write(root, path, zip, zlen);
    free(zip);
}

char *fx_metadata(const char *tag, const char *algorithm, int seed)
{
    json_t *md = json_pack("{s:i, s:s, s:s, s:s, s:i, s:f, s:[s], s:s}",
                           "seed", seed, "algorithm", algorithm, "tag", tag,
                           "benchmark", "toy", "n_workers", 2,
                           "st_tuner_creation_timestamp", 1700000000.5,
                           "metric_names", "loss", "metric_mode", "min");
    char *text = json_dumps(md, JSON_PRESERVE_ORDER);
    json_decref(md);
    return text;
}

static char *drain(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ssize_t got;
    while ((got = read(fd, buf + n, cap - n - 1)) > 0 ||
           (got < 0 && errno == EINTR)) {
        if (got < 0)
            continue;
        n += (size_t)got;
        if (n + 1 >= cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    return buf;
}

int fx_hpolab(const char *dir, const char *const *argv, char **out, char **err)
{
    char exe[4096];
    snprintf(exe, sizeof exe, "%s/bin/hpolab", HPOLAB_TEST_BINARY_DIR);
    int o[2], e[2];
    if (pipe(o) || pipe(e))
        die("pipe");
    /* stderr into a temp file: no deadlock between two pipes */
    pid_t pid = fork();
    if (pid == 0) {
        dup2(o[1], 1);
        dup2(e[1], 2);
        close(o[0]);
        close(e[0]);
        close(o[1]);
        close(e[1]);
        if (dir && chdir(dir) != 0)
            _exit(126);
        size_t n = 0;
        while (argv[n])
            n++;
        char **a = calloc(n + 1, sizeof *a);
        a[0] = exe;
        for (size_t i = 1; i < n; i++)
            a[i] = (char *)argv[i];
        execv(exe, a);
        _exit(127);
    }
    close(o[1]);
    close(e[1]);
    /* outputs are small (< pipe buffer) for stderr; read stdout first */
    char *so = drain(o[0]);
    char *se = drain(e[0]);
    close(o[0]);
    close(e[0]);
    int status;
    waitpid(pid, &status, 0);
    if (out)
        *out = so;
    else
        free(so);
    if (err)
        *err = se;
    else
        free(se);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *fx_read(const char *path, size_t *len)
{
    char *text = NULL;
    if (hpolab_read_file(path, &text, len, NULL) != HPOLAB_OK)
        return NULL;
    return text;
}
