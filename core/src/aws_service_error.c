/* aws_service_error.c: error code extraction (aws_service_error.h). */
#include "aws_service_error.h"

#include <jansson.h>
#include <string.h>

#include "aws_xml.h"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
    /* one line: messages end up in one-line errors */
    for (char *c = dst; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
}

static void json_code(char *dst, size_t n, const char *raw)
{
    const char *s = raw;
    const char *hash = strchr(s, '#');
    if (hash)
        s = hash + 1;
    size_t len = strcspn(s, ":");
    snprintf(dst, n, "%.*s", (int)len, s);
}

void hpolab_aws_service_error_read(const struct hpolab_aws_http_response *resp,
                                   struct hpolab_aws_service_error *out)
{
    memset(out, 0, sizeof *out);
    const char *body = resp->body.data ? (const char *)resp->body.data : "";
    size_t len = resp->body.len;
    const char *et = hpolab_aws_http_header(resp, "x-amzn-errortype");
    copy(out->region, sizeof out->region,
         hpolab_aws_http_header(resp, "x-amz-bucket-region"));
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r'))
        i++;
    if (i < len && body[i] == '<') {
        struct hpolab_aws_xml x;
        if (hpolab_aws_xml_parse(body, len, "error answer", &x, NULL) ==
            HPOLAB_OK) {
            copy(out->code, sizeof out->code,
                 hpolab_aws_xml_find(&x, "Error/Code"));
            copy(out->message, sizeof out->message,
                 hpolab_aws_xml_find(&x, "Error/Message"));
            if (!out->region[0])
                copy(out->region, sizeof out->region,
                     hpolab_aws_xml_find(&x, "Error/Region"));
            hpolab_aws_xml_free(&x);
        }
    } else if (i < len && body[i] == '{') {
        json_t *j = json_loadb(body, len, 0, NULL);
        const char *c = json_string_value(json_object_get(j, "code"));
        if (!c)
            c = json_string_value(json_object_get(j, "__type"));
        if (!et && c)
            json_code(out->code, sizeof out->code, c);
        const char *m = json_string_value(json_object_get(j, "message"));
        if (!m)
            m = json_string_value(json_object_get(j, "Message"));
        copy(out->message, sizeof out->message, m);
        json_decref(j);
    }
    if (et)
        json_code(out->code, sizeof out->code, et);
    if (!out->code[0] && resp->status == 301)
        copy(out->code, sizeof out->code, "PermanentRedirect");
}
