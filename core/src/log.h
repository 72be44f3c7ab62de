/* log.h: the one place libhpolab writes diagnostics. Lines go to a sink
 * (stderr by default; tests capture them). Never used for credentials. */
#ifndef HPOLAB_CORE_LOG_H
#define HPOLAB_CORE_LOG_H

#include <hpolab/types.h>
#include <stdarg.h>

/* Receives one complete line without newline; [borrowed] for the call. */
typedef void (*hpolab_log_sink_fn)(int32_t level, const char *line, void *user);

/* Lines above this level (HPOLAB_LOG_*) are dropped. Default: WARN. */
void hpolab_log_set_level(int32_t level);
int32_t hpolab_log_level(void);
/* NULL restores the stderr sink. */
void hpolab_log_set_sink(hpolab_log_sink_fn fn, void *user);
void hpolab_logf(int32_t level, const char *fmt, ...) HPOLAB_PRINTF(2, 3);
void hpolab_logv(int32_t level, const char *fmt, va_list ap)
    HPOLAB_PRINTF(2, 0);

#endif
