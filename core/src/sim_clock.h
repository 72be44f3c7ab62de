/* sim_clock.h: the host side of the "hpolab_virtual_clock_v1" extension
 * (sdk/include/hpolab/ext_virtual_clock.h): a backend whose ctx has a
 * clock_driver (the tuner sets it for its backend only) may make the
 * experiment clock simulated and move it forward. */
#ifndef HPOLAB_CORE_SIM_CLOCK_H
#define HPOLAB_CORE_SIM_CLOCK_H

/* [static] the extension table (a const struct
 * hpolab_ext_virtual_clock_v1 *) when id is HPOLAB_EXT_VIRTUAL_CLOCK_V1,
 * else NULL. */
const void *hpolab_sim_clock_extension(const char *id);

#endif
