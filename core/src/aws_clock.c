/* aws_clock.c: skew-corrected request time (aws_clock.h). */
#include "aws_clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t hpolab_aws_parse_http_date(const char *s)
{
    if (!s)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
    if (!end)
        return -1;
    return (int64_t)timegm(&tm);
}

int64_t hpolab_aws_clock_now(double skew_s)
{
    return (int64_t)((double)time(NULL) + skew_s);
}
