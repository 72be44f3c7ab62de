#include "error.h"

#include <stdio.h>
#include <string.h>

int32_t hpolab_error_setv(struct hpolab_error *err, int32_t status,
                          const char *fmt, va_list ap)
{
    if (err) {
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return status;
}

int32_t hpolab_error_set(struct hpolab_error *err, int32_t status,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hpolab_error_setv(err, status, fmt, ap);
    va_end(ap);
    return status;
}

int32_t hpolab_error_prefix(struct hpolab_error *err, const char *fmt, ...)
{
    if (!err)
        return HPOLAB_OK;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[HPOLAB_ERROR_MAX];
    memcpy(old, err->message, sizeof old);
    snprintf(err->message, sizeof err->message, "%s: %s", prefix, old);
    return err->status;
}

void hpolab_error_clear(struct hpolab_error *err)
{
    if (err) {
        err->status = HPOLAB_OK;
        err->message[0] = '\0';
    }
}

const char *hpolab_status_text(int32_t status)
{
    switch (status) {
    case HPOLAB_OK: return "ok";
    case HPOLAB_ERR_INVALID: return "invalid argument";
    case HPOLAB_ERR_NOMEM: return "out of memory";
    case HPOLAB_ERR_NOT_FOUND: return "not found";
    case HPOLAB_ERR_EXISTS: return "already exists";
    case HPOLAB_ERR_IO: return "input/output error";
    case HPOLAB_ERR_UNSUPPORTED: return "not supported";
    case HPOLAB_ERR_STATE: return "called in the wrong state";
    case HPOLAB_ERR_ABI: return "ABI mismatch";
    case HPOLAB_ERR_INTERNAL: return "internal error";
    case HPOLAB_ERR_TYPE: return "wrong type";
    case HPOLAB_ERR_RANGE: return "out of range";
    case HPOLAB_ERR_PLUGIN: return "plugin error";
    case HPOLAB_ERR_INTERRUPTED: return "interrupted";
    case HPOLAB_ERR_PARSE: return "parse error";
    case HPOLAB_ERR_PROCESS: return "process error";
    case HPOLAB_ERR_TIMEOUT: return "timed out";
    case HPOLAB_ERR_EXHAUSTED: return "exhausted";
    default: return "unknown status";
    }
}
