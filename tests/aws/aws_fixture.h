/* aws_fixture.h: loopback servers for the AWS tests: the signature-checking
 * S3 server (tools/dev/s3-server-start.sh) and the fault/metadata stand-in
 * (standin.py), each started by argv and stopped by PID; a clean AWS
 * environment (no user files, no IMDS). */
#ifndef HPOLAB_TESTS_AWS_FIXTURE_H
#define HPOLAB_TESTS_AWS_FIXTURE_H

#include <stddef.h>
#include <sys/types.h>

struct aws_server {
    pid_t pid;    /* the stand-in's process; 0 for the S3 server */
    int port;
    char dir[512];     /* temporary folder of the server */
    char pidfile[600]; /* S3 server: its PID file */
};

/* Clears every AWS_* variable this client reads and points the shared
 * files at dir (which need not hold them). */
void aws_env_clean(const char *dir);
/* Returns 0 and fills s, or -1 (the test should fail). */
int aws_s3_server_start(struct aws_server *s, const char *bucket);
void aws_s3_server_stop(struct aws_server *s);
int aws_standin_start(struct aws_server *s);
/* The stand-in over https with a certificate (PEM files). */
int aws_standin_start_tls(struct aws_server *s, const char *cert,
                          const char *key);
void aws_standin_stop(struct aws_server *s);
/* HTTP to the stand-in's control paths: POST body to path, answer into out
 * (NUL-terminated). Returns the HTTP status, -1 on failure. */
int aws_standin_post(const struct aws_server *s, const char *path,
                     const char *body, char *out, size_t out_size);
/* A new temporary folder under /tmp (template aws-XXXXXX); path 512 bytes. */
void aws_tmpdir(char *path);
void aws_rmtree(const char *path);

#endif
