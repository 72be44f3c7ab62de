/* aws_http.h: one HTTP exchange over libcurl for the AWS client: no
 * redirects followed (a region redirect must be re-signed), TLS verified
 * (AWS_CA_BUNDLE may name the CA file), bodies from memory or a file range,
 * 2xx bodies optionally to a file. Nothing here signs or retries. */
#ifndef HPOLAB_CORE_AWS_HTTP_H
#define HPOLAB_CORE_AWS_HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "aws_sigv4.h"
#include "buffer.h"
#include "error.h"

struct hpolab_aws_http_request {
    const char *method;
    const char *url;
    const struct hpolab_aws_header *headers; /* sent as given */
    size_t n_headers;
    const void *body; /* memory body, or: */
    size_t body_len;
    const char *body_file; /* a file range as body */
    uint64_t body_offset;
    uint64_t body_file_len;
    FILE *out; /* borrowed: receives a 2xx body instead of resp->body */
    long connect_timeout_ms; /* 0: 5000 */
    long timeout_ms;         /* 0: none (stalls end after 60 s at <1 B/s) */
};

struct hpolab_aws_http_response {
    long status;                 /* 0: no response (transport error) */
    struct hpolab_buffer body;   /* owned; NUL-terminated when len > 0 */
    char **header_names;         /* owned, lower case */
    char **header_values;        /* owned */
    size_t n_headers;
    int transport_error;         /* CURLcode; 0 when a response came */
    char transport_message[256];
};

/* HPOLAB_OK when an HTTP response arrived (any status); HPOLAB_ERR_IO with
 * resp->transport_error set when the connection failed (refused, reset,
 * timed out, nothing received). resp is reset first; free it always. */
int32_t hpolab_aws_http_send(const struct hpolab_aws_http_request *req,
                             struct hpolab_aws_http_response *resp,
                             struct hpolab_error *err);
void hpolab_aws_http_response_free(struct hpolab_aws_http_response *resp);
/* [borrowed] value of a response header (any case), or NULL. */
const char *hpolab_aws_http_header(const struct hpolab_aws_http_response *resp,
                                   const char *name);

#endif
