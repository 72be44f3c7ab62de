/* aws_retry.c: standard retry mode (aws_retry.h). */
#include "aws_retry.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define QUOTA 500

void hpolab_aws_retry_init(struct hpolab_aws_retry *r)
{
    const char *m = getenv("AWS_MAX_ATTEMPTS");
    r->max_attempts = m && atoi(m) > 0 ? atoi(m) : 3;
    r->base_s = 0.1;
    r->throttle_base_s = 0.5;
    r->cap_s = 20.0;
    r->tokens = QUOTA;
    r->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
             (uint64_t)(uintptr_t)r;
}

static int in_list(const char *code, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(code, *list) == 0)
            return 1;
    return 0;
}

int hpolab_aws_retry_class(long status, const char *code, int transport_error)
{
    static const char *const throttling[] = {
        "Throttling", "ThrottlingException", "ThrottledException",
        "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException",
        "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException", NULL};
    static const char *const transient[] = {
        "RequestTimeout", "RequestTimeoutException", "InternalError",
        "InternalFailure", "ServiceUnavailable", NULL};
    static const char *const skew[] = {
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
        "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure",
        NULL};
    static const char *const expired[] = {"ExpiredToken",
                                          "ExpiredTokenException", NULL};
    if (status == 0) {
        switch (transport_error) {
        case CURLE_COULDNT_RESOLVE_HOST: /* DNS may come back */
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR:
            return HPOLAB_AWS_RETRY_TRANSIENT;
        default: /* e.g. an untrusted certificate: retrying cannot help */
            return HPOLAB_AWS_RETRY_NO;
        }
    }
    if (code && in_list(code, throttling))
        return HPOLAB_AWS_RETRY_THROTTLE;
    if (code && in_list(code, expired))
        return HPOLAB_AWS_RETRY_EXPIRED;
    if (code && in_list(code, skew))
        return HPOLAB_AWS_RETRY_SKEW;
    if (status == 429)
        return HPOLAB_AWS_RETRY_THROTTLE;
    if (status == 500 || status == 502 || status == 503 || status == 504 ||
        (code && in_list(code, transient)))
        return HPOLAB_AWS_RETRY_TRANSIENT;
    return HPOLAB_AWS_RETRY_NO;
}

int hpolab_aws_retry_cost(int cls, int transport_error)
{
    if (cls == HPOLAB_AWS_RETRY_TRANSIENT &&
        (transport_error == CURLE_OPERATION_TIMEDOUT))
        return 10;
    return 5;
}

static double uniform(struct hpolab_aws_retry *r)
{
    /* xorshift64*: jitter only, not security */
    uint64_t x = r->rng ? r->rng : 0x9e3779b97f4a7c15ULL;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->rng = x;
    return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

double hpolab_aws_retry_next(struct hpolab_aws_retry *r, int retry, int cls)
{
    if (cls == HPOLAB_AWS_RETRY_NO || retry >= r->max_attempts)
        return -1;
    int cost = hpolab_aws_retry_cost(cls, 0);
    if (r->tokens < cost)
        return -1;
    r->tokens -= cost;
    if (cls == HPOLAB_AWS_RETRY_SKEW || cls == HPOLAB_AWS_RETRY_EXPIRED)
        return 0; /* corrected, not overloaded: retry at once */
    double base = cls == HPOLAB_AWS_RETRY_THROTTLE ? r->throttle_base_s
                                                   : r->base_s;
    double d = base;
    for (int i = 1; i < retry && d < r->cap_s; i++)
        d *= 2;
    if (d > r->cap_s)
        d = r->cap_s;
    return uniform(r) * d;
}

void hpolab_aws_retry_success(struct hpolab_aws_retry *r, int retries_cost)
{
    r->tokens += retries_cost > 0 ? retries_cost : 1;
    if (r->tokens > QUOTA)
        r->tokens = QUOTA;
}
