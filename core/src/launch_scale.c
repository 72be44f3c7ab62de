/* launch_scale.c: see launch_scale.h. */
#include "launch_scale.h"

#include <math.h>

double hpolab_scaled_wallclock_time(double given_time, int64_t given_workers,
                                    double default_time,
                                    int64_t default_workers, int scale,
                                    int *scaled)
{
    if (scaled)
        *scaled = 0;
    if (given_time >= 0)
        return given_time;
    if (scale && given_workers > 0 && given_workers < default_workers &&
        default_time > 0) {
        if (scaled)
            *scaled = 1;
        /* Python's int(): truncation toward zero */
        return trunc(default_time * (double)default_workers /
                     (double)given_workers);
    }
    return default_time;
}

#define NO_BUDGET_LIMIT (72 * 3600)

int64_t hpolab_launch_time_limit(double budget)
{
    if (!(budget > 0) || !isfinite(budget))
        return NO_BUDGET_LIMIT;
    double t = ceil(1.2 * budget - 1e-9);
    if (t > 1e9)
        t = 1e9;
    return t < 1 ? 1 : (int64_t)t;
}
