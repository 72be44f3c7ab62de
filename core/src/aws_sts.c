/* aws_sts.c: GetCallerIdentity and the default bucket (aws_sts.h). */
#include "aws_sts.h"

#include <stdlib.h>
#include <string.h>

#include "aws_endpoint.h"
#include "aws_xml.h"

int32_t hpolab_aws_sts_account(struct hpolab_aws_client *c, char **account,
                               struct hpolab_error *err)
{
    *account = NULL;
    static const char body[] = "Action=GetCallerIdentity&Version=2011-06-15";
    struct hpolab_aws_header h = {
        "content-type", "application/x-www-form-urlencoded; charset=utf-8"};
    struct hpolab_aws_request req = {
        .service = HPOLAB_AWS_STS, .method = "POST", .path = "/",
        .headers = &h, .n_headers = 1, .body = body,
        .body_len = sizeof body - 1, .what = "STS GetCallerIdentity"};
    struct hpolab_aws_http_response resp = {0};
    int32_t st = hpolab_aws_send(c, &req, &resp, NULL, err);
    struct hpolab_aws_xml x = {0};
    if (st == HPOLAB_OK)
        st = hpolab_aws_xml_parse((const char *)resp.body.data, resp.body.len,
                                  "STS GetCallerIdentity answer", &x, err);
    if (st == HPOLAB_OK) {
        const char *a = hpolab_aws_xml_find(&x, "GetCallerIdentityResult/Account");
        if (!a || strlen(a) != 12 || strspn(a, "0123456789") != 12)
            st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                  "STS GetCallerIdentity: expected a 12-digit "
                                  "Account in the answer");
        else if (!(*account = strdup(a)))
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    }
    hpolab_aws_xml_free(&x);
    hpolab_aws_http_response_free(&resp);
    return st;
}

int32_t hpolab_aws_default_bucket(struct hpolab_aws_client *c, char **bucket,
                                  struct hpolab_error *err)
{
    *bucket = NULL;
    char *account = NULL;
    int32_t st = hpolab_aws_sts_account(c, &account, err);
    if (st != HPOLAB_OK)
        return hpolab_error_prefix(err, "default bucket (or set --bucket)");
    size_t n = strlen(account) + strlen(hpolab_aws_client_region(c)) + 16;
    *bucket = malloc(n);
    if (*bucket)
        snprintf(*bucket, n, "sagemaker-%s-%s", hpolab_aws_client_region(c),
                 account);
    free(account);
    return *bucket ? HPOLAB_OK
                   : hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
}
