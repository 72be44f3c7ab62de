/* state_codec.c: see state_codec.h. */
#include "state_codec.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ------------------------------------------------------------ */

void hpolab_state_put(struct hpolab_state_writer *w, const void *p, uint64_t n)
{
    if (w->st != HPOLAB_OK)
        return;
    w->len += n;
    if (w->out)
        w->st = hpolab_host->buffer_append(w->out, p, n);
}

void hpolab_state_put_u(struct hpolab_state_writer *w, uint64_t v, int bytes)
{
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    hpolab_state_put(w, b, (uint64_t)bytes);
}

void hpolab_state_put_f64(struct hpolab_state_writer *w, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    hpolab_state_put_u(w, bits, 8);
}

void hpolab_state_put_str(struct hpolab_state_writer *w, const char *s)
{
    uint64_t len = strlen(s);
    hpolab_state_put_u(w, len, 4);
    hpolab_state_put(w, s, len);
}

int hpolab_state_keep_hyperparameters(const char *name, const void *space)
{
    uint32_t n = hpolab_host->space_count(space);
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(hpolab_host->space_name(space, i), name) == 0)
            return strcmp(hpolab_host->space_domain(space, i), "constant") != 0;
    return 0;
}

void hpolab_state_put_config(struct hpolab_state_writer *w,
                             struct hpolab_ctx *ctx,
                             const struct hpolab_config *c,
                             hpolab_state_keep_fn keep, const void *user,
                             const char *whose)
{
    uint32_t n = hpolab_host->config_count(c), kept = 0;
    for (uint32_t i = 0; i < n; i++)
        kept += !keep || keep(hpolab_host->config_name(c, i), user);
    hpolab_state_put_u(w, kept, 4);
    for (uint32_t i = 0; i < n && w->st == HPOLAB_OK; i++) {
        const char *name = hpolab_host->config_name(c, i);
        if (keep && !keep(name, user))
            continue;
        int32_t type = hpolab_host->config_type(c, i);
        int64_t iv = 0;
        double dv = 0.0;
        hpolab_state_put_str(w, name);
        hpolab_state_put_u(w, (uint64_t)type, 1);
        switch (type) {
        case HPOLAB_VALUE_INT:
        case HPOLAB_VALUE_BOOL:
            hpolab_host->config_get_int(c, i, &iv);
            hpolab_state_put_u(w, (uint64_t)iv,
                               type == HPOLAB_VALUE_BOOL ? 1 : 8);
            break;
        case HPOLAB_VALUE_DOUBLE:
            hpolab_host->config_get_double(c, i, &dv);
            hpolab_state_put_f64(w, dv);
            break;
        case HPOLAB_VALUE_STRING:
            hpolab_state_put_str(w, hpolab_host->config_get_string(c, i));
            break;
        default:
            /* the host table (ABI 1.x) cannot rebuild null or JSON values */
            w->st = hpolab_set_error(ctx, HPOLAB_ERR_UNSUPPORTED,
                                     "save: %s: configuration entry '%s' has "
                                     "a value of type %d (null or JSON), "
                                     "which cannot be saved",
                                     whose, name, (int)type);
        }
    }
}

/* ---- reading ------------------------------------------------------------ */

int32_t hpolab_state_bad(struct hpolab_state_reader *r, int32_t status,
                         const char *fmt, ...)
{
    if (r->st != HPOLAB_OK)
        return r->st;
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->st = hpolab_set_error(r->ctx, status, "restore: %s state, %s", r->label,
                             msg);
    return r->st;
}

uint64_t hpolab_state_get_u(struct hpolab_state_reader *r, int bytes,
                            const char *what)
{
    if (r->st != HPOLAB_OK)
        return 0;
    if (r->pos > r->end || r->end - r->pos < (uint64_t)bytes) {
        hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                         "truncated: %s needs %d bytes at byte %" PRIu64
                         ", but the %s part ends at byte %" PRIu64,
                         what, bytes, r->pos, r->label, r->end);
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->pos + (uint64_t)i] << (8 * i);
    r->pos += (uint64_t)bytes;
    return v;
}

double hpolab_state_get_f64(struct hpolab_state_reader *r, const char *what)
{
    uint64_t bits = hpolab_state_get_u(r, 8, what);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

char *hpolab_state_get_str(struct hpolab_state_reader *r, const char *what)
{
    uint64_t len = hpolab_state_get_u(r, 4, what);
    if (r->st != HPOLAB_OK)
        return NULL;
    if (r->end - r->pos < len) {
        hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                         "truncated: %s of %" PRIu64 " bytes at byte %" PRIu64
                         ", but the %s part ends at byte %" PRIu64,
                         what, len, r->pos, r->label, r->end);
        return NULL;
    }
    char *s = malloc(len + 1);
    if (!s) {
        hpolab_state_bad(r, HPOLAB_ERR_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(s, r->p + r->pos, len);
    s[len] = '\0';
    r->pos += len;
    return s;
}

uint64_t hpolab_state_get_count(struct hpolab_state_reader *r, int bytes,
                                uint64_t item_size, const char *what)
{
    uint64_t n = hpolab_state_get_u(r, bytes, what);
    if (r->st == HPOLAB_OK && n > (r->end - r->pos) / item_size)
        hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                         "truncated or damaged: %" PRIu64 " %s do not fit in "
                         "the %" PRIu64 " bytes left",
                         n, what, r->end - r->pos);
    return r->st == HPOLAB_OK ? n : 0;
}

static void get_value(struct hpolab_state_reader *r, struct hpolab_config *c,
                      const char *name, uint64_t type)
{
    switch (type) {
    case HPOLAB_VALUE_INT: {
        int64_t v = (int64_t)hpolab_state_get_u(r, 8, "an integer value");
        if (r->st == HPOLAB_OK)
            r->st = hpolab_host->config_set_int(r->ctx, c, name, v);
        break;
    }
    case HPOLAB_VALUE_BOOL: {
        uint64_t v = hpolab_state_get_u(r, 1, "a boolean value");
        if (r->st == HPOLAB_OK)
            r->st = hpolab_host->config_set_bool(r->ctx, c, name, v != 0);
        break;
    }
    case HPOLAB_VALUE_DOUBLE: {
        double v = hpolab_state_get_f64(r, "a float value");
        if (r->st == HPOLAB_OK)
            r->st = hpolab_host->config_set_double(r->ctx, c, name, v);
        break;
    }
    case HPOLAB_VALUE_STRING: {
        char *v = hpolab_state_get_str(r, "a string value");
        if (r->st == HPOLAB_OK)
            r->st = hpolab_host->config_set_string(r->ctx, c, name, v);
        free(v);
        break;
    }
    default:
        hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                         "damaged: configuration entry '%s' has type %" PRIu64,
                         name, type);
    }
}

struct hpolab_config *hpolab_state_get_config(struct hpolab_state_reader *r)
{
    /* an entry is at least a 4-byte name length, a type byte, 1 value byte */
    uint64_t n = hpolab_state_get_count(r, 4, 6, "configuration entries");
    struct hpolab_config *c = NULL;
    if (r->st != HPOLAB_OK)
        return NULL;
    int32_t st = hpolab_host->config_new(r->ctx, &c);
    if (st != HPOLAB_OK) {
        r->st = st;
        return NULL;
    }
    for (uint64_t i = 0; i < n && r->st == HPOLAB_OK; i++) {
        char *name = hpolab_state_get_str(r, "a configuration entry's name");
        uint64_t type =
            hpolab_state_get_u(r, 1, "a configuration value's type");
        if (r->st == HPOLAB_OK)
            get_value(r, c, name, type);
        free(name);
    }
    if (r->st != HPOLAB_OK) {
        hpolab_host->config_free(c);
        return NULL;
    }
    return c;
}

void hpolab_state_expect_end(struct hpolab_state_reader *r)
{
    if (r->st == HPOLAB_OK && r->pos != r->end)
        hpolab_state_bad(r, HPOLAB_ERR_PARSE,
                         "damaged: %" PRIu64 " unexpected byte(s) after byte "
                         "%" PRIu64,
                         r->end - r->pos, r->pos);
}
