/* Fuzz target: what an AWS endpoint (or something pretending to be one)
 * answers: S3's XML (ListObjectsV2, multipart, errors) and the JSON
 * protocol's error bodies (SageMaker, CloudWatch Logs), read as the client
 * reads them. The first byte chooses the HTTP status. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_service_error.h"
#include "aws_xml.h"
#include "buffer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    long status = data[0] < 128 ? 400 + data[0] % 104 : 200;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;

    struct hpolab_aws_xml x = {0};
    struct hpolab_error err;
    if (hpolab_aws_xml_parse(body, len, "fuzzed answer", &x, &err) ==
        HPOLAB_OK) {
        static const char *const paths[] = {
            "IsTruncated", "NextContinuationToken", "Contents/Key",
            "UploadId", "Error/Code", "Region", ""};
        for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
            (void)hpolab_aws_xml_find(&x, paths[i]);
    }
    hpolab_aws_xml_free(&x);

    /* the error reader takes a whole response: body NUL-terminated, one
     * header that points at the JSON protocol */
    struct hpolab_aws_http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = status;
    hpolab_buffer_init(&resp.body);
    if (hpolab_buffer_append(&resp.body, body, len) == HPOLAB_OK &&
        hpolab_buffer_append(&resp.body, "", 1) == HPOLAB_OK) {
        resp.body.len = len; /* NUL kept after the data */
        char *names[] = {"x-amzn-errortype"};
        char *values[] = {"ValidationException:http://internal"};
        if (data[0] & 1) {
            resp.header_names = names;
            resp.header_values = values;
            resp.n_headers = 1;
        }
        struct hpolab_aws_service_error se;
        hpolab_aws_service_error_read(&resp, &se);
        if (strnlen(se.code, sizeof se.code) == sizeof se.code ||
            strnlen(se.message, sizeof se.message) == sizeof se.message)
            abort(); /* always NUL-terminated */
    }
    hpolab_buffer_free(&resp.body);
    return 0;
}
