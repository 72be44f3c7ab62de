/* error.h: how libhpolab reports failures. Every fallible core function
 * returns an HPOLAB_* status and, on failure, fills a struct hpolab_error
 * whose message names the place and the expectation, e.g.
 * "study.json: benchmarks.b.n_workers: expected an integer >= 1, got 0". */
#ifndef HPOLAB_CORE_ERROR_H
#define HPOLAB_CORE_ERROR_H

#include <hpolab/status.h>
#include <stdarg.h>

#define HPOLAB_ERROR_MAX 2048

struct hpolab_error {
    int32_t status;
    char message[HPOLAB_ERROR_MAX];
};

/* Fill err (may be NULL) and return status. */
int32_t hpolab_error_set(struct hpolab_error *err, int32_t status,
                         const char *fmt, ...) HPOLAB_PRINTF(3, 4);
int32_t hpolab_error_setv(struct hpolab_error *err, int32_t status,
                          const char *fmt, va_list ap) HPOLAB_PRINTF(3, 0);
/* Prefix the existing message with "<prefix>: " (adds context on the way up). */
int32_t hpolab_error_prefix(struct hpolab_error *err, const char *fmt, ...)
    HPOLAB_PRINTF(2, 3);
void hpolab_error_clear(struct hpolab_error *err);
/* [static] text of a status code, e.g. "invalid argument". */
const char *hpolab_status_text(int32_t status);

#endif
