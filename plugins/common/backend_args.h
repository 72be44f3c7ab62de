/* backend_args.h: what every built-in backend checks first in create. */
#ifndef HPOLAB_PLUGIN_BACKEND_ARGS_H
#define HPOLAB_PLUGIN_BACKEND_ARGS_H

#include <hpolab/hpolab.h>
#include <stdint.h>

/* HPOLAB_ERR_ABI when args is too short to hold wake_fd (a host older than
 * the backend), HPOLAB_ERR_INVALID when needs_entry and the benchmark names
 * no entry point to run; the message is on ctx. */
int32_t hpolab_common_backend_args_check(struct hpolab_ctx *ctx,
                                         const struct hpolab_backend_args *args,
                                         int needs_entry);

#endif
