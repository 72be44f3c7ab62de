/* bench_aws.c: the AWS client's costs: SigV4 signing per request, and the
 * upload throughput of a 200 MiB file to the loopback S3 server
 * (tools/dev/s3-server-start.sh), as one PutObject and as a multipart
 * upload. Not a test; run build/tests/bench/bench_aws [MiB]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_client.h"
#include "aws_crypto.h"
#include "aws_fixture.h"
#include "aws_s3.h"
#include "aws_sigv4.h"
#include "clock.h"

static void bench_signing(void)
{
    struct hpolab_aws_header h[] = {
        {"host", "s3.us-west-2.amazonaws.com"},
        {"x-amz-date", "20261129T004402Z"},
        {"x-amz-content-sha256", HPOLAB_AWS_EMPTY_SHA256},
        {"x-amz-security-token", "FwoGZXIvYXdzEXAMPLETOKENEXAMPLETOKENEXAMPLE"},
        {"content-type", "application/octet-stream"}};
    struct hpolab_aws_sign_input in = {
        .method = "GET", .path = "/bucket/hpolab/study1/RS-0/results.csv.zip",
        .query = "list-type=2&prefix=hpolab%2Fstudy1%2F&max-keys=1000",
        .headers = h, .n_headers = 5, .payload_hash = HPOLAB_AWS_EMPTY_SHA256,
        .amz_date = "20261129T004402Z", .region = "us-west-2",
        .service = "s3", .s3_rules = 1};
    int n = 200000;
    double t0 = hpolab_mono_time();
    for (int i = 0; i < n; i++) {
        struct hpolab_aws_signature sig;
        if (hpolab_aws_sign(&in, "AKIDEXAMPLE", "secret", &sig, NULL) !=
            HPOLAB_OK)
            exit(1);
        hpolab_aws_signature_free(&sig);
    }
    double dt = hpolab_mono_time() - t0;
    printf("signing: %d requests in %.3f s: %.2f us per request "
           "(canonical request, key derivation, signature)\n",
           n, dt, dt / n * 1e6);
}

int main(int argc, char **argv)
{
    bench_signing();
    size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 200;
    char tmp[512];
    aws_tmpdir(tmp);
    aws_env_clean(tmp);
    struct aws_server s3;
    if (aws_s3_server_start(&s3, "bench") != 0) {
        fprintf(stderr, "bench_aws: the S3 server did not start\n");
        return 1;
    }
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s3.port);
    setenv("AWS_ENDPOINT_URL_S3", url, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    char file[700];
    snprintf(file, sizeof file, "%s/upload.bin", tmp);
    FILE *f = fopen(file, "wb");
    char *block = malloc(1 << 20);
    for (size_t i = 0; i < (1u << 20); i++)
        block[i] = (char)(i * 2654435761u >> 13);
    for (size_t i = 0; i < mib; i++)
        fwrite(block, 1, 1 << 20, f);
    fclose(f);
    free(block);

    char hash[65];
    double t0 = hpolab_mono_time();
    hpolab_sha256_file_hex(file, 0, (uint64_t)mib << 20, hash, NULL);
    double th = hpolab_mono_time() - t0;
    printf("payload SHA-256 of %zu MiB: %.2f s (%.0f MiB/s; done once per "
           "part over http, skipped over https with UNSIGNED-PAYLOAD)\n",
           mib, th, (double)mib / th);

    struct hpolab_aws_client *c;
    struct hpolab_error err;
    if (hpolab_aws_client_create(NULL, &c, &err) != HPOLAB_OK) {
        fprintf(stderr, "bench_aws: %s\n", err.message);
        return 1;
    }
    struct {
        const char *name;
        uint64_t threshold, part;
    } modes[] = {{"single PutObject", (uint64_t)1 << 40, 0},
                 {"multipart, 16 MiB parts", 16u << 20, 16u << 20},
                 {"multipart, 64 MiB parts", 16u << 20, 64u << 20}};
    int rc = 0;
    for (size_t m = 0; m < 3; m++) {
        struct hpolab_s3_put_options o = {.multipart_threshold = modes[m].threshold,
                                          .part_size = modes[m].part};
        int parts = 0;
        t0 = hpolab_mono_time();
        if (hpolab_s3_put_file(c, "bench", "big.bin", file, &o, &parts,
                               &err) != HPOLAB_OK) {
            fprintf(stderr, "bench_aws: %s\n", err.message);
            rc = 1;
            break;
        }
        double dt = hpolab_mono_time() - t0;
        printf("upload %zu MiB, %s (%d part%s): %.2f s, %.0f MiB/s\n", mib,
               modes[m].name, parts, parts == 1 ? "" : "s", dt,
               (double)mib / dt);
    }
    hpolab_aws_client_free(c);
    aws_s3_server_stop(&s3);
    aws_rmtree(tmp);
    return rc;
}
