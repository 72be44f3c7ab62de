/* hpolab/ext_virtual_clock.h: the host extension "hpolab_virtual_clock_v1",
 * which lets a simulator backend own the experiment clock. Under it nothing
 * sleeps: host->now (and with it the tuner's timeouts, the stop criterion's
 * max_wallclock_time, st_tuner_time and every scheduler's notion of time)
 * reads simulated seconds that move only when the backend moves them.
 *
 *   const struct hpolab_ext_virtual_clock_v1 *vc =
 *       hpolab_host->get_extension(ctx, HPOLAB_EXT_VIRTUAL_CLOCK_V1);
 *   if (!vc) return hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED, "...");
 *   vc->start(ctx);                        (in create)
 *   vc->advance_to(ctx, next_event_time);  (in wait_events)
 *
 * The table is [borrowed, static]. Its entries are [tuner-thread] and work
 * only with the ctx of the experiment's backend instance (create and the
 * class callbacks); with any other ctx they return HPOLAB_ERR_STATE. Like
 * every struct of the ABI the table only grows at its end: read an entry
 * only if it lies inside struct_size. */
#ifndef HPOLAB_EXT_VIRTUAL_CLOCK_H
#define HPOLAB_EXT_VIRTUAL_CLOCK_H

#include "types.h"

HPOLAB_EXTERN_C_BEGIN

/* The id to pass to host->get_extension. */
#define HPOLAB_EXT_VIRTUAL_CLOCK_V1 "hpolab_virtual_clock_v1"

struct hpolab_ext_virtual_clock_v1 {
    uint32_t struct_size;
    /* Make the experiment clock simulated: host->now returns 0 from now on
     * (the start of tuning) and moves only through advance_to. Call it once,
     * from the backend's create; a second call is HPOLAB_ERR_STATE. */
    int32_t(HPOLAB_ABI *start)(struct hpolab_ctx *ctx);
    /* Move the simulated clock forward to t seconds since the start of
     * tuning. t below the current reading (or not finite) is
     * HPOLAB_ERR_RANGE and leaves the clock as it was; before start,
     * HPOLAB_ERR_STATE. Emit an event only after moving the clock to its
     * time: the host stamps rows and timeouts with the clock. */
    int32_t(HPOLAB_ABI *advance_to)(struct hpolab_ctx *ctx, double t);
};

HPOLAB_EXTERN_C_END

#endif /* HPOLAB_EXT_VIRTUAL_CLOCK_H */
