/* clock.h: the experiment clock. Every notion of time in the tuner, the
 * schedulers and the results ("st_tuner_time") reads it, so a simulated
 * clock can replace real time without anything else changing.
 *
 * A clock is real (seconds since hpolab_clock_start, CLOCK_MONOTONIC) until
 * hpolab_clock_simulate makes it simulated: from then on it reads 0 at first
 * and moves only through hpolab_clock_advance_to (a simulator backend drives
 * it through the hpolab_virtual_clock_v1 host extension, sim_clock.h). */
#ifndef HPOLAB_CORE_CLOCK_H
#define HPOLAB_CORE_CLOCK_H

#include <stdint.h>

#include "error.h"

struct hpolab_clock {
    double origin;    /* monotonic seconds at the start of tuning */
    int simulated;    /* 1: reads sim_now, never real time */
    double sim_now;   /* seconds since the start of tuning, simulated */
};

/* Monotonic seconds (CLOCK_MONOTONIC) and Unix time (CLOCK_REALTIME). */
double hpolab_mono_time(void);
double hpolab_wall_time(void);
/* (Re)start a real clock at 0; a simulated clock goes back to real time. */
void hpolab_clock_start(struct hpolab_clock *clock);
/* Seconds since hpolab_clock_start (or the simulated seconds); with clock
 * NULL, since the process's first call. */
double hpolab_clock_now(const struct hpolab_clock *clock);

/* Make the clock simulated, reading 0 (the start of tuning). HPOLAB_ERR_STATE
 * if it is simulated already: two drivers would fight over it. */
int32_t hpolab_clock_simulate(struct hpolab_clock *clock,
                              struct hpolab_error *err);
/* Move a simulated clock forward to t seconds. HPOLAB_ERR_STATE on a real
 * clock, HPOLAB_ERR_RANGE when t is before the current reading (time never
 * goes back) or not finite; the clock then keeps its reading. */
int32_t hpolab_clock_advance_to(struct hpolab_clock *clock, double t,
                                struct hpolab_error *err);
int hpolab_clock_is_simulated(const struct hpolab_clock *clock);

#endif
