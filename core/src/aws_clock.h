/* aws_clock.h: the request clock of the AWS client: local time plus the
 * offset learned from a server's Date header after a clock-skew error
 * (reference aws.md §1.9). */
#ifndef HPOLAB_CORE_AWS_CLOCK_H
#define HPOLAB_CORE_AWS_CLOCK_H

#include <stdint.h>

/* RFC 7231 date ("Sun, 29 Nov 2026 07:00:00 GMT") to unix time; -1 if
 * it is none. */
int64_t hpolab_aws_parse_http_date(const char *s);
/* Unix time to sign with: now + skew_s. */
int64_t hpolab_aws_clock_now(double skew_s);

#endif
