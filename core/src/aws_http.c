/* aws_http.c: libcurl transport of the AWS client (aws_http.h). */
#include "aws_http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct xfer {
    CURL *curl;
    const struct hpolab_aws_http_request *req;
    struct hpolab_aws_http_response *resp;
    FILE *in;
    uint64_t in_left;
    int write_failed;
};

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
    struct xfer *x = user;
    size_t len = size * n;
    struct hpolab_aws_http_response *r = x->resp;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* a new response (e.g. after 100 Continue): forget old headers */
        for (size_t i = 0; i < r->n_headers; i++) {
            free(r->header_names[i]);
            free(r->header_values[i]);
        }
        r->n_headers = 0;
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return len;
    size_t nl = (size_t)(colon - data);
    const char *v = colon + 1;
    const char *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    char **names = realloc(r->header_names, (r->n_headers + 1) * sizeof *names);
    if (!names)
        return 0;
    r->header_names = names;
    char **values =
        realloc(r->header_values, (r->n_headers + 1) * sizeof *values);
    if (!values)
        return 0;
    r->header_values = values;
    char *name = strndup(data, nl);
    char *value = strndup(v, (size_t)(end - v));
    if (!name || !value) {
        free(name);
        free(value);
        return 0;
    }
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    r->header_names[r->n_headers] = name;
    r->header_values[r->n_headers] = value;
    r->n_headers++;
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    struct xfer *x = user;
    size_t len = size * n;
    long status = 0;
    curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
    if (x->req->out && status >= 200 && status < 300) {
        if (fwrite(data, 1, len, x->req->out) != len) {
            x->write_failed = errno ? errno : EIO;
            return 0;
        }
        return len;
    }
    if (hpolab_buffer_append(&x->resp->body, data, len) != HPOLAB_OK)
        return 0;
    return len;
}

static size_t on_read(char *data, size_t size, size_t n, void *user)
{
    struct xfer *x = user;
    size_t want = size * n;
    if ((uint64_t)want > x->in_left)
        want = (size_t)x->in_left;
    if (want == 0)
        return 0;
    size_t got = fread(data, 1, want, x->in);
    if (got == 0)
        return CURL_READFUNC_ABORT;
    x->in_left -= got;
    return got;
}

/* A retried request rewinds its body. */
static int on_seek(void *user, curl_off_t offset, int origin)
{
    struct xfer *x = user;
    if (origin != SEEK_SET || !x->in)
        return CURL_SEEKFUNC_CANTSEEK;
    if (fseeko(x->in, (off_t)(x->req->body_offset + (uint64_t)offset),
               SEEK_SET) != 0)
        return CURL_SEEKFUNC_FAIL;
    x->in_left = x->req->body_file_len - (uint64_t)offset;
    return CURL_SEEKFUNC_OK;
}

const char *hpolab_aws_http_header(const struct hpolab_aws_http_response *resp,
                                   const char *name)
{
    for (size_t i = 0; i < resp->n_headers; i++)
        if (strcasecmp(resp->header_names[i], name) == 0)
            return resp->header_values[i];
    return NULL;
}

void hpolab_aws_http_response_free(struct hpolab_aws_http_response *resp)
{
    if (!resp)
        return;
    hpolab_buffer_free(&resp->body);
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->header_names[i]);
        free(resp->header_values[i]);
    }
    free(resp->header_names);
    free(resp->header_values);
    memset(resp, 0, sizeof *resp);
}

int32_t hpolab_aws_http_send(const struct hpolab_aws_http_request *req,
                             struct hpolab_aws_http_response *resp,
                             struct hpolab_error *err)
{
    hpolab_aws_http_response_free(resp);
    pthread_once(&curl_once, curl_init_once);
    struct xfer x = {.req = req, .resp = resp};
    x.curl = curl_easy_init();
    if (!x.curl)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "%s: no curl handle",
                                req->url);
    struct curl_slist *hl = NULL;
    int32_t st = HPOLAB_OK;
    for (size_t i = 0; i < req->n_headers; i++) {
        size_t len = strlen(req->headers[i].name) +
                     strlen(req->headers[i].value) + 3;
        char *line = malloc(len);
        if (!line) {
            st = HPOLAB_ERR_NOMEM;
            break;
        }
        snprintf(line, len, "%s: %s", req->headers[i].name,
                 req->headers[i].value);
        struct curl_slist *nl = curl_slist_append(hl, line);
        memset(line, 0, len); /* header lines may hold a session token */
        free(line);
        if (!nl) {
            st = HPOLAB_ERR_NOMEM;
            break;
        }
        hl = nl;
    }
    /* no 100-continue round trip; libcurl's own Accept is not signed */
    int has_type = 0;
    for (size_t i = 0; i < req->n_headers; i++)
        has_type |= strcasecmp(req->headers[i].name, "content-type") == 0;
    /* libcurl would label a POSTFIELDS body form-urlencoded, unsigned */
    if (st == HPOLAB_OK && !has_type) {
        struct curl_slist *nl = curl_slist_append(hl, "Content-Type:");
        if (nl)
            hl = nl;
        else
            st = HPOLAB_ERR_NOMEM;
    }
    if (st == HPOLAB_OK) {
        struct curl_slist *nl = curl_slist_append(hl, "Expect:");
        if (nl)
            hl = nl;
        else
            st = HPOLAB_ERR_NOMEM;
    }
    if (st != HPOLAB_OK) {
        curl_slist_free_all(hl);
        curl_easy_cleanup(x.curl);
        return hpolab_error_set(err, st, "%s: out of memory", req->url);
    }
    CURL *c = x.curl;
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    const char *ca = getenv("AWS_CA_BUNDLE");
    if (ca && ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                                                 : 5000L);
    if (req->timeout_ms > 0)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    /* metadata endpoints and loopback never go through a proxy */
    curl_easy_setopt(c, CURLOPT_NOPROXY,
                     "127.0.0.1,localhost,::1,169.254.169.254,169.254.170.2");

    const char *m = req->method;
    if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (req->body_file) {
        x.in = fopen(req->body_file, "rb");
        if (!x.in || fseeko(x.in, (off_t)req->body_offset, SEEK_SET) != 0) {
            st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s: cannot read: %s",
                                  req->body_file, strerror(errno));
            goto out;
        }
        x.in_left = req->body_file_len;
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &x);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, &x);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                         (curl_off_t)req->body_file_len);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    } else if (strcmp(m, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(m, "POST") != 0 || req->body_len > 0 || req->body)
            curl_easy_setopt(c, CURLOPT_POSTFIELDS,
                             req->body ? (const char *)req->body : "");
        else
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)req->body_len);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    }
    CURLcode rc = curl_easy_perform(c);
    if (x.write_failed) {
        st = hpolab_error_set(err, HPOLAB_ERR_IO,
                              "%s: writing the download failed: %s",
                              req->url, strerror(x.write_failed));
        goto out;
    }
    if (rc != CURLE_OK) {
        resp->status = 0;
        resp->transport_error = (int)rc;
        snprintf(resp->transport_message, sizeof resp->transport_message,
                 "%s", curl_easy_strerror(rc));
        st = hpolab_error_set(err, HPOLAB_ERR_IO, "%s %s: %s", m, req->url,
                              curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    if (resp->body.len > 0 &&
        hpolab_buffer_append(&resp->body, "", 1) == HPOLAB_OK)
        resp->body.len--;
out:
    if (x.in)
        fclose(x.in);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return st;
}
