#include "clock.h"

#include <time.h>

static double read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double hpolab_mono_time(void) { return read_clock(CLOCK_MONOTONIC); }
double hpolab_wall_time(void) { return read_clock(CLOCK_REALTIME); }

void hpolab_clock_start(struct hpolab_clock *clock)
{
    clock->origin = hpolab_mono_time();
}

double hpolab_clock_now(const struct hpolab_clock *clock)
{
    static double process_origin = -1.0;
    if (clock)
        return hpolab_mono_time() - clock->origin;
    if (process_origin < 0.0)
        process_origin = hpolab_mono_time();
    return hpolab_mono_time() - process_origin;
}
