/* sm_fixture.c: the SageMaker tests' loopback servers (sm_fixture.h). */
#include "sm_fixture.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs the start script; its first stdout line is the port. */
static int start_standin(struct aws_server *s)
{
    char script[600], node_dir[600], data[600];
    snprintf(script, sizeof script, "%s/tests/sagemaker/standin/start.sh",
             HPOLAB_TEST_SOURCE_DIR);
    snprintf(node_dir, sizeof node_dir, "%s/aws-node", HPOLAB_TEST_BINARY_DIR);
    snprintf(data, sizeof data, "%s/data", s->dir);
    snprintf(s->pidfile, sizeof s->pidfile, "%s/sm.pid", s->dir);
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execl(script, script, node_dir, data, s->pidfile, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[64];
    size_t len = 0;
    ssize_t n;
    while (len + 1 < sizeof buf &&
           (n = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    s->port = atoi(buf);
    return s->port > 0 ? 0 : -1;
}

int sm_start(struct sm_env *e, const char *bucket, int grace_ms)
{
    memset(e, 0, sizeof *e);
    setenv("HPOLAB_S3_SERVER_KEYS", SM_AKID ":" SM_SECRET, 1);
    if (aws_s3_server_start(&e->s3, bucket) != 0)
        return -1;
    aws_tmpdir(e->sm.dir);
    if (!e->sm.dir[0])
        return -1;
    char v[256];
    snprintf(v, sizeof v, "http://127.0.0.1:%d", e->s3.port);
    setenv("HPOLAB_STANDIN_S3_ENDPOINT", v, 1);
    setenv("HPOLAB_STANDIN_CREDENTIALS", SM_AKID ":" SM_SECRET, 1);
    snprintf(v, sizeof v, "%d", grace_ms);
    setenv("HPOLAB_STANDIN_GRACE_MS", v, 1);
    setenv("HPOLAB_STANDIN_SYNC_MS", "300", 1);
    snprintf(v, sizeof v, "%d", (int)getpid());
    setenv("HPOLAB_STANDIN_OWNER_PID", v, 1);
    char prog[600];
    snprintf(prog, sizeof prog, "%s/bin/hpolab", HPOLAB_TEST_BINARY_DIR);
    setenv("HPOLAB_PROGRAM", prog, 1);
    /* the jobs' trials must not reach the user's pip */
    setenv("HPOLAB_PIP", "false", 1);
    return start_standin(&e->sm);
}

void sm_stop(struct sm_env *e)
{
    if (e->sm.pidfile[0]) {
        char script[600];
        snprintf(script, sizeof script, "%s/tests/sagemaker/standin/stop.sh",
                 HPOLAB_TEST_SOURCE_DIR);
        pid_t pid = fork();
        if (pid == 0) {
            execl(script, script, e->sm.pidfile, (char *)NULL);
            _exit(127);
        }
        if (pid > 0)
            waitpid(pid, NULL, 0);
    }
    aws_rmtree(e->sm.dir);
    aws_s3_server_stop(&e->s3);
    memset(e, 0, sizeof *e);
}

void sm_use(const struct sm_env *e, const char *dir)
{
    aws_env_clean(dir);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", e->s3.port);
    setenv("AWS_ENDPOINT_URL_S3", url, 1);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", e->sm.port);
    setenv("AWS_ENDPOINT_URL_SAGEMAKER", url, 1);
    setenv("AWS_ENDPOINT_URL_STS", url, 1);
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", url, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", SM_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SM_SECRET, 1);
}

int sm_control(const struct sm_env *e, const char *path, const char *body,
               char *out, size_t out_size)
{
    return aws_standin_post(&e->sm, path, body, out, out_size);
}

static int file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t nl = strlen(needle), keep = 0;
    char buf[65536 + 256];
    int found = 0;
    size_t n;
    while (!found && (n = fread(buf + keep, 1, 65536, fp)) > 0) {
        size_t len = keep + n;
        found = memmem(buf, len, needle, nl) != NULL;
        keep = len < nl ? len : nl - 1;
        memmove(buf, buf + len - keep, keep);
    }
    fclose(fp);
    return found;
}

int sm_tree_contains(const char *dir, const char *needle, char *where,
                     size_t where_size)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *ent;
    int found = 0;
    while (!found && (ent = readdir(d))) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, ent->d_name);
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            found = sm_tree_contains(p, needle, where, where_size);
        else if (S_ISREG(st.st_mode) && file_has(p, needle)) {
            found = 1;
            snprintf(where, where_size, "%s", p);
        }
    }
    closedir(d);
    return found;
}
