/* cmd_sync.c: `hpolab sync TAG`: a study's metadata.json and
 * results.csv.zip files (everything with --all) from
 * s3://<bucket>/hpolab/<TAG>/ into <results_dir>/<TAG>/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_client.h"
#include "aws_s3_sync.h"
#include "aws_sts.h"
#include "cli.h"
#include "cli_options.h"
#include "fsutil.h"
#include "log.h"
#include "results_root.h"
#include "tuner_name.h"

static const struct cli_option sync_options[] = {
    {"all", CLI_FLAG, NULL,
     "every file of the study, not only metadata.json and results.csv.zip"},
    {"bucket", CLI_STRING, "B",
     "bucket (default: $HPOLAB_S3_BUCKET, else sagemaker-<region>-<account>)"},
    {"results_dir", CLI_STRING, "DIR",
     "results folder (default: $HPOLAB_RESULTS, else ~/hpolab)"},
    {"region", CLI_STRING, "R",
     "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)"},
    {"profile", CLI_STRING, "P", "AWS profile (default: AWS_PROFILE)"},
    {"verbose", CLI_FLAG, NULL, "log each request and file"},
    {NULL, 0, NULL, NULL}};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hpolab sync TAG [--all] [--bucket B] [options]\n"
            "\n"
            "Downloads the results of study TAG from "
            "s3://<bucket>/hpolab/TAG/ into\n"
            "<results_dir>/TAG/, the layout hpolab run and hpolab launch "
            "write, so\n"
            "hpolab plot can read them. Files already there with the same "
            "content are\n"
            "skipped; a failed download leaves the old file in place.\n"
            "\noptions (--name value or --name=value):\n");
    cli_options_print(out, sync_options);
    fprintf(out,
            "\nAWS: credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
            "(+AWS_SESSION_TOKEN),\nAWS_PROFILE with ~/.aws/credentials and "
            "~/.aws/config, container credentials or\nIMDSv2; "
            "AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) points at another S3 "
            "endpoint.\n");
}

static double mib(uint64_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

int hpolab_sync_tag(const char *command, const char *tag, const char *bucket,
                    const char *rd, const char *region, const char *profile,
                    int all)
{
    if (!bucket) {
        const char *env = getenv("HPOLAB_S3_BUCKET");
        bucket = env && env[0] ? env : NULL;
    }
    int rc = 0;
    struct hpolab_error err;
    struct hpolab_aws_client *c = NULL;
    char *results_dir = hpolab_results_root(rd);
    char *default_bucket = NULL;
    struct hpolab_aws_client_options o = {.profile = profile,
                                          .region = region};
    if (!results_dir) {
        fprintf(stderr, "%s: out of memory\n", command);
        rc = 1;
    } else if (hpolab_validate_tag(tag, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s: %s\n", command, err.message);
        rc = 2;
    } else if (hpolab_aws_client_create(&o, &c, &err) != HPOLAB_OK) {
        fprintf(stderr, "%s: %s\n", command, err.message);
        rc = 2;
    } else if (!bucket && hpolab_aws_default_bucket(c, &default_bucket,
                                                    &err) != HPOLAB_OK) {
        fprintf(stderr, "%s: %s\n", command, err.message);
        rc = 1;
    }
    if (rc == 0) {
        struct hpolab_s3_sync_options so = {
            .bucket = bucket ? bucket : default_bucket,
            .tag = tag,
            .results_dir = results_dir,
            .all = all};
        struct hpolab_s3_sync_result r;
        int32_t st = hpolab_s3_sync_tag(c, &so, &r, &err);
        char *dest = hpolab_path_join(results_dir, tag);
        if (r.listed > 0)
            printf("s3://%s/hpolab/%s/ -> %s: %d file%s downloaded "
                   "(%.1f MiB), %d unchanged%s\n",
                   so.bucket, tag, dest ? dest : results_dir, r.downloaded,
                   r.downloaded == 1 ? "" : "s", mib(r.bytes), r.unchanged,
                   r.refused ? ", some keys skipped (see above)" : "");
        free(dest);
        if (st != HPOLAB_OK) {
            fprintf(stderr, "%s: %s\n", command, err.message);
            rc = st == HPOLAB_ERR_NOT_FOUND || st == HPOLAB_ERR_INVALID ? 2 : 1;
        }
    }
    hpolab_aws_client_free(c);
    free(default_bucket);
    free(results_dir);
    return rc;
}

int hpolab_cmd_sync(int argc, char **argv)
{
    struct cli_parser p = {.options = sync_options, .command = "hpolab sync"};
    int rc = cli_parse(&p, argc, argv);
    if (rc != 0) {
        cli_free(&p);
        return rc;
    }
    if (p.help) {
        usage(stdout);
        cli_free(&p);
        return 0;
    }
    const char *tag = p.positional;
    const char *bucket = NULL, *rd = NULL, *region = NULL, *profile = NULL;
    int64_t all = 0, verbose = 0;
    cli_get_string(&p, "bucket", &bucket);
    cli_get_string(&p, "results_dir", &rd);
    cli_get_string(&p, "region", &region);
    cli_get_string(&p, "profile", &profile);
    cli_get_bool(&p, "all", &all);
    cli_get_bool(&p, "verbose", &verbose);
    if (!tag) {
        fprintf(stderr, "hpolab sync: expected the study TAG (see 'hpolab "
                        "sync --help')\n");
        cli_free(&p);
        return 2;
    }
    if (verbose)
        hpolab_log_set_level(HPOLAB_LOG_DEBUG);
    rc = hpolab_sync_tag("hpolab sync", tag, bucket, rd, region, profile,
                         (int)all);
    cli_free(&p);
    return rc;
}
