/* ctx.h: struct hpolab_ctx, the context the host hands to every plugin call.
 * It names the component (for log prefixes "[scheduler:asha] ..."), carries
 * the registration window during a plugin's init, receives the error message
 * of a failing call, and routes backend events to the tuner. */
#ifndef HPOLAB_CORE_CTX_H
#define HPOLAB_CORE_CTX_H

#include <hpolab/types.h>

#include "error.h"

struct hpolab_registry;
struct hpolab_clock;
struct hpolab_plugin;

/* Where a backend's emit_* calls go (the tuner, or a test). */
struct hpolab_event_sink {
    int32_t (*line)(void *user, int64_t trial_id, const char *line,
                    uint64_t len);
    int32_t (*result)(void *user, int64_t trial_id, const char *json,
                      uint64_t len);
    int32_t (*exit)(void *user, int64_t trial_id, int32_t status,
                    const char *message);
    void *user;
};

struct hpolab_ctx {
    const char *kind;  /* "plugin", "scheduler", "searcher", "backend", "plotter" [static] */
    const char *id;    /* component id or plugin name [borrowed] */
    struct hpolab_registry *registry; /* for searcher_create and registration */
    struct hpolab_plugin *plugin;     /* the plugin being initialised */
    int32_t init_window;              /* 1 while register_* is allowed */
    const struct hpolab_event_sink *events; /* emit_* go here, or NULL */
    const struct hpolab_clock *clock; /* host->now reads it; NULL: process clock */
    struct hpolab_clock *clock_driver; /* the clock this component may make
                                          simulated and advance (the
                                          hpolab_virtual_clock_v1 extension);
                                          NULL for all but the backend */
    struct hpolab_error err;          /* the last set_error */
};

void hpolab_ctx_init(struct hpolab_ctx *ctx, const char *kind, const char *id,
                     struct hpolab_registry *registry);

/* After a plugin call on ctx returned status != OK: copy its message into
 * err as "[kind:id] message" (or the status text when the plugin set none)
 * and return status. */
int32_t hpolab_ctx_error(const struct hpolab_ctx *ctx, int32_t status,
                         struct hpolab_error *err);

#endif
