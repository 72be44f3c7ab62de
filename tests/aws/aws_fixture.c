/* aws_fixture.c: the loopback servers of the AWS tests (aws_fixture.h). */
#include "aws_fixture.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void aws_env_clean(const char *dir)
{
    /* drop everything the chain or endpoint lookup would read */
    static const char *vars[] = {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SAGEMAKER",
        "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "AWS_MAX_ATTEMPTS", "AWS_CA_BUNDLE", "HPOLAB_S3_BUCKET", NULL};
    for (size_t i = 0; vars[i]; i++)
        unsetenv(vars[i]);
    char p[700];
    snprintf(p, sizeof p, "%s/aws-credentials", dir);
    setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
    snprintf(p, sizeof p, "%s/aws-config", dir);
    setenv("AWS_CONFIG_FILE", p, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

void aws_tmpdir(char *path)
{
    snprintf(path, 512, "/tmp/hpolab-aws-XXXXXX");
    if (!mkdtemp(path))
        path[0] = '\0';
}

void aws_rmtree(const char *path)
{
    if (!path[0] || strncmp(path, "/tmp/hpolab-aws-", 16) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", path, (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

/* Runs argv with stdout to a pipe; reads the first line as the port. */
static int spawn_read_port(char *const argv[], pid_t *pid_out, int wait_exit)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    char buf[64];
    size_t len = 0;
    ssize_t n;
    while (len + 1 < sizeof buf &&
           (n = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0) {
        len += (size_t)n;
        if (memchr(buf, '\n', len))
            break;
    }
    buf[len] = '\0';
    if (wait_exit) {
        /* drain so the starter's children cannot block on the pipe */
        char sink[256];
        while (read(fd[0], sink, sizeof sink) > 0)
            ;
        int status = 0;
        waitpid(pid, &status, 0);
        close(fd[0]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return -1;
    } else {
        close(fd[0]);
    }
    if (pid_out)
        *pid_out = pid;
    int port = atoi(buf);
    return port > 0 ? port : -1;
}

int aws_s3_server_start(struct aws_server *s, const char *bucket)
{
    memset(s, 0, sizeof *s);
    aws_tmpdir(s->dir);
    if (!s->dir[0])
        return -1;
    char script[600], node_dir[600], data[600];
    snprintf(script, sizeof script, "%s/tools/dev/s3-server-start.sh",
             HPOLAB_TEST_SOURCE_DIR);
    snprintf(node_dir, sizeof node_dir, "%s/aws-node", HPOLAB_TEST_BINARY_DIR);
    snprintf(data, sizeof data, "%s/data", s->dir);
    snprintf(s->pidfile, sizeof s->pidfile, "%s/s3.pid", s->dir);
    char *argv[] = {script, node_dir, data, s->pidfile, (char *)bucket, NULL};
    char owner[32];
    snprintf(owner, sizeof owner, "%d", (int)getpid());
    setenv("HPOLAB_S3_SERVER_OWNER_PID", owner, 1);
    s->port = spawn_read_port(argv, NULL, 1);
    return s->port > 0 ? 0 : -1;
}

void aws_s3_server_stop(struct aws_server *s)
{
    if (s->pidfile[0]) {
        char script[600];
        snprintf(script, sizeof script, "%s/tools/dev/s3-server-stop.sh",
                 HPOLAB_TEST_SOURCE_DIR);
        pid_t pid = fork();
        if (pid == 0) {
            execl(script, script, s->pidfile, (char *)NULL);
            _exit(127);
        }
        if (pid > 0)
            waitpid(pid, NULL, 0);
    }
    aws_rmtree(s->dir);
    memset(s, 0, sizeof *s);
}

int aws_standin_start_tls(struct aws_server *s, const char *cert,
                          const char *key)
{
    memset(s, 0, sizeof *s);
    char script[600];
    snprintf(script, sizeof script, "%s/tests/aws/standin.py",
             HPOLAB_TEST_SOURCE_DIR);
    char *argv[] = {"python3", script, (char *)cert, (char *)key, NULL};
    if (!cert)
        argv[2] = NULL;
    s->port = spawn_read_port(argv, &s->pid, 0);
    return s->port > 0 ? 0 : -1;
}

int aws_standin_start(struct aws_server *s)
{
    return aws_standin_start_tls(s, NULL, NULL);
}

void aws_standin_stop(struct aws_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    memset(s, 0, sizeof *s);
}

struct sink {
    char *out;
    size_t size, len;
};

static size_t on_data(char *d, size_t a, size_t b, void *u)
{
    struct sink *k = u;
    size_t n = a * b;
    for (size_t i = 0; i < n && k->len + 1 < k->size; i++)
        k->out[k->len++] = d[i];
    if (k->size)
        k->out[k->len] = '\0';
    return n;
}

int aws_standin_post(const struct aws_server *s, const char *path,
                     const char *body, char *out, size_t out_size)
{
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    struct sink k = {out, out_size, 0};
    if (out && out_size)
        out[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return (int)status;
}
