/* sm_fixture.h: the SageMaker tests' loopback servers: the signature-checking
 * S3 server (tests/aws/aws_fixture.c) and the SageMaker + CloudWatch Logs +
 * STS stand-in (standin/start.sh), its jobs running
 * tools/container/entry.sh with this build's hpolab; started by argv and
 * stopped by PID. */
#ifndef HPOLAB_TESTS_SM_FIXTURE_H
#define HPOLAB_TESTS_SM_FIXTURE_H

#include <stddef.h>

#include "aws_fixture.h"

/* The credentials the servers accept besides S3RVER:S3RVER, and that the
 * client uses: a sentinel secret no output may contain. */
#define SM_AKID "AKIDSMSENTINEL"
#define SM_SECRET "SENTINEL-sm-secret-7Qx9ZpL2"

struct sm_env {
    struct aws_server s3;
    struct aws_server sm; /* dir: its data folder; pidfile: its PID file */
};

/* Starts both servers (bucket created). grace_ms: the stand-in's SIGTERM
 * -> SIGKILL grace. Returns 0, or -1 (the test should fail). */
int sm_start(struct sm_env *e, const char *bucket, int grace_ms);
void sm_stop(struct sm_env *e);
/* A clean AWS environment pointing every service at the servers, with the
 * sentinel credentials and region us-east-1; dir holds no AWS files. */
void sm_use(const struct sm_env *e, const char *dir);
/* POST to a control path of the stand-in (/__faults, /__state, /__reset);
 * answer into out. Returns the HTTP status. */
int sm_control(const struct sm_env *e, const char *path, const char *body,
               char *out, size_t out_size);
/* 1 if any regular file under dir contains needle. *where (size where_size)
 * names the first such file. */
int sm_tree_contains(const char *dir, const char *needle, char *where,
                     size_t where_size);

#endif
