/* aws_retry.h: the SDKs' "standard" retry mode (reference aws.md §4):
 * which answers are retried, full-jitter backoff min(base*2^(i-1), cap),
 * and the 500-token retry quota. */
#ifndef HPOLAB_CORE_AWS_RETRY_H
#define HPOLAB_CORE_AWS_RETRY_H

#include <stdint.h>

#define HPOLAB_AWS_RETRY_NO 0
#define HPOLAB_AWS_RETRY_TRANSIENT 1 /* 5xx, timeouts, dropped connections */
#define HPOLAB_AWS_RETRY_THROTTLE 2  /* Throttling*, SlowDown, ... */
#define HPOLAB_AWS_RETRY_SKEW 3      /* clock skew: correct, then retry once */
#define HPOLAB_AWS_RETRY_EXPIRED 4   /* expired token: refresh, retry once */

struct hpolab_aws_retry {
    int max_attempts;     /* total, first included; AWS_MAX_ATTEMPTS or 3 */
    double base_s;        /* transient base delay (0.1 s) */
    double throttle_base_s; /* throttling base delay (0.5 s) */
    double cap_s;         /* 20 s */
    int tokens;           /* quota: 500 */
    uint64_t rng;         /* jitter state */
};

void hpolab_aws_retry_init(struct hpolab_aws_retry *r);
/* status: HTTP status (0: no response); code: the service's error code or
 * NULL; transport_error: libcurl's code when status is 0. */
int hpolab_aws_retry_class(long status, const char *code, int transport_error);
/* Takes quota for retry number `retry` (1, 2, ...) of the given class and
 * returns the delay in seconds, or -1 when no retry is left. */
double hpolab_aws_retry_next(struct hpolab_aws_retry *r, int retry, int cls);
/* A success gives quota back: 1 without retries, else what they cost. */
void hpolab_aws_retry_success(struct hpolab_aws_retry *r, int retries_cost);
/* The quota cost of one retry of this class. */
int hpolab_aws_retry_cost(int cls, int transport_error);

#endif
