/* clock.h: the experiment clock. Every notion of time in the tuner, the
 * schedulers and the results ("st_tuner_time") reads it, so a simulated
 * clock can replace real time without anything else changing. */
#ifndef HPOLAB_CORE_CLOCK_H
#define HPOLAB_CORE_CLOCK_H

struct hpolab_clock {
    double origin;   /* monotonic seconds at the start of tuning */
};

/* Monotonic seconds (CLOCK_MONOTONIC) and Unix time (CLOCK_REALTIME). */
double hpolab_mono_time(void);
double hpolab_wall_time(void);
void hpolab_clock_start(struct hpolab_clock *clock);
/* Seconds since hpolab_clock_start; with clock NULL, since the process's
 * first call. */
double hpolab_clock_now(const struct hpolab_clock *clock);

#endif
