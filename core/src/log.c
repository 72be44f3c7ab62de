#include "log.h"

#include <stdio.h>

static int32_t log_level = HPOLAB_LOG_WARN;
static hpolab_log_sink_fn log_sink;
static void *log_user;

void hpolab_log_set_level(int32_t level) { log_level = level; }
int32_t hpolab_log_level(void) { return log_level; }

void hpolab_log_set_sink(hpolab_log_sink_fn fn, void *user)
{
    log_sink = fn;
    log_user = user;
}

void hpolab_logv(int32_t level, const char *fmt, va_list ap)
{
    if (level > log_level)
        return;
    char line[4096];
    vsnprintf(line, sizeof line, fmt, ap);
    if (log_sink) {
        log_sink(level, line, log_user);
        return;
    }
    static const char *const names[] = {"error", "warning", "info", "debug"};
    const char *name = level >= 0 && level <= 3 ? names[level] : "log";
    fprintf(stderr, "hpolab: %s: %s\n", name, line);
}

void hpolab_logf(int32_t level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hpolab_logv(level, fmt, ap);
    va_end(ap);
}
