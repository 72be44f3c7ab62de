#include "clock.h"

#include <math.h>
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
    clock->simulated = 0;
    clock->sim_now = 0.0;
}

double hpolab_clock_now(const struct hpolab_clock *clock)
{
    static double process_origin = -1.0;
    if (clock && clock->simulated)
        return clock->sim_now;
    if (clock)
        return hpolab_mono_time() - clock->origin;
    if (process_origin < 0.0)
        process_origin = hpolab_mono_time();
    return hpolab_mono_time() - process_origin;
}

int32_t hpolab_clock_simulate(struct hpolab_clock *clock,
                              struct hpolab_error *err)
{
    if (clock->simulated)
        return hpolab_error_set(err, HPOLAB_ERR_STATE,
                                "the experiment clock is simulated already "
                                "(only one backend may drive it)");
    clock->simulated = 1;
    clock->sim_now = 0.0;
    return HPOLAB_OK;
}

int32_t hpolab_clock_advance_to(struct hpolab_clock *clock, double t,
                                struct hpolab_error *err)
{
    if (!clock->simulated)
        return hpolab_error_set(err, HPOLAB_ERR_STATE,
                                "the experiment clock is real time; make it "
                                "simulated first (start)");
    if (!isfinite(t) || t < clock->sim_now)
        return hpolab_error_set(err, HPOLAB_ERR_RANGE,
                                "cannot move the simulated clock to %.17g s: "
                                "it reads %.17g s and never goes back",
                                t, clock->sim_now);
    clock->sim_now = t;
    return HPOLAB_OK;
}

int hpolab_clock_is_simulated(const struct hpolab_clock *clock)
{
    return clock && clock->simulated;
}
