/* options.h: the named options of one component instance (a method's
 * scheduler_options, a benchmark's backend_options, ...). Plugins read them
 * through the host table; the host remembers what was read so that an option
 * nobody asked for is reported as unknown instead of silently ignored. */
#ifndef HPOLAB_CORE_OPTIONS_H
#define HPOLAB_CORE_OPTIONS_H

#include <hpolab/types.h>
#include <jansson.h>

#include "error.h"

struct hpolab_options {
    json_t *values; /* owned reference: a JSON object */
    char *where;    /* owned: where the options come from, for messages,
                       e.g. "study.json: methods.ASHA.scheduler_options" */
    json_t *read;   /* owned: object of the names read so far */
};

/* values may be NULL (no options); it is copied (deep). *out [owned:
 * hpolab_options_free]. */
int32_t hpolab_options_create(const json_t *values, const char *where,
                              struct hpolab_options **out,
                              struct hpolab_error *err);
void hpolab_options_free(struct hpolab_options *opts);
/* HPOLAB_ERR_INVALID naming the first option that was never read, e.g.
 * "study.json: methods.RS.scheduler_options: unknown option 'max_t' for
 * scheduler 'fifo'". component: "scheduler 'fifo'". */
int32_t hpolab_options_check_all_read(const struct hpolab_options *opts,
                                      const char *component,
                                      struct hpolab_error *err);

/* Getters: a missing option gives dflt; a wrong type HPOLAB_ERR_TYPE with a
 * message naming the option and the expected type. */
int32_t hpolab_options_double(const struct hpolab_options *opts,
                              const char *name, double dflt, double *out,
                              struct hpolab_error *err);
int32_t hpolab_options_int(const struct hpolab_options *opts, const char *name,
                           int64_t dflt, int64_t *out, struct hpolab_error *err);
int32_t hpolab_options_bool(const struct hpolab_options *opts,
                            const char *name, int32_t dflt, int32_t *out,
                            struct hpolab_error *err);
/* *out [borrowed] for the life of opts. */
int32_t hpolab_options_string(const struct hpolab_options *opts,
                              const char *name, const char *dflt,
                              const char **out, struct hpolab_error *err);

#endif
