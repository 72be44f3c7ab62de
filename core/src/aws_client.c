/* aws_client.c: the signed, retried AWS call (aws_client.h). */
#include "aws_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "aws_clock.h"
#include "aws_credentials.h"
#include "aws_crypto.h"
#include "aws_endpoint.h"
#include "aws_profile.h"
#include "aws_retry.h"
#include "log.h"

#define MAX_BUCKET_REGIONS 16
/* refresh temporary credentials this long before they expire */
#define REFRESH_MARGIN_S 300.0

struct hpolab_aws_client {
    struct hpolab_aws_profile profile;
    struct hpolab_aws_credentials creds;
    char *region;
    struct hpolab_aws_retry retry;
    double skew_s;
    long attempts;
    struct {
        char *bucket;
        char *region;
    } bucket_regions[MAX_BUCKET_REGIONS]; /* learned from redirects */
    size_t n_bucket_regions;
};

const char *hpolab_aws_client_region(const struct hpolab_aws_client *c)
{
    return c->region;
}

double hpolab_aws_client_skew(const struct hpolab_aws_client *c)
{
    return c->skew_s;
}

long hpolab_aws_client_attempts(const struct hpolab_aws_client *c)
{
    return c->attempts;
}

void hpolab_aws_client_free(struct hpolab_aws_client *c)
{
    if (!c)
        return;
    hpolab_aws_profile_free(&c->profile);
    hpolab_aws_credentials_free(&c->creds);
    free(c->region);
    for (size_t i = 0; i < c->n_bucket_regions; i++) {
        free(c->bucket_regions[i].bucket);
        free(c->bucket_regions[i].region);
    }
    free(c);
}

int32_t hpolab_aws_client_create(const struct hpolab_aws_client_options *o,
                                 struct hpolab_aws_client **out,
                                 struct hpolab_error *err)
{
    *out = NULL;
    struct hpolab_aws_client *c = calloc(1, sizeof *c);
    if (!c)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    int32_t st = hpolab_aws_profile_load(o ? o->profile : NULL, &c->profile,
                                         err);
    if (st != HPOLAB_OK) {
        free(c);
        return st;
    }
    const char *rsrc = NULL;
    st = hpolab_aws_region_resolve(&c->profile, o ? o->region : NULL,
                                   &c->region, &rsrc, err);
    if (st == HPOLAB_OK)
        st = hpolab_aws_credentials_resolve(&c->profile, &c->creds, err);
    if (st != HPOLAB_OK) {
        hpolab_aws_client_free(c);
        return st;
    }
    hpolab_aws_retry_init(&c->retry);
    if (o && o->max_attempts > 0)
        c->retry.max_attempts = o->max_attempts;
    if (o && o->retry_base_s > 0)
        c->retry.base_s = o->retry_base_s;
    if (o && o->throttle_base_s > 0)
        c->retry.throttle_base_s = o->throttle_base_s;
    hpolab_logf(HPOLAB_LOG_DEBUG,
                "aws: region %s (from %s), credentials from %s (key id %s)",
                c->region, rsrc, c->creds.source, c->creds.access_key_id);
    *out = c;
    return HPOLAB_OK;
}

static const char *bucket_region(const struct hpolab_aws_client *c,
                                 const char *bucket)
{
    for (size_t i = 0; bucket && i < c->n_bucket_regions; i++)
        if (strcmp(c->bucket_regions[i].bucket, bucket) == 0)
            return c->bucket_regions[i].region;
    return NULL;
}

const char *hpolab_aws_client_bucket_region(const struct hpolab_aws_client *c,
                                            const char *bucket)
{
    return bucket_region(c, bucket);
}

static void remember_bucket_region(struct hpolab_aws_client *c,
                                   const char *bucket, const char *region)
{
    for (size_t i = 0; i < c->n_bucket_regions; i++)
        if (strcmp(c->bucket_regions[i].bucket, bucket) == 0) {
            char *r = strdup(region);
            if (r) {
                free(c->bucket_regions[i].region);
                c->bucket_regions[i].region = r;
            }
            return;
        }
    if (c->n_bucket_regions == MAX_BUCKET_REGIONS)
        return;
    char *b = strdup(bucket), *r = strdup(region);
    if (!b || !r) {
        free(b);
        free(r);
        return;
    }
    c->bucket_regions[c->n_bucket_regions].bucket = b;
    c->bucket_regions[c->n_bucket_regions].region = r;
    c->n_bucket_regions++;
}

static int32_t refresh_credentials(struct hpolab_aws_client *c,
                                   struct hpolab_error *err)
{
    struct hpolab_aws_credentials fresh;
    int32_t st = hpolab_aws_credentials_resolve(&c->profile, &fresh, err);
    if (st != HPOLAB_OK)
        return st;
    hpolab_aws_credentials_free(&c->creds);
    c->creds = fresh;
    hpolab_logf(HPOLAB_LOG_INFO, "aws: credentials refreshed from %s",
                c->creds.source);
    return HPOLAB_OK;
}

static char *concat(const char *a, const char *b, const char *c2,
                    const char *d, const char *e)
{
    const char *parts[] = {a, b, c2, d, e};
    size_t n = 1;
    for (size_t i = 0; i < 5; i++)
        n += parts[i] ? strlen(parts[i]) : 0;
    char *s = malloc(n);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < 5; i++)
        if (parts[i])
            strcat(s, parts[i]);
    return s;
}

/* Adds what to set to well-known failures. */
static const char *hint(const struct hpolab_aws_client *c,
                        const struct hpolab_aws_request *req, long status,
                        const char *code, const char *region)
{
    (void)c;
    if (!strcmp(code, "InvalidAccessKeyId") ||
        !strcmp(code, "UnrecognizedClientException") ||
        !strcmp(code, "InvalidClientTokenId"))
        return "; the access key id is not known: check AWS_ACCESS_KEY_ID "
               "or the profile's aws_access_key_id";
    if (!strcmp(code, "SignatureDoesNotMatch") ||
        !strcmp(code, "InvalidSignatureException"))
        return "; check AWS_SECRET_ACCESS_KEY (or the profile's "
               "aws_secret_access_key) and the machine's clock";
    if (!strcmp(code, "ExpiredToken") || !strcmp(code, "ExpiredTokenException"))
        return "; the session token has expired: renew the credentials "
               "(AWS_SESSION_TOKEN or the profile)";
    if (!strcmp(code, "NoSuchBucket"))
        return "; check the bucket name (--bucket or HPOLAB_S3_BUCKET)";
    if (region && region[0] && req->bucket)
        return "; set AWS_REGION to the bucket's region";
    if (status == 403 && req->bucket)
        return "; the credentials may not be allowed to use this bucket";
    return "";
}

int32_t hpolab_aws_send(struct hpolab_aws_client *c,
                        const struct hpolab_aws_request *req,
                        struct hpolab_aws_http_response *resp,
                        struct hpolab_aws_service_error *svc_out,
                        struct hpolab_error *err)
{
    struct hpolab_aws_service_error svc_local;
    struct hpolab_aws_service_error *svc = svc_out ? svc_out : &svc_local;
    memset(svc, 0, sizeof *svc);
    int is_s3 = strcmp(req->service, "s3") == 0;
    const char *what = req->what ? req->what : req->method;
    char region[64];
    const char *br = is_s3 ? bucket_region(c, req->bucket) : NULL;
    snprintf(region, sizeof region, "%s", br ? br : c->region);
    char payload[65];
    if (req->payload_hash) {
        snprintf(payload, sizeof payload, "%s", req->payload_hash);
    } else if (req->body_file) {
        payload[0] = '\0'; /* decided once the scheme is known */
    } else {
        hpolab_sha256_hex(req->body ? req->body : "", req->body_len, payload);
    }
    int skew_done = 0, expired_done = 0, redirect_done = 0;
    int retries = 0, cost = 0;
    int32_t st = HPOLAB_OK;
    for (;;) {
        if (c->creds.expiration > 0 &&
            (double)time(NULL) + REFRESH_MARGIN_S > c->creds.expiration) {
            st = refresh_credentials(c, err);
            if (st != HPOLAB_OK)
                return hpolab_error_prefix(err, "%s", what);
        }
        struct hpolab_aws_endpoint ep;
        st = hpolab_aws_endpoint_resolve(&c->profile, req->service, region,
                                         req->bucket, &ep, NULL, err);
        if (st != HPOLAB_OK)
            return st;
        if (!payload[0]) {
            if (strncasecmp(ep.base, "https://", 8) == 0) {
                snprintf(payload, sizeof payload, "UNSIGNED-PAYLOAD");
            } else {
                st = hpolab_sha256_file_hex(req->body_file, req->body_offset,
                                            req->body_file_len, payload, err);
                if (st != HPOLAB_OK) {
                    hpolab_aws_endpoint_free(&ep);
                    return st;
                }
            }
        }
        int bucket_in_path = is_s3 && req->bucket && ep.path_style;
        const char *path = req->path && req->path[0] ? req->path : "/";
        char *bpath = bucket_in_path
                          ? concat(ep.prefix, "/", req->bucket,
                                   strcmp(path, "/") == 0 ? NULL : path, NULL)
                          : concat(ep.prefix, path, NULL, NULL, NULL);
        char *url = bpath ? concat(ep.base, bpath + strlen(ep.prefix),
                                   req->query && req->query[0] ? "?" : NULL,
                                   req->query && req->query[0] ? req->query
                                                               : NULL,
                                   NULL)
                          : NULL;
        char amz_date[17];
        hpolab_aws_amz_date(hpolab_aws_clock_now(c->skew_s), amz_date);
        size_t nh = 0;
        struct hpolab_aws_header *h =
            calloc(req->n_headers + 5, sizeof *h);
        struct hpolab_aws_signature sig = {0};
        if (!bpath || !url || !h) {
            st = hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
        } else {
            h[nh++] = (struct hpolab_aws_header){"host", ep.host};
            h[nh++] = (struct hpolab_aws_header){"x-amz-date", amz_date};
            h[nh++] = (struct hpolab_aws_header){"x-amz-content-sha256",
                                                 payload};
            if (c->creds.session_token)
                h[nh++] = (struct hpolab_aws_header){
                    "x-amz-security-token", c->creds.session_token};
            for (size_t i = 0; i < req->n_headers; i++)
                h[nh++] = req->headers[i];
            struct hpolab_aws_sign_input in = {
                .method = req->method, .path = bpath, .query = req->query,
                .headers = h, .n_headers = nh, .payload_hash = payload,
                .amz_date = amz_date, .region = region,
                .service = req->service, .s3_rules = is_s3};
            st = hpolab_aws_sign(&in, c->creds.access_key_id,
                                 c->creds.secret_access_key, &sig, err);
        }
        if (st == HPOLAB_OK) {
            /* Host is libcurl's to send; everything else as signed */
            h[0] = (struct hpolab_aws_header){"Authorization",
                                              sig.authorization};
            if (req->out) {
                fflush(req->out);
                if (ftruncate(fileno(req->out), 0) != 0 ||
                    fseeko(req->out, 0, SEEK_SET) != 0)
                    st = hpolab_error_set(err, HPOLAB_ERR_IO,
                                          "%s: cannot rewrite the download: "
                                          "%s",
                                          what, strerror(errno));
            }
        }
        if (st != HPOLAB_OK) {
            hpolab_aws_signature_free(&sig);
            free(h);
            free(url);
            free(bpath);
            hpolab_aws_endpoint_free(&ep);
            return st;
        }
        struct hpolab_aws_http_request hr = {
            .method = req->method, .url = url, .headers = h, .n_headers = nh,
            .body = req->body, .body_len = req->body_len,
            .body_file = req->body_file, .body_offset = req->body_offset,
            .body_file_len = req->body_file_len, .out = req->out};
        struct hpolab_error herr;
        hpolab_logf(HPOLAB_LOG_DEBUG, "aws: %s %s", req->method, url);
        c->attempts++;
        int32_t hst = hpolab_aws_http_send(&hr, resp, &herr);
        hpolab_aws_signature_free(&sig);
        free(h);
        free(bpath);
        hpolab_aws_endpoint_free(&ep);
        if (hst != HPOLAB_OK && resp->transport_error == 0) {
            free(url);
            return hpolab_error_set(err, hst, "%s: %s", what, herr.message);
        }
        if (hst == HPOLAB_OK && resp->status >= 200 && resp->status < 300) {
            free(url);
            hpolab_aws_retry_success(&c->retry, cost);
            return HPOLAB_OK;
        }
        int cls;
        if (hst != HPOLAB_OK) {
            memset(svc, 0, sizeof *svc);
            cls = hpolab_aws_retry_class(0, NULL, resp->transport_error);
        } else {
            hpolab_aws_service_error_read(resp, svc);
            cls = hpolab_aws_retry_class(resp->status, svc->code, 0);
            if (!svc->code[0])
                snprintf(svc->code, sizeof svc->code, "HTTP%ld", resp->status);
        }
        /* the bucket lives elsewhere: re-sign for its region once */
        if (is_s3 && req->bucket && hst == HPOLAB_OK && svc->region[0] &&
            strcmp(svc->region, region) != 0 && !redirect_done &&
            (resp->status == 301 || resp->status == 307 ||
             resp->status == 400 || resp->status == 403)) {
            hpolab_logf(HPOLAB_LOG_INFO,
                        "aws: bucket %s is in %s, not %s; re-signing for %s "
                        "(set AWS_REGION=%s to avoid the extra request)",
                        req->bucket, svc->region, region, svc->region,
                        svc->region);
            snprintf(region, sizeof region, "%s", svc->region);
            remember_bucket_region(c, req->bucket, svc->region);
            redirect_done = 1;
            free(url);
            continue;
        }
        if (cls == HPOLAB_AWS_RETRY_SKEW) {
            int64_t server = hpolab_aws_parse_http_date(
                hpolab_aws_http_header(resp, "date"));
            if (skew_done || server < 0) {
                cls = HPOLAB_AWS_RETRY_NO;
            } else {
                double local = (double)time(NULL);
                double skew = (double)server - local;
                if (fabs(skew - c->skew_s) < 5.0 &&
                    strcmp(svc->code, "RequestTimeTooSkewed") != 0) {
                    cls = HPOLAB_AWS_RETRY_NO; /* not a clock problem */
                } else {
                    c->skew_s = skew;
                    hpolab_logf(HPOLAB_LOG_WARN,
                                "aws: %s: the local clock is %.0f s %s the "
                                "server's; correcting and retrying",
                                svc->code, fabs(skew),
                                skew > 0 ? "behind" : "ahead of");
                }
                skew_done = 1;
            }
        }
        if (cls == HPOLAB_AWS_RETRY_EXPIRED) {
            if (expired_done) {
                cls = HPOLAB_AWS_RETRY_NO;
            } else {
                expired_done = 1;
                struct hpolab_error rerr;
                if (refresh_credentials(c, &rerr) != HPOLAB_OK) {
                    hpolab_logf(HPOLAB_LOG_WARN,
                                "aws: refreshing credentials failed: %s",
                                rerr.message);
                    cls = HPOLAB_AWS_RETRY_NO;
                }
            }
        }
        retries++;
        double delay = hpolab_aws_retry_next(&c->retry, retries, cls);
        if (delay < 0) {
            long status = resp->status;
            if (hst != HPOLAB_OK && (resp->transport_error ==
                                         CURLE_PEER_FAILED_VERIFICATION ||
                                     resp->transport_error ==
                                         CURLE_SSL_CACERT_BADFILE))
                st = hpolab_error_set(
                    err, HPOLAB_ERR_IO,
                    "%s: %s at %s: the TLS certificate is not trusted (set "
                    "AWS_CA_BUNDLE to the CA file of a private endpoint)",
                    what, resp->transport_message, url);
            else if (hst != HPOLAB_OK)
                st = hpolab_error_set(
                    err, HPOLAB_ERR_IO,
                    "%s: %s (after %d attempt%s; check the endpoint %s)",
                    what, resp->transport_message, retries,
                    retries == 1 ? "" : "s", url);
            else if (redirect_done && svc->region[0])
                st = hpolab_error_set(
                    err, HPOLAB_ERR_INVALID,
                    "%s: bucket %s is in region %s, and the endpoint did "
                    "not accept it there: set AWS_REGION=%s",
                    what, req->bucket, svc->region, svc->region);
            else
                st = hpolab_error_set(
                    err,
                    status == 404 ? HPOLAB_ERR_NOT_FOUND
                    : status == 400 || status == 403 ? HPOLAB_ERR_INVALID
                                                     : HPOLAB_ERR_IO,
                    "%s: %s (HTTP %ld, %d attempt%s)%s%s%s", what, svc->code,
                    status, retries, retries == 1 ? "" : "s",
                    svc->message[0] ? ": " : "",
                    svc->message,
                    hint(c, req, status, svc->code,
                         svc->region[0] && strcmp(svc->region, region)
                             ? svc->region
                             : NULL));
            if (hst == HPOLAB_OK && resp->status == 403 &&
                resp->body.len > 0)
                hpolab_logf(HPOLAB_LOG_DEBUG, "aws: %s answered: %s", what,
                            (const char *)resp->body.data);
            free(url);
            return st;
        }
        hpolab_logf(HPOLAB_LOG_INFO,
                    "aws: %s: %s; retry %d of %d in %.2f s", what,
                    hst != HPOLAB_OK ? resp->transport_message : svc->code,
                    retries, c->retry.max_attempts - 1, delay);
        cost += hpolab_aws_retry_cost(cls, resp->transport_error);
        free(url);
        if (delay > 0) {
            struct timespec ts = {(time_t)delay,
                                  (long)((delay - floor(delay)) * 1e9)};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
        }
    }
}

int32_t hpolab_aws_json_call(struct hpolab_aws_client *c, const char *service,
                             const char *target, json_t *input, json_t **out,
                             struct hpolab_aws_service_error *svc,
                             struct hpolab_error *err)
{
    *out = NULL;
    char *body = input ? json_dumps(input, JSON_COMPACT) : strdup("{}");
    if (!body)
        return hpolab_error_set(err, HPOLAB_ERR_NOMEM, "out of memory");
    struct hpolab_aws_header h[2] = {
        {"content-type", "application/x-amz-json-1.1"},
        {"x-amz-target", target}};
    struct hpolab_aws_request req = {
        .service = service, .method = "POST", .path = "/", .headers = h,
        .n_headers = 2, .body = body, .body_len = strlen(body),
        .what = target};
    struct hpolab_aws_http_response resp = {0};
    int32_t st = hpolab_aws_send(c, &req, &resp, svc, err);
    free(body);
    if (st == HPOLAB_OK) {
        if (resp.body.len == 0) {
            *out = json_object();
        } else {
            json_error_t je;
            *out = json_loadb((const char *)resp.body.data, resp.body.len, 0,
                              &je);
            if (!*out)
                st = hpolab_error_set(err, HPOLAB_ERR_PARSE,
                                      "%s: expected a JSON answer: %s",
                                      target, je.text);
        }
    }
    hpolab_aws_http_response_free(&resp);
    return st;
}
